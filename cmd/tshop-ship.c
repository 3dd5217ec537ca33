/*
 * tshop-ship — mark orders shipped with a tracking number and a carrier;
 * identify tracking numbers; list the carriers; write Seller Center
 * bulk-shipping upload files.
 *
 * Shipping reads records (or one record from the operands) through the
 * shared batch loop: one transaction, all or nothing unless --rejects.
 * The per-line output and the late warnings are held in temporary files
 * and copied out once the batch is committed, so a batch that applied
 * nothing prints nothing but its errors.  The rules live in lib/ship.c,
 * the carrier list in lib/carrier.c.  See tshop-ship(1).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "ship.h"

static const char usage[] =
    "tshop-ship [-Hnq] [-d db] [-o tsv|csv|json] [--combine] [--replace] [--rejects file]\n"
    "                  order tracking carrier [shipped_at] | [file ...]\n"
    "       tshop-ship check tracking ... | -\n"
    "       tshop-ship carriers\n"
    "       tshop-ship export [-n] [--batch n] [-o dir | --dir dir]";

enum { OPT_COMBINE = CLI_FIRST_PROGRAM_OPT, OPT_REPLACE, OPT_BATCH, OPT_DIR };

static const struct cli_opt opts[] = {
	{ "rejects", CLI_REJECTS, true },
	{ "combine", OPT_COMBINE, false },
	{ "replace", OPT_REPLACE, false },
	{ "batch", OPT_BATCH, true },
	{ "dir", OPT_DIR, true },
	{ NULL, 0, false },
};

struct ship_cmd {
	unsigned flags;
	const char *batch, *dir;
	struct tshop_shipper *shipper;
	struct tshop_writer out;
	FILE *rows, *warnings;
	unsigned long shipped, replaced, unchanged;
	bool operands;		/* one record from the command line: no FILE:LINE */
};

static void
on_opt(struct tshop_cli *c, int id, const char *arg, void *ctx)
{
	struct ship_cmd *s = ctx;

	switch (id) {
	case OPT_COMBINE: s->flags |= TSHOP_SHIP_COMBINE; break;
	case OPT_REPLACE: s->flags |= TSHOP_SHIP_REPLACE; break;
	case OPT_BATCH: s->batch = arg; break;
	case OPT_DIR: s->dir = arg; break;
	}
	(void)c;
}

/* ship ----------------------------------------------------------------- */

enum { C_ORDER, C_TRACKING, C_CARRIER, C_SHIPPED_AT };
static const struct tshop_column ship_cols[] = {
	{ "order_id", "order id|order number|order_number|order no|order #|orderid|order|"
	    "platform order id|tiktok order id|tiktok order number|sales order number",
	    TSHOP_COL_REQUIRED | TSHOP_COL_KEY },
	{ "tracking", "tracking id|tracking_id|tracking number|tracking_number|tracking no|"
	    "tracking #|trackingnumber|tracking code|tracking_code|waybill|waybill number|awb",
	    TSHOP_COL_REQUIRED },
	{ "carrier", "shipping provider name|shipping provider|shipping_provider|"
	    "shipping provider name(required)|carrier name|carrier_name|courier|courier name|"
	    "shipping carrier|shipping_carrier|ship via|ship carrier|logistics provider",
	    TSHOP_COL_REQUIRED },
	{ "shipped_at", "ship date|ship_date|shipped date|shipped_date|shipped at|shipped on|"
	    "shipment date|date shipped|ship time|shipping date|shipped time|shipped_time|"
	    "fulfillment date|fulfilled at", 0 },
};

static const struct tshop_outcol ship_out[] = {
	{ "order_id", TSHOP_OUT_STR }, { "tracking", TSHOP_OUT_STR },
	{ "carrier", TSHOP_OUT_STR }, { "result", TSHOP_OUT_STR },
	{ "ship_by", TSHOP_OUT_STR }, { "late", TSHOP_OUT_STR },
};

