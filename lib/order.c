/*
 * order.c — the order model: statuses, deadlines, the merge of an update
 * into the `orders` and `order_line` tables (with the stock moves it
 * causes), events, and the queries behind list, items and picklist.
 *
 * The merge reads the recorded order into a `struct orec` (numbers and
 * strings in fixed slots), builds the new version in a second one by
 * applying the update under the rules of §3, and writes it back with one
 * upsert only when a slot changed.  Lines are matched by SKU against the
 * recorded ones; only unmatched lines touch the catalog.  Every statement
 * is prepared once in tshop_orders_new() and reused.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "money.h"
#include "order.h"
#include "stock.h"

/* ---- statuses -------------------------------------------------------- */

static const char *const status_names[TSHOP_NSTATUS] = {
	"UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING",
	"AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED", "CANCELLED",
};

/* Other spellings: webhook, Seller Center (compared after normalising). */
static const struct {
	const char *word;
	enum tshop_status status;
} status_words[] = {
	{ "cancel", TSHOP_CANCELLED }, { "canceled", TSHOP_CANCELLED },
	{ "to_ship", TSHOP_AWAITING_SHIPMENT }, { "awaiting_shipping", TSHOP_AWAITING_SHIPMENT },
	{ "ready_to_ship", TSHOP_AWAITING_SHIPMENT },
	{ "partially_shipped", TSHOP_PARTIALLY_SHIPPING },
	{ "awaiting_pickup", TSHOP_AWAITING_COLLECTION },
	{ "shipped", TSHOP_IN_TRANSIT }, { "shipping", TSHOP_IN_TRANSIT },
	{ "pending", TSHOP_UNPAID }, { "awaiting_payment", TSHOP_UNPAID },
	{ "onhold", TSHOP_ON_HOLD },
};

int
tshop_status_parse(const char *s, enum tshop_status *out)
{
	char norm[40];

	if (s == NULL || tshop_label_key(s, norm, sizeof(norm)) == -1)
		return -1;
	for (int i = 0; i < TSHOP_NSTATUS; i++)
		if (tshop_streq_nocase(norm, status_names[i])) {
			*out = (enum tshop_status)i;
			return 0;
		}
	for (size_t i = 0; i < sizeof(status_words) / sizeof(status_words[0]); i++)
		if (tshop_streq_nocase(norm, status_words[i].word)) {
			*out = status_words[i].status;
			return 0;
		}
	return -1;
}

const char *
tshop_status_name(enum tshop_status s)
{
	return (unsigned)s < TSHOP_NSTATUS ? status_names[s] : "?";
}

bool
tshop_status_may_follow(enum tshop_status old, enum tshop_status new)
{
	if (old == new)
		return true;
	if (old == TSHOP_CANCELLED)
		return false;
	if (new == TSHOP_CANCELLED)
		return old < TSHOP_DELIVERED;
	return new > old;
}

bool
tshop_status_paid(enum tshop_status s)
{
	return s != TSHOP_UNPAID && s != TSHOP_CANCELLED;
}

int
tshop_status_set_parse(const char *s, unsigned *set, struct tshop_err *e)
{
	const char *p = s, *comma;
	char item[64];
	enum tshop_status st;

	*set = 0;
	do {
		size_t n;

		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		if (n >= sizeof(item))
			n = sizeof(item) - 1;
		memcpy(item, p, n);
		item[n] = '\0';
		tshop_trim(item);
		if (tshop_streq_nocase(item, "to-ship"))
			*set |= TSHOP_GROUP_TO_SHIP;
		else if (tshop_streq_nocase(item, "shipped"))
			*set |= TSHOP_STATUS_BIT(TSHOP_AWAITING_COLLECTION) |
			    TSHOP_STATUS_BIT(TSHOP_IN_TRANSIT);
		else if (tshop_streq_nocase(item, "delivered"))
			*set |= TSHOP_STATUS_BIT(TSHOP_DELIVERED) | TSHOP_STATUS_BIT(TSHOP_COMPLETED);
		else if (tshop_streq_nocase(item, "open"))
			*set |= TSHOP_STATUS_BIT(TSHOP_UNPAID) | TSHOP_STATUS_BIT(TSHOP_ON_HOLD) |
			    TSHOP_GROUP_TO_SHIP | TSHOP_STATUS_BIT(TSHOP_AWAITING_COLLECTION) |
			    TSHOP_STATUS_BIT(TSHOP_IN_TRANSIT);
		else if (tshop_status_parse(item, &st) == 0)
			*set |= TSHOP_STATUS_BIT(st);
		else
			return tshop_errorf(e, 2, "'%s' is not a status or a group "
			    "(to-ship, shipped, delivered, open)", item);
		p = comma + 1;
	} while (comma != NULL);
	return 0;
}

int
tshop_cancel_by_parse(const char *s, const char **out)
{
	if (s == NULL)
		return -1;
	if (tshop_streq_nocase(s, "seller"))
		*out = "seller";
	else if (tshop_streq_nocase(s, "buyer") || tshop_streq_nocase(s, "user") ||
	    tshop_streq_nocase(s, "customer"))
		*out = "buyer";
	else if (tshop_streq_nocase(s, "system") || tshop_streq_nocase(s, "platform") ||
	    tshop_streq_nocase(s, "tiktok") || tshop_streq_nocase(s, "operator"))
		*out = "system";
	else
		return -1;
	return 0;
}

/* Case-insensitive substring test. */
static bool
contains_nocase(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (; *s; s++) {
		size_t i = 0;

		while (i < n && s[i] && (s[i] | 0x20) == (word[i] | 0x20))
			i++;
		if (i == n)
			return true;
	}
	return false;
}

int
tshop_shipping_type_parse(const char *s, const char **out)
{
	if (s == NULL)
		return -1;
	/* "Fulfillment by TikTok Shop", "FULFILLMENT_BY_TIKTOK", "TIKTOK" */
	if (contains_nocase(s, "tiktok") || contains_nocase(s, "platform"))
		*out = "TIKTOK";
	else if (contains_nocase(s, "seller"))
		*out = "SELLER";
	else
		return -1;
	return 0;
}

bool
tshop_order_shipped(enum tshop_status s, tshop_time shipped_at)
{
	if (s == TSHOP_CANCELLED)
		return shipped_at != TSHOP_TIME_NONE;
	return shipped_at != TSHOP_TIME_NONE || s >= TSHOP_IN_TRANSIT;
}

int
tshop_order_late(const struct tshop_order_row *r, tshop_time now)
{
	if (r->ship_by == TSHOP_TIME_NONE)
		return -1;
	if (tshop_order_shipped(r->status, r->shipped_at))
		return r->shipped_at != TSHOP_TIME_NONE && r->shipped_at > r->ship_by;
	if (r->status == TSHOP_CANCELLED)
		return r->cancelled_at != TSHOP_TIME_NONE && r->cancelled_at > r->ship_by;
	return r->ship_by < now;
}

tshop_time
tshop_ship_by(tshop_time paid_at, int handling_days, const struct tshop_holidays *h)
{
	if (paid_at == TSHOP_TIME_NONE)
		return TSHOP_TIME_NONE;
	return tshop_add_business_days(paid_at, handling_days, h);
}

int
tshop_order_event_parse(const char *s, enum tshop_order_event *ev)
{
	if (tshop_streq_nocase(s, "scanned") || tshop_streq_nocase(s, "scan"))
		*ev = TSHOP_EVENT_SCANNED;
	else if (tshop_streq_nocase(s, "delivered"))
		*ev = TSHOP_EVENT_DELIVERED;
	else if (tshop_streq_nocase(s, "completed"))
		*ev = TSHOP_EVENT_COMPLETED;
	else if (tshop_streq_nocase(s, "cancelled") || tshop_streq_nocase(s, "canceled"))
		*ev = TSHOP_EVENT_CANCELLED;
	else
		return -1;
	return 0;
}

void
tshop_order_init(struct tshop_order *o)
{
	memset(o, 0, sizeof(*o));
	o->created_at = o->paid_at = o->update_time = TSHOP_TIME_NONE;
	o->ship_by = o->deliver_by = TSHOP_TIME_NONE;
	o->shipped_at = o->first_scan_at = o->delivered_at = o->cancelled_at = TSHOP_TIME_NONE;
}

/* ---- the recorded order ---------------------------------------------- */

/* Number slots, in the column order of the SQL below. */
enum {
	I_CREATED, I_PAID, I_UPDATE, I_TOTAL, I_SHIP_BY, I_SHIP_BY_PLATFORM, I_DELIVER_BY,
	I_DELIVER_BY_PLATFORM, I_HANDLING, I_SHIPPED, I_FIRST_SCAN, I_DELIVERED, I_CANCELLED,
	I_STOCK, NI
};
/* String slots, after the numbers. */
enum { S_SHIPPING_TYPE, S_WAREHOUSE, S_CURRENCY, S_TRACKING, S_CARRIER, S_CANCEL_BY,
	S_CANCEL_REASON, NS };

