/*
 * db.c - the SQLite storage backend: connection, pragmas, migrations,
 * statement cache, transactions, meta, devices, topics, memberships and
 * C2 keys.  The outbox and the audit log are in db_outbox.c.  Secrets are
 * sealed here (secret.c) with associated data naming table, column and
 * row, so a ciphertext copied to another row does not open.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db_priv.h"
#include "db_sqlite.h"

/* Returns a cached prepared statement for sql (a string literal), reset. */
sqlite3_stmt *c2__st(struct c2_db *db, const char *sql)
{
	size_t i;

	for (i = 0; i < DB_CACHE && db->cache[i].sql != NULL; i++)
		if (db->cache[i].sql == sql) {
			sqlite3_reset(db->cache[i].st);
			sqlite3_clear_bindings(db->cache[i].st);
			return db->cache[i].st;
		}
	if (i == DB_CACHE) {
		c2_log(C2_LOG_ERROR, "db", "statement cache full");
		return NULL;
	}
	if (sqlite3_prepare_v2(db->h, sql, -1, &db->cache[i].st, NULL) != SQLITE_OK) {
		c2_log(C2_LOG_ERROR, "db", "prepare: %s", sqlite3_errmsg(db->h));
		return NULL;
	}
	db->cache[i].sql = sql;
	return db->cache[i].st;
}

/* Steps a bound single-number query into *n, then resets it. */
int c2__number(sqlite3_stmt *st, long *n)
{
	int rc = -1;

	if (sqlite3_step(st) == SQLITE_ROW) {
		*n = (long)sqlite3_column_int64(st, 0);
		rc = 0;
	}
	sqlite3_reset(st);
	return rc;
}

/* Steps a statement that returns no row; 0 on SQLITE_DONE. */
int c2__done(struct c2_db *db, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	c2_log(C2_LOG_WARN, "db", "step: %s", sqlite3_errmsg(db->h));
	return -1;
}

/* Runs a statement with no parameters. */
static int exec(struct c2_db *db, const char *sql, char *err, size_t cap)
{
	char *msg = NULL;

	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	snprintf(err, cap, "%s", msg != NULL ? msg : "sqlite error");
	sqlite3_free(msg);
	return -1;
}

/* Applies every migration newer than the database's user_version. */
static int migrate(struct c2_db *db, char *err, size_t cap)
{
	sqlite3_stmt *st;
	char sql[64];
	int v, i;

	if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	if (v < 0 || v > c2__schema_count()) {
		snprintf(err, cap, "database schema version %d is not supported", v);
		return -1;
	}
	for (i = v; i < c2__schema_count(); i++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", i + 1);
		if (exec(db, "BEGIN IMMEDIATE", err, cap) != 0)
			return -1;
		if (exec(db, c2__schema_migration(i), err, cap) != 0 || exec(db, sql, err, cap) != 0 ||
		    exec(db, "COMMIT", err, cap) != 0) {
			c2_db_rollback(db);
			return -1;
		}
	}
	return 0;
}

/* True for SQLite names that are not files of their own (":memory:", URIs, ""). */
static int is_file_path(const char *path)
{
	return path[0] != '\0' && strcmp(path, ":memory:") != 0 && strncmp(path, "file:", 5) != 0;
}

/*
 * Makes path (a database, or its -wal or -shm file) private: SQLite
 * creates files 0644 minus the umask, and its -wal and -shm files take
 * the database's mode, so the database is created (create) or fixed
 * 0600 before SQLite opens it.  A missing -wal or -shm file is fine.
 */
static int make_private(const char *path, int create, char *err, size_t cap)
{
	struct stat st;
	int fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
	const char *why = NULL;

	if (fd < 0 && !create && errno == ENOENT)
		return 0;
	if (fd < 0 || fstat(fd, &st) != 0)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if ((st.st_mode & 077) != 0 && fchmod(fd, 0600) != 0)
		why = strerror(errno);
	else if ((st.st_mode & 077) != 0 && st.st_size > 0)
		c2_log(C2_LOG_WARN, "db", "%s was accessible by group or others; now mode 0600", path);
	if (fd >= 0)
		close(fd);
	if (why != NULL) {
		snprintf(err, cap, "%s: %s", path, why);
		return -1;
	}
	return 0;
}

