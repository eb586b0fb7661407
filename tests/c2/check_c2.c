/*
 * check_c2.c - unit tests of the C2 (Check): configuration, keys at rest,
 * SQLite storage (in memory), the outbox with a fake transport and
 * in-process SDK devices on a simulated clock, and the socket protocol.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "api.h"
#include "db_priv.h"
#include "db_sqlite.h"
#include "engine.h"

/* ---------------- configuration ---------------- */

START_TEST(conf_defaults_match_the_table)
{
	struct c2_conf c;

	c2_conf_defaults(&c);
	ck_assert_int_eq(c.mode, E4_MODE_SYMKEY);
	ck_assert_int_eq(c.mqtt_port, 1883);
	ck_assert_int_eq(c.ack_timeout, 10);
	ck_assert_int_eq(c.retry_max_interval, 300);
	ck_assert_int_eq(c.rekey_on_leave, 1);
	ck_assert_str_eq(c.mqtt_client_id, "e4c2d");
}
END_TEST

START_TEST(conf_parses_values_units_comments_and_quotes)
{
	static const char text[] = "# comment\n\n  mode pubkey  \nack_timeout 5m\n"
	                           "rotation_timeout 2h\nrekey_on_leave no\nsocket_group \"\"\n"
	                           "mqtt_host \"broker.local\"\r\nlog_level debug";
	struct c2_conf c;
	char err[C2_ERR_MAX];

	c2_conf_defaults(&c);
	ck_assert_int_eq(c2_conf_parse(&c, text, strlen(text), err, sizeof(err)), 0);
	ck_assert_int_eq(c.mode, E4_MODE_PUBKEY);
	ck_assert_int_eq(c.ack_timeout, 300);
	ck_assert_int_eq(c.rotation_timeout, 7200);
	ck_assert_int_eq(c.rekey_on_leave, 0);
	ck_assert_str_eq(c.socket_group, "");
	ck_assert_str_eq(c.mqtt_host, "broker.local");
	ck_assert_int_eq(c.log_level, C2_LOG_DEBUG);
}
END_TEST

/* Table of malformed configurations and the message each must produce. */
static const struct {
	const char *text;
	const char *message;
} bad_confs[] = {
	{ "frobnicate 1", "1: unknown option 'frobnicate'" },
	{ "mode\n", "1: option without a value" },
	{ "mode none", "1: mode: unknown value" },
	{ "\nmqtt_port 0", "2: mqtt_port: 0 out of range [1, 65535]" },
	{ "mqtt_port 12ab", "1: mqtt_port: not an integer" },
	{ "mqtt_qos 3", "1: mqtt_qos: 3 out of range [1, 2]" },
	{ "ack_timeout 5x", "1: ack_timeout: invalid duration (use N, Ns, Nm, Nh or Nd)" },
	{ "ack_timeout -1", "1: ack_timeout: invalid duration (use N, Ns, Nm, Nh or Nd)" },
	{ "rekey_on_leave maybe", "1: rekey_on_leave: expected yes or no" },
	{ "mqtt_host a\x01" "b", "1: control character in line" },
	{ "log_level loud", "1: log_level: unknown value" },
};

START_TEST(conf_refuses_each_malformed_line_and_changes_nothing)
{
	struct c2_conf c, before;
	char err[C2_ERR_MAX];
	const char *t = bad_confs[_i].text;

	c2_conf_defaults(&c);
	before = c;
	ck_assert_int_eq(c2_conf_parse(&c, t, strlen(t), err, sizeof(err)), -1);
	ck_assert_str_eq(err, bad_confs[_i].message);
	ck_assert_int_eq(memcmp(&c, &before, sizeof(c)), 0);
}
END_TEST

