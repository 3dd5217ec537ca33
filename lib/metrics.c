/*
 * metrics.c — the six seller performance metrics (see metrics.h).
 *
 * Each metric is one set-oriented SQL statement over a range of an
 * indexed time column (ship_by, shipped_at, delivered_at, created_at,
 * returns.refunded_at), prepared once and bound per range; only the
 * tracking check runs row by row, in C, because it needs the courier
 * formats (lib/carrier.c, lib/tracking.c).  Values, judgements and
 * display are exact rational arithmetic on 64-bit counts with 128-bit
 * intermediates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carrier.h"
#include "config.h"
#include "metrics.h"
#include "money.h"
#include "tracking.h"

static const char *const names[TSHOP_NMETRICS] = {
	"late_dispatch_rate", "valid_tracking_rate", "on_time_delivery_rate",
	"cancellation_rate", "order_defect_rate", "return_resolution_hours",
};

/* A first scan later than this after shipped_at makes a shipment's tracking bad. */
#define FIRST_SCAN_LIMIT (24 * 3600)

const char *
tshop_metric_name(enum tshop_metric m)
{
	return m < TSHOP_NMETRICS ? names[m] : "";
}

bool
tshop_metric_is_hours(enum tshop_metric m)
{
	return m == TSHOP_RETURN_RESOLUTION_HOURS;
}

bool
tshop_metric_at_most(enum tshop_metric m)
{
	return m != TSHOP_VALID_TRACKING_RATE && m != TSHOP_ON_TIME_DELIVERY_RATE;
}

const char *
tshop_metric_status_name(enum tshop_metric_status s)
{
	switch (s) {
	case TSHOP_METRIC_OK: return "ok";
	case TSHOP_METRIC_BREACH: return "breach";
	case TSHOP_METRIC_NA: break;
	}
	return "n/a";
}

int
tshop_metric_parse(const char *name, enum tshop_metric *m)
{
	for (int i = 0; i < TSHOP_NMETRICS; i++)
		if (name != NULL && strcmp(name, names[i]) == 0) {
			*m = (enum tshop_metric)i;
			return 0;
		}
	return -1;
}

int
tshop_target_parse(enum tshop_metric m, const char *s, struct tshop_target *t)
{
	int64_t num = 0, den = 1;
	size_t whole = 0, frac = 0;

	if (s == NULL)
		return -1;
	for (; s[whole] >= '0' && s[whole] <= '9'; whole++) {
		if (whole >= 9)
			return -1;
		num = num * 10 + (s[whole] - '0');
	}
	if (whole == 0)
		return -1;
	s += whole;
	if (*s == '.') {
		/* no more decimals than the target column shows */
		for (s++; *s >= '0' && *s <= '9'; s++, frac++) {
			if (frac >= (tshop_metric_is_hours(m) ? 1 : 2))
				return -1;
			num = num * 10 + (*s - '0');
			den *= 10;
		}
		if (frac == 0)
			return -1;
	}
	/* "3.5%": a rate may say it is a percentage; hours may not */
	if (*s == '%' && !tshop_metric_is_hours(m))
		s++;
	if (*s != '\0')
		return -1;
	t->num = num;
	t->den = den;
	t->at_most = tshop_metric_at_most(m);
	return 0;
}

int
tshop_metric_target(struct tshop_db *db, enum tshop_metric m, struct tshop_target *t,
    struct tshop_err *e)
{
	struct tshop_buf key = TSHOP_BUF_INIT, v = TSHOP_BUF_INIT;
	int rc = -1;

