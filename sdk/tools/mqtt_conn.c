/*
 * mqtt_conn.c - the connection of "e4 sub" and "e4 pub": the options they
 * share with mosquitto_sub and mosquitto_pub (-h -p -L --unix -A, -u -P,
 * TLS, -i -I, -V -k -c -x, Will, -d, --quiet), connecting, reconnecting
 * with backoff, and the SUBACK check of the control topic.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mqtt_protocol.h>

#include "mqtt_tool.h"

volatile sig_atomic_t mqtt_stop_signal;

/* SIGINT/SIGTERM: ends the loop cleanly. */
static void on_signal(int sig)
{
	mqtt_stop_signal = sig;
}

void mqtt_err(const struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (r->quiet)
		return;
	fprintf(stderr, "%s: ", r->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void mqtt_put_topic(FILE *f, const char *t)
{
	for (; *t != '\0'; t++)
		fputc((unsigned char)*t < 0x20 || *t == 0x7f ? '?' : *t, f);
}

double mqtt_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
		mqtt_err(r, "connection refused: %s", mosquitto_connack_string(rc));
		r->failed = 1;
		r->done = 1;
		return;
	}
	r->connected = 1;
	r->delay = RETRY_FIRST;
	if (r->retrying)
		mqtt_err(r, "connected to %s:%u", r->host, r->port);
	r->retrying = 0;
	if (r->on_connected != NULL)
		r->on_connected(r);
}

/* A refused subscription: fatal for the control topic (no command would arrive). */
static void on_refused(struct run *r, const char *topic, int is_control, int code)
{
	const char *dev = e4_client_control_topic(&r->d->client) + 3;

	if (!is_control) {
		if (!r->quiet) {
			fprintf(stderr, "%s: the broker refused the subscription to ", r->prog);
			mqtt_put_topic(stderr, topic);
			fprintf(stderr, " (code 0x%02x)\n", (unsigned)code);
		}
		return;
	}
	if (strcmp(r->client_id, dev) != 0)
		mqtt_err(r, "the broker refused the subscription to the control topic %s (code"
		         " 0x%02x): this device would get no C2 command; the client id (-i) is not"
		         " the device id %s, which an E4 broker requires", topic, (unsigned)code, dev);
	else
		mqtt_err(r, "the broker refused the subscription to the control topic %s (code"
		         " 0x%02x): this device would get no C2 command", topic, (unsigned)code);
	r->failed = 1;
	r->done = 1;
}

/* Every SUBACK of the helper's subscriptions; -E counts them. */
static void on_suback(void *ctx, const char *topic, int is_control, int code)
{
	struct run *r = ctx;

	if (code >= 0x80)
		on_refused(r, topic, is_control, code);
	if (++r->subacks >= r->want_subacks && r->want_subacks > 0)
		r->done = 1;
}

/* Parses -V. */
static int parse_version(const struct run *r, const char *v, int *out)
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
	mqtt_err(r, "-V: unknown protocol version '%s' (mqttv5, mqttv311 or mqttv31)", v);
	return TOOL_USAGE;
}

/*
 * Splits -L mqtt(s)://[user[:password]@]host[:port]/topic (a copy in
 * r->url) into r->host, *port, r->topic and the credentials, as
 * mosquitto_sub does; mqtts means TLS (system CAs unless --cafile/--capath).
 */
static int parse_url(struct run *r, const char *url, uint32_t *port, const char **user,
                     const char **pw, int *tls)
{
	char *p, *at, *slash, *colon;

	*tls = strncmp(url, "mqtts://", 8) == 0;
	if (!*tls && strncmp(url, "mqtt://", 7) != 0) {
		mqtt_err(r, "-L: the URL must start with mqtt:// or mqtts://");
		return TOOL_USAGE;
	}
	if (snprintf(r->url, sizeof(r->url), "%s", url + (*tls ? 8 : 7)) >= (int)sizeof(r->url)) {
		mqtt_err(r, "-L: URL too long");
		return TOOL_USAGE;
	}
	p = r->url;
	slash = strchr(p, '/');
	if (slash != NULL) {
		*slash = '\0';
		r->topic = slash[1] != '\0' ? slash + 1 : NULL;
	}
	at = strrchr(p, '@');
	if (at != NULL) {
		*at = '\0';
		*user = p;
		colon = strchr(p, ':');
		if (colon != NULL) {
			*colon = '\0';
			*pw = colon + 1;
		}
		p = at + 1;
	}
	colon = strchr(p, ':');
	if (colon != NULL) {
		*colon = '\0';
		if (tool_u32(r->prog, "-L port", colon + 1, 65535, port) != TOOL_OK)
			return TOOL_USAGE;
	}
	if (*p == '\0') {
		mqtt_err(r, "-L: the URL has no host");
		return TOOL_USAGE;
	}
	r->host = p;
	return TOOL_OK;
}

