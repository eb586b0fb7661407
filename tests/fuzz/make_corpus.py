#!/usr/bin/env python3
"""Writes the seed corpus of each fuzz target (tests/fuzz/fuzz_e4.c) from a vector file.

Usage: make_corpus.py VECTORS.json OUTDIR TARGET...
Each seed follows the input layout its target documents; only the standard
library is used (state blobs get their SHA3-256 checksum from hashlib).
"""
import hashlib
import json
import os
import struct
import sys


def unhex(h):
    return bytes.fromhex(h)


def seeds_unprotect_msg(v):
    n = len(v["symkey_messages"])
    for i, m in enumerate(v["symkey_messages"]):
        yield bytes([0, i, 0]) + unhex(m["protected"])
        yield bytes([4, i, 0]) + unhex(m["protected"])      # clockless
    for neg in v["negative"]:
        yield bytes([0, 7, 0]) + unhex(neg["protected"])
    for m in v["pubkey"]["messages"]:
        yield bytes([1, n, 0]) + unhex(m["protected"])
        yield bytes([3, n, 0x30]) + unhex(m["protected"])   # accept unknown senders


def record(flags, payload):
    assert len(payload) < 256
    return bytes([flags, len(payload)]) + payload


def seeds_unprotect_cmd(v):
    for mode, cmds in ((0, v["symkey_commands"]), (1, v["pubkey"]["commands"])):
        raw = b"".join(record(0x04, unhex(c["protected"])) for c in cmds)
        yield bytes([mode]) + raw
        sealed = b"".join(record(0x07, unhex(c["plaintext"])) for c in cmds)
        yield bytes([mode]) + sealed
        yield bytes([mode | 2]) + sealed
        for c in cmds:
            yield bytes([mode]) + record(0x17, unhex(c["plaintext"]))
        # Heartbeat, SetTopicKeyNext, a key change then a command under the old key.
        hb = record(0x07, b"\x09")
        nxt = record(0x07, b"\x08" + bytes(range(48)))
        yield bytes([mode]) + hb + nxt + record(0x07, unhex(cmds[2]["plaintext"])) + \
            record(0x27, b"\x09") + hb
        # The retiring commands: ReplaceTopicKey, then SetIDKey and RetireIDKey.
        rep = record(0x07, b"\x0a" + bytes(range(48)))
        yield bytes([mode]) + nxt + rep + record(0x07, unhex(cmds[2]["plaintext"])) + \
            record(0x07, b"\x0b") + record(0x27, b"\x09") + hb


def seeds_frame_open(v):
    for i, m in enumerate(v["symkey_messages"]):
        yield bytes([i]) + unhex(m["protected"])
    for m in v["pubkey"]["messages"]:
        yield bytes([255]) + unhex(m["protected"])


def seeds_ack_open(v):
    yield bytes([1, 0x80]) + bytes(16) + b"\x00"
    yield bytes([1, 0x80]) + bytes(range(16)) + b"\x03"
    yield bytes([0]) + unhex(v["symkey_messages"][3]["protected"])[:42]


def blob(mode, client_id, key, sign_sk, topics, pubkeys, floor, last):
    b = b"E4ST" + bytes([1, mode, 0, 1 if mode == 2 else 0])
    b += struct.pack("<III", len(topics), len(pubkeys), 1)
    b += client_id + key + bytes(32) + sign_sk + bytes(32)
    b += struct.pack("<QQ", floor, last) + bytes(range(16)) + bytes(112)
    for h, k, expiry, kind in topics:
        b += h + k + struct.pack("<Q", expiry) + bytes([kind])
    for i, p in pubkeys:
        b += i + p
    return b + hashlib.sha3_256(b).digest()


def seeds_deserialize(v):
    topics = [(unhex(m["topic_hash"]), unhex(m["key"]), 0, 1) for m in v["symkey_messages"][:4]]
    topics.append((topics[0][0], bytes(32), 1764000000, 2))
    topics.append((topics[0][0], bytes([1]) * 32, 0, 3))
    c, p = v["client"], v["pubkey"]
    sym = blob(1, unhex(c["id"]), unhex(c["key"]), bytes(64), topics, [], 1764000700, 1764000700)
    sk = unhex(p["ed25519_seed"]) + unhex(p["ed25519_pub"])
    pk = blob(2, unhex(p["client_id"]), unhex(p["shared_command_key"]), sk, topics[:2],
              [(hashlib.sha3_256(b"other").digest()[:16], unhex(p["ed25519_pub"]))], 0, 0)
    yield bytes([0]) + sym
    yield bytes([2]) + sym
    yield bytes([1]) + pk
    yield bytes([3]) + pk


def main(src, outdir, targets):
    v = json.load(open(src, encoding="utf-8"))
    for t in targets:
        d = os.path.join(outdir, t)
        os.makedirs(d, exist_ok=True)
        for i, seed in enumerate(globals()["seeds_" + t](v)):
            with open(os.path.join(d, "seed-%03d" % i), "wb") as f:
                f.write(seed)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
