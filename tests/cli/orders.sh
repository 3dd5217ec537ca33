#!/bin/sh
# tshop-orders, from an empty database: Seller Center exports, canonical
# TSV, the generator's CSV and API JSON Lines; no regressions; stock that
# moves once; deadlines at a fixed TSHOP_NOW; pick lists; mark; bad lines.
. "$(dirname "$0")/lib.sh"
export TSHOP_NOW=2026-11-23T12:00:00Z	# a Monday, shop time zone UTC

check "list on a missing database exits 3" 3 tshop-orders list
grep_err "it says so" "no database at"

# the catalog and some stock
printf 'sku,sku_id,title,warehouse,quantity\n' >"$tmp/cat.csv"
printf 'MUG-1,1729000000000000001,Mug Large,,10\n' >>"$tmp/cat.csv"
printf 'MUG-1,1729000000000000001,Mug Large,WH-EAST,5\n' >>"$tmp/cat.csv"
printf 'HOOD-M,1729000000000000002,Hoodie M,,4\n' >>"$tmp/cat.csv"
check "catalog import" 0 tshop-stock import "$tmp/cat.csv"

# A Seller Center export: BOM, the description line, quoted fields with
# commas, quotes and a newline, ids with a trailing tab, US local times.
sc="$tmp/sc1.csv"
H='Order ID,Order Status,Order Substatus,SKU ID,Seller SKU,Product Name,Quantity,SKU Subtotal After Discount,Order Amount,Created Time,Paid Time,Shipped Time,Delivered Time,Cancelled Time,Cancel By,Cancel Reason,Fulfillment Type,Warehouse Name,Tracking ID,Shipping Provider Name,Buyer Message'
printf '\357\273\277%s\r\n' "$H" >"$sc"
printf 'Platform unique order ID.,Order status,Substatus,Platform SKU ID.,Seller SKU,Product name,Quantity,Subtotal,Amount,Created,Paid,Shipped,Delivered,Cancelled,Who,Why,Type,Warehouse,Tracking,Provider,Message\r\n' >>"$sc"
row() {	# id status sku_id sku name qty subtotal amount created paid shipped type wh tracking provider
	printf '"%s\t",%s,,"%s\t",%s,%s,%s,%s,%s,%s,%s,%s,,,,,%s,%s,%s,%s,"Hi, thanks"\r\n' "$@" >>"$sc"
}
row 576000000000000001 'To ship' 1729000000000000001 MUG-1 '"Mug, ""Large""
with handle"' 2 25.00 38.50 '11/20/2026 03:15:00 PM' '11/20/2026 03:20:00 PM' '' 'Fulfillment by seller' '' '' ''
row 576000000000000001 'To ship' 1729000000000000002 HOOD-M 'Hoodie M' 1 10.00 38.50 '11/20/2026 03:15:00 PM' '11/20/2026 03:20:00 PM' '' 'Fulfillment by seller' '' '' ''
row 576000000000000002 Shipped 1729000000000000002 HOOD-M 'Hoodie M' 3 30.00 30.00 '11/18/2026 09:00:00 AM' '11/18/2026 09:05:00 AM' '11/20/2026 10:00:00 AM' 'Fulfillment by TikTok Shop' '' 9400111899223344556677 USPS
row 576000000000000003 'Awaiting Shipment' 1729000000000000001 MUG-1 'Mug' 1 12.50 12.50 '11/17/2026 08:00:00 AM' '11/17/2026 08:30:00 AM' '' 'Fulfillment by seller' WH-EAST '' ''
row 576000000000000004 Unpaid 1729000000000000002 HOOD-M 'Hoodie M' 1 10.00 10.00 '11/23/2026 11:00:00 AM' '' '' 'Fulfillment by seller' '' '' ''
row 576000000000000005 'To ship' 1729000000000000001 MUG-1 'Mug' 1 12.50 12.50 '11/19/2026 10:50:00 AM' '11/19/2026 11:00:00 AM' '' 'Fulfillment by seller' '' '' ''

check "import a Seller Center export" 0 tshop-orders import "$sc"
grep_err "summary" "tshop-orders: 5 new, 0 updated, 0 unchanged, 0 ignored \(stale\), 0 rejected"
check "list -H" 0 tshop-orders list -H
same "every order, by ship_by (none last)" \
"order_id	status	created_at	paid_at	ship_by	shipping_type	warehouse	units	total	carrier	tracking	shipped_at	delivered_at	late
576000000000000003	AWAITING_SHIPMENT	2026-11-17T08:00:00Z	2026-11-17T08:30:00Z	2026-11-20T08:30:00Z	SELLER	WH-EAST	1	12.50					yes
576000000000000002	IN_TRANSIT	2026-11-18T09:00:00Z	2026-11-18T09:05:00Z	2026-11-23T09:05:00Z	TIKTOK	default	3	30.00	USPS	9400111899223344556677	2026-11-20T10:00:00Z		no
576000000000000005	AWAITING_SHIPMENT	2026-11-19T10:50:00Z	2026-11-19T11:00:00Z	2026-11-24T11:00:00Z	SELLER	default	1	12.50					no
576000000000000001	AWAITING_SHIPMENT	2026-11-20T15:15:00Z	2026-11-20T15:20:00Z	2026-11-25T15:20:00Z	SELLER	default	3	38.50					no
576000000000000004	UNPAID	2026-11-23T11:00:00Z			SELLER	default	1	10.00					" "$out"
check "items of one order" 0 tshop-orders items 576000000000000001
same "lines with exact unit prices and the quoted title" \
"576000000000000001	MUG-1	Mug Large	2	12.50	default
576000000000000001	HOOD-M	Hoodie M	1	10.00	default" "$out"
check "stock list --by-warehouse" 0 tshop-stock list --by-warehouse
same "paid orders took their stock, the unpaid one did not" \
"HOOD-M	default	Hoodie M		0	OUT_OF_STOCK
MUG-1	WH-EAST	Mug Large		4	SUFFICIENT_STOCK
MUG-1	default	Mug Large		7	SUFFICIENT_STOCK" "$out"

