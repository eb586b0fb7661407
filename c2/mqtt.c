/*
 * mqtt.c - libmosquitto transport: connection, subscriptions to acks and
 * plugin events, publishing, reconnection with backoff.
 */
#define _GNU_SOURCE
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <mosquitto.h>

#include "mqtt.h"

#define EVENTS_TOPIC   "$CONTROL/e4/v1/events"
#define RESPONSE_TOPIC "$CONTROL/e4/v1/response"

struct c2_mqtt {
	struct mosquitto *m;
	struct c2_ctx *ctx;
	int64_t next_try;
	int64_t delay;
	int up;
};

/* Transport seam: publishes through libmosquitto. */
static int publish(void *arg, const char *topic, const uint8_t *p, size_t len, int qos, int *mid)
{
	struct c2_mqtt *m = arg;

	if (!m->up)
		return -1;
	return mosquitto_publish(m->m, mid, topic, (int)len, p, qos, false) == MOSQ_ERR_SUCCESS ?
	       0 : -1;
}

/* Subscribes and resumes delivery after a connection. */
static void on_connect(struct mosquitto *mosq, void *arg, int rc)
{
	struct c2_mqtt *m = arg;

	if (rc != 0) {
		c2_log(C2_LOG_ERROR, "mqtt", "connection refused: %s", mosquitto_connack_string(rc));
		return;
	}
	m->up = 1;
	m->delay = 1000;
	m->ctx->connected = 1;
	/*
	 * Acks at QoS 0: an ack lost on the way is a command resent and acked
	 * again as a duplicate (the session is clean anyway, so QoS 1 would not
	 * survive a reconnection either), and QoS 1 costs a PUBACK per ack in
	 * the daemon and the broker, and holds broker queue slots until then.
	 */
	mosquitto_subscribe(mosq, NULL, "e4/+/ack", 0);
	mosquitto_subscribe(mosq, NULL, EVENTS_TOPIC, 1);
	mosquitto_subscribe(mosq, NULL, RESPONSE_TOPIC, 1);
	c2_log(C2_LOG_INFO, "mqtt", "connected");
	c2_outbox_reconnected(m->ctx);
	c2_plugin_sync(m->ctx);
}

/* Marks the transport down; c2_mqtt_io reconnects. */
static void on_disconnect(struct mosquitto *mosq, void *arg, int rc)
{
	struct c2_mqtt *m = arg;

	(void)mosq;
	if (m->up)
		c2_log(C2_LOG_WARN, "mqtt", "disconnected (%s)", mosquitto_strerror(rc));
	m->up = 0;
	m->ctx->connected = 0;
	m->next_try = c2_now_ms() + m->delay;
}

/* Routes acks, plugin events and plugin responses. */
static void on_message(struct mosquitto *mosq, void *arg, const struct mosquitto_message *msg)
{
	struct c2_mqtt *m = arg;
	char err[C2_ERR_MAX], esc[128];

	(void)mosq;
	if (strcmp(msg->topic, EVENTS_TOPIC) == 0) {
		c2_outbox_event(m->ctx, msg->payload, (size_t)msg->payloadlen);
	} else if (strcmp(msg->topic, RESPONSE_TOPIC) == 0) {
		if (msg->payloadlen > 0 && memmem(msg->payload, (size_t)msg->payloadlen,
		                                  "\"error\"", 7) != NULL)
			c2_log(C2_LOG_WARN, "plugin", "the broker plugin refused a request");
	} else if (c2_outbox_ack_queue(m->ctx, msg->topic, msg->payload, (size_t)msg->payloadlen,
	                               err, sizeof(err)) != 0 && err[0] != '\0') {
		c2_json_escape(esc, sizeof(esc), msg->topic);
		c2_log(C2_LOG_WARN, "ack", "%s: %s", esc, err);
	}
}

/* QoS acknowledgement of a publish (legacy devices are done then). */
static void on_publish(struct mosquitto *mosq, void *arg, int mid)
{
	struct c2_mqtt *m = arg;

	(void)mosq;
	c2_outbox_published(m->ctx, mid);
}

