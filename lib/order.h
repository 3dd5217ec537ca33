/*
 * order.h — orders, their statuses and deadlines, and THE merge of an
 * order update into the shop (SPEC §3).
 *
 * Every path that learns something about an order — tshop-orders import
 * and mark, tshop-sync, tshop-webhook — describes it as a `struct
 * tshop_order` and calls tshop_order_merge(), which upserts by order_id:
 *
 *  - Status never goes backwards.  The rank is UNPAID < ON_HOLD <
 *    AWAITING_SHIPMENT < PARTIALLY_SHIPPING < AWAITING_COLLECTION <
 *    IN_TRANSIT < DELIVERED < COMPLETED; CANCELLED may follow any status
 *    before DELIVERED, and nothing follows CANCELLED.  An update older than
 *    the stored update_time, or one that would lower the rank, is stale:
 *    it is not applied, and the result says so.
 *  - Fields the update leaves empty keep their stored values;
 *    first_scan_at only moves earlier.
 *  - Lines are identified by SKU (sku_id, else seller SKU).  A recorded
 *    line is never changed or removed: a different quantity for it is
 *    counted as a conflict and ignored.  A line the order does not have yet
 *    is added (even from a stale update: lines are facts, not statuses).
 *    Unknown SKUs are created in the catalog.
 *  - Stock follows orders: the first time an order is recorded in a paid
 *    status (not UNPAID, not CANCELLED) each line's quantity comes off its
 *    warehouse (ledger source "order:ID", may go negative); a line added
 *    later to such an order comes off then.  When a paid order is
 *    cancelled before it shipped, the quantities go back ("cancel:ID").
 *    orders.stock_taken records this: 0 never taken, 1 taken, 2 given back.
 *  - ship_by is the platform's due time when given, else paid_at plus
 *    handling_days business days (the order's own 1–7, else the shop's
 *    handling_days); deliver_by the platform's, else created_at plus
 *    delivery_days calendar days.  Both are recomputed when their inputs
 *    change, never when the platform gave them.
 *
 * All writes happen in the caller's transaction; on an error the caller
 * rolls back.  A `struct tshop_orders` holds the prepared statements of one
 * connection: create it once per command (or sync run), not per order.
 */
#ifndef TSHOP_ORDER_H
#define TSHOP_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "db.h"
#include "timeutil.h"
#include "util.h"

struct cJSON;

/* Statuses in rank order (SPEC §3). */
enum tshop_status {
	TSHOP_UNPAID,
	TSHOP_ON_HOLD,
	TSHOP_AWAITING_SHIPMENT,
	TSHOP_PARTIALLY_SHIPPING,
	TSHOP_AWAITING_COLLECTION,
	TSHOP_IN_TRANSIT,
	TSHOP_DELIVERED,
	TSHOP_COMPLETED,
	TSHOP_CANCELLED,
	TSHOP_NSTATUS
};

/*
 * Parse a status, case-insensitively: TikTok's enum names, the webhook's
 * "CANCEL", and Seller Center's words ("Unpaid", "On hold", "To ship",
 * "Awaiting shipment", "Partially shipped", "Awaiting collection",
 * "Shipped", "In transit", "Delivered", "Completed", "Cancelled",
 * "Canceled").  0, or -1 for anything else.
 */
int tshop_status_parse(const char *s, enum tshop_status *out);
/* "AWAITING_SHIPMENT"... */
const char *tshop_status_name(enum tshop_status s);
/* True when an order in `old` may move to `new` (same status included). */
bool tshop_status_may_follow(enum tshop_status old, enum tshop_status new);
/* Paid: anything but UNPAID and CANCELLED. */
bool tshop_status_paid(enum tshop_status s);

/* A set of statuses: bit (1 << status). */
#define TSHOP_STATUS_BIT(s) (1u << (s))
#define TSHOP_GROUP_TO_SHIP (TSHOP_STATUS_BIT(TSHOP_AWAITING_SHIPMENT) | \
	TSHOP_STATUS_BIT(TSHOP_PARTIALLY_SHIPPING))
