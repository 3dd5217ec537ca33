#!/bin/sh
# tshop-stock and the tshop dispatcher, from an empty database.
. "$(dirname "$0")/lib.sh"
export TSHOP_NOW=2026-11-21T09:30:00Z

check "read on a missing database exits 3" 3 tshop-stock list
grep_err "it names the path" "no database at $TSHOP_DB"
[ ! -e "$TSHOP_DB" ] && ok "and creates nothing" || nok "and creates nothing"
# a write that fails on a mistyped path leaves no empty shop behind
check "add on a missing database: an unknown SKU" 2 tshop-stock -d "$tmp/typo.db" add A 1
printf 'sku,qty\nA,x\n' >"$tmp/badqty.csv"
check "set on a missing database: a bad line" 2 tshop-stock -d "$tmp/typo.db" set --create "$tmp/badqty.csv"
check "config with a bad value on a missing database" 2 tshop -d "$tmp/typo.db" config tz Nowhere/Bad
same "no database file left" "" "$(cd "$tmp" && ls typo.db* 2>/dev/null)"
check "the typo still reads as no database" 3 tshop-stock -d "$tmp/typo.db" list

check "tshop init creates the database" 0 tshop init
same "database mode is 0600" "600" "$(stat -c %a "$TSHOP_DB")"
check "tshop --version" 0 tshop --version
same "version line" "tshop 0.1.0" "$out"
check "tshop dispatches to tshop-stock" 0 tshop stock list
check "unknown verb is a usage error" 2 tshop frobnicate

# a Seller Center style catalog: BOM, other header names, a quoted title
printf '\357\273\277Seller SKU,SKU ID,Product ID,Product Name,Category,Warehouse,Quantity\n' >"$tmp/cat.csv"
printf 'MUG-1,1729000000000000001,PRD1,"Mug, ""Large""",Home,,12\n' >>"$tmp/cat.csv"
printf 'HOOD-M,1729000000000000002,PRD2,Hoodie M,Apparel,WH-EAST,3\n' >>"$tmp/cat.csv"
printf 'CARD-9,1729000000000000003,PRD3,Trading Card,Collectibles,,0\n' >>"$tmp/cat.csv"
check "import a catalog" 0 tshop-stock import "$tmp/cat.csv"
check "list after import" 0 tshop-stock list
same "list columns: sku title category quantity status" \
"CARD-9	Trading Card	Collectibles	0	OUT_OF_STOCK
HOOD-M	Hoodie M	Apparel	3	SUFFICIENT_STOCK
MUG-1	Mug, \"Large\"	Home	12	SUFFICIENT_STOCK" "$out"

check "set one SKU" 0 tshop-stock set MUG-1 7
check "set by sku_id in another warehouse" 0 tshop-stock set 1729000000000000001 4 WH-WEST
check "list --by-warehouse -H" 0 tshop-stock list --by-warehouse -H MUG-1
same "per warehouse rows" \
"sku	warehouse	title	category	quantity	status
MUG-1	WH-WEST	Mug, \"Large\"	Home	4	SUFFICIENT_STOCK
MUG-1	default	Mug, \"Large\"	Home	7	SUFFICIENT_STOCK" "$out"
check "list sums warehouses" 0 tshop-stock list MUG-1
same "total" "MUG-1	Mug, \"Large\"	Home	11	SUFFICIENT_STOCK" "$out"
check "list -w WAREHOUSE" 0 tshop-stock list -w WH-WEST MUG-1
same "one warehouse" "MUG-1	Mug, \"Large\"	Home	4	SUFFICIENT_STOCK" "$out"

check "unknown SKU is refused" 2 tshop-stock set NOPE 5
grep_err "message names the SKU" "sku 'NOPE' is not in the catalog"
check "--create adds it" 0 tshop-stock set --create NOPE 5
check "negative quantity is refused" 2 tshop-stock set MUG-1 -1
check "add below zero is refused" 2 tshop-stock add HOOD-M -5 WH-EAST
grep_err "says how far" "from 3 to -2"
check "add --allow-negative" 0 tshop-stock add --allow-negative HOOD-M -5 WH-EAST
# add is one statement unless it would go below 0: the ledger still has both sides
check "a large quantity" 0 tshop-stock set --create BIGQ 1000000000000
check "add as much again" 0 tshop-stock add BIGQ 1000000000000
check "add below zero in a new warehouse is refused" 2 tshop-stock add BIGQ -3 WH-NEW
grep_err "says how far" "from 0 to -3"
check "add --allow-negative in a new warehouse" 0 tshop-stock add --allow-negative BIGQ -3 WH-NEW
check "add to a new warehouse" 0 tshop-stock add BIGQ 4 WH-TWO
check "log of BIGQ" 0 tshop-stock log BIGQ
same "each change once, with its delta and the quantity after it" \
"default	+1000000000000	1000000000000	set
default	+1000000000000	2000000000000	add
WH-NEW	-3	-3	add
WH-TWO	+4	4	add" "$(printf '%s\n' "$out" | cut -f3-6)"
check "list -s oversold" 0 tshop-stock list -s oversold
same "the oversold SKU" "HOOD-M	Hoodie M	Apparel	-2	OUT_OF_STOCK" "$out"
check "list -s out" 0 tshop-stock list -s out
same "out of stock SKUs" "CARD-9	Trading Card	Collectibles	0	OUT_OF_STOCK
HOOD-M	Hoodie M	Apparel	-2	OUT_OF_STOCK" "$out"

