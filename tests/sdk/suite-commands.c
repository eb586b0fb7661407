/*
 * suite-commands.c - C2 commands applied through e4_unprotect on the
 * control topic: lengths, codes, effects, device key change, and
 * monotonicity (stale, replayed, burst).
 */
#include <string.h>

#include "helpers.h"

static const uint8_t dev_id[E4_ID_LEN] = { 0xc0, 0x3d };
static const uint8_t dev_key[E4_KEY_LEN] = { 0x5e, 0xc7 };
#define T0 1760000000ull

/* SetTopicKey / SetTopicKeyNext arguments for topic with key k. */
static void topic_args(uint8_t args[48], const char *topic, const uint8_t k[32])
{
	memcpy(args, k, 32);
	ck_assert_int_eq(e4_topic_hash(args + 32, topic), 0);
}

/* Seals msg with k at ts and unprotects it on topic through f. */
static int deliver(struct fixture *f, const char *topic, const uint8_t k[32], uint64_t ts)
{
	uint8_t frame[E4_PROTECTED_LEN(4)], out[4];
	size_t len, out_len;

	ck_assert_int_eq(e4_frame_seal(frame, sizeof(frame), &len, k, ts,
	                               (const uint8_t *)"ping", 4), 0);
	return fx_unprotect(f, out, sizeof(out), &out_len, topic, frame, len);
}

START_TEST(wrong_command_lengths_are_rejected_for_every_code)
{
	uint8_t args[80], frame[E4_PROTECTED_LEN(81)];
	size_t len;
	struct fixture f;
	const uint64_t ts = T0;
	int code, mode;

	fx_bytes(args, sizeof(args), 1);
	for (mode = E4_MODE_SYMKEY; mode <= E4_MODE_PUBKEY; mode++) {
		uint8_t sk[64], pub[32];

		if (mode == E4_MODE_SYMKEY) {
			fx_init(&f, dev_id, dev_key, T0, 0);
		} else {
			uint8_t c2[32];

			ck_assert_int_eq(e4_ed25519_keypair(pub, sk), 0);
			ck_assert_int_eq(e4_ed25519_keypair(c2, args + 16), 0);
			fx_init_pk(&f, dev_id, sk, c2, T0, 0);
		}
		for (code = 0; code <= E4_CMD_LAST; code++) {
			int want = e4_command_args_len(mode, (uint8_t)code);
			size_t bad[4], i, nbad = 0;

			ck_assert_int_ge(want, 0);
			if (want > 0) {
				bad[nbad++] = (size_t)want - 1;
				bad[nbad++] = 0;
			}
			bad[nbad++] = (size_t)want + 1;
			bad[nbad++] = E4_COMMAND_MAX; /* one byte too many for any code */
			for (i = 0; i < nbad; i++) {
				fx_cmd_seal(frame, sizeof(frame), &len, f.c.key, ts, (uint8_t)code,
				            args, bad[i]);
				ck_assert_msg(fx_command(&f, frame, len, NULL) == E4_ERR_COMMAND_LENGTH,
				              "mode %d code %d length %zu accepted", mode, code, bad[i]);
				if (bad[i] + 1 <= E4_COMMAND_MAX) {
					fx_check_ack(&f, f.c.key, frame, len, E4_ACK_BAD_LENGTH);
				} else {
					/* Longer than any command: refused before authentication. */
					uint8_t ack[64];
					size_t ack_len;

					ck_assert_int_eq(e4_client_ack(&f.c, ack, sizeof(ack), &ack_len),
					                 E4_ERR_NOT_FOUND);
				}
			}
		}
		/* Nothing was applied. */
		ck_assert_uint_eq(f.c.last_command, 0);
		e4_client_wipe(&f.c);
	}
}
END_TEST

