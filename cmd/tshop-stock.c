/*
 * tshop-stock — the SKU catalog and on-hand stock per warehouse.
 *
 * import/set/add read records (or one record from the operands) through
 * the shared batch loop, so a bulk file applies all or nothing; list, log
 * and changes print records.  See tshop-stock(1).
 */
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "cli.h"
#include "stock.h"

static const char usage[] =
    "tshop-stock [-Hnq] [-d db] [-o tsv|csv|json] import [--rejects file] [file ...]\n"
    "       tshop-stock set [--create] [--rejects file] sku qty [warehouse] | [file ...]\n"
    "       tshop-stock add [--allow-negative] [--rejects file] sku delta [warehouse] | [file ...]\n"
    "       tshop-stock list [-s sufficient|low|out|oversold] [-w warehouse] [--by-warehouse] [sku ... | -]\n"
    "       tshop-stock log [--since time] [sku]\n"
    "       tshop-stock changes [--since cursor]";

enum { OPT_CREATE = CLI_FIRST_PROGRAM_OPT, OPT_ALLOW_NEGATIVE, OPT_BY_WAREHOUSE, OPT_SINCE };

static const struct cli_opt opts[] = {
	{ "rejects", CLI_REJECTS, true },
	{ "create", OPT_CREATE, false },
	{ "allow-negative", OPT_ALLOW_NEGATIVE, false },
	{ "by-warehouse", OPT_BY_WAREHOUSE, false },
	{ "since", OPT_SINCE, true },
	{ NULL, 's', true },
	{ NULL, 'w', true },
	{ NULL, 0, false },
};

/* A set/add line held for settle_changes(): offsets into stock_cmd.text. */
struct held_op {
	size_t sku, wh;			/* wh: SIZE_MAX when not given */
	long long qty;
};

struct stock_cmd {
	bool create, allow_negative, by_warehouse;
	const char *since, *status, *warehouse;
	struct tshop_stock *stock;
	unsigned long changed, unchanged, created;
	struct tshop_writer out;
	const char *verb;
	struct held_op *held;
	size_t nheld, capheld;
	struct tshop_stock_op *ops;	/* the held lines, for tshop_stock_apply() */
	size_t capops;
	struct tshop_buf text;
};

static void
on_opt(struct tshop_cli *c, int id, const char *arg, void *ctx)
{
	struct stock_cmd *s = ctx;

	switch (id) {
	case OPT_CREATE: s->create = true; break;
	case OPT_ALLOW_NEGATIVE: s->allow_negative = true; break;
	case OPT_BY_WAREHOUSE: s->by_warehouse = true; break;
	case OPT_SINCE: s->since = arg; break;
	case 's': s->status = arg; break;
	case 'w': s->warehouse = arg; break;
	}
	(void)c;
}

/* import --------------------------------------------------------------- */

enum { IC_SKU, IC_SKU_ID, IC_PRODUCT_ID, IC_TITLE, IC_CATEGORY, IC_WAREHOUSE, IC_QUANTITY };
static const struct tshop_column import_cols[] = {
	{ "sku", "seller sku|seller_sku|seller sku id", 0 },
	{ "sku_id", "sku id", TSHOP_COL_KEY },
	{ "product_id", "product id", 0 },
	{ "title", "product name|product_name|name", 0 },
	{ "category", "product category|category name", 0 },
	{ "warehouse", "warehouse name", 0 },
	{ "quantity", "qty|stock|available stock|quantity available|inventory", 0 },
};

/* Parse a quantity column. */
static int
get_qty(const struct tshop_record *rec, size_t col, const char *name, long long min,
    long long *q, struct tshop_err *e)
{
	const char *v = tshop_record_get(rec, col);

	if (v == NULL)
		return tshop_errorf(e, 2, "column '%s' is empty", name);
	if (tshop_parse_int(v, min, 1000000000000LL, q) == -1)
		return tshop_errorf(e, 2, "column '%s': '%s' is not %s", name, v,
		    min == 0 ? "a whole number >= 0" : "a whole number");
	return 0;
}

