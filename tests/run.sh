#!/bin/sh
# Run every test: the unit binaries given as arguments, then every
# tests/cli/*.sh script.  Each prints TAP lines; this counts them and ends
# with "N passed, N failed".  TESTS=name limits the CLI scripts run.
top=$(cd "$(dirname "$0")/.." && pwd)
log=$(mktemp "${TMPDIR:-/tmp}/tshop-tests.XXXXXX")
trap 'rm -f "$log"' EXIT
pass=0 fail=0
run() {
	name=$1; shift
	"$@" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$log"); f=$(grep -c '^not ok ' "$log")
	# make check SANITIZE=1 sends sanitizer reports to files in
	# $TSHOP_SANITIZER_LOG too, so a report behind a test's 2>/dev/null
	# still fails the test that caused it.
	if [ -n "${TSHOP_SANITIZER_LOG:-}" ] && [ -n "$(ls -A "$TSHOP_SANITIZER_LOG" 2>/dev/null)" ]; then
		f=$((f + 1)); echo "not ok - $name: sanitizer report" >>"$log"
		cat "$TSHOP_SANITIZER_LOG"/* | head -40 >>"$log"
		rm -f "$TSHOP_SANITIZER_LOG"/*
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1; echo "not ok - $name exited $rc" >>"$log"
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		f=1; echo "not ok - $name ran no test" >>"$log"
	fi
	pass=$((pass + p)); fail=$((fail + f))
	if [ "$f" -gt 0 ]; then
		echo "FAIL $name ($p passed, $f failed)"
		grep -v '^ok ' "$log" | sed 's/^/    /' | head -60
	else
		echo "ok   $name ($p)"
	fi
}
for u in "$@"; do run "$u" "$u"; done
for t in "$top"/tests/cli/*.sh; do
	[ -e "$t" ] || continue
	case $t in */lib.sh) continue ;; esac
	n=$(basename "$t" .sh)
	[ -n "${TESTS:-}" ] && case ",$TESTS," in *",$n,"*) ;; *) continue ;; esac
	run "cli/$n" sh "$t"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