/* Makes the database and its -wal and -shm files 0600 (see make_private). */
static int private_files(const char *path, int create, char *err, size_t cap)
{
	char side[C2_PATH_MAX + 8];

	if (!is_file_path(path))
		return 0;
	if (make_private(path, create, err, cap) != 0)
		return -1;
	snprintf(side, sizeof(side), "%s-wal", path);
	if (make_private(side, 0, err, cap) != 0)
		return -1;
	snprintf(side, sizeof(side), "%s-shm", path);
	return make_private(side, 0, err, cap);
}

int c2_db_open(struct c2_db **out, const char *path, const uint8_t mk[C2_MASTER_KEY_LEN],
               int create, char *err, size_t cap)
{
	struct c2_db *db = calloc(1, sizeof(*db));
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);

	*out = NULL;
	if (db == NULL) {
		snprintf(err, cap, "out of memory");
		return -1;
	}
	memcpy(db->mk, mk, C2_MASTER_KEY_LEN);
	if (private_files(path, create, err, cap) != 0) {
		c2_db_close(db);
		return -1;
	}
	if (sqlite3_open_v2(path, &db->h, flags, NULL) != SQLITE_OK) {
		snprintf(err, cap, "%s: %s", path, db->h ? sqlite3_errmsg(db->h) : "cannot open");
		c2_db_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db->h, 5000);
	/* Foreign keys are enforced once migrated: a migration may rebuild a table. */
	if (exec(db, "PRAGMA secure_delete = ON; PRAGMA journal_mode = WAL;"
	             "PRAGMA synchronous = FULL;", err, cap) != 0 ||
	    migrate(db, err, cap) != 0 || exec(db, "PRAGMA foreign_keys = ON", err, cap) != 0 ||
	    private_files(path, 0, err, cap) != 0) {
		c2_db_close(db);
		return -1;
	}
	*out = db;
	return 0;
}

/*
 * Writes a consistent copy of the database to path with VACUUM INTO: one
 * read transaction sees every committed change, including those still in
 * the WAL, and the copy is a single file (no -wal) holding the same
 * sealed keys.  path must not exist: it is created 0600 here (VACUUM INTO
 * would create it 0644 minus the umask), and removed again on failure.
 */