START_TEST(conf_refuses_nul_bytes_and_long_lines)
{
	struct c2_conf c;
	char err[C2_ERR_MAX], *big = malloc(5000);

	c2_conf_defaults(&c);
	ck_assert_int_eq(c2_conf_parse(&c, "mode sym\0key", 12, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "1: NUL byte in line");
	memset(big, 'a', 5000);
	ck_assert_int_eq(c2_conf_parse(&c, big, 5000, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "1: line too long");
	free(big);
}
END_TEST

/* ---------------- keys at rest ---------------- */

/* A scratch directory in the build tree (never /tmp: it holds keys). */
static char scratch[512];

/* Creates the scratch directory. */
static void scratch_setup(void)
{
	snprintf(scratch, sizeof(scratch), "tests/c2-unit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(scratch));
}

/* Removes the scratch directory. */
static void scratch_teardown(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(secret_binds_ciphertext_to_its_row)
{
	uint8_t mk[32], sealed[32 + C2_SEAL_OVERHEAD], out[32], key[32];

	c2_random(mk, sizeof(mk));
	c2_random(key, sizeof(key));
	ck_assert_int_eq(c2_secret_seal(mk, sealed, key, 32, "devices.key:00"), 0);
	ck_assert_int_eq(c2_secret_open(mk, out, sealed, sizeof(sealed), "devices.key:00"), 0);
	ck_assert_int_eq(memcmp(out, key, 32), 0);
	ck_assert_int_eq(c2_secret_open(mk, out, sealed, sizeof(sealed), "devices.key:01"), -1);
	sealed[30] ^= 1;
	ck_assert_int_eq(c2_secret_open(mk, out, sealed, sizeof(sealed), "devices.key:00"), -1);
	ck_assert_int_eq(c2_secret_open(mk, out, sealed, 10, "devices.key:00"), -1);
}
END_TEST

START_TEST(master_key_file_is_created_0600_and_refused_when_readable)
{
	char path[600], err[C2_ERR_MAX];
	uint8_t mk[32];
	struct stat st;

	snprintf(path, sizeof(path), "%s/master.key", scratch);
	ck_assert_int_eq(c2_secret_create(path, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(c2_secret_create(path, err, sizeof(err)), -1);
	ck_assert_int_eq(c2_secret_load(path, mk, err, sizeof(err)), 0);
	chmod(path, 0640);
	ck_assert_int_eq(c2_secret_load(path, mk, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "accessible by group or others (mode 640)"));
	chmod(path, 0600);
	ck_assert_int_eq(truncate(path, 31), 0);
	ck_assert_int_eq(c2_secret_load(path, mk, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a 32-byte master key"));
}
END_TEST

/* ---------------- engine on a fake transport ---------------- */

#define NDEV 4
#define MAXPUB 256

/* A publication captured by the fake transport. */
struct pub {
	char topic[E4_CONTROL_TOPIC_CAP + 8];
	uint8_t frame[512];
	size_t len;
	int mid;
};

/* One in-process device. */
struct sdev {
	struct e4_client c;
	struct e4_client_config cfg;
	struct e4_topic_slot topics[16];
	struct e4_pubkey_slot pubkeys[16];
	char name[16];
	int offline;
	int applied;
};

static struct c2_ctx ctx;
static struct pub pubs[MAXPUB];
static size_t npubs;
static int next_mid;
static struct sdev sdevs[NDEV];
static int64_t now_ms;

static long query_long(sqlite3 *h, const char *sql);

/* Fake transport: records the publication. */
static int fake_publish(void *arg, const char *topic, const uint8_t *p, size_t len, int qos,
                        int *mid)
{
	(void)arg;
	(void)qos;
	ck_assert_uint_lt(npubs, MAXPUB);
	ck_assert_uint_le(len, sizeof(pubs[0].frame));
	snprintf(pubs[npubs].topic, sizeof(pubs[npubs].topic), "%s", topic);
	memcpy(pubs[npubs].frame, p, len);
	pubs[npubs].len = len;
	pubs[npubs].mid = *mid = ++next_mid;
	npubs++;
	return 0;
}

/* Devices' clock: the simulated time. */
static int sim_clock(void *arg, uint64_t *now)
{
	(void)arg;
	*now = (uint64_t)(now_ms / 1000);
	return 0;
}

/* Sets up a symkey C2 on an in-memory database. */
static void engine_setup(void)
{
	uint8_t mk[32];
	char err[C2_ERR_MAX];

	memset(&ctx, 0, sizeof(ctx));
	c2_conf_defaults(&ctx.conf);
	ctx.conf.ack_timeout = 2;
	ctx.conf.retry_max_interval = 8;
	ctx.conf.rotation_timeout = 60;
	c2_random(mk, sizeof(mk));
	ck_assert_int_eq(c2_db_open(&ctx.db, ":memory:", mk, 1, err, sizeof(err)), 0);
	ck_assert_int_eq(c2_op_init_db(&ctx, err, sizeof(err)), 0);
	ctx.tr.publish = fake_publish;
	ctx.connected = 1;
	npubs = 0;
	now_ms = c2_now_ms();
	memset(sdevs, 0, sizeof(sdevs));
}

/* Closes the database and wipes the devices. */
static void engine_teardown(void)
{
	int i;

	for (i = 0; i < NDEV; i++)
		if (sdevs[i].name[0] != '\0')
			e4_client_wipe(&sdevs[i].c);
	c2_db_close(ctx.db);
}

/* Adds device i to the C2 and builds its SDK client from the exported key. */
static void add_device(int i, int legacy)
{
	struct c2_new_device nd;
	struct sdev *d = &sdevs[i];
	char err[C2_ERR_MAX];

	snprintf(d->name, sizeof(d->name), "dev%d", i);
	ck_assert_int_eq(c2_op_device_add(&ctx, d->name, NULL, NULL, legacy, &nd, err,
	                                  sizeof(err)), 0);
	e4_client_config_default(&d->cfg);
	d->cfg.clock = sim_clock;
	d->cfg.topics = d->topics;
	d->cfg.topics_cap = 16;
	ck_assert_int_eq(e4_client_init(&d->c, &d->cfg, nd.dev.id, nd.key, nd.key_len), 0);
	e4_wipe(&nd, sizeof(nd));
}

/* Adds topic `topic` and devices 0..n-1, each linked to it. */
static void add_linked(int n, const char *topic)
{
	char err[C2_ERR_MAX];
	int i;

	ck_assert_int_eq(c2_op_topic_add(&ctx, topic, err, sizeof(err)), 0);
	for (i = 0; i < n; i++) {
		add_device(i, 0);
		ck_assert_int_eq(c2_op_link(&ctx, sdevs[i].name, topic, err, sizeof(err)), 0);
	}
}

/* Device index of a control topic, or -1. */
static int device_of(const char *topic)
{
	int i;

	for (i = 0; i < NDEV; i++)
		if (sdevs[i].name[0] != '\0' && strcmp(topic, e4_client_control_topic(&sdevs[i].c)) == 0)
			return i;
	return -1;
}

/*
 * Delivers every captured publication to its device (unless offline),
 * feeds the acks back to the C2 and returns how many commands applied.
 */
static int deliver(void)
{
	uint8_t ack[E4_ACK_FRAME_LEN];
	char topic[E4_ACK_TOPIC_CAP], err[C2_ERR_MAX];
	struct e4_recv_info info;
	size_t i, len;
	int n = 0;

	for (i = 0; i < npubs; i++) {
		int d = device_of(pubs[i].topic);

		if (d < 0 || sdevs[d].offline)
			continue;
		if (e4_unprotect(&sdevs[d].c, NULL, 0, &len, pubs[i].topic, pubs[i].frame,
		                 pubs[i].len, &info) == 0) {
			sdevs[d].applied++;
			n++;
		}
		if (e4_client_ack(&sdevs[d].c, ack, sizeof(ack), &len) == 0) {
			snprintf(topic, sizeof(topic), "%.35s/ack", pubs[i].topic);
			ck_assert_int_eq(c2_outbox_ack(&ctx, topic, ack, len, err, sizeof(err)), 0);
		}
	}
	npubs = 0;
	return n;
}

/* Runs ticks and deliveries until nothing moves; advances the clock by step_ms each round. */
static int settle(int64_t step_ms, int rounds)
{
	int total = 0, r;

	for (r = 0; r < rounds; r++) {
		now_ms += step_ms;
		c2_outbox_tick(&ctx, now_ms);
		c2_rotation_tick(&ctx, now_ms / 1000);
		total += deliver();
	}
	return total;
}

/* The fingerprint of the current key of `topic` in a device (0 when none). */
static int device_has_key(int i, const char *topic, const uint8_t key[32])
{
	uint8_t hash[16];
	int k;

	e4_topic_hash(hash, topic);
	for (k = 0; k < 16; k++)
		if (sdevs[i].topics[k].kind == 1 && memcmp(sdevs[i].topics[k].hash, hash, 16) == 0)
			return memcmp(sdevs[i].topics[k].key, key, 32) == 0;
	return 0;
}

/* 1 when device i accepts a fresh message sealed with key on topic. */
static int device_accepts(int i, const char *topic, const uint8_t key[32])
{
	uint8_t frame[E4_PROTECTED_LEN(4)], out[4];
	size_t len, out_len;

	now_ms += 1000;   /* a new second: never a replay of an earlier probe */
	ck_assert_int_eq(e4_frame_seal(frame, sizeof(frame), &len, key, (uint64_t)(now_ms / 1000),
	                               (const uint8_t *)"ping", 4), 0);
	return e4_unprotect(&sdevs[i].c, out, sizeof(out), &out_len, topic, frame, len, NULL) == 0;
}

/* 1 when device i applies a command (ResetTopics excluded: a heartbeat) sealed with key. */
static int device_obeys(int i, const uint8_t key[32])
{
	uint8_t plain[1] = { E4_CMD_HEARTBEAT }, frame[E4_PROTECTED_LEN(1)], out[4];
	size_t len, out_len;

	now_ms += 1000;
	ck_assert_int_eq(e4_frame_seal(frame, sizeof(frame), &len, key, (uint64_t)(now_ms / 1000),
	                               plain, 1), 0);
	return e4_unprotect(&sdevs[i].c, out, sizeof(out), &out_len,
	                    e4_client_control_topic(&sdevs[i].c), frame, len, NULL) == 0;
}

/* Number of commands waiting in the outbox. */
static long pending(void)
{
	long n = -1;

	ck_assert_int_eq(c2_db_cmd_count(ctx.db, "pending", &n), 0);
	return n;
}

START_TEST(link_delivers_the_topic_key_and_acks_complete_it)
{
	uint8_t key[32];
	int i;

	add_linked(3, "t/a");
	ck_assert_int_eq(pending(), 3);
	ck_assert_int_eq(settle(100, 3), 3);
	ck_assert_int_eq(pending(), 0);
	ck_assert_int_eq(c2_db_topic_key(ctx.db, "t/a", 0, key), 0);
	for (i = 0; i < 3; i++)
		ck_assert(device_has_key(i, "t/a", key));
}
END_TEST

START_TEST(commands_to_one_device_are_delivered_in_order_one_at_a_time)
{
	char err[C2_ERR_MAX];
	int k;

	add_device(0, 0);
	for (k = 0; k < 4; k++) {
		char t[16];

		snprintf(t, sizeof(t), "t/%d", k);
		ck_assert_int_eq(c2_op_topic_add(&ctx, t, err, sizeof(err)), 0);
		ck_assert_int_eq(c2_op_link(&ctx, "dev0", t, err, sizeof(err)), 0);
	}
	for (k = 0; k < 4; k++) {
		now_ms += 10;
		ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms), 1);
		ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms), 0);   /* waits for the ack */
		ck_assert_int_eq(deliver(), 1);
	}
	ck_assert_int_eq(pending(), 0);
	ck_assert_uint_eq(e4_client_topic_count(&sdevs[0].c), 4);
}
END_TEST

START_TEST(unacked_command_is_retried_as_the_same_frame_with_backoff)
{
	char err[C2_ERR_MAX];
	uint8_t first[sizeof(pubs[0].frame)];
	size_t first_len;

	add_device(0, 0);
	ck_assert_int_eq(c2_op_topic_add(&ctx, "t/a", err, sizeof(err)), 0);
	ck_assert_int_eq(c2_op_link(&ctx, "dev0", "t/a", err, sizeof(err)), 0);
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms), 1);
	memcpy(first, pubs[0].frame, sizeof(first));
	first_len = pubs[0].len;
	npubs = 0;   /* lost on the way */
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms + 1999), 0);
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms + 2000), 1);
	/* A recent attempt is resent as the very same frame (a device that got
	 * the first one acks it as a duplicate instead of applying it twice). */
	ck_assert_uint_eq(pubs[0].len, first_len);
	ck_assert_int_eq(memcmp(pubs[0].frame, first, first_len), 0);
	npubs = 0;
	/* The second wait is twice as long. */
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms + 2000 + 3999), 0);
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms + 2000 + 4000), 1);
	now_ms += 6000;
	ck_assert_int_eq(deliver(), 1);
	ck_assert_int_eq(pending(), 0);
	ck_assert_int_ge(ctx.retried, 2);
}
END_TEST

START_TEST(old_attempt_is_retried_with_a_fresh_timestamp)
{
	char err[C2_ERR_MAX];
	uint64_t ts1, ts2;
	int64_t t;

	add_device(0, 0);
	ck_assert_int_eq(c2_op_topic_add(&ctx, "t/a", err, sizeof(err)), 0);
	ck_assert_int_eq(c2_op_link(&ctx, "dev0", "t/a", err, sizeof(err)), 0);
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms), 1);
	ts1 = e4_load_le64(pubs[0].frame);
	/* Lost, and retried only after the device could have slept for minutes. */
	for (t = now_ms + 1000; npubs < 2 || e4_load_le64(pubs[npubs - 1].frame) == ts1; t += 1000) {
		ck_assert_int_lt(t, now_ms + 3600 * 1000);
		c2_outbox_tick(&ctx, t);
	}
	ts2 = e4_load_le64(pubs[npubs - 1].frame);
	ck_assert_uint_gt(ts2, ts1 + 100);
	now_ms = t;
	npubs = 0;
	c2_outbox_tick(&ctx, now_ms + 3600 * 1000);
	now_ms += 3600 * 1000;
	ck_assert_int_ge(deliver(), 1);
	ck_assert_int_eq(pending(), 0);
}
END_TEST

