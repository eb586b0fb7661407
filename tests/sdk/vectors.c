/*
 * vectors.c - known-answer loop tests over one E4 v1 vector set.
 *
 * "vectors.h" is generated at build time by tests/vectors/gen_vectors.py;
 * the include path picks the set (the public one, or one made by
 * e4vectors.py with another seed).  Every vector runs in both
 * directions: sealing gives exactly the expected bytes, opening gives
 * the plaintext; commands go through a real client on its control topic.
 */
#include <string.h>

#include "helpers.h"
#include "crypto/crypto.h"
#include "vectors.h"

#define U8(s) ((const uint8_t *)(s))
#define BIG 4200

static const char other_topic[] = "other/topic";

/* The topic every vector command names (the pubkey messages' topic). */
static const char *vec_topic(void)
{
	return vec_pubkey_messages[0].topic;
}

/* The vector client's Ed25519 secret key: seed || public. */
static void vec_sk(uint8_t sk[E4_ED25519_SK_LEN])
{
	memcpy(sk, vec_pk_ed25519_seed, 32);
	memcpy(sk + 32, vec_pk_ed25519_pub, 32);
}

START_TEST(hash_vectors_match_sha3_prefix)
{
	const struct vec_hash *h = &vec_hashes[_i];
	uint8_t out[E4_HASH_LEN], full[32];

	ck_assert_int_eq(e4_hash16(out, h->input, h->input_len), 0);
	ck_assert_mem_eq(out, h->h16, 16);
	ck_assert_int_eq(e4_sha3_256(full, h->input, h->input_len), 0);
	ck_assert_mem_eq(full, h->h16, 16);
	ck_assert_int_eq(e4_id_from_alias(out, h->input), 0);
	ck_assert_mem_eq(out, h->h16, 16);
	memset(out, 0, sizeof(out));
	if (h->input_len == 0) {
		ck_assert_int_eq(e4_topic_hash(out, h->input), E4_ERR_TOPIC_LENGTH);
	} else {
		ck_assert_int_eq(e4_topic_hash(out, h->input), 0);
		ck_assert_mem_eq(out, h->h16, 16);
	}
}
END_TEST

START_TEST(client_vector_names_its_id_and_control_topic)
{
	uint8_t id[E4_ID_LEN];
	char topic[E4_CONTROL_TOPIC_CAP];
	struct fixture f;

	ck_assert_int_eq(e4_id_from_alias(id, vec_client_alias), 0);
	ck_assert_mem_eq(id, vec_client_id, E4_ID_LEN);
	e4_control_topic(topic, id);
	ck_assert_str_eq(topic, vec_client_control_topic);
	fx_init(&f, id, U8(vec_client_key), 1, 0);
	ck_assert_str_eq(e4_client_control_topic(&f.c), vec_client_control_topic);
	ck_assert_mem_eq(e4_client_id(&f.c), vec_client_id, E4_ID_LEN);
	ck_assert_mem_eq(vec_pk_client_id, vec_client_id, E4_ID_LEN);
	e4_client_wipe(&f.c);
}
END_TEST

TCase *vectors_tcase_hashes(void)
{
	TCase *tc = tcase_create("hash vectors");

	tcase_add_loop_test(tc, hash_vectors_match_sha3_prefix, 0, (int)VEC_N(vec_hashes));
	tcase_add_test(tc, client_vector_names_its_id_and_control_topic);
	return tc;
}

