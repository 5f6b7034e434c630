#!/usr/bin/env python3
"""treemem.py - run a command and report the peak memory of its whole
process tree (the command and every descendant: parallel-ssh's ssh
processes, ansible's workers), sampled every INTERVAL seconds.

Usage: treemem.py OUT CMD [ARG...]
Writes to OUT one line: "wall_ms peak_pss_kib peak_rss_kib cpu_s max_procs".
PSS (proportional set size, /proc/PID/smaps_rollup) shares each shared
page among the processes that map it, so N copies of ssh are not counted
as N copies of libcrypto; RSS is the plain sum. cpu_s is user+system time
of the command and its children (getrusage). The command's own exit
status is returned; its output goes where this script's goes.
"""
import os
import resource
import subprocess
import sys
import time

INTERVAL = 0.02


def children_map():
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat", "rb") as f:
                s = f.read()
        except OSError:
            continue
        # the name may hold spaces and parentheses: the ppid follows the last ')'
        rest = s[s.rindex(b")") + 2:].split()
        kids.setdefault(int(rest[1]), []).append(int(d))
    return kids


def tree(root):
    kids = children_map()
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def mem(pid):
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
    except OSError:
        pass
    return pss, rss


def main():
    out, cmd = sys.argv[1], sys.argv[2:]
    t0 = time.monotonic()
    child = subprocess.Popen(cmd)
    peak_pss = peak_rss = procs = 0
    while child.poll() is None:
        pss = rss = 0
        pids = tree(child.pid)
        for p in pids:
            a, b = mem(p)
            pss += a
            rss += b
        peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss)
        procs = max(procs, len(pids))
        time.sleep(INTERVAL)
    wall = (time.monotonic() - t0) * 1000
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(out, "w") as f:
        f.write("%d %d %d %.2f %d\n" % (wall, peak_pss, peak_rss, ru.ru_utime + ru.ru_stime, procs))
    return child.returncode


if __name__ == "__main__":
    sys.exit(main())
