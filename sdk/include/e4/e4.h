/*
 * e4.h - the E4 v1 device SDK: end-to-end protection of MQTT payloads.
 *
 * This header is the single source of truth for the SDK's API.  Every
 * function documents who owns each buffer.  The SDK never allocates: the
 * client state, its tables and every output buffer belong to the caller.
 * No pointer to caller input is kept after a call returns, except the
 * tables and callbacks named in struct e4_client_config, which must
 * outlive the client.
 *
 * Errors: 0 is success, every failure is a distinct negative E4_ERR_*
 * value (see e4/errors.h).  On any failure other than E4_ERR_BUFSIZE the
 * output buffer is wiped and *out_len is set to 0; on E4_ERR_BUFSIZE
 * *out_len holds the size that is needed.
 */
#ifndef E4_E4_H
#define E4_E4_H

#include <stddef.h>
#include <stdint.h>

#include "e4/errors.h"
#include "e4/wire.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Protocol mode, fixed per deployment and never negotiated. */
enum e4_mode {
	E4_MODE_SYMKEY = 1,
	E4_MODE_PUBKEY = 2
};

/* Defaults of the clock policy (seconds). */
#define E4_DEFAULT_MAX_AGE    600u
#define E4_DEFAULT_MAX_SKEW   60u
#define E4_DEFAULT_TRANSITION 3600u

/* Commands that may be applied with one timestamp (see E4_ERR_COMMAND_BURST). */
#define E4_COMMAND_HISTORY 8

/*
 * Clock callback: writes the current Unix time in seconds to *now and
 * returns 0, or returns non-zero when no trustworthy time is available
 * (for instance an RTC that is not set yet); the client then uses its
 * clockless time floor for that call.
 */
typedef int (*e4_clock_fn)(void *ctx, uint64_t *now);

/*
 * One slot of the topic key table.  Private: the layout may change, only
 * its size is part of the ABI of a given release.  A topic uses one slot
 * for its current key, plus one while a replaced key is in its
 * transition period and one for a key announced by SetTopicKeyNext.
 */
struct e4_topic_slot {
	uint8_t hash[E4_HASH_LEN];
	uint8_t key[E4_KEY_LEN];
	uint64_t expiry;   /* old key: usable for decryption until this time */
	uint32_t kind;     /* 0 free, 1 current, 2 old, 3 next */
	uint32_t reserved;
};

/* One slot of the replay cache (private layout). */
struct e4_replay_slot {
	uint8_t digest[16];
	uint64_t timestamp;
};

/* One slot of the public key table (pubkey mode; private layout). */
struct e4_pubkey_slot {
	uint8_t id[E4_ID_LEN];
	uint8_t pubkey[E4_ED25519_PK_LEN];
	uint32_t used;
	uint32_t reserved;
};

/*
 * Replay cache: remembers authenticated frames seen within max-age.  The
 * slots are caller memory.  Used by the client and by the broker plugin.
 */
struct e4_replay {
	struct e4_replay_slot *slots;
	size_t cap;
	size_t len;
};

/* Keyed AES state kept for a key in use (private; backend-defined). */
#ifndef E4_AES_STATE_SIZE
#define E4_AES_STATE_SIZE 48
#endif
struct e4_keyed {
	uint8_t key[E4_KEY_LEN];
	uint8_t d0[16];    /* CMAC_K(0^128), the start of S2V */
	uint32_t in_use;
	uint32_t age;
	union {
		uint8_t bytes[E4_AES_STATE_SIZE];
		uint64_t align;
		void *ptr;
	} state;
};

/* Number of keyed states a client caches (least recently used is dropped). */
#ifndef E4_KEY_CACHE
#define E4_KEY_CACHE 4
#endif

/* Topic names remembered with their hash, so a hot topic is not rehashed. */
#ifndef E4_TOPIC_MEMO
#define E4_TOPIC_MEMO 4
#endif
#define E4_TOPIC_MEMO_NAME 64
struct e4_topic_memo {
	uint8_t hash[E4_HASH_LEN];
	uint32_t len;      /* 0: empty */
	uint32_t age;
	char name[E4_TOPIC_MEMO_NAME];
};

struct e4_client;

/*
 * Persistence backend.  save() must replace the stored blob atomically
 * (old or new, never a mix); load() copies the stored blob into buf.
 * Both return 0 or a negative E4_ERR_*; load() returns E4_ERR_NOT_FOUND
 * when nothing has been stored yet.  ctx is the backend's own state.
 */
struct e4_store {
	int (*save)(void *ctx, const uint8_t *blob, size_t blob_len);
	int (*load)(void *ctx, uint8_t *buf, size_t cap, size_t *len);
	void *ctx;
};