START_TEST(symkey_message_vector_seals_to_expected_bytes)
{
	const struct vec_msg *m = &vec_symkey_messages[_i];
	uint8_t out[BIG], hash[E4_HASH_LEN], id[E4_ID_LEN];
	size_t len = 0;
	struct fixture f;

	ck_assert_int_eq(e4_topic_hash(hash, m->topic), 0);
	ck_assert_mem_eq(hash, m->topic_hash, E4_HASH_LEN);
	ck_assert_int_eq(e4_frame_seal(out, sizeof(out), &len, U8(m->key), m->ts,
	                               U8(m->pt), m->pt_len), 0);
	ck_assert_uint_eq(len, m->frame_len);
	ck_assert_mem_eq(out, m->frame, len);
	/* The client, with its clock at the vector's time, seals the same bytes. */
	fx_bytes(id, sizeof(id), 1);
	fx_init(&f, id, U8(vec_client_key), m->ts, 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, m->topic, U8(m->key)), 0);
	fx_fill(out, sizeof(out));
	ck_assert_int_eq(e4_protect(&f.c, out, m->frame_len, &len, m->topic, U8(m->pt),
	                            m->pt_len), 0);
	ck_assert_uint_eq(len, m->frame_len);
	ck_assert_mem_eq(out, m->frame, len);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(symkey_message_vector_opens_to_plaintext)
{
	const struct vec_msg *m = &vec_symkey_messages[_i];
	uint8_t out[BIG], id[E4_ID_LEN];
	struct e4_recv_info info;
	size_t len = 0;
	uint64_t ts = 0;
	struct fixture f;

	ck_assert_int_eq(e4_frame_open(out, m->pt_len, &len, U8(m->key), &ts, U8(m->frame),
	                               m->frame_len), 0);
	ck_assert_uint_eq(len, m->pt_len);
	ck_assert_uint_eq(ts, m->ts);
	ck_assert_mem_eq(out, m->pt, len);
	fx_bytes(id, sizeof(id), 2);
	fx_init(&f, id, U8(vec_client_key), m->ts, 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, m->topic, U8(m->key)), 0);
	fx_fill(out, sizeof(out));
	ck_assert_int_eq(e4_unprotect(&f.c, out, sizeof(out), &len, m->topic, U8(m->frame),
	                              m->frame_len, &info), 0);
	ck_assert_uint_eq(len, m->pt_len);
	ck_assert_mem_eq(out, m->pt, len);
	ck_assert_uint_eq(info.timestamp, m->ts);
	ck_assert_uint_eq(info.is_command, 0);
	e4_client_wipe(&f.c);
}
END_TEST

TCase *vectors_tcase_symkey_messages(void)
{
	TCase *tc = tcase_create("symkey message vectors");

	tcase_add_loop_test(tc, symkey_message_vector_seals_to_expected_bytes, 0,
	                    (int)VEC_N(vec_symkey_messages));
	tcase_add_loop_test(tc, symkey_message_vector_opens_to_plaintext, 0,
	                    (int)VEC_N(vec_symkey_messages));
	return tc;
}

START_TEST(negative_vector_is_rejected_and_output_wiped)
{
	const struct vec_neg *n = &vec_negative[_i];
	uint8_t out[BIG], id[E4_ID_LEN];
	size_t len = 7;
	struct fixture f;

	fx_fill(out, sizeof(out));
	ck_assert_int_eq(e4_frame_open(out, sizeof(out), &len, U8(n->key), NULL, U8(n->frame),
	                               n->frame_len), E4_ERR_AUTH);
	ck_assert_uint_eq(len, 0);
	ck_assert_wiped(out, sizeof(out));
	fx_bytes(id, sizeof(id), 3);
	fx_init(&f, id, U8(vec_client_key), n->ts, 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "sensors/negative", U8(n->key)), 0);
	ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &len, "sensors/negative",
	                              U8(n->frame), n->frame_len), E4_ERR_AUTH);
	e4_client_wipe(&f.c);
}
END_TEST

TCase *vectors_tcase_negative(void)
{
	TCase *tc = tcase_create("negative vectors");

	tcase_add_loop_test(tc, negative_vector_is_rejected_and_output_wiped, 0,
	                    (int)VEC_N(vec_negative));
	return tc;
}

