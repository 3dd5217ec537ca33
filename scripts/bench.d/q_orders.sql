-- tshop-orders list -s to-ship | wc -l, and --late | wc -l (SPEC 4.3):
-- ship_by = paid_at + 3 business days (Mon-Fri, UTC, no holidays).
.mode tabs
CREATE TEMP VIEW o AS
SELECT DISTINCT order_id, status, paid_at, shipped_at,
       CASE WHEN paid_at <> '' THEN strftime('%Y-%m-%dT%H:%M:%SZ', paid_at,
            '+' || CASE strftime('%w', paid_at) WHEN '3' THEN 5 WHEN '4' THEN 5
                   WHEN '5' THEN 5 WHEN '6' THEN 4 ELSE 3 END || ' days') END AS ship_by
FROM orders;
SELECT 'to-ship', count(*) FROM o WHERE status IN ('AWAITING_SHIPMENT', 'PARTIALLY_SHIPPING');
SELECT 'late', count(*) FROM o
WHERE ship_by < '@NOW@' AND shipped_at = ''
  AND status NOT IN ('IN_TRANSIT', 'DELIVERED', 'COMPLETED', 'CANCELLED');
