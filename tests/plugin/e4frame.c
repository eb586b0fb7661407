/*
 * e4frame.c - test helper: prints E4 frames made with the SDK, in hex or
 * binary (-b), for the plugin's integration tests.
 *
 *   e4frame [-b] symkey KEYHEX TS MESSAGE
 *   e4frame [-b] pubkey KEYHEX SKHEX SENDERHEX TS MESSAGE
 *   e4frame keypair                 prints PUBHEX then SKHEX, one a line (test keys only)
 *   e4frame alias NAME              prints the id of an alias
 * TS is "now", "now-N", "now+N" or Unix seconds.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "e4/e4.h"

/* Exits with a usage message. */
static void usage(void)
{
	fprintf(stderr, "usage: e4frame [-b] symkey KEYHEX TS MSG\n"
	                "       e4frame [-b] pubkey KEYHEX SKHEX SENDERHEX TS MSG\n"
	                "       e4frame keypair | alias NAME\n");
	exit(2);
}

/* Parses a timestamp argument. */
static uint64_t parse_ts(const char *s)
{
	uint64_t now = (uint64_t)time(NULL);

	if (strncmp(s, "now", 3) == 0) {
		if (s[3] == '\0')
			return now;
		if (s[3] == '-')
			return now - strtoull(s + 4, NULL, 10);
		if (s[3] == '+')
			return now + strtoull(s + 4, NULL, 10);
		usage();
	}
	return strtoull(s, NULL, 10);
}

/* Decodes a hex argument of exactly n bytes or exits. */
static void hex_arg(uint8_t *out, size_t n, const char *s)
{
	if (strlen(s) != 2 * n || e4_hex_decode(out, n, s) != 0) {
		fprintf(stderr, "e4frame: \"%s\" is not %zu hex bytes\n", s, n);
		exit(2);
	}
}

/* Writes a frame in hex or binary. */
static int emit(const uint8_t *buf, size_t len, int binary)
{
	size_t i;

	if (binary)
		return fwrite(buf, 1, len, stdout) == len ? 0 : 1;
	for (i = 0; i < len; i++)
		printf("%02x", buf[i]);
	printf("\n");
	return 0;
}

/* Seals a frame as asked by argv. */
static int seal(int argc, char **argv, int binary)
{
	uint8_t key[E4_KEY_LEN], sk[E4_ED25519_SK_LEN], sender[E4_ID_LEN];
	static uint8_t out[65536 + E4_PK_OVERHEAD];
	size_t out_len = 0, mlen;
	int err;

	if (strcmp(argv[0], "symkey") == 0 && argc == 4) {
		hex_arg(key, sizeof(key), argv[1]);
		mlen = strlen(argv[3]);
		err = e4_frame_seal(out, sizeof(out), &out_len, key, parse_ts(argv[2]),
		                    (const uint8_t *)argv[3], mlen);
	} else if (strcmp(argv[0], "pubkey") == 0 && argc == 6) {
		hex_arg(key, sizeof(key), argv[1]);
		hex_arg(sk, sizeof(sk), argv[2]);
		hex_arg(sender, sizeof(sender), argv[3]);
		mlen = strlen(argv[5]);
		err = e4_pk_frame_seal(out, sizeof(out), &out_len, key, sk, sender, parse_ts(argv[4]),
		                       (const uint8_t *)argv[5], mlen);
		e4_wipe(sk, sizeof(sk));
	} else {
		usage();
		return 2;
	}
	e4_wipe(key, sizeof(key));
	if (err != 0) {
		fprintf(stderr, "e4frame: %s\n", e4_strerror(err));
		return 1;
	}
	return emit(out, out_len, binary);
}

/* Entry point. */
int main(int argc, char **argv)
{
	int binary = 0;

	if (argc > 1 && strcmp(argv[1], "-b") == 0) {
		binary = 1;
		argc--;
		argv++;
	}
	if (argc < 2)
		usage();
	if (strcmp(argv[1], "keypair") == 0) {
		uint8_t pub[E4_ED25519_PK_LEN], sk[E4_ED25519_SK_LEN];

		if (e4_ed25519_keypair(pub, sk) != 0)
			return 1;
		emit(pub, sizeof(pub), 0);
		emit(sk, sizeof(sk), 0);
		e4_wipe(sk, sizeof(sk));
		return 0;
	}
	if (strcmp(argv[1], "alias") == 0 && argc == 3) {
		uint8_t id[E4_ID_LEN];

		if (e4_id_from_alias(id, argv[2]) != 0)
			return 1;
		return emit(id, sizeof(id), 0);
	}
	return seal(argc - 1, argv + 1, binary);
}
