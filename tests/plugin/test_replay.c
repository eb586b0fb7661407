/*
 * test_replay.c - unit tests of the replay cache against eviction, of
 * resends by a frame's own publisher, Wills, retained-message clears,
 * shared subscriptions and the keyed device index (issue 15).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>

#include "test_util.h"

#define DEV_HEX "00112233445566778899aabbccddeeff"

static const char *const opts64[] = { "protect", "data/#,e4/#", "c2_username", "c2",
	"replay_cache", "64", NULL };

static struct mosquitto dev = { DEV_HEX, "dev" };
static struct mosquitto dev_again = { DEV_HEX, "dev" };   /* a new connection, same names */
static struct mosquitto thief = { DEV_HEX, "thief" };     /* the device's client id, another user */
static struct mosquitto other = { "ffeeddccbbaa99887766554433221100", "other" };
static struct mosquitto c2 = { "c2-client", "c2" };

/* ACL_CHECK(WRITE) with qos and retain. */
static int write_ev(struct e4plugin *p, struct mosquitto *c, const char *topic, const void *f,
                    size_t n, int qos, bool retain)
{
	struct mosquitto_evt_acl_check ev;

	memset(&ev, 0, sizeof(ev));
	ev.client = c;
	ev.topic = topic;
	ev.payload = f;
	ev.payloadlen = (uint32_t)n;
	ev.access = MOSQ_ACL_WRITE;
	ev.qos = (uint8_t)qos;
	ev.retain = retain;
	return e4plugin_acl_cb(MOSQ_EVT_ACL_CHECK, &ev, p);
}

/* MESSAGE with qos and retain. */
static int message_ev(struct e4plugin *p, struct mosquitto *c, const char *topic, const void *f,
                      size_t n, int qos, bool retain)
{
	struct mosquitto_evt_message ev;

	memset(&ev, 0, sizeof(ev));
	ev.client = c;
	ev.topic = (char *)(uintptr_t)topic;
	ev.payload = (void *)(uintptr_t)f;
	ev.payloadlen = (uint32_t)n;
	ev.qos = (uint8_t)qos;
	ev.retain = retain;
	return e4plugin_message_cb(MOSQ_EVT_MESSAGE, &ev, p);
}

/* A whole publish at qos: WRITE, then MESSAGE. */
static int publish_q(struct e4plugin *p, struct mosquitto *c, const char *topic, const void *f,
                     size_t n, int qos)
{
	int rc = write_ev(p, c, topic, f, n, qos, false);

	return rc != MOSQ_ERR_SUCCESS ? rc : message_ev(p, c, topic, f, n, qos, false);
}

START_TEST(replay_same_tag_with_later_timestamps_cannot_evict_a_frame)
{
	struct e4plugin *p = tu_plugin(opts64);
	uint8_t f[128], g[128];
	size_t n = tu_frame(f, sizeof(f), (uint64_t)tu_now_value, "captured");
	uint64_t ts;
	int k;

	ck_assert_int_eq(tu_publish(p, &dev, "data/t", f, n), MOSQ_ERR_SUCCESS);
	/* The captured tag with 64 later timestamps: each is the same frame. */
	for (k = 1; k <= 64; k++) {
		memcpy(g, f, n);
		ts = (uint64_t)tu_now_value + (uint64_t)(k % 60);
		e4_store_le64(g, ts);
		ck_assert_int_eq(tu_publish(p, &other, "data/t", g, n), MOSQ_ERR_ACL_DENIED);
	}
	ck_assert_int_eq(tu_publish(p, &other, "data/t", f, n), MOSQ_ERR_ACL_DENIED);
	ck_assert_uint_eq(p->stats.refused[E4PLUGIN_R_REPLAY], 65);
	e4plugin_free(p);
}
END_TEST

