/*
 * suite-client.c - the symkey client: init, protect/unprotect, topic
 * keys, key transition, and wiped outputs on every failure.
 */
#include <stdio.h>
#include <string.h>

#include "helpers.h"

static const uint8_t dev_id[E4_ID_LEN] = { 0xc1, 0x1e };
static const uint8_t dev_key[E4_KEY_LEN] = { 0xde, 0x71 };
#define T0 1750000000ull

/* A client with key k on topic "t". */
static void with_topic(struct fixture *f, const uint8_t k[E4_KEY_LEN], unsigned opts)
{
	fx_init(f, dev_id, dev_key, T0, opts);
	ck_assert_int_eq(e4_client_set_topic_key(&f->c, "t", k), 0);
}

START_TEST(init_refuses_bad_arguments_and_configs)
{
	struct e4_client c;
	struct e4_client_config cfg;
	struct e4_topic_slot topics[2];

	e4_client_config_default(&cfg);
	ck_assert_int_eq(cfg.mode, E4_MODE_SYMKEY);
	ck_assert_uint_eq(cfg.max_age, 600);
	ck_assert_uint_eq(cfg.max_skew, 60);
	ck_assert_uint_eq(cfg.transition, 3600);
	ck_assert_ptr_null(cfg.clock);
	ck_assert_int_eq(cfg.accept_unknown_senders, 0);
	/* No topic table. */
	ck_assert_int_eq(e4_client_init(&c, &cfg, dev_id, dev_key, 32), E4_ERR_INVALID_ARG);
	cfg.topics = topics;
	cfg.topics_cap = 2;
	ck_assert_int_eq(e4_client_init(&c, &cfg, dev_id, dev_key, 31), E4_ERR_INVALID_ARG);
	ck_assert_int_eq(e4_client_init(&c, &cfg, dev_id, dev_key, 64), E4_ERR_INVALID_ARG);
	ck_assert_int_eq(e4_client_init(&c, &cfg, NULL, dev_key, 32), E4_ERR_INVALID_ARG);
	ck_assert_int_eq(e4_client_init(&c, &cfg, dev_id, NULL, 32), E4_ERR_INVALID_ARG);
	ck_assert_int_eq(e4_client_init(&c, NULL, dev_id, dev_key, 32), E4_ERR_INVALID_ARG);
	cfg.replay_cap = 4;
	ck_assert_int_eq(e4_client_init(&c, &cfg, dev_id, dev_key, 32), E4_ERR_INVALID_ARG);
	cfg.replay_cap = 0;
	cfg.max_age = 0;
	ck_assert_int_eq(e4_client_init(&c, &cfg, dev_id, dev_key, 32), E4_ERR_INVALID_ARG);
	cfg.max_age = 600;
	cfg.mode = (enum e4_mode)3;
	ck_assert_int_eq(e4_client_init(&c, &cfg, dev_id, dev_key, 32), E4_ERR_INVALID_ARG);
	cfg.mode = E4_MODE_SYMKEY;
	ck_assert_int_eq(e4_client_init(&c, &cfg, dev_id, dev_key, 32), 0);
	e4_client_wipe(&c);
}
END_TEST

