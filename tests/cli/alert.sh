#!/bin/sh
# tshop-alert: rules, the exact check, once per day with escalation,
# --notify against a local listener, from an empty database.
. "$(dirname "$0")/lib.sh"
export TSHOP_NOW=2026-11-21T09:00:00Z

cat >"$tmp/skus.csv" <<'CSV'
sku,title,category
A,Alpha,Home
B,Bravo,Home
C,Charlie,Beauty
D,Delta,Toys
E,Echo,Toys
F,Foxtrot,Home
G,Golf,Home
H,Hotel,Home
CARD,Card,Collectibles
CSV
check "import catalog" 0 tshop-stock import "$tmp/skus.csv"

# the window is the local days [2026-10-22, 2026-11-21): it crosses a month end
cat >"$tmp/orders.csv" <<'CSV'
order_id,status,created_at,paid_at,sku,quantity,unit_price
a1,AWAITING_SHIPMENT,2026-10-22T00:00:00Z,2026-10-22T00:10:00Z,A,20,1.00
a2,DELIVERED,2026-11-20T23:59:59Z,2026-11-20T23:59:59Z,A,40,1.00
a3,CANCELLED,2026-11-01T10:00:00Z,,A,100,1.00
a4,UNPAID,2026-11-02T10:00:00Z,,A,100,1.00
c1,IN_TRANSIT,2026-11-10T10:00:00Z,2026-11-10T10:05:00Z,C,7,1.00
d1,COMPLETED,2026-11-05T10:00:00Z,2026-11-05T10:05:00Z,D,90,1.00
e1,COMPLETED,2026-11-05T11:00:00Z,2026-11-05T11:05:00Z,E,90,1.00
g1,DELIVERED,2026-10-21T23:59:59Z,2026-10-21T23:59:59Z,G,5,1.00
g2,AWAITING_SHIPMENT,2026-11-21T00:00:00Z,2026-11-21T00:01:00Z,G,5,1.00
h1,COMPLETED,2026-11-06T10:00:00Z,2026-11-06T10:05:00Z,H,100,1.00
CSV
check "import orders" 0 tshop-orders import "$tmp/orders.csv"
printf 'A\t10\nB\t0\nC\t5\nD\t21\nE\t22\nF\t1\nG\t1\nH\t500\n' | check "set stock" 0 tshop-stock set

check "a rule on an excluded category is refused" 2 tshop-alert set CARD qty 3
grep_err "says why" "alerts are not available for the category 'Collectibles'"
check "a rule on an unknown SKU is refused" 2 tshop-alert set NOPE qty 3
printf 'A\tdays\t7\nB\tqty\t5\nC\tqty\t5\nD\tdays\t7\nE\tdays\t7\nF\tqty\t3\nG\tdays\t7\n' >"$tmp/rules.tsv"
check "set rules from records" 0 tshop-alert set "$tmp/rules.tsv"
check "set one rule from operands" 0 tshop-alert set F qty 2
check "list rules" 0 tshop-alert list
same "sku mode threshold" "A	days	7
B	qty	5
C	qty	5
D	days	7
E	days	7
F	qty	2
G	days	7" "$out"
check "off removes a rule" 0 tshop-alert set F off
# F's category becomes excluded after its rule was set: it is no longer checked
check "rule for F again" 0 tshop-alert set F qty 5
printf 'sku,category\nF,Pre-Owned\n' | check "F becomes Pre-Owned" 0 tshop-stock import

due="A	LOW_STOCK	10	60	2.00	5.0	days	7	50
B	OUT_OF_STOCK	0	0	0.00		qty	5	0
C	LOW_STOCK	5	7	0.23	21.4	qty	5	2
D	LOW_STOCK	21	90	3.00	7.0	days	7	69"
check "check -n prints what is due" 1 tshop-alert check -n
same "exact figures, ties at the threshold due" "$due" "$out"
check "the check" 1 tshop-alert check
same "-n recorded nothing: the same lines" "$due" "$out"
check "second run the same day" 0 tshop-alert check
same "prints nothing" "" "$out"
check "--force prints again" 1 tshop-alert check --force -H
same "with a header" "sku	status	on_hand	sold	daily_rate	days_of_supply	mode	threshold	reorder
$due" "$out"
check "C runs out" 0 tshop-stock set C 0
check "a status that worsens is reported again" 1 tshop-alert check
same "only C, now out" "C	OUT_OF_STOCK	0	7	0.23	0.0	qty	5	7" "$out"
check "stock list -s low agrees" 0 tshop-stock list -s low
same "LOW SKUs" "A	Alpha	Home	10	LOW_STOCK
D	Delta	Toys	21	LOW_STOCK" "$out"

check "--window 60 --cover 10" 1 tshop-alert check -n --window 60 --cover 10 --force
same "other window and cover" "B	OUT_OF_STOCK	0	0	0.00		qty	5	0
C	OUT_OF_STOCK	0	7	0.12	0.0	qty	5	2" "$out"

