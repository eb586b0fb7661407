/*
 * commands.c - key-management operations: devices, topics, memberships,
 * rotations and the C2 key.  Each operation validates its input, then
 * changes the database and queues the device commands in one
 * transaction, and appends to the audit log.  Nothing is published here:
 * the outbox delivers.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <sodium.h>

#include "commands.h"

/* Checks a device or topic name: 1..C2_NAME_MAX printable bytes, no wildcards for topics. */
static int name_ok(const char *name, int topic, char *err, size_t cap)
{
	size_t i, n = name != NULL ? strlen(name) : 0;

	if (n == 0 || n > C2_NAME_MAX) {
		snprintf(err, cap, "%s name must be 1 to %d bytes", topic ? "topic" : "device",
		         C2_NAME_MAX);
		return -1;
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f ||
		    (topic && (name[i] == '+' || name[i] == '#'))) {
			snprintf(err, cap, "%s name contains a forbidden character",
			         topic ? "topic" : "device");
			return -1;
		}
	if (topic && strncmp(name, "e4/", 3) == 0) {
		snprintf(err, cap, "topic names under e4/ are reserved for control topics");
		return -1;
	}
	return 0;
}

/* Ends an operation: audits and commits, or rolls back. */
int c2__finish(struct c2_ctx *ctx, int rc, const char *action, const char *detail)
{
	if (rc == 0 && c2_db_audit(ctx->db, ctx->uid, action, detail) == 0 &&
	    c2_db_commit(ctx->db) == 0) {
		c2_log(C2_LOG_INFO, action, "%s", detail);
		return 0;
	}
	c2_db_rollback(ctx->db);
	return -1;
}

int c2_enqueue(struct c2_ctx *ctx, const uint8_t id[E4_ID_LEN], int code,
               const uint8_t *args, size_t args_len, const char *topic, int64_t epoch)
{
	struct c2_cmd c;
	int rc;

	memset(&c, 0, sizeof(c));
	memcpy(c.device, id, E4_ID_LEN);
	c.code = code;
	if (args_len > 0)
		memcpy(c.args, args, args_len);
	c.args_len = args_len;
	snprintf(c.topic, sizeof(c.topic), "%s", topic != NULL ? topic : "");
	c.epoch = epoch;
	c.created = c2_now_ms() / 1000;
	c.next_try = 0;
	rc = c2_db_cmd_add(ctx->db, &c);
	e4_wipe(&c, sizeof(c));
	return rc;
}

/* Queues SetTopicKey or SetTopicKeyNext (key || hash) for a device. */
int c2__enqueue_topic_key(struct c2_ctx *ctx, const uint8_t id[E4_ID_LEN], int code,
                             const struct c2_topic *t, const uint8_t key[E4_KEY_LEN],
                             int64_t epoch)
{
	uint8_t args[E4_KEY_LEN + E4_HASH_LEN];
	int rc;

	memcpy(args, key, E4_KEY_LEN);
	memcpy(args + E4_KEY_LEN, t->hash, E4_HASH_LEN);
	rc = c2_enqueue(ctx, id, code, args, sizeof(args), t->name, epoch);
	e4_wipe(args, sizeof(args));
	return rc;
}

/* Queues SetPubKey (pub || id of `of`) or RemovePubKey (id) for device `to`. */
static int enqueue_pubkey(struct c2_ctx *ctx, const struct c2_device *to,
                          const struct c2_device *of, int remove)
{
	uint8_t args[E4_ED25519_PK_LEN + E4_ID_LEN];

	if (to->legacy || ctx->conf.mode != E4_MODE_PUBKEY)
		return 0;
	if (remove)
		return c2_enqueue(ctx, to->id, E4_CMD_REMOVE_PUBKEY, of->id, E4_ID_LEN, "", 0);
	memcpy(args, of->pub, E4_ED25519_PK_LEN);
	memcpy(args + E4_ED25519_PK_LEN, of->id, E4_ID_LEN);
	return c2_enqueue(ctx, to->id, E4_CMD_SET_PUBKEY, args, sizeof(args), "", 0);
}