/* -n: the line "sku warehouse before after" of a change that would be made. */
static int
dry_row(struct stock_cmd *s, const char *sku, const char *wh,
    const struct tshop_stock_change *ch, struct tshop_err *e)
{
	char b[32] = "", a[32] = "";
	const char *row[] = { sku, ch ? (wh ? wh : TSHOP_WAREHOUSE_DEFAULT) : NULL, b, a };

	if (ch != NULL) {
		snprintf(b, sizeof(b), "%lld", (long long)ch->before);
		snprintf(a, sizeof(a), "%lld", (long long)ch->after);
	}
	if (tshop_writer_row(&s->out, row) == -1)
		return tshop_errorf(e, 3, "write error");
	return 0;
}

static int
import_one(struct tshop_cli *c, struct tshop_record *rec, void *ctx, struct tshop_err *e)
{
	struct stock_cmd *s = ctx;
	struct tshop_sku k = {
		tshop_record_get(rec, IC_SKU), tshop_record_get(rec, IC_SKU_ID),
		tshop_record_get(rec, IC_PRODUCT_ID), tshop_record_get(rec, IC_TITLE),
		tshop_record_get(rec, IC_CATEGORY),
	};
	struct tshop_stock_change ch;
	long long q;
	int64_t id;
	bool created;

	if (k.sku == NULL && k.sku_id == NULL)
		return tshop_errorf(e, 2, "no sku or sku_id");
	if (tshop_record_get(rec, IC_QUANTITY) != NULL &&
	    get_qty(rec, IC_QUANTITY, "quantity", 0, &q, e) == -1)
		return -1;
	if (tshop_sku_upsert(s->stock, &k, &id, &created, e) == -1)
		return -1;
	s->created += created;
	s->changed += !created;
	if (tshop_record_get(rec, IC_QUANTITY) == NULL) {
		/* -n: a new SKU without stock shows with the change columns empty */
		if (c->dry_run && created)
			return dry_row(s, k.sku ? k.sku : k.sku_id, NULL, NULL, e);
		return 0;
	}
	if (tshop_stock_set(s->stock, id, tshop_record_get(rec, IC_WAREHOUSE), q, "import",
	    NULL, &ch, e) == -1)
		return -1;
	if (c->dry_run && ch.changed)
		return dry_row(s, k.sku ? k.sku : k.sku_id, tshop_record_get(rec, IC_WAREHOUSE),
		    &ch, e);
	return 0;
}

/* set / add ------------------------------------------------------------ */

enum { SC_SKU, SC_QTY, SC_WAREHOUSE };
static const struct tshop_column set_cols[] = {
	{ "sku", "sku_id|sku id|seller sku|seller_sku", TSHOP_COL_REQUIRED | TSHOP_COL_KEY },
	{ "qty", "quantity|stock|available stock", TSHOP_COL_REQUIRED },
	{ "warehouse", "warehouse name", 0 },
};
static const struct tshop_column add_cols[] = {
	{ "sku", "sku_id|sku id|seller sku|seller_sku", TSHOP_COL_REQUIRED | TSHOP_COL_KEY },
	{ "delta", "qty|quantity|change", TSHOP_COL_REQUIRED },
	{ "warehouse", "warehouse name", 0 },
};

static const struct tshop_outcol change_cols[] = {
	{ "sku", TSHOP_OUT_STR }, { "warehouse", TSHOP_OUT_STR },
	{ "before", TSHOP_OUT_NUM }, { "after", TSHOP_OUT_NUM },
};

/*
 * set/add hold each line back; settle_changes() applies the held lines
 * together, in the order that is fastest for the database
 * (tshop_stock_apply), and reports them in the input's order.
 */
static int
change_one(struct tshop_cli *c, struct tshop_record *rec, void *ctx, struct tshop_err *e)
{
	struct stock_cmd *s = ctx;
	bool add = strcmp(s->verb, "add") == 0;
	const char *sku = tshop_record_get(rec, SC_SKU);
	const char *wh = tshop_record_get(rec, SC_WAREHOUSE);
	struct held_op *h;
	long long q;

	(void)c;
	if (sku == NULL)
		return tshop_errorf(e, 2, "column 'sku' is empty");
	if (get_qty(rec, SC_QTY, add ? "delta" : "qty", add ? -1000000000000LL : 0, &q, e) == -1)
		return -1;
	if (s->nheld == s->capheld) {
		size_t cap = s->capheld ? s->capheld * 2 : 1024;

		if ((h = reallocarray(s->held, cap, sizeof(*h))) == NULL)
			return tshop_errorf(e, 3, "out of memory");
		s->held = h;
		s->capheld = cap;
	}
	h = &s->held[s->nheld];
	h->qty = q;
	h->sku = s->text.len;
	h->wh = SIZE_MAX;
	if (tshop_buf_add(&s->text, sku, strlen(sku) + 1) == -1 || (wh != NULL &&
	    (h->wh = s->text.len, tshop_buf_add(&s->text, wh, strlen(wh) + 1)) == -1))
		return tshop_errorf(e, 3, "out of memory");
	s->nheld++;
	return 1;
}