# a line that could not be written is not recorded
export TSHOP_NOW=2026-11-22T09:00:00Z
check "stdout closed: exit 3" 3 sh -c 'tshop-alert check >&-'
check "next run still reports" 1 tshop-alert check
same "the next day's due SKUs" "B	OUT_OF_STOCK	0	0	0.00		qty	5	0
C	OUT_OF_STOCK	0	7	0.23	0.0	qty	5	7
D	LOW_STOCK	21	90	3.00	7.0	days	7	69
G	LOW_STOCK	1	5	0.17	6.0	days	7	4" "$out"

# --notify: a local listener receives the JSON once; down means exit 4
cat >"$tmp/listen.py" <<'PY'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(sys.argv[2], "ab") as f:
            f.write(body + b"\n")
        self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()
PY
export TSHOP_NOW=2026-11-23T09:00:00Z
check "listener down: exit 4" 4 tshop-alert check --notify http://127.0.0.1:9/hook
grep_err "says the alerts stay due" "stay due"
python3 "$tmp/listen.py" "$tmp/port" "$tmp/posts" & lpid=$!
i=0; while [ ! -s "$tmp/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
port=$(cat "$tmp/port")
check "listener up: the next run notifies" 1 tshop-alert check --notify "http://127.0.0.1:$port/hook"
check "and the run after that is quiet" 0 tshop-alert check --notify "http://127.0.0.1:$port/hook"
kill $lpid
same "one POST" 1 "$(wc -l <"$tmp/posts")"
body=$(cat "$tmp/posts")
case $body in
*'"alerts":[{"sku":"B","status":"OUT_OF_STOCK","on_hand":0,"sold":0,"daily_rate":"0.00","days_of_supply":null,"mode":"qty","threshold":5,"reorder":0}'*) ok "JSON alerts" ;;
*) nok "JSON alerts"; echo "#   $body" ;;
esac
case $body in
'{"text":"tshop: 4 SKUs low or out of stock on 2026-11-23'*) ok "Slack text" ;;
*) nok "Slack text"; echo "#   $body" ;;
esac

# auto: the top 20 % of the 5 SKUs sold in the window is 1 SKU: H (100 units)
export TSHOP_NOW=2026-11-21T09:00:00Z
check "auto" 0 tshop-alert auto
same "adds a days rule for H" "H	days	7" "$out"
check "auto again adds nothing" 0 tshop-alert auto
same "nothing" "" "$out"

check "usage error" 2 tshop-alert check --window x
check "unknown verb" 2 tshop-alert frob
# modes in any case; a short record on the command line is bad input (2)
check "set SKU QTY 3" 0 tshop-alert -q set A QTY 3
check "set SKU qty (no threshold)" 2 tshop-alert set A qty
grep_err "says what is missing" "column 'threshold' is empty"
# -n prints the rules it would set or remove; off on a SKU without a rule removes nothing
printf 'sku,mode,threshold\nA,days,7\nB,off,\n' >"$tmp/rules.csv"
tshop-alert -q set B off
check "-n set" 0 tshop-alert -n set "$tmp/rules.csv"
same "the rule it would set; B has none to remove" "A	days	7" "$out"
grep_err "summary" "1 rule set, 0 removed \(dry run: nothing changed\)"
# The check merges rules, stock and sales in SKU id order; here the ids
# (import order) differ from the sku order, and each SKU lacks a different
# stream: Z1 no stock set (its sale took it to -2), M2 and N4 no rule,
# X5 neither stock nor sales, A6 no sales, Y3 stock in two warehouses.
export TSHOP_DB="$tmp/merge.db"
printf 'sku,title\nZ1,z\nM2,m\nY3,y\nN4,n\nX5,x\nA6,a\nB7,b\n' | tshop-stock -q import
printf 'order_id,status,created_at,paid_at,sku,quantity\nm1,COMPLETED,2026-11-10T10:00:00Z,2026-11-10T10:00:00Z,Z1,2
m2,COMPLETED,2026-11-10T10:00:00Z,2026-11-10T10:00:00Z,M2,9
m3,COMPLETED,2026-11-10T10:00:00Z,2026-11-10T10:00:00Z,Y3,30
m4,COMPLETED,2026-11-10T10:00:00Z,2026-11-10T10:00:00Z,N4,1
' | tshop-orders -q import
printf 'M2\t3\nY3\t2\nY3\t3\tnorth\nA6\t10\nB7\t4\n' | tshop-stock -q set
printf 'Z1\tqty\t5\nY3\tdays\t7\nX5\tqty\t1\nA6\tqty\t10\nB7\tqty\t1\n' | tshop-alert -q set
check "check over interleaved streams" 1 tshop-alert check -n
same "due SKUs in sku order, each with its own figures" "A6	LOW_STOCK	10	0	0.00		qty	10	0
X5	OUT_OF_STOCK	0	0	0.00		qty	1	0
Y3	LOW_STOCK	5	30	1.00	5.0	days	7	25
Z1	OUT_OF_STOCK	-2	2	0.07	0.0	qty	5	4" "$out"
check "stock list -s low over the same streams" 0 tshop-stock list -s low
same "the LOW ones" "A6	a		10	LOW_STOCK
Y3	y		5	LOW_STOCK" "$out"
finish
