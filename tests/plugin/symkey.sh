#!/bin/sh
# Frames on protected topics: plaintext, stale, future and replayed frames
# (replayed by another client; the publisher's own resend is acknowledged
# and not delivered twice) are refused (v5 "Not authorized"; v3.1.1 dropped), valid frames pass,
# unprotected topics are untouched, refusals are counted by reason.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/plugin/lib-plugin.sh"
e4t_init
e4p_start <<EOF2
allow_anonymous true
plugin_opt_protect data/#, e4/#
plugin_opt_c2_username c2
plugin_opt_max_age 600
plugin_opt_max_skew 60
EOF2
D=$E4T_DIR
e4p_sub watcher "$D/watch" -t 'data/#' -t 'public/#'

e4p_frame "$D/f1" now "first"
e4p_frame "$D/f2" now "second"
e4p_frame "$D/old" now-700 "stale"
e4p_frame "$D/fut" now+300 "future"
e4p_frame "$D/edge" now-590 "almost stale"

e4p_expect refused "plaintext on a protected topic" dev -t data/t -m "hello"
e4p_expect ok "valid frame" dev -t data/t -f "$D/f1"
# Its own publisher sending it again is a resend: acknowledged, not delivered again.
e4p_expect ok "resend by its publisher" dev -t data/t -f "$D/f1"
e4p_expect refused "replay by another client" other -t data/t -f "$D/f1"
e4p_expect refused "stale frame" dev -t data/t -f "$D/old"
e4p_expect refused "future frame" dev -t data/t -f "$D/fut"
e4p_expect ok "frame within max_age" dev -t data/t -f "$D/edge"
e4p_expect ok "same frame on another topic" dev -t data/u -f "$D/f1"
e4p_expect ok "plaintext on an unprotected topic" dev -t public/t -m "hello"
# MQTT 3.1.1 cannot be told; the message is dropped all the same.
mosquitto_pub -p "$E4T_PORT" -q 1 -i v311 -t data/t -m "plain311" || e4t_fail "v3.1.1 publish"
# A QoS 0 plaintext is dropped too.
mosquitto_pub -p "$E4T_PORT" -V 5 -q 0 -i q0 -t data/t -m "plainq0" || e4t_fail "qos0 publish"
e4p_expect ok "sentinel frame" dev -t data/t -f "$D/f2"

e4p_wait_lines "$D/watch" 5
sleep 0.3
e4t_eq "$(wc -l <"$D/watch" | tr -d ' ')" 5 "messages delivered"
e4t_eq "$(grep -c "^data/t $(e4p_hex "$D/f1")\$" "$D/watch")" 1 "first frame delivered once"
grep -q "^data/u $(e4p_hex "$D/f1")\$" "$D/watch" || e4t_fail "frame on data/u not delivered"
grep -q "^data/t $(e4p_hex "$D/edge")\$" "$D/watch" || e4t_fail "edge frame not delivered"
grep -q "^data/t $(e4p_hex "$D/f2")\$" "$D/watch" || e4t_fail "sentinel not delivered"
grep -q "^public/t 68656c6c6f\$" "$D/watch" || e4t_fail "unprotected message not delivered"

e4t_eq "$(e4p_stat refused.tooShort)" 3 "tooShort refusals (v5, v3.1.1, QoS 0)"
e4t_eq "$(e4p_stat refused.replay)" 1 "replay refusals"
e4t_eq "$(e4p_stat refused.tooOld)" 1 "tooOld refusals"
e4t_eq "$(e4p_stat refused.inFuture)" 1 "inFuture refusals"
e4t_eq "$(e4p_stat framesPassed)" 4 "frames passed"
grep -q 'e4: refused publish from "v311" on "data/t": tooShort' "$D/mosquitto.log" ||
	e4t_fail "refusal not logged"
echo "symkey: all checks passed"