#define ORDER_COLS "created_at, paid_at, update_time, total, ship_by, ship_by_platform," \
	" deliver_by, deliver_by_platform, handling_days, shipped_at, first_scan_at," \
	" delivered_at, cancelled_at, stock_taken, shipping_type, warehouse, currency," \
	" tracking, carrier, cancel_by, cancel_reason"

struct orec {
	enum tshop_status status;
	int64_t v[NI];
	bool has[NI];
	const char *s[NS];
};

/* A recorded line, or an update's line once matched or resolved. */
struct oline {
	const char *sku, *sku_id, *title, *product_id;
	size_t sku_off, sku_id_off;	/* recorded lines: into the arena (SIZE_MAX: none) */
	int64_t id;			/* catalog id, 0 until resolved */
	int64_t quantity, amount;
	bool has_amount;
	int64_t line;			/* recorded line number */
};

/* A recorded order's columns, in slot order: status, the numbers, the strings. */
static const char *const order_col[1 + NI + NS] = {
	"status", "created_at", "paid_at", "update_time", "total", "ship_by",
	"ship_by_platform", "deliver_by", "deliver_by_platform", "handling_days",
	"shipped_at", "first_scan_at", "delivered_at", "cancelled_at", "stock_taken",
	"shipping_type", "warehouse", "currency", "tracking", "carrier", "cancel_by",
	"cancel_reason",
};

/*
 * An UPDATE of the columns a change touches, by column mask.  SQLite
 * rewrites the entries of every index over a column its SET names, so
 * marking an order shipped must not name created_at or ship_by.
 */
#define NCHANGE 8
struct change_stmt {
	uint32_t cols;
	sqlite3_stmt *st;
};

struct tshop_orders {
	struct tshop_db *db;
	const struct tshop_config *cfg;
	struct tshop_stock *stock;
	sqlite3_stmt *get, *put, *lines_get, *line_put, *wh_name, *handling_put;
	struct change_stmt change[NCHANGE];	/* most recently used first */
	struct tshop_buf text[NS];	/* the recorded strings */
	struct tshop_buf arena;		/* recorded lines' SKU strings */
	struct tshop_buf scratch;	/* ledger sources, event details */
	struct oline *have, *in;	/* recorded lines; the update's (merged by SKU) */
	size_t nhave, nin, cap_have, cap_in;
	/* a bulk import (tshop_orders_bulk): deferred stock moves ... */
	bool bulk;
	struct move {
		int64_t id, delta;
		size_t warehouse, source;	/* offsets into moves_text */
	} *moves;
	struct tshop_stock_op *ops;	/* the moves, for tshop_stock_apply() */
	size_t nmoves, cap_moves, cap_ops;
	struct tshop_buf moves_text;
	/*
	 * ... and the order_ids known to be absent: those outside both the
	 * range recorded when the import began and the range it has added.
	 */
	struct id_range {
		struct tshop_buf lo, hi;
		bool any;
	} recorded, added;
	bool ranges_read;
};

static const char *const order_sql[] = {
	"SELECT status, " ORDER_COLS " FROM orders WHERE order_id = ?1",
	"INSERT INTO orders (order_id, status, " ORDER_COLS ") VALUES (?1, ?2, ?3, ?4, ?5,"
	" ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,"
	" ?23) ON CONFLICT (order_id) DO UPDATE SET status = excluded.status,"
	" created_at = excluded.created_at, paid_at = excluded.paid_at,"
	" update_time = excluded.update_time, total = excluded.total,"
	" ship_by = excluded.ship_by, ship_by_platform = excluded.ship_by_platform,"
	" deliver_by = excluded.deliver_by, deliver_by_platform = excluded.deliver_by_platform,"
	" handling_days = excluded.handling_days, shipped_at = excluded.shipped_at,"
	" first_scan_at = excluded.first_scan_at, delivered_at = excluded.delivered_at,"
	" cancelled_at = excluded.cancelled_at, stock_taken = excluded.stock_taken,"
	" shipping_type = excluded.shipping_type, warehouse = excluded.warehouse,"
	" currency = excluded.currency, tracking = excluded.tracking,"
	" carrier = excluded.carrier, cancel_by = excluded.cancel_by,"
	" cancel_reason = excluded.cancel_reason",
	"SELECT l.line, l.sku, s.sku, s.sku_id, l.quantity, l.amount FROM order_line l"
	" JOIN sku s ON s.id = l.sku WHERE l.order_id = ?1 ORDER BY l.line",
	"INSERT INTO order_line (order_id, line, sku, title, quantity, unit_price, amount)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	"SELECT substr(key, 11) FROM config WHERE key LIKE 'warehouse.%' AND value = ?1"
	" ORDER BY key LIMIT 1",
	"UPDATE orders SET handling_days = ?2, ship_by = ?3 WHERE order_id = ?1",
};

int
tshop_orders_new(struct tshop_orders **op, struct tshop_db *db, const struct tshop_config *cfg,
    struct tshop_err *e)
{
	struct tshop_orders *o;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		return tshop_errorf(e, 3, "out of memory");
	o->db = db;
	o->cfg = cfg;
	sqlite3_stmt **all[] = { &o->get, &o->put, &o->lines_get, &o->line_put, &o->wh_name,
	    &o->handling_put };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (tshop_db_prepare(db, all[i], order_sql[i], e) == -1) {
			tshop_orders_free(o);
			return -1;
		}
	if (tshop_stock_new(&o->stock, db, e) == -1) {
		tshop_orders_free(o);
		return -1;
	}
	*op = o;
	return 0;
}

void
tshop_orders_free(struct tshop_orders *o)
{
	if (o == NULL)
		return;
	sqlite3_finalize(o->get);
	sqlite3_finalize(o->put);
	sqlite3_finalize(o->lines_get);
	sqlite3_finalize(o->line_put);
	sqlite3_finalize(o->wh_name);
	sqlite3_finalize(o->handling_put);
	for (int i = 0; i < NCHANGE; i++)
		sqlite3_finalize(o->change[i].st);
	tshop_stock_free(o->stock);
	for (int i = 0; i < NS; i++)
		tshop_buf_release(&o->text[i]);
	tshop_buf_release(&o->arena);
	tshop_buf_release(&o->scratch);
	free(o->have);
	free(o->in);
	free(o->moves);
	free(o->ops);
	tshop_buf_release(&o->moves_text);
	tshop_buf_release(&o->recorded.lo);
	tshop_buf_release(&o->recorded.hi);
	tshop_buf_release(&o->added.lo);
	tshop_buf_release(&o->added.hi);
	free(o);
}

/* Widen r to hold id (compared as SQLite's BINARY collation does); -1 out of memory. */
static int
range_add(struct id_range *r, const char *id)
{
	if (!r->any || strcmp(id, tshop_buf_str(&r->lo)) < 0) {
		tshop_buf_reset(&r->lo);
		if (tshop_buf_adds(&r->lo, id) == -1)
			return -1;
	}
	if (!r->any || strcmp(id, tshop_buf_str(&r->hi)) > 0) {
		tshop_buf_reset(&r->hi);
		if (tshop_buf_adds(&r->hi, id) == -1)
			return -1;
	}
	r->any = true;
	return 0;
}

static bool
in_range(const struct id_range *r, const char *id)
{
	return r->any && strcmp(id, tshop_buf_str(&r->lo)) >= 0 &&
	    strcmp(id, tshop_buf_str(&r->hi)) <= 0;
}

/*
 * In a bulk import, is order_id certainly not recorded?  A file sorted
 * by order (either way) then needs no lookup for its new orders.
 */
static int
known_absent(struct tshop_orders *o, const char *order_id, struct tshop_err *e)
{
	sqlite3_stmt *st;
	int rc = SQLITE_ROW;

	if (!o->bulk)
		return 0;
	if (!o->ranges_read) {
		if (tshop_db_cached(o->db, &st, "SELECT (SELECT min(order_id) FROM orders),"
		    " (SELECT max(order_id) FROM orders)", e) == -1)
			return -1;
		if ((rc = sqlite3_step(st)) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL &&
		    (range_add(&o->recorded, tshop_db_col_text(st, 0)) == -1 ||
		    range_add(&o->recorded, tshop_db_col_text(st, 1)) == -1))
			rc = SQLITE_NOMEM;
		sqlite3_reset(st);
		if (rc == SQLITE_NOMEM)
			return tshop_errorf(e, 3, "out of memory");
		if (rc != SQLITE_ROW)
			return tshop_db_error(o->db, e, "reading the order ids");
		o->ranges_read = true;
	}
	return !in_range(&o->recorded, order_id) && !in_range(&o->added, order_id);
}

