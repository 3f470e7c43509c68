#!/usr/bin/env bash
# Runs the gtsync benchmarks (issues 3 and 7) in one invocation, on loopback, and prints a table.
#
# Builds a Release tree, sets up throwaway server data directories and a throwaway PostgreSQL
# cluster in a temporary directory, then measures in the same run:
#   - ingest end to end (bench/loadgen) at 1, 10, 100 and 1,000 concurrent clients;
#   - ack latency at 100 clients, closed loop (one batch in flight each) and open loop;
#   - the server's memory with 1,000 idle connections and its peak over the run;
#   - the same shape of rows upserted straight into sqlite (bench/store_bench, the store's
#     ceiling) and the same rows into PostgreSQL (bench/pg_load) by the same number of clients;
#   - the national consolidated report with all 552 units reporting a year of every data set.
# Every point runs REPS times, interleaved, and the table shows medians. Everything started is
# stopped and removed at the end (trap), unless --keep.
set -euo pipefail

usage() {
	cat <<EOF
usage: scripts/bench.sh [--quick] [--keep] [--no-pg] [--sweep] [--results DIR]
  --quick        a smoke run of about a minute (one repetition, small loads), then the
                 callgrind regression guard (scripts/perfguard.sh)
  --keep         keep the temporary directory (data, logs, raw outputs)
  --no-pg        skip the PostgreSQL baseline
  --sweep        the throughput sweep and direct sqlite only, at 1, 10 and 100 clients (no
                 idle connections, year batches, latency runs or national report)
  --results DIR  copy the raw outputs and the summary to DIR
EOF
}

# The options only this benchmark takes (benchlib.sh: bench_options).
bench_option() {
	case "$1" in
	--no-pg)
		PG=0
		BENCH_USED=1
		;;
	--sweep)
		SWEEP=1
		BENCH_USED=1
		;;
	--results)
		[ $# -ge 2 ] || { usage >&2; exit 2; }
		RESULTS="$2"
		BENCH_USED=2
		;;
	esac
}

PG=1
SWEEP=0
RESULTS=""
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_NAME=bench
. "$ROOT/scripts/benchlib.sh"
bench_options "$@"
REAL_CSV="$ROOT/../shared/data/wilayah-kemendagri-2025.csv"
BUILD="$ROOT/build-bench"
CLIENTS_LIST="1 10 100 1000"
MAX_CLIENTS=1000
[ "$SWEEP" = 1 ] && CLIENTS_LIST="1 10 100"
if [ "$QUICK" = 1 ]; then
	REPS=1
	BATCHES_PER_POINT=300 # total batches at each client count
	SQLITE_BATCHES=300
	LAT_BATCHES=5         # per client, at 100 clients
	YEAR_BATCHES=2        # per client, at 100 clients, 588 values each
	REPORT_REQUESTS=10
else
	REPS=3
	BATCHES_PER_POINT=4000
	SQLITE_BATCHES=2000
	LAT_BATCHES=30
	YEAR_BATCHES=4
	REPORT_REQUESTS=50
fi
INFLIGHT=4     # batches in flight per connection in the throughput sweep
OPEN_INTERVAL=100 # ms between a client's batches in the open-loop latency run
GROUP_WIDE=64  # batches per commit for the grouped sqlite figure


[ -f "$REAL_CSV" ] || die "the org-unit list $REAL_CSV is missing"

# ---- Packages: PostgreSQL and libpq only when the baseline runs ----
pg_bindir() {
	local d
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && echo "$d"
	done | sort -V | tail -n 1
}
if [ "$PG" = 1 ] && { [ -z "$(pg_bindir)" ] || ! pkg-config --exists libpq; }; then
	say "PostgreSQL or libpq missing: scripts/setup.sh --bench"
	"$ROOT/scripts/setup.sh" --bench
fi
PGBIN=""
[ "$PG" = 1 ] && PGBIN=$(pg_bindir)
[ "$PG" = 0 ] || [ -n "$PGBIN" ] || die "no PostgreSQL server binaries under /usr/lib/postgresql"

