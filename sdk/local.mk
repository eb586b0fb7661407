## sdk/: the device library libe4 and the e4 command.

e4includedir = $(includedir)/e4
e4include_HEADERS = \
	sdk/include/e4/e4.h \
	sdk/include/e4/errors.h \
	sdk/include/e4/wire.h \
	sdk/include/e4/store.h

SDK_CORE_SOURCES = \
	sdk/src/internal.h \
	sdk/src/util.c \
	sdk/src/siv.c \
	sdk/src/frame.c \
	sdk/src/replay.c \
	sdk/src/command.c \
	sdk/src/client.c \
	sdk/src/recv.c \
	sdk/src/state.c \
	sdk/src/crypto/crypto.h \
	$(SDK_CRYPTO_SOURCES)
# The crypto backends (configure --with-crypto, --with-pubkey-crypto).
# Each non-default backend keeps its file list in its own fragment.
SDK_CRYPTO_SOURCES =
SDK_CRYPTO_LIBS =
EXTRA_DIST += sdk/src/crypto/openssl.c sdk/src/crypto/sodium.c
if CRYPTO_OPENSSL
SDK_CRYPTO_SOURCES += sdk/src/crypto/openssl.c
endif
if PUBKEY_SODIUM
SDK_CRYPTO_SOURCES += sdk/src/crypto/sodium.c
endif
include sdk/src/crypto/portable/local.mk
include sdk/src/crypto/psa/local.mk
include sdk/src/crypto/c25519/local.mk

SDK_STORE_SOURCES = \
	sdk/src/store/memory.c \
	sdk/src/store/file.c \
	sdk/src/store/replace.h

# Every object of the SDK, as a convenience library: the plugin, the C2
# and the tests link it (one wire-format implementation only).
noinst_LTLIBRARIES += sdk/libe4core.la
sdk_libe4core_la_SOURCES = $(SDK_CORE_SOURCES) $(SDK_STORE_SOURCES)
sdk_libe4core_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/sdk/src $(OPENSSL_CFLAGS) $(SODIUM_CFLAGS)
sdk_libe4core_la_CFLAGS = $(SDK_WARN_CFLAGS) -std=c99 $(SAN_CFLAGS)
sdk_libe4core_la_LIBADD = $(SDK_CRYPTO_LIBS) $(OPENSSL_LIBS) $(SODIUM_LIBS) -lpthread

# The installed library exports only the public e4_* symbols.
lib_LTLIBRARIES += sdk/libe4.la
sdk_libe4_la_SOURCES =
sdk_libe4_la_LIBADD = sdk/libe4core.la
sdk_libe4_la_LDFLAGS = $(AM_LDFLAGS) -version-info $(E4_LT_VERSION) \
	-export-symbols-regex '^e4_[a-z]'

pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = sdk/libe4.pc
EXTRA_DIST += sdk/libe4.pc.in

# The core must not allocate: no allocator symbol may be undefined in
# the core objects (the store backends and crypto backends aside).
TESTS += tests/sdk/check-no-heap.sh
EXTRA_DIST += tests/sdk/check-no-heap.sh
