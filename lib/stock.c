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
	struct opkey *key, *tmp;	/* tshop_stock_apply()'s sort keys, and room to sort them */
	size_t capkey;
	int64_t fresh;			/* the SKU created last, while it has no stock row */
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
	free(s->key);
	free(s->tmp);
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
		*id = s->fresh = sqlite3_last_insert_rowid(s->db->h);
	return 0;
}

static int
quantity(struct tshop_stock *s, int64_t sku, const char *wh, int64_t *q, struct tshop_err *e)
{
	int rc;

	if (sku == s->fresh) {
		*q = 0;
		return 0;
	}
	sqlite3_bind_int64(s->qty_get, 1, sku);
	sqlite3_bind_text(s->qty_get, 2, wh, -1, SQLITE_STATIC);
	rc = sqlite3_step(s->qty_get);
	*q = rc == SQLITE_ROW ? sqlite3_column_int64(s->qty_get, 0) : 0;
	sqlite3_reset(s->qty_get);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return tshop_db_error(s->db, e, "reading stock");
	return 0;
}

static int
put_qty(struct tshop_stock *s, int64_t sku, const char *wh, int64_t qty, struct tshop_err *e)
{
	int rc;

	if (sku == s->fresh)
		s->fresh = 0;
	sqlite3_bind_int64(s->qty_put, 1, sku);
	sqlite3_bind_text(s->qty_put, 2, wh, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s->qty_put, 3, qty);
	rc = sqlite3_step(s->qty_put);
	sqlite3_reset(s->qty_put);
	if (rc != SQLITE_DONE)
		return tshop_db_error(s->db, e, "writing stock");
	return 0;
}

static int
put_ledger(struct tshop_stock *s, int64_t sku, const char *wh,
    const struct tshop_stock_change *c, const char *source, const char *note,
    struct tshop_err *e)
{
	int rc;

	sqlite3_bind_int64(s->ledger_add, 1, tshop_now());
	sqlite3_bind_int64(s->ledger_add, 2, sku);
	sqlite3_bind_text(s->ledger_add, 3, wh, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s->ledger_add, 4, c->after - c->before);
	sqlite3_bind_int64(s->ledger_add, 5, c->after);
	sqlite3_bind_text(s->ledger_add, 6, source, -1, SQLITE_STATIC);
	tshop_db_bind_text(s->ledger_add, 7, note);
	rc = sqlite3_step(s->ledger_add);
	sqlite3_reset(s->ledger_add);
	if (rc != SQLITE_DONE)
		return tshop_db_error(s->db, e, "writing the ledger");
	return 0;
}

/* A warehouse as given: none (NULL or "") is the default one. */
static const char *
warehouse(const char *wh)
{
	return wh != NULL && *wh != '\0' ? wh : TSHOP_WAREHOUSE_DEFAULT;
}

/* The change that setting (or, with add, adding) qty makes to `before`. */
static int
step(int64_t before, int64_t qty, bool add, bool allow_negative, const char *wh,
    struct tshop_stock_change *c, struct tshop_err *e)
{
	c->before = before;
	if (!add) {
		c->after = qty;
		c->changed = before != qty;
		return 0;
	}
	if ((qty > 0 && before > INT64_MAX - qty) || (qty < 0 && before < INT64_MIN - qty))
		return tshop_errorf(e, 2, "quantity out of range");
	c->after = before + qty;
	if (c->after < 0 && qty < 0 && !allow_negative)
		return tshop_errorf(e, 2, "delta '%lld' would take the quantity in warehouse "
		    "'%s' from %lld to %lld (use --allow-negative)", (long long)qty, wh,
		    (long long)before, (long long)c->after);
	c->changed = qty != 0;
	return 0;
}

/* One change: read, step, then the new quantity and its ledger entry. */
static int
change(struct tshop_stock *s, int64_t sku, const char *wh, int64_t qty, bool add,
    bool allow_negative, const char *source, const char *note,
    struct tshop_stock_change *out, struct tshop_err *e)
{
	struct tshop_stock_change c;
	int64_t before;

