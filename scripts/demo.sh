#!/bin/sh
# The E4 demo on loopback: mosquitto with the E4 plugin, the C2 on SQLite,
# two devices and a curious third party.  Installs what is missing
# (Debian 12, as root), builds in _build/, narrates every step, stops
# everything it started and exits 0 only if every step behaved as told.
set -u
# Debian's own tools first: a python3 shim earlier in PATH (pyenv) costs
# seconds per call and lacks python3-cryptography.
PATH="/usr/bin:/usr/sbin:/bin:/sbin:$PATH"
export PATH
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
sh scripts/deps.sh || exit 1

# --- build ---------------------------------------------------------------
build="$top/_build"
mkdir -p "$build"
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
	autoreconf -fi >"$build/autoreconf.log" 2>&1 || { cat "$build/autoreconf.log"; exit 1; }
fi
echo "Building in $build ..."
if ! (cd "$build" && { [ -f Makefile ] || ../configure --enable-silent-rules >configure.log 2>&1; } &&
      make -j"$(nproc)" >make.log 2>&1); then
	tail -n 40 "$build/make.log" "$build/configure.log" 2>/dev/null
	echo "demo: build failed" >&2
	exit 1
fi
E4="$build/sdk/tools/e4"
E4C2="$build/c2/e4c2"
E4C2D="$build/c2/e4c2d"
PLUGIN="$build/plugin/.libs/mosquitto_e4.so"

# --- harness: scratch directory (holds keys: not under /tmp), cleanup ----
top_builddir=$build
E4T_BASE="$build/demo"
. "$top/tests/integration/lib.sh"
e4t_init
D=$E4T_DIR
steps_ok=0
steps_bad=0

step() {
	echo
	echo "== $*"
}
ok() {
	echo "   ok: $*"
	steps_ok=$((steps_ok + 1))
}
bad() {
	echo "   FAILED: $*"
	steps_bad=$((steps_bad + 1))
}
# Runs the C2 command line with the demo configuration.
c2() {
	"$E4C2" -c "$D/e4c2d.conf" "$@"
}
# True when every member of topic $1 acked its current key and no rotation runs.
settled() {
	c2 --json topic show "$1" | python3 -c "import json,sys; t=json.load(sys.stdin)['topic']; sys.exit(0 if not t['rotating'] and t['acked']==t['total'] else 1)"
}
# True when file $1 contains the fixed string $2.
has() {
	grep -qF -- "$2" "$1"
}

