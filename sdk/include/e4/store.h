/*
 * e4/store.h - storage backends for struct e4_store.
 *
 * Memory backend: keeps the blob in a caller buffer (tests, MCUs that
 * persist the buffer themselves).  File backend (POSIX): one file,
 * replaced atomically (temporary file, fsync, rename, fsync of the
 * directory), mode 0600, refused when group/world accessible.
 */
#ifndef E4_STORE_H
#define E4_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "e4/e4.h"

#ifdef __cplusplus
extern "C" {
#endif

/* State of the memory backend (caller memory). */
struct e4_store_memory {
	uint8_t *buf;
	size_t cap;
	size_t len;   /* 0: nothing stored */
};

/*
 * Sets up *store to keep blobs in buf (cap bytes, caller memory that
 * must outlive the store).  Saving a blob larger than cap fails with
 * E4_ERR_STORE_IO.
 */
void e4_store_memory_init(struct e4_store *store, struct e4_store_memory *mem,
                          uint8_t *buf, size_t cap);

/* Steps of a file save, for fault injection in tests. */
enum e4_store_step {
	E4_STEP_OPEN_TMP = 1,
	E4_STEP_WRITE,
	E4_STEP_FSYNC,
	E4_STEP_RENAME,
	E4_STEP_FSYNC_DIR
};

/* State of the file backend (caller memory). */
struct e4_store_file {
	const char *path;     /* must outlive the store */
	/*
	 * Optional: called before each step; a non-zero return stops the save
	 * there (as a power loss would) and the save returns E4_ERR_STORE_IO.
	 */
	int (*fault)(void *ctx, enum e4_store_step step);
	void *fault_ctx;
	int lock_fd;          /* private: >= 0 while e4_store_file_lock() holds the lock */
};

/*
 * Sets up *store on the file at path.  Loading refuses a file that is
 * not a regular file or is accessible by group or others
 * (E4_ERR_STORE_PERMS); a missing file gives E4_ERR_NOT_FOUND.  Saves
 * take an exclusive lock on "<path>.lock" so that several processes may
 * share one store file.
 */
void e4_store_file_init(struct e4_store *store, struct e4_store_file *file,
                        const char *path);

/*
 * Holds the store's lock across a load-modify-save sequence (another
 * process using the same file waits).  While it is held, saves through
 * this store do not take the lock again (they would wait for
 * themselves).  Returns 0 or a negative E4_ERR_*; E4_ERR_INVALID_ARG
 * when this store already holds it.  e4_store_file_unlock() releases it
 * (no-op when not held).
 */
int e4_store_file_lock(struct e4_store_file *file);
void e4_store_file_unlock(struct e4_store_file *file);

#ifdef __cplusplus
}
#endif
#endif /* E4_STORE_H */