/* Reads the first line of the password file (0600 or 0640 only). */
static int read_password(const char *path, char *out, size_t cap, char *err, size_t ecap)
{
	struct stat st;
	FILE *f;

	if (stat(path, &st) != 0 || (st.st_mode & 037) != 0) {
		snprintf(err, ecap, "%s: missing or readable by others", path);
		return -1;
	}
	f = fopen(path, "r");
	if (f == NULL || fgets(out, (int)cap, f) == NULL) {
		if (f != NULL)
			fclose(f);
		snprintf(err, ecap, "%s: cannot read the password", path);
		return -1;
	}
	fclose(f);
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

/* Applies credentials and TLS settings. */
static int configure(struct c2_mqtt *m, const struct c2_conf *conf, char *err, size_t cap)
{
	char pw[512] = "";
	int rc = 0;

	if (conf->mqtt_password_file[0] != '\0' &&
	    read_password(conf->mqtt_password_file, pw, sizeof(pw), err, cap) != 0)
		return -1;
	if (conf->mqtt_username[0] != '\0')
		rc = mosquitto_username_pw_set(m->m, conf->mqtt_username, pw[0] ? pw : NULL);
	e4_wipe(pw, sizeof(pw));
	if (rc == 0 && conf->mqtt_cafile[0] != '\0')
		rc = mosquitto_tls_set(m->m, conf->mqtt_cafile, NULL, NULL, NULL, NULL);
	if (rc != 0) {
		snprintf(err, cap, "mqtt setup: %s", mosquitto_strerror(rc));
		return -1;
	}
	mosquitto_max_inflight_messages_set(m->m, 1000);
	return 0;
}

int c2_mqtt_start(struct c2_mqtt **out, struct c2_ctx *ctx, char *err, size_t cap)
{
	struct c2_mqtt *m = calloc(1, sizeof(*m));

	*out = NULL;
	mosquitto_lib_init();
	if (m == NULL || (m->m = mosquitto_new(ctx->conf.mqtt_client_id, true, m)) == NULL) {
		snprintf(err, cap, "cannot create the MQTT client");
		free(m);
		return -1;
	}
	m->ctx = ctx;
	m->delay = 1000;
	if (configure(m, &ctx->conf, err, cap) != 0) {
		c2_mqtt_stop(m);
		return -1;
	}
	mosquitto_connect_callback_set(m->m, on_connect);
	mosquitto_disconnect_callback_set(m->m, on_disconnect);
	mosquitto_message_callback_set(m->m, on_message);
	mosquitto_publish_callback_set(m->m, on_publish);
	ctx->tr.publish = publish;
	ctx->tr.ctx = m;
	m->next_try = 0;
	*out = m;
	return 0;
}

int c2_mqtt_fd(struct c2_mqtt *m, int *want_write)
{
	*want_write = mosquitto_want_write(m->m);
	return mosquitto_socket(m->m);
}

/* Connects (first time) or reconnects when the backoff allows. */
static void reconnect(struct c2_mqtt *m)
{
	int64_t now = c2_now_ms();
	int rc;

	if (now < m->next_try)
		return;
	if (m->next_try == 0)
		rc = mosquitto_connect(m->m, m->ctx->conf.mqtt_host, (int)m->ctx->conf.mqtt_port,
		                       (int)m->ctx->conf.mqtt_keepalive);
	else
		rc = mosquitto_reconnect(m->m);
	if (rc != MOSQ_ERR_SUCCESS) {
		c2_log(C2_LOG_WARN, "mqtt", "cannot connect to %s:%ld: %s", m->ctx->conf.mqtt_host,
		       m->ctx->conf.mqtt_port, rc == MOSQ_ERR_ERRNO ? strerror(errno) :
		       mosquitto_strerror(rc));
		m->delay = m->delay < 8000 ? m->delay * 2 : 8000;
	}
	m->next_try = now + m->delay;
	if (m->next_try == 0)
		m->next_try = 1;
}

void c2_mqtt_io(struct c2_mqtt *m, int readable, int writable)
{
	if (mosquitto_socket(m->m) < 0) {
		reconnect(m);
		return;
	}
	if (readable)
		mosquitto_loop_read(m->m, 1);
	if (writable && mosquitto_socket(m->m) >= 0)
		mosquitto_loop_write(m->m, 1);
	if (mosquitto_socket(m->m) >= 0)
		mosquitto_loop_misc(m->m);
	if (mosquitto_want_write(m->m) && mosquitto_socket(m->m) >= 0)
		mosquitto_loop_write(m->m, 1);
}

void c2_mqtt_stop(struct c2_mqtt *m)
{
	if (m == NULL)
		return;
	if (m->up)
		mosquitto_disconnect(m->m);
	mosquitto_destroy(m->m);
	free(m);
	mosquitto_lib_cleanup();
}
