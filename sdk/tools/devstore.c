/*
 * devstore.c - a device's state in a store file (the SDK's file backend):
 * locking, loading with the right mode, saving, and describing commands.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tool.h"

/*
 * Clock of the tool's clients: a fixed time (--now, --time), the system
 * clock, or none (--clockless: the SDK then uses its time floor).
 */
static int device_clock(void *ctx, uint64_t *now)
{
	const struct tool_device *d = ctx;

	if (d->no_clock)
		return -1;
	*now = d->use_fixed_time ? d->fixed_time : tool_now();
	return 0;
}

struct tool_device *tool_device_new(const char *path)
{
	struct tool_device *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	e4_store_file_init(&d->store, &d->file, path);
	tool_device_config(d, E4_MODE_SYMKEY);
	return d;
}

void tool_device_free(struct tool_device *d)
{
	if (d == NULL)
		return;
	tool_device_unlock(d);
	if (d->loaded)
		e4_client_wipe(&d->client);
	e4_wipe(d, sizeof(*d));
	free(d);
}

void tool_device_config(struct tool_device *d, enum e4_mode mode)
{
	e4_client_config_default(&d->cfg);
	d->cfg.mode = mode;
	d->cfg.clock = device_clock;
	d->cfg.clock_ctx = d;
	d->cfg.topics = d->topics;
	d->cfg.topics_cap = TOOL_TOPICS_CAP;
	d->cfg.replay = d->replay;
	d->cfg.replay_cap = TOOL_REPLAY_CAP;
	d->cfg.pubkeys = d->pubkeys;
	d->cfg.pubkeys_cap = TOOL_PUBKEYS_CAP;
	d->cfg.store = &d->store;
	d->cfg.store_buf = d->store_buf;
	d->cfg.store_buf_cap = sizeof(d->store_buf);
}

/* Records (compare 0) the store file identity, or says (compare 1) whether it is unchanged. */
static int file_stat(struct tool_device *d, int compare)
{
	struct stat st;
	int same;

	if (stat(d->file.path, &st) != 0) {
		d->have_stat = 0;
		return 0;
	}
	same = d->have_stat && d->st_dev == (uint64_t)st.st_dev && d->st_ino == (uint64_t)st.st_ino &&
	       d->st_size == (uint64_t)st.st_size && d->st_mtime_s == (int64_t)st.st_mtim.tv_sec &&
	       d->st_mtime_ns == (int64_t)st.st_mtim.tv_nsec;
	if (!compare) {
		d->have_stat = 1;
		d->st_dev = (uint64_t)st.st_dev;
		d->st_ino = (uint64_t)st.st_ino;
		d->st_size = (uint64_t)st.st_size;
		d->st_mtime_s = (int64_t)st.st_mtim.tv_sec;
		d->st_mtime_ns = (int64_t)st.st_mtim.tv_nsec;
	}
	return same;
}

/* Loads the blob, picks the mode it records, and deserialises it. */
static int load_blob(struct tool_device *d)
{
	static struct e4_replay_slot replay_kept[TOOL_REPLAY_CAP];
	enum e4_mode mode;
	size_t len = 0, seen = 0;
	int err;

	err = d->store.load(d->store.ctx, d->store_buf, sizeof(d->store_buf), &len);
	if (err == 0)
		err = e4_state_blob_mode(d->store_buf, len, &mode);
	if (err == 0) {
		/*
		 * The replay cache is this process's memory, not the store's: frames
		 * already seen stay refused after a reload (e4 sub reloads when
		 * another process changed the store).
		 */
		if (d->loaded) {
			seen = d->client.replay.len;
			memcpy(replay_kept, d->replay, sizeof(replay_kept));
			e4_client_wipe(&d->client);
		}
		d->loaded = 0;
		tool_device_config(d, mode);
		err = e4_client_deserialize(&d->client, &d->cfg, d->store_buf, len);
		d->loaded = err == 0;
		if (err == 0 && seen > 0 && seen <= TOOL_REPLAY_CAP) {
			memcpy(d->replay, replay_kept, sizeof(replay_kept));
			d->client.replay.len = seen;
		}
		e4_wipe(replay_kept, sizeof(replay_kept));
	}
	e4_wipe(d->store_buf, sizeof(d->store_buf));
	if (err == 0)
		file_stat(d, 0);
	return err;
}