START_TEST(frames_too_short_or_too_long_for_any_command_are_rejected)
{
	uint8_t big[E4_PROTECTED_LEN(E4_COMMAND_MAX + 1)], frame[E4_HEADER_LEN];
	size_t len;
	struct fixture f;

	fx_init(&f, dev_id, dev_key, T0, 0);
	ck_assert_int_eq(e4_frame_seal(frame, sizeof(frame), &len, dev_key, T0, NULL, 0), 0);
	ck_assert_int_eq(fx_command(&f, frame, len, NULL), E4_ERR_COMMAND_LENGTH);
	ck_assert_int_eq(fx_command(&f, frame, 23, NULL), E4_ERR_TOO_SHORT);
	memset(big, 0, sizeof(big));
	ck_assert_int_eq(fx_command(&f, big, sizeof(big), NULL), E4_ERR_COMMAND_LENGTH);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(unknown_command_codes_are_rejected)
{
	uint8_t frame[E4_PROTECTED_LEN(1)];
	size_t len;
	struct fixture f;
	int code;

	fx_init(&f, dev_id, dev_key, T0, 0);
	for (code = E4_CMD_LAST + 1; code < 256; code++) {
		fx_cmd_seal(frame, sizeof(frame), &len, dev_key, T0, (uint8_t)code, NULL, 0);
		ck_assert_int_eq(fx_command(&f, frame, len, NULL), E4_ERR_UNKNOWN_COMMAND);
		fx_check_ack(&f, dev_key, frame, len, E4_ACK_UNKNOWN);
	}
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(command_under_a_wrong_key_is_refused_without_ack)
{
	uint8_t wrong[32] = { 1 }, ack[64];
	size_t len;
	struct fixture f;

	fx_init(&f, dev_id, dev_key, T0, 0);
	ck_assert_int_eq(fx_send(&f, wrong, T0, E4_CMD_RESET_TOPICS, NULL, 0), E4_ERR_AUTH);
	ck_assert_int_eq(e4_client_ack(&f.c, ack, sizeof(ack), &len), E4_ERR_NOT_FOUND);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(set_topic_key_command_sets_the_key)
{
	uint8_t k[32], args[48];
	struct e4_recv_info info;
	uint8_t frame[E4_PROTECTED_LEN(49)];
	size_t len;
	struct fixture f;

	fx_bytes(k, sizeof(k), 1);
	topic_args(args, "a/b", k);
	fx_init(&f, dev_id, dev_key, T0, 0);
	fx_cmd_seal(frame, sizeof(frame), &len, dev_key, T0, E4_CMD_SET_TOPIC_KEY, args, 48);
	ck_assert_int_eq(fx_command(&f, frame, len, &info), 0);
	ck_assert_uint_eq(info.is_command, 1);
	ck_assert_uint_eq(info.command, E4_CMD_SET_TOPIC_KEY);
	ck_assert_mem_eq(info.topic_hash, args + 32, 16);
	ck_assert_uint_eq(e4_client_topic_count(&f.c), 1);
	ck_assert_int_eq(fx_protected_with(&f, "a/b", k), 0);
	ck_assert_int_eq(deliver(&f, "a/b", k, T0), 0);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(remove_topic_command_removes_every_key_of_the_topic)
{
	uint8_t k1[32], k2[32], k3[32], args[48], hash[16];
	struct fixture f;

	fx_bytes(k1, sizeof(k1), 1);
	fx_bytes(k2, sizeof(k2), 2);
	fx_bytes(k3, sizeof(k3), 3);
	fx_init(&f, dev_id, dev_key, T0, 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "x", k1), 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "x", k2), 0); /* k1 in transition */
	topic_args(args, "x", k3);
	ck_assert_int_eq(fx_send(&f, dev_key, T0, E4_CMD_SET_TOPIC_KEY_NEXT, args, 48), 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "y", k1), 0);
	ck_assert_int_eq(e4_topic_hash(hash, "x"), 0);
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + 1, E4_CMD_REMOVE_TOPIC, hash, 16), 0);
	ck_assert_uint_eq(e4_client_topic_count(&f.c), 1);
	ck_assert_int_eq(deliver(&f, "x", k1, T0 + 1), E4_ERR_NO_TOPIC_KEY);
	ck_assert_int_eq(deliver(&f, "x", k2, T0 + 1), E4_ERR_NO_TOPIC_KEY);
	ck_assert_int_eq(deliver(&f, "x", k3, T0 + 1), E4_ERR_NO_TOPIC_KEY);
	ck_assert_int_eq(deliver(&f, "y", k1, T0 + 1), 0);
	/* Removing a topic that has no key is not an error. */
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + 2, E4_CMD_REMOVE_TOPIC, hash, 16), 0);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(reset_topics_command_clears_the_table)
{
	uint8_t k[32];
	struct fixture f;

	fx_bytes(k, sizeof(k), 1);
	fx_init(&f, dev_id, dev_key, T0, 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "x", k), 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "y", k), 0);
	ck_assert_int_eq(fx_send(&f, dev_key, T0, E4_CMD_RESET_TOPICS, NULL, 0), 0);
	ck_assert_uint_eq(e4_client_topic_count(&f.c), 0);
	ck_assert_wiped((const uint8_t *)f.topics, sizeof(f.topics));
	ck_assert_int_eq(deliver(&f, "x", k, T0), E4_ERR_NO_TOPIC_KEY);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(set_topic_key_command_with_the_same_key_changes_nothing)
{
	uint8_t k1[32], k2[32], args[48], before[sizeof(((struct fixture *)0)->topics)];
	struct fixture f;

	fx_bytes(k1, sizeof(k1), 1);
	fx_bytes(k2, sizeof(k2), 2);
	fx_init(&f, dev_id, dev_key, T0, 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "x", k1), 0);
	topic_args(args, "x", k2);
	ck_assert_int_eq(fx_send(&f, dev_key, T0, E4_CMD_SET_TOPIC_KEY, args, 48), 0);
	memcpy(before, f.topics, sizeof(before));
	f.now = T0 + 1000;
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + 1000, E4_CMD_SET_TOPIC_KEY, args, 48), 0);
	ck_assert_mem_eq(before, f.topics, sizeof(before));
	/* In particular k1's transition did not restart and k2 stays current. */
	f.now = T0 + E4_DEFAULT_TRANSITION + 1;
	ck_assert_int_eq(deliver(&f, "x", k1, f.now), E4_ERR_AUTH);
	ck_assert_int_eq(fx_protected_with(&f, "x", k2), 0);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(set_topic_key_command_keeps_the_old_key_during_the_transition)
{
	uint8_t k1[32], k2[32], args[48];
	struct fixture f;

	fx_bytes(k1, sizeof(k1), 1);
	fx_bytes(k2, sizeof(k2), 2);
	fx_init(&f, dev_id, dev_key, T0, 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "x", k1), 0);
	topic_args(args, "x", k2);
	f.now = T0 + 50;
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + 40, E4_CMD_SET_TOPIC_KEY, args, 48), 0);
	ck_assert_int_eq(fx_protected_with(&f, "x", k2), 0);
	ck_assert_int_eq(deliver(&f, "x", k1, f.now), 0);
	/* The window runs from the device's clock when the command arrived. */
	f.now = T0 + 50 + E4_DEFAULT_TRANSITION;
	ck_assert_int_eq(deliver(&f, "x", k1, f.now), 0);
	f.now++;
	ck_assert_int_eq(deliver(&f, "x", k1, f.now), E4_ERR_AUTH);
	ck_assert_int_eq(deliver(&f, "x", k2, f.now), 0);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(next_topic_key_decrypts_but_protects_only_after_set_topic_key)
{
	uint8_t k1[32], k2[32], args[48];
	struct fixture f;

	fx_bytes(k1, sizeof(k1), 1);
	fx_bytes(k2, sizeof(k2), 2);
	fx_init(&f, dev_id, dev_key, T0, 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "x", k1), 0);
	topic_args(args, "x", k2);
	ck_assert_int_eq(fx_send(&f, dev_key, T0, E4_CMD_SET_TOPIC_KEY_NEXT, args, 48), 0);
	ck_assert_uint_eq(e4_client_topic_count(&f.c), 1);
	ck_assert_int_eq(fx_protected_with(&f, "x", k1), 0);
	ck_assert_int_eq(deliver(&f, "x", k2, T0), 0);
	ck_assert_int_eq(deliver(&f, "x", k1, T0), 0);
	/* SetTopicKey with the announced key promotes it; k1 enters its transition. */
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + 1, E4_CMD_SET_TOPIC_KEY, args, 48), 0);
	ck_assert_uint_eq(e4_client_topic_count(&f.c), 1);
	ck_assert_int_eq(fx_protected_with(&f, "x", k2), 0);
	ck_assert_int_eq(deliver(&f, "x", k1, T0 + 1), 0);
	f.now = T0 + E4_DEFAULT_TRANSITION + 1;
	ck_assert_int_eq(deliver(&f, "x", k1, f.now), E4_ERR_AUTH);
	ck_assert_int_eq(deliver(&f, "x", k2, f.now), 0);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(next_topic_key_for_an_unknown_topic_does_not_protect)
{
	uint8_t k[32], args[48];
	struct fixture f;

	fx_bytes(k, sizeof(k), 1);
	fx_init(&f, dev_id, dev_key, T0, 0);
	topic_args(args, "new", k);
	ck_assert_int_eq(fx_send(&f, dev_key, T0, E4_CMD_SET_TOPIC_KEY_NEXT, args, 48), 0);
	ck_assert_uint_eq(e4_client_topic_count(&f.c), 0);
	ck_assert_int_eq(fx_protected_with(&f, "new", k), E4_ERR_NO_TOPIC_KEY);
	ck_assert_int_eq(deliver(&f, "new", k, T0), 0);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(second_rekey_during_a_transition_drops_the_oldest_key)
{
	uint8_t k1[32], k2[32], k3[32], args[48];
	struct fixture f;

	fx_bytes(k1, sizeof(k1), 1);
	fx_bytes(k2, sizeof(k2), 2);
	fx_bytes(k3, sizeof(k3), 3);
	fx_init(&f, dev_id, dev_key, T0, 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "x", k1), 0);
	topic_args(args, "x", k2);
	ck_assert_int_eq(fx_send(&f, dev_key, T0, E4_CMD_SET_TOPIC_KEY, args, 48), 0);
	topic_args(args, "x", k3);
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + 1, E4_CMD_SET_TOPIC_KEY, args, 48), 0);
	ck_assert_int_eq(fx_protected_with(&f, "x", k3), 0);
	ck_assert_int_eq(deliver(&f, "x", k2, T0 + 1), 0);
	ck_assert_int_eq(deliver(&f, "x", k1, T0 + 1), E4_ERR_AUTH);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(a_new_next_key_replaces_the_announced_one)
{
	uint8_t k1[32], k2[32], k3[32], args[48];
	struct fixture f;

	fx_bytes(k1, sizeof(k1), 1);
	fx_bytes(k2, sizeof(k2), 2);
	fx_bytes(k3, sizeof(k3), 3);
	fx_init(&f, dev_id, dev_key, T0, 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "x", k1), 0);
	topic_args(args, "x", k2);
	ck_assert_int_eq(fx_send(&f, dev_key, T0, E4_CMD_SET_TOPIC_KEY_NEXT, args, 48), 0);
	topic_args(args, "x", k3);
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + 1, E4_CMD_SET_TOPIC_KEY_NEXT, args, 48), 0);
	ck_assert_int_eq(deliver(&f, "x", k3, T0 + 1), 0);
	ck_assert_int_eq(deliver(&f, "x", k2, T0 + 1), E4_ERR_AUTH);
	/* Announcing the current key changes nothing. */
	topic_args(args, "x", k1);
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + 2, E4_CMD_SET_TOPIC_KEY_NEXT, args, 48), 0);
	ck_assert_int_eq(deliver(&f, "x", k3, T0 + 2), 0);
	ck_assert_int_eq(fx_protected_with(&f, "x", k1), 0);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(set_id_key_old_key_works_until_first_command_under_new_key)
{
	uint8_t k2[32], k3[32];
	struct fixture f;

	fx_bytes(k2, sizeof(k2), 2);
	fx_bytes(k3, sizeof(k3), 3);
	fx_init(&f, dev_id, dev_key, T0, FX_STORE);
	ck_assert_int_eq(fx_send(&f, dev_key, T0, E4_CMD_SET_ID_KEY, k2, 32), 0);
	ck_assert_mem_eq(f.c.key, k2, 32);
	/* The old key still authenticates commands (several times). */
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + 1, E4_CMD_HEARTBEAT, NULL, 0), 0);
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + 2, E4_CMD_RESET_TOPICS, NULL, 0), 0);
	fx_check_reload(&f);
	/* The first command under the new key retires the old one. */
	ck_assert_int_eq(fx_send(&f, k2, T0 + 3, E4_CMD_HEARTBEAT, NULL, 0), 0);
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + 4, E4_CMD_HEARTBEAT, NULL, 0), E4_ERR_AUTH);
	ck_assert_int_eq(fx_send(&f, k2, T0 + 5, E4_CMD_HEARTBEAT, NULL, 0), 0);
	fx_check_reload(&f);
	/* A second change: k2 stays valid until k3 is used, the original never again. */
	ck_assert_int_eq(fx_send(&f, k2, T0 + 6, E4_CMD_SET_ID_KEY, k3, 32), 0);
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + 7, E4_CMD_HEARTBEAT, NULL, 0), E4_ERR_AUTH);
	ck_assert_int_eq(fx_send(&f, k2, T0 + 8, E4_CMD_HEARTBEAT, NULL, 0), 0);
	ck_assert_int_eq(fx_send(&f, k3, T0 + 9, E4_CMD_HEARTBEAT, NULL, 0), 0);
	ck_assert_int_eq(fx_send(&f, k2, T0 + 10, E4_CMD_HEARTBEAT, NULL, 0), E4_ERR_AUTH);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(set_id_key_with_the_current_key_keeps_no_previous_key)
{
	struct fixture f;

	fx_init(&f, dev_id, dev_key, T0, 0);
	ck_assert_int_eq(fx_send(&f, dev_key, T0, E4_CMD_SET_ID_KEY, dev_key, 32), 0);
	ck_assert_uint_eq(f.c.has_prev_key, 0);
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + 1, E4_CMD_HEARTBEAT, NULL, 0), 0);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(older_command_is_stale_even_without_a_clock)
{
	struct fixture f;

	fx_init(&f, dev_id, dev_key, 0, FX_CLOCKLESS);
	ck_assert_int_eq(fx_send(&f, dev_key, T0, E4_CMD_HEARTBEAT, NULL, 0), 0);
	ck_assert_int_eq(fx_send(&f, dev_key, T0 - 1, E4_CMD_RESET_TOPICS, NULL, 0),
	                 E4_ERR_COMMAND_STALE);
	ck_assert_int_eq(fx_send(&f, dev_key, T0 - 500, E4_CMD_HEARTBEAT, NULL, 0),
	                 E4_ERR_COMMAND_STALE);
	/* Same timestamp, different command: accepted. */
	ck_assert_int_eq(fx_send(&f, dev_key, T0, E4_CMD_RESET_TOPICS, NULL, 0), 0);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(same_command_frame_is_never_applied_twice)
{
	uint8_t k[32], args[48], frame[E4_PROTECTED_LEN(49)];
	size_t len;
	struct fixture f;

	fx_bytes(k, sizeof(k), 1);
	topic_args(args, "x", k);
	fx_init(&f, dev_id, dev_key, T0, 0);
	fx_cmd_seal(frame, sizeof(frame), &len, dev_key, T0, E4_CMD_SET_TOPIC_KEY, args, 48);
	ck_assert_int_eq(fx_command(&f, frame, len, NULL), 0);
	ck_assert_int_eq(fx_send(&f, dev_key, T0, E4_CMD_RESET_TOPICS, NULL, 0), 0);
	ck_assert_int_eq(fx_command(&f, frame, len, NULL), E4_ERR_COMMAND_REPLAY);
	ck_assert_uint_eq(e4_client_topic_count(&f.c), 0);
	/* Once a later command is applied, the old frame is stale instead. */
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + 1, E4_CMD_HEARTBEAT, NULL, 0), 0);
	ck_assert_int_eq(fx_command(&f, frame, len, NULL), E4_ERR_COMMAND_STALE);
	ck_assert_uint_eq(e4_client_topic_count(&f.c), 0);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(same_command_frame_is_refused_after_a_reload)
{
	uint8_t k[32], args[48], frame[E4_PROTECTED_LEN(49)];
	size_t len;
	struct fixture f, g;

	fx_bytes(k, sizeof(k), 1);
	topic_args(args, "x", k);
	fx_init(&f, dev_id, dev_key, T0, FX_STORE);
	fx_cmd_seal(frame, sizeof(frame), &len, dev_key, T0, E4_CMD_SET_TOPIC_KEY, args, 48);
	ck_assert_int_eq(fx_command(&f, frame, len, NULL), 0);
	/* A rebooted device loads its state and still refuses the frame. */
	fx_init(&g, dev_id, dev_key, T0, FX_STORE);
	memcpy(g.mem_buf, f.mem_buf, f.mem.len);
	g.mem.len = f.mem.len;
	ck_assert_int_eq(e4_client_load(&g.c, &g.cfg), 0);
	ck_assert_int_eq(fx_command(&g, frame, len, NULL), E4_ERR_COMMAND_REPLAY);
	ck_assert_int_eq(fx_send(&g, dev_key, T0 - 1, E4_CMD_RESET_TOPICS, NULL, 0),
	                 E4_ERR_COMMAND_STALE);
	ck_assert_uint_eq(e4_client_topic_count(&g.c), 1);
	e4_client_wipe(&f.c);
	e4_client_wipe(&g.c);
}
END_TEST

