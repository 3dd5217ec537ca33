#!/bin/sh
# Concurrent use (SPEC §2.1): cron-like overlapping runs — alert checks
# while an orders import, a bulk ship and many small stock adds are
# writing — all finish, none says "database is locked", and no update is
# lost.  A writer that cannot get the write lock within the busy timeout
# (5 s) exits 3 with a clear message and changes nothing, while readers
# go on reading.
. "$(dirname "$0")/lib.sh"
export TSHOP_NOW=2026-11-21T09:30:00Z

# UPS numbers 1Z999AA1 + 9 digits + the check digit (mod 10 over the 15
# characters after 1Z, letters (ASCII - 3) mod 10, odd positions doubled).
ups() {
	awk -v from="$1" -v to="$2" 'BEGIN {
	for (i = from; i <= to; i++) {
		s = sprintf("%09d", i); sum = 44	# 9, 9, 9, A, A, 1 weighted
		for (k = 1; k <= 9; k++) sum += substr(s, k, 1) * ((k + 5) % 2 ? 2 : 1)
		printf "O%06d\t1Z999AA1%s%d\tUPS\n", i, s, (10 - sum % 10) % 10
	} }'
}
check "the UPS numbers made here are valid" 0 tshop-ship check "$(ups 7 7 | cut -f2)"

# The shop: 1000 SKUs of 10,000 units; 3000 orders to ship; one SKU (ADD-1)
# that only the stock adds touch.
awk 'BEGIN { for (i = 1; i <= 1000; i++) printf "S%04d\t10000\n", i; print "ADD-1\t0" }' \
    >"$tmp/catalog.tsv"
check "catalog" 0 tshop-stock -q set --create "$tmp/catalog.tsv"
awk 'BEGIN { for (i = 1; i <= 1000; i++) printf "S%04d\tqty\t5\n", i }' >"$tmp/rules.tsv"
check "alert rules" 0 tshop-alert set "$tmp/rules.tsv"
orders() {	# orders FROM TO
	awk -v from="$1" -v to="$2" 'BEGIN {
	print "order_id,created_at,paid_at,status,shipping_type,sku,quantity,unit_price"
	for (i = from; i <= to; i++)
		printf "O%06d,2026-11-20T%02d:%02d:00Z,2026-11-20T%02d:%02d:00Z,AWAITING_SHIPMENT,SELLER,S%04d,1,9.99\n",
		    i, i % 24, i % 60, i % 24, i % 60, i % 1000 + 1 }'
}
orders 1 3000 >"$tmp/old.csv"
check "3000 orders to ship" 0 tshop-orders -q import "$tmp/old.csv"

rounds=3 adders=4 adds=15
: >"$tmp/errs"
for r in $(seq 1 $rounds); do
	# this round: 10,000 new orders, 1000 of the old ones shipped
	orders $((r * 10000 + 1)) $((r * 10000 + 10000)) >"$tmp/new$r.csv"
	ups $(((r - 1) * 1000 + 1)) $((r * 1000)) >"$tmp/ship$r.tsv"
	tshop-orders -q import "$tmp/new$r.csv" >/dev/null 2>"$tmp/e.import$r" &
	p1=$!
	tshop-ship -q "$tmp/ship$r.tsv" >/dev/null 2>"$tmp/e.ship$r" &
	p2=$!
	pids=
	for a in $(seq 1 $adders); do
		(for k in $(seq 1 $adds); do
			tshop-stock -q add ADD-1 1 || echo "add $a.$k exited $?"
		done) >>"$tmp/errs" 2>"$tmp/e.add$r.$a" &
		pids="$pids $!"
	done
	for k in 1 2 3 4 5; do
		tshop-alert check >/dev/null 2>"$tmp/e.alert$r.$k"
		rc=$?
		[ $rc -le 1 ] || echo "alert check $r.$k exited $rc" >>"$tmp/errs"
	done
	wait $p1 || echo "import $r exited $?" >>"$tmp/errs"
	wait $p2 || echo "ship $r exited $?" >>"$tmp/errs"
	for p in $pids; do wait "$p"; done
