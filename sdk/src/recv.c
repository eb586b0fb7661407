/*
 * recv.c - e4_unprotect(): messages on data topics and C2 commands on
 * the control topic, with the clock, monotonicity and replay policies.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "internal.h"
#include "crypto/crypto.h"

enum { SLOT_CURRENT = 1, SLOT_OLD = 2, SLOT_NEXT = 3 };

/* The time used for policy: the clock, or the clockless time floor. */
struct when {
	uint64_t now;
	int have_clock;
};

/* Clock policy for a message or command timestamp. */
static int check_ts(const struct e4_client *c, const struct when *w, uint64_t ts)
{
	if (w->have_clock)
		return e4_check_time(ts, w->now, c->cfg.max_age, c->cfg.max_skew);
	/* Clockless: only "too old" relative to the C2 time floor can be judged. */
	if (w->now > c->cfg.max_age && ts < w->now - c->cfg.max_age)
		return E4_ERR_TOO_OLD;
	return 0;
}

/* Opens a command frame with the device key, or the previous one in its window. */
static int open_command(struct e4_client *c, uint8_t *cmd, const uint8_t *frame,
                        size_t frame_len)
{
	struct e4_keyed *k = e4__client_keyed(c, c->key);
	int err = k != NULL ? e4__frame_open_keyed(k, cmd, frame, frame_len) : E4_ERR_CRYPTO;

	if (err == E4_ERR_AUTH && c->has_prev_key) {
		k = e4__client_keyed(c, c->prev_key);
		return k != NULL ? e4__frame_open_keyed(k, cmd, frame, frame_len) : E4_ERR_CRYPTO;
	}
	if (err == 0)
		e4__client_retire_id_key(c);   /* first command under the new key */
	return err;
}

/* Monotonicity: no command older than the last, none applied twice. */
static int check_monotonic(const struct e4_client *c, uint64_t ts, const uint8_t digest[16])
{
	uint32_t i;

	if (ts < c->last_command)
		return E4_ERR_COMMAND_STALE;
	if (ts > c->last_command)
		return 0;
	for (i = 0; i < c->history_len; i++)
		if (memcmp(c->history[i], digest, 16) == 0)
			return E4_ERR_COMMAND_REPLAY;
	return c->history_len >= E4_COMMAND_HISTORY ? E4_ERR_COMMAND_BURST : 0;
}

/* Records an applied command for monotonicity and the time floor. */
static void record_command(struct e4_client *c, uint64_t ts, const uint8_t digest[16])
{
	if (ts > c->last_command || c->history_len == 0) {
		c->last_command = ts;
		c->history_len = 0;
	}
	memcpy(c->history[c->history_len++], digest, 16);
	if (ts > c->time_floor)
		c->time_floor = ts;
}

/* Handles a frame on the control topic. */
static int recv_command(struct e4_client *c, const uint8_t *frame, size_t frame_len,
                        struct e4_recv_info *info)
{
	uint8_t cmd[E4_COMMAND_MAX], digest[16];
	size_t cmd_len;
	uint64_t ts, ack_ts;
	struct e4_keyed *k;
	struct when w;
	int err, serr, have_digest = 0;

	if (c->mode == E4_MODE_PUBKEY && !c->has_c2_key)
		return E4_ERR_NO_C2_KEY;
	if (frame_len < E4_HEADER_LEN)
		return E4_ERR_TOO_SHORT;
	cmd_len = frame_len - E4_HEADER_LEN;
	if (cmd_len < 1 || cmd_len > E4_COMMAND_MAX)
		return E4_ERR_COMMAND_LENGTH;
	err = open_command(c, cmd, frame, frame_len);
	if (err != 0)
		goto out;
	ts = e4_load_le64(frame);
	e4__client_now(c, &w.now, &w.have_clock);
	err = e4_command_digest(digest, frame, frame_len);
	have_digest = err == 0;
	if (err == 0)
		err = check_ts(c, &w, ts);
	/* Authenticated and within policy: C2 time, even if the command is refused. */
	if (err == 0 && ts > c->time_floor)
		c->time_floor = ts;
	if (err == 0)
		err = check_monotonic(c, ts, digest);
	if (err == 0)
		err = e4__command_apply(c, cmd, cmd_len, w.have_clock ? w.now : ts, info);
	if (err == 0) {
		record_command(c, ts, digest);
		serr = e4_client_save(c);
		if (serr != 0)
			err = serr;
	}
	if (info != NULL) {
		info->is_command = 1;
		info->command = cmd[0];
		info->timestamp = ts;
	}
	/*
	 * Every authenticated command is acknowledged, applied or refused, under
	 * the device key as it is now (the new one after SetIDKey), with the
	 * key schedule the client keeps and the digest computed above.
	 */
	ack_ts = w.have_clock ? w.now : c->time_floor;
	c->ack_len = 0;
	k = have_digest ? e4__client_keyed(c, c->key) : NULL;
	if (k != NULL && e4__ack_seal_keyed(k, c->ack, ack_ts, digest, e4__ack_status(err)) == 0) {
		c->ack_len = E4_ACK_FRAME_LEN;
		if (info != NULL)
			info->has_ack = 1;
	}
out:
	e4_wipe(cmd, sizeof(cmd));
	return err;
}

/* Verifies the signature of a pubkey-mode message. */
static int check_sender(const struct e4_client *c, const uint8_t *frame, size_t frame_len,
                        struct e4_recv_info *info)
{
	const uint8_t *pub = e4__pubkey_find(c, frame + E4_TIMESTAMP_LEN);

