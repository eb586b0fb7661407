/*
 * db_outbox.c - the SQLite backend's outbox (commands awaiting delivery,
 * their attempts) and the append-only audit log.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "db_priv.h"

/*
 * Unfinished commands are selected with "state < 2" (pending or sent), a
 * range on the indexes: "state IN (0, 1)" would make SQLite build a
 * temporary table for the list at every execution.
 */
#define CMD_COLS "seq, device, code, args_enc, topic, epoch, state, attempts, next_try," \
	" created, status, sent_at"

/* Associated data of a command's arguments: bound to its sequence and device. */
static void cmd_ad(char *ad, size_t cap, int64_t seq, const uint8_t dev[E4_ID_LEN])
{
	uint8_t row[8 + E4_ID_LEN];

	e4_store_le64(row, (uint64_t)seq);
	memcpy(row + 8, dev, E4_ID_LEN);
	c2__ad(ad, cap, "outbox.args", row, sizeof(row));
}

/* Reads a command row selected with CMD_COLS, opening its arguments when asked. */
static int read_cmd(struct c2_db *db, sqlite3_stmt *st, struct c2_cmd *c, int open_args)
{
	const void *b = sqlite3_column_blob(st, 1);
	char ad[96];
	int n;

	memset(c, 0, sizeof(*c));
	c->seq = sqlite3_column_int64(st, 0);
	if (b == NULL || sqlite3_column_bytes(st, 1) != E4_ID_LEN)
		return -1;
	memcpy(c->device, b, E4_ID_LEN);
	c->code = sqlite3_column_int(st, 2);
	n = sqlite3_column_bytes(st, 3);
	if (n > 0 && open_args) {
		if (n < C2_SEAL_OVERHEAD || n - C2_SEAL_OVERHEAD > C2_ARGS_MAX)
			return -1;
		c->args_len = (size_t)n - C2_SEAL_OVERHEAD;
		cmd_ad(ad, sizeof(ad), c->seq, c->device);
		if (c2__col_sealed(db, st, 3, c->args, c->args_len, ad) != 0)
			return -1;
	}
	snprintf(c->topic, sizeof(c->topic), "%s", (const char *)sqlite3_column_text(st, 4));
	c->epoch = sqlite3_column_int64(st, 5);
	c->state = sqlite3_column_int(st, 6);
	c->attempts = sqlite3_column_int64(st, 7);
	c->next_try = sqlite3_column_int64(st, 8);
	c->created = sqlite3_column_int64(st, 9);
	c->status = sqlite3_column_int(st, 10);
	c->sent_at = sqlite3_column_int64(st, 11);
	return 0;
}

int c2_db_cmd_add(struct c2_db *db, struct c2_cmd *c)
{
	sqlite3_stmt *st = c2__st(db, "INSERT INTO outbox(device, code, topic, epoch, next_try,"
	                              " created) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
	char ad[96];

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, c->device, E4_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, c->code);
	sqlite3_bind_text(st, 3, c->topic, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, c->epoch);
	sqlite3_bind_int64(st, 5, c->next_try);
	sqlite3_bind_int64(st, 6, c->created);
	if (c2__done(db, st) != 0)
		return -1;
	c->seq = sqlite3_last_insert_rowid(db->h);
	if (c->args_len == 0)
		return 0;
	st = c2__st(db, "UPDATE outbox SET args_enc = ?2 WHERE seq = ?1");
	if (st == NULL)
		return -1;
	cmd_ad(ad, sizeof(ad), c->seq, c->device);
	sqlite3_bind_int64(st, 1, c->seq);
	if (c2__bind_sealed(db, st, 2, c->args, c->args_len, ad) != 0)
		return -1;
	return c2__done(db, st);
}

int c2_db_cmd_get(struct c2_db *db, int64_t seq, struct c2_cmd *c)
{
	sqlite3_stmt *st = c2__st(db, "SELECT " CMD_COLS " FROM outbox WHERE seq = ?1");
	int rc = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, seq);
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = read_cmd(db, st, c, 1);
	sqlite3_reset(st);
	return rc;
}

/* Calls fn on the rows of a due query until it asks to stop; 1 when it did. */
static int walk_due(struct c2_db *db, sqlite3_stmt *st, c2_cmd_fn fn, void *ctx)
{
	struct c2_cmd c;
	int stop = 0;

	while (!stop && sqlite3_step(st) == SQLITE_ROW) {
		if (read_cmd(db, st, &c, 1) != 0) {
			c2_log(C2_LOG_ERROR, "outbox", "command %lld unreadable", (long long)c.seq);
			continue;
		}
		stop = fn(ctx, &c);
		e4_wipe(&c, sizeof(c));
	}
	sqlite3_reset(st);
	return stop;
}

