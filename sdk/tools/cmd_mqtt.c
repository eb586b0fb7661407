/*
 * cmd_mqtt.c - "e4 sub" and "e4 pub": mosquitto_sub/mosquitto_pub
 * counterparts that protect with a device store, through libe4mqtt.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mosquitto.h>

#include "e4/mqtt.h"
#include "tool.h"

/* Options common to pub and sub, at the same indexes in both tables. */
enum { C_STORE, C_HOST, C_PORT, C_USER, C_PASS, C_CAFILE, C_CAPATH, C_CERT, C_KEY,
       C_INSECURE, C_QOS, C_ID, C_VERSION, C_KEEPALIVE, C_TOPIC, C_HEX, C_CLOCKLESS, C_NCOMMON };
#define COMMON_OPTS \
	[C_STORE] = { "store", 0, "PATH", "the device store file (mode 0600); required" }, \
	[C_HOST] = { "host", 'h', "HOST", "broker host (default localhost)" }, \
	[C_PORT] = { "port", 'p', "PORT", "broker port (default 1883, 8883 with TLS)" }, \
	[C_USER] = { "username", 'u', "NAME", "MQTT username" }, \
	[C_PASS] = { "pw", 'P', "PASSWORD", "MQTT password (visible in ps)" }, \
	[C_CAFILE] = { "cafile", 0, "FILE", "enable TLS, trusting the CAs in FILE" }, \
	[C_CAPATH] = { "capath", 0, "DIR", "enable TLS, trusting the CAs in DIR" }, \
	[C_CERT] = { "cert", 0, "FILE", "TLS client certificate" }, \
	[C_KEY] = { "key", 0, "FILE", "TLS client private key (as in mosquitto_sub)" }, \
	[C_INSECURE] = { "insecure", 0, NULL, "do not check the broker's host name (TLS)" }, \
	[C_QOS] = { "qos", 'q', "0|1|2", "quality of service (default 0)" }, \
	[C_ID] = { "id", 'i', "ID", "MQTT client id (default: the device's hex id" SUFFIX_HELP ")" }, \
	[C_VERSION] = { "protocol-version", 'V', "V", "mqttv5, mqttv311 or mqttv31 (or 5, 311, 31)" }, \
	[C_KEEPALIVE] = { "keepalive", 'k', "S", "keepalive in seconds (default 60)" }, \
	[C_TOPIC] = { "topic", 't', "TOPIC", TOPIC_HELP }, \
	[C_HEX] = { "hex", 'x', NULL, HEX_HELP }, \
	[C_CLOCKLESS] = { "clockless", 0, NULL, "no trusted clock: time is the newest C2 command's" \
	                  " (the device's time floor, moved by heartbeats)" }

/* State of a pub or sub run. */
struct run {
	const char *prog;
	struct tool_args *a;
	struct tool_device *d;
	struct mosquitto *mosq;
	struct e4_mqtt m;
	int qos, hex, verbose, connected, failed, done;
	long count, max_count;
	int sent, acked;
	double delay;         /* seconds before the next connection attempt */
	int retrying;         /* the broker was unreachable: say when it answers */
	const char *host;
	unsigned port;
};

#define RETRY_FIRST 0.5   /* seconds; doubled after each failure */
#define RETRY_MAX   30.0

static volatile sig_atomic_t stop_signal;

static void put_topic(FILE *f, const char *t);

/* SIGINT/SIGTERM: ends the loop cleanly. */
static void on_signal(int sig)
{
	stop_signal = sig;
}

/* libe4mqtt sync hooks: a shared store is reloaded under its lock when changed. */
static int sync_begin(void *ctx)
{
	struct run *r = ctx;

	return tool_device_lock_sync(r->prog, r->d) == TOOL_OK ? 0 : E4_ERR_STORE_IO;
}

static void sync_end(void *ctx)
{
	struct run *r = ctx;

	tool_device_unlock(r->d);
}

/* Connection result. */
static void on_connect(void *ctx, int rc)
{
	struct run *r = ctx;

	if (rc != 0) {
		tool_err(r->prog, "connection refused: %s", mosquitto_connack_string(rc));
		r->failed = 1;
		r->done = 1;
		return;
	}
	r->connected = 1;
	r->delay = RETRY_FIRST;
	if (r->retrying)
		tool_err(r->prog, "connected to %s:%u", r->host, r->port);
	r->retrying = 0;
}