	if (tshop_buf_addf(&key, "target.%s", tshop_metric_name(m)) == -1) {
		tshop_errorf(e, 3, "out of memory");
		goto out;
	}
	if (tshop_config_get(db, tshop_buf_str(&key), &v, e) == -1)
		goto out;
	if (tshop_target_parse(m, tshop_buf_str(&v), t) == -1) {
		tshop_errorf(e, 2, "setting %s: '%s' is not a number such as %s",
		    tshop_buf_str(&key), tshop_buf_str(&v),
		    tshop_metric_is_hours(m) ? "48 or 36.5" : "4, 2.5 or 2.5%");
		goto out;
	}
	rc = 0;
out:
	tshop_buf_release(&key);
	tshop_buf_release(&v);
	return rc;
}

enum tshop_metric_status
tshop_metric_judge(const struct tshop_metric_value *v, const struct tshop_target *t)
{
	__int128 lhs, rhs;

	if (v->na || v->den <= 0)
		return TSHOP_METRIC_NA;
	/* value = num × k / den against t->num / t->den, cross-multiplied */
	if (tshop_metric_is_hours(v->metric)) {
		lhs = (__int128)v->num * t->den;
		rhs = (__int128)t->num * 3600 * v->den;
	} else {
		lhs = (__int128)v->num * 100 * t->den;
		rhs = (__int128)t->num * v->den;
	}
	if (t->at_most ? lhs > rhs : lhs < rhs)
		return TSHOP_METRIC_BREACH;
	return TSHOP_METRIC_OK;
}

char *
tshop_metric_format_value(const struct tshop_metric_value *v, char *buf, size_t n)
{
	if (v->na || v->den <= 0) {
		if (n > 0)
			buf[0] = '\0';
		return buf;
	}
	if (tshop_metric_is_hours(v->metric))
		return tshop_ratio_format(v->num, v->den * 3600, 1, buf, n);
	return tshop_ratio_format(v->num * 100, v->den, 2, buf, n);
}

char *
tshop_metric_format_num(const struct tshop_metric_value *v, char *buf, size_t n)
{
	if (v->num_unknown) {
		if (n > 0)
			buf[0] = '\0';
		return buf;
	}
	if (tshop_metric_is_hours(v->metric))
		return tshop_ratio_format(v->num, 3600, 1, buf, n);
	snprintf(buf, n, "%lld", (long long)v->num);
	return buf;
}

char *
tshop_metric_format_den(const struct tshop_metric_value *v, char *buf, size_t n)
{
	snprintf(buf, n, "%lld", (long long)v->den);
	return buf;
}

char *
tshop_metric_format_target(enum tshop_metric m, const struct tshop_target *t,
    char *buf, size_t n)
{
	char num[48];

	tshop_ratio_format(t->num, t->den, tshop_metric_is_hours(m) ? 1 : 2, num, sizeof(num));
	snprintf(buf, n, "%s%s", t->at_most ? "<=" : ">=", num);
	return buf;
}

/* ---- computing -------------------------------------------------------- */

enum { Q_LATE, Q_TRACKING, Q_DELIVERY, Q_CANCEL, Q_RESOLUTION, Q_ANY_RETURN, NQ };

