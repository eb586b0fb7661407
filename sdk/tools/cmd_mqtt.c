/*
 * cmd_mqtt.c - "e4 sub": the mosquitto_sub counterpart that opens
 * messages and applies C2 commands with a device store, through
 * libe4mqtt.  Flags mean what they mean to mosquitto_sub; those it has
 * and e4 does not support are refused by name (tool_refused).  "e4 pub"
 * is in cmd_pub.c, the connection in mqtt_conn.c.
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

/* Refused mosquitto_sub and mosquitto_pub options, with what they do there. */
#define REFUSED(cmd) \
	{ cmd, "property", 'D', "MQTT 5 properties" }, \
	{ cmd, "keyform", 0, "TLS keys from an OpenSSL engine" }, \
	{ cmd, "tls-engine", 0, "OpenSSL engines" }, \
	{ cmd, "tls-engine-kpass-sha1", 0, "OpenSSL engines" }, \
	{ cmd, "psk", 0, "TLS-PSK" }, \
	{ cmd, "psk-identity", 0, "TLS-PSK" }, \
	{ cmd, "proxy", 0, "SOCKS5 proxies" }
const struct tool_refused tool_refused[] = {
	REFUSED("sub"),
	{ "sub", "pretty", 0, "indented JSON output of -F %j, which e4 sub has not" },
	REFUSED("pub"),
	{ NULL, NULL, 0, NULL }
};

enum { SU_COUNT = C_NCOMMON, SU_TIMEOUT, SU_VERBOSE, SU_FORMAT, SU_NOEOL, SU_NOSTALE,
       SU_RETAINED_ONLY, SU_REMOVE_RETAINED, SU_FILTER_OUT, SU_UNSUB, SU_EXIT_SUBACK,
       SU_RANDOM };
static const struct tool_opt sub_opts[] = {
	MQTT_COMMON_OPTS("subscribe to TOPIC too (repeatable; the control topic always is)",
	                 "print payloads as hex (as -F %x)",
	                 "MQTT client id (default: the device's hex id)"),
	[SU_COUNT] = { "count", 'C', "N", "exit after N decrypted messages" },
	[SU_TIMEOUT] = { "timeout", 'W', "S", "exit after S seconds (status 1 if -C is not reached)" },
	[SU_VERBOSE] = { "verbose", 'v', NULL, "print \"topic payload\"" },
	[SU_FORMAT] = { "format", 'F', "FMT", "output format: %t %p %x %X %l %m %q %r %U %I %%,"
	                " \\n \\t \\\\ ... (see e4(1))" },
	[SU_NOEOL] = { "no-eol", 'N', NULL, "no newline after each payload" },
	[SU_NOSTALE] = { "no-stale", 'R', NULL, "do not print retained messages" },
	[SU_RETAINED_ONLY] = { "retained-only", 0, NULL,
	                       "print retained messages only; exit at the first other one" },
	[SU_REMOVE_RETAINED] = { "remove-retained", 0, NULL,
	                         "clear each retained message received (empty retained publish)" },
	[SU_FILTER_OUT] = { "filter-out", 'T', "FILTER", "do not print messages matching FILTER"
	                    " (repeatable)" },
	[SU_UNSUB] = { "unsubscribe", 'U', "TOPIC", "unsubscribe from TOPIC after connecting"
	               " (repeatable)" },
	[SU_EXIT_SUBACK] = { "exit-after-suback", 'E', NULL,
	                     "exit once every subscription (the control topic's too) is acked" },
	[SU_RANDOM] = { "random-filter", 0, "PCT", "print only PCT percent of the messages" },
};

/* Checks a -F format once: every % and \ sequence must be one e4 sub knows. */
static int format_check(const struct run *r, const char *f)
{
	for (; *f != '\0'; f++) {
		if (*f == '%' && (f[1] == '\0' || strchr("%tpxXlmqrUI", f[1]) == NULL)) {
			mqtt_err(r, "-F: %%%c is not supported by e4 sub (see e4(1))",
			         f[1] != '\0' ? f[1] : ' ');
			return TOOL_USAGE;
		}
		if (*f == '\\' && (f[1] == '\0' || strchr("\\nrtvae0", f[1]) == NULL)) {
			mqtt_err(r, "-F: \\%c is not supported by e4 sub (see e4(1))",
			         f[1] != '\0' ? f[1] : ' ');
			return TOOL_USAGE;
		}
		if (*f == '%' || *f == '\\')
			f++;
	}
	return TOOL_OK;
}