/* Connection numbers: port, keepalive, version, QoS, session expiry. */
struct conn {
	uint32_t port, keepalive, expiry;
	int version, have_expiry, tls_url;
	const char *user, *pw;
};

/* Reads -x: 0..4294967294 seconds, or -1, 4294967295 or ∞ for never. */
static int parse_expiry(const struct run *r, const char *v, uint32_t *out)
{
	uint64_t n;

	if (strcmp(v, "-1") == 0 || strcmp(v, "\xe2\x88\x9e") == 0) {
		*out = UINT32_MAX;
		return TOOL_OK;
	}
	if (tool_u64(r->prog, "-x", v, &n) != TOOL_OK)
		return TOOL_USAGE;
	if (n > UINT32_MAX) {
		mqtt_err(r, "-x: %s is larger than 4294967295", v);
		return TOOL_USAGE;
	}
	*out = (uint32_t)n;
	return TOOL_OK;
}

/* Reads the numeric and addressing options (-L first: -h, -p, -u, -P override it). */
static int conn_numbers(struct run *r, struct conn *c)
{
	const struct tool_args *a = r->a;
	uint32_t qos = 0, url_port = 0;
	int rc = TOOL_OK;

	memset(c, 0, sizeof(*c));
	r->host = "localhost";
	if (tool_has(a, C_URL))
		rc = parse_url(r, tool_get(a, C_URL), &url_port, &c->user, &c->pw, &c->tls_url);
	c->port = url_port != 0 ? url_port : tool_has(a, C_CAFILE) || tool_has(a, C_CAPATH) ||
	          c->tls_url ? 8883 : 1883;
	c->keepalive = 60;
	c->version = MQTT_PROTOCOL_V311;
	if (rc == TOOL_OK && tool_has(a, C_HOST))
		r->host = tool_get(a, C_HOST);
	if (rc == TOOL_OK && tool_has(a, C_PORT))
		rc = tool_u32(r->prog, "-p", tool_get(a, C_PORT), 65535, &c->port);
	if (rc == TOOL_OK && tool_has(a, C_KEEPALIVE))
		rc = tool_u32(r->prog, "-k", tool_get(a, C_KEEPALIVE), 65535, &c->keepalive);
	if (rc == TOOL_OK && tool_has(a, C_QOS))
		rc = tool_u32(r->prog, "-q", tool_get(a, C_QOS), 2, &qos);
	if (rc == TOOL_OK && tool_has(a, C_VERSION))
		rc = parse_version(r, tool_get(a, C_VERSION), &c->version);
	if (rc == TOOL_OK && tool_has(a, C_EXPIRY)) {
		rc = parse_expiry(r, tool_get(a, C_EXPIRY), &c->expiry);
		c->have_expiry = 1;
		if (rc == TOOL_OK && c->version != MQTT_PROTOCOL_V5) {
			mqtt_err(r, "-x: a session expiry needs MQTT 5 (-V mqttv5)");
			rc = TOOL_USAGE;
		}
	}
	if (rc == TOOL_OK && c->port == 0 && !tool_has(a, C_UNIX)) {
		mqtt_err(r, "-p: port 0 is not valid");
		rc = TOOL_USAGE;
	}
	if (tool_has(a, C_USER))
		c->user = tool_get(a, C_USER);
	if (tool_has(a, C_PASS))
		c->pw = tool_get(a, C_PASS);
	if (tool_has(a, C_UNIX)) {
		r->host = tool_get(a, C_UNIX);
		c->port = 0;
	}
	r->port = c->port;
	r->qos = (int)qos;
	return rc;
}