/* A device that applies a replaced frame late still completes the command with its ack. */
START_TEST(a_late_ack_of_a_replaced_frame_completes_the_command)
{
	char err[C2_ERR_MAX];
	struct pub first;
	int64_t t;

	add_device(0, 0);
	ck_assert_int_eq(c2_op_topic_add(&ctx, "t/a", err, sizeof(err)), 0);
	ck_assert_int_eq(c2_op_link(&ctx, "dev0", "t/a", err, sizeof(err)), 0);
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms), 1);
	first = pubs[0];
	/* Lost until the C2 re-protects the command with a fresh timestamp. */
	for (t = now_ms + 1000; npubs < 2 || pubs[npubs - 1].len != first.len ||
	     memcmp(pubs[npubs - 1].frame, first.frame, first.len) == 0; t += 1000) {
		ck_assert_int_lt(t, now_ms + 3600 * 1000);
		c2_outbox_tick(&ctx, t);
	}
	/* The first frame arrives now, and only it: its ack must still count. */
	now_ms = t;
	pubs[0] = first;
	npubs = 1;
	ck_assert_int_eq(deliver(), 1);
	ck_assert_int_eq(pending(), 0);
}
END_TEST

/* A command cancelled after it was sent may have been applied: the next one is stamped later. */
START_TEST(a_command_after_a_cancelled_one_is_stamped_later)
{
	char err[C2_ERR_MAX];
	uint64_t ts1, ts2;

	add_device(0, 0);
	ck_assert_int_eq(c2_op_topic_add(&ctx, "t/a", err, sizeof(err)), 0);
	ck_assert_int_eq(c2_op_link(&ctx, "dev0", "t/a", err, sizeof(err)), 0);
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms), 1);
	ts1 = e4_load_le64(pubs[0].frame);
	npubs = 0;   /* no ack: the device may or may not have it */
	ck_assert_int_eq(c2_op_unlink(&ctx, "dev0", "t/a", err, sizeof(err)), 0);
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms), 1);   /* RemoveTopic, same second */
	ts2 = e4_load_le64(pubs[0].frame);
	ck_assert_uint_gt(ts2, ts1);
}
END_TEST

/* Finished commands are history only: no key material stays in the outbox. */
START_TEST(finished_commands_keep_no_arguments)
{
	char err[C2_ERR_MAX];

	add_linked(2, "t/a");
	ck_assert_int_eq(settle(100, 3), 2);
	ck_assert_int_eq(c2_op_topic_add(&ctx, "t/b", err, sizeof(err)), 0);
	ck_assert_int_eq(c2_op_link(&ctx, "dev0", "t/b", err, sizeof(err)), 0);
	ck_assert_int_eq(c2_op_unlink(&ctx, "dev0", "t/b", err, sizeof(err)), 0);   /* cancels */
	ck_assert_int_eq(query_long(ctx.db->h, "SELECT count(*) FROM outbox WHERE state = 2"), 2);
	ck_assert_int_eq(query_long(ctx.db->h, "SELECT count(*) FROM outbox WHERE state = 4"), 1);
	ck_assert_int_eq(query_long(ctx.db->h, "SELECT count(*) FROM outbox WHERE state >= 2"
	                            " AND (args_enc IS NOT NULL OR done_at = 0)"), 0);
	ck_assert_int_gt(query_long(ctx.db->h, "SELECT count(*) FROM outbox WHERE state < 2"
	                            " AND args_enc IS NOT NULL AND done_at = 0"), 0);
}
END_TEST

