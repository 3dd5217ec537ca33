#!/bin/sh
# run.sh SECONDS TARGET... — run each libFuzzer target (tests/fuzz/bin/TARGET,
# built by `make fuzz`) for SECONDS, starting from its committed seed corpus
# tests/fuzz/corpus/TARGET and the saved crashes tests/fuzz/regress/TARGET.
# New interesting inputs go to tests/fuzz/work/TARGET (not committed); a
# crash is written to tests/fuzz/crash-TARGET-* and fails the run: copy it
# into tests/fuzz/regress/TARGET/ once fixed, so make check replays it.
# Prints one line per target: executions, new corpus entries, crashes.
cd "$(dirname "$0")" || exit 3
secs=$1; shift
status=0
for t in "$@"; do
	mkdir -p "work/$t" "regress/$t"
	log="work/$t.log"
	./bin/"$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -max_len=4096 -print_final_stats=1 -artifact_prefix="crash-$t-" \
	    "work/$t" "corpus/$t" "regress/$t" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	crashes=$(ls crash-"$t"-* 2>/dev/null | wc -l)
	printf '%-10s %10s executions in %ss, corpus %s, %s crash file(s)\n' \
	    "$t" "${runs:-?}" "$secs" "$(ls "work/$t" | wc -l)" "$crashes"
	if [ "$rc" -ne 0 ]; then
		status=1
		grep -E 'ERROR|runtime error|property failed|SUMMARY' "$log" | head -10 | sed 's/^/    /'
	fi
done
exit $status
