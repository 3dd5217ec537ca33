/*
 * tshop-returns — return and refund requests.
 *
 * import feeds Seller Center exports, canonical TSV/CSV or JSON Lines of
 * TikTok API return objects through the one batch loop into
 * tshop_return_merge() (upsert by return_id, conflicts reported and not
 * applied); receive records the weight of what came back and flags a
 * difference of more than 30 %; refund records the refund; list shows
 * them.  See tshop-returns(1).
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "money.h"
#include "returns.h"

static const char usage[] =
    "tshop-returns [-Hnq] [-d db] [-o tsv|csv|json] import [--rejects file] [file ...]\n"
    "       tshop-returns list [-s status[,status]]\n"
    "       tshop-returns receive return weight\n"
    "       tshop-returns refund return [amount]";

enum { OPT_STATUS = 's' };

static const struct cli_opt opts[] = {
	{ "rejects", CLI_REJECTS, true },
	{ NULL, OPT_STATUS, true },
	{ "status", OPT_STATUS, true },
	{ NULL, 0, false },
};

struct returns_cmd {
	const char *status;
	struct tshop_returns *returns;
	unsigned long n[4];		/* by enum tshop_return_result */
	unsigned long conflicts;
};

static void
on_opt(struct tshop_cli *c, int id, const char *arg, void *ctx)
{
	struct returns_cmd *a = ctx;

	if (id == OPT_STATUS)
		a->status = arg;
	(void)c;
}

/* The digits of a return's currency: its own, else the shop's. */
static int
digits_of(const struct tshop_cli *c, const char *currency)
{
	return currency != NULL && *currency ? tshop_currency_digits(currency) : c->cfg.digits;
}

/* import --------------------------------------------------------------- */

enum {
	RC_ID, RC_ORDER, RC_TYPE, RC_REASON, RC_STATUS, RC_REQUESTED, RC_APPROVED,
	RC_RECEIVED, RC_REFUNDED, RC_AMOUNT, RC_SHIPPED_WEIGHT, RC_RECEIVED_WEIGHT,
	RC_UPDATE, RC_CURRENCY, NRC
};

static const struct tshop_column return_cols[NRC] = {
	{ "return_id", "Return Order ID|Return ID|return order id", TSHOP_COL_REQUIRED | TSHOP_COL_KEY },
	{ "order_id", "Order ID", TSHOP_COL_REQUIRED | TSHOP_COL_KEY },
	{ "type", "return_type|Return Type|Request Type", 0 },
	{ "reason", "return_reason_text|return_reason|Return Reason|Reason", 0 },
	{ "status", "return_status|Return Status", 0 },
	{ "requested_at", "create_time|Time Requested|Request Time|Requested Time|"
	    "Created Time|Create Time", 0 },
	{ "approved_at", "Approved Time|Approval Time|Time Approved", 0 },
	{ "received_at", "Received Time|Time Received", 0 },
	{ "refunded_at", "refund_time|Refund Time|Refunded Time|Time Refunded", 0 },
	{ "refund_amount", "Refund Amount|Refund Total|refund_total", 0 },
	{ "shipped_weight", "Shipped Weight|Package Weight", 0 },
	{ "received_weight", "Received Weight", 0 },
	{ "update_time", "Update Time|Updated Time", 0 },
	{ "currency", "Currency", 0 },
};

static int
get_time(const struct tshop_cli *c, const struct tshop_record *rec, int col, tshop_time *t,
    struct tshop_err *e)
{
	const char *v = tshop_record_get(rec, (size_t)col);

	*t = TSHOP_TIME_NONE;
	if (v != NULL && tshop_time_parse(v, c->cfg.date_order, t) == -1)
		return tshop_errorf(e, 2, "column '%s': '%s' is not a time",
		    return_cols[col].name, v);
	return 0;
}

static int
get_weight(const struct tshop_record *rec, int col, int64_t *w, bool *has,
    struct tshop_err *e)
{
	const char *v = tshop_record_get(rec, (size_t)col);

	*has = false;
	if (v == NULL)
		return 0;
	if (tshop_weight_parse(v, w) == -1)
		return tshop_errorf(e, 2, "column '%s': '%s' is not a weight in grams "
		    "(450, 450g or 0.45kg)", return_cols[col].name, v);
	*has = true;
	return 0;
}

