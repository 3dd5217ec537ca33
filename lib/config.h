/*
 * config.h — shop settings (SPEC §2.7), stored in the database.
 *
 * Every key is known: a fixed name ("tz", "handling_days", ...) or a
 * family ("commission.<Category>", "target.<metric>", "warehouse.<name>").
 * Values are checked when set; an unknown key or a bad value is an error
 * (code 2).  tshop_config_load() reads the settings every program needs and
 * installs the shop time zone.
 */
#ifndef TSHOP_CONFIG_H
#define TSHOP_CONFIG_H

#include "db.h"
#include "money.h"
#include "timeutil.h"
#include "util.h"

/* The settings most programs use, parsed. */
struct tshop_config {
	char tz[128];			/* effective shop time zone */
	struct tshop_holidays holidays;
	char currency[8];		/* "USD" */
	int digits;			/* minor digits of currency */
	int handling_days;		/* 3 */
	int delivery_days;		/* 11 */
	enum tshop_date_order date_order;
	int alert_window_days;		/* 30 */
	int alert_cover_days;		/* 30 */
	char *excluded_categories;	/* "Pre-Owned,Collectibles" */
};

/*
 * The value of `key` (stored, else its default) into out; 0, or -1 (code 2
 * for an unknown key).  A family key without a stored value and without a
 * default gives "".
 */
int tshop_config_get(struct tshop_db *db, const char *key, struct tshop_buf *out,
    struct tshop_err *e);

/* Check `value` for `key` without storing it: 0, or -1 (code 2). */
int tshop_config_check(const char *key, const char *value, struct tshop_err *e);

/* Check and store `value` for `key` ("" is a value: e.g. no excluded categories). */
int tshop_config_set(struct tshop_db *db, const char *key, const char *value,
    struct tshop_err *e);

/*
 * Call fn(key, value, ctx) for every fixed key (stored value or default)
 * and every stored family key, sorted by key.  Stops when fn returns -1.
 */
int tshop_config_list(struct tshop_db *db,
    int (*fn)(const char *key, const char *value, void *ctx), void *ctx,
    struct tshop_err *e);

/* Read the common settings and install the shop time zone. */
int tshop_config_load(struct tshop_db *db, struct tshop_config *c, struct tshop_err *e);
void tshop_config_release(struct tshop_config *c);

/* True when `category` is in alert.excluded_categories (case-insensitive). */
bool tshop_config_excluded(const struct tshop_config *c, const char *category);

/* The commission rate of a category: commission.<Category>, else commission.default. */
int tshop_config_commission(struct tshop_db *db, const char *category,
    struct tshop_rate *rate, struct tshop_err *e);

#endif
