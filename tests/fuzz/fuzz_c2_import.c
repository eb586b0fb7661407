/*
 * fuzz_c2_import.c - libFuzzer target: the lines of a device import file
 * (e4c2 device import).  Every line is either skipped, parsed into a row
 * whose strings are terminated and whose name is not empty, or refused
 * with a message and the row zeroed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "c2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const struct c2_import_row zero;
	const char *s = (const char *)data, *end = s + len;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = (size_t)((nl != NULL ? nl : end) - s);
		struct c2_import_row row;
		char err[C2_ERR_MAX] = "";
		int rc = c2_import_parse_line(s, n, &row, err, sizeof(err));

		if (rc == -1 && (err[0] == '\0' || memcmp(&row, &zero, sizeof(row)) != 0))
			abort();
		if (rc == 1 && (row.name[0] == '\0' || memchr(row.name, '\0', sizeof(row.name)) == NULL ||
		                memchr(row.id, '\0', sizeof(row.id)) == NULL ||
		                memchr(row.pubkey, '\0', sizeof(row.pubkey)) == NULL))
			abort();
		if (rc < -1 || rc > 1)
			abort();
		s += n + (nl != NULL);
	}
	return 0;
}
