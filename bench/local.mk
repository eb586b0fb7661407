## bench/: benchmark programs, run by `make bench` (not part of make check).
EXTRA_PROGRAMS = bench/bench-sdk
bench_bench_sdk_SOURCES = bench/bench-sdk.c
bench_bench_sdk_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(SODIUM_CFLAGS)
bench_bench_sdk_LDADD = sdk/libe4core.la $(OPENSSL_LIBS) $(SODIUM_LIBS)
CLEANFILES += $(EXTRA_PROGRAMS)
EXTRA_DIST += bench/run.sh

bench_programs = bench/bench-sdk
bench: $(bench_programs)
	BENCH_DIR=$(top_builddir)/bench sh $(top_srcdir)/bench/run.sh
.PHONY: bench