/* The broker refused a subscription: fatal for the control topic (no command would arrive). */
static void on_refused(void *ctx, const char *topic, int is_control, int code)
{
	struct run *r = ctx;
	const char *dev = e4_client_control_topic(&r->d->client) + 3;

	if (!is_control) {
		fprintf(stderr, "%s: the broker refused the subscription to ", r->prog);
		put_topic(stderr, topic);
		fprintf(stderr, " (code 0x%02x)\n", (unsigned)code);
		return;
	}
	if (tool_has(r->a, C_ID) && strcmp(tool_get(r->a, C_ID), dev) != 0)
		tool_err(r->prog, "the broker refused the subscription to the control topic %s (code"
		         " 0x%02x): this device would get no C2 command; the client id (-i) is not"
		         " the device id %s, which an E4 broker requires", topic, (unsigned)code, dev);
	else
		tool_err(r->prog, "the broker refused the subscription to the control topic %s (code"
		         " 0x%02x): this device would get no C2 command", topic, (unsigned)code);
	r->failed = 1;
	r->done = 1;
}

/* Parses -V. */
static int parse_version(const char *prog, const char *v, int *out)
{
	static const struct { const char *name; int version; } names[] = {
		{ "mqttv5", MQTT_PROTOCOL_V5 }, { "5", MQTT_PROTOCOL_V5 },
		{ "mqttv311", MQTT_PROTOCOL_V311 }, { "311", MQTT_PROTOCOL_V311 },
		{ "mqttv31", MQTT_PROTOCOL_V31 }, { "31", MQTT_PROTOCOL_V31 },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(v, names[i].name) == 0) {
			*out = names[i].version;
			return TOOL_OK;
		}
	}
	tool_err(prog, "-V: unknown protocol version '%s' (mqttv5, mqttv311 or mqttv31)", v);
	return TOOL_USAGE;
}

/* Reads the numeric connection options. */
static int conn_numbers(struct run *r, uint32_t *port, uint32_t *keepalive, int *version)
{
	const struct tool_args *a = r->a;
	uint32_t qos = 0;
	int rc = TOOL_OK;

	*port = tool_has(a, C_CAFILE) || tool_has(a, C_CAPATH) ? 8883 : 1883;
	*keepalive = 60;
	*version = MQTT_PROTOCOL_V311;
	if (tool_has(a, C_PORT))
		rc = tool_u32(r->prog, "-p", tool_get(a, C_PORT), 65535, port);
	if (rc == TOOL_OK && tool_has(a, C_KEEPALIVE))
		rc = tool_u32(r->prog, "-k", tool_get(a, C_KEEPALIVE), 65535, keepalive);
	if (rc == TOOL_OK && tool_has(a, C_QOS))
		rc = tool_u32(r->prog, "-q", tool_get(a, C_QOS), 2, &qos);
	if (rc == TOOL_OK && tool_has(a, C_VERSION))
		rc = parse_version(r->prog, tool_get(a, C_VERSION), version);
	if (rc == TOOL_OK && *port == 0) {
		tool_err(r->prog, "-p: port 0 is not valid");
		rc = TOOL_USAGE;
	}
	r->qos = (int)qos;
	return rc;
}

/* Applies credentials and TLS options. */
static int conn_security(struct run *r)
{
	const struct tool_args *a = r->a;
	int rc = MOSQ_ERR_SUCCESS;

	if (tool_has(a, C_PASS) && !tool_has(a, C_USER)) {
		tool_err(r->prog, "-P needs -u");
		return TOOL_USAGE;
	}
	if (tool_has(a, C_USER))
		rc = mosquitto_username_pw_set(r->mosq, tool_get(a, C_USER), tool_get(a, C_PASS));
	if (rc == MOSQ_ERR_SUCCESS && (tool_has(a, C_CAFILE) || tool_has(a, C_CAPATH)))
		rc = mosquitto_tls_set(r->mosq, tool_get(a, C_CAFILE), tool_get(a, C_CAPATH),
		                       tool_get(a, C_CERT), tool_get(a, C_KEY), NULL);
	else if (rc == MOSQ_ERR_SUCCESS && (tool_has(a, C_CERT) || tool_has(a, C_KEY))) {
		tool_err(r->prog, "--cert and --key need --cafile or --capath");
		return TOOL_USAGE;
	}
	if (rc == MOSQ_ERR_SUCCESS && tool_has(a, C_INSECURE))
		rc = mosquitto_tls_insecure_set(r->mosq, true);
	if (rc != MOSQ_ERR_SUCCESS) {
		tool_err(r->prog, "%s", mosquitto_strerror(rc));
		return TOOL_FAIL;
	}
	return TOOL_OK;
}