/* Read the recorded order: 1 found (into *r), 0 not, -1 error. */
static int
load(struct tshop_orders *o, const char *order_id, struct orec *r, struct tshop_err *e)
{
	sqlite3_stmt *st = o->get;
	int rc;

	if ((rc = known_absent(o, order_id, e)) != 0)
		return rc == 1 ? 0 : -1;
	sqlite3_bind_text(st, 1, order_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *name = tshop_db_col_text(st, 0);

		if (tshop_status_parse(name, &r->status) == -1)
			r->status = TSHOP_UNPAID;
		for (int i = 0; i < NI; i++) {
			r->has[i] = sqlite3_column_type(st, 1 + i) != SQLITE_NULL;
			r->v[i] = sqlite3_column_int64(st, 1 + i);
		}
		for (int i = 0; i < NS; i++) {
			const char *v = tshop_db_col_text(st, 1 + NI + i);

			tshop_buf_reset(&o->text[i]);
			if (v != NULL && tshop_buf_adds(&o->text[i], v) == -1)
				rc = SQLITE_NOMEM;
			r->s[i] = v != NULL ? tshop_buf_str(&o->text[i]) : NULL;
		}
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	if (rc == SQLITE_NOMEM)
		return tshop_errorf(e, 3, "out of memory");
	return tshop_db_error(o->db, e, "reading an order");
}

static int
grow(void *pp, size_t *cap, size_t need, size_t size)
{
	void **p = pp, *n;
	size_t c;

	if (need <= *cap)
		return 0;
	c = *cap ? *cap * 2 : 8;
	while (c < need)
		c *= 2;
	if ((n = reallocarray(*p, c, size)) == NULL)
		return -1;
	*p = n;
	*cap = c;
	return 0;
}

static size_t
arena_put(struct tshop_buf *a, const char *s, bool *oom)
{
	size_t off = a->len;

	if (s == NULL)
		return SIZE_MAX;
	if (tshop_buf_add(a, s, strlen(s) + 1) == -1) {
		*oom = true;
		return SIZE_MAX;
	}
	return off;
}

/* Read the recorded lines of an order into o->have. */
static int
load_lines(struct tshop_orders *o, const char *order_id, struct tshop_err *e)
{
	sqlite3_stmt *st = o->lines_get;
	bool oom = false;
	int rc;

	o->nhave = 0;
	tshop_buf_reset(&o->arena);
	sqlite3_bind_text(st, 1, order_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct oline *l;

		if (grow(&o->have, &o->cap_have, o->nhave + 1, sizeof(*o->have)) == -1) {
			oom = true;
			break;
		}
		l = &o->have[o->nhave++];
		memset(l, 0, sizeof(*l));
		l->line = sqlite3_column_int64(st, 0);
		l->id = sqlite3_column_int64(st, 1);
		l->sku_off = arena_put(&o->arena, tshop_db_col_text(st, 2), &oom);
		l->sku_id_off = arena_put(&o->arena, tshop_db_col_text(st, 3), &oom);
		l->quantity = sqlite3_column_int64(st, 4);
		l->has_amount = sqlite3_column_type(st, 5) != SQLITE_NULL;
		l->amount = sqlite3_column_int64(st, 5);
	}
	sqlite3_reset(st);
	if (oom)
		return tshop_errorf(e, 3, "out of memory");
	if (rc != SQLITE_DONE)
		return tshop_db_error(o->db, e, "reading order lines");
	/* the arena no longer moves */
	for (size_t i = 0; i < o->nhave; i++) {
		struct oline *l = &o->have[i];

		l->sku = l->sku_off == SIZE_MAX ? NULL : o->arena.data + l->sku_off;
		l->sku_id = l->sku_id_off == SIZE_MAX ? NULL : o->arena.data + l->sku_id_off;
	}
	return 0;
}

static bool
eq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Do two lines name the same SKU?  sku_ids decide when both have one. */
static bool
same_sku(const struct oline *a, const struct oline *b)
{
	if (a->id != 0 && b->id != 0)
		return a->id == b->id;
	if (a->sku_id != NULL && b->sku_id != NULL)
		return strcmp(a->sku_id, b->sku_id) == 0;
	return eq(a->sku, b->sku) || eq(a->sku, b->sku_id) || eq(a->sku_id, b->sku);
}

/* Find the catalog entry of a line, creating it when unknown. */
static int
resolve(struct tshop_orders *o, struct oline *l, struct tshop_err *e)
{
	int rc = 0;
	bool created;

	if (l->sku_id != NULL)
		rc = tshop_sku_lookup(o->stock, l->sku_id, &l->id, e);
	if (rc == 0 && l->sku != NULL)
		rc = tshop_sku_lookup(o->stock, l->sku, &l->id, e);
	if (rc != 0)
		return rc == 1 ? 0 : -1;
	return tshop_sku_upsert(o->stock, &(struct tshop_sku){ .sku = l->sku,
	    .sku_id = l->sku_id, .product_id = l->product_id, .title = l->title }, &l->id,
	    &created, e);
}

void
tshop_orders_bulk(struct tshop_orders *o)
{
	o->bulk = true;
}

int
tshop_orders_flush(struct tshop_orders *o, struct tshop_err *e)
{
	const char *text = o->moves_text.data;
	struct tshop_stock_op *op;
	int rc;

	if (grow(&o->ops, &o->cap_ops, o->nmoves, sizeof(*o->ops)) == -1)
		return tshop_errorf(e, 3, "out of memory");
	for (size_t i = 0; i < o->nmoves; i++)
		o->ops[i] = (struct tshop_stock_op){ .id = o->moves[i].id,
		    .qty = o->moves[i].delta, .warehouse = text + o->moves[i].warehouse,
		    .source = text + o->moves[i].source };
	rc = tshop_stock_apply(o->stock, o->ops, o->nmoves, TSHOP_STOCK_ADD |
	    TSHOP_STOCK_ALLOW_NEGATIVE, e);
	/* only a quantity beyond 64 bits can fail: stop, whichever line comes next */
	for (size_t i = 0; i < o->nmoves; i++)
		if ((op = &o->ops[i])->error != NULL) {
			if (rc == 0)
				rc = tshop_errorf(e, 3, "stock moved by '%s' in warehouse '%s': %s",
				    op->source, op->warehouse, op->error);
			free(op->error);
		}
	o->nmoves = 0;
	tshop_buf_reset(&o->moves_text);
	return rc;
}

/* Keep the moves for tshop_orders_flush(). */
static int
defer_moves(struct tshop_orders *o, const struct oline *lines, size_t n, int sign,
    const char *warehouse, const char *source, struct tshop_err *e)
{
	size_t wh = o->moves_text.len, src = wh + strlen(warehouse) + 1;

	if (tshop_buf_add(&o->moves_text, warehouse, strlen(warehouse) + 1) == -1 ||
	    tshop_buf_add(&o->moves_text, source, strlen(source) + 1) == -1 ||
	    grow(&o->moves, &o->cap_moves, o->nmoves + n, sizeof(*o->moves)) == -1)
		return tshop_errorf(e, 3, "out of memory");
	for (size_t i = 0; i < n; i++)
		if (lines[i].quantity != 0)
			o->moves[o->nmoves++] = (struct move){ lines[i].id,
			    sign * lines[i].quantity, wh, src };
	if (o->nmoves >= TSHOP_DB_FLUSH)
		return tshop_orders_flush(o, e);
	return 0;
}

/* Move the stock of lines[0..n) by sign × quantity. */
static int
move_stock(struct tshop_orders *o, const struct oline *lines, size_t n, int sign,
    const char *warehouse, const char *what, const char *order_id, struct tshop_err *e)
{
	tshop_buf_reset(&o->scratch);
	/* "what:order_id", once per order of an import: no printf */
	if (tshop_buf_adds(&o->scratch, what) == -1 || tshop_buf_addc(&o->scratch, ':') == -1 ||
	    tshop_buf_adds(&o->scratch, order_id) == -1)
		return tshop_errorf(e, 3, "out of memory");
	if (o->bulk)
		return defer_moves(o, lines, n, sign, warehouse, tshop_buf_str(&o->scratch), e);
	for (size_t i = 0; i < n; i++)
		if (lines[i].quantity != 0 && tshop_stock_add(o->stock, lines[i].id, warehouse,
		    sign * lines[i].quantity, true, tshop_buf_str(&o->scratch), NULL, NULL, e) == -1)
			return -1;
	return 0;
}

static int64_t
unit_price(int64_t amount, int64_t quantity)
{
	return quantity > 0 ? tshop_div_half_up(amount, quantity) : amount;
}

static int
put_line(struct tshop_orders *o, const char *order_id, const struct oline *l,
    struct tshop_err *e)
{
	sqlite3_stmt *st = o->line_put;
	int rc;

	sqlite3_bind_text(st, 1, order_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, l->line);
	sqlite3_bind_int64(st, 3, l->id);
	tshop_db_bind_text(st, 4, l->title);
	sqlite3_bind_int64(st, 5, l->quantity);
	if (l->has_amount) {
		sqlite3_bind_int64(st, 6, unit_price(l->amount, l->quantity));
		sqlite3_bind_int64(st, 7, l->amount);
	} else {
		sqlite3_bind_null(st, 6);
		sqlite3_bind_null(st, 7);
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return tshop_db_error(o->db, e, "writing an order line");
	return 0;
}

/* Bind a record to the parameters of order_sql's put: ?2 status, then the slots. */
static void
bind_rec(sqlite3_stmt *st, const char *order_id, const struct orec *r)
{
	sqlite3_bind_text(st, 1, order_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, tshop_status_name(r->status), -1, SQLITE_STATIC);
	for (int i = 0; i < NI; i++) {
		if (r->has[i])
			sqlite3_bind_int64(st, 3 + i, r->v[i]);
		else
			sqlite3_bind_null(st, 3 + i);
	}
	/* as tshop_db_bind_text, without a copy: put_order steps at once */
	for (int i = 0; i < NS; i++)
		if (r->s[i] == NULL || *r->s[i] == '\0')
			sqlite3_bind_null(st, 3 + NI + i);
		else
			sqlite3_bind_text(st, 3 + NI + i, r->s[i], -1, SQLITE_STATIC);
}

/* Which columns of b differ from a: bit 0 status, then the slots. */
static uint32_t
rec_changes(const struct orec *a, const struct orec *b)
{
	uint32_t cols = a->status != b->status;

	for (int i = 0; i < NI; i++)
		if (a->has[i] != b->has[i] || (a->has[i] && a->v[i] != b->v[i]))
			cols |= UINT32_C(1) << (1 + i);
	for (int i = 0; i < NS; i++)
		if ((a->s[i] == NULL) != (b->s[i] == NULL) ||
		    (a->s[i] != NULL && strcmp(a->s[i], b->s[i]) != 0))
			cols |= UINT32_C(1) << (1 + NI + i);
	return cols;
}

/* The UPDATE of the columns in cols, prepared once and kept. */
static sqlite3_stmt *
change_stmt(struct tshop_orders *o, uint32_t cols, struct tshop_err *e)
{
	struct tshop_buf sql = TSHOP_BUF_INIT;
	struct change_stmt c = { cols, NULL };
	const char *sep = "";
	bool oom = false;
	int i, n;

	for (i = 0; i < NCHANGE && o->change[i].st != NULL && o->change[i].cols != cols; i++)
		;
	if (i == NCHANGE || o->change[i].st == NULL) {
		oom |= tshop_buf_adds(&sql, "UPDATE orders SET") == -1;
		for (n = 0; n < 1 + NI + NS; n++)
			if (cols & UINT32_C(1) << n) {
				oom |= tshop_buf_addf(&sql, "%s %s = ?%d", sep, order_col[n],
				    2 + n) == -1;
				sep = ",";
			}
		oom |= tshop_buf_adds(&sql, " WHERE order_id = ?1") == -1;
		n = oom ? tshop_errorf(e, 3, "out of memory") :
		    tshop_db_prepare(o->db, &c.st, tshop_buf_str(&sql), e);
		tshop_buf_release(&sql);
		if (n == -1)
			return NULL;
		if (i == NCHANGE)
			sqlite3_finalize(o->change[--i].st);
	} else
		c = o->change[i];
	memmove(&o->change[1], &o->change[0], (size_t)i * sizeof(o->change[0]));
	o->change[0] = c;
	return c.st;
}

/*
 * Record an order: all of a new one (cols 0), the columns in cols
 * (rec_changes()) of a known one.
 */
static int
put_order(struct tshop_orders *o, const char *order_id, const struct orec *r, uint32_t cols,
    struct tshop_err *e)
{
	sqlite3_stmt *st = o->put;
	int rc;

	if (cols != 0 && (st = change_stmt(o, cols, e)) == NULL)
		return -1;
	bind_rec(st, order_id, r);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return tshop_db_error(o->db, e, "writing an order");
	return 0;
}

static void
set_time(struct orec *r, int slot, tshop_time t)
{
	if (t != TSHOP_TIME_NONE) {
		r->v[slot] = t;
		r->has[slot] = true;
	}
}

static void
set_str(struct orec *r, int slot, const char *s)
{
	if (s != NULL && *s != '\0')
		r->s[slot] = s;
}

/*
 * A recorded value is replaced only by an update known to be newer (a later
 * update_time) or by a local decision (tshop_order.replace).  Any other
 * update that contradicts it is a conflict: counted, described, the
 * recorded value kept (SPEC §2.4).  Empty values are filled.
 */
struct fill {
	struct orec *r;
	bool keep;
	struct tshop_merge *m;
};

static void
conflict(struct fill *f, int col, const char *given, const char *kept)
{
	char *d = f->m->conflict;
	size_t len = strlen(d);

	f->m->field_conflicts++;
	if (len + 1 < sizeof(f->m->conflict))
		snprintf(d + len, sizeof(f->m->conflict) - len, "%s%s '%s' differs from the "
		    "recorded '%s'", len ? "; " : "", order_col[col], given, kept);
}

static void
fill_time(struct fill *f, int slot, tshop_time t)
{
	char a[32], b[32];

	if (t != TSHOP_TIME_NONE && f->keep && f->r->has[slot] && f->r->v[slot] != t)
		conflict(f, 1 + slot, tshop_time_format(t, a, sizeof(a)),
		    tshop_time_format(f->r->v[slot], b, sizeof(b)));
	else
		set_time(f->r, slot, t);
}

static void
fill_str(struct fill *f, int slot, const char *s)
{
	const char *old = f->r->s[slot];

	if (s == NULL || *s == '\0' || (old != NULL && tshop_streq_nocase(old, s)))
		return;
	if (f->keep && old != NULL)
		conflict(f, 1 + NI + slot, s, old);
	else
		f->r->s[slot] = s;
}

/* Collect the update's lines into o->in, one per SKU (quantities added). */
static int
gather_lines(struct tshop_orders *o, const struct tshop_order *u, struct tshop_err *e)
{
	o->nin = 0;
	for (size_t i = 0; i < u->nlines; i++) {
		const struct tshop_order_line *ul = &u->lines[i];
		struct oline l = { .sku = ul->sku, .sku_id = ul->sku_id, .title = ul->title,
		    .product_id = ul->product_id, .quantity = ul->quantity, .amount = ul->amount,
		    .has_amount = ul->has_amount };
		size_t k;

		if (l.sku != NULL && *l.sku == '\0')
			l.sku = NULL;
		if (l.sku_id != NULL && *l.sku_id == '\0')
			l.sku_id = NULL;
		if (l.sku == NULL && l.sku_id == NULL)
			return tshop_errorf(e, 2, "order '%s': a line has no sku or sku_id",
			    u->order_id);
		if (l.quantity <= 0)
			return tshop_errorf(e, 2, "order '%s': quantity %lld is not positive",
			    u->order_id, (long long)l.quantity);
		for (k = 0; k < o->nin && !same_sku(&o->in[k], &l); k++)
			;
		if (k < o->nin) {
			o->in[k].quantity += l.quantity;
			o->in[k].has_amount = o->in[k].has_amount && l.has_amount;
			o->in[k].amount += l.amount;
			continue;
		}
		if (grow(&o->in, &o->cap_in, o->nin + 1, sizeof(*o->in)) == -1)
			return tshop_errorf(e, 3, "out of memory");
		o->in[o->nin++] = l;
	}
	return 0;
}

/* The merge for import, sync, webhook and mark; must_exist for events. */
static int
merge(struct tshop_orders *o, const struct tshop_order *u, bool must_exist,
    struct tshop_merge *m, struct tshop_err *e)
{
	struct orec old, cur;
	struct oline *added;
	size_t nadded = 0;
	int64_t next_line = 1, added_amount = 0;
	bool added_priced = true, stale = false;
	uint32_t changed;		/* the recorded columns the merge changes */
	int found, handling;

	memset(m, 0, sizeof(*m));
	if (u->order_id == NULL || *u->order_id == '\0')
		return tshop_errorf(e, 2, "no order_id");
	if ((unsigned)u->status >= TSHOP_NSTATUS)
		return tshop_errorf(e, 2, "order '%s': no status", u->order_id);
	if (u->handling_days != 0 && (u->handling_days < 1 || u->handling_days > 7))
		return tshop_errorf(e, 2, "order '%s': handling_days %d is not 1 to 7",
		    u->order_id, u->handling_days);
	if (gather_lines(o, u, e) == -1)
		return -1;
	if ((found = load(o, u->order_id, &old, e)) == -1)
		return -1;
	if (!found) {
		if (must_exist)
			return tshop_errorf(e, 2, "order '%s' is not known", u->order_id);
		if (u->created_at == TSHOP_TIME_NONE)
			return tshop_errorf(e, 2, "order '%s' is new and has no created_at",
			    u->order_id);
		if (o->nin == 0)
			return tshop_errorf(e, 2, "order '%s' is new and has no lines", u->order_id);
		memset(&old, 0, sizeof(old));
		old.s[S_SHIPPING_TYPE] = "SELLER";
		old.s[S_WAREHOUSE] = TSHOP_WAREHOUSE_DEFAULT;
		old.status = u->status;
		o->nhave = 0;
	} else {
		/* the recorded lines, to match the update's; else read when stock moves */
		m->before = old.status;
		o->nhave = 0;
		if (o->nin > 0 && load_lines(o, u->order_id, e) == -1)
			return -1;
		if (o->nhave > 0)
			next_line = o->have[o->nhave - 1].line + 1;
	}

	/*
	 * Lines: match by SKU against the recorded ones; resolve the rest in
	 * the catalog (and match again by catalog id); what remains is added.
	 * The added lines are moved to the front of o->in.
	 */
	for (size_t i = 0; i < o->nin; i++) {
		struct oline *l = &o->in[i];
		size_t k;

		for (k = 0; k < o->nhave && !same_sku(&o->have[k], l); k++)
			;
		if (k == o->nhave) {
			if (resolve(o, l, e) == -1)
				return -1;
			for (k = 0; k < o->nhave && o->have[k].id != l->id; k++)
				;
		}
		if (k < o->nhave) {
			m->line_conflicts += o->have[k].quantity != l->quantity;
			continue;
		}
		for (k = 0; k < nadded && o->in[k].id != l->id; k++)
			;
		if (k < nadded) {	/* two spellings of one SKU */
			o->in[k].quantity += l->quantity;
			o->in[k].has_amount = o->in[k].has_amount && l->has_amount;
			o->in[k].amount += l->amount;
			continue;
		}
		o->in[nadded] = *l;
		o->in[nadded].line = next_line++;
		added_priced = added_priced && l->has_amount;
		added_amount += l->amount;
		nadded++;
	}
	added = o->in;
	m->lines_added = found ? nadded : 0;

	cur = old;
	if (found) {
		stale = !tshop_status_may_follow(old.status, u->status) ||
		    (u->update_time != TSHOP_TIME_NONE && old.has[I_UPDATE] &&
		    u->update_time < old.v[I_UPDATE]);
	}
	if (!stale) {
		struct fill f = { &cur, found && !u->replace && !(u->update_time != TSHOP_TIME_NONE &&
		    (!old.has[I_UPDATE] || u->update_time > old.v[I_UPDATE])), m };

		cur.status = u->status;
		fill_time(&f, I_CREATED, u->created_at);
		fill_time(&f, I_PAID, u->paid_at);
		fill_time(&f, I_SHIPPED, u->shipped_at);
		fill_time(&f, I_DELIVERED, u->delivered_at);
		fill_time(&f, I_CANCELLED, u->cancelled_at);
		if (u->update_time != TSHOP_TIME_NONE &&
		    (!cur.has[I_UPDATE] || u->update_time > cur.v[I_UPDATE]))
			set_time(&cur, I_UPDATE, u->update_time);
		if (u->first_scan_at != TSHOP_TIME_NONE &&
		    (!cur.has[I_FIRST_SCAN] || u->first_scan_at < cur.v[I_FIRST_SCAN]))
			set_time(&cur, I_FIRST_SCAN, u->first_scan_at);
		if (u->handling_days != 0)
			set_time(&cur, I_HANDLING, u->handling_days);
		fill_str(&f, S_SHIPPING_TYPE, u->shipping_type);
		set_str(&cur, S_WAREHOUSE, u->warehouse);	/* a move: in the ledger */
		fill_str(&f, S_CURRENCY, u->currency);
		fill_str(&f, S_TRACKING, u->tracking);
		fill_str(&f, S_CARRIER, u->carrier);
		fill_str(&f, S_CANCEL_BY, u->cancel_by);
		fill_str(&f, S_CANCEL_REASON, u->cancel_reason);
		if (u->has_total)
			set_time(&cur, I_TOTAL, u->total);

		/* deadlines: the platform's, else computed (§3) */
		handling = cur.has[I_HANDLING] ? (int)cur.v[I_HANDLING] : o->cfg->handling_days;
		if (u->ship_by != TSHOP_TIME_NONE) {
			set_time(&cur, I_SHIP_BY, u->ship_by);
			set_time(&cur, I_SHIP_BY_PLATFORM, 1);
		} else if (!(cur.has[I_SHIP_BY_PLATFORM] && cur.v[I_SHIP_BY_PLATFORM])) {
			cur.has[I_SHIP_BY] = cur.has[I_PAID];
			cur.v[I_SHIP_BY] = cur.has[I_PAID] ? tshop_ship_by(cur.v[I_PAID], handling,
			    &o->cfg->holidays) : 0;
			set_time(&cur, I_SHIP_BY_PLATFORM, 0);
		}
		if (u->deliver_by != TSHOP_TIME_NONE) {
			set_time(&cur, I_DELIVER_BY, u->deliver_by);
			set_time(&cur, I_DELIVER_BY_PLATFORM, 1);
		} else if (!(cur.has[I_DELIVER_BY_PLATFORM] && cur.v[I_DELIVER_BY_PLATFORM])) {
			set_time(&cur, I_DELIVER_BY, tshop_add_local_days(cur.v[I_CREATED],
			    o->cfg->delivery_days));
			set_time(&cur, I_DELIVER_BY_PLATFORM, 0);
		}
	}
	/* a total nobody gave: the lines' amounts */
	if (!(u->has_total && !stale) && nadded > 0 && added_priced) {
		if (!found)
			set_time(&cur, I_TOTAL, added_amount);
		else if (cur.has[I_TOTAL])
			cur.v[I_TOTAL] += added_amount;
	}
	if (!cur.has[I_STOCK])
		set_time(&cur, I_STOCK, 0);

	/* write the order first: its lines refer to it */
	{
		bool taking = cur.v[I_STOCK] == 0 && tshop_status_paid(cur.status);
		bool returning = found && !stale && cur.status == TSHOP_CANCELLED &&
		    old.status != TSHOP_CANCELLED && old.has[I_STOCK] && old.v[I_STOCK] == 1 &&
		    !tshop_order_shipped(old.status, cur.has[I_SHIPPED] ?
		    cur.v[I_SHIPPED] : TSHOP_TIME_NONE);
		bool add_taken = cur.v[I_STOCK] == 1;
		/* taken from one warehouse, now recorded in another: move it along */
		bool moving = add_taken && !returning &&
		    strcmp(old.s[S_WAREHOUSE], cur.s[S_WAREHOUSE]) != 0;

		if (found && o->nin == 0 && (taking || moving || returning) &&
		    load_lines(o, u->order_id, e) == -1)
			return -1;
		if (taking)
			cur.v[I_STOCK] = 1;
		if (returning)
			cur.v[I_STOCK] = 2;
		changed = found ? rec_changes(&old, &cur) : 0;
		if ((!found || changed != 0) && put_order(o, u->order_id, &cur, changed, e) == -1)
			return -1;
		if (!found && o->bulk && range_add(&o->added, u->order_id) == -1)
			return tshop_errorf(e, 3, "out of memory");
		for (size_t i = 0; i < nadded; i++)
			if (put_line(o, u->order_id, &added[i], e) == -1)
				return -1;
		/* stock: recorded lines and added ones, exactly once (§3) */
		if (taking) {
			if (move_stock(o, o->have, o->nhave, -1, cur.s[S_WAREHOUSE], "order",
			    u->order_id, e) == -1 ||
			    move_stock(o, added, nadded, -1, cur.s[S_WAREHOUSE], "order",
			    u->order_id, e) == -1)
				return -1;
			m->stock_taken = true;
		} else if (add_taken) {
			if (nadded > 0 && move_stock(o, added, nadded, -1, cur.s[S_WAREHOUSE],
			    "order", u->order_id, e) == -1)
				return -1;
			if (moving && (move_stock(o, o->have, o->nhave, +1, old.s[S_WAREHOUSE],
			    "moved", u->order_id, e) == -1 ||
			    move_stock(o, o->have, o->nhave, -1, cur.s[S_WAREHOUSE], "moved",
			    u->order_id, e) == -1))
				return -1;
		}
		if (returning) {
			if (move_stock(o, o->have, o->nhave, +1, old.s[S_WAREHOUSE], "cancel",
			    u->order_id, e) == -1 ||
			    move_stock(o, added, nadded, +1, old.s[S_WAREHOUSE], "cancel",
			    u->order_id, e) == -1)
				return -1;
			m->stock_returned = true;
		}
		if (!found)
			m->result = TSHOP_MERGE_NEW;
		else if (nadded > 0 || (!stale && changed != 0))
			m->result = TSHOP_MERGE_UPDATED;
		else
			m->result = stale ? TSHOP_MERGE_STALE : TSHOP_MERGE_UNCHANGED;
	}
	return 0;
}

int
tshop_order_merge(struct tshop_orders *o, const struct tshop_order *u,
    struct tshop_merge *m, struct tshop_err *e)
{
	return merge(o, u, false, m, e);
}

int
tshop_order_event(struct tshop_orders *o, const char *order_id, enum tshop_order_event ev,
    tshop_time t, const char *detail, struct tshop_merge *m, struct tshop_err *e)
{
	struct tshop_order u;
	struct orec old;
	char *colon;
	int found;

	if ((found = load(o, order_id, &old, e)) == -1)
		return -1;
	if (found == 0)
		return tshop_errorf(e, 2, "order '%s' is not known", order_id);
	tshop_order_init(&u);
	u.order_id = order_id;
	u.status = old.status;
	u.replace = true;
	switch (ev) {
	case TSHOP_EVENT_SCANNED:
		u.first_scan_at = t;
		break;
	case TSHOP_EVENT_DELIVERED:
		u.status = TSHOP_DELIVERED;
		u.delivered_at = t;
		break;
	case TSHOP_EVENT_COMPLETED:
		u.status = TSHOP_COMPLETED;
		break;
	case TSHOP_EVENT_CANCELLED:
		u.status = TSHOP_CANCELLED;
		u.cancelled_at = t;
		if (detail == NULL || *detail == '\0')
			break;
		tshop_buf_reset(&o->scratch);
		if (tshop_buf_adds(&o->scratch, detail) == -1)
			return tshop_errorf(e, 3, "out of memory");
		if ((colon = strchr(o->scratch.data, ':')) != NULL) {
			*colon = '\0';
			u.cancel_reason = tshop_trim(colon + 1);
		}
		if (tshop_cancel_by_parse(tshop_trim(o->scratch.data), &u.cancel_by) == -1)
			return tshop_errorf(e, 2, "detail '%s' is not seller, buyer or system"
			    "[:reason]", detail);
		break;
	}
	return merge(o, &u, true, m, e);
}

int
tshop_order_set_handling(struct tshop_orders *o, const char *order_id, int days,
    tshop_time *ship_by, struct tshop_err *e)
{
	struct orec r;
	int found, rc;

	if (days < 1 || days > 7)
		return tshop_errorf(e, 2, "handling time '%d' is not 1 to 7 business days", days);
	if ((found = load(o, order_id, &r, e)) == -1)
		return -1;
	if (found == 0)
		return tshop_errorf(e, 2, "order '%s' is not known", order_id);
	if (r.has[I_SHIP_BY_PLATFORM] && r.v[I_SHIP_BY_PLATFORM])
		*ship_by = r.has[I_SHIP_BY] ? r.v[I_SHIP_BY] : TSHOP_TIME_NONE;
	else
		*ship_by = r.has[I_PAID] ? tshop_ship_by(r.v[I_PAID], days, &o->cfg->holidays) :
		    TSHOP_TIME_NONE;
	sqlite3_bind_text(o->handling_put, 1, order_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(o->handling_put, 2, days);
	if (*ship_by != TSHOP_TIME_NONE)
		sqlite3_bind_int64(o->handling_put, 3, *ship_by);
	else
		sqlite3_bind_null(o->handling_put, 3);
	rc = sqlite3_step(o->handling_put);
	sqlite3_reset(o->handling_put);
	if (rc != SQLITE_DONE)
		return tshop_db_error(o->db, e, "writing an order");
	return 0;
}

int
tshop_order_warehouse_name(struct tshop_orders *o, const char *warehouse_id,
    struct tshop_buf *buf, struct tshop_err *e)
{
	sqlite3_stmt *st = o->wh_name;
	int rc;

	tshop_buf_reset(buf);
	sqlite3_bind_text(st, 1, warehouse_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && tshop_buf_adds(buf, tshop_db_col_text(st, 0)) == -1)
		rc = SQLITE_NOMEM;
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	if (rc == SQLITE_NOMEM)
		return tshop_errorf(e, 3, "out of memory");
	return tshop_db_error(o->db, e, "reading the settings");
}

/* ---- reading ---------------------------------------------------------- */

/* ",A,B," for a status set (0: every status), for instr() in SQL. */
static int
status_list(unsigned set, struct tshop_buf *b)
{
	tshop_buf_reset(b);
	if (tshop_buf_addc(b, ',') == -1)
		return -1;
	for (int i = 0; i < TSHOP_NSTATUS; i++)
		if ((set == 0 || (set & TSHOP_STATUS_BIT(i))) &&
		    tshop_buf_addf(b, "%s,", status_names[i]) == -1)
			return -1;
	return 0;
}

static tshop_time
col_time(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? TSHOP_TIME_NONE :
	    sqlite3_column_int64(st, i);
}

static enum tshop_status
col_status(sqlite3_stmt *st, int i)
{
	enum tshop_status s;

	return tshop_status_parse(tshop_db_col_text(st, i), &s) == 0 ? s : TSHOP_UNPAID;
}

#define LIST_SELECT LIST_FROM("orders o")
#define LIST_FROM(orders) "SELECT o.order_id, o.status, o.created_at, o.paid_at, o.ship_by," \
	" o.shipping_type, o.warehouse, (SELECT coalesce(sum(l.quantity), 0) FROM order_line l" \
	" WHERE l.order_id = o.order_id), o.total, o.currency, o.carrier, o.tracking," \
	" o.shipped_at, o.delivered_at, o.cancelled_at FROM " orders \
	" WHERE (?1 IS NULL OR o.created_at >= ?1) AND (?2 IS NULL OR o.created_at < ?2)" \
	" AND (?3 IS NULL OR o.warehouse = ?3) AND instr(?4, ',' || o.status || ',') > 0"
/* the statuses of orders_unshipped (lib/db.c), word for word */
#define LIST_UNSHIPPED LIST_FROM("orders o INDEXED BY orders_unshipped") UNSHIPPED
#define UNSHIPPED " AND (o.status = 'UNPAID' OR o.status = 'ON_HOLD'" \
	" OR o.status = 'AWAITING_SHIPMENT' OR o.status = 'PARTIALLY_SHIPPING'" \
	" OR o.status = 'AWAITING_COLLECTION')"

int
tshop_order_list(struct tshop_orders *o, const struct tshop_order_filter *f,
    int (*fn)(const struct tshop_order_row *r, void *ctx, struct tshop_err *e), void *ctx,
    struct tshop_err *e)
{
	static const char *const sql[] = {
		LIST_SELECT " AND o.ship_by BETWEEN ?5 AND ?6 ORDER BY o.ship_by, o.order_id",
		LIST_SELECT " AND o.ship_by IS NULL ORDER BY o.order_id",
		/* the same, when only unshipped orders can match: the small partial index */
		LIST_UNSHIPPED " AND o.ship_by BETWEEN ?5 AND ?6 ORDER BY o.ship_by, o.order_id",
		LIST_UNSHIPPED " AND o.ship_by IS NULL ORDER BY o.order_id",
	};
	const unsigned unshipped = TSHOP_STATUS_BIT(TSHOP_UNPAID) | TSHOP_STATUS_BIT(TSHOP_ON_HOLD) |
	    TSHOP_GROUP_TO_SHIP | TSHOP_STATUS_BIT(TSHOP_AWAITING_COLLECTION);
	int first = f->late || f->due || (f->statuses != 0 && (f->statuses & ~unshipped) == 0) ? 2 : 0;
	struct tshop_buf statuses = TSHOP_BUF_INIT;
	int64_t lo = INT64_MIN, hi = INT64_MAX;
	int rc = SQLITE_DONE, ret = 0;
	int passes = (f->late || f->due) ? 1 : 2;

	if (f->late && !f->due)
		hi = f->now - 1;
	else if (f->due) {
		hi = f->due_until;
		if (!f->late)
			lo = f->now;
	}
	if (status_list(f->statuses, &statuses) == -1)
		return tshop_errorf(e, 3, "out of memory");
	for (int pass = 0; pass < passes && ret == 0; pass++) {
		sqlite3_stmt *st;

		if (tshop_db_prepare(o->db, &st, sql[first + pass], e) == -1) {
			ret = -1;
			break;
		}
		if (f->since != TSHOP_TIME_NONE)
			sqlite3_bind_int64(st, 1, f->since);
		if (f->until != TSHOP_TIME_NONE)
			sqlite3_bind_int64(st, 2, f->until);
		tshop_db_bind_text(st, 3, f->warehouse);
		sqlite3_bind_text(st, 4, tshop_buf_str(&statuses), -1, SQLITE_STATIC);
		if (pass == 0) {
			sqlite3_bind_int64(st, 5, lo);
			sqlite3_bind_int64(st, 6, hi);
		}
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct tshop_order_row r = {
				.order_id = tshop_db_col_text(st, 0),
				.status = col_status(st, 1),
				.created_at = col_time(st, 2), .paid_at = col_time(st, 3),
				.ship_by = col_time(st, 4),
				.shipping_type = tshop_db_col_text(st, 5),
				.warehouse = tshop_db_col_text(st, 6),
				.units = sqlite3_column_int64(st, 7),
				.has_total = sqlite3_column_type(st, 8) != SQLITE_NULL,
				.total = sqlite3_column_int64(st, 8),
				.currency = tshop_db_col_text(st, 9),
				.carrier = tshop_db_col_text(st, 10),
				.tracking = tshop_db_col_text(st, 11),
				.shipped_at = col_time(st, 12), .delivered_at = col_time(st, 13),
				.cancelled_at = col_time(st, 14),
			};

			if ((f->late || f->due) && (r.status == TSHOP_CANCELLED ||
			    tshop_order_shipped(r.status, r.shipped_at)))
				continue;
			if (fn(&r, ctx, e) == -1) {
				ret = -1;
				break;
			}
		}
		if (ret == 0 && rc != SQLITE_DONE)
			ret = tshop_db_error(o->db, e, "reading orders");
		sqlite3_finalize(st);
	}
	tshop_buf_release(&statuses);
	return ret;
}

/* Items and packing slips share their columns. */
#define ITEM_SELECT "SELECT l.order_id, s.sku, coalesce(s.title, l.title), l.quantity," \
	" l.unit_price, o.warehouse, o.currency FROM order_line l" \
	" JOIN orders o ON o.order_id = l.order_id JOIN sku s ON s.id = l.sku"

static int
each_item(struct tshop_orders *o, sqlite3_stmt *st,
    int (*fn)(const struct tshop_item_row *r, void *ctx, struct tshop_err *e), void *ctx,
    int *count, struct tshop_err *e)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct tshop_item_row r = {
			.order_id = tshop_db_col_text(st, 0), .sku = tshop_db_col_text(st, 1),
			.title = tshop_db_col_text(st, 2), .quantity = sqlite3_column_int64(st, 3),
			.has_price = sqlite3_column_type(st, 4) != SQLITE_NULL,
			.unit_price = sqlite3_column_int64(st, 4),
			.warehouse = tshop_db_col_text(st, 5), .currency = tshop_db_col_text(st, 6),
		};

		(*count)++;
		if (fn(&r, ctx, e) == -1)
			return -1;
	}
	if (rc != SQLITE_DONE)
		return tshop_db_error(o->db, e, "reading order lines");
	return 0;
}

