/*
 * db.c — open, create and migrate the shop database; transactions.
 *
 * The migrations below are the schema: migration i brings user_version
 * from i to i+1.  They only ever grow at the end.  tshop(7) documents the
 * tables.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"

static const char *const migrations[] = {
	/* 1: catalog, stock and its ledger, alerts, orders, configuration */
	"CREATE TABLE config (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE state (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE sku ("
	"  id INTEGER PRIMARY KEY,"
	"  sku TEXT NOT NULL UNIQUE,"
	"  sku_id TEXT UNIQUE,"
	"  product_id TEXT,"
	"  title TEXT,"
	"  category TEXT);"
	"CREATE TABLE stock ("
	"  sku INTEGER NOT NULL REFERENCES sku(id),"
	"  warehouse TEXT NOT NULL,"
	"  quantity INTEGER NOT NULL,"
	"  PRIMARY KEY (sku, warehouse)) WITHOUT ROWID;"
	"CREATE TABLE ledger ("
	"  id INTEGER PRIMARY KEY,"
	"  time INTEGER NOT NULL,"
	"  sku INTEGER NOT NULL REFERENCES sku(id),"
	"  warehouse TEXT NOT NULL,"
	"  delta INTEGER NOT NULL,"
	"  quantity INTEGER NOT NULL,"
	"  source TEXT NOT NULL,"
	"  note TEXT);"
	"CREATE INDEX ledger_by_sku ON ledger (sku, id);"
	"CREATE INDEX ledger_by_time ON ledger (time);"
	"CREATE TABLE alert_rule ("
	"  sku INTEGER PRIMARY KEY REFERENCES sku(id),"
	"  mode TEXT NOT NULL CHECK (mode IN ('qty', 'days')),"
	"  threshold INTEGER NOT NULL CHECK (threshold >= 0));"
	"CREATE TABLE alert_notice ("
	"  sku INTEGER NOT NULL REFERENCES sku(id),"
	"  date TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  PRIMARY KEY (sku, date)) WITHOUT ROWID;"
	"CREATE TABLE orders ("
	"  order_id TEXT PRIMARY KEY,"
	"  status TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  paid_at INTEGER,"
	"  update_time INTEGER,"
	"  shipping_type TEXT NOT NULL DEFAULT 'SELLER',"
	"  warehouse TEXT NOT NULL DEFAULT 'default',"
	"  total INTEGER,"
	"  currency TEXT,"
	"  ship_by INTEGER,"
	"  ship_by_platform INTEGER NOT NULL DEFAULT 0,"
	"  deliver_by INTEGER,"
	"  deliver_by_platform INTEGER NOT NULL DEFAULT 0,"
	"  handling_days INTEGER,"
	"  tracking TEXT,"
	"  carrier TEXT,"
	"  shipped_at INTEGER,"
	"  first_scan_at INTEGER,"
	"  delivered_at INTEGER,"
	"  cancelled_at INTEGER,"
	"  cancel_by TEXT,"
	"  cancel_reason TEXT,"
	"  stock_taken INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX orders_by_created ON orders (created_at);"
	"CREATE INDEX orders_by_ship_by ON orders (ship_by, order_id);"
	"CREATE TABLE order_line ("
	"  order_id TEXT NOT NULL REFERENCES orders(order_id),"
	"  line INTEGER NOT NULL,"
	"  sku INTEGER NOT NULL REFERENCES sku(id),"
	"  title TEXT,"
	"  quantity INTEGER NOT NULL,"
	"  unit_price INTEGER,"
	"  amount INTEGER,"
	"  PRIMARY KEY (order_id, line)) WITHOUT ROWID;"
	"CREATE INDEX order_line_by_sku ON order_line (sku);"
	/* shipments (lib/ship.c, lib/carrier.c) and the outbox of tshop-sync push */
	"CREATE INDEX orders_by_tracking ON orders (tracking);"
	"CREATE TABLE carrier ("
	"  name TEXT PRIMARY KEY,"
	"  provider_id TEXT NOT NULL,"
	"  updated_at INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE shipment ("
	"  id INTEGER PRIMARY KEY,"
	"  order_id TEXT NOT NULL REFERENCES orders(order_id),"
	"  tracking TEXT NOT NULL,"
	"  carrier TEXT NOT NULL,"
	"  shipped_at INTEGER NOT NULL,"
	"  recorded_at INTEGER NOT NULL,"
	"  result TEXT NOT NULL CHECK (result IN ('shipped', 'replaced')));"
	"CREATE INDEX shipment_by_order ON shipment (order_id);"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK (kind IN ('shipment', 'stock')),"
	"  key TEXT NOT NULL,"
	"  payload TEXT NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT,"
	"  dead INTEGER NOT NULL DEFAULT 0,"
	"  exported_at INTEGER,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  UNIQUE (kind, key));"
	"CREATE INDEX outbox_unexported ON outbox (id) WHERE exported_at IS NULL;"
	/* settlements (lib/settle.c): row identity (statement, order_id, type, n) */
	"CREATE TABLE settlement ("
	"  id INTEGER PRIMARY KEY,"
	"  statement TEXT NOT NULL,"
	"  statement_id TEXT,"
	"  statement_date TEXT,"
	"  order_id TEXT NOT NULL,"
	"  type TEXT NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  currency TEXT,"
	"  revenue INTEGER NOT NULL,"
	"  refund INTEGER NOT NULL,"
	"  commission INTEGER NOT NULL,"
	"  transaction_fee INTEGER NOT NULL,"
	"  shipping_fee INTEGER NOT NULL,"
	"  other_fees INTEGER NOT NULL,"
	"  adjustment INTEGER NOT NULL,"
	"  settlement INTEGER NOT NULL,"
	"  UNIQUE (statement, order_id, type, n));"
	"CREATE INDEX settlement_by_order ON settlement (order_id, type, id);"
	/* returns (lib/returns.c) and the indexes behind the metrics (lib/metrics.c) */
	"CREATE TABLE returns ("
	"  return_id TEXT PRIMARY KEY,"
	"  order_id TEXT NOT NULL,"
	"  type TEXT NOT NULL CHECK (type IN ('REFUND', 'RETURN_AND_REFUND', 'REPLACEMENT')),"
	"  reason TEXT,"
	"  status TEXT,"
	"  requested_at INTEGER NOT NULL,"
	"  approved_at INTEGER,"
	"  received_at INTEGER,"
	"  refunded_at INTEGER,"
	"  refund_amount INTEGER,"
	"  currency TEXT,"
	"  shipped_weight INTEGER,"
	"  received_weight INTEGER,"
	"  review INTEGER NOT NULL DEFAULT 0,"
	"  update_time INTEGER);"
	"CREATE INDEX returns_by_order ON returns (order_id);"
	"CREATE INDEX returns_by_refunded ON returns (refunded_at) WHERE refunded_at IS NOT NULL;"
	/* covering: valid_tracking_rate and on_time_delivery_rate read only the index */
	"CREATE INDEX orders_by_shipped ON orders (shipped_at, shipping_type, first_scan_at,"
	"  carrier, tracking) WHERE shipped_at IS NOT NULL;"
	"CREATE INDEX orders_by_delivered ON orders (delivered_at, shipping_type, deliver_by,"
	"  order_id) WHERE delivered_at IS NOT NULL;",
	/*
	 * 2: tshop-sync and tshop-webhook.  sync_cursor: where a paginated pull
	 * stands (lib/sync.c); tiktok_warehouse: the shop's TikTok warehouses
	 * (tshop-sync carriers); webhook_event: every delivery recorded once
	 * (lib/webhook.c).
	 */
	"CREATE TABLE sync_cursor ("
	"  name TEXT PRIMARY KEY,"
	"  since INTEGER,"
	"  started_at INTEGER,"
	"  page_token TEXT,"
	"  pages INTEGER NOT NULL DEFAULT 0,"
	"  updated_at INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE tiktok_warehouse ("
	"  id TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  type TEXT,"
	"  is_default INTEGER NOT NULL DEFAULT 0,"
	"  updated_at INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE webhook_event ("
	"  id INTEGER PRIMARY KEY,"
	"  notification_id TEXT NOT NULL UNIQUE,"
	"  received_at INTEGER NOT NULL,"
	"  type INTEGER,"
	"  order_id TEXT,"
	"  order_status TEXT,"
	"  update_time INTEGER,"
	"  result TEXT NOT NULL CHECK (result IN "
	"    ('applied', 'pending', 'stale', 'duplicate', 'ignored')),"
	"  detail TEXT,"
	"  body TEXT NOT NULL);"
	"CREATE INDEX webhook_event_by_order ON webhook_event (order_id, type);"
	"CREATE INDEX webhook_event_pending ON webhook_event (id) WHERE result = 'pending';",
	/*
	 * 3: stock changes reach the outbox at push time, from the ledger
	 * after the cursor push.ledger (lib/sync.c); what was changed before
	 * this migration is in the outbox already.
	 */
	"INSERT INTO state (key, value) SELECT 'push.ledger', coalesce(max(id), 0) FROM ledger;",
	/*
	 * 4: the to-ship queue and the late list (lib/order.c) read only the
	 * orders not shipped yet, a small part of a shop's history.
	 */
	"CREATE INDEX orders_unshipped ON orders (ship_by, order_id) WHERE status IN"
	"  ('UNPAID', 'ON_HOLD', 'AWAITING_SHIPMENT', 'PARTIALLY_SHIPPING', 'AWAITING_COLLECTION');",
	/*
	 * 5: no query looks order lines up by SKU (sales are summed from the
	 * orders of a window); the index only cost a random insert per line.
	 */
	"DROP INDEX order_line_by_sku;",
	/*
	 * 6: no query reads the ledger by SKU or by time (tshop-stock log
	 * walks it in id order, the push queue by id); the two indexes only
	 * cost a random insert each per stock change.
	 */
	"DROP INDEX ledger_by_sku; DROP INDEX ledger_by_time;",
	/*
	 * 7: orders_unshipped again, its condition spelled with OR: SQLite
	 * checks a partial index's condition on every write of an order, and
	 * builds a temporary table for each IN list of more than two values.
	 */
	"DROP INDEX orders_unshipped;"
	"CREATE INDEX orders_unshipped ON orders (ship_by, order_id) WHERE (status = 'UNPAID'"
	"  OR status = 'ON_HOLD' OR status = 'AWAITING_SHIPMENT' OR status = 'PARTIALLY_SHIPPING'"
	"  OR status = 'AWAITING_COLLECTION');",
	/*
	 * 8: a settlement row records, when it is stored, whether it repeats
	 * an earlier ORDER row of its order (later rows have larger ids, so
	 * this never changes); check and summary read it instead of looking
	 * the order up again for every row.
	 */
	"ALTER TABLE settlement ADD COLUMN duplicate INTEGER NOT NULL DEFAULT 0;"
	"UPDATE settlement SET duplicate = 1 WHERE type = 'ORDER' AND EXISTS (SELECT 1"
	"  FROM settlement p WHERE p.order_id = settlement.order_id AND p.type = 'ORDER'"
	"  AND p.id < settlement.id);",
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int
tshop_db_schema_version(void)
{
	return NMIGRATIONS;
}

