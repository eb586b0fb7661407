#!/bin/sh
# cli.sh - e4 hash-topic, id, protect, unprotect and keygen: known-answer
# vectors, round trips, and the message and exit status of each failure.
. "$top_srcdir/tests/tools/lib.sh"
e4t_init
cd "$E4T_DIR" || exit 1

e4t_say "hashes and ids match the vectors"
vec "[(h['input'], h['sha3_256_16']) for h in d['hashes'] if h['input'] and ' ' not in h['input']]" |
while read -r input want; do
	e4t_eq "$("$E4" hash-topic "$input")" "$want" "hash-topic $input"
done || exit 1
e4t_eq "$("$E4" id "$(vec "d['client']['alias']")")" "$(vec "d['client']['id']")" "id of alias"
pass

e4t_say "every symkey message vector: protect gives the frame, unprotect the plaintext"
vec "[(m['key'], m['timestamp'], m['plaintext'] or '-', m['protected'], m['topic'], m['topic_hash']) for m in d['symkey_messages']]" >sym.txt
n=0
while read -r key ts pt prot topic th; do
	[ "$pt" = "-" ] && pt=""
	e4t_eq "$("$E4" hash-topic "$topic")" "$th" "topic hash of $topic"
	e4t_eq "$(printf '%s' "$pt" | "$E4" protect --hex --key "$key" --time "$ts")" "$prot" "protect vector $n"
	e4t_eq "$(echo "$prot" | "$E4" unprotect --hex --key "$key" --now "$ts")" "$pt" "unprotect vector $n"
	n=$((n + 1))
done <sym.txt
[ "$n" -ge 10 ] || e4t_fail "only $n symkey vectors"
E4T_CHECKS=$((E4T_CHECKS + n))

e4t_say "pubkey message vectors: protect --pubkey reproduces each frame, unprotect --pubkey opens it"
SEED=$(vec "d['pubkey']['ed25519_seed']"); PUB=$(vec "d['pubkey']['ed25519_pub']"); CID=$(vec "d['pubkey']['client_id']")
vec "[(m['topic_key'], m['timestamp'], m['plaintext'] or '-', m['protected']) for m in d['pubkey']['messages']]" >pk.txt
n=0
while read -r key ts pt prot; do
	[ "$pt" = "-" ] && pt=""
	e4t_eq "$(printf '%s' "$pt" | "$E4" protect --pubkey --hex --key "$key" --sign-key "$SEED$PUB" --id "$CID" --time "$ts")" "$prot" "pubkey protect $n"
	e4t_eq "$(echo "$prot" | "$E4" unprotect --pubkey --hex --key "$key" --sender-pub "$PUB" --now "$ts")" "$pt" "pubkey unprotect $n"
	n=$((n + 1))
done <pk.txt
[ "$n" -ge 1 ] || e4t_fail "no pubkey vectors"
E4T_CHECKS=$((E4T_CHECKS + n))

e4t_say "negative vectors are refused with exit 1"
vec "[(m['case'], m['key'], m['timestamp'], m['protected']) for m in d['negative']]" >neg.txt
while read -r case key ts prot; do
	echo "$prot" | "$E4" unprotect --hex --key "$key" --now "$ts" >/dev/null 2>err.txt
	rc=$?
	[ $rc -eq 1 ] || { [ "$case" = only_header_24_bytes ] && [ $rc -eq 0 ]; } ||
		e4t_fail "negative $case: exit $rc"
	pass
done <neg.txt

K=263127ebcdb24056936e819b1a1bb73b73e9fe70d992828864e8c28551c72ed7
K2=1111111111111111111111111111111111111111111111111111111111111111
T=1764000639

e4t_say "binary round trip, empty plaintext (24-byte frame) accepted"
head -c 1000 /dev/urandom >msg.bin
"$E4" protect --key "$K" --time $T <msg.bin >frame.bin || e4t_fail "protect binary"
e4t_eq "$(wc -c <frame.bin | tr -d ' ')" 1024 "frame size"
"$E4" unprotect --key "$K" --now $T <frame.bin >back.bin || e4t_fail "unprotect binary"
cmp -s msg.bin back.bin || e4t_fail "binary round trip differs"
pass
"$E4" protect --key "$K" --time $T </dev/null >empty.bin
e4t_eq "$(wc -c <empty.bin | tr -d ' ')" 24 "empty frame size"
"$E4" unprotect --key "$K" --now $T <empty.bin >empty.out || e4t_fail "empty frame refused"
[ -s empty.out ] && e4t_fail "empty frame gave output"
pass

