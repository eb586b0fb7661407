/*
 * outbox.c - reliable delivery.  Commands wait in the outbox (SQLite)
 * until the device acks them.  Each device has at most one command in
 * flight (in-order delivery); devices proceed in parallel up to
 * max_inflight and rollout_rate.  Every attempt is protected afresh with
 * a per-device monotonic timestamp, recorded (digest, sequence) before it
 * is published, so a crash at any point loses nothing.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "engine.h"

#define FUTURE_BUDGET 30   /* seconds a command timestamp may run ahead of the clock */
#define STALE_MAX     16   /* stale acks tolerated before a command fails */
#define REUSE_MAX     120  /* seconds a retry resends the very same frame */

/* A frame ready to publish once its transaction committed. */
struct pending {
	char topic[E4_CONTROL_TOPIC_CAP];
	uint8_t frame[E4_PROTECTED_LEN(E4_COMMAND_MAX)];
	size_t len;
	int64_t seq;
	int legacy;
};

/*
 * The frames of one pass (C2_TICK_MAX of them): allocated once for the process
 * (one daemon per process), not per pass, where malloc would hand the
 * memory back to the kernel after every pass; only the entries used are
 * wiped.
 */
static struct pending pass_out[C2_TICK_MAX];

static int record_queued(struct c2_ctx *ctx);

/* State of one scheduling pass. */
struct pass {
	struct c2_ctx *ctx;
	int64_t now_ms;
	long budget;
	struct pending *out;
	size_t n;
};

int c2_device_cmdkey(struct c2_ctx *ctx, const struct c2_device *d, uint8_t key[E4_KEY_LEN])
{
	uint8_t pub[32], sk[32];
	int rc;

	if (ctx->conf.mode == E4_MODE_SYMKEY)
		return c2_db_device_key(ctx->db, d->id, key, E4_KEY_LEN);
	rc = c2_db_c2key_get(ctx->db, d->c2key, pub, sk);
	if (rc == 0)
		rc = e4_pk_command_key_c2(key, sk, d->pub) == 0 ? 0 : -1;
	e4_wipe(sk, sizeof(sk));
	return rc;
}

/* The command key of d, from its device key when the database already opened it (symkey). */
static int cmdkey_of(struct c2_ctx *ctx, const struct c2_device *d, const uint8_t *devkey,
                     uint8_t key[E4_KEY_LEN])
{
	if (ctx->conf.mode == E4_MODE_SYMKEY && devkey != NULL) {
		memcpy(key, devkey, E4_KEY_LEN);
		return 0;
	}
	return c2_device_cmdkey(ctx, d, key);
}

/* The command key after `c` is applied, for SetIDKey and SetC2Key (else -1). */
static int cmdkey_after(struct c2_ctx *ctx, const struct c2_device *d, const struct c2_cmd *c,
                        uint8_t key[E4_KEY_LEN])
{
	struct c2_device nd = *d;

	if (c->code == E4_CMD_SET_ID_KEY && ctx->conf.mode == E4_MODE_SYMKEY &&
	    c->args_len == E4_KEY_LEN) {
		memcpy(key, c->args, E4_KEY_LEN);
		return 0;
	}
	if (c->code == E4_CMD_SET_ID_KEY && c->args_len == E4_ED25519_SK_LEN)
		memcpy(nd.pub, c->args + 32, E4_ED25519_PK_LEN);
	else if (c->code == E4_CMD_SET_C2_KEY)
		nd.c2key = c->epoch;
	else
		return -1;
	return c2_device_cmdkey(ctx, &nd, key);
}

/* Forgets the buckets of the window that are ack_timeout old (or all, when it changed). */
static void slots_advance(struct c2_ctx *ctx, int64_t now_ms)
{
	struct c2_slots *w = &ctx->slots;
	int64_t t = ctx->conf.ack_timeout * 1000, width, oldest;
	size_t i;

	/*
	 * 62 buckets span at least the timeout: a command stops counting between
	 * ack_timeout and ack_timeout plus one bucket after it was sent, never
	 * before, and a bucket is reused only once it expired.
	 */
	width = (t + C2_SLOT_BUCKETS - 3) / (C2_SLOT_BUCKETS - 2);
	if (width < 1)
		width = 1;
	if (width != w->width) {
		memset(w, 0, sizeof(*w));
		w->width = width;
	}
	/* Bucket s covers [s * width, (s + 1) * width): expired once all of it is t old. */
	oldest = (now_ms - t) / width;
	for (i = 0; i < C2_SLOT_BUCKETS; i++)
		if (w->b[i].n > 0 && w->b[i].stamp < oldest) {
			w->total -= w->b[i].n;
			w->b[i].n = 0;
		}
}

