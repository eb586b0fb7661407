/*
 * options.c - the plugin_opt_* table: parsing, defaults, bounds and help.
 *
 * The same table is printed by the option dump used to check the man page,
 * so a new option cannot go undocumented.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e4plugin.h"

static const char *const mode_choices[] = { "symkey", "pubkey", NULL };
static const char *const identity_choices[] = { "clientid", "username", NULL };
static const char *const acl_choices[] = { "authoritative", "defer", NULL };

#define OFF(f) offsetof(struct e4plugin_conf, f)

const struct e4plugin_option e4plugin_options[] = {
	{ "protect", E4PLUGIN_OPT_FILTERS, NULL, 0, 0, NULL, OFF(protect),
	  "comma-separated topic filters whose messages must be E4 frames" },
	{ "c2_username", E4PLUGIN_OPT_STRING, NULL, 0, 0, NULL, OFF(c2_username),
	  "MQTT username of the C2: the only client allowed to send commands" },
	{ "mode", E4PLUGIN_OPT_CHOICE, "symkey", 0, 0, mode_choices, OFF(mode),
	  "E4 mode of the deployment: symkey or pubkey" },
	{ "max_age", E4PLUGIN_OPT_UINT, "600", 1, 86400, NULL, OFF(max_age),
	  "seconds a frame stays acceptable after its timestamp" },
	{ "max_skew", E4PLUGIN_OPT_UINT, "60", 0, 3600, NULL, OFF(max_skew),
	  "seconds a frame timestamp may be ahead of the broker clock" },
	{ "identity", E4PLUGIN_OPT_CHOICE, "clientid", 0, 0, identity_choices, OFF(identity),
	  "where a client's E4 id comes from: clientid or username" },
	{ "acl", E4PLUGIN_OPT_CHOICE, "authoritative", 0, 0, acl_choices, OFF(acl),
	  "authoritative: allow what E4 policy allows; defer: leave it to other ACLs" },
	{ "state_file", E4PLUGIN_OPT_STRING, "", 0, 0, NULL, OFF(state_file),
	  "JSON file keeping the device public keys set by the C2 (empty: memory only)" },
	{ "replay_cache", E4PLUGIN_OPT_UINT, "16384", 64, 16777216, NULL, OFF(replay_cache),
	  "frames remembered for replay detection" },
	{ "verify_signatures", E4PLUGIN_OPT_BOOL, "true", 0, 1, NULL, OFF(verify_signatures),
	  "pubkey mode: verify Ed25519 signatures of senders with a known key" },
};
const size_t e4plugin_options_len = sizeof(e4plugin_options) / sizeof(e4plugin_options[0]);

int e4plugin_fail(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	return -1;
}

/* Splits a comma-separated filter list into conf->protect. */
static int parse_filters(struct e4plugin_conf *c, const char *v, char *err, size_t cap)
{
	const char *s = v;
	size_t n = 1, i = 0;

	for (; *s != '\0'; s++)
		n += *s == ',';
	c->protect = calloc(n, sizeof(char *));
	if (c->protect == NULL)
		return e4plugin_fail(err, cap, "out of memory");
	for (s = v; i < n; i++) {
		const char *end = strchr(s, ',');
		size_t len = end != NULL ? (size_t)(end - s) : strlen(s);

		while (len > 0 && (*s == ' ' || *s == '\t')) {
			s++;
			len--;
		}
		while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		c->protect[i] = strndup(s, len);
		if (c->protect[i] == NULL)
			return e4plugin_fail(err, cap, "out of memory");
		c->protect_len = i + 1;
		if (len == 0 || e4plugin_filter_valid(c->protect[i]) != 0)
			return e4plugin_fail(err, cap, "plugin_opt_protect: invalid topic filter \"%s\"",
			            c->protect[i]);
		if (end != NULL)
			s = end + 1;
	}
	return 0;
}

