/*
 * tshop-orders — import and list orders, deadlines, pick lists, status events.
 *
 * import reads order records through the shared batch loop (one
 * transaction, --rejects, FILE:LINE errors).  Flat files (Seller Center
 * exports, canonical TSV/CSV, the generator's orders.csv) carry one row per
 * order line with the order's columns repeated: consecutive rows of one
 * order in one file are gathered and merged as one update when the next
 * order starts (or the input ends).  A JSON Lines record is a whole TikTok
 * API order object and is merged at once.  Every update goes through
 * tshop_order_merge(), the same function the API sync uses.  list, items
 * and picklist print records; handling and mark change one order or many.
 * See tshop-orders(1).
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "money.h"
#include "order.h"

static const char usage[] =
    "tshop-orders [-Hnq] [-d db] [-o tsv|csv|json] import [--rejects file] [file ...]\n"
    "       tshop-orders list [-s status[,status]] [--late] [--due-within duration]"
    " [--since time] [--until time] [-w warehouse]\n"
    "       tshop-orders items [order ... | -]\n"
    "       tshop-orders picklist [-s status] [-w warehouse] [--by-order]\n"
    "       tshop-orders handling order days\n"
    "       tshop-orders mark [--rejects file] order event [time] [detail] | [file ...]";

enum { OPT_LATE = CLI_FIRST_PROGRAM_OPT, OPT_DUE, OPT_SINCE, OPT_UNTIL, OPT_BY_ORDER };

static const struct cli_opt opts[] = {
	{ "rejects", CLI_REJECTS, true },
	{ "late", OPT_LATE, false },
	{ "due-within", OPT_DUE, true },
	{ "since", OPT_SINCE, true },
	{ "until", OPT_UNTIL, true },
	{ "by-order", OPT_BY_ORDER, false },
	{ NULL, 's', true },
	{ NULL, 'w', true },
	{ NULL, 0, false },
};

/* Import columns: the canonical order of SPEC §3 (positional TSV), then extras. */
enum {
	C_ORDER_ID, C_STATUS, C_CREATED, C_PAID, C_UPDATE, C_SHIPPING_TYPE, C_WAREHOUSE,
	C_SKU, C_SKU_ID, C_TITLE, C_QUANTITY, C_UNIT_PRICE, C_CURRENCY, C_TOTAL, C_SHIP_BY,
	C_DELIVER_BY, C_HANDLING, C_TRACKING, C_CARRIER, C_SHIPPED, C_FIRST_SCAN,
	C_DELIVERED, C_CANCELLED, C_CANCEL_BY, C_CANCEL_REASON,
	C_AMOUNT, C_WAREHOUSE_ID, C_SUBSTATUS, NCOLS
};

static const struct tshop_column import_cols[NCOLS] = {
	{ "order_id", "order id|id", TSHOP_COL_REQUIRED | TSHOP_COL_KEY },
	{ "status", "order status|order_status", TSHOP_COL_REQUIRED },
	{ "created_at", "created time|create_time|created_time", TSHOP_COL_REQUIRED },
	{ "paid_at", "paid time|paid_time", 0 },
	{ "update_time", "update time|updated_at|updated time", 0 },
	{ "shipping_type", "fulfillment type|fulfillment_type|shipping type", 0 },
	{ "warehouse", "warehouse name|warehouse_name", 0 },
	{ "sku", "seller sku|seller_sku", 0 },
	{ "sku_id", "sku id", TSHOP_COL_KEY },
	{ "title", "product name|product_name", 0 },
	{ "quantity", "qty", TSHOP_COL_REQUIRED },
	{ "unit_price", "unit price|sale_price|sale price", 0 },
	{ "currency", NULL, 0 },
	{ "total", "order amount|order_amount", 0 },
	{ "ship_by", "shipping_due_time|shipping due time|ship by time", 0 },
	{ "deliver_by", "delivery_due_time|delivery due time", 0 },
	{ "handling_days", "handling time|handling_time", 0 },
	{ "tracking", "tracking id|tracking_number|tracking number", 0 },
	{ "carrier", "shipping provider name|shipping_provider|shipping provider|"
	    "shipping_provider_name", 0 },
	{ "shipped_at", "shipped time|shipped_time|collection_time", 0 },
	{ "first_scan_at", "first scan time", 0 },
	{ "delivered_at", "delivered time|delivered_time|delivery_time", 0 },
	{ "cancelled_at", "cancelled time|canceled time|cancel_time|cancelled_time", 0 },
	{ "cancel_by", "cancel by|cancellation_initiator|cancelled by|canceled by", 0 },
	{ "cancel_reason", "cancel reason", 0 },
	{ "amount", "sku subtotal after discount|line_amount", 0 },
	{ "warehouse_id", "warehouse id", 0 },
	{ "substatus", "order substatus|order_substatus", 0 },
};

