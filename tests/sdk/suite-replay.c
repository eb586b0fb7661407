/*
 * suite-replay.c - the bounded replay cache, alone and inside a client.
 */
#include <string.h>

#include "helpers.h"

static const uint8_t dev_id[E4_ID_LEN] = { 0x3e };
static const uint8_t dev_key[E4_KEY_LEN] = { 0x3f };
#define T0 1770000000ull

START_TEST(replay_cache_refuses_a_digest_seen_whatever_its_timestamp)
{
	struct e4_replay_slot slots[4];
	struct e4_replay r;
	uint8_t d[16] = { 1 };

	e4_replay_init(&r, slots, 4);
	ck_assert_int_eq(e4_replay_check(&r, d, T0, T0, 600), 0);
	ck_assert_int_eq(e4_replay_check(&r, d, T0, T0, 600), E4_ERR_REPLAY);
	/* The digest names the frame: a later timestamp claims nothing new. */
	ck_assert_int_eq(e4_replay_check(&r, d, T0 + 1, T0, 600), E4_ERR_REPLAY);
	d[15] = 1;
	ck_assert_int_eq(e4_replay_check(&r, d, T0, T0, 600), 0);
	ck_assert_uint_eq(r.len, 2);
	ck_assert_int_eq(e4_replay_check(NULL, d, T0, T0, 600), E4_ERR_INVALID_ARG);
	ck_assert_int_eq(e4_replay_check(&r, NULL, T0, T0, 600), E4_ERR_INVALID_ARG);
}
END_TEST

START_TEST(replay_cache_stays_within_caller_memory)
{
	struct e4_replay_slot slots[8];
	struct e4_replay r;
	uint8_t d[16] = { 0 };
	unsigned i;

	memset(slots, 0x5a, sizeof(slots));
	e4_replay_init(&r, slots, 5);
	ck_assert_wiped((const uint8_t *)slots, 5 * sizeof(slots[0]));
	for (i = 0; i < 100; i++) {
		memcpy(d, &i, sizeof(i));
		ck_assert_int_eq(e4_replay_check(&r, d, T0 + i % 7, T0 + 7, 600), 0);
		ck_assert_uint_le(r.len, 5);
	}
	/* Slots past cap were never written. */
	for (i = 5 * sizeof(slots[0]); i < sizeof(slots); i++)
		ck_assert_uint_eq(((const uint8_t *)slots)[i], 0x5a);
}
END_TEST

START_TEST(replay_cache_evicts_expired_then_oldest_entries)
{
	struct e4_replay_slot slots[3];
	struct e4_replay r;
	uint8_t a[16] = { 1 }, b[16] = { 2 }, c[16] = { 3 }, d[16] = { 4 };

	e4_replay_init(&r, slots, 3);
	ck_assert_int_eq(e4_replay_check(&r, a, T0, T0, 600), 0);
	ck_assert_int_eq(e4_replay_check(&r, b, T0 + 1, T0, 600), 0);
	ck_assert_int_eq(e4_replay_check(&r, c, T0 + 2, T0, 600), 0);
	/* Full: the oldest (a) goes, the others are still refused. */
	ck_assert_int_eq(e4_replay_check(&r, d, T0 + 3, T0, 600), 0);
	ck_assert_uint_eq(r.len, 3);
	ck_assert_int_eq(e4_replay_check(&r, b, T0 + 1, T0, 600), E4_ERR_REPLAY);
	ck_assert_int_eq(e4_replay_check(&r, c, T0 + 2, T0, 600), E4_ERR_REPLAY);
	ck_assert_int_eq(e4_replay_check(&r, d, T0 + 3, T0, 600), E4_ERR_REPLAY);
	/* Much later everything expired at once. */
	ck_assert_int_eq(e4_replay_check(&r, a, T0 + 5000, T0 + 5000, 600), 0);
	ck_assert_uint_eq(r.len, 1);
}
END_TEST

START_TEST(replay_cache_forgets_a_late_frame_only_after_cap_newer_ones)
{
	struct e4_replay_slot slots[3];
	struct e4_replay r;
	uint8_t late[16] = { 9 }, d[16] = { 0 };
	unsigned i;

	e4_replay_init(&r, slots, 3);
	for (i = 1; i <= 3; i++) {
		d[0] = (uint8_t)i;
		ck_assert_int_eq(e4_replay_check(&r, d, T0 + 10 + i, T0 + 20, 600), 0);
	}
	/* Delivered late: the oldest timestamp in the cache, the newest arrival. */
	ck_assert_int_eq(e4_replay_check(&r, late, T0, T0 + 20, 600), 0);
	for (i = 4; i <= 5; i++) {
		d[0] = (uint8_t)i;
		ck_assert_int_eq(e4_replay_check(&r, d, T0 + 10 + i, T0 + 20, 600), 0);
		ck_assert_int_eq(e4_replay_check(&r, late, T0, T0 + 20, 600), E4_ERR_REPLAY);
	}
	/* The third newer frame pushes it out. */
	d[0] = 6;
	ck_assert_int_eq(e4_replay_check(&r, d, T0 + 16, T0 + 20, 600), 0);
	ck_assert_int_eq(e4_replay_check(&r, late, T0, T0 + 20, 600), 0);
}
END_TEST

