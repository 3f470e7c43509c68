#!/bin/sh
# The main job: the whole reporting chain on 127.0.0.1. It builds gtsync, starts a central
# server, and sets up the offices of two real provinces (Nusa Tenggara Timur and Banten) with
# three districts each and the centre. Every district and province imports a year (2025) of
# monthly figures (cases and victims KK, services LY) and two semesters of its task force's
# institutions (GT) from samples/ and pushes them -- 2025 is past the data sets' expiry, so the
# parents first open their units for late entry with signed actions; the district approvers
# approve their 2025 reports, signing a digest of exactly the data the server holds (the server
# checks the data sets' validation rules); the provinces pull, accept (Banten first returns one
# report for a correction), and their approvers approve; the centre accepts the provinces and
# approves the national report; the national report is printed as text and written as the
# chair's HTML page. Everything else lives in a temporary directory that is removed at the end;
# nothing is left running. GTSYNC_DEMO_KEEP=1 keeps the directory for a look around.
set -eu
cd "$(dirname "$0")/.."
dashboard=0
case "${1:-}" in
-h | --help)
	echo "usage: scripts/demo.sh [--dashboard]"
	echo "  builds gtsync into build/ and runs the reporting chain on 127.0.0.1;"
	echo "  the chair's HTML reports are written to build/demo/"
	echo "  (GTSYNC_DEMO_KEEP=1 keeps the temporary directory)"
	echo "  --dashboard  then serves the secretariat's dashboard on"
	echo "               http://127.0.0.1:8080/ until Ctrl-C (the server keeps running till then)"
	exit 0
	;;
--dashboard) dashboard=1 ;;
esac

root=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)
started=$(date +%s.%N)
say() { printf '%s\n' "$*"; }
step() { printf '\n== %s\n' "$*"; }
indent() { sed 's/^/    /'; }

step "Building gtsync (build/)"
if [ -f build/CMakeCache.txt ]; then
	cmake -S . -B build >/dev/null