# ---- Build ----
TARGETS="gtsync-server loadgen store_bench report_bench"
[ "$PG" = 1 ] && TARGETS="$TARGETS pg_load"
# shellcheck disable=SC2086
bench_build "$BUILD" $TARGETS
SERVER="$BUILD/server/gtsync-server"
LOADGEN="$BUILD/bench/loadgen"
STORE_BENCH="$BUILD/bench/store_bench"
PG_LOAD="$BUILD/bench/pg_load"
[ "$PG" = 1 ] && [ ! -x "$PG_LOAD" ] && die "pg_load was not built (libpq not found by cmake)"

# ---- Scratch space and clean-up ----
TMP=$(mktemp -d /tmp/gtsync-bench.XXXXXX)
chmod 755 "$TMP"
OUT="$TMP/out"
mkdir -p "$OUT"
SERVER_PIDS=""
PG_DATA=""
PG_USER=""
cleanup() {
	local pid
	for pid in $SERVER_PIDS; do
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null || true
			for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
			kill -KILL "$pid" 2>/dev/null || true
		fi
	done
	if [ -n "$PG_DATA" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
		as_pg "$PGBIN/pg_ctl -D '$PG_DATA' -m immediate -w stop" >/dev/null 2>&1 || true
	fi
	if [ "$KEEP" = 1 ]; then
		say "kept $TMP"
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Each client holds a socket in the load generator and one in the server (or a backend).
HARD=$(ulimit -Hn)
if [ "$HARD" = unlimited ] || [ "$HARD" -gt 20000 ]; then HARD=20000; fi
ulimit -n "$HARD"
[ "$HARD" -ge $((2 * MAX_CLIENTS + 200)) ] || die "ulimit -n is at most $HARD; need $((2 * MAX_CLIENTS + 200))"

# ---- Helpers ----
# field FILE KEY: the value of KEY= on the RESULT lines of FILE (the last one).
field() {
	grep '^RESULT' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | tail -n 1
}
# median: the median of the numbers on standard input (the lower middle for an even count).
median() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else print v[int((NR + 1) / 2)] }'
}
rss_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# start_server DATA LOG: starts gtsync-server on a free loopback port; sets PORT and SPID.
start_server() {
	# Every client comes from 127.0.0.1: the per-address and handshake limits of an exposed
	# server (256 and 512) are lifted to the benchmark's client count.
	"$SERVER" run --data "$1" --listen 127.0.0.1:0 --max-conns 4096 --max-conns-per-key 8 \
		--max-conns-per-addr 4096 --max-handshakes 4096 >"$2" 2>&1 &
	SPID=$!
	SERVER_PIDS="$SERVER_PIDS $SPID"
	PORT=""
	for _ in $(seq 1 200); do
		PORT=$(sed -n 's/.*listening addr=127\.0\.0\.1:\([0-9]*\).*/\1/p' "$2" | head -n 1)
		[ -n "$PORT" ] && break
		kill -0 "$SPID" 2>/dev/null || die "the server exited; see $2"
		sleep 0.1
	done
	[ -n "$PORT" ] || die "the server did not listen; see $2"
}

stop_server() {
	kill -TERM "$1"
	for _ in $(seq 1 150); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
	die "the server $1 did not stop on SIGTERM"
}

# setup_data DIR CSV: init, org units, metadata.
setup_data() {
	"$SERVER" init --data "$1" >/dev/null
	"$SERVER" orgunits import --data "$1" "$2" >/dev/null
	"$SERVER" metadata load --data "$1" "$ROOT/metadata" >/dev/null
}

