/*
 * e4/wire.h - the E4 v1 wire format without client state.
 *
 * Stateless building blocks shared by devices, the C2 and the broker
 * plugin: identifiers, frames, commands and acks.  All buffers belong to
 * the caller; nothing is retained after a call.
 *
 * Symkey frame:  timestamp (8, little-endian Unix s) || SIV tag (16) || ciphertext
 * Pubkey frame:  timestamp (8) || sender id (16) || SIV tag (16) || ciphertext
 *                || Ed25519 signature (64) over every byte before it
 * AES-SIV is RFC 5297 CMAC-SIV with the 64-byte key K||K and the 8-byte
 * timestamp as the single associated-data item.
 */
#ifndef E4_WIRE_H
#define E4_WIRE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define E4_KEY_LEN          32
#define E4_ID_LEN           16
#define E4_HASH_LEN         16
#define E4_TIMESTAMP_LEN     8
#define E4_TAG_LEN          16
#define E4_HEADER_LEN       (E4_TIMESTAMP_LEN + E4_TAG_LEN)       /* 24 */
#define E4_ED25519_PK_LEN   32
#define E4_ED25519_SK_LEN   64                                   /* seed || public */
#define E4_ED25519_SEED_LEN 32
#define E4_SIGNATURE_LEN    64
#define E4_CURVE_PK_LEN     32
#define E4_PK_HEADER_LEN    (E4_TIMESTAMP_LEN + E4_ID_LEN + E4_TAG_LEN) /* 40 */
#define E4_PK_OVERHEAD      (E4_PK_HEADER_LEN + E4_SIGNATURE_LEN)       /* 104 */
#define E4_TOPIC_MAX        65535
/* "e4/" + 32 hex + NUL */
#define E4_CONTROL_TOPIC_CAP 36
/* Control topic plus "/ack" and NUL */
#define E4_ACK_TOPIC_CAP     40

/* Size of a symkey frame carrying n bytes (function twin: e4_protected_len). */
#define E4_PROTECTED_LEN(n)    ((size_t)(n) + E4_HEADER_LEN)
/* Size of a pubkey frame carrying n bytes. */
#define E4_PK_PROTECTED_LEN(n) ((size_t)(n) + E4_PK_OVERHEAD)

/* Command codes (first plaintext byte of a command). */
enum e4_command_code {
	E4_CMD_REMOVE_TOPIC    = 0x00, /* topichash(16) */
	E4_CMD_RESET_TOPICS    = 0x01, /* - */
	E4_CMD_SET_ID_KEY      = 0x02, /* key(32) symkey, ed25519 sk(64) pubkey */
	E4_CMD_SET_TOPIC_KEY   = 0x03, /* key(32) || topichash(16) */
	E4_CMD_REMOVE_PUBKEY   = 0x04, /* id(16) */
	E4_CMD_RESET_PUBKEYS   = 0x05, /* - */
	E4_CMD_SET_PUBKEY      = 0x06, /* pubkey(32) || id(16) */
	E4_CMD_SET_C2_KEY      = 0x07, /* curve25519 public(32) */
	E4_CMD_SET_TOPIC_KEY_NEXT = 0x08, /* extension: key(32) || topichash(16) */
	E4_CMD_HEARTBEAT       = 0x09, /* extension: - */
	E4_CMD_REPLACE_TOPIC_KEY = 0x0a, /* extension: key(32) || topichash(16), the topic's only key */
	E4_CMD_RETIRE_ID_KEY   = 0x0b  /* extension: -, forget the previous device / command key */
};

/* Highest command code this implementation knows. */
#define E4_CMD_LAST E4_CMD_RETIRE_ID_KEY

/* Largest command plaintext (SetIDKey in pubkey mode). */
#define E4_COMMAND_MAX 65

/* Ack plaintext: 0x80 || SHA3-256(command frame)[:16] || status. */
#define E4_ACK_CODE       0x80
#define E4_ACK_PLAIN_LEN  18
#define E4_ACK_FRAME_LEN  E4_PROTECTED_LEN(E4_ACK_PLAIN_LEN)   /* 42 */

