/*
 * noop-plugin.c - the floor of bench/broker.sh's callgrind comparison: a
 * mosquitto v5 plugin registering the E4 plugin's events (ACL_CHECK,
 * MESSAGE, DISCONNECT, CONTROL on $CONTROL/e4/v1) that allows everything
 * and does nothing else.  broker.sh builds it with the system compiler.
 */
#include <stddef.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

static mosquitto_plugin_id_t *pid;

/* Allows what it is asked about. */
static int allow(int event, void *event_data, void *userdata)
{
	(void)event;
	(void)event_data;
	(void)userdata;
	return MOSQ_ERR_SUCCESS;
}

int mosquitto_plugin_version(int count, const int *versions)
{
	int i;

	for (i = 0; i < count; i++)
		if (versions[i] == 5)
			return 5;
	return -1;
}

int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **userdata,
                          struct mosquitto_opt *options, int option_count)
{
	(void)userdata;
	(void)options;
	(void)option_count;
	pid = identifier;
	if (mosquitto_callback_register(pid, MOSQ_EVT_ACL_CHECK, allow, NULL, NULL) != 0 ||
	    mosquitto_callback_register(pid, MOSQ_EVT_MESSAGE, allow, NULL, NULL) != 0 ||
	    mosquitto_callback_register(pid, MOSQ_EVT_DISCONNECT, allow, NULL, NULL) != 0 ||
	    mosquitto_callback_register(pid, MOSQ_EVT_CONTROL, allow, "$CONTROL/e4/v1", NULL) != 0)
		return MOSQ_ERR_UNKNOWN;
	return MOSQ_ERR_SUCCESS;
}

int mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *options, int option_count)
{
	(void)userdata;
	(void)options;
	(void)option_count;
	mosquitto_callback_unregister(pid, MOSQ_EVT_ACL_CHECK, allow, NULL);
	mosquitto_callback_unregister(pid, MOSQ_EVT_MESSAGE, allow, NULL);
	mosquitto_callback_unregister(pid, MOSQ_EVT_DISCONNECT, allow, NULL);
	mosquitto_callback_unregister(pid, MOSQ_EVT_CONTROL, allow, "$CONTROL/e4/v1");
	return MOSQ_ERR_SUCCESS;
}
