/*
 * ship.c — the rules of tshop-ship (SPEC §4.4): check a shipment against
 * the order, the carrier and the tracking formats, then record it on the
 * order (through tshop_order_merge), in the shipment log and in the
 * outbox; and list the outbox shipments for Seller Center upload files.
 *
 * Everything a batch needs is prepared once in tshop_shipper_new(): the
 * tracking formats (compiled regexes), the carrier list and the
 * statements.  A line costs one read of the order, one index lookup for a
 * duplicate number and, when something changes, the merge, the log row
 * and the outbox upsert.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "order.h"
#include "ship.h"

struct tshop_shipper {
	struct tshop_db *db;
	struct tshop_tracking *tracking;
	struct tshop_carriers *carriers;
	struct tshop_orders *orders;
	sqlite3_stmt *order_get, *dup, *replaced, *log, *outbox, *unexported, *mark;
};

static const char *const sql[] = {
	"SELECT status, shipping_type, created_at, ship_by, tracking, carrier, shipped_at "
	"FROM orders WHERE order_id = ?1",
	"SELECT order_id FROM orders WHERE tracking = ?1 AND order_id <> ?2 LIMIT 1",
	"SELECT count(*) FROM shipment WHERE order_id = ?1 AND result = 'replaced'",
	"INSERT INTO shipment (order_id, tracking, carrier, shipped_at, recorded_at, result) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	"INSERT INTO outbox (kind, key, payload, created_at, updated_at) "
	"VALUES ('shipment', ?1, ?2, ?3, ?3) ON CONFLICT (kind, key) DO UPDATE SET "
	"payload = excluded.payload, attempts = 0, last_error = NULL, dead = 0, "
	"exported_at = NULL, updated_at = excluded.updated_at",
	"SELECT id, key, payload FROM outbox WHERE kind = 'shipment' AND exported_at IS NULL "
	"ORDER BY id",
	"UPDATE outbox SET exported_at = ?2 WHERE kind = 'shipment' AND exported_at IS NULL "
	"AND id <= ?1",
};

int
tshop_shipper_new(struct tshop_shipper **sp, struct tshop_db *db,
    const struct tshop_config *cfg, struct tshop_err *e)
{
	struct tshop_shipper *s;

	*sp = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return tshop_errorf(e, 3, "out of memory");
	s->db = db;
	sqlite3_stmt **all[] = { &s->order_get, &s->dup, &s->replaced, &s->log, &s->outbox,
	    &s->unexported, &s->mark };
	if (tshop_tracking_load(&s->tracking, e) == -1 ||
	    tshop_carriers_load(&s->carriers, db, s->tracking, e) == -1 ||
	    tshop_orders_new(&s->orders, db, cfg, e) == -1)
		goto fail;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (tshop_db_prepare(db, all[i], sql[i], e) == -1)
			goto fail;
	*sp = s;
	return 0;
fail:
	tshop_shipper_free(s);
	return -1;
}

void
tshop_shipper_free(struct tshop_shipper *s)
{
	if (s == NULL)
		return;
	sqlite3_finalize(s->order_get);
	sqlite3_finalize(s->dup);
	sqlite3_finalize(s->replaced);
	sqlite3_finalize(s->log);
	sqlite3_finalize(s->outbox);
	sqlite3_finalize(s->unexported);
	sqlite3_finalize(s->mark);
	tshop_orders_free(s->orders);
	tshop_carriers_free(s->carriers);
	tshop_tracking_free(s->tracking);
	free(s);
}

const struct tshop_carriers *
tshop_shipper_carriers(const struct tshop_shipper *s)
{
	return s->carriers;
}

const struct tshop_tracking *
tshop_shipper_tracking(const struct tshop_shipper *s)
{
	return s->tracking;
}

const char *
tshop_ship_result_name(enum tshop_ship_result r)
{
	switch (r) {
	case TSHOP_SHIP_SHIPPED: return "shipped";
	case TSHOP_SHIP_UNCHANGED: return "unchanged";
	case TSHOP_SHIP_REPLACED: return "replaced";
	}
	return "?";
}

/* The recorded order, copied out of the statement. */
struct recorded {
	enum tshop_status status;
	char shipping_type[16];
	tshop_time created_at, ship_by, shipped_at;
	char tracking[TSHOP_TRACKING_MAX + 1];	/* normalised; "" when none */
	bool has_tracking;
	char carrier[128];			/* as recorded; "" when none */
};

