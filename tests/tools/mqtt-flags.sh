#!/bin/sh
# mqtt-flags.sh - e4 sub and e4 pub take mosquitto_sub's and mosquitto_pub's
# flags (issue 16): every flag that mosquitto_sub/mosquitto_pub --help
# lists is either an option of e4 sub/pub or refused by name (exit 2, listed
# in e4(1) DIFFERENCES FROM MOSQUITTO), never "unknown"; then the common
# ones are run through a real broker with their mosquitto meaning.
. "$top_srcdir/tests/tools/lib.sh"
e4t_init
cd "$E4T_DIR" || exit 1
command -v mosquitto_sub >/dev/null && command -v mosquitto_pub >/dev/null ||
	e4t_fail "mosquitto_sub/mosquitto_pub missing (apt-get install mosquitto-clients)"
MAN="$top_srcdir/man/e4.1"
K=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
"$E4" device init --store a.store --alias dev-a --key "$K" >/dev/null || e4t_fail "init a"
for t in p/1 p/keep p/skip p/url w/1; do
	"$E4" device set-topic-key --store a.store --topic $t --key "$K" >/dev/null || e4t_fail "key $t"
done
AID=$("$E4" id dev-a)

e4t_say "every flag of mosquitto_sub and mosquitto_pub --help is taken or refused by name"
diffs=$(sed -n '/^\.Ss DIFFERENCES FROM MOSQUITTO/,/^\.S[hs] /p' "$MAN")
for c in sub pub; do
	"$E4" $c --help >help.$c || e4t_fail "e4 $c --help"
	flags=$(mosquitto_$c --help 2>&1 | grep -o -- ' --\?[A-Za-z][a-z0-9-]*' | tr -d ' ' | sort -u)
	[ "$(echo "$flags" | wc -l)" -ge 40 ] || e4t_fail "only $(echo "$flags" | wc -l) flags in mosquitto_$c --help"
	for f in $flags; do
		[ "$f" = --help ] && continue
		case "$f" in
		--*) taken=$(grep -c -- "^  .*$f[ ,]" help.$c) ;;
		*) taken=$(grep -c -- "^  $f, --" help.$c) ;;
		esac
		if [ "$taken" -ge 1 ]; then pass; continue; fi
		"$E4" $c --store a.store "$f" x y z >out 2>err
		e4t_eq "$?" 2 "exit status of e4 $c $f"
		grep -q -- "option $f of mosquitto_$c (.*) is not supported by e4 $c" err ||
			e4t_fail "e4 $c $f: $(cat err)"
		name=${f#-}; name=${name#-}
		echo "$diffs" | grep -q -- "Fl \\\\\{0,1\\}-\{0,1\\}$name\\>" || e4t_fail "e4.1 DIFFERENCES does not list $f"
		pass
	done
done
expect_fail 2 "unknown option --frobnicate" "$E4" sub --store a.store --frobnicate
expect_fail 2 "-x: a session expiry needs MQTT 5" "$E4" sub --store a.store -x 60
expect_fail 2 "-F: %j is not supported by e4 sub" "$E4" sub --store a.store -F '%j'
expect_fail 2 "--will-payload, --will-qos and --will-retain need --will-topic" \
	"$E4" pub --store a.store -t p/1 -m x --will-payload y
expect_fail 2 "-L: the URL must start with mqtt:// or mqtts://" "$E4" pub --store a.store -L http://x/p/1 -m x

e4t_start_broker <<EOF2
allow_anonymous true
EOF2
P=$E4T_PORT
LOG="$E4T_DIR/mosquitto.log"
wait_log() {
	e4t_wait_for 10 grep -q -- "$1" "$LOG" || e4t_fail "broker log lacks [$1]"
}
# Waits up to 15 s for pid $1 and returns its status.
wait_exit() {
	i=0
	while kill -0 "$1" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 150 ] && e4t_fail "process $1 still running"
		sleep 0.1
	done
	wait "$1"
}

e4t_say "-r, -q, -F, -R, --retained-only, -T, -N, -E, -L"
"$E4" pub --store a.store -p "$P" -t p/1 -q 1 -r -m retained-one || e4t_fail "pub -r"
"$E4" sub --store a.store -p "$P" -t p/1 -q 1 -C 1 -W 10 -F '%t|%p|%l|%r|%q|%x\t.' >f.out 2>f.err ||
	e4t_fail "sub -F: $(cat f.err)"
