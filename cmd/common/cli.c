/*
 * cli.c — the front end shared by every program: options, messages, exit
 * codes, opening the database, and the batch loop (see cli.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static void
vwarn_line(struct tshop_cli *c, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", c->prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
cli_warn(struct tshop_cli *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_line(c, fmt, ap);
	va_end(ap);
}

void
cli_note(struct tshop_cli *c, const char *fmt, ...)
{
	va_list ap;

	if (c->quiet)
		return;
	va_start(ap, fmt);
	vwarn_line(c, fmt, ap);
	va_end(ap);
}

void
cli_usage(struct tshop_cli *c, const char *fmt, ...)
{
	va_list ap;

	if (fmt != NULL) {
		va_start(ap, fmt);
		vwarn_line(c, fmt, ap);
		va_end(ap);
	}
	fprintf(stderr, "usage: %s\n", c->usage);
	exit(TSHOP_EXIT_USAGE);
}

/* Nothing applied: roll back, and remove a database this run created. */
static void
abandon(struct tshop_cli *c)
{
	if (c->db == NULL)
		return;
	tshop_db_rollback(c->db);
	if (tshop_db_discard_new(c->db))
		c->db = NULL;
}

void
cli_fail(struct tshop_cli *c, const struct tshop_err *e)
{
	fprintf(stderr, "%s: %s\n", c->prog, e->msg);
	abandon(c);
	exit(e->code ? e->code : TSHOP_EXIT_LOCAL);
}

static void
emit(void *ctx, const char *msg)
{
	struct tshop_cli *c = ctx;

	fprintf(stderr, "%s: %s\n", c->prog, msg);
}

void
cli_init(struct tshop_cli *c, const char *prog, const char *usage)
{
	memset(c, 0, sizeof(*c));
	c->prog = prog;
	c->usage = usage;
	c->format = TSHOP_FMT_TSV;
	c->diag.emit = emit;
	c->diag.ctx = c;
	signal(SIGPIPE, SIG_IGN);
}

static const struct cli_opt common_opts[] = {
	{ NULL, 'd', true }, { NULL, 'o', true }, { NULL, 'H', false },
	{ NULL, 'q', false }, { NULL, 'n', false }, { "dry-run", CLI_DRY_RUN, false },
	{ NULL, 'h', false }, { "help", 'h', false },
};

static const struct cli_opt *
find_opt(const struct cli_opt *opts, const char *name, int id)
{
	for (size_t i = 0; i < sizeof(common_opts) / sizeof(common_opts[0]); i++)
		if (name ? (common_opts[i].name && strcmp(common_opts[i].name, name) == 0)
		    : (common_opts[i].name == NULL && common_opts[i].id == id))
			return &common_opts[i];
	for (; opts && (opts->name || opts->id); opts++)
		if (name ? (opts->name && strcmp(opts->name, name) == 0) : opts->id == id)
			return opts;
	return NULL;
}

static void
common(struct tshop_cli *c, int id, const char *arg)
{
	switch (id) {
	case 'd':
		c->db_opt = arg;
		break;
	case 'o':
		if (tshop_format_parse(arg, &c->format) == -1)
			cli_usage(c, "-o: '%s' is not tsv, csv or json", arg);
		break;
	case 'H':
		c->header = true;
		break;
	case 'q':
		c->quiet = true;
		break;
	case 'n':
	case CLI_DRY_RUN:
		c->dry_run = true;
		break;
	case CLI_REJECTS:
		c->rejects = arg;
		break;
	case 'h':
		printf("usage: %s\n", c->usage);
		exit(0);
	}
}

static bool
is_operand(const char *a)
{
	return a[0] != '-' || a[1] == '\0' ||
	    (a[1] >= '0' && a[1] <= '9') || (a[1] == '.' && a[2] >= '0' && a[2] <= '9');
}

