/*
 * webhook.c — webhook deliveries: the signature check (HMAC-SHA256 over
 * app_key and the raw body, computed by api.c, compared in constant time)
 * and the event log of table webhook_event, whose status changes go
 * through tshop_order_merge() like every other order update.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "api.h"
#include "webhook.h"

bool
tshop_webhook_signature_ok(const char *app_key, const char *app_secret,
    const void *body, size_t len, const char *signature)
{
	char want[TSHOP_API_SIGN_LEN + 1];
	size_t klen;
	char *msg;
	bool ok;

	if (app_key == NULL || app_secret == NULL || signature == NULL ||
	    (body == NULL && len > 0) || strlen(signature) != TSHOP_API_SIGN_LEN)
		return false;
	klen = strlen(app_key);
	if ((msg = malloc(klen + len + 1)) == NULL)
		return false;
	memcpy(msg, app_key, klen);
	if (len > 0)
		memcpy(msg + klen, body, len);
	tshop_hmac_sha256_hex(app_secret, strlen(app_secret), msg, klen + len, want);
	free(msg);
	ok = strlen(want) == TSHOP_API_SIGN_LEN &&
	    CRYPTO_memcmp(want, signature, TSHOP_API_SIGN_LEN) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

static const char *const result_names[] = {
	"applied", "pending", "stale", "duplicate",
};

const char *
tshop_webhook_result_name(enum tshop_webhook_result r)
{
	return result_names[r];
}

int
tshop_webhook_result_parse(const char *s, enum tshop_webhook_result *r)
{
	for (size_t i = 0; i < sizeof(result_names) / sizeof(result_names[0]); i++)
		if (s != NULL && strcmp(s, result_names[i]) == 0) {
			*r = (enum tshop_webhook_result)i;
			return 0;
		}
	return -1;
}

/* A string or whole-number field as text into buf ("" when absent). */
static void
field_text(const cJSON *obj, const char *key, char *buf, size_t n)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	buf[0] = '\0';
	if (cJSON_IsString(it))
		snprintf(buf, n, "%s", it->valuestring);
	else if (cJSON_IsNumber(it) && it->valuedouble == trunc(it->valuedouble) &&
	    fabs(it->valuedouble) < 1e18)
		snprintf(buf, n, "%lld", (long long)it->valuedouble);
}

/* A Unix-seconds field (number or digits); TSHOP_TIME_NONE when absent or 0. */
static tshop_time
field_time(const cJSON *obj, const char *key)
{
	char buf[32];
	long long v;

	field_text(obj, key, buf, sizeof(buf));
	if (tshop_parse_int(buf, 1, 253402300799LL, &v) == -1)
		return TSHOP_TIME_NONE;
	return v;
}

static int
step_done(struct tshop_db *db, sqlite3_stmt *st, const char *what, struct tshop_err *e)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : tshop_db_error(db, e, what);
}

/* Is this status change already logged (under another notification id)?  1, 0, -1. */
static int
logged_before(struct tshop_db *db, const char *order_id, const char *status, tshop_time t,
    struct tshop_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (tshop_db_prepare(db, &st, "SELECT 1 FROM webhook_event WHERE order_id = ?1 "
	    "AND type = 1 AND order_status = ?2 AND update_time = ?3 AND result <> 'duplicate' "
	    "LIMIT 1", e) == -1)
		return -1;
	sqlite3_bind_text(st, 1, order_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, t);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return tshop_db_error(db, e, "reading the webhook log");
}

/*
 * Apply a status change to a recorded order: *r applied or stale, or
 * pending when the order is not recorded; a status tshop does not know is
 * applied with nothing to change (detail says so).
 */
static int
apply_status(struct tshop_orders *o, const char *order_id, const char *status_text,
    tshop_time update_time, enum tshop_webhook_result *r, char *detail, size_t n,
    struct tshop_err *e)
{
	struct tshop_order u;
	struct tshop_merge m;
	enum tshop_status status;
	int found;

	if (tshop_status_parse(status_text, &status) == -1) {
		snprintf(detail, n, "order status '%s' is not one tshop knows: nothing to change",
		    status_text);
		*r = TSHOP_WEBHOOK_APPLIED;
		return 0;
	}
	if ((found = tshop_order_status_of(o, order_id, NULL, e)) == -1)
		return -1;
	if (found == 0) {
		*r = TSHOP_WEBHOOK_PENDING;
		return 0;
	}
	tshop_order_init(&u);
	u.order_id = order_id;
	u.status = status;
	u.update_time = update_time;
	if (status == TSHOP_CANCELLED)
		u.cancelled_at = update_time;
	else if (status == TSHOP_DELIVERED)
		u.delivered_at = update_time;
	if (tshop_order_merge(o, &u, &m, e) == -1)
		return -1;
	*r = m.result == TSHOP_MERGE_STALE ? TSHOP_WEBHOOK_STALE : TSHOP_WEBHOOK_APPLIED;
	return 0;
}

