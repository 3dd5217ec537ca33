-- the catalog as a keyed table, for the stock-set peers
CREATE TABLE skus (sku_id TEXT PRIMARY KEY, product_id TEXT, title TEXT, category TEXT,
                   warehouse TEXT, quantity INTEGER, alert_mode TEXT, alert_threshold TEXT);
.import --csv --skip 1 skus.csv skus