START_TEST(protect_then_unprotect_round_trips)
{
	uint8_t k[32], msg[300], frame[E4_PROTECTED_LEN(300)], out[300];
	struct e4_recv_info info;
	size_t len, out_len;
	struct fixture f;

	fx_bytes(k, sizeof(k), 1);
	fx_bytes(msg, sizeof(msg), 2);
	with_topic(&f, k, 0);
	ck_assert_int_eq(e4_protect(&f.c, frame, sizeof(frame), &len, "t", msg, sizeof(msg)), 0);
	ck_assert_uint_eq(len, E4_PROTECTED_LEN(300));
	ck_assert_uint_eq(e4_load_le64(frame), T0);
	ck_assert_int_eq(e4_unprotect(&f.c, out, sizeof(out), &out_len, "t", frame, len, &info), 0);
	ck_assert_uint_eq(out_len, 300);
	ck_assert_mem_eq(out, msg, 300);
	ck_assert_uint_eq(info.is_command, 0);
	ck_assert_uint_eq(info.has_ack, 0);
	ck_assert_uint_eq(info.timestamp, T0);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(empty_plaintext_is_accepted_on_both_sides)
{
	uint8_t k[32], frame[E4_HEADER_LEN], out[8];
	size_t len, out_len = 5;
	struct fixture f;

	fx_bytes(k, sizeof(k), 1);
	with_topic(&f, k, 0);
	ck_assert_int_eq(e4_protect(&f.c, frame, sizeof(frame), &len, "t", NULL, 0), 0);
	ck_assert_uint_eq(len, 24);
	ck_assert_int_eq(e4_unprotect(&f.c, out, sizeof(out), &out_len, "t", frame, len, NULL), 0);
	ck_assert_uint_eq(out_len, 0);
	/* Again (replay cache emptied), with no output buffer at all. */
	f.c.replay.len = 0;
	ck_assert_int_eq(e4_unprotect(&f.c, NULL, 0, &out_len, "t", frame, len, NULL), 0);
	ck_assert_uint_eq(out_len, 0);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(protect_wipes_output_on_every_failure)
{
	uint8_t k[32], out[64];
	size_t len = 9;
	struct fixture f;

	fx_bytes(k, sizeof(k), 1);
	with_topic(&f, k, 0);
	fx_fill(out, sizeof(out));
	ck_assert_int_eq(e4_protect(&f.c, out, sizeof(out), &len, "none", out, 4),
	                 E4_ERR_NO_TOPIC_KEY);
	ck_assert_uint_eq(len, 0);
	ck_assert_wiped(out, sizeof(out));
	fx_fill(out, sizeof(out));
	ck_assert_int_eq(e4_protect(&f.c, out, sizeof(out), &len, "", (const uint8_t *)"x", 1),
	                 E4_ERR_TOPIC_LENGTH);
	ck_assert_wiped(out, sizeof(out));
	fx_fill(out, sizeof(out));
	ck_assert_int_eq(e4_protect(&f.c, out, sizeof(out), &len, NULL, (const uint8_t *)"x", 1),
	                 E4_ERR_INVALID_ARG);
	ck_assert_wiped(out, sizeof(out));
	fx_fill(out, sizeof(out));
	ck_assert_int_eq(e4_protect(&f.c, out, sizeof(out), &len, "t", NULL, 3),
	                 E4_ERR_INVALID_ARG);
	ck_assert_wiped(out, sizeof(out));
	e4_client_wipe(&f.c);
	fx_fill(out, sizeof(out));
	ck_assert_int_eq(e4_protect(&f.c, out, sizeof(out), &len, "t", (const uint8_t *)"x", 1),
	                 E4_ERR_NOT_INITIALISED);
	ck_assert_uint_eq(len, 0);
	ck_assert_wiped(out, sizeof(out));
	ck_assert_int_eq(e4_protect(&f.c, out, sizeof(out), NULL, "t", out, 1), E4_ERR_INVALID_ARG);
}
END_TEST

START_TEST(protect_reports_needed_size_on_bufsize)
{
	uint8_t k[32], out[64] = { 0 };
	size_t len = 0;
	struct fixture f;

	fx_bytes(k, sizeof(k), 1);
	with_topic(&f, k, 0);
	ck_assert_int_eq(e4_protect(&f.c, out, 33, &len, "t", out + 40, 10), E4_ERR_BUFSIZE);
	ck_assert_uint_eq(len, 34);
	ck_assert_int_eq(e4_protect(&f.c, out, 34, &len, "t", out + 40, 10), 0);
	ck_assert_uint_eq(len, 34);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(unprotect_wipes_output_on_bad_tag)
{
	uint8_t k[32], msg[40] = { 1 }, frame[E4_PROTECTED_LEN(40)], out[64];
	size_t len, out_len;
	struct fixture f;

	fx_bytes(k, sizeof(k), 1);
	with_topic(&f, k, 0);
	ck_assert_int_eq(e4_protect(&f.c, frame, sizeof(frame), &len, "t", msg, sizeof(msg)), 0);
	frame[10] ^= 0x20;
	ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, "t", frame, len), E4_ERR_AUTH);
	frame[10] ^= 0x20;
	frame[len - 1] ^= 0x01;
	ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, "t", frame, len), E4_ERR_AUTH);
	frame[len - 1] ^= 0x01;
	ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, "t", frame, len), 0);
	ck_assert_mem_eq(out, msg, sizeof(msg));
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(unprotect_wipes_output_on_every_other_failure)
{
	uint8_t k[32], msg[8] = { 1 }, frame[E4_PROTECTED_LEN(8)], out[64];
	size_t len, out_len;
	struct fixture f;

	fx_bytes(k, sizeof(k), 1);
	with_topic(&f, k, 0);
	ck_assert_int_eq(e4_protect(&f.c, frame, sizeof(frame), &len, "t", msg, sizeof(msg)), 0);
	ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, "t", frame, 23),
	                 E4_ERR_TOO_SHORT);
	ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, "u", frame, len),
	                 E4_ERR_NO_TOPIC_KEY);
	ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, "", frame, len),
	                 E4_ERR_TOPIC_LENGTH);
	ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, NULL, frame, len),
	                 E4_ERR_INVALID_ARG);
	ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, "t", NULL, len),
	                 E4_ERR_INVALID_ARG);
	ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, "t", frame, len), 0);
	ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, "t", frame, len),
	                 E4_ERR_REPLAY);
	e4_client_wipe(&f.c);
	ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, "t", frame, len),
	                 E4_ERR_NOT_INITIALISED);
}
END_TEST

