/*
 * cmd_device.c - "e4 device ...": a device whose state lives in a store
 * file (provisioning, protect/unprotect with its keys, C2 commands).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

/* Options shared by the device subcommands (each table picks its own). */
#define O_STORE { "store", 's', "PATH", "the device store file (mode 0600)" }
#define O_TOPIC { "topic", 't', "TOPIC", "the MQTT topic" }
#define O_HEX(h) { "hex", 'x', NULL, h }

/* Locks and loads the store named by the --store option (index 0 everywhere). */
static struct tool_device *open_device(const char *prog, const struct tool_args *a, int *rc)
{
	const char *path = tool_get(a, 0);
	struct tool_device *d;

	*rc = TOOL_USAGE;
	if (path == NULL) {
		tool_err(prog, "missing --store PATH");
		return NULL;
	}
	*rc = TOOL_FAIL;
	d = tool_device_new(path);
	if (d == NULL) {
		tool_err(prog, "out of memory");
		return NULL;
	}
	*rc = tool_device_lock_load(prog, d);
	if (*rc != TOOL_OK) {
		tool_device_free(d);
		return NULL;
	}
	return d;
}

/* Reads a required option, with a message when it is missing. */
static const char *need(const char *prog, const struct tool_args *a, size_t idx)
{
	const char *v = tool_get(a, idx);

	if (v == NULL)
		tool_err(prog, "missing --%s %s", a->opts[idx].name, a->opts[idx].argname);
	return v;
}

enum { I_STORE, I_ID, I_ALIAS, I_KEY, I_KEY_FILE, I_SIGN_KEY, I_SIGN_KEY_FILE, I_C2_PUB, I_FORCE };
static const struct tool_opt init_opts[] = {
	[I_STORE] = O_STORE,
	[I_ID] = { "id", 'i', "HEX", "device id (16 bytes in hex)" },
	[I_ALIAS] = { "alias", 'a', "NAME", "derive the device id from an alias (instead of --id)" },
	[I_KEY] = { "key", 'k', "HEX", "symkey mode: the device key (32 bytes in hex)" },
	[I_KEY_FILE] = { "key-file", 0, "FILE", "symkey mode: read the device key from FILE (0600)" },
	[I_SIGN_KEY] = { "sign-key", 0, "HEX", "pubkey mode: Ed25519 secret key, seed || public (64 bytes)" },
	[I_SIGN_KEY_FILE] = { "sign-key-file", 0, "FILE", "pubkey mode: read the signing key from FILE" },
	[I_C2_PUB] = { "c2-pub", 0, "HEX", "pubkey mode: the C2's Curve25519 public key (32 bytes)" },
	[I_FORCE] = { "force", 'f', NULL, "replace an existing store" },
};

/* Reads the device id from --id or --alias. */
static int init_id(const char *prog, const struct tool_args *a, uint8_t id[E4_ID_LEN])
{
	const char *hex = tool_get(a, I_ID), *alias = tool_get(a, I_ALIAS);

	if ((hex == NULL) == (alias == NULL)) {
		tool_err(prog, "give exactly one of --id HEX and --alias NAME");
		return TOOL_USAGE;
	}
	if (hex != NULL)
		return tool_hex(prog, "--id", hex, id, E4_ID_LEN);
	if (alias[0] == '\0' || e4_id_from_alias(id, alias) != 0) {
		tool_err(prog, "--alias: must not be empty");
		return TOOL_USAGE;
	}
	return TOOL_OK;
}

