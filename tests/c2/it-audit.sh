#!/bin/sh
# The audit log records what people did, not the daemon's routine work
# (issue 16): heartbeats write no audit entry; the daemon's own entries
# (uid -1, here automatic rotations) are kept by default and deleted once
# older than audit_routine_keep; people's entries stay, and the database
# refuses to delete them.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/c2/lib-c2.sh"

c2t_setup symkey "heartbeat_interval 1s" "topic_rotation_interval 2s" "ack_timeout 2s" \
	"retry_max_interval 4s"
c2t_start_daemon
c2 topic add au/t >/dev/null || e4t_fail "topic add"
c2t_device d1
c2 link d1 au/t >/dev/null || e4t_fail "link"
c2t_sim sim.log -t au/t d1="$E4T_DIR/d1.store"

# Counts audit entries: $1 a Python condition on the entry e.
audit_count() {
	c2 --json audit --limit 100000 | "$C2T_PY" -c "import json,sys; print(sum(1 for e in json.load(sys.stdin)['entries'] if $1))"
}
beats() {
	[ "$(grep -c '"code":9,"status":"ok"' "$E4T_DIR/sim.log")" -ge "$1" ]
}
rotations() {
	[ "$(audit_count "e['uid'] == -1 and e['action'] == 'topic.rotate'")" -ge "$1" ]
}

e4t_say "heartbeats are applied and acked, automatic rotations run"
e4t_wait_for 30 beats 3 || e4t_fail "fewer than 3 heartbeats applied"
e4t_wait_for 30 rotations 2 || e4t_fail "fewer than 2 automatic rotations audited"
e4t_eq "$(audit_count "e['action'] == 'device.heartbeat'")" 0 "heartbeat entries in the audit log"
me=$(id -u)
people=$(audit_count "e['uid'] == $me")
[ "$people" -ge 4 ] || e4t_fail "only $people entries of people (init, topic add, device add, link)"
e4t_say "$(grep -c '"code":9,"status":"ok"' "$E4T_DIR/sim.log") heartbeats, no audit entry for them"

e4t_say "by default the daemon's entries are kept across a restart"
kill "$C2D_PID"; wait "$C2D_PID" 2>/dev/null
sed -i '/^topic_rotation_interval/d' "$C2CONF"
c2t_start_daemon
routine=$(audit_count "e['uid'] == -1")
sleep 2
e4t_eq "$(audit_count "e['uid'] == -1")" "$routine" "routine entries with the default audit_routine_keep"
[ "$routine" -ge 2 ] || e4t_fail "only $routine routine entries"

e4t_say "audit_routine_keep 1s: the daemon's older entries go at start, people's stay"
kill "$C2D_PID"; wait "$C2D_PID" 2>/dev/null
echo "audit_routine_keep 1s" >>"$C2CONF"
"$C2D" -c "$C2CONF" -t | grep -qx "audit_routine_keep 1" || e4t_fail "-t does not show audit_routine_keep"
c2t_start_daemon
none_routine() { [ "$(audit_count "e['uid'] == -1")" = 0 ]; }
e4t_wait_for 10 none_routine || e4t_fail "routine entries not pruned"
e4t_eq "$(audit_count "e['uid'] == $me")" "$people" "entries of people after the pruning"

e4t_say "the database refuses to delete people's entries"
kill "$C2D_PID"; wait "$C2D_PID" 2>/dev/null
"$C2T_PY" - "$E4T_DIR/c2.db" <<'PY' || e4t_fail "people's entries could be deleted"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
try:
    db.execute("DELETE FROM audit WHERE uid >= 0")
except sqlite3.DatabaseError as e:
    assert "never deleted" in str(e), e
else:
    sys.exit("DELETE of people's entries succeeded")
PY
echo "PASS"
