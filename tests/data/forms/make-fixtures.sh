#!/bin/sh
# Remakes the spreadsheet fixtures of tests/unit/client/test_forms.c with a real server, the
# real gtsync and LibreOffice (Debian's libreoffice-calc-nogui and python3-uno), run by hand:
#   sh tests/data/forms/make-fixtures.sh [BUILD_DIR]
# It writes KK's November 2026 template for Kota Kupang (53.71) with `gtsync template`, has
# LibreOffice fill it in and save it as .xlsx (fill-form.py), and has LibreOffice turn a
# semicolon CSV in DHIS2's columns into a workbook. The tests only read the committed files.
set -eu
root=$(cd "$(dirname "$0")/../../.." && pwd)
build=${1:-$root/build}
here="$root/tests/data/forms"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gtsync-forms.XXXXXX")
server_pid=""
cleanup() {
	if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
		kill "$server_pid"
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

server_bin="$build/server/gtsync-server"
gtsync="$build/client/gtsync"
data="$tmp/server"
"$server_bin" init --data "$data" >/dev/null
"$server_bin" orgunits import --data "$data" "$root/samples/orgunits.csv" >/dev/null
"$server_bin" metadata load --data "$data" "$root/metadata/" >/dev/null
"$server_bin" run --data "$data" --listen 127.0.0.1:0 2>"$tmp/server.log" &
server_pid=$!
port=""
i=0
while [ -z "$port" ] && [ $i -lt 100 ]; do
	port=$(sed -n 's/.*listening addr=127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/server.log" | head -1)
	[ -n "$port" ] || { sleep 0.1; i=$((i + 1)); }
done
home="$tmp/home"
"$gtsync" init --home "$home" --server "127.0.0.1:$port" --org 53.71 --ca "$data/tls-cert.pem" \
	>/dev/null
"$server_bin" key add --data "$data" --org 53.71 --role operator --pubkey-file "$home/key.pub" \
	>/dev/null
GTSYNC_HOME="$home" "$gtsync" metadata pull >/dev/null
GTSYNC_HOME="$home" LANG=id_ID.UTF-8 "$gtsync" template --dataset KK --period 202611 \
	--output "$tmp/kk-template.xlsx" >/dev/null
GTSYNC_HOME="$home" LANG=id_ID.UTF-8 "$gtsync" template --dataset GT --period 2026S2 \
	--output "$tmp/gt-template.xlsx" >/dev/null
GTSYNC_HOME="$home" LANG=id_ID.UTF-8 "$gtsync" template --dataset LY --period 202611 \
	--format csv --output "$here/ly-template.csv" >/dev/null 2>&1 || true
cp "$tmp/kk-template.xlsx" "$here/kk-template.xlsx"

# LibreOffice fills the templates as a person would, and saves them in Excel's format.
profile="file://$tmp/lo-profile"
/usr/bin/python3 "$here/fill-form.py" "$profile" "$tmp/kk-template.xlsx" "$here/kk-filled-lo.xlsx" \
	"Jenis kelamin dan umur" C6=3 D6=1 E6=2 F6=0 \
	"Jumlah" C6=6 C7=4 \
	"Lokasi kejadian korban WNI" C6=2 D6=4 \
	"Tahap penegakan hukum" C6=2 D6=1 E6=1 \
	"Jenis pelaku" C6=3 D6=0
/usr/bin/python3 "$here/fill-form.py" "$profile" "$tmp/kk-template.xlsx" "$here/kk-bad-lo.xlsx" \
	"Jenis kelamin dan umur" C6=3 "D6=12,5" \
	"Jumlah" C6=-1
/usr/bin/python3 "$here/fill-form.py" "$profile" "$tmp/gt-template.xlsx" "$here/gt-filled-lo.xlsx" \
	"Jumlah" C6=Ya C7=Tidak C8=4 C9=2 C10=Ya C11=Tidak C12=125000000 C13=Ya C14=Ya \
	"C15=Rapat pleno dua kali"

# A sheet in DHIS2's long layout, typed as a semicolon CSV (Excel's on Indonesian Windows)
# and saved by LibreOffice as a workbook.
printf 'dataelement;period;orgunit;categoryoptioncombo;value\r\nKK_LP;202611;53.71;;7\r\nKK_KORBAN;202611;53.71;PD;5\r\n' \
	>"$tmp/long.csv"
soffice -env:UserInstallation="$profile" --headless --infilter="CSV:59,34,76,1" \
	--convert-to xlsx --outdir "$tmp" "$tmp/long.csv" >/dev/null
cp "$tmp/long.xlsx" "$here/long-lo.xlsx"
ls -l "$here"