/* Counts a command sent at sent_ms in the window. */
static void slots_take(struct c2_ctx *ctx, int64_t sent_ms)
{
	struct c2_slots *w = &ctx->slots;
	int64_t stamp = sent_ms / w->width;
	size_t i = (size_t)(stamp % C2_SLOT_BUCKETS);

	if (w->b[i].stamp != stamp) {
		w->total -= w->b[i].n;   /* a bucket a whole window old: expired */
		w->b[i].stamp = stamp;
		w->b[i].n = 0;
	}
	w->b[i].n++;
	w->total++;
}

/* A command sent at sent_ms was answered: it stops counting (if it still did). */
static void slots_give(struct c2_ctx *ctx, int64_t sent_ms)
{
	struct c2_slots *w = &ctx->slots;
	int64_t stamp;
	size_t i;

	if (w->width == 0 || sent_ms <= 0)
		return;
	stamp = sent_ms / w->width;
	i = (size_t)(stamp % C2_SLOT_BUCKETS);
	if (w->b[i].stamp == stamp && w->b[i].n > 0) {
		w->b[i].n--;
		w->total--;
	}
}

/* Milliseconds to wait for an ack after the given number of attempts. */
static int64_t backoff_ms(const struct c2_conf *conf, int64_t attempts)
{
	int64_t ms = conf->ack_timeout * 1000;
	int64_t cap = conf->retry_max_interval * 1000;

	while (attempts-- > 0 && ms < cap)
		ms *= 2;
	return ms < cap ? ms : cap;
}

/* Protects command c for device d (see the timestamp rule below) and records the attempt. */
static int protect(struct pass *p, const struct c2_cmd *c, struct c2_device *d,
                   const uint8_t *devkey, struct pending *out)
{
	uint8_t key[E4_KEY_LEN], plain[E4_COMMAND_MAX], digest[16];
	int64_t now_s = p->now_ms / 1000, ts;
	size_t plen = 0;
	int rc, presumed_offline = 0;

	/*
	 * Timestamps are monotonic per device.  devices.last_ts holds the newest
	 * timestamp of the device's settled commands (folded in when a command
	 * is acked, cancelled or given up); the head, the only command of the
	 * device that can be in flight, keeps its own in its row (c->ts), so
	 * sending a command writes the outbox row only.
	 *
	 * A retry of a recent attempt keeps its timestamp: SIV is deterministic,
	 * so the frame is the same and a device that did apply it only acks it
	 * again as a duplicate (never applies a command twice).  Older attempts,
	 * and attempts the device called stale, are re-protected with a fresh
	 * timestamp, which a device that slept past its max-age still accepts.
	 */
	if (c->attempts > 0 && c->has_digest && c->ts >= d->last_ts && c->status != E4_ACK_STALE &&
	    now_s - c->ts < REUSE_MAX) {
		ts = c->ts;   /* same frame again */
	} else {
		ts = (c->ts > d->last_ts ? c->ts : d->last_ts) + 1;
		if (ts < now_s)
			ts = now_s;
		if (ts > now_s + FUTURE_BUDGET)
			return 1;   /* too many commands this second: wait for the clock */
	}
	/*
	 * A retry with no sign of life from the device since the last attempt
	 * (no ack, no presence event): presumed offline until it answers, which
	 * is all a C2 without the broker plugin can know.
	 */
	if (c->attempts > 0 && d->last_seen < c->sent_at / 1000 && d->online) {
		d->online = 0;
		presumed_offline = 1;
	}
	rc = cmdkey_of(p->ctx, d, devkey, key);
	if (rc == 0)
		rc = e4_command_build(plain, sizeof(plain), &plen, (int)p->ctx->conf.mode,
		                      (uint8_t)c->code, c->args, c->args_len) == 0 ? 0 : -1;
	if (rc == 0)
		rc = e4_frame_seal(out->frame, sizeof(out->frame), &out->len, key, (uint64_t)ts,
		                   plain, plen) == 0 ? 0 : -1;
	e4_wipe(key, sizeof(key));
	e4_wipe(plain, sizeof(plain));
	if (rc == 0)
		rc = e4_command_digest(digest, out->frame, out->len) == 0 ? 0 : -1;
	if (rc == 0)
		rc = c2_db_cmd_sent(p->ctx->db, c, p->now_ms, p->now_ms +
		                    backoff_ms(&p->ctx->conf, c->attempts), digest, ts);
	if (rc == 0 && presumed_offline)
		rc = c2_db_device_update(p->ctx->db, d);
	e4_control_topic(out->topic, d->id);
	out->seq = c->seq;
	out->legacy = d->legacy;
	return rc;
}

