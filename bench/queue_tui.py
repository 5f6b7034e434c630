#!/usr/bin/env python3
"""queue_tui.py - time the console's Queue screen on a pseudo-terminal.

Usage: queue_tui.py RELAYDECK CONFIG_DIR IDS_FILE [KEYS]

Starts `RELAYDECK -c CONFIG_DIR` (--state-dir $RD_STATE_DIR) on an 80x24 pseudo-terminal (TERM=screen),
waits for the first screen, presses 6 and measures, from the bytes the
console writes:
  first_rows_ms  from the key to the first queue ID of IDS_FILE (one a
                 line: postqueue -j's IDs) drawn on the terminal;
  loaded_ms      from the key to "shown:" (the list is complete);
  redraw_*_ms    for KEYS (default 300) presses of Down, then PgDn: from
                 writing the key to the last byte of the frame it causes
                 (the output is over when nothing follows for 20 ms; that
                 wait is not counted);
  rss_kib        the console's peak resident memory (VmHWM) at the end.
Prints "name value" lines. Never part of make check.
"""
import curses
import os
import pty
import re
import select
import struct
import sys
import termios
import fcntl
import time

ID_RE = re.compile(rb"[0-9A-Za-z]{9,20}")


def read_until(fd, pred, timeout):
    """Read until pred(buffer) is true; (time when it was, buffer)."""
    buf = b""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
            if pred(buf):
                return time.monotonic(), buf
    raise SystemExit("queue_tui.py: timed out; last output: %r" % buf[-400:])


def drain(fd, quiet=0.02):
    """Read until nothing comes for `quiet` seconds: time of the last byte."""
    last = None
    while True:
        r, _, _ = select.select([fd], [], [], quiet)
        if not r:
            return last
        if not os.read(fd, 65536):
            return last
        last = time.monotonic()


def key_times(fd, key, n):
    out = []
    for _ in range(n):
        t0 = time.monotonic()
        os.write(fd, key)
        last = drain(fd)
        if last is not None:
            out.append((last - t0) * 1000)
    out.sort()
    return out


def main(argv):
    if len(argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    rd, conf, ids_path = argv[1], argv[2], argv[3]
    nkeys = int(argv[4]) if len(argv) > 4 else 300
    ids = set(l.strip().encode() for l in open(ids_path) if l.strip())
    pid, fd = pty.fork()
    if pid == 0:
        env = dict(os.environ, TERM="screen", LANG="C.UTF-8", LC_ALL="C.UTF-8")
        state = os.environ.get("RD_STATE_DIR", "/tmp/relaydeck-bench-state")
        os.execve(rd, [rd, "--state-dir", state, "-c", conf], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    read_until(fd, lambda b: b"Relay settings" in b, 30)
    drain(fd, 0.5)
    t0 = time.monotonic()
    os.write(fd, b"6")
    t_first, buf = read_until(fd, lambda b: any(m in ids for m in ID_RE.findall(b)), 120)
    t_loaded, _ = read_until(fd, lambda b: b"shown:" in b, 600)
    drain(fd, 0.3)
    # the keys as the terminal type sends them (screen: ESC O B in keypad mode)
    curses.setupterm("screen", fd)
    down = key_times(fd, curses.tigetstr("kcud1"), nkeys)
    pgdn = key_times(fd, curses.tigetstr("knp"), nkeys // 3)
    with open("/proc/%d/status" % pid) as f:
        hwm = next(l.split()[1] for l in f if l.startswith("VmHWM:"))
    print("first_rows_ms %.0f" % ((t_first - t0) * 1000))
    print("loaded_ms %.0f" % ((t_loaded - t0) * 1000))
    for name, v in (("down", down), ("pgdn", pgdn)):
        print("redraw_%s_median_ms %.2f" % (name, v[len(v) // 2]))
        print("redraw_%s_p95_ms %.2f" % (name, v[int(len(v) * 0.95)]))
        print("redraw_%s_max_ms %.2f" % (name, v[-1]))
    print("rss_kib %s" % hwm)
    os.write(fd, b"qq")
    time.sleep(0.3)
    try:
        os.kill(pid, 15)
    except OSError:
        pass
    os.waitpid(pid, 0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