	if (info != NULL)
		memcpy(info->sender, frame + E4_TIMESTAMP_LEN, E4_ID_LEN);
	if (pub == NULL)
		return c->cfg.accept_unknown_senders ? 0 : E4_ERR_UNKNOWN_SENDER;
	return e4_pk_frame_verify(frame, frame_len, pub);
}

/* Decrypts with the topic's current, announced, then old (unexpired) key. */
static int open_message(struct e4_client *c, uint8_t *out, const uint8_t hash[E4_HASH_LEN],
                        const struct when *w, const uint8_t *frame, size_t frame_len)
{
	static const uint32_t order[] = { SLOT_CURRENT, SLOT_NEXT, SLOT_OLD };
	int err = E4_ERR_NO_TOPIC_KEY;
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		struct e4_topic_slot *s = e4__topic_find(c, hash, order[i]);
		struct e4_keyed *k;

		if (s == NULL)
			continue;
		if (s->kind == SLOT_OLD && w->now > s->expiry) {
			e4__client_forget_key(c, s->key);
			e4_wipe(s, sizeof(*s));
			continue;
		}
		k = e4__client_keyed(c, s->key);
		if (k == NULL)
			return E4_ERR_CRYPTO;
		if (c->mode == E4_MODE_PUBKEY)
			err = e4__pk_frame_open_keyed(k, out, frame, frame_len);
		else
			err = e4__frame_open_keyed(k, out, frame, frame_len);
		if (err != E4_ERR_AUTH)
			return err;
	}
	return err;
}

/* Handles a frame on a data topic. */
static int recv_message(struct e4_client *c, uint8_t *out, size_t out_cap, size_t *out_len,
                        const char *topic, const uint8_t *frame, size_t frame_len,
                        struct e4_recv_info *info)
{
	size_t over = c->mode == E4_MODE_PUBKEY ? E4_PK_OVERHEAD : E4_HEADER_LEN;
	size_t tag_at = c->mode == E4_MODE_PUBKEY ? E4_TIMESTAMP_LEN + E4_ID_LEN : E4_TIMESTAMP_LEN;
	uint8_t hash[E4_HASH_LEN], digest[16];
	uint64_t ts;
	struct when w;
	size_t i;
	int err;

	if (frame_len < over)
		return E4_ERR_TOO_SHORT;
	if (out_cap < frame_len - over) {
		*out_len = frame_len - over;
		return E4_ERR_BUFSIZE;
	}
	if (out == NULL && frame_len > over)
		return E4_ERR_INVALID_ARG;
	ts = e4_load_le64(frame);
	e4__client_now(c, &w.now, &w.have_clock);
	err = check_ts(c, &w, ts);
	if (err == 0 && c->mode == E4_MODE_PUBKEY)
		err = check_sender(c, frame, frame_len, info);
	if (err == 0)
		err = e4__topic_hash_memo(c, topic, hash);
	if (err == 0)
		err = open_message(c, out, hash, &w, frame, frame_len);
	if (err != 0)
		return err;
	/*
	 * The authenticated SIV tag, bound to the topic (and in pubkey mode to
	 * the signer: two senders of the same plaintext in the same second
	 * have equal tags), identifies the frame.
	 */
	for (i = 0; i < 16; i++)
		digest[i] = (uint8_t)(frame[tag_at + i] ^ hash[i] ^
		                      (c->mode == E4_MODE_PUBKEY ? frame[E4_TIMESTAMP_LEN + i] : 0));
	err = e4_replay_check(&c->replay, digest, ts, w.have_clock ? w.now : c->time_floor,
	                      c->cfg.max_age);
	if (err != 0) {
		e4_wipe(out, frame_len - over);
		return err;
	}
	*out_len = frame_len - over;
	if (info != NULL)
		info->timestamp = ts;
	return 0;
}

int e4_unprotect(struct e4_client *c, uint8_t *out, size_t out_cap, size_t *out_len,
                 const char *topic, const uint8_t *frame, size_t frame_len,
                 struct e4_recv_info *info)
{
	size_t tlen;
	int err;

	if (out_len == NULL)
		return E4_ERR_INVALID_ARG;
	*out_len = 0;
	if (info != NULL)
		memset(info, 0, sizeof(*info));
	if (c == NULL || c->magic != E4__MAGIC)
		err = E4_ERR_NOT_INITIALISED;
	else if (frame == NULL)
		err = E4_ERR_INVALID_ARG;
	else
		err = e4__topic_len(topic, &tlen);
	if (err == 0 && tlen == E4_CONTROL_TOPIC_CAP - 1 &&
	    memcmp(topic, c->control_topic, tlen) == 0)
		err = recv_command(c, frame, frame_len, info);
	else if (err == 0)
		err = recv_message(c, out, out_cap, out_len, topic, frame, frame_len, info);
	if (err != 0 && err != E4_ERR_BUFSIZE) {
		if (out != NULL)
			e4_wipe(out, out_cap);
		*out_len = 0;
	}
	return err;
}

int e4_client_ack(struct e4_client *c, uint8_t *out, size_t out_cap, size_t *out_len)
{
	if (out_len == NULL)
		return E4_ERR_INVALID_ARG;
	*out_len = 0;
	if (c == NULL || c->magic != E4__MAGIC || c->ack_len == 0) {
		if (out != NULL)
			e4_wipe(out, out_cap);
		return c == NULL || c->magic != E4__MAGIC ? E4_ERR_NOT_INITIALISED : E4_ERR_NOT_FOUND;
	}
	if (out_cap < c->ack_len) {
		*out_len = c->ack_len;
		return E4_ERR_BUFSIZE;
	}
	if (out == NULL)
		return E4_ERR_INVALID_ARG;
	memcpy(out, c->ack, c->ack_len);
	*out_len = c->ack_len;
	c->ack_len = 0;
	return 0;
}
