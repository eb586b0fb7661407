/*
 * fuzz_plugin_frame.c - libFuzzer target for the plugin's frame checks:
 * arbitrary payloads, topics and clients through the real ACL_CHECK and
 * MESSAGE callbacks (symkey and pubkey instances, the latter knowing one
 * device key), with the broker faked by tests/stubs.
 *
 * Input: byte 0 picks instance, access path and client; bytes 1..n up to
 * the first NUL are the topic; the rest is the payload.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "e4plugin.h"
#include "mosquitto_stubs.h"

static struct e4plugin *inst[2];

/* A fixed clock, so the fuzzer can reach valid timestamps (1700000000). */
static time_t fixed_now(void)
{
	return 1700000000;
}

/* Builds the two instances once. */
static void setup(void)
{
	static const char *modes[2] = { "symkey", "pubkey" };
	uint8_t pub[E4_ED25519_PK_LEN], sk[E4_ED25519_SK_LEN], id[E4_ID_LEN];
	char err[256];
	int i;

	for (i = 0; i < 2; i++) {
		struct mosquitto_opt o[4] = { { (char *)"protect", (char *)"data/#,e4/#,+/x" },
			{ (char *)"c2_username", (char *)"c2" }, { (char *)"mode", (char *)(uintptr_t)modes[i] },
			{ (char *)"replay_cache", (char *)"64" } };

		inst[i] = e4plugin_new(o, 4, err, sizeof(err));
		if (inst[i] == NULL)
			abort();
		inst[i]->now = fixed_now;
	}
	if (e4_ed25519_keypair(pub, sk) != 0 ||
	    e4_hex_decode(id, E4_ID_LEN, "00112233445566778899aabbccddeeff") != 0)
		abort();
	e4plugin_device_get(&inst[1]->devices, id)->has_pubkey = 1;
	memcpy(e4plugin_device_find(&inst[1]->devices, id)->pubkey, pub, sizeof(pub));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mosquitto clients[4] = { { "00112233445566778899aabbccddeeff", "dev" },
		{ "c2-client", "c2" }, { "alias-device", NULL }, { NULL, NULL } };
	struct mosquitto_evt_acl_check a;
	struct mosquitto_evt_message m;
	const uint8_t *nul;
	struct e4plugin *p;
	char *topic;
	size_t tlen;
	uint8_t sel;

	if (inst[0] == NULL)
		setup();
	if (size < 1)
		return 0;
	sel = data[0];
	data++;
	size--;
	nul = memchr(data, 0, size);
	tlen = nul != NULL ? (size_t)(nul - data) : size;
	topic = malloc(tlen + 1);
	if (topic == NULL)
		return 0;
	memcpy(topic, data, tlen);
	topic[tlen] = '\0';
	data += nul != NULL ? tlen + 1 : tlen;
	size -= nul != NULL ? tlen + 1 : tlen;
	p = inst[sel & 1];
	memset(&a, 0, sizeof(a));
	a.client = &clients[(sel >> 1) & 3];
	a.topic = topic;
	a.payload = size > 0 ? data : NULL;
	a.payloadlen = (uint32_t)size;
	a.access = 1 << ((sel >> 3) & 3);
	memset(&m, 0, sizeof(m));
	m.client = a.client;
	m.topic = topic;
	m.payload = (void *)(uintptr_t)a.payload;
	m.payloadlen = a.payloadlen;
	if ((sel & 0x20) == 0) {
		if (e4plugin_acl_cb(MOSQ_EVT_ACL_CHECK, &a, p) == MOSQ_ERR_SUCCESS && a.access == MOSQ_ACL_WRITE)
			e4plugin_message_cb(MOSQ_EVT_MESSAGE, &m, p);
	} else {
		/* Bridged: MESSAGE only. */
		e4plugin_message_cb(MOSQ_EVT_MESSAGE, &m, p);
	}
	if (sel & 0x40) {
		struct mosquitto_evt_disconnect d = { 0 };

		d.client = a.client;
		e4plugin_disconnect_cb(MOSQ_EVT_DISCONNECT, &d, p);
	}
	free(topic);
	return 0;
}
