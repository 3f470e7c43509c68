#!/bin/sh
# Builds gtsync twice (plain, then AddressSanitizer + UndefinedBehaviorSanitizer) with warnings
# as errors, and runs the whole test suite in each build. Exits non-zero on any failure.
set -eu
cd "$(dirname "$0")/.."

jobs=$(nproc 2>/dev/null || echo 2)
case "${1:-}" in
-h | --help)
	echo "usage: scripts/check.sh [--quick]"
	echo "  builds build/ (plain) and build-san/ (ASan+UBSan) and runs ctest in both;"
	echo "  --quick runs only the plain build"
	exit 0
	;;
esac

run_build() {
	dir=$1
	shift
	echo "== configure $dir ($*)"
	cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGT_WERROR=ON "$@" >"$dir.configure.log" 2>&1 ||
		{ cat "$dir.configure.log"; exit 1; }
	echo "== build $dir"
	cmake --build "$dir" -j "$jobs" 2>&1 | grep -Ev '^\[ *[0-9]+%\] (Building|Linking|Built)' || true
	cmake --build "$dir" -j "$jobs" >/dev/null
	echo "== test $dir"
	(cd "$dir" && ctest --output-on-failure -j "$jobs")
}

mkdir -p build build-san
if [ "${1:-}" != "--quick" ]; then
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		run_build build-san -DGT_ASAN=ON -DGT_UBSAN=ON
fi
run_build build
