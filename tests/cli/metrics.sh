#!/bin/sh
# tshop-metrics: a shop in America/Los_Angeles whose numerators and
# denominators were counted by hand, window edges at local midnight (not
# UTC midnight), the DST day, exact target decisions, --check, --by, n/a.
. "$(dirname "$0")/lib.sh"
export TSHOP_NOW=2026-11-21T20:00:00Z	# Saturday 2026-11-21 12:00 PST

check "no database: exit 3" 3 tshop-metrics
grep_err "says so" "no database at"
check "init" 0 tshop init
check "shop time zone" 0 tshop config tz America/Los_Angeles

# The default window is the 7 days before 2026-11-21 here (--window 7):
# [2026-11-14T08:00:00Z, 2026-11-21T08:00:00Z).  T0/P0: created and paid
# before the window; SB: a ship_by after it; DB: a far deliver_by.
T0=2026-11-10T18:00:00Z P0=2026-11-10T18:05:00Z SB=2026-11-25T20:00:00Z DB=2026-12-01T00:00:00Z
cat >"$tmp/orders.csv" <<CSV
order_id,status,created_at,paid_at,shipping_type,sku,quantity,unit_price,ship_by,deliver_by,tracking,carrier,shipped_at,first_scan_at,delivered_at,cancelled_at,cancel_by
L1,IN_TRANSIT,$T0,$P0,SELLER,A,1,10.00,2026-11-15T20:00:00Z,$DB,1Z5R89390357567127,UPS,2026-11-15T19:00:00Z,2026-11-16T10:00:00Z,,,
L2,IN_TRANSIT,$T0,$P0,SELLER,A,1,10.00,2026-11-16T20:00:00Z,$DB,1Z879E930346834440,UPS,2026-11-17T01:00:00Z,2026-11-18T02:00:00Z,,,
L3,AWAITING_SHIPMENT,$T0,$P0,SELLER,A,1,10.00,2026-11-18T20:00:00Z,$DB,,,,,,,
L4,CANCELLED,$T0,$P0,SELLER,A,1,10.00,2026-11-19T20:00:00Z,$DB,,,,,,2026-11-19T10:00:00Z,buyer
L5,CANCELLED,$T0,$P0,SELLER,A,1,10.00,2026-11-17T20:00:00Z,$DB,,,,,,2026-11-18T10:00:00Z,system
L6,IN_TRANSIT,$T0,$P0,TIKTOK,A,1,10.00,2026-11-16T20:00:00Z,$DB,1Z5R89390357567127,UPS,2026-11-17T05:00:00Z,,,,
L7,AWAITING_SHIPMENT,$T0,$P0,SELLER,A,1,10.00,2026-11-21T08:00:00Z,$DB,,,,,,,
L8,IN_TRANSIT,$T0,$P0,SELLER,A,1,10.00,2026-11-14T08:00:00Z,$DB,9400111206206406260787,USPS,2026-11-14T07:00:00Z,,,,
L9,AWAITING_SHIPMENT,$T0,$P0,SELLER,A,1,10.00,2026-11-14T07:59:59Z,$DB,,,,,,,
L10,AWAITING_SHIPMENT,$T0,$P0,SELLER,A,1,10.00,2026-11-22T20:00:00Z,$DB,,,,,,,
T1,DELIVERED,$T0,$P0,SELLER,A,1,10.00,$SB,2026-11-20T08:00:00Z,1Z5R89390357567128,UPS,2026-11-16T18:00:00Z,,2026-11-19T20:00:00Z,,
T2,IN_TRANSIT,$T0,$P0,SELLER,A,1,10.00,$SB,$DB,9400111206206406260787,USPS,2026-11-18T18:00:00Z,,,,
T3,IN_TRANSIT,$T0,$P0,SELLER,A,1,10.00,$SB,$DB,986578788855,UPS,2026-11-19T18:00:00Z,,,,
T4,IN_TRANSIT,$T0,$P0,SELLER,A,1,10.00,$SB,$DB,1Z879E930346834440,United Parcel Service,2026-11-20T18:00:00Z,2026-11-21T18:00:00Z,,,
T5,IN_TRANSIT,$T0,$P0,SELLER,A,1,10.00,$SB,$DB,986578788855,FedEx,2026-11-21T08:00:00Z,,,,
D1,DELIVERED,$T0,$P0,SELLER,A,1,10.00,$SB,2026-11-20T19:00:00Z,,,2026-11-12T18:00:00Z,,2026-11-20T20:00:00Z,,
D2,COMPLETED,$T0,$P0,SELLER,A,1,10.00,$SB,2026-11-14T08:00:00Z,,,2026-11-10T19:00:00Z,,2026-11-14T08:00:00Z,,
D3,DELIVERED,$T0,$P0,SELLER,A,1,10.00,$SB,2026-11-21T00:00:00Z,,,2026-11-13T18:00:00Z,,2026-11-21T07:59:59Z,,
D4,DELIVERED,$T0,$P0,TIKTOK,A,1,10.00,$SB,$DB,,,2026-11-12T18:00:00Z,,2026-11-18T18:00:00Z,,
D5,DELIVERED,$T0,$P0,SELLER,A,1,10.00,$SB,$DB,,,2026-11-11T18:00:00Z,,2026-11-14T07:59:59Z,,
C1,AWAITING_SHIPMENT,2026-11-20T10:00:00Z,2026-11-20T10:05:00Z,SELLER,A,1,10.00,$SB,$DB,,,,,,,
C2,CANCELLED,2026-11-15T10:00:00Z,2026-11-15T10:05:00Z,SELLER,A,1,10.00,$SB,$DB,,,,,,2026-11-15T12:00:00Z,seller
C3,CANCELLED,2026-11-16T10:00:00Z,2026-11-16T10:05:00Z,SELLER,A,1,10.00,$SB,$DB,,,,,,2026-11-16T12:00:00Z,buyer
C4,CANCELLED,2026-11-17T10:00:00Z,2026-11-17T10:05:00Z,TIKTOK,A,1,10.00,$SB,$DB,,,,,,2026-11-17T12:00:00Z,system
C5,CANCELLED,2026-11-18T10:00:00Z,,SELLER,A,1,10.00,$SB,$DB,,,,,,2026-11-18T12:00:00Z,system
C6,UNPAID,2026-11-19T10:00:00Z,,SELLER,A,1,10.00,$SB,$DB,,,,,,,
C7,CANCELLED,2026-11-14T07:59:59Z,2026-11-14T07:59:59Z,SELLER,A,1,10.00,$SB,$DB,,,,,,2026-11-14T09:00:00Z,seller
C8,AWAITING_SHIPMENT,2026-11-21T07:59:59Z,2026-11-21T07:59:59Z,SELLER,A,1,10.00,$SB,$DB,,,,,,,
C9,CANCELLED,2026-11-02T07:30:00Z,2026-11-02T07:31:00Z,SELLER,A,1,10.00,$SB,$DB,,,,,,2026-11-02T07:40:00Z,seller
C10,AWAITING_SHIPMENT,2026-11-01T06:30:00Z,2026-11-01T06:31:00Z,SELLER,A,1,10.00,$SB,$DB,,,,,,,
CSV
check "import the orders" 0 tshop-orders import "$tmp/orders.csv"

