/*
 * acl.c - E4 policy in the broker's ACL_CHECK, MESSAGE and DISCONNECT events.
 *
 * Order in mosquitto 2.0.11: ACL_CHECK(WRITE) when a PUBLISH (or a Will)
 * arrives, then MESSAGE once before fan-out (also for bridged messages,
 * which skip ACL checks), then ACL_CHECK(READ) per subscriber.  The
 * stateless frame checks run in WRITE; the replay check, which must see
 * each message once, runs in MESSAGE.  A message MESSAGE did not see in
 * WRITE (bridge traffic) gets the stateless checks there too, so every
 * refusal is counted once.  mosquitto 2.0.11 checks a Will (WRITE, with
 * its payload) when it sends it; no MESSAGE event follows, and nothing
 * tells that check from an ordinary publish's, so Wills get the stateless
 * checks but are not entered in the replay cache.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "e4plugin.h"

/* The answer for something E4 policy allows. */
static int allow(const struct e4plugin *p)
{
	return p->conf.acl == E4PLUGIN_ACL_AUTHORITATIVE ? MOSQ_ERR_SUCCESS : MOSQ_ERR_PLUGIN_DEFER;
}

/* Counts, logs and returns a refusal. */
static int refuse(struct e4plugin *p, int reason, int filter, const struct mosquitto *client,
                  const char *topic, const char *what)
{
	e4plugin_stats_refuse(p, reason, filter);
	e4plugin_log_refusal(p, reason, client, topic, what);
	return MOSQ_ERR_ACL_DENIED;
}

/* true when client's E4 id is id. */
static bool is_device(struct e4plugin *p, const struct mosquitto *client, const uint8_t id[E4_ID_LEN])
{
	uint8_t mine[E4_ID_LEN];

	return e4plugin_client_id(p, client, mine) == 0 && memcmp(mine, id, E4_ID_LEN) == 0;
}

/* Frame checks of a publish (or Will) on protected filter index f. */
static int write_frame(struct e4plugin *p, const struct mosquitto_evt_acl_check *ev,
                       enum e4plugin_topic_kind kind, int f)
{
	int layout = e4plugin_layout(p, kind);
	uint64_t now = (uint64_t)p->now();
	uint8_t id[E4_ID_LEN];
	int r;

	if (layout == E4_MODE_PUBKEY && e4plugin_client_id(p, ev->client, id) != 0)
		return refuse(p, E4PLUGIN_R_NO_IDENTITY, f, ev->client, ev->topic, "publish from");
	r = e4plugin_frame_check(p, layout, ev->payload, ev->payloadlen,
	                         layout == E4_MODE_PUBKEY ? id : NULL, now);
	if (r != 0)
		return refuse(p, r, f, ev->client, ev->topic, "publish from");
	p->memo.client = ev->client;
	p->memo.payload = ev->payload;
	p->memo.len = ev->payloadlen;
	p->memo.filter = f;
	p->memo.layout = layout;
	return allow(p);
}

/* ACL_CHECK with access WRITE. */
static int check_write(struct e4plugin *p, const struct mosquitto_evt_acl_check *ev)
{
	uint8_t id[E4_ID_LEN];
	enum e4plugin_topic_kind kind = e4plugin_topic_kind(ev->topic, id);
	int f;

	switch (kind) {
	case E4PLUGIN_T_MGMT:
		if (e4plugin_is_c2(p, ev->client) && strcmp(ev->topic, E4PLUGIN_CONTROL_TOPIC) == 0)
			return allow(p);
		return refuse(p, E4PLUGIN_R_MANAGEMENT, -1, ev->client, ev->topic, "publish from");
	case E4PLUGIN_T_CONTROL:
	case E4PLUGIN_T_E4_OTHER:
		if (!e4plugin_is_c2(p, ev->client))
			return refuse(p, E4PLUGIN_R_CONTROL_PUBLISH, -1, ev->client, ev->topic, "publish from");
		break;
	case E4PLUGIN_T_ACK:
		if (!is_device(p, ev->client, id))
			return refuse(p, E4PLUGIN_R_ACK_PUBLISH, -1, ev->client, ev->topic, "publish from");
		break;
	case E4PLUGIN_T_DATA:
		break;
	}
	f = e4plugin_protected(p, ev->topic);
	if (f < 0)
		return allow(p);
	return write_frame(p, ev, kind, f);
}

/* ACL_CHECK with access READ: who may receive a message. */
static int check_read(struct e4plugin *p, const struct mosquitto_evt_acl_check *ev)
{
	uint8_t id[E4_ID_LEN];

	switch (e4plugin_topic_kind(ev->topic, id)) {
	case E4PLUGIN_T_MGMT:
		if (e4plugin_is_c2(p, ev->client))
			return allow(p);
		return refuse(p, E4PLUGIN_R_MANAGEMENT, -1, ev->client, ev->topic, "delivery to");
	case E4PLUGIN_T_CONTROL:
		if (is_device(p, ev->client, id))
			return allow(p);
		return refuse(p, E4PLUGIN_R_CONTROL_READ, -1, ev->client, ev->topic, "delivery to");
	case E4PLUGIN_T_ACK:
		if (e4plugin_is_c2(p, ev->client))
			return allow(p);
		return refuse(p, E4PLUGIN_R_ACK_READ, -1, ev->client, ev->topic, "delivery to");
	default:
		return allow(p);
	}
}

