/*
 * config.c — the table of known settings, their defaults and checks, and
 * their storage in the `config` table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "metrics.h"

enum kind { K_TEXT, K_TZ, K_DATES, K_CURRENCY, K_INT, K_ORDER, K_RATE, K_FEE, K_TARGET, K_CATEGORIES };

struct key {
	const char *name;	/* a fixed key, or a family prefix ending in '.' */
	const char *def;
	enum kind kind;
	long long min, max;	/* K_INT */
};

static const struct key keys[] = {
	{ "tz", "", K_TZ, 0, 0 },
	{ "holidays", "", K_DATES, 0, 0 },
	{ "currency", "USD", K_CURRENCY, 0, 0 },
	{ "handling_days", "3", K_INT, 1, 7 },
	{ "delivery_days", "11", K_INT, 1, 60 },
	{ "import.date_order", "mdy", K_ORDER, 0, 0 },
	{ "alert.window_days", "30", K_INT, 1, 365 },
	{ "alert.cover_days", "30", K_INT, 1, 365 },
	{ "alert.excluded_categories", "Pre-Owned,Collectibles", K_CATEGORIES, 0, 0 },
	{ "commission.default", "5%", K_RATE, 0, 0 },
	{ "commission.Apparel", "8%", K_RATE, 0, 0 },
	{ "fee.transaction", "", K_FEE, 0, 0 },
	{ "settle.grace_days", "14", K_INT, 0, 365 },
	{ "settle.claim_days", "45", K_INT, 1, 3650 },
	{ "target.late_dispatch_rate", "4", K_TARGET, 0, 0 },
	{ "target.valid_tracking_rate", "95", K_TARGET, 0, 0 },
	{ "target.on_time_delivery_rate", "80", K_TARGET, 0, 0 },
	{ "target.cancellation_rate", "2.5", K_TARGET, 0, 0 },
	{ "target.order_defect_rate", "1.5", K_TARGET, 0, 0 },
	{ "target.return_resolution_hours", "48", K_TARGET, 0, 0 },
	{ "api.rate", "10", K_INT, 1, 1000 },
	{ "api.max_attempts", "5", K_INT, 1, 100 },
	{ "api.timeout", "30", K_INT, 1, 600 },
	/* families */
	{ "commission.", "", K_RATE, 0, 0 },
	{ "warehouse.", "", K_TEXT, 0, 0 },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const struct key *
find_key(const char *name)
{
	const struct key *family = NULL;

	for (size_t i = 0; i < NKEYS; i++) {
		size_t n = strlen(keys[i].name);

		if (keys[i].name[n - 1] == '.') {
			if (strncmp(name, keys[i].name, n) == 0 && name[n] != '\0')
				family = &keys[i];
		} else if (strcmp(name, keys[i].name) == 0)
			return &keys[i];
	}
	return family;
}

static int
check(const struct key *k, const char *v, struct tshop_err *e)
{
	long long n;
	struct tshop_holidays h;
	struct tshop_rate r;
	struct tshop_fee f;

	if (*v == '\0') {
		/* empty means "none" where none makes sense */
		if (k->kind == K_TEXT || k->kind == K_TZ || k->kind == K_DATES ||
		    k->kind == K_CATEGORIES || k->kind == K_FEE)
			return 0;
		return tshop_errorf(e, 2, "%s needs a value", k->name);
	}
	switch (k->kind) {
	case K_TEXT:
	case K_CATEGORIES:
		return 0;
	case K_TZ:
		return tshop_tz_set(v, e);
	case K_DATES:
		if (tshop_holidays_parse(v, &h) == -1)
			return tshop_errorf(e, 2, "holidays: '%s' is not a list of "
			    "YYYY-MM-DD dates separated by commas", v);
		tshop_holidays_release(&h);
		return 0;
	case K_CURRENCY:
		if (strlen(v) != 3 || strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
			return tshop_errorf(e, 2, "currency: '%s' is not an ISO 4217 code such as USD", v);
		return 0;
	case K_INT:
		if (tshop_parse_int(v, k->min, k->max, &n) == -1)
			return tshop_errorf(e, 2, "%s: '%s' is not a whole number from %lld to %lld",
			    k->name, v, k->min, k->max);
		return 0;
	case K_ORDER:
		if (strcmp(v, "mdy") != 0 && strcmp(v, "dmy") != 0)
			return tshop_errorf(e, 2, "import.date_order: '%s' is not mdy or dmy", v);
		return 0;
	case K_RATE:
		if (tshop_rate_parse(v, &r) == -1)
			return tshop_errorf(e, 2, "'%s' is not a percentage such as 8%% or 2.5%%", v);
		return 0;
	case K_FEE:
		if (tshop_fee_parse(v, 2, &f) == -1)
			return tshop_errorf(e, 2, "fee.transaction: '%s' is not a fee such as 2.9%%+0.30", v);
		return 0;
	case K_TARGET: {
		/* the metric's own parser: what is stored here is read back by it */
		enum tshop_metric m;
		struct tshop_target t;

		if (tshop_metric_parse(k->name + strlen("target."), &m) == -1)
			return tshop_errorf(e, 2, "%s: no such metric", k->name);
		if (tshop_target_parse(m, v, &t) == -1)
			return tshop_errorf(e, 2, "%s: '%s' is not a number such as %s", k->name, v,
			    tshop_metric_is_hours(m) ? "48 or 24.5" : "4, 2.5 or 2.5%");
		return 0;
	}
	}
	return 0;
}

static int
stored(struct tshop_db *db, const char *key, struct tshop_buf *out, struct tshop_err *e)
{
	sqlite3_stmt *st;
	int rc, found = 0;

	if (tshop_db_prepare(db, &st, "SELECT value FROM config WHERE key = ?", e) == -1)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		found = 1;
		if (tshop_buf_adds(out, tshop_db_col_text(st, 0)) == -1)
			rc = SQLITE_NOMEM;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return tshop_db_error(db, e, "reading the configuration");
	return found;
}

/* The shop time zone when none is set: $TZ (without a leading ':'), else UTC. */
static const char *
default_tz(void)
{
	const char *tz = getenv("TZ");

	if (tz != NULL && *tz == ':')
		tz++;
	return tz == NULL || *tz == '\0' ? "UTC" : tz;
}

int
tshop_config_get(struct tshop_db *db, const char *key, struct tshop_buf *out,
    struct tshop_err *e)
{
	const struct key *k = find_key(key);
	int rc;

	tshop_buf_reset(out);
	if (k == NULL)
		return tshop_errorf(e, 2, "unknown setting '%s' (see 'tshop config')", key);
	if ((rc = stored(db, key, out, e)) == -1)
		return -1;
	/* an empty time zone is "none": the default */
	if (rc == 1 && k->kind == K_TZ && out->len == 0)
		rc = 0;
	if (rc == 0 && tshop_buf_adds(out, k->kind == K_TZ ? default_tz() : k->def) == -1)
		return tshop_errorf(e, 3, "out of memory");
	return 0;
}

int
tshop_config_check(const char *key, const char *value, struct tshop_err *e)
{
	const struct key *k = find_key(key);

	if (k == NULL)
		return tshop_errorf(e, 2, "unknown setting '%s' (see 'tshop config')", key);
	return check(k, value, e);
}

int
tshop_config_set(struct tshop_db *db, const char *key, const char *value,
    struct tshop_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (tshop_config_check(key, value, e) == -1)
		return -1;
	if (tshop_db_prepare(db, &st, "INSERT INTO config (key, value) VALUES (?1, ?2) "
	    "ON CONFLICT (key) DO UPDATE SET value = excluded.value", e) == -1)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : tshop_db_error(db, e, "writing the configuration");
}

struct kv {
	char *key, *value;
};

static int
kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->key, ((const struct kv *)b)->key);
}

