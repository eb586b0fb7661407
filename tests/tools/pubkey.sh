#!/bin/sh
# pubkey.sh - e4 device in pubkey mode: the vector commands (sealed with
# the X25519 command key) applied and acknowledged, two devices from
# e4 keygen exchanging signed frames, and refusals of unknown senders.
. "$top_srcdir/tests/tools/lib.sh"
e4t_init
cd "$E4T_DIR" || exit 1
ACKCHECK="$top_builddir/tests/tools/ackcheck"

SEED=$(vec "d['pubkey']['ed25519_seed']"); PUB=$(vec "d['pubkey']['ed25519_pub']")
CID=$(vec "d['pubkey']['client_id']"); C2PUB=$(vec "d['pubkey']['c2_curve25519_pk']")
CMDKEY=$(vec "d['pubkey']['shared_command_key']")
K=51249d839362dab16db530fd33db0cc85e4addd321f397bca6361f5c5818f46b

e4t_say "pubkey init from the vector keys"
echo "$SEED$PUB" >sk.hex; chmod 600 sk.hex
"$E4" device init --store a.store --id "$CID" --sign-key-file sk.hex --c2-pub "$C2PUB" >init.out || e4t_fail init
grep -q "created pubkey device $CID" init.out || e4t_fail "init: $(cat init.out)"
"$E4" device show --store a.store | grep -qx "mode pubkey" || e4t_fail "mode"
expect_fail 2 "missing --c2-pub HEX" "$E4" device init --store z.store --id "$CID" --sign-key "$SEED$PUB"
expect_fail 2 "--sign-key: expected 128 hex characters (64 bytes), got 64" "$E4" device init --store z.store --id "$CID" --sign-key "$SEED" --c2-pub "$C2PUB"
pass

e4t_say "pubkey vector commands before SetIDKey: applied, acks open with the command key"
vec "[(c['command'], c['timestamp'], c['protected']) for c in d['pubkey']['commands'] if c['command'] != 'SetIDKey']" >cmds.txt
while read -r name ts frame; do
	echo "$frame" | "$E4" device unprotect --store a.store --topic "e4/$CID" --now "$ts" --hex >"cmd-$name.out" 2>"cmd-$name.err" ||
		e4t_fail "$name refused: $(cat "cmd-$name.err")"
	"$ACKCHECK" "$CMDKEY" "$(awk '$1=="ack"{print $2}' "cmd-$name.out")" "$frame" >"ack-$name.out" ||
		e4t_fail "$name: ack does not open with the command key"
	grep -q "status 0 digest match ts $ts" "ack-$name.out" || e4t_fail "$name ack: $(cat "ack-$name.out")"
	pass
done <cmds.txt
grep -qx "set public key of device c175fd77c656eb84bb71dea6b22ce6a6" cmd-SetPubKey.out || e4t_fail "SetPubKey: $(cat cmd-SetPubKey.out)"
grep -qx "removed every public key" cmd-ResetPubKeys.out || e4t_fail ResetPubKeys
grep -qx "set the C2 public key" cmd-SetC2Key.out || e4t_fail SetC2Key
"$E4" device show --store a.store >show.out
grep -qx "pubkey-id c175fd77c656eb84bb71dea6b22ce6a6" show.out || e4t_fail "show: $(cat show.out)"
grep -q "$SEED" show.out cmd-*.out && e4t_fail "a secret key was printed"
pass

e4t_say "pubkey vector messages open on a device holding the sender's public key"
"$E4" device init --store r.store --alias receiver --sign-key "$("$E4" keygen | awk '$1=="secret-key"{print $2}')" --c2-pub "$C2PUB" >/dev/null
"$E4" device set-pubkey --store r.store --id "$CID" --pub "$PUB" | grep -qx "set public key of device $CID" || e4t_fail set-pubkey
vec "[(m['topic'], m['topic_key'], m['timestamp'], m['plaintext'] or '-', m['protected']) for m in d['pubkey']['messages']]" >msgs.txt
while read -r topic key ts pt frame; do
	[ "$pt" = "-" ] && pt=""
	"$E4" device set-topic-key --store r.store --topic "$topic" --key "$key" >/dev/null
	e4t_eq "$(echo "$frame" | "$E4" device unprotect --store r.store --topic "$topic" --now "$ts" --hex)" "$pt" "pubkey vector on $topic"
	pass
done <msgs.txt

e4t_say "two keygen devices exchange signed frames; unknown senders and forged signatures are refused"
"$E4" keygen >b.kp; "$E4" keygen >c.kp
BP=$(awk '$1=="public-key"{print $2}' b.kp); BS=$(awk '$1=="secret-key"{print $2}' b.kp)
CP=$(awk '$1=="public-key"{print $2}' c.kp); CS=$(awk '$1=="secret-key"{print $2}' c.kp)
BID=$("$E4" id dev-b); CIDC=$("$E4" id dev-c)
"$E4" device init --store b.store --alias dev-b --sign-key "$BS" --c2-pub "$C2PUB" >/dev/null || e4t_fail "init b"
"$E4" device init --store c.store --alias dev-c --sign-key "$CS" --c2-pub "$C2PUB" >/dev/null || e4t_fail "init c"
for s in b c; do "$E4" device set-topic-key --store $s.store --topic plant/1 --key "$K" >/dev/null; done
FB=$(echo cafe | "$E4" device protect --store b.store --topic plant/1 --hex)
e4t_eq "$(( ${#FB} / 2 ))" $((2 + 104)) "pubkey frame size"
expect_fail_in "$FB" 1 "unknown sender" "$E4" device unprotect --store c.store --topic plant/1 --hex
"$E4" device set-pubkey --store c.store --id "$BID" --pub "$BP" >/dev/null
e4t_eq "$(echo "$FB" | "$E4" device unprotect --store c.store --topic plant/1 --hex)" cafe "b to c"
e4t_eq "$(echo "$FB" | "$E4" unprotect --pubkey --hex --key "$K" --sender-pub "$BP")" cafe "e4 unprotect --pubkey of a device frame"
expect_fail_in "$FB" 1 "bad signature" "$E4" unprotect --pubkey --hex --key "$K" --sender-pub "$CP"
"$E4" device set-pubkey --store b.store --id "$CIDC" --pub "$CP" >/dev/null
FC=$(echo beef | "$E4" device protect --store c.store --topic plant/1 --hex)
e4t_eq "$(echo "$FC" | "$E4" device unprotect --store b.store --topic plant/1 --hex)" beef "c to b"
# c signs while claiming to be b: the signature does not verify with b's key.
FORGED=$(echo 00 | "$E4" protect --pubkey --hex --key "$K" --sign-key "$CS" --id "$BID")
expect_fail_in "$FORGED" 1 "bad signature" "$E4" device unprotect --store c.store --topic plant/1 --hex
pass
done_checks