/* Whole hours and tenths, half up: "5.5". */
static void
hours(int64_t seconds, char *buf, size_t n)
{
	int64_t tenths = (seconds * 10 + 1800) / 3600;

	snprintf(buf, n, "%lld.%lld", (long long)(tenths / 10), (long long)(tenths % 10));
}

static int
ship_one(struct tshop_cli *c, struct tshop_record *rec, void *ctx, struct tshop_err *e)
{
	struct ship_cmd *s = ctx;
	struct tshop_shipment in = {
		tshop_record_get(rec, C_ORDER), tshop_record_get(rec, C_TRACKING),
		tshop_record_get(rec, C_CARRIER), TSHOP_TIME_NONE,
	};
	const char *when = tshop_record_get(rec, C_SHIPPED_AT);
	struct tshop_ship_outcome o;
	char ship_by[32] = "", shipped[32], h[32];

	if (when != NULL && tshop_time_parse(when, c->cfg.date_order, &in.shipped_at) == -1)
		return tshop_errorf(e, 2, "column 'shipped_at': '%s' is not a time", when);
	if (tshop_ship(s->shipper, &in, s->flags, &o, e) == -1)
		return -1;
	switch (o.result) {
	case TSHOP_SHIP_SHIPPED: s->shipped++; break;
	case TSHOP_SHIP_REPLACED: s->replaced++; break;
	case TSHOP_SHIP_UNCHANGED: s->unchanged++; break;
	}
	if (o.ship_by != TSHOP_TIME_NONE)
		tshop_time_format(o.ship_by, ship_by, sizeof(ship_by));
	{
		const char *row[] = { in.order_id, o.tracking, o.carrier->name,
		    tshop_ship_result_name(o.result), ship_by,
		    o.late == 1 ? "yes" : o.late == 0 ? "no" : "" };

		if (tshop_writer_row(&s->out, row) == -1)
			return tshop_errorf(e, 3, "cannot hold the output: %s", strerror(errno));
	}
	if (o.late == 1 && o.result != TSHOP_SHIP_UNCHANGED) {
		hours(o.shipped_at - o.ship_by, h, sizeof(h));
		if (!s->operands)
			fprintf(s->warnings, "%s: %s:%lu: ", c->prog, rec->file, rec->line);
		else
			fprintf(s->warnings, "%s: ", c->prog);
		fprintf(s->warnings, "late: order '%s' shipped at %s, %s h after "
		    "its ship_by %s\n", in.order_id,
		    tshop_time_format(o.shipped_at, shipped, sizeof(shipped)), h, ship_by);
	}
	return 0;
}

/* Copy a held temporary file to `to`. */
static void
copy_out(struct tshop_cli *c, FILE *from, FILE *to)
{
	char buf[65536];
	size_t n;

	if (fflush(from) == EOF || fseek(from, 0, SEEK_SET) == -1) {
		cli_warn(c, "cannot read back the output: %s", strerror(errno));
		exit(TSHOP_EXIT_LOCAL);
	}
	while ((n = fread(buf, 1, sizeof(buf), from)) > 0)
		if (fwrite(buf, 1, n, to) != n)
			break;
}

static int
cmd_ship(struct tshop_cli *c, struct ship_cmd *s)
{
	struct tshop_err e = { 0 };
	struct cli_batch b = { .cols = ship_cols, .ncols = 4, .fn = ship_one, .ctx = s,
	    .files = c->args, .nfiles = c->nargs };
	int rc;

	if (s->batch != NULL || s->dir != NULL)
		cli_usage(c, "--batch and --dir are for export");
	b.operands = s->operands = cli_operands_are_record(&b, 3, 4);
	if (!b.operands && (c->nargs == 1 || c->nargs == 2) && strcmp(c->args[0], "-") != 0 &&
	    access(c->args[0], F_OK) == -1)
		cli_usage(c, "'%s': no such file (to ship one order: order tracking carrier)",
		    c->args[0]);
	if ((s->rows = tmpfile()) == NULL || (s->warnings = tmpfile()) == NULL) {
		cli_warn(c, "cannot make a temporary file: %s", strerror(errno));
		exit(TSHOP_EXIT_LOCAL);
	}
	cli_open(c, TSHOP_DB_WRITE);
	if (tshop_shipper_new(&s->shipper, c->db, &c->cfg, &e) == -1)
		cli_fail(c, &e);
	tshop_writer_init(&s->out, s->rows, c->format, c->header, ship_out, 6);
	rc = cli_batch(c, &b, NULL);
	if (tshop_writer_flush(&s->out) == -1) {
		cli_warn(c, "cannot hold the output: %s", strerror(errno));
		exit(TSHOP_EXIT_LOCAL);
	}
	copy_out(c, s->warnings, stderr);
	copy_out(c, s->rows, stdout);
	cli_flush(c);
	cli_note(c, "%lu shipped, %lu replaced, %lu unchanged%s", s->shipped, s->replaced,
	    s->unchanged, c->dry_run ? " (dry run: nothing changed)" : "");
	fclose(s->rows);
	fclose(s->warnings);
	tshop_shipper_free(s->shipper);
	return rc;
}

