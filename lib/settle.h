/*
 * settle.h — settlement rows (SPEC §3) and their reconciliation against
 * the orders (SPEC §4.5): import, check, summary.
 *
 * A settlement row is what TikTok paid (or took) for one order, refund or
 * adjustment in one statement.  All fees are positive charges; refund is
 * positive; adjustment and settlement are signed.  Money is int64_t minor
 * units of the row's currency.
 *
 * Import.  Three input forms share one column list (tshop_settle_columns):
 *  - the Seller Center income report ("Order/adjustment ID", "Type" or
 *    "Transaction type", "Total settlement amount", ...), which writes
 *    refunds and fees as negative numbers: they are negated.  Its
 *    statement date is "Statement date", else the local date of "Order
 *    settled time"; its shipping fee "Seller shipping fee", else "Actual
 *    shipping fee"; its other_fees the sum of every other column whose
 *    name ends in "fee" or "commission" (see tshop_settle_input_start);
 *  - the simple form: order_id, statement_date, gross_sales,
 *    refund_amount, commission_fee, payment_processing_fee, net_payout
 *    (fees positive);
 *  - the canonical form, TSV positional in this order: statement_id
 *    statement_date order_id type currency revenue refund commission
 *    transaction_fee shipping_fee other_fees adjustment settlement.
 * A row's identity is (statement, order_id, type, n): statement is the
 * statement_id, else the statement date; n counts the earlier rows of the
 * same input with the same three values.  Adding a row whose identity is
 * stored adds nothing (a report imported twice adds nothing); a stored
 * identity with other amounts is a conflict: reported, never overwritten.
 *
 * Check and summary: see tshop_settle_check() and tshop_settle_summary().
 */
#ifndef TSHOP_SETTLE_H
#define TSHOP_SETTLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "db.h"
#include "io.h"
#include "money.h"
#include "timeutil.h"
#include "util.h"

/* Row types the rules know; anything else is an adjustment. */
#define TSHOP_SETTLE_ORDER "ORDER"
#define TSHOP_SETTLE_REFUND "REFUND"

struct tshop_settle_row {
	const char *statement_id;	/* NULL when the input has none */
	tshop_date statement_date;	/* valid when has_date */
	bool has_date;
	const char *order_id;		/* or the adjustment id */
	const char *type;		/* "ORDER", "REFUND" or an adjustment name */
	const char *currency;		/* never NULL once mapped */
	int64_t revenue, refund, commission, transaction_fee, shipping_fee,
	    other_fees, adjustment, settlement;
};

/* The input columns, in the canonical positional order, then the Seller Center extras. */
enum {
	TSHOP_SETTLE_STATEMENT_ID, TSHOP_SETTLE_STATEMENT_DATE, TSHOP_SETTLE_ORDER_ID,
	TSHOP_SETTLE_TYPE, TSHOP_SETTLE_CURRENCY, TSHOP_SETTLE_REVENUE, TSHOP_SETTLE_REFUND_COL,
	TSHOP_SETTLE_COMMISSION, TSHOP_SETTLE_TRANSACTION_FEE, TSHOP_SETTLE_SHIPPING_FEE,
	TSHOP_SETTLE_OTHER_FEES, TSHOP_SETTLE_ADJUSTMENT, TSHOP_SETTLE_SETTLEMENT,
	TSHOP_SETTLE_SETTLED_TIME, TSHOP_SETTLE_ACTUAL_SHIPPING_FEE,
	TSHOP_SETTLE_NCOLS
};
extern const struct tshop_column tshop_settle_columns[TSHOP_SETTLE_NCOLS];

/*
 * How the records of one input map to rows, decided from its header.
 * Initialise with TSHOP_SETTLE_INPUT_INIT.
 */
struct tshop_settle_input {
	bool seller_center;		/* "Total settlement amount": refunds and fees negative */
	bool seller_shipping;		/* has "Seller shipping fee" (else "Actual shipping fee" is used) */
	size_t *other;			/* header indices summed into other_fees */
	const char **other_name;	/* their names, for messages */
	size_t nother;
	struct tshop_buf type;		/* scratch: the normalised type */
};
#define TSHOP_SETTLE_INPUT_INIT { false, true, NULL, NULL, 0, TSHOP_BUF_INIT }

