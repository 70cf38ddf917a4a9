#!/usr/bin/python3
"""The rows of the eval bench (make bench, case eval): a CSV that pwb eval
(--tests) and promptfoo (tests: file://...) both read unchanged. Row i asks
the echo server to repeat a short ticket and holds one `contains`
assertion on the row's own tag, so a row passes only when its own answer
came back (the echo server answers PREFIX + the last user turn).

    tests/bench/eval/rows.py N OUT.csv
"""
import csv
import sys

PREFIX = "echo-"  # the server's echo prefix ({"echo": PREFIX})

TOPICS = ("a refund for a double charge", "the dashboard shows a 502 error",
          "how to rotate an API key", "an export to CSV drops the last column",
          "a request to add dark mode", "login fails after a password reset")


def tag(i):
    return "row-%05d" % i


def write_rows(n, path):
    """Write n rows to path (header: ticket, __expected)."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["ticket", "__expected"])
        for i in range(n):
            ticket = "%s: customer %d writes about %s, please triage" % (
                tag(i), i % 97, TOPICS[i % len(TOPICS)])
            w.writerow([ticket, "contains:%s%s" % (PREFIX, tag(i))])


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: rows.py N OUT.csv")
    write_rows(int(sys.argv[1]), sys.argv[2])
