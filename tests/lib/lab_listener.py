#!/usr/bin/env python3
# lab_listener.py - SMTP servers for the probe tests that Postfix cannot
# play: misbehaving ones, and one that records every byte it is sent.
#
# Usage: lab_listener.py MODE PORT [OPTIONS]
#	silent	accept TCP on 127.0.0.1:PORT and never send a byte; the
#		connection stays open until the client closes it
#	drop	speak just enough SMTP to offer and accept STARTTLS, read the
#		first bytes of the TLS ClientHello, then close the connection
#		(a server that dies mid-handshake)
#	smtp	a small ESMTP server: STARTTLS with --cert/--key, AUTH PLAIN
#		and LOGIN offered inside TLS and accepted whatever the
#		credential (it is a trap: what a client sends is what counts),
#		QUIT. Every line received, before and inside TLS, is appended
#		to --record FILE as "N: line" (N the connection number), so a
#		test can prove from the server side what a client sent.
# Options (smtp):
#	--cert PEM --key KEY	the certificate it presents
#	--record FILE		where received lines go
#	--banner TEXT		the text after "220 " (bytes as given in argv,
#				control characters included)
#	--ehlo-name TEXT	the first line of each EHLO reply (same)
#	--ehlo-auth TEXT	the mechanisms on the AUTH line inside TLS
#				(same; default "PLAIN LOGIN")
# Binds 127.0.0.1 only, serves each client in a thread, runs until killed
# (tests/lib/smarthost.sh starts it and kills it by process id).
import os
import socket
import ssl
import sys
import threading


def serve_silent(conn, opts):
    """Hold the connection open without speaking until the peer leaves."""
    try:
        while conn.recv(4096):
            pass
    except OSError:
        pass


def read_line(f):
    """One command line from the client, or '' at end of input."""
    try:
        return f.readline(1024).decode("ascii", "replace").strip().upper()
    except OSError:
        return ""


def serve_drop(conn, opts):
    """Offer STARTTLS, accept it, then hang up inside the handshake."""
    f = conn.makefile("rb")
    try:
        conn.sendall(b"220 drop.lab.test ESMTP\r\n")
        while True:
            line = read_line(f)
            if not line:
                return
            if line.startswith("EHLO"):
                conn.sendall(b"250-drop.lab.test\r\n250-PIPELINING\r\n"
                             b"250 STARTTLS\r\n")
            elif line.startswith("HELO"):
                conn.sendall(b"250 drop.lab.test\r\n")
            elif line == "STARTTLS":
                conn.sendall(b"220 2.0.0 Ready to start TLS\r\n")
                # Take part of the ClientHello so the client is inside the
                # handshake, then close.
                conn.recv(5)
                return
            elif line == "QUIT":
                conn.sendall(b"221 2.0.0 Bye\r\n")
                return
            else:
                conn.sendall(b"502 5.5.2 Error: command not recognized\r\n")
    except OSError:
        pass


_record_lock = threading.Lock()
_count = [0]


def record(opts, n, raw):
    """Append one received line to the record file (bytes as received)."""
    if not opts.get("record"):
        return
    with _record_lock:
        with open(opts["record"], "ab") as out:
            out.write(b"%d: " % n + raw.rstrip(b"\r\n") + b"\n")


def serve_smtp(conn, opts):
    """ESMTP with STARTTLS and a trap AUTH; records what the client sends."""
    with _record_lock:
        _count[0] += 1
        n = _count[0]
    sock = conn
    tls = False
    name = opts.get("ehlo_name", b"rec.lab.test")
    f = sock.makefile("rb")
    try:
        sock.sendall(b"220 " + opts.get("banner", b"rec.lab.test ESMTP") + b"\r\n")
        login = 0
        while True:
            raw = f.readline(4096)
            if not raw:
                return
            record(opts, n, raw)
            line = raw.decode("ascii", "replace").strip()
            cmd = line.upper()
            if login:
                login -= 1
                sock.sendall(b"334 UGFzc3dvcmQ6\r\n" if login else b"235 2.7.0 ok\r\n")
            elif cmd.startswith("EHLO"):
                lines = [name]
                if tls:
                    lines += [b"AUTH " + opts.get("ehlo_auth", b"PLAIN LOGIN")]
                else:
                    lines += [b"STARTTLS"]
                lines.append(b"SIZE 10240000")
                out = b"".join(b"250-" + x + b"\r\n" for x in lines[:-1])
                sock.sendall(out + b"250 " + lines[-1] + b"\r\n")
            elif cmd == "STARTTLS" and not tls and "cert" in opts:
                sock.sendall(b"220 2.0.0 Ready to start TLS\r\n")
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                ctx.load_cert_chain(opts["cert"], opts["key"])
                sock = ctx.wrap_socket(conn, server_side=True)
                f = sock.makefile("rb")
                tls = True
            elif cmd.startswith("AUTH PLAIN ") or cmd == "AUTH PLAIN":
                sock.sendall(b"235 2.7.0 ok\r\n" if cmd != "AUTH PLAIN" else b"334 \r\n")
                login = 1 if cmd == "AUTH PLAIN" else 0
            elif cmd == "AUTH LOGIN":
                sock.sendall(b"334 VXNlcm5hbWU6\r\n")
                login = 2
            elif cmd == "QUIT":
                sock.sendall(b"221 2.0.0 Bye\r\n")
                return
            else:
                sock.sendall(b"502 5.5.2 Error: command not recognized\r\n")
    except (OSError, ssl.SSLError):
        pass


MODES = {"silent": serve_silent, "drop": serve_drop, "smtp": serve_smtp}


def handle(conn, mode, opts):
    """Serve one client and close it."""
    try:
        MODES[mode](conn, opts)
    finally:
        try:
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        conn.close()


def parse_opts(args):
    """--name VALUE pairs; text options keep argv's bytes."""
    opts = {}
    while args:
        if len(args) < 2 or not args[0].startswith("--"):
            raise ValueError("bad option list")
        key = args[0][2:].replace("-", "_")
        if key in ("banner", "ehlo_name", "ehlo_auth"):
            opts[key] = os.fsencode(args[1])
        else:
            opts[key] = args[1]
        args = args[2:]
    return opts


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in MODES:
        sys.stderr.write("usage: lab_listener.py silent|drop|smtp PORT [OPTIONS]\n")
        return 2
    mode, port = sys.argv[1], int(sys.argv[2])
    opts = parse_opts(sys.argv[3:])
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(64)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn, mode, opts), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
