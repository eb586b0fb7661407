#!/usr/bin/env python3
"""Checks the end state of tests/fault/rotation-chaos.sh.
usage: chaos-check.py C2_DB WANT_FP NDEV SIMLOG...
Every member's last state line shows key fingerprint WANT_FP and no other
key of the topic (a replaced key retired), every device named in
CHAOS_EVICTED (comma-separated, unlinked during the run) holds no key of the
topic, no device still accepts a replaced device key; the outbox
holds no queued, sent or failed command; for every device, every command
the C2 recorded as acknowledged was applied ("command" events with status
ok, counted per command code): none lost; and the keys a device switched
to with SetTopicKey or ReplaceTopicKey are, in order, exactly as many
distinct keys as the epochs whose commands the C2 saw acked (a device whose
key commands were superseded may have applied one the C2 cancelled), never
going back to an earlier one: no old command was applied again.  The C2 re-seals a command when it retries it
(after ack_timeout or a restart), so a device may apply the same command
a second time with the same key (idempotent): these redeliveries are
counted and printed.  Prints the totals."""
import hashlib
import json
import os
import sqlite3
import sys
from collections import Counter


def main():
    db, want, ndev, logs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    applied, refused, state, keys, held = {}, Counter(), {}, {}, {}
    evicted = set(d for d in os.environ.get("CHAOS_EVICTED", "").split(",") if d)
    for path in logs:
        for line in open(path):
            ev = json.loads(line)
            dev = ev["dev"]
            if ev["event"] == "state":
                state[dev] = ev["fp"]
                held[dev] = (ev["keys"], ev["prev"])
            elif ev["event"] == "command":
                if ev["status"] == "ok":
                    applied.setdefault(dev, Counter())[ev["code"]] += 1
                    if ev["code"] in (3, 10):
                        seq = keys.setdefault(dev, [])
                        if not seq or seq[-1] != ev["fp"]:
                            seq.append(ev["fp"])
                else:
                    refused[ev["status"]] += 1
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    rows = con.execute("SELECT device, code, state, status, epoch FROM outbox").fetchall()
    acked, states, epochs, superseded = {}, Counter(), {}, set()
    for dev_id, code, st, status, epoch in rows:
        states[st] += 1
        if st == 2:
            acked.setdefault(bytes(dev_id), Counter())[code] += 1
            if code in (3, 10):
                epochs.setdefault(bytes(dev_id), set()).add(epoch)
        elif st == 4 and code in (3, 8, 10):
            superseded.add(bytes(dev_id))
    bad = []
    if set(states) - {2, 4}:
        bad.append("outbox states %s (only 2 done and 4 superseded allowed)" % dict(states))
    if len(state) != ndev:
        bad.append("%d devices reported state, want %d" % (len(state), ndev))
    wrong = sorted(d for d, fp in state.items() if fp != want and d not in evicted)
    if wrong:
        bad.append("%d devices not on key %s: %s" % (len(wrong), want, " ".join(wrong[:10])))
    extra = sorted(d for d, (k, p) in held.items() if k != (0 if d in evicted else 1) or p)
    if extra:
        bad.append("%d devices hold a replaced key (topic keys, previous device key): %s"
                   % (len(extra), " ".join("%s=%s" % (d, held[d]) for d in extra[:10])))
    if evicted - set(state):
        bad.append("unlinked devices without a state line: %s" % sorted(evicted - set(state)))
    mism = 0
    total_applied = 0
    redelivered = 0
    for dev in state:
        dev_id = hashlib.sha3_256(dev.encode()).digest()[:16]
        a, c = applied.get(dev, Counter()), acked.get(dev_id, Counter())
        total_applied += sum(a.values())
        redelivered += sum(max(0, a[k] - c.get(k, 0)) for k in a)
        lost = {k: c[k] - a.get(k, 0) for k in c if a.get(k, 0) < c[k]}
        seq = keys.get(dev, [])
        back = len(set(seq)) != len(seq)
        want_n = len(epochs.get(dev_id, ()))
        if lost or back or (len(seq) != want_n and dev_id not in superseded):
            mism += 1
            if mism <= 5:
                bad.append("%s applied %s, C2 acked %s, keys %s" % (dev, dict(a), dict(c), seq))
    print("devices: %d (%d unlinked), outbox rows: %d %s, commands applied: %d, devices with a lost"
          " or re-applied old command: %d, idempotent redeliveries of retried commands: %d,"
          " refused by devices: %s"
          % (len(state), len(evicted), len(rows), dict(states), total_applied, mism, redelivered,
             dict(refused)))
    for b in bad:
        print("BAD: " + b)
    sys.exit(1 if bad else 0)


main()