/* The order being gathered from consecutive rows; its strings live in `arena`. */
struct group {
	bool active;
	struct tshop_buf file;		/* rec->file does not outlive its input */
	unsigned long line;
	struct tshop_order ord;
	struct tshop_buf arena;
	size_t off_id, off_wh, off_cur, off_trk, off_car, off_reason;
	struct gline {
		size_t sku, sku_id, title;
		int64_t quantity, amount;
		bool has_amount;
	} *lines;
	size_t n, cap;
	struct tshop_order_line *olines;
	size_t ocap;
	bool oom;
};

struct orders_cmd {
	bool late, by_order;
	const char *due, *since, *until, *status, *warehouse;
	struct tshop_orders *orders;
	struct group g;
	struct tshop_buf whname;
	unsigned long n_new, n_updated, n_unchanged, n_stale, notes;
	struct tshop_writer out;	/* -n: what would change */
	struct tshop_api_order api;	/* the JSON Lines record being merged */
};

static void
on_opt(struct tshop_cli *c, int id, const char *arg, void *ctx)
{
	struct orders_cmd *s = ctx;

	switch (id) {
	case OPT_BY_ORDER: s->by_order = true; break;
	case OPT_DUE: s->due = arg; break;
	case OPT_LATE: s->late = true; break;
	case OPT_SINCE: s->since = arg; break;
	case OPT_UNTIL: s->until = arg; break;
	case 's': s->status = arg; break;
	case 'w': s->warehouse = arg; break;
	}
	(void)c;
}

/* Parsing one record ----------------------------------------------------- */

static int
get_time(struct tshop_cli *c, const struct tshop_record *rec, size_t col, tshop_time *t,
    struct tshop_err *e)
{
	const char *v = tshop_record_get(rec, col);

	*t = TSHOP_TIME_NONE;
	if (v == NULL || strcmp(v, "0") == 0)	/* the API writes 0 for "not yet" */
		return 0;
	if (tshop_time_parse(v, c->cfg.date_order, t) == -1)
		return tshop_errorf(e, 2, "column '%s': '%s' is not a time",
		    import_cols[col].name, v);
	return 0;
}

static int
get_money(const char *v, const char *name, int digits, int64_t *out, struct tshop_err *e)
{
	if (tshop_money_parse(v, digits, out) == -1)
		return tshop_errorf(e, 2, "column '%s': '%s' is not an amount", name, v);
	return 0;
}

/*
 * The order-level columns of a record into u (strings point into rec).
 * Lines are the caller's business.
 */
static int
parse_order(struct tshop_cli *c, struct orders_cmd *s, const struct tshop_record *rec,
    struct tshop_order *u, int *digits, struct tshop_err *e)
{
	const char *v;
	enum tshop_status sub;
	long long n;
	int rc;