int c2_db_cmd_due(struct c2_db *db, int64_t now_ms, long limit, c2_cmd_fn fn, void *ctx)
{
	/*
	 * Only the head of each device queue (delivery is in order per device):
	 * retries first, then new commands, each read in index order so a pass
	 * costs what it publishes, whatever the size of the outbox.
	 */
	static const char *const sql[] = {
		"SELECT " CMD_COLS " FROM outbox o WHERE state = 1 AND next_try <= ?1"
		" AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.device = o.device"
		" AND p.state < 2 AND p.seq < o.seq) ORDER BY next_try, seq LIMIT ?2",
		"SELECT " CMD_COLS " FROM outbox o WHERE state = 0 AND next_try <= ?1"
		" AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.device = o.device"
		" AND p.state < 2 AND p.seq < o.seq) ORDER BY next_try, seq LIMIT ?2",
	};
	sqlite3_stmt *st;
	size_t i;

	for (i = 0; i < 2; i++) {
		st = c2__st(db, sql[i]);
		if (st == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, now_ms);
		sqlite3_bind_int64(st, 2, limit);
		if (walk_due(db, st, fn, ctx) != 0)
			break;
	}
	return 0;
}

int c2_db_cmd_head(struct c2_db *db, const uint8_t id[E4_ID_LEN], struct c2_cmd *c)
{
	/* min() over the index: no temporary B-tree (and its page cache) per call. */
	sqlite3_stmt *st = c2__st(db, "SELECT " CMD_COLS " FROM outbox WHERE seq = (SELECT min(seq)"
	                              " FROM outbox WHERE device = ?1 AND state < 2)");
	int rc = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, id, E4_ID_LEN, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = read_cmd(db, st, c, 0);
	sqlite3_reset(st);
	return rc;
}

int c2_db_cmd_set_state(struct c2_db *db, int64_t seq, int state, int status, int64_t next_try)
{
	sqlite3_stmt *st = c2__st(db, "UPDATE outbox SET state = ?2, status = ?3, next_try = ?4,"
	                              " done_at = CASE WHEN ?2 >= 2 THEN ?5 ELSE 0 END"
	                              " WHERE seq = ?1");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int(st, 2, state);
	sqlite3_bind_int(st, 3, status);
	sqlite3_bind_int64(st, 4, next_try);
	sqlite3_bind_int64(st, 5, c2_now_ms() / 1000);
	return c2__done(db, st);
}

int c2_db_cmd_sent(struct c2_db *db, int64_t seq, int64_t sent_at, int64_t next_try,
                   const uint8_t digest[16], int64_t ts)
{
	sqlite3_stmt *st = c2__st(db, "UPDATE outbox SET state = 1, attempts = attempts + 1,"
	                              " next_try = ?2, sent_at = ?3 WHERE seq = ?1");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, next_try);
	sqlite3_bind_int64(st, 3, sent_at);
	if (c2__done(db, st) != 0)
		return -1;
	st = c2__st(db, "INSERT OR REPLACE INTO attempts(digest, seq, ts) VALUES(?1, ?2, ?3)");
	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, digest, 16, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_int64(st, 3, ts);
	return c2__done(db, st);
}

int c2_db_cmd_by_digest(struct c2_db *db, const uint8_t digest[16], int64_t *seq)
{
	sqlite3_stmt *st = c2__st(db, "SELECT seq FROM attempts WHERE digest = ?1");
	int rc = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, digest, 16, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st, 0);
		rc = 0;
	}
	sqlite3_reset(st);
	return rc;
}

int c2_db_cmd_last_ts(struct c2_db *db, int64_t seq, int64_t *ts)
{
	sqlite3_stmt *st = c2__st(db, "SELECT max(ts) FROM attempts WHERE seq = ?1");
	int rc = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, seq);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*ts = sqlite3_column_int64(st, 0);
		rc = 0;
	}
	sqlite3_reset(st);
	return rc;
}

/* Runs a single-number query with up to one blob and one text parameter. */
static int count(struct c2_db *db, const char *sql, const uint8_t *id, const char *text,
                 long *n)
{
	sqlite3_stmt *st = c2__st(db, sql);

	if (st == NULL)
		return -1;
	if (id != NULL)
		sqlite3_bind_blob(st, 1, id, E4_ID_LEN, SQLITE_STATIC);
	if (text != NULL)
		sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	return c2__number(st, n);
}

int c2_db_cmd_count(struct c2_db *db, const char *state, long *n)
{
	static const char *const sql[] = {
		"SELECT count(*) FROM outbox WHERE state < 2",
		"SELECT count(*) FROM outbox WHERE state = 2",
		"SELECT count(*) FROM outbox WHERE state = 3",
	};
	int i = strcmp(state, "pending") == 0 ? 0 : strcmp(state, "done") == 0 ? 1 : 2;

	return count(db, sql[i], NULL, NULL, n);
}

