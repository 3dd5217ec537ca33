# tshop-sync against the fake TikTok Shop API (tests/fake_tiktok.py) on
# 127.0.0.1: pagination, an interrupted pull resumed, pushes through 429s,
# the dead-letter list, signatures, credentials and secrets.
. "$(dirname "$0")/lib.sh"

secret=test_app_secret token=TTP_test_access refresh=TTP_test_refresh
export XDG_CONFIG_HOME="$tmp/cfg"
mkdir -p "$XDG_CONFIG_HOME/tshop"
cred="$XDG_CONFIG_HOME/tshop/credentials"
umask 077
cat >"$cred" <<EOC
# tshop test credentials
TSHOP_APP_KEY=test_app_key
TSHOP_APP_SECRET=$secret
TSHOP_ACCESS_TOKEN=$token
TSHOP_REFRESH_TOKEN=$refresh
TSHOP_SHOP_CIPHER=GCP_test_cipher
EOC
chmod 600 "$cred"

# 250 orders (3 pages of 100), updated in the last hour
api_orders "$tmp/orders.jsonl" 250 5790000000 17290000000000000 5 SKU- 12.50
fake_api --orders "$tmp/orders.jsonl" --log "$tmp/api.log"
ctl() { python3 -c 'import sys, urllib.request as u
print(u.urlopen(u.Request(sys.argv[1] + "/_control", data=sys.argv[2].encode(),
    method="POST")).read().decode())' "$url" "$1" >/dev/null; }
state() { python3 -c 'import json, sys, urllib.request as u
d = json.load(u.urlopen(sys.argv[1] + "/_state"))
print(eval(sys.argv[2]))' "$url" "$1"; }
# every stdout and stderr of tshop-sync, for the secrets check at the end
all="$tmp/all"
: >"$all"
run() { check "$@"; printf '%s\n%s\n' "$out" "$err" >>"$all"; }
fixture=$(python3 -c 'import json, sys
print("\n".join(sorted(json.loads(l)["id"] for l in open(sys.argv[1]))))' "$tmp/orders.jsonl")
ids() { tshop-orders list | cut -f1 | sort; }

# --- pulling orders
check "an empty shop" 0 tshop init
run "orders -n: reads the API" 0 tshop-sync -n orders
same "prints what the merge would do" "250 new" "$(printf '%s\n' "$out" | cut -f2 | sort | uniq -c | sed 's/^ *//')"
grep_err "says nothing changed" "dry run: nothing changed"
same "orders -n: no order stored" "0" "$(tshop-orders list | wc -l | tr -d ' ')"
same "orders -n: no stock moved, no cursor saved" "0|0" \
    "$(sqlite3 "$TSHOP_DB" 'SELECT (SELECT count(*) FROM ledger), (SELECT count(*) FROM sync_cursor)')"
run "orders: all pages" 0 tshop-sync orders
grep_err "summary" "pulled 250, merged 250, pushed 0, failed 0, dead 0"
same "the fixture's orders, each once" "$fixture" "$(ids)"
same "three pages, each page token asked once" "3 3" "$(python3 -c 'import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])][3:]	# after the 3 pages of -n
s = [r for r in rows if r["path"] == "/order/202309/orders/search" and r["code"] == 0]
print(len(s), len({r["query"].get("page_token", "") for r in s}))' "$tmp/api.log")"
same "stock taken once per order" "250" "$(tshop-stock log | grep -c 'order:579')"
run "orders again: nothing new" 0 tshop-sync orders
grep_err "nothing pulled" "pulled 0, merged 0"
same "the window has an end: update_time_lt with update_time_ge, lt >= ge" "True True" \
    "$(python3 -c 'import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
b = [r.get("body") or {} for r in rows if r["path"] == "/order/202309/orders/search"]
print(all("update_time_lt" in x for x in b), all(x.get("update_time_lt", 0) >= x["update_time_ge"] for x in b if "update_time_ge" in x))' "$tmp/api.log")"

# --- an interrupted pull, resumed: a fresh shop, killed after its first page
export TSHOP_DB="$tmp/b.db"
printf '{"type":1,"tts_notification_id":"7327112393057371999","timestamp":%s,"data":{"order_id":"579000000000000249","order_status":"CANCEL","update_time":%s}}' \
    "$(date +%s)" "$(date +%s)" >"$tmp/ev.json"
check "a webhook before its order is known" 0 tshop-webhook --file "$tmp/ev.json"
same "pending" "pending" "$(printf '%s\n' "$out" | cut -f4)"
ctl '{"faults": [{"kind": "slow", "seconds": 1, "times": -1, "path": "/order/"}]}'
tshop-sync -q orders >/dev/null 2>&1 &
pid=$!
i=0
while [ "$(tshop-orders list 2>/dev/null | wc -l)" -lt 100 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
same "killed after the first page" "100" "$(tshop-orders list | wc -l | tr -d ' ')"
ctl '{"clear": true, "faults": [{"kind": "drop", "times": 5, "path": "/order/"}]}'
run "a connection dropped mid-page on every attempt: exit 4" 4 tshop-sync orders
grep_err "says why" "orders/search"
same "nothing half-merged" "100" "$(tshop-orders list | wc -l | tr -d ' ')"
ctl '{"clear": true}'
run "resumed" 0 tshop-sync orders
grep_err "resumes at the next page" "resuming the interrupted pull at page 2"
same "nothing lost, nothing doubled" "$fixture" "$(ids)"
same "stock taken once per order after the kill" "250" "$(tshop-stock log | grep -c 'order:579')"
check "webhook list" 0 tshop-webhook list
same "the pending event applied after the pull" "applied" "$(printf '%s\n' "$out" | cut -f5)"
same "the order cancelled" "CANCELLED" "$(tshop-orders list | grep ^579000000000000249 | cut -f2)"
export TSHOP_DB="$tmp/shop.db"

# --- carriers, then pushes through 429s
run "carriers -n" 0 tshop-sync -n carriers
# -n on a database that does not exist: an empty shop in memory, no file left behind
mkdir "$tmp/cwd"
(cd "$tmp/cwd" && tshop-sync -n -d "$tmp/cwd/none.db" carriers) >/dev/null 2>&1
same "-n on a missing database leaves no file, not even a lock" "" "$(ls -A "$tmp/cwd")"
same "carriers -n: what would change" "UPS	7117859084333745966	new" "$(printf '%s\n' "$out" | grep '^UPS')"
same "carriers -n: nothing stored" "0" "$(sqlite3 "$TSHOP_DB" 'SELECT count(*) FROM tiktok_warehouse')"
run "carriers" 0 tshop-sync carriers
same "providers with their ids" "UPS	7117859084333745966	new" "$(printf '%s\n' "$out" | grep '^UPS')"
check "ship two orders" 0 tshop-ship -q 579000000000000001 1Z999AA10123456784 UPS
check "ship two orders (2)" 0 tshop-ship -q 579000000000000002 9400100000000000000006 USPS
printf 'sku\tsku_id\tproduct_id\nSKU-1\t1729000000000000001\t880\nSKU-2\t1729000000000000002\t880\n' |
    tshop-stock -q import
check "stock set" 0 tshop-stock -q set SKU-1 40
check "stock set (2)" 0 tshop-stock -q set SKU-2 43
outbox() { sqlite3 "$TSHOP_DB" "SELECT kind, key, attempts FROM outbox ORDER BY id; SELECT value FROM state WHERE key = 'push.ledger'"; }
before=$(outbox)
writes=$(grep -c '"path": "/\(fulfillment\|product\)/' "$tmp/api.log")
run "push -n" 0 tshop-sync -n push
same "push -n: one line per outbox entry, the request it would send" \
'shipment	579000000000000001	/fulfillment/202309/orders/579000000000000001/packages	{"tracking_number":"1Z999AA10123456784","shipping_provider_id":"7117859084333745966"}	
shipment	579000000000000002	/fulfillment/202309/orders/579000000000000002/packages	{"tracking_number":"9400100000000000000006","shipping_provider_id":"7117858858072016686"}	
stock	SKU-1	/product/202309/products/880/inventory/update	{"id":"1729000000000000001","inventory":[{"warehouse_id":"7000714532876273410","quantity":40}]}	
stock	SKU-2	/product/202309/products/880/inventory/update	{"id":"1729000000000000002","inventory":[{"warehouse_id":"7000714532876273410","quantity":43}]}	' "$out"
grep_err "push -n: says nothing was sent" "dry run: nothing sent, the outbox unchanged"
same "push -n: no write endpoint called" "$writes" "$(grep -c '"path": "/\(fulfillment\|product\)/' "$tmp/api.log")"
same "push -n: the outbox and its ledger cursor unchanged" "$before" "$(outbox)"
ctl '{"faults": [{"kind": "429", "times": 3}]}'
run "push through 429s" 0 tshop-sync push
grep_err "retried" "HTTP 429, code 36009002; retrying"
grep_err "summary" "pushed 4, failed 0, dead 0"
same "shipments confirmed once" "['579000000000000001', '579000000000000002']" \
    "$(state 'sorted(d["shipments"])')"
same "stock of both SKUs of the product in one call" \
    "{'1729000000000000001': {'7000714532876273410': 40}, '1729000000000000002': {'7000714532876273410': 43}}" \
    "$(state 'd["inventory"]["880"]')"
same "one inventory call" "1" "$(grep -c '"code": 0,.*"path": "/product/202309/products/880/inventory/update"' "$tmp/api.log")"
posts=$(grep -c '"path": "/fulfillment' "$tmp/api.log")
run "push again: the outbox is empty" 0 tshop-sync push
grep_err "nothing pushed" "pushed 0, failed 0"
same "nothing sent again" "$posts" "$(grep -c '"path": "/fulfillment' "$tmp/api.log")"

# --- a permanently failing item goes dead after api.max_attempts runs
check "max attempts" 0 tshop config api.max_attempts 3
ctl '{"item_errors": {"579000000000000003": {"code": 21011025, "message": "Duplicate tracking number.", "times": -1}}}'
check "ship a third" 0 tshop-ship -q 579000000000000003 1Z999AA10123456793 UPS
run "push 1: fails, exit 4" 4 tshop-sync push
grep_err "the API's message" "Duplicate tracking number"
run "push 2" 4 tshop-sync push
check "not dead yet" 0 tshop-sync dead
same "dead list empty" "" "$out"
run "push 3" 4 tshop-sync push
grep_err "dead now" "dead 1"
check "dead" 0 tshop-sync dead
same "id kind key attempts last_error" "shipment	579000000000000003	3" \
    "$(printf '%s\n' "$out" | cut -f2-4)"
deadid=$(printf '%s\n' "$out" | cut -f1)
check "dead -o json" 0 tshop-sync -o json dead
same "the id as a string, attempts as a number (SPEC 2.2)" "\"$deadid\" 3" "$(python3 -c 'import json, sys
r = json.loads(sys.argv[1]); print(json.dumps(r["id"]), json.dumps(r["attempts"]))' "$out")"
grep_dead=$(printf '%s\n' "$out" | cut -f5)
case $grep_dead in *"Duplicate tracking number"*) ok "last_error kept" ;; *) nok "last_error kept" ;; esac
n3=$(grep -c '/orders/579000000000000003/packages' "$tmp/api.log")
run "push skips the dead" 0 tshop-sync push
same "not sent while dead" "$n3" "$(grep -c '/orders/579000000000000003/packages' "$tmp/api.log")"
check "retry" 0 tshop-sync retry
grep_err "queued again" "1 dead-letter entry queued again"
check "dead list empty after retry" 0 tshop-sync dead
same "nothing dead" "" "$out"
ctl '{"clear": true}'
run "push after the fix" 0 tshop-sync push
grep_err "confirmed" "pushed 1, failed 0, dead 0"
check "retry of an unknown id" 2 tshop-sync retry 999

# --- a shipment refused inside a code 0 answer (data.errors) is not confirmed
ctl '{"item_errors": {"579000000000000004": {"code": 21011025, "message": "Duplicate tracking number.", "times": 1, "in_answer": true}}}'
check "ship a fourth" 0 tshop-ship -q 579000000000000004 1Z999AA10123456800 UPS
run "code 0 with data.errors: exit 4" 4 tshop-sync push
grep_err "the error named" "579000000000000004.*Duplicate tracking number.*21011025"
grep_err "not counted as pushed" "pushed 0, failed 1"
same "still in the outbox" "579000000000000004" "$(sqlite3 "$TSHOP_DB" "SELECT key FROM outbox WHERE kind = 'shipment'")"
run "next run confirms it" 0 tshop-sync push
grep_err "pushed once the API took it" "pushed 1, failed 0"
same "the fake API has it" "True" "$(state '"579000000000000004" in d["shipments"]')"

# --- per-item errors inside a code 0 answer
ctl '{"item_errors": {"1729000000000000001": {"code": 12052990, "message": "Check failed", "times": 1}}}'
check "stock change" 0 tshop-stock -q set SKU-1 39
check "stock change 2" 0 tshop-stock -q set SKU-2 5
run "per-item error: exit 4" 4 tshop-sync push
grep_err "the SKU named" "SKU-1.*Check failed"
grep_err "the other SKU confirmed" "pushed 1, failed 1"
run "next run confirms it" 0 tshop-sync push
same "latest quantity pushed" "39" "$(state 'd["inventory"]["880"]["1729000000000000001"]["7000714532876273410"]')"

# --- statements
run "statements -n" 0 tshop-sync -n statements
grep_err "statements -n: what would change" "settlement rows: 3 new, 0 unchanged, 0 conflicting, 0 duplicates"
same "statements -n: nothing stored" "0|0" \
    "$(sqlite3 "$TSHOP_DB" "SELECT (SELECT count(*) FROM settlement), (SELECT count(*) FROM state WHERE key = 'statements.since')")"
run "statements" 0 tshop-sync statements
grep_err "three transactions" "pulled 3, merged 3"
check "settlement rows" 0 tshop-settle summary --by statement
same "statement summary" "7238804564097517339	3	200.00	0.00	20.00	10.00	20.00	0.00	-50.00	100.00" \
    "$(printf '%s\n' "$out" | cut -f1-10)"
run "statements again: nothing new" 0 tshop-sync statements
check "still three rows" 0 tshop-settle summary --by statement
same "idempotent" "3" "$(printf '%s\n' "$out" | cut -f2)"

# --- tokens: an expired token is refreshed and written back 0600
ctl '{"expire_tokens": true}'
run "shops after the token expired" 0 tshop-sync shops
same "name region cipher" "Fake test shop	US	GCP_test_cipher" "$out"
grep_err "refreshed" "refreshing the access token"
newtok=$(sed -n 's/^TSHOP_ACCESS_TOKEN=//p' "$cred")
[ -n "$newtok" ] && [ "$newtok" != "$token" ] && ok "new token written back" || nok "new token written back"
same "credentials file stays 0600" "600" "$(stat -c %a "$cred")"
newrefresh=$(sed -n 's/^TSHOP_REFRESH_TOKEN=//p' "$cred")

# --- failures: a refused signature, a loose credentials file
run "wrong secret: exit 4" 4 env TSHOP_APP_SECRET=not_the_secret tshop-sync shops
grep_err "the API's message" 'Invalid credentials. The `sign` query parameter is invalid.'
grep_err "and what to check" "TSHOP_APP_SECRET"
chmod 644 "$cred"
run "credentials file 0644: exit 3" 3 tshop-sync shops
grep_err "names the fix" "chmod 600 .*credentials"
chmod 600 "$cred"
run "auth code" 0 tshop-sync auth TEST_AUTH_CODE
grep_err "stored" "access token stored"
run "a used auth code: exit 4" 4 tshop-sync auth TEST_AUTH_CODE

# --- tokens from the environment only: the first refresh writes them to the
# file, and from then on the file's tokens win (the environment's are spent)
envtok=$(sed -n 's/^TSHOP_ACCESS_TOKEN=//p' "$cred")
envref=$(sed -n 's/^TSHOP_REFRESH_TOKEN=//p' "$cred")
grep -v '^TSHOP_\(ACCESS\|REFRESH\)_TOKEN' "$cred" >"$tmp/cred.keys"
cat "$tmp/cred.keys" >"$cred"
ctl '{"expire_tokens": true}'
run "tokens in the environment, expired: refreshed" 0 \
    env TSHOP_ACCESS_TOKEN="$envtok" TSHOP_REFRESH_TOKEN="$envref" tshop-sync shops
grep_err "refreshed" "refreshing the access token"
ftok=$(sed -n 's/^TSHOP_ACCESS_TOKEN=//p' "$cred")
fref=$(sed -n 's/^TSHOP_REFRESH_TOKEN=//p' "$cred")
[ -n "$fref" ] && [ "$fref" != "$envref" ] && ok "the new tokens written to the file" ||
    nok "the new tokens written to the file"
ctl '{"expire_tokens": true}'
run "the next run: the file's tokens win over the spent ones in the environment" 0 \
    env TSHOP_ACCESS_TOKEN="$envtok" TSHOP_REFRESH_TOKEN="$envref" tshop-sync shops
grep_err "refreshed with the file's refresh token" "refreshing the access token"
same "the shop" "Fake test shop	US	GCP_test_cipher" "$out"

# --- a SKU first seen in a pulled order gets its product_id, so its stock reaches the outbox
export TSHOP_DB="$tmp/c.db"
now=$(date +%s)
printf '{"id":"579000000000099999","status":"AWAITING_SHIPMENT","create_time":%s,"paid_time":%s,"update_time":%s,"line_items":[{"id":"999999","sku_id":"1729000000000000099","product_id":"990","seller_sku":"SKU-P","product_name":"New thing","sale_price":"5.00"}]}\n' \
    "$((now - 5))" "$((now - 5))" "$((now - 5))" >>"$tmp/orders.jsonl"
run "pull an order of a new SKU" 0 tshop-sync orders --since "$(date -u -d @$((now - 60)) +%Y-%m-%dT%H:%M:%SZ)"
grep_err "one order" "pulled 1, merged 1"
same "the catalog entry has the line's product_id" "SKU-P|1729000000000000099|990" \
    "$(sqlite3 "$TSHOP_DB" "SELECT sku, sku_id, product_id FROM sku WHERE sku = 'SKU-P'")"
run "its stock change is in the outbox" 0 tshop-sync -n push
same "push -n: the SKU's stock, oversold sent as 0" \
    'stock	SKU-P	/product/202309/products/990/inventory/update	{"id":"1729000000000000099","inventory":[{"quantity":0}]}	' "$out"
export TSHOP_DB="$tmp/shop.db"

# --- an order settled in two statements: both rows kept, the second
# reported as a duplicate, as tshop-settle import does
kill "$fake" 2>/dev/null
cat >"$tmp/dup.json" <<'JSON'
{"statements": [
  {"id": "S100", "statement_time": 1685548800, "settlement_amount": "9", "currency": "USD"},
  {"id": "S101", "statement_time": 1685635200, "settlement_amount": "9", "currency": "USD"}],
 "statement_transactions": {
  "S100": [{"id": "T1", "type": "ORDER", "order_id": "111", "settlement_amount": "9",
            "revenue_amount": "10", "fee_tax_amount": "-1", "adjustment_amount": "0"}],
  "S101": [{"id": "T2", "type": "ORDER", "order_id": "111", "settlement_amount": "9",
            "revenue_amount": "10", "fee_tax_amount": "-1", "adjustment_amount": "0"}]}}
JSON
fake_api --data "$tmp/dup.json" --log "$tmp/api2.log" \
    --access-token "$(sed -n 's/^TSHOP_ACCESS_TOKEN=//p' "$cred")" \
    --refresh-token "$(sed -n 's/^TSHOP_REFRESH_TOKEN=//p' "$cred")"
export TSHOP_DB="$tmp/dup.db"
tshop init 2>/dev/null
run "statements of an order settled twice" 0 tshop-sync statements
grep_err "the second reported" "statement 'S101': order '111' is settled already \(statement 'S100'\): kept, reported as a duplicate"
grep_err "and counted" "settlement rows: 1 new, 0 unchanged, 0 conflicting, 1 duplicates"
check "settle check" 1 tshop-settle check --statement S101
same "the duplicate finding" "111	duplicate	0.00	9.00" "$(printf '%s\n' "$out" | grep duplicate | cut -f1-4)"
# a delivery option whose id is part of another's is still asked for its carriers
cat >"$tmp/opts.json" <<'JSON'
{"delivery_options": {"7000714532876273410": [{"id": "17", "name": "Two day"}, {"id": "7", "name": "Ground"}]},
 "shipping_providers": {"17": [{"id": "7117858858072016686", "name": "USPS"}],
                        "7": [{"id": "7117859084333745990", "name": "OnTrac"}]}}
JSON
fake_api --data "$tmp/opts.json" \
    --access-token "$(sed -n 's/^TSHOP_ACCESS_TOKEN=//p' "$cred")" \
    --refresh-token "$(sed -n 's/^TSHOP_REFRESH_TOKEN=//p' "$cred")"
export TSHOP_DB="$tmp/opts.db"
tshop init 2>/dev/null
run "carriers of options 17 and 7" 0 tshop-sync carriers
same "both options' carriers" "OnTrac|7117859084333745990
USPS|7117858858072016686" "$(sqlite3 "$TSHOP_DB" "SELECT name, provider_id FROM carrier WHERE provider_id IS NOT NULL ORDER BY name")"
export TSHOP_DB="$tmp/shop.db"

# --- secrets never in output
leak=0
for s in "$secret" "$token" "$refresh" "$newtok" "$newrefresh" "$envtok" "$envref" "$ftok" "$fref" \
    "$(sed -n 's/^TSHOP_ACCESS_TOKEN=//p' "$cred")" "$(sed -n 's/^TSHOP_REFRESH_TOKEN=//p' "$cred")" \
    not_the_secret; do
	grep -qF -- "$s" "$all" && leak=1
done
same "no secret or token in any output" 0 "$leak"

finish