	tshop_order_init(u);
	if ((u->order_id = tshop_record_get(rec, C_ORDER_ID)) == NULL)
		return tshop_errorf(e, 2, "column 'order_id' is empty");
	if ((v = tshop_record_get(rec, C_STATUS)) == NULL)
		return tshop_errorf(e, 2, "column 'status' is empty");
	if (tshop_status_parse(v, &u->status) == -1)
		return tshop_errorf(e, 2, "column 'status': '%s' is not an order status", v);
	/* Seller Center's finer state ("To ship" / "Awaiting collection"), when it is one */
	if ((v = tshop_record_get(rec, C_SUBSTATUS)) != NULL && tshop_status_parse(v, &sub) == 0 &&
	    sub > u->status && sub != TSHOP_CANCELLED)
		u->status = sub;
	if (get_time(c, rec, C_CREATED, &u->created_at, e) == -1 ||
	    get_time(c, rec, C_PAID, &u->paid_at, e) == -1 ||
	    get_time(c, rec, C_UPDATE, &u->update_time, e) == -1 ||
	    get_time(c, rec, C_SHIP_BY, &u->ship_by, e) == -1 ||
	    get_time(c, rec, C_DELIVER_BY, &u->deliver_by, e) == -1 ||
	    get_time(c, rec, C_SHIPPED, &u->shipped_at, e) == -1 ||
	    get_time(c, rec, C_FIRST_SCAN, &u->first_scan_at, e) == -1 ||
	    get_time(c, rec, C_DELIVERED, &u->delivered_at, e) == -1 ||
	    get_time(c, rec, C_CANCELLED, &u->cancelled_at, e) == -1)
		return -1;
	if (u->created_at == TSHOP_TIME_NONE)
		return tshop_errorf(e, 2, "column 'created_at' is empty");
	if ((v = tshop_record_get(rec, C_SHIPPING_TYPE)) != NULL &&
	    tshop_shipping_type_parse(v, &u->shipping_type) == -1)
		return tshop_errorf(e, 2, "column 'shipping_type': '%s' is not SELLER or TIKTOK", v);
	if ((v = tshop_record_get(rec, C_CANCEL_BY)) != NULL &&
	    tshop_cancel_by_parse(v, &u->cancel_by) == -1)
		return tshop_errorf(e, 2, "column 'cancel_by': '%s' is not seller, buyer or system", v);
	if ((v = tshop_record_get(rec, C_HANDLING)) != NULL) {
		if (tshop_parse_int(v, 1, 7, &n) == -1)
			return tshop_errorf(e, 2, "column 'handling_days': '%s' is not 1 to 7", v);
		u->handling_days = (int)n;
	}
	u->warehouse = tshop_record_get(rec, C_WAREHOUSE);
	if (u->warehouse == NULL && (v = tshop_record_get(rec, C_WAREHOUSE_ID)) != NULL) {
		/* a TikTok warehouse id: its local name (warehouse.<name>), else default */
		if ((rc = tshop_order_warehouse_name(s->orders, v, &s->whname, e)) == -1)
			return -1;
		if (rc == 1)
			u->warehouse = tshop_buf_str(&s->whname);
	}
	u->currency = tshop_record_get(rec, C_CURRENCY);
	*digits = u->currency ? tshop_currency_digits(u->currency) : c->cfg.digits;
	if ((v = tshop_record_get(rec, C_TOTAL)) != NULL) {
		if (get_money(v, "total", *digits, &u->total, e) == -1)
			return -1;
		u->has_total = true;
	}
	u->tracking = tshop_record_get(rec, C_TRACKING);
	u->carrier = tshop_record_get(rec, C_CARRIER);
	u->cancel_reason = tshop_record_get(rec, C_CANCEL_REASON);
	return 0;
}

/* The line of a flat record. */
static int
parse_line(const struct tshop_record *rec, int digits, struct tshop_order_line *l,
    struct tshop_err *e)
{
	const char *q = tshop_record_get(rec, C_QUANTITY), *v;
	long long n;
	int64_t price;

	memset(l, 0, sizeof(*l));
	l->sku = tshop_record_get(rec, C_SKU);
	l->sku_id = tshop_record_get(rec, C_SKU_ID);
	l->title = tshop_record_get(rec, C_TITLE);
	if (l->sku == NULL && l->sku_id == NULL)
		return tshop_errorf(e, 2, "columns 'sku' and 'sku_id' are both empty");
	if (q == NULL)
		return tshop_errorf(e, 2, "column 'quantity' is empty");
	if (tshop_parse_int(q, 1, 1000000000, &n) == -1)
		return tshop_errorf(e, 2, "column 'quantity': '%s' is not a whole number > 0", q);
	l->quantity = n;
	/* the line amount is exact; a unit price only multiplies */
	if ((v = tshop_record_get(rec, C_AMOUNT)) != NULL) {
		if (get_money(v, "amount", digits, &l->amount, e) == -1)
			return -1;
		l->has_amount = true;
	} else if ((v = tshop_record_get(rec, C_UNIT_PRICE)) != NULL) {
		if (get_money(v, "unit_price", digits, &price, e) == -1)
			return -1;
		l->amount = price * n;
		l->has_amount = true;
	}
	return 0;
}

/* Merging and counting ------------------------------------------------- */

