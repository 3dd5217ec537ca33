/*
 * tshop-settle — import settlement reports and reconcile them against the
 * orders, for accountants.
 *
 * import feeds every record through the shared batch loop (one
 * transaction, FILE:LINE messages, --rejects) into lib/settle.c, starting
 * each input from its header (Seller Center report, simple form or
 * canonical TSV); check and summary print what lib/settle.c computes.
 * See tshop-settle(1).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "settle.h"

static const char usage[] =
    "tshop-settle [-Hnq] [-d db] [-o tsv|csv|json] import [--rejects file] [file ...]\n"
    "       tshop-settle check [--since date] [--until date] [--statement id] [--tolerance amount]\n"
    "       tshop-settle summary [--by statement|day|week|month] [--since date] [--until date]"
    " [--statement id]";

enum { OPT_SINCE = CLI_FIRST_PROGRAM_OPT, OPT_UNTIL, OPT_STATEMENT, OPT_TOLERANCE, OPT_BY };

static const struct cli_opt opts[] = {
	{ "rejects", CLI_REJECTS, true },
	{ "since", OPT_SINCE, true },
	{ "until", OPT_UNTIL, true },
	{ "statement", OPT_STATEMENT, true },
	{ "tolerance", OPT_TOLERANCE, true },
	{ "by", OPT_BY, true },
	{ NULL, 0, false },
};

struct settle_cmd {
	const char *since, *until, *statement, *tolerance, *by;
	/* import */
	struct cli_batch *batch;
	struct tshop_settle *settle;
	struct tshop_settle_input in;
	int input;			/* index of the input started, -1 before the first */
	unsigned long added, unchanged, conflicts, duplicates;
	/* output */
	struct tshop_writer w;
	int digits;
};

static void
on_opt(struct tshop_cli *c, int id, const char *arg, void *ctx)
{
	struct settle_cmd *s = ctx;

	switch (id) {
	case OPT_SINCE: s->since = arg; break;
	case OPT_UNTIL: s->until = arg; break;
	case OPT_STATEMENT: s->statement = arg; break;
	case OPT_TOLERANCE: s->tolerance = arg; break;
	case OPT_BY: s->by = arg; break;
	}
	(void)c;
}

/* import --------------------------------------------------------------- */

static int
import_one(struct tshop_cli *c, struct tshop_record *rec, void *ctx, struct tshop_err *e)
{
	struct settle_cmd *s = ctx;
	static const char *const result[] = { "new", "unchanged", "conflict" };
	struct tshop_settle_row row;
	enum tshop_settle_result res;
	const char *prior;
	char date[16] = "";

	if (s->input != s->batch->file) {
		const char *const *hdr;
		size_t n;

		hdr = tshop_reader_header(s->batch->reader, &n);
		if (tshop_settle_input_start(&s->in, hdr, n, e) == -1 ||
		    tshop_settle_begin_input(s->settle, e) == -1)
			return -1;
		s->input = s->batch->file;
	}
	if (tshop_settle_row_from_record(&s->in, rec, &c->cfg, &row, e) == -1 ||
	    tshop_settle_add(s->settle, &row, &res, e) == -1)
		return -1;
	prior = tshop_settle_prior(s->settle);
	if (row.has_date)
		tshop_date_format(row.statement_date, date, sizeof(date));
	switch (res) {
	case TSHOP_SETTLE_NEW:
		if (prior == NULL) {
			s->added++;
			break;
		}
		if (++s->duplicates <= 100)
			cli_warn(c, "%s:%lu: order '%s' is settled already (statement '%s'): kept, "
			    "reported as a duplicate", rec->file, rec->line, row.order_id, prior);
		break;
	case TSHOP_SETTLE_UNCHANGED:
		s->unchanged++;
		break;
	case TSHOP_SETTLE_CONFLICT:
		if (++s->conflicts <= 100)
			cli_warn(c, "%s:%lu: order '%s' (%s) was already imported with other "
			    "amounts: the stored row is kept", rec->file, rec->line, row.order_id,
			    row.type);
		break;
	}
	if (c->dry_run) {
		const char *out[4] = { row.order_id, row.type,
		    row.statement_id != NULL ? row.statement_id : date,
		    prior != NULL ? "duplicate" : result[res] };

		if (tshop_writer_row(&s->w, out) == -1)
			return tshop_errorf(e, 3, "write error");
	}
	return 0;
}

