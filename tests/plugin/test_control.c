/*
 * test_control.c - unit tests of the $CONTROL/e4/v1 JSON API and of the
 * state file.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "test_util.h"

#define DEV_HEX "00112233445566778899aabbccddeeff"
#define PK_HEX  "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"

static const char *const sym_opts[] = { "protect", "data/#", "c2_username", "c2", NULL };
static const char *const pk_opts[] = { "protect", "data/#", "c2_username", "c2", "mode", "pubkey", NULL };

/* Runs a request and returns the parsed response document (caller deletes). */
static cJSON *run(struct e4plugin *p, const char *req)
{
	char *out = e4plugin_control_handle(p, req, strlen(req));
	cJSON *doc;

	ck_assert_ptr_nonnull(out);
	doc = cJSON_Parse(out);
	ck_assert_msg(doc != NULL, "response is not JSON: %s", out);
	free(out);
	return doc;
}

/* Response i of a document. */
static const cJSON *resp(const cJSON *doc, int i)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, "responses");

	ck_assert(cJSON_IsArray(arr));
	ck_assert_int_gt(cJSON_GetArraySize(arr), i);
	return cJSON_GetArrayItem(arr, i);
}

/* The error of response i, or NULL. */
static const char *err_of(const cJSON *doc, int i)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(resp(doc, i), "error");

	return cJSON_IsString(e) ? e->valuestring : NULL;
}

/* Asserts that request gives one response whose error contains needle. */
static void expect_error(struct e4plugin *p, const char *req, const char *needle)
{
	cJSON *doc = run(p, req);
	const char *e = err_of(doc, 0);

	ck_assert_msg(e != NULL && strstr(e, needle) != NULL, "%s: got error %s", req, e ? e : "(none)");
	cJSON_Delete(doc);
}

static const struct {
	const char *req, *needle;
} bad_requests[] = {
	{ "", "empty request" },
	{ "{", "not valid JSON" },
	{ "[1,2]", "no \"commands\" array" },
	{ "{\"commands\":{}}", "no \"commands\" array" },
	{ "{\"commands\":[1]}", "not an object" },
	{ "{\"commands\":[{}]}", "missing or non-string \"command\"" },
	{ "{\"commands\":[{\"command\":5}]}", "missing or non-string \"command\"" },
	{ "{\"commands\":[{\"command\":\"format\"}]}", "unknown command" },
	{ "{\"commands\":[{\"command\":\"getStatistics\",\"correlationData\":7}]}", "correlationData" },
	{ "{\"commands\":[{\"command\":\"setDevicePubKey\",\"id\":\"" DEV_HEX "\",\"pubkey\":\"" PK_HEX "\"}]}", "pubkey mode" },
	{ "{\"commands\":[{\"command\":\"removeDevicePubKey\",\"id\":\"" DEV_HEX "\"}]}", "no public key" },
	{ "{\"commands\":[{\"command\":\"removeDevicePubKey\",\"id\":\"00\"}]}", "32 hex" },
	{ "{\"commands\":[{\"command\":\"removeDevicePubKey\"}]}", "\"id\"" },
	{ "{\"commands\":[{\"command\":\"listDevices\",\"count\":-1}]}", "non-negative" },
	{ "{\"commands\":[{\"command\":\"listDevices\",\"offset\":1.5}]}", "non-negative" },
	{ "{\"commands\":[{\"command\":\"listDevices\",\"offset\":\"1\"}]}", "non-negative" },
};

START_TEST(control_bad_requests_get_errors)
{
	struct e4plugin *p = tu_plugin(sym_opts);

	expect_error(p, bad_requests[_i].req, bad_requests[_i].needle);
	e4plugin_free(p);
}
END_TEST

START_TEST(control_too_many_commands_are_refused)
{
	struct e4plugin *p = tu_plugin(sym_opts);
	char *req = malloc(64 * 1024);
	size_t n = 0;
	int i;

	n += (size_t)sprintf(req, "{\"commands\":[");
	for (i = 0; i <= E4PLUGIN_MAX_COMMANDS; i++)
		n += (size_t)sprintf(req + n, "%s{\"command\":\"getStatistics\"}", i ? "," : "");
	sprintf(req + n, "]}");
	expect_error(p, req, "too many");
	free(req);
	e4plugin_free(p);
}
END_TEST

