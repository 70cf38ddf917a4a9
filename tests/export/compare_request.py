#!/usr/bin/env python3
"""Compares the last request the test server logged with what pwb sends.

Usage: compare_request.py LOG BODY.json VERSION BETA|- KEY

The logged request must be POST /v1/messages with a body JSON-equal to
BODY.json (strictly: a bool is not a number), anthropic-version VERSION,
anthropic-beta BETA (absent when "-"), x-api-key KEY and no Authorization
header. Prints each difference and exits 1, or exits 0.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_python import json_equal  # noqa: E402


def main():
    if len(sys.argv) != 6:
        print(__doc__)
        return 2
    log, body_path, version, beta, key = sys.argv[1:]
    lines = [l for l in open(log, encoding="utf-8") if l.strip()]
    if not lines:
        print("the server logged no request")
        return 1
    req = json.loads(lines[-1])
    body = json.load(open(body_path, encoding="utf-8"))
    h = req["headers"]
    problems = []
    if (req["method"], req["path"]) != ("POST", "/v1/messages"):
        problems.append("sent %s %s" % (req["method"], req["path"]))
    if req["json"] is None:
        problems.append("body is not JSON: %r" % req["body"][:200])
    else:
        problems += json_equal(req["json"], body)
    if h.get("anthropic-version") != version:
        problems.append("anthropic-version %r, pwb sends %r" % (h.get("anthropic-version"), version))
    want_beta = None if beta == "-" else beta
    if h.get("anthropic-beta") != want_beta:
        problems.append("anthropic-beta %r, pwb sends %r" % (h.get("anthropic-beta"), want_beta))
    if h.get("x-api-key") != key:
        problems.append("x-api-key is not the key from ANTHROPIC_API_KEY")
    if "authorization" in h:
        problems.append("an Authorization header was sent (pwb sends x-api-key only)")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
