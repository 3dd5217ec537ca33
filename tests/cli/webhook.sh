# tshop-webhook run the way a web server runs a CGI program (environment
# and standard input), replays from files, the event log, and once behind
# lighttpd's mod_cgi on 127.0.0.1 (skipped when lighttpd is not installed).
. "$(dirname "$0")/lib.sh"

export XDG_CONFIG_HOME="$tmp/cfg"
mkdir -p "$XDG_CONFIG_HOME/tshop"
printf 'TSHOP_APP_KEY=test_app_key\nTSHOP_APP_SECRET=test_app_secret\n' \
    >"$XDG_CONFIG_HOME/tshop/credentials"
chmod 600 "$XDG_CONFIG_HOME/tshop/credentials"

sign() {	# sign SECRET BODY: lowercase hex HMAC-SHA256(secret, app_key + body)
	python3 -c 'import hashlib, hmac, sys
print(hmac.new(sys.argv[1].encode(), b"test_app_key" + sys.argv[2].encode(),
    hashlib.sha256).hexdigest())' "$1" "$2"
}
event() {	# event NOTIFICATION_ID ORDER STATUS UPDATE_TIME
	printf '{"type":1,"tts_notification_id":"%s","shop_id":"7494049642642441621","timestamp":%s,"data":{"order_id":"%s","order_status":"%s","is_on_hold_order":false,"update_time":%s}}' \
	    "$1" "$4" "$2" "$3" "$4"
}
deliver() {	# deliver BODY [SECRET]: POST through the CGI interface
	printf '%s' "$1" | REQUEST_METHOD=POST CONTENT_LENGTH=${#1} \
	    HTTP_AUTHORIZATION=$(sign "${2:-test_app_secret}" "$1") \
	    GATEWAY_INTERFACE=CGI/1.1 tshop-webhook
}
status_of() { tshop-orders list | grep "^$1" | cut -f2; }

cat >"$tmp/orders.jsonl" <<'EOF2'
{"id":"576000000000000001","status":"AWAITING_SHIPMENT","create_time":1795200000,"paid_time":1795200100,"update_time":1795200200,"line_items":[{"sku_id":"1729000000000000001","seller_sku":"MUG-1","sale_price":"9.00"}]}
{"id":"576000000000000002","status":"AWAITING_SHIPMENT","create_time":1795200000,"paid_time":1795200100,"update_time":1795200200,"line_items":[{"sku_id":"1729000000000000001","seller_sku":"MUG-1","sale_price":"9.00"}]}
EOF2
check "orders" 0 tshop-orders -q import "$tmp/orders.jsonl"

e1=$(event 7327112393057371910 576000000000000001 AWAITING_COLLECTION 1795203000)
check "a valid delivery" 0 deliver "$e1"
same "200 with an empty body" "Status: 200 OK|Content-Type: text/plain|Content-Length: 0||" \
    "$(printf '%s\n' "$out" | tr -d '\r' | tr '\n' '|')"
same "applied" "AWAITING_COLLECTION" "$(status_of 576000000000000001)"
check "list" 0 tshop-webhook list
same "received_at notification_id type order_id result" \
    "7327112393057371910	1	576000000000000001	applied" "$(printf '%s\n' "$out" | cut -f2-)"
before=$(tshop-webhook list; tshop-orders list; tshop-stock log)

check "a replay" 0 deliver "$e1"
case $out in "Status: 200"*) ok "replay answered 200" ;; *) nok "replay answered 200" ;; esac
grep_err "reported as duplicate" "duplicate \(a replay: nothing stored\)"
same "a replay changes nothing" "$before" "$(tshop-webhook list; tshop-orders list; tshop-stock log)"