static int
cmd_import(struct tshop_cli *c, struct settle_cmd *s)
{
	static const struct tshop_outcol cols[] = {
		{ "order_id", TSHOP_OUT_STR }, { "type", TSHOP_OUT_STR },
		{ "statement", TSHOP_OUT_STR }, { "result", TSHOP_OUT_STR },
	};
	struct cli_batch b = { .cols = tshop_settle_columns, .ncols = TSHOP_SETTLE_NCOLS,
	    .fn = import_one, .ctx = s, .files = c->args + 1, .nfiles = c->nargs - 1 };
	struct tshop_err e = { 0 };
	int rc;

	if (tshop_settle_new(&s->settle, c->db, &e) == -1)
		cli_fail(c, &e);
	s->batch = &b;
	s->input = -1;
	cli_writer(c, &s->w, cols, 4);
	rc = cli_batch(c, &b, NULL);
	if (c->dry_run && tshop_writer_flush(&s->w) == -1)
		cli_fail(c, &(struct tshop_err){ 3, "write error" });
	cli_flush(c);
	if (s->conflicts > 100)
		cli_warn(c, "... and %lu more conflicting rows", s->conflicts - 100);
	if (s->duplicates > 100)
		cli_warn(c, "... and %lu more duplicates", s->duplicates - 100);
	cli_note(c, "%lu rows: %lu new, %lu already imported, %lu conflicting, %lu duplicates%s",
	    s->added + s->unchanged + s->conflicts + s->duplicates, s->added, s->unchanged,
	    s->conflicts, s->duplicates, c->dry_run ? " (dry run: nothing changed)" : "");
	tshop_settle_input_release(&s->in);
	tshop_settle_free(s->settle);
	s->settle = NULL;
	if (rc == 0 && s->conflicts > 0)
		rc = TSHOP_EXIT_FOUND;
	return rc;
}

/* check and summary ---------------------------------------------------- */

static void
params(struct tshop_cli *c, struct settle_cmd *s, struct tshop_settle_params *p)
{
	struct tshop_err e = { 0 };

	if (tshop_settle_params_load(c->db, &c->cfg, p, &e) == -1)
		cli_fail(c, &e);
	if (s->since != NULL) {
		if (tshop_date_parse(s->since, &p->since) == -1)
			cli_usage(c, "--since: '%s' is not a date (YYYY-MM-DD)", s->since);
		p->has_since = true;
	}
	if (s->until != NULL) {
		if (tshop_date_parse(s->until, &p->until) == -1)
			cli_usage(c, "--until: '%s' is not a date (YYYY-MM-DD)", s->until);
		p->has_until = true;
	}
	p->statement = s->statement;
	if (s->tolerance != NULL &&
	    (tshop_money_parse(s->tolerance, TSHOP_SETTLE_TOLERANCE_DIGITS, &p->tolerance) == -1 ||
	    p->tolerance < 0))
		cli_usage(c, "--tolerance: '%s' is not an amount >= 0 with at most %d decimals",
		    s->tolerance, TSHOP_SETTLE_TOLERANCE_DIGITS);
}

static int
print_finding(const struct tshop_settle_finding *f, void *ctx, struct tshop_err *e)
{
	struct settle_cmd *s = ctx;
	char exp[32], act[32], diff[32], date[16], deadline[16], left[16];
	const char *row[8] = { f->order_id, f->kind, NULL, act, diff, NULL, NULL, NULL };

	if (f->has_expected)
		row[2] = tshop_money_format(f->expected, f->digits, exp, sizeof(exp));
	tshop_money_format(f->actual, f->digits, act, sizeof(act));
	tshop_money_format(f->difference, f->digits, diff, sizeof(diff));
	if (f->has_date) {
		row[5] = tshop_date_format(f->statement_date, date, sizeof(date));
		row[6] = tshop_date_format(f->deadline, deadline, sizeof(deadline));
		snprintf(left, sizeof(left), "%d", f->days_left);
		row[7] = left;
	}
	if (tshop_writer_row(&s->w, row) == -1)
		return tshop_errorf(e, 3, "write error");
	return 0;
}