/* Applies credentials and TLS options. */
static int conn_security(struct run *r, const struct conn *c)
{
	const struct tool_args *a = r->a;
	int rc = MOSQ_ERR_SUCCESS, tls = tool_has(a, C_CAFILE) || tool_has(a, C_CAPATH);
	int os_certs = tool_has(a, C_TLS_OS_CERTS) || (c->tls_url && !tls);

	if (c->pw != NULL && c->user == NULL) {
		mqtt_err(r, "-P needs -u");
		return TOOL_USAGE;
	}
	if (!tls && !os_certs && (tool_has(a, C_CERT) || tool_has(a, C_KEY))) {
		mqtt_err(r, "--cert and --key need --cafile or --capath");
		return TOOL_USAGE;
	}
	if (c->user != NULL)
		rc = mosquitto_username_pw_set(r->mosq, c->user, c->pw);
	if (rc == MOSQ_ERR_SUCCESS && os_certs)
		rc = mosquitto_int_option(r->mosq, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
	if (rc == MOSQ_ERR_SUCCESS && (tls || tool_has(a, C_CERT)))
		rc = mosquitto_tls_set(r->mosq, tool_get(a, C_CAFILE), tool_get(a, C_CAPATH),
		                       tool_get(a, C_CERT), tool_get(a, C_KEY), NULL);
	if (rc == MOSQ_ERR_SUCCESS && (tool_has(a, C_CIPHERS) || tool_has(a, C_TLS_VERSION)))
		rc = mosquitto_tls_opts_set(r->mosq, 1, tool_get(a, C_TLS_VERSION), tool_get(a, C_CIPHERS));
	if (rc == MOSQ_ERR_SUCCESS && tool_has(a, C_TLS_ALPN))
		rc = mosquitto_string_option(r->mosq, MOSQ_OPT_TLS_ALPN, tool_get(a, C_TLS_ALPN));
	if (rc == MOSQ_ERR_SUCCESS && tool_has(a, C_INSECURE))
		rc = mosquitto_tls_insecure_set(r->mosq, true);
	if (rc != MOSQ_ERR_SUCCESS) {
		mqtt_err(r, "%s", mosquitto_strerror(rc));
		return rc == MOSQ_ERR_INVAL ? TOOL_USAGE : TOOL_FAIL;
	}
	return TOOL_OK;
}

/*
 * Sets the Will: its payload is protected now for its topic with the
 * device's key (the broker sends it later, so it ages meanwhile).
 */
static int conn_will(struct run *r)
{
	const struct tool_args *a = r->a;
	const char *topic = tool_get(a, C_WILL_TOPIC), *msg = tool_get(a, C_WILL_PAYLOAD);
	size_t len = msg != NULL ? strlen(msg) : 0, out_len = 0;
	uint32_t qos = 0;
	uint8_t *frame;
	int err;

	if (topic == NULL) {
		if (msg != NULL || tool_has(a, C_WILL_QOS) || tool_has(a, C_WILL_RETAIN)) {
			mqtt_err(r, "--will-payload, --will-qos and --will-retain need --will-topic");
			return TOOL_USAGE;
		}
		return TOOL_OK;
	}
	if (tool_has(a, C_WILL_QOS) && tool_u32(r->prog, "--will-qos", tool_get(a, C_WILL_QOS), 2,
	                                         &qos) != TOOL_OK)
		return TOOL_USAGE;
	frame = malloc(E4_PK_PROTECTED_LEN(len));
	if (frame == NULL)
		return TOOL_FAIL;
	err = e4_protect(&r->d->client, frame, E4_PK_PROTECTED_LEN(len), &out_len, topic,
	                 (const uint8_t *)msg, len);
	if (err == 0)
		err = mosquitto_will_set(r->mosq, topic, (int)out_len, frame, (int)qos,
		                         tool_has(a, C_WILL_RETAIN));
	free(frame);
	if (err != 0) {
		mqtt_err(r, "--will-topic %s: %s", topic, e4_mqtt_strerror(err));
		return TOOL_FAIL;
	}
	return TOOL_OK;
}

/* Picks the client id: -i, -I PREFIX<pid>, else the device id followed by id_suffix. */
static void client_id(struct run *r, const char *id_suffix)
{
	if (tool_has(r->a, C_ID))
		snprintf(r->client_id, sizeof(r->client_id), "%s", tool_get(r->a, C_ID));
	else if (tool_has(r->a, C_ID_PREFIX))
		snprintf(r->client_id, sizeof(r->client_id), "%s%ld", tool_get(r->a, C_ID_PREFIX),
		         (long)getpid());
	else
		snprintf(r->client_id, sizeof(r->client_id), "%s%s",
		         e4_client_control_topic(&r->d->client) + 3, id_suffix);
}

/* -d: libmosquitto's log lines on stderr, as mosquitto_sub -d prints them. */
static void on_log(struct mosquitto *mosq, void *obj, int level, const char *str)
{
	(void)mosq;
	(void)obj;
	(void)level;
	fprintf(stderr, "%s\n", str);
}

/* Loads the device and creates the mosquitto client with every option but the address. */
static int run_setup(struct run *r, const char *id_suffix, const struct conn *c)
{
	int rc, err;

	r->d = tool_device_new(tool_get(r->a, C_STORE));
	if (r->d == NULL)
		return TOOL_FAIL;
	r->d->no_clock = tool_has(r->a, C_CLOCKLESS);
	if (tool_device_lock_load(r->prog, r->d) != TOOL_OK)
		return TOOL_FAIL;
	tool_device_unlock(r->d);
	client_id(r, id_suffix);
	mosquitto_lib_init();
	r->mosq = mosquitto_new(r->client_id, !tool_has(r->a, C_NOCLEAN), NULL);
	if (r->mosq == NULL) {
		mqtt_err(r, "cannot create the MQTT client (bad client id?)");
		return TOOL_FAIL;
	}
	(void)mosquitto_int_option(r->mosq, MOSQ_OPT_PROTOCOL_VERSION, c->version);
	rc = conn_security(r, c);
	if (rc != TOOL_OK)
		return rc;
	err = e4_mqtt_init(&r->m, r->mosq, &r->d->client);
	if (err != 0) {
		mqtt_err(r, "%s", e4_mqtt_strerror(err));
		return TOOL_FAIL;
	}
	if (tool_has(r->a, C_DEBUG))
		mosquitto_log_callback_set(r->mosq, on_log);
	r->m.ctx = r;
	r->m.publish_only = id_suffix[0] != '\0';
	r->m.on_connect = on_connect;
	r->m.on_suback = on_suback;
	r->m.sync_begin = sync_begin;
	r->m.sync_end = sync_end;
	return conn_will(r);
}

int mqtt_run_open(struct run *r, const char *id_suffix, int retry)
{
	mosquitto_property *props = NULL;
	struct conn c;
	int rc, err;

	r->quiet = tool_has(r->a, C_QUIET);
	if (tool_get(r->a, C_STORE) == NULL) {
		mqtt_err(r, "missing --store PATH");
		return TOOL_USAGE;
	}
	rc = conn_numbers(r, &c);
	if (rc == TOOL_OK)
		rc = run_setup(r, id_suffix, &c);
	if (rc != TOOL_OK)
		return rc;
	/* As mosquitto_sub: -c without -x keeps an MQTT 5 session for ever. */
	if (c.version == MQTT_PROTOCOL_V5 && (c.have_expiry || tool_has(r->a, C_NOCLEAN)) &&
	    mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL,
	                                 c.have_expiry ? c.expiry : UINT32_MAX) != MOSQ_ERR_SUCCESS)
		return TOOL_FAIL;
	r->delay = RETRY_FIRST;
	err = mosquitto_connect_bind_v5(r->mosq, r->host, (int)c.port, (int)c.keepalive,
	                                tool_get(r->a, C_BIND), props);
	mosquitto_property_free_all(&props);
	if (err != MOSQ_ERR_SUCCESS) {
		mqtt_err(r, "cannot connect to %s:%u: %s%s", r->host, r->port,
		         err == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(err),
		         retry && err == MOSQ_ERR_ERRNO ?
		         "; retrying with backoff (up to 30 s between attempts)" : "");
		/* Host and port are recorded: mosquitto_reconnect() retries them. */
		if (!retry || err != MOSQ_ERR_ERRNO)
			return TOOL_FAIL;
		r->retrying = 1;
	}
	return TOOL_OK;
}

void mqtt_run_close(struct run *r)
{
	if (r->mosq != NULL) {
		mosquitto_disconnect(r->mosq);
		(void)mosquitto_loop(r->mosq, 100, 1);
		mosquitto_destroy(r->mosq);
		mosquitto_lib_cleanup();
	}
	tool_device_free(r->d);
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
	double left = timeout > 0 ? timeout - (mqtt_mono() - start) : r->delay;

	pause_for(left < r->delay ? left : r->delay);
	if (mqtt_stop_signal || (timeout > 0 && mqtt_mono() - start >= timeout))
		return;
	(void)mosquitto_reconnect(r->mosq);
	r->delay *= 2;
	if (r->delay > RETRY_MAX)
		r->delay = RETRY_MAX;
}

int mqtt_run_loop(struct run *r, double timeout, int *timed_out)
{
	double start = mqtt_mono();
	int rc;

	*timed_out = 0;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!r->done && !mqtt_stop_signal) {
		if (timeout > 0 && mqtt_mono() - start >= timeout) {
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
		mqtt_err(r, "%s", mosquitto_strerror(rc));
		return TOOL_FAIL;
	}
	return r->failed ? TOOL_FAIL : TOOL_OK;
}
