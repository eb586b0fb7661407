## sdk/tools/: the e4 command and the libmosquitto helper library (issue 3)

bin_PROGRAMS += sdk/tools/e4
sdk_tools_e4_SOURCES = \
	sdk/tools/tool.h \
	sdk/tools/main.c \
	sdk/tools/opts.c \
	sdk/tools/io.c \
	sdk/tools/devstore.c \
	sdk/tools/cmd_frame.c \
	sdk/tools/cmd_device.c
sdk_tools_e4_CPPFLAGS = $(AM_CPPFLAGS) $(SODIUM_CFLAGS)
sdk_tools_e4_LDADD = sdk/libe4core.la $(SODIUM_LIBS)

if HAVE_LIBMOSQ
# libe4mqtt: the optional libmosquitto helper (e4/mqtt.h), its own library.
e4include_HEADERS += sdk/include/e4/mqtt.h
lib_LTLIBRARIES += sdk/tools/libe4mqtt.la
sdk_tools_libe4mqtt_la_SOURCES = sdk/tools/mqtt.c
sdk_tools_libe4mqtt_la_CPPFLAGS = $(AM_CPPFLAGS) $(MOSQ_CFLAGS)
sdk_tools_libe4mqtt_la_LIBADD = sdk/libe4.la $(MOSQ_LIBS)
sdk_tools_libe4mqtt_la_LDFLAGS = $(AM_LDFLAGS) -version-info $(E4_LT_VERSION) \
	-export-symbols-regex '^e4_mqtt_'
pkgconfig_DATA += sdk/tools/libe4mqtt.pc
CLEANFILES += sdk/tools/libe4mqtt.pc
sdk/tools/libe4mqtt.pc: $(top_srcdir)/sdk/tools/libe4mqtt.pc.in Makefile
	$(AM_V_GEN)$(MKDIR_P) sdk/tools && sed -e 's|[@]prefix[@]|$(prefix)|' \
	  -e 's|[@]exec_prefix[@]|$(exec_prefix)|' -e 's|[@]libdir[@]|$(libdir)|' \
	  -e 's|[@]includedir[@]|$(includedir)|' -e 's|[@]VERSION[@]|$(VERSION)|' \
	  $(top_srcdir)/sdk/tools/libe4mqtt.pc.in >$@

# e4 links the helper's source with the SDK objects (one copy of the SDK).
sdk_tools_e4_SOURCES += sdk/tools/mqtt_tool.h sdk/tools/mqtt_conn.c sdk/tools/cmd_mqtt.c \
	sdk/tools/cmd_pub.c sdk/tools/mqtt.c
sdk_tools_e4_CPPFLAGS += $(MOSQ_CFLAGS)
sdk_tools_e4_LDADD += $(MOSQ_LIBS)

# The shared libe4mqtt, linked as an application would.
check_PROGRAMS += tests/tools/mqttlib
tests_tools_mqttlib_SOURCES = tests/tools/mqttlib.c
tests_tools_mqttlib_CPPFLAGS = $(AM_CPPFLAGS) $(MOSQ_CFLAGS)
tests_tools_mqttlib_LDADD = sdk/tools/libe4mqtt.la sdk/libe4.la $(MOSQ_LIBS)
TESTS += tests/tools/mqttlib
else
sdk_tools_e4_SOURCES += sdk/tools/nomqtt.c
endif
EXTRA_DIST += tests/tools/mqttlib.c sdk/tools/libe4mqtt.pc.in sdk/tools/nomqtt.c sdk/tools/cmd_mqtt.c sdk/tools/mqtt.c \
	sdk/tools/mqtt_tool.h sdk/tools/mqtt_conn.c sdk/tools/cmd_pub.c \
	sdk/include/e4/mqtt.h

## Tests of the e4 command (tests/tools/).  The MQTT ones need libmosquitto
## and the broker: without them they fail, they never skip.
TESTS += tests/tools/cli.sh tests/tools/device.sh tests/tools/pubkey.sh tests/tools/mqtt.sh tests/tools/mqtt-auth.sh \
	tests/tools/mqtt-ops.sh tests/tools/mqtt-flags.sh
EXTRA_DIST += tests/tools/lib.sh tests/tools/cli.sh tests/tools/device.sh tests/tools/pubkey.sh tests/tools/mqtt.sh tests/tools/mqtt-auth.sh \
	tests/tools/mqtt-ops.sh tests/tools/mqtt-flags.sh

# Test helper: opens an ack frame (tests/tools/*.sh).
check_PROGRAMS += tests/tools/ackcheck
tests_tools_ackcheck_SOURCES = tests/tools/ackcheck.c
tests_tools_ackcheck_LDADD = sdk/libe4core.la

## Man pages of the e4 command, the protocol and the SDK overview.
dist_man_MANS += man/e4.1 man/e4-protocol.7 man/libe4.3
