"""Python sqlite3 peer of bulk tshop-stock set: executemany upsert of
stock_set.tsv (sku<TAB>qty) into the skus table, one transaction.
usage: py_stockset.py DB FILE"""
import sqlite3
import sys

db = sqlite3.connect(sys.argv[1])
with open(sys.argv[2], encoding="utf-8") as f, db:
    db.executemany("INSERT INTO skus (sku_id, quantity) VALUES (?, ?)"
                   " ON CONFLICT (sku_id) DO UPDATE SET quantity = excluded.quantity",
                   (line.rstrip("\n").split("\t") for line in f))
db.close()
