/*
 * client.c - the device client: init and teardown, the key caches, the
 * topic and public key tables, protect and unprotect.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "internal.h"
#include "crypto/crypto.h"

/* Slot kinds of struct e4_topic_slot. */
enum { SLOT_FREE = 0, SLOT_CURRENT = 1, SLOT_OLD = 2, SLOT_NEXT = 3 };

void e4_client_config_default(struct e4_client_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = E4_MODE_SYMKEY;
	cfg->max_age = E4_DEFAULT_MAX_AGE;
	cfg->max_skew = E4_DEFAULT_MAX_SKEW;
	cfg->transition = E4_DEFAULT_TRANSITION;
}

/* Checks a configuration for consistency. */
static int config_valid(const struct e4_client_config *cfg)
{
	if (cfg == NULL || (cfg->mode != E4_MODE_SYMKEY && cfg->mode != E4_MODE_PUBKEY))
		return 0;
	if (cfg->topics == NULL || cfg->topics_cap == 0)
		return 0;
	if (cfg->replay == NULL && cfg->replay_cap > 0)
		return 0;
	if (cfg->mode == E4_MODE_PUBKEY && cfg->pubkeys == NULL && cfg->pubkeys_cap > 0)
		return 0;
	if (cfg->store != NULL && (cfg->store_buf == NULL || cfg->store_buf_cap <
	    E4_STATE_BLOB_LEN(cfg->topics_cap, cfg->mode == E4_MODE_PUBKEY ? cfg->pubkeys_cap : 0)))
		return 0;
	return cfg->max_age > 0;
}

int e4__config_valid(const struct e4_client_config *cfg)
{
	return config_valid(cfg);
}

/* Sets up everything but the keys. */
void e4__client_setup(struct e4_client *c, const struct e4_client_config *cfg,
                         const uint8_t id[E4_ID_LEN])
{
	memset(c, 0, sizeof(*c));
	c->cfg = *cfg;
	if (cfg->mode != E4_MODE_PUBKEY) {
		c->cfg.pubkeys = NULL;
		c->cfg.pubkeys_cap = 0;
	}
	c->mode = cfg->mode;
	memcpy(c->id, id, E4_ID_LEN);
	e4_control_topic(c->control_topic, id);
	memset(cfg->topics, 0, cfg->topics_cap * sizeof(*cfg->topics));
	if (c->cfg.pubkeys != NULL)
		memset(c->cfg.pubkeys, 0, c->cfg.pubkeys_cap * sizeof(*c->cfg.pubkeys));
	e4_replay_init(&c->replay, cfg->replay, cfg->replay_cap);
	c->magic = E4__MAGIC;
}

int e4_client_init(struct e4_client *c, const struct e4_client_config *cfg,
                   const uint8_t id[E4_ID_LEN], const uint8_t *key, size_t key_len)
{
	if (c == NULL || id == NULL || key == NULL || !config_valid(cfg))
		return E4_ERR_INVALID_ARG;
	if (key_len != (cfg->mode == E4_MODE_PUBKEY ? E4_ED25519_SK_LEN : E4_KEY_LEN))
		return E4_ERR_INVALID_ARG;
	e4__client_setup(c, cfg, id);
	if (c->mode == E4_MODE_PUBKEY)
		memcpy(c->sign_sk, key, E4_ED25519_SK_LEN);
	else
		memcpy(c->key, key, E4_KEY_LEN);
	return 0;
}

void e4_client_wipe(struct e4_client *c)
{
	size_t i;

	if (c == NULL)
		return;
	if (c->magic == E4__MAGIC) {
		for (i = 0; i < E4_KEY_CACHE; i++)
			e4__keyed_free(&c->cache[i]);
		e4_wipe(c->cfg.topics, c->cfg.topics_cap * sizeof(*c->cfg.topics));
		if (c->cfg.replay != NULL)
			e4_wipe(c->cfg.replay, c->cfg.replay_cap * sizeof(*c->cfg.replay));
		if (c->cfg.pubkeys != NULL)
			e4_wipe(c->cfg.pubkeys, c->cfg.pubkeys_cap * sizeof(*c->cfg.pubkeys));
	}
	e4_wipe(c, sizeof(*c));
}

const uint8_t *e4_client_id(const struct e4_client *c)
{
	return c->id;
}

const char *e4_client_control_topic(const struct e4_client *c)
{
	return c->control_topic;
}