int c2_op_init_db(struct c2_ctx *ctx, char *err, size_t cap)
{
	uint8_t pub[32], sk[32];
	char mode[16];
	int64_t id;
	int rc = 0;

	if (c2_db_meta_get(ctx->db, "mode", mode, sizeof(mode)) == 0) {
		snprintf(err, cap, "database already initialised (mode %s)", mode);
		return -1;
	}
	if (c2_db_begin(ctx->db) != 0)
		return -1;
	rc = c2_db_meta_set(ctx->db, "mode", ctx->conf.mode == E4_MODE_PUBKEY ? "pubkey" : "symkey");
	if (rc == 0 && ctx->conf.mode == E4_MODE_PUBKEY) {
		crypto_box_keypair(pub, sk);
		rc = c2_db_c2key_add(ctx->db, pub, sk, &id);
		if (rc == 0)
			rc = c2_db_c2key_set_current(ctx->db, id);
		sodium_memzero(sk, sizeof(sk));
	}
	if (rc != 0)
		snprintf(err, cap, "cannot initialise the database");
	return c2__finish(ctx, rc, "init", ctx->conf.mode == E4_MODE_PUBKEY ? "pubkey" : "symkey");
}

/* Fills the id of a new device from id_hex or its name; checks the public key. */
static int device_identity(struct c2_ctx *ctx, struct c2_new_device *nd, const char *name,
                           const char *id_hex, const char *pub_hex, char *err, size_t cap)
{
	if (id_hex != NULL && *id_hex != '\0') {
		if (strlen(id_hex) != 2 * E4_ID_LEN || e4_hex_decode(nd->dev.id, E4_ID_LEN, id_hex) != 0) {
			snprintf(err, cap, "id must be %d hex characters", 2 * E4_ID_LEN);
			return -1;
		}
	} else if (e4_id_from_alias(nd->dev.id, name) != 0) {
		snprintf(err, cap, "cannot derive the id");
		return -1;
	}
	if (pub_hex != NULL && *pub_hex != '\0') {
		if (ctx->conf.mode != E4_MODE_PUBKEY) {
			snprintf(err, cap, "public keys are only used in pubkey mode");
			return -1;
		}
		if (strlen(pub_hex) != 64 || e4_hex_decode(nd->dev.pub, 32, pub_hex) != 0) {
			snprintf(err, cap, "pubkey must be 64 hex characters (Ed25519)");
			return -1;
		}
	}
	return 0;
}

/* Generates the key of a new device (unless it registered a public key). */
static int device_keygen(struct c2_ctx *ctx, struct c2_new_device *nd, int have_pub)
{
	nd->key_len = 0;
	if (ctx->conf.mode == E4_MODE_SYMKEY) {
		c2_random(nd->key, E4_KEY_LEN);
		nd->key_len = E4_KEY_LEN;
	} else if (!have_pub) {
		if (e4_ed25519_keypair(nd->dev.pub, nd->key) != 0)
			return -1;
		nd->key_len = E4_ED25519_SK_LEN;
	}
	if (ctx->conf.mode == E4_MODE_PUBKEY) {
		if (c2_db_c2key_current(ctx->db, &nd->dev.c2key) != 0 ||
		    c2_db_c2key_get(ctx->db, nd->dev.c2key, nd->c2pub, NULL) != 0)
			return -1;
	}
	return 0;
}

int c2_op_device_add(struct c2_ctx *ctx, const char *name, const char *id_hex,
                     const char *pub_hex, int legacy, struct c2_new_device *nd,
                     char *err, size_t cap)
{
	struct c2_device other;
	int have_pub = pub_hex != NULL && *pub_hex != '\0';
	char detail[C2_NAME_MAX + 64];
	int rc;

	memset(nd, 0, sizeof(*nd));
	if (name_ok(name, 0, err, cap) != 0 ||
	    device_identity(ctx, nd, name, id_hex, pub_hex, err, cap) != 0)
		return -1;
	if (legacy && ctx->conf.mode == E4_MODE_PUBKEY) {
		snprintf(err, cap, "legacy devices exist in symkey mode only");
		return -1;
	}
	snprintf(nd->dev.name, sizeof(nd->dev.name), "%s", name);
	nd->dev.legacy = legacy;
	nd->dev.created = c2_now_ms() / 1000;
	if (c2_db_begin(ctx->db) != 0)
		return -1;
	if (c2_db_device_get(ctx->db, name, nd->dev.id, &other) == 0) {
		c2_db_rollback(ctx->db);
		snprintf(err, cap, "a device with this %s exists",
		         strcmp(other.name, name) == 0 ? "name" : "id");
		return -1;
	}
	rc = device_keygen(ctx, nd, have_pub);
	if (rc == 0)
		rc = c2_db_device_add(ctx->db, &nd->dev, nd->key_len ? nd->key : NULL, nd->key_len);
	if (rc != 0)
		snprintf(err, cap, "cannot store the device");
	e4_hex_encode(detail, nd->dev.id, E4_ID_LEN);
	snprintf(detail + 32, sizeof(detail) - 32, " %s%s", name, legacy ? " legacy" : "");
	if (c2__finish(ctx, rc, "device.add", detail) != 0) {
		e4_wipe(nd, sizeof(*nd));
		return -1;
	}
	if (ctx->conf.mode == E4_MODE_PUBKEY)
		c2_plugin_push(ctx, &nd->dev, 0);
	return 0;
}

