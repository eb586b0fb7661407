/*
 * plugin.c - the mosquitto plugin entry points (interface version 5).
 *
 * Only mosquitto_plugin_version/init/cleanup are exported; everything the
 * plugin does lives in the other files of plugin/.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>

#include "e4plugin.h"

static const struct {
	int event;
	MOSQ_FUNC_generic_callback cb;
	const char *data;
} callbacks[] = {
	{ MOSQ_EVT_ACL_CHECK, e4plugin_acl_cb, NULL },
	{ MOSQ_EVT_MESSAGE, e4plugin_message_cb, NULL },
	{ MOSQ_EVT_DISCONNECT, e4plugin_disconnect_cb, NULL },
	{ MOSQ_EVT_CONTROL, e4plugin_control_cb, E4PLUGIN_CONTROL_TOPIC },
};
#define NCALLBACKS (sizeof(callbacks) / sizeof(callbacks[0]))

/* Unregisters the first n callbacks. */
static void unregister(struct e4plugin *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		mosquitto_callback_unregister(p->pid, callbacks[i].event, callbacks[i].cb,
		                              callbacks[i].data);
}

/* Picks interface version 5 when the broker offers it. */
int mosquitto_plugin_version(int supported_version_count, const int *supported_versions)
{
	int i;

	for (i = 0; i < supported_version_count; i++)
		if (supported_versions[i] == 5)
			return 5;
	return -1;
}

/* Instances alive in this process (the rules need exactly one). */
static int instances;

/*
 * Checks the broker's configuration, parses the options, loads the state
 * file and registers the callbacks.
 */
int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **userdata,
                          struct mosquitto_opt *options, int option_count)
{
	struct e4plugin *p;
	char err[768];
	size_t i;
	int rc;

	if (instances > 0) {
		mosquitto_log_printf(MOSQ_LOG_ERR, "e4: refusing to load: the plugin is already loaded "
		                     "(a second plugin line, or per_listener_settings true): one instance "
		                     "must see every message");
		return MOSQ_ERR_INVAL;
	}
	if (e4plugin_brokerconf_check("/proc/self/cmdline", err, sizeof(err)) != 0) {
		mosquitto_log_printf(MOSQ_LOG_ERR, "e4: refusing to load: %s", err);
		return MOSQ_ERR_INVAL;
	}
	p = e4plugin_new(options, option_count, err, sizeof(err));
	if (p == NULL) {
		mosquitto_log_printf(MOSQ_LOG_ERR, "e4: refusing to load: %s", err);
		return MOSQ_ERR_INVAL;
	}
	p->pid = identifier;
	for (i = 0; i < NCALLBACKS; i++) {
		rc = mosquitto_callback_register(p->pid, callbacks[i].event, callbacks[i].cb,
		                                 callbacks[i].data, p);
		if (rc != MOSQ_ERR_SUCCESS) {
			mosquitto_log_printf(MOSQ_LOG_ERR, "e4: refusing to load: cannot register event %d",
			                     callbacks[i].event);
			unregister(p, i);
			e4plugin_free(p);
			return rc;
		}
	}
	*userdata = p;
	instances++;
	mosquitto_log_printf(MOSQ_LOG_INFO, "e4: %s mode, %zu protected filter(s), acl %s, %zu device key(s)",
	                     p->mode == E4_MODE_PUBKEY ? "pubkey" : "symkey", p->conf.protect_len,
	                     p->conf.acl == E4PLUGIN_ACL_DEFER ? "defer" : "authoritative",
	                     p->devices.len);
	if (p->conf.state_file == NULL || *p->conf.state_file == '\0')
		mosquitto_log_printf(MOSQ_LOG_WARNING, "e4: no plugin_opt_state_file: device keys set by the C2 are lost at restart");
	return MOSQ_ERR_SUCCESS;
}

/* Unregisters the callbacks and frees the instance. */
int mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *options, int option_count)
{
	struct e4plugin *p = userdata;

	(void)options;
	(void)option_count;
	if (p != NULL) {
		unregister(p, NCALLBACKS);
		e4plugin_free(p);
		instances--;
	}
	return MOSQ_ERR_SUCCESS;
}
