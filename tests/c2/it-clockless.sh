#!/bin/sh
# A clockless device run by the shipped tools (issue 16): `e4 sub
# --clockless` and `e4 pub --clockless` against a real e4c2d sending
# heartbeats.  The device's time is the newest C2 command's: heartbeats
# move it (e4 pub stamps its frames with it), a message an hour ahead of
# the real clock is accepted and one older than max-age behind the time
# floor is refused, and an old command replayed by the broker is refused.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/c2/lib-c2.sh"
E4="$top_builddir/sdk/tools/e4"

c2t_setup symkey "heartbeat_interval 2s" "ack_timeout 2s" "retry_max_interval 4s"
c2t_start_daemon
P=$E4T_PORT
LOG="$E4T_DIR/mosquitto.log"
D=$E4T_DIR
c2 topic add clk/t >/dev/null || e4t_fail "topic add"
c2t_device dev
ID=$("$E4" device show --store "$D/dev.store" | sed -n 's/^id //p')
[ -n "$ID" ] || e4t_fail "no device id"

# Little-endian timestamp at the start of a hex frame.
ts_of() {
	"$C2T_PY" -c "import sys; print(int.from_bytes(bytes.fromhex(sys.argv[1])[:8], 'little'))" "$1"
}
# Waits until client $1 subscribed.
wait_sub() {
	e4t_wait_for 10 grep -q "Received SUBSCRIBE from $1\$" "$LOG" || e4t_fail "$1 did not subscribe"
}

e4t_say "a spy records every command frame; e4 sub --clockless runs the device"
e4t_bg mosquitto_sub -p "$P" -i spy-cmds -t "e4/$ID" -F %x >"$D/cmds.hex"
wait_sub spy-cmds
e4t_bg "$E4" sub --clockless --store "$D/dev.store" -p "$P" -t clk/t -v >"$D/sub.out" 2>"$D/sub.err"
SUB=$E4T_LAST_PID
wait_sub "$ID"
c2 link dev clk/t >/dev/null || e4t_fail "link"
e4t_wait_for 10 grep -q "set key for topic hash" "$D/sub.err" || e4t_fail "no SetTopicKey: $(cat "$D/sub.err")"
hb() { [ "$(grep -c ": heartbeat$" "$D/sub.err")" -ge "$1" ]; }
e4t_wait_for 20 hb 2 || e4t_fail "fewer than 2 heartbeats applied: $(cat "$D/sub.err")"
first=$(head -n 1 "$D/cmds.hex")
ts_key=$(ts_of "$first")

e4t_say "e4 pub --clockless stamps its frame with the time floor, which heartbeats move"
# Publishes $1 with e4 pub --clockless and prints the frame's timestamp.
pub_ts() {
	rm -f "$D/frame.hex"
	mosquitto_sub -p "$P" -i spy-data -t clk/t -C 1 -W 10 -F %x >"$D/frame.hex" &
	spy=$!
	e4t_wait_for 10 sh -c "[ \$(grep -c 'Received SUBSCRIBE from spy-data\$' '$LOG') -ge $2 ]" ||
		e4t_fail "data spy did not subscribe"
	"$E4" pub --clockless --store "$D/dev.store" -p "$P" -t clk/t -m "$1" || e4t_fail "e4 pub $1"
	wait "$spy" || e4t_fail "no frame seen on clk/t"
	ts_of "$(cat "$D/frame.hex")"
}
ts1=$(pub_ts m1 1)
beats=$(grep -c ": heartbeat$" "$D/sub.err")
e4t_wait_for 20 hb $((beats + 1)) || e4t_fail "no heartbeat after the first e4 pub"
ts2=$(pub_ts m2 2)
"$C2T_PY" - "$ts_key" "$ts1" "$ts2" "$(date +%s)" "$D/cmds.hex" <<'PY' || e4t_fail "time floor: key $ts_key, pub $ts1 then $ts2"
import sys
key, t1, t2, now = (int(x) for x in sys.argv[1:5])
cmds = [int.from_bytes(bytes.fromhex(l.strip())[:8], "little") for l in open(sys.argv[5]) if l.strip()]
assert t1 in cmds and t2 in cmds, "e4 pub's timestamps are not command timestamps"
assert key < t1 < t2 <= now + 1, "the time floor did not move forward with the heartbeats"
PY
e4t_wait_for 10 grep -q "^clk/t m2$" "$D/sub.out" || e4t_fail "e4 sub did not print m2: $(cat "$D/sub.out")"
grep -q "^clk/t m1$" "$D/sub.out" || e4t_fail "e4 sub did not print m1"
e4t_say "frames stamped $ts1 then $ts2 (SetTopicKey was $ts_key)"

e4t_say "no clock: an hour ahead of the real clock passes, max-age behind the floor does not"
floor=$ts2
for t in $((floor + 3600)):ahead $((floor - 700)):behind; do
	printf 'msg-%s' "${t#*:}" | "$E4" device protect --store "$D/dev.store" --topic clk/t \
		--time "${t%:*}" >"$D/m.bin" || e4t_fail "device protect"
	mosquitto_pub -p "$P" -t clk/t -f "$D/m.bin" || e4t_fail "mosquitto_pub"
done
e4t_wait_for 10 grep -q "^clk/t msg-ahead$" "$D/sub.out" || e4t_fail "the message ahead of the clock was refused: $(cat "$D/sub.err")"
e4t_wait_for 10 grep -q "message on clk/t refused: message too old" "$D/sub.err" ||
	e4t_fail "the old message was not refused: $(cat "$D/sub.err")"
grep -q "msg-behind" "$D/sub.out" && e4t_fail "the old message was printed"

e4t_say "the broker replays the old SetTopicKey: refused, the key stays"
printf '%s' "$first" | "$C2T_PY" -c "import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read().strip()))" >"$D/old.bin"
mosquitto_pub -p "$P" -t "e4/$ID" -f "$D/old.bin" || e4t_fail "replay"
e4t_wait_for 10 grep -q "command 0x03 refused: command older than the last applied command" "$D/sub.err" ||
	e4t_fail "the replayed command was not refused: $(cat "$D/sub.err")"
"$E4" device show --store "$D/dev.store" | grep -q "current" || e4t_fail "the topic key is gone"
kill -0 "$SUB" 2>/dev/null || e4t_fail "e4 sub stopped"
c2 --json audit --limit 1000 | grep -q '"command.failed"' && e4t_fail "a command failed"
echo "PASS"
