-- tshop-metrics --date DATE (SPEC 4.6): late_dispatch_rate, on_time_delivery_rate,
-- cancellation_rate as numerator/denominator over [DATE-30d, DATE).
-- ship_by = paid_at + 3 business days; deliver_by = created_at + 11 days.
-- orders.csv has no cancel_by column: no cancellation is attributable to
-- the seller or the system, so that numerator is 0 (as in tshop).
.mode tabs
CREATE TEMP VIEW o AS
SELECT DISTINCT order_id, status, created_at, paid_at, shipping_type, shipped_at,
       delivered_at, cancelled_at,
       CASE WHEN paid_at <> '' THEN strftime('%Y-%m-%dT%H:%M:%SZ', paid_at,
            '+' || CASE strftime('%w', paid_at) WHEN '3' THEN 5 WHEN '4' THEN 5
                   WHEN '5' THEN 5 WHEN '6' THEN 4 ELSE 3 END || ' days') END AS ship_by,
       strftime('%Y-%m-%dT%H:%M:%SZ', created_at, '+11 days') AS deliver_by,
       NULL AS cancel_by
FROM orders;
WITH p AS (SELECT strftime('%Y-%m-%dT%H:%M:%SZ', '@DATE@', '-30 days') AS t0,
                  strftime('%Y-%m-%dT%H:%M:%SZ', '@DATE@') AS t1, '@NOW@' AS now)
SELECT 'late_dispatch_rate',
       coalesce(sum(CASE WHEN shipped_at <> '' THEN shipped_at > ship_by
                WHEN status IN ('IN_TRANSIT', 'DELIVERED', 'COMPLETED') THEN 0
                ELSE ship_by < p.now END), 0), count(*)
FROM o, p
WHERE ship_by >= p.t0 AND ship_by < p.t1 AND shipping_type = 'SELLER'
  AND NOT (status = 'CANCELLED' AND (cancelled_at = '' OR cancelled_at <= ship_by))
UNION ALL
SELECT 'on_time_delivery_rate', coalesce(sum(delivered_at <= deliver_by), 0), count(*)
FROM o, p
WHERE delivered_at >= p.t0 AND delivered_at < p.t1 AND delivered_at <> '' AND shipping_type = 'SELLER'
UNION ALL
SELECT 'cancellation_rate',
       coalesce(sum(status = 'CANCELLED' AND coalesce(cancel_by, '') IN ('seller', 'system')), 0), count(*)
FROM o, p
WHERE created_at >= p.t0 AND created_at < p.t1
  AND (paid_at <> '' OR status NOT IN ('UNPAID', 'CANCELLED'));