/*
 * Start an input whose header names are header[0..n) (n = 0: no header,
 * i.e. positional TSV or JSON Lines).  The Seller Center form is
 * recognised by its "Total settlement amount" column.  When the input has
 * no other_fees column, every header column whose trimmed name ends in
 * "fee" or "commission" (case-insensitively) is an other fee, except the
 * columns mapped explicitly (any name of tshop_settle_columns) and, when
 * the input has "Seller shipping fee" (their sum), the columns ending in
 * "shipping fee" (the parts of the shipping fee: counted once).
 * The header must outlive the input.  -1 only when memory runs out.
 */
int tshop_settle_input_start(struct tshop_settle_input *in, const char *const *header, size_t n,
    struct tshop_err *e);
void tshop_settle_input_release(struct tshop_settle_input *in);

/*
 * Map one record to a row (strings point into rec and in; valid until the
 * next record).  A bad record (no order id, no statement, an amount that
 * does not parse, no settlement) is an error of code 2 naming the column
 * and the value.  `cfg` gives the shop currency and the date order.
 */
int tshop_settle_row_from_record(struct tshop_settle_input *in, const struct tshop_record *rec,
    const struct tshop_config *cfg, struct tshop_settle_row *row, struct tshop_err *e);

/* Import: the prepared statements of one connection. */
struct tshop_settle;

int tshop_settle_new(struct tshop_settle **s, struct tshop_db *db, struct tshop_err *e);
void tshop_settle_free(struct tshop_settle *s);

/* A new input begins: n counts from 0 again. */
int tshop_settle_begin_input(struct tshop_settle *s, struct tshop_err *e);

enum tshop_settle_result {
	TSHOP_SETTLE_NEW,		/* stored */
	TSHOP_SETTLE_UNCHANGED,		/* already stored, same amounts */
	TSHOP_SETTLE_CONFLICT,		/* already stored with other amounts: kept the stored row */
};

/* Store a row under its identity (in the caller's transaction). */
int tshop_settle_add(struct tshop_settle *s, const struct tshop_settle_row *row,
    enum tshop_settle_result *res, struct tshop_err *e);

/*
 * After tshop_settle_add() stored a row (TSHOP_SETTLE_NEW): when it is an
 * ORDER row and its order has an ORDER row stored before it (in this
 * input or another), the row is a duplicate (SPEC §4.5: kept, marked, and
 * the check reports it); this is then the statement of the first such row
 * (valid until the next tshop_settle_add()), else NULL.  Always NULL after
 * a row that was already stored.
 */
const char *tshop_settle_prior(const struct tshop_settle *s);

/*
 * The line-weighted commission rate of an order, built line by line: with
 * line amounts a_i and rates r_i = n_i/d_i, L = lcm(d_i) and k_i = n_i·L/d_i,
 * the rate is Σ a_i·k_i / (L·Σ a_i), held exactly as that fraction.
 */
struct tshop_commission_rate {
	__int128 num;		/* Σ a_i·k_i */
	int64_t den;		/* L */
	int64_t amount;		/* Σ a_i */
};
void tshop_commission_rate_init(struct tshop_commission_rate *w);
/* Add a line of `amount` minor units at rate r.  -1 on overflow. */
int tshop_commission_rate_add(struct tshop_commission_rate *w, int64_t amount, struct tshop_rate r);
/*
 * The expected commission on `base` (revenue − refund, may be negative):
 * round_half_up(base · Σ a_i·k_i / (L·Σ a_i)), one exact division, halves
 * away from zero; round_half_up(base × def) when Σ a_i ≤ 0 (no priced
 * line).  -1 on overflow.
 */
int tshop_commission_expected(const struct tshop_commission_rate *w, struct tshop_rate def,
    int64_t base, int64_t *out);

/*
 * The decimals a tolerance may have: finer than any currency's minor unit
 * (at most 3 decimals), so a tolerance such as 0.005 is taken exactly.
 */
#define TSHOP_SETTLE_TOLERANCE_DIGITS 6

