/*
 * bench-c2engine.c - the C2 engine's own cost per device rotated, without
 * the broker: the daemon's outbox, ack and rotation code on a real SQLite
 * file (synchronous FULL, WAL, as e4c2d runs it), a transport that hands
 * each publication to an SDK device in the same process, and the devices'
 * acks fed back through the same batch path as e4c2d's MQTT callback
 * (c2_outbox_ack_queue, then c2_outbox_tick).  It times the rotation of a
 * topic with N members (SetTopicKeyNext, SetTopicKey, then ReplaceTopicKey
 * to all: finished once the replaced key is retired everywhere)
 * and reports the C2's share apart from the devices' own work.
 *
 * usage: bench-c2engine DIR N [ROUNDS]
 *   DIR    scratch directory for the database (created, removed at exit)
 *   N      members of the rotated topic
 *   ROUNDS rotations measured (default 3; the best is kept)
 * With BENCH_PERF=FILE in the environment, perf records the rotations
 * (not the set-up) into FILE, with call graphs.  Under callgrind,
 * --toggle-collect=rotate_once counts the rotations only.
 * Prints a table and "metric: NAME VALUE" lines.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "engine.h"
#include "e4/wire.h"

/* One in-process device. */
struct dev {
	struct e4_client c;
	struct e4_topic_slot topics[4];
	char topic[E4_CONTROL_TOPIC_CAP];
};

/* A publication waiting for its device. */
struct frame {
	int dev;
	uint8_t bytes[E4_PROTECTED_LEN(E4_COMMAND_MAX)];
	size_t len;
};

static struct c2_ctx ctx;
static struct dev *devs;
static struct { char topic[E4_CONTROL_TOPIC_CAP]; int dev; } *map;   /* sorted by topic */
static int ndevs;
static struct frame *queue;
static size_t nqueue, capqueue;
static long applied;
static double dev_seconds;   /* time spent inside the devices (not the C2) */

/* Monotonic seconds. */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds (user + system) used by this process so far. */
static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Device index of control topic "e4/<hex>" (binary search in map), or -1. */
static int device_of(const char *topic)
{
	int lo = 0, hi = ndevs - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2, c = strcmp(topic, map[mid].topic);

		if (c == 0)
			return map[mid].dev;
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return -1;
}

/* Transport: queues the frame for its device. */
static int fake_publish(void *arg, const char *topic, const uint8_t *p, size_t len, int qos,
                        int *mid)
{
	(void)arg;
	(void)qos;
	*mid = 0;
	if (nqueue == capqueue || len > sizeof(queue[0].bytes))
		return -1;
	queue[nqueue].dev = device_of(topic);
	memcpy(queue[nqueue].bytes, p, len);
	queue[nqueue].len = len;
	nqueue++;
	return 0;
}

/* Delivers the queued frames; the acks go to the C2's batch queue. */
static void deliver(void)
{
	uint8_t ack[E4_ACK_FRAME_LEN];
	char topic[E4_ACK_TOPIC_CAP], err[C2_ERR_MAX];
	struct e4_recv_info info;
	size_t i, len, n = nqueue;
	double t0, t = 0;

	nqueue = 0;
	for (i = 0; i < n; i++) {
		struct dev *d;

		if (queue[i].dev < 0)
			continue;   /* not a device's control topic: nobody receives it */
		d = &devs[queue[i].dev];
		t0 = now_s();
		if (e4_unprotect(&d->c, NULL, 0, &len, d->topic, queue[i].bytes, queue[i].len,
		                 &info) == 0)
			applied++;
		if (e4_client_ack(&d->c, ack, sizeof(ack), &len) != 0)
			continue;
		snprintf(topic, sizeof(topic), "%s/ack", d->topic);
		t += now_s() - t0;
		if (c2_outbox_ack_queue(&ctx, topic, ack, len, err, sizeof(err)) != 0)
			fprintf(stderr, "ack refused: %s\n", err);
	}
	dev_seconds += t;
}

/* Runs the daemon's loop until the outbox is empty and no rotation is open. */
static void settle(const char *topic)
{
	struct c2_topic t;
	long open = 1;
	int sent, wait;

	for (;;) {
		sent = c2_outbox_tick(&ctx, c2_now_ms());
		deliver();
		if (nqueue == 0 && ctx.nackq == 0 && c2_db_cmd_count(ctx.db, "pending", &open) == 0 &&
		    open == 0 && c2_db_topic_get(ctx.db, topic, &t) == 0 && t.phase == C2_ROT_IDLE)
			return;
		/* As e4c2d's loop: acks alone wait a few ms for others (poll's timeout there). */
		wait = c2_outbox_wait_ms(&ctx, c2_now_ms(), 50);
		if (sent == 0 && wait > 0) {
			struct timespec ts = { 0, (long)wait * 1000000L };

			nanosleep(&ts, NULL);
		}
	}
}

