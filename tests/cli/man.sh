#!/bin/sh
# The manual: every program has a page, every page lints clean with
# mandoc, and each page's SYNOPSIS names the same verbs as the program's usage.
. "$(dirname "$0")/lib.sh"
for c in "$top"/cmd/*.c; do
	p=$(basename "$c" .c)
	[ -f "$top/man/$p.1" ] && ok "$p has a manual page" || nok "$p has a manual page"
done
[ -f "$top/man/tshop.7" ] && ok "tshop(7) exists" || nok "tshop(7) exists"
for m in "$top"/man/*.[1-8]; do
	lint=$(mandoc -Tlint -W warning "$m" 2>&1)
	same "$(basename "$m") lints clean" "" "$lint"
done
# the verbs: the first word after the program name once [...] groups are gone
verbs() {
	sed 's/^usage: //; s/\[[^][]*\]//g; s/\[[^][]*\]//g' |
	    awk -v p="$1" '$1 == p { for (i = 2; i <= NF; i++) if ($i !~ /^-/) { print $i; break } }' | sort -u
}
for c in "$top"/cmd/*.c; do
	p=$(basename "$c" .c)
	[ -x "$top/bin/$p" ] && [ -f "$top/man/$p.1" ] || continue
	usage=$("$top/bin/$p" -h 2>&1 | sed '/^$/,$d' | verbs "$p")
	page=$(MANWIDTH=300 mandoc -Tutf8 "$top/man/$p.1" 2>/dev/null | col -b |
	    awk '/^SYNOPSIS/ { on = 1; next } /^[A-Z]/ { on = 0 } on' | verbs "$p")
	same "$p: SYNOPSIS verbs match the usage" "$usage" "$page"
done
finish
