/*
 * test_time.c — instants, local dates, business days, durations.
 * Expected values are worked out by hand (and checked against date(1)).
 */
#include <stdint.h>
#include <stdlib.h>

#include "timeutil.h"
#include "unit.h"

static const char *
tfmt(tshop_time t)
{
	static char buf[2][32];
	static int i;

	i = !i;
	return tshop_time_format(t, buf[i], sizeof(buf[i]));
}

static const char *
dfmt(tshop_date d)
{
	static char buf[16];

	return tshop_date_format(d, buf, sizeof(buf));
}

/* Parse `s` and compare its UTC form with `want`. */
static void
parse_is(const char *s, enum tshop_date_order o, const char *want)
{
	tshop_time t = 0;

	if (tshop_time_parse(s, o, &t) != 0) {
		OK(0, "time_parse '%s' failed", s);
		return;
	}
	STR_EQ(tfmt(t), want, "time_parse '%s'", s);
}

static void
parse_bad(const char *s, enum tshop_date_order o)
{
	tshop_time t;

	INT_EQ(tshop_time_parse(s, o, &t), -1, "time_parse rejects '%s'", s);
}

static tshop_time
at(const char *iso)
{
	tshop_time t = 0;

	if (tshop_time_parse(iso, TSHOP_MDY, &t) != 0)
		printf("# cannot parse %s\n", iso);
	return t;
}

static tshop_date
day(const char *s)
{
	tshop_date d = 0;

	if (tshop_date_parse(s, &d) != 0)
		printf("# cannot parse %s\n", s);
	return d;
}

static void
ymd_round_trip(int y, int m, int d, int32_t want)
{
	int yy, mm, dd;
	tshop_date v = tshop_date_from_ymd(y, m, d);

	tshop_date_to_ymd(v, &yy, &mm, &dd);
	OK(v == want && yy == y && mm == m && dd == d,
	    "ymd %04d-%02d-%02d = day %ld (got %ld, back %04d-%02d-%02d)",
	    y, m, d, (long)want, (long)v, yy, mm, dd);
}