START_TEST(burst_of_commands_with_one_timestamp_is_limited)
{
	uint8_t hash[16];
	struct fixture f;
	int i;

	fx_init(&f, dev_id, dev_key, T0, 0);
	for (i = 0; i < E4_COMMAND_HISTORY; i++) {
		memset(hash, i, sizeof(hash));
		ck_assert_int_eq(fx_send(&f, dev_key, T0, E4_CMD_REMOVE_TOPIC, hash, 16), 0);
	}
	memset(hash, 0xee, sizeof(hash));
	ck_assert_int_eq(fx_send(&f, dev_key, T0, E4_CMD_REMOVE_TOPIC, hash, 16),
	                 E4_ERR_COMMAND_BURST);
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + 1, E4_CMD_REMOVE_TOPIC, hash, 16), 0);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(pubkey_commands_are_refused_in_symkey_mode)
{
	uint8_t args[48] = { 1 };
	int code;
	struct fixture f;

	fx_init(&f, dev_id, dev_key, T0, 0);
	for (code = E4_CMD_REMOVE_PUBKEY; code <= E4_CMD_SET_C2_KEY; code++)
		ck_assert_int_eq(fx_send(&f, dev_key, T0, (uint8_t)code, args,
		                         (size_t)e4_command_args_len(E4_MODE_SYMKEY, (uint8_t)code)),
		                 E4_ERR_WRONG_MODE);
	ck_assert_uint_eq(f.c.last_command, 0);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(applied_commands_are_persisted_and_reload)
{
	uint8_t k[32], args[48];
	struct fixture f;

	fx_bytes(k, sizeof(k), 1);
	topic_args(args, "x", k);
	fx_init(&f, dev_id, dev_key, T0, FX_STORE);
	ck_assert_int_eq(fx_send(&f, dev_key, T0, E4_CMD_SET_TOPIC_KEY, args, 48), 0);
	ck_assert_uint_gt(f.mem.len, 0);
	fx_check_reload(&f);
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + 1, E4_CMD_SET_TOPIC_KEY_NEXT, args, 48), 0);
	fx_check_reload(&f);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(store_failure_is_reported_after_applying)
{
	uint8_t k[32], args[48], small[8], frame[E4_PROTECTED_LEN(49)];
	size_t len;
	struct fixture f;

	fx_bytes(k, sizeof(k), 1);
	topic_args(args, "x", k);
	fx_init(&f, dev_id, dev_key, T0, FX_STORE);
	e4_store_memory_init(&f.store, &f.mem, small, sizeof(small));
	fx_cmd_seal(frame, sizeof(frame), &len, dev_key, T0, E4_CMD_SET_TOPIC_KEY, args, 48);
	ck_assert_int_eq(fx_command(&f, frame, len, NULL), E4_ERR_STORE_IO);
	ck_assert_uint_eq(e4_client_topic_count(&f.c), 1);
	fx_check_ack(&f, dev_key, frame, len, E4_ACK_STORE_FAILED);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(replace_topic_key_retires_the_old_key_at_once_with_a_clock)
{
	uint8_t k1[32], k2[32], args[48];
	struct fixture f;

	fx_bytes(k1, sizeof(k1), 1);
	fx_bytes(k2, sizeof(k2), 2);
	fx_init(&f, dev_id, dev_key, T0, FX_STORE);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "x", k1), 0);
	topic_args(args, "x", k2);
	ck_assert_int_eq(fx_send(&f, dev_key, T0, E4_CMD_SET_TOPIC_KEY, args, 48), 0);
	/* k1 is in its transition period: still accepted. */
	ck_assert_int_eq(deliver(&f, "x", k1, T0), 0);
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + 1, E4_CMD_REPLACE_TOPIC_KEY, args, 48), 0);
	/* A fresh frame under the replaced key is refused at once, and after a reload. */
	ck_assert_int_eq(deliver(&f, "x", k1, T0 + 1), E4_ERR_AUTH);
	ck_assert_int_eq(deliver(&f, "x", k2, T0 + 1), 0);
	ck_assert_int_eq(fx_protected_with(&f, "x", k2), 0);
	ck_assert_uint_eq(e4_client_topic_count(&f.c), 1);
	fx_check_reload(&f);
	ck_assert_int_eq(deliver(&f, "x", k1, T0 + 2), E4_ERR_AUTH);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(replace_topic_key_retires_the_old_key_without_a_clock)
{
	uint8_t k1[32], k2[32], args[48];
	struct fixture f;

	fx_bytes(k1, sizeof(k1), 1);
	fx_bytes(k2, sizeof(k2), 2);
	fx_init(&f, dev_id, dev_key, 0, FX_CLOCKLESS);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "x", k1), 0);
	topic_args(args, "x", k2);
	ck_assert_int_eq(fx_send(&f, dev_key, T0, E4_CMD_SET_TOPIC_KEY, args, 48), 0);
	ck_assert_int_eq(deliver(&f, "x", k1, T0), 0);
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + 1, E4_CMD_REPLACE_TOPIC_KEY, args, 48), 0);
	/* No later command, no clock: the replaced key is gone all the same. */
	ck_assert_int_eq(deliver(&f, "x", k1, T0 + 1), E4_ERR_AUTH);
	ck_assert_int_eq(deliver(&f, "x", k1, T0 + 100000), E4_ERR_AUTH);
	ck_assert_int_eq(deliver(&f, "x", k2, T0 + 1), 0);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(replace_topic_key_also_drops_an_announced_key_and_installs_a_missing_one)
{
	uint8_t k1[32], k2[32], k3[32], args[48];
	struct fixture f;

	fx_bytes(k1, sizeof(k1), 1);
	fx_bytes(k2, sizeof(k2), 2);
	fx_bytes(k3, sizeof(k3), 3);
	fx_init(&f, dev_id, dev_key, T0, 0);
	/* A member that missed the whole rotation: current k1, k2 announced only. */
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "x", k1), 0);
	topic_args(args, "x", k2);
	ck_assert_int_eq(fx_send(&f, dev_key, T0, E4_CMD_SET_TOPIC_KEY_NEXT, args, 48), 0);
	topic_args(args, "x", k3);
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + 1, E4_CMD_REPLACE_TOPIC_KEY, args, 48), 0);
	ck_assert_int_eq(deliver(&f, "x", k1, T0 + 1), E4_ERR_AUTH);
	ck_assert_int_eq(deliver(&f, "x", k2, T0 + 1), E4_ERR_AUTH);
	ck_assert_int_eq(deliver(&f, "x", k3, T0 + 1), 0);
	ck_assert_int_eq(fx_protected_with(&f, "x", k3), 0);
	/* A topic the device never had: the key is installed. */
	topic_args(args, "y", k2);
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + 2, E4_CMD_REPLACE_TOPIC_KEY, args, 48), 0);
	ck_assert_int_eq(fx_protected_with(&f, "y", k2), 0);
	ck_assert_uint_eq(e4_client_topic_count(&f.c), 2);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(retire_id_key_ends_the_previous_device_key_at_once)
{
	uint8_t k2[32];
	struct fixture f;

	fx_bytes(k2, sizeof(k2), 2);
	fx_init(&f, dev_id, dev_key, 0, FX_STORE | FX_CLOCKLESS);
	ck_assert_int_eq(fx_send(&f, dev_key, T0, E4_CMD_SET_ID_KEY, k2, 32), 0);
	ck_assert_uint_eq(f.c.has_prev_key, 1);
	ck_assert_int_eq(fx_send(&f, k2, T0 + 1, E4_CMD_RETIRE_ID_KEY, NULL, 0), 0);
	ck_assert_uint_eq(f.c.has_prev_key, 0);
	ck_assert(fx_all_zero(f.c.prev_key, sizeof(f.c.prev_key)));
	/* Whoever kept the old key can no longer command the device, after a reboot too. */
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + 2, E4_CMD_RESET_TOPICS, NULL, 0), E4_ERR_AUTH);
	fx_check_reload(&f);
	ck_assert_int_eq(fx_send(&f, dev_key, T0 + 3, E4_CMD_RESET_TOPICS, NULL, 0), E4_ERR_AUTH);
	ck_assert_int_eq(fx_send(&f, k2, T0 + 4, E4_CMD_HEARTBEAT, NULL, 0), 0);
	/* Retiring with no previous key changes nothing. */
	ck_assert_int_eq(fx_send(&f, k2, T0 + 5, E4_CMD_RETIRE_ID_KEY, NULL, 0), 0);
	ck_assert_int_eq(fx_send(&f, k2, T0 + 6, E4_CMD_HEARTBEAT, NULL, 0), 0);
	e4_client_wipe(&f.c);
}
END_TEST