/* The refund amount: a value, or in an API object {refund_total, currency}. */
static int
get_amount(const struct tshop_cli *c, const struct tshop_record *rec, struct tshop_return *u,
    struct tshop_err *e)
{
	const char *v = tshop_record_get(rec, RC_AMOUNT);
	const cJSON *obj, *it;

	if (rec->json != NULL &&
	    cJSON_IsObject(obj = cJSON_GetObjectItemCaseSensitive(rec->json, "refund_amount"))) {
		it = cJSON_GetObjectItemCaseSensitive(obj, "currency");
		if (u->currency == NULL && cJSON_IsString(it) && *it->valuestring)
			u->currency = it->valuestring;
		it = cJSON_GetObjectItemCaseSensitive(obj, "refund_total");
		v = cJSON_IsString(it) && *it->valuestring ? it->valuestring : NULL;
	}
	if (v == NULL)
		return 0;
	if (tshop_money_parse(v, digits_of(c, u->currency), &u->refund_amount) == -1)
		return tshop_errorf(e, 2, "column 'refund_amount': '%s' is not an amount", v);
	if (u->refund_amount < 0)
		return tshop_errorf(e, 2, "column 'refund_amount': '%s' is negative", v);
	u->has_refund_amount = true;
	return 0;
}

static int
import_one(struct tshop_cli *c, struct tshop_record *rec, void *ctx, struct tshop_err *e)
{
	static const char *const result[] = { "new", "updated", "unchanged", "stale" };
	struct returns_cmd *a = ctx;
	struct tshop_return u;
	struct tshop_return_merge m;
	const char *type = tshop_record_get(rec, RC_TYPE);

	tshop_return_init(&u);
	u.return_id = tshop_record_get(rec, RC_ID);
	u.order_id = tshop_record_get(rec, RC_ORDER);
	if (u.return_id == NULL)
		return tshop_errorf(e, 2, "column 'return_id' is empty");
	if (u.order_id == NULL)
		return tshop_errorf(e, 2, "column 'order_id' is empty");
	if (type != NULL && tshop_return_type_parse(type, &u.type) == -1)
		return tshop_errorf(e, 2, "column 'type': '%s' is not REFUND, RETURN_AND_REFUND "
		    "or REPLACEMENT", type);
	u.reason = tshop_record_get(rec, RC_REASON);
	u.status = tshop_record_get(rec, RC_STATUS);
	u.currency = tshop_record_get(rec, RC_CURRENCY);
	if (get_time(c, rec, RC_REQUESTED, &u.requested_at, e) == -1 ||
	    get_time(c, rec, RC_APPROVED, &u.approved_at, e) == -1 ||
	    get_time(c, rec, RC_RECEIVED, &u.received_at, e) == -1 ||
	    get_time(c, rec, RC_REFUNDED, &u.refunded_at, e) == -1 ||
	    get_time(c, rec, RC_UPDATE, &u.update_time, e) == -1 ||
	    get_amount(c, rec, &u, e) == -1 ||
	    get_weight(rec, RC_SHIPPED_WEIGHT, &u.shipped_weight, &u.has_shipped_weight, e) == -1 ||
	    get_weight(rec, RC_RECEIVED_WEIGHT, &u.received_weight, &u.has_received_weight, e) == -1)
		return -1;
	/* a completed refund without its own time was refunded by its last update */
	if (u.refunded_at == TSHOP_TIME_NONE && tshop_return_status_refunded(u.status))
		u.derived_refunded_at = u.update_time;
	if (tshop_return_merge(a->returns, &u, &m, e) == -1)
		return -1;
	a->n[m.result]++;
	if (m.conflicts > 0) {
		a->conflicts += m.conflicts;
		cli_warn(c, "%s:%lu: return '%s': %s; kept the recorded value%s", rec->file,
		    rec->line, u.return_id, m.conflict, m.conflicts > 1 ? "s" : "");
	}
	if (c->dry_run && !c->quiet)
		printf("%s\t%s\n", u.return_id, result[m.result]);
	return 0;
}

