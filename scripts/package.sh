#!/bin/sh
# Builds the Debian package from a clean Release build (no test hooks) into build-pkg/, and with
# --chroot also installs it into a fresh Debian 12 chroot made by debootstrap (needs root and
# Debian's mirror; about 3 minutes), starts the server there as the gtsync user, asks its
# status, runs the nightly backup script, and stops it. systemd itself does not run in a chroot,
# so `systemctl start gtsync-server` is not part of it.
set -eu
cd "$(dirname "$0")/.."

chroot_check=0
case "${1:-}" in
-h | --help)
	echo "usage: scripts/package.sh [--chroot]"
	echo "  builds build-pkg/gtsync_VERSION_ARCH.deb (Release, BUILD_TESTING=OFF, prefix /usr);"
	echo "  --chroot  also installs it into a debootstrap chroot and runs the server there"
	exit 0
	;;
--chroot) chroot_check=1 ;;
"") ;;
*)
	echo "package.sh: unknown option '$1' (try --help)" >&2
	exit 2
	;;
esac

cmake -S . -B build-pkg -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DGT_WERROR=ON >/dev/null
cmake --build build-pkg -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
(cd build-pkg && cpack -G DEB >/dev/null)
deb=$(ls build-pkg/gtsync_*.deb)
echo "package.sh: built $deb"
dpkg-deb --info "$deb" | sed -n 's/^ Depends:/Depends:/p'
if command -v lintian >/dev/null; then
	lintian "$deb" || true
fi
[ "$chroot_check" = 1 ] || exit 0

root=$(mktemp -d "${TMPDIR:-/tmp}/gtsync-chroot.XXXXXX")
# The chroot's / as on a real system (mktemp makes 0700): users other than root traverse it.
chmod 755 "$root"
cleanup() {
	if [ -n "${server_pid:-}" ]; then kill "$server_pid" 2>/dev/null || true; fi
	umount "$root/proc" 2>/dev/null || true
	rm -rf "$root"
}
trap cleanup EXIT
echo "package.sh: debootstrap bookworm into $root"
debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >/dev/null
cp "$deb" "$root/tmp/gtsync.deb"
mount -t proc proc "$root/proc"
chroot "$root" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -qq /tmp/gtsync.deb'
chroot "$root" runuser -u gtsync -- gtsync-server run --data /var/lib/gtsync \
	--listen 127.0.0.1:0 2>"$root/tmp/server.log" &
server_pid=$!
sleep 2
status=$(chroot "$root" runuser -u gtsync -- gtsync-server status --data /var/lib/gtsync)
echo "$status"
chroot "$root" runuser -u gtsync -- /usr/libexec/gtsync/nightly-backup
# The server's own pid (runuser may stand between it and $server_pid).
pid=$(echo "$status" | sed -n 's/^  pid=//p')
kill "${pid:-$server_pid}"
wait "$server_pid" || true
server_pid=""
cat "$root/tmp/server.log"
echo "package.sh: the package installs, initialises a centre, runs and backs up in a chroot"
