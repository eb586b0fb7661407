/*
 * main.c - e4c2d: the C2 daemon.  Runs in the foreground around one poll
 * loop (MQTT socket, control socket, timers); every state change is an
 * SQLite transaction, so kill -9 at any moment loses nothing.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <sodium.h>

#include "api.h"
#include "mqtt.h"

#define DEFAULT_CONF "/etc/e4c2/e4c2d.conf"
#define POLL_MAX (C2_API_CLIENTS + 2)

static volatile sig_atomic_t stop_flag, reload_flag;

/* Signal handler: records SIGTERM/SIGINT and SIGHUP. */
static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_flag = 1;
	else
		stop_flag = 1;
}

/* Prints the usage. */
static void usage(FILE *f)
{
	fprintf(f, "usage: e4c2d [-c FILE] [-t] [-h] [-V]\n"
	           "  -c, --config FILE  configuration file (default " DEFAULT_CONF ")\n"
	           "  -t, --test         test the configuration, print the effective values, exit\n"
	           "  -h, --help         this help\n"
	           "  -V, --version      print the version and exit\n");
}

/* Installs the signal handlers. */
static void signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* Opens the master key and the database; checks the mode matches. */
static int open_state(struct c2_ctx *ctx, char *err, size_t cap)
{
	uint8_t mk[C2_MASTER_KEY_LEN];
	char mode[16];
	int rc;

	if (c2_secret_load(ctx->conf.master_key_file, mk, err, cap) != 0)
		return -1;
	rc = c2_db_open(&ctx->db, ctx->conf.database, mk, 0, err, cap);
	sodium_memzero(mk, sizeof(mk));
	if (rc != 0)
		return -1;
	if (c2_db_meta_get(ctx->db, "mode", mode, sizeof(mode)) != 0) {
		snprintf(err, cap, "database not initialised (run e4c2 init)");
		return -1;
	}
	if (strcmp(mode, ctx->conf.mode == E4_MODE_PUBKEY ? "pubkey" : "symkey") != 0) {
		snprintf(err, cap, "database is in %s mode but the configuration says otherwise", mode);
		return -1;
	}
	return 0;
}

/*
 * Takes the instance lock "<database>.lock" (created 0600, kept after
 * exit: removing a lock file races with the next daemon taking it), so
 * that a second daemon on the same database refuses to start before it
 * touches the database, the broker session or the socket.  The lock is
 * released by the kernel when the daemon exits, even on kill -9.
 * Returns the descriptor to keep open, or -1 with err set.
 */
