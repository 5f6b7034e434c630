#!/usr/bin/env python3
"""queue_fill.py - drop submission files into a Postfix maildrop directory.

Usage: queue_fill.py QUEUE_DIR COUNT [--start N] [--now SECONDS]

Writes COUNT files in Postfix's submission record format (what postdrop
writes: T time, S sender, R recipients, M, N content lines, X, E) into
QUEUE_DIR/maildrop, owned by the postfix user, mode 0700 (the mode
pickup waits for), each written to a temporary name first. pickup(8)
passes the T record on to cleanup(8), so a file may carry an arrival
time in the past: that is how a test gets queue files of every age qshape
buckets. The rest of the journey is Postfix's own: pickup, cleanup,
qmgr, a delivery attempt, deferral.

The mix is deterministic (message i is always the same):
  - arrival ages at the middle of qshape's default buckets (2, 7, 15, 30,
    60, 120, 240, 480, 960 minutes, then 2000 and 5000);
  - senders from 40 addresses in 12 domains, one message in 50 with the
    null sender;
  - 1 to 3 recipients from 30 domains; the domains under rl.example,
    tls.example and dns.example are routed by queue_fill.sh's transport
    map to retry(8) with a rate-limit, TLS or DNS reason (numbers and
    hosts differ per domain), the others to a dead loopback port;
  - bodies of 1 to 40 lines; every 997th message has a Subject with a
    terminal escape sequence (ESC [ 3 1 m) for the escaping tests.
Prints the number of files written.
"""
import argparse
import os
import pwd
import sys
import time

AGES_MIN = [2, 7, 15, 30, 60, 120, 240, 480, 960, 2000, 5000]
SENDER_DOMAINS = ["shop%d.example.org" % i for i in range(8)] + [
    "news.example.com", "billing.example.com", "alerts.example.net", "app.example.net"]
RCPT_DOMAINS = (["d%02d.example" % i for i in range(18)] +
                ["mx%d.rl.example" % i for i in range(1, 7)] +
                ["mx%d.tls.example" % i for i in range(1, 4)] +
                ["mx%d.dns.example" % i for i in range(1, 4)])


def rec(rtype, data):
    """One record: type byte, length in 7-bit groups (low first), data."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    n = len(data)
    out = bytearray([ord(rtype)])
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            b |= 0x80
        out.append(b)
        if not n:
            break
    return bytes(out) + data


def message(i, now):
    """The records of message i."""
    age = AGES_MIN[(i * 7) % len(AGES_MIN)] * 60 + (i % 13)
    if i % 50 == 49:
        sender = ""
    else:
        sender = "user%d@%s" % (i % 5, SENDER_DOMAINS[(i * 3) % len(SENDER_DOMAINS)])
    recs = [rec("T", "%d 0" % (now - age)), rec("S", sender)]
    nrcpt = 1 + (i % 3)
    # A skewed spread: low-numbered domains get more mail, as in life.
    for r in range(nrcpt):
        k = ((i * 31 + r * 17) % 97) % len(RCPT_DOMAINS)
        if (i + r) % 4 == 0:
            k = k % 5
        recs.append(rec("R", "rcpt%d@%s" % ((i + r) % 211, RCPT_DOMAINS[k])))
    recs.append(rec("M", ""))
    subject = "Order %d confirmation" % i
    if i % 997 == 996:
        subject = "Invoice \x1b[31mURGENT\x1b[0m %d" % i
    recs.append(rec("N", "From: <%s>" % (sender or "MAILER-DAEMON@relay-test.example.net")))
    recs.append(rec("N", "Subject: %s" % subject))
    recs.append(rec("N", "Message-ID: <fill.%d@relay-test.example.net>" % i))
    recs.append(rec("N", ""))
    for line in range(1 + (i * 13) % 40):
        recs.append(rec("N", "line %d of the body of message %d, padded to look like text." %
                        (line, i)))
    recs.append(rec("X", ""))
    recs.append(rec("E", ""))
    return b"".join(recs)


def main(argv):
    ap = argparse.ArgumentParser(description="drop submission files into maildrop/")
    ap.add_argument("queue_dir")
    ap.add_argument("count", type=int)
    ap.add_argument("--start", type=int, default=0, help="index of the first message")
    ap.add_argument("--now", type=int, default=int(time.time()), help="reference time")
    a = ap.parse_args(argv[1:])
    qdir, count, start, now = a.queue_dir, a.count, a.start, a.now
    md = os.path.join(qdir, "maildrop")
    pw = pwd.getpwnam("postfix")
    for i in range(start, start + count):
        name = os.path.join(md, "QF%08dZ" % i)
        tmp = os.path.join(md, "tmp.%d.%d" % (os.getpid(), i))
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(message(i, now))
        os.chown(tmp, pw.pw_uid, pw.pw_gid)
        os.chmod(tmp, 0o700)
        os.rename(tmp, name)
    print(count)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