/* Considers one due head command; returns non-zero to end the pass. */
static int consider(void *arg, const struct c2_cmd *c, struct c2_device *d, const uint8_t *key)
{
	struct pass *p = arg;
	int rc;

	if (p->n >= C2_TICK_MAX || p->budget <= 0)
		return 1;
	if (c->state == C2_CMD_PENDING && p->ctx->slots.total >= p->ctx->conf.max_inflight)
		return 1;   /* retries come first in the order; new heads wait */
	rc = protect(p, c, d, key, &p->out[p->n]);
	if (rc == 1) {
		c2_db_cmd_set_state(p->ctx->db, c->seq, c->state, c->status, p->now_ms + 1000);
		return 0;
	}
	if (rc != 0) {
		c2_log(C2_LOG_ERROR, "outbox", "cannot protect command %lld", (long long)c->seq);
		c2_db_cmd_fold_ts(p->ctx->db, c->seq);
		c2_db_cmd_set_state(p->ctx->db, c->seq, C2_CMD_FAILED, -1, 0);
		return 0;
	}
	slots_take(p->ctx, p->now_ms);   /* a retry holds a slot for its ack timeout too */
	if (c->state != C2_CMD_PENDING)
		p->ctx->retried++;
	p->budget--;
	p->n++;
	return 0;
}

/* Refills the rollout_rate token bucket; returns the commands allowed now. */
static long rate_budget(struct c2_ctx *ctx, int64_t now_ms)
{
	double rate = (double)ctx->conf.rollout_rate;

	if (rate <= 0)
		return C2_TICK_MAX;
	ctx->tokens += (double)(now_ms - ctx->tokens_at) * rate / 1000.0;
	ctx->tokens_at = now_ms;
	if (ctx->tokens > rate)
		ctx->tokens = rate;
	return (long)ctx->tokens;
}

/* Publishes the frames of a committed pass. */
static void publish_all(struct c2_ctx *ctx, struct pending *out, size_t n)
{
	size_t i;
	int mid = 0;

	for (i = 0; i < n; i++) {
		if (ctx->tr.publish(ctx->tr.ctx, out[i].topic, out[i].frame, out[i].len,
		                    (int)ctx->conf.mqtt_qos, &mid) != 0) {
			c2_log(C2_LOG_DEBUG, "outbox", "publish of %lld deferred (not connected)",
			       (long long)out[i].seq);
			continue;
		}
		ctx->sent++;
		if (out[i].legacy && ctx->nlegacy < C2_LEGACY_MAX) {
			ctx->legacy[ctx->nlegacy].mid = mid;
			ctx->legacy[ctx->nlegacy].seq = out[i].seq;
			ctx->nlegacy++;
		}
	}
}

/* 1 when a pass would publish something now; sets the rollout budget. */
static int pass_wanted(struct c2_ctx *ctx, int64_t now_ms, long *budget)
{
	if (!ctx->connected || !c2_db_cmd_any_due(ctx->db, now_ms))
		return 0;
	*budget = rate_budget(ctx, now_ms);
	return *budget > 0;
}

