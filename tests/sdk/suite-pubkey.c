/*
 * suite-pubkey.c - the pubkey-mode client: signed messages, senders,
 * commands under the shared C2 key and their effects.
 */
#include <string.h>

#include <sodium.h>

#include "helpers.h"

#define T0 1800000000ull

/* A device identity: Ed25519 key pair and id. */
struct dev {
	uint8_t sk[64];
	uint8_t pub[32];
	uint8_t id[E4_ID_LEN];
};

/* A C2 identity: Curve25519 key pair. */
struct c2 {
	uint8_t sk[32];
	uint8_t pub[32];
};

static const uint8_t topic_key[E4_KEY_LEN] = { 0x7c };

static void dev_new(struct dev *d, unsigned label)
{
	ck_assert_int_eq(e4_ed25519_keypair(d->pub, d->sk), 0);
	fx_bytes(d->id, sizeof(d->id), label);
}

static void c2_new(struct c2 *k)
{
	ck_assert_int_ge(sodium_init(), 0);
	ck_assert_int_eq(crypto_box_keypair(k->pub, k->sk), 0);
}

/* The command key the C2 computes for device d. */
static void c2_key_for(const struct c2 *k, const struct dev *d, uint8_t key[32])
{
	ck_assert_int_eq(e4_pk_command_key_c2(key, k->sk, d->pub), 0);
}

/* A pubkey client for device d holding topic "t" (C2 key optional). */
static void setup(struct fixture *f, const struct dev *d, const struct c2 *k, unsigned opts)
{
	fx_init_pk(f, d->id, d->sk, k != NULL ? k->pub : NULL, T0, opts);
	ck_assert_int_eq(e4_client_set_topic_key(&f->c, "t", topic_key), 0);
}

/* A message "hello" from sender d on "t" at ts. */
static size_t message_from(const struct dev *d, uint64_t ts, uint8_t *frame, size_t cap)
{
	size_t len;

	ck_assert_int_eq(e4_pk_frame_seal(frame, cap, &len, topic_key, d->sk, d->id, ts,
	                                  (const uint8_t *)"hello", 5), 0);
	return len;
}

/* Delivers a message from d to f; returns the error. */
static int deliver_from(struct fixture *f, const struct dev *d)
{
	uint8_t frame[E4_PK_PROTECTED_LEN(5)], out[16];
	size_t len, out_len;

	f->now++;
	len = message_from(d, f->now, frame, sizeof(frame));
	return fx_unprotect(f, out, sizeof(out), &out_len, "t", frame, len);
}

START_TEST(protect_signs_and_unprotect_verifies)
{
	uint8_t frame[E4_PK_PROTECTED_LEN(5)], out[16];
	struct e4_recv_info info;
	struct dev a, b;
	struct fixture fa, fb;
	size_t len, out_len;

	dev_new(&a, 1);
	dev_new(&b, 2);
	setup(&fa, &a, NULL, 0);
	setup(&fb, &b, NULL, 0);
	ck_assert_int_eq(e4_protect(&fa.c, frame, sizeof(frame), &len, "t",
	                            (const uint8_t *)"hello", 5), 0);
	ck_assert_uint_eq(len, E4_PK_PROTECTED_LEN(5));
	ck_assert_int_eq(e4_pk_frame_verify(frame, len, a.pub), 0);
	ck_assert_mem_eq(frame + 8, a.id, E4_ID_LEN);
	/* b knows a's key: accepted, sender reported. */
	ck_assert_int_eq(e4_client_set_pubkey(&fb.c, a.id, a.pub), 0);
	ck_assert_int_eq(e4_unprotect(&fb.c, out, sizeof(out), &out_len, "t", frame, len, &info), 0);
	ck_assert_uint_eq(out_len, 5);
	ck_assert_mem_eq(out, "hello", 5);
	ck_assert_mem_eq(info.sender, a.id, E4_ID_LEN);
	/* A device recognises its own messages without a table entry. */
	ck_assert_int_eq(e4_unprotect(&fa.c, out, sizeof(out), &out_len, "t", frame, len, NULL), 0);
	e4_client_wipe(&fa.c);
	e4_client_wipe(&fb.c);
}
END_TEST