e2=$(event 7327112393057371911 576000000000000001 DELIVERED 1795209000)
check "a forged delivery" 4 deliver "$e2" not_the_secret
same "401" "Status: 401 Unauthorized" "$(printf '%s\n' "$out" | head -1 | tr -d '\r')"
same "a forged delivery stores nothing" "$before" "$(tshop-webhook list; tshop-orders list; tshop-stock log)"
check "no Authorization header" 4 sh -c "printf '%s' '$e2' | REQUEST_METHOD=POST CONTENT_LENGTH=${#e2} tshop-webhook"
same "401 without a signature" "Status: 401 Unauthorized" "$(printf '%s\n' "$out" | head -1 | tr -d '\r')"
check "GET" 2 env REQUEST_METHOD=GET tshop-webhook
same "405" "Status: 405 Method Not Allowed" "$(printf '%s\n' "$out" | head -1 | tr -d '\r')"
check "POST without CONTENT_LENGTH, a wrong signature" 4 sh -c "REQUEST_METHOD=POST HTTP_AUTHORIZATION=$(sign nope '') tshop-webhook </dev/null"
same "an empty body: 401, not 413" "Status: 401 Unauthorized" "$(printf '%s\n' "$out" | head -1 | tr -d '\r')"
check "POST without CONTENT_LENGTH, signed empty body" 0 sh -c "REQUEST_METHOD=POST HTTP_AUTHORIZATION=$(sign test_app_secret '') tshop-webhook </dev/null"
same "an empty body, signed: 200" "Status: 200 OK" "$(printf '%s\n' "$out" | head -1 | tr -d '\r')"
same "recorded under the hash of the empty body" \
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855			applied" \
    "$(tshop-webhook list | grep sha256:e3b0 | cut -f2-)"
check "a signed body that is not JSON" 0 deliver 'not json {'
same "recorded and answered 200" "Status: 200 OK" "$(printf '%s\n' "$out" | head -1 | tr -d '\r')"
grep_err "says there is nothing to apply" "not a JSON object"
same "recorded once, by the hash of its body" "sha256:$(printf 'not json {' | sha256sum | cut -d' ' -f1)			applied" \
    "$(tshop-webhook list | grep "sha256:$(printf 'not json {' | sha256sum | cut -c1-16)" | cut -f2-)"
check "the same body again" 0 deliver 'not json {'
grep_err "a duplicate" "duplicate"
same "still once" "1" "$(tshop-webhook list | grep -c "sha256:$(printf 'not json {' | sha256sum | cut -c1-16)")"
before=$(tshop-webhook list; tshop-orders list; tshop-stock log)

e3=$(event 7327112393057371912 576000000000000001 AWAITING_SHIPMENT 1795202000)
check "an older status" 0 deliver "$e3"
same "stale: not applied" "AWAITING_COLLECTION" "$(status_of 576000000000000001)"
e4=$(event 7327112393057371913 576000000000000009 CANCEL 1795202000)
check "an unknown order" 0 deliver "$e4"
e5=$(event 7327112393057371914 576000000000000001 AWAITING_COLLECTION 1795203000)
check "the same change again, another notification id" 0 deliver "$e5"
e6=$(event 7327112393057371915 576000000000000002 CANCEL 1795204000)
check "a cancellation" 0 deliver "$e6"
same "cancelled" "CANCELLED" "$(status_of 576000000000000002)"
same "stock given back" "+1" "$(tshop-stock log MUG-1 | grep cancel:576000000000000002 | cut -f4)"
check "list -s" 0 tshop-webhook list -s pending
same "pending kept for tshop-sync" "7327112393057371913	1	576000000000000009	pending" \
    "$(printf '%s\n' "$out" | cut -f2-)"
check "list" 0 tshop-webhook list
same "every result" "applied
applied
applied
stale
pending
duplicate
applied" "$(printf '%s\n' "$out" | cut -f5)"

# --file: a replay by the operator
printf '%s' "$(event 7327112393057371916 576000000000000001 DELIVERED 1795290000)" >"$tmp/ev.json"
check "--file with a wrong signature" 4 tshop-webhook --file "$tmp/ev.json" --signature "$(sign nope x)"
grep_err "says so" "signature does not match"
check "--file with the right signature" 0 tshop-webhook --file "$tmp/ev.json" \
    --signature "$(sign test_app_secret "$(cat "$tmp/ev.json")")"
same "notification_id type order_id result" "7327112393057371916	1	576000000000000001	applied" "$out"
same "delivered" "DELIVERED" "$(status_of 576000000000000001)"
check "--file again" 0 tshop-webhook --file "$tmp/ev.json"
same "a replay is a duplicate" "7327112393057371916	1	576000000000000001	duplicate" "$out"
printf '{"type":6,"shop_id":"1","timestamp":1795290000,"data":{"message":"bye"}}' >"$tmp/ev6.json"
check "--file without tts_notification_id" 0 tshop-webhook --file "$tmp/ev6.json"
same "identified by the body's SHA-256; another type: applied (nothing to change)" "sha256:$(python3 -c 'import hashlib, sys
print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$tmp/ev6.json")	6		applied" "$out"
grep_err "the detail says so" "nothing to change"
check "list -s ignored: not a result (SPEC 4.9)" 2 tshop-webhook list -s ignored
same "no 'ignored' in the log" "0" "$(tshop-webhook list | cut -f5 | grep -c ignored)"
printf 'not json' >"$tmp/bad.json"
check "--file not JSON" 2 tshop-webhook --file "$tmp/bad.json"