int c2_db_backup(struct c2_db *db, const char *path, char *err, size_t cap)
{
	sqlite3_stmt *st = NULL;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	int rc = -1;

	if (fd < 0) {
		snprintf(err, cap, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0600) != 0) {
		snprintf(err, cap, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	if (sqlite3_prepare_v2(db->h, "VACUUM INTO ?1", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_DONE)
		rc = 0;
	else
		snprintf(err, cap, "backup to %s: %s", path, sqlite3_errmsg(db->h));
	sqlite3_finalize(st);
	if (rc != 0)
		unlink(path);
	return rc;
}

void c2_db_close(struct c2_db *db)
{
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < DB_CACHE; i++)
		if (db->cache[i].st != NULL)
			sqlite3_finalize(db->cache[i].st);
	sqlite3_close(db->h);
	e4_wipe(db->mk, sizeof(db->mk));
	free(db);
}

int c2_db_schema_version(struct c2_db *db)
{
	(void)db;
	return c2__schema_count();
}

/*
 * Runs a statement without parameters from the statement cache: the
 * transaction statements run several times per second, and sqlite3_exec
 * would parse them each time.  Logs "what: error" on failure.
 */
static int run(struct c2_db *db, const char *sql, const char *what)
{
	sqlite3_stmt *st = c2__st(db, sql);
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	c2_log(C2_LOG_ERROR, "db", "%s: %s", what, sqlite3_errmsg(db->h));
	return -1;
}

int c2_db_begin(struct c2_db *db)
{
	db->next_seq = 0;
	return run(db, "BEGIN IMMEDIATE", "begin");
}

/*
 * Begins a transaction whose commit is not fsynced (WAL, synchronous
 * NORMAL): used for acks, whose effects become durable with the next
 * fully synced commit, which always precedes their first visible
 * consequence (a publication).  Losing one to a power cut only makes the
 * C2 resend a command, which the device acks as a duplicate.
 */
int c2_db_begin_relaxed(struct c2_db *db)
{
	if (run(db, "PRAGMA synchronous = NORMAL", "synchronous") != 0)
		return -1;
	return c2_db_begin(db);
}

/* Restores fully synced commits after a relaxed transaction. */
void c2_db_end_relaxed(struct c2_db *db)
{
	run(db, "PRAGMA synchronous = FULL", "synchronous");
}

int c2_db_commit(struct c2_db *db)
{
	db->next_seq = 0;
	if (run(db, "COMMIT", "commit") == 0)
		return 0;
	c2_db_rollback(db);
	return -1;
}

void c2_db_rollback(struct c2_db *db)
{
	db->next_seq = 0;
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

int c2_db_meta_get(struct c2_db *db, const char *key, char *out, size_t cap)
{
	sqlite3_stmt *st = c2__st(db, "SELECT value FROM meta WHERE key = ?1");
	int rc = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
		rc = 0;
	}
	sqlite3_reset(st);
	return rc;
}

int c2_db_meta_set(struct c2_db *db, const char *key, const char *value)
{
	sqlite3_stmt *st = c2__st(db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)");

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	return c2__done(db, st);
}

/* Writes the associated data "what:<hex of len bytes>" for a sealed column. */
void c2__ad(char *out, size_t cap, const char *what, const uint8_t *row, size_t len)
{
	char hex[2 * 64 + 1];

	e4_hex_encode(hex, row, len > 64 ? 64 : len);
	snprintf(out, cap, "%s:%s", what, hex);
}

/* Seals plain under the master key and binds it as parameter idx. */
int c2__bind_sealed(struct c2_db *db, sqlite3_stmt *st, int idx, const uint8_t *plain,
                    size_t len, const char *ad)
{
	uint8_t buf[C2_SEAL_OVERHEAD + 128];

	if (plain == NULL) {
		sqlite3_bind_null(st, idx);
		return 0;
	}
	if (len > 128 || c2_secret_seal(db->mk, buf, plain, len, ad) != 0)
		return -1;
	sqlite3_bind_blob(st, idx, buf, (int)(len + C2_SEAL_OVERHEAD), SQLITE_TRANSIENT);
	return 0;
}

/* Opens sealed column col of the current row into out (exactly len bytes). */
int c2__col_sealed(struct c2_db *db, sqlite3_stmt *st, int col, uint8_t *out, size_t len,
                   const char *ad)
{
	const uint8_t *b = sqlite3_column_blob(st, col);
	size_t n = (size_t)sqlite3_column_bytes(st, col);

	if (b == NULL || n != len + C2_SEAL_OVERHEAD)
		return -1;
	if (c2_secret_open(db->mk, out, b, n, ad) != 0) {
		c2_log(C2_LOG_ERROR, "db", "sealed value %s does not verify (tampered or moved)", ad);
		return -1;
	}
	return 0;
}

#define DEV_COLS C2__DEV_COLS("")

/* Reads a device row selected with C2__DEV_COLS from column `base` on. */
void c2__read_device(sqlite3_stmt *st, int base, struct c2_device *d)
{
	const void *b;

	memset(d, 0, sizeof(*d));
	b = sqlite3_column_blob(st, base);
	if (b != NULL && sqlite3_column_bytes(st, base) == E4_ID_LEN)
		memcpy(d->id, b, E4_ID_LEN);
	snprintf(d->name, sizeof(d->name), "%s", (const char *)sqlite3_column_text(st, base + 1));
	d->legacy = sqlite3_column_int(st, base + 2);
	b = sqlite3_column_blob(st, base + 3);
	if (b != NULL && sqlite3_column_bytes(st, base + 3) == E4_ED25519_PK_LEN)
		memcpy(d->pub, b, E4_ED25519_PK_LEN);
	d->c2key = sqlite3_column_int64(st, base + 4);
	d->created = sqlite3_column_int64(st, base + 5);
	d->key_created = sqlite3_column_int64(st, base + 6);
	d->last_ts = sqlite3_column_int64(st, base + 7);
	d->last_ack = sqlite3_column_int64(st, base + 8);
	d->last_seen = sqlite3_column_int64(st, base + 9);
	d->online = sqlite3_column_int(st, base + 10);
	d->has_sk = sqlite3_column_int(st, base + 11);
}

/* Opens a device's sealed key in column col when it is a 32-byte key; 1 when it was. */
int c2__device_key_col(struct c2_db *db, sqlite3_stmt *st, int col, const uint8_t id[E4_ID_LEN],
                       uint8_t key[E4_KEY_LEN])
{
	char ad[96];

	if (sqlite3_column_bytes(st, col) != E4_KEY_LEN + C2_SEAL_OVERHEAD)
		return 0;
	c2__ad(ad, sizeof(ad), "devices.key", id, E4_ID_LEN);
	return c2__col_sealed(db, st, col, key, E4_KEY_LEN, ad) == 0 ? 1 : -1;
}

int c2_db_device_add(struct c2_db *db, const struct c2_device *d, const uint8_t *key,
                     size_t key_len)
{
	sqlite3_stmt *st = c2__st(db, "INSERT INTO devices(id, name, legacy, key_enc, pub, c2key,"
	                              " created, key_created) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)");
	char ad[96];

	if (st == NULL)
		return -1;
	c2__ad(ad, sizeof(ad), "devices.key", d->id, E4_ID_LEN);
	sqlite3_bind_blob(st, 1, d->id, E4_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, d->legacy);
	if (c2__bind_sealed(db, st, 4, key, key_len, ad) != 0)
		return -1;
	if (key_len == E4_ED25519_SK_LEN || d->c2key != 0)
		sqlite3_bind_blob(st, 5, d->pub, E4_ED25519_PK_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, d->c2key);
	sqlite3_bind_int64(st, 7, d->created);
	return c2__done(db, st);
}

int c2_db_device_get(struct c2_db *db, const char *name, const uint8_t *id,
                     struct c2_device *d)
{
	sqlite3_stmt *st = c2__st(db, "SELECT " DEV_COLS " FROM devices WHERE name = ?1 OR id = ?2");
	int rc = -1;

	if (st == NULL)
		return -1;
	if (name != NULL)
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (id != NULL)
		sqlite3_bind_blob(st, 2, id, E4_ID_LEN, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		c2__read_device(st, 0, d);
		rc = 0;
	}
	sqlite3_reset(st);
	return rc;
}

int c2_db_device_key(struct c2_db *db, const uint8_t id[E4_ID_LEN], uint8_t *key, size_t len)
{
	sqlite3_stmt *st = c2__st(db, "SELECT key_enc FROM devices WHERE id = ?1");
	char ad[96];
	int rc = -1;

	if (st == NULL)
		return -1;
	c2__ad(ad, sizeof(ad), "devices.key", id, E4_ID_LEN);
	sqlite3_bind_blob(st, 1, id, E4_ID_LEN, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = c2__col_sealed(db, st, 0, key, len, ad);
	sqlite3_reset(st);
	return rc;
}

int c2_db_device_set_key(struct c2_db *db, const struct c2_device *d, const uint8_t *key,
                         size_t len)
{
	sqlite3_stmt *st = c2__st(db, "UPDATE devices SET key_enc = ?2, pub = ?3, key_created = ?4"
	                              " WHERE id = ?1");
	char ad[96];

	if (st == NULL)
		return -1;
	c2__ad(ad, sizeof(ad), "devices.key", d->id, E4_ID_LEN);
	sqlite3_bind_blob(st, 1, d->id, E4_ID_LEN, SQLITE_STATIC);
	if (c2__bind_sealed(db, st, 2, key, len, ad) != 0)
		return -1;
	if (len == E4_ED25519_SK_LEN)
		sqlite3_bind_blob(st, 3, d->pub, E4_ED25519_PK_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, d->key_created);
	return c2__done(db, st);
}

int c2_db_device_update(struct c2_db *db, const struct c2_device *d)
{
	sqlite3_stmt *st = c2__st(db, "UPDATE devices SET c2key = ?2, last_ts = ?3, last_ack = ?4,"
	                              " last_seen = ?5, online = ?6 WHERE id = ?1");

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, d->id, E4_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, d->c2key);
	sqlite3_bind_int64(st, 3, d->last_ts);
	sqlite3_bind_int64(st, 4, d->last_ack);
	sqlite3_bind_int64(st, 5, d->last_seen);
	sqlite3_bind_int(st, 6, d->online);
	return c2__done(db, st);
}

int c2_db_device_remove(struct c2_db *db, const uint8_t id[E4_ID_LEN])
{
	/* Its unfinished commands go with it; finished ones hold no secret and age out. */
	sqlite3_stmt *st = c2__st(db, "DELETE FROM outbox WHERE done_at = 0 AND device = ?1");

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, id, E4_ID_LEN, SQLITE_STATIC);
	if (c2__done(db, st) != 0)
		return -1;
	st = c2__st(db, "DELETE FROM devices WHERE id = ?1");
	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, id, E4_ID_LEN, SQLITE_STATIC);
	return c2__done(db, st);
}

