"""Python peer of bulk tshop-ship: validate order_id<TAB>tracking<TAB>carrier lines
(order known, ready to ship, seller-shipped, tracking format and check digit of the
carrier, not used by another order), mark the good ones shipped in one transaction,
write the bad lines to REJECTS.  usage: py_ship.py DB FILE REJECTS NOW
prints: shipped N rejected M"""
import re
import sqlite3
import sys

USPS = re.compile(r"^(?:9[1-5]\d{20}|9[1-5]\d{24}|\d{20})$")
UPS = re.compile(r"^1Z[0-9A-Z]{16}$")
FEDEX = re.compile(r"^\d{12}$|^\d{15}$")


def usps_ok(t):
    d, c = t[:-1], t[-1]
    tot = sum(int(ch) * (3 if i % 2 == 0 else 1) for i, ch in enumerate(reversed(d)))
    return str((10 - tot % 10) % 10) == c


def ups_ok(t):
    body = t[2:17]
    tot = 0
    for i, ch in enumerate(body):
        v = int(ch) if ch.isdigit() else (ord(ch) - 63) % 10
        tot += v * (2 if i % 2 == 1 else 1)
    return str((10 - tot % 10) % 10) == t[17]


def fedex_ok(t):
    if len(t) != 12:
        return True          # other FedEx formats: no check digit here
    w = [1, 3, 7]
    tot = sum(int(ch) * w[i % 3] for i, ch in enumerate(reversed(t[:11])))
    return str(tot % 11 % 10) == t[11]


CARRIERS = {"USPS": (USPS, usps_ok), "UPS": (UPS, ups_ok), "FEDEX": (FEDEX, fedex_ok),
            "FEDEX EXPRESS": (FEDEX, fedex_ok)}


def main():
    dbpath, path, rejpath, now = sys.argv[1:5]
    db = sqlite3.connect(dbpath)
    get = "SELECT status, shipping_type, tracking FROM orders WHERE order_id = ?"
    used = "SELECT 1 FROM orders WHERE tracking = ? AND order_id <> ? LIMIT 1"
    upd = ("UPDATE orders SET status = 'IN_TRANSIT', tracking = ?, carrier = ?, shipped_at = ?"
           " WHERE order_id = ?")
    shipped = rejected = 0
    with open(path, encoding="utf-8") as f, open(rejpath, "w", encoding="utf-8") as rej, db:
        for line in f:
            p = line.rstrip("\n").split("\t")
            ok = len(p) >= 3
            if ok:
                oid, tn, car = p[0].strip(), p[1].strip(), p[2].strip()
                row = db.execute(get, (oid,)).fetchone()
                spec = CARRIERS.get(car.upper())
                ok = (row is not None and row[0] not in ("UNPAID", "ON_HOLD", "CANCELLED")
                      and row[1] == "SELLER" and spec is not None
                      and spec[0].match(tn) is not None and spec[1](tn)
                      and db.execute(used, (tn, oid)).fetchone() is None)
            if ok:
                db.execute(upd, (tn, car, now, oid))
                shipped += 1
            else:
                rej.write(line)
                rejected += 1
    print("shipped %d rejected %d" % (shipped, rejected))


main()