/* Writes the time of now as -F %U (Unix seconds.nanoseconds) or %I (ISO 8601). */
static void put_time(char kind)
{
	struct timespec ts;
	struct tm tm;
	char buf[64];

	clock_gettime(CLOCK_REALTIME, &ts);
	if (kind == 'U') {
		printf("%lld.%09ld", (long long)ts.tv_sec, ts.tv_nsec);
		return;
	}
	localtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S%z", &tm);
	fputs(buf, stdout);
}

/* Writes one message in the -F format. */
static void format_print(const char *f, const char *topic, const uint8_t *msg, size_t len,
                         const struct mosquitto_message *mm)
{
	static const char esc_in[] = "\\nrtvae0", esc_out[] = "\\\n\r\t\v\a\033";
	size_t i;

	for (; *f != '\0'; f++) {
		if (*f == '\\') {
			f++;
			fputc(*f == '0' ? '\0' : esc_out[strchr(esc_in, *f) - esc_in], stdout);
			continue;
		}
		if (*f != '%') {
			fputc(*f, stdout);
			continue;
		}
		switch (*++f) {
		case 't': mqtt_put_topic(stdout, topic); break;
		case 'p': fwrite(msg, 1, len, stdout); break;
		case 'x': case 'X':
			for (i = 0; i < len; i++)
				printf(*f == 'x' ? "%02x" : "%02X", msg[i]);
			break;
		case 'l': printf("%zu", len); break;
		case 'm': printf("%d", mm != NULL ? mm->mid : 0); break;
		case 'q': printf("%d", mm != NULL ? mm->qos : 0); break;
		case 'r': printf("%d", mm != NULL && mm->retain); break;
		case 'U': case 'I': put_time(*f); break;
		default: fputc('%', stdout); break;
		}
	}
}

/* Whether a message passes -R, --retained-only, -T and --random-filter (may end the run). */
static int sub_wanted(struct run *r, const char *topic, const struct mosquitto_message *mm)
{
	int retained = mm != NULL && mm->retain, k;
	const char *filter;
	bool match;

	if (tool_has(r->a, SU_RETAINED_ONLY) && !retained) {
		r->done = 1;
		return 0;
	}
	if (tool_has(r->a, SU_NOSTALE) && retained)
		return 0;
	for (k = 0; (filter = tool_nth(r->a, SU_FILTER_OUT, k)) != NULL; k++)
		if (mosquitto_topic_matches_sub(filter, topic, &match) == MOSQ_ERR_SUCCESS && match)
			return 0;
	if (retained && tool_has(r->a, SU_REMOVE_RETAINED))
		(void)mosquitto_publish(r->mosq, NULL, topic, 0, NULL, 1, true);
	return r->random_pct >= 100.0 || (double)rand() / RAND_MAX * 100.0 < r->random_pct;
}

/* sub: a decrypted message. */
static void sub_message(void *ctx, const char *topic, const uint8_t *msg, size_t len,
                        const struct e4_recv_info *info)
{
	struct run *r = ctx;
	const struct mosquitto_message *mm = e4_mqtt_current_message(&r->m);

	(void)info;
	if (!sub_wanted(r, topic, mm))
		return;
	if (tool_has(r->a, SU_FORMAT)) {
		format_print(tool_get(r->a, SU_FORMAT), topic, msg, len, mm);
	} else {
		if (r->verbose) {
			mqtt_put_topic(stdout, topic);
			fputc(' ', stdout);
		}
		if (r->hex)
			format_print("%x", topic, msg, len, mm);
		else
			fwrite(msg, 1, len, stdout);
	}
	if (!tool_has(r->a, SU_NOEOL))
		fputc('\n', stdout);
	fflush(stdout);
	if (r->max_count > 0 && ++r->count >= r->max_count)
		r->done = 1;
}

/* sub: a frame that did not unprotect; reported, the loop goes on. */
static void sub_error(void *ctx, const char *topic, int err)
{
	struct run *r = ctx;

	if (r->quiet)
		return;
	fprintf(stderr, "%s: message on ", r->prog);
	mqtt_put_topic(stderr, topic);
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
		mqtt_err(r, "publishing the ack: %s", e4_mqtt_strerror(ack_err));
}