/* Locks the store, then loads it always (force) or only when it changed. */
static int lock_and_load(const char *prog, struct tool_device *d, int force)
{
	int err = e4_store_file_lock(&d->file);

	if (err != 0) {
		tool_err(prog, "cannot lock store %s: %s", d->file.path, e4_strerror(err));
		return TOOL_FAIL;
	}
	err = force || !d->loaded || !file_stat(d, 1) ? load_blob(d) : 0;
	if (err != 0) {
		tool_device_unlock(d);
		if (err == E4_ERR_NOT_FOUND)
			tool_err(prog, "store %s does not exist (create it with e4 device init)",
			         d->file.path);
		else if (err == E4_ERR_STORE_PERMS)
			tool_err(prog, "store %s refused: %s (it must be a regular file of mode 0600)",
			         d->file.path, e4_strerror(err));
		else
			tool_err(prog, "store %s: %s", d->file.path, e4_strerror(err));
		return TOOL_FAIL;
	}
	return TOOL_OK;
}

int tool_device_lock_load(const char *prog, struct tool_device *d)
{
	return lock_and_load(prog, d, 1);
}

int tool_device_lock_sync(const char *prog, struct tool_device *d)
{
	return lock_and_load(prog, d, 0);
}

void tool_device_unlock(struct tool_device *d)
{
	if (d->file.lock_fd >= 0 && d->loaded)
		file_stat(d, 0);
	e4_store_file_unlock(&d->file);
}

int tool_device_save(const char *prog, struct tool_device *d)
{
	int err = e4_client_save(&d->client);

	if (err != 0) {
		tool_err(prog, "saving store %s: %s", d->file.path, e4_strerror(err));
		return TOOL_FAIL;
	}
	return TOOL_OK;
}

/* What each command did, for the log line (never a key). */
static const char *const command_done[] = {
	[E4_CMD_REMOVE_TOPIC] = "removed the key of topic hash",
	[E4_CMD_RESET_TOPICS] = "removed every topic key",
	[E4_CMD_SET_ID_KEY] = "replaced the device key",
	[E4_CMD_SET_TOPIC_KEY] = "set key for topic hash",
	[E4_CMD_REMOVE_PUBKEY] = "removed the public key of device",
	[E4_CMD_RESET_PUBKEYS] = "removed every public key",
	[E4_CMD_SET_PUBKEY] = "set public key of device",
	[E4_CMD_SET_C2_KEY] = "set the C2 public key",
	[E4_CMD_SET_TOPIC_KEY_NEXT] = "announced the next key for topic hash",
	[E4_CMD_HEARTBEAT] = "heartbeat",
	[E4_CMD_REPLACE_TOPIC_KEY] = "replaced every key of topic hash",
	[E4_CMD_RETIRE_ID_KEY] = "retired the previous device key",
};

void tool_describe_command(FILE *f, const char *prefix, const struct e4_recv_info *info, int err)
{
	char hex[2 * E4_HASH_LEN + 1] = "";
	uint32_t c = info->command;

	if (c >= sizeof(command_done) / sizeof(command_done[0]) || command_done[c] == NULL) {
		if (err == 0)
			fprintf(f, "%sapplied command 0x%02x\n", prefix, (unsigned)c);
		else
			fprintf(f, "%scommand 0x%02x refused: %s\n", prefix, (unsigned)c, e4_strerror(err));
		fflush(f);
		return;
	}
	if (c == E4_CMD_REMOVE_TOPIC || c == E4_CMD_SET_TOPIC_KEY || c == E4_CMD_SET_TOPIC_KEY_NEXT ||
	    c == E4_CMD_REPLACE_TOPIC_KEY)
		e4_hex_encode(hex, info->topic_hash, E4_HASH_LEN);
	else if (c == E4_CMD_REMOVE_PUBKEY || c == E4_CMD_SET_PUBKEY)
		e4_hex_encode(hex, info->sender, E4_ID_LEN);
	if (err == 0)
		fprintf(f, "%s%s%s%s\n", prefix, command_done[c], hex[0] ? " " : "", hex);
	else
		fprintf(f, "%scommand 0x%02x refused: %s\n", prefix, (unsigned)c, e4_strerror(err));
	fflush(f);
}