int
tshop_order_items(struct tshop_orders *o, const char *order_id,
    int (*fn)(const struct tshop_item_row *r, void *ctx, struct tshop_err *e), void *ctx,
    struct tshop_err *e)
{
	sqlite3_stmt *st;
	int count = 0, rc;

	if (tshop_db_prepare(o->db, &st, ITEM_SELECT
	    " WHERE ?1 IS NULL OR l.order_id = ?1 ORDER BY l.order_id, l.line", e) == -1)
		return -1;
	tshop_db_bind_text(st, 1, order_id);
	rc = each_item(o, st, fn, ctx, &count, e);
	sqlite3_finalize(st);
	return rc == -1 ? -1 : count > 0;
}

int
tshop_order_picklist(struct tshop_orders *o, unsigned statuses, const char *warehouse,
    int (*pick_fn)(const struct tshop_pick_row *r, void *ctx, struct tshop_err *e),
    int (*item_fn)(const struct tshop_item_row *r, void *ctx, struct tshop_err *e),
    void *ctx, struct tshop_err *e)
{
#define PICK_WHERE " WHERE instr(?1, ',' || o.status || ',') > 0 AND o.shipped_at IS NULL" \
	" AND (?2 IS NULL OR o.warehouse = ?2)"
	struct tshop_buf list = TSHOP_BUF_INIT;
	sqlite3_stmt *st;
	int count = 0, rc;

	if (status_list(statuses ? statuses : TSHOP_GROUP_TO_SHIP, &list) == -1)
		return tshop_errorf(e, 3, "out of memory");
	if (tshop_db_prepare(o->db, &st, item_fn != NULL ? ITEM_SELECT PICK_WHERE
	    " ORDER BY o.ship_by IS NULL, o.ship_by, o.order_id, l.line" :
	    "SELECT o.warehouse, s.sku, coalesce(s.title, max(l.title)), sum(l.quantity),"
	    " count(DISTINCT o.order_id) FROM orders o"
	    " JOIN order_line l ON l.order_id = o.order_id JOIN sku s ON s.id = l.sku"
	    PICK_WHERE " GROUP BY o.warehouse, s.sku ORDER BY o.warehouse, s.sku", e) == -1) {
		tshop_buf_release(&list);
		return -1;
	}
	sqlite3_bind_text(st, 1, tshop_buf_str(&list), -1, SQLITE_STATIC);
	tshop_db_bind_text(st, 2, warehouse);
	if (item_fn != NULL)
		rc = each_item(o, st, item_fn, ctx, &count, e);
	else {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct tshop_pick_row r = {
				.warehouse = tshop_db_col_text(st, 0), .sku = tshop_db_col_text(st, 1),
				.title = tshop_db_col_text(st, 2), .units = sqlite3_column_int64(st, 3),
				.orders = sqlite3_column_int64(st, 4),
			};

			if (pick_fn(&r, ctx, e) == -1)
				break;
		}
		if (rc == SQLITE_ROW)
			rc = -1;
		else if (rc != SQLITE_DONE)
			rc = tshop_db_error(o->db, e, "reading the pick list");
		else
			rc = 0;
	}
	sqlite3_finalize(st);
	tshop_buf_release(&list);
	return rc;
