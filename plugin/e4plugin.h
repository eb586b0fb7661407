/*
 * e4plugin.h - internal interface of the mosquitto E4 plugin (not installed).
 *
 * The plugin enforces E4 framing on protected topics and the rules of the
 * E4 control channel, without ever holding a key.  Every module works on
 * one per-instance `struct e4plugin`, allocated in mosquitto_plugin_init()
 * and passed to the broker as callback user data.  Strings and tables in
 * it are heap memory owned by the instance and freed by e4plugin_free().
 */
#ifndef E4PLUGIN_H
#define E4PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

#include "e4/e4.h"

struct cJSON;

/* Topics of the management API. */
#define E4PLUGIN_CONTROL_TOPIC   "$CONTROL/e4/v1"
#define E4PLUGIN_RESPONSE_TOPIC  "$CONTROL/e4/v1/response"
#define E4PLUGIN_EVENTS_TOPIC    "$CONTROL/e4/v1/events"
#define E4PLUGIN_MGMT_PREFIX     "$CONTROL/e4/"

/* Refusal log lines allowed per second before lines are only counted. */
#define E4PLUGIN_LOG_PER_SECOND  20
/* Longest escaped untrusted string written to the log. */
#define E4PLUGIN_LOG_STRING_MAX  96
/* Commands accepted in one $CONTROL request. */
#define E4PLUGIN_MAX_COMMANDS    100
/* Largest state file accepted (bytes). */
#define E4PLUGIN_STATE_MAX       (64u * 1024u * 1024u)

/* Why a message or an access was refused (0: not refused). */
enum e4plugin_reason {
	E4PLUGIN_R_OK = 0,
	E4PLUGIN_R_TOO_SHORT,
	E4PLUGIN_R_TOO_OLD,
	E4PLUGIN_R_IN_FUTURE,
	E4PLUGIN_R_REPLAY,
	E4PLUGIN_R_WRONG_SENDER,
	E4PLUGIN_R_BAD_SIGNATURE,
	E4PLUGIN_R_NO_IDENTITY,
	E4PLUGIN_R_CONTROL_PUBLISH,
	E4PLUGIN_R_CONTROL_READ,
	E4PLUGIN_R_CONTROL_SUBSCRIBE,
	E4PLUGIN_R_ACK_PUBLISH,
	E4PLUGIN_R_ACK_READ,
	E4PLUGIN_R_MANAGEMENT,
	E4PLUGIN_R_COUNT
};

enum e4plugin_identity { E4PLUGIN_ID_CLIENTID = 0, E4PLUGIN_ID_USERNAME = 1 };
enum e4plugin_acl { E4PLUGIN_ACL_AUTHORITATIVE = 0, E4PLUGIN_ACL_DEFER = 1 };

/* Configuration parsed from plugin_opt_* (options.c); strings are heap copies. */
struct e4plugin_conf {
	char **protect;          /* topic filters */
	size_t protect_len;
	char *c2_username;
	unsigned mode;           /* index: 0 symkey, 1 pubkey */
	unsigned max_age;
	unsigned max_skew;
	unsigned identity;       /* enum e4plugin_identity */
	unsigned acl;            /* enum e4plugin_acl */
	char *state_file;        /* NULL or "": not persisted */
	unsigned replay_cache;
	unsigned verify_signatures;
};

/* Secret key: k0, k1 for SipHash-1-3, all four for e4plugin_mix16 (hash.c). */
struct e4plugin_hashkey {
	uint64_t k0, k1, k2, k3;
};

/* Incremental SipHash state (hash.c). */
struct e4plugin_sip {
	uint64_t v[4];
	uint64_t total;
	uint8_t buf[8];
	size_t buf_len;
};

/* One frame the replay cache remembers (replay.c). */
struct e4plugin_replay_entry {
	uint8_t digest[16];      /* SIV tag mixed with the topic */
	uint64_t who;            /* publisher fingerprint */
	uint64_t seq;            /* arrival number, 0: never used */
	uint64_t prev;           /* arrival number of the previous entry of its chain */
};

/* Ring of the last `cap` distinct frames, indexed by keyed chains (replay.c). */
struct e4plugin_replay {
	struct e4plugin_replay_entry *ring;   /* cap entries */
	uint64_t *heads;         /* nheads chain heads (arrival numbers) */
	size_t cap;
	size_t nheads;           /* power of two */
	uint64_t last;           /* arrival number of the newest entry */
	struct e4plugin_hashkey key;       /* of the chain index (e4plugin_mix16) */
	struct e4plugin_hashkey who_key;   /* of publisher fingerprints (SipHash) */
};

