#!/bin/sh
# Operating the C2 (issue 16): private database files whatever the umask;
# one daemon per database (a second one refuses and touches nothing, a
# live daemon's socket is never replaced); -c with a missing file, --help
# and --version; `e4c2 backup` of a running daemon, restored as documented
# in e4c2d(8), with commands in flight at backup time retried after the
# restore: neither lost nor applied twice.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/c2/lib-c2.sh"

umask 022
c2t_setup symkey "ack_timeout 2s" "retry_max_interval 4s"
DB="$E4T_DIR/c2.db"

e4t_say "e4c2 init under umask 022 leaves the database 0600"
e4t_eq "$(stat -c %a "$DB")" 600 "database mode after init"
c2t_start_daemon
c2 topic add ops/t >/dev/null || e4t_fail "topic add"
for f in "$DB" "$DB-wal" "$DB-shm" "$DB.lock"; do
	[ -f "$f" ] || e4t_fail "$f missing"
	e4t_eq "$(stat -c %a "$f")" 600 "mode of $(basename "$f") under a running daemon"
done

e4t_say "a second e4c2d on the same database refuses to start and touches nothing"
sock_before=$(stat -c %i "$E4T_DIR/c2.sock")
conns_before=$(grep -c "as e4c2d-test" "$E4T_DIR/mosquitto.log")
wal_before=$(stat -c %s.%Y "$DB-wal")
"$C2D" -c "$C2CONF" 2>"$E4T_DIR/second.txt" && e4t_fail "second daemon started"
grep -q "another e4c2d (pid $C2D_PID) is running on $DB" "$E4T_DIR/second.txt" ||
	e4t_fail "second daemon's message: $(cat "$E4T_DIR/second.txt")"
e4t_eq "$(stat -c %i "$E4T_DIR/c2.sock")" "$sock_before" "socket inode after the second daemon"
e4t_eq "$(grep -c "as e4c2d-test" "$E4T_DIR/mosquitto.log")" "$conns_before" "broker connections of the C2"
e4t_eq "$(stat -c %s.%Y "$DB-wal")" "$wal_before" "WAL after the second daemon"
c2t_connected || e4t_fail "first daemon lost after the second one"

e4t_say "a daemon of another database on the same socket refuses too (the live socket stays)"
sed "s|^database .*|database $E4T_DIR/other.db|" "$C2CONF" >"$E4T_DIR/other.conf"
"$E4C2" -c "$E4T_DIR/other.conf" init >/dev/null || e4t_fail "init other"
"$C2D" -c "$E4T_DIR/other.conf" 2>"$E4T_DIR/third.txt" && e4t_fail "daemon on a live socket started"
grep -q "socket $E4T_DIR/c2.sock is in use" "$E4T_DIR/third.txt" ||
	e4t_fail "live socket message: $(cat "$E4T_DIR/third.txt")"
e4t_eq "$(stat -c %i "$E4T_DIR/c2.sock")" "$sock_before" "socket inode after the third daemon"
c2t_connected || e4t_fail "first daemon lost after the third one"

e4t_say "-c with a missing file is an error; --help and --version"
out=$("$E4C2" -c "$E4T_DIR/nonexistent.conf" status 2>&1) && e4t_fail "e4c2 ran without its configuration"
echo "$out" | grep -q "nonexistent.conf: No such file or directory" || e4t_fail "missing -c message: $out"
"$C2D" -c "$E4T_DIR/nonexistent.conf" -t 2>/dev/null && e4t_fail "e4c2d -t ran without its configuration"
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")
[ -n "$version" ] || e4t_fail "no PACKAGE_VERSION in config.h"
e4t_eq "$("$C2D" --version)" "e4c2d $version" "e4c2d --version"
e4t_eq "$("$E4C2" --version)" "e4c2 $version" "e4c2 --version"
"$C2D" --help | grep -q "^usage: e4c2d" || e4t_fail "e4c2d --help"
"$C2D" -h | grep -q -- "--version" || e4t_fail "e4c2d -h lists no --version"
"$E4C2" --help | grep -q "backup" || e4t_fail "e4c2 --help lists no backup"
"$C2D" --bogus 2>/dev/null; e4t_eq "$?" 2 "e4c2d exit status on an unknown option"

e4t_say "a fleet: d1-d3 online and settled, d4 offline"
for d in d1 d2 d3 d4; do
	c2t_device $d
	c2 link $d ops/t >/dev/null || e4t_fail "link $d"
done
c2t_sim sim1.log -t ops/t -i 300 d1="$E4T_DIR/d1.store" d2="$E4T_DIR/d2.store" d3="$E4T_DIR/d3.store"
SIM1=$SIM_PID
settled3() {
	for d in d1 d2 d3; do
		c2 --json device show $d | grep -q '"pending":0' || return 1
	done
}
e4t_wait_for 20 settled3 || e4t_fail "d1-d3 did not ack their keys"