	wh = warehouse(wh);
	if (quantity(s, sku, wh, &before, e) == -1 ||
	    step(before, qty, add, allow_negative, wh, &c, e) == -1)
		return -1;
	if (c.changed && (put_qty(s, sku, wh, c.after, e) == -1 ||
	    put_ledger(s, sku, wh, &c, source, note, e) == -1))
		return -1;
	if (out != NULL)
		*out = c;
	return 0;
}

int
tshop_stock_set(struct tshop_stock *s, int64_t sku, const char *wh, int64_t qty,
    const char *source, const char *note, struct tshop_stock_change *out, struct tshop_err *e)
{
	return change(s, sku, wh, qty, false, false, source, note, out, e);
}

int
tshop_stock_add(struct tshop_stock *s, int64_t sku, const char *wh, int64_t delta,
    bool allow_negative, const char *source, const char *note,
    struct tshop_stock_change *out, struct tshop_err *e)
{
	return change(s, sku, wh, delta, true, allow_negative, source, note, out, e);
}

/* Bulk changes ----------------------------------------------------------- */

/*
 * A sort key of an op: a number, then a string, then the op's place, so
 * that equal keys keep the input's order.  Most comparisons end at the
 * number.
 */
struct opkey {
	uint64_t k;
	const char *s;
	struct tshop_stock_op *op;
};

static int
by_key(const void *a, const void *b)
{
	const struct opkey *x = a, *y = b;
	int c;

	if (x->k != y->k)
		return x->k < y->k ? -1 : 1;
	if ((c = strcmp(x->s, y->s)) != 0)
		return c;
	return (x->op > y->op) - (x->op < y->op);
}

/* By name: the number is its first 8 bytes, in strcmp()'s order. */
static struct opkey
name_key(struct tshop_stock_op *op)
{
	struct opkey key = { 0, op->sku, op };
	const unsigned char *c = (const unsigned char *)op->sku;

	for (int i = 0; i < 8; i++) {
		key.k <<= 8;
		if (*c != '\0')
			key.k |= *c++;
	}
	return key;
}

/*
 * Sort key[0..n) as by_key() does: a radix sort on the numbers, a byte at
 * a time (stable, so each run of equal numbers keeps its order), then
 * each such run by the rest of the key.
 */
static void
sort_keys(struct opkey *key, struct opkey *tmp, size_t n)
{
	struct opkey *from = key, *to = tmp, *t;
	size_t count[256], at;

	for (int shift = 0; shift < 64; shift += 8) {
		memset(count, 0, sizeof(count));
		for (size_t i = 0; i < n; i++)
			count[(from[i].k >> shift) & 255]++;
		if (n == 0 || count[(from[0].k >> shift) & 255] == n)
			continue;
		at = 0;
		for (int b = 0; b < 256; b++) {
			size_t c = count[b];

			count[b] = at;
			at += c;
		}
		for (size_t i = 0; i < n; i++)
			to[count[(from[i].k >> shift) & 255]++] = from[i];
		t = from, from = to, to = t;
	}
	if (from != key)
		memcpy(key, from, n * sizeof(*key));
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && key[j].k == key[i].k; j++)
			;
		if (j - i > 1)
			qsort(key + i, j - i, sizeof(*key), by_key);
	}
}

/* A bad line: its reason, kept with the op. */
static int
op_bad(struct tshop_stock_op *op, const struct tshop_err *why, struct tshop_err *e)
{
	if ((op->error = tshop_strdup(why->msg)) == NULL)
		return tshop_errorf(e, 3, "out of memory");
	return 0;
}

