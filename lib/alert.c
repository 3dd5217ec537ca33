/*
 * alert.c — rule storage, the exact evaluation of the low-stock check,
 * notices, automatic rules and the notification JSON.
 *
 * The check merges three streams in SKU id order: the rules, the stock of
 * each warehouse (summed per SKU) and the units sold in the window (orders
 * created in [start, end), not UNPAID or CANCELLED).  The verdict is integer arithmetic in C; only
 * the due rules are sorted by sku, in a temporary table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "alert.h"
#include "money.h"

const char *
tshop_stock_status_name(enum tshop_stock_status s)
{
	switch (s) {
	case TSHOP_OUT:
		return "OUT_OF_STOCK";
	case TSHOP_LOW:
		return "LOW_STOCK";
	default:
		return "SUFFICIENT_STOCK";
	}
}

/* Due or not, and how (SPEC §4.2). */
static enum tshop_stock_status
evaluate(const struct tshop_alert_item *it)
{
	if (it->on_hand <= 0)
		return TSHOP_OUT;
	if (strcmp(it->mode, "qty") == 0)
		return it->on_hand <= it->threshold ? TSHOP_LOW : TSHOP_SUFFICIENT;
	/* days: on_hand / (sold / window) ≤ threshold, without dividing */
	if (it->sold > 0 && (__int128)it->on_hand * it->window <= (__int128)it->threshold * it->sold)
		return TSHOP_LOW;
	return TSHOP_SUFFICIENT;
}

/*
 * From a (sku, figure) stream in SKU id order, the sum of the figures of
 * SKU `id` (0 when it has none), leaving the stream at a later SKU.  *rc
 * is the stream's last step; SQLITE_TOOBIG when the sum overflows.
 */
static int64_t
figure_of(sqlite3_stmt *st, int *rc, int64_t id)
{
	int64_t sum = 0;

	while (*rc == SQLITE_ROW && sqlite3_column_int64(st, 0) < id)
		*rc = sqlite3_step(st);
	while (*rc == SQLITE_ROW && sqlite3_column_int64(st, 0) == id) {
		if (__builtin_add_overflow(sum, sqlite3_column_int64(st, 1), &sum)) {
			*rc = SQLITE_TOOBIG;
			return 0;
		}
		*rc = sqlite3_step(st);
	}
	return sum;
}

/*
 * Pass 1: the rules, the stock of each warehouse and the units sold in the
 * window, each in SKU id order, merged in one pass (SQLite would look every
 * SKU up in the other two); the due rules go to temp.alert_due.
 */
