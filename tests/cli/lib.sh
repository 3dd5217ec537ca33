# lib.sh — sourced by every tests/cli/*.sh script.  Each script runs the
# built programs the way a user does, from an empty temporary database,
# and prints TAP lines that tests/run.sh counts.
#
#   check NAME EXPECTED_STATUS COMMAND...   run COMMAND; stdout in $out, stderr in $err
#   same NAME EXPECTED ACTUAL                compare two strings
#   grep_err NAME PATTERN                    $err matches PATTERN (grep -E)
top=$(cd "$(dirname "$0")/../.." && pwd)
PATH="$top/bin:$PATH"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tshop-cli.XXXXXX")
fake=
trap 'kill $fake 2>/dev/null; rm -rf "$tmp"' EXIT
export TSHOP_DB="$tmp/shop.db" TZ=UTC LC_ALL=C
unset TSHOP_NOW XDG_DATA_HOME XDG_CONFIG_HOME TSHOP_APP_KEY TSHOP_APP_SECRET TSHOP_ACCESS_TOKEN
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() {
	name=$1 want=$2; shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
	if [ "$got" -eq "$want" ]; then ok "$name"; else
		nok "$name (exit $got, want $want)"
		sed 's/^/#   stderr: /' "$tmp/err" | head -5
	fi
}
same() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		nok "$1"
		printf '%s\n' "$2" | sed 's/^/#   want: /' | head -20
		printf '%s\n' "$3" | sed 's/^/#   got:  /' | head -20
	fi
}
grep_err() {
	if printf '%s\n' "$err" | grep -Eq -- "$2"; then ok "$1"; else
		nok "$1"; printf '%s\n' "$err" | sed 's/^/#   stderr: /' | head -5
	fi
}
tab=$(printf '\t')
# finish: every database the script built keeps its references (the
# library maintains them; SQLite's enforcement is off), then the TAP plan.
finish() {
	for db in $(find "$tmp" -name '*.db' -type f 2>/dev/null); do
		same "foreign_key_check ${db#"$tmp"/}" "" "$(sqlite3 "$db" 'PRAGMA foreign_key_check;' 2>&1)"
	done
	echo "1..$n"
}
# api_orders FILE N ID_PREFIX SKU_ID_PREFIX NSKUS SELLER_SKU_PREFIX PRICE:
# N orders as the API returns them (JSON Lines, for fake_api --orders), each
# AWAITING_SHIPMENT with one line of SKU i % NSKUS, updated in the last hour.
api_orders() {
	python3 - "$@" <<'EOP'
import json, sys, time
path, n, oid, skuid, nskus, seller, price = sys.argv[1:]
now = int(time.time())
with open(path, "w") as f:
    for i in range(int(n)):
        f.write(json.dumps({"id": "%s%08d" % (oid, i), "status": "AWAITING_SHIPMENT",
            "create_time": now - 86400 + i, "paid_time": now - 86000 + i,
            "update_time": now - 3600 + i, "shipping_type": "SELLER",
            "payment": {"currency": "USD", "sub_total": price},
            "line_items": [{"id": "9%07d" % i, "sku_id": "%s%02d" % (skuid, i % int(nskus)),
                "seller_sku": "%s%d" % (seller, i % int(nskus)), "product_name": "Thing",
                "sale_price": price}]}) + "\n")
EOP
}
# fake_api ARG...: (re)start the fake TikTok Shop API (tests/fake_tiktok.py)
# on 127.0.0.1 with those arguments; sets $fake and $url and points
# TSHOP_API_URL and TSHOP_AUTH_URL at it.  Its output goes to $tmp/fake.log.
fake_api() {
	rm -f "$tmp/port"
	python3 "$top/tests/fake_tiktok.py" --port-file "$tmp/port" --exit-with-parent "$@" \
	    >>"$tmp/fake.log" 2>&1 &
	fake=$!
	i=0
	while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	url="http://127.0.0.1:$(cat "$tmp/port")"
	export TSHOP_API_URL="$url" TSHOP_AUTH_URL="$url"
}
