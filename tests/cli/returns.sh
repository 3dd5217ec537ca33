#!/bin/sh
# tshop-returns: import of exports and API objects (idempotent, conflicts
# reported and not applied, stale updates ignored), list and its filters,
# receive with the 30 % weight check at its edges, refund and its defaults.
. "$(dirname "$0")/lib.sh"
export TSHOP_NOW=2026-11-21T20:00:00Z

check "list without a database: exit 3" 3 tshop-returns list
cat >"$tmp/orders.csv" <<'CSV'
order_id,status,created_at,paid_at,sku,quantity,unit_price
O1,DELIVERED,2026-11-01T10:00:00Z,2026-11-01T10:00:00Z,A,2,12.50
O2,DELIVERED,2026-11-02T10:00:00Z,2026-11-02T10:00:00Z,A,1,40.00
CSV
check "import orders" 0 tshop-orders import "$tmp/orders.csv"

# a Seller Center style export: its column names, words for the types
cat >"$tmp/export.csv" <<'CSV'
Return Order ID,Order ID,Return Type,Return Reason,Return Status,Time Requested,Refund Amount,Shipped Weight
R1,O1,Return and refund,Damaged,AWAITING_BUYER_SHIP,2026-11-10T10:00:00Z,$20.00,1000
R2,O1,Refund only,Late,RETURN_OR_REFUND_REQUEST_PENDING,2026-11-11T10:00:00Z,,
R3,O2,Return and refund,Wrong item,BUYER_SHIPPED_ITEM,2026-11-12T10:00:00Z,"1,000.00",0.5kg
R4,O2,Replacement,Broken,BUYER_SHIPPED_ITEM,2026-11-13T10:00:00Z,,1000g
R5,O2,RETURN_AND_REFUND,Broken,BUYER_SHIPPED_ITEM,2026-11-14T10:00:00Z,,1000
CSV
check "import an export" 0 tshop-returns import "$tmp/export.csv"
grep_err "summary" "5 new, 0 updated, 0 unchanged, 0 stale, 0 conflicts"
check "import it again" 0 tshop-returns import "$tmp/export.csv"
grep_err "nothing new" "0 new, 0 updated, 5 unchanged, 0 stale, 0 conflicts"

# JSON Lines of API return objects: refund_amount.refund_total, create_time
cat >"$tmp/api.jsonl" <<'JSON'
{"return_id":"4035","order_id":"O9","return_type":"REFUND","return_status":"RETURN_OR_REFUND_REQUEST_PENDING","return_reason":"ecom_late","return_reason_text":"Arrived too late","create_time":1763600000,"update_time":1763650000,"refund_amount":{"currency":"USD","refund_total":"12.50","refund_subtotal":"12.50"}}
{"return_id":"4035","order_id":"O9","return_type":"REFUND","return_status":"RETURN_OR_REFUND_REQUEST_COMPLETE","create_time":1763600000,"update_time":1763700000,"refund_amount":{"currency":"USD","refund_total":"12.50"}}
{"return_id":"4035","order_id":"O9","return_type":"REFUND","return_status":"RETURN_OR_REFUND_REQUEST_PENDING","create_time":1763600000,"update_time":1763650000}
JSON
check "import API objects" 0 tshop-returns import "$tmp/api.jsonl"
grep_err "new, updated, stale" "1 new, 1 updated, 0 unchanged, 1 stale, 0 conflicts"
check "list" 0 tshop-returns list -H
same "by requested_at; a completed API return is refunded at its update_time" \
"return_id	order_id	type	status	requested_at	refunded_at	refund_amount	review
4035	O9	REFUND	RETURN_OR_REFUND_REQUEST_COMPLETE	2025-11-20T00:53:20Z	2025-11-21T04:40:00Z	12.50	
R1	O1	RETURN_AND_REFUND	AWAITING_BUYER_SHIP	2026-11-10T10:00:00Z		20.00	
R2	O1	REFUND	RETURN_OR_REFUND_REQUEST_PENDING	2026-11-11T10:00:00Z			
R3	O2	RETURN_AND_REFUND	BUYER_SHIPPED_ITEM	2026-11-12T10:00:00Z		1000.00	
R4	O2	REPLACEMENT	BUYER_SHIPPED_ITEM	2026-11-13T10:00:00Z			
R5	O2	RETURN_AND_REFUND	BUYER_SHIPPED_ITEM	2026-11-14T10:00:00Z			" "$out"

# a conflicting value is reported and not applied; the status moves on
printf 'return_id,order_id,refund_amount,status\nR1,O1,25.00,RETURN_OR_REFUND_REQUEST_SUCCESS\n' >"$tmp/conflict.csv"
check "a conflicting refund amount" 0 tshop-returns import "$tmp/conflict.csv"
grep_err "reported with its line" "conflict.csv:2: return 'R1': refund_amount '25.00' differs from the recorded '20.00'; kept the recorded value"
check "list -s" 0 tshop-returns list -s return_or_refund_request_success
same "status applied, amount kept" "R1	O1	RETURN_AND_REFUND	RETURN_OR_REFUND_REQUEST_SUCCESS	2026-11-10T10:00:00Z		20.00	" "$out"
printf 'return_id,order_id\nR1,O2\n' >"$tmp/other.csv"
check "another order for a known return is a bad line" 2 tshop-returns import "$tmp/other.csv"
grep_err "names both" "other.csv:2: return 'R1' belongs to order 'O1', not 'O2'"

