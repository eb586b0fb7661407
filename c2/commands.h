/*
 * commands.h - private declarations shared by commands.c (devices,
 * topics, memberships) and rotation.c (topic key rotations).
 */
#ifndef C2_COMMANDS_H
#define C2_COMMANDS_H

#include "engine.h"

/* Ends an operation: audits and commits, or rolls back. */
int c2__finish(struct c2_ctx *ctx, int rc, const char *action, const char *detail);

/* Queues SetTopicKey or SetTopicKeyNext (key || hash) for a device. */
int c2__enqueue_topic_key(struct c2_ctx *ctx, const uint8_t id[E4_ID_LEN], int code,
                          const struct c2_topic *t, const uint8_t key[E4_KEY_LEN],
                          int64_t epoch);

/* Looks a topic up; specific error when missing. */
int c2__topic_find(struct c2_ctx *ctx, const char *name, struct c2_topic *t, char *err,
                   size_t cap);

/*
 * Begins an operation's transaction and finds its device (when d is not
 * NULL) and its topic (when t is not NULL); on a failure, specific message
 * in err, rolled back.
 */
int c2__begin_on(struct c2_ctx *ctx, const char *dev, struct c2_device *d, const char *topic,
                 struct c2_topic *t, char *err, size_t cap);

#endif
