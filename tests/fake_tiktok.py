#!/usr/bin/env python3
"""fake_tiktok.py -- a fake TikTok Shop Open API for tshop's tests.

Listens on 127.0.0.1 (port 0: the kernel picks one, written to --port-file)
and plays both hosts of the real API: the Open API (TSHOP_API_URL) and the
auth host (TSHOP_AUTH_URL).  It checks requests the way the real API does
(SPEC 4.8 and the official API reference):

  * app_key must be the app's; timestamp within [now - 300 s, now + 30 s];
  * sign = lowercase hex HMAC-SHA256(app_secret, app_secret + path +
    sorted(key + value, except sign and access_token) + body + app_secret),
    with the query decoded as a Go server decodes it (so an unencoded '+'
    in a page_token becomes a space and the signature fails);
  * x-tts-access-token must be a token it issued (105002 once expired);
  * shop_cipher required on shop-scoped paths (106013), refused on others;

and answers with the documented envelope {code, message, request_id, data}
and the response shapes of the API reference samples.  Endpoints:

  GET  /authorization/202309/shops
  POST /order/202309/orders/search          (orders from --orders, JSON Lines)
  GET  /logistics/202309/warehouses
  GET  /logistics/202309/warehouses/{id}/delivery_options
  GET  /logistics/202309/delivery_options/{id}/shipping_providers
  POST /fulfillment/202309/orders/{order_id}/packages
  POST /product/202309/products/{product_id}/inventory/update
  GET  /finance/{version}/statements
  GET  /finance/{version}/statements/{id}/statement_transactions
  GET  /api/v2/token/get, /api/v2/token/refresh  (the auth host; unsigned)

Faults, from the command line (--fault KIND[:TIMES[:PATH_PREFIX]], TIMES -1
for ever) or at run time with POST /_control {"faults": [{"kind": K,
"times": N, "path": PREFIX, "seconds": S}]}:

  429        HTTP 429, code 36009002 (too many requests)
  500        HTTP 500, code 36009003 (internal error)
  503        HTTP 503 without an envelope
  busy       HTTP 200, code 36009007 (request timeout)
  slow       wait `seconds` (default 5) before answering normally
  expired    code 105002 (as if the access token had expired)
  sign       code 106001 (signature is invalid)
  timestamp  code 36009004 with the real timestamp message
  scope      code 105005 (missing access scope)
  drop       send the headers and half of the real answer, then hang up
  reset      hang up without answering
  error      {"code": C, "message": M, "http": H} as given

Other controls (POST /_control): {"expire_tokens": true} expires every
access token issued so far; {"item_errors": {"ID": {"code": C, "message": M,
"times": N}}} makes the order ID (packages) or SKU ID (inventory) fail --
a whole-call error for packages (with "in_answer": true, an error inside
data.errors of a code 0 answer), a per-item error inside a code 0 answer
for inventory; {"clear": true} drops faults and item errors;
{"reset_state": true} forgets shipments and inventory.  GET /_state answers
the state (shipments, inventory, tokens, counters); --state FILE keeps a
copy of it up to date.  --log FILE gets one JSON line per request: method,
path, query without secrets, sign_ok, token_ok, status, code, fault, and
the body of orders/search (its filters).

Python 3 standard library only.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

TOKEN_PREFIX = b"\xfb\xff\xbf"  # base64 "+/+/": every page token holds '+' and '/'

SHOP_SCOPED = re.compile(r"^/(order|fulfillment|logistics|product|finance|event|return_refund)/")
NOT_SHOP_SCOPED = re.compile(r"^/(authorization|seller)/")

MSG_TOO_MANY = "Too many requests. You've made too many requests in a short period of time."
MSG_INTERNAL = ("Internal error. Please try again. If the issue persists after multiple "
                "attempts, please contact platform support.")
MSG_BUSY = "Request timeout. The request to the endpoint timed out."
MSG_EXPIRED = "Expired credentials. The `access_token` or `x-tts-access-token` header has expired."
MSG_SIGN = "Invalid credentials. The `sign` query parameter is invalid."
MSG_NO_SIGN = "Missing credentials. The request does not include a required signature in the query."
MSG_BAD_TOKEN = "Invalid credentials. The `x-tts-access-token` header is invalid."
MSG_BAD_APP_KEY = "Invalid credentials. Invalid `app_key` query parameter."
MSG_TS_NEG = "Invalid timestamp. The value of the `timestamp` query parameter must not be lesser than 0."
MSG_TS_OLD = ("Invalid timestamp. The value of the `timestamp` query parameter must not be "
              "earlier than 5 minutes before the current time.")
MSG_TS_NEW = ("Invalid timestamp. The value of the `timestamp` query parameter must not "
              "exceed the current time by more than 30 seconds.")
MSG_SCOPE = ("Access denied. The app is not authorized to access the endpoint because the "
             "access scopes granted for the app or the access token do not contain the "
             "required access scope for the endpoint.")
MSG_NO_CIPHER = ("Missing identifier. The `shop_cipher` query parameter is required to "
                 "identify the target shop.")
MSG_UNEXPECTED_CIPHER = ("Unexpected identifier. The `shop_cipher` query parameter is not "
                         "required for this request.")
MSG_CIPHER_MISMATCH = ("Invalid query or header. The `x-tts-access-token` header is invalid: "
                       "the shop does not match the provided `shop_cipher` query parameter.")
MSG_PATH = "Invalid path. The specified path does not match any available endpoint."
MSG_METHOD = "Invalid method. The HTTP method used is not supported by this endpoint."
MSG_CONTENT_TYPE = ("Invalid request format. The request body format must be `application/json` "
                    "for structured data or `multipart/form-data` for binary files.")

FAULT_ANSWERS = {
    "429": (429, 36009002, MSG_TOO_MANY),
    "500": (500, 36009003, MSG_INTERNAL),
    "busy": (200, 36009007, MSG_BUSY),
    "expired": (401, 105002, MSG_EXPIRED),
    "sign": (401, 106001, MSG_SIGN),
    "timestamp": (401, 36009004, MSG_TS_OLD),
    "scope": (403, 105005, MSG_SCOPE),
}

DEFAULT_WAREHOUSES = [
    {"id": "7000714532876273410", "entity_id": "7395366865142499073", "name": "Main warehouse",
     "effect_status": "ENABLED", "type": "SALES_WAREHOUSE", "sub_type": "DOMESTIC_WAREHOUSE",
     "is_default": True,
     "address": {"region": "United States", "state": "California", "city": "San Jose",
                 "contact_person": "Lee", "postal_code": "95110",
                 "full_address": "1199 Coleman Ave San Jose, CA 95110", "region_code": "US",
                 "phone_number": "(+1)213-***-1234", "address_line1": "1199 Coleman Ave"}},
    {"id": "7000714532876273411", "entity_id": "7395366865142499074", "name": "Returns",
     "effect_status": "ENABLED", "type": "RETURN_WAREHOUSE", "sub_type": "DOMESTIC_WAREHOUSE",
     "is_default": False,
     "address": {"region": "United States", "state": "California", "city": "San Jose",
                 "postal_code": "95110", "region_code": "US"}},
]

DEFAULT_DELIVERY_OPTIONS = [
    {"id": "7091146663229654785", "name": "Standard Shipping", "type": "STANDARD",
     "description": "Delivered in 3-5 business days",
     "dimension_limit": {"max_length": 60, "max_width": 60, "max_height": 60, "length_unit": "CM"},
     "weight_limit": {"max_weight": 30000, "min_weight": 1, "unit": "GRAM"},
     "platform": ["TIKTOK_SHOP"]},
    {"id": "7091146663229654786", "name": "Shipped by seller", "type": "SEND_BY_SELLER",
     "description": "The seller ships with its own carrier", "platform": ["TIKTOK_SHOP"]},
]

DEFAULT_PROVIDERS = {
    "7091146663229654785": [{"id": "7117858858072016686", "name": "USPS"},
                            {"id": "7117859084333745966", "name": "UPS"}],
    "7091146663229654786": [{"id": "7117858858072016686", "name": "USPS"},
                            {"id": "7117859084333745966", "name": "UPS"},
                            {"id": "7117859084333745967", "name": "FedEx"},
                            {"id": "7117859084333745968", "name": "DHL eCommerce"}],
}

DEFAULT_STATEMENTS = [
    {"id": "7238804564097517339", "statement_time": 1685548800, "settlement_amount": "100",
     "currency": "USD", "revenue_amount": "200", "fee_amount": "-30", "adjustment_amount": "-50",
     "payment_status": "PAID", "payment_id": "3459275187040258849", "net_sales_amount": "200",
     "shipping_cost_amount": "-20"},
]

DEFAULT_TRANSACTIONS = {
    "7238804564097517339": [
        {"id": "7238804564097517401", "type": "ORDER", "order_id": "576461413038785752",
         "order_create_time": 1685300000, "settlement_amount": "90", "revenue_amount": "120",
         "shipping_cost_amount": "-12", "fee_tax_amount": "-18", "adjustment_amount": "0",
         "revenue_breakdown": {"subtotal_before_discount_amount": "130",
                               "seller_discount_amount": "-10"},
         "fee_tax_breakdown": {"fee": {"platform_commission_amount": "-12",
                                       "transaction_fee_amount": "-6"}}},
        {"id": "7238804564097517402", "type": "ORDER", "order_id": "576461413038785753",
         "order_create_time": 1685310000, "settlement_amount": "60", "revenue_amount": "80",
         "shipping_cost_amount": "-8", "fee_tax_amount": "-12", "adjustment_amount": "0",
         "revenue_breakdown": {"subtotal_before_discount_amount": "80",
                               "seller_discount_amount": "0"},
         "fee_tax_breakdown": {"fee": {"platform_commission_amount": "-8",
                                       "transaction_fee_amount": "-4"}}},
        {"id": "7238804564097517403", "type": "PLATFORM_PENALTY", "order_id": "",
         "adjustment_id": "7238804564097517999", "adjustment_order_id": "576461413038785752",
         "order_create_time": 1685300000, "settlement_amount": "-50", "revenue_amount": "0",
         "shipping_cost_amount": "0", "fee_tax_amount": "0", "adjustment_amount": "-50"},
    ],
}


class ApiError(Exception):
    """An answer other than success: HTTP status, envelope code, message."""

    def __init__(self, http, code, message):
        super().__init__(message)
        self.http, self.code, self.message = http, code, message


class Hangup(Exception):
    """Close the connection without (a complete) answer."""


class State:
    def __init__(self, args):
        self.lock = threading.RLock()
        self.args = args
        self.app_key = args.app_key
        self.app_secret = args.app_secret
        self.shop_cipher = args.shop_cipher
        self.auth_codes = set(args.auth_code)
        self.ttl = args.token_ttl
        now = int(time.time())
        self.access = {}    # token -> expiry (Unix seconds)
        self.refresh = {}   # token -> expiry
        if args.access_token:
            self.access[args.access_token] = now - 1 if args.expired_token else now + self.ttl
        if args.refresh_token:
            self.refresh[args.refresh_token] = now + 365 * 86400
        self.serial = 0
        self.faults = [parse_fault(f) for f in args.fault]
        self.item_errors = {}
        self.shipments = {}     # order_id -> record
        self.inventory = {}     # product_id -> sku_id -> warehouse_id -> quantity
        self.counts = {"requests": 0, "sign_failures": 0, "token_failures": 0}
        self.requests_by_path = {}
        self.data = load_data(args.data)
        self.orders_mtime = None
        self.orders = []

    def next_serial(self):
        with self.lock:
            self.serial += 1
            return self.serial

    def request_id(self):
        return time.strftime("%Y%m%d%H%M%S", time.gmtime()) + "%020X" % self.next_serial()

    def new_token(self, kind):
        return "TTP_%s_%06d_%s" % (kind, self.next_serial(), os.urandom(6).hex())

    def take_fault(self, method, path):
        with self.lock:
            for f in self.faults:
                if f["times"] == 0:
                    continue
                if f.get("path") and not path.startswith(f["path"]):
                    continue
                if f.get("method") and f["method"] != method:
                    continue
                if f["times"] > 0:
                    f["times"] -= 1
                return dict(f)
        return None

    def take_item_error(self, key):
        with self.lock:
            err = self.item_errors.get(key)
            if err is None or err.get("times", -1) == 0:
                return None
            if err.get("times", -1) > 0:
                err["times"] -= 1
            return err

    def load_orders(self):
        path = self.args.orders
        if not path:
            return []
        with self.lock:
            try:
                mtime = os.stat(path).st_mtime_ns
            except OSError:
                return []
            if mtime != self.orders_mtime:
                orders = []
                with open(path, encoding="utf-8") as fp:
                    for line in fp:
                        line = line.strip()
                        if line:
                            orders.append(json.loads(line))
                self.orders, self.orders_mtime = orders, mtime
            return self.orders

    def snapshot(self):
        with self.lock:
            return {
                "shipments": self.shipments,
                "inventory": self.inventory,
                "access_tokens": sorted(self.access),
                "refresh_tokens": sorted(self.refresh),
                "counts": self.counts,
                "requests_by_path": self.requests_by_path,
                "faults_left": [f for f in self.faults if f["times"] != 0],
            }

    def save(self):
        if not self.args.state:
            return
        with self.lock:
            text = json.dumps(self.snapshot(), indent=1, sort_keys=True)
            tmp = self.args.state + ".tmp"
            with open(tmp, "w", encoding="utf-8") as fp:
                fp.write(text)
            os.replace(tmp, self.args.state)


def parse_fault(spec):
    if isinstance(spec, dict):
        f = dict(spec)
    else:
        parts = spec.split(":", 2)
        f = {"kind": parts[0]}
        if len(parts) > 1 and parts[1]:
            f["times"] = int(parts[1])
        if len(parts) > 2 and parts[2]:
            f["path"] = parts[2]
    f.setdefault("times", 1)
    known = set(FAULT_ANSWERS) | {"503", "slow", "drop", "reset", "error"}
    if f["kind"] not in known:
        raise ValueError("unknown fault kind %r" % f["kind"])
    return f


def load_data(path):
    data = {"shops": None, "warehouses": DEFAULT_WAREHOUSES,
            "delivery_options": {}, "shipping_providers": DEFAULT_PROVIDERS,
            "statements": DEFAULT_STATEMENTS, "statement_transactions": DEFAULT_TRANSACTIONS,
            "products": None}
    if path:
        with open(path, encoding="utf-8") as fp:
            data.update(json.load(fp))
    return data


def sign_of(secret, path, query, body):
    """The signature of SPEC 4.8 over decoded query values."""
    s = path + "".join(k + v for k, v in sorted(query.items())
                       if k not in ("sign", "access_token"))
    msg = secret.encode() + s.encode() + body + secret.encode()
    return hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()


def page_token(offset, key):
    return base64.b64encode(TOKEN_PREFIX + json.dumps([offset, key]).encode()).decode()


def read_page_token(token, key):
    try:
        raw = base64.b64decode(token, validate=True)
        if not raw.startswith(TOKEN_PREFIX):
            raise ValueError
        offset, k = json.loads(raw[len(TOKEN_PREFIX):])
        if k != key or not isinstance(offset, int) or offset < 0:
            raise ValueError
        return offset
    except (ValueError, TypeError):
        raise ApiError(200, 36009004, "Invalid page_token. The `page_token` query parameter "
                       "is invalid or does not belong to this query.")


def page_size(query, default=20, maximum=100):
    v = query.get("page_size", "")
    if v == "":
        if default is None:
            raise ApiError(200, 36009004, "Invalid parameter. `page_size` is required.")
        return default
    try:
        n = int(v)
    except ValueError:
        n = 0
    if not 1 <= n <= maximum:
        raise ApiError(200, 36009004, "Invalid parameter. `page_size` must be between 1 and %d."
                       % maximum)
    return n


def paginate(items, query, key, default_size=20):
    size = page_size(query, default_size)
    token = query.get("page_token", "")
    offset = read_page_token(token, key) if token else 0
    page = items[offset:offset + size]
    nxt = page_token(offset + size, key) if offset + size < len(items) else ""
    return page, nxt


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeTikTokShop/1.0"
    state = None  # set in main

    def log_message(self, fmt, *args):  # quiet: the request log is --log
        pass

    # -- plumbing --

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def send_json(self, status, obj, truncate=False):
        body = json.dumps(obj, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if truncate:
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            raise Hangup()
        self.wfile.write(body)

    def send_text(self, status, text):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def hang_up(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def handle_any(self, method):
        st = self.state
        url = urlsplit(self.path)
        path = unquote(url.path)
        # Decoded like a Go server's URL.Query(): '+' is a space.
        query = {}
        for k, v in parse_qsl(url.query, keep_blank_values=True):
            query.setdefault(k, v)
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n > 0 else b""
        entry = {"t": round(time.time(), 3), "method": method, "path": path,
                 "query": {k: v for k, v in query.items()
                           if k not in ("sign", "app_secret", "access_token", "refresh_token",
                                        "auth_code")},
                 "sign_ok": None, "token_ok": None, "status": None, "code": None, "fault": None}
        try:
            if path.startswith("/_"):
                self.control(method, path, body)
                return
            with st.lock:
                st.counts["requests"] += 1
                st.requests_by_path[path] = st.requests_by_path.get(path, 0) + 1
            if path == "/order/202309/orders/search":
                try:  # the search filters, for the tests (no secrets in them)
                    entry["body"] = json.loads(body or b"{}")
                except ValueError:
                    pass
            status, code, obj, truncate = self.api(method, path, query, body, entry)
            entry["status"], entry["code"] = status, code
            if obj is None:
                self.send_text(status, "Service Unavailable")
            else:
                self.send_json(status, obj, truncate)
        except Hangup:
            entry["status"] = "hangup"
            self.hang_up()
        except (BrokenPipeError, ConnectionResetError):
            entry["status"] = entry["status"] or "client gone"
            self.close_connection = True
        finally:
            if not path.startswith("/_"):
                self.log(entry)
                if method != "GET" or path.startswith("/api/v2/token/"):
                    st.save()

    def log(self, entry):
        if not self.state.args.log:
            return
        with self.state.lock:
            with open(self.state.args.log, "a", encoding="utf-8") as fp:
                fp.write(json.dumps(entry, sort_keys=True) + "\n")

    def envelope(self, code, message, data=None):
        obj = {"code": code, "message": message, "request_id": self.state.request_id()}
        if data is not None:
            obj["data"] = data
        return obj

    # -- the API --

    def api(self, method, path, query, body, entry):
        """Answer one API request: (status, code, json or None, truncate)."""
        st = self.state
        truncate = False
        fault = st.take_fault(method, path)
        if fault is not None:
            entry["fault"] = fault["kind"]
            kind = fault["kind"]
            if kind == "slow":
                time.sleep(float(fault.get("seconds", 5)))
            elif kind == "reset":
                raise Hangup()
            elif kind == "drop":
                truncate = True
            elif kind == "503":
                return 503, None, None, False
            elif kind == "error":
                code = int(fault.get("code", 36009003))
                return (int(fault.get("http", 200)), code,
                        self.envelope(code, fault.get("message", "Injected error.")), False)
            else:
                http, code, msg = FAULT_ANSWERS[kind]
                return http, code, self.envelope(code, msg), False
        try:
            if path.startswith("/api/v2/token/"):
                data = self.token(method, path, query)
            else:
                route, args = self.route(method, path)
                self.verify(method, path, query, body, entry)
                data = route(query, self.json_body(body), *args)
            return 200, 0, self.envelope(0, "Success", data), truncate
        except ApiError as err:
            return err.http, err.code, self.envelope(err.code, err.message), False

    def route(self, method, path):
        table = [
            ("GET", r"/authorization/202309/shops", self.shops),
            ("POST", r"/order/202309/orders/search", self.orders_search),
            ("GET", r"/logistics/202309/warehouses", self.warehouses),
            ("GET", r"/logistics/202309/warehouses/([^/]+)/delivery_options", self.delivery_options),
            ("GET", r"/logistics/202309/delivery_options/([^/]+)/shipping_providers",
             self.shipping_providers),
            ("POST", r"/fulfillment/202309/orders/([^/]+)/packages", self.packages),
            ("POST", r"/product/202309/products/([^/]+)/inventory/update", self.inventory_update),
            ("GET", r"/finance/\d{6}/statements", self.statements),
            ("GET", r"/finance/\d{6}/statements/([^/]+)/statement_transactions",
             self.statement_transactions),
        ]
        wrong_method = False
        for m, pattern, fn in table:
            mo = re.fullmatch(pattern, path)
            if mo:
                if m == method:
                    return fn, mo.groups()
                wrong_method = True
        if wrong_method:
            raise ApiError(405, 36009010, MSG_METHOD)
        raise ApiError(404, 36009009, MSG_PATH)

    def verify(self, method, path, query, body, entry):
        st = self.state
        if query.get("app_key") != st.app_key:
            raise ApiError(401, 36009004, MSG_BAD_APP_KEY)
        if not query.get("sign"):
            raise ApiError(401, 36009004, MSG_NO_SIGN)
        try:
            ts = int(query.get("timestamp", ""))
        except ValueError:
            ts = -1
        now = int(time.time()) + st.args.clock_skew
        if ts < 0:
            raise ApiError(401, 36009004, MSG_TS_NEG)
        if ts < now - 300:
            raise ApiError(401, 36009004, MSG_TS_OLD)
        if ts > now + 30:
            raise ApiError(401, 36009004, MSG_TS_NEW)
        ctype = self.headers.get("Content-Type", "")
        signed_body = b"" if ctype.lower().startswith("multipart/form-data") else body
        entry["sign_ok"] = hmac.compare_digest(
            sign_of(st.app_secret, path, query, signed_body), query["sign"])
        if not entry["sign_ok"]:
            with st.lock:
                st.counts["sign_failures"] += 1
            raise ApiError(401, 106001, MSG_SIGN)
        token = self.headers.get("x-tts-access-token", "")
        with st.lock:
            expiry = st.access.get(token)
        entry["token_ok"] = expiry is not None and expiry > time.time()
        if expiry is None:
            with st.lock:
                st.counts["token_failures"] += 1
            raise ApiError(401, 36009004, MSG_BAD_TOKEN)
        if expiry <= time.time():
            with st.lock:
                st.counts["token_failures"] += 1
            raise ApiError(401, 105002, MSG_EXPIRED)
        cipher = query.get("shop_cipher")
        if SHOP_SCOPED.match(path):
            if not cipher:
                raise ApiError(400, 106013, MSG_NO_CIPHER)
            if cipher != st.shop_cipher:
                raise ApiError(401, 101000, MSG_CIPHER_MISMATCH)
        elif NOT_SHOP_SCOPED.match(path) and cipher is not None:
            raise ApiError(400, 36009004, MSG_UNEXPECTED_CIPHER)
        if method in ("POST", "PUT") and body and \
                not ctype.lower().startswith("application/json"):
            raise ApiError(400, 36009022, MSG_CONTENT_TYPE)

    @staticmethod
    def json_body(body):
        if not body:
            return {}
        try:
            obj = json.loads(body)
        except ValueError:
            raise ApiError(400, 36009022, "Invalid request format. The body is not valid JSON.")
        if not isinstance(obj, dict):
            raise ApiError(400, 36009022, "Invalid request format. The body must be an object.")
        return obj

    # -- auth host --

    def token(self, method, path, query):
        st = self.state
        if method != "GET":
            raise ApiError(405, 36009010, MSG_METHOD)
        if query.get("app_key") != st.app_key or query.get("app_secret") != st.app_secret:
            raise ApiError(200, 36004004, "Invalid credentials. app_key or app_secret is wrong.")
        now = int(time.time())
        with st.lock:
            if path == "/api/v2/token/get":
                if query.get("grant_type") != "authorized_code":
                    raise ApiError(200, 36004004, "Invalid grant_type.")
                code = query.get("auth_code", "")
                if code not in st.auth_codes:
                    raise ApiError(200, 36004004, "The auth_code is invalid, expired or used.")
                st.auth_codes.discard(code)  # single use
            elif path == "/api/v2/token/refresh":
                if query.get("grant_type") != "refresh_token":
                    raise ApiError(200, 36004004, "Invalid grant_type.")
                old = query.get("refresh_token", "")
                if st.refresh.get(old, 0) <= now:
                    raise ApiError(200, 36004004, "The refresh_token is invalid or expired.")
                if not st.args.keep_refresh_token:
                    del st.refresh[old]
            else:
                raise ApiError(404, 36009009, MSG_PATH)
            access = st.new_token("access")
            refresh = st.new_token("refresh")
            st.access[access] = now + st.ttl
            st.refresh[refresh] = now + 365 * 86400
        return {"access_token": access, "access_token_expire_in": now + st.ttl,
                "refresh_token": refresh, "refresh_token_expire_in": now + 365 * 86400,
                "open_id": "7010736057180325637", "seller_name": "Fake test shop",
                "seller_base_region": "US", "user_type": 0,
                "granted_scopes": ["seller.authorization.info", "seller.order.info",
                                   "seller.logistics", "seller.fulfillment.basic",
                                   "seller.product.write", "seller.finance.info"]}

    # -- endpoints --

    def shops(self, query, body):
        st = self.state
        shops = st.data.get("shops") or [
            {"id": "7000714532876273420", "name": "Fake test shop", "region": "US",
             "seller_type": "LOCAL", "cipher": st.shop_cipher, "code": "USLCFAKE0001"}]
        return {"shops": shops}

    def orders_search(self, query, body):
        orders = list(self.state.load_orders())

        def num(o, k):
            v = o.get(k)
            return v if isinstance(v, int) else 0

        for k, cmp in (("create_time_ge", lambda a, b: a >= b), ("create_time_lt", lambda a, b: a < b),
                       ("update_time_ge", lambda a, b: a >= b), ("update_time_lt", lambda a, b: a < b)):
            if k in body:
                if not isinstance(body[k], int):
                    raise ApiError(200, 36009004, "Invalid parameter. `%s` must be a Unix time." % k)
                field = k.rsplit("_", 1)[0]
                orders = [o for o in orders if cmp(num(o, field), body[k])]
        if body.get("order_status"):
            orders = [o for o in orders if o.get("status") == body["order_status"]]
        if body.get("shipping_type"):
            orders = [o for o in orders if o.get("shipping_type", "SELLER") == body["shipping_type"]]
        field = query.get("sort_field", "create_time")
        if field not in ("create_time", "update_time"):
            raise ApiError(200, 36009004, "Invalid parameter. `sort_field` is invalid.")
        order = query.get("sort_order", "DESC")
        if order not in ("ASC", "DESC"):
            raise ApiError(200, 36009004, "Invalid parameter. `sort_order` is invalid.")
        orders.sort(key=lambda o: str(o.get("id", "")))
        orders.sort(key=lambda o: num(o, field), reverse=(order == "DESC"))
        key = hashlib.sha256(json.dumps([body, field, order], sort_keys=True).encode()).hexdigest()[:16]
        if not query.get("page_size"):
            raise ApiError(200, 36009004, "Invalid parameter. `page_size` is required.")
        page, nxt = paginate(orders, query, key)
        return {"next_page_token": nxt, "total_count": len(orders), "orders": page}

    def warehouses(self, query, body):
        return {"warehouses": self.state.data["warehouses"]}

    def delivery_options(self, query, body, warehouse_id):
        if not any(w["id"] == warehouse_id for w in self.state.data["warehouses"]):
            raise ApiError(200, 12052097, "The warehouse does not exist")
        options = self.state.data["delivery_options"].get(warehouse_id, DEFAULT_DELIVERY_OPTIONS)
        return {"delivery_options": options}

    def shipping_providers(self, query, body, option_id):
        providers = self.state.data["shipping_providers"].get(option_id)
        if providers is None:
            raise ApiError(200, 21001001, "The delivery option does not exist.")
        return {"shipping_providers": providers}

    def known_provider(self, pid):
        return any(p["id"] == pid for ps in self.state.data["shipping_providers"].values() for p in ps)

    def packages(self, query, body, order_id):
        st = self.state
        tracking = body.get("tracking_number")
        provider = body.get("shipping_provider_id")
        if not isinstance(tracking, str) or not tracking or not isinstance(provider, str) \
                or not self.known_provider(provider):
            raise ApiError(200, 21011022, "Invalid tracking number or provider ID. Please double "
                           "check and try again.")
        err = st.take_item_error(order_id)
        if err is not None and err.get("in_answer"):
            # code 0, but the package was not created: the error is in data.errors
            return {"errors": [{"code": int(err.get("code", 21011025)),
                                "message": err.get("message", "Duplicate tracking number."),
                                "detail": {"order_id": order_id}}]}
        if err is not None:
            raise ApiError(int(err.get("http", 200)), int(err.get("code", 21011025)),
                           err.get("message", "Duplicate tracking number."))
        with st.lock:
            if order_id in st.shipments:
                raise ApiError(200, 21011006, "These orders are already shipped.")
            line_ids = body.get("order_line_item_ids") or []
            if not line_ids:
                for o in st.load_orders():
                    if str(o.get("id")) == order_id:
                        line_ids = [li.get("id") for li in o.get("line_items", []) if li.get("id")]
            package_id = "11523211%011d" % st.next_serial()
            st.shipments[order_id] = {"order_id": order_id, "tracking_number": tracking,
                                      "shipping_provider_id": provider,
                                      "order_line_item_ids": line_ids, "package_id": package_id,
                                      "time": int(time.time())}
        return {"order_id": order_id, "order_line_item_ids": line_ids, "package_id": package_id}

    def inventory_update(self, query, body, product_id):
        st = self.state
        skus = body.get("skus")
        if not isinstance(skus, list) or not skus:
            raise ApiError(200, 12052902, "The SKU list is empty. Either omit the list entirely, "
                           "or provide all required details.")
        products = st.data.get("products")
        warehouses = {w["id"] for w in st.data["warehouses"] if w.get("type") == "SALES_WAREHOUSE"}
        default_wh = next(iter(sorted(warehouses)), "")
        errors = []
        for sku in skus:
            sku_id = str(sku.get("id", ""))
            err = st.take_item_error(sku_id)
            if err is not None:
                errors.append({"code": int(err.get("code", 12052990)),
                               "message": err.get("message", "Check failed"),
                               "detail": {"sku_id": sku_id}})
                continue
            if products is not None and sku_id not in products.get(product_id, []):
                errors.append({"code": 12052556, "message": "The SKU id not exist.",
                               "detail": {"sku_id": sku_id}})
                continue
            extra, levels = [], {}
            for inv in sku.get("inventory") or []:
                wh = str(inv.get("warehouse_id") or default_wh)
                q = inv.get("quantity")
                if wh not in warehouses:
                    extra.append({"warehouse_id": wh, "code": 12052097,
                                  "message": "The warehouse does not exist"})
                elif not isinstance(q, int) or isinstance(q, bool) or not 0 <= q <= 99999:
                    extra.append({"warehouse_id": wh, "code": 12052230,
                                  "message": "The quantity must be between 0 and 99999."})
                else:
                    levels[wh] = q
            if extra or not levels:
                errors.append({"code": 12052990, "message": "Check failed",
                               "detail": {"sku_id": sku_id, "extra_errors": extra}})
                continue
            with st.lock:
                st.inventory.setdefault(product_id, {}).setdefault(sku_id, {}).update(levels)
        return {"errors": errors} if errors else {}

    def statements(self, query, body):
        if query.get("sort_field") != "statement_time":
            raise ApiError(200, 36009004, "Invalid parameter. `sort_field` must be statement_time.")
        items = list(self.state.data["statements"])
        for k, cmp in (("statement_time_ge", lambda a, b: a >= b),
                       ("statement_time_lt", lambda a, b: a < b)):
            if query.get(k):
                try:
                    bound = int(query[k])
                except ValueError:
                    raise ApiError(200, 36009004, "Invalid parameter. `%s` is invalid." % k)
                items = [s for s in items if cmp(s.get("statement_time", 0), bound)]
        if query.get("payment_status"):
            items = [s for s in items if s.get("payment_status") == query["payment_status"]]
        items.sort(key=lambda s: (s.get("statement_time", 0), s.get("id", "")),
                   reverse=query.get("sort_order", "ASC") == "DESC")
        key = hashlib.sha256(json.dumps(sorted(
            (k, v) for k, v in query.items()
            if k not in ("page_token", "sign", "timestamp")), sort_keys=True).encode()).hexdigest()[:16]
        page, nxt = paginate(items, query, key)
        return {"next_page_token": nxt, "statements": page}

    def statement_transactions(self, query, body, statement_id):
        if query.get("sort_field") != "order_create_time":
            raise ApiError(200, 36009004,
                           "Invalid parameter. `sort_field` must be order_create_time.")
        st = next((s for s in self.state.data["statements"] if s["id"] == statement_id), None)
        if st is None:
            raise ApiError(200, 36009004, "Invalid parameter. The statement does not exist.")
        items = list(self.state.data["statement_transactions"].get(statement_id, []))
        items.sort(key=lambda t: (t.get("order_create_time", 0), t.get("id", "")),
                   reverse=query.get("sort_order", "ASC") == "DESC")
        page, nxt = paginate(items, query, "tx" + statement_id)
        return {"next_page_token": nxt, "id": statement_id,
                "create_time": st.get("statement_time", 0), "status": "SETTLED",
                "currency": st.get("currency", "USD"),
                "total_settlement_amount": st.get("settlement_amount", "0"),
                "total_count": len(items), "transactions": page}

    # -- control --

    def control(self, method, path, body):
        st = self.state
        if path == "/_state" and method == "GET":
            self.send_json(200, st.snapshot())
            return
        if path != "/_control" or method != "POST":
            self.send_json(404, {"error": "unknown control path"})
            return
        try:
            req = json.loads(body or b"{}")
            with st.lock:
                if req.get("clear"):
                    st.faults, st.item_errors = [], {}
                if req.get("reset_state"):
                    st.shipments, st.inventory = {}, {}
                for f in req.get("faults", []):
                    st.faults.append(parse_fault(f))
                for k, v in (req.get("item_errors") or {}).items():
                    st.item_errors[str(k)] = dict(v)
                if req.get("expire_tokens"):
                    now = time.time()
                    for t in st.access:
                        st.access[t] = min(st.access[t], now - 1)
                if "clock_skew" in req:
                    st.args.clock_skew = int(req["clock_skew"])
            st.save()
            self.send_json(200, {"ok": True})
        except (ValueError, TypeError, KeyError) as err:
            self.send_json(400, {"error": str(err)})


def main():
    p = argparse.ArgumentParser(description="A fake TikTok Shop Open API on 127.0.0.1.")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", help="write the port here once listening")
    p.add_argument("--app-key", default="test_app_key")
    p.add_argument("--app-secret", default="test_app_secret")
    p.add_argument("--access-token", default="TTP_test_access")
    p.add_argument("--refresh-token", default="TTP_test_refresh")
    p.add_argument("--shop-cipher", default="GCP_test_cipher")
    p.add_argument("--auth-code", action="append", default=[],
                   help="an authorization code /api/v2/token/get accepts once")
    p.add_argument("--token-ttl", type=int, default=7 * 86400)
    p.add_argument("--expired-token", action="store_true",
                   help="the --access-token has already expired (105002)")
    p.add_argument("--keep-refresh-token", action="store_true",
                   help="a refresh does not invalidate the refresh token used")
    p.add_argument("--clock-skew", type=int, default=0,
                   help="seconds added to the server's clock")
    p.add_argument("--orders", help="JSON Lines file of orders (API shape), re-read when changed")
    p.add_argument("--data", help="JSON file overriding shops, warehouses, delivery_options, "
                   "shipping_providers, statements, statement_transactions, products")
    p.add_argument("--fault", action="append", default=[], metavar="KIND[:TIMES[:PATH]]")
    p.add_argument("--log", help="append one JSON line per request here")
    p.add_argument("--state", help="keep a JSON copy of the state here")
    p.add_argument("--exit-with-parent", action="store_true",
                   help="exit when the process that started the server goes away")
    args = p.parse_args()
    if not args.auth_code:
        args.auth_code = ["TEST_AUTH_CODE"]

    Handler.state = State(args)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as fp:
            fp.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    else:
        print(port, flush=True)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    if args.exit_with_parent:
        parent = os.getppid()

        def watch():
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