printf 'return_id,order_id,type,requested_at\nR6,O1,EXCHANGE,2026-11-15T10:00:00Z\nR7,O1,REFUND,\nR8,O1,REFUND,2026-11-15T10:00:00Z\n' >"$tmp/bad.csv"
check "bad lines: nothing applied" 2 tshop-returns import "$tmp/bad.csv"
grep_err "an unknown type" "bad.csv:2: column 'type': 'EXCHANGE' is not REFUND, RETURN_AND_REFUND or REPLACEMENT"
grep_err "a new return without requested_at" "bad.csv:3: new return 'R7' has no requested_at"
check "R8 was not applied" 0 tshop-returns list -s open
same "open returns (R1 approved, not refunded)" "R1 R2 R3 R4 R5" "$(printf '%s\n' "$out" | cut -f1 | tr '\n' ' ' | sed 's/ $//')"
check "--rejects applies the good line" 1 tshop-returns import --rejects "$tmp/rej.csv" "$tmp/bad.csv"
same "the bad lines, with the header" "return_id,order_id,type,requested_at
R6,O1,EXCHANGE,2026-11-15T10:00:00Z
R7,O1,REFUND," "$(cat "$tmp/rej.csv")"

# receive: shipped 1000 g; within 30 % is fine, beyond is for review
check "receive exactly 30 % more" 0 tshop-returns receive R1 1300
same "no review" "R1	1000	1300	30.00	no" "$out"
check "receive 30.1 % more" 1 tshop-returns receive R5 1301
same "review" "R5	1000	1301	30.10	yes" "$out"
check "receive 30 % less (kg)" 0 tshop-returns receive R4 0.7kg
same "no review" "R4	1000	700	-30.00	no" "$out"
check "receive 30.1 % less" 1 tshop-returns receive R3 349
same "shipped 0.5 kg" "R3	500	349	-30.20	yes" "$out"
check "the same weight again" 1 tshop-returns receive R3 349
grep_err "already recorded" "already recorded"
check "another weight" 2 tshop-returns receive R3 500
grep_err "refused" "already received with a weight of 349 g"
check "no shipped weight" 0 tshop-returns receive R2 80
same "nothing to compare" "R2		80		no" "$out"
check "unknown return" 2 tshop-returns receive R99 100
check "not a weight" 2 tshop-returns receive R1 1.5
check "list -s review" 0 tshop-returns list -s review
same "R3 and R5" "R3	O2	RETURN_AND_REFUND	BUYER_SHIPPED_ITEM	2026-11-12T10:00:00Z		1000.00	yes
R5	O2	RETURN_AND_REFUND	BUYER_SHIPPED_ITEM	2026-11-14T10:00:00Z			yes" "$out"

# refund: the requested amount, else the order's amount, else the one given
check "refund R1: the requested 20.00" 0 tshop-returns refund R1
same "refunded now" "R1	O1	RETURN_AND_REFUND	RETURN_OR_REFUND_REQUEST_COMPLETE	2026-11-10T10:00:00Z	2026-11-21T20:00:00Z	20.00	no" "$out"
check "refund R2: the order's 25.00" 0 tshop-returns refund R2
same "order amount" "25.00" "$(printf '%s\n' "$out" | cut -f7)"
check "refund R3 more than the order" 2 tshop-returns refund R3
grep_err "says why" "refund amount 1000.00 is more than the amount 40.00 of order 'O2'"
check "refund R3 an amount" 0 tshop-returns refund R3 39.99
same "given amount" "39.99" "$(printf '%s\n' "$out" | cut -f7)"
check "refund R3 again, same amount" 0 tshop-returns refund R3 39.99
grep_err "already" "already refunded"
check "refund R3 again, another amount" 2 tshop-returns refund R3 10
check "refund -n changes nothing" 0 tshop-returns -n refund R5 1.00
check "R5 still open" 0 tshop-returns list -s open
same "R4 R5 and R8 from the rejects run" "R4 R5 R8" "$(printf '%s\n' "$out" | cut -f1 | tr '\n' ' ' | sed 's/ $//')"
check "unknown return" 2 tshop-returns refund R99
check "not an amount" 2 tshop-returns refund R5 abc
check "list -s refunded" 0 tshop-returns list -s refunded -o json
same "JSON, money as strings" '{"return_id":"4035","order_id":"O9","type":"REFUND","status":"RETURN_OR_REFUND_REQUEST_COMPLETE","requested_at":"2025-11-20T00:53:20Z","refunded_at":"2025-11-21T04:40:00Z","refund_amount":"12.50","review":null}' \
    "$(printf '%s\n' "$out" | head -1)"
same "four refunded" 4 "$(printf '%s\n' "$out" | wc -l | tr -d ' ')"
check "a re-import keeps the local refund and weights" 0 tshop-returns import "$tmp/export.csv"
grep_err "and does not reopen R1" "return 'R1': status 'AWAITING_BUYER_SHIP' differs from the recorded 'RETURN_OR_REFUND_REQUEST_COMPLETE'"
check "list R1" 0 tshop-returns list -s refunded
same "R1 unchanged" "R1	O1	RETURN_AND_REFUND	RETURN_OR_REFUND_REQUEST_COMPLETE	2026-11-10T10:00:00Z	2026-11-21T20:00:00Z	20.00	no" \
    "$(printf '%s\n' "$out" | grep '^R1')"
check "-s for another verb" 2 tshop-returns -s open refund R5
check "unknown verb" 2 tshop-returns frob
finish
