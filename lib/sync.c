/*
 * sync.c — tshop-sync's work (see sync.h): paginated pulls whose cursor
 * moves in the same transaction as the page it follows, and the outbox
 * push that removes an entry only after the API confirmed it.
 *
 * Network calls never run inside a database transaction: each page or
 * answer is fetched first, then written in one short BEGIN IMMEDIATE ...
 * COMMIT, so the webhook and other programs wait at most for one page.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "money.h"
#include "settle.h"
#include "stock.h"
#include "sync.h"
#include "webhook.h"

#define PAGE_SIZE "100"

/* Codes of Mark Package As Shipped that say the order is shipped already. */
#define CODE_ALREADY_SHIPPED 21011006LL

static void
notice(struct tshop_sync *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
notice(struct tshop_sync *s, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (s->notice == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->notice(s->ctx, msg);
}

int
tshop_sync_init(struct tshop_sync *s, struct tshop_db *db, const struct tshop_config *cfg,
    struct tshop_api *api, struct tshop_err *e)
{
	struct tshop_buf v = TSHOP_BUF_INIT;
	long long n = 5;

	memset(s, 0, sizeof(*s));
	s->db = db;
	s->cfg = cfg;
	s->api = api;
	if (tshop_config_get(db, "api.max_attempts", &v, e) == -1)
		return -1;
	if (tshop_parse_int(tshop_buf_str(&v), 1, 100, &n) == -1)
		n = 5;
	tshop_buf_release(&v);
	s->max_attempts = (int)n;
	return tshop_orders_new(&s->orders, db, cfg, e);
}

void
tshop_sync_release(struct tshop_sync *s)
{
	tshop_orders_free(s->orders);
	s->orders = NULL;
}

int
tshop_sync_lock(struct tshop_db *db, const char *what, int *fd, struct tshop_err *e)
{
	struct tshop_buf path = TSHOP_BUF_INIT;

	*fd = -1;
	if (strcmp(db->path, ":memory:") == 0)
		return 1;	/* a private shop: no other run can reach it */
	if (tshop_buf_addf(&path, "%s.sync-%s.lock", db->path, what) == -1)
		return tshop_errorf(e, 3, "out of memory");
	if ((*fd = open(path.data, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		tshop_errorf(e, 3, "cannot open lock file '%s': %s", path.data, strerror(errno));
		tshop_buf_release(&path);
		return -1;
	}
	tshop_buf_release(&path);
	if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
		return 1;
	close(*fd);
	*fd = -1;
	if (errno == EWOULDBLOCK)
		return 0;
	return tshop_errorf(e, 3, "cannot lock: %s", strerror(errno));
}

/* ---- helpers ------------------------------------------------------------ */

static const char *
jstr(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(it) && it->valuestring[0] != '\0' ? it->valuestring : NULL;
}

/*
 * Advance *token to the answer's next_page_token: 1 when there is another
 * page, 0 at the end, -1 when the API repeats the token (it would loop
 * for ever) or memory runs out.
 */
static int
next_page(const struct tshop_api_response *res, const char *path, char **token,
    struct tshop_err *e)
{
	const char *next = jstr(res->data, "next_page_token");

	if (next == NULL)
		return 0;
	if (*token != NULL && strcmp(*token, next) == 0)
		return tshop_errorf(e, 4, "GET %s: the API answered the same page token again", path);
	free(*token);
	if ((*token = strdup(next)) == NULL)
		return tshop_errorf(e, 3, "out of memory");
	return 1;
}

/* A whole-number field (number or digits); dflt when absent. */
static long long
jint(const cJSON *obj, const char *key, long long dflt)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	long long v;

	if (cJSON_IsNumber(it))
		return (long long)it->valuedouble;
	if (cJSON_IsString(it) && tshop_parse_int(it->valuestring, INT64_MIN + 1, INT64_MAX,
	    &v) == 0)
		return v;
	return dflt;
}

/* A path segment taken from data: digits, letters, '-' and '_' only. */
static bool
safe_segment(const char *s)
{
	if (s == NULL || *s == '\0' || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= 'A' && *s <= 'Z') || *s == '-' || *s == '_'))
			return false;
	return true;
}

/* Run fn inside BEGIN IMMEDIATE ... COMMIT. */
static int
in_txn(struct tshop_db *db, int (*fn)(void *ctx, struct tshop_err *e), void *ctx,
    struct tshop_err *e)
{
	if (tshop_db_begin(db, e) == -1)
		return -1;
	if (fn(ctx, e) == -1) {
		tshop_db_rollback(db);
		return -1;
	}
	return tshop_db_commit(db, e);
}

/* Run fn in one transaction of the run: committed, or rolled back on a dry run. */
static int
run_txn(struct tshop_sync *s, int (*fn)(void *ctx, struct tshop_err *e), void *ctx,
    struct tshop_err *e)
{
	int rc;

	if (!s->dry_run)
		return in_txn(s->db, fn, ctx, e);
	if (tshop_db_begin(s->db, e) == -1)
		return -1;
	rc = fn(ctx, e);
	tshop_db_rollback(s->db);
	return rc;
}

/* ---- shops ------------------------------------------------------------ */

int
tshop_sync_shops(struct tshop_api *api,
    int (*fn)(const char *name, const char *region, const char *cipher, void *ctx,
    struct tshop_err *e), void *ctx, struct tshop_err *e)
{
	struct tshop_api_request req = { TSHOP_API_GET, "/authorization/202309/shops", NULL, 0,
	    NULL, false };
	struct tshop_api_response res = TSHOP_API_RESPONSE_INIT;
	const cJSON *shop;
	int rc = 0;

	if (tshop_api_call(api, &req, &res, e) == -1) {
		tshop_api_response_release(&res);
		return -1;
	}
	cJSON_ArrayForEach(shop, cJSON_GetObjectItemCaseSensitive(res.data, "shops")) {
		if ((rc = fn(jstr(shop, "name"), jstr(shop, "region"), jstr(shop, "cipher"), ctx,
		    e)) == -1)
			break;
	}
	tshop_api_response_release(&res);
	return rc;
}

/* ---- cursors ------------------------------------------------------------ */

struct cursor {
	bool has_since, running;
	tshop_time since, started_at;
	char *page_token;		/* NULL: the first page of the window */
	int64_t pages;
};

static void
cursor_release(struct cursor *c)
{
	free(c->page_token);
	c->page_token = NULL;
}

static int
cursor_load(struct tshop_db *db, const char *name, struct cursor *c, struct tshop_err *e)
{
	sqlite3_stmt *st;
	int rc;

	memset(c, 0, sizeof(*c));
	if (tshop_db_prepare(db, &st, "SELECT since, started_at, page_token, pages "
	    "FROM sync_cursor WHERE name = ?1", e) == -1)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		c->has_since = sqlite3_column_type(st, 0) != SQLITE_NULL;
		c->since = sqlite3_column_int64(st, 0);
		c->running = sqlite3_column_type(st, 1) != SQLITE_NULL;
		c->started_at = sqlite3_column_int64(st, 1);
		c->page_token = tshop_strdup(tshop_db_col_text(st, 2));
		c->pages = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return tshop_db_error(db, e, "reading the sync cursor");
	return 0;
}

static int
cursor_save(struct tshop_db *db, const char *name, const struct cursor *c, struct tshop_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (tshop_db_prepare(db, &st, "INSERT INTO sync_cursor (name, since, started_at, "
	    "page_token, pages, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
	    "ON CONFLICT (name) DO UPDATE SET since = excluded.since, "
	    "started_at = excluded.started_at, page_token = excluded.page_token, "
	    "pages = excluded.pages, updated_at = excluded.updated_at", e) == -1)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (c->has_since)
		sqlite3_bind_int64(st, 2, c->since);
	if (c->running)
		sqlite3_bind_int64(st, 3, c->started_at);
	tshop_db_bind_text(st, 4, c->page_token);
	sqlite3_bind_int64(st, 5, c->pages);
	sqlite3_bind_int64(st, 6, (int64_t)time(NULL));
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : tshop_db_error(db, e, "writing the sync cursor");
}

/* ---- orders ------------------------------------------------------------- */

struct order_page {
	struct tshop_sync *s;
	const cJSON *orders;
	struct cursor *cur;
	const char *next;		/* next_page_token, NULL on the last page */
	struct tshop_api_order a;
	struct tshop_webhook_counts wh;
};

static int
merge_page(void *ctx, struct tshop_err *e)
{
	struct order_page *p = ctx;
	struct tshop_sync *s = p->s;
	const cJSON *obj;
	struct tshop_merge m;

	cJSON_ArrayForEach(obj, p->orders) {
		struct tshop_err oe = { 0 };

		if (tshop_order_from_api(s->orders, obj, s->cfg, &p->a, &oe) == -1 ||
		    tshop_order_merge(s->orders, &p->a.order, &m, &oe) == -1) {
			const char *id = jstr(obj, "id");

			if (oe.code != 2) {
				*e = oe;
				return -1;
			}
			s->n.failed++;
			notice(s, "order '%s': %s", id ? id : "?", oe.msg);
			continue;
		}
		s->n.merged++;
		if (s->merged_order != NULL)
			s->merged_order(s->ctx, p->a.order.order_id, m.result);
		switch (m.result) {
		case TSHOP_MERGE_NEW: s->n.new_++; break;
		case TSHOP_MERGE_UPDATED: s->n.updated++; break;
		case TSHOP_MERGE_UNCHANGED: s->n.unchanged++; break;
		case TSHOP_MERGE_STALE: s->n.stale++; break;
		}
	}
	free(p->cur->page_token);
	p->cur->page_token = tshop_strdup(p->next);
	p->cur->pages++;
	if (p->next == NULL) {
		/* the window is done: the next run starts when this one began */
		p->cur->has_since = true;
		p->cur->since = p->cur->started_at;
		p->cur->running = false;
		p->cur->pages = 0;
	}
	return cursor_save(s->db, "orders", p->cur, e);
}

static int
resolve_events(void *ctx, struct tshop_err *e)
{
	struct order_page *p = ctx;

	return tshop_webhook_resolve(p->s->db, p->s->orders, &p->wh, e);
}

static bool
token_refused(const struct tshop_api_response *res)
{
	return res->fault == TSHOP_FAULT_FAIL && res->message != NULL &&
	    strstr(res->message, "page_token") != NULL;
}

int
tshop_sync_orders(struct tshop_sync *s, tshop_time since, struct tshop_err *e)
{
	struct cursor cur;
	struct order_page p = { .s = s, .cur = &cur, .a = TSHOP_API_ORDER_INIT };
	struct tshop_api_response res = TSHOP_API_RESPONSE_INIT;
	struct tshop_api_param q[4] = {
		{ "page_size", PAGE_SIZE }, { "sort_field", "update_time" },
		{ "sort_order", "ASC" }, { "page_token", NULL },
	};
	struct tshop_api_request req = { TSHOP_API_POST, "/order/202309/orders/search", q, 4,
	    NULL, true };
	cJSON *body = NULL;
	unsigned long total = 0;
	bool restarted = false;
	int rc = -1;

	if (cursor_load(s->db, "orders", &cur, e) == -1)
		return -1;
	if (since != TSHOP_TIME_NONE) {
		/* a new window from the given time */
		cur.has_since = true;
		cur.since = since;
		cur.running = false;
		free(cur.page_token);
		cur.page_token = NULL;
		cur.pages = 0;
	}
	if (!cur.running) {
		cur.running = true;
		cur.started_at = (tshop_time)time(NULL);
		free(cur.page_token);
		cur.page_token = NULL;
		cur.pages = 0;
	} else if (cur.page_token != NULL) {
		notice(s, "resuming the interrupted pull at page %lld", (long long)cur.pages + 1);
	}
	/* the window [since, started_at): a resumed run keeps the end it began with */
	if ((body = cJSON_CreateObject()) == NULL ||
	    (cur.has_since && cJSON_AddNumberToObject(body, "update_time_ge",
	    (double)cur.since) == NULL) ||
	    cJSON_AddNumberToObject(body, "update_time_lt", (double)cur.started_at) == NULL) {
		tshop_errorf(e, 3, "out of memory");
		goto done;
	}
	req.body = body;
	for (;;) {
		const cJSON *data;

		q[3].value = cur.page_token;
		if (tshop_api_call(s->api, &req, &res, e) == -1) {
			if (cur.page_token != NULL && !restarted && token_refused(&res)) {
				notice(s, "the saved page token was refused (%s): pulling the "
				    "window again from its start", res.message);
				restarted = true;
				free(cur.page_token);
				cur.page_token = NULL;
				cur.pages = 0;
				continue;
			}
			goto done;
		}
		data = res.data;
		p.orders = cJSON_GetObjectItemCaseSensitive(data, "orders");
		if (p.orders != NULL && !cJSON_IsArray(p.orders)) {
			tshop_errorf(e, 4, "POST %s: 'orders' is not an array", req.path);
			goto done;
		}
		p.next = jstr(data, "next_page_token");
		if (p.next != NULL && cur.page_token != NULL && strcmp(p.next, cur.page_token) == 0) {
			tshop_errorf(e, 4, "POST %s: the API answered the same page token again",
			    req.path);
			goto done;
		}
		s->n.pulled += (unsigned long)cJSON_GetArraySize(p.orders);
		s->n.pages++;
		total = (unsigned long)jint(data, "total_count", 0);
		if (run_txn(s, merge_page, &p, e) == -1)
			goto done;
		if (s->progress != NULL)
			s->progress(s->ctx, s->n.pulled, total);
		if (p.next == NULL)
			break;
	}
	if (run_txn(s, resolve_events, &p, e) == -1)
		goto done;
	if (p.wh.applied + p.wh.stale > 0 || p.wh.pending > 0)
		notice(s, "webhook events: %lu applied, %lu stale, %lu still pending",
		    p.wh.applied, p.wh.stale, p.wh.pending);
	rc = 0;
done:
	tshop_api_response_release(&res);
	tshop_api_order_release(&p.a);
	cJSON_Delete(body);
	cursor_release(&cur);
	return rc;
}

/* ---- carriers ------------------------------------------------------------ */

struct provider {
	char *name, *id;
};

struct carriers_ctx {
	struct tshop_sync *s;
	const cJSON *warehouses;
	struct provider *pv;
	size_t npv;
	struct tshop_carriers *cs;
	int (*fn)(const char *, const char *, enum tshop_upsert_result, void *, struct tshop_err *);
	void *fn_ctx;
};

static int
store_carriers(void *ctx, struct tshop_err *e)
{
	struct carriers_ctx *c = ctx;
	const cJSON *w;
	sqlite3_stmt *st;
	int rc;

	if (tshop_db_exec(c->s->db, "DELETE FROM tiktok_warehouse", e) == -1 ||
	    tshop_db_prepare(c->s->db, &st, "INSERT OR REPLACE INTO tiktok_warehouse "
	    "(id, name, type, is_default, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)", e) == -1)
		return -1;
	cJSON_ArrayForEach(w, c->warehouses) {
		const char *id = jstr(w, "id"), *name = jstr(w, "name");

		if (id == NULL)
			continue;
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, name ? name : id, -1, SQLITE_STATIC);
		tshop_db_bind_text(st, 3, jstr(w, "type"));
		sqlite3_bind_int(st, 4, cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(w,
		    "is_default")));
		sqlite3_bind_int64(st, 5, (int64_t)time(NULL));
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			sqlite3_finalize(st);
			return tshop_db_error(c->s->db, e, "writing the warehouses");
		}
	}
	sqlite3_finalize(st);
	for (size_t i = 0; i < c->npv; i++) {
		enum tshop_upsert_result r;

		if (tshop_carrier_upsert(c->s->db, c->cs, c->pv[i].name, c->pv[i].id, &r, e) == -1)
			return -1;
		c->s->n.merged++;
		if (r == TSHOP_UPSERT_NEW)
			c->s->n.new_++;
		else if (r == TSHOP_UPSERT_UPDATED)
			c->s->n.updated++;
		else
			c->s->n.unchanged++;
		if (c->fn != NULL && c->fn(c->pv[i].name, c->pv[i].id, r, c->fn_ctx, e) == -1)
			return -1;
	}
	return 0;
}