void
cli_parse(struct tshop_cli *c, int argc, char **argv, const struct cli_opt *opts,
    void (*on_opt)(struct tshop_cli *c, int id, const char *arg, void *ctx), void *ctx)
{
	bool only_operands = false;

	if ((c->args = calloc((size_t)argc + 1, sizeof(*c->args))) == NULL) {
		cli_warn(c, "out of memory");
		exit(TSHOP_EXIT_LOCAL);
	}
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		const struct cli_opt *o;
		const char *arg = NULL;

		if (only_operands || is_operand(a)) {
			c->args[c->nargs++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_operands = true;
			continue;
		}
		if (a[1] == '-') {
			char *eq = strchr(a + 2, '=');

			if (eq)
				*eq = '\0';
			if ((o = find_opt(opts, a + 2, 0)) == NULL)
				cli_usage(c, "unknown option '%s'", a);
			if (o->arg) {
				if (eq)
					arg = eq + 1;
				else if (i + 1 < argc)
					arg = argv[++i];
				else
					cli_usage(c, "option '--%s' needs a value", o->name);
			} else if (eq)
				cli_usage(c, "option '--%s' takes no value", o->name);
		} else {
			/* a cluster of short options: -Hq, -dFILE, -d FILE */
			for (char *p = a + 1; *p; p++) {
				if ((o = find_opt(opts, NULL, (unsigned char)*p)) == NULL)
					cli_usage(c, "unknown option '-%c'", *p);
				if (!o->arg) {
					if (o->id < CLI_FIRST_PROGRAM_OPT && find_opt(NULL, NULL, o->id) == o)
						common(c, o->id, NULL);
					else
						on_opt(c, o->id, NULL, ctx);
					continue;
				}
				if (p[1] != '\0')
					arg = p + 1;
				else if (i + 1 < argc)
					arg = argv[++i];
				else
					cli_usage(c, "option '-%c' needs a value", *p);
				break;
			}
			if (arg == NULL)
				continue;
		}
		if (find_opt(NULL, o->name, o->name ? 0 : o->id) == o || o->id == CLI_REJECTS)
			common(c, o->id, arg);
		else
			on_opt(c, o->id, arg, ctx);
	}
}

void
cli_open(struct tshop_cli *c, enum tshop_db_mode mode)
{
	struct tshop_err e = { 0 };
	char *path;

	if ((path = tshop_db_path(c->db_opt, &e)) == NULL)
		cli_fail(c, &e);
	if (c->dry_run && mode != TSHOP_DB_READ && access(path, F_OK) == -1) {
		/* -n changes nothing, not even by creating the database */
		cli_note(c, "dry run on an empty shop: %s does not exist", path);
		free(path);
		if ((path = strdup(":memory:")) == NULL)
			cli_fail(c, &(struct tshop_err){ 3, "out of memory" });
	}
	if (tshop_db_open(&c->db, path, mode, &e) == -1) {
		free(path);
		cli_fail(c, &e);
	}
	free(path);
	/* after the shop time zone is installed: TSHOP_NOW may be a local time */
	if (tshop_config_load(c->db, &c->cfg, &e) == -1 || tshop_now_init(&e) == -1)
		cli_fail(c, &e);
}

void
cli_close(struct tshop_cli *c)
{
	tshop_config_release(&c->cfg);
	tshop_db_close(c->db);
	c->db = NULL;
	free(c->args);
	c->args = NULL;
}

void
cli_writer(struct tshop_cli *c, struct tshop_writer *w, const struct tshop_outcol *cols, size_t n)
{
	tshop_writer_init(w, stdout, c->format, c->header, cols, n);
}

void
cli_flush(struct tshop_cli *c)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		cli_warn(c, "write error: %s", strerror(errno));
		if (c->db != NULL)
			tshop_db_rollback(c->db);
		exit(TSHOP_EXIT_LOCAL);
	}
}

/* The progress line (SPEC §2.9): only on a terminal, never with -q. */
struct progress {
	bool on;
	struct timespec start, last;
};

static double
since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void
progress_tick(struct tshop_cli *c, struct progress *p, const struct tshop_reader *r,
    unsigned long rows, bool done)
{
	struct timespec now;
	double t;
	int pct;

	if (!p->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!done && since(&p->last, &now) < 0.5)
		return;
	p->last = now;
	t = since(&p->start, &now);
	fprintf(stderr, "\r%s: %lu rows, %.0f rows/s", c->prog, rows,
	    t > 0 ? (double)rows / t : 0.0);
	if (!done && (pct = tshop_reader_percent(r)) >= 0)
		fprintf(stderr, ", %d%%", pct);
	fputs("\033[K", stderr);
	if (done)
		fputs("\r\033[K", stderr);
}

