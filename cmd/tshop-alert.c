/*
 * tshop-alert — low-stock rules and the daily check.
 *
 * check evaluates every rule (lib/alert.c), prints the due SKUs not yet
 * reported today, optionally POSTs them as JSON, and records a notice for
 * each line only once it was written (and, with --notify, delivered), so
 * neither a broken pipe nor a dead webhook loses an alert.  See tshop-alert(1).
 */
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "api.h"
#include "cli.h"
#include "stock.h"

static const char usage[] =
    "tshop-alert [-Hnq] [-d db] [-o tsv|csv|json] set [--rejects file] sku qty|days n | sku off | [file ...]\n"
    "       tshop-alert list\n"
    "       tshop-alert auto [--top percent] [--days n]\n"
    "       tshop-alert check [--date date] [--window days] [--cover days] [--force] [--notify url]";

enum { OPT_DATE = CLI_FIRST_PROGRAM_OPT, OPT_WINDOW, OPT_COVER, OPT_FORCE, OPT_NOTIFY, OPT_TOP, OPT_DAYS };

static const struct cli_opt opts[] = {
	{ "rejects", CLI_REJECTS, true },
	{ "date", OPT_DATE, true },
	{ "window", OPT_WINDOW, true },
	{ "cover", OPT_COVER, true },
	{ "force", OPT_FORCE, false },
	{ "notify", OPT_NOTIFY, true },
	{ "top", OPT_TOP, true },
	{ "days", OPT_DAYS, true },
	{ NULL, 0, false },
};

struct alert_cmd {
	const char *date, *window, *cover, *notify, *top, *days;
	bool force;
	struct tshop_stock *stock;
	unsigned long set, removed;
	struct tshop_writer out;	/* -n: the rules that would be set */
};

static const struct tshop_outcol rule_out[] = {
	{ "sku", TSHOP_OUT_STR }, { "mode", TSHOP_OUT_STR }, { "threshold", TSHOP_OUT_NUM },
};

static void
on_opt(struct tshop_cli *c, int id, const char *arg, void *ctx)
{
	struct alert_cmd *a = ctx;

	switch (id) {
	case OPT_DATE: a->date = arg; break;
	case OPT_WINDOW: a->window = arg; break;
	case OPT_COVER: a->cover = arg; break;
	case OPT_FORCE: a->force = true; break;
	case OPT_NOTIFY: a->notify = arg; break;
	case OPT_TOP: a->top = arg; break;
	case OPT_DAYS: a->days = arg; break;
	}
	(void)c;
}

static int
int_opt(struct tshop_cli *c, const char *name, const char *v, int min, int max, int def)
{
	long long n;

	if (v == NULL)
		return def;
	if (tshop_parse_int(v, min, max, &n) == -1)
		cli_usage(c, "--%s: '%s' is not a whole number from %d to %d", name, v, min, max);
	return (int)n;
}

/* The check's parameters from the options and the settings. */
static struct tshop_alert_params
params(struct tshop_cli *c, struct alert_cmd *a)
{
	struct tshop_alert_params p;

	p.date = tshop_local_date(tshop_now());
	if (a->date != NULL && tshop_date_parse(a->date, &p.date) == -1)
		cli_usage(c, "--date: '%s' is not a date (YYYY-MM-DD)", a->date);
	p.window = int_opt(c, "window", a->window, 1, 3650, c->cfg.alert_window_days);
	p.cover = int_opt(c, "cover", a->cover, 1, 3650, c->cfg.alert_cover_days);
	return p;
}

/* set ------------------------------------------------------------------ */

enum { RC_SKU, RC_MODE, RC_THRESHOLD };
static const struct tshop_column rule_cols[] = {
	{ "sku", "sku_id|sku id|seller sku|seller_sku", TSHOP_COL_REQUIRED | TSHOP_COL_KEY },
	{ "mode", "alert_mode", TSHOP_COL_REQUIRED },
	{ "threshold", "alert_threshold|n", 0 },
};