# late_dispatch_rate: ship_by in the window: L1 L2 L3 L5 L8 (L4 cancelled
#   before ship_by, L6 platform, L7 at the window's end, L9 at 23:59:59 local
#   the day before); late: L2 (shipped after), L3 (unshipped, past due), L5
#   (cancelled after ship_by, never shipped).
# valid_tracking_rate: shipped in the window: L1 L2 T1 T2 T3 T4 (L8 shipped
#   23:00 local the day before, T5 at the end); good: L1, T2 (USPS), T4 (an
#   alias, first scan exactly 24 h later); bad: L2 (first scan after 25 h),
#   T1 (check digit), T3 (a FedEx number with carrier UPS).
# on_time_delivery_rate: delivered in the window: T1 D1 D2 D3 (D4 platform,
#   D5 the day before); on time: T1, D2 (exactly at deliver_by).
# cancellation_rate: paid and created in the window: C1 C2 C3 C4 C8 (C5 and
#   C6 never paid, C7 the day before); by seller or system: C2, C4 (platform-
#   shipped, counted here).
summary="late_dispatch_rate	60.00	3	5	<=4.00	breach
valid_tracking_rate	50.00	3	6	>=95.00	breach
on_time_delivery_rate	50.00	2	4	>=80.00	breach
cancellation_rate	40.00	2	5	<=2.50	breach"
check "metrics, no return recorded yet" 0 tshop-metrics --window 7
same "four rates; defects and resolution n/a without returns" "$summary
order_defect_rate			4	<=1.50	n/a
return_resolution_hours		0.0	0	<=48.0	n/a" "$out"
check "--date given explicitly is the same" 0 tshop-metrics --window 7 --date 2026-11-21
same "same lines" "$summary
order_defect_rate			4	<=1.50	n/a
return_resolution_hours		0.0	0	<=48.0	n/a" "$out"
check "-H" 0 tshop-metrics -H --window 7
same "header" "metric	value	numerator	denominator	target	status" "$(printf '%s\n' "$out" | head -1)"

