/*
 * suite-clock.c - the clock policy (max-age, max-skew) with a clock, and
 * clockless devices whose time is the newest authenticated command.
 */
#include <string.h>

#include "helpers.h"

static const uint8_t dev_id[E4_ID_LEN] = { 0xc1, 0x0c };
static const uint8_t dev_key[E4_KEY_LEN] = { 0xc1, 0x0c, 0x4b };
static const uint8_t topic_key[E4_KEY_LEN] = { 0x70 };
#define T0 1780000000ull

/* Delivers a fresh message sealed at ts on "t"; returns the error. */
static int deliver(struct fixture *f, uint64_t ts)
{
	static unsigned counter;
	uint8_t msg[4], frame[E4_PROTECTED_LEN(4)], out[4];
	size_t len, out_len;

	counter++;
	memcpy(msg, &counter, sizeof(msg));
	ck_assert_int_eq(e4_frame_seal(frame, sizeof(frame), &len, topic_key, ts, msg, 4), 0);
	return fx_unprotect(f, out, sizeof(out), &out_len, "t", frame, len);
}

/* A client holding topic "t", with a clock at T0 or clockless. */
static void setup(struct fixture *f, unsigned opts)
{
	fx_init(f, dev_id, dev_key, T0, opts);
	ck_assert_int_eq(e4_client_set_topic_key(&f->c, "t", topic_key), 0);
}