check "-o json" 0 tshop-stock list -o json MUG-1
same "json quantities are numbers" '{"sku":"MUG-1","title":"Mug, \"Large\"","category":"Home","quantity":11,"status":"SUFFICIENT_STOCK"}' "$out"
check "-o csv" 0 tshop-stock list -o csv MUG-1
same "csv with header and quoting, CRLF (RFC 4180)" 'sku,title,category,quantity,status\r
MUG-1,"Mug, ""Large""",Home,11,SUFFICIENT_STOCK\r' "$(tshop-stock list -o csv MUG-1 | sed 's/\r$/\\r/')"

check "log of a SKU" 0 tshop-stock log HOOD-M
same "ledger: time sku warehouse delta quantity source note" \
"2026-11-21T09:30:00Z	HOOD-M	WH-EAST	+3	3	import	
2026-11-21T09:30:00Z	HOOD-M	WH-EAST	-5	-2	add	" "$out"

# changes since a cursor
tshop-stock changes 2>"$tmp/cur" >/dev/null
cursor=$(sed -n 's/^cursor //p' "$tmp/cur")
tshop-stock set MUG-1 9 >/dev/null 2>&1
check "changes --since cursor" 0 tshop-stock changes --since "$cursor"
same "only what changed" "MUG-1	default	9" "$out"
grep_err "new cursor on stderr" "^cursor $((cursor + 1))$"

# bulk: 100,000 lines from a pipe, one bad line in the middle
awk 'BEGIN { for (i = 1; i <= 100000; i++) printf "B%06d\t%d\n", i, i % 50 }' >"$tmp/bulk.tsv"
check "bulk set --create of 100000 lines" 0 tshop-stock set --create "$tmp/bulk.tsv"
before=$(tshop-stock log | wc -l)
awk 'BEGIN { for (i = 1; i <= 100000; i++) printf "B%06d\t%s\n", i, (i == 50000 ? "x7" : i % 50 + 1) }' >"$tmp/bulk2.tsv"
check "one bad line from a pipe: exit 2" 2 sh -c 'cat "$1" | tshop-stock set' sh "$tmp/bulk2.tsv"
grep_err "FILE:LINE, column and value" "^tshop-stock: -:50000: .*'qty'.*'x7'"
same "nothing applied" "$before" "$(tshop-stock log | wc -l)"
check "--rejects applies the rest" 1 tshop-stock set --rejects "$tmp/rej.tsv" "$tmp/bulk2.tsv"
same "the bad line verbatim" "B050000	x7" "$(cat "$tmp/rej.tsv")"
check "B000001 was applied" 0 tshop-stock list B000001
same "B000001 quantity" "B000001			2	SUFFICIENT_STOCK" "$out"
printf 'B050000\t7\n' >"$tmp/fixed.tsv"
check "fixed rejects fed back" 0 tshop-stock set "$tmp/fixed.tsv"
# the rejects file may be the input itself: it is read in full before it
# is replaced; a run without bad lines leaves it empty
cp "$tmp/bulk2.tsv" "$tmp/again.tsv"
printf 'B100001\tlots\n' >>"$tmp/again.tsv"
check "--rejects FILE FILE" 1 tshop-stock set --create --rejects "$tmp/again.tsv" "$tmp/again.tsv"
same "holds the two bad lines" "B050000	x7
B100001	lots" "$(cat "$tmp/again.tsv")"
check "every good line was read" 0 tshop-stock list B099999
same "the last good line applied" "B099999			50	SUFFICIENT_STOCK" "$out"
printf 'B050000\t7\n' | check "no bad line" 0 tshop-stock set --rejects "$tmp/again.tsv"
same "the old rejects are gone" "" "$(cat "$tmp/again.tsv")"
same "no temporary file left" "again.tsv" "$(cd "$tmp" && ls again.tsv*)"