static tshop_time
col_time(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? TSHOP_TIME_NONE :
	    sqlite3_column_int64(st, i);
}

static void
copy(char *dst, size_t n, const char *src)
{
	size_t len = src ? strlen(src) : 0;

	if (len >= n)
		len = n - 1;
	if (len)
		memcpy(dst, src, len);
	dst[len] = '\0';
}

/* 1 found, 0 unknown order, -1 error. */
static int
load_order(struct tshop_shipper *s, const char *order_id, struct recorded *r,
    struct tshop_err *e)
{
	sqlite3_stmt *st = s->order_get;
	const char *status, *tracking;
	int rc;

	memset(r, 0, sizeof(*r));
	sqlite3_bind_text(st, 1, order_id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		status = tshop_db_col_text(st, 0);
		if (status == NULL || tshop_status_parse(status, &r->status) == -1) {
			tshop_errorf(e, 3, "order '%s' has an unknown status '%s'", order_id,
			    status ? status : "");
			rc = -1;
			goto done;
		}
		copy(r->shipping_type, sizeof(r->shipping_type), tshop_db_col_text(st, 1));
		r->created_at = col_time(st, 2);
		r->ship_by = col_time(st, 3);
		if ((tracking = tshop_db_col_text(st, 4)) != NULL && *tracking != '\0') {
			r->has_tracking = true;
			if (tshop_tracking_normalize(tracking, r->tracking, sizeof(r->tracking)) < 0)
				copy(r->tracking, sizeof(r->tracking), tracking);
		}
		copy(r->carrier, sizeof(r->carrier), tshop_db_col_text(st, 5));
		r->shipped_at = col_time(st, 6);
		rc = 1;
	} else if (rc == SQLITE_DONE)
		rc = 0;
	else
		rc = tshop_db_error(s->db, e, "reading orders");
done:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* "9.40011E+21": a number a spreadsheet turned into a float. */
static bool
scientific(const char *s)
{
	const char *p = s;

	if (!(*p >= '0' && *p <= '9'))
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (*p != 'E' && *p != 'e')
		return false;
	p++;
	if (*p == '+')
		p++;
	if (!(*p >= '0' && *p <= '9'))
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == '\0';
}

/* The check of the number against the carrier, as a message. */
static int
check_number(struct tshop_shipper *s, const struct tshop_carrier *c, const char *number,
    struct tshop_tracking_match *m, const struct tshop_carrier **actual, struct tshop_err *e)
{
	int r;

