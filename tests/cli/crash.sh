#!/bin/sh
# Crash safety (SPEC §2.1): SIGKILL a writer at random points, many times,
# and check that the database is each time either exactly as before the
# batch or exactly as after it, and that PRAGMA integrity_check is ok.
# Writers: tshop-orders import, tshop-stock set, tshop-settle import (one
# transaction each), and tshop-sync orders against the fake API (one
# transaction per page: killed repeatedly, it must keep whole pages only and
# finish with every order exactly once).  Kill delays are uniform over the
# measured length of an uninterrupted run; KILLS (20) per writer, seed in
# CRASH_SEED (printed, to replay a failure).
. "$(dirname "$0")/lib.sh"
export TSHOP_NOW=2026-11-21T09:30:00Z
kills=${KILLS:-20}
seed=${CRASH_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
echo "# KILLS=$kills CRASH_SEED=$seed"

# What a batch can change, as one line: orders, order lines, units in
# stock, ledger rows, settlement rows and their sum, outbox entries.
sig() {
	sqlite3 "$TSHOP_DB" "SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM order_line),
	    (SELECT total(quantity) FROM stock), (SELECT count(*) FROM ledger),
	    (SELECT count(*) FROM settlement), (SELECT total(settlement) FROM settlement),
	    (SELECT count(*) FROM outbox);"
}
restore() {
	rm -f "$TSHOP_DB" "$TSHOP_DB-wal" "$TSHOP_DB-shm"
	cp "$tmp/base.db" "$TSHOP_DB"
}
ms() { date +%s%3N; }

# The shop before each batch: 80,000 SKUs with 1000 units each.
awk 'BEGIN { for (i = 1; i <= 80000; i++) printf "S%05d\t1000\n", i }' >"$tmp/catalog.tsv"
tshop-stock -q set --create "$tmp/catalog.tsv" || nok "catalog"
sqlite3 "$TSHOP_DB" ".backup '$tmp/base.db'"
# The batches, each about half a second: 20,000 orders, 80,000 stock
# counts, 60,000 settlement rows.  The last two pass TSHOP_DB_FLUSH
# (50,000 records), where a batch writes its pages to the WAL uncommitted:
# a kill after that must still lose the whole batch.
awk 'BEGIN { print "order_id,created_at,paid_at,status,shipping_type,sku,quantity,unit_price"
	for (i = 1; i <= 20000; i++)
		printf "57%016d,2026-11-20T%02d:%02d:00Z,,AWAITING_SHIPMENT,SELLER,S%05d,%d,9.99\n",
		    i, i % 24, i % 60, i % 50000 + 1, i % 3 + 1 }' >"$tmp/orders.csv"
awk 'BEGIN { for (i = 1; i <= 80000; i++) printf "S%05d\t%d\n", i, i % 500 }' >"$tmp/set.tsv"
awk 'BEGIN { print "order_id,statement_date,gross_sales,refund_amount,commission_fee,payment_processing_fee,net_payout"
	for (i = 1; i <= 60000; i++) printf "57%016d,2026-11-10,10.00,0.00,0.50,0.30,9.20\n", i }' >"$tmp/settle.csv"

# kill_after DELAY COMMAND...: run COMMAND, kill -9 it after DELAY seconds;
# true when it was still running (killed mid-run)
kill_after() {
	kd=$1; shift
	"$@" >/dev/null 2>&1 &
	pid=$!
	sleep "$kd"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ $? -eq 137 ]
}

# kill_test NAME COMMAND...: one uninterrupted run gives the state after
# and its length; then KILLS runs from the state before, each killed after
# a random delay in [0, 1.2 × length].
kill_test() {
	name=$1; shift
	restore
	before=$(sig)
	t0=$(ms)
	"$@" >/dev/null 2>&1 || nok "$name: an uninterrupted run"
	t=$(($(ms) - t0))
	after=$(sig)
	[ "$before" != "$after" ] && ok "$name: the batch changes the database ($t ms)" ||
	    nok "$name: the batch changes the database"
	nb=0 na=0 mid=0 bad=0 corrupt=0
	for d in $(awk -v s="$seed" -v n="$kills" -v t="$t" \
	    'BEGIN { srand(s); for (i = 0; i < n; i++) printf "%.3f\n", rand() * t * 1.2 / 1000 }'); do
		restore
		kill_after "$d" "$@" && mid=$((mid + 1))
		ic=$(sqlite3 "$TSHOP_DB" 'PRAGMA integrity_check;' 2>&1)
		[ "$ic" = ok ] || { corrupt=$((corrupt + 1)); echo "# $name: after ${d}s: $ic" | head -3; }
		s=$(sig)
		if [ "$s" = "$before" ]; then nb=$((nb + 1))
		elif [ "$s" = "$after" ]; then na=$((na + 1))
		else bad=$((bad + 1)); echo "# $name: killed after ${d}s: $s (before $before, after $after)"
		fi
	done
	echo "# $name: $kills kills ($mid while running): $nb before, $na after"
	same "$name: integrity_check ok after each of $kills kills" 0 "$corrupt"
	same "$name: each time all or nothing" 0 "$bad"
	# and the interrupted batch, run again, applies in full
	"$@" >/dev/null 2>&1
	same "$name: run again after the last kill: the state after" "$after" "$(sig)"
}

