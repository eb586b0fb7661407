/*
 * bench-fleet.c - a fleet of simulated E4 devices for the C2 benchmark:
 * N symkey devices in one process, each with its own MQTT connection
 * (client id = hex device id), built with the SDK from "ID KEY" hex lines
 * (the output of bench/c2-batch.py).  Each device subscribes to its
 * control topic, applies commands with e4_unprotect and publishes the ack
 * of e4_client_ack.  Unlike tests/c2/e4devsim (64 devices, file stores),
 * it scales to 10,000 devices: small topic tables and no store.
 *
 * usage: bench-fleet -p PORT -f DEVICES_FILE
 * Every 100 ms, when something changed, it prints one status line:
 *   status connected C commands K failed F last_ms T
 * where T is the CLOCK_REALTIME millisecond of the last ack published.
 * SIGTERM stops it.
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
#include "e4/wire.h"

#define FLEET_TOPICS 4

/* One simulated device. */
struct dev {
	struct mosquitto *m;
	struct e4_client c;
	struct e4_topic_slot topics[FLEET_TOPICS];
	char ack_topic[E4_ACK_TOPIC_CAP];
	int up;
};

static struct dev *devs;
static size_t ndevs;
static long connected, commands, failed;
static long long last_ms;
static volatile sig_atomic_t stop;

/* Signal handler. */
static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Milliseconds of the given clock. */
static long long clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Device clock: the wall clock. */
static int clock_now(void *ctx, uint64_t *now)
{
	(void)ctx;
	*now = (uint64_t)time(NULL);
	return 0;
}

/* Applies a command and publishes its ack. */
static void on_message(struct mosquitto *m, void *arg, const struct mosquitto_message *msg)
{
	struct dev *d = arg;
	uint8_t ack[E4_ACK_FRAME_LEN];
	size_t len = 0;

	if (e4_unprotect(&d->c, NULL, 0, &len, msg->topic, msg->payload, (size_t)msg->payloadlen,
	                 NULL) != 0) {
		failed++;
		return;
	}
	commands++;
	if (e4_client_ack(&d->c, ack, sizeof(ack), &len) == 0 &&
	    mosquitto_publish(m, NULL, d->ack_topic, (int)len, ack, 1, false) == MOSQ_ERR_SUCCESS)
		last_ms = clock_ms(CLOCK_REALTIME);
}

/* Subscribes once connected. */
static void on_connect(struct mosquitto *m, void *arg, int rc)
{
	struct dev *d = arg;

	if (rc != 0)
		return;
	if (!d->up)
		connected++;
	d->up = 1;
	mosquitto_subscribe(m, NULL, e4_client_control_topic(&d->c), 1);
}

/* Sets up device `d` from a line "ID KEY" (hex) and connects it. */
static int dev_open(struct dev *d, const char *line, int port)
{
	char idhex[2 * E4_ID_LEN + 1], keyhex[2 * E4_KEY_LEN + 1];
	uint8_t id[E4_ID_LEN], key[E4_KEY_LEN];
	struct e4_client_config cfg;
	int err;

	if (sscanf(line, "%32s %64s", idhex, keyhex) != 2 ||
	    e4_hex_decode(id, sizeof(id), idhex) != 0 ||
	    e4_hex_decode(key, sizeof(key), keyhex) != 0)
		return -1;
	e4_client_config_default(&cfg);
	cfg.mode = E4_MODE_SYMKEY;
	cfg.clock = clock_now;
	cfg.topics = d->topics;
	cfg.topics_cap = FLEET_TOPICS;
	err = e4_client_init(&d->c, &cfg, id, key, sizeof(key));
	e4_wipe(key, sizeof(key));
	e4_wipe(keyhex, sizeof(keyhex));
	if (err != 0)
		return -1;
	snprintf(d->ack_topic, sizeof(d->ack_topic), "%s/ack", e4_client_control_topic(&d->c));
	d->m = mosquitto_new(idhex, true, d);
	if (d->m == NULL)
		return -1;
	mosquitto_connect_callback_set(d->m, on_connect);
	mosquitto_message_callback_set(d->m, on_message);
	mosquitto_reconnect_delay_set(d->m, 1, 2, false);
	if (mosquitto_connect(d->m, "127.0.0.1", port, 600) != MOSQ_ERR_SUCCESS)
		fprintf(stderr, "bench-fleet: %s: connect failed (will retry)\n", idhex);
	return 0;
}

/* Reads the device file (counted first: clients point into the array). */
static int load(const char *path, int port)
{
	char line[256];
	size_t cap = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		cap++;
	rewind(f);
	devs = calloc(cap > 0 ? cap : 1, sizeof(*devs));
	while (devs != NULL && ndevs < cap && fgets(line, sizeof(line), f) != NULL) {
		if (dev_open(&devs[ndevs], line, port) != 0) {
			fclose(f);
			return -1;
		}
		ndevs++;
	}
	e4_wipe(line, sizeof(line));
	fclose(f);
	return devs != NULL && ndevs > 0 ? 0 : -1;
}

/* Runs every device's network loop once. */
static void loop_once(struct pollfd *fds)
{
	size_t i;

	for (i = 0; i < ndevs; i++) {
		fds[i].fd = mosquitto_socket(devs[i].m);
		fds[i].events = (short)(POLLIN | (mosquitto_want_write(devs[i].m) ? POLLOUT : 0));
		fds[i].revents = 0;
	}
	poll(fds, (nfds_t)ndevs, 20);
	for (i = 0; i < ndevs; i++) {
		struct mosquitto *m = devs[i].m;

		if (mosquitto_socket(m) < 0) {
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

int main(int argc, char **argv)
{
	long long next = 0;
	long seen = -1;
	struct sigaction sa;
	struct pollfd *fds;
	const char *file = NULL;
	int opt, port = 0;
	size_t i;

	while ((opt = getopt(argc, argv, "p:f:")) != -1) {
		if (opt == 'p')
			port = atoi(optarg);
		else if (opt == 'f')
			file = optarg;
		else
			return 2;
	}
	if (port <= 0 || file == NULL) {
		fprintf(stderr, "usage: bench-fleet -p PORT -f DEVICES_FILE\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	mosquitto_lib_init();
	if (load(file, port) != 0) {
		fprintf(stderr, "bench-fleet: cannot load %s\n", file);
		return 1;
	}
	fds = calloc(ndevs, sizeof(*fds));
	if (fds == NULL)
		return 1;
	while (!stop) {
		loop_once(fds);
		if (clock_ms(CLOCK_MONOTONIC) >= next && connected + commands + failed != seen) {
			next = clock_ms(CLOCK_MONOTONIC) + 100;
			seen = connected + commands + failed;
			printf("status connected %ld commands %ld failed %ld last_ms %lld\n", connected,
			       commands, failed, last_ms);
			fflush(stdout);
		}
	}
	for (i = 0; i < ndevs; i++) {
		mosquitto_disconnect(devs[i].m);
		mosquitto_destroy(devs[i].m);
		e4_client_wipe(&devs[i].c);
	}
	free(fds);
	free(devs);
	mosquitto_lib_cleanup();
	return 0;
}