# a report stays on one line: a newline inside a quoted value is written \n
printf 'sku,qty\n"B\nx",3\n' >"$tmp/nl.csv"
check "a SKU with a newline" 2 tshop-stock set "$tmp/nl.csv"
same "one line per report" "tshop-stock: $tmp/nl.csv:2: sku 'B\\nx' is not in the catalog (import it, or use --create)" "$(printf '%s\n' "$err" | head -1)"
# bad input of each kind, each refused with FILE:LINE and nothing changed
printf 'sku,qty\nMUG-1,1,extra\n' >"$tmp/b1.csv"
check "wrong column count" 2 tshop-stock set "$tmp/b1.csv"
grep_err "names file and line" "b1.csv:2: "
printf 'sku,qty\n"MUG-1,1\n' >"$tmp/b2.csv"
check "unterminated quote" 2 tshop-stock set "$tmp/b2.csv"
grep_err "says unterminated" "b2.csv:2: .*unterminated"
printf 'MUG-1\tmany\n' >"$tmp/b3.tsv"
check "non-numeric quantity" 2 tshop-stock set "$tmp/b3.tsv"
printf 'MUG\377-1\t1\n' >"$tmp/b4.tsv"
check "invalid UTF-8" 2 tshop-stock set "$tmp/b4.tsv"
grep_err "says UTF-8" "UTF-8"
: >"$tmp/empty.tsv"
check "empty file changes nothing, exit 0" 0 tshop-stock set "$tmp/empty.tsv"
check "missing file exits 3" 3 tshop-stock set "$tmp/nothere.tsv"
check "quantity unchanged by all that" 0 tshop-stock list MUG-1
same "MUG-1 still 13" "MUG-1	Mug, \"Large\"	Home	13	SUFFICIENT_STOCK" "$out"

# -n changes nothing and prints what would change
check "-n dry run" 0 tshop-stock set -n MUG-1 20
same "what would change" "MUG-1	default	9	20" "$out"
check "dry run left it" 0 tshop-stock list MUG-1
same "still 13" "MUG-1	Mug, \"Large\"	Home	13	SUFFICIENT_STOCK" "$out"

