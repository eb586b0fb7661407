#!/bin/sh
# A replaced key must stop working everywhere (issue 14), tried as an
# attacker would, end to end: a real e4c2d, mosquitto with the E4 plugin,
# devices run by `e4 sub` (bob), the simulator with a clock (alice, eve)
# and without one (carol).
#   1. eve is unlinked: once `topic show` says finished, eve's fresh frames
#      made with a copy of its store (the key it held) reach nobody, while
#      alice's and carol's messages published all along were all delivered;
#   2. bob's device key is rotated: once `device show` says done, a command
#      sealed with bob's previous key, published with the C2's (leaked)
#      broker credentials, is refused, so its topic key cannot be replaced;
#   3. a routine rotation ends with the replaced key refused as well.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/plugin/lib-plugin.sh"
. "$top_srcdir/tests/c2/lib-c2.sh"
E4="$top_builddir/sdk/tools/e4"
T=site/retire

e4t_init
D=$E4T_DIR
umask 077
mosquitto_passwd -b -c "$D/passwd" e4c2 c2secret 2>/dev/null || e4t_fail "mosquitto_passwd"
printf 'c2secret' >"$D/c2.pass"
e4p_start <<BROKER
allow_anonymous true
password_file $D/passwd
max_queued_messages 100000
set_tcp_nodelay true
plugin_opt_protect site/#, e4/#
plugin_opt_c2_username e4c2
BROKER
C2CONF="$D/e4c2d.conf"
cat >"$C2CONF" <<C2CONF
mode symkey
database $D/c2.db
master_key_file $D/master.key
socket $D/c2.sock
mqtt_host 127.0.0.1
mqtt_port $E4T_PORT
mqtt_client_id e4c2d-retire
mqtt_username e4c2
mqtt_password_file $D/c2.pass
ack_timeout 1s
log_level debug
C2CONF
"$E4C2" -c "$C2CONF" init >/dev/null || e4t_fail "e4c2 init"
c2t_start_daemon
c2 topic add $T >/dev/null || e4t_fail "topic add"
for d in alice bob carol eve; do
	c2t_device $d
	c2 link $d $T >/dev/null || e4t_fail "link $d"
done
BOB=$("$E4" id bob)
HT=$("$E4" hash-topic $T)
c2t_sim alice.log -t $T -i 50 alice="$D/alice.store" eve="$D/eve.store"
SIMA=$SIM_PID
c2t_sim carol.log -c -t $T -i 50 carol="$D/carol.store"
e4t_bg "$E4" sub --store "$D/bob.store" -p "$E4T_PORT" -q 1 -t $T -v >"$D/bob.out" 2>"$D/bob.err"
e4t_wait_for 30 c2t_outbox_empty || e4t_fail "links not acked"
e4t_wait_for 10 grep -q "^$T carol " "$D/bob.out" || e4t_fail "bob does not receive carol (clockless)"

# Messages of $2 (alice or carol) sent in log $1 after line $3 up to line
# $6 that receiver output $4 (bob.out, or a simulator log with device $5) lacks.
missing() {
	sed -n "$(($3 + 1)),$6p" "$D/$1" | grep "\"dev\":\"$2\",\"event\":\"sent\"" |
		"$C2T_PY" -c '
import json, sys
out, dev = open(sys.argv[1]).read(), sys.argv[2]
got = set()
for line in out.splitlines():
    if line.startswith("{"):
        j = json.loads(line)
        if j.get("dev") == dev and j.get("event") == "recv":
            got.add(j["msg"])
    elif " " in line:
        got.add(line.split(" ", 1)[1])
lost = [json.loads(l)["msg"] for l in sys.stdin if json.loads(l)["msg"] not in got]
print(len(lost), " ".join(lost[:5]))' "$D/$4" "$5"
}

e4t_say "eve is unlinked while alice and carol publish; the leave rekey finishes"
cp "$D/eve.store" "$D/eve-stolen.store"
OLDFP=$(c2t_topic_field $T fingerprint)
ma=$(c2t_mark alice.log)
mc=$(c2t_mark carol.log)
timeout 30 "$E4C2" -c "$C2CONF" unlink eve $T --wait >/dev/null 2>"$D/wait.err" ||
	e4t_fail "unlink --wait: $(cat "$D/wait.err")"
grep -q "active 3/3" "$D/wait.err" || e4t_fail "unlink --wait did not end retired by 3/3: $(cat "$D/wait.err")"
c2 --json audit | grep -q '"topic.rotate.retire"' || e4t_fail "retire phase not audited"
c2t_topic_settled $T || e4t_fail "unlink --wait returned before the leave rekey finished"
ea=$(c2t_mark alice.log)
ec=$(c2t_mark carol.log)
e4t_eq "$(c2t_topic_field $T phase)" active "phase after the leave rekey"
e4t_eq "$(c2 --json topic show $T | grep -c '"waiting":\[\]')" 1 "nobody owes the retirement"
[ "$(c2t_topic_field $T fingerprint)" != "$OLDFP" ] || e4t_fail "the key did not change"
c2 --json audit | grep -q '"topic.rotate.finished"' || e4t_fail "finish not audited"
sleep 1
for pair in "alice bob.out" "carol bob.out" "alice carol.log carol" "carol alice.log alice"; do
	set -- $pair
	m=$ma e=$ea src=alice.log
	[ "$1" = carol ] && m=$mc e=$ec src=carol.log
	r=$(missing $src "$1" "$m" "$2" "${3:-}" "$e")
	[ "${r%% *}" = 0 ] || e4t_fail "messages of $1 lost by ${3:-bob} during the leave rekey ($r): $(grep -h undecryptable "$D/alice.log" "$D/carol.log" | head -5; grep refused "$D/bob.err" | head -5)"