static int lock_instance(const char *database, char *err, size_t cap)
{
	char path[C2_PATH_MAX + 8], pid[32];
	int fd, n;

	if (snprintf(path, sizeof(path), "%s.lock", database) >= (int)sizeof(path)) {
		snprintf(err, cap, "database path too long");
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, cap, "%.160s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;

		n = (int)read(fd, pid, sizeof(pid) - 1);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		if (e == EWOULDBLOCK)
			snprintf(err, cap, "another e4c2d (pid %s) is running on %.160s; not started",
			         pid[0] != '\0' ? pid : "unknown", database);
		else
			snprintf(err, cap, "%.160s: %s", path, strerror(e));
		close(fd);
		return -1;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (fchmod(fd, 0600) != 0 || ftruncate(fd, 0) != 0 || write(fd, pid, (size_t)n) != n) {
		snprintf(err, cap, "%.160s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Refuses a control socket that a live process answers on (a daemon of
 * another database configured with the same socket): binding would
 * unlink it.  A stale socket file (nobody listening) is replaced.
 */
static int socket_free(const char *path, char *err, size_t cap)
{
	struct sockaddr_un sa;
	int fd, live;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		return 0;   /* c2_api_open reports it */
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	live = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno == EAGAIN;
	close(fd);
	if (live) {
		snprintf(err, cap, "socket %.160s is in use by another process; not started", path);
		return -1;
	}
	return 0;
}

/* Rereads the configuration; options that need a restart keep their value. */
static void reload(struct c2_ctx *ctx, const char *path)
{
	struct c2_conf next;
	char err[C2_ERR_MAX];

	c2_conf_defaults(&next);
	if (c2_conf_load(&next, path, err, sizeof(err)) != 0) {
		c2_log(C2_LOG_ERROR, "reload", "configuration not reloaded: %s", err);
		return;
	}
	/* Identity, storage and transport settings only change with a restart. */
	next.mode = ctx->conf.mode;
	memcpy(next.database, ctx->conf.database, sizeof(next.database));
	memcpy(next.master_key_file, ctx->conf.master_key_file, sizeof(next.master_key_file));
	memcpy(next.socket, ctx->conf.socket, sizeof(next.socket));
	ctx->conf = next;
	c2_log_set_level(next.log_level);
	c2_log(C2_LOG_INFO, "reload", "configuration reloaded");
}

/* Polls the sockets and runs the timers until a stop signal. */
static void run(struct c2_ctx *ctx, struct c2_mqtt *mq, struct c2_api *api, const char *path)
{
	struct pollfd fds[POLL_MAX];
	int n, mfd, ww, busy = 0;

	while (!stop_flag) {
		if (reload_flag) {
			reload_flag = 0;
			reload(ctx, path);
		}
		n = c2_api_pollfds(api, fds, POLL_MAX - 1);
		mfd = c2_mqtt_fd(mq, &ww);
		fds[n].fd = mfd;
		fds[n].events = (short)(POLLIN | (ww ? POLLOUT : 0));
		fds[n].revents = 0;
		if (poll(fds, (nfds_t)n + 1, busy ? 0 : c2_outbox_wait_ms(ctx, c2_now_ms(), 50)) < 0 &&
		    errno != EINTR)
			break;
		c2_mqtt_io(mq, mfd >= 0 && (fds[n].revents & (POLLIN | POLLHUP | POLLERR)),
		           mfd >= 0 && (fds[n].revents & POLLOUT));
		c2_api_serve(api, fds, n);
		/* Records the acks just read and sends what they made due. */
		busy = c2_outbox_tick(ctx, c2_now_ms()) >= C2_TICK_MAX;
		c2_auto_tick(ctx, c2_now_ms());
		busy |= ctx->kick;
		ctx->kick = 0;
	}
}

/* Parses the command line into the config path and the -t flag. */
static int parse_args(int argc, char **argv, const char **path, int *test)
{
	static const struct option longs[] = {
		{ "config", required_argument, NULL, 'c' }, { "test", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "c:thV", longs, NULL)) != -1) {
		switch (opt) {
		case 'c': *path = optarg; break;
		case 't': *test = 1; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("e4c2d %s\n", PACKAGE_VERSION); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "e4c2d: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct c2_ctx ctx;
	struct c2_mqtt *mq = NULL;
	struct c2_api *api = NULL;
	const char *path = DEFAULT_CONF;
	struct rlimit nocore = { 0, 0 };
	char err[C2_ERR_MAX];
	int test = 0, lockfd;

	if (parse_args(argc, argv, &path, &test) != 0)
		return 2;
	/* No core file, no ptrace by other processes of the user: it holds keys. */
	setrlimit(RLIMIT_CORE, &nocore);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	umask(077);
	c2_api_secure_alloc();
	c2_conf_defaults(&ctx.conf);
	if (c2_conf_load(&ctx.conf, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "e4c2d: %s\n", err);
		return 1;
	}
	if (test) {
		c2_conf_dump(&ctx.conf, stdout);
		return 0;
	}
	if (sodium_init() < 0)
		return 1;
	c2_log_set_level(ctx.conf.log_level);
	lockfd = lock_instance(ctx.conf.database, err, sizeof(err));
	if (lockfd < 0) {
		c2_log(C2_LOG_ERROR, "startup", "%s", err);
		return 1;
	}
	signals();
	if (socket_free(ctx.conf.socket, err, sizeof(err)) != 0 ||
	    open_state(&ctx, err, sizeof(err)) != 0 || c2_api_open(&api, &ctx, err, sizeof(err)) != 0 ||
	    c2_mqtt_start(&mq, &ctx, err, sizeof(err)) != 0) {
		c2_log(C2_LOG_ERROR, "startup", "%s", err);
		c2_api_close(api);
		c2_db_close(ctx.db);
		close(lockfd);
		return 1;
	}
	c2_log(C2_LOG_INFO, "startup", "e4c2d %s running", PACKAGE_VERSION);
	run(&ctx, mq, api, path);
	c2_log(C2_LOG_INFO, "shutdown", "stopping");
	c2_outbox_ack_flush(&ctx);
	c2_mqtt_stop(mq);
	c2_api_close(api);
	c2_db_close(ctx.db);
	close(lockfd);
	return 0;
}
