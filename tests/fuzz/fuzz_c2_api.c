/*
 * fuzz_c2_api.c - libFuzzer target: one request line of the control
 * socket against a C2 on an in-memory database.  Every input gets a
 * JSON response with "ok"; refusals carry an error message.  cJSON
 * allocates through the daemon's wiping hooks.  Backup requests are
 * skipped: they write a file at the path they are given.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static struct c2_ctx ctx;

/* Publishes nothing (no broker in the fuzzer). */
static int no_publish(void *arg, const char *topic, const uint8_t *p, size_t n, int qos, int *mid)
{
	(void)arg;
	(void)topic;
	(void)p;
	(void)n;
	(void)qos;
	*mid = 0;
	return -1;
}

/* Opens the in-memory C2 once. */
static void setup(void)
{
	uint8_t mk[C2_MASTER_KEY_LEN];
	char err[C2_ERR_MAX];

	if (ctx.db != NULL)
		return;
	if (sodium_init() < 0)
		abort();
	c2_log_set_level(-1);
	c2_api_secure_alloc();
	c2_conf_defaults(&ctx.conf);
	c2_random(mk, sizeof(mk));
	if (c2_db_open(&ctx.db, ":memory:", mk, 1, err, sizeof(err)) != 0 ||
	    c2_op_init_db(&ctx, err, sizeof(err)) != 0)
		abort();
	ctx.tr.publish = no_publish;
}

/* True when the input is a backup request (parsed as c2_api_request parses it). */
static int is_backup(const uint8_t *data, size_t len)
{
	cJSON *j = cJSON_ParseWithLength((const char *)data, len);
	const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(j, "cmd");
	int rc = cJSON_IsString(cmd) && strcmp(cmd->valuestring, "backup") == 0;

	cJSON_Delete(j);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *resp;
	cJSON *j;

	setup();
	if (is_backup(data, len))
		return 0;
	resp = c2_api_request(&ctx, (const char *)data, len, 0);
	if (resp == NULL)
		abort();
	j = cJSON_Parse(resp);
	if (!cJSON_IsBool(cJSON_GetObjectItem(j, "ok")))
		abort();
	if (cJSON_IsFalse(cJSON_GetObjectItem(j, "ok")) &&
	    !cJSON_IsString(cJSON_GetObjectItem(j, "error")))
		abort();
	cJSON_Delete(j);
	free(resp);
	return 0;
}
