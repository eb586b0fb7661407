/*
 * replay.c - runs a libFuzzer target without libFuzzer, for make check:
 * replays every file named on the command line (the crash regressions of
 * tests/fuzz/regressions/), then N deterministic pseudo-random inputs
 * (-r N, seeded by -s SEED), mutated from the replayed files when there are
 * any.  Exits 0 when every input returned; a crash, an abort from a
 * target's invariant check or a sanitizer report ends the process.
 * usage: replay [-r N] [-s SEED] [FILE...]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t last[MAX_INPUT];
static size_t last_len;

/* Next value of a xorshift64 generator. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Reads file PATH into last[] and runs the target on it; 0 or -1. */
static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "replay: cannot open %s\n", path);
		return -1;
	}
	last_len = fread(last, 1, sizeof last, f);
	fclose(f);
	LLVMFuzzerTestOneInput(last, last_len);
	printf("replayed %s (%zu bytes)\n", path, last_len);
	return 0;
}

/* Runs N random inputs: fresh bytes, or the last file with bytes flipped. */
static void random_inputs(long n, uint64_t seed)
{
	uint8_t buf[MAX_INPUT];
	uint64_t s = seed ? seed : 1;
	for (long i = 0; i < n; i++) {
		size_t len = (size_t)(next_rand(&s) % 600);
		if (last_len > 0 && (i & 1)) {
			len = last_len;
			memcpy(buf, last, len);
			for (int k = 0; k < 4; k++)
				buf[next_rand(&s) % len] ^= (uint8_t)next_rand(&s);
		} else {
			for (size_t k = 0; k < len; k++)
				buf[k] = (uint8_t)next_rand(&s);
		}
		LLVMFuzzerTestOneInput(buf, len);
	}
	printf("random inputs: %ld\n", n);
}

/* Entry point: see the header comment. */
int main(int argc, char **argv)
{
	long n = 0;
	uint64_t seed = 1;
	int i = 1;
	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (strcmp(argv[i], "-r") == 0)
			n = strtol(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "-s") == 0)
			seed = strtoull(argv[i + 1], NULL, 10);
		else
			break;
	}
	for (; i < argc; i++)
		if (replay_file(argv[i]) != 0)
			return 1;
	random_inputs(n, seed);
	return 0;
}