/* State every command vector starts from: two topics, maybe a public key. */
static void cmd_prestate(struct fixture *f, const uint8_t *other_id, const uint8_t *other_pub)
{
	uint8_t k0[E4_KEY_LEN], k1[E4_KEY_LEN];

	fx_bytes(k0, sizeof(k0), 10);
	fx_bytes(k1, sizeof(k1), 11);
	ck_assert_int_eq(e4_client_set_topic_key(&f->c, vec_topic(), k0), 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f->c, other_topic, k1), 0);
	ck_assert_uint_eq(e4_client_topic_count(&f->c), 2);
	if (other_id != NULL)
		ck_assert_int_eq(e4_client_set_pubkey(&f->c, other_id, other_pub), 0);
}

/* Checks the effect of a topic command (0x00, 0x01, 0x03) of plaintext pt. */
static void check_topic_effect(struct fixture *f, const uint8_t *pt)
{
	uint8_t hash[E4_HASH_LEN], k1[E4_KEY_LEN];

	fx_bytes(k1, sizeof(k1), 11);
	ck_assert_int_eq(e4_topic_hash(hash, vec_topic()), 0);
	switch (pt[0]) {
	case E4_CMD_REMOVE_TOPIC:
		ck_assert_mem_eq(pt + 1, hash, E4_HASH_LEN);
		ck_assert_uint_eq(e4_client_topic_count(&f->c), 1);
		ck_assert_int_eq(fx_protected_with(f, vec_topic(), k1), E4_ERR_NO_TOPIC_KEY);
		ck_assert_int_eq(fx_protected_with(f, other_topic, k1), 0);
		break;
	case E4_CMD_RESET_TOPICS:
		ck_assert_uint_eq(e4_client_topic_count(&f->c), 0);
		ck_assert_int_eq(fx_protected_with(f, other_topic, k1), E4_ERR_NO_TOPIC_KEY);
		break;
	case E4_CMD_SET_TOPIC_KEY:
		ck_assert_mem_eq(pt + 1 + E4_KEY_LEN, hash, E4_HASH_LEN);
		ck_assert_uint_eq(e4_client_topic_count(&f->c), 2);
		ck_assert_int_eq(fx_protected_with(f, vec_topic(), pt + 1), 0);
		break;
	default:
		ck_abort_msg("not a topic command");
	}
}

START_TEST(symkey_command_vector_seals_to_expected_bytes)
{
	const struct vec_cmd *v = &vec_symkey_commands[_i];
	uint8_t out[E4_PROTECTED_LEN(E4_COMMAND_MAX)], plain[E4_COMMAND_MAX];
	size_t len = 0;

	ck_assert_int_eq(e4_frame_seal(out, sizeof(out), &len, U8(vec_client_key), v->ts,
	                               U8(v->pt), v->pt_len), 0);
	ck_assert_uint_eq(len, v->frame_len);
	ck_assert_mem_eq(out, v->frame, len);
	ck_assert_int_eq(e4_command_build(plain, sizeof(plain), &len, E4_MODE_SYMKEY,
	                                  U8(v->pt)[0], U8(v->pt) + 1, v->pt_len - 1), 0);
	ck_assert_uint_eq(len, v->pt_len);
	ck_assert_mem_eq(plain, v->pt, len);
}
END_TEST

