/*
 * control.c - the C2's management API on $CONTROL/e4/v1, in the style of
 * mosquitto's dynamic-security plugin: {"commands":[...]} in,
 * {"responses":[...]} out on $CONTROL/e4/v1/response, one response per
 * command, correlationData echoed.  Bad input gets an error response.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "e4plugin.h"

/* A command handler: NULL on success, else a static error message. */
typedef const char *(*control_fn)(struct e4plugin *p, const cJSON *cmd, cJSON *resp);

/* Reads the "id" field of a command into id. */
static const char *get_id(const cJSON *cmd, uint8_t id[E4_ID_LEN])
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cmd, "id");

	if (!cJSON_IsString(v))
		return "missing or non-string \"id\"";
	if (strlen(v->valuestring) != 2 * E4_ID_LEN || e4_hex_decode(id, E4_ID_LEN, v->valuestring) != 0)
		return "\"id\" must be 32 hex characters";
	return NULL;
}

/* Saves the state file; on failure logs it and returns an error message. */
static const char *save(struct e4plugin *p)
{
	char err[256];

	if (e4plugin_state_save(p, err, sizeof(err)) == 0)
		return NULL;
	mosquitto_log_printf(MOSQ_LOG_ERR, "e4: %s", err);
	return "state file could not be written; change not applied";
}

/* setDevicePubKey {"id","pubkey"}. */
static const char *cmd_set_pubkey(struct e4plugin *p, const cJSON *cmd, cJSON *resp)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cmd, "pubkey");
	uint8_t id[E4_ID_LEN], pk[E4_ED25519_PK_LEN];
	struct e4plugin_device *d, old;
	const char *e;

	(void)resp;
	if (p->mode != E4_MODE_PUBKEY)
		return "public keys are only used in pubkey mode";
	if ((e = get_id(cmd, id)) != NULL)
		return e;
	if (!cJSON_IsString(v))
		return "missing or non-string \"pubkey\"";
	if (strlen(v->valuestring) != 2 * E4_ED25519_PK_LEN ||
	    e4_hex_decode(pk, sizeof(pk), v->valuestring) != 0)
		return "\"pubkey\" must be 64 hex characters";
	d = e4plugin_device_get(&p->devices, id);
	if (d == NULL)
		return "out of memory";
	old = *d;
	memcpy(d->pubkey, pk, sizeof(pk));
	d->has_pubkey = 1;
	if ((e = save(p)) != NULL) {
		d = e4plugin_device_find(&p->devices, id);
		*d = old;
		e4plugin_device_gc(&p->devices, id);
	}
	return e;
}

/* removeDevicePubKey {"id"}. */
static const char *cmd_remove_pubkey(struct e4plugin *p, const cJSON *cmd, cJSON *resp)
{
	uint8_t id[E4_ID_LEN];
	struct e4plugin_device *d;
	const char *e;

	(void)resp;
	if ((e = get_id(cmd, id)) != NULL)
		return e;
	d = e4plugin_device_find(&p->devices, id);
	if (d == NULL || !d->has_pubkey)
		return "device has no public key";
	d->has_pubkey = 0;
	if ((e = save(p)) != NULL) {
		d->has_pubkey = 1;
		return e;
	}
	memset(d->pubkey, 0, sizeof(d->pubkey));
	e4plugin_device_gc(&p->devices, id);
	return NULL;
}

/* Reads an optional non-negative integer field (default def). */
static const char *get_count(const cJSON *cmd, const char *name, size_t def, size_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cmd, name);

	*out = def;
	if (v == NULL)
		return NULL;
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e9 ||
	    v->valuedouble != (double)(size_t)v->valuedouble)
		return "\"offset\" and \"count\" must be non-negative integers";
	*out = (size_t)v->valuedouble;
	return NULL;
}

/* Adds one device object to arr. */
static int add_device(cJSON *arr, const struct e4plugin_device *d)
{
	char hex[2 * E4_ED25519_PK_LEN + 1];
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return -1;
	cJSON_AddItemToArray(arr, o);
	e4_hex_encode(hex, d->id, E4_ID_LEN);
	if (cJSON_AddStringToObject(o, "id", hex) == NULL)
		return -1;
	if (d->has_pubkey) {
		e4_hex_encode(hex, d->pubkey, E4_ED25519_PK_LEN);
		if (cJSON_AddStringToObject(o, "pubkey", hex) == NULL)
			return -1;
	}
	return cJSON_AddBoolToObject(o, "online", d->online > 0) != NULL ? 0 : -1;
}

/* listDevices {"offset","count"}. */
static const char *cmd_list_devices(struct e4plugin *p, const cJSON *cmd, cJSON *resp)
{
	struct e4plugin_device **v;
	size_t n, offset, count, i;
	cJSON *data, *arr;
	const char *e;

	if ((e = get_count(cmd, "offset", 0, &offset)) != NULL ||
	    (e = get_count(cmd, "count", (size_t)-1, &count)) != NULL)
		return e;
	v = e4plugin_devices_sorted(&p->devices, &n);
	if (v == NULL)
		return "out of memory";
	data = cJSON_AddObjectToObject(resp, "data");
	arr = data != NULL ? cJSON_AddArrayToObject(data, "devices") : NULL;
	e = arr != NULL && cJSON_AddNumberToObject(data, "totalCount", (double)n) != NULL
	        ? NULL : "out of memory";
	for (i = offset; e == NULL && i < n && i - offset < count; i++)
		if (add_device(arr, v[i]) != 0)
			e = "out of memory";
	free(v);
	if (e != NULL)
		cJSON_DeleteItemFromObjectCaseSensitive(resp, "data");
	return e;
}