static int
add_provider(struct carriers_ctx *c, const char *name, const char *id)
{
	struct provider *p;

	for (size_t i = 0; i < c->npv; i++)
		if (strcmp(c->pv[i].id, id) == 0 && strcmp(c->pv[i].name, name) == 0)
			return 0;
	if ((p = realloc(c->pv, (c->npv + 1) * sizeof(*p))) == NULL)
		return -1;
	c->pv = p;
	p[c->npv].name = strdup(name);
	p[c->npv].id = strdup(id);
	if (p[c->npv].name == NULL || p[c->npv].id == NULL) {
		free(p[c->npv].name);
		free(p[c->npv].id);
		return -1;
	}
	c->npv++;
	return 0;
}

int
tshop_sync_carriers(struct tshop_sync *s,
    int (*fn)(const char *name, const char *provider_id, enum tshop_upsert_result r,
    void *ctx, struct tshop_err *e), void *ctx, struct tshop_err *e)
{
	struct carriers_ctx c = { .s = s, .fn = fn, .fn_ctx = ctx };
	struct tshop_api_response wres = TSHOP_API_RESPONSE_INIT, ores = TSHOP_API_RESPONSE_INIT,
	    pres = TSHOP_API_RESPONSE_INIT;
	struct tshop_api_request req = { TSHOP_API_GET, "/logistics/202309/warehouses", NULL, 0,
	    NULL, true };
	struct tshop_buf path = TSHOP_BUF_INIT, seen = TSHOP_BUF_INIT;
	const cJSON *w, *opt, *pv;
	int rc = -1;

	if (tshop_api_call(s->api, &req, &wres, e) == -1)
		goto done;
	c.warehouses = cJSON_GetObjectItemCaseSensitive(wres.data, "warehouses");
	cJSON_ArrayForEach(w, c.warehouses) {
		const char *wid = jstr(w, "id"), *type = jstr(w, "type");

		s->n.pulled++;
		if (!safe_segment(wid) || (type != NULL && strcmp(type, "SALES_WAREHOUSE") != 0))
			continue;
		tshop_buf_reset(&path);
		if (tshop_buf_addf(&path, "/logistics/202309/warehouses/%s/delivery_options",
		    wid) == -1)
			goto oom;
		req.path = path.data;
		if (tshop_api_call(s->api, &req, &ores, e) == -1)
			goto done;
		cJSON_ArrayForEach(opt, cJSON_GetObjectItemCaseSensitive(ores.data,
		    "delivery_options")) {
			const char *oid = jstr(opt, "id");
			struct tshop_buf pp = TSHOP_BUF_INIT;
			int r;

			if (!safe_segment(oid))
				continue;
			/* each delivery option once, whatever warehouse offers it: seen holds " ID " */
			if (tshop_buf_addf(&pp, " %s ", oid) == -1) {
				tshop_buf_release(&pp);
				goto oom;
			}
			if (seen.data != NULL && strstr(seen.data, pp.data) != NULL) {
				tshop_buf_release(&pp);
				continue;
			}
			if (tshop_buf_adds(&seen, pp.data) == -1) {
				tshop_buf_release(&pp);
				goto oom;
			}
			tshop_buf_reset(&pp);
			if (tshop_buf_addf(&pp, "/logistics/202309/delivery_options/%s/"
			    "shipping_providers", oid) == -1) {
				tshop_buf_release(&pp);
				goto oom;
			}
			req.path = pp.data;
			r = tshop_api_call(s->api, &req, &pres, e);
			tshop_buf_release(&pp);
			if (r == -1)
				goto done;
			cJSON_ArrayForEach(pv, cJSON_GetObjectItemCaseSensitive(pres.data,
			    "shipping_providers")) {
				const char *pid = jstr(pv, "id"), *name = jstr(pv, "name");

				s->n.pulled++;
				if (pid != NULL && name != NULL && add_provider(&c, name, pid) == -1)
					goto oom;
			}
		}
	}
	if (tshop_carriers_load(&c.cs, s->db, NULL, e) == -1)
		goto done;
	rc = run_txn(s, store_carriers, &c, e);
	goto done;
oom:
	tshop_errorf(e, 3, "out of memory");
done:
	tshop_carriers_free(c.cs);
	for (size_t i = 0; i < c.npv; i++) {
		free(c.pv[i].name);
		free(c.pv[i].id);
	}
	free(c.pv);
	tshop_buf_release(&path);
	tshop_buf_release(&seen);
	tshop_api_response_release(&wres);
	tshop_api_response_release(&ores);
	tshop_api_response_release(&pres);
	return rc;
}