# deadlines at the fixed TSHOP_NOW
check "list --late" 0 tshop-orders list --late
same "only the unshipped order past ship_by" "576000000000000003" "$(printf '%s\n' "$out" | cut -f1)"
check "list --due-within 24h" 0 tshop-orders list --due-within 24h
same "due by tomorrow noon, overdue ones excluded" "576000000000000005" "$(printf '%s\n' "$out" | cut -f1)"
check "list --due-within 3d" 0 tshop-orders list --due-within 3d
same "by ship_by" "576000000000000005
576000000000000001" "$(printf '%s\n' "$out" | cut -f1)"
check "list --late --due-within 24h" 0 tshop-orders list --late --due-within 24h
same "late or due" "576000000000000003
576000000000000005" "$(printf '%s\n' "$out" | cut -f1)"
check "list -s to-ship" 0 tshop-orders list -s to-ship
same "the to-ship group" "576000000000000003
576000000000000005
576000000000000001" "$(printf '%s\n' "$out" | cut -f1)"
check "list -s shipped,unpaid" 0 tshop-orders list -s shipped,unpaid
same "a group and a status" "576000000000000002
576000000000000004" "$(printf '%s\n' "$out" | cut -f1)"
check "list --since --until" 0 tshop-orders list --since 2026-11-18 --until 2026-11-20
same "created in [since, until)" "576000000000000002
576000000000000005" "$(printf '%s\n' "$out" | cut -f1)"
check "list -w WH-EAST" 0 tshop-orders list -w WH-EAST
same "one warehouse" "576000000000000003" "$(printf '%s\n' "$out" | cut -f1)"
check "list -o json" 0 tshop-orders list -o json -s unpaid
same "JSON: units a number, money a string" \
'{"order_id":"576000000000000004","status":"UNPAID","created_at":"2026-11-23T11:00:00Z","paid_at":null,"ship_by":null,"shipping_type":"SELLER","warehouse":"default","units":1,"total":"10.00","carrier":null,"tracking":null,"shipped_at":null,"delivered_at":null,"late":null}' "$out"
check "bad -s is a usage error" 2 tshop-orders list -s lost
check "bad --due-within is a usage error" 2 tshop-orders list --due-within soon
check "--due-within 24 (no unit) is a usage error" 2 tshop-orders list --due-within 24
grep_err "asks for the unit" "'24' is not a duration with its unit"

# pick lists
check "picklist" 0 tshop-orders picklist -H
same "per warehouse and SKU" \
"warehouse	sku	title	units	orders
WH-EAST	MUG-1	Mug Large	1	1
default	HOOD-M	Hoodie M	1	1
default	MUG-1	Mug Large	3	2" "$out"
check "picklist -w default --by-order" 0 tshop-orders picklist -w default --by-order
same "packing slips by ship_by" \
"576000000000000005	MUG-1	Mug Large	1
576000000000000001	MUG-1	Mug Large	2
576000000000000001	HOOD-M	Hoodie M	1" "$out"

# re-importing the same file changes nothing, not even the ledger
tshop-stock log >"$tmp/ledger1"
check "re-import" 0 tshop-orders import "$sc"
grep_err "all unchanged" "0 new, 0 updated, 5 unchanged, 0 ignored \(stale\), 0 rejected"
tshop-stock log >"$tmp/ledger2"
same "ledger unchanged" "$(cat "$tmp/ledger1")" "$(cat "$tmp/ledger2")"
same "one ledger entry per line of the paid orders" "5" "$(grep -c '	order:' "$tmp/ledger2")"
same "ledger entries of order 1" \
"MUG-1	default	-2	8	order:576000000000000001
HOOD-M	default	-1	3	order:576000000000000001" \
"$(grep 576000000000000001 "$tmp/ledger2" | cut -f2-6)"

