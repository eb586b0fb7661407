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
 * A command is unfinished (pending or sent) exactly while done_at is 0;
 * finishing it (done, failed, cancelled) sets done_at.  Unfinished
 * commands are selected with the literal term "done_at = 0" and finished
 * ones with "done_at > 0": the outbox indexes are partial on those terms
 * (schema 3), and SQLite uses a partial index only for a query whose WHERE
 * clause contains the index's own term.  Sending a command changes its
 * state but not done_at, so it leaves the indexes keyed by device and by
 * topic alone.
 */
#define CMD_COLS_P(p) p "seq, " p "device, " p "code, " p "args_enc, " p "topic, " p "epoch, " \
	p "state, " p "attempts, " p "next_try, " p "created, " p "status, " p "sent_at, " \
	p "digest, " p "ts"
#define CMD_COLS CMD_COLS_P("")
#define CMD_NCOLS 14

/* Associated data of a command's arguments: bound to its sequence and device. */
static void cmd_ad(char *ad, size_t cap, int64_t seq, const uint8_t dev[E4_ID_LEN])
{
	uint8_t row[8 + E4_ID_LEN];

	e4_store_le64(row, (uint64_t)seq);
	memcpy(row + 8, dev, E4_ID_LEN);
	c2__ad(ad, cap, "outbox.args", row, sizeof(row));
}

/* Reads a command selected with CMD_COLS_P from column b on, opening its arguments when asked. */
static int read_cmd(struct c2_db *db, sqlite3_stmt *st, int b, struct c2_cmd *c, int open_args)
{
	const void *blob = sqlite3_column_blob(st, b + 1);
	char ad[96];
	int n;

	memset(c, 0, sizeof(*c));
	c->seq = sqlite3_column_int64(st, b);
	if (blob == NULL || sqlite3_column_bytes(st, b + 1) != E4_ID_LEN)
		return -1;
	memcpy(c->device, blob, E4_ID_LEN);
	c->code = sqlite3_column_int(st, b + 2);
	n = sqlite3_column_bytes(st, b + 3);
	if (n > 0 && open_args) {
		if (n < C2_SEAL_OVERHEAD || n - C2_SEAL_OVERHEAD > C2_ARGS_MAX)
			return -1;
		c->args_len = (size_t)n - C2_SEAL_OVERHEAD;
		cmd_ad(ad, sizeof(ad), c->seq, c->device);
		if (c2__col_sealed(db, st, b + 3, c->args, c->args_len, ad) != 0)
			return -1;
	}
	snprintf(c->topic, sizeof(c->topic), "%s", (const char *)sqlite3_column_text(st, b + 4));
	c->epoch = sqlite3_column_int64(st, b + 5);
	c->state = sqlite3_column_int(st, b + 6);
	c->attempts = sqlite3_column_int64(st, b + 7);
	c->next_try = sqlite3_column_int64(st, b + 8);
	c->created = sqlite3_column_int64(st, b + 9);
	c->status = sqlite3_column_int(st, b + 10);
	c->sent_at = sqlite3_column_int64(st, b + 11);
	blob = sqlite3_column_blob(st, b + 12);
	if (blob != NULL && sqlite3_column_bytes(st, b + 12) == (int)sizeof(c->digest)) {
		memcpy(c->digest, blob, sizeof(c->digest));
		c->has_digest = 1;
	}
	c->ts = sqlite3_column_int64(st, b + 13);
	return 0;
}

