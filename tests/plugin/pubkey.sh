#!/bin/sh
# Public-key mode: the sender id in a frame must be the publisher's E4 id;
# with the device's Ed25519 key set by the C2 over $CONTROL, forgeries die
# at the broker.  The key survives a broker restart (state file).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/plugin/lib-plugin.sh"
e4t_init
D=$E4T_DIR
e4p_start <<EOF2
allow_anonymous true
plugin_opt_protect data/#
plugin_opt_c2_username c2
plugin_opt_mode pubkey
plugin_opt_state_file $D/e4-state.json
EOF2
DEV=00112233445566778899aabbccddeeff
OTHER=ffeeddccbbaa99887766554433221100
"$E4FRAME" keypair >"$D/dev.keys" || e4t_fail keypair
"$E4FRAME" keypair >"$D/evil.keys" || e4t_fail keypair
DEV_PUB=$(sed -n 1p "$D/dev.keys")
DEV_SK=$(sed -n 2p "$D/dev.keys")
EVIL_SK=$(sed -n 2p "$D/evil.keys")

# pk_frame FILE SK SENDER MESSAGE
pk_frame() {
	"$E4FRAME" -b pubkey "$E4P_KEY" "$2" "$3" now "$4" >"$1" || e4t_fail "e4frame pubkey"
}

resp=$(e4p_control c2 "{\"commands\":[{\"command\":\"setDevicePubKey\",\"id\":\"$DEV\",\"pubkey\":\"$DEV_PUB\",\"correlationData\":\"k1\"}]}")
e4t_eq "$(echo "$resp" | e4p_json "doc['responses'][0].get('error', 'none') + ' ' + doc['responses'][0]['correlationData']")" "none k1" "setDevicePubKey"
[ "$(stat -c %a "$D/e4-state.json")" = 600 ] || e4t_fail "state file mode"
grep -q "$DEV_PUB" "$D/e4-state.json" || e4t_fail "key not in the state file"
e4t_say "C2 set the device key; state file written"

# Non-C2 clients cannot manage keys.
e4p_expect refused "setDevicePubKey from a device" "$DEV" -t '$CONTROL/e4/v1' \
	-m "{\"commands\":[{\"command\":\"removeDevicePubKey\",\"id\":\"$DEV\"}]}"

e4p_sub watcher "$D/watch" -t 'data/#'
check_frames() {
	pk_frame "$D/good" "$DEV_SK" "$DEV" "genuine $1"
	pk_frame "$D/forged" "$EVIL_SK" "$DEV" "forged $1"
	pk_frame "$D/spoof" "$DEV_SK" "$DEV" "spoofed $1"
	pk_frame "$D/theirs" "$EVIL_SK" "$OTHER" "unknown key $1"
	e4p_expect ok "valid signed frame ($1)" "$DEV" -t data/t -f "$D/good"
	e4p_expect refused "forged signature ($1)" "$DEV" -t data/t -f "$D/forged"
	e4p_expect refused "spoofed sender id ($1)" "$OTHER" -t data/t -f "$D/spoof"
	e4p_expect ok "sender without a known key ($1)" "$OTHER" -t data/t -f "$D/theirs"
	e4p_expect refused "plaintext ($1)" "$DEV" -t data/t -m plain
}
check_frames "before restart"

e4t_restart_broker
e4p_sub watcher2 "$D/watch2" -t 'data/#'
resp=$(e4p_control c2 '{"commands":[{"command":"listDevices"}]}')
e4t_eq "$(echo "$resp" | e4p_json "doc['responses'][0]['data']['devices'][0]['pubkey']")" "$DEV_PUB" "key after restart"
e4t_say "listDevices after restart shows the key"
check_frames "after restart"

e4p_wait_lines "$D/watch2" 2
e4t_eq "$(wc -l <"$D/watch2" | tr -d ' ')" 2 "frames delivered after restart"
e4t_eq "$(grep -c "^data/t $(e4p_hex "$D/good")\$" "$D/watch2")" 1 "genuine frame delivered"
e4t_eq "$(e4p_stat refused.badSignature)" 1 "badSignature refusals"
e4t_eq "$(e4p_stat refused.wrongSender)" 1 "wrongSender refusals"
e4t_eq "$(e4p_stat framesPassed)" 2 "frames passed"

# Removing the key: forgeries naming the device are no longer detectable.
resp=$(e4p_control c2 "{\"commands\":[{\"command\":\"removeDevicePubKey\",\"id\":\"$DEV\"}]}")
e4t_eq "$(echo "$resp" | e4p_json "doc['responses'][0].get('error', 'none')")" none "removeDevicePubKey"
grep -q "$DEV_PUB" "$D/e4-state.json" && e4t_fail "key still in the state file"
pk_frame "$D/forged" "$EVIL_SK" "$DEV" "forged after removal"
e4p_expect ok "unverifiable frame after key removal" "$DEV" -t data/t -f "$D/forged"
echo "pubkey: all checks passed"
