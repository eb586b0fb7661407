/*
 * cli_bulk.c - e4c2's bulk provisioning: `device import FILE` adds every
 * device of a file (CSV or JSON lines, see import.c), optionally writing
 * each store file into a directory and linking each to a topic, and
 * `link-many TOPIC FILE` links the devices a file names.  The whole file
 * is checked before the first request, so a malformed line adds nothing;
 * progress goes to standard error (--json: one JSON line per device on
 * standard output).
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "cli.h"

#define BULK_MAX_BYTES (64L * 1024 * 1024)

/* The rows of a file, with the line each came from. */
struct rows {
	struct c2_import_row *v;
	long *line;
	size_t n;
};

/* Reads and checks every line of path into r; prints "FILE:LINE: message" on failure. */
static int read_rows(const char *path, struct rows *r)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL, err[C2_ERR_MAX];
	size_t cap = 0, room = 0;
	ssize_t len;
	long lineno = 0, total = 0;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	if (f == NULL) {
		fprintf(stderr, "e4c2: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && (len = getline(&buf, &cap, f)) >= 0) {
		struct c2_import_row row;
		int got;

		lineno++;
		total += len;
		if (total > BULK_MAX_BYTES) {
			fprintf(stderr, "e4c2: %s: larger than %ld bytes\n", path, BULK_MAX_BYTES);
			rc = -1;
			break;
		}
		got = c2_import_parse_line(buf, (size_t)len, &row, err, sizeof(err));
		if (got < 0) {
			fprintf(stderr, "e4c2: %s:%ld: %s (nothing was imported)\n", path, lineno, err);
			rc = -1;
		} else if (got == 1) {
			if (r->n == room) {
				size_t more = room ? 2 * room : 256;
				struct c2_import_row *v = realloc(r->v, more * sizeof(*v));
				long *l = v != NULL ? realloc(r->line, more * sizeof(*l)) : NULL;

				if (v != NULL)
					r->v = v;
				if (l == NULL) {
					fprintf(stderr, "e4c2: out of memory\n");
					rc = -1;
					break;
				}
				r->line = l;
				room = more;
			}
			r->v[r->n] = row;
			r->line[r->n++] = lineno;
		}
	}
	free(buf);
	fclose(f);
	if (rc == 0 && r->n == 0) {
		fprintf(stderr, "e4c2: %s: no device in the file\n", path);
		rc = -1;
	}
	return rc;
}

static void rows_free(struct rows *r)
{
	free(r->v);
	free(r->line);
	memset(r, 0, sizeof(*r));
}

/* The store file of a device in dir; -1 (printed) when its name cannot be a file name. */
static int store_path(const char *dir, const char *name, char *out, size_t cap)
{
	if (strchr(name, '/') != NULL || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
	    snprintf(out, cap, "%s/%s.store", dir, name) >= (int)cap) {
		fprintf(stderr, "e4c2: device '%s' cannot be exported to a file of its name\n", name);
		return -1;
	}
	return 0;
}

/* Checks the export directory and that no store file would be replaced. */
static int check_exports(const char *dir, const struct rows *r)
{
	char path[C2_PATH_MAX];
	struct stat st;
	size_t i;

	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "e4c2: %s: not a directory\n", dir);
		return -1;
	}
	for (i = 0; i < r->n; i++) {
		if (store_path(dir, r->v[i].name, path, sizeof(path)) != 0)
			return -1;
		if (lstat(path, &st) == 0) {
			fprintf(stderr, "e4c2: %s exists (a store file is never replaced; nothing was"
			        " imported)\n", path);
			return -1;
		}
	}
	return 0;
}

/* Reports progress: a line on stderr, or a JSON line on stdout. */
static void progress(const struct globals *g, const char *what, const char *device, size_t done,
                     size_t total)
{
	cJSON *o;
	char *s;

	if (!g->json) {
		fprintf(stderr, "\r%s: %zu/%zu", what, done, total);
		if (done == total)
			fprintf(stderr, "\n");
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "progress", what);
	cJSON_AddStringToObject(o, "device", device);
	cJSON_AddNumberToObject(o, "done", (double)done);
	cJSON_AddNumberToObject(o, "total", (double)total);
	cJSON_AddBoolToObject(o, "finished", done == total);
	s = cJSON_PrintUnformatted(o);
	if (s != NULL)
		printf("%s\n", s);
	fflush(stdout);
	cJSON_free(s);
	cJSON_Delete(o);
}

/* Asks for `link` of device to topic. */
static int link_one(const struct globals *g, const char *path, const char *device,
                    const char *topic)
{
	cJSON *req = cJSON_CreateObject(), *args, *res = NULL;
	int rc;

	cJSON_AddStringToObject(req, "cmd", "link");
	args = cJSON_AddObjectToObject(req, "args");
	cJSON_AddStringToObject(args, "device", device);
	cJSON_AddStringToObject(args, "topic", topic);
	rc = cli_request(g, path, req, &res);
	cJSON_Delete(req);
	cJSON_Delete(res);
	return rc;
}

