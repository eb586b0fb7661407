#!/usr/bin/env python3
"""Turns an E4 v1 vector file (JSON) into a C header of tables for the tests.

Usage: gen_vectors.py IN.json OUT.h
Every field is emitted as data; nothing is computed here.
"""
import json
import sys


def cstr(b):
    return '"' + ''.join('\\x%02x' % c for c in b) + '"'


def hexs(h):
    return cstr(bytes.fromhex(h)), len(h) // 2


def main(src, dst):
    v = json.load(open(src, encoding="utf-8"))
    o = ["/* Generated from %s by gen_vectors.py: do not edit. */" % src.split("/")[-1],
         "#include <stddef.h>", "#include <stdint.h>", ""]
    o.append("struct vec_hash { const char *input; size_t input_len; const char *h16; };")
    o.append("static const struct vec_hash vec_hashes[] = {")
    for h in v["hashes"]:
        b = h["input"].encode("utf-8")
        o.append("\t{ %s, %d, %s }," % (cstr(b), len(b), hexs(h["sha3_256_16"])[0]))
    o.append("};\n")
    o.append("struct vec_msg { const char *topic; const char *topic_hash; const char *key; "
             "uint64_t ts; const char *pt; size_t pt_len; const char *frame; size_t frame_len; };")
    o.append("static const struct vec_msg vec_symkey_messages[] = {")
    for m in v["symkey_messages"]:
        pt, ptl = hexs(m["plaintext"]); fr, frl = hexs(m["protected"])
        o.append("\t{ %s, %s, %s, %dULL, %s, %d, %s, %d }," % (
            json.dumps(m["topic"]), hexs(m["topic_hash"])[0], hexs(m["key"])[0],
            m["timestamp"], pt, ptl, fr, frl))
    o.append("};\n")
    o.append("struct vec_cmd { const char *name; uint64_t ts; const char *pt; size_t pt_len; "
             "const char *frame; size_t frame_len; };")
    for name, cmds in (("vec_symkey_commands", v["symkey_commands"]),
                       ("vec_pubkey_commands", v["pubkey"]["commands"])):
        o.append("static const struct vec_cmd %s[] = {" % name)
        for c in cmds:
            pt, ptl = hexs(c["plaintext"]); fr, frl = hexs(c["protected"])
            o.append("\t{ %s, %dULL, %s, %d, %s, %d }," % (json.dumps(c["command"]), c["timestamp"],
                                                          pt, ptl, fr, frl))
        o.append("};\n")
    p = v["pubkey"]
    o.append("struct vec_pkmsg { const char *topic; const char *topic_key; uint64_t ts; "
             "const char *pt; size_t pt_len; const char *frame; size_t frame_len; };")
    o.append("static const struct vec_pkmsg vec_pubkey_messages[] = {")
    for m in p["messages"]:
        pt, ptl = hexs(m["plaintext"]); fr, frl = hexs(m["protected"])
        o.append("\t{ %s, %s, %dULL, %s, %d, %s, %d }," % (json.dumps(m["topic"]), hexs(m["topic_key"])[0],
                                                          m["timestamp"], pt, ptl, fr, frl))
    o.append("};\n")
    for k in ("client_id", "ed25519_seed", "ed25519_pub", "curve25519_sk_from_ed",
              "curve25519_pk_from_ed", "c2_curve25519_sk", "c2_curve25519_pk", "shared_command_key"):
        o.append("static const char vec_pk_%s[] = %s;" % (k, hexs(p[k])[0]))
    o.append("")
    o.append("struct vec_neg { const char *name; const char *key; uint64_t ts; const char *frame; size_t frame_len; };")
    o.append("static const struct vec_neg vec_negative[] = {")
    for n in v["negative"]:
        fr, frl = hexs(n["protected"])
        o.append("\t{ %s, %s, %dULL, %s, %d }," % (json.dumps(n["case"]), hexs(n["key"])[0], n["timestamp"], fr, frl))
    o.append("};\n")
    c = v["client"]
    o.append("static const char vec_client_alias[] = %s;" % json.dumps(c["alias"]))
    o.append("static const char vec_client_id[] = %s;" % hexs(c["id"])[0])
    o.append("static const char vec_client_control_topic[] = %s;" % json.dumps(c["control_topic"]))
    o.append("static const char vec_client_key[] = %s;" % hexs(c["key"])[0])
    o.append("#define VEC_N(a) (sizeof(a) / sizeof((a)[0]))")
    open(dst, "w", encoding="utf-8").write("\n".join(o) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
