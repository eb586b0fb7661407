/*
 * cmd_pub.c - "e4 pub": the mosquitto_pub counterpart that protects each
 * message with the device's key for the topic, through libe4mqtt.  Flags
 * mean what they mean to mosquitto_pub (see cmd_mqtt.c for the refused
 * ones, mqtt_conn.c for the connection).
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mqtt_tool.h"

enum { PU_MESSAGE = C_NCOMMON, PU_FILE, PU_STDIN, PU_LINES, PU_NULL, PU_RETAIN, PU_INFLIGHT,
       PU_REPEAT, PU_REPEAT_DELAY };
static const struct tool_opt pub_opts[] = {
	MQTT_COMMON_OPTS("topic to publish on (required, or in -L)",
	                 "the message is hex text (decoded before protecting)",
	                 "MQTT client id (default: the device's hex id followed by -pub)"),
	[PU_MESSAGE] = { "message", 'm', "MSG", "the message" },
	[PU_FILE] = { "file", 'f', "FILE", "send the content of FILE as the message" },
	[PU_STDIN] = { "stdin-file", 's', NULL, "send all of stdin as one message (the default)" },
	[PU_LINES] = { "stdin-line", 'l', NULL, "send each line of stdin as a message" },
	[PU_NULL] = { "null-message", 'n', NULL, "send an empty message (still a 24-byte frame)" },
	[PU_RETAIN] = { "retain", 'r', NULL, "retain the message" },
	[PU_INFLIGHT] = { "max-inflight", 'M', "N", "QoS 1 and 2 messages in flight at most" },
	[PU_REPEAT] = { "repeat", 0, "N", "publish the message N times (-m, -f, -s)" },
	[PU_REPEAT_DELAY] = { "repeat-delay", 0, "S", "seconds between repeats (default 0)" },
};

/* pub: counts acknowledged publications. */
static void pub_published(void *ctx, int mid)
{
	struct run *r = ctx;

	(void)mid;
	r->acked++;
	if (r->acked >= r->sent && r->sent > 0)
		r->done = 1;
}

/* Reads the message(s) as the options say into *buf (lines split by pub_send). */
static int pub_input(struct run *r, uint8_t **buf, size_t *len)
{
	const struct tool_args *a = r->a;
	int sources = tool_has(a, PU_MESSAGE) + tool_has(a, PU_FILE) + tool_has(a, PU_STDIN) +
	              tool_has(a, PU_LINES) + tool_has(a, PU_NULL);

	if (sources > 1) {
		mqtt_err(r, "give only one of -m, -f, --stdin-file, -l and -n");
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
		mqtt_err(r, "topic %s: %s in store %s (the C2 gives it with \"e4c2 link\","
		         " or e4 device set-topic-key)", topic, e4_strerror(err), tool_get(r->a, C_STORE));
		return TOOL_FAIL;
	}
	if (err != 0) {
		mqtt_err(r, "topic %s: %s", topic, e4_mqtt_strerror(err));
		return TOOL_FAIL;
	}
	r->sent++;
	return TOOL_OK;
}

/* Waits for the CONNACK (30 s at most). */
static int pub_wait_connected(struct run *r)
{
	double t0 = mqtt_mono();
	int timed_out;

	while (!r->connected && !r->failed && !mqtt_stop_signal) {
		r->done = 0;
		if (mqtt_run_loop(r, 0.2, &timed_out) != TOOL_OK)
			return TOOL_FAIL;
		if (mqtt_mono() - t0 > 30) {
			mqtt_err(r, "no answer from the broker after 30 s");
			return TOOL_FAIL;
		}
	}
	return r->connected ? TOOL_OK : TOOL_FAIL;
}

/* Runs the loop for s seconds (--repeat-delay), whatever acks arrive meanwhile. */
static int pub_pause(struct run *r, double s)
{
	double end = mqtt_mono() + s, now;
	int timed_out, rc = TOOL_OK;

	while (rc == TOOL_OK && (now = mqtt_mono()) < end && !mqtt_stop_signal && !r->failed) {
		r->done = 0;
		rc = mqtt_run_loop(r, end - now, &timed_out);
	}
	return rc;
}

/* Publishes the input once connected: one message (--repeat N times), or one per line with -l. */
static int pub_send(struct run *r, const char *topic, uint8_t *buf, size_t len, uint32_t repeat,
                    double delay)
{
	size_t start = 0, i;
	uint32_t n;
	int rc = pub_wait_connected(r);

	if (rc != TOOL_OK)
		return rc;
	if (!tool_has(r->a, PU_LINES)) {
		for (n = 0; n < repeat && rc == TOOL_OK; n++) {
			if (n > 0)
				rc = pub_pause(r, delay);
			if (rc == TOOL_OK)
				rc = pub_one(r, topic, buf, len);
		}
		return rc;
	}
	for (i = 0; i <= len && rc == TOOL_OK; i++) {
		if (i < len && buf[i] != '\n')
			continue;
		if (i > start)
			rc = pub_one(r, topic, buf + start, i - start);
		start = i + 1;
	}
	return rc;
}