static const char *const queries[NQ] = {
	[Q_LATE] =
	    "SELECT count(*), coalesce(sum(CASE"
	    "   WHEN shipped_at IS NOT NULL THEN shipped_at > ship_by"
	    "   WHEN status IN ('IN_TRANSIT', 'DELIVERED', 'COMPLETED') THEN 0"
	    "   ELSE ship_by < ?3 END), 0)"
	    " FROM orders"
	    " WHERE ship_by >= ?1 AND ship_by < ?2 AND shipping_type = 'SELLER'"
	    "   AND NOT (status = 'CANCELLED' AND (cancelled_at IS NULL OR cancelled_at < ship_by))",
	[Q_TRACKING] =
	    "SELECT tracking, carrier, shipped_at, first_scan_at FROM orders"
	    " WHERE shipped_at >= ?1 AND shipped_at < ?2 AND shipping_type = 'SELLER'",
	[Q_DELIVERY] =
	    "SELECT count(*),"
	    " coalesce(sum(deliver_by IS NULL OR delivered_at <= deliver_by), 0),"
	    " coalesce(sum(EXISTS (SELECT 1 FROM returns r WHERE r.order_id = o.order_id)), 0)"
	    " FROM orders o"
	    " WHERE delivered_at >= ?1 AND delivered_at < ?2 AND shipping_type = 'SELLER'",
	[Q_CANCEL] =
	    "SELECT count(*),"
	    " coalesce(sum(status = 'CANCELLED' AND cancel_by IN ('seller', 'system')), 0)"
	    " FROM orders"
	    " WHERE created_at >= ?1 AND created_at < ?2"
	    "   AND (paid_at IS NOT NULL OR stock_taken <> 0 OR status NOT IN ('UNPAID', 'CANCELLED'))",
	[Q_RESOLUTION] =
	    "SELECT count(*), coalesce(sum(r.refunded_at - r.requested_at), 0)"
	    " FROM returns r JOIN orders o ON o.order_id = r.order_id"
	    " WHERE r.refunded_at >= ?1 AND r.refunded_at < ?2 AND o.shipping_type = 'SELLER'",
	[Q_ANY_RETURN] = "SELECT EXISTS (SELECT 1 FROM returns)",
};

struct tshop_metrics {
	struct tshop_db *db;
	struct tshop_tracking *tracking;
	struct tshop_carriers *carriers;
	sqlite3_stmt *st[NQ];
};

int
tshop_metrics_new(struct tshop_metrics **mp, struct tshop_db *db, struct tshop_err *e)
{
	struct tshop_metrics *m;

	if ((*mp = m = calloc(1, sizeof(*m))) == NULL)
		return tshop_errorf(e, 3, "out of memory");
	m->db = db;
	for (int i = 0; i < NQ; i++)
		if (tshop_db_prepare(db, &m->st[i], queries[i], e) == -1)
			goto fail;
	if (tshop_tracking_load(&m->tracking, e) == -1 ||
	    tshop_carriers_load(&m->carriers, db, m->tracking, e) == -1)
		goto fail;
	return 0;
fail:
	tshop_metrics_free(m);
	*mp = NULL;
	return -1;
}

void
tshop_metrics_free(struct tshop_metrics *m)
{
	if (m == NULL)
		return;
	for (int i = 0; i < NQ; i++)
		sqlite3_finalize(m->st[i]);
	tshop_carriers_free(m->carriers);
	tshop_tracking_free(m->tracking);
	free(m);
}

/* Bind the range (and now) and step the single row of an aggregate. */
static int
aggregate(struct tshop_metrics *m, int q, tshop_time from, tshop_time to, tshop_time now,
    int64_t *a, int64_t *b, int64_t *c, struct tshop_err *e)
{
	sqlite3_stmt *st = m->st[q];
	int rc;

	sqlite3_reset(st);
	if (sqlite3_bind_parameter_count(st) >= 1) {
		sqlite3_bind_int64(st, 1, from);
		sqlite3_bind_int64(st, 2, to);
	}
	if (sqlite3_bind_parameter_count(st) >= 3)
		sqlite3_bind_int64(st, 3, now);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return tshop_db_error(m->db, e, "computing the metrics");
	}
	if (a != NULL)
		*a = sqlite3_column_int64(st, 0);
	if (b != NULL)
		*b = sqlite3_column_int64(st, 1);
	if (c != NULL)
		*c = sqlite3_column_int64(st, 2);
	sqlite3_reset(st);
	return 0;
}

