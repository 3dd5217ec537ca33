-- sqlite3 peer: orders.csv as it is (one row per order line, TEXT columns)
.import --csv orders.csv orders