int
tshop_config_list(struct tshop_db *db,
    int (*fn)(const char *key, const char *value, void *ctx), void *ctx,
    struct tshop_err *e)
{
	struct tshop_buf v = TSHOP_BUF_INIT;
	struct kv *all = NULL, *p;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st = NULL;
	int rc = -1, step;

#define PUSH(k, val) do { \
	if (n == cap) { \
		cap = cap ? cap * 2 : 64; \
		if ((p = realloc(all, cap * sizeof(*all))) == NULL) \
			goto nomem; \
		all = p; \
	} \
	all[n].key = strdup(k); all[n].value = strdup(val); \
	if (all[n].key == NULL || all[n].value == NULL) { n++; goto nomem; } \
	n++; \
} while (0)
	for (size_t i = 0; i < NKEYS; i++) {
		if (keys[i].name[strlen(keys[i].name) - 1] == '.')
			continue;
		if (tshop_config_get(db, keys[i].name, &v, e) == -1)
			goto out;
		PUSH(keys[i].name, tshop_buf_str(&v));
	}
	if (tshop_db_prepare(db, &st, "SELECT key, value FROM config ORDER BY key", e) == -1)
		goto out;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = tshop_db_col_text(st, 0);
		const struct key *fk = find_key(k);

		if (fk != NULL && fk->name[strlen(fk->name) - 1] == '.')
			PUSH(k, tshop_db_col_text(st, 1));
	}
	if (step != SQLITE_DONE) {
		tshop_db_error(db, e, "reading the configuration");
		goto out;
	}
