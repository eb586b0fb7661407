/*
 * state.c - serialisation of a client's state and persistence through
 * its store backend.
 *
 * Blob v1 (little-endian):  "E4ST" | version | mode | has_prev | has_c2 |
 * n_topics u32 | n_pubkeys u32 | history_len u32 | id 16 | key 32 |
 * prev_key 32 | sign_sk 64 | c2_pub 32 | time_floor u64 | last_command u64 |
 * history 8x16 | topics n x (hash 16, key 32, expiry u64, kind 1) |
 * pubkeys n x (id 16, pubkey 32) | SHA3-256 of all before (32).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "internal.h"
#include "crypto/crypto.h"

#define BLOB_VERSION 1
#define FIXED_LEN    340
#define TOPIC_LEN    57
#define PUBKEY_LEN   48
#define SUM_LEN      32

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Counts used topic slots and public keys. */
static void count_used(const struct e4_client *c, size_t *nt, size_t *np)
{
	size_t i;

	*nt = 0;
	*np = 0;
	for (i = 0; i < c->cfg.topics_cap; i++)
		*nt += c->cfg.topics[i].kind != 0;
	for (i = 0; i < c->cfg.pubkeys_cap; i++)
		*np += c->cfg.pubkeys[i].used != 0;
}

/* Writes the fixed part of the blob. */
static void put_fixed(const struct e4_client *c, uint8_t *p, size_t nt, size_t np)
{
	memcpy(p, "E4ST", 4);
	p[4] = BLOB_VERSION;
	p[5] = (uint8_t)c->mode;
	p[6] = (uint8_t)c->has_prev_key;
	p[7] = (uint8_t)c->has_c2_key;
	put_u32(p + 8, (uint32_t)nt);
	put_u32(p + 12, (uint32_t)np);
	put_u32(p + 16, c->history_len);
	memcpy(p + 20, c->id, E4_ID_LEN);
	memcpy(p + 36, c->key, E4_KEY_LEN);
	memcpy(p + 68, c->prev_key, E4_KEY_LEN);
	memcpy(p + 100, c->sign_sk, E4_ED25519_SK_LEN);
	memcpy(p + 164, c->c2_pub, E4_CURVE_PK_LEN);
	e4_store_le64(p + 196, c->time_floor);
	e4_store_le64(p + 204, c->last_command);
	memcpy(p + 212, c->history, sizeof(c->history));
}

int e4_client_serialize(const struct e4_client *c, uint8_t *out, size_t out_cap,
                        size_t *out_len)
{
	size_t nt, np, need, i;
	uint8_t *p;
	int err;

	if (out_len == NULL)
		return E4_ERR_INVALID_ARG;
	*out_len = 0;
	if (c == NULL || c->magic != E4__MAGIC) {
		if (out != NULL)
			e4_wipe(out, out_cap);
		return E4_ERR_NOT_INITIALISED;
	}
	count_used(c, &nt, &np);
	need = FIXED_LEN + nt * TOPIC_LEN + np * PUBKEY_LEN + SUM_LEN;
	if (out_cap < need) {
		*out_len = need;
		return E4_ERR_BUFSIZE;
	}
	if (out == NULL)
		return E4_ERR_INVALID_ARG;
	put_fixed(c, out, nt, np);
	p = out + FIXED_LEN;
	for (i = 0; i < c->cfg.topics_cap; i++) {
		const struct e4_topic_slot *s = &c->cfg.topics[i];

		if (s->kind == 0)
			continue;
		memcpy(p, s->hash, E4_HASH_LEN);
		memcpy(p + 16, s->key, E4_KEY_LEN);
		e4_store_le64(p + 48, s->expiry);
		p[56] = (uint8_t)s->kind;
		p += TOPIC_LEN;
	}
	for (i = 0; i < c->cfg.pubkeys_cap; i++) {
		const struct e4_pubkey_slot *k = &c->cfg.pubkeys[i];

		if (!k->used)
			continue;
		memcpy(p, k->id, E4_ID_LEN);
		memcpy(p + 16, k->pubkey, E4_ED25519_PK_LEN);
		p += PUBKEY_LEN;
	}
	err = e4__sha3_256_2(p, out, (size_t)(p - out), NULL, 0);
	if (err != 0) {
		e4_wipe(out, out_cap);
		return err;
	}
	*out_len = need;
	return 0;
}

int e4_state_blob_mode(const uint8_t *b, size_t len, enum e4_mode *mode)
{
	if (b == NULL || mode == NULL)
		return E4_ERR_INVALID_ARG;
	if (len < FIXED_LEN + SUM_LEN || memcmp(b, "E4ST", 4) != 0 || b[4] != BLOB_VERSION)
		return E4_ERR_STORE_FORMAT;
	if (b[5] == (uint8_t)E4_MODE_SYMKEY)
		*mode = E4_MODE_SYMKEY;
	else if (b[5] == (uint8_t)E4_MODE_PUBKEY)
		*mode = E4_MODE_PUBKEY;
	else
		return E4_ERR_STORE_FORMAT;
	return 0;
}

