/*
 * e4devsim.c - simulated E4 devices for the C2's integration tests and
 * benchmarks.  Runs N devices in one process, each with its own MQTT
 * connection (client id = hex device id) and its store file exported by
 * `e4c2 device add --export`.  Each device subscribes to its control
 * topic, applies commands with e4_unprotect, publishes the ack from
 * e4_client_ack on e4/<id>/ack and, optionally, publishes and receives
 * protected messages on one topic.  It reports JSON lines on stdout:
 *   {"dev":"<name>","event":"command","code":N,"status":"ok|<error>","fp":"<8 hex>"}
 *   {"dev":"<name>","event":"recv","msg":"<text>","fp":"..."}
 *   {"dev":"<name>","event":"undecryptable","error":"<e4_strerror>","fp":"..."}
 *   {"dev":"<name>","event":"sent","msg":"<text>"}
 * where fp is the first 8 hex digits of SHA3-256 of the device's current
 * key for the topic ("none" when it has none); keys are never printed.
 *
 * usage: e4devsim -p PORT [-m symkey|pubkey] [-t TOPIC] [-i MS] [-n COUNT] [-e] [-c]
 *                 NAME=STOREFILE...
 *   -t TOPIC  subscribe to TOPIC and report what arrives
 *   -i MS     also publish "<name> <seq>" on TOPIC every MS milliseconds
 *   -n COUNT  stop publishing after COUNT messages
 *   -e        eavesdropper: only listen on TOPIC with the keys in the store
 *             (no control topic, client id "<hex id>-e"); for rekey tests
 *   -c        clockless devices: no clock, the newest command's time instead
 * SIGTERM stops it cleanly; SIGUSR1 prints a "state" line per device:
 *   {"dev":..,"event":"state","fp":..,"topics":N,"keys":N,"prev":0|1}
 * keys: the keys it holds for TOPIC (current, previous, announced); prev: 1
 * while a device key replaced by SetIDKey/SetC2Key still opens commands.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#include "e4/e4.h"
#include "e4/store.h"

#define MAX_DEVICES 64
#define TOPICS_CAP  64
#define PUBKEYS_CAP 64

/* One simulated device. */
struct dev {
	char name[64];
	char path[1024];
	char ack_topic[E4_ACK_TOPIC_CAP];
	struct mosquitto *m;
	struct e4_client c;
	struct e4_client_config cfg;
	struct e4_store store;
	struct e4_store_file sf;
	struct e4_topic_slot topics[TOPICS_CAP];
	struct e4_replay_slot replay[256];
	struct e4_pubkey_slot pubkeys[PUBKEYS_CAP];
	uint8_t buf[E4_STATE_BLOB_LEN(TOPICS_CAP, PUBKEYS_CAP)];
	long seq;
	int up;
};

static struct dev devs[MAX_DEVICES];
static int ndevs;
static const char *topic;
static int mode = E4_MODE_SYMKEY;
static int eavesdrop;
static int clockless;
static volatile sig_atomic_t stop, dump;

/* Signal handler. */
static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		dump = 1;
	else
		stop = 1;
}

/* Device clock: the wall clock. */
static int clock_now(void *ctx, uint64_t *now)
{
	(void)ctx;
	*now = (uint64_t)time(NULL);
	return 0;
}

/* Writes the fingerprint of the device's current key for `topic`. */
static void fingerprint(const struct dev *d, char out[9])
{
	uint8_t hash[E4_HASH_LEN], digest[32];
	size_t i;

	snprintf(out, 9, "none");
	if (topic == NULL || e4_topic_hash(hash, topic) != 0)
		return;
	for (i = 0; i < TOPICS_CAP; i++) {
		const struct e4_topic_slot *s = &d->topics[i];

		if (s->kind == 1 && memcmp(s->hash, hash, E4_HASH_LEN) == 0) {
			e4_sha3_256(digest, s->key, E4_KEY_LEN);
			e4_hex_encode(out, digest, 4);
			return;
		}
	}
}

/* Number of keys the device holds for `topic` (current, previous, announced). */
static size_t topic_keys(const struct dev *d)
{
	uint8_t hash[E4_HASH_LEN];
	size_t i, n = 0;

	if (topic == NULL || e4_topic_hash(hash, topic) != 0)
		return 0;
	for (i = 0; i < TOPICS_CAP; i++)
		n += d->topics[i].kind != 0 && memcmp(d->topics[i].hash, hash, E4_HASH_LEN) == 0;
	return n;
}