# ---- Ingest data directory: 1,000 districts (the real 514 and synthetic ones) ----
say "setting up the ingest data directory"
INGEST="$TMP/ingest"
OU_CSV="$TMP/orgunits-bench.csv"
"$LOADGEN" orgunits --real "$REAL_CSV" --districts $MAX_CLIENTS --out "$OU_CSV" >/dev/null
setup_data "$INGEST" "$OU_CSV"
"$LOADGEN" keys --data "$INGEST" --orgunits "$OU_CSV" --clients $MAX_CLIENTS --reader >/dev/null
CA="$INGEST/tls-cert.pem"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- PostgreSQL: a throwaway cluster on loopback ----
PG_CONNINFO=""
as_pg() {
	if [ -n "$PG_USER" ]; then
		su -s /bin/sh "$PG_USER" -c "$1"
	else
		sh -c "$1"
	fi
}
if [ "$PG" = 1 ]; then
	if [ "$(id -u)" -eq 0 ]; then
		# initdb refuses root: run the cluster as postgres, or as a system user made for it.
		if id postgres >/dev/null 2>&1; then
			PG_USER=postgres
		else
			id gtsync-bench >/dev/null 2>&1 ||
				useradd --system --no-create-home --shell /usr/sbin/nologin gtsync-bench
			PG_USER=gtsync-bench
		fi
	fi
	mkdir -p "$TMP/pg"
	[ -n "$PG_USER" ] && chown "$PG_USER" "$TMP/pg"
	PG_DATA="$TMP/pg/data"
	PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	say "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') cluster on 127.0.0.1:$PG_PORT"
	as_pg "'$PGBIN/initdb' -D '$PG_DATA' -U bench --auth=trust -E UTF8 --no-locale" \
		>"$TMP/pg-initdb.log" 2>&1 || die "initdb failed; see $TMP/pg-initdb.log"
	as_pg "'$PGBIN/pg_ctl' -D '$PG_DATA' -l '$TMP/pg/log' -w -t 60 -o \"-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories='$TMP/pg' -c max_connections=$((MAX_CLIENTS + 20))\" start" \
		>"$TMP/pg-start.log" 2>&1 || die "PostgreSQL did not start; see $TMP/pg/log"
	"$PGBIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U bench -d postgres -c "CREATE DATABASE bench" \
		>/dev/null || die "cannot create the database"
	PG_CONNINFO="host=127.0.0.1 port=$PG_PORT dbname=bench user=bench"
fi

# ---- Memory with 1,000 idle connections, on a fresh server ----
say "holding $MAX_CLIENTS idle connections"
start_server "$INGEST" "$TMP/server-hold.log"
HOLD_SERVER=$SPID
# The workload's years (2015-2024) are past the data sets' expiry: the secretariat opens the
# clients' units for late entry first, the chain's signed path for historical entry.
T 600 "$LOADGEN" open-late --server "127.0.0.1:$PORT" --ca "$CA" --orgunits "$OU_CSV" \
	--clients $MAX_CLIENTS --datasets KK,LY --metadata "$ROOT/metadata" >"$OUT/open-late.txt" 2>&1 ||
	die "opening the workload for late entry failed; see $OUT/open-late.txt"
# Its batches are in the log too: 100 openings a batch.
OPENED=$(awk '{ print int(($1 + 99) / 100) }' "$OUT/open-late.txt")
BASE_RSS=$(rss_kb "$HOLD_SERVER" VmRSS)
IDLE_RSS=""
[ "$SWEEP" = 1 ] || {
T 600 "$LOADGEN" run --server "127.0.0.1:$PORT" --ca "$CA" --clients $MAX_CLIENTS --batches 1 \
	--hold 3000 --metadata "$ROOT/metadata" >"$OUT/hold.txt" 2>&1 &
HOLD_PID=$!
for _ in $(seq 1 300); do
	if grep -q '^holding' "$OUT/hold.txt"; then
		sleep 1
		IDLE_RSS=$(rss_kb "$HOLD_SERVER" VmRSS)
		break
	fi
	kill -0 "$HOLD_PID" 2>/dev/null || break
	sleep 0.1
done
wait "$HOLD_PID" || die "the idle-connection run failed; see $OUT/hold.txt"
[ -n "$IDLE_RSS" ] || die "could not sample the server's memory while holding connections"
}
stop_server "$HOLD_SERVER"

start_server "$INGEST" "$TMP/server-ingest.log"
INGEST_PID=$SPID
INGEST_PORT=$PORT
say "gtsync-server pid $INGEST_PID on 127.0.0.1:$INGEST_PORT"