/* check ---------------------------------------------------------------- */

static const struct tshop_outcol check_out[] = {
	{ "tracking", TSHOP_OUT_STR }, { "carrier", TSHOP_OUT_STR },
	{ "format", TSHOP_OUT_STR }, { "checksum", TSHOP_OUT_STR },
};

struct check_ctx {
	const struct tshop_tracking *t;
	const struct tshop_carriers *cs;
	struct tshop_tracking_match *m;
	size_t max;
	struct tshop_writer out;
	bool invalid;
};

/* Why a number is invalid, when some carrier's format almost takes it. */
static void
explain(struct tshop_cli *c, struct check_ctx *k, const char *number)
{
	struct tshop_err e = { 0 };

	for (size_t i = 0; i < tshop_carriers_count(k->cs); i++) {
		const struct tshop_carrier *cr = tshop_carriers_at(k->cs, i), *actual;
		struct tshop_tracking_match m;

		if (cr->generic)
			continue;
		if (tshop_carrier_check(k->cs, cr, number, &m, &actual, &e) == -1)
			return;
		if (m.status == TSHOP_TRACKING_BAD_CHECK && m.expected && m.check_digit) {
			cli_note(c, "'%s' fails the %s check digit (format %s): '%c' should "
			    "be '%c'", m.number, cr->name, m.format_id, m.check_digit, m.expected);
			return;
		}
		if (m.status == TSHOP_TRACKING_BAD_FIELD) {
			cli_note(c, "'%s' has an unknown %s '%s' (%s format %s)", m.number,
			    m.group ? m.group : "field", m.value, cr->name, m.format_id);
			return;
		}
	}
}

/* `number` is printed as given (trimmed); the formats judge it normalised. */
static void
check_one(struct tshop_cli *c, struct check_ctx *k, char *number)
{
	struct tshop_err e = { 0 };
	int n;

	number = tshop_trim(number);
	if ((n = tshop_tracking_identify(k->t, number, k->m, k->max, &e)) == -1)
		cli_fail(c, &e);
	if (n == 0) {
		const char *row[] = { number, "-", "-", "invalid" };

		k->invalid = true;
		if (tshop_writer_row(&k->out, row) == -1)
			cli_flush(c);
		explain(c, k, number);
		return;
	}
	for (int i = 0; i < n && (size_t)i < k->max; i++) {
		const struct tshop_tracking_match *m = &k->m[i];
		const struct tshop_carrier *cr = tshop_carrier_of_format(k->cs, m->courier_code,
		    m->format_id, m->number);
		const char *row[] = { number, cr ? cr->name : m->courier_name, m->format_id,
		    m->result };

		if (tshop_writer_row(&k->out, row) == -1)
			cli_flush(c);
	}
}

