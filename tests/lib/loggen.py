#!/usr/bin/env python3
# loggen.py - a Postfix relay's log, generated, with its ground truth.
#
# Usage: loggen.py OUT TRUTH [--messages N | --bytes N] [--seed S]
#                  [--start EPOCH] [--rfc3339] [--instances]
#                  [--garbage N] [--rate MSGS_PER_SEC]
# Writes OUT (log lines in the forms Postfix writes: classic syslog stamps
# in local time, or RFC 3339 ones) and TRUTH (JSON: what a correct
# summary of OUT says). Messages interleave: up to 200 are in flight at
# once, each line of a message written at a random later step, as a busy
# relay's processes write them. Each message: smtpd "client=" or pickup
# "uid=", cleanup "message-id=", qmgr "from=", then per recipient an
# outcome: sent (after 0-2 deferrals), bounced (5xx: the bounce daemon's
# notice is a new message, delivered), or the whole message expires
# (qmgr "status=expired", notice sent); "removed" last. Deferral causes:
# 421/451 rate replies, our SASL refused (535), TLS handshake failures,
# connection timeouts. Between messages: rejected RCPTs, clients' SASL
# failures, inbound TLS lines, and with --garbage N that many lines that
# are not log lines (the truth counts them as unparsed).
# --instances: a second instance (syslog_name postfix-out) writes half
# of the deliveries. --start defaults to 2025-12-31 22:00 local time, so a
# classic log crosses New Year.
import argparse
import json
import random
import time

RELAYS = [("smtp.relay-a.example", ["192.0.2.10", "192.0.2.11", "192.0.2.12"], 587),
          ("mx.relay-b.example", ["198.51.100.7"], 25),
          ("email-smtp.eu-west-1.amazonaws.com", ["203.0.113.5", "203.0.113.6"], 587)]
DOMAINS = ["example.com", "example.org", "mail.example.net", "customer.example",
           "big-isp.example", "other.example"]
SENDERS = ["app@shop.example", "noreply@shop.example", "billing@shop.example",
           "alerts@ops.example", "news@shop.example"]
DEFER = [("4.7.1", "host {h}[{ip}] said: 451 4.7.1 Rate limit exceeded, try again in {n} seconds (in reply to RCPT TO command)", None),
         ("4.7.0", "host {h}[{ip}] said: 421 4.7.0 Too many messages, slow down (in reply to MAIL FROM command)", None),
         ("4.7.8", "SASL authentication failed; server {h}[{ip}] said: 535 5.7.8 Authentication credentials invalid", "sasl"),
         ("4.7.5", "Cannot start TLS: handshake failure", "tls"),
         ("4.4.1", "connect to {h}[{ip}]:{p}: Connection timed out", None)]
