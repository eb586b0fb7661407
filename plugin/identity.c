/*
 * identity.c - the E4 id of a connected client, and who the C2 is.
 *
 * The id comes from the MQTT client id or username: 32 hex characters
 * (optionally followed by "-suffix", so one device may hold several
 * connections) are the id itself; any other string is an alias, hashed
 * to the id as the SDK does.  The broker's authentication must pin these
 * names to their owners.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "e4plugin.h"

/* 1 when the n first characters of s are hex digits. */
static int all_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return 0;
	}
	return 1;
}

int e4plugin_id_from_name(const char *name, uint8_t id[E4_ID_LEN])
{
	char hex[2 * E4_ID_LEN + 1];
	size_t len;

	if (name == NULL || *name == '\0')
		return -1;
	len = strlen(name);
	if (len >= 2 * E4_ID_LEN && all_hex(name, 2 * E4_ID_LEN) &&
	    (len == 2 * E4_ID_LEN || (name[2 * E4_ID_LEN] == '-' && len > 2 * E4_ID_LEN + 1))) {
		memcpy(hex, name, 2 * E4_ID_LEN);
		hex[2 * E4_ID_LEN] = '\0';
		return e4_hex_decode(id, E4_ID_LEN, hex) == 0 ? 0 : -1;
	}
	return e4_id_from_alias(id, name) == 0 ? 0 : -1;
}

/* Slot of the identity cache for a client pointer. */
static struct e4plugin_idcache *cache_slot(struct e4plugin *p, const struct mosquitto *client)
{
	uintptr_t h = (uintptr_t)client;

	h ^= h >> 7;
	h ^= h >> 13;
	return &p->idcache[h % E4PLUGIN_IDCACHE];
}

int e4plugin_client_id(struct e4plugin *p, const struct mosquitto *client, uint8_t id[E4_ID_LEN])
{
	const char *name;
	struct e4plugin_idcache *e;
	size_t len;

	if (client == NULL)
		return -1;
	name = p->conf.identity == E4PLUGIN_ID_USERNAME ? mosquitto_client_username(client)
	                                                : mosquitto_client_id(client);
	if (name == NULL || *name == '\0')
		return -1;
	e = cache_slot(p, client);
	/* The name is compared too: a freed client's address may be reused. */
	if (e->client == client && strcmp(e->name, name) == 0) {
		memcpy(id, e->id, E4_ID_LEN);
		return 0;
	}
	len = strlen(name);
	if (e4plugin_id_from_name(name, id) != 0)
		return -1;
	if (len < E4PLUGIN_IDCACHE_NAME) {
		e->client = client;
		memcpy(e->id, id, E4_ID_LEN);
		memcpy(e->name, name, len + 1);
	}
	return 0;
}

void e4plugin_identity_forget(struct e4plugin *p, const struct mosquitto *client)
{
	struct e4plugin_idcache *e = cache_slot(p, client);

	if (e->client == client)
		memset(e, 0, sizeof(*e));
}

bool e4plugin_is_c2(const struct e4plugin *p, const struct mosquitto *client)
{
	const char *u;

	if (client == NULL)
		return false;
	u = mosquitto_client_username(client);
	return u != NULL && strcmp(u, p->conf.c2_username) == 0;
}

/* SipHash of both names with their lengths (and a mark for "no username"). */
static uint64_t publisher_hash(const struct e4plugin *p, const char *id, const char *user)
{
	static const uint8_t sep[2] = { 0, 1 };
	struct e4plugin_sip s;

	e4plugin_sip_init(&s, &p->replay.who_key);
	if (id != NULL)
		e4plugin_sip_update(&s, id, strlen(id));
	e4plugin_sip_update(&s, sep, user != NULL ? 1 : 2);
	if (user != NULL)
		e4plugin_sip_update(&s, user, strlen(user));
	return e4plugin_sip_final(&s);
}

/* Copies a name into a cache field; false when it does not fit. */
static bool fits(char *dst, const char *name)
{
	size_t n = name != NULL ? strlen(name) : 0;

	if (n >= E4PLUGIN_IDCACHE_NAME)
		return false;
	memcpy(dst, name != NULL ? name : "", n + 1);
	return true;
}

uint64_t e4plugin_publisher(struct e4plugin *p, const struct mosquitto *client)
{
	const char *id = client != NULL ? mosquitto_client_id(client) : NULL;
	const char *user = client != NULL ? mosquitto_client_username(client) : NULL;
	uintptr_t h = (uintptr_t)client;
	struct e4plugin_whocache *e;

	h ^= h >> 7;
	h ^= h >> 13;
	e = &p->whocache[h % E4PLUGIN_WHOCACHE];
	/* The names are compared: an address may come back as another client. */
	if (e->client == client && client != NULL && e->has_user == (user != NULL) &&
	    strcmp(e->id, id != NULL ? id : "") == 0 && (user == NULL || strcmp(e->user, user) == 0))
		return e->who;
	e->client = NULL;
	e->who = publisher_hash(p, id, user);
	if (id != NULL && fits(e->id, id) && fits(e->user, user)) {
		e->client = client;
		e->has_user = user != NULL;
	}
	return e->who;
}