/* The notification id: tts_notification_id, else "sha256:" + hex SHA-256 of the body. */
static int
notification_id(const cJSON *root, const char *body, size_t len, char *out, size_t n,
    struct tshop_err *e)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t off;

	field_text(root, "tts_notification_id", out, n);
	if (out[0] != '\0')
		return 0;
	if (EVP_Digest(body, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		return tshop_errorf(e, 3, "cannot compute SHA-256");
	off = (size_t)snprintf(out, n, "sha256:");
	for (unsigned int i = 0; i < mdlen && off + 2 < n; i++, off += 2)
		snprintf(out + off, n - off, "%02x", md[i]);
	return 0;
}

/* Record one delivery; `any_body`: one that is not a JSON object too. */
static int
record(struct tshop_db *db, struct tshop_orders *o, const char *body, size_t len,
    tshop_time received_at, bool any_body, struct tshop_webhook_event *ev, struct tshop_err *e)
{
	cJSON *root;
	const cJSON *data, *type;
	char status[64] = "";
	tshop_time update_time = TSHOP_TIME_NONE;
	sqlite3_stmt *st;
	int rc = -1;

	memset(ev, 0, sizeof(*ev));
	ev->type = -1;
	root = cJSON_ParseWithLength(body, len);
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		if (!any_body)
			return tshop_errorf(e, 2, "the delivery is not a JSON object");
		root = NULL;	/* recorded under its hash, with nothing to apply */
	}
	if (notification_id(root, body, len, ev->notification_id, sizeof(ev->notification_id),
	    e) == -1)
		goto done;
	type = cJSON_GetObjectItemCaseSensitive(root, "type");
	if (cJSON_IsNumber(type)) {
		/* the same range as a type given as a string; 1e999 is inf */
		if (type->valuedouble >= 0 && type->valuedouble <= 1000000)
			ev->type = (long long)type->valuedouble;
	}
	else if (cJSON_IsString(type) && tshop_parse_int(type->valuestring, 0, 1000000,
	    &ev->type) == -1)
		ev->type = -1;
	data = cJSON_GetObjectItemCaseSensitive(root, "data");
	field_text(data, "order_id", ev->order_id, sizeof(ev->order_id));

	/* a replay of a recorded delivery changes nothing */
	if (tshop_db_prepare(db, &st, "SELECT 1 FROM webhook_event WHERE notification_id = ?1",
	    e) == -1)
		goto done;
	sqlite3_bind_text(st, 1, ev->notification_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW) {
		ev->replay = true;
		ev->result = TSHOP_WEBHOOK_DUPLICATE;
		rc = 0;
		goto done;
	}
	if (rc != SQLITE_DONE) {
		rc = tshop_db_error(db, e, "reading the webhook log");
		goto done;
	}
	rc = -1;
	ev->result = TSHOP_WEBHOOK_APPLIED;
	if (root == NULL)
		snprintf(ev->detail, sizeof(ev->detail), "the body is not a JSON object: "
		    "nothing to change");
	else if (ev->type != 1)
		snprintf(ev->detail, sizeof(ev->detail), "type %lld: nothing to change "
		    "(tshop keeps no state it changes)", ev->type);
	else
		snprintf(ev->detail, sizeof(ev->detail), "no order_id or order_status: "
		    "nothing to change");
	if (ev->type == 1 && ev->order_id[0] != '\0') {
		field_text(data, "order_status", status, sizeof(status));
		if ((update_time = field_time(data, "update_time")) == TSHOP_TIME_NONE)
			update_time = field_time(root, "timestamp");
		if (status[0] != '\0') {
			int dup = update_time == TSHOP_TIME_NONE ? 0 :
			    logged_before(db, ev->order_id, status, update_time, e);

			if (dup == -1)
				goto done;
			ev->detail[0] = '\0';
			if (dup == 1)
				ev->result = TSHOP_WEBHOOK_DUPLICATE;
			else if (apply_status(o, ev->order_id, status, update_time, &ev->result,
			    ev->detail, sizeof(ev->detail), e) == -1)
				goto done;
		}
	}
	if (tshop_db_prepare(db, &st, "INSERT INTO webhook_event (notification_id, received_at, "
	    "type, order_id, order_status, update_time, result, detail, body) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?9, ?8)", e) == -1)
		goto done;
	tshop_db_bind_text(st, 9, ev->detail);
	sqlite3_bind_text(st, 1, ev->notification_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, received_at);
	if (ev->type >= 0)
		sqlite3_bind_int64(st, 3, ev->type);
	tshop_db_bind_text(st, 4, ev->order_id);
	tshop_db_bind_text(st, 5, status);
	if (update_time != TSHOP_TIME_NONE)
		sqlite3_bind_int64(st, 6, update_time);
	sqlite3_bind_text(st, 7, tshop_webhook_result_name(ev->result), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, body, (int)len, SQLITE_STATIC);
	rc = step_done(db, st, "writing the webhook log", e);
done:
	cJSON_Delete(root);
	return rc;
}

