#!/bin/sh
# Broker configurations the plugin cannot police (issue 15, items 6 and
# 7) are refused at load, with a message naming the file and line:
# mount_point on a listener (in the main file or an include_dir file),
# per_listener_settings true, and the plugin loaded twice.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/plugin/lib-plugin.sh"
e4t_init
D=$E4T_DIR

# refuses NAME NEEDLE < config lines after the first listener.
refuses() {
	port=$(e4t_free_port)
	{
		[ "$(id -u)" = 0 ] && echo "user root"
		echo "log_dest file $D/$1.log"
		cat
	} | sed "s|@PORT@|$port|g" >"$D/$1.conf"
	if timeout 10 env $(e4t_broker_env) "$(e4t_mosquitto)" -c "$D/$1.conf" >"$D/$1.out" 2>&1; then
		e4t_fail "$1: broker started"
	fi
	grep -q "$2" "$D/$1.log" "$D/$1.out" || e4t_fail "$1: no \"$2\" in the log: $(cat "$D/$1.log" "$D/$1.out")"
	e4t_say "$1: refused to load ($2)"
}

refuses mount-point "e4: refusing to load: mount_point at $D/mount-point.conf:[67]: the plugin" <<EOF2
listener @PORT@ 127.0.0.1
allow_anonymous true
plugin $E4P_SO
plugin_opt_protect data/#
mount_point site1/
EOF2

mkdir -p "$D/conf.d"
printf 'listener 0 %s/sock\n  mount_point  tenant/\n' "$D" >"$D/conf.d/tenant.conf"
refuses include-dir "mount_point at $D/conf.d/tenant.conf:2" <<EOF2
listener @PORT@ 127.0.0.1
allow_anonymous true
plugin $E4P_SO
plugin_opt_protect data/#
plugin_opt_c2_username c2
include_dir $D/conf.d
EOF2

refuses per-listener "e4: refusing to load: per_listener_settings true at" <<EOF2
per_listener_settings true
listener @PORT@ 127.0.0.1
allow_anonymous true
plugin $E4P_SO
plugin_opt_protect data/#
plugin_opt_c2_username c2
EOF2

refuses twice "e4: refusing to load: the plugin is already loaded" <<EOF2
listener @PORT@ 127.0.0.1
allow_anonymous true
plugin $E4P_SO
plugin_opt_protect data/#
plugin_opt_c2_username c2
plugin $E4P_SO
plugin_opt_protect data/#
plugin_opt_c2_username c2
EOF2

# A comment naming mount_point is not a mount point: this broker starts.
e4p_start <<EOF2
allow_anonymous true
# mount_point is refused by the E4 plugin
plugin_opt_protect data/#
plugin_opt_c2_username c2
EOF2
e4p_frame "$D/f" now "hello"
e4p_expect ok "the plugin loaded and passes a frame" dev -t data/t -f "$D/f"
e4p_expect refused "and refuses plaintext" dev -t data/t -m plain
echo "brokerconf: all checks passed"