/* ---- push ----------------------------------------------------------------- */

struct item {
	int64_t id, attempts;
	char *kind, *key, *payload;
	cJSON *j;			/* the parsed payload */
	bool confirmed, tried;
	char *error;			/* why it is not confirmed (NULL: not tried) */
	char *would_path, *would_body;	/* dry run: the request that would carry it */
};

struct push {
	struct tshop_sync *s;
	struct item *it;
	size_t n;
	struct tshop_carriers *cs;
	char *run_error;		/* a failure that stopped the run */
	struct tshop_buf scratch;
	/* for the transactions */
	struct item **batch;
	size_t nbatch;
	unsigned long newly_dead;
};

static void
item_fail(struct item *it, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
item_fail(struct item *it, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	free(it->error);
	it->error = strdup(msg);
	it->tried = true;
}

/*
 * Queue the stock changes made since the last push: each SKU the ledger
 * moved after the cursor 'push.ledger' (state table) that is linked to
 * TikTok (sku_id and product_id) gets one pending 'stock' entry, keyed by
 * the seller SKU, its payload the SKU's quantity in every warehouse now:
 * {"sku", "sku_id", "product_id", "quantities": {WH: N, ...}}.  A newer
 * change replaces the payload and gives the entry fresh attempts.
 */
static int
queue_stock(void *ctx, struct tshop_err *e)
{
	struct push *p = ctx;
	struct tshop_db *db = p->s->db;
	long long from = 0;
	int64_t to = 0;
	sqlite3_stmt *st;
	int rc;

	if (tshop_db_state_get(db, "push.ledger", &from, e) == -1 ||
	    tshop_ledger_last(db, &to, e) == -1)
		return -1;
	if (to <= from)
		return 0;
	if (tshop_db_prepare(db, &st, "INSERT INTO outbox (kind, key, payload, created_at,"
	    " updated_at) SELECT 'stock', k.sku, json_object('sku', k.sku, 'sku_id', k.sku_id,"
	    " 'product_id', k.product_id, 'quantities', (SELECT json_group_object(warehouse,"
	    " quantity) FROM (SELECT warehouse, quantity FROM stock WHERE sku = k.id"
	    " ORDER BY warehouse))), ?3, ?3 FROM sku k WHERE k.id IN (SELECT sku FROM ledger"
	    " WHERE id > ?1 AND id <= ?2) AND k.sku_id IS NOT NULL AND k.product_id IS NOT NULL"
	    " ON CONFLICT (kind, key) DO UPDATE SET payload = excluded.payload, attempts = 0,"
	    " last_error = NULL, dead = 0, updated_at = excluded.updated_at", e) == -1)
		return -1;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	sqlite3_bind_int64(st, 3, tshop_now());
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return tshop_db_error(db, e, "writing the outbox");
	return tshop_db_state_set(db, "push.ledger", to, e);
}

static int
load_items(struct push *p, struct tshop_err *e)
{
	struct tshop_db *db = p->s->db;
	sqlite3_stmt *st;
	struct item *q;
	size_t cap = 0;
	int rc;

	if (tshop_db_prepare(db, &st, "SELECT id, kind, key, payload, attempts FROM outbox "
	    "WHERE dead = 0 ORDER BY id", e) == -1)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (p->n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((q = realloc(p->it, cap * sizeof(*q))) == NULL)
				break;
			p->it = q;
		}
		q = &p->it[p->n];
		memset(q, 0, sizeof(*q));
		q->id = sqlite3_column_int64(st, 0);
		q->kind = tshop_strdup(tshop_db_col_text(st, 1));
		q->key = tshop_strdup(tshop_db_col_text(st, 2));
		q->payload = tshop_strdup(tshop_db_col_text(st, 3));
		q->attempts = sqlite3_column_int64(st, 4);
		p->n++;
		if (q->kind == NULL || q->key == NULL || q->payload == NULL)
			break;
		q->j = cJSON_Parse(q->payload);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return tshop_errorf(e, 3, "out of memory");
	if (rc != SQLITE_DONE)
		return tshop_db_error(db, e, "reading the outbox");
	return 0;
}

/* Remove the confirmed entries of p->batch (unless their payload changed meanwhile). */
static int
confirm_batch(void *ctx, struct tshop_err *e)
{
	struct push *p = ctx;
	sqlite3_stmt *st;
	int rc;

	if (tshop_db_prepare(p->s->db, &st, "DELETE FROM outbox WHERE id = ?1 AND payload = ?2",
	    e) == -1)
		return -1;
	for (size_t i = 0; i < p->nbatch; i++) {
		sqlite3_bind_int64(st, 1, p->batch[i]->id);
		sqlite3_bind_text(st, 2, p->batch[i]->payload, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			sqlite3_finalize(st);
			return tshop_db_error(p->s->db, e, "writing the outbox");
		}
	}
	sqlite3_finalize(st);
	return 0;
}

static int
confirm(struct push *p, struct item **items, size_t n, struct tshop_err *e)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (items[i]->confirmed)
			p->batch[k++] = items[i];
	if (k == 0)
		return 0;
	p->nbatch = k;
	p->s->n.pushed += k;
	return in_txn(p->s->db, confirm_batch, p, e);
}