/* getStatistics {}. */
static const char *cmd_get_statistics(struct e4plugin *p, const cJSON *cmd, cJSON *resp)
{
	cJSON *s = e4plugin_stats_json(p);

	(void)cmd;
	if (s == NULL)
		return "out of memory";
	cJSON_AddItemToObject(resp, "data", s);
	return NULL;
}

static const struct {
	const char *name;
	control_fn fn;
} commands[] = {
	{ "setDevicePubKey", cmd_set_pubkey },
	{ "removeDevicePubKey", cmd_remove_pubkey },
	{ "listDevices", cmd_list_devices },
	{ "getStatistics", cmd_get_statistics },
};

/* Runs one command object and appends its response to arr. */
static void run_command(struct e4plugin *p, const cJSON *cmd, cJSON *arr)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(cmd, "command");
	const cJSON *corr = cJSON_GetObjectItemCaseSensitive(cmd, "correlationData");
	cJSON *resp = cJSON_CreateObject();
	const char *e = "unknown command";
	size_t i;

	if (resp == NULL)
		return;
	cJSON_AddItemToArray(arr, resp);
	cJSON_AddStringToObject(resp, "command", cJSON_IsString(name) ? name->valuestring : "unknown");
	if (corr != NULL && cJSON_IsString(corr))
		cJSON_AddStringToObject(resp, "correlationData", corr->valuestring);
	if (!cJSON_IsObject(cmd))
		e = "command is not an object";
	else if (!cJSON_IsString(name))
		e = "missing or non-string \"command\"";
	else if (corr != NULL && !cJSON_IsString(corr))
		e = "\"correlationData\" must be a string";
	else
		for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (strcmp(commands[i].name, name->valuestring) == 0) {
				e = commands[i].fn(p, cmd, resp);
				break;
			}
	if (e != NULL)
		cJSON_AddStringToObject(resp, "error", e);
}

/* A response document holding a single error. */
static char *error_document(const char *msg)
{
	cJSON *doc = cJSON_CreateObject(), *arr, *r;
	char *out = NULL;

	if (doc != NULL && (arr = cJSON_AddArrayToObject(doc, "responses")) != NULL &&
	    (r = cJSON_CreateObject()) != NULL) {
		cJSON_AddItemToArray(arr, r);
		cJSON_AddStringToObject(r, "command", "unknown");
		cJSON_AddStringToObject(r, "error", msg);
		out = cJSON_PrintUnformatted(doc);
	}
	cJSON_Delete(doc);
	return out;
}

char *e4plugin_control_handle(struct e4plugin *p, const void *payload, size_t len)
{
	cJSON *req, *doc, *arr;
	const cJSON *cmds, *cmd;
	char *out = NULL;

	if (payload == NULL || len == 0)
		return error_document("empty request");
	req = cJSON_ParseWithLength(payload, len);
	if (req == NULL)
		return error_document("request is not valid JSON");
	cmds = cJSON_GetObjectItemCaseSensitive(req, "commands");
	if (!cJSON_IsArray(cmds)) {
		cJSON_Delete(req);
		return error_document("request has no \"commands\" array");
	}
	if (cJSON_GetArraySize(cmds) > E4PLUGIN_MAX_COMMANDS) {
		cJSON_Delete(req);
		return error_document("too many commands in one request");
	}
	doc = cJSON_CreateObject();
	arr = doc != NULL ? cJSON_AddArrayToObject(doc, "responses") : NULL;
	if (arr != NULL) {
		cJSON_ArrayForEach(cmd, cmds)
			run_command(p, cmd, arr);
		out = cJSON_PrintUnformatted(doc);
	}
	cJSON_Delete(doc);
	cJSON_Delete(req);
	return out;
}

int e4plugin_control_cb(int event, void *event_data, void *userdata)
{
	struct e4plugin *p = userdata;
	const struct mosquitto_evt_control *ev = event_data;
	char *out;

	if (event != MOSQ_EVT_CONTROL || ev == NULL)
		return MOSQ_ERR_INVAL;
	if (!e4plugin_is_c2(p, ev->client)) {
		e4plugin_stats_refuse(p, E4PLUGIN_R_MANAGEMENT, -1);
		e4plugin_log_refusal(p, E4PLUGIN_R_MANAGEMENT, ev->client, ev->topic, "command from");
		return MOSQ_ERR_ACL_DENIED;
	}
	out = e4plugin_control_handle(p, ev->payload, ev->payloadlen);
	if (out == NULL)
		return MOSQ_ERR_NOMEM;
	if (mosquitto_broker_publish_copy(NULL, E4PLUGIN_RESPONSE_TOPIC, (int)strlen(out), out, 1,
	                                  false, NULL) != MOSQ_ERR_SUCCESS)
		mosquitto_log_printf(MOSQ_LOG_WARNING, "e4: could not publish a $CONTROL response");
	free(out);
	return MOSQ_ERR_SUCCESS;
}