cat >"$tmp/returns.csv" <<'CSV'
Return Order ID,Order ID,Return Type,Return Reason,Return Status,Time Requested,Refund Time,Refund Amount
R1,D1,Return and refund,Damaged,AWAITING_BUYER_SHIP,2026-11-20T21:00:00Z,,10.00
R2,D5,Refund only,Late,RETURN_OR_REFUND_REQUEST_COMPLETE,2026-11-10T10:00:00Z,2026-11-14T07:00:00Z,10.00
R3,D4,RETURN_AND_REFUND,Wrong item,RETURN_OR_REFUND_REQUEST_PENDING,2026-11-18T10:00:00Z,,
R4,L1,REFUND,Changed mind,RETURN_OR_REFUND_REQUEST_COMPLETE,2026-11-15T10:00:00Z,2026-11-16T12:30:00Z,5.00
R5,C3,REFUND,Cancelled,RETURN_OR_REFUND_REQUEST_COMPLETE,2026-11-17T00:00:00Z,2026-11-19T12:00:00Z,10.00
CSV
check "import returns" 0 tshop-returns import "$tmp/returns.csv"
# order_defect_rate: of T1 D1 D2 D3, D1 has a return (R2's D5 is outside,
#   R3's D4 platform-shipped); return_resolution_hours: refunded in the
#   window: R4 (26.5 h) and R5 (60 h; R2 refunded the day before):
#   86.5 h / 2 = 43.25, shown 43.3.
all="$summary
order_defect_rate	25.00	1	4	<=1.50	breach
return_resolution_hours	43.3	86.5	2	<=48.0	ok"
check "metrics with returns" 0 tshop-metrics --window 7
same "all six" "$all" "$out"
check "--check: targets missed" 1 tshop-metrics --window 7 --check
same "only the breached lines" "$summary
order_defect_rate	25.00	1	4	<=1.50	breach" "$out"

# targets exactly at the values: ok (equal is not a breach)
for kv in late_dispatch_rate:60 valid_tracking_rate:50 on_time_delivery_rate:50 \
    cancellation_rate:40 order_defect_rate:25 return_resolution_hours:43.3; do
	tshop config "target.${kv%%:*}" "${kv#*:}" || nok "set target $kv"
done
check "--check with every target met at the edge: exit 0" 0 tshop-metrics --window 7 --check
same "nothing printed" "" "$out"
check "targets as set" 0 tshop-metrics --window 7
same "target column" "<=60.00 >=50.00 >=50.00 <=40.00 <=25.00 <=43.3" \
    "$(printf '%s\n' "$out" | cut -f5 | tr '\n' ' ' | sed 's/ $//')"
# an hours target has at most the 1 decimal its column shows
check "target.return_resolution_hours 43.25 refused" 2 tshop config target.return_resolution_hours 43.25
# 43.25 h against 43.2: printed 43.3 vs <=43.2, decided on 43.25 > 43.2
check "target.return_resolution_hours 43.2" 0 tshop config target.return_resolution_hours 43.2
check "--check: the exact value misses it" 1 tshop-metrics --window 7 --check
same "one breach" "return_resolution_hours	43.3	86.5	2	<=43.2	breach" "$out"
check "target.valid_tracking_rate 50.01" 0 tshop config target.valid_tracking_rate 50.01
check "--check: minimum missed by 0.01" 1 tshop-metrics --window 7 --check
same "two breaches" "valid_tracking_rate	50.00	3	6	>=50.01	breach
return_resolution_hours	43.3	86.5	2	<=43.2	breach" "$out"

