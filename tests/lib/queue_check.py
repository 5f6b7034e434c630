#!/usr/bin/env python3
"""queue_check.py - compare relaydeck's view of a queue with Postfix's own.

Usage:
  queue_check.py list PQ.json RD.json
      every message of `postqueue -j` (PQ) is in `relaydeck queue list
      --json` (RD) with the same queue, arrival time, size, sender and
      recipients (address and delay reason, in order), and nothing else
  queue_check.py select PQ.json NOW [domain=D] [older=S] [younger=S] [sender=<>]
      the IDs postqueue -j holds that match, sorted, one a line
  queue_check.py ids RD.json
      the IDs in relaydeck's list, sorted
  queue_check.py shape QSHAPE.txt RD.json
      relaydeck's shape (--json) has qshape's rows: the same domains with
      the same total and bucket counts (qshape orders equal totals by hash)
  queue_check.py reasons PQ.json RD.json
      relaydeck's reason groups (--json) account for every recipient, and
      each group holds exactly the recipients whose raw reason carries the
      group's fixed words
Exit status 0 when all is well; differences are printed.
"""
import json
import re
import sys


def load_lines(path):
    out = []
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            line = line.strip()
            if line:
                out.append(json.loads(line))
    return out


def cmd_list(pq_path, rd_path):
    pq = {m["queue_id"]: m for m in load_lines(pq_path)}
    rd = {m["id"]: m for m in load_lines(rd_path)}
    bad = 0
    for qid in sorted(set(pq) - set(rd)):
        print("missing in relaydeck: %s" % qid)
        bad += 1
    for qid in sorted(set(rd) - set(pq)):
        print("not in postqueue -j: %s" % qid)
        bad += 1
    for qid in sorted(set(pq) & set(rd)):
        p, r = pq[qid], rd[qid]
        want = (p["queue_name"], p["arrival_time"], p["message_size"], p["sender"],
                [(x["address"], x.get("delay_reason")) for x in p["recipients"]])
        got = (r["queue"], r["arrival_time"], r["size"], r["sender"],
               [(x["address"], x.get("reason")) for x in r["recipients"]])
        if want != got:
            print("%s differs:\n  postqueue %r\n  relaydeck %r" % (qid, want, got))
            bad += 1
    print("# %d messages compared" % len(pq))
    return 1 if bad else 0


def domain_of(addr):
    return addr.rsplit("@", 1)[1].lower() if "@" in addr else ""


def cmd_select(pq_path, now, terms):
    now = int(now)
    crit = dict(t.split("=", 1) for t in terms)
    ids = []
    for m in load_lines(pq_path):
        age = now - m["arrival_time"]
        if "older" in crit and age < int(crit["older"]):
            continue
        if "younger" in crit and age >= int(crit["younger"]):
            continue
        if "sender" in crit and crit["sender"] == "<>" and m["sender"] not in ("", "MAILER-DAEMON"):
            continue
        if "queue" in crit and m["queue_name"] != crit["queue"]:
            continue
        if "domain" in crit:
            d = crit["domain"].lower()
            if not any(domain_of(r["address"]) == d or domain_of(r["address"]).endswith("." + d)
                       for r in m["recipients"]):
                continue
        ids.append(m["queue_id"])
    for i in sorted(ids):
        print(i)
    return 0


def cmd_ids(rd_path):
    for i in sorted(m["id"] for m in load_lines(rd_path)):
        print(i)
    return 0


def parse_qshape(path):
    rows = {}
    with open(path) as f:
        lines = [l.rstrip("\n") for l in f if l.strip()]
    for line in lines[1:]:
        parts = line.split()
        name, counts = parts[0], [int(x) for x in parts[1:]]
        rows[name] = counts
    return rows


def cmd_shape(qs_path, rd_path):
    want = parse_qshape(qs_path)
    with open(rd_path) as f:
        d = json.load(f)
    got = {r["domain"]: [r["total"]] + r["counts"] for r in d["rows"]}
    bad = 0
    for name in sorted(set(want) | set(got)):
        if want.get(name) != got.get(name):
            print("%s: qshape %s, relaydeck %s" % (name, want.get(name), got.get(name)))
            bad += 1
    print("# %d rows compared (source: %s)" % (len(want), d.get("source")))
    return 1 if bad else 0


# The fixed words of each reason the test queue holds (tests/lib/queue_fill.sh).
KNOWN = [
    ("connect to *: Connection refused", re.compile(r"connect to .*: Connection refused$")),
    ("host * said: 421 4.7.0 Too many messages from *, rate limited; try again in # seconds",
     re.compile(r"^host \S+ said: 421 4\.7\.0 Too many messages from \S+, rate limited; "
                r"try again in \d+ seconds$")),
    ("TLS is required, but was not offered by host *",
     re.compile(r"^TLS is required, but was not offered by host \S+$")),
    ("Host or domain name not found. Name service error for name=* type=MX: Host not found, "
     "try again", re.compile(r"^Host or domain name not found\. Name service error for "
                             r"name=\S+ type=MX: Host not found, try again$")),
]


def cmd_reasons(pq_path, rd_path):
    pq = load_lines(pq_path)
    with open(rd_path) as f:
        d = json.load(f)
    want = {}
    total = 0
    for m in pq:
        for r in m["recipients"]:
            total += 1
            why = r.get("delay_reason", "")
            key = next((k for k, rx in KNOWN if rx.search(why)), "?" + why)
            want[key] = want.get(key, 0) + 1
    got = {g["reason"]: g["recipients"] for g in d["groups"]}
    bad = 0
    if d["recipients"] != total:
        print("recipients: postqueue %d, relaydeck %d" % (total, d["recipients"]))
        bad += 1
    for k in sorted(set(want) | set(got)):
        if want.get(k) != got.get(k):
            print("%r: postqueue %s, relaydeck %s" % (k, want.get(k), got.get(k)))
            bad += 1
    print("# %d groups compared" % len(want))
    return 1 if bad else 0


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "list":
        return cmd_list(*args)
    if cmd == "select":
        return cmd_select(args[0], args[1], args[2:])
    if cmd == "ids":
        return cmd_ids(*args)
    if cmd == "shape":
        return cmd_shape(*args)
    if cmd == "reasons":
        return cmd_reasons(*args)
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