/* Runs a device query (parameters bound) and calls fn for each row. */
int c2__each_device(sqlite3_stmt *st, c2_device_fn fn, void *ctx)
{
	struct c2_device d;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		c2__read_device(st, 0, &d);
		if (fn(ctx, &d) != 0)
			break;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int c2_db_device_list(struct c2_db *db, c2_device_fn fn, void *ctx)
{
	sqlite3_stmt *st = c2__st(db, "SELECT " DEV_COLS " FROM devices ORDER BY name");

	return st == NULL ? -1 : c2__each_device(st, fn, ctx);
}

int c2_db_device_page(struct c2_db *db, const char *after, long limit, c2_device_fn fn,
                      void *ctx)
{
	sqlite3_stmt *st = c2__st(db, "SELECT " DEV_COLS " FROM devices WHERE name > ?1"
	                              " ORDER BY name LIMIT ?2");

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, after != NULL ? after : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, limit);
	return c2__each_device(st, fn, ctx);
}

int c2_db_device_count(struct c2_db *db, long *n)
{
	sqlite3_stmt *st = c2__st(db, "SELECT count(*) FROM devices");

	return st == NULL ? -1 : c2__number(st, n);
}

#define TOPIC_COLS "name, hash, epoch, rotating, rot_started, created, key_created, rot_leave"

