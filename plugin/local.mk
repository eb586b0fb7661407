## plugin/: mosquitto_e4.so, the E4 firewall plugin for mosquitto 2.0 (v5 API).
## It links the SDK's wire format (sdk/libe4core.la) and holds no key.

if ENABLE_PLUGIN
# Every source but the entry points: the unit tests and fuzzers link these
# against tests/stubs/ instead of the broker.
E4PLUGIN_CORE_SOURCES = \
	plugin/e4plugin.h \
	plugin/instance.c \
	plugin/options.c \
	plugin/topic.c \
	plugin/identity.c \
	plugin/framecheck.c \
	plugin/hash.c \
	plugin/replay.c \
	plugin/acl.c \
	plugin/devices.c \
	plugin/presence.c \
	plugin/control.c \
	plugin/state.c \
	plugin/stats.c \
	plugin/log.c

mosquittoplugindir = $(libdir)/mosquitto
mosquittoplugin_LTLIBRARIES = plugin/mosquitto_e4.la
plugin_mosquitto_e4_la_SOURCES = plugin/plugin.c plugin/brokerconf.c $(E4PLUGIN_CORE_SOURCES)
plugin_mosquitto_e4_la_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
plugin_mosquitto_e4_la_LIBADD = sdk/libe4core.la $(CJSON_LIBS)
# No -no-undefined and no -lmosquitto: the broker provides mosquitto_*.
plugin_mosquitto_e4_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared \
	-export-symbols-regex '^mosquitto_plugin_(version|init|cleanup)$$'

dist_noinst_DATA += conf/mosquitto-e4.conf
dist_man_MANS += man/mosquitto-e4.7

# Test helper: prints E4 frames made with the SDK (the integration tests'
# stand-in for the e4 command).
check_PROGRAMS += tests/plugin/e4frame
tests_plugin_e4frame_SOURCES = tests/plugin/e4frame.c
tests_plugin_e4frame_LDADD = sdk/libe4core.la

# Prints the options table (the man page check compares it with the page).
check_PROGRAMS += tests/plugin/e4plugin-options
tests_plugin_e4plugin_options_SOURCES = tests/plugin/options_dump.c \
	plugin/options.c plugin/topic.c plugin/e4plugin.h
tests_plugin_e4plugin_options_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugin
tests_plugin_e4plugin_options_LDADD = sdk/libe4core.la

if HAVE_CHECK
check_PROGRAMS += tests/plugin/test_plugin
tests_plugin_test_plugin_SOURCES = tests/plugin/test_plugin.c tests/plugin/test_policy.c \
	tests/plugin/test_replay.c \
	tests/plugin/test_control.c tests/plugin/test_util.h plugin/plugin.c plugin/brokerconf.c \
	$(E4PLUGIN_CORE_SOURCES) tests/stubs/mosquitto_stubs.c tests/stubs/mosquitto_stubs.h
tests_plugin_test_plugin_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugin -I$(top_srcdir)/tests/stubs
tests_plugin_test_plugin_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(CHECK_CFLAGS)
tests_plugin_test_plugin_LDADD = sdk/libe4core.la $(CJSON_LIBS) $(CHECK_LIBS)
TESTS += tests/plugin/test_plugin
endif

E4PLUGIN_TEST_SH = \
	tests/plugin/exports.sh \
	tests/plugin/options.sh \
	tests/plugin/symkey.sh \
	tests/plugin/control.sh \
	tests/plugin/pubkey.sh \
	tests/plugin/defer.sh \
	tests/plugin/bridge.sh \
	tests/plugin/resend.sh \
	tests/plugin/will.sh \
	tests/plugin/evict.sh \
	tests/plugin/retain.sh \
	tests/plugin/shared.sh \
	tests/plugin/brokerconf.sh
TESTS += $(E4PLUGIN_TEST_SH)
EXTRA_DIST += $(E4PLUGIN_TEST_SH) tests/plugin/lib-plugin.sh tests/plugin/mqttraw.py \
	tests/plugin/shared.py