static int
cmd_check(struct tshop_cli *c)
{
	struct tshop_tracking *t;
	struct tshop_carriers *cs;
	struct tshop_err e = { 0 };
	struct check_ctx k = { 0 };
	bool from_stdin = c->nargs == 1 || (c->nargs == 2 && strcmp(c->args[1], "-") == 0);

	if (tshop_tracking_load(&t, &e) == -1 || tshop_carriers_load(&cs, NULL, t, &e) == -1)
		cli_fail(c, &e);
	k.t = t;
	k.cs = cs;
	k.max = tshop_tracking_nformats(t);
	if ((k.m = calloc(k.max, sizeof(*k.m))) == NULL) {
		cli_warn(c, "out of memory");
		exit(TSHOP_EXIT_LOCAL);
	}
	cli_writer(c, &k.out, check_out, 4);
	if (from_stdin) {
		char *line = NULL;
		size_t cap = 0;
		ssize_t len;

		while ((len = getline(&line, &cap, stdin)) != -1) {
			char *p = tshop_trim(line);

			if (*p != '\0')
				check_one(c, &k, p);
		}
		if (ferror(stdin)) {
			cli_warn(c, "reading standard input: %s", strerror(errno));
			exit(TSHOP_EXIT_LOCAL);
		}
		free(line);
	} else
		for (int i = 1; i < c->nargs; i++)
			check_one(c, &k, c->args[i]);
	tshop_writer_flush(&k.out);
	cli_flush(c);
	free(k.m);
	tshop_carriers_free(cs);
	tshop_tracking_free(t);
	return k.invalid ? TSHOP_EXIT_FOUND : TSHOP_EXIT_OK;
}

/* carriers ------------------------------------------------------------- */

static const struct tshop_outcol carriers_out[] = {
	{ "carrier", TSHOP_OUT_STR }, { "aliases", TSHOP_OUT_STR },
	{ "provider_id", TSHOP_OUT_STR },
};

static int
cmd_carriers(struct tshop_cli *c)
{
	struct tshop_carriers *cs;
	struct tshop_err e = { 0 };
	struct tshop_writer w;
	struct tshop_buf al = TSHOP_BUF_INIT;

	if (c->nargs != 1)
		cli_usage(c, "carriers takes no operand");
	cli_open(c, TSHOP_DB_READ);
	if (tshop_carriers_load(&cs, c->db, NULL, &e) == -1)
		cli_fail(c, &e);
	cli_writer(c, &w, carriers_out, 3);
	for (size_t i = 0; i < tshop_carriers_count(cs); i++) {
		const struct tshop_carrier *cr = tshop_carriers_at(cs, i);
		char k1[128], k2[128];
		bool extra;

		tshop_buf_reset(&al);
		for (const char *const *a = cr->aliases; *a; a++)
			if (tshop_buf_addf(&al, "%s%s", al.len ? ", " : "", *a) == -1)
				goto nomem;
		/* TikTok's own name for a built-in carrier, when it is another one */
		extra = cr->builtin && cr->provider_name != NULL &&
		    strcmp(tshop_carrier_key(cr->provider_name, k1, sizeof(k1)),
		    tshop_carrier_key(cr->name, k2, sizeof(k2))) != 0;
		for (const char *const *a = cr->aliases; extra && *a; a++)
			if (tshop_streq_nocase(*a, cr->provider_name))
				extra = false;
		if (extra && tshop_buf_addf(&al, "%s%s", al.len ? ", " : "", cr->provider_name) == -1)
			goto nomem;
		{
			const char *row[] = { cr->name, tshop_buf_str(&al), cr->provider_id };

			if (tshop_writer_row(&w, row) == -1)
				break;
		}
	}
	tshop_writer_flush(&w);
	cli_flush(c);
	tshop_buf_release(&al);
	tshop_carriers_free(cs);
	return 0;
nomem:
	cli_warn(c, "out of memory");
	exit(TSHOP_EXIT_LOCAL);
}

/* export --------------------------------------------------------------- */

static const struct tshop_outcol upload_cols[] = {
	{ "Order ID", TSHOP_OUT_STR }, { "Tracking ID", TSHOP_OUT_STR },
	{ "Shipping Provider Name", TSHOP_OUT_STR },
};

