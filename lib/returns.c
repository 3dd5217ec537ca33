/*
 * returns.c — table `returns`: the merge of return/refund requests, the
 * receive and refund actions, and the listing (see returns.h).
 *
 * A merge reads the recorded row into a `struct rrec` (fixed slots, strings
 * copied), applies the update under the rules of returns.h into a second
 * one, and writes it back with one upsert only when a slot changed.
 * Statements are prepared once in tshop_returns_new().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "money.h"
#include "returns.h"

/* ---- pure rules ------------------------------------------------------- */

int
tshop_return_type_parse(const char *s, const char **out)
{
	char norm[48];

	if (s == NULL)
		return -1;
	if (tshop_label_key(s, norm, sizeof(norm)) == -1)
		return -1;
	if (strcmp(norm, "REFUND") == 0 || strcmp(norm, "REFUND_ONLY") == 0 ||
	    strcmp(norm, "ONLY_REFUND") == 0)
		*out = "REFUND";
	else if (strcmp(norm, "RETURN_AND_REFUND") == 0 || strcmp(norm, "RETURN_REFUND") == 0 ||
	    strcmp(norm, "RETURN") == 0)
		*out = "RETURN_AND_REFUND";
	else if (strcmp(norm, "REPLACEMENT") == 0 || strcmp(norm, "REPLACE") == 0)
		*out = "REPLACEMENT";
	else
		return -1;
	return 0;
}

#define WEIGHT_MAX 1000000000LL

int
tshop_weight_parse(const char *s, int64_t *grams)
{
	int64_t v = 0;
	int frac = 0;
	size_t digits = 0;
	bool dot = false;

	if (s == NULL)
		return -1;
	for (; (*s >= '0' && *s <= '9') || *s == '.'; s++) {
		if (*s == '.') {
			if (dot)
				return -1;
			dot = true;
			continue;
		}
		if (++digits > 12)
			return -1;
		v = v * 10 + (*s - '0');
		if (dot)
			frac++;
	}
	if (digits == 0)
		return -1;
	while (*s == ' ')
		s++;
	if (tshop_streq_nocase(s, "kg")) {
		if (frac > 3)
			return -1;
		for (; frac < 3; frac++)
			v *= 10;
	} else if (*s == '\0' || tshop_streq_nocase(s, "g")) {
		if (frac > 0)
			return -1;	/* whole grams only */
	} else
		return -1;
	if (v > WEIGHT_MAX)
		return -1;
	*grams = v;
	return 0;
}

bool
tshop_weight_review(int64_t shipped, int64_t received)
{
	int64_t d = received > shipped ? received - shipped : shipped - received;

	return (__int128)d * 100 > (__int128)shipped * 30;
}

char *
tshop_weight_difference(int64_t shipped, int64_t received, char *buf, size_t n)
{
	if (shipped == 0) {
		if (n > 0)
			buf[0] = '\0';
		return buf;
	}
	return tshop_ratio_format((received - shipped) * 100, shipped, 2, buf, n);
}

bool
tshop_return_status_refunded(const char *status)
{
	return status != NULL && (tshop_streq_nocase(status, "RETURN_OR_REFUND_REQUEST_COMPLETE") ||
	    tshop_streq_nocase(status, "REPLACEMENT_REQUEST_REFUND_SUCCESS"));
}

/* Statuses after which nothing more happens to a return. */
static bool
status_closed(const char *status)
{
	static const char *const closed[] = {
		"REFUND_OR_RETURN_REQUEST_REJECT", "REJECT_RECEIVE_PACKAGE",
		"RETURN_OR_REFUND_REQUEST_CANCEL", "RETURN_OR_REFUND_REQUEST_COMPLETE",
		"REPLACEMENT_REQUEST_REJECT", "REPLACEMENT_REQUEST_REFUND_SUCCESS",
		"REPLACEMENT_REQUEST_CANCEL", "REPLACEMENT_REQUEST_COMPLETE",
	};

	if (status == NULL)
		return false;
	for (size_t i = 0; i < sizeof(closed) / sizeof(closed[0]); i++)
		if (tshop_streq_nocase(status, closed[i]))
			return true;
	return false;
}

