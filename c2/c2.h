/*
 * c2.h - internal interfaces of the E4 C2 (daemon e4c2d and CLI e4c2).
 *
 * Modules: options/conf (configuration), log (JSON lines), secret (keys
 * at rest), db (storage interface, SQLite backend in db.c), commands (key
 * management operations), outbox (reliable delivery), mqtt (broker
 * transport), api (Unix socket protocol).  Functions return 0 on success
 * and -1 on failure unless documented otherwise; buffers belong to the
 * caller unless a comment says the callee allocates (then the caller
 * frees with free()).
 */
#ifndef C2_C2_H
#define C2_C2_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "e4/e4.h"

#define C2_NAME_MAX   128   /* device and topic names, bytes without NUL */
#define C2_PATH_MAX   1024
#define C2_ERR_MAX    256   /* size of an error message buffer */
#define C2_ARGS_MAX   E4_COMMAND_MAX
#define C2_EXPORT_TOPICS  64   /* table sizes of an exported device store */
#define C2_EXPORT_PUBKEYS 64
#define C2_PAGE_MAX   1000  /* devices or members per list response (the CLI pages) */

/* ---------- options and configuration (options.c, conf.c) ---------- */

enum c2_opt_type { C2_OPT_STR, C2_OPT_INT, C2_OPT_BOOL, C2_OPT_DURATION, C2_OPT_ENUM };

/* Effective configuration; every field has an entry in the options table. */
struct c2_conf {
	int mode;                      /* E4_MODE_SYMKEY or E4_MODE_PUBKEY */
	char database[C2_PATH_MAX];
	char master_key_file[C2_PATH_MAX];
	char socket[C2_PATH_MAX];
	char socket_group[C2_NAME_MAX];
	char mqtt_host[C2_NAME_MAX];
	long mqtt_port;
	char mqtt_username[C2_NAME_MAX];
	char mqtt_password_file[C2_PATH_MAX];
	char mqtt_cafile[C2_PATH_MAX];
	char mqtt_client_id[C2_NAME_MAX];
	long mqtt_qos;
	long mqtt_keepalive;
	long ack_timeout;              /* seconds */
	long retry_max_interval;       /* seconds */
	long max_inflight;
	long rollout_rate;             /* commands per second, 0 unlimited */
	int rekey_on_leave;
	long rotation_timeout;         /* seconds */
	long topic_rotation_interval;  /* seconds, 0 off */
	long device_key_rotation_interval;
	long heartbeat_interval;
	int log_level;
	long audit_routine_keep;       /* seconds the daemon's own audit entries are kept, 0 forever */
};

/* One row of the options table. */
struct c2_option {
	const char *name;
	const char *def;               /* default, as written in the file */
	enum c2_opt_type type;
	long min, max;                 /* bounds of INT and DURATION */
	const char *const *choices;    /* ENUM: NULL-terminated names (value = index) */
	size_t offset;                 /* into struct c2_conf */
	size_t size;                   /* STR: buffer size */
	const char *help;
};

/* The options table (NULL name terminates). */
extern const struct c2_option c2_options[];

/* Finds an option by name, or NULL. */
const struct c2_option *c2_option_find(const char *name);

/* Sets an option from its text value; writes a specific message to err on failure. */
int c2_option_set(struct c2_conf *conf, const struct c2_option *opt, const char *value,
                  char *err, size_t err_cap);

/* Formats the current value of an option (durations in seconds). */
void c2_option_format(const struct c2_conf *conf, const struct c2_option *opt,
                      char *out, size_t cap);

/* Fills conf with every default. */
void c2_conf_defaults(struct c2_conf *conf);

/*
 * Parses configuration text (name value lines, '#' comments) into conf,
 * which should hold the defaults.  On error writes "LINE: message" to err
 * and leaves conf unchanged.
 */
int c2_conf_parse(struct c2_conf *conf, const char *text, size_t len,
                  char *err, size_t err_cap);