# ---- CPU time: what each server spends, whatever else runs on the machine ----
TICK=$(getconf CLK_TCK)
# CPU time (ticks) the gtsync server has used so far.
cpu_gtsync() { awk '{ print $14 + $15 }' "/proc/$INGEST_PID/stat"; }
# CPU time (ticks) of the PostgreSQL cluster: the postmaster, its reaped children (the
# backends of finished runs) and its live children.
cpu_pg() {
	local pm c t
	pm=$(head -n 1 "$PG_DATA/postmaster.pid")
	t=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat")
	for c in $(pgrep -P "$pm"); do
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$c/stat" 2>/dev/null || echo 0)))
	done
	echo "$t"
}
# Waits (at most 10 s) until the cluster is back to its own processes after a run.
pg_settle() {
	local pm
	pm=$(head -n 1 "$PG_DATA/postmaster.pid")
	for _ in $(seq 1 100); do
		[ "$(pgrep -c -P "$pm")" -le "$PG_AUX" ] && return 0
		sleep 0.1
	done
}
# measured NAME CPUFN CMD...: runs CMD into $OUT/NAME.txt and appends the server's CPU time.
measured() {
	local name=$1 cpufn=$2 c0 c1
	shift 2
	c0=$($cpufn)
	"$@" >"$OUT/$name.txt" 2>&1 || die "$name failed; see $OUT/$name.txt"
	[ "$cpufn" = cpu_pg ] && pg_settle
	c1=$($cpufn)
	echo "RESULT cpu_ms=$(((c1 - c0) * 1000 / TICK))" >>"$OUT/$name.txt"
}
PG_AUX=0
[ "$PG" = 1 ] && PG_AUX=$(pgrep -c -P "$(head -n 1 "$PG_DATA/postmaster.pid")")

# ---- The sweep: gtsync, then PostgreSQL, at each client count, REPS times ----
declare -A HWM
for rep in $(seq 1 $REPS); do
	for n in $CLIENTS_LIST; do
		m=$(((BATCHES_PER_POINT + n - 1) / n))
		[ $m -lt 2 ] && m=2
		say "rep $rep: $n clients x $m batches, gtsync"
		measured "gtsync-$n-$rep" cpu_gtsync T 600 "$LOADGEN" run \
			--server "127.0.0.1:$INGEST_PORT" --ca "$CA" --clients "$n" --batches "$m" \
			--inflight $INFLIGHT --metadata "$ROOT/metadata"
		[ "$rep" = 1 ] && HWM[$n]=$(rss_kb "$INGEST_PID" VmHWM)
		if [ "$PG" = 1 ]; then
			say "rep $rep: $n clients x $m batches, PostgreSQL"
			setup=""
			[ "$rep" = 1 ] && [ "$n" = 1 ] && setup="--setup"
			measured "pg-$n-$rep" cpu_pg T 600 "$PG_LOAD" run --conninfo "$PG_CONNINFO" \
				--orgunits "$OU_CSV" $setup --clients "$n" --batches "$m" \
				--inflight $INFLIGHT --metadata "$ROOT/metadata"
		fi
	done
	if [ "$SWEEP" = 0 ]; then
	# Bigger batches: a year of KK and LY (588 values) per batch, at 100 clients.
	say "rep $rep: 100 clients, a year per batch"
	measured "gtsync-year-$rep" cpu_gtsync T 600 "$LOADGEN" run \
		--server "127.0.0.1:$INGEST_PORT" --ca "$CA" --clients 100 --batches $YEAR_BATCHES \
		--values 588 --inflight $INFLIGHT --metadata "$ROOT/metadata"
	if [ "$PG" = 1 ]; then
		measured "pg-year-$rep" cpu_pg T 600 "$PG_LOAD" run --conninfo "$PG_CONNINFO" \
			--orgunits "$OU_CSV" --clients 100 --batches $YEAR_BATCHES --values 588 \
			--inflight $INFLIGHT --metadata "$ROOT/metadata"
	fi
	# Ack latency at 100 clients: closed loop (each waits for its ack) and open loop.
	say "rep $rep: latency at 100 clients"
	T 600 "$LOADGEN" run --server "127.0.0.1:$INGEST_PORT" --ca "$CA" --clients 100 \
		--batches $LAT_BATCHES --inflight 1 --metadata "$ROOT/metadata" \
		>"$OUT/lat-closed-$rep.txt" 2>&1 || die "loadgen failed; see $OUT/lat-closed-$rep.txt"
	T 600 "$LOADGEN" run --server "127.0.0.1:$INGEST_PORT" --ca "$CA" --clients 100 \
		--batches $LAT_BATCHES --inflight $INFLIGHT --interval $OPEN_INTERVAL \
		--metadata "$ROOT/metadata" >"$OUT/lat-open-$rep.txt" 2>&1 ||
		die "loadgen failed; see $OUT/lat-open-$rep.txt"
	fi
	# The ceiling of the chosen store: the same batch size and durability, straight into
	# sqlite, interleaved with the store's own apply (no TLS, no verification).
	say "rep $rep: direct sqlite"
	for g in 1 $GROUP_WIDE; do
		mkdir -p "$TMP/sqlite-$g-$rep"
		T 600 "$STORE_BENCH" --batches $SQLITE_BATCHES --values 49 --group "$g" --rounds 2 \
			--dir "$TMP/sqlite-$g-$rep" >"$OUT/sqlite-$g-$rep.txt" 2>&1 ||
			die "store_bench failed; see $OUT/sqlite-$g-$rep.txt"
	done