int c2_outbox_tick(struct c2_ctx *ctx, int64_t now_ms)
{
	struct pass p;
	long budget = 0;

	/*
	 * Acks alone are recorded without a flush to disk, and only once a few
	 * milliseconds passed or a batch is full, so that those arriving one by
	 * one share a commit; with something to send, they share the pass's
	 * transaction (one synced commit).  An ack can make a command due (it
	 * wakes the device's next one): check again.
	 */
	if (!pass_wanted(ctx, now_ms, &budget)) {
		if (ctx->nackq == 0 || c2_outbox_wait_ms(ctx, now_ms, 1) > 0)
			return 0;
		c2_outbox_ack_flush(ctx);
		if (!pass_wanted(ctx, now_ms, &budget))
			return 0;
	}
	/*
	 * A command holds an inflight slot until its ack or its ack timeout
	 * (ctx->slots): devices that sleep through a command do not hold the
	 * fleet back.  With nothing in flight, a short first pass: its commands
	 * reach the broker while the next pass is being prepared, instead of
	 * after all C2_TICK_MAX of them (the loop runs the next pass at once).
	 */
	slots_advance(ctx, now_ms);
	if (ctx->slots.total == 0 && budget > C2_FIRST_PASS) {
		budget = C2_FIRST_PASS;
		ctx->kick = 1;
	}
	memset(&p, 0, sizeof(p));
	p.ctx = ctx;
	p.now_ms = now_ms;
	p.budget = budget;
	p.out = pass_out;
	if (c2_db_begin(ctx->db) != 0)
		return 0;
	if (record_queued(ctx) != 0) {
		c2_db_rollback(ctx->db);
		return 0;
	}
	c2_db_cmd_due(ctx->db, now_ms, C2_TICK_MAX, consider, &p);
	/* Record before publishing: a crash after this commit only causes a retry. */
	if (c2_db_commit(ctx->db) != 0)
		p.n = 0;
	publish_all(ctx, p.out, p.n);
	if (ctx->conf.rollout_rate > 0)
		ctx->tokens -= (double)p.n;
	e4_wipe(p.out, (p.n < C2_TICK_MAX ? p.n + 1 : p.n) * sizeof(*p.out));
	c2_rotation_followup(ctx);
	return (int)p.n;
}

/* Applies what a done command changes in the C2's own state. */
static int command_done(struct c2_ctx *ctx, struct c2_device *d, const struct c2_cmd *c)
{
	if (c->code == E4_CMD_SET_ID_KEY) {
		if (c->args_len == E4_ED25519_SK_LEN)
			memcpy(d->pub, c->args + 32, E4_ED25519_PK_LEN);
		d->key_created = c2_now_ms() / 1000;
		if (c2_db_device_set_key(ctx->db, d, c->args, c->args_len) != 0)
			return -1;
		if (c->args_len == E4_ED25519_SK_LEN) {
			c2_plugin_push(ctx, d, 0);
			return c2_pubkey_announce(ctx, d);
		}
	} else if (c->code == E4_CMD_SET_C2_KEY) {
		d->c2key = c->epoch;
	}
	return 0;
}

/* Opens an ack with the device's key, or the key its head command installs. */
static int open_ack(struct c2_ctx *ctx, const struct c2_device *d, const uint8_t *devkey,
                    const struct c2_cmd *head, int have_head, const uint8_t *frame, size_t len,
                    uint8_t digest[16], uint8_t *status, uint64_t *ts)
{
	uint8_t key[E4_KEY_LEN];
	int rc = -1;

	if (cmdkey_of(ctx, d, devkey, key) == 0)
		rc = e4_ack_open(key, frame, len, digest, status, ts);
	if (rc != 0 && have_head && cmdkey_after(ctx, d, head, key) == 0)
		rc = e4_ack_open(key, frame, len, digest, status, ts);
	e4_wipe(key, sizeof(key));
	return rc;
}

/* Parses "e4/<32 hex>/ack" into an id. */
static int ack_topic_id(const char *topic, uint8_t id[E4_ID_LEN])
{
	char hex[2 * E4_ID_LEN + 1];

	if (strlen(topic) != 3 + 2 * E4_ID_LEN + 4 || strncmp(topic, "e4/", 3) != 0 ||
	    strcmp(topic + 3 + 2 * E4_ID_LEN, "/ack") != 0)
		return -1;
	memcpy(hex, topic + 3, 2 * E4_ID_LEN);
	hex[2 * E4_ID_LEN] = '\0';
	return e4_hex_decode(id, E4_ID_LEN, hex) == 0 ? 0 : -1;
}