START_TEST(unprotect_reports_needed_size_on_bufsize)
{
	uint8_t k[32], msg[30] = { 1 }, frame[E4_PROTECTED_LEN(30)], out[30];
	size_t len, out_len = 0;
	struct fixture f;

	fx_bytes(k, sizeof(k), 1);
	with_topic(&f, k, 0);
	ck_assert_int_eq(e4_protect(&f.c, frame, sizeof(frame), &len, "t", msg, sizeof(msg)), 0);
	ck_assert_int_eq(e4_unprotect(&f.c, out, 29, &out_len, "t", frame, len, NULL),
	                 E4_ERR_BUFSIZE);
	ck_assert_uint_eq(out_len, 30);
	/* The refused call did not consume the frame: it still opens. */
	ck_assert_int_eq(e4_unprotect(&f.c, out, 30, &out_len, "t", frame, len, NULL), 0);
	ck_assert_mem_eq(out, msg, 30);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(topic_keys_are_set_counted_and_removed)
{
	uint8_t k1[32], k2[32];
	struct fixture f;

	fx_bytes(k1, sizeof(k1), 1);
	fx_bytes(k2, sizeof(k2), 2);
	fx_init(&f, dev_id, dev_key, T0, 0);
	ck_assert_uint_eq(e4_client_topic_count(&f.c), 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "a", k1), 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "b", k2), 0);
	ck_assert_uint_eq(e4_client_topic_count(&f.c), 2);
	ck_assert_int_eq(fx_protected_with(&f, "a", k1), 0);
	ck_assert_int_eq(fx_protected_with(&f, "b", k2), 0);
	ck_assert_int_eq(e4_client_remove_topic(&f.c, "a"), 0);
	ck_assert_int_eq(e4_client_remove_topic(&f.c, "a"), E4_ERR_NOT_FOUND);
	ck_assert_uint_eq(e4_client_topic_count(&f.c), 1);
	ck_assert_int_eq(fx_protected_with(&f, "a", k1), E4_ERR_NO_TOPIC_KEY);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "", k1), E4_ERR_TOPIC_LENGTH);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "a", NULL), E4_ERR_INVALID_ARG);
	e4_client_wipe(&f.c);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "a", k1), E4_ERR_NOT_INITIALISED);
	ck_assert_int_eq(e4_client_remove_topic(&f.c, "a"), E4_ERR_NOT_INITIALISED);
	ck_assert_uint_eq(e4_client_topic_count(&f.c), 0);
}
END_TEST

/* Seals msg with k at ts and unprotects it on "t" through f. */
static int deliver(struct fixture *f, const uint8_t k[32], uint64_t ts)
{
	uint8_t frame[E4_PROTECTED_LEN(4)], out[4];
	size_t len, out_len;

	ck_assert_int_eq(e4_frame_seal(frame, sizeof(frame), &len, k, ts,
	                               (const uint8_t *)"ping", 4), 0);
	return fx_unprotect(f, out, sizeof(out), &out_len, "t", frame, len);
}