done
STORED_AFTER=$("$LOADGEN" stored --data "$INGEST")
stop_server "$INGEST_PID"

# ---- National report: the real 552 units, a year of every data set ----
if [ "$SWEEP" = 0 ]; then
say "loading a year of KK, LY and GT for the 552 real units"
NATIONAL="$TMP/national"
setup_data "$NATIONAL" "$REAL_CSV"
"$LOADGEN" keys --data "$NATIONAL" --orgunits "$REAL_CSV" --units all --reader >/dev/null
start_server "$NATIONAL" "$TMP/server-national.log"
NAT_PID=$SPID
T 600 "$LOADGEN" open-late --server "127.0.0.1:$PORT" --ca "$NATIONAL/tls-cert.pem" \
	--orgunits "$REAL_CSV" --units all --years 1 --metadata "$ROOT/metadata" \
	>"$OUT/open-late-national.txt" 2>&1 ||
	die "opening the national year for late entry failed; see $OUT/open-late-national.txt"
T 600 "$LOADGEN" run --server "127.0.0.1:$PORT" --ca "$NATIONAL/tls-cert.pem" --clients 552 \
	--datasets KK,LY,GT --years 1 --batches 0 --inflight $INFLIGHT --metadata "$ROOT/metadata" \
	>"$OUT/national-load.txt" 2>&1 || die "loading the national data failed; see $OUT/national-load.txt"
REPORT_BENCH="$BUILD/bench/report_bench"
for rep in $(seq 1 $REPS); do
	for ds in KK LY; do
		say "rep $rep: national report $ds/2024"
		T 600 "$REPORT_BENCH" run --data "$NATIONAL" --dataset $ds --requests $REPORT_REQUESTS \
			>"$OUT/report-build-$ds-$rep.txt" 2>&1 ||
			die "report_bench failed; see $OUT/report-build-$ds-$rep.txt"
		T 600 "$LOADGEN" report --server "127.0.0.1:$PORT" --ca "$NATIONAL/tls-cert.pem" --org ID \
			--dataset $ds --period 2024 --requests $REPORT_REQUESTS \
			>"$OUT/report-$ds-$rep.txt" 2>&1 || die "report failed; see $OUT/report-$ds-$rep.txt"
		# The report's own values change between requests: one of 10 districts pushes a new
		# revision of a month of the data set's 2024 before each (issue 17).
		T 600 "$LOADGEN" report --server "127.0.0.1:$PORT" --ca "$NATIONAL/tls-cert.pem" --org ID \
			--dataset $ds --period 2024 --requests $REPORT_REQUESTS --churn 10 \
			--orgunits "$REAL_CSV" --units all --metadata "$ROOT/metadata" \
			>"$OUT/report-churn-$ds-$rep.txt" 2>&1 ||
			die "report with changes failed; see $OUT/report-churn-$ds-$rep.txt"
	done
done
stop_server "$NAT_PID"
fi