/*
 * Parse "STATUS[,STATUS...]" where each item is a status (as
 * tshop_status_parse) or a group: to-ship, shipped (AWAITING_COLLECTION,
 * IN_TRANSIT), delivered (DELIVERED, COMPLETED), open (everything not
 * delivered, completed or cancelled).  0, or -1 (e names the bad item, code 2).
 */
int tshop_status_set_parse(const char *s, unsigned *set, struct tshop_err *e);

/* Parse a cancel_by value: seller, buyer (also "user"), system (also "platform"); -1 otherwise. */
int tshop_cancel_by_parse(const char *s, const char **out);
/* Parse a shipping type: SELLER / TIKTOK, or Seller Center's "Fulfillment by seller", "... by TikTok Shop"; -1 otherwise. */
int tshop_shipping_type_parse(const char *s, const char **out);

/* One order line of an update. */
struct tshop_order_line {
	const char *sku;	/* seller SKU, or NULL */
	const char *sku_id;	/* TikTok's SKU id, or NULL (one of the two is required) */
	const char *title;	/* product name as ordered, or NULL */
	int64_t quantity;	/* > 0 */
	int64_t amount;		/* quantity × unit price after seller discount, minor units */
	bool has_amount;
	const char *product_id;	/* TikTok's product id, or NULL: given to a SKU it creates */
};

/*
 * An update of an order: what one export row group, API object or event
 * says.  Times are TSHOP_TIME_NONE and strings NULL when not given.
 */
struct tshop_order {
	const char *order_id;
	enum tshop_status status;
	tshop_time created_at;		/* required for a new order */
	tshop_time paid_at, update_time;
	const char *shipping_type;	/* "SELLER" (default) or "TIKTOK" */
	const char *warehouse;		/* default "default" */
	const char *currency;
	int64_t total;			/* given total (minor units), when has_total */
	bool has_total;
	tshop_time ship_by, deliver_by;	/* the platform's due times */
	int handling_days;		/* 1–7, or 0 */
	const char *tracking, *carrier;
	tshop_time shipped_at, first_scan_at, delivered_at, cancelled_at;
	const char *cancel_by;		/* "seller", "buyer", "system" */
	const char *cancel_reason;
	const struct tshop_order_line *lines;
	size_t nlines;
	/*
	 * A local decision (tshop-ship, an event): it may replace recorded
	 * values.  Otherwise only an update with a later update_time may;
	 * any other contradiction is a conflict, reported and not applied.
	 */
	bool replace;
};

/* Set every field of an update to "not given". */
void tshop_order_init(struct tshop_order *o);

enum tshop_merge_result {
	TSHOP_MERGE_NEW,
	TSHOP_MERGE_UPDATED,
	TSHOP_MERGE_UNCHANGED,
	TSHOP_MERGE_STALE,	/* not applied: older or lower than what is recorded */
};

struct tshop_merge {
	enum tshop_merge_result result;
	enum tshop_status before;	/* the recorded status (not for NEW) */
	size_t lines_added;		/* also counted in an UPDATED result */
	size_t line_conflicts;		/* recorded lines the update contradicts (ignored) */
	size_t field_conflicts;		/* recorded values it contradicts (kept) */
	char conflict[512];		/* them, described ("; " between) */
	bool stock_taken;		/* this merge took the order's stock */
	bool stock_returned;		/* this merge gave it back */
};

struct tshop_orders;

/* Prepare the statements; `cfg` (handling_days, delivery_days, holidays) must outlive it. */
int tshop_orders_new(struct tshop_orders **o, struct tshop_db *db,
    const struct tshop_config *cfg, struct tshop_err *e);
void tshop_orders_free(struct tshop_orders *o);

