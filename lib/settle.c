/*
 * settle.c — settlement rows: import mapping and storage, the check and
 * the summary (see settle.h).
 *
 * Import numbers each row within its input (a Bloom filter of fixed size
 * spares the count for identities met once; see below), and stores it with
 * INSERT ... ON CONFLICT DO NOTHING on the unique identity; all statements
 * are prepared once and the caller holds one transaction.
 *
 * The check and the summary are one scan: a single query walks the
 * settlement rows in import order (or period order), joined to their
 * order, its lines and each line's commission rate (a temporary table of
 * category → rate filled from the settings), with the duplicate flag
 * that import set.  The rows of one settlement row (one per order
 * line) arrive together; C does the exact integer arithmetic.  Findings
 * go to a temporary table and come back sorted by SQLite, so memory stays
 * flat however many there are.
 */
#include <stdlib.h>
#include <string.h>

#include "settle.h"

typedef __int128 i128;

const struct tshop_column tshop_settle_columns[TSHOP_SETTLE_NCOLS] = {
	[TSHOP_SETTLE_STATEMENT_ID] = { "statement_id", "Statement ID", 0 },
	[TSHOP_SETTLE_STATEMENT_DATE] = { "statement_date", "Statement date", 0 },
	[TSHOP_SETTLE_ORDER_ID] = { "order_id",
	    "Order/adjustment ID|Order\\adjustment ID|Order ID|adjustment_id",
	    TSHOP_COL_REQUIRED | TSHOP_COL_KEY },
	[TSHOP_SETTLE_TYPE] = { "type", "Transaction type", 0 },
	[TSHOP_SETTLE_CURRENCY] = { "currency", NULL, 0 },
	[TSHOP_SETTLE_REVENUE] = { "revenue", "Subtotal after seller discounts|gross_sales", 0 },
	[TSHOP_SETTLE_REFUND_COL] = { "refund",
	    "Refund subtotal after seller discounts|refund_amount", 0 },
	[TSHOP_SETTLE_COMMISSION] = { "commission", "TikTok Shop commission fee|commission_fee", 0 },
	[TSHOP_SETTLE_TRANSACTION_FEE] = { "transaction_fee",
	    "Transaction fee|payment_processing_fee", 0 },
	[TSHOP_SETTLE_SHIPPING_FEE] = { "shipping_fee", "Seller shipping fee", 0 },
	[TSHOP_SETTLE_OTHER_FEES] = { "other_fees", NULL, 0 },
	[TSHOP_SETTLE_ADJUSTMENT] = { "adjustment", "Adjustment amount|Ajustment amount", 0 },
	[TSHOP_SETTLE_SETTLEMENT] = { "settlement", "Total settlement amount|net_payout",
	    TSHOP_COL_REQUIRED },
	[TSHOP_SETTLE_SETTLED_TIME] = { "settled_time", "Order settled time", 0 },
	[TSHOP_SETTLE_ACTUAL_SHIPPING_FEE] = { "actual_shipping_fee", "Actual shipping fee", 0 },
};

/* Input mapping ---------------------------------------------------------- */

/* Is `name` one of the '|'-separated names in `list`? */
static bool
in_list(const char *name, const char *list)
{
	size_t n = strlen(name);

	while (list != NULL && *list != '\0') {
		const char *end = strchr(list, '|');
		size_t len = end ? (size_t)(end - list) : strlen(list);

		if (len == n) {
			size_t i;

			for (i = 0; i < n; i++) {
				char a = name[i], b = list[i];

				if (a >= 'A' && a <= 'Z')
					a += 'a' - 'A';
				if (b >= 'A' && b <= 'Z')
					b += 'a' - 'A';
				if (a != b)
					break;
			}
			if (i == n)
				return true;
		}
		list = end ? end + 1 : NULL;
	}
	return false;
}

/* Is `name` a name of column `c`? */
static bool
names_column(const char *name, size_t c)
{
	return tshop_streq_nocase(name, tshop_settle_columns[c].name) ||
	    in_list(name, tshop_settle_columns[c].aliases);
}

static bool
ends_with_nocase(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && tshop_streq_nocase(s + n - k, suffix);
}

int
tshop_settle_input_start(struct tshop_settle_input *in, const char *const *header, size_t n,
    struct tshop_err *e)
{
	bool has_other = false, has_shipping = false, has_actual = false;

	in->seller_center = false;
	in->nother = 0;
	for (size_t i = 0; i < n; i++) {
		if (tshop_streq_nocase(header[i], "Total settlement amount"))
			in->seller_center = true;
		if (names_column(header[i], TSHOP_SETTLE_OTHER_FEES))
			has_other = true;
		if (names_column(header[i], TSHOP_SETTLE_SHIPPING_FEE))
			has_shipping = true;
		if (names_column(header[i], TSHOP_SETTLE_ACTUAL_SHIPPING_FEE))
			has_actual = true;
	}
	in->seller_shipping = has_shipping || !has_actual;
	free(in->other);
	free(in->other_name);
	in->other = NULL;
	in->other_name = NULL;
	if (has_other || n == 0)
		return 0;
	if ((in->other = calloc(n, sizeof(*in->other))) == NULL ||
	    (in->other_name = calloc(n, sizeof(*in->other_name))) == NULL)
		return tshop_errorf(e, 3, "out of memory");
	for (size_t i = 0; i < n; i++) {
		bool mapped = false;

		if (!ends_with_nocase(header[i], "fee") && !ends_with_nocase(header[i], "commission"))
			continue;
		/*
		 * "Seller shipping fee" is the sum of the parts of the shipping
		 * fee ("Actual shipping fee", "Customer shipping fee", ...):
		 * counting them again would count them twice.  Without it they
		 * are other fees like any other, as SPEC §3 says.
		 */
		if (has_shipping && ends_with_nocase(header[i], "shipping fee"))
			continue;
		for (size_t c = 0; c < TSHOP_SETTLE_NCOLS && !mapped; c++)
			mapped = names_column(header[i], c);
		if (mapped)
			continue;
		in->other[in->nother] = i;
		in->other_name[in->nother++] = header[i];
	}
	return 0;
}

void
tshop_settle_input_release(struct tshop_settle_input *in)
{
	free(in->other);
	free(in->other_name);
	in->other = NULL;
	in->other_name = NULL;
	in->nother = 0;
	tshop_buf_release(&in->type);
}