/* The sequence the next outbox row gets (AUTOINCREMENT: larger than any ever used). */
static int next_seq(struct c2_db *db, int64_t *seq)
{
	sqlite3_stmt *st;
	int in_tx = !sqlite3_get_autocommit(db->h);

	/* Known within a transaction, which holds the database's write lock. */
	if (in_tx && db->next_seq > 0) {
		*seq = db->next_seq;
		return 0;
	}
	st = c2__st(db, "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0)"
	                " + 1");
	if (st == NULL || sqlite3_step(st) != SQLITE_ROW) {
		if (st != NULL)
			sqlite3_reset(st);
		return -1;
	}
	*seq = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

int c2_db_cmd_add(struct c2_db *db, struct c2_cmd *c)
{
	sqlite3_stmt *st = c2__st(db, "INSERT INTO outbox(seq, device, code, topic, epoch, next_try,"
	                              " created, args_enc) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
	char ad[96];

	/* The sequence is chosen first: the sealed arguments are bound to it. */
	if (st == NULL || next_seq(db, &c->seq) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, c->seq);
	sqlite3_bind_blob(st, 2, c->device, E4_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, c->code);
	sqlite3_bind_text(st, 4, c->topic, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, c->epoch);
	sqlite3_bind_int64(st, 6, c->next_try);
	sqlite3_bind_int64(st, 7, c->created);
	cmd_ad(ad, sizeof(ad), c->seq, c->device);
	if (c->args_len > 0 && c2__bind_sealed(db, st, 8, c->args, c->args_len, ad) != 0)
		return -1;
	if (c2__done(db, st) != 0)
		return -1;
	if (!sqlite3_get_autocommit(db->h))
		db->next_seq = c->seq + 1;
	return 0;
}

int c2_db_cmd_get(struct c2_db *db, int64_t seq, struct c2_cmd *c)
{
	sqlite3_stmt *st = c2__st(db, "SELECT " CMD_COLS " FROM outbox WHERE seq = ?1");
	int rc = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, seq);
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = read_cmd(db, st, 0, c, 1);
	sqlite3_reset(st);
	return rc;
}

/* Calls fn on the rows of a due query until it asks to stop; 1 when it did. */
static int walk_due(struct c2_db *db, sqlite3_stmt *st, c2_due_fn fn, void *ctx)
{
	uint8_t key[E4_KEY_LEN];
	struct c2_device d;
	struct c2_cmd c;
	int stop = 0, k;

	while (!stop && sqlite3_step(st) == SQLITE_ROW) {
		c2__read_device(st, CMD_NCOLS, &d);
		k = read_cmd(db, st, 0, &c, 1) == 0 ?
		    c2__device_key_col(db, st, CMD_NCOLS + C2__DEV_NCOLS, d.id, key) : -1;
		if (k < 0)
			c2_log(C2_LOG_ERROR, "outbox", "command %lld unreadable", (long long)c.seq);
		else
			stop = fn(ctx, &c, &d, k == 1 ? key : NULL);
		e4_wipe(&c, sizeof(c));
		e4_wipe(key, sizeof(key));
	}
	sqlite3_reset(st);
	return stop;
}

int c2_db_cmd_due(struct c2_db *db, int64_t now_ms, long limit, c2_due_fn fn, void *ctx)
{
	/*
	 * Only the head of each device queue (delivery is in order per device):
	 * retries first, then new commands, each read in index order so a pass
	 * costs what it publishes, whatever the size of the outbox; the device
	 * row and its key come in the same row.
	 */
#define DUE_SQL(state) "SELECT " CMD_COLS_P("o.") ", " C2__DEV_COLS("d.") ", d.key_enc" \
	" FROM outbox o JOIN devices d ON d.id = o.device" \
	" WHERE o.done_at = 0 AND o.state = " state " AND o.next_try <= ?1" \
	" AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.device = o.device" \
	" AND p.done_at = 0 AND p.seq < o.seq) ORDER BY o.next_try, o.seq LIMIT ?2"
	static const char *const sql[] = { DUE_SQL("1"), DUE_SQL("0") };
#undef DUE_SQL
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

int c2_db_ack_lookup(struct c2_db *db, const uint8_t id[E4_ID_LEN], struct c2_device *d,
                     uint8_t key[E4_KEY_LEN], int *have_key, struct c2_cmd *head, int *have_head)
{
	/* min() over the index: no temporary B-tree (and its page cache) per call. */
	sqlite3_stmt *st = c2__st(db, "SELECT " C2__DEV_COLS("d.") ", d.key_enc, " CMD_COLS_P("o.")
	                              " FROM devices d LEFT JOIN outbox o ON o.seq = (SELECT min(seq)"
	                              " FROM outbox WHERE device = d.id AND done_at = 0) WHERE d.id = ?1");
	int rc = -1, k, b = C2__DEV_NCOLS + 1;

	*have_key = *have_head = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, id, E4_ID_LEN, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		c2__read_device(st, 0, d);
		k = c2__device_key_col(db, st, C2__DEV_NCOLS, d->id, key);
		*have_key = k == 1;
		rc = k < 0 ? -2 : 0;
		/* Only SetIDKey needs its arguments here (the new key). */
		if (rc == 0 && sqlite3_column_type(st, b) != SQLITE_NULL)
			*have_head = read_cmd(db, st, b, head, sqlite3_column_int(st, b + 2) ==
			                      E4_CMD_SET_ID_KEY) == 0;
	}
	sqlite3_reset(st);
	return rc;
}

int c2_db_cmd_set_state(struct c2_db *db, int64_t seq, int state, int status, int64_t next_try)
{
	/* A finished command keeps no arguments: no key material stays in the history. */
	sqlite3_stmt *st = c2__st(db, "UPDATE outbox SET state = ?2, status = ?3, next_try = ?4,"
	                              " done_at = CASE WHEN ?2 >= 2 THEN max(?5, 1) ELSE 0 END,"
	                              " args_enc = CASE WHEN ?2 >= 2 THEN NULL ELSE args_enc END"
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

int c2_db_cmd_sent(struct c2_db *db, const struct c2_cmd *c, int64_t sent_at, int64_t next_try,
                   const uint8_t digest[16], int64_t ts)
{
	sqlite3_stmt *st;

	/* A new frame: the previous one goes to the history, where a late ack still finds it. */
	if (c->has_digest && memcmp(c->digest, digest, sizeof(c->digest)) != 0) {
		st = c2__st(db, "INSERT OR REPLACE INTO attempts(digest, seq, ts) VALUES(?1, ?2, ?3)");
		if (st == NULL)
			return -1;
		sqlite3_bind_blob(st, 1, c->digest, sizeof(c->digest), SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, c->seq);
		sqlite3_bind_int64(st, 3, c->ts);
		if (c2__done(db, st) != 0)
			return -1;
	}
	st = c2__st(db, "UPDATE outbox SET state = 1, attempts = attempts + 1, next_try = ?2,"
	                " sent_at = ?3, digest = ?4, ts = ?5 WHERE seq = ?1");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, c->seq);
	sqlite3_bind_int64(st, 2, next_try);
	sqlite3_bind_int64(st, 3, sent_at);
	sqlite3_bind_blob(st, 4, digest, 16, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, ts);
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
		"SELECT count(*) FROM outbox WHERE done_at = 0",
		"SELECT count(*) FROM outbox WHERE done_at > 0 AND state = 2",
		"SELECT count(*) FROM outbox WHERE done_at > 0 AND state = 3",
	};
	int i = strcmp(state, "pending") == 0 ? 0 : strcmp(state, "done") == 0 ? 1 : 2;

	return count(db, sql[i], NULL, NULL, n);
}

int c2_db_cmd_inflight(struct c2_db *db, long *n)
{
	return count(db, "SELECT count(*) FROM outbox WHERE done_at = 0 AND state = 1", NULL, NULL, n);
}

int c2_db_cmd_device_pending(struct c2_db *db, const uint8_t id[E4_ID_LEN], long *n)
{
	return count(db, "SELECT count(*) FROM outbox WHERE device = ?1 AND done_at = 0",
	             id, NULL, n);
}

int c2_db_cmd_wake_device(struct c2_db *db, const uint8_t id[E4_ID_LEN], int64_t now_ms)
{
	sqlite3_stmt *st = c2__st(db, "UPDATE outbox SET next_try = ?2 WHERE device = ?1"
	                              " AND done_at = 0 AND next_try > ?2");

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, id, E4_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now_ms);
	return c2__done(db, st);
}