int e4__client_now(const struct e4_client *c, uint64_t *now, int *have_clock)
{
	uint64_t t = 0;

	if (c->cfg.clock != NULL && c->cfg.clock(c->cfg.clock_ctx, &t) == 0) {
		*now = t;
		*have_clock = 1;
		return 0;
	}
	*now = c->time_floor;
	*have_clock = 0;
	return 0;
}

/* Returns the cached keyed state for key, creating it (LRU) when missing. */
struct e4_keyed *e4__client_keyed(struct e4_client *c, const uint8_t key[E4_KEY_LEN])
{
	struct e4_keyed *victim = &c->cache[0];
	size_t i;

	c->cache_clock++;
	for (i = 0; i < E4_KEY_CACHE; i++) {
		struct e4_keyed *k = &c->cache[i];

		if (k->in_use && e4_memcmp_ct(k->key, key, E4_KEY_LEN) == 0) {
			k->age = c->cache_clock;
			return k;
		}
		if (!k->in_use)
			victim = k;
		else if (victim->in_use && k->age < victim->age)
			victim = k;
	}
	e4__keyed_free(victim);
	if (e4__keyed_init(victim, key) != 0)
		return NULL;
	victim->age = c->cache_clock;
	return victim;
}

void e4__client_forget_key(struct e4_client *c, const uint8_t key[E4_KEY_LEN])
{
	size_t i;

	for (i = 0; i < E4_KEY_CACHE; i++)
		if (c->cache[i].in_use && e4_memcmp_ct(c->cache[i].key, key, E4_KEY_LEN) == 0)
			e4__keyed_free(&c->cache[i]);
}

/* Topic hash of a NUL-terminated topic, through the small name memo. */
int e4__topic_hash_memo(struct e4_client *c, const char *topic, uint8_t hash[E4_HASH_LEN])
{
	struct e4_topic_memo *victim = &c->memo[0];
	size_t len, i;
	int err = e4__topic_len(topic, &len);

	if (err != 0)
		return err;
	c->cache_clock++;
	for (i = 0; i < E4_TOPIC_MEMO; i++) {
		struct e4_topic_memo *m = &c->memo[i];

		if (m->len == len && memcmp(m->name, topic, len) == 0) {
			memcpy(hash, m->hash, E4_HASH_LEN);
			m->age = c->cache_clock;
			return 0;
		}
		if (m->len == 0 || (victim->len != 0 && m->age < victim->age))
			victim = m;
	}
	err = e4_hash16(hash, topic, len);
	if (err == 0 && len <= E4_TOPIC_MEMO_NAME) {
		memcpy(victim->name, topic, len);
		memcpy(victim->hash, hash, E4_HASH_LEN);
		victim->len = (uint32_t)len;
		victim->age = c->cache_clock;
	}
	return err;
}

/* Frees one topic slot, wiping its key and dropping its keyed state. */
static void slot_free(struct e4_client *c, struct e4_topic_slot *s)
{
	e4__client_forget_key(c, s->key);
	e4_wipe(s, sizeof(*s));
}

struct e4_topic_slot *e4__topic_find(struct e4_client *c, const uint8_t hash[E4_HASH_LEN],
                                     uint32_t kind)
{
	size_t i;

	for (i = 0; i < c->cfg.topics_cap; i++) {
		struct e4_topic_slot *s = &c->cfg.topics[i];

		if (s->kind == kind && memcmp(s->hash, hash, E4_HASH_LEN) == 0)
			return s;
	}
	return NULL;
}

/* A free slot, evicting the old key that expires first when none is free. */
static struct e4_topic_slot *slot_alloc(struct e4_client *c)
{
	struct e4_topic_slot *old = NULL;
	size_t i;

	for (i = 0; i < c->cfg.topics_cap; i++) {
		struct e4_topic_slot *s = &c->cfg.topics[i];

		if (s->kind == SLOT_FREE)
			return s;
		if (s->kind == SLOT_OLD && (old == NULL || s->expiry < old->expiry))
			old = s;
	}
	if (old != NULL)
		slot_free(c, old);
	return old;
}