/* After the run: one more attempt for each entry not confirmed. */
static int
count_attempts(void *ctx, struct tshop_err *e)
{
	struct push *p = ctx;
	sqlite3_stmt *st;
	int rc;

	if (tshop_db_prepare(p->s->db, &st, "UPDATE outbox SET attempts = attempts + 1, "
	    "last_error = ?3, dead = (attempts + 1 >= ?4), updated_at = ?5 "
	    "WHERE id = ?1 AND payload = ?2 AND dead = 0", e) == -1)
		return -1;
	for (size_t i = 0; i < p->n; i++) {
		struct item *it = &p->it[i];
		const char *why = it->error ? it->error : p->run_error ? p->run_error :
		    "not tried";

		if (it->confirmed)
			continue;
		p->s->n.failed++;
		sqlite3_bind_int64(st, 1, it->id);
		sqlite3_bind_text(st, 2, it->payload, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, why, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, p->s->max_attempts);
		sqlite3_bind_int64(st, 5, tshop_now());
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			sqlite3_finalize(st);
			return tshop_db_error(p->s->db, e, "writing the outbox");
		}
		if (sqlite3_changes(p->s->db->h) > 0 && it->attempts + 1 >= p->s->max_attempts)
			p->newly_dead++;
	}
	sqlite3_finalize(st);
	return 0;
}

/* A failure of a whole call that every other call would meet too. */
static bool
run_level(const struct tshop_api_response *res)
{
	if (res->net != TSHOP_NET_OK)
		return true;
	switch (res->fault) {
	case TSHOP_FAULT_RETRY:
	case TSHOP_FAULT_EXPIRED:
	case TSHOP_FAULT_SIGNATURE:
	case TSHOP_FAULT_CLOCK:
	case TSHOP_FAULT_SCOPE:
		return true;
	default:
		return res->http_status == 401 || res->http_status == 403 || res->code == -1;
	}
}

/* A call failed: stop the run, or fail the items of the call. */
static int
call_failed(struct push *p, const struct tshop_api_response *res, const struct tshop_err *ce,
    struct item **items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		item_fail(items[i], "%s", ce->msg);
	if (ce->code != TSHOP_EXIT_REMOTE || run_level(res)) {
		free(p->run_error);
		p->run_error = strdup(ce->msg);
		return -1;
	}
	return 0;
}

