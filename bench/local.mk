## bench/: benchmark programs, run by `make bench` (not part of make check).
EXTRA_PROGRAMS = bench/bench-sdk
if HAVE_LIBMOSQ
EXTRA_PROGRAMS += bench/bench-broker
bench_bench_broker_SOURCES = bench/bench-broker.c
bench_bench_broker_CFLAGS = $(AM_CFLAGS) $(MOSQ_CFLAGS) $(SODIUM_CFLAGS)
bench_bench_broker_LDADD = sdk/libe4core.la $(MOSQ_LIBS) $(SODIUM_LIBS)
EXTRA_PROGRAMS += bench/bench-fleet
bench_bench_fleet_SOURCES = bench/bench-fleet.c
bench_bench_fleet_CFLAGS = $(AM_CFLAGS) $(MOSQ_CFLAGS)
bench_bench_fleet_LDADD = sdk/libe4core.la $(MOSQ_LIBS)
endif
EXTRA_PROGRAMS += bench/bench-stack
bench_bench_stack_SOURCES = bench/bench-stack.c
bench_bench_stack_CPPFLAGS = $(AM_CPPFLAGS) $(SODIUM_CFLAGS)
bench_bench_stack_LDADD = sdk/libe4core.la $(SODIUM_LIBS) -lpthread
bench_bench_sdk_SOURCES = bench/bench-sdk.c
bench_bench_sdk_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(SODIUM_CFLAGS)
bench_bench_sdk_LDADD = sdk/libe4core.la $(OPENSSL_LIBS) $(SODIUM_LIBS)
if ENABLE_PLUGIN
# The plugin's checks per message, in process (its sources against the broker stubs).
EXTRA_PROGRAMS += bench/bench-plugin
bench_bench_plugin_SOURCES = bench/bench-plugin.c \
	$(E4PLUGIN_CORE_SOURCES) tests/stubs/mosquitto_stubs.c tests/stubs/mosquitto_stubs.h
bench_bench_plugin_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugin -I$(top_srcdir)/tests/stubs
bench_bench_plugin_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
bench_bench_plugin_LDADD = sdk/libe4core.la $(CJSON_LIBS)
endif
if ENABLE_C2
# The C2 engine's cost per device rotated, devices in process (no broker).
EXTRA_PROGRAMS += bench/bench-c2engine
bench_bench_c2engine_SOURCES = bench/bench-c2engine.c
bench_bench_c2engine_CPPFLAGS = $(C2_CPPFLAGS)
bench_bench_c2engine_LDADD = $(C2_LIBS)
endif
CLEANFILES += $(EXTRA_PROGRAMS)
EXTRA_DIST += bench/run.sh bench/broker.sh bench/c2.sh bench/c2-batch.py

bench_programs = bench/bench-sdk bench/bench-stack
if HAVE_LIBMOSQ
bench_programs += bench/bench-broker bench/bench-fleet
endif
if ENABLE_PLUGIN
bench_programs += bench/bench-plugin
endif
if ENABLE_C2
bench_programs += bench/bench-c2engine
endif
bench: $(bench_programs) c2/e4c2d c2/e4c2
	BENCH_DIR=$(abs_top_builddir)/bench BUILD_DIR=$(abs_top_builddir) SRC_DIR=$(abs_top_srcdir) sh $(top_srcdir)/bench/run.sh
.PHONY: bench
