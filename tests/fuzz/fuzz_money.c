/*
 * fuzz_money.c — the money parsers: tshop_money_parse (for 0, 2 and 3
 * minor digits), tshop_rate_parse and tshop_fee_parse.  Properties: a
 * parsed amount formats and parses back to the same minor units; a rate
 * is a fraction in [0, 1] with a positive denominator; applying a parsed
 * rate or fee to a parsed amount is defined (UBSan checks the arithmetic).
 */
#include <inttypes.h>

#include "fuzz.h"
#include "money.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int digits[] = { 0, 2, 3 };
	char *s = fuzz_cstr(data, size), buf[64];
	int64_t v, w;
	struct tshop_rate r;
	struct tshop_fee f;

	for (size_t i = 0; i < sizeof(digits) / sizeof(digits[0]); i++) {
		if (tshop_money_parse(s, digits[i], &v) == -1)
			continue;
		tshop_money_format(v, digits[i], buf, sizeof(buf));
		FUZZ_ASSERT(tshop_money_parse(buf, digits[i], &w) == 0);
		FUZZ_ASSERT(v == w);
	}
	if (tshop_rate_parse(s, &r) == 0) {
		FUZZ_ASSERT(r.den > 0);
		FUZZ_ASSERT(r.num >= 0 && r.num <= r.den);
		(void)tshop_rate_apply(r, 123456);
		(void)tshop_rate_apply(r, -99);
	}
	if (tshop_fee_parse(s, 2, &f) == 0) {
		FUZZ_ASSERT(f.rate.den > 0);
		(void)tshop_fee_apply(&f, 2999);
	}
	free(s);
	return 0;
}
