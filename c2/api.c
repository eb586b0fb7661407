/*
 * api.c - request handlers of the control socket (JSON lines), dispatched
 * by table.  Every malformed request gets a specific error and changes
 * nothing.  The socket server itself is in apisock.c.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "api.h"

typedef int (*handler_fn)(struct c2_ctx *ctx, const cJSON *args, cJSON *res, char *err,
                          size_t cap);

/* Reads string argument `name`; absent gives *out = NULL (an error when required). */
static int get_str(const cJSON *args, const char *name, int required, const char **out,
                   char *err, size_t cap)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, name);

	*out = NULL;
	if (v == NULL) {
		if (required)
			snprintf(err, cap, "missing argument '%s'", name);
		return required ? -1 : 0;
	}
	if (!cJSON_IsString(v) || v->valuestring == NULL) {
		snprintf(err, cap, "argument '%s' must be a string", name);
		return -1;
	}
	*out = v->valuestring;
	return 0;
}

/* Reads boolean argument `name` (absent: 0). */
static int get_bool(const cJSON *args, const char *name, int *out, char *err, size_t cap)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, name);

	*out = 0;
	if (v == NULL)
		return 0;
	if (!cJSON_IsBool(v)) {
		snprintf(err, cap, "argument '%s' must be true or false", name);
		return -1;
	}
	*out = cJSON_IsTrue(v);
	return 0;
}

/* Reads the paging arguments "after" (a name) and "limit" (1..C2_PAGE_MAX, default the max). */
static int get_page(const cJSON *args, const char **after, long *limit, char *err, size_t cap)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, "limit");

	*limit = C2_PAGE_MAX;
	if (v != NULL) {
		if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > C2_PAGE_MAX ||
		    v->valuedouble != (double)(long)v->valuedouble) {
			snprintf(err, cap, "argument 'limit' must be a number from 1 to %d", C2_PAGE_MAX);
			return -1;
		}
		*limit = (long)v->valuedouble;
	}
	return get_str(args, "after", 0, after, err, cap);
}

/* Adds a 16-byte id as hex. */
static void add_hex(cJSON *o, const char *name, const uint8_t *b, size_t len)
{
	char hex[2 * 64 + 1];

	e4_hex_encode(hex, b, len);
	cJSON_AddStringToObject(o, name, hex);
}

/*
 * Replaced keys some device may still accept: topic rotations not finished,
 * device keys (SetIDKey) and C2 keys (SetC2Key) not yet retired.
 */
static void add_retiring(struct c2_ctx *ctx, cJSON *res)
{
	cJSON *o = cJSON_AddObjectToObject(res, "retiring");
	long n = 0, m = 0;

	if (c2_db_cmd_open_count(ctx->db, NULL, E4_CMD_REPLACE_TOPIC_KEY, &n) == 0)
		cJSON_AddNumberToObject(o, "topic_keys", (double)n);
	if (c2_db_cmd_open_count(ctx->db, NULL, E4_CMD_SET_ID_KEY, &n) == 0 &&
	    c2_db_cmd_open_count(ctx->db, NULL, E4_CMD_SET_C2_KEY, &m) == 0)
		cJSON_AddNumberToObject(o, "installing", (double)(n + m));
	if (c2_db_cmd_open_count(ctx->db, NULL, E4_CMD_RETIRE_ID_KEY, &n) == 0)
		cJSON_AddNumberToObject(o, "device_keys", (double)n);
}

static int h_status(struct c2_ctx *ctx, const cJSON *args, cJSON *res, char *err, size_t cap)
{
	long n = 0;

	(void)args;
	(void)err;
	(void)cap;
	cJSON_AddStringToObject(res, "mode", ctx->conf.mode == E4_MODE_PUBKEY ? "pubkey" : "symkey");
	cJSON_AddBoolToObject(res, "connected", ctx->connected);
	cJSON_AddNumberToObject(res, "schema", c2_db_schema_version(ctx->db));
	if (c2_db_device_count(ctx->db, &n) == 0)
		cJSON_AddNumberToObject(res, "devices", (double)n);
	if (c2_db_cmd_count(ctx->db, "pending", &n) == 0)
		cJSON_AddNumberToObject(res, "pending", (double)n);
	if (c2_db_cmd_inflight(ctx->db, &n) == 0)
		cJSON_AddNumberToObject(res, "inflight", (double)n);
	if (c2_db_cmd_count(ctx->db, "done", &n) == 0)
		cJSON_AddNumberToObject(res, "done", (double)n);
	if (c2_db_cmd_count(ctx->db, "failed", &n) == 0)
		cJSON_AddNumberToObject(res, "failed", (double)n);
	cJSON_AddNumberToObject(res, "sent", (double)ctx->sent);
	cJSON_AddNumberToObject(res, "acked", (double)ctx->acked);
	cJSON_AddNumberToObject(res, "retried", (double)ctx->retried);
	add_retiring(ctx, res);
	return 0;
}