START_TEST(control_pubkeys_are_set_listed_and_removed)
{
	struct e4plugin *p = tu_plugin(pk_opts);
	const cJSON *data, *devs, *d;
	cJSON *doc;

	doc = run(p, "{\"commands\":[{\"command\":\"setDevicePubKey\",\"id\":\"" DEV_HEX "\","
	             "\"pubkey\":\"" PK_HEX "\",\"correlationData\":\"42\"},"
	             "{\"command\":\"setDevicePubKey\",\"id\":\"" DEV_HEX "\",\"pubkey\":\"zz\"},"
	             "{\"command\":\"listDevices\"}]}");
	ck_assert_ptr_null(err_of(doc, 0));
	ck_assert_str_eq(cJSON_GetObjectItem(resp(doc, 0), "correlationData")->valuestring, "42");
	ck_assert_str_eq(cJSON_GetObjectItem(resp(doc, 0), "command")->valuestring, "setDevicePubKey");
	ck_assert(strstr(err_of(doc, 1), "64 hex") != NULL);
	data = cJSON_GetObjectItem(resp(doc, 2), "data");
	ck_assert_int_eq(cJSON_GetObjectItem(data, "totalCount")->valueint, 1);
	devs = cJSON_GetObjectItem(data, "devices");
	d = cJSON_GetArrayItem(devs, 0);
	ck_assert_str_eq(cJSON_GetObjectItem(d, "id")->valuestring, DEV_HEX);
	ck_assert_str_eq(cJSON_GetObjectItem(d, "pubkey")->valuestring, PK_HEX);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(d, "online")));
	cJSON_Delete(doc);
	doc = run(p, "{\"commands\":[{\"command\":\"removeDevicePubKey\",\"id\":\"" DEV_HEX "\"},"
	             "{\"command\":\"listDevices\",\"offset\":0,\"count\":10}]}");
	ck_assert_ptr_null(err_of(doc, 0));
	data = cJSON_GetObjectItem(resp(doc, 1), "data");
	ck_assert_int_eq(cJSON_GetObjectItem(data, "totalCount")->valueint, 0);
	cJSON_Delete(doc);
	e4plugin_free(p);
}
END_TEST

START_TEST(control_list_pages_and_shows_presence)
{
	struct e4plugin *p = tu_plugin(pk_opts);
	struct mosquitto dev = { DEV_HEX, NULL };
	const cJSON *data, *devs;
	char req[512];
	cJSON *doc;
	int i;

	for (i = 0; i < 5; i++) {
		snprintf(req, sizeof(req), "{\"commands\":[{\"command\":\"setDevicePubKey\",\"id\":\"%032x\","
		         "\"pubkey\":\"" PK_HEX "\"}]}", i + 1);
		doc = run(p, req);
		ck_assert_ptr_null(err_of(doc, 0));
		cJSON_Delete(doc);
	}
	ck_assert_int_eq(tu_acl(p, &dev, MOSQ_ACL_SUBSCRIBE, "e4/" DEV_HEX, NULL, 0), MOSQ_ERR_SUCCESS);
	doc = run(p, "{\"commands\":[{\"command\":\"listDevices\",\"offset\":1,\"count\":2}]}");
	data = cJSON_GetObjectItem(resp(doc, 0), "data");
	ck_assert_int_eq(cJSON_GetObjectItem(data, "totalCount")->valueint, 6);
	devs = cJSON_GetObjectItem(data, "devices");
	ck_assert_int_eq(cJSON_GetArraySize(devs), 2);
	/* Sorted by id: the online device (0011...) sorts after 0000...01. */
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(devs, 0), "id")->valuestring,
	                 "00000000000000000000000000000002");
	cJSON_Delete(doc);
	doc = run(p, "{\"commands\":[{\"command\":\"listDevices\",\"offset\":5}]}");
	devs = cJSON_GetObjectItem(cJSON_GetObjectItem(resp(doc, 0), "data"), "devices");
	ck_assert_int_eq(cJSON_GetArraySize(devs), 1);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(devs, 0), "id")->valuestring, DEV_HEX);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(devs, 0), "online")));
	ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetArrayItem(devs, 0), "pubkey"));
	cJSON_Delete(doc);
	e4plugin_free(p);
}
END_TEST

