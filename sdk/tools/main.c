/*
 * main.c - the e4 command: finds the subcommand in the group tables and
 * runs it with its parsed options.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include "tool.h"

static const struct tool_cmd *const groups[] = {
	tool_frame_cmds, tool_device_cmds, tool_mqtt_cmds, tool_pub_cmds
};

/* Prints the list of subcommands. */
static void usage(FILE *f)
{
	size_t g;
	const struct tool_cmd *c;

	fprintf(f, "usage: e4 COMMAND [options] (e4 COMMAND --help for its options)\n"
	           "E4 end-to-end protection of MQTT payloads, device side.\ncommands:\n");
	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (c = groups[g]; c->name != NULL; c++)
			fprintf(f, "  %-20s %s\n", c->name, c->summary);
}

/* Finds the command named by argv[0] or "argv[0] argv[1]"; *used says how many. */
static const struct tool_cmd *lookup(int argc, char **argv, int *used)
{
	size_t g, n0 = strlen(argv[0]);
	const struct tool_cmd *c;

	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		for (c = groups[g]; c->name != NULL; c++) {
			if (strcmp(c->name, argv[0]) == 0) {
				*used = 1;
				return c;
			}
			if (argc > 1 && strncmp(c->name, argv[0], n0) == 0 && c->name[n0] == ' ' &&
			    strcmp(c->name + n0 + 1, argv[1]) == 0) {
				*used = 2;
				return c;
			}
		}
	}
	return NULL;
}

/* Whether argv holds -? or --help before any "--". */
static int wants_help(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-?") == 0)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	const struct tool_cmd *cmd;
	struct tool_args a;
	char prog[64];
	int used = 0, rc;

	if (argc < 2) {
		usage(stderr);
		return TOOL_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-?") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return TOOL_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("e4 %s\n", PACKAGE_VERSION);
		return TOOL_OK;
	}
	cmd = lookup(argc - 1, argv + 1, &used);
	if (cmd == NULL && strcmp(argv[1], "device") == 0) {
		if (argc > 2 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-?") == 0)) {
			usage(stdout);
			return TOOL_OK;
		}
		if (argc > 2)
			fprintf(stderr, "e4: unknown device subcommand '%s' (see e4 --help)\n", argv[2]);
		else
			fprintf(stderr, "e4: device needs a subcommand (see e4 --help)\n");
		return TOOL_USAGE;
	}
	if (cmd == NULL) {
		fprintf(stderr, "e4: unknown command '%s' (see e4 --help)\n", argv[1]);
		return TOOL_USAGE;
	}
	if (wants_help(argc - 1 - used, argv + 1 + used)) {
		tool_help(cmd);
		return TOOL_OK;
	}
	snprintf(prog, sizeof(prog), "e4 %s", cmd->name);
	rc = tool_parse(prog, cmd, argc - 1 - used, argv + 1 + used, &a);
	if (rc == TOOL_OK)
		rc = cmd->run(prog, &a);
	tool_args_free(&a);
	return rc;
}
