/*
 * main.c - the SDK's Check binary: one suite per module.
 */
#include "helpers.h"

/* Runs every SDK suite. */
int main(void)
{
	Suite *suites[] = {
		suite_errors(), suite_wire(), suite_siv(), suite_frame(), suite_client(),
		suite_commands(), suite_replay(), suite_clock(), suite_store(),
		suite_pubkey(), suite_acks(), suite_extvectors(),
	};

	return run_suites(suites, sizeof(suites) / sizeof(suites[0]));
}