# the same order in three exports, imported out of order
sc_one() {	# file status shipped delivered
	printf 'Order ID,Order Status,Seller SKU,Quantity,Created Time,Paid Time,Shipped Time,Delivered Time,Tracking ID,Shipping Provider Name\n' >"$1"
	printf '576000000000000006,%s,HOOD-M,1,11/16/2026 10:00:00 AM,11/16/2026 10:01:00 AM,%s,%s,%s,%s\n' "$2" "$3" "$4" "$5" "$6" >>"$1"
}
sc_one "$tmp/e1.csv" 'To ship' '' '' '' ''
sc_one "$tmp/e2.csv" 'In transit' '11/17/2026 09:00:00 AM' '' 1Z999AA10123456784 UPS
sc_one "$tmp/e3.csv" 'Delivered' '11/17/2026 09:00:00 AM' '11/19/2026 04:00:00 PM' 1Z999AA10123456784 UPS
check "first export" 0 tshop-orders import "$tmp/e1.csv"
check "the third export before the second" 0 tshop-orders import "$tmp/e3.csv"
grep_err "updated" "0 new, 1 updated, 0 unchanged, 0 ignored"
check "the second export, stale: still exit 0" 0 tshop-orders import "$tmp/e2.csv"
grep_err "counted as stale" "0 new, 0 updated, 0 unchanged, 1 ignored \(stale\), 0 rejected"
grep_err "and reported" "e2.csv:2: order '576000000000000006': IN_TRANSIT cannot follow the recorded DELIVERED \(a status never goes back\); ignored"
check "all three again in one run" 0 tshop-orders import "$tmp/e2.csv" "$tmp/e1.csv" "$tmp/e3.csv"
grep_err "two stale, one unchanged" "0 new, 0 updated, 1 unchanged, 2 ignored \(stale\)"
check "list the order" 0 tshop-orders list -s delivered
same "no regression" \
"576000000000000006	DELIVERED	2026-11-16T10:00:00Z	2026-11-16T10:01:00Z	2026-11-19T10:01:00Z	SELLER	default	1		UPS	1Z999AA10123456784	2026-11-17T09:00:00Z	2026-11-19T16:00:00Z	no" "$out"
check "its stock moved once" 0 tshop-stock log HOOD-M
same "one entry for order 6" "1" "$(printf '%s\n' "$out" | grep -c 'order:576000000000000006')"

# cancelled after paying: the stock comes back, once
printf 'Order ID,Order Status,Seller SKU,Quantity,Created Time,Paid Time,Cancelled Time,Cancel By,Cancel Reason\n' >"$tmp/c1.csv"
printf '576000000000000007,To ship,MUG-1,4,11/22/2026 10:00:00 AM,11/22/2026 10:05:00 AM,,,\n' >>"$tmp/c1.csv"
printf 'Order ID,Order Status,Seller SKU,Quantity,Created Time,Paid Time,Cancelled Time,Cancel By,Cancel Reason\n' >"$tmp/c2.csv"
printf '576000000000000007,Cancelled,MUG-1,4,11/22/2026 10:00:00 AM,11/22/2026 10:05:00 AM,11/22/2026 11:00:00 AM,Buyer,"Changed mind, sorry"\n' >>"$tmp/c2.csv"
check "paid" 0 tshop-orders import "$tmp/c1.csv"
check "cancelled" 0 tshop-orders import "$tmp/c2.csv"
check "both again" 0 tshop-orders import "$tmp/c1.csv" "$tmp/c2.csv"
grep_err "stale and unchanged" "0 new, 0 updated, 1 unchanged, 1 ignored"
check "ledger of the cancelled order" 0 tshop-stock log MUG-1
same "taken once, back once" \
"default	-4	3	order:576000000000000007
default	+4	7	cancel:576000000000000007" "$(printf '%s\n' "$out" | grep 576000000000000007 | cut -f3-6)"
check "cancelled orders are not late nor picked" 0 tshop-orders picklist
same "picklist unchanged" "WH-EAST	MUG-1	Mug Large	1	1
default	HOOD-M	Hoodie M	1	1
default	MUG-1	Mug Large	3	2" "$out"

# handling time
check "handling 5 days" 0 tshop-orders handling 576000000000000001 5
same "ship_by recomputed" "576000000000000001	5	2026-11-27T15:20:00Z" "$out"
check "handling 9 is refused" 2 tshop-orders handling 576000000000000001 9
check "handling of an unknown order" 2 tshop-orders handling 999 2
grep_err "names it" "order '999' is not known"

