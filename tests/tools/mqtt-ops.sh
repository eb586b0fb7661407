#!/bin/sh
# mqtt-ops.sh - e4 sub and e4 pub as a device runs them (issue 16): e4 sub
# started before its broker reports it once and retries with a doubling
# delay, then works; a broker (with the E4 plugin) that refuses the
# control-topic subscription makes e4 sub say so and exit 1; e4 pub names
# a topic it holds no key for and refuses a topic filter.
. "$top_srcdir/tests/tools/lib.sh"
e4t_init
cd "$E4T_DIR" || exit 1
SO="$top_builddir/plugin/.libs/mosquitto_e4.so"
[ -f "$SO" ] || e4t_fail "plugin not built: $SO"
"$E4" sub --help >/dev/null 2>&1 || e4t_fail "e4 was built without libmosquitto"

K=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
"$E4" device init --store a.store --alias dev-a --key "$K" >/dev/null || e4t_fail "init a"
"$E4" device set-topic-key --store a.store --topic plant/1 --key "$K" >/dev/null || e4t_fail "topic key"
AID=$("$E4" id dev-a)

# A broker with the E4 plugin (control topics for their devices only); then
# stopped, so that e4 sub starts before it.
e4t_start_broker <<EOF2
allow_anonymous true
plugin $SO
plugin_opt_protect plant/#
plugin_opt_c2_username c2
EOF2
P=$E4T_PORT
LOG="$E4T_DIR/mosquitto.log"
kill "$E4T_BROKER_PID"; wait "$E4T_BROKER_PID" 2>/dev/null

e4t_say "e4 pub refuses a topic filter"
expect_fail 2 "-t demo/#: a topic to publish on cannot hold the wildcards + or #" \
	"$E4" pub --store a.store -p "$P" -t 'demo/#' -m x

e4t_say "e4 sub started while the broker is down: reported once, retried with a doubling delay"
e4t_bg "$E4" sub --store a.store -p "$P" -t plant/1 -C 1 -W 60 >s.out 2>s.err
SUB=$E4T_LAST_PID
# Something that accepts and drops connections records the attempts.
python3 - "$P" >attempts.txt <<'PY' &
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
s.settimeout(0.05)
end, times = time.time() + 5, []
while time.time() < end:
    try:
        c, _ = s.accept()
        times.append(time.time())
        c.close()
    except socket.timeout:
        pass
print(" ".join("%.2f" % (b - a) for a, b in zip(times, times[1:])))
PY
LISTENER=$!
wait "$LISTENER"
kill -0 "$SUB" 2>/dev/null || e4t_fail "e4 sub gave up: $(cat s.err)"
n=$(grep -c "cannot connect to localhost:$P: Connection refused; retrying with backoff" s.err)
e4t_eq "$n" 1 "reports of the unreachable broker"
python3 - "$(cat attempts.txt)" <<'PY' || e4t_fail "attempts not spaced by a doubling delay: [$(cat attempts.txt)]"
import sys
gaps = [float(x) for x in sys.argv[1].split()]
assert len(gaps) >= 2, gaps
assert all(b > 1.6 * a for a, b in zip(gaps, gaps[1:])), gaps
assert gaps[0] >= 0.4, gaps
PY
e4t_say "attempts $(cat attempts.txt) s apart"
pass
e4t_restart_broker
e4t_wait_for 40 grep -q "Received SUBSCRIBE from $AID\$" "$LOG" || e4t_fail "e4 sub did not connect: $(cat s.err)"
e4t_wait_for 5 grep -q "connected to localhost:$P" s.err || e4t_fail "no word of the connection: $(cat s.err)"
# Its control subscription was accepted (the plugin checks the client id).
e4t_wait_for 5 grep -q "Sending SUBACK to $AID" "$LOG" || e4t_fail "no SUBACK"
"$E4" pub --store a.store -p "$P" -t plant/1 -m after-the-wait || e4t_fail "e4 pub"
i=0; while kill -0 "$SUB" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
wait "$SUB" || e4t_fail "e4 sub: $(cat s.err)"
e4t_eq "$(cat s.out)" after-the-wait "message after the retries"
pass

e4t_say "a refused control-topic subscription is reported and e4 sub exits 1"
expect_fail 1 "the broker refused the subscription to the control topic e4/$AID (code 0x80): this device would get no C2 command; the client id (-i) is not the device id $AID" \
	"$E4" sub --store a.store -p "$P" -i not-the-device -t plant/1 -W 10
expect_fail 1 "refused the subscription to the control topic e4/$AID (code 0x87)" \
	"$E4" sub --store a.store -p "$P" -V 5 -i not-the-device -W 10

e4t_say "e4 pub names the topic it has no key for"
expect_fail 1 "topic plant/2: no key for this topic in store a.store" \
	"$E4" pub --store a.store -p "$P" -t plant/2 -m x
done_checks
