/*
 * test_plugin.c - unit tests of the mosquitto E4 plugin: the plugin's
 * sources linked against tests/stubs (no broker), callbacks driven with
 * hand-built events.  This file: helpers, entry points, options, topics,
 * identities, logging and the device table.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>

#include "test_util.h"

time_t tu_now_value = 1700000000;

time_t tu_now(void)
{
	return tu_now_value;
}

struct e4plugin *tu_plugin_err(const char *const *kv, char *err, size_t cap)
{
	struct mosquitto_opt opts[32];
	struct e4plugin *p;
	int n = 0;

	for (; kv[2 * n] != NULL; n++) {
		opts[n].key = (char *)(uintptr_t)kv[2 * n];
		opts[n].value = (char *)(uintptr_t)kv[2 * n + 1];
	}
	p = e4plugin_new(opts, n, err, cap);
	if (p != NULL) {
		p->now = tu_now;
		p->stats.started = tu_now_value;
	}
	return p;
}

struct e4plugin *tu_plugin(const char *const *kv)
{
	char err[512] = "";
	struct e4plugin *p = tu_plugin_err(kv, err, sizeof(err));

	ck_assert_msg(p != NULL, "plugin refused options: %s", err);
	return p;
}

int tu_acl(struct e4plugin *p, struct mosquitto *c, int access, const char *topic,
           const void *payload, size_t len)
{
	struct mosquitto_evt_acl_check ev;

	memset(&ev, 0, sizeof(ev));
	ev.client = c;
	ev.topic = topic;
	ev.payload = payload;
	ev.payloadlen = (uint32_t)len;
	ev.access = access;
	ev.qos = 1;
	return e4plugin_acl_cb(MOSQ_EVT_ACL_CHECK, &ev, p);
}

int tu_message(struct e4plugin *p, struct mosquitto *c, const char *topic, const void *payload,
               size_t len)
{
	struct mosquitto_evt_message ev;

	memset(&ev, 0, sizeof(ev));
	ev.client = c;
	ev.topic = (char *)(uintptr_t)topic;
	ev.payload = (void *)(uintptr_t)payload;
	ev.payloadlen = (uint32_t)len;
	ev.qos = 1;
	return e4plugin_message_cb(MOSQ_EVT_MESSAGE, &ev, p);
}

int tu_publish(struct e4plugin *p, struct mosquitto *c, const char *topic, const void *payload,
               size_t len)
{
	int rc = tu_acl(p, c, MOSQ_ACL_WRITE, topic, payload, len);

	if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_PLUGIN_DEFER)
		return rc;
	return tu_message(p, c, topic, payload, len);
}

void tu_disconnect(struct e4plugin *p, struct mosquitto *c)
{
	struct mosquitto_evt_disconnect ev;

	memset(&ev, 0, sizeof(ev));
	ev.client = c;
	ck_assert_int_eq(e4plugin_disconnect_cb(MOSQ_EVT_DISCONNECT, &ev, p), MOSQ_ERR_SUCCESS);
}

static const uint8_t test_key[E4_KEY_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

size_t tu_frame(uint8_t *out, size_t cap, uint64_t ts, const char *msg)
{
	size_t n = 0;

	ck_assert_int_eq(e4_frame_seal(out, cap, &n, test_key, ts, (const uint8_t *)msg, strlen(msg)), 0);
	return n;
}

size_t tu_pk_frame(uint8_t *out, size_t cap, const uint8_t sk[E4_ED25519_SK_LEN],
                   const uint8_t sender[E4_ID_LEN], uint64_t ts, const char *msg)
{
	size_t n = 0;

	ck_assert_int_eq(e4_pk_frame_seal(out, cap, &n, test_key, sk, sender, ts,
	                                  (const uint8_t *)msg, strlen(msg)), 0);
	return n;
}

/* ---- options ---- */

static const char *const minimal[] = { "protect", "data/#", "c2_username", "c2", NULL };