/* One measured rotation (a function of its own for callgrind --toggle-collect). */
__attribute__((noinline)) static int rotate_once(const char *topic)
{
	char err[C2_ERR_MAX];

	if (c2_op_topic_rotate(&ctx, topic, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench-c2engine: rotate: %s\n", err);
		return -1;
	}
	settle(topic);
	return 0;
}

/* Orders map entries by control topic. */
static int by_topic(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

/* Adds n devices linked to `topic` and delivers their first key. */
static int add_fleet(int n, const char *topic)
{
	struct e4_client_config cfg;
	struct c2_new_device nd;
	char err[C2_ERR_MAX], name[32];
	int i;

	if (c2_op_topic_add(&ctx, topic, err, sizeof(err)) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "dev%d", i);
		if (c2_op_device_add(&ctx, name, NULL, NULL, 0, &nd, err, sizeof(err)) != 0)
			return -1;
		e4_client_config_default(&cfg);
		cfg.topics = devs[i].topics;
		cfg.topics_cap = 4;
		if (e4_client_init(&devs[i].c, &cfg, nd.dev.id, nd.key, nd.key_len) != 0)
			return -1;
		e4_wipe(&nd, sizeof(nd));
		snprintf(devs[i].topic, sizeof(devs[i].topic), "%s",
		         e4_client_control_topic(&devs[i].c));
	}
	for (i = 0; i < n; i++) {
		memcpy(map[i].topic, devs[i].topic, sizeof(map[i].topic));
		map[i].dev = i;
	}
	qsort(map, (size_t)n, sizeof(map[0]), by_topic);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "dev%d", i);
		if (c2_op_link(&ctx, name, topic, err, sizeof(err)) != 0)
			return -1;
	}
	settle(topic);
	return 0;
}

/* Starts `perf record` on this process when BENCH_PERF names an output file. */
static pid_t perf_start(void)
{
	const char *out = getenv("BENCH_PERF");
	char pid[32];
	pid_t p;

	if (out == NULL || *out == '\0')
		return -1;
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	p = fork();
	if (p == 0) {
		execlp("perf", "perf", "record", "-q", "--call-graph", "dwarf,16384", "-F", "2000",
		       "-o", out, "-p", pid, (char *)NULL);
		_exit(127);
	}
	sleep(1);
	return p;
}

/* Stops perf record. */
static void perf_stop(pid_t p)
{
	if (p <= 0)
		return;
	kill(p, SIGINT);
	waitpid(p, NULL, 0);
}

int main(int argc, char **argv)
{
	pid_t perf;
	char path[1024], err[C2_ERR_MAX];
	uint8_t mk[C2_MASTER_KEY_LEN];
	int n, rounds, r;
	double best = 1e9, best_dev = 0, best_cpu = 1e9, t0, c0, total, cpu;
	long commands;

	if (argc < 3 || (n = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: bench-c2engine DIR N [ROUNDS]\n");
		return 2;
	}
	rounds = argc > 3 ? atoi(argv[3]) : 3;
	if (sodium_init() < 0 || mkdir(argv[1], 0700) != 0) {
		fprintf(stderr, "bench-c2engine: cannot create %s\n", argv[1]);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/c2.db", argv[1]);
	ndevs = n;
	devs = calloc((size_t)n, sizeof(*devs));
	map = calloc((size_t)n, sizeof(*map));
	capqueue = 4 * (size_t)n + C2_TICK_MAX;
	queue = calloc(capqueue, sizeof(*queue));
	c2_conf_defaults(&ctx.conf);
	c2_log_set_level(C2_LOG_WARN);
	c2_random(mk, sizeof(mk));
	if (devs == NULL || map == NULL || queue == NULL ||
	    c2_db_open(&ctx.db, path, mk, 1, err, sizeof(err)) != 0 ||
	    c2_op_init_db(&ctx, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench-c2engine: %s\n", err);
		return 1;
	}
	sodium_memzero(mk, sizeof(mk));
	ctx.tr.publish = fake_publish;
	ctx.connected = 1;
	t0 = now_s();
	if (add_fleet(n, "bench/t") != 0) {
		fprintf(stderr, "bench-c2engine: setup failed\n");
		return 1;
	}
	printf("# %d devices added and linked in %.2f s\n", n, now_s() - t0);
	printf("%-8s %-6s %10s %10s %10s %12s %12s\n", "devices", "round", "total s", "devices s",
	       "C2 s", "C2 dev/s", "C2 CPU s");
	perf = perf_start();
	for (r = 0; r < rounds; r++) {
		applied = 0;
		dev_seconds = 0;
		c0 = cpu_s();
		t0 = now_s();
		if (rotate_once("bench/t") != 0)
			return 1;
		total = now_s() - t0;
		/* The devices' share is CPU too (they run in this thread). */
		cpu = cpu_s() - c0 - dev_seconds;
		commands = applied;
		printf("%-8d %-6d %10.3f %10.3f %10.3f %12.0f %12.3f\n", n, r, total, dev_seconds,
		       total - dev_seconds, n / (total - dev_seconds), cpu);
		if (cpu < best_cpu)
			best_cpu = cpu;
		if (commands != 2L * n)
			fprintf(stderr, "bench-c2engine: %ld commands applied, expected %d\n", commands,
			        2 * n);
		if (total - dev_seconds < best) {
			best = total - dev_seconds;
			best_dev = dev_seconds;
		}
	}
	perf_stop(perf);
	printf("metric: c2engine_%d_rotate_c2_seconds %.3f\n", n, best);
	printf("metric: c2engine_%d_rotate_device_seconds %.3f\n", n, best_dev);
	printf("metric: c2engine_%d_rotate_c2_cpu_seconds %.3f\n", n, best_cpu);
	printf("metric: c2engine_%d_devices_per_c2_second %.0f\n", n, n / best);
	printf("metric: c2engine_%d_us_per_device %.1f\n", n, best * 1e6 / n);
	c2_db_close(ctx.db);
	for (r = 0; r < n; r++)
		e4_client_wipe(&devs[r].c);
	free(devs);
	free(map);
	free(queue);
	snprintf(path, sizeof(path), "rm -rf '%s'", argv[1]);
	return system(path) == 0 ? 0 : 1;
}
