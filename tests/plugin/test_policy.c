/*
 * test_policy.c - unit tests of the frame checks, the ACL policy, the
 * MESSAGE/Will handling and presence, driven through the real callbacks.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>

#include "test_util.h"

#define DEV_HEX "00112233445566778899aabbccddeeff"
#define CTL     "e4/" DEV_HEX
#define ACK     "e4/" DEV_HEX "/ack"

static const char *const sym_opts[] = { "protect", "data/#,e4/#", "c2_username", "c2",
	"max_age", "600", "max_skew", "60", NULL };
static const char *const defer_opts[] = { "protect", "data/#", "c2_username", "c2",
	"acl", "defer", NULL };

static struct mosquitto dev = { DEV_HEX, "dev" };
static struct mosquitto dev2 = { DEV_HEX "-second", "dev" };
static struct mosquitto other = { "ffeeddccbbaa99887766554433221100", "other" };
static struct mosquitto c2 = { "c2-client", "c2" };

/* ---- frames ---- */

START_TEST(frame_valid_passes_once_and_is_counted)
{
	struct e4plugin *p = tu_plugin(sym_opts);
	uint8_t f[128];
	size_t n = tu_frame(f, sizeof(f), (uint64_t)tu_now_value, "hello");

	ck_assert_int_eq(tu_publish(p, &dev, "data/x", f, n), MOSQ_ERR_SUCCESS);
	ck_assert_uint_eq(p->stats.passed, 1);
	ck_assert_uint_eq(p->stats.filter_passed[0], 1);
	/* An exact duplicate on the same topic is a replay, refused in MESSAGE. */
	ck_assert_int_eq(tu_publish(p, &other, "data/x", f, n), MOSQ_ERR_ACL_DENIED);
	ck_assert_uint_eq(p->stats.refused[E4PLUGIN_R_REPLAY], 1);
	ck_assert_uint_eq(p->stats.filter_refused[0], 1);
	/* The cache is per topic. */
	ck_assert_int_eq(tu_publish(p, &dev, "data/y", f, n), MOSQ_ERR_SUCCESS);
	ck_assert_uint_eq(p->stats.passed, 2);
	e4plugin_free(p);
}
END_TEST

