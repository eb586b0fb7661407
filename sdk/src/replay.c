/*
 * replay.c - bounded cache of recently seen frames, in caller memory.
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

int e4_replay_check(struct e4_replay *r, const uint8_t digest[16], uint64_t ts,
                    uint64_t now, uint32_t max_age)
{
	uint64_t horizon = now > max_age ? now - max_age : 0;
	size_t i, oldest = 0;

	if (r == NULL || digest == NULL)
		return E4_ERR_INVALID_ARG;
	if (r->cap == 0)
		return 0;
	for (i = 0; i < r->len; i++) {
		struct e4_replay_slot *s = &r->slots[i];

		if (s->timestamp == ts && memcmp(s->digest, digest, 16) == 0)
			return E4_ERR_REPLAY;
	}
	/* Drop expired entries by moving the last one into their place. */
	for (i = 0; i < r->len;) {
		if (r->slots[i].timestamp < horizon)
			r->slots[i] = r->slots[--r->len];
		else
			i++;
	}
	if (r->len == r->cap) {
		for (i = 1; i < r->len; i++)
			if (r->slots[i].timestamp < r->slots[oldest].timestamp)
				oldest = i;
		r->slots[oldest] = r->slots[--r->len];
	}
	memcpy(r->slots[r->len].digest, digest, 16);
	r->slots[r->len].timestamp = ts;
	r->len++;
	return 0;
}