/*
 * Loads the device, creates the mosquitto client and connects; with retry,
 * an unreachable broker is reported once and run_loop keeps trying.
 */
static int run_open(struct run *r, const char *id_suffix, int retry)
{
	char id[64];
	uint32_t port, keepalive;
	int version, rc, err;

	if (tool_get(r->a, C_STORE) == NULL) {
		tool_err(r->prog, "missing --store PATH");
		return TOOL_USAGE;
	}
	rc = conn_numbers(r, &port, &keepalive, &version);
	if (rc != TOOL_OK)
		return rc;
	r->d = tool_device_new(tool_get(r->a, C_STORE));
	if (r->d == NULL)
		return TOOL_FAIL;
	r->d->no_clock = tool_has(r->a, C_CLOCKLESS);
	if (tool_device_lock_load(r->prog, r->d) != TOOL_OK)
		return TOOL_FAIL;
	tool_device_unlock(r->d);
	snprintf(id, sizeof(id), "%s%s", e4_client_control_topic(&r->d->client) + 3, id_suffix);
	mosquitto_lib_init();
	r->mosq = mosquitto_new(tool_has(r->a, C_ID) ? tool_get(r->a, C_ID) : id, true, NULL);
	if (r->mosq == NULL) {
		tool_err(r->prog, "cannot create the MQTT client (bad client id?)");
		return TOOL_FAIL;
	}
	(void)mosquitto_int_option(r->mosq, MOSQ_OPT_PROTOCOL_VERSION, version);
	rc = conn_security(r);
	if (rc != TOOL_OK)
		return rc;
	err = e4_mqtt_init(&r->m, r->mosq, &r->d->client);
	if (err != 0) {
		tool_err(r->prog, "%s", e4_mqtt_strerror(err));
		return TOOL_FAIL;
	}
	r->m.ctx = r;
	r->m.publish_only = id_suffix[0] != '\0';
	r->m.on_connect = on_connect;
	r->m.on_refused = on_refused;
	r->m.sync_begin = sync_begin;
	r->m.sync_end = sync_end;
	r->host = tool_has(r->a, C_HOST) ? tool_get(r->a, C_HOST) : "localhost";
	r->port = (unsigned)port;
	r->delay = RETRY_FIRST;
	err = mosquitto_connect(r->mosq, r->host, (int)port, (int)keepalive);
	if (err != MOSQ_ERR_SUCCESS) {
		tool_err(r->prog, "cannot connect to %s:%u: %s%s", r->host, r->port,
		         err == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(err),
		         retry ? "; retrying with backoff (up to 30 s between attempts)" : "");
		/* Host and port are recorded: mosquitto_reconnect() retries them. */
		if (!retry || err != MOSQ_ERR_ERRNO)
			return TOOL_FAIL;
		r->retrying = 1;
	}
	return TOOL_OK;
}

/* Frees what run_open made. */
static void run_close(struct run *r)
{
	if (r->mosq != NULL) {
		mosquitto_disconnect(r->mosq);
		(void)mosquitto_loop(r->mosq, 100, 1);
		mosquitto_destroy(r->mosq);
		mosquitto_lib_cleanup();
	}
	tool_device_free(r->d);
}