/*
 * The rejects file is written under a temporary name beside it and renamed
 * over it once the batch is done: the file may be one of the inputs (fix
 * it, feed it again), and a run without bad lines leaves it empty.  A
 * device or a pipe (/dev/stderr) is written directly.
 */
static char *rejects_tmp;

static void
rejects_tmp_remove(void)
{
	if (rejects_tmp != NULL)
		unlink(rejects_tmp);
}

static void __attribute__((noreturn))
rejects_fail(struct tshop_cli *c)
{
	cli_warn(c, "cannot write rejects to '%s': %s", c->rejects, strerror(errno));
	exit(TSHOP_EXIT_LOCAL);
}

static FILE *
rejects_open(struct tshop_cli *c)
{
	struct stat sb;
	FILE *fp = NULL;
	mode_t mask;
	int fd;

	if (stat(c->rejects, &sb) == 0 && !S_ISREG(sb.st_mode))
		fp = fopen(c->rejects, "w");
	else if ((rejects_tmp = malloc(strlen(c->rejects) + 8)) != NULL) {
		snprintf(rejects_tmp, strlen(c->rejects) + 8, "%s.XXXXXX", c->rejects);
		if ((fd = mkstemp(rejects_tmp)) != -1) {
			atexit(rejects_tmp_remove);
			mask = umask(0);
			umask(mask);
			if (fchmod(fd, 0666 & ~mask) == -1 || (fp = fdopen(fd, "w")) == NULL)
				close(fd);
		} else {
			free(rejects_tmp);
			rejects_tmp = NULL;
		}
	}
	if (fp == NULL) {
		rejects_fail(c);
	}
	return fp;
}

/* Written in full (before the commit), then in place (after it). */
static void
rejects_flush(struct tshop_cli *c, FILE *fp)
{
	if (fflush(fp) == EOF || ferror(fp)) {
		rejects_fail(c);
	}
}

static void
rejects_close(struct tshop_cli *c, FILE *fp)
{
	if (fclose(fp) == EOF || (rejects_tmp != NULL && rename(rejects_tmp, c->rejects) == -1)) {
		rejects_fail(c);
	}
	free(rejects_tmp);
	rejects_tmp = NULL;
}

static void
reject(FILE *fp, struct tshop_reader *r, const char *raw, size_t rawlen,
    const char **header_done)
{
	const char *hdr = tshop_reader_header_raw(r);

	if (hdr != NULL && *header_done != hdr) {
		fprintf(fp, "%s\n", hdr);
		*header_done = hdr;
	}
	fwrite(raw, 1, rawlen, fp);
	fputc('\n', fp);
}

/* Where the bad lines of a batch go. */
struct verdicts {
	struct tshop_reader *r;
	FILE *rej;
	const char *header_done;
};

static void
bad_line(struct tshop_cli *c, struct cli_batch *b, struct verdicts *v, const char *file,
    unsigned long line, const char *raw, size_t rawlen, const char *msg)
{
	b->bad++;
	tshop_diag_line(&c->diag, file, line, "%s", msg);
	if (v->rej != NULL)
		reject(v->rej, v->r, raw, rawlen, &v->header_done);
}

/*
 * The records of one input since the first one held back: held ones
 * (waiting for settle()) and the bad lines among and after them, whose
 * reports must wait their turn.  Texts are offsets into `text`.
 */
struct cli_held {
	struct held {
		unsigned long line;
		size_t raw, rawlen, msg;	/* msg: SIZE_MAX while none */
	} *v;
	size_t n, cap;
	size_t *waiting;		/* index in v of the k-th held record */
	size_t nwaiting, capwaiting;
	const char *file;
	struct tshop_buf text;
	bool oom;			/* a verdict could not be kept */
};

static void *
grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap * 2 : 64;

	if (need <= *cap)
		return p;
	while (c < need)
		c *= 2;
	if ((p = reallocarray(p, c, size)) != NULL)
		*cap = c;
	return p;
}

static size_t
held_text(struct cli_held *h, const char *s, size_t len)
{
	size_t off = h->text.len;

	if (tshop_buf_add(&h->text, s, len) == -1 || tshop_buf_addc(&h->text, '\0') == -1)
		return SIZE_MAX;
	return off;
}

