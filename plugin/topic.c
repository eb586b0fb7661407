/*
 * topic.c - MQTT filter matching and the E4 topic namespace (e4/<id>,
 * e4/<id>/ack, $CONTROL/e4/...).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "e4plugin.h"

int e4plugin_topic_matches(const char *filter, const char *topic)
{
	const char *f = filter, *t = topic;

	if (filter == NULL || topic == NULL)
		return 0;
	/* Topics beginning with '$' are not matched by a leading wildcard. */
	if (*t == '$' && (*f == '+' || *f == '#'))
		return 0;
	for (;;) {
		if (*f == '#')
			return f[1] == '\0';
		if (*f == '+') {
			while (*t != '\0' && *t != '/')
				t++;
			f++;
		} else {
			while (*f != '\0' && *f != '/' && *f == *t) {
				f++;
				t++;
			}
			if ((*f != '\0' && *f != '/') || (*t != '\0' && *t != '/'))
				return 0;
		}
		if (*f == '\0' || *t == '\0')
			break;
		/* Both at a '/'. */
		f++;
		t++;
	}
	if (*f == '\0' && *t == '\0')
		return 1;
	/* "a/#" also matches "a". */
	return *t == '\0' && strcmp(f, "/#") == 0;
}

int e4plugin_filter_valid(const char *filter)
{
	const char *s;

	if (filter == NULL || *filter == '\0' || strlen(filter) > E4_TOPIC_MAX)
		return -1;
	for (s = filter; *s != '\0'; s++) {
		int start = s == filter || s[-1] == '/';
		int end = s[1] == '\0' || s[1] == '/';

		if (*s == '+' && !(start && end))
			return -1;
		if (*s == '#' && !(start && s[1] == '\0'))
			return -1;
	}
	return 0;
}

/* Decodes the 32 hex characters at s into id (0) or returns -1. */
static int hex_id(const char *s, uint8_t id[E4_ID_LEN])
{
	char buf[2 * E4_ID_LEN + 1];
	size_t i;

	for (i = 0; i < 2 * E4_ID_LEN; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return -1;
		buf[i] = c;
	}
	buf[i] = '\0';
	return e4_hex_decode(id, E4_ID_LEN, buf) == 0 ? 0 : -1;
}

enum e4plugin_topic_kind e4plugin_topic_kind(const char *topic, uint8_t id[E4_ID_LEN])
{
	/* Most topics are data topics: one look at the first byte settles them. */
	if (topic[0] != '$' && topic[0] != 'e')
		return E4PLUGIN_T_DATA;
	if (strncmp(topic, E4PLUGIN_MGMT_PREFIX, sizeof(E4PLUGIN_MGMT_PREFIX) - 1) == 0 ||
	    strcmp(topic, "$CONTROL/e4") == 0)
		return E4PLUGIN_T_MGMT;
	if (strncmp(topic, "e4/", 3) != 0)
		return strcmp(topic, "e4") == 0 ? E4PLUGIN_T_E4_OTHER : E4PLUGIN_T_DATA;
	if (strlen(topic + 3) < 2 * E4_ID_LEN || hex_id(topic + 3, id) != 0)
		return E4PLUGIN_T_E4_OTHER;
	if (topic[3 + 2 * E4_ID_LEN] == '\0')
		return E4PLUGIN_T_CONTROL;
	if (strcmp(topic + 3 + 2 * E4_ID_LEN, "/ack") == 0)
		return E4PLUGIN_T_ACK;
	return E4PLUGIN_T_E4_OTHER;
}

void e4plugin_filter_prepare(struct e4plugin_filter *f, const char *filter)
{
	size_t wild = strcspn(filter, "+#");

	f->text = filter;
	f->len = strlen(filter);
	if (wild == f->len) {
		f->form = E4PLUGIN_F_LITERAL;
		f->lit = f->len;
	} else if (f->len == 1 && filter[0] == '#') {
		f->form = E4PLUGIN_F_ALL;
		f->lit = 0;
	} else if (wild + 1 == f->len && filter[wild] == '#' && wild > 0 && filter[wild - 1] == '/') {
		/* "P/#": P itself matches too, so the '/' is not in the prefix. */
		f->form = E4PLUGIN_F_SUBTREE;
		f->lit = wild - 1;
	} else {
		/* "a/+/b" and "a/#" both match topics beginning "a", and only those. */
		f->form = E4PLUGIN_F_GENERAL;
		f->lit = wild > 0 ? wild - 1 : 0;
	}
	f->head = 0;
	f->head_mask = 0;
	memcpy(&f->head, filter, f->lit < 8 ? f->lit : 8);
	memset(&f->head_mask, 0xff, f->lit < 8 ? f->lit : 8);
}

/* 1 when the topic (topic_len >= f->lit bytes) begins with f's literal prefix. */
static int has_prefix(const struct e4plugin_filter *f, const char *topic, size_t topic_len)
{
	uint64_t w;

	/* Most topics differ from a filter in their first 8 bytes: one load decides. */
	if (topic_len < 8)
		return memcmp(topic, f->text, f->lit) == 0;
	memcpy(&w, topic, 8);
	if (((w ^ f->head) & f->head_mask) != 0)
		return 0;
	return f->lit <= 8 || memcmp(topic + 8, f->text + 8, f->lit - 8) == 0;
}

int e4plugin_filter_match(const struct e4plugin_filter *f, const char *topic, size_t topic_len)
{
	if (topic_len < f->lit || !has_prefix(f, topic, topic_len))
		return 0;
	switch (f->form) {
	case E4PLUGIN_F_LITERAL:
		return topic_len == f->len;
	case E4PLUGIN_F_SUBTREE:
		return topic[f->lit] == '\0' || topic[f->lit] == '/';
	case E4PLUGIN_F_ALL:
		return topic[0] != '$';
	default:
		return e4plugin_topic_matches(f->text, topic);
	}
}

int e4plugin_protected(const struct e4plugin *p, const char *topic, size_t topic_len)
{
	size_t i;

	for (i = 0; i < p->conf.protect_len; i++)
		if (e4plugin_filter_match(&p->filters[i], topic, topic_len))
			return (int)i;
	return -1;
}
