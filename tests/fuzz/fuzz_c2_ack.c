/*
 * fuzz_c2_ack.c - libFuzzer target: frames arriving on ack topics.  The
 * first byte chooses the topic (a known device's ack topic, or the rest of
 * the input up to a NUL); the remainder is the frame.  Nothing may crash
 * and a refused ack must say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static struct c2_ctx ctx;
static char topic[E4_ACK_TOPIC_CAP];

/* Publishes nothing. */
static int no_publish(void *arg, const char *t, const uint8_t *p, size_t n, int qos, int *mid)
{
	(void)arg;
	(void)t;
	(void)p;
	(void)n;
	(void)qos;
	*mid = 0;
	return -1;
}

/* Opens the in-memory C2 with one device and one queued command. */
static void setup(void)
{
	struct c2_new_device nd;
	uint8_t mk[C2_MASTER_KEY_LEN];
	char err[C2_ERR_MAX], ctl[E4_CONTROL_TOPIC_CAP];

	if (ctx.db != NULL)
		return;
	if (sodium_init() < 0)
		abort();
	c2_log_set_level(-1);
	c2_conf_defaults(&ctx.conf);
	c2_random(mk, sizeof(mk));
	if (c2_db_open(&ctx.db, ":memory:", mk, 1, err, sizeof(err)) != 0 ||
	    c2_op_init_db(&ctx, err, sizeof(err)) != 0 ||
	    c2_op_device_add(&ctx, "fuzz", NULL, NULL, 0, &nd, err, sizeof(err)) != 0 ||
	    c2_op_device_rotate(&ctx, "fuzz", err, sizeof(err)) != 0)
		abort();
	e4_control_topic(ctl, nd.dev.id);
	snprintf(topic, sizeof(topic), "%.35s/ack", ctl);
	ctx.tr.publish = no_publish;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char err[C2_ERR_MAX], other[128];
	const char *t = topic;
	size_t n;

	setup();
	if (len == 0)
		return 0;
	if (data[0] & 1) {
		n = strnlen((const char *)data + 1, len - 1);
		if (n >= sizeof(other))
			n = sizeof(other) - 1;
		memcpy(other, data + 1, n);
		other[n] = '\0';
		t = other;
		data += n < len - 1 ? n + 1 : n;
		len -= n < len - 1 ? n + 1 : n;
	}
	if (c2_outbox_ack(&ctx, t, data + 1, len - 1, err, sizeof(err)) != 0 && err[0] == '\0')
		abort();
	return 0;
}
