/*
 * options.c - the options table of e4c2d.conf: one row per option drives
 * parsing, the effective-config dump (-t) and the man page test.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "c2.h"

static const char *const modes[] = { "none", "symkey", "pubkey", NULL };
static const char *const levels[] = { "error", "warn", "info", "debug", NULL };

#define OFF(f) offsetof(struct c2_conf, f)
#define STR(f) C2_OPT_STR, 0, 0, NULL, OFF(f), sizeof(((struct c2_conf *)0)->f)
#define NUM(t, f, lo, hi) t, lo, hi, NULL, OFF(f), sizeof(long)
#define DAY 86400L

const struct c2_option c2_options[] = {
	{ "mode", "symkey", C2_OPT_ENUM, 0, 0, modes, OFF(mode), sizeof(int),
	  "protocol mode of the deployment: symkey or pubkey" },
	{ "database", "/var/lib/e4c2/e4c2.db", STR(database),
	  "path of the SQLite database" },
	{ "master_key_file", "/var/lib/e4c2/master.key", STR(master_key_file),
	  "file holding the key that encrypts every key at rest (mode 0600)" },
	{ "socket", "/run/e4c2/e4c2.sock", STR(socket),
	  "Unix socket of the control interface used by e4c2" },
	{ "socket_group", "", STR(socket_group),
	  "group allowed to use the socket (empty: the daemon's group)" },
	{ "mqtt_host", "localhost", STR(mqtt_host), "broker host name or address" },
	{ "mqtt_port", "1883", NUM(C2_OPT_INT, mqtt_port, 1, 65535), "broker port" },
	{ "mqtt_username", "", STR(mqtt_username), "MQTT user name (empty: none)" },
	{ "mqtt_password_file", "", STR(mqtt_password_file),
	  "file holding the MQTT password (mode 0600 or 0640)" },
	{ "mqtt_cafile", "", STR(mqtt_cafile), "CA certificates for TLS (empty: no TLS)" },
	{ "mqtt_client_id", "e4c2d", STR(mqtt_client_id), "MQTT client id of the daemon" },
	{ "mqtt_qos", "1", NUM(C2_OPT_INT, mqtt_qos, 1, 2), "QoS of commands (1 or 2)" },
	{ "mqtt_keepalive", "30", NUM(C2_OPT_DURATION, mqtt_keepalive, 5, 3600),
	  "MQTT keepalive interval" },
	{ "ack_timeout", "10s", NUM(C2_OPT_DURATION, ack_timeout, 1, 3600),
	  "time to wait for an ack before the first retry" },
	{ "retry_max_interval", "5m", NUM(C2_OPT_DURATION, retry_max_interval, 1, DAY),
	  "longest interval between retries (exponential backoff up to it)" },
	{ "max_inflight", "4096", NUM(C2_OPT_INT, max_inflight, 1, 1000000),
	  "commands awaiting an ack at once (each device has at most one)" },
	{ "rollout_rate", "0", NUM(C2_OPT_INT, rollout_rate, 0, 1000000),
	  "commands published per second at most (0: unlimited)" },
	{ "rekey_on_leave", "yes", C2_OPT_BOOL, 0, 1, NULL, OFF(rekey_on_leave), sizeof(int),
	  "rotate a topic's key when a device is unlinked or removed" },
	{ "rotation_timeout", "1h", NUM(C2_OPT_DURATION, rotation_timeout, 1, 30 * DAY),
	  "activate a rotated key after this long even if members did not ack" },
	{ "topic_rotation_interval", "0", NUM(C2_OPT_DURATION, topic_rotation_interval, 0, 3650 * DAY),
	  "rotate every topic key this often (0: never)" },
	{ "device_key_rotation_interval", "0",
	  NUM(C2_OPT_DURATION, device_key_rotation_interval, 0, 3650 * DAY),
	  "rotate every device key this often (0: never)" },
	{ "heartbeat_interval", "0", NUM(C2_OPT_DURATION, heartbeat_interval, 0, 30 * DAY),
	  "send a heartbeat to idle devices this often (0: never)" },
	{ "log_level", "info", C2_OPT_ENUM, 0, 0, levels, OFF(log_level), sizeof(int),
	  "lowest level logged: error, warn, info or debug" },
	{ "audit_routine_keep", "90d", NUM(C2_OPT_DURATION, audit_routine_keep, 0, 36500 * DAY),
	  "keep the daemon's own audit entries (uid -1) this long (0: forever)" },
	{ NULL, NULL, C2_OPT_STR, 0, 0, NULL, 0, 0, NULL }
};

const struct c2_option *c2_option_find(const char *name)
{
	const struct c2_option *o;

	for (o = c2_options; o->name != NULL; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

int c2_parse_duration(const char *s, long *out)
{
	static const struct { char suffix; long mult; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }
	};
	char *end;
	long v, mult = 1;
	size_t i;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0)
		return -1;
	if (*end != '\0') {
		for (i = 0, mult = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (*end == units[i].suffix)
				mult = units[i].mult;
		if (mult == 0 || end[1] != '\0')
			return -1;
	}
	if (v > 1000000000L / mult)
		return -1;
	*out = v * mult;
	return 0;
}

/* Parses a boolean word. */
static int parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcmp(s, yes[i]) == 0) { *out = 1; return 0; }
		if (strcmp(s, no[i]) == 0) { *out = 0; return 0; }
	}
	return -1;
}