START_TEST(old_topic_key_decrypts_during_the_transition_only)
{
	uint8_t k1[32], k2[32];
	struct fixture f;

	fx_bytes(k1, sizeof(k1), 1);
	fx_bytes(k2, sizeof(k2), 2);
	with_topic(&f, k1, 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "t", k2), 0);
	ck_assert_uint_eq(e4_client_topic_count(&f.c), 1);
	ck_assert_int_eq(fx_protected_with(&f, "t", k2), 0);
	ck_assert_int_eq(deliver(&f, k1, f.now), 0);
	ck_assert_int_eq(deliver(&f, k2, f.now), 0);
	f.now = T0 + E4_DEFAULT_TRANSITION;
	ck_assert_int_eq(deliver(&f, k1, f.now), 0);
	f.now = T0 + E4_DEFAULT_TRANSITION + 1;
	ck_assert_int_eq(deliver(&f, k1, f.now), E4_ERR_AUTH);
	ck_assert_int_eq(deliver(&f, k2, f.now), 0);
	/* Once expired the old key is gone for good, even if the clock goes back. */
	f.now = T0;
	ck_assert_int_eq(deliver(&f, k1, f.now + 1), E4_ERR_AUTH);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(transition_period_follows_the_config)
{
	uint8_t k1[32], k2[32];
	struct fixture f;

	fx_bytes(k1, sizeof(k1), 1);
	fx_bytes(k2, sizeof(k2), 2);
	fx_init(&f, dev_id, dev_key, T0, 0);
	f.c.cfg.transition = 10;
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "t", k1), 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "t", k2), 0);
	f.now = T0 + 10;
	ck_assert_int_eq(deliver(&f, k1, f.now), 0);
	f.now = T0 + 11;
	ck_assert_int_eq(deliver(&f, k1, f.now), E4_ERR_AUTH);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(setting_the_same_topic_key_changes_nothing)
{
	uint8_t k1[32], k2[32], before[sizeof(((struct fixture *)0)->topics)];
	struct fixture f;

	fx_bytes(k1, sizeof(k1), 1);
	fx_bytes(k2, sizeof(k2), 2);
	with_topic(&f, k1, 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "t", k2), 0);
	memcpy(before, f.topics, sizeof(before));
	f.now += 100;
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "t", k2), 0);
	ck_assert_mem_eq(before, f.topics, sizeof(before));
	ck_assert_int_eq(deliver(&f, k1, f.now), 0);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(full_table_rekeys_in_place_without_transition)
{
	uint8_t k[32], k2[32];
	char topic[16];
	struct fixture f;
	int i;

	fx_bytes(k2, sizeof(k2), 99);
	fx_init(&f, dev_id, dev_key, T0, 0);
	for (i = 0; i < FX_TOPICS; i++) {
		fx_bytes(k, sizeof(k), (unsigned)i);
		snprintf(topic, sizeof(topic), "%d", i);
		ck_assert_int_eq(e4_client_set_topic_key(&f.c, i == 0 ? "t" : topic, k), 0);
	}
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "one-more", k), E4_ERR_TABLE_FULL);
	fx_bytes(k, sizeof(k), 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "t", k2), 0);
	ck_assert_uint_eq(e4_client_topic_count(&f.c), FX_TOPICS);
	ck_assert_int_eq(deliver(&f, k2, f.now), 0);
	ck_assert_int_eq(deliver(&f, k, f.now), E4_ERR_AUTH);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(full_table_evicts_the_old_key_that_expires_first)
{
	uint8_t k[32], a2[32], b2[32], a1[32], b1[32];
	char topic[16];
	struct fixture f;
	int i;

	fx_bytes(a1, sizeof(a1), 201);
	fx_bytes(b1, sizeof(b1), 202);
	fx_bytes(a2, sizeof(a2), 203);
	fx_bytes(b2, sizeof(b2), 204);
	fx_init(&f, dev_id, dev_key, T0, 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "t", a1), 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "u", b1), 0);
	/* t rekeyed first, u later: t's old key expires first. */
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "t", a2), 0);
	f.now = T0 + 10;
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "u", b2), 0);
	for (i = 0; i < FX_TOPICS - 4; i++) {
		fx_bytes(k, sizeof(k), (unsigned)i);
		snprintf(topic, sizeof(topic), "%d", i);
		ck_assert_int_eq(e4_client_set_topic_key(&f.c, topic, k), 0);
	}
	/* The table is full: a new topic takes the slot of t's old key. */
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "v", k), 0);
	ck_assert_int_eq(deliver(&f, a1, f.now), E4_ERR_AUTH);
	ck_assert_int_eq(deliver(&f, a2, f.now), 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "w", k), 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "z", k), E4_ERR_TABLE_FULL);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(many_topics_round_trip_through_the_key_cache)
{
	uint8_t k[32], frame[E4_PROTECTED_LEN(8)], out[8];
	char topic[80];
	size_t len, out_len;
	struct fixture f;
	int i, round;

	fx_init(&f, dev_id, dev_key, T0, FX_NO_REPLAY);
	for (i = 0; i < FX_TOPICS; i++) {
		fx_bytes(k, sizeof(k), (unsigned)i + 50);
		/* Long names too: beyond the topic memo's 64 characters. */
		snprintf(topic, sizeof(topic), "%s/%d", i % 2 ? "short" :
		         "a-rather-long-topic-name-that-does-not-fit-in-the-memo-of-the-client", i);
		ck_assert_int_eq(e4_client_set_topic_key(&f.c, topic, k), 0);
	}
	for (round = 0; round < 3; round++) {
		for (i = 0; i < FX_TOPICS; i++) {
			fx_bytes(k, sizeof(k), (unsigned)i + 50);
			snprintf(topic, sizeof(topic), "%s/%d", i % 2 ? "short" :
			         "a-rather-long-topic-name-that-does-not-fit-in-the-memo-of-the-client", i);
			ck_assert_int_eq(e4_protect(&f.c, frame, sizeof(frame), &len, topic,
			                            (const uint8_t *)"12345678", 8), 0);
			ck_assert_int_eq(e4_frame_open(out, sizeof(out), &out_len, k, NULL, frame, len), 0);
			ck_assert_int_eq(e4_unprotect(&f.c, out, sizeof(out), &out_len, topic, frame,
			                              len, NULL), 0);
			ck_assert_mem_eq(out, "12345678", 8);
		}
	}
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(wipe_clears_the_client_and_its_tables)
{
	uint8_t k[32];
	struct fixture f;

	fx_bytes(k, sizeof(k), 1);
	with_topic(&f, k, 0);
	e4_client_wipe(&f.c);
	ck_assert_wiped((const uint8_t *)&f.c, sizeof(f.c));
	ck_assert_wiped((const uint8_t *)f.topics, sizeof(f.topics));
	ck_assert_wiped((const uint8_t *)f.replay, sizeof(f.replay));
	e4_client_wipe(&f.c);
	e4_client_wipe(NULL);
}
END_TEST

Suite *suite_client(void)
{
	Suite *s = suite_create("client-symkey");
	TCase *tc = tcase_create("protect and unprotect");
	TCase *tk = tcase_create("topic keys");

	tcase_add_test(tc, init_refuses_bad_arguments_and_configs);
	tcase_add_test(tc, protect_then_unprotect_round_trips);
	tcase_add_test(tc, empty_plaintext_is_accepted_on_both_sides);
	tcase_add_test(tc, protect_wipes_output_on_every_failure);
	tcase_add_test(tc, protect_reports_needed_size_on_bufsize);
	tcase_add_test(tc, unprotect_wipes_output_on_bad_tag);
	tcase_add_test(tc, unprotect_wipes_output_on_every_other_failure);
	tcase_add_test(tc, unprotect_reports_needed_size_on_bufsize);
	tcase_add_test(tc, wipe_clears_the_client_and_its_tables);
	suite_add_tcase(s, tc);
	tcase_add_test(tk, topic_keys_are_set_counted_and_removed);
	tcase_add_test(tk, old_topic_key_decrypts_during_the_transition_only);
	tcase_add_test(tk, transition_period_follows_the_config);
	tcase_add_test(tk, setting_the_same_topic_key_changes_nothing);
	tcase_add_test(tk, full_table_rekeys_in_place_without_transition);
	tcase_add_test(tk, full_table_evicts_the_old_key_that_expires_first);
	tcase_add_test(tk, many_topics_round_trip_through_the_key_cache);
	suite_add_tcase(s, tk);
	return s;
}
