/*
 * export.c - device store files for the e4 tools, and public keys pushed
 * to the broker plugin over $CONTROL/e4/v1.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "e4/store.h"
#include "engine.h"

#define PLUGIN_TOPIC "$CONTROL/e4/v1"
#define PLUGIN_BATCH 100

int c2_export_store(const char *path, int mode, const struct c2_new_device *nd, char *err,
                    size_t cap)
{
	static struct e4_topic_slot topics[C2_EXPORT_TOPICS];
	static struct e4_pubkey_slot pubkeys[C2_EXPORT_PUBKEYS];
	static uint8_t buf[E4_STATE_BLOB_LEN(C2_EXPORT_TOPICS, C2_EXPORT_PUBKEYS)];
	struct e4_client_config cfg;
	struct e4_store_file sf;
	struct e4_store store;
	struct e4_client c;
	struct stat st;
	int rc;

	if (nd->key_len == 0) {
		snprintf(err, cap, "the device registered its own key: nothing to export");
		return -1;
	}
	if (lstat(path, &st) == 0 || errno != ENOENT) {
		snprintf(err, cap, "%s: exists (refusing to overwrite a key file)", path);
		return -1;
	}
	e4_client_config_default(&cfg);
	cfg.mode = (enum e4_mode)mode;
	cfg.topics = topics;
	cfg.topics_cap = C2_EXPORT_TOPICS;
	cfg.pubkeys = pubkeys;
	cfg.pubkeys_cap = C2_EXPORT_PUBKEYS;
	cfg.store = &store;
	cfg.store_buf = buf;
	cfg.store_buf_cap = sizeof(buf);
	e4_store_file_init(&store, &sf, path);
	rc = e4_client_init(&c, &cfg, nd->dev.id, nd->key, nd->key_len);
	if (rc == 0 && mode == E4_MODE_PUBKEY)
		rc = e4_client_set_c2_key(&c, nd->c2pub);
	if (rc == 0)
		rc = e4_client_save(&c);
	if (rc != 0)
		snprintf(err, cap, "%s: cannot write the store: %s", path, e4_strerror(rc));
	e4_client_wipe(&c);
	return rc == 0 ? 0 : -1;
}

/* Adds a setDevicePubKey or removeDevicePubKey command to a request. */
static void plugin_command(cJSON *cmds, const struct c2_device *d, int remove)
{
	cJSON *o = cJSON_CreateObject();
	char hex[2 * E4_ED25519_PK_LEN + 1];

	cJSON_AddStringToObject(o, "command", remove ? "removeDevicePubKey" : "setDevicePubKey");
	e4_hex_encode(hex, d->id, E4_ID_LEN);
	cJSON_AddStringToObject(o, "id", hex);
	if (!remove) {
		e4_hex_encode(hex, d->pub, E4_ED25519_PK_LEN);
		cJSON_AddStringToObject(o, "pubkey", hex);
	}
	cJSON_AddItemToArray(cmds, o);
}

/* Publishes a request holding the commands in `req`. */
static void plugin_send(struct c2_ctx *ctx, cJSON *req)
{
	char *s = cJSON_PrintUnformatted(req);
	int mid;

	if (s != NULL && ctx->connected)
		(void)ctx->tr.publish(ctx->tr.ctx, PLUGIN_TOPIC, (const uint8_t *)s, strlen(s), 1, &mid);
	free(s);
}

void c2_plugin_push(struct c2_ctx *ctx, const struct c2_device *d, int remove)
{
	cJSON *req = cJSON_CreateObject();

	plugin_command(cJSON_AddArrayToObject(req, "commands"), d, remove);
	plugin_send(ctx, req);
	cJSON_Delete(req);
}

/* State of a sync pass. */
struct sync {
	struct c2_ctx *ctx;
	cJSON *req, *cmds;
	int n;
};

/* Adds one device to the sync request, sending full batches. */
static int sync_device(void *arg, const struct c2_device *d)
{
	struct sync *s = arg;

	if (s->req == NULL) {
		s->req = cJSON_CreateObject();
		s->cmds = cJSON_AddArrayToObject(s->req, "commands");
		s->n = 0;
	}
	plugin_command(s->cmds, d, 0);
	if (++s->n == PLUGIN_BATCH) {
		plugin_send(s->ctx, s->req);
		cJSON_Delete(s->req);
		s->req = NULL;
	}
	return 0;
}

void c2_plugin_sync(struct c2_ctx *ctx)
{
	struct sync s = { ctx, NULL, NULL, 0 };

	if (ctx->conf.mode != E4_MODE_PUBKEY)
		return;
	c2_db_device_list(ctx->db, sync_device, &s);
	if (s.req != NULL) {
		plugin_send(ctx, s.req);
		cJSON_Delete(s.req);
	}
}
