#!/bin/sh
# gtsync container entry point. With `run` (the default command) on a data directory that
# holds no store yet, it first initialises the centre from what the image ships: the store,
# a TLS certificate for $GTSYNC_TLS_NAME, the signing key, the official org-unit list and the
# metadata. Any other command is passed to gtsync-server unchanged.
set -eu

data=${GTSYNC_DATA:-/var/lib/gtsync}

if [ "${1:-}" = "run" ] && [ ! -e "$data/gtsync.db" ]; then
	name=${GTSYNC_TLS_NAME:-$(hostname)}
	echo "gtsync: $data holds no store; initialising a new centre (TLS name $name)"
	if ! gtsync-server init --data "$data" --name "$name" ||
		! gtsync-server orgunits import --data "$data" ||
		! gtsync-server metadata load --data "$data"; then
		echo "gtsync: initialising $data failed (see above). The volume must be writable by" >&2
		echo "gtsync: uid 10001; to do it by hand:" >&2
		echo "  docker compose run --rm centre init --data $data --name $name" >&2
		echo "  docker compose run --rm centre orgunits import --data $data" >&2
		echo "  docker compose run --rm centre metadata load --data $data" >&2
		exit 1
	fi
	echo "gtsync: give $data/tls-cert.pem to the offices; register their keys with"
	echo "gtsync:   docker compose run --rm centre key add --data $data --org CODE --role ROLE --pubkey KEY"
fi

exec gtsync-server "$@"
