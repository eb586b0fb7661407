/*
 * helpers.c - fixtures and assertions shared by the SDK's Check suites.
 */
#define _DEFAULT_SOURCE 1
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

/* The fixture's clock: reports f->now unless told to fail. */
static int fx_clock(void *ctx, uint64_t *now)
{
	const struct fixture *f = ctx;

	if (f->clock_fails)
		return -1;
	*now = f->now;
	return 0;
}

/* Fills f->cfg for the mode and options. */
static void fx_config(struct fixture *f, enum e4_mode mode, uint64_t now, unsigned opts)
{
	memset(f, 0, sizeof(*f));
	e4_client_config_default(&f->cfg);
	f->cfg.mode = mode;
	f->now = now;
	if (!(opts & FX_CLOCKLESS)) {
		f->cfg.clock = fx_clock;
		f->cfg.clock_ctx = f;
	}
	f->cfg.topics = f->topics;
	f->cfg.topics_cap = FX_TOPICS;
	if (!(opts & FX_NO_REPLAY)) {
		f->cfg.replay = f->replay;
		f->cfg.replay_cap = FX_REPLAY;
	}
	if (mode == E4_MODE_PUBKEY) {
		f->cfg.pubkeys = f->pubkeys;
		f->cfg.pubkeys_cap = FX_PUBKEYS;
	}
	if (opts & FX_STORE) {
		e4_store_memory_init(&f->store, &f->mem, f->mem_buf, sizeof(f->mem_buf));
		f->cfg.store = &f->store;
		f->cfg.store_buf = f->store_buf;
		f->cfg.store_buf_cap = sizeof(f->store_buf);
	}
}

void fx_init(struct fixture *f, const uint8_t id[E4_ID_LEN], const uint8_t key[E4_KEY_LEN],
             uint64_t now, unsigned opts)
{
	fx_config(f, E4_MODE_SYMKEY, now, opts);
	ck_assert_int_eq(e4_client_init(&f->c, &f->cfg, id, key, E4_KEY_LEN), 0);
}

void fx_init_pk(struct fixture *f, const uint8_t id[E4_ID_LEN],
                const uint8_t sk[E4_ED25519_SK_LEN], const uint8_t *c2_pub, uint64_t now,
                unsigned opts)
{
	fx_config(f, E4_MODE_PUBKEY, now, opts);
	ck_assert_int_eq(e4_client_init(&f->c, &f->cfg, id, sk, E4_ED25519_SK_LEN), 0);
	if (c2_pub != NULL)
		ck_assert_int_eq(e4_client_set_c2_key(&f->c, c2_pub), 0);
}

void fx_bytes(uint8_t *out, size_t n, unsigned label)
{
	uint32_t x = 0x9e3779b9u ^ (label * 0x85ebca6bu);
	size_t i;

	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		out[i] = (uint8_t)(x >> 24);
	}
}

void fx_hex(uint8_t *out, size_t n, const char *hex)
{
	ck_assert_int_eq(e4_hex_decode(out, n, hex), 0);
}

void fx_fill(uint8_t *buf, size_t n)
{
	memset(buf, 0xAA, n);
}

int fx_all_zero(const uint8_t *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (buf[i] != 0)
			return 0;
	return 1;
}

void fx_cmd_seal(uint8_t *frame, size_t cap, size_t *len, const uint8_t key[E4_KEY_LEN],
                 uint64_t ts, uint8_t code, const uint8_t *args, size_t args_len)
{
	uint8_t plain[256];

	ck_assert_uint_lt(args_len, sizeof(plain));
	plain[0] = code;
	if (args_len > 0)
		memcpy(plain + 1, args, args_len);
	ck_assert_int_eq(e4_frame_seal(frame, cap, len, key, ts, plain, args_len + 1), 0);
}

int fx_command(struct fixture *f, const uint8_t *frame, size_t len, struct e4_recv_info *info)
{
	uint8_t out[128];
	size_t out_len = 99;
	int err;

	fx_fill(out, sizeof(out));
	err = e4_unprotect(&f->c, out, sizeof(out), &out_len, e4_client_control_topic(&f->c),
	                   frame, len, info);
	ck_assert_uint_eq(out_len, 0);
	if (err != 0) {
		ck_assert_wiped(out, sizeof(out));
	} else {
		size_t i;

		for (i = 0; i < sizeof(out); i++)
			ck_assert_uint_eq(out[i], 0xAA);
	}
	return err;
}

