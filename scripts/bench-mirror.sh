#!/usr/bin/env bash
# Measures the PostgreSQL mirror (issue 15) at the benchmark's 100-client load, on loopback.
#
# Builds a Release tree (build-bench/), sets up a throwaway centre with 100 district keys and a
# throwaway PostgreSQL cluster, starts the server and `gtsync-server mirror` following it, then
# runs, REPS times interleaved, 100 clients pushing 49-value batches (4 in flight each) with
# the mirror following and without it (the same server, the mirror stopped). Prints the
# ingest rate with and without the mirror (medians and their ratio), the mirror's largest lag
# while following (the age of the oldest batch not yet in PostgreSQL), and the time it takes
# to be level with the store after each run. Everything started is stopped and removed.
set -euo pipefail

usage() {
	cat <<EOF
usage: scripts/bench-mirror.sh [--quick] [--keep]
  --quick   one repetition, a smaller load
  --keep    keep the temporary directory (data, logs)
EOF
}

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_NAME=bench-mirror
. "$ROOT/scripts/benchlib.sh"
bench_options "$@"
BUILD="$ROOT/build-bench"
CLIENTS=100
if [ "$QUICK" = 1 ]; then
	REPS=1
	BATCHES=10
else
	REPS=3
	BATCHES=40
fi
bench_build "$BUILD" gtsync-server loadgen
SERVER="$BUILD/server/gtsync-server"
LOADGEN="$BUILD/bench/loadgen"
PGCLUSTER="$ROOT/tests/support/pgcluster.sh"

TMP=$(mktemp -d /tmp/gtsync-bench-mirror.XXXXXX)
chmod 755 "$TMP"
PGDIR=$(mktemp -d /tmp/gtsync-pg-XXXXXX)
SPID=""
MPID=""
cleanup() {
	[ -n "$MPID" ] && kill -TERM "$MPID" 2>/dev/null && wait "$MPID" 2>/dev/null || true
	[ -n "$SPID" ] && kill -TERM "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null || true
	sh "$PGCLUSTER" stop "$PGDIR" immediate || true
	rm -rf "$PGDIR"
	if [ "$KEEP" = 1 ]; then say "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- PostgreSQL ----
sh "$PGCLUSTER" init "$PGDIR" || die "initdb failed (scripts/setup.sh --test installs PostgreSQL)"
PGPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
	echo 25433)
CONNINFO=$(sh "$PGCLUSTER" start "$PGDIR" "$PGPORT") || die "PostgreSQL did not start"
say "PostgreSQL on 127.0.0.1:$PGPORT"

# ---- The centre ----
DATA="$TMP/centre"
OU_CSV="$TMP/orgunits.csv"
"$LOADGEN" orgunits --real "$REAL_CSV" --districts $CLIENTS --out "$OU_CSV" >/dev/null
bench_centre "$DATA" "$OU_CSV" --clients $CLIENTS
bench_serve "$DATA" "$TMP/server.log"
T 600 "$LOADGEN" open-late --server "127.0.0.1:$PORT" --ca "$DATA/tls-cert.pem" \
	--orgunits "$OU_CSV" --clients $CLIENTS --datasets KK,LY --metadata "$ROOT/metadata" \
	>"$TMP/open-late.txt" 2>&1 || die "open-late failed; see $TMP/open-late.txt"

# store_pos: "change_seq log_index" of the store; pg_pos: the same as mirrored.
store_pos() {
	sqlite3 -readonly "$DATA/gtsync.db" \
		"SELECT (SELECT value FROM store_state WHERE name = 'change_seq') || ' ' || (SELECT max(log_index) FROM batch_log)"
}
pg_pos() {
	psql "$CONNINFO" -X -q -At -c "SELECT change_seq || ' ' || log_index FROM gtsync.mirror_position" 2>/dev/null || true
}
# level: waits (at most 600 s) until the mirror is level with the store; prints the seconds.
level() {
	local t0 want
	t0=$(date +%s.%N)
	want=$(store_pos)
	for _ in $(seq 1 60000); do
		[ "$(pg_pos)" = "$want" ] && break
		sleep 0.01
	done
	[ "$(pg_pos)" = "$want" ] || die "the mirror did not catch up; see $TMP/mirror-*.log"
	awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f\n", b - a }'
}
start_mirror() {
	"$SERVER" mirror --data "$DATA" --postgres "$CONNINFO" --interval-ms 50 >"$TMP/mirror-$1.log" 2>&1 &
	MPID=$!
	level >/dev/null
}
stop_mirror() {
	kill -TERM "$MPID"
	wait "$MPID" || die "the mirror failed; see $TMP/mirror-$1.log"
	MPID=""
}
run_load() {
	T 600 "$LOADGEN" run --server "127.0.0.1:$PORT" --ca "$DATA/tls-cert.pem" --clients $CLIENTS \
		--batches $BATCHES --inflight 4 --metadata "$ROOT/metadata" >"$TMP/$1.txt" 2>&1 ||
		die "loadgen failed; see $TMP/$1.txt"
	grep '^RESULT' "$TMP/$1.txt" | tr ' ' '\n' | sed -n 's/^values_per_s=//p' | tail -n 1
}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

WITH=""
WITHOUT=""
LAGS=""
CATCH=""
for rep in $(seq 1 $REPS); do
	say "rep $rep: $CLIENTS clients x $BATCHES batches without the mirror"
	WITHOUT="$WITHOUT $(run_load "without-$rep")"
	say "rep $rep: the mirror catches up, then follows $CLIENTS clients x $BATCHES batches"
	start_mirror "$rep"
	WITH="$WITH $(run_load "with-$rep")"
	CATCH="$CATCH $(level)"
	stop_mirror "$rep"
	LAGS="$LAGS $(sed -n 's/.*largest lag \([0-9]*\) ms.*/\1/p' "$TMP/mirror-$rep.log" | tail -n 1)"
done

mw=$(echo $WITH | tr ' ' '\n' | median)
mo=$(echo $WITHOUT | tr ' ' '\n' | median)
ml=$(echo $LAGS | tr ' ' '\n' | median)
mc=$(echo $CATCH | tr ' ' '\n' | median)
rows=$(psql "$CONNINFO" -X -q -At -c "SELECT count(*) FROM gtsync.datavalues")
echo "mirror at $CLIENTS clients, 49-value batches, $BATCHES per client, $REPS reps (medians):"
echo "  ingest without the mirror: $mo values/s   with it following: $mw values/s   ratio $(awk -v a="$mw" -v b="$mo" 'BEGIN { printf "%.2f", a / b }')"
echo "  the mirror's largest lag while following: $ml ms (each rep:$LAGS)"
echo "  level with the store after the load ended: $mc s (each rep:$CATCH)"
echo "  PostgreSQL holds $rows data values; load average $(cut -d' ' -f1-3 /proc/loadavg)"