# mark: operands and records
check "mark delivered" 0 tshop-orders mark 576000000000000002 delivered 2026-11-22T10:00:00Z
grep_err "one updated" "1 updated, 0 unchanged, 0 ignored"
check "mark scanned" 0 tshop-orders mark 576000000000000002 scanned 2026-11-20T18:00:00Z
grep_err "scan recorded" "1 updated, 0 unchanged"
check "a later scan" 0 tshop-orders mark 576000000000000002 scanned 2026-11-21T18:00:00Z
grep_err "keeps the first" "0 updated, 1 unchanged"
check "cancelling a delivered order is stale, exit 0" 0 tshop-orders mark 576000000000000002 cancelled
grep_err "reported" "order '576000000000000002': CANCELLED cannot follow the recorded DELIVERED"
check "mark an unknown order" 2 tshop-orders mark 575 delivered
grep_err "names the order" "order '575' is not known"
check "mark with an unknown event" 2 tshop-orders mark 576000000000000002 lost
printf '576000000000000005\tcancelled\t2026-11-23T11:00:00Z\tseller:Out of stock\n576000000000000001\tcompleted\n' >"$tmp/events.tsv"
check "mark records" 0 tshop-orders mark "$tmp/events.tsv"
grep_err "two updated" "2 updated, 0 unchanged, 0 ignored"
check "list after mark" 0 tshop-orders list -s delivered,cancelled
same "statuses and dates" \
"576000000000000006	DELIVERED	2026-11-16T10:00:00Z	2026-11-16T10:01:00Z	2026-11-19T10:01:00Z	SELLER	default	1		UPS	1Z999AA10123456784	2026-11-17T09:00:00Z	2026-11-19T16:00:00Z	no
576000000000000002	DELIVERED	2026-11-18T09:00:00Z	2026-11-18T09:05:00Z	2026-11-23T09:05:00Z	TIKTOK	default	3	30.00	USPS	9400111899223344556677	2026-11-20T10:00:00Z	2026-11-22T10:00:00Z	no
576000000000000005	CANCELLED	2026-11-19T10:50:00Z	2026-11-19T11:00:00Z	2026-11-24T11:00:00Z	SELLER	default	1	12.50					no
576000000000000007	CANCELLED	2026-11-22T10:00:00Z	2026-11-22T10:05:00Z	2026-11-25T10:05:00Z	SELLER	default	4						no
576000000000000001	COMPLETED	2026-11-20T15:15:00Z	2026-11-20T15:20:00Z	2026-11-27T15:20:00Z	SELLER	default	3	38.50					no" "$out"
check "stock of order 5 came back" 0 tshop-stock log MUG-1
same "cancel ledger entry" "default	+1	8	cancel:576000000000000005" \
"$(printf '%s\n' "$out" | grep cancel:576000000000000005 | cut -f3-6)"

# bad lines: FILE:LINE, nothing applied, exit 2; --rejects applies the rest, exit 1
printf 'order_id,status,created_at,sku,quantity\n' >"$tmp/bad.csv"
printf '580000000000000001,AWAITING_SHIPMENT,2026-11-20T10:00:00Z,MUG-1,1\n' >>"$tmp/bad.csv"
printf '580000000000000002,LOST,2026-11-20T10:00:00Z,MUG-1,1\n' >>"$tmp/bad.csv"
printf '580000000000000003,AWAITING_SHIPMENT,2026-13-45T10:00:00Z,MUG-1,1\n' >>"$tmp/bad.csv"
printf '580000000000000004,AWAITING_SHIPMENT,2026-11-20T10:00:00Z,MUG-1,-2\n' >>"$tmp/bad.csv"
check "bad lines: exit 2" 2 tshop-orders import "$tmp/bad.csv"
same "one message per bad line, FILE:LINE, column and value" \
"tshop-orders: $tmp/bad.csv:3: column 'status': 'LOST' is not an order status
tshop-orders: $tmp/bad.csv:4: column 'created_at': '2026-13-45T10:00:00Z' is not a time
tshop-orders: $tmp/bad.csv:5: column 'quantity': '-2' is not a whole number > 0
tshop-orders: 3 bad lines: nothing was changed" "$err"
check "the good line was not applied" 2 tshop-orders items 580000000000000001
check "--rejects" 1 tshop-orders import --rejects "$tmp/rej.csv" "$tmp/bad.csv"
grep_err "summary counts the rejects" "1 new, 0 updated, 0 unchanged, 0 ignored \(stale\), 3 rejected"
same "rejects file: header and the bad lines verbatim" \
"order_id,status,created_at,sku,quantity
580000000000000002,LOST,2026-11-20T10:00:00Z,MUG-1,1
580000000000000003,AWAITING_SHIPMENT,2026-13-45T10:00:00Z,MUG-1,1
580000000000000004,AWAITING_SHIPMENT,2026-11-20T10:00:00Z,MUG-1,-2" "$(cat "$tmp/rej.csv")"
check "the good line was applied" 0 tshop-orders items 580000000000000001
printf 'order_id,status,sku\n1,UNPAID,X\n' >"$tmp/nocreated.csv"
check "a header without a required column" 2 tshop-orders import "$tmp/nocreated.csv"
grep_err "names it" "missing column 'created_at'"

# canonical TSV without a header (positional), and -n
printf '578000000000000001\tAWAITING_SHIPMENT\t2026-11-22T10:00:00Z\t2026-11-22T10:05:00Z\t\t\t\tMUG-1\t\t\t1\t4.50\n' >"$tmp/canon.tsv"
check "dry run" 0 tshop-orders -n import "$tmp/canon.tsv"
same "says what would change" "578000000000000001	new" "$out"
check "dry run changed nothing" 2 tshop-orders items 578000000000000001
check "positional TSV" 0 tshop-orders import "$tmp/canon.tsv"
check "list it" 0 tshop-orders list -s to-ship -w default --since 2026-11-22
same "paid Sunday + 3 business days -> Wednesday; total from the lines" \
"578000000000000001	AWAITING_SHIPMENT	2026-11-22T10:00:00Z	2026-11-22T10:05:00Z	2026-11-25T10:05:00Z	SELLER	default	1	4.50					no" "$out"

