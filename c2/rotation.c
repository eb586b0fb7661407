/*
 * rotation.c - zero-loss topic key rotation: the next key goes to every
 * member with SetTopicKeyNext (legacy members get SetTopicKey at once);
 * once all acked, or after rotation_timeout, it becomes current and
 * SetTopicKey activates it everywhere.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <sodium.h>

#include "commands.h"

/* Queues the next key to one member (SetTopicKey directly for legacy devices). */
static int distribute_next(void *arg, const struct c2_device *m)
{
	struct walk *w = arg;
	int code = m->legacy ? E4_CMD_SET_TOPIC_KEY : E4_CMD_SET_TOPIC_KEY_NEXT;

	if (c2__enqueue_topic_key(w->ctx, m->id, code, w->topic, w->key, w->topic->epoch + 1) != 0)
		w->rc = -1;
	w->n++;
	return w->rc;
}

int c2_rotation_start(struct c2_ctx *ctx, struct c2_topic *t)
{
	struct walk w;
	uint8_t key[E4_KEY_LEN];
	int rc;

	/* A rotation in progress is superseded: its next key is never activated. */
	if (t->rotating && c2_db_cmd_cancel(ctx->db, NULL, t->name, E4_CMD_SET_TOPIC_KEY_NEXT) != 0)
		return -1;
	c2_random(key, sizeof(key));
	rc = c2_db_topic_set_key(ctx->db, t->name, 1, key);
	t->rotating = 1;
	t->rot_started = c2_now_ms() / 1000;
	if (rc == 0)
		rc = c2_db_topic_update(ctx->db, t);
	memset(&w, 0, sizeof(w));
	w.ctx = ctx;
	w.topic = t;
	memcpy(w.key, key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	if (rc == 0 && (c2_db_topic_members(ctx->db, t->name, distribute_next, &w) != 0 || w.rc))
		rc = -1;
	sodium_memzero(w.key, sizeof(w.key));
	return rc;
}

int c2_op_topic_rotate(struct c2_ctx *ctx, const char *name, char *err, size_t cap)
{
	struct c2_topic t;
	int rc;

	if (c2__begin_on(ctx, NULL, NULL, name, &t, err, cap) != 0)
		return -1;
	rc = c2_rotation_start(ctx, &t);
	if (rc != 0)
		snprintf(err, cap, "cannot start the rotation");
	return c2__finish(ctx, rc, "topic.rotate", name);
}

/* Queues the activated key to an ack-capable member. */
static int activate_member(void *arg, const struct c2_device *m)
{
	struct walk *w = arg;

	if (m->legacy)
		return 0;
	if (c2__enqueue_topic_key(w->ctx, m->id, E4_CMD_SET_TOPIC_KEY, w->topic, w->key,
	                          w->topic->epoch) != 0)
		w->rc = -1;
	return w->rc;
}

/* Makes the next key of a rotating topic current and queues SetTopicKey. */
static int rotation_activate(struct c2_ctx *ctx, struct c2_topic *t, long done, long total,
                             int timeout)
{
	uint8_t key[E4_KEY_LEN];
	char detail[C2_NAME_MAX + 96];
	struct walk w;
	int rc;

	if (c2_db_begin(ctx->db) != 0)
		return -1;
	memset(&w, 0, sizeof(w));
	memset(key, 0, sizeof(key));
	rc = c2_db_topic_key(ctx->db, t->name, 1, key);
	if (rc == 0)
		rc = c2_db_topic_set_key(ctx->db, t->name, 0, key);
	memcpy(w.key, key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	if (rc == 0)
		rc = c2_db_topic_set_key(ctx->db, t->name, 1, NULL);
	t->epoch++;
	t->rotating = 0;
	t->key_created = c2_now_ms() / 1000;
	if (rc == 0)
		rc = c2_db_topic_update(ctx->db, t);
	w.ctx = ctx;
	w.topic = t;
	if (rc == 0 && (c2_db_topic_members(ctx->db, t->name, activate_member, &w) != 0 || w.rc))
		rc = -1;
	sodium_memzero(w.key, sizeof(w.key));
	ctx->kick = 1;   /* SetTopicKey is due now: no wait in the main loop */
	snprintf(detail, sizeof(detail), "%s epoch %lld acked %ld/%ld%s", t->name,
	         (long long)t->epoch, done, total, timeout ? " (timeout)" : "");
	return c2__finish(ctx, rc, "topic.rotate.activate", detail);
}

/* Checks one rotating topic. */
static int rotation_check(void *arg, const struct c2_topic *t)
{
	struct walk *w = arg;
	long done = 0, total = 0;
	int timeout;

	if (!t->rotating)
		return 0;
	if (c2_db_cmd_progress(w->ctx->db, t->name, t->epoch + 1, E4_CMD_SET_TOPIC_KEY_NEXT,
	                       &done, &total) != 0)
		return 0;
	timeout = w->n >= t->rot_started + w->ctx->conf.rotation_timeout;
	if (done == total || timeout) {
		if (timeout && done < total)
			c2_log(C2_LOG_WARN, "rotation", "%s: activating after timeout with %ld/%ld acks",
			       t->name, done, total);
		w->rc = 1;
		/* Topic rows must not be modified while the list statement runs. */
		snprintf(w->names[0], sizeof(w->names[0]), "%s", t->name);
		w->remove = timeout && done < total;
		return 1;
	}
	return 0;
}

void c2_rotation_tick(struct c2_ctx *ctx, int64_t now_s)
{
	struct walk w;
	struct c2_topic t;
	long done = 0, total = 0;
	int guard;

	for (guard = 0; guard < 64; guard++) {
		memset(&w, 0, sizeof(w));
		w.ctx = ctx;
		w.n = (long)now_s;
		c2_db_topic_list(ctx->db, rotation_check, &w);
		if (w.rc != 1 || c2_db_topic_get(ctx->db, w.names[0], &t) != 0)
			return;
		c2_db_cmd_progress(ctx->db, t.name, t.epoch + 1, E4_CMD_SET_TOPIC_KEY_NEXT,
		                   &done, &total);
		if (rotation_activate(ctx, &t, done, total, w.remove) != 0)
			return;
	}
}


void c2_rotation_followup(struct c2_ctx *ctx)
{
	struct c2_topic t;
	long done = 0, total = 0;
	size_t i, n = ctx->nrotq;

	if (ctx->rotq_full) {
		ctx->rotq_full = 0;
		ctx->nrotq = 0;
		c2_rotation_tick(ctx, c2_now_ms() / 1000);
		return;
	}
	ctx->nrotq = 0;
	for (i = 0; i < n; i++) {
		/* One seek: is any member still to ack the next key of this epoch? */
		if (c2_db_cmd_topic_open(ctx->db, ctx->rotq[i].topic, ctx->rotq[i].epoch,
		                         E4_CMD_SET_TOPIC_KEY_NEXT) != 0 ||
		    c2_db_topic_get(ctx->db, ctx->rotq[i].topic, &t) != 0 || !t.rotating ||
		    t.epoch + 1 != ctx->rotq[i].epoch)
			continue;
		if (c2_db_cmd_progress(ctx->db, t.name, t.epoch + 1, E4_CMD_SET_TOPIC_KEY_NEXT,
		                       &done, &total) == 0)
			rotation_activate(ctx, &t, done, total, 0);
	}
}
