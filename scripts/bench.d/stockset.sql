-- bulk stock set in the sqlite3 shell: .import into a temp table, one upsert
-- (a repeated SKU: the later line wins, as rows are upserted in file order)
CREATE TEMP TABLE ss (sku TEXT, qty INTEGER);
.mode tabs
.import stock_set.tsv ss
INSERT INTO skus (sku_id, quantity) SELECT sku, qty FROM ss WHERE true
ON CONFLICT (sku_id) DO UPDATE SET quantity = excluded.quantity;
