/*
 * hash.c - keyed hashes.  SipHash-1-3 with a 128-bit secret key makes the
 * publisher fingerprints of the replay cache (names of any length, cached
 * per client, so it runs once per connection, not per message).
 *
 * The per-message indexes (replay cache chains, device table) hash 16
 * bytes a client may choose (a "tag" is any bytes a publisher sends: the
 * plugin holds no key to tell a real one) with e4plugin_mix16 in
 * e4plugin.h: two 64x64->128-bit multiply-folds over words masked with 256
 * secret key bits, about 12 instructions against SipHash's 110.  What it
 * must do is what the key did for SipHash: an input chosen without the key
 * lands in a slot the sender cannot predict, so no set of frames builds a
 * long chain.  Each product is of two key-masked values, so unlike a
 * linear (multiply-shift) hash, a collision someone might infer from
 * timing does not translate into a family of colliding inputs; and
 * nothing the broker sends back reveals a slot.  Making a product vanish
 * takes guessing a 64-bit key word.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <sys/random.h>

#include "e4plugin.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

/* One SipRound over the four state words. */
static inline __attribute__((always_inline)) void sipround(uint64_t v[4])
{
	v[0] += v[1]; v[1] = ROTL(v[1], 13); v[1] ^= v[0]; v[0] = ROTL(v[0], 32);
	v[2] += v[3]; v[3] = ROTL(v[3], 16); v[3] ^= v[2];
	v[0] += v[3]; v[3] = ROTL(v[3], 21); v[3] ^= v[0];
	v[2] += v[1]; v[1] = ROTL(v[1], 17); v[1] ^= v[2]; v[2] = ROTL(v[2], 32);
}

/* Little-endian load of 8 bytes. */
static uint64_t load64(const uint8_t *b)
{
	return (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 | (uint64_t)b[3] << 24 |
	       (uint64_t)b[4] << 32 | (uint64_t)b[5] << 40 | (uint64_t)b[6] << 48 | (uint64_t)b[7] << 56;
}

void e4plugin_sip_init(struct e4plugin_sip *s, const struct e4plugin_hashkey *k)
{
	s->v[0] = k->k0 ^ 0x736f6d6570736575ULL;
	s->v[1] = k->k1 ^ 0x646f72616e646f6dULL;
	s->v[2] = k->k0 ^ 0x6c7967656e657261ULL;
	s->v[3] = k->k1 ^ 0x7465646279746573ULL;
	s->total = 0;
	s->buf_len = 0;
}

/* Absorbs one 8-byte word. */
static void absorb(struct e4plugin_sip *s, uint64_t m)
{
	s->v[3] ^= m;
	sipround(s->v);
	s->v[0] ^= m;
}

void e4plugin_sip_update(struct e4plugin_sip *s, const void *data, size_t len)
{
	const uint8_t *in = data;

	s->total += len;
	if (s->buf_len > 0) {
		size_t take = 8 - s->buf_len < len ? 8 - s->buf_len : len;

		memcpy(s->buf + s->buf_len, in, take);
		s->buf_len += take;
		in += take;
		len -= take;
		if (s->buf_len < 8)
			return;
		absorb(s, load64(s->buf));
		s->buf_len = 0;
	}
	for (; len >= 8; len -= 8, in += 8)
		absorb(s, load64(in));
	memcpy(s->buf, in, len);
	s->buf_len = len;
}

uint64_t e4plugin_sip_final(struct e4plugin_sip *s)
{
	uint64_t b = (uint64_t)(s->total & 0xff) << 56;
	size_t i;

	for (i = 0; i < s->buf_len; i++)
		b |= (uint64_t)s->buf[i] << (8 * i);
	absorb(s, b);
	s->v[2] ^= 0xff;
	sipround(s->v);
	sipround(s->v);
	sipround(s->v);
	return s->v[0] ^ s->v[1] ^ s->v[2] ^ s->v[3];
}

uint64_t e4plugin_siphash(const struct e4plugin_hashkey *k, const void *data, size_t len)
{
	struct e4plugin_sip s;

	e4plugin_sip_init(&s, k);
	e4plugin_sip_update(&s, data, len);
	return e4plugin_sip_final(&s);
}

int e4plugin_hashkey_random(struct e4plugin_hashkey *k)
{
	uint64_t w[4];

	if (getrandom(w, sizeof(w), 0) != (ssize_t)sizeof(w))
		return -1;
	k->k0 = w[0];
	k->k1 = w[1];
	k->k2 = w[2];
	/* An odd multiplier: the last fold never multiplies by zero. */
	k->k3 = w[3] | 1;
	return 0;
}
