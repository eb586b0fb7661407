#!/bin/sh
# Installs every build and test dependency on Debian 12 (as root), once.
set -eu
PKGS="build-essential autoconf automake libtool pkg-config python3 python3-cryptography
libssl-dev libsodium-dev check libcjson-dev libsqlite3-dev sqlite3
mosquitto mosquitto-dev libmosquitto-dev mosquitto-clients python3-paho-mqtt
mandoc clang libclang-rt-14-dev valgrind openssl
gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm libmbedtls-dev"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
# The broker package starts a system mosquitto on port 1883; tests use their own.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now mosquitto >/dev/null 2>&1 || true; fi