/* Ack status codes (extension; documented in e4-protocol(7)). */
enum e4_ack_status {
	E4_ACK_APPLIED        = 0,
	E4_ACK_DUPLICATE      = 1, /* same frame applied before: nothing changed */
	E4_ACK_STALE          = 2, /* older than the last applied command */
	E4_ACK_BAD_LENGTH     = 3,
	E4_ACK_UNKNOWN        = 4, /* unknown command code */
	E4_ACK_TABLE_FULL     = 5,
	E4_ACK_WRONG_MODE     = 6,
	E4_ACK_BURST          = 7,
	E4_ACK_STORE_FAILED   = 8, /* applied in memory, not persisted */
	E4_ACK_FAILED         = 9  /* any other failure */
};

/* Writes SHA3-256(data)[:16] to out (topic hash, or id from an alias). */
int e4_hash16(uint8_t out[E4_HASH_LEN], const void *data, size_t len);

/* SHA3-256(data) in full. */
int e4_sha3_256(uint8_t out[32], const void *data, size_t len);

/* Id of a device from its alias: SHA3-256(alias)[:16]. */
int e4_id_from_alias(uint8_t id[E4_ID_LEN], const char *alias);

/* Topic hash: SHA3-256(topic)[:16]. */
int e4_topic_hash(uint8_t hash[E4_HASH_LEN], const char *topic);

/* Writes "e4/<32 lowercase hex>" and a NUL to out (E4_CONTROL_TOPIC_CAP bytes). */
void e4_control_topic(char out[E4_CONTROL_TOPIC_CAP], const uint8_t id[E4_ID_LEN]);

/* Writes 2*len lowercase hex characters and a NUL to out. */
void e4_hex_encode(char *out, const uint8_t *in, size_t len);

/*
 * Decodes exactly out_len bytes from the hex string `hex` (either case,
 * no separators, exactly 2*out_len characters).  E4_ERR_INVALID_ARG otherwise.
 */
int e4_hex_decode(uint8_t *out, size_t out_len, const char *hex);

/* Reads / writes the 8-byte little-endian timestamp at p. */
uint64_t e4_load_le64(const uint8_t *p);
void e4_store_le64(uint8_t *p, uint64_t v);

/*
 * Protects msg with `key` at time `ts` (symkey frame layout).  out needs
 * E4_PROTECTED_LEN(msg_len) bytes.
 */
__attribute__((warn_unused_result))
int e4_frame_seal(uint8_t *out, size_t out_cap, size_t *out_len,
                  const uint8_t key[E4_KEY_LEN], uint64_t ts,
                  const uint8_t *msg, size_t msg_len);

/*
 * Opens a symkey frame with `key`: verifies the tag and writes the
 * plaintext (frame_len - 24 bytes) to out, the timestamp to *ts (may be
 * NULL).  No clock or replay policy is applied here.
 */
__attribute__((warn_unused_result))
int e4_frame_open(uint8_t *out, size_t out_cap, size_t *out_len,
                  const uint8_t key[E4_KEY_LEN], uint64_t *ts,
                  const uint8_t *frame, size_t frame_len);

/*
 * Reads the timestamp of a frame of the given mode (1 symkey, 2 pubkey)
 * after checking the mode's minimum length; no key needed.
 */
int e4_frame_timestamp(const uint8_t *frame, size_t frame_len, int mode, uint64_t *ts);

/*
 * Applies the clock policy: E4_ERR_TOO_OLD when ts < now - max_age,
 * E4_ERR_IN_FUTURE when ts > now + max_skew, else 0.
 */
int e4_check_time(uint64_t ts, uint64_t now, uint32_t max_age, uint32_t max_skew);

/*
 * Builds a command plaintext into out: code followed by `args` (whose
 * length must match the code; args may be NULL when args_len is 0).
 * key_len_mode is 1 for symkey, 2 for pubkey (SetIDKey's length).
 */
int e4_command_build(uint8_t *out, size_t out_cap, size_t *out_len, int mode,
                     uint8_t code, const uint8_t *args, size_t args_len);

/* Expected argument length of `code` in `mode`, or a negative E4_ERR_*. */
int e4_command_args_len(int mode, uint8_t code);

/*
 * Builds an ack frame: plaintext 0x80 || SHA3-256(cmd_frame)[:16] || status,
 * sealed with `key` at time `ts`.  out needs E4_ACK_FRAME_LEN bytes.
 */
__attribute__((warn_unused_result))
int e4_ack_seal(uint8_t *out, size_t out_cap, size_t *out_len,
                const uint8_t key[E4_KEY_LEN], uint64_t ts,
                const uint8_t *cmd_frame, size_t cmd_frame_len, uint8_t status);

