/*
 * command.c - C2 commands: building, argument lengths, acks, and their
 * application to a client's state.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "internal.h"

int e4_command_args_len(int mode, uint8_t code)
{
	int pk = mode == E4_MODE_PUBKEY;

	if (mode != E4_MODE_SYMKEY && mode != E4_MODE_PUBKEY)
		return E4_ERR_INVALID_ARG;
	switch (code) {
	case E4_CMD_REMOVE_TOPIC:       return E4_HASH_LEN;
	case E4_CMD_RESET_TOPICS:       return 0;
	case E4_CMD_SET_ID_KEY:         return pk ? E4_ED25519_SK_LEN : E4_KEY_LEN;
	case E4_CMD_SET_TOPIC_KEY:      return E4_KEY_LEN + E4_HASH_LEN;
	case E4_CMD_REMOVE_PUBKEY:      return E4_ID_LEN;
	case E4_CMD_RESET_PUBKEYS:      return 0;
	case E4_CMD_SET_PUBKEY:         return E4_ED25519_PK_LEN + E4_ID_LEN;
	case E4_CMD_SET_C2_KEY:         return E4_CURVE_PK_LEN;
	case E4_CMD_SET_TOPIC_KEY_NEXT: return E4_KEY_LEN + E4_HASH_LEN;
	case E4_CMD_HEARTBEAT:          return 0;
	case E4_CMD_REPLACE_TOPIC_KEY:  return E4_KEY_LEN + E4_HASH_LEN;
	case E4_CMD_RETIRE_ID_KEY:      return 0;
	default:                        return E4_ERR_UNKNOWN_COMMAND;
	}
}

int e4_command_build(uint8_t *out, size_t out_cap, size_t *out_len, int mode,
                     uint8_t code, const uint8_t *args, size_t args_len)
{
	int want = e4_command_args_len(mode, code);

	if (out_len == NULL)
		return E4_ERR_INVALID_ARG;
	*out_len = 0;
	if (want >= 0 && ((size_t)want != args_len || (args == NULL && args_len > 0)))
		want = E4_ERR_COMMAND_LENGTH;
	if (want < 0) {
		if (out != NULL)
			e4_wipe(out, out_cap);
		return want;
	}
	if (out_cap < 1 + args_len) {
		*out_len = 1 + args_len;
		return E4_ERR_BUFSIZE;
	}
	if (out == NULL)
		return E4_ERR_INVALID_ARG;
	out[0] = code;
	if (args_len > 0)
		memcpy(out + 1, args, args_len);
	*out_len = 1 + args_len;
	return 0;
}

int e4_command_digest(uint8_t digest[16], const uint8_t *cmd_frame, size_t len)
{
	return e4_hash16(digest, cmd_frame, len);
}

/* The plaintext of an ack: code, digest of the command frame, status. */
static void ack_plain(uint8_t plain[E4_ACK_PLAIN_LEN], const uint8_t digest[16], uint8_t status)
{
	plain[0] = E4_ACK_CODE;
	memcpy(plain + 1, digest, 16);
	plain[17] = status;
}

int e4__ack_seal_keyed(struct e4_keyed *k, uint8_t out[E4_ACK_FRAME_LEN], uint64_t ts,
                       const uint8_t digest[16], uint8_t status)
{
	uint8_t plain[E4_ACK_PLAIN_LEN];
	int err;

	ack_plain(plain, digest, status);
	err = e4__frame_seal_keyed(k, out, ts, plain, sizeof(plain));
	e4_wipe(plain, sizeof(plain));
	return err;
}

int e4_ack_seal(uint8_t *out, size_t out_cap, size_t *out_len,
                const uint8_t key[E4_KEY_LEN], uint64_t ts,
                const uint8_t *cmd_frame, size_t cmd_frame_len, uint8_t status)
{
	uint8_t plain[E4_ACK_PLAIN_LEN], digest[16];
	int err;

	err = cmd_frame == NULL ? E4_ERR_INVALID_ARG :
	      e4_command_digest(digest, cmd_frame, cmd_frame_len);
	if (err == 0) {
		ack_plain(plain, digest, status);
		return e4_frame_seal(out, out_cap, out_len, key, ts, plain, sizeof(plain));
	}
	if (out_len != NULL) {
		if (out != NULL)
			e4_wipe(out, out_cap);
		*out_len = 0;
	}
	return err;
}

