/*
 * test_money.c — exact money: rounding, parsing, formatting, rates, fees.
 * Expected values are worked out by hand.
 */
#include <stdint.h>

#include "money.h"
#include "unit.h"

static void
parse_ok(const char *s, int digits, int64_t want)
{
	int64_t v = 12345;
	int rc = tshop_money_parse(s, digits, &v);

	OK(rc == 0 && v == want, "money_parse '%s' (%d digits) = %lld (got rc %d, %lld)",
	    s, digits, (long long)want, rc, (long long)v);
}

static void
parse_bad(const char *s, int digits)
{
	int64_t v;

	INT_EQ(tshop_money_parse(s, digits, &v), -1, "money_parse rejects '%s'", s);
}

static const char *
fmt(int64_t v, int digits)
{
	static char buf[64];

	return tshop_money_format(v, digits, buf, sizeof(buf));
}

static const char *
ratio(int64_t num, int64_t den, int decimals)
{
	static char buf[80];

	return tshop_ratio_format(num, den, decimals, buf, sizeof(buf));
}

int
main(void)
{
	struct tshop_rate r;
	struct tshop_fee f;
	char small[4];

	/* Rounding half away from zero. */
	INT_EQ(tshop_div_half_up(5, 10), 1, "5/10 -> 1");
	INT_EQ(tshop_div_half_up(-5, 10), -1, "-5/10 -> -1");
	INT_EQ(tshop_div_half_up(5, -10), -1, "5/-10 -> -1");
	INT_EQ(tshop_div_half_up(-5, -10), 1, "-5/-10 -> 1");
	INT_EQ(tshop_div_half_up(15, 10), 2, "15/10 -> 2");
	INT_EQ(tshop_div_half_up(-15, 10), -2, "-15/10 -> -2");
	INT_EQ(tshop_div_half_up(14, 10), 1, "14/10 -> 1");
	INT_EQ(tshop_div_half_up(-14, 10), -1, "-14/10 -> -1");
	INT_EQ(tshop_div_half_up(4, 10), 0, "4/10 -> 0");
	INT_EQ(tshop_div_half_up(20, 10), 2, "20/10 -> 2");
	INT_EQ(tshop_div_half_up(1, 3), 0, "1/3 -> 0");
	INT_EQ(tshop_div_half_up(2, 3), 1, "2/3 -> 1");
	INT_EQ(tshop_div_half_up(0, 7), 0, "0/7 -> 0");
	INT_EQ(tshop_div_half_up(INT64_MAX, 1), INT64_MAX, "INT64_MAX/1");
	INT_EQ(tshop_div_ceil(7, 2), 4, "ceil 7/2");
	INT_EQ(tshop_div_ceil(6, 2), 3, "ceil 6/2");
	INT_EQ(tshop_div_ceil(-7, 2), -3, "ceil -7/2");
	INT_EQ(tshop_div_ceil(0, 5), 0, "ceil 0/5");
	INT_EQ(tshop_div_ceil(1, 1000), 1, "ceil 1/1000");

	/* Currency digits. */
	INT_EQ(tshop_currency_digits("USD"), 2, "USD 2");
	INT_EQ(tshop_currency_digits("JPY"), 0, "JPY 0");
	INT_EQ(tshop_currency_digits("jpy"), 0, "jpy 0");
	INT_EQ(tshop_currency_digits("KRW"), 0, "KRW 0");
	INT_EQ(tshop_currency_digits("VND"), 0, "VND 0");
	INT_EQ(tshop_currency_digits("IDR"), 2, "IDR 2");
	INT_EQ(tshop_currency_digits("GBP"), 2, "GBP 2");
	INT_EQ(tshop_currency_digits(""), 2, "empty 2");
	INT_EQ(tshop_currency_digits(NULL), 2, "NULL 2");
	INT_EQ(tshop_currency_digits("Xpf"), 0, "Xpf 0 (the last of the list, any case)");
	INT_EQ(tshop_currency_digits("BIF"), 0, "BIF 0 (the first)");
	INT_EQ(tshop_currency_digits("JPYX"), 2, "JPYX 2 (not a code)");
	INT_EQ(tshop_currency_digits("JP"), 2, "JP 2 (not a code)");

	/* Parsing: every accepted form. */
	parse_ok("1234.5", 2, 123450);
	parse_ok("-3.00", 2, -300);
	parse_ok("1,234.56", 2, 123456);
	parse_ok("1,234,567.89", 2, 123456789);
	parse_ok("$12.34", 2, 1234);
	parse_ok("-$12.34", 2, -1234);
	parse_ok("$-12.34", 2, -1234);
	parse_ok("USD 12.34", 2, 1234);
	parse_ok("12.34 USD", 2, 1234);
	parse_ok("usd 12.34", 2, 1234);
	parse_ok("(12.34)", 2, -1234);
	parse_ok("($12.34)", 2, -1234);
	parse_ok("-$5", 2, -500);
	parse_ok("+7", 2, 700);
	parse_ok(".5", 2, 50);
	parse_ok("12.", 2, 1200);
	parse_ok("  42.10  ", 2, 4210);
	parse_ok("1.500", 2, 150);
	parse_ok("0", 2, 0);
	parse_ok("-0.01", 2, -1);
	parse_ok("1500", 0, 1500);
	parse_ok("JPY 1,500", 0, 1500);
	parse_ok("1500.00", 0, 1500);
	parse_ok("92233720368547758.07", 2, INT64_MAX);
	parse_ok("-92233720368547758.08", 2, INT64_MIN);
	parse_ok("\xe2\x82\xac" "3.50", 2, 350);

	/* Parsing: rejections. */
	parse_bad("", 2);
	parse_bad("   ", 2);
	parse_bad("abc", 2);
	parse_bad("1.2.3", 2);
	parse_bad("12,34", 2);
	parse_bad("1,2345", 2);
	parse_bad("1234,567", 2);
	parse_bad(",123", 2);
	parse_bad("1,,234", 2);
	parse_bad("1e5", 2);
	parse_bad("1.234", 2);
	parse_bad("1.5", 0);
	parse_bad("92233720368547758.08", 2);
	parse_bad("99999999999999999999", 0);
	parse_bad("-", 2);
	parse_bad("$", 2);
	parse_bad(".", 2);
	parse_bad("--5", 2);
	parse_bad("-(5)", 2);
	parse_bad("(-5)", 2);
	parse_bad("(5", 2);
	parse_bad("1 234", 2);
	parse_bad("12.34 US", 2);
	parse_bad("-$-5", 2);

	/* Formatting. */
	STR_EQ(fmt(123456, 2), "1234.56", "format 1234.56");
	STR_EQ(fmt(-5, 2), "-0.05", "format -0.05");
	STR_EQ(fmt(0, 2), "0.00", "format 0.00");
	STR_EQ(fmt(100, 2), "1.00", "format 1.00");
	STR_EQ(fmt(1500, 0), "1500", "format JPY 1500");
	STR_EQ(fmt(-1500, 0), "-1500", "format JPY -1500");
	STR_EQ(fmt(INT64_MIN, 2), "-92233720368547758.08", "format INT64_MIN");
	STR_EQ(fmt(INT64_MAX, 2), "92233720368547758.07", "format INT64_MAX");
	STR_EQ(tshop_money_format(123456, 2, small, sizeof(small)), "123",
	    "format truncates to the buffer");

	/* Ratios. */
	STR_EQ(ratio(7, 3, 2), "2.33", "7/3 2dp");
	STR_EQ(ratio(2, 3, 2), "0.67", "2/3 2dp");
	STR_EQ(ratio(10, 3, 2), "3.33", "10/3 2dp");
	STR_EQ(ratio(1, 8, 2), "0.13", "1/8 2dp");
	STR_EQ(ratio(-1, 8, 2), "-0.13", "-1/8 2dp");
	STR_EQ(ratio(1, -8, 2), "-0.13", "1/-8 2dp");
	STR_EQ(ratio(-1, -8, 2), "0.13", "-1/-8 2dp");
	STR_EQ(ratio(0, 5, 2), "0.00", "0/5 2dp");
	STR_EQ(ratio(5, 1, 1), "5.0", "5/1 1dp");
	STR_EQ(ratio(45, 2, 1), "22.5", "45/2 1dp (days of supply)");
	STR_EQ(ratio(1, 4, 1), "0.3", "1/4 1dp -> 0.3");
	STR_EQ(ratio(-1, 4, 1), "-0.3", "-1/4 1dp -> -0.3");
	STR_EQ(ratio(-1, 300, 2), "0.00", "-1/300 2dp has no minus zero");
	STR_EQ(ratio(2, 3, 0), "1", "2/3 0dp");
	STR_EQ(ratio(385, 10000, 4), "0.0385", "385/10000 4dp");
	STR_EQ(ratio(INT64_MAX, 1, 2), "9223372036854775807.00", "INT64_MAX 2dp");
	STR_EQ(ratio(INT64_MIN, 1, 1), "-9223372036854775808.0", "INT64_MIN 1dp");
	STR_EQ(ratio(INT64_MAX, 2, 1), "4611686018427387903.5", "INT64_MAX/2 1dp");
	STR_EQ(ratio(1, 3, 18), "0.333333333333333333", "1/3 18dp");

	/* Rates. */
	OK(tshop_rate_parse("8%", &r) == 0 && r.num == 8 && r.den == 100, "rate 8%%");
	OK(tshop_rate_parse("8", &r) == 0 && r.num == 8 && r.den == 100, "rate 8");
	OK(tshop_rate_parse("2.9%", &r) == 0 && r.num == 29 && r.den == 1000, "rate 2.9%%");
	OK(tshop_rate_parse("0.5 %", &r) == 0 && r.num == 5 && r.den == 1000, "rate 0.5 %%");
	OK(tshop_rate_parse("100%", &r) == 0 && r.num == 100 && r.den == 100, "rate 100%%");
	OK(tshop_rate_parse("0%", &r) == 0 && r.num == 0, "rate 0%%");
	OK(tshop_rate_parse("1.123456%", &r) == 0 && r.num == 1123456 &&
	    r.den == 100000000, "rate with 6 decimals");
	INT_EQ(tshop_rate_parse("1.1234567%", &r), -1, "rate with 7 decimals rejected");
	INT_EQ(tshop_rate_parse("100.01%", &r), -1, "rate over 100 rejected");
	INT_EQ(tshop_rate_parse("-1%", &r), -1, "negative rate rejected");
	INT_EQ(tshop_rate_parse("%", &r), -1, "bare %% rejected");
	INT_EQ(tshop_rate_parse("", &r), -1, "empty rate rejected");
	INT_EQ(tshop_rate_parse("abc", &r), -1, "abc rate rejected");
	INT_EQ(tshop_rate_parse("5%%", &r), -1, "5%%%% rejected");

	/* Commission of exactly x.xx5 rounds up. */
	tshop_rate_parse("8%", &r);
	INT_EQ(tshop_rate_apply(r, 100625), 8050, "8%% of 1006.25 = 80.50");
	INT_EQ(tshop_rate_apply(r, -100625), -8050, "8%% of -1006.25 = -80.50");
	tshop_rate_parse("5%", &r);
	INT_EQ(tshop_rate_apply(r, 10), 1, "5%% of 0.10 = 0.01 (0.005 up)");
	INT_EQ(tshop_rate_apply(r, -10), -1, "5%% of -0.10 = -0.01");
	INT_EQ(tshop_rate_apply(r, 9), 0, "5%% of 0.09 = 0.00 (0.0045)");
	tshop_rate_parse("2.9%", &r);
	INT_EQ(tshop_rate_apply(r, 1000), 29, "2.9%% of 10.00 = 0.29");
	INT_EQ(tshop_rate_apply(r, 50), 1, "2.9%% of 0.50 = 0.01 (0.0145)");
	INT_EQ(tshop_rate_apply(r, INT64_MAX / 1000), 267477789068788,
	    "2.9%% of a huge amount, no overflow");

	/* Fees. */
	OK(tshop_fee_parse("2.9%+0.30", 2, &f) == 0 && f.rate.num == 29 &&
	    f.rate.den == 1000 && f.fixed == 30, "fee 2.9%%+0.30");
	INT_EQ(tshop_fee_apply(&f, 1000), 59, "fee 2.9%%+0.30 on 10.00 = 0.59");
	INT_EQ(tshop_fee_apply(&f, 0), 30, "fee 2.9%%+0.30 on 0 = 0.30");
	OK(tshop_fee_parse("2.9% + 0.30", 2, &f) == 0 && f.rate.num == 29 &&
	    f.fixed == 30, "fee with spaces");
	OK(tshop_fee_parse("3%", 2, &f) == 0 && f.rate.num == 3 &&
	    f.rate.den == 100 && f.fixed == 0, "fee 3%%");
	INT_EQ(tshop_fee_apply(&f, 1050), 32, "fee 3%% of 10.50 = 0.32 (0.315)");
	OK(tshop_fee_parse("0.30", 2, &f) == 0 && f.rate.num == 0 &&
	    f.fixed == 30, "fee 0.30");
	INT_EQ(tshop_fee_apply(&f, 1000), 30, "fixed fee 0.30");
	OK(tshop_fee_parse("5%+$1", 2, &f) == 0 && f.fixed == 100, "fee 5%%+$1");
	INT_EQ(tshop_fee_parse("2.9%+", 2, &f), -1, "fee with dangling +");
	INT_EQ(tshop_fee_parse("2.9%-0.30", 2, &f), -1, "fee with minus");
	INT_EQ(tshop_fee_parse("2.9%0.30", 2, &f), -1, "fee without +");
	INT_EQ(tshop_fee_parse("", 2, &f), -1, "empty fee");
	INT_EQ(tshop_fee_parse("x%", 2, &f), -1, "fee x%%");
	INT_EQ(tshop_fee_parse("-0.30", 2, &f), -1, "negative fixed fee");

	return UNIT_DONE();
}