static int
merged(struct tshop_cli *c, struct orders_cmd *s, const char *file, unsigned long line,
    const struct tshop_order *u, const struct tshop_merge *m, struct tshop_err *e)
{
	static const char *const result[] = { "new", "updated", "unchanged", "stale" };

	switch (m->result) {
	case TSHOP_MERGE_NEW: s->n_new++; break;
	case TSHOP_MERGE_UPDATED: s->n_updated++; break;
	case TSHOP_MERGE_UNCHANGED: s->n_unchanged++; break;
	case TSHOP_MERGE_STALE: s->n_stale++; break;
	}
	if ((m->result == TSHOP_MERGE_STALE || m->line_conflicts > 0 || m->field_conflicts > 0) &&
	    s->notes++ < 100) {
		if (m->result == TSHOP_MERGE_STALE && !tshop_status_may_follow(m->before, u->status))
			cli_note(c, "%s:%lu: order '%s': %s cannot follow the recorded %s "
			    "(a status never goes back); ignored", file, line, u->order_id,
			    tshop_status_name(u->status), tshop_status_name(m->before));
		else if (m->result == TSHOP_MERGE_STALE)
			cli_note(c, "%s:%lu: order '%s': this %s update is older than the recorded "
			    "one (update_time); ignored", file, line, u->order_id,
			    tshop_status_name(u->status));
		if (m->line_conflicts > 0)
			cli_note(c, "%s:%lu: order '%s': %zu line%s differ%s from the recorded "
			    "one%s; the recorded lines are kept", file, line, u->order_id,
			    m->line_conflicts, m->line_conflicts == 1 ? "" : "s",
			    m->line_conflicts == 1 ? "s" : "", m->line_conflicts == 1 ? "" : "s");
		if (m->field_conflicts > 0)
			cli_note(c, "%s:%lu: order '%s': %s; the recorded value%s kept "
			    "(only a later update_time replaces %s)", file, line, u->order_id,
			    m->conflict, m->field_conflicts > 1 ? "s are" : " is",
			    m->field_conflicts > 1 ? "them" : "it");
	}
	if (c->dry_run) {
		const char *row[2] = { u->order_id, result[m->result] };

		if (tshop_writer_row(&s->out, row) == -1)
			return tshop_errorf(e, 3, "write error");
	}
	return 0;
}

static size_t
gput(struct group *g, const char *v)
{
	size_t off = g->arena.len;

	if (v == NULL)
		return SIZE_MAX;
	if (tshop_buf_add(&g->arena, v, strlen(v) + 1) == -1) {
		g->oom = true;
		return SIZE_MAX;
	}
	return off;
}

static const char *
gget(const struct group *g, size_t off)
{
	return off == SIZE_MAX ? NULL : g->arena.data + off;
}

static int
group_add_line(struct group *g, const struct tshop_order_line *l)
{
	struct gline *gl;

	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 8;
		struct gline *n = reallocarray(g->lines, cap, sizeof(*n));

		if (n == NULL)
			return -1;
		g->lines = n;
		g->cap = cap;
	}
	gl = &g->lines[g->n++];
	gl->sku = gput(g, l->sku);
	gl->sku_id = gput(g, l->sku_id);
	gl->title = gput(g, l->title);
	gl->quantity = l->quantity;
	gl->amount = l->amount;
	gl->has_amount = l->has_amount;
	return g->oom ? -1 : 0;
}

/* Merge the gathered order, if any. */
static int
flush(struct tshop_cli *c, struct orders_cmd *s, struct tshop_err *e)
{
	struct group *g = &s->g;
	struct tshop_merge m;

	if (!g->active)
		return 0;
	g->active = false;
	if (g->n > g->ocap) {
		struct tshop_order_line *n = reallocarray(g->olines, g->n, sizeof(*n));

		if (n == NULL)
			return tshop_errorf(e, 3, "out of memory");
		g->olines = n;
		g->ocap = g->n;
	}
	for (size_t i = 0; i < g->n; i++) {
		g->olines[i] = (struct tshop_order_line){ .sku = gget(g, g->lines[i].sku),
		    .sku_id = gget(g, g->lines[i].sku_id), .title = gget(g, g->lines[i].title),
		    .quantity = g->lines[i].quantity, .amount = g->lines[i].amount,
		    .has_amount = g->lines[i].has_amount };
	}
	g->ord.order_id = gget(g, g->off_id);
	g->ord.warehouse = gget(g, g->off_wh);
	g->ord.currency = gget(g, g->off_cur);
	g->ord.tracking = gget(g, g->off_trk);
	g->ord.carrier = gget(g, g->off_car);
	g->ord.cancel_reason = gget(g, g->off_reason);
	g->ord.lines = g->olines;
	g->ord.nlines = g->n;
	if (tshop_order_merge(s->orders, &g->ord, &m, e) == -1) {
		if (e->code == 2) {
			char msg[sizeof(e->msg)];

			memcpy(msg, e->msg, sizeof(msg));
			tshop_errorf(e, 2, "order starting at line %lu: %s", g->line, msg);
		}
		return -1;
	}
	return merged(c, s, tshop_buf_str(&g->file), g->line, &g->ord, &m, e);
}

/* Before the commit: the last order, then the stock moves still kept. */
static int
flush_last(struct tshop_cli *c, void *ctx, struct tshop_err *e)
{
	struct orders_cmd *s = ctx;

	if (flush(c, s, e) == -1)
		return -1;
	return tshop_orders_flush(s->orders, e);
}

/* A JSON Lines record: one TikTok API order object, mapped by the library, merged at once. */
static int
import_json(struct tshop_cli *c, struct orders_cmd *s, struct tshop_record *rec,
    struct tshop_err *e)
{
	struct tshop_merge m;
	int rc;

