#!/bin/sh
# The main job: builds gtsync, then runs a central server on 127.0.0.1 with six district offices
# of two real provinces (Nusa Tenggara Timur and Banten) that import their sample reports and
# push them, a provincial aggregator that pulls its districts' data, and prints the consolidated
# reports. Everything lives in a temporary directory that is removed at the end; nothing is left
# running. Set GTSYNC_DEMO_KEEP=1 to keep the directory for a look around.
set -eu
cd "$(dirname "$0")/.."
case "${1:-}" in
-h | --help)
	echo "usage: scripts/demo.sh"
	echo "  builds gtsync into build/ and runs a server and sample clients on 127.0.0.1"
	echo "  (GTSYNC_DEMO_KEEP=1 keeps the temporary directory)"
	exit 0
	;;
esac

root=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)
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
say "built $server_bin and $gtsync"

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
	port=$(sed -n 's/.*listening addr=127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/server.log" | head -1)
	if [ -z "$port" ]; then
		kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.log"; exit 1; }
		sleep 0.1
		i=$((i + 1))
	fi
done
[ -n "$port" ] || { say "the server did not start"; cat "$tmp/server.log"; exit 1; }
server="127.0.0.1:$port"
say "    listening on $server (log: $tmp/server.log)"

# Sets up a client home: init, register its key on the server, pull the metadata.
client() {
	org=$1
	role=$2
	home="$tmp/clients/$org"
	mkdir -p "$tmp/clients"
	"$gtsync" init --home "$home" --server "$server" --org "$org" \
		--ca "$data/tls-cert.pem" >/dev/null
	"$server_bin" key add --data "$data" --org "$org" --role "$role" \
		--pubkey-file "$home/key.pub" >/dev/null
	name=$(sed -n "s/^$org,\\(.*\\),[a-z]*\$/\\1/p" samples/orgunits.csv)
	say "[$org ${name:-national}] key $("$gtsync" key --home "$home" | sed -n 's/key id: *//p') registered as $role"
	GTSYNC_HOME="$home" "$gtsync" metadata pull | indent
}

step "District offices: set up, import the sample reports, push"
for dir in samples/[0-9]*.[0-9]*/; do
	org=$(basename "$dir")
	client "$org" operator
	for f in kasus layanan kelembagaan; do
		GTSYNC_HOME="$tmp/clients/$org" "$gtsync" import "$dir$f.csv" 2>&1 |
			sed "s|$root/||" | indent
	done
	GTSYNC_HOME="$tmp/clients/$org" "$gtsync" push 2>&1 | indent
done

step "What a district office sees: gtsync status (Kota Kupang)"
GTSYNC_HOME="$tmp/clients/53.71" "$gtsync" status --format human | indent

step "The provincial aggregator of Nusa Tenggara Timur pulls its districts' data"
client 53 aggregator
GTSYNC_HOME="$tmp/clients/53" "$gtsync" pull 2>&1 | indent
GTSYNC_HOME="$tmp/clients/53" "$gtsync" status --format human | sed -n '/Replica by org unit/,$p' | indent

step "Consolidated report: Nusa Tenggara Timur, cases and victims, third quarter of 2026"
GTSYNC_HOME="$tmp/clients/53" "$gtsync" report --dataset KK --period 2026Q3 | indent

step "The central secretariat: the national report (ID), cases and victims, 2026Q3"
client ID secretariat
GTSYNC_HOME="$tmp/clients/ID" "$gtsync" report --org ID --dataset KK --period 2026Q3 | indent

step "The same national totals as a DHIS2 dataValueSets document (first lines)"
GTSYNC_HOME="$tmp/clients/ID" "$gtsync" report --org ID --dataset KK --period 2026Q3 \
	--format dhis2 | head -8 | indent
say "    ..."

step "Done"
say "The server answered $(grep -c ' batch ' "$tmp/server.log") signed batches; it stops now and the temporary directory is removed."