/* Sets up a fresh client of the mode the options name. */
static int init_client(const char *prog, const struct tool_args *a, struct tool_device *d,
                       const uint8_t id[E4_ID_LEN])
{
	uint8_t secret[E4_ED25519_SK_LEN], c2[E4_CURVE_PK_LEN];
	int pk = tool_has(a, I_SIGN_KEY) || tool_has(a, I_SIGN_KEY_FILE) || tool_has(a, I_C2_PUB);
	int rc, err;

	if (pk && (tool_has(a, I_KEY) || tool_has(a, I_KEY_FILE))) {
		tool_err(prog, "--key is for symkey devices, --sign-key/--c2-pub for pubkey devices");
		return TOOL_USAGE;
	}
	if (pk && need(prog, a, I_C2_PUB) == NULL)
		return TOOL_USAGE;
	rc = pk ? tool_hex(prog, "--c2-pub", tool_get(a, I_C2_PUB), c2, sizeof(c2)) : TOOL_OK;
	if (rc == TOOL_OK)
		rc = pk ? tool_secret(prog, a, I_SIGN_KEY, I_SIGN_KEY_FILE, secret, E4_ED25519_SK_LEN)
		        : tool_secret(prog, a, I_KEY, I_KEY_FILE, secret, E4_KEY_LEN);
	if (rc != TOOL_OK)
		return rc;
	tool_device_config(d, pk ? E4_MODE_PUBKEY : E4_MODE_SYMKEY);
	err = e4_client_init(&d->client, &d->cfg, id, secret, pk ? E4_ED25519_SK_LEN : E4_KEY_LEN);
	e4_wipe(secret, sizeof(secret));
	d->loaded = err == 0;
	if (err == 0 && pk)
		err = e4_client_set_c2_key(&d->client, c2);
	if (err != 0) {
		tool_err(prog, "%s", e4_strerror(err));
		return TOOL_FAIL;
	}
	return TOOL_OK;
}

/* e4 device init: creates a store for a new device. */
static int run_init(const char *prog, struct tool_args *a)
{
	struct tool_device *d;
	uint8_t id[E4_ID_LEN];
	size_t len;
	int rc, err;

	if (need(prog, a, I_STORE) == NULL)
		return TOOL_USAGE;
	rc = init_id(prog, a, id);
	if (rc != TOOL_OK)
		return rc;
	d = tool_device_new(tool_get(a, I_STORE));
	if (d == NULL)
		return TOOL_FAIL;
	err = e4_store_file_lock(&d->file);
	if (err != 0) {
		tool_err(prog, "cannot lock store %s: %s", d->file.path, e4_strerror(err));
		tool_device_free(d);
		return TOOL_FAIL;
	}
	err = d->store.load(d->store.ctx, d->store_buf, sizeof(d->store_buf), &len);
	e4_wipe(d->store_buf, sizeof(d->store_buf));
	if (err != E4_ERR_NOT_FOUND && !tool_has(a, I_FORCE)) {
		tool_err(prog, "store %s exists (use --force to replace it)", d->file.path);
		rc = TOOL_FAIL;
	}
	if (rc == TOOL_OK)
		rc = init_client(prog, a, d, id);
	if (rc == TOOL_OK)
		rc = tool_device_save(prog, d);
	if (rc == TOOL_OK)
		printf("created %s device %s (control topic %s)\n",
		       d->cfg.mode == E4_MODE_PUBKEY ? "pubkey" : "symkey",
		       e4_client_control_topic(&d->client) + 3, e4_client_control_topic(&d->client));
	tool_device_free(d);
	return rc;
}

enum { S_STORE };
static const struct tool_opt show_opts[] = { [S_STORE] = O_STORE };

/* e4 device show: what the store holds, without any key. */
static int run_show(const char *prog, struct tool_args *a)
{
	static const char *const kinds[] = { "free", "current", "old", "next" };
	struct tool_device *d;
	char hex[2 * E4_KEY_LEN + 1];
	size_t i;
	int rc;

	d = open_device(prog, a, &rc);
	if (d == NULL)
		return rc;
	tool_device_unlock(d);
	e4_hex_encode(hex, e4_client_id(&d->client), E4_ID_LEN);
	printf("id %s\ncontrol-topic %s\nmode %s\ntopic-keys %zu\n", hex,
	       e4_client_control_topic(&d->client),
	       d->cfg.mode == E4_MODE_PUBKEY ? "pubkey" : "symkey",
	       e4_client_topic_count(&d->client));
	/* The slots are this tool's own tables; only hashes and kinds are shown. */
	for (i = 0; i < TOOL_TOPICS_CAP; i++) {
		if (d->topics[i].kind == 0 || d->topics[i].kind > 3)
			continue;
		e4_hex_encode(hex, d->topics[i].hash, E4_HASH_LEN);
		printf("topic-hash %s %s\n", hex, kinds[d->topics[i].kind]);
	}
	for (i = 0; d->cfg.mode == E4_MODE_PUBKEY && i < TOOL_PUBKEYS_CAP; i++) {
		if (!d->pubkeys[i].used)
			continue;
		e4_hex_encode(hex, d->pubkeys[i].id, E4_ID_LEN);
		printf("pubkey-id %s\n", hex);
	}
	tool_device_free(d);
	return TOOL_OK;
}

