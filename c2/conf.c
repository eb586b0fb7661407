/*
 * conf.c - the e4c2d.conf parser: "name value" lines, '#' comments, blank
 * lines; every malformed line is refused with its line number.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "c2.h"

#define LINE_MAX_LEN 4096

/* Trims spaces and tabs at both ends of s in place. */
static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Parses one line (already NUL-terminated) into conf. */
static int parse_line(struct c2_conf *conf, char *line, char *err, size_t cap)
{
	const struct c2_option *o;
	char *name, *value, *sp;
	size_t i;

	for (i = 0; line[i] != '\0'; i++)
		if ((unsigned char)line[i] < 0x20 && line[i] != '\t' && line[i] != '\r') {
			snprintf(err, cap, "control character in line");
			return -1;
		}
	name = trim(line);
	if (*name == '\0' || *name == '#')
		return 0;
	sp = name + strcspn(name, " \t");
	if (*sp == '\0') {
		snprintf(err, cap, "option without a value");
		return -1;
	}
	*sp = '\0';
	value = trim(sp + 1);
	if (value[0] == '"' && strlen(value) >= 2 && value[strlen(value) - 1] == '"') {
		value[strlen(value) - 1] = '\0';
		value++;
	}
	o = c2_option_find(name);
	if (o == NULL) {
		char esc[64];

		c2_json_escape(esc, sizeof(esc), name);
		snprintf(err, cap, "unknown option '%s'", esc);
		return -1;
	}
	return c2_option_set(conf, o, value, err, cap);
}

int c2_conf_parse(struct c2_conf *conf, const char *text, size_t len, char *err, size_t cap)
{
	struct c2_conf tmp = *conf;
	char line[LINE_MAX_LEN], msg[C2_ERR_MAX];
	size_t pos = 0, n;
	long lineno = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);

		n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		lineno++;
		if (n >= sizeof(line)) {
			snprintf(err, cap, "%ld: line too long", lineno);
			return -1;
		}
		if (memchr(text + pos, '\0', n) != NULL) {
			snprintf(err, cap, "%ld: NUL byte in line", lineno);
			return -1;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + (nl != NULL);
		if (parse_line(&tmp, line, msg, sizeof(msg)) != 0) {
			snprintf(err, cap, "%ld: %s", lineno, msg);
			return -1;
		}
	}
	*conf = tmp;
	return 0;
}

int c2_conf_load(struct c2_conf *conf, const char *path, char *err, size_t cap)
{
	char *buf = NULL, msg[C2_ERR_MAX];
	size_t len = 0, bcap = 0, n;
	FILE *f = fopen(path, "r");
	int rc;

	if (f == NULL) {
		snprintf(err, cap, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (len + 4096 > bcap) {
			char *nb = bcap > (1u << 20) ? NULL : realloc(buf, bcap + 8192);

			if (nb == NULL) {
				free(buf);
				fclose(f);
				snprintf(err, cap, "%s: file too large", path);
				return -1;
			}
			buf = nb;
			bcap += 8192;
		}
		n = fread(buf + len, 1, bcap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	rc = c2_conf_parse(conf, buf != NULL ? buf : "", len, msg, sizeof(msg));
	if (rc != 0)
		snprintf(err, cap, "%s:%s", path, msg);
	free(buf);
	return rc;
}

void c2_conf_dump(const struct c2_conf *conf, FILE *out)
{
	const struct c2_option *o;
	char v[C2_PATH_MAX];

	for (o = c2_options; o->name != NULL; o++) {
		c2_option_format(conf, o, v, sizeof(v));
		fprintf(out, v[0] != '\0' ? "%s %s\n" : "%s \"%s\"\n", o->name, v);
	}
}