START_TEST(control_statistics_report_counters)
{
	struct e4plugin *p = tu_plugin(sym_opts);
	struct mosquitto dev = { DEV_HEX, NULL }, replayer = { "replayer", NULL };
	const cJSON *data, *f;
	uint8_t fr[64];
	size_t n = tu_frame(fr, sizeof(fr), (uint64_t)tu_now_value, "x");
	cJSON *doc;

	ck_assert_int_eq(tu_publish(p, &dev, "data/1", fr, n), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(tu_publish(p, &replayer, "data/1", fr, n), MOSQ_ERR_ACL_DENIED);
	ck_assert_int_eq(tu_publish(p, &dev, "data/1", "plain", 5), MOSQ_ERR_ACL_DENIED);
	tu_now_value += 5;
	doc = run(p, "{\"commands\":[{\"command\":\"getStatistics\"}]}");
	data = cJSON_GetObjectItem(resp(doc, 0), "data");
	ck_assert_int_eq(cJSON_GetObjectItem(data, "framesPassed")->valueint, 1);
	ck_assert_int_eq(cJSON_GetObjectItem(data, "refusedTotal")->valueint, 2);
	ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(data, "refused"), "replay")->valueint, 1);
	ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(data, "refused"), "tooShort")->valueint, 1);
	ck_assert_int_eq(cJSON_GetObjectItem(data, "uptime")->valueint, 5);
	ck_assert_str_eq(cJSON_GetObjectItem(data, "mode")->valuestring, "symkey");
	f = cJSON_GetArrayItem(cJSON_GetObjectItem(data, "filters"), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(f, "filter")->valuestring, "data/#");
	ck_assert_int_eq(cJSON_GetObjectItem(f, "passed")->valueint, 1);
	ck_assert_int_eq(cJSON_GetObjectItem(f, "refused")->valueint, 2);
	cJSON_Delete(doc);
	e4plugin_free(p);
}
END_TEST

