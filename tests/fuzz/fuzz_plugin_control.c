/*
 * fuzz_plugin_control.c - libFuzzer target for the $CONTROL/e4/v1 JSON
 * handler: arbitrary request payloads through the real MOSQ_EVT_CONTROL
 * callback of a pubkey instance (no state file), responses published to
 * the stubs.  Every response must be JSON with a "responses" array.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "e4plugin.h"
#include "mosquitto_stubs.h"

static struct e4plugin *p;

/* Builds the instance once. */
static void setup(void)
{
	struct mosquitto_opt o[3] = { { (char *)"protect", (char *)"data/#" },
		{ (char *)"c2_username", (char *)"c2" }, { (char *)"mode", (char *)"pubkey" } };
	char err[256];

	p = e4plugin_new(o, 3, err, sizeof(err));
	if (p == NULL)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mosquitto c2 = { "c2-client", "c2" };
	struct mosquitto_evt_control ev;
	cJSON *doc;

	if (p == NULL)
		setup();
	stub_reset();
	memset(&ev, 0, sizeof(ev));
	ev.client = &c2;
	ev.topic = E4PLUGIN_CONTROL_TOPIC;
	ev.payload = size > 0 ? data : NULL;
	ev.payloadlen = (uint32_t)size;
	if (e4plugin_control_cb(MOSQ_EVT_CONTROL, &ev, p) != MOSQ_ERR_SUCCESS)
		abort();
	if (stub_npubs != 1)
		abort();
	doc = cJSON_ParseWithLength(stub_pubs[0].payload, (size_t)stub_pubs[0].len);
	if (doc == NULL || !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(doc, "responses")))
		abort();
	cJSON_Delete(doc);
	/* Keep the device table from growing without bound across runs. */
	if (p->devices.len > 10000) {
		e4plugin_free(p);
		setup();
	}
	return 0;
}