# libFuzzer targets (clang): make fuzz-plugin builds them, then run e.g.
# tests/fuzz/fuzz_plugin_frame -max_total_time=60
E4PLUGIN_FUZZ_SRC = plugin/instance.c plugin/options.c plugin/topic.c plugin/identity.c \
	plugin/hash.c plugin/replay.c \
	plugin/framecheck.c plugin/acl.c plugin/devices.c plugin/presence.c plugin/control.c \
	plugin/state.c plugin/stats.c plugin/log.c tests/stubs/mosquitto_stubs.c \
	sdk/src/util.c sdk/src/siv.c sdk/src/frame.c sdk/src/replay.c sdk/src/command.c \
	sdk/src/client.c sdk/src/recv.c sdk/src/state.c sdk/src/store/file.c sdk/src/crypto/openssl.c \
	sdk/src/crypto/sodium.c
E4PLUGIN_FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -DHAVE_CONFIG_H \
	-I$(abs_top_builddir) -I$(abs_top_srcdir)/sdk/include -I$(abs_top_srcdir)/sdk/src \
	-I$(abs_top_srcdir)/plugin -I$(abs_top_srcdir)/tests/stubs $(CJSON_CFLAGS) $(OPENSSL_CFLAGS) $(SODIUM_CFLAGS)
E4PLUGIN_FUZZ_LIBS = $(CJSON_LIBS) $(OPENSSL_LIBS) $(SODIUM_LIBS) -lpthread
EXTRA_DIST += tests/fuzz/fuzz_plugin_frame.c tests/fuzz/fuzz_plugin_control.c \
	tests/fuzz/fuzz_plugin_control.dict
fuzz-plugin: tests/fuzz/fuzz_plugin_frame tests/fuzz/fuzz_plugin_control tests/fuzz/plugin-control.seed

# Seed requests for the control fuzzer (JSON is hard to find blind), where
# scripts/fuzz-campaign.sh looks for them; its dictionary is
# tests/fuzz/fuzz_plugin_control.dict in the sources.
tests/fuzz/plugin-control.seed:
	@mkdir -p tests/fuzz/seed/plugin_control
	printf '%s' '{"commands":[{"command":"getStatistics","correlationData":"1"}]}' \
		>tests/fuzz/seed/plugin_control/stats
	printf '%s' '{"commands":[{"command":"setDevicePubKey","id":"00112233445566778899aabbccddeeff","pubkey":"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"},{"command":"listDevices","offset":0,"count":5}]}' \
		>tests/fuzz/seed/plugin_control/set-list
	printf '%s' '{"commands":[{"command":"removeDevicePubKey","id":"00112233445566778899aabbccddeeff"}]}' \
		>tests/fuzz/seed/plugin_control/remove
	touch $@
tests/fuzz/fuzz_plugin_frame: $(top_srcdir)/tests/fuzz/fuzz_plugin_frame.c
	@mkdir -p tests/fuzz
	cd $(abs_top_srcdir) && $(CLANG) $(E4PLUGIN_FUZZ_FLAGS) -o $(abs_top_builddir)/$@ \
		tests/fuzz/fuzz_plugin_frame.c $(E4PLUGIN_FUZZ_SRC) $(E4PLUGIN_FUZZ_LIBS)
tests/fuzz/fuzz_plugin_control: $(top_srcdir)/tests/fuzz/fuzz_plugin_control.c
	@mkdir -p tests/fuzz
	cd $(abs_top_srcdir) && $(CLANG) $(E4PLUGIN_FUZZ_FLAGS) -o $(abs_top_builddir)/$@ \
		tests/fuzz/fuzz_plugin_control.c $(E4PLUGIN_FUZZ_SRC) $(E4PLUGIN_FUZZ_LIBS)
CLEANFILES += tests/fuzz/fuzz_plugin_frame tests/fuzz/fuzz_plugin_control \
	tests/fuzz/plugin-control.seed
endif
.PHONY: fuzz-plugin

