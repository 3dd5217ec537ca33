"""pandas peer of tshop-alert check (SPEC 4.2), end to end from the CSV files.
usage: pd_alert.py DIR DATE  -> sku status on_hand sold (TSV, sorted by sku)"""
import sys
import pandas as pd

d, date = sys.argv[1], sys.argv[2]
t1 = pd.Timestamp(date)
t0 = (t1 - pd.Timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
t1 = t1.strftime("%Y-%m-%dT%H:%M:%SZ")
skus = pd.read_csv(d + "/skus.csv", usecols=["sku_id", "category", "quantity"],
                   dtype={"sku_id": str, "category": str, "quantity": "int64"})
rules = pd.read_csv(d + "/alerts.tsv", sep="\t", header=None, names=["sku_id", "mode", "thr"],
                    dtype={"sku_id": str, "mode": str, "thr": "int64"})
o = pd.read_csv(d + "/orders.csv", usecols=["created_at", "status", "sku_id", "quantity"],
                dtype={"created_at": str, "status": str, "sku_id": str, "quantity": "int64"})
o = o[~o.status.isin(["UNPAID", "CANCELLED"])]
taken = o.groupby("sku_id").quantity.sum().rename("taken")
w = o[(o.created_at >= t0) & (o.created_at < t1)]
sold = w.groupby("sku_id").quantity.sum().rename("sold")
r = rules.merge(skus, on="sku_id")
r = r[~r.category.isin(["Pre-Owned", "Collectibles"])]
r = r.join(taken, on="sku_id").join(sold, on="sku_id")
r["taken"] = r.taken.fillna(0).astype("int64")
r["sold"] = r.sold.fillna(0).astype("int64")
r["on_hand"] = r.quantity - r.taken
due = (r.on_hand <= 0) | ((r["mode"] == "qty") & (r.on_hand <= r.thr)) | \
      ((r["mode"] == "days") & (r.sold > 0) & (r.on_hand * 30 <= r.thr * r.sold))
r = r[due].sort_values("sku_id")
r["status"] = (r.on_hand <= 0).map({True: "OUT_OF_STOCK", False: "LOW_STOCK"})
r[["sku_id", "status", "on_hand", "sold"]].to_csv(sys.stdout, sep="\t", header=False, index=False)