enum { DP_STORE, DP_TOPIC, DP_TIME, DP_HEX };
static const struct tool_opt dprotect_opts[] = {
	[DP_STORE] = O_STORE,
	[DP_TOPIC] = O_TOPIC,
	[DP_TIME] = { "time", 0, "UNIX", "timestamp of the frame (default: the system clock)" },
	[DP_HEX] = O_HEX("read hex text on stdin and write the frame as hex"),
};

/* Reads --time/--now into the device's clock. */
static int fixed_time(const char *prog, const struct tool_args *a, size_t idx,
                      struct tool_device *d)
{
	char name[32];

	if (!tool_has(a, idx))
		return TOOL_OK;
	d->use_fixed_time = 1;
	snprintf(name, sizeof(name), "--%s", a->opts[idx].name);
	return tool_u64(prog, name, tool_get(a, idx), &d->fixed_time);
}

/* e4 device protect: protects stdin for a topic with the device's key for it. */
static int run_dprotect(const char *prog, struct tool_args *a)
{
	struct tool_device *d;
	uint8_t *msg = NULL, *out = NULL;
	size_t len = 0, out_len = 0;
	int rc, err, hex = tool_has(a, DP_HEX);

	if (need(prog, a, DP_TOPIC) == NULL)
		return TOOL_USAGE;
	d = open_device(prog, a, &rc);
	if (d == NULL)
		return rc;
	tool_device_unlock(d);
	rc = fixed_time(prog, a, DP_TIME, d);
	if (rc == TOOL_OK)
		rc = tool_read_input(prog, hex, &msg, &len);
	if (rc == TOOL_OK && (out = malloc(E4_PK_PROTECTED_LEN(len))) == NULL)
		rc = TOOL_FAIL;
	if (rc == TOOL_OK) {
		err = e4_protect(&d->client, out, E4_PK_PROTECTED_LEN(len), &out_len,
		                 tool_get(a, DP_TOPIC), msg, len);
		if (err != 0) {
			tool_err(prog, "%s", e4_strerror(err));
			rc = TOOL_FAIL;
		}
	}
	if (rc == TOOL_OK)
		rc = tool_write_output(prog, hex, out, out_len);
	if (msg != NULL)
		e4_wipe(msg, len);
	free(msg);
	free(out);
	tool_device_free(d);
	return rc;
}

enum { DU_STORE, DU_TOPIC, DU_NOW, DU_HEX, DU_ACK_OUT };
static const struct tool_opt dunprotect_opts[] = {
	[DU_STORE] = O_STORE,
	[DU_TOPIC] = O_TOPIC,
	[DU_NOW] = { "now", 0, "UNIX", "current time for the age checks (default: the system clock)" },
	[DU_HEX] = O_HEX("read the frame as hex text; write plaintext (or \"ack HEX\") as hex"),
	[DU_ACK_OUT] = { "ack-out", 0, "FILE", "write the ack frame of a command to FILE" },
};

