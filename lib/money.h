/*
 * money.h — exact money and exact decimal display (SPEC §2.2, §2.3).
 *
 * Money is an int64_t count of minor units of the shop currency (cents
 * for USD); `digits` is the number of minor digits (2, or 0 for JPY...).
 * Nothing here uses floating point.  Every rounding is half up, i.e. half
 * away from zero, computed on integers (128-bit intermediates).
 */
#ifndef TSHOP_MONEY_H
#define TSHOP_MONEY_H

#include <stddef.h>
#include <stdint.h>

/* Minor digits of an ISO 4217 currency code: 0 for JPY, KRW, VND, CLP, ...; 2 otherwise (also for NULL/""). */
int tshop_currency_digits(const char *currency);

/*
 * Parse an amount into minor units: "1234.5", "-3.00", "1,234.56", "$12.34",
 * "USD 12.34", "12.34 USD", "(12.34)" (negative), "-$5", "+7".  More decimals than
 * `digits` are accepted only when the extra ones are zeros ("1.500"), so no
 * amount is ever rounded silently.  0 on success, -1 when `s` is not an amount.
 */
int tshop_money_parse(const char *s, int digits, int64_t *out);

/* Write `v` minor units as "-1234.56" (no grouping, no symbol) into buf; returns buf. */
char *tshop_money_format(int64_t v, int digits, char *buf, size_t n);

/* round_half_up(num / den) for den != 0: halves go away from zero. */
int64_t tshop_div_half_up(int64_t num, int64_t den);

/* Ceiling of num / den for den > 0 (toward +infinity). */
int64_t tshop_div_ceil(int64_t num, int64_t den);

/*
 * Write the exact value num / den rounded half up to `decimals` places,
 * e.g. (10, 3, 2) → "3.33", (1, 8, 2) → "0.13", (-1, 8, 2) → "-0.13".
 * den must not be 0.  Returns buf.
 */
char *tshop_ratio_format(int64_t num, int64_t den, int decimals, char *buf, size_t n);

/* A percentage as an exact fraction: "8%" is {8, 100}, "2.9%" is {29, 1000}. */
struct tshop_rate {
	int64_t num, den;	/* den > 0 */
};

/*
 * Parse a percentage: "8%", "8", "2.9%", "0.5 %" (at most 6 decimals,
 * 0 ≤ rate ≤ 100).  0 on success, -1 otherwise.
 */
int tshop_rate_parse(const char *s, struct tshop_rate *r);

/* round_half_up(amount × rate) in minor units. */
int64_t tshop_rate_apply(struct tshop_rate r, int64_t amount);

/* A fee like "2.9%+0.30": a rate on the amount plus a fixed amount. */
struct tshop_fee {
	struct tshop_rate rate;
	int64_t fixed;		/* minor units */
};

/* Parse "2.9%+0.30", "3%", "0.30", "2.9% + 0.30".  0 on success, -1 otherwise. */
int tshop_fee_parse(const char *s, int digits, struct tshop_fee *f);

/* round_half_up(amount × rate) + fixed. */
int64_t tshop_fee_apply(const struct tshop_fee *f, int64_t amount);

#endif
