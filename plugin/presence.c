/*
 * presence.c - online/offline events for the C2 on $CONTROL/e4/v1/events.
 *
 * mosquitto 2.0.11 has no CONNECT event: a device is online once one of
 * its connections subscribes to its control topic, offline when the last
 * of those connections disconnects.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e4plugin.h"

#define PRESENCE_MIN_CAP 64

/* Home slot of a client pointer. */
static size_t home(const struct e4plugin_presence *pr, const struct mosquitto *client)
{
	uint64_t h = (uint64_t)(uintptr_t)client * 0x9e3779b97f4a7c15ULL;

	return (size_t)((h >> 20) & (pr->cap - 1));
}

int e4plugin_presence_init(struct e4plugin_presence *pr)
{
	pr->cap = PRESENCE_MIN_CAP;
	pr->len = 0;
	pr->slots = calloc(pr->cap, sizeof(*pr->slots));
	return pr->slots != NULL ? 0 : -1;
}

void e4plugin_presence_free(struct e4plugin_presence *pr)
{
	free(pr->slots);
	memset(pr, 0, sizeof(*pr));
}

/* Slot of client, or NULL. */
static struct e4plugin_conn *find(struct e4plugin_presence *pr, const struct mosquitto *client)
{
	size_t i;

	for (i = home(pr, client); pr->slots[i].used; i = (i + 1) & (pr->cap - 1))
		if (pr->slots[i].client == client)
			return &pr->slots[i];
	return NULL;
}

/* Inserts a connection (the caller checked it is absent); -1 when out of memory. */
static int insert(struct e4plugin_presence *pr, const struct mosquitto *client,
                  const uint8_t id[E4_ID_LEN])
{
	size_t i;

	if ((pr->len + 1) * 10 > pr->cap * 7) {
		struct e4plugin_presence n = { NULL, pr->cap * 2, 0 };

		n.slots = calloc(n.cap, sizeof(*n.slots));
		if (n.slots == NULL)
			return -1;
		for (i = 0; i < pr->cap; i++)
			if (pr->slots[i].used)
				insert(&n, pr->slots[i].client, pr->slots[i].id);
		free(pr->slots);
		*pr = n;
	}
	for (i = home(pr, client); pr->slots[i].used; i = (i + 1) & (pr->cap - 1))
		;
	pr->slots[i].client = client;
	memcpy(pr->slots[i].id, id, E4_ID_LEN);
	pr->slots[i].used = 1;
	pr->len++;
	return 0;
}

/* Removes a slot by backward shift. */
static void remove_slot(struct e4plugin_presence *pr, struct e4plugin_conn *e)
{
	size_t i = (size_t)(e - pr->slots), j;

	memset(e, 0, sizeof(*e));
	pr->len--;
	for (j = (i + 1) & (pr->cap - 1); pr->slots[j].used; j = (j + 1) & (pr->cap - 1)) {
		size_t h = home(pr, pr->slots[j].client);

		if ((j > i && (h <= i || h > j)) || (j < i && h <= i && h > j)) {
			pr->slots[i] = pr->slots[j];
			memset(&pr->slots[j], 0, sizeof(pr->slots[j]));
			i = j;
		}
	}
}

/* Publishes one presence event to the C2. */
static void publish_event(struct e4plugin *p, const char *event, const uint8_t id[E4_ID_LEN])
{
	char hex[2 * E4_ID_LEN + 1], buf[128];
	int n;

	e4_hex_encode(hex, id, E4_ID_LEN);
	n = snprintf(buf, sizeof(buf), "{\"event\":\"%s\",\"id\":\"%s\",\"time\":%lld}", event, hex,
	             (long long)p->now());
	if (n > 0 && (size_t)n < sizeof(buf) &&
	    mosquitto_broker_publish_copy(NULL, E4PLUGIN_EVENTS_TOPIC, n, buf, 1, false, NULL) !=
	        MOSQ_ERR_SUCCESS)
		mosquitto_log_printf(MOSQ_LOG_WARNING, "e4: could not publish %s event", event);
}

void e4plugin_presence_online(struct e4plugin *p, const struct mosquitto *client,
                              const uint8_t id[E4_ID_LEN])
{
	struct e4plugin_device *d;

	if (find(&p->presence, client) != NULL)
		return;
	d = e4plugin_device_get(&p->devices, id);
	if (d == NULL || insert(&p->presence, client, id) != 0) {
		mosquitto_log_printf(MOSQ_LOG_ERR, "e4: out of memory tracking presence");
		return;
	}
	if (d->online++ == 0)
		publish_event(p, "online", id);
}

void e4plugin_presence_offline(struct e4plugin *p, const struct mosquitto *client)
{
	struct e4plugin_conn *c = find(&p->presence, client);
	struct e4plugin_device *d;
	uint8_t id[E4_ID_LEN];

	if (c == NULL)
		return;
	memcpy(id, c->id, E4_ID_LEN);
	remove_slot(&p->presence, c);
	d = e4plugin_device_find(&p->devices, id);
	if (d == NULL || d->online == 0)
		return;
	if (--d->online == 0) {
		publish_event(p, "offline", id);
		e4plugin_device_gc(&p->devices, id);
	}
}
