"""pandas peer of tshop-metrics (SPEC 4.6): late_dispatch_rate, on_time_delivery_rate,
cancellation_rate numerator/denominator.  usage: pd_metrics.py DIR DATE NOW"""
import sys
import numpy as np
import pandas as pd

d, date, now = sys.argv[1], sys.argv[2], sys.argv[3]
t1 = pd.Timestamp(date, tz="UTC")
t0 = t1 - pd.Timedelta(days=30)
now = pd.Timestamp(now)
cols = ["order_id", "created_at", "paid_at", "status", "shipping_type", "shipped_at",
        "delivered_at", "cancelled_at"]
o = pd.read_csv(d + "/orders.csv", usecols=cols, dtype=str, keep_default_na=False)
o = o.drop_duplicates("order_id")
ts = {c: pd.to_datetime(o[c].replace("", None), utc=True, format="%Y-%m-%dT%H:%M:%SZ")
      for c in cols[1:2] + ["paid_at", "shipped_at", "delivered_at", "cancelled_at"]}
# ship_by: paid_at + 3 business days (Mon-Fri), time of day kept
wd = ts["paid_at"].dt.dayofweek            # Mon=0 .. Sun=6
add = np.select([wd.isin([2, 3, 4]), wd == 5], [5, 4], 3)
ship_by = ts["paid_at"] + pd.to_timedelta(add, unit="D")
seller = o.shipping_type == "SELLER"
st = o.status
canc_before = (st == "CANCELLED") & (ts["cancelled_at"].isna() | (ts["cancelled_at"] <= ship_by))
m = seller & (ship_by >= t0) & (ship_by < t1) & ~canc_before
shipped = ts["shipped_at"].notna()
late = np.where(shipped, ts["shipped_at"] > ship_by,
                np.where(st.isin(["IN_TRANSIT", "DELIVERED", "COMPLETED"]), False, ship_by < now))
print("late_dispatch_rate\t%d\t%d" % (late[m.to_numpy()].sum(), m.sum()))
deliver_by = ts["created_at"] + pd.Timedelta(days=11)
m = seller & (ts["delivered_at"] >= t0) & (ts["delivered_at"] < t1)
print("on_time_delivery_rate\t%d\t%d" % ((ts["delivered_at"] <= deliver_by)[m].sum(), m.sum()))
m = (ts["created_at"] >= t0) & (ts["created_at"] < t1) & \
    ((o.paid_at != "") | ~st.isin(["UNPAID", "CANCELLED"]))
# orders.csv carries no cancel_by: no cancellation is attributable to seller/system
cancel_by = pd.Series("", index=o.index)
num = ((st == "CANCELLED") & cancel_by.isin(["seller", "system"]))[m].sum()
print("cancellation_rate\t%d\t%d" % (num, m.sum()))
