/*
 * suite-extvectors.c - known answers for the protocol extensions
 * (tests/vectors/e4-extensions.json, made by e4x_vectors.py from Python's
 * 'cryptography', independent of this code): each command frame of a
 * sequence seals to the expected bytes, applies through a client and
 * gives exactly the expected ack; afterwards the retired keys open nothing.
 */
#include <string.h>

#include "helpers.h"
#include "vectors_ext.h"

#define U8(s) ((const uint8_t *)(s))

/* Checks one step: the frame is the seal of its plaintext, applies, and acks as expected. */
static void check_step(struct fixture *f, const struct vecx_step *s, const uint8_t key[32])
{
	uint8_t frame[E4_PROTECTED_LEN(E4_COMMAND_MAX)], ack[E4_ACK_FRAME_LEN];
	size_t len = 0;

	ck_assert_int_eq(e4_frame_seal(frame, sizeof(frame), &len, key, s->ts, U8(s->pt), s->pt_len),
	                 0);
	ck_assert_uint_eq(len, s->frame_len);
	ck_assert_msg(memcmp(frame, s->frame, len) == 0, "%s does not seal to the vector", s->name);
	f->now = s->ts;
	ck_assert_msg(fx_command(f, U8(s->frame), s->frame_len, NULL) == 0, "%s refused", s->name);
	ck_assert_int_eq(e4_client_ack(&f->c, ack, sizeof(ack), &len), 0);
	ck_assert_uint_eq(len, s->ack_len);
	ck_assert_msg(memcmp(ack, s->ack, len) == 0, "%s: ack differs from the vector", s->name);
}

/* Number of keys the client holds for the vectors' topic. */
static size_t topic_keys(const struct fixture *f)
{
	uint8_t hash[E4_HASH_LEN];
	size_t i, n = 0;

	ck_assert_int_eq(e4_topic_hash(hash, vecx_topic), 0);
	for (i = 0; i < FX_TOPICS; i++)
		n += f->topics[i].kind != 0 && memcmp(f->topics[i].hash, hash, E4_HASH_LEN) == 0;
	return n;
}

/* 1 when the client accepts a fresh message under key on the vectors' topic. */
static int accepts(struct fixture *f, const char *key)
{
	uint8_t frame[E4_PROTECTED_LEN(2)], out[2];
	size_t len, out_len;

	f->now++;
	ck_assert_int_eq(e4_frame_seal(frame, sizeof(frame), &len, U8(key), f->now, U8("hi"), 2), 0);
	return fx_unprotect(f, out, sizeof(out), &out_len, vecx_topic, frame, len) == 0;
}

START_TEST(symkey_extension_vectors_apply_and_retire_the_replaced_keys)
{
	struct fixture f;
	size_t i;

	fx_init(&f, U8(vecx_client_id), U8(vecx_device_key), vecx_symkey[0].ts, FX_STORE);
	for (i = 0; i < VECX_N(vecx_symkey); i++) {
		const uint8_t *key = U8(i < 5 ? vecx_device_key : vecx_device_key_next);

		check_step(&f, &vecx_symkey[i], key);
		if (i == 2)   /* SetTopicKey: the replaced key is in its transition period */
			ck_assert(accepts(&f, vecx_topic_key_old));
		if (i == 3) { /* ReplaceTopicKey: it is gone, clock or not */
			ck_assert(!accepts(&f, vecx_topic_key_old));
			ck_assert_uint_eq(topic_keys(&f), 1);
		}
	}
	ck_assert(accepts(&f, vecx_topic_key_new));
	/* RetireIDKey: a command under the previous device key is refused. */
	ck_assert_int_eq(fx_send(&f, U8(vecx_device_key), f.now + 1, E4_CMD_RESET_TOPICS, NULL, 0),
	                 E4_ERR_AUTH);
	fx_check_reload(&f);
	ck_assert_uint_eq(f.c.has_prev_key, 0);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(pubkey_extension_vectors_apply_and_retire_the_replaced_keys)
{
	uint8_t sk[E4_ED25519_SK_LEN];
	struct fixture f;
	size_t i;

	memcpy(sk, vecx_ed25519_seed, 32);
	memcpy(sk + 32, vecx_ed25519_pub, 32);
	fx_init_pk(&f, U8(vecx_client_id), sk, U8(vecx_c2_curve25519_pk_old), vecx_pubkey[0].ts,
	           FX_STORE);
	for (i = 0; i < VECX_N(vecx_pubkey); i++)
		check_step(&f, &vecx_pubkey[i], U8(i < 2 ? vecx_command_key_old : vecx_command_key_new));
	ck_assert_uint_eq(topic_keys(&f), 1);
	ck_assert_int_eq(fx_send(&f, U8(vecx_command_key_old), f.now + 1, E4_CMD_RESET_TOPICS,
	                         NULL, 0), E4_ERR_AUTH);
	ck_assert_int_eq(fx_send(&f, U8(vecx_command_key_new), f.now + 2, E4_CMD_HEARTBEAT,
	                         NULL, 0), 0);
	e4_wipe(sk, sizeof(sk));
	e4_client_wipe(&f.c);
}
END_TEST

Suite *suite_extvectors(void)
{
	Suite *s = suite_create("extension vectors");
	TCase *tc = tcase_create("sequences");

	tcase_add_test(tc, symkey_extension_vectors_apply_and_retire_the_replaced_keys);
	tcase_add_test(tc, pubkey_extension_vectors_apply_and_retire_the_replaced_keys);
	suite_add_tcase(s, tc);
	return s;
}