static int
set_one(struct tshop_cli *c, struct tshop_record *rec, void *ctx, struct tshop_err *e)
{
	struct alert_cmd *a = ctx;
	const char *sku = tshop_record_get(rec, RC_SKU), *mode = tshop_record_get(rec, RC_MODE);
	const char *th = tshop_record_get(rec, RC_THRESHOLD);
	long long n = 0;
	int64_t id;
	int rc;

	if (sku == NULL)
		return tshop_errorf(e, 2, "column 'sku' is empty");
	if (mode == NULL)
		return tshop_errorf(e, 2, "column 'mode' is empty (qty, days or off)");
	if (tshop_streq_nocase(mode, "qty"))
		mode = "qty";
	else if (tshop_streq_nocase(mode, "days"))
		mode = "days";
	else if (tshop_streq_nocase(mode, "off"))
		mode = "off";
	else
		return tshop_errorf(e, 2, "column 'mode': '%s' is not qty, days or off", mode);
	if (strcmp(mode, "off") != 0) {
		if (th == NULL)
			return tshop_errorf(e, 2, "column 'threshold' is empty");
		if (tshop_parse_int(th, 0, 1000000000, &n) == -1)
			return tshop_errorf(e, 2, "column 'threshold': '%s' is not a whole number >= 0", th);
	}
	if ((rc = tshop_sku_lookup(a->stock, sku, &id, e)) == -1)
		return -1;
	if (rc == 0)
		return tshop_errorf(e, 2, "sku '%s' is not in the catalog", sku);
	if ((rc = tshop_alert_rule_set(c->db, &c->cfg, id, mode, n, e)) == -1) {
		if (e->code == 2) {
			char msg[sizeof(e->msg)];

			memcpy(msg, e->msg, sizeof(msg));
			tshop_errorf(e, 2, "sku '%s': %s", sku, msg);
		}
		return -1;
	}
	if (strcmp(mode, "off") != 0)
		a->set++;
	else if (rc == 1)
		a->removed++;
	if (c->dry_run && (rc == 1 || strcmp(mode, "off") != 0)) {
		char t[32] = "";
		const char *row[] = { sku, mode, t };

		if (strcmp(mode, "off") != 0)
			snprintf(t, sizeof(t), "%lld", n);
		if (tshop_writer_row(&a->out, row) == -1)
			return tshop_errorf(e, 3, "write error");
	}
	return 0;
}

static int
cmd_set(struct tshop_cli *c, struct alert_cmd *a)
{
	struct cli_batch b = { .cols = rule_cols, .ncols = 3, .fn = set_one, .ctx = a,
	    .files = c->args + 1, .nfiles = c->nargs - 1 };
	int rc;

	if (cli_operands_are_record(&b, 2, 3) ||
	    (b.nfiles == 2 && strcmp(b.files[1], "off") == 0) ||
	    (b.nfiles == 3 && (strcmp(b.files[1], "qty") == 0 || strcmp(b.files[1], "days") == 0)))
		b.operands = true;
	cli_writer(c, &a->out, rule_out, 3);
	rc = cli_batch(c, &b, NULL);
	if (c->dry_run)
		tshop_writer_flush(&a->out);
	cli_flush(c);
	cli_note(c, "%lu rule%s set, %lu removed%s", a->set, a->set == 1 ? "" : "s", a->removed,
	    c->dry_run ? " (dry run: nothing changed)" : "");
	return rc;
}

/* list ----------------------------------------------------------------- */

static int
cmd_list(struct tshop_cli *c)
{
	struct tshop_err e = { 0 };
	struct tshop_writer w;
	sqlite3_stmt *st;

	if (tshop_db_prepare(c->db, &st, "SELECT s.sku, r.mode, r.threshold FROM alert_rule r"
	    " JOIN sku s ON s.id = r.sku ORDER BY s.sku", &e) == -1)
		cli_fail(c, &e);
	cli_writer(c, &w, rule_out, 3);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *row[3] = { tshop_db_col_text(st, 0), tshop_db_col_text(st, 1),
		    tshop_db_col_text(st, 2) };

		if (tshop_writer_row(&w, row) == -1)
			break;
	}
	sqlite3_finalize(st);
	tshop_writer_flush(&w);
	cli_flush(c);
	return 0;
}

