/*
 * nomqtt.c - the e4 command built without libmosquitto: no pub/sub.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "tool.h"

const struct tool_cmd tool_mqtt_cmds[] = {
	{ NULL, NULL, NULL, 0, NULL, 0, 0, NULL }
};

const struct tool_cmd tool_pub_cmds[] = {
	{ NULL, NULL, NULL, 0, NULL, 0, 0, NULL }
};

const struct tool_refused tool_refused[] = {
	{ NULL, NULL, 0, NULL }
};