struct export_ctx {
	struct tshop_cli *c;
	const char *dir;
	long long batch;
	int next;			/* the number to try for the next file */
	long long in_file, rows;
	FILE *fp;
	struct tshop_writer w;
	char **paths;
	size_t npaths;
};

/* Start the next ship-NNNN.csv that does not exist yet. */
static int
next_file(struct export_ctx *x, struct tshop_err *e)
{
	struct tshop_buf path = TSHOP_BUF_INIT;
	char **v;
	int fd = -1;

	if ((v = reallocarray(x->paths, x->npaths + 1, sizeof(*v))) == NULL)
		return tshop_errorf(e, 3, "out of memory");
	x->paths = v;
	for (;; x->next++) {
		tshop_buf_reset(&path);
		if (tshop_buf_addf(&path, "%s/ship-%04d.csv", x->dir, x->next) == -1)
			return tshop_errorf(e, 3, "out of memory");
		if (x->c->dry_run) {
			if (access(path.data, F_OK) == -1)
				break;
			continue;
		}
		if ((fd = open(path.data, O_WRONLY | O_CREAT | O_EXCL, 0666)) != -1)
			break;
		if (errno != EEXIST) {
			tshop_errorf(e, 3, "cannot create '%s': %s", path.data, strerror(errno));
			tshop_buf_release(&path);
			return -1;
		}
	}
	x->next++;
	x->paths[x->npaths++] = path.data;
	if (x->c->dry_run)
		return 0;
	if ((x->fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		return tshop_errorf(e, 3, "cannot write '%s': %s", path.data, strerror(errno));
	}
	tshop_writer_init(&x->w, x->fp, TSHOP_FMT_CSV, true, upload_cols, 3);
	return 0;
}

static int
close_file(struct export_ctx *x, struct tshop_err *e)
{
	FILE *fp = x->fp;

	x->fp = NULL;
	if (fp == NULL)
		return 0;
	if (tshop_writer_flush(&x->w) == -1 || ferror(fp) || fsync(fileno(fp)) == -1) {
		fclose(fp);
		return tshop_errorf(e, 3, "cannot write '%s': %s", x->paths[x->npaths - 1],
		    strerror(errno));
	}
	if (fclose(fp) == EOF)
		return tshop_errorf(e, 3, "cannot write '%s': %s", x->paths[x->npaths - 1],
		    strerror(errno));
	return 0;
}

static int
export_one(const struct tshop_export_row *r, void *ctx, struct tshop_err *e)
{
	struct export_ctx *x = ctx;
	const char *row[] = { r->order_id, r->tracking, r->carrier };

	if (x->in_file == x->batch) {
		if (close_file(x, e) == -1)
			return -1;
		x->in_file = 0;
	}
	if (x->in_file == 0 && next_file(x, e) == -1)
		return -1;
	x->in_file++;
	x->rows++;
	if (x->c->dry_run)
		return 0;
	if (tshop_writer_row(&x->w, row) == -1)
		return tshop_errorf(e, 3, "cannot write '%s': %s", x->paths[x->npaths - 1],
		    strerror(errno));
	return 0;
}

static void
export_fail(struct tshop_cli *c, struct export_ctx *x, struct tshop_err *e)
{
	if (x->fp != NULL)
		fclose(x->fp);
	for (size_t i = 0; !c->dry_run && i < x->npaths; i++)
		unlink(x->paths[i]);
	cli_fail(c, e);
}

static int
cmd_export(struct tshop_cli *c, struct ship_cmd *s)
{
	struct tshop_err e = { 0 };
	struct export_ctx x = { .c = c, .dir = s->dir ? s->dir : ".", .batch = 200, .next = 1 };
	int64_t last, n = 0;

	if (c->nargs != 1)
		cli_usage(c, "export takes no operand");
	if (s->flags != 0 || c->rejects != NULL)
		cli_usage(c, "--combine, --replace and --rejects are for shipping");
	if (s->batch != NULL && tshop_parse_int(s->batch, 1, 100000, &x.batch) == -1)
		cli_usage(c, "--batch: '%s' is not a number from 1 to 100000", s->batch);
	if (!c->dry_run && mkdir(x.dir, 0777) == -1 && errno != EEXIST) {
		cli_warn(c, "cannot create directory '%s': %s", x.dir, strerror(errno));
		exit(TSHOP_EXIT_LOCAL);
	}
	cli_open(c, TSHOP_DB_WRITE);
	if (tshop_db_begin(c->db, &e) == -1)
		cli_fail(c, &e);
	if (tshop_shipper_new(&s->shipper, c->db, &c->cfg, &e) == -1)
		cli_fail(c, &e);
	if (tshop_ship_export_each(s->shipper, export_one, &x, &last, &e) == -1 ||
	    close_file(&x, &e) == -1)
		export_fail(c, &x, &e);
	if (c->dry_run || last == 0)
		tshop_db_rollback(c->db);
	else if (tshop_ship_mark_exported(s->shipper, last, tshop_now(), &n, &e) == -1 ||
	    tshop_db_commit(c->db, &e) == -1)
		export_fail(c, &x, &e);
	for (size_t i = 0; i < x.npaths; i++) {
		printf("%s\n", x.paths[i]);
		free(x.paths[i]);
	}
	free(x.paths);
	cli_flush(c);
	cli_note(c, "%lld shipment%s in %zu file%s%s", x.rows, x.rows == 1 ? "" : "s",
	    x.npaths, x.npaths == 1 ? "" : "s", c->dry_run ? " (dry run: nothing written)" : "");
	tshop_shipper_free(s->shipper);
	return 0;
}

/* main ----------------------------------------------------------------- */

/*
 * For export, -o names the directory (SPEC §4.4), not the output format:
 * find the verb the way cli_parse will, and if it is export turn "-o DIR"
 * and "-oDIR" into "--dir DIR" before parsing.
 */
static void
export_dir_option(int argc, char **argv, struct tshop_buf *hold)
{
	int verb = 0;

	for (int i = 1; i < argc && verb == 0; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			verb = i + 1;
			break;
		}
		if (a[0] != '-' || a[1] == '\0' || (a[1] >= '0' && a[1] <= '9'))
			verb = i;
		else if (strcmp(a, "--rejects") == 0 || strcmp(a, "--batch") == 0 ||
		    strcmp(a, "--dir") == 0)
			i++;
		else if (a[1] != '-') {
			/* a short cluster: the value of -d or -o is the rest, or the next word */
			for (const char *p = a + 1; *p; p++)
				if (*p == 'd' || *p == 'o') {
					if (p[1] == '\0')
						i++;
					break;
				}
		}
	}
	if (verb == 0 || verb >= argc || strcmp(argv[verb], "export") != 0)
		return;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-o") == 0)
			argv[i] = "--dir";
		else if (strncmp(argv[i], "-o", 2) == 0 && argv[i][2] != '\0') {
			tshop_buf_reset(hold);
			if (tshop_buf_addf(hold, "--dir=%s", argv[i] + 2) == 0)
				argv[i] = hold->data;
		} else if (strcmp(argv[i], "-d") == 0 || strcmp(argv[i], "--rejects") == 0 ||
		    strcmp(argv[i], "--batch") == 0 || strcmp(argv[i], "--dir") == 0)
			i++;
	}
}

int
main(int argc, char *argv[])
{
	struct tshop_cli c;
	struct ship_cmd s = { 0 };
	struct tshop_buf hold = TSHOP_BUF_INIT;
	const char *verb;
	int rc;

	cli_init(&c, "tshop-ship", usage);
	export_dir_option(argc, argv, &hold);
	cli_parse(&c, argc, argv, opts, on_opt, &s);
	verb = c.nargs > 0 ? c.args[0] : "";
	if (strcmp(verb, "check") == 0)
		rc = cmd_check(&c);
	else if (strcmp(verb, "carriers") == 0)
		rc = cmd_carriers(&c);
	else if (strcmp(verb, "export") == 0)
		rc = cmd_export(&c, &s);
	else
		rc = cmd_ship(&c, &s);
	cli_close(&c);
	tshop_buf_release(&hold);
	return rc;
}
