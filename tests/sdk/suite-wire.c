/*
 * suite-wire.c - identifiers, hex, little-endian timestamps, the clock
 * policy function, command lengths and building (e4/wire.h).
 */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

START_TEST(hex_round_trips_every_byte_value)
{
	uint8_t in[256], back[256];
	char hex[513];
	int i;

	for (i = 0; i < 256; i++)
		in[i] = (uint8_t)i;
	e4_hex_encode(hex, in, sizeof(in));
	ck_assert_uint_eq(strlen(hex), 512);
	ck_assert(strncmp(hex, "000102", 6) == 0);
	ck_assert(strcmp(hex + 506, "fdfeff") == 0);
	ck_assert_int_eq(e4_hex_decode(back, sizeof(back), hex), 0);
	ck_assert_mem_eq(back, in, sizeof(in));
	ck_assert_int_eq(e4_hex_decode(back, 2, "AbCd"), 0);
	ck_assert_uint_eq(back[0], 0xab);
	ck_assert_uint_eq(back[1], 0xcd);
}
END_TEST

START_TEST(hex_decode_refuses_bad_input_and_wipes)
{
	static const char *const bad[] = { "abc", "abcdef", "zz00", "0g00", "00 0", "", "a" };
	uint8_t out[2];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(out, 0xAA, sizeof(out));
		ck_assert_int_eq(e4_hex_decode(out, sizeof(out), bad[i]), E4_ERR_INVALID_ARG);
		ck_assert_wiped(out, sizeof(out));
	}
	ck_assert_int_eq(e4_hex_decode(NULL, 1, "00"), E4_ERR_INVALID_ARG);
	ck_assert_int_eq(e4_hex_decode(out, 1, NULL), E4_ERR_INVALID_ARG);
	ck_assert_int_eq(e4_hex_decode(out, 0, ""), 0);
}
END_TEST

START_TEST(le64_is_little_endian)
{
	uint8_t b[8];

	e4_store_le64(b, 0x0102030405060708ull);
	ck_assert_uint_eq(b[0], 0x08);
	ck_assert_uint_eq(b[7], 0x01);
	ck_assert_uint_eq(e4_load_le64(b), 0x0102030405060708ull);
	e4_store_le64(b, UINT64_MAX);
	ck_assert_uint_eq(e4_load_le64(b), UINT64_MAX);
}
END_TEST

