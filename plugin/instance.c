/*
 * instance.c - creation and release of the per-instance `struct e4plugin`.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e4plugin.h"

/* The broker's wall clock. */
static time_t wall_clock(void)
{
	return time(NULL);
}

struct e4plugin *e4plugin_new(const struct mosquitto_opt *opts, int count, char *err,
                              size_t err_cap)
{
	struct e4plugin *p = calloc(1, sizeof(*p));
	size_t i;

	if (p == NULL) {
		snprintf(err, err_cap, "out of memory");
		return NULL;
	}
	p->now = wall_clock;
	if (e4plugin_options_parse(&p->conf, opts, count, err, err_cap) != 0) {
		free(p);
		return NULL;
	}
	p->mode = p->conf.mode == 1 ? E4_MODE_PUBKEY : E4_MODE_SYMKEY;
	p->filters = calloc(p->conf.protect_len > 0 ? p->conf.protect_len : 1, sizeof(*p->filters));
	if (p->filters == NULL ||
	    e4plugin_replay_init(&p->replay, p->conf.replay_cache) != 0 ||
	    e4plugin_devices_init(&p->devices) != 0 ||
	    e4plugin_presence_init(&p->presence) != 0 ||
	    e4plugin_stats_init(&p->stats, p->conf.protect_len, p->now()) != 0) {
		snprintf(err, err_cap, "out of memory");
		e4plugin_free(p);
		return NULL;
	}
	for (i = 0; i < p->conf.protect_len; i++)
		e4plugin_filter_prepare(&p->filters[i], p->conf.protect[i]);
	if (e4plugin_state_load(p, err, err_cap) != 0) {
		e4plugin_free(p);
		return NULL;
	}
	return p;
}

void e4plugin_free(struct e4plugin *p)
{
	if (p == NULL)
		return;
	e4plugin_replay_free(&p->replay);
	e4plugin_devices_free(&p->devices);
	e4plugin_presence_free(&p->presence);
	e4plugin_stats_free(&p->stats);
	free(p->filters);
	e4plugin_options_free(&p->conf);
	free(p);
}