/* Parse an amount of column `name`; empty is 0; `negate` for the Seller Center's negative fees. */
static int
amount(const char *s, const char *name, int digits, bool negate, int64_t *out,
    struct tshop_err *e)
{
	int64_t v;

	if (s == NULL || *s == '\0') {
		*out = 0;
		return 0;
	}
	if (tshop_money_parse(s, digits, &v) == -1 || v == INT64_MIN)
		return tshop_errorf(e, 2, "column '%s': '%s' is not an amount", name, s);
	*out = negate ? -v : v;
	return 0;
}

/* "Order" → ORDER, "Refund" → REFUND, "Shipping fee adjustment" → SHIPPING_FEE_ADJUSTMENT. */
static int
normalise_type(struct tshop_settle_input *in, const char *s, const char **out,
    struct tshop_err *e)
{
	bool sep = false;

	if (s == NULL || *s == '\0' || tshop_streq_nocase(s, "order")) {
		*out = TSHOP_SETTLE_ORDER;
		return 0;
	}
	if (tshop_streq_nocase(s, "refund")) {
		*out = TSHOP_SETTLE_REFUND;
		return 0;
	}
	tshop_buf_reset(&in->type);
	for (; *s; s++) {
		char c = *s;

		if (c == ' ' || c == '-' || c == '_' || c == '\t') {
			sep = in->type.len > 0;
			continue;
		}
		if (sep && tshop_buf_addc(&in->type, '_') == -1)
			return tshop_errorf(e, 3, "out of memory");
		sep = false;
		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		if (tshop_buf_addc(&in->type, c) == -1)
			return tshop_errorf(e, 3, "out of memory");
	}
	*out = tshop_buf_str(&in->type);
	return 0;
}

/* A statement date: "YYYY-MM-DD", or any instant tshop_time_parse accepts (its local date). */
static int
parse_day(const char *s, enum tshop_date_order order, tshop_date *out)
{
	tshop_time t;

	if (tshop_date_parse(s, out) == 0)
		return 0;
	if (tshop_time_parse(s, order, &t) == -1)
		return -1;
	*out = tshop_local_date(t);
	return 0;
}

int
tshop_settle_row_from_record(struct tshop_settle_input *in, const struct tshop_record *rec,
    const struct tshop_config *cfg, struct tshop_settle_row *row, struct tshop_err *e)
{
	const char *s;
	bool neg = in->seller_center;
	int digits;
	struct { size_t col; int64_t *out; bool negate; } amounts[] = {
		{ TSHOP_SETTLE_REVENUE, &row->revenue, false },
		{ TSHOP_SETTLE_REFUND_COL, &row->refund, neg },
		{ TSHOP_SETTLE_COMMISSION, &row->commission, neg },
		{ TSHOP_SETTLE_TRANSACTION_FEE, &row->transaction_fee, neg },
		{ in->seller_shipping ? TSHOP_SETTLE_SHIPPING_FEE : TSHOP_SETTLE_ACTUAL_SHIPPING_FEE,
		    &row->shipping_fee, neg },
		{ TSHOP_SETTLE_ADJUSTMENT, &row->adjustment, false },
		{ TSHOP_SETTLE_SETTLEMENT, &row->settlement, false },
	};

	memset(row, 0, sizeof(*row));
	if ((row->order_id = tshop_record_get(rec, TSHOP_SETTLE_ORDER_ID)) == NULL)
		return tshop_errorf(e, 2, "column 'order_id' is empty");
	if (normalise_type(in, tshop_record_get(rec, TSHOP_SETTLE_TYPE), &row->type, e) == -1)
		return -1;
	row->currency = tshop_record_get(rec, TSHOP_SETTLE_CURRENCY);
	if (row->currency == NULL)
		row->currency = cfg->currency;
	digits = tshop_currency_digits(row->currency);

	row->statement_id = tshop_record_get(rec, TSHOP_SETTLE_STATEMENT_ID);
	if ((s = tshop_record_get(rec, TSHOP_SETTLE_STATEMENT_DATE)) != NULL) {
		if (parse_day(s, cfg->date_order, &row->statement_date) == -1)
			return tshop_errorf(e, 2, "column 'statement_date': '%s' is not a date", s);
		row->has_date = true;
	} else if ((s = tshop_record_get(rec, TSHOP_SETTLE_SETTLED_TIME)) != NULL) {
		if (parse_day(s, cfg->date_order, &row->statement_date) == -1)
			return tshop_errorf(e, 2, "column 'Order settled time': '%s' is not a time", s);
		row->has_date = true;
	}
	if (row->statement_id == NULL && !row->has_date)
		return tshop_errorf(e, 2, "no statement: 'statement_id' and 'statement_date' "
		    "are empty");

	if (tshop_record_get(rec, TSHOP_SETTLE_SETTLEMENT) == NULL)
		return tshop_errorf(e, 2, "column 'settlement' is empty");
	for (size_t i = 0; i < sizeof(amounts) / sizeof(amounts[0]); i++)
		if (amount(tshop_record_get(rec, amounts[i].col),
		    tshop_settle_columns[amounts[i].col].name, digits, amounts[i].negate,
		    amounts[i].out, e) == -1)
			return -1;
	if (in->nother == 0)
		return amount(tshop_record_get(rec, TSHOP_SETTLE_OTHER_FEES), "other_fees", digits,
		    false, &row->other_fees, e);
	for (size_t i = 0; i < in->nother; i++) {
		int64_t v;

		if (amount(tshop_record_field(rec, in->other[i]), in->other_name[i], digits, neg,
		    &v, e) == -1)
			return -1;
		if (__builtin_add_overflow(row->other_fees, v, &row->other_fees))
			return tshop_errorf(e, 2, "column '%s': the fees add up to too much",
			    in->other_name[i]);
	}
	return 0;
}

/* Import ----------------------------------------------------------------- */

/*
 * Numbering rows within an input: n counts the earlier occurrences of the
 * identity (statement, order_id, type) in the same input.  Most identities
 * occur once, so a Bloom filter of fixed size answers "not met yet in this
 * input" (n = 0) for nearly every row without a lookup.  When it cannot,
 * n is counted exactly: the rows of the identity this input stored (id >=
 * first) plus the stored ones it matched (temp.settle_matched).  Memory
 * stays the same however long the input.
 */