/* Reads a topic row selected with TOPIC_COLS. */
static void read_topic(sqlite3_stmt *st, struct c2_topic *t)
{
	const void *b = sqlite3_column_blob(st, 1);

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", (const char *)sqlite3_column_text(st, 0));
	if (b != NULL && sqlite3_column_bytes(st, 1) == E4_HASH_LEN)
		memcpy(t->hash, b, E4_HASH_LEN);
	t->epoch = sqlite3_column_int64(st, 2);
	t->phase = sqlite3_column_int(st, 3);
	t->rot_started = sqlite3_column_int64(st, 4);
	t->created = sqlite3_column_int64(st, 5);
	t->key_created = sqlite3_column_int64(st, 6);
	t->leave = sqlite3_column_int(st, 7);
}

int c2_db_topic_add(struct c2_db *db, const struct c2_topic *t, const uint8_t key[E4_KEY_LEN])
{
	sqlite3_stmt *st = c2__st(db, "INSERT INTO topics(name, hash, key_enc, epoch, created,"
	                              " key_created) VALUES(?1, ?2, ?3, ?4, ?5, ?5)");
	char ad[96];

	if (st == NULL)
		return -1;
	c2__ad(ad, sizeof(ad), "topics.key", t->hash, E4_HASH_LEN);
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, t->hash, E4_HASH_LEN, SQLITE_STATIC);
	if (c2__bind_sealed(db, st, 3, key, E4_KEY_LEN, ad) != 0)
		return -1;
	sqlite3_bind_int64(st, 4, t->epoch);
	sqlite3_bind_int64(st, 5, t->created);
	return c2__done(db, st);
}

int c2_db_topic_get(struct c2_db *db, const char *name, struct c2_topic *t)
{
	sqlite3_stmt *st = c2__st(db, "SELECT " TOPIC_COLS " FROM topics WHERE name = ?1");
	int rc = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		read_topic(st, t);
		rc = 0;
	}
	sqlite3_reset(st);
	return rc;
}

int c2_db_topic_key(struct c2_db *db, const char *name, int which, uint8_t key[E4_KEY_LEN])
{
	sqlite3_stmt *st = c2__st(db, "SELECT key_enc, next_enc, hash FROM topics WHERE name = ?1");
	char ad[96];
	int rc = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 2) == E4_HASH_LEN) {
		c2__ad(ad, sizeof(ad), which ? "topics.next" : "topics.key",
		       sqlite3_column_blob(st, 2), E4_HASH_LEN);
		rc = c2__col_sealed(db, st, which ? 1 : 0, key, E4_KEY_LEN, ad);
	}
	sqlite3_reset(st);
	return rc;
}