#undef PUSH
	qsort(all, n, sizeof(*all), kv_cmp);
	for (size_t i = 0; i < n; i++)
		if (fn(all[i].key, all[i].value, ctx) == -1)
			break;
	rc = 0;
	goto out;
nomem:
	tshop_errorf(e, 3, "out of memory");
out:
	sqlite3_finalize(st);
	for (size_t i = 0; i < n; i++) {
		free(all[i].key);
		free(all[i].value);
	}
	free(all);
	tshop_buf_release(&v);
	return rc;
}

int
tshop_config_load(struct tshop_db *db, struct tshop_config *c, struct tshop_err *e)
{
	struct tshop_buf v = TSHOP_BUF_INIT;
	long long n;

	memset(c, 0, sizeof(*c));
#define GET(key) if (tshop_config_get(db, key, &v, e) == -1) goto fail
	GET("tz");
	snprintf(c->tz, sizeof(c->tz), "%s", tshop_buf_str(&v));
	if (tshop_tz_set(c->tz, e) == -1)
		goto fail;
	GET("holidays");
	if (tshop_holidays_parse(tshop_buf_str(&v), &c->holidays) == -1) {
		tshop_errorf(e, 2, "setting holidays: '%s' is not valid", tshop_buf_str(&v));
		goto fail;
	}
	GET("currency");
	snprintf(c->currency, sizeof(c->currency), "%s", tshop_buf_str(&v));
	c->digits = tshop_currency_digits(c->currency);
	GET("handling_days");
	c->handling_days = tshop_parse_int(tshop_buf_str(&v), 1, 7, &n) == 0 ? (int)n : 3;
	GET("delivery_days");
	c->delivery_days = tshop_parse_int(tshop_buf_str(&v), 1, 60, &n) == 0 ? (int)n : 11;
	GET("import.date_order");
	c->date_order = strcmp(tshop_buf_str(&v), "dmy") == 0 ? TSHOP_DMY : TSHOP_MDY;
	GET("alert.window_days");
	c->alert_window_days = tshop_parse_int(tshop_buf_str(&v), 1, 365, &n) == 0 ? (int)n : 30;
	GET("alert.cover_days");
	c->alert_cover_days = tshop_parse_int(tshop_buf_str(&v), 1, 365, &n) == 0 ? (int)n : 30;
	GET("alert.excluded_categories");
	if ((c->excluded_categories = strdup(tshop_buf_str(&v))) == NULL) {
		tshop_errorf(e, 3, "out of memory");
		goto fail;
	}
#undef GET
	tshop_buf_release(&v);
	return 0;
fail:
	tshop_buf_release(&v);
	tshop_config_release(c);
	return -1;
}

void
tshop_config_release(struct tshop_config *c)
{
	tshop_holidays_release(&c->holidays);
	free(c->excluded_categories);
	c->excluded_categories = NULL;
}

bool
tshop_config_excluded(const struct tshop_config *c, const char *category)
{
	const char *p = c->excluded_categories;

	if (category == NULL || *category == '\0' || p == NULL)
		return false;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p), cl = strlen(category);
		const char *s = p;

		while (n > 0 && *s == ' ')
			s++, n--;
		while (n > 0 && s[n - 1] == ' ')
			n--;
		if (n == cl && strncasecmp(s, category, n) == 0)
			return true;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return false;
}

int
tshop_config_commission(struct tshop_db *db, const char *category,
    struct tshop_rate *rate, struct tshop_err *e)
{
	struct tshop_buf key = TSHOP_BUF_INIT, v = TSHOP_BUF_INIT;
	int rc = -1;

	if (category != NULL && *category != '\0') {
		if (tshop_buf_addf(&key, "commission.%s", category) == -1 ||
		    stored(db, tshop_buf_str(&key), &v, e) == -1)
			goto out;
		if (v.len == 0 && find_key(tshop_buf_str(&key)) != NULL &&
		    tshop_buf_adds(&v, find_key(tshop_buf_str(&key))->def) == -1)
			goto out;
	}
	if (v.len == 0 && tshop_config_get(db, "commission.default", &v, e) == -1)
		goto out;
	if (tshop_rate_parse(tshop_buf_str(&v), rate) == -1) {
		tshop_errorf(e, 2, "commission rate '%s' is not valid", tshop_buf_str(&v));
		goto out;
	}
	rc = 0;
out:
	tshop_buf_release(&key);
	tshop_buf_release(&v);
	return rc;
}
