/*
 * fuzz_e4.c - libFuzzer targets for the SDK's parsers of untrusted bytes.
 *
 * Built once per target with -DFUZZ_TARGET=FUZZ_<name> (see tests/local.mk):
 *   unprotect_msg  e4_unprotect on data topics (symkey and pubkey clients
 *                  holding the public vector keys, clock near the frame's time)
 *   unprotect_cmd  e4_unprotect on the control topic: sequences of raw frames
 *                  and of command plaintexts sealed with the current command key
 *   frame_open     e4_frame_open / e4_pk_frame_open / e4_frame_timestamp
 *   ack_open       e4_ack_open on raw frames and on sealed fuzzed plaintexts
 *   deserialize    e4_client_deserialize, raw and with a recomputed checksum
 * Besides crashes and sanitizer reports, each target checks invariants and
 * aborts when one breaks (outputs wiped on failure, acks that open, state
 * that serialises back to the same bytes).
 */
#include <stdlib.h>
#include <string.h>

#include "e4/e4.h"
#include "internal.h"
#include "vectors.h"

#define FUZZ_unprotect_msg 1
#define FUZZ_unprotect_cmd 2
#define FUZZ_frame_open    3
#define FUZZ_ack_open      4
#define FUZZ_deserialize   5

#define U8(s) ((const uint8_t *)(s))
#define CHECK(x) do { if (!(x)) abort(); } while (0)
#define TOPICS 24
#define PUBKEYS 4
#define BIG 8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Everything one input works on, reset per input. */
struct env {
	struct e4_client c;
	struct e4_client_config cfg;
	struct e4_topic_slot topics[TOPICS];
	struct e4_replay_slot replay[8];
	struct e4_pubkey_slot pubkeys[PUBKEYS];
	uint64_t now;
	int clock_on;
	uint8_t out[BIG];
};

static struct env E;

/* The fuzzed clock: E.now, or no time at all. */
static int fuzz_clock(void *ctx, uint64_t *now)
{
	(void)ctx;
	if (!E.clock_on)
		return -1;
	*now = E.now;
	return 0;
}

/* 1 when the n bytes are all zero. */
static int all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* The vector client's Ed25519 secret key (seed || public). */
static void vec_sk(uint8_t sk[64])
{
	memcpy(sk, vec_pk_ed25519_seed, 32);
	memcpy(sk + 32, vec_pk_ed25519_pub, 32);
}

/* A client of the given mode holding every vector topic key. */
static void env_init(int pubkey, int accept_unknown)
{
	uint8_t sk[64];
	size_t i;

	memset(&E.c, 0, sizeof(E.c));
	E.clock_on = 0;
	e4_client_config_default(&E.cfg);
	E.cfg.mode = pubkey ? E4_MODE_PUBKEY : E4_MODE_SYMKEY;
	E.cfg.clock = fuzz_clock;
	E.cfg.topics = E.topics;
	E.cfg.topics_cap = TOPICS;
	E.cfg.replay = E.replay;
	E.cfg.replay_cap = 8;
	E.cfg.pubkeys = E.pubkeys;
	E.cfg.pubkeys_cap = PUBKEYS;
	E.cfg.accept_unknown_senders = accept_unknown;
	vec_sk(sk);
	if (pubkey) {
		CHECK(e4_client_init(&E.c, &E.cfg, U8(vec_pk_client_id), sk, 64) == 0);
		CHECK(e4_client_set_c2_key(&E.c, U8(vec_pk_c2_curve25519_pk)) == 0);
	} else {
		CHECK(e4_client_init(&E.c, &E.cfg, U8(vec_client_id), U8(vec_client_key), 32) == 0);
	}
	for (i = 0; i < VEC_N(vec_symkey_messages); i++)
		CHECK(e4_client_set_topic_key(&E.c, vec_symkey_messages[i].topic,
		                              U8(vec_symkey_messages[i].key)) == 0);
	CHECK(e4_client_set_topic_key(&E.c, vec_pubkey_messages[0].topic,
	                              U8(vec_pubkey_messages[0].topic_key)) == 0);
	e4_wipe(sk, sizeof(sk));
}

/* Picks a topic: a vector topic, the control topic, or an unknown one. */
static const char *pick_topic(uint8_t sel)
{
	size_t n = VEC_N(vec_symkey_messages);

	if (sel < n)
		return vec_symkey_messages[sel].topic;
	if (sel == n)
		return vec_pubkey_messages[0].topic;
	if (sel == n + 1)
		return e4_client_control_topic(&E.c);
	return "no/such/topic";
}

/* Unprotects on topic with the invariants of the output triple. */
static int unprotect_checked(const char *topic, const uint8_t *frame, size_t len,
                             struct e4_recv_info *info)
{
	size_t out_len = 12345;
	int err;

