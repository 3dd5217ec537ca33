#!/bin/sh
# tshop-ship: refusals, idempotency, --replace, --combine, 3PL and Seller
# Center files, atomic batches, --rejects, export, check and carriers.
# Tracking numbers are the tracking data's test numbers and numbers whose
# check digits were computed by hand from the carriers' published rules:
#   UPS   1ZA1B2C3030000001x (mod 10 over the 15 characters after 1Z)
#   USPS  94001112062064000000xx (mod 10, weights 3,1 from the right)
#   FedEx 7700000000xx (weights 3,1,7 ..., mod 11, mod 10)
. "$(dirname "$0")/lib.sh"
export TSHOP_NOW=2026-11-21T09:30:00Z

# state of the orders: order_id status carrier tracking shipped_at
state() { tshop-orders list | cut -f1,2,10,11,12 | sort; }

check "tshop init" 0 tshop init
cat >"$tmp/orders.csv" <<'EOF'
order_id,status,created_at,paid_at,shipping_type,sku,quantity,unit_price,ship_by
A001,AWAITING_SHIPMENT,2026-11-18T10:00:00Z,2026-11-18T10:05:00Z,SELLER,MUG-1,1,12.00,2026-11-23T10:05:00Z
A002,AWAITING_SHIPMENT,2026-11-15T10:00:00Z,2026-11-15T10:05:00Z,SELLER,MUG-1,2,12.00,2026-11-20T10:05:00Z
A003,AWAITING_SHIPMENT,2026-11-19T10:00:00Z,2026-11-19T10:05:00Z,SELLER,MUG-1,1,12.00,2026-11-24T10:05:00Z
A004,AWAITING_SHIPMENT,2026-11-19T10:00:00Z,2026-11-19T10:05:00Z,SELLER,MUG-1,1,12.00,2026-11-24T10:05:00Z
A005,AWAITING_SHIPMENT,2026-11-19T10:00:00Z,2026-11-19T10:05:00Z,SELLER,MUG-1,1,12.00,2026-11-24T10:05:00Z
A006,AWAITING_SHIPMENT,2026-11-19T10:00:00Z,2026-11-19T10:05:00Z,SELLER,MUG-1,1,12.00,2026-11-24T10:05:00Z
A007,AWAITING_SHIPMENT,2026-11-19T10:00:00Z,2026-11-19T10:05:00Z,SELLER,MUG-1,1,12.00,2026-11-24T10:05:00Z
A008,AWAITING_SHIPMENT,2026-11-19T10:00:00Z,2026-11-19T10:05:00Z,SELLER,MUG-1,1,12.00,2026-11-24T10:05:00Z
A009,AWAITING_SHIPMENT,2026-11-19T10:00:00Z,2026-11-19T10:05:00Z,SELLER,MUG-1,1,12.00,2026-11-24T10:05:00Z
A010,AWAITING_SHIPMENT,2026-11-19T10:00:00Z,2026-11-19T10:05:00Z,SELLER,MUG-1,1,12.00,2026-11-24T10:05:00Z
U001,UNPAID,2026-11-20T10:00:00Z,,SELLER,MUG-1,1,12.00,
H001,ON_HOLD,2026-11-20T10:00:00Z,2026-11-20T10:05:00Z,SELLER,MUG-1,1,12.00,2026-11-25T10:05:00Z
C001,CANCELLED,2026-11-18T10:00:00Z,2026-11-18T10:05:00Z,SELLER,MUG-1,1,12.00,2026-11-23T10:05:00Z
T001,AWAITING_SHIPMENT,2026-11-18T10:00:00Z,2026-11-18T10:05:00Z,TIKTOK,MUG-1,1,12.00,2026-11-23T10:05:00Z
EOF
check "import test orders with tshop-orders" 0 tshop-orders import "$tmp/orders.csv"
before=$(state)