/* What the replay cache knew of a frame (replay.c). */
enum e4plugin_seen { E4PLUGIN_SEEN_NEW = 0, E4PLUGIN_SEEN_SELF, E4PLUGIN_SEEN_OTHER };

/* A device known to the plugin: a public key set by the C2, or online. */
struct e4plugin_device {
	uint8_t id[E4_ID_LEN];
	uint8_t pubkey[E4_ED25519_PK_LEN];
	uint32_t used;           /* slot in use */
	uint32_t has_pubkey;
	uint32_t online;         /* connections subscribed to the control topic */
};

/* Open-addressing table of devices keyed by id (devices.c). */
struct e4plugin_devices {
	struct e4plugin_device *slots;
	size_t cap;              /* power of two */
	size_t len;
	struct e4plugin_hashkey key;   /* secret: ids are chosen by clients */
	uint64_t probes;         /* slots compared by lookups (tests watch it) */
};

/* One connection that subscribed to its control topic (presence.c). */
struct e4plugin_conn {
	const struct mosquitto *client;
	uint8_t id[E4_ID_LEN];
	uint32_t used;
};

struct e4plugin_presence {
	struct e4plugin_conn *slots;
	size_t cap;              /* power of two */
	size_t len;
};

/*
 * What the plugin derives from a connected client's names, remembered per
 * client pointer (identity.c): the E4 id (an alias costs a SHA3) and the
 * publisher fingerprint (a SipHash of both names).  Valid while both
 * names still compare equal: an address may come back as another client.
 */
#define E4PLUGIN_IDCACHE 256
#define E4PLUGIN_IDCACHE_NAME 64
enum e4plugin_idstate { E4PLUGIN_IDS_UNKNOWN = 0, E4PLUGIN_IDS_YES, E4PLUGIN_IDS_NO };
struct e4plugin_clientinfo {
	const struct mosquitto *client;   /* NULL: slot unused */
	uint64_t who;                     /* publisher fingerprint */
	uint8_t id[E4_ID_LEN];            /* when id_state is E4PLUGIN_IDS_YES */
	int id_state;                     /* enum e4plugin_idstate, found on first use */
	bool has_user;
	char cid[E4PLUGIN_IDCACHE_NAME];
	char user[E4PLUGIN_IDCACHE_NAME];
};

/* How a protect filter is matched (topic.c). */
enum e4plugin_filter_form {
	E4PLUGIN_F_LITERAL = 0,  /* no wildcard: the topic itself */
	E4PLUGIN_F_SUBTREE,      /* "P/#", P without wildcards: P and everything under it */
	E4PLUGIN_F_ALL,          /* "#": every topic not beginning with '$' */
	E4PLUGIN_F_GENERAL       /* anything else: literal prefix, then e4plugin_topic_matches */
};

/* A protect filter prepared at load: matching most filters is one memcmp. */
struct e4plugin_filter {
	const char *text;        /* conf.protect[i] (owned by conf) */
	size_t len;              /* strlen(text) */
	size_t lit;              /* bytes every matching topic starts with: text[0..lit) */
	int form;                /* enum e4plugin_filter_form */
	uint64_t head;           /* the first min(lit, 8) of those bytes, zero-padded */
	uint64_t head_mask;      /* 0xff in the bytes of head that count */
};

/* Counters (stats.c). */
struct e4plugin_stats {
	uint64_t passed;
	uint64_t refused[E4PLUGIN_R_COUNT];
	uint64_t *filter_passed;   /* per protect filter */
	uint64_t *filter_refused;
	time_t started;
};

/* Rate limit of the refusal log (log.c). */
struct e4plugin_log {
	time_t window;
	unsigned lines;
	uint64_t suppressed;
};

/* The message the last successful WRITE check was about (see acl.c). */
struct e4plugin_memo {
	const struct mosquitto *client;
	const void *payload;
	uint32_t len;
	int filter;              /* protect filter index it matched */
	int layout;              /* frame layout of its topic */
	bool resend;             /* its publisher had sent this very frame already */
	bool clear;              /* zero-length retained publish: deletes the retained message */
};

/* A message MESSAGE let through as a resend: READ keeps it from subscribers. */
struct e4plugin_resend {
	const void *payload;
	uint32_t len;
};

