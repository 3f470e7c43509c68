#!/bin/sh
# The test command: checks the formatting, builds gtsync three ways with warnings as errors
# (AddressSanitizer + UndefinedBehaviorSanitizer, Release, plain) and runs the whole test suite
# in the sanitizer and plain builds, then the callgrind regression guard (scripts/perfguard.sh) on
# the Release build. Exits non-zero on any failure.
set -eu
cd "$(dirname "$0")/.."

jobs=$(nproc 2>/dev/null || echo 2)
quick=0
case "${1:-}" in
-h | --help)
	echo "usage: scripts/check.sh [--quick]"
	echo "  checks clang-format, builds build-san/ (ASan+UBSan), build-release/ (Release, -O3)"
	echo "  and build/ (plain), all with warnings as errors, and runs ctest in build-san/ and"
	echo "  build/ (labels: unit, system, fuzz), then scripts/perfguard.sh on build-release/;"
	echo "  --quick builds build/ only and runs the unit tests (ctest -L unit)"
	exit 0
	;;
--quick) quick=1 ;;
"") ;;
*)
	echo "check.sh: unknown option '$1' (try --help)" >&2
	exit 2
	;;
esac

# Formatting: every tracked C file as .clang-format says (clang-format 14, Debian 12).
check_format() {
	if ! command -v clang-format >/dev/null; then
		echo "check.sh: clang-format is missing (sh scripts/setup.sh --test installs it)" >&2
		exit 1
	fi
	echo "== clang-format"
	git ls-files '*.c' '*.h' | xargs clang-format --dry-run --Werror
}

configure_build() {
	dir=$1
	shift
	echo "== configure $dir ($*)"
	cmake -S . -B "$dir" -DBUILD_TESTING=ON -DGT_WERROR=ON "$@" >"$dir.configure.log" 2>&1 ||
		{ cat "$dir.configure.log"; exit 1; }
	echo "== build $dir"
	cmake --build "$dir" -j "$jobs" 2>&1 | grep -Ev '^\[ *[0-9]+%\] (Building|Linking|Built)' || true
	cmake --build "$dir" -j "$jobs" >/dev/null
}

run_tests() {
	dir=$1
	shift
	echo "== test $dir $*"
	(cd "$dir" && ctest --output-on-failure --no-tests=error -j "$jobs" "$@")
}

mkdir -p build build-san build-release
if [ "$quick" = 1 ]; then
	configure_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
	run_tests build -L unit
	exit 0
fi
check_format
configure_build build-san -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGT_ASAN=ON -DGT_UBSAN=ON
(
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	run_tests build-san
)
configure_build build-release -DCMAKE_BUILD_TYPE=Release
configure_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
run_tests build
# The performance regression guard: instruction counts of the store's apply and the national
# report in the Release build against bench/perf-baseline.txt (about 2 minutes).
echo "== perfguard build-release"
bash scripts/perfguard.sh --build build-release