# -n: the result it would have, nothing stored
printf '%s' "$(event 7327112393057371918 576000000000000002 DELIVERED 1795295000)" >"$tmp/ev8.json"
before=$(tshop-webhook list; tshop-orders list; tshop-stock log)
check "--file -n" 0 tshop-webhook -n --file "$tmp/ev8.json"
same "-n: the result it would have" "7327112393057371918	1	576000000000000002	stale" "$out"
grep_err "-n: says nothing was stored" "dry run"
same "-n: nothing recorded or applied" "$before" "$(tshop-webhook list; tshop-orders list; tshop-stock log)"
printf '%s' "$(event 7327112393057371919 576000000000000001 DELIVERED 1795299000)" >"$tmp/ev9.json"
check "--file -n, an event that would apply" 0 tshop-webhook --dry-run --file "$tmp/ev9.json"
same "-n: applied" "7327112393057371919	1	576000000000000001	applied" "$out"
same "-n: the order unchanged" "$before" "$(tshop-webhook list; tshop-orders list; tshop-stock log)"
check "--file after -n: recorded for real" 0 tshop-webhook --file "$tmp/ev9.json"
same "not a duplicate of the dry run" "7327112393057371919	1	576000000000000001	applied" "$out"

# a database that cannot be opened: still a CGI answer
e10=$(event 7327112393057371920 576000000000000001 DELIVERED 1795299900)
: >"$tmp/notadir"
check "the database cannot be opened: exit 3" 3 env TSHOP_DB="$tmp/notadir/shop.db" sh -c \
    "printf '%s' '$e10' | REQUEST_METHOD=POST CONTENT_LENGTH=${#e10} HTTP_AUTHORIZATION=$(sign test_app_secret "$e10") tshop-webhook"
same "503 with an empty body" "Status: 503 Service Unavailable|Content-Type: text/plain|Content-Length: 0||" \
    "$(printf '%s\n' "$out" | tr -d '\r' | tr '\n' '|')"
grep_err "the reason on stderr" "notadir"

# behind a real CGI server: lighttpd + mod_cgi on 127.0.0.1
lighttpd=$(command -v lighttpd || { [ -x /usr/sbin/lighttpd ] && echo /usr/sbin/lighttpd; })
if [ -z "$lighttpd" ] || ! command -v curl >/dev/null 2>&1; then
	n=$((n + 1)); echo "ok $n # SKIP lighttpd or curl is not installed"
else
	mkdir -p "$tmp/www"
	ln -s "$top/bin/tshop-webhook" "$tmp/www/webhook.cgi"
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	cat >"$tmp/lighttpd.conf" <<EOC
server.modules = ("mod_cgi", "mod_setenv")
server.document-root = "$tmp/www"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$tmp/lighttpd.log"
server.pid-file = "$tmp/lighttpd.pid"
cgi.assign = (".cgi" => "")
setenv.add-environment = ("TSHOP_DB" => "$TSHOP_DB", "XDG_CONFIG_HOME" => "$XDG_CONFIG_HOME")
EOC
	"$lighttpd" -D -f "$tmp/lighttpd.conf" 2>"$tmp/lighttpd.err" &
	httpd=$!
	trap 'kill $httpd 2>/dev/null; rm -rf "$tmp"' EXIT
	i=0
	while ! curl -s -o /dev/null "http://127.0.0.1:$port/" && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	post() {	# post BODY SIGNATURE: the HTTP status code
		curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		    -H "Authorization: $2" --data-binary "$1" "http://127.0.0.1:$port/webhook.cgi"
	}
	e7=$(event 7327112393057371917 576000000000000009 AWAITING_SHIPMENT 1795203000)
	same "lighttpd: a forged delivery is 401" "401" "$(post "$e7" "$(sign nope "$e7")")"
	same "lighttpd: a valid delivery is 200" "200" "$(post "$e7" "$(sign test_app_secret "$e7")")"
	same "lighttpd: the body is empty" "0" "$(wc -c <"$tmp/body" | tr -d ' ')"
	same "lighttpd: a replay is 200" "200" "$(post "$e7" "$(sign test_app_secret "$e7")")"
	check "lighttpd: recorded once" 0 tshop-webhook list
	same "one event from lighttpd" "1" "$(printf '%s\n' "$out" | grep -c 7327112393057371917)"
	kill $httpd 2>/dev/null; wait $httpd 2>/dev/null
fi

finish
