/*
 * suite-frame.c - stateless frames: symkey and pubkey seal/open, sizes,
 * and the wiping of outputs on every failure.
 */
#include <string.h>

#include "helpers.h"

static const uint8_t key[E4_KEY_LEN] = { 0x11, 0x22, 0x33 };

START_TEST(empty_plaintext_gives_a_24_byte_frame_that_opens)
{
	uint8_t frame[E4_HEADER_LEN + 8], out[4];
	size_t len = 0, out_len = 9;
	uint64_t ts = 0;

	ck_assert_int_eq(e4_frame_seal(frame, sizeof(frame), &len, key, 77, NULL, 0), 0);
	ck_assert_uint_eq(len, 24);
	ck_assert_int_eq(e4_frame_open(out, sizeof(out), &out_len, key, &ts, frame, len), 0);
	ck_assert_uint_eq(out_len, 0);
	ck_assert_uint_eq(ts, 77);
	ck_assert_int_eq(e4_frame_open(NULL, 0, &out_len, key, NULL, frame, len), 0);
	frame[3] ^= 1;
	ck_assert_int_eq(e4_frame_open(NULL, 0, &out_len, key, NULL, frame, len), E4_ERR_AUTH);
}
END_TEST

START_TEST(seal_reports_needed_size_on_bufsize)
{
	uint8_t frame[64] = { 0 };
	size_t len = 0;

	ck_assert_int_eq(e4_frame_seal(frame, 33, &len, key, 1, frame, 10), E4_ERR_BUFSIZE);
	ck_assert_uint_eq(len, E4_PROTECTED_LEN(10));
	ck_assert_int_eq(e4_frame_seal(frame, 34, &len, key, 1, frame + 34, 10), 0);
	ck_assert_int_eq(e4_frame_seal(frame, sizeof(frame), NULL, key, 1, frame, 1),
	                 E4_ERR_INVALID_ARG);
}
END_TEST

START_TEST(seal_wipes_output_on_invalid_argument)
{
	uint8_t frame[64] = { 0 };
	size_t len = 5;

	fx_fill(frame, sizeof(frame));
	ck_assert_int_eq(e4_frame_seal(frame, sizeof(frame), &len, NULL, 1, frame, 1),
	                 E4_ERR_INVALID_ARG);
	ck_assert_uint_eq(len, 0);
	ck_assert_wiped(frame, sizeof(frame));
	fx_fill(frame, sizeof(frame));
	ck_assert_int_eq(e4_frame_seal(frame, sizeof(frame), &len, key, 1, NULL, 3),
	                 E4_ERR_INVALID_ARG);
	ck_assert_wiped(frame, sizeof(frame));
}
END_TEST

START_TEST(open_rejects_every_single_byte_change_and_wipes)
{
	uint8_t pt[40], frame[E4_PROTECTED_LEN(40)], out[64];
	size_t len, out_len, i;

	fx_bytes(pt, sizeof(pt), 9);
	ck_assert_int_eq(e4_frame_seal(frame, sizeof(frame), &len, key, 1234, pt, sizeof(pt)), 0);
	for (i = 0; i < len; i++) {
		frame[i] ^= (uint8_t)(1u << (i % 8));
		fx_fill(out, sizeof(out));
		out_len = 99;
		ck_assert_int_eq(e4_frame_open(out, sizeof(out), &out_len, key, NULL, frame, len),
		                 E4_ERR_AUTH);
		ck_assert_uint_eq(out_len, 0);
		ck_assert_wiped(out, sizeof(out));
		frame[i] ^= (uint8_t)(1u << (i % 8));
	}
	ck_assert_int_eq(e4_frame_open(out, sizeof(out), &out_len, key, NULL, frame, len), 0);
	ck_assert_mem_eq(out, pt, sizeof(pt));
}
END_TEST

START_TEST(open_wipes_output_on_short_frame_and_bad_arguments)
{
	uint8_t frame[E4_HEADER_LEN] = { 0 }, out[32];
	size_t out_len = 3;

	fx_fill(out, sizeof(out));
	ck_assert_int_eq(e4_frame_open(out, sizeof(out), &out_len, key, NULL, frame, 23),
	                 E4_ERR_TOO_SHORT);
	ck_assert_uint_eq(out_len, 0);
	ck_assert_wiped(out, sizeof(out));
	fx_fill(out, sizeof(out));
	ck_assert_int_eq(e4_frame_open(out, sizeof(out), &out_len, NULL, NULL, frame, 24),
	                 E4_ERR_INVALID_ARG);
	ck_assert_wiped(out, sizeof(out));
	fx_fill(out, sizeof(out));
	ck_assert_int_eq(e4_frame_open(out, sizeof(out), &out_len, key, NULL, NULL, 24),
	                 E4_ERR_INVALID_ARG);
	ck_assert_wiped(out, sizeof(out));
}
END_TEST

