/*
 * frame.c - E4 v1 frames without client state: seal and open (symkey
 * and pubkey layouts), timestamp parsing for key-less checks, and the
 * pubkey-mode command key.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "internal.h"
#include "crypto/crypto.h"

int e4__frame_seal_keyed(struct e4_keyed *k, uint8_t *out, uint64_t ts,
                         const uint8_t *msg, size_t msg_len)
{
	int err;

	e4_store_le64(out, ts);
	err = e4__siv_seal(k, out + E4_TIMESTAMP_LEN, out + E4_HEADER_LEN, out,
	                   E4_TIMESTAMP_LEN, msg, msg_len);
	if (err != 0)
		e4_wipe(out, E4_PROTECTED_LEN(msg_len));
	return err;
}

int e4__frame_open_keyed(struct e4_keyed *k, uint8_t *out, const uint8_t *frame,
                         size_t frame_len)
{
	return e4__siv_open(k, out, frame + E4_TIMESTAMP_LEN, frame, E4_TIMESTAMP_LEN,
	                    frame + E4_HEADER_LEN, frame_len - E4_HEADER_LEN);
}

/* Failure exit of the output triple: wiped and empty, except on BUFSIZE. */
static int fail_out(uint8_t *out, size_t out_cap, size_t *out_len, int err)
{
	if (err != E4_ERR_BUFSIZE && out_len != NULL) {
		if (out != NULL)
			e4_wipe(out, out_cap);
		*out_len = 0;
	}
	return err;
}

/* Common argument checks of the output triple; sets *out_len on BUFSIZE. */
static int check_out(uint8_t *out, size_t out_cap, size_t *out_len, size_t need)
{
	if (out_len == NULL)
		return E4_ERR_INVALID_ARG;
	if (out_cap < need) {
		*out_len = need;
		return E4_ERR_BUFSIZE;
	}
	if (out == NULL && need > 0) {
		*out_len = 0;
		return E4_ERR_INVALID_ARG;
	}
	return 0;
}

int e4_frame_seal(uint8_t *out, size_t out_cap, size_t *out_len,
                  const uint8_t key[E4_KEY_LEN], uint64_t ts,
                  const uint8_t *msg, size_t msg_len)
{
	struct e4_keyed k;
	int err;

	if (key == NULL || (msg == NULL && msg_len > 0) || msg_len > SIZE_MAX - E4_HEADER_LEN)
		err = E4_ERR_INVALID_ARG;
	else
		err = check_out(out, out_cap, out_len, E4_PROTECTED_LEN(msg_len));
	if (err != 0)
		goto fail;
	err = e4__keyed_init(&k, key);
	if (err == 0) {
		err = e4__frame_seal_keyed(&k, out, ts, msg, msg_len);
		e4__keyed_free(&k);
	}
	if (err != 0)
		goto fail;
	*out_len = E4_PROTECTED_LEN(msg_len);
	return 0;
fail:
	return fail_out(out, out_cap, out_len, err);
}

int e4_frame_open(uint8_t *out, size_t out_cap, size_t *out_len,
                  const uint8_t key[E4_KEY_LEN], uint64_t *ts,
                  const uint8_t *frame, size_t frame_len)
{
	struct e4_keyed k;
	int err;

	if (key == NULL || frame == NULL)
		err = E4_ERR_INVALID_ARG;
	else if (frame_len < E4_HEADER_LEN)
		err = E4_ERR_TOO_SHORT;
	else
		err = check_out(out, out_cap, out_len, frame_len - E4_HEADER_LEN);
	if (err != 0)
		goto fail;
	err = e4__keyed_init(&k, key);
	if (err == 0) {
		err = e4__frame_open_keyed(&k, out, frame, frame_len);
		e4__keyed_free(&k);
	}
	if (err != 0)
		goto fail;
	*out_len = frame_len - E4_HEADER_LEN;
	if (ts != NULL)
		*ts = e4_load_le64(frame);
	return 0;
fail:
	return fail_out(out, out_cap, out_len, err);
}

int e4_frame_timestamp(const uint8_t *frame, size_t frame_len, int mode, uint64_t *ts)
{
	size_t min = mode == E4_MODE_PUBKEY ? E4_PK_OVERHEAD : E4_HEADER_LEN;

	if (frame == NULL || ts == NULL || (mode != E4_MODE_SYMKEY && mode != E4_MODE_PUBKEY))
		return E4_ERR_INVALID_ARG;
	if (frame_len < min)
		return E4_ERR_TOO_SHORT;
	*ts = e4_load_le64(frame);
	return 0;
}

