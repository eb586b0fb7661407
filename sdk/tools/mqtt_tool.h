/*
 * mqtt_tool.h - private to "e4 sub" and "e4 pub": the connection options
 * they share with mosquitto_sub/mosquitto_pub (mqtt_conn.c) and the state
 * of a run.  The common options sit at the same indexes in both tables.
 */
#ifndef E4_MQTT_TOOL_H
#define E4_MQTT_TOOL_H

#include <signal.h>

#include <mosquitto.h>

#include "e4/mqtt.h"
#include "tool.h"

/* Options common to pub and sub (indexes into both tables). */
enum {
	C_STORE, C_HOST, C_PORT, C_USER, C_PASS, C_CAFILE, C_CAPATH, C_CERT, C_KEY, C_INSECURE,
	C_QOS, C_ID, C_ID_PREFIX, C_VERSION, C_KEEPALIVE, C_TOPIC, C_HEX, C_CLOCKLESS, C_BIND,
	C_NOCLEAN, C_DEBUG, C_URL, C_EXPIRY, C_QUIET, C_UNIX, C_NODELAY, C_WILL_TOPIC,
	C_WILL_PAYLOAD, C_WILL_QOS, C_WILL_RETAIN, C_CIPHERS, C_TLS_VERSION, C_TLS_ALPN,
	C_TLS_OS_CERTS, C_NCOMMON
};

/* Table rows of the common options; TOPIC_HELP, HEX_HELP, ID_HELP differ per command. */
#define MQTT_COMMON_OPTS(TOPIC_HELP, HEX_HELP, ID_HELP) \
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
	[C_ID] = { "id", 'i', "ID", ID_HELP }, \
	[C_ID_PREFIX] = { "id-prefix", 'I', "PREFIX", "client id PREFIX followed by the process id" }, \
	[C_VERSION] = { "protocol-version", 'V', "V", "mqttv5, mqttv311 or mqttv31 (or 5, 311, 31)" }, \
	[C_KEEPALIVE] = { "keepalive", 'k', "S", "keepalive in seconds (default 60)" }, \
	[C_TOPIC] = { "topic", 't', "TOPIC", TOPIC_HELP }, \
	[C_HEX] = { "hex", 0, NULL, HEX_HELP }, \
	[C_CLOCKLESS] = { "clockless", 0, NULL, "no trusted clock: time is the newest C2 command's" \
	                  " (the device's time floor, moved by heartbeats)" }, \
	[C_BIND] = { "bind-address", 'A', "ADDR", "bind the outgoing socket to ADDR" }, \
	[C_NOCLEAN] = { "disable-clean-session", 'c', NULL, "persistent session (no clean start)" }, \
	[C_DEBUG] = { "debug", 'd', NULL, "print libmosquitto's debug messages on stderr" }, \
	[C_URL] = { "url", 'L', "URL", "mqtt(s)://[user[:password]@]host[:port]/topic" }, \
	[C_EXPIRY] = { "session-expiry-interval", 'x', "S", "MQTT 5 session expiry (-1: never)" }, \
	[C_QUIET] = { "quiet", 0, NULL, "print no error message" }, \
	[C_UNIX] = { "unix", 0, "PATH", "connect through the Unix socket PATH" }, \
	[C_NODELAY] = { "nodelay", 0, NULL, "no Nagle's algorithm (always so in e4)" }, \
	[C_WILL_TOPIC] = { "will-topic", 0, "TOPIC", "topic of the Will" }, \
	[C_WILL_PAYLOAD] = { "will-payload", 0, "MSG", "Will message (protected for its topic)" }, \
	[C_WILL_QOS] = { "will-qos", 0, "0|1|2", "QoS of the Will" }, \
	[C_WILL_RETAIN] = { "will-retain", 0, NULL, "retain the Will" }, \
	[C_CIPHERS] = { "ciphers", 0, "LIST", "OpenSSL cipher list (TLS 1.2 and older)" }, \
	[C_TLS_VERSION] = { "tls-version", 0, "V", "tlsv1.3, tlsv1.2 or tlsv1.1" }, \
	[C_TLS_ALPN] = { "tls-alpn", 0, "PROTO", "TLS ALPN protocol" }, \
	[C_TLS_OS_CERTS] = { "tls-use-os-certs", 0, NULL, "trust the system's CAs (enables TLS)" }

#define RETRY_FIRST 0.5   /* seconds before the second connection attempt; doubled after each */
#define RETRY_MAX   30.0

/* State of a pub or sub run (one per process). */
struct run {
	const char *prog;
	struct tool_args *a;
	struct tool_device *d;
	struct mosquitto *mosq;
	struct e4_mqtt m;
	int qos, hex, verbose, connected, failed, done, quiet;
	long count, max_count;
	int sent, acked, subacks, want_subacks;
	double random_pct;    /* sub --random-filter */
	double delay;         /* seconds before the next connection attempt */
	int retrying;         /* the broker was unreachable: say when it answers */
	const char *host;     /* from -h, -L or --unix */
	const char *topic;    /* from -L, else NULL */
	unsigned port;
	char url[1024];       /* -L split in place: host, user, password, topic */
	char client_id[128];
	void (*on_connected)(struct run *r);   /* after each CONNACK 0 (sub: -U) */
};

extern volatile sig_atomic_t mqtt_stop_signal;

/* Reports an error unless --quiet. */
void mqtt_err(const struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes a topic with control bytes replaced (it is untrusted). */
void mqtt_put_topic(FILE *f, const char *t);

/*
 * Loads the device, creates the mosquitto client with every connection
 * option and connects; id_suffix is appended to the default client id;
 * with retry an unreachable broker is reported once and run_loop retries.
 */
int mqtt_run_open(struct run *r, const char *id_suffix, int retry);

/* Frees what mqtt_run_open made. */
void mqtt_run_close(struct run *r);

/* Runs the network loop until done, a signal, or the timeout (0: none); reconnects. */
int mqtt_run_loop(struct run *r, double timeout, int *timed_out);

/* Monotonic seconds. */
double mqtt_mono(void);

#endif /* E4_MQTT_TOOL_H */
