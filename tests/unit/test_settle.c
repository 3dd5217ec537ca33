/*
 * test_settle.c — settlement arithmetic (the line-weighted commission,
 * rounding at exactly half a cent, refunds, negative bases) and the
 * mapping of Seller Center income report rows.  Expected values are
 * worked out by hand.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "settle.h"
#include "unit.h"

static struct tshop_rate
rate(const char *s)
{
	struct tshop_rate r = { 0, 1 };

	if (tshop_rate_parse(s, &r) == -1)
		printf("# bad rate '%s'\n", s);
	return r;
}

/* Expected commission on `base` for lines amounts[i] at rates[i]. */
static int64_t
commission(const int64_t *amounts, const char *const *rates, size_t n, int64_t base)
{
	struct tshop_commission_rate w;
	int64_t out = -999999;

	tshop_commission_rate_init(&w);
	for (size_t i = 0; i < n; i++)
		if (tshop_commission_rate_add(&w, amounts[i], rate(rates[i])) == -1)
			return -888888;
	if (tshop_commission_expected(&w, rate("5%"), base, &out) == -1)
		return -777777;
	return out;
}

static void
arithmetic(void)
{
	const int64_t one[] = { 1010 };
	const char *const five[] = { "5%" }, *const eight[] = { "8%" };
	const int64_t mixed[] = { 10000, 5000 };
	const char *const mixed_r[] = { "8%", "5%" };
	const int64_t odd[] = { 100, 600 };
	const int64_t fee_mix[] = { 100, 100 };
	const char *const fee_mix_r[] = { "2.9%", "8%" };
	struct tshop_commission_rate w;
	struct tshop_fee fee;
	int64_t out;

	/* $10.10 × 5% = 0.505: exactly half a cent, rounds up; a refund the same way down */
	INT_EQ(commission(one, five, 1, 1010), 51, "10.10 at 5%% = 0.51 (0.505 half up)");
	INT_EQ(commission(one, five, 1, -1010), -51, "-10.10 at 5%% = -0.51 (half away from zero)");
	INT_EQ(commission(one, five, 1, 1009), 50, "10.09 at 5%% = 0.50 (0.5045)");
	INT_EQ(commission(one, eight, 1, 1006), 80, "10.06 at 8%% = 0.80 (0.8048)");

	/* mixed categories: 100.00 at 8% and 50.00 at 5% weigh to exactly 7% */
	INT_EQ(commission(mixed, mixed_r, 2, 15000), 1050, "150.00 at 8%%/5%% lines = 10.50");
	/* a partial refund of 30.00: (150.00 - 30.00) × 7% */
	INT_EQ(commission(mixed, mixed_r, 2, 12000), 840, "partial refund: 120.00 × 7%% = 8.40");
	/* full refund */
	INT_EQ(commission(mixed, mixed_r, 2, 0), 0, "full refund: 0");

	/* 1.00 at 8% and 6.00 at 5%: rate 38/7 % = 5.428571...%, never a finite decimal */
	INT_EQ(commission(odd, mixed_r, 2, 700), 38, "7.00 at 38/7%% = 0.38 exactly");
	INT_EQ(commission(odd, mixed_r, 2, 500), 27, "5.00 at 38/7%% = 0.2714 -> 0.27");
	INT_EQ(commission(odd, mixed_r, 2, 325), 18, "3.25 at 38/7%% = 0.17642 -> 0.18");
	/* 1.75 × 38/7 % = 0.095 exactly: half up, where binary floating point gives 0.09 */
	INT_EQ(commission(odd, mixed_r, 2, 175), 10, "1.75 at 38/7%% = 0.095 -> 0.10");
	INT_EQ(commission(odd, mixed_r, 2, -175), -10, "-1.75 at 38/7%% = -0.10");

	/* rates of different denominators (2.9% is 29/1000, 8% is 8/100): 5.45% */
	INT_EQ(commission(fee_mix, fee_mix_r, 2, 200), 11, "2.00 at (2.9%%+8%%)/2 = 0.109 -> 0.11");
	INT_EQ(commission(fee_mix, fee_mix_r, 2, 1000), 55, "10.00 at 5.45%% = 0.545 -> 0.55");

	/* no priced line: commission.default */
	INT_EQ(commission(NULL, NULL, 0, 1010), 51, "no lines: default 5%% of 10.10 = 0.51");
	/* zero-amount lines weigh nothing */
	{
		const int64_t z[] = { 0, 2000 };

		INT_EQ(commission(z, mixed_r, 2, 2000), 100, "a free line does not move the rate");
	}

	/* overflow is an error, never a wrong number */
	tshop_commission_rate_init(&w);
	OK(tshop_commission_rate_add(&w, INT64_MAX, rate("8%")) == 0 &&
	    tshop_commission_rate_add(&w, INT64_MAX, rate("8%")) == -1,
	    "line amounts that overflow are refused");
	tshop_commission_rate_init(&w);
	tshop_commission_rate_add(&w, 100, rate("8%"));
	OK(tshop_commission_expected(&w, rate("5%"), INT64_MAX, &out) == 0 &&
	    out == 737869762948382065LL,
	    "a huge base is computed exactly on 128 bits");

	/* the transaction fee as gen-shop computes it: round_half_up(gross × 2.9%) + 0.30 */
	OK(tshop_fee_parse("2.9%+0.30", 2, &fee) == 0, "fee 2.9%%+0.30 parses");
	INT_EQ(tshop_fee_apply(&fee, 500), 45, "5.00: 0.145 -> 0.15 + 0.30 = 0.45");
	INT_EQ(tshop_fee_apply(&fee, 0), 30, "0.00: 0.30");
}