START_TEST(control_event_answers_the_c2_only)
{
	struct e4plugin *p = tu_plugin(sym_opts);
	struct mosquitto c2 = { "c2", "c2" }, dev = { DEV_HEX, "dev" };
	struct mosquitto_evt_control ev;
	const char *req = "{\"commands\":[{\"command\":\"getStatistics\",\"correlationData\":\"a\"}]}";

	stub_reset();
	memset(&ev, 0, sizeof(ev));
	ev.client = &dev;
	ev.topic = E4PLUGIN_CONTROL_TOPIC;
	ev.payload = req;
	ev.payloadlen = (uint32_t)strlen(req);
	ck_assert_int_eq(e4plugin_control_cb(MOSQ_EVT_CONTROL, &ev, p), MOSQ_ERR_ACL_DENIED);
	ck_assert_int_eq(stub_npubs, 0);
	ck_assert_uint_eq(p->stats.refused[E4PLUGIN_R_MANAGEMENT], 1);
	ev.client = &c2;
	ck_assert_int_eq(e4plugin_control_cb(MOSQ_EVT_CONTROL, &ev, p), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(stub_npubs, 1);
	ck_assert_str_eq(stub_pubs[0].topic, E4PLUGIN_RESPONSE_TOPIC);
	ck_assert(strstr(stub_pubs[0].payload, "\"correlationData\":\"a\"") != NULL);
	ck_assert(strstr(stub_pubs[0].payload, "\"managementAccess\":1") != NULL);
	ck_assert_int_eq(e4plugin_control_cb(MOSQ_EVT_CONTROL, NULL, p), MOSQ_ERR_INVAL);
	e4plugin_free(p);
}
END_TEST

Suite *suite_control(void)
{
	Suite *s = suite_create("control");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, control_bad_requests_get_errors, 0,
	                    (int)(sizeof(bad_requests) / sizeof(bad_requests[0])));
	tcase_add_test(tc, control_too_many_commands_are_refused);
	tcase_add_test(tc, control_pubkeys_are_set_listed_and_removed);
	tcase_add_test(tc, control_list_pages_and_shows_presence);
	tcase_add_test(tc, control_statistics_report_counters);
	tcase_add_test(tc, control_event_answers_the_c2_only);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- state file ---- */

static char state_dir[256];
static char state_path[300];

/* Creates a private scratch directory under the build tree. */
static void state_setup(void)
{
	mkdir("tests", 0755);
	mkdir("tests/scratch", 0755);
	snprintf(state_dir, sizeof(state_dir), "tests/scratch/unit-state.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(state_dir));
	snprintf(state_path, sizeof(state_path), "%s/e4.json", state_dir);
}

/* Removes the scratch directory. */
static void state_teardown(void)
{
	char tmp[320];

	unlink(state_path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", state_path);
	unlink(tmp);
	rmdir(state_dir);
}

/* Writes text to the state file. */
static void write_state(const char *text)
{
	FILE *f = fopen(state_path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* An instance in pubkey mode using the scratch state file. */
static struct e4plugin *state_plugin(char *err, size_t cap)
{
	const char *const kv[] = { "protect", "data/#", "c2_username", "c2", "mode", "pubkey",
		"state_file", state_path, NULL };

	return tu_plugin_err(kv, err, cap);
}

START_TEST(state_survives_a_restart)
{
	char err[512] = "";
	struct e4plugin *p = state_plugin(err, sizeof(err));
	struct e4plugin_device *d;
	struct stat st;
	uint8_t id[E4_ID_LEN];
	cJSON *doc;

	ck_assert_msg(p != NULL, "%s", err);
	ck_assert_int_ne(stat(state_path, &st), 0);
	doc = run(p, "{\"commands\":[{\"command\":\"setDevicePubKey\",\"id\":\"" DEV_HEX "\","
	             "\"pubkey\":\"" PK_HEX "\"}]}");
	ck_assert_ptr_null(err_of(doc, 0));
	cJSON_Delete(doc);
	ck_assert_int_eq(stat(state_path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	e4plugin_free(p);
	p = state_plugin(err, sizeof(err));
	ck_assert_msg(p != NULL, "%s", err);
	ck_assert_int_eq(e4_hex_decode(id, E4_ID_LEN, DEV_HEX), 0);
	d = e4plugin_device_find(&p->devices, id);
	ck_assert_ptr_nonnull(d);
	ck_assert(d->has_pubkey);
	ck_assert_int_eq(d->pubkey[0], 0xd7);
	doc = run(p, "{\"commands\":[{\"command\":\"removeDevicePubKey\",\"id\":\"" DEV_HEX "\"}]}");
	ck_assert_ptr_null(err_of(doc, 0));
	cJSON_Delete(doc);
	e4plugin_free(p);
	p = state_plugin(err, sizeof(err));
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->devices.len, 0);
	e4plugin_free(p);
}
END_TEST

static const struct {
	const char *text, *needle;
} bad_states[] = {
	{ "{", "not valid JSON" },
	{ "{\"version\":2,\"devices\":[]}", "unknown \"version\"" },
	{ "{\"version\":1}", "no \"devices\" array" },
	{ "{\"version\":1,\"devices\":[{\"id\":\"00\",\"pubkey\":\"" PK_HEX "\"}]}", "devices[0]: \"id\"" },
	{ "{\"version\":1,\"devices\":[{\"id\":\"" DEV_HEX "\",\"pubkey\":\"" PK_HEX "\"},{\"id\":\"" DEV_HEX "\"}]}", "devices[1]: \"pubkey\"" },
};

START_TEST(state_corrupt_files_refuse_to_load)
{
	char err[512] = "";

	write_state(bad_states[_i].text);
	ck_assert_ptr_null(state_plugin(err, sizeof(err)));
	ck_assert_msg(strstr(err, bad_states[_i].needle) != NULL, "%s", err);
}
END_TEST

START_TEST(state_write_failure_reverts_the_change)
{
	char err[512] = "";
	struct e4plugin *p = state_plugin(err, sizeof(err));
	cJSON *doc;

	ck_assert_ptr_nonnull(p);
	/* Make the directory unwritable by replacing the path with a directory. */
	ck_assert_int_eq(mkdir(state_path, 0700), 0);
	doc = run(p, "{\"commands\":[{\"command\":\"setDevicePubKey\",\"id\":\"" DEV_HEX "\","
	             "\"pubkey\":\"" PK_HEX "\"}]}");
	ck_assert(strstr(err_of(doc, 0), "not applied") != NULL);
	cJSON_Delete(doc);
	ck_assert_uint_eq(p->devices.len, 0);
	rmdir(state_path);
	e4plugin_free(p);
}
END_TEST

Suite *suite_state(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, state_setup, state_teardown);
	tcase_add_test(tc, state_survives_a_restart);
	tcase_add_loop_test(tc, state_corrupt_files_refuse_to_load, 0,
	                    (int)(sizeof(bad_states) / sizeof(bad_states[0])));
	tcase_add_test(tc, state_write_failure_reverts_the_change);
	suite_add_tcase(s, tc);
	return s;
}