static int
cmd_import(struct tshop_cli *c, struct returns_cmd *a)
{
	struct cli_batch b = { .cols = return_cols, .ncols = NRC, .fn = import_one, .ctx = a,
	    .files = c->args + 1, .nfiles = c->nargs - 1 };
	int rc;

	rc = cli_batch(c, &b, NULL);
	cli_flush(c);
	cli_note(c, "%lu new, %lu updated, %lu unchanged, %lu stale, %lu conflicts%s",
	    a->n[TSHOP_RETURN_NEW], a->n[TSHOP_RETURN_UPDATED], a->n[TSHOP_RETURN_UNCHANGED],
	    a->n[TSHOP_RETURN_STALE], a->conflicts,
	    c->dry_run ? " (dry run: nothing changed)" : "");
	return rc;
}

/* list ----------------------------------------------------------------- */

static const struct tshop_outcol list_cols[] = {
	{ "return_id", TSHOP_OUT_STR }, { "order_id", TSHOP_OUT_STR },
	{ "type", TSHOP_OUT_STR }, { "status", TSHOP_OUT_STR },
	{ "requested_at", TSHOP_OUT_STR }, { "refunded_at", TSHOP_OUT_STR },
	{ "refund_amount", TSHOP_OUT_STR }, { "review", TSHOP_OUT_STR },
};

struct list_ctx {
	struct tshop_cli *c;
	struct tshop_writer w;
};

static const char *
review_word(const struct tshop_return_row *r)
{
	if (r->review)
		return "yes";
	return r->has_received_weight ? "no" : "";
}

static int
list_row(const struct tshop_return_row *r, void *ctx, struct tshop_err *e)
{
	struct list_ctx *k = ctx;
	char req[32] = "", ref[32] = "", amount[32] = "";
	const char *row[8] = { r->return_id, r->order_id, r->type, r->status, req, ref, amount,
	    review_word(r) };

	if (r->requested_at != TSHOP_TIME_NONE)
		tshop_time_format(r->requested_at, req, sizeof(req));
	if (r->refunded_at != TSHOP_TIME_NONE)
		tshop_time_format(r->refunded_at, ref, sizeof(ref));
	if (r->has_refund_amount)
		tshop_money_format(r->refund_amount, digits_of(k->c, r->currency), amount,
		    sizeof(amount));
	if (tshop_writer_row(&k->w, row) == -1)
		return tshop_errorf(e, 3, "write error");
	return 0;
}

static int
cmd_list(struct tshop_cli *c, struct returns_cmd *a)
{
	struct list_ctx k = { .c = c };
	struct tshop_err e = { 0 };

	if (c->nargs > 1)
		cli_usage(c, "list takes no operand");
	if (tshop_returns_filter_check(a->status, &e) == -1)
		cli_usage(c, "%s", e.msg);
	cli_writer(c, &k.w, list_cols, 8);
	if (tshop_returns_list(a->returns, a->status, list_row, &k, &e) == -1) {
		if (e.code == 3 && strcmp(e.msg, "write error") == 0)
			cli_flush(c);
		cli_fail(c, &e);
	}
	tshop_writer_flush(&k.w);
	cli_flush(c);
	return 0;
}

/* receive and refund ---------------------------------------------------- */

static void
finish(struct tshop_cli *c, bool changed)
{
	struct tshop_err e = { 0 };

	if (c->dry_run || !changed)
		tshop_db_rollback(c->db);
	else if (tshop_db_commit(c->db, &e) == -1)
		cli_fail(c, &e);
}