static int
settle_changes(struct tshop_cli *c, struct cli_batch *b, struct tshop_err *e)
{
	struct stock_cmd *s = b->ctx;
	bool add = strcmp(s->verb, "add") == 0;
	struct tshop_stock_op *ops = s->ops;
	int rc = 0;

	if (s->nheld > s->capops) {
		if ((ops = reallocarray(s->ops, s->nheld, sizeof(*ops))) == NULL)
			return tshop_errorf(e, 3, "out of memory");
		s->ops = ops;
		s->capops = s->nheld;
	}
	for (size_t k = 0; k < s->nheld; k++) {
		ops[k].sku = s->text.data + s->held[k].sku;
		ops[k].warehouse = s->held[k].wh == SIZE_MAX ? NULL : s->text.data + s->held[k].wh;
		ops[k].qty = s->held[k].qty;
		ops[k].source = s->verb;
	}
	if (tshop_stock_apply(s->stock, ops, s->nheld, (add ? TSHOP_STOCK_ADD : 0) |
	    (s->create ? TSHOP_STOCK_CREATE : 0) |
	    (s->allow_negative ? TSHOP_STOCK_ALLOW_NEGATIVE : 0), e) == -1)
		rc = -1;
	for (size_t k = 0; k < s->nheld; k++) {
		struct tshop_stock_op *op = &ops[k];
		struct tshop_err why;

		if (rc == 0 && op->id == 0 && op->error == NULL) {
			tshop_errorf(&why, 2, "sku '%s' is not in the catalog "
			    "(import it, or use --create)", op->sku);
			cli_held_bad(b, k, why.msg);
		} else if (rc == 0 && op->error != NULL) {
			/* a bad quantity names its SKU; a bad catalog entry names itself */
			if (op->id != 0)
				tshop_errorf(&why, 2, "sku '%s': %s", op->sku, op->error);
			cli_held_bad(b, k, op->id != 0 ? why.msg : op->error);
		} else if (rc == 0) {
			s->created += op->created;
			if (op->change.changed)
				s->changed++;
			else
				s->unchanged++;
			if (c->dry_run && op->change.changed)
				rc = dry_row(s, op->sku, op->warehouse, &op->change, e);
		}
		free(op->error);
	}
	s->nheld = 0;
	tshop_buf_reset(&s->text);
	return rc;
}

/*
 * set/add/import: records from files, or one record from the operands
 * (set SKU QTY [WAREHOUSE]) when the second operand is a number or the
 * first is not a file.
 */
static int
run_batch(struct tshop_cli *c, struct stock_cmd *s, const struct tshop_column *cols,
    size_t ncols, cli_record_fn fn)
{
	struct cli_batch b = { .cols = cols, .ncols = ncols, .fn = fn, .ctx = s,
	    .files = c->args + 1, .nfiles = c->nargs - 1, .settle = settle_changes };
	long long q;
	int rc;

	cli_writer(c, &s->out, change_cols, 4);
	if (fn == change_one && (cli_operands_are_record(&b, 2, 3) || ((b.nfiles == 2 ||
	    b.nfiles == 3) && tshop_parse_int(b.files[1], INT64_MIN, INT64_MAX, &q) == 0)))
		b.operands = true;
	rc = cli_batch(c, &b, NULL);
	if (c->dry_run)
		tshop_writer_flush(&s->out);
	cli_flush(c);
	if (fn == import_one)
		cli_note(c, "%lu new, %lu updated SKUs%s", s->created, s->changed,
		    c->dry_run ? " (dry run: nothing changed)" : "");
	else
		cli_note(c, "%lu changed, %lu unchanged%s", s->changed, s->unchanged,
		    c->dry_run ? " (dry run: nothing changed)" : "");
	return rc;
}

/* list ----------------------------------------------------------------- */

struct id_set {
	int64_t *v;
	size_t n, cap;
};