int c2_db_topic_set_key(struct c2_db *db, const char *name, int which, const uint8_t *key)
{
	static const char *const sql[2] = {
		"UPDATE topics SET key_enc = ?2 WHERE name = ?1",
		"UPDATE topics SET next_enc = ?2 WHERE name = ?1"
	};
	sqlite3_stmt *st = c2__st(db, sql[which ? 1 : 0]);
	struct c2_topic t;
	char ad[96];

	if (st == NULL || c2_db_topic_get(db, name, &t) != 0)
		return -1;
	c2__ad(ad, sizeof(ad), which ? "topics.next" : "topics.key", t.hash, E4_HASH_LEN);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (c2__bind_sealed(db, st, 2, key, E4_KEY_LEN, ad) != 0)
		return -1;
	return c2__done(db, st);
}

int c2_db_topic_update(struct c2_db *db, const struct c2_topic *t)
{
	sqlite3_stmt *st = c2__st(db, "UPDATE topics SET epoch = ?2, rotating = ?3,"
	                              " rot_started = ?4, key_created = ?5, rot_leave = ?6"
	                              " WHERE name = ?1");

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, t->epoch);
	sqlite3_bind_int(st, 3, t->phase);
	sqlite3_bind_int64(st, 4, t->rot_started);
	sqlite3_bind_int64(st, 5, t->key_created);
	sqlite3_bind_int(st, 6, t->leave);
	return c2__done(db, st);
}

int c2_db_topic_remove(struct c2_db *db, const char *name)
{
	sqlite3_stmt *st = c2__st(db, "DELETE FROM topics WHERE name = ?1");

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	return c2__done(db, st);
}

/* Runs a topic query (parameters bound) and calls fn for each row. */
static int each_topic(sqlite3_stmt *st, c2_topic_fn fn, void *ctx)
{
	struct c2_topic t;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_topic(st, &t);
		if (fn(ctx, &t) != 0)
			break;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int c2_db_topic_list(struct c2_db *db, c2_topic_fn fn, void *ctx)
{
	sqlite3_stmt *st = c2__st(db, "SELECT " TOPIC_COLS " FROM topics ORDER BY name");

	return st == NULL ? -1 : each_topic(st, fn, ctx);
}

/* Runs a (device, topic) statement. */
static int member_op(struct c2_db *db, const char *sql, const uint8_t *id, const char *topic)
{
	sqlite3_stmt *st = c2__st(db, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, id, E4_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, topic, -1, SQLITE_STATIC);
	return c2__done(db, st);
}

int c2_db_member_add(struct c2_db *db, const uint8_t id[E4_ID_LEN], const char *topic)
{
	return member_op(db, "INSERT INTO members(device, topic, name) VALUES(?1, ?2,"
	                 " (SELECT name FROM devices WHERE id = ?1))", id, topic);
}

int c2_db_member_remove(struct c2_db *db, const uint8_t id[E4_ID_LEN], const char *topic)
{
	return member_op(db, "DELETE FROM members WHERE device = ?1 AND topic = ?2", id, topic);
}

int c2_db_member_is(struct c2_db *db, const uint8_t id[E4_ID_LEN], const char *topic)
{
	sqlite3_stmt *st = c2__st(db, "SELECT 1 FROM members WHERE device = ?1 AND topic = ?2");
	int rc;

	if (st == NULL)
		return 0;
	sqlite3_bind_blob(st, 1, id, E4_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, topic, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return rc;
}

int c2_db_topic_member_page(struct c2_db *db, const char *topic, const char *after, long limit,
                            c2_device_fn fn, void *ctx)
{
	/* A range of the membership index (topic, name): no sort per page. */
	sqlite3_stmt *st = c2__st(db, "SELECT " C2__DEV_COLS("d.") " FROM members m"
	                              " JOIN devices d ON d.id = m.device WHERE m.topic = ?1"
	                              " AND m.name > ?2 ORDER BY m.name LIMIT ?3");

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, topic, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, after != NULL ? after : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, limit);
	return c2__each_device(st, fn, ctx);
}

int c2_db_topic_member_count(struct c2_db *db, const char *topic, long *n)
{
	sqlite3_stmt *st = c2__st(db, "SELECT count(*) FROM members WHERE topic = ?1");

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, topic, -1, SQLITE_STATIC);
	return c2__number(st, n);
}

int c2_db_topic_legacy_count(struct c2_db *db, const char *topic, long *n)
{
	sqlite3_stmt *st = c2__st(db, "SELECT count(*) FROM members m JOIN devices d"
	                              " ON d.id = m.device WHERE m.topic = ?1 AND d.legacy = 1");

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, topic, -1, SQLITE_STATIC);
	return c2__number(st, n);
}

