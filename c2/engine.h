/*
 * engine.h - the C2 engine: key-management operations (commands.c),
 * reliable delivery (outbox.c), automation (auto.c) and the transport
 * seam that the MQTT module (mqtt.c) or a test fake fills in.
 */
#ifndef C2_ENGINE_H
#define C2_ENGINE_H

#include "c2.h"

/*
 * Transport: publish() sends len bytes on topic and sets *mid (message
 * id for the QoS acknowledgement); returns 0, or -1 when not connected.
 */
struct c2_transport {
	int (*publish)(void *ctx, const char *topic, const uint8_t *payload, size_t len,
	               int qos, int *mid);
	void *ctx;
};

#define C2_LEGACY_MAX 1024
#define C2_TICK_MAX   512     /* commands published per tick at most */
#define C2_FIRST_PASS 64      /* ... and in the first one after a quiet time */
#define C2_KEEP_DONE  (7 * 86400)   /* seconds finished commands stay in the outbox */
#define C2_ACKQ_MAX   256     /* acks recorded per transaction at most */
#define C2_ACK_DELAY_MS 5     /* acks alone wait this long for others to share their commit */
#define C2_ROTQ_MAX   8       /* rotations whose completion is checked after an ack batch */

#define C2_SLOT_BUCKETS 64   /* the inflight window in buckets of about ack_timeout / 62 */

/*
 * The max_inflight window: commands sent less than ack_timeout ago and not
 * answered yet, counted in buckets of sent time (ack_timeout / 62 wide); a
 * bucket stops counting once all of it is ack_timeout old.  Kept in memory:
 * after a restart (or a reconnection, which resends everything) it starts
 * empty.
 */
struct c2_slots {
	int64_t width;                 /* ms per bucket, 0 before the first use */
	long total;                    /* commands counted */
	struct { int64_t stamp; long n; } b[C2_SLOT_BUCKETS];   /* stamp: sent_at / width */
};

/* An ack received, waiting to be recorded with the others of its batch. */
struct c2_ack_entry {
	uint8_t id[E4_ID_LEN];
	uint8_t frame[E4_ACK_FRAME_LEN];
};

/* Daemon state shared by the modules (one per process). */
struct c2_ctx {
	struct c2_conf conf;
	struct c2_db *db;
	struct c2_transport tr;
	int connected;                 /* transport is up */
	long uid;                      /* peer uid of the request being served (audit) */
	double tokens;                 /* rollout_rate token bucket */
	int64_t tokens_at;
	int64_t next_auto;             /* next automation pass (ms) */
	int64_t next_prune;            /* next removal of old finished commands (ms) */
	struct { int mid; int64_t seq; } legacy[C2_LEGACY_MAX];   /* awaiting QoS ack */
	size_t nlegacy;
	long sent, acked, retried;     /* counters for status */
	struct c2_ack_entry ackq[C2_ACKQ_MAX];   /* acks read, not yet recorded */
	size_t nackq;
	int64_t ackq_since;            /* ms when the oldest queued ack arrived */
	struct { char topic[C2_NAME_MAX + 1]; int64_t epoch; int code; } rotq[C2_ROTQ_MAX];
	size_t nrotq;                  /* rotation phases that may have just completed */
	int rotq_full;                 /* more than C2_ROTQ_MAX: check every rotating topic */
	int kick;                      /* commands became due: run the next pass without waiting */
	struct c2_slots slots;         /* the max_inflight window */
};

/* Result of device add: the secret for --export (wipe after use). */
struct c2_new_device {
	struct c2_device dev;
	uint8_t key[E4_ED25519_SK_LEN];  /* symkey: 32-byte key; pubkey: Ed25519 secret */
	size_t key_len;                  /* 0 when the device registered its public key */
	uint8_t c2pub[32];               /* pubkey mode */
};

/* ---- commands.c: operations; each runs in one transaction and audits ---- */

int c2_op_init_db(struct c2_ctx *ctx, char *err, size_t cap);
int c2_op_device_add(struct c2_ctx *ctx, const char *name, const char *id_hex,
                     const char *pub_hex, int legacy, struct c2_new_device *out,
                     char *err, size_t cap);
int c2_op_device_remove(struct c2_ctx *ctx, const char *name, char *err, size_t cap);
int c2_op_device_rotate(struct c2_ctx *ctx, const char *name, char *err, size_t cap);
int c2_op_device_reset(struct c2_ctx *ctx, const char *name, char *err, size_t cap);
int c2_op_topic_add(struct c2_ctx *ctx, const char *name, char *err, size_t cap);
int c2_op_topic_remove(struct c2_ctx *ctx, const char *name, char *err, size_t cap);
int c2_op_topic_rotate(struct c2_ctx *ctx, const char *name, char *err, size_t cap);
int c2_op_link(struct c2_ctx *ctx, const char *dev, const char *topic, char *err, size_t cap);
int c2_op_unlink(struct c2_ctx *ctx, const char *dev, const char *topic, char *err, size_t cap);
int c2_op_c2key_rotate(struct c2_ctx *ctx, char *err, size_t cap);
int c2_op_heartbeat(struct c2_ctx *ctx, const struct c2_device *d);

