-- the orders as a keyed table for the bulk-ship peer (built once, copied per run)
.import --csv orders.csv ol
CREATE TABLE orders (order_id TEXT PRIMARY KEY, status TEXT, shipping_type TEXT,
                     tracking TEXT, carrier TEXT, shipped_at TEXT);
INSERT OR IGNORE INTO orders SELECT order_id, status, shipping_type,
       nullif(tracking_number, ''), nullif(carrier, ''), nullif(shipped_at, '') FROM ol;
DROP TABLE ol;
CREATE INDEX orders_by_tracking ON orders (tracking);
VACUUM;
