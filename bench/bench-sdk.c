/*
 * bench-sdk.c - SDK speed against baselines measured in the same run.
 *
 * Baseline (a): OpenSSL 3's own EVP AES-256-SIV with the same key and
 * associated data, as a caller would use it (one key setup per message).
 * Baseline (b): the per-byte ceiling, AES-256-CMAC over the same bytes
 * plus AES-256-CTR, with both keys already scheduled.
 * Prints a table and "metric: NAME VALUE" lines.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "e4/e4.h"

#define MAXMSG 4096
#define TOPIC "bench/topic"

static uint8_t key[32], key64[64], msg[MAXMSG], frame[MAXMSG + E4_PK_OVERHEAD];
static uint8_t out[MAXMSG + E4_PK_OVERHEAD];
static volatile uint64_t sink;

/* Seconds on the monotonic clock. */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Fixed clock for the client: every frame is fresh. */
static int fixed_clock(void *ctx, uint64_t *now)
{
	(void)ctx;
	*now = 1764000000u;
	return 0;
}

typedef void (*op_fn)(size_t n);

static struct e4_client client;
static struct e4_topic_slot topics[16];
static size_t frame_len;

static void op_protect(size_t n)
{
	size_t len;

	if (e4_protect(&client, out, sizeof(out), &len, TOPIC, msg, n) != 0)
		abort();
	sink += out[len - 1];
}

static void op_unprotect(size_t n)
{
	size_t len;

	(void)n;
	if (e4_unprotect(&client, out, sizeof(out), &len, TOPIC, frame, frame_len, NULL) != 0)
		abort();
	sink += len;
}

static EVP_CIPHER *siv_alg;

/* Baseline (a): OpenSSL's AES-256-SIV, keyed per message. */
static void op_openssl_siv(size_t n)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t ad[8] = { 0 }, tag[16];
	int len;

	if (EVP_EncryptInit_ex2(ctx, siv_alg, key64, NULL, NULL) != 1 ||
	    EVP_EncryptUpdate(ctx, NULL, &len, ad, 8) != 1 ||
	    EVP_EncryptUpdate(ctx, out + 24, &len, msg, (int)n) != 1 ||
	    EVP_EncryptFinal_ex(ctx, out, &len) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag) != 1)
		abort();
	EVP_CIPHER_CTX_free(ctx);
	sink += tag[0];
}

static EVP_MAC_CTX *cmac;
static EVP_CIPHER_CTX *ctr;

/* Baseline (b): CMAC over the bytes plus CTR, keys already scheduled. */
static void op_ceiling(size_t n)
{
	uint8_t iv[16] = { 0 }, tag[16];
	size_t tl;
	int len;

	if (EVP_MAC_init(cmac, NULL, 0, NULL) != 1 || EVP_MAC_update(cmac, msg, n) != 1 ||
	    EVP_MAC_final(cmac, tag, &tl, 16) != 1 ||
	    EVP_EncryptInit_ex2(ctr, NULL, NULL, iv, NULL) != 1 ||
	    EVP_EncryptUpdate(ctr, out, &len, msg, (int)n) != 1)
		abort();
	sink += tag[0];
}

/* Messages per second of op at size n, over about `secs` seconds. */
static double rate(op_fn op, size_t n, double secs)
{
	double t0 = now_s(), t;
	long iters = 0, batch = 16;
	int i;

	do {
		for (i = 0; i < batch; i++)
			op(n);
		iters += batch;
		t = now_s() - t0;
	} while (t < secs);
	return (double)iters / t;
}

#define SLICES 10

/*
 * Rates of k operations compared with one another: each runs in SLICES
 * short windows taken in turn (op 0, op 1, ..., op 0, ...) and keeps its
 * best window, so a slower or busier stretch of the machine falls on every
 * operation alike and the ratios hold even when the absolute rates wander.
 */