int c2_db_cmd_wake_all(struct c2_db *db, int64_t now_ms)
{
	sqlite3_stmt *st = c2__st(db, "UPDATE outbox SET next_try = ?1 WHERE done_at = 0"
	                              " AND state = 1 AND next_try > ?1");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now_ms);
	return c2__done(db, st);
}

int c2_db_cmd_fold_ts(struct c2_db *db, int64_t seq)
{
	sqlite3_stmt *st = c2__st(db, "UPDATE devices SET last_ts = (SELECT ts FROM outbox"
	                              " WHERE seq = ?1) WHERE id = (SELECT device FROM outbox"
	                              " WHERE seq = ?1) AND last_ts < (SELECT ts FROM outbox"
	                              " WHERE seq = ?1)");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, seq);
	return c2__done(db, st);
}

/* Folds the timestamps of the sent commands about to be cancelled into their devices. */
static int cancel_fold(struct c2_db *db, const uint8_t *id, const char *topic, int code)
{
	sqlite3_stmt *st = c2__st(db, "UPDATE devices SET last_ts = max(last_ts, coalesce((SELECT"
	                              " max(o.ts) FROM outbox o WHERE o.done_at = 0"
	                              " AND o.device = devices.id AND +o.state = 1 AND +o.topic = ?2"
	                              " AND (?3 < 0 OR o.code = ?3)), 0)) WHERE id IN (SELECT device"
	                              " FROM outbox WHERE done_at = 0 AND topic = ?2"
	                              " AND (?3 < 0 OR code = ?3) AND state = 1"
	                              " AND (?1 IS NULL OR device = ?1))");

	if (st == NULL)
		return -1;
	if (id != NULL)
		sqlite3_bind_blob(st, 1, id, E4_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, topic, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, code);
	return c2__done(db, st);
}

int c2_db_cmd_cancel(struct c2_db *db, const uint8_t *id, const char *topic, int code)
{
	/* One device's queue (its head index), or every open command of the topic. */
	sqlite3_stmt *st = c2__st(db, id != NULL ?
	                          "UPDATE outbox SET state = 4, done_at = max(?4, 1), args_enc = NULL"
	                          " WHERE done_at = 0 AND device = ?1 AND +topic = ?2"
	                          " AND (?3 < 0 OR code = ?3)" :
	                          "UPDATE outbox SET state = 4, done_at = max(?4, 1), args_enc = NULL"
	                          " WHERE done_at = 0 AND topic = ?2 AND (?3 < 0 OR code = ?3)");

	if (st == NULL || cancel_fold(db, id, topic, code) != 0)
		return -1;
	sqlite3_bind_int64(st, 4, c2_now_ms() / 1000);
	if (id != NULL)
		sqlite3_bind_blob(st, 1, id, E4_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, topic, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, code);
	return c2__done(db, st);
}