/* Removing a device takes its unfinished commands with it. */
START_TEST(removing_a_device_deletes_its_unfinished_commands)
{
	char err[C2_ERR_MAX];
	long n = -1;

	add_linked(2, "t/a");
	ck_assert_int_eq(c2_db_cmd_device_pending(ctx.db, sdevs[1].c.id, &n), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(c2_op_device_remove(&ctx, "dev1", err, sizeof(err)), 0);
	ck_assert_int_eq(c2_db_cmd_device_pending(ctx.db, sdevs[1].c.id, &n), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(query_long(ctx.db->h, "SELECT count(*) FROM outbox WHERE done_at = 0"
	                            " AND device NOT IN (SELECT id FROM devices)"), 0);
	/* dev0 gets its topic key, then the rekey that follows dev1's departure. */
	ck_assert_int_ge(settle(100, 6), 2);
	ck_assert_int_eq(pending(), 0);
}
END_TEST

START_TEST(rotation_activates_only_after_every_member_acked_the_next_key)
{
	char err[C2_ERR_MAX];
	uint8_t old[32], next[32];
	struct c2_topic t;
	int i;

	add_linked(3, "t/a");
	settle(100, 3);
	ck_assert_int_eq(c2_db_topic_key(ctx.db, "t/a", 0, old), 0);
	ck_assert_int_eq(c2_op_topic_rotate(&ctx, "t/a", err, sizeof(err)), 0);
	ck_assert_int_eq(c2_db_topic_key(ctx.db, "t/a", 1, next), 0);
	sdevs[2].offline = 1;
	settle(100, 5);
	ck_assert_int_eq(c2_db_topic_get(ctx.db, "t/a", &t), 0);
	ck_assert_int_eq(t.phase, C2_ROT_DISTRIBUTING);   /* dev2 has not acked */
	for (i = 0; i < 2; i++)
		ck_assert(device_has_key(i, "t/a", old));  /* next key announced, not active */
	sdevs[2].offline = 0;
	settle(3000, 4);
	ck_assert_int_eq(c2_db_topic_get(ctx.db, "t/a", &t), 0);
	ck_assert_int_eq(t.phase, C2_ROT_IDLE);
	ck_assert_int_eq(t.epoch, 2);
	settle(100, 3);
	for (i = 0; i < 3; i++) {
		ck_assert(device_has_key(i, "t/a", next));
		/* Finished means retired: a fresh frame under the replaced key is refused. */
		ck_assert(device_accepts(i, "t/a", next));
		ck_assert(!device_accepts(i, "t/a", old));
	}
	ck_assert_int_eq(pending(), 0);
}
END_TEST

START_TEST(rotation_times_out_and_the_late_device_catches_up)
{
	char err[C2_ERR_MAX];
	uint8_t next[32], old[32];
	struct c2_topic t;

	add_linked(2, "t/a");
	settle(100, 3);
	sdevs[1].offline = 1;
	ck_assert_int_eq(c2_op_topic_rotate(&ctx, "t/a", err, sizeof(err)), 0);
	ck_assert_int_eq(c2_db_topic_key(ctx.db, "t/a", 1, next), 0);
	ck_assert_int_eq(c2_db_topic_key(ctx.db, "t/a", 0, old), 0);
	settle(8000, 18);   /* 144 s: two phases of rotation_timeout */
	ck_assert_int_eq(c2_db_topic_get(ctx.db, "t/a", &t), 0);
	ck_assert_int_eq(t.phase, C2_ROT_RETIRING);   /* dev1 owes the retirement */
	ck_assert(device_has_key(0, "t/a", next));
	ck_assert(!device_accepts(0, "t/a", old));
	ck_assert(!device_has_key(1, "t/a", next));
	sdevs[1].offline = 0;
	settle(8000, 4);
	ck_assert(device_has_key(1, "t/a", next));
	ck_assert(!device_accepts(1, "t/a", old));
	ck_assert_int_eq(c2_db_topic_get(ctx.db, "t/a", &t), 0);
	ck_assert_int_eq(t.phase, C2_ROT_IDLE);
	ck_assert_int_eq(pending(), 0);
}
END_TEST

/* A leave rekey ends with the evicted device's key refused by every remaining member. */
START_TEST(leave_rekey_retires_the_key_the_evicted_device_holds)
{
	char err[C2_ERR_MAX];
	uint8_t old[32], cur[32];
	struct c2_topic t;
	int i;

	add_linked(3, "t/a");
	settle(100, 3);
	ck_assert_int_eq(c2_db_topic_key(ctx.db, "t/a", 0, old), 0);
	ck_assert_int_eq(c2_op_unlink(&ctx, "dev2", "t/a", err, sizeof(err)), 0);
	settle(100, 8);
	ck_assert_int_eq(c2_db_topic_get(ctx.db, "t/a", &t), 0);
	ck_assert_int_eq(t.phase, C2_ROT_IDLE);
	ck_assert_int_eq(c2_db_topic_key(ctx.db, "t/a", 0, cur), 0);
	for (i = 0; i < 2; i++) {
		/* dev2 kept the key it had: its fresh frames are refused, clock or not. */
		ck_assert(!device_accepts(i, "t/a", old));
		ck_assert(device_accepts(i, "t/a", cur));
	}
	ck_assert_int_eq(pending(), 0);
}
END_TEST

/*
 * An offline member does not hold a leave rekey back; back online, its
 * first command of the topic is ReplaceTopicKey (the rest was cancelled).
 */
START_TEST(leave_rekey_does_not_wait_for_an_offline_member)
{
	char err[C2_ERR_MAX];
	uint8_t old[32], cur[32];
	struct c2_topic t;
	int before;

	add_linked(3, "t/a");
	settle(100, 3);
	ck_assert_int_eq(c2_db_topic_key(ctx.db, "t/a", 0, old), 0);
	sdevs[1].offline = 1;
	c2_outbox_online(&ctx, sdevs[1].c.id, 0);   /* the plugin's presence event */
	ck_assert_int_eq(c2_op_unlink(&ctx, "dev2", "t/a", err, sizeof(err)), 0);
	settle(100, 8);   /* under a second: far from rotation_timeout */
	ck_assert_int_eq(c2_db_topic_get(ctx.db, "t/a", &t), 0);
	ck_assert_int_eq(t.phase, C2_ROT_RETIRING);
	ck_assert_int_eq(c2_db_topic_key(ctx.db, "t/a", 0, cur), 0);
	ck_assert(!device_accepts(0, "t/a", old));
	ck_assert(device_accepts(0, "t/a", cur));
	before = sdevs[1].applied;
	sdevs[1].offline = 0;
	c2_outbox_online(&ctx, sdevs[1].c.id, 1);
	settle(100, 4);
	ck_assert_int_eq(sdevs[1].applied - before, 1);   /* ReplaceTopicKey alone */
	ck_assert(!device_accepts(1, "t/a", old));
	ck_assert(device_accepts(1, "t/a", cur));
	ck_assert_int_eq(c2_db_topic_get(ctx.db, "t/a", &t), 0);
	ck_assert_int_eq(t.phase, C2_ROT_IDLE);
	ck_assert_int_eq(pending(), 0);
}
END_TEST

/* rotate-key finishes with the previous device key refused, without heartbeats. */
START_TEST(device_key_rotation_retires_the_previous_key)
{
	char err[C2_ERR_MAX];
	uint8_t old[32], cur[32];
	long n = -1;

	add_device(0, 0);
	ck_assert_int_eq(ctx.conf.heartbeat_interval, 0);
	ck_assert_int_eq(c2_db_device_key(ctx.db, sdevs[0].c.id, old, 32), 0);
	ck_assert_int_eq(c2_op_device_rotate(&ctx, "dev0", err, sizeof(err)), 0);
	ck_assert_int_eq(pending(), 2);   /* SetIDKey, then RetireIDKey */
	settle(100, 4);
	ck_assert_int_eq(pending(), 0);
	ck_assert_int_eq(c2_db_cmd_open_count(ctx.db, sdevs[0].c.id, E4_CMD_RETIRE_ID_KEY, &n), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(c2_db_device_key(ctx.db, sdevs[0].c.id, cur, 32), 0);
	ck_assert(memcmp(old, cur, 32) != 0);
	ck_assert(!device_obeys(0, old));
	ck_assert(device_obeys(0, cur));
}
END_TEST

/* Topics waiting for a member that never answers do not starve other rotations. */
START_TEST(stuck_retirements_do_not_starve_other_rotations)
{
	char err[C2_ERR_MAX], name[16];
	struct c2_topic t;
	int k;

	add_device(0, 0);
	add_device(1, 0);
	for (k = 0; k < 70; k++) {
		snprintf(name, sizeof(name), "s/%02d", k);
		ck_assert_int_eq(c2_op_topic_add(&ctx, name, err, sizeof(err)), 0);
		ck_assert_int_eq(c2_op_link(&ctx, "dev0", name, err, sizeof(err)), 0);
		ck_assert_int_eq(c2_op_link(&ctx, "dev1", name, err, sizeof(err)), 0);
	}
	settle(1000, 150);   /* one command per device and second of timestamps */
	ck_assert_int_eq(pending(), 0);
	sdevs[1].offline = 1;
	for (k = 0; k < 70; k++) {
		snprintf(name, sizeof(name), "s/%02d", k);
		ck_assert_int_eq(c2_op_topic_rotate(&ctx, name, err, sizeof(err)), 0);
	}
	settle(10000, 16);   /* 160 s: both timeouts passed, dev1 owes every retirement */
	ck_assert_int_eq(c2_db_topic_get(ctx.db, "s/69", &t), 0);
	ck_assert_int_eq(t.phase, C2_ROT_RETIRING);
	ck_assert_int_eq(c2_op_topic_add(&ctx, "z/t", err, sizeof(err)), 0);
	ck_assert_int_eq(c2_op_link(&ctx, "dev1", "z/t", err, sizeof(err)), 0);
	ck_assert_int_eq(c2_op_topic_rotate(&ctx, "z/t", err, sizeof(err)), 0);
	now_ms += 61000;
	c2_rotation_tick(&ctx, now_ms / 1000);
	ck_assert_int_eq(c2_db_topic_get(ctx.db, "z/t", &t), 0);
	ck_assert_int_eq(t.phase, C2_ROT_ACTIVATING);   /* its timeout was seen */
}
END_TEST

START_TEST(unlink_removes_the_topic_and_rekeys_the_rest)
{
	char err[C2_ERR_MAX];
	uint8_t before[32], after[32];

	add_linked(3, "t/a");
	settle(100, 3);
	ck_assert_int_eq(c2_db_topic_key(ctx.db, "t/a", 0, before), 0);
	ck_assert_int_eq(c2_op_unlink(&ctx, "dev2", "t/a", err, sizeof(err)), 0);
	ck_assert_int_eq(c2_op_unlink(&ctx, "dev2", "t/a", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "device is not linked to the topic");
	settle(100, 6);
	ck_assert_int_eq(c2_db_topic_key(ctx.db, "t/a", 0, after), 0);
	ck_assert_int_ne(memcmp(before, after, 32), 0);
	ck_assert(device_has_key(0, "t/a", after));
	ck_assert(device_has_key(1, "t/a", after));
	ck_assert_uint_eq(e4_client_topic_count(&sdevs[2].c), 0);
	ck_assert_int_eq(pending(), 0);
}
END_TEST

START_TEST(device_key_rotation_keeps_the_old_key_until_the_ack)
{
	char err[C2_ERR_MAX];
	uint8_t k1[32], k2[32];

	add_device(0, 0);
	ck_assert_int_eq(c2_db_device_key(ctx.db, sdevs[0].c.id, k1, 32), 0);
	ck_assert_int_eq(c2_op_device_rotate(&ctx, "dev0", err, sizeof(err)), 0);
	sdevs[0].offline = 1;
	settle(100, 2);
	ck_assert_int_eq(c2_db_device_key(ctx.db, sdevs[0].c.id, k2, 32), 0);
	ck_assert_int_eq(memcmp(k1, k2, 32), 0);
	sdevs[0].offline = 0;
	settle(3000, 3);
	ck_assert_int_eq(c2_db_device_key(ctx.db, sdevs[0].c.id, k2, 32), 0);
	ck_assert_int_ne(memcmp(k1, k2, 32), 0);
	ck_assert_int_eq(memcmp(sdevs[0].c.key, k2, 32), 0);
	/* Later commands are protected with the new key. */
	ck_assert_int_eq(c2_op_topic_add(&ctx, "t/a", err, sizeof(err)), 0);
	ck_assert_int_eq(c2_op_link(&ctx, "dev0", "t/a", err, sizeof(err)), 0);
	ck_assert_int_eq(settle(100, 2), 1);
	ck_assert_int_eq(pending(), 0);
}
END_TEST

/* Table of malformed acks and the message each must produce. */
START_TEST(malformed_acks_are_refused_with_specific_errors)
{
	char err[C2_ERR_MAX], topic[E4_ACK_TOPIC_CAP];
	uint8_t frame[E4_ACK_FRAME_LEN], key[32];
	size_t len;

	add_device(0, 0);
	snprintf(topic, sizeof(topic), "%.35s/ack", e4_client_control_topic(&sdevs[0].c));
	memset(frame, 0, sizeof(frame));
	ck_assert_int_eq(c2_outbox_ack(&ctx, "e4/zz/ack", frame, sizeof(frame), err, sizeof(err)), -1);
	ck_assert_str_eq(err, "not an ack topic");
	ck_assert_int_eq(c2_outbox_ack(&ctx, topic, frame, 41, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "ack frame of 41 bytes (expected 42)");
	ck_assert_int_eq(c2_outbox_ack(&ctx, "e4/00000000000000000000000000000000/ack", frame,
	                               sizeof(frame), err, sizeof(err)), -1);
	ck_assert_str_eq(err, "ack from an unknown device");
	ck_assert_int_eq(c2_outbox_ack(&ctx, topic, frame, sizeof(frame), err, sizeof(err)), -1);
	ck_assert_str_eq(err, "ack does not authenticate under the device's key");
	/* An authentic ack naming no command changes nothing. */
	ck_assert_int_eq(c2_db_device_key(ctx.db, sdevs[0].c.id, key, 32), 0);
	ck_assert_int_eq(e4_ack_seal(frame, sizeof(frame), &len, key, (uint64_t)(now_ms / 1000),
	                             (const uint8_t *)"x", 1, 0), 0);
	ck_assert_int_eq(c2_outbox_ack(&ctx, topic, frame, len, err, sizeof(err)), 0);
	ck_assert_int_eq(pending(), 0);
}
END_TEST

START_TEST(failed_status_is_audited_and_the_queue_moves_on)
{
	char err[C2_ERR_MAX], topic[E4_ACK_TOPIC_CAP];
	uint8_t frame[E4_ACK_FRAME_LEN], key[32];
	size_t len;
	long failed = 0;

	add_device(0, 0);
	ck_assert_int_eq(c2_op_device_reset(&ctx, "dev0", err, sizeof(err)), 0);
	ck_assert_int_eq(c2_op_device_reset(&ctx, "dev0", err, sizeof(err)), 0);
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms), 1);
	ck_assert_int_eq(c2_db_device_key(ctx.db, sdevs[0].c.id, key, 32), 0);
	ck_assert_int_eq(e4_ack_seal(frame, sizeof(frame), &len, key, (uint64_t)(now_ms / 1000),
	                             pubs[0].frame, pubs[0].len, E4_ACK_TABLE_FULL), 0);
	snprintf(topic, sizeof(topic), "%.35s/ack", e4_client_control_topic(&sdevs[0].c));
	npubs = 0;
	ck_assert_int_eq(c2_outbox_ack(&ctx, topic, frame, len, err, sizeof(err)), 0);
	ck_assert_int_eq(c2_db_cmd_count(ctx.db, "failed", &failed), 0);
	ck_assert_int_eq(failed, 1);
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms + 1), 1);   /* next command goes */
}
END_TEST

START_TEST(legacy_devices_are_done_on_the_broker_acknowledgement)
{
	char err[C2_ERR_MAX];

	add_device(0, 1);
	ck_assert_int_eq(c2_op_topic_add(&ctx, "t/a", err, sizeof(err)), 0);
	ck_assert_int_eq(c2_op_link(&ctx, "dev0", "t/a", err, sizeof(err)), 0);
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms), 1);
	ck_assert_int_eq(pending(), 1);
	c2_outbox_published(&ctx, pubs[0].mid);
	ck_assert_int_eq(pending(), 0);
	ck_assert_int_eq(c2_op_device_rotate(&ctx, "dev0", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "legacy devices cannot acknowledge a new key");
}
END_TEST

