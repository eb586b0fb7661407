#!/usr/bin/env python3
"""Known answers for this implementation's E4 extensions (e4-protocol(7)).

Independent of the C code: Python 'cryptography' (AES-SIV, X25519, Ed25519)
through the helpers of e4vectors.py.  Two sequences of commands as a
device receives them, each with the acknowledgement the device must send:

  symkey: SetTopicKey(k1), SetTopicKeyNext(k2), SetTopicKey(k2),
          ReplaceTopicKey(k2) (k1 retired), SetIDKey(d2), RetireIDKey under
          d2 (the previous device key retired), Heartbeat;
  pubkey: SetTopicKey(k1), SetC2Key(c2'), RetireIDKey under the command key
          of c2' (the previous command key retired), ReplaceTopicKey(k2).

ack = timestamp || AES-SIV(key, ad=[timestamp], 0x80 || SHA3-256(command
frame)[:16] || status), sealed with the command key in force after the
command, at the command's own timestamp (the device's clock in the tests).
After the sequence, frames under the retired keys must be refused.

Usage: e4x_vectors.py SEED OUT.json      writes the vectors
       e4x_vectors.py --header IN.json OUT.h   turns them into a C header
"""
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e4vectors import (det, h16, protect_sym, ed_pub, ed_sk_to_curve, ed_pk_to_curve,  # noqa: E402
                       x25519, x_pub)

ACK_APPLIED = 0


def step(name, key, ts, plain, ack_key):
    frame = protect_sym(key, ts, plain)
    ack = protect_sym(ack_key, ts, bytes([0x80]) + h16(frame) + bytes([ACK_APPLIED]))
    return {"command": name, "timestamp": ts, "plaintext": plain.hex(), "protected": frame.hex(),
            "ack": ack.hex()}


def make(seed):
    ts0 = 1765000000 + (sum(map(ord, seed)) % 100000)
    cid = h16(("ext-device-" + seed).encode())
    topic = "plant/7/extensions"
    th = h16(topic.encode())
    k1, k2 = det(seed, "ext-k1", 32), det(seed, "ext-k2", 32)
    d1, d2 = det(seed, "ext-d1", 32), det(seed, "ext-d2", 32)
    sym = [step("SetTopicKey", d1, ts0, b"\x03" + k1 + th, d1),
           step("SetTopicKeyNext", d1, ts0 + 1, b"\x08" + k2 + th, d1),
           step("SetTopicKey", d1, ts0 + 2, b"\x03" + k2 + th, d1),
           step("ReplaceTopicKey", d1, ts0 + 3, b"\x0a" + k2 + th, d1),
           step("SetIDKey", d1, ts0 + 4, b"\x02" + d2, d2),
           step("RetireIDKey", d2, ts0 + 5, b"\x0b", d2),
           step("Heartbeat", d2, ts0 + 6, b"\x09", d2)]
    edsk = det(seed, "ext-ed", 32)
    edpk = ed_pub(edsk)
    c2a, c2b = det(seed, "ext-c2a", 32), det(seed, "ext-c2b", 32)
    cka = hashlib.sha3_256(x25519(ed_sk_to_curve(edsk), x_pub(c2a))).digest()
    ckb = hashlib.sha3_256(x25519(ed_sk_to_curve(edsk), x_pub(c2b))).digest()
    assert ckb == hashlib.sha3_256(x25519(c2b, ed_pk_to_curve(edpk))).digest()
    pk = [step("SetTopicKey", cka, ts0 + 10, b"\x03" + k1 + th, cka),
          step("SetC2Key", cka, ts0 + 11, b"\x07" + x_pub(c2b), ckb),
          step("RetireIDKey", ckb, ts0 + 12, b"\x0b", ckb),
          step("ReplaceTopicKey", ckb, ts0 + 13, b"\x0a" + k2 + th, ckb)]
    return {"format": "e4v1-extensions", "seed": seed, "topic": topic, "topic_hash": th.hex(),
            "client_id": cid.hex(), "device_key": d1.hex(), "device_key_next": d2.hex(),
            "topic_key_old": k1.hex(), "topic_key_new": k2.hex(),
            "ed25519_seed": edsk.hex(), "ed25519_pub": edpk.hex(),
            "c2_curve25519_pk_old": x_pub(c2a).hex(), "command_key_old": cka.hex(),
            "command_key_new": ckb.hex(), "symkey": sym, "pubkey": pk}


def cbytes(h):
    b = bytes.fromhex(h)
    return '"' + ''.join('\\x%02x' % c for c in b) + '"', len(b)


def header(src, dst):
    v = json.load(open(src, encoding="utf-8"))
    o = ["/* Generated from %s by e4x_vectors.py: do not edit. */" % os.path.basename(src),
         "#include <stddef.h>", "#include <stdint.h>", "",
         "struct vecx_step { const char *name; uint64_t ts; const char *pt; size_t pt_len;"
         " const char *frame; size_t frame_len; const char *ack; size_t ack_len; };"]
    for mode in ("symkey", "pubkey"):
        o.append("static const struct vecx_step vecx_%s[] = {" % mode)
        for s in v[mode]:
            pt, ptl = cbytes(s["plaintext"])
            fr, frl = cbytes(s["protected"])
            ack, ackl = cbytes(s["ack"])
            o.append("\t{ %s, %dULL, %s, %d, %s, %d, %s, %d }," % (
                json.dumps(s["command"]), s["timestamp"], pt, ptl, fr, frl, ack, ackl))
        o.append("};")
    o.append("static const char vecx_topic[] = %s;" % json.dumps(v["topic"]))
    for k in ("client_id", "device_key", "device_key_next", "topic_key_old", "topic_key_new",
              "ed25519_seed", "ed25519_pub", "c2_curve25519_pk_old", "command_key_old",
              "command_key_new"):
        o.append("static const char vecx_%s[] = %s;" % (k, cbytes(v[k])[0]))
    o.append("#define VECX_N(a) (sizeof(a) / sizeof((a)[0]))")
    open(dst, "w", encoding="utf-8").write("\n".join(o) + "\n")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--header":
        header(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3:
        with open(sys.argv[2], "w", encoding="utf-8") as f:
            json.dump(make(sys.argv[1]), f, indent=1)
            f.write("\n")
    else:
        sys.exit(__doc__)