START_TEST(options_defaults_apply)
{
	struct e4plugin *p = tu_plugin(minimal);

	ck_assert_int_eq(p->mode, E4_MODE_SYMKEY);
	ck_assert_uint_eq(p->conf.max_age, E4_DEFAULT_MAX_AGE);
	ck_assert_uint_eq(p->conf.max_skew, E4_DEFAULT_MAX_SKEW);
	ck_assert_uint_eq(p->conf.identity, E4PLUGIN_ID_CLIENTID);
	ck_assert_uint_eq(p->conf.acl, E4PLUGIN_ACL_AUTHORITATIVE);
	ck_assert_uint_eq(p->conf.verify_signatures, 1);
	ck_assert_uint_eq(p->conf.protect_len, 1);
	ck_assert_str_eq(p->conf.c2_username, "c2");
	ck_assert_uint_eq(p->replay.cap, 16384);
	e4plugin_free(p);
}
END_TEST

START_TEST(options_all_values_parse)
{
	static const char *const kv[] = { "protect", " a/+/b , c/# ,d", "c2_username", "admin",
		"mode", "pubkey", "max_age", "30", "max_skew", "0", "identity", "username",
		"acl", "defer", "replay_cache", "64", "verify_signatures", "off", "state_file", "",
		NULL };
	struct e4plugin *p = tu_plugin(kv);

	ck_assert_int_eq(p->mode, E4_MODE_PUBKEY);
	ck_assert_uint_eq(p->conf.protect_len, 3);
	ck_assert_str_eq(p->conf.protect[0], "a/+/b");
	ck_assert_str_eq(p->conf.protect[1], "c/#");
	ck_assert_str_eq(p->conf.protect[2], "d");
	ck_assert_uint_eq(p->conf.max_age, 30);
	ck_assert_uint_eq(p->conf.max_skew, 0);
	ck_assert_uint_eq(p->conf.identity, E4PLUGIN_ID_USERNAME);
	ck_assert_uint_eq(p->conf.acl, E4PLUGIN_ACL_DEFER);
	ck_assert_uint_eq(p->conf.verify_signatures, 0);
	ck_assert_uint_eq(p->replay.cap, 64);
	e4plugin_free(p);
}
END_TEST

/* Bad option sets, each with a word its error message must contain. */
static const struct {
	const char *kv[8];
	const char *needle;
} bad_options[] = {
	{ { "c2_username", "c2", NULL }, "plugin_opt_protect is required" },
	{ { "protect", "a/#", NULL }, "plugin_opt_c2_username is required" },
	{ { "protect", "a/#", "c2_username", "", NULL }, "empty value" },
	{ { "protect", "a/#", "c2_username", "c2", "colour", "red", NULL }, "unknown option plugin_opt_colour" },
	{ { "protect", "a/#", "c2_username", "c2", "mode", "both", NULL }, "unknown value" },
	{ { "protect", "a/#", "c2_username", "c2", "max_age", "0", NULL }, "not a number in" },
	{ { "protect", "a/#", "c2_username", "c2", "max_age", "86401", NULL }, "not a number in" },
	{ { "protect", "a/#", "c2_username", "c2", "max_skew", "-1", NULL }, "not a number" },
	{ { "protect", "a/#", "c2_username", "c2", "max_skew", "5s", NULL }, "not a number in" },
	{ { "protect", "a/#/b", "c2_username", "c2", NULL }, "invalid topic filter" },
	{ { "protect", "a/b+", "c2_username", "c2", NULL }, "invalid topic filter" },
	{ { "protect", "a,,b", "c2_username", "c2", NULL }, "invalid topic filter" },
	{ { "protect", "a", "protect", "b", "c2_username", "c2", NULL }, "given twice" },
	{ { "protect", "a", "c2_username", "c2", "verify_signatures", "maybe", NULL }, "not true or false" },
	{ { "protect", "a", "c2_username", "c2", "replay_cache", "10", NULL }, "not a number in" },
};

START_TEST(options_refuse_bad_sets)
{
	char err[512] = "";
	struct e4plugin *p = tu_plugin_err(bad_options[_i].kv, err, sizeof(err));

	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(err, bad_options[_i].needle) != NULL, "case %d: \"%s\" lacks \"%s\"", _i,
	              err, bad_options[_i].needle);
}
END_TEST

START_TEST(options_table_rows_are_complete)
{
	size_t i;

	for (i = 0; i < e4plugin_options_len; i++) {
		const struct e4plugin_option *o = &e4plugin_options[i];

		ck_assert_msg(strlen(o->name) >= 3, "%s: broker refuses keys under 3 chars", o->name);
		ck_assert_ptr_nonnull(o->help);
		ck_assert(o->type != E4PLUGIN_OPT_CHOICE || o->choices != NULL);
		ck_assert(o->type != E4PLUGIN_OPT_UINT || o->min <= o->max);
	}
}
END_TEST

