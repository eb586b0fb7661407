/*
 * suite-acks.c - acks: one 42-byte frame per authenticated command,
 * naming SHA3-256(command frame)[:16] and a status, under the key in
 * force after the command.
 */
#include <string.h>

#include <sodium.h>

#include "helpers.h"

static const uint8_t dev_id[E4_ID_LEN] = { 0xac };
static const uint8_t dev_key[E4_KEY_LEN] = { 0xac, 0x4b };
#define T0 1810000000ull

/* Sends a command frame and checks its ack's status (key: the ack key). */
static void expect(struct fixture *f, const uint8_t key[32], uint64_t ts, uint8_t code,
                   const uint8_t *args, size_t args_len, int err, uint8_t status)
{
	uint8_t frame[E4_PROTECTED_LEN(80)];
	struct e4_recv_info info;
	size_t len;

	fx_cmd_seal(frame, sizeof(frame), &len, key, ts, code, args, args_len);
	ck_assert_int_eq(fx_command(f, frame, len, &info), err);
	ck_assert_uint_eq(info.has_ack, 1);
	fx_check_ack(f, key, frame, len, status);
}

START_TEST(every_authenticated_command_yields_a_42_byte_ack)
{
	uint8_t ack[E4_ACK_FRAME_LEN + 8], frame[E4_PROTECTED_LEN(1)], digest[16], want[32], st;
	uint64_t ts = 0;
	size_t len, ack_len = 0;
	struct fixture f;

	fx_init(&f, dev_id, dev_key, T0 + 5, 0);
	fx_cmd_seal(frame, sizeof(frame), &len, dev_key, T0, E4_CMD_HEARTBEAT, NULL, 0);
	ck_assert_int_eq(fx_command(&f, frame, len, NULL), 0);
	ck_assert_int_eq(e4_client_ack(&f.c, ack, sizeof(ack), &ack_len), 0);
	ck_assert_uint_eq(ack_len, 42);
	ck_assert_int_eq(e4_ack_open(dev_key, ack, ack_len, digest, &st, &ts), 0);
	ck_assert_int_eq(e4_sha3_256(want, frame, len), 0);
	ck_assert_mem_eq(digest, want, 16);
	ck_assert_uint_eq(st, E4_ACK_APPLIED);
	/* Stamped with the device's clock. */
	ck_assert_uint_eq(ts, T0 + 5);
	ck_assert_int_eq(e4_client_ack(&f.c, ack, sizeof(ack), &ack_len), E4_ERR_NOT_FOUND);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(ack_statuses_name_what_happened)
{
	uint8_t frame[E4_PROTECTED_LEN(1)], args[48] = { 1 };
	size_t len;
	struct fixture f;
	int i;

	fx_init(&f, dev_id, dev_key, T0, 0);
	fx_cmd_seal(frame, sizeof(frame), &len, dev_key, T0, E4_CMD_HEARTBEAT, NULL, 0);
	ck_assert_int_eq(fx_command(&f, frame, len, NULL), 0);
	fx_check_ack(&f, dev_key, frame, len, E4_ACK_APPLIED);
	ck_assert_int_eq(fx_command(&f, frame, len, NULL), E4_ERR_COMMAND_REPLAY);
	fx_check_ack(&f, dev_key, frame, len, E4_ACK_DUPLICATE);
	expect(&f, dev_key, T0 - 1, E4_CMD_HEARTBEAT, NULL, 0, E4_ERR_COMMAND_STALE, E4_ACK_STALE);
	expect(&f, dev_key, T0, E4_CMD_HEARTBEAT, args, 1, E4_ERR_COMMAND_LENGTH,
	       E4_ACK_BAD_LENGTH);
	expect(&f, dev_key, T0, E4_CMD_SET_PUBKEY, args, 48, E4_ERR_WRONG_MODE, E4_ACK_WRONG_MODE);
	expect(&f, dev_key, T0, 0x42, NULL, 0, E4_ERR_UNKNOWN_COMMAND, E4_ACK_UNKNOWN);
	for (i = 1; i < E4_COMMAND_HISTORY; i++) {
		args[0] = (uint8_t)i;
		expect(&f, dev_key, T0, E4_CMD_REMOVE_TOPIC, args, 16, 0, E4_ACK_APPLIED);
	}
	args[0] = 0xff;
	expect(&f, dev_key, T0, E4_CMD_REMOVE_TOPIC, args, 16, E4_ERR_COMMAND_BURST, E4_ACK_BURST);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(ack_after_set_id_key_uses_the_new_key)
{
	uint8_t k2[32] = { 0x22 }, frame[E4_PROTECTED_LEN(33)], ack[64], digest[16], st;
	size_t len, ack_len;
	struct fixture f;

	fx_init(&f, dev_id, dev_key, T0, 0);
	fx_cmd_seal(frame, sizeof(frame), &len, dev_key, T0, E4_CMD_SET_ID_KEY, k2, 32);
	ck_assert_int_eq(fx_command(&f, frame, len, NULL), 0);
	ck_assert_int_eq(e4_client_ack(&f.c, ack, sizeof(ack), &ack_len), 0);
	ck_assert_int_eq(e4_ack_open(dev_key, ack, ack_len, digest, &st, NULL), E4_ERR_AUTH);
	ck_assert_int_eq(e4_ack_open(k2, ack, ack_len, digest, &st, NULL), 0);
	ck_assert_uint_eq(st, E4_ACK_APPLIED);
	/* Commands still under the old key are acked under the new one too. */
	fx_cmd_seal(frame, sizeof(frame), &len, dev_key, T0 + 1, E4_CMD_HEARTBEAT, NULL, 0);
	ck_assert_int_eq(fx_command(&f, frame, len, NULL), 0);
	fx_check_ack(&f, k2, frame, len, E4_ACK_APPLIED);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(ack_of_a_pubkey_device_uses_the_shared_c2_key)
{
	uint8_t sk[64], pub[32], c2sk[32], c2pub[32], key[32];
	struct fixture f;

	ck_assert_int_eq(e4_ed25519_keypair(pub, sk), 0);
	ck_assert_int_ge(sodium_init(), 0);
	ck_assert_int_eq(crypto_box_keypair(c2pub, c2sk), 0);
	ck_assert_int_eq(e4_pk_command_key_c2(key, c2sk, pub), 0);
	fx_init_pk(&f, dev_id, sk, c2pub, T0, 0);
	expect(&f, key, T0, E4_CMD_HEARTBEAT, NULL, 0, 0, E4_ACK_APPLIED);
	expect(&f, key, T0, E4_CMD_SET_ID_KEY, key, 32, E4_ERR_COMMAND_LENGTH, E4_ACK_BAD_LENGTH);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(clockless_ack_is_stamped_with_the_time_floor)
{
	uint8_t frame[E4_PROTECTED_LEN(1)], ack[64], digest[16], st;
	uint64_t ts = 0;
	size_t len, ack_len;
	struct fixture f;

	fx_init(&f, dev_id, dev_key, 0, FX_CLOCKLESS);
	fx_cmd_seal(frame, sizeof(frame), &len, dev_key, T0, E4_CMD_HEARTBEAT, NULL, 0);
	ck_assert_int_eq(fx_command(&f, frame, len, NULL), 0);
	ck_assert_int_eq(e4_client_ack(&f.c, ack, sizeof(ack), &ack_len), 0);
	ck_assert_int_eq(e4_ack_open(dev_key, ack, ack_len, digest, &st, &ts), 0);
	ck_assert_uint_eq(ts, T0);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(client_ack_reports_size_and_wipes_on_failure)
{
	uint8_t frame[E4_PROTECTED_LEN(1)], ack[64];
	size_t len, ack_len = 0;
	struct fixture f;

	fx_init(&f, dev_id, dev_key, T0, 0);
	fx_fill(ack, sizeof(ack));
	ck_assert_int_eq(e4_client_ack(&f.c, ack, sizeof(ack), &ack_len), E4_ERR_NOT_FOUND);
	ck_assert_uint_eq(ack_len, 0);
	ck_assert_wiped(ack, sizeof(ack));
	fx_cmd_seal(frame, sizeof(frame), &len, dev_key, T0, E4_CMD_HEARTBEAT, NULL, 0);
	ck_assert_int_eq(fx_command(&f, frame, len, NULL), 0);
	ck_assert_int_eq(e4_client_ack(&f.c, ack, 41, &ack_len), E4_ERR_BUFSIZE);
	ck_assert_uint_eq(ack_len, 42);
	/* A refused read keeps the ack pending. */
	fx_check_ack(&f, dev_key, frame, len, E4_ACK_APPLIED);
	ck_assert_int_eq(e4_client_ack(&f.c, ack, sizeof(ack), NULL), E4_ERR_INVALID_ARG);
	e4_client_wipe(&f.c);
	fx_fill(ack, sizeof(ack));
	ck_assert_int_eq(e4_client_ack(&f.c, ack, sizeof(ack), &ack_len), E4_ERR_NOT_INITIALISED);
	ck_assert_wiped(ack, sizeof(ack));
}
END_TEST

START_TEST(ack_seal_and_open_round_trip_and_refuse_malformed_frames)
{
	uint8_t cmd[30] = { 3 }, ack[E4_ACK_FRAME_LEN + 1], digest[16], want[16], st = 0;
	uint8_t wrong[32] = { 9 };
	uint64_t ts = 0;
	size_t len = 0;

	ck_assert_int_eq(e4_ack_seal(ack, sizeof(ack), &len, dev_key, 77, cmd, sizeof(cmd),
	                             E4_ACK_STALE), 0);
	ck_assert_uint_eq(len, E4_ACK_FRAME_LEN);
	ck_assert_int_eq(e4_ack_open(dev_key, ack, len, digest, &st, &ts), 0);
	ck_assert_int_eq(e4_command_digest(want, cmd, sizeof(cmd)), 0);
	ck_assert_mem_eq(digest, want, 16);
	ck_assert_uint_eq(st, E4_ACK_STALE);
	ck_assert_uint_eq(ts, 77);
	ck_assert_int_eq(e4_ack_open(wrong, ack, len, digest, &st, &ts), E4_ERR_AUTH);
	ck_assert_int_eq(e4_ack_open(dev_key, ack, 23, digest, &st, &ts), E4_ERR_TOO_SHORT);
	ck_assert_int_eq(e4_ack_open(dev_key, ack, 41, digest, &st, &ts), E4_ERR_BAD_ACK);
	ck_assert_int_eq(e4_ack_open(dev_key, ack, 43, digest, &st, &ts), E4_ERR_BAD_ACK);
	ck_assert_int_eq(e4_ack_open(dev_key, ack, len, NULL, &st, &ts), E4_ERR_INVALID_ARG);
	ck_assert_int_eq(e4_ack_seal(ack, 41, &len, dev_key, 77, cmd, 3, 0), E4_ERR_BUFSIZE);
	ck_assert_uint_eq(len, 42);
	fx_fill(ack, sizeof(ack));
	ck_assert_int_eq(e4_ack_seal(ack, sizeof(ack), &len, dev_key, 77, NULL, 3, 0),
	                 E4_ERR_INVALID_ARG);
	ck_assert_uint_eq(len, 0);
	ck_assert_wiped(ack, sizeof(ack));
}
END_TEST

START_TEST(no_ack_for_unauthenticated_frames)
{
	uint8_t wrong[32] = { 1 }, ack[64];
	size_t ack_len;
	struct fixture f;

	fx_init(&f, dev_id, dev_key, T0, 0);
	ck_assert_int_eq(fx_send(&f, wrong, T0, E4_CMD_HEARTBEAT, NULL, 0), E4_ERR_AUTH);
	ck_assert_int_eq(e4_client_ack(&f.c, ack, sizeof(ack), &ack_len), E4_ERR_NOT_FOUND);
	e4_client_wipe(&f.c);
}
END_TEST

Suite *suite_acks(void)
{
	Suite *s = suite_create("acks");
	TCase *tc = tcase_create("acks");

	tcase_add_test(tc, every_authenticated_command_yields_a_42_byte_ack);
	tcase_add_test(tc, ack_statuses_name_what_happened);
	tcase_add_test(tc, ack_after_set_id_key_uses_the_new_key);
	tcase_add_test(tc, ack_of_a_pubkey_device_uses_the_shared_c2_key);
	tcase_add_test(tc, clockless_ack_is_stamped_with_the_time_floor);
	tcase_add_test(tc, client_ack_reports_size_and_wipes_on_failure);
	tcase_add_test(tc, ack_seal_and_open_round_trip_and_refuse_malformed_frames);
	tcase_add_test(tc, no_ack_for_unauthenticated_frames);
	suite_add_tcase(s, tc);
	return s;
}
