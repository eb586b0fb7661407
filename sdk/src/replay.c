/*
 * replay.c - bounded cache of recently seen frames, in caller memory.
 *
 * Slots are kept in arrival order.  A frame is identified by its digest
 * alone (the SDK's digest is the authenticated SIV tag, which already
 * covers the timestamp); the timestamp only says when an entry expired.
 * When the cache is full the entry that arrived first leaves: a frame is
 * forgotten only after `cap` newer ones, however old or new their
 * timestamps (evicting the oldest timestamp instead let a single frame
 * delivered late push out one delivered on time).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "internal.h"

void e4_replay_init(struct e4_replay *r, struct e4_replay_slot *slots, size_t cap)
{
	r->slots = slots;
	r->cap = slots != NULL ? cap : 0;
	r->len = 0;
	if (r->cap > 0)
		memset(slots, 0, cap * sizeof(*slots));
}

/* Drops expired entries, keeping the others in arrival order. */
static void expire(struct e4_replay *r, uint64_t horizon)
{
	size_t i, k = 0;

	for (i = 0; i < r->len; i++)
		if (r->slots[i].timestamp >= horizon) {
			if (k != i)
				r->slots[k] = r->slots[i];
			k++;
		}
	r->len = k;
}

int e4_replay_check(struct e4_replay *r, const uint8_t digest[16], uint64_t ts,
                    uint64_t now, uint32_t max_age)
{
	uint64_t horizon = now > max_age ? now - max_age : 0;
	size_t i;

	if (r == NULL || digest == NULL)
		return E4_ERR_INVALID_ARG;
	if (r->cap == 0)
		return 0;
	for (i = 0; i < r->len; i++)
		if (memcmp(r->slots[i].digest, digest, 16) == 0)
			return E4_ERR_REPLAY;
	expire(r, horizon);
	if (r->len == r->cap) {
		memmove(r->slots, r->slots + 1, (r->len - 1) * sizeof(*r->slots));
		r->len--;
	}
	memcpy(r->slots[r->len].digest, digest, 16);
	r->slots[r->len].timestamp = ts;
	r->len++;
	return 0;
}
