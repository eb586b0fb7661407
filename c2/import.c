/*
 * import.c - the lines of a device import file (e4c2 device import):
 * CSV "name[,id[,pubkey[,legacy]]]" (blanks around fields ignored) or one JSON object per line
 * {"name": ..., "id": ..., "pubkey": ..., "legacy": true|false}; blank
 * lines and lines starting with '#' are skipped.  Only the shape is
 * checked here (the daemon checks names, ids and keys when it adds them),
 * so that a malformed file is refused, with its line number, before any
 * device is added.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <cjson/cJSON.h>

#include "c2.h"

/* Copies the field [s, e) without surrounding blanks into out (cap bytes); -1 when too long. */
static int field(char *out, size_t cap, const char *s, const char *e)
{
	size_t n;

	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	n = (size_t)(e - s);

	if (n >= cap)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* Checks that s is empty or exactly hex_len hexadecimal characters. */
static int hex_ok(const char *s, size_t hex_len)
{
	size_t i, n = strlen(s);

	if (n == 0)
		return 1;
	if (n != hex_len)
		return 0;
	for (i = 0; i < n; i++)
		if (strchr("0123456789abcdefABCDEF", s[i]) == NULL)
			return 0;
	return 1;
}

/* Checks the fields of a parsed row. */
static int row_check(const struct c2_import_row *r, char *err, size_t cap)
{
	size_t i, n = strlen(r->name);

	if (n == 0) {
		snprintf(err, cap, "the device name is empty");
		return -1;
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)r->name[i] < 0x20 || r->name[i] == 0x7f) {
			snprintf(err, cap, "the device name contains a control character");
			return -1;
		}
	if (!hex_ok(r->id, 2 * E4_ID_LEN)) {
		snprintf(err, cap, "the id must be %d hex characters", 2 * E4_ID_LEN);
		return -1;
	}
	if (!hex_ok(r->pubkey, 2 * E4_ED25519_PK_LEN)) {
		snprintf(err, cap, "the public key must be %d hex characters", 2 * E4_ED25519_PK_LEN);
		return -1;
	}
	return 0;
}

/* A CSV line: name, then optional id, public key and "legacy". */
static int parse_csv(const char *s, const char *end, struct c2_import_row *r, char *err,
                     size_t cap)
{
	char legacy[16] = "";
	char *fields[4] = { r->name, r->id, r->pubkey, legacy };
	size_t caps[4] = { sizeof(r->name), sizeof(r->id), sizeof(r->pubkey), sizeof(legacy) };
	size_t k;

	for (k = 0; k < 4; k++) {
		const char *comma = memchr(s, ',', (size_t)(end - s));
		const char *e = comma != NULL ? comma : end;

		if (field(fields[k], caps[k], s, e) != 0) {
			snprintf(err, cap, "field %zu is too long", k + 1);
			return -1;
		}
		if (comma == NULL)
			break;
		s = comma + 1;
		if (k == 3) {
			snprintf(err, cap, "more than 4 fields (name,id,pubkey,legacy)");
			return -1;
		}
	}
	if (legacy[0] != '\0' && strcmp(legacy, "legacy") != 0 && strcmp(legacy, "yes") != 0 &&
	    strcmp(legacy, "no") != 0) {
		snprintf(err, cap, "the fourth field must be legacy, yes or no");
		return -1;
	}
	r->legacy = strcmp(legacy, "legacy") == 0 || strcmp(legacy, "yes") == 0;
	return 0;
}

/* Copies the optional string member `name` of o into out. */
static int json_str(const cJSON *o, const char *name, char *out, size_t cap, char *err,
                    size_t ecap)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (v == NULL)
		return 0;
	if (!cJSON_IsString(v) || strlen(v->valuestring) >= cap) {
		snprintf(err, ecap, "\"%s\" must be a string of at most %zu bytes", name, cap - 1);
		return -1;
	}
	snprintf(out, cap, "%s", v->valuestring);
	return 0;
}

/* A JSON object line. */
static int parse_json(const char *s, const char *end, struct c2_import_row *r, char *err,
                      size_t cap)
{
	static const char *const known[] = { "name", "id", "pubkey", "legacy", NULL };
	cJSON *o = cJSON_ParseWithLength(s, (size_t)(end - s));
	const cJSON *m, *legacy;
	int rc = -1;
	size_t k;

	if (!cJSON_IsObject(o)) {
		snprintf(err, cap, "not a JSON object");
		goto out;
	}
	cJSON_ArrayForEach(m, o) {
		for (k = 0; known[k] != NULL && strcmp(known[k], m->string) != 0; k++)
			;
		if (known[k] == NULL) {
			snprintf(err, cap, "unknown member (name, id, pubkey and legacy are known)");
			goto out;
		}
	}
	legacy = cJSON_GetObjectItemCaseSensitive(o, "legacy");
	if (legacy != NULL && !cJSON_IsBool(legacy)) {
		snprintf(err, cap, "\"legacy\" must be true or false");
		goto out;
	}
	if (cJSON_GetObjectItemCaseSensitive(o, "name") == NULL) {
		snprintf(err, cap, "no \"name\"");
		goto out;
	}
	if (json_str(o, "name", r->name, sizeof(r->name), err, cap) != 0 ||
	    json_str(o, "id", r->id, sizeof(r->id), err, cap) != 0 ||
	    json_str(o, "pubkey", r->pubkey, sizeof(r->pubkey), err, cap) != 0)
		goto out;
	r->legacy = cJSON_IsTrue(legacy);
	rc = 0;
out:
	cJSON_Delete(o);
	return rc;
}

int c2_import_parse_line(const char *line, size_t len, struct c2_import_row *row, char *err,
                         size_t cap)
{
	const char *s = line, *end = line + len;

	memset(row, 0, sizeof(*row));
	if (memchr(line, '\0', len) != NULL) {
		snprintf(err, cap, "NUL byte in line");
		return -1;
	}
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
		end--;
	if (s == end || *s == '#')
		return 0;
	if ((*s == '{' ? parse_json(s, end, row, err, cap) : parse_csv(s, end, row, err, cap)) != 0 ||
	    row_check(row, err, cap) != 0) {
		memset(row, 0, sizeof(*row));
		return -1;
	}
	return 1;
}