/* Reads and parses a configuration file (see c2_conf_parse). */
int c2_conf_load(struct c2_conf *conf, const char *path, char *err, size_t err_cap);

/* Writes the effective configuration, one "name value" line per option. */
void c2_conf_dump(const struct c2_conf *conf, FILE *out);

/* Parses "30", "30s", "5m", "2h" or "7d" into seconds. */
int c2_parse_duration(const char *s, long *out);

/* ---------- device import files (import.c) ---------- */

/* One device of an import file (strings NUL-terminated, "" when absent). */
struct c2_import_row {
	char name[C2_NAME_MAX + 1];
	char id[2 * E4_ID_LEN + 1];
	char pubkey[2 * E4_ED25519_PK_LEN + 1];
	int legacy;
};

/*
 * Parses one line (len bytes, no NUL inside) of a device import file: CSV
 * "name[,id[,pubkey[,legacy]]]" or a JSON object with the same members.
 * Returns 1 with *row filled, 0 for a blank or '#' comment line, -1 with
 * a specific message in err (row zeroed).
 */
int c2_import_parse_line(const char *line, size_t len, struct c2_import_row *row, char *err,
                         size_t cap);

/* ---------- logging (log.c) ---------- */

enum c2_log_level { C2_LOG_ERROR, C2_LOG_WARN, C2_LOG_INFO, C2_LOG_DEBUG };

/* Sets the lowest level written. */
void c2_log_set_level(int level);

