/*
 * main-vectors.c - the known-answer loop tests alone, for a second vector
 * set generated at build time with another seed.
 */
#include "helpers.h"

/* A suite holding one or two vector test cases. */
static Suite *vsuite(const char *name, TCase *a, TCase *b)
{
	Suite *s = suite_create(name);

	suite_add_tcase(s, a);
	if (b != NULL)
		suite_add_tcase(s, b);
	return s;
}

/* Runs the vector suites of the set this binary was compiled with. */
int main(void)
{
	Suite *suites[] = {
		vsuite("wire/hash", vectors_tcase_hashes(), NULL),
		vsuite("frame", vectors_tcase_symkey_messages(), vectors_tcase_negative()),
		vsuite("commands", vectors_tcase_symkey_commands(), NULL),
		vsuite("pubkey", vectors_tcase_pubkey_messages(), vectors_tcase_pubkey_commands()),
	};

	return run_suites(suites, sizeof(suites) / sizeof(suites[0]));
}