START_TEST(symkey_command_vector_applies_through_a_client)
{
	const struct vec_cmd *v = &vec_symkey_commands[_i];
	const uint8_t *pt = U8(v->pt);
	const uint8_t *ack_key = U8(vec_client_key);
	struct e4_recv_info info;
	struct fixture f;
	int err;

	fx_init(&f, U8(vec_client_id), U8(vec_client_key), v->ts, FX_STORE);
	cmd_prestate(&f, NULL, NULL);
	err = fx_command(&f, U8(v->frame), v->frame_len, &info);
	ck_assert_uint_eq(info.is_command, 1);
	ck_assert_uint_eq(info.command, pt[0]);
	ck_assert_uint_eq(info.timestamp, v->ts);
	ck_assert_uint_eq(info.has_ack, 1);
	switch (pt[0]) {
	case E4_CMD_REMOVE_TOPIC:
	case E4_CMD_RESET_TOPICS:
	case E4_CMD_SET_TOPIC_KEY:
		ck_assert_int_eq(err, 0);
		check_topic_effect(&f, pt);
		fx_check_ack(&f, ack_key, U8(v->frame), v->frame_len, E4_ACK_APPLIED);
		break;
	case E4_CMD_SET_ID_KEY:
		ck_assert_int_eq(err, 0);
		/* The ack already uses the new device key, and so do commands. */
		ack_key = pt + 1;
		fx_check_ack(&f, ack_key, U8(v->frame), v->frame_len, E4_ACK_APPLIED);
		ck_assert_int_eq(fx_send(&f, pt + 1, v->ts + 1, E4_CMD_HEARTBEAT, NULL, 0), 0);
		ck_assert_int_eq(fx_send(&f, U8(vec_client_key), v->ts + 2, E4_CMD_HEARTBEAT,
		                         NULL, 0), E4_ERR_AUTH);
		break;
	default:
		/* Public key commands have no meaning in symkey mode. */
		ck_assert_int_eq(err, E4_ERR_WRONG_MODE);
		ck_assert_uint_eq(e4_client_topic_count(&f.c), 2);
		fx_check_ack(&f, ack_key, U8(v->frame), v->frame_len, E4_ACK_WRONG_MODE);
	}
	/* An applied command is persisted: a reload gives the same state. */
	if (err == 0)
		fx_check_reload(&f);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(symkey_command_vectors_apply_in_sequence)
{
	struct fixture f;
	size_t j;

	fx_init(&f, U8(vec_client_id), U8(vec_client_key), vec_symkey_commands[0].ts,
	        FX_CLOCKLESS);
	cmd_prestate(&f, NULL, NULL);
	for (j = 0; j < VEC_N(vec_symkey_commands); j++) {
		const struct vec_cmd *v = &vec_symkey_commands[j];
		int want = U8(v->pt)[0] <= E4_CMD_SET_TOPIC_KEY ? 0 : E4_ERR_WRONG_MODE;

		/* After SetIDKey the old key stays valid: no command used the new one. */
		ck_assert_int_eq(fx_command(&f, U8(v->frame), v->frame_len, NULL), want);
		/* Each frame is applied once only. */
		ck_assert_int_ne(fx_command(&f, U8(v->frame), v->frame_len, NULL), 0);
	}
	ck_assert_uint_eq(e4_client_topic_count(&f.c), 1);
	ck_assert_uint_ge(f.c.time_floor, vec_symkey_commands[3].ts);
	e4_client_wipe(&f.c);
}
END_TEST

TCase *vectors_tcase_symkey_commands(void)
{
	TCase *tc = tcase_create("symkey command vectors");

	tcase_add_loop_test(tc, symkey_command_vector_seals_to_expected_bytes, 0,
	                    (int)VEC_N(vec_symkey_commands));
	tcase_add_loop_test(tc, symkey_command_vector_applies_through_a_client, 0,
	                    (int)VEC_N(vec_symkey_commands));
	tcase_add_test(tc, symkey_command_vectors_apply_in_sequence);
	return tc;
}

START_TEST(pubkey_message_vector_seals_to_expected_bytes)
{
	const struct vec_pkmsg *m = &vec_pubkey_messages[_i];
	uint8_t out[BIG], sk[E4_ED25519_SK_LEN];
	size_t len = 0;
	struct fixture f;

	vec_sk(sk);
	ck_assert_int_eq(e4_pk_frame_seal(out, sizeof(out), &len, U8(m->topic_key), sk,
	                                  U8(vec_pk_client_id), m->ts, U8(m->pt), m->pt_len), 0);
	ck_assert_uint_eq(len, m->frame_len);
	ck_assert_mem_eq(out, m->frame, len);
	fx_init_pk(&f, U8(vec_pk_client_id), sk, NULL, m->ts, 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, m->topic, U8(m->topic_key)), 0);
	fx_fill(out, sizeof(out));
	ck_assert_int_eq(e4_protect(&f.c, out, m->frame_len, &len, m->topic, U8(m->pt),
	                            m->pt_len), 0);
	ck_assert_uint_eq(len, m->frame_len);
	ck_assert_mem_eq(out, m->frame, len);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(pubkey_message_vector_verifies_and_opens)
{
	const struct vec_pkmsg *m = &vec_pubkey_messages[_i];
	uint8_t out[BIG], sk[E4_ED25519_SK_LEN], pub[32], id[E4_ID_LEN], sender[E4_ID_LEN];
	struct e4_recv_info info;
	size_t len = 0;
	uint64_t ts = 0;
	struct fixture f;

	ck_assert_int_eq(e4_pk_frame_verify(U8(m->frame), m->frame_len,
	                                    U8(vec_pk_ed25519_pub)), 0);
	ck_assert_int_eq(e4_pk_frame_sender(U8(m->frame), m->frame_len, sender), 0);
	ck_assert_mem_eq(sender, vec_pk_client_id, E4_ID_LEN);
	ck_assert_int_eq(e4_pk_frame_open(out, m->pt_len, &len, U8(m->topic_key),
	                                  U8(vec_pk_ed25519_pub), &ts, U8(m->frame),
	                                  m->frame_len), 0);
	ck_assert_uint_eq(len, m->pt_len);
	ck_assert_uint_eq(ts, m->ts);
	ck_assert_mem_eq(out, m->pt, len);
	/* A second device that knows the sender's public key opens it too. */
	ck_assert_int_eq(e4_ed25519_keypair(pub, sk), 0);
	fx_bytes(id, sizeof(id), 4);
	fx_init_pk(&f, id, sk, NULL, m->ts, 0);
	ck_assert_int_eq(e4_client_set_pubkey(&f.c, U8(vec_pk_client_id),
	                                      U8(vec_pk_ed25519_pub)), 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, m->topic, U8(m->topic_key)), 0);
	fx_fill(out, sizeof(out));
	ck_assert_int_eq(e4_unprotect(&f.c, out, sizeof(out), &len, m->topic, U8(m->frame),
	                              m->frame_len, &info), 0);
	ck_assert_uint_eq(len, m->pt_len);
	ck_assert_mem_eq(out, m->pt, len);
	ck_assert_mem_eq(info.sender, vec_pk_client_id, E4_ID_LEN);
	ck_assert_uint_eq(info.timestamp, m->ts);
	e4_client_wipe(&f.c);
}
END_TEST