# --by day over the two local days 2026-11-19 and 2026-11-20
check "--by day" 0 tshop-metrics --by day --window 2
same "per local day" "2026-11-19	late_dispatch_rate		0	0
2026-11-19	valid_tracking_rate	0.00	0	1
2026-11-19	on_time_delivery_rate	100.00	1	1
2026-11-19	cancellation_rate		0	0
2026-11-19	order_defect_rate	0.00	0	1
2026-11-19	return_resolution_hours	60.0	60.0	1
2026-11-20	late_dispatch_rate		0	0
2026-11-20	valid_tracking_rate	100.00	1	1
2026-11-20	on_time_delivery_rate	0.00	0	2
2026-11-20	cancellation_rate	0.00	0	2
2026-11-20	order_defect_rate	50.00	1	2
2026-11-20	return_resolution_hours		0.0	0" "$out"
# --by week: Saturday 11-14 and Sunday 11-15 (L1, L8 on time) are the week
# of Monday 11-09; Monday 11-16 to Friday 11-20 (L2, L3, L5 late) the next
check "--by week" 0 tshop-metrics --by week --window 7 -H
same "weeks from Monday, cut to the window" "period	metric	value	numerator	denominator
2026-11-09	late_dispatch_rate	0.00	0	2
2026-11-16	late_dispatch_rate	100.00	3	3" "$(printf '%s\n' "$out" | grep -E '^period|late_dispatch')"

# still unshipped "as of now": L7 (due 00:00 local today) is late, L10 (due
# tomorrow) is not yet
check "a window ending in the future" 0 tshop-metrics --date 2026-11-23 --window 2
same "L7 late, L10 not yet" "late_dispatch_rate	50.00	1	2	<=60.00	ok" \
    "$(printf '%s\n' "$out" | head -1)"
# the day daylight saving ends has 25 hours: C9 (23:30 PST) is in it, C10
# (23:30 PDT the day before) is not
check "the DST day" 0 tshop-metrics --date 2026-11-02 --window 1
same "cancellation on 2026-11-01" "cancellation_rate	100.00	1	1	<=40.00	breach" \
    "$(printf '%s\n' "$out" | grep cancellation)"

# a refund now lands in today's resolution time: 23 h for R1
check "refund R1 now" 0 tshop-returns refund R1
check "tomorrow's metrics" 0 tshop-metrics --date 2026-11-22 --window 1
same "resolution 23 h" "return_resolution_hours	23.0	23.0	1	<=43.2	ok" \
    "$(printf '%s\n' "$out" | grep return_resolution)"

check "JSON" 0 tshop-metrics -o json --window 7
same "numbers as numbers, n/a as null" '{"metric":"late_dispatch_rate","value":60.00,"numerator":3,"denominator":5,"target":"<=60.00","status":"ok"}' \
    "$(printf '%s\n' "$out" | head -1)"
check "a window without orders" 0 tshop-metrics --date 2020-01-01
same "everything n/a" "n/a n/a n/a n/a n/a n/a" "$(printf '%s\n' "$out" | cut -f6 | tr '\n' ' ' | sed 's/ $//')"

# the chart: scripts/plot-metrics draws the daily series (when gnuplot is here)
if command -v gnuplot >/dev/null 2>&1; then
	tshop-metrics --by day --window 7 >"$tmp/series.tsv"
	check "plot-metrics" 0 sh "$top/scripts/plot-metrics" "$tmp/chart.png" "$tmp/series.tsv"
	same "a PNG" "PNG" "$(head -c 4 "$tmp/chart.png" | tail -c 3)"
	check "plot-metrics without input lines" 2 sh "$top/scripts/plot-metrics" "$tmp/none.png" /dev/null
fi