/* Writes one JSON line {"ts","level","event","msg"} to stderr; msg is escaped. */
void c2_log(int level, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* JSON-escapes s into out (always NUL-terminated, truncated to cap). */
void c2_json_escape(char *out, size_t cap, const char *s);

/* Wall-clock time in milliseconds since the Unix epoch. */
int64_t c2_now_ms(void);

/* ---------- keys at rest (secret.c) ---------- */

#define C2_MASTER_KEY_LEN 32
#define C2_SEAL_OVERHEAD  (24 + 16)   /* nonce + tag */

/*
 * Creates a new master key file (O_EXCL, mode 0600) from the OS entropy
 * source.  Fails when the file exists.
 */
int c2_secret_create(const char *path, char *err, size_t err_cap);

/* Loads the master key; refuses a file that is not 0600-or-stricter or of the wrong size. */
int c2_secret_load(const char *path, uint8_t key[C2_MASTER_KEY_LEN], char *err, size_t err_cap);

/*
 * Encrypts plain (len bytes) under the master key, bound to the
 * associated data `ad` (table, column and row).  out needs
 * len + C2_SEAL_OVERHEAD bytes.
 */
int c2_secret_seal(const uint8_t mk[C2_MASTER_KEY_LEN], uint8_t *out, const uint8_t *plain,
                   size_t len, const char *ad);

/* Opens what c2_secret_seal made; -1 when the tag or the binding does not verify. */
int c2_secret_open(const uint8_t mk[C2_MASTER_KEY_LEN], uint8_t *out, const uint8_t *sealed,
                   size_t sealed_len, const char *ad);

/* Fills buf with len bytes from the OS entropy source. */
void c2_random(void *buf, size_t len);

/* ---------- storage (db.c: interface + SQLite backend) ---------- */

struct c2_db;

/* Outbox states. */
enum c2_cmd_state { C2_CMD_PENDING = 0, C2_CMD_SENT = 1, C2_CMD_DONE = 2,
                    C2_CMD_FAILED = 3, C2_CMD_CANCELLED = 4 };

/* A device row (secrets are read separately). */
struct c2_device {
	uint8_t id[E4_ID_LEN];
	char name[C2_NAME_MAX + 1];
	int legacy;                    /* 1: E4 v1 device without acks */
	int has_sk;                    /* pubkey mode: the C2 holds its signing key */
	uint8_t pub[E4_ED25519_PK_LEN];/* pubkey mode */
	int64_t c2key;                 /* pubkey mode: C2 key the device uses */
	int64_t created, key_created;  /* Unix seconds */
	int64_t last_ts;               /* newest command timestamp used */
	int64_t last_ack, last_seen;   /* Unix seconds, 0 never */
	int online;
};

/*
 * Phases of a topic key rotation (topics.rotating).  Each phase ends when
 * the members acked its command: SetTopicKeyNext (the next key is
 * announced), SetTopicKey (every member publishes with it), then
 * ReplaceTopicKey (no member accepts the replaced key any more).
 */
enum c2_rot_phase { C2_ROT_IDLE = 0, C2_ROT_DISTRIBUTING = 1, C2_ROT_ACTIVATING = 2,
                    C2_ROT_RETIRING = 3 };

/* A topic row. */
struct c2_topic {
	char name[C2_NAME_MAX + 1];
	uint8_t hash[E4_HASH_LEN];
	int64_t epoch;
	int phase;                     /* enum c2_rot_phase */
	int leave;                     /* the rotation is a leave rekey: offline members do not wait */
	int64_t rot_started;           /* when the current phase started */
	int64_t created, key_created;
};

/* An outbox command. */
struct c2_cmd {
	int64_t seq;
	uint8_t device[E4_ID_LEN];
	int code;
	uint8_t args[C2_ARGS_MAX];     /* secret: wipe after use */
	size_t args_len;
	char topic[C2_NAME_MAX + 1];   /* "" when not about a topic */
	int64_t epoch;                 /* topic epoch, or C2 key id for SetC2Key */
	int state;
	int64_t attempts, next_try, created;
	int status;                    /* last ack status, -1 none */
	int64_t sent_at;               /* ms of the last attempt, 0 before the first */
	uint8_t digest[16];            /* of the last attempt's frame (has_digest) */
	int has_digest;
	int64_t ts;                    /* timestamp of the last attempt's frame */
};

/* Row callbacks of the list functions: return non-zero to stop. */
typedef int (*c2_device_fn)(void *ctx, const struct c2_device *d);
typedef int (*c2_topic_fn)(void *ctx, const struct c2_topic *t);
typedef int (*c2_cmd_fn)(void *ctx, const struct c2_cmd *c);
/*
 * A due command with its device row and, when the device's stored key is a
 * 32-byte key (symkey mode), that key opened (NULL otherwise); the key is
 * wiped when the callback returns.
 */
typedef int (*c2_due_fn)(void *ctx, const struct c2_cmd *c, struct c2_device *d,
                         const uint8_t *key);
typedef int (*c2_audit_fn)(void *ctx, int64_t seq, int64_t at, long uid, const char *action,
                           const char *detail);

/* Opens (create: creates and migrates) the database at path with the master key. */
int c2_db_open(struct c2_db **db, const char *path, const uint8_t mk[C2_MASTER_KEY_LEN],
               int create, char *err, size_t err_cap);
void c2_db_close(struct c2_db *db);
int c2_db_schema_version(struct c2_db *db);

int c2_db_begin(struct c2_db *db);
int c2_db_commit(struct c2_db *db);
int c2_db_begin_relaxed(struct c2_db *db);
void c2_db_end_relaxed(struct c2_db *db);
void c2_db_rollback(struct c2_db *db);

/* Settings kept in the database (mode, ...). */
int c2_db_meta_get(struct c2_db *db, const char *key, char *out, size_t cap);
int c2_db_meta_set(struct c2_db *db, const char *key, const char *value);

/* Devices; key is 32 bytes (symkey) or the 64-byte Ed25519 secret (pubkey, may be NULL). */
int c2_db_device_add(struct c2_db *db, const struct c2_device *d, const uint8_t *key,
                     size_t key_len);
int c2_db_device_get(struct c2_db *db, const char *name, const uint8_t *id,
                     struct c2_device *d);
int c2_db_device_key(struct c2_db *db, const uint8_t id[E4_ID_LEN], uint8_t *key, size_t key_len);
int c2_db_device_set_key(struct c2_db *db, const struct c2_device *d, const uint8_t *key,
                         size_t key_len);
int c2_db_device_update(struct c2_db *db, const struct c2_device *d);
int c2_db_device_remove(struct c2_db *db, const uint8_t id[E4_ID_LEN]);
int c2_db_device_list(struct c2_db *db, c2_device_fn fn, void *ctx);
/* At most limit devices whose name sorts after `after` ("" or NULL: from the first), by name. */
int c2_db_device_page(struct c2_db *db, const char *after, long limit, c2_device_fn fn,
                      void *ctx);
int c2_db_device_count(struct c2_db *db, long *n);

/* Topics; keys are 32 bytes. */
int c2_db_topic_add(struct c2_db *db, const struct c2_topic *t, const uint8_t key[E4_KEY_LEN]);
int c2_db_topic_get(struct c2_db *db, const char *name, struct c2_topic *t);
/* which: 0 current key, 1 next key. */
int c2_db_topic_key(struct c2_db *db, const char *name, int which, uint8_t key[E4_KEY_LEN]);
int c2_db_topic_set_key(struct c2_db *db, const char *name, int which,
                        const uint8_t *key);   /* NULL clears */
int c2_db_topic_update(struct c2_db *db, const struct c2_topic *t);
int c2_db_topic_remove(struct c2_db *db, const char *name);
int c2_db_topic_list(struct c2_db *db, c2_topic_fn fn, void *ctx);

/* Memberships. */
int c2_db_member_add(struct c2_db *db, const uint8_t id[E4_ID_LEN], const char *topic);
int c2_db_member_remove(struct c2_db *db, const uint8_t id[E4_ID_LEN], const char *topic);
int c2_db_member_is(struct c2_db *db, const uint8_t id[E4_ID_LEN], const char *topic);
int c2_db_topic_members(struct c2_db *db, const char *topic, c2_device_fn fn, void *ctx);
/* A page of members, as c2_db_device_page; and the number of members. */
int c2_db_topic_member_page(struct c2_db *db, const char *topic, const char *after, long limit,
                            c2_device_fn fn, void *ctx);
int c2_db_topic_member_count(struct c2_db *db, const char *topic, long *n);
/* The number of legacy (E4 v1) members of a topic. */
int c2_db_topic_legacy_count(struct c2_db *db, const char *topic, long *n);
int c2_db_device_topics(struct c2_db *db, const uint8_t id[E4_ID_LEN], c2_topic_fn fn,
                        void *ctx);
/* 1 when the two devices share a topic other than `except` (may be NULL). */
int c2_db_share_topic(struct c2_db *db, const uint8_t a[E4_ID_LEN], const uint8_t b[E4_ID_LEN],
                      const char *except);

/* C2 key pairs (pubkey mode): the Curve25519 secret is encrypted. */
int c2_db_c2key_add(struct c2_db *db, const uint8_t pub[32], const uint8_t sk[32], int64_t *id);
int c2_db_c2key_get(struct c2_db *db, int64_t id, uint8_t pub[32], uint8_t *sk);
int c2_db_c2key_current(struct c2_db *db, int64_t *id);
int c2_db_c2key_set_current(struct c2_db *db, int64_t id);

/* Outbox. */
int c2_db_cmd_add(struct c2_db *db, struct c2_cmd *c);   /* sets c->seq */
int c2_db_cmd_get(struct c2_db *db, int64_t seq, struct c2_cmd *c);
/* Heads of every device queue that are due (next_try <= now_ms), at most limit. */
int c2_db_cmd_due(struct c2_db *db, int64_t now_ms, long limit, c2_due_fn fn, void *ctx);
/* 1 when some unfinished command is due at now_ms (cheap check before a pass). */
int c2_db_cmd_any_due(struct c2_db *db, int64_t now_ms);
/*
 * What an ack from device id needs, in one query: the device row (-1 when
 * unknown, -2 when its stored key does not open), its key when it is a
 * 32-byte key (*have_key; symkey mode) and the first unfinished command of
 * its queue (*have_head), whose arguments are opened only when it is
 * SetIDKey (else args_len is 0).
 */
int c2_db_ack_lookup(struct c2_db *db, const uint8_t id[E4_ID_LEN], struct c2_device *d,
                     uint8_t key[E4_KEY_LEN], int *have_key, struct c2_cmd *head, int *have_head);
int c2_db_cmd_set_state(struct c2_db *db, int64_t seq, int state, int status,
                        int64_t next_try);
/*
 * Records an attempt of c (as read before it) published at sent_at (ms),
 * to be retried at next_try (ms), with the digest and timestamp of its
 * frame; a frame other than c's last one moves that one to the history.
 */
int c2_db_cmd_sent(struct c2_db *db, const struct c2_cmd *c, int64_t sent_at, int64_t next_try,
                   const uint8_t digest[16], int64_t ts);
/*
 * Folds the timestamp of command seq's last attempt into its device's
 * last_ts (for a command finished without an ack; an ack folds it itself).
 */
int c2_db_cmd_fold_ts(struct c2_db *db, int64_t seq);
/* The command of an earlier attempt (history of replaced frames) by its digest. */
int c2_db_cmd_by_digest(struct c2_db *db, const uint8_t digest[16], int64_t *seq);
int c2_db_cmd_count(struct c2_db *db, const char *where_state, long *n);
int c2_db_cmd_inflight(struct c2_db *db, long *n);   /* sent, awaiting an ack */
int c2_db_cmd_device_pending(struct c2_db *db, const uint8_t id[E4_ID_LEN], long *n);
int c2_db_cmd_wake_device(struct c2_db *db, const uint8_t id[E4_ID_LEN], int64_t now_ms);
int c2_db_cmd_wake_all(struct c2_db *db, int64_t now_ms);
/* Deletes finished commands (done, failed, cancelled) older than `before` (Unix s). */
int c2_db_cmd_prune(struct c2_db *db, int64_t before);
/*
 * Cancels the unfinished commands of topic (of one device when id is not
 * NULL; code -1: every code), folding the timestamps of those already
 * sent into their devices' last_ts.
 */
int c2_db_cmd_cancel(struct c2_db *db, const uint8_t *id, const char *topic, int code);
/*
 * 1 when a command of (topic, epoch, code) is still unfinished (online_only:
 * for a device believed online), 0 when none, -1 on error.
 */
int c2_db_cmd_topic_open(struct c2_db *db, const char *topic, int64_t epoch, int code,
                         int online_only);
/* The devices with an unfinished command of (topic, epoch, code), at most limit, by name. */
int c2_db_cmd_topic_waiting(struct c2_db *db, const char *topic, int64_t epoch, int code,
                            long limit, c2_device_fn fn, void *ctx);
/*
 * Cancels the unfinished SetTopicKeyNext, SetTopicKey and ReplaceTopicKey
 * commands of topic for devices that acknowledge (legacy devices keep theirs).
 */
int c2_db_cmd_cancel_rekey(struct c2_db *db, const char *topic);
/* Unfinished commands of code (of one device when id is not NULL). */
int c2_db_cmd_open_count(struct c2_db *db, const uint8_t *id, int code, long *n);
/* Counts commands of (topic, epoch, code): done and total (cancelled excluded). */
int c2_db_cmd_progress(struct c2_db *db, const char *topic, int64_t epoch, int code,
                       long *done, long *total);

/* Audit log (append-only). */
int c2_db_audit(struct c2_db *db, long uid, const char *action, const char *detail);
int c2_db_audit_list(struct c2_db *db, long limit, c2_audit_fn fn, void *ctx);
/* Deletes the daemon's own entries (uid -1) older than `before` (Unix s); people's stay. */
int c2_db_audit_prune(struct c2_db *db, int64_t before);

/*
 * Writes a consistent copy of the open database to path (VACUUM INTO),
 * created 0600; fails when path exists.  Keys stay sealed in the copy.
 */
int c2_db_backup(struct c2_db *db, const char *path, char *err, size_t err_cap);

#endif /* C2_C2_H */