static int
id_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int
id_add(struct id_set *s, int64_t id)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		int64_t *v = reallocarray(s->v, cap, sizeof(*v));

		if (v == NULL)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = id;
	return 0;
}

static bool
id_has(const struct id_set *s, int64_t id)
{
	return s->n && bsearch(&id, s->v, s->n, sizeof(*s->v), id_cmp) != NULL;
}

static int
collect_low(const struct tshop_alert_item *it, void *ctx, struct tshop_err *e)
{
	if (it->status == TSHOP_LOW && id_add(ctx, it->id) == -1)
		return tshop_errorf(e, 3, "out of memory");
	return 0;
}

/* Read SKU names from operands, or from standard input lines for "-". */
static void
wanted_skus(struct tshop_cli *c, struct stock_cmd *s, struct id_set *want, int *missing)
{
	struct tshop_err e = { 0 };
	char *line = NULL;
	size_t cap = 0;
	int64_t id;

	for (int i = 1; i < c->nargs; i++) {
		const char *name = c->args[i];
		bool from_stdin = strcmp(name, "-") == 0;

		for (;;) {
			int rc;

			if (from_stdin) {
				if (getline(&line, &cap, stdin) == -1)
					break;
				name = tshop_trim(line);
				if (*name == '\0')
					continue;
			}
			if ((rc = tshop_sku_lookup(s->stock, name, &id, &e)) == -1)
				cli_fail(c, &e);
			if (rc == 0) {
				cli_warn(c, "sku '%s' is not in the catalog", name);
				(*missing)++;
			} else if (id_add(want, id) == -1)
				cli_fail(c, &(struct tshop_err){ 3, "out of memory" });
			if (!from_stdin)
				break;
		}
	}
	free(line);
	if (want->n > 0)
		qsort(want->v, want->n, sizeof(*want->v), id_cmp);
}

static int
cmd_list(struct tshop_cli *c, struct stock_cmd *s)
{
	static const struct tshop_outcol by_wh_cols[] = {
		{ "sku", TSHOP_OUT_STR }, { "warehouse", TSHOP_OUT_STR },
		{ "title", TSHOP_OUT_STR }, { "category", TSHOP_OUT_STR },
		{ "quantity", TSHOP_OUT_NUM }, { "status", TSHOP_OUT_STR },
	};
	static const struct tshop_outcol total_cols[] = {
		{ "sku", TSHOP_OUT_STR }, { "title", TSHOP_OUT_STR }, { "category", TSHOP_OUT_STR },
		{ "quantity", TSHOP_OUT_NUM }, { "status", TSHOP_OUT_STR },
	};
	struct tshop_alert_params p = { tshop_local_date(tshop_now()),
	    c->cfg.alert_window_days, c->cfg.alert_cover_days };
	struct id_set low = { 0 }, want = { 0 };
	struct tshop_err e = { 0 };
	struct tshop_writer w;
	sqlite3_stmt *st;
	int missing = 0, rc;
	const char *by_wh =
	    "SELECT s.id, s.sku, coalesce(t.warehouse, 'default'), s.title, s.category,"
	    " coalesce(t.quantity, 0) FROM sku s LEFT JOIN stock t ON t.sku = s.id"
	    " WHERE ?1 IS NULL OR t.warehouse = ?1 ORDER BY s.sku, t.warehouse";
	const char *total =
	    "SELECT s.id, s.sku, NULL, s.title, s.category,"
	    " coalesce((SELECT sum(quantity) FROM stock t WHERE t.sku = s.id"
	    "  AND (?1 IS NULL OR t.warehouse = ?1)), 0) FROM sku s ORDER BY s.sku";

	if (s->status && strcmp(s->status, "sufficient") && strcmp(s->status, "low") &&
	    strcmp(s->status, "out") && strcmp(s->status, "oversold"))
		cli_usage(c, "-s: '%s' is not sufficient, low, out or oversold", s->status);
	if (tshop_alert_eval(c->db, &c->cfg, &p, collect_low, &low, &e) == -1)
		cli_fail(c, &e);
	if (low.n > 0)
		qsort(low.v, low.n, sizeof(*low.v), id_cmp);
	wanted_skus(c, s, &want, &missing);
	if (tshop_db_prepare(c->db, &st, s->by_warehouse ? by_wh : total, &e) == -1)
		cli_fail(c, &e);
	tshop_db_bind_text(st, 1, s->warehouse);
	if (s->by_warehouse)
		cli_writer(c, &w, by_wh_cols, 6);
	else
		cli_writer(c, &w, total_cols, 5);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0), q = sqlite3_column_int64(st, 5);
		enum tshop_stock_status status;
		char qty[32];
		const char *row[6];

		if (c->nargs > 1 && !id_has(&want, id))
			continue;
		status = q <= 0 ? TSHOP_OUT : id_has(&low, id) ? TSHOP_LOW : TSHOP_SUFFICIENT;
		if (s->status != NULL &&
		    ((strcmp(s->status, "sufficient") == 0 && status != TSHOP_SUFFICIENT) ||
		    (strcmp(s->status, "low") == 0 && status != TSHOP_LOW) ||
		    (strcmp(s->status, "out") == 0 && status != TSHOP_OUT) ||
		    (strcmp(s->status, "oversold") == 0 && q >= 0)))
			continue;
		snprintf(qty, sizeof(qty), "%lld", (long long)q);
		row[0] = tshop_db_col_text(st, 1);
		if (s->by_warehouse) {
			row[1] = tshop_db_col_text(st, 2);
			row[2] = tshop_db_col_text(st, 3);
			row[3] = tshop_db_col_text(st, 4);
			row[4] = qty;
			row[5] = tshop_stock_status_name(status);
		} else {
			row[1] = tshop_db_col_text(st, 3);
			row[2] = tshop_db_col_text(st, 4);
			row[3] = qty;
			row[4] = tshop_stock_status_name(status);
		}
		if (tshop_writer_row(&w, row) == -1)
			break;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		tshop_db_error(c->db, &e, "reading stock"), cli_fail(c, &e);
	tshop_writer_flush(&w);
	cli_flush(c);
	free(low.v);
	free(want.v);
	return missing ? TSHOP_EXIT_USAGE : TSHOP_EXIT_OK;
}