done
same "$rounds rounds of overlapping runs: every run succeeded" "" "$(cat "$tmp/errs")"
same "no program said the database is locked" "" "$(cat "$tmp"/e.* | grep -i 'locked\|busy')"
same "every import kept: 3000 + $rounds × 10,000 orders" $((3000 + rounds * 10000)) \
    "$(sqlite3 "$TSHOP_DB" 'SELECT count(*) FROM orders;')"
same "every shipment kept" $((rounds * 1000)) \
    "$(sqlite3 "$TSHOP_DB" "SELECT count(*) FROM orders WHERE tracking IS NOT NULL AND status <> 'AWAITING_SHIPMENT';")"
same "no stock add lost: $adders × $adds × $rounds units" $((adders * adds * rounds)) \
    "$(tshop-stock list ADD-1 | cut -f4)"
same "each order took its unit of stock once" $((1000 * 10000 - 3000 - rounds * 10000)) \
    "$(sqlite3 "$TSHOP_DB" "SELECT sum(quantity) FROM stock JOIN sku ON sku.id = stock.sku WHERE sku.sku <> 'ADD-1';")"
same "the ledger adds up" "$(sqlite3 "$TSHOP_DB" 'SELECT sum(quantity) FROM stock;')" \
    "$(sqlite3 "$TSHOP_DB" 'SELECT sum(delta) FROM ledger;')"
same "integrity_check" "ok" "$(sqlite3 "$TSHOP_DB" 'PRAGMA integrity_check;')"

# --- a write lock held longer than the busy timeout
hold() {	# hold SECONDS: another program holds the write lock
	rm -f "$tmp/held"
	printf 'BEGIN IMMEDIATE;\n.shell touch %s/held\n.shell sleep %s\nCOMMIT;\n' "$tmp" "$1" |
	    sqlite3 "$TSHOP_DB" >/dev/null 2>&1 &
	holder=$!
	i=0
	while [ ! -e "$tmp/held" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
}
orders 900001 910000 >"$tmp/locked.csv"
before=$(tshop-stock list S0001)
ledger=$(sqlite3 "$TSHOP_DB" 'SELECT count(*) FROM ledger;')
norders=$(sqlite3 "$TSHOP_DB" 'SELECT count(*) FROM orders;')
hold 12		# two writers in a row, 5 s each
t0=$(date +%s)
check "a writer locked out for longer than 5 s exits 3" 3 tshop-stock set S0001 7
t=$(($(date +%s) - t0))
grep_err "and says so clearly" "^tshop-stock: .*database '$TSHOP_DB' is locked by another program \(waited 5 s\)$"
[ $t -ge 4 ] && [ $t -le 7 ] && ok "after waiting the busy timeout (${t} s)" ||
    nok "after waiting the busy timeout (${t} s)"
check "a reader is not blocked by the writer" 0 tshop-stock list S0001
check "a bulk import locked out exits 3" 3 tshop-orders import "$tmp/locked.csv"
grep_err "it names the database" "database '$TSHOP_DB' is locked"
wait $holder
same "nothing changed: orders" "$norders" "$(sqlite3 "$TSHOP_DB" 'SELECT count(*) FROM orders;')"
same "nothing changed: stock" "$before" "$(tshop-stock list S0001)"
same "nothing changed: ledger" "$ledger" "$(sqlite3 "$TSHOP_DB" 'SELECT count(*) FROM ledger;')"

# --- a lock held for less than the busy timeout: the writer waits and succeeds
hold 2
t0=$(date +%s)
check "a writer that waits 2 s succeeds" 0 tshop-stock set S0001 7
t=$(($(date +%s) - t0))
[ $t -ge 1 ] && ok "after waiting (${t} s)" || nok "after waiting (${t} s)"
wait $holder
same "and its change is there" "S0001	7" "$(tshop-stock list S0001 | cut -f1,4)"
finish
