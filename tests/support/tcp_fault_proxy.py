#!/usr/bin/python3
"""A fault-injecting TCP proxy for granary's S3 tests (stdlib only).

It relays connections from 127.0.0.1:<its port> to 127.0.0.1:--target, and breaks every
--every-th connection (up to --max-faults), cycling through --modes:
  close   the request arrives, then the connection is closed before any response header
  reset   the response starts (part of its first bytes reach the client), then a TCP reset
  stall   the response starts, then nothing more for --stall-seconds, then the connection closes
The server behind it never knows: these are the network's faults, not the server's answers.
GET /_proxy/stats on the proxy's own port is not available (it relays bytes only); the counts
go to the file --stats FILE (JSON, rewritten after every fault) when given.

Usage: tcp_fault_proxy.py --target PORT [--modes close,reset,stall] [--every 3]
       [--max-faults 30] [--stall-seconds 5] [--stats FILE]. Prints its port.
It exits when its parent process goes away.
"""
import argparse
import json
import os
import socket
import struct
import threading
import time

lock = threading.Lock()
stats = {"connections": 0, "faults": 0, "close": 0, "reset": 0, "stall": 0}


def save_stats(path):
    if path:
        tmp = path + ".part"
        with open(tmp, "w") as f:
            json.dump(stats, f)
        os.replace(tmp, path)


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def reset(sock):
    # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


def handle(client, args, mode):
    try:
        upstream = socket.create_connection(("127.0.0.1", args.target))
    except OSError:
        client.close()
        return
    if mode is None:
        threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
        pump(upstream, client)
        client.close()
        upstream.close()
        return
    # A broken connection: read the request head first.
    head = b""
    try:
        while b"\r\n\r\n" not in head:
            data = client.recv(65536)
            if not data:
                break
            head += data
    except OSError:
        pass
    if mode == "close":
        upstream.close()
        client.close()
        return
    upstream.sendall(head)
    threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
    try:
        first = upstream.recv(65536)
    except OSError:
        first = b""
    # Part of the answer goes out (the status line at least), then the fault.
    client.sendall(first[: max(12, len(first) // 2)])
    if mode == "reset":
        reset(client)
    else:
        time.sleep(args.stall_seconds)
        client.close()
    upstream.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target", type=int, required=True)
    parser.add_argument("--modes", default="close,reset,stall")
    parser.add_argument("--every", type=int, default=3)
    parser.add_argument("--max-faults", type=int, default=30)
    parser.add_argument("--stall-seconds", type=float, default=5.0)
    parser.add_argument("--stats", default="")
    args = parser.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    for m in modes:
        if m not in ("close", "reset", "stall"):
            parser.error("unknown mode " + m)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    parent = os.getppid()

    def exit_with_parent():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=exit_with_parent, daemon=True).start()
    print(listener.getsockname()[1], flush=True)
    while True:
        client, _ = listener.accept()
        with lock:
            stats["connections"] += 1
            mode = None
            if modes and stats["connections"] % args.every == 0 and stats["faults"] < args.max_faults:
                mode = modes[stats["faults"] % len(modes)]
                stats["faults"] += 1
                stats[mode] += 1
            save_stats(args.stats)
        threading.Thread(target=handle, args=(client, args, mode), daemon=True).start()


if __name__ == "__main__":
    main()
