#!/bin/sh
# The module exports exactly the three v5 entry points and does not link
# libmosquitto (the broker provides mosquitto_*).
. "$top_srcdir/tests/integration/lib.sh"
so="$top_builddir/plugin/.libs/mosquitto_e4.so"
[ -f "$so" ] || e4t_fail "plugin not built: $so"
syms=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBR]$/ {print $3}' | sort | tr '\n' ' ')
e4t_eq "$syms" "mosquitto_plugin_cleanup mosquitto_plugin_init mosquitto_plugin_version " "exported symbols"
if readelf -d "$so" | grep NEEDED | grep -q libmosquitto; then
	e4t_fail "the plugin links libmosquitto"
fi
nm -D --undefined-only "$so" | grep -q mosquitto_callback_register || e4t_fail "no broker symbols used?"
echo "exports: 3 entry points, no libmosquitto"