static int h_device_add(struct c2_ctx *ctx, const cJSON *args, cJSON *res, char *err, size_t cap)
{
	const char *name, *id, *pub;
	struct c2_new_device nd;
	int legacy, want;

	if (get_str(args, "name", 1, &name, err, cap) || get_str(args, "id", 0, &id, err, cap) ||
	    get_str(args, "pubkey", 0, &pub, err, cap) ||
	    get_bool(args, "legacy", &legacy, err, cap) || get_bool(args, "export", &want, err, cap))
		return -1;
	if (c2_op_device_add(ctx, name, id, pub, legacy, &nd, err, cap) != 0)
		return -1;
	cJSON_AddStringToObject(res, "name", nd.dev.name);
	add_hex(res, "id", nd.dev.id, E4_ID_LEN);
	cJSON_AddStringToObject(res, "mode", ctx->conf.mode == E4_MODE_PUBKEY ? "pubkey" : "symkey");
	if (ctx->conf.mode == E4_MODE_PUBKEY) {
		add_hex(res, "pubkey", nd.dev.pub, E4_ED25519_PK_LEN);
		add_hex(res, "c2pub", nd.c2pub, 32);
	}
	/* The secret leaves the daemon only when the caller asked to export it. */
	if (want && nd.key_len > 0)
		add_hex(res, "key", nd.key, nd.key_len);
	e4_wipe(&nd, sizeof(nd));
	return 0;
}

/* Handler for operations that take one name. */
static int by_name(int (*op)(struct c2_ctx *, const char *, char *, size_t), struct c2_ctx *ctx,
                   const cJSON *args, char *err, size_t cap)
{
	const char *name;

	if (get_str(args, "name", 1, &name, err, cap) != 0)
		return -1;
	return op(ctx, name, err, cap);
}

static int h_device_remove(struct c2_ctx *ctx, const cJSON *a, cJSON *r, char *e, size_t c)
{
	(void)r;
	return by_name(c2_op_device_remove, ctx, a, e, c);
}

static int h_device_rotate(struct c2_ctx *ctx, const cJSON *a, cJSON *r, char *e, size_t c)
{
	(void)r;
	return by_name(c2_op_device_rotate, ctx, a, e, c);
}

static int h_device_reset(struct c2_ctx *ctx, const cJSON *a, cJSON *r, char *e, size_t c)
{
	(void)r;
	return by_name(c2_op_device_reset, ctx, a, e, c);
}

static int h_topic_add(struct c2_ctx *ctx, const cJSON *a, cJSON *r, char *e, size_t c)
{
	(void)r;
	return by_name(c2_op_topic_add, ctx, a, e, c);
}

static int h_topic_remove(struct c2_ctx *ctx, const cJSON *a, cJSON *r, char *e, size_t c)
{
	(void)r;
	return by_name(c2_op_topic_remove, ctx, a, e, c);
}

static int h_topic_rotate(struct c2_ctx *ctx, const cJSON *a, cJSON *r, char *e, size_t c)
{
	(void)r;
	return by_name(c2_op_topic_rotate, ctx, a, e, c);
}

static int h_c2key_rotate(struct c2_ctx *ctx, const cJSON *a, cJSON *r, char *e, size_t c)
{
	(void)a;
	(void)r;
	return c2_op_c2key_rotate(ctx, e, c);
}