# A second shop (UTC) for the rules at their edges; window --date
# 2026-11-21 --window 7: [2026-11-14T00:00:00Z, 2026-11-21T00:00:00Z).
export TSHOP_DB="$tmp/edges.db"
check "init the second shop" 0 tshop init
O=2026-11-10T10:00:00Z LATER=2026-11-25T12:00:00Z
cat >"$tmp/edges.csv" <<CSV
order_id,status,created_at,paid_at,shipping_type,sku,quantity,unit_price,ship_by,tracking,carrier,shipped_at,delivered_at,cancelled_at,cancel_by
E1,CANCELLED,$O,$O,SELLER,A,1,10.00,2026-11-17T12:00:00Z,,,,,2026-11-17T12:00:00Z,buyer
E2,CANCELLED,$O,$O,SELLER,A,1,10.00,2026-11-17T12:00:00Z,,,,,2026-11-17T11:59:59Z,buyer
E3,CANCELLED,$O,$O,SELLER,A,1,10.00,2026-11-18T12:00:00Z,,,,,,buyer
E4,IN_TRANSIT,$O,$O,SELLER,A,1,10.00,2026-11-18T12:00:00Z,1Z5R89390357567127,UPS,2026-11-18T10:00:00Z,,,
S1,DELIVERED,$O,$O,SELLER,A,1,10.00,2026-11-11T10:00:00Z,1Z5R89390357567127,UPS,2026-11-11T09:00:00Z,2026-11-12T10:00:00Z,,
P1,DELIVERED,$O,$O,TIKTOK,A,1,10.00,2026-11-11T10:00:00Z,1Z879E930346834440,UPS,2026-11-11T09:00:00Z,2026-11-12T10:00:00Z,,
K1,AWAITING_SHIPMENT,2026-11-15T10:00:00Z,,SELLER,A,1,10.00,$LATER,,,,,,
K2,CANCELLED,2026-11-16T10:00:00Z,,SELLER,A,1,10.00,$LATER,,,,,2026-11-16T11:00:00Z,seller
K3,AWAITING_SHIPMENT,2026-11-16T10:00:00Z,2026-11-16T10:05:00Z,SELLER,A,1,10.00,$LATER,,,,,,
CSV
check "import the edge orders" 0 tshop-orders import "$tmp/edges.csv"
check "K1, paid (to ship), is cancelled by the seller" 0 \
    tshop-orders mark K1 cancelled 2026-11-15T12:00:00Z 'seller:out of stock'
cat >"$tmp/edges-returns.csv" <<'CSV'
return_id,order_id,type,requested_at,refunded_at
RS,S1,REFUND,2026-11-15T00:00:00Z,2026-11-16T00:00:00Z
RT,P1,REFUND,2026-11-15T00:00:00Z,2026-11-18T00:00:00Z
RU,X9,REFUND,2026-11-15T00:00:00Z,2026-11-20T00:00:00Z
CSV
check "import the edge returns" 0 tshop-returns import "$tmp/edges-returns.csv"
check "metrics at the edges" 0 tshop-metrics --date 2026-11-21 --window 7
# late_dispatch_rate: E1 cancelled exactly at ship_by is not "cancelled
#   before ship_by": counted, and late (never shipped); E2 cancelled a second
#   before: left out; E3 cancelled at an unknown time: left out; E4 on time.
same "cancelled exactly at ship_by counts" "late_dispatch_rate	50.00	1	2	<=4.00	breach" \
    "$(printf '%s\n' "$out" | grep late_dispatch)"
# cancellation_rate: K1 was paid (to ship) though no paid_at was recorded,
#   then cancelled by the seller; K2 was never paid; K3 paid.
same "an order cancelled after it reached a paid status is a paid order" \
    "cancellation_rate	50.00	1	2	<=2.50	breach" "$(printf '%s\n' "$out" | grep cancellation)"
# return_resolution_hours: RS (S1, seller-shipped) 24 h; RT's order is
#   platform-shipped and RU's is not recorded: left out.
same "only returns of seller-shipped orders" "return_resolution_hours	24.0	24.0	1	<=48.0	ok" \
    "$(printf '%s\n' "$out" | grep return_resolution)"

check "--window 0 is a usage error" 2 tshop-metrics --window 0
check "--by month is a usage error" 2 tshop-metrics --by month
check "--by with --check is a usage error" 2 tshop-metrics --by day --check
check "a bad date" 2 tshop-metrics --date 2026-02-30
check "an operand" 2 tshop-metrics today
# a rate target may be written with a percent sign; hours may not
check "target with %" 0 tshop config target.late_dispatch_rate 3.5%
check "hours with % refused" 2 tshop config target.return_resolution_hours 48%
check "metrics read it" 0 tshop-metrics
same "the target shows as <=3.50" "<=3.50" "$(printf '%s\n' "$out" | awk -F'\t' '$1 == "late_dispatch_rate" { print $5 }')"
finish
