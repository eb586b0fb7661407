/*
 * state.c - the state file: device public keys set by the C2, as JSON
 * {"version":1,"devices":[{"id":"<hex>","pubkey":"<hex>"}]}, replaced
 * atomically (temporary file, fsync, rename, fsync of the directory).
 * Public keys are not secrets; the file is still created mode 0600.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "e4plugin.h"
#include "../sdk/src/store/replace.h"

/* Reads a whole file into a new buffer (-1, ENOENT kept in errno). */
static int read_file(const char *path, char **out, size_t *len)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t got = 0;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > E4PLUGIN_STATE_MAX) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	buf = malloc((size_t)st.st_size + 1);
	while (buf != NULL && got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (buf == NULL || got != (size_t)st.st_size) {
		free(buf);
		errno = EIO;
		return -1;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return 0;
}

/* Adds one device entry of the state document. */
static int load_device(struct e4plugin *p, const cJSON *e, size_t i, char *err, size_t cap)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
	const cJSON *pk = cJSON_GetObjectItemCaseSensitive(e, "pubkey");
	uint8_t idb[E4_ID_LEN], pkb[E4_ED25519_PK_LEN];
	struct e4plugin_device *d;

	if (!cJSON_IsString(id) || strlen(id->valuestring) != 2 * E4_ID_LEN ||
	    e4_hex_decode(idb, E4_ID_LEN, id->valuestring) != 0)
		return e4plugin_fail(err, cap, "devices[%zu]: \"id\" must be 32 hex characters", i);
	if (!cJSON_IsString(pk) || strlen(pk->valuestring) != 2 * E4_ED25519_PK_LEN ||
	    e4_hex_decode(pkb, sizeof(pkb), pk->valuestring) != 0)
		return e4plugin_fail(err, cap, "devices[%zu]: \"pubkey\" must be 64 hex characters", i);
	d = e4plugin_device_get(&p->devices, idb);
	if (d == NULL)
		return e4plugin_fail(err, cap, "out of memory");
	memcpy(d->pubkey, pkb, sizeof(pkb));
	d->has_pubkey = 1;
	return 0;
}

int e4plugin_state_load(struct e4plugin *p, char *err, size_t err_cap)
{
	const char *path = p->conf.state_file;
	const cJSON *ver, *devs, *e;
	char *buf = NULL, sub[200];
	cJSON *doc;
	size_t len, i = 0;
	int rc = 0;

	if (path == NULL || *path == '\0')
		return 0;
	if (read_file(path, &buf, &len) != 0)
		return errno == ENOENT ? 0 : e4plugin_fail(err, err_cap, "state file %s: %s", path,
		                                             strerror(errno));
	doc = cJSON_ParseWithLength(buf, len);
	free(buf);
	if (doc == NULL)
		return e4plugin_fail(err, err_cap, "state file %s: not valid JSON", path);
	ver = cJSON_GetObjectItemCaseSensitive(doc, "version");
	devs = cJSON_GetObjectItemCaseSensitive(doc, "devices");
	if (!cJSON_IsNumber(ver) || ver->valuedouble != 1)
		rc = e4plugin_fail(err, err_cap, "state file %s: unknown \"version\"", path);
	else if (!cJSON_IsArray(devs))
		rc = e4plugin_fail(err, err_cap, "state file %s: no \"devices\" array", path);
	if (rc != 0)
		devs = NULL;
	cJSON_ArrayForEach(e, devs) {
		if (load_device(p, e, i++, sub, sizeof(sub)) != 0) {
			rc = e4plugin_fail(err, err_cap, "state file %s: %s", path, sub);
			break;
		}
	}
	cJSON_Delete(doc);
	return rc;
}

/* Builds the state document. */
static char *state_json(struct e4plugin *p)
{
	char hex[2 * E4_ED25519_PK_LEN + 1];
	struct e4plugin_device **v;
	cJSON *doc = cJSON_CreateObject(), *arr, *o;
	char *out = NULL;
	size_t n = 0, i;
	int ok;

	v = e4plugin_devices_sorted(&p->devices, &n);
	ok = doc != NULL && v != NULL && cJSON_AddNumberToObject(doc, "version", 1) != NULL &&
	     (arr = cJSON_AddArrayToObject(doc, "devices")) != NULL;
	for (i = 0; ok && i < n; i++) {
		if (!v[i]->has_pubkey)
			continue;
		ok = (o = cJSON_CreateObject()) != NULL;
		if (ok) {
			cJSON_AddItemToArray(arr, o);
			e4_hex_encode(hex, v[i]->id, E4_ID_LEN);
			ok = cJSON_AddStringToObject(o, "id", hex) != NULL;
			e4_hex_encode(hex, v[i]->pubkey, E4_ED25519_PK_LEN);
			ok = ok && cJSON_AddStringToObject(o, "pubkey", hex) != NULL;
		}
	}
	if (ok)
		out = cJSON_Print(doc);
	free(v);
	cJSON_Delete(doc);
	return out;
}

int e4plugin_state_save(struct e4plugin *p, char *err, size_t err_cap)
{
	const char *path = p->conf.state_file;
	char *doc, *tmp;
	size_t plen, dlen;
	int rc;

	if (path == NULL || *path == '\0')
		return 0;
	doc = state_json(p);
	dlen = doc != NULL ? strlen(doc) : 0;
	plen = strlen(path);
	tmp = malloc(plen + 5);
	if (doc == NULL || tmp == NULL) {
		free(doc);
		free(tmp);
		return e4plugin_fail(err, err_cap, "state file %s: out of memory", path);
	}
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp", 5);
	doc[dlen] = '\n';   /* over the NUL: the file ends with a newline */
	/* The SDK's atomic replace: temp file 0600, fsync, rename, fsync of the directory. */
	rc = e4__file_replace(NULL, path, tmp, (const uint8_t *)doc, dlen + 1) == 0 ? 0 : -1;
	if (rc != 0) {
		e4plugin_fail(err, err_cap, "state file %s: %s", path, strerror(errno));
		unlink(tmp);
	}
	free(doc);
	free(tmp);
	return rc;
}
