/*
 * acl.c - E4 policy in the broker's ACL_CHECK, MESSAGE and DISCONNECT events.
 *
 * Order in mosquitto 2.0.11: ACL_CHECK(WRITE) when a PUBLISH (or a Will)
 * arrives, then MESSAGE once before fan-out (also for bridged messages,
 * which skip ACL checks), then ACL_CHECK(READ) per subscriber.  The
 * stateless frame checks run in WRITE; the replay check, which must see
 * each message once, runs in MESSAGE.  A message MESSAGE did not see in
 * WRITE (bridge traffic) gets the stateless checks there too, so every
 * refusal is counted once.
 *
 * The replay check runs in WRITE: mosquitto 2.0.11 checks a Will (WRITE,
 * with its payload) when it sends it and no MESSAGE follows, so a check
 * left to MESSAGE would let a captured frame through as a Will.  WRITE is
 * also run again, with the stored publisher's client id and username, for
 * each new subscriber of a retained message, and mosquitto hands an MQTT
 * 5 QoS 2 resend (DUP, same packet id) to the plugin before its own
 * duplicate detection.  So the cache remembers who sent each frame: the
 * same frame from another publisher is a replay; from its own publisher
 * it is a resend, allowed (mosquitto drops a QoS 2 duplicate itself), and
 * for QoS 0 and 1, which mosquitto would deliver again, kept from the
 * subscribers by the READ checks that follow MESSAGE in the same call.
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
                       enum e4plugin_topic_kind kind, int f, size_t topic_len)
{
	int layout = e4plugin_layout(p, kind);
	uint64_t now = (uint64_t)p->now();
	struct e4plugin_clientinfo tmp, *c = NULL;
	uint8_t id[E4_ID_LEN];
	int r;

	bool resend = false;

	/* MQTT's way to delete a retained message: there is no frame to check. */
	if (ev->payloadlen == 0 && ev->retain) {
		p->memo.clear = true;
		goto memo;
	}
	/* One lookup (and one comparison of the names) for the id and the fingerprint. */
	if (ev->client != NULL)
		c = e4plugin_client_info(p, ev->client, &tmp);
	if (layout == E4_MODE_PUBKEY && (c == NULL || e4plugin_info_id(p, c, id) != 0))
		return refuse(p, E4PLUGIN_R_NO_IDENTITY, f, ev->client, ev->topic, "publish from");
	r = e4plugin_frame_check(p, layout, ev->payload, ev->payloadlen,
	                         layout == E4_MODE_PUBKEY ? id : NULL, now);
	/*
	 * No replay check on the control channel: only the C2 publishes
	 * commands and only the device its acks, devices refuse a command
	 * frame they already applied (and ack it as a duplicate), and the C2
	 * deliberately resends the identical frame when a command is not acked.
	 */
	if (r == 0 && kind != E4PLUGIN_T_CONTROL && kind != E4PLUGIN_T_ACK)
		r = e4plugin_frame_replay(p, layout, ev->topic, topic_len, ev->payload, ev->payloadlen,
		                          c != NULL ? c->who : e4plugin_publisher(p, NULL), &resend);
	if (r != 0)
		return refuse(p, r, f, ev->client, ev->topic, "publish from");
	p->memo.resend = resend;
memo:
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
	enum e4plugin_topic_kind kind = e4plugin_topic_kind_fast(ev->topic, id);
	size_t topic_len;
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
	topic_len = strlen(ev->topic);
	f = e4plugin_protected(p, ev->topic, topic_len);
	if (f >= 0)
		return write_frame(p, ev, kind, f, topic_len);
	/* MESSAGE need not match the filters again. */
	p->memo.client = ev->client;
	p->memo.payload = ev->payload;
	p->memo.len = ev->payloadlen;
	p->memo.filter = -1;
	return allow(p);
}