START_TEST(max_inflight_limits_commands_awaiting_acks)
{
	ctx.conf.max_inflight = 2;
	add_linked(4, "t/a");
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms), 2);
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms), 0);
	deliver();
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms + 1), 2);
}
END_TEST

/* A sleeping device holds its slot until the ack timeout, not until it wakes up. */
START_TEST(sleeping_devices_free_their_inflight_slot_after_the_ack_timeout)
{
	long n = 0;

	ctx.conf.max_inflight = 2;
	add_linked(4, "t/a");
	sdevs[0].offline = sdevs[1].offline = 1;
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms), 2);        /* to dev0 and dev1 */
	ck_assert_int_eq(deliver(), 0);
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms + 1999), 0);  /* both slots held */
	/* ack_timeout (2 s) passed: the retries take the slots for another ack timeout... */
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms + 2001), 2);
	ck_assert_int_eq(deliver(), 0);
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms + 4000), 0);
	/*
	 * ...then dev2 and dev3 go while the sleepers wait for their next retry
	 * (4 s backoff): a slot is free at most one bucket of the window (2 s /
	 * 62, 33 ms) after the ack timeout.
	 */
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms + 4001 + 33), 2);
	ck_assert_int_eq(deliver(), 2);
	ck_assert_int_eq(c2_db_cmd_inflight(ctx.db, &n), 0);
	ck_assert_int_eq(n, 2);                                    /* the sleepers still await */
	ck_assert_int_eq(pending(), 2);
}
END_TEST

