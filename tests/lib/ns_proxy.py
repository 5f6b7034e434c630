#!/usr/bin/env python3
"""ns_proxy.py - a TCP relay from inside a network namespace to this one.

Usage: ns_proxy.py NETNS LISTEN_PORT TARGET_PORT

Listens on 127.0.0.1:LISTEN_PORT *inside* the named network namespace
(/var/run/netns/NETNS, made with `ip netns add`) and relays every
connection to 127.0.0.1:TARGET_PORT in the namespace it was started in.
A service on this machine thus becomes reachable only from inside
NETNS: on this side's 127.0.0.1 nothing listens on LISTEN_PORT. Prints
"listening" when ready, then "accept" for each connection; runs until
killed.
"""
import ctypes
import os
import socket
import sys
import threading

CLONE_NEWNET = 0x40000000


def setns(fd):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def pump(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def relay(client, target_port):
    try:
        server = socket.create_connection(("127.0.0.1", target_port))
    except OSError:
        client.close()
        return
    threading.Thread(target=pump, args=(server, client), daemon=True).start()
    pump(client, server)


def main(argv):
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    netns, listen, target = argv[1], int(argv[2]), int(argv[3])
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    there = os.open("/var/run/netns/" + netns, os.O_RDONLY)
    # The process has one thread here: the listener is made inside netns,
    # then the thread goes home, where every outgoing socket is made.
    setns(there)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", listen))
    ls.listen(16)
    setns(home)
    print("listening", flush=True)
    while True:
        c, peer = ls.accept()
        print("accept %s:%d" % peer, flush=True)
        threading.Thread(target=relay, args=(c, target), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