/* Reads -M, --repeat and --repeat-delay. */
static int pub_numbers(struct run *r, uint32_t *repeat, double *delay, uint32_t *inflight)
{
	const struct tool_args *a = r->a;
	char *end;
	int rc = TOOL_OK;

	*repeat = 1;
	*delay = 0;
	if (tool_has(a, PU_REPEAT))
		rc = tool_u32(r->prog, "--repeat", tool_get(a, PU_REPEAT), 1000000, repeat);
	if (rc == TOOL_OK && *repeat == 0) {
		mqtt_err(r, "--repeat: must be at least 1");
		rc = TOOL_USAGE;
	}
	if (rc == TOOL_OK && tool_has(a, PU_REPEAT_DELAY)) {
		*delay = strtod(tool_get(a, PU_REPEAT_DELAY), &end);
		if (*end != '\0' || end == tool_get(a, PU_REPEAT_DELAY) || !(*delay >= 0) ||
		    *delay > 86400) {
			mqtt_err(r, "--repeat-delay: expected seconds from 0 to 86400");
			rc = TOOL_USAGE;
		}
	}
	if (rc == TOOL_OK && tool_has(a, PU_REPEAT) && tool_has(a, PU_LINES)) {
		mqtt_err(r, "--repeat works with -m, -f and -s, not -l");
		rc = TOOL_USAGE;
	}
	if (rc == TOOL_OK && tool_has(a, PU_INFLIGHT))
		rc = tool_u32(r->prog, "-M", tool_get(a, PU_INFLIGHT), 65535, inflight);
	return rc;
}

/* Checks the topic (-t, or the one of -L): one, and no wildcard. */
static const char *pub_topic(struct run *r)
{
	const char *t = tool_get(r->a, C_TOPIC) != NULL ? tool_get(r->a, C_TOPIC) : r->topic;

	if (t == NULL) {
		mqtt_err(r, "missing -t TOPIC");
		return NULL;
	}
	if (tool_nth(r->a, C_TOPIC, 1) != NULL) {
		mqtt_err(r, "-t: give one topic");
		return NULL;
	}
	if (strpbrk(t, "+#") != NULL) {
		mqtt_err(r, "-t %s: a topic to publish on cannot hold the wildcards + or #", t);
		return NULL;
	}
	return t;
}

/* e4 pub: protects with the device's topic key, then publishes. */
static int run_pub(const char *prog, struct tool_args *a)
{
	struct run r;
	uint8_t *buf = NULL;
	size_t len = 0;
	uint32_t repeat, inflight = 0;
	double delay;
	const char *topic = NULL;
	int rc, timed_out;

	memset(&r, 0, sizeof(r));
	r.prog = prog;
	r.a = a;
	r.quiet = tool_has(a, C_QUIET);
	r.hex = tool_has(a, C_HEX);
	rc = pub_numbers(&r, &repeat, &delay, &inflight);
	if (rc == TOOL_OK && tool_get(a, C_TOPIC) == NULL && !tool_has(a, C_URL)) {
		mqtt_err(&r, "missing -t TOPIC");
		rc = TOOL_USAGE;
	}
	if (rc == TOOL_OK && tool_get(a, C_TOPIC) != NULL && pub_topic(&r) == NULL)
		rc = TOOL_USAGE;
	if (rc == TOOL_OK)
		rc = pub_input(&r, &buf, &len);
	if (rc == TOOL_OK)
		rc = mqtt_run_open(&r, "-pub", 0);
	if (rc == TOOL_OK && (topic = pub_topic(&r)) == NULL)
		rc = TOOL_USAGE;
	if (rc == TOOL_OK && inflight > 0)
		(void)mosquitto_max_inflight_messages_set(r.mosq, inflight);
	if (rc == TOOL_OK) {
		r.m.on_published = pub_published;
		rc = pub_send(&r, topic, buf, len, repeat, delay);
	}
	if (rc == TOOL_OK && r.sent > 0 && r.acked < r.sent) {
		r.done = 0;
		rc = mqtt_run_loop(&r, 30, &timed_out);
		if (rc == TOOL_OK && timed_out) {
			mqtt_err(&r, "timed out waiting for the broker");
			rc = TOOL_FAIL;
		}
	}
	if (buf != NULL)
		e4_wipe(buf, len);
	free(buf);
	mqtt_run_close(&r);
	return rc;
}

const struct tool_cmd tool_pub_cmds[] = {
	{ "pub", run_pub, pub_opts, TOOL_NOPTS(pub_opts), "", 0, 0,
	  "like mosquitto_pub: protect with the device's topic key, then publish" },
	{ NULL, NULL, NULL, 0, NULL, 0, 0, NULL }
};