Suite *suite_commands(void)
{
	Suite *s = suite_create("commands");
	TCase *tp = tcase_create("parsing");
	TCase *te = tcase_create("effects");
	TCase *tm = tcase_create("monotonicity");

	tcase_add_test(tp, wrong_command_lengths_are_rejected_for_every_code);
	tcase_add_test(tp, frames_too_short_or_too_long_for_any_command_are_rejected);
	tcase_add_test(tp, unknown_command_codes_are_rejected);
	tcase_add_test(tp, command_under_a_wrong_key_is_refused_without_ack);
	tcase_add_test(tp, pubkey_commands_are_refused_in_symkey_mode);
	suite_add_tcase(s, tp);
	tcase_add_test(te, set_topic_key_command_sets_the_key);
	tcase_add_test(te, remove_topic_command_removes_every_key_of_the_topic);
	tcase_add_test(te, reset_topics_command_clears_the_table);
	tcase_add_test(te, set_topic_key_command_with_the_same_key_changes_nothing);
	tcase_add_test(te, set_topic_key_command_keeps_the_old_key_during_the_transition);
	tcase_add_test(te, next_topic_key_decrypts_but_protects_only_after_set_topic_key);
	tcase_add_test(te, next_topic_key_for_an_unknown_topic_does_not_protect);
	tcase_add_test(te, second_rekey_during_a_transition_drops_the_oldest_key);
	tcase_add_test(te, a_new_next_key_replaces_the_announced_one);
	tcase_add_test(te, set_id_key_old_key_works_until_first_command_under_new_key);
	tcase_add_test(te, set_id_key_with_the_current_key_keeps_no_previous_key);
	tcase_add_test(te, replace_topic_key_retires_the_old_key_at_once_with_a_clock);
	tcase_add_test(te, replace_topic_key_retires_the_old_key_without_a_clock);
	tcase_add_test(te, replace_topic_key_also_drops_an_announced_key_and_installs_a_missing_one);
	tcase_add_test(te, retire_id_key_ends_the_previous_device_key_at_once);
	tcase_add_test(te, applied_commands_are_persisted_and_reload);
	tcase_add_test(te, store_failure_is_reported_after_applying);
	suite_add_tcase(s, te);
	tcase_add_test(tm, older_command_is_stale_even_without_a_clock);
	tcase_add_test(tm, same_command_frame_is_never_applied_twice);
	tcase_add_test(tm, same_command_frame_is_refused_after_a_reload);
	tcase_add_test(tm, burst_of_commands_with_one_timestamp_is_limited);
	suite_add_tcase(s, tm);
	suite_add_tcase(s, vectors_tcase_symkey_commands());
	return s;
}
