/*
 * tracking.h — carrier tracking numbers (SPEC §4.4): which courier formats
 * a number matches, and whether its check digit is right.
 *
 * The formats are data, not code: the courier definitions of the
 * tracking_number_data project (MIT licence, data/tracking_number_data/),
 * compiled into the library at build time (lib/tracking_data.c, generated
 * by scripts/embed.c), read with cJSON and matched with PCRE2.  A number
 * is a valid number of a format when
 *   - the whole number matches the format's regex,
 *   - its check digit is right, for the 23 formats that have a checksum
 *     (mod10, mod7, s10, sum_product_with_weightings_and_modulo,
 *     mod_37_36, luhn; see data/tracking_number_data/SOURCE.md), and
 *   - every `validation.additional.exists` lookup succeeds (S10: the
 *     country code must name a postal service).
 *
 * Normalisation: before matching, ASCII white space is removed anywhere in
 * the number and ASCII letters are uppercased ("1z 5r8..." is "1Z5R8...";
 * the data is uppercase).  Other characters are kept ("-" in LaserShip
 * numbers).  A number longer than TSHOP_TRACKING_MAX characters after
 * normalisation matches nothing.
 *
 * Format ids are the data's `id`.  Four formats have none and get one made
 * from their name, prefixed with the courier code unless it already starts
 * with it: ups_waybill, lasership_1ls7_18, old_dominion and
 * old_dominion_guaranteed_shipment.
 *
 * Some formats overlap and those without a checksum match many unrelated
 * strings: validate against the courier the seller named
 * (tshop_tracking_check) and report every match when identifying.
 */
#ifndef TSHOP_TRACKING_H
#define TSHOP_TRACKING_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Longest number considered, after normalisation. */
#define TSHOP_TRACKING_MAX 64

/* The loaded courier definitions; read-only once loaded. */
struct tshop_tracking;

/*
 * Load and compile every courier definition from the embedded data.
 * On success *t is set (free it with tshop_tracking_free) and 0 returned;
 * -1 with `e` filled (code TSHOP_EXIT_LOCAL) when the data does not parse
 * or memory ran out.  A loaded set may be shared by threads.
 */
int tshop_tracking_load(struct tshop_tracking **t, struct tshop_err *e);

/* Free what tshop_tracking_load() made; NULL is ignored. */
void tshop_tracking_free(struct tshop_tracking *t);

/*
 * Normalise `in` into `out` (size `outsz`) as described above.  Returns the
 * length, or -1 when it does not fit (out is then unspecified).  Useful to
 * store and compare numbers the way they are matched.
 */
int tshop_tracking_normalize(const char *in, char *out, size_t outsz);

/* Couriers, in the order of their data files (couriers/amazon.json first). */
size_t tshop_tracking_ncouriers(const struct tshop_tracking *t);
/* The data's courier_code ("usps", "canada_post"); NULL when i is out of range. */
const char *tshop_tracking_courier_code(const struct tshop_tracking *t, size_t i);
/* The data's courier name ("United States Postal Service"); NULL when out of range. */
const char *tshop_tracking_courier_name(const struct tshop_tracking *t, size_t i);
/* Index of the courier whose code or name is `s`, case-insensitively; -1 if none. */
int tshop_tracking_find_courier(const struct tshop_tracking *t, const char *s);
/* Number of formats of courier i (0 when out of range), and of all couriers. */
size_t tshop_tracking_courier_nformats(const struct tshop_tracking *t, size_t i);
size_t tshop_tracking_nformats(const struct tshop_tracking *t);

/* What a number is, for one format or for a courier. */
enum tshop_tracking_status {
	TSHOP_TRACKING_VALID = 0,	/* matches the format, checks pass */
	TSHOP_TRACKING_BAD_CHECK,	/* matches the regex, wrong check digit */
	TSHOP_TRACKING_BAD_FIELD,	/* matches, but a field's value is unknown */
	TSHOP_TRACKING_NO_FORMAT,	/* matches no format (of the courier) */
};

/*
 * One result.  The strings point into the struct tshop_tracking and live
 * as long as it does; value and number are copies.
 */