#undef PICK_WHERE
}

/* ---- API order objects ------------------------------------------------ */

/*
 * The names a field of an order object may have: the canonical column
 * name first, then TikTok's API name and the other spellings tshop-orders
 * accepts as headers.  Matched case-insensitively, first hit wins.
 */
static const char *const api_order_id[] = { "order_id", "order id", "id", NULL };
static const char *const api_status[] = { "status", "order status", "order_status", NULL };
static const char *const api_created[] = { "created_at", "created time", "create_time",
	"created_time", NULL };
static const char *const api_paid[] = { "paid_at", "paid time", "paid_time", NULL };
static const char *const api_update[] = { "update_time", "update time", "updated_at",
	"updated time", NULL };
static const char *const api_shipping_type[] = { "shipping_type", "fulfillment type",
	"fulfillment_type", "shipping type", NULL };
static const char *const api_warehouse[] = { "warehouse", "warehouse name", "warehouse_name",
	NULL };
static const char *const api_warehouse_id[] = { "warehouse_id", "warehouse id", NULL };
static const char *const api_currency[] = { "currency", NULL };
static const char *const api_total[] = { "total", "order amount", "order_amount", NULL };
static const char *const api_ship_by[] = { "ship_by", "shipping_due_time", "shipping due time",
	"ship by time", NULL };
