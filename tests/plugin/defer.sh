#!/bin/sh
# Defer mode next to the broker's own password_file and acl_file: the
# broker authenticates, the acl_file grants topics, the plugin adds the E4
# rules on top (and its refusals win over the acl_file's grants).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/plugin/lib-plugin.sh"
e4t_init
D=$E4T_DIR
DEV=00112233445566778899aabbccddeeff
command -v mosquitto_passwd >/dev/null || e4t_fail "mosquitto_passwd missing"
mosquitto_passwd -c -b "$D/passwd" dev devpass >/dev/null || e4t_fail mosquitto_passwd
mosquitto_passwd -b "$D/passwd" reader readerpass >/dev/null || e4t_fail mosquitto_passwd
mosquitto_passwd -b "$D/passwd" c2 c2pass >/dev/null || e4t_fail mosquitto_passwd
chmod 600 "$D/passwd"
cat >"$D/acl" <<'EOF2'
user dev
topic readwrite data/#
user reader
topic read #
user c2
topic readwrite e4/#
topic readwrite $CONTROL/e4/v1/#
pattern read e4/%c
pattern write e4/%c/ack
EOF2
e4p_start <<EOF2
allow_anonymous false
password_file $D/passwd
acl_file $D/acl
plugin_opt_protect data/#
plugin_opt_c2_username c2
plugin_opt_acl defer
EOF2
E4P_PASS=c2pass

# Authentication stays with the broker.
if mosquitto_pub -p "$E4T_PORT" -V 5 -i "$DEV" -u dev -P wrong -t data/x -m x 2>"$D/auth.err"; then
	e4t_fail "wrong password accepted"
fi
grep -qi "not authori" "$D/auth.err" || e4t_fail "unexpected error: $(cat "$D/auth.err")"
e4t_say "wrong password refused by the broker"

e4p_sub reader "$D/watch" -u reader -P readerpass -t 'data/#' -t public
e4p_frame "$D/f1" now "first"
e4p_frame "$D/f2" now "by the reader"
e4p_frame "$D/f3" now "sentinel"
e4p_expect refused "plaintext from an allowed user (plugin)" "$DEV" -u dev -P devpass -t data/x -m plain
e4p_expect ok "valid frame from an allowed user" "$DEV" -u dev -P devpass -t data/x -f "$D/f1"
e4p_expect refused "valid frame from a read-only user (acl_file)" reader-pub -u reader -P readerpass -t data/x -f "$D/f2"
e4p_expect refused "unprotected topic outside the acl_file (acl_file)" "$DEV" -u dev -P devpass -t public -m x
# The acl_file lets reader read everything; the plugin still keeps it off e4/<id>.
mosquitto_sub -p "$E4T_PORT" -V 5 -i reader-spy -u reader -P readerpass -t "e4/$DEV" -W 2 >"$D/spy" 2>&1
grep -q "All subscription requests were denied" "$D/spy" || e4t_fail "reader subscribed to e4/<id>"
e4t_say "control topic subscription refused despite the acl_file"
e4p_expect ok "sentinel" "$DEV" -u dev -P devpass -t data/x -f "$D/f3"

e4p_wait_lines "$D/watch" 2
sleep 0.3
e4t_eq "$(wc -l <"$D/watch" | tr -d ' ')" 2 "messages delivered"
grep -q "^data/x $(e4p_hex "$D/f1")\$" "$D/watch" || e4t_fail "valid frame not delivered"
# Only the plugin's own refusals are counted by it.
e4t_eq "$(e4p_stat refused.tooShort)" 1 "tooShort refusals"
e4t_eq "$(e4p_stat refused.controlSubscribe)" 1 "controlSubscribe refusals"
e4t_eq "$(e4p_stat refusedTotal)" 2 "plugin refusals"
e4t_eq "$(e4p_stat framesPassed)" 2 "frames passed"
echo "defer: all checks passed"