TCase *vectors_tcase_pubkey_messages(void)
{
	TCase *tc = tcase_create("pubkey message vectors");

	tcase_add_loop_test(tc, pubkey_message_vector_seals_to_expected_bytes, 0,
	                    (int)VEC_N(vec_pubkey_messages));
	tcase_add_loop_test(tc, pubkey_message_vector_verifies_and_opens, 0,
	                    (int)VEC_N(vec_pubkey_messages));
	return tc;
}

START_TEST(shared_command_key_vector_matches_both_sides)
{
	uint8_t sk[E4_ED25519_SK_LEN], key[E4_KEY_LEN], curve[32];

	vec_sk(sk);
	ck_assert_int_eq(e4_pk_command_key(key, sk, U8(vec_pk_c2_curve25519_pk)), 0);
	ck_assert_mem_eq(key, vec_pk_shared_command_key, E4_KEY_LEN);
	memset(key, 0, sizeof(key));
	ck_assert_int_eq(e4_pk_command_key_c2(key, U8(vec_pk_c2_curve25519_sk),
	                                      U8(vec_pk_ed25519_pub)), 0);
	ck_assert_mem_eq(key, vec_pk_shared_command_key, E4_KEY_LEN);
	/* The Ed25519 -> Curve25519 conversions the key is made of. */
	ck_assert_int_eq(e4__ed25519_sk_to_curve(curve, sk), 0);
	ck_assert_mem_eq(curve, vec_pk_curve25519_sk_from_ed, 32);
	ck_assert_int_eq(e4__ed25519_pk_to_curve(curve, U8(vec_pk_ed25519_pub)), 0);
	ck_assert_mem_eq(curve, vec_pk_curve25519_pk_from_ed, 32);
}
END_TEST

