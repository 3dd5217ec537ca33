/*
 * sync.h — keeping the shop in sync with the TikTok Shop Open API (SPEC
 * §4.8): pulling orders, statements and carriers, pushing the outbox of
 * shipments and stock, and the dead-letter list.  Every request goes
 * through api.h; every order through tshop_order_merge() (the mapping of
 * tshop_order_from_api()), every settlement row through tshop_settle_add().
 *
 * Orders.  POST /order/202309/orders/search, page_size 100, sorted by
 * update_time ascending, body {"update_time_ge": since, "update_time_lt":
 * started_at} (no lower bound on the first run).  A run's window is
 * [since, started_at); the cursor (table sync_cursor, name "orders") holds
 * since, started_at (the real time the run began, NULL between runs) and
 * the page token of the next page.  Each page is merged and the cursor moved in ONE transaction,
 * so a run killed at any point resumes with the next page it had not
 * committed: nothing is lost and nothing is merged twice.  When the last
 * page is committed, since becomes the run's started_at (every change after
 * the run began has an update_time at or after it) and the run is over.
 * A saved page token the API refuses (too old) starts the window again.
 * After the pull, pending webhook events are tried again.
 *
 * Push.  Every outbox entry that is not dead is sent: a shipment with
 * POST /fulfillment/202309/orders/{order_id}/packages (a replacement with
 * .../shipping_info/update), stock with
 * POST /product/202309/products/{product_id}/inventory/update, the SKUs of
 * one product in one call, each with all its warehouses.  An entry leaves
 * the outbox only once the API confirmed it, in a transaction of its own
 * right after the answer, and only if its payload did not change meanwhile.
 * Answer 21011006 ("already shipped") to a first shipment counts as
 * confirmed: the order is shipped on TikTok (e.g. from Seller Center).
 * Per-item errors inside a code 0 answer (data.errors) fail their SKU
 * only; a shipment whose answer has any is not confirmed.  When the
 * run ends, every entry that was pending and is not confirmed gets one
 * more attempt and its last error; at api.max_attempts it is dead.  A
 * failure that will hit every call alike (signature, token, clock, scope,
 * network, retries exhausted) stops the run: the entries not tried yet get
 * their attempt with that error.
 *
 * Statements.  GET /finance/202309/statements (sort_field statement_time,
 * ascending, statement_time_ge since), then for each statement all pages
 * of GET /finance/202501/statements/{id}/statement_transactions (the
 * 202309 version was retired in 2025), imported as one input of
 * tshop-settle import in one transaction per statement; state
 * "statements.since" is then that statement's time.
 *
 * Library code: nothing here prints.  Notices (one line each) and progress
 * go to the callbacks of struct tshop_sync.
 */
#ifndef TSHOP_SYNC_H
#define TSHOP_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "carrier.h"
#include "config.h"
#include "db.h"
#include "order.h"
#include "timeutil.h"
#include "util.h"

/* Counts of a run, for the summary line. */
struct tshop_sync_counts {
	unsigned long pulled;		/* records received from the API */
	unsigned long merged;		/* records merged into the database */
	unsigned long pushed;		/* outbox entries the API confirmed */
	unsigned long failed;		/* records or entries that failed this run */
	unsigned long dead;		/* outbox entries in the dead-letter list after the run */
	/* the merge results of orders, settlement rows and carriers */
	unsigned long new_, updated, unchanged, stale;
	unsigned long duplicates;	/* settlement rows of an order settled already (stored) */
	unsigned long pages;
};