done

e4t_say "eve publishes fresh frames with the key it kept: every member refuses them"
ma=$(c2t_mark alice.log)
mc=$(c2t_mark carol.log)
for i in 1 2 3; do
	"$E4" pub --store "$D/eve-stolen.store" -p "$E4T_PORT" -q 1 -t $T -m "forged-by-eve-$i" ||
		e4t_fail "e4 pub with eve's copy"
done
sleep 1.5
grep -q forged-by-eve "$D/bob.out" && e4t_fail "bob accepted eve's frame"
grep -q "message on $T refused" "$D/bob.err" || e4t_fail "bob did not report refusing eve's frame"
[ "$(c2t_count_after alice.log "$ma" 'forged-by-eve')" -eq 0 ] || e4t_fail "alice accepted eve's frame"
[ "$(c2t_count_after carol.log "$mc" 'forged-by-eve')" -eq 0 ] ||
	e4t_fail "carol (clockless) accepted eve's frame"
[ "$(c2t_count_after carol.log "$mc" undecryptable)" -ge 3 ] || e4t_fail "carol did not see the frames"

e4t_say "bob's device key is rotated; a command under the previous key is refused"
cp "$D/bob.store" "$D/bob-stolen.store"
timeout 30 "$E4C2" -c "$C2CONF" --json device rotate-key bob --wait >"$D/wait.json" ||
	e4t_fail "rotate-key --wait"
tail -n 1 "$D/wait.json" | grep -q '"state":"done".*"finished":true' ||
	e4t_fail "rotate-key --json --wait: $(cat "$D/wait.json")"
c2 --json device show bob | grep -q '"key_rotation":"done"' || e4t_fail "device show after --wait"
c2 --json device show bob | grep -q '"retires_replaced_keys":true' || e4t_fail "device show"
grep -q "retired the previous device key" "$D/bob.err" || e4t_fail "bob did not retire its key: $(cat "$D/bob.err")"
OLDKEY=$("$C2T_PY" -c "import sys; print(open(sys.argv[1],'rb').read()[36:68].hex())" "$D/bob-stolen.store")
EVIL=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s' "03${EVIL}${HT}" | "$E4" protect --hex --key "$OLDKEY" |
	"$C2T_PY" -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read().strip()))' >"$D/evil.cmd"
mb=$(wc -l <"$D/bob.err")
mosquitto_pub -p "$E4T_PORT" -u e4c2 -P c2secret -i leaked-c2 -q 1 -t "e4/$BOB" -f "$D/evil.cmd" ||
	e4t_fail "publishing the forged command"
sleep 1
tail -n +"$((mb + 1))" "$D/bob.err" | grep -q "set key for topic hash" && e4t_fail "bob applied a command under its previous key"
printf 'read-by-mallory' | "$E4" protect --key "$EVIL" >"$D/evil.frame"
mosquitto_pub -p "$E4T_PORT" -i mallory-pub -q 1 -t $T -f "$D/evil.frame" || e4t_fail "publishing under the evil key"
sleep 1
grep -q read-by-mallory "$D/bob.out" && e4t_fail "bob took the attacker's topic key"
n0=$(grep -c "^$T alice " "$D/bob.out")
sleep 1
[ "$(grep -c "^$T alice " "$D/bob.out")" -gt "$n0" ] || e4t_fail "bob stopped receiving alice"

e4t_say "a routine rotation also ends with the replaced key refused"
cp "$D/bob.store" "$D/bob-before.store"
c2 topic rotate $T >/dev/null || e4t_fail "rotate"
e4t_wait_for 20 c2t_topic_settled $T || e4t_fail "rotation did not finish"
mb=$(wc -l <"$D/bob.out")
"$E4" pub --store "$D/bob-before.store" -p "$E4T_PORT" -q 1 -t $T -m "old-key-after-rotation" ||
	e4t_fail "e4 pub with the old topic key"
sleep 1
grep -q old-key-after-rotation "$D/bob.out" && e4t_fail "bob accepted a frame under the replaced key"
[ "$(c2t_count_after alice.log 0 'old-key-after-rotation')" -eq 0 ] || e4t_fail "alice accepted it"
[ "$(c2t_count_after carol.log 0 'old-key-after-rotation')" -eq 0 ] || e4t_fail "carol accepted it"
c2 --json audit | grep -q '"command.failed"' && e4t_fail "a command failed"
kill "$SIMA"
echo "PASS"