START_TEST(messages_older_than_max_age_are_too_old)
{
	struct fixture f;

	setup(&f, 0);
	ck_assert_int_eq(deliver(&f, T0 - 600), 0);
	ck_assert_int_eq(deliver(&f, T0 - 601), E4_ERR_TOO_OLD);
	ck_assert_int_eq(deliver(&f, 0), E4_ERR_TOO_OLD);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(messages_beyond_max_skew_are_in_the_future)
{
	struct fixture f;

	setup(&f, 0);
	ck_assert_int_eq(deliver(&f, T0 + 60), 0);
	ck_assert_int_eq(deliver(&f, T0 + 61), E4_ERR_IN_FUTURE);
	ck_assert_int_eq(deliver(&f, UINT64_MAX), E4_ERR_IN_FUTURE);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(clock_policy_follows_the_config)
{
	struct fixture f;

	fx_init(&f, dev_id, dev_key, T0, 0);
	f.cfg.max_age = 10;
	f.cfg.max_skew = 0;
	ck_assert_int_eq(e4_client_init(&f.c, &f.cfg, dev_id, dev_key, 32), 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "t", topic_key), 0);
	ck_assert_int_eq(deliver(&f, T0 - 10), 0);
	ck_assert_int_eq(deliver(&f, T0 - 11), E4_ERR_TOO_OLD);
	ck_assert_int_eq(deliver(&f, T0), 0);
	ck_assert_int_eq(deliver(&f, T0 + 1), E4_ERR_IN_FUTURE);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(protect_stamps_frames_with_the_clock)
{
	uint8_t frame[E4_PROTECTED_LEN(1)];
	size_t len;
	struct fixture f;

	setup(&f, 0);
	f.now = T0 + 12345;
	ck_assert_int_eq(e4_protect(&f.c, frame, sizeof(frame), &len, "t",
	                            (const uint8_t *)"x", 1), 0);
	ck_assert_uint_eq(e4_load_le64(frame), T0 + 12345);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(commands_obey_the_clock_policy)
{
	uint8_t frame[E4_PROTECTED_LEN(1)];
	size_t len;
	struct fixture f;

	setup(&f, 0);
	fx_cmd_seal(frame, sizeof(frame), &len, dev_key, T0 - 601, E4_CMD_HEARTBEAT, NULL, 0);
	ck_assert_int_eq(fx_command(&f, frame, len, NULL), E4_ERR_TOO_OLD);
	fx_check_ack(&f, dev_key, frame, len, E4_ACK_STALE);
	fx_cmd_seal(frame, sizeof(frame), &len, dev_key, T0 + 61, E4_CMD_HEARTBEAT, NULL, 0);
	ck_assert_int_eq(fx_command(&f, frame, len, NULL), E4_ERR_IN_FUTURE);
	fx_check_ack(&f, dev_key, frame, len, E4_ACK_FAILED);
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + 60, E4_CMD_HEARTBEAT, NULL, 0), 0);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(clockless_device_accepts_any_time_before_its_first_command)
{
	struct fixture f;

	setup(&f, FX_CLOCKLESS);
	ck_assert_int_eq(deliver(&f, 1), 0);
	ck_assert_int_eq(deliver(&f, T0), 0);
	ck_assert_int_eq(deliver(&f, UINT64_MAX), 0);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(clockless_time_is_the_newest_authenticated_command)
{
	uint8_t frame[E4_PROTECTED_LEN(1)];
	size_t len;
	struct fixture f;

	setup(&f, FX_CLOCKLESS);
	ck_assert_int_eq(fx_send(&f, dev_key, T0, E4_CMD_HEARTBEAT, NULL, 0), 0);
	ck_assert_uint_eq(f.c.time_floor, T0);
	ck_assert_int_eq(deliver(&f, T0 - 600), 0);
	ck_assert_int_eq(deliver(&f, T0 - 601), E4_ERR_TOO_OLD);
	/* No clock, no judgement of the future. */
	ck_assert_int_eq(deliver(&f, T0 + 100000), 0);
	/* Protect stamps frames with the time floor. */
	ck_assert_int_eq(e4_protect(&f.c, frame, sizeof(frame), &len, "t",
	                            (const uint8_t *)"x", 1), 0);
	ck_assert_uint_eq(e4_load_le64(frame), T0);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(heartbeat_advances_the_clockless_time_floor)
{
	struct fixture f;

	setup(&f, FX_CLOCKLESS);
	ck_assert_int_eq(fx_send(&f, dev_key, T0, E4_CMD_HEARTBEAT, NULL, 0), 0);
	ck_assert_int_eq(deliver(&f, T0 - 300), 0);
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + 1000, E4_CMD_HEARTBEAT, NULL, 0), 0);
	ck_assert_uint_eq(f.c.time_floor, T0 + 1000);
	ck_assert_int_eq(deliver(&f, T0 - 300), E4_ERR_TOO_OLD);
	ck_assert_int_eq(deliver(&f, T0 + 400), 0);
	ck_assert_int_eq(deliver(&f, T0 + 399), E4_ERR_TOO_OLD);
	/* A stale heartbeat does not move the floor back. */
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + 500, E4_CMD_HEARTBEAT, NULL, 0),
	                 E4_ERR_COMMAND_STALE);
	ck_assert_uint_eq(f.c.time_floor, T0 + 1000);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(refused_but_authenticated_command_still_advances_the_floor)
{
	uint8_t args[2] = { 0 };
	struct fixture f;

	setup(&f, FX_CLOCKLESS);
	ck_assert_int_eq(fx_send(&f, dev_key, T0, E4_CMD_HEARTBEAT, NULL, 0), 0);
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + 1000, 0x42, NULL, 0), E4_ERR_UNKNOWN_COMMAND);
	ck_assert_uint_eq(f.c.time_floor, T0 + 1000);
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + 2000, E4_CMD_HEARTBEAT, args, 2),
	                 E4_ERR_COMMAND_LENGTH);
	ck_assert_uint_eq(f.c.time_floor, T0 + 2000);
	ck_assert_int_eq(deliver(&f, T0 + 1300), E4_ERR_TOO_OLD);
	/* Unauthenticated frames never move it. */
	ck_assert_int_eq(fx_send(&f, topic_key, T0 + 9000, E4_CMD_HEARTBEAT, NULL, 0),
	                 E4_ERR_AUTH);
	ck_assert_uint_eq(f.c.time_floor, T0 + 2000);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(failing_clock_falls_back_to_the_time_floor)
{
	struct fixture f;

	setup(&f, 0);
	ck_assert_int_eq(fx_send(&f, dev_key, T0, E4_CMD_HEARTBEAT, NULL, 0), 0);
	f.clock_fails = 1;
	ck_assert_int_eq(deliver(&f, T0 + 5000), 0);
	ck_assert_int_eq(deliver(&f, T0 - 601), E4_ERR_TOO_OLD);
	f.clock_fails = 0;
	ck_assert_int_eq(deliver(&f, T0 + 5000), E4_ERR_IN_FUTURE);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(clockless_transition_runs_on_command_time)
{
	uint8_t k2[32] = { 0x71 }, args[48];
	struct fixture f;

	setup(&f, FX_CLOCKLESS);
	memcpy(args, k2, 32);
	ck_assert_int_eq(e4_topic_hash(args + 32, "t"), 0);
	ck_assert_int_eq(fx_send(&f, dev_key, T0, E4_CMD_SET_TOPIC_KEY, args, 48), 0);
	ck_assert_int_eq(deliver(&f, T0), 0); /* old key, in its window */
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + E4_DEFAULT_TRANSITION + 1, E4_CMD_HEARTBEAT,
	                         NULL, 0), 0);
	ck_assert_int_eq(deliver(&f, T0 + E4_DEFAULT_TRANSITION + 1), E4_ERR_AUTH);
	e4_client_wipe(&f.c);
}
END_TEST

Suite *suite_clock(void)
{
	Suite *s = suite_create("clock/clockless");
	TCase *tc = tcase_create("clock");
	TCase *tl = tcase_create("clockless");

	tcase_add_test(tc, messages_older_than_max_age_are_too_old);
	tcase_add_test(tc, messages_beyond_max_skew_are_in_the_future);
	tcase_add_test(tc, clock_policy_follows_the_config);
	tcase_add_test(tc, protect_stamps_frames_with_the_clock);
	tcase_add_test(tc, commands_obey_the_clock_policy);
	suite_add_tcase(s, tc);
	tcase_add_test(tl, clockless_device_accepts_any_time_before_its_first_command);
	tcase_add_test(tl, clockless_time_is_the_newest_authenticated_command);
	tcase_add_test(tl, heartbeat_advances_the_clockless_time_floor);
	tcase_add_test(tl, refused_but_authenticated_command_still_advances_the_floor);
	tcase_add_test(tl, failing_clock_falls_back_to_the_time_floor);
	tcase_add_test(tl, clockless_transition_runs_on_command_time);
	suite_add_tcase(s, tl);
	return s;
}
