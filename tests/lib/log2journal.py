#!/usr/bin/env python3
# log2journal.py - syslog lines with RFC 3339 stamps (loggen.py --rfc3339)
# as journald's export format on stdout, one entry per line, for
# systemd-journal-remote to write a real .journal file.
# Usage: log2journal.py LOG
import calendar
import re
import sys

pat = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?\+00:00 (\S+) ([^\[:]+)\[(\d+)\]: (.*)$")
out = sys.stdout.buffer
mono = 1000000
for line in open(sys.argv[1]):
    m = pat.match(line.rstrip("\n"))
    if not m:
        continue
    y, mo, d, h, mi, s, frac, host, prog, pid, msg = m.groups()
    us = calendar.timegm((int(y), int(mo), int(d), int(h), int(mi), int(s))) * 1000000 + \
        int((frac or "0")[:6].ljust(6, "0"))
    mono += 1000
    out.write(("__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n"
               "_BOOT_ID=5f0c2b8e9a3d4c1b8e7f6a5d4c3b2a19\n_HOSTNAME=%s\n"
               "SYSLOG_IDENTIFIER=%s\n_PID=%s\nSYSLOG_FACILITY=2\nPRIORITY=6\n"
               "MESSAGE=%s\n\n" % (us, mono, host, prog, pid, msg)).encode())
