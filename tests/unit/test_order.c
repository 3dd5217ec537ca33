/*
 * test_order.c — statuses (parsing, rank, groups) and ship_by with
 * business days, holidays and the shop time zone, and the merge rules on a
 * scratch database.  Expected values are written by hand.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "order.h"
#include "stock.h"
#include "timeutil.h"
#include "unit.h"

static tshop_time
at(const char *s)
{
	tshop_time t = 0;

	if (tshop_time_parse(s, TSHOP_MDY, &t) == -1)
		printf("# cannot parse '%s'\n", s);
	return t;
}

static const char *
iso(tshop_time t)
{
	static char buf[4][32];
	static int i;

	if (t == TSHOP_TIME_NONE)
		return "none";
	i = (i + 1) % 4;
	return tshop_time_format(t, buf[i], sizeof(buf[i]));
}

static void
statuses(void)
{
	static const struct { const char *in; enum tshop_status want; } ok[] = {
		{ "UNPAID", TSHOP_UNPAID }, { "Unpaid", TSHOP_UNPAID },
		{ "On hold", TSHOP_ON_HOLD }, { "ON_HOLD", TSHOP_ON_HOLD },
		{ "To ship", TSHOP_AWAITING_SHIPMENT }, { "Awaiting shipment", TSHOP_AWAITING_SHIPMENT },
		{ "awaiting_shipment", TSHOP_AWAITING_SHIPMENT },
		{ "Partially shipped", TSHOP_PARTIALLY_SHIPPING },
		{ "PARTIALLY_SHIPPING", TSHOP_PARTIALLY_SHIPPING },
		{ "Awaiting collection", TSHOP_AWAITING_COLLECTION },
		{ "Shipped", TSHOP_IN_TRANSIT }, { "In transit", TSHOP_IN_TRANSIT },
		{ "IN_TRANSIT", TSHOP_IN_TRANSIT },
		{ "Delivered", TSHOP_DELIVERED }, { "COMPLETED", TSHOP_COMPLETED },
		{ "Completed", TSHOP_COMPLETED }, { "CANCEL", TSHOP_CANCELLED },
		{ "Cancelled", TSHOP_CANCELLED }, { "Canceled", TSHOP_CANCELLED },
		{ "CANCELLED", TSHOP_CANCELLED },
	};
	static const char *const bad[] = { "", "Lost", "SHIPPED_BY_PIGEON", "123" };
	enum tshop_status s;
	unsigned set;
	const char *v;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		s = TSHOP_NSTATUS;
		OK(tshop_status_parse(ok[i].in, &s) == 0 && s == ok[i].want,
		    "status '%s' is %s", ok[i].in, tshop_status_name(ok[i].want));
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		OK(tshop_status_parse(bad[i], &s) == -1, "status '%s' is refused", bad[i]);
	STR_EQ(tshop_status_name(TSHOP_AWAITING_COLLECTION), "AWAITING_COLLECTION", "status names");

	/* rank: never backwards; CANCELLED before DELIVERED only; nothing after CANCELLED */
	OK(tshop_status_may_follow(TSHOP_UNPAID, TSHOP_ON_HOLD), "UNPAID -> ON_HOLD");
	OK(tshop_status_may_follow(TSHOP_AWAITING_SHIPMENT, TSHOP_IN_TRANSIT),
	    "AWAITING_SHIPMENT -> IN_TRANSIT");
	OK(tshop_status_may_follow(TSHOP_IN_TRANSIT, TSHOP_IN_TRANSIT), "same status again");
	OK(!tshop_status_may_follow(TSHOP_IN_TRANSIT, TSHOP_AWAITING_SHIPMENT),
	    "IN_TRANSIT -/-> AWAITING_SHIPMENT");
	OK(!tshop_status_may_follow(TSHOP_COMPLETED, TSHOP_DELIVERED), "COMPLETED -/-> DELIVERED");
	OK(tshop_status_may_follow(TSHOP_UNPAID, TSHOP_CANCELLED), "UNPAID -> CANCELLED");
	OK(tshop_status_may_follow(TSHOP_IN_TRANSIT, TSHOP_CANCELLED), "IN_TRANSIT -> CANCELLED");
	OK(!tshop_status_may_follow(TSHOP_DELIVERED, TSHOP_CANCELLED), "DELIVERED -/-> CANCELLED");
	OK(!tshop_status_may_follow(TSHOP_CANCELLED, TSHOP_AWAITING_SHIPMENT),
	    "CANCELLED -/-> AWAITING_SHIPMENT");
	OK(!tshop_status_may_follow(TSHOP_CANCELLED, TSHOP_DELIVERED), "CANCELLED -/-> DELIVERED");
	OK(!tshop_status_paid(TSHOP_UNPAID) && !tshop_status_paid(TSHOP_CANCELLED) &&
	    tshop_status_paid(TSHOP_ON_HOLD) && tshop_status_paid(TSHOP_COMPLETED),
	    "paid statuses");

	OK(tshop_status_set_parse("to-ship", &set, NULL) == 0 && set == TSHOP_GROUP_TO_SHIP,
	    "group to-ship");
	OK(tshop_status_set_parse("shipped,CANCELLED", &set, NULL) == 0 &&
	    set == (TSHOP_STATUS_BIT(TSHOP_AWAITING_COLLECTION) |
	    TSHOP_STATUS_BIT(TSHOP_IN_TRANSIT) | TSHOP_STATUS_BIT(TSHOP_CANCELLED)),
	    "group shipped plus a status");
	OK(tshop_status_set_parse("open", &set, NULL) == 0 &&
	    !(set & TSHOP_STATUS_BIT(TSHOP_DELIVERED)) && !(set & TSHOP_STATUS_BIT(TSHOP_CANCELLED)) &&
	    (set & TSHOP_STATUS_BIT(TSHOP_UNPAID)) && (set & TSHOP_STATUS_BIT(TSHOP_IN_TRANSIT)),
	    "group open");
	OK(tshop_status_set_parse("delivered", &set, NULL) == 0 &&
	    set == (TSHOP_STATUS_BIT(TSHOP_DELIVERED) | TSHOP_STATUS_BIT(TSHOP_COMPLETED)),
	    "group delivered");
	OK(tshop_status_set_parse("to-ship,nonsense", &set, NULL) == -1, "bad item refused");

	OK(tshop_shipping_type_parse("Fulfillment by seller", &v) == 0 && strcmp(v, "SELLER") == 0,
	    "Fulfillment by seller is SELLER");
	OK(tshop_shipping_type_parse("Fulfillment by TikTok Shop", &v) == 0 &&
	    strcmp(v, "TIKTOK") == 0, "Fulfillment by TikTok Shop is TIKTOK");
	OK(tshop_shipping_type_parse("TIKTOK", &v) == 0 && strcmp(v, "TIKTOK") == 0, "TIKTOK");
	OK(tshop_shipping_type_parse("carrier pigeon", &v) == -1, "unknown shipping type refused");
	OK(tshop_cancel_by_parse("Buyer", &v) == 0 && strcmp(v, "buyer") == 0, "Cancel By Buyer");
	OK(tshop_cancel_by_parse("SYSTEM", &v) == 0 && strcmp(v, "system") == 0, "SYSTEM");
	OK(tshop_cancel_by_parse("courier", &v) == -1, "unknown canceller refused");
}

