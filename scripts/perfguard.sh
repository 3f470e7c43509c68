#!/usr/bin/env bash
# The performance regression guard (issue 17): counts the instructions (valgrind's callgrind)
# that the store's apply and the national consolidated report execute on a fixed workload, and
# compares them with the baselines committed in bench/perf-baseline.txt. Instruction counts,
# unlike times, do not move with the other processes of a shared machine, so the guard can run
# in CI: it fails when a count grows past its tolerance, and says so when one shrinks past it
# (update the baseline then, with --update, in the commit that made it faster).
#
#   apply_ir_per_value    the store's apply (gt_rules_apply: rules, log, values), per value,
#                         64 batches of 49 values per commit (bench/store_bench's store_group)
#   direct_ir_per_value   the same rows upserted straight into sqlite (direct_group): the
#                         ceiling, and a check that the workload itself did not change
#   report_kk_ir          one national report ID/KK/2024 with the per-child breakdown computed
#                         from the stored values (gt_report_build_full), 552 units with a year
#                         of KK: the calls' inclusive count over the 5 rounds of report_bench
#                         (the first round's cache miss included), divided by 5
#   report_kk_cached_ir   the same through the read handle's report cache (gt_report_build),
#                         as the server answers: one miss and four hits, divided by 5
#   report_kk_update_ir   the same through the cache when a district's month of KK changed
#                         before each build (report_bench --changes): an update from the
#                         report's partial sums, per build (4 builds)
set -euo pipefail

usage() {
	cat <<EOF
usage: scripts/perfguard.sh [--build DIR] [--update] [--tolerance PCT]
  --build DIR      a Release build tree with the bench programs (default build-release;
                   configured and built here when it has none)
  --update         write the counts measured into bench/perf-baseline.txt
  --tolerance PCT  allowed growth over a baseline, in percent (default: the file's own)
EOF
}

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_NAME=perfguard
. "$ROOT/scripts/benchlib.sh"
BUILD="$ROOT/build-release"
UPDATE=0
TOL=""
while [ $# -gt 0 ]; do
	case "$1" in
	--build)
		BUILD=$(cd "$2" && pwd)
		shift
		;;
	--update) UPDATE=1 ;;
	--tolerance)
		TOL=$2
		shift
		;;
	-h | --help)
		usage
		exit 0
		;;
	*)
		echo "perfguard.sh: unknown option '$1'" >&2
		usage >&2
		exit 2
		;;
	esac
	shift
done
command -v valgrind >/dev/null || die "valgrind is missing (sh scripts/setup.sh --test installs it)"
BASELINE="$ROOT/bench/perf-baseline.txt"

if [ ! -x "$BUILD/bench/store_bench" ] || [ ! -x "$BUILD/bench/report_bench" ]; then
	say "building (Release) in $BUILD"
	mkdir -p "$BUILD"
	cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DGT_WERROR=ON >"$BUILD/perfguard.log" 2>&1 ||
		die "cmake failed; see $BUILD/perfguard.log"
fi
cmake --build "$BUILD" -j2 --target gtsync-server loadgen store_bench report_bench \
	>>"$BUILD/perfguard.log" 2>&1 || die "build failed; see $BUILD/perfguard.log"
SERVER="$BUILD/server/gtsync-server"
LOADGEN="$BUILD/bench/loadgen"

TMP=$(mktemp -d /tmp/gtsync-perfguard.XXXXXX)
SPID=""
cleanup() {
	[ -n "$SPID" ] && kill -TERM "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# inclusive OUT FUNCTION: the instructions executed in FUNCTION and everything it called.
inclusive() {
	callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null |
		awk -v f="$2" '!done && ($0 ~ ("[: ]" f " ") || $0 ~ ("[: ]" f "$")) {
			gsub(",", "", $1); print $1; done = 1 }'
}

# ---- The store's apply against direct sqlite ----
BATCHES=384
VALUES=49
ROUNDS=2
say "callgrind: store_bench, $BATCHES batches of $VALUES values, 64 per commit, $ROUNDS rounds"
mkdir -p "$TMP/store"
timeout 900 valgrind --tool=callgrind --callgrind-out-file="$TMP/store.cg" \
	"$BUILD/bench/store_bench" --batches $BATCHES --values $VALUES --group 64 --rounds $ROUNDS \
	--dir "$TMP/store" >"$TMP/store.txt" 2>"$TMP/store.err" ||
	die "store_bench under callgrind failed; see $(tail -n 3 "$TMP/store.err")"