/* Configuration of a client; fill with e4_client_config_default() first. */
struct e4_client_config {
	enum e4_mode mode;
	uint32_t max_age;      /* seconds; older messages are refused */
	uint32_t max_skew;     /* seconds; messages further in the future are refused */
	uint32_t transition;   /* seconds an old topic key stays usable */
	e4_clock_fn clock;     /* NULL: clockless device */
	void *clock_ctx;
	struct e4_topic_slot *topics;       /* caller memory, must outlive the client */
	size_t topics_cap;
	struct e4_replay_slot *replay;      /* may be NULL: no replay cache */
	size_t replay_cap;
	struct e4_pubkey_slot *pubkeys;     /* pubkey mode only */
	size_t pubkeys_cap;
	const struct e4_store *store;       /* NULL: state is not persisted */
	uint8_t *store_buf;                 /* scratch for save/load, at least */
	size_t store_buf_cap;               /* E4_STATE_BLOB_LEN(topics_cap, pubkeys_cap) */
	int accept_unknown_senders;         /* pubkey mode: opt-in, default 0 */
};

/*
 * Client state.  Allocated by the caller (stack, static or heap), set up
 * with e4_client_init() and torn down with e4_client_wipe().  Private:
 * read it only through the functions below.
 */
struct e4_client {
	uint32_t magic;
	enum e4_mode mode;
	struct e4_client_config cfg;
	uint8_t id[E4_ID_LEN];
	char control_topic[E4_CONTROL_TOPIC_CAP];
	uint8_t key[E4_KEY_LEN];            /* symkey: device key; pubkey: C2 command key */
	uint8_t prev_key[E4_KEY_LEN];       /* device key before SetIDKey, until first use of the new */
	uint32_t has_prev_key;
	uint32_t has_c2_key;
	uint8_t sign_sk[E4_ED25519_SK_LEN]; /* pubkey mode: seed || public key */
	uint8_t c2_pub[E4_CURVE_PK_LEN];    /* pubkey mode: C2 Curve25519 public key */
	uint64_t time_floor;                /* newest authenticated command timestamp */
	uint64_t last_command;              /* timestamp of the last applied command */
	uint8_t history[E4_COMMAND_HISTORY][16]; /* digests of commands applied at last_command */
	uint32_t history_len;
	uint32_t ack_len;
	uint8_t ack[E4_ACK_FRAME_LEN];      /* last ack frame produced */
	struct e4_replay replay;
	struct e4_keyed cache[E4_KEY_CACHE];
	struct e4_topic_memo memo[E4_TOPIC_MEMO];
	uint32_t cache_clock;
};

/* What e4_unprotect() learnt about a frame (all fields set on success). */
struct e4_recv_info {
	uint32_t is_command;      /* 1: frame was a C2 command, applied to the client */
	uint32_t command;         /* command code when is_command */
	uint64_t timestamp;       /* the frame's authenticated timestamp */
	uint8_t topic_hash[E4_HASH_LEN]; /* topic hash the command named, if any */
	uint8_t sender[E4_ID_LEN];       /* pubkey mode: signer of a message */
	uint32_t has_ack;         /* 1: an ack frame is ready (e4_client_ack) */
};

/* Fills *cfg with the defaults: symkey mode, 600/60/3600 s, no clock, no tables. */
void e4_client_config_default(struct e4_client_config *cfg);

/*
 * Initialises *c as device `id` (E4_ID_LEN bytes) holding `key`: the
 * 32-byte device key in symkey mode, or the 64-byte Ed25519 secret key
 * (seed || public) in pubkey mode (key_len says which).  The config is
 * copied; the tables it points to are cleared and must outlive the client.
 */
__attribute__((warn_unused_result))
int e4_client_init(struct e4_client *c, const struct e4_client_config *cfg,
                   const uint8_t id[E4_ID_LEN], const uint8_t *key, size_t key_len);

/*
 * Initialises *c from cfg->store (which must be set).  Returns
 * E4_ERR_NOT_FOUND when the store is empty, E4_ERR_STORE_FORMAT when it
 * is corrupt or of another mode or table size.
 */
__attribute__((warn_unused_result))
int e4_client_load(struct e4_client *c, const struct e4_client_config *cfg);

/* Writes the client state to its store (no-op returning 0 without one). */
__attribute__((warn_unused_result))
int e4_client_save(const struct e4_client *c);

/* Wipes every secret in *c and its tables and releases keyed states. */
void e4_client_wipe(struct e4_client *c);