/* log and changes ------------------------------------------------------ */

static int
cmd_log(struct tshop_cli *c, struct stock_cmd *s)
{
	static const struct tshop_outcol cols[] = {
		{ "time", TSHOP_OUT_STR }, { "sku", TSHOP_OUT_STR }, { "warehouse", TSHOP_OUT_STR },
		{ "delta", TSHOP_OUT_NUM }, { "quantity", TSHOP_OUT_NUM },
		{ "source", TSHOP_OUT_STR }, { "note", TSHOP_OUT_STR },
	};
	struct tshop_err e = { 0 };
	struct tshop_writer w;
	sqlite3_stmt *st;
	tshop_time since = TSHOP_TIME_NONE;
	int64_t id = 0;
	int rc;

	if (c->nargs > 2)
		cli_usage(c, "log takes at most one sku");
	if (s->since && tshop_time_parse(s->since, c->cfg.date_order, &since) == -1)
		cli_usage(c, "--since: '%s' is not a time", s->since);
	if (c->nargs == 2) {
		if ((rc = tshop_sku_lookup(s->stock, c->args[1], &id, &e)) == -1)
			cli_fail(c, &e);
		if (rc == 0)
			tshop_errorf(&e, 2, "sku '%s' is not in the catalog", c->args[1]), cli_fail(c, &e);
	}
	if (tshop_db_prepare(c->db, &st,
	    "SELECT l.time, s.sku, l.warehouse, l.delta, l.quantity, l.source, l.note"
	    " FROM ledger l JOIN sku s ON s.id = l.sku"
	    " WHERE (?1 = 0 OR l.sku = ?1) AND (?2 IS NULL OR l.time >= ?2) ORDER BY l.id", &e) == -1)
		cli_fail(c, &e);
	sqlite3_bind_int64(st, 1, id);
	if (since != TSHOP_TIME_NONE)
		sqlite3_bind_int64(st, 2, since);
	cli_writer(c, &w, cols, 7);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char t[32], d[32], q[32];
		const char *row[7] = { tshop_time_format(sqlite3_column_int64(st, 0), t, sizeof(t)),
		    tshop_db_col_text(st, 1), tshop_db_col_text(st, 2), d, q,
		    tshop_db_col_text(st, 5), tshop_db_col_text(st, 6) };

		snprintf(d, sizeof(d), "%+lld", (long long)sqlite3_column_int64(st, 3));
		snprintf(q, sizeof(q), "%lld", (long long)sqlite3_column_int64(st, 4));
		if (tshop_writer_row(&w, row) == -1)
			break;
	}
	sqlite3_finalize(st);
	tshop_writer_flush(&w);
	cli_flush(c);
	return TSHOP_EXIT_OK;
}