# ---- Summary ----
med() { # med PREFIX KEY: the median of KEY over the repetitions of PREFIX-<rep>.txt
	local rep
	for rep in $(seq 1 $REPS); do field "$OUT/$1-$rep.txt" "$2"; done | median
}
sqlite_med() { # sqlite_med GROUP COLUMN: median over reps of the mean of the two rounds
	local rep
	for rep in $(seq 1 $REPS); do
		awk -v c="$2" '$1 ~ /^[12]$/ { s += $c; n++ } END { if (n) printf "%.0f\n", s / n }' \
			"$OUT/sqlite-$1-$rep.txt"
	done | median
}
cpu_per_k() { # cpu_per_k PREFIX: median over reps of server CPU ms per 1,000 values
	local rep
	for rep in $(seq 1 $REPS); do
		awk -v c="$(field "$OUT/$1-$rep.txt" cpu_ms)" -v v="$(grep '^RESULT clients' "$OUT/$1-$rep.txt" | tr ' ' '\n' | sed -n 's/^values=//p')" \
			'BEGIN { if (v > 0) printf "%.1f\n", c * 1000 / v }'
	done | median
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0 && a != "-") printf "%.2f", a / b; else print "-" }'; }
acked_total() { cat "$OUT"/gtsync-*.txt "$OUT"/lat-*.txt "$OUT"/hold.txt 2>/dev/null | sed -n 's/^RESULT.* batches=\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }'; }
errors_total() { cat "$OUT"/gtsync-*.txt "$OUT"/lat-*.txt "$OUT"/national-load.txt 2>/dev/null | sed -n 's/^RESULT.* errors=\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }'; }