/* Handler for link and unlink. */
static int pair(int (*op)(struct c2_ctx *, const char *, const char *, char *, size_t),
                struct c2_ctx *ctx, const cJSON *args, char *err, size_t cap)
{
	const char *dev, *topic;

	if (get_str(args, "device", 1, &dev, err, cap) || get_str(args, "topic", 1, &topic, err, cap))
		return -1;
	return op(ctx, dev, topic, err, cap);
}

static int h_link(struct c2_ctx *ctx, const cJSON *a, cJSON *r, char *e, size_t c)
{
	(void)r;
	return pair(c2_op_link, ctx, a, e, c);
}

static int h_unlink(struct c2_ctx *ctx, const cJSON *a, cJSON *r, char *e, size_t c)
{
	(void)r;
	return pair(c2_op_unlink, ctx, a, e, c);
}

/* Context of list walks (a page: at most `limit` items, then `next` is set). */
struct lister {
	struct c2_ctx *ctx;
	cJSON *arr;
	long limit;
	long n;
	char last[C2_NAME_MAX + 1];   /* name of the last item added */
	char next[C2_NAME_MAX + 1];
};

/*
 * Counts an item of a page walk, which reads one row more than the page:
 * returns 1 on that row, after noting that the page ends at `last`.
 */
static int page_full(struct lister *l, const char *last)
{
	if (l->limit <= 0 || l->n++ < l->limit)
		return 0;
	snprintf(l->next, sizeof(l->next), "%s", last);
	return 1;
}

/* Adds "next" (the name to pass as "after" for the next page) when the page is full. */
static void add_next(cJSON *res, const char *name, const struct lister *l)
{
	if (l->next[0] != '\0')
		cJSON_AddStringToObject(res, name, l->next);
}

/* Adds a device summary to a list. */
static int list_device(void *arg, const struct c2_device *d)
{
	struct lister *l = arg;
	cJSON *o;
	long pending = 0;

	if (page_full(l, l->last))
		return 1;
	snprintf(l->last, sizeof(l->last), "%s", d->name);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", d->name);
	add_hex(o, "id", d->id, E4_ID_LEN);
	cJSON_AddBoolToObject(o, "legacy", d->legacy);
	cJSON_AddBoolToObject(o, "online", d->online);
	cJSON_AddNumberToObject(o, "last_ack", (double)d->last_ack);
	if (c2_db_cmd_device_pending(l->ctx->db, d->id, &pending) == 0)
		cJSON_AddNumberToObject(o, "pending", (double)pending);
	cJSON_AddItemToArray(l->arr, o);
	return 0;
}

/* device.list: one page of devices by name ("after", "limit"; "next" when more remain). */
static int h_device_list(struct c2_ctx *ctx, const cJSON *a, cJSON *res, char *e, size_t c)
{
	struct lister l;
	const char *after;
	int rc;

	memset(&l, 0, sizeof(l));
	if (get_page(a, &after, &l.limit, e, c) != 0)
		return -1;
	l.ctx = ctx;
	l.arr = cJSON_AddArrayToObject(res, "devices");
	rc = c2_db_device_page(ctx->db, after, l.limit + 1, list_device, &l);
	add_next(res, "next", &l);
	return rc;
}

/* Adds a topic name to a list. */
static int list_topic_name(void *arg, const struct c2_topic *t)
{
	struct lister *l = arg;

	cJSON_AddItemToArray(l->arr, cJSON_CreateString(t->name));
	return 0;
}

/*
 * Where the device's key rotation stands: "installing" (SetIDKey or
 * SetC2Key not acked), "retiring" (the replaced key still opens its
 * commands until RetireIDKey is acked) or "done"; and whether the device
 * retires replaced keys at all (legacy E4 v1 devices do not).
 */
static void add_key_rotation(struct c2_ctx *ctx, cJSON *res, const struct c2_device *d)
{
	long set = 0, c2 = 0, retire = 0;

	c2_db_cmd_open_count(ctx->db, d->id, E4_CMD_SET_ID_KEY, &set);
	c2_db_cmd_open_count(ctx->db, d->id, E4_CMD_SET_C2_KEY, &c2);
	c2_db_cmd_open_count(ctx->db, d->id, E4_CMD_RETIRE_ID_KEY, &retire);
	cJSON_AddStringToObject(res, "key_rotation", set + c2 > 0 ? "installing" :
	                        retire > 0 ? "retiring" : "done");
	cJSON_AddBoolToObject(res, "retires_replaced_keys", !d->legacy);
	if (d->legacy)
		cJSON_AddStringToObject(res, "guarantee", "legacy E4 v1 device: a replaced topic key"
		                        " stays usable on it for its transition period");
}