static int
cmd_receive(struct tshop_cli *c, struct returns_cmd *a)
{
	static const struct tshop_outcol cols[] = {
		{ "return_id", TSHOP_OUT_STR }, { "shipped_weight", TSHOP_OUT_NUM },
		{ "received_weight", TSHOP_OUT_NUM }, { "difference_percent", TSHOP_OUT_NUM },
		{ "review", TSHOP_OUT_STR },
	};
	struct tshop_return_row r;
	struct tshop_err e = { 0 };
	struct tshop_writer w;
	char shipped[32] = "", received[32], diff[48] = "";
	const char *row[5] = { NULL, shipped, received, diff, NULL };
	int64_t grams;
	bool changed;

	if (c->nargs != 3)
		cli_usage(c, "receive needs a return id and a weight");
	if (tshop_weight_parse(c->args[2], &grams) == -1)
		cli_usage(c, "'%s' is not a weight in grams (450, 450g or 0.45kg)", c->args[2]);
	if (tshop_db_begin(c->db, &e) == -1 ||
	    tshop_return_receive(a->returns, c->args[1], grams, tshop_now(), &r, &changed,
	    &e) == -1)
		cli_fail(c, &e);
	finish(c, changed);
	if (!changed)
		cli_note(c, "return '%s': this weight was already recorded", r.return_id);
	row[0] = r.return_id;
	if (r.has_shipped_weight) {
		snprintf(shipped, sizeof(shipped), "%lld", (long long)r.shipped_weight);
		tshop_weight_difference(r.shipped_weight, r.received_weight, diff, sizeof(diff));
	} else
		cli_note(c, "return '%s' has no shipped weight: nothing to compare", r.return_id);
	snprintf(received, sizeof(received), "%lld", (long long)r.received_weight);
	row[4] = r.review ? "yes" : "no";
	cli_writer(c, &w, cols, 5);
	tshop_writer_row(&w, row);
	tshop_writer_flush(&w);
	cli_flush(c);
	return r.review ? TSHOP_EXIT_FOUND : TSHOP_EXIT_OK;
}

static int
cmd_refund(struct tshop_cli *c, struct returns_cmd *a)
{
	struct list_ctx k = { .c = c };
	struct tshop_return_row r;
	struct tshop_err e = { 0 };
	int64_t amount;
	bool changed;
	int found;

	if (c->nargs != 2 && c->nargs != 3)
		cli_usage(c, "refund needs a return id and, optionally, an amount");
	if (tshop_db_begin(c->db, &e) == -1 ||
	    (found = tshop_return_get(a->returns, c->args[1], &r, &e)) == -1)
		cli_fail(c, &e);
	if (found == 0) {
		tshop_errorf(&e, 2, "return '%s' is not known", c->args[1]);
		cli_fail(c, &e);
	}
	if (c->nargs == 3 && tshop_money_parse(c->args[2], digits_of(c, r.currency), &amount) == -1)
		cli_usage(c, "'%s' is not an amount", c->args[2]);
	if (tshop_return_refund(a->returns, c->args[1], c->nargs == 3 ? &amount : NULL,
	    tshop_now(), &r, &changed, &e) == -1)
		cli_fail(c, &e);
	finish(c, changed);
	if (!changed)
		cli_note(c, "return '%s' was already refunded", r.return_id);
	cli_writer(c, &k.w, list_cols, 8);
	if (list_row(&r, &k, &e) == -1)
		cli_flush(c);
	tshop_writer_flush(&k.w);
	cli_flush(c);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct tshop_cli c;
	struct returns_cmd a = { 0 };
	struct tshop_err e = { 0 };
	const char *verb;
	int rc;

	cli_init(&c, "tshop-returns", usage);
	cli_parse(&c, argc, argv, opts, on_opt, &a);
	if (c.nargs < 1)
		cli_usage(&c, "no verb given");
	verb = c.args[0];
	if (strcmp(verb, "import") != 0 && strcmp(verb, "list") != 0 &&
	    strcmp(verb, "receive") != 0 && strcmp(verb, "refund") != 0)
		cli_usage(&c, "unknown verb '%s'", verb);
	if (a.status != NULL && strcmp(verb, "list") != 0)
		cli_usage(&c, "-s is an option of list");
	cli_open(&c, strcmp(verb, "list") == 0 ? TSHOP_DB_READ : TSHOP_DB_WRITE);
	if (tshop_returns_new(&a.returns, c.db, &e) == -1)
		cli_fail(&c, &e);
	if (strcmp(verb, "import") == 0)
		rc = cmd_import(&c, &a);
	else if (strcmp(verb, "list") == 0)
		rc = cmd_list(&c, &a);
	else if (strcmp(verb, "receive") == 0)
		rc = cmd_receive(&c, &a);
	else
		rc = cmd_refund(&c, &a);
	tshop_returns_free(a.returns);
	cli_close(&c);
	return rc;
}
