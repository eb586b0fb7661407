/*
 * sodium.c - crypto seam backend on libsodium: Ed25519 and X25519.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sodium.h>

#include "e4/e4.h"
#include "crypto/crypto.h"

/* Initialises libsodium once (thread-safe and idempotent in libsodium). */
static int ready(void)
{
	return sodium_init() >= 0 ? 0 : E4_ERR_CRYPTO;
}

int e4__ed25519_sign(uint8_t sig[64], const uint8_t *msg, size_t len, const uint8_t sk[64])
{
	if (ready() != 0)
		return E4_ERR_CRYPTO;
	return crypto_sign_ed25519_detached(sig, NULL, msg, len, sk) == 0 ? 0 : E4_ERR_CRYPTO;
}

int e4__ed25519_verify(const uint8_t sig[64], const uint8_t *msg, size_t len,
                       const uint8_t pk[32])
{
	if (ready() != 0)
		return E4_ERR_CRYPTO;
	return crypto_sign_ed25519_verify_detached(sig, msg, len, pk) == 0 ?
	       0 : E4_ERR_BAD_SIGNATURE;
}

int e4__ed25519_sk_to_curve(uint8_t out[32], const uint8_t sk[64])
{
	if (ready() != 0)
		return E4_ERR_CRYPTO;
	return crypto_sign_ed25519_sk_to_curve25519(out, sk) == 0 ? 0 : E4_ERR_CRYPTO;
}

int e4__ed25519_pk_to_curve(uint8_t out[32], const uint8_t pk[32])
{
	if (ready() != 0)
		return E4_ERR_CRYPTO;
	return crypto_sign_ed25519_pk_to_curve25519(out, pk) == 0 ? 0 : E4_ERR_INVALID_ARG;
}

int e4__x25519(uint8_t out[32], const uint8_t sk[32], const uint8_t pk[32])
{
	if (ready() != 0)
		return E4_ERR_CRYPTO;
	/* Fails on low-order points (all-zero shared secret). */
	return crypto_scalarmult_curve25519(out, sk, pk) == 0 ? 0 : E4_ERR_INVALID_ARG;
}

int e4__ed25519_keypair(uint8_t pk[32], uint8_t sk[64])
{
	if (ready() != 0)
		return E4_ERR_CRYPTO;
	return crypto_sign_ed25519_keypair(pk, sk) == 0 ? 0 : E4_ERR_CRYPTO;
}