static void rates(const op_fn *ops, size_t k, size_t n, double secs, double *best)
{
	size_t s, j;
	double r;

	for (j = 0; j < k; j++)
		best[j] = 0;
	for (s = 0; s < SLICES; s++)
		for (j = 0; j < k; j++) {
			r = rate(ops[j], n, secs / SLICES);
			if (r > best[j])
				best[j] = r;
		}
}

static void setup(void)
{
	struct e4_client_config cfg;
	uint8_t id[16] = { 1 };
	OSSL_PARAM params[2];
	char cipher[] = "AES-256-CBC";
	size_t i;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 7 + 1);
	memcpy(key64, key, 32);
	memcpy(key64 + 32, key, 32);
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	e4_client_config_default(&cfg);
	cfg.clock = fixed_clock;
	cfg.topics = topics;
	cfg.topics_cap = 16;
	if (e4_client_init(&client, &cfg, id, key, 32) != 0 ||
	    e4_client_set_topic_key(&client, TOPIC, key) != 0)
		abort();
	siv_alg = EVP_CIPHER_fetch(NULL, "AES-256-SIV", NULL);
	cmac = EVP_MAC_CTX_new(EVP_MAC_fetch(NULL, "CMAC", NULL));
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, cipher, 0);
	params[1] = OSSL_PARAM_construct_end();
	ctr = EVP_CIPHER_CTX_new();
	if (siv_alg == NULL || cmac == NULL || EVP_MAC_init(cmac, key, 32, params) != 1 ||
	    EVP_EncryptInit_ex2(ctr, EVP_aes_256_ctr(), key, NULL, NULL) != 1)
		abort();
}

static struct e4_client pc;
static uint8_t pk_pub[32], pk_sk[64], pk_frame[64 + E4_PK_OVERHEAD];
static size_t pk_flen;

static void op_pk_protect(size_t n)
{
	size_t len;

	if (e4_protect(&pc, out, sizeof(out), &len, TOPIC, msg, n) != 0)
		abort();
	sink += out[len - 1];
}

static void op_pk_sign(size_t n)
{
	uint8_t sig[64];

	crypto_sign_detached(sig, NULL, msg, n + 40, pk_sk);
	sink += sig[0];
}

static void op_pk_unprotect(size_t n)
{
	size_t len;

	(void)n;
	if (e4_unprotect(&pc, out, sizeof(out), &len, TOPIC, pk_frame, pk_flen, NULL) != 0)
		abort();
	sink += len;
}

static void op_pk_verify(size_t n)
{
	(void)n;
	if (crypto_sign_verify_detached(pk_frame + pk_flen - 64, pk_frame, pk_flen - 64,
	                                pk_pub) != 0)
		abort();
}

/* Pubkey mode: sign+encrypt and verify+decrypt against raw Ed25519, interleaved. */
static void bench_pubkey(double secs)
{
	static struct e4_topic_slot pt[4];
	static const op_fn ops[] = { op_pk_protect, op_pk_sign, op_pk_unprotect, op_pk_verify };
	struct e4_client_config cfg;
	uint8_t id[16] = { 2 };
	double r[4];

	if (sodium_init() < 0 || e4_ed25519_keypair(pk_pub, pk_sk) != 0)
		abort();
	e4_client_config_default(&cfg);
	cfg.mode = E4_MODE_PUBKEY;
	cfg.clock = fixed_clock;
	cfg.topics = pt;
	cfg.topics_cap = 4;
	if (e4_client_init(&pc, &cfg, id, pk_sk, 64) != 0 ||
	    e4_client_set_topic_key(&pc, TOPIC, key) != 0 ||
	    e4_protect(&pc, pk_frame, sizeof(pk_frame), &pk_flen, TOPIC, msg, 64) != 0)
		abort();
	rates(ops, 4, 64, 4 * secs, r);
	printf("\npubkey mode, 64-byte messages (msgs/s, best of %d interleaved windows)\n", SLICES);
	printf("  sign+encrypt %10.0f   raw ed25519 sign   %10.0f   ratio %.3f\n", r[0], r[1], r[0] / r[1]);
	printf("  verify+decrypt %8.0f   raw ed25519 verify %10.0f   ratio %.3f\n", r[2], r[3], r[2] / r[3]);
	printf("metric: pubkey_protect_msgs_per_s %.0f\n", r[0]);
	printf("metric: pubkey_protect_vs_sign %.3f\n", r[0] / r[1]);
	printf("metric: pubkey_unprotect_msgs_per_s %.0f\n", r[2]);
	printf("metric: pubkey_unprotect_vs_verify %.3f\n", r[2] / r[3]);
	e4_client_wipe(&pc);
	sodium_memzero(pk_sk, sizeof(pk_sk));
}