/* Remembers that a rotation phase may be complete (checked once the acks committed). */
static void note_rotation(struct c2_ctx *ctx, const struct c2_cmd *c)
{
	size_t i;

	if (c->code != E4_CMD_SET_TOPIC_KEY_NEXT && c->code != E4_CMD_SET_TOPIC_KEY &&
	    c->code != E4_CMD_REPLACE_TOPIC_KEY)
		return;
	for (i = 0; i < ctx->nrotq; i++)
		if (ctx->rotq[i].epoch == c->epoch && ctx->rotq[i].code == c->code &&
		    strcmp(ctx->rotq[i].topic, c->topic) == 0)
			return;
	if (ctx->nrotq == C2_ROTQ_MAX) {
		ctx->rotq_full = 1;
		return;
	}
	snprintf(ctx->rotq[ctx->nrotq].topic, sizeof(ctx->rotq[0].topic), "%s", c->topic);
	ctx->rotq[ctx->nrotq].code = c->code;
	ctx->rotq[ctx->nrotq++].epoch = c->epoch;
}

/* Acts on the status of an ack naming the head command. */
static int ack_status(struct c2_ctx *ctx, struct c2_device *d, struct c2_cmd *c,
                      uint8_t status, uint64_t ts, char *err, size_t cap)
{
	int64_t now = c2_now_ms();

	/* The device saw this frame: its timestamp is settled (see protect()). */
	if (c->ts > d->last_ts)
		d->last_ts = c->ts;
	slots_give(ctx, c->sent_at);
	if (status == E4_ACK_APPLIED || status == E4_ACK_DUPLICATE) {
		ctx->acked++;
		if (command_done(ctx, d, c) != 0)
			return -1;
		note_rotation(ctx, c);
		return c2_db_cmd_set_state(ctx->db, c->seq, C2_CMD_DONE, status, 0);
	}
	if (status == E4_ACK_STALE && c->attempts < STALE_MAX) {
		/* The device applied a newer command than we think: resend later-stamped. */
		if ((int64_t)ts > d->last_ts && (int64_t)ts < now / 1000 + FUTURE_BUDGET)
			d->last_ts = (int64_t)ts;
		return c2_db_cmd_set_state(ctx->db, c->seq, C2_CMD_SENT, status, 0);
	}
	snprintf(err, cap, "device refused command %lld with status %u", (long long)c->seq, status);
	return c2_db_cmd_set_state(ctx->db, c->seq, C2_CMD_FAILED, status, 0);
}

/* Handles an authenticated ack inside a transaction. */
static int ack_apply(struct c2_ctx *ctx, struct c2_device *d, struct c2_cmd *head, int have_head,
                     const uint8_t digest[16], uint8_t status, uint64_t ts, char *err,
                     size_t cap)
{
	char detail[C2_NAME_MAX + 64];
	int64_t seq;
	int rc = 0;

	d->last_ack = c2_now_ms() / 1000;
	d->last_seen = d->last_ack;
	d->online = 1;
	/* The head's last frame, or an earlier frame of it (a late ack of a replaced attempt). */
	if (!have_head || ((!head->has_digest || memcmp(digest, head->digest, 16) != 0) &&
	                   (c2_db_cmd_by_digest(ctx->db, digest, &seq) != 0 || seq != head->seq))) {
		c2_log(C2_LOG_DEBUG, "ack", "ack for an earlier or unknown attempt (ignored)");
		return c2_db_device_update(ctx->db, d);
	}
	/*
	 * The device's next command is due at once: commands are queued with
	 * next_try 0 and only the head's moves (retries), so nothing to wake.
	 */
	rc = ack_status(ctx, d, head, status, ts, err, cap);
	if (rc == 0)
		rc = c2_db_device_update(ctx->db, d);
	if (rc == 0 && status > E4_ACK_STALE) {
		snprintf(detail, sizeof(detail), "%s command %d status %u", d->name, head->code, status);
		rc = c2_db_audit(ctx->db, -1, "command.failed", detail);
		c2_log(C2_LOG_WARN, "ack", "%s", detail);
	}
	return rc;
}

