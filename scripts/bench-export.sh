#!/usr/bin/env bash
# Measures a national year's DHIS2 and ADX export end to end (issue 15), on loopback.
#
# Builds a Release tree (build-bench/), sets up a throwaway centre with the real 552 units,
# loads a year of KK, LY and GT for every unit (as scripts/bench.sh's national report step
# does), enrols a secretariat key for ID the way an office would (`gtsync init`, then
# `gtsync-server key enrol`), and runs, REPS times, `gtsync export --org ID --descendants` for
# each data set over the year, as dhis2 JSON and as ADX. For each run it prints the wall time,
# the values written, the document's size, the client's peak resident memory (from
# /usr/bin/time when present, else from the shell's rusage of the child) and the server's peak
# (VmHWM, read after the last run). Prints medians. Everything started is stopped and removed.
set -euo pipefail

usage() {
	cat <<EOF
usage: scripts/bench-export.sh [--quick] [--keep] [--public]
  --quick   one repetition, KK only
  --keep    keep the temporary directory (data, logs, exported documents)
  --public  also each export with --public (the published view, issue 14), interleaved
EOF
}

VIEWS="raw"
# The option of this benchmark besides those of bench_options (benchlib.sh).
bench_option() {
	case "$1" in
	--public)
		VIEWS="raw public"
		BENCH_USED=1
		;;
	esac
}

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_NAME=bench-export
. "$ROOT/scripts/benchlib.sh"
bench_options "$@"
BUILD="$ROOT/build-bench"
if [ "$QUICK" = 1 ]; then
	REPS=1
	DATASETS="KK"
else
	REPS=3
	DATASETS="KK LY GT"
fi
bench_setup export gtsync-server gtsync loadgen

# ---- The centre: the real units, a year of every data set ----
YEAR=2024 # the load generator's latest year (bench/support: GT_BENCH_DEF_LAST_YEAR)
DATA="$TMP/centre"
bench_centre "$DATA" "$REAL_CSV" --units all
bench_serve "$DATA" "$TMP/server.log"
say "loading a year of KK, LY and GT for the 552 real units"
bench_load_year "$DATA" KK,LY,GT

# ---- The secretariat's home, enrolled as an office would be ----
HOME_DIR="$TMP/secretariat"
"$CLIENT" init --home "$HOME_DIR" --server "127.0.0.1:$PORT" --org ID --ca "$DATA/tls-cert.pem" \
	--role secretariat --lang en >"$TMP/init.txt" 2>&1 || die "gtsync init failed; see $TMP/init.txt"
grep -o 'gtsync-enrol-1 .*' "$TMP/init.txt" >"$TMP/request" || die "no enrolment line; see $TMP/init.txt"
"$SERVER" key enrol --data "$DATA" --request "$TMP/request" --label "Sekretariat pusat - bench" \
	>/dev/null || die "the centre did not enrol the secretariat's key"
# The running server picks the new key up within seconds.
for _ in $(seq 1 100); do
	"$CLIENT" status --home "$HOME_DIR" >/dev/null 2>&1 && break
	sleep 0.1
done

# peak_kb CMD...: runs CMD, prints "seconds peak_kib" (peak resident memory of CMD).
peak_kb() {
	local t0 t1 rss
	t0=$(date +%s.%N)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%M' -o "$TMP/time.out" "$@" >/dev/null 2>"$TMP/export.err" ||
			die "export failed: $(tail -n 3 "$TMP/export.err")"
		rss=$(tail -n 1 "$TMP/time.out")
	else
		"$@" >/dev/null 2>"$TMP/export.err" || die "export failed: $(tail -n 3 "$TMP/export.err")"
		rss=$(python3 -c 'import resource; print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' 2>/dev/null || echo 0)
	fi
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" -v r="$rss" 'BEGIN { printf "%.2f %d\n", b - a, r }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "national export, ID --descendants, $YEAR, 552 units, $REPS reps (medians):"
printf '  %-6s %-5s %-6s %10s %10s %12s %14s\n' format ds view seconds values bytes "client peak"
for fmt in dhis2 adx; do
	for ds in $DATASETS; do
		# The views of one export alternate rep by rep, so load drifts hit both alike.
		for view in $VIEWS; do
			eval "SECS_$view=''; PEAK_$view=''"
		done
		for rep in $(seq 1 "$REPS"); do
			for view in $VIEWS; do
				say "rep $rep: $fmt $ds $view"
				PUB=""
				[ "$view" = public ] && PUB="--public"
				r=$(peak_kb timeout --kill-after=10 600 "$CLIENT" export --home "$HOME_DIR" --format "$fmt" --org ID \
					--descendants --dataset "$ds" --start "${YEAR}01" --end "${YEAR}12" $PUB \
					--output "$TMP/export-$ds-$view.$fmt")
				eval "SECS_$view=\"\$SECS_$view ${r% *}\"; PEAK_$view=\"\$PEAK_$view ${r#* }\""
			done
		done
		for view in $VIEWS; do
			OUTF="$TMP/export-$ds-$view.$fmt"
			# (A public export may hold no value: grep's status is not a failure.)
			if [ "$fmt" = dhis2 ]; then
				n=$( (grep -o '"dataElement"' "$OUTF" || true) | wc -l)
			else
				n=$( (grep -o '<dataValue ' "$OUTF" || true) | wc -l)
			fi
			eval "SECS=\$SECS_$view; PEAK=\$PEAK_$view"
			printf '  %-6s %-5s %-6s %10s %10s %12s %11s KiB\n' "$fmt" "$ds" "$view" \
				"$(echo $SECS | tr ' ' '\n' | median)" "$n" "$(stat -c %s "$OUTF")" \
				"$(echo $PEAK | tr ' ' '\n' | median)"
		done
	done
done
echo "  server peak (VmHWM) after the exports: $(awk '/VmHWM/ { print $2, $3 }' "/proc/$SPID/status")"
echo "  load average $(cut -d' ' -f1-3 /proc/loadavg)"
