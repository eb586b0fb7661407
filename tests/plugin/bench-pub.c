/*
 * bench-pub.c - loopback load for measuring the broker's cost per message
 * with and without the plugin (tests/plugin/bench-broker.sh): publishes
 * n distinct 64-byte messages at QoS 0 (plaintext, symkey frames or signed
 * pubkey frames, all prepared beforehand), then one QoS 1 message whose
 * PUBACK proves the broker has read everything before it.
 *
 *   bench-pub PORT TOPIC N plain|symkey|pubkey [SKHEX SENDERHEX]
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#include "e4/e4.h"

#define MSG_LEN 64

static volatile int acked;

/* Notes the PUBACK of the final QoS 1 message. */
static void on_publish(struct mosquitto *m, void *ud, int mid)
{
	(void)m;
	if (mid == *(int *)ud)
		acked = 1;
}

/* Prepares n payloads of the given kind, fl bytes each. */
static uint8_t *prepare(const char *kind, int n, size_t *fl, char **argv)
{
	static const uint8_t key[E4_KEY_LEN] = { 7 };
	uint8_t sk[E4_ED25519_SK_LEN], id[E4_ID_LEN], msg[MSG_LEN] = { 0 }, *buf;
	int pk = strcmp(kind, "pubkey") == 0, plain = strcmp(kind, "plain") == 0, i;
	size_t k;

	*fl = plain ? MSG_LEN : (pk ? E4_PK_OVERHEAD : E4_HEADER_LEN) + MSG_LEN;
	if (pk && (argv[0] == NULL || argv[1] == NULL ||
	           e4_hex_decode(sk, sizeof(sk), argv[0]) != 0 || e4_hex_decode(id, sizeof(id), argv[1]) != 0))
		return NULL;
	buf = malloc((size_t)n * *fl);
	for (i = 0; buf != NULL && i < n; i++) {
		uint8_t *o = buf + (size_t)i * *fl;

		memcpy(msg, &i, sizeof(i));
		if (plain)
			memcpy(o, msg, MSG_LEN);
		else if ((pk ? e4_pk_frame_seal(o, *fl, &k, key, sk, id, (uint64_t)time(NULL), msg, MSG_LEN)
		             : e4_frame_seal(o, *fl, &k, key, (uint64_t)time(NULL), msg, MSG_LEN)) != 0)
			return NULL;
	}
	e4_wipe(sk, sizeof(sk));
	return buf;
}

/* Entry point. */
int main(int argc, char **argv)
{
	struct mosquitto *m;
	uint8_t *buf;
	size_t fl;
	int n, i, mid = 0, last = -1;

	if (argc < 5 || (n = atoi(argv[3])) <= 0) {
		fprintf(stderr, "usage: bench-pub PORT TOPIC N plain|symkey|pubkey [SKHEX SENDERHEX]\n");
		return 2;
	}
	buf = prepare(argv[4], n, &fl, argv + 5);
	if (buf == NULL) {
		fprintf(stderr, "bench-pub: cannot prepare payloads\n");
		return 1;
	}
	mosquitto_lib_init();
	m = mosquitto_new(argc > 6 ? argv[6] : "00112233445566778899aabbccddeeff", true, &last);
	if (m == NULL)
		return 1;
	mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
	mosquitto_publish_callback_set(m, on_publish);
	if (mosquitto_connect(m, "127.0.0.1", atoi(argv[1]), 60) != MOSQ_ERR_SUCCESS ||
	    mosquitto_loop_start(m) != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "bench-pub: cannot connect\n");
		return 1;
	}
	for (i = 0; i < n; i++)
		while (mosquitto_publish(m, &mid, argv[2], (int)fl, buf + (size_t)i * fl, 0, false) ==
		       MOSQ_ERR_NOMEM)
			usleep(1000);
	mosquitto_publish(m, &last, "bench/done", 4, "done", 1, false);
	for (i = 0; i < 60000 && !acked; i++)
		usleep(1000);
	mosquitto_disconnect(m);
	mosquitto_loop_stop(m, false);
	mosquitto_destroy(m);
	mosquitto_lib_cleanup();
	free(buf);
	return acked ? 0 : 1;
}
