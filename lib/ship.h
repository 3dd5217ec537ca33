/*
 * ship.h — marking orders shipped with a tracking number and a carrier
 * (SPEC §4.4), and the Seller Center upload files of `tshop-ship export`.
 *
 * tshop_ship() checks one shipment and records it.  A shipment is refused
 * (code 2, a message naming the order, number or carrier) when
 *   - the order is not known, UNPAID or ON_HOLD ("not ready to ship"),
 *     CANCELLED ("cancelled: do not ship"), shipped by the platform
 *     (shipping_type TIKTOK), or DELIVERED/COMPLETED with another number;
 *   - the carrier is not known (the message suggests the closest name);
 *   - the number matches no format of the carrier, fails its check digit
 *     (the message gives the right one) or names an unknown field value;
 *   - the number is already the tracking number of another order, unless
 *     TSHOP_SHIP_COMBINE (orders packed together);
 *   - the order was shipped with another number or carrier, unless
 *     TSHOP_SHIP_REPLACE, which TikTok allows once and only within
 *     TSHOP_REPLACE_WINDOW of the order's shipped_at;
 *   - shipped_at is before the order was created or more than an hour
 *     after now.
 * The same order with the same number and carrier again is UNCHANGED and
 * writes nothing.  Otherwise the order gets the number (normalised as in
 * tracking.h), the carrier's canonical name, shipped_at (default now;
 * a replacement keeps the first shipped_at) and status IN_TRANSIT (a later
 * status stays), through tshop_order_merge(); table `shipment` logs it,
 * and the outbox gets the one pending entry of kind 'shipment' for the
 * order (a replacement rewrites it, resets its attempts and makes it due
 * for export again).  Its payload is a JSON object:
 *   {"order_id", "tracking_number", "carrier", "shipping_provider_id"
 *    (when TikTok's id is known), "shipped_at" (Unix seconds),
 *    "replace" (true when it replaces an earlier number)}.
 *
 * All writes happen in the caller's transaction.  A `struct tshop_shipper`
 * loads the tracking formats and carriers and prepares its statements
 * once: create one per command, not per line.
 */
#ifndef TSHOP_SHIP_H
#define TSHOP_SHIP_H

#include <stdbool.h>
#include <stdint.h>

#include "carrier.h"
#include "config.h"
#include "db.h"
#include "timeutil.h"
#include "tracking.h"
#include "util.h"

#define TSHOP_SHIP_COMBINE 0x1		/* a number may be shared by several orders */
#define TSHOP_SHIP_REPLACE 0x2		/* replace the number of a shipped order */

#define TSHOP_REPLACE_WINDOW (72 * 3600)	/* seconds after shipped_at */
#define TSHOP_SHIP_FUTURE_SLACK 3600		/* shipped_at may be this far after now */

struct tshop_shipper;

/* Load formats and carriers, prepare statements; `cfg` must outlive it. */
int tshop_shipper_new(struct tshop_shipper **s, struct tshop_db *db,
    const struct tshop_config *cfg, struct tshop_err *e);
void tshop_shipper_free(struct tshop_shipper *s);

/* The loaded carriers and tracking formats (owned by the shipper). */
const struct tshop_carriers *tshop_shipper_carriers(const struct tshop_shipper *s);
const struct tshop_tracking *tshop_shipper_tracking(const struct tshop_shipper *s);

/* One shipment to record. */
struct tshop_shipment {
	const char *order_id;
	const char *tracking;	/* as given; normalised before use */
	const char *carrier;	/* a name or alias */
	tshop_time shipped_at;	/* TSHOP_TIME_NONE: now */
};

enum tshop_ship_result {
	TSHOP_SHIP_SHIPPED,
	TSHOP_SHIP_UNCHANGED,
	TSHOP_SHIP_REPLACED,
};

/* "shipped", "unchanged", "replaced". */
const char *tshop_ship_result_name(enum tshop_ship_result r);

/* What tshop_ship() did. */
struct tshop_ship_outcome {
	enum tshop_ship_result result;
	char tracking[TSHOP_TRACKING_MAX + 1];	/* the normalised number */
	const struct tshop_carrier *carrier;	/* the carrier it ships with */
	tshop_time shipped_at;
	tshop_time ship_by;			/* TSHOP_TIME_NONE when the order has none */
	int late;				/* 1 shipped after ship_by, 0 not, -1 no ship_by */
	char previous[TSHOP_TRACKING_MAX + 1];	/* REPLACED: the number it replaced */
};

/*
 * Check and record one shipment (see the top of this file).  `flags`:
 * TSHOP_SHIP_COMBINE, TSHOP_SHIP_REPLACE.  Errors: code 2 for a refused
 * shipment, 3 for the database.
 */
int tshop_ship(struct tshop_shipper *s, const struct tshop_shipment *in, unsigned flags,
    struct tshop_ship_outcome *out, struct tshop_err *e);

/* Export --------------------------------------------------------------- */

/* A shipment not yet exported, as a Seller Center upload row. */
struct tshop_export_row {
	int64_t id;			/* outbox id */
	const char *order_id;
	const char *tracking;
	const char *carrier;		/* the upload name (tshop_carrier_upload_name) */
};

/*
 * Call fn for every outbox shipment not yet exported (also those the
 * push gave up on), in the order they were queued.  Stops when fn returns
 * -1.  *last receives the highest id seen (0 when none), for
 * tshop_ship_mark_exported().
 */
int tshop_ship_export_each(struct tshop_shipper *s,
    int (*fn)(const struct tshop_export_row *r, void *ctx, struct tshop_err *e), void *ctx,
    int64_t *last, struct tshop_err *e);

/* Mark the unexported outbox shipments up to id `last` exported at `when`; *n: how many. */
int tshop_ship_mark_exported(struct tshop_shipper *s, int64_t last, tshop_time when,
    int64_t *n, struct tshop_err *e);

#endif