# the benchmark generator's orders.csv: unknown SKUs are created
printf 'order_id,created_at,paid_at,status,shipping_type,sku_id,quantity,unit_price,shipped_at,tracking_number,carrier,delivered_at,cancelled_at,cancel_reason\n' >"$tmp/gen.csv"
printf '570000000000000001,2026-11-22T08:00:00Z,2026-11-22T08:10:00Z,AWAITING_SHIPMENT,SELLER,SKU001,2,4.99,,,,,,\n' >>"$tmp/gen.csv"
printf '570000000000000001,2026-11-22T08:00:00Z,2026-11-22T08:10:00Z,AWAITING_SHIPMENT,SELLER,SKU002,1,10.00,,,,,,\n' >>"$tmp/gen.csv"
printf '570000000000000002,2026-11-22T09:00:00Z,,CANCELLED,TIKTOK,SKU001,1,4.99,,,,,2026-11-22T09:30:00Z,Payment failed\n' >>"$tmp/gen.csv"
check "generator CSV" 0 tshop-orders import "$tmp/gen.csv"
grep_err "two orders" "2 new, 0 updated"
check "items" 0 tshop-orders items 570000000000000001 570000000000000002
same "multi-line order gathered; SKUs created" \
"570000000000000001	SKU001		2	4.99	default
570000000000000001	SKU002		1	10.00	default
570000000000000002	SKU001		1	4.99	default" "$out"
check "list total" 0 tshop-orders list -s to-ship --since 2026-11-22T08:00:00Z --until 2026-11-22T08:00:01Z
same "total = sum of the lines" "19.98" "$(printf '%s\n' "$out" | cut -f9)"
check "items from stdin" 0 sh -c "tshop-orders list -s cancelled --since 2026-11-22T09:00:00Z --until 2026-11-22T09:00:01Z | tshop-orders items -"
same "first field of each line" "570000000000000002	SKU001		1	4.99	default" "$out"

# JSON Lines of TikTok API order objects
tshop config warehouse.WH-EAST 7000714532876273888 >/dev/null
cat >"$tmp/api.jsonl" <<'EOF'
{"id":"577000000000000001","status":"AWAITING_SHIPMENT","create_time":1795431600,"paid_time":1795431900,"update_time":1795432000,"shipping_due_time":1795651199,"delivery_due_time":1796515199,"shipping_type":"SELLER","warehouse_id":"7000714532876273888","payment":{"currency":"USD","sub_total":"25.00"},"line_items":[{"id":"1","sku_id":"1729000000000000001","seller_sku":"MUG-1","product_name":"Mug","sale_price":"12.50"},{"id":"2","sku_id":"1729000000000000001","seller_sku":"MUG-1","product_name":"Mug","sale_price":"12.50"}]}
{"id":"577000000000000001","status":"UNPAID","create_time":1795431600,"update_time":1795428000,"line_items":[]}
{"id":"577000000000000001","status":"CANCEL","create_time":1795431600,"update_time":1795433400,"cancel_time":1795433400,"cancellation_initiator":"BUYER","cancel_reason":"No longer needed","line_items":[]}
EOF
check "JSON Lines" 0 tshop-orders import "$tmp/api.jsonl"
grep_err "new, a stale one, an update" "1 new, 1 updated, 0 unchanged, 1 ignored \(stale\)"
grep_err "the stale one named with its reason" "api.jsonl:2: order '577000000000000001': UNPAID cannot follow the recorded AWAITING_SHIPMENT"
check "items of the API order" 0 tshop-orders items 577000000000000001
same "one unit per line item; warehouse id mapped" "577000000000000001	MUG-1	Mug Large	2	12.50	WH-EAST" "$out"
check "list it" 0 tshop-orders list -s cancelled -w WH-EAST
same "platform due time kept" \
"577000000000000001	CANCELLED	2026-11-23T11:00:00Z	2026-11-23T11:05:00Z	2026-11-25T23:59:59Z	SELLER	WH-EAST	2	25.00					no" "$out"
check "stock log" 0 tshop-stock log MUG-1
same "taken from WH-EAST and given back" \
"WH-EAST	-2	2	order:577000000000000001
WH-EAST	+2	4	cancel:577000000000000001" "$(printf '%s\n' "$out" | grep 577000000000000001 | cut -f3-6)"