/* Per-instance state, passed to every callback as user data. */
struct e4plugin {
	struct e4plugin_conf conf;
	struct e4plugin_filter *filters;   /* conf.protect_len, prepared from conf.protect */
	int mode;                          /* E4_MODE_SYMKEY or E4_MODE_PUBKEY */
	mosquitto_plugin_id_t *pid;
	struct e4plugin_replay replay;
	struct e4plugin_devices devices;
	struct e4plugin_presence presence;
	struct e4plugin_clientinfo clients[E4PLUGIN_IDCACHE];
	struct e4plugin_stats stats;
	struct e4plugin_log log;
	struct e4plugin_memo memo;
	struct e4plugin_resend resend;
	time_t (*now)(void);               /* clock (tests replace it) */
};

/* What a topic is to the plugin (topic.c). */
enum e4plugin_topic_kind {
	E4PLUGIN_T_DATA = 0,     /* anything else */
	E4PLUGIN_T_CONTROL,      /* e4/<32 hex> */
	E4PLUGIN_T_ACK,          /* e4/<32 hex>/ack */
	E4PLUGIN_T_E4_OTHER,     /* any other topic under e4/ */
	E4PLUGIN_T_MGMT          /* $CONTROL/e4/... */
};

/* ---- options.c ---- */
enum e4plugin_opt_type { E4PLUGIN_OPT_FILTERS, E4PLUGIN_OPT_STRING, E4PLUGIN_OPT_CHOICE,
	E4PLUGIN_OPT_UINT, E4PLUGIN_OPT_BOOL };

/* One row of the options table: drives parsing, the man page check and dumps. */
struct e4plugin_option {
	const char *name;            /* without "plugin_opt_" */
	enum e4plugin_opt_type type;
	const char *def;             /* NULL: required */
	unsigned min, max;           /* E4PLUGIN_OPT_UINT bounds */
	const char *const *choices;  /* E4PLUGIN_OPT_CHOICE values, NULL-terminated */
	size_t offset;               /* into struct e4plugin_conf */
	const char *help;
};

extern const struct e4plugin_option e4plugin_options[];
extern const size_t e4plugin_options_len;

/* Formats an error message into err (cap bytes); returns -1 (options.c). */
int e4plugin_fail(char *err, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Fills conf from the broker's key/value pairs, applying defaults; fails
 * (-1, message in err) on an unknown, repeated, malformed or missing
 * required option.  On failure conf is released.
 */
int e4plugin_options_parse(struct e4plugin_conf *conf, const struct mosquitto_opt *opts,
                           int count, char *err, size_t err_cap);
/* Frees the strings of conf. */
void e4plugin_options_free(struct e4plugin_conf *conf);

/* ---- topic.c ---- */
/* 1 when topic matches the MQTT filter, 0 otherwise ($-topics never match a leading wildcard). */
int e4plugin_topic_matches(const char *filter, const char *topic);
/* 0 when filter is a valid MQTT subscription filter, -1 otherwise. */
int e4plugin_filter_valid(const char *filter);
/* Classifies topic and writes the device id of control/ack topics. */
enum e4plugin_topic_kind e4plugin_topic_kind(const char *topic, uint8_t id[E4_ID_LEN]);
/* e4plugin_topic_kind without a call for most topics: a first byte other than '$' or 'e' is data. */
static inline enum e4plugin_topic_kind e4plugin_topic_kind_fast(const char *topic,
                                                                uint8_t id[E4_ID_LEN])
{
	return topic[0] != '$' && topic[0] != 'e' ? E4PLUGIN_T_DATA : e4plugin_topic_kind(topic, id);
}
/* Prepares filter (a valid MQTT filter that must outlive f) for e4plugin_filter_match. */
void e4plugin_filter_prepare(struct e4plugin_filter *f, const char *filter);
/* 1 when the topic of topic_len bytes matches f (same answer as e4plugin_topic_matches). */
int e4plugin_filter_match(const struct e4plugin_filter *f, const char *topic, size_t topic_len);
/* Index of the first protect filter the topic (topic_len bytes) matches, or -1. */
int e4plugin_protected(const struct e4plugin *p, const char *topic, size_t topic_len);

/* ---- identity.c ---- */
/* E4 id named by a client id or username: 32 hex, 32 hex + "-suffix", or an alias. */
int e4plugin_id_from_name(const char *name, uint8_t id[E4_ID_LEN]);
/*
 * The cached entry of a client (client not NULL), or tmp filled in when
 * its names are too long to cache; valid until the next call.
 */
struct e4plugin_clientinfo *e4plugin_client_info(struct e4plugin *p, const struct mosquitto *client,
                                                 struct e4plugin_clientinfo *tmp);
/* E4 id of an entry per plugin_opt_identity (0) or -1 when it has none. */
int e4plugin_info_id(struct e4plugin *p, struct e4plugin_clientinfo *c, uint8_t id[E4_ID_LEN]);
/* E4 id of a connected client per plugin_opt_identity (0) or -1 when it has none. */
int e4plugin_client_id(struct e4plugin *p, const struct mosquitto *client, uint8_t id[E4_ID_LEN]);
/* true when client is the C2 (its username is plugin_opt_c2_username). */
bool e4plugin_is_c2(const struct e4plugin *p, const struct mosquitto *client);
/* Forgets what the identity cache holds for client. */
void e4plugin_identity_forget(struct e4plugin *p, const struct mosquitto *client);

/* Keyed fingerprint of a client's (client id, username) pair. */
uint64_t e4plugin_publisher(struct e4plugin *p, const struct mosquitto *client);

/* ---- hash.c ---- */
void e4plugin_sip_init(struct e4plugin_sip *s, const struct e4plugin_hashkey *k);
void e4plugin_sip_update(struct e4plugin_sip *s, const void *data, size_t len);
uint64_t e4plugin_sip_final(struct e4plugin_sip *s);
/* SipHash-1-3 of len bytes. */
uint64_t e4plugin_siphash(const struct e4plugin_hashkey *k, const void *data, size_t len);
/* Draws a key from getrandom(); -1 on failure. */
int e4plugin_hashkey_random(struct e4plugin_hashkey *k);

/* The 128-bit product of a and b, its two halves xored. */
static inline uint64_t e4plugin_mum(uint64_t a, uint64_t b)
{
#ifdef __SIZEOF_INT128__
	__extension__ typedef unsigned __int128 u128;
	u128 r = (u128)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
#else
	uint64_t al = a & 0xffffffffu, ah = a >> 32, bl = b & 0xffffffffu, bh = b >> 32;
	uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
	uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);

	return ((ll & 0xffffffffu) | mid << 32) ^ (hh + (lh >> 32) + (hl >> 32) + (mid >> 32));
#endif
}