START_TEST(empty_pubkey_message_is_accepted)
{
	uint8_t frame[E4_PK_OVERHEAD];
	size_t len, out_len = 3;
	struct dev a;
	struct fixture f;

	dev_new(&a, 1);
	setup(&f, &a, NULL, 0);
	ck_assert_int_eq(e4_protect(&f.c, frame, sizeof(frame), &len, "t", NULL, 0), 0);
	ck_assert_uint_eq(len, E4_PK_OVERHEAD);
	ck_assert_int_eq(e4_unprotect(&f.c, NULL, 0, &out_len, "t", frame, len, NULL), 0);
	ck_assert_uint_eq(out_len, 0);
	ck_assert_int_eq(e4_protect(&f.c, frame, sizeof(frame) - 1, &len, "t", NULL, 0),
	                 E4_ERR_BUFSIZE);
	ck_assert_uint_eq(len, E4_PK_OVERHEAD);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(unknown_sender_is_refused_unless_accepted_by_config)
{
	uint8_t frame[E4_PK_PROTECTED_LEN(5)], out[16];
	struct e4_recv_info info;
	size_t len, out_len;
	struct dev a, b;
	struct fixture f;

	dev_new(&a, 1);
	dev_new(&b, 2);
	setup(&f, &a, NULL, 0);
	ck_assert_int_eq(deliver_from(&f, &b), E4_ERR_UNKNOWN_SENDER);
	e4_client_wipe(&f.c);
	fx_init_pk(&f, a.id, a.sk, NULL, T0, 0);
	f.cfg.accept_unknown_senders = 1;
	ck_assert_int_eq(e4_client_init(&f.c, &f.cfg, a.id, a.sk, 64), 0);
	ck_assert_int_eq(e4_client_set_topic_key(&f.c, "t", topic_key), 0);
	len = message_from(&b, T0, frame, sizeof(frame));
	ck_assert_int_eq(e4_unprotect(&f.c, out, sizeof(out), &out_len, "t", frame, len, &info), 0);
	ck_assert_mem_eq(out, "hello", 5);
	ck_assert_mem_eq(info.sender, b.id, E4_ID_LEN);
	/* Accepting unknown senders does not accept forgeries by known ones. */
	ck_assert_int_eq(e4_client_set_pubkey(&f.c, b.id, a.pub), 0);
	ck_assert_int_eq(deliver_from(&f, &b), E4_ERR_BAD_SIGNATURE);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(forged_signature_is_refused_and_output_wiped)
{
	uint8_t frame[E4_PK_PROTECTED_LEN(5)], out[16];
	size_t len, out_len, i;
	struct dev a, b;
	struct fixture f;

	dev_new(&a, 1);
	dev_new(&b, 2);
	setup(&f, &a, NULL, 0);
	ck_assert_int_eq(e4_client_set_pubkey(&f.c, b.id, b.pub), 0);
	len = message_from(&b, T0, frame, sizeof(frame));
	for (i = 0; i < len; i++) {
		if (i < 8)
			continue; /* timestamp changes may fail the clock check first */
		frame[i] ^= 0x04;
		ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, "t", frame, len),
		                 i < 24 ? E4_ERR_UNKNOWN_SENDER : E4_ERR_BAD_SIGNATURE);
		frame[i] ^= 0x04;
	}
	ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, "t", frame, len), 0);
	ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, "t", frame, 103),
	                 E4_ERR_TOO_SHORT);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(identical_messages_from_two_senders_are_not_replays)
{
	uint8_t fa[E4_PK_PROTECTED_LEN(5)], fb[E4_PK_PROTECTED_LEN(5)], out[16];
	size_t la, lb, out_len;
	struct dev a, b, d;
	struct fixture f;

	dev_new(&a, 1);
	dev_new(&b, 2);
	dev_new(&d, 3);
	setup(&f, &d, NULL, 0);
	ck_assert_int_eq(e4_client_set_pubkey(&f.c, a.id, a.pub), 0);
	ck_assert_int_eq(e4_client_set_pubkey(&f.c, b.id, b.pub), 0);
	/* Same topic key, timestamp and plaintext: the SIV tags are equal. */
	la = message_from(&a, T0, fa, sizeof(fa));
	lb = message_from(&b, T0, fb, sizeof(fb));
	ck_assert_mem_eq(fa + 24, fb + 24, 16);
	ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, "t", fa, la), 0);
	ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, "t", fb, lb), 0);
	ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, "t", fa, la), E4_ERR_REPLAY);
	ck_assert_int_eq(fx_unprotect(&f, out, sizeof(out), &out_len, "t", fb, lb), E4_ERR_REPLAY);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(commands_need_the_c2_key)
{
	struct dev a;
	struct c2 k;
	uint8_t key[32];
	struct fixture f;

	dev_new(&a, 1);
	c2_new(&k);
	c2_key_for(&k, &a, key);
	setup(&f, &a, NULL, 0);
	ck_assert_int_eq(fx_send(&f, key, T0, E4_CMD_HEARTBEAT, NULL, 0), E4_ERR_NO_C2_KEY);
	ck_assert_int_eq(e4_client_set_c2_key(&f.c, k.pub), 0);
	ck_assert_mem_eq(f.c.key, key, 32);
	ck_assert_int_eq(fx_send(&f, key, T0, E4_CMD_HEARTBEAT, NULL, 0), 0);
	ck_assert_int_eq(e4_client_set_c2_key(&f.c, NULL), E4_ERR_INVALID_ARG);
	e4_client_wipe(&f.c);
	ck_assert_int_eq(e4_client_set_c2_key(&f.c, k.pub), E4_ERR_NOT_INITIALISED);
}
END_TEST