/* Map the records of a file through tshop_settle_row_from_record. */
struct mapped {
	int rc;
	struct tshop_settle_row row;
	char order_id[64], type[64], statement_id[64];
	char msg[1024];
};

static size_t
map_file(const char *text, struct mapped *out, size_t max)
{
	char path[] = "/tmp/test_settle.XXXXXX";
	int fd = mkstemp(path);
	struct tshop_reader *r = tshop_reader_new(tshop_settle_columns, TSHOP_SETTLE_NCOLS);
	struct tshop_settle_input in = TSHOP_SETTLE_INPUT_INIT;
	struct tshop_config cfg = { 0 };
	struct tshop_record *rec;
	struct tshop_err e = { 0 };
	const char *const *hdr;
	size_t n = 0, nh;

	snprintf(cfg.currency, sizeof(cfg.currency), "USD");
	cfg.digits = 2;
	cfg.date_order = TSHOP_MDY;
	if (fd == -1 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || r == NULL)
		return 0;
	close(fd);
	if (tshop_reader_open(r, path, &e) == -1) {
		printf("# %s\n", e.msg);
		return 0;
	}
	hdr = tshop_reader_header(r, &nh);
	tshop_settle_input_start(&in, hdr, nh, &e);
	while (n < max && tshop_reader_next(r, &rec, &e) == 1) {
		struct mapped *m = &out[n++];

		memset(m, 0, sizeof(*m));
		m->rc = tshop_settle_row_from_record(&in, rec, &cfg, &m->row, &e);
		if (m->rc == 0) {
			snprintf(m->order_id, sizeof(m->order_id), "%s", m->row.order_id);
			snprintf(m->type, sizeof(m->type), "%s", m->row.type);
			snprintf(m->statement_id, sizeof(m->statement_id), "%s",
			    m->row.statement_id ? m->row.statement_id : "");
		} else
			snprintf(m->msg, sizeof(m->msg), "%s", e.msg);
	}
	tshop_settle_input_release(&in);
	tshop_reader_free(r);
	unlink(path);
	return n;
}

