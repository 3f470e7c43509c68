#!/bin/sh
# Installs the Debian 12 packages gtsync needs to build, test and run; idempotent.
set -eu

# Packages to build and run gtsync.
BUILD_PKGS="build-essential cmake pkg-config gettext libuv1-dev libprotobuf-c-dev \
protobuf-c-compiler libsqlite3-dev libssl-dev openssl libsystemd-dev scdoc libmicrohttpd-dev libjansson-dev libxml2-dev \
libxlsxwriter-dev libzip-dev libpq-dev"
# Packages for the test suite (unit tests, sanitizers, fuzz corpus replay).
# systemd (systemd-analyze verify) and lintian check the service units and the Debian package.
TEST_PKGS="libcmocka-dev sqlite3 clang-format git systemd lintian libglpk-dev"
# The dashboard's tests: curl asks it over HTTP, Debian's chromium runs the browser test.
TEST_PKGS="$TEST_PKGS curl chromium"
# The PostgreSQL mirror's test runs a throwaway cluster on loopback.
TEST_PKGS="$TEST_PKGS postgresql"
# The performance regression guard (scripts/perfguard.sh) counts instructions with callgrind.
TEST_PKGS="$TEST_PKGS valgrind"
# Packages for the PostgreSQL baseline of scripts/bench.sh (libpq-dev is a build package).
BENCH_PKGS="postgresql valgrind"

want="$BUILD_PKGS"
case "${1:-}" in
--test) want="$BUILD_PKGS $TEST_PKGS" ;;
--bench) want="$BUILD_PKGS $BENCH_PKGS" ;;
--run | "") ;;
-h | --help)
	echo "usage: scripts/setup.sh [--run|--test|--bench]"
	echo "  --run    packages to build and run gtsync (default)"
	echo "  --test   also the packages the test suite needs"
	echo "  --bench  also PostgreSQL and libpq, for the baseline of scripts/bench.sh"
	exit 0
	;;
*)
	echo "setup.sh: unknown option '$1' (try --help)" >&2
	exit 2
	;;
esac

# The browser test drives chromium with playwright-core from npm (pinned by
# tests/browser/package-lock.json, installed into tests/browser/node_modules).
browser_deps() {
	if [ "${1:-}" != --test ]; then
		return 0
	fi
	if ! command -v npm >/dev/null 2>&1; then
		# nodejs from another source may bring its own npm: only ask Debian when none is there.
		SUDO_=""
		[ "$(id -u)" -ne 0 ] && SUDO_="sudo"
		DEBIAN_FRONTEND=noninteractive $SUDO_ apt-get install -y --no-install-recommends \
			nodejs npm || { $SUDO_ apt-get update && DEBIAN_FRONTEND=noninteractive \
			$SUDO_ apt-get install -y --no-install-recommends nodejs npm; }
	fi
	here=$(cd "$(dirname "$0")/.." && pwd)
	if [ ! -d "$here/tests/browser/node_modules/playwright-core" ]; then
		echo "setup.sh: npm ci in tests/browser (playwright-core)"
		(cd "$here/tests/browser" && npm ci --no-audit --no-fund)
	fi
}

missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "setup.sh: all packages present"
	browser_deps "${1:-}"
	exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi
echo "setup.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet.
if ! $SUDO apt-get install -y --no-install-recommends $missing; then
	$SUDO apt-get update
	$SUDO apt-get install -y --no-install-recommends $missing
fi
browser_deps "${1:-}"
