/*
 * openssl.c - crypto seam backend on OpenSSL 3: SHA3-256, and AES-256
 * CMAC and CTR with key schedules kept per key (never re-derived per
 * message; OpenSSL's own AES-SIV object would re-key every message).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <pthread.h>
#include <string.h>

#include <openssl/evp.h>

#include "e4/e4.h"
#include "crypto/crypto.h"

/*
 * What a keyed state holds in this backend.  Both contexts are keyed once
 * and never re-initialised: in OpenSSL 3.0 every EVP_*Init that sets an IV
 * goes through the provider's parameter machinery (about 1,700 of the
 * 6,500 instructions of a 64-byte protect were EVP_CIPHER_CTX_get_iv_length
 * for the CMAC restarts and the CTR counter), so CMAC runs on a CBC
 * context whose chaining value is tracked here and cancelled out at the
 * start of each MAC, and CTR encrypts counter blocks with an ECB context.
 */
struct aes_state {
	EVP_CIPHER_CTX *cbc;   /* mac key, AES-CBC: the context's IV is `chain` */
	EVP_CIPHER_CTX *ecb;   /* ctr key, AES-ECB: the CTR keystream */
	uint8_t chain[16];     /* the CBC context's chaining value (its last output block) */
	uint8_t k1[16];        /* CMAC subkey K1 (RFC 4493); K2 = dbl(K1) */
};

_Static_assert(sizeof(struct aes_state) <= E4_AES_STATE_SIZE,
               "E4_AES_STATE_SIZE too small for the OpenSSL backend");

#define CHUNK 256   /* bytes encrypted per EVP call: 16 blocks on the stack */

static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;
static EVP_CIPHER *cbc_alg[2], *ecb_alg[2];   /* [0] AES-256, [1] AES-128 */
static EVP_MD *sha3_alg;

/* Fetches the algorithm objects once per process. */
static void fetch_algs(void)
{
	cbc_alg[0] = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL);
	ecb_alg[0] = EVP_CIPHER_fetch(NULL, "AES-256-ECB", NULL);
	cbc_alg[1] = EVP_CIPHER_fetch(NULL, "AES-128-CBC", NULL);
	ecb_alg[1] = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
	sha3_alg = EVP_MD_fetch(NULL, "SHA3-256", NULL);
}

/* Returns 0 when every algorithm could be fetched. */
static int algs_ready(void)
{
	if (pthread_once(&fetch_once, fetch_algs) != 0)
		return -1;
	return (cbc_alg[0] && ecb_alg[0] && cbc_alg[1] && ecb_alg[1] && sha3_alg) ? 0 : -1;
}

int e4__sha3_256_2(uint8_t out[32], const uint8_t *a, size_t alen,
                   const uint8_t *b, size_t blen)
{
	EVP_MD_CTX *md;
	unsigned int olen = 0;
	int ok;

	if (algs_ready() != 0)
		return E4_ERR_CRYPTO;
	md = EVP_MD_CTX_new();
	if (md == NULL)
		return E4_ERR_CRYPTO;
	ok = EVP_DigestInit_ex2(md, sha3_alg, NULL) == 1 &&
	     EVP_DigestUpdate(md, a, alen) == 1 &&
	     (blen == 0 || EVP_DigestUpdate(md, b, blen) == 1) &&
	     EVP_DigestFinal_ex(md, out, &olen) == 1 && olen == 32;
	EVP_MD_CTX_free(md);
	return ok ? 0 : E4_ERR_CRYPTO;
}

/* Doubling in GF(2^128) (RFC 4493): out = in << 1, reduced by 0x87. */
static void dbl(uint8_t out[16], const uint8_t in[16])
{
	uint8_t carry = (uint8_t)(in[0] >> 7);
	int i;

	for (i = 0; i < 15; i++)
		out[i] = (uint8_t)((in[i] << 1) | (in[i + 1] >> 7));
	out[15] = (uint8_t)((in[15] << 1) ^ (0x87 & (0 - carry)));
}

/* CBC-encrypts n bytes (whole blocks) of buf in place and keeps the chaining value. */
static int cbc_run(struct aes_state *s, uint8_t *buf, size_t n)
{
	if (EVP_Cipher(s->cbc, buf, buf, (unsigned int)n) <= 0)
		return E4_ERR_CRYPTO;
	memcpy(s->chain, buf + n - 16, 16);
	return 0;
}

