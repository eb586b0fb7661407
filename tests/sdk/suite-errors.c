/*
 * suite-errors.c - every E4_ERR_* code of e4/errors.h is produced by a
 * real call, and e4_strerror() names each one.
 */
#define _DEFAULT_SOURCE 1
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define E4__ALLOW_HEAP 1
#include "helpers.h"
#include "internal.h"

static const uint8_t key_a[E4_KEY_LEN] = { 1, 2, 3, 4 };
static const uint8_t key_b[E4_KEY_LEN] = { 9, 8, 7, 6 };
static const uint8_t dev_id[E4_ID_LEN] = { 0xd1 };
#define T0 1700000000ull

/* Seals "msg" at ts with key_a. */
static size_t seal_msg(uint8_t *frame, size_t cap, uint64_t ts)
{
	size_t len = 0;

	ck_assert_int_eq(e4_frame_seal(frame, cap, &len, key_a, ts, (const uint8_t *)"msg", 3), 0);
	return len;
}

/* Unprotects a message sealed at ts with the client's clock at now. */
static int unprotect_at(uint64_t now, uint64_t ts, int twice)
{
	uint8_t frame[64], out[64];
	size_t len, out_len;
	struct fixture f;
	int err;

	fx_init(&f, dev_id, key_b, now, 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "t", key_a), 0);
	len = seal_msg(frame, sizeof(frame), ts);
	err = fx_unprotect(&f, out, sizeof(out), &out_len, "t", frame, len);
	if (twice && err == 0)
		err = fx_unprotect(&f, out, sizeof(out), &out_len, "t", frame, len);
	e4_client_wipe(&f.c);
	return err;
}

static int make_invalid_arg(void)
{
	uint8_t out[64];
	size_t len;

	return e4_frame_seal(out, sizeof(out), &len, NULL, 1, (const uint8_t *)"x", 1);
}

static int make_bufsize(void)
{
	uint8_t out[64];
	size_t len = 0;
	int err = e4_frame_seal(out, 10, &len, key_a, 1, (const uint8_t *)"abc", 3);

	ck_assert_uint_eq(len, E4_PROTECTED_LEN(3));
	return err;
}

static int make_too_short(void)
{
	uint8_t frame[E4_HEADER_LEN - 1] = { 0 }, out[8];
	size_t len;

	return e4_frame_open(out, sizeof(out), &len, key_a, NULL, frame, sizeof(frame));
}

static int make_auth(void)
{
	uint8_t frame[64], out[64];
	size_t len = seal_msg(frame, sizeof(frame), 5), out_len;

	return e4_frame_open(out, sizeof(out), &out_len, key_b, NULL, frame, len);
}

static int make_too_old(void)
{
	return unprotect_at(T0, T0 - E4_DEFAULT_MAX_AGE - 1, 0);
}

static int make_in_future(void)
{
	return unprotect_at(T0, T0 + E4_DEFAULT_MAX_SKEW + 1, 0);
}

static int make_replay(void)
{
	return unprotect_at(T0, T0, 1);
}

static int make_no_topic_key(void)
{
	uint8_t out[64];
	size_t len;
	struct fixture f;
	int err;

	fx_init(&f, dev_id, key_b, T0, 0);
	err = e4_protect(&f.c, out, sizeof(out), &len, "nokey", (const uint8_t *)"x", 1);
	e4_client_wipe(&f.c);
	return err;
}

static int make_table_full(void)
{
	struct fixture f;
	char topic[16];
	int i, err = 0;

	fx_init(&f, dev_id, key_b, T0, 0);
	for (i = 0; i <= FX_TOPICS && err == 0; i++) {
		snprintf(topic, sizeof(topic), "t/%d", i);
		err = e4_client_set_topic_key(&f.c, topic, key_a);
	}
	ck_assert_int_eq(i, FX_TOPICS + 1);
	e4_client_wipe(&f.c);
	return err;
}

/* Sends one command (or a burst of n equal-timestamp ones) to a fresh client. */
static int command_err(uint8_t code, const uint8_t *args, size_t args_len)
{
	struct fixture f;
	int err;

	fx_init(&f, dev_id, key_b, T0, 0);
	err = fx_send(&f, key_b, T0, code, args, args_len);
	e4_client_wipe(&f.c);
	return err;
}

static int make_unknown_command(void)
{
	return command_err(E4_CMD_LAST + 1, NULL, 0);
}

static int make_command_length(void)
{
	return command_err(E4_CMD_RESET_TOPICS, key_a, 1);
}

static int make_command_stale(void)
{
	struct fixture f;
	int err;

	fx_init(&f, dev_id, key_b, T0, 0);
	ck_assert_int_eq(fx_send(&f, key_b, T0, E4_CMD_HEARTBEAT, NULL, 0), 0);
	err = fx_send(&f, key_b, T0 - 1, E4_CMD_RESET_TOPICS, NULL, 0);
	e4_client_wipe(&f.c);
	return err;
}

