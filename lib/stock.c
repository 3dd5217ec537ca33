/*
 * stock.c — catalog entries, on-hand quantities and the ledger, through a
 * handful of prepared statements reused for every record of a batch.
 * Every change goes through apply(): the new quantity and one ledger
 * row.  The ledger is also the change feed: `tshop-stock changes` and
 * `tshop-sync push` (lib/sync.c) read it from a cursor, so a stock
 * change costs nothing more than its ledger row.
 */
#include <stdlib.h>
#include <string.h>

#include "stock.h"
#include "timeutil.h"

struct tshop_stock {
	struct tshop_db *db;
	sqlite3_stmt *by_sku, *by_sku_id, *sku_insert, *sku_update, *sku_name;
	sqlite3_stmt *qty_get, *qty_put, *ledger_add;
};

static const char *const sql[] = {
	"SELECT id FROM sku WHERE sku = ?1",
	"SELECT id FROM sku WHERE sku_id = ?1",
	"INSERT INTO sku (sku, sku_id, product_id, title, category) VALUES (?1, ?2, ?3, ?4, ?5)",
	"UPDATE sku SET sku = coalesce(?1, sku), sku_id = coalesce(?2, sku_id), "
	"product_id = coalesce(?3, product_id), title = coalesce(?4, title), "
	"category = coalesce(?5, category) WHERE id = ?6",
	"SELECT sku FROM sku WHERE id = ?1",
	"SELECT quantity FROM stock WHERE sku = ?1 AND warehouse = ?2",
	"INSERT INTO stock (sku, warehouse, quantity) VALUES (?1, ?2, ?3) "
	"ON CONFLICT (sku, warehouse) DO UPDATE SET quantity = excluded.quantity",
	"INSERT INTO ledger (time, sku, warehouse, delta, quantity, source, note) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
};

int
tshop_stock_new(struct tshop_stock **sp, struct tshop_db *db, struct tshop_err *e)
{
	struct tshop_stock *s;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return tshop_errorf(e, 3, "out of memory");
	s->db = db;
	sqlite3_stmt **all[] = { &s->by_sku, &s->by_sku_id, &s->sku_insert, &s->sku_update,
	    &s->sku_name, &s->qty_get, &s->qty_put, &s->ledger_add };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (tshop_db_prepare(db, all[i], sql[i], e) == -1) {
			tshop_stock_free(s);
			return -1;
		}
	*sp = s;
	return 0;
}

void
tshop_stock_free(struct tshop_stock *s)
{
	if (s == NULL)
		return;
	sqlite3_finalize(s->by_sku);
	sqlite3_finalize(s->by_sku_id);
	sqlite3_finalize(s->sku_insert);
	sqlite3_finalize(s->sku_update);
	sqlite3_finalize(s->sku_name);
	sqlite3_finalize(s->qty_get);
	sqlite3_finalize(s->qty_put);
	sqlite3_finalize(s->ledger_add);
	free(s);
}

/* Run a one-row id query: 1 found, 0 not, -1 error. */
static int
find_id(struct tshop_stock *s, sqlite3_stmt *st, const char *key, int64_t *id, struct tshop_err *e)
{
	int rc;

	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return tshop_db_error(s->db, e, "looking up a SKU");
}

int
tshop_sku_lookup(struct tshop_stock *s, const char *name, int64_t *id, struct tshop_err *e)
{
	int rc = find_id(s, s->by_sku, name, id, e);

	if (rc != 0)
		return rc;
	return find_id(s, s->by_sku_id, name, id, e);
}

int
tshop_sku_upsert(struct tshop_stock *s, const struct tshop_sku *k, int64_t *id,
    bool *created, struct tshop_err *e)
{
	const char *name = k->sku ? k->sku : k->sku_id;
	int64_t other;
	int rc = 0;
	sqlite3_stmt *st;

	if (name == NULL)
		return tshop_errorf(e, 2, "no sku or sku_id");
	if (k->sku_id != NULL)
		rc = find_id(s, s->by_sku_id, k->sku_id, id, e);
	if (rc == 0)
		rc = find_id(s, s->by_sku, name, id, e);
	if (rc == -1)
		return -1;
	*created = rc == 0;
	if (rc == 1 && k->sku != NULL) {
		if ((rc = find_id(s, s->by_sku, k->sku, &other, e)) == -1)
			return -1;
		if (rc == 1 && other != *id)
			return tshop_errorf(e, 2, "sku '%s' already names the SKU with another sku_id", k->sku);
	}
	st = *created ? s->sku_insert : s->sku_update;
	tshop_db_bind_text(st, 1, *created ? name : k->sku);
	tshop_db_bind_text(st, 2, k->sku_id);
	tshop_db_bind_text(st, 3, k->product_id);
	tshop_db_bind_text(st, 4, k->title);
	tshop_db_bind_text(st, 5, k->category);
	if (!*created)
		sqlite3_bind_int64(st, 6, *id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		if ((sqlite3_extended_errcode(s->db->h)) == SQLITE_CONSTRAINT_UNIQUE)
			return tshop_errorf(e, 2, "sku_id '%s' already belongs to another SKU",
			    k->sku_id ? k->sku_id : "");
		return tshop_db_error(s->db, e, "writing the catalog");
	}
	if (*created)
		*id = sqlite3_last_insert_rowid(s->db->h);
	return 0;
}