/*
 * For a bulk import, one transaction of merges: the stock moves of merges
 * are kept and applied together (tshop_stock_apply: in catalog order, the
 * ledger in the order of the moves), every TSHOP_DB_FLUSH moves and by
 * tshop_orders_flush(), which the caller must run before it commits.  An
 * order_id outside the range of those recorded when the import began and
 * of those it added is new without a lookup.  Nothing but these merges
 * may read or write stock or orders until the commit.
 */
void tshop_orders_bulk(struct tshop_orders *o);
int tshop_orders_flush(struct tshop_orders *o, struct tshop_err *e);

/*
 * Merge one order update (see the top of this file).  Errors: code 2 for
 * an update that cannot be an order (no order_id, a new order without
 * created_at or lines, a line without SKU or quantity), code 3 for the
 * database.
 */
int tshop_order_merge(struct tshop_orders *o, const struct tshop_order *u,
    struct tshop_merge *m, struct tshop_err *e);

/* Events of `tshop-orders mark`. */
enum tshop_order_event {
	TSHOP_EVENT_SCANNED,	/* first carrier scan: first_scan_at, when empty or later */
	TSHOP_EVENT_DELIVERED,	/* status DELIVERED, delivered_at */
	TSHOP_EVENT_COMPLETED,	/* status COMPLETED */
	TSHOP_EVENT_CANCELLED,	/* status CANCELLED, cancelled_at, cancel_by, cancel_reason */
};
/* "scanned", "delivered", "completed", "cancelled" (also "canceled"); -1 otherwise. */
int tshop_order_event_parse(const char *s, enum tshop_order_event *ev);

/*
 * Apply an event at time `t` to a recorded order, through
 * tshop_order_merge (so a lowering event is STALE).  `detail` is for
 * cancelled: "seller|buyer|system[:reason]" or NULL.  An unknown order or a
 * bad detail is code 2.
 */
int tshop_order_event(struct tshop_orders *o, const char *order_id, enum tshop_order_event ev,
    tshop_time t, const char *detail, struct tshop_merge *m, struct tshop_err *e);

/*
 * Set an order's own handling time (1–7 business days) and recompute its
 * ship_by unless the platform gave it.  *ship_by receives the result
 * (TSHOP_TIME_NONE while unpaid).  Unknown order or days out of range: code 2.
 */
int tshop_order_set_handling(struct tshop_orders *o, const char *order_id, int days,
    tshop_time *ship_by, struct tshop_err *e);

/* ship_by from paid_at and handling days (business days, shop time zone). */
tshop_time tshop_ship_by(tshop_time paid_at, int handling_days, const struct tshop_holidays *h);

/*
 * The local warehouse name of a TikTok warehouse id (the `warehouse.<name>`
 * setting whose value it is) into buf: 1 when found, 0 when not, -1 on error.
 */
int tshop_order_warehouse_name(struct tshop_orders *o, const char *warehouse_id,
    struct tshop_buf *buf, struct tshop_err *e);

/*
 * 1 and *status (may be NULL) when order_id is recorded, 0 when it is not,
 * -1 on a database error.
 */
int tshop_order_status_of(struct tshop_orders *o, const char *order_id,
    enum tshop_status *status, struct tshop_err *e);

/* API order objects ----------------------------------------------------- */

/*
 * An order object of the TikTok Shop API (Get Order List / Get Order
 * Detail, or one JSON Lines record of `tshop-orders import`) as an update:
 * the one mapping that tshop-orders, tshop-sync and tshop-webhook share.
 * Fields are found by their API names (id, status, create_time, paid_time,
 * update_time, shipping_type / fulfillment_type, warehouse_id,
 * shipping_due_time, delivery_due_time, tracking_number,
 * shipping_provider, collection_time, delivery_time, cancel_time,
 * cancellation_initiator, cancel_reason, payment.currency,
 * payment.sub_total) or by the canonical column names of SPEC §3, in any
 * case; times as Unix seconds (0: not yet) or any accepted time text.
 * Each line_items[] entry is one unit of its SKU (sku_id, seller_sku,
 * product_name, sale_price).  A warehouse_id becomes the local warehouse
 * whose `warehouse.<name>` setting it is.  Holds pointers into the object:
 * it must outlive the update.
 */
