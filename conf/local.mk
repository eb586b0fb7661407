## conf/: example configurations, and the Debian packaging (debian/,
## scripts/package-test.sh, tests/package/), distributed but not built:
## the package test installs on the machine, so it is not in "make check".

dist_noinst_DATA += conf/mosquitto-example.conf

EXTRA_DIST += \
	debian/changelog \
	debian/control \
	debian/copyright \
	debian/rules \
	debian/source/format \
	debian/not-installed \
	debian/libe4-0.install \
	debian/libe4mqtt0.install \
	debian/libe4-dev.install \
	debian/e4-tools.install \
	debian/e4c2.install \
	debian/e4c2.postinst \
	debian/e4c2.postrm \
	debian/e4c2.README.Debian \
	debian/mosquitto-e4.install \
	debian/mosquitto-e4.examples \
	debian/mosquitto-e4.postrm \
	debian/mosquitto-e4.README.Debian \
	scripts/package-test.sh \
	tests/package/install.sh