int e4__topic_set(struct e4_client *c, const uint8_t hash[E4_HASH_LEN],
                  const uint8_t key[E4_KEY_LEN], uint64_t now)
{
	struct e4_topic_slot *cur = e4__topic_find(c, hash, SLOT_CURRENT);
	struct e4_topic_slot *next = e4__topic_find(c, hash, SLOT_NEXT);
	struct e4_topic_slot *old, *slot;

	if (cur != NULL && e4_memcmp_ct(cur->key, key, E4_KEY_LEN) == 0)
		return 0;
	if (next != NULL && e4_memcmp_ct(next->key, key, E4_KEY_LEN) == 0)
		slot = next;
	else
		slot = slot_alloc(c);
	if (slot == NULL && cur == NULL)
		return E4_ERR_TABLE_FULL;
	if (slot == NULL) {
		/* No room for a transition: replace the current key in place. */
		slot_free(c, cur);
		slot = cur;
		cur = NULL;
	}
	if (cur != NULL) {
		old = e4__topic_find(c, hash, SLOT_OLD);
		if (old != NULL && old != slot)
			slot_free(c, old);
		cur->kind = SLOT_OLD;
		cur->expiry = now + c->cfg.transition;
	}
	memcpy(slot->hash, hash, E4_HASH_LEN);
	memcpy(slot->key, key, E4_KEY_LEN);
	slot->kind = SLOT_CURRENT;
	slot->expiry = 0;
	return 0;
}

int e4__topic_set_next(struct e4_client *c, const uint8_t hash[E4_HASH_LEN],
                       const uint8_t key[E4_KEY_LEN])
{
	struct e4_topic_slot *cur = e4__topic_find(c, hash, SLOT_CURRENT);
	struct e4_topic_slot *slot;

	if (cur != NULL && e4_memcmp_ct(cur->key, key, E4_KEY_LEN) == 0)
		return 0;
	slot = e4__topic_find(c, hash, SLOT_NEXT);
	if (slot != NULL)
		slot_free(c, slot);
	else
		slot = slot_alloc(c);
	if (slot == NULL)
		return E4_ERR_TABLE_FULL;
	memcpy(slot->hash, hash, E4_HASH_LEN);
	memcpy(slot->key, key, E4_KEY_LEN);
	slot->kind = SLOT_NEXT;
	slot->expiry = 0;
	return 0;
}

/*
 * ReplaceTopicKey: key becomes the topic's only key.  Every other key of
 * the topic (the one replaced, one still in its transition period, one
 * announced as next) is wiped at once, clock or no clock.
 */
int e4__topic_replace(struct e4_client *c, const uint8_t hash[E4_HASH_LEN],
                      const uint8_t key[E4_KEY_LEN])
{
	struct e4_topic_slot *slot;

	e4__topic_remove(c, hash);
	slot = slot_alloc(c);
	if (slot == NULL)
		return E4_ERR_TABLE_FULL;
	memcpy(slot->hash, hash, E4_HASH_LEN);
	memcpy(slot->key, key, E4_KEY_LEN);
	slot->kind = SLOT_CURRENT;
	slot->expiry = 0;
	return 0;
}

void e4__topic_remove(struct e4_client *c, const uint8_t hash[E4_HASH_LEN])
{
	size_t i;

	for (i = 0; i < c->cfg.topics_cap; i++) {
		struct e4_topic_slot *s = &c->cfg.topics[i];

		if (s->kind != SLOT_FREE && memcmp(s->hash, hash, E4_HASH_LEN) == 0)
			slot_free(c, s);
	}
}

void e4__topic_reset(struct e4_client *c)
{
	size_t i;

	for (i = 0; i < c->cfg.topics_cap; i++)
		if (c->cfg.topics[i].kind != SLOT_FREE)
			slot_free(c, &c->cfg.topics[i]);
}

/* Validates the handle of a public call. */
static int client_ok(const struct e4_client *c)
{
	return c != NULL && c->magic == E4__MAGIC;
}

int e4_client_set_topic_key(struct e4_client *c, const char *topic,
                            const uint8_t key[E4_KEY_LEN])
{
	uint8_t hash[E4_HASH_LEN];
	uint64_t now;
	int have_clock, err;

	if (!client_ok(c) || key == NULL)
		return client_ok(c) ? E4_ERR_INVALID_ARG : E4_ERR_NOT_INITIALISED;
	err = e4__topic_hash_memo(c, topic, hash);
	if (err != 0)
		return err;
	e4__client_now(c, &now, &have_clock);
	return e4__topic_set(c, hash, key, now);
}