DIRECT1=$(sqlite_med 1 3)
STORE1=$(sqlite_med 1 2)
DIRECTG=$(sqlite_med $GROUP_WIDE 3)
STOREG=$(sqlite_med $GROUP_WIDE 2)
{
	echo "gtsync benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
	echo "commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), $([ "$QUICK" = 1 ] && echo quick || echo full) run, medians of $REPS"
	echo "load average (1, 5, 15 min) at the start: $LOAD_START; at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "batches of 49 values (a month of KK and LY for one district), $INFLIGHT in flight per connection"
	echo
	printf '%-8s %12s %10s %10s %10s %12s %10s %11s %11s\n' clients "gtsync v/s" "batches/s" "ack p50" "ack p99" "postgres v/s" "pg p99" "vs direct" "vs pg"
	for n in $CLIENTS_LIST; do
		g=$(med "gtsync-$n" values_per_s)
		p="-"
		pp="-"
		if [ "$PG" = 1 ]; then
			p=$(med "pg-$n" values_per_s)
			pp=$(med "pg-$n" ack_p99_ms)
		fi
		printf '%-8s %12s %10s %10s %10s %12s %10s %11s %11s\n' "$n" "$g" \
			"$(med "gtsync-$n" batches_per_s)" "$(med "gtsync-$n" ack_p50_ms)" \
			"$(med "gtsync-$n" ack_p99_ms)" "$p" "$pp" "$(ratio "$g" "$DIRECT1")" "$(ratio "$g" "$p")"
	done
	[ "$SWEEP" = 1 ] || printf '%-8s %12s %10s %10s %10s %12s %10s %11s %11s\n' "100x588" "$(med gtsync-year values_per_s)" \
		"$(med gtsync-year batches_per_s)" "$(med gtsync-year ack_p50_ms)" "$(med gtsync-year ack_p99_ms)" \
		"$([ "$PG" = 1 ] && med pg-year values_per_s || echo -)" "$([ "$PG" = 1 ] && med pg-year ack_p99_ms || echo -)" \
		"-" "$([ "$PG" = 1 ] && ratio "$(med gtsync-year values_per_s)" "$(med pg-year values_per_s)" || echo -)"
	echo "(ack latencies in ms; 'vs direct' is gtsync over direct sqlite with one batch per commit;"
	echo " 100x588: 100 clients sending a year of KK and LY per batch)"
	echo
	echo "server CPU time per 1,000 values stored (ms; the server process, all its threads; for"
	echo "PostgreSQL every process of the cluster), which the machine's other load does not inflate:"
	for n in $CLIENTS_LIST $([ "$SWEEP" = 1 ] || echo year); do
		printf '  %-8s gtsync %6s   postgres %6s\n' "$([ "$n" = year ] && echo 100x588 || echo "$n")" \
			"$(cpu_per_k "gtsync-$n")" "$([ "$PG" = 1 ] && cpu_per_k "pg-$n" || echo -)"
	done
	echo
	echo "direct sqlite, 49 values per commit (the issue's ceiling): $DIRECT1 values/s; the gtsync store's apply, same commits: $STORE1 values/s"
	echo "direct sqlite, $GROUP_WIDE batches per commit (group commit): $DIRECTG values/s; the gtsync store's apply, same commits: $STOREG values/s"
	[ "$SWEEP" = 0 ] || {
		echo "batches acknowledged by the ingest server: $(acked_total); in its log at the end: $STORED_AFTER; batches not acknowledged OK with every value applied: $(errors_total)"
		exit 0
	}
	echo
	echo "ack latency at 100 clients, closed loop (1 in flight each): p50 $(med lat-closed ack_p50_ms) ms p99 $(med lat-closed ack_p99_ms) ms at $(med lat-closed values_per_s) values/s"
	echo "ack latency at 100 clients, open loop (a batch every $OPEN_INTERVAL ms each): p50 $(med lat-open ack_p50_ms) ms p99 $(med lat-open ack_p99_ms) ms at $(med lat-open values_per_s) values/s"
	echo "connect + handshake of 1,000 clients: all in $(med gtsync-1000 connect_all_s) s, each p50 $(med gtsync-1000 connect_p50_ms) ms p99 $(med gtsync-1000 connect_p99_ms) ms"
	echo
	echo "server RSS: $((BASE_RSS / 1024)) MiB started, $((IDLE_RSS / 1024)) MiB with $MAX_CLIENTS idle connections (fresh server)"
	echo "server peak RSS (VmHWM) over the first sweep: after 1 client $((HWM[1] / 1024)), 10: $((HWM[10] / 1024)), 100: $((HWM[100] / 1024)), 1000: $((HWM[1000] / 1024)) MiB"
	echo "batches acknowledged by the ingest server: $(acked_total); in its log at the end: $STORED_AFTER, of which $OPENED of the secretariat opening the workload for late entry; batches not acknowledged OK with every value applied: $(errors_total)"
	echo
	echo "national report (552 units, KK+LY 12 months, GT 2 semesters; $(field "$OUT/national-load.txt" values) values loaded):"
	echo "  ID/KK/2024 per child: p50 $(med report-KK report_p50_ms) ms p99 $(med report-KK report_p99_ms) ms ($(field "$OUT/report-KK-1.txt" bytes) bytes, $(field "$OUT/report-KK-1.txt" reported) of $(field "$OUT/report-KK-1.txt" expected) units reported)"
	echo "  ID/LY/2024 per child: p50 $(med report-LY report_p50_ms) ms p99 $(med report-LY report_p99_ms) ms ($(field "$OUT/report-LY-1.txt" bytes) bytes)"
	echo "  with the report's own values changing between requests (a district pushes a month of them before each): KK p50 $(med report-churn-KK report_p50_ms) ms p99 $(med report-churn-KK report_p99_ms) ms; LY p50 $(med report-churn-LY report_p50_ms) ms p99 $(med report-churn-LY report_p99_ms) ms"
	echo "  the computation alone (bench/report_bench, in process): KK p50 $(med report-build-KK build_p50_ms) ms p99 $(med report-build-KK build_p99_ms) ms; LY p50 $(med report-build-LY build_p50_ms) ms p99 $(med report-build-LY build_p99_ms) ms"
	echo "  served from the report cache (in process, the same runs): KK p50 $(med report-build-KK cached_p50_ms) ms p99 $(med report-build-KK cached_p99_ms) ms; LY p50 $(med report-build-LY cached_p50_ms) ms p99 $(med report-build-LY cached_p99_ms) ms"
} | tee "$OUT/summary.txt"

if [ -n "$RESULTS" ]; then
	mkdir -p "$RESULTS"
	cp "$OUT"/*.txt "$RESULTS"/
	cp "$TMP"/server-*.log "$RESULTS"/ 2>/dev/null || true
	say "raw outputs in $RESULTS"
fi

# The quick run ends with the regression guard: instruction counts (callgrind) of the store's
# apply and the national report against bench/perf-baseline.txt (scripts/perfguard.sh).
if [ "$QUICK" = 1 ]; then
	say "the performance regression guard (callgrind)"
	bash "$ROOT/scripts/perfguard.sh" --build "$BUILD"
fi
