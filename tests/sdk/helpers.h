/*
 * helpers.h - fixtures and assertions shared by the SDK's Check suites.
 *
 * A fixture is a client with its tables, a controllable clock and a
 * memory store, all in one struct the test owns (usually on its stack).
 */
#ifndef E4_TEST_HELPERS_H
#define E4_TEST_HELPERS_H

#include <stddef.h>
#include <stdint.h>

#include <check.h>

#include "e4/e4.h"
#include "e4/store.h"

#define FX_TOPICS   16
#define FX_REPLAY   32
#define FX_PUBKEYS  8
#define FX_BLOB_CAP E4_STATE_BLOB_LEN(FX_TOPICS, FX_PUBKEYS)

struct fixture {
	struct e4_client c;
	struct e4_client_config cfg;
	struct e4_topic_slot topics[FX_TOPICS];
	struct e4_replay_slot replay[FX_REPLAY];
	struct e4_pubkey_slot pubkeys[FX_PUBKEYS];
	uint64_t now;     /* what the clock callback reports */
	int clock_fails;  /* non-zero: the callback reports "no time" */
	struct e4_store store;
	struct e4_store_memory mem;
	uint8_t mem_buf[FX_BLOB_CAP];
	uint8_t store_buf[FX_BLOB_CAP];
};

/* Options of fx_init(). */
enum {
	FX_CLOCKLESS = 1,  /* no clock callback */
	FX_NO_REPLAY = 2,  /* no replay cache */
	FX_STORE     = 4   /* persist to the memory store */
};

/* Sets up f as a symkey client (id, 32-byte key) with a clock at `now`. */
void fx_init(struct fixture *f, const uint8_t id[E4_ID_LEN], const uint8_t key[E4_KEY_LEN],
             uint64_t now, unsigned opts);

/* Sets up f as a pubkey client with a 64-byte Ed25519 secret key; c2_pub may be NULL. */
void fx_init_pk(struct fixture *f, const uint8_t id[E4_ID_LEN],
                const uint8_t sk[E4_ED25519_SK_LEN], const uint8_t *c2_pub, uint64_t now,
                unsigned opts);

/* Deterministic test bytes: out[i] derived from (label, i). */
void fx_bytes(uint8_t *out, size_t n, unsigned label);

/* Decodes a hex string of exactly 2*n characters (the test fails otherwise). */
void fx_hex(uint8_t *out, size_t n, const char *hex);

/* Fills a buffer with 0xAA, the marker failure paths must wipe. */
void fx_fill(uint8_t *buf, size_t n);

/* 1 when the n bytes are all zero. */
int fx_all_zero(const uint8_t *buf, size_t n);

/* Seals a raw command plaintext (code || args, any length) with key at ts. */
void fx_cmd_seal(uint8_t *frame, size_t cap, size_t *len, const uint8_t key[E4_KEY_LEN],
                 uint64_t ts, uint8_t code, const uint8_t *args, size_t args_len);

/*
 * Delivers a command frame on f's control topic; returns the error of
 * e4_unprotect and checks that out was wiped on failure and untouched
 * otherwise (no plaintext ever comes out of a command).
 */
int fx_command(struct fixture *f, const uint8_t *frame, size_t len, struct e4_recv_info *info);

/* Seals then delivers a command (code || args) with key at ts. */
int fx_send(struct fixture *f, const uint8_t key[E4_KEY_LEN], uint64_t ts, uint8_t code,
            const uint8_t *args, size_t args_len);

/*
 * Reads the pending ack, opens it with key and checks the digest names
 * frame and the status is `status`.
 */
void fx_check_ack(struct fixture *f, const uint8_t key[E4_KEY_LEN], const uint8_t *frame,
                  size_t frame_len, uint8_t status);

/* Protects msg on topic and opens the result with key: 0 when key was used. */
int fx_protected_with(struct fixture *f, const char *topic, const uint8_t key[E4_KEY_LEN]);

/* Loads f's memory store into a second client; checks both serialise alike. */
void fx_check_reload(struct fixture *f);

/* Unprotects a frame with a 0xAA-filled out; checks out is wiped on failure. */
int fx_unprotect(struct fixture *f, uint8_t *out, size_t cap, size_t *out_len,
                 const char *topic, const uint8_t *frame, size_t frame_len);

/* Makes a fresh scratch directory under tests/scratch of the build tree. */
void fx_scratch(char *dir, size_t cap);

/* Removes a scratch directory and the files in it. */
void fx_scratch_remove(const char *dir);

#define ck_assert_wiped(buf, n) ck_assert_msg(fx_all_zero((buf), (n)), \
	"output buffer " #buf " not wiped")

/* Module suites of the test-sdk binary. */
Suite *suite_errors(void);
Suite *suite_wire(void);
Suite *suite_siv(void);
Suite *suite_frame(void);
Suite *suite_client(void);
Suite *suite_commands(void);
Suite *suite_replay(void);
Suite *suite_clock(void);
Suite *suite_store(void);
Suite *suite_pubkey(void);
Suite *suite_acks(void);
Suite *suite_extvectors(void);

/* Known-answer loop tests (tests/sdk/vectors.c), one binary per vector set. */
TCase *vectors_tcase_hashes(void);
TCase *vectors_tcase_symkey_messages(void);
TCase *vectors_tcase_negative(void);
TCase *vectors_tcase_symkey_commands(void);
TCase *vectors_tcase_pubkey_messages(void);
TCase *vectors_tcase_pubkey_commands(void);

/* Runs the suites; returns the process exit status. */
int run_suites(Suite *const *suites, size_t n);

#endif /* E4_TEST_HELPERS_H */