int e4_client_remove_topic(struct e4_client *c, const char *topic)
{
	uint8_t hash[E4_HASH_LEN];
	int err;

	if (!client_ok(c))
		return E4_ERR_NOT_INITIALISED;
	err = e4__topic_hash_memo(c, topic, hash);
	if (err != 0)
		return err;
	if (e4__topic_find(c, hash, SLOT_CURRENT) == NULL &&
	    e4__topic_find(c, hash, SLOT_NEXT) == NULL)
		return E4_ERR_NOT_FOUND;
	e4__topic_remove(c, hash);
	return 0;
}

size_t e4_client_topic_count(const struct e4_client *c)
{
	size_t i, n = 0;

	if (!client_ok(c))
		return 0;
	for (i = 0; i < c->cfg.topics_cap; i++)
		n += c->cfg.topics[i].kind == SLOT_CURRENT;
	return n;
}

/* Replaces the command key, keeping the previous one until first use of the new. */
static void command_key_replace(struct e4_client *c, const uint8_t key[E4_KEY_LEN])
{
	if (e4_memcmp_ct(c->key, key, E4_KEY_LEN) == 0)
		return;
	if (c->has_prev_key)
		e4__client_forget_key(c, c->prev_key);
	memcpy(c->prev_key, c->key, E4_KEY_LEN);
	c->has_prev_key = 1;
	memcpy(c->key, key, E4_KEY_LEN);
}

/* RetireIDKey: the command key replaced by SetIDKey or SetC2Key opens nothing any more. */
void e4__client_retire_id_key(struct e4_client *c)
{
	if (!c->has_prev_key)
		return;
	e4__client_forget_key(c, c->prev_key);
	e4_wipe(c->prev_key, E4_KEY_LEN);
	c->has_prev_key = 0;
}

int e4__client_set_id_key(struct e4_client *c, const uint8_t *key, size_t len)
{
	uint8_t cmdkey[E4_KEY_LEN];
	int err = 0;

	if (c->mode == E4_MODE_SYMKEY) {
		if (len != E4_KEY_LEN)
			return E4_ERR_COMMAND_LENGTH;
		command_key_replace(c, key);
		return 0;
	}
	if (len != E4_ED25519_SK_LEN)
		return E4_ERR_COMMAND_LENGTH;
	if (c->has_c2_key) {
		err = e4_pk_command_key(cmdkey, key, c->c2_pub);
		if (err == 0)
			command_key_replace(c, cmdkey);
	}
	if (err == 0)
		memcpy(c->sign_sk, key, E4_ED25519_SK_LEN);
	e4_wipe(cmdkey, sizeof(cmdkey));
	return err;
}

int e4_client_set_c2_key(struct e4_client *c, const uint8_t pub[E4_CURVE_PK_LEN])
{
	uint8_t cmdkey[E4_KEY_LEN];
	int err;

	if (!client_ok(c))
		return E4_ERR_NOT_INITIALISED;
	if (pub == NULL)
		return E4_ERR_INVALID_ARG;
	if (c->mode != E4_MODE_PUBKEY)
		return E4_ERR_WRONG_MODE;
	err = e4_pk_command_key(cmdkey, c->sign_sk, pub);
	if (err == 0) {
		if (c->has_c2_key)
			command_key_replace(c, cmdkey);
		else
			memcpy(c->key, cmdkey, E4_KEY_LEN);
		memcpy(c->c2_pub, pub, E4_CURVE_PK_LEN);
		c->has_c2_key = 1;
	}
	e4_wipe(cmdkey, sizeof(cmdkey));
	return err;
}

const uint8_t *e4__pubkey_find(const struct e4_client *c, const uint8_t id[E4_ID_LEN])
{
	size_t i;

	if (memcmp(id, c->id, E4_ID_LEN) == 0)
		return c->sign_sk + E4_ED25519_SEED_LEN;
	for (i = 0; i < c->cfg.pubkeys_cap; i++) {
		const struct e4_pubkey_slot *p = &c->cfg.pubkeys[i];

		if (p->used && memcmp(p->id, id, E4_ID_LEN) == 0)
			return p->pubkey;
	}
	return NULL;
}

