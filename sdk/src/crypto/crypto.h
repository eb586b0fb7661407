/*
 * crypto.h - the SDK's crypto seam (not installed).
 *
 * The core calls only these functions; a backend provides them.  The
 * shipped backends are OpenSSL 3 (AES, CMAC, SHA3-256) and libsodium
 * (Ed25519, X25519).  A microcontroller port replaces the .c files.
 */
#ifndef E4_CRYPTO_H
#define E4_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

/* SHA3-256 over the concatenation of a and b (b may be NULL when blen is 0). */
int e4__sha3_256_2(uint8_t out[32], const uint8_t *a, size_t alen,
                   const uint8_t *b, size_t blen);

/*
 * Keyed AES-256 for CMAC and CTR.  `state` points to E4_AES_STATE_SIZE
 * bytes of caller memory; init schedules the keys once (E4 passes the
 * same 32-byte key twice; 16-byte keys exist for RFC 5297's vectors),
 * free releases them.
 */
int e4__aes_init(void *state, const uint8_t *mac_key, const uint8_t *ctr_key,
                 size_t key_len);
void e4__aes_free(void *state);

/* AES-CMAC over a || b with the scheduled key. */
int e4__aes_cmac2(void *state, uint8_t out[16], const uint8_t *a, size_t alen,
                  const uint8_t *b, size_t blen);

/* AES-CTR (128-bit big-endian counter) from iv over n bytes. */
int e4__aes_ctr(void *state, const uint8_t iv[16], uint8_t *out, const uint8_t *in,
                size_t n);

/* Ed25519 / X25519 (libsodium backend). */
int e4__ed25519_sign(uint8_t sig[64], const uint8_t *msg, size_t len, const uint8_t sk[64]);
int e4__ed25519_verify(const uint8_t sig[64], const uint8_t *msg, size_t len,
                       const uint8_t pk[32]);
int e4__ed25519_sk_to_curve(uint8_t out[32], const uint8_t sk[64]);
int e4__ed25519_pk_to_curve(uint8_t out[32], const uint8_t pk[32]);
int e4__x25519(uint8_t out[32], const uint8_t sk[32], const uint8_t pk[32]);
int e4__ed25519_keypair(uint8_t pk[32], uint8_t sk[64]);

#endif /* E4_CRYPTO_H */
