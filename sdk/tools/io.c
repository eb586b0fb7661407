/*
 * io.c - input, output and key material for the e4 command: whole-stream
 * reads, hex encoding, 0600 key files and new output files.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

/* Reads fd to its end into a malloc'd buffer (at most TOOL_INPUT_MAX bytes). */
static int read_fd(const char *prog, const char *what, int fd, uint8_t **buf, size_t *len)
{
	size_t cap = 4096, n = 0;
	uint8_t *b = malloc(cap), *nb;
	ssize_t r;

	if (b == NULL)
		goto nomem;
	for (;;) {
		if (n == cap) {
			if (cap >= TOOL_INPUT_MAX) {
				tool_err(prog, "%s larger than %u bytes", what, TOOL_INPUT_MAX);
				free(b);
				return TOOL_FAIL;
			}
			nb = realloc(b, cap * 2);
			if (nb == NULL)
				goto nomem;
			b = nb;
			cap *= 2;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			tool_err(prog, "reading %s: %s", what, strerror(errno));
			free(b);
			return TOOL_FAIL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*buf = b;
	*len = n;
	return TOOL_OK;
nomem:
	free(b);
	tool_err(prog, "out of memory reading %s", what);
	return TOOL_FAIL;
}

int tool_read_input(const char *prog, int hex, uint8_t **buf, size_t *len)
{
	int rc = read_fd(prog, "standard input", 0, buf, len);

	if (rc == TOOL_OK && hex && (rc = tool_unhex(prog, "input", *buf, len)) != TOOL_OK) {
		free(*buf);
		*buf = NULL;
	}
	return rc;
}

int tool_read_file(const char *prog, const char *path, int hex, uint8_t **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0) {
		tool_err(prog, "cannot open %s: %s", path, strerror(errno));
		return TOOL_FAIL;
	}
	rc = read_fd(prog, path, fd, buf, len);
	close(fd);
	if (rc == TOOL_OK && hex && (rc = tool_unhex(prog, path, *buf, len)) != TOOL_OK) {
		free(*buf);
		*buf = NULL;
	}
	return rc;
}

/* Reads a key file: a regular file, 0600 or stricter, hex text or raw bytes. */
static int read_key_file(const char *prog, const char *path, uint8_t *out, size_t len)
{
	uint8_t raw[512];
	struct stat st;
	ssize_t r;
	size_t n;
	int fd, rc = TOOL_FAIL;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		tool_err(prog, "cannot open key file %s: %s", path, strerror(errno));
		return TOOL_FAIL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		tool_err(prog, "key file %s is not a regular file", path);
	} else if ((st.st_mode & 077) != 0) {
		tool_err(prog, "key file %s is accessible by group or others (mode %03o): chmod 600 it",
		         path, (unsigned)(st.st_mode & 0777));
	} else if ((r = read(fd, raw, sizeof(raw))) < 0) {
		tool_err(prog, "reading key file %s: %s", path, strerror(errno));
	} else {
		n = (size_t)r;
		if (n == len) {
			memcpy(out, raw, len);
			rc = TOOL_OK;
		} else if (tool_unhex(prog, "key file", raw, &n) == TOOL_OK) {
			if (n == len) {
				memcpy(out, raw, len);
				rc = TOOL_OK;
			} else {
				tool_err(prog, "key file %s: expected %zu bytes (%zu hex characters), got %zu",
				         path, len, 2 * len, n);
			}
		}
	}
	e4_wipe(raw, sizeof(raw));
	close(fd);
	return rc;
}

int tool_secret(const char *prog, const struct tool_args *a, size_t opt, size_t file_opt,
                uint8_t *out, size_t len)
{
	const char *hex = tool_get(a, opt);
	const char *file = tool_get(a, file_opt);
	char name[64];

	if (hex != NULL && file != NULL) {
		tool_err(prog, "give --%s or --%s, not both", a->opts[opt].name,
		         a->opts[file_opt].name);
		return TOOL_USAGE;
	}
	if (hex == NULL && file == NULL) {
		tool_err(prog, "missing --%s (or --%s)", a->opts[opt].name, a->opts[file_opt].name);
		return TOOL_USAGE;
	}
	if (file != NULL)
		return read_key_file(prog, file, out, len);
	snprintf(name, sizeof(name), "--%s", a->opts[opt].name);
	return tool_hex(prog, name, hex, out, len);
}

/* Writes all bytes to fd. */
static int write_all(int fd, const void *p, size_t len)
{
	const uint8_t *b = p;

	while (len > 0) {
		ssize_t n = write(fd, b, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes bytes (or their hex and a newline) to fd. */
static int write_data(int fd, int hex, const uint8_t *buf, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char chunk[1024];
	size_t i, n = 0;

	if (!hex)
		return write_all(fd, buf, len);
	for (i = 0; i < len; i++) {
		chunk[n++] = digits[buf[i] >> 4];
		chunk[n++] = digits[buf[i] & 15];
		if (n == sizeof(chunk)) {
			if (write_all(fd, chunk, n) != 0)
				return -1;
			n = 0;
		}
	}
	chunk[n++] = '\n';
	return write_all(fd, chunk, n);
}

int tool_write_output(const char *prog, int hex, const uint8_t *buf, size_t len)
{
	fflush(stdout);
	if (write_data(1, hex, buf, len) != 0) {
		tool_err(prog, "writing standard output: %s", strerror(errno));
		return TOOL_FAIL;
	}
	return TOOL_OK;
}

int tool_write_file(const char *prog, const char *path, int hex, const uint8_t *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0) {
		tool_err(prog, "cannot create %s: %s", path, strerror(errno));
		return TOOL_FAIL;
	}
	if (write_data(fd, hex, buf, len) != 0 || close(fd) != 0) {
		tool_err(prog, "writing %s: %s", path, strerror(errno));
		return TOOL_FAIL;
	}
	return TOOL_OK;
}

void tool_print_hex(const uint8_t *buf, size_t len)
{
	fflush(stdout);
	(void)write_data(1, 1, buf, len);
}

uint64_t tool_now(void)
{
	time_t t = time(NULL);

	return t < 0 ? 0 : (uint64_t)t;
}