# an order recorded in another warehouse after its stock was taken: the stock moves along
tshop-stock -q set --create MOVE-1 10 east
tshop-stock -q set MOVE-1 10 west
H=order_id,status,created_at,paid_at,sku,quantity,warehouse
printf "$H\n588000000000000001,AWAITING_SHIPMENT,2026-11-20T10:00:00Z,2026-11-20T10:00:00Z,MOVE-1,4,east\n" >"$tmp/mv1.csv"
printf "$H\n588000000000000001,AWAITING_SHIPMENT,2026-11-20T10:00:00Z,2026-11-20T10:00:00Z,MOVE-1,4,west\n" >"$tmp/mv2.csv"
check "import in east" 0 tshop-orders -q import "$tmp/mv1.csv"
check "the same order now in west" 0 tshop-orders -q import "$tmp/mv2.csv"
check "stock by warehouse" 0 tshop-stock list --by-warehouse MOVE-1
same "east has its 4 back, west gave 4" "east	10
west	6" "$(printf '%s\n' "$out" | cut -f2,5)"
check "cancel it" 0 tshop-orders -q mark 588000000000000001 cancelled
check "stock by warehouse after the cancel" 0 tshop-stock list --by-warehouse MOVE-1
same "both warehouses whole again" "east	10
west	10" "$(printf '%s\n' "$out" | cut -f2,5)"

# updates without lines (API objects, as sync and webhooks bring them): the
# recorded lines still move the stock when it is taken, moved or given back
tshop config warehouse.north 7000714532876270001 >/dev/null
tshop config warehouse.south 7000714532876270002 >/dev/null
tshop-stock -q set --create NOLINE-1 10 north
tshop-stock -q set NOLINE-1 10 south
O='"id":"589000000000000001","create_time":1795431600'
L='{"id":"1","seller_sku":"NOLINE-1","sale_price":"5.00"}'
printf '{%s,"status":"UNPAID","update_time":1795431600,"warehouse_id":"7000714532876270001","line_items":[%s,%s,%s]}\n' \
    "$O" "$L" "$L" "$L" >"$tmp/nl.jsonl"
check "unpaid, three units" 0 tshop-orders -q import "$tmp/nl.jsonl"
printf '{%s,"status":"AWAITING_SHIPMENT","update_time":1795432000,"paid_time":1795432000,"warehouse_id":"7000714532876270001","line_items":[]}\n' \
    "$O" >"$tmp/nl.jsonl"
check "paid, no lines" 0 tshop-orders -q import "$tmp/nl.jsonl"
printf '{%s,"status":"AWAITING_SHIPMENT","update_time":1795433000,"warehouse_id":"7000714532876270002","line_items":[]}\n' \
    "$O" >"$tmp/nl.jsonl"
check "recorded in south, no lines" 0 tshop-orders -q import "$tmp/nl.jsonl"
printf '{%s,"status":"AWAITING_SHIPMENT","update_time":1795434000,"warehouse_id":"7000714532876270002","line_items":[],"tracking_number":"1Z999AA10123456784"}\n' \
    "$O" >"$tmp/nl.jsonl"
check "a tracking number, no lines" 0 tshop-orders -q import "$tmp/nl.jsonl"
check "cancelled, no lines" 0 tshop-orders -q mark 589000000000000001 cancelled
check "ledger of the order" 0 tshop-stock log NOLINE-1
same "taken in north, moved to south, given back in south" \
"north	-3	7	order:589000000000000001
north	+3	10	moved:589000000000000001
south	-3	7	moved:589000000000000001
south	+3	10	cancel:589000000000000001" "$(printf '%s\n' "$out" | grep 589000000000000001 | cut -f3-6)"
check "items of the order" 0 tshop-orders items 589000000000000001
same "its one line kept" "589000000000000001	NOLINE-1		3	5.00	south" "$out"

# a batch larger than a third of the table (and 10,000 records) builds the
# orders' indexes once at commit; a failed batch leaves them as they were
big="$tmp/big.db"
tshop -d "$big" init 2>/dev/null
awk 'BEGIN { print "order_id,status,created_at,paid_at,sku,quantity"
	for (i = 1; i <= 12000; i++)
		printf "59%016d,%s,2026-11-20T10:00:00Z,2026-11-20T10:00:00Z,BIG-%d,1\n", i,
		    i % 3 == 0 ? "AWAITING_SHIPMENT" : "CANCELLED", i % 7 }' >"$tmp/big.csv"
cp "$tmp/big.csv" "$tmp/bigbad.csv"
echo '590000000000099999,LOST,2026-11-20T10:00:00Z,,BIG-1,1' >>"$tmp/bigbad.csv"
indexes() { sqlite3 "$big" "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'orders'"; }
check "12,000 orders and a bad line" 2 tshop-orders -d "$big" -q import "$tmp/bigbad.csv"
same "nothing stored, the 7 indexes of orders kept" "0 7" \
    "$(sqlite3 "$big" 'SELECT count(*) FROM orders') $(indexes)"
check "12,000 orders" 0 tshop-orders -d "$big" -q import "$tmp/big.csv"
same "all stored, the 7 indexes built, the database sound" "12000 7 ok" \
    "$(sqlite3 "$big" 'SELECT count(*) FROM orders') $(indexes) $(sqlite3 "$big" 'PRAGMA integrity_check')"
