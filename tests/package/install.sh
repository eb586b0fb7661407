#!/bin/sh
# tests/package/install.sh DIR - the package install test (run by
# scripts/package-test.sh, NOT by "make check": it changes this machine).
#
# As root: installs the .deb files of DIR with dpkg -i, checks what the
# maintainer scripts did (system user, 0700 state directory, 0600 master
# key, conffile, hardened unit, broker configuration untouched), reinstalls
# and checks the key and database were kept, then runs the INSTALLED
# programs: mosquitto with the installed plugin and the example broker
# configuration (TLS, password file), e4c2d as the e4c2 user with a copy of
# /etc/e4c2/e4c2d.conf (as systemd would start it, without systemd), two
# devices provisioned with e4c2, and a message from one to the other with
# e4 pub / e4 sub.  Finally purges the packages and checks that nothing
# they created is left (the e4c2 system user stays, see README.Debian).
set -u
[ $# -eq 1 ] && [ -d "$1" ] || { echo "usage: $0 DIR-WITH-DEBS" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "install.sh: run as root" >&2; exit 1; }
debdir=$(cd "$1" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
E4T_BASE="$debdir/scratch"  # read by e4t_init (tests/integration/lib.sh)
export E4T_BASE
. "$top/tests/integration/lib.sh"

PKGS="libe4-0 libe4mqtt0 libe4-dev e4-tools mosquitto-e4 e4c2"
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
PLUGIN="/usr/lib/$MA/mosquitto/mosquitto_e4.so"
EXAMPLES=/usr/share/doc/mosquitto-e4/examples
checks=0
t0=$(date +%s)

# Counts a passed check.
pass() {
	checks=$((checks + 1))
	echo "ok $checks - $* ($(( $(date +%s) - t0 )) s)"
}

# Prints "mode owner group" of a path.
perms() {
	stat -c '%a %U %G' "$1"
}

# Purges every package of the test that is installed (quietly).
purge_all() {
	for p in $PKGS; do
		if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'installed\|config-files'; then
			dpkg --purge "$p" >>"$debdir/dpkg.log" 2>&1
		fi
	done
}

# On failure, also stops the daemon and purges what the test installed.
cleanup_install() {
	rc=$?
	if [ $rc -ne 0 ]; then
		for p in $E4T_PIDS; do kill "$p" 2>/dev/null; done
		sleep 0.3
		purge_all
		rm -rf /run/e4c2
	fi
	(exit $rc)
	e4t_cleanup
}

e4t_init
trap cleanup_install EXIT INT TERM
D=$E4T_DIR
: >"$debdir/dpkg.log"

# --- before ------------------------------------------------------------
for p in $PKGS; do
	if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'installed\|config-files'; then
		echo "note: $p was already installed; purging it first"
	fi
done
purge_all
[ -e /var/lib/e4c2 ] && e4t_fail "/var/lib/e4c2 exists before the install (left by something else)"
[ -e /etc/e4c2 ] && e4t_fail "/etc/e4c2 exists before the install"
confd_before=$(ls -la /etc/mosquitto/conf.d 2>&1; cat /etc/mosquitto/mosquitto.conf 2>&1)

# --- install -------------------------------------------------------------
debs=""
for p in $PKGS; do
	f=$(ls "$debdir/${p}_"*.deb 2>/dev/null | head -n 1)
	[ -n "$f" ] || e4t_fail "no ${p}_*.deb in $debdir"
	debs="$debs $f"
done
# shellcheck disable=SC2086
dpkg -i $debs >>"$debdir/dpkg.log" 2>&1 || { tail -n 30 "$debdir/dpkg.log"; e4t_fail "dpkg -i"; }
for p in $PKGS; do
	e4t_eq "$(dpkg-query -W -f='${Status}' "$p")" "install ok installed" "status of $p"
done
pass "dpkg -i of the 6 packages"

# --- what the packages and their maintainer scripts did ------------------
getent passwd e4c2 >/dev/null || e4t_fail "no e4c2 user"
uid=$(id -u e4c2)
[ "$uid" -lt 1000 ] || e4t_fail "e4c2 is not a system user (uid $uid)"
e4t_eq "$(id -gn e4c2)" e4c2 "primary group of e4c2"
e4t_eq "$(getent passwd e4c2 | cut -d: -f6)" /var/lib/e4c2 "home of e4c2"
pass "system user e4c2 (uid $uid), group e4c2, home /var/lib/e4c2"
e4t_eq "$(perms /var/lib/e4c2)" "700 e4c2 e4c2" "/var/lib/e4c2"
e4t_eq "$(perms /var/lib/e4c2/master.key)" "600 e4c2 e4c2" "master key"
[ "$(stat -c %s /var/lib/e4c2/master.key)" -gt 0 ] || e4t_fail "empty master key"
e4t_eq "$(stat -c %U /var/lib/e4c2/e4c2.db)" e4c2 "owner of the database"
pass "state: /var/lib/e4c2 0700, master.key 0600, e4c2.db, all owned by e4c2"
dpkg-query -W -f='${Conffiles}\n' e4c2 | grep -q '^ /etc/e4c2/e4c2d.conf ' || e4t_fail "e4c2d.conf is not a conffile"
conf=$(/usr/sbin/e4c2d -c /etc/e4c2/e4c2d.conf -t) || e4t_fail "e4c2d -t on the installed configuration"
for want in "database /var/lib/e4c2/e4c2.db" "master_key_file /var/lib/e4c2/master.key" "socket /run/e4c2/e4c2.sock"; do
	echo "$conf" | grep -qx "$want" || e4t_fail "installed configuration lacks: $want"
done
pass "/etc/e4c2/e4c2d.conf is a conffile with the Debian paths"
unit=/lib/systemd/system/e4c2d.service
[ -f "$unit" ] || e4t_fail "no $unit"
for d in User=e4c2 NoNewPrivileges=yes PrivateTmp=yes ProtectSystem=strict ProtectHome=yes LimitCORE=0 \
	StateDirectory=e4c2 RuntimeDirectory=e4c2 "ExecStart=/usr/sbin/e4c2d -c /etc/e4c2/e4c2d.conf"; do
	grep -qx "$d" "$unit" || e4t_fail "$unit lacks $d"
done
pass "hardened unit $unit"
[ -f "$PLUGIN" ] || e4t_fail "no $PLUGIN"
# shellcheck disable=SC2086
dpkg -L $PKGS | grep '\.la$' && e4t_fail "a libtool .la file is shipped"
for f in /usr/share/man/man7/mosquitto-e4.7.gz /usr/share/man/man8/e4c2d.8.gz /usr/share/man/man1/e4c2.1.gz \
	/usr/share/man/man5/e4c2d.conf.5.gz /usr/share/man/man1/e4.1.gz /usr/share/man/man7/e4-protocol.7.gz \
	/usr/share/man/man3/libe4.3.gz "$EXAMPLES/mosquitto-e4.conf" "$EXAMPLES/mosquitto-example.conf"; do
	[ -f "$f" ] || e4t_fail "missing $f"
done
grep -q "^plugin $PLUGIN\$" "$EXAMPLES/mosquitto-e4.conf" || e4t_fail "the example snippet names another plugin path"
pass "plugin, man pages and examples installed, no .la file"
e4t_eq "$(ls -la /etc/mosquitto/conf.d 2>&1; cat /etc/mosquitto/mosquitto.conf 2>&1)" "$confd_before" \
	"the broker configuration changed"
pass "the broker's configuration is unchanged (plugin disabled by default)"

# The development package: a program built with pkg-config against the
# installed headers and libraries agrees with the installed e4 command.
cat >"$D/prog.c" <<'EOF'
#include <stdio.h>
#include <e4/e4.h>
#include <e4/mqtt.h>
int main(void)
{
	uint8_t id[E4_ID_LEN];
	char hex[2 * E4_ID_LEN + 1];

	if (e4_id_from_alias(id, "alice") != 0 || e4_mqtt_strerror(0) == NULL)
		return 1;
	e4_hex_encode(hex, id, sizeof(id));
	puts(hex);
	return 0;
}
EOF
# shellcheck disable=SC2046
cc -o "$D/prog" "$D/prog.c" $(pkg-config --cflags --libs libe4mqtt libe4) 2>"$D/cc.log" ||
	{ cat "$D/cc.log"; e4t_fail "building against libe4-dev"; }
e4t_eq "$("$D/prog")" "$(e4 id alice)" "id of alice (libe4 vs e4 id)"
pass "a program built with pkg-config libe4mqtt runs and agrees with e4 id"

# --- reinstall (upgrade path): the key and the database are kept ----------
sums=$(sha256sum /var/lib/e4c2/master.key /var/lib/e4c2/e4c2.db)
# shellcheck disable=SC2086
dpkg -i $debs >>"$debdir/dpkg.log" 2>&1 || e4t_fail "second dpkg -i"
e4t_eq "$(sha256sum /var/lib/e4c2/master.key /var/lib/e4c2/e4c2.db)" "$sums" "key or database after reinstall"
e4t_eq "$(perms /var/lib/e4c2/master.key)" "600 e4c2 e4c2" "master key after reinstall"
pass "reinstall keeps master.key and e4c2.db"

# --- certificates and passwords ------------------------------------------
command -v openssl >/dev/null || e4t_fail "openssl missing"
cd "$D" || exit 1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=e4 package test CA" \
	-keyout ca.key -out ca.crt >ssl.log 2>&1 || e4t_fail "CA"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr \
	>>ssl.log 2>&1 || e4t_fail "server key"
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >san.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
	-extfile san.ext -out server.crt >>ssl.log 2>&1 || e4t_fail "server certificate"
pw() { head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
C2PW=$(pw); ALICEPW=$(pw); BOBPW=$(pw)
: >passwd
chmod 600 passwd
for u in "e4c2 $C2PW" "alice $ALICEPW" "bob $BOBPW"; do
	# shellcheck disable=SC2086
	mosquitto_passwd -b passwd $u || e4t_fail mosquitto_passwd
done

# --- the broker: the installed example configuration, ports and paths adapted
# Everything the broker and e4c2d read lives in a directory of their own;
# the scratch directory is only traversable by others.
chmod 711 "$D"
B=$D/broker
mkdir -m 700 "$B"
DEVPORT=$(e4t_free_port)
C2PORT=$(e4t_free_port)
sed -e "s|^listener 8883\$|listener $DEVPORT 127.0.0.1|" \
	-e "s|^listener 8884 127.0.0.1\$|listener $C2PORT 127.0.0.1|" \
	-e "s|/etc/mosquitto/passwd|$B/passwd|" \
	-e "s|/etc/mosquitto/certs/|$B/|" \
	-e "s|/etc/mosquitto/ca_certificates/|$B/|" \
	-e "s|/var/lib/mosquitto/e4-state.json|$B/e4-state.json|" \
	"$EXAMPLES/mosquitto-example.conf" >"$B/mosquitto.conf"
grep -q "^plugin $PLUGIN\$" "$B/mosquitto.conf" || e4t_fail "the example configuration names another plugin path"
printf 'persistence false\nlog_dest file %s/mosquitto.log\nlog_type all\n' "$B" >>"$B/mosquitto.conf"
cp passwd server.crt server.key ca.crt "$B/"
chown -R mosquitto:mosquitto "$B"
# As the Debian service runs it: the mosquitto user, not root.
e4t_bg setpriv --reuid mosquitto --regid mosquitto --init-groups /usr/sbin/mosquitto -c "$B/mosquitto.conf"
BROKER=$E4T_LAST_PID
e4t_wait_port "$DEVPORT"
e4t_wait_port "$C2PORT"
LOG=$B/mosquitto.log
grep -q "mosquitto_e4" "$LOG" || e4t_fail "the broker log does not mention the plugin"
e4t_eq "$(ps -o user= -p "$BROKER")" mosquitto "user of the broker"
pass "mosquitto (as user mosquitto) runs the installed plugin with the example configuration (TLS on ports $DEVPORT and $C2PORT)"

# --- the daemon, as the e4c2 user, as its unit would run it ----------------
mkdir c2
cp /etc/e4c2/e4c2d.conf c2/e4c2d.conf
cat >>c2/e4c2d.conf <<EOF
mqtt_host localhost
mqtt_port $C2PORT
mqtt_cafile $D/c2/ca.crt
mqtt_username e4c2
mqtt_password_file $D/c2/mqtt-password
mqtt_client_id e4c2d-pkgtest
EOF
cp ca.crt c2/
printf '%s\n' "$C2PW" >c2/mqtt-password
chmod 600 c2/mqtt-password
chown -R e4c2:e4c2 c2
chmod 700 c2
setpriv --reuid e4c2 --regid e4c2 --init-groups test -r c2/mqtt-password ||
	e4t_fail "the e4c2 user cannot read $D/c2 (a parent directory is not traversable by others?)"
# systemd's RuntimeDirectory=e4c2 (mode 0750)
install -d -o e4c2 -g e4c2 -m 0750 /run/e4c2
e4t_bg setpriv --reuid e4c2 --regid e4c2 --init-groups --no-new-privs \
	/usr/sbin/e4c2d -c "$D/c2/e4c2d.conf" 2>"$D/e4c2d.log"
C2D=$E4T_LAST_PID
c2() {
	e4c2 -c "$D/c2/e4c2d.conf" "$@"
}
e4t_wait_for 15 sh -c "e4c2 -c '$D/c2/e4c2d.conf' --json status | grep -q '\"connected\":true'" ||
	e4t_fail "e4c2d did not connect to the broker"
e4t_eq "$(ps -o user= -p "$C2D")" e4c2 "user of e4c2d"
e4t_eq "$(perms /run/e4c2/e4c2.sock)" "660 e4c2 e4c2" "control socket"
pass "e4c2d runs as e4c2 on the installed state, connected over TLS; socket 0660 e4c2:e4c2"

# --- two devices, end to end ----------------------------------------------
c2 device add alice --export "$D/alice.store" >/dev/null || e4t_fail "device add alice"
c2 device add bob --export "$D/bob.store" >/dev/null || e4t_fail "device add bob"
AID=$(e4 id alice)
BID=$(e4 id bob)
TLS="-h localhost -p $DEVPORT --cafile $D/ca.crt"
# shellcheck disable=SC2086
e4t_bg e4 sub --store "$D/alice.store" $TLS -u alice -P "$ALICEPW" -t sensors/temp -v >alice.out 2>alice.err
# shellcheck disable=SC2086
e4t_bg e4 sub --store "$D/bob.store" $TLS -u bob -P "$BOBPW" -t sensors/temp -v >bob.out 2>bob.err
for i in "$AID" "$BID"; do
	e4t_wait_for 10 grep -q "Received SUBSCRIBE from $i" "$LOG" ||
		e4t_fail "device $i did not subscribe: $(cat alice.err bob.err)"
done
c2 topic add sensors/temp >/dev/null || e4t_fail "topic add"
c2 link alice sensors/temp >/dev/null || e4t_fail "link alice"
c2 link bob sensors/temp >/dev/null || e4t_fail "link bob"
settled() {
	c2 --json topic show sensors/temp | python3 -c "import json,sys; t=json.load(sys.stdin)['topic']; sys.exit(0 if not t['rotating'] and t['acked']==t['total']==2 else 1)"
}
e4t_wait_for 20 settled || e4t_fail "the devices did not acknowledge the topic key: $(c2 topic show sensors/temp)"
pass "two devices provisioned with e4c2 acknowledged the topic key"
MSG="package test $(pw)"
# shellcheck disable=SC2086
e4 pub --store "$D/alice.store" $TLS -u alice -P "$ALICEPW" -t sensors/temp -m "$MSG" || e4t_fail "e4 pub"
e4t_wait_for 10 grep -qF "$MSG" bob.out || e4t_fail "bob did not receive the message: $(cat bob.err)"
pass "alice -> bob end to end with the installed e4 pub / e4 sub"
mosquitto_pub -h localhost -p "$DEVPORT" --cafile ca.crt -u alice -P "$ALICEPW" -V 5 -q 1 \
	-t sensors/temp -m "plaintext $MSG" >plain.out 2>&1 && ! grep -qi "not authori" plain.out &&
	e4t_fail "the broker accepted a plaintext publish on a protected topic: $(cat plain.out)"
sleep 0.5
grep -qF "plaintext $MSG" bob.out && e4t_fail "a plaintext publish reached bob"
pass "the installed plugin refuses a plaintext publish on a protected topic"

# --- stop, purge, nothing left -------------------------------------------
kill "$C2D" "$BROKER" 2>/dev/null
e4t_wait_for 10 sh -c "! kill -0 $C2D 2>/dev/null" || e4t_fail "e4c2d did not stop on SIGTERM"
rm -rf "$D/c2"
rm -rf /run/e4c2    # systemd removes RuntimeDirectory= when the unit stops
# shellcheck disable=SC2086
dpkg --purge $PKGS >>"$debdir/dpkg.log" 2>&1 || { tail -n 30 "$debdir/dpkg.log"; e4t_fail "dpkg --purge"; }
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'installed\|config-files' && e4t_fail "$p still known to dpkg"
done
for f in /var/lib/e4c2 /etc/e4c2 /run/e4c2 "$PLUGIN" /usr/include/e4 /usr/sbin/e4c2d /usr/bin/e4 /usr/bin/e4c2 \
	/lib/systemd/system/e4c2d.service /usr/share/doc/mosquitto-e4 "/usr/lib/$MA/libe4.so.0"; do
	[ -e "$f" ] && e4t_fail "$f is left after purge"
done
left=$(find /etc /var /run /usr /lib /opt /srv /home /root -xdev \( -user e4c2 -o -group e4c2 \) 2>/dev/null)
[ -z "$left" ] || e4t_fail "files of the e4c2 user are left: $left"
e4t_eq "$(ls -la /etc/mosquitto/conf.d 2>&1; cat /etc/mosquitto/mosquitto.conf 2>&1)" "$confd_before" \
	"the broker configuration after purge"
getent passwd e4c2 >/dev/null || e4t_fail "the e4c2 user was removed (README.Debian says it stays)"
pass "purge: no state, configuration, socket or file of e4c2 left; the e4c2 user stays (documented)"

echo "install.sh: $checks checks passed"