char *
tshop_db_path(const char *opt, struct tshop_err *e)
{
	const char *env, *home;
	struct tshop_buf b = TSHOP_BUF_INIT;

	if (opt != NULL && *opt != '\0')
		return strdup(opt);
	if ((env = getenv("TSHOP_DB")) != NULL && *env != '\0')
		return strdup(env);
	if ((env = getenv("XDG_DATA_HOME")) != NULL && *env != '\0') {
		if (tshop_buf_addf(&b, "%s/tshop/tshop.db", env) == 0)
			return b.data;
	} else if ((home = getenv("HOME")) != NULL && *home != '\0') {
		if (tshop_buf_addf(&b, "%s/.local/share/tshop/tshop.db", home) == 0)
			return b.data;
	} else {
		tshop_errorf(e, 3, "no database: set TSHOP_DB, HOME or use -d FILE");
		return NULL;
	}
	tshop_errorf(e, 3, "out of memory");
	return NULL;
}

/* mkdir -p of the directory part of `path`, mode 0700. */
static int
make_parent(const char *path, struct tshop_err *e)
{
	char *dir = strdup(path), *p;

	if (dir == NULL)
		return tshop_errorf(e, 3, "out of memory");
	if ((p = strrchr(dir, '/')) == NULL || p == dir) {
		free(dir);
		return 0;
	}
	*p = '\0';
	for (p = dir + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
				tshop_errorf(e, 3, "cannot create directory '%s': %s",
				    dir, strerror(errno));
				free(dir);
				return -1;
			}
			*p = c;
			if (c == '\0')
				break;
		}
	}
	free(dir);
	return 0;
}

