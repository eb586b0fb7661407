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
sdk_tools_e4_SOURCES += sdk/tools/nomqtt.c

## Tests of the e4 command (tests/tools/).
TESTS += tests/tools/cli.sh tests/tools/device.sh tests/tools/pubkey.sh
EXTRA_DIST += tests/tools/lib.sh tests/tools/cli.sh tests/tools/device.sh tests/tools/pubkey.sh

# Test helper: opens an ack frame (tests/tools/*.sh).
check_PROGRAMS += tests/tools/ackcheck
tests_tools_ackcheck_SOURCES = tests/tools/ackcheck.c
tests_tools_ackcheck_LDADD = sdk/libe4core.la