struct tshop_sync {
	struct tshop_db *db;
	const struct tshop_config *cfg;
	struct tshop_api *api;
	struct tshop_orders *orders;
	int max_attempts;		/* api.max_attempts */
	/*
	 * A dry run (-n) changes nothing: pulls read from the API and roll
	 * every transaction back (the counts say what would have changed);
	 * push sends nothing and hands each outbox entry to would_send.
	 */
	bool dry_run;
	struct tshop_sync_counts n;
	/* optional: one line about something the user should know */
	void (*notice)(void *ctx, const char *msg);
	/* optional: after each page, records done and the total when known (else 0) */
	void (*progress)(void *ctx, unsigned long done, unsigned long total);
	/* optional: each order merged by tshop_sync_orders, with what the merge did */
	void (*merged_order)(void *ctx, const char *order_id, enum tshop_merge_result r);
	/*
	 * Dry run of push: each outbox entry (stock changes not queued yet
	 * included) with the POST that would carry it: path and JSON body (for
	 * stock, the SKU's part of its product's call); both NULL and `error`
	 * set when it could not be sent.  -1 stops the run.
	 */
	int (*would_send)(void *ctx, const char *kind, const char *key, const char *path,
	    const char *body, const char *error, struct tshop_err *e);
	void *ctx;
};

/* Set up for db (opened for writing); api must be initialised.  0 or -1. */
int tshop_sync_init(struct tshop_sync *s, struct tshop_db *db, const struct tshop_config *cfg,
    struct tshop_api *api, struct tshop_err *e);
void tshop_sync_release(struct tshop_sync *s);

/*
 * Take the lock of one kind of run (a file next to the database,
 * "DB.sync-<what>.lock", flock'ed until *fd is closed), so that two cron
 * runs never pull or push at the same time.  1 when taken, 0 when another
 * run holds it, -1 on error.
 */
int tshop_sync_lock(struct tshop_db *db, const char *what, int *fd, struct tshop_err *e);

/* GET /authorization/202309/shops: fn(name, region, cipher) for each shop. */
int tshop_sync_shops(struct tshop_api *api,
    int (*fn)(const char *name, const char *region, const char *cipher, void *ctx,
    struct tshop_err *e), void *ctx, struct tshop_err *e);

/*
 * Pull orders (see the top of this file).  `since` (TSHOP_TIME_NONE: the
 * cursor) starts a new window at that update time, dropping a half-done run.
 * A malformed order object is reported through notice and counted failed.
 */
int tshop_sync_orders(struct tshop_sync *s, tshop_time since, struct tshop_err *e);

/*
 * Pull warehouses, their delivery options and shipping providers: the
 * warehouses into table tiktok_warehouse, each provider into the carrier
 * list (tshop_carrier_upsert); fn is called for each provider.
 */
int tshop_sync_carriers(struct tshop_sync *s,
    int (*fn)(const char *name, const char *provider_id, enum tshop_upsert_result r,
    void *ctx, struct tshop_err *e), void *ctx, struct tshop_err *e);

/*
 * Push the outbox (see the top of this file).  0 when every entry was
 * confirmed; -1 otherwise (code 4 when the API or the network failed an
 * entry; the entries stay queued).
 */
int tshop_sync_push(struct tshop_sync *s, struct tshop_err *e);

/*
 * Pull statements and their transactions into settlement rows, from
 * statement time `since` (TSHOP_TIME_NONE: state "statements.since", else
 * everything).
 */
int tshop_sync_statements(struct tshop_sync *s, tshop_time since, struct tshop_err *e);

/* One outbox entry as `tshop-sync dead` lists it. */
struct tshop_outbox_row {
	int64_t id;
	const char *kind, *key, *last_error;
	int64_t attempts;
};

/* The number of entries in the dead-letter list. */
int tshop_sync_dead_count(struct tshop_db *db, unsigned long *n, struct tshop_err *e);

/* Call fn for each dead outbox entry, by id. */
int tshop_sync_dead(struct tshop_db *db,
    int (*fn)(const struct tshop_outbox_row *r, void *ctx, struct tshop_err *e), void *ctx,
    struct tshop_err *e);

/*
 * Queue dead entries again with their attempts reset: the ids[0..n) (all
 * dead ones when n is 0).  *done: how many; an id that is not a dead entry
 * is code 2 (nothing changed: the caller rolls back).  In the caller's
 * transaction.
 */
int tshop_sync_retry(struct tshop_db *db, const int64_t *ids, size_t n, size_t *done,
    struct tshop_err *e);

#endif