/* Looks a device up by name (or 32-hex id); specific error when missing. */
static int device_find(struct c2_ctx *ctx, const char *name, struct c2_device *d, char *err,
                       size_t cap)
{
	uint8_t id[E4_ID_LEN];
	int by_id = name != NULL && strlen(name) == 32 && e4_hex_decode(id, E4_ID_LEN, name) == 0;

	if (name == NULL || c2_db_device_get(ctx->db, name, by_id ? id : NULL, d) != 0) {
		snprintf(err, cap, "no such device");
		return -1;
	}
	return 0;
}

/* Looks a topic up; specific error when missing. */
int c2__topic_find(struct c2_ctx *ctx, const char *name, struct c2_topic *t, char *err,
                      size_t cap)
{
	if (name == NULL || c2_db_topic_get(ctx->db, name, t) != 0) {
		snprintf(err, cap, "no such topic");
		return -1;
	}
	return 0;
}

int c2__begin_on(struct c2_ctx *ctx, const char *dev, struct c2_device *d, const char *topic,
                 struct c2_topic *t, char *err, size_t cap)
{
	if (c2_db_begin(ctx->db) != 0)
		return -1;
	if ((d != NULL && device_find(ctx, dev, d, err, cap) != 0) ||
	    (t != NULL && c2__topic_find(ctx, topic, t, err, cap) != 0)) {
		c2_db_rollback(ctx->db);
		return -1;
	}
	return 0;
}


/* A walk over co-members exchanging public keys with dev (pubkey mode). */
struct pair_walk {
	struct c2_ctx *ctx;
	const struct c2_device *dev;
	const struct c2_topic *topic;   /* the topic joined or left (pubkey_pair) */
	int remove;                     /* 1: withdraw the keys instead */
	int rc;
};

/* Exchanges (or withdraws) public keys between w->dev and a co-member m. */
static int pubkey_pair(void *arg, const struct c2_device *m)
{
	struct pair_walk *w = arg;

	if (memcmp(m->id, w->dev->id, E4_ID_LEN) == 0)
		return 0;
	if (c2_db_share_topic(w->ctx->db, m->id, w->dev->id, w->topic->name))
		return 0;   /* they keep each other's keys for another topic */
	if (enqueue_pubkey(w->ctx, m, w->dev, w->remove) != 0 ||
	    (!w->remove && enqueue_pubkey(w->ctx, w->dev, m, 0) != 0) ||
	    (w->remove && enqueue_pubkey(w->ctx, w->dev, m, 1) != 0))
		w->rc = -1;
	return w->rc;
}

/* Queues SetPubKey of w->dev to a co-member (a member of two topics gets it twice). */
static int announce_to(void *arg, const struct c2_device *m)
{
	struct pair_walk *w = arg;

	if (memcmp(m->id, w->dev->id, E4_ID_LEN) == 0)
		return 0;
	if (enqueue_pubkey(w->ctx, m, w->dev, 0) != 0)
		w->rc = -1;
	return w->rc;
}

/* Queues a topic's announcement of w->dev to its members. */
static int announce_topic(void *arg, const struct c2_topic *t)
{
	struct pair_walk *w = arg;

	return c2_db_topic_members(w->ctx->db, t->name, announce_to, w) != 0 ? -1 : w->rc;
}

int c2_pubkey_announce(struct c2_ctx *ctx, const struct c2_device *d)
{
	struct pair_walk w = { ctx, d, NULL, 0, 0 };

	if (c2_db_device_topics(ctx->db, d->id, announce_topic, &w) != 0)
		return -1;
	return w.rc;
}

/* Topic names collected by a walk, to act on once it is over. */
struct topic_names {
	size_t n;
	char names[8][C2_NAME_MAX + 1];
};