e4t_say "failures: one line naming the reason, exit 1"
F=$(echo 68656c6c6f0a | "$E4" protect --hex --key "$K" --time $T)
expect_fail_in "$F" 1 "bad tag" "$E4" unprotect --hex --key "$K2" --now $T
BAD=$(echo "$F" | sed 's/.$/0/'); [ "$BAD" = "$F" ] && BAD=$(echo "$F" | sed 's/.$/1/')
expect_fail_in "$BAD" 1 "bad tag" "$E4" unprotect --hex --key "$K" --now $T
expect_fail_in "$F" 1 "too old" "$E4" unprotect --hex --key "$K" --now $((T + 601))
echo "$F" | "$E4" unprotect --hex --key "$K" --now $((T + 600)) >/dev/null || e4t_fail "600 s old refused"
echo "$F" | "$E4" unprotect --hex --key "$K" --now $((T + 5000)) --max-age 5000 >/dev/null || e4t_fail "--max-age ignored"
pass
expect_fail_in "$F" 1 "in the future" "$E4" unprotect --hex --key "$K" --now $((T - 61))
expect_fail_in "$F" 1 "in the future" "$E4" unprotect --hex --key "$K" --now $((T - 10)) --max-skew 5
FUT=$(echo 00 | "$E4" protect --hex --key "$K" --time 4000000000)
expect_fail_in "$FUT" 1 "in the future" "$E4" unprotect --hex --key "$K"
NOW=$(echo 00 | "$E4" protect --hex --key "$K")
e4t_eq "$(echo "$NOW" | "$E4" unprotect --hex --key "$K")" 00 "system clock on both sides"
expect_fail_in 0011223344 1 "too short" "$E4" unprotect --hex --key "$K" --now $T
expect_fail_in 00112 1 "not hex: odd number of digits" "$E4" unprotect --hex --key "$K"
expect_fail_in 00zz 1 "not hex: bad character at position 3" "$E4" protect --hex --key "$K"
LONG=$(head -c 100 /dev/zero | "$E4" protect --key "$K" --time $T | od -An -tx1 | tr -d ' \n')
expect_fail_in "$LONG" 1 "bad signature" "$E4" unprotect --hex --pubkey --key "$K" --sender-pub "$PUB" --now $T

e4t_say "usage errors: a specific message, exit 2"
expect_fail 2 "missing --key (or --key-file)" "$E4" protect </dev/null
expect_fail 2 "--key: expected 64 hex characters (32 bytes), got 6" "$E4" protect --key abcdef </dev/null
expect_fail 2 "--key: not hex: bad character at position 1" "$E4" protect --key "g${K#?}" </dev/null
expect_fail 2 "--time: expected a non-negative decimal number, got '-5'" "$E4" protect --key "$K" --time -5 </dev/null
expect_fail 2 "--time: not a decimal number: '12x'" "$E4" protect --key "$K" --time 12x </dev/null
expect_fail 2 "--now: number too large" "$E4" unprotect --key "$K" --now 99999999999999999999999 </dev/null
expect_fail 2 "--max-age: 5000000000 is larger than" "$E4" unprotect --key "$K" --max-age 5000000000 </dev/null
expect_fail 2 "unknown option --frobnicate" "$E4" protect --frobnicate </dev/null
expect_fail 2 "option --key needs an argument" "$E4" protect --key
expect_fail 2 "option --hex takes no argument" "$E4" protect --hex=1 --key "$K"
expect_fail 2 "unexpected operand 'extra'" "$E4" protect --key "$K" extra </dev/null
expect_fail 2 "missing operand TOPIC" "$E4" hash-topic
expect_fail 2 "missing --id" "$E4" protect --pubkey --key "$K" --sign-key "$SEED$PUB" </dev/null
expect_fail 2 "missing --sender-pub" "$E4" unprotect --pubkey --key "$K" </dev/null
expect_fail 2 "--sign-key and --id need --pubkey" "$E4" protect --key "$K" --id "$CID" </dev/null
expect_fail 2 "unknown command 'frobnicate'" "$E4" frobnicate
expect_fail 2 "give --key or --key-file, not both" "$E4" protect --key "$K" --key-file x </dev/null