START_TEST(replay_a_frame_is_forgotten_only_after_capacity_newer_frames)
{
	struct e4plugin *p = tu_plugin(opts64);
	uint8_t f[128], g[128];
	size_t n = tu_frame(f, sizeof(f), (uint64_t)tu_now_value, "captured"), m;
	char msg[32];
	int k;

	ck_assert_int_eq(tu_publish(p, &dev, "data/t", f, n), MOSQ_ERR_SUCCESS);
	/* 63 distinct frames, all aimed wherever: the captured one stays. */
	for (k = 0; k < 63; k++) {
		snprintf(msg, sizeof(msg), "flood %d", k);
		m = tu_frame(g, sizeof(g), (uint64_t)tu_now_value + (uint64_t)(k % 60), msg);
		ck_assert_int_eq(tu_publish(p, &other, k % 2 ? "data/t" : "data/u", g, m), MOSQ_ERR_SUCCESS);
	}
	ck_assert_int_eq(tu_publish(p, &other, "data/t", f, n), MOSQ_ERR_ACL_DENIED);
	/* The 64th newer frame pushes it out: the documented bound, no sooner. */
	m = tu_frame(g, sizeof(g), (uint64_t)tu_now_value, "flood 63");
	ck_assert_int_eq(tu_publish(p, &other, "data/u", g, m), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(tu_publish(p, &other, "data/t", f, n), MOSQ_ERR_SUCCESS);
	e4plugin_free(p);
}
END_TEST

START_TEST(replay_a_will_carrying_a_captured_frame_is_refused)
{
	struct e4plugin *p = tu_plugin(opts64);
	uint8_t f[128], w[128];
	size_t n = tu_frame(f, sizeof(f), (uint64_t)tu_now_value, "captured");
	size_t wn = tu_frame(w, sizeof(w), (uint64_t)tu_now_value, "honest will");

	ck_assert_int_eq(tu_publish(p, &dev, "data/t", f, n), MOSQ_ERR_SUCCESS);
	/* A Will: WRITE only, no MESSAGE follows. */
	ck_assert_int_eq(write_ev(p, &other, "data/t", f, n, 1, false), MOSQ_ERR_ACL_DENIED);
	ck_assert_uint_eq(p->stats.refused[E4PLUGIN_R_REPLAY], 1);
	/* An honest Will goes out and is remembered: replaying it fails. */
	ck_assert_int_eq(write_ev(p, &dev, "data/w", w, wn, 1, false), MOSQ_ERR_SUCCESS);
	tu_disconnect(p, &dev);
	ck_assert_int_eq(tu_publish(p, &other, "data/w", w, wn), MOSQ_ERR_ACL_DENIED);
	e4plugin_free(p);
}
END_TEST

START_TEST(replay_own_resends_pass_and_reach_subscribers_once)
{
	struct e4plugin *p = tu_plugin(opts64);
	uint8_t f[128], g[128];
	size_t n = tu_frame(f, sizeof(f), (uint64_t)tu_now_value, "once");
	size_t gn = tu_frame(g, sizeof(g), (uint64_t)tu_now_value, "next");

	ck_assert_int_eq(publish_q(p, &dev, "data/t", f, n, 2), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(tu_acl(p, &other, MOSQ_ACL_READ, "data/t", f, n), MOSQ_ERR_SUCCESS);
	/* QoS 2 resend in the resumed session (a new connection): allowed, mosquitto dedups. */
	ck_assert_int_eq(publish_q(p, &dev_again, "data/t", f, n, 2), MOSQ_ERR_SUCCESS);
	/* QoS 1 resend: acknowledged, but its copy is kept from subscribers. */
	ck_assert_int_eq(publish_q(p, &dev_again, "data/t", f, n, 1), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(tu_acl(p, &other, MOSQ_ACL_READ, "data/t", f, n), MOSQ_ERR_ACL_DENIED);
	/* The next message is delivered normally. */
	ck_assert_int_eq(publish_q(p, &dev, "data/t", g, gn, 1), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(tu_acl(p, &other, MOSQ_ACL_READ, "data/t", g, gn), MOSQ_ERR_SUCCESS);
	/* Another user holding the device's client id is not its publisher. */
	ck_assert_int_eq(publish_q(p, &thief, "data/t", f, n, 2), MOSQ_ERR_ACL_DENIED);
	ck_assert_uint_eq(p->stats.refused[E4PLUGIN_R_REPLAY], 1);
	e4plugin_free(p);
}
END_TEST

START_TEST(replay_retained_messages_are_checked_again_for_new_subscribers)
{
	struct e4plugin *p = tu_plugin(opts64);
	struct mosquitto retainer = { DEV_HEX, "dev" };
	uint8_t f[128];
	size_t n = tu_frame(f, sizeof(f), (uint64_t)tu_now_value, "retained");

	ck_assert_int_eq(write_ev(p, &dev, "data/r", f, n, 0, true), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(message_ev(p, &dev, "data/r", f, n, 0, true), MOSQ_ERR_SUCCESS);
	/* mosquitto re-checks WRITE with the stored publisher's names, then READ. */
	ck_assert_int_eq(write_ev(p, &retainer, "data/r", f, n, 0, true), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(tu_acl(p, &other, MOSQ_ACL_READ, "data/r", f, n), MOSQ_ERR_SUCCESS);
	e4plugin_free(p);
}
END_TEST

START_TEST(replay_bridged_resends_are_replays)
{
	struct e4plugin *p = tu_plugin(opts64);
	struct mosquitto bridge = { "bridge", NULL };
	uint8_t f[128];
	size_t n = tu_frame(f, sizeof(f), (uint64_t)tu_now_value, "via bridge");

	ck_assert_int_eq(tu_message(p, &bridge, "data/b", f, n), MOSQ_ERR_SUCCESS);
	/* Every publisher behind a bridge has the bridge's names. */
	ck_assert_int_eq(tu_message(p, &bridge, "data/b", f, n), MOSQ_ERR_ACL_DENIED);
	e4plugin_free(p);
}
END_TEST

START_TEST(retained_clear_is_allowed_on_protected_topics)
{
	struct e4plugin *p = tu_plugin(opts64);
	struct mosquitto bridge = { "bridge", NULL };

	ck_assert_int_eq(write_ev(p, &other, "data/r", "", 0, 1, true), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(message_ev(p, &other, "data/r", "", 0, 1, true), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(message_ev(p, &bridge, "data/r", "", 0, 1, true), MOSQ_ERR_SUCCESS);
	/* Not retained: an empty payload is still no frame. */
	ck_assert_int_eq(write_ev(p, &other, "data/r", "", 0, 1, false), MOSQ_ERR_ACL_DENIED);
	/* The control channel keeps its publisher rules. */
	ck_assert_int_eq(write_ev(p, &other, "e4/" DEV_HEX, "", 0, 1, true), MOSQ_ERR_ACL_DENIED);
	ck_assert_int_eq(write_ev(p, &c2, "e4/" DEV_HEX, "", 0, 1, true), MOSQ_ERR_SUCCESS);
	e4plugin_free(p);
}
END_TEST

START_TEST(shared_subscriptions_to_the_control_channel_are_restricted)
{
	static const struct {
		struct mosquitto *who;
		const char *filter;
		int rc;
	} t[] = {
		{ &other, "$share/g/e4/" DEV_HEX, MOSQ_ERR_ACL_DENIED },
		{ &other, "$share/g/e4/+/ack", MOSQ_ERR_ACL_DENIED },
		{ &other, "$share/g/e4/" DEV_HEX "/ack", MOSQ_ERR_ACL_DENIED },
		{ &other, "$share/g/e4/+", MOSQ_ERR_ACL_DENIED },
		{ &other, "$share/g/e4/#", MOSQ_ERR_ACL_DENIED },
		{ &other, "$share/g/#", MOSQ_ERR_ACL_DENIED },
		{ &other, "$share/g/+/+", MOSQ_ERR_ACL_DENIED },
		{ &other, "$share/g/$CONTROL/e4/v1/response", MOSQ_ERR_ACL_DENIED },
		{ &other, "$share/g", MOSQ_ERR_ACL_DENIED },
		{ &other, "$share/g/data/#", MOSQ_ERR_SUCCESS },
		{ &other, "$share/g/e4/" DEV_HEX "/other", MOSQ_ERR_SUCCESS },
		{ &dev, "$share/g/e4/" DEV_HEX, MOSQ_ERR_SUCCESS },
		{ &dev, "$share/g/e4/" DEV_HEX "/#", MOSQ_ERR_ACL_DENIED },
		{ &dev, "$share/g/e4/+", MOSQ_ERR_ACL_DENIED },
		{ &c2, "$share/g/e4/+/ack", MOSQ_ERR_SUCCESS },
		{ &c2, "$share/g/e4/" DEV_HEX, MOSQ_ERR_ACL_DENIED },
		{ &c2, "$share/g/#", MOSQ_ERR_ACL_DENIED },
		{ &c2, "$share/g/$CONTROL/e4/v1/response", MOSQ_ERR_SUCCESS },
	};
	struct e4plugin *p = tu_plugin(opts64);
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ck_assert_msg(tu_acl(p, t[i].who, MOSQ_ACL_SUBSCRIBE, t[i].filter, NULL, 0) == t[i].rc,
		              "%s by %s", t[i].filter, t[i].who->username);
	e4plugin_free(p);
}
END_TEST

START_TEST(devices_sharing_low_bits_do_not_share_a_probe_chain)
{
	struct e4plugin *p = tu_plugin(opts64);
	uint8_t id[E4_ID_LEN] = { 0 };
	unsigned k;

	/* 2048 ids equal in their first 8 bytes (the old table's home slot). */
	for (k = 0; k < 2048; k++) {
		memcpy(id + 8, &k, sizeof(k));
		ck_assert_ptr_nonnull(e4plugin_device_get(&p->devices, id));
	}
	p->devices.probes = 0;
	for (k = 0; k < 2048; k++) {
		memcpy(id + 8, &k, sizeof(k));
		ck_assert_ptr_nonnull(e4plugin_device_find(&p->devices, id));
	}
	/* Linear probing at load <= 0.7: a few probes each, not a scan of 2048. */
	ck_assert_uint_lt(p->devices.probes, 4 * 2048);
	e4plugin_free(p);
}
END_TEST

Suite *suite_replay(void)
{
	Suite *s = suite_create("replay");
	TCase *tc = tcase_create("replay");

	tcase_add_test(tc, replay_same_tag_with_later_timestamps_cannot_evict_a_frame);
	tcase_add_test(tc, replay_a_frame_is_forgotten_only_after_capacity_newer_frames);
	tcase_add_test(tc, replay_a_will_carrying_a_captured_frame_is_refused);
	tcase_add_test(tc, replay_own_resends_pass_and_reach_subscribers_once);
	tcase_add_test(tc, replay_retained_messages_are_checked_again_for_new_subscribers);
	tcase_add_test(tc, replay_bridged_resends_are_replays);
	tcase_add_test(tc, retained_clear_is_allowed_on_protected_topics);
	tcase_add_test(tc, shared_subscriptions_to_the_control_channel_are_restricted);
	tcase_add_test(tc, devices_sharing_low_bits_do_not_share_a_probe_chain);
	suite_add_tcase(s, tc);
	return s;
}
