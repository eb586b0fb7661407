#!/bin/sh
# Bulk provisioning with a real e4c2d: `e4c2 device import` checks the
# whole file before adding anything (a malformed line, or a store file that
# would be replaced, adds no device), then adds CSV and JSON-lines devices
# with progress (--json: one line per device), writes each store (0600) and
# links each to a topic; `e4c2 link-many` links the devices a file names.
# The exported devices then run and acknowledge their keys.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/c2/lib-c2.sh"

c2t_setup symkey "ack_timeout 1s"
c2t_start_daemon
D=$E4T_DIR
c2 topic add bulk/a >/dev/null || e4t_fail "topic add a"
c2 topic add bulk/b >/dev/null || e4t_fail "topic add b"
devices() { c2 --json status | "$C2T_PY" -c "import json,sys; print(json.load(sys.stdin)['devices'])"; }

e4t_say "a malformed line refuses the whole file"
printf 'ok-1\n# a comment\n\nok-2,zz\nok-3\n' >"$D/bad.csv"
out=$(c2 device import "$D/bad.csv" 2>&1) && e4t_fail "a malformed file was imported"
echo "$out" | grep -q "bad.csv:4: the id must be 32 hex characters (nothing was imported)" ||
	e4t_fail "message: $out"
printf '{"name":"j1","colour":"red"}\n' >"$D/bad.json"
out=$(c2 device import "$D/bad.json" 2>&1) && e4t_fail "an unknown member was accepted"
echo "$out" | grep -q "bad.json:1: unknown member" || e4t_fail "message: $out"
e4t_eq "$(devices)" 0 "devices after refused files"

e4t_say "CSV and JSON lines, exported and linked, with progress"
id=$("$top_builddir/sdk/tools/e4" id chosen-id)
cat >"$D/fleet.txt" <<LIST
# name[,id[,pubkey[,legacy]]]
pump-1
pump-2,$id
  pump-3 , 
{"name": "valve-1"}
{"name": "valve-2", "legacy": false}
LIST
mkdir -m 700 "$D/stores"
c2 --json device import "$D/fleet.txt" --export-dir "$D/stores" --link bulk/a >"$D/import.json" \
	2>"$D/import.err" || e4t_fail "import: $(cat "$D/import.err")"
e4t_eq "$(wc -l <"$D/import.json")" 5 "progress lines"
tail -n 1 "$D/import.json" | grep -q '"done":5,"total":5,"finished":true' ||
	e4t_fail "last progress line: $(tail -n 1 "$D/import.json")"
e4t_eq "$(devices)" 5 "devices imported"
c2 --json device show pump-2 | grep -q "\"id\":\"$id\"" || e4t_fail "the chosen id was not used"
for d in pump-1 pump-2 pump-3 valve-1 valve-2; do
	[ "$(stat -c %a "$D/stores/$d.store")" = 600 ] || e4t_fail "$d.store is not 0600"
done
e4t_eq "$(c2t_topic_field bulk/a members)" 5 "members of bulk/a"

e4t_say "an existing store file refuses the import before any device is added"
printf 'pump-4\npump-1b\n' >"$D/more.txt"
touch "$D/stores/pump-1b.store"
out=$(c2 device import "$D/more.txt" --export-dir "$D/stores" 2>&1) && e4t_fail "replaced a store"
echo "$out" | grep -q "pump-1b.store exists" || e4t_fail "message: $out"
e4t_eq "$(devices)" 5 "devices after the refused import"
e4t_say "a device that exists stops the import at its line, the ones before it are kept"
printf 'pump-5\npump-1\npump-6\n' >"$D/dup.txt"
out=$(c2 device import "$D/dup.txt" 2>&1) && e4t_fail "a duplicate was imported"
echo "$out" | grep -q "dup.txt:2: device 'pump-1' not imported; 1 of 3 devices imported before it" ||
	e4t_fail "message: $out"
e4t_eq "$(devices)" 6 "devices after the partial import"

e4t_say "link-many links every named device"
printf 'pump-1\npump-3\nvalve-2\n' >"$D/names.txt"
c2 link-many bulk/b "$D/names.txt" 2>"$D/link.err" || e4t_fail "link-many: $(cat "$D/link.err")"
grep -q "link: 3/3" "$D/link.err" || e4t_fail "link-many progress: $(cat "$D/link.err")"
e4t_eq "$(c2t_topic_field bulk/b members)" 3 "members of bulk/b"

e4t_say "the exported devices run and acknowledge their keys"
c2t_sim sim.log -t bulk/a pump-1="$D/stores/pump-1.store" pump-2="$D/stores/pump-2.store" \
	pump-3="$D/stores/pump-3.store" valve-1="$D/stores/valve-1.store" valve-2="$D/stores/valve-2.store"
e4t_wait_for 20 c2t_outbox_empty || e4t_fail "the imported devices did not ack"
c2t_expect_fp "$SIM_PID" sim.log "$(c2t_topic_field bulk/a fingerprint)" pump-1 pump-2 pump-3 valve-1 valve-2
echo "PASS"