void
tshop_return_init(struct tshop_return *r)
{
	memset(r, 0, sizeof(*r));
	r->requested_at = r->approved_at = r->received_at = r->refunded_at = TSHOP_TIME_NONE;
	r->update_time = r->derived_refunded_at = TSHOP_TIME_NONE;
}

/* ---- the table -------------------------------------------------------- */

enum { S_GET, S_PUT, S_ORDER, S_LIST, NS };

#define COLUMNS "return_id, order_id, type, reason, status, currency, requested_at," \
	" approved_at, received_at, refunded_at, refund_amount, shipped_weight," \
	" received_weight, review, update_time"

static const char *const sql[NS] = {
	[S_GET] = "SELECT " COLUMNS " FROM returns WHERE return_id = ?",
	[S_PUT] = "INSERT INTO returns (" COLUMNS ") VALUES"
	    " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
	    " ON CONFLICT (return_id) DO UPDATE SET type = excluded.type,"
	    " reason = excluded.reason, status = excluded.status,"
	    " currency = excluded.currency, requested_at = excluded.requested_at,"
	    " approved_at = excluded.approved_at, received_at = excluded.received_at,"
	    " refunded_at = excluded.refunded_at, refund_amount = excluded.refund_amount,"
	    " shipped_weight = excluded.shipped_weight,"
	    " received_weight = excluded.received_weight, review = excluded.review,"
	    " update_time = excluded.update_time",
	[S_ORDER] = "SELECT coalesce(o.total, (SELECT sum(l.amount) FROM order_line l"
	    " WHERE l.order_id = o.order_id)), o.currency FROM orders o WHERE o.order_id = ?",
	[S_LIST] = "SELECT " COLUMNS " FROM returns ORDER BY requested_at, return_id",
};

/* Slots of a recorded return. */
enum { T_REQUESTED, T_APPROVED, T_RECEIVED, T_REFUNDED, T_UPDATE, NT };
enum { X_ID, X_ORDER, X_TYPE, X_REASON, X_STATUS, X_CURRENCY, NX };

struct rrec {
	char *s[NX];		/* malloc'ed or NULL */
	tshop_time t[NT];
	int64_t amount, shipped, received;
	bool has_amount, has_shipped, has_received, review;
};

struct tshop_returns {
	struct tshop_db *db;
	sqlite3_stmt *st[NS];
	struct rrec cur;	/* what tshop_return_get() last read */
};

static void
rrec_release(struct rrec *r)
{
	for (int i = 0; i < NX; i++)
		free(r->s[i]);
	memset(r, 0, sizeof(*r));
}

static int
rrec_copy(struct rrec *dst, const struct rrec *src)
{
	*dst = *src;
	for (int i = 0; i < NX; i++)
		dst->s[i] = NULL;
	for (int i = 0; i < NX; i++)
		if (src->s[i] != NULL && (dst->s[i] = strdup(src->s[i])) == NULL)
			return -1;
	return 0;
}

static tshop_time
col_time(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? TSHOP_TIME_NONE :
	    sqlite3_column_int64(st, i);
}

