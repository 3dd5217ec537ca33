-- tshop-settle check (SPEC 4.5) in one query: unknown-order, duplicate,
-- revenue, commission (8% Apparel, else 5%, weighted by line amount, half up),
-- transaction-fee (2.9% + 0.30, half up), net.  Money as integer cents.
.mode tabs
WITH ot AS (
  SELECT o.order_id,
         sum(CAST(o.quantity AS INTEGER) * CAST(replace(o.unit_price, '.', '') AS INTEGER)) AS amt,
         sum(CAST(o.quantity AS INTEGER) * CAST(replace(o.unit_price, '.', '') AS INTEGER)
             * CASE k.category WHEN 'Apparel' THEN 8 ELSE 5 END) AS w
  FROM orders o LEFT JOIN skus k ON k.sku_id = o.sku_id GROUP BY o.order_id),
s AS (
  SELECT rowid AS id, order_id,
         CAST(replace(gross_sales, '.', '') AS INTEGER) AS rev,
         CAST(replace(refund_amount, '.', '') AS INTEGER) AS ref,
         CAST(replace(commission_fee, '.', '') AS INTEGER) AS com,
         CAST(replace(payment_processing_fee, '.', '') AS INTEGER) AS fee,
         CAST(replace(net_payout, '.', '') AS INTEGER) AS net,
         row_number() OVER (PARTITION BY order_id ORDER BY rowid) AS n
  FROM settlement),
j AS (SELECT s.*, ot.amt, ot.w FROM s LEFT JOIN ot ON ot.order_id = s.order_id)
SELECT order_id, kind FROM (
  SELECT order_id, 'unknown-order' AS kind FROM j WHERE amt IS NULL
  UNION ALL SELECT order_id, 'duplicate' FROM j WHERE n > 1
  UNION ALL SELECT order_id, 'revenue' FROM j WHERE amt IS NOT NULL AND rev <> amt
  UNION ALL SELECT order_id, 'commission' FROM j
    WHERE amt > 0 AND com <> ((rev - ref) * w * 2 + 100 * amt) / (200 * amt)
  UNION ALL SELECT order_id, 'transaction-fee' FROM j WHERE fee <> (rev * 29 + 500) / 1000 + 30
  UNION ALL SELECT order_id, 'net' FROM j WHERE net <> rev - ref - com - fee)
ORDER BY kind, order_id;
