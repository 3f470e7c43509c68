#!/bin/sh
# The main job: builds gtsync and runs it. Until the server and client land, it builds and
# shows the server's help; later it runs a real server on loopback with sample clients.
set -eu
cd "$(dirname "$0")/.."
case "${1:-}" in
-h | --help)
	echo "usage: scripts/demo.sh"
	echo "  builds gtsync into build/ and runs the main job on loopback"
	exit 0
	;;
esac
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
cmake --build build -j "$jobs" --target gtsync-server gtsync >/dev/null
./build/server/gtsync-server --help
