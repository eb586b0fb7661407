/*
 * secret.c - keys at rest: the master key file and the AEAD
 * (XChaCha20-Poly1305) that binds each ciphertext to its row.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "c2.h"

#define NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES

void c2_random(void *buf, size_t len)
{
	randombytes_buf(buf, len);
}

int c2_secret_create(const char *path, char *err, size_t cap)
{
	uint8_t key[C2_MASTER_KEY_LEN];
	int fd, rc = -1;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, cap, "%s: %s", path, strerror(errno));
		return -1;
	}
	c2_random(key, sizeof(key));
	if (write(fd, key, sizeof(key)) != (ssize_t)sizeof(key) || fsync(fd) != 0)
		snprintf(err, cap, "%s: write failed: %s", path, strerror(errno));
	else
		rc = 0;
	sodium_memzero(key, sizeof(key));
	close(fd);
	if (rc != 0)
		unlink(path);
	return rc;
}

int c2_secret_load(const char *path, uint8_t key[C2_MASTER_KEY_LEN], char *err, size_t cap)
{
	struct stat st;
	uint8_t extra;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int rc = -1;

	if (fd < 0) {
		snprintf(err, cap, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		snprintf(err, cap, "%s: not a regular file", path);
	else if ((st.st_mode & 077) != 0)
		snprintf(err, cap, "%s: accessible by group or others (mode %03o); chmod 600 it",
		         path, (unsigned)(st.st_mode & 0777));
	else if (read(fd, key, C2_MASTER_KEY_LEN) != C2_MASTER_KEY_LEN || read(fd, &extra, 1) != 0)
		snprintf(err, cap, "%s: not a %d-byte master key", path, C2_MASTER_KEY_LEN);
	else
		rc = 0;
	close(fd);
	if (rc != 0)
		sodium_memzero(key, C2_MASTER_KEY_LEN);
	return rc;
}

int c2_secret_seal(const uint8_t mk[C2_MASTER_KEY_LEN], uint8_t *out, const uint8_t *plain,
                   size_t len, const char *ad)
{
	unsigned long long clen;

	c2_random(out, NONCE_LEN);
	return crypto_aead_xchacha20poly1305_ietf_encrypt(out + NONCE_LEN, &clen, plain, len,
	       (const uint8_t *)ad, strlen(ad), NULL, out, mk) == 0 ? 0 : -1;
}

int c2_secret_open(const uint8_t mk[C2_MASTER_KEY_LEN], uint8_t *out, const uint8_t *sealed,
                   size_t sealed_len, const char *ad)
{
	unsigned long long plen;

	if (sealed_len < C2_SEAL_OVERHEAD)
		return -1;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &plen, NULL, sealed + NONCE_LEN,
	        sealed_len - NONCE_LEN, (const uint8_t *)ad, strlen(ad), sealed, mk) != 0) {
		sodium_memzero(out, sealed_len - C2_SEAL_OVERHEAD);
		return -1;
	}
	return 0;
}