/* Handles a command on the control topic and publishes its ack. */
static void on_command(struct dev *d, const struct mosquitto_message *msg)
{
	uint8_t ack[E4_ACK_FRAME_LEN];
	struct e4_recv_info info;
	size_t len = 0;
	char fp[9];
	int err;

	err = e4_unprotect(&d->c, NULL, 0, &len, msg->topic, msg->payload,
	                   (size_t)msg->payloadlen, &info);
	fingerprint(d, fp);
	printf("{\"dev\":\"%s\",\"event\":\"command\",\"code\":%d,\"status\":\"%s\",\"fp\":\"%s\"}\n",
	       d->name, info.is_command ? (int)info.command : -1, err == 0 ? "ok" : e4_strerror(err),
	       fp);
	if (e4_client_ack(&d->c, ack, sizeof(ack), &len) == 0)
		mosquitto_publish(d->m, NULL, d->ack_topic, (int)len, ack, 0, false);
}

/* Handles a message on the data topic. */
static void on_data(struct dev *d, const struct mosquitto_message *msg)
{
	uint8_t out[1024];
	size_t len = 0;
	char fp[9];
	int err;

	err = e4_unprotect(&d->c, out, sizeof(out) - 1, &len, msg->topic, msg->payload,
	                   (size_t)msg->payloadlen, NULL);
	fingerprint(d, fp);
	if (err != 0) {
		printf("{\"dev\":\"%s\",\"event\":\"undecryptable\",\"error\":\"%s\",\"fp\":\"%s\"}\n",
		       d->name, e4_strerror(err), fp);
		return;
	}
	out[len] = '\0';
	printf("{\"dev\":\"%s\",\"event\":\"recv\",\"msg\":\"%s\",\"fp\":\"%s\"}\n", d->name,
	       (char *)out, fp);
}

/* libmosquitto message callback. */
static void on_message(struct mosquitto *m, void *arg, const struct mosquitto_message *msg)
{
	struct dev *d = arg;

	(void)m;
	if (strcmp(msg->topic, e4_client_control_topic(&d->c)) == 0)
		on_command(d, msg);
	else
		on_data(d, msg);
	fflush(stdout);
}

/* Subscribes once connected. */
static void on_connect(struct mosquitto *m, void *arg, int rc)
{
	struct dev *d = arg;

	if (rc != 0)
		return;
	d->up = 1;
	if (!eavesdrop)
		mosquitto_subscribe(m, NULL, e4_client_control_topic(&d->c), 1);
	if (topic != NULL)
		mosquitto_subscribe(m, NULL, topic, 1);
	printf("{\"dev\":\"%s\",\"event\":\"connected\"}\n", d->name);
	fflush(stdout);
}

/* Loads a device from its store file and connects it. */
static int dev_open(struct dev *d, const char *spec, int port)
{
	const char *eq = strchr(spec, '=');
	char hex[2 * E4_ID_LEN + 3];
	int err;

	if (eq == NULL || (size_t)(eq - spec) >= sizeof(d->name) || strlen(eq + 1) >= sizeof(d->path))
		return -1;
	memcpy(d->name, spec, (size_t)(eq - spec));
	strcpy(d->path, eq + 1);
	e4_client_config_default(&d->cfg);
	d->cfg.mode = (enum e4_mode)mode;
	d->cfg.clock = clockless ? NULL : clock_now;
	d->cfg.topics = d->topics;
	d->cfg.topics_cap = TOPICS_CAP;
	d->cfg.replay = d->replay;
	d->cfg.replay_cap = 256;
	d->cfg.pubkeys = d->pubkeys;
	d->cfg.pubkeys_cap = PUBKEYS_CAP;
	d->cfg.store = &d->store;
	d->cfg.store_buf = d->buf;
	d->cfg.store_buf_cap = sizeof(d->buf);
	e4_store_file_init(&d->store, &d->sf, d->path);
	err = e4_client_load(&d->c, &d->cfg);
	if (err != 0) {
		fprintf(stderr, "e4devsim: %s: %s\n", d->path, e4_strerror(err));
		return -1;
	}
	snprintf(d->ack_topic, sizeof(d->ack_topic), "%s/ack", e4_client_control_topic(&d->c));
	e4_hex_encode(hex, e4_client_id(&d->c), E4_ID_LEN);
	if (eavesdrop)
		strcat(hex, "-e");
	d->m = mosquitto_new(hex, true, d);
	if (d->m == NULL)
		return -1;
	mosquitto_connect_callback_set(d->m, on_connect);
	mosquitto_message_callback_set(d->m, on_message);
	mosquitto_reconnect_delay_set(d->m, 1, 2, false);
	if (mosquitto_connect(d->m, "127.0.0.1", port, 30) != MOSQ_ERR_SUCCESS)
		fprintf(stderr, "e4devsim: %s: connect failed (will retry)\n", d->name);
	return 0;
}