/* auto ----------------------------------------------------------------- */

struct auto_ctx {
	struct tshop_writer w;
	unsigned long added;
};

static int
print_added(const char *sku, int days, void *ctx, struct tshop_err *e)
{
	struct auto_ctx *a = ctx;
	char n[16];
	const char *row[3] = { sku, "days", n };

	snprintf(n, sizeof(n), "%d", days);
	a->added++;
	if (tshop_writer_row(&a->w, row) == -1)
		return tshop_errorf(e, 3, "write error");
	return 0;
}

static int
cmd_auto(struct tshop_cli *c, struct alert_cmd *a)
{
	static const struct tshop_outcol cols[] = {
		{ "sku", TSHOP_OUT_STR }, { "mode", TSHOP_OUT_STR }, { "threshold", TSHOP_OUT_NUM },
	};
	struct tshop_alert_params p = params(c, a);
	struct auto_ctx ac = { 0 };
	struct tshop_err e = { 0 };
	int top = int_opt(c, "top", a->top, 1, 100, 20), days = int_opt(c, "days", a->days, 0, 3650, 7);

	cli_writer(c, &ac.w, cols, 3);
	if (tshop_db_begin(c->db, &e) == -1 ||
	    tshop_alert_auto(c->db, &c->cfg, &p, top, days, print_added, &ac, &e) == -1)
		cli_fail(c, &e);
	tshop_writer_flush(&ac.w);
	cli_flush(c);
	if (c->dry_run)
		tshop_db_rollback(c->db);
	else if (tshop_db_commit(c->db, &e) == -1)
		cli_fail(c, &e);
	cli_note(c, "%lu rules added%s", ac.added, c->dry_run ? " (dry run: nothing changed)" : "");
	return 0;
}

/* check ---------------------------------------------------------------- */

struct due {
	int64_t id;
	enum tshop_stock_status status;
};

struct check_ctx {
	struct tshop_cli *c;
	struct alert_cmd *a;
	struct tshop_writer w;
	struct tshop_alert_batch *batch;
	struct due *due;
	size_t n, cap;
	bool write_failed;
};

static int
check_one(const struct tshop_alert_item *it, void *ctx, struct tshop_err *e)
{
	struct check_ctx *k = ctx;
	char onhand[32], sold[32], rate[32], dos[32], th[32], reorder[32];
	const char *row[9] = { it->sku, tshop_stock_status_name(it->status), onhand, sold,
	    rate, dos, it->mode, th, reorder };
	int64_t r;

	if (k->write_failed)
		return 0;
	/* once per local day, again only when it got worse */
	if (!k->a->force && it->notified >= (int)it->status)
		return 0;
	tshop_alert_figures(it, rate, sizeof(rate), dos, sizeof(dos), &r);
	snprintf(onhand, sizeof(onhand), "%lld", (long long)it->on_hand);
	snprintf(sold, sizeof(sold), "%lld", (long long)it->sold);
	snprintf(th, sizeof(th), "%lld", (long long)it->threshold);
	snprintf(reorder, sizeof(reorder), "%lld", (long long)r);
	if (tshop_writer_row(&k->w, row) == -1 || fflush(stdout) == EOF) {
		/* this line and the rest stay unreported: the next run prints them */
		k->write_failed = true;
		return 0;
	}
	if (k->batch != NULL && tshop_alert_batch_add(k->batch, it) == -1)
		return tshop_errorf(e, 3, "out of memory");
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 64;
		struct due *d = reallocarray(k->due, cap, sizeof(*d));

		if (d == NULL)
			return tshop_errorf(e, 3, "out of memory");
		k->due = d;
		k->cap = cap;
	}
	k->due[k->n].id = it->id;
	k->due[k->n++].status = it->status;
	return 0;
}