check "the to-ship queue reads its index" 0 tshop-orders -d "$big" list -s to-ship
same "every third order" 4000 "$(printf '%s\n' "$out" | grep -c AWAITING_SHIPMENT)"
check "late ones, by ship_by" 0 env TSHOP_NOW=2026-12-01T00:00:00Z tshop-orders -d "$big" list --late
same "all 4000 (due 2026-11-25, a week ago)" 4000 "$(printf '%s\n' "$out" | wc -l | tr -d ' ')"
check "stock taken once per paid order" 0 tshop-stock -d "$big" list BIG-0
same "BIG-0: orders 21, 42, ... of the 4000 paid (i % 21 == 0): 571" "-571" "$(printf '%s\n' "$out" | cut -f4)"
# a record not known to be newer (no later update_time) does not replace
# what is recorded: a Seller Center export read again after tshop-ship
export TSHOP_DB="$tmp/conflict.db" TSHOP_NOW=2026-11-20T12:00:00Z
printf 'sku\nX\n' | tshop-stock -q import
printf 'order_id,status,created_at,paid_at,sku,quantity\nS6,To ship,2026-11-18T10:00:00Z,2026-11-18T10:00:00Z,X,1\n' |
    tshop-orders -q import
tshop-ship -q S6 1Z5R89390357567127 UPS >/dev/null
printf 'order_id,status,created_at,paid_at,sku,quantity,tracking,carrier\nS6,IN_TRANSIT,2026-11-18T09:00:00Z,2026-11-18T10:00:00Z,X,1,1Z879E930346834440,fedex\n' >"$tmp/again.csv"
check "an export contradicting the shipment" 0 tshop-orders import "$tmp/again.csv"
grep_err "each conflict reported" "again.csv:2: order 'S6': created_at '2026-11-18T09:00:00Z' differs from the recorded '2026-11-18T10:00:00Z'; tracking '1Z879E930346834440' differs from the recorded '1Z5R89390357567127'; carrier 'fedex' differs from the recorded 'UPS'; the recorded values are kept"
grep_err "counted unchanged" "0 new, 0 updated, 1 unchanged"
check "list" 0 tshop-orders list
same "the recorded values kept" "S6	2026-11-18T10:00:00Z	UPS	1Z5R89390357567127" "$(printf '%s\n' "$out" | cut -f1,3,10,11)"
printf 'order_id,status,created_at,sku,quantity,carrier,delivered_at\nS6,DELIVERED,2026-11-18T10:00:00Z,X,1,ups,2026-11-20T11:00:00Z\n' >"$tmp/same.csv"
check "the same values (carrier in another case) and a new one" 0 tshop-orders import "$tmp/same.csv"
grep_err "counted updated" "0 new, 1 updated, 0 unchanged"
same "no conflict" "" "$(printf '%s\n' "$err" | grep differs)"
check "delivered applied" 0 tshop-orders list -s delivered
same "the empty delivered_at filled" "S6	DELIVERED	2026-11-20T11:00:00Z" "$(printf '%s\n' "$out" | cut -f1,2,13)"
printf 'order_id,status,created_at,sku,quantity,update_time,tracking\nS6,DELIVERED,2026-11-18T10:00:00Z,X,1,2026-11-20T11:30:00Z,1Z879E930346834440\n' >"$tmp/newer.csv"
check "a later update_time replaces" 0 tshop-orders import "$tmp/newer.csv"
same "no conflict" "" "$(printf '%s\n' "$err" | grep differs)"
check "list" 0 tshop-orders list
same "the newer tracking" "S6	1Z879E930346834440" "$(printf '%s\n' "$out" | cut -f1,11)"
# Seller Center's Order Substatus refines Order Status when it is later
export TSHOP_DB="$tmp/substatus.db"
printf 'sku\nA\n' | tshop-stock -q import
printf 'Order ID,Order Status,Order Substatus,Seller SKU,Quantity,Created Time,Paid Time\nX1,To ship,Awaiting collection,A,1,11/19/2026 10:00:00 AM,11/19/2026 10:00:00 AM\nX2,Shipped,Delivered,A,1,11/19/2026 10:00:00 AM,11/19/2026 10:00:00 AM\nX3,To ship,Awaiting shipment,A,1,11/19/2026 10:00:00 AM,11/19/2026 10:00:00 AM\nX4,Completed,Delivered,A,1,11/19/2026 10:00:00 AM,11/19/2026 10:00:00 AM\nX5,To ship,Some new word,A,1,11/19/2026 10:00:00 AM,11/19/2026 10:00:00 AM\n' >"$tmp/sub.csv"
check "an export with Order Substatus" 0 tshop-orders import "$tmp/sub.csv"
check "list" 0 tshop-orders list
same "the finer state where it is later" "X1	AWAITING_COLLECTION
X2	DELIVERED
X3	AWAITING_SHIPMENT
X4	COMPLETED
X5	AWAITING_SHIPMENT" "$(printf '%s\n' "$out" | cut -f1,2 | sort)"
# an import keeps its stock moves and applies them together, in catalog
# order; quantities and the ledger are those of one move after the other
mv="$tmp/moves.db"
tshop -d "$mv" init 2>/dev/null
printf 'sku,warehouse,quantity\nZZ,default,10\nAA,default,5\nAA,WH2,1\n' | tshop-stock -d "$mv" -q import
printf 'order_id,status,created_at,paid_at,sku,quantity,warehouse\n' >"$tmp/moves.csv"
printf 'M1,AWAITING_SHIPMENT,2026-11-18T10:00:00Z,2026-11-18T10:00:00Z,ZZ,2,\n' >>"$tmp/moves.csv"
printf 'M1,AWAITING_SHIPMENT,2026-11-18T10:00:00Z,2026-11-18T10:00:00Z,AA,1,\n' >>"$tmp/moves.csv"
printf 'M2,AWAITING_SHIPMENT,2026-11-18T11:00:00Z,2026-11-18T11:00:00Z,AA,3,WH2\n' >>"$tmp/moves.csv"
printf 'M1,CANCELLED,2026-11-18T10:00:00Z,2026-11-18T10:00:00Z,ZZ,2,\n' >>"$tmp/moves.csv"
printf 'M1,CANCELLED,2026-11-18T10:00:00Z,2026-11-18T10:00:00Z,AA,1,\n' >>"$tmp/moves.csv"
printf 'M3,AWAITING_SHIPMENT,2026-11-18T12:00:00Z,2026-11-18T12:00:00Z,AA,6,\n' >>"$tmp/moves.csv"
check "orders that take stock, one cancelled, in one import" 0 tshop-orders -d "$mv" import "$tmp/moves.csv"
check "log" 0 tshop-stock -d "$mv" log
same "the ledger in the order of the moves, each quantity after the one before" \
"ZZ	default	-2	8	order:M1
AA	default	-1	4	order:M1
AA	WH2	-3	-2	order:M2
ZZ	default	+2	10	cancel:M1
AA	default	+1	5	cancel:M1
AA	default	-6	-1	order:M3" "$(printf '%s\n' "$out" | grep ':M' | cut -f2-6)"
check "list --by-warehouse" 0 tshop-stock -d "$mv" list --by-warehouse
same "oversold where the orders took more than there was" "AA	WH2	-2
AA	default	-1
ZZ	default	10" "$(printf '%s\n' "$out" | cut -f1,2,5)"
# more moves than are kept at once (50,000): the later ones start from the earlier
awk 'BEGIN { print "order_id,status,created_at,paid_at,sku,quantity"
	for (i = 1; i <= 60000; i++) printf "B%d,AWAITING_SHIPMENT,2026-11-18T10:00:00Z,2026-11-18T10:00:00Z,%s,1\n", i, (i % 3 ? "ZZ" : "AA") }' >"$tmp/many.csv"