/* Monotonic seconds. */
static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleeps up to s seconds (a signal cuts it short). */
static void pause_for(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

/*
 * Waits r->delay (at most until the timeout), tries to reconnect, and
 * doubles the delay up to RETRY_MAX, as e4c2d does: every attempt that
 * does not end in a CONNACK (refused, or dropped by the peer) waits twice
 * as long as the previous one; on_connect resets it.
 */
static void reconnect(struct run *r, double timeout, double start)
{
	double left = timeout > 0 ? timeout - (mono() - start) : r->delay;

	pause_for(left < r->delay ? left : r->delay);
	if (stop_signal || (timeout > 0 && mono() - start >= timeout))
		return;
	(void)mosquitto_reconnect(r->mosq);
	r->delay *= 2;
	if (r->delay > RETRY_MAX)
		r->delay = RETRY_MAX;
}

/* Runs the network loop until done, a signal, or the timeout (0: none); reconnects. */
static int run_loop(struct run *r, double timeout, int *timed_out)
{
	double start = mono();
	int rc;

	*timed_out = 0;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!r->done && !stop_signal) {
		if (timeout > 0 && mono() - start >= timeout) {
			*timed_out = 1;
			break;
		}
		rc = mosquitto_loop(r->mosq, 100, 1);
		if (rc == MOSQ_ERR_SUCCESS)
			continue;
		if (r->failed)
			break;  /* already reported (refused connection) */
		if (rc == MOSQ_ERR_NO_CONN || rc == MOSQ_ERR_CONN_LOST || rc == MOSQ_ERR_ERRNO) {
			r->connected = 0;
			reconnect(r, timeout, start);
			continue;
		}
		tool_err(r->prog, "%s", mosquitto_strerror(rc));
		return TOOL_FAIL;
	}
	return r->failed ? TOOL_FAIL : TOOL_OK;
}

/* Writes a topic with non-printable bytes replaced (it is untrusted). */
static void put_topic(FILE *f, const char *t)
{
	for (; *t != '\0'; t++)
		fputc((unsigned char)*t < 0x20 || *t == 0x7f ? '?' : *t, f);
}

/* sub: a decrypted message. */
static void sub_message(void *ctx, const char *topic, const uint8_t *msg, size_t len,
                        const struct e4_recv_info *info)
{
	struct run *r = ctx;

	(void)info;
	if (r->verbose) {
		put_topic(stdout, topic);
		fputc(' ', stdout);
	}
	if (r->hex) {
		tool_print_hex(msg, len);
	} else {
		fwrite(msg, 1, len, stdout);
		fputc('\n', stdout);
	}
	fflush(stdout);
	if (r->max_count > 0 && ++r->count >= r->max_count)
		r->done = 1;
}

/* sub: a frame that did not unprotect; reported, the loop goes on. */
static void sub_error(void *ctx, const char *topic, int err)
{
	struct run *r = ctx;

	fprintf(stderr, "%s: message on ", r->prog);
	put_topic(stderr, topic);
	fprintf(stderr, " refused: %s\n", e4_strerror(err));
}

/* sub: a C2 command (described on stderr; stdout carries messages only). */
static void sub_command(void *ctx, const struct e4_recv_info *info, int err, int ack_err)
{
	struct run *r = ctx;
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "%s: ", r->prog);
	tool_describe_command(stderr, prefix, info, err);
	if (ack_err != 0)
		tool_err(r->prog, "publishing the ack: %s", e4_mqtt_strerror(ack_err));
}

#define SUFFIX_HELP ""
#define TOPIC_HELP "subscribe to TOPIC too (repeatable; the control topic always is)"
#define HEX_HELP "print payloads as hex"
enum { SU_COUNT = C_NCOMMON, SU_TIMEOUT, SU_VERBOSE };
static const struct tool_opt sub_opts[] = {
	COMMON_OPTS,
	[SU_COUNT] = { "count", 'C', "N", "exit after N decrypted messages" },
	[SU_TIMEOUT] = { "timeout", 'W', "S", "exit after S seconds (status 1 if -C is not reached)" },
	[SU_VERBOSE] = { "verbose", 'v', NULL, "print \"topic payload\"" },
};
#undef SUFFIX_HELP
#undef TOPIC_HELP
#undef HEX_HELP

