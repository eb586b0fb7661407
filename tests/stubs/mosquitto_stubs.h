/*
 * mosquitto_stubs.h - fake broker functions for the plugin's unit tests
 * and fuzzers (link seam: the plugin's sources link these instead of the
 * broker).  Clients are plain structs the tests fill in.
 */
#ifndef MOSQUITTO_STUBS_H
#define MOSQUITTO_STUBS_H

#include <stdbool.h>
#include <stddef.h>

/* The fake client: what mosquitto_client_id/username return. */
struct mosquitto {
	const char *id;
	const char *username;
};

#define STUB_MAX_PUBS 16

/* A message published by the plugin (copies, owned by the stubs). */
struct stub_pub {
	char *topic;
	char *payload;     /* NUL-terminated copy */
	int len;
	int qos;
	int to_client;     /* published to one client id */
};

extern struct stub_pub stub_pubs[STUB_MAX_PUBS];
extern int stub_npubs;          /* published since the last reset (may exceed the array) */
extern int stub_nlogs;          /* log lines since the last reset */
extern char stub_last_log[1024];
extern int stub_registered;     /* callbacks currently registered */
extern int stub_fail_register;  /* when > 0, the n-th registration fails */

/* Forgets everything recorded. */
void stub_reset(void);

#endif
