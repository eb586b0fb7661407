/*
 * rotation.c - topic key rotation without loss, ending with the replaced
 * key retired everywhere.  Three phases (enum c2_rot_phase):
 *
 *   distributing  SetTopicKeyNext announces the next key to every member
 *                 (legacy members get SetTopicKey at once): members accept
 *                 it but keep publishing with the current key;
 *   activating    once they all acked, SetTopicKey makes it current: every
 *                 member publishes with it, the replaced key still opens;
 *   retiring      once they all acked, ReplaceTopicKey makes it the only
 *                 key: no member accepts the replaced key any more.  The
 *                 rotation is finished when every member acked that.
 *
 * The first two phases end at the latest after rotation_timeout; a leave
 * rekey does not wait for members that are offline either (they get
 * ReplaceTopicKey as their first command of the topic when they are back).
 * The last phase has no timeout: a member that never acks is listed by
 * topic show.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <sodium.h>

#include "commands.h"

/* A walk over the members queueing one topic-key command. */
struct key_walk {
	struct c2_ctx *ctx;
	const struct c2_topic *topic;
	int64_t epoch;
	uint8_t key[E4_KEY_LEN];
	int rc;
};

/* The command whose acks end a phase, and the epoch it carries. */
static int phase_code(int phase)
{
	switch (phase) {
	case C2_ROT_DISTRIBUTING: return E4_CMD_SET_TOPIC_KEY_NEXT;
	case C2_ROT_ACTIVATING:   return E4_CMD_SET_TOPIC_KEY;
	case C2_ROT_RETIRING:     return E4_CMD_REPLACE_TOPIC_KEY;
	default:                  return -1;
	}
}

int64_t c2_rotation_epoch(const struct c2_topic *t)
{
	return t->phase == C2_ROT_DISTRIBUTING ? t->epoch + 1 : t->epoch;
}

int c2_rotation_code(const struct c2_topic *t)
{
	return phase_code(t->phase);
}

const char *c2_rotation_phase_name(int phase)
{
	static const char *const names[] = { "active", "distributing", "activating", "retiring" };

	return phase >= 0 && phase <= C2_ROT_RETIRING ? names[phase] : "unknown";
}

/* Queues the next key to one member (SetTopicKey directly for legacy devices). */
static int distribute_next(void *arg, const struct c2_device *m)
{
	struct key_walk *w = arg;
	int code = m->legacy ? E4_CMD_SET_TOPIC_KEY : E4_CMD_SET_TOPIC_KEY_NEXT;

	if (c2__enqueue_topic_key(w->ctx, m->id, code, w->topic, w->key, w->epoch) != 0)
		w->rc = -1;
	return w->rc;
}

/* Queues SetTopicKey (activating) or ReplaceTopicKey (retiring) to an ack-capable member. */
static int queue_member(void *arg, const struct c2_device *m)
{
	struct key_walk *w = arg;

	if (m->legacy)
		return 0;
	if (c2__enqueue_topic_key(w->ctx, m->id, phase_code(w->topic->phase), w->topic, w->key,
	                          w->epoch) != 0)
		w->rc = -1;
	return w->rc;
}

/* Queues w->key with the command of t's phase to every member. */
static int queue_all(struct c2_ctx *ctx, const struct c2_topic *t, struct key_walk *w,
                     c2_device_fn fn)
{
	w->ctx = ctx;
	w->topic = t;
	w->epoch = c2_rotation_epoch(t);
	w->rc = 0;
	if (c2_db_topic_members(ctx->db, t->name, fn, w) != 0 || w->rc != 0)
		return -1;
	return 0;
}

int c2_rotation_start(struct c2_ctx *ctx, struct c2_topic *t, int leave)
{
	struct key_walk w;
	int rc;

	/* A rotation in progress is superseded: its next key is never activated. */
	if (t->phase == C2_ROT_DISTRIBUTING &&
	    c2_db_cmd_cancel(ctx->db, NULL, t->name, E4_CMD_SET_TOPIC_KEY_NEXT) != 0)
		return -1;
	/* A routine rotation that supersedes a leave rekey stays as urgent. */
	t->leave = leave || (t->phase != C2_ROT_IDLE && t->leave);
	t->phase = C2_ROT_DISTRIBUTING;
	t->rot_started = c2_now_ms() / 1000;
	memset(&w, 0, sizeof(w));
	c2_random(w.key, sizeof(w.key));
	rc = c2_db_topic_set_key(ctx->db, t->name, 1, w.key);
	if (rc == 0)
		rc = c2_db_topic_update(ctx->db, t);
	if (rc == 0)
		rc = queue_all(ctx, t, &w, distribute_next);
	sodium_memzero(w.key, sizeof(w.key));
	return rc;
}

