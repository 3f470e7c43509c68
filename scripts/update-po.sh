#!/bin/sh
# Refreshes the translation catalogues from the sources: xgettext collects every string marked
# with _(), N_(), P_() or C_() in common/, server/ and client/ into po/gtsync.pot, and msgmerge
# brings po/id.po and po/en.po up to date with it (new strings arrive untranslated in id.po; en.po takes the msgid as its English).
set -eu
cd "$(dirname "$0")/.."
case "${1:-}" in
-h | --help)
	echo "usage: scripts/update-po.sh"
	echo "  collects the marked strings into po/gtsync.pot and merges them into po/*.po"
	exit 0
	;;
esac
git ls-files --cached --others --exclude-standard 'common/*.c' 'common/*.h' 'server/*.c' 'server/*.h' 'client/*.c' 'client/*.h' |
	LC_ALL=C sort >po/POTFILES
xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ --keyword=P_:1,2 --keyword=C_:1c,2 \
	--add-comments=TRANSLATORS: --package-name=gtsync --sort-by-file --no-wrap \
	--files-from=po/POTFILES -o po/gtsync.pot
for po in po/*.po; do
	msgmerge --quiet --update --backup=none --no-wrap --no-fuzzy-matching "$po" po/gtsync.pot
done
# English is the sources' own language: a string with no English wording of its own yet is
# given its msgid, so the English catalogue is always complete.
msgen --no-wrap po/en.po -o po/en.po.new && mv po/en.po.new po/en.po
echo "update-po.sh: po/gtsync.pot and $(ls po/*.po | wc -l) catalogues refreshed"
