#!/bin/sh
# Secrets at rest and in logs: after devices were provisioned, topics
# rotated twice and a device key rotated, no key the test knows (every
# device key and topic key read from the device stores, before and after,
# and the C2 master key) appears in the C2 database, its WAL, the logs of
# the daemon, broker and devices or the CLI's output: raw, hex (both
# cases) or base64.  The scanner is first shown to find a key where one
# is.  Key files readable by others are refused: the master key (0644) by
# e4c2d, a device store (0644) by e4.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/c2/lib-c2.sh"
SCAN="$top_srcdir/tests/secrets/scan.py"
KEYDUMP="$top_builddir/tests/secrets/keydump"
E4="$top_builddir/sdk/tools/e4"

c2t_setup symkey "ack_timeout 1s"
out="$E4T_DIR/cli.log"

e4t_say "e4c2d refuses a master key readable by others"
chmod 644 "$E4T_DIR/master.key"
if "$C2D" -c "$C2CONF" >"$E4T_DIR/refused.out" 2>&1; then e4t_fail "e4c2d started with a 0644 master key"; fi
grep -q "accessible by group or others" "$E4T_DIR/refused.out" || e4t_fail "no permission message: $(cat "$E4T_DIR/refused.out")"
chmod 600 "$E4T_DIR/master.key"

c2t_start_daemon
DEVS="d1 d2 d3 d4"
args=""
for t in sec/a sec/b; do c2 topic add $t >>"$out" || e4t_fail "topic add $t"; done
for d in $DEVS; do
	c2 device add $d --export "$E4T_DIR/$d.store" >>"$out" || e4t_fail "device add $d"
	"$KEYDUMP" symkey "$E4T_DIR/$d.store" >>"$E4T_DIR/keys.txt" || e4t_fail "keydump $d"
	for t in sec/a sec/b; do c2 link $d $t >>"$out" || e4t_fail "link $d $t"; done
	args="$args $d=$E4T_DIR/$d.store"
done
# shellcheck disable=SC2086
c2t_sim sim.log -t sec/a -i 200 $args
e4t_wait_for 30 c2t_outbox_empty || e4t_fail "links not acked"
"$KEYDUMP" symkey "$E4T_DIR"/d*.store >>"$E4T_DIR/keys.txt" || e4t_fail "keydump"

e4t_say "two topic rotations and a device key rotation"
for i in 1 2; do
	for t in sec/a sec/b; do c2 topic rotate $t >>"$out" || e4t_fail "rotate $t"; done
	e4t_wait_for 30 c2t_outbox_empty || e4t_fail "rotation $i not acked"
	"$KEYDUMP" symkey "$E4T_DIR"/d*.store >>"$E4T_DIR/keys.txt" || e4t_fail "keydump"
done
c2 device rotate-key d2 >>"$out" || e4t_fail "rotate-key d2"
e4t_wait_for 30 c2t_outbox_empty || e4t_fail "rotate-key not acked"
c2 --json topic show sec/a >>"$out"
c2 --json device show d2 >>"$out"
c2 --json audit --limit 1000 >>"$out"
kill "$SIM_PID"
wait "$SIM_PID" 2>/dev/null
"$KEYDUMP" symkey "$E4T_DIR"/d*.store >>"$E4T_DIR/keys.txt" || e4t_fail "keydump"
python3 -c "import sys; print(open(sys.argv[1],'rb').read().hex())" "$E4T_DIR/master.key" >>"$E4T_DIR/keys.txt"
sort -u "$E4T_DIR/keys.txt" >"$E4T_DIR/keys.u"
nkeys=$(wc -l <"$E4T_DIR/keys.u")
[ "$nkeys" -ge 12 ] || e4t_fail "only $nkeys distinct keys collected"

# kill -9 leaves the WAL in place, as a crash would.
kill -9 "$C2D_PID"
wait "$C2D_PID" 2>/dev/null

e4t_say "control: the scanner finds the device keys in a device store"
python3 "$SCAN" "$E4T_DIR/keys.u" "$E4T_DIR/d1.store" >"$E4T_DIR/control.out" &&
	e4t_fail "scanner found no key in a store file"
grep -q '^HIT .* raw ' "$E4T_DIR/control.out" || e4t_fail "control: $(cat "$E4T_DIR/control.out")"
cat "$E4T_DIR/control.out" | tail -n 1

e4t_say "no key in the database, its WAL, the logs or the CLI output"
ls "$E4T_DIR"/c2.db* >/dev/null || e4t_fail "no database"
python3 "$SCAN" "$E4T_DIR/keys.u" "$E4T_DIR"/c2.db* "$E4T_DIR"/*.log "$E4T_DIR/refused.out" ||
	e4t_fail "key material found"
e4t_say "files scanned: $(ls "$E4T_DIR"/c2.db* "$E4T_DIR"/*.log | tr '\n' ' ')"

e4t_say "e4 refuses a device store readable by others"
chmod 644 "$E4T_DIR/d1.store"
if "$E4" device show -s "$E4T_DIR/d1.store" >"$E4T_DIR/e4.out" 2>&1; then
	e4t_fail "e4 read a 0644 store"
fi
grep -qi "perm\|group\|others" "$E4T_DIR/e4.out" || e4t_fail "no permission message: $(cat "$E4T_DIR/e4.out")"
echo "PASS"