int e4_client_set_pubkey(struct e4_client *c, const uint8_t id[E4_ID_LEN],
                         const uint8_t pub[E4_ED25519_PK_LEN])
{
	struct e4_pubkey_slot *free_slot = NULL;
	size_t i;

	if (!client_ok(c))
		return E4_ERR_NOT_INITIALISED;
	if (id == NULL || pub == NULL)
		return E4_ERR_INVALID_ARG;
	if (c->mode != E4_MODE_PUBKEY)
		return E4_ERR_WRONG_MODE;
	for (i = 0; i < c->cfg.pubkeys_cap; i++) {
		struct e4_pubkey_slot *p = &c->cfg.pubkeys[i];

		if (p->used && memcmp(p->id, id, E4_ID_LEN) == 0) {
			memcpy(p->pubkey, pub, E4_ED25519_PK_LEN);
			return 0;
		}
		if (!p->used && free_slot == NULL)
			free_slot = p;
	}
	if (free_slot == NULL)
		return E4_ERR_TABLE_FULL;
	memcpy(free_slot->id, id, E4_ID_LEN);
	memcpy(free_slot->pubkey, pub, E4_ED25519_PK_LEN);
	free_slot->used = 1;
	return 0;
}

int e4__pubkey_remove(struct e4_client *c, const uint8_t id[E4_ID_LEN])
{
	size_t i;

	for (i = 0; i < c->cfg.pubkeys_cap; i++) {
		struct e4_pubkey_slot *p = &c->cfg.pubkeys[i];

		if (p->used && memcmp(p->id, id, E4_ID_LEN) == 0) {
			memset(p, 0, sizeof(*p));
			return 0;
		}
	}
	return E4_ERR_NOT_FOUND;
}

void e4__pubkeys_reset(struct e4_client *c)
{
	if (c->cfg.pubkeys != NULL)
		memset(c->cfg.pubkeys, 0, c->cfg.pubkeys_cap * sizeof(*c->cfg.pubkeys));
}

/* Output triple check: sets *out_len to the need on BUFSIZE. */
static int out_check(uint8_t *out, size_t out_cap, size_t *out_len, size_t need)
{
	if (out_cap < need) {
		*out_len = need;
		return E4_ERR_BUFSIZE;
	}
	return (out == NULL && need > 0) ? E4_ERR_INVALID_ARG : 0;
}

int e4_protect(struct e4_client *c, uint8_t *out, size_t out_cap, size_t *out_len,
               const char *topic, const uint8_t *msg, size_t msg_len)
{
	uint8_t hash[E4_HASH_LEN];
	struct e4_topic_slot *slot;
	struct e4_keyed *k;
	size_t over, need;
	uint64_t now;
	int have_clock, err;

	if (out_len == NULL)
		return E4_ERR_INVALID_ARG;
	*out_len = 0;
	if (!client_ok(c)) {
		err = E4_ERR_NOT_INITIALISED;
		goto fail;
	}
	over = c->mode == E4_MODE_PUBKEY ? E4_PK_OVERHEAD : E4_HEADER_LEN;
	if ((msg == NULL && msg_len > 0) || msg_len > SIZE_MAX - over) {
		err = E4_ERR_INVALID_ARG;
		goto fail;
	}
	need = msg_len + over;
	err = out_check(out, out_cap, out_len, need);
	if (err == E4_ERR_BUFSIZE)
		return err;
	if (err != 0)
		goto fail;
	err = e4__topic_hash_memo(c, topic, hash);
	if (err != 0)
		goto fail;
	slot = e4__topic_find(c, hash, SLOT_CURRENT);
	if (slot == NULL) {
		err = E4_ERR_NO_TOPIC_KEY;
		goto fail;
	}
	k = e4__client_keyed(c, slot->key);
	if (k == NULL) {
		err = E4_ERR_CRYPTO;
		goto fail;
	}
	e4__client_now(c, &now, &have_clock);
	if (c->mode == E4_MODE_SYMKEY) {
		err = e4__frame_seal_keyed(k, out, now, msg, msg_len);
	} else {
		e4_store_le64(out, now);
		memcpy(out + E4_TIMESTAMP_LEN, c->id, E4_ID_LEN);
		err = e4__siv_seal(k, out + 24, out + E4_PK_HEADER_LEN, out, E4_TIMESTAMP_LEN,
		                   msg, msg_len);
		if (err == 0)
			err = e4__ed25519_sign(out + need - E4_SIGNATURE_LEN, out,
			                       need - E4_SIGNATURE_LEN, c->sign_sk);
	}
	if (err != 0)
		goto fail;
	*out_len = need;
	return 0;
fail:
	if (out != NULL)
		e4_wipe(out, out_cap);
	*out_len = 0;
	return err;
}
