/*
 * mqtt.c - libe4mqtt: an E4 client driven by libmosquitto callbacks
 * (control topic subscription, commands and acks, protect-and-publish).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <mosquitto.h>

#include "e4/mqtt.h"

/* Subscribes to the control topic and every remembered topic, noting the message ids. */
static void subscribe_all(struct e4_mqtt *m)
{
	size_t i;

	m->control_mid = 0;
	if (!m->publish_only)
		(void)mosquitto_subscribe(m->mosq, &m->control_mid, e4_client_control_topic(m->client),
		                          m->control_qos);
	for (i = 0; i < m->n_topics; i++) {
		m->topic_mid[i] = 0;
		(void)mosquitto_subscribe(m->mosq, &m->topic_mid[i], m->topics[i], m->topic_qos[i]);
	}
}

/* libmosquitto SUBACK callback: reports each of ours (one filter per SUBSCRIBE). */
static void on_subscribe(struct mosquitto *mosq, void *obj, int mid, int count, const int *granted)
{
	struct e4_mqtt *m = obj;
	size_t i;

	(void)mosq;
	if (count < 1 || m->on_suback == NULL || mid == 0)
		return;
	if (mid == m->control_mid) {
		m->on_suback(m->ctx, e4_client_control_topic(m->client), 1, granted[0]);
		return;
	}
	for (i = 0; i < m->n_topics; i++)
		if (mid == m->topic_mid[i]) {
			m->on_suback(m->ctx, m->topics[i], 0, granted[0]);
			return;
		}
}

/* libmosquitto connect callback: (re)subscribes after a successful CONNACK. */
static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
	struct e4_mqtt *m = obj;

	(void)mosq;
	m->connected = rc == 0;
	if (rc == 0)
		subscribe_all(m);
	if (m->on_connect != NULL)
		m->on_connect(m->ctx, rc);
}

/* libmosquitto disconnect callback. */
static void on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
	struct e4_mqtt *m = obj;

	(void)mosq;
	(void)rc;
	m->connected = 0;
}

/* libmosquitto publish callback. */
static void on_publish(struct mosquitto *mosq, void *obj, int mid)
{
	struct e4_mqtt *m = obj;

	(void)mosq;
	if (m->on_published != NULL)
		m->on_published(m->ctx, mid);
}

/*
 * Publishes the pending ack of the last command, if any, at QoS 0: the C2
 * reads acks at QoS 0, so QoS 1 up to the broker would not make an ack
 * reliable end to end, and it costs a PUBACK per command (a third of the
 * broker's CPU in a rotation, bench/c2.sh).  A lost ack is a command the
 * C2 resends, which the device acks again as a duplicate.
 */
static int publish_ack(struct e4_mqtt *m)
{
	uint8_t ack[E4_ACK_FRAME_LEN];
	size_t len = 0;
	int err = e4_client_ack(m->client, ack, sizeof(ack), &len);

	if (err != 0)
		return err;
	return mosquitto_publish(m->mosq, NULL, m->ack_topic, (int)len, ack, 0, false);
}

/* Unprotects one frame (between the sync hooks) and dispatches it. */
static void handle(struct e4_mqtt *m, const char *topic, const uint8_t *frame, size_t len)
{
	struct e4_recv_info info;
	uint8_t *out = malloc(len + 1);
	size_t out_len = 0;
	int err, ack_err = E4_ERR_NOT_FOUND;

	memset(&info, 0, sizeof(info));
	err = out == NULL ? E4_ERR_INVALID_ARG : 0;
	if (err == 0 && m->sync_begin != NULL)
		err = m->sync_begin(m->ctx);
	if (err == 0) {
		err = e4_unprotect(m->client, out, len + 1, &out_len, topic, frame, len, &info);
		if (info.is_command && info.has_ack)
			ack_err = publish_ack(m);
		if (m->sync_end != NULL)
			m->sync_end(m->ctx);
	}
	if (info.is_command) {
		if (m->on_command != NULL)
			m->on_command(m->ctx, &info, err, ack_err);
	} else if (err != 0) {
		if (m->on_error != NULL)
			m->on_error(m->ctx, topic, err);
	} else if (m->on_message != NULL) {
		m->on_message(m->ctx, topic, out, out_len, &info);
	}
	if (out != NULL) {
		e4_wipe(out, len + 1);
		free(out);
	}
}