/* Parses an unsigned decimal within the option's bounds. */
static int parse_uint(const struct e4plugin_option *o, const char *v, unsigned *out,
                      char *err, size_t cap)
{
	char *end = NULL;
	unsigned long x;

	if (*v < '0' || *v > '9')
		return e4plugin_fail(err, cap, "plugin_opt_%s: \"%s\" is not a number", o->name, v);
	errno = 0;
	x = strtoul(v, &end, 10);
	if (errno != 0 || *end != '\0' || x < o->min || x > o->max)
		return e4plugin_fail(err, cap, "plugin_opt_%s: \"%s\" is not a number in [%u, %u]",
		            o->name, v, o->min, o->max);
	*out = (unsigned)x;
	return 0;
}

/* Parses one value of option o into conf. */
static int parse_value(struct e4plugin_conf *c, const struct e4plugin_option *o,
                       const char *v, char *err, size_t cap)
{
	void *field = (char *)c + o->offset;
	size_t i;

	switch (o->type) {
	case E4PLUGIN_OPT_FILTERS:
		return parse_filters(c, v, err, cap);
	case E4PLUGIN_OPT_STRING:
		if (o->def == NULL && *v == '\0')
			return e4plugin_fail(err, cap, "plugin_opt_%s: empty value", o->name);
		*(char **)field = strdup(v);
		return *(char **)field != NULL ? 0 : e4plugin_fail(err, cap, "out of memory");
	case E4PLUGIN_OPT_CHOICE:
		for (i = 0; o->choices[i] != NULL; i++)
			if (strcmp(o->choices[i], v) == 0) {
				*(unsigned *)field = (unsigned)i;
				return 0;
			}
		return e4plugin_fail(err, cap, "plugin_opt_%s: unknown value \"%s\"", o->name, v);
	case E4PLUGIN_OPT_UINT:
		return parse_uint(o, v, field, err, cap);
	case E4PLUGIN_OPT_BOOL:
		if (strcmp(v, "true") == 0 || strcmp(v, "on") == 0 || strcmp(v, "1") == 0)
			*(unsigned *)field = 1;
		else if (strcmp(v, "false") == 0 || strcmp(v, "off") == 0 || strcmp(v, "0") == 0)
			*(unsigned *)field = 0;
		else
			return e4plugin_fail(err, cap, "plugin_opt_%s: \"%s\" is not true or false", o->name, v);
		return 0;
	}
	return e4plugin_fail(err, cap, "plugin_opt_%s: bad option type", o->name);
}

/* Index of the option called name, or -1. */
static int option_index(const char *name)
{
	size_t i;

	for (i = 0; i < e4plugin_options_len; i++)
		if (strcmp(e4plugin_options[i].name, name) == 0)
			return (int)i;
	return -1;
}

int e4plugin_options_parse(struct e4plugin_conf *conf, const struct mosquitto_opt *opts,
                           int count, char *err, size_t err_cap)
{
	const char *given[sizeof(e4plugin_options) / sizeof(e4plugin_options[0])] = { NULL };
	size_t i;
	int k;

	memset(conf, 0, sizeof(*conf));
	for (k = 0; k < count; k++) {
		int idx = opts[k].key != NULL ? option_index(opts[k].key) : -1;

		if (idx < 0)
			return e4plugin_fail(err, err_cap, "unknown option plugin_opt_%s",
			            opts[k].key != NULL ? opts[k].key : "(null)");
		if (given[idx] != NULL)
			return e4plugin_fail(err, err_cap, "plugin_opt_%s given twice", opts[k].key);
		given[idx] = opts[k].value != NULL ? opts[k].value : "";
	}
	for (i = 0; i < e4plugin_options_len; i++) {
		const struct e4plugin_option *o = &e4plugin_options[i];
		const char *v = given[i] != NULL ? given[i] : o->def;

		if (v == NULL) {
			e4plugin_options_free(conf);
			return e4plugin_fail(err, err_cap, "plugin_opt_%s is required (%s)", o->name, o->help);
		}
		if (parse_value(conf, o, v, err, err_cap) != 0) {
			e4plugin_options_free(conf);
			return -1;
		}
	}
	return 0;
}

void e4plugin_options_free(struct e4plugin_conf *conf)
{
	size_t i;

	for (i = 0; i < conf->protect_len; i++)
		free(conf->protect[i]);
	free(conf->protect);
	free(conf->c2_username);
	free(conf->state_file);
	memset(conf, 0, sizeof(*conf));
}