#define BLOOM_BITS (UINT64_C(1) << 26)	/* 8 MiB */

struct tshop_settle {
	struct tshop_db *db;
	sqlite3_stmt *insert, *stored, *prior, *mark_dup, *count_new, *matched_add;
	bool dup;			/* the last row added is a duplicate of prior_statement's */
	int64_t first;			/* the first id this input can store */
	struct tshop_buf prior_statement;
	uint64_t *bloom;		/* BLOOM_BITS bits, NULL until the first input */
	bool bloom_empty;
};

int
tshop_settle_new(struct tshop_settle **sp, struct tshop_db *db, struct tshop_err *e)
{
	struct tshop_settle *s;

	*sp = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return tshop_errorf(e, 3, "out of memory");
	s->db = db;
	if (tshop_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS settle_matched ("
	    " statement TEXT NOT NULL, order_id TEXT NOT NULL, type TEXT NOT NULL,"
	    " count INTEGER NOT NULL, PRIMARY KEY (statement, order_id, type)) WITHOUT ROWID",
	    e) == -1 ||
	    tshop_db_prepare(db, &s->insert, "INSERT INTO settlement (statement, statement_id,"
	    " statement_date, order_id, type, n, currency, revenue, refund, commission,"
	    " transaction_fee, shipping_fee, other_fees, adjustment, settlement)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
	    " ON CONFLICT (statement, order_id, type, n) DO NOTHING", e) == -1 ||
	    tshop_db_prepare(db, &s->stored, "SELECT id, revenue, refund, commission,"
	    " transaction_fee, shipping_fee, other_fees, adjustment, settlement FROM settlement"
	    " WHERE statement = ?1 AND order_id = ?2 AND type = ?3 AND n = ?4", e) == -1 ||
	    tshop_db_prepare(db, &s->prior, "SELECT statement FROM settlement"
	    " WHERE order_id = ?1 AND type = 'ORDER' AND id < ?2 ORDER BY id LIMIT 1", e) == -1 ||
	    tshop_db_prepare(db, &s->mark_dup, "UPDATE settlement SET duplicate = 1 WHERE id = ?1",
	    e) == -1 ||
	    tshop_db_prepare(db, &s->count_new, "SELECT count(*) + coalesce((SELECT count"
	    " FROM temp.settle_matched WHERE statement = ?1 AND order_id = ?2 AND type = ?3), 0)"
	    " FROM settlement WHERE statement = ?1 AND order_id = ?2 AND type = ?3 AND id >= ?4",
	    e) == -1 ||
	    tshop_db_prepare(db, &s->matched_add, "INSERT INTO temp.settle_matched"
	    " VALUES (?1, ?2, ?3, 1) ON CONFLICT DO UPDATE SET count = count + 1", e) == -1) {
		tshop_settle_free(s);
		return -1;
	}
	*sp = s;
	return 0;
}

void
tshop_settle_free(struct tshop_settle *s)
{
	if (s == NULL)
		return;
	sqlite3_finalize(s->insert);
	sqlite3_finalize(s->stored);
	sqlite3_finalize(s->prior);
	sqlite3_finalize(s->mark_dup);
	sqlite3_finalize(s->count_new);
	sqlite3_finalize(s->matched_add);
	tshop_buf_release(&s->prior_statement);
	free(s->bloom);
	free(s);
}

/* Run a statement that returns no row. */
static int
run(struct tshop_settle *s, sqlite3_stmt *st, const char *what, struct tshop_err *e)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : tshop_db_error(s->db, e, what);
}

int
tshop_settle_begin_input(struct tshop_settle *s, struct tshop_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (s->bloom == NULL) {
		if ((s->bloom = calloc(BLOOM_BITS / 64, sizeof(*s->bloom))) == NULL)
			return tshop_errorf(e, 3, "out of memory");
	} else if (!s->bloom_empty)
		memset(s->bloom, 0, BLOOM_BITS / 8);
	s->bloom_empty = true;
	if (tshop_db_exec(s->db, "DELETE FROM temp.settle_matched", e) == -1 ||
	    tshop_db_cached(s->db, &st, "SELECT coalesce(max(id), 0) + 1 FROM settlement",
	    e) == -1)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		s->first = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : tshop_db_error(s->db, e, "settlement import");
}