	memset(E.out, 0xAA, sizeof(E.out));
	err = e4_unprotect(&E.c, E.out, sizeof(E.out), &out_len, topic, frame, len, info);
	if (err == E4_ERR_BUFSIZE)
		return err;
	if (err != 0) {
		CHECK(out_len == 0);
		CHECK(all_zero(E.out, sizeof(E.out)));
	} else if (info->is_command) {
		CHECK(out_len == 0);
	} else {
		CHECK(out_len == len - (E.c.mode == E4_MODE_PUBKEY ? E4_PK_OVERHEAD : E4_HEADER_LEN));
	}
	return err;
}

/* Checks the pending ack (if any) of the frame just delivered. */
static void check_ack(const uint8_t *frame, size_t len, int err, const struct e4_recv_info *info)
{
	uint8_t ack[64], digest[16], want[16], status = 0;
	size_t ack_len = 0;

	if (!info->has_ack) {
		CHECK(e4_client_ack(&E.c, ack, sizeof(ack), &ack_len) == E4_ERR_NOT_FOUND);
		return;
	}
	CHECK(e4_client_ack(&E.c, ack, sizeof(ack), &ack_len) == 0);
	CHECK(ack_len == E4_ACK_FRAME_LEN);
	CHECK(e4_ack_open(E.c.key, ack, ack_len, digest, &status, NULL) == 0);
	CHECK(e4_command_digest(want, frame, len) == 0);
	CHECK(memcmp(digest, want, 16) == 0);
	CHECK(status == e4__ack_status(err));
}

/* Serialises the client, loads it into a second one, serialises again. */
static void check_state_round_trip(void)
{
	static uint8_t a[E4_STATE_BLOB_LEN(TOPICS, PUBKEYS)], b[sizeof(a)];
	static struct e4_topic_slot topics[TOPICS];
	static struct e4_pubkey_slot pubkeys[PUBKEYS];
	struct e4_client_config cfg = E.cfg;
	struct e4_client c2;
	size_t alen = 0, blen = 0;

	cfg.topics = topics;
	cfg.pubkeys = pubkeys;
	cfg.replay = NULL;
	cfg.replay_cap = 0;
	CHECK(e4_client_serialize(&E.c, a, sizeof(a), &alen) == 0);
	CHECK(e4_client_deserialize(&c2, &cfg, a, alen) == 0);
	CHECK(e4_client_serialize(&c2, b, sizeof(b), &blen) == 0);
	CHECK(alen == blen && memcmp(a, b, alen) == 0);
	e4_client_wipe(&c2);
}

#if FUZZ_TARGET == FUZZ_unprotect_msg
/* data[0]: mode, accept-unknown, clock; data[1]: topic; data[2]: skew; rest: frame. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct e4_recv_info info;
	uint64_t ts = 0;
	const char *topic;
	int err;

	if (size < 3)
		return 0;
	env_init(data[0] & 1, (data[0] >> 1) & 1);
	topic = pick_topic(data[1]);
	if (topic == e4_client_control_topic(&E.c))
		topic = "no/such/topic";
	E.clock_on = !((data[0] >> 2) & 1);
	if (size >= 3 + 8)
		ts = e4_load_le64(data + 3);
	E.now = ts + (uint64_t)(int64_t)(int8_t)data[2] * 11;
	err = unprotect_checked(topic, data + 3, size - 3, &info);
	if (err == 0)
		CHECK(unprotect_checked(topic, data + 3, size - 3, &info) == E4_ERR_REPLAY);
	e4_client_wipe(&E.c);
	return 0;
}
#endif

#if FUZZ_TARGET == FUZZ_unprotect_cmd
/* Delivers one command record; returns the bytes consumed. */
static size_t command_record(const uint8_t *p, size_t n, uint64_t *ts)
{
	uint8_t frame[E4_PROTECTED_LEN(256)];
	struct e4_recv_info info;
	size_t len, plen;
	int err;

	if (n < 2)
		return n;
	plen = p[1] < n - 2 ? p[1] : n - 2;
	*ts += (uint64_t)((p[0] >> 1) & 7);
	*ts -= 2;
	if (p[0] & 1) {
		/* A command plaintext sealed with the key in force (or the previous one). */
		const uint8_t *key = (p[0] & 0x20) && E.c.has_prev_key ? E.c.prev_key : E.c.key;

		CHECK(e4_frame_seal(frame, sizeof(frame), &len, key, *ts, p + 2, plen) == 0);
	} else {
		len = plen;
		memcpy(frame, p + 2, len);
	}
	E.now = *ts + (uint64_t)((p[0] >> 6) & 3);
	err = unprotect_checked(e4_client_control_topic(&E.c), frame, len, &info);
	check_ack(frame, len, err, &info);
	if (err == 0 && (p[0] & 0x10)) {
		/* The same frame again is never applied twice. */
		err = unprotect_checked(e4_client_control_topic(&E.c), frame, len, &info);
		/* AUTH when the frame's own key was retired by applying it. */
		CHECK(err == E4_ERR_COMMAND_REPLAY || err == E4_ERR_AUTH);
		check_ack(frame, len, err, &info);
	}
	return 2 + plen;
}