static void
ship_by(void)
{
	struct tshop_holidays none = { 0 }, h;
	struct tshop_err e = { 0 };

	OK(tshop_tz_set("UTC", &e) == 0, "tz UTC");
	/* 2026-11-20 is a Friday */
	STR_EQ(iso(tshop_ship_by(at("2026-11-20T15:00:00"), 3, &none)), "2026-11-25T15:00:00Z",
	    "paid Friday 15:00 + 3 -> Wednesday 15:00");
	STR_EQ(iso(tshop_ship_by(at("2026-11-21T10:00:00"), 3, &none)), "2026-11-25T10:00:00Z",
	    "paid Saturday 10:00 + 3 -> Wednesday 10:00");
	STR_EQ(iso(tshop_ship_by(at("2026-11-22T23:59:00"), 1, &none)), "2026-11-23T23:59:00Z",
	    "paid Sunday 23:59 + 1 -> Monday 23:59");
	STR_EQ(iso(tshop_ship_by(at("2026-11-20T15:00:00"), 1, &none)), "2026-11-23T15:00:00Z",
	    "paid Friday + 1 -> Monday");
	STR_EQ(iso(tshop_ship_by(at("2026-11-16T08:00:00"), 7, &none)), "2026-11-25T08:00:00Z",
	    "paid Monday + 7 -> Wednesday of the next week");
	OK(tshop_ship_by(TSHOP_TIME_NONE, 3, &none) == TSHOP_TIME_NONE, "unpaid: no ship_by");

	/* before a holiday: Thanksgiving 2026-11-26 and the day after */
	OK(tshop_holidays_parse("2026-11-26,2026-11-27", &h) == 0, "holidays parse");
	STR_EQ(iso(tshop_ship_by(at("2026-11-25T09:00:00"), 3, &h)), "2026-12-02T09:00:00Z",
	    "paid Wednesday before Thanksgiving + 3 -> next Wednesday");
	STR_EQ(iso(tshop_ship_by(at("2026-11-24T09:00:00"), 2, &h)), "2026-11-30T09:00:00Z",
	    "paid Tuesday + 2 skips Thursday and Friday -> Monday");
	STR_EQ(iso(tshop_ship_by(at("2026-11-26T12:00:00"), 1, &h)), "2026-11-30T12:00:00Z",
	    "paid on the holiday + 1 -> Monday");

	/* across the autumn DST change in Los Angeles (Sunday 2026-11-01, 02:00 PDT -> 01:00 PST) */
	OK(tshop_tz_set("America/Los_Angeles", &e) == 0, "tz America/Los_Angeles");
	STR_EQ(iso(tshop_ship_by(at("2026-10-30T15:00:00-07:00"), 3, &none)),
	    "2026-11-04T23:00:00Z", "Friday 15:00 PDT + 3 -> Wednesday 15:00 PST");
	STR_EQ(iso(tshop_ship_by(at("2026-10-31T10:00:00-07:00"), 1, &none)),
	    "2026-11-02T18:00:00Z", "Saturday 10:00 PDT + 1 -> Monday 10:00 PST");
	STR_EQ(iso(tshop_ship_by(at("2026-10-30 15:00:00"), 3, &none)),
	    "2026-11-04T23:00:00Z", "a local paid time without offset");
	/* the spring change (2027-03-14) the other way */
	STR_EQ(iso(tshop_ship_by(at("2027-03-12T15:00:00-08:00"), 1, &none)),
	    "2027-03-15T22:00:00Z", "Friday 15:00 PST + 1 -> Monday 15:00 PDT");
	tshop_holidays_release(&h);
	OK(tshop_tz_set("UTC", &e) == 0, "back to UTC");
}

