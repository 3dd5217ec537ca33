/*
 * money.c — exact money and exact decimal display (SPEC §2.2, §2.3).
 *
 * Amounts are int64_t minor units; every computation that could overflow
 * or round goes through 128-bit integers.  No floating point.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "money.h"
#include "util.h"

#define MAX_DIGITS	18	/* 10^18 < 2^63 */

typedef __int128 i128;
typedef unsigned __int128 u128;

static const int64_t pow10_tab[MAX_DIGITS + 1] = {
	1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL,
	100000000LL, 1000000000LL, 10000000000LL, 100000000000LL,
	1000000000000LL, 10000000000000LL, 100000000000000LL,
	1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
	1000000000000000000LL
};

/* ISO 4217 currencies whose minor unit is 0. */
static const char *const zero_decimal[] = {
	"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
	"RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"
};

int
tshop_currency_digits(const char *currency)
{
	char code[4];
	size_t i;

	/* a code is three letters: fold them to upper case once (called per row) */
	for (i = 0; currency != NULL && i < 4 && currency[i] != '\0'; i++)
		code[i] = (char)toupper((unsigned char)currency[i]);
	if (i != 3)
		return 2;
	code[3] = '\0';
	for (i = 0; i < sizeof(zero_decimal) / sizeof(zero_decimal[0]); i++)
		if (memcmp(code, zero_decimal[i], 4) == 0)
			return 0;
	return 2;
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Clamp a 128-bit value into int64_t. */
static int64_t
clamp64(i128 v)
{
	if (v > INT64_MAX)
		return INT64_MAX;
	if (v < INT64_MIN)
		return INT64_MIN;
	return (int64_t)v;
}

/* round_half_up(num / den) on 128 bits; den != 0. */
static i128
div_half_up128(i128 num, i128 den)
{
	i128 q, r, ar, ad;

	q = num / den;
	r = num % den;
	if (r == 0)
		return q;
	ar = r < 0 ? -r : r;
	ad = den < 0 ? -den : den;
	if (ar >= ad - ar) {
		/* |r| >= |den| / 2: away from zero, i.e. the sign of the quotient. */
		if ((num < 0) != (den < 0))
			q--;
		else
			q++;
	}
	return q;
}

int64_t
tshop_div_half_up(int64_t num, int64_t den)
{
	if (den == 0)
		return 0;
	return clamp64(div_half_up128(num, den));
}

int64_t
tshop_div_ceil(int64_t num, int64_t den)
{
	i128 n = num, d = den, q, r;

	if (den == 0)
		return 0;
	if (d < 0) {
		n = -n;
		d = -d;
	}
	q = n / d;
	r = n % d;
	if (r > 0)
		q++;
	return clamp64(q);
}

/*
 * Write the magnitude `mag` as a decimal with `decimals` places and an
 * optional minus sign into buf.
 */
static char *
write_fixed(u128 mag, int neg, int decimals, char *buf, size_t n)
{
	char tmp[64];
	size_t len = 0, i, o = 0;

	if (buf == NULL || n == 0)
		return buf;
	do {
		tmp[len++] = (char)('0' + (int)(mag % 10));
		mag /= 10;
	} while (mag != 0 && len < sizeof(tmp));
	while (len <= (size_t)decimals && len < sizeof(tmp))
		tmp[len++] = '0';
	if (neg && o + 1 < n)
		buf[o++] = '-';
	for (i = len; i > 0; i--) {
		if (decimals > 0 && i == (size_t)decimals && o + 1 < n)
			buf[o++] = '.';
		if (o + 1 < n)
			buf[o++] = tmp[i - 1];
	}
	buf[o] = '\0';
	return buf;
}

char *
tshop_money_format(int64_t v, int digits, char *buf, size_t n)
{
	u128 mag;

	if (digits < 0)
		digits = 0;
	if (digits > MAX_DIGITS)
		digits = MAX_DIGITS;
	mag = v < 0 ? (u128)(-(i128)v) : (u128)v;
	return write_fixed(mag, v < 0, digits, buf, n);
}

/* `decimals` is clamped to 0..18. */
char *
tshop_ratio_format(int64_t num, int64_t den, int decimals, char *buf, size_t n)
{
	i128 q;

	if (buf == NULL || n == 0)
		return buf;
	if (den == 0) {
		buf[0] = '\0';
		return buf;
	}
	if (decimals < 0)
		decimals = 0;
	if (decimals > MAX_DIGITS)
		decimals = MAX_DIGITS;
	/* |num| * 10^18 < 2^63 * 2^60 fits in 127 bits. */
	q = div_half_up128((i128)num * pow10_tab[decimals], den);
	return write_fixed(q < 0 ? (u128)(-q) : (u128)q, q < 0, decimals,
	    buf, n);
}

/*
 * Parse the unsigned number at [p, end): digits with optional grouping
 * commas (groups of three after a first group of one to three), an
 * optional '.' and fraction digits.  At least one digit.  The magnitude
 * in units of 10^-digits goes to *mag; extra fraction digits must be 0.
 */
static int
parse_number(const char *p, const char *end, int digits, u128 *mag)
{
	u128 v = 0;
	int ndig = 0, group = 0, grouped = 0, fdig = 0;

	for (; p < end && (is_digit(*p) || *p == ','); p++) {
		if (*p == ',') {
			if (ndig == 0 || (grouped ? group != 3 : group > 3))
				return -1;
			grouped = 1;
			group = 0;
			continue;
		}
		v = v * 10 + (unsigned)(*p - '0');
		if (v > (u128)INT64_MAX + 1)
			return -1;
		ndig++;
		group++;
	}
	if (grouped && group != 3)
		return -1;
	if (p < end && *p == '.') {
		for (p++; p < end && is_digit(*p); p++) {
			if (fdig < digits) {
				v = v * 10 + (unsigned)(*p - '0');
				fdig++;
			} else if (*p != '0')
				return -1;
			ndig++;
		}
	}
	if (p != end || ndig == 0)
		return -1;
	for (; fdig < digits; fdig++) {
		v *= 10;
		if (v > (u128)INT64_MAX + 1)
			return -1;
	}
	if (v > (u128)INT64_MAX + 1)
		return -1;
	*mag = v;
	return 0;
}

/* Skip a currency symbol at p ($, €, £, ¥); returns the position after it. */
static const char *
skip_symbol(const char *p, const char *end)
{
	static const char *const sym[] = { "$", "\xe2\x82\xac", "\xc2\xa3",
	    "\xc2\xa5" };
	size_t i, l;

	for (i = 0; i < sizeof(sym) / sizeof(sym[0]); i++) {
		l = strlen(sym[i]);
		if ((size_t)(end - p) >= l && memcmp(p, sym[i], l) == 0)
			return p + l;
	}
	return p;
}

/*
 * Accepted: optional spaces; an optional ISO code (three letters) before
 * or after the amount; parentheses for a negative amount; a sign before
 * or after a currency symbol ("-$5", "$-5"), at most one sign.
 */
int
tshop_money_parse(const char *s, int digits, int64_t *out)
{
	const char *p, *end, *q;
	int neg = 0, paren = 0, sign = 0;
	u128 mag;

	if (s == NULL || digits < 0 || digits > MAX_DIGITS)
		return -1;
	p = s;
	end = s + strlen(s);
	while (p < end && is_space(*p))
		p++;
	while (end > p && is_space(end[-1]))
		end--;
	/* Currency code before: "USD 12.34", "USD12.34". */
	if (end - p >= 3 && is_alpha(p[0]) && is_alpha(p[1]) &&
	    is_alpha(p[2]) && (end - p == 3 || !is_alpha(p[3]))) {
		p += 3;
		while (p < end && is_space(*p))
			p++;
	} else if (end - p >= 3 && is_alpha(end[-1]) && is_alpha(end[-2]) &&
	    is_alpha(end[-3]) && (end - p == 3 || !is_alpha(end[-4]))) {
		/* ... or after: "12.34 USD". */
		end -= 3;
		while (end > p && is_space(end[-1]))
			end--;
	}
	if (p < end && *p == '(') {
		if (end[-1] != ')')
			return -1;
		paren = 1;
		p++;
		end--;
		while (p < end && is_space(*p))
			p++;
		while (end > p && is_space(end[-1]))
			end--;
	}
	if (p < end && (*p == '-' || *p == '+')) {
		sign = 1;
		neg = *p == '-';
		p++;
	}
	q = skip_symbol(p, end);
	if (q != p) {
		p = q;
		while (p < end && is_space(*p))
			p++;
		if (!sign && p < end && (*p == '-' || *p == '+')) {
			sign = 1;
			neg = *p == '-';
			p++;
		}
	}
	if (paren && sign)
		return -1;
	if (p >= end || !(is_digit(*p) || *p == '.'))
		return -1;
	if (parse_number(p, end, digits, &mag) == -1)
		return -1;
	neg |= paren;
	if (!neg && mag > (u128)INT64_MAX)
		return -1;
	*out = neg ? (int64_t)(-(i128)mag) : (int64_t)mag;
	return 0;
}

int
tshop_rate_parse(const char *s, struct tshop_rate *r)
{
	const char *p, *end;
	int64_t num = 0, den = 100;
	int ndig = 0, fdig = 0;

	if (s == NULL)
		return -1;
	p = s;
	end = s + strlen(s);
	while (p < end && is_space(*p))
		p++;
	while (end > p && is_space(end[-1]))
		end--;
	if (end > p && end[-1] == '%') {
		end--;
		while (end > p && is_space(end[-1]))
			end--;
	}
	for (; p < end && is_digit(*p); p++) {
		num = num * 10 + (*p - '0');
		if (num > 100)
			return -1;
		ndig++;
	}
	if (p < end && *p == '.') {
		for (p++; p < end && is_digit(*p); p++) {
			if (++fdig > 6)
				return -1;
			num = num * 10 + (*p - '0');
			den *= 10;
			ndig++;
		}
	}
	if (p != end || ndig == 0 || num > den)
		return -1;
	r->num = num;
	r->den = den;
	return 0;
}

int64_t
tshop_rate_apply(struct tshop_rate r, int64_t amount)
{
	if (r.den == 0)
		return 0;
	return clamp64(div_half_up128((i128)amount * r.num, r.den));
}

int
tshop_fee_parse(const char *s, int digits, struct tshop_fee *f)
{
	char buf[128];
	char *p, *pct, *rest;
	size_t len;
	int plus;
	struct tshop_fee v = { { 0, 100 }, 0 };

	if (s == NULL || (len = strlen(s)) >= sizeof(buf))
		return -1;
	memcpy(buf, s, len + 1);
	p = tshop_trim(buf);
	if (*p == '\0')
		return -1;
	pct = strchr(p, '%');
	if (pct != NULL) {
		rest = pct + 1;
		while (is_space(*rest))
			rest++;
		if (*rest != '\0' && *rest != '+')
			return -1;
		plus = *rest == '+';
		pct[1] = '\0';
		if (tshop_rate_parse(p, &v.rate) == -1)
			return -1;
		if (!plus) {
			*f = v;
			return 0;
		}
		p = rest + 1;
		while (is_space(*p))
			p++;
		if (*p == '\0')
			return -1;
	}
	if (*p == '-' || *p == '(' ||
	    tshop_money_parse(p, digits, &v.fixed) == -1 || v.fixed < 0)
		return -1;
	*f = v;
	return 0;
}

int64_t
tshop_fee_apply(const struct tshop_fee *f, int64_t amount)
{
	i128 v;

	v = (i128)tshop_rate_apply(f->rate, amount) + f->fixed;
	return clamp64(v);
}
