/*
 * brokerconf.c - refuses broker configurations under which the plugin's
 * rules cannot hold (mosquitto 2.0.11 gives the plugin no way to see
 * them):
 *
 *   - mount_point: every topic the plugin sees from that listener's
 *     clients carries the prefix, so e4/<id> there escapes the control
 *     channel rules and protect filters miss the mounted topics;
 *   - per_listener_settings true: one plugin instance per listener, each
 *     with its own replay cache, device keys and presence, and bridged
 *     messages skip the MESSAGE event (bridged plaintext is unchecked).
 *
 * The broker's own configuration file (its -c argument, read from
 * /proc/self/cmdline, with include_dir followed) is read once at load.
 * A file named there that cannot be read is a refusal too (fail closed).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e4plugin.h"

#define CONF_DEPTH_MAX 4

static int check_file(const char *path, int depth, char *err, size_t cap);

/* Compares directory entry names for qsort. */
static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Checks every *.conf file of an include_dir. */
static int check_dir(const char *dir, int depth, char *err, size_t cap)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL, path[4096];
	size_t n = 0, i;
	int rc = 0;

	if (d == NULL)
		return e4plugin_fail(err, cap, "cannot read include_dir %s: %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		char **v;

		if (len < 6 || strcmp(e->d_name + len - 5, ".conf") != 0)
			continue;
		v = realloc(names, (n + 1) * sizeof(*names));
		if (v == NULL || (v[n] = strdup(e->d_name)) == NULL) {
			names = v != NULL ? v : names;
			rc = e4plugin_fail(err, cap, "out of memory");
			break;
		}
		names = v;
		n++;
	}
	closedir(d);
	if (rc == 0 && names != NULL)
		qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++) {
		if (rc == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			rc = check_file(path, depth + 1, err, cap);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

/* Checks one configuration line (key and value split on blanks). */
static int check_line(char *line, const char *path, unsigned no, int depth, char *err, size_t cap)
{
	char *key = line, *val, *end;

	while (isspace((unsigned char)*key))
		key++;
	if (*key == '#' || *key == '\0')
		return 0;
	for (val = key; *val != '\0' && !isspace((unsigned char)*val); val++)
		;
	if (*val != '\0')
		*val++ = '\0';
	while (isspace((unsigned char)*val))
		val++;
	for (end = val + strlen(val); end > val && isspace((unsigned char)end[-1]); end--)
		*(end - 1) = '\0';
	if (strcmp(key, "mount_point") == 0)
		return e4plugin_fail(err, cap, "mount_point at %s:%u: the plugin would see that listener's "
		                     "topics under the prefix, where the control channel rules and the "
		                     "protect filters do not apply (see mosquitto-e4(7) CAVEATS)", path, no);
	if (strcmp(key, "per_listener_settings") == 0 && strcmp(val, "true") == 0)
		return e4plugin_fail(err, cap, "per_listener_settings true at %s:%u: each listener would get "
		                     "its own replay cache and device keys, and bridged messages would skip "
		                     "the checks (see mosquitto-e4(7) CAVEATS)", path, no);
	if (strcmp(key, "include_dir") == 0 && *val != '\0')
		return check_dir(val, depth, err, cap);
	return 0;
}

/* Checks one configuration file and what it includes. */
static int check_file(const char *path, int depth, char *err, size_t cap)
{
	char line[4096];
	unsigned no = 0;
	FILE *f;
	int rc = 0;

	if (depth > CONF_DEPTH_MAX)
		return e4plugin_fail(err, cap, "include_dir nested too deep at %s", path);
	f = fopen(path, "r");
	if (f == NULL)
		return e4plugin_fail(err, cap, "cannot read the broker configuration %s to check it: %s",
		                     path, strerror(errno));
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		no++;
		rc = check_line(line, path, no, depth, err, cap);
	}
	fclose(f);
	return rc;
}

int e4plugin_brokerconf_check(const char *cmdline_path, char *err, size_t cap)
{
	char buf[8192], *arg, *end;
	size_t n;
	FILE *f = fopen(cmdline_path, "rb");

	if (f == NULL)
		return e4plugin_fail(err, cap, "cannot read %s to find the broker configuration: %s",
		                     cmdline_path, strerror(errno));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	end = buf + n;
	/* Arguments are NUL-separated; the broker takes its file from -c or --config-file. */
	for (arg = buf; arg < end; arg += strlen(arg) + 1)
		if ((strcmp(arg, "-c") == 0 || strcmp(arg, "--config-file") == 0) &&
		    arg + strlen(arg) + 1 < end)
			return check_file(arg + strlen(arg) + 1, 0, err, cap);
	return 0;
}