int c2_op_topic_rotate(struct c2_ctx *ctx, const char *name, char *err, size_t cap)
{
	struct c2_topic t;
	int rc;

	if (c2__begin_on(ctx, NULL, NULL, name, &t, err, cap) != 0)
		return -1;
	rc = c2_rotation_start(ctx, &t, 0);
	if (rc != 0)
		snprintf(err, cap, "cannot start the rotation");
	return c2__finish(ctx, rc, "topic.rotate", name);
}

/* Ends a phase of t: audits its acks (done of total) and commits, or rolls back. */
static int phase_finish(struct c2_ctx *ctx, const struct c2_topic *t, int rc, const char *action,
                        long done, long total, int timeout)
{
	char detail[C2_NAME_MAX + 96];

	snprintf(detail, sizeof(detail), "%s epoch %lld acked %ld/%ld%s%s", t->name,
	         (long long)t->epoch, done, total, timeout ? " (timeout)" : "",
	         t->leave ? " (leave rekey)" : "");
	if (timeout)
		c2_log(C2_LOG_WARN, "rotation", "%s: %s after timeout with %ld/%ld acks", t->name,
		       action, done, total);
	ctx->kick = 1;   /* commands are due now: no wait in the main loop */
	return c2__finish(ctx, rc, action, detail);
}

/* Acks so far of the command of t's current phase. */
static void phase_progress(struct c2_ctx *ctx, const struct c2_topic *t, long *done, long *total)
{
	*done = 0;
	*total = 0;
	c2_db_cmd_progress(ctx->db, t->name, c2_rotation_epoch(t), phase_code(t->phase), done, total);
}

/* Distributing -> activating: the next key becomes current, SetTopicKey everywhere. */
static int rotation_activate(struct c2_ctx *ctx, struct c2_topic *t, int timeout)
{
	struct key_walk w;
	long done, total;
	int rc;

	phase_progress(ctx, t, &done, &total);
	memset(&w, 0, sizeof(w));
	rc = c2_db_topic_key(ctx->db, t->name, 1, w.key);
	if (rc == 0)
		rc = c2_db_topic_set_key(ctx->db, t->name, 0, w.key);
	if (rc == 0)
		rc = c2_db_topic_set_key(ctx->db, t->name, 1, NULL);
	t->epoch++;
	t->phase = C2_ROT_ACTIVATING;
	t->rot_started = c2_now_ms() / 1000;
	t->key_created = t->rot_started;
	if (rc == 0)
		rc = c2_db_topic_update(ctx->db, t);
	if (rc == 0)
		rc = queue_all(ctx, t, &w, queue_member);
	sodium_memzero(w.key, sizeof(w.key));
	return phase_finish(ctx, t, rc, "topic.rotate.activate", done, total, timeout);
}

/*
 * Activating -> retiring: every member that can be reached publishes with
 * the new key; ReplaceTopicKey retires the replaced one.  Members still
 * owing an ack of this rotation's commands get ReplaceTopicKey instead, as
 * their first command of the topic when they are back.
 */
static int rotation_retire(struct c2_ctx *ctx, struct c2_topic *t, int timeout)
{
	struct key_walk w;
	long done, total;
	int rc;

	phase_progress(ctx, t, &done, &total);
	memset(&w, 0, sizeof(w));
	rc = c2_db_cmd_cancel_rekey(ctx->db, t->name);
	if (rc == 0)
		rc = c2_db_topic_key(ctx->db, t->name, 0, w.key);
	t->phase = C2_ROT_RETIRING;
	t->rot_started = c2_now_ms() / 1000;
	if (rc == 0)
		rc = c2_db_topic_update(ctx->db, t);
	if (rc == 0)
		rc = queue_all(ctx, t, &w, queue_member);
	sodium_memzero(w.key, sizeof(w.key));
	return phase_finish(ctx, t, rc, "topic.rotate.retire", done, total, timeout);
}

/* Retiring -> idle: every member acked that it no longer accepts the replaced key. */
static int rotation_finish(struct c2_ctx *ctx, struct c2_topic *t)
{
	struct c2_topic idle = *t;
	long done, total;

	phase_progress(ctx, t, &done, &total);
	idle.phase = C2_ROT_IDLE;
	idle.leave = 0;
	return phase_finish(ctx, t, c2_db_topic_update(ctx->db, &idle), "topic.rotate.finished",
	                    done, total, 0);
}