/* Appends a command to a device's queue (inside the caller's transaction). */
int c2_enqueue(struct c2_ctx *ctx, const uint8_t id[E4_ID_LEN], int code,
               const uint8_t *args, size_t args_len, const char *topic, int64_t epoch);

/* Pubkey mode: queues SetPubKey with d's current key to every co-member. */
int c2_pubkey_announce(struct c2_ctx *ctx, const struct c2_device *d);

/*
 * Starts a rotation of topic t (inside the caller's transaction); leave: a
 * leave rekey, whose phases do not wait for members that are offline.
 */
int c2_rotation_start(struct c2_ctx *ctx, struct c2_topic *t, int leave);

/* Advances the rotations whose members acked or whose phase timed out. */
void c2_rotation_tick(struct c2_ctx *ctx, int64_t now_s);

/*
 * Advances at once the rotation phases noted in ctx->rotq by the acks of
 * their commands (run after the acks committed); c2_rotation_tick remains
 * the once-a-second safety net.
 */
void c2_rotation_followup(struct c2_ctx *ctx);

/* The command and the epoch whose acks end the current phase of t (-1: none). */
int c2_rotation_code(const struct c2_topic *t);
int64_t c2_rotation_epoch(const struct c2_topic *t);
/* "active", "distributing", "activating" or "retiring". */
const char *c2_rotation_phase_name(int phase);

/* Publishes the public key of a device (or its removal) to the broker plugin. */
void c2_plugin_push(struct c2_ctx *ctx, const struct c2_device *d, int remove);

/* Publishes every device public key to the plugin (after a connection). */
void c2_plugin_sync(struct c2_ctx *ctx);

/* Writes a device store file for the e4 tools (0600, refuses to overwrite). */
int c2_export_store(const char *path, int mode, const struct c2_new_device *nd,
                    char *err, size_t cap);

/* ---- outbox.c: delivery ---- */

/* The command key of a device now (symkey: device key; pubkey: derived). */
int c2_device_cmdkey(struct c2_ctx *ctx, const struct c2_device *d, uint8_t key[E4_KEY_LEN]);

/* Records the queued acks, then publishes due commands; returns the number published. */
int c2_outbox_tick(struct c2_ctx *ctx, int64_t now_ms);

/*
 * Milliseconds the main loop may sleep before the next c2_outbox_tick is
 * needed (at most max_ms): 0 while acks wait longer than C2_ACK_DELAY_MS.
 */
int c2_outbox_wait_ms(const struct c2_ctx *ctx, int64_t now_ms, int max_ms);

/*
 * Handles a frame on "e4/<id>/ack".  Returns 0 when it named a command,
 * -1 (with a specific message in err) when it was refused.
 */
int c2_outbox_ack(struct c2_ctx *ctx, const char *topic, const uint8_t *frame, size_t len,
                  char *err, size_t cap);

/*
 * The same, in batches: c2_outbox_ack_queue checks the topic and the size
 * (-1 with err when malformed) and keeps the ack; the next
 * c2_outbox_tick records every kept ack in the transaction of its pass
 * (before choosing what to send), and c2_outbox_ack_flush alone records
 * them in a transaction of their own (done when the queue is full).  A
 * refused ack changes nothing and is logged; a database failure loses
 * the batch, whose commands are then resent and acked as duplicates.
 */
int c2_outbox_ack_queue(struct c2_ctx *ctx, const char *topic, const uint8_t *frame,
                        size_t len, char *err, size_t cap);
void c2_outbox_ack_flush(struct c2_ctx *ctx);

/* The broker acknowledged message mid (legacy devices are done then). */
void c2_outbox_published(struct c2_ctx *ctx, int mid);

/* A device came online (plugin event): retry its head command now. */
void c2_outbox_online(struct c2_ctx *ctx, const uint8_t id[E4_ID_LEN], int online);

/* The transport (re)connected: retry every command awaiting an ack. */
void c2_outbox_reconnected(struct c2_ctx *ctx);

/* Handles a JSON event of the plugin ($CONTROL/e4/v1/events). */
void c2_outbox_event(struct c2_ctx *ctx, const uint8_t *payload, size_t len);

/* ---- auto.c: automation from the configuration ---- */

/* Periodic rotations and heartbeats (runs at most once a second). */
void c2_auto_tick(struct c2_ctx *ctx, int64_t now_ms);

#endif /* C2_ENGINE_H */
