## c2/: the key-management daemon e4c2d and its command line e4c2.
if ENABLE_C2

C2_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/c2 $(SQLITE_CFLAGS) $(CJSON_CFLAGS) \
	$(MOSQ_CFLAGS) $(SODIUM_CFLAGS)
C2_LIBS = c2/libc2.la sdk/libe4core.la $(SQLITE_LIBS) $(CJSON_LIBS) $(SODIUM_LIBS)

# Everything but the entry points and the MQTT transport, shared by the
# daemon, the CLI, the unit tests and the fuzz targets.
noinst_LTLIBRARIES += c2/libc2.la
c2_libc2_la_SOURCES = c2/c2.h c2/engine.h c2/api.h c2/db_priv.h c2/db_sqlite.h \
	c2/options.c c2/conf.c c2/log.c c2/secret.c c2/schema.c c2/db.c c2/db_outbox.c \
	c2/commands.h c2/commands.c c2/rotation.c c2/outbox.c c2/auto.c c2/export.c c2/api.c \
	c2/import.c
c2_libc2_la_CPPFLAGS = $(C2_CPPFLAGS)

sbin_PROGRAMS += c2/e4c2d
c2_e4c2d_SOURCES = c2/main.c c2/mqtt.c c2/mqtt.h c2/apisock.c
c2_e4c2d_CPPFLAGS = $(C2_CPPFLAGS)
c2_e4c2d_LDADD = $(C2_LIBS) $(MOSQ_LIBS)

bin_PROGRAMS += c2/e4c2
c2_e4c2_SOURCES = c2/cli.c c2/cli.h c2/cli_bulk.c
c2_e4c2_CPPFLAGS = $(C2_CPPFLAGS)
c2_e4c2_LDADD = $(C2_LIBS)

endif

if ENABLE_C2
# Simulated devices for the integration tests and benchmarks.
check_PROGRAMS += tests/c2/e4devsim
tests_c2_e4devsim_SOURCES = tests/c2/e4devsim.c
tests_c2_e4devsim_CPPFLAGS = $(AM_CPPFLAGS) $(MOSQ_CFLAGS)
tests_c2_e4devsim_LDADD = sdk/libe4core.la $(MOSQ_LIBS)
endif

if ENABLE_C2
# Integration tests: real mosquitto, e4c2d, e4c2 and simulated devices.
C2_IT = tests/c2/it-basic.sh tests/c2/it-rotation.sh tests/c2/it-offline.sh tests/c2/it-crash.sh \
	tests/c2/it-pubkey.sh tests/c2/it-ops.sh tests/c2/it-clockless.sh tests/c2/it-retire.sh \
	tests/c2/it-import.sh
C2_IT += tests/c2/it-audit.sh
TESTS += $(C2_IT)
EXTRA_DIST += $(C2_IT) tests/c2/lib-c2.sh
endif

if ENABLE_C2
# The options table against the man page and the sample configuration.
TESTS += tests/c2/check-options.sh
EXTRA_DIST += tests/c2/check-options.sh
endif
dist_man_MANS += man/e4c2d.8 man/e4c2.1 man/e4c2d.conf.5
dist_noinst_DATA += conf/e4c2d.conf conf/e4c2d.service

if ENABLE_C2
if HAVE_CHECK
# Unit tests: in-memory SQLite, a fake transport, SDK devices in process.
check_PROGRAMS += tests/c2/check_c2
TESTS += tests/c2/check_c2
tests_c2_check_c2_SOURCES = tests/c2/check_c2.c
tests_c2_check_c2_CPPFLAGS = $(C2_CPPFLAGS) $(CHECK_CFLAGS)
tests_c2_check_c2_LDADD = $(C2_LIBS) $(CHECK_LIBS)
endif
endif

# ---- fuzzing (not part of make check): make fuzz-c2 [FUZZ_C2_SECONDS=N] ----
# The C2 and SDK sources are compiled by clang with the fuzzer and the
# sanitizers in one rule, so no gcc object is mixed in.
FUZZ_C2_TARGETS = conf api ack import
FUZZ_C2_BINS = tests/fuzz/fuzz_c2_conf tests/fuzz/fuzz_c2_api tests/fuzz/fuzz_c2_ack \
	tests/fuzz/fuzz_c2_import
FUZZ_C2_SRCS = $(srcdir)/c2/options.c $(srcdir)/c2/conf.c $(srcdir)/c2/log.c \
	$(srcdir)/c2/secret.c $(srcdir)/c2/schema.c $(srcdir)/c2/db.c $(srcdir)/c2/db_outbox.c \
	$(srcdir)/c2/commands.c $(srcdir)/c2/rotation.c $(srcdir)/c2/outbox.c $(srcdir)/c2/auto.c $(srcdir)/c2/export.c \
	$(srcdir)/c2/api.c $(srcdir)/c2/import.c
FUZZ_C2_SECONDS = 20
EXTRA_DIST += tests/fuzz/fuzz_c2_conf.c tests/fuzz/fuzz_c2_api.c tests/fuzz/fuzz_c2_ack.c \
	tests/fuzz/fuzz_c2_import.c \
	tests/fuzz/fuzz_c2_api.dict

$(FUZZ_C2_BINS): tests/fuzz/fuzz_c2_%: $(srcdir)/tests/fuzz/fuzz_c2_%.c $(FUZZ_C2_SRCS) $(FUZZ_SDK_SRCS)
	@test -n "$(CLANG)" || { echo "make fuzz-c2 needs clang" >&2; exit 1; }
	$(AM_V_CC)$(MKDIR_P) tests/fuzz && \
	$(CLANG) -g -O1 -std=gnu99 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -DHAVE_CONFIG_H -I$(top_builddir) \
		-I$(top_srcdir)/sdk/include -I$(top_srcdir)/sdk/src -I$(top_srcdir)/c2 \
		$(OPENSSL_CFLAGS) $(SODIUM_CFLAGS) $(SQLITE_CFLAGS) $(CJSON_CFLAGS) -o $@ \
		$< $(FUZZ_C2_SRCS) $(FUZZ_SDK_SRCS) $(SQLITE_LIBS) $(CJSON_LIBS) \
		$(OPENSSL_LIBS) $(SODIUM_LIBS) -lpthread

# Runs each C2 fuzzer for FUZZ_C2_SECONDS from an empty corpus plus seeds.
fuzz-c2: $(FUZZ_C2_BINS)
	@for t in $(FUZZ_C2_TARGETS); do \
		rm -rf tests/fuzz/work-c2/$$t && $(MKDIR_P) tests/fuzz/work-c2/$$t && \
		echo "fuzz_c2_$$t: $(FUZZ_C2_SECONDS) s" && \
		dict=; [ $$t = api ] && dict=-dict=$(srcdir)/tests/fuzz/fuzz_c2_api.dict; \
		tests/fuzz/fuzz_c2_$$t $$dict -max_total_time=$(FUZZ_C2_SECONDS) -print_final_stats=1 \
			-artifact_prefix=tests/fuzz/work-c2/$$t- tests/fuzz/work-c2/$$t \
			>tests/fuzz/work-c2/$$t.log 2>&1 || { tail -n 40 tests/fuzz/work-c2/$$t.log; exit 1; }; \
		grep -E 'stat::number_of_executed_units' tests/fuzz/work-c2/$$t.log; \
	done

clean-local: clean-c2-fuzz
clean-c2-fuzz:
	rm -rf tests/fuzz/work-c2 $(FUZZ_C2_BINS)

.PHONY: fuzz-c2 clean-c2-fuzz