	if (tshop_order_from_api(s->orders, rec->json, &c->cfg, &s->api, e) == -1)
		return -1;
	rc = tshop_order_merge(s->orders, &s->api.order, &m, e);
	if (rc == 0)
		rc = merged(c, s, rec->file, rec->line, &s->api.order, &m, e);
	return rc;
}

static int
import_one(struct tshop_cli *c, struct tshop_record *rec, void *ctx, struct tshop_err *e)
{
	struct orders_cmd *s = ctx;
	struct group *g = &s->g;
	struct tshop_order u;
	struct tshop_order_line l;
	int digits = 0;

	if (rec->json != NULL) {
		if (flush(c, s, e) == -1)
			return -1;
		return import_json(c, s, rec, e);
	}
	if (parse_order(c, s, rec, &u, &digits, e) == -1 || parse_line(rec, digits, &l, e) == -1)
		return -1;
	if (g->active && strcmp(tshop_buf_str(&g->file), rec->file) == 0 &&
	    strcmp(gget(g, g->off_id), u.order_id) == 0) {
		if (u.status != g->ord.status)
			return tshop_errorf(e, 2, "order '%s': status '%s' differs from the "
			    "order's line %lu (%s)", u.order_id, tshop_status_name(u.status),
			    g->line, tshop_status_name(g->ord.status));
		if (group_add_line(g, &l) == -1)
			return tshop_errorf(e, 3, "out of memory");
		return 0;
	}
	if (flush(c, s, e) == -1)
		return -1;
	/* a new order: keep its columns */
	tshop_buf_reset(&g->arena);
	g->n = 0;
	g->ord = u;
	tshop_buf_reset(&g->file);
	if (tshop_buf_adds(&g->file, rec->file) == -1)
		return tshop_errorf(e, 3, "out of memory");
	g->line = rec->line;
	g->off_id = gput(g, u.order_id);
	g->off_wh = gput(g, u.warehouse);
	g->off_cur = gput(g, u.currency);
	g->off_trk = gput(g, u.tracking);
	g->off_car = gput(g, u.carrier);
	g->off_reason = gput(g, u.cancel_reason);
	if (g->oom || group_add_line(g, &l) == -1)
		return tshop_errorf(e, 3, "out of memory");
	g->active = true;
	return 0;
}

static const struct tshop_outcol result_cols[] = {
	{ "order_id", TSHOP_OUT_STR }, { "result", TSHOP_OUT_STR },
};

static int
cmd_import(struct tshop_cli *c, struct orders_cmd *s)
{
	struct cli_batch b = { .cols = import_cols, .ncols = NCOLS, .fn = import_one, .ctx = s,
	    .files = c->args + 1, .nfiles = c->nargs - 1 };
	int rc;

	cli_writer(c, &s->out, result_cols, 2);
	tshop_orders_bulk(s->orders);
	rc = cli_batch(c, &b, flush_last);
	if (c->dry_run)
		tshop_writer_flush(&s->out);
	cli_flush(c);
	if (s->notes > 100)
		cli_note(c, "... and %lu more notices", s->notes - 100);
	cli_note(c, "%lu new, %lu updated, %lu unchanged, %lu ignored (stale), %lu rejected%s",
	    s->n_new, s->n_updated, s->n_unchanged, s->n_stale, b.bad,
	    c->dry_run ? " (dry run: nothing changed)" : "");
	return rc;
}

/* mark --------------------------------------------------------------------- */

enum { M_ORDER_ID, M_EVENT, M_TIME, M_DETAIL };
static const struct tshop_column mark_cols[] = {
	{ "order_id", "order id", TSHOP_COL_REQUIRED | TSHOP_COL_KEY },
	{ "event", NULL, TSHOP_COL_REQUIRED },
	{ "time", "at", 0 },
	{ "detail", "reason", 0 },
};

static int
mark_one(struct tshop_cli *c, struct tshop_record *rec, void *ctx, struct tshop_err *e)
{
	struct orders_cmd *s = ctx;
	const char *id = tshop_record_get(rec, M_ORDER_ID), *ev = tshop_record_get(rec, M_EVENT);
	const char *tv = tshop_record_get(rec, M_TIME);
	enum tshop_order_event event;
	struct tshop_order u;
	struct tshop_merge m;
	tshop_time t = tshop_now();

	if (id == NULL)
		return tshop_errorf(e, 2, "column 'order_id' is empty");
	if (ev == NULL || tshop_order_event_parse(ev, &event) == -1)
		return tshop_errorf(e, 2, "column 'event': '%s' is not scanned, delivered, "
		    "completed or cancelled", ev ? ev : "");
	if (tv != NULL && tshop_time_parse(tv, c->cfg.date_order, &t) == -1)
		return tshop_errorf(e, 2, "column 'time': '%s' is not a time", tv);
	if (tshop_order_event(s->orders, id, event, t, tshop_record_get(rec, M_DETAIL), &m, e) == -1)
		return -1;
	tshop_order_init(&u);
	u.order_id = id;
	u.status = event == TSHOP_EVENT_DELIVERED ? TSHOP_DELIVERED :
	    event == TSHOP_EVENT_COMPLETED ? TSHOP_COMPLETED :
	    event == TSHOP_EVENT_CANCELLED ? TSHOP_CANCELLED : m.before;
	return merged(c, s, rec->file, rec->line, &u, &m, e);
}