START_TEST(entry_points_register_and_unregister)
{
	struct mosquitto_opt opts[2] = { { (char *)"protect", (char *)"a/#" },
	                                 { (char *)"c2_username", (char *)"c2" } };
	static const int versions[] = { 4, 5 };
	void *ud = NULL;

	ck_assert_int_eq(mosquitto_plugin_version(2, versions), 5);
	ck_assert_int_eq(mosquitto_plugin_version(1, versions), -1);
	stub_registered = 0;
	ck_assert_int_eq(mosquitto_plugin_init(NULL, &ud, opts, 2), MOSQ_ERR_SUCCESS);
	ck_assert_ptr_nonnull(ud);
	ck_assert_int_eq(stub_registered, 4);
	ck_assert_int_eq(mosquitto_plugin_cleanup(ud, opts, 2), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(stub_registered, 0);
	/* A failed registration undoes the earlier ones and refuses to load. */
	stub_fail_register = 3;
	ud = NULL;
	ck_assert_int_ne(mosquitto_plugin_init(NULL, &ud, opts, 2), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(stub_registered, 0);
	ck_assert_ptr_null(ud);
	/* Bad options refuse to load. */
	ck_assert_int_eq(mosquitto_plugin_init(NULL, &ud, opts, 1), MOSQ_ERR_INVAL);
	ck_assert(strstr(stub_last_log, "refusing to load") != NULL);
}
END_TEST

Suite *suite_options(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, options_defaults_apply);
	tcase_add_test(tc, options_all_values_parse);
	tcase_add_loop_test(tc, options_refuse_bad_sets, 0,
	                    (int)(sizeof(bad_options) / sizeof(bad_options[0])));
	tcase_add_test(tc, options_table_rows_are_complete);
	tcase_add_test(tc, entry_points_register_and_unregister);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- topics ---- */

static const struct {
	const char *filter, *topic;
	int match;
} matches[] = {
	{ "a/b", "a/b", 1 }, { "a/b", "a/bc", 0 }, { "a/b", "a", 0 }, { "a/+", "a/b", 1 },
	{ "a/+", "a/", 1 }, { "a/+", "a", 0 }, { "a/+", "a/b/c", 0 }, { "a/#", "a", 1 },
	{ "a/#", "a/b/c", 1 }, { "#", "x/y", 1 }, { "#", "$SYS/x", 0 }, { "+/x", "$a/x", 0 },
	{ "$a/#", "$a/x", 1 }, { "+/+", "/x", 1 }, { "+", "/x", 0 }, { "a/+/c", "a//c", 1 },
	{ "a/b/#", "a/bb/c", 0 }, { "e4/+", "e4/00", 1 }, { "", "", 1 }, { "a/b", "a/b/", 0 },
	{ "sensors/#", "sensors", 1 }, { "sensors/#", "sensorsx/a", 0 }, { "a/#", "ab", 0 },
	{ "sensors/room1/#", "sensors/room1/t", 1 }, { "sensors/room1/#", "sensors/room2/t", 0 },
	{ "/#", "/x", 1 }, { "/#", "x", 0 }, { "#", "", 1 }, { "a/#", "a/", 1 },
	{ "long/literal/topic", "long/literal/topic", 1 }, { "long/literal/topic", "long/literal/topicx", 0 },
	{ "long/literal/+/x", "long/literal/a/x", 1 }, { "long/literal/+/x", "long/literaX/a/x", 0 },
	{ "long/literal/+/x", "long/lit", 0 },
};

START_TEST(topic_matching_follows_mqtt)
{
	ck_assert_msg(e4plugin_topic_matches(matches[_i].filter, matches[_i].topic) == matches[_i].match,
	              "%s vs %s", matches[_i].filter, matches[_i].topic);
}
END_TEST

START_TEST(prepared_filters_match_as_the_mqtt_matcher_does)
{
	struct e4plugin_filter f;

	e4plugin_filter_prepare(&f, matches[_i].filter);
	ck_assert_msg(e4plugin_filter_match(&f, matches[_i].topic, strlen(matches[_i].topic)) ==
	              matches[_i].match, "%s vs %s", matches[_i].filter, matches[_i].topic);
}
END_TEST

START_TEST(topic_filters_are_validated)
{
	ck_assert_int_eq(e4plugin_filter_valid("a/+/b/#"), 0);
	ck_assert_int_eq(e4plugin_filter_valid("#"), 0);
	ck_assert_int_eq(e4plugin_filter_valid("+"), 0);
	ck_assert_int_eq(e4plugin_filter_valid(""), -1);
	ck_assert_int_eq(e4plugin_filter_valid("a#"), -1);
	ck_assert_int_eq(e4plugin_filter_valid("a/#/b"), -1);
	ck_assert_int_eq(e4plugin_filter_valid("a+/b"), -1);
	ck_assert_int_eq(e4plugin_filter_valid(NULL), -1);
}
END_TEST

START_TEST(topic_kinds_are_recognised)
{
	uint8_t id[E4_ID_LEN], want[E4_ID_LEN];

	ck_assert_int_eq(e4_hex_decode(want, E4_ID_LEN, "00112233445566778899aabbccddeeff"), 0);
	ck_assert_int_eq(e4plugin_topic_kind("e4/00112233445566778899aabbccddeeff", id), E4PLUGIN_T_CONTROL);
	ck_assert_mem_eq(id, want, E4_ID_LEN);
	ck_assert_int_eq(e4plugin_topic_kind("e4/00112233445566778899AABBCCDDEEFF", id), E4PLUGIN_T_CONTROL);
	ck_assert_mem_eq(id, want, E4_ID_LEN);
	ck_assert_int_eq(e4plugin_topic_kind("e4/00112233445566778899aabbccddeeff/ack", id), E4PLUGIN_T_ACK);
	ck_assert_int_eq(e4plugin_topic_kind("e4/00112233445566778899aabbccddeeff/x", id), E4PLUGIN_T_E4_OTHER);
	ck_assert_int_eq(e4plugin_topic_kind("e4/0011", id), E4PLUGIN_T_E4_OTHER);
	ck_assert_int_eq(e4plugin_topic_kind("e4/00112233445566778899aabbccddeefg", id), E4PLUGIN_T_E4_OTHER);
	ck_assert_int_eq(e4plugin_topic_kind("e4", id), E4PLUGIN_T_E4_OTHER);
	ck_assert_int_eq(e4plugin_topic_kind("e4x/1", id), E4PLUGIN_T_DATA);
	ck_assert_int_eq(e4plugin_topic_kind("$CONTROL/e4/v1", id), E4PLUGIN_T_MGMT);
	ck_assert_int_eq(e4plugin_topic_kind("$CONTROL/e4/v1/response", id), E4PLUGIN_T_MGMT);
	ck_assert_int_eq(e4plugin_topic_kind("$CONTROL/dynamic-security/v1", id), E4PLUGIN_T_DATA);
	ck_assert_int_eq(e4plugin_topic_kind("sensors/t", id), E4PLUGIN_T_DATA);
}
END_TEST

Suite *suite_topic(void)
{
	Suite *s = suite_create("topic");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, topic_matching_follows_mqtt, 0, (int)(sizeof(matches) / sizeof(matches[0])));
	tcase_add_loop_test(tc, prepared_filters_match_as_the_mqtt_matcher_does, 0,
	                    (int)(sizeof(matches) / sizeof(matches[0])));
	tcase_add_test(tc, topic_filters_are_validated);
	tcase_add_test(tc, topic_kinds_are_recognised);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- identity ---- */

START_TEST(identity_parses_hex_suffix_and_alias)
{
	uint8_t id[E4_ID_LEN], want[E4_ID_LEN];

	ck_assert_int_eq(e4_hex_decode(want, E4_ID_LEN, "00112233445566778899aabbccddeeff"), 0);
	ck_assert_int_eq(e4plugin_id_from_name("00112233445566778899aabbccddeeff", id), 0);
	ck_assert_mem_eq(id, want, E4_ID_LEN);
	ck_assert_int_eq(e4plugin_id_from_name("00112233445566778899AABBCCDDEEFF-backup", id), 0);
	ck_assert_mem_eq(id, want, E4_ID_LEN);
	/* A trailing dash or other suffix makes it an alias. */
	ck_assert_int_eq(e4plugin_id_from_name("00112233445566778899aabbccddeeff-", id), 0);
	ck_assert_mem_ne(id, want, E4_ID_LEN);
	ck_assert_int_eq(e4_id_from_alias(want, "sensor-7"), 0);
	ck_assert_int_eq(e4plugin_id_from_name("sensor-7", id), 0);
	ck_assert_mem_eq(id, want, E4_ID_LEN);
	ck_assert_int_eq(e4plugin_id_from_name("", id), -1);
	ck_assert_int_eq(e4plugin_id_from_name(NULL, id), -1);
}
END_TEST

START_TEST(client_cache_follows_both_names_and_skips_long_ones)
{
	static const char long_id[] = "00112233445566778899aabbccddeeff-"
	                              "0123456789012345678901234567890123456789";
	struct e4plugin *p = tu_plugin(minimal);
	struct mosquitto c = { "00112233445566778899aabbccddeeff", "u1" };
	uint8_t id[E4_ID_LEN];
	uint64_t w1, w2;

	w1 = e4plugin_publisher(p, &c);
	ck_assert_uint_eq(e4plugin_publisher(p, &c), w1);
	/* The same address with another username is another publisher. */
	c.username = "u2";
	w2 = e4plugin_publisher(p, &c);
	ck_assert_uint_ne(w2, w1);
	c.username = NULL;
	ck_assert_uint_ne(e4plugin_publisher(p, &c), w1);
	ck_assert_uint_ne(e4plugin_publisher(p, &c), w2);
	c.username = "u1";
	ck_assert_uint_eq(e4plugin_publisher(p, &c), w1);
	ck_assert_int_eq(e4plugin_client_id(p, &c, id), 0);
	ck_assert_int_eq(id[15], 0xff);
	/* Names too long to cache still give the same answers every time. */
	c.id = long_id;
	w1 = e4plugin_publisher(p, &c);
	ck_assert_uint_eq(e4plugin_publisher(p, &c), w1);
	ck_assert_int_eq(e4plugin_client_id(p, &c, id), 0);
	ck_assert_int_eq(id[0], 0x00);
	ck_assert_int_eq(id[15], 0xff);
	e4plugin_identity_forget(p, &c);
	ck_assert_uint_eq(e4plugin_publisher(p, &c), w1);
	e4plugin_free(p);
}
END_TEST

START_TEST(identity_uses_the_configured_source)
{
	static const char *const kv[] = { "protect", "a", "c2_username", "c2", "identity", "username", NULL };
	struct e4plugin *p = tu_plugin(minimal), *q = tu_plugin(kv);
	struct mosquitto c = { "00112233445566778899aabbccddeeff", "sensor-7" }, anon = { "x", NULL };
	uint8_t id[E4_ID_LEN], a[E4_ID_LEN];

	ck_assert_int_eq(e4plugin_client_id(p, &c, id), 0);
	ck_assert_int_eq(id[0], 0x00);
	ck_assert_int_eq(id[15], 0xff);
	ck_assert_int_eq(e4plugin_client_id(q, &c, id), 0);
	ck_assert_int_eq(e4_id_from_alias(a, "sensor-7"), 0);
	ck_assert_mem_eq(id, a, E4_ID_LEN);
	ck_assert_int_eq(e4plugin_client_id(q, &anon, id), -1);
	ck_assert_int_eq(e4plugin_client_id(p, NULL, id), -1);
	/* The cache notices a different name at the same address. */
	c.id = "sensor-7";
	ck_assert_int_eq(e4plugin_client_id(p, &c, id), 0);
	ck_assert_mem_eq(id, a, E4_ID_LEN);
	ck_assert(e4plugin_is_c2(p, &(struct mosquitto){ "any", "c2" }));
	ck_assert(!e4plugin_is_c2(p, &(struct mosquitto){ "c2", NULL }));
	ck_assert(!e4plugin_is_c2(p, &(struct mosquitto){ "c2", "c2x" }));
	e4plugin_free(p);
	e4plugin_free(q);
}
END_TEST

Suite *suite_identity(void)
{
	Suite *s = suite_create("identity");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, identity_parses_hex_suffix_and_alias);
	tcase_add_test(tc, identity_uses_the_configured_source);
	tcase_add_test(tc, client_cache_follows_both_names_and_skips_long_ones);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- log ---- */

START_TEST(log_escapes_untrusted_strings)
{
	char out[64], big[600];

	e4plugin_log_escape(out, sizeof(out), "a\"b\\c\nd\x01\xff");
	ck_assert_str_eq(out, "a\\x22b\\x5cc\\x0ad\\x01\\xff");
	e4plugin_log_escape(out, sizeof(out), NULL);
	ck_assert_str_eq(out, "(none)");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	e4plugin_log_escape(out, sizeof(out), big);
	ck_assert_uint_lt(strlen(out), sizeof(out));
	ck_assert(strstr(out, "...") != NULL);
	e4plugin_log_escape(out, 2, "abc");
	ck_assert_uint_le(strlen(out), 1);
}
END_TEST

START_TEST(log_is_rate_limited)
{
	struct e4plugin *p = tu_plugin(minimal);
	struct mosquitto c = { "evil\n\"client", NULL };
	int i;

	stub_reset();
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(tu_publish(p, &c, "data/x", "plain", 5), MOSQ_ERR_ACL_DENIED);
	ck_assert_int_eq(stub_nlogs, E4PLUGIN_LOG_PER_SECOND);
	ck_assert(strstr(stub_last_log, "evil\\x0a\\x22client") != NULL);
	ck_assert(strstr(stub_last_log, "tooShort") != NULL);
	tu_now_value++;
	ck_assert_int_eq(tu_publish(p, &c, "data/x", "plain", 5), MOSQ_ERR_ACL_DENIED);
	ck_assert_int_eq(stub_nlogs, E4PLUGIN_LOG_PER_SECOND + 2);
	ck_assert_uint_eq(p->stats.refused[E4PLUGIN_R_TOO_SHORT], 101);
	e4plugin_free(p);
}
END_TEST

Suite *suite_log(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, log_escapes_untrusted_strings);
	tcase_add_test(tc, log_is_rate_limited);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- devices ---- */

START_TEST(devices_grow_find_and_delete)
{
	struct e4plugin_devices d;
	struct e4plugin_device **v;
	uint8_t id[E4_ID_LEN] = { 0 };
	size_t n, i;

	ck_assert_int_eq(e4plugin_devices_init(&d), 0);
	/* Ids sharing their low bytes collide, which exercises probing. */
	for (i = 0; i < 1000; i++) {
		id[0] = (uint8_t)(i % 3);
		id[8] = (uint8_t)i;
		id[9] = (uint8_t)(i >> 8);
		ck_assert_ptr_nonnull(e4plugin_device_get(&d, id));
	}
	ck_assert_uint_eq(d.len, 1000);
	for (i = 0; i < 1000; i += 2) {
		id[0] = (uint8_t)(i % 3);
		id[8] = (uint8_t)i;
		id[9] = (uint8_t)(i >> 8);
		e4plugin_device_gc(&d, id);
	}
	ck_assert_uint_eq(d.len, 500);
	for (i = 0; i < 1000; i++) {
		id[0] = (uint8_t)(i % 3);
		id[8] = (uint8_t)i;
		id[9] = (uint8_t)(i >> 8);
		ck_assert((e4plugin_device_find(&d, id) != NULL) == (i % 2 == 1));
	}
	v = e4plugin_devices_sorted(&d, &n);
	ck_assert_uint_eq(n, 500);
	for (i = 1; i < n; i++)
		ck_assert_int_lt(memcmp(v[i - 1]->id, v[i]->id, E4_ID_LEN), 0);
	free(v);
	/* Devices with a key are kept. */
	v = NULL;
	id[0] = 1;
	id[8] = 1;
	id[9] = 0;
	e4plugin_device_find(&d, id)->has_pubkey = 1;
	e4plugin_device_gc(&d, id);
	ck_assert_ptr_nonnull(e4plugin_device_find(&d, id));
	e4plugin_devices_free(&d);
}
END_TEST

Suite *suite_devices(void)
{
	Suite *s = suite_create("devices");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, devices_grow_find_and_delete);
	suite_add_tcase(s, tc);
	return s;
}

/* Runs every suite. */
int main(void)
{
	SRunner *sr = srunner_create(suite_options());
	int failed;

	srunner_add_suite(sr, suite_topic());
	srunner_add_suite(sr, suite_identity());
	srunner_add_suite(sr, suite_log());
	srunner_add_suite(sr, suite_devices());
	srunner_add_suite(sr, suite_frame());
	srunner_add_suite(sr, suite_acl());
	srunner_add_suite(sr, suite_presence());
	srunner_add_suite(sr, suite_control());
	srunner_add_suite(sr, suite_state());
	srunner_add_suite(sr, suite_replay());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	stub_reset();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
