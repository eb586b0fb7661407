## tests/: the SDK's Check suites, known-answer vectors, footprint, fuzzing.

VEC_DIR = tests/vectors
EXTRA_DIST += \
	$(VEC_DIR)/e4v1-public.json \
	$(VEC_DIR)/gen_vectors.py \
	$(VEC_DIR)/e4vectors.py \
	tests/sdk/check-no-heap-selftest.sh \
	tests/fuzz/fuzz_e4.c \
	tests/fuzz/make_corpus.py \
	tests/fuzz/regressions \
	tests/integration/lib.sh

# The no-heap check must really look at objects: prove it refuses malloc.
TESTS += tests/sdk/check-no-heap-selftest.sh

# The extensions' known answers (e4-protocol(7)): committed JSON, header made
# at build time; check-extensions.sh proves the JSON is the generator's output.
$(VEC_DIR)/ext/vectors_ext.h: $(srcdir)/$(VEC_DIR)/e4-extensions.json $(srcdir)/$(VEC_DIR)/e4x_vectors.py
	$(AM_V_GEN)$(MKDIR_P) $(VEC_DIR)/ext && \
	$(PYTHON3) $(srcdir)/$(VEC_DIR)/e4x_vectors.py --header $(srcdir)/$(VEC_DIR)/e4-extensions.json $@
EXTRA_DIST += $(VEC_DIR)/e4-extensions.json $(VEC_DIR)/e4x_vectors.py \
	$(VEC_DIR)/check-extensions.sh
TESTS += $(VEC_DIR)/check-extensions.sh

$(VEC_DIR)/public/vectors.h: $(srcdir)/$(VEC_DIR)/e4v1-public.json $(srcdir)/$(VEC_DIR)/gen_vectors.py
	$(AM_V_GEN)$(MKDIR_P) $(VEC_DIR)/public && \
	$(PYTHON3) $(srcdir)/$(VEC_DIR)/gen_vectors.py $(srcdir)/$(VEC_DIR)/e4v1-public.json $@

if HAVE_CHECK
# Vector headers are generated in the build tree (never committed):
# the public set, and a second set made here with another seed by our
# copy of the independent generator (python3 + python3-cryptography).
VEC_SEED2 = ci-seed-2
BUILT_SOURCES += $(VEC_DIR)/public/vectors.h $(VEC_DIR)/ext/vectors_ext.h
CLEANFILES += $(VEC_DIR)/public/vectors.h $(VEC_DIR)/ext/vectors_ext.h $(VEC_DIR)/seed2/vectors.h \
	$(VEC_DIR)/$(VEC_SEED2).json

$(VEC_DIR)/$(VEC_SEED2).json: $(srcdir)/$(VEC_DIR)/e4vectors.py
	$(AM_V_GEN)$(MKDIR_P) $(VEC_DIR) && \
	$(PYTHON3) $(srcdir)/$(VEC_DIR)/e4vectors.py $(VEC_SEED2) $@.tmp && mv $@.tmp $@

$(VEC_DIR)/seed2/vectors.h: $(VEC_DIR)/$(VEC_SEED2).json $(srcdir)/$(VEC_DIR)/gen_vectors.py
	$(AM_V_GEN)$(MKDIR_P) $(VEC_DIR)/seed2 && \
	$(PYTHON3) $(srcdir)/$(VEC_DIR)/gen_vectors.py $(VEC_DIR)/$(VEC_SEED2).json $@

SDK_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/sdk/src -I$(top_srcdir)/tests/sdk \
	$(CHECK_CFLAGS) $(OPENSSL_CFLAGS)
SDK_TEST_LDADD = sdk/libe4core.la $(CHECK_LIBS) $(OPENSSL_LIBS) $(SODIUM_LIBS)

check_PROGRAMS += tests/sdk/test-sdk tests/sdk/test-sdk-seed2 tests/sdk/footprint
TESTS += tests/sdk/test-sdk tests/sdk/test-sdk-seed2 tests/sdk/footprint

tests_sdk_test_sdk_SOURCES = \
	tests/sdk/helpers.h \
	tests/sdk/helpers.c \
	tests/sdk/main.c \
	tests/sdk/vectors.c \
	tests/sdk/suite-errors.c \
	tests/sdk/suite-wire.c \
	tests/sdk/suite-siv.c \
	tests/sdk/suite-frame.c \
	tests/sdk/suite-client.c \
	tests/sdk/suite-commands.c \
	tests/sdk/suite-replay.c \
	tests/sdk/suite-clock.c \
	tests/sdk/suite-store.c \
	tests/sdk/suite-pubkey.c \
	tests/sdk/suite-acks.c \
	tests/sdk/suite-extvectors.c