static int
cmd_mark(struct tshop_cli *c, struct orders_cmd *s)
{
	struct cli_batch b = { .cols = mark_cols, .ncols = 4, .fn = mark_one, .ctx = s,
	    .files = c->args + 1, .nfiles = c->nargs - 1 };
	enum tshop_order_event ev;
	int rc;

	/* mark ORDER EVENT [TIME] [DETAIL]: operands, unless they name files */
	if (cli_operands_are_record(&b, 2, 4) ||
	    (b.nfiles >= 2 && b.nfiles <= 4 && tshop_order_event_parse(b.files[1], &ev) == 0))
		b.operands = true;
	cli_writer(c, &s->out, result_cols, 2);
	rc = cli_batch(c, &b, NULL);
	if (c->dry_run)
		tshop_writer_flush(&s->out);
	cli_flush(c);
	if (s->notes > 100)
		cli_note(c, "... and %lu more notices", s->notes - 100);
	cli_note(c, "%lu updated, %lu unchanged, %lu ignored (stale), %lu rejected%s",
	    s->n_updated, s->n_unchanged, s->n_stale, b.bad,
	    c->dry_run ? " (dry run: nothing changed)" : "");
	return rc;
}

/* handling ----------------------------------------------------------------- */

static int
cmd_handling(struct tshop_cli *c, struct orders_cmd *s)
{
	static const struct tshop_outcol cols[] = {
		{ "order_id", TSHOP_OUT_STR }, { "handling_days", TSHOP_OUT_NUM },
		{ "ship_by", TSHOP_OUT_STR },
	};
	struct tshop_err e = { 0 };
	struct tshop_writer w;
	tshop_time ship_by;
	long long days;
	char t[32];

	if (c->nargs != 3)
		cli_usage(c, "handling takes an order and a number of days");
	if (tshop_parse_int(c->args[2], 1, 7, &days) == -1)
		cli_usage(c, "handling time '%s' is not 1 to 7 business days", c->args[2]);
	if (tshop_db_begin(c->db, &e) == -1 ||
	    tshop_order_set_handling(s->orders, c->args[1], (int)days, &ship_by, &e) == -1)
		cli_fail(c, &e);
	if (c->dry_run)
		tshop_db_rollback(c->db);
	else if (tshop_db_commit(c->db, &e) == -1)
		cli_fail(c, &e);
	cli_writer(c, &w, cols, 3);
	const char *row[3] = { c->args[1], c->args[2],
	    ship_by == TSHOP_TIME_NONE ? NULL : tshop_time_format(ship_by, t, sizeof(t)) };
	tshop_writer_row(&w, row);
	tshop_writer_flush(&w);
	cli_flush(c);
	return TSHOP_EXIT_OK;
}

/* list --------------------------------------------------------------------- */

struct list_ctx {
	struct tshop_cli *c;
	struct tshop_writer w;
	tshop_time now;
};

static const char *
fmt_time(tshop_time t, char *buf, size_t n)
{
	return t == TSHOP_TIME_NONE ? NULL : tshop_time_format(t, buf, n);
}

static int
list_row(const struct tshop_order_row *r, void *ctx, struct tshop_err *e)
{
	struct list_ctx *l = ctx;
	char created[32], paid[32], ship_by[32], shipped[32], delivered[32], units[32], total[48];
	int late = tshop_order_late(r, l->now);
	const char *row[14] = {
		r->order_id, tshop_status_name(r->status),
		fmt_time(r->created_at, created, sizeof(created)),
		fmt_time(r->paid_at, paid, sizeof(paid)),
		fmt_time(r->ship_by, ship_by, sizeof(ship_by)),
		r->shipping_type, r->warehouse, units,
		r->has_total ? tshop_money_format(r->total, tshop_currency_digits(r->currency ?
		    r->currency : l->c->cfg.currency), total, sizeof(total)) : NULL,
		r->carrier, r->tracking,
		fmt_time(r->shipped_at, shipped, sizeof(shipped)),
		fmt_time(r->delivered_at, delivered, sizeof(delivered)),
		late < 0 ? NULL : late ? "yes" : "no",
	};

	snprintf(units, sizeof(units), "%lld", (long long)r->units);
	if (tshop_writer_row(&l->w, row) == -1)
		return tshop_errorf(e, 3, "write error");
	return 0;
}