static const char *const api_deliver_by[] = { "deliver_by", "delivery_due_time",
	"delivery due time", NULL };
static const char *const api_handling[] = { "handling_days", "handling time", "handling_time",
	NULL };
static const char *const api_tracking[] = { "tracking", "tracking id", "tracking_number",
	"tracking number", NULL };
static const char *const api_carrier[] = { "carrier", "shipping provider name",
	"shipping_provider", "shipping provider", "shipping_provider_name", NULL };
static const char *const api_shipped[] = { "shipped_at", "shipped time", "shipped_time",
	"collection_time", NULL };
static const char *const api_first_scan[] = { "first_scan_at", "first scan time", NULL };
static const char *const api_delivered[] = { "delivered_at", "delivered time",
	"delivered_time", "delivery_time", NULL };
static const char *const api_cancelled[] = { "cancelled_at", "cancelled time",
	"canceled time", "cancel_time", "cancelled_time", NULL };
static const char *const api_cancel_by[] = { "cancel_by", "cancel by",
	"cancellation_initiator", "cancelled by", "canceled by", NULL };
static const char *const api_cancel_reason[] = { "cancel_reason", "cancel reason", NULL };

static const cJSON *
api_field(const cJSON *obj, const char *const *names)
{
	const cJSON *it;

	for (; *names != NULL; names++)
		if ((it = cJSON_GetObjectItem(obj, *names)) != NULL && !cJSON_IsNull(it))
			return it;
	return NULL;
}

