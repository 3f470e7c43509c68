# shellcheck shell=bash
# Pieces the benchmark scripts share (bench.sh, bench-export.sh, bench-readlog.sh, bench-mirror.sh,
# perfguard.sh):
# sourced by bash, never run. The caller sets BENCH_NAME (its name in messages) and ROOT (the
# checkout) before sourcing, and defines usage(); the centre and load functions also use
# SERVER and LOADGEN (programs of its build) and TMP (its temporary directory).

# Messages on stderr with the time and the script's name; die() ends the script with status 1.
say() { printf '%s %s: %s\n' "$(date +%H:%M:%S)" "$BENCH_NAME" "$*" >&2; }
die() {
	say "error: $*"
	exit 1
}
# Every measuring command is bounded: a hung run is killed and reported as a failure.
T() { timeout --kill-after=10 "$@"; }

# bench_options ARG...: the options every benchmark takes, --quick (QUICK=1), --keep (KEEP=1)
# and -h/--help (usage, exit 0). Another option goes to the caller's bench_option OPTION
# [ARG...] when it defines one, which sets BENCH_USED to the arguments it took (0: not its
# own); an option nobody takes prints the usage and exits 2.
# shellcheck disable=SC2034 # QUICK and KEEP are the caller's
bench_options() {
	QUICK=0
	KEEP=0
	while [ $# -gt 0 ]; do
		BENCH_USED=1
		case "$1" in
		--quick) QUICK=1 ;;
		--keep) KEEP=1 ;;
		-h | --help)
			usage
			exit 0
			;;
		*)
			BENCH_USED=0
			if declare -F bench_option >/dev/null; then
				bench_option "$@"
			fi
			if [ "$BENCH_USED" = 0 ]; then
				echo "$BENCH_NAME.sh: unknown option '$1'" >&2
				usage >&2
				exit 2
			fi
			;;
		esac
		shift "$BENCH_USED"
	done
}

# bench_build DIR TARGET...: configures a Release tree without tests in DIR and builds the
# TARGETs; the log is DIR/build.log.
bench_build() {
	local build=$1
	shift
	say "building (Release) in $build"
	mkdir -p "$build"
	cmake -S "$ROOT" -B "$build" -DCMAKE_BUILD_TYPE=Release -DGT_WERROR=ON -DBUILD_TESTING=OFF \
		>"$build/build.log" 2>&1 || die "cmake failed; see $build/build.log"
	cmake --build "$build" -j2 --target "$@" >>"$build/build.log" 2>&1 ||
		die "build failed; see $build/build.log"
}

# bench_setup NAME TARGET...: builds TARGETs (bench_build) in $BUILD, sets SERVER, CLIENT and
# LOADGEN to the build's programs, makes TMP (/tmp/gtsync-bench-NAME.XXXXXX) and traps EXIT to
# stop the server SPID (if any) and remove TMP (kept when KEEP=1).
# shellcheck disable=SC2034 # CLIENT is the caller's
bench_setup() {
	local name=$1
	shift
	bench_build "$BUILD" "$@"
	SERVER="$BUILD/server/gtsync-server"
	CLIENT="$BUILD/client/gtsync"
	LOADGEN="$BUILD/bench/loadgen"
	TMP=$(mktemp -d "/tmp/gtsync-bench-$name.XXXXXX")
	SPID=""
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
}

bench_cleanup() {
	[ -n "$SPID" ] && kill -TERM "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null || true
	if [ "${KEEP:-0}" = 1 ]; then say "kept $TMP"; else rm -rf "$TMP"; fi
}

# The official org-unit list: ../shared's copy beside the clone, else the one shipped.
REAL_CSV="$ROOT/../shared/data/wilayah-kemendagri-2025.csv"
[ -f "$REAL_CSV" ] || REAL_CSV="$ROOT/data/orgunits/wilayah-kemendagri-2025.csv"

# bench_centre DATA CSV [LOADGEN-KEYS-OPTION...]: a centre in DATA with the org units of CSV,
# the shipped metadata, and the load generator's keys (e.g. --units all, or --clients N).
bench_centre() {
	local data=$1 csv=$2
	shift 2
	"$SERVER" init --data "$data" >/dev/null || die "gtsync-server init failed"
	"$SERVER" orgunits import --data "$data" "$csv" >/dev/null || die "org-unit import failed"
	"$SERVER" metadata load --data "$data" "$ROOT/metadata" >/dev/null || die "metadata load failed"
	"$LOADGEN" keys --data "$data" --orgunits "$csv" "$@" --reader >/dev/null ||
		die "loadgen keys failed"
}

# bench_serve DATA LOG [RUN-OPTION...]: starts the server on a free loopback port with the
# per-address limits lifted (every benchmark client comes from 127.0.0.1, as in bench.sh);
# sets SPID and PORT once it listens.
bench_serve() {
	local data=$1 log=$2
	shift 2
	: >"$log" # (read below before the server's shell may have made it)
	"$SERVER" run --data "$data" --listen 127.0.0.1:0 --max-conns 4096 \
		--max-conns-per-addr 4096 --max-handshakes 4096 "$@" >"$log" 2>&1 &
	SPID=$!
	PORT=""
	for _ in $(seq 1 200); do
		PORT=$(sed -n 's/.*listening addr=127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -n 1)
		[ -n "$PORT" ] && return 0
		sleep 0.1
	done
	die "the server did not listen; see $log"
}

# bench_load_year DATA DATASETS: every unit of the real list (552) pushes a year of DATASETS
# (comma-separated) to the server on PORT, after the secretariat opened that year for late
# entry (the load generator's years are past the data sets' expiry).
bench_load_year() {
	local data=$1 datasets=$2
	timeout --kill-after=10 600 "$LOADGEN" open-late --server "127.0.0.1:$PORT" \
		--ca "$data/tls-cert.pem" --orgunits "$REAL_CSV" --units all --years 1 \
		--datasets "$datasets" --metadata "$ROOT/metadata" >"$TMP/open-late.txt" 2>&1 ||
		die "open-late failed: $(tail -n 3 "$TMP/open-late.txt")"
	timeout --kill-after=10 600 "$LOADGEN" run --server "127.0.0.1:$PORT" \
		--ca "$data/tls-cert.pem" --clients 552 --datasets "$datasets" --years 1 --batches 0 \
		--inflight 4 --metadata "$ROOT/metadata" >"$TMP/load.txt" 2>&1 ||
		die "loading failed: $(tail -n 3 "$TMP/load.txt")"
}
