/*
 * auto.c - automation from the configuration: periodic topic and device
 * key rotation and heartbeats to idle devices.  Each pass starts at most
 * a bounded number of operations so the loop stays responsive.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "engine.h"

#define AUTO_BATCH 64

/* Names collected during a list walk (acted upon after it). */
struct due {
	struct c2_ctx *ctx;
	int64_t now;
	size_t n;
	char names[AUTO_BATCH][C2_NAME_MAX + 1];
	int heartbeat[AUTO_BATCH];
};

/* Collects topics whose key is older than the rotation interval. */
static int topic_due(void *arg, const struct c2_topic *t)
{
	struct due *d = arg;

	/* A member that never confirms a retirement does not stop routine rotations. */
	int may = t->phase == C2_ROT_IDLE || (t->phase == C2_ROT_RETIRING &&
	           t->rot_started + d->ctx->conf.rotation_timeout <= d->now);

	if (may && t->key_created + d->ctx->conf.topic_rotation_interval <= d->now)
		snprintf(d->names[d->n++], sizeof(d->names[0]), "%s", t->name);
	return d->n >= AUTO_BATCH;
}

/* Collects idle devices due for a key rotation or a heartbeat. */
static int device_due(void *arg, const struct c2_device *dev)
{
	struct due *d = arg;
	const struct c2_conf *conf = &d->ctx->conf;
	int64_t seen = dev->last_ack > dev->created ? dev->last_ack : dev->created;
	long pending = 0;
	int rotate, beat;

	if (dev->legacy)
		return 0;
	rotate = conf->device_key_rotation_interval > 0 &&
	         (conf->mode == E4_MODE_SYMKEY || dev->has_sk) &&
	         dev->key_created + conf->device_key_rotation_interval <= d->now;
	beat = conf->heartbeat_interval > 0 && seen + conf->heartbeat_interval <= d->now;
	if (!rotate && !beat)
		return 0;
	if (c2_db_cmd_device_pending(d->ctx->db, dev->id, &pending) != 0 || pending > 0)
		return 0;
	snprintf(d->names[d->n], sizeof(d->names[0]), "%s", dev->name);
	d->heartbeat[d->n++] = !rotate;
	return d->n >= AUTO_BATCH;
}

void c2_auto_tick(struct c2_ctx *ctx, int64_t now_ms)
{
	char err[C2_ERR_MAX];
	struct c2_device dev;
	struct due d;
	size_t i;

	if (now_ms < ctx->next_auto)
		return;
	ctx->next_auto = now_ms + 1000;
	c2_rotation_tick(ctx, now_ms / 1000);
	if (now_ms >= ctx->next_prune) {
		ctx->next_prune = now_ms + 3600 * 1000;
		c2_db_cmd_prune(ctx->db, now_ms / 1000 - C2_KEEP_DONE);
		if (ctx->conf.audit_routine_keep > 0)
			c2_db_audit_prune(ctx->db, now_ms / 1000 - ctx->conf.audit_routine_keep);
	}
	memset(&d, 0, sizeof(d));
	d.ctx = ctx;
	d.now = now_ms / 1000;
	ctx->uid = -1;   /* the daemon itself */
	if (ctx->conf.topic_rotation_interval > 0)
		c2_db_topic_list(ctx->db, topic_due, &d);
	for (i = 0; i < d.n; i++)
		if (c2_op_topic_rotate(ctx, d.names[i], err, sizeof(err)) != 0)
			c2_log(C2_LOG_WARN, "auto", "rotation of a topic failed: %s", err);
	d.n = 0;
	if (ctx->conf.device_key_rotation_interval > 0 || ctx->conf.heartbeat_interval > 0)
		c2_db_device_list(ctx->db, device_due, &d);
	for (i = 0; i < d.n; i++) {
		if (!d.heartbeat[i]) {
			if (c2_op_device_rotate(ctx, d.names[i], err, sizeof(err)) != 0)
				c2_log(C2_LOG_WARN, "auto", "device key rotation failed: %s", err);
		} else if (c2_db_device_get(ctx->db, d.names[i], NULL, &dev) == 0) {
			c2_op_heartbeat(ctx, &dev);
		}
	}
}
