/*
 * log.c - refusal logging: rate-limited, with untrusted strings (topics,
 * client ids) escaped so a client cannot forge or flood log lines.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include "e4plugin.h"

void e4plugin_log_escape(char *out, size_t cap, const char *in)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, n = 0;

	if (cap == 0)
		return;
	if (in == NULL)
		in = "(none)";
	for (; *in != '\0'; in++, n++) {
		unsigned char c = (unsigned char)*in;
		int plain = c >= 0x20 && c < 0x7f && c != '\\' && c != '"';
		size_t need = plain ? 1 : 4;

		if (n >= E4PLUGIN_LOG_STRING_MAX || o + need + 4 > cap) {
			if (o + 4 <= cap) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (plain) {
			out[o++] = (char)c;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o < cap ? o : cap - 1] = '\0';
}

void e4plugin_log_refusal(struct e4plugin *p, int reason, const struct mosquitto *client,
                          const char *topic, const char *what)
{
	char who[4 * E4PLUGIN_LOG_STRING_MAX + 8], where[4 * E4PLUGIN_LOG_STRING_MAX + 8];
	time_t now = p->now();

	if (now != p->log.window) {
		if (p->log.suppressed > 0)
			mosquitto_log_printf(MOSQ_LOG_NOTICE, "e4: %llu refusals not logged (rate limit)",
			                     (unsigned long long)p->log.suppressed);
		p->log.window = now;
		p->log.lines = 0;
		p->log.suppressed = 0;
	}
	if (p->log.lines >= E4PLUGIN_LOG_PER_SECOND) {
		p->log.suppressed++;
		return;
	}
	p->log.lines++;
	e4plugin_log_escape(who, sizeof(who), client != NULL ? mosquitto_client_id(client) : "(bridge)");
	e4plugin_log_escape(where, sizeof(where), topic);
	mosquitto_log_printf(MOSQ_LOG_NOTICE, "e4: refused %s \"%s\" on \"%s\": %s", what, who,
	                     where, e4plugin_reason_name(reason));
}
