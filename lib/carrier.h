/*
 * carrier.h — the shipping carriers a seller may name (SPEC §4.4): the
 * built-in list for the US market, each mapped to the tracking-number
 * formats of lib/tracking.h, plus the carriers TikTok Shop offers the shop
 * with their `provider_id` (table `carrier`, filled by `tshop-sync
 * carriers` through tshop_carrier_upsert()).
 *
 * Names.  A carrier is named by its canonical name ("UPS", "DHL
 * eCommerce") or one of its aliases ("United Parcel Service", "Fedex
 * Ground").  Names are compared on their key: ASCII letters lowercased,
 * every other ASCII character that is not a letter or digit dropped (so
 * "Fed-Ex", "FEDEX" and "fedex" are one name; bytes >= 0x80 are kept).
 * A name that is not known as a whole may be a known name followed by a
 * service ("USPS Priority Mail Express", "UPS 2nd Day Air"): words are
 * dropped from its end until the rest is known.  Then the carriers TikTok
 * offers are tried, by their TikTok name.
 *
 * Formats.  A built-in carrier takes the numbers of one or more couriers
 * of the tracking data, or of some of their formats: "DHL eCommerce" the
 * dhl_ecommerce formats, "DHL Express" the dhl_express ones, "USPS" its own
 * formats and the UPU S10 numbers ending in "US".  The generic "DHL"
 * takes every DHL format and ships as the DHL service the number belongs
 * to.  A carrier TikTok offers that is none of the built-in ones takes any
 * number (its formats are not known here; TikTok checks them).
 */
#ifndef TSHOP_CARRIER_H
#define TSHOP_CARRIER_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "tracking.h"
#include "util.h"

/* One carrier (read-only; lives as long as its struct tshop_carriers). */
struct tshop_carrier {
	const char *name;		/* canonical name: "UPS" */
	const char *const *aliases;	/* NULL-terminated; never NULL */
	bool builtin;			/* in the built-in list */
	bool generic;			/* "DHL": ships as a more precise carrier */
	const char *provider_id;	/* TikTok's shipping provider id, or NULL */
	const char *provider_name;	/* TikTok's name for it, or NULL */
	size_t index;			/* position in the list */
};

struct tshop_carriers;

/*
 * Load the built-in list and, when `db` is not NULL, the carriers of table
 * `carrier`.  `t` (the loaded tracking formats, may be NULL when only
 * names are needed) must outlive the list.  Every courier code the list
 * names must exist in `t` (code 3 otherwise: the data and the list
 * disagree).  Returns 0, or -1 with `e` filled.
 */
int tshop_carriers_load(struct tshop_carriers **cs, struct tshop_db *db,
    const struct tshop_tracking *t, struct tshop_err *e);
void tshop_carriers_free(struct tshop_carriers *cs);

/* Number of carriers and the i-th one: the built-in ones in their order, then TikTok's other ones by name. */
size_t tshop_carriers_count(const struct tshop_carriers *cs);
const struct tshop_carrier *tshop_carriers_at(const struct tshop_carriers *cs, size_t i);

/* The carrier `name` names (see the top of this file), or NULL. */
const struct tshop_carrier *tshop_carrier_find(const struct tshop_carriers *cs, const char *name);

/*
 * The canonical name of the carrier with the name or alias closest to
 * `name` (edit distance of the keys, at most 2 or a quarter of the key's
 * length), or NULL when nothing is that close.
 */
const char *tshop_carrier_suggest(const struct tshop_carriers *cs, const char *name);

/* The key of a name as described above, into buf; returns buf. */
char *tshop_carrier_key(const char *name, char *buf, size_t n);

/*
 * Check tracking number `number` against the formats of carrier `c`, like
 * tshop_tracking_check() but over the carrier's formats.  Returns the
 * status (also m->status): VALID (m: the first format it is valid for),
 * BAD_CHECK (m->expected: the right check digit), BAD_FIELD or NO_FORMAT.
 * *actual is the carrier it ships as: `c`, or for a generic carrier the
 * one whose formats the number is valid for.  A carrier without known
 * formats accepts every non-empty number (VALID, m->format_id NULL).
 * -1 with `e` filled when matching failed.
 */
int tshop_carrier_check(const struct tshop_carriers *cs, const struct tshop_carrier *c,
    const char *number, struct tshop_tracking_match *m,
    const struct tshop_carrier **actual, struct tshop_err *e);

/*
 * The carrier that ships a number matching format `format_id` of courier
 * `courier_code` (as tshop_tracking_identify() reports it; `number` is the
 * normalised number): the first non-generic built-in carrier taking it, or
 * NULL.
 */
const struct tshop_carrier *tshop_carrier_of_format(const struct tshop_carriers *cs,
    const char *courier_code, const char *format_id, const char *number);

/*
 * The name to write in a Seller Center upload file for carrier `c`:
 * TikTok's name for it when known, else the canonical name.
 */
const char *tshop_carrier_upload_name(const struct tshop_carrier *c);

/* What tshop_carrier_upsert() did. */
enum tshop_upsert_result { TSHOP_UPSERT_NEW, TSHOP_UPSERT_UPDATED, TSHOP_UPSERT_UNCHANGED };

/*
 * Record a shipping provider TikTok offers the shop: `name` as TikTok
 * writes it, its `provider_id`.  The row is tied to the built-in carrier
 * `name` names, when there is one.  Runs in the caller's transaction;
 * `cs` is not changed (load the list again to see the row).  Code 2 for
 * an empty name or id, 3 for the database.
 */
int tshop_carrier_upsert(struct tshop_db *db, const struct tshop_carriers *cs,
    const char *name, const char *provider_id, enum tshop_upsert_result *res,
    struct tshop_err *e);

#endif