/* Adds one device (and writes its store when dir is set). */
static int add_one(const struct globals *g, const char *path, const struct c2_import_row *row,
                   const char *dir)
{
	cJSON *req = cJSON_CreateObject(), *args, *res = NULL;
	char file[C2_PATH_MAX];
	int rc;

	cJSON_AddStringToObject(req, "cmd", "device.add");
	args = cJSON_AddObjectToObject(req, "args");
	cJSON_AddStringToObject(args, "name", row->name);
	if (row->id[0] != '\0')
		cJSON_AddStringToObject(args, "id", row->id);
	if (row->pubkey[0] != '\0')
		cJSON_AddStringToObject(args, "pubkey", row->pubkey);
	if (row->legacy)
		cJSON_AddBoolToObject(args, "legacy", 1);
	if (dir != NULL)
		cJSON_AddBoolToObject(args, "export", 1);
	rc = cli_request(g, path, req, &res);
	cJSON_Delete(req);
	if (rc == 0 && dir != NULL)
		rc = store_path(dir, row->name, file, sizeof(file)) == 0 &&
		     cli_export_device(res, file) == 0 ? 0 : 1;
	if (res != NULL) {
		/* The response holds the device's key: wiped before it is freed. */
		cJSON *key = cJSON_GetObjectItemCaseSensitive(res, "key");

		if (cJSON_IsString(key))
			sodium_memzero(key->valuestring, strlen(key->valuestring));
		cJSON_Delete(res);
	}
	return rc;
}

/* Parses "--export-dir DIR" and "--link TOPIC" (allowed as given) and one positional. */
static int bulk_args(int argc, char **argv, const char **pos, const char **dir,
                     const char **topic, const char *usage)
{
	int i;

	*pos = NULL;
	for (i = 0; i < argc; i++) {
		if (dir != NULL && strcmp(argv[i], "--export-dir") == 0 && i + 1 < argc) {
			*dir = argv[++i];
		} else if (topic != NULL && strcmp(argv[i], "--link") == 0 && i + 1 < argc) {
			*topic = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			fprintf(stderr, "e4c2: unknown option '%s'\nusage: %s\n", argv[i], usage);
			return -1;
		} else if (*pos == NULL) {
			*pos = argv[i];
		} else {
			fprintf(stderr, "e4c2: unexpected argument '%s'\nusage: %s\n", argv[i], usage);
			return -1;
		}
	}
	if (*pos == NULL) {
		fprintf(stderr, "e4c2: missing FILE\nusage: %s\n", usage);
		return -1;
	}
	return 0;
}

int cli_device_import(const struct globals *g, int argc, char **argv)
{
	static const char usage[] = "e4c2 device import FILE [--export-dir DIR] [--link TOPIC]";
	const char *file, *dir = NULL, *topic = NULL;
	char path[C2_PATH_MAX];
	struct rows r;
	size_t i;
	int rc = 0;

	if (bulk_args(argc, argv, &file, &dir, &topic, usage) != 0)
		return 2;
	if (read_rows(file, &r) != 0)
		return 1;
	if ((dir != NULL && check_exports(dir, &r) != 0) ||
	    cli_socket_path(g, path, sizeof(path)) != 0) {
		rows_free(&r);
		return 1;
	}
	for (i = 0; i < r.n && rc == 0; i++) {
		rc = add_one(g, path, &r.v[i], dir);
		if (rc == 0 && topic != NULL)
			rc = link_one(g, path, r.v[i].name, topic);
		if (rc != 0)
			fprintf(stderr, "e4c2: %s:%ld: device '%s' not imported%s; %zu of %zu devices"
			        " imported before it\n", file, r.line[i], r.v[i].name,
			        topic != NULL ? " or not linked" : "", i, r.n);
		else
			progress(g, "import", r.v[i].name, i + 1, r.n);
	}
	rows_free(&r);
	return rc;
}

int cli_link_many(const struct globals *g, int argc, char **argv)
{
	static const char usage[] = "e4c2 link-many TOPIC FILE";
	const char *file = NULL, *topic;
	char path[C2_PATH_MAX];
	struct rows r;
	size_t i;
	int rc = 0;

	if (argc < 1 || argv[0][0] == '-') {
		fprintf(stderr, "e4c2: missing TOPIC\nusage: %s\n", usage);
		return 2;
	}
	topic = argv[0];
	if (bulk_args(argc - 1, argv + 1, &file, NULL, NULL, usage) != 0)
		return 2;
	if (read_rows(file, &r) != 0)
		return 1;
	if (cli_socket_path(g, path, sizeof(path)) != 0) {
		rows_free(&r);
		return 1;
	}
	for (i = 0; i < r.n && rc == 0; i++) {
		rc = link_one(g, path, r.v[i].name, topic);
		if (rc != 0)
			fprintf(stderr, "e4c2: %s:%ld: device '%s' not linked; %zu of %zu devices linked"
			        " before it\n", file, r.line[i], r.v[i].name, i, r.n);
		else
			progress(g, "link", r.v[i].name, i + 1, r.n);
	}
	rows_free(&r);
	return rc;
}