/* sub: after each connection, -U unsubscribes. */
static void sub_connected(struct run *r)
{
	const char *t;
	int k;

	r->subacks = 0;
	for (k = 0; (t = tool_nth(r->a, SU_UNSUB, k)) != NULL; k++)
		(void)mosquitto_unsubscribe(r->mosq, NULL, t);
}

/* Reads the numeric options of sub: -C, -W, --random-filter; checks -F. */
static int sub_numbers(struct run *r, uint32_t *timeout)
{
	const struct tool_args *a = r->a;
	uint32_t count = 0;
	char *end;
	int rc = TOOL_OK;

	r->random_pct = 100.0;
	if (tool_has(a, SU_COUNT))
		rc = tool_u32(r->prog, "-C", tool_get(a, SU_COUNT), INT32_MAX, &count);
	if (rc == TOOL_OK && tool_has(a, SU_TIMEOUT))
		rc = tool_u32(r->prog, "-W", tool_get(a, SU_TIMEOUT), 86400u * 365u, timeout);
	if (rc == TOOL_OK && count == 0 && tool_has(a, SU_COUNT)) {
		mqtt_err(r, "-C: must be at least 1");
		rc = TOOL_USAGE;
	}
	if (rc == TOOL_OK && tool_has(a, SU_RANDOM)) {
		r->random_pct = strtod(tool_get(a, SU_RANDOM), &end);
		if (*end != '\0' || end == tool_get(a, SU_RANDOM) || !(r->random_pct >= 0.1) ||
		    r->random_pct > 100.0) {
			mqtt_err(r, "--random-filter: expected a percentage from 0.1 to 100");
			rc = TOOL_USAGE;
		}
	}
	if (rc == TOOL_OK && tool_has(a, SU_FORMAT))
		rc = format_check(r, tool_get(a, SU_FORMAT));
	r->max_count = count;
	return rc;
}

/* Subscribes to -t and the -L topic (the helper resubscribes on reconnection). */
static int sub_topics(struct run *r, int *n)
{
	const char *t;
	int k, err;

	*n = 0;
	for (k = -1; (t = k < 0 ? r->topic : tool_nth(r->a, C_TOPIC, k)) != NULL || k < 0; k++) {
		if (t == NULL)
			continue;
		err = e4_mqtt_subscribe(&r->m, t, r->qos);
		if (err != 0) {
			mqtt_err(r, "-t %s: %s", t, e4_mqtt_strerror(err));
			return err < 0 ? TOOL_USAGE : TOOL_FAIL;
		}
		++*n;
	}
	return TOOL_OK;
}

/* e4 sub: prints decrypted messages; applies and acknowledges commands. */
static int run_sub(const char *prog, struct tool_args *a)
{
	struct run r;
	uint32_t timeout = 0;
	int rc, n = 0, timed_out = 0;

	memset(&r, 0, sizeof(r));
	r.prog = prog;
	r.a = a;
	r.quiet = tool_has(a, C_QUIET);
	r.hex = tool_has(a, C_HEX);
	r.verbose = tool_has(a, SU_VERBOSE);
	r.on_connected = sub_connected;
	srand((unsigned)time(NULL));
	rc = sub_numbers(&r, &timeout);
	if (rc == TOOL_OK)
		rc = mqtt_run_open(&r, "", 1);
	if (rc == TOOL_OK)
		rc = sub_topics(&r, &n);
	r.m.on_message = sub_message;
	r.m.on_error = sub_error;
	r.m.on_command = sub_command;
	/* -E: done once the control topic and each -t have their SUBACK. */
	r.want_subacks = tool_has(a, SU_EXIT_SUBACK) ? n + 1 : 0;
	if (rc == TOOL_OK)
		rc = mqtt_run_loop(&r, timeout, &timed_out);
	if (rc == TOOL_OK && timed_out && r.max_count > 0) {
		mqtt_err(&r, "timed out after %u s (%ld of %ld messages)", (unsigned)timeout, r.count,
		         r.max_count);
		rc = TOOL_FAIL;
	}
	mqtt_run_close(&r);
	return rc;
}

const struct tool_cmd tool_mqtt_cmds[] = {
	{ "sub", run_sub, sub_opts, TOOL_NOPTS(sub_opts), "", 0, 0,
	  "like mosquitto_sub: print decrypted messages, apply and ack C2 commands" },
	{ NULL, NULL, NULL, 0, NULL, 0, 0, NULL }
};
