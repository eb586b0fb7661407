/*
 * keydump.c - test helper for tests/secrets/scan.sh: prints, one hex key
 * per line, every secret held in the E4 store files named on the command
 * line (device key, previous device key, Ed25519 seed, topic keys of every
 * slot), so the test can look for them where they must never appear.
 * usage: keydump symkey|pubkey STOREFILE...
 */
#include <stdio.h>
#include <string.h>

#include "e4/e4.h"
#include "e4/store.h"

#define TOPICS_CAP  64
#define PUBKEYS_CAP 64

static struct e4_topic_slot topics[TOPICS_CAP];
static struct e4_replay_slot replay[64];
static struct e4_pubkey_slot pubkeys[PUBKEYS_CAP];
static uint8_t buf[E4_STATE_BLOB_LEN(TOPICS_CAP, PUBKEYS_CAP)];

/* Prints len bytes of k in hex on one line. */
static void put_hex(const uint8_t *k, size_t len)
{
	char hex[2 * 64 + 1];
	e4_hex_encode(hex, k, len);
	puts(hex);
}

/* Loads the store at path and prints its keys; 0 or -1. */
static int dump(enum e4_mode mode, const char *path)
{
	struct e4_client c;
	struct e4_client_config cfg;
	struct e4_store store;
	struct e4_store_file sf;
	size_t i;
	int err;

	e4_client_config_default(&cfg);
	cfg.mode = mode;
	cfg.topics = topics;
	cfg.topics_cap = TOPICS_CAP;
	cfg.replay = replay;
	cfg.replay_cap = 64;
	cfg.pubkeys = pubkeys;
	cfg.pubkeys_cap = PUBKEYS_CAP;
	cfg.store = &store;
	cfg.store_buf = buf;
	cfg.store_buf_cap = sizeof(buf);
	e4_store_file_init(&store, &sf, path);
	err = e4_client_load(&c, &cfg);
	if (err != 0) {
		fprintf(stderr, "keydump: %s: %s\n", path, e4_strerror(err));
		return -1;
	}
	if (mode == E4_MODE_SYMKEY || c.has_c2_key)
		put_hex(c.key, E4_KEY_LEN);
	if (c.has_prev_key)
		put_hex(c.prev_key, E4_KEY_LEN);
	if (mode == E4_MODE_PUBKEY)
		put_hex(c.sign_sk, 32);
	for (i = 0; i < TOPICS_CAP; i++)
		if (topics[i].kind != 0)
			put_hex(topics[i].key, E4_KEY_LEN);
	e4_client_wipe(&c);
	return 0;
}

/* Entry point: see the header comment. */
int main(int argc, char **argv)
{
	enum e4_mode mode;
	int i;

	if (argc < 3) {
		fprintf(stderr, "usage: keydump symkey|pubkey STOREFILE...\n");
		return 2;
	}
	mode = strcmp(argv[1], "pubkey") == 0 ? E4_MODE_PUBKEY : E4_MODE_SYMKEY;
	for (i = 2; i < argc; i++)
		if (dump(mode, argv[i]) != 0)
			return 1;
	return 0;
}