/* Publishes the next protected message of a device. */
static void dev_publish(struct dev *d)
{
	uint8_t frame[256 + E4_PK_OVERHEAD];
	char msg[128];
	size_t len = 0;
	int err;

	snprintf(msg, sizeof(msg), "%.63s %ld", d->name, d->seq);
	err = e4_protect(&d->c, frame, sizeof(frame), &len, topic, (const uint8_t *)msg, strlen(msg));
	if (err != 0) {
		printf("{\"dev\":\"%s\",\"event\":\"protect_failed\",\"error\":\"%s\"}\n", d->name,
		       e4_strerror(err));
		return;
	}
	if (mosquitto_publish(d->m, NULL, topic, (int)len, frame, 1, false) == MOSQ_ERR_SUCCESS) {
		printf("{\"dev\":\"%s\",\"event\":\"sent\",\"msg\":\"%s\"}\n", d->name, msg);
		d->seq++;
	}
}

/* Runs every device's network loop once. */
static void loop_once(void)
{
	struct pollfd fds[MAX_DEVICES];
	int i;

	for (i = 0; i < ndevs; i++) {
		fds[i].fd = mosquitto_socket(devs[i].m);
		fds[i].events = (short)(POLLIN | (mosquitto_want_write(devs[i].m) ? POLLOUT : 0));
		fds[i].revents = 0;
	}
	poll(fds, (nfds_t)ndevs, 20);
	for (i = 0; i < ndevs; i++) {
		struct mosquitto *m = devs[i].m;

		if (mosquitto_socket(m) < 0) {
			devs[i].up = 0;
			mosquitto_reconnect(m);
			continue;
		}
		if (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
			mosquitto_loop_read(m, 1);
		if (mosquitto_socket(m) >= 0 && mosquitto_want_write(m))
			mosquitto_loop_write(m, 1);
		if (mosquitto_socket(m) >= 0)
			mosquitto_loop_misc(m);
	}
}

/* Milliseconds since an arbitrary origin. */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	long long next = 0, interval = 0, count = -1, sent = 0;
	struct sigaction sa;
	int opt, port = 0, i;
	char fp[9];

	while ((opt = getopt(argc, argv, "p:m:t:i:n:ec")) != -1) {
		switch (opt) {
		case 'p': port = atoi(optarg); break;
		case 'm': mode = strcmp(optarg, "pubkey") == 0 ? E4_MODE_PUBKEY : E4_MODE_SYMKEY; break;
		case 't': topic = optarg; break;
		case 'i': interval = atoll(optarg); break;
		case 'n': count = atoll(optarg); break;
		case 'e': eavesdrop = 1; break;
		case 'c': clockless = 1; break;
		default: return 2;
		}
	}
	if (port <= 0 || optind == argc || argc - optind > MAX_DEVICES) {
		fprintf(stderr, "usage: e4devsim -p PORT [-m MODE] [-t TOPIC] [-i MS] [-n N] NAME=FILE...\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	mosquitto_lib_init();
	for (i = optind; i < argc; i++)
		if (dev_open(&devs[ndevs++], argv[i], port) != 0)
			return 1;
	while (!stop) {
		loop_once();
		if (dump) {
			dump = 0;
			for (i = 0; i < ndevs; i++) {
				fingerprint(&devs[i], fp);
				/* keys: of the topic, any kind; prev: a replaced device key still opens. */
				printf("{\"dev\":\"%s\",\"event\":\"state\",\"fp\":\"%s\",\"topics\":%zu,"
				       "\"keys\":%zu,\"prev\":%u}\n", devs[i].name, fp,
				       e4_client_topic_count(&devs[i].c), topic_keys(&devs[i]),
				       (unsigned)devs[i].c.has_prev_key);
			}
			fflush(stdout);
		}
		if (topic != NULL && interval > 0 && now_ms() >= next && (count < 0 || sent < count)) {
			next = now_ms() + interval;
			for (i = 0; i < ndevs; i++)
				if (devs[i].up)
					dev_publish(&devs[i]);
			sent++;
			fflush(stdout);
		}
	}
	for (i = 0; i < ndevs; i++) {
		mosquitto_disconnect(devs[i].m);
		mosquitto_destroy(devs[i].m);
		e4_client_wipe(&devs[i].c);
	}
	mosquitto_lib_cleanup();
	return 0;
}