/* The merge rules on a scratch database. */
static int64_t
on_hand(struct tshop_db *db, const char *sku)
{
	sqlite3_stmt *st;
	int64_t q = -999;

	if (tshop_db_prepare(db, &st, "SELECT coalesce(sum(t.quantity), 0) FROM stock t"
	    " JOIN sku s ON s.id = t.sku WHERE s.sku = ?1", NULL) == -1)
		return q;
	sqlite3_bind_text(st, 1, sku, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		q = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return q;
}

static int
merge_status(struct tshop_orders *o, const char *id, enum tshop_status s, tshop_time update,
    struct tshop_merge *m)
{
	static const struct tshop_order_line lines[] = {
		{ "MUG-1", NULL, "Mug", 2, 2500, true, NULL },
		{ NULL, "1729", "Hoodie", 1, 1000, true, NULL },
	};
	struct tshop_order u;
	struct tshop_err e = { 0 };
	int rc;

	tshop_order_init(&u);
	u.order_id = id;
	u.status = s;
	u.created_at = at("2026-11-20T15:00:00Z");
	u.paid_at = s == TSHOP_UNPAID ? TSHOP_TIME_NONE : at("2026-11-20T15:05:00Z");
	u.update_time = update;
	u.lines = lines;
	u.nlines = 2;
	if ((rc = tshop_order_merge(o, &u, m, &e)) == -1)
		printf("# merge: %s\n", e.msg);
	return rc;
}

/* A scratch shop in a temporary file, with its settings and orders. */
struct scratch {
	char path[64];
	struct tshop_db *db;
	struct tshop_config cfg;
	struct tshop_orders *o;
};

static int
scratch_open(struct scratch *sc)
{
	struct tshop_err e = { 0 };
	int fd;

	memset(sc, 0, sizeof(*sc));
	snprintf(sc->path, sizeof(sc->path), "/tmp/tshop-unit-order.XXXXXX");
	if ((fd = mkstemp(sc->path)) != -1)
		close(fd);
	unlink(sc->path);
	if (tshop_db_open(&sc->db, sc->path, TSHOP_DB_WRITE, &e) == -1 ||
	    tshop_config_load(sc->db, &sc->cfg, &e) == -1 ||
	    tshop_orders_new(&sc->o, sc->db, &sc->cfg, &e) == -1) {
		OK(0, "scratch database: %s", e.msg);
		return -1;
	}
	return 0;
}

static void
scratch_close(struct scratch *sc)
{
	char side[sizeof(sc->path) + 8];

	tshop_orders_free(sc->o);
	tshop_config_release(&sc->cfg);
	tshop_db_close(sc->db);
	unlink(sc->path);
	snprintf(side, sizeof(side), "%s-wal", sc->path);	/* WAL side files */
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", sc->path);
	unlink(side);
}

static void
merging(void)
{
	struct scratch sc;
	struct tshop_orders *o;
	struct tshop_db *db;
	struct tshop_merge m;
	struct tshop_err e = { 0 };

	if (scratch_open(&sc) == -1)
		return;
	o = sc.o;
	db = sc.db;
	OK(merge_status(o, "A1", TSHOP_UNPAID, 100, &m) == 0 && m.result == TSHOP_MERGE_NEW,
	    "new unpaid order");
	INT_EQ(on_hand(db, "MUG-1"), 0, "unpaid: no stock moved");
	INT_EQ(on_hand(db, "1729"), 0, "unknown SKU by sku_id was created");
	OK(merge_status(o, "A1", TSHOP_AWAITING_SHIPMENT, 200, &m) == 0 &&
	    m.result == TSHOP_MERGE_UPDATED && m.stock_taken, "paid: updated, stock taken");
	INT_EQ(on_hand(db, "MUG-1"), -2, "two mugs off (negative allowed)");
	INT_EQ(on_hand(db, "1729"), -1, "one hoodie off");
	OK(merge_status(o, "A1", TSHOP_AWAITING_SHIPMENT, 200, &m) == 0 &&
	    m.result == TSHOP_MERGE_UNCHANGED && !m.stock_taken, "same update: unchanged");
	OK(merge_status(o, "A1", TSHOP_UNPAID, 300, &m) == 0 && m.result == TSHOP_MERGE_STALE,
	    "lower rank: stale");
	OK(merge_status(o, "A1", TSHOP_CANCELLED, 150, &m) == 0 && m.result == TSHOP_MERGE_STALE,
	    "older update_time: stale");
	INT_EQ(on_hand(db, "MUG-1"), -2, "stale updates move nothing");
	OK(merge_status(o, "A1", TSHOP_CANCELLED, 400, &m) == 0 &&
	    m.result == TSHOP_MERGE_UPDATED && m.stock_returned, "cancelled unshipped: returned");
	INT_EQ(on_hand(db, "MUG-1"), 0, "mugs back");
	INT_EQ(on_hand(db, "1729"), 0, "hoodie back");
	OK(merge_status(o, "A1", TSHOP_CANCELLED, 500, &m) == 0 && !m.stock_returned,
	    "cancelled again: nothing returned twice");
	OK(merge_status(o, "A1", TSHOP_AWAITING_SHIPMENT, 600, &m) == 0 &&
	    m.result == TSHOP_MERGE_STALE, "nothing follows CANCELLED");
	INT_EQ(on_hand(db, "MUG-1"), 0, "still back");

	OK(merge_status(o, "B2", TSHOP_IN_TRANSIT, TSHOP_TIME_NONE, &m) == 0 && m.stock_taken,
	    "first recorded shipped: stock taken");
	OK(merge_status(o, "B2", TSHOP_CANCELLED, TSHOP_TIME_NONE, &m) == 0 &&
	    m.result == TSHOP_MERGE_UPDATED && !m.stock_returned,
	    "cancelled after shipping: nothing comes back");
	INT_EQ(on_hand(db, "MUG-1"), -2, "B2's mugs stay out");

	OK(tshop_order_event(o, "NOPE", TSHOP_EVENT_DELIVERED, 0, NULL, &m, &e) == -1 &&
	    e.code == 2, "event on an unknown order is a bad line");
	scratch_close(&sc);
}

/* One column (or two) changed per update, in a fresh update each time. */
static int
change(struct tshop_orders *o, struct tshop_order *u, enum tshop_merge_result *res)
{
	static const struct tshop_order_line line = { "CUP-1", NULL, "Cup", 1, 500, true, NULL };
	struct tshop_merge m;
	struct tshop_err e = { 0 };

	u->order_id = "C1";
	u->lines = &line;
	u->nlines = 1;
	if (tshop_order_merge(o, u, &m, &e) == -1) {
		printf("# merge: %s\n", e.msg);
		return -1;
	}
	*res = m.result;
	tshop_order_init(u);
	u->status = TSHOP_AWAITING_SHIPMENT;
	u->replace = true;	/* decisions, as tshop-ship's: recorded values give way */
	return 0;
}

/*
 * An update writes only the columns it changes, through an UPDATE prepared
 * per set of columns; more sets than the 8 kept, then an evicted one again.
 */
static void
changes(void)
{
	struct scratch sc;
	struct tshop_orders *o;
	struct tshop_order u;
	struct tshop_err e = { 0 };
	enum tshop_merge_result res[24];
	sqlite3_stmt *st = NULL;
	int n = 0, bad = 0;

	if (scratch_open(&sc) == -1)
		return;
	o = sc.o;
	tshop_order_init(&u);
	u.replace = true;
	u.status = TSHOP_AWAITING_SHIPMENT;
	u.created_at = at("2026-11-20T15:00:00Z");
	u.paid_at = at("2026-11-20T15:05:00Z");
	bad += change(o, &u, &res[n++]);			/* new */
	u.currency = "EUR";
	bad += change(o, &u, &res[n++]);
	u.total = 1234;
	u.has_total = true;
	bad += change(o, &u, &res[n++]);
	u.shipping_type = "TIKTOK";
	bad += change(o, &u, &res[n++]);
	u.deliver_by = at("2026-12-01T23:59:59Z");
	bad += change(o, &u, &res[n++]);
	u.ship_by = at("2026-11-23T23:59:59Z");
	bad += change(o, &u, &res[n++]);
	u.tracking = "1Z999AA10123456784";
	u.carrier = "UPS";
	bad += change(o, &u, &res[n++]);
	u.update_time = at("2026-11-21T08:00:00Z");
	bad += change(o, &u, &res[n++]);
	u.cancel_reason = "none";
	bad += change(o, &u, &res[n++]);
	u.status = TSHOP_IN_TRANSIT;
	u.shipped_at = at("2026-11-21T09:00:00Z");
	bad += change(o, &u, &res[n++]);
	u.status = TSHOP_IN_TRANSIT;
	u.first_scan_at = at("2026-11-21T18:00:00Z");
	bad += change(o, &u, &res[n++]);
	u.status = TSHOP_IN_TRANSIT;
	u.currency = "USD";					/* the set of the first change */
	bad += change(o, &u, &res[n++]);
	/* each set again, kept or evicted */
	for (int round = 0; round < 2; round++) {
		u.status = TSHOP_IN_TRANSIT;
		u.total = 999 + round;
		u.has_total = true;
		bad += change(o, &u, &res[n++]);
		u.status = TSHOP_IN_TRANSIT;
		u.shipping_type = round ? "TIKTOK" : "SELLER";
		bad += change(o, &u, &res[n++]);
		u.status = TSHOP_IN_TRANSIT;
		u.deliver_by = at(round ? "2026-12-03T23:59:59Z" : "2026-12-02T23:59:59Z");
		bad += change(o, &u, &res[n++]);
		u.status = TSHOP_IN_TRANSIT;
		u.update_time = at(round ? "2026-11-21T11:00:00Z" : "2026-11-21T10:00:00Z");
		bad += change(o, &u, &res[n++]);
		u.status = TSHOP_IN_TRANSIT;
		u.cancel_reason = round ? "other" : "another";
		bad += change(o, &u, &res[n++]);
		u.status = TSHOP_IN_TRANSIT;
		u.currency = round ? "USD" : "EUR";
		bad += change(o, &u, &res[n++]);
	}
	INT_EQ(bad, 0, "24 merges of one order");
	INT_EQ(res[0], TSHOP_MERGE_NEW, "the first is new");
	for (int i = 1; i < n; i++)
		if (res[i] != TSHOP_MERGE_UPDATED)
			printf("# change %d: result %d\n", i, res[i]), bad++;
	INT_EQ(bad, 0, "each later one an update");
	if (tshop_db_prepare(sc.db, &st, "SELECT status || ' ' || currency || ' ' || total || ' ' ||"
	    " shipping_type || ' ' || deliver_by || ' ' || ship_by || ' ' || tracking || ' ' ||"
	    " carrier || ' ' || update_time || ' ' || cancel_reason || ' ' || shipped_at || ' ' ||"
	    " first_scan_at || ' ' || created_at || ' ' || paid_at || ' ' || stock_taken"
	    " FROM orders WHERE order_id = 'C1'", &e) == 0 && sqlite3_step(st) == SQLITE_ROW)
		STR_EQ((const char *)sqlite3_column_text(st, 0),
		    "IN_TRANSIT USD 1000 TIKTOK 1796342399 1795478399 1Z999AA10123456784 UPS"
		    " 1795258800 other 1795251600 1795284000 1795186800 1795187100 1",
		    "every change kept, nothing else touched");
	else
		OK(0, "read the order: %s", e.msg);
	sqlite3_finalize(st);
	scratch_close(&sc);
}

int
main(void)
{
	statuses();
	ship_by();
	merging();
	changes();
	return UNIT_DONE();
}