int
tshop_db_error(struct tshop_db *db, struct tshop_err *e, const char *what)
{
	int rc = sqlite3_extended_errcode(db->h);

	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return tshop_errorf(e, 3, "%s: database '%s' is locked by another "
		    "program (waited %d s)", what, db->path, TSHOP_DB_BUSY_MS / 1000);
	return tshop_errorf(e, 3, "%s: %s", what, sqlite3_errmsg(db->h));
}

int
tshop_db_exec(struct tshop_db *db, const char *sql, struct tshop_err *e)
{
	if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK)
		return tshop_db_error(db, e, "database");
	return 0;
}

static int
user_version(struct tshop_db *db, int *v, struct tshop_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (tshop_db_prepare(db, &st, "PRAGMA user_version", e) == -1)
		return -1;
	rc = sqlite3_step(st);
	*v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return tshop_db_error(db, e, "reading the schema version");
	return 0;
}

static int
migrate(struct tshop_db *db, struct tshop_err *e)
{
	char sql[64];
	int v;

	if (user_version(db, &v, e) == -1)
		return -1;
	if (v == NMIGRATIONS)
		return 0;
	if (v > NMIGRATIONS)
		return tshop_errorf(e, 3, "database '%s' has schema version %d, "
		    "newer than this tshop (%d): upgrade tshop", db->path, v, NMIGRATIONS);
	if (tshop_db_begin(db, e) == -1)
		return -1;
	/* another process may have migrated while we waited for the lock */
	if (user_version(db, &v, e) == -1)
		goto fail;
	for (; v < NMIGRATIONS; v++) {
		if (sqlite3_exec(db->h, migrations[v], NULL, NULL, NULL) != SQLITE_OK) {
			tshop_db_error(db, e, "migrating the database");
			goto fail;
		}
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (tshop_db_exec(db, sql, e) == -1)
			goto fail;
	}
	return tshop_db_commit(db, e);
fail:
	tshop_db_rollback(db);
	return -1;
}

