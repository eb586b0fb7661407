/*
 * footprint.c - prints the memory a device spends on the SDK's state and
 * fails when the client outgrows its budget (2 KiB) or a topic slot is
 * not 64 bytes.
 */
#include <stdio.h>
#include <stdlib.h>

#include "e4/e4.h"
#include "e4/store.h"

/* One line per structure; returns non-zero when a limit is exceeded. */
int main(void)
{
	int bad = 0;

	printf("struct e4_client        %4zu bytes (limit 2048)\n", sizeof(struct e4_client));
	printf("struct e4_topic_slot    %4zu bytes (must be 64)\n", sizeof(struct e4_topic_slot));
	printf("struct e4_replay_slot   %4zu bytes\n", sizeof(struct e4_replay_slot));
	printf("struct e4_pubkey_slot   %4zu bytes\n", sizeof(struct e4_pubkey_slot));
	printf("struct e4_keyed         %4zu bytes (x%d in the client)\n", sizeof(struct e4_keyed),
	       E4_KEY_CACHE);
	printf("struct e4_topic_memo    %4zu bytes (x%d in the client)\n",
	       sizeof(struct e4_topic_memo), E4_TOPIC_MEMO);
	printf("struct e4_client_config %4zu bytes\n", sizeof(struct e4_client_config));
	printf("struct e4_store_file    %4zu bytes\n", sizeof(struct e4_store_file));
	printf("state blob, 16 topics   %4zu bytes\n", (size_t)E4_STATE_BLOB_LEN(16, 0));
	printf("device with 16 topics, 32 replay slots: %zu bytes\n",
	       sizeof(struct e4_client) + 16 * sizeof(struct e4_topic_slot) +
	       32 * sizeof(struct e4_replay_slot));
	if (sizeof(struct e4_client) > 2048) {
		fprintf(stderr, "FAIL: struct e4_client is over 2048 bytes\n");
		bad = 1;
	}
	if (sizeof(struct e4_topic_slot) != 64) {
		fprintf(stderr, "FAIL: struct e4_topic_slot is not 64 bytes\n");
		bad = 1;
	}
	return bad ? EXIT_FAILURE : EXIT_SUCCESS;
}
