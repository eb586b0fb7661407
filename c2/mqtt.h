/*
 * mqtt.h - the broker transport of e4c2d (libmosquitto, driven by the
 * daemon's poll loop; no thread).
 */
#ifndef C2_MQTT_H
#define C2_MQTT_H

#include "engine.h"

struct c2_mqtt;

/* Creates the client and starts connecting (failures are retried by c2_mqtt_io). */
int c2_mqtt_start(struct c2_mqtt **out, struct c2_ctx *ctx, char *err, size_t cap);

/* Socket to poll (-1 while disconnected) and whether it wants POLLOUT. */
int c2_mqtt_fd(struct c2_mqtt *m, int *want_write);

/* Runs reads, writes and keepalives; reconnects after failures. */
void c2_mqtt_io(struct c2_mqtt *m, int readable, int writable);

/* Disconnects and frees. */
void c2_mqtt_stop(struct c2_mqtt *m);

#endif