/* Read the current row of a SELECT COLUMNS statement into r. */
static int
rrec_read(sqlite3_stmt *st, struct rrec *r)
{
	static const int xcol[NX] = { 0, 1, 2, 3, 4, 5 };
	static const int tcol[NT] = { 6, 7, 8, 9, 14 };

	rrec_release(r);
	for (int i = 0; i < NX; i++) {
		const char *v = tshop_db_col_text(st, xcol[i]);

		if (v != NULL && (r->s[i] = strdup(v)) == NULL)
			return -1;
	}
	for (int i = 0; i < NT; i++)
		r->t[i] = col_time(st, tcol[i]);
	if ((r->has_amount = sqlite3_column_type(st, 10) != SQLITE_NULL))
		r->amount = sqlite3_column_int64(st, 10);
	if ((r->has_shipped = sqlite3_column_type(st, 11) != SQLITE_NULL))
		r->shipped = sqlite3_column_int64(st, 11);
	if ((r->has_received = sqlite3_column_type(st, 12) != SQLITE_NULL))
		r->received = sqlite3_column_int64(st, 12);
	r->review = sqlite3_column_int(st, 13) != 0;
	return 0;
}

static void
rrec_row(const struct rrec *r, struct tshop_return_row *row)
{
	row->return_id = r->s[X_ID];
	row->order_id = r->s[X_ORDER];
	row->type = r->s[X_TYPE];
	row->reason = r->s[X_REASON];
	row->status = r->s[X_STATUS];
	row->currency = r->s[X_CURRENCY];
	row->requested_at = r->t[T_REQUESTED];
	row->approved_at = r->t[T_APPROVED];
	row->received_at = r->t[T_RECEIVED];
	row->refunded_at = r->t[T_REFUNDED];
	row->refund_amount = r->amount;
	row->has_refund_amount = r->has_amount;
	row->shipped_weight = r->shipped;
	row->has_shipped_weight = r->has_shipped;
	row->received_weight = r->received;
	row->has_received_weight = r->has_received;
	row->review = r->review;
}

static void
bind_time(sqlite3_stmt *st, int i, tshop_time t)
{
	if (t == TSHOP_TIME_NONE)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, t);
}

