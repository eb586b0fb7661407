#!/bin/sh
# device.sh - e4 device: a symkey device store, the vector commands applied
# and acknowledged, refusals, store permissions, corruption and two
# processes sharing one store.
. "$top_srcdir/tests/tools/lib.sh"
e4t_init
cd "$E4T_DIR" || exit 1
ACKCHECK="$top_builddir/tests/tools/ackcheck"
[ -x "$ACKCHECK" ] || e4t_fail "ackcheck not built (make check builds it)"

ALIAS=$(vec "d['client']['alias']"); ID=$(vec "d['client']['id']"); DK=$(vec "d['client']['key']")
CT="e4/$ID"
K=263127ebcdb24056936e819b1a1bb73b73e9fe70d992828864e8c28551c72ed7
T=1764000639
S=dev.store

e4t_say "init: the store is created 0600, id from the alias, no key shown"
"$E4" device init --store $S --alias "$ALIAS" --key "$DK" >init.out || e4t_fail "device init"
grep -q "created symkey device $ID (control topic $CT)" init.out || e4t_fail "init output: $(cat init.out)"
e4t_eq "$(stat -c %a $S)" 600 "store mode"
"$E4" device show --store $S >show.out || e4t_fail "device show"
grep -qx "id $ID" show.out && grep -qx "control-topic $CT" show.out && grep -qx "mode symkey" show.out &&
	grep -qx "topic-keys 0" show.out || e4t_fail "show: $(cat show.out)"
grep -q "$DK" show.out init.out && e4t_fail "a key was printed"
expect_fail 1 "exists (use --force" "$E4" device init --store $S --alias "$ALIAS" --key "$DK"
pass

e4t_say "usage errors of device commands"
expect_fail 2 "give exactly one of --id HEX and --alias NAME" "$E4" device init --store x --key "$DK"
expect_fail 2 "give exactly one of --id HEX and --alias NAME" "$E4" device init --store x --id "$ID" --alias a --key "$DK"
expect_fail 2 "--id: expected 32 hex characters (16 bytes), got 4" "$E4" device init --store x --id abcd --key "$DK"
expect_fail 2 "missing --store PATH" "$E4" device init --id "$ID" --key "$DK"
expect_fail 2 "missing --key (or --key-file)" "$E4" device init --store x --id "$ID"
expect_fail 2 "missing --topic TOPIC" "$E4" device protect --store $S </dev/null
expect_fail 2 "--key is for symkey devices" "$E4" device init --store x --id "$ID" --key "$DK" --c2-pub "$K"
expect_fail 1 "does not exist (create it with e4 device init)" "$E4" device show --store nothere
[ -e x ] && e4t_fail "a store was created by a refused init"

e4t_say "set-topic-key, then device protect equals e4 protect with the same key"
"$E4" device set-topic-key --store $S --topic sensors/dev0/data --key "$K" >stk.out || e4t_fail set-topic-key
grep -qx "set key for topic hash f6cd5ebc433876ac073ce6e68ffcd9a8" stk.out || e4t_fail "set-topic-key: $(cat stk.out)"
"$E4" device show --store $S >show.out
grep -qx "topic-keys 1" show.out && grep -qx "topic-hash f6cd5ebc433876ac073ce6e68ffcd9a8 current" show.out ||
	e4t_fail "show after set: $(cat show.out)"
grep -q "$K" show.out && e4t_fail "show printed a topic key"
F1=$(echo 0102 | "$E4" device protect --store $S --topic sensors/dev0/data --time $T --hex)
F2=$(echo 0102 | "$E4" protect --key "$K" --time $T --hex)
e4t_eq "$F1" "$F2" "device protect frame"
e4t_eq "$(echo "$F1" | "$E4" device unprotect --store $S --topic sensors/dev0/data --now $T --hex)" 0102 "device unprotect"
expect_fail_in 00 1 "no key for this topic" "$E4" device protect --store $S --topic other/topic --hex
expect_fail_in "$F1" 1 "no key for this topic" "$E4" device unprotect --store $S --topic other/topic --now $T --hex
expect_fail_in "$F1" 1 "too old" "$E4" device unprotect --store $S --topic sensors/dev0/data --now $((T + 1000)) --hex
pass

e4t_say "vector commands on the control topic: applied, described, acknowledged"
vec "[(c['command'], c['timestamp'], c['protected']) for c in d['symkey_commands']]" >cmds.txt
# Acks are sealed with the device's current key: the new one from SetIDKey on.
NEWDK=$(vec "[c['plaintext'][2:] for c in d['symkey_commands'] if c['command']=='SetIDKey'][0]")
AK=$DK
while read -r name ts frame; do
	echo "$frame" | "$E4" device unprotect --store $S --topic "$CT" --now "$ts" --hex >"cmd-$name.out" 2>"cmd-$name.err"
	echo "$? $name" >>cmd-status.txt
	ACK=$(awk '$1=="ack"{print $2}' "cmd-$name.out")
	[ -n "$ACK" ] || e4t_fail "$name: no ack ($(cat "cmd-$name.out" "cmd-$name.err"))"
	[ "$name" = SetIDKey ] && AK=$NEWDK
	"$ACKCHECK" "$AK" "$ACK" "$frame" >"ack-$name.out" || e4t_fail "$name: ack does not open with the device key"
	grep -q "digest match ts $ts" "ack-$name.out" || e4t_fail "$name: $(cat "ack-$name.out")"
	pass
