/*
 * alert.h — low-stock rules and the daily check (SPEC §4.2).
 *
 * A rule is (sku, mode, threshold): mode "qty" is due when on_hand ≤
 * threshold, mode "days" when the days of supply are ≤ threshold.  The
 * check evaluates every rule of a SKU not in an excluded category over the
 * local days [date − window, date); every comparison is exact integer
 * arithmetic.  Notices remember which SKU was reported on which local day,
 * so cron's daily run reports each SKU once, again only when it got worse.
 */
#ifndef TSHOP_ALERT_H
#define TSHOP_ALERT_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "db.h"
#include "timeutil.h"
#include "util.h"

enum tshop_stock_status { TSHOP_SUFFICIENT, TSHOP_LOW, TSHOP_OUT };

/* "SUFFICIENT_STOCK", "LOW_STOCK", "OUT_OF_STOCK". */
const char *tshop_stock_status_name(enum tshop_stock_status s);

/* One SKU with a rule, evaluated. */
struct tshop_alert_item {
	int64_t id;			/* the SKU's row id */
	const char *sku;
	const char *mode;		/* "qty" or "days" */
	int64_t threshold;
	int64_t on_hand;		/* summed over warehouses */
	int64_t sold;			/* units in the window */
	int window, cover;		/* days */
	enum tshop_stock_status status;	/* TSHOP_LOW or TSHOP_OUT */
	int notified;			/* status already reported on the date, or -1 */
};

struct tshop_alert_params {
	tshop_date date;	/* the check's local date: the window ends before it */
	int window;		/* days */
	int cover;		/* days */
};

/*
 * Evaluate every rule (excluded categories skipped) and call fn(item, ctx)
 * for each due one, in sku order; fn returns 0 to go on, -1 to stop (its
 * error in e).  All in one snapshot: a read transaction unless the caller
 * holds one.
 */
int tshop_alert_eval(struct tshop_db *db, const struct tshop_config *cfg,
    const struct tshop_alert_params *p,
    int (*fn)(const struct tshop_alert_item *it, void *ctx, struct tshop_err *e), void *ctx,
    struct tshop_err *e);

/*
 * The derived columns: daily_rate (2 decimals), days_of_supply (1 decimal,
 * "" when sold is 0), reorder (units).
 */
void tshop_alert_figures(const struct tshop_alert_item *it, char *daily_rate, size_t n1,
    char *days_of_supply, size_t n2, int64_t *reorder);

/*
 * Set the rule of a SKU: mode "qty" or "days" with a threshold ≥ 0, or
 * "off" to remove it.  A SKU in an excluded category is refused (code 2).
 * 1 when the rule was written or removed, 0 when "off" found no rule.
 */
int tshop_alert_rule_set(struct tshop_db *db, const struct tshop_config *cfg, int64_t sku,
    const char *mode, int64_t threshold, struct tshop_err *e);

/* Remember that the SKU was reported with `status` on `date`. */
int tshop_alert_notice_put(struct tshop_db *db, int64_t sku, tshop_date date,
    enum tshop_stock_status status, struct tshop_err *e);

/*
 * Like Seller Center's default alerts for best sellers: rank the SKUs sold
 * in the window by units sold (ties by sku); of the first ⌈top% × count⌉,
 * each without a rule and not excluded gets a "days N" rule.  fn is
 * called for each rule added.
 */
int tshop_alert_auto(struct tshop_db *db, const struct tshop_config *cfg,
    const struct tshop_alert_params *p, int top_percent, int days,
    int (*fn)(const char *sku, int days, void *ctx, struct tshop_err *e), void *ctx,
    struct tshop_err *e);

/*
 * The Slack-compatible JSON of a batch of alerts:
 * {"text": ..., "alerts": [{sku, status, on_hand, sold, daily_rate,
 * days_of_supply, mode, threshold, reorder}, ...]}.  Returns a malloc'ed
 * string, NULL when memory ran out.
 */
struct tshop_alert_batch;
struct tshop_alert_batch *tshop_alert_batch_new(void);
int tshop_alert_batch_add(struct tshop_alert_batch *b, const struct tshop_alert_item *it);
char *tshop_alert_batch_json(struct tshop_alert_batch *b, const char *date);
size_t tshop_alert_batch_count(const struct tshop_alert_batch *b);
void tshop_alert_batch_free(struct tshop_alert_batch *b);

#endif