# --- the broker ------------------------------------------------------------
step "1. A Mosquitto broker with the E4 plugin (it holds no key)"
pw() { head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
C2PW=$(pw); ALICEPW=$(pw); BOBPW=$(pw); EVEPW=$(pw)
: >"$D/passwd"
chmod 600 "$D/passwd"
mosquitto_passwd -b "$D/passwd" e4c2 "$C2PW"
mosquitto_passwd -b "$D/passwd" alice "$ALICEPW"
mosquitto_passwd -b "$D/passwd" bob "$BOBPW"
mosquitto_passwd -b "$D/passwd" eve "$EVEPW"
printf '%s\n' "$C2PW" >"$D/c2.mqtt-password"
chmod 600 "$D/c2.mqtt-password"
e4t_start_broker <<EOF
allow_anonymous false
password_file $D/passwd
max_queued_messages 10000
plugin $PLUGIN
plugin_opt_protect demo/#
plugin_opt_c2_username e4c2
plugin_opt_mode symkey
plugin_opt_state_file $D/plugin-state.json
EOF
PORT=$E4T_PORT
echo "   mosquitto listens on 127.0.0.1:$PORT; topics demo/# must carry E4 frames"
ok "broker started with $(basename "$PLUGIN")"

# --- the C2 ------------------------------------------------------------------
step "2. The C2: e4c2 init creates the database (SQLite) and the master key"
cat >"$D/e4c2d.conf" <<EOF
mode symkey
database $D/c2.db
master_key_file $D/master.key
socket $D/e4c2.sock
mqtt_host 127.0.0.1
mqtt_port $PORT
mqtt_username e4c2
mqtt_password_file $D/c2.mqtt-password
mqtt_client_id e4c2d-demo
log_level info
EOF
c2 init >/dev/null && ok "database and master key (mode $(stat -c %a "$D/master.key")) created" || bad "e4c2 init"
e4t_bg "$E4C2D" -c "$D/e4c2d.conf" 2>>"$D/c2d.log"
if e4t_wait_for 10 sh -c "\"$E4C2\" -c \"$D/e4c2d.conf\" --json status | grep -q '\"connected\":true'"; then
	ok "e4c2d is connected to the broker"
else
	bad "e4c2d did not connect"
fi

# --- provisioning ----------------------------------------------------------------
step "3. Provisioning two devices: the C2 generates their keys and exports their store files"
c2 device add alice --export "$D/alice.store" >/dev/null && c2 device add bob --export "$D/bob.store" >/dev/null &&
	ok "alice = $("$E4" id alice), bob = $("$E4" id bob)" || bad "device add"
e4t_bg "$E4" sub --store "$D/alice.store" -p "$PORT" -u alice -P "$ALICEPW" -t demo/chat -v >"$D/alice.out" 2>"$D/alice.err"
e4t_bg "$E4" sub --store "$D/bob.store" -p "$PORT" -u bob -P "$BOBPW" -t demo/chat -v >"$D/bob.out" 2>"$D/bob.err"
e4t_bg mosquitto_sub -p "$PORT" -u eve -P "$EVEPW" -t 'demo/#' -F '%t %x' >"$D/eve.out" 2>"$D/eve.err"
sleep 1

step "4. Linking the topic demo/chat: the C2 sends each device the topic key, encrypted with its device key"
c2 topic add demo/chat >/dev/null && c2 link alice demo/chat >/dev/null && c2 link bob demo/chat >/dev/null ||
	bad "topic add / link"
if e4t_wait_for 20 settled demo/chat; then
	ok "both devices acknowledged the key ($(c2 --json topic show demo/chat | python3 -c "import json,sys; t=json.load(sys.stdin)['topic']; print(t['acked'], 'of', t['total'])"))"
else
	bad "the devices did not acknowledge the topic key"
fi

# --- messages -------------------------------------------------------------------------
step "5. alice publishes on demo/chat; bob decrypts"
MSG1="hello bob, the broker cannot read this"
"$E4" pub --store "$D/alice.store" -p "$PORT" -u alice -P "$ALICEPW" -t demo/chat -m "$MSG1"
if e4t_wait_for 10 has "$D/bob.out" "$MSG1"; then ok "bob received: $MSG1"; else bad "bob did not receive the message"; fi

step "6. What eve, a plain subscriber on the broker, sees"
sleep 0.5
sed -n '1,2p' "$D/eve.out" | cut -c1-100 | sed 's/^/   eve: /'
hexmsg=$(printf '%s' "hello bob" | od -An -tx1 | tr -d ' \n')
if [ -s "$D/eve.out" ] && ! grep -q "$hexmsg" "$D/eve.out" && ! has "$D/eve.out" "hello bob"; then
	ok "eve got $(wc -l <"$D/eve.out") frame(s) of ciphertext and no plaintext"
else
	bad "eve's view is not ciphertext only"
fi

step "7. eve publishes plaintext on demo/chat: the broker refuses it"
if mosquitto_pub -V 5 -q 1 -p "$PORT" -u eve -P "$EVEPW" -t demo/chat -m "buy now" >"$D/evepub.out" 2>&1 &&
   ! grep -qi "not authori" "$D/evepub.out"; then
	bad "the broker accepted a plaintext publish"
else
	ok "refused: $(tr '\n' ' ' <"$D/evepub.out")"
fi
sleep 0.5
if has "$D/bob.out" "buy now"; then bad "bob received eve's plaintext"; else ok "nothing reached the devices"; fi

step "8. Key rotation while alice keeps publishing"
c2 topic rotate demo/chat >/dev/null || bad "topic rotate"
i=1
while [ $i -le 10 ]; do
	"$E4" pub --store "$D/alice.store" -p "$PORT" -u alice -P "$ALICEPW" -t demo/chat -m "during rotation $i"
	i=$((i + 1))
	sleep 0.2
done
e4t_wait_for 20 settled demo/chat && ok "rotation done: epoch $(c2 --json topic show demo/chat | python3 -c "import json,sys; print(json.load(sys.stdin)['topic']['epoch'])")" ||
	bad "rotation did not complete"
"$E4" pub --store "$D/alice.store" -p "$PORT" -u alice -P "$ALICEPW" -t demo/chat -m "after rotation"
if e4t_wait_for 10 has "$D/bob.out" "after rotation"; then
	n=$(grep -c "during rotation" "$D/bob.out")
	[ "$n" -eq 10 ] && ok "bob decrypted all 10 messages sent during the rotation and the next one" ||
		bad "bob decrypted $n of 10 messages sent during the rotation"
else
	bad "bob did not receive the message after the rotation"
fi

step "9. bob leaves the topic: the C2 re-keys it for alice and retires the old key, bob is locked out"
cp "$D/bob.store" "$D/bob-kept.store"   # what a departing device could keep
c2 unlink bob demo/chat --wait >/dev/null 2>&1 || bad "unlink"
settled demo/chat && ok "re-key done: every remaining member acked that it no longer accepts the old key" ||
	bad "re-key after unlink did not complete"
MSG2="bob is gone"
"$E4" pub --store "$D/alice.store" -p "$PORT" -u alice -P "$ALICEPW" -t demo/chat -m "$MSG2"
if e4t_wait_for 10 has "$D/alice.out" "$MSG2"; then ok "alice still talks on demo/chat"; else bad "alice's own message did not come back"; fi
sleep 1
if has "$D/bob.out" "$MSG2"; then
	bad "bob could read a message sent after he left"
else
	ok "bob cannot read it: $(tail -n 1 "$D/bob.err")"
fi
MSG3="bob writes with the key he kept"
"$E4" pub --store "$D/bob-kept.store" -p "$PORT" -u bob -P "$BOBPW" -t demo/chat -m "$MSG3" 2>/dev/null
sleep 1
if has "$D/alice.out" "$MSG3"; then
	bad "alice accepted a message bob made with the key he kept"
else
	ok "bob cannot write either: alice refused his frame ($(grep 'refused' "$D/alice.err" | tail -n 1))"
fi

step "Summary"
echo "   $steps_ok steps behaved as told, $steps_bad did not"
echo "   (the broker, the C2 and the devices are stopped now)"
[ $steps_bad -eq 0 ]