START_TEST(pubkey_command_vector_seals_to_expected_bytes)
{
	const struct vec_cmd *v = &vec_pubkey_commands[_i];
	uint8_t out[E4_PROTECTED_LEN(E4_COMMAND_MAX)], plain[E4_COMMAND_MAX];
	size_t len = 0;

	ck_assert_int_eq(e4_frame_seal(out, sizeof(out), &len, U8(vec_pk_shared_command_key),
	                               v->ts, U8(v->pt), v->pt_len), 0);
	ck_assert_uint_eq(len, v->frame_len);
	ck_assert_mem_eq(out, v->frame, len);
	ck_assert_int_eq(e4_command_build(plain, sizeof(plain), &len, E4_MODE_PUBKEY,
	                                  U8(v->pt)[0], U8(v->pt) + 1, v->pt_len - 1), 0);
	ck_assert_mem_eq(plain, v->pt, len);
}
END_TEST

/* A message from `id` signed with sk, on other_topic (key k1) at ts. */
static size_t pk_message(uint8_t *out, size_t cap, const uint8_t sk[64], const uint8_t *id,
                         uint64_t ts)
{
	uint8_t k1[E4_KEY_LEN];
	size_t len = 0;

	fx_bytes(k1, sizeof(k1), 11);
	ck_assert_int_eq(e4_pk_frame_seal(out, cap, &len, k1, sk, id, ts, U8("hello"), 5), 0);
	return len;
}

/* Delivers a message from `id` signed with sk; returns the unprotect error. */
static int pk_deliver(struct fixture *f, const uint8_t sk[64], const uint8_t *id)
{
	uint8_t frame[E4_PK_PROTECTED_LEN(5)], out[16];
	size_t len, out_len;

	f->now++;
	len = pk_message(frame, sizeof(frame), sk, id, f->now);
	return fx_unprotect(f, out, sizeof(out), &out_len, other_topic, frame, len);
}

/* Checks a public key command's effect; returns the command key acks use. */
static void check_pubkey_effect(struct fixture *f, const uint8_t *pt, const uint8_t other_sk[64],
                                uint8_t ack_key[E4_KEY_LEN])
{
	uint8_t sk[E4_ED25519_SK_LEN];
	const uint8_t *other_id = NULL;

	vec_sk(sk);
	switch (pt[0]) {
	case E4_CMD_SET_ID_KEY: {
		uint8_t frame[E4_PK_PROTECTED_LEN(5)];
		size_t len;

		/* Signs with the new key; commands use the key derived from it. */
		ck_assert_int_eq(e4_protect(&f->c, frame, sizeof(frame), &len, other_topic,
		                            U8("hello"), 5), 0);
		ck_assert_int_eq(e4_pk_frame_verify(frame, len, pt + 33), 0);
		ck_assert_int_eq(e4_pk_frame_verify(frame, len, U8(vec_pk_ed25519_pub)),
		                 E4_ERR_BAD_SIGNATURE);
		ck_assert_int_eq(e4_pk_command_key(ack_key, pt + 1, U8(vec_pk_c2_curve25519_pk)), 0);
		ck_assert_mem_ne(ack_key, vec_pk_shared_command_key, E4_KEY_LEN);
		return;
	}
	case E4_CMD_REMOVE_PUBKEY:
		other_id = pt + 1;
		ck_assert_int_eq(pk_deliver(f, other_sk, other_id), E4_ERR_UNKNOWN_SENDER);
		break;
	case E4_CMD_RESET_PUBKEYS:
		fx_bytes(sk, 16, 21);
		ck_assert_int_eq(pk_deliver(f, other_sk, sk), E4_ERR_UNKNOWN_SENDER);
		break;
	case E4_CMD_SET_PUBKEY:
		/* The id now maps to the vector's public key, not the old one. */
		ck_assert_int_eq(pk_deliver(f, sk, pt + 33), 0);
		ck_assert_int_eq(pk_deliver(f, other_sk, pt + 33), E4_ERR_BAD_SIGNATURE);
		break;
	case E4_CMD_SET_C2_KEY:
		ck_assert_mem_eq(pt + 1, vec_pk_c2_curve25519_pk, 32);
		ck_assert_uint_eq(f->c.has_c2_key, 1);
		break;
	default:
		check_topic_effect(f, pt);
	}
	memcpy(ack_key, vec_pk_shared_command_key, E4_KEY_LEN);
}

