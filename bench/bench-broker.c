/*
 * bench-broker.c - one publisher and one subscriber through a broker on
 * loopback: publishes N E4 frames as fast as the client library allows
 * and prints the subscriber's receive rate.
 *
 * usage: bench-broker PORT symkey|pubkey QOS SIZE N
 * SIZE is the frame size; a pubkey frame cannot be as small as 64 bytes
 * (E4_PK_OVERHEAD), so below E4_PK_OVERHEAD + 1 it carries a SIZE-byte
 * message instead (frame of SIZE + E4_PK_OVERHEAD bytes).
 * In pubkey mode the publisher is a device (client id = its hex id)
 * whose public key is first given to the plugin over $CONTROL/e4/v1 as
 * user "c2".  Prints one line: "msgs_per_s RATE received R of N".
 *
 * usage: bench-broker PORT pubkey QOS SIZE N forged
 * signs the frames with another key than the one given to the plugin: a
 * broker that verifies signatures delivers none of them (the check that
 * the pubkey-verify figures include the verification).
 */
#define _DEFAULT_SOURCE 1
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>
#include <sodium.h>

#include "e4/e4.h"

#define TOPIC "bench/t"

static volatile long received;
static volatile int subscribed;
static double first_rx, last_rx;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_message(struct mosquitto *m, void *ud, const struct mosquitto_message *msg)
{
	(void)m;
	(void)ud;
	(void)msg;
	if (received == 0)
		first_rx = now_s();
	received++;
	last_rx = now_s();
}

static void on_subscribe(struct mosquitto *m, void *ud, int mid, int n, const int *q)
{
	(void)m;
	(void)ud;
	(void)mid;
	(void)n;
	(void)q;
	subscribed = 1;
}

/* Connects a client and starts its network thread; exits on failure. */
static struct mosquitto *client(const char *id, const char *user, int port)
{
	struct mosquitto *m = mosquitto_new(id, true, NULL);

	if (m == NULL)
		exit(2);
	mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
	if (user != NULL)
		mosquitto_username_pw_set(m, user, NULL);
	if (mosquitto_connect(m, "127.0.0.1", port, 30) != MOSQ_ERR_SUCCESS ||
	    mosquitto_loop_start(m) != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "bench-broker: cannot connect to port %d\n", port);
		exit(2);
	}
	return m;
}

int main(int argc, char **argv)
{
	uint8_t key[32], pk[32], sk[64], id[16], pk2[32], sk2[64];
	char hexid[33], hexpk[65], req[512];
	struct mosquitto *sub, *pub, *c2;
	int port, pubkey, qos;
	size_t size, flen, i;
	long n;
	uint8_t *frames, *msg;
	double t0, deadline;
	int forged;

	if (argc != 6 && argc != 7)
		return 2;
	forged = argc == 7 && strcmp(argv[6], "forged") == 0;
	port = atoi(argv[1]);
	pubkey = strcmp(argv[2], "pubkey") == 0;
	qos = atoi(argv[3]);
	size = (size_t)atol(argv[4]);
	n = atol(argv[5]);
	if (pubkey && size <= E4_PK_OVERHEAD)
		size += E4_PK_OVERHEAD;
	if (size <= E4_HEADER_LEN || n <= 0)
		return 2;
	mosquitto_lib_init();
	if (sodium_init() < 0 || e4_ed25519_keypair(pk, sk) != 0 ||
	    e4_ed25519_keypair(pk2, sk2) != 0)
		return 2;
	/*
	 * A fresh symkey key per run: with a fixed key, two runs started within
	 * the same second made the very same frames, which the plugin rightly
	 * refused as replays (counted as lost messages, on a fast machine).
	 */
	randombytes_buf(key, sizeof(key));
	e4_hash16(id, pk, sizeof(pk));
	e4_hex_encode(hexid, id, 16);
	e4_hex_encode(hexpk, pk, 32);

	/* Frames made up front so that only the broker is measured. */
	flen = size;
	frames = malloc((size_t)n * flen);
	msg = calloc(1, size);
	for (i = 0; i < (size_t)n; i++) {
		size_t len, body = size - (pubkey ? E4_PK_OVERHEAD : E4_HEADER_LEN);
		int err;

		memcpy(msg, &i, sizeof(i));
		err = pubkey ? e4_pk_frame_seal(frames + i * flen, flen, &len, key, forged ? sk2 : sk, id,
		                                (uint64_t)time(NULL), msg, body)
		             : e4_frame_seal(frames + i * flen, flen, &len, key,
		                             (uint64_t)time(NULL), msg, body);
		if (err != 0)
			return 2;
	}
	if (pubkey) {
		c2 = client("bench-c2", "c2", port);
		snprintf(req, sizeof(req), "{\"commands\":[{\"command\":\"setDevicePubKey\","
		         "\"id\":\"%s\",\"pubkey\":\"%s\"}]}", hexid, hexpk);
		mosquitto_publish(c2, NULL, "$CONTROL/e4/v1", (int)strlen(req), req, 1, false);
		usleep(200000);
	}
	sub = client("bench-sub", NULL, port);
	mosquitto_message_callback_set(sub, on_message);
	mosquitto_subscribe_callback_set(sub, on_subscribe);
	mosquitto_subscribe(sub, NULL, TOPIC, qos);
	for (t0 = now_s(); !subscribed && now_s() - t0 < 5;)
		usleep(1000);
	pub = client(pubkey ? hexid : "bench-pub", NULL, port);
	usleep(100000);
	t0 = now_s();
	for (i = 0; i < (size_t)n; i++)
		mosquitto_publish(pub, NULL, TOPIC, (int)flen, frames + i * flen, qos, false);
	deadline = now_s() + (forged ? 2 : 60);
	while (received < n && now_s() < deadline) {
		long before = received;

		usleep(20000);
		if (received == before && received > 0 && now_s() - last_rx > 3)
			break;
	}
	printf("msgs_per_s %.0f received %ld of %ld\n",
	       received > 1 ? (double)received / (last_rx - t0) : 0.0, received, n);
	mosquitto_disconnect(pub);
	mosquitto_disconnect(sub);
	mosquitto_loop_stop(pub, true);
	mosquitto_loop_stop(sub, true);
	free(frames);
	free(msg);
	mosquitto_lib_cleanup();
	e4_wipe(sk, sizeof(sk));
	e4_wipe(sk2, sizeof(sk2));
	return received == (forged ? 0 : n) ? 0 : 1;
}