int c2_db_cmd_progress(struct c2_db *db, const char *topic, int64_t epoch, int code,
                       long *done, long *total)
{
	/* Finished and unfinished commands are in different (partial) indexes. */
	sqlite3_stmt *st = c2__st(db, "SELECT (SELECT count(*) FROM outbox WHERE done_at > 0"
	                              " AND topic = ?1 AND epoch = ?2 AND code = ?3 AND state = 2),"
	                              " (SELECT count(*) FROM outbox WHERE done_at > 0 AND topic = ?1"
	                              " AND epoch = ?2 AND code = ?3 AND state = 3),"
	                              " (SELECT count(*) FROM outbox WHERE done_at = 0 AND topic = ?1"
	                              " AND epoch = ?2 AND code = ?3)");

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
	*total = *done + (long)sqlite3_column_int64(st, 1) + (long)sqlite3_column_int64(st, 2);
	sqlite3_reset(st);
	return 0;
}

int c2_db_cmd_topic_open(struct c2_db *db, const char *topic, int64_t epoch, int code,
                         int online_only)
{
	sqlite3_stmt *st = c2__st(db, online_only ?
	                          "SELECT 1 FROM outbox o JOIN devices d ON d.id = o.device"
	                          " WHERE o.topic = ?1 AND o.epoch = ?2 AND o.code = ?3"
	                          " AND o.done_at = 0 AND d.online = 1 LIMIT 1" :
	                          "SELECT 1 FROM outbox WHERE topic = ?1 AND epoch = ?2"
	                          " AND code = ?3 AND done_at = 0 LIMIT 1");
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

int c2_db_cmd_topic_waiting(struct c2_db *db, const char *topic, int64_t epoch, int code,
                            long limit, c2_device_fn fn, void *ctx)
{
	sqlite3_stmt *st = c2__st(db, "SELECT " C2__DEV_COLS("d.") " FROM outbox o"
	                              " JOIN devices d ON d.id = o.device WHERE o.topic = ?1"
	                              " AND o.epoch = ?2 AND o.code = ?3 AND o.done_at = 0"
	                              " ORDER BY d.name LIMIT ?4");

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, topic, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, epoch);
	sqlite3_bind_int(st, 3, code);
	sqlite3_bind_int64(st, 4, limit);
	return c2__each_device(st, fn, ctx);
}

int c2_db_cmd_cancel_rekey(struct c2_db *db, const char *topic)
{
	sqlite3_stmt *st = c2__st(db, "UPDATE outbox SET state = 4, done_at = max(?2, 1),"
	                              " args_enc = NULL WHERE done_at = 0 AND topic = ?1"
	                              " AND code IN (3, 8, 10) AND device NOT IN"
	                              " (SELECT id FROM devices WHERE legacy = 1)");

	/* Folding every open command of the topic is harmless: timestamps only grow. */
	if (st == NULL || cancel_fold(db, NULL, topic, -1) != 0)
		return -1;
	sqlite3_bind_text(st, 1, topic, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, c2_now_ms() / 1000);
	return c2__done(db, st);
}

int c2_db_cmd_open_count(struct c2_db *db, const uint8_t *id, int code, long *n)
{
	sqlite3_stmt *st = c2__st(db, id != NULL ?
	                          "SELECT count(*) FROM outbox WHERE device = ?1 AND done_at = 0"
	                          " AND code = ?2" :
	                          "SELECT count(*) FROM outbox WHERE done_at = 0 AND code = ?2");

	if (st == NULL)
		return -1;
	if (id != NULL)
		sqlite3_bind_blob(st, 1, id, E4_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, code);
	return c2__number(st, n);
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
	sqlite3_stmt *st = c2__st(db, "DELETE FROM outbox WHERE done_at > 0 AND state IN (2, 3, 4)"
	                              " AND done_at < ?1");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, before);
	return c2__done(db, st);
}

int c2_db_cmd_any_due(struct c2_db *db, int64_t now_ms)
{
	sqlite3_stmt *st = c2__st(db, "SELECT EXISTS (SELECT 1 FROM outbox WHERE done_at = 0"
	                              " AND state = 0 AND next_try <= ?1) OR EXISTS (SELECT 1"
	                              " FROM outbox WHERE done_at = 0 AND state = 1"
	                              " AND next_try <= ?1)");
	int rc;

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, now_ms);
	rc = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) != 0;
	sqlite3_reset(st);
	return rc;
}
