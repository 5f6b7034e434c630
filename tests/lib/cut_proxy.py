#!/usr/bin/env python3
"""cut_proxy.py - a TCP relay that cuts the connection after N bytes.

Usage: cut_proxy.py LISTEN_PORT TARGET_PORT CUT_BYTES

Listens on 127.0.0.1:LISTEN_PORT, relays one connection at a time to
127.0.0.1:TARGET_PORT, and once CUT_BYTES bytes have gone from the
target to the client it resets both sides (SO_LINGER 0): the network
going away in the middle of a transfer, as a test of what a client keeps.
Prints "listening" when ready; runs until killed.
"""
import select
import socket
import struct
import sys


def reset(s):
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    except OSError:
        pass


def relay(client, target_port, cut):
    server = socket.create_connection(("127.0.0.1", target_port))
    down = 0
    while True:
        r, _, _ = select.select([client, server], [], [])
        for s in r:
            data = s.recv(65536)
            if not data:
                reset(client)
                reset(server)
                return
            if s is server:
                if down + len(data) >= cut:
                    client.sendall(data[:cut - down])
                    reset(client)
                    reset(server)
                    return
                down += len(data)
                client.sendall(data)
            else:
                server.sendall(data)


def main(argv):
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    listen, target, cut = int(argv[1]), int(argv[2]), int(argv[3])
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", listen))
    ls.listen(4)
    print("listening", flush=True)
    while True:
        c, _ = ls.accept()
        try:
            relay(c, target, cut)
        except OSError:
            reset(c)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
