/*
 * test_util.h - helpers shared by the plugin's unit suites: an instance
 * built from options, a settable clock, fake clients and hand-built
 * broker events driven through the real callbacks.
 */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <check.h>
#include <string.h>

#include "e4plugin.h"
#include "mosquitto_stubs.h"

/* The clock every test instance uses. */
extern time_t tu_now_value;
time_t tu_now(void);

/* Builds an instance from NULL-terminated key/value pairs (fails the test on error). */
struct e4plugin *tu_plugin(const char *const *kv);
/* Same, returning NULL and the message in err instead of failing. */
struct e4plugin *tu_plugin_err(const char *const *kv, char *err, size_t cap);

/* Drives ACL_CHECK with the given access. */
int tu_acl(struct e4plugin *p, struct mosquitto *c, int access, const char *topic,
           const void *payload, size_t len);
/* Drives MESSAGE. */
int tu_message(struct e4plugin *p, struct mosquitto *c, const char *topic, const void *payload,
               size_t len);
/* A whole publish as the broker does it: WRITE, then MESSAGE when allowed. */
int tu_publish(struct e4plugin *p, struct mosquitto *c, const char *topic, const void *payload,
               size_t len);
/* Drives DISCONNECT. */
void tu_disconnect(struct e4plugin *p, struct mosquitto *c);

/* A symkey frame with a fixed test key at time ts carrying msg. */
size_t tu_frame(uint8_t *out, size_t cap, uint64_t ts, const char *msg);
/* A pubkey frame signed by sk naming sender. */
size_t tu_pk_frame(uint8_t *out, size_t cap, const uint8_t sk[E4_ED25519_SK_LEN],
                   const uint8_t sender[E4_ID_LEN], uint64_t ts, const char *msg);

Suite *suite_options(void);
Suite *suite_topic(void);
Suite *suite_identity(void);
Suite *suite_log(void);
Suite *suite_devices(void);
Suite *suite_frame(void);
Suite *suite_acl(void);
Suite *suite_presence(void);
Suite *suite_control(void);
Suite *suite_state(void);
Suite *suite_replay(void);

#endif