/* Is this shipment's tracking good: valid for its carrier, first scan in time? */
static int
tracking_good(struct tshop_metrics *m, sqlite3_stmt *st, const struct tshop_carrier **last,
    char *last_name, size_t last_size, bool *good, struct tshop_err *e)
{
	const char *number = tshop_db_col_text(st, 0), *carrier = tshop_db_col_text(st, 1);
	const struct tshop_carrier *c, *actual;
	struct tshop_tracking_match match;
	int rc;

	*good = false;
	if (sqlite3_column_type(st, 3) != SQLITE_NULL &&
	    sqlite3_column_int64(st, 3) - sqlite3_column_int64(st, 2) > FIRST_SCAN_LIMIT)
		return 0;
	if (number == NULL || *number == '\0' || carrier == NULL || *carrier == '\0')
		return 0;
	/* orders come in runs of one carrier: look its name up once per run */
	if (strcmp(carrier, last_name) == 0)
		c = *last;
	else {
		c = tshop_carrier_find(m->carriers, carrier);
		*last = c;
		snprintf(last_name, last_size, "%s", carrier);
	}
	if (c == NULL)
		return 0;
	if ((rc = tshop_carrier_check(m->carriers, c, number, &match, &actual, e)) == -1)
		return -1;
	*good = rc == TSHOP_TRACKING_VALID;
	return 0;
}

static int
valid_tracking(struct tshop_metrics *m, tshop_time from, tshop_time to, int64_t *num,
    int64_t *den, struct tshop_err *e)
{
	sqlite3_stmt *st = m->st[Q_TRACKING];
	const struct tshop_carrier *last = NULL;
	char last_name[128] = "";
	bool good;
	int rc;

	*num = *den = 0;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (tracking_good(m, st, &last, last_name, sizeof(last_name), &good, e) == -1) {
			sqlite3_reset(st);
			return -1;
		}
		(*den)++;
		*num += good;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return tshop_db_error(m->db, e, "computing the metrics");
	return 0;
}

int
tshop_metrics_compute(struct tshop_metrics *m, tshop_time from, tshop_time to,
    tshop_time now, struct tshop_metric_value out[TSHOP_NMETRICS], struct tshop_err *e)
{
	int64_t any_return = 0, defects = 0;

	memset(out, 0, sizeof(*out) * TSHOP_NMETRICS);
	for (int i = 0; i < TSHOP_NMETRICS; i++)
		out[i].metric = (enum tshop_metric)i;
	if (aggregate(m, Q_LATE, from, to, now, &out[TSHOP_LATE_DISPATCH_RATE].den,
	    &out[TSHOP_LATE_DISPATCH_RATE].num, NULL, e) == -1 ||
	    valid_tracking(m, from, to, &out[TSHOP_VALID_TRACKING_RATE].num,
	    &out[TSHOP_VALID_TRACKING_RATE].den, e) == -1 ||
	    aggregate(m, Q_DELIVERY, from, to, now, &out[TSHOP_ON_TIME_DELIVERY_RATE].den,
	    &out[TSHOP_ON_TIME_DELIVERY_RATE].num, &defects, e) == -1 ||
	    aggregate(m, Q_CANCEL, from, to, now, &out[TSHOP_CANCELLATION_RATE].den,
	    &out[TSHOP_CANCELLATION_RATE].num, NULL, e) == -1 ||
	    aggregate(m, Q_RESOLUTION, from, to, now, &out[TSHOP_RETURN_RESOLUTION_HOURS].den,
	    &out[TSHOP_RETURN_RESOLUTION_HOURS].num, NULL, e) == -1 ||
	    aggregate(m, Q_ANY_RETURN, from, to, now, &any_return, NULL, NULL, e) == -1)
		return -1;
	out[TSHOP_ORDER_DEFECT_RATE].den = out[TSHOP_ON_TIME_DELIVERY_RATE].den;
	out[TSHOP_ORDER_DEFECT_RATE].num = defects;
	if (!any_return) {
		out[TSHOP_ORDER_DEFECT_RATE].num_unknown = true;
		out[TSHOP_ORDER_DEFECT_RATE].na = true;
		out[TSHOP_RETURN_RESOLUTION_HOURS].na = true;
	}
	for (int i = 0; i < TSHOP_NMETRICS; i++)
		if (out[i].den == 0)
			out[i].na = true;
	return 0;
}