struct tshop_api_order {
	struct tshop_order order;	/* the update, ready for tshop_order_merge() */
	struct tshop_order_line *lines;	/* owned */
	struct tshop_buf warehouse;	/* owned: the mapped warehouse name */
	char order_id[64], currency[16], tracking[128], carrier[128], reason[256],
	    wh_text[128];
};
#define TSHOP_API_ORDER_INIT { .lines = NULL, .warehouse = TSHOP_BUF_INIT }

/* Map `obj` into a (TSHOP_API_ORDER_INIT or reused); code 2 for a bad object. */
int tshop_order_from_api(struct tshop_orders *o, const struct cJSON *obj,
    const struct tshop_config *cfg, struct tshop_api_order *a, struct tshop_err *e);
void tshop_api_order_release(struct tshop_api_order *a);

/* Reading ------------------------------------------------------------- */

/* What `tshop-orders list` selects. */
struct tshop_order_filter {
	unsigned statuses;		/* 0: all */
	bool late;			/* unshipped, uncancelled, ship_by < now */
	bool due;			/* unshipped, uncancelled, now <= ship_by <= due_until */
	tshop_time now, due_until;
	tshop_time since, until;	/* created_at in [since, until) (NONE: open) */
	const char *warehouse;		/* NULL: all */
};

/* One order as listed (strings valid during the callback). */
struct tshop_order_row {
	const char *order_id;
	enum tshop_status status;
	tshop_time created_at, paid_at, ship_by, shipped_at, delivered_at, cancelled_at;
	const char *shipping_type, *warehouse, *currency, *carrier, *tracking;
	int64_t units;
	int64_t total;
	bool has_total;
};

/* Shipped: shipped_at recorded, or a status of IN_TRANSIT or later (not CANCELLED). */
bool tshop_order_shipped(enum tshop_status s, tshop_time shipped_at);
/*
 * The `late` column: 1 yes (shipped after ship_by; unshipped and ship_by
 * before now; cancelled unshipped after ship_by), 0 no, -1 no ship_by.
 */
int tshop_order_late(const struct tshop_order_row *r, tshop_time now);

/* Call fn for each order of the filter, by ship_by (none last), then order_id. */
int tshop_order_list(struct tshop_orders *o, const struct tshop_order_filter *f,
    int (*fn)(const struct tshop_order_row *r, void *ctx, struct tshop_err *e), void *ctx,
    struct tshop_err *e);

/* One line as listed by items and picklist --by-order. */
struct tshop_item_row {
	const char *order_id, *sku, *title, *warehouse, *currency;
	int64_t quantity;
	int64_t unit_price;	/* amount / quantity, half up when not exact */
	bool has_price;
};

/*
 * The lines of `order_id` (NULL: of every order, by order_id), in line
 * order.  Returns 1 when the order has any, 0 when it is not known.
 */
int tshop_order_items(struct tshop_orders *o, const char *order_id,
    int (*fn)(const struct tshop_item_row *r, void *ctx, struct tshop_err *e), void *ctx,
    struct tshop_err *e);

/* A pick list line: what to take from a warehouse shelf. */
struct tshop_pick_row {
	const char *warehouse, *sku, *title;
	int64_t units, orders;
};

/*
 * The pick list of the unshipped orders in `statuses` (0: to-ship) and
 * `warehouse` (NULL: all): per SKU (by warehouse, sku) through pick_fn, or,
 * when by_order, per order line (by ship_by, order_id, line) through item_fn.
 */
int tshop_order_picklist(struct tshop_orders *o, unsigned statuses, const char *warehouse,
    int (*pick_fn)(const struct tshop_pick_row *r, void *ctx, struct tshop_err *e),
    int (*item_fn)(const struct tshop_item_row *r, void *ctx, struct tshop_err *e),
    void *ctx, struct tshop_err *e);

#endif