int e4_pk_frame_seal(uint8_t *out, size_t out_cap, size_t *out_len,
                     const uint8_t topic_key[E4_KEY_LEN],
                     const uint8_t sign_sk[E4_ED25519_SK_LEN],
                     const uint8_t sender[E4_ID_LEN], uint64_t ts,
                     const uint8_t *msg, size_t msg_len)
{
	struct e4_keyed k;
	size_t body;
	int err;

	if (topic_key == NULL || sign_sk == NULL || sender == NULL ||
	    (msg == NULL && msg_len > 0) || msg_len > SIZE_MAX - E4_PK_OVERHEAD)
		err = E4_ERR_INVALID_ARG;
	else
		err = check_out(out, out_cap, out_len, E4_PK_PROTECTED_LEN(msg_len));
	if (err != 0)
		goto fail;
	body = E4_PK_HEADER_LEN + msg_len;
	e4_store_le64(out, ts);
	memcpy(out + E4_TIMESTAMP_LEN, sender, E4_ID_LEN);
	err = e4__keyed_init(&k, topic_key);
	if (err == 0) {
		err = e4__siv_seal(&k, out + 24, out + E4_PK_HEADER_LEN, out, E4_TIMESTAMP_LEN,
		                   msg, msg_len);
		e4__keyed_free(&k);
	}
	if (err == 0)
		err = e4__ed25519_sign(out + body, out, body, sign_sk);
	if (err != 0)
		goto fail;
	*out_len = body + E4_SIGNATURE_LEN;
	return 0;
fail:
	return fail_out(out, out_cap, out_len, err);
}

int e4_pk_frame_verify(const uint8_t *frame, size_t frame_len,
                       const uint8_t sender_pub[E4_ED25519_PK_LEN])
{
	if (frame == NULL || sender_pub == NULL)
		return E4_ERR_INVALID_ARG;
	if (frame_len < E4_PK_OVERHEAD)
		return E4_ERR_TOO_SHORT;
	return e4__ed25519_verify(frame + frame_len - E4_SIGNATURE_LEN, frame,
	                          frame_len - E4_SIGNATURE_LEN, sender_pub);
}

int e4_pk_frame_sender(const uint8_t *frame, size_t frame_len, uint8_t sender[E4_ID_LEN])
{
	if (frame == NULL || sender == NULL)
		return E4_ERR_INVALID_ARG;
	if (frame_len < E4_PK_OVERHEAD)
		return E4_ERR_TOO_SHORT;
	memcpy(sender, frame + E4_TIMESTAMP_LEN, E4_ID_LEN);
	return 0;
}

int e4__pk_frame_open_keyed(struct e4_keyed *k, uint8_t *out, const uint8_t *frame,
                            size_t frame_len)
{
	return e4__siv_open(k, out, frame + 24, frame, E4_TIMESTAMP_LEN,
	                    frame + E4_PK_HEADER_LEN, frame_len - E4_PK_OVERHEAD);
}

int e4_pk_frame_open(uint8_t *out, size_t out_cap, size_t *out_len,
                     const uint8_t topic_key[E4_KEY_LEN],
                     const uint8_t *sender_pub, uint64_t *ts,
                     const uint8_t *frame, size_t frame_len)
{
	struct e4_keyed k;
	int err;

	if (topic_key == NULL || frame == NULL)
		err = E4_ERR_INVALID_ARG;
	else if (frame_len < E4_PK_OVERHEAD)
		err = E4_ERR_TOO_SHORT;
	else
		err = check_out(out, out_cap, out_len, frame_len - E4_PK_OVERHEAD);
	if (err == 0 && sender_pub != NULL)
		err = e4_pk_frame_verify(frame, frame_len, sender_pub);
	if (err != 0)
		goto fail;
	err = e4__keyed_init(&k, topic_key);
	if (err == 0) {
		err = e4__pk_frame_open_keyed(&k, out, frame, frame_len);
		e4__keyed_free(&k);
	}
	if (err != 0)
		goto fail;
	*out_len = frame_len - E4_PK_OVERHEAD;
	if (ts != NULL)
		*ts = e4_load_le64(frame);
	return 0;
fail:
	return fail_out(out, out_cap, out_len, err);
}

int e4_pk_command_key(uint8_t out[E4_KEY_LEN], const uint8_t sign_sk[E4_ED25519_SK_LEN],
                      const uint8_t c2_pub[E4_CURVE_PK_LEN])
{
	uint8_t csk[32], shared[32];
	int err;

	if (out == NULL || sign_sk == NULL || c2_pub == NULL)
		return E4_ERR_INVALID_ARG;
	err = e4__ed25519_sk_to_curve(csk, sign_sk);
	if (err == 0)
		err = e4__x25519(shared, csk, c2_pub);
	if (err == 0)
		err = e4__sha3_256_2(out, shared, sizeof(shared), NULL, 0);
	e4_wipe(csk, sizeof(csk));
	e4_wipe(shared, sizeof(shared));
	if (err != 0)
		e4_wipe(out, E4_KEY_LEN);
	return err;
}

int e4_pk_command_key_c2(uint8_t out[E4_KEY_LEN], const uint8_t c2_sk[32],
                         const uint8_t device_pub[E4_ED25519_PK_LEN])
{
	uint8_t cpk[32], shared[32];
	int err;

	if (out == NULL || c2_sk == NULL || device_pub == NULL)
		return E4_ERR_INVALID_ARG;
	err = e4__ed25519_pk_to_curve(cpk, device_pub);
	if (err == 0)
		err = e4__x25519(shared, c2_sk, cpk);
	if (err == 0)
		err = e4__sha3_256_2(out, shared, sizeof(shared), NULL, 0);
	e4_wipe(shared, sizeof(shared));
	if (err != 0)
		e4_wipe(out, E4_KEY_LEN);
	return err;
}

int e4_ed25519_keypair(uint8_t pub[E4_ED25519_PK_LEN], uint8_t sk[E4_ED25519_SK_LEN])
{
	if (pub == NULL || sk == NULL)
		return E4_ERR_INVALID_ARG;
	return e4__ed25519_keypair(pub, sk);
}
