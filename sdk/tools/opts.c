/*
 * opts.c - the options table of each subcommand drives parsing and the
 * generated --help; values are checked with specific messages.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

void tool_err(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Prints one option line of the help. */
static void help_opt(const struct tool_opt *o)
{
	char left[64];

	if (o->shortname != 0)
		snprintf(left, sizeof(left), "-%c, --%s%s%s", o->shortname, o->name,
		         o->argname ? " " : "", o->argname ? o->argname : "");
	else
		snprintf(left, sizeof(left), "    --%s%s%s", o->name,
		         o->argname ? " " : "", o->argname ? o->argname : "");
	printf("  %-28s %s\n", left, o->help);
}

/* Prints the mosquitto options the command refuses (see struct tool_refused). */
static void help_refused(const struct tool_cmd *cmd)
{
	const struct tool_refused *t;
	const char *sep = "";

	for (t = tool_refused; t->cmd != NULL; t++) {
		if (strcmp(t->cmd, cmd->name) != 0)
			continue;
		printf("%s", sep[0] == '\0' ? "not supported (mosquitto options, see e4(1)):\n " : sep);
		if (t->shortname != 0)
			printf(" -%c%s", t->shortname, t->name != NULL ? "," : "");
		if (t->name != NULL)
			printf(" --%s", t->name);
		printf(" (%s)", t->what);
		sep = "\n ";
	}
	if (sep[0] != '\0')
		printf("\n");
}

void tool_help(const struct tool_cmd *cmd)
{
	size_t i;

	printf("usage: e4 %s%s%s%s\n%s\n", cmd->name, cmd->nopts ? " [options]" : "",
	       cmd->operands[0] ? " " : "", cmd->operands, cmd->summary);
	if (cmd->nopts > 0)
		printf("options:\n");
	for (i = 0; i < cmd->nopts; i++)
		help_opt(&cmd->opts[i]);
	printf("  %-28s %s\n", "-?, --help", "print this help and exit");
	help_refused(cmd);
}

/* Refuses a mosquitto option the command does not support; 0 when arg is not one. */
static int refused(const char *prog, const struct tool_cmd *cmd, const char *arg, size_t len)
{
	const struct tool_refused *t;
	int is_long = arg[1] == '-';

	for (t = tool_refused; t->cmd != NULL; t++) {
		if (strcmp(t->cmd, cmd->name) != 0)
			continue;
		if ((is_long && t->name != NULL && strlen(t->name) == len &&
		     strncmp(t->name, arg + 2, len) == 0) || (!is_long && t->shortname == arg[1])) {
			tool_err(prog, "option %.*s of mosquitto_%s (%s) is not supported by e4 %s"
			         " (see e4(1), DIFFERENCES FROM MOSQUITTO)", (int)(len + 1 + is_long), arg,
			         cmd->name, t->what, cmd->name);
			return 1;
		}
	}
	return 0;
}