static void
mapping(void)
{
	struct mapped m[4];
	char day[16];
	size_t n;

	/* a Seller Center report: trailing spaces in names, negative fees, pattern columns */
	n = map_file("Order/adjustment ID  ,Type,Order settled time,Currency,"
	    "Total settlement amount,Total revenue,Subtotal after seller discounts,"
	    "Refund subtotal after seller discounts,Total fees,Transaction fee,"
	    "TikTok Shop commission fee,Actual shipping fee ,Affiliate commission ,"
	    "SFP service fee,Customer shipping fee,Adjustment amount,Related order ID\n"
	    "576000000000000001,Order,yesterday,USD,82.15,100.00,100.00,0,"
	    "-17.85,-3.20,-8.00,-4.00,-2.15,-0.50,3.99,0,\n"
	    "576000000000000001,Refund,11/04/2026 10:00:00 PM,USD,-18.40,-20.00,0,-20.00,"
	    "1.60,0,1.60,0,0,0,0,0,\n"
	    "777000000000000009,Logistics reimbursement,11/05/2026,USD,5.00,0,0,0,0,0,0,0,"
	    "0,0,0,5.00,576000000000000001\n", m, 4);
	INT_EQ(n, 3, "three records");
	OK(m[0].rc == -1 && strstr(m[0].msg, "Order settled time") != NULL,
	    "an unparsable settled time names the column: %s", m[0].msg);
	OK(m[1].rc == 0, "refund row maps");
	STR_EQ(m[1].type, "REFUND", "Type 'Refund' -> REFUND");
	INT_EQ(m[1].row.refund, 2000, "negative refund negated");
	INT_EQ(m[1].row.commission, -160, "a refunded commission becomes negative");
	INT_EQ(m[1].row.settlement, -1840, "settlement kept signed");
	STR_EQ(tshop_date_format(m[1].row.statement_date, day, sizeof(day)), "2026-11-04",
	    "statement date = local date of 'Order settled time'");
	OK(m[2].rc == 0, "adjustment row maps");
	STR_EQ(m[2].type, "LOGISTICS_REIMBURSEMENT", "adjustment type normalised");
	INT_EQ(m[2].row.adjustment, 500, "adjustment kept signed");

	n = map_file("Order/adjustment ID,Type,Statement date,Total settlement amount,"
	    "Subtotal after seller discounts,Transaction fee,TikTok Shop commission fee,"
	    "Seller shipping fee,Actual shipping fee,Affiliate commission,SFP service fee,"
	    "Customer shipping fee,Total fees\n"
	    "576000000000000002,Order,2026-11-03,80.85,100.00,-3.20,-8.00,-4.00,-9.99,"
	    "-2.15,-0.50,3.99,-17.85\n", m, 4);
	OK(n == 1 && m[0].rc == 0, "order row maps (%s)", m[0].msg);
	STR_EQ(m[0].type, "ORDER", "Type 'Order' -> ORDER");
	INT_EQ(m[0].row.revenue, 10000, "revenue");
	INT_EQ(m[0].row.transaction_fee, 320, "transaction fee negated");
	INT_EQ(m[0].row.commission, 800, "commission negated");
	INT_EQ(m[0].row.shipping_fee, 400, "Seller shipping fee wins over Actual shipping fee");
	INT_EQ(m[0].row.other_fees, 265, "other fees: affiliate 2.15 + SFP 0.50, not the shipping parts");

	n = map_file("Order/adjustment ID,Transaction type,Statement date,Total settlement amount,"
	    "Actual shipping fee,Subtotal after seller discounts\n"
	    "576000000000000003,Order,2026-11-03,95.00,-5.00,100.00\n"
	    ",Order,2026-11-03,1.00,0,1.00\n"
	    "576000000000000004,Order,2026-11-03,1.00,0,abc\n", m, 4);
	INT_EQ(n, 3, "three records");
	INT_EQ(m[0].row.shipping_fee, 500, "Actual shipping fee when there is no Seller shipping fee");
	OK(m[1].rc == -1 && strstr(m[1].msg, "order_id") != NULL, "missing order id: %s", m[1].msg);
	OK(m[2].rc == -1 && strstr(m[2].msg, "'abc'") != NULL && strstr(m[2].msg, "revenue"),
	    "non-numeric amount names column and value: %s", m[2].msg);

	/*
	 * Without "Seller shipping fee" (the sum of the shipping parts), every
	 * other "... shipping fee" column is an other fee (SPEC §3): customer
	 * shipping fee 2.00 paid to the seller, return shipping 1.00, affiliate
	 * 4.00 -> -2.00 + 1.00 + 4.00 = 3.00; 100.00 - 6.00 - 3.00 = 91.00.
	 */
	n = map_file("Order/adjustment ID,Type,Statement date,Total settlement amount,"
	    "Subtotal after seller discounts,Actual shipping fee,Customer shipping fee,"
	    "Actual return shipping fee,Affiliate commission\n"
	    "576000000000000005,Order,2026-11-03,91.00,100.00,-6.00,2.00,-1.00,-4.00\n", m, 4);
	OK(n == 1 && m[0].rc == 0, "a report without Seller shipping fee maps (%s)", m[0].msg);
	INT_EQ(m[0].row.shipping_fee, 600, "its shipping fee: Actual shipping fee");
	INT_EQ(m[0].row.other_fees, 300, "the other shipping fee columns are other fees");
	INT_EQ(m[0].row.revenue - m[0].row.shipping_fee - m[0].row.other_fees, m[0].row.settlement,
	    "and the net adds up");

	/* the simple form: fees positive */
	n = map_file("order_id,statement_date,gross_sales,refund_amount,commission_fee,"
	    "payment_processing_fee,net_payout\n"
	    "57001,2025-06-01,19.98,0.00,1.60,0.88,17.50\n", m, 4);
	OK(n == 1 && m[0].rc == 0, "simple form maps");
	INT_EQ(m[0].row.commission, 160, "simple form: commission positive as given");
	INT_EQ(m[0].row.transaction_fee, 88, "payment_processing_fee -> transaction_fee");
	INT_EQ(m[0].row.settlement, 1750, "net_payout -> settlement");
	STR_EQ(m[0].type, "ORDER", "no type: ORDER");
	STR_EQ(m[0].statement_id, "", "no statement id");
}

int
main(void)
{
	if (tshop_tz_set("UTC", NULL) == -1)
		return 1;
	arithmetic();
	mapping();
	return UNIT_DONE();
}
