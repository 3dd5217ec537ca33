/*
 * timeutil.h — instants, local dates, business days and durations (SPEC §2.6).
 *
 * An instant (tshop_time) is Unix seconds, UTC.  A date (tshop_date) is a
 * civil day number: days since 1970-01-01.  "Local" means the shop time
 * zone, which tshop_tz_set() installs for the whole process (through TZ and
 * tzset, so the C library's zone rules, daylight-saving included, apply).
 * TSHOP_NOW overrides the current time for every rule of the program
 * (deadlines, windows, "today"), never for API request timestamps.
 */
#ifndef TSHOP_TIMEUTIL_H
#define TSHOP_TIMEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

typedef int64_t tshop_time;
typedef int32_t tshop_date;

#define TSHOP_TIME_NONE INT64_MIN	/* "no value" where a time is optional */

/* How to read "01/02/2026": month first (US, the default) or day first. */
enum tshop_date_order { TSHOP_MDY, TSHOP_DMY };

/*
 * Make `name` (an IANA zone such as "America/Los_Angeles", or "UTC") the
 * shop time zone of this process.  An unknown zone is an error (code 2).
 */
int tshop_tz_set(const char *name, struct tshop_err *e);

/*
 * The current time: TSHOP_NOW when set (any form tshop_time_parse accepts),
 * else the clock.  tshop_now_init() checks TSHOP_NOW once (error code 2 when
 * it does not parse); tshop_now() then returns the same instant every call.
 */
int tshop_now_init(struct tshop_err *e);
tshop_time tshop_now(void);

/*
 * Parse an instant: ISO-8601 "2026-11-21T09:30:00Z", with an offset
 * ("+01:00", "-0800"), with a space instead of T, with fractional seconds,
 * or without offset (local time); a bare date "2026-11-21" (local midnight);
 * Unix seconds (all digits, at most 10 of them); "11/21/2026 09:30:00 AM",
 * "11/21/2026 21:30:00", "11/21/2026 9:30 PM", "11/21/2026" in the given
 * date order (day first with TSHOP_DMY).  Local times that fall in a
 * daylight-saving gap move forward; ambiguous ones take the first.
 * 0 on success, -1 otherwise.
 */
int tshop_time_parse(const char *s, enum tshop_date_order order, tshop_time *out);

/* "2026-11-21T09:30:00Z" into buf (at least 21 bytes); returns buf. */
char *tshop_time_format(tshop_time t, char *buf, size_t n);

/* Parse "YYYY-MM-DD" (checked: month 1-12, day within month).  0 or -1. */
int tshop_date_parse(const char *s, tshop_date *out);
/* "YYYY-MM-DD" into buf (at least 11 bytes); returns buf. */
char *tshop_date_format(tshop_date d, char *buf, size_t n);
/* Civil date <-> day number (proleptic Gregorian). */
tshop_date tshop_date_from_ymd(int y, int m, int d);
void tshop_date_to_ymd(tshop_date day, int *y, int *m, int *d);
/* 0 = Sunday ... 6 = Saturday. */
int tshop_date_weekday(tshop_date d);

/* The local date of an instant. */
tshop_date tshop_local_date(tshop_time t);
/* The instant the local date starts (local midnight, or the first instant after it). */
tshop_time tshop_local_midnight(tshop_date d);
/* The same local time of day, `days` calendar days later (or earlier). */
tshop_time tshop_add_local_days(tshop_time t, int days);

/* Holidays: a sorted set of dates. */
struct tshop_holidays {
	tshop_date *days;
	size_t n;
};
/* Parse "2026-11-26,2026-12-25" (empty = none); -1 on a bad date.  Free with tshop_holidays_release. */
int tshop_holidays_parse(const char *s, struct tshop_holidays *h);
void tshop_holidays_release(struct tshop_holidays *h);
bool tshop_is_holiday(const struct tshop_holidays *h, tshop_date d);
/* Monday–Friday and not a holiday. */
bool tshop_is_business_day(const struct tshop_holidays *h, tshop_date d);

/*
 * `t` plus `n` business days (n ≥ 0): step forward one local calendar day at a
 * time, counting only business days, until n are counted; the local time of
 * day stays that of `t` (SPEC §3, ship_by).  Friday 15:00 + 3 → Wednesday
 * 15:00; Saturday 10:00 + 3 → Wednesday 10:00.
 */
tshop_time tshop_add_business_days(tshop_time t, int n, const struct tshop_holidays *h);

/*
 * Parse a duration "24h", "90m", "2d", "1w", "3600s", "1h30m" into seconds.
 * A number needs its unit ("24" could be hours or seconds), except 0.  0 or -1.
 */
int tshop_duration_parse(const char *s, int64_t *seconds);

#endif
