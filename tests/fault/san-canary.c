/*
 * san-canary.c - commits one deliberate memory or arithmetic error so the
 * test suite can prove that a sanitizer build really fails on a report:
 *   san-canary heap    reads one byte past a heap block (ASan)
 *   san-canary int     overflows a signed int (UBSan)
 *   san-canary leak    loses a heap block (LeakSanitizer)
 *   san-canary         does nothing wrong and exits 0
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Entry point: see the header comment. */
int main(int argc, char **argv)
{
	volatile int idx = 16;
	volatile int big = INT_MAX;
	if (argc < 2)
		return 0;
	if (strcmp(argv[1], "heap") == 0) {
		char *p = malloc(16);
		if (p == NULL)
			return 2;
		memset(p, 0, 16);
		printf("%d\n", p[idx]);
		free(p);
	} else if (strcmp(argv[1], "int") == 0) {
		int r = big + idx;
		printf("%d\n", r);
	} else if (strcmp(argv[1], "leak") == 0) {
		volatile char *p = malloc(64);
		if (p != NULL)
			p[0] = 1;
		p = NULL;
	}
	return 0;
}
