CREATE TABLE alerts (sku TEXT, mode TEXT, threshold INTEGER);
.mode tabs
.import alerts.tsv alerts
.mode list