int fx_send(struct fixture *f, const uint8_t key[E4_KEY_LEN], uint64_t ts, uint8_t code,
            const uint8_t *args, size_t args_len)
{
	uint8_t frame[E4_PROTECTED_LEN(256)];
	size_t len;

	fx_cmd_seal(frame, sizeof(frame), &len, key, ts, code, args, args_len);
	return fx_command(f, frame, len, NULL);
}

void fx_check_ack(struct fixture *f, const uint8_t key[E4_KEY_LEN], const uint8_t *frame,
                  size_t frame_len, uint8_t status)
{
	uint8_t ack[64], digest[16], want[16], st = 0xff;
	size_t ack_len = 0;
	uint64_t ts = 0;

	ck_assert_int_eq(e4_client_ack(&f->c, ack, sizeof(ack), &ack_len), 0);
	ck_assert_uint_eq(ack_len, E4_ACK_FRAME_LEN);
	ck_assert_int_eq(e4_ack_open(key, ack, ack_len, digest, &st, &ts), 0);
	ck_assert_int_eq(e4_command_digest(want, frame, frame_len), 0);
	ck_assert_mem_eq(digest, want, 16);
	ck_assert_uint_eq(st, status);
	/* Reading the ack clears it. */
	ck_assert_int_eq(e4_client_ack(&f->c, ack, sizeof(ack), &ack_len), E4_ERR_NOT_FOUND);
}

int fx_protected_with(struct fixture *f, const char *topic, const uint8_t key[E4_KEY_LEN])
{
	static const uint8_t msg[] = "which key protects this?";
	uint8_t frame[E4_PK_PROTECTED_LEN(sizeof(msg))], out[sizeof(msg)];
	size_t len = 0, out_len = 0;
	int err;

	err = e4_protect(&f->c, frame, sizeof(frame), &len, topic, msg, sizeof(msg));
	if (err != 0)
		return err;
	if (f->c.mode == E4_MODE_PUBKEY)
		err = e4_pk_frame_open(out, sizeof(out), &out_len, key, NULL, NULL, frame, len);
	else
		err = e4_frame_open(out, sizeof(out), &out_len, key, NULL, frame, len);
	if (err == 0)
		ck_assert_mem_eq(out, msg, sizeof(msg));
	return err;
}

int fx_unprotect(struct fixture *f, uint8_t *out, size_t cap, size_t *out_len,
                 const char *topic, const uint8_t *frame, size_t frame_len)
{
	int err;

	fx_fill(out, cap);
	*out_len = 12345;
	err = e4_unprotect(&f->c, out, cap, out_len, topic, frame, frame_len, NULL);
	if (err != 0 && err != E4_ERR_BUFSIZE) {
		ck_assert_uint_eq(*out_len, 0);
		ck_assert_wiped(out, cap);
	}
	return err;
}

void fx_check_reload(struct fixture *f)
{
	static uint8_t a[FX_BLOB_CAP], b[FX_BLOB_CAP];
	struct fixture *g = calloc(1, sizeof(*g));
	size_t alen = 0, blen = 0;

	ck_assert_ptr_nonnull(g);
	fx_config(g, f->cfg.mode, f->now, FX_STORE | (f->cfg.clock == NULL ? FX_CLOCKLESS : 0));
	memcpy(g->mem_buf, f->mem_buf, f->mem.len);
	g->mem.len = f->mem.len;
	ck_assert_int_eq(e4_client_load(&g->c, &g->cfg), 0);
	ck_assert_int_eq(e4_client_serialize(&f->c, a, sizeof(a), &alen), 0);
	ck_assert_int_eq(e4_client_serialize(&g->c, b, sizeof(b), &blen), 0);
	ck_assert_uint_eq(alen, blen);
	ck_assert_mem_eq(a, b, alen);
	e4_client_wipe(&g->c);
	free(g);
}

void fx_scratch(char *dir, size_t cap)
{
	const char *base = getenv("E4_TEST_SCRATCH");

	if (base == NULL)
		base = "tests/scratch";
	(void)mkdir("tests", 0755);
	(void)mkdir(base, 0700);
	ck_assert_int_lt(snprintf(dir, cap, "%s/sdk.XXXXXX", base), (int)cap);
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

void fx_scratch_remove(const char *dir)
{
	char path[512];
	struct dirent *e;
	DIR *d = opendir(dir);

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		(void)unlink(path);
	}
	closedir(d);
	ck_assert_int_eq(rmdir(dir), 0);
}

int run_suites(Suite *const *suites, size_t n)
{
	SRunner *sr;
	size_t i;
	int failed;

	sr = srunner_create(suites[0]);
	for (i = 1; i < n; i++)
		srunner_add_suite(sr, suites[i]);
	srunner_run_all(sr, CK_ENV); /* CK_VERBOSITY=verbose lists every test */
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
