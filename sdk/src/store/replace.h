/*
 * replace.h - the file store's atomic replace, shared with the broker
 * plugin's state file (not installed; POSIX only, like store/file.c).
 */
#ifndef E4_STORE_REPLACE_H
#define E4_STORE_REPLACE_H

#include <stddef.h>
#include <stdint.h>

struct e4_store_file;

/*
 * Replaces the file at path with blob, atomically and durably: writes tmp
 * (created 0600, never through a link), fsyncs it, renames it over path
 * and fsyncs the directory.  f, when not NULL, supplies the fault hook of
 * the tests.  Returns 0 or E4_ERR_STORE_IO (errno tells why).
 */
int e4__file_replace(const struct e4_store_file *f, const char *path, const char *tmp,
                     const uint8_t *blob, size_t len);

#endif