kill_test "orders import" tshop-orders import "$tmp/orders.csv"
kill_test "stock set" tshop-stock set "$tmp/set.tsv"
kill_test "settle import" tshop-settle import "$tmp/settle.csv"

# --- tshop-sync orders: pages of 100 orders, one transaction each.
unset TSHOP_NOW
export TSHOP_DB="$tmp/sync.db" XDG_CONFIG_HOME="$tmp/cfg"
mkdir -p "$XDG_CONFIG_HOME/tshop"
(umask 077; cat >"$XDG_CONFIG_HOME/tshop/credentials") <<EOC
TSHOP_APP_KEY=crash_app_key
TSHOP_APP_SECRET=crash_app_secret
TSHOP_ACCESS_TOKEN=TTP_crash_access
TSHOP_REFRESH_TOKEN=TTP_crash_refresh
TSHOP_SHOP_CIPHER=GCP_crash_cipher
EOC
norders=2000
api_orders "$tmp/api-orders.jsonl" "$norders" 5800000000 17300000000000000 7 SYNC- 9.99
fake_api --orders "$tmp/api-orders.jsonl" --app-key crash_app_key \
    --app-secret crash_app_secret --access-token TTP_crash_access \
    --refresh-token TTP_crash_refresh --shop-cipher GCP_crash_cipher
tshop init >/dev/null 2>&1
# how long a whole pull takes, on a scratch database
t0=$(ms)
TSHOP_DB="$tmp/sync-full.db" tshop-sync -q orders >/dev/null 2>&1 || nok "sync: an uninterrupted pull"
t=$(($(ms) - t0))
same "sync: an uninterrupted pull takes every order" "$norders" \
    "$(sqlite3 "$tmp/sync-full.db" 'SELECT count(*) FROM orders;')"
# kill the same pull again and again, never starting over: each run resumes
# where the last one was killed (delays in [0, 3 × length / KILLS])
partial=0 bad=0 corrupt=0 prev=0 mid=0
for d in $(awk -v s="$seed" -v n="$kills" -v t="$t" \
    'BEGIN { srand(s + 1); for (i = 0; i < n; i++) printf "%.3f\n", rand() * t * 3 / n / 1000 }'); do
	kill_after "$d" tshop-sync -q orders && mid=$((mid + 1))
	ic=$(sqlite3 "$TSHOP_DB" 'PRAGMA integrity_check;' 2>&1)
	[ "$ic" = ok ] || corrupt=$((corrupt + 1))
	s=$(sqlite3 "$TSHOP_DB" "SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM order_line),
	    (SELECT count(*) FROM ledger WHERE source LIKE 'order%');")
	no=${s%%|*}
	# whole pages only; one line and one stock movement per order; never fewer than before
	if [ $((no % 100)) -ne 0 ] && [ "$no" -ne "$norders" ] || [ "$s" != "$no|$no|$no" ] ||
	    [ "$no" -lt "$prev" ]; then
		bad=$((bad + 1)); echo "# sync: killed after ${d}s: $s"
	fi
	[ "$no" -gt 0 ] && [ "$no" -lt "$norders" ] && partial=$((partial + 1))
	prev=$no
done
echo "# sync: a whole pull $t ms; $kills kills ($mid while running), $partial left a partial pull"
same "sync: integrity_check ok after each of $kills kills" 0 "$corrupt"
same "sync: whole pages only, each order with its line and stock movement once" 0 "$bad"
check "sync: the pull resumed after the kills" 0 tshop-sync -q orders
same "sync: every order exactly once" \
    "$(sqlite3 "$tmp/sync-full.db" 'SELECT order_id FROM orders ORDER BY 1;' | md5sum)" \
    "$(sqlite3 "$TSHOP_DB" 'SELECT order_id FROM orders ORDER BY 1;' | md5sum)"
same "sync: stock taken once per order" "$norders" \
    "$(sqlite3 "$TSHOP_DB" "SELECT count(*) FROM ledger WHERE source LIKE 'order%';")"
finish
