/*
 * ackcheck.c - test helper: opens an ack frame with a key and compares
 * the command digest it names with the command frame it answers.
 *
 * usage: ackcheck KEY_HEX ACK_HEX CMD_FRAME_HEX
 * prints "status N digest match|mismatch ts T"; exit 0 when the ack opens.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e4/e4.h"

/* Decodes a hex argument of any even length into a malloc'd buffer. */
static uint8_t *unhex(const char *s, size_t *len)
{
	uint8_t *b;

	*len = strlen(s) / 2;
	b = malloc(*len + 1);
	if (b == NULL || strlen(s) % 2 != 0 || e4_hex_decode(b, *len, s) != 0) {
		fprintf(stderr, "ackcheck: bad hex argument\n");
		exit(2);
	}
	return b;
}

int main(int argc, char **argv)
{
	uint8_t *key, *ack, *cmd, digest[16], want[16], status = 0;
	size_t klen, alen, clen;
	uint64_t ts = 0;
	int err;

	if (argc != 4) {
		fprintf(stderr, "usage: ackcheck KEY_HEX ACK_HEX CMD_FRAME_HEX\n");
		return 2;
	}
	key = unhex(argv[1], &klen);
	ack = unhex(argv[2], &alen);
	cmd = unhex(argv[3], &clen);
	if (klen != E4_KEY_LEN) {
		fprintf(stderr, "ackcheck: key must be 32 bytes\n");
		return 2;
	}
	err = e4_ack_open(key, ack, alen, digest, &status, &ts);
	if (err != 0) {
		fprintf(stderr, "ackcheck: %s\n", e4_strerror(err));
		return 1;
	}
	if (e4_command_digest(want, cmd, clen) != 0)
		return 1;
	printf("status %u digest %s ts %llu\n", (unsigned)status,
	       memcmp(digest, want, 16) == 0 ? "match" : "mismatch", (unsigned long long)ts);
	free(key);
	free(ack);
	free(cmd);
	return 0;
}