/*
 * "--ops OP N SIZE" (OP: protect, unprotect, siv = baseline a, ceiling =
 * baseline b): runs exactly N operations (for callgrind, which counts
 * instructions: the difference between two N gives the cost of one).
 */
static int run_ops(const char *op, long n, size_t size)
{
	op_fn fn;
	long i;

	if (e4_protect(&client, frame, sizeof(frame), &frame_len, TOPIC, msg, size) != 0)
		return 1;
	fn = strcmp(op, "protect") == 0 ? op_protect
	         : strcmp(op, "siv") == 0     ? op_openssl_siv
	         : strcmp(op, "ceiling") == 0 ? op_ceiling
	                                      : op_unprotect;

	for (i = 0; i < n; i++)
		fn(size);
	e4_client_wipe(&client);
	return 0;
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 16, 64, 256, 1024, 4096 };
	static const op_fn ops[] = { op_protect, op_unprotect, op_openssl_siv, op_ceiling };
	double secs = argc > 1 ? atof(argv[1]) : 0.3;
	size_t i;

	setup();
	if (argc == 5 && strcmp(argv[1], "--ops") == 0)
		return run_ops(argv[2], atol(argv[3]), (size_t)atol(argv[4]));
	printf("symkey mode (msgs/s, best of %d interleaved windows; a = OpenSSL AES-256-SIV keyed per"
	       " message, b = CMAC+CTR ceiling)\n", SLICES);
	printf("%6s %12s %12s %12s %12s %9s %9s %9s %9s\n", "bytes", "protect", "unprotect",
	       "base a", "base b", "prot/a", "unp/a", "prot/b", "unp/b");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];
		double p, u, a, b, r[4];

		if (e4_protect(&client, frame, sizeof(frame), &frame_len, TOPIC, msg, n) != 0)
			abort();
		/* The replay cache is off here: the same frame is opened repeatedly. */
		rates(ops, 4, n, 4 * secs, r);
		p = r[0];
		u = r[1];
		a = r[2];
		b = r[3];
		printf("%6zu %12.0f %12.0f %12.0f %12.0f %9.2f %9.2f %9.2f %9.2f\n", n, p, u, a, b,
		       p / a, u / a, p / b, u / b);
		printf("metric: protect_%zu_msgs_per_s %.0f\n", n, p);
		printf("metric: unprotect_%zu_msgs_per_s %.0f\n", n, u);
		printf("metric: protect_%zu_vs_openssl_siv %.3f\n", n, p / a);
		printf("metric: unprotect_%zu_vs_openssl_siv %.3f\n", n, u / a);
		printf("metric: protect_%zu_vs_ceiling %.3f\n", n, p / b);
		printf("metric: unprotect_%zu_vs_ceiling %.3f\n", n, u / b);
	}
	bench_pubkey(secs);
	printf("\nfootprint\n");
	printf("metric: sizeof_client_bytes %zu\n", sizeof(struct e4_client));
	printf("metric: bytes_per_topic %zu\n", sizeof(struct e4_topic_slot));
	printf("metric: client_with_16_topics_bytes %zu\n",
	       sizeof(struct e4_client) + 16 * sizeof(struct e4_topic_slot));
	e4_client_wipe(&client);
	return sink == 42 ? 1 : 0;
}