/* Collects the topics of a device (up to the size of names per pass). */
static int collect_topic(void *arg, const struct c2_topic *t)
{
	struct topic_names *w = arg;

	if (w->n >= sizeof(w->names) / sizeof(w->names[0]))
		return 1;
	snprintf(w->names[w->n++], sizeof(w->names[0]), "%s", t->name);
	return 0;
}

/* Leaves a topic: pubkeys withdrawn, membership removed, rekey if configured. */
static int leave_topic(struct c2_ctx *ctx, const struct c2_device *d, const char *name,
                       int tell_device)
{
	struct c2_topic t;
	struct pair_walk w = { ctx, d, &t, 1, 0 };

	if (c2_db_topic_get(ctx->db, name, &t) != 0)
		return -1;
	if (ctx->conf.mode == E4_MODE_PUBKEY &&
	    c2_db_topic_members(ctx->db, name, pubkey_pair, &w) != 0)
		return -1;
	if (w.rc != 0 || c2_db_cmd_cancel(ctx->db, d->id, name, -1) != 0)
		return -1;
	if (tell_device && c2_enqueue(ctx, d->id, E4_CMD_REMOVE_TOPIC, t.hash, E4_HASH_LEN,
	                              name, t.epoch) != 0)
		return -1;
	if (c2_db_member_remove(ctx->db, d->id, name) != 0)
		return -1;
	return ctx->conf.rekey_on_leave ? c2_rotation_start(ctx, &t, 1) : 0;
}

int c2_op_device_remove(struct c2_ctx *ctx, const char *name, char *err, size_t cap)
{
	struct topic_names w;
	struct c2_device d;
	char detail[C2_NAME_MAX + 64];
	int rc = 0;
	size_t i;

	if (c2__begin_on(ctx, name, &d, NULL, NULL, err, cap) != 0)
		return -1;
	do {
		w.n = 0;
		if (c2_db_device_topics(ctx->db, d.id, collect_topic, &w) != 0)
			rc = -1;
		for (i = 0; rc == 0 && i < w.n; i++)
			rc = leave_topic(ctx, &d, w.names[i], 0);
	} while (rc == 0 && w.n > 0);
	if (rc == 0)
		rc = c2_db_device_remove(ctx->db, d.id);
	if (rc != 0)
		snprintf(err, cap, "cannot remove the device");
	e4_hex_encode(detail, d.id, E4_ID_LEN);
	snprintf(detail + 32, sizeof(detail) - 32, " %s", d.name);
	if (c2__finish(ctx, rc, "device.remove", detail) != 0)
		return -1;
	if (ctx->conf.mode == E4_MODE_PUBKEY)
		c2_plugin_push(ctx, &d, 1);
	return 0;
}

int c2_op_device_rotate(struct c2_ctx *ctx, const char *name, char *err, size_t cap)
{
	uint8_t key[E4_ED25519_SK_LEN], pub[E4_ED25519_PK_LEN];
	struct c2_device d;
	size_t len = E4_KEY_LEN;
	int rc;

	if (c2__begin_on(ctx, name, &d, NULL, NULL, err, cap) != 0)
		return -1;
	if (d.legacy || (ctx->conf.mode == E4_MODE_PUBKEY && !d.has_sk)) {
		c2_db_rollback(ctx->db);
		snprintf(err, cap, "%s", d.legacy ? "legacy devices cannot acknowledge a new key"
		         : "the device registered its own key pair: it rotates it itself");
		return -1;
	}
	if (ctx->conf.mode == E4_MODE_PUBKEY) {
		rc = e4_ed25519_keypair(pub, key);
		len = E4_ED25519_SK_LEN;
	} else {
		c2_random(key, E4_KEY_LEN);
		rc = 0;
	}
	/*
	 * The new key lives in the command until the device acks under it.
	 * RetireIDKey, sent under the new key once SetIDKey is acked, proves
	 * the C2 holds it and retires the replaced one on the device.
	 */
	if (rc == 0)
		rc = c2_enqueue(ctx, d.id, E4_CMD_SET_ID_KEY, key, len, "", 0);
	if (rc == 0)
		rc = c2_enqueue(ctx, d.id, E4_CMD_RETIRE_ID_KEY, NULL, 0, "", 0);
	sodium_memzero(key, sizeof(key));
	if (rc != 0)
		snprintf(err, cap, "cannot queue the new key");
	return c2__finish(ctx, rc, "device.rotate-key", d.name);
}