int
tshop_db_open(struct tshop_db **dbp, const char *path, enum tshop_db_mode mode,
    struct tshop_err *e)
{
	struct tshop_db *db;
	struct stat sb;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	bool created = false;

	*dbp = NULL;
	if (strcmp(path, ":memory:") == 0)
		;	/* an empty shop that is never written anywhere (a dry run) */
	else if (stat(path, &sb) == -1) {
		if (errno != ENOENT)
			return tshop_errorf(e, 3, "cannot open database '%s': %s",
			    path, strerror(errno));
		if (mode == TSHOP_DB_READ)
			return tshop_errorf(e, 3, "no database at %s "
			    "(create one with 'tshop init')", path);
		if (make_parent(path, e) == -1)
			return -1;
		flags |= SQLITE_OPEN_CREATE;
		created = true;
	}
	if ((db = calloc(1, sizeof(*db))) == NULL || (db->path = strdup(path)) == NULL) {
		free(db);
		return tshop_errorf(e, 3, "out of memory");
	}
	if (created) {
		/* create the file 0600 before SQLite does, whatever the umask */
		int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);

		if (fd == -1 && errno != EEXIST) {
			tshop_errorf(e, 3, "cannot create database '%s': %s",
			    path, strerror(errno));
			goto fail;
		}
		if (fd != -1)
			close(fd);
	}
	/*
	 * Before SQLite's first use: no memory statistics (a global mutex
	 * around every allocation).  Later calls are refused, harmlessly.
	 */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (sqlite3_open_v2(path, &db->h, flags, NULL) != SQLITE_OK) {
		tshop_errorf(e, 3, "cannot open database '%s': %s", path,
		    db->h ? sqlite3_errmsg(db->h) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(db->h, TSHOP_DB_BUSY_MS);
	/*
	 * A new database gets 16 KiB pages (before WAL, which fixes the page
	 * size): fewer, wider B-tree nodes make bulk imports 10-20 % faster.
	 */
	if ((created && tshop_db_exec(db, "PRAGMA page_size = 16384", e) == -1) ||
	    tshop_db_exec(db, "PRAGMA journal_mode = WAL", e) == -1 ||
	    tshop_db_exec(db, "PRAGMA synchronous = NORMAL", e) == -1 ||
	    tshop_db_exec(db, "PRAGMA cache_size = -32768", e) == -1) {
		/* "file is not a database" lands here */
		char msg[sizeof(e->msg)];

		if (e != NULL) {
			memcpy(msg, e->msg, sizeof(msg));
			tshop_errorf(e, 3, "%s: %s", path, msg);
		}
		goto fail;
	}
	if (migrate(db, e) == -1)
		goto fail;
	db->created = created;
	db->committed = false;		/* the schema is not the caller's work */
	*dbp = db;
	return 0;
fail:
	tshop_db_close(db);
	return -1;
}

bool
tshop_db_discard_new(struct tshop_db *db)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char *path;

	if (db == NULL || !db->created || db->committed || (path = strdup(db->path)) == NULL)
		return false;
	tshop_db_close(db);
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		struct tshop_buf f = TSHOP_BUF_INIT;

		if (tshop_buf_addf(&f, "%s%s", path, suffix[i]) == 0)
			unlink(tshop_buf_str(&f));
		tshop_buf_release(&f);
	}
	free(path);
	return true;
}

