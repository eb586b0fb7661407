/*
 * stats.c - counters of frames passed and refusals by reason and by
 * protect filter, reported by getStatistics.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "e4plugin.h"

static const char *const reason_names[E4PLUGIN_R_COUNT] = {
	[E4PLUGIN_R_TOO_SHORT] = "tooShort",
	[E4PLUGIN_R_TOO_OLD] = "tooOld",
	[E4PLUGIN_R_IN_FUTURE] = "inFuture",
	[E4PLUGIN_R_REPLAY] = "replay",
	[E4PLUGIN_R_WRONG_SENDER] = "wrongSender",
	[E4PLUGIN_R_BAD_SIGNATURE] = "badSignature",
	[E4PLUGIN_R_NO_IDENTITY] = "noIdentity",
	[E4PLUGIN_R_CONTROL_PUBLISH] = "controlPublish",
	[E4PLUGIN_R_CONTROL_READ] = "controlRead",
	[E4PLUGIN_R_CONTROL_SUBSCRIBE] = "controlSubscribe",
	[E4PLUGIN_R_ACK_PUBLISH] = "ackPublish",
	[E4PLUGIN_R_ACK_READ] = "ackRead",
	[E4PLUGIN_R_MANAGEMENT] = "managementAccess",
};

const char *e4plugin_reason_name(int reason)
{
	if (reason <= E4PLUGIN_R_OK || reason >= E4PLUGIN_R_COUNT)
		return "unknown";
	return reason_names[reason];
}

int e4plugin_stats_init(struct e4plugin_stats *s, size_t filters, time_t now)
{
	memset(s, 0, sizeof(*s));
	s->filter_passed = calloc(filters + 1, sizeof(uint64_t));
	s->filter_refused = calloc(filters + 1, sizeof(uint64_t));
	s->started = now;
	if (s->filter_passed == NULL || s->filter_refused == NULL) {
		e4plugin_stats_free(s);
		return -1;
	}
	return 0;
}

void e4plugin_stats_free(struct e4plugin_stats *s)
{
	free(s->filter_passed);
	free(s->filter_refused);
	memset(s, 0, sizeof(*s));
}

void e4plugin_stats_pass(struct e4plugin *p, int f)
{
	p->stats.passed++;
	if (f >= 0 && (size_t)f < p->conf.protect_len)
		p->stats.filter_passed[f]++;
}

void e4plugin_stats_refuse(struct e4plugin *p, int reason, int f)
{
	if (reason > E4PLUGIN_R_OK && reason < E4PLUGIN_R_COUNT)
		p->stats.refused[reason]++;
	if (f >= 0 && (size_t)f < p->conf.protect_len)
		p->stats.filter_refused[f]++;
}

/* Adds the per-filter array to obj. */
static int add_filters(struct e4plugin *p, cJSON *obj)
{
	cJSON *arr = cJSON_AddArrayToObject(obj, "filters");
	size_t i;

	if (arr == NULL)
		return -1;
	for (i = 0; i < p->conf.protect_len; i++) {
		cJSON *f = cJSON_CreateObject();

		if (f == NULL)
			return -1;
		cJSON_AddItemToArray(arr, f);
		if (cJSON_AddStringToObject(f, "filter", p->conf.protect[i]) == NULL ||
		    cJSON_AddNumberToObject(f, "passed", (double)p->stats.filter_passed[i]) == NULL ||
		    cJSON_AddNumberToObject(f, "refused", (double)p->stats.filter_refused[i]) == NULL)
			return -1;
	}
	return 0;
}

cJSON *e4plugin_stats_json(struct e4plugin *p)
{
	cJSON *o = cJSON_CreateObject(), *r;
	uint64_t total = 0;
	size_t online = 0, i;
	int k;

	if (o == NULL)
		return NULL;
	r = cJSON_AddObjectToObject(o, "refused");
	for (k = E4PLUGIN_R_OK + 1; r != NULL && k < E4PLUGIN_R_COUNT; k++) {
		total += p->stats.refused[k];
		if (cJSON_AddNumberToObject(r, reason_names[k], (double)p->stats.refused[k]) == NULL)
			r = NULL;
	}
	for (i = 0; i < p->devices.cap; i++)
		online += p->devices.slots[i].used && p->devices.slots[i].online > 0;
	if (r == NULL || add_filters(p, o) != 0 ||
	    cJSON_AddStringToObject(o, "mode", p->mode == E4_MODE_PUBKEY ? "pubkey" : "symkey") == NULL ||
	    cJSON_AddNumberToObject(o, "framesPassed", (double)p->stats.passed) == NULL ||
	    cJSON_AddNumberToObject(o, "refusedTotal", (double)total) == NULL ||
	    cJSON_AddNumberToObject(o, "devices", (double)p->devices.len) == NULL ||
	    cJSON_AddNumberToObject(o, "online", (double)online) == NULL ||
	    cJSON_AddNumberToObject(o, "replayCacheEntries",
	                            (double)p->replay.cap) == NULL ||
	    cJSON_AddNumberToObject(o, "uptime", (double)(p->now() - p->stats.started)) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}
