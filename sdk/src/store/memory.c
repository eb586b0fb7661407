/*
 * memory.c - the in-memory store backend.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "e4/store.h"

/* Saves by copying the blob (all or nothing: the size is checked first). */
static int mem_save(void *ctx, const uint8_t *blob, size_t len)
{
	struct e4_store_memory *m = ctx;

	if (len > m->cap)
		return E4_ERR_STORE_IO;
	memcpy(m->buf, blob, len);
	m->len = len;
	return 0;
}

/* Loads the last saved blob. */
static int mem_load(void *ctx, uint8_t *buf, size_t cap, size_t *len)
{
	struct e4_store_memory *m = ctx;

	if (m->len == 0)
		return E4_ERR_NOT_FOUND;
	if (m->len > cap)
		return E4_ERR_STORE_FORMAT;
	memcpy(buf, m->buf, m->len);
	*len = m->len;
	return 0;
}

void e4_store_memory_init(struct e4_store *store, struct e4_store_memory *mem,
                          uint8_t *buf, size_t cap)
{
	mem->buf = buf;
	mem->cap = cap;
	mem->len = 0;
	store->save = mem_save;
	store->load = mem_load;
	store->ctx = mem;
}