	if (scientific(number))
		return tshop_errorf(e, 2, "tracking number '%s' was turned into a number by a "
		    "spreadsheet: export the column as text", number);
	if ((r = tshop_carrier_check(s->carriers, c, number, m, actual, e)) < 0)
		return -1;
	switch (r) {
	case TSHOP_TRACKING_VALID:
		return 0;
	case TSHOP_TRACKING_BAD_CHECK:
		if (m->expected != '\0' && m->check_digit != '\0')
			return tshop_errorf(e, 2, "tracking number '%s' fails the %s check "
			    "digit (format %s): '%c' should be '%c'", m->number, c->name,
			    m->format_id, m->check_digit, m->expected);
		return tshop_errorf(e, 2, "tracking number '%s' fails the %s check digit "
		    "(format %s)", m->number, c->name, m->format_id);
	case TSHOP_TRACKING_BAD_FIELD:
		return tshop_errorf(e, 2, "tracking number '%s' has an unknown %s '%s' "
		    "(%s format %s)", m->number, m->group ? m->group : "field", m->value,
		    c->name, m->format_id);
	default:
		return tshop_errorf(e, 2, "tracking number '%s' does not match any %s format",
		    m->number[0] ? m->number : number, c->name);
	}
}

/* Is `recorded` (a carrier as stored on the order) the carrier `c`? */
static bool
same_carrier(struct tshop_shipper *s, const char *recorded, const struct tshop_carrier *c)
{
	const struct tshop_carrier *r;

	if (*recorded == '\0')
		return true;
	if ((r = tshop_carrier_find(s->carriers, recorded)) == NULL)
		return false;
	return r == c;
}

static int
replaced_before(struct tshop_shipper *s, const char *order_id, bool *yes, struct tshop_err *e)
{
	sqlite3_stmt *st = s->replaced;
	int rc;

	sqlite3_bind_text(st, 1, order_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*yes = rc == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW ? 0 : tshop_db_error(s->db, e, "reading shipments");
}

/* Another order with this number: 1 (its id in buf), 0, -1. */
static int
used_by(struct tshop_shipper *s, const char *number, const char *order_id, char *buf,
    size_t n, struct tshop_err *e)
{
	sqlite3_stmt *st = s->dup;
	int rc;

	sqlite3_bind_text(st, 1, number, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, order_id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		copy(buf, n, tshop_db_col_text(st, 0));
		rc = 1;
	} else if (rc == SQLITE_DONE)
		rc = 0;
	else
		rc = tshop_db_error(s->db, e, "reading orders");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

static int
step_done(struct tshop_shipper *s, sqlite3_stmt *st, const char *what, struct tshop_err *e)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : tshop_db_error(s->db, e, what);
}

static int
queue(struct tshop_shipper *s, const char *order_id, const struct tshop_ship_outcome *o,
    tshop_time now, struct tshop_err *e)
{
	cJSON *j;
	char *payload = NULL;
	int rc;

	if ((j = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(j, "order_id", order_id) == NULL ||
	    cJSON_AddStringToObject(j, "tracking_number", o->tracking) == NULL ||
	    cJSON_AddStringToObject(j, "carrier", o->carrier->name) == NULL ||
	    (o->carrier->provider_id != NULL &&
	    cJSON_AddStringToObject(j, "shipping_provider_id", o->carrier->provider_id) == NULL) ||
	    cJSON_AddNumberToObject(j, "shipped_at", (double)o->shipped_at) == NULL ||
	    cJSON_AddBoolToObject(j, "replace", o->result == TSHOP_SHIP_REPLACED) == NULL ||
	    (payload = cJSON_PrintUnformatted(j)) == NULL) {
		cJSON_Delete(j);
		return tshop_errorf(e, 3, "out of memory");
	}
	cJSON_Delete(j);
	sqlite3_bind_text(s->outbox, 1, order_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->outbox, 2, payload, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s->outbox, 3, now);
	rc = step_done(s, s->outbox, "writing the outbox", e);
	cJSON_free(payload);
	return rc;
}

int
tshop_ship(struct tshop_shipper *s, const struct tshop_shipment *in, unsigned flags,
    struct tshop_ship_outcome *out, struct tshop_err *e)
{
	const struct tshop_carrier *named, *c;
	struct tshop_tracking_match m;
	struct recorded r;
	struct tshop_order u;
	struct tshop_merge mg;
	tshop_time now = tshop_now(), shipped_at;
	char when[32], other[256];
	int rc;

	memset(out, 0, sizeof(*out));
	out->ship_by = TSHOP_TIME_NONE;
	out->late = -1;
	if (in->order_id == NULL || *in->order_id == '\0')
		return tshop_errorf(e, 2, "column 'order_id' is empty");
	if (in->tracking == NULL || *in->tracking == '\0')
		return tshop_errorf(e, 2, "column 'tracking' is empty");
	if (in->carrier == NULL || *in->carrier == '\0')
		return tshop_errorf(e, 2, "column 'carrier' is empty");

	/* the order */
	if ((rc = load_order(s, in->order_id, &r, e)) == -1)
		return -1;
	if (rc == 0)
		return tshop_errorf(e, 2, "order '%s' is not known", in->order_id);
	if (r.status == TSHOP_CANCELLED)
		return tshop_errorf(e, 2, "order '%s' is cancelled: do not ship", in->order_id);
	if (r.status == TSHOP_UNPAID || r.status == TSHOP_ON_HOLD)
		return tshop_errorf(e, 2, "order '%s' is %s: not ready to ship", in->order_id,
		    tshop_status_name(r.status));
	if (tshop_streq_nocase(r.shipping_type, "TIKTOK"))
		return tshop_errorf(e, 2, "order '%s' is shipped by TikTok (shipping_type "
		    "TIKTOK): the platform's carrier records its tracking", in->order_id);
	out->ship_by = r.ship_by;

	/* the carrier and the number */
	if ((named = tshop_carrier_find(s->carriers, in->carrier)) == NULL) {
		const char *near = tshop_carrier_suggest(s->carriers, in->carrier);

		if (near != NULL)
			return tshop_errorf(e, 2, "carrier '%s' is not known (did you mean "
			    "'%s'?)", in->carrier, near);
		return tshop_errorf(e, 2, "carrier '%s' is not known (see 'tshop-ship "
		    "carriers')", in->carrier);
	}
	if (check_number(s, named, in->tracking, &m, &c, e) == -1)
		return -1;
	copy(out->tracking, sizeof(out->tracking), m.number);
	out->carrier = c;
	if (out->tracking[0] == '\0')
		return tshop_errorf(e, 2, "column 'tracking' is empty");

	/* when */
	shipped_at = in->shipped_at != TSHOP_TIME_NONE ? in->shipped_at : now;
	if (shipped_at > now + TSHOP_SHIP_FUTURE_SLACK)
		return tshop_errorf(e, 2, "shipped_at %s is in the future",
		    tshop_time_format(shipped_at, when, sizeof(when)));
	if (r.created_at != TSHOP_TIME_NONE && shipped_at < r.created_at)
		return tshop_errorf(e, 2, "shipped_at %s is before order '%s' was created",
		    tshop_time_format(shipped_at, when, sizeof(when)), in->order_id);

	/* shipped before: the same shipment, or a replacement */
	out->result = TSHOP_SHIP_SHIPPED;
	if (r.has_tracking) {
		if (strcmp(r.tracking, out->tracking) == 0 && same_carrier(s, r.carrier, c)) {
			out->result = TSHOP_SHIP_UNCHANGED;
			out->shipped_at = r.shipped_at;
			goto late;
		}
		if (r.status == TSHOP_DELIVERED || r.status == TSHOP_COMPLETED)
			return tshop_errorf(e, 2, "order '%s' is %s with %s '%s': its shipment "
			    "can no longer change", in->order_id, tshop_status_name(r.status),
			    r.carrier[0] ? r.carrier : "tracking number", r.tracking);
		if (!(flags & TSHOP_SHIP_REPLACE))
			return tshop_errorf(e, 2, "order '%s' was already shipped with %s '%s' "
			    "(use --replace to change it: TikTok allows that once, within 72 "
			    "hours)", in->order_id, r.carrier[0] ? r.carrier : "tracking number",
			    r.tracking);
		if (r.shipped_at == TSHOP_TIME_NONE)
			return tshop_errorf(e, 2, "order '%s' has no shipped_at: cannot tell "
			    "whether its tracking number may still be replaced", in->order_id);
		if (now - r.shipped_at > TSHOP_REPLACE_WINDOW)
			return tshop_errorf(e, 2, "order '%s' was shipped at %s, more than 72 "
			    "hours ago: TikTok no longer allows replacing its tracking number",
			    in->order_id, tshop_time_format(r.shipped_at, when, sizeof(when)));
		{
			bool yes;

			if (replaced_before(s, in->order_id, &yes, e) == -1)
				return -1;
			if (yes)
				return tshop_errorf(e, 2, "order '%s' already had its tracking "
				    "number replaced: TikTok allows that only once", in->order_id);
		}
		out->result = TSHOP_SHIP_REPLACED;
		copy(out->previous, sizeof(out->previous), r.tracking);
		shipped_at = r.shipped_at;	/* the 72 hours and ship_by count from the first */
	} else if (r.status == TSHOP_DELIVERED || r.status == TSHOP_COMPLETED)
		return tshop_errorf(e, 2, "order '%s' is %s: it can no longer be shipped",
		    in->order_id, tshop_status_name(r.status));
	out->shipped_at = shipped_at;

	if (!(flags & TSHOP_SHIP_COMBINE)) {
		if ((rc = used_by(s, out->tracking, in->order_id, other, sizeof(other), e)) == -1)
			return -1;
		if (rc == 1)
			return tshop_errorf(e, 2, "tracking number '%s' is already used by order "
			    "'%s' (use --combine for orders packed together)", out->tracking, other);
	}

	/* record: the order, the log, the outbox */
	tshop_order_init(&u);
	u.order_id = in->order_id;
	u.status = r.status < TSHOP_IN_TRANSIT ? TSHOP_IN_TRANSIT : r.status;
	u.tracking = out->tracking;
	u.carrier = c->name;
	u.shipped_at = shipped_at;
	u.replace = true;	/* checked above: --replace, within 72 hours */
	if (tshop_order_merge(s->orders, &u, &mg, e) == -1)
		return -1;
	if (mg.result == TSHOP_MERGE_STALE)
		return tshop_errorf(e, 3, "order '%s': the shipment was not recorded",
		    in->order_id);
	sqlite3_bind_text(s->log, 1, in->order_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->log, 2, out->tracking, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->log, 3, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s->log, 4, shipped_at);
	sqlite3_bind_int64(s->log, 5, now);
	sqlite3_bind_text(s->log, 6, tshop_ship_result_name(out->result), -1, SQLITE_STATIC);
	if (step_done(s, s->log, "writing the shipment log", e) == -1 ||
	    queue(s, in->order_id, out, now, e) == -1)
		return -1;
late:
	if (out->ship_by != TSHOP_TIME_NONE && out->shipped_at != TSHOP_TIME_NONE)
		out->late = out->shipped_at > out->ship_by;
	return 0;
}

int
tshop_ship_export_each(struct tshop_shipper *s,
    int (*fn)(const struct tshop_export_row *r, void *ctx, struct tshop_err *e), void *ctx,
    int64_t *last, struct tshop_err *e)
{
	sqlite3_stmt *st = s->unexported;
	int rc, ret = 0;

	*last = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct tshop_export_row row;
		const struct tshop_carrier *c;
		const char *payload = tshop_db_col_text(st, 2);
		cJSON *j = payload ? cJSON_Parse(payload) : NULL;
		const cJSON *tn = cJSON_GetObjectItemCaseSensitive(j, "tracking_number");
		const cJSON *cn = cJSON_GetObjectItemCaseSensitive(j, "carrier");

		row.id = sqlite3_column_int64(st, 0);
		row.order_id = tshop_db_col_text(st, 1);
		if (!cJSON_IsString(tn) || !cJSON_IsString(cn) || row.order_id == NULL) {
			cJSON_Delete(j);
			ret = tshop_errorf(e, 3, "outbox entry %lld: not a shipment payload",
			    (long long)row.id);
			break;
		}
		row.tracking = tn->valuestring;
		c = tshop_carrier_find(s->carriers, cn->valuestring);
		row.carrier = c ? tshop_carrier_upload_name(c) : cn->valuestring;
		*last = row.id;
		ret = fn(&row, ctx, e);
		cJSON_Delete(j);
		if (ret == -1)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = tshop_db_error(s->db, e, "reading the outbox");
	sqlite3_reset(st);
	return ret;
}

int
tshop_ship_mark_exported(struct tshop_shipper *s, int64_t last, tshop_time when,
    int64_t *n, struct tshop_err *e)
{
	sqlite3_bind_int64(s->mark, 1, last);
	sqlite3_bind_int64(s->mark, 2, when);
	if (step_done(s, s->mark, "writing the outbox", e) == -1)
		return -1;
	*n = sqlite3_changes(s->db->h);
	return 0;
}