static int
cmd_changes(struct tshop_cli *c, struct stock_cmd *s)
{
	static const struct tshop_outcol cols[] = {
		{ "sku", TSHOP_OUT_STR }, { "warehouse", TSHOP_OUT_STR }, { "quantity", TSHOP_OUT_NUM },
	};
	struct tshop_err e = { 0 };
	struct tshop_writer w;
	sqlite3_stmt *st;
	long long cursor = 0;
	int64_t last = 0;
	int rc;

	if (c->nargs > 1)
		cli_usage(c, "changes takes no operand");
	if (s->since && tshop_parse_int(s->since, 0, INT64_MAX, &cursor) == -1)
		cli_usage(c, "--since: '%s' is not a cursor (a ledger entry number)", s->since);
	/* one read transaction: the cursor and the rows come from the same snapshot */
	if (tshop_db_exec(c->db, "BEGIN", &e) == -1 || tshop_ledger_last(c->db, &last, &e) == -1)
		cli_fail(c, &e);
	if (last < cursor)
		last = cursor;
	if (tshop_db_prepare(c->db, &st,
	    "SELECT s.sku, t.warehouse, t.quantity FROM"
	    " (SELECT DISTINCT sku, warehouse FROM ledger WHERE id > ?1 AND id <= ?2) l"
	    " JOIN sku s ON s.id = l.sku"
	    " JOIN stock t ON t.sku = l.sku AND t.warehouse = l.warehouse"
	    " ORDER BY s.sku, t.warehouse", &e) == -1)
		cli_fail(c, &e);
	sqlite3_bind_int64(st, 1, cursor);
	sqlite3_bind_int64(st, 2, last);
	cli_writer(c, &w, cols, 3);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *row[3] = { tshop_db_col_text(st, 0), tshop_db_col_text(st, 1),
		    tshop_db_col_text(st, 2) };

		if (tshop_writer_row(&w, row) == -1)
			break;
	}
	sqlite3_finalize(st);
	tshop_db_exec(c->db, "COMMIT", &e);
	tshop_writer_flush(&w);
	cli_flush(c);
	fprintf(stderr, "cursor %lld\n", (long long)last);
	return TSHOP_EXIT_OK;
}

int
main(int argc, char *argv[])
{
	struct tshop_cli c;
	struct stock_cmd s = { 0 };
	struct tshop_err e = { 0 };
	const char *verb;
	int rc;

	cli_init(&c, "tshop-stock", usage);
	cli_parse(&c, argc, argv, opts, on_opt, &s);
	if (c.nargs < 1)
		cli_usage(&c, "no verb given");
	s.verb = verb = c.args[0];
	if (strcmp(verb, "import") == 0 || strcmp(verb, "set") == 0 || strcmp(verb, "add") == 0) {
		cli_open(&c, TSHOP_DB_WRITE);
		if (tshop_db_bulk(c.db, NULL, &e) == -1 || tshop_stock_new(&s.stock, c.db, &e) == -1)
			cli_fail(&c, &e);
		if (strcmp(verb, "import") == 0)
			rc = run_batch(&c, &s, import_cols, 7, import_one);
		else if (strcmp(verb, "set") == 0)
			rc = run_batch(&c, &s, set_cols, 3, change_one);
		else
			rc = run_batch(&c, &s, add_cols, 3, change_one);
	} else if (strcmp(verb, "list") == 0 || strcmp(verb, "log") == 0 ||
	    strcmp(verb, "changes") == 0) {
		cli_open(&c, TSHOP_DB_READ);
		if (tshop_stock_new(&s.stock, c.db, &e) == -1)
			cli_fail(&c, &e);
		if (strcmp(verb, "list") == 0)
			rc = cmd_list(&c, &s);
		else if (strcmp(verb, "log") == 0)
			rc = cmd_log(&c, &s);
		else
			rc = cmd_changes(&c, &s);
	} else
		cli_usage(&c, "unknown verb '%s'", verb);
	tshop_stock_free(s.stock);
	free(s.held);
	free(s.ops);
	tshop_buf_release(&s.text);
	cli_close(&c);
	return rc;
}