/* Keep a record for later: held (msg NULL) or a bad line reported in turn. */
static void
hold(struct tshop_cli *c, struct cli_batch *b, const struct tshop_record *rec, const char *msg)
{
	struct cli_held *h = b->held;
	struct held *x;
	void *p;

	if (h == NULL && (h = b->held = calloc(1, sizeof(*h))) == NULL)
		goto oom;
	if ((p = grow(h->v, &h->cap, h->n + 1, sizeof(*h->v))) == NULL)
		goto oom;
	h->v = p;
	x = &h->v[h->n];
	x->line = rec->line;
	x->rawlen = rec->rawlen;
	x->msg = SIZE_MAX;
	if ((x->raw = held_text(h, rec->raw, rec->rawlen)) == SIZE_MAX ||
	    (msg != NULL && (x->msg = held_text(h, msg, strlen(msg))) == SIZE_MAX))
		goto oom;
	if (msg == NULL) {
		if ((p = grow(h->waiting, &h->capwaiting, h->nwaiting + 1,
		    sizeof(*h->waiting))) == NULL)
			goto oom;
		h->waiting = p;
		h->waiting[h->nwaiting++] = h->n;
	}
	h->file = rec->file;
	h->n++;
	return;
oom:
	cli_fail(c, &(struct tshop_err){ TSHOP_EXIT_LOCAL, "out of memory" });
}

void
cli_held_bad(struct cli_batch *b, size_t k, const char *msg)
{
	struct cli_held *h = b->held;

	if (k < h->nwaiting &&
	    (h->v[h->waiting[k]].msg = held_text(h, msg, strlen(msg))) == SIZE_MAX)
		h->oom = true;
}

/* Have the held records decided: settle() gives each bad one its reason. */
static void
settle(struct tshop_cli *c, struct cli_batch *b)
{
	struct tshop_err e = { 0 };

	if (b->settle(c, b, &e) == -1)
		cli_fail(c, &e);
	if (b->held->oom)
		cli_fail(c, &(struct tshop_err){ TSHOP_EXIT_LOCAL, "out of memory" });
}

/* Settle the held records, then report the bad lines among the kept ones. */
static void
decide(struct tshop_cli *c, struct cli_batch *b, struct verdicts *v)
{
	struct cli_held *h = b->held;

	if (h == NULL || h->n == 0)
		return;
	if (h->nwaiting > 0)
		settle(c, b);
	for (size_t i = 0; i < h->n; i++) {
		const struct held *x = &h->v[i];

		if (x->msg != SIZE_MAX)
			bad_line(c, b, v, h->file, x->line, h->text.data + x->raw, x->rawlen,
			    h->text.data + x->msg);
	}
	h->n = h->nwaiting = 0;
	tshop_buf_reset(&h->text);
}

static void
held_free(struct cli_batch *b)
{
	if (b->held == NULL)
		return;
	free(b->held->v);
	free(b->held->waiting);
	tshop_buf_release(&b->held->text);
	free(b->held);
	b->held = NULL;
}

bool
cli_operands_are_record(const struct cli_batch *b, int min, int max)
{
	struct stat sb;

	return b->nfiles >= min && b->nfiles <= max && strcmp(b->files[0], "-") != 0 &&
	    stat(b->files[0], &sb) == -1;
}

