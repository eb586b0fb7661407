/*
 * fuzz_c2_conf.c - libFuzzer target: the e4c2d.conf parser.  Any input is
 * either accepted with every value within its option's bounds, or refused
 * with a message and the configuration unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "c2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct c2_conf conf, before;
	char err[C2_ERR_MAX];

	c2_conf_defaults(&conf);
	before = conf;
	if (c2_conf_parse(&conf, (const char *)data, len, err, sizeof(err)) != 0) {
		if (err[0] == '\0' || memcmp(&conf, &before, sizeof(conf)) != 0)
			abort();
		return 0;
	}
	if (conf.mqtt_port < 1 || conf.mqtt_port > 65535 || conf.mqtt_qos < 1 || conf.mqtt_qos > 2 ||
	    conf.ack_timeout < 1 || (conf.mode != 1 && conf.mode != 2) ||
	    memchr(conf.database, '\0', sizeof(conf.database)) == NULL)
		abort();
	return 0;
}