N_VALUES=$((BATCHES * VALUES * ROUNDS))
APPLY=$(inclusive "$TMP/store.cg" store_group)
DIRECT=$(inclusive "$TMP/store.cg" direct_group)
[ -n "$APPLY" ] && [ -n "$DIRECT" ] || die "no counts for store_group/direct_group in the profile"
APPLY=$((APPLY / N_VALUES))
DIRECT=$((DIRECT / N_VALUES))

# ---- The national report: the real 552 units, a year of KK ----
say "loading a year of KK for the 552 real units"
DATA="$TMP/national"
bench_centre "$DATA" "$REAL_CSV" --units all
bench_serve "$DATA" "$TMP/server.log"
bench_load_year "$DATA" KK
kill -TERM "$SPID"
wait "$SPID" || true
SPID=""
REQUESTS=4
say "callgrind: report_bench, $((REQUESTS + 1)) national reports ID/KK/2024"
timeout 900 valgrind --tool=callgrind --callgrind-out-file="$TMP/report.cg" \
	"$BUILD/bench/report_bench" run --data "$DATA" --dataset KK --period 2024 \
	--requests $REQUESTS >"$TMP/report.txt" 2>"$TMP/report.err" ||
	die "report_bench under callgrind failed: $(tail -n 3 "$TMP/report.err")"
REPORT=$(inclusive "$TMP/report.cg" gt_report_build_full)
CACHED=$(inclusive "$TMP/report.cg" gt_report_build)
[ -n "$REPORT" ] && [ -n "$CACHED" ] || die "no count for gt_report_build(_full) in the profile"
REPORT=$((REPORT / (REQUESTS + 1)))
CACHED=$((CACHED / (REQUESTS + 1)))
say "callgrind: report_bench --changes, $REQUESTS updated national reports ID/KK/2024"
timeout 900 valgrind --tool=callgrind --callgrind-out-file="$TMP/update.cg" \
	"$BUILD/bench/report_bench" run --data "$DATA" --dataset KK --period 2024 \
	--requests $REQUESTS --changes --metadata "$ROOT/metadata" >"$TMP/update.txt" \
	2>"$TMP/update.err" ||
	die "report_bench --changes under callgrind failed: $(tail -n 3 "$TMP/update.err")"
UPDATED=$(inclusive "$TMP/update.cg" build_cached_timed)
[ -n "$UPDATED" ] || die "no count for build_cached_timed in the profile"
UPDATED=$((UPDATED / REQUESTS))

if [ "$UPDATE" = 1 ]; then
	tol=${TOL:-$(awk '$1 == "tolerance_pct" { print $2 }' "$BASELINE" 2>/dev/null || true)}
	cat >"$BASELINE" <<EOF
# Instruction counts of scripts/perfguard.sh (valgrind's callgrind), Release build, Debian 12.
# Written by scripts/perfguard.sh --update at commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?').
tolerance_pct ${tol:-10}
apply_ir_per_value $APPLY
direct_ir_per_value $DIRECT
report_kk_ir $REPORT
report_kk_cached_ir $CACHED
report_kk_update_ir $UPDATED
EOF
	say "baseline written: $BASELINE"
	cat "$BASELINE"
	exit 0
fi

[ -f "$BASELINE" ] || die "no baseline ($BASELINE): run with --update"
TOL=${TOL:-$(awk '$1 == "tolerance_pct" { print $2 }' "$BASELINE")}
fail=0
check() {
	local name=$1 now=$2 base
	base=$(awk -v n="$name" '$1 == n { print $2 }' "$BASELINE")
	[ -n "$base" ] || die "the baseline has no $name"
	awk -v n="$name" -v now="$now" -v base="$base" -v tol="$TOL" 'BEGIN {
		r = now / base
		verdict = "ok"
		if (r > 1 + tol / 100) verdict = "SLOWER than the baseline allows"
		else if (r < 1 - tol / 100) verdict = "faster: update the baseline (--update)"
		printf "  %-20s %14d instructions, baseline %14d, ratio %.3f  %s\n", n, now, base, r, verdict
		exit (r > 1 + tol / 100) ? 1 : 0
	}' || fail=1
}
echo "perfguard: instruction counts against bench/perf-baseline.txt (tolerance ${TOL}%):"
check apply_ir_per_value "$APPLY"
check direct_ir_per_value "$DIRECT"
check report_kk_ir "$REPORT"
check report_kk_cached_ir "$CACHED"
check report_kk_update_ir "$UPDATED"
echo "  the store's apply / direct sqlite: $(awk -v a="$APPLY" -v d="$DIRECT" 'BEGIN { printf "%.2f", a / d }') instructions per value"
exit $fail