/* data[0]: mode, clock; then records [flags][len][bytes]. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t ts;
	size_t at = 1;

	if (size < 1)
		return 0;
	env_init(data[0] & 1, 0);
	E.clock_on = !((data[0] >> 1) & 1);
	ts = (data[0] & 1) ? vec_pubkey_commands[0].ts : vec_symkey_commands[0].ts;
	while (at < size)
		at += command_record(data + at, size - at, &ts);
	check_state_round_trip();
	e4_client_wipe(&E.c);
	return 0;
}
#endif

#if FUZZ_TARGET == FUZZ_frame_open
/* data[0]: which vector key; rest: a frame to open in both layouts. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *key;
	size_t len = 7, n;
	uint64_t ts;
	int err;

	if (size < 1)
		return 0;
	n = VEC_N(vec_symkey_messages);
	key = data[0] < n ? U8(vec_symkey_messages[data[0]].key) :
	      U8(vec_pubkey_messages[0].topic_key);
	memset(E.out, 0xAA, sizeof(E.out));
	err = e4_frame_open(E.out, sizeof(E.out), &len, key, &ts, data + 1, size - 1);
	if (err != 0 && err != E4_ERR_BUFSIZE)
		CHECK(len == 0 && all_zero(E.out, sizeof(E.out)));
	if (err == 0)
		CHECK(len == size - 1 - E4_HEADER_LEN && ts == e4_load_le64(data + 1));
	memset(E.out, 0xAA, sizeof(E.out));
	err = e4_pk_frame_open(E.out, sizeof(E.out), &len, key, U8(vec_pk_ed25519_pub), &ts,
	                       data + 1, size - 1);
	if (err != 0 && err != E4_ERR_BUFSIZE)
		CHECK(len == 0 && all_zero(E.out, sizeof(E.out)));
	(void)e4_frame_timestamp(data + 1, size - 1, E4_MODE_PUBKEY, &ts);
	return 0;
}
#endif

#if FUZZ_TARGET == FUZZ_ack_open
/* data[0] bit 0: open data as an ack frame, or seal it as a plaintext first. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t frame[E4_PROTECTED_LEN(64)], digest[16], status;
	const uint8_t *f = data + 1;
	size_t len;
	uint64_t ts;
	int err;

	if (size < 1)
		return 0;
	len = size - 1;
	if ((data[0] & 1) && len <= 64) {
		CHECK(e4_frame_seal(frame, sizeof(frame), &len, U8(vec_client_key), 5, data + 1,
		                    size - 1) == 0);
		f = frame;
	}
	err = e4_ack_open(U8(vec_client_key), f, len, digest, &status, &ts);
	if (err == 0)
		CHECK(len == E4_ACK_FRAME_LEN);
	if (f == frame)
		CHECK((err == 0) == (size - 1 == E4_ACK_PLAIN_LEN && data[1] == E4_ACK_CODE));
	return 0;
}
#endif

#if FUZZ_TARGET == FUZZ_deserialize
/* data[0]: mode, fix the checksum; rest: a state blob. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t blob[E4_STATE_BLOB_LEN(TOPICS, PUBKEYS) + 64];
	size_t len;
	int err;

	if (size < 1 || size - 1 > sizeof(blob))
		return 0;
	env_init(data[0] & 1, 0);
	e4_client_wipe(&E.c);
	len = size - 1;
	memcpy(blob, data + 1, len);
	if ((data[0] & 2) && len >= 32)
		CHECK(e4_sha3_256(blob + len - 32, blob, len - 32) == 0);
	err = e4_client_deserialize(&E.c, &E.cfg, blob, len);
	if (err == 0) {
		uint8_t again[sizeof(blob)];
		size_t alen = 0;

		CHECK(e4_client_serialize(&E.c, again, sizeof(again), &alen) == 0);
		CHECK(alen == len && memcmp(again, blob, len) == 0);
		check_state_round_trip();
		(void)unprotect_checked(pick_topic(0), U8(vec_symkey_messages[0].frame),
		                        vec_symkey_messages[0].frame_len,
		                        &(struct e4_recv_info){ 0 });
		e4_client_wipe(&E.c);
	}
	return 0;
}
#endif