START_TEST(pubkey_command_vector_applies_through_a_client)
{
	const struct vec_cmd *v = &vec_pubkey_commands[_i];
	const uint8_t *pt = U8(v->pt);
	uint8_t sk[E4_ED25519_SK_LEN], other_sk[64], other_pub[32], ack_key[E4_KEY_LEN];
	uint8_t other_id[E4_ID_LEN], hb[E4_PROTECTED_LEN(1)];
	struct e4_recv_info info;
	struct fixture f;
	size_t hb_len;

	vec_sk(sk);
	ck_assert_int_eq(e4_ed25519_keypair(other_pub, other_sk), 0);
	fx_bytes(other_id, sizeof(other_id), 21);
	fx_init_pk(&f, U8(vec_pk_client_id), sk, U8(vec_pk_c2_curve25519_pk), v->ts, 0);
	ck_assert_mem_eq(f.c.key, vec_pk_shared_command_key, E4_KEY_LEN);
	cmd_prestate(&f, pt[0] == E4_CMD_REMOVE_PUBKEY ? pt + 1 :
	             pt[0] == E4_CMD_SET_PUBKEY ? pt + 33 : other_id, other_pub);
	ck_assert_int_eq(pk_deliver(&f, other_sk, pt[0] == E4_CMD_REMOVE_PUBKEY ? pt + 1 :
	                            pt[0] == E4_CMD_SET_PUBKEY ? pt + 33 : other_id), 0);
	ck_assert_int_eq(fx_command(&f, U8(v->frame), v->frame_len, &info), 0);
	ck_assert_uint_eq(info.command, pt[0]);
	ck_assert_uint_eq(info.has_ack, 1);
	check_pubkey_effect(&f, pt, other_sk, ack_key);
	fx_check_ack(&f, ack_key, U8(v->frame), v->frame_len, E4_ACK_APPLIED);
	/* The command key in force afterwards authenticates the next command. */
	fx_cmd_seal(hb, sizeof(hb), &hb_len, ack_key, v->ts + 1, E4_CMD_HEARTBEAT, NULL, 0);
	ck_assert_int_eq(fx_command(&f, hb, hb_len, NULL), 0);
	fx_check_ack(&f, ack_key, hb, hb_len, E4_ACK_APPLIED);
	e4_client_wipe(&f.c);
}
END_TEST

TCase *vectors_tcase_pubkey_commands(void)
{
	TCase *tc = tcase_create("pubkey command vectors");

	tcase_add_test(tc, shared_command_key_vector_matches_both_sides);
	tcase_add_loop_test(tc, pubkey_command_vector_seals_to_expected_bytes, 0,
	                    (int)VEC_N(vec_pubkey_commands));
	tcase_add_loop_test(tc, pubkey_command_vector_applies_through_a_client, 0,
	                    (int)VEC_N(vec_pubkey_commands));
	return tc;
}