/* Whether 16 bytes equal 16 others, in two word compares (a memcmp call costs more). */
static inline bool e4plugin_eq16(const uint8_t a[16], const uint8_t b[16])
{
	uint64_t a0, a1, b0, b1;

	memcpy(&a0, a, 8);
	memcpy(&a1, a + 8, 8);
	memcpy(&b0, b, 8);
	memcpy(&b1, b + 8, 8);
	return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

/*
 * Keyed index of 16 bytes a client may choose (a replay digest, a device
 * id): two multiply-folds, each of key-masked words, so the slot depends
 * non-linearly on every input bit and on the secret key.  Not a MAC: it
 * only keeps inputs chosen without the key from piling into one chain, as
 * SipHash did at a tenth of the instructions (hash.c explains the choice).
 */
static inline uint64_t e4plugin_mix16(const struct e4plugin_hashkey *k, const uint8_t in[16])
{
	uint64_t lo, hi;

	memcpy(&lo, in, 8);
	memcpy(&hi, in + 8, 8);
	return e4plugin_mum(e4plugin_mum(lo ^ k->k0, hi ^ k->k1) ^ k->k2, k->k3);
}

/* ---- replay.c ---- */
/* Sets up the replay cache for exactly `entries` frames (-1 on failure). */
int e4plugin_replay_init(struct e4plugin_replay *r, size_t entries);
void e4plugin_replay_free(struct e4plugin_replay *r);
/*
 * Looks a digest up: E4PLUGIN_SEEN_SELF when cached with this publisher
 * fingerprint, E4PLUGIN_SEEN_OTHER when cached with another, else
 * E4PLUGIN_SEEN_NEW, after recording it when insert is true (the oldest
 * entry leaves when the cache is full).
 */
int e4plugin_replay_note(struct e4plugin_replay *r, const uint8_t digest[16], uint64_t who,
                         bool insert);

/* ---- framecheck.c ---- */
/*
 * Stateless checks of a frame of the given layout (E4_MODE_*): length,
 * clock window, and in pubkey layout the sender binding (when sender is
 * not NULL) and the signature (when the key is known).  0 or a reason.
 */
int e4plugin_frame_check(struct e4plugin *p, int layout, const uint8_t *frame, size_t len,
                         const uint8_t *sender, uint64_t now);
/*
 * Replay check, recording the frame when new: E4PLUGIN_R_REPLAY when it
 * was seen on topic from another publisher than `who`, or from any
 * publisher when resend is NULL; else 0, with *resend telling whether
 * `who` itself had sent it (an MQTT retransmission or a retained message
 * checked again for a new subscriber).  For a frame that passed
 * e4plugin_frame_check with this layout (only its length is checked
 * again); topic_len is strlen(topic).
 */
int e4plugin_frame_replay(struct e4plugin *p, int layout, const char *topic, size_t topic_len,
                          const uint8_t *frame, size_t len, uint64_t who, bool *resend);
/* The frame layout used on a topic: commands and acks are always symkey frames. */
int e4plugin_layout(const struct e4plugin *p, enum e4plugin_topic_kind kind);

/* ---- acl.c ---- */
int e4plugin_acl_cb(int event, void *event_data, void *userdata);
int e4plugin_message_cb(int event, void *event_data, void *userdata);
int e4plugin_disconnect_cb(int event, void *event_data, void *userdata);

/* ---- devices.c ---- */
int e4plugin_devices_init(struct e4plugin_devices *d);
void e4plugin_devices_free(struct e4plugin_devices *d);
/* The device with this id, or NULL. */
struct e4plugin_device *e4plugin_device_find(struct e4plugin_devices *d, const uint8_t id[E4_ID_LEN]);
/* The device with this id, created when missing; NULL on allocation failure. */
struct e4plugin_device *e4plugin_device_get(struct e4plugin_devices *d, const uint8_t id[E4_ID_LEN]);
/* Drops the entry of a device with neither a public key nor a connection. */
void e4plugin_device_gc(struct e4plugin_devices *d, const uint8_t id[E4_ID_LEN]);
/* Copies pointers to every device, sorted by id, into a new array (caller frees). */
struct e4plugin_device **e4plugin_devices_sorted(struct e4plugin_devices *d, size_t *n);

/* ---- control.c ---- */
int e4plugin_control_cb(int event, void *event_data, void *userdata);
/*
 * Handles one $CONTROL request payload and returns the response document
 * (heap string the caller frees), never NULL unless memory runs out.
 */
char *e4plugin_control_handle(struct e4plugin *p, const void *payload, size_t len);

/* ---- state.c ---- */
/* Loads the device public keys from the state file (missing file: empty). */
int e4plugin_state_load(struct e4plugin *p, char *err, size_t err_cap);
/* Writes the device public keys atomically to the state file (no file: no-op). */
int e4plugin_state_save(struct e4plugin *p, char *err, size_t err_cap);

/* ---- stats.c ---- */
int e4plugin_stats_init(struct e4plugin_stats *s, size_t filters, time_t now);
void e4plugin_stats_free(struct e4plugin_stats *s);
/* Name of a reason as used in statistics and logs. */
const char *e4plugin_reason_name(int reason);
/* Counts a passed frame on protect filter index f (-1: none). */
void e4plugin_stats_pass(struct e4plugin *p, int f);
/* Counts a refusal with its reason on protect filter index f (-1: none). */
void e4plugin_stats_refuse(struct e4plugin *p, int reason, int f);
/* Adds the statistics object to a response (control.c). */
struct cJSON *e4plugin_stats_json(struct e4plugin *p);

/* ---- presence.c ---- */
int e4plugin_presence_init(struct e4plugin_presence *pr);
void e4plugin_presence_free(struct e4plugin_presence *pr);
/* A client subscribed to its own control topic: may publish "online". */
void e4plugin_presence_online(struct e4plugin *p, const struct mosquitto *client,
                              const uint8_t id[E4_ID_LEN]);
/* A client disconnected: may publish "offline". */
void e4plugin_presence_offline(struct e4plugin *p, const struct mosquitto *client);

/* ---- log.c ---- */
/* Escapes an untrusted string for the log (printable ASCII kept, else \xHH; truncated). */
void e4plugin_log_escape(char *out, size_t cap, const char *in);
/* Logs a refusal, at most E4PLUGIN_LOG_PER_SECOND lines per second. */
void e4plugin_log_refusal(struct e4plugin *p, int reason, const struct mosquitto *client,
                          const char *topic, const char *what);

/* ---- brokerconf.c ---- */
/*
 * Finds the broker's -c file in cmdline_path (/proc/self/cmdline) and
 * fails (-1, message in err) when it, or a file of its include_dir, sets
 * mount_point or per_listener_settings true, or cannot be read.
 */
int e4plugin_brokerconf_check(const char *cmdline_path, char *err, size_t cap);

/* ---- instance.c ---- */
/* Creates an instance from options (NULL and message in err on failure). */
struct e4plugin *e4plugin_new(const struct mosquitto_opt *opts, int count, char *err,
                              size_t err_cap);
/* Releases an instance and everything it owns. */
void e4plugin_free(struct e4plugin *p);

#endif /* E4PLUGIN_H */