static int h_device_show(struct c2_ctx *ctx, const cJSON *args, cJSON *res, char *err,
                         size_t cap)
{
	struct lister l = { .ctx = ctx };
	struct c2_device d;
	const char *name;
	uint8_t id[E4_ID_LEN];
	int64_t now = c2_now_ms() / 1000;
	int by_id;

	if (get_str(args, "name", 1, &name, err, cap) != 0)
		return -1;
	by_id = strlen(name) == 32 && e4_hex_decode(id, E4_ID_LEN, name) == 0;
	if (c2_db_device_get(ctx->db, name, by_id ? id : NULL, &d) != 0) {
		snprintf(err, cap, "no such device");
		return -1;
	}
	l.arr = cJSON_CreateArray();
	list_device(&l, &d);
	cJSON_AddItemToObject(res, "device", cJSON_DetachItemFromArray(l.arr, 0));
	cJSON_Delete(l.arr);
	cJSON_AddNumberToObject(res, "key_age", (double)(now - d.key_created));
	cJSON_AddNumberToObject(res, "last_seen", (double)d.last_seen);
	add_key_rotation(ctx, res, &d);
	if (ctx->conf.mode == E4_MODE_PUBKEY)
		add_hex(res, "pubkey", d.pub, E4_ED25519_PK_LEN);
	l.arr = cJSON_AddArrayToObject(res, "topics");
	return c2_db_device_topics(ctx->db, d.id, list_topic_name, &l);
}

/* Adds a member name to a list. */
static int list_member(void *arg, const struct c2_device *d)
{
	struct lister *l = arg;

	if (page_full(l, l->last))
		return 1;
	snprintf(l->last, sizeof(l->last), "%s", d->name);
	cJSON_AddItemToArray(l->arr, cJSON_CreateString(d->name));
	return 0;
}

/* Adds a topic summary to a list. */
static int list_topic(void *arg, const struct c2_topic *t)
{
	struct lister *l = arg;
	cJSON *o = cJSON_CreateObject();
	long done = 0, total = 0, members = 0;

	cJSON_AddStringToObject(o, "name", t->name);
	cJSON_AddNumberToObject(o, "epoch", (double)t->epoch);
	cJSON_AddBoolToObject(o, "rotating", t->phase != C2_ROT_IDLE);
	cJSON_AddStringToObject(o, "phase", c2_rotation_phase_name(t->phase));
	c2_db_topic_member_count(l->ctx->db, t->name, &members);
	cJSON_AddNumberToObject(o, "members", (double)members);
	/* Acks of the phase's command; when idle, of the current key (SetTopicKey). */
	c2_db_cmd_progress(l->ctx->db, t->name, c2_rotation_epoch(t), t->phase == C2_ROT_IDLE ?
	                   E4_CMD_SET_TOPIC_KEY : c2_rotation_code(t), &done, &total);
	cJSON_AddNumberToObject(o, "acked", (double)done);
	cJSON_AddNumberToObject(o, "total", (double)total);
	/* Members that acked ReplaceTopicKey of this epoch: the replaced key retired. */
	done = total = 0;
	c2_db_cmd_progress(l->ctx->db, t->name, t->epoch, E4_CMD_REPLACE_TOPIC_KEY, &done, &total);
	cJSON_AddNumberToObject(o, "retired", (double)done);
	cJSON_AddNumberToObject(o, "retiring", (double)total);
	cJSON_AddItemToArray(l->arr, o);
	return 0;
}

static int h_topic_list(struct c2_ctx *ctx, const cJSON *a, cJSON *res, char *e, size_t c)
{
	struct lister l = { .ctx = ctx, .arr = cJSON_AddArrayToObject(res, "topics") };

	(void)a;
	(void)e;
	(void)c;
	return c2_db_topic_list(ctx->db, list_topic, &l);
}