else
	# A fresh machine may lack the test packages: build the programs only.
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
fi
cmake --build build -j "$jobs" --target gtsync-server gtsync >/dev/null
server_bin="$root/build/server/gtsync-server"
gtsync="$root/build/client/gtsync"
out_dir="$root/build/demo"
mkdir -p "$out_dir"
say "built $server_bin and $gtsync"
built=$(date +%s.%N)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gtsync-demo.XXXXXX")
server_pid=""
cleanup() {
	status=$?
	if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	if [ "${GTSYNC_DEMO_KEEP:-}" = 1 ]; then
		say "kept $tmp"
	else
		rm -rf "$tmp"
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

data="$tmp/server"
step "The central server (data in $data)"
"$server_bin" init --data "$data" | grep -E "created|key id" | indent
"$server_bin" orgunits import --data "$data" samples/orgunits.csv | indent
"$server_bin" metadata load --data "$data" metadata/ | head -1 | indent
"$server_bin" run --data "$data" --listen 127.0.0.1:0 2>"$tmp/server.log" &
server_pid=$!
port=""
i=0
while [ -z "$port" ] && [ $i -lt 100 ]; do
	port=$(sed -n 's/.*listening addr=127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/server.log" 2>/dev/null |
		head -1)
	if [ -z "$port" ]; then
		kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.log"; exit 1; }
		sleep 0.1
		i=$((i + 1))
	fi
done
[ -n "$port" ] || { say "the server did not start"; cat "$tmp/server.log"; exit 1; }
server="127.0.0.1:$port"
say "    listening on $server (log: $tmp/server.log)"

name_of() {
	[ "$1" = ID ] && { echo Indonesia; return; }
	sed -n "s/^$1,\\(.*\\),[a-z]*\$/\\1/p" samples/orgunits.csv
}

# Sets up the home of one key: init, register the key on the server, pull the metadata.
# Homes are $tmp/homes/ORG-ROLE; g ORG ROLE ARGS... runs gtsync in one.
client() {
	home="$tmp/homes/$1-$2"
	"$gtsync" init --home "$home" --server "$server" --org "$1" \
		--ca "$data/tls-cert.pem" >/dev/null
	"$server_bin" key add --data "$data" --org "$1" --role "$2" \
		--pubkey-file "$home/key.pub" >/dev/null
	GTSYNC_HOME="$home" "$gtsync" metadata pull >/dev/null
	printf '%s ' "$2"
}
g() {
	home="$tmp/homes/$1-$2"
	shift 2
	GTSYNC_HOME="$home" "$gtsync" "$@"
}

mkdir -p "$tmp/homes"
provinces="53 36"
districts_53="53.01 53.02 53.71"
districts_36="36.03 36.04 36.71"
districts() { eval echo "\$districts_$1"; }
datasets="KK LY GT"

step "The offices register their keys (each key is a signing identity on the server)"
for p in $provinces; do
	printf '    %-6s %-32s ' "$p" "$(name_of "$p")"
	client "$p" operator
	client "$p" approver
	client "$p" aggregator
	echo
	for d in $(districts "$p"); do
		printf '    %-6s %-32s ' "$d" "$(name_of "$d")"
		client "$d" operator
		client "$d" approver
		echo
	done
done
printf '    %-6s %-32s ' ID "Indonesia (the centre)"
client ID secretariat
client ID operator
echo
say "    (operators enter figures, approvers sign their office's reports, the provincial"
say "    aggregators accept or return their districts' reports, the central secretariat"
say "    accepts or returns the provinces')"

step "2025 is past the data sets' expiry: the parents open their units for late entry"
say "    (a signed open-late action with a reason and a last day; it shows in each report's"
say "    history and lifts expiry only -- an approved report stays locked)"
until=$(date -u -d '+30 days' +%Y-%m-%d)
reason="angka 2025 dimasukkan terlambat (peragaan)"
late() { # PARENT-HOME-ORG ROLE UNIT DATASETS
	for ds in $4; do
		g "$1" "$2" open-late --dataset "$ds" --period 2025 --org "$3" --until "$until" \
			--reason "$reason" >/dev/null
	done
	printf '    %-6s %-32s open for %s until %s\n' "$3" "$(name_of "$3")" "$4" "$until"
}
for p in $provinces; do
	for d in $(districts "$p"); do
		late "$p" aggregator "$d" "$datasets"
	done
	late ID secretariat "$p" "$datasets"
done
late ID secretariat ID GT

step "Every office imports its 2025 figures (samples/ORG/*.csv) and pushes them"
for unit in $provinces $(districts 53) $(districts 36) ID; do
	files=""
	for f in kasus layanan kelembagaan; do
		[ -f "samples/$unit/$f.csv" ] && files="$files samples/$unit/$f.csv"
	done
	# shellcheck disable=SC2086
	# The counts are read from the English wording (the client speaks the environment's
	# language, Bahasa Indonesia by default).
	imported=$(export LANGUAGE=en; g "$unit" operator import $files 2>/dev/null |
		sed -n 's/.*: \([0-9]*\) values: .*/\1/p' | awk '{s += $1} END {print s + 0}')
	pushed=$(export LANGUAGE=en; g "$unit" operator push 2>&1 |
		sed -n 's/.*, \([0-9]*\) values acknowledged.*/\1/p')
	printf '    %-6s %-32s %4s values imported, %4s acknowledged by the server\n' \
		"$unit" "$(name_of "$unit")" "$imported" "$pushed"
done

step "District approvers approve their 2025 reports"
say "    (approve pulls the district's values for the data set and year from the server and"
say "    signs their SHA-256 digest; the server applies the approval only if its data is"
say "    exactly that, and then locks it)"
for p in $provinces; do
	for d in $(districts "$p"); do
		for ds in $datasets; do
			g "$d" approver approve --dataset "$ds" --period 2025 | indent
		done
	done
done

step "An approved report is locked: Kabupaten Serang's operator corrects July's police reports"
g 36.04 operator set KK_LP 202507 "" 3 --comment "satu laporan polisi terlambat dicatat" | indent
g 36.04 operator push 2>&1 | indent
g 36.04 operator status --format human | sed -n '/did not apply\|tidak diterapkan/,/^$/p' | indent

step "Banten's aggregator returns Serang's KK report; the correction goes in; Serang approves again"
g 36 aggregator return --dataset KK --period 2025 --org 36.04 \
	--reason "laporan polisi Juli perlu dikoreksi" | indent
g 36.04 operator set KK_LP 202507 "" 3 --comment "satu laporan polisi terlambat dicatat" >/dev/null
g 36.04 operator push 2>&1 | indent
g 36.04 approver approve --dataset KK --period 2025 | indent

step "Provinces pull their districts' data, accept the reports, and approve their own"
for p in $provinces; do
	say "    -- $(name_of "$p") ($p)"
	g "$p" aggregator pull 2>&1 | indent
	if [ "$p" = 53 ]; then
		# A province cannot approve before its districts' reports are accepted.
		g "$p" approver approve --dataset KK --period 2025 2>&1 | indent || true
	fi
	for d in $(districts "$p"); do
		for ds in $datasets; do
			g "$p" aggregator accept --dataset "$ds" --period 2025 --org "$d" | indent
		done
	done
	for ds in $datasets; do
		g "$p" approver approve --dataset "$ds" --period 2025 | indent
	done
done

step "The central secretariat accepts the provinces' reports and approves the national ones"
for p in $provinces; do
	for ds in $datasets; do
		g ID secretariat accept --dataset "$ds" --period 2025 --org "$p" | indent
	done
done
for ds in $datasets; do
	g ID secretariat approve --dataset "$ds" --period 2025 --org ID | indent
done

step "The national report: cases and victims (KK), 2025"
say "    (every report counts as late: these 2025 figures were entered now, and a report is on"
say "    time when its first figures reach the server within the data set's timely days after"
say "    the period ends)"
g ID secretariat report --org ID --dataset KK --period 2025 --format text | indent

step "The chair's reports as HTML pages (one self-contained file each, to open and print)"
for ds in $datasets; do
	g ID secretariat report --org ID --dataset "$ds" --period 2025 --format html \
		--output "$out_dir/laporan-nasional-$ds-2025.html" | indent
done

finished=$(date +%s.%N)
if [ "$dashboard" = 1 ]; then
	step "The secretariat's dashboard (Ctrl-C stops it, the server and the demo)"
	# It prints its address; the pages show the national picture of 2025.
	g ID secretariat dashboard --listen 127.0.0.1:8080 --dataset KK --period 2025 || true
fi
step "Done"
say "The server took $(grep -c ' batch ' "$tmp/server.log") signed batches; it stops now and the temporary"
say "directory is removed. The chair's reports are in $out_dir/."
if [ "$dashboard" = 0 ]; then
	say "The secretariat's dashboard: sh scripts/demo.sh --dashboard serves it at"
	say "http://127.0.0.1:8080/ (gtsync dashboard, from the secretariat's home) until Ctrl-C."
fi
awk -v a="$started" -v b="$built" -v c="$finished" \
	'BEGIN { printf "The chain took %.1f s (the build before it %.1f s).\n", c - b, b - a }'
