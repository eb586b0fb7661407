#!/usr/bin/env python3
"""Looks for key byte strings in files: raw bytes, hex (both cases) and
base64.  usage: scan.py KEYS_FILE FILE...  (KEYS_FILE: one hex key a line).
Prints every hit as "HIT <file> <form> <key prefix>" and a summary line;
exits 1 when anything was found."""
import base64
import sys


def forms(key):
    """Yields (name, bytes) for every encoding of key searched for."""
    yield "raw", key
    yield "hex", key.hex().encode()
    yield "HEX", key.hex().upper().encode()
    yield "base64", base64.b64encode(key).rstrip(b"=")


def main():
    keys = [bytes.fromhex(l.strip()) for l in open(sys.argv[1]) if l.strip()]
    hits = 0
    scanned = 0
    for path in sys.argv[2:]:
        try:
            data = open(path, "rb").read()
        except FileNotFoundError:
            continue
        scanned += len(data)
        for key in keys:
            for name, needle in forms(key):
                if needle in data:
                    print("HIT %s %s %s..." % (path, name, key.hex()[:8]))
                    hits += 1
    print("keys: %d, files: %d, bytes scanned: %d, hits: %d"
          % (len(keys), len(sys.argv) - 2, scanned, hits))
    sys.exit(1 if hits else 0)


main()
