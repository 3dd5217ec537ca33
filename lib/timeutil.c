/*
 * timeutil.c — instants, local dates, business days and durations (SPEC §2.6).
 *
 * Civil-day arithmetic is done here (Howard Hinnant's days_from_civil);
 * the C library is asked only for the local time of an instant
 * (localtime_r), so the zone rules of the installed tzdata apply.  A local
 * time is turned into an instant by trying the offsets in effect a day
 * before and a day after, which resolves daylight-saving gaps and overlaps
 * deterministically (see local_to_time).
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "timeutil.h"

#define ZONEINFO	"/usr/share/zoneinfo/"
#define DAY		86400

/* ---- civil dates ---- */

static int64_t
days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	/* Normalise the month so that month arithmetic works. */
	if (m < 1 || m > 12) {
		int64_t k = (m - 1) >= 0 ? (m - 1) / 12 : -((12 - m) / 12);

		y += k;
		m -= k * 12;
	}
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *py, int *pm, int *pd)
{
	int64_t era, doe, yoe, y, doy, mp, d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	*py = y + (m <= 2);
	*pm = (int)m;
	*pd = (int)d;
}

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int64_t y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && is_leap(y))
		return 29;
	return dim[m - 1];
}

static int
ymd_valid(int64_t y, int m, int d)
{
	return m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

/* m may be out of 1..12 (normalised), d out of the month (counted on). */
tshop_date
tshop_date_from_ymd(int y, int m, int d)
{
	return (tshop_date)days_from_civil(y, m, d);
}

void
tshop_date_to_ymd(tshop_date day, int *y, int *m, int *d)
{
	int64_t yy;

	civil_from_days(day, &yy, m, d);
	*y = (int)yy;
}

int
tshop_date_weekday(tshop_date d)
{
	int64_t w = ((int64_t)d + 4) % 7;	/* 1970-01-01 was a Thursday */

	return (int)(w < 0 ? w + 7 : w);
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Exactly n digits at *pp, not followed by another digit. */
static int
digits_n(const char **pp, int n, int *out)
{
	const char *p = *pp;
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!is_digit(p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	if (is_digit(p[n]))
		return -1;
	*pp = p + n;
	*out = v;
	return 0;
}

/* Between min and max digits at *pp. */
static int
digits_range(const char **pp, int min, int max, int *out)
{
	const char *p = *pp;
	int v = 0, n = 0;

	while (is_digit(*p)) {
		if (++n > max)
			return -1;
		v = v * 10 + (*p - '0');
		p++;
	}
	if (n < min)
		return -1;
	*pp = p;
	*out = v;
	return 0;
}

int
tshop_date_parse(const char *s, tshop_date *out)
{
	const char *p = s;
	int y, m, d;

	if (s == NULL || digits_n(&p, 4, &y) == -1 || *p++ != '-' ||
	    digits_n(&p, 2, &m) == -1 || *p++ != '-' ||
	    digits_n(&p, 2, &d) == -1 || *p != '\0' || !ymd_valid(y, m, d))
		return -1;
	*out = (tshop_date)days_from_civil(y, m, d);
	return 0;
}

/* Two digits of v at p. */
static void
put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

/*
 * "YYYY-MM-DD" into p (10 characters) without snprintf, which took 4 % of
 * a settlement import; false for a year outside 0 to 9999.
 */
static bool
put_ymd(char *p, int64_t y, int m, int d)
{
	if (y < 0 || y > 9999)
		return false;
	put2(p, (int)(y / 100));
	put2(p + 2, (int)(y % 100));
	p[4] = '-';
	put2(p + 5, m);
	p[7] = '-';
	put2(p + 8, d);
	return true;
}

char *
tshop_date_format(tshop_date d, char *buf, size_t n)
{
	int64_t y;
	int m, dd;

	if (buf == NULL || n == 0)
		return buf;
	civil_from_days(d, &y, &m, &dd);
	if (n > 10 && put_ymd(buf, y, m, dd))
		buf[10] = '\0';
	else
		snprintf(buf, n, "%04lld-%02d-%02d", (long long)y, m, dd);
	return buf;
}

/* TSHOP_TIME_NONE formats as "". */
char *
tshop_time_format(tshop_time t, char *buf, size_t n)
{
	int64_t days, secs, y;
	int m, d;

	if (buf == NULL || n == 0)
		return buf;
	if (t == TSHOP_TIME_NONE) {
		buf[0] = '\0';
		return buf;
	}
	days = t / DAY;
	secs = t % DAY;
	if (secs < 0) {
		secs += DAY;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	if (n > 20 && put_ymd(buf, y, m, d)) {
		buf[10] = 'T';
		put2(buf + 11, (int)(secs / 3600));
		buf[13] = ':';
		put2(buf + 14, (int)(secs / 60 % 60));
		buf[16] = ':';
		put2(buf + 17, (int)(secs % 60));
		memcpy(buf + 19, "Z", 2);
	} else
		snprintf(buf, n, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, m,
		    d, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
	return buf;
}

/* ---- the shop time zone ---- */

/* A compiled zone file starts with "TZif" (zone.tab and friends do not). */
static int
is_tzif(const char *path)
{
	FILE *fp;
	char magic[4];
	size_t got;

	if ((fp = fopen(path, "rb")) == NULL)
		return 0;
	got = fread(magic, 1, sizeof(magic), fp);
	fclose(fp);
	return got == sizeof(magic) && memcmp(magic, "TZif", 4) == 0;
}

int
tshop_tz_set(const char *name, struct tshop_err *e)
{
	struct stat st;
	char path[512];
	const char *p;
	int n;

	if (name == NULL || *name == '\0')
		return tshop_errorf(e, TSHOP_EXIT_USAGE, "empty time zone");
	if (strcmp(name, "UTC") != 0 && strcmp(name, "GMT") != 0) {
		for (p = name; *p; p++)
			if (!(is_digit(*p) || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= 'a' && *p <= 'z') || *p == '/' ||
			    *p == '_' || *p == '-' || *p == '+'))
				break;
		if (*p != '\0' || name[0] == '/' || strstr(name, "..") != NULL)
			return tshop_errorf(e, TSHOP_EXIT_USAGE,
			    "unknown time zone: %s", name);
		n = snprintf(path, sizeof(path), "%s%s", ZONEINFO, name);
		if (n < 0 || (size_t)n >= sizeof(path) ||
		    stat(path, &st) == -1 || !S_ISREG(st.st_mode) ||
		    !is_tzif(path))
			return tshop_errorf(e, TSHOP_EXIT_USAGE,
			    "unknown time zone: %s", name);
	}
	if (setenv("TZ", name, 1) == -1)
		return tshop_errorf(e, TSHOP_EXIT_LOCAL,
		    "cannot set time zone %s", name);
	tzset();
	return 0;
}

/* Local civil fields of an instant (UTC fields if the C library fails). */
static void
local_fields(tshop_time t, int64_t *day, int64_t *sec)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (localtime_r(&tt, &tm) == NULL) {
		*day = t / DAY;
		*sec = t % DAY;
		if (*sec < 0) {
			*sec += DAY;
			(*day)--;
		}
		return;
	}
	*day = days_from_civil((int64_t)tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday);
	*sec = tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
}

/* UTC offset of the shop zone at instant t, in seconds east. */
static int64_t
offset_at(tshop_time t)
{
	int64_t day, sec;

	local_fields(t, &day, &sec);
	return day * DAY + sec - t;
}

/*
 * The instant of the local wall-clock time `l` (local seconds since the
 * epoch).  Ambiguous (clock set back): the first.  In a gap (clock set
 * forward): with `shift`, moved forward by the length of the gap (02:30
 * becomes 03:30); without, the first instant after the gap.
 */
static tshop_time
local_to_time(int64_t l, int shift)
{
	int64_t oa, ob, ta, tb, lo, hi, mid;
	int va, vb;

	oa = offset_at(l - DAY);
	ob = offset_at(l + DAY);
	ta = l - oa;
	tb = l - ob;
	va = offset_at(ta) == oa;
	vb = tb == ta ? va : offset_at(tb) == ob;
	if (va && vb)
		return ta < tb ? ta : tb;
	if (va)
		return ta;
	if (vb)
		return tb;
	/* A gap: the transition lies in (l - ob, l - oa]; oa < ob. */
	if (shift)
		return ta;
	lo = tb;		/* offset here is not ob */
	hi = ta;		/* offset here is ob */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (offset_at(mid) == ob)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

tshop_date
tshop_local_date(tshop_time t)
{
	int64_t day, sec;

	local_fields(t, &day, &sec);
	return (tshop_date)day;
}

tshop_time
tshop_local_midnight(tshop_date d)
{
	return local_to_time((int64_t)d * DAY, 0);
}

tshop_time
tshop_add_local_days(tshop_time t, int days)
{
	int64_t day, sec;

	if (days == 0)
		return t;
	local_fields(t, &day, &sec);
	return local_to_time((day + days) * DAY + sec, 1);
}

/* ---- holidays and business days ---- */

static int
date_cmp(const void *a, const void *b)
{
	tshop_date x = *(const tshop_date *)a, y = *(const tshop_date *)b;

	return x < y ? -1 : x > y;
}

/* Items are trimmed; empty items are skipped; duplicates are merged. */
int
tshop_holidays_parse(const char *s, struct tshop_holidays *h)
{
	char *copy, *p, *item, *next;
	tshop_date *days;
	size_t n = 0, cap = 1, i, j;

	h->days = NULL;
	h->n = 0;
	if (s == NULL)
		return 0;
	for (p = (char *)s; *p; p++)
		if (*p == ',')
			cap++;
	if ((copy = strdup(s)) == NULL)
		return -1;
	if ((days = calloc(cap, sizeof(*days))) == NULL) {
		free(copy);
		return -1;
	}
	for (item = copy; item != NULL; item = next) {
		next = strchr(item, ',');
		if (next != NULL)
			*next++ = '\0';
		item = tshop_trim(item);
		if (*item == '\0')
			continue;
		if (tshop_date_parse(item, &days[n]) == -1) {
			free(days);
			free(copy);
			return -1;
		}
		n++;
	}
	free(copy);
	if (n == 0) {
		free(days);
		return 0;
	}
	qsort(days, n, sizeof(*days), date_cmp);
	for (i = 1, j = 1; i < n; i++)
		if (days[i] != days[j - 1])
			days[j++] = days[i];
	h->days = days;
	h->n = j;
	return 0;
}

void
tshop_holidays_release(struct tshop_holidays *h)
{
	if (h == NULL)
		return;
	free(h->days);
	h->days = NULL;
	h->n = 0;
}

bool
tshop_is_holiday(const struct tshop_holidays *h, tshop_date d)
{
	if (h == NULL || h->n == 0)
		return false;
	return bsearch(&d, h->days, h->n, sizeof(*h->days), date_cmp) != NULL;
}

bool
tshop_is_business_day(const struct tshop_holidays *h, tshop_date d)
{
	int w = tshop_date_weekday(d);

	return w != 0 && w != 6 && !tshop_is_holiday(h, d);
}

/* n ≤ 0 returns t unchanged.  A DST gap moves the time forward. */
tshop_time
tshop_add_business_days(tshop_time t, int n, const struct tshop_holidays *h)
{
	int64_t day, sec;
	int counted = 0;

	if (n <= 0)
		return t;
	local_fields(t, &day, &sec);
	while (counted < n) {
		day++;
		if (tshop_is_business_day(h, (tshop_date)day))
			counted++;
	}
	return local_to_time(day * DAY + sec, 1);
}

/* ---- parsing instants ---- */

/*
 * After a date: [sep] h:mm[:ss[.frac]] [AM|PM] [Z|UTC|GMT|±hh[[:]mm]].
 * *has_off tells whether an offset was given (*off in seconds east).
 */
static int
parse_clock(const char *p, int *hh, int *mi, int *ss, int *has_off,
    int64_t *off)
{
	const char *q;
	int h, m, s = 0, ampm = 0, oh, om = 0, sign;

	if (digits_range(&p, 1, 2, &h) == -1 || *p++ != ':' ||
	    digits_n(&p, 2, &m) == -1)
		return -1;
	if (*p == ':') {
		p++;
		if (digits_n(&p, 2, &s) == -1)
			return -1;
		if (*p == '.' || *p == ',') {
			p++;
			if (!is_digit(*p))
				return -1;
			while (is_digit(*p))
				p++;
		}
	}
	while (is_space(*p))
		p++;
	if ((lower(p[0]) == 'a' || lower(p[0]) == 'p') && lower(p[1]) == 'm') {
		ampm = lower(p[0]) == 'a' ? 1 : 2;
		p += 2;
		while (is_space(*p))
			p++;
	}
	*has_off = 0;
	*off = 0;
	if (*p == 'Z' || *p == 'z') {
		*has_off = 1;
		p++;
	} else if ((strncmp(p, "UTC", 3) == 0 || strncmp(p, "GMT", 3) == 0) &&
	    p[3] == '\0') {
		*has_off = 1;
		p += 3;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		q = p;
		if (digits_range(&p, 2, 4, &oh) == -1 || p - q == 3)
			return -1;
		if (p - q == 4) {	/* "-0800" */
			om = oh % 100;
			oh /= 100;
		} else if (*p == ':') {
			p++;
			if (digits_n(&p, 2, &om) == -1)
				return -1;
		}
		if (oh > 23 || om > 59)
			return -1;
		*has_off = 1;
		*off = sign * (int64_t)(oh * 3600 + om * 60);
	}
	if (*p != '\0')
		return -1;
	if (ampm) {
		if (h < 1 || h > 12)
			return -1;
		if (h == 12)
			h = 0;
		if (ampm == 2)
			h += 12;
	}
	if (h > 23 || m > 59 || s > 59)
		return -1;
	*hh = h;
	*mi = m;
	*ss = s;
	return 0;
}

int
tshop_time_parse(const char *s, enum tshop_date_order order, tshop_time *out)
{
	char buf[128];
	const char *p;
	char *str;
	size_t len;
	int y, m, d, a, b, h = 0, mi = 0, sec = 0, has_off = 0;
	int64_t off = 0, v;

	if (s == NULL || (len = strlen(s)) >= sizeof(buf))
		return -1;
	memcpy(buf, s, len + 1);
	str = tshop_trim(buf);
	p = str;
	if (*p == '\0')
		return -1;

	/* Unix seconds: all digits, at most 10. */
	for (len = 0; is_digit(p[len]); len++)
		;
	if (p[len] == '\0') {
		if (len > 10)
			return -1;
		for (v = 0; *p; p++)
			v = v * 10 + (*p - '0');
		*out = v;
		return 0;
	}

	if (len == 4 && (p[4] == '-' || p[4] == '/')) {
		/* ISO "2026-11-21", or "2026/11/21". */
		char sep = p[4];

		if (digits_n(&p, 4, &y) == -1 || *p++ != sep ||
		    digits_range(&p, sep == '-' ? 2 : 1, 2, &m) == -1 ||
		    *p++ != sep ||
		    digits_range(&p, sep == '-' ? 2 : 1, 2, &d) == -1)
			return -1;
		if (*p == 'T' || *p == 't') {
			if (!is_digit(p[1]))
				return -1;
			p++;
		} else if (*p != '\0' && !is_space(*p))
			return -1;
	} else if (len >= 1 && len <= 2 && p[len] == '/') {
		/* "11/21/2026" (MDY) or "21/11/2026" (DMY). */
		if (digits_range(&p, 1, 2, &a) == -1 || *p++ != '/' ||
		    digits_range(&p, 1, 2, &b) == -1 || *p++ != '/' ||
		    digits_n(&p, 4, &y) == -1)
			return -1;
		if (order == TSHOP_DMY) {
			d = a;
			m = b;
		} else {
			m = a;
			d = b;
		}
		if (*p == ',')
			p++;
		if (*p != '\0' && !is_space(*p))
			return -1;
	} else
		return -1;
	if (!ymd_valid(y, m, d))
		return -1;
	while (is_space(*p))
		p++;
	if (*p != '\0' &&
	    parse_clock(p, &h, &mi, &sec, &has_off, &off) == -1)
		return -1;
	v = days_from_civil(y, m, d) * DAY + h * 3600 + mi * 60 + sec;
	*out = has_off ? v - off : local_to_time(v, 1);
	return 0;
}

/* ---- now ---- */

static int now_ready;		/* tshop_now_init ran */
static int now_fixed;		/* TSHOP_NOW gave a time */
static tshop_time now_value;

/*
 * TSHOP_NOW is parsed in the shop time zone (call after tshop_tz_set when
 * it may lack an offset) and month first.  Without it, tshop_now() reads
 * the clock at every call.
 */
int
tshop_now_init(struct tshop_err *e)
{
	const char *s = getenv("TSHOP_NOW");
	tshop_time t;

	now_ready = 1;
	now_fixed = 0;
	if (s == NULL || *s == '\0')
		return 0;
	if (tshop_time_parse(s, TSHOP_MDY, &t) == -1)
		return tshop_errorf(e, TSHOP_EXIT_USAGE,
		    "TSHOP_NOW: not a time: %s", s);
	now_fixed = 1;
	now_value = t;
	return 0;
}

tshop_time
tshop_now(void)
{
	if (!now_ready)
		(void)tshop_now_init(NULL);
	if (now_fixed)
		return now_value;
	return (tshop_time)time(NULL);
}

/* ---- durations ---- */

static const struct {
	const char *name;
	int64_t secs;
} units[] = {
	{ "s", 1 }, { "sec", 1 }, { "secs", 1 }, { "second", 1 },
	{ "seconds", 1 },
	{ "m", 60 }, { "min", 60 }, { "mins", 60 }, { "minute", 60 },
	{ "minutes", 60 },
	{ "h", 3600 }, { "hr", 3600 }, { "hrs", 3600 }, { "hour", 3600 },
	{ "hours", 3600 },
	{ "d", DAY }, { "day", DAY }, { "days", DAY },
	{ "w", 7 * DAY }, { "wk", 7 * DAY }, { "week", 7 * DAY },
	{ "weeks", 7 * DAY },
};

/*
 * "3600" (seconds), "90m", "24h", "2d", "1w", "3600s", also "1h30m",
 * "2 days".  Units are case-insensitive.
 */
int
tshop_duration_parse(const char *s, int64_t *seconds)
{
	const char *p, *u;
	int64_t total = 0, n, mult;
	size_t i, ul;
	int parts = 0;

	if (s == NULL)
		return -1;
	p = s;
	while (is_space(*p))
		p++;
	if (*p == '\0')
		return -1;
	while (*p != '\0') {
		if (!is_digit(*p))
			return -1;
		for (n = 0; is_digit(*p); p++) {
			if (n > (INT64_MAX - 9) / 10)
				return -1;
			n = n * 10 + (*p - '0');
		}
		while (is_space(*p))
			p++;
		for (u = p; (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
		    p++)
			;
		ul = (size_t)(p - u);
		if (ul == 0) {
			/* "24" could mean hours as well as seconds: only 0 needs no unit */
			if (*p != '\0' || parts > 0 || n != 0)
				return -1;
			mult = 1;
		} else {
			for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
				if (strlen(units[i].name) == ul &&
				    strncasecmp(units[i].name, u, ul) == 0)
					break;
			if (i == sizeof(units) / sizeof(units[0]))
				return -1;
			mult = units[i].secs;
		}
		if (n > (INT64_MAX - total) / mult)
			return -1;
		total += n * mult;
		parts++;
		while (is_space(*p))
			p++;
	}
	*seconds = total;
	return 0;
}