tests_sdk_test_sdk_CPPFLAGS = $(SDK_TEST_CPPFLAGS) -I$(VEC_DIR)/public -I$(VEC_DIR)/ext
tests_sdk_test_sdk_LDADD = $(SDK_TEST_LDADD)

# The same vector loop tests, compiled against the second set.
tests_sdk_test_sdk_seed2_SOURCES = \
	tests/sdk/helpers.h \
	tests/sdk/helpers.c \
	tests/sdk/main-vectors.c \
	tests/sdk/vectors.c
tests_sdk_test_sdk_seed2_CPPFLAGS = $(SDK_TEST_CPPFLAGS) -I$(VEC_DIR)/seed2
tests_sdk_test_sdk_seed2_LDADD = $(SDK_TEST_LDADD)
# Only make check needs the second set (and python3-cryptography).
tests/sdk/test_sdk_seed2-vectors.$(OBJEXT): $(VEC_DIR)/seed2/vectors.h

tests_sdk_footprint_SOURCES = tests/sdk/footprint.c
tests_sdk_footprint_LDADD = sdk/libe4core.la
endif


# ---- fuzzing (not part of make check) -------------------------------------
# Every SDK source is compiled by clang with the fuzzer and sanitizers in
# the one rule, so no gcc object is mixed in.
FUZZ_TARGETS = unprotect_msg unprotect_cmd frame_open ack_open deserialize
FUZZ_BINS = tests/fuzz/fuzz_unprotect_msg tests/fuzz/fuzz_unprotect_cmd \
	tests/fuzz/fuzz_frame_open tests/fuzz/fuzz_ack_open tests/fuzz/fuzz_deserialize
FUZZ_SDK_SRCS = $(srcdir)/sdk/src/util.c $(srcdir)/sdk/src/siv.c $(srcdir)/sdk/src/frame.c \
	$(srcdir)/sdk/src/replay.c $(srcdir)/sdk/src/command.c $(srcdir)/sdk/src/client.c \
	$(srcdir)/sdk/src/recv.c $(srcdir)/sdk/src/state.c $(srcdir)/sdk/src/crypto/openssl.c \
	$(srcdir)/sdk/src/crypto/sodium.c $(srcdir)/sdk/src/store/memory.c \
	$(srcdir)/sdk/src/store/file.c
FUZZ_FLAGS = -g -O1 -std=c99 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-DHAVE_CONFIG_H -I$(top_builddir) -I$(top_srcdir)/sdk/include -I$(top_srcdir)/sdk/src \
	-I$(VEC_DIR)/public $(OPENSSL_CFLAGS) $(SODIUM_CFLAGS)
FUZZ_SECONDS = 10

$(FUZZ_BINS): $(srcdir)/tests/fuzz/fuzz_e4.c $(FUZZ_SDK_SRCS) $(VEC_DIR)/public/vectors.h
	@test -n "$(CLANG)" || { echo "make fuzz needs clang" >&2; exit 1; }
	$(AM_V_CC)$(MKDIR_P) tests/fuzz && t=`basename $@` && \
	$(CLANG) $(FUZZ_FLAGS) -DFUZZ_TARGET=FUZZ_$${t#fuzz_} -o $@ \
		$(srcdir)/tests/fuzz/fuzz_e4.c $(FUZZ_SDK_SRCS) $(OPENSSL_LIBS) $(SODIUM_LIBS) -lpthread

tests/fuzz/corpus.stamp: $(srcdir)/tests/fuzz/make_corpus.py $(srcdir)/$(VEC_DIR)/e4v1-public.json
	$(AM_V_GEN)rm -rf tests/fuzz/seed && $(MKDIR_P) tests/fuzz/seed && \
	$(PYTHON3) $(srcdir)/tests/fuzz/make_corpus.py $(srcdir)/$(VEC_DIR)/e4v1-public.json \
		tests/fuzz/seed $(FUZZ_TARGETS) && \
	for t in $(FUZZ_TARGETS); do cp $(srcdir)/tests/fuzz/regressions/$$t-* tests/fuzz/seed/$$t/ 2>/dev/null || :; done && \
	touch $@

fuzz: $(FUZZ_BINS) tests/fuzz/corpus.stamp

# Runs every fuzz target of the tree (SDK, plugin, C2: see fuzz-all in
# tests/hardening.mk) for FUZZ_SECONDS each; scripts/test.sh calls it.
fuzz-smoke: fuzz-all
	$(SHELL) $(srcdir)/scripts/fuzz-campaign.sh $(FUZZ_SECONDS)

clean-local: clean-sdk-tests
clean-sdk-tests:
	rm -rf tests/scratch tests/fuzz/seed tests/fuzz/work tests/fuzz/campaign tests/fuzz/corpus.stamp $(FUZZ_BINS)

.PHONY: fuzz fuzz-smoke clean-sdk-tests
