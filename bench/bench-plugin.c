/*
 * bench-plugin.c - cost of the plugin's checks per message, in process
 * (the plugin's sources linked against tests/stubs, no broker).  Prints
 * nanoseconds per message; under callgrind, one_message() is the function
 * to count (valgrind --tool=callgrind --toggle-collect=one_message).
 *
 *   bench-plugin [messages [scenario 1-5]]
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "e4plugin.h"
#include "mosquitto_stubs.h"

#define MSG_LEN 64

/* One publish as the broker drives it: ACL_CHECK(WRITE), then MESSAGE. */
__attribute__((noinline)) int one_message(struct e4plugin *p, struct mosquitto *c,
                                          const char *topic, const uint8_t *f, size_t n);
__attribute__((noinline)) int one_message(struct e4plugin *p, struct mosquitto *c,
                                          const char *topic, const uint8_t *f, size_t n)
{
	struct mosquitto_evt_acl_check a = { 0 };
	struct mosquitto_evt_message m = { 0 };
	int rc;

	a.client = c;
	a.topic = topic;
	a.payload = f;
	a.payloadlen = (uint32_t)n;
	a.access = MOSQ_ACL_WRITE;
	rc = e4plugin_acl_cb(MOSQ_EVT_ACL_CHECK, &a, p);
	if (rc != MOSQ_ERR_SUCCESS)
		return rc;
	m.client = c;
	m.topic = (char *)(uintptr_t)topic;
	m.payload = (void *)(uintptr_t)f;
	m.payloadlen = (uint32_t)n;
	return e4plugin_message_cb(MOSQ_EVT_MESSAGE, &m, p);
}

/* Seconds of a monotonic clock. */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Builds an instance. */
static struct e4plugin *make(const char *mode, const char *verify)
{
	struct mosquitto_opt o[5] = { { (char *)"protect", (char *)"sensors/#" },
		{ (char *)"c2_username", (char *)"c2" }, { (char *)"mode", (char *)(uintptr_t)mode },
		{ (char *)"verify_signatures", (char *)(uintptr_t)verify },
		{ (char *)"replay_cache", (char *)"65536" } };
	char err[256];
	struct e4plugin *p = e4plugin_new(o, 5, err, sizeof(err));

	if (p == NULL) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	return p;
}

/* Runs n messages of one kind and prints the cost. */
static void run(const char *name, const char *mode, const char *verify, int pubkey,
                int protect, int known, int n)
{
	static const uint8_t key[E4_KEY_LEN] = { 7 };
	uint8_t pub[E4_ED25519_PK_LEN], sk[E4_ED25519_SK_LEN], id[E4_ID_LEN], msg[MSG_LEN] = { 0 };
	struct e4plugin *p = make(mode, verify);
	struct mosquitto c = { "00112233445566778899aabbccddeeff", NULL };
	size_t fl = (pubkey ? E4_PK_OVERHEAD : E4_HEADER_LEN) + MSG_LEN, k;
	uint8_t *frames = malloc((size_t)n * fl);
	const char *topic = protect ? "sensors/room1/temp" : "public/room1/temp";
	double t0, t1;
	int i;

	e4_hex_decode(id, E4_ID_LEN, c.id);
	if (frames == NULL || e4_ed25519_keypair(pub, sk) != 0)
		exit(1);
	if (known) {
		struct e4plugin_device *d = e4plugin_device_get(&p->devices, id);

		memcpy(d->pubkey, pub, sizeof(pub));
		d->has_pubkey = 1;
	}
	for (i = 0; i < n; i++) {
		memcpy(msg, &i, sizeof(i));
		if ((pubkey ? e4_pk_frame_seal(frames + (size_t)i * fl, fl, &k, key, sk, id,
		                               (uint64_t)time(NULL), msg, MSG_LEN)
		            : e4_frame_seal(frames + (size_t)i * fl, fl, &k, key, (uint64_t)time(NULL),
		                            msg, MSG_LEN)) != 0)
			exit(1);
	}
	t0 = now_s();
	for (i = 0; i < n; i++)
		if (one_message(p, &c, topic, frames + (size_t)i * fl, fl) != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "bench: %s: message %d refused\n", name, i);
			exit(1);
		}
	t1 = now_s();
	printf("%-34s %8.0f ns/message (%d messages of %zu bytes)\n", name, (t1 - t0) / n * 1e9, n, fl);
	free(frames);
	e4plugin_free(p);
}

/* Entry point. */
int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 20000;
	int only = argc > 2 ? atoi(argv[2]) : 0;

	if (n <= 0)
		return 2;
	if (only == 0 || only == 1)
		run("unprotected topic", "symkey", "true", 0, 0, 0, n);
	if (only == 0 || only == 2)
		run("symkey frame", "symkey", "true", 0, 1, 0, n);
	if (only == 0 || only == 3)
		run("pubkey frame, sender key unknown", "pubkey", "true", 1, 1, 0, n);
	if (only == 0 || only == 4)
		run("pubkey frame, signature verified", "pubkey", "true", 1, 1, 1, n / 10 > 0 ? n / 10 : 1);
	if (only == 0 || only == 5)
		run("pubkey frame, verification off", "pubkey", "false", 1, 1, 1, n);
	stub_reset();
	return 0;
}
