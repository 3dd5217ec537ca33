/*
 * returns.h — return and refund requests (SPEC §3 Return, §4.7): their
 * merge into table `returns`, the weight check on receipt, refunds, and
 * the listing.  Returns feed order_defect_rate and return_resolution_hours
 * (lib/metrics.h).
 *
 * A return is identified by return_id and belongs to one order_id (the
 * order need not be recorded yet: returns and orders may be imported in
 * any order).  Its type is REFUND (no goods come back), RETURN_AND_REFUND
 * or REPLACEMENT; status is TikTok's return_status as given (e.g.
 * RETURN_OR_REFUND_REQUEST_PENDING) and is only displayed and filtered on.
 *
 * Merge (tshop_return_merge), upsert by return_id, never losing data:
 *  - a new return needs order_id, type and requested_at;
 *  - an update whose update_time is older than the recorded one is stale:
 *    nothing of it is applied;
 *  - status follows the newest update, except that a closed return
 *    (rejected, cancelled, completed) does not reopen: that is a conflict;
 *  - every other field given fills an empty one; a value that differs from
 *    the recorded one is a conflict: it is not applied and is described in
 *    the merge result, so the program can report it;
 *  - refunded_at taken from a completed status (derived_refunded_at) only
 *    ever fills an empty refunded_at, silently;
 *  - a different order_id is an error (code 2).
 *
 * Weights are whole grams: "450", "450g", "0.45kg" (at most 3 decimals).
 * The review flag is set when the received weight differs from the
 * shipped weight by more than 30 %: |received − shipped| × 100 > 30 ×
 * shipped, compared exactly (a shipped weight of 0 and a received weight
 * above 0 is a difference of more than 30 %).
 *
 * Every write happens in the caller's transaction.
 */
#ifndef TSHOP_RETURNS_H
#define TSHOP_RETURNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "timeutil.h"
#include "util.h"

/*
 * Parse a return type: REFUND, RETURN_AND_REFUND, REPLACEMENT (any case,
 * spaces or hyphens for underscores) and Seller Center's words ("Refund
 * only", "Return and refund", "Replacement").  *out is the canonical name.
 * 0, or -1.
 */
int tshop_return_type_parse(const char *s, const char **out);

/* Parse a weight in grams as described above (0 to 10^9 g).  0, or -1. */
int tshop_weight_parse(const char *s, int64_t *grams);

/* The review rule above. */
bool tshop_weight_review(int64_t shipped, int64_t received);

/*
 * (received − shipped) × 100 / shipped with 2 decimals, signed, rounded half
 * up ("-31.25"); "" when shipped is 0.  Returns buf.
 */
char *tshop_weight_difference(int64_t shipped, int64_t received, char *buf, size_t n);

/* True for the statuses that mean the buyer was refunded (RETURN_OR_REFUND_REQUEST_COMPLETE, REPLACEMENT_REQUEST_REFUND_SUCCESS). */
bool tshop_return_status_refunded(const char *status);

/* An update of a return.  Strings NULL, times TSHOP_TIME_NONE when not given. */
struct tshop_return {
	const char *return_id, *order_id;
	const char *type;		/* canonical (tshop_return_type_parse) */
	const char *reason, *status, *currency;
	tshop_time requested_at, approved_at, received_at, refunded_at, update_time;
	tshop_time derived_refunded_at;	/* from a refunded status: fills only */
	int64_t refund_amount;		/* minor units of currency */
	bool has_refund_amount;
	int64_t shipped_weight, received_weight;	/* grams */
	bool has_shipped_weight, has_received_weight;
};

/* Everything "not given". */
void tshop_return_init(struct tshop_return *r);

enum tshop_return_result {
	TSHOP_RETURN_NEW,
	TSHOP_RETURN_UPDATED,
	TSHOP_RETURN_UNCHANGED,
	TSHOP_RETURN_STALE,
};

struct tshop_return_merge {
	enum tshop_return_result result;
	size_t conflicts;		/* fields not applied because they differ */
	char conflict[512];		/* "refund_amount 12.00 differs from the recorded 10.00; ..." */
};

/* The recorded state of a return, as listed and as the verbs print it. */
struct tshop_return_row {
	const char *return_id, *order_id, *type, *reason, *status, *currency;
	tshop_time requested_at, approved_at, received_at, refunded_at;
	int64_t refund_amount;
	bool has_refund_amount;
	int64_t shipped_weight, received_weight;
	bool has_shipped_weight, has_received_weight;
	bool review;
};

struct tshop_returns;

/* Prepare the statements of one connection; create once per command. */
int tshop_returns_new(struct tshop_returns **r, struct tshop_db *db, struct tshop_err *e);
void tshop_returns_free(struct tshop_returns *r);

/* Merge one update (see the top of this file).  Code 2 for a bad update, 3 for the database. */
int tshop_return_merge(struct tshop_returns *r, const struct tshop_return *u,
    struct tshop_return_merge *m, struct tshop_err *e);

/*
 * Record the received weight (grams) of a return at `now`: received_at
 * (when empty), received_weight and the review flag.  *row is the return
 * afterwards (valid until the next call on `r`).  Code 2: unknown return,
 * or a different weight was already recorded.  *changed is false when the
 * same weight was recorded before.
 */
int tshop_return_receive(struct tshop_returns *r, const char *return_id, int64_t grams,
    tshop_time now, struct tshop_return_row *row, bool *changed, struct tshop_err *e);

/*
 * Refund a return at `now`: refunded_at = now, refund_amount = *amount
 * (minor units) or, when amount is NULL, the refund requested (the
 * recorded refund_amount), else the order's amount (its total, else the
 * sum of its lines).  status becomes RETURN_OR_REFUND_REQUEST_COMPLETE.
 * Code 2: unknown return; no amount known; an amount below 0 or above the
 * order's amount; now before requested_at; already refunded with another
 * amount.  *changed is false when it was already refunded (same amount).
 */
int tshop_return_refund(struct tshop_returns *r, const char *return_id, const int64_t *amount,
    tshop_time now, struct tshop_return_row *row, bool *changed, struct tshop_err *e);

/* Read one return: 1 found (*row valid until the next call on `r`), 0 not found, -1 error. */
int tshop_return_get(struct tshop_returns *r, const char *return_id,
    struct tshop_return_row *row, struct tshop_err *e);

/*
 * Filter of tshop_returns_list: a comma-separated list of statuses
 * (compared without regard to case) and groups: `open` (not refunded and
 * not in a closing status: rejected, cancelled, completed), `refunded`
 * (refunded_at recorded), `review` (flagged on receipt).  NULL: all.
 */
int tshop_returns_filter_check(const char *filter, struct tshop_err *e);
bool tshop_returns_filter_match(const char *filter, const struct tshop_return_row *row);

/* Call fn for each return matching `filter`, by requested_at, then return_id. */
int tshop_returns_list(struct tshop_returns *r, const char *filter,
    int (*fn)(const struct tshop_return_row *row, void *ctx, struct tshop_err *e), void *ctx,
    struct tshop_err *e);

#endif
