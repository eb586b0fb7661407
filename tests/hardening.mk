## tests/hardening.mk: sanitizer canary, fuzz regression replay, fault
## injection, attack tests, secret scans; make fuzz-smoke / fuzz-campaign.

# Proves that the sanitizer pass fails on a report.
check_PROGRAMS += tests/fault/san-canary
tests_fault_san_canary_SOURCES = tests/fault/san-canary.c
TESTS += tests/fault/sanitizers.sh
EXTRA_DIST += tests/fault/sanitizers.sh

if HAVE_CHECK
# The SDK fuzz targets built by the normal compiler with a replay driver:
# make check replays the crash regressions and random inputs through them.
REPLAY_SDK_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/sdk/src -I$(VEC_DIR)/public $(OPENSSL_CFLAGS)
REPLAY_SDK_CFLAGS = $(AM_CFLAGS) -Wno-unused-function
REPLAY_SDK_LDADD = sdk/libe4core.la $(OPENSSL_LIBS) $(SODIUM_LIBS)
REPLAY_SDK_SRCS = tests/fuzz/fuzz_e4.c tests/fuzz/replay.c
check_PROGRAMS += tests/fuzz/replay_unprotect_msg tests/fuzz/replay_unprotect_cmd \
	tests/fuzz/replay_frame_open tests/fuzz/replay_ack_open tests/fuzz/replay_deserialize
tests_fuzz_replay_unprotect_msg_SOURCES = $(REPLAY_SDK_SRCS)
tests_fuzz_replay_unprotect_msg_CPPFLAGS = $(REPLAY_SDK_CPPFLAGS) -DFUZZ_TARGET=FUZZ_unprotect_msg
tests_fuzz_replay_unprotect_msg_CFLAGS = $(REPLAY_SDK_CFLAGS)
tests_fuzz_replay_unprotect_msg_LDADD = $(REPLAY_SDK_LDADD)
tests_fuzz_replay_unprotect_cmd_SOURCES = $(REPLAY_SDK_SRCS)
tests_fuzz_replay_unprotect_cmd_CPPFLAGS = $(REPLAY_SDK_CPPFLAGS) -DFUZZ_TARGET=FUZZ_unprotect_cmd
tests_fuzz_replay_unprotect_cmd_CFLAGS = $(REPLAY_SDK_CFLAGS)
tests_fuzz_replay_unprotect_cmd_LDADD = $(REPLAY_SDK_LDADD)
tests_fuzz_replay_frame_open_SOURCES = $(REPLAY_SDK_SRCS)
tests_fuzz_replay_frame_open_CPPFLAGS = $(REPLAY_SDK_CPPFLAGS) -DFUZZ_TARGET=FUZZ_frame_open
tests_fuzz_replay_frame_open_CFLAGS = $(REPLAY_SDK_CFLAGS)
tests_fuzz_replay_frame_open_LDADD = $(REPLAY_SDK_LDADD)
tests_fuzz_replay_ack_open_SOURCES = $(REPLAY_SDK_SRCS)
tests_fuzz_replay_ack_open_CPPFLAGS = $(REPLAY_SDK_CPPFLAGS) -DFUZZ_TARGET=FUZZ_ack_open
tests_fuzz_replay_ack_open_CFLAGS = $(REPLAY_SDK_CFLAGS)
tests_fuzz_replay_ack_open_LDADD = $(REPLAY_SDK_LDADD)
tests_fuzz_replay_deserialize_SOURCES = $(REPLAY_SDK_SRCS)
tests_fuzz_replay_deserialize_CPPFLAGS = $(REPLAY_SDK_CPPFLAGS) -DFUZZ_TARGET=FUZZ_deserialize
tests_fuzz_replay_deserialize_CFLAGS = $(REPLAY_SDK_CFLAGS)
tests_fuzz_replay_deserialize_LDADD = $(REPLAY_SDK_LDADD)
TESTS += tests/fuzz/replay-regressions.sh
EXTRA_DIST += tests/fuzz/replay-regressions.sh
endif
EXTRA_DIST += tests/fuzz/replay.c tests/fault/san-canary.c

# Builds every libFuzzer target the tree has (SDK, and the plugin's and
# the C2's when their fragments define fuzz-plugin / FUZZ_C2_BINS).
fuzz-all:
	$(MAKE) $(AM_MAKEFLAGS) fuzz
	@if grep -q '^fuzz-plugin:' Makefile; then $(MAKE) $(AM_MAKEFLAGS) fuzz-plugin; fi
	@if grep -q '^FUZZ_C2_BINS =' Makefile; then $(MAKE) $(AM_MAKEFLAGS) $(FUZZ_C2_BINS); fi

# Runs every fuzz target for FUZZ_CAMPAIGN_SECONDS (report in tests/fuzz/campaign/).
FUZZ_CAMPAIGN_SECONDS = 300
fuzz-campaign: fuzz-all
	$(SHELL) $(srcdir)/scripts/fuzz-campaign.sh $(FUZZ_CAMPAIGN_SECONDS)

EXTRA_DIST += scripts/fuzz-campaign.sh docs/SECURITY.md
.PHONY: fuzz-all fuzz-campaign

if ENABLE_C2
# Secret scans of the C2 database, WAL and logs; key file permissions.
check_PROGRAMS += tests/secrets/keydump
tests_secrets_keydump_SOURCES = tests/secrets/keydump.c
tests_secrets_keydump_LDADD = sdk/libe4core.la $(OPENSSL_LIBS) $(SODIUM_LIBS)
TESTS += tests/secrets/scan.sh
endif
EXTRA_DIST += tests/secrets/scan.sh tests/secrets/scan.py tests/secrets/keydump.c

if ENABLE_C2
# Fault injection: kill -9 of the C2 and broker restarts during rotations.
TESTS += tests/fault/rotation-chaos.sh
endif
EXTRA_DIST += tests/fault/rotation-chaos.sh tests/fault/chaos-check.py

if ENABLE_PLUGIN
if ENABLE_C2
# A malicious authenticated client against the broker with the plugin.
TESTS += tests/attack/attack.sh
endif
endif
EXTRA_DIST += tests/attack/attack.sh
