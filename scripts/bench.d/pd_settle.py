"""pandas peer of tshop-settle import + check (SPEC 4.5), from the three CSV files.
usage: pd_settle.py DIR  -> order_id kind (TSV)"""
import sys
import pandas as pd

d = sys.argv[1]


def cents(s):
    return s.str.replace(".", "", regex=False).astype("int64")


skus = pd.read_csv(d + "/skus.csv", usecols=["sku_id", "category"], dtype=str)
o = pd.read_csv(d + "/orders.csv", usecols=["order_id", "sku_id", "quantity", "unit_price"],
                dtype={"order_id": str, "sku_id": str, "quantity": "int64", "unit_price": str})
o = o.merge(skus, on="sku_id", how="left")
o["amt"] = o.quantity * cents(o.unit_price)
o["w"] = o.amt * o.category.eq("Apparel").map({True: 8, False: 5})
ot = o.groupby("order_id")[["amt", "w"]].sum()
s = pd.read_csv(d + "/settlement.csv", dtype=str)
for c, n in [("gross_sales", "rev"), ("refund_amount", "ref"), ("commission_fee", "com"),
             ("payment_processing_fee", "fee"), ("net_payout", "net")]:
    s[n] = cents(s[c])
s["n"] = s.groupby("order_id").cumcount()
j = s.join(ot, on="order_id")
known = j.amt.notna()
k = j[known].copy()
k["amt"] = k.amt.astype("int64")
k["w"] = k.w.astype("int64")
out = [j.loc[~known, ["order_id"]].assign(kind="unknown-order"),
       j.loc[j.n > 0, ["order_id"]].assign(kind="duplicate"),
       k.loc[k.rev != k.amt, ["order_id"]].assign(kind="revenue")]
kk = k[k.amt > 0]
exp = ((kk.rev - kk.ref) * kk.w * 2 + 100 * kk.amt) // (200 * kk.amt)
out.append(kk.loc[kk.com != exp, ["order_id"]].assign(kind="commission"))
out.append(j.loc[j.fee != (j.rev * 29 + 500) // 1000 + 30, ["order_id"]].assign(kind="transaction-fee"))
out.append(j.loc[j.net != j.rev - j.ref - j.com - j.fee, ["order_id"]].assign(kind="net"))
pd.concat(out).sort_values(["kind", "order_id"]).to_csv(sys.stdout, sep="\t", header=False, index=False)