/*
 * A field as text: strings as they are (trimmed, NULL when empty), whole
 * numbers in decimal into `num` (ids and times come as either).
 */
static const char *
api_text(const cJSON *obj, const char *const *names, char *num, size_t n)
{
	const cJSON *it = api_field(obj, names);
	char *s;

	if (cJSON_IsString(it)) {
		for (s = it->valuestring; *s == ' ' || *s == '\t'; s++)
			;
		if (*s == '\0')
			return NULL;
		/* trailing white space (Seller Center ids) is cut in a copy */
		if (s[strlen(s) - 1] == ' ' || s[strlen(s) - 1] == '\t') {
			snprintf(num, n, "%s", s);
			return tshop_trim(num);
		}
		return s;
	}
	if (cJSON_IsNumber(it) && it->valuedouble == trunc(it->valuedouble) &&
	    fabs(it->valuedouble) < 1e18) {
		snprintf(num, n, "%lld", (long long)it->valuedouble);
		return num;
	}
	if (cJSON_IsBool(it)) {
		snprintf(num, n, "%s", cJSON_IsTrue(it) ? "true" : "false");
		return num;
	}
	return NULL;
}

static int
api_time(const cJSON *obj, const char *const *names, const char *what,
    const struct tshop_config *cfg, tshop_time *t, struct tshop_err *e)
{
	char num[64];
	const char *v = api_text(obj, names, num, sizeof(num));

	*t = TSHOP_TIME_NONE;
	if (v == NULL || strcmp(v, "0") == 0)	/* the API writes 0 for "not yet" */
		return 0;
	if (tshop_time_parse(v, cfg->date_order, t) == -1)
		return tshop_errorf(e, 2, "'%s': '%s' is not a time", what, v);
	return 0;
}

