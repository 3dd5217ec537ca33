-- tshop-alert check (SPEC 4.2) in SQL: on_hand = skus.csv quantity minus the
-- units of every paid order (stock follows orders); sold = units of orders
-- created in [DATE-30d, DATE), not UNPAID/CANCELLED.
.mode tabs
WITH p AS (SELECT strftime('%Y-%m-%dT%H:%M:%SZ', '@DATE@', '-30 days') AS t0,
                  strftime('%Y-%m-%dT%H:%M:%SZ', '@DATE@') AS t1),
u AS (SELECT sku_id,
             sum(CAST(quantity AS INTEGER)) AS taken,
             sum(CASE WHEN created_at >= p.t0 AND created_at < p.t1
                      THEN CAST(quantity AS INTEGER) ELSE 0 END) AS sold
      FROM orders, p WHERE status NOT IN ('UNPAID', 'CANCELLED') GROUP BY sku_id),
r AS (SELECT a.sku, a.mode, a.threshold AS thr,
             CAST(k.quantity AS INTEGER) - coalesce(u.taken, 0) AS on_hand,
             coalesce(u.sold, 0) AS sold
      FROM alerts a JOIN skus k ON k.sku_id = a.sku LEFT JOIN u ON u.sku_id = a.sku
      WHERE k.category NOT IN ('Pre-Owned', 'Collectibles'))
SELECT sku, CASE WHEN on_hand <= 0 THEN 'OUT_OF_STOCK' ELSE 'LOW_STOCK' END, on_hand, sold
FROM r
WHERE on_hand <= 0 OR (mode = 'qty' AND on_hand <= thr)
   OR (mode = 'days' AND sold > 0 AND on_hand * 30 <= thr * sold)
ORDER BY sku;