START_TEST(a_sealed_key_moved_to_another_row_does_not_open)
{
	uint8_t key[32];

	add_device(0, 0);
	add_device(1, 0);
	ck_assert_int_eq(sqlite3_exec(ctx.db->h, "UPDATE devices SET key_enc = (SELECT key_enc"
	                              " FROM devices WHERE name = 'dev0') WHERE name = 'dev1'",
	                              NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(c2_db_device_key(ctx.db, sdevs[0].c.id, key, 32), 0);
	ck_assert_int_eq(c2_db_device_key(ctx.db, sdevs[1].c.id, key, 32), -1);
}
END_TEST

START_TEST(audit_log_is_append_only)
{
	ck_assert_int_eq(c2_db_audit(ctx.db, 7, "test", "entry"), 0);
	ck_assert_int_ne(sqlite3_exec(ctx.db->h, "UPDATE audit SET uid = 0", NULL, NULL, NULL),
	                 SQLITE_OK);
	ck_assert_int_ne(sqlite3_exec(ctx.db->h, "DELETE FROM audit", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(c2_db_schema_version(ctx.db), 5);
	/* The daemon's own entries (uid -1) are pruned by age; people's stay. */
	ck_assert_int_eq(c2_db_audit(ctx.db, -1, "routine", "entry"), 0);
	ck_assert_int_eq(c2_db_audit_prune(ctx.db, c2_now_ms() / 1000 + 1), 0);
	ck_assert_int_eq(query_long(ctx.db->h, "SELECT count(*) FROM audit WHERE uid < 0"), 0);
	ck_assert_int_eq(query_long(ctx.db->h, "SELECT count(*) FROM audit WHERE uid = 7"), 1);
	ck_assert_int_ne(sqlite3_exec(ctx.db->h, "DELETE FROM audit WHERE uid = 7", NULL, NULL, NULL),
	                 SQLITE_OK);
}
END_TEST

/* One integer from a query on the raw handle. */
static long query_long(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *st;
	long v = -1;

	ck_assert_int_eq(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* A fresh database file at path with the first `version` migrations applied (raw handle). */
static sqlite3 *raw_db_at(const char *path, int version)
{
	sqlite3 *h;
	int i;

	unlink(path);
	ck_assert_int_eq(sqlite3_open(path, &h), SQLITE_OK);
	for (i = 0; i < version; i++)
		ck_assert_int_eq(sqlite3_exec(h, c2__schema_migration(i), NULL, NULL, NULL), SQLITE_OK);
	return h;
}

/* A database left at schema 1 (first release) is migrated on open, data kept. */
START_TEST(schema_1_database_is_migrated_with_its_rows)
{
	const char *path = "check_c2-migrate.db";
	uint8_t mk[32];
	char err[C2_ERR_MAX];
	struct c2_db *db;
	sqlite3 *h = raw_db_at(path, 1);

	ck_assert_int_eq(sqlite3_exec(h, "PRAGMA user_version = 1;"
	                              "INSERT INTO devices(id, name, created, key_created)"
	                              " VALUES(zeroblob(16), 'old', 1, 1);", NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(h);
	c2_random(mk, sizeof(mk));
	ck_assert_int_eq(c2_db_open(&db, path, mk, 0, err, sizeof(err)), 0);
	ck_assert_int_eq(query_long(db->h, "PRAGMA user_version"), c2_db_schema_version(db));
	ck_assert_int_eq(query_long(db->h, "SELECT count(*) FROM devices WHERE name = 'old'"), 1);
	ck_assert_int_eq(query_long(db->h, "SELECT count(*) FROM sqlite_master WHERE"
	                            " name IN ('outbox_due', 'outbox_topic')"), 2);
	ck_assert_int_eq(query_long(db->h, "SELECT count(*) FROM sqlite_master WHERE"
	                            " name = 'outbox_open'"), 0);
	c2_db_close(db);
	unlink(path);
	ck_assert_int_eq(access("check_c2-migrate.db-wal", F_OK), -1);
}
END_TEST

/*
 * A schema-2 database (before the outbox was rebuilt): the last attempt
 * moves into its command's row, earlier ones stay as history, finished
 * commands lose their arguments and get a finish time, the sequence
 * counter goes on where it was (rows 10 to 12 were pruned before), and
 * memberships get their device's name (for paging).
 */
START_TEST(schema_2_outbox_is_rebuilt_with_its_attempts_and_sequence)
{
	const char *path = "check_c2-migrate2.db";
	struct c2_cmd c;
	uint8_t mk[32];
	char err[C2_ERR_MAX];
	struct c2_db *db;
	sqlite3 *h = raw_db_at(path, 2);

	ck_assert_int_eq(sqlite3_exec(h, "PRAGMA user_version = 2;"
	                              "INSERT INTO devices(id, name, created, key_created)"
	                              " VALUES(zeroblob(16), 'old', 1, 1);"
	                              "INSERT INTO outbox(seq, device, code, args_enc, state, attempts,"
	                              " created) VALUES(5, zeroblob(16), 3, x'01', 1, 2, 1),"
	                              " (7, zeroblob(16), 3, x'02', 2, 1, 1),"
	                              " (9, zeroblob(16), 3, x'03', 4, 0, 1),"
	                              " (12, zeroblob(16), 3, NULL, 0, 0, 1);"
	                              "DELETE FROM outbox WHERE seq = 12;"
	                              "INSERT INTO topics(name, hash, key_enc, epoch, created,"
	                              " key_created) VALUES('t/old', zeroblob(16), x'00', 1, 1, 1);"
	                              "INSERT INTO members(device, topic) VALUES(zeroblob(16), 't/old');"
	                              "INSERT INTO attempts(digest, seq, ts) VALUES"
	                              " (x'd1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1', 5, 100),"
	                              " (x'd2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2', 5, 200);",
	                              NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	c2_random(mk, sizeof(mk));
	ck_assert_int_eq(c2_db_open(&db, path, mk, 0, err, sizeof(err)), 0);
	ck_assert_int_eq(query_long(db->h, "PRAGMA user_version"), c2_db_schema_version(db));
	ck_assert_int_eq(query_long(db->h, "SELECT ts FROM outbox WHERE seq = 5"), 200);
	ck_assert_int_eq(query_long(db->h, "SELECT digest = x'd2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2'"
	                            " AND args_enc = x'01' AND done_at = 0 FROM outbox WHERE seq = 5"), 1);
	ck_assert_int_eq(query_long(db->h, "SELECT count(*) FROM attempts"), 1);
	ck_assert_int_eq(query_long(db->h, "SELECT seq FROM attempts"
	                            " WHERE digest = x'd1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1'"), 5);
	ck_assert_int_eq(query_long(db->h, "SELECT count(*) FROM outbox WHERE seq IN (7, 9)"
	                            " AND args_enc IS NULL AND done_at > 0"), 2);
	ck_assert_int_eq(query_long(db->h, "SELECT count(*) FROM members WHERE name = 'old'"
	                            " AND topic = 't/old'"), 1);
	ck_assert_int_eq(query_long(db->h, "PRAGMA foreign_keys"), 1);
	ck_assert_int_eq(query_long(db->h, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	memset(&c, 0, sizeof(c));
	c.code = 3;
	c.created = 2;
	ck_assert_int_eq(c2_db_begin(db), 0);
	ck_assert_int_eq(c2_db_cmd_add(db, &c), 0);
	ck_assert_int_eq(c2_db_commit(db), 0);
	ck_assert_int_eq(c.seq, 13);
	c2_db_close(db);
	unlink(path);
}
END_TEST

/* Acks that arrive alone wait a few milliseconds to share a commit, no longer. */
START_TEST(acks_alone_wait_for_others_a_few_milliseconds)
{
	uint8_t ack[E4_ACK_FRAME_LEN];
	char topic[E4_ACK_TOPIC_CAP], err[C2_ERR_MAX];
	struct e4_recv_info info;
	size_t len;
	int64_t t0;

	add_linked(1, "t/a");
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms), 1);
	ck_assert_int_eq(e4_unprotect(&sdevs[0].c, NULL, 0, &len, pubs[0].topic, pubs[0].frame,
	                              pubs[0].len, &info), 0);
	ck_assert_int_eq(e4_client_ack(&sdevs[0].c, ack, sizeof(ack), &len), 0);
	snprintf(topic, sizeof(topic), "%.35s/ack", pubs[0].topic);
	ck_assert_int_eq(c2_outbox_wait_ms(&ctx, now_ms, 50), 50);
	ck_assert_int_eq(c2_outbox_ack_queue(&ctx, topic, ack, len, err, sizeof(err)), 0);
	t0 = ctx.ackq_since;
	ck_assert_int_eq(c2_outbox_wait_ms(&ctx, t0, 50), C2_ACK_DELAY_MS);
	ck_assert_int_eq(c2_outbox_tick(&ctx, t0 + C2_ACK_DELAY_MS - 1), 0);
	ck_assert_int_eq(pending(), 1);             /* still waiting for company */
	ck_assert_int_eq(c2_outbox_wait_ms(&ctx, t0 + C2_ACK_DELAY_MS, 50), 0);
	c2_outbox_tick(&ctx, t0 + C2_ACK_DELAY_MS);
	ck_assert_int_eq(pending(), 0);
	ck_assert_uint_eq(ctx.nackq, 0);
}
END_TEST

/* Acks queued together: one transaction; a refused one in the middle changes nothing. */
START_TEST(batched_acks_are_recorded_and_a_bad_one_is_skipped)
{
	uint8_t acks[3][E4_ACK_FRAME_LEN], bad[E4_ACK_FRAME_LEN];
	char err[C2_ERR_MAX], topics[3][E4_ACK_TOPIC_CAP];
	struct e4_recv_info info;
	size_t i, len;
	long done = 0;

	add_linked(3, "t/a");
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms), 3);
	ck_assert_uint_eq(npubs, 3);
	for (i = 0; i < 3; i++) {
		int d = device_of(pubs[i].topic);

		ck_assert_int_ge(d, 0);
		ck_assert_int_eq(e4_unprotect(&sdevs[d].c, NULL, 0, &len, pubs[i].topic,
		                              pubs[i].frame, pubs[i].len, &info), 0);
		ck_assert_int_eq(e4_client_ack(&sdevs[d].c, acks[i], sizeof(acks[i]), &len), 0);
		snprintf(topics[i], sizeof(topics[i]), "%.35s/ack", pubs[i].topic);
	}
	npubs = 0;
	memcpy(bad, acks[1], sizeof(bad));
	bad[20] ^= 1;
	ck_assert_int_eq(c2_outbox_ack_queue(&ctx, "e4/nope/ack", bad, sizeof(bad), err,
	                                     sizeof(err)), -1);
	ck_assert_str_eq(err, "not an ack topic");
	ck_assert_int_eq(c2_outbox_ack_queue(&ctx, topics[0], acks[0], 10, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "ack frame of 10 bytes (expected 42)");
	ck_assert_int_eq(c2_outbox_ack_queue(&ctx, topics[0], acks[0], E4_ACK_FRAME_LEN, err,
	                                     sizeof(err)), 0);
	ck_assert_int_eq(c2_outbox_ack_queue(&ctx, topics[1], bad, E4_ACK_FRAME_LEN, err,
	                                     sizeof(err)), 0);
	ck_assert_int_eq(c2_outbox_ack_queue(&ctx, topics[2], acks[2], E4_ACK_FRAME_LEN, err,
	                                     sizeof(err)), 0);
	ck_assert_uint_eq(ctx.nackq, 3);
	ck_assert_int_eq(c2_db_cmd_count(ctx.db, "done", &done), 0);
	ck_assert_int_eq(done, 0);                  /* nothing before the flush */
	c2_outbox_ack_flush(&ctx);
	ck_assert_uint_eq(ctx.nackq, 0);
	ck_assert_int_eq(c2_db_cmd_count(ctx.db, "done", &done), 0);
	ck_assert_int_eq(done, 2);
	ck_assert_int_eq(pending(), 1);             /* the device of the forged ack */
	ck_assert_int_eq(c2_outbox_ack(&ctx, topics[1], acks[1], E4_ACK_FRAME_LEN, err,
	                               sizeof(err)), 0);
	ck_assert_int_eq(pending(), 0);
}
END_TEST

/* The last ack of the next key activates it at once, without the once-a-second tick. */
START_TEST(rotation_activates_on_the_last_ack_without_the_tick)
{
	char err[C2_ERR_MAX];
	struct c2_topic t;

	add_linked(2, "t/a");
	settle(100, 3);
	ck_assert_int_eq(c2_op_topic_rotate(&ctx, "t/a", err, sizeof(err)), 0);
	sdevs[1].offline = 1;
	c2_outbox_tick(&ctx, now_ms);
	ck_assert_int_eq(deliver(), 1);
	ck_assert_int_eq(c2_db_topic_get(ctx.db, "t/a", &t), 0);
	ck_assert_int_eq(t.phase, C2_ROT_DISTRIBUTING);   /* dev1 has not acked */
	sdevs[1].offline = 0;
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms + 2000), 1);   /* the retry to dev1 */
	ck_assert_int_eq(deliver(), 1);
	ck_assert_int_eq(c2_db_topic_get(ctx.db, "t/a", &t), 0);
	ck_assert_int_eq(t.phase, C2_ROT_ACTIVATING);
	ck_assert_int_eq(t.epoch, 2);
	ck_assert_int_eq(pending(), 2);             /* SetTopicKey queued to both */
}
END_TEST

START_TEST(reset_clears_the_device_and_resends_its_topics)
{
	char err[C2_ERR_MAX];
	uint8_t key[32];

	add_device(0, 0);
	ck_assert_int_eq(c2_op_topic_add(&ctx, "t/a", err, sizeof(err)), 0);
	ck_assert_int_eq(c2_op_link(&ctx, "dev0", "t/a", err, sizeof(err)), 0);
	settle(100, 2);
	c2_random(key, sizeof(key));
	ck_assert_int_eq(e4_client_set_topic_key(&sdevs[0].c, "t/stray", key), 0);
	ck_assert_uint_eq(e4_client_topic_count(&sdevs[0].c), 2);
	ck_assert_int_eq(c2_op_device_reset(&ctx, "dev0", err, sizeof(err)), 0);
	ck_assert_int_eq(settle(100, 3), 2);
	ck_assert_uint_eq(e4_client_topic_count(&sdevs[0].c), 1);
	ck_assert_int_eq(c2_db_topic_key(ctx.db, "t/a", 0, key), 0);
	ck_assert(device_has_key(0, "t/a", key));
}
END_TEST

START_TEST(automation_rotates_old_topic_keys_and_sends_heartbeats)
{
	char err[C2_ERR_MAX];
	struct c2_topic t;

	ctx.conf.topic_rotation_interval = 100;
	ctx.conf.heartbeat_interval = 60;
	add_device(0, 0);
	ck_assert_int_eq(c2_op_topic_add(&ctx, "t/a", err, sizeof(err)), 0);
	c2_auto_tick(&ctx, now_ms);
	ck_assert_int_eq(pending(), 0);
	c2_auto_tick(&ctx, now_ms + 61000);
	ck_assert_int_eq(pending(), 1);                       /* heartbeat to dev0 */
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms + 61000), 1);
	ck_assert_int_eq(e4_load_le64(pubs[0].frame) > 0, 1);
	now_ms += 61000;
	ck_assert_int_eq(deliver(), 1);
	ck_assert_int_eq(pending(), 0);
	c2_auto_tick(&ctx, now_ms + 41000);
	ck_assert_int_eq(c2_db_topic_get(ctx.db, "t/a", &t), 0);
	ck_assert_int_eq(t.phase, C2_ROT_DISTRIBUTING);
}
END_TEST

START_TEST(online_event_retries_at_once_and_bad_events_are_ignored)
{
	static const char bad[] = "{\"event\":\"online\",\"id\":\"xyz\"}";
	char ev[128], hex[33], err[C2_ERR_MAX];
	struct c2_device d;

	add_device(0, 0);
	ck_assert_int_eq(c2_op_device_reset(&ctx, "dev0", err, sizeof(err)), 0);
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms), 1);
	npubs = 0;
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms + 100), 0);   /* waits ack_timeout */
	c2_outbox_event(&ctx, (const uint8_t *)bad, strlen(bad));
	c2_outbox_event(&ctx, (const uint8_t *)"{", 1);
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms + 100), 0);
	e4_hex_encode(hex, sdevs[0].c.id, 16);
	snprintf(ev, sizeof(ev), "{\"event\":\"online\",\"id\":\"%s\",\"time\":1}", hex);
	c2_outbox_event(&ctx, (const uint8_t *)ev, strlen(ev));
	ck_assert_int_eq(c2_db_device_get(ctx.db, NULL, sdevs[0].c.id, &d), 0);
	ck_assert_int_eq(d.online, 1);
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms + 100), 1);
}
END_TEST