static void
bind_str(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

/* FNV-1a over the three values (each NUL-terminated), then a 64-bit finaliser. */
static uint64_t
identity_hash(const char *statement, const char *order_id, const char *type)
{
	const char *part[3] = { statement, order_id, type };
	uint64_t h = 0xcbf29ce484222325ULL;

	for (int i = 0; i < 3; i++) {
		const unsigned char *p = (const unsigned char *)part[i];

		do {
			h ^= *p;
			h *= 0x100000001b3ULL;
		} while (*p++ != '\0');
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb3fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* Note the identity of hash h as met; was it (perhaps) met before? */
static bool
bloom_met(struct tshop_settle *s, uint64_t h)
{
	uint64_t step = (h >> 32) | 1;
	bool met = true;

	for (int i = 0; i < 3; i++, h += step) {
		uint64_t bit = h & (BLOOM_BITS - 1), mask = UINT64_C(1) << (bit & 63);

		met = met && (s->bloom[bit >> 6] & mask) != 0;
		s->bloom[bit >> 6] |= mask;
	}
	s->bloom_empty = false;
	return met;
}

/* n of a row whose identity this input may have met before. */
static int
earlier(struct tshop_settle *s, const char *statement, const struct tshop_settle_row *row,
    int64_t *n, struct tshop_err *e)
{
	int rc;

	bind_str(s->count_new, 1, statement);
	bind_str(s->count_new, 2, row->order_id);
	bind_str(s->count_new, 3, row->type);
	sqlite3_bind_int64(s->count_new, 4, s->first);
	if ((rc = sqlite3_step(s->count_new)) == SQLITE_ROW)
		*n = sqlite3_column_int64(s->count_new, 0);
	sqlite3_reset(s->count_new);
	return rc == SQLITE_ROW ? 0 : tshop_db_error(s->db, e, "settlement import");
}

/*
 * A new ORDER row (id) whose order has an ORDER row stored before it is a
 * duplicate: marked so, with the statement of the first such row kept for
 * tshop_settle_prior().
 */
static int
find_prior(struct tshop_settle *s, const char *order_id, int64_t id, struct tshop_err *e)
{
	const char *v;
	int rc;

	bind_str(s->prior, 1, order_id);
	sqlite3_bind_int64(s->prior, 2, id);
	if ((rc = sqlite3_step(s->prior)) == SQLITE_ROW) {
		v = tshop_db_col_text(s->prior, 0);
		tshop_buf_reset(&s->prior_statement);
		if (tshop_buf_adds(&s->prior_statement, v ? v : "") == -1)
			rc = SQLITE_NOMEM;
	}
	sqlite3_reset(s->prior);
	if (rc == SQLITE_NOMEM)
		return tshop_errorf(e, 3, "out of memory");
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return tshop_db_error(s->db, e, "settlement import");
	sqlite3_bind_int64(s->mark_dup, 1, id);
	if (run(s, s->mark_dup, "settlement import", e) == -1)
		return -1;
	s->dup = true;
	return 0;
}

int
tshop_settle_add(struct tshop_settle *s, const struct tshop_settle_row *row,
    enum tshop_settle_result *res, struct tshop_err *e)
{
	char date[16] = "";
	const char *statement;
	const int64_t v[8] = { row->revenue, row->refund, row->commission, row->transaction_fee,
	    row->shipping_fee, row->other_fees, row->adjustment, row->settlement };
	int64_t n = 0;
	int rc;

	if (s->bloom == NULL && tshop_settle_begin_input(s, e) == -1)
		return -1;
	if (row->has_date)
		tshop_date_format(row->statement_date, date, sizeof(date));
	statement = row->statement_id != NULL ? row->statement_id : date;
	if (bloom_met(s, identity_hash(statement, row->order_id, row->type)) &&
	    earlier(s, statement, row, &n, e) == -1)
		return -1;

	bind_str(s->insert, 1, statement);
	bind_str(s->insert, 2, row->statement_id);
	bind_str(s->insert, 3, row->has_date ? date : NULL);
	bind_str(s->insert, 4, row->order_id);
	bind_str(s->insert, 5, row->type);
	sqlite3_bind_int64(s->insert, 6, n);
	bind_str(s->insert, 7, row->currency);
	for (int k = 0; k < 8; k++)
		sqlite3_bind_int64(s->insert, 8 + k, v[k]);
	if (run(s, s->insert, "storing a settlement row", e) == -1)
		return -1;
	s->dup = false;
	if (sqlite3_changes(s->db->h) == 1) {
		*res = TSHOP_SETTLE_NEW;
		return strcmp(row->type, TSHOP_SETTLE_ORDER) == 0 ?
		    find_prior(s, row->order_id, sqlite3_last_insert_rowid(s->db->h), e) : 0;
	}
	/* the identity is stored: the same row, or a conflict */
	bind_str(s->stored, 1, statement);
	bind_str(s->stored, 2, row->order_id);
	bind_str(s->stored, 3, row->type);
	sqlite3_bind_int64(s->stored, 4, n);
	*res = TSHOP_SETTLE_UNCHANGED;
	if ((rc = sqlite3_step(s->stored)) == SQLITE_ROW) {
		for (int k = 0; k < 8; k++)
			if (sqlite3_column_int64(s->stored, 1 + k) != v[k])
				*res = TSHOP_SETTLE_CONFLICT;
	}
	sqlite3_reset(s->stored);
	if (rc != SQLITE_ROW)
		return tshop_db_error(s->db, e, "reading a settlement row");
	bind_str(s->matched_add, 1, statement);
	bind_str(s->matched_add, 2, row->order_id);
	bind_str(s->matched_add, 3, row->type);
	return run(s, s->matched_add, "settlement import", e);
}

const char *
tshop_settle_prior(const struct tshop_settle *s)
{
	return s->dup ? tshop_buf_str(&s->prior_statement) : NULL;
}

/* Exact commission ------------------------------------------------------- */

/* round_half_up(num / den) for den > 0, halves away from zero. */
static i128
div_half_up128(i128 num, i128 den)
{
	i128 a = num < 0 ? -num : num, q = a / den, r = a % den;

	if (r >= den - r)
		q++;
	return num < 0 ? -q : q;
}

static int64_t
gcd64(int64_t a, int64_t b)
{
	while (b != 0) {
		int64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

void
tshop_commission_rate_init(struct tshop_commission_rate *w)
{
	w->num = 0;
	w->den = 1;
	w->amount = 0;
}

int
tshop_commission_rate_add(struct tshop_commission_rate *w, int64_t amount, struct tshop_rate r)
{
	int64_t l, k;
	i128 term;

	if (r.den <= 0 || r.num < 0)
		return -1;
	if (amount == 0)
		return 0;
	if (__builtin_mul_overflow(w->den / gcd64(w->den, r.den), r.den, &l))
		return -1;
	if (l != w->den) {
		if (__builtin_mul_overflow(w->num, (i128)(l / w->den), &w->num))
			return -1;
		w->den = l;
	}
	if (__builtin_mul_overflow(r.num, l / r.den, &k) ||
	    __builtin_mul_overflow((i128)amount, (i128)k, &term) ||
	    __builtin_add_overflow(w->num, term, &w->num) ||
	    __builtin_add_overflow(w->amount, amount, &w->amount))
		return -1;
	return 0;
}

int
tshop_commission_expected(const struct tshop_commission_rate *w, struct tshop_rate def,
    int64_t base, int64_t *out)
{
	i128 num, den, q;

	if (w->amount <= 0) {
		if (def.den <= 0)
			return -1;
		q = div_half_up128((i128)base * def.num, def.den);
	} else {
		if (__builtin_mul_overflow((i128)base, w->num, &num) ||
		    __builtin_mul_overflow((i128)w->den, (i128)w->amount, &den))
			return -1;
		q = div_half_up128(num, den);
	}
	if (q > INT64_MAX || q < INT64_MIN)
		return -1;
	*out = (int64_t)q;
	return 0;
}

/* Parameters -------------------------------------------------------------- */

static int
config_int(struct tshop_db *db, const char *key, int *out, struct tshop_err *e)
{
	struct tshop_buf v = TSHOP_BUF_INIT;
	long long n;
	int rc = 0;

	if (tshop_config_get(db, key, &v, e) == -1)
		rc = -1;
	else if (tshop_parse_int(tshop_buf_str(&v), 0, 100000, &n) == -1)
		rc = tshop_errorf(e, 2, "%s: '%s' is not a number of days", key, tshop_buf_str(&v));
	else
		*out = (int)n;
	tshop_buf_release(&v);
	return rc;
}

int
tshop_settle_params_load(struct tshop_db *db, const struct tshop_config *cfg,
    struct tshop_settle_params *p, struct tshop_err *e)
{
	struct tshop_buf v = TSHOP_BUF_INIT;
	int rc = -1;

	memset(p, 0, sizeof(*p));
	p->today = tshop_local_date(tshop_now());
	if (config_int(db, "settle.grace_days", &p->grace_days, e) == -1 ||
	    config_int(db, "settle.claim_days", &p->claim_days, e) == -1 ||
	    tshop_config_commission(db, NULL, &p->default_rate, e) == -1 ||
	    tshop_config_get(db, "fee.transaction", &v, e) == -1)
		goto out;
	if (v.len > 0) {
		if (tshop_fee_parse(tshop_buf_str(&v), cfg->digits, &p->fee) == -1) {
			tshop_errorf(e, 2, "fee.transaction: '%s' is not a fee such as 2.9%%+0.30",
			    tshop_buf_str(&v));
			goto out;
		}
		p->has_fee = true;
	}
	rc = 0;
out:
	tshop_buf_release(&v);
	return rc;
}

int
tshop_settle_by_parse(const char *s, enum tshop_settle_by *by)
{
	static const char *const names[] = { "statement", "day", "week", "month" };

	for (int i = 0; i < 4; i++)
		if (s != NULL && strcmp(s, names[i]) == 0) {
			*by = (enum tshop_settle_by)i;
			return 0;
		}
	return -1;
}

/* The scan ---------------------------------------------------------------- */

/* Column indices of the scan query. */
enum {
	Q_ID, Q_ORDER_ID, Q_TYPE, Q_DATE, Q_CURRENCY, Q_REVENUE, /* .. Q_REVENUE + 7 */
	Q_DUP = Q_REVENUE + 8, Q_HAS_LINE, Q_LINE_AMOUNT, Q_RATE_NUM,
	Q_RATE_DEN, Q_PERIOD
};

enum { A_REVENUE, A_REFUND, A_COMMISSION, A_TRANSACTION_FEE, A_SHIPPING_FEE, A_OTHER_FEES,
	A_ADJUSTMENT, A_SETTLEMENT, NAMOUNTS };

/* One settlement row with what the rules need of its order. */
struct scan_row {
	int64_t id;
	struct tshop_buf order_id, type, date, currency, period;
	int64_t a[NAMOUNTS];
	bool dup;
	size_t lines, unpriced;		/* lines: 0 for an order not in the database */
	int64_t lines_amount;
	bool overflow;
	struct tshop_commission_rate rate;
	/* derived by eval() */
	bool known;			/* every recorded order has a line */
	bool is_order, is_refund;
	bool has_amount;		/* the order's amount is known */
	int64_t order_amount;
	int digits;
};

typedef int (*scan_fn)(struct scan_row *r, void *ctx, struct tshop_err *e);

static void
scan_row_release(struct scan_row *r)
{
	tshop_buf_release(&r->order_id);
	tshop_buf_release(&r->type);
	tshop_buf_release(&r->date);
	tshop_buf_release(&r->currency);
	tshop_buf_release(&r->period);
}

static int
copy_col(sqlite3_stmt *st, int i, struct tshop_buf *b)
{
	const char *s = tshop_db_col_text(st, i);

	tshop_buf_reset(b);
	return tshop_buf_add(b, s ? s : "", s ? (size_t)sqlite3_column_bytes(st, i) : 0);
}

struct rates_ctx {
	struct tshop_db *db;
	sqlite3_stmt *ins;
	struct tshop_rate def;
	int n;
	struct tshop_err *e;
	bool failed;
};

/* One setting: a commission.<Category> other than the default's rate goes in. */
static int
category_rate(const char *key, const char *value, void *ctx)
{
	struct rates_ctx *k = ctx;
	struct tshop_rate r;

	if (strncmp(key, "commission.", 11) != 0 || strcmp(key + 11, "default") == 0)
		return 0;
	if (tshop_rate_parse(value, &r) == -1) {
		tshop_errorf(k->e, 2, "%s: commission rate '%s' is not valid", key, value);
		k->failed = true;
		return -1;
	}
	if ((i128)r.num * k->def.den == (i128)k->def.num * r.den)
		return 0;
	bind_str(k->ins, 1, key + 11);
	sqlite3_bind_int64(k->ins, 2, r.num);
	sqlite3_bind_int64(k->ins, 3, r.den);
	if (sqlite3_step(k->ins) != SQLITE_DONE) {
		tshop_db_error(k->db, k->e, "commission rates");
		k->failed = true;
		return -1;
	}
	sqlite3_reset(k->ins);
	k->n++;
	return 0;
}

/*
 * Fill temp.settle_sku_rate with the commission rate of every SKU whose
 * category has a rate other than def (commission.default): the categories
 * come from the settings (commission.<Category>, set or built in), their
 * SKUs from one pass over the catalog.  The scan joins order lines to this
 * table by SKU id: it holds a few integers per SKU and stays in the cache,
 * where a join to the catalog would read a random page of it for each line.
 */
static int
load_rates(struct tshop_db *db, struct tshop_rate def, struct tshop_err *e)
{
	struct rates_ctx k = { db, NULL, def, 0, e, false };
	int rc = -1;

	if (tshop_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS settle_category_rate (category"
	    " TEXT PRIMARY KEY, num INTEGER NOT NULL, den INTEGER NOT NULL) WITHOUT ROWID;"
	    "CREATE TEMP TABLE IF NOT EXISTS settle_sku_rate (sku INTEGER PRIMARY KEY,"
	    " num INTEGER NOT NULL, den INTEGER NOT NULL);"
	    "DELETE FROM temp.settle_category_rate; DELETE FROM temp.settle_sku_rate", e) == -1 ||
	    tshop_db_prepare(db, &k.ins, "INSERT INTO temp.settle_category_rate VALUES (?1, ?2, ?3)",
	    e) == -1)
		goto out;
	if (tshop_config_list(db, category_rate, &k, e) == -1 || k.failed)
		goto out;
	/* one pass over the catalog, in id order */
	if (k.n > 0 && tshop_db_exec(db, "INSERT INTO temp.settle_sku_rate SELECT k.id, c.num, c.den"
	    " FROM sku k CROSS JOIN temp.settle_category_rate c ON c.category = k.category", e) == -1)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(k.ins);
	return rc;
}

/* What the rules derive from a scanned row. */
static void
eval(struct scan_row *r)
{
	r->is_order = strcmp(tshop_buf_str(&r->type), TSHOP_SETTLE_ORDER) == 0;
	r->is_refund = strcmp(tshop_buf_str(&r->type), TSHOP_SETTLE_REFUND) == 0;
	r->known = r->lines > 0;
	r->has_amount = false;
	if (r->known && r->unpriced == 0 && !r->overflow) {
		r->has_amount = true;
		r->order_amount = r->lines_amount;
	}
	r->digits = tshop_currency_digits(tshop_buf_str(&r->currency));
}

/*
 * Walk the filtered settlement rows with their order data, ordered by
 * `order_sql`, the period of each given by `period_sql` (both fixed SQL of
 * this file, never input).
 */
static int
scan(struct tshop_db *db, const struct tshop_settle_params *p, const char *period_sql,
    const char *order_sql, scan_fn fn, void *ctx, struct tshop_err *e)
{
	struct tshop_buf sql = TSHOP_BUF_INIT;
	struct scan_row r;
	sqlite3_stmt *st = NULL;
	char since[16], until[16];
	bool have = false;
	int rc = -1, step;

	memset(&r, 0, sizeof(r));
	if (tshop_buf_addf(&sql, "SELECT s.id, s.order_id, s.type, s.statement_date, s.currency,"
	    " s.revenue, s.refund, s.commission, s.transaction_fee, s.shipping_fee, s.other_fees,"
	    " s.adjustment, s.settlement,"
	    " s.duplicate,"
	    " l.line IS NOT NULL, COALESCE(l.amount, l.quantity * l.unit_price),"
	    " r.num, r.den, %s AS period"
	    " FROM settlement s"
	    " LEFT JOIN order_line l ON l.order_id = s.order_id"
	    " LEFT JOIN temp.settle_sku_rate r ON r.sku = l.sku"
	    " WHERE (?1 IS NULL OR s.statement_date >= ?1) AND (?2 IS NULL OR s.statement_date <= ?2)"
	    " AND (?3 IS NULL OR s.statement = ?3 OR s.statement_id = ?3)"
	    " ORDER BY %s", period_sql, order_sql) == -1) {
		tshop_errorf(e, 3, "out of memory");
		goto out;
	}
	if (tshop_db_prepare(db, &st, tshop_buf_str(&sql), e) == -1)
		goto out;
	if (p->has_since)
		bind_str(st, 1, tshop_date_format(p->since, since, sizeof(since)));
	if (p->has_until)
		bind_str(st, 2, tshop_date_format(p->until, until, sizeof(until)));
	bind_str(st, 3, p->statement);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, Q_ID);

		if (have && id != r.id) {
			eval(&r);
			if (fn(&r, ctx, e) == -1)
				goto out;
			have = false;
		}
		if (!have) {
			r.id = id;
			if (copy_col(st, Q_ORDER_ID, &r.order_id) == -1 ||
			    copy_col(st, Q_TYPE, &r.type) == -1 ||
			    copy_col(st, Q_DATE, &r.date) == -1 ||
			    copy_col(st, Q_CURRENCY, &r.currency) == -1 ||
			    copy_col(st, Q_PERIOD, &r.period) == -1) {
				tshop_errorf(e, 3, "out of memory");
				goto out;
			}
			for (int i = 0; i < NAMOUNTS; i++)
				r.a[i] = sqlite3_column_int64(st, Q_REVENUE + i);
			r.dup = sqlite3_column_int(st, Q_DUP) != 0;
			r.lines = r.unpriced = 0;
			r.lines_amount = 0;
			r.overflow = false;
			tshop_commission_rate_init(&r.rate);
			have = true;
		}
		if (sqlite3_column_int(st, Q_HAS_LINE)) {
			r.lines++;
			if (sqlite3_column_type(st, Q_LINE_AMOUNT) != SQLITE_INTEGER)
				r.unpriced++;	/* no price, or a product too large for SQLite's integers */
			else {
				int64_t a = sqlite3_column_int64(st, Q_LINE_AMOUNT);
				struct tshop_rate rate = p->default_rate;

				if (sqlite3_column_type(st, Q_RATE_NUM) != SQLITE_NULL) {
					rate.num = sqlite3_column_int64(st, Q_RATE_NUM);
					rate.den = sqlite3_column_int64(st, Q_RATE_DEN);
				}
				if (__builtin_add_overflow(r.lines_amount, a, &r.lines_amount) ||
				    tshop_commission_rate_add(&r.rate, a, rate) == -1)
					r.overflow = true;
			}
		}
	}
	if (step != SQLITE_DONE) {
		tshop_db_error(db, e, "reading the settlements");
		goto out;
	}
	if (have) {
		eval(&r);
		if (fn(&r, ctx, e) == -1)
			goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	tshop_buf_release(&sql);
	scan_row_release(&r);
	return rc;
}

/*
 * Which rules apply to a row, and their expected values.  The commission
 * rate is the order lines' rates weighted by amount; commission.default
 * for an order without priced lines, or not in the orders at all.
 */
static bool
has_commission_rule(const struct scan_row *r)
{
	return !r->overflow && (r->is_order || r->is_refund);
}

static int
expected_commission(const struct scan_row *r, const struct tshop_settle_params *p,
    int64_t revenue, int64_t *out, struct tshop_err *e)
{
	int64_t base;

	if (__builtin_sub_overflow(revenue, r->a[A_REFUND], &base) ||
	    tshop_commission_expected(&r->rate, p->default_rate, base, out) == -1)
		return tshop_errorf(e, 3, "order '%s': amounts too large to check",
		    tshop_buf_str(&r->order_id));
	return 0;
}

/* revenue − refund − commission − transaction_fee − shipping_fee − other_fees + adjustment */
static int
net_of(const struct scan_row *r, int64_t revenue, int64_t commission, int64_t fee,
    int64_t *out, struct tshop_err *e)
{
	i128 v = (i128)revenue - r->a[A_REFUND] - commission - fee - r->a[A_SHIPPING_FEE] -
	    r->a[A_OTHER_FEES] + r->a[A_ADJUSTMENT];

	if (v > INT64_MAX || v < INT64_MIN)
		return tshop_errorf(e, 3, "order '%s': amounts too large to check",
		    tshop_buf_str(&r->order_id));
	*out = (int64_t)v;
	return 0;
}

/* Check ------------------------------------------------------------------- */

struct check_ctx {
	const struct tshop_settle_params *p;
	struct tshop_db *db;
	sqlite3_stmt *ins;
};

/*
 * |actual − expected| ≤ tolerance, exactly: the difference in minor units
 * of a currency of `digits` decimals, scaled to the tolerance's
 * TSHOP_SETTLE_TOLERANCE_DIGITS decimals.
 */
static bool
within_tolerance(int64_t actual, int64_t expected, int digits, int64_t tolerance)
{
	i128 d = (i128)actual - expected;

	if (d < 0)
		d = -d;
	for (int i = digits; i < TSHOP_SETTLE_TOLERANCE_DIGITS; i++)
		d *= 10;
	return d <= tolerance;
}

static int
put_finding(struct check_ctx *k, const char *kind, const struct scan_row *r,
    const int64_t *expected, int64_t actual, struct tshop_err *e)
{
	sqlite3_stmt *st = k->ins;
	int rc;

	if (expected != NULL && strcmp(kind, "duplicate") != 0 &&
	    within_tolerance(actual, *expected, r->digits, k->p->tolerance))
		return 0;
	bind_str(st, 1, kind);
	bind_str(st, 2, tshop_buf_str(&r->order_id));
	sqlite3_bind_int64(st, 3, r->id);
	if (expected != NULL)
		sqlite3_bind_int64(st, 4, *expected);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_int64(st, 5, actual);
	bind_str(st, 6, r->date.len ? tshop_buf_str(&r->date) : NULL);
	bind_str(st, 7, r->currency.len ? tshop_buf_str(&r->currency) : NULL);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return tshop_db_error(k->db, e, "recording a finding");
	return 0;
}

static int
check_row(struct scan_row *r, void *ctx, struct tshop_err *e)
{
	struct check_ctx *k = ctx;
	const struct tshop_settle_params *p = k->p;
	int64_t x, zero = 0;

	if ((r->is_order || r->is_refund) && !r->known &&
	    put_finding(k, "unknown-order", r, NULL, r->a[A_SETTLEMENT], e) == -1)
		return -1;
	if (r->dup && put_finding(k, "duplicate", r, &zero, r->a[A_SETTLEMENT], e) == -1)
		return -1;
	if (r->is_order && r->has_amount &&
	    put_finding(k, "revenue", r, &r->order_amount, r->a[A_REVENUE], e) == -1)
		return -1;
	if (has_commission_rule(r) &&
	    (expected_commission(r, p, r->a[A_REVENUE], &x, e) == -1 ||
	    put_finding(k, "commission", r, &x, r->a[A_COMMISSION], e) == -1))
		return -1;
	if (r->is_order && p->has_fee) {
		x = tshop_fee_apply(&p->fee, r->a[A_REVENUE]);
		if (put_finding(k, "transaction-fee", r, &x, r->a[A_TRANSACTION_FEE], e) == -1)
			return -1;
	}
	if (net_of(r, r->a[A_REVENUE], r->a[A_COMMISSION], r->a[A_TRANSACTION_FEE], &x, e) == -1 ||
	    put_finding(k, "net", r, &x, r->a[A_SETTLEMENT], e) == -1)
		return -1;
	return 0;
}

#define UNSETTLED(orders) "INSERT INTO temp.settle_finding" \
	" SELECT 'unsettled', o.order_id, 0, COALESCE(CASE WHEN EXISTS (SELECT 1 FROM" \
	"  order_line l WHERE l.order_id = o.order_id AND l.amount IS NULL AND" \
	"  l.unit_price IS NULL) THEN NULL ELSE (SELECT SUM(COALESCE(l.amount," \
	"  l.quantity * l.unit_price)) FROM order_line l WHERE l.order_id = o.order_id) END," \
	"  o.total), 0, NULL, o.currency" \
	" FROM " orders " WHERE o.status IN ('DELIVERED', 'COMPLETED')" \
	" AND o.delivered_at < ?1 AND (?2 IS NULL OR o.delivered_at >= ?2)" \
	" AND (?3 IS NULL OR o.delivered_at < ?3)" \
	" AND NOT EXISTS (SELECT 1 FROM settlement s WHERE s.order_id = o.order_id)"

/* Delivered orders past the grace period that were never settled. */
static int
check_unsettled(struct check_ctx *k, struct tshop_err *e)
{
	const struct tshop_settle_params *p = k->p;
	sqlite3_stmt *st = NULL;
	int rc = -1, step;

	/*
	 * Without --since, most delivered orders are past the grace days: one
	 * pass over the orders beats a random row lookup per entry of
	 * orders_by_delivered.
	 */
	if (tshop_db_prepare(k->db, &st, p->has_since ? UNSETTLED("orders o") :
	    UNSETTLED("orders o NOT INDEXED"), e) == -1)
		return -1;
	sqlite3_bind_int64(st, 1, tshop_local_midnight(p->today - p->grace_days));
	if (p->has_since)
		sqlite3_bind_int64(st, 2, tshop_local_midnight(p->since));
	if (p->has_until)
		sqlite3_bind_int64(st, 3, tshop_local_midnight(p->until + 1));
	if ((step = sqlite3_step(st)) != SQLITE_DONE)
		tshop_db_error(k->db, e, "finding unsettled orders");
	else
		rc = 0;
	sqlite3_finalize(st);
	return rc;
}

/* Hand the sorted findings to fn. */
static int
report(struct check_ctx *k, tshop_settle_finding_fn fn, void *ctx, size_t *count,
    struct tshop_err *e)
{
	const struct tshop_settle_params *p = k->p;
	sqlite3_stmt *st = NULL;
	int rc = -1, step;

	if (tshop_db_prepare(k->db, &st, "SELECT kind, order_id, expected, actual,"
	    " statement_date, currency FROM temp.settle_finding ORDER BY kind, order_id, seq",
	    e) == -1)
		return -1;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct tshop_settle_finding f;
		const char *date = tshop_db_col_text(st, 4);

		memset(&f, 0, sizeof(f));
		f.kind = tshop_db_col_text(st, 0);
		f.order_id = tshop_db_col_text(st, 1);
		f.has_expected = sqlite3_column_type(st, 2) != SQLITE_NULL;
		f.expected = sqlite3_column_int64(st, 2);
		f.actual = sqlite3_column_int64(st, 3);
		f.difference = f.has_expected ? f.actual - f.expected : f.actual;
		if (date != NULL && tshop_date_parse(date, &f.statement_date) == 0) {
			f.has_date = true;
			f.deadline = f.statement_date + p->claim_days;
			f.days_left = f.deadline - p->today;
		}
		f.digits = tshop_currency_digits(tshop_db_col_text(st, 5));
		(*count)++;
		if (fn(&f, ctx, e) == -1)
			goto out;
	}
	if (step != SQLITE_DONE)
		tshop_db_error(k->db, e, "reading the findings");
	else
		rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

int
tshop_settle_check(struct tshop_db *db, const struct tshop_settle_params *p,
    tshop_settle_finding_fn fn, void *ctx, size_t *count, struct tshop_err *e)
{
	struct check_ctx k = { p, db, NULL };
	bool own;
	int rc = -1;

	*count = 0;
	if (tshop_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS settle_finding (kind TEXT NOT NULL,"
	    " order_id TEXT NOT NULL, seq INTEGER NOT NULL, expected INTEGER, actual INTEGER"
	    " NOT NULL, statement_date TEXT, currency TEXT)", e) == -1 ||
	    tshop_db_read_begin(db, &own, e) == -1)
		return -1;
	if (load_rates(db, p->default_rate, e) == -1 ||
	    tshop_db_exec(db, "DELETE FROM temp.settle_finding", e) == -1 ||
	    tshop_db_prepare(db, &k.ins, "INSERT INTO temp.settle_finding"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", e) == -1 ||
	    scan(db, p, "NULL", "s.id", check_row, &k, e) == -1 ||
	    (p->statement == NULL && check_unsettled(&k, e) == -1) ||
	    report(&k, fn, ctx, count, e) == -1)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(k.ins);
	tshop_db_read_end(db, own);
	return rc;
}

/* Summary ----------------------------------------------------------------- */

struct summary_ctx {
	const struct tshop_settle_params *p;
	tshop_settle_period_fn fn;
	void *ctx;
	bool have;
	struct tshop_buf period;
	i128 rows, sum[NAMOUNTS], expected;
};

static int
emit_period(struct summary_ctx *s, struct tshop_err *e)
{
	struct tshop_settle_period out;
	int64_t *dst[NAMOUNTS] = { &out.revenue, &out.refund, &out.commission,
	    &out.transaction_fee, &out.shipping_fee, &out.other_fees, &out.adjustment,
	    &out.settlement };
	i128 diff = s->sum[A_SETTLEMENT] - s->expected;

	if (!s->have)
		return 0;
	memset(&out, 0, sizeof(out));
	out.period = tshop_buf_str(&s->period);
	for (int i = 0; i < NAMOUNTS; i++) {
		if (s->sum[i] > INT64_MAX || s->sum[i] < INT64_MIN)
			return tshop_errorf(e, 3, "period '%s': totals too large", out.period);
		*dst[i] = (int64_t)s->sum[i];
	}
	if (s->expected > INT64_MAX || s->expected < INT64_MIN || diff > INT64_MAX ||
	    diff < INT64_MIN)
		return tshop_errorf(e, 3, "period '%s': totals too large", out.period);
	out.rows = (int64_t)s->rows;
	out.expected = (int64_t)s->expected;
	out.difference = (int64_t)diff;
	s->have = false;
	return s->fn(&out, s->ctx, e);
}

static int
summary_row(struct scan_row *r, void *ctx, struct tshop_err *e)
{
	struct summary_ctx *s = ctx;
	const struct tshop_settle_params *p = s->p;
	int64_t revenue = r->a[A_REVENUE], commission = r->a[A_COMMISSION];
	int64_t fee = r->a[A_TRANSACTION_FEE], expected = 0;

	if (s->have && strcmp(tshop_buf_str(&s->period), tshop_buf_str(&r->period)) != 0 &&
	    emit_period(s, e) == -1)
		return -1;
	if (!s->have) {
		tshop_buf_reset(&s->period);
		if (tshop_buf_adds(&s->period, tshop_buf_str(&r->period)) == -1)
			return tshop_errorf(e, 3, "out of memory");
		s->rows = s->expected = 0;
		memset(s->sum, 0, sizeof(s->sum));
		s->have = true;
	}
	if (!r->dup) {
		if (r->is_order && r->has_amount)
			revenue = r->order_amount;
		if (has_commission_rule(r) &&
		    expected_commission(r, p, revenue, &commission, e) == -1)
			return -1;
		if (r->is_order && p->has_fee)
			fee = tshop_fee_apply(&p->fee, revenue);
		if (net_of(r, revenue, commission, fee, &expected, e) == -1)
			return -1;
	}
	s->rows++;
	for (int i = 0; i < NAMOUNTS; i++)
		s->sum[i] += r->a[i];
	s->expected += expected;
	return 0;
}

int
tshop_settle_summary(struct tshop_db *db, const struct tshop_settle_params *p,
    enum tshop_settle_by by, tshop_settle_period_fn fn, void *ctx, struct tshop_err *e)
{
	static const char *const period_sql[] = {
		[TSHOP_BY_STATEMENT] = "s.statement",
		[TSHOP_BY_DAY] = "COALESCE(s.statement_date, '')",
		/* the Monday on or before the date */
		[TSHOP_BY_WEEK] = "COALESCE(date(s.statement_date, '-6 days', 'weekday 1'), '')",
		[TSHOP_BY_MONTH] = "COALESCE(substr(s.statement_date, 1, 7), '')",
	};
	struct summary_ctx s = { p, fn, ctx, false, TSHOP_BUF_INIT, 0, { 0 }, 0 };
	bool own;
	int rc = -1;

	if (tshop_db_read_begin(db, &own, e) == -1)
		return -1;
	if (load_rates(db, p->default_rate, e) == -1 ||
	    scan(db, p, period_sql[by], "period, s.id", summary_row, &s, e) == -1 ||
	    emit_period(&s, e) == -1)
		goto out;
	rc = 0;
out:
	tshop_db_read_end(db, own);
	tshop_buf_release(&s.period);
	return rc;
}