# refusals, one order from the command line
check "unknown order" 2 tshop-ship X999 1ZA1B2C30300000012 UPS
grep_err "says so" "^tshop-ship: order 'X999' is not known$"
check "UNPAID order" 2 tshop-ship U001 1ZA1B2C30300000012 UPS
grep_err "not ready to ship" "order 'U001' is UNPAID: not ready to ship"
check "ON_HOLD order" 2 tshop-ship H001 1ZA1B2C30300000012 UPS
grep_err "not ready to ship" "order 'H001' is ON_HOLD: not ready to ship"
check "CANCELLED order" 2 tshop-ship C001 1ZA1B2C30300000012 UPS
grep_err "do not ship" "order 'C001' is cancelled: do not ship"
check "shipping_type TIKTOK" 2 tshop-ship T001 1ZA1B2C30300000012 UPS
grep_err "the platform ships it" "order 'T001' is shipped by TikTok \(shipping_type TIKTOK\)"
check "misspelt carrier" 2 tshop-ship A001 1ZA1B2C30300000012 UPSS
grep_err "suggests the closest name" "carrier 'UPSS' is not known \(did you mean 'UPS'\?\)"
check "unknown carrier, nothing close" 2 tshop-ship A001 1ZA1B2C30300000012 'Pony Express'
grep_err "points to the list" "carrier 'Pony Express' is not known \(see 'tshop-ship carriers'\)"
check "a USPS number as UPS" 2 tshop-ship A001 9400111206206400000013 UPS
grep_err "does not match any UPS format" "tracking number '9400111206206400000013' does not match any UPS format"
check "UPS check digit" 2 tshop-ship A001 1ZA1B2C30300000013 UPS
grep_err "names the expected digit" "tracking number '1ZA1B2C30300000013' fails the UPS check digit \(format ups\): '3' should be '2'"
check "USPS check digit" 2 tshop-ship A001 9400111206206400000014 USPS
grep_err "names the expected digit" "fails the USPS check digit \(format usps_impb_n\): '4' should be '3'"
check "FedEx check digit" 2 tshop-ship A001 770000000018 'Fedex Ground'
grep_err "names the expected digit" "fails the FedEx check digit \(format fedex_12\): '8' should be '7'"
check "a spreadsheet's float" 2 tshop-ship A001 9.40011E+21 USPS
grep_err "says what happened" "turned into a number by a spreadsheet"
check "shipped_at before the order" 2 tshop-ship A001 1ZA1B2C30300000012 UPS 2026-11-01T00:00:00Z
grep_err "says so" "shipped_at 2026-11-01T00:00:00Z is before order 'A001' was created"
check "shipped_at in the future" 2 tshop-ship A001 1ZA1B2C30300000012 UPS 2026-12-01T00:00:00Z
grep_err "says so" "shipped_at 2026-12-01T00:00:00Z is in the future"
check "shipped_at that is no time" 2 tshop-ship A001 1ZA1B2C30300000012 UPS yesterday
grep_err "names column and value" "column 'shipped_at': 'yesterday' is not a time"
same "nothing was changed by the refusals" "$before" "$(state)"

# ship, re-ship
check "-n ships nothing" 0 tshop-ship -n A001 '1za1 b2c3 0300 0000 12' ups
same "-n prints what it would do" "A001	1ZA1B2C30300000012	UPS	shipped	2026-11-23T10:05:00Z	no" "$out"
same "-n changed nothing" "$before" "$(state)"
check "ship one order" 0 tshop-ship A001 '1za1 b2c3 0300 0000 12' ups
same "order_id tracking carrier result ship_by late" \
    "A001	1ZA1B2C30300000012	UPS	shipped	2026-11-23T10:05:00Z	no" "$out"
same "the order is IN_TRANSIT with its shipment" \
    "A001	IN_TRANSIT	UPS	1ZA1B2C30300000012	2026-11-21T09:30:00Z" "$(state | grep '^A001')"
