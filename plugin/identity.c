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

/* Slot of the client cache for a client pointer. */
static struct e4plugin_clientinfo *cache_slot(struct e4plugin *p, const struct mosquitto *client)
{
	uintptr_t h = (uintptr_t)client;

	h ^= h >> 7;
	h ^= h >> 13;
	return &p->clients[h % E4PLUGIN_IDCACHE];
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

struct e4plugin_clientinfo *e4plugin_client_info(struct e4plugin *p, const struct mosquitto *client,
                                                 struct e4plugin_clientinfo *tmp)
{
	const char *cid = mosquitto_client_id(client);
	const char *user = mosquitto_client_username(client);
	struct e4plugin_clientinfo *e = cache_slot(p, client);

	/* Both names are compared: an address may come back as another client. */
	if (e->client == client && cid != NULL && e->has_user == (user != NULL) &&
	    strcmp(e->cid, cid) == 0 && (user == NULL || strcmp(e->user, user) == 0))
		return e;
	/* Unused while it is rewritten (a partly copied name must never validate). */
	e->client = NULL;
	if (cid != NULL && fits(e->cid, cid) && fits(e->user, user)) {
		e->client = client;
	} else {
		e = tmp;
		e->client = NULL;
		e->cid[0] = '\0';
		e->user[0] = '\0';
	}
	e->who = publisher_hash(p, cid, user);
	e->has_user = user != NULL;
	e->id_state = E4PLUGIN_IDS_UNKNOWN;
	/* An uncached entry holds no names to find the id from later. */
	if (e == tmp)
		e->id_state = e4plugin_id_from_name(p->conf.identity == E4PLUGIN_ID_USERNAME ? user : cid,
		                                    e->id) == 0 ? E4PLUGIN_IDS_YES : E4PLUGIN_IDS_NO;
	return e;
}

int e4plugin_info_id(struct e4plugin *p, struct e4plugin_clientinfo *c, uint8_t id[E4_ID_LEN])
{
	if (c->id_state == E4PLUGIN_IDS_UNKNOWN) {
		const char *name = p->conf.identity == E4PLUGIN_ID_USERNAME ? (c->has_user ? c->user : NULL)
		                                                            : c->cid;

		c->id_state = e4plugin_id_from_name(name, c->id) == 0 ? E4PLUGIN_IDS_YES : E4PLUGIN_IDS_NO;
	}
	if (c->id_state != E4PLUGIN_IDS_YES)
		return -1;
	memcpy(id, c->id, E4_ID_LEN);
	return 0;
}

int e4plugin_client_id(struct e4plugin *p, const struct mosquitto *client, uint8_t id[E4_ID_LEN])
{
	struct e4plugin_clientinfo tmp;

	if (client == NULL)
		return -1;
	return e4plugin_info_id(p, e4plugin_client_info(p, client, &tmp), id);
}

void e4plugin_identity_forget(struct e4plugin *p, const struct mosquitto *client)
{
	struct e4plugin_clientinfo *e = cache_slot(p, client);

	if (e->client == client)
		memset(e, 0, sizeof(*e));
}

uint64_t e4plugin_publisher(struct e4plugin *p, const struct mosquitto *client)
{
	struct e4plugin_clientinfo tmp;

	if (client == NULL)
		return publisher_hash(p, NULL, NULL);
	return e4plugin_client_info(p, client, &tmp)->who;
}

bool e4plugin_is_c2(const struct e4plugin *p, const struct mosquitto *client)
{
	const char *u;

	if (client == NULL)
		return false;
	u = mosquitto_client_username(client);
	return u != NULL && strcmp(u, p->conf.c2_username) == 0;
}
