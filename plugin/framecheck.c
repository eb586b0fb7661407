/*
 * framecheck.c - what the broker can check of an E4 frame without a key:
 * length, clock window, sender binding and signature (pubkey mode), and
 * exact replays within max_age.  The frame format itself is the SDK's
 * (e4_frame_timestamp, e4_pk_frame_sender, e4_pk_frame_verify,
 * e4_check_time, e4_replay_check); nothing here can decrypt.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

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
	size_t i;

	memset(r, 0, sizeof(*r));
	r->nbuckets = pow2_ceil((entries + E4PLUGIN_REPLAY_BUCKET - 1) / E4PLUGIN_REPLAY_BUCKET);
	r->buckets = calloc(r->nbuckets, sizeof(*r->buckets));
	r->slots = calloc(r->nbuckets * E4PLUGIN_REPLAY_BUCKET, sizeof(*r->slots));
	if (r->buckets == NULL || r->slots == NULL) {
		e4plugin_replay_free(r);
		return -1;
	}
	for (i = 0; i < r->nbuckets; i++)
		e4_replay_init(&r->buckets[i], r->slots + i * E4PLUGIN_REPLAY_BUCKET,
		               E4PLUGIN_REPLAY_BUCKET);
	/* A secret bucket index keeps a flooder from aiming at one bucket. */
	if (getrandom(&r->k0, sizeof(r->k0), 0) != (ssize_t)sizeof(r->k0) ||
	    getrandom(&r->k1, sizeof(r->k1), 0) != (ssize_t)sizeof(r->k1)) {
		e4plugin_replay_free(r);
		return -1;
	}
	return 0;
}

void e4plugin_replay_free(struct e4plugin_replay *r)
{
	free(r->buckets);
	free(r->slots);
	memset(r, 0, sizeof(*r));
}

int e4plugin_layout(const struct e4plugin *p, enum e4plugin_topic_kind kind)
{
	if (kind == E4PLUGIN_T_CONTROL || kind == E4PLUGIN_T_ACK)
		return E4_MODE_SYMKEY;
	return p->mode;
}

int e4plugin_frame_check(struct e4plugin *p, int layout, const uint8_t *frame, size_t len,
                         const uint8_t *sender, uint64_t now)
{
	uint8_t who[E4_ID_LEN];
	const struct e4plugin_device *d;
	uint64_t ts;
	int err;

	if (frame == NULL || e4_frame_timestamp(frame, len, layout, &ts) != 0)
		return E4PLUGIN_R_TOO_SHORT;
	err = e4_check_time(ts, now, p->conf.max_age, p->conf.max_skew);
	if (err == E4_ERR_TOO_OLD)
		return E4PLUGIN_R_TOO_OLD;
	if (err != 0)
		return E4PLUGIN_R_IN_FUTURE;
	if (layout != E4_MODE_PUBKEY)
		return 0;
	if (e4_pk_frame_sender(frame, len, who) != 0)
		return E4PLUGIN_R_TOO_SHORT;
	if (sender != NULL && memcmp(who, sender, E4_ID_LEN) != 0)
		return E4PLUGIN_R_WRONG_SENDER;
	if (!p->conf.verify_signatures)
		return 0;
	d = e4plugin_device_find(&p->devices, who);
	if (d != NULL && d->has_pubkey && e4_pk_frame_verify(frame, len, d->pubkey) != 0)
		return E4PLUGIN_R_BAD_SIGNATURE;
	return 0;
}

/*
 * A 64-bit hash of a topic, eight bytes at a time (a multiply-xorshift per
 * word): binds the replay digest to the topic.  Internal to this process
 * (the replay cache is never saved), so the byte order of the host does
 * not matter.
 */
static uint64_t topic_mix(const char *topic)
{
	uint64_t h = 0xcbf29ce484222325ULL, w;
	size_t n = strlen(topic);

	h ^= (uint64_t)n;
	for (; n >= 8; n -= 8, topic += 8) {
		memcpy(&w, topic, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, topic, n);
	h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 31);
}

/* Keyed bucket index of a digest. */
static size_t bucket_of(const struct e4plugin_replay *r, const uint8_t digest[16])
{
	uint64_t lo, hi, h;

	memcpy(&lo, digest, 8);
	memcpy(&hi, digest + 8, 8);
	h = (lo ^ r->k0) * 0x9e3779b97f4a7c15ULL;
	h ^= (hi ^ r->k1);
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 31;
	return (size_t)(h & (r->nbuckets - 1));
}

int e4plugin_frame_replay(struct e4plugin *p, int layout, const char *topic,
                          const uint8_t *frame, size_t len, uint64_t now)
{
	size_t tag_at = layout == E4_MODE_PUBKEY ? E4_TIMESTAMP_LEN + E4_ID_LEN : E4_TIMESTAMP_LEN;
	uint8_t digest[16];
	uint64_t ts, mix, lo, hi;

	if (frame == NULL || e4_frame_timestamp(frame, len, layout, &ts) != 0)
		return E4PLUGIN_R_TOO_SHORT;
	/*
	 * The SIV tag identifies the frame (as in the SDK's own cache); a frame
	 * altered elsewhere but keeping its tag is refused too, which is harmless
	 * since no receiver would accept it.
	 */
	mix = topic_mix(topic);
	memcpy(&lo, frame + tag_at, 8);
	memcpy(&hi, frame + tag_at + 8, 8);
	lo ^= mix;
	hi ^= mix;
	memcpy(digest, &lo, 8);
	memcpy(digest + 8, &hi, 8);
	if (e4_replay_check(&p->replay.buckets[bucket_of(&p->replay, digest)], digest, ts, now,
	                    p->conf.max_age) != 0)
		return E4PLUGIN_R_REPLAY;
	return 0;
}