static int
push_shipment(struct push *p, struct item *it, struct tshop_err *e)
{
	struct tshop_sync *s = p->s;
	const char *order_id = jstr(it->j, "order_id"), *tracking = jstr(it->j, "tracking_number");
	const char *pid = jstr(it->j, "shipping_provider_id"), *carrier = jstr(it->j, "carrier");
	bool replace = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it->j, "replace"));
	struct tshop_api_response res = TSHOP_API_RESPONSE_INIT;
	struct tshop_api_request req = { TSHOP_API_POST, NULL, NULL, 0, NULL, true };
	struct tshop_err ce = { 0 };
	cJSON *body = NULL;
	int rc = 0;

	if (order_id == NULL)
		order_id = it->key;
	if (!safe_segment(order_id) || tracking == NULL) {
		item_fail(it, "not a shipment payload");
		return 0;
	}
	if (pid == NULL && carrier != NULL) {
		const struct tshop_carrier *c = tshop_carrier_find(p->cs, carrier);

		pid = c ? c->provider_id : NULL;
	}
	if (pid == NULL) {
		item_fail(it, "carrier '%s' has no TikTok shipping provider id: run "
		    "'tshop-sync carriers'", carrier ? carrier : "");
		return 0;
	}
	tshop_buf_reset(&p->scratch);
	if (tshop_buf_addf(&p->scratch, replace ? "/fulfillment/202309/orders/%s/shipping_info/"
	    "update" : "/fulfillment/202309/orders/%s/packages", order_id) == -1 ||
	    (body = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(body, "tracking_number", tracking) == NULL ||
	    cJSON_AddStringToObject(body, "shipping_provider_id", pid) == NULL) {
		cJSON_Delete(body);
		return tshop_errorf(e, 3, "out of memory");
	}
	req.path = p->scratch.data;
	req.body = body;
	it->tried = true;
	if (s->dry_run) {
		it->would_path = tshop_strdup(req.path);
		it->would_body = cJSON_PrintUnformatted(body);
		cJSON_Delete(body);
		if (it->would_path == NULL || it->would_body == NULL)
			return tshop_errorf(e, 3, "out of memory");
		return 0;
	}
	if (tshop_api_call(s->api, &req, &res, &ce) == 0) {
		struct tshop_buf why = TSHOP_BUF_INIT;
		int nerr = tshop_api_item_errors(res.data, &why);

		/* code 0 with data.errors: the package was not created */
		if (nerr == 0) {
			it->confirmed = true;
		} else {
			item_fail(it, "%s", nerr > 0 ? tshop_buf_str(&why) : "out of memory");
			notice(s, "shipment of order '%s': %s", order_id, it->error);
		}
		tshop_buf_release(&why);
	} else if (!replace && res.code == CODE_ALREADY_SHIPPED) {
		notice(s, "order '%s': %s (code %lld): taken as confirmed", order_id,
		    res.message ? res.message : "already shipped", res.code);
		it->confirmed = true;
	} else {
		rc = call_failed(p, &res, &ce, &it, 1);
		notice(s, "shipment of order '%s': %s", order_id, ce.msg);
	}
	cJSON_Delete(body);
	tshop_api_response_release(&res);
	if (confirm(p, &it, 1, e) == -1)
		return -1;
	return rc == -1 ? 1 : 0;
}

/*
 * The TikTok warehouse id of local warehouse `wh` into out: 1 found,
 * 0 when the shop has a single warehouse known to nobody (the API then
 * needs no id), -1 (code 2) unmapped, -1 (code 3) database.
 */
static int
tiktok_warehouse(struct push *p, const char *wh, struct tshop_buf *out, struct tshop_err *e)
{
	struct tshop_db *db = p->s->db;
	struct tshop_buf key = TSHOP_BUF_INIT;
	sqlite3_stmt *st;
	int rc;

	tshop_buf_reset(out);
	if (tshop_buf_addf(&key, "warehouse.%s", wh) == -1)
		return tshop_errorf(e, 3, "out of memory");
	rc = tshop_config_get(db, key.data, out, e);
	tshop_buf_release(&key);
	if (rc == -1)
		return -1;
	if (out->len > 0)
		return 1;
	/* by name, else (for "default") the shop's default sales warehouse */
	if (tshop_db_prepare(db, &st, "SELECT id FROM tiktok_warehouse WHERE name = ?1 "
	    "COLLATE NOCASE UNION ALL SELECT id FROM (SELECT id FROM tiktok_warehouse "
	    "WHERE ?1 = 'default' AND coalesce(type, 'SALES_WAREHOUSE') = 'SALES_WAREHOUSE' "
	    "ORDER BY is_default DESC, id LIMIT 1) UNION ALL "
	    "SELECT '' WHERE NOT EXISTS (SELECT 1 FROM tiktok_warehouse)", e) == -1)
		return -1;
	sqlite3_bind_text(st, 1, wh, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && tshop_buf_adds(out, tshop_db_col_text(st, 0)) == -1)
		rc = SQLITE_NOMEM;
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return out->len > 0 ? 1 : 0;
	if (rc == SQLITE_DONE)
		return tshop_errorf(e, 2, "warehouse '%s' has no TikTok warehouse id: set it "
		    "with 'tshop config warehouse.%s ID' or name it as TikTok does "
		    "('tshop-sync carriers' lists them)", wh, wh);
	if (rc == SQLITE_NOMEM)
		return tshop_errorf(e, 3, "out of memory");
	return tshop_db_error(db, e, "reading the warehouses");
}