static int
quantity(struct tshop_stock *s, int64_t sku, const char *wh, int64_t *q, struct tshop_err *e)
{
	int rc;

	sqlite3_bind_int64(s->qty_get, 1, sku);
	sqlite3_bind_text(s->qty_get, 2, wh, -1, SQLITE_STATIC);
	rc = sqlite3_step(s->qty_get);
	*q = rc == SQLITE_ROW ? sqlite3_column_int64(s->qty_get, 0) : 0;
	sqlite3_reset(s->qty_get);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return tshop_db_error(s->db, e, "reading stock");
	return 0;
}

/* Store the new quantity and its ledger entry. */
static int
apply(struct tshop_stock *s, int64_t sku, const char *wh, int64_t before, int64_t after,
    const char *source, const char *note, struct tshop_err *e)
{
	int rc;

	sqlite3_bind_int64(s->qty_put, 1, sku);
	sqlite3_bind_text(s->qty_put, 2, wh, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s->qty_put, 3, after);
	rc = sqlite3_step(s->qty_put);
	sqlite3_reset(s->qty_put);
	if (rc != SQLITE_DONE)
		return tshop_db_error(s->db, e, "writing stock");
	sqlite3_bind_int64(s->ledger_add, 1, tshop_now());
	sqlite3_bind_int64(s->ledger_add, 2, sku);
	sqlite3_bind_text(s->ledger_add, 3, wh, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s->ledger_add, 4, after - before);
	sqlite3_bind_int64(s->ledger_add, 5, after);
	sqlite3_bind_text(s->ledger_add, 6, source, -1, SQLITE_STATIC);
	tshop_db_bind_text(s->ledger_add, 7, note);
	rc = sqlite3_step(s->ledger_add);
	sqlite3_reset(s->ledger_add);
	if (rc != SQLITE_DONE)
		return tshop_db_error(s->db, e, "writing the ledger");
	return 0;
}

int
tshop_stock_set(struct tshop_stock *s, int64_t sku, const char *wh, int64_t qty,
    const char *source, const char *note, struct tshop_stock_change *out, struct tshop_err *e)
{
	struct tshop_stock_change c;

	if (wh == NULL || *wh == '\0')
		wh = TSHOP_WAREHOUSE_DEFAULT;
	if (quantity(s, sku, wh, &c.before, e) == -1)
		return -1;
	c.after = qty;
	c.changed = c.before != c.after;
	if (c.changed && apply(s, sku, wh, c.before, c.after, source, note, e) == -1)
		return -1;
	if (out != NULL)
		*out = c;
	return 0;
}

int
tshop_stock_add(struct tshop_stock *s, int64_t sku, const char *wh, int64_t delta,
    bool allow_negative, const char *source, const char *note,
    struct tshop_stock_change *out, struct tshop_err *e)
{
	struct tshop_stock_change c;

	if (wh == NULL || *wh == '\0')
		wh = TSHOP_WAREHOUSE_DEFAULT;
	if (quantity(s, sku, wh, &c.before, e) == -1)
		return -1;
	if ((delta > 0 && c.before > INT64_MAX - delta) ||
	    (delta < 0 && c.before < INT64_MIN - delta))
		return tshop_errorf(e, 2, "quantity out of range");
	c.after = c.before + delta;
	if (c.after < 0 && delta < 0 && !allow_negative)
		return tshop_errorf(e, 2, "delta '%lld' would take the quantity in warehouse "
		    "'%s' from %lld to %lld (use --allow-negative)", (long long)delta, wh,
		    (long long)c.before, (long long)c.after);
	c.changed = delta != 0;
	if (c.changed && apply(s, sku, wh, c.before, c.after, source, note, e) == -1)
		return -1;
	if (out != NULL)
		*out = c;
	return 0;
}

int
tshop_sku_name(struct tshop_stock *s, int64_t id, struct tshop_buf *buf, struct tshop_err *e)
{
	int rc;

	tshop_buf_reset(buf);
	sqlite3_bind_int64(s->sku_name, 1, id);
	rc = sqlite3_step(s->sku_name);
	if (rc == SQLITE_ROW && tshop_buf_adds(buf, tshop_db_col_text(s->sku_name, 0)) == -1)
		rc = SQLITE_NOMEM;
	sqlite3_reset(s->sku_name);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return tshop_errorf(e, 3, "no SKU with id %lld", (long long)id);
	return tshop_db_error(s->db, e, "reading the catalog");
}

int
tshop_ledger_last(struct tshop_db *db, int64_t *id, struct tshop_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (tshop_db_prepare(db, &st, "SELECT coalesce(max(id), 0) FROM ledger", e) == -1)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : tshop_db_error(db, e, "reading the ledger");
}