/* Reports a command frame: what changed and the ack. */
static int report_command(const char *prog, const struct tool_args *a, struct tool_device *d,
                          const struct e4_recv_info *info, int err)
{
	uint8_t ack[E4_ACK_FRAME_LEN];
	size_t ack_len = 0;
	int rc = TOOL_OK;

	if (err == 0)
		tool_describe_command(stdout, "", info, 0);
	else
		tool_err(prog, "command 0x%02x refused: %s", (unsigned)info->command, e4_strerror(err));
	if (info->has_ack && e4_client_ack(&d->client, ack, sizeof(ack), &ack_len) == 0) {
		if (tool_has(a, DU_ACK_OUT))
			rc = tool_write_file(prog, tool_get(a, DU_ACK_OUT), tool_has(a, DU_HEX), ack,
			                     ack_len);
		else if (tool_has(a, DU_HEX)) {
			printf("ack ");
			tool_print_hex(ack, ack_len);
		}
	}
	return err != 0 ? TOOL_FAIL : rc;
}

/* e4 device unprotect: opens a frame; on the control topic applies the command. */
static int run_dunprotect(const char *prog, struct tool_args *a)
{
	struct tool_device *d;
	struct e4_recv_info info;
	uint8_t *frame = NULL, *out = NULL;
	size_t len = 0, out_len = 0;
	int rc, err, hex = tool_has(a, DU_HEX);

	if (need(prog, a, DU_TOPIC) == NULL)
		return TOOL_USAGE;
	d = open_device(prog, a, &rc);
	if (d == NULL)
		return rc;
	rc = fixed_time(prog, a, DU_NOW, d);
	if (rc == TOOL_OK)
		rc = tool_read_input(prog, hex, &frame, &len);
	if (rc == TOOL_OK && (out = malloc(len + 1)) == NULL)
		rc = TOOL_FAIL;
	if (rc == TOOL_OK) {
		/* A command is applied and saved by the SDK while the lock is held. */
		err = e4_unprotect(&d->client, out, len + 1, &out_len, tool_get(a, DU_TOPIC), frame,
		                   len, &info);
		tool_device_unlock(d);
		if (info.is_command)
			rc = report_command(prog, a, d, &info, err);
		else if (err != 0) {
			tool_err(prog, "%s", e4_strerror(err));
			rc = TOOL_FAIL;
		} else
			rc = tool_write_output(prog, hex, out, out_len);
	}
	if (out != NULL)
		e4_wipe(out, len + 1);
	free(frame);
	free(out);
	tool_device_free(d);
	return rc;
}

enum { T_STORE, T_TOPIC, T_KEY, T_KEY_FILE };
static const struct tool_opt settopic_opts[] = {
	[T_STORE] = O_STORE,
	[T_TOPIC] = O_TOPIC,
	[T_KEY] = { "key", 'k', "HEX", "the topic key (32 bytes in hex); visible in ps" },
	[T_KEY_FILE] = { "key-file", 0, "FILE", "read the topic key from FILE (0600)" },
};

/* e4 device set-topic-key: provisions a topic key directly. */
static int run_settopic(const char *prog, struct tool_args *a)
{
	struct tool_device *d;
	uint8_t key[E4_KEY_LEN], hash[E4_HASH_LEN];
	char hex[2 * E4_HASH_LEN + 1];
	int rc, err;

	if (need(prog, a, T_TOPIC) == NULL)
		return TOOL_USAGE;
	rc = tool_secret(prog, a, T_KEY, T_KEY_FILE, key, sizeof(key));
	if (rc != TOOL_OK)
		return rc;
	d = open_device(prog, a, &rc);
	if (d != NULL) {
		err = e4_client_set_topic_key(&d->client, tool_get(a, T_TOPIC), key);
		if (err != 0) {
			tool_err(prog, "%s", e4_strerror(err));
			rc = TOOL_FAIL;
		} else {
			rc = tool_device_save(prog, d);
		}
		if (rc == TOOL_OK && e4_topic_hash(hash, tool_get(a, T_TOPIC)) == 0) {
			e4_hex_encode(hex, hash, sizeof(hash));
			printf("set key for topic hash %s\n", hex);
		}
	}
	e4_wipe(key, sizeof(key));
	tool_device_free(d);
	return rc;
}