static tshop_time
opt_time(struct tshop_cli *c, const char *opt, const char *v)
{
	tshop_time t = TSHOP_TIME_NONE;

	if (v != NULL && tshop_time_parse(v, c->cfg.date_order, &t) == -1)
		cli_usage(c, "%s: '%s' is not a time", opt, v);
	return t;
}

static unsigned
opt_statuses(struct tshop_cli *c, const char *v)
{
	struct tshop_err e = { 0 };
	unsigned set = 0;

	if (v != NULL && tshop_status_set_parse(v, &set, &e) == -1)
		cli_usage(c, "-s: %s", e.msg);
	return set;
}

static int
cmd_list(struct tshop_cli *c, struct orders_cmd *s)
{
	static const struct tshop_outcol cols[] = {
		{ "order_id", TSHOP_OUT_STR }, { "status", TSHOP_OUT_STR },
		{ "created_at", TSHOP_OUT_STR }, { "paid_at", TSHOP_OUT_STR },
		{ "ship_by", TSHOP_OUT_STR }, { "shipping_type", TSHOP_OUT_STR },
		{ "warehouse", TSHOP_OUT_STR }, { "units", TSHOP_OUT_NUM },
		{ "total", TSHOP_OUT_STR }, { "carrier", TSHOP_OUT_STR },
		{ "tracking", TSHOP_OUT_STR }, { "shipped_at", TSHOP_OUT_STR },
		{ "delivered_at", TSHOP_OUT_STR }, { "late", TSHOP_OUT_STR },
	};
	struct tshop_order_filter f = { 0 };
	struct list_ctx l = { .c = c, .now = tshop_now() };
	struct tshop_err e = { 0 };
	int64_t d;

	if (c->nargs > 1)
		cli_usage(c, "list takes no operand");
	f.statuses = opt_statuses(c, s->status);
	f.late = s->late;
	f.now = l.now;
	if (s->due != NULL) {
		if (tshop_duration_parse(s->due, &d) == -1 || d < 0)
			cli_usage(c, "--due-within: '%s' is not a duration with its unit "
			    "(24h, 2d, 90m)", s->due);
		f.due = true;
		f.due_until = l.now + d;
	}
	f.since = opt_time(c, "--since", s->since);
	f.until = opt_time(c, "--until", s->until);
	f.warehouse = s->warehouse;
	cli_writer(c, &l.w, cols, 14);
	if (tshop_order_list(s->orders, &f, list_row, &l, &e) == -1)
		cli_fail(c, &e);
	tshop_writer_flush(&l.w);
	cli_flush(c);
	return TSHOP_EXIT_OK;
}

/* items and picklist ------------------------------------------------------- */

struct item_ctx {
	struct tshop_cli *c;
	struct tshop_writer w;
};

static int
item_row(const struct tshop_item_row *r, void *ctx, struct tshop_err *e)
{
	struct item_ctx *it = ctx;
	char q[32], p[48];
	const char *row[6] = { r->order_id, r->sku, r->title, q,
	    r->has_price ? tshop_money_format(r->unit_price, tshop_currency_digits(r->currency ?
	    r->currency : it->c->cfg.currency), p, sizeof(p)) : NULL, r->warehouse };

	snprintf(q, sizeof(q), "%lld", (long long)r->quantity);
	if (tshop_writer_row(&it->w, row) == -1)
		return tshop_errorf(e, 3, "write error");
	return 0;
}

static int
cmd_items(struct tshop_cli *c, struct orders_cmd *s)
{
	static const struct tshop_outcol cols[] = {
		{ "order_id", TSHOP_OUT_STR }, { "sku", TSHOP_OUT_STR }, { "title", TSHOP_OUT_STR },
		{ "quantity", TSHOP_OUT_NUM }, { "unit_price", TSHOP_OUT_STR },
		{ "warehouse", TSHOP_OUT_STR },
	};
	struct item_ctx it = { .c = c };
	struct tshop_err e = { 0 };
	char *line = NULL;
	size_t cap = 0;
	int missing = 0, rc;

	cli_writer(c, &it.w, cols, 6);
	if (c->nargs == 1 && tshop_order_items(s->orders, NULL, item_row, &it, &e) == -1)
		cli_fail(c, &e);
	for (int i = 1; i < c->nargs; i++) {
		bool from_stdin = strcmp(c->args[i], "-") == 0;
		const char *id = c->args[i];

		for (;;) {
			if (from_stdin) {
				if (getline(&line, &cap, stdin) == -1)
					break;
				id = tshop_trim(line);
				if (*id == '\0')
					continue;
				/* the first field of a record, e.g. from `list` */
				line[strcspn(line, "\t")] = '\0';
			}
			if ((rc = tshop_order_items(s->orders, id, item_row, &it, &e)) == -1)
				cli_fail(c, &e);
			if (rc == 0) {
				cli_warn(c, "order '%s' is not known", id);
				missing++;
			}
			if (!from_stdin)
				break;
		}
	}
	free(line);
	tshop_writer_flush(&it.w);
	cli_flush(c);
	return missing ? TSHOP_EXIT_USAGE : TSHOP_EXIT_OK;
}