/* Adds the first 4 bytes of SHA3-256 of the topic's current key (for convergence checks). */
static void add_fingerprint(struct c2_ctx *ctx, cJSON *res, const char *name)
{
	uint8_t key[E4_KEY_LEN], digest[32];

	if (c2_db_topic_key(ctx->db, name, 0, key) == 0 && e4_sha3_256(digest, key, sizeof(key)) == 0)
		add_hex(res, "fingerprint", digest, 4);
	e4_wipe(key, sizeof(key));
}

/*
 * The rotation of t: its phase, since when, whether it is a leave rekey,
 * and up to 20 members that still owe the ack of the phase's command (of
 * the last ReplaceTopicKey once finished: they may still accept the
 * replaced key).
 */
static void add_rotation(struct c2_ctx *ctx, cJSON *res, const struct c2_topic *t)
{
	struct lister l = { .ctx = ctx };
	int code = t->phase == C2_ROT_IDLE ? E4_CMD_REPLACE_TOPIC_KEY : c2_rotation_code(t);
	long legacy = 0;

	cJSON_AddStringToObject(res, "phase", c2_rotation_phase_name(t->phase));
	if (t->phase != C2_ROT_IDLE) {
		cJSON_AddNumberToObject(res, "phase_started", (double)t->rot_started);
		cJSON_AddBoolToObject(res, "leave_rekey", t->leave);
	}
	l.arr = cJSON_AddArrayToObject(res, "waiting");
	l.limit = 20;
	c2_db_cmd_topic_waiting(ctx->db, t->name, c2_rotation_epoch(t), code, 20, list_member, &l);
	if (c2_db_topic_legacy_count(ctx->db, t->name, &legacy) == 0 && legacy > 0)
		cJSON_AddNumberToObject(res, "legacy_members", (double)legacy);
}

/* topic.show: the topic and one page of its members ("after", "limit"; "members_next"). */
static int h_topic_show(struct c2_ctx *ctx, const cJSON *args, cJSON *res, char *err, size_t cap)
{
	struct lister l = { .ctx = ctx };
	struct c2_topic t;
	const char *name, *after;
	long limit;
	int rc;

	if (get_str(args, "name", 1, &name, err, cap) != 0 ||
	    get_page(args, &after, &limit, err, cap) != 0)
		return -1;
	if (c2_db_topic_get(ctx->db, name, &t) != 0) {
		snprintf(err, cap, "no such topic");
		return -1;
	}
	l.arr = cJSON_CreateArray();
	list_topic(&l, &t);
	cJSON_AddItemToObject(res, "topic", cJSON_DetachItemFromArray(l.arr, 0));
	cJSON_Delete(l.arr);
	add_hex(res, "hash", t.hash, E4_HASH_LEN);
	add_fingerprint(ctx, res, name);
	add_rotation(ctx, res, &t);
	cJSON_AddNumberToObject(res, "key_age", (double)(c2_now_ms() / 1000 - t.key_created));
	l.arr = cJSON_AddArrayToObject(res, "members");
	l.limit = limit;
	rc = c2_db_topic_member_page(ctx->db, name, after, limit + 1, list_member, &l);
	add_next(res, "members_next", &l);
	return rc;
}

/* Adds an audit entry to a list. */
static int list_audit(void *arg, int64_t seq, int64_t at, long uid, const char *action,
                      const char *detail)
{
	struct lister *l = arg;
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "seq", (double)seq);
	cJSON_AddNumberToObject(o, "at", (double)at);
	cJSON_AddNumberToObject(o, "uid", (double)uid);
	cJSON_AddStringToObject(o, "action", action);
	cJSON_AddStringToObject(o, "detail", detail);
	cJSON_AddItemToArray(l->arr, o);
	return 0;
}

static int h_audit(struct c2_ctx *ctx, const cJSON *args, cJSON *res, char *err, size_t cap)
{
	struct lister l = { .ctx = ctx };
	const cJSON *lim = cJSON_GetObjectItemCaseSensitive(args, "limit");
	long limit = 50;

	if (lim != NULL) {
		if (!cJSON_IsNumber(lim) || lim->valuedouble < 1 || lim->valuedouble > 1e6) {
			snprintf(err, cap, "argument 'limit' must be a number from 1 to 1000000");
			return -1;
		}
		limit = (long)lim->valuedouble;
	}
	l.arr = cJSON_AddArrayToObject(res, "entries");
	return c2_db_audit_list(ctx->db, limit, list_audit, &l);
}

