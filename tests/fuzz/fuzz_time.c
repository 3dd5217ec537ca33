/*
 * fuzz_time.c — the date and time parsers: tshop_time_parse (both date
 * orders, in a time zone with daylight saving), tshop_date_parse,
 * tshop_duration_parse and tshop_holidays_parse.  Properties: a parsed
 * instant formats as ISO-8601 UTC and parses back to itself; a parsed
 * date formats and parses back to itself; a duration is not negative.
 */
#include "fuzz.h"
#include "timeutil.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int zone_set;
	char *s = fuzz_cstr(data, size), buf[64];
	tshop_time t, u;
	tshop_date d, d2;
	int64_t secs;
	struct tshop_holidays h;

	if (!zone_set) {
		struct tshop_err e;

		if (tshop_tz_set("America/New_York", &e) == -1)
			abort();
		zone_set = 1;
	}
	for (int order = TSHOP_MDY; order <= TSHOP_DMY; order++) {
		if (tshop_time_parse(s, (enum tshop_date_order)order, &t) == -1)
			continue;
		tshop_time_format(t, buf, sizeof(buf));
		FUZZ_ASSERT(tshop_time_parse(buf, TSHOP_MDY, &u) == 0);
		FUZZ_ASSERT(t == u);
		(void)tshop_local_date(t);
	}
	if (tshop_date_parse(s, &d) == 0) {
		tshop_date_format(d, buf, sizeof(buf));
		FUZZ_ASSERT(tshop_date_parse(buf, &d2) == 0);
		FUZZ_ASSERT(d == d2);
		FUZZ_ASSERT(tshop_date_weekday(d) >= 0 && tshop_date_weekday(d) <= 6);
	}
	if (tshop_duration_parse(s, &secs) == 0)
		FUZZ_ASSERT(secs >= 0);
	if (tshop_holidays_parse(s, &h) == 0)
		tshop_holidays_release(&h);
	free(s);
	return 0;
}
