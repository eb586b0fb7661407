/*
 * options_dump.c - prints the plugin's options table, one option a line:
 * name, type, default and help.  The man page check compares it with
 * man/mosquitto-e4.7 and conf/mosquitto-e4.conf.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>

#include "e4plugin.h"

static const char *const type_names[] = { "filters", "string", "choice", "uint", "bool" };

/* Prints the table. */
int main(void)
{
	size_t i;

	for (i = 0; i < e4plugin_options_len; i++) {
		const struct e4plugin_option *o = &e4plugin_options[i];

		printf("%s\t%s\t%s\t%s\n", o->name, type_names[o->type],
		       o->def != NULL ? (*o->def != '\0' ? o->def : "(empty)") : "(required)", o->help);
	}
	return 0;
}