check "the same again" 0 tshop-ship A001 1ZA1B2C30300000012 'United Parcel Service'
same "is unchanged" "A001	1ZA1B2C30300000012	UPS	unchanged	2026-11-23T10:05:00Z	no" "$out"
check "another number without --replace" 2 tshop-ship A001 1ZA1B2C30300000021 UPS
grep_err "needs --replace" "order 'A001' was already shipped with UPS '1ZA1B2C30300000012' \(use --replace"
check "a late shipment" 0 tshop-ship A002 9400111206206400000013 'USPS Priority Mail' 2026-11-21T04:05:00Z
same "late yes" "A002	9400111206206400000013	USPS	shipped	2026-11-20T10:05:00Z	yes" "$out"
grep_err "warns on stderr" "^tshop-ship: late: order 'A002' shipped at 2026-11-21T04:05:00Z, 18.0 h after its ship_by 2026-11-20T10:05:00Z$"
check "a number already used by another order" 2 tshop-ship A003 1ZA1B2C30300000012 UPS
grep_err "names the other order" "tracking number '1ZA1B2C30300000012' is already used by order 'A001' \(use --combine"
check "--combine: packed together" 0 tshop-ship --combine A003 1ZA1B2C30300000012 UPS
same "shipped" "A003	1ZA1B2C30300000012	UPS	shipped	2026-11-24T10:05:00Z	no" "$out"
check "generic DHL ships as the service of the number" 0 tshop-ship A004 3318810025 DHL
same "DHL Express" "A004	3318810025	DHL Express	shipped	2026-11-24T10:05:00Z	no" "$out"

# --replace: once, within 72 hours of shipped_at
check "--replace within 72 h" 0 env TSHOP_NOW=2026-11-24T09:00:00Z tshop-ship --replace A001 1ZA1B2C30300000021 UPS
same "replaced" "A001	1ZA1B2C30300000021	UPS	replaced	2026-11-23T10:05:00Z	no" "$out"
same "the order has the new number, the first shipped_at" \
    "A001	IN_TRANSIT	UPS	1ZA1B2C30300000021	2026-11-21T09:30:00Z" "$(state | grep '^A001')"
check "a second --replace" 2 env TSHOP_NOW=2026-11-24T09:00:00Z tshop-ship --replace A001 1ZA1B2C30300000030 UPS
grep_err "only once" "order 'A001' already had its tracking number replaced: TikTok allows that only once"
check "--replace after 72 h" 2 env TSHOP_NOW=2026-11-24T09:30:01Z tshop-ship --replace A002 9400111206206400000020 USPS
grep_err "too late" "order 'A002' was shipped at 2026-11-21T04:05:00Z, more than 72 hours ago"
check "--replace with the same number is unchanged" 0 tshop-ship --replace A002 9400111206206400000013 USPS
same "unchanged" "A002	9400111206206400000013	USPS	unchanged	2026-11-20T10:05:00Z	yes" "$out"

# a 3PL's CSV: other header names, extra columns, a service after the carrier
cat >"$tmp/3pl.csv" <<'EOF'
Order Number,Ship Date,Carrier,Service,Tracking Number,Weight
A005,11/21/2026 08:15:00 AM,FedEx,Home Delivery,770000000017,1.2
A006,11/21/2026 08:20:00 AM,USPS Ground Advantage,,9400111206206400000020,0.4
EOF
check "3PL CSV" 0 tshop-ship "$tmp/3pl.csv"
same "both shipped, times from Ship Date" \
"A005	770000000017	FedEx	shipped	2026-11-24T10:05:00Z	no
A006	9400111206206400000020	USPS	shipped	2026-11-24T10:05:00Z	no" "$out"
same "shipped_at from the file" "A005	IN_TRANSIT	FedEx	770000000017	2026-11-21T08:15:00Z" "$(state | grep '^A005')"
check "the same file again" 0 tshop-ship "$tmp/3pl.csv"
same "changes nothing" \
"A005	770000000017	FedEx	unchanged	2026-11-24T10:05:00Z	no
A006	9400111206206400000020	USPS	unchanged	2026-11-24T10:05:00Z	no" "$out"

