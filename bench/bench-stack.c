/*
 * bench-stack.c - peak stack of e4_protect and e4_unprotect (symkey and
 * pubkey, 64 and 4096-byte messages), by stack painting: each operation
 * runs on a thread whose stack is caller memory filled with a pattern;
 * the deepest byte no longer holding the pattern is the peak.  The cost
 * of an empty thread is measured the same way and subtracted.  Everything
 * below the SDK (OpenSSL, libsodium, libc) is included.
 * Prints a table and "metric: NAME VALUE" lines.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "e4/e4.h"
#include "e4/wire.h"

#define STACK_SIZE (256 * 1024)
#define PAINT      0xA5
#define TOPIC      "bench/topic"
#define MAXMSG     4096

static uint8_t key[32], msg[MAXMSG], frame[MAXMSG + E4_PK_OVERHEAD], out[MAXMSG + E4_PK_OVERHEAD];
static size_t frame_len, msg_len;
static struct e4_client client;
static struct e4_topic_slot topics[16];

/* Fixed clock for the client: every frame is fresh. */
static int fixed_clock(void *ctx, uint64_t *now)
{
	(void)ctx;
	*now = 1764000000u;
	return 0;
}

/* Thread bodies: nothing, protect, unprotect. */
static void *op_none(void *arg)
{
	return arg;
}

static void *op_protect(void *arg)
{
	size_t len;

	if (e4_protect(&client, out, sizeof(out), &len, TOPIC, msg, msg_len) != 0)
		abort();
	return arg;
}

static void *op_unprotect(void *arg)
{
	size_t len;

	if (e4_unprotect(&client, out, sizeof(out), &len, TOPIC, frame, frame_len, NULL) != 0)
		abort();
	return arg;
}

/* Runs fn on a painted stack; returns the bytes of stack it touched. */
static size_t painted(void *(*fn)(void *))
{
	static uint8_t stack[STACK_SIZE] __attribute__((aligned(4096)));
	pthread_attr_t attr;
	pthread_t t;
	size_t i;

	memset(stack, PAINT, sizeof(stack));
	if (pthread_attr_init(&attr) != 0 || pthread_attr_setstack(&attr, stack, sizeof(stack)) != 0 ||
	    pthread_create(&t, &attr, fn, NULL) != 0 || pthread_join(t, NULL) != 0)
		abort();
	pthread_attr_destroy(&attr);
	/* The stack grows down: the first changed byte from the bottom is the peak. */
	for (i = 0; i < sizeof(stack) && stack[i] == PAINT; i++)
		;
	return sizeof(stack) - i;
}

/* Sets the client up in `mode` with a topic key and a frame to open. */
static void setup(enum e4_mode mode, size_t n)
{
	struct e4_client_config cfg;
	uint8_t id[16] = { 3 }, pk[32], sk[64];

	e4_client_config_default(&cfg);
	cfg.mode = mode;
	cfg.clock = fixed_clock;
	cfg.topics = topics;
	cfg.topics_cap = 16;
	if (mode == E4_MODE_PUBKEY) {
		if (e4_ed25519_keypair(pk, sk) != 0 || e4_client_init(&client, &cfg, id, sk, 64) != 0)
			abort();
	} else if (e4_client_init(&client, &cfg, id, key, 32) != 0) {
		abort();
	}
	if (e4_client_set_topic_key(&client, TOPIC, key) != 0)
		abort();
	msg_len = n;
	if (e4_protect(&client, frame, sizeof(frame), &frame_len, TOPIC, msg, n) != 0)
		abort();
}

int main(void)
{
	static const size_t sizes[] = { 64, 4096 };
	static const char *const names[] = { "symkey", "pubkey" };
	size_t base, p, u, i, m;

	if (sodium_init() < 0)
		abort();
	memset(key, 7, sizeof(key));
	memset(msg, 1, sizeof(msg));
	/* Warm up lazy initialisation (OpenSSL fetches, libsodium picks) first. */
	for (m = 0; m < 2; m++) {
		setup(m == 0 ? E4_MODE_SYMKEY : E4_MODE_PUBKEY, 64);
		op_protect(NULL);
		op_unprotect(NULL);
		e4_client_wipe(&client);
	}
	base = painted(op_none);
	printf("peak stack in bytes (thread start-up of %zu bytes subtracted)\n", base);
	printf("%-8s %6s %10s %10s\n", "mode", "bytes", "protect", "unprotect");
	for (m = 0; m < 2; m++) {
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			setup(m == 0 ? E4_MODE_SYMKEY : E4_MODE_PUBKEY, sizes[i]);
			p = painted(op_protect) - base;
			u = painted(op_unprotect) - base;
			e4_client_wipe(&client);
			printf("%-8s %6zu %10zu %10zu\n", names[m], sizes[i], p, u);
			printf("metric: stack_%s_protect_%zu_bytes %zu\n", names[m], sizes[i], p);
			printf("metric: stack_%s_unprotect_%zu_bytes %zu\n", names[m], sizes[i], u);
		}
	}
	return 0;
}