/* Without the plugin, a device that stops acking is shown offline at the first retry. */
START_TEST(a_device_that_does_not_ack_is_marked_offline_at_the_retry)
{
	char err[C2_ERR_MAX];
	struct c2_device d;

	ck_assert_int_eq(c2_op_topic_add(&ctx, "t/a", err, sizeof(err)), 0);
	add_device(0, 0);
	ck_assert_int_eq(c2_op_link(&ctx, "dev0", "t/a", err, sizeof(err)), 0);
	settle(100, 2);
	ck_assert_int_eq(c2_db_device_get(ctx.db, NULL, sdevs[0].c.id, &d), 0);
	ck_assert_int_eq(d.online, 1);                 /* it acked */
	now_ms += 2000;
	ck_assert_int_eq(c2_op_device_reset(&ctx, "dev0", err, sizeof(err)), 0);
	sdevs[0].offline = 1;
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms), 1);
	ck_assert_int_eq(deliver(), 0);
	ck_assert_int_eq(c2_db_device_get(ctx.db, NULL, sdevs[0].c.id, &d), 0);
	ck_assert_int_eq(d.online, 1);                 /* one attempt: not yet */
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms + 3000), 1);   /* the retry */
	ck_assert_int_eq(c2_db_device_get(ctx.db, NULL, sdevs[0].c.id, &d), 0);
	ck_assert_int_eq(d.online, 0);
	sdevs[0].offline = 0;
	ck_assert_int_eq(deliver(), 1);
	ck_assert_int_eq(c2_db_device_get(ctx.db, NULL, sdevs[0].c.id, &d), 0);
	ck_assert_int_eq(d.online, 1);                 /* its ack brings it back */
}
END_TEST

START_TEST(finished_commands_are_pruned_after_a_week)
{
	char err[C2_ERR_MAX];
	long done = -1;

	add_device(0, 0);
	ck_assert_int_eq(c2_op_device_reset(&ctx, "dev0", err, sizeof(err)), 0);
	settle(100, 2);
	ck_assert_int_eq(c2_db_cmd_count(ctx.db, "done", &done), 0);
	ck_assert_int_eq(done, 1);
	ck_assert_int_eq(c2_db_cmd_prune(ctx.db, c2_now_ms() / 1000 - 10), 0);
	ck_assert_int_eq(c2_db_cmd_count(ctx.db, "done", &done), 0);
	ck_assert_int_eq(done, 1);
	ck_assert_int_eq(c2_db_cmd_prune(ctx.db, c2_now_ms() / 1000 + 10), 0);
	ck_assert_int_eq(c2_db_cmd_count(ctx.db, "done", &done), 0);
	ck_assert_int_eq(done, 0);
}
END_TEST

START_TEST(rollout_rate_limits_publications_per_second)
{
	ctx.conf.rollout_rate = 2;
	add_linked(4, "t/a");
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms), 2);
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms + 100), 0);
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms + 600), 1);
	ck_assert_int_eq(c2_outbox_tick(&ctx, now_ms + 1100), 1);
}
END_TEST