/* libmosquitto message callback. */
static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg)
{
	struct e4_mqtt *m = obj;

	(void)mosq;
	if (msg->payloadlen < 0 || msg->topic == NULL)
		return;
	m->current = msg;
	handle(m, msg->topic, msg->payload, (size_t)msg->payloadlen);
	m->current = NULL;
}

int e4_mqtt_init(struct e4_mqtt *m, struct mosquitto *mosq, struct e4_client *client)
{
	const char *ct;

	if (m == NULL || mosq == NULL || client == NULL)
		return E4_ERR_INVALID_ARG;
	ct = e4_client_control_topic(client);
	if (ct == NULL || strlen(ct) + 5 > sizeof(m->ack_topic))
		return E4_ERR_NOT_INITIALISED;
	memset(m, 0, sizeof(*m));
	m->mosq = mosq;
	m->client = client;
	m->control_qos = 1;
	memcpy(m->ack_topic, ct, strlen(ct));
	memcpy(m->ack_topic + strlen(ct), "/ack", 5);
	mosquitto_user_data_set(mosq, m);
	/*
	 * A command is answered with a PUBACK and then the ack: with Nagle's
	 * algorithm, the ack waits for the broker's delayed TCP ACK of the
	 * PUBACK (up to 40 ms on Linux) and the C2's rollout waits with it.
	 */
	mosquitto_int_option(mosq, MOSQ_OPT_TCP_NODELAY, 1);
	mosquitto_connect_callback_set(mosq, on_connect);
	mosquitto_message_callback_set(mosq, on_message);
	mosquitto_publish_callback_set(mosq, on_publish);
	mosquitto_disconnect_callback_set(mosq, on_disconnect);
	mosquitto_subscribe_callback_set(mosq, on_subscribe);
	return 0;
}

int e4_mqtt_subscribe(struct e4_mqtt *m, const char *topic, int qos)
{
	int rc;

	if (m == NULL || topic == NULL || topic[0] == '\0' || qos < 0 || qos > 2)
		return E4_ERR_INVALID_ARG;
	if (m->n_topics >= E4_MQTT_MAX_TOPICS)
		return E4_ERR_TABLE_FULL;
	m->topics[m->n_topics] = topic;
	m->topic_qos[m->n_topics] = qos;
	m->topic_mid[m->n_topics] = 0;
	m->n_topics++;
	if (!m->connected)
		return 0;  /* on_connect subscribes */
	rc = mosquitto_subscribe(m->mosq, &m->topic_mid[m->n_topics - 1], topic, qos);
	return rc == MOSQ_ERR_NO_CONN ? 0 : rc;
}

int e4_mqtt_publish(struct e4_mqtt *m, int *mid, const char *topic, const uint8_t *msg,
                    size_t msg_len, int qos, int retain)
{
	size_t cap = E4_PK_PROTECTED_LEN(msg_len), len = 0;
	uint8_t *frame;
	int err;

	if (m == NULL || topic == NULL || (msg == NULL && msg_len > 0) || msg_len > (1u << 28))
		return E4_ERR_INVALID_ARG;
	frame = malloc(cap);
	if (frame == NULL)
		return E4_ERR_INVALID_ARG;
	err = m->sync_begin != NULL ? m->sync_begin(m->ctx) : 0;
	if (err == 0) {
		err = e4_protect(m->client, frame, cap, &len, topic, msg, msg_len);
		if (m->sync_end != NULL)
			m->sync_end(m->ctx);
	}
	if (err == 0)
		err = mosquitto_publish(m->mosq, mid, topic, (int)len, frame, qos, retain != 0);
	free(frame);
	return err;
}

const struct mosquitto_message *e4_mqtt_current_message(const struct e4_mqtt *m)
{
	return m->current;
}

const char *e4_mqtt_ack_topic(const struct e4_mqtt *m)
{
	return m->ack_topic;
}

const char *e4_mqtt_strerror(int err)
{
	return err <= 0 ? e4_strerror(err) : mosquitto_strerror(err);
}
