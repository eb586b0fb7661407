/*
 * replay.c - the broker's replay cache: the last `cap` distinct frames
 * accepted on protected topics, each with a fingerprint of its publisher.
 *
 * Entries sit in a ring in arrival order and an entry leaves only when
 * `cap` newer distinct frames have arrived: no choice of tags, timestamps
 * or topics makes the cache forget a frame sooner (eviction inside small
 * buckets, as before, let 8 frames aimed at one bucket evict a captured
 * one).  Lookups go through chains hashed under a secret key
 * (e4plugin_mix16).  A
 * chain link is a sequence number; the ring slot it names still holds
 * that entry only while the slot's own sequence number matches, and since
 * links always point to older entries, a walk stops at the first
 * overwritten one: evictions never have to touch the index.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>

#include "e4plugin.h"

/* Rounds n up to a power of two (at least 1). */
static size_t pow2_ceil(size_t n)
{
	size_t p = 1;

	while (p < n && p < ((size_t)1 << 30))
		p <<= 1;
	return p;
}

int e4plugin_replay_init(struct e4plugin_replay *r, size_t entries)
{
	memset(r, 0, sizeof(*r));
	r->cap = entries > 0 ? entries : 1;
	r->nheads = pow2_ceil(r->cap);
	r->ring = calloc(r->cap, sizeof(*r->ring));
	r->heads = calloc(r->nheads, sizeof(*r->heads));
	if (r->ring == NULL || r->heads == NULL || e4plugin_hashkey_random(&r->key) != 0 ||
	    e4plugin_hashkey_random(&r->who_key) != 0) {
		e4plugin_replay_free(r);
		return -1;
	}
	return 0;
}

void e4plugin_replay_free(struct e4plugin_replay *r)
{
	free(r->ring);
	free(r->heads);
	memset(r, 0, sizeof(*r));
}

/* The ring entry holding sequence number seq, or NULL once it was overwritten. */
static struct e4plugin_replay_entry *entry_of(struct e4plugin_replay *r, uint64_t seq)
{
	struct e4plugin_replay_entry *e;

	if (seq == 0)
		return NULL;
	e = &r->ring[(size_t)((seq - 1) % r->cap)];
	return e->seq == seq ? e : NULL;
}

int e4plugin_replay_note(struct e4plugin_replay *r, const uint8_t digest[16], uint64_t who,
                         bool insert)
{
	uint64_t *head = &r->heads[(size_t)(e4plugin_mix16(&r->key, digest) & (r->nheads - 1))];
	struct e4plugin_replay_entry *e;
	uint64_t seq;

	for (e = entry_of(r, *head); e != NULL; e = entry_of(r, e->prev))
		if (e4plugin_eq16(e->digest, digest))
			return e->who == who ? E4PLUGIN_SEEN_SELF : E4PLUGIN_SEEN_OTHER;
	if (!insert)
		return E4PLUGIN_SEEN_NEW;
	seq = ++r->last;
	e = &r->ring[(size_t)((seq - 1) % r->cap)];
	memcpy(e->digest, digest, 16);
	e->who = who;
	e->seq = seq;
	e->prev = *head;
	*head = seq;
	return E4PLUGIN_SEEN_NEW;
}