START_TEST(control_topic_is_e4_slash_lowercase_hex_id)
{
	uint8_t id[E4_ID_LEN];
	char topic[E4_CONTROL_TOPIC_CAP];
	int i;

	for (i = 0; i < E4_ID_LEN; i++)
		id[i] = (uint8_t)(0xf0 + i);
	memset(topic, 'X', sizeof(topic));
	e4_control_topic(topic, id);
	ck_assert_str_eq(topic, "e4/f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
	ck_assert_uint_eq(strlen(topic), E4_CONTROL_TOPIC_CAP - 1);
}
END_TEST

START_TEST(id_from_alias_is_sha3_prefix)
{
	uint8_t id[E4_ID_LEN], h[32];

	ck_assert_int_eq(e4_id_from_alias(id, "device-1"), 0);
	ck_assert_int_eq(e4_sha3_256(h, "device-1", 8), 0);
	ck_assert_mem_eq(id, h, E4_ID_LEN);
	ck_assert_int_eq(e4_id_from_alias(id, NULL), E4_ERR_INVALID_ARG);
	ck_assert_int_eq(e4_hash16(NULL, "x", 1), E4_ERR_INVALID_ARG);
	ck_assert_int_eq(e4_hash16(id, NULL, 1), E4_ERR_INVALID_ARG);
	ck_assert_int_eq(e4_sha3_256(h, NULL, 0), 0);
}
END_TEST

START_TEST(topic_length_is_bounded_by_topic_max)
{
	char *topic = malloc(E4_TOPIC_MAX + 2);
	uint8_t hash[E4_HASH_LEN];

	ck_assert_ptr_nonnull(topic);
	memset(topic, 'a', E4_TOPIC_MAX);
	topic[E4_TOPIC_MAX] = '\0';
	ck_assert_int_eq(e4_topic_hash(hash, topic), 0);
	topic[E4_TOPIC_MAX] = 'a';
	topic[E4_TOPIC_MAX + 1] = '\0';
	ck_assert_int_eq(e4_topic_hash(hash, topic), E4_ERR_TOPIC_LENGTH);
	ck_assert_int_eq(e4_topic_hash(hash, ""), E4_ERR_TOPIC_LENGTH);
	ck_assert_int_eq(e4_topic_hash(hash, NULL), E4_ERR_INVALID_ARG);
	free(topic);
}
END_TEST

START_TEST(check_time_accepts_exactly_the_window)
{
	const uint64_t now = 1000000;

	ck_assert_int_eq(e4_check_time(now, now, 600, 60), 0);
	ck_assert_int_eq(e4_check_time(now - 600, now, 600, 60), 0);
	ck_assert_int_eq(e4_check_time(now - 601, now, 600, 60), E4_ERR_TOO_OLD);
	ck_assert_int_eq(e4_check_time(now + 60, now, 600, 60), 0);
	ck_assert_int_eq(e4_check_time(now + 61, now, 600, 60), E4_ERR_IN_FUTURE);
	ck_assert_int_eq(e4_check_time(0, 10, 600, 60), 0);
	ck_assert_int_eq(e4_check_time(UINT64_MAX, 10, 600, 60), E4_ERR_IN_FUTURE);
}
END_TEST

/* Expected argument lengths per mode (symkey, pubkey) for codes 0..11. */
static const int args_len[12][2] = {
	{ 16, 16 }, { 0, 0 }, { 32, 64 }, { 48, 48 }, { 16, 16 },
	{ 0, 0 }, { 48, 48 }, { 32, 32 }, { 48, 48 }, { 0, 0 },
	{ 48, 48 }, { 0, 0 },
};

START_TEST(command_args_len_matches_the_protocol)
{
	int code;

	ck_assert_int_eq(E4_CMD_LAST + 1, 12);
	for (code = 0; code < 12; code++) {
		ck_assert_int_eq(e4_command_args_len(E4_MODE_SYMKEY, (uint8_t)code), args_len[code][0]);
		ck_assert_int_eq(e4_command_args_len(E4_MODE_PUBKEY, (uint8_t)code), args_len[code][1]);
	}
	for (code = 12; code < 256; code++)
		ck_assert_int_eq(e4_command_args_len(E4_MODE_SYMKEY, (uint8_t)code),
		                 E4_ERR_UNKNOWN_COMMAND);
	ck_assert_int_eq(e4_command_args_len(3, 0), E4_ERR_INVALID_ARG);
}
END_TEST

START_TEST(command_build_checks_lengths_and_size)
{
	uint8_t args[64], out[80];
	size_t len = 99;
	int code;

	fx_bytes(args, sizeof(args), 5);
	for (code = 0; code < 10; code++) {
		size_t want = (size_t)args_len[code][0];

		ck_assert_int_eq(e4_command_build(out, sizeof(out), &len, E4_MODE_SYMKEY,
		                                  (uint8_t)code, args, want), 0);
		ck_assert_uint_eq(len, want + 1);
		ck_assert_uint_eq(out[0], code);
		ck_assert_mem_eq(out + 1, args, want);
		ck_assert_int_eq(e4_command_build(out, sizeof(out), &len, E4_MODE_SYMKEY,
		                                  (uint8_t)code, args, want + 1), E4_ERR_COMMAND_LENGTH);
		ck_assert_uint_eq(len, 0);
		ck_assert_int_eq(e4_command_build(out, want, &len, E4_MODE_SYMKEY, (uint8_t)code,
		                                  args, want), E4_ERR_BUFSIZE);
		ck_assert_uint_eq(len, want + 1);
	}
	fx_fill(out, sizeof(out));
	ck_assert_int_eq(e4_command_build(out, sizeof(out), &len, E4_MODE_SYMKEY, 0x42, NULL, 0),
	                 E4_ERR_UNKNOWN_COMMAND);
	ck_assert_wiped(out, sizeof(out));
	fx_fill(out, sizeof(out));
	ck_assert_int_eq(e4_command_build(out, sizeof(out), &len, E4_MODE_SYMKEY, 0, NULL, 16),
	                 E4_ERR_COMMAND_LENGTH);
	ck_assert_wiped(out, sizeof(out));
}
END_TEST

START_TEST(frame_timestamp_checks_the_mode_minimum)
{
	uint8_t frame[E4_PK_OVERHEAD] = { 0x10, 0x20 };
	uint64_t ts = 0;

	ck_assert_int_eq(e4_frame_timestamp(frame, E4_HEADER_LEN, E4_MODE_SYMKEY, &ts), 0);
	ck_assert_uint_eq(ts, 0x2010);
	ck_assert_int_eq(e4_frame_timestamp(frame, E4_HEADER_LEN - 1, E4_MODE_SYMKEY, &ts),
	                 E4_ERR_TOO_SHORT);
	ck_assert_int_eq(e4_frame_timestamp(frame, E4_PK_OVERHEAD - 1, E4_MODE_PUBKEY, &ts),
	                 E4_ERR_TOO_SHORT);
	ck_assert_int_eq(e4_frame_timestamp(frame, E4_PK_OVERHEAD, E4_MODE_PUBKEY, &ts), 0);
	ck_assert_int_eq(e4_frame_timestamp(frame, E4_PK_OVERHEAD, 7, &ts), E4_ERR_INVALID_ARG);
	ck_assert_int_eq(e4_frame_timestamp(NULL, 30, E4_MODE_SYMKEY, &ts), E4_ERR_INVALID_ARG);
}
END_TEST

START_TEST(memcmp_ct_and_wipe_behave)
{
	uint8_t a[33], b[33];

	fx_bytes(a, sizeof(a), 1);
	memcpy(b, a, sizeof(b));
	ck_assert_int_eq(e4_memcmp_ct(a, b, sizeof(a)), 0);
	b[32] ^= 0x80;
	ck_assert_int_ne(e4_memcmp_ct(a, b, sizeof(a)), 0);
	ck_assert_int_eq(e4_memcmp_ct(a, b, 32), 0);
	e4_wipe(a, sizeof(a));
	ck_assert_wiped(a, sizeof(a));
}
END_TEST

START_TEST(protected_len_macros_match_the_layouts)
{
	ck_assert_uint_eq(E4_PROTECTED_LEN(0), 24);
	ck_assert_uint_eq(E4_PK_PROTECTED_LEN(0), 104);
	ck_assert_uint_eq(E4_ACK_FRAME_LEN, 42);
	ck_assert_uint_eq(E4_PK_HEADER_LEN, 40);
}
END_TEST

Suite *suite_wire(void)
{
	Suite *s = suite_create("wire/hash");
	TCase *tc = tcase_create("encoding");

	tcase_add_test(tc, hex_round_trips_every_byte_value);
	tcase_add_test(tc, hex_decode_refuses_bad_input_and_wipes);
	tcase_add_test(tc, le64_is_little_endian);
	tcase_add_test(tc, control_topic_is_e4_slash_lowercase_hex_id);
	tcase_add_test(tc, id_from_alias_is_sha3_prefix);
	tcase_add_test(tc, topic_length_is_bounded_by_topic_max);
	tcase_add_test(tc, check_time_accepts_exactly_the_window);
	tcase_add_test(tc, command_args_len_matches_the_protocol);
	tcase_add_test(tc, command_build_checks_lengths_and_size);
	tcase_add_test(tc, frame_timestamp_checks_the_mode_minimum);
	tcase_add_test(tc, memcmp_ct_and_wipe_behave);
	tcase_add_test(tc, protected_len_macros_match_the_layouts);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, vectors_tcase_hashes());
	return s;
}