/* The catalog ids of the ops, looked up in name order (creating SKUs with TSHOP_STOCK_CREATE). */
static int
resolve_ops(struct tshop_stock *s, struct tshop_stock_op *ops, size_t n, struct opkey *key,
    bool create, struct tshop_err *e)
{
	struct tshop_err why;
	size_t m = 0;
	int rc;

	for (size_t i = 0; i < n; i++)
		if (ops[i].sku != NULL)
			key[m++] = name_key(&ops[i]);
	sort_keys(key, s->tmp, m);
	for (size_t i = 0; i < m; i++) {
		struct tshop_stock_op *op = key[i].op;

		if (i > 0 && strcmp(key[i - 1].s, op->sku) == 0) {
			op->id = key[i - 1].op->id;
			continue;
		}
		if ((rc = tshop_sku_lookup(s, op->sku, &op->id, e)) == -1)
			return -1;
		if (rc == 1 || !create)
			continue;
		if (tshop_sku_upsert(s, &(struct tshop_sku){ .sku = op->sku }, &op->id,
		    &op->created, &why) == -1) {
			if (why.code != 2) {
				*e = why;
				return -1;
			}
			op->id = 0;
			if (op_bad(op, &why, e) == -1)
				return -1;
		}
	}
	return 0;
}

/*
 * The quantities, in (SKU, warehouse) order: one read and one write each.
 */
static int
change_ops(struct tshop_stock *s, struct tshop_stock_op *ops, size_t n, struct opkey *key,
    unsigned flags, struct tshop_err *e)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (ops[i].id != 0)
			key[m++] = (struct opkey){ (uint64_t)ops[i].id, warehouse(ops[i].warehouse),
			    &ops[i] };
	sort_keys(key, s->tmp, m);
	for (size_t j, i = 0; i < m; i = j) {
		int64_t first, cur;
		bool changed = false;

		if (quantity(s, key[i].op->id, key[i].s, &first, e) == -1)
			return -1;
		cur = first;
		for (j = i; j < m && key[j].k == key[i].k && strcmp(key[j].s, key[i].s) == 0; j++) {
			struct tshop_stock_op *op = key[j].op;
			struct tshop_err why;

			if (step(cur, op->qty, flags & TSHOP_STOCK_ADD,
			    flags & TSHOP_STOCK_ALLOW_NEGATIVE, key[i].s, &op->change, &why) == -1) {
				if (op_bad(op, &why, e) == -1)
					return -1;
				continue;
			}
			cur = op->change.after;
			changed |= op->change.changed;
		}
		if (changed && put_qty(s, key[i].op->id, key[i].s, cur, e) == -1)
			return -1;
	}
	return 0;
}

int
tshop_stock_apply(struct tshop_stock *s, struct tshop_stock_op *ops, size_t n, unsigned flags,
    struct tshop_err *e)
{
	struct opkey *key;

	for (size_t i = 0; i < n; i++) {
		if (ops[i].sku != NULL)
			ops[i].id = 0;
		ops[i].created = false;
		ops[i].change = (struct tshop_stock_change){ 0 };
		ops[i].error = NULL;
	}
	if (n == 0)
		return 0;
	if (n > s->capkey) {
		if ((key = reallocarray(s->key, n, sizeof(*key))) == NULL)
			return tshop_errorf(e, 3, "out of memory");
		s->key = key;
		if ((key = reallocarray(s->tmp, n, sizeof(*key))) == NULL)
			return tshop_errorf(e, 3, "out of memory");
		s->tmp = key;
		s->capkey = n;
	}
	if (resolve_ops(s, ops, n, s->key, flags & TSHOP_STOCK_CREATE, e) == -1 ||
	    change_ops(s, ops, n, s->key, flags, e) == -1)
		return -1;
	/* the ledger, in the ops' order */
	for (size_t i = 0; i < n; i++)
		if (ops[i].id != 0 && ops[i].error == NULL && ops[i].change.changed &&
		    put_ledger(s, ops[i].id, warehouse(ops[i].warehouse), &ops[i].change,
		    ops[i].source, NULL, e) == -1)
			return -1;
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
