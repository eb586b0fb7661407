/*
 * siv.c - AES-SIV (RFC 5297, CMAC-SIV) with one associated-data item,
 * written over the crypto seam's keyed CMAC and CTR.  E4 uses the
 * 32-byte key for both halves of the 64-byte SIV key, so one key
 * schedule serves S2V and CTR.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "internal.h"
#include "crypto/crypto.h"

/* Doubling in GF(2^128) as RFC 5297 defines it. */
static void dbl(uint8_t b[16])
{
	uint8_t carry = (uint8_t)(b[0] >> 7);
	int i;

	for (i = 0; i < 15; i++)
		b[i] = (uint8_t)((b[i] << 1) | (b[i + 1] >> 7));
	b[15] = (uint8_t)((b[15] << 1) ^ (carry ? 0x87 : 0));
}

static void xor16(uint8_t *d, const uint8_t *s)
{
	int i;

	for (i = 0; i < 16; i++)
		d[i] ^= s[i];
}

int e4__keyed_init(struct e4_keyed *k, const uint8_t key[E4_KEY_LEN])
{
	return e4__keyed_init2(k, key, key, E4_KEY_LEN);
}

int e4__keyed_init2(struct e4_keyed *k, const uint8_t *mac_key, const uint8_t *ctr_key,
                    size_t key_len)
{
	static const uint8_t zero[16];
	int err;

	memset(k, 0, sizeof(*k));
	err = e4__aes_init(k->state.bytes, mac_key, ctr_key, key_len);
	if (err != 0)
		return err;
	err = e4__aes_cmac2(k->state.bytes, k->d0, zero, 16, NULL, 0);
	if (err != 0) {
		e4__aes_free(k->state.bytes);
		e4_wipe(k, sizeof(*k));
		return err;
	}
	if (mac_key == ctr_key && key_len == E4_KEY_LEN)
		memcpy(k->key, mac_key, E4_KEY_LEN);
	k->in_use = 1;
	return 0;
}

void e4__keyed_free(struct e4_keyed *k)
{
	if (k->in_use)
		e4__aes_free(k->state.bytes);
	e4_wipe(k, sizeof(*k));
}

/* S2V over (ad, pt): the synthetic IV. */
static int s2v(struct e4_keyed *k, uint8_t v[16], const uint8_t *ad, size_t ad_len,
               const uint8_t *pt, size_t n)
{
	uint8_t d[16], t[16];
	int err;

	memcpy(d, k->d0, 16);
	dbl(d);
	err = e4__aes_cmac2(k->state.bytes, t, ad, ad_len, NULL, 0);
	if (err != 0)
		goto out;
	xor16(d, t);
	if (n >= 16) {
		/* T = pt xorend D: CMAC over the head, then the xored last block. */
		memcpy(t, pt + n - 16, 16);
		xor16(t, d);
		err = e4__aes_cmac2(k->state.bytes, v, pt, n - 16, t, 16);
	} else {
		dbl(d);
		memset(t, 0, 16);
		if (n > 0)
			memcpy(t, pt, n);
		t[n] = 0x80;
		xor16(t, d);
		err = e4__aes_cmac2(k->state.bytes, v, t, 16, NULL, 0);
	}
out:
	e4_wipe(d, sizeof(d));
	e4_wipe(t, sizeof(t));
	return err;
}

/* CTR with Q = V with bits 63 and 31 (from the right) cleared. */
static int siv_ctr(struct e4_keyed *k, const uint8_t v[16], uint8_t *out,
                   const uint8_t *in, size_t n)
{
	uint8_t q[16];

	memcpy(q, v, 16);
	q[8] &= 0x7f;
	q[12] &= 0x7f;
	return e4__aes_ctr(k->state.bytes, q, out, in, n);
}

int e4__siv_seal(struct e4_keyed *k, uint8_t tag[E4_TAG_LEN], uint8_t *ct,
                 const uint8_t *ad, size_t ad_len, const uint8_t *pt, size_t n)
{
	int err = s2v(k, tag, ad, ad_len, pt, n);

	if (err != 0)
		return err;
	return siv_ctr(k, tag, ct, pt, n);
}

int e4__siv_open(struct e4_keyed *k, uint8_t *pt, const uint8_t tag[E4_TAG_LEN],
                 const uint8_t *ad, size_t ad_len, const uint8_t *ct, size_t n)
{
	uint8_t v[16];
	int err = siv_ctr(k, tag, pt, ct, n);

	if (err == 0)
		err = s2v(k, v, ad, ad_len, pt, n);
	if (err == 0 && e4_memcmp_ct(v, tag, 16) != 0)
		err = E4_ERR_AUTH;
	if (err != 0 && n > 0)
		e4_wipe(pt, n);
	e4_wipe(v, sizeof(v));
	return err;
}