int
tshop_webhook_record(struct tshop_db *db, struct tshop_orders *o, const char *body,
    size_t len, tshop_time received_at, struct tshop_webhook_event *ev, struct tshop_err *e)
{
	return record(db, o, body, len, received_at, false, ev, e);
}

int
tshop_webhook_record_signed(struct tshop_db *db, struct tshop_orders *o, const char *body,
    size_t len, tshop_time received_at, struct tshop_webhook_event *ev, struct tshop_err *e)
{
	return record(db, o, body, len, received_at, true, ev, e);
}

int
tshop_webhook_resolve(struct tshop_db *db, struct tshop_orders *o,
    struct tshop_webhook_counts *c, struct tshop_err *e)
{
	struct pending {
		int64_t id;
		char *order_id, *status;
		tshop_time update_time;
	} *p = NULL, *q;
	size_t n = 0, cap = 0, i;
	sqlite3_stmt *st;
	int rc, ret = -1;

	memset(c, 0, sizeof(*c));
	if (tshop_db_prepare(db, &st, "SELECT id, order_id, order_status, update_time "
	    "FROM webhook_event WHERE result = 'pending' ORDER BY id", e) == -1)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((q = realloc(p, cap * sizeof(*p))) == NULL) {
				sqlite3_finalize(st);
				tshop_errorf(e, 3, "out of memory");
				goto done;
			}
			p = q;
		}
		p[n].id = sqlite3_column_int64(st, 0);
		p[n].order_id = tshop_strdup(tshop_db_col_text(st, 1));
		p[n].status = tshop_strdup(tshop_db_col_text(st, 2));
		p[n].update_time = sqlite3_column_type(st, 3) == SQLITE_NULL ? TSHOP_TIME_NONE :
		    sqlite3_column_int64(st, 3);
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		tshop_db_error(db, e, "reading the webhook log");
		goto done;
	}
	for (i = 0; i < n; i++) {
		enum tshop_webhook_result r = TSHOP_WEBHOOK_APPLIED;
		char detail[sizeof(((struct tshop_webhook_event *)0)->detail)] = "";

		if (p[i].order_id != NULL && p[i].status != NULL &&
		    apply_status(o, p[i].order_id, p[i].status, p[i].update_time, &r, detail,
		    sizeof(detail), e) == -1)
			goto done;
		if (r == TSHOP_WEBHOOK_PENDING) {
			c->pending++;
			continue;
		}
		if (r == TSHOP_WEBHOOK_STALE)
			c->stale++;
		else
			c->applied++;
		if (tshop_db_prepare(db, &st, "UPDATE webhook_event SET result = ?2, detail = ?3 "
		    "WHERE id = ?1", e) == -1)
			goto done;
		sqlite3_bind_int64(st, 1, p[i].id);
		sqlite3_bind_text(st, 2, tshop_webhook_result_name(r), -1, SQLITE_STATIC);
		tshop_db_bind_text(st, 3, detail);
		if (step_done(db, st, "writing the webhook log", e) == -1)
			goto done;
	}
	ret = 0;
done:
	for (i = 0; i < n; i++) {
		free(p[i].order_id);
		free(p[i].status);
	}
	free(p);
	return ret;
}

int
tshop_webhook_list(struct tshop_db *db, const char *result,
    int (*fn)(const struct tshop_webhook_row *r, void *ctx, struct tshop_err *e), void *ctx,
    struct tshop_err *e)
{
	sqlite3_stmt *st;
	int rc, ret = 0;

	if (tshop_db_prepare(db, &st, "SELECT received_at, notification_id, type, order_id, "
	    "result FROM webhook_event WHERE ?1 IS NULL OR result = ?1 ORDER BY id", e) == -1)
		return -1;
	tshop_db_bind_text(st, 1, result);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct tshop_webhook_row r = {
			sqlite3_column_int64(st, 0), tshop_db_col_text(st, 1),
			sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 2),
			tshop_db_col_text(st, 3), tshop_db_col_text(st, 4),
		};

		if ((ret = fn(&r, ctx, e)) == -1)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = tshop_db_error(db, e, "reading the webhook log");
	sqlite3_finalize(st);
	return ret;
}
