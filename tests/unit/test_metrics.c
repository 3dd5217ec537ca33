/*
 * test_metrics.c — the pure rules of lib/metrics.c and lib/returns.c:
 * targets, exact judgement at the edges, display rounding, weights and the
 * 30 % review rule, return types.  Expected values written by hand.
 */
#include "metrics.h"
#include "returns.h"
#include "unit.h"

static struct tshop_metric_value
val(enum tshop_metric m, int64_t num, int64_t den)
{
	struct tshop_metric_value v = { m, num, den, false, den == 0 };

	return v;
}

int
main(void)
{
	struct tshop_target t;
	enum tshop_metric m;
	struct tshop_metric_value v;
	char buf[64];
	int64_t g;
	const char *s;

	OK(tshop_target_parse(TSHOP_LATE_DISPATCH_RATE, "4", &t) == 0 && t.num == 4 && t.den == 1, "target 4");
	OK(tshop_target_parse(TSHOP_CANCELLATION_RATE, "2.5", &t) == 0 && t.num == 25 && t.den == 10, "target 2.5");
	OK(tshop_target_parse(TSHOP_VALID_TRACKING_RATE, "95.00", &t) == 0 && t.num == 9500 && t.den == 100 &&
	    !t.at_most, "target 95.00");
	OK(tshop_target_parse(TSHOP_LATE_DISPATCH_RATE, "1.234", &t) == -1, "3 decimals refused");
	OK(tshop_target_parse(TSHOP_RETURN_RESOLUTION_HOURS, "43.2", &t) == 0 && t.num == 432 &&
	    t.den == 10, "hours target 43.2");
	OK(tshop_target_parse(TSHOP_RETURN_RESOLUTION_HOURS, "43.25", &t) == -1,
	    "hours: 2 decimals refused (the column shows 1)");
	OK(tshop_target_parse(TSHOP_LATE_DISPATCH_RATE, "-1", &t) == -1, "negative refused");
	OK(tshop_target_parse(TSHOP_LATE_DISPATCH_RATE, "4.", &t) == -1, "dot without decimals refused");
	OK(tshop_target_parse(TSHOP_LATE_DISPATCH_RATE, "", &t) == -1, "empty refused");
	OK(tshop_target_parse(TSHOP_LATE_DISPATCH_RATE, "1234567890", &t) == -1, "10 digits refused");
	OK(tshop_target_parse(TSHOP_LATE_DISPATCH_RATE, "3.5%", &t) == 0 && t.num == 35 &&
	    t.den == 10 && t.at_most, "a rate target with a trailing %%");
	OK(tshop_target_parse(TSHOP_VALID_TRACKING_RATE, "95%", &t) == 0 && t.num == 95 &&
	    t.den == 1 && !t.at_most, "a minimum with a trailing %%");
	OK(tshop_target_parse(TSHOP_LATE_DISPATCH_RATE, "%", &t) == -1, "%% alone refused");
	OK(tshop_target_parse(TSHOP_LATE_DISPATCH_RATE, "3.5%%", &t) == -1, "%%%% refused");
	OK(tshop_target_parse(TSHOP_LATE_DISPATCH_RATE, "3.5 %", &t) == -1, "a space before %% refused");
	OK(tshop_target_parse(TSHOP_RETURN_RESOLUTION_HOURS, "48%", &t) == -1,
	    "hours are not a percentage");
	OK(tshop_metric_parse("cancellation_rate", &m) == 0 && m == TSHOP_CANCELLATION_RATE,
	    "metric by name");
	OK(tshop_metric_parse("cancel_rate", &m) == -1, "unknown metric name");

	tshop_target_parse(TSHOP_LATE_DISPATCH_RATE, "4", &t);
	v = val(TSHOP_LATE_DISPATCH_RATE, 1, 25);
	INT_EQ(tshop_metric_judge(&v, &t), TSHOP_METRIC_OK, "1/25 = 4 %% is not above 4");
	v = val(TSHOP_LATE_DISPATCH_RATE, 1000001, 25000000);
	INT_EQ(tshop_metric_judge(&v, &t), TSHOP_METRIC_BREACH, "4.000004 %% is above 4");
	STR_EQ(tshop_metric_format_value(&v, buf, sizeof(buf)), "4.00", "though shown 4.00");
	STR_EQ(tshop_metric_format_target(TSHOP_LATE_DISPATCH_RATE, &t, buf, sizeof(buf)),
	    "<=4.00", "target shown");
	tshop_target_parse(TSHOP_VALID_TRACKING_RATE, "95", &t);
	v = val(TSHOP_VALID_TRACKING_RATE, 19, 20);
	INT_EQ(tshop_metric_judge(&v, &t), TSHOP_METRIC_OK, "95 %% meets >= 95");
	v = val(TSHOP_VALID_TRACKING_RATE, 18999999, 20000000);
	INT_EQ(tshop_metric_judge(&v, &t), TSHOP_METRIC_BREACH, "94.999995 %% misses >= 95");
	STR_EQ(tshop_metric_format_value(&v, buf, sizeof(buf)), "95.00", "though shown 95.00");
	v = val(TSHOP_VALID_TRACKING_RATE, 0, 0);
	INT_EQ(tshop_metric_judge(&v, &t), TSHOP_METRIC_NA, "empty denominator: n/a");
	STR_EQ(tshop_metric_format_value(&v, buf, sizeof(buf)), "", "n/a has no value");
	v = val(TSHOP_CANCELLATION_RATE, 1, 3);
	STR_EQ(tshop_metric_format_value(&v, buf, sizeof(buf)), "33.33", "1/3");
	v = val(TSHOP_CANCELLATION_RATE, 2, 3);
	STR_EQ(tshop_metric_format_value(&v, buf, sizeof(buf)), "66.67", "2/3 rounds up");
	v = val(TSHOP_CANCELLATION_RATE, 1, 8000);
	STR_EQ(tshop_metric_format_value(&v, buf, sizeof(buf)), "0.01", "0.0125 rounds half up");

	tshop_target_parse(TSHOP_RETURN_RESOLUTION_HOURS, "48", &t);
	STR_EQ(tshop_metric_format_target(TSHOP_RETURN_RESOLUTION_HOURS, &t, buf, sizeof(buf)),
	    "<=48.0", "hours target shown with 1 decimal");
	v = val(TSHOP_RETURN_RESOLUTION_HOURS, 48 * 3600 * 2, 2);
	INT_EQ(tshop_metric_judge(&v, &t), TSHOP_METRIC_OK, "48 h meets <= 48");
	STR_EQ(tshop_metric_format_value(&v, buf, sizeof(buf)), "48.0", "48.0");
	STR_EQ(tshop_metric_format_num(&v, buf, sizeof(buf)), "96.0", "numerator in hours");
	v = val(TSHOP_RETURN_RESOLUTION_HOURS, 48 * 3600 * 2 + 1, 2);
	INT_EQ(tshop_metric_judge(&v, &t), TSHOP_METRIC_BREACH, "half a second more misses");
	v = val(TSHOP_RETURN_RESOLUTION_HOURS, 87 * 1800, 1);
	STR_EQ(tshop_metric_format_value(&v, buf, sizeof(buf)), "43.5", "43.5 h");
	v = val(TSHOP_RETURN_RESOLUTION_HOURS, 3 * 60, 1);
	STR_EQ(tshop_metric_format_value(&v, buf, sizeof(buf)), "0.1", "3 minutes = 0.05 h, half up");
	v = val(TSHOP_ORDER_DEFECT_RATE, 0, 10);
	v.num_unknown = v.na = true;
	STR_EQ(tshop_metric_format_num(&v, buf, sizeof(buf)), "", "unknown numerator empty");
	STR_EQ(tshop_metric_status_name(tshop_metric_judge(&v, &t)), "n/a", "n/a");
	STR_EQ(tshop_metric_name(TSHOP_ON_TIME_DELIVERY_RATE), "on_time_delivery_rate", "name");
	OK(!tshop_metric_at_most(TSHOP_ON_TIME_DELIVERY_RATE) &&
	    tshop_metric_at_most(TSHOP_ORDER_DEFECT_RATE), "directions");

	OK(tshop_weight_parse("450", &g) == 0 && g == 450, "450");
	OK(tshop_weight_parse("450g", &g) == 0 && g == 450, "450g");
	OK(tshop_weight_parse("0.45kg", &g) == 0 && g == 450, "0.45kg");
	OK(tshop_weight_parse("1.5 KG", &g) == 0 && g == 1500, "1.5 KG");
	OK(tshop_weight_parse("1.2345kg", &g) == -1, "sub-gram kg refused");
	OK(tshop_weight_parse("1.5", &g) == -1, "fractional grams refused");
	OK(tshop_weight_parse("-5", &g) == -1, "negative refused");
	OK(tshop_weight_parse("5 lb", &g) == -1, "pounds refused");
	OK(!tshop_weight_review(1000, 1300), "+30 %% exactly: no review");
	OK(tshop_weight_review(1000, 1301), "+30.1 %%: review");
	OK(!tshop_weight_review(1000, 700), "-30 %% exactly: no review");
	OK(tshop_weight_review(1000, 699), "-30.1 %%: review");
	OK(tshop_weight_review(0, 1), "from 0: review");
	OK(!tshop_weight_review(0, 0), "0 and 0: no review");
	STR_EQ(tshop_weight_difference(1000, 1301, buf, sizeof(buf)), "30.10", "difference");
	STR_EQ(tshop_weight_difference(3, 2, buf, sizeof(buf)), "-33.33", "negative difference");
	STR_EQ(tshop_weight_difference(0, 5, buf, sizeof(buf)), "", "none from 0");

	OK(tshop_return_type_parse("Refund only", &s) == 0 && strcmp(s, "REFUND") == 0, "Refund only");
	OK(tshop_return_type_parse("return and refund", &s) == 0 &&
	    strcmp(s, "RETURN_AND_REFUND") == 0, "return and refund");
	OK(tshop_return_type_parse("RETURN_AND_REFUND", &s) == 0 &&
	    strcmp(s, "RETURN_AND_REFUND") == 0, "enum");
	OK(tshop_return_type_parse("Replacement", &s) == 0 && strcmp(s, "REPLACEMENT") == 0,
	    "Replacement");
	OK(tshop_return_type_parse("exchange", &s) == -1, "unknown type");
	OK(tshop_return_status_refunded("return_or_refund_request_complete"), "complete is refunded");
	OK(!tshop_return_status_refunded("RETURN_OR_REFUND_REQUEST_SUCCESS"), "success is not yet");
	return UNIT_DONE();
}
