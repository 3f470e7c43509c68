#!/bin/sh
# A throwaway PostgreSQL cluster for tests, on 127.0.0.1 and a socket in its own directory.
#   pgcluster.sh init DIR       creates the cluster in DIR/data (as postgres when run as root)
#   pgcluster.sh start DIR PORT starts it on 127.0.0.1:PORT; prints a libpq connection string
#   pgcluster.sh stop DIR [MODE] stops it (MODE fast, or immediate: a crash for PostgreSQL)
# Exit 77 when PostgreSQL's server programs are missing (scripts/setup.sh --test installs them).
set -eu
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: pgcluster.sh init|start|stop DIR [PORT|MODE]" >&2; exit 2; }

bin=""
for d in /usr/lib/postgresql/*/bin; do
	[ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && bin=$d
done
[ -n "$bin" ] || { echo "pgcluster.sh: no PostgreSQL server under /usr/lib/postgresql" >&2; exit 77; }

as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		su -s /bin/sh postgres -c "$1"
	else
		sh -c "$1"
	fi
}

case "$cmd" in
init)
	mkdir -p "$dir"
	[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
	as_pg "'$bin/initdb' -D '$dir/data' -U gtsync --auth=trust -E UTF8 --no-locale" \
		>"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
	;;
start)
	port=${3:?pgcluster.sh start DIR PORT}
	as_pg "'$bin/pg_ctl' -D '$dir/data' -l '$dir/log' -w -t 60 -o \"-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$dir' -c fsync=on\" start" \
		>/dev/null 2>&1 || { cat "$dir/log" >&2; exit 1; }
	echo "host=127.0.0.1 port=$port user=gtsync dbname=postgres connect_timeout=5"
	;;
stop)
	as_pg "'$bin/pg_ctl' -D '$dir/data' -m '${3:-fast}' -w -t 60 stop" >/dev/null 2>&1 || true
	;;
*)
	echo "pgcluster.sh: unknown command '$cmd'" >&2
	exit 2
	;;
esac