# two writers at once: 2,000 adjustments each
tshop-stock set --create RACE 0 >/dev/null 2>&1
yes 'RACE	1' | head -2000 >"$tmp/plus.tsv"
i=0; : >"$tmp/one.sh"
( i=0; while [ $i -lt 100 ]; do tshop-stock -q add "$tmp/plus.tsv" || echo fail; i=$((i+1)); done ) >"$tmp/w1" 2>&1 &
( i=0; while [ $i -lt 2000 ]; do tshop-stock -q add RACE 1 || echo fail; i=$((i+1)); done ) >"$tmp/w2" 2>&1 &
wait
check "after two concurrent writers" 0 tshop-stock list RACE
same "exact total 202000" "RACE			202000	SUFFICIENT_STOCK" "$out"
same "no writer failed" "" "$(cat "$tmp/w1" "$tmp/w2")"
# a first record with words in its SKU is data, not Seller Center's description line
printf 'sku,qty\nBlue Mug,5\nRed Mug,3\n' >"$tmp/words.csv"
check "CSV whose first SKU has a space" 0 tshop-stock -q set --create "$tmp/words.csv"
printf 'Seller SKU\tQuantity\nGreen Mug\t6\n' >"$tmp/words.tsv"
check "Seller Center header, first SKU with a space" 0 tshop-stock -q set --create "$tmp/words.tsv"
printf 'Seller SKU,Quantity\nSeller SKU of the product.,Available stock.\nGrey Mug,2\n' >"$tmp/desc.csv"
check "the description line under a Seller Center header" 0 tshop-stock -q set --create "$tmp/desc.csv"
check "list them" 0 tshop-stock list
same "every data line applied, the description skipped" "Blue Mug			5
Green Mug			6
Grey Mug			2
Red Mug			3" "$(printf '%s\n' "$out" | grep ' Mug' | cut -f1-4)"
# a record on the command line with a bad value is bad input (2), not a missing file (3)
check "set SKU 1.5" 2 tshop-stock set MUG-1 1.5
grep_err "names the column and the value" "column 'qty': '1.5' is not a whole number"
check "add SKU x" 2 tshop-stock add MUG-1 x
check "set FILE FILE still reads files" 0 tshop-stock -q set "$tmp/words.csv" "$tmp/words.tsv"
# -n on a database that does not exist creates nothing
printf 'sku,qty\nA,5\n' >"$tmp/one.csv"
check "-n set --create on a missing database" 0 tshop-stock -n -d "$tmp/none/new.db" set --create "$tmp/one.csv"
same "says what would change" "A	default	0	5" "$out"
[ ! -e "$tmp/none" ] && ok "and creates no file or directory" || nok "and creates no file or directory"
# tshop help: a verb that is no program is a usage error; config tz shows the zone in use
check "help of no program" 2 tshop help frobnicate
check "config tz without a setting" 0 env TZ=America/New_York tshop config tz
same "the zone in use: \$TZ" "America/New_York" "$out"
check "config tz, no TZ" 0 env -u TZ tshop config tz
same "else UTC" "UTC" "$out"
# an empty time zone is "none": the default again, and the shop stays usable
check "config tz ''" 0 tshop config tz ''
check "config tz after ''" 0 env TZ=Asia/Tokyo tshop config tz
same "is the default" "Asia/Tokyo" "$out"
check "programs still run" 0 tshop-stock list MUG-1
check "a zone can be set again" 0 tshop config tz Europe/Paris
check "config tz" 0 tshop config tz
same "the zone set" "Europe/Paris" "$out"
tshop config tz UTC
# a TSV header naming a SKU column and one unknown column is a header
printf 'Seller SKU\tProduct Name\tPrice\nTSV-T1\tTee\t9.99\n' >"$tmp/price.tsv"
check "TSV catalog, unknown column" 0 tshop-stock import "$tmp/price.tsv"
grep_err "one SKU" "1 new, 0 updated SKUs"
check "no SKU named after the header" 2 tshop-stock list "Seller SKU"
grep_err "says so" "sku 'Seller SKU' is not in the catalog"
check "list" 0 tshop-stock list TSV-T1
same "the record read by its header, Price ignored" "TSV-T1	Tee		0	OUT_OF_STOCK" "$out"
# positional TSV (no column name in the first line) still reads as data
printf 'TSV-T2\t\t\tTwo\n' | check "positional TSV catalog" 0 tshop-stock import
check "list" 0 tshop-stock list TSV-T2
same "title in the 4th column" "TSV-T2	Two		0	OUT_OF_STOCK" "$out"
# -n import prints the changes it would make
printf 'sku,title,quantity\nDRY-NEW,New,\nMUG-1,Mug,100\n' >"$tmp/dry.csv"
check "-n import" 0 tshop-stock -n import "$tmp/dry.csv"
same "a new SKU, a quantity change" "DRY-NEW			
MUG-1	default	9	100" "$out"
# a batch longer than TSHOP_DB_FLUSH (50,000) records writes its pages to
# the WAL on the way; a bad last line still leaves nothing behind
flush="$tmp/flush.db"
tshop -d "$flush" init 2>/dev/null
awk 'BEGIN { for (i = 1; i <= 60000; i++) printf "FL-%d\t%d\n", i, i % 9 }' >"$tmp/flush.tsv"
cp "$tmp/flush.tsv" "$tmp/flushbad.tsv"
printf 'FL-1\tmany\n' >>"$tmp/flushbad.tsv"
counts() { sqlite3 "$flush" "SELECT count(*) FROM sku; SELECT count(*) FROM ledger" | tr '\n' ' '; }
check "60,000 lines and a bad one" 2 tshop-stock -d "$flush" -q set --create "$tmp/flushbad.tsv"
grep_err "the bad line named" "flushbad.tsv:60001: column 'qty': 'many' is not a whole number"
same "no SKU, no ledger entry" "0 0 " "$(counts)"
check "the 60,000 lines" 0 tshop-stock -d "$flush" -q set --create "$tmp/flush.tsv"
same "every SKU, one ledger entry per quantity that is not 0" "60000 53334 " "$(counts)"
same "the database sound, the stock summed" "ok 239997" \
    "$(sqlite3 "$flush" 'PRAGMA integrity_check; SELECT sum(quantity) FROM stock' | tr '\n' ' ' | sed 's/ $//')"