int c2_db_cmd_inflight(struct c2_db *db, long *n)
{
	return count(db, "SELECT count(*) FROM outbox WHERE state = 1", NULL, NULL, n);
}

int c2_db_cmd_slots(struct c2_db *db, int64_t since_ms, long *n)
{
	sqlite3_stmt *st = c2__st(db, "SELECT count(*) FROM outbox WHERE state = 1 AND sent_at > ?1");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, since_ms);
	return c2__number(st, n);
}

int c2_db_cmd_device_pending(struct c2_db *db, const uint8_t id[E4_ID_LEN], long *n)
{
	return count(db, "SELECT count(*) FROM outbox WHERE device = ?1 AND state < 2",
	             id, NULL, n);
}

int c2_db_cmd_wake_device(struct c2_db *db, const uint8_t id[E4_ID_LEN], int64_t now_ms)
{
	sqlite3_stmt *st = c2__st(db, "UPDATE outbox SET next_try = ?2 WHERE device = ?1"
	                              " AND state < 2 AND next_try > ?2");

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, id, E4_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now_ms);
	return c2__done(db, st);
}

int c2_db_cmd_wake_all(struct c2_db *db, int64_t now_ms)
{
	sqlite3_stmt *st = c2__st(db, "UPDATE outbox SET next_try = ?1 WHERE state = 1"
	                              " AND next_try > ?1");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now_ms);
	return c2__done(db, st);
}

int c2_db_cmd_cancel(struct c2_db *db, const uint8_t *id, const char *topic, int code)
{
	sqlite3_stmt *st = c2__st(db, "UPDATE outbox SET state = 4 WHERE state < 2"
	                              " AND (?1 IS NULL OR device = ?1) AND topic = ?2"
	                              " AND (?3 < 0 OR code = ?3)");

	if (st == NULL)
		return -1;
	if (id != NULL)
		sqlite3_bind_blob(st, 1, id, E4_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, topic, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, code);
	return c2__done(db, st);
}

int c2_db_cmd_progress(struct c2_db *db, const char *topic, int64_t epoch, int code,
                       long *done, long *total)
{
	sqlite3_stmt *st = c2__st(db, "SELECT coalesce(sum(state = 2), 0), count(*) FROM outbox"
	                              " WHERE topic = ?1 AND epoch = ?2 AND code = ?3 AND state != 4");

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, topic, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, epoch);
	sqlite3_bind_int(st, 3, code);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return -1;
	}
	*done = (long)sqlite3_column_int64(st, 0);
	*total = (long)sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	return 0;
}

int c2_db_cmd_topic_open(struct c2_db *db, const char *topic, int64_t epoch, int code)
{
	sqlite3_stmt *st = c2__st(db, "SELECT 1 FROM outbox WHERE topic = ?1 AND epoch = ?2"
	                              " AND code = ?3 AND state < 2 LIMIT 1");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, topic, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, epoch);
	sqlite3_bind_int(st, 3, code);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int c2_db_audit(struct c2_db *db, long uid, const char *action, const char *detail)
{
	sqlite3_stmt *st = c2__st(db, "INSERT INTO audit(at, uid, action, detail)"
	                              " VALUES(?1, ?2, ?3, ?4)");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, c2_now_ms() / 1000);
	sqlite3_bind_int64(st, 2, uid);
	sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, detail, -1, SQLITE_STATIC);
	return c2__done(db, st);
}

int c2_db_audit_list(struct c2_db *db, long limit, c2_audit_fn fn, void *ctx)
{
	sqlite3_stmt *st = c2__st(db, "SELECT * FROM (SELECT seq, at, uid, action, detail FROM audit"
	                              " ORDER BY seq DESC LIMIT ?1) ORDER BY seq");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(ctx, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
		       (long)sqlite3_column_int64(st, 2), (const char *)sqlite3_column_text(st, 3),
		       (const char *)sqlite3_column_text(st, 4)) != 0)
			break;
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int c2_db_cmd_prune(struct c2_db *db, int64_t before)
{
	sqlite3_stmt *st = c2__st(db, "DELETE FROM outbox WHERE state >= 2 AND done_at < ?1");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, before);
	return c2__done(db, st);
}

int c2_db_cmd_any_due(struct c2_db *db, int64_t now_ms)
{
	sqlite3_stmt *st = c2__st(db, "SELECT EXISTS (SELECT 1 FROM outbox WHERE state = 0"
	                              " AND next_try <= ?1) OR EXISTS (SELECT 1 FROM outbox"
	                              " WHERE state = 1 AND next_try <= ?1)");
	int rc;

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, now_ms);
	rc = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) != 0;
	sqlite3_reset(st);
	return rc;
}