int e4_ack_open(const uint8_t key[E4_KEY_LEN], const uint8_t *frame, size_t frame_len,
                uint8_t digest[16], uint8_t *status, uint64_t *ts)
{
	uint8_t plain[E4_ACK_PLAIN_LEN];
	size_t len = 0;
	int err;

	if (digest == NULL || status == NULL)
		return E4_ERR_INVALID_ARG;
	if (frame_len != E4_ACK_FRAME_LEN)
		return frame_len < E4_HEADER_LEN ? E4_ERR_TOO_SHORT : E4_ERR_BAD_ACK;
	err = e4_frame_open(plain, sizeof(plain), &len, key, ts, frame, frame_len);
	if (err != 0)
		return err;
	if (len != E4_ACK_PLAIN_LEN || plain[0] != E4_ACK_CODE)
		return E4_ERR_BAD_ACK;
	memcpy(digest, plain + 1, 16);
	*status = plain[17];
	return 0;
}

uint8_t e4__ack_status(int err)
{
	switch (err) {
	case 0:                       return E4_ACK_APPLIED;
	case E4_ERR_COMMAND_REPLAY:   return E4_ACK_DUPLICATE;
	case E4_ERR_COMMAND_STALE:    return E4_ACK_STALE;
	case E4_ERR_TOO_OLD:          return E4_ACK_STALE;
	case E4_ERR_COMMAND_LENGTH:   return E4_ACK_BAD_LENGTH;
	case E4_ERR_UNKNOWN_COMMAND:  return E4_ACK_UNKNOWN;
	case E4_ERR_TABLE_FULL:       return E4_ACK_TABLE_FULL;
	case E4_ERR_WRONG_MODE:       return E4_ACK_WRONG_MODE;
	case E4_ERR_COMMAND_BURST:    return E4_ACK_BURST;
	case E4_ERR_STORE_IO:         return E4_ACK_STORE_FAILED;
	default:                      return E4_ACK_FAILED;
	}
}

/* Applies a pubkey-only command; E4_ERR_WRONG_MODE in symkey mode. */
static int apply_pubkey_cmd(struct e4_client *c, uint8_t code, const uint8_t *a)
{
	if (c->mode != E4_MODE_PUBKEY)
		return E4_ERR_WRONG_MODE;
	switch (code) {
	case E4_CMD_REMOVE_PUBKEY:
		(void)e4__pubkey_remove(c, a);
		return 0;
	case E4_CMD_RESET_PUBKEYS:
		e4__pubkeys_reset(c);
		return 0;
	case E4_CMD_SET_PUBKEY:
		return e4_client_set_pubkey(c, a + E4_ED25519_PK_LEN, a);
	case E4_CMD_SET_C2_KEY:
		return e4_client_set_c2_key(c, a);
	default:
		return E4_ERR_UNKNOWN_COMMAND;
	}
}

int e4__command_apply(struct e4_client *c, const uint8_t *cmd, size_t len,
                      uint64_t now, struct e4_recv_info *info)
{
	const uint8_t *a = cmd + 1;
	int want;

	if (len < 1)
		return E4_ERR_COMMAND_LENGTH;
	want = e4_command_args_len((int)c->mode, cmd[0]);
	if (want < 0)
		return want;
	if ((size_t)want != len - 1)
		return E4_ERR_COMMAND_LENGTH;
	if (info != NULL) {
		info->command = cmd[0];
		if (cmd[0] == E4_CMD_REMOVE_TOPIC)
			memcpy(info->topic_hash, a, E4_HASH_LEN);
		else if (cmd[0] == E4_CMD_SET_TOPIC_KEY || cmd[0] == E4_CMD_SET_TOPIC_KEY_NEXT ||
		         cmd[0] == E4_CMD_REPLACE_TOPIC_KEY)
			memcpy(info->topic_hash, a + E4_KEY_LEN, E4_HASH_LEN);
		else if (cmd[0] == E4_CMD_REMOVE_PUBKEY)
			memcpy(info->sender, a, E4_ID_LEN);
		else if (cmd[0] == E4_CMD_SET_PUBKEY)
			memcpy(info->sender, a + E4_ED25519_PK_LEN, E4_ID_LEN);
	}
	switch (cmd[0]) {
	case E4_CMD_REMOVE_TOPIC:
		e4__topic_remove(c, a);
		return 0;
	case E4_CMD_RESET_TOPICS:
		e4__topic_reset(c);
		return 0;
	case E4_CMD_SET_ID_KEY:
		return e4__client_set_id_key(c, a, len - 1);
	case E4_CMD_SET_TOPIC_KEY:
		return e4__topic_set(c, a + E4_KEY_LEN, a, now);
	case E4_CMD_SET_TOPIC_KEY_NEXT:
		return e4__topic_set_next(c, a + E4_KEY_LEN, a);
	case E4_CMD_REPLACE_TOPIC_KEY:
		return e4__topic_replace(c, a + E4_KEY_LEN, a);
	case E4_CMD_HEARTBEAT:
		return 0;
	case E4_CMD_RETIRE_ID_KEY:
		e4__client_retire_id_key(c);
		return 0;
	default:
		return apply_pubkey_cmd(c, cmd[0], a);
	}
}