/* backup: a consistent copy of the database to "path" (absolute, new, made 0600). */
static int h_backup(struct c2_ctx *ctx, const cJSON *args, cJSON *res, char *err, size_t cap)
{
	const char *path;

	if (get_str(args, "path", 1, &path, err, cap) != 0)
		return -1;
	if (path[0] != '/') {
		snprintf(err, cap, "argument 'path' must be an absolute path");
		return -1;
	}
	if (c2_db_backup(ctx->db, path, err, cap) != 0)
		return -1;
	if (c2_db_audit(ctx->db, ctx->uid, "backup", path) != 0)
		c2_log(C2_LOG_WARN, "backup", "backup written but not audited");
	c2_log(C2_LOG_INFO, "backup", "%s", path);
	cJSON_AddStringToObject(res, "path", path);
	return 0;
}

static const struct {
	const char *name;
	handler_fn fn;
} handlers[] = {
	{ "status", h_status },
	{ "device.add", h_device_add },
	{ "device.remove", h_device_remove },
	{ "device.list", h_device_list },
	{ "device.show", h_device_show },
	{ "device.rotate-key", h_device_rotate },
	{ "device.reset", h_device_reset },
	{ "topic.add", h_topic_add },
	{ "topic.remove", h_topic_remove },
	{ "topic.list", h_topic_list },
	{ "topic.show", h_topic_show },
	{ "topic.rotate", h_topic_rotate },
	{ "link", h_link },
	{ "unlink", h_unlink },
	{ "c2key.rotate", h_c2key_rotate },
	{ "audit", h_audit },
	{ "backup", h_backup },
};

/* Validates the envelope and runs the handler. */
static int dispatch(struct c2_ctx *ctx, const cJSON *req, cJSON *res, char *err, size_t cap)
{
	const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(req, "cmd");
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(req, "args");
	static const cJSON empty = { 0 };
	size_t i;

	if (!cJSON_IsObject(req)) {
		snprintf(err, cap, "request is not a JSON object");
		return -1;
	}
	if (!cJSON_IsString(cmd)) {
		snprintf(err, cap, "request has no \"cmd\" string");
		return -1;
	}
	if (args != NULL && !cJSON_IsObject(args)) {
		snprintf(err, cap, "\"args\" must be an object");
		return -1;
	}
	for (i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (strcmp(handlers[i].name, cmd->valuestring) == 0)
			return handlers[i].fn(ctx, args != NULL ? args : &empty, res, err, cap);
	snprintf(err, cap, "unknown command");
	return -1;
}

/* cJSON's free: wipes the whole block first (it may hold a key or a response). */
static void wiping_free(void *p)
{
	if (p == NULL)
		return;
	sodium_memzero(p, malloc_usable_size(p));
	free(p);
}

void c2_api_secure_alloc(void)
{
	cJSON_Hooks hooks = { malloc, wiping_free };

	cJSON_InitHooks(&hooks);
}

char *c2_api_request(struct c2_ctx *ctx, const char *line, size_t len, long uid)
{
	cJSON *req = cJSON_ParseWithLength(line, len);
	cJSON *out = cJSON_CreateObject();
	cJSON *res = cJSON_CreateObject();
	char err[C2_ERR_MAX] = "";
	char *s;

	ctx->uid = uid;
	if (req == NULL)
		snprintf(err, sizeof(err), "request is not valid JSON");
	if (req != NULL && dispatch(ctx, req, res, err, sizeof(err)) == 0) {
		cJSON_AddBoolToObject(out, "ok", 1);
		cJSON_AddItemToObject(out, "result", res);
	} else {
		cJSON_AddBoolToObject(out, "ok", 0);
		cJSON_AddStringToObject(out, "error", err[0] ? err : "internal error");
		cJSON_Delete(res);
	}
	s = cJSON_PrintUnformatted(out);
	cJSON_Delete(out);
	cJSON_Delete(req);
	return s;
}