void
tshop_db_close(struct tshop_db *db)
{
	if (db == NULL)
		return;
	for (int i = 0; i < TSHOP_DB_CACHED; i++)
		sqlite3_finalize(db->cached[i].st);
	sqlite3_close_v2(db->h);
	tshop_buf_release(&db->deferred);
	free(db->path);
	free(db);
}

int
tshop_db_large_cache(struct tshop_db *db, struct tshop_err *e)
{
	return tshop_db_exec(db, "PRAGMA cache_size = -65536", e);
}

int
tshop_db_bulk(struct tshop_db *db, const char *table, struct tshop_err *e)
{
	struct tshop_buf sql = TSHOP_BUF_INIT;
	sqlite3_stmt *st;
	int rc;

	if (tshop_db_large_cache(db, e) == -1)
		return -1;
	if ((db->bulk_table = table) == NULL)
		return 0;
	/* `table` is a literal of the caller's (reviewed in tests/cli/security.sh) */
	if (tshop_buf_addf(&sql, "SELECT coalesce(max(rowid), 0) FROM %s", table) == -1)
		return tshop_errorf(e, 3, "out of memory");
	rc = tshop_db_prepare(db, &st, tshop_buf_str(&sql), e);
	tshop_buf_release(&sql);
	if (rc == -1)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		db->bulk_at = (unsigned long)sqlite3_column_int64(st, 0) / 3;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return tshop_db_error(db, e, "reading the database");
	if (db->bulk_at < TSHOP_DB_BULK_MIN)
		db->bulk_at = TSHOP_DB_BULK_MIN;
	return 0;
}

/* Drop the secondary indexes of db->bulk_table, keeping their SQL in db->deferred. */
static int
defer_indexes(struct tshop_db *db, struct tshop_err *e)
{
	struct tshop_buf names = TSHOP_BUF_INIT, sql = TSHOP_BUF_INIT;
	sqlite3_stmt *st;
	int rc;

	if (tshop_db_prepare(db, &st, "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
	    " AND tbl_name = ?1 AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE %'", e) == -1)
		return -1;
	sqlite3_bind_text(st, 1, db->bulk_table, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = tshop_db_col_text(st, 0), *create = tshop_db_col_text(st, 1);

		if (tshop_buf_add(&names, name, strlen(name) + 1) == -1 ||
		    tshop_buf_add(&db->deferred, create, strlen(create) + 1) == -1) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		tshop_buf_release(&names);
		return rc == SQLITE_NOMEM ? tshop_errorf(e, 3, "out of memory") :
		    tshop_db_error(db, e, "reading the schema");
	}
	/* after the SELECT: the schema cannot change while it runs */
	for (size_t off = 0; rc != -1 && off < names.len; off += strlen(names.data + off) + 1) {
		tshop_buf_reset(&sql);
		/* an index name of the schema in db.c (reviewed in tests/cli/security.sh) */
		rc = tshop_buf_addf(&sql, "DROP INDEX %s", names.data + off) == -1 ?
		    tshop_errorf(e, 3, "out of memory") : tshop_db_exec(db, tshop_buf_str(&sql), e);
	}
	tshop_buf_release(&sql);
	tshop_buf_release(&names);
	return rc == -1 ? -1 : 0;
}

