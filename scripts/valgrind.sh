#!/bin/sh
# Runs the server integration tests with the real server under valgrind memcheck: any invalid
# access or leak makes the server exit 99, which the tests assert against on shutdown.
set -eu
cd "$(dirname "$0")/.."
case "${1:-}" in
-h | --help)
	echo "usage: scripts/valgrind.sh"
	echo "  builds build-valgrind/ and runs the server integration tests (ctest -R system.server)"
	echo "  with gtsync-server under valgrind memcheck, and the test programs too"
	exit 0
	;;
esac
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is required (apt-get install valgrind)" >&2; exit 2; }
cmake -S . -B build-valgrind -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGT_WERROR=ON -DBUILD_TESTING=ON >/dev/null
cmake --build build-valgrind -j "$(nproc)" >/dev/null
vg="valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect"
export GT_TEST_SERVER_WRAPPER="$vg"
cd build-valgrind
# The server under memcheck (via the wrapper) ...
ctest --output-on-failure --no-tests=error -R 'system.server.test_(e2e|limits|workflow|metadata_e2e)'
# ... and the unit test programs themselves.
ctest --output-on-failure --no-tests=error -T memcheck -E 'system.server.test_(e2e|limits|workflow|metadata_e2e|crash|diskfull)' \
	--overwrite MemoryCheckCommandOptions="--error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect"
echo "valgrind.sh: clean"
