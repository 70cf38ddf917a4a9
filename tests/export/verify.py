#!/usr/bin/env python3
"""Verifies the export round trips recorded by tests/t/export.sh, in one
process (Python starts slowly on a loaded machine). Prints TAP lines.

Usage: verify.py LOG MANIFEST KEY

LOG is the test server's request log (JSON lines, line N = request N).
MANIFEST has one tab-separated line per check:
    req  NAME  N  BODY.json  RUN
        request N was sent by an exported program: POST /v1/messages, body
        JSON-equal to BODY.json (strictly: a bool is not a number), the
        anthropic-version and anthropic-beta of request RUN (the one
        `pwb run` sent), x-api-key KEY, no Authorization header.
    py   NAME  FILE  BODY.json  RUN  STREAM
        FILE, a Python export, passes check_python.check against BODY.json
        and the headers of request RUN (STREAM 1: messages.stream).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_python import check, json_equal  # noqa: E402


def compare(req, body, run, key):
    h, want = req["headers"], run["headers"]
    problems = []
    if (req["method"], req["path"]) != ("POST", "/v1/messages"):
        problems.append("sent %s %s" % (req["method"], req["path"]))
    if req["json"] is None:
        problems.append("body is not JSON: %r" % req["body"][:200])
    else:
        problems += json_equal(req["json"], body)
    for name in ("anthropic-version", "anthropic-beta"):
        if h.get(name) != want.get(name):
            problems.append("%s %r, pwb sends %r" % (name, h.get(name), want.get(name)))
    if h.get("x-api-key") != key:
        problems.append("x-api-key is not the key from ANTHROPIC_API_KEY")
    if "authorization" in h:
        problems.append("an Authorization header was sent (pwb sends x-api-key only)")
    return problems


def main():
    log_path, manifest, key = sys.argv[1:]
    log = [json.loads(l) for l in open(log_path, encoding="utf-8") if l.strip()]
    failed = 0
    for line in open(manifest, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        body = json.load(open(f[3], encoding="utf-8"))
        if f[0] == "req":
            name = "%s sends pwb's request" % f[1]
            problems = compare(log[int(f[2]) - 1], body, log[int(f[4]) - 1], key)
        else:
            name = "%s: the SDK call carries pwb's request" % f[1]
            h = log[int(f[4]) - 1]["headers"]
            problems = check(f[2], body, h.get("anthropic-version"),
                             h.get("anthropic-beta"), f[5] == "1")
        print("%s - %s" % ("not ok" if problems else "ok", name))
        for p in problems:
            print("#   " + p)
        failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