int c2_db_topic_members(struct c2_db *db, const char *topic, c2_device_fn fn, void *ctx)
{
	/* In the order of the membership index (by name): no sort of the membership. */
	sqlite3_stmt *st = c2__st(db, "SELECT " C2__DEV_COLS("d.") " FROM members m"
	                              " JOIN devices d ON d.id = m.device WHERE m.topic = ?1");

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, topic, -1, SQLITE_STATIC);
	return c2__each_device(st, fn, ctx);
}

int c2_db_device_topics(struct c2_db *db, const uint8_t id[E4_ID_LEN], c2_topic_fn fn,
                        void *ctx)
{
	sqlite3_stmt *st = c2__st(db, "SELECT " TOPIC_COLS " FROM topics WHERE name IN"
	                              " (SELECT topic FROM members WHERE device = ?1) ORDER BY name");

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, id, E4_ID_LEN, SQLITE_STATIC);
	return each_topic(st, fn, ctx);
}

int c2_db_share_topic(struct c2_db *db, const uint8_t a[E4_ID_LEN], const uint8_t b[E4_ID_LEN],
                      const char *except)
{
	sqlite3_stmt *st = c2__st(db, "SELECT 1 FROM members m1 JOIN members m2"
	                              " ON m1.topic = m2.topic WHERE m1.device = ?1"
	                              " AND m2.device = ?2 AND m1.topic IS NOT ?3");
	int rc;

	if (st == NULL)
		return 0;
	sqlite3_bind_blob(st, 1, a, E4_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, b, E4_ID_LEN, SQLITE_STATIC);
	if (except != NULL)
		sqlite3_bind_text(st, 3, except, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return rc;
}

int c2_db_audit_prune(struct c2_db *db, int64_t before)
{
	/* The trigger of schema 5 refuses any other row: people's entries stay. */
	sqlite3_stmt *st = c2__st(db, "DELETE FROM audit WHERE uid < 0 AND at < ?1");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, before);
	return c2__done(db, st);
}

int c2_db_c2key_add(struct c2_db *db, const uint8_t pub[32], const uint8_t sk[32], int64_t *id)
{
	sqlite3_stmt *st;
	uint8_t rowid[8];
	char ad[96];

	st = c2__st(db, "SELECT coalesce(max(id), 0) + 1 FROM c2keys");
	if (st == NULL || sqlite3_step(st) != SQLITE_ROW)
		return -1;
	*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	st = c2__st(db, "INSERT INTO c2keys(id, pub, sk_enc, created) VALUES(?1, ?2, ?3, ?4)");
	if (st == NULL)
		return -1;
	e4_store_le64(rowid, (uint64_t)*id);
	c2__ad(ad, sizeof(ad), "c2keys.sk", rowid, sizeof(rowid));
	sqlite3_bind_int64(st, 1, *id);
	sqlite3_bind_blob(st, 2, pub, 32, SQLITE_STATIC);
	if (c2__bind_sealed(db, st, 3, sk, 32, ad) != 0)
		return -1;
	sqlite3_bind_int64(st, 4, c2_now_ms() / 1000);
	return c2__done(db, st);
}

int c2_db_c2key_get(struct c2_db *db, int64_t id, uint8_t pub[32], uint8_t *sk)
{
	sqlite3_stmt *st = c2__st(db, "SELECT pub, sk_enc FROM c2keys WHERE id = ?1");
	uint8_t rowid[8];
	char ad[96];
	int rc = -1;

	if (st == NULL)
		return -1;
	e4_store_le64(rowid, (uint64_t)id);
	c2__ad(ad, sizeof(ad), "c2keys.sk", rowid, sizeof(rowid));
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
		memcpy(pub, sqlite3_column_blob(st, 0), 32);
		rc = sk == NULL ? 0 : c2__col_sealed(db, st, 1, sk, 32, ad);
	}
	sqlite3_reset(st);
	return rc;
}

int c2_db_c2key_current(struct c2_db *db, int64_t *id)
{
	char v[32];

	if (c2_db_meta_get(db, "c2key", v, sizeof(v)) != 0)
		return -1;
	*id = strtoll(v, NULL, 10);
	return 0;
}

int c2_db_c2key_set_current(struct c2_db *db, int64_t id)
{
	char v[32];

	snprintf(v, sizeof(v), "%lld", (long long)id);
	return c2_db_meta_set(db, "c2key", v);
}
