#!/usr/bin/env python3
# lab_listener.py - misbehaving SMTP servers for the probe tests.
#
# Usage: lab_listener.py MODE PORT
#	silent	accept TCP on 127.0.0.1:PORT and never send a byte; the
#		connection stays open until the client closes it
#	drop	speak just enough SMTP to offer and accept STARTTLS, read the
#		first bytes of the TLS ClientHello, then close the connection
#		(a server that dies mid-handshake)
# Binds 127.0.0.1 only, serves each client in a thread, runs until killed
# (tests/lib/smarthost.sh starts it and kills it by process id).
import socket
import sys
import threading


def serve_silent(conn):
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


def serve_drop(conn):
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


def handle(conn, mode):
    """Serve one client and close it."""
    try:
        if mode == "silent":
            serve_silent(conn)
        else:
            serve_drop(conn)
    finally:
        try:
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        conn.close()


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("silent", "drop"):
        sys.stderr.write("usage: lab_listener.py silent|drop PORT\n")
        return 2
    mode, port = sys.argv[1], int(sys.argv[2])
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(64)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn, mode), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