START_TEST(replay_cache_without_slots_accepts_everything)
{
	struct e4_replay r;
	uint8_t d[16] = { 1 };

	e4_replay_init(&r, NULL, 10);
	ck_assert_uint_eq(r.cap, 0);
	ck_assert_int_eq(e4_replay_check(&r, d, T0, T0, 600), 0);
	ck_assert_int_eq(e4_replay_check(&r, d, T0, T0, 600), 0);
}
END_TEST

/* Seals "ping" under k at ts. */
static size_t seal(uint8_t *frame, const uint8_t k[32], uint64_t ts)
{
	size_t len;

	ck_assert_int_eq(e4_frame_seal(frame, E4_PROTECTED_LEN(4), &len, k, ts,
	                               (const uint8_t *)"ping", 4), 0);
	return len;
}

START_TEST(message_replay_is_rejected_within_max_age)
{
	uint8_t k[32] = { 7 }, frame[E4_PROTECTED_LEN(4)], out[4];
	size_t len, out_len;
	struct fixture f;

	fx_init(&f, dev_id, dev_key, T0, 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "t", k), 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "u", k), 0);
	len = seal(frame, k, T0);
	ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, "t", frame, len), 0);
	f.now = T0 + 599;
	ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, "t", frame, len),
	                 E4_ERR_REPLAY);
	/* The cache is per topic: the same bytes on another topic are new. */
	ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, "u", frame, len), 0);
	/* Past max-age the frame is too old anyway. */
	f.now = T0 + 601;
	ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, "t", frame, len),
	                 E4_ERR_TOO_OLD);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(failed_frames_do_not_enter_the_replay_cache)
{
	uint8_t k[32] = { 7 }, frame[E4_PROTECTED_LEN(4)], out[4];
	size_t len, out_len;
	struct fixture f;

	fx_init(&f, dev_id, dev_key, T0, 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "t", k), 0);
	len = seal(frame, k, T0);
	frame[len - 1] ^= 1;
	ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, "t", frame, len), E4_ERR_AUTH);
	ck_assert_uint_eq(f.c.replay.len, 0);
	frame[len - 1] ^= 1;
	ck_assert_int_eq(fx_unprotect(&f, out, 3, &out_len, "t", frame, len), E4_ERR_BUFSIZE);
	ck_assert_uint_eq(f.c.replay.len, 0);
	ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, "t", frame, len), 0);
	ck_assert_uint_eq(f.c.replay.len, 1);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(client_replay_cache_is_bounded_by_its_config)
{
	uint8_t k[32] = { 7 }, frame[E4_PROTECTED_LEN(4)], out[4];
	size_t len, out_len, i;
	struct fixture f;

	fx_init(&f, dev_id, dev_key, T0, 0);
	/* Use only 4 of the fixture's slots; the rest must stay untouched. */
	memset(f.replay, 0x77, sizeof(f.replay));
	f.cfg.replay_cap = 4;
	ck_assert_int_eq(e4_client_init(&f.c, &f.cfg, dev_id, dev_key, 32), 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "t", k), 0);
	for (i = 0; i < 50; i++) {
		len = seal(frame, k, T0 - 50 + i);
		ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, "t", frame, len), 0);
		ck_assert_uint_le(f.c.replay.len, 4);
	}
	for (i = 4 * sizeof(f.replay[0]); i < sizeof(f.replay); i++)
		ck_assert_uint_eq(((const uint8_t *)f.replay)[i], 0x77);
	/* The newest ones are still remembered. */
	ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, "t", frame, len),
	                 E4_ERR_REPLAY);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(client_without_replay_cache_accepts_duplicates)
{
	uint8_t k[32] = { 7 }, frame[E4_PROTECTED_LEN(4)], out[4];
	size_t len, out_len;
	struct fixture f;

	fx_init(&f, dev_id, dev_key, T0, FX_NO_REPLAY);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "t", k), 0);
	len = seal(frame, k, T0);
	ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, "t", frame, len), 0);
	ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, "t", frame, len), 0);
	e4_client_wipe(&f.c);
}
END_TEST

Suite *suite_replay(void)
{
	Suite *s = suite_create("replay");
	TCase *tc = tcase_create("cache");
	TCase *tl = tcase_create("client");

	tcase_add_test(tc, replay_cache_refuses_a_digest_seen_whatever_its_timestamp);
	tcase_add_test(tc, replay_cache_forgets_a_late_frame_only_after_cap_newer_ones);
	tcase_add_test(tc, replay_cache_stays_within_caller_memory);
	tcase_add_test(tc, replay_cache_evicts_expired_then_oldest_entries);
	tcase_add_test(tc, replay_cache_without_slots_accepts_everything);
	suite_add_tcase(s, tc);
	tcase_add_test(tl, message_replay_is_rejected_within_max_age);
	tcase_add_test(tl, failed_frames_do_not_enter_the_replay_cache);
	tcase_add_test(tl, client_replay_cache_is_bounded_by_its_config);
	tcase_add_test(tl, client_without_replay_cache_accepts_duplicates);
	suite_add_tcase(s, tl);
	return s;
}
