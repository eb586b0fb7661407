/*
 * file.c - the POSIX file store backend: atomic replacement (temporary
 * file, fsync, rename, fsync of the directory), 0600 files only.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "e4/store.h"
#include "replace.h"

/* Runs the fault hook for a step; non-zero stops the save. */
static int step(const struct e4_store_file *f, enum e4_store_step s)
{
	return f != NULL && f->fault != NULL && f->fault(f->fault_ctx, s) != 0;
}

/* Writes all of buf to fd, retrying on EINTR and short writes. */
static int write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* fsyncs the directory that holds path, so the rename is durable. */
static int sync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n;
	int fd, rc;

	if (slash == NULL) {
		strcpy(dir, ".");
	} else {
		n = (size_t)(slash - path);
		if (n == 0)
			n = 1;
		if (n >= sizeof(dir))
			return -1;
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Opens "<path>.lock" and takes an exclusive flock on it; returns the fd. */
static int lock_open(const struct e4_store_file *f)
{
	char lock[PATH_MAX];
	int fd;

	if (snprintf(lock, sizeof(lock), "%s.lock", f->path) >= (int)sizeof(lock))
		return E4_ERR_INVALID_ARG;
	fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return E4_ERR_STORE_IO;
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			close(fd);
			return E4_ERR_STORE_IO;
		}
	}
	return fd;
}

int e4_store_file_lock(struct e4_store_file *f)
{
	int fd;

	if (f == NULL || f->lock_fd >= 0)
		return E4_ERR_INVALID_ARG;
	fd = lock_open(f);
	if (fd < 0)
		return fd;
	f->lock_fd = fd;
	return 0;
}

void e4_store_file_unlock(struct e4_store_file *f)
{
	if (f != NULL && f->lock_fd >= 0) {
		close(f->lock_fd);
		f->lock_fd = -1;
	}
}

int e4__file_replace(const struct e4_store_file *f, const char *path, const char *tmp,
                     const uint8_t *blob, size_t len)
{
	int fd;

	if (step(f, E4_STEP_OPEN_TMP))
		return E4_ERR_STORE_IO;
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return E4_ERR_STORE_IO;
	if (step(f, E4_STEP_WRITE) || write_all(fd, blob, len) != 0 ||
	    step(f, E4_STEP_FSYNC) || fsync(fd) != 0) {
		close(fd);
		return E4_ERR_STORE_IO;
	}
	if (close(fd) != 0 || step(f, E4_STEP_RENAME) || rename(tmp, path) != 0)
		return E4_ERR_STORE_IO;
	if (step(f, E4_STEP_FSYNC_DIR) || sync_dir(path) != 0)
		return E4_ERR_STORE_IO;
	return 0;
}

/* Saves atomically under the store's lock (taken here unless already held). */
static int file_save(void *ctx, const uint8_t *blob, size_t len)
{
	const struct e4_store_file *f = ctx;
	char tmp[PATH_MAX];
	int lock = -1, err;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", f->path) >= (int)sizeof(tmp))
		return E4_ERR_INVALID_ARG;
	if (f->lock_fd < 0) {
		lock = lock_open(f);
		if (lock < 0)
			return lock;
	}
	err = e4__file_replace(f, f->path, tmp, blob, len);
	if (lock >= 0)
		close(lock);
	return err;
}

/* Loads the whole file after checking its type and permissions. */
static int file_load(void *ctx, uint8_t *buf, size_t cap, size_t *len)
{
	const struct e4_store_file *f = ctx;
	struct stat st;
	size_t got = 0;
	int fd, err = 0;

	fd = open(f->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? E4_ERR_NOT_FOUND :
		       errno == ELOOP ? E4_ERR_STORE_PERMS : E4_ERR_STORE_IO;
	if (fstat(fd, &st) != 0) {
		err = E4_ERR_STORE_IO;
	} else if (!S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
		err = E4_ERR_STORE_PERMS;
	} else if ((size_t)st.st_size > cap) {
		err = E4_ERR_STORE_FORMAT;
	} else {
		while (got < (size_t)st.st_size) {
			ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				err = E4_ERR_STORE_IO;
				break;
			}
			got += (size_t)n;
		}
	}
	close(fd);
	if (err == 0)
		*len = got;
	return err;
}

void e4_store_file_init(struct e4_store *store, struct e4_store_file *file,
                        const char *path)
{
	file->path = path;
	file->fault = NULL;
	file->fault_ctx = NULL;
	file->lock_fd = -1;
	store->save = file_save;
	store->load = file_load;
	store->ctx = file;
}
