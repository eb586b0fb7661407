/*
 * framecheck.c - what the broker can check of an E4 frame without a key:
 * length, clock window, sender binding and signature (pubkey mode), and
 * exact replays within max_age.  The frame format itself is the SDK's
 * (e4_frame_timestamp, e4_pk_frame_sender, e4_pk_frame_verify,
 * e4_check_time); the replay cache is replay.c.  Nothing here can decrypt.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "e4plugin.h"

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
	if (sender != NULL && !e4plugin_eq16(who, sender))
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
static uint64_t topic_mix(const char *topic, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL, w;
	const char *end = topic + n;

	h ^= (uint64_t)n;
	for (; end - topic >= 8; topic += 8) {
		memcpy(&w, topic, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	w = 0;
	if (topic < end && n >= 8) {
		/* The last 8 bytes, overlapping mixed ones: no copy of a variable length. */
		memcpy(&w, end - 8, 8);
	} else {
		for (; topic < end; topic++)
			w = w << 8 | (uint8_t)*topic;
	}
	h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 31);
}

int e4plugin_frame_replay(struct e4plugin *p, int layout, const char *topic, size_t topic_len,
                          const uint8_t *frame, size_t len, uint64_t who, bool *resend)
{
	size_t tag_at = layout == E4_MODE_PUBKEY ? E4_TIMESTAMP_LEN + E4_ID_LEN : E4_TIMESTAMP_LEN;
	uint8_t digest[16];
	uint64_t mix, lo, hi;
	int seen;

	/* e4plugin_frame_check parsed the header; only the tag's bounds matter here. */
	if (frame == NULL || len < tag_at + 16)
		return E4PLUGIN_R_TOO_SHORT;
	/*
	 * The SIV tag identifies the frame (as in the SDK's own cache): it
	 * authenticates the timestamp, so two frames with one tag are one
	 * frame, whatever their timestamps say.  A frame altered elsewhere but
	 * keeping its tag is refused too, which is harmless since no receiver
	 * would accept it.
	 */
	mix = topic_mix(topic, topic_len);
	memcpy(&lo, frame + tag_at, 8);
	memcpy(&hi, frame + tag_at + 8, 8);
	lo ^= mix;
	hi ^= mix;
	memcpy(digest, &lo, 8);
	memcpy(digest + 8, &hi, 8);
	seen = e4plugin_replay_note(&p->replay, digest, who, true);
	if (resend != NULL)
		*resend = seen == E4PLUGIN_SEEN_SELF;
	if (seen == E4PLUGIN_SEEN_OTHER || (seen == E4PLUGIN_SEEN_SELF && resend == NULL))
		return E4PLUGIN_R_REPLAY;
	return 0;
}