done <cmds.txt
grep -qx "removed the key of topic hash b4d203d391af163e8e99d1a0549a7687" cmd-RemoveTopic.out || e4t_fail "RemoveTopic: $(cat cmd-RemoveTopic.out)"
grep -qx "removed every topic key" cmd-ResetTopics.out || e4t_fail "ResetTopics"
grep -qx "replaced the device key" cmd-SetIDKey.out || e4t_fail "SetIDKey"
grep -qx "set key for topic hash b4d203d391af163e8e99d1a0549a7687" cmd-SetTopicKey.out || e4t_fail "SetTopicKey"
grep -q "status 0 " ack-SetTopicKey.out || e4t_fail "SetTopicKey ack status: $(cat ack-SetTopicKey.out)"
for c in RemovePubKey ResetPubKeys SetPubKey SetC2Key; do
	grep -q "refused: not valid in this protocol mode" "cmd-$c.err" || e4t_fail "$c in symkey mode: $(cat "cmd-$c.err")"
	grep -q "status 6 " "ack-$c.out" || e4t_fail "$c ack status: $(cat "ack-$c.out")"
	grep -qx "1 $c" cmd-status.txt || e4t_fail "$c exit status"
done
grep -qx "0 SetTopicKey" cmd-status.txt || e4t_fail "SetTopicKey exit status"
"$E4" device show --store $S >show.out
grep -qx "topic-keys 1" show.out && grep -qx "topic-hash b4d203d391af163e8e99d1a0549a7687 current" show.out ||
	e4t_fail "store after commands: $(cat show.out)"
grep -q f6cd5ebc433876ac073ce6e68ffcd9a8 show.out && e4t_fail "ResetTopics did not persist"
cat cmd-*.out show.out | grep -q "$DK\|51249d839362dab16db530fd33db0cc85e4addd321f397bca6361f5c5818f46b" && e4t_fail "a key was printed"
pass

e4t_say "a replayed command is refused as already applied (ack status 1), an older one as stale (2)"
SETTK=$(awk '$1=="SetTopicKey"{print $3}' cmds.txt)
expect_fail_in "$SETTK" 1 "command already applied" "$E4" device unprotect --store $S --topic "$CT" --now 1764000742 --hex --ack-out dup.ack
"$ACKCHECK" "$NEWDK" "$(cat dup.ack)" "$SETTK" | grep -q "status 1 digest match" || e4t_fail "duplicate ack"
e4t_eq "$(stat -c %a dup.ack)" 600 "ack file mode"
RMT=$(awk '$1=="RemoveTopic"{print $3}' cmds.txt)
expect_fail_in "$RMT" 1 "command older than the last applied command" "$E4" device unprotect --store $S --topic "$CT" --now 1764000750 --hex --ack-out stale.ack
"$ACKCHECK" "$NEWDK" "$(cat stale.ack)" "$RMT" | grep -q "status 2 digest match" || e4t_fail "stale ack"
pass

e4t_say "a command built with e4 protect and the device key (the new one after SetIDKey) is applied"
HT=$("$E4" hash-topic fleet/a)
CMD=$(echo "03${K}${HT}" | "$E4" protect --hex --key "$NEWDK" --time 1764000800)
echo "$CMD" | "$E4" device unprotect --store $S --topic "$CT" --now 1764000800 --hex >new.out || e4t_fail "command under the new key"
grep -qx "set key for topic hash $HT" new.out || e4t_fail "new.out: $(cat new.out)"
"$ACKCHECK" "$NEWDK" "$(awk '$1=="ack"{print $2}' new.out)" "$CMD" | grep -q "status 0 digest match" || e4t_fail "ack under the new key"
CMD=$(echo "09" | "$E4" protect --hex --key "$DK" --time 1764000801)
expect_fail_in "$CMD" 1 "bad tag" "$E4" device unprotect --store $S --topic "$CT" --now 1764000801 --hex
pass

e4t_say "two processes share the store: 20 concurrent set-topic-key all land"
i=0
while [ $i -lt 20 ]; do
	"$E4" device set-topic-key --store $S --topic "par/$i" --key "$K" >/dev/null 2>>par.err &
	i=$((i + 1))
done
wait
[ -s par.err ] && e4t_fail "concurrent writers: $(cat par.err)"
"$E4" device show --store $S | grep -qx "topic-keys 22" || e4t_fail "lost updates: $("$E4" device show --store $S | grep topic-keys)"
pass

e4t_say "the store is refused when group/world readable, a symlink or corrupt"
chmod 644 $S
expect_fail 1 "it must be a regular file of mode 0600" "$E4" device show --store $S
chmod 600 $S
ln -s $S link.store
expect_fail 1 "it must be a regular file of mode 0600" "$E4" device show --store link.store
cp -p $S bad.store
python3 -c "import sys; b=bytearray(open(sys.argv[1],'rb').read()); b[40]^=1; open(sys.argv[1],'wb').write(b)" bad.store
expect_fail 1 "stored state corrupt" "$E4" device show --store bad.store
head -c 10 $S >short.store; chmod 600 short.store
expect_fail 1 "stored state corrupt" "$E4" device show --store short.store
done_checks
