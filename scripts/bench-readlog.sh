#!/usr/bin/env bash
# Measures what the read log costs (issue 14): reports served per second with every read
# recorded, and with the benchmark's switch that records none, on loopback.
#
# Builds a Release tree (build-bench/), sets up a throwaway centre with the real 552 units and a
# year of KK (as bench-export.sh does), then REPS times, alternating, starts the server with the
# read log on and with `--bench-no-read-log`, and runs CLIENTS concurrent `loadgen report`
# clients (the bench's secretariat key) asking REQUESTS reports each of ORG's KK for the year.
# Reports per second are all the reports over the wall time of the clients. Prints the medians
# and the ratio on/off, and how many reads the log holds after the "on" runs.
set -euo pipefail

usage() {
	cat <<EOF
usage: scripts/bench-readlog.sh [--quick] [--keep] [--org CODE] [--clients N] [--requests N] [--reps N]
  --quick      one repetition of each
  --keep       keep the temporary directory (data, logs)
  --org CODE   the report's org unit (default 53, a province with its districts)
  --clients N  concurrent clients (default 4)
  --requests N reports per client per run (default 2000)
  --reps N     repetitions of each (default 7)
EOF
}

ORG=53
CLIENTS=4
REQUESTS=2000
REPS=7
# The options of this benchmark besides those of bench_options (benchlib.sh).
bench_option() {
	case "$1" in
	--org | --clients | --requests | --reps)
		[ $# -ge 2 ] || { usage >&2; exit 2; }
		case "$1" in
		--org) ORG=$2 ;;
		--clients) CLIENTS=$2 ;;
		--requests) REQUESTS=$2 ;;
		--reps) REPS=$2 ;;
		esac
		BENCH_USED=2
		;;
	esac
}

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_NAME=bench-readlog
. "$ROOT/scripts/benchlib.sh"
bench_options "$@"
BUILD="$ROOT/build-bench"
[ "$QUICK" = 1 ] && REPS=1
bench_setup readlog gtsync-server loadgen

YEAR=2024 # the load generator's latest year (bench/support: GT_BENCH_DEF_LAST_YEAR)
DATA="$TMP/centre"
bench_centre "$DATA" "$REAL_CSV" --units all
bench_serve "$DATA" "$TMP/server-load.log"
say "loading a year of KK for the 552 real units"
bench_load_year "$DATA" KK

stop() {
	kill -TERM "$SPID"
	for _ in $(seq 1 150); do
		kill -0 "$SPID" 2>/dev/null || { wait "$SPID" 2>/dev/null || true; SPID=""; return 0; }
		sleep 0.1
	done
	die "the server did not stop on SIGTERM"
}
stop

# run MODE REP: one run of the clients against a server started for MODE; prints reports/s.
run() {
	local mode=$1 rep=$2 t0 t1 pids="" i
	if [ "$mode" = off ]; then
		bench_serve "$DATA" "$TMP/server-$mode-$rep.log" --bench-no-read-log
	else
		bench_serve "$DATA" "$TMP/server-$mode-$rep.log"
	fi
	t0=$(date +%s.%N)
	for i in $(seq 1 "$CLIENTS"); do
		timeout --kill-after=10 600 "$LOADGEN" report --server "127.0.0.1:$PORT" \
			--ca "$DATA/tls-cert.pem" --org "$ORG" --dataset KK --period "$YEAR" \
			--requests "$REQUESTS" --warmup 0 >"$TMP/report-$mode-$rep-$i.txt" 2>&1 &
		pids="$pids $!"
	done
	for p in $pids; do
		wait "$p" || die "a report client failed; see $TMP/report-$mode-$rep-*.txt"
	done
	t1=$(date +%s.%N)
	stop
	awk -v a="$t0" -v b="$t1" -v n="$((CLIENTS * REQUESTS))" 'BEGIN { printf "%.1f\n", n / (b - a) }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

ON=""
OFF=""
for rep in $(seq 1 "$REPS"); do
	# Alternating, the first mode by turns, so load drifts hit both alike.
	if [ $((rep % 2)) = 1 ]; then order="on off"; else order="off on"; fi
	for mode in $order; do
		say "rep $rep: read log $mode"
		r=$(run "$mode" "$rep")
		if [ "$mode" = on ]; then ON="$ON $r"; else OFF="$OFF $r"; fi
	done
done
MON=$(echo $ON | tr ' ' '\n' | median)
MOFF=$(echo $OFF | tr ' ' '\n' | median)
READS=$("$SERVER" audit reads --data "$DATA" 2>/dev/null | grep -c ' report ' || true)
echo "reports of $ORG KK/$YEAR, $CLIENTS clients x $REQUESTS, $REPS reps (reports/s):"
echo "  read log on:  $ON (median $MON)"
echo "  read log off: $OFF (median $MOFF)"
awk -v a="$MON" -v b="$MOFF" 'BEGIN { printf "  on/off: %.3f\n", a / b }'
echo "  reports in the read log after the runs: $READS (expected $((REPS * CLIENTS * REQUESTS)))"
echo "  load average $(cut -d' ' -f1-3 /proc/loadavg)"