static void
bind_opt(sqlite3_stmt *st, int i, bool has, int64_t v)
{
	if (has)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static int
rrec_write(struct tshop_returns *r, const struct rrec *w, struct tshop_err *e)
{
	sqlite3_stmt *st = r->st[S_PUT];
	int rc;

	sqlite3_reset(st);
	for (int i = 0; i < NX; i++)
		tshop_db_bind_text(st, i + 1, w->s[i]);
	bind_time(st, 7, w->t[T_REQUESTED]);
	bind_time(st, 8, w->t[T_APPROVED]);
	bind_time(st, 9, w->t[T_RECEIVED]);
	bind_time(st, 10, w->t[T_REFUNDED]);
	bind_opt(st, 11, w->has_amount, w->amount);
	bind_opt(st, 12, w->has_shipped, w->shipped);
	bind_opt(st, 13, w->has_received, w->received);
	sqlite3_bind_int(st, 14, w->review);
	bind_time(st, 15, w->t[T_UPDATE]);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return tshop_db_error(r->db, e, "writing a return");
	return 0;
}

int
tshop_returns_new(struct tshop_returns **rp, struct tshop_db *db, struct tshop_err *e)
{
	struct tshop_returns *r;

	if ((*rp = r = calloc(1, sizeof(*r))) == NULL)
		return tshop_errorf(e, 3, "out of memory");
	r->db = db;
	for (int i = 0; i < NS; i++)
		if (tshop_db_prepare(db, &r->st[i], sql[i], e) == -1) {
			tshop_returns_free(r);
			*rp = NULL;
			return -1;
		}
	return 0;
}

void
tshop_returns_free(struct tshop_returns *r)
{
	if (r == NULL)
		return;
	for (int i = 0; i < NS; i++)
		sqlite3_finalize(r->st[i]);
	rrec_release(&r->cur);
	free(r);
}

/* Read return `id` into r->cur: 1 found, 0 not, -1 error. */
static int
load(struct tshop_returns *r, const char *id, struct tshop_err *e)
{
	sqlite3_stmt *st = r->st[S_GET];
	int rc, found = 0;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		found = 1;
		if (rrec_read(st, &r->cur) == -1) {
			sqlite3_reset(st);
			return tshop_errorf(e, 3, "out of memory");
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return tshop_db_error(r->db, e, "reading a return");
	return found;
}

int
tshop_return_get(struct tshop_returns *r, const char *return_id,
    struct tshop_return_row *row, struct tshop_err *e)
{
	int rc = load(r, return_id, e);

	if (rc == 1)
		rrec_row(&r->cur, row);
	return rc;
}

/* The amount and currency of an order: 1 known, 0 not, -1 error. */
static int
order_amount(struct tshop_returns *r, const char *order_id, int64_t *amount,
    char *currency, size_t n, struct tshop_err *e)
{
	sqlite3_stmt *st = r->st[S_ORDER];
	int rc, found = 0;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, order_id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		found = 1;
		*amount = sqlite3_column_int64(st, 0);
		snprintf(currency, n, "%s", tshop_db_col_text(st, 1) ? tshop_db_col_text(st, 1) : "");
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return tshop_db_error(r->db, e, "reading an order");
	return found;
}

/* ---- merge ------------------------------------------------------------ */

static const char *const xname[NX] = { "return_id", "order_id", "type", "reason", "status", "currency" };
static const char *const tname[NT] = { "requested_at", "approved_at", "received_at", "refunded_at", "update_time" };

static void
conflict(struct tshop_return_merge *m, const char *field, const char *given, const char *kept)
{
	size_t len = strlen(m->conflict);

	m->conflicts++;
	if (len + 1 < sizeof(m->conflict))
		snprintf(m->conflict + len, sizeof(m->conflict) - len, "%s%s '%s' differs from "
		    "the recorded '%s'", len ? "; " : "", field, given, kept);
}

/* Fill or compare a text slot; 1 when it changed, -1 out of memory. */
static int
fill_text(struct rrec *w, int slot, const char *v, struct tshop_return_merge *m)
{
	if (v == NULL || *v == '\0')
		return 0;
	if (w->s[slot] == NULL) {
		if ((w->s[slot] = strdup(v)) == NULL)
			return -1;
		return 1;
	}
	if (strcmp(w->s[slot], v) != 0)
		conflict(m, xname[slot], v, w->s[slot]);
	return 0;
}

static int
fill_time(struct rrec *w, int slot, tshop_time v, struct tshop_return_merge *m)
{
	char a[32], b[32];

	if (v == TSHOP_TIME_NONE)
		return 0;
	if (w->t[slot] == TSHOP_TIME_NONE) {
		w->t[slot] = v;
		return 1;
	}
	if (w->t[slot] != v)
		conflict(m, tname[slot], tshop_time_format(v, a, sizeof(a)),
		    tshop_time_format(w->t[slot], b, sizeof(b)));
	return 0;
}

static int
fill_int(bool *has, int64_t *slot, bool given, int64_t v, const char *field, int digits,
    struct tshop_return_merge *m)
{
	char a[32], b[32];

	if (!given)
		return 0;
	if (!*has) {
		*has = true;
		*slot = v;
		return 1;
	}
	if (*slot != v) {
		if (digits >= 0)
			conflict(m, field, tshop_money_format(v, digits, a, sizeof(a)),
			    tshop_money_format(*slot, digits, b, sizeof(b)));
		else {
			snprintf(a, sizeof(a), "%lld", (long long)v);
			snprintf(b, sizeof(b), "%lld", (long long)*slot);
			conflict(m, field, a, b);
		}
	}
	return 0;
}

int
tshop_return_merge(struct tshop_returns *r, const struct tshop_return *u,
    struct tshop_return_merge *m, struct tshop_err *e)
{
	struct rrec w = { 0 };
	int found, rc = -1, ch = 0, k;
	bool review;

	memset(m, 0, sizeof(*m));
	if (u->return_id == NULL || *u->return_id == '\0')
		return tshop_errorf(e, 2, "no return_id");
	if ((found = load(r, u->return_id, e)) == -1)
		return -1;
	if (!found) {
		if (u->order_id == NULL || *u->order_id == '\0')
			return tshop_errorf(e, 2, "new return '%s' has no order_id", u->return_id);
		if (u->type == NULL)
			return tshop_errorf(e, 2, "new return '%s' has no type "
			    "(REFUND, RETURN_AND_REFUND or REPLACEMENT)", u->return_id);
		if (u->requested_at == TSHOP_TIME_NONE)
			return tshop_errorf(e, 2, "new return '%s' has no requested_at", u->return_id);
		for (int i = 0; i < NT; i++)
			w.t[i] = TSHOP_TIME_NONE;
		m->result = TSHOP_RETURN_NEW;
	} else {
		if (u->order_id != NULL && strcmp(u->order_id, r->cur.s[X_ORDER]) != 0)
			return tshop_errorf(e, 2, "return '%s' belongs to order '%s', not '%s'",
			    u->return_id, r->cur.s[X_ORDER], u->order_id);
		if (u->update_time != TSHOP_TIME_NONE && r->cur.t[T_UPDATE] != TSHOP_TIME_NONE &&
		    u->update_time < r->cur.t[T_UPDATE]) {
			m->result = TSHOP_RETURN_STALE;
			return 0;
		}
		if (rrec_copy(&w, &r->cur) == -1)
			goto nomem;
		m->result = TSHOP_RETURN_UNCHANGED;
	}
	/* the newest status wins; everything else only fills */
	if (u->status != NULL && *u->status != '\0' && w.s[X_STATUS] != NULL &&
	    status_closed(w.s[X_STATUS]) && !status_closed(u->status))
		/* a closed return does not reopen: an old export read again */
		conflict(m, "status", u->status, w.s[X_STATUS]);
	else if (u->status != NULL && *u->status != '\0' &&
	    (w.s[X_STATUS] == NULL || strcmp(w.s[X_STATUS], u->status) != 0)) {
		free(w.s[X_STATUS]);
		if ((w.s[X_STATUS] = strdup(u->status)) == NULL)
			goto nomem;
		ch = 1;
	}
	if (u->update_time != TSHOP_TIME_NONE &&
	    (w.t[T_UPDATE] == TSHOP_TIME_NONE || u->update_time > w.t[T_UPDATE])) {
		w.t[T_UPDATE] = u->update_time;
		ch = 1;
	}
	{
		const char *given[NX] = { u->return_id, u->order_id, u->type, u->reason, NULL,
		    u->currency };

		for (int i = 0; i < NX; i++) {
			if ((k = fill_text(&w, i, given[i], m)) == -1)
				goto nomem;
			ch |= k;
		}
	}
	ch |= fill_time(&w, T_REQUESTED, u->requested_at, m);
	ch |= fill_time(&w, T_APPROVED, u->approved_at, m);
	ch |= fill_time(&w, T_RECEIVED, u->received_at, m);
	ch |= fill_time(&w, T_REFUNDED, u->refunded_at, m);
	if (w.t[T_REFUNDED] == TSHOP_TIME_NONE && u->derived_refunded_at != TSHOP_TIME_NONE) {
		w.t[T_REFUNDED] = u->derived_refunded_at;
		ch = 1;
	}
	ch |= fill_int(&w.has_amount, &w.amount, u->has_refund_amount, u->refund_amount,
	    "refund_amount", tshop_currency_digits(w.s[X_CURRENCY]), m);
	ch |= fill_int(&w.has_shipped, &w.shipped, u->has_shipped_weight, u->shipped_weight,
	    "shipped_weight", -1, m);
	ch |= fill_int(&w.has_received, &w.received, u->has_received_weight, u->received_weight,
	    "received_weight", -1, m);
	review = w.has_shipped && w.has_received ? tshop_weight_review(w.shipped, w.received) :
	    w.review;
	if (review != w.review) {
		w.review = review;
		ch = 1;
	}
	if (w.t[T_REFUNDED] != TSHOP_TIME_NONE && w.t[T_REFUNDED] < w.t[T_REQUESTED]) {
		char a[32], b[32];

		tshop_errorf(e, 2, "return '%s': refunded_at %s is before requested_at %s",
		    u->return_id, tshop_time_format(w.t[T_REFUNDED], a, sizeof(a)),
		    tshop_time_format(w.t[T_REQUESTED], b, sizeof(b)));
		goto out;
	}
	if (ch && m->result == TSHOP_RETURN_UNCHANGED)
		m->result = TSHOP_RETURN_UPDATED;
	if (ch && rrec_write(r, &w, e) == -1)
		goto out;
	rc = 0;
	goto out;
nomem:
	tshop_errorf(e, 3, "out of memory");
out:
	rrec_release(&w);
	return rc;
}

/* ---- receive and refund ---------------------------------------------- */

int
tshop_return_receive(struct tshop_returns *r, const char *return_id, int64_t grams,
    tshop_time now, struct tshop_return_row *row, bool *changed, struct tshop_err *e)
{
	struct rrec *c = &r->cur;
	int found;

	*changed = false;
	if ((found = load(r, return_id, e)) == -1)
		return -1;
	if (found == 0)
		return tshop_errorf(e, 2, "return '%s' is not known", return_id);
	if (c->has_received && c->received != grams) {
		char t[32];

		return tshop_errorf(e, 2, "return '%s' was already received with a weight of "
		    "%lld g (at %s)", return_id, (long long)c->received,
		    c->t[T_RECEIVED] != TSHOP_TIME_NONE ?
		    tshop_time_format(c->t[T_RECEIVED], t, sizeof(t)) : "an unknown time");
	}
	if (!c->has_received || c->t[T_RECEIVED] == TSHOP_TIME_NONE) {
		c->has_received = true;
		c->received = grams;
		if (c->t[T_RECEIVED] == TSHOP_TIME_NONE)
			c->t[T_RECEIVED] = now;
		if (c->has_shipped)
			c->review = tshop_weight_review(c->shipped, c->received);
		if (rrec_write(r, c, e) == -1)
			return -1;
		*changed = true;
	}
	rrec_row(c, row);
	return 0;
}

int
tshop_return_refund(struct tshop_returns *r, const char *return_id, const int64_t *amount,
    tshop_time now, struct tshop_return_row *row, bool *changed, struct tshop_err *e)
{
	struct rrec *c = &r->cur;
	char cur[16], a[32], b[32];
	int64_t order_total = 0, v;
	int found, known;
	int digits;

	*changed = false;
	if ((found = load(r, return_id, e)) == -1)
		return -1;
	if (found == 0)
		return tshop_errorf(e, 2, "return '%s' is not known", return_id);
	if ((known = order_amount(r, c->s[X_ORDER], &order_total, cur, sizeof(cur), e)) == -1)
		return -1;
	digits = tshop_currency_digits(c->s[X_CURRENCY] ? c->s[X_CURRENCY] : cur);
	if (amount != NULL)
		v = *amount;
	else if (c->has_amount)
		v = c->amount;
	else if (known)
		v = order_total;
	else
		return tshop_errorf(e, 2, "return '%s': no refund amount was requested and "
		    "order '%s' has no amount: give the amount", return_id, c->s[X_ORDER]);
	if (c->t[T_REFUNDED] != TSHOP_TIME_NONE) {
		if (amount != NULL && c->has_amount && c->amount != v)
			return tshop_errorf(e, 2, "return '%s' was already refunded (%s at %s)",
			    return_id, tshop_money_format(c->amount, digits, a, sizeof(a)),
			    tshop_time_format(c->t[T_REFUNDED], b, sizeof(b)));
		if (!c->has_amount) {
			c->has_amount = true;
			c->amount = v;
			if (rrec_write(r, c, e) == -1)
				return -1;
			*changed = true;
		}
		rrec_row(c, row);
		return 0;
	}
	if (v < 0)
		return tshop_errorf(e, 2, "refund amount %s is negative",
		    tshop_money_format(v, digits, a, sizeof(a)));
	if (known && v > order_total)
		return tshop_errorf(e, 2, "refund amount %s is more than the amount %s of order '%s'",
		    tshop_money_format(v, digits, a, sizeof(a)),
		    tshop_money_format(order_total, digits, b, sizeof(b)), c->s[X_ORDER]);
	if (now < c->t[T_REQUESTED])
		return tshop_errorf(e, 2, "return '%s' was requested at %s, after now",
		    return_id, tshop_time_format(c->t[T_REQUESTED], a, sizeof(a)));
	c->t[T_REFUNDED] = now;
	c->has_amount = true;
	c->amount = v;
	free(c->s[X_STATUS]);
	if ((c->s[X_STATUS] = strdup("RETURN_OR_REFUND_REQUEST_COMPLETE")) == NULL)
		return tshop_errorf(e, 3, "out of memory");
	if (rrec_write(r, c, e) == -1)
		return -1;
	*changed = true;
	rrec_row(c, row);
	return 0;
}

/* ---- listing ---------------------------------------------------------- */

/* Call fn(item, len, ctx) for each comma-separated item; stop at the first nonzero. */
static int
each_item(const char *list, int (*fn)(const char *item, size_t len, const void *ctx),
    const void *ctx)
{
	const char *p = list;
	int rc;

	for (;;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		while (n > 0 && *p == ' ')
			p++, n--;
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if ((rc = fn(p, n, ctx)) != 0)
			return rc;
		if (end == NULL)
			return 0;
		p = end + 1;
	}
}

static bool
item_is(const char *item, size_t len, const char *word)
{
	return strlen(word) == len && strncasecmp(item, word, len) == 0;
}

static int
item_valid(const char *item, size_t len, const void *ctx)
{
	(void)ctx;
	return len == 0 ? 1 : 0;
}

int
tshop_returns_filter_check(const char *filter, struct tshop_err *e)
{
	if (filter == NULL)
		return 0;
	if (*filter == '\0' || each_item(filter, item_valid, NULL) != 0)
		return tshop_errorf(e, 2, "-s: '%s' has an empty status", filter);
	return 0;
}

static int
item_match(const char *item, size_t len, const void *ctx)
{
	const struct tshop_return_row *row = ctx;

	if (item_is(item, len, "open"))
		return row->refunded_at == TSHOP_TIME_NONE && !status_closed(row->status);
	if (item_is(item, len, "refunded"))
		return row->refunded_at != TSHOP_TIME_NONE;
	if (item_is(item, len, "review"))
		return row->review;
	return row->status != NULL && item_is(item, len, row->status);
}

bool
tshop_returns_filter_match(const char *filter, const struct tshop_return_row *row)
{
	return filter == NULL || each_item(filter, item_match, row) != 0;
}

int
tshop_returns_list(struct tshop_returns *r, const char *filter,
    int (*fn)(const struct tshop_return_row *row, void *ctx, struct tshop_err *e), void *ctx,
    struct tshop_err *e)
{
	sqlite3_stmt *st = r->st[S_LIST];
	struct tshop_return_row row;
	struct rrec rec = { 0 };
	int rc;

	sqlite3_reset(st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (rrec_read(st, &rec) == -1) {
			rrec_release(&rec);
			sqlite3_reset(st);
			return tshop_errorf(e, 3, "out of memory");
		}
		rrec_row(&rec, &row);
		if (tshop_returns_filter_match(filter, &row) && fn(&row, ctx, e) == -1) {
			rrec_release(&rec);
			sqlite3_reset(st);
			return -1;
		}
	}
	rrec_release(&rec);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return tshop_db_error(r->db, e, "listing the returns");
	return 0;
}