# the Seller Center bulk-shipping template, with its description line, from a pipe
printf 'Order ID,Tracking ID,Shipping Provider Name,Product Name\n' >"$tmp/sc.csv"
printf 'Platform unique order ID.,Tracking number of the package.,Name of the shipping provider.,\n' >>"$tmp/sc.csv"
printf 'A007\t,1ZA1B2C30300000030,UPS,Mug\n' >>"$tmp/sc.csv"
check "Seller Center template on standard input" 0 sh -c 'tshop-ship <"$1"' sh "$tmp/sc.csv"
same "shipped" "A007	1ZA1B2C30300000030	UPS	shipped	2026-11-24T10:05:00Z	no" "$out"

# atomic batch: one bad line, nothing applied
before=$(state)
printf 'A008\t1ZA1B2C30300000049\tUPS\nA009\t1ZA1B2C30300000059\tUPS\nA010\t9400111206206400000037\tUSPS\n' >"$tmp/batch.tsv"
check "a batch with a bad line: exit 2" 2 tshop-ship "$tmp/batch.tsv"
grep_err "FILE:LINE message" "^tshop-ship: $tmp/batch.tsv:2: tracking number '1ZA1B2C30300000059' fails the UPS check digit \(format ups\): '9' should be '8'$"
grep_err "nothing was changed" "1 bad line: nothing was changed"
same "no output for a batch that applied nothing" "" "$out"
same "nothing applied" "$before" "$(state)"

# --rejects: the rest ships, the bad line is written for fixing
check "--rejects: exit 1" 1 tshop-ship --rejects "$tmp/rej.tsv" "$tmp/batch.tsv"
same "the good lines shipped" \
"A008	1ZA1B2C30300000049	UPS	shipped	2026-11-24T10:05:00Z	no
A010	9400111206206400000037	USPS	shipped	2026-11-24T10:05:00Z	no" "$out"
same "the rejects file holds the bad line verbatim" "A009	1ZA1B2C30300000059	UPS" "$(cat "$tmp/rej.tsv")"
sed 's/59/58/' "$tmp/rej.tsv" >"$tmp/fixed.tsv"
check "the fixed rejects fed back" 0 tshop-ship "$tmp/fixed.tsv"
same "ships" "A009	1ZA1B2C30300000058	UPS	shipped	2026-11-24T10:05:00Z	no" "$out"
check "the whole batch file once more" 2 tshop-ship "$tmp/batch.tsv"
check "the fixed batch once more" 0 sh -c 'sed s/59/58/ "$1" | tshop-ship -q' sh "$tmp/batch.tsv"
same "everything unchanged" \
"A008	1ZA1B2C30300000049	UPS	unchanged	2026-11-24T10:05:00Z	no
A009	1ZA1B2C30300000058	UPS	unchanged	2026-11-24T10:05:00Z	no
A010	9400111206206400000037	USPS	unchanged	2026-11-24T10:05:00Z	no" "$out"
same "-q: no summary" "" "$err"

# a CSV rejects file keeps its header
printf 'order_id,tracking,carrier\nA001,1ZA1B2C30300000021,UPS\nA003,1ZA1B2C30300000012,UPSS\n' >"$tmp/b.csv"
check "CSV --rejects" 1 tshop-ship --rejects "$tmp/rej.csv" "$tmp/b.csv"
same "header first" "order_id,tracking,carrier
A003,1ZA1B2C30300000012,UPSS" "$(cat "$tmp/rej.csv")"
check "-o json" 0 tshop-ship -o json A001 1ZA1B2C30300000021 UPS
same "json line" '{"order_id":"A001","tracking":"1ZA1B2C30300000021","carrier":"UPS","result":"unchanged","ship_by":"2026-11-23T10:05:00Z","late":"no"}' "$out"

