/*
 * tool.h - shared pieces of the e4 command: the options table, argument
 * parsing helpers, input/output and the device store.
 *
 * Exit statuses: 0 success, 1 failure (authentication, clock, store...),
 * 2 usage error.  Every message goes to stderr as one line prefixed with
 * the command name ("e4 protect: ...").
 */
#ifndef E4_TOOL_H
#define E4_TOOL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "e4/e4.h"
#include "e4/store.h"

#define TOOL_OK    0
#define TOOL_FAIL  1
#define TOOL_USAGE 2

/* Largest input read from stdin or a file (bytes). */
#define TOOL_INPUT_MAX (64u * 1024u * 1024u)

/* One option of a subcommand: drives parsing and --help. */
struct tool_opt {
	const char *name;     /* long name without "--" */
	char shortname;       /* 0: none */
	const char *argname;  /* NULL: a flag without argument */
	const char *help;
};

/* Parsed command line: (option index, value) pairs in order, then operands. */
struct tool_args {
	const struct tool_opt *opts;
	size_t nopts;
	int n;
	int *which;           /* option index of each pair */
	const char **value;   /* its value ("" for flags) */
	int npos;
	char **pos;           /* operands */
};

/* A subcommand: name ("protect" or "device init"), options and handler. */
struct tool_cmd {
	const char *name;
	int (*run)(const char *prog, struct tool_args *a);
	const struct tool_opt *opts;
	size_t nopts;
	const char *operands;  /* synopsis of the operands, "" if none */
	int min_pos, max_pos;
	const char *summary;
};

#define TOOL_NOPTS(t) (sizeof(t) / sizeof((t)[0]))

/*
 * An option of mosquitto_sub or mosquitto_pub that "e4 sub" or "e4 pub"
 * (cmd) refuses, with what it does there: the parser says so instead of
 * "unknown option", and --help lists them.  Terminated by cmd == NULL.
 */
struct tool_refused {
	const char *cmd;
	const char *name;     /* long name without "--" (NULL: short only) */
	char shortname;
	const char *what;
};
extern const struct tool_refused tool_refused[];

/* Subcommand tables of each group (NULL-terminated by a zero entry). */
extern const struct tool_cmd tool_frame_cmds[];
extern const struct tool_cmd tool_device_cmds[];
extern const struct tool_cmd tool_mqtt_cmds[];   /* sub */
extern const struct tool_cmd tool_pub_cmds[];    /* pub */

/* Prints "prog: message" on stderr. */
void tool_err(const char *prog, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prints the generated help of a subcommand on stdout. */
void tool_help(const struct tool_cmd *cmd);

/* Parses argv; returns TOOL_OK, or TOOL_USAGE after a message. */
int tool_parse(const char *prog, const struct tool_cmd *cmd, int argc, char **argv,
               struct tool_args *a);
void tool_args_free(struct tool_args *a);

/* Last value of option idx, or NULL when absent. */
const char *tool_get(const struct tool_args *a, size_t idx);
/* Whether option idx is present. */
int tool_has(const struct tool_args *a, size_t idx);
/* The k-th value (in order) of option idx, or NULL past the last. */
const char *tool_nth(const struct tool_args *a, size_t idx, int k);

/* Strict decimal parsing of an option value, with a message naming it. */
int tool_u64(const char *prog, const char *opt, const char *s, uint64_t *out);
int tool_u32(const char *prog, const char *opt, const char *s, uint32_t max, uint32_t *out);

/* Decodes exactly len bytes of hex from s, with a specific message. */
int tool_hex(const char *prog, const char *opt, const char *s, uint8_t *out, size_t len);

/*
 * Reads a secret of exactly len bytes from the hex value of option
 * `opt`, or from the file named by option `file_opt` (mode 0600 or
 * stricter; hex text or raw bytes).  Exactly one must be given.
 */
int tool_secret(const char *prog, const struct tool_args *a, size_t opt, size_t file_opt,
                uint8_t *out, size_t len);

/* Reads stdin whole (hex-decoded when hex is set) into *buf (malloc). */
int tool_read_input(const char *prog, int hex, uint8_t **buf, size_t *len);
/* Reads a file whole (hex-decoded when hex is set) into *buf (malloc). */
int tool_read_file(const char *prog, const char *path, int hex, uint8_t **buf, size_t *len);
/* Decodes hex text (surrounding whitespace allowed) in place. */
int tool_unhex(const char *prog, const char *what, uint8_t *buf, size_t *len);

/* Writes bytes to stdout, as a line of hex when hex is set. */
int tool_write_output(const char *prog, int hex, const uint8_t *buf, size_t len);
/* Writes bytes to a new file (mode 0600), as hex text when hex is set. */
int tool_write_file(const char *prog, const char *path, int hex, const uint8_t *buf, size_t len);

/* Prints len bytes as lowercase hex followed by a newline. */
void tool_print_hex(const uint8_t *buf, size_t len);

/* Current Unix time of the system clock. */
uint64_t tool_now(void);

/* Table capacities of a device store (documented in e4(1)). */
#define TOOL_TOPICS_CAP  256
#define TOOL_PUBKEYS_CAP 256
#define TOOL_REPLAY_CAP  1024

/* An open device store: client, tables and the file backend. */
struct tool_device {
	struct e4_client client;
	struct e4_client_config cfg;
	struct e4_store store;
	struct e4_store_file file;
	struct e4_topic_slot topics[TOOL_TOPICS_CAP];
	struct e4_replay_slot replay[TOOL_REPLAY_CAP];
	struct e4_pubkey_slot pubkeys[TOOL_PUBKEYS_CAP];
	uint8_t store_buf[E4_STATE_BLOB_LEN(TOOL_TOPICS_CAP, TOOL_PUBKEYS_CAP)];
	int have_stat;        /* the store file as last loaded or saved */
	uint64_t st_dev, st_ino, st_size;
	int64_t st_mtime_s, st_mtime_ns;
	int use_fixed_time;   /* the clock returns fixed_time instead of the system clock */
	uint64_t fixed_time;
	int no_clock;         /* clockless: no clock, the SDK uses its C2 time floor */
	int loaded;
};

/* Allocates a device bound to the store file at path (not loaded yet). */
struct tool_device *tool_device_new(const char *path);
/* Wipes and frees a device (NULL is fine). */
void tool_device_free(struct tool_device *d);
/* Sets up the config for a mode (before init or load). */
void tool_device_config(struct tool_device *d, enum e4_mode mode);
/*
 * Locks the store and loads it (keeping the replay cache when reloading);
 * TOOL_OK or TOOL_FAIL after a message.  tool_device_unlock() releases.
 */
int tool_device_lock_load(const char *prog, struct tool_device *d);
void tool_device_unlock(struct tool_device *d);
/*
 * Locks the store and reloads it only when another process changed the
 * file since this one last loaded or saved it (so the replay cache
 * survives); TOOL_OK or TOOL_FAIL after a message.
 */
int tool_device_lock_sync(const char *prog, struct tool_device *d);
/* Saves the device state (the lock should be held). */
int tool_device_save(const char *prog, struct tool_device *d);

/* Describes an applied or refused command on f, after prefix (never a key). */
void tool_describe_command(FILE *f, const char *prefix, const struct e4_recv_info *info, int err);

#endif /* E4_TOOL_H */
