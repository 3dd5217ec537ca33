/*
 * tshop-metrics — the seller performance metrics against their targets.
 *
 * Turns --date and --window into the local days [DATE−window, DATE),
 * asks lib/metrics.c for the six metrics over that range (or over each
 * day or week of it with --by), judges them against the target.<metric>
 * settings and prints one line per metric; --check prints only the
 * breached ones and exits 1 when there are any.  See tshop-metrics(1).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "metrics.h"

static const char usage[] =
    "tshop-metrics [-Hq] [-d db] [-o tsv|csv|json] [--date date] [--window days] "
    "[--by day|week] [--check]";

enum { OPT_DATE = CLI_FIRST_PROGRAM_OPT, OPT_WINDOW, OPT_BY, OPT_CHECK };

static const struct cli_opt opts[] = {
	{ "date", OPT_DATE, true },
	{ "window", OPT_WINDOW, true },
	{ "by", OPT_BY, true },
	{ "check", OPT_CHECK, false },
	{ NULL, 0, false },
};

enum by { BY_NONE, BY_DAY, BY_WEEK };

struct metrics_cmd {
	const char *date, *window, *by;
	bool check;
};

static void
on_opt(struct tshop_cli *c, int id, const char *arg, void *ctx)
{
	struct metrics_cmd *a = ctx;

	switch (id) {
	case OPT_DATE: a->date = arg; break;
	case OPT_WINDOW: a->window = arg; break;
	case OPT_BY: a->by = arg; break;
	case OPT_CHECK: a->check = true; break;
	}
	(void)c;
}

/* The summary: metric value numerator denominator target status. */
static int
summary(struct tshop_cli *c, struct tshop_metrics *m, tshop_time from, tshop_time to,
    bool check)
{
	static const struct tshop_outcol cols[] = {
		{ "metric", TSHOP_OUT_STR }, { "value", TSHOP_OUT_NUM },
		{ "numerator", TSHOP_OUT_NUM }, { "denominator", TSHOP_OUT_NUM },
		{ "target", TSHOP_OUT_STR }, { "status", TSHOP_OUT_STR },
	};
	struct tshop_metric_value v[TSHOP_NMETRICS];
	struct tshop_target t[TSHOP_NMETRICS];
	struct tshop_err e = { 0 };
	struct tshop_writer w;
	int breaches = 0;

	for (int i = 0; i < TSHOP_NMETRICS; i++)
		if (tshop_metric_target(c->db, (enum tshop_metric)i, &t[i], &e) == -1)
			cli_fail(c, &e);
	if (tshop_metrics_compute(m, from, to, tshop_now(), v, &e) == -1)
		cli_fail(c, &e);
	cli_writer(c, &w, cols, 6);
	for (int i = 0; i < TSHOP_NMETRICS; i++) {
		enum tshop_metric_status s = tshop_metric_judge(&v[i], &t[i]);
		char value[48], num[48], den[32], target[48];
		const char *row[6] = { tshop_metric_name(v[i].metric),
		    tshop_metric_format_value(&v[i], value, sizeof(value)),
		    tshop_metric_format_num(&v[i], num, sizeof(num)),
		    tshop_metric_format_den(&v[i], den, sizeof(den)),
		    tshop_metric_format_target(v[i].metric, &t[i], target, sizeof(target)),
		    tshop_metric_status_name(s) };

		if (s == TSHOP_METRIC_BREACH)
			breaches++;
		else if (check)
			continue;
		if (tshop_writer_row(&w, row) == -1)
			break;
	}
	tshop_writer_flush(&w);
	cli_flush(c);
	return check && breaches > 0 ? TSHOP_EXIT_FOUND : TSHOP_EXIT_OK;
}

/* The time series: period metric value numerator denominator. */
static int
series(struct tshop_cli *c, struct tshop_metrics *m, tshop_date first, tshop_date end,
    enum by by)
{
	static const struct tshop_outcol cols[] = {
		{ "period", TSHOP_OUT_STR }, { "metric", TSHOP_OUT_STR },
		{ "value", TSHOP_OUT_NUM }, { "numerator", TSHOP_OUT_NUM },
		{ "denominator", TSHOP_OUT_NUM },
	};
	struct tshop_metric_value v[TSHOP_NMETRICS];
	struct tshop_err e = { 0 };
	struct tshop_writer w;
	tshop_date d, next, label;

	cli_writer(c, &w, cols, 5);
	for (d = first; d < end; d = next) {
		char period[16];

		if (by == BY_DAY) {
			next = d + 1;
			label = d;
		} else {
			/* weeks start on Monday; the first and last are cut to the window */
			label = d - (tshop_date_weekday(d) + 6) % 7;
			next = label + 7 < end ? label + 7 : end;
		}
		if (tshop_metrics_compute(m, tshop_local_midnight(d), tshop_local_midnight(next),
		    tshop_now(), v, &e) == -1)
			cli_fail(c, &e);
		tshop_date_format(label, period, sizeof(period));
		for (int i = 0; i < TSHOP_NMETRICS; i++) {
			char value[48], num[48], den[32];
			const char *row[5] = { period, tshop_metric_name(v[i].metric),
			    tshop_metric_format_value(&v[i], value, sizeof(value)),
			    tshop_metric_format_num(&v[i], num, sizeof(num)),
			    tshop_metric_format_den(&v[i], den, sizeof(den)) };

			if (tshop_writer_row(&w, row) == -1)
				goto done;
		}
	}
done:
	tshop_writer_flush(&w);
	cli_flush(c);
	return TSHOP_EXIT_OK;
}

int
main(int argc, char *argv[])
{
	struct tshop_cli c;
	struct metrics_cmd a = { 0 };
	struct tshop_metrics *m;
	struct tshop_err e = { 0 };
	enum by by = BY_NONE;
	tshop_date date;
	long long window = 30;
	int rc;

	cli_init(&c, "tshop-metrics", usage);
	cli_parse(&c, argc, argv, opts, on_opt, &a);
	if (c.nargs > 0)
		cli_usage(&c, "unexpected operand '%s'", c.args[0]);
	if (a.window != NULL && tshop_parse_int(a.window, 1, 3650, &window) == -1)
		cli_usage(&c, "--window: '%s' is not a whole number from 1 to 3650", a.window);
	if (a.by != NULL) {
		if (strcmp(a.by, "day") == 0)
			by = BY_DAY;
		else if (strcmp(a.by, "week") == 0)
			by = BY_WEEK;
		else
			cli_usage(&c, "--by: '%s' is not day or week", a.by);
		if (a.check)
			cli_usage(&c, "--check and --by do not go together");
	}
	if (a.date != NULL && tshop_date_parse(a.date, &date) == -1)
		cli_usage(&c, "--date: '%s' is not a date (YYYY-MM-DD)", a.date);
	cli_open(&c, TSHOP_DB_READ);
	if (a.date == NULL)
		date = tshop_local_date(tshop_now());
	/* one read transaction: every metric sees the same snapshot */
	if (tshop_metrics_new(&m, c.db, &e) == -1 || tshop_db_exec(c.db, "BEGIN", &e) == -1)
		cli_fail(&c, &e);
	if (by == BY_NONE)
		rc = summary(&c, m, tshop_local_midnight(date - (tshop_date)window),
		    tshop_local_midnight(date), a.check);
	else
		rc = series(&c, m, date - (tshop_date)window, date, by);
	tshop_db_rollback(c.db);
	tshop_metrics_free(m);
	cli_close(&c);
	return rc;
}