e4t_say "d1-d3 go offline; a rotation is queued and sent (in flight), then e4c2 backup"
kill "$SIM1"; wait "$SIM1" 2>/dev/null
c2 topic rotate ops/t >/dev/null || e4t_fail "rotate"
inflight3() {
	c2 --json status | "$C2T_PY" -c "import json,sys; sys.exit(0 if json.load(sys.stdin)['inflight'] >= 3 else 1)"
}
e4t_wait_for 10 inflight3 || e4t_fail "rotation not sent"
c2 backup "$E4T_DIR/backup.db" >"$E4T_DIR/backup.out" || e4t_fail "e4c2 backup"
grep -q "path: $E4T_DIR/backup.db" "$E4T_DIR/backup.out" || e4t_fail "backup output: $(cat "$E4T_DIR/backup.out")"
e4t_eq "$(stat -c %a "$E4T_DIR/backup.db")" 600 "backup mode under umask 022"
[ -e "$E4T_DIR/backup.db-wal" ] && e4t_fail "the backup has a WAL file"
E4C2_ABS=$(cd "$(dirname "$E4C2")" && pwd)/e4c2
(cd "$E4T_DIR" && "$E4C2_ABS" -c "$C2CONF" backup rel.db >/dev/null) || e4t_fail "backup to a relative path"
e4t_eq "$(stat -c %a "$E4T_DIR/rel.db")" 600 "mode of a backup named by a relative path"
(cd "$E4T_DIR" && "$E4C2_ABS" -c "$C2CONF" backup backup.db) 2>"$E4T_DIR/again.txt" && e4t_fail "backup replaced a file"
grep -q "file exists" "$E4T_DIR/again.txt" || e4t_fail "existing backup message: $(cat "$E4T_DIR/again.txt")"
c2 --json audit | grep -q '"action":"backup"' || e4t_fail "backup not audited"
"$C2T_PY" - "$E4T_DIR/backup.db" "$E4T_DIR" <<'PY' || e4t_fail "backup content"
import sqlite3, sys
path, d = sys.argv[1], sys.argv[2]
db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
n = db.execute("SELECT count(*) FROM devices").fetchone()[0]
assert n == 4, "devices in the backup: %d" % n
sent = db.execute("SELECT count(*) FROM outbox WHERE done_at = 0").fetchone()[0]
assert sent >= 4, "unfinished commands in the backup: %d" % sent
raw = open(path, "rb").read()
for dev in ("d1", "d2", "d3", "d4"):
    key = open("%s/%s.store" % (d, dev), "rb").read()[36:68]
    assert key not in raw and key.hex().encode() not in raw, "plaintext key of %s" % dev
PY

e4t_say "d1-d3 come back and ack the rotation to the running daemon"
c2t_sim sim2.log -t ops/t -i 300 d1="$E4T_DIR/d1.store" d2="$E4T_DIR/d2.store" d3="$E4T_DIR/d3.store"
SIM2=$SIM_PID
e4t_wait_for 20 settled3 || e4t_fail "d1-d3 did not ack the rotation"
ok_before=$(grep -c '"status":"ok"' "$E4T_DIR/sim2.log")

e4t_say "restore as e4c2d(8) says: stop, replace the database, remove -wal and -shm, start"
kill "$C2D_PID"; wait "$C2D_PID" 2>/dev/null
rm -f "$DB" "$DB-wal" "$DB-shm"
install -m 0600 "$E4T_DIR/backup.db" "$DB" || e4t_fail "install backup"
mark=$(c2t_mark sim2.log)
c2t_start_daemon
c2t_sim sim4.log -t ops/t d4="$E4T_DIR/d4.store"
e4t_wait_for 40 c2t_topic_settled ops/t || e4t_fail "rotation did not complete after the restore"
e4t_wait_for 20 c2t_outbox_empty || e4t_fail "outbox not drained after the restore"

e4t_say "the in-flight commands were resent: d1-d3 acked them as already applied, d4 got everything"
for d in d1 d2 d3; do
	n=$(tail -n +"$((mark + 1))" "$E4T_DIR/sim2.log" | grep "\"dev\":\"$d\"" | grep -c '"status":"command already applied"')
	[ "$n" -ge 1 ] || e4t_fail "$d was not resent its in-flight command after the restore"
done
n=$(tail -n +"$((mark + 1))" "$E4T_DIR/sim2.log" | grep '"event":"command"' | grep -v -c '"status":"\(ok\|command already applied\)"')
e4t_eq "$n" 0 "commands refused by d1-d3 after the restore"
grep -q '"event":"command".*"status":"ok"' "$E4T_DIR/sim4.log" || e4t_fail "d4 applied nothing"
sleep 1
c2t_expect_fp "$SIM2" sim2.log "$(c2t_topic_field ops/t fingerprint)" d1 d2 d3
c2t_expect_fp "$SIM_PID" sim4.log "$(c2t_topic_field ops/t fingerprint)" d4
e4t_eq "$(c2t_topic_field ops/t epoch)" 2 "epoch after the restore"
c2 --json audit --limit 1000 | grep -q '"command.failed"' && e4t_fail "a command failed"

e4t_say "messages flow between the restored fleet's devices"
mark=$(c2t_mark sim2.log)
sleep 2
recv=$(c2t_count_after sim2.log "$mark" '"event":"recv"')
[ "$recv" -ge 6 ] || e4t_fail "only $recv messages received after the restore"
e4t_eq "$(c2t_count_after sim2.log "$mark" undecryptable)" 0 "undecryptable messages after the restore"
[ "$ok_before" -ge 3 ] || e4t_fail "d1-d3 applied only $ok_before commands before the restore"

e4t_say "a database made readable by others is made 0600 again at start"
kill "$C2D_PID"; wait "$C2D_PID" 2>/dev/null
chmod 644 "$DB"
c2t_start_daemon
e4t_eq "$(stat -c %a "$DB")" 600 "database mode after a restart"
grep -q "accessible by group or others; now mode 0600" "$E4T_DIR/c2d.log" || e4t_fail "no warning about the mode"

e4t_say "kill -9 leaves a stale socket; the next daemon replaces it"
kill -9 "$C2D_PID"; wait "$C2D_PID" 2>/dev/null
[ -S "$E4T_DIR/c2.sock" ] || e4t_fail "no stale socket after kill -9"
c2t_start_daemon
echo "PASS"