/* What became of an ack (ack_record). */
enum ack_result {
	ACK_RECORDED = 0,
	ACK_REFUSED = -1,     /* refused before anything was written (err says why) */
	ACK_DB_FAILED = -2    /* the database failed: the caller rolls the transaction back */
};

/* Records an ack inside the caller's transaction. */
static enum ack_result ack_record(struct c2_ctx *ctx, const uint8_t id[E4_ID_LEN], const uint8_t *frame,
                      size_t len, char *err, size_t cap)
{
	uint8_t digest[16], status = 0, key[E4_KEY_LEN];
	struct c2_device d;
	struct c2_cmd head;
	uint64_t ts = 0;
	int have_head, have_key, rc;

	rc = c2_db_ack_lookup(ctx->db, id, &d, key, &have_key, &head, &have_head);
	if (rc != 0) {
		e4_wipe(key, sizeof(key));
		e4_wipe(&head, sizeof(head));
		snprintf(err, cap, rc == -1 ? "ack from an unknown device" :
		         "the device's stored key does not open");
		return ACK_REFUSED;
	}
	rc = open_ack(ctx, &d, have_key ? key : NULL, &head, have_head, frame, len, digest, &status,
	              &ts);
	e4_wipe(key, sizeof(key));
	if (rc != 0) {
		e4_wipe(&head, sizeof(head));
		snprintf(err, cap, "ack does not authenticate under the device's key");
		return ACK_REFUSED;
	}
	rc = ack_apply(ctx, &d, &head, have_head, digest, status, ts, err, cap);
	e4_wipe(&head, sizeof(head));
	if (rc != 0) {
		snprintf(err, cap, "cannot record the ack");
		return ACK_DB_FAILED;
	}
	return ACK_RECORDED;
}

/* Records the queued acks inside the open transaction; -1 when the database failed. */
static int record_queued(struct c2_ctx *ctx)
{
	char err[C2_ERR_MAX], hex[2 * E4_ID_LEN + 1];
	size_t i, n = ctx->nackq;
	enum ack_result rc = ACK_RECORDED;

	ctx->nackq = 0;
	for (i = 0; i < n && rc != ACK_DB_FAILED; i++) {
		rc = ack_record(ctx, ctx->ackq[i].id, ctx->ackq[i].frame, E4_ACK_FRAME_LEN, err,
		                sizeof(err));
		if (rc == ACK_REFUSED) {
			e4_hex_encode(hex, ctx->ackq[i].id, E4_ID_LEN);
			c2_log(C2_LOG_WARN, "ack", "e4/%s/ack: %s", hex, err);
		}
	}
	e4_wipe(ctx->ackq, n * sizeof(ctx->ackq[0]));
	if (rc == ACK_DB_FAILED) {
		/* Not recorded: the commands are resent and acked again as duplicates. */
		c2_log(C2_LOG_ERROR, "ack", "%zu acks not recorded (database failure)", n);
		return -1;
	}
	return 0;
}

/* Checks the topic and the size of an ack; fills id. */
static int ack_check(const char *topic, size_t len, uint8_t id[E4_ID_LEN], char *err, size_t cap)
{
	err[0] = '\0';
	if (ack_topic_id(topic, id) != 0) {
		snprintf(err, cap, "not an ack topic");
		return -1;
	}
	if (len != E4_ACK_FRAME_LEN) {
		snprintf(err, cap, "ack frame of %zu bytes (expected %d)", len, (int)E4_ACK_FRAME_LEN);
		return -1;
	}
	return 0;
}

/* Authenticates and records an ack from e4/<id>/ack. */
int c2_outbox_ack(struct c2_ctx *ctx, const char *topic, const uint8_t *frame, size_t len,
                  char *err, size_t cap)
{
	uint8_t id[E4_ID_LEN];
	enum ack_result rc;

	if (ack_check(topic, len, id, err, cap) != 0)
		return -1;
	if (c2_db_begin_relaxed(ctx->db) != 0) {
		c2_db_end_relaxed(ctx->db);
		snprintf(err, cap, "database busy");
		return -1;
	}
	rc = ack_record(ctx, id, frame, len, err, cap);
	if (rc != ACK_RECORDED)
		c2_db_rollback(ctx->db);
	else if (c2_db_commit(ctx->db) != 0)
		rc = ACK_DB_FAILED;
	if (rc == ACK_DB_FAILED)
		snprintf(err, cap, "cannot record the ack");
	c2_db_end_relaxed(ctx->db);
	c2_rotation_followup(ctx);
	return rc == ACK_RECORDED ? 0 : -1;
}