START_TEST(open_reports_needed_size_on_bufsize)
{
	uint8_t pt[10] = { 1 }, frame[E4_PROTECTED_LEN(10)], out[10];
	size_t len, out_len = 0;

	ck_assert_int_eq(e4_frame_seal(frame, sizeof(frame), &len, key, 5, pt, sizeof(pt)), 0);
	ck_assert_int_eq(e4_frame_open(out, 9, &out_len, key, NULL, frame, len), E4_ERR_BUFSIZE);
	ck_assert_uint_eq(out_len, 10);
	ck_assert_int_eq(e4_frame_open(out, 10, &out_len, key, NULL, frame, len), 0);
	ck_assert_mem_eq(out, pt, 10);
}
END_TEST

START_TEST(pubkey_frame_round_trips_and_names_its_sender)
{
	uint8_t sk[64], pub[32], id[E4_ID_LEN], sender[E4_ID_LEN];
	uint8_t pt[50], frame[E4_PK_PROTECTED_LEN(50)], out[50];
	size_t len, out_len;
	uint64_t ts = 0;

	ck_assert_int_eq(e4_ed25519_keypair(pub, sk), 0);
	fx_bytes(id, sizeof(id), 1);
	fx_bytes(pt, sizeof(pt), 2);
	ck_assert_int_eq(e4_pk_frame_seal(frame, sizeof(frame), &len, key, sk, id, 99, pt,
	                                  sizeof(pt)), 0);
	ck_assert_uint_eq(len, E4_PK_PROTECTED_LEN(50));
	ck_assert_int_eq(e4_pk_frame_sender(frame, len, sender), 0);
	ck_assert_mem_eq(sender, id, E4_ID_LEN);
	ck_assert_int_eq(e4_pk_frame_verify(frame, len, pub), 0);
	ck_assert_int_eq(e4_pk_frame_open(out, sizeof(out), &out_len, key, pub, &ts, frame, len), 0);
	ck_assert_uint_eq(out_len, 50);
	ck_assert_uint_eq(ts, 99);
	ck_assert_mem_eq(out, pt, 50);
	/* Empty pubkey plaintext: 104 bytes. */
	ck_assert_int_eq(e4_pk_frame_seal(frame, sizeof(frame), &len, key, sk, id, 99, NULL, 0), 0);
	ck_assert_uint_eq(len, E4_PK_OVERHEAD);
	ck_assert_int_eq(e4_pk_frame_open(NULL, 0, &out_len, key, pub, NULL, frame, len), 0);
	ck_assert_uint_eq(out_len, 0);
}
END_TEST

