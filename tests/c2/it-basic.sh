#!/bin/sh
# C2 end to end with a real mosquitto, e4c2d and simulated devices: add,
# link, messages flow; every device converges on the C2's topic key;
# malformed CLI input is refused and changes nothing; keys are never logged.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/c2/lib-c2.sh"

c2t_setup symkey "ack_timeout 2s" "retry_max_interval 4s"
c2t_start_daemon

e4t_eq "$(stat -c %a "$E4T_DIR/c2.sock")" 660 "socket mode"

e4t_say "add topic and devices, export stores"
c2 topic add fleet/telemetry >/dev/null || e4t_fail "topic add"
for d in alpha bravo charlie; do c2t_device $d; done
e4t_eq "$(stat -c %a "$E4T_DIR/alpha.store")" 600 "store file mode"
e4t_eq "$(stat -c %a "$E4T_DIR/master.key")" 600 "master key mode"
for d in alpha bravo charlie; do c2 link $d fleet/telemetry >/dev/null || e4t_fail "link $d"; done

e4t_say "malformed input is refused with a specific message"
out=$(c2 link alpha fleet/telemetry 2>&1) && e4t_fail "double link accepted"
echo "$out" | grep -q "already linked" || e4t_fail "double link message: $out"
out=$(c2 device add "" 2>&1) && e4t_fail "empty name accepted"
echo "$out" | grep -q "1 to 128 bytes" || e4t_fail "empty name message: $out"
out=$(c2 device add delta --id 1234 2>&1) && e4t_fail "short id accepted"
echo "$out" | grep -q "32 hex" || e4t_fail "bad id message: $out"
c2 topic add 'a/+/b' >/dev/null 2>&1 && e4t_fail "wildcard topic accepted"
out=$(c2 device add echo --bogus 2>&1) && e4t_fail "unknown option accepted"
echo "$out" | grep -q "unknown option '--bogus'" || e4t_fail "unknown option message: $out"
out=$(c2 unlink nobody fleet/telemetry 2>&1) && e4t_fail "unknown device accepted"
echo "$out" | grep -q "no such device" || e4t_fail "no such device message: $out"
c2 device show delta >/dev/null 2>&1 && e4t_fail "refused device was stored"
c2 device add alpha2 --export "$E4T_DIR/alpha.store" >/dev/null 2>&1 && e4t_fail "export overwrote a file"
c2 device remove alpha2 >/dev/null || e4t_fail "remove alpha2"
c2 device add --help | grep -q "usage: e4c2 device add NAME" || e4t_fail "device add --help"

e4t_say "devices come up and receive their keys"
c2t_sim sim.log -t fleet/telemetry -i 200 alpha="$E4T_DIR/alpha.store" \
	bravo="$E4T_DIR/bravo.store" charlie="$E4T_DIR/charlie.store"
e4t_wait_for 20 c2t_outbox_empty || e4t_fail "commands not acked"
e4t_wait_for 20 c2t_topic_settled fleet/telemetry || e4t_fail "topic not settled"
sleep 1
mark=$(c2t_mark sim.log)
sleep 2
fp=$(c2t_topic_field fleet/telemetry fingerprint)
c2t_expect_fp "$SIM_PID" sim.log "$fp" alpha bravo charlie
recv=$(c2t_count_after sim.log "$mark" '"event":"recv"')
[ "$recv" -ge 9 ] || e4t_fail "only $recv messages received"
e4t_eq "$(c2t_count_after sim.log "$mark" undecryptable)" 0 "undecryptable messages"
e4t_say "$recv messages delivered and decrypted"

e4t_say "the exported store works with the e4 tool"
id=$(c2 --json device show alpha | "$C2T_PY" -c "import json,sys; print(json.load(sys.stdin)['device']['id'])")
show=$("$top_builddir/sdk/tools/e4" device show --store "$E4T_DIR/alpha.store") || e4t_fail "e4 device show"
echo "$show" | grep -q "^id $id$" || e4t_fail "e4 sees another id: $show"
echo "$show" | grep -q "^topic-hash $(c2t_topic_field fleet/telemetry hash) current$" ||
	e4t_fail "e4 sees no current key for the topic: $show"