check "60,000 orders on two SKUs" 0 tshop-orders -d "$mv" -q import "$tmp/many.csv"
same "each took its unit; the last ledger entries carry the running quantity" "AA|default|-20001
ZZ|default|-39990
-20001|-39990" "$(sqlite3 "$mv" "SELECT s.sku, t.warehouse, t.quantity FROM stock t JOIN sku s ON s.id = t.sku WHERE t.warehouse = 'default' ORDER BY 1;
SELECT (SELECT quantity FROM ledger WHERE source = 'order:B60000'), (SELECT quantity FROM ledger WHERE source = 'order:B59999')")"
# a bulk import takes an order_id outside the ids recorded when it began
# and outside those it added as new without a lookup; inside, it looks
rg="$tmp/range.db"
tshop -d "$rg" init 2>/dev/null
printf 'sku,warehouse,quantity\nR,default,100\n' | tshop-stock -d "$rg" -q import
printf 'order_id,status,created_at,paid_at,sku,quantity\n' >"$tmp/r1.csv"
for id in R20 R40; do printf '%s,AWAITING_SHIPMENT,2026-11-18T10:00:00Z,2026-11-18T10:00:00Z,R,1\n' $id >>"$tmp/r1.csv"; done
check "two orders" 0 tshop-orders -d "$rg" import "$tmp/r1.csv"
printf 'order_id,status,created_at,paid_at,sku,quantity\n' >"$tmp/r2.csv"
for x in R90:AWAITING_SHIPMENT R80:AWAITING_SHIPMENT R30:AWAITING_SHIPMENT R40:CANCELLED \
    R80:CANCELLED R10:AWAITING_SHIPMENT; do
	printf '%s,%s,2026-11-18T10:00:00Z,2026-11-18T10:00:00Z,R,1\n' "${x%%:*}" "${x#*:}" >>"$tmp/r2.csv"
done
check "new ids above, inside and below the recorded ones; updates of a recorded and an added one" 0 \
    tshop-orders -d "$rg" import "$tmp/r2.csv"
grep_err "four new, two updated" "4 new, 2 updated, 0 unchanged, 0 ignored \(stale\), 0 rejected"
check "list" 0 tshop-orders -d "$rg" list
same "six orders, two cancelled" "R10	AWAITING_SHIPMENT
R20	AWAITING_SHIPMENT
R30	AWAITING_SHIPMENT
R40	CANCELLED
R80	CANCELLED
R90	AWAITING_SHIPMENT" "$(printf '%s\n' "$out" | cut -f1,2 | sort)"
check "stock list" 0 tshop-stock -d "$rg" list --by-warehouse
same "100 less the four open orders" "96" "$(printf '%s\n' "$out" | cut -f5)"
finish