/* The "skus" entry of one stock item: {"id", "inventory": [{warehouse_id, quantity}]}. */
static int
sku_entry(struct push *p, struct item *it, cJSON **out, struct tshop_err *e)
{
	const cJSON *qty = cJSON_GetObjectItemCaseSensitive(it->j, "quantities"), *w;
	struct tshop_buf wid = TSHOP_BUF_INIT;
	cJSON *sku, *inv;
	int rc, nomap = 0, n = 0;

	*out = NULL;
	if ((sku = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(sku, "id", jstr(it->j, "sku_id")) == NULL ||
	    (inv = cJSON_AddArrayToObject(sku, "inventory")) == NULL)
		goto oom;
	cJSON_ArrayForEach(w, qty) {
		long long q = cJSON_IsNumber(w) ? (long long)w->valuedouble : 0;
		cJSON *x, *entry = NULL;

		n++;
		if ((rc = tiktok_warehouse(p, w->string, &wid, e)) == -1) {
			if (e->code != 2)
				goto fail;
			item_fail(it, "%s", e->msg);
			cJSON_Delete(sku);
			tshop_buf_release(&wid);
			return 0;
		}
		if (q < 0)
			q = 0;	/* an oversold SKU has nothing to sell */
		/* several local warehouses may stock one TikTok warehouse: add them up */
		cJSON_ArrayForEach(x, inv) {
			const char *xid = jstr(x, "warehouse_id");

			if ((rc == 0 && xid == NULL) || (rc == 1 && xid && strcmp(xid, wid.data) == 0))
				entry = x;
		}
		if (entry != NULL) {
			cJSON *eq = cJSON_GetObjectItemCaseSensitive(entry, "quantity");

			cJSON_SetNumberValue(eq, eq->valuedouble + (double)q);
			continue;
		}
		if (rc == 0)
			nomap++;
		if ((entry = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(inv, entry) ||
		    (rc == 1 && cJSON_AddStringToObject(entry, "warehouse_id", wid.data) == NULL) ||
		    cJSON_AddNumberToObject(entry, "quantity", (double)q) == NULL)
			goto oom;
	}
	tshop_buf_release(&wid);
	if (n == 0) {
		item_fail(it, "no quantities in the outbox entry");
		cJSON_Delete(sku);
		return 0;
	}
	*out = sku;
	return 0;
oom:
	tshop_errorf(e, 3, "out of memory");
fail:
	tshop_buf_release(&wid);
	cJSON_Delete(sku);
	return -1;
}

/* data.errors[] of an inventory answer: fail the items they name. */
static void
inventory_errors(const cJSON *data, struct item **items, size_t n, bool *all_failed)
{
	const cJSON *err, *x;
	struct tshop_buf msg = TSHOP_BUF_INIT;

	*all_failed = false;
	cJSON_ArrayForEach(err, cJSON_GetObjectItemCaseSensitive(data, "errors")) {
		const cJSON *detail = cJSON_GetObjectItemCaseSensitive(err, "detail");
		const char *sku_id = jstr(detail, "sku_id");

		tshop_buf_reset(&msg);
		tshop_buf_addf(&msg, "%s (code %lld)", jstr(err, "message") ?
		    jstr(err, "message") : "error", jint(err, "code", 0));
		cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(detail, "extra_errors"))
			tshop_buf_addf(&msg, "; warehouse %s: %s (code %lld)",
			    jstr(x, "warehouse_id") ? jstr(x, "warehouse_id") : "?",
			    jstr(x, "message") ? jstr(x, "message") : "error", jint(x, "code", 0));
		for (size_t i = 0; i < n; i++) {
			const char *id = jstr(items[i]->j, "sku_id");

			if (sku_id == NULL || (id != NULL && strcmp(id, sku_id) == 0)) {
				items[i]->confirmed = false;
				item_fail(items[i], "sku %s: %s", id ? id : "?",
				    tshop_buf_str(&msg));
			}
		}
		if (sku_id == NULL)
			*all_failed = true;
	}
	tshop_buf_release(&msg);
}

/* Push the stock items of one product (items[0..n), all with its product_id). */
static int
push_product(struct push *p, const char *product_id, struct item **items, size_t n,
    struct tshop_err *e)
{
	struct tshop_sync *s = p->s;
	struct tshop_api_response res = TSHOP_API_RESPONSE_INIT;
	struct tshop_api_request req = { TSHOP_API_POST, NULL, NULL, 0, NULL, true };
	struct tshop_err ce = { 0 };
	struct item **sent;
	cJSON *body, *skus, *sku;
	size_t k = 0;
	bool all_failed;
	int rc = 0;

	if ((sent = calloc(n, sizeof(*sent))) == NULL || (body = cJSON_CreateObject()) == NULL ||
	    (skus = cJSON_AddArrayToObject(body, "skus")) == NULL) {
		free(sent);
		return tshop_errorf(e, 3, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		if (sku_entry(p, items[i], &sku, e) == -1) {
			rc = -1;
			goto done;
		}
		if (sku == NULL)
			continue;
		cJSON_AddItemToArray(skus, sku);
		sent[k++] = items[i];
	}
	if (k == 0)
		goto done;
	tshop_buf_reset(&p->scratch);
	if (tshop_buf_addf(&p->scratch, "/product/202309/products/%s/inventory/update",
	    product_id) == -1) {
		rc = tshop_errorf(e, 3, "out of memory");
		goto done;
	}
	req.path = p->scratch.data;
	req.body = body;
	for (size_t i = 0; i < k; i++)
		sent[i]->tried = true;
	if (s->dry_run) {
		/* each SKU's part of the call, in the order of sent[] */
		size_t i = 0;

		cJSON_ArrayForEach(sku, skus) {
			sent[i]->would_path = tshop_strdup(req.path);
			sent[i]->would_body = cJSON_PrintUnformatted(sku);
			if (sent[i]->would_path == NULL || sent[i]->would_body == NULL) {
				rc = tshop_errorf(e, 3, "out of memory");
				goto done;
			}
			i++;
		}
		goto done;
	}
	if (tshop_api_call(s->api, &req, &res, &ce) == 0) {
		for (size_t i = 0; i < k; i++)
			sent[i]->confirmed = true;
		inventory_errors(res.data, sent, k, &all_failed);
		for (size_t i = 0; i < k; i++)
			if (!sent[i]->confirmed)
				notice(s, "stock of '%s': %s", sent[i]->key, sent[i]->error);
	} else {
		if (call_failed(p, &res, &ce, sent, k) == -1)
			rc = 1;
		notice(s, "stock of product '%s': %s", product_id, ce.msg);
	}
	if (confirm(p, sent, k, e) == -1)
		rc = -1;
done:
	tshop_api_response_release(&res);
	cJSON_Delete(body);
	free(sent);
	return rc;
}

int
tshop_sync_dead_count(struct tshop_db *db, unsigned long *n, struct tshop_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (tshop_db_prepare(db, &st, "SELECT count(*) FROM outbox WHERE dead = 1", e) == -1)
		return -1;
	rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? (unsigned long)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : tshop_db_error(db, e, "reading the outbox");
}

int
tshop_sync_push(struct tshop_sync *s, struct tshop_err *e)
{
	struct push p = { .s = s, .scratch = TSHOP_BUF_INIT };
	struct item **group = NULL;
	int rc = -1, r;

	/* a dry run queues the stock changes too, to show them, and rolls back */
	if (s->dry_run) {
		if (tshop_db_begin(s->db, e) == -1)
			return -1;
		if (queue_stock(&p, e) == -1 || load_items(&p, e) == -1)
			goto done;
	} else if (in_txn(s->db, queue_stock, &p, e) == -1 || load_items(&p, e) == -1) {
		goto done;
	}
	if (tshop_carriers_load(&p.cs, s->db, NULL, e) == -1)
		goto done;
	if (p.n > 0 && ((p.batch = calloc(p.n, sizeof(*p.batch))) == NULL ||
	    (group = calloc(p.n, sizeof(*group))) == NULL)) {
		tshop_errorf(e, 3, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < p.n && p.run_error == NULL; i++) {
		struct item *it = &p.it[i];
		const char *product;
		size_t k = 0;

		if (it->tried || it->confirmed)
			continue;
		if (it->j == NULL) {
			item_fail(it, "the outbox entry is not JSON");
			continue;
		}
		if (strcmp(it->kind, "shipment") == 0) {
			if ((r = push_shipment(&p, it, e)) == -1)
				goto done;
		} else if (strcmp(it->kind, "stock") == 0) {
			product = jstr(it->j, "product_id");
			if (!safe_segment(product) || jstr(it->j, "sku_id") == NULL) {
				item_fail(it, "the SKU has no product_id or sku_id");
				continue;
			}
			/* the SKUs of one product go in one call */
			for (size_t j = i; j < p.n; j++) {
				struct item *o = &p.it[j];
				const char *op;

				if (o->tried || o->j == NULL || strcmp(o->kind, "stock") != 0)
					continue;
				op = jstr(o->j, "product_id");
				if (op != NULL && strcmp(op, product) == 0 &&
				    jstr(o->j, "sku_id") != NULL)
					group[k++] = o;
			}
			if (push_product(&p, product, group, k, e) == -1)
				goto done;
		} else {
			item_fail(it, "unknown outbox kind '%s'", it->kind);
		}
		if (s->progress != NULL)
			s->progress(s->ctx, s->n.pushed, (unsigned long)p.n);
	}
	if (s->dry_run) {
		for (size_t i = 0; i < p.n; i++) {
			struct item *it = &p.it[i];

			if (s->would_send != NULL && s->would_send(s->ctx, it->kind, it->key,
			    it->would_path, it->would_body, it->would_path ? NULL :
			    it->error ? it->error : "not tried", e) == -1)
				goto done;
		}
		rc = tshop_sync_dead_count(s->db, &s->n.dead, e);
		goto done;
	}
	if (in_txn(s->db, count_attempts, &p, e) == -1 || tshop_sync_dead_count(s->db, &s->n.dead, e) == -1)
		goto done;
	if (p.newly_dead > 0)
		notice(s, "%lu outbox entr%s reached api.max_attempts (%d) and moved to the "
		    "dead-letter list ('tshop-sync dead')", p.newly_dead,
		    p.newly_dead == 1 ? "y" : "ies", s->max_attempts);
	if (p.run_error != NULL)
		rc = tshop_errorf(e, 4, "%s", p.run_error);
	else if (s->n.failed > 0)
		rc = tshop_errorf(e, 4, "%lu of %zu outbox entr%s not confirmed; kept for the "
		    "next run", s->n.failed, p.n, p.n == 1 ? "y" : "ies");
	else
		rc = 0;
done:
	if (s->dry_run)
		tshop_db_rollback(s->db);
	for (size_t i = 0; i < p.n; i++) {
		free(p.it[i].kind);
		free(p.it[i].key);
		free(p.it[i].payload);
		free(p.it[i].error);
		free(p.it[i].would_path);
		free(p.it[i].would_body);
		cJSON_Delete(p.it[i].j);
	}
	free(p.it);
	free(p.batch);
	free(group);
	free(p.run_error);
	tshop_carriers_free(p.cs);
	tshop_buf_release(&p.scratch);
	return rc;
}

/* ---- statements ------------------------------------------------------------ */

/* An amount field (string, may be negative) in minor units; 0 when absent. */
static int
amount(const cJSON *obj, const char *key, int digits, int64_t *out, struct tshop_err *e)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = 0;
	if (cJSON_IsString(it) && it->valuestring[0] != '\0') {
		if (tshop_money_parse(it->valuestring, digits, out) == -1)
			return tshop_errorf(e, 2, "'%s': '%s' is not an amount", key,
			    it->valuestring);
	} else if (cJSON_IsNumber(it)) {
		char buf[64];

		snprintf(buf, sizeof(buf), "%.*f", digits, it->valuedouble);
		if (tshop_money_parse(buf, digits, out) == -1)
			return tshop_errorf(e, 2, "'%s' is not an amount", key);
	}
	return 0;
}

struct statement {
	struct tshop_sync *s;
	struct tshop_settle *settle;
	const char *id, *currency;
	tshop_time time;
	cJSON *tx;			/* every transaction of the statement */
	char type[64], cur[16];
};

/* One transaction as a settlement row (SPEC §3): fees positive, refund positive. */
static int
tx_row(struct statement *st, const cJSON *tx, struct tshop_settle_row *r, struct tshop_err *e)
{
	const cJSON *rb = cJSON_GetObjectItemCaseSensitive(tx, "revenue_breakdown");
	const cJSON *fee = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(tx,
	    "fee_tax_breakdown"), "fee");
	const char *cur = jstr(tx, "currency");
	int64_t rev_amount, subtotal, discount, refund_sub, discount_refund, fee_tax, v;
	int digits;

	memset(r, 0, sizeof(*r));
	r->statement_id = st->id;
	r->statement_date = tshop_local_date(st->time);
	r->has_date = true;
	r->currency = cur ? cur : st->currency ? st->currency : st->s->cfg->currency;
	digits = tshop_currency_digits(r->currency);
	if ((r->order_id = jstr(tx, "order_id")) == NULL &&
	    (r->order_id = jstr(tx, "adjustment_id")) == NULL &&
	    (r->order_id = jstr(tx, "id")) == NULL)
		return tshop_errorf(e, 2, "a transaction without order, adjustment or id");
	snprintf(st->type, sizeof(st->type), "%s", jstr(tx, "type") ? jstr(tx, "type") : "ORDER");
	for (char *c = st->type; *c; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
	r->type = st->type;
	if (amount(tx, "revenue_amount", digits, &rev_amount, e) == -1 ||
	    amount(tx, "fee_tax_amount", digits, &fee_tax, e) == -1 ||
	    amount(tx, "shipping_cost_amount", digits, &v, e) == -1)
		return -1;
	r->shipping_fee = -v;
	if (amount(tx, "adjustment_amount", digits, &r->adjustment, e) == -1 ||
	    amount(tx, "settlement_amount", digits, &r->settlement, e) == -1)
		return -1;
	if (rb != NULL) {
		if (amount(rb, "subtotal_before_discount_amount", digits, &subtotal, e) == -1 ||
		    amount(rb, "seller_discount_amount", digits, &discount, e) == -1 ||
		    amount(rb, "refund_subtotal_before_discount_amount", digits, &refund_sub,
		    e) == -1 ||
		    amount(rb, "seller_discount_refund_amount", digits, &discount_refund, e) == -1)
			return -1;
		r->revenue = subtotal + discount;
		r->refund = -(refund_sub + discount_refund);
	} else if (rev_amount >= 0) {
		r->revenue = rev_amount;
	} else {
		r->refund = -rev_amount;
	}
	if (fee != NULL) {
		if (amount(fee, "platform_commission_amount", digits, &v, e) == -1)
			return -1;
		r->commission = -v;
		if (amount(fee, "referral_fee_amount", digits, &v, e) == -1)
			return -1;
		r->commission -= v;
		if (amount(fee, "transaction_fee_amount", digits, &v, e) == -1)
			return -1;
		r->transaction_fee = -v;
	}
	/* every other fee and tax; revenue parts the breakdown does not name too */
	r->other_fees = -fee_tax - r->commission - r->transaction_fee -
	    (rev_amount - (r->revenue - r->refund));
	return 0;
}

static int
store_statement(void *ctx, struct tshop_err *e)
{
	struct statement *st = ctx;
	struct tshop_sync *s = st->s;
	const cJSON *tx;
	struct tshop_settle_row row;
	enum tshop_settle_result res;

	if (tshop_settle_begin_input(st->settle, e) == -1)
		return -1;
	cJSON_ArrayForEach(tx, st->tx) {
		struct tshop_err re = { 0 };

		if (tx_row(st, tx, &row, &re) == -1 || tshop_settle_add(st->settle, &row, &res,
		    &re) == -1) {
			if (re.code != 2) {
				*e = re;
				return -1;
			}
			s->n.failed++;
			notice(s, "statement '%s': %s", st->id, re.msg);
			continue;
		}
		s->n.merged++;
		if (res == TSHOP_SETTLE_NEW && tshop_settle_prior(st->settle) != NULL) {
			/* kept, and reported, as tshop-settle import does (SPEC §4.5) */
			s->n.duplicates++;
			notice(s, "statement '%s': order '%s' is settled already (statement "
			    "'%s'): kept, reported as a duplicate", st->id, row.order_id,
			    tshop_settle_prior(st->settle));
		} else if (res == TSHOP_SETTLE_NEW)
			s->n.new_++;
		else if (res == TSHOP_SETTLE_UNCHANGED)
			s->n.unchanged++;
		else {
			s->n.stale++;
			notice(s, "statement '%s': row of '%s' (%s) is already stored with other "
			    "amounts; kept the stored one", st->id, row.order_id, row.type);
		}
	}
	return tshop_db_state_set(s->db, "statements.since", st->time, e);
}

/* Every transaction of statement st->id into st->tx. */
static int
fetch_transactions(struct statement *st, struct tshop_err *e)
{
	int more;
	struct tshop_sync *s = st->s;
	struct tshop_api_response res = TSHOP_API_RESPONSE_INIT;
	struct tshop_api_param q[4] = {
		{ "page_size", PAGE_SIZE }, { "sort_field", "order_create_time" },
		{ "sort_order", "ASC" }, { "page_token", NULL },
	};
	struct tshop_api_request req = { TSHOP_API_GET, NULL, q, 4, NULL, true };
	struct tshop_buf path = TSHOP_BUF_INIT;
	char *token = NULL;
	int rc = -1;

	if (tshop_buf_addf(&path, "/finance/202501/statements/%s/statement_transactions",
	    st->id) == -1)
		return tshop_errorf(e, 3, "out of memory");
	req.path = path.data;
	for (;;) {
		cJSON *txs;

		q[3].value = token;
		if (tshop_api_call(s->api, &req, &res, e) == -1)
			goto done;
		if (st->currency == NULL && jstr(res.data, "currency") != NULL) {
			snprintf(st->cur, sizeof(st->cur), "%s", jstr(res.data, "currency"));
			st->currency = st->cur;
		}
		txs = cJSON_GetObjectItemCaseSensitive((cJSON *)res.data, "transactions");
		while (cJSON_GetArraySize(txs) > 0) {
			cJSON_AddItemToArray(st->tx, cJSON_DetachItemFromArray(txs, 0));
			s->n.pulled++;
		}
		if ((more = next_page(&res, req.path, &token, e)) == -1)
			goto done;
		if (more == 0)
			break;
	}
	rc = 0;
done:
	free(token);
	tshop_buf_release(&path);
	tshop_api_response_release(&res);
	return rc;
}

int
tshop_sync_statements(struct tshop_sync *s, tshop_time since, struct tshop_err *e)
{
	int more;
	struct tshop_api_response res = TSHOP_API_RESPONSE_INIT;
	char ge[32] = "";
	struct tshop_api_param q[6] = {
		{ "page_size", PAGE_SIZE }, { "sort_field", "statement_time" },
		{ "sort_order", "ASC" }, { "statement_time_ge", ge }, { "page_token", NULL },
	};
	struct tshop_api_request req = { TSHOP_API_GET, "/finance/202309/statements", q, 5, NULL,
	    true };
	struct statement st = { .s = s };
	long long saved;
	char *token = NULL;
	int rc = -1, r;

	if (since == TSHOP_TIME_NONE) {
		if ((r = tshop_db_state_get(s->db, "statements.since", &saved, e)) == -1)
			return -1;
		if (r == 0)
			since = saved;
	}
	if (since != TSHOP_TIME_NONE)
		snprintf(ge, sizeof(ge), "%lld", (long long)since);
	if (tshop_settle_new(&st.settle, s->db, e) == -1)
		return -1;
	for (;;) {
		const cJSON *stmt;

		q[4].value = token;
		if (tshop_api_call(s->api, &req, &res, e) == -1)
			goto done;
		cJSON_ArrayForEach(stmt, cJSON_GetObjectItemCaseSensitive(res.data, "statements")) {
			st.id = jstr(stmt, "id");
			st.currency = jstr(stmt, "currency");
			st.time = jint(stmt, "statement_time", 0);
			if (!safe_segment(st.id)) {
				notice(s, "a statement without a usable id was skipped");
				s->n.failed++;
				continue;
			}
			if ((st.tx = cJSON_CreateArray()) == NULL) {
				tshop_errorf(e, 3, "out of memory");
				goto done;
			}
			r = fetch_transactions(&st, e);
			if (r == 0)
				r = run_txn(s, store_statement, &st, e);
			cJSON_Delete(st.tx);
			st.tx = NULL;
			if (r == -1)
				goto done;
			s->n.pages++;
			if (s->progress != NULL)
				s->progress(s->ctx, s->n.pulled, 0);
		}
		if ((more = next_page(&res, req.path, &token, e)) == -1)
			goto done;
		if (more == 0)
			break;
	}
	rc = 0;
done:
	free(token);
	tshop_settle_free(st.settle);
	tshop_api_response_release(&res);
	return rc;
}

/* ---- dead letters -------------------------------------------------------- */

int
tshop_sync_dead(struct tshop_db *db,
    int (*fn)(const struct tshop_outbox_row *r, void *ctx, struct tshop_err *e), void *ctx,
    struct tshop_err *e)
{
	sqlite3_stmt *st;
	int rc, ret = 0;

	if (tshop_db_prepare(db, &st, "SELECT id, kind, key, attempts, last_error FROM outbox "
	    "WHERE dead = 1 ORDER BY id", e) == -1)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct tshop_outbox_row r = {
			sqlite3_column_int64(st, 0), tshop_db_col_text(st, 1),
			tshop_db_col_text(st, 2), tshop_db_col_text(st, 4),
			sqlite3_column_int64(st, 3),
		};

		if ((ret = fn(&r, ctx, e)) == -1)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = tshop_db_error(db, e, "reading the outbox");
	sqlite3_finalize(st);
	return ret;
}

int
tshop_sync_retry(struct tshop_db *db, const int64_t *ids, size_t n, size_t *done,
    struct tshop_err *e)
{
	sqlite3_stmt *st;
	int rc;

	*done = 0;
	if (tshop_db_prepare(db, &st, "UPDATE outbox SET dead = 0, attempts = 0, "
	    "last_error = NULL, updated_at = ?2 WHERE dead = 1 AND (?1 IS NULL OR id = ?1)",
	    e) == -1)
		return -1;
	for (size_t i = 0; i < (n ? n : 1); i++) {
		if (n > 0)
			sqlite3_bind_int64(st, 1, ids[i]);
		sqlite3_bind_int64(st, 2, tshop_now());
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			sqlite3_finalize(st);
			return tshop_db_error(db, e, "writing the outbox");
		}
		if (n > 0 && sqlite3_changes(db->h) == 0) {
			sqlite3_finalize(st);
			return tshop_errorf(e, 2, "outbox entry %lld is not in the dead-letter list",
			    (long long)ids[i]);
		}
		*done += (size_t)sqlite3_changes(db->h);
	}
	sqlite3_finalize(st);
	return 0;
}