/* ACL_CHECK with access SUBSCRIBE: topic is the filter. */
static int check_subscribe(struct e4plugin *p, const struct mosquitto_evt_acl_check *ev)
{
	uint8_t id[E4_ID_LEN];

	switch (e4plugin_topic_kind(ev->topic, id)) {
	case E4PLUGIN_T_MGMT:
		if (e4plugin_is_c2(p, ev->client))
			return allow(p);
		return refuse(p, E4PLUGIN_R_MANAGEMENT, -1, ev->client, ev->topic, "subscription from");
	case E4PLUGIN_T_ACK:
		if (e4plugin_is_c2(p, ev->client))
			return allow(p);
		return refuse(p, E4PLUGIN_R_CONTROL_SUBSCRIBE, -1, ev->client, ev->topic, "subscription from");
	case E4PLUGIN_T_CONTROL:
		if (!is_device(p, ev->client, id))
			return refuse(p, E4PLUGIN_R_CONTROL_SUBSCRIBE, -1, ev->client, ev->topic,
			              "subscription from");
		e4plugin_presence_online(p, ev->client, id);
		return allow(p);
	default:
		/* Wildcards may cover control topics: READ decides per message. */
		return allow(p);
	}
}

int e4plugin_acl_cb(int event, void *event_data, void *userdata)
{
	struct e4plugin *p = userdata;
	const struct mosquitto_evt_acl_check *ev = event_data;

	if (event != MOSQ_EVT_ACL_CHECK || ev == NULL || ev->topic == NULL)
		return MOSQ_ERR_ACL_DENIED;
	switch (ev->access) {
	case MOSQ_ACL_WRITE:
		/* Only the latest WRITE may vouch for the next MESSAGE. */
		memset(&p->memo, 0, sizeof(p->memo));
		return check_write(p, ev);
	case MOSQ_ACL_READ:
		return check_read(p, ev);
	case MOSQ_ACL_SUBSCRIBE:
		return check_subscribe(p, ev);
	case MOSQ_ACL_UNSUBSCRIBE:
		return allow(p);
	default:
		return MOSQ_ERR_ACL_DENIED;
	}
}

/* True for e4/<id> and e4/<id>/ack. */
static bool control_channel(const char *topic)
{
	uint8_t id[E4_ID_LEN];
	enum e4plugin_topic_kind k = e4plugin_topic_kind(topic, id);

	return k == E4PLUGIN_T_CONTROL || k == E4PLUGIN_T_ACK;
}

int e4plugin_message_cb(int event, void *event_data, void *userdata)
{
	struct e4plugin *p = userdata;
	const struct mosquitto_evt_message *ev = event_data;
	uint8_t id[E4_ID_LEN];
	uint64_t now;
	bool seen;
	int f, layout, r;

	if (event != MOSQ_EVT_MESSAGE || ev == NULL || ev->topic == NULL)
		return MOSQ_ERR_ACL_DENIED;
	seen = p->memo.client == ev->client && p->memo.payload == ev->payload &&
	       p->memo.len == ev->payloadlen && p->memo.client != NULL;
	if (seen) {
		/* The WRITE check just classified this very message. */
		f = p->memo.filter;
		layout = p->memo.layout;
	} else {
		f = e4plugin_protected(p, ev->topic);
		layout = f < 0 ? 0 : e4plugin_layout(p, e4plugin_topic_kind(ev->topic, id));
	}
	memset(&p->memo, 0, sizeof(p->memo));
	if (f < 0)
		return MOSQ_ERR_SUCCESS;
	now = (uint64_t)p->now();
	/* Not seen in WRITE: bridged; the sender binding cannot apply. */
	r = seen ? 0 : e4plugin_frame_check(p, layout, ev->payload, ev->payloadlen, NULL, now);
	/*
	 * No replay check on the control channel: only the C2 publishes
	 * commands and only the device its acks, devices refuse a command
	 * frame they already applied (and ack it as a duplicate), and the C2
	 * deliberately resends the identical frame when a command is not acked.
	 */
	if (r == 0 && !control_channel(ev->topic))
		r = e4plugin_frame_replay(p, layout, ev->topic, ev->payload, ev->payloadlen, now);
	if (r != 0)
		return refuse(p, r, f, ev->client, ev->topic, seen ? "publish from" : "bridged message from");
	e4plugin_stats_pass(p, f);
	return MOSQ_ERR_SUCCESS;
}

int e4plugin_disconnect_cb(int event, void *event_data, void *userdata)
{
	struct e4plugin *p = userdata;
	const struct mosquitto_evt_disconnect *ev = event_data;

	if (event != MOSQ_EVT_DISCONNECT || ev == NULL)
		return MOSQ_ERR_SUCCESS;
	e4plugin_presence_offline(p, ev->client);
	e4plugin_identity_forget(p, ev->client);
	/* Its address may come back as a bridge: never let a memo outlive it. */
	if (p->memo.client == ev->client)
		memset(&p->memo, 0, sizeof(p->memo));
	return MOSQ_ERR_SUCCESS;
}