int
main(void)
{
	struct tshop_err e;
	struct tshop_holidays h;
	tshop_date d;
	tshop_time t;
	int64_t secs;
	int y, m, dd;

	/* Format and the fixed points of the calendar. */
	STR_EQ(tfmt(0), "1970-01-01T00:00:00Z", "format epoch");
	STR_EQ(tfmt(1795253400), "2026-11-21T09:30:00Z", "format 1795253400");
	STR_EQ(tfmt(-1), "1969-12-31T23:59:59Z", "format -1");
	STR_EQ(tfmt(TSHOP_TIME_NONE), "", "format TSHOP_TIME_NONE");
	/* the edges of the 4-digit years, written without snprintf */
	STR_EQ(tfmt(253402300799), "9999-12-31T23:59:59Z", "format the last second of 9999");
	STR_EQ(tfmt(253402300800), "10000-01-01T00:00:00Z", "format year 10000");
	STR_EQ(tfmt(-62167219200), "0000-01-01T00:00:00Z", "format year 0");
	STR_EQ(tfmt(-62167219201), "-001-12-31T23:59:59Z", "format year -1");
	STR_EQ(tfmt(951825599), "2000-02-29T11:59:59Z", "format a leap day");
	ymd_round_trip(1970, 1, 1, 0);
	ymd_round_trip(1969, 12, 31, -1);
	ymd_round_trip(2000, 3, 1, 11017);
	ymd_round_trip(2024, 2, 29, 19782);
	ymd_round_trip(2026, 11, 21, 20778);
	ymd_round_trip(2000, 2, 29, 11016);
	ymd_round_trip(1900, 3, 1, -25508);
	INT_EQ(tshop_date_from_ymd(2026, 13, 1), tshop_date_from_ymd(2027, 1, 1),
	    "month 13 is next January");
	INT_EQ(tshop_date_from_ymd(2026, 0, 1), tshop_date_from_ymd(2025, 12, 1),
	    "month 0 is last December");
	tshop_date_to_ymd(20778 + 41, &y, &m, &dd);
	OK(y == 2027 && m == 1 && dd == 1, "41 days after 2026-11-21 is 2027-01-01");

	/* Weekdays. */
	INT_EQ(tshop_date_weekday(day("2026-11-21")), 6, "2026-11-21 is a Saturday");
	INT_EQ(tshop_date_weekday(day("2026-11-26")), 4, "2026-11-26 is a Thursday");
	INT_EQ(tshop_date_weekday(0), 4, "1970-01-01 is a Thursday");
	INT_EQ(tshop_date_weekday(-4), 0, "1969-12-28 is a Sunday");
	INT_EQ(tshop_date_weekday(-5), 6, "1969-12-27 is a Saturday");
	INT_EQ(tshop_date_weekday(day("2024-02-29")), 4, "2024-02-29 is a Thursday");

	/* Dates. */
	OK(tshop_date_parse("2026-11-21", &d) == 0 && d == 20778, "date_parse 2026-11-21");
	STR_EQ(dfmt(20778), "2026-11-21", "date_format 20778");
	STR_EQ(dfmt(-1), "1969-12-31", "date_format -1");
	STR_EQ(dfmt(2932896), "9999-12-31", "date_format 9999-12-31");
	STR_EQ(dfmt(2932897), "10000-01-01", "date_format year 10000");
	STR_EQ(dfmt(-719528), "0000-01-01", "date_format year 0");
	{
		char small[8];

		STR_EQ(tshop_date_format(20778, small, sizeof(small)), "2026-11",
		    "date_format into 8 bytes: cut, terminated");
	}
	OK(tshop_date_parse("2024-02-29", &d) == 0 && d == 19782, "date_parse 2024-02-29");
	OK(tshop_date_parse("2000-02-29", &d) == 0 && d == 11016, "date_parse 2000-02-29");
	INT_EQ(tshop_date_parse("2026-02-29", &d), -1, "2026-02-29 rejected");
	INT_EQ(tshop_date_parse("2100-02-29", &d), -1, "2100-02-29 rejected");
	INT_EQ(tshop_date_parse("2026-02-30", &d), -1, "2026-02-30 rejected");
	INT_EQ(tshop_date_parse("2026-04-31", &d), -1, "2026-04-31 rejected");
	INT_EQ(tshop_date_parse("2026-13-01", &d), -1, "month 13 rejected");
	INT_EQ(tshop_date_parse("2026-00-10", &d), -1, "month 0 rejected");
	INT_EQ(tshop_date_parse("2026-11-00", &d), -1, "day 0 rejected");
	INT_EQ(tshop_date_parse("2026-1-5", &d), -1, "short fields rejected");
	INT_EQ(tshop_date_parse("2026-11-21x", &d), -1, "trailing junk rejected");
	INT_EQ(tshop_date_parse("", &d), -1, "empty date rejected");

	/* Time zones. */
	INT_EQ(tshop_tz_set("Nowhere/Atlantis", &e), -1, "unknown zone rejected");
	INT_EQ(e.code, 2, "unknown zone is error code 2");
	INT_EQ(tshop_tz_set("../../etc/passwd", &e), -1, "zone with .. rejected");
	INT_EQ(tshop_tz_set("/etc/localtime", &e), -1, "absolute zone rejected");
	INT_EQ(tshop_tz_set("", &e), -1, "empty zone rejected");
	INT_EQ(tshop_tz_set("zone.tab", &e), -1, "zoneinfo table file rejected");
	INT_EQ(tshop_tz_set("America", &e), -1, "zoneinfo directory rejected");
	INT_EQ(tshop_tz_set("Etc/UTC", &e), 0, "Etc/UTC accepted");
	INT_EQ(tshop_tz_set("UTC", &e), 0, "UTC accepted");
	parse_is("2026-11-21 09:30", TSHOP_MDY, "2026-11-21T09:30:00Z");

	INT_EQ(tshop_tz_set("America/New_York", &e), 0, "America/New_York accepted");
	/* ISO forms. */
	parse_is("2026-11-21T09:30:00Z", TSHOP_MDY, "2026-11-21T09:30:00Z");
	parse_is("2026-11-21T09:30:00z", TSHOP_MDY, "2026-11-21T09:30:00Z");
	parse_is("2026-11-21T09:30:00+01:00", TSHOP_MDY, "2026-11-21T08:30:00Z");
	parse_is("2026-11-21T09:30:00-0800", TSHOP_MDY, "2026-11-21T17:30:00Z");
	parse_is("2026-11-21T09:30:00+05", TSHOP_MDY, "2026-11-21T04:30:00Z");
	parse_is("2026-11-21T09:30:00+05:30", TSHOP_MDY, "2026-11-21T04:00:00Z");
	parse_is("2026-11-21 09:30:00.987Z", TSHOP_MDY, "2026-11-21T09:30:00Z");
	parse_is("2026-11-21T09:30:00.5-05:00", TSHOP_MDY, "2026-11-21T14:30:00Z");
	parse_is("2026-11-21T09:30Z", TSHOP_MDY, "2026-11-21T09:30:00Z");
	parse_is("  2026-11-21T09:30:00Z  ", TSHOP_MDY, "2026-11-21T09:30:00Z");
	/* No offset: shop time (EST, -05:00, in November; EDT in July). */
	parse_is("2026-11-21T09:30:00", TSHOP_MDY, "2026-11-21T14:30:00Z");
	parse_is("2026-11-21 09:30:00", TSHOP_MDY, "2026-11-21T14:30:00Z");
	parse_is("2026-07-04T09:30:00", TSHOP_MDY, "2026-07-04T13:30:00Z");
	parse_is("2026-11-21", TSHOP_MDY, "2026-11-21T05:00:00Z");
	/* US forms. */
	parse_is("11/21/2026 09:30:00 AM", TSHOP_MDY, "2026-11-21T14:30:00Z");
	parse_is("11/21/2026 12:00:00 AM", TSHOP_MDY, "2026-11-21T05:00:00Z");
	parse_is("11/21/2026 12:30:00 PM", TSHOP_MDY, "2026-11-21T17:30:00Z");
	parse_is("11/21/2026 9:30 PM", TSHOP_MDY, "2026-11-22T02:30:00Z");
	parse_is("11/21/2026 9:30pm", TSHOP_MDY, "2026-11-22T02:30:00Z");
	parse_is("11/21/2026 21:30:00", TSHOP_MDY, "2026-11-22T02:30:00Z");
	parse_is("11/21/2026 21:30", TSHOP_MDY, "2026-11-22T02:30:00Z");
	parse_is("11/21/2026", TSHOP_MDY, "2026-11-21T05:00:00Z");
	parse_is("1/2/2026", TSHOP_MDY, "2026-01-02T05:00:00Z");
	/* Day first. */
	parse_is("21/11/2026 09:30:00", TSHOP_DMY, "2026-11-21T14:30:00Z");
	parse_is("01/02/2026", TSHOP_DMY, "2026-02-01T05:00:00Z");
	parse_is("01/02/2026", TSHOP_MDY, "2026-01-02T05:00:00Z");
	/* Unix seconds. */
	parse_is("1700000000", TSHOP_MDY, "2023-11-14T22:13:20Z");
	parse_is("0", TSHOP_MDY, "1970-01-01T00:00:00Z");
	parse_is("9999999999", TSHOP_MDY, "2286-11-20T17:46:39Z");
	/* Rejections. */
	parse_bad("17000000000", TSHOP_MDY);
	parse_bad("-1700000000", TSHOP_MDY);
	parse_bad("", TSHOP_MDY);
	parse_bad("   ", TSHOP_MDY);
	parse_bad("abc", TSHOP_MDY);
	parse_bad("2026-02-30", TSHOP_MDY);
	parse_bad("2026-02-29T10:00:00Z", TSHOP_MDY);
	parse_bad("2026-13-01", TSHOP_MDY);
	parse_bad("2026-11-21T24:00:00Z", TSHOP_MDY);
	parse_bad("2026-11-21T23:60:00Z", TSHOP_MDY);
	parse_bad("2026-11-21T23:59:60Z", TSHOP_MDY);
	parse_bad("2026-11-21T", TSHOP_MDY);
	parse_bad("2026-11-21T09:30:00+1:00", TSHOP_MDY);
	parse_bad("2026-11-21T09:30:00+24:00", TSHOP_MDY);
	parse_bad("2026-11-21T09:30:00+080", TSHOP_MDY);
	parse_bad("2026-11-21T09:30:00 junk", TSHOP_MDY);
	parse_bad("2026-11-21T9", TSHOP_MDY);
	parse_bad("21/11/2026", TSHOP_MDY);
	parse_bad("11/21/2026", TSHOP_DMY);
	parse_bad("02/30/2026", TSHOP_MDY);
	parse_bad("11/21/2026 13:00 PM", TSHOP_MDY);
	parse_bad("11/21/2026 0:30 AM", TSHOP_MDY);
	parse_bad("11/21/2026 24:00", TSHOP_MDY);
	parse_bad("11/21/26", TSHOP_MDY);
	parse_bad("111/21/2026", TSHOP_MDY);

	/* Local dates around midnight. */
	INT_EQ(tshop_local_date(at("2026-11-21T05:00:00Z")), 20778,
	    "05:00Z is 2026-11-21 00:00 in New York");
	INT_EQ(tshop_local_date(at("2026-11-21T04:59:59Z")), 20777,
	    "04:59:59Z is still 2026-11-20 in New York");
	STR_EQ(tfmt(tshop_local_midnight(20778)), "2026-11-21T05:00:00Z",
	    "New York midnight of 2026-11-21");

	/* Los Angeles. */
	INT_EQ(tshop_tz_set("America/Los_Angeles", &e), 0, "America/Los_Angeles accepted");
	parse_is("2026-11-21T09:30:00", TSHOP_MDY, "2026-11-21T17:30:00Z");
	INT_EQ(tshop_local_date(at("2026-11-21T07:59:59Z")), 20777,
	    "07:59:59Z is 2026-11-20 in Los Angeles");
	INT_EQ(tshop_local_date(at("2026-11-21T08:00:00Z")), 20778,
	    "08:00Z is 2026-11-21 in Los Angeles");
	INT_EQ(tshop_local_date(at("2026-11-21T02:00:00Z")), 20777,
	    "02:00Z: UTC date 2026-11-21, local date 2026-11-20");
	STR_EQ(tfmt(tshop_local_midnight(20778)), "2026-11-21T08:00:00Z",
	    "Los Angeles midnight of 2026-11-21");
	STR_EQ(tfmt(tshop_local_midnight(day("2026-07-04"))), "2026-07-04T07:00:00Z",
	    "Los Angeles midnight in summer");
	/* DST gap (02:30 does not exist on 2026-03-08): moves forward to 03:30 PDT. */
	parse_is("2026-03-08T02:30:00", TSHOP_MDY, "2026-03-08T10:30:00Z");
	/* Overlap (01:30 happens twice on 2026-11-01): the first, PDT. */
	parse_is("2026-11-01T01:30:00", TSHOP_MDY, "2026-11-01T08:30:00Z");
	parse_is("2026-11-01T03:00:00", TSHOP_MDY, "2026-11-01T11:00:00Z");

	/* Business days (SPEC §3 ship_by). */
	memset(&h, 0, sizeof(h));
	STR_EQ(tfmt(tshop_add_business_days(at("2026-11-20T15:00:00"), 3, &h)),
	    "2026-11-25T23:00:00Z", "Friday 15:00 + 3 -> Wednesday 15:00");
	STR_EQ(tfmt(tshop_add_business_days(at("2026-11-21T10:00:00"), 3, &h)),
	    "2026-11-25T18:00:00Z", "Saturday 10:00 + 3 -> Wednesday 10:00");
	STR_EQ(tfmt(tshop_add_business_days(at("2026-11-22T10:00:00"), 1, NULL)),
	    "2026-11-23T18:00:00Z", "Sunday + 1 -> Monday (no holidays)");
	STR_EQ(tfmt(tshop_add_business_days(at("2026-11-23T10:00:00"), 0, &h)),
	    "2026-11-23T18:00:00Z", "+ 0 business days is the same instant");
	/* Across the fall change: Friday 15:00 PDT + 3 -> Wednesday 15:00 PST. */
	STR_EQ(tfmt(tshop_add_business_days(at("2026-10-30T15:00:00"), 3, &h)),
	    "2026-11-04T23:00:00Z", "fall DST: Fri 15:00 PDT + 3 -> Wed 15:00 PST");
	/* Across the spring change: Friday 15:00 PST + 1 -> Monday 15:00 PDT. */
	STR_EQ(tfmt(tshop_add_business_days(at("2026-03-06T15:00:00"), 1, &h)),
	    "2026-03-09T22:00:00Z", "spring DST: Fri 15:00 PST + 1 -> Mon 15:00 PDT");
	/* Holidays. */
	OK(tshop_holidays_parse("2026-12-25, 2026-11-26,2026-11-26,", &h) == 0 &&
	    h.n == 2, "holidays parsed, sorted, deduplicated");
	OK(tshop_is_holiday(&h, day("2026-11-26")), "Thanksgiving is a holiday");
	OK(tshop_is_holiday(&h, day("2026-12-25")), "Christmas is a holiday");
	OK(!tshop_is_holiday(&h, day("2026-11-27")), "2026-11-27 is not a holiday");
	OK(!tshop_is_business_day(&h, day("2026-11-26")), "Thanksgiving is no business day");
	OK(!tshop_is_business_day(&h, day("2026-11-21")), "Saturday is no business day");
	OK(tshop_is_business_day(&h, day("2026-11-27")), "Friday 2026-11-27 is a business day");
	STR_EQ(tfmt(tshop_add_business_days(at("2026-11-25T10:00:00"), 2, &h)),
	    "2026-11-30T18:00:00Z", "Wed + 2 skipping Thanksgiving -> Mon 10:00");
	STR_EQ(tfmt(tshop_add_business_days(at("2026-11-25T10:00:00"), 1, &h)),
	    "2026-11-27T18:00:00Z", "Wed + 1 skipping Thanksgiving -> Fri 10:00");
	STR_EQ(tfmt(tshop_add_business_days(at("2026-12-24T09:00:00"), 1, &h)),
	    "2026-12-28T17:00:00Z", "Thu 12-24 + 1 skipping Christmas and weekend -> Mon");
	tshop_holidays_release(&h);
	OK(h.days == NULL && h.n == 0, "holidays released");
	OK(tshop_holidays_parse("", &h) == 0 && h.n == 0, "empty holidays");
	tshop_holidays_release(&h);
	INT_EQ(tshop_holidays_parse("2026-11-26,2026-02-30", &h), -1, "bad holiday rejected");
	INT_EQ(tshop_holidays_parse("2026-11-26;2026-12-25", &h), -1, "bad separator rejected");

	/* Calendar days keep the local time of day across DST. */
	STR_EQ(tfmt(tshop_add_local_days(at("2026-03-07T10:00:00"), 1)),
	    "2026-03-08T17:00:00Z", "Sat 10:00 PST + 1 day -> Sun 10:00 PDT");
	STR_EQ(tfmt(tshop_add_local_days(at("2026-10-31T10:00:00"), 2)),
	    "2026-11-02T18:00:00Z", "Sat 10:00 PDT + 2 days -> Mon 10:00 PST");
	STR_EQ(tfmt(tshop_add_local_days(at("2026-11-02T10:00:00"), -2)),
	    "2026-10-31T17:00:00Z", "Mon 10:00 PST - 2 days -> Sat 10:00 PDT");
	STR_EQ(tfmt(tshop_add_local_days(at("2026-03-07T02:30:00"), 1)),
	    "2026-03-08T10:30:00Z", "into the spring gap: 02:30 -> 03:30 PDT");
	STR_EQ(tfmt(tshop_add_local_days(at("2026-11-21T09:30:00Z"), 0)),
	    "2026-11-21T09:30:00Z", "+ 0 days is the same instant");

	/* A zone whose midnight was skipped: Sao Paulo, 2018-11-04 00:00 -> 01:00. */
	INT_EQ(tshop_tz_set("America/Sao_Paulo", &e), 0, "America/Sao_Paulo accepted");
	STR_EQ(tfmt(tshop_local_midnight(day("2018-11-04"))), "2018-11-04T03:00:00Z",
	    "skipped midnight: the day starts at 01:00 -02");
	STR_EQ(tfmt(tshop_local_midnight(day("2018-11-05"))), "2018-11-05T02:00:00Z",
	    "next midnight -02");

	/* TSHOP_NOW. */
	INT_EQ(tshop_tz_set("America/Los_Angeles", &e), 0, "back to Los Angeles");
	setenv("TSHOP_NOW", "2026-11-21T09:30:00Z", 1);
	OK(tshop_now_init(&e) == 0, "TSHOP_NOW accepted");
	STR_EQ(tfmt(tshop_now()), "2026-11-21T09:30:00Z", "tshop_now is TSHOP_NOW");
	STR_EQ(tfmt(tshop_now()), "2026-11-21T09:30:00Z", "tshop_now is stable");
	setenv("TSHOP_NOW", "2026-11-21 09:30", 1);
	OK(tshop_now_init(&e) == 0, "TSHOP_NOW without offset accepted");
	STR_EQ(tfmt(tshop_now()), "2026-11-21T17:30:00Z", "TSHOP_NOW without offset is shop time");
	setenv("TSHOP_NOW", "yesterday", 1);
	INT_EQ(tshop_now_init(&e), -1, "bad TSHOP_NOW rejected");
	INT_EQ(e.code, 2, "bad TSHOP_NOW is error code 2");
	unsetenv("TSHOP_NOW");
	OK(tshop_now_init(&e) == 0, "no TSHOP_NOW");
	t = tshop_now();
	OK(t > 1700000000, "tshop_now reads the clock");

	/* Durations. */
	OK(tshop_duration_parse("24h", &secs) == 0 && secs == 86400, "24h");
	OK(tshop_duration_parse("90m", &secs) == 0 && secs == 5400, "90m");
	OK(tshop_duration_parse("2d", &secs) == 0 && secs == 172800, "2d");
	OK(tshop_duration_parse("1w", &secs) == 0 && secs == 604800, "1w");
	OK(tshop_duration_parse("3600s", &secs) == 0 && secs == 3600, "3600s");
	INT_EQ(tshop_duration_parse("24", &secs), -1, "a number without its unit rejected");
	OK(tshop_duration_parse("0", &secs) == 0 && secs == 0, "0");
	OK(tshop_duration_parse("1h30m", &secs) == 0 && secs == 5400, "1h30m");
	OK(tshop_duration_parse("2 days", &secs) == 0 && secs == 172800, "2 days");
	OK(tshop_duration_parse("48H", &secs) == 0 && secs == 172800, "48H");
	INT_EQ(tshop_duration_parse("", &secs), -1, "empty duration rejected");
	INT_EQ(tshop_duration_parse("h", &secs), -1, "bare unit rejected");
	INT_EQ(tshop_duration_parse("-1h", &secs), -1, "negative duration rejected");
	INT_EQ(tshop_duration_parse("1.5h", &secs), -1, "fractional duration rejected");
	INT_EQ(tshop_duration_parse("3x", &secs), -1, "unknown unit rejected");
	INT_EQ(tshop_duration_parse("1h 30", &secs), -1, "unitless part after a unit rejected");
	INT_EQ(tshop_duration_parse("99999999999999999999s", &secs), -1, "overflow rejected");
	INT_EQ(tshop_duration_parse("9999999999999999w", &secs), -1, "overflow after unit rejected");

	return UNIT_DONE();
}
