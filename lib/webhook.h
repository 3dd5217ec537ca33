/*
 * webhook.h — TikTok Shop webhook deliveries (SPEC §4.9): the signature
 * check, and the event log that makes every delivery count once.
 *
 * A delivery is a JSON object {"type", "tts_notification_id", "shop_id",
 * "timestamp", "data"}.  tshop_webhook_record() stores it in table
 * webhook_event under its notification id (tts_notification_id, else
 * "sha256:" and the hex SHA-256 of the body) and acts on it:
 *
 *  - a notification id already stored is a replay: nothing is written
 *    (`replay` is set, the result reported is `duplicate`);
 *  - type 1 (ORDER_STATUS_CHANGE: data.order_id, data.order_status,
 *    data.update_time, else the envelope's timestamp) of a recorded order
 *    goes through tshop_order_merge() with that status and update time
 *    (cancelled_at / delivered_at = update_time for CANCEL(LED) and
 *    DELIVERED): `applied`, or `stale` when §3 refuses it (older than the
 *    recorded update_time, or lower in rank);
 *  - the same status change (order, status, update time) already logged
 *    under another notification id: `duplicate`, not applied again;
 *  - a status change of an order that is not recorded yet: `pending`,
 *    until tshop_webhook_resolve() (run by `tshop-sync orders` after each
 *    pull) finds the order;
 *  - every other type, and a status tshop does not know, is logged as
 *    `applied` with nothing to change: SPEC §4.9 knows four results, and
 *    the event needs nothing more (the detail column says why).
 * The caller holds the transaction (BEGIN IMMEDIATE ... COMMIT).
 */
#ifndef TSHOP_WEBHOOK_H
#define TSHOP_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "order.h"
#include "timeutil.h"
#include "util.h"

/*
 * True when `signature` (the Authorization header) is the lowercase-hex
 * HMAC-SHA256, keyed with app_secret, of app_key followed by the raw body
 * [body, body+len).  The comparison takes the same time wherever the first
 * difference is (CRYPTO_memcmp); a signature of the wrong length, in
 * uppercase, or NULL is false.
 */
bool tshop_webhook_signature_ok(const char *app_key, const char *app_secret,
    const void *body, size_t len, const char *signature);

#define TSHOP_WEBHOOK_MAX_BODY (1 << 20)	/* larger deliveries are refused */

enum tshop_webhook_result {
	TSHOP_WEBHOOK_APPLIED,
	TSHOP_WEBHOOK_PENDING,
	TSHOP_WEBHOOK_STALE,
	TSHOP_WEBHOOK_DUPLICATE,
};

/* "applied", "pending", "stale", "duplicate". */
const char *tshop_webhook_result_name(enum tshop_webhook_result r);
/* The reverse; -1 for anything else. */
int tshop_webhook_result_parse(const char *s, enum tshop_webhook_result *r);

/* What tshop_webhook_record() did with one delivery. */
struct tshop_webhook_event {
	char notification_id[80];
	long long type;			/* -1 when the delivery has none */
	char order_id[64];		/* "" when none */
	enum tshop_webhook_result result;
	bool replay;			/* already recorded: nothing was written */
	char detail[160];		/* "" or why an applied event changed nothing */
};

/*
 * Record one delivery (see the top of this file) received at `received_at`.
 * `o` must belong to `db`.  Code 2 when the body is not a JSON object;
 * 3 for the database.
 */
int tshop_webhook_record(struct tshop_db *db, struct tshop_orders *o, const char *body,
    size_t len, tshop_time received_at, struct tshop_webhook_event *ev, struct tshop_err *e);

/*
 * The same for a delivery whose signature was verified (SPEC §4.9: a
 * matching signature is recorded and answered 200): a body that is not a
 * JSON object is recorded too, under "sha256:" and its hash, `applied`
 * with nothing to change (detail says so), or a `duplicate` replay.
 */
int tshop_webhook_record_signed(struct tshop_db *db, struct tshop_orders *o, const char *body,
    size_t len, tshop_time received_at, struct tshop_webhook_event *ev, struct tshop_err *e);

/* What tshop_webhook_resolve() did. */
struct tshop_webhook_counts {
	unsigned long applied, stale, pending;
};

/*
 * Try every pending event again, oldest first: events of orders recorded
 * by now become applied or stale; the others stay pending.
 */
int tshop_webhook_resolve(struct tshop_db *db, struct tshop_orders *o,
    struct tshop_webhook_counts *c, struct tshop_err *e);

/* One logged event (strings valid during the callback). */
struct tshop_webhook_row {
	tshop_time received_at;
	const char *notification_id;
	long long type;			/* -1: none */
	const char *order_id;		/* NULL: none */
	const char *result;
};

/* Call fn for each logged event (only those with `result` when not NULL), oldest first. */
int tshop_webhook_list(struct tshop_db *db, const char *result,
    int (*fn)(const struct tshop_webhook_row *r, void *ctx, struct tshop_err *e), void *ctx,
    struct tshop_err *e);

#endif