static int make_command_replay(void)
{
	uint8_t frame[64];
	size_t len;
	struct fixture f;
	int err;

	fx_init(&f, dev_id, key_b, T0, 0);
	fx_cmd_seal(frame, sizeof(frame), &len, key_b, T0, E4_CMD_HEARTBEAT, NULL, 0);
	ck_assert_int_eq(fx_command(&f, frame, len, NULL), 0);
	err = fx_command(&f, frame, len, NULL);
	e4_client_wipe(&f.c);
	return err;
}

static int make_command_burst(void)
{
	uint8_t hash[E4_HASH_LEN];
	struct fixture f;
	int i, err = 0;

	fx_init(&f, dev_id, key_b, T0, 0);
	for (i = 0; i <= E4_COMMAND_HISTORY && err == 0; i++) {
		memset(hash, i, sizeof(hash));
		err = fx_send(&f, key_b, T0, E4_CMD_REMOVE_TOPIC, hash, sizeof(hash));
	}
	ck_assert_int_eq(i, E4_COMMAND_HISTORY + 1);
	e4_client_wipe(&f.c);
	return err;
}

static int make_crypto(void)
{
	struct e4_keyed k;
	uint8_t key24[24] = { 0 };

	/* The backend refuses an AES key length it does not support. */
	return e4__keyed_init2(&k, key24, key24, sizeof(key24));
}

static int make_store_io(void)
{
	struct fixture f;
	uint8_t small[16];
	int err;

	fx_init(&f, dev_id, key_b, T0, FX_STORE);
	e4_store_memory_init(&f.store, &f.mem, small, sizeof(small));
	err = e4_client_save(&f.c);
	e4_client_wipe(&f.c);
	return err;
}

static int make_store_format(void)
{
	uint8_t blob[FX_BLOB_CAP];
	size_t len = 0;
	struct fixture f;
	int err;

	fx_init(&f, dev_id, key_b, T0, 0);
	ck_assert_int_eq(e4_client_serialize(&f.c, blob, sizeof(blob), &len), 0);
	blob[len / 2] ^= 1;
	err = e4_client_deserialize(&f.c, &f.cfg, blob, len);
	e4_client_wipe(&f.c);
	return err;
}

static int make_store_perms(void)
{
	char dir[256], path[300];
	struct e4_store store;
	struct e4_store_file file;
	uint8_t buf[64];
	size_t len;
	int fd, err;

	fx_scratch(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/state", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fchmod(fd, 0644), 0);
	close(fd);
	e4_store_file_init(&store, &file, path);
	err = store.load(store.ctx, buf, sizeof(buf), &len);
	fx_scratch_remove(dir);
	return err;
}

static int make_not_found(void)
{
	uint8_t out[64];
	size_t len;
	struct fixture f;
	int err;

	fx_init(&f, dev_id, key_b, T0, 0);
	err = e4_client_ack(&f.c, out, sizeof(out), &len);
	e4_client_wipe(&f.c);
	return err;
}

static int make_wrong_mode(void)
{
	uint8_t pub[E4_CURVE_PK_LEN] = { 9 };
	struct fixture f;
	int err;

	fx_init(&f, dev_id, key_b, T0, 0);
	err = e4_client_set_c2_key(&f.c, pub);
	e4_client_wipe(&f.c);
	return err;
}

/* A pubkey-mode fixture with a random signing key. */
static void pk_fixture(struct fixture *f, uint8_t sk[64], uint8_t pub[32])
{
	ck_assert_int_eq(e4_ed25519_keypair(pub, sk), 0);
	fx_init_pk(f, dev_id, sk, NULL, T0, 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f->c, "t", key_a), 0);
}

static int make_unknown_sender(void)
{
	uint8_t sk[64], pub[32], frame[E4_PK_PROTECTED_LEN(3)], out[8], other[E4_ID_LEN] = { 7 };
	size_t len, out_len;
	struct fixture f;
	int err;

	pk_fixture(&f, sk, pub);
	ck_assert_int_eq(e4_pk_frame_seal(frame, sizeof(frame), &len, key_a, sk, other, T0,
	                                  (const uint8_t *)"abc", 3), 0);
	err = fx_unprotect(&f, out, sizeof(out), &out_len, "t", frame, len);
	e4_client_wipe(&f.c);
	return err;
}

static int make_bad_signature(void)
{
	uint8_t sk[64], pub[32], frame[E4_PK_PROTECTED_LEN(3)];
	size_t len;

	ck_assert_int_eq(e4_ed25519_keypair(pub, sk), 0);
	ck_assert_int_eq(e4_pk_frame_seal(frame, sizeof(frame), &len, key_a, sk, dev_id, T0,
	                                  (const uint8_t *)"abc", 3), 0);
	frame[len - 1] ^= 0x40;
	return e4_pk_frame_verify(frame, len, pub);
}