int c2_outbox_ack_queue(struct c2_ctx *ctx, const char *topic, const uint8_t *frame,
                        size_t len, char *err, size_t cap)
{
	uint8_t id[E4_ID_LEN];

	if (ack_check(topic, len, id, err, cap) != 0)
		return -1;
	if (ctx->nackq == C2_ACKQ_MAX)
		c2_outbox_ack_flush(ctx);
	if (ctx->nackq == 0)
		ctx->ackq_since = c2_now_ms();
	memcpy(ctx->ackq[ctx->nackq].id, id, E4_ID_LEN);
	memcpy(ctx->ackq[ctx->nackq].frame, frame, E4_ACK_FRAME_LEN);
	ctx->nackq++;
	return 0;
}

int c2_outbox_wait_ms(const struct c2_ctx *ctx, int64_t now_ms, int max_ms)
{
	int64_t left;

	if (ctx->nackq == 0)
		return max_ms;
	if (ctx->nackq >= C2_ACKQ_MAX)
		return 0;
	left = ctx->ackq_since + C2_ACK_DELAY_MS - now_ms;
	if (left <= 0)
		return 0;
	return left < max_ms ? (int)left : max_ms;
}

void c2_outbox_ack_flush(struct c2_ctx *ctx)
{
	if (ctx->nackq == 0)
		return;
	if (c2_db_begin_relaxed(ctx->db) != 0) {
		c2_log(C2_LOG_ERROR, "ack", "%zu acks not recorded (database busy)", ctx->nackq);
		ctx->nackq = 0;
	} else if (record_queued(ctx) != 0) {
		c2_db_rollback(ctx->db);
	} else {
		c2_db_commit(ctx->db);
	}
	c2_db_end_relaxed(ctx->db);
	c2_rotation_followup(ctx);
}

void c2_outbox_published(struct c2_ctx *ctx, int mid)
{
	size_t i;

	for (i = 0; i < ctx->nlegacy; i++) {
		if (ctx->legacy[i].mid != mid)
			continue;
		c2_db_cmd_fold_ts(ctx->db, ctx->legacy[i].seq);
		c2_db_cmd_set_state(ctx->db, ctx->legacy[i].seq, C2_CMD_DONE, -1, 0);
		ctx->legacy[i] = ctx->legacy[--ctx->nlegacy];
		return;
	}
}

void c2_outbox_online(struct c2_ctx *ctx, const uint8_t id[E4_ID_LEN], int online)
{
	struct c2_device d;

	if (c2_db_device_get(ctx->db, NULL, id, &d) != 0)
		return;
	d.online = online;
	d.last_seen = c2_now_ms() / 1000;
	c2_db_device_update(ctx->db, &d);
	if (online)
		c2_db_cmd_wake_device(ctx->db, id, 0);
}

void c2_outbox_reconnected(struct c2_ctx *ctx)
{
	ctx->nlegacy = 0;   /* unacknowledged legacy publishes are sent again */
	c2_db_cmd_wake_all(ctx->db, 0);
}

void c2_outbox_event(struct c2_ctx *ctx, const uint8_t *payload, size_t len)
{
	cJSON *j = cJSON_ParseWithLength((const char *)payload, len);
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(j, "event");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");
	uint8_t raw[E4_ID_LEN];

	if (!cJSON_IsString(ev) || !cJSON_IsString(id) || strlen(id->valuestring) != 32 ||
	    e4_hex_decode(raw, E4_ID_LEN, id->valuestring) != 0) {
		c2_log(C2_LOG_WARN, "event", "malformed plugin event ignored");
	} else if (strcmp(ev->valuestring, "online") == 0 || strcmp(ev->valuestring, "offline") == 0) {
		c2_outbox_online(ctx, raw, ev->valuestring[1] == 'n');
	}
	cJSON_Delete(j);
}