static int
pick_row(const struct tshop_pick_row *r, void *ctx, struct tshop_err *e)
{
	struct item_ctx *it = ctx;
	char u[32], o[32];
	const char *row[5] = { r->warehouse, r->sku, r->title, u, o };

	snprintf(u, sizeof(u), "%lld", (long long)r->units);
	snprintf(o, sizeof(o), "%lld", (long long)r->orders);
	if (tshop_writer_row(&it->w, row) == -1)
		return tshop_errorf(e, 3, "write error");
	return 0;
}

static int
cmd_picklist(struct tshop_cli *c, struct orders_cmd *s)
{
	static const struct tshop_outcol pick_cols[] = {
		{ "warehouse", TSHOP_OUT_STR }, { "sku", TSHOP_OUT_STR }, { "title", TSHOP_OUT_STR },
		{ "units", TSHOP_OUT_NUM }, { "orders", TSHOP_OUT_NUM },
	};
	static const struct tshop_outcol slip_cols[] = {
		{ "order_id", TSHOP_OUT_STR }, { "sku", TSHOP_OUT_STR }, { "title", TSHOP_OUT_STR },
		{ "quantity", TSHOP_OUT_NUM },
	};
	struct item_ctx it = { .c = c };
	struct tshop_err e = { 0 };

	if (c->nargs > 1)
		cli_usage(c, "picklist takes no operand");
	if (s->by_order)
		cli_writer(c, &it.w, slip_cols, 4);
	else
		cli_writer(c, &it.w, pick_cols, 5);
	if (tshop_order_picklist(s->orders, opt_statuses(c, s->status), s->warehouse,
	    pick_row, s->by_order ? item_row : NULL, &it, &e) == -1)
		cli_fail(c, &e);
	tshop_writer_flush(&it.w);
	cli_flush(c);
	return TSHOP_EXIT_OK;
}

int
main(int argc, char *argv[])
{
	struct tshop_cli c;
	struct orders_cmd s = { .api = TSHOP_API_ORDER_INIT };
	struct tshop_err e = { 0 };
	const char *verb;
	bool write;
	int rc;

	cli_init(&c, "tshop-orders", usage);
	cli_parse(&c, argc, argv, opts, on_opt, &s);
	if (c.nargs < 1)
		cli_usage(&c, "no verb given");
	verb = c.args[0];
	write = strcmp(verb, "import") == 0 || strcmp(verb, "mark") == 0 ||
	    strcmp(verb, "handling") == 0;
	if (!write && strcmp(verb, "list") && strcmp(verb, "items") && strcmp(verb, "picklist"))
		cli_usage(&c, "unknown verb '%s'", verb);
	cli_open(&c, write ? TSHOP_DB_WRITE : TSHOP_DB_READ);
	if (tshop_orders_new(&s.orders, c.db, &c.cfg, &e) == -1 ||
	    (strcmp(verb, "import") == 0 && tshop_db_bulk(c.db, "orders", &e) == -1))
		cli_fail(&c, &e);
	if (strcmp(verb, "import") == 0)
		rc = cmd_import(&c, &s);
	else if (strcmp(verb, "mark") == 0)
		rc = cmd_mark(&c, &s);
	else if (strcmp(verb, "handling") == 0)
		rc = cmd_handling(&c, &s);
	else if (strcmp(verb, "list") == 0)
		rc = cmd_list(&c, &s);
	else if (strcmp(verb, "items") == 0)
		rc = cmd_items(&c, &s);
	else
		rc = cmd_picklist(&c, &s);
	tshop_orders_free(s.orders);
	tshop_buf_release(&s.g.arena);
	tshop_buf_release(&s.g.file);
	tshop_buf_release(&s.whname);
	tshop_api_order_release(&s.api);
	free(s.g.lines);
	free(s.g.olines);
	cli_close(&c);
	return rc;
}