/* What the check and the summary need besides the database. */
struct tshop_settle_params {
	/* filters: statement_date in [since, until] (local dates), statement id or date */
	bool has_since, has_until;
	tshop_date since, until;
	const char *statement;
	int64_t tolerance;		/* ≥ 0, in units of 10^-TSHOP_SETTLE_TOLERANCE_DIGITS of the row's currency */
	tshop_date today;
	int grace_days;			/* settle.grace_days */
	int claim_days;			/* settle.claim_days */
	bool has_fee;			/* fee.transaction is set */
	struct tshop_fee fee;
	struct tshop_rate default_rate;	/* commission.default */
};

/* Read settle.grace_days, settle.claim_days, fee.transaction and commission.default; today from tshop_now(). */
int tshop_settle_params_load(struct tshop_db *db, const struct tshop_config *cfg,
    struct tshop_settle_params *p, struct tshop_err *e);

/* One finding of the check. */
struct tshop_settle_finding {
	const char *order_id;
	const char *kind;		/* "commission", "duplicate", "net", "revenue", "transaction-fee", "unknown-order", "unsettled" */
	bool has_expected;
	int64_t expected, actual, difference;	/* difference = actual − expected */
	bool has_date;			/* statement_date, deadline and days_left are valid */
	tshop_date statement_date, deadline;
	int days_left;			/* deadline − today */
	int digits;			/* minor digits of the row's currency */
};

typedef int (*tshop_settle_finding_fn)(const struct tshop_settle_finding *f, void *ctx,
    struct tshop_err *e);

/*
 * The check (SPEC §4.5) over the rows that pass the filters, plus the
 * unsettled orders (not with a statement filter; with since/until, the
 * orders delivered on those local dates).  Rules, per row:
 *  - unknown-order: an ORDER or REFUND row whose order is not recorded;
 *  - duplicate: an ORDER row of an order with an ORDER row imported before;
 *  - revenue: an ORDER row of a recorded order whose amount is known
 *    (Σ line amounts, each quantity × unit_price; every line priced);
 *  - commission: an ORDER or REFUND row, against
 *    tshop_commission_expected(lines, default, revenue − refund), the lines
 *    weighted by amount at commission.<category> (default for none); an
 *    unknown order has no lines: commission.default;
 *  - transaction-fee: an ORDER row, fee.transaction on revenue (when set);
 *  - net: every row, settlement against revenue − refund − commission −
 *    transaction_fee − shipping_fee − other_fees + adjustment;
 *  - unsettled: an order DELIVERED or COMPLETED whose local delivery date
 *    + grace_days is before today, with no settlement row at all.
 * revenue, commission, transaction-fee and net count only when
 * |difference| > tolerance.  Findings come sorted by kind, order_id and
 * import order; *count says how many there were.
 */
int tshop_settle_check(struct tshop_db *db, const struct tshop_settle_params *p,
    tshop_settle_finding_fn fn, void *ctx, size_t *count, struct tshop_err *e);

enum tshop_settle_by { TSHOP_BY_STATEMENT, TSHOP_BY_DAY, TSHOP_BY_WEEK, TSHOP_BY_MONTH };

/* Parse "statement", "day", "week", "month"; -1 otherwise. */
int tshop_settle_by_parse(const char *s, enum tshop_settle_by *by);

/* One period of the summary: sums of the rows' amounts. */
struct tshop_settle_period {
	const char *period;		/* statement, YYYY-MM-DD, the Monday of the week, YYYY-MM; "" without a date */
	int64_t rows;
	int64_t revenue, refund, commission, transaction_fee, shipping_fee, other_fees,
	    adjustment, settlement;
	int64_t expected;		/* Σ what each row should have paid by the rules */
	int64_t difference;		/* settlement − expected */
};

typedef int (*tshop_settle_period_fn)(const struct tshop_settle_period *p, void *ctx,
    struct tshop_err *e);

/*
 * The summary of the rows that pass the filters, one period at a time in
 * ascending order.  A row's expected settlement is what it should have
 * paid: revenue − refund − commission − transaction_fee − shipping_fee −
 * other_fees + adjustment, where revenue is the order's amount (ORDER rows
 * of recorded orders with known amounts), commission and transaction_fee
 * are the expected ones where the check computes them (on that revenue),
 * and everything else is as reported; 0 for a duplicate ORDER row.
 */
int tshop_settle_summary(struct tshop_db *db, const struct tshop_settle_params *p,
    enum tshop_settle_by by, tshop_settle_period_fn fn, void *ctx, struct tshop_err *e);

#endif
