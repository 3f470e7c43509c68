#!/bin/sh
# Runs every libFuzzer target for a set time on a copy of its committed corpus; a crash stops
# the script and leaves the input next to it. Needs clang (Debian's clang package).
set -eu
cd "$(dirname "$0")/.."
secs=60
case "${1:-}" in
-h | --help)
	echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]"
	echo "  builds build-fuzz/ with clang and GT_FUZZ=ON and runs each fuzz target"
	echo "  (default 60 s each) on a copy of tests/fuzz/corpus/<name>/;"
	echo "  new interesting inputs are kept in build-fuzz/corpus-<name>/ (add them to the"
	echo "  committed corpus by hand if they matter); a crash input is left in build-fuzz/"
	exit 0
	;;
[0-9]*)
	secs=$1
	shift
	;;
esac
command -v clang >/dev/null || { echo "fuzz.sh: clang is required (apt-get install clang)" >&2; exit 2; }
CC=clang cmake -S . -B build-fuzz -DGT_FUZZ=ON -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j "$(nproc)" >/dev/null
targets="$*"
if [ -z "$targets" ]; then
	targets=$(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_||; s|\.c$||')
fi
for t in $targets; do
	bin=build-fuzz/tests/fuzz/fuzz_$t
	work=build-fuzz/corpus-$t
	mkdir -p "$work"
	cp -n tests/fuzz/corpus/"$t"/* "$work"/ 2>/dev/null || true
	echo "== fuzz_$t for ${secs}s"
	(cd build-fuzz && "../$bin" -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="./crash-$t-" "../$work" 2>&1 | grep -E 'stat::number_of_executed_units|stat::average_exec_per_sec|ERROR|SUMMARY|Done' || true)
	if ls build-fuzz/crash-"$t"-* >/dev/null 2>&1; then
		echo "fuzz.sh: fuzz_$t crashed; input in build-fuzz/crash-$t-*" >&2
		exit 1
	fi
done
echo "fuzz.sh: no crash in $(echo "$targets" | wc -w) targets"