enum { R_STORE, R_TOPIC };
static const struct tool_opt rmtopic_opts[] = { [R_STORE] = O_STORE, [R_TOPIC] = O_TOPIC };

/* e4 device remove-topic: forgets every key of a topic. */
static int run_rmtopic(const char *prog, struct tool_args *a)
{
	struct tool_device *d;
	int rc, err;

	if (need(prog, a, R_TOPIC) == NULL)
		return TOOL_USAGE;
	d = open_device(prog, a, &rc);
	if (d == NULL)
		return rc;
	err = e4_client_remove_topic(&d->client, tool_get(a, R_TOPIC));
	if (err != 0) {
		tool_err(prog, "%s: %s", tool_get(a, R_TOPIC), e4_strerror(err));
		rc = TOOL_FAIL;
	} else {
		rc = tool_device_save(prog, d);
	}
	if (rc == TOOL_OK)
		printf("removed topic %s\n", tool_get(a, R_TOPIC));
	tool_device_free(d);
	return rc;
}

enum { K_STORE, K_ID, K_PUB };
static const struct tool_opt setpub_opts[] = {
	[K_STORE] = O_STORE,
	[K_ID] = { "id", 'i', "HEX", "id of the other device (16 bytes in hex)" },
	[K_PUB] = { "pub", 'p', "HEX", "its Ed25519 public key (32 bytes in hex)" },
};

/* e4 device set-pubkey: provisions another device's public key (pubkey mode). */
static int run_setpub(const char *prog, struct tool_args *a)
{
	struct tool_device *d;
	uint8_t id[E4_ID_LEN], pub[E4_ED25519_PK_LEN];
	int rc, err;

	if (need(prog, a, K_ID) == NULL || need(prog, a, K_PUB) == NULL)
		return TOOL_USAGE;
	rc = tool_hex(prog, "--id", tool_get(a, K_ID), id, sizeof(id));
	if (rc == TOOL_OK)
		rc = tool_hex(prog, "--pub", tool_get(a, K_PUB), pub, sizeof(pub));
	if (rc != TOOL_OK)
		return rc;
	d = open_device(prog, a, &rc);
	if (d == NULL)
		return rc;
	err = e4_client_set_pubkey(&d->client, id, pub);
	if (err != 0) {
		tool_err(prog, "%s", e4_strerror(err));
		rc = TOOL_FAIL;
	} else {
		rc = tool_device_save(prog, d);
	}
	if (rc == TOOL_OK)
		printf("set public key of device %s\n", tool_get(a, K_ID));
	tool_device_free(d);
	return rc;
}

const struct tool_cmd tool_device_cmds[] = {
	{ "device init", run_init, init_opts, TOOL_NOPTS(init_opts), "", 0, 0,
	  "create a device store (symkey: --key; pubkey: --sign-key and --c2-pub)" },
	{ "device show", run_show, show_opts, TOOL_NOPTS(show_opts), "", 0, 0,
	  "print the device id, control topic, mode and topic hashes (never keys)" },
	{ "device protect", run_dprotect, dprotect_opts, TOOL_NOPTS(dprotect_opts), "", 0, 0,
	  "protect stdin for --topic with the device's key for it" },
	{ "device unprotect", run_dunprotect, dunprotect_opts, TOOL_NOPTS(dunprotect_opts), "", 0, 0,
	  "open a frame received on --topic; commands on the control topic are applied" },
	{ "device set-topic-key", run_settopic, settopic_opts, TOOL_NOPTS(settopic_opts), "", 0, 0,
	  "set a topic key directly (provisioning, tests)" },
	{ "device remove-topic", run_rmtopic, rmtopic_opts, TOOL_NOPTS(rmtopic_opts), "", 0, 0,
	  "remove every key of a topic" },
	{ "device set-pubkey", run_setpub, setpub_opts, TOOL_NOPTS(setpub_opts), "", 0, 0,
	  "pubkey mode: store the Ed25519 public key of another device" },
	{ NULL, NULL, NULL, 0, NULL, 0, 0, NULL }
};