START_TEST(frame_length_and_clock_are_enforced)
{
	struct e4plugin *p = tu_plugin(sym_opts);
	uint64_t now = (uint64_t)tu_now_value;
	uint8_t f[128];
	size_t n;

	n = tu_frame(f, sizeof(f), now, "");
	ck_assert_uint_eq(n, E4_HEADER_LEN);
	ck_assert_int_eq(tu_publish(p, &dev, "data/a", f, n - 1), MOSQ_ERR_ACL_DENIED);
	ck_assert_int_eq(tu_publish(p, &dev, "data/a", f, n), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(tu_publish(p, &dev, "data/a", NULL, 0), MOSQ_ERR_ACL_DENIED);
	n = tu_frame(f, sizeof(f), now - 601, "old");
	ck_assert_int_eq(tu_publish(p, &dev, "data/a", f, n), MOSQ_ERR_ACL_DENIED);
	n = tu_frame(f, sizeof(f), now - 600, "oldest allowed");
	ck_assert_int_eq(tu_publish(p, &dev, "data/a", f, n), MOSQ_ERR_SUCCESS);
	n = tu_frame(f, sizeof(f), now + 61, "future");
	ck_assert_int_eq(tu_publish(p, &dev, "data/a", f, n), MOSQ_ERR_ACL_DENIED);
	n = tu_frame(f, sizeof(f), now + 60, "latest allowed");
	ck_assert_int_eq(tu_publish(p, &dev, "data/a", f, n), MOSQ_ERR_SUCCESS);
	ck_assert_uint_eq(p->stats.refused[E4PLUGIN_R_TOO_SHORT], 2);
	ck_assert_uint_eq(p->stats.refused[E4PLUGIN_R_TOO_OLD], 1);
	ck_assert_uint_eq(p->stats.refused[E4PLUGIN_R_IN_FUTURE], 1);
	ck_assert_uint_eq(p->stats.passed, 3);
	/* Each refusal is counted once, in WRITE, with its filter. */
	ck_assert_uint_eq(p->stats.filter_refused[0], 4);
	e4plugin_free(p);
}
END_TEST

START_TEST(frame_unprotected_topics_are_untouched)
{
	struct e4plugin *p = tu_plugin(sym_opts);

	ck_assert_int_eq(tu_publish(p, &other, "public/x", "plain", 5), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(tu_publish(p, &other, "public/x", "plain", 5), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(tu_publish(p, &other, "datax", "", 0), MOSQ_ERR_SUCCESS);
	ck_assert_uint_eq(p->stats.passed, 0);
	e4plugin_free(p);
}
END_TEST

START_TEST(frame_defer_mode_defers_what_it_allows)
{
	struct e4plugin *p = tu_plugin(defer_opts);
	uint8_t f[128];
	size_t n = tu_frame(f, sizeof(f), (uint64_t)tu_now_value, "x");

	ck_assert_int_eq(tu_acl(p, &dev, MOSQ_ACL_WRITE, "data/x", f, n), MOSQ_ERR_PLUGIN_DEFER);
	/* MESSAGE never defers: that would drop the message and the connection. */
	ck_assert_int_eq(tu_message(p, &dev, "data/x", f, n), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(tu_acl(p, &dev, MOSQ_ACL_WRITE, "data/x", "plain", 5), MOSQ_ERR_ACL_DENIED);
	ck_assert_int_eq(tu_acl(p, &dev, MOSQ_ACL_WRITE, "public", "plain", 5), MOSQ_ERR_PLUGIN_DEFER);
	ck_assert_int_eq(tu_acl(p, &dev, MOSQ_ACL_READ, "public", "plain", 5), MOSQ_ERR_PLUGIN_DEFER);
	ck_assert_int_eq(tu_acl(p, &other, MOSQ_ACL_READ, CTL, NULL, 0), MOSQ_ERR_ACL_DENIED);
	/*
	 * Another ACL source refuses a frame the plugin passed (no MESSAGE);
	 * the client's next, unprotected message lands at the same address:
	 * the stale WRITE memo must not vouch for it.
	 */
	ck_assert_uint_eq(p->stats.passed, 1);
	n = tu_frame(f, sizeof(f), (uint64_t)tu_now_value, "y");
	ck_assert_int_eq(tu_acl(p, &dev, MOSQ_ACL_WRITE, "data/x", f, n), MOSQ_ERR_PLUGIN_DEFER);
	ck_assert_int_eq(tu_acl(p, &dev, MOSQ_ACL_WRITE, "public", f, n), MOSQ_ERR_PLUGIN_DEFER);
	ck_assert_int_eq(tu_message(p, &dev, "public", f, n), MOSQ_ERR_SUCCESS);
	ck_assert_uint_eq(p->stats.passed, 1);
	e4plugin_free(p);
}
END_TEST

START_TEST(frame_bridged_messages_are_checked_in_message)
{
	struct e4plugin *p = tu_plugin(sym_opts);
	struct mosquitto bridge = { "host.bridge", NULL };
	uint8_t f[128];
	size_t n = tu_frame(f, sizeof(f), (uint64_t)tu_now_value - 700, "stale");

	/* No WRITE check happens for bridges: MESSAGE does all of it. */
	ck_assert_int_eq(tu_message(p, &bridge, "data/b", "plain", 5), MOSQ_ERR_ACL_DENIED);
	ck_assert_int_eq(tu_message(p, &bridge, "data/b", f, n), MOSQ_ERR_ACL_DENIED);
	n = tu_frame(f, sizeof(f), (uint64_t)tu_now_value, "fresh");
	ck_assert_int_eq(tu_message(p, &bridge, "data/b", f, n), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(tu_message(p, &bridge, "data/b", f, n), MOSQ_ERR_ACL_DENIED);
	ck_assert_int_eq(tu_message(p, &bridge, "public", "plain", 5), MOSQ_ERR_SUCCESS);
	ck_assert_uint_eq(p->stats.refused[E4PLUGIN_R_TOO_SHORT], 1);
	ck_assert_uint_eq(p->stats.refused[E4PLUGIN_R_TOO_OLD], 1);
	ck_assert_uint_eq(p->stats.refused[E4PLUGIN_R_REPLAY], 1);
	ck_assert_uint_eq(p->stats.passed, 1);
	e4plugin_free(p);
}
END_TEST

START_TEST(frame_wills_are_checked_when_sent)
{
	struct e4plugin *p = tu_plugin(sym_opts);
	struct mosquitto a = { "a", NULL };
	uint8_t f[128];
	size_t n = tu_frame(f, sizeof(f), (uint64_t)tu_now_value, "bye");

	/* The WRITE check of a Will: a plaintext Will is refused, a frame passes. */
	ck_assert_int_eq(tu_acl(p, &a, MOSQ_ACL_WRITE, "data/will", "bye", 3), MOSQ_ERR_ACL_DENIED);
	ck_assert_int_eq(tu_acl(p, &a, MOSQ_ACL_WRITE, "data/will", f, n), MOSQ_ERR_SUCCESS);
	/* Sent after DISCONNECT: no MESSAGE follows. */
	tu_disconnect(p, &a);
	ck_assert_int_eq(tu_acl(p, &a, MOSQ_ACL_WRITE, "data/will", f, n), MOSQ_ERR_SUCCESS);
	/* A Will that went stale while the client was connected is refused. */
	tu_now_value += 601;
	ck_assert_int_eq(tu_acl(p, &a, MOSQ_ACL_WRITE, "data/will", f, n), MOSQ_ERR_ACL_DENIED);
	ck_assert_uint_eq(p->stats.refused[E4PLUGIN_R_TOO_OLD], 1);
	ck_assert_uint_eq(p->stats.refused[E4PLUGIN_R_TOO_SHORT], 1);
	/* A stale WRITE memo never exempts another message from the checks. */
	ck_assert_int_eq(tu_message(p, &a, "data/will", "bye", 3), MOSQ_ERR_ACL_DENIED);
	e4plugin_free(p);
}
END_TEST

/* Pubkey-mode fixture: device key pair and instance. */
static uint8_t dev_pub[E4_ED25519_PK_LEN], dev_sk[E4_ED25519_SK_LEN];
static uint8_t evil_pub[E4_ED25519_PK_LEN], evil_sk[E4_ED25519_SK_LEN];

/* An instance in pubkey mode knowing dev's public key. */
static struct e4plugin *pk_plugin(const char *verify)
{
	const char *const kv[] = { "protect", "data/#,e4/#", "c2_username", "c2", "mode", "pubkey",
		"verify_signatures", verify, NULL };
	struct e4plugin *p = tu_plugin(kv);
	uint8_t id[E4_ID_LEN];
	struct e4plugin_device *d;

	ck_assert_int_eq(e4_ed25519_keypair(dev_pub, dev_sk), 0);
	ck_assert_int_eq(e4_ed25519_keypair(evil_pub, evil_sk), 0);
	ck_assert_int_eq(e4_hex_decode(id, E4_ID_LEN, DEV_HEX), 0);
	d = e4plugin_device_get(&p->devices, id);
	memcpy(d->pubkey, dev_pub, sizeof(dev_pub));
	d->has_pubkey = 1;
	return p;
}

START_TEST(frame_pubkey_binds_sender_and_verifies)
{
	struct e4plugin *p = pk_plugin("true");
	struct mosquitto anon = { NULL, NULL };
	uint8_t id[E4_ID_LEN], oid[E4_ID_LEN], f[256];
	uint64_t now = (uint64_t)tu_now_value;
	size_t n;

	ck_assert_int_eq(e4_hex_decode(id, E4_ID_LEN, DEV_HEX), 0);
	ck_assert_int_eq(e4_hex_decode(oid, E4_ID_LEN, other.id), 0);
	n = tu_pk_frame(f, sizeof(f), dev_sk, id, now, "signed");
	ck_assert_uint_eq(n, E4_PK_OVERHEAD + 6);
	ck_assert_int_eq(tu_publish(p, &dev, "data/t", f, n), MOSQ_ERR_SUCCESS);
	/* Another connection of the same device may publish too. */
	n = tu_pk_frame(f, sizeof(f), dev_sk, id, now, "second");
	ck_assert_int_eq(tu_publish(p, &dev2, "data/t", f, n), MOSQ_ERR_SUCCESS);
	/* Spoofed sender: other publishes a frame naming dev. */
	n = tu_pk_frame(f, sizeof(f), evil_sk, id, now, "spoof");
	ck_assert_int_eq(tu_publish(p, &other, "data/t", f, n), MOSQ_ERR_ACL_DENIED);
	/* Forgery: dev's id, wrong key, from dev's own connection. */
	ck_assert_int_eq(tu_publish(p, &dev, "data/t", f, n), MOSQ_ERR_ACL_DENIED);
	/* Unknown key: the binding is all the broker can check. */
	n = tu_pk_frame(f, sizeof(f), evil_sk, oid, now, "unknown key");
	ck_assert_int_eq(tu_publish(p, &other, "data/t", f, n), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(tu_publish(p, &anon, "data/t", f, n), MOSQ_ERR_ACL_DENIED);
	/* A symkey-sized frame is too short in pubkey mode. */
	n = tu_frame(f, sizeof(f), now, "short");
	ck_assert_int_eq(tu_publish(p, &dev, "data/t", f, n), MOSQ_ERR_ACL_DENIED);
	/* Commands on control topics are symkey frames, from the C2. */
	ck_assert_int_eq(tu_publish(p, &c2, CTL, f, n), MOSQ_ERR_SUCCESS);
	ck_assert_uint_eq(p->stats.refused[E4PLUGIN_R_WRONG_SENDER], 1);
	ck_assert_uint_eq(p->stats.refused[E4PLUGIN_R_BAD_SIGNATURE], 1);
	ck_assert_uint_eq(p->stats.refused[E4PLUGIN_R_NO_IDENTITY], 1);
	ck_assert_uint_eq(p->stats.refused[E4PLUGIN_R_TOO_SHORT], 1);
	ck_assert_uint_eq(p->stats.passed, 4);
	e4plugin_free(p);
}
END_TEST

START_TEST(frame_pubkey_verification_can_be_disabled)
{
	struct e4plugin *p = pk_plugin("false");
	uint8_t id[E4_ID_LEN], f[256];
	size_t n;

	ck_assert_int_eq(e4_hex_decode(id, E4_ID_LEN, DEV_HEX), 0);
	n = tu_pk_frame(f, sizeof(f), evil_sk, id, (uint64_t)tu_now_value, "forged");
	ck_assert_int_eq(tu_publish(p, &dev, "data/t", f, n), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(tu_publish(p, &other, "data/u", f, n), MOSQ_ERR_ACL_DENIED);
	e4plugin_free(p);
}
END_TEST

START_TEST(frame_bridged_pubkey_frames_are_verified)
{
	struct e4plugin *p = pk_plugin("true");
	struct mosquitto bridge = { "host.bridge", NULL };
	uint8_t id[E4_ID_LEN], f[256];
	size_t n;

	ck_assert_int_eq(e4_hex_decode(id, E4_ID_LEN, DEV_HEX), 0);
	n = tu_pk_frame(f, sizeof(f), evil_sk, id, (uint64_t)tu_now_value, "forged");
	ck_assert_int_eq(tu_message(p, &bridge, "data/t", f, n), MOSQ_ERR_ACL_DENIED);
	n = tu_pk_frame(f, sizeof(f), dev_sk, id, (uint64_t)tu_now_value, "genuine");
	ck_assert_int_eq(tu_message(p, &bridge, "data/t", f, n), MOSQ_ERR_SUCCESS);
	e4plugin_free(p);
}
END_TEST

START_TEST(frame_replay_cache_stays_bounded)
{
	static const char *const kv[] = { "protect", "#", "c2_username", "c2", "replay_cache", "64", NULL };
	struct e4plugin *p = tu_plugin(kv);
	char msg[32];
	uint8_t f[128];
	size_t n;
	int k;

	for (k = 0; k < 5000; k++) {
		snprintf(msg, sizeof(msg), "m%d", k);
		n = tu_frame(f, sizeof(f), (uint64_t)tu_now_value, msg);
		ck_assert_int_eq(tu_publish(p, &dev, "data/flood", f, n), MOSQ_ERR_SUCCESS);
	}
	ck_assert_uint_eq(p->replay.cap, 64);
	/* The latest frame is still remembered. */
	ck_assert_int_eq(tu_publish(p, &other, "data/flood", f, n), MOSQ_ERR_ACL_DENIED);
	e4plugin_free(p);
}
END_TEST

Suite *suite_frame(void)
{
	Suite *s = suite_create("frame");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, frame_valid_passes_once_and_is_counted);
	tcase_add_test(tc, frame_length_and_clock_are_enforced);
	tcase_add_test(tc, frame_unprotected_topics_are_untouched);
	tcase_add_test(tc, frame_defer_mode_defers_what_it_allows);
	tcase_add_test(tc, frame_bridged_messages_are_checked_in_message);
	tcase_add_test(tc, frame_wills_are_checked_when_sent);
	tcase_add_test(tc, frame_pubkey_binds_sender_and_verifies);
	tcase_add_test(tc, frame_pubkey_verification_can_be_disabled);
	tcase_add_test(tc, frame_bridged_pubkey_frames_are_verified);
	tcase_add_test(tc, frame_replay_cache_stays_bounded);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- ACL policy of the control channel ---- */

START_TEST(acl_only_c2_publishes_commands)
{
	struct e4plugin *p = tu_plugin(sym_opts);
	uint8_t f[128];
	size_t n = tu_frame(f, sizeof(f), (uint64_t)tu_now_value, "cmd");

	ck_assert_int_eq(tu_publish(p, &c2, CTL, f, n), MOSQ_ERR_SUCCESS);
	n = tu_frame(f, sizeof(f), (uint64_t)tu_now_value, "cmd2");
	ck_assert_int_eq(tu_acl(p, &dev, MOSQ_ACL_WRITE, CTL, f, n), MOSQ_ERR_ACL_DENIED);
	ck_assert_int_eq(tu_acl(p, &other, MOSQ_ACL_WRITE, CTL, f, n), MOSQ_ERR_ACL_DENIED);
	ck_assert_int_eq(tu_acl(p, &other, MOSQ_ACL_WRITE, "e4/whatever", "x", 1), MOSQ_ERR_ACL_DENIED);
	ck_assert_uint_eq(p->stats.refused[E4PLUGIN_R_CONTROL_PUBLISH], 3);
	e4plugin_free(p);
}
END_TEST

START_TEST(acl_commands_reach_their_device_only)
{
	struct e4plugin *p = tu_plugin(sym_opts);

	ck_assert_int_eq(tu_acl(p, &dev, MOSQ_ACL_READ, CTL, "x", 1), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(tu_acl(p, &dev2, MOSQ_ACL_READ, CTL, "x", 1), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(tu_acl(p, &other, MOSQ_ACL_READ, CTL, "x", 1), MOSQ_ERR_ACL_DENIED);
	ck_assert_int_eq(tu_acl(p, &c2, MOSQ_ACL_READ, CTL, "x", 1), MOSQ_ERR_ACL_DENIED);
	ck_assert_int_eq(tu_acl(p, &other, MOSQ_ACL_READ, "e4/" "00112233445566778899AABBCCDDEEFF",
	                        "x", 1), MOSQ_ERR_ACL_DENIED);
	ck_assert_uint_eq(p->stats.refused[E4PLUGIN_R_CONTROL_READ], 3);
	e4plugin_free(p);
}
END_TEST

START_TEST(acl_control_subscriptions_are_restricted)
{
	struct e4plugin *p = tu_plugin(sym_opts);

	ck_assert_int_eq(tu_acl(p, &dev, MOSQ_ACL_SUBSCRIBE, CTL, NULL, 0), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(tu_acl(p, &other, MOSQ_ACL_SUBSCRIBE, CTL, NULL, 0), MOSQ_ERR_ACL_DENIED);
	/* Wildcards are allowed; READ filters what they would deliver. */
	ck_assert_int_eq(tu_acl(p, &other, MOSQ_ACL_SUBSCRIBE, "e4/#", NULL, 0), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(tu_acl(p, &other, MOSQ_ACL_SUBSCRIBE, "#", NULL, 0), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(tu_acl(p, &other, MOSQ_ACL_SUBSCRIBE, ACK, NULL, 0), MOSQ_ERR_ACL_DENIED);
	ck_assert_int_eq(tu_acl(p, &c2, MOSQ_ACL_SUBSCRIBE, ACK, NULL, 0), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(tu_acl(p, &other, MOSQ_ACL_UNSUBSCRIBE, CTL, NULL, 0), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(tu_acl(p, &other, 0x40, "x", NULL, 0), MOSQ_ERR_ACL_DENIED);
	ck_assert_uint_eq(p->stats.refused[E4PLUGIN_R_CONTROL_SUBSCRIBE], 2);
	e4plugin_free(p);
}
END_TEST

START_TEST(acl_acks_go_from_device_to_c2)
{
	struct e4plugin *p = tu_plugin(sym_opts);
	uint8_t f[128];
	size_t n = tu_frame(f, sizeof(f), (uint64_t)tu_now_value, "ack");

	ck_assert_int_eq(tu_acl(p, &other, MOSQ_ACL_WRITE, ACK, f, n), MOSQ_ERR_ACL_DENIED);
	ck_assert_int_eq(tu_acl(p, &c2, MOSQ_ACL_WRITE, ACK, f, n), MOSQ_ERR_ACL_DENIED);
	ck_assert_int_eq(tu_publish(p, &dev, ACK, f, n), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(tu_acl(p, &c2, MOSQ_ACL_READ, ACK, f, n), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(tu_acl(p, &other, MOSQ_ACL_READ, ACK, f, n), MOSQ_ERR_ACL_DENIED);
	ck_assert_int_eq(tu_acl(p, &dev, MOSQ_ACL_READ, ACK, f, n), MOSQ_ERR_ACL_DENIED);
	ck_assert_uint_eq(p->stats.refused[E4PLUGIN_R_ACK_PUBLISH], 2);
	ck_assert_uint_eq(p->stats.refused[E4PLUGIN_R_ACK_READ], 2);
	e4plugin_free(p);
}
END_TEST

START_TEST(acl_management_topics_are_c2_only)
{
	struct e4plugin *p = tu_plugin(sym_opts);

	ck_assert_int_eq(tu_acl(p, &c2, MOSQ_ACL_WRITE, E4PLUGIN_CONTROL_TOPIC, "{}", 2), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(tu_acl(p, &c2, MOSQ_ACL_WRITE, E4PLUGIN_RESPONSE_TOPIC, "{}", 2), MOSQ_ERR_ACL_DENIED);
	ck_assert_int_eq(tu_acl(p, &dev, MOSQ_ACL_WRITE, E4PLUGIN_CONTROL_TOPIC, "{}", 2), MOSQ_ERR_ACL_DENIED);
	ck_assert_int_eq(tu_acl(p, &c2, MOSQ_ACL_READ, E4PLUGIN_EVENTS_TOPIC, "{}", 2), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(tu_acl(p, &dev, MOSQ_ACL_READ, E4PLUGIN_EVENTS_TOPIC, "{}", 2), MOSQ_ERR_ACL_DENIED);
	ck_assert_int_eq(tu_acl(p, &dev, MOSQ_ACL_READ, E4PLUGIN_RESPONSE_TOPIC, "{}", 2), MOSQ_ERR_ACL_DENIED);
	ck_assert_int_eq(tu_acl(p, &dev, MOSQ_ACL_SUBSCRIBE, "$CONTROL/e4/#", NULL, 0), MOSQ_ERR_ACL_DENIED);
	ck_assert_int_eq(tu_acl(p, &c2, MOSQ_ACL_SUBSCRIBE, "$CONTROL/e4/#", NULL, 0), MOSQ_ERR_SUCCESS);
	ck_assert_uint_eq(p->stats.refused[E4PLUGIN_R_MANAGEMENT], 5);
	e4plugin_free(p);
}
END_TEST

START_TEST(acl_bad_events_are_refused)
{
	struct e4plugin *p = tu_plugin(sym_opts);
	struct mosquitto_evt_acl_check ev;

	memset(&ev, 0, sizeof(ev));
	ck_assert_int_eq(e4plugin_acl_cb(MOSQ_EVT_ACL_CHECK, &ev, p), MOSQ_ERR_ACL_DENIED);
	ck_assert_int_eq(e4plugin_acl_cb(MOSQ_EVT_MESSAGE, &ev, p), MOSQ_ERR_ACL_DENIED);
	ck_assert_int_eq(e4plugin_message_cb(MOSQ_EVT_MESSAGE, NULL, p), MOSQ_ERR_ACL_DENIED);
	ck_assert_int_eq(e4plugin_disconnect_cb(MOSQ_EVT_DISCONNECT, NULL, p), MOSQ_ERR_SUCCESS);
	e4plugin_free(p);
}
END_TEST

Suite *suite_acl(void)
{
	Suite *s = suite_create("acl");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, acl_only_c2_publishes_commands);
	tcase_add_test(tc, acl_commands_reach_their_device_only);
	tcase_add_test(tc, acl_control_subscriptions_are_restricted);
	tcase_add_test(tc, acl_acks_go_from_device_to_c2);
	tcase_add_test(tc, acl_management_topics_are_c2_only);
	tcase_add_test(tc, acl_bad_events_are_refused);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- presence ---- */

/* Number of recorded publications on the events topic containing needle. */
static int events_with(const char *needle)
{
	int i, n = 0;

	for (i = 0; i < stub_npubs && i < STUB_MAX_PUBS; i++)
		n += strcmp(stub_pubs[i].topic, E4PLUGIN_EVENTS_TOPIC) == 0 &&
		     strstr(stub_pubs[i].payload, needle) != NULL;
	return n;
}

START_TEST(presence_follows_the_last_connection)
{
	struct e4plugin *p = tu_plugin(sym_opts);

	stub_reset();
	ck_assert_int_eq(tu_acl(p, &dev, MOSQ_ACL_SUBSCRIBE, CTL, NULL, 0), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(events_with("{\"event\":\"online\",\"id\":\"" DEV_HEX "\",\"time\":1700000000}"), 1);
	ck_assert_int_eq(tu_acl(p, &dev, MOSQ_ACL_SUBSCRIBE, CTL, NULL, 0), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(tu_acl(p, &dev2, MOSQ_ACL_SUBSCRIBE, CTL, NULL, 0), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(stub_npubs, 1);
	tu_disconnect(p, &other);
	tu_disconnect(p, &dev);
	ck_assert_int_eq(stub_npubs, 1);
	tu_disconnect(p, &dev2);
	ck_assert_int_eq(events_with("\"offline\",\"id\":\"" DEV_HEX "\""), 1);
	ck_assert_int_eq(stub_npubs, 2);
	ck_assert_ptr_null(e4plugin_device_find(&p->devices, (const uint8_t *)"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xff"));
	/* A refused subscription is no presence. */
	ck_assert_int_eq(tu_acl(p, &other, MOSQ_ACL_SUBSCRIBE, CTL, NULL, 0), MOSQ_ERR_ACL_DENIED);
	ck_assert_int_eq(stub_npubs, 2);
	e4plugin_free(p);
}
END_TEST

START_TEST(presence_table_handles_many_connections)
{
	struct e4plugin *p = tu_plugin(sym_opts);
	static struct mosquitto clients[300];
	static char names[300][40], topics[300][40];
	int i;

	stub_reset();
	for (i = 0; i < 300; i++) {
		snprintf(names[i], sizeof(names[i]), "%032x", i);
		snprintf(topics[i], sizeof(topics[i]), "e4/%032x", i);
		clients[i].id = names[i];
		ck_assert_int_eq(tu_acl(p, &clients[i], MOSQ_ACL_SUBSCRIBE, topics[i], NULL, 0), MOSQ_ERR_SUCCESS);
	}
	ck_assert_int_eq(stub_npubs, 300);
	ck_assert_uint_eq(p->presence.len, 300);
	for (i = 0; i < 300; i += 3)
		tu_disconnect(p, &clients[i]);
	ck_assert_int_eq(stub_npubs, 400);
	ck_assert_uint_eq(p->presence.len, 200);
	for (i = 0; i < 300; i++)
		tu_disconnect(p, &clients[i]);
	ck_assert_int_eq(stub_npubs, 600);
	ck_assert_uint_eq(p->devices.len, 0);
	e4plugin_free(p);
}
END_TEST

Suite *suite_presence(void)
{
	Suite *s = suite_create("presence");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, presence_follows_the_last_connection);
	tcase_add_test(tc, presence_table_handles_many_connections);
	suite_add_tcase(s, tc);
	return s;
}