/* Checks the shape and checksum of a blob; returns the topic and key counts. */
static int blob_check(const struct e4_client_config *cfg, const uint8_t *b, size_t len,
                      size_t *nt, size_t *np)
{
	uint8_t sum[SUM_LEN];
	int err;

	if (len < FIXED_LEN + SUM_LEN || memcmp(b, "E4ST", 4) != 0 || b[4] != BLOB_VERSION)
		return E4_ERR_STORE_FORMAT;
	if (b[5] != (uint8_t)cfg->mode || b[6] > 1 || b[7] > 1 || get_u32(b + 16) > E4_COMMAND_HISTORY)
		return E4_ERR_STORE_FORMAT;
	*nt = get_u32(b + 8);
	*np = get_u32(b + 12);
	if (*nt > cfg->topics_cap || *np > (cfg->mode == E4_MODE_PUBKEY ? cfg->pubkeys_cap : 0))
		return E4_ERR_STORE_FORMAT;
	if (len != FIXED_LEN + *nt * TOPIC_LEN + *np * PUBKEY_LEN + SUM_LEN)
		return E4_ERR_STORE_FORMAT;
	err = e4__sha3_256_2(sum, b, len - SUM_LEN, NULL, 0);
	if (err != 0)
		return err;
	return e4_memcmp_ct(sum, b + len - SUM_LEN, SUM_LEN) == 0 ? 0 : E4_ERR_STORE_FORMAT;
}

int e4_client_deserialize(struct e4_client *c, const struct e4_client_config *cfg,
                          const uint8_t *b, size_t len)
{
	const uint8_t *p;
	size_t nt, np, i;
	int err;

	if (c == NULL || b == NULL || !e4__config_valid(cfg))
		return E4_ERR_INVALID_ARG;
	err = blob_check(cfg, b, len, &nt, &np);
	if (err != 0)
		return err;
	e4__client_setup(c, cfg, b + 20);
	c->has_prev_key = b[6];
	c->has_c2_key = b[7];
	c->history_len = get_u32(b + 16);
	memcpy(c->key, b + 36, E4_KEY_LEN);
	memcpy(c->prev_key, b + 68, E4_KEY_LEN);
	memcpy(c->sign_sk, b + 100, E4_ED25519_SK_LEN);
	memcpy(c->c2_pub, b + 164, E4_CURVE_PK_LEN);
	c->time_floor = e4_load_le64(b + 196);
	c->last_command = e4_load_le64(b + 204);
	memcpy(c->history, b + 212, sizeof(c->history));
	p = b + FIXED_LEN;
	for (i = 0; i < nt; i++, p += TOPIC_LEN) {
		struct e4_topic_slot *s = &c->cfg.topics[i];

		if (p[56] < 1 || p[56] > 3) {
			e4_client_wipe(c);
			return E4_ERR_STORE_FORMAT;
		}
		memcpy(s->hash, p, E4_HASH_LEN);
		memcpy(s->key, p + 16, E4_KEY_LEN);
		s->expiry = e4_load_le64(p + 48);
		s->kind = p[56];
	}
	for (i = 0; i < np; i++, p += PUBKEY_LEN) {
		struct e4_pubkey_slot *k = &c->cfg.pubkeys[i];

		memcpy(k->id, p, E4_ID_LEN);
		memcpy(k->pubkey, p + 16, E4_ED25519_PK_LEN);
		k->used = 1;
	}
	return 0;
}

int e4_client_save(const struct e4_client *c)
{
	size_t len = 0;
	int err;

	if (c == NULL || c->magic != E4__MAGIC)
		return E4_ERR_NOT_INITIALISED;
	if (c->cfg.store == NULL)
		return 0;
	err = e4_client_serialize(c, c->cfg.store_buf, c->cfg.store_buf_cap, &len);
	if (err == 0)
		err = c->cfg.store->save(c->cfg.store->ctx, c->cfg.store_buf, len);
	e4_wipe(c->cfg.store_buf, c->cfg.store_buf_cap);
	return err;
}

int e4_client_load(struct e4_client *c, const struct e4_client_config *cfg)
{
	size_t len = 0;
	int err;

	if (c == NULL || !e4__config_valid(cfg) || cfg->store == NULL)
		return E4_ERR_INVALID_ARG;
	err = cfg->store->load(cfg->store->ctx, cfg->store_buf, cfg->store_buf_cap, &len);
	if (err == 0)
		err = e4_client_deserialize(c, cfg, cfg->store_buf, len);
	e4_wipe(cfg->store_buf, cfg->store_buf_cap);
	return err;
}