static int
cmd_check(struct tshop_cli *c, struct alert_cmd *a)
{
	static const struct tshop_outcol cols[] = {
		{ "sku", TSHOP_OUT_STR }, { "status", TSHOP_OUT_STR },
		{ "on_hand", TSHOP_OUT_NUM }, { "sold", TSHOP_OUT_NUM },
		{ "daily_rate", TSHOP_OUT_NUM }, { "days_of_supply", TSHOP_OUT_NUM },
		{ "mode", TSHOP_OUT_STR }, { "threshold", TSHOP_OUT_NUM },
		{ "reorder", TSHOP_OUT_NUM },
	};
	struct tshop_alert_params p = params(c, a);
	struct check_ctx k = { .c = c, .a = a };
	struct tshop_err e = { 0 };
	char day[16];
	int rc = 0;

	tshop_date_format(p.date, day, sizeof(day));
	if (a->notify != NULL && (k.batch = tshop_alert_batch_new()) == NULL)
		cli_fail(c, &(struct tshop_err){ 3, "out of memory" });
	cli_writer(c, &k.w, cols, 9);
	/* the write lock first: two overlapping checks must not both notify */
	if (!c->dry_run && tshop_db_begin(c->db, &e) == -1)
		cli_fail(c, &e);
	if (tshop_alert_eval(c->db, &c->cfg, &p, check_one, &k, &e) == -1)
		cli_fail(c, &e);
	if (!k.write_failed && (c->header || c->format == TSHOP_FMT_CSV) &&
	    tshop_writer_flush(&k.w) == -1)
		k.write_failed = true;
	if (k.write_failed)
		cli_warn(c, "write error: the alerts not written stay due");
	if (a->notify != NULL && k.n > 0 && !c->dry_run) {
		char *json = tshop_alert_batch_json(k.batch, day);

		if (json == NULL)
			cli_fail(c, &(struct tshop_err){ 3, "out of memory" });
		if (tshop_http_post_json(a->notify, json, 30, &e) == -1) {
			free(json);
			cli_warn(c, "%s; the alerts stay due for the next run", e.msg);
			tshop_db_rollback(c->db);
			exit(TSHOP_EXIT_REMOTE);
		}
		free(json);
	}
	if (!c->dry_run) {
		for (size_t i = 0; i < k.n; i++)
			if (tshop_alert_notice_put(c->db, k.due[i].id, p.date, k.due[i].status, &e) == -1)
				cli_fail(c, &e);
		if (tshop_db_commit(c->db, &e) == -1)
			cli_fail(c, &e);
	}
	if (k.write_failed)
		rc = TSHOP_EXIT_LOCAL;
	else if (k.n > 0)
		rc = TSHOP_EXIT_FOUND;
	free(k.due);
	tshop_alert_batch_free(k.batch);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct tshop_cli c;
	struct alert_cmd a = { 0 };
	struct tshop_err e = { 0 };
	const char *verb;
	int rc;

	cli_init(&c, "tshop-alert", usage);
	cli_parse(&c, argc, argv, opts, on_opt, &a);
	if (c.nargs < 1)
		cli_usage(&c, "no verb given");
	verb = c.args[0];
	if (strcmp(verb, "set") == 0) {
		cli_open(&c, TSHOP_DB_WRITE);
		if (tshop_stock_new(&a.stock, c.db, &e) == -1)
			cli_fail(&c, &e);
		rc = cmd_set(&c, &a);
	} else if (strcmp(verb, "list") == 0 || strcmp(verb, "auto") == 0 ||
	    strcmp(verb, "check") == 0) {
		if (c.nargs > 1)
			cli_usage(&c, "%s takes no operand", verb);
		cli_open(&c, TSHOP_DB_READ);
		if (strcmp(verb, "list") == 0)
			rc = cmd_list(&c);
		else if (strcmp(verb, "auto") == 0)
			rc = cmd_auto(&c, &a);
		else
			rc = cmd_check(&c, &a);
	} else
		cli_usage(&c, "unknown verb '%s'", verb);
	tshop_stock_free(a.stock);
	cli_close(&c);
	return rc;
}
