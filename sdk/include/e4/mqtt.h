/*
 * e4/mqtt.h - libe4mqtt: an E4 device on top of libmosquitto.
 *
 * Optional helper kept out of the SDK core (which knows no transport).
 * Link with `pkg-config --libs libe4mqtt` (libe4mqtt, libe4, libmosquitto).
 *
 * struct e4_mqtt ties a caller's `struct mosquitto *` to a caller's
 * initialised `struct e4_client`.  After e4_mqtt_init() the helper owns
 * the mosquitto instance's user data and its connect, disconnect,
 * message, publish and subscribe callbacks (every SUBACK is reported to
 * on_suback): on every (re)connection it subscribes to
 * the device's control topic (unless publish_only is set) and to the topics given to e4_mqtt_subscribe();
 * a frame arriving on the control topic is applied as a C2 command (the
 * client saves its store, if any) and its ack is published on
 * "e4/<hex id>/ack"; any other frame is unprotected and handed to the
 * on_message callback.  e4_mqtt_publish() protects then publishes.
 *
 * Return values: 0 on success, a negative E4_ERR_* from the SDK, or a
 * positive MOSQ_ERR_* from libmosquitto; e4_mqtt_strerror() names both.
 * Threads: call everything from the thread that runs the mosquitto loop
 * (mosquitto_loop / mosquitto_loop_forever); the client is not locked.
 * Memory: the helper allocates one buffer per message, wiped and freed
 * before the callback returns.  Plaintexts passed to on_message are
 * valid only during the call.
 */
#ifndef E4_MQTT_H
#define E4_MQTT_H

#include <stddef.h>
#include <stdint.h>

#include "e4/e4.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mosquitto;
struct mosquitto_message;

/* Most topics e4_mqtt_subscribe() remembers for resubscription. */
#define E4_MQTT_MAX_TOPICS 32

/* A decrypted message: plaintext owned by the helper, valid during the call. */
typedef void (*e4_mqtt_message_fn)(void *ctx, const char *topic, const uint8_t *msg,
                                   size_t msg_len, const struct e4_recv_info *info);

/* A frame that did not unprotect (err is a negative E4_ERR_*); the loop goes on. */
typedef void (*e4_mqtt_error_fn)(void *ctx, const char *topic, int err);

/*
 * A C2 command was authenticated: err is 0 when it was applied, else the
 * reason it was refused.  ack_err is the result of publishing the ack.
 */
typedef void (*e4_mqtt_command_fn)(void *ctx, const struct e4_recv_info *info, int err,
                                   int ack_err);

/*
 * Optional hooks around every use of the client (unprotect, protect):
 * sync_begin may reload the state from a shared store under a lock and
 * returns 0 (or a negative E4_ERR_* that skips the operation);
 * sync_end releases what sync_begin took.
 */
typedef int (*e4_mqtt_sync_fn)(void *ctx);
typedef void (*e4_mqtt_sync_end_fn)(void *ctx);

/* Called after the helper subscribed on a (re)connection (rc: CONNACK code). */
typedef void (*e4_mqtt_connect_fn)(void *ctx, int rc);

/* Called when the broker acknowledged a publication (QoS > 0) or it was sent (QoS 0). */
typedef void (*e4_mqtt_published_fn)(void *ctx, int mid);

/*
 * Called for the SUBACK of each subscription the helper made: topic is
 * the filter, is_control 1 for the device's control topic, code the
 * broker's answer: the granted QoS, or a refusal (0x80 in MQTT 3.1.1, a
 * reason code of 0x80 or more in MQTT 5).  A refused control topic means
 * the device receives no command.
 */
typedef void (*e4_mqtt_suback_fn)(void *ctx, const char *topic, int is_control, int code);

/*
 * The helper's state (caller memory).  Fill the callbacks and ctx after
 * e4_mqtt_init(); any may be NULL.  Other fields are private.
 */
struct e4_mqtt {
	struct mosquitto *mosq;           /* caller's; must outlive the helper */
	struct e4_client *client;         /* caller's, initialised; must outlive it */
	e4_mqtt_message_fn on_message;
	e4_mqtt_error_fn on_error;
	e4_mqtt_command_fn on_command;
	e4_mqtt_connect_fn on_connect;
	e4_mqtt_published_fn on_published;
	e4_mqtt_sync_fn sync_begin;
	e4_mqtt_sync_end_fn sync_end;
	void *ctx;                        /* passed to every callback */
	int control_qos;                  /* QoS of the control subscription (default 1); acks
	                                     go at QoS 0, as the C2 reads them */
	int publish_only;                 /* 1: do not subscribe to the control topic (a second
	                                     connection of a device whose commands another handles) */
	int connected;                    /* private */
	const char *topics[E4_MQTT_MAX_TOPICS]; /* private: subscriptions (caller strings) */
	int topic_qos[E4_MQTT_MAX_TOPICS];
	size_t n_topics;
	char ack_topic[E4_ACK_TOPIC_CAP];  /* private: "e4/<hex id>/ack" */
	e4_mqtt_suback_fn on_suback;      /* added in 0.1: may be NULL */
	int control_mid;                  /* private: message id of the control SUBSCRIBE */
	int topic_mid[E4_MQTT_MAX_TOPICS];/* private: message ids of the other SUBSCRIBEs */
	const void *current;              /* private: the message being handled */
};

/*
 * Binds mosq and client.  Takes over mosq's user data and its connect,
 * disconnect, message, publish and subscribe callbacks.  Call before
 * mosquitto_connect().
 */
__attribute__((warn_unused_result))
int e4_mqtt_init(struct e4_mqtt *m, struct mosquitto *mosq, struct e4_client *client);

/*
 * Subscribes to `topic` now (when connected) and on every reconnection.
 * The string must outlive the helper.  E4_ERR_TABLE_FULL past
 * E4_MQTT_MAX_TOPICS.
 */
__attribute__((warn_unused_result))
int e4_mqtt_subscribe(struct e4_mqtt *m, const char *topic, int qos);

/*
 * Protects msg for `topic` with the client and publishes the frame.
 * *mid (may be NULL) receives the message id for on_published.
 */
__attribute__((warn_unused_result))
int e4_mqtt_publish(struct e4_mqtt *m, int *mid, const char *topic, const uint8_t *msg,
                    size_t msg_len, int qos, int retain);

/*
 * During on_message, on_error and on_command: the libmosquitto message
 * being handled (its retain flag, QoS, mid; the payload is the frame, not
 * the plaintext); NULL at other times.
 */
const struct mosquitto_message *e4_mqtt_current_message(const struct e4_mqtt *m);

/* The topic acks are published on ("e4/<hex id>/ack", owned by *m). */
const char *e4_mqtt_ack_topic(const struct e4_mqtt *m);

/* A static message for a value returned by an e4_mqtt_* function. */
const char *e4_mqtt_strerror(int err);

#ifdef __cplusplus
}
#endif
#endif /* E4_MQTT_H */
