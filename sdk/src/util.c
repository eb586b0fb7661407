/*
 * util.c - byte helpers, identifiers and error strings.
 */
#define _DEFAULT_SOURCE 1
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "internal.h"
#include "crypto/crypto.h"

#if defined(HAVE_EXPLICIT_BZERO)
#include <strings.h>
#endif

void e4_wipe(void *p, size_t n)
{
#if defined(HAVE_EXPLICIT_BZERO)
	explicit_bzero(p, n);
#else
	volatile uint8_t *v = p;

	while (n--)
		*v++ = 0;
#endif
}

int e4_memcmp_ct(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a;
	const volatile uint8_t *y = b;
	uint8_t d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d = (uint8_t)(d | (x[i] ^ y[i]));
	return d != 0;
}

/* Where the compiler says the host is little-endian, a load is one move. */
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && \
	__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define E4__LE_HOST 1
#else
#define E4__LE_HOST 0
#endif

uint64_t e4_load_le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	if (E4__LE_HOST) {
		memcpy(&v, p, 8);
		return v;
	}
	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

void e4_store_le64(uint8_t *p, uint64_t v)
{
	int i;

	if (E4__LE_HOST) {
		memcpy(p, &v, 8);
		return;
	}
	for (i = 0; i < 8; i++) {
		p[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

void e4_hex_encode(char *out, const uint8_t *in, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

/* Value of one hex digit, or -1. */
static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int e4_hex_decode(uint8_t *out, size_t out_len, const char *hex)
{
	size_t i;

	if (out == NULL || hex == NULL)
		return E4_ERR_INVALID_ARG;
	for (i = 0; i < out_len; i++) {
		int hi, lo;

		if (hex[2 * i] == '\0' || hex[2 * i + 1] == '\0')
			goto bad;
		hi = hexval(hex[2 * i]);
		lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			goto bad;
		out[i] = (uint8_t)((hi << 4) | lo);
	}
	if (hex[2 * out_len] != '\0')
		goto bad;
	return 0;
bad:
	e4_wipe(out, out_len);
	return E4_ERR_INVALID_ARG;
}

int e4_sha3_256(uint8_t out[32], const void *data, size_t len)
{
	if (out == NULL || (data == NULL && len > 0))
		return E4_ERR_INVALID_ARG;
	return e4__sha3_256_2(out, data, len, NULL, 0);
}

int e4_hash16(uint8_t out[E4_HASH_LEN], const void *data, size_t len)
{
	uint8_t full[32];
	int err;

	if (out == NULL || (data == NULL && len > 0))
		return E4_ERR_INVALID_ARG;
	err = e4__sha3_256_2(full, data, len, NULL, 0);
	if (err == 0)
		memcpy(out, full, E4_HASH_LEN);
	e4_wipe(full, sizeof(full));
	return err;
}

int e4_id_from_alias(uint8_t id[E4_ID_LEN], const char *alias)
{
	if (alias == NULL)
		return E4_ERR_INVALID_ARG;
	return e4_hash16(id, alias, strlen(alias));
}

int e4_topic_hash(uint8_t hash[E4_HASH_LEN], const char *topic)
{
	size_t len;
	int err = e4__topic_len(topic, &len);

	if (err != 0)
		return err;
	return e4_hash16(hash, topic, len);
}

int e4__topic_len(const char *topic, size_t *len)
{
	size_t n;

	if (topic == NULL)
		return E4_ERR_INVALID_ARG;
	for (n = 0; n <= E4_TOPIC_MAX && topic[n] != '\0'; n++)
		;
	if (n == 0 || n > E4_TOPIC_MAX)
		return E4_ERR_TOPIC_LENGTH;
	*len = n;
	return 0;
}

void e4_control_topic(char out[E4_CONTROL_TOPIC_CAP], const uint8_t id[E4_ID_LEN])
{
	out[0] = 'e';
	out[1] = '4';
	out[2] = '/';
	e4_hex_encode(out + 3, id, E4_ID_LEN);
}

int e4_check_time(uint64_t ts, uint64_t now, uint32_t max_age, uint32_t max_skew)
{
	if (now > max_age && ts < now - max_age)
		return E4_ERR_TOO_OLD;
	if (ts > now && ts - now > max_skew)
		return E4_ERR_IN_FUTURE;
	return 0;
}

/* Messages of e4_strerror(), indexed by -err. */
static const char *const messages[] = {
	"success",
	"invalid argument",
	"output buffer too small",
	"frame too short",
	"authentication failed (bad tag or wrong key)",
	"message too old",
	"message timestamp in the future",
	"replayed message",
	"no key for this topic",
	"table full",
	"unknown command",
	"command has the wrong length",
	"command older than the last applied command",
	"command already applied",
	"too many commands with one timestamp",
	"crypto backend failure",
	"storage I/O error",
	"stored state corrupt or of another format",
	"key file permissions too open or not a regular file",
	"not found",
	"not valid in this protocol mode",
	"unknown sender",
	"bad signature",
	"C2 public key not set",
	"client not initialised",
	"malformed ack",
	"topic empty or too long",
};

const char *e4_strerror(int err)
{
	if (err > 0 || err < E4_ERR_LAST)
		return "unknown error";
	return messages[-err];
}
