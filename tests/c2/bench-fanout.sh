#!/bin/sh
# Fan-out benchmark of the C2 (not part of make check): N simulated devices
# (default 60, at most 64 per e4devsim process) on one topic; prints the
# time to add and link them, to deliver their first keys, for one rotation
# with every ack, and for five stacked rotations.
#   top_builddir=_build top_srcdir=. sh tests/c2/bench-fanout.sh [N]
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/c2/lib-c2.sh"
N=${1:-60}
[ "$N" -le 64 ] || e4t_fail "at most 64 devices"
c2t_setup symkey "ack_timeout 2s" "retry_max_interval 4s" "log_level info"
c2t_start_daemon
c2 topic add f/all >/dev/null
args=""
t0=$(date +%s.%N)
for i in $(seq 1 "$N"); do c2t_device d$i; c2 link d$i f/all >/dev/null; args="$args d$i=$E4T_DIR/d$i.store"; done
t1=$(date +%s.%N)
c2t_sim sim.log -t f/all $args
e4t_wait_for 60 c2t_topic_settled f/all || e4t_fail "not settled"
e4t_wait_for 60 c2t_outbox_empty || e4t_fail "outbox"
t2=$(date +%s.%N)
c2 topic rotate f/all --wait >/dev/null 2>&1
t3=$(date +%s.%N)
for i in 1 2 3 4 5; do c2 topic rotate f/all >/dev/null; done
e4t_wait_for 60 c2t_topic_settled f/all || e4t_fail "not settled 2"
t4=$(date +%s.%N)
echo "add+link $N devices: $(awk "BEGIN{printf \"%.1f\", $t1 - $t0}") s; first delivery: $(awk "BEGIN{printf \"%.1f\", $t2 - $t1}") s; one rotation of $N: $(awk "BEGIN{printf \"%.1f\", $t3 - $t2}") s; 5 rotations: $(awk "BEGIN{printf \"%.1f\", $t4 - $t3}") s"
c2 status