/* Finds a long option by name (up to len characters); -1 when unknown. */
static int find_long(const struct tool_cmd *cmd, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < cmd->nopts; i++)
		if (strlen(cmd->opts[i].name) == len && strncmp(cmd->opts[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

/* Finds a short option; -1 when unknown. */
static int find_short(const struct tool_cmd *cmd, char c)
{
	size_t i;

	for (i = 0; i < cmd->nopts; i++)
		if (cmd->opts[i].shortname == c)
			return (int)i;
	return -1;
}

/* Records one option; takes its argument from inline or the next argv. */
static int take(const char *prog, const struct tool_cmd *cmd, struct tool_args *a, int idx,
                const char *shown, const char *inl, int *i, int argc, char **argv)
{
	const struct tool_opt *o = &cmd->opts[idx];
	const char *v = "";

	if (o->argname == NULL && inl != NULL) {
		tool_err(prog, "option %s takes no argument", shown);
		return TOOL_USAGE;
	}
	if (o->argname != NULL) {
		if (inl != NULL) {
			v = inl;
		} else if (*i + 1 < argc) {
			v = argv[++*i];
		} else {
			tool_err(prog, "option %s needs an argument (%s)", shown, o->argname);
			return TOOL_USAGE;
		}
	}
	a->which[a->n] = idx;
	a->value[a->n] = v;
	a->n++;
	return TOOL_OK;
}

/* Parses one argument that starts with '-'. */
static int parse_one(const char *prog, const struct tool_cmd *cmd, struct tool_args *a,
                     int *i, int argc, char **argv)
{
	const char *arg = argv[*i];
	char shown[3] = { '-', 0, 0 };
	int idx;

	if (arg[1] == '-') {
		const char *eq = strchr(arg + 2, '=');
		size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);

		idx = find_long(cmd, arg + 2, len);
		if (idx < 0 && refused(prog, cmd, arg, len))
			return TOOL_USAGE;
		if (idx < 0) {
			tool_err(prog, "unknown option --%.*s (see e4 %s --help)", (int)len, arg + 2,
			         cmd->name);
			return TOOL_USAGE;
		}
		char name[64];

		snprintf(name, sizeof(name), "--%s", cmd->opts[idx].name);
		return take(prog, cmd, a, idx, name, eq ? eq + 1 : NULL, i, argc, argv);
	}
	idx = find_short(cmd, arg[1]);
	if (idx < 0 && refused(prog, cmd, arg, 1))
		return TOOL_USAGE;
	shown[1] = arg[1];
	if (idx < 0 || (arg[2] != '\0' && cmd->opts[idx].argname == NULL)) {
		tool_err(prog, "unknown option %s (see e4 %s --help)", arg, cmd->name);
		return TOOL_USAGE;
	}
	return take(prog, cmd, a, idx, shown, arg[2] ? arg + 2 : NULL, i, argc, argv);
}

int tool_parse(const char *prog, const struct tool_cmd *cmd, int argc, char **argv,
               struct tool_args *a)
{
	int i, rc, only_pos = 0;

	memset(a, 0, sizeof(*a));
	a->opts = cmd->opts;
	a->nopts = cmd->nopts;
	a->which = calloc((size_t)argc + 1, sizeof(*a->which));
	a->value = calloc((size_t)argc + 1, sizeof(*a->value));
	a->pos = calloc((size_t)argc + 1, sizeof(*a->pos));
	if (a->which == NULL || a->value == NULL || a->pos == NULL) {
		tool_err(prog, "out of memory");
		return TOOL_FAIL;
	}
	for (i = 0; i < argc; i++) {
		const char *arg = argv[i];

		if (!only_pos && strcmp(arg, "--") == 0) {
			only_pos = 1;
		} else if (!only_pos && arg[0] == '-' && arg[1] != '\0') {
			rc = parse_one(prog, cmd, a, &i, argc, argv);
			if (rc != TOOL_OK)
				return rc;
		} else {
			a->pos[a->npos++] = argv[i];
		}
	}
	if (a->npos < cmd->min_pos || a->npos > cmd->max_pos) {
		if (a->npos < cmd->min_pos)
			tool_err(prog, "missing operand %s (usage: e4 %s [options] %s)", cmd->operands,
			         cmd->name, cmd->operands);
		else
			tool_err(prog, "unexpected operand '%s' (usage: e4 %s%s%s)",
			         a->pos[cmd->max_pos], cmd->name, cmd->nopts ? " [options] " : " ",
			         cmd->operands);
		return TOOL_USAGE;
	}
	return TOOL_OK;
}

void tool_args_free(struct tool_args *a)
{
	free(a->which);
	free(a->value);
	free(a->pos);
	memset(a, 0, sizeof(*a));
}

const char *tool_get(const struct tool_args *a, size_t idx)
{
	const char *v = NULL;
	int i;

	for (i = 0; i < a->n; i++)
		if (a->which[i] == (int)idx)
			v = a->value[i];
	return v;
}

int tool_has(const struct tool_args *a, size_t idx)
{
	return tool_get(a, idx) != NULL;
}

const char *tool_nth(const struct tool_args *a, size_t idx, int k)
{
	int i;

	for (i = 0; i < a->n; i++)
		if (a->which[i] == (int)idx && k-- == 0)
			return a->value[i];
	return NULL;
}

int tool_u64(const char *prog, const char *opt, const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (s[0] < '0' || s[0] > '9') {
		tool_err(prog, "%s: expected a non-negative decimal number, got '%s'", opt, s);
		return TOOL_USAGE;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0') {
		tool_err(prog, "%s: %s: '%s'", opt, errno ? "number too large" : "not a decimal number", s);
		return TOOL_USAGE;
	}
	*out = (uint64_t)v;
	return TOOL_OK;
}

int tool_u32(const char *prog, const char *opt, const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v;
	int rc = tool_u64(prog, opt, s, &v);

	if (rc != TOOL_OK)
		return rc;
	if (v > max) {
		tool_err(prog, "%s: %s is larger than %u", opt, s, (unsigned)max);
		return TOOL_USAGE;
	}
	*out = (uint32_t)v;
	return TOOL_OK;
}

/* Value of one hex digit, or -1. */
static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int tool_hex(const char *prog, const char *opt, const char *s, uint8_t *out, size_t len)
{
	size_t n = strlen(s), i;

	if (n != 2 * len) {
		tool_err(prog, "%s: expected %zu hex characters (%zu bytes), got %zu", opt, 2 * len,
		         len, n);
		return TOOL_USAGE;
	}
	for (i = 0; i < len; i++) {
		int hi = hexval((unsigned char)s[2 * i]), lo = hexval((unsigned char)s[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			tool_err(prog, "%s: not hex: bad character at position %zu", opt,
			         hi < 0 ? 2 * i + 1 : 2 * i + 2);
			e4_wipe(out, len);
			return TOOL_USAGE;
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return TOOL_OK;
}

int tool_unhex(const char *prog, const char *what, uint8_t *buf, size_t *len)
{
	size_t start = 0, end = *len, i;

	while (start < end && (buf[start] == ' ' || buf[start] == '\n' || buf[start] == '\r' ||
	                       buf[start] == '\t'))
		start++;
	while (end > start && (buf[end - 1] == ' ' || buf[end - 1] == '\n' ||
	                       buf[end - 1] == '\r' || buf[end - 1] == '\t'))
		end--;
	if ((end - start) % 2 != 0) {
		tool_err(prog, "%s is not hex: odd number of digits (%zu)", what, end - start);
		return TOOL_FAIL;
	}
	for (i = 0; start + 2 * i < end; i++) {
		int hi = hexval(buf[start + 2 * i]), lo = hexval(buf[start + 2 * i + 1]);

		if (hi < 0 || lo < 0) {
			tool_err(prog, "%s is not hex: bad character at position %zu", what,
			         (hi < 0 ? 2 * i + 1 : 2 * i + 2) + start);
			return TOOL_FAIL;
		}
		buf[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = i;
	return TOOL_OK;
}
