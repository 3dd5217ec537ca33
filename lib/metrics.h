/*
 * metrics.h — the seller performance metrics of SPEC §4.6, exactly: each
 * one is a count over the orders (or returns) of a time range, divided by
 * another count, compared with its target without rounding.
 *
 * A range is [from, to) in Unix seconds; the program makes it from local
 * days (tshop_local_midnight), so a window of N days is N shop-time-zone
 * days whatever daylight saving does.  Seller-shipped means shipping_type
 * SELLER; platform-shipped orders count only in cancellation_rate.
 *
 *   late_dispatch_rate     den: seller-shipped orders with ship_by in the
 *                          range, except those cancelled before ship_by
 *                          (cancelled_at < ship_by; cancelled exactly at
 *                          ship_by counts) or cancelled at an unknown
 *                          time (no cancelled_at: not judged on a guess);
 *                          num: shipped after ship_by (shipped_at >
 *                          ship_by), or not shipped and ship_by < now
 *                          (still unshipped as of now; a cancelled order
 *                          that was never shipped stays unshipped).  An
 *                          order shipped (status IN_TRANSIT or later)
 *                          without a shipped_at is on time.
 *   valid_tracking_rate    den: seller-shipped orders with shipped_at in
 *                          the range; num: the tracking number is valid
 *                          for its carrier (tshop_carrier_check: format
 *                          and check digit) and, when first_scan_at is
 *                          recorded, first_scan_at ≤ shipped_at + 24 h.
 *   on_time_delivery_rate  den: seller-shipped orders with delivered_at in
 *                          the range; num: delivered_at ≤ deliver_by (or no
 *                          deliver_by).
 *   cancellation_rate      den: paid orders (paid_at recorded, or a status
 *                          other than UNPAID and CANCELLED, or ever
 *                          recorded in a paid status: stock_taken ≠ 0)
 *                          created in the range, any shipping type; num:
 *                          CANCELLED with cancel_by seller or system.
 *   order_defect_rate      den: as on_time_delivery_rate; num: the order
 *                          has a return or refund request (any type, any
 *                          status) in table `returns`.
 *   return_resolution_hours den: returns with refunded_at in the range
 *                          whose order is recorded and seller-shipped (a
 *                          return of an unknown order is left out: its
 *                          shipping type is unknown);
 *                          num: the sum of refunded_at − requested_at, in
 *                          seconds (printed as hours); value num / den.
 *
 * A metric is n/a when its denominator is 0, and order_defect_rate and
 * return_resolution_hours are n/a while no return was ever recorded.
 * Nothing here uses floating point.
 */
#ifndef TSHOP_METRICS_H
#define TSHOP_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "timeutil.h"
#include "util.h"

/* The metrics, in the order of SPEC §4.6 (and of the output). */
enum tshop_metric {
	TSHOP_LATE_DISPATCH_RATE,
	TSHOP_VALID_TRACKING_RATE,
	TSHOP_ON_TIME_DELIVERY_RATE,
	TSHOP_CANCELLATION_RATE,
	TSHOP_ORDER_DEFECT_RATE,
	TSHOP_RETURN_RESOLUTION_HOURS,
	TSHOP_NMETRICS
};

/* "late_dispatch_rate", ... */
const char *tshop_metric_name(enum tshop_metric m);
/* True for the hours metric (1 decimal); false for the rates (percent, 2 decimals). */
bool tshop_metric_is_hours(enum tshop_metric m);
/* True when the target is a maximum (<=), false when a minimum (>=). */
bool tshop_metric_at_most(enum tshop_metric m);

/* A target: the exact decimal num / den (den 1, 10 or 100), a maximum or a minimum. */
struct tshop_target {
	int64_t num, den;
	bool at_most;
};

/* The metric named `name` ("late_dispatch_rate", ...).  0, or -1 for no such metric. */
int tshop_metric_parse(const char *name, enum tshop_metric *m);

/*
 * Parse the target of metric m as `tshop config target.<metric>` stores
 * it: a decimal number ≥ 0 with at most 2 decimals for a rate ("4", "2.5",
 * "95.00"), optionally followed by '%' ("3.5%"), at most 1 for hours
 * ("48", "36.5"; no '%'): no more than the target column shows.  A
 * maximum or a minimum as tshop_metric_at_most(m) says.  0, or -1.
 */
int tshop_target_parse(enum tshop_metric m, const char *s, struct tshop_target *t);

/* The target of metric m from the settings (target.<metric>).  Code 2 for a bad stored value. */
int tshop_metric_target(struct tshop_db *db, enum tshop_metric m, struct tshop_target *t,
    struct tshop_err *e);

/* One computed metric over one range. */
struct tshop_metric_value {
	enum tshop_metric metric;
	int64_t num;		/* a count; seconds for return_resolution_hours */
	int64_t den;		/* a count */
	bool num_unknown;	/* order_defect_rate without any return recorded */
	bool na;		/* den == 0, or no return ever recorded (see above) */
};

enum tshop_metric_status { TSHOP_METRIC_OK, TSHOP_METRIC_BREACH, TSHOP_METRIC_NA };

/* "ok", "breach", "n/a". */
const char *tshop_metric_status_name(enum tshop_metric_status s);

/*
 * ok or breach, decided on the exact value: a rate 100 × num / den, or
 * the hours num / (3600 × den), against t (breach when above a maximum or
 * below a minimum; equal is ok); n/a when v->na.
 */
enum tshop_metric_status tshop_metric_judge(const struct tshop_metric_value *v,
    const struct tshop_target *t);

/*
 * Display, rounded half up: the value ("3.85", hours "27.5"; "" when n/a),
 * the numerator (a count, or hours with 1 decimal; "" when unknown) and the
 * denominator, and a target ("<=4.00", ">=95.00", "<=48.0").  Return buf.
 */
char *tshop_metric_format_value(const struct tshop_metric_value *v, char *buf, size_t n);
char *tshop_metric_format_num(const struct tshop_metric_value *v, char *buf, size_t n);
char *tshop_metric_format_den(const struct tshop_metric_value *v, char *buf, size_t n);
char *tshop_metric_format_target(enum tshop_metric m, const struct tshop_target *t,
    char *buf, size_t n);

/*
 * The metric computer of one connection: loads the tracking formats and
 * carriers and prepares its statements once.
 */
struct tshop_metrics;

int tshop_metrics_new(struct tshop_metrics **m, struct tshop_db *db, struct tshop_err *e);
void tshop_metrics_free(struct tshop_metrics *m);

/*
 * Compute the six metrics over [from, to), judging "still unshipped" as of
 * `now`, into out[0..TSHOP_NMETRICS) in enum order.  -1 with e filled
 * (code 3) on a database error.
 */
int tshop_metrics_compute(struct tshop_metrics *m, tshop_time from, tshop_time to,
    tshop_time now, struct tshop_metric_value out[TSHOP_NMETRICS], struct tshop_err *e);

#endif
