/*
 * schema.c - the versioned SQLite schema of the C2 and its migrations.
 * PRAGMA user_version holds the number of migrations applied; each
 * migration runs in its own transaction.  Append only.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stddef.h>

#include "db_sqlite.h"

static const char *const migrations[] = {
	/* 1: initial schema */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE devices(id BLOB PRIMARY KEY CHECK(length(id) = 16),"
	" name TEXT NOT NULL UNIQUE, legacy INT NOT NULL DEFAULT 0, key_enc BLOB, pub BLOB,"
	" c2key INT NOT NULL DEFAULT 0, created INT NOT NULL, key_created INT NOT NULL,"
	" last_ts INT NOT NULL DEFAULT 0, last_ack INT NOT NULL DEFAULT 0,"
	" last_seen INT NOT NULL DEFAULT 0, online INT NOT NULL DEFAULT 0);"
	"CREATE TABLE topics(name TEXT PRIMARY KEY, hash BLOB NOT NULL UNIQUE,"
	" key_enc BLOB NOT NULL, next_enc BLOB, epoch INT NOT NULL,"
	" rotating INT NOT NULL DEFAULT 0, rot_started INT NOT NULL DEFAULT 0,"
	" created INT NOT NULL, key_created INT NOT NULL);"
	"CREATE TABLE members(device BLOB NOT NULL REFERENCES devices(id) ON DELETE CASCADE,"
	" topic TEXT NOT NULL REFERENCES topics(name) ON DELETE CASCADE,"
	" PRIMARY KEY(device, topic));"
	"CREATE INDEX members_topic ON members(topic);"
	"CREATE TABLE c2keys(id INTEGER PRIMARY KEY, pub BLOB NOT NULL, sk_enc BLOB NOT NULL,"
	" created INT NOT NULL);"
	"CREATE TABLE outbox(seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" device BLOB NOT NULL REFERENCES devices(id) ON DELETE CASCADE,"
	" code INT NOT NULL, args_enc BLOB, topic TEXT NOT NULL DEFAULT '',"
	" epoch INT NOT NULL DEFAULT 0, state INT NOT NULL DEFAULT 0,"
	" attempts INT NOT NULL DEFAULT 0, next_try INT NOT NULL DEFAULT 0,"
	" created INT NOT NULL, done_at INT NOT NULL DEFAULT 0, status INT NOT NULL DEFAULT -1);"
	"CREATE INDEX outbox_device ON outbox(device, state, seq);"
	"CREATE INDEX outbox_open ON outbox(state, next_try);"
	"CREATE INDEX outbox_topic ON outbox(topic, epoch, code);"
	"CREATE TABLE attempts(digest BLOB PRIMARY KEY,"
	" seq INT NOT NULL REFERENCES outbox(seq) ON DELETE CASCADE, ts INT NOT NULL);"
	"CREATE INDEX attempts_seq ON attempts(seq);"
	"CREATE TABLE audit(seq INTEGER PRIMARY KEY AUTOINCREMENT, at INT NOT NULL,"
	" uid INT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL);"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;",
	/*
	 * 2: indexes that keep an outbox pass and a rotation's completion check
	 * proportional to the work done, not to the size of the outbox: due
	 * commands in (state, next_try, seq) order without a sort, and the open
	 * commands of a rotation found by one seek.  sent_at (ms) of the last
	 * attempt: a command holds one of the max_inflight slots only until its
	 * ack timeout, so that sleeping devices do not stall everyone else.
	 */
	"DROP INDEX outbox_open;"
	"CREATE INDEX outbox_due ON outbox(state, next_try, seq);"
	"DROP INDEX outbox_topic;"
	"CREATE INDEX outbox_topic ON outbox(topic, epoch, code, state);"
	"ALTER TABLE outbox ADD COLUMN sent_at INT NOT NULL DEFAULT 0;"
	"CREATE INDEX outbox_sent ON outbox(state, sent_at);",
	/*
	 * 3: the outbox is rebuilt so that each command costs a pass and an ack
	 * what it publishes, not what the outbox has accumulated.  done_at is 0
	 * exactly while a command is unfinished (pending or sent).  The indexes
	 * that schedule delivery hold unfinished commands only (partial,
	 * "done_at = 0"): a finished command leaves them, a week of history does
	 * not make every pass and every ack touch more pages, and sending a
	 * command (which changes its state, not done_at) leaves the indexes by
	 * device and by topic alone.  Finished commands keep no arguments (no
	 * key material in the history) and are found for counts, progress and
	 * pruning through indexes of their own ("done_at > 0").  No foreign key on the device any more: it needed an index on
	 * every command ever queued, in random order, updated at each insert;
	 * removing a device deletes its unfinished commands explicitly, and its
	 * history, which holds no secret, ages out with everyone's.  The last
	 * attempt (digest, timestamp) lives in the command's row; `attempts`
	 * keeps the earlier attempts of a command whose frame changed, so a
	 * late ack of one of those is still recognised.  The max_inflight window
	 * is counted in memory (outbox.c), not through an index of send times.
	 * Run with foreign keys
	 * off (db.c), so that dropping the old table keeps `attempts`; the
	 * AUTOINCREMENT counter is carried over so no sequence is ever reused.
	 */
	"CREATE TEMP TABLE outbox_seq AS SELECT seq FROM sqlite_sequence WHERE name = 'outbox';"
	"CREATE TABLE outbox3(seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" device BLOB NOT NULL CHECK(length(device) = 16),"
	" code INT NOT NULL, args_enc BLOB, topic TEXT NOT NULL DEFAULT '',"
	" epoch INT NOT NULL DEFAULT 0, state INT NOT NULL DEFAULT 0,"
	" attempts INT NOT NULL DEFAULT 0, next_try INT NOT NULL DEFAULT 0,"
	" created INT NOT NULL, done_at INT NOT NULL DEFAULT 0, status INT NOT NULL DEFAULT -1,"
	" sent_at INT NOT NULL DEFAULT 0, digest BLOB, ts INT NOT NULL DEFAULT 0);"
	"INSERT INTO outbox3(seq, device, code, args_enc, topic, epoch, state, attempts, next_try,"
	" created, done_at, status, sent_at, digest, ts)"
	" SELECT o.seq, o.device, o.code, CASE WHEN o.state < 2 THEN o.args_enc END, o.topic,"
	" o.epoch, o.state, o.attempts, o.next_try, o.created,"
	" CASE WHEN o.state < 2 THEN 0 WHEN o.done_at > 0 THEN o.done_at ELSE 1 END,"
	" o.status, o.sent_at,"
	" (SELECT a.digest FROM attempts a WHERE a.seq = o.seq ORDER BY a.ts DESC LIMIT 1),"
	" coalesce((SELECT max(a.ts) FROM attempts a WHERE a.seq = o.seq), 0) FROM outbox o;"
	"DELETE FROM attempts WHERE digest IN (SELECT digest FROM outbox3 WHERE digest IS NOT NULL);"
	"DROP TABLE outbox;"
	"ALTER TABLE outbox3 RENAME TO outbox;"
	"DELETE FROM sqlite_sequence WHERE name = 'outbox';"
	"INSERT INTO sqlite_sequence(name, seq) SELECT 'outbox', max(coalesce((SELECT max(seq)"
	" FROM temp.outbox_seq), 0), coalesce((SELECT max(seq) FROM outbox), 0));"
	"DROP TABLE temp.outbox_seq;"
	"CREATE INDEX outbox_head ON outbox(device, seq) WHERE done_at = 0;"
	"CREATE INDEX outbox_due ON outbox(state, next_try, seq) WHERE done_at = 0;"
	"CREATE INDEX outbox_topic ON outbox(topic, epoch, code) WHERE done_at = 0;"
	"CREATE INDEX outbox_done ON outbox(state, done_at) WHERE done_at > 0;"
	"CREATE INDEX outbox_done_topic ON outbox(topic, epoch, code, state) WHERE done_at > 0;"
	/*
	 * A topic's members are listed in pages by name: the name (immutable)
	 * is copied into the membership, whose index by topic then gives the
	 * pages in order without sorting the whole membership for each one.
	 */
	"ALTER TABLE members ADD COLUMN name TEXT NOT NULL DEFAULT '';"
	"UPDATE members SET name = (SELECT d.name FROM devices d WHERE d.id = members.device);"
	"DROP INDEX members_topic;"
	"CREATE INDEX members_topic ON members(topic, name);",
	/*
	 * 4: topics.rotating holds the phase of a rotation (enum c2_rot_phase:
	 * 1 as before, 2 activating, 3 retiring the replaced key), rot_leave
	 * marks a leave rekey.
	 */
	"ALTER TABLE topics ADD COLUMN rot_leave INT NOT NULL DEFAULT 0;",
	/*
	 * 5: the audit log keeps what people did; the daemon's own entries
	 * (uid -1: automatic rotations, failed commands) may be deleted once
	 * older than audit_routine_keep.  The delete trigger now refuses only
	 * people's entries, and an index finds the daemon's by age.
	 */
	"DROP TRIGGER audit_no_delete;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit WHEN OLD.uid >= 0"
	" BEGIN SELECT RAISE(ABORT, 'audit log entries of people are never deleted'); END;"
	"CREATE INDEX audit_routine ON audit(at) WHERE uid < 0;",
};

int c2__schema_count(void)
{
	return (int)(sizeof(migrations) / sizeof(migrations[0]));
}

const char *c2__schema_migration(int i)
{
	return migrations[i];
}
