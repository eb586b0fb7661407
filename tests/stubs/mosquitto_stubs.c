/*
 * mosquitto_stubs.c - the broker functions the plugin calls, faked for
 * unit tests and fuzzers: logs and publications are recorded.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

#include "mosquitto_stubs.h"

struct stub_pub stub_pubs[STUB_MAX_PUBS];
int stub_npubs;
int stub_nlogs;
char stub_last_log[1024];
int stub_registered;
int stub_fail_register;

void stub_reset(void)
{
	int i;

	for (i = 0; i < STUB_MAX_PUBS; i++) {
		free(stub_pubs[i].topic);
		free(stub_pubs[i].payload);
	}
	memset(stub_pubs, 0, sizeof(stub_pubs));
	stub_npubs = 0;
	stub_nlogs = 0;
	stub_last_log[0] = '\0';
}

void mosquitto_log_printf(int level, const char *fmt, ...)
{
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vsnprintf(stub_last_log, sizeof(stub_last_log), fmt, ap);
	va_end(ap);
	stub_nlogs++;
}

const char *mosquitto_client_id(const struct mosquitto *client)
{
	return client != NULL ? client->id : NULL;
}

const char *mosquitto_client_username(const struct mosquitto *client)
{
	return client != NULL ? client->username : NULL;
}

int mosquitto_broker_publish_copy(const char *clientid, const char *topic, int payloadlen,
                                  const void *payload, int qos, bool retain,
                                  mosquitto_property *properties)
{
	struct stub_pub *p = &stub_pubs[stub_npubs % STUB_MAX_PUBS];

	(void)retain;
	if (topic == NULL || payloadlen < 0 || (payloadlen > 0 && payload == NULL) || properties != NULL)
		return MOSQ_ERR_INVAL;
	free(p->topic);
	free(p->payload);
	p->topic = strdup(topic);
	p->payload = malloc((size_t)payloadlen + 1);
	if (p->topic == NULL || p->payload == NULL)
		abort();
	if (payloadlen > 0)
		memcpy(p->payload, payload, (size_t)payloadlen);
	p->payload[payloadlen] = '\0';
	p->len = payloadlen;
	p->qos = qos;
	p->to_client = clientid != NULL;
	stub_npubs++;
	return MOSQ_ERR_SUCCESS;
}

int mosquitto_callback_register(mosquitto_plugin_id_t *identifier, int event,
                                MOSQ_FUNC_generic_callback cb_func, const void *event_data,
                                void *userdata)
{
	(void)identifier;
	(void)event;
	(void)event_data;
	(void)userdata;
	if (cb_func == NULL)
		return MOSQ_ERR_INVAL;
	if (stub_fail_register > 0 && --stub_fail_register == 0)
		return MOSQ_ERR_NOMEM;
	stub_registered++;
	return MOSQ_ERR_SUCCESS;
}

int mosquitto_callback_unregister(mosquitto_plugin_id_t *identifier, int event,
                                  MOSQ_FUNC_generic_callback cb_func, const void *event_data)
{
	(void)identifier;
	(void)event;
	(void)event_data;
	if (cb_func == NULL)
		return MOSQ_ERR_INVAL;
	stub_registered--;
	return MOSQ_ERR_SUCCESS;
}
