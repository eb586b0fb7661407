/*
 * apisock.c - the Unix socket server of the control interface: nonblocking
 * connections, line framing, peer credentials (uid recorded in the audit).
 */
#define _GNU_SOURCE
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "api.h"

/* One connection. */
struct client {
	int fd;
	long uid;
	char *in;
	size_t in_len;
	char *out;
	size_t out_len, out_off;
};

struct c2_api {
	struct c2_ctx *ctx;
	int lfd;
	struct client c[C2_API_CLIENTS];
};

/* Closes a connection and wipes its buffers (responses may hold keys). */
static void drop(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	if (c->in != NULL)
		e4_wipe(c->in, C2_API_LINE_MAX);
	if (c->out != NULL)
		e4_wipe(c->out, c->out_len);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* Binds the listening socket with the configured group and mode 0660. */
static int listen_on(struct c2_api *api, const struct c2_conf *conf, char *err, size_t cap)
{
	struct sockaddr_un sa;
	struct group *g = NULL;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(conf->socket) >= sizeof(sa.sun_path)) {
		snprintf(err, cap, "socket path too long");
		return -1;
	}
	strcpy(sa.sun_path, conf->socket);
	if (conf->socket_group[0] != '\0' && (g = getgrnam(conf->socket_group)) == NULL) {
		snprintf(err, cap, "socket_group %s: no such group", conf->socket_group);
		return -1;
	}
	api->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	unlink(conf->socket);
	if (api->lfd < 0 || bind(api->lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    chmod(conf->socket, 0660) != 0 || (g != NULL && chown(conf->socket, (uid_t)-1, g->gr_gid) != 0) ||
	    listen(api->lfd, 16) != 0) {
		snprintf(err, cap, "%s: %s", conf->socket, strerror(errno));
		return -1;
	}
	return 0;
}

int c2_api_open(struct c2_api **out, struct c2_ctx *ctx, char *err, size_t cap)
{
	struct c2_api *api = calloc(1, sizeof(*api));
	size_t i;

	*out = NULL;
	if (api == NULL)
		return -1;
	api->ctx = ctx;
	api->lfd = -1;
	for (i = 0; i < C2_API_CLIENTS; i++)
		api->c[i].fd = -1;
	if (listen_on(api, &ctx->conf, err, cap) != 0) {
		c2_api_close(api);
		return -1;
	}
	*out = api;
	return 0;
}

int c2_api_pollfds(struct c2_api *api, struct pollfd *fds, int max)
{
	int n = 0;
	size_t i;

	fds[n].fd = api->lfd;
	fds[n++].events = POLLIN;
	for (i = 0; i < C2_API_CLIENTS && n < max; i++) {
		if (api->c[i].fd < 0)
			continue;
		fds[n].fd = api->c[i].fd;
		fds[n++].events = api->c[i].out_len > api->c[i].out_off ? POLLOUT : POLLIN;
	}
	return n;
}

/* Accepts a connection and records the peer's uid. */
static void accept_one(struct c2_api *api)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	size_t i;
	int fd = accept4(api->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (i = 0; i < C2_API_CLIENTS && api->c[i].fd >= 0; i++)
		;
	if (i == C2_API_CLIENTS || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
	    (api->c[i].in = malloc(C2_API_LINE_MAX)) == NULL) {
		c2_log(C2_LOG_WARN, "api", "connection refused (too many clients)");
		close(fd);
		return;
	}
	api->c[i].fd = fd;
	api->c[i].uid = (long)cred.uid;
}

/* Runs the complete request line in c->in and queues the response. */
static void run_line(struct c2_api *api, struct client *c, size_t len)
{
	char *resp = c2_api_request(api->ctx, c->in, len, c->uid);
	size_t n = resp != NULL ? strlen(resp) : 0;

	/* Copied, not realloc'd: a moved block would leave the response (keys) behind. */
	c->out = resp != NULL ? malloc(n + 1) : NULL;
	if (c->out != NULL)
		memcpy(c->out, resp, n);
	if (resp != NULL)
		e4_wipe(resp, n);
	free(resp);
	if (c->out == NULL) {
		drop(c);
		return;
	}
	c->out[n] = '\n';
	c->out_len = n + 1;
	c->out_off = 0;
	memmove(c->in, c->in + len + 1, c->in_len - len - 1);
	c->in_len -= len + 1;
}

/* Reads from a client; runs a request once a full line arrived. */
static void read_client(struct c2_api *api, struct client *c)
{
	char *nl;
	ssize_t n = read(c->fd, c->in + c->in_len, C2_API_LINE_MAX - c->in_len);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		drop(c);
		return;
	}
	if (n > 0)
		c->in_len += (size_t)n;
	nl = memchr(c->in, '\n', c->in_len);
	if (nl != NULL) {
		run_line(api, c, (size_t)(nl - c->in));
	} else if (c->in_len == C2_API_LINE_MAX) {
		static const char msg[] = "{\"ok\":false,\"error\":\"request line too long\"}\n";

		(void)!write(c->fd, msg, sizeof(msg) - 1);
		drop(c);
	}
}

/* Writes a pending response; frees it when complete. */
static void write_client(struct client *c)
{
	ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);

	if (n < 0 && errno != EAGAIN && errno != EINTR) {
		drop(c);
		return;
	}
	if (n > 0)
		c->out_off += (size_t)n;
	if (c->out_off == c->out_len) {
		e4_wipe(c->out, c->out_len);
		free(c->out);
		c->out = NULL;
		c->out_len = c->out_off = 0;
	}
}

void c2_api_serve(struct c2_api *api, const struct pollfd *fds, int n)
{
	int i;
	size_t j;

	for (i = 0; i < n; i++) {
		if (fds[i].revents == 0)
			continue;
		if (fds[i].fd == api->lfd) {
			accept_one(api);
			continue;
		}
		for (j = 0; j < C2_API_CLIENTS; j++) {
			struct client *c = &api->c[j];

			if (c->fd != fds[i].fd)
				continue;
			if (fds[i].revents & (POLLERR | POLLNVAL))
				drop(c);
			else if (c->out != NULL)
				write_client(c);
			else
				read_client(api, c);
			break;
		}
	}
}

void c2_api_close(struct c2_api *api)
{
	size_t i;

	if (api == NULL)
		return;
	for (i = 0; i < C2_API_CLIENTS; i++)
		if (api->c[i].fd >= 0)
			drop(&api->c[i]);
	if (api->lfd >= 0) {
		close(api->lfd);
		unlink(api->ctx->conf.socket);
	}
	free(api);
}