int
tshop_db_bulk_records(struct tshop_db *db, unsigned long n, struct tshop_err *e)
{
	if (n % TSHOP_DB_FLUSH == 0 && sqlite3_db_cacheflush(db->h) != SQLITE_OK)
		return tshop_db_error(db, e, "writing to the database");
	if (db->bulk_table == NULL || n != db->bulk_at || db->deferred.len > 0)
		return 0;
	return defer_indexes(db, e);
}

int
tshop_db_begin(struct tshop_db *db, struct tshop_err *e)
{
	if (sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return tshop_db_error(db, e, "cannot start a transaction");
	return 0;
}

int
tshop_db_commit(struct tshop_db *db, struct tshop_err *e)
{
	/*
	 * SQLite's sorter takes as much memory as the page cache again: a
	 * small cache (its dirty pages go to the WAL) keeps the build of the
	 * deferred indexes within the memory of the batch, and one helper
	 * thread sorts alongside.
	 */
	if (db->deferred.len > 0 &&
	    tshop_db_exec(db, "PRAGMA cache_size = -4096; PRAGMA threads = 1", e) == -1) {
		tshop_db_rollback(db);
		return -1;
	}
	for (size_t off = 0; off < db->deferred.len; off += strlen(db->deferred.data + off) + 1)
		if (tshop_db_exec(db, db->deferred.data + off, e) == -1) {
			tshop_db_rollback(db);
			return -1;
		}
	tshop_buf_reset(&db->deferred);
	if (sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		tshop_db_error(db, e, "cannot commit");
		tshop_db_rollback(db);
		return -1;
	}
	db->committed = true;
	return 0;
}

void
tshop_db_rollback(struct tshop_db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	tshop_buf_reset(&db->deferred);	/* the rollback kept the indexes */
}

int
tshop_db_read_begin(struct tshop_db *db, bool *own, struct tshop_err *e)
{
	*own = sqlite3_get_autocommit(db->h) != 0;
	return *own ? tshop_db_exec(db, "BEGIN", e) : 0;
}

void
tshop_db_read_end(struct tshop_db *db, bool own)
{
	if (own)
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

int
tshop_db_prepare(struct tshop_db *db, sqlite3_stmt **st, const char *sql,
    struct tshop_err *e)
{
	if (sqlite3_prepare_v2(db->h, sql, -1, st, NULL) != SQLITE_OK)
		return tshop_db_error(db, e, "database");
	return 0;
}

int
tshop_db_cached(struct tshop_db *db, sqlite3_stmt **st, const char *sql, struct tshop_err *e)
{
	int i;

	for (i = 0; i < TSHOP_DB_CACHED && db->cached[i].sql != NULL; i++)
		if (db->cached[i].sql == sql) {
			*st = db->cached[i].st;
			sqlite3_reset(*st);
			sqlite3_clear_bindings(*st);
			return 0;
		}
	if (i == TSHOP_DB_CACHED)
		return tshop_errorf(e, 3, "more than %d cached statements", TSHOP_DB_CACHED);
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
		return tshop_db_error(db, e, "database");
	db->cached[i].sql = sql;
	db->cached[i].st = *st;
	return 0;
}

int
tshop_db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL || *s == '\0')
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

const char *
tshop_db_col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

int
tshop_db_state_get(struct tshop_db *db, const char *key, long long *out,
    struct tshop_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (tshop_db_prepare(db, &st, "SELECT value FROM state WHERE key = ?", e) == -1)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return 1;
	return tshop_db_error(db, e, "reading state");
}

int
tshop_db_state_set(struct tshop_db *db, const char *key, long long value,
    struct tshop_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (tshop_db_prepare(db, &st, "INSERT INTO state (key, value) VALUES (?, ?) "
	    "ON CONFLICT (key) DO UPDATE SET value = excluded.value", e) == -1)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, value);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : tshop_db_error(db, e, "writing state");
}
