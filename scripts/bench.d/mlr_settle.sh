#!/bin/sh
# Miller peer of tshop-settle import + check (SPEC 4.5): order totals and
# commission weights from orders.csv joined with skus.csv, then every
# settlement row checked; prints order_id<TAB>kind.  usage: mlr_settle.sh DIR
set -eu
d=$1
tot=$(mktemp "${TMPDIR:-/tmp}/mlr-totals.XXXXXX")
trap 'rm -f "$tot"' EXIT
# money "12.34" -> 1234 cents (leading zeros stripped: Miller reads 009 as octal)
cents='func cents(s): int {
	var t = sub(sub(string(s), "\.", ""), "^(-?)0+([0-9])", "\1\2");
	return int(t);
}'
cat="$tot.cat"
trap 'rm -f "$tot" "$cat"' EXIT
mlr --icsv --ocsv cut -f sku_id,category "$d/skus.csv" >"$cat"	# only what the join needs
mlr --icsv --ocsv join -j sku_id -f "$cat" \
	then put -q "$cents"'
		amt = int($quantity) * cents($unit_price);
		@amt[$order_id] += amt;
		@w[$order_id] += amt * ($category == "Apparel" ? 8 : 5);
		end { emit (@amt, @w), "order_id" }' \
	"$d/orders.csv" >"$tot"
mlr --icsv --otsv join --ur -j order_id -f "$tot" then put -q "$cents"'
	@n[$order_id] += 1;
	rev = cents($gross_sales); ref = cents($refund_amount); com = cents($commission_fee);
	fee = cents($payment_processing_fee); net = cents($net_payout);
	if (is_absent($amt)) {
		print $order_id . "\tunknown-order";
	} else {
		amt = int($amt); w = int($w);
		if (rev != amt) { print $order_id . "\trevenue" }
		if (amt > 0 && com != ((rev - ref) * w * 2 + 100 * amt) // (200 * amt)) {
			print $order_id . "\tcommission";
		}
	}
	if (@n[$order_id] > 1) { print $order_id . "\tduplicate" }
	if (fee != (rev * 29 + 500) // 1000 + 30) { print $order_id . "\ttransaction-fee" }
	if (net != rev - ref - com - fee) { print $order_id . "\tnet" }
' "$d/settlement.csv"