/*
 * Whether the current phase of t may end now: 1 when the members it waits
 * for all acked (a leave rekey, before its last phase, waits for online
 * members only), 2 when it timed out instead (the first two phases), 0 not
 * yet, -1 on a database error.
 */
static int phase_ready(struct c2_ctx *ctx, const struct c2_topic *t, int64_t now_s)
{
	int open;

	if (t->phase == C2_ROT_IDLE)
		return 0;
	open = c2_db_cmd_topic_open(ctx->db, t->name, c2_rotation_epoch(t), phase_code(t->phase),
	                            t->leave && t->phase != C2_ROT_RETIRING);
	if (open <= 0)
		return open == 0 ? 1 : -1;
	return t->phase != C2_ROT_RETIRING && now_s >= t->rot_started + ctx->conf.rotation_timeout ?
	       2 : 0;
}

/*
 * Moves the rotation of the topic named `name` to its next phase when that
 * phase is ready; expected_code and expected_epoch, when not -1, say which
 * phase an ack was about.
 */
static void rotation_advance(struct c2_ctx *ctx, const char *name, int expected_code,
                             int64_t expected_epoch, int64_t now_s)
{
	struct c2_topic t;
	int ready;

	if (c2_db_begin(ctx->db) != 0)
		return;
	if (c2_db_topic_get(ctx->db, name, &t) != 0 || t.phase == C2_ROT_IDLE ||
	    (expected_code >= 0 && (phase_code(t.phase) != expected_code ||
	                            c2_rotation_epoch(&t) != expected_epoch)) ||
	    (ready = phase_ready(ctx, &t, now_s)) <= 0) {
		c2_db_rollback(ctx->db);
		return;
	}
	if (t.phase == C2_ROT_DISTRIBUTING)
		rotation_activate(ctx, &t, ready == 2);
	else if (t.phase == C2_ROT_ACTIVATING)
		rotation_retire(ctx, &t, ready == 2);
	else
		rotation_finish(ctx, &t);
}

/* Names of the topics whose rotation phase may end (collected, then advanced). */
struct ready_topics {
	struct c2_ctx *ctx;
	int64_t now_s;
	size_t n;
	char names[64][C2_NAME_MAX + 1];
};

static int collect_ready(void *arg, const struct c2_topic *t)
{
	struct ready_topics *r = arg;

	/* Reads only: rows are changed once the list statement is done. */
	if (phase_ready(r->ctx, t, r->now_s) > 0)
		snprintf(r->names[r->n++], sizeof(r->names[0]), "%s", t->name);
	return r->n == sizeof(r->names) / sizeof(r->names[0]);
}

void c2_rotation_tick(struct c2_ctx *ctx, int64_t now_s)
{
	static struct ready_topics r;   /* one daemon per process; 8 KB off the stack */
	int guard;
	size_t i;

	/*
	 * Only phases that can end are collected, so topics waiting for a
	 * member that never answers do not starve the others; a full batch is
	 * followed by another, a bounded number of times per tick.
	 */
	for (guard = 0; guard < 16; guard++) {
		r.ctx = ctx;
		r.now_s = now_s;
		r.n = 0;
		c2_db_topic_list(ctx->db, collect_ready, &r);
		for (i = 0; i < r.n; i++)
			rotation_advance(ctx, r.names[i], -1, -1, now_s);
		if (r.n < sizeof(r.names) / sizeof(r.names[0]))
			return;
	}
}

void c2_rotation_followup(struct c2_ctx *ctx)
{
	int64_t now_s = c2_now_ms() / 1000;
	size_t i, n = ctx->nrotq;

	if (ctx->rotq_full) {
		ctx->rotq_full = 0;
		ctx->nrotq = 0;
		c2_rotation_tick(ctx, now_s);
		return;
	}
	ctx->nrotq = 0;
	for (i = 0; i < n; i++) {
		/* One seek first: is a member online still to ack this phase's command? */
		if (c2_db_cmd_topic_open(ctx->db, ctx->rotq[i].topic, ctx->rotq[i].epoch,
		                         ctx->rotq[i].code, 1) == 0)
			rotation_advance(ctx, ctx->rotq[i].topic, ctx->rotq[i].code,
			                 ctx->rotq[i].epoch, now_s);
	}
}
