/*
 * db_priv.h - the SQLite connection shared by db.c and db_outbox.c.
 */
#ifndef C2_DB_PRIV_H
#define C2_DB_PRIV_H

#include <sqlite3.h>

#include "c2.h"

#define DB_CACHE 96

struct c2_db {
	sqlite3 *h;
	uint8_t mk[C2_MASTER_KEY_LEN];
	struct { const char *sql; sqlite3_stmt *st; } cache[DB_CACHE];
	int64_t next_seq;   /* next outbox sequence in the open transaction, 0 unknown */
};

/* The device columns, each prefixed with p (a string literal such as "d."). */
#define C2__DEV_COLS(p) p "id, " p "name, " p "legacy, " p "pub, " p "c2key, " p "created, " \
	p "key_created, " p "last_ts, " p "last_ack, " p "last_seen, " p "online, " \
	p "key_enc IS NOT NULL"
#define C2__DEV_NCOLS 12

/* Reads a device row selected with C2__DEV_COLS from column base on. */
void c2__read_device(sqlite3_stmt *st, int base, struct c2_device *d);
/* Steps a device query (parameters bound) and calls fn for each row; 0 or -1. */
int c2__each_device(sqlite3_stmt *st, c2_device_fn fn, void *ctx);
/*
 * Opens the sealed device key in column col when it is a 32-byte key (a
 * symkey device key): 1 when opened into key, 0 when the column holds
 * something else (no key, an Ed25519 secret), -1 when it does not verify.
 */
int c2__device_key_col(struct c2_db *db, sqlite3_stmt *st, int col, const uint8_t id[E4_ID_LEN],
                       uint8_t key[E4_KEY_LEN]);

/* Cached statement for a string literal (reset, bindings cleared). */
sqlite3_stmt *c2__st(struct c2_db *db, const char *sql);
/* Steps a statement without result rows. */
int c2__done(struct c2_db *db, sqlite3_stmt *st);
/* Steps a bound single-number query into *n, then resets it; 0 or -1. */
int c2__number(sqlite3_stmt *st, long *n);
/* Associated data "what:<hex row>" of a sealed value. */
void c2__ad(char *out, size_t cap, const char *what, const uint8_t *row, size_t len);
/* Binds plain sealed under the master key (NULL binds NULL). */
int c2__bind_sealed(struct c2_db *db, sqlite3_stmt *st, int idx, const uint8_t *plain,
                    size_t len, const char *ad);
/* Opens a sealed column into exactly len bytes. */
int c2__col_sealed(struct c2_db *db, sqlite3_stmt *st, int col, uint8_t *out, size_t len,
                   const char *ad);

#endif