/* ACL_CHECK with access READ: who may receive a message. */
static int check_read(struct e4plugin *p, const struct mosquitto_evt_acl_check *ev)
{
	uint8_t id[E4_ID_LEN];

	/* A resend MESSAGE let through: its first copy was delivered already. */
	if (p->resend.payload != NULL && ev->payload == p->resend.payload &&
	    ev->payloadlen == p->resend.len)
		return MOSQ_ERR_ACL_DENIED;
	switch (e4plugin_topic_kind_fast(ev->topic, id)) {
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

/* 1 when filter matches some topic the kind of `suffix` ("" or "/ack") after e4/<id>. */
static int may_match_e4(const char *filter, const char *suffix, uint8_t id[E4_ID_LEN], bool *one_id)
{
	char topic[3 + 2 * E4_ID_LEN + 5];
	const char *seg = strchr(filter, '/');
	size_t i;

	/* A literal id in the second level is the only one the filter can match. */
	*one_id = seg != NULL && strncmp(filter, "e4/", 3) == 0 && strlen(seg + 1) >= 2 * E4_ID_LEN &&
	          (seg[1 + 2 * E4_ID_LEN] == '\0' || seg[1 + 2 * E4_ID_LEN] == '/');
	memcpy(topic, "e4/", 3);
	for (i = 0; i < 2 * E4_ID_LEN; i++)
		topic[3 + i] = *one_id ? seg[1 + i] : '0';
	strcpy(topic + 3 + 2 * E4_ID_LEN, suffix);
	if (*one_id && e4plugin_topic_kind(topic, id) == E4PLUGIN_T_DATA)
		*one_id = false;
	return e4plugin_topic_matches(filter, topic);
}

/*
 * $share/GROUP/FILTER: mosquitto gives each member of the group its turn
 * of the messages, and a turn the READ check refuses is lost for the
 * group.  So a shared filter that can match a control-channel or
 * management topic is granted only to a client that may read every topic
 * it can match.
 */
static int check_shared(struct e4plugin *p, const struct mosquitto_evt_acl_check *ev)
{
	const char *group = ev->topic + 7, *filter = strchr(group, '/');
	uint8_t id[E4_ID_LEN];
	bool one_id, ctl, ack;

	if (filter == NULL || filter == group || filter[1] == '\0')
		return refuse(p, E4PLUGIN_R_CONTROL_SUBSCRIBE, -1, ev->client, ev->topic, "subscription from");
	filter++;
	if (e4plugin_topic_kind(filter, id) == E4PLUGIN_T_MGMT || strncmp(filter, "$CONTROL/", 9) == 0) {
		if (e4plugin_is_c2(p, ev->client))
			return allow(p);
		return refuse(p, E4PLUGIN_R_MANAGEMENT, -1, ev->client, ev->topic, "subscription from");
	}
	ack = may_match_e4(filter, "/ack", id, &one_id);
	ctl = may_match_e4(filter, "", id, &one_id);
	if (ctl && !ack && one_id && is_device(p, ev->client, id))
		return allow(p);
	if (ack && !ctl && e4plugin_is_c2(p, ev->client))
		return allow(p);
	if (ctl || ack)
		return refuse(p, E4PLUGIN_R_CONTROL_SUBSCRIBE, -1, ev->client, ev->topic, "subscription from");
	return allow(p);
}

/* ACL_CHECK with access SUBSCRIBE: topic is the filter. */
static int check_subscribe(struct e4plugin *p, const struct mosquitto_evt_acl_check *ev)
{
	uint8_t id[E4_ID_LEN];

	if (strncmp(ev->topic, "$share/", 7) == 0)
		return check_shared(p, ev);
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
		memset(&p->resend, 0, sizeof(p->resend));
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

/* MESSAGE for a message no WRITE check saw: bridged (bridges skip ACL checks). */
static int message_bridged(struct e4plugin *p, const struct mosquitto_evt_message *ev)
{
	uint8_t id[E4_ID_LEN];
	enum e4plugin_topic_kind kind;
	size_t topic_len = strlen(ev->topic);
	int f = e4plugin_protected(p, ev->topic, topic_len), layout, r;

	if (f < 0 || (ev->payloadlen == 0 && ev->retain))
		return MOSQ_ERR_SUCCESS;
	kind = e4plugin_topic_kind(ev->topic, id);
	layout = e4plugin_layout(p, kind);
	/* The sender binding cannot apply; every publisher behind a bridge looks alike. */
	r = e4plugin_frame_check(p, layout, ev->payload, ev->payloadlen, NULL, (uint64_t)p->now());
	if (r == 0 && kind != E4PLUGIN_T_CONTROL && kind != E4PLUGIN_T_ACK)
		r = e4plugin_frame_replay(p, layout, ev->topic, topic_len, ev->payload, ev->payloadlen,
		                          e4plugin_publisher(p, ev->client), NULL);
	if (r != 0)
		return refuse(p, r, f, ev->client, ev->topic, "bridged message from");
	e4plugin_stats_pass(p, f);
	return MOSQ_ERR_SUCCESS;
}

int e4plugin_message_cb(int event, void *event_data, void *userdata)
{
	struct e4plugin *p = userdata;
	const struct mosquitto_evt_message *ev = event_data;
	struct e4plugin_memo m;

	if (event != MOSQ_EVT_MESSAGE || ev == NULL || ev->topic == NULL)
		return MOSQ_ERR_ACL_DENIED;
	m = p->memo;
	memset(&p->memo, 0, sizeof(p->memo));
	memset(&p->resend, 0, sizeof(p->resend));
	if (m.client == NULL || m.client != ev->client || m.payload != ev->payload ||
	    m.len != ev->payloadlen)
		return message_bridged(p, ev);
	/* The WRITE check just classified and checked this very message. */
	if (m.filter < 0 || m.clear)
		return MOSQ_ERR_SUCCESS;
	if (m.resend) {
		/* Counted when it first passed. */
		if (ev->qos < 2) {
			p->resend.payload = ev->payload;
			p->resend.len = ev->payloadlen;
		}
		return MOSQ_ERR_SUCCESS;
	}
	e4plugin_stats_pass(p, m.filter);
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
	memset(&p->resend, 0, sizeof(p->resend));
	return MOSQ_ERR_SUCCESS;
}