static int
cmd_check(struct tshop_cli *c, struct settle_cmd *s)
{
	static const struct tshop_outcol cols[] = {
		{ "order_id", TSHOP_OUT_STR }, { "kind", TSHOP_OUT_STR },
		{ "expected", TSHOP_OUT_STR }, { "actual", TSHOP_OUT_STR },
		{ "difference", TSHOP_OUT_STR }, { "statement_date", TSHOP_OUT_STR },
		{ "deadline", TSHOP_OUT_STR }, { "days_left", TSHOP_OUT_NUM },
	};
	struct tshop_settle_params p;
	struct tshop_err e = { 0 };
	size_t n;

	if (s->by != NULL)
		cli_usage(c, "--by belongs to summary");
	params(c, s, &p);
	cli_writer(c, &s->w, cols, 8);
	if (tshop_settle_check(c->db, &p, print_finding, s, &n, &e) == -1)
		cli_fail(c, &e);
	if (tshop_writer_flush(&s->w) == -1)
		cli_fail(c, &(struct tshop_err){ 3, "write error" });
	cli_flush(c);
	return n > 0 ? TSHOP_EXIT_FOUND : TSHOP_EXIT_OK;
}

static int
print_period(const struct tshop_settle_period *p, void *ctx, struct tshop_err *e)
{
	struct settle_cmd *s = ctx;
	const int64_t v[] = { p->revenue, p->refund, p->commission, p->transaction_fee,
	    p->shipping_fee, p->other_fees, p->adjustment, p->settlement, p->expected,
	    p->difference };
	char buf[10][32], rows[24];
	const char *row[12] = { p->period, rows };

	snprintf(rows, sizeof(rows), "%lld", (long long)p->rows);
	for (int i = 0; i < 10; i++)
		row[2 + i] = tshop_money_format(v[i], s->digits, buf[i], sizeof(buf[i]));
	if (tshop_writer_row(&s->w, row) == -1)
		return tshop_errorf(e, 3, "write error");
	return 0;
}

static int
cmd_summary(struct tshop_cli *c, struct settle_cmd *s)
{
	static const struct tshop_outcol cols[] = {
		{ "period", TSHOP_OUT_STR }, { "rows", TSHOP_OUT_NUM },
		{ "revenue", TSHOP_OUT_STR }, { "refund", TSHOP_OUT_STR },
		{ "commission", TSHOP_OUT_STR }, { "transaction_fee", TSHOP_OUT_STR },
		{ "shipping_fee", TSHOP_OUT_STR }, { "other_fees", TSHOP_OUT_STR },
		{ "adjustment", TSHOP_OUT_STR }, { "settlement", TSHOP_OUT_STR },
		{ "expected", TSHOP_OUT_STR }, { "difference", TSHOP_OUT_STR },
	};
	enum tshop_settle_by by = TSHOP_BY_STATEMENT;
	struct tshop_settle_params p;
	struct tshop_err e = { 0 };

	if (s->by != NULL && tshop_settle_by_parse(s->by, &by) == -1)
		cli_usage(c, "--by: '%s' is not statement, day, week or month", s->by);
	if (s->tolerance != NULL)
		cli_usage(c, "--tolerance belongs to check");
	params(c, s, &p);
	s->digits = c->cfg.digits;
	cli_writer(c, &s->w, cols, 12);
	if (tshop_settle_summary(c->db, &p, by, print_period, s, &e) == -1)
		cli_fail(c, &e);
	if (tshop_writer_flush(&s->w) == -1)
		cli_fail(c, &(struct tshop_err){ 3, "write error" });
	cli_flush(c);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct tshop_cli c;
	struct settle_cmd s = { .in = TSHOP_SETTLE_INPUT_INIT };
	struct tshop_err e = { 0 };
	const char *verb;
	int rc;

	cli_init(&c, "tshop-settle", usage);
	cli_parse(&c, argc, argv, opts, on_opt, &s);
	if (c.nargs < 1)
		cli_usage(&c, "no verb given");
	verb = c.args[0];
	if (strcmp(verb, "import") == 0) {
		if (s.since || s.until || s.statement || s.tolerance || s.by)
			cli_usage(&c, "import takes no --since, --until, --statement, --tolerance or --by");
		cli_open(&c, TSHOP_DB_WRITE);
		rc = cmd_import(&c, &s);
	} else if (strcmp(verb, "check") == 0 || strcmp(verb, "summary") == 0) {
		if (c.nargs > 1)
			cli_usage(&c, "%s takes no operand", verb);
		if (c.rejects != NULL)
			cli_usage(&c, "--rejects belongs to import");
		cli_open(&c, TSHOP_DB_READ);
		if (strcmp(verb, "check") == 0 && tshop_db_large_cache(c.db, &e) == -1)
			cli_fail(&c, &e);
		rc = strcmp(verb, "check") == 0 ? cmd_check(&c, &s) : cmd_summary(&c, &s);
	} else
		cli_usage(&c, "unknown verb '%s'", verb);
	cli_close(&c);
	return rc;
}