/* The device id (E4_ID_LEN bytes, owned by *c). */
const uint8_t *e4_client_id(const struct e4_client *c);

/* The NUL-terminated control topic "e4/<hex id>" (owned by *c). */
const char *e4_client_control_topic(const struct e4_client *c);

/*
 * Sets (or replaces) the key of `topic` directly, as SetTopicKey would.
 * For provisioning and tests; devices normally get keys from the C2.
 */
__attribute__((warn_unused_result))
int e4_client_set_topic_key(struct e4_client *c, const char *topic,
                            const uint8_t key[E4_KEY_LEN]);

/* Removes every key of `topic`.  E4_ERR_NOT_FOUND when it had none. */
int e4_client_remove_topic(struct e4_client *c, const char *topic);

/* Number of topics with a current key. */
size_t e4_client_topic_count(const struct e4_client *c);

/*
 * Pubkey mode: sets the C2's Curve25519 public key (derives and caches
 * the command key).  Symkey mode: E4_ERR_WRONG_MODE.
 */
__attribute__((warn_unused_result))
int e4_client_set_c2_key(struct e4_client *c, const uint8_t pub[E4_CURVE_PK_LEN]);

/* Pubkey mode: stores the Ed25519 public key of device `id`. */
__attribute__((warn_unused_result))
int e4_client_set_pubkey(struct e4_client *c, const uint8_t id[E4_ID_LEN],
                         const uint8_t pub[E4_ED25519_PK_LEN]);

/*
 * Protects `msg` for publication on `topic` with the topic's current
 * key and the client's clock (clockless: its time floor).  out receives
 * E4_PROTECTED_LEN(msg_len) bytes in symkey mode, E4_PK_PROTECTED_LEN()
 * in pubkey mode.  Errors: E4_ERR_NO_TOPIC_KEY, E4_ERR_BUFSIZE, ...
 */
__attribute__((warn_unused_result))
int e4_protect(struct e4_client *c, uint8_t *out, size_t out_cap, size_t *out_len,
               const char *topic, const uint8_t *msg, size_t msg_len);

/*
 * Unprotects `frame` received on `topic`.  On the client's control topic
 * the frame is a C2 command: it is authenticated with the device key,
 * checked for monotonicity and applied (and saved to the store); nothing
 * is written to out (*out_len = 0) and info->is_command is set.  On any
 * other topic the plaintext is written to out (at most frame_len bytes).
 * info may be NULL.  On failure out is wiped.
 */
__attribute__((warn_unused_result))
int e4_unprotect(struct e4_client *c, uint8_t *out, size_t out_cap, size_t *out_len,
                 const char *topic, const uint8_t *frame, size_t frame_len,
                 struct e4_recv_info *info);

/*
 * Copies the ack frame for the last authenticated command into out (to
 * be published on "<control topic>/ack").  E4_ERR_NOT_FOUND when none is
 * pending.  Reading it clears it.
 */
__attribute__((warn_unused_result))
int e4_client_ack(struct e4_client *c, uint8_t *out, size_t out_cap, size_t *out_len);

/*
 * Size of the serialised state of a client holding at most these
 * numbers of topic slots and public keys (the store_buf size).
 */
#define E4_STATE_BLOB_LEN(topics_cap, pubkeys_cap) \
	(372u + (size_t)(topics_cap) * 57u + (size_t)(pubkeys_cap) * 48u)

/*
 * Reads the mode recorded in a state blob into *mode, so that a tool can
 * pick the matching config before e4_client_deserialize() (which checks
 * the rest, including the checksum).  E4_ERR_STORE_FORMAT when the blob
 * is not a state blob of a known version and mode.
 */
int e4_state_blob_mode(const uint8_t *blob, size_t blob_len, enum e4_mode *mode);

/*
 * Serialises the client state (versioned, with a SHA3-256 checksum) into
 * out, which needs E4_STATE_BLOB_LEN(topics_cap, pubkeys_cap) bytes at
 * most.  The blob holds keys: wipe it after use.
 */
__attribute__((warn_unused_result))
int e4_client_serialize(const struct e4_client *c, uint8_t *out, size_t out_cap,
                        size_t *out_len);

/*
 * Initialises *c from a blob made by e4_client_serialize() and the
 * config (whose tables must be large enough).  E4_ERR_STORE_FORMAT on a
 * corrupt blob or one of another mode.
 */
__attribute__((warn_unused_result))
int e4_client_deserialize(struct e4_client *c, const struct e4_client_config *cfg,
                          const uint8_t *blob, size_t blob_len);

#ifdef __cplusplus
}
#endif
#endif /* E4_E4_H */