START_TEST(pubkey_mode_pushes_device_keys_to_the_broker_plugin)
{
	struct c2_new_device nd;
	char err[C2_ERR_MAX], want[256], id[33], pub[65];
	uint8_t mk[32];

	c2_db_close(ctx.db);
	ctx.conf.mode = E4_MODE_PUBKEY;
	c2_random(mk, sizeof(mk));
	ck_assert_int_eq(c2_db_open(&ctx.db, ":memory:", mk, 1, err, sizeof(err)), 0);
	ck_assert_int_eq(c2_op_init_db(&ctx, err, sizeof(err)), 0);
	ck_assert_int_eq(c2_op_device_add(&ctx, "pk1", NULL, NULL, 0, &nd, err, sizeof(err)), 0);
	ck_assert_uint_eq(nd.key_len, 64);
	ck_assert_int_eq(memcmp(nd.key + 32, nd.dev.pub, 32), 0);
	e4_hex_encode(id, nd.dev.id, 16);
	e4_hex_encode(pub, nd.dev.pub, 32);
	ck_assert_uint_eq(npubs, 1);
	ck_assert_str_eq(pubs[0].topic, "$CONTROL/e4/v1");
	snprintf(want, sizeof(want), "{\"commands\":[{\"command\":\"setDevicePubKey\","
	         "\"id\":\"%s\",\"pubkey\":\"%s\"}]}", id, pub);
	ck_assert_uint_eq(pubs[0].len, strlen(want));
	ck_assert_int_eq(memcmp(pubs[0].frame, want, pubs[0].len), 0);
	ck_assert_int_eq(c2_op_device_remove(&ctx, "pk1", err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "{\"commands\":[{\"command\":\"removeDevicePubKey\","
	         "\"id\":\"%s\"}]}", id);
	ck_assert_uint_eq(npubs, 2);
	ck_assert_uint_eq(pubs[1].len, strlen(want));
	ck_assert_int_eq(memcmp(pubs[1].frame, want, pubs[1].len), 0);
	e4_wipe(&nd, sizeof(nd));
}
END_TEST

/* ---------------- socket protocol ---------------- */

/* Table of malformed requests and the error each must produce. */
static const struct {
	const char *req;
	const char *error;
} bad_requests[] = {
	{ "not json", "request is not valid JSON" },
	{ "[1,2]", "request is not a JSON object" },
	{ "{}", "request has no \\\"cmd\\\" string" },
	{ "{\"cmd\":7}", "request has no \\\"cmd\\\" string" },
	{ "{\"cmd\":\"device.add\",\"args\":[]}", "\\\"args\\\" must be an object" },
	{ "{\"cmd\":\"frob\"}", "unknown command" },
	{ "{\"cmd\":\"device.add\"}", "missing argument 'name'" },
	{ "{\"cmd\":\"device.add\",\"args\":{\"name\":5}}", "argument 'name' must be a string" },
	{ "{\"cmd\":\"device.add\",\"args\":{\"name\":\"x\",\"legacy\":1}}",
	  "argument 'legacy' must be true or false" },
	{ "{\"cmd\":\"link\",\"args\":{\"device\":\"x\"}}", "missing argument 'topic'" },
	{ "{\"cmd\":\"audit\",\"args\":{\"limit\":0}}",
	  "argument 'limit' must be a number from 1 to 1000000" },
	{ "{\"cmd\":\"topic.show\",\"args\":{\"name\":\"nope\"}}", "no such topic" },
	{ "{\"cmd\":\"c2key.rotate\"}", "the C2 key pair exists in pubkey mode only" },
};

START_TEST(malformed_requests_get_specific_errors)
{
	char *resp = c2_api_request(&ctx, bad_requests[_i].req, strlen(bad_requests[_i].req), 0);
	char want[256];
	long n = -1;

	snprintf(want, sizeof(want), "{\"ok\":false,\"error\":\"%s\"}", bad_requests[_i].error);
	ck_assert_str_eq(resp, want);
	free(resp);
	ck_assert_int_eq(c2_db_device_count(ctx.db, &n), 0);
	ck_assert_int_eq(n, 0);
}
END_TEST

START_TEST(device_add_returns_the_key_only_when_exporting)
{
	static const char r1[] = "{\"cmd\":\"device.add\",\"args\":{\"name\":\"a\"}}";
	static const char r2[] = "{\"cmd\":\"device.add\",\"args\":{\"name\":\"b\",\"export\":true}}";
	char *s1 = c2_api_request(&ctx, r1, strlen(r1), 1000);
	char *s2 = c2_api_request(&ctx, r2, strlen(r2), 1000);
	cJSON *j2 = cJSON_Parse(s2);
	const cJSON *key = cJSON_GetObjectItem(cJSON_GetObjectItem(j2, "result"), "key");

	ck_assert_ptr_null(strstr(s1, "\"key\""));
	ck_assert(cJSON_IsString(key));
	ck_assert_uint_eq(strlen(key->valuestring), 64);
	ck_assert_ptr_nonnull(strstr(s1, "\"id\":\"80084bf2fba02475726feb2cab2d8215\""));
	cJSON_Delete(j2);
	free(s1);
	free(s2);
}
END_TEST

/* One API request; returns the parsed response (caller deletes). */
static cJSON *api(const char *req)
{
	char *out = c2_api_request(&ctx, req, strlen(req), 1000);
	cJSON *j;

	ck_assert_ptr_nonnull(out);
	j = cJSON_Parse(out);
	free(out);
	ck_assert_ptr_nonnull(j);
	return j;
}

/* Lists come in pages: "limit" items at most, "next" names where to resume. */
START_TEST(device_list_and_topic_members_come_in_pages)
{
	static const char *const bad[][2] = {
		{ "{\"cmd\":\"device.list\",\"args\":{\"limit\":0}}",
		  "argument 'limit' must be a number from 1 to 1000" },
		{ "{\"cmd\":\"device.list\",\"args\":{\"limit\":1001}}",
		  "argument 'limit' must be a number from 1 to 1000" },
		{ "{\"cmd\":\"device.list\",\"args\":{\"limit\":1.5}}",
		  "argument 'limit' must be a number from 1 to 1000" },
		{ "{\"cmd\":\"device.list\",\"args\":{\"after\":7}}",
		  "argument 'after' must be a string" },
	};
	const cJSON *r;
	cJSON *j;
	size_t i;

	add_linked(3, "t/a");
	j = api("{\"cmd\":\"device.list\",\"args\":{\"limit\":2}}");
	r = cJSON_GetObjectItem(j, "result");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r, "devices")), 2);
	ck_assert_str_eq(cJSON_GetObjectItem(r, "next")->valuestring, "dev1");
	cJSON_Delete(j);
	j = api("{\"cmd\":\"device.list\",\"args\":{\"limit\":2,\"after\":\"dev1\"}}");
	r = cJSON_GetObjectItem(j, "result");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r, "devices")), 1);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(r, "devices"),
	                                                        0), "name")->valuestring, "dev2");
	ck_assert_ptr_null(cJSON_GetObjectItem(r, "next"));
	cJSON_Delete(j);
	j = api("{\"cmd\":\"device.list\",\"args\":{\"limit\":3}}");   /* exactly full */
	ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "result"), "next"));
	cJSON_Delete(j);
	j = api("{\"cmd\":\"topic.show\",\"args\":{\"name\":\"t/a\",\"limit\":1,"
	        "\"after\":\"dev0\"}}");
	r = cJSON_GetObjectItem(j, "result");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r, "members")), 1);
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(r, "members"), 0)->valuestring,
	                 "dev1");
	ck_assert_str_eq(cJSON_GetObjectItem(r, "members_next")->valuestring, "dev1");
	ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "topic"), "members")->valueint,
	                 3);
	cJSON_Delete(j);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = api(bad[i][0]);
		ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(j, "ok")));
		ck_assert_str_eq(cJSON_GetObjectItem(j, "error")->valuestring, bad[i][1]);
		cJSON_Delete(j);
	}
}
END_TEST

/* Builds the suites. */
static Suite *c2_suite(void)
{
	Suite *s = suite_create("c2");
	TCase *conf = tcase_create("conf");
	TCase *secret = tcase_create("secret");
	TCase *engine = tcase_create("engine");
	TCase *api = tcase_create("api");

	tcase_add_test(conf, conf_defaults_match_the_table);
	tcase_add_test(conf, conf_parses_values_units_comments_and_quotes);
	tcase_add_loop_test(conf, conf_refuses_each_malformed_line_and_changes_nothing, 0,
	                    (int)(sizeof(bad_confs) / sizeof(bad_confs[0])));
	tcase_add_test(conf, conf_refuses_nul_bytes_and_long_lines);
	tcase_add_checked_fixture(secret, scratch_setup, scratch_teardown);
	tcase_add_test(secret, secret_binds_ciphertext_to_its_row);
	tcase_add_test(secret, master_key_file_is_created_0600_and_refused_when_readable);
	tcase_add_checked_fixture(engine, engine_setup, engine_teardown);
	tcase_add_test(engine, link_delivers_the_topic_key_and_acks_complete_it);
	tcase_add_test(engine, commands_to_one_device_are_delivered_in_order_one_at_a_time);
	tcase_add_test(engine, unacked_command_is_retried_as_the_same_frame_with_backoff);
	tcase_add_test(engine, old_attempt_is_retried_with_a_fresh_timestamp);
	tcase_add_test(engine, a_late_ack_of_a_replaced_frame_completes_the_command);
	tcase_add_test(engine, a_command_after_a_cancelled_one_is_stamped_later);
	tcase_add_test(engine, finished_commands_keep_no_arguments);
	tcase_add_test(engine, removing_a_device_deletes_its_unfinished_commands);
	tcase_add_test(engine, rotation_activates_only_after_every_member_acked_the_next_key);
	tcase_add_test(engine, rotation_times_out_and_the_late_device_catches_up);
	tcase_add_test(engine, unlink_removes_the_topic_and_rekeys_the_rest);
	tcase_add_test(engine, device_key_rotation_keeps_the_old_key_until_the_ack);
	tcase_add_test(engine, malformed_acks_are_refused_with_specific_errors);
	tcase_add_test(engine, failed_status_is_audited_and_the_queue_moves_on);
	tcase_add_test(engine, legacy_devices_are_done_on_the_broker_acknowledgement);
	tcase_add_test(engine, max_inflight_limits_commands_awaiting_acks);
	tcase_add_test(engine, sleeping_devices_free_their_inflight_slot_after_the_ack_timeout);
	tcase_add_test(engine, a_sealed_key_moved_to_another_row_does_not_open);
	tcase_add_test(engine, audit_log_is_append_only);
	tcase_add_test(engine, schema_1_database_is_migrated_with_its_rows);
	tcase_add_test(engine, schema_2_outbox_is_rebuilt_with_its_attempts_and_sequence);
	tcase_add_test(engine, batched_acks_are_recorded_and_a_bad_one_is_skipped);
	tcase_add_test(engine, acks_alone_wait_for_others_a_few_milliseconds);
	tcase_add_test(engine, rotation_activates_on_the_last_ack_without_the_tick);
	tcase_add_test(engine, reset_clears_the_device_and_resends_its_topics);
	tcase_add_test(engine, automation_rotates_old_topic_keys_and_sends_heartbeats);
	tcase_add_test(engine, online_event_retries_at_once_and_bad_events_are_ignored);
	tcase_add_test(engine, a_device_that_does_not_ack_is_marked_offline_at_the_retry);
	tcase_add_test(engine, finished_commands_are_pruned_after_a_week);
	tcase_add_test(engine, rollout_rate_limits_publications_per_second);
	tcase_add_test(engine, pubkey_mode_pushes_device_keys_to_the_broker_plugin);
	tcase_add_test(engine, leave_rekey_retires_the_key_the_evicted_device_holds);
	tcase_add_test(engine, leave_rekey_does_not_wait_for_an_offline_member);
	tcase_add_test(engine, device_key_rotation_retires_the_previous_key);
	tcase_add_test(engine, stuck_retirements_do_not_starve_other_rotations);
	tcase_add_checked_fixture(api, engine_setup, engine_teardown);
	tcase_add_loop_test(api, malformed_requests_get_specific_errors, 0,
	                    (int)(sizeof(bad_requests) / sizeof(bad_requests[0])));
	tcase_add_test(api, device_add_returns_the_key_only_when_exporting);
	tcase_add_test(api, device_list_and_topic_members_come_in_pages);
	suite_add_tcase(s, conf);
	suite_add_tcase(s, secret);
	suite_add_tcase(s, engine);
	suite_add_tcase(s, api);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	if (sodium_init() < 0)
		return 1;
	c2_log_set_level(C2_LOG_ERROR);
	sr = srunner_create(c2_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