int c2_op_heartbeat(struct c2_ctx *ctx, const struct c2_device *d)
{
	/* Routine work of the daemon: not audited (one row per device per interval). */
	if (c2_db_begin(ctx->db) != 0)
		return -1;
	if (c2_enqueue(ctx, d->id, E4_CMD_HEARTBEAT, NULL, 0, "", 0) != 0 ||
	    c2_db_commit(ctx->db) != 0) {
		c2_db_rollback(ctx->db);
		return -1;
	}
	return 0;
}

int c2_op_topic_add(struct c2_ctx *ctx, const char *name, char *err, size_t cap)
{
	uint8_t key[E4_KEY_LEN];
	struct c2_topic t;
	int rc;

	if (name_ok(name, 1, err, cap) != 0)
		return -1;
	memset(&t, 0, sizeof(t));
	snprintf(t.name, sizeof(t.name), "%s", name);
	if (e4_topic_hash(t.hash, name) != 0)
		return -1;
	t.epoch = 1;
	t.created = c2_now_ms() / 1000;
	if (c2_db_begin(ctx->db) != 0)
		return -1;
	if (c2_db_topic_get(ctx->db, name, &t) == 0) {
		c2_db_rollback(ctx->db);
		snprintf(err, cap, "topic exists");
		return -1;
	}
	c2_random(key, sizeof(key));
	rc = c2_db_topic_add(ctx->db, &t, key);
	sodium_memzero(key, sizeof(key));
	if (rc != 0)
		snprintf(err, cap, "cannot store the topic");
	return c2__finish(ctx, rc, "topic.add", name);
}

/* A walk over the members of one topic. */
struct member_walk {
	struct c2_ctx *ctx;
	const struct c2_topic *topic;
	int rc;
};

/* Queues RemoveTopic for one member of a removed topic. */
static int remove_member(void *arg, const struct c2_device *m)
{
	struct member_walk *w = arg;

	if (c2_enqueue(w->ctx, m->id, E4_CMD_REMOVE_TOPIC, w->topic->hash, E4_HASH_LEN,
	               w->topic->name, w->topic->epoch) != 0)
		w->rc = -1;
	return w->rc;
}

int c2_op_topic_remove(struct c2_ctx *ctx, const char *name, char *err, size_t cap)
{
	struct c2_topic t;
	struct member_walk w = { ctx, &t, 0 };
	int rc;

	if (c2__begin_on(ctx, NULL, NULL, name, &t, err, cap) != 0)
		return -1;
	rc = c2_db_cmd_cancel(ctx->db, NULL, name, E4_CMD_SET_TOPIC_KEY_NEXT);
	if (rc == 0)
		rc = c2_db_topic_members(ctx->db, name, remove_member, &w);
	if (rc == 0 && w.rc == 0)
		rc = c2_db_topic_remove(ctx->db, name);
	else
		rc = -1;
	return c2__finish(ctx, rc, "topic.remove", name);
}

/* Queues the keys of topic t to a joining device. */
static int join_topic(struct c2_ctx *ctx, const struct c2_device *d, const struct c2_topic *t)
{
	uint8_t key[E4_KEY_LEN];
	int rc;

	rc = c2_db_topic_key(ctx->db, t->name, 0, key);
	if (rc == 0)
		rc = c2__enqueue_topic_key(ctx, d->id, E4_CMD_SET_TOPIC_KEY, t, key, t->epoch);
	if (rc == 0 && t->phase == C2_ROT_DISTRIBUTING) {
		rc = c2_db_topic_key(ctx->db, t->name, 1, key);
		if (rc == 0)
			rc = c2__enqueue_topic_key(ctx, d->id, d->legacy ? E4_CMD_SET_TOPIC_KEY :
			                       E4_CMD_SET_TOPIC_KEY_NEXT, t, key, t->epoch + 1);
	}
	e4_wipe(key, sizeof(key));
	return rc;
}

/* A walk over the topics of one device. */
struct device_walk {
	struct c2_ctx *ctx;
	const struct c2_device *dev;
	int rc;
};

/* Queues the keys of one of the device's topics again (after ResetTopics). */
static int rejoin_topic(void *arg, const struct c2_topic *t)
{
	struct device_walk *w = arg;

	if (join_topic(w->ctx, w->dev, t) != 0)
		w->rc = -1;
	return w->rc;
}

