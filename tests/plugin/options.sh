#!/bin/sh
# Options: the broker refuses to start on unknown, malformed or missing
# plugin options (fail closed); the shipped conf.d snippet loads; every
# option of the table is documented in mosquitto-e4(7) and the snippet.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/plugin/lib-plugin.sh"
e4t_init
D=$E4T_DIR
MAN="$top_srcdir/man/mosquitto-e4.7"
CONF="$top_srcdir/conf/mosquitto-e4.conf"
OPTS="$top_builddir/tests/plugin/e4plugin-options"

# refuses NAME NEEDLE < extra-config: the broker must exit, logging NEEDLE.
refuses() {
	port=$(e4t_free_port)
	{
		echo "listener $port 127.0.0.1"
		echo "log_dest file $D/$1.log"
		[ "$(id -u)" = 0 ] && echo "user root"
		echo "plugin $E4P_SO"
		cat
	} >"$D/$1.conf"
	if timeout 10 "$(e4t_mosquitto)" -c "$D/$1.conf" >"$D/$1.out" 2>&1; then
		e4t_fail "$1: broker started"
	fi
	grep -q "$2" "$D/$1.log" "$D/$1.out" || e4t_fail "$1: no \"$2\" in the log: $(cat "$D/$1.log")"
	e4t_say "$1: refused to load ($2)"
}

refuses unknown "e4: refusing to load: unknown option plugin_opt_colour" <<EOF2
plugin_opt_protect data/#
plugin_opt_c2_username c2
plugin_opt_colour red
EOF2
refuses no-protect "plugin_opt_protect is required" <<EOF2
plugin_opt_c2_username c2
EOF2
refuses no-c2 "plugin_opt_c2_username is required" <<EOF2
plugin_opt_protect data/#
EOF2
refuses bad-mode "plugin_opt_mode: unknown value" <<EOF2
plugin_opt_protect data/#
plugin_opt_c2_username c2
plugin_opt_mode aes
EOF2
refuses bad-age "plugin_opt_max_age" <<EOF2
plugin_opt_protect data/#
plugin_opt_c2_username c2
plugin_opt_max_age forever
EOF2
refuses bad-filter "invalid topic filter" <<EOF2
plugin_opt_protect data/#/x
plugin_opt_c2_username c2
EOF2
echo '{"version":1,"devices":[{"id":"zz"}]}' >"$D/bad-state.json"
refuses bad-state "state file" <<EOF2
plugin_opt_protect data/#
plugin_opt_c2_username c2
plugin_opt_state_file $D/bad-state.json
EOF2

# The shipped snippet loads once its paths point here.
sed -e "s|^plugin .*|plugin $E4P_SO|" -e "s|^plugin_opt_state_file .*|plugin_opt_state_file $D/state.json|" \
	"$CONF" >"$D/snippet.conf"
e4t_start_broker <"$D/snippet.conf"
e4t_wait_for 5 grep -q "e4: symkey mode, 2 protected filter(s), acl authoritative" "$D/mosquitto.log" ||
	e4t_fail "snippet did not load: $(grep e4 "$D/mosquitto.log")"
e4t_say "conf/mosquitto-e4.conf loads"

# The options table, the man page and the snippet agree.
"$OPTS" >"$D/options" || e4t_fail "options dump"
n=0
while IFS="$(printf '\t')" read -r name type def help; do
	n=$((n + 1))
	grep -q "^\.It Cm plugin_opt_$name\( \|\$\)" "$MAN" || e4t_fail "plugin_opt_$name not documented in $MAN"
	grep -q "plugin_opt_$name " "$CONF" || e4t_fail "plugin_opt_$name missing from $CONF"
	[ "$def" = "(required)" ] || [ "$def" = "(empty)" ] ||
		awk -v n="plugin_opt_$name" '$1 == ".It" && $2 == "Cm" { on = ($3 == n) } $1 == ".El" { on = 0 } on' \
			"$MAN" | grep -q "^Default: $def\.\$" ||
		e4t_fail "plugin_opt_$name: default $def not in $MAN"
done <"$D/options"
[ "$n" -ge 10 ] || e4t_fail "only $n options in the table"
for name in $(grep -o '^\.It Cm plugin_opt_[a-z0-9_]*' "$MAN" | sed 's/.*plugin_opt_//'); do
	grep -q "^$name	" "$D/options" || e4t_fail "$MAN documents unknown option plugin_opt_$name"
done
e4t_say "$n options documented in the man page and the snippet"
echo "options: all checks passed"