# set/add apply their lines in SKU order (tshop_stock_apply), yet act as
# if one after the other: later lines win, deltas chain, reports and the
# ledger keep the input's order
ord="$tmp/order.db"
tshop -d "$ord" init 2>/dev/null
printf 'sku,sku_id\nZED,100\nALPHA,200\n' | tshop-stock -d "$ord" -q import
printf 'ZED\t5\n200\t7\nALPHA\t9\n100\t3\n' >"$tmp/alias.tsv"
check "set by sku and by sku_id in one file" 0 tshop-stock -d "$ord" set "$tmp/alias.tsv"
grep_err "counted" "4 changed, 0 unchanged"
check "list" 0 tshop-stock -d "$ord" list
same "the later line of each SKU wins, whatever its spelling" "ALPHA	9
ZED	3" "$(printf '%s\n' "$out" | cut -f1,4)"
check "log" 0 tshop-stock -d "$ord" log
same "the ledger in the file's order" "ZED	default	+5	5	set
ALPHA	default	+7	7	set
ALPHA	default	+2	9	set
ZED	default	-2	3	set" "$(printf '%s\n' "$out" | cut -f2-6)"
printf 'ZED\t4\tW1\nZED\t-6\tW2\nZED\t2\tW1\nZED\t-7\tW1\nZED\t-5\tW1\nALPHA\t1\tW1\n' >"$tmp/chain.tsv"
check "add: warehouses interleaved, one line too far" 2 tshop-stock -d "$ord" add "$tmp/chain.tsv"
same "the bad lines, in order" "tshop-stock: $tmp/chain.tsv:2: sku 'ZED': delta '-6' would take the quantity in warehouse 'W2' from 0 to -6 (use --allow-negative)
tshop-stock: $tmp/chain.tsv:4: sku 'ZED': delta '-7' would take the quantity in warehouse 'W1' from 6 to -1 (use --allow-negative)
tshop-stock: 2 bad lines: nothing was changed" "$err"
check "with --rejects" 1 tshop-stock -d "$ord" -q add --rejects "$tmp/chain.rej" "$tmp/chain.tsv"
same "the rejected lines" "ZED	-6	W2
ZED	-7	W1" "$(cat "$tmp/chain.rej")"
check "list --by-warehouse" 0 tshop-stock -d "$ord" list --by-warehouse ZED
same "W1: 4 + 2 - 5" "ZED	W1		1	SUFFICIENT_STOCK
ZED	default		3	SUFFICIENT_STOCK" "$(printf '%s\n' "$out" | cut -f1,2,4-6)"
printf 'sku\tqty\nNOPE-1\t1\nALPHA\tx\nNOPE-2\t2\nALPHA\t-1\nALPHA\t4\n' >"$tmp/mixed.tsv"
check "set: unknown SKUs and bad numbers mixed" 1 tshop-stock -d "$ord" set --rejects "$tmp/mixed.rej" "$tmp/mixed.tsv"
same "reported in the file's order" "tshop-stock: $tmp/mixed.tsv:2: sku 'NOPE-1' is not in the catalog (import it, or use --create)
tshop-stock: $tmp/mixed.tsv:3: column 'qty': 'x' is not a whole number >= 0
tshop-stock: $tmp/mixed.tsv:4: sku 'NOPE-2' is not in the catalog (import it, or use --create)
tshop-stock: $tmp/mixed.tsv:5: column 'qty': '-1' is not a whole number >= 0
tshop-stock: 4 bad lines written to '$tmp/mixed.rej'
tshop-stock: 1 changed, 0 unchanged" "$err"
same "rejected in the file's order, under the header" "sku	qty
NOPE-1	1
ALPHA	x
NOPE-2	2
ALPHA	-1" "$(cat "$tmp/mixed.rej")"
printf 'ZED\t3\nALPHA\t8\nZED\t0\n' >"$tmp/dry.tsv"
check "-n set" 0 tshop-stock -d "$ord" -n set "$tmp/dry.tsv"
same "the changes in the file's order" "ALPHA	default	4	8
ZED	default	3	0" "$out"
# lines held across several rounds of 50,000: the later line still wins
awk 'BEGIN { for (i = 1; i <= 120000; i++) printf "H-%d\t%d\n", i % 70001, i }' >"$tmp/held.tsv"
check "120,000 lines, 50,001 of them naming a SKU twice" 0 tshop-stock -d "$ord" -q set --create "$tmp/held.tsv"
same "each SKU holds its last line's quantity" "70001 5950085000 120000" \
    "$(sqlite3 "$ord" "SELECT count(*), sum(quantity) FROM stock t JOIN sku s ON s.id = t.sku WHERE s.sku LIKE 'H-%'; SELECT count(*) FROM ledger l JOIN sku s ON s.id = l.sku WHERE s.sku LIKE 'H-%'" | tr '\n' ' ' | sed 's/|/ /; s/ $//')"
finish