int
cli_batch(struct tshop_cli *c, struct cli_batch *b,
    int (*before_commit)(struct tshop_cli *c, void *ctx, struct tshop_err *e))
{
	struct tshop_reader *r;
	struct tshop_record *rec;
	struct tshop_err e = { 0 };
	struct progress prog = { 0 };
	struct verdicts v = { 0 };
	int nfiles = b->nfiles > 0 ? b->nfiles : 1, rc, done;

	if ((r = tshop_reader_new(b->cols, b->ncols)) == NULL) {
		cli_warn(c, "out of memory");
		exit(TSHOP_EXIT_LOCAL);
	}
	b->reader = v.r = r;
	prog.on = !c->quiet && isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &prog.start);
	prog.last = prog.start;
	if (tshop_db_begin(c->db, &e) == -1)
		cli_fail(c, &e);
	if (c->rejects != NULL)
		v.rej = rejects_open(c);
	if (b->operands) {
		/* one record from the command line: a TSV line, read like any input */
		struct tshop_buf line = TSHOP_BUF_INIT;
		int fds[2];

		for (int i = 0; i < b->nfiles; i++) {
			if (strpbrk(b->files[i], "\t\n\\") != NULL)
				cli_usage(c, "'%s' holds a tab, newline or backslash", b->files[i]);
			tshop_buf_addf(&line, "%s%s", i ? "\t" : "", b->files[i]);
		}
		tshop_buf_addc(&line, '\n');
		/* a command line is far smaller than a pipe's buffer */
		if (line.len > 4096 || pipe(fds) == -1 ||
		    write(fds[1], line.data, line.len) != (ssize_t)line.len) {
			cli_warn(c, "cannot pass the arguments: %s", strerror(errno));
			exit(TSHOP_EXIT_LOCAL);
		}
		close(fds[1]);
		if (tshop_reader_open_fd(r, fds[0], "arguments", &e) == -1)
			cli_fail(c, &e);
		nfiles = 0;
		if ((rc = tshop_reader_next(r, &rec, &e)) == 1) {
			b->records++;
			if (rec->error != NULL)
				cli_usage(c, "%s", rec->error);
			if ((done = b->fn(c, rec, b->ctx, &e)) == -1)
				cli_fail(c, &e);
			if (done == 1) {
				hold(c, b, rec, NULL);
				settle(c, b);
				if (b->held->v[0].msg != SIZE_MAX) {
					e.code = TSHOP_EXIT_USAGE;
					snprintf(e.msg, sizeof(e.msg), "%s",
					    b->held->text.data + b->held->v[0].msg);
					cli_fail(c, &e);
				}
			}
		}
		close(fds[0]);
		tshop_buf_release(&line);
	}
	for (int f = 0; f < nfiles; f++) {
		b->file = f;
		if (tshop_reader_open(r, b->nfiles > 0 ? b->files[f] : "-", &e) == -1)
			cli_fail(c, &e);
		while ((rc = tshop_reader_next(r, &rec, &e)) == 1) {
			if (tshop_db_bulk_records(c->db, ++b->records, &e) == -1)
				cli_fail(c, &e);
			if (rec->error != NULL) {
				e.code = TSHOP_EXIT_USAGE;
				snprintf(e.msg, sizeof(e.msg), "%s", rec->error);
			} else if ((done = b->fn(c, rec, b->ctx, &e)) >= 0) {
				if (done == 1) {
					hold(c, b, rec, NULL);
					if (b->held->nwaiting == CLI_HOLD)
						decide(c, b, &v);
				}
				progress_tick(c, &prog, r, b->records, false);
				continue;
			} else if (e.code != TSHOP_EXIT_USAGE) {
				tshop_diag_line(&c->diag, rec->file, rec->line, "%s", e.msg);
				cli_fail(c, &(struct tshop_err){ e.code, "nothing was changed" });
			}
			if (b->held != NULL && b->held->n > 0)
				hold(c, b, rec, e.msg);
			else
				bad_line(c, b, &v, rec->file, rec->line, rec->raw, rec->rawlen,
				    e.msg);
		}
		if (rc == -1)
			cli_fail(c, &e);
		decide(c, b, &v);
	}
	held_free(b);
	progress_tick(c, &prog, r, b->records, true);
	tshop_reader_free(r);
	b->reader = NULL;
	if (c->diag.count > 100)
		cli_warn(c, "... and %zu more bad lines", c->diag.count - 100);
	if (v.rej != NULL)
		rejects_flush(c, v.rej);
	if (b->bad > 0 && c->rejects == NULL) {
		abandon(c);
		cli_warn(c, "%lu bad line%s: nothing was changed", b->bad, b->bad == 1 ? "" : "s");
		exit(TSHOP_EXIT_USAGE);
	}
	if (before_commit != NULL && before_commit(c, b->ctx, &e) == -1)
		cli_fail(c, &e);
	if (c->dry_run)
		tshop_db_rollback(c->db);
	else if (tshop_db_commit(c->db, &e) == -1)
		cli_fail(c, &e);
	if (v.rej != NULL)
		rejects_close(c, v.rej);
	if (b->bad > 0)
		cli_warn(c, "%lu bad line%s written to '%s'", b->bad, b->bad == 1 ? "" : "s", c->rejects);
	return b->bad > 0 ? TSHOP_EXIT_FOUND : TSHOP_EXIT_OK;
}