/*
 * Opens an ack frame with `key`: writes the command digest (16 bytes),
 * the status and the timestamp.  E4_ERR_AUTH on a bad tag,
 * E4_ERR_BAD_ACK when the plaintext is not an ack.
 */
__attribute__((warn_unused_result))
int e4_ack_open(const uint8_t key[E4_KEY_LEN], const uint8_t *frame, size_t frame_len,
                uint8_t digest[16], uint8_t *status, uint64_t *ts);

/* The 16-byte digest an ack names for a command frame. */
int e4_command_digest(uint8_t digest[16], const uint8_t *cmd_frame, size_t len);

/*
 * Replay cache.  e4_replay_init() clears `slots` (caller memory, cap
 * entries).  e4_replay_check() returns E4_ERR_REPLAY when digest is
 * already cached (whatever the timestamp), else records it with ts
 * (evicting entries older than now - max_age, then the earliest arrival:
 * an entry leaves only after cap newer ones) and returns 0.  Which digest is
 * used is the caller's choice (the SDK uses the authenticated SIV tag
 * mixed with the topic hash).
 */
struct e4_replay;
struct e4_replay_slot;
void e4_replay_init(struct e4_replay *r, struct e4_replay_slot *slots, size_t cap);
int e4_replay_check(struct e4_replay *r, const uint8_t digest[16], uint64_t ts,
                    uint64_t now, uint32_t max_age);

/*
 * Pubkey mode frames.  e4_pk_frame_seal() encrypts msg with topic_key
 * and signs with sign_sk (64 bytes: seed || public), naming `sender` as
 * the sender id; out needs E4_PK_PROTECTED_LEN(msg_len) bytes.
 */
__attribute__((warn_unused_result))
int e4_pk_frame_seal(uint8_t *out, size_t out_cap, size_t *out_len,
                     const uint8_t topic_key[E4_KEY_LEN],
                     const uint8_t sign_sk[E4_ED25519_SK_LEN],
                     const uint8_t sender[E4_ID_LEN], uint64_t ts,
                     const uint8_t *msg, size_t msg_len);

/*
 * Verifies the signature of a pubkey frame with `sender_pub` (no
 * decryption; what the broker plugin does).  E4_ERR_TOO_SHORT,
 * E4_ERR_BAD_SIGNATURE.
 */
__attribute__((warn_unused_result))
int e4_pk_frame_verify(const uint8_t *frame, size_t frame_len,
                       const uint8_t sender_pub[E4_ED25519_PK_LEN]);

/* Copies the sender id of a pubkey frame (after the length check). */
int e4_pk_frame_sender(const uint8_t *frame, size_t frame_len, uint8_t sender[E4_ID_LEN]);

/*
 * Verifies (when sender_pub is not NULL) then decrypts a pubkey frame
 * with topic_key.  Plaintext is frame_len - 104 bytes.
 */
__attribute__((warn_unused_result))
int e4_pk_frame_open(uint8_t *out, size_t out_cap, size_t *out_len,
                     const uint8_t topic_key[E4_KEY_LEN],
                     const uint8_t *sender_pub, uint64_t *ts,
                     const uint8_t *frame, size_t frame_len);

/*
 * Device side of the pubkey command key:
 * SHA3-256(X25519(curve25519(sign_sk), c2_pub)).
 */
__attribute__((warn_unused_result))
int e4_pk_command_key(uint8_t out[E4_KEY_LEN], const uint8_t sign_sk[E4_ED25519_SK_LEN],
                      const uint8_t c2_pub[E4_CURVE_PK_LEN]);

/*
 * C2 side of the same key: SHA3-256(X25519(c2_sk, curve25519(device_pub))).
 */
__attribute__((warn_unused_result))
int e4_pk_command_key_c2(uint8_t out[E4_KEY_LEN], const uint8_t c2_sk[32],
                         const uint8_t device_pub[E4_ED25519_PK_LEN]);

/* Fresh Ed25519 key pair from the OS entropy source (hosted builds). */
int e4_ed25519_keypair(uint8_t pub[E4_ED25519_PK_LEN], uint8_t sk[E4_ED25519_SK_LEN]);

/* Constant-time comparison of n bytes: 0 when equal. */
int e4_memcmp_ct(const void *a, const void *b, size_t n);

/* Wipes n bytes in a way the compiler cannot elide. */
void e4_wipe(void *p, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* E4_WIRE_H */