e4t_say "device show reports the last ack and no pending command"
c2 --json device show bravo | "$C2T_PY" -c "
import json,sys; r=json.load(sys.stdin)
assert r['device']['pending']==0 and r['device']['last_ack']>0, r
assert r['topics']==['fleet/telemetry'], r" || e4t_fail "device show"
c2 --json audit | grep -q '"action":"link"' || e4t_fail "audit has no link"
c2 --json audit | grep -q "\"uid\":$(id -u)" || e4t_fail "audit has no peer uid"

e4t_say "no key material in the daemon log"
for d in alpha bravo charlie; do
	key=$("$C2T_PY" -c "import sys; d=open(sys.argv[1],'rb').read(); print(d[36:68].hex())" "$E4T_DIR/$d.store")
	grep -q "$key" "$E4T_DIR/c2d.log" && e4t_fail "device key of $d in the log"
done
grep -q '"level":"error"' "$E4T_DIR/c2d.log" && e4t_fail "errors in the daemon log"

e4t_say "device list and topic show page through more than 1,000 entries (the daemon answers 1,000 at a time)"
before=$(c2 --json device list | "$C2T_PY" -c "import json,sys; print(len(json.load(sys.stdin)['devices']))")
c2 topic add big/t >/dev/null || e4t_fail "topic add big/t"
"$C2T_PY" - "$E4T_DIR/c2.sock" <<'PY' || e4t_fail "bulk add over the socket"
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rwb")
for i in range(1100):
    for req in ({"cmd": "device.add", "args": {"name": "bulk%04d" % i}},
                {"cmd": "link", "args": {"device": "bulk%04d" % i, "topic": "big/t"}}):
        f.write(json.dumps(req).encode() + b"\n")
        f.flush()
        if not json.loads(f.readline())["ok"]:
            sys.exit("request refused: %r" % req)
PY
n=$(c2 --json device list | "$C2T_PY" -c "import json,sys; d=json.load(sys.stdin); print(len(d['devices']), len(set(x['name'] for x in d['devices'])), 'next' in d)")
e4t_eq "$n" "$((before + 1100)) $((before + 1100)) False" "devices listed (all, no repeats, no cursor left)"
n=$(c2 device list | grep -c '^bulk')
e4t_eq "$n" 1100 "bulk devices in the text listing"
n=$(c2 --json topic show big/t | "$C2T_PY" -c "import json,sys; d=json.load(sys.stdin); print(len(d['members']), d['topic']['members'], d['members'][0], d['members'][-1])")
e4t_eq "$n" "1100 1100 bulk0000 bulk1099" "members of big/t"

e4t_say "SIGHUP rereads the configuration; a broken one is refused and kept"
kill -HUP "$C2D_PID"
e4t_wait_for 5 grep -q '"configuration reloaded"' "$E4T_DIR/c2d.log" || e4t_fail "no reload on SIGHUP"
cp "$C2CONF" "$E4T_DIR/good.conf"
echo "ack_timeout soon" >>"$C2CONF"
kill -HUP "$C2D_PID"
e4t_wait_for 5 grep -q 'not reloaded: .*ack_timeout: invalid duration' "$E4T_DIR/c2d.log" ||
	e4t_fail "broken configuration not reported"
cp "$E4T_DIR/good.conf" "$C2CONF"
c2t_connected || e4t_fail "daemon lost after a bad reload"
"$C2D" -c "$C2CONF" -t >/dev/null || e4t_fail "-t refused a good configuration"
echo "bogus 1" >"$E4T_DIR/bad.conf"
"$C2D" -c "$E4T_DIR/bad.conf" 2>/dev/null && e4t_fail "daemon started with a bad configuration"

e4t_say "SIGTERM stops the daemon cleanly"
kill "$C2D_PID"
wait "$C2D_PID"
e4t_eq "$?" 0 "daemon exit status"
[ -e "$E4T_DIR/c2.sock" ] && e4t_fail "socket left behind"

e4t_say "the daemon refuses a master key readable by others"
chmod 644 "$E4T_DIR/master.key"
"$C2D" -c "$C2CONF" 2>"$E4T_DIR/refused.txt" && e4t_fail "daemon started with an exposed master key"
grep -q 'accessible by group or others' "$E4T_DIR/refused.txt" || e4t_fail "no reason given"
echo "PASS"
