#!/bin/sh
# mqtt-auth.sh - e4 pub / e4 sub with a broker that wants TLS and a
# password: --cafile, -u/-P, and the failures when either is wrong.
. "$top_srcdir/tests/tools/lib.sh"
e4t_init
cd "$E4T_DIR" || exit 1
command -v openssl >/dev/null || e4t_fail "openssl command missing"
command -v mosquitto_passwd >/dev/null || e4t_fail "mosquitto_passwd missing (apt-get install mosquitto)"

e4t_say "a CA, a server certificate for 127.0.0.1 and a password file"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=e4 test CA" \
	-keyout ca.key -out ca.crt >ssl.log 2>&1 || e4t_fail "CA"
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr \
	>>ssl.log 2>&1 || e4t_fail "server key"
printf 'subjectAltName=IP:127.0.0.1\n' >san.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
	-extfile san.ext -out server.crt >>ssl.log 2>&1 || e4t_fail "server certificate"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=other CA" \
	-keyout other.key -out other.crt >>ssl.log 2>&1 || e4t_fail "other CA"
: >passwd; chmod 600 passwd
mosquitto_passwd -b passwd dev-a s3cret >/dev/null 2>&1 || e4t_fail mosquitto_passwd
chmod 644 server.key passwd
PLAIN=$(e4t_free_port)
e4t_start_broker <<EOF2
allow_anonymous false
password_file $E4T_DIR/passwd
cafile $E4T_DIR/ca.crt
certfile $E4T_DIR/server.crt
keyfile $E4T_DIR/server.key
listener $PLAIN 127.0.0.1
EOF2
P=$E4T_PORT
LOG="$E4T_DIR/mosquitto.log"
e4t_wait_port "$PLAIN"
pass

K=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
"$E4" device init --store a.store --alias dev-a --key "$K" >/dev/null || e4t_fail init
"$E4" device set-topic-key --store a.store --topic t/1 --key "$K" >/dev/null
AID=$("$E4" id dev-a)

e4t_say "TLS and a password: a message goes through"
e4t_bg "$E4" sub --store a.store -h 127.0.0.1 -p "$P" --cafile ca.crt -u dev-a -P s3cret -t t/1 -C 1 >s.out 2>s.err
SUB=$E4T_LAST_PID
e4t_wait_for 10 sh -c "grep -c 'Received SUBSCRIBE from $AID\$' '$LOG' | grep -q 2" || e4t_fail "no TLS subscription: $(cat s.err)"
"$E4" pub --store a.store -h 127.0.0.1 -p "$P" --cafile ca.crt -u dev-a -P s3cret -t t/1 -m over-tls ||
	e4t_fail "e4 pub over TLS"
i=0; while kill -0 $SUB 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
wait $SUB || e4t_fail "e4 sub over TLS: $(cat s.err)"
e4t_eq "$(cat s.out)" over-tls "message over TLS"
pass

e4t_say "a wrong password, no password, or an untrusted CA are refused"
expect_fail 1 "not authorised" "$E4" pub --store a.store -h 127.0.0.1 -p "$P" --cafile ca.crt -u dev-a -P wrong -t t/1 -m x
expect_fail 1 "not authorised" "$E4" pub --store a.store -h 127.0.0.1 -p "$PLAIN" -t t/1 -m x
expect_fail 1 "A TLS error occurred" "$E4" pub --store a.store -h 127.0.0.1 -p "$P" --cafile other.crt -u dev-a -P s3cret -t t/1 -m x
expect_fail 2 "-P needs -u" "$E4" pub --store a.store -p "$P" -P x -t t/1 -m x
expect_fail 2 "--cert and --key need --cafile or --capath" "$E4" sub --store a.store -p "$P" --cert c.pem
done_checks