static int
find_due(struct tshop_db *db, const struct tshop_config *cfg,
    const struct tshop_alert_params *p, struct tshop_err *e)
{
	sqlite3_stmt *rule = NULL, *stock = NULL, *sold = NULL, *ins = NULL;
	struct tshop_alert_item it = { .window = p->window, .cover = p->cover };
	int rc, stock_rc, sold_rc, ret = -1;

	if (tshop_db_prepare(db, &rule, "SELECT r.sku, s.category, r.mode, r.threshold, s.sku"
	    " FROM alert_rule r JOIN sku s ON s.id = r.sku ORDER BY r.sku", e) == -1 ||
	    /* summed here: SQLite's GROUP BY costs more than the scan */
	    tshop_db_prepare(db, &stock, "SELECT sku, quantity FROM stock ORDER BY sku", e) == -1 ||
	    tshop_db_prepare(db, &sold, "SELECT l.sku, sum(l.quantity)"
	    " FROM orders o JOIN order_line l ON l.order_id = o.order_id"
	    " WHERE o.created_at >= ?1 AND o.created_at < ?2"
	    " AND o.status NOT IN ('UNPAID', 'CANCELLED') GROUP BY l.sku ORDER BY l.sku", e) == -1 ||
	    tshop_db_prepare(db, &ins, "INSERT INTO temp.alert_due"
	    " (id, mode, threshold, on_hand, sold, status, sku) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	    e) == -1)
		goto out;
	sqlite3_bind_int64(sold, 1, tshop_local_midnight(p->date - p->window));
	sqlite3_bind_int64(sold, 2, tshop_local_midnight(p->date));
	stock_rc = sqlite3_step(stock);
	sold_rc = sqlite3_step(sold);
	while ((rc = sqlite3_step(rule)) == SQLITE_ROW) {
		it.id = sqlite3_column_int64(rule, 0);
		it.on_hand = figure_of(stock, &stock_rc, it.id);
		it.sold = figure_of(sold, &sold_rc, it.id);
		if (tshop_config_excluded(cfg, tshop_db_col_text(rule, 1)))
			continue;
		it.mode = tshop_db_col_text(rule, 2);
		it.threshold = sqlite3_column_int64(rule, 3);
		if ((it.status = evaluate(&it)) == TSHOP_SUFFICIENT)
			continue;
		sqlite3_bind_int64(ins, 1, it.id);
		sqlite3_bind_text(ins, 2, it.mode, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 3, it.threshold);
		sqlite3_bind_int64(ins, 4, it.on_hand);
		sqlite3_bind_int64(ins, 5, it.sold);
		sqlite3_bind_int(ins, 6, it.status);
		sqlite3_bind_text(ins, 7, tshop_db_col_text(rule, 4), -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			break;
		sqlite3_reset(ins);
	}
	if (stock_rc == SQLITE_TOOBIG || sold_rc == SQLITE_TOOBIG)
		tshop_errorf(e, 3, "evaluating alerts: a SKU's quantities add up beyond 64 bits");
	else if (rc != SQLITE_DONE || (stock_rc != SQLITE_ROW && stock_rc != SQLITE_DONE) ||
	    (sold_rc != SQLITE_ROW && sold_rc != SQLITE_DONE))
		tshop_db_error(db, e, "evaluating alerts");
	else
		ret = 0;
out:
	sqlite3_finalize(rule);
	sqlite3_finalize(stock);
	sqlite3_finalize(sold);
	sqlite3_finalize(ins);
	return ret;
}

int
tshop_alert_eval(struct tshop_db *db, const struct tshop_config *cfg,
    const struct tshop_alert_params *p,
    int (*fn)(const struct tshop_alert_item *it, void *ctx, struct tshop_err *e), void *ctx,
    struct tshop_err *e)
{
	sqlite3_stmt *st = NULL;
	struct tshop_alert_item it = { .window = p->window, .cover = p->cover };
	char day[16];
	bool own;
	int rc, ret = -1;

	if (tshop_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS alert_due (id INTEGER PRIMARY KEY,"
	    " sku TEXT NOT NULL, mode TEXT NOT NULL, threshold INTEGER NOT NULL,"
	    " on_hand INTEGER NOT NULL, sold INTEGER NOT NULL, status INTEGER NOT NULL)", e) == -1 ||
	    tshop_db_read_begin(db, &own, e) == -1)
		return -1;
	/* pass 2: the due rules in sku order, with the notices of the day */
	if (tshop_db_exec(db, "DELETE FROM temp.alert_due", e) == -1 ||
	    find_due(db, cfg, p, e) == -1 ||
	    tshop_db_prepare(db, &st, "SELECT d.id, d.sku, d.mode, d.threshold, d.on_hand,"
	    " d.sold, d.status, n.status FROM temp.alert_due d"
	    " LEFT JOIN alert_notice n ON n.sku = d.id AND n.date = ?1 ORDER BY d.sku", e) == -1)
		goto out;
	sqlite3_bind_text(st, 1, tshop_date_format(p->date, day, sizeof(day)), -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *notice = tshop_db_col_text(st, 7);

		it.id = sqlite3_column_int64(st, 0);
		it.sku = tshop_db_col_text(st, 1);
		it.mode = tshop_db_col_text(st, 2);
		it.threshold = sqlite3_column_int64(st, 3);
		it.on_hand = sqlite3_column_int64(st, 4);
		it.sold = sqlite3_column_int64(st, 5);
		it.status = sqlite3_column_int(st, 6);
		it.notified = notice == NULL ? -1 :
		    strcmp(notice, "OUT_OF_STOCK") == 0 ? TSHOP_OUT : TSHOP_LOW;
		if (fn(&it, ctx, e) == -1)
			goto out;
	}
	if (rc != SQLITE_DONE)
		tshop_db_error(db, e, "evaluating alerts");
	else
		ret = 0;
out:
	sqlite3_finalize(st);
	tshop_db_read_end(db, own);
	return ret;
}

void
tshop_alert_figures(const struct tshop_alert_item *it, char *daily_rate, size_t n1,
    char *days_of_supply, size_t n2, int64_t *reorder)
{
	int64_t need;

	tshop_ratio_format(it->sold, it->window, 2, daily_rate, n1);
	if (it->sold == 0)
		days_of_supply[0] = '\0';
	else if (it->on_hand <= 0)
		snprintf(days_of_supply, n2, "0.0");
	else
		tshop_ratio_format(it->on_hand * it->window, it->sold, 1, days_of_supply, n2);
	/* ⌈sold / window × cover⌉ − on_hand, at least 0 */
	need = tshop_div_ceil(it->sold * it->cover, it->window) - it->on_hand;
	*reorder = need > 0 ? need : 0;
}

int
tshop_alert_rule_set(struct tshop_db *db, const struct tshop_config *cfg, int64_t sku,
    const char *mode, int64_t threshold, struct tshop_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (strcmp(mode, "off") == 0) {
		if (tshop_db_cached(db, &st, "DELETE FROM alert_rule WHERE sku = ?1", e) == -1)
			return -1;
		sqlite3_bind_int64(st, 1, sku);
	} else {
		if (strcmp(mode, "qty") != 0 && strcmp(mode, "days") != 0)
			return tshop_errorf(e, 2, "mode '%s' is not qty, days or off", mode);
		if (threshold < 0)
			return tshop_errorf(e, 2, "threshold '%lld' is below 0", (long long)threshold);
		if (tshop_db_cached(db, &st, "SELECT category FROM sku WHERE id = ?1", e) == -1)
			return -1;
		sqlite3_bind_int64(st, 1, sku);
		if (sqlite3_step(st) == SQLITE_ROW &&
		    tshop_config_excluded(cfg, tshop_db_col_text(st, 0))) {
			tshop_errorf(e, 2, "alerts are not available for the category '%s' "
			    "(alert.excluded_categories)", tshop_db_col_text(st, 0));
			sqlite3_reset(st);
			return -1;
		}
		sqlite3_reset(st);
		if (tshop_db_cached(db, &st, "INSERT INTO alert_rule (sku, mode, threshold) "
		    "VALUES (?1, ?2, ?3) ON CONFLICT (sku) DO UPDATE SET mode = excluded.mode, "
		    "threshold = excluded.threshold", e) == -1)
			return -1;
		sqlite3_bind_int64(st, 1, sku);
		sqlite3_bind_text(st, 2, mode, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, threshold);
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return tshop_db_error(db, e, "writing the alert rule");
	return sqlite3_changes(db->h) > 0;
}

int
tshop_alert_notice_put(struct tshop_db *db, int64_t sku, tshop_date date,
    enum tshop_stock_status status, struct tshop_err *e)
{
	sqlite3_stmt *st;
	char d[16];
	int rc;

	if (tshop_db_cached(db, &st, "INSERT INTO alert_notice (sku, date, status) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT (sku, date) DO UPDATE SET status = excluded.status", e) == -1)
		return -1;
	sqlite3_bind_int64(st, 1, sku);
	sqlite3_bind_text(st, 2, tshop_date_format(date, d, sizeof(d)), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, tshop_stock_status_name(status), -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : tshop_db_error(db, e, "recording a notice");
}

int
tshop_alert_auto(struct tshop_db *db, const struct tshop_config *cfg,
    const struct tshop_alert_params *p, int top_percent, int days,
    int (*fn)(const char *sku, int days, void *ctx, struct tshop_err *e), void *ctx,
    struct tshop_err *e)
{
	sqlite3_stmt *count = NULL, *rank = NULL;
	int64_t n = 0, top, i = 0;
	int rc = -1, step;
	const char *sold_sql =
	    "SELECT l.sku AS sku, sum(l.quantity) AS sold"
	    " FROM orders o JOIN order_line l ON l.order_id = o.order_id"
	    " WHERE o.created_at >= ?1 AND o.created_at < ?2"
	    " AND o.status NOT IN ('UNPAID', 'CANCELLED') GROUP BY l.sku HAVING sold > 0";
	struct tshop_buf q = TSHOP_BUF_INIT;

	if (tshop_buf_addf(&q, "SELECT count(*) FROM (%s)", sold_sql) == -1 ||
	    tshop_db_prepare(db, &count, tshop_buf_str(&q), e) == -1)
		goto out;
	sqlite3_bind_int64(count, 1, tshop_local_midnight(p->date - p->window));
	sqlite3_bind_int64(count, 2, tshop_local_midnight(p->date));
	if (sqlite3_step(count) != SQLITE_ROW) {
		tshop_db_error(db, e, "ranking SKUs");
		goto out;
	}
	n = sqlite3_column_int64(count, 0);
	top = tshop_div_ceil(n * top_percent, 100);
	tshop_buf_reset(&q);
	if (tshop_buf_addf(&q, "SELECT s.id, s.sku, s.category, r.sku IS NOT NULL FROM (%s) w"
	    " JOIN sku s ON s.id = w.sku LEFT JOIN alert_rule r ON r.sku = s.id"
	    " ORDER BY w.sold DESC, s.sku", sold_sql) == -1 ||
	    tshop_db_prepare(db, &rank, tshop_buf_str(&q), e) == -1)
		goto out;
	sqlite3_bind_int64(rank, 1, tshop_local_midnight(p->date - p->window));
	sqlite3_bind_int64(rank, 2, tshop_local_midnight(p->date));
	while (i < top && (step = sqlite3_step(rank)) == SQLITE_ROW) {
		char *sku;
		int r;

		i++;
		if (sqlite3_column_int(rank, 3) || tshop_config_excluded(cfg, tshop_db_col_text(rank, 2)))
			continue;
		if ((sku = strdup(tshop_db_col_text(rank, 1))) == NULL) {
			tshop_errorf(e, 3, "out of memory");
			goto out;
		}
		r = tshop_alert_rule_set(db, cfg, sqlite3_column_int64(rank, 0), "days", days, e);
		if (r != -1)
			r = fn(sku, days, ctx, e);
		free(sku);
		if (r == -1)
			goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(count);
	sqlite3_finalize(rank);
	tshop_buf_release(&q);
	return rc;
}

struct tshop_alert_batch {
	cJSON *alerts;
	size_t n;
};

struct tshop_alert_batch *
tshop_alert_batch_new(void)
{
	struct tshop_alert_batch *b = calloc(1, sizeof(*b));

	if (b != NULL && (b->alerts = cJSON_CreateArray()) == NULL) {
		free(b);
		return NULL;
	}
	return b;
}

int
tshop_alert_batch_add(struct tshop_alert_batch *b, const struct tshop_alert_item *it)
{
	char rate[32], dos[32];
	int64_t reorder;
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return -1;
	tshop_alert_figures(it, rate, sizeof(rate), dos, sizeof(dos), &reorder);
	cJSON_AddStringToObject(o, "sku", it->sku);
	cJSON_AddStringToObject(o, "status", tshop_stock_status_name(it->status));
	cJSON_AddNumberToObject(o, "on_hand", (double)it->on_hand);
	cJSON_AddNumberToObject(o, "sold", (double)it->sold);
	cJSON_AddStringToObject(o, "daily_rate", rate);
	if (*dos)
		cJSON_AddStringToObject(o, "days_of_supply", dos);
	else
		cJSON_AddNullToObject(o, "days_of_supply");
	cJSON_AddStringToObject(o, "mode", it->mode);
	cJSON_AddNumberToObject(o, "threshold", (double)it->threshold);
	cJSON_AddNumberToObject(o, "reorder", (double)reorder);
	cJSON_AddItemToArray(b->alerts, o);
	b->n++;
	return 0;
}

size_t
tshop_alert_batch_count(const struct tshop_alert_batch *b)
{
	return b->n;
}

char *
tshop_alert_batch_json(struct tshop_alert_batch *b, const char *date)
{
	cJSON *root = cJSON_CreateObject();
	struct tshop_buf text = TSHOP_BUF_INIT;
	char *out = NULL;
	cJSON *a;
	size_t i = 0;

	if (root == NULL)
		return NULL;
	tshop_buf_addf(&text, "tshop: %zu SKU%s low or out of stock on %s", b->n,
	    b->n == 1 ? "" : "s", date);
	cJSON_ArrayForEach(a, b->alerts) {
		if (++i > 20) {
			tshop_buf_addf(&text, "\n... and %zu more", b->n - 20);
			break;
		}
		tshop_buf_addf(&text, "\n%s %s: on hand %lld, reorder %lld",
		    cJSON_GetObjectItem(a, "sku")->valuestring,
		    cJSON_GetObjectItem(a, "status")->valuestring,
		    (long long)cJSON_GetObjectItem(a, "on_hand")->valuedouble,
		    (long long)cJSON_GetObjectItem(a, "reorder")->valuedouble);
	}
	cJSON_AddStringToObject(root, "text", tshop_buf_str(&text));
	cJSON_AddItemReferenceToObject(root, "alerts", b->alerts);
	out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	tshop_buf_release(&text);
	return out;
}

void
tshop_alert_batch_free(struct tshop_alert_batch *b)
{
	if (b == NULL)
		return;
	cJSON_Delete(b->alerts);
	free(b);
}
