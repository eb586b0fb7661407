/*
 * cli.h - what the parts of e4c2 share: cli.c (the subcommand table, one
 * request per subcommand) and cli_bulk.c (device import, link-many).
 */
#ifndef C2_CLI_H
#define C2_CLI_H

#include <cjson/cJSON.h>

#include "c2.h"

/* Options common to every subcommand. */
struct globals {
	const char *conf;
	const char *socket;
	int json;
	int conf_given;     /* -c was given: the file must exist */
};

/* Locates the daemon's socket (--socket, else the configuration's); 0 or -1 (printed). */
int cli_socket_path(const struct globals *g, char *out, size_t cap);

/*
 * Runs one request on the socket at path.  With result, *result receives
 * the result object (the caller deletes it); without, it is printed.
 * Errors are printed; returns the exit status (0 success).
 */
int cli_request(const struct globals *g, const char *path, cJSON *req, cJSON **result);

/* Writes the store file of a device added with "export" (0600, never replaced). */
int cli_export_device(const cJSON *res, const char *file);

/*
 * e4c2 device import FILE [--export-dir DIR] [--link TOPIC] and
 * e4c2 link-many TOPIC FILE: argv holds the arguments after the command
 * words; returns the exit status.
 */
int cli_device_import(const struct globals *g, int argc, char **argv);
int cli_link_many(const struct globals *g, int argc, char **argv);

#endif