BOUNCE = [("5.1.1", "host {h}[{ip}] said: 550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown (in reply to RCPT TO command)"),
          ("5.7.1", "host {h}[{ip}] said: 554 5.7.1 Message rejected: Email address is not verified (in reply to end of DATA command)")]
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("truth")
    ap.add_argument("--messages", type=int, default=0)
    ap.add_argument("--bytes", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start", type=float, default=0)
    ap.add_argument("--rfc3339", action="store_true")
    ap.add_argument("--instances", action="store_true")
    ap.add_argument("--garbage", type=int, default=0)
    ap.add_argument("--rate", type=float, default=5.0)
    a = ap.parse_args()
    if not a.messages and not a.bytes:
        a.messages = 1000
    rnd = random.Random(a.seed)
    t = a.start or time.mktime((2025, 12, 31, 22, 0, 0, 0, 0, -1))
    t0 = t
    truth = {"received": 0, "delivered": 0, "deferred": 0, "deferrals": 0,
             "bounced": 0, "rejected": 0, "expired": 0, "sasl_ours": 0,
             "sasl_clients": 0, "tls_out_verified": 0, "tls_in_anonymous": 0,
             "tls_fail_out": 0, "unparsed": 0, "lines": 0,
             "relays": {}, "domains": {}, "senders": {}}
    out = open(a.out, "w", buffering=1 << 20)
    stamp_cache = [None, None]

    def stamp():
        s = int(t)
        if stamp_cache[0] != s:
            if a.rfc3339:
                lt = time.gmtime(s)
                stamp_cache[1] = "%04d-%02d-%02dT%02d:%02d:%02d.%06d+00:00" % (
                    lt.tm_year, lt.tm_mon, lt.tm_mday, lt.tm_hour, lt.tm_min, lt.tm_sec,
                    rnd.randrange(1000000))
            else:
                lt = time.localtime(s)
                stamp_cache[1] = "%s %2d %02d:%02d:%02d" % (
                    MONTHS[lt.tm_mon - 1], lt.tm_mday, lt.tm_hour, lt.tm_min, lt.tm_sec)
            stamp_cache[0] = s
        return stamp_cache[1]

    written = [0]

    def emit(prog, pid, text):
        line = "%s relay1 %s[%d]: %s\n" % (stamp(), prog, pid, text)
        out.write(line)
        written[0] += len(line)
        truth["lines"] += 1

    def row(table, name, col):
        r = truth[table].setdefault(name, {"delivered": 0, "deferred": 0, "bounced": 0})
        r[col] += 1

    qseq = [rnd.randrange(1 << 20)]

    def new_qid():
        qseq[0] += 1 + rnd.randrange(7)
        return "%010X" % (qseq[0] * 2654435761 % (1 << 40))

    msgs = []          # in flight: [qid, steps(list of callables)]
    nmsg = [0]

    def make_message(sender=None, notice_of=None, qid=None):
        qid = qid or new_qid()
        inst = "postfix-out" if a.instances and rnd.random() < 0.5 else "postfix"
        rcpts = [("u%d@%s" % (rnd.randrange(100000), rnd.choice(DOMAINS)))
                 for _ in range(1 if notice_of else rnd.choice((1, 1, 1, 2, 3)))]
        if notice_of:
            rcpts = [notice_of]
        sender = "" if notice_of else (sender or rnd.choice(SENDERS))
        steps = []
        if not notice_of:
            truth["received"] += 1
            if rnd.random() < 0.5:
                steps.append(lambda: emit(inst + "/smtpd", 3000, "%s: client=app1.internal.example[10.1.2.3]" % qid))
            else:
                steps.append(lambda: emit(inst + "/pickup", 3001, "%s: uid=1000 from=<%s>" % (qid, sender)))
        steps.append(lambda: emit(inst + "/cleanup", 3002, "%s: message-id=<%d.%s@shop.example>" % (qid, nmsg[0], qid)))
        steps.append(lambda: emit(inst + "/qmgr", 3003, "%s: from=<%s>, size=%d, nrcpt=%d (queue active)" % (qid, sender, 1000 + rnd.randrange(50000), len(rcpts))))
        state = {"deferred": False}
        sname = sender if sender else "<>"
        expire = not notice_of and rnd.random() < 0.01
        for rcpt in rcpts:
            rh, ips, port = rnd.choice(RELAYS)
            dom = rcpt.split("@")[1]
            ndef = rnd.choice((0, 0, 0, 0, 0, 0, 1, 2)) if not expire else 2
            for _ in range(ndef):
                dsn, reason, kind = rnd.choice(DEFER)

                def d(rh=rh, ips=ips, port=port, dsn=dsn, reason=reason, kind=kind, rcpt=rcpt, dom=dom):
                    ip = rnd.choice(ips)
                    if kind != "tls":
                        emit(inst + "/smtp", 4000, "Verified TLS connection established to %s[%s]:%d: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)" % (rh, ip, port))
                        truth["tls_out_verified"] += 1
                    emit(inst + "/smtp", 4000, "%s: to=<%s>, relay=%s[%s]:%d, delay=%d, delays=0.01/0/%d/0, dsn=%s, status=deferred (%s)" % (
                        qid, rcpt, rh, ip, port, 300 + rnd.randrange(3000), rnd.randrange(30), dsn,
                        reason.format(h=rh, ip=ip, p=port, n=rnd.randrange(5, 60), rcpt=rcpt)))
                    truth["deferrals"] += 1
                    if not state["deferred"]:
                        state["deferred"] = True
                        truth["deferred"] += 1
                    if kind == "sasl":
                        truth["sasl_ours"] += 1
                    if kind == "tls":
                        truth["tls_fail_out"] += 1
                    row("relays", rh, "deferred")
                    row("domains", dom, "deferred")
                    row("senders", sname, "deferred")
                steps.append(d)
            if expire:
                continue
            if notice_of or rnd.random() < 0.97:
                def s(rh=rh, ips=ips, port=port, rcpt=rcpt, dom=dom):
                    ip = rnd.choice(ips)
                    emit(inst + "/smtp", 4001, "Verified TLS connection established to %s[%s]:%d: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)" % (rh, ip, port))
                    truth["tls_out_verified"] += 1
                    cs = rnd.randrange(5, 900)
                    emit(inst + "/smtp", 4001, "%s: to=<%s>, relay=%s[%s]:%d, delay=%d.%02d, delays=0.0%d/0/0.%02d/0.%02d, dsn=2.0.0, status=sent (250 Ok %s)" % (
                        qid, rcpt, rh, ip, port, cs // 100, cs % 100, rnd.randrange(10), rnd.randrange(100), rnd.randrange(100), new_qid()))
                    truth["delivered"] += 1
                    row("relays", rh, "delivered")
                    row("domains", dom, "delivered")
                    row("senders", sname, "delivered")
                steps.append(s)
            else:
                dsn, reason = rnd.choice(BOUNCE)

                def b(rh=rh, ips=ips, port=port, rcpt=rcpt, dom=dom, dsn=dsn, reason=reason):
                    ip = rnd.choice(ips)
                    emit(inst + "/smtp", 4002, "%s: to=<%s>, relay=%s[%s]:%d, delay=1.5, delays=0.01/0/0.5/1, dsn=%s, status=bounced (%s)" % (
                        qid, rcpt, rh, ip, port, dsn, reason.format(h=rh, ip=ip, rcpt=rcpt)))
                    truth["bounced"] += 1
                    row("relays", rh, "bounced")
                    row("domains", dom, "bounced")
                    row("senders", sname, "bounced")
                    nq = new_qid()
                    emit(inst + "/bounce", 4003, "%s: sender non-delivery notification: %s" % (qid, nq))
                    truth["received"] += 1
                    msgs.append(make_message(notice_of=sender, qid=nq))
                steps.append(b)
        if expire:
            def x():
                emit(inst + "/qmgr", 3003, "%s: from=<%s>, status=expired, returned to sender" % (qid, sender))
                truth["expired"] += 1
                nq = new_qid()
                emit(inst + "/bounce", 4003, "%s: sender non-delivery notification: %s" % (qid, nq))
                truth["received"] += 1
                msgs.append(make_message(notice_of=sender, qid=nq))
            steps.append(x)
        steps.append(lambda: emit(inst + "/qmgr", 3003, "%s: removed" % qid))
        nmsg[0] += 1
        return [qid, steps]

    started = 0
    garbage_left = a.garbage
    while True:
        more = (started < a.messages) if a.messages else (written[0] < a.bytes)
        if not more and not msgs:
            break
        t += rnd.expovariate(a.rate * 6)
        if more and (len(msgs) < 5 or (len(msgs) < 200 and rnd.random() < 0.2)):
            msgs.append(make_message())
            started += 1
            continue
        r = rnd.random()
        if r < 0.01:
            emit("postfix/smtpd", 5000, "NOQUEUE: reject: RCPT from unknown[203.0.113.99]: 554 5.7.1 <x@elsewhere.example>: Relay access denied; from=<spam@bad.example> to=<x@elsewhere.example> proto=ESMTP helo=<bad>")
            truth["rejected"] += 1
            continue
        if r < 0.015:
            emit("postfix/smtpd", 5001, "warning: unknown[203.0.113.98]: SASL LOGIN authentication failed: UGFzc3dvcmQ6")
            truth["sasl_clients"] += 1
            continue
        if r < 0.02:
            emit("postfix/smtpd", 5002, "Anonymous TLS connection established from app1.internal.example[10.1.2.3]: TLSv1.3 with cipher TLS_AES_128_GCM_SHA256 (128/128 bits)")
            truth["tls_in_anonymous"] += 1
            continue
        if garbage_left and r < 0.03:
            line = rnd.choice(["garbage without a stamp\n", "Dec 99 99:99:99 bad stamp\n", "\n-- cut --\n"])
            out.write(line)
            written[0] += len(line)
            n = line.count("\n")
            truth["lines"] += n
            truth["unparsed"] += sum(1 for l in line.split("\n")[:-1] if l)
            garbage_left -= 1
            continue
        m = msgs[rnd.randrange(len(msgs))] if msgs else None
        if m is None:
            continue
        m[1].pop(0)()
        if not m[1]:
            msgs.remove(m)
    out.close()
    truth["first"] = int(t0)
    truth["last"] = int(t)
    json.dump(truth, open(a.truth, "w"), indent=1, sort_keys=True)


main()
