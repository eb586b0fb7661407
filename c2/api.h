/*
 * api.h - the Unix socket protocol between e4c2 and e4c2d: one JSON
 * object per line each way.  Request {"cmd":"device.add","args":{...}};
 * response {"ok":true,"result":...} or {"ok":false,"error":"..."}.
 */
#ifndef C2_API_H
#define C2_API_H

#include <poll.h>

#include "engine.h"

#define C2_API_LINE_MAX 65536
#define C2_API_CLIENTS  32

struct c2_api;

/* Creates, binds and listens on conf->socket (mode 0660, group socket_group). */
int c2_api_open(struct c2_api **out, struct c2_ctx *ctx, char *err, size_t cap);

/* Fills pollfds for the listener and clients; returns how many. */
int c2_api_pollfds(struct c2_api *api, struct pollfd *fds, int max);

/* Serves the descriptors that poll reported (the same array). */
void c2_api_serve(struct c2_api *api, const struct pollfd *fds, int n);

/* Closes every connection and removes the socket file. */
void c2_api_close(struct c2_api *api);

/*
 * Makes cJSON allocate through functions that wipe every block before
 * freeing it (nodes, strings and the print buffers, which cJSON then
 * grows by copying instead of realloc): requests and responses may hold
 * keys.  Call once, before any cJSON use.
 */
void c2_api_secure_alloc(void);

/*
 * Handles one request line from a peer with uid; returns the response
 * line (malloc'd, no newline; the caller frees and wipes it).
 */
char *c2_api_request(struct c2_ctx *ctx, const char *line, size_t len, long uid);

#endif