e4t_say "--key-file: 0600 accepted (hex or raw), group/world readable refused"
umask 077
echo "$K" >key.hex
e4t_eq "$(echo "$F" | "$E4" unprotect --hex --key-file key.hex --now $T)" 68656c6c6f0a "key file"
python3 -c "import sys; sys.stdout.buffer.write(bytes.fromhex('$K'))" >key.raw
e4t_eq "$(echo "$F" | "$E4" unprotect --hex --key-file key.raw --now $T)" "68656c6c6f0a" "raw key file"
chmod 644 key.hex
expect_fail_in "$F" 1 "accessible by group or others" "$E4" unprotect --hex --key-file key.hex --now $T
chmod 600 key.hex
echo 1234 >short.hex
expect_fail_in "$F" 1 "expected 32 bytes" "$E4" unprotect --hex --key-file short.hex --now $T
expect_fail_in "$F" 1 "cannot open key file" "$E4" unprotect --hex --key-file missing.hex --now $T

e4t_say "keygen: a working Ed25519 pair, the secret line labelled"
"$E4" keygen >kp.txt || e4t_fail keygen
grep -q "SECRET" kp.txt || e4t_fail "keygen does not say which line is secret"
GP=$(awk '$1=="public-key"{print $2}' kp.txt); GS=$(awk '$1=="secret-key"{print $2}' kp.txt)
e4t_eq "${#GP}" 64 "public key length"; e4t_eq "${#GS}" 128 "secret key length"
e4t_eq "${GS#????????????????????????????????????????????????????????????????}" "$GP" "secret ends with public"
G=$(echo 7369676e65640a | "$E4" protect --pubkey --hex --key "$K" --sign-key "$GS" --id "$CID" --time $T)
e4t_eq "$(echo "$G" | "$E4" unprotect --pubkey --hex --key "$K" --sender-pub "$GP" --now $T)" "7369676e65640a" "keygen pair signs and verifies"
"$E4" keygen >kp2.txt
[ "$(awk '$1=="secret-key"{print $2}' kp2.txt)" != "$GS" ] || e4t_fail "keygen repeats"
"$E4" keygen --curve >kc.txt
e4t_eq "$(awk '$1=="secret-key"{print length($2)}' kc.txt)" 64 "curve secret length"
pass

e4t_say "every subcommand has a generated --help"
for c in hash-topic id protect unprotect keygen "device init" "device show" "device protect" "device unprotect" "device set-topic-key" "device set-pubkey"; do
	# shellcheck disable=SC2086
	"$E4" $c --help | grep -q "^usage: e4 $c" || e4t_fail "no help for $c"
done
"$E4" protect --help | grep -q -- "--key-file FILE" || e4t_fail "help lacks --key-file"
pass

e4t_say "e4(1) documents every long option of every subcommand"
MAN="$top_srcdir/man/e4.1"
cmds="hash-topic id protect unprotect keygen"
cmds="$cmds device:init device:show device:protect device:unprotect device:set-topic-key device:remove-topic device:set-pubkey"
"$E4" sub --help >/dev/null 2>&1 && cmds="$cmds sub pub"
n=0
for c in $cmds; do
	# shellcheck disable=SC2046
	for o in $("$E4" $(echo "$c" | tr : ' ') --help | grep -o -- '--[a-z0-9-]*' | sort -u); do
		[ "$o" = --help ] && continue
		grep -q "Fl \\\\-${o#--}\\>" "$MAN" || e4t_fail "e4.1 does not document $o of $c"
		n=$((n + 1))
	done
	grep -q "Cm $(echo "$c" | tr : ' ')" "$MAN" || e4t_fail "e4.1 does not document $c"
done
[ "$n" -gt 40 ] || e4t_fail "only $n options found in the help texts"
pass
done_checks