/* e4 sub: prints decrypted messages; applies and acknowledges commands. */
static int run_sub(const char *prog, struct tool_args *a)
{
	struct run r;
	uint32_t timeout = 0, count = 0;
	const char *t;
	int rc, k, err, timed_out = 0;

	memset(&r, 0, sizeof(r));
	r.prog = prog;
	r.a = a;
	r.hex = tool_has(a, C_HEX);
	r.verbose = tool_has(a, SU_VERBOSE);
	rc = tool_has(a, SU_COUNT) ? tool_u32(prog, "-C", tool_get(a, SU_COUNT), INT32_MAX, &count)
	                           : TOOL_OK;
	if (rc == TOOL_OK && tool_has(a, SU_TIMEOUT))
		rc = tool_u32(prog, "-W", tool_get(a, SU_TIMEOUT), 86400u * 365u, &timeout);
	if (rc == TOOL_OK && count == 0 && tool_has(a, SU_COUNT)) {
		tool_err(prog, "-C: must be at least 1");
		rc = TOOL_USAGE;
	}
	r.max_count = count;
	if (rc == TOOL_OK)
		rc = run_open(&r, "", 1);
	for (k = 0; rc == TOOL_OK && (t = tool_nth(a, C_TOPIC, k)) != NULL; k++) {
		err = e4_mqtt_subscribe(&r.m, t, r.qos);
		if (err != 0) {
			tool_err(prog, "-t %s: %s", t, e4_mqtt_strerror(err));
			rc = err < 0 ? TOOL_USAGE : TOOL_FAIL;
		}
	}
	if (rc == TOOL_OK) {
		r.m.on_message = sub_message;
		r.m.on_error = sub_error;
		r.m.on_command = sub_command;
		rc = run_loop(&r, timeout, &timed_out);
	}
	if (rc == TOOL_OK && timed_out && r.max_count > 0) {
		tool_err(prog, "timed out after %u s (%ld of %ld messages)", (unsigned)timeout, r.count,
		         r.max_count);
		rc = TOOL_FAIL;
	}
	run_close(&r);
	return rc;
}

/* pub: counts acknowledged publications. */
static void pub_published(void *ctx, int mid)
{
	struct run *r = ctx;

	(void)mid;
	r->acked++;
	if (r->acked >= r->sent && r->sent > 0)
		r->done = 1;
}

#define SUFFIX_HELP " followed by -pub"
#define TOPIC_HELP "topic to publish on (required)"
#define HEX_HELP "the message is hex text (decoded before protecting)"
enum { PU_MESSAGE = C_NCOMMON, PU_FILE, PU_STDIN, PU_LINES, PU_NULL, PU_RETAIN };
static const struct tool_opt pub_opts[] = {
	COMMON_OPTS,
	[PU_MESSAGE] = { "message", 'm', "MSG", "the message" },
	[PU_FILE] = { "file", 'f', "FILE", "send the content of FILE as the message" },
	[PU_STDIN] = { "stdin-file", 's', NULL, "send all of stdin as one message (the default)" },
	[PU_LINES] = { "stdin-line", 'l', NULL, "send each line of stdin as a message" },
	[PU_NULL] = { "null-message", 'n', NULL, "send an empty message (still a 24-byte frame)" },
	[PU_RETAIN] = { "retain", 'r', NULL, "retain the message" },
};
#undef SUFFIX_HELP
#undef TOPIC_HELP
#undef HEX_HELP

/* Reads the message(s) as the options say into *buf (lines split by pub_send). */
static int pub_input(struct run *r, uint8_t **buf, size_t *len)
{
	const struct tool_args *a = r->a;
	int sources = tool_has(a, PU_MESSAGE) + tool_has(a, PU_FILE) + tool_has(a, PU_STDIN) +
	              tool_has(a, PU_LINES) + tool_has(a, PU_NULL);

	if (sources > 1) {
		tool_err(r->prog, "give only one of -m, -f, --stdin-file, -l and -n");
		return TOOL_USAGE;
	}
	if (tool_has(a, PU_MESSAGE)) {
		*len = strlen(tool_get(a, PU_MESSAGE));
		*buf = malloc(*len + 1);
		if (*buf == NULL)
			return TOOL_FAIL;
		memcpy(*buf, tool_get(a, PU_MESSAGE), *len + 1);
		return r->hex ? tool_unhex(r->prog, "-m", *buf, len) : TOOL_OK;
	}
	if (tool_has(a, PU_NULL)) {
		*len = 0;
		*buf = malloc(1);
		return *buf == NULL ? TOOL_FAIL : TOOL_OK;
	}
	if (tool_has(a, PU_FILE))
		return tool_read_file(r->prog, tool_get(a, PU_FILE), r->hex, buf, len);
	return tool_read_input(r->prog, r->hex && !tool_has(a, PU_LINES), buf, len);
}