START_TEST(set_pubkey_command_adds_a_sender)
{
	uint8_t key[32], args[48];
	struct dev a, b;
	struct c2 k;
	struct fixture f;

	dev_new(&a, 1);
	dev_new(&b, 2);
	c2_new(&k);
	c2_key_for(&k, &a, key);
	setup(&f, &a, &k, 0);
	ck_assert_int_eq(deliver_from(&f, &b), E4_ERR_UNKNOWN_SENDER);
	memcpy(args, b.pub, 32);
	memcpy(args + 32, b.id, 16);
	ck_assert_int_eq(fx_send(&f, key, T0, E4_CMD_SET_PUBKEY, args, 48), 0);
	ck_assert_int_eq(deliver_from(&f, &b), 0);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(remove_and_reset_pubkey_commands_forget_senders)
{
	uint8_t key[32];
	struct dev a, b, d;
	struct c2 k;
	struct fixture f;

	dev_new(&a, 1);
	dev_new(&b, 2);
	dev_new(&d, 3);
	c2_new(&k);
	c2_key_for(&k, &a, key);
	setup(&f, &a, &k, 0);
	ck_assert_int_eq(e4_client_set_pubkey(&f.c, b.id, b.pub), 0);
	ck_assert_int_eq(e4_client_set_pubkey(&f.c, d.id, d.pub), 0);
	ck_assert_int_eq(fx_send(&f, key, T0, E4_CMD_REMOVE_PUBKEY, b.id, 16), 0);
	ck_assert_int_eq(deliver_from(&f, &b), E4_ERR_UNKNOWN_SENDER);
	ck_assert_int_eq(deliver_from(&f, &d), 0);
	/* Removing an unknown id is not an error. */
	ck_assert_int_eq(fx_send(&f, key, T0 + 1, E4_CMD_REMOVE_PUBKEY, b.id, 16), 0);
	ck_assert_int_eq(fx_send(&f, key, T0 + 2, E4_CMD_RESET_PUBKEYS, NULL, 0), 0);
	ck_assert_int_eq(deliver_from(&f, &d), E4_ERR_UNKNOWN_SENDER);
	ck_assert_wiped((const uint8_t *)f.pubkeys, sizeof(f.pubkeys));
	/* The device's own key is not in the table and survives a reset. */
	ck_assert_int_eq(deliver_from(&f, &a), 0);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(set_c2_key_command_changes_the_command_key)
{
	uint8_t key1[32], key2[32], frame[E4_PROTECTED_LEN(33)];
	struct dev a;
	struct c2 k1, k2;
	struct fixture f;
	size_t len;

	dev_new(&a, 1);
	c2_new(&k1);
	c2_new(&k2);
	c2_key_for(&k1, &a, key1);
	c2_key_for(&k2, &a, key2);
	setup(&f, &a, &k1, 0);
	fx_cmd_seal(frame, sizeof(frame), &len, key1, T0, E4_CMD_SET_C2_KEY, k2.pub, 32);
	ck_assert_int_eq(fx_command(&f, frame, len, NULL), 0);
	ck_assert_mem_eq(f.c.c2_pub, k2.pub, 32);
	ck_assert_mem_eq(f.c.key, key2, 32);
	/* The ack already uses the new key. */
	fx_check_ack(&f, key2, frame, len, E4_ACK_APPLIED);
	/* Old key until the first command under the new one, then never again. */
	ck_assert_int_eq(fx_send(&f, key1, T0 + 1, E4_CMD_HEARTBEAT, NULL, 0), 0);
	ck_assert_int_eq(fx_send(&f, key2, T0 + 2, E4_CMD_HEARTBEAT, NULL, 0), 0);
	ck_assert_int_eq(fx_send(&f, key1, T0 + 3, E4_CMD_HEARTBEAT, NULL, 0), E4_ERR_AUTH);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(retire_id_key_ends_the_command_key_of_the_previous_c2_key)
{
	uint8_t key1[32], key2[32], frame[E4_PROTECTED_LEN(33)];
	struct dev a;
	struct c2 k1, k2;
	struct fixture f;
	size_t len;

	dev_new(&a, 1);
	c2_new(&k1);
	c2_new(&k2);
	c2_key_for(&k1, &a, key1);
	c2_key_for(&k2, &a, key2);
	setup(&f, &a, &k1, FX_CLOCKLESS);
	fx_cmd_seal(frame, sizeof(frame), &len, key1, T0, E4_CMD_SET_C2_KEY, k2.pub, 32);
	ck_assert_int_eq(fx_command(&f, frame, len, NULL), 0);
	/* The C2 proves it holds the new key with RetireIDKey under it. */
	ck_assert_int_eq(fx_send(&f, key2, T0 + 1, E4_CMD_RETIRE_ID_KEY, NULL, 0), 0);
	ck_assert_uint_eq(f.c.has_prev_key, 0);
	/* A command under the previous C2 key's command key is refused. */
	ck_assert_int_eq(fx_send(&f, key1, T0 + 2, E4_CMD_RESET_TOPICS, NULL, 0), E4_ERR_AUTH);
	ck_assert_uint_eq(e4_client_topic_count(&f.c), 1);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(set_id_key_command_changes_the_signing_and_command_keys)
{
	uint8_t key[32], newkey[32], frame[E4_PK_PROTECTED_LEN(5)], out[8];
	size_t out_len;
	struct dev a, n;
	struct c2 k;
	struct fixture f, g;
	size_t len;

	dev_new(&a, 1);
	dev_new(&n, 1);
	c2_new(&k);
	c2_key_for(&k, &a, key);
	c2_key_for(&k, &n, newkey);
	setup(&f, &a, &k, 0);
	ck_assert_int_eq(fx_send(&f, key, T0, E4_CMD_SET_ID_KEY, n.sk, 64), 0);
	ck_assert_int_eq(e4_protect(&f.c, frame, sizeof(frame), &len, "t",
	                            (const uint8_t *)"hello", 5), 0);
	ck_assert_int_eq(e4_pk_frame_verify(frame, len, n.pub), 0);
	ck_assert_int_eq(e4_pk_frame_verify(frame, len, a.pub), E4_ERR_BAD_SIGNATURE);
	/* Another device that learnt the new key accepts the message. */
	setup(&g, &n, NULL, 0);
	ck_assert_int_eq(e4_client_set_pubkey(&g.c, a.id, n.pub), 0);
	ck_assert_int_eq(fx_unprotect(&g, out, sizeof(out), &out_len, "t", frame, len), 0);
	ck_assert_mem_eq(out, "hello", 5);
	ck_assert_int_eq(fx_send(&f, newkey, T0 + 1, E4_CMD_HEARTBEAT, NULL, 0), 0);
	ck_assert_int_eq(fx_send(&f, key, T0 + 2, E4_CMD_HEARTBEAT, NULL, 0), E4_ERR_AUTH);
	e4_client_wipe(&f.c);
	e4_client_wipe(&g.c);
}
END_TEST

START_TEST(pubkey_table_reports_full_and_replaces_entries)
{
	uint8_t id[E4_ID_LEN], pub[32];
	struct dev a;
	struct fixture f;
	int i;

	dev_new(&a, 1);
	setup(&f, &a, NULL, 0);
	for (i = 0; i < FX_PUBKEYS; i++) {
		fx_bytes(id, sizeof(id), 50 + (unsigned)i);
		fx_bytes(pub, sizeof(pub), 60 + (unsigned)i);
		ck_assert_int_eq(e4_client_set_pubkey(&f.c, id, pub), 0);
	}
	fx_bytes(id, sizeof(id), 99);
	ck_assert_int_eq(e4_client_set_pubkey(&f.c, id, pub), E4_ERR_TABLE_FULL);
	fx_bytes(id, sizeof(id), 50);
	ck_assert_int_eq(e4_client_set_pubkey(&f.c, id, a.pub), 0);
	ck_assert_mem_eq(f.pubkeys[0].pubkey, a.pub, 32);
	ck_assert_int_eq(e4_client_set_pubkey(&f.c, NULL, pub), E4_ERR_INVALID_ARG);
	e4_client_wipe(&f.c);
	ck_assert_int_eq(e4_client_set_pubkey(&f.c, id, pub), E4_ERR_NOT_INITIALISED);
}
END_TEST

START_TEST(pubkey_functions_are_refused_in_symkey_mode)
{
	uint8_t id[E4_ID_LEN] = { 1 }, key[32] = { 2 }, pub[32] = { 3 };
	struct fixture f;

	fx_init(&f, id, key, T0, 0);
	ck_assert_int_eq(e4_client_set_pubkey(&f.c, id, pub), E4_ERR_WRONG_MODE);
	ck_assert_int_eq(e4_client_set_c2_key(&f.c, pub), E4_ERR_WRONG_MODE);
	e4_client_wipe(&f.c);
}
END_TEST

Suite *suite_pubkey(void)
{
	Suite *s = suite_create("pubkey");
	TCase *tm = tcase_create("messages");
	TCase *tc = tcase_create("commands");

	tcase_add_test(tm, protect_signs_and_unprotect_verifies);
	tcase_add_test(tm, empty_pubkey_message_is_accepted);
	tcase_add_test(tm, unknown_sender_is_refused_unless_accepted_by_config);
	tcase_add_test(tm, forged_signature_is_refused_and_output_wiped);
	tcase_add_test(tm, identical_messages_from_two_senders_are_not_replays);
	tcase_add_test(tm, pubkey_table_reports_full_and_replaces_entries);
	tcase_add_test(tm, pubkey_functions_are_refused_in_symkey_mode);
	suite_add_tcase(s, tm);
	tcase_add_test(tc, commands_need_the_c2_key);
	tcase_add_test(tc, set_pubkey_command_adds_a_sender);
	tcase_add_test(tc, remove_and_reset_pubkey_commands_forget_senders);
	tcase_add_test(tc, set_c2_key_command_changes_the_command_key);
	tcase_add_test(tc, retire_id_key_ends_the_command_key_of_the_previous_c2_key);
	tcase_add_test(tc, set_id_key_command_changes_the_signing_and_command_keys);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, vectors_tcase_pubkey_messages());
	suite_add_tcase(s, vectors_tcase_pubkey_commands());
	return s;
}