int e4__aes_init(void *state, const uint8_t *mac_key, const uint8_t *ctr_key,
                 size_t key_len)
{
	static const uint8_t zero[16];
	struct aes_state *s = state;
	uint8_t l[16];
	int i = key_len == 32 ? 0 : 1;

	memset(s, 0, sizeof(*s));
	/* AES-128 exists only to run RFC 5297's own test vectors. */
	if ((key_len != 32 && key_len != 16) || algs_ready() != 0)
		return E4_ERR_CRYPTO;
	s->cbc = EVP_CIPHER_CTX_new();
	s->ecb = EVP_CIPHER_CTX_new();
	if (s->cbc == NULL || s->ecb == NULL ||
	    EVP_EncryptInit_ex2(s->cbc, cbc_alg[i], mac_key, zero, NULL) != 1 ||
	    EVP_EncryptInit_ex2(s->ecb, ecb_alg[i], ctr_key, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(s->cbc, 0) != 1 || EVP_CIPHER_CTX_set_padding(s->ecb, 0) != 1)
		goto fail;
	/* L = AES(0): the chaining value is still the zero IV. */
	memset(l, 0, sizeof(l));
	if (cbc_run(s, l, 16) != 0)
		goto fail;
	dbl(s->k1, l);
	e4_wipe(l, sizeof(l));
	return 0;
fail:
	e4__aes_free(s);
	return E4_ERR_CRYPTO;
}

void e4__aes_free(void *state)
{
	struct aes_state *s = state;

	/* The OpenSSL contexts cleanse their key schedules when freed. */
	EVP_CIPHER_CTX_free(s->cbc);
	EVP_CIPHER_CTX_free(s->ecb);
	e4_wipe(s, sizeof(*s));
}

/*
 * Copies bytes [pos, pos + n) of a || b into buf; past the end of the
 * message comes CMAC's padding (0x80, then zeros).
 */
static void fill(uint8_t *buf, size_t pos, size_t n, const uint8_t *a, size_t alen,
                 const uint8_t *b, size_t blen)
{
	size_t k = 0, m;

	if (pos < alen) {
		k = alen - pos < n ? alen - pos : n;
		memcpy(buf, a + pos, k);
	}
	if (k < n && pos + k < alen + blen) {
		m = blen - (pos + k - alen) < n - k ? blen - (pos + k - alen) : n - k;
		memcpy(buf + k, b + (pos + k - alen), m);
		k += m;
	}
	if (k < n) {
		buf[k] = 0x80;
		memset(buf + k + 1, 0, n - k - 1);
	}
}

/* buf[i] ^= x[i] for n bytes, a word at a time. */
static void xor_into(uint8_t *dst, const uint8_t *src, const uint8_t *x, size_t n)
{
	uint64_t u, v;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&u, src + i, 8);
		memcpy(&v, x + i, 8);
		u ^= v;
		memcpy(dst + i, &u, 8);
	}
	for (; i < n; i++)
		dst[i] = (uint8_t)(src[i] ^ x[i]);
}

int e4__aes_cmac2(void *state, uint8_t out[16], const uint8_t *a, size_t alen,
                  const uint8_t *b, size_t blen)
{
	struct aes_state *s = state;
	uint8_t buf[CHUNK], k2[16];
	size_t total = alen + blen, end, pos = 0, n;
	int err = 0;

	if (total < alen || total > (size_t)0x7fffffff - CHUNK)
		return E4_ERR_INVALID_ARG;
	/* CMAC (RFC 4493): the last block, complete or padded, gets K1 or K2. */
	end = total == 0 ? 16 : (total + 15) / 16 * 16;
	while (err == 0 && pos < end) {
		n = end - pos < CHUNK ? end - pos : CHUNK;
		fill(buf, pos, n, a, alen, b, blen);
		/* The chain the context carries from its last use is cancelled: X_0 = 0. */
		if (pos == 0)
			xor_into(buf, buf, s->chain, 16);
		if (pos + n == end) {
			if (total == 0 || total % 16 != 0) {
				dbl(k2, s->k1);
				xor_into(buf + n - 16, buf + n - 16, k2, 16);
			} else {
				xor_into(buf + n - 16, buf + n - 16, s->k1, 16);
			}
		}
		err = cbc_run(s, buf, n);
		pos += n;
	}
	if (err == 0)
		memcpy(out, s->chain, 16);
	e4_wipe(buf, sizeof(buf));
	e4_wipe(k2, sizeof(k2));
	return err;
}

/* Big-endian 64-bit load and store (one bswap each where the compiler has it). */
static uint64_t load_be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#elif !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_BIG_ENDIAN__
	v = (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 | (uint64_t)p[2] << 40 |
	    (uint64_t)p[3] << 32 | (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
	    (uint64_t)p[6] << 8 | (uint64_t)p[7];
#endif
	return v;
}

static void store_be64(uint8_t *p, uint64_t v)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
	memcpy(p, &v, 8);
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	memcpy(p, &v, 8);
#else
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
#endif
}

int e4__aes_ctr(void *state, const uint8_t iv[16], uint8_t *out, const uint8_t *in,
                size_t n)
{
	struct aes_state *s = state;
	uint8_t ks[CHUNK];
	uint64_t hi, lo;
	size_t done = 0, m, i, blocks;
	int err = 0;

	if (n == 0)
		return 0;
	if (n > (size_t)0x7fffffff)
		return E4_ERR_INVALID_ARG;
	/* A 128-bit big-endian counter, incremented as two 64-bit halves. */
	hi = load_be64(iv);
	lo = load_be64(iv + 8);
	while (err == 0 && done < n) {
		m = n - done < CHUNK ? n - done : CHUNK;
		blocks = (m + 15) / 16;
		for (i = 0; i < blocks; i++) {
			store_be64(ks + 16 * i, hi);
			store_be64(ks + 16 * i + 8, lo);
			if (++lo == 0)
				hi++;
		}
		if (EVP_Cipher(s->ecb, ks, ks, (unsigned int)(16 * blocks)) <= 0)
			err = E4_ERR_CRYPTO;
		else
			xor_into(out + done, in + done, ks, m);
		done += m;
	}
	e4_wipe(ks, sizeof(ks));
	hi = lo = 0;
	return err;
}
