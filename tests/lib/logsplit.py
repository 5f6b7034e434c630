#!/usr/bin/env python3
# logsplit.py - cut a generated log (loggen.py, classic stamps starting in
# December of YEAR) into rotated files the way logrotate leaves them:
# LOG.3.gz LOG.2.gz LOG.1 LOG, oldest first, each file's mtime the time
# of its last line (December lines in YEAR, January ones in YEAR+1).
# Usage: logsplit.py IN OUTBASE YEAR
import gzip
import os
import sys
import time

src, base, year = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = open(src).read().splitlines(keepends=True)
n = len(lines)
cuts = [0, n * 3 // 10, n * 5 // 10, n * 8 // 10, n]
names = [base + ".3.gz", base + ".2.gz", base + ".1", base]
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def when(line):
    mon = MONTHS.index(line[:3]) + 1
    y = year if mon == 12 else year + 1
    return time.mktime((y, mon, int(line[4:6]), int(line[7:9]), int(line[10:12]),
                        int(line[13:15]), 0, 0, -1))


for k, name in enumerate(names):
    part = lines[cuts[k]:cuts[k + 1]]
    data = "".join(part).encode()
    if name.endswith(".gz"):
        with gzip.open(name, "wb") as f:
            f.write(data)
    else:
        open(name, "wb").write(data)
    last = [l for l in part if l[:3] in MONTHS][-1]
    t = when(last)
    os.utime(name, (t, t))
    print(name, len(part))