/* Sets a numeric option after parsing and the bounds check. */
static int set_number(struct c2_conf *conf, const struct c2_option *o, const char *value,
                      char *err, size_t cap)
{
	long v;
	char *end;

	if (o->type == C2_OPT_DURATION) {
		if (c2_parse_duration(value, &v) != 0) {
			snprintf(err, cap, "%s: invalid duration (use N, Ns, Nm, Nh or Nd)", o->name);
			return -1;
		}
	} else {
		errno = 0;
		v = strtol(value, &end, 10);
		if (errno != 0 || *end != '\0' || end == value) {
			snprintf(err, cap, "%s: not an integer", o->name);
			return -1;
		}
	}
	if (v < o->min || v > o->max) {
		snprintf(err, cap, "%s: %ld out of range [%ld, %ld]", o->name, v, o->min, o->max);
		return -1;
	}
	*(long *)(void *)((char *)conf + o->offset) = v;
	return 0;
}

int c2_option_set(struct c2_conf *conf, const struct c2_option *o, const char *value,
                  char *err, size_t cap)
{
	char *field = (char *)conf + o->offset;
	int i;

	switch (o->type) {
	case C2_OPT_STR:
		if (strlen(value) >= o->size) {
			snprintf(err, cap, "%s: value longer than %zu bytes", o->name, o->size - 1);
			return -1;
		}
		strcpy(field, value);
		return 0;
	case C2_OPT_BOOL:
		if (parse_bool(value, &i) != 0) {
			snprintf(err, cap, "%s: expected yes or no", o->name);
			return -1;
		}
		*(int *)(void *)field = i;
		return 0;
	case C2_OPT_ENUM:
		for (i = 0; o->choices[i] != NULL; i++)
			if (strcmp(o->choices[i], value) == 0 && strcmp(value, "none") != 0) {
				*(int *)(void *)field = i;
				return 0;
			}
		snprintf(err, cap, "%s: unknown value", o->name);
		return -1;
	default:
		return set_number(conf, o, value, err, cap);
	}
}

void c2_option_format(const struct c2_conf *conf, const struct c2_option *o, char *out,
                      size_t cap)
{
	const char *field = (const char *)conf + o->offset;

	switch (o->type) {
	case C2_OPT_STR:
		snprintf(out, cap, "%s", field);
		break;
	case C2_OPT_BOOL:
		snprintf(out, cap, "%s", *(const int *)(const void *)field ? "yes" : "no");
		break;
	case C2_OPT_ENUM:
		snprintf(out, cap, "%s", o->choices[*(const int *)(const void *)field]);
		break;
	default:
		snprintf(out, cap, "%ld", *(const long *)(const void *)field);
		break;
	}
}

void c2_conf_defaults(struct c2_conf *conf)
{
	const struct c2_option *o;
	char err[C2_ERR_MAX];

	memset(conf, 0, sizeof(*conf));
	for (o = c2_options; o->name != NULL; o++)
		(void)c2_option_set(conf, o, o->def, err, sizeof(err));
}