START_TEST(pubkey_frame_open_wipes_output_on_every_failure)
{
	uint8_t sk[64], pub[32], other_pub[32], other_sk[64], id[E4_ID_LEN] = { 3 };
	uint8_t pt[20] = { 5 }, frame[E4_PK_PROTECTED_LEN(20)], out[32], wrong[32] = { 1 };
	size_t len, out_len, i;

	ck_assert_int_eq(e4_ed25519_keypair(pub, sk), 0);
	ck_assert_int_eq(e4_ed25519_keypair(other_pub, other_sk), 0);
	ck_assert_int_eq(e4_pk_frame_seal(frame, sizeof(frame), &len, key, sk, id, 1, pt,
	                                  sizeof(pt)), 0);
	/* Any changed byte breaks the signature. */
	for (i = 0; i < len; i++) {
		frame[i] ^= 0x01;
		fx_fill(out, sizeof(out));
		ck_assert_int_eq(e4_pk_frame_open(out, sizeof(out), &out_len, key, pub, NULL, frame,
		                                  len), E4_ERR_BAD_SIGNATURE);
		ck_assert_wiped(out, sizeof(out));
		frame[i] ^= 0x01;
	}
	fx_fill(out, sizeof(out));
	ck_assert_int_eq(e4_pk_frame_open(out, sizeof(out), &out_len, key, other_pub, NULL, frame,
	                                  len), E4_ERR_BAD_SIGNATURE);
	ck_assert_wiped(out, sizeof(out));
	fx_fill(out, sizeof(out));
	ck_assert_int_eq(e4_pk_frame_open(out, sizeof(out), &out_len, wrong, pub, NULL, frame,
	                                  len), E4_ERR_AUTH);
	ck_assert_wiped(out, sizeof(out));
	fx_fill(out, sizeof(out));
	ck_assert_int_eq(e4_pk_frame_open(out, sizeof(out), &out_len, key, pub, NULL, frame,
	                                  E4_PK_OVERHEAD - 1), E4_ERR_TOO_SHORT);
	ck_assert_uint_eq(out_len, 0);
	ck_assert_wiped(out, sizeof(out));
	ck_assert_int_eq(e4_pk_frame_open(out, 19, &out_len, key, pub, NULL, frame, len),
	                 E4_ERR_BUFSIZE);
	ck_assert_uint_eq(out_len, 20);
	ck_assert_int_eq(e4_pk_frame_verify(frame, E4_PK_OVERHEAD - 1, pub), E4_ERR_TOO_SHORT);
	ck_assert_int_eq(e4_pk_frame_sender(frame, E4_PK_OVERHEAD - 1, id), E4_ERR_TOO_SHORT);
}
END_TEST

START_TEST(pubkey_seal_reports_size_and_wipes_on_bad_arguments)
{
	uint8_t sk[64] = { 0 }, id[E4_ID_LEN] = { 0 }, frame[E4_PK_PROTECTED_LEN(4)] = { 0 };
	size_t len = 0;

	ck_assert_int_eq(e4_pk_frame_seal(frame, 100, &len, key, sk, id, 1, frame, 4),
	                 E4_ERR_BUFSIZE);
	ck_assert_uint_eq(len, E4_PK_PROTECTED_LEN(4));
	fx_fill(frame, sizeof(frame));
	ck_assert_int_eq(e4_pk_frame_seal(frame, sizeof(frame), &len, key, NULL, id, 1, frame, 4),
	                 E4_ERR_INVALID_ARG);
	ck_assert_uint_eq(len, 0);
	ck_assert_wiped(frame, sizeof(frame));
}
END_TEST

START_TEST(command_key_refuses_a_low_order_c2_key_and_wipes)
{
	uint8_t sk[64], pub[32], zero[32] = { 0 }, out[32];

	ck_assert_int_eq(e4_ed25519_keypair(pub, sk), 0);
	fx_fill(out, sizeof(out));
	ck_assert_int_ne(e4_pk_command_key(out, sk, zero), 0);
	ck_assert_wiped(out, sizeof(out));
	ck_assert_int_eq(e4_pk_command_key(NULL, sk, zero), E4_ERR_INVALID_ARG);
	ck_assert_int_eq(e4_pk_command_key_c2(out, NULL, pub), E4_ERR_INVALID_ARG);
	ck_assert_int_eq(e4_ed25519_keypair(NULL, sk), E4_ERR_INVALID_ARG);
}
END_TEST

Suite *suite_frame(void)
{
	Suite *s = suite_create("frame");
	TCase *tc = tcase_create("seal and open");

	tcase_add_test(tc, empty_plaintext_gives_a_24_byte_frame_that_opens);
	tcase_add_test(tc, seal_reports_needed_size_on_bufsize);
	tcase_add_test(tc, seal_wipes_output_on_invalid_argument);
	tcase_add_test(tc, open_rejects_every_single_byte_change_and_wipes);
	tcase_add_test(tc, open_wipes_output_on_short_frame_and_bad_arguments);
	tcase_add_test(tc, open_reports_needed_size_on_bufsize);
	tcase_add_test(tc, pubkey_frame_round_trips_and_names_its_sender);
	tcase_add_test(tc, pubkey_frame_open_wipes_output_on_every_failure);
	tcase_add_test(tc, pubkey_seal_reports_size_and_wipes_on_bad_arguments);
	tcase_add_test(tc, command_key_refuses_a_low_order_c2_key_and_wipes);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, vectors_tcase_symkey_messages());
	suite_add_tcase(s, vectors_tcase_negative());
	return s;
}
