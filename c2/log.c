/*
 * log.c - JSON-line logging to stderr (journald adds its own metadata).
 * Messages never contain key material; untrusted strings are escaped.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "c2.h"

static int log_level = C2_LOG_INFO;
static const char *const level_names[] = { "error", "warn", "info", "debug" };

void c2_log_set_level(int level)
{
	log_level = level;
}

void c2_json_escape(char *out, size_t cap, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (cap == 0)
		return;
	for (; *s != '\0' && o + 7 < cap; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\') {
			out[o++] = '\\';
			out[o++] = (char)ch;
		} else if (ch < 0x20 || ch == 0x7f) {
			out[o++] = '\\';
			out[o++] = 'u';
			out[o++] = '0';
			out[o++] = '0';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		} else {
			out[o++] = (char)ch;
		}
	}
	out[o] = '\0';
}

int64_t c2_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void c2_log(int level, const char *event, const char *fmt, ...)
{
	char msg[1024], esc[2048];
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c2_json_escape(esc, sizeof(esc), msg);
	fprintf(stderr, "{\"ts\":%.3f,\"level\":\"%s\",\"event\":\"%s\",\"msg\":\"%s\"}\n",
	        (double)c2_now_ms() / 1000.0, level_names[level], event, esc);
	fflush(stderr);
}
