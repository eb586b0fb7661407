#!/usr/bin/env python3
"""Batch path to the C2's control socket for the benchmark: one connection,
one JSON request per line, each answered before the next is sent (the same
protocol as e4c2, without a process per request).

usage: c2-batch.py SOCKET add PREFIX FIRST COUNT [KEYFILE]
       c2-batch.py SOCKET link PREFIX FIRST COUNT TOPIC
add: devices PREFIX<i>, i in [FIRST, FIRST+COUNT); with KEYFILE, exported
     and written as "ID KEY" hex lines (mode 0600) for bench-fleet.
Prints "done N seconds S per_s R last_per_s L" on stdout, L being the rate
over the last tenth of the requests (the largest database)."""
import json
import os
import socket
import sys
import time


def main():
    path, op, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
    first, count = int(sys.argv[4]), int(sys.argv[5])
    extra = sys.argv[6] if len(sys.argv) > 6 else None
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    f = s.makefile("rwb")
    out = None
    if op == "add" and extra:
        fd = os.open(extra, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        out = os.fdopen(fd, "w")
    t0 = time.monotonic()
    tail_from = first + count - max(1, count // 10)
    t_tail = t0
    for i in range(first, first + count):
        if i == tail_from:
            t_tail = time.monotonic()
        if op == "add":
            req = {"cmd": "device.add", "args": {"name": f"{prefix}{i}"}}
            if out:
                req["args"]["export"] = True
        elif op == "link":
            req = {"cmd": "link", "args": {"device": f"{prefix}{i}", "topic": extra}}
        else:
            sys.exit(f"unknown operation {op}")
        f.write(json.dumps(req).encode() + b"\n")
        f.flush()
        res = json.loads(f.readline())
        if not res.get("ok"):
            sys.exit(f"{op} {prefix}{i}: {res.get('error')}")
        if out:
            out.write(f"{res['result']['id']} {res['result']['key']}\n")
    t1 = time.monotonic()
    dt = t1 - t0
    if out:
        out.close()
    tail = first + count - tail_from
    print(f"done {count} seconds {dt:.3f} per_s {count / dt:.1f}"
          f" last_per_s {tail / max(t1 - t_tail, 1e-9):.1f}")


if __name__ == "__main__":
    main()