int c2_op_device_reset(struct c2_ctx *ctx, const char *name, char *err, size_t cap)
{
	struct c2_device d;
	struct device_walk w = { ctx, &d, 0 };
	int rc;

	if (c2__begin_on(ctx, name, &d, NULL, NULL, err, cap) != 0)
		return -1;
	/* The device forgets every topic key, then gets those of its topics again. */
	rc = c2_enqueue(ctx, d.id, E4_CMD_RESET_TOPICS, NULL, 0, "", 0);
	if (rc == 0 && (c2_db_device_topics(ctx->db, d.id, rejoin_topic, &w) != 0 || w.rc != 0))
		rc = -1;
	return c2__finish(ctx, rc, "device.reset", d.name);
}

int c2_op_link(struct c2_ctx *ctx, const char *dev, const char *topic, char *err, size_t cap)
{
	struct c2_device d;
	struct c2_topic t;
	struct pair_walk w = { ctx, &d, &t, 0, 0 };
	char detail[2 * C2_NAME_MAX + 8];
	int rc;

	if (c2__begin_on(ctx, dev, &d, topic, &t, err, cap) != 0)
		return -1;
	if (c2_db_member_is(ctx->db, d.id, t.name)) {
		c2_db_rollback(ctx->db);
		snprintf(err, cap, "device is already linked to the topic");
		return -1;
	}
	rc = join_topic(ctx, &d, &t);
	if (rc == 0 && ctx->conf.mode == E4_MODE_PUBKEY &&
	    (c2_db_topic_members(ctx->db, t.name, pubkey_pair, &w) != 0 || w.rc != 0))
		rc = -1;
	if (rc == 0)
		rc = c2_db_member_add(ctx->db, d.id, t.name);
	snprintf(detail, sizeof(detail), "%s %s", d.name, t.name);
	return c2__finish(ctx, rc, "link", detail);
}

int c2_op_unlink(struct c2_ctx *ctx, const char *dev, const char *topic, char *err, size_t cap)
{
	struct c2_device d;
	struct c2_topic t;
	char detail[2 * C2_NAME_MAX + 8];
	int rc;

	if (c2__begin_on(ctx, dev, &d, topic, &t, err, cap) != 0)
		return -1;
	if (!c2_db_member_is(ctx->db, d.id, t.name)) {
		c2_db_rollback(ctx->db);
		snprintf(err, cap, "device is not linked to the topic");
		return -1;
	}
	rc = leave_topic(ctx, &d, t.name, 1);
	snprintf(detail, sizeof(detail), "%s %s", d.name, t.name);
	return c2__finish(ctx, rc, "unlink", detail);
}

/* A walk over every device sending the new C2 public key. */
struct c2key_walk {
	struct c2_ctx *ctx;
	int64_t id;                     /* the new key's row, the commands' epoch */
	uint8_t pub[32];
	int rc;
};

/* Queues SetC2Key with the new public key to one device. */
static int send_c2key(void *arg, const struct c2_device *d)
{
	struct c2key_walk *w = arg;

	/* RetireIDKey follows under the new command key: the old one opens nothing then. */
	if (c2_enqueue(w->ctx, d->id, E4_CMD_SET_C2_KEY, w->pub, sizeof(w->pub), "", w->id) != 0 ||
	    c2_enqueue(w->ctx, d->id, E4_CMD_RETIRE_ID_KEY, NULL, 0, "", w->id) != 0)
		w->rc = -1;
	return w->rc;
}

int c2_op_c2key_rotate(struct c2_ctx *ctx, char *err, size_t cap)
{
	struct c2key_walk w = { ctx, 0, { 0 }, 0 };
	uint8_t sk[32];
	int rc;

	if (ctx->conf.mode != E4_MODE_PUBKEY) {
		snprintf(err, cap, "the C2 key pair exists in pubkey mode only");
		return -1;
	}
	if (c2_db_begin(ctx->db) != 0)
		return -1;
	crypto_box_keypair(w.pub, sk);
	rc = c2_db_c2key_add(ctx->db, w.pub, sk, &w.id);
	sodium_memzero(sk, sizeof(sk));
	if (rc == 0)
		rc = c2_db_c2key_set_current(ctx->db, w.id);
	if (rc == 0 && (c2_db_device_list(ctx->db, send_c2key, &w) != 0 || w.rc != 0))
		rc = -1;
	if (rc != 0)
		snprintf(err, cap, "cannot rotate the C2 key");
	return c2__finish(ctx, rc, "c2key.rotate", "new C2 key pair");
}