static int make_no_c2_key(void)
{
	uint8_t sk[64], pub[32];
	struct fixture f;
	int err;

	pk_fixture(&f, sk, pub);
	err = fx_send(&f, key_b, T0, E4_CMD_HEARTBEAT, NULL, 0);
	e4_client_wipe(&f.c);
	return err;
}

static int make_not_initialised(void)
{
	struct e4_client c;
	uint8_t out[64];
	size_t len;

	memset(&c, 0, sizeof(c));
	return e4_protect(&c, out, sizeof(out), &len, "t", (const uint8_t *)"x", 1);
}

static int make_bad_ack(void)
{
	uint8_t plain[E4_ACK_PLAIN_LEN] = { 0x81 }, frame[E4_ACK_FRAME_LEN], digest[16], st;
	size_t len;

	ck_assert_int_eq(e4_frame_seal(frame, sizeof(frame), &len, key_a, T0, plain,
	                               sizeof(plain)), 0);
	return e4_ack_open(key_a, frame, len, digest, &st, NULL);
}

static int make_topic_length(void)
{
	uint8_t hash[E4_HASH_LEN];

	return e4_topic_hash(hash, "");
}

/* One row per error code: the call that produces it. */
static const struct {
	int code;
	int (*make)(void);
} producers[] = {
	{ E4_ERR_INVALID_ARG, make_invalid_arg },
	{ E4_ERR_BUFSIZE, make_bufsize },
	{ E4_ERR_TOO_SHORT, make_too_short },
	{ E4_ERR_AUTH, make_auth },
	{ E4_ERR_TOO_OLD, make_too_old },
	{ E4_ERR_IN_FUTURE, make_in_future },
	{ E4_ERR_REPLAY, make_replay },
	{ E4_ERR_NO_TOPIC_KEY, make_no_topic_key },
	{ E4_ERR_TABLE_FULL, make_table_full },
	{ E4_ERR_UNKNOWN_COMMAND, make_unknown_command },
	{ E4_ERR_COMMAND_LENGTH, make_command_length },
	{ E4_ERR_COMMAND_STALE, make_command_stale },
	{ E4_ERR_COMMAND_REPLAY, make_command_replay },
	{ E4_ERR_COMMAND_BURST, make_command_burst },
	{ E4_ERR_CRYPTO, make_crypto },
	{ E4_ERR_STORE_IO, make_store_io },
	{ E4_ERR_STORE_FORMAT, make_store_format },
	{ E4_ERR_STORE_PERMS, make_store_perms },
	{ E4_ERR_NOT_FOUND, make_not_found },
	{ E4_ERR_WRONG_MODE, make_wrong_mode },
	{ E4_ERR_UNKNOWN_SENDER, make_unknown_sender },
	{ E4_ERR_BAD_SIGNATURE, make_bad_signature },
	{ E4_ERR_NO_C2_KEY, make_no_c2_key },
	{ E4_ERR_NOT_INITIALISED, make_not_initialised },
	{ E4_ERR_BAD_ACK, make_bad_ack },
	{ E4_ERR_TOPIC_LENGTH, make_topic_length },
};
#define N_PRODUCERS (sizeof(producers) / sizeof(producers[0]))

START_TEST(every_error_code_has_a_producer_row)
{
	int code;

	/* The set of rows is exactly {E4_ERR_LAST .. -1}, each code once. */
	ck_assert_uint_eq(N_PRODUCERS, (size_t)-E4_ERR_LAST);
	for (code = -1; code >= E4_ERR_LAST; code--) {
		size_t i, n = 0;

		for (i = 0; i < N_PRODUCERS; i++)
			n += producers[i].code == code;
		ck_assert_msg(n == 1, "error %d has %zu producer rows", code, n);
	}
}
END_TEST

START_TEST(error_code_is_produced_by_a_real_call)
{
	ck_assert_int_eq(producers[_i].make(), producers[_i].code);
}
END_TEST

START_TEST(strerror_names_every_code_distinctly)
{
	int a, b;

	ck_assert_str_eq(e4_strerror(E4_OK), "success");
	for (a = -1; a >= E4_ERR_LAST; a--) {
		ck_assert_ptr_nonnull(e4_strerror(a));
		ck_assert_str_ne(e4_strerror(a), "unknown error");
		for (b = a - 1; b >= E4_ERR_LAST; b--)
			ck_assert_str_ne(e4_strerror(a), e4_strerror(b));
	}
	ck_assert_str_eq(e4_strerror(E4_ERR_LAST - 1), "unknown error");
	ck_assert_str_eq(e4_strerror(1), "unknown error");
}
END_TEST

Suite *suite_errors(void)
{
	Suite *s = suite_create("errors");
	TCase *tc = tcase_create("codes");

	tcase_add_test(tc, every_error_code_has_a_producer_row);
	tcase_add_loop_test(tc, error_code_is_produced_by_a_real_call, 0, (int)N_PRODUCERS);
	tcase_add_test(tc, strerror_names_every_code_distinctly);
	suite_add_tcase(s, tc);
	return s;
}
