/*
 * mqttlib.c - links the installed-style libe4mqtt (not the e4 command's
 * copy) and checks its API without a broker: ack topic, subscription
 * table, protect-before-publish errors from both sides, messages.
 */
#include <stdio.h>
#include <string.h>

#include <mosquitto.h>

#include "e4/mqtt.h"

static int failures;

/* Records a failed expectation. */
static void expect(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "FAIL: %s\n", what);
		failures++;
	} else {
		printf("ok: %s\n", what);
	}
}

int main(void)
{
	static struct e4_topic_slot topics[4];
	struct e4_client_config cfg;
	struct e4_client c;
	struct e4_mqtt m;
	struct mosquitto *mosq;
	uint8_t id[E4_ID_LEN], key[E4_KEY_LEN];
	char want[E4_ACK_TOPIC_CAP];
	int i, err = 0, oks = 0;

	memset(id, 7, sizeof(id));
	memset(key, 9, sizeof(key));
	e4_client_config_default(&cfg);
	cfg.topics = topics;
	cfg.topics_cap = 4;
	expect(e4_client_init(&c, &cfg, id, key, sizeof(key)) == 0, "client init");
	mosquitto_lib_init();
	mosq = mosquitto_new("mqttlib-test", true, NULL);
	expect(mosq != NULL, "mosquitto_new");
	expect(e4_mqtt_init(&m, NULL, &c) == E4_ERR_INVALID_ARG, "init refuses a NULL mosquitto");
	expect(e4_mqtt_init(&m, mosq, &c) == 0, "init");
	snprintf(want, sizeof(want), "%s/ack", e4_client_control_topic(&c));
	expect(strcmp(e4_mqtt_ack_topic(&m), want) == 0, "ack topic is <control topic>/ack");
	expect(e4_mqtt_subscribe(&m, "", 0) == E4_ERR_INVALID_ARG, "empty topic refused");
	expect(e4_mqtt_subscribe(&m, "a/b", 3) == E4_ERR_INVALID_ARG, "qos 3 refused");
	for (i = 0; i < E4_MQTT_MAX_TOPICS; i++)
		oks += e4_mqtt_subscribe(&m, "t/x", 1) == 0;
	expect(oks == E4_MQTT_MAX_TOPICS, "subscriptions remembered while not connected");
	expect(e4_mqtt_subscribe(&m, "t/y", 1) == E4_ERR_TABLE_FULL, "table full past the maximum");
	expect(e4_mqtt_publish(&m, NULL, "plant/1", (const uint8_t *)"x", 1, 0, 0) ==
	       E4_ERR_NO_TOPIC_KEY, "publish without a topic key: E4 error");
	expect(e4_client_set_topic_key(&c, "plant/1", key) == 0, "set topic key");
	err = e4_mqtt_publish(&m, NULL, "plant/1", (const uint8_t *)"x", 1, 0, 0);
	expect(err == MOSQ_ERR_NO_CONN, "publish while not connected: libmosquitto error");
	expect(strcmp(e4_mqtt_strerror(err), mosquitto_strerror(err)) == 0, "strerror of MOSQ_ERR");
	expect(strcmp(e4_mqtt_strerror(E4_ERR_AUTH), e4_strerror(E4_ERR_AUTH)) == 0,
	       "strerror of E4_ERR");
	mosquitto_destroy(mosq);
	mosquitto_lib_cleanup();
	e4_client_wipe(&c);
	printf("%d failed\n", failures);
	return failures == 0 ? 0 : 1;
}
