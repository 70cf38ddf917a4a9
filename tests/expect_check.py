#!/usr/bin/env python3
"""Compare `pwb run --json` output with a fixture's .expect.json (core fields).

Usage: python3 tests/expect_check.py OUT.json NAME.expect.json
Prints nothing and exits 0 when they agree, else one line per difference
and exits 1. Compared (tests/fixtures/README.md): the outcome (complete,
error, truncated), the error type and message, the request id for HTTP
errors, and of the message: content blocks (type, text, thinking,
signature, id, name, input), stop_reason, stop_sequence and every usage
counter present in the expectation. Output on stdout must be one JSON
object.
"""
import json
import sys


def main():
    out_text = open(sys.argv[1]).read()
    exp = json.load(open(sys.argv[2]))
    diffs = []
    try:
        got = json.loads(out_text)
    except ValueError as e:
        print("stdout is not one JSON object: %s: %r" % (e, out_text[:200]))
        return 1
    if got.get("outcome") != exp["outcome"]:
        diffs.append("outcome %r, expected %r" % (got.get("outcome"), exp["outcome"]))
    ee, ge = exp.get("error"), got.get("error")
    if ee is None:
        if ge is not None:
            diffs.append("error %r, expected null" % (ge,))
    else:
        if not isinstance(ge, dict):
            diffs.append("error %r, expected %r" % (ge, ee))
        else:
            for k in ("type", "message"):
                if ge.get(k) != ee.get(k):
                    diffs.append("error.%s %r, expected %r" % (k, ge.get(k), ee.get(k)))
            if exp.get("http_status", 200) != 200 and ge.get("http_status") != exp["http_status"]:
                diffs.append("error.http_status %r, expected %r" % (ge.get("http_status"), exp["http_status"]))
            if exp.get("request_id") and ge.get("request_id") != exp["request_id"]:
                diffs.append("error.request_id %r, expected %r" % (ge.get("request_id"), exp["request_id"]))
    em, gm = exp.get("message"), got.get("message")
    if em is None:
        if gm is not None:
            diffs.append("message present, expected null")
    elif not isinstance(gm, dict):
        diffs.append("message %r, expected an object" % (gm,))
    else:
        for k in ("stop_reason", "stop_sequence"):
            if gm.get(k) != em.get(k):
                diffs.append("%s %r, expected %r" % (k, gm.get(k), em.get(k)))
        gc, ec = gm.get("content") or [], em.get("content") or []
        if len(gc) != len(ec):
            diffs.append("%d content blocks, expected %d" % (len(gc), len(ec)))
        for i, (g, e) in enumerate(zip(gc, ec)):
            for k in ("type", "text", "thinking", "signature", "id", "name", "input"):
                if k in e and g.get(k) != e[k]:
                    diffs.append("content[%d].%s %r, expected %r" % (i, k, g.get(k), e[k]))
        gu = gm.get("usage") or {}
        for k, v in (em.get("usage") or {}).items():
            if isinstance(v, (int, float)) and gu.get(k) != v:
                diffs.append("usage.%s %r, expected %r" % (k, gu.get(k), v))
    for d in diffs:
        print(d)
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