/* Protects and publishes one message. */
static int pub_one(struct run *r, const char *topic, uint8_t *msg, size_t len)
{
	int err;

	if (tool_has(r->a, PU_LINES) && r->hex && tool_unhex(r->prog, "line", msg, &len) != TOOL_OK)
		return TOOL_FAIL;
	err = e4_mqtt_publish(&r->m, NULL, topic, msg, len, r->qos, tool_has(r->a, PU_RETAIN));
	if (err == E4_ERR_NO_TOPIC_KEY) {
		tool_err(r->prog, "topic %s: %s in store %s (the C2 gives it with \"e4c2 link\","
		         " or e4 device set-topic-key)", topic, e4_strerror(err), tool_get(r->a, C_STORE));
		return TOOL_FAIL;
	}
	if (err != 0) {
		tool_err(r->prog, "topic %s: %s", topic, e4_mqtt_strerror(err));
		return TOOL_FAIL;
	}
	r->sent++;
	return TOOL_OK;
}

/* Publishes the input once connected: one message, or one per line with -l. */
static int pub_send(struct run *r, const char *topic, uint8_t *buf, size_t len)
{
	size_t start = 0, i;
	int rc = TOOL_OK, timed_out;
	double t0 = mono();

	while (!r->connected && !r->failed && !stop_signal) {
		r->done = 0;
		if (run_loop(r, 0.2, &timed_out) != TOOL_OK)
			return TOOL_FAIL;
		if (mono() - t0 > 30) {
			tool_err(r->prog, "no answer from the broker after 30 s");
			return TOOL_FAIL;
		}
	}
	if (!r->connected)
		return TOOL_FAIL;
	if (!tool_has(r->a, PU_LINES))
		return pub_one(r, topic, buf, len);
	for (i = 0; i <= len && rc == TOOL_OK; i++) {
		if (i < len && buf[i] != '\n')
			continue;
		if (i > start)
			rc = pub_one(r, topic, buf + start, i - start);
		start = i + 1;
	}
	return rc;
}

/* e4 pub: protects with the device's topic key, then publishes. */
static int run_pub(const char *prog, struct tool_args *a)
{
	struct run r;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc, timed_out;

	memset(&r, 0, sizeof(r));
	r.prog = prog;
	r.a = a;
	r.hex = tool_has(a, C_HEX);
	if (tool_get(a, C_TOPIC) == NULL) {
		tool_err(prog, "missing -t TOPIC");
		return TOOL_USAGE;
	}
	if (tool_nth(a, C_TOPIC, 1) != NULL) {
		tool_err(prog, "-t: give one topic");
		return TOOL_USAGE;
	}
	if (strpbrk(tool_get(a, C_TOPIC), "+#") != NULL) {
		tool_err(prog, "-t %s: a topic to publish on cannot hold the wildcards + or #",
		         tool_get(a, C_TOPIC));
		return TOOL_USAGE;
	}
	rc = pub_input(&r, &buf, &len);
	if (rc == TOOL_OK)
		rc = run_open(&r, "-pub", 0);
	if (rc == TOOL_OK) {
		r.m.on_published = pub_published;
		rc = pub_send(&r, tool_get(a, C_TOPIC), buf, len);
	}
	if (rc == TOOL_OK && r.sent > 0 && r.acked < r.sent) {
		r.done = 0;
		rc = run_loop(&r, 30, &timed_out);
		if (rc == TOOL_OK && timed_out) {
			tool_err(prog, "timed out waiting for the broker");
			rc = TOOL_FAIL;
		}
	}
	if (buf != NULL)
		e4_wipe(buf, len);
	free(buf);
	run_close(&r);
	return rc;
}

const struct tool_cmd tool_mqtt_cmds[] = {
	{ "sub", run_sub, sub_opts, TOOL_NOPTS(sub_opts), "", 0, 0,
	  "like mosquitto_sub: print decrypted messages, apply and ack C2 commands" },
	{ "pub", run_pub, pub_opts, TOOL_NOPTS(pub_opts), "", 0, 0,
	  "like mosquitto_pub: protect with the device's topic key, then publish" },
	{ NULL, NULL, NULL, 0, NULL, 0, 0, NULL }
};