static int
api_money(const char *v, const char *what, int digits, int64_t *out, struct tshop_err *e)
{
	if (tshop_money_parse(v, digits, out) == -1)
		return tshop_errorf(e, 2, "'%s': '%s' is not an amount", what, v);
	return 0;
}

void
tshop_api_order_release(struct tshop_api_order *a)
{
	free(a->lines);
	a->lines = NULL;
	tshop_buf_release(&a->warehouse);
}

int
tshop_order_from_api(struct tshop_orders *o, const cJSON *obj, const struct tshop_config *cfg,
    struct tshop_api_order *a, struct tshop_err *e)
{
	struct tshop_order *u = &a->order;
	const cJSON *pay, *items, *it;
	const char *v;
	char num[64];
	long long n;
	int digits, rc;
	size_t i = 0;

	free(a->lines);
	a->lines = NULL;
	tshop_order_init(u);
	if (!cJSON_IsObject(obj))
		return tshop_errorf(e, 2, "an order is not a JSON object");
	if ((v = api_text(obj, api_order_id, a->order_id, sizeof(a->order_id))) == NULL)
		return tshop_errorf(e, 2, "column 'order_id' is empty");
	u->order_id = v;
	if ((v = api_text(obj, api_status, num, sizeof(num))) == NULL)
		return tshop_errorf(e, 2, "column 'status' is empty");
	if (tshop_status_parse(v, &u->status) == -1)
		return tshop_errorf(e, 2, "column 'status': '%s' is not an order status", v);
	if (api_time(obj, api_created, "created_at", cfg, &u->created_at, e) == -1 ||
	    api_time(obj, api_paid, "paid_at", cfg, &u->paid_at, e) == -1 ||
	    api_time(obj, api_update, "update_time", cfg, &u->update_time, e) == -1 ||
	    api_time(obj, api_ship_by, "ship_by", cfg, &u->ship_by, e) == -1 ||
	    api_time(obj, api_deliver_by, "deliver_by", cfg, &u->deliver_by, e) == -1 ||
	    api_time(obj, api_shipped, "shipped_at", cfg, &u->shipped_at, e) == -1 ||
	    api_time(obj, api_first_scan, "first_scan_at", cfg, &u->first_scan_at, e) == -1 ||
	    api_time(obj, api_delivered, "delivered_at", cfg, &u->delivered_at, e) == -1 ||
	    api_time(obj, api_cancelled, "cancelled_at", cfg, &u->cancelled_at, e) == -1)
		return -1;
	if (u->created_at == TSHOP_TIME_NONE)
		return tshop_errorf(e, 2, "column 'created_at' is empty");
	if ((v = api_text(obj, api_shipping_type, num, sizeof(num))) != NULL &&
	    tshop_shipping_type_parse(v, &u->shipping_type) == -1)
		return tshop_errorf(e, 2, "column 'shipping_type': '%s' is not SELLER or TIKTOK", v);
	if ((v = api_text(obj, api_cancel_by, num, sizeof(num))) != NULL &&
	    tshop_cancel_by_parse(v, &u->cancel_by) == -1)
		return tshop_errorf(e, 2, "column 'cancel_by': '%s' is not seller, buyer or system", v);
	if ((v = api_text(obj, api_handling, num, sizeof(num))) != NULL) {
		if (tshop_parse_int(v, 1, 7, &n) == -1)
			return tshop_errorf(e, 2, "column 'handling_days': '%s' is not 1 to 7", v);
		u->handling_days = (int)n;
	}
	u->warehouse = api_text(obj, api_warehouse, a->wh_text, sizeof(a->wh_text));
	if (u->warehouse == NULL &&
	    (v = api_text(obj, api_warehouse_id, num, sizeof(num))) != NULL) {
		/* a TikTok warehouse id: its local name (warehouse.<name>), else default */
		if ((rc = tshop_order_warehouse_name(o, v, &a->warehouse, e)) == -1)
			return -1;
		if (rc == 1)
			u->warehouse = tshop_buf_str(&a->warehouse);
	}
	u->currency = api_text(obj, api_currency, a->currency, sizeof(a->currency));
	pay = cJSON_GetObjectItemCaseSensitive(obj, "payment");
	it = cJSON_GetObjectItemCaseSensitive(pay, "currency");
	if (u->currency == NULL && cJSON_IsString(it) && *it->valuestring)
		u->currency = it->valuestring;
	digits = u->currency ? tshop_currency_digits(u->currency) : cfg->digits;
	if ((v = api_text(obj, api_total, num, sizeof(num))) != NULL) {
		if (api_money(v, "total", digits, &u->total, e) == -1)
			return -1;
		u->has_total = true;
	}
	it = cJSON_GetObjectItemCaseSensitive(pay, "sub_total");
	if (!u->has_total && cJSON_IsString(it) && *it->valuestring) {
		if (api_money(it->valuestring, "payment.sub_total", digits, &u->total, e) == -1)
			return -1;
		u->has_total = true;
	}
	u->tracking = api_text(obj, api_tracking, a->tracking, sizeof(a->tracking));
	u->carrier = api_text(obj, api_carrier, a->carrier, sizeof(a->carrier));
	u->cancel_reason = api_text(obj, api_cancel_reason, a->reason, sizeof(a->reason));

	items = cJSON_GetObjectItemCaseSensitive(obj, "line_items");
	if (items != NULL && !cJSON_IsArray(items))
		return tshop_errorf(e, 2, "'line_items' is not an array");
	if (cJSON_GetArraySize(items) > 0 &&
	    (a->lines = calloc((size_t)cJSON_GetArraySize(items), sizeof(*a->lines))) == NULL)
		return tshop_errorf(e, 3, "out of memory");
	cJSON_ArrayForEach(it, items) {
		struct tshop_order_line *l = &a->lines[i];
		const cJSON *f;

		f = cJSON_GetObjectItemCaseSensitive(it, "sku_id");
		l->sku_id = cJSON_IsString(f) && *f->valuestring ? f->valuestring : NULL;
		f = cJSON_GetObjectItemCaseSensitive(it, "seller_sku");
		l->sku = cJSON_IsString(f) && *f->valuestring ? f->valuestring : NULL;
		f = cJSON_GetObjectItemCaseSensitive(it, "product_name");
		l->title = cJSON_IsString(f) && *f->valuestring ? f->valuestring : NULL;
		f = cJSON_GetObjectItemCaseSensitive(it, "product_id");
		l->product_id = cJSON_IsString(f) && *f->valuestring ? f->valuestring : NULL;
		l->quantity = 1;	/* one unit per line item */
		f = cJSON_GetObjectItemCaseSensitive(it, "sale_price");
		if (cJSON_IsString(f) && *f->valuestring) {
			if (api_money(f->valuestring, "line_items.sale_price", digits, &l->amount,
			    e) == -1)
				return -1;
			l->has_amount = true;
		}
		if (l->sku == NULL && l->sku_id == NULL)
			return tshop_errorf(e, 2, "line item %zu has no sku_id or seller_sku", i + 1);
		i++;
	}
	u->lines = a->lines;
	u->nlines = i;
	return 0;
}

int
tshop_order_status_of(struct tshop_orders *o, const char *order_id, enum tshop_status *status,
    struct tshop_err *e)
{
	struct orec r;
	int found;

	if ((found = load(o, order_id, &r, e)) == 1 && status != NULL)
		*status = r.status;
	return found;
}