# export: upload files of at most --batch orders, never twice
check "export --batch 4 -o DIR" 0 tshop-ship export --batch 4 -o "$tmp/up"
same "three files" "$tmp/up/ship-0001.csv
$tmp/up/ship-0002.csv
$tmp/up/ship-0003.csv" "$out"
same "upload files end lines with CRLF (RFC 4180)" 5 "$(grep -c "$(printf '\r')\$" "$tmp/up/ship-0001.csv")"
same "first file: header and 4 shipments, in shipping order" "Order ID,Tracking ID,Shipping Provider Name
A001,1ZA1B2C30300000021,UPS
A002,9400111206206400000013,USPS
A003,1ZA1B2C30300000012,UPS
A004,3318810025,DHL Express" "$(tr -d "\r" <"$tmp/up/ship-0001.csv")"
same "last file" "Order ID,Tracking ID,Shipping Provider Name
A010,9400111206206400000037,USPS
A009,1ZA1B2C30300000058,UPS" "$(tr -d "\r" <"$tmp/up/ship-0003.csv")"
same "10 shipments exported" 10 "$(cat "$tmp/up"/*.csv | grep -vc '^Order ID')"
check "export again" 0 tshop-ship export --dir "$tmp/up"
same "nothing new: no file" "" "$out"
grep_err "says so" "0 shipments in 0 files"
printf 'order_id\ttracking\tcarrier\nA010\t9400111206206400000044\tUSPS\n' >"$tmp/r.tsv"
check "a replacement" 0 tshop-ship --replace "$tmp/r.tsv"
check "export -n" 0 tshop-ship export -n --dir "$tmp/up"
same "-n names the file it would write" "$tmp/up/ship-0004.csv" "$out"
[ ! -e "$tmp/up/ship-0004.csv" ] && ok "and writes nothing" || nok "and writes nothing"
check "export after the replacement" 0 tshop-ship export --dir "$tmp/up"
same "the replaced shipment is exported again, in a new file" "Order ID,Tracking ID,Shipping Provider Name
A010,9400111206206400000044,USPS" "$(tr -d "\r" <"$tmp/up/ship-0004.csv")"

# check
check "check valid and invalid numbers" 1 tshop-ship check 1za1b2c30300000012 1ZA1B2C30300000013 RB123456785US 3318810025
same "tracking carrier format checksum" "1za1b2c30300000012	UPS	ups	pass
1ZA1B2C30300000013	-	-	invalid
RB123456785US	USPS	s10	pass
3318810025	DHL Express	dhl_express	pass" "$out"
grep_err "says why on stderr" "'1ZA1B2C30300000013' fails the UPS check digit \(format ups\): '3' should be '2'"
check "check from standard input, all valid" 0 sh -c 'printf "C11031500001879\nTBA000000000000\n" | tshop-ship check -'
same "OnTrac and Amazon" "C11031500001879	OnTrac	ontrac_c	pass
TBA000000000000	Amazon Logistics	amazon_logistics	none" "$out"
check "check -H" 1 tshop-ship check -H nope
same "header and invalid line" "tracking	carrier	format	checksum
nope	-	-	invalid" "$out"
check "check prints the number as given, trimmed" 0 sh -c \
    'printf "  1za1 b2c3 0300 0000 12 \\n" | tshop-ship check - && tshop-ship check " RB 123 456 785 us"'
same "spaces inside and letter case kept; validated normalised" "1za1 b2c3 0300 0000 12	UPS	ups	pass
RB 123 456 785 us	USPS	s10	pass" "$out"

# carriers
check "carriers" 0 tshop-ship carriers
same "carrier aliases provider_id" "UPS	United Parcel Service, UPS Ground, UPS SurePost, UPS Mail Innovations, UPS Express	" \
    "$(printf '%s\n' "$out" | grep '^UPS	')"
for name in USPS UPS FedEx 'DHL eCommerce' 'DHL Express' OnTrac LaserShip 'Amazon Logistics'; do
	printf '%s\n' "$out" | grep -q "^$name	" && ok "carriers lists $name" || nok "carriers lists $name"
done

# usage
check "export takes no operand" 2 tshop-ship export foo
check "--batch must be a number" 2 tshop-ship export --batch x
check "a missing file" 2 tshop-ship nosuchfile.csv