e4t_eq "$(cat f.out)" "$(printf 'p/1|retained-one|12|1|1|%s\t.' "$(printf retained-one | od -An -tx1 | tr -d ' \n')")" "-F output"
"$E4" sub --store a.store -p "$P" -t p/1 --retained-only -W 10 >ro.out 2>ro.err &
RO=$!
e4t_bg "$E4" sub --store a.store -i "$AID-2" -p "$P" -t 'p/#' -R -T p/skip -N -C 1 -W 15 >r.out 2>r.err
RS=$E4T_LAST_PID
e4t_wait_for 10 sh -c "[ \$(grep -c 'Received SUBSCRIBE from $AID-2\$' '$LOG') -ge 2 ]" || e4t_fail "sub -R did not subscribe"
sleep 0.5
"$E4" pub --store a.store -p "$P" -t p/skip -m skipped || e4t_fail "pub skip"
"$E4" pub --store a.store -p "$P" -t p/1 -m live || e4t_fail "pub live"
wait_exit $RS || e4t_fail "sub -R: $(cat r.err)"
e4t_eq "$(cat r.out)" live "sub -R -T -N output (no retained, no filtered, no newline)"
wait_exit $RO || e4t_fail "sub --retained-only: $(cat ro.err)"
e4t_eq "$(cat ro.out)" retained-one "sub --retained-only output"
"$E4" sub --store a.store -p "$P" -t p/1 -t p/keep -E -W 10 >e.out 2>e.err || e4t_fail "sub -E: $(cat e.err)"
[ -s e.out ] && [ "$(cat e.out)" != retained-one ] && e4t_fail "sub -E printed [$(cat e.out)]"
e4t_bg "$E4" sub --store a.store -i "$AID-3" -L "mqtt://127.0.0.1:$P/p/url" -C 1 -W 10 >l.out 2>l.err
LS=$E4T_LAST_PID
e4t_wait_for 10 sh -c "[ \$(grep -c 'Received SUBSCRIBE from $AID-3\$' '$LOG') -ge 2 ]" || e4t_fail "sub -L did not subscribe"
"$E4" pub --store a.store -L "mqtt://127.0.0.1:$P/p/url" -m via-url || e4t_fail "pub -L"
wait_exit $LS || e4t_fail "sub -L: $(cat l.err)"
e4t_eq "$(cat l.out)" via-url "sub -L output"
pass

e4t_say "-c -x, -I, -A, -d, -U, --quiet"
"$E4" sub --store a.store -p "$P" -V 5 -c -x 60 -E -W 10 2>cx.err || e4t_fail "sub -c -x: $(cat cx.err)"
wait_log "as $AID (p5, c0, k60)"
"$E4" pub --store a.store -p "$P" -I pfx- -A 127.0.0.1 -t p/1 -m x || e4t_fail "pub -I -A"
wait_log "as pfx-[0-9]"
"$E4" pub --store a.store -p "$P" -d -t p/1 -m x 2>d.err || e4t_fail "pub -d"
grep -q "sending CONNECT" d.err || e4t_fail "pub -d printed no debug line: $(cat d.err)"
"$E4" sub --store a.store -p "$P" -U p/old -E -W 10 2>u.err || e4t_fail "sub -U: $(cat u.err)"
wait_log "Received UNSUBSCRIBE from $AID"
"$E4" pub --store a.store -p "$P" --quiet -t p/none -m x >q.out 2>q.err && e4t_fail "pub without a key succeeded"
[ -s q.err ] && e4t_fail "--quiet printed: $(cat q.err)"
pass

e4t_say "--will-*: the broker sends the protected Will when the device dies"
e4t_bg "$E4" sub --store a.store -i "$AID-w" -p "$P" -t w/1 -C 1 -W 15 >w.out 2>w.err
WS=$E4T_LAST_PID
e4t_wait_for 10 sh -c "[ \$(grep -c 'Received SUBSCRIBE from $AID-w\$' '$LOG') -ge 2 ]" || e4t_fail "will watcher did not subscribe"
"$E4" sub --store a.store -i "$AID-dying" -p "$P" --will-topic w/1 --will-payload gone --will-qos 1 -W 30 \
	>/dev/null 2>&1 &
DY=$!
e4t_wait_for 10 grep -q "Received SUBSCRIBE from $AID-dying\$" "$LOG" || e4t_fail "dying sub did not subscribe"
kill -9 $DY
wait_exit $WS || e4t_fail "no Will received: $(cat w.err)"
e4t_eq "$(cat w.out)" gone "Will payload"
pass

e4t_say "--repeat 2 --repeat-delay 1.1: two frames, both opened; --remove-retained clears"
e4t_bg "$E4" sub --store a.store -i "$AID-rp" -p "$P" -t p/keep -C 2 -W 15 >rp.out 2>rp.err
RP=$E4T_LAST_PID
e4t_wait_for 10 sh -c "[ \$(grep -c 'Received SUBSCRIBE from $AID-rp\$' '$LOG') -ge 2 ]" || e4t_fail "repeat watcher did not subscribe"
"$E4" pub --store a.store -p "$P" -t p/keep --repeat 2 --repeat-delay 1.1 -M 5 -m again || e4t_fail "pub --repeat"
wait_exit $RP || e4t_fail "repeat: $(cat rp.err)"
e4t_eq "$(cat rp.out)" "again
again" "repeated messages"
"$E4" sub --store a.store -p "$P" -t p/1 --remove-retained --retained-only -W 5 >rr.out 2>rr.err
grep -q retained-one rr.out || e4t_fail "--remove-retained saw no retained message: $(cat rr.err)"
mosquitto_sub -p "$P" -t p/1 -W 2 -C 1 >left.out 2>/dev/null
[ -s left.out ] && e4t_fail "the retained message is still there"
pass
done_checks
