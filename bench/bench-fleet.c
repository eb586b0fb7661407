/*
 * bench-fleet.c - a fleet of simulated E4 devices for the C2 benchmark:
 * N symkey devices in one process, each with its own MQTT connection
 * (client id = hex device id), built with the SDK from "ID KEY" hex lines
 * (the output of bench/c2-batch.py).  Each device subscribes to its
 * control topic, applies commands with e4_unprotect and publishes the ack
 * of e4_client_ack.  Unlike tests/c2/e4devsim (64 devices, file stores),
 * it scales to 10,000 devices: small topic tables and no store, and an
 * epoll loop that only touches the connections with something to read
 * (the keepalive and reconnection pass over every device runs once a
 * second), so the simulator's cost per command does not grow with N.
 *
 * Like the SDK's e4_mqtt_init, it turns Nagle's algorithm off on each
 * connection (-N keeps it, libmosquitto's default, for comparison: a
 * device's ack then waits for the broker's delayed TCP ACK of its PUBACK).
 *
 * usage: bench-fleet -p PORT -f DEVICES_FILE [-N]
 * Every 100 ms, when something changed, it prints one status line:
 *   status connected C commands K failed F last_ms T
 * where T is the CLOCK_REALTIME millisecond of the last ack published.
 * SIGTERM stops it.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/epoll.h>
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
	int fd;        /* socket registered with epoll, -1 when none */
	int out;       /* registered for EPOLLOUT too */
};

static struct dev *devs;
static size_t ndevs;
static long connected, commands, failed;
static long long last_ms;
static volatile sig_atomic_t stop;
static int ep = -1;
static int nagle;   /* -N: leave Nagle's algorithm on */

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
	    mosquitto_publish(m, NULL, d->ack_topic, (int)len, ack, 0, false) == MOSQ_ERR_SUCCESS)
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

	d->fd = -1;
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
	if (!nagle)
		mosquitto_int_option(d->m, MOSQ_OPT_TCP_NODELAY, 1);
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

/* Keeps device i's socket registered with epoll (for writing too when it wants to). */
static void watch(size_t i)
{
	struct dev *d = &devs[i];
	struct epoll_event ev;
	int fd = mosquitto_socket(d->m), out = fd >= 0 && mosquitto_want_write(d->m);

	if (fd < 0) {
		d->fd = -1;   /* closed by libmosquitto: the kernel dropped it from epoll */
		return;
	}
	if (fd == d->fd && out == d->out)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | (out ? EPOLLOUT : 0);
	ev.data.u64 = i;
	if (fd != d->fd) {
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0)
			return;
	} else if (epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) != 0) {
		return;
	}
	d->fd = fd;
	d->out = out;
}

/* Reads and writes what device i's connection has ready. */
static void service(size_t i, uint32_t events)
{
	struct mosquitto *m = devs[i].m;

	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		mosquitto_loop_read(m, 1);
	if (mosquitto_socket(m) >= 0 && mosquitto_want_write(m))
		mosquitto_loop_write(m, 1);
	watch(i);
}

/* Keepalives and reconnections of every device (once a second). */
static void housekeeping(void)
{
	size_t i;

	for (i = 0; i < ndevs; i++) {
		struct mosquitto *m = devs[i].m;

		if (mosquitto_socket(m) < 0)
			mosquitto_reconnect(m);
		else
			mosquitto_loop_misc(m);
		if (mosquitto_socket(m) >= 0 && mosquitto_want_write(m))
			mosquitto_loop_write(m, 1);
		watch(i);
	}
}

/* Waits up to 20 ms and serves the connections that are ready. */
static void loop_once(struct epoll_event *evs, int cap)
{
	int i, n = epoll_wait(ep, evs, cap, 20);

	for (i = 0; i < n; i++)
		service((size_t)evs[i].data.u64, evs[i].events);
}

int main(int argc, char **argv)
{
	long long next = 0, misc = 0;
	long seen = -1;
	struct sigaction sa;
	struct epoll_event evs[256];
	const char *file = NULL;
	int opt, port = 0;
	size_t i;

	while ((opt = getopt(argc, argv, "p:f:N")) != -1) {
		if (opt == 'p')
			port = atoi(optarg);
		else if (opt == 'f')
			file = optarg;
		else if (opt == 'N')
			nagle = 1;
		else
			return 2;
	}
	if (port <= 0 || file == NULL) {
		fprintf(stderr, "usage: bench-fleet -p PORT -f DEVICES_FILE [-N]\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	mosquitto_lib_init();
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || load(file, port) != 0) {
		fprintf(stderr, "bench-fleet: cannot load %s\n", file);
		return 1;
	}
	for (i = 0; i < ndevs; i++)
		watch(i);
	while (!stop) {
		loop_once(evs, (int)(sizeof(evs) / sizeof(evs[0])));
		if (clock_ms(CLOCK_MONOTONIC) >= misc) {
			misc = clock_ms(CLOCK_MONOTONIC) + 1000;
			housekeeping();
		}
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
	close(ep);
	free(devs);
	mosquitto_lib_cleanup();
	return 0;
}