struct tshop_tracking_match {
	enum tshop_tracking_status status;
	const char *courier_code;	/* "usps" */
	const char *courier_name;	/* "United States Postal Service" */
	const char *format_id;		/* "usps_20"; NULL with NO_FORMAT */
	const char *format_name;	/* "USPS 20"; NULL with NO_FORMAT */
	const char *checksum;		/* "mod10", ...; NULL: the format has none */
	bool has_checksum;		/* checksum != NULL */
	bool checksum_ok;		/* the check digit is right (false: none) */
	const char *result;		/* "pass", "fail" or "none" */
	char check_digit;		/* the number's check digit, or '\0' */
	char expected;			/* BAD_CHECK: the right check digit, as
					   a character ('7', 'C'); '\0' if the
					   serial cannot be checked */
	const char *field;		/* BAD_FIELD: the lookup ("Courier") */
	const char *group;		/* BAD_FIELD: its regex group ("CountryCode") */
	char value[TSHOP_TRACKING_MAX + 1];	/* BAD_FIELD: the group's value */
	char number[TSHOP_TRACKING_MAX + 1];	/* the normalised number */
	const char *tracking_url;	/* the data's URL, "%s" for the number;
					   NULL when it has none */
};

/*
 * Describe format k of courier i in `m` (status TSHOP_TRACKING_NO_FORMAT,
 * result "none", number ""): the courier and format fields only.  Returns 0,
 * or -1 when i or k is out of range.
 */
int tshop_tracking_format(const struct tshop_tracking *t, size_t i, size_t k,
    struct tshop_tracking_match *m);

/*
 * Identify `number`: every format, of every courier, it is a valid number
 * of (status VALID; result "pass" or "none"), in data order.  Fills up to
 * `max` entries of `m` and returns how many formats matched (possibly more
 * than max; tshop_tracking_nformats() is always enough), 0 when none did,
 * or -1 with `e` filled when matching failed (out of memory).
 */
int tshop_tracking_identify(const struct tshop_tracking *t, const char *number,
    struct tshop_tracking_match *m, size_t max, struct tshop_err *e);

/* The same, over the formats of one courier (a code or name, as for find_courier). */
int tshop_tracking_identify_courier(const struct tshop_tracking *t, const char *courier,
    const char *number, struct tshop_tracking_match *m, size_t max, struct tshop_err *e);

/*
 * Check `number` against the formats of one courier (`courier` is a code or
 * name as tshop_tracking_find_courier() takes) and return the best status,
 * also put in m->status, with `m` describing:
 *   VALID      the first format the number is valid for;
 *   BAD_CHECK  the first format whose regex matched with a wrong check digit:
 *              m->expected is the right one ("check digit should be 7");
 *   BAD_FIELD  the first format whose regex and checksum matched but whose
 *              lookup m->field failed for m->value;
 *   NO_FORMAT  only the courier ("does not match any UPS format").
 * Returns -1 with `e` filled when the courier is unknown (TSHOP_EXIT_USAGE)
 * or matching failed (TSHOP_EXIT_LOCAL).
 */
int tshop_tracking_check(const struct tshop_tracking *t, const char *courier,
    const char *number, struct tshop_tracking_match *m, struct tshop_err *e);

/*
 * The check-digit algorithms.  Each takes the serial (uppercase, no spaces,
 * any prepend_if already applied) and returns the check digit it calls for,
 * as a character ('0'-'9', or 'A'-'Z' for mod_37_36), or -1 when the serial
 * is empty or has a character the algorithm does not take.
 *
 * mod10: digits are themselves, letters (ASCII - 3) mod 10; walking the
 * serial (reversed if `reverse`), multiply by `evens` at even 0-based
 * positions and `odds` at odd ones; check = (10 - sum mod 10) mod 10.
 */
int tshop_checksum_mod10(const char *serial, int evens, int odds, bool reverse);
/* mod7: the serial as an integer, mod 7.  Digits only. */
int tshop_checksum_mod7(const char *serial);
/* UPU S10: weights 8,6,4,2,3,5,9,7; r = sum mod 11; 5 if r = 0, 0 if r = 1,
 * else 11 - r.  Exactly 8 digits. */
int tshop_checksum_s10(const char *serial);
/* Sum of digit x weight, mod `mod1`, mod `mod2`; one weight per digit (the
 * serial must be `nweights` digits long); the result must be below 10. */
int tshop_checksum_sum_product(const char *serial, const int *weights,
    size_t nweights, int mod1, int mod2);
/* ISO 7064 MOD 37,36 (DPD): digits and letters A-Z (10-35). */
int tshop_checksum_mod_37_36(const char *serial);
/* Luhn: the digit that makes serial + digit pass the Luhn test. */
int tshop_checksum_luhn(const char *serial);

/* The licence of the tracking data (the text of its LICENSE file). */
const char *tshop_tracking_license(void);

/*
 * The embedded data files: LICENSE and couriers/NAME.json, as {name, data,
 * len}; data has a NUL after its len bytes.  Defined in the generated
 * lib/tracking_data.c; used by tracking.c.
 */
struct tshop_tracking_file {
	const char *name;
	const char *data;
	size_t len;
};
extern const struct tshop_tracking_file tshop_tracking_files[];
extern const size_t tshop_tracking_nfiles;

#endif
