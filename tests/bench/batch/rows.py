#!/usr/bin/python3
"""The rows of the batch bench (make bench, case batch): a CSV for
`pwb eval --tests`. Row i's ticket starts with its own tag ("row-00042:")
and, with a size, is padded with a slice of fixed pseudo-random text that
differs from row to row, so the ticket is SIZE bytes. The test server's
batch answer is "batch: " + the last user turn (or that cut/padded to its
answer_size), and each row holds one `contains` assertion on "batch: " +
its own tag, so a row passes only when its own answer came back.

    tests/bench/batch/rows.py N SIZE OUT.csv     (SIZE 0: the tag alone)
"""
import csv
import random
import sys

PREFIX = "batch: "  # the server's batch answers


def tag(i):
    return "row-%05d:" % i


def filler_pool():
    """64 KiB of words from a fixed seed (plain ASCII: no CSV quoting)."""
    rnd = random.Random(13)
    words = ("ticket refund invoice latency timeout region export column dashboard "
             "password reset login billing plan upgrade cancel error retry webhook "
             "token quota limit batch archive report customer agent reply").split()
    out, size = [], 0
    while size < 65536:
        w = rnd.choice(words)
        out.append(w)
        size += len(w) + 1
    return " ".join(out)


def write_rows(n, size, path):
    """Write n rows to path (header: ticket, __expected)."""
    pool = filler_pool() if size else ""
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["ticket", "__expected"])
        for i in range(n):
            t = tag(i)
            if size > len(t):
                at = (i * 7919) % (len(pool) - size)
                t = t + " " + pool[at:at + size - len(t) - 1]
            w.writerow([t, "contains:%s%s" % (PREFIX, tag(i))])


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: rows.py N SIZE OUT.csv")
    write_rows(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
