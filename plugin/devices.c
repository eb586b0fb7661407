/*
 * devices.c - devices the plugin knows: a public key set by the C2 and/or
 * connections subscribed to their control topic.  Open addressing on a
 * keyed hash of the id (e4plugin_mix16): ids are names clients choose (32
 * hex digits are taken as the id itself), so their own bits must not pick
 * the slot, or ids sharing them would turn every lookup into a scan.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>

#include "e4plugin.h"

#define DEVICES_MIN_CAP 64

/* Home slot of an id. */
static size_t home(const struct e4plugin_devices *d, const uint8_t id[E4_ID_LEN])
{
	return (size_t)(e4plugin_mix16(&d->key, id) & (d->cap - 1));
}

int e4plugin_devices_init(struct e4plugin_devices *d)
{
	d->cap = DEVICES_MIN_CAP;
	d->len = 0;
	d->probes = 0;
	if (e4plugin_hashkey_random(&d->key) != 0)
		return -1;
	d->slots = calloc(d->cap, sizeof(*d->slots));
	return d->slots != NULL ? 0 : -1;
}

void e4plugin_devices_free(struct e4plugin_devices *d)
{
	free(d->slots);
	memset(d, 0, sizeof(*d));
}

struct e4plugin_device *e4plugin_device_find(struct e4plugin_devices *d, const uint8_t id[E4_ID_LEN])
{
	size_t i;

	if (d->slots == NULL)
		return NULL;
	for (i = home(d, id); d->slots[i].used; i = (i + 1) & (d->cap - 1)) {
		d->probes++;
		if (memcmp(d->slots[i].id, id, E4_ID_LEN) == 0)
			return &d->slots[i];
	}
	return NULL;
}

/* Doubles the table. */
static int grow(struct e4plugin_devices *d)
{
	struct e4plugin_devices n;
	size_t i;

	n.cap = d->cap * 2;
	n.len = 0;
	n.key = d->key;
	n.probes = d->probes;
	n.slots = calloc(n.cap, sizeof(*n.slots));
	if (n.slots == NULL)
		return -1;
	for (i = 0; i < d->cap; i++) {
		size_t j;

		if (!d->slots[i].used)
			continue;
		for (j = home(&n, d->slots[i].id); n.slots[j].used; j = (j + 1) & (n.cap - 1))
			;
		n.slots[j] = d->slots[i];
		n.len++;
	}
	free(d->slots);
	*d = n;
	return 0;
}

struct e4plugin_device *e4plugin_device_get(struct e4plugin_devices *d, const uint8_t id[E4_ID_LEN])
{
	struct e4plugin_device *e = e4plugin_device_find(d, id);
	size_t i;

	if (e != NULL)
		return e;
	if (d->slots == NULL || ((d->len + 1) * 10 > d->cap * 7 && grow(d) != 0))
		return NULL;
	for (i = home(d, id); d->slots[i].used; i = (i + 1) & (d->cap - 1))
		;
	memset(&d->slots[i], 0, sizeof(d->slots[i]));
	memcpy(d->slots[i].id, id, E4_ID_LEN);
	d->slots[i].used = 1;
	d->len++;
	return &d->slots[i];
}

void e4plugin_device_gc(struct e4plugin_devices *d, const uint8_t id[E4_ID_LEN])
{
	struct e4plugin_device *e = e4plugin_device_find(d, id);
	size_t i, j;

	if (e == NULL || e->has_pubkey || e->online > 0)
		return;
	/* Backward-shift deletion keeps every probe chain unbroken. */
	i = (size_t)(e - d->slots);
	memset(e, 0, sizeof(*e));
	d->len--;
	for (j = (i + 1) & (d->cap - 1); d->slots[j].used; j = (j + 1) & (d->cap - 1)) {
		size_t h = home(d, d->slots[j].id);

		/* Move j back to i when its home is not cyclically in (i, j]. */
		if ((j > i && (h <= i || h > j)) || (j < i && h <= i && h > j)) {
			d->slots[i] = d->slots[j];
			memset(&d->slots[j], 0, sizeof(d->slots[j]));
			i = j;
		}
	}
}

/* Orders devices by id. */
static int by_id(const void *a, const void *b)
{
	const struct e4plugin_device *const *x = a, *const *y = b;

	return memcmp((*x)->id, (*y)->id, E4_ID_LEN);
}

struct e4plugin_device **e4plugin_devices_sorted(struct e4plugin_devices *d, size_t *n)
{
	struct e4plugin_device **v = malloc((d->len + 1) * sizeof(*v));
	size_t i, k = 0;

	if (v == NULL)
		return NULL;
	for (i = 0; i < d->cap; i++)
		if (d->slots[i].used)
			v[k++] = &d->slots[i];
	qsort(v, k, sizeof(*v), by_id);
	*n = k;
	return v;
}
