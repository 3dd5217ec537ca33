/*
 * io.c — the record reader and writer (SPEC §2.2, §2.3, §2.4).
 *
 * The reader reads its input with read(2) into one large buffer that is
 * reused for the whole input, and hands out lines in place (the newline
 * replaced by a NUL).  A CSV record that spans lines (a quoted field holding
 * a newline) is copied into a second buffer.  Fields are copied, trimmed,
 * into a third buffer that is reused record after record: memory stays flat
 * whatever the size of the input, and nothing is allocated per field.
 *
 * CSV records are split with libcsv (non-strict mode).  Before that, a small
 * state machine that follows libcsv's own quoting rules decides where a
 * logical record ends, so that a record can be handed out whole with the
 * text it was read from (`raw`) and the line it started on.  A record
 * without any quote is split at its commas directly, which is what libcsv
 * would give and twice as fast.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csv.h>
#include <cjson/cJSON.h>

#include "io.h"

#define NOCOL		SIZE_MAX
#define READSZ		(1024 * 1024)

/* The names a program column answers to: canonical name, then aliases. */
struct colnames {
	char **v;
	size_t n;
};

struct tshop_reader {
	const struct tshop_column *cols;
	size_t ncols;
	struct colnames *names;	/* per program column */
	size_t minpos;		/* positional TSV: last required column + 1 */

	/* Input. */
	int fd;			/* -1: none */
	bool is_stdin;
	char *fname;
	char *buf;		/* read buffer */
	size_t cap, pos, end, scan;	/* scan: no newline in [pos, scan) */
	bool eof;
	unsigned long lineno;	/* lines read so far */
	off_t size, got;	/* size of a regular file (-1: unknown); bytes read */

	/* What open() found. */
	enum tshop_format fmt;
	bool positional;	/* TSV without header */
	bool check_desc;	/* next record may be Seller Center's descriptions */
	char *header_raw;
	char *hdrbuf;		/* header names, NUL-separated */
	char **hdr;
	size_t nhdr;
	size_t *colidx;		/* per program column: header field index or NOCOL */
	size_t width;		/* positional TSV: fields of the last record */

	/* A line read by open() that is the first record (TSV, JSON). */
	bool pending;
	char *pline;
	size_t plen;

	/* The current record. */
	struct tshop_record rec;
	struct tshop_buf rbuf;	/* text of a record that spans lines */
	char *fb;		/* field bytes, each field NUL-terminated */
	size_t fblen, fbcap;
	size_t *foff;		/* field offsets in fb */
	size_t nf, fcap;
	char **field;		/* fcap pointers */
	char **col;		/* ncols pointers */
	struct csv_parser csv;
	bool oom;
	cJSON *json;
	char errbuf[96];
};

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool
is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_ws(s[i]))
			return false;
	return true;
}

/* UTF-8 check with a fast path for ASCII, eight bytes at a time. */
static bool
utf8_ok(const char *s, size_t n)
{
	size_t i = 0;
	uint64_t w;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		if (w & 0x8080808080808080ULL)
			break;
	}
	for (; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return tshop_utf8_valid(s + i, n - i);
	return true;
}

/* Reader: set up -------------------------------------------------------- */

static int
names_init(struct colnames *cn, const struct tshop_column *c)
{
	const char *al = c->aliases ? c->aliases : "";
	size_t n = 2, len = strlen(c->name) + strlen(al) + 2;
	char *p, *s, *tok;

	for (const char *q = al; *q; q++)
		if (*q == '|')
			n++;
	/* One block: the pointer array, then the strings. */
	if ((cn->v = malloc(n * sizeof(char *) + len)) == NULL)
		return -1;
	p = (char *)(cn->v + n);
	memcpy(p, c->name, strlen(c->name) + 1);
	cn->v[0] = p;
	cn->n = 1;
	s = p + strlen(c->name) + 1;
	memcpy(s, al, strlen(al) + 1);
	while (s != NULL) {
		tok = s;
		if ((s = strchr(s, '|')) != NULL)
			*s++ = '\0';
		tok = tshop_trim(tok);
		if (*tok != '\0')
			cn->v[cn->n++] = tok;
	}
	return 0;
}

struct tshop_reader *
tshop_reader_new(const struct tshop_column *cols, size_t ncols)
{
	struct tshop_reader *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->cols = cols;
	r->ncols = ncols;
	r->fd = -1;
	r->cap = READSZ;
	r->fcap = ncols > 16 ? ncols : 16;
	r->fbcap = 4096;
	r->buf = malloc(r->cap);
	r->names = calloc(ncols ? ncols : 1, sizeof(*r->names));
	r->colidx = malloc((ncols ? ncols : 1) * sizeof(size_t));
	r->col = calloc(ncols ? ncols : 1, sizeof(char *));
	r->foff = malloc(r->fcap * sizeof(size_t));
	r->field = malloc(r->fcap * sizeof(char *));
	r->fb = malloc(r->fbcap);
	if (r->buf == NULL || r->names == NULL || r->colidx == NULL ||
	    r->col == NULL || r->foff == NULL || r->field == NULL ||
	    r->fb == NULL || csv_init(&r->csv, 0) != 0) {
		tshop_reader_free(r);
		return NULL;
	}
	for (size_t c = 0; c < ncols; c++) {
		if (names_init(&r->names[c], &cols[c]) == -1) {
			tshop_reader_free(r);
			return NULL;
		}
		if (cols[c].flags & TSHOP_COL_REQUIRED)
			r->minpos = c + 1;
		r->colidx[c] = NOCOL;
	}
	r->rec.col = r->col;
	r->rec.field = r->field;
	return r;
}

static void
reader_close(struct tshop_reader *r)
{
	if (r->fd != -1 && !r->is_stdin)
		close(r->fd);
	r->fd = -1;
	r->is_stdin = false;
	free(r->fname);
	r->fname = NULL;
	free(r->header_raw);
	r->header_raw = NULL;
	free(r->hdrbuf);
	r->hdrbuf = NULL;
	free(r->hdr);
	r->hdr = NULL;
	r->nhdr = 0;
	if (r->json != NULL)
		cJSON_Delete(r->json);
	r->json = NULL;
	r->rec.json = NULL;
}

void
tshop_reader_free(struct tshop_reader *r)
{
	if (r == NULL)
		return;
	reader_close(r);
	if (r->names != NULL)
		for (size_t c = 0; c < r->ncols; c++)
			free(r->names[c].v);
	free(r->names);
	free(r->buf);
	free(r->colidx);
	free(r->col);
	free(r->foff);
	free(r->field);
	free(r->fb);
	tshop_buf_release(&r->rbuf);
	csv_free(&r->csv);
	free(r);
}

/* Reader: lines --------------------------------------------------------- */

/*
 * The next line, NUL-terminated in place, without its newline (a CR stays).
 * Valid until the next call.  1, 0 at the end, -1 on a read error.
 */
static int
read_line(struct tshop_reader *r, char **line, size_t *len, struct tshop_err *e)
{
	char *nl, *p;
	ssize_t n;

	for (;;) {
		if (r->scan < r->end &&
		    (nl = memchr(r->buf + r->scan, '\n', r->end - r->scan)) != NULL) {
			p = r->buf + r->pos;
			*nl = '\0';
			*len = (size_t)(nl - p);
			r->pos = r->scan = (size_t)(nl - r->buf) + 1;
			break;
		}
		r->scan = r->end;
		if (r->eof) {
			if (r->pos == r->end)
				return 0;
			p = r->buf + r->pos;
			r->buf[r->end] = '\0';
			*len = r->end - r->pos;
			r->pos = r->scan = r->end;
			break;
		}
		if (r->pos > 0) {
			memmove(r->buf, r->buf + r->pos, r->end - r->pos);
			r->end -= r->pos;
			r->scan -= r->pos;
			r->pos = 0;
		}
		if (r->cap - r->end < READSZ / 2) {
			if ((p = realloc(r->buf, r->cap * 2)) == NULL)
				return tshop_errorf(e, TSHOP_EXIT_LOCAL,
				    "%s: out of memory", r->fname);
			r->buf = p;
			r->cap *= 2;
		}
		/* Keep one byte for the NUL after a last line without newline. */
		n = read(r->fd, r->buf + r->end, r->cap - r->end - 1);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return tshop_errorf(e, TSHOP_EXIT_LOCAL, "cannot read '%s': %s",
			    r->fname, strerror(errno));
		}
		if (n == 0)
			r->eof = true;
		r->end += (size_t)n;
		r->got += n;
	}
	if (r->lineno == 0 && *len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		p += 3;
		*len -= 3;
	}
	r->lineno++;
	*line = p;
	return 1;
}

static void
strip_cr(char *s, size_t *len)
{
	if (*len > 0 && s[*len - 1] == '\r')
		s[--*len] = '\0';
}

/* Reader: fields -------------------------------------------------------- */

static int
fields_reserve(struct tshop_reader *r)
{
	size_t *o;
	char **f;
	size_t cap;

	if (r->nf < r->fcap)
		return 0;
	cap = r->fcap * 2;
	if ((o = realloc(r->foff, cap * sizeof(*o))) == NULL)
		return -1;
	r->foff = o;
	if ((f = realloc(r->field, cap * sizeof(*f))) == NULL)
		return -1;
	r->field = f;
	r->rec.field = f;
	r->fcap = cap;
	return 0;
}

static int
fb_reserve(struct tshop_reader *r, size_t n)
{
	size_t cap;
	char *p;

	if (r->fbcap - r->fblen > n)
		return 0;
	cap = r->fbcap;
	while (cap - r->fblen <= n)
		cap *= 2;
	if ((p = realloc(r->fb, cap)) == NULL)
		return -1;
	r->fb = p;
	r->fbcap = cap;
	return 0;
}

/* Add a field, trimmed; with `tsv`, unescape \t \n \r \\. */
static int
add_field(struct tshop_reader *r, const char *s, size_t n, bool tsv)
{
	char *d, *start;

	if (s == NULL)
		n = 0;
	while (n > 0 && is_ws(*s))
		s++, n--;
	while (n > 0 && is_ws(s[n - 1]))
		n--;
	if (fields_reserve(r) == -1 || fb_reserve(r, n + 1) == -1) {
		r->oom = true;
		return -1;
	}
	r->foff[r->nf++] = r->fblen;
	start = d = r->fb + r->fblen;
	if (tsv && n > 0 && memchr(s, '\\', n) != NULL) {
		for (size_t i = 0; i < n; i++) {
			if (s[i] == '\\' && i + 1 < n) {
				switch (s[i + 1]) {
				case 't':
					*d++ = '\t', i++;
					continue;
				case 'n':
					*d++ = '\n', i++;
					continue;
				case 'r':
					*d++ = '\r', i++;
					continue;
				case '\\':
					*d++ = '\\', i++;
					continue;
				}
			}
			*d++ = s[i];
		}
		/* An escaped white space at either end is trimmed too. */
		while (d > start && is_ws(d[-1]))
			d--;
		n = (size_t)(d - start);
		for (s = start; n > 0 && is_ws(*s); s++)
			n--;
		memmove(start, s, n);
		d = start + n;
	} else if (n > 0) {
		memcpy(d, s, n);
		d += n;
	}
	*d++ = '\0';
	r->fblen = (size_t)(d - r->fb);
	return 0;
}

static void
fields_reset(struct tshop_reader *r)
{
	r->nf = 0;
	r->fblen = 0;
	r->oom = false;
}

/* Turn the offsets into pointers once the fields are all in. */
static void
fields_done(struct tshop_reader *r)
{
	for (size_t i = 0; i < r->nf; i++)
		r->field[i] = r->fb + r->foff[i];
}

static void
csv_cb_field(void *s, size_t n, void *data)
{
	add_field(data, s, n, false);
}

static void
csv_cb_row(int c, void *data)
{
	(void)c;
	(void)data;
}

/*
 * Split a CSV record.  One without any quote is split at its commas here,
 * which gives what libcsv gives (its fields trimmed the same way) at a
 * fraction of the cost; any other goes through libcsv.
 */
static int
split_csv(struct tshop_reader *r, const char *s, size_t n, bool plain)
{
	const char *end = s + n, *comma;

	fields_reset(r);
	if (plain) {
		for (;;) {
			comma = memchr(s, ',', (size_t)(end - s));
			if (add_field(r, s, comma ? (size_t)(comma - s) :
			    (size_t)(end - s), false) == -1)
				return -1;
			if (comma == NULL)
				break;
			s = comma + 1;
		}
		fields_done(r);
		return 0;
	}
	if (csv_parse(&r->csv, s, n, csv_cb_field, csv_cb_row, r) != n ||
	    csv_fini(&r->csv, csv_cb_field, csv_cb_row, r) != 0)
		r->oom = true;
	fields_done(r);
	return r->oom ? -1 : 0;
}

static int
split_tsv(struct tshop_reader *r, const char *s, size_t n)
{
	const char *end = s + n, *tab;

	fields_reset(r);
	for (;;) {
		tab = memchr(s, '\t', (size_t)(end - s));
		if (add_field(r, s, tab ? (size_t)(tab - s) : (size_t)(end - s),
		    true) == -1)
			return -1;
		if (tab == NULL)
			break;
		s = tab + 1;
	}
	fields_done(r);
	return 0;
}

/*
 * Where a CSV record ends.  The states follow libcsv's non-strict parser:
 * a quote opens a quoted field only at the start of a field (after blanks);
 * inside one, "" is a quote and a quote followed by anything but a comma,
 * blanks or the end of the line does not close the field.
 */
enum { Q_START, Q_UNQUOTED, Q_QUOTED, Q_MAYEND };

static int
csv_scan(const char *s, size_t n, int st)
{
	const char *end = s + n, *q;

	while (s < end) {
		char c = *s;

		switch (st) {
		case Q_START:
			if (c == '"')
				st = Q_QUOTED;
			else if (c != ',' && c != ' ' && c != '\t' && c != '\r')
				st = Q_UNQUOTED;
			break;
		case Q_UNQUOTED:
			if (c == ',' || c == '\r')
				st = Q_START;
			break;
		case Q_QUOTED:
			if ((q = memchr(s, '"', (size_t)(end - s))) == NULL)
				return Q_QUOTED;
			s = q;
			st = Q_MAYEND;
			break;
		case Q_MAYEND:
			if (c == '"')
				st = Q_QUOTED;
			else if (c == ',' || c == '\r')
				st = Q_START;
			else if (c != ' ' && c != '\t')
				st = Q_QUOTED;
			break;
		}
		s++;
	}
	return st;
}

/*
 * The whole text of the CSV record whose first line is `line`: in place when
 * it is one line, else gathered in r->rbuf.  *plain is set when it holds no
 * quote, *unterminated when the input ends inside a quoted field.
 */
static int
csv_record(struct tshop_reader *r, char *line, size_t len, char **text,
    size_t *tlen, bool *plain, bool *unterminated, struct tshop_err *e)
{
	int st, rc;

	*unterminated = false;
	*plain = memchr(line, '"', len) == NULL;
	if (*plain || (st = csv_scan(line, len, Q_START)) != Q_QUOTED) {
		strip_cr(line, &len);
		*text = line;
		*tlen = len;
		return 0;
	}
	tshop_buf_reset(&r->rbuf);
	if (tshop_buf_add(&r->rbuf, line, len) == -1)
		goto oom;
	for (;;) {
		if ((rc = read_line(r, &line, &len, e)) == -1)
			return -1;
		if (rc == 0) {
			*unterminated = true;
			break;
		}
		if (tshop_buf_addc(&r->rbuf, '\n') == -1 ||
		    tshop_buf_add(&r->rbuf, line, len) == -1)
			goto oom;
		if ((st = csv_scan(line, len, st)) != Q_QUOTED)
			break;
	}
	*text = r->rbuf.data;
	*tlen = r->rbuf.len;
	strip_cr(*text, tlen);
	return 0;
oom:
	return tshop_errorf(e, TSHOP_EXIT_LOCAL, "%s: out of memory", r->fname);
}

/* Reader: header -------------------------------------------------------- */

static size_t
find_col(const struct tshop_reader *r, char *name)
{
	if (strncmp(name, "\xef\xbb\xbf", 3) == 0)
		name = tshop_trim(name + 3);
	if (*name == '\0')
		return NOCOL;
	for (size_t c = 0; c < r->ncols; c++) {
		if (r->colidx[c] != NOCOL)
			continue;
		for (size_t k = 0; k < r->names[c].n; k++)
			if (tshop_streq_nocase(name, r->names[c].v[k]))
				return c;
	}
	return NOCOL;
}

/* Is `name` a name of any program column? */
static bool
is_known(const struct tshop_reader *r, const char *name)
{
	if (strncmp(name, "\xef\xbb\xbf", 3) == 0)
		name += 3;
	for (size_t c = 0; c < r->ncols; c++)
		for (size_t k = 0; k < r->names[c].n; k++)
			if (tshop_streq_nocase(name, r->names[c].v[k]))
				return true;
	return false;
}

/* Map the fields just split to program columns; the first match wins. */
static void
map_header(struct tshop_reader *r)
{
	size_t c;

	for (c = 0; c < r->ncols; c++)
		r->colidx[c] = NOCOL;
	for (size_t i = 0; i < r->nf; i++)
		if ((c = find_col(r, r->field[i])) != NOCOL)
			r->colidx[c] = i;
}

/* Keep the fields just split as the header. */
static int
keep_header(struct tshop_reader *r, const char *raw, size_t rawlen,
    struct tshop_err *e)
{
	if ((r->header_raw = strndup(raw, rawlen)) == NULL ||
	    (r->hdrbuf = malloc(r->fblen ? r->fblen : 1)) == NULL ||
	    (r->hdr = malloc((r->nf ? r->nf : 1) * sizeof(char *))) == NULL)
		return tshop_errorf(e, TSHOP_EXIT_LOCAL, "%s: out of memory",
		    r->fname);
	memcpy(r->hdrbuf, r->fb, r->fblen);
	for (size_t i = 0; i < r->nf; i++) {
		r->hdr[i] = r->hdrbuf + r->foff[i];
		if (strncmp(r->hdr[i], "\xef\xbb\xbf", 3) == 0)
			r->hdr[i] = tshop_trim(r->hdr[i] + 3);
	}
	r->nhdr = r->nf;
	r->check_desc = true;
	return 0;
}

/* Does the TSV first line just split name every required column? */
static bool
tsv_is_header(struct tshop_reader *r)
{
	size_t c, req = 0;

	map_header(r);
	for (c = 0; c < r->ncols; c++) {
		if (!(r->cols[c].flags & TSHOP_COL_REQUIRED))
			continue;
		req++;
		if (r->colidx[c] == NOCOL)
			return false;
	}
	if (req > 0)
		return true;
	/*
	 * No required column: a header when a field names a column (the
	 * others are columns to ignore, as in a CSV header).
	 */
	for (size_t i = 0; i < r->nf; i++)
		if (*r->field[i] != '\0' && is_known(r, r->field[i]))
			return true;
	return false;
}

static int
reader_open(struct tshop_reader *r, const char *path, int fd, struct tshop_err *e)
{
	char *line, *text;
	size_t len, tlen;
	unsigned long hline;
	bool plain, unterm;
	int rc;

	reader_close(r);
	r->pos = r->end = r->scan = 0;
	r->eof = false;
	r->lineno = 0;
	r->fmt = TSHOP_FMT_TSV;
	r->positional = false;
	r->check_desc = false;
	r->pending = false;
	r->width = 0;
	for (size_t c = 0; c < r->ncols; c++)
		r->colidx[c] = NOCOL;

	if (fd != -1) {
		r->fd = fd;		/* the caller's: not closed here */
		r->is_stdin = true;
	} else if (path == NULL || strcmp(path, "-") == 0) {
		path = "-";
		r->fd = STDIN_FILENO;
		r->is_stdin = true;
	}
	if ((r->fname = strdup(path)) == NULL)
		return tshop_errorf(e, TSHOP_EXIT_LOCAL, "out of memory");
	if (!r->is_stdin && (r->fd = open(path, O_RDONLY)) == -1)
		return tshop_errorf(e, TSHOP_EXIT_LOCAL, "cannot open '%s': %s",
		    path, strerror(errno));
	{
		struct stat sb;

		r->got = 0;
		r->size = fstat(r->fd, &sb) == 0 && S_ISREG(sb.st_mode) ?
		    sb.st_size - lseek(r->fd, 0, SEEK_CUR) : -1;
	}

	/* The first line that is not blank decides the format. */
	do {
		if ((rc = read_line(r, &line, &len, e)) <= 0)
			return rc;
	} while (is_blank(line, len));

	for (text = line; is_ws(*text); text++)
		;
	if (*text == '{') {
		r->fmt = TSHOP_FMT_JSON;
		goto pending;
	}
	if (memchr(line, '\t', len) != NULL) {
		r->fmt = TSHOP_FMT_TSV;
		strip_cr(line, &len);
		if (split_tsv(r, line, len) == -1)
			return tshop_errorf(e, TSHOP_EXIT_LOCAL, "%s: out of memory",
			    r->fname);
		if (tsv_is_header(r))
			return keep_header(r, line, len, e);
		for (size_t c = 0; c < r->ncols; c++)
			r->colidx[c] = NOCOL;
		r->positional = true;
		r->width = r->nf;
		goto pending;
	}

	r->fmt = TSHOP_FMT_CSV;
	hline = r->lineno;
	if (csv_record(r, line, len, &text, &tlen, &plain, &unterm, e) == -1)
		return -1;
	if (unterm)
		return tshop_errorf(e, TSHOP_EXIT_USAGE,
		    "%s:%lu: unterminated quote in the header", r->fname, hline);
	if (split_csv(r, text, tlen, plain) == -1)
		return tshop_errorf(e, TSHOP_EXIT_LOCAL, "%s: out of memory",
		    r->fname);
	map_header(r);
	for (size_t c = 0; c < r->ncols; c++)
		if ((r->cols[c].flags & TSHOP_COL_REQUIRED) &&
		    r->colidx[c] == NOCOL)
			return tshop_errorf(e, TSHOP_EXIT_USAGE,
			    "%s: missing column '%s'", r->fname, r->cols[c].name);
	return keep_header(r, text, tlen, e);

pending:
	r->pending = true;
	r->pline = line;
	r->plen = len;
	return 0;
}

int
tshop_reader_open(struct tshop_reader *r, const char *path, struct tshop_err *e)
{
	if (reader_open(r, path, -1, e) == -1) {
		/* Nothing to read: next() gives 0. */
		reader_close(r);
		return -1;
	}
	return 0;
}

int
tshop_reader_open_fd(struct tshop_reader *r, int fd, const char *name, struct tshop_err *e)
{
	if (reader_open(r, name, fd, e) == -1) {
		/* Nothing to read: next() gives 0. */
		reader_close(r);
		return -1;
	}
	return 0;
}

/* Reader: records ------------------------------------------------------- */

static const char *
bad_count(struct tshop_reader *r, const char *what, size_t want, size_t got)
{
	snprintf(r->errbuf, sizeof(r->errbuf), "expected %s%zu field%s, found %zu",
	    what, want, want == 1 ? "" : "s", got);
	return r->errbuf;
}

/* Fill rec.col from the fields of a CSV or TSV record; NULL for empty. */
static void
fill_cols(struct tshop_reader *r)
{
	for (size_t c = 0; c < r->ncols; c++) {
		size_t i = r->positional ? c : r->colidx[c];

		r->col[c] = i < r->nf && *r->field[i] != '\0' ? r->field[i] : NULL;
	}
}

/* A number, an amount or a count: digits with at most . , $ - + ( ) and spaces. */
static bool
is_numeric(const char *s)
{
	bool digit = false;

	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9')
			digit = true;
		else if (strchr(".,$-+() \t", *s) == NULL)
			return false;
	}
	return digit;
}

/*
 * Is this record Seller Center's line of column descriptions?  Only under
 * a Seller Center header (an id column named with a space, as `Order ID`
 * or `Seller SKU`), only when every such id holds words
 * (`Platform unique order ID.`) and no field is a number: a first record
 * "Blue Mug,5" is data, and data is never skipped.
 */
static bool
is_description(const struct tshop_reader *r)
{
	size_t keys = 0;

	for (size_t c = 0; c < r->ncols; c++) {
		size_t i = r->colidx[c];

		if (!(r->cols[c].flags & TSHOP_COL_KEY) || i >= r->nhdr ||
		    strchr(r->hdr[i], ' ') == NULL)
			continue;
		if (r->col[c] == NULL || strchr(r->col[c], ' ') == NULL)
			return false;
		keys++;
	}
	for (size_t i = 0; keys > 0 && i < r->nf; i++)
		if (is_numeric(r->field[i]))
			return false;
	return keys > 0;
}

static int
json_value(struct tshop_reader *r, const cJSON *it)
{
	char tmp[64], *s;
	double d;
	int rc;

	if (cJSON_IsString(it))
		return add_field(r, it->valuestring, strlen(it->valuestring), false);
	if (cJSON_IsBool(it)) {
		s = cJSON_IsTrue(it) ? "true" : "false";
		return add_field(r, s, strlen(s), false);
	}
	if (cJSON_IsNumber(it)) {
		d = it->valuedouble;
		if (d == 0)
			snprintf(tmp, sizeof(tmp), "0");
		else if (d == trunc(d) && fabs(d) < 1e21)
			snprintf(tmp, sizeof(tmp), "%.0f", d);
		else {
			/* The shortest text that reads back as the same number. */
			snprintf(tmp, sizeof(tmp), "%.15g", d);
			if (strtod(tmp, NULL) != d)
				snprintf(tmp, sizeof(tmp), "%.17g", d);
		}
		return add_field(r, tmp, strlen(tmp), false);
	}
	if (cJSON_IsObject(it) || cJSON_IsArray(it)) {
		if ((s = cJSON_PrintUnformatted(it)) == NULL) {
			r->oom = true;
			return -1;
		}
		rc = add_field(r, s, strlen(s), false);
		cJSON_free(s);
		return rc;
	}
	return add_field(r, "", 0, false);	/* null */
}

static int
json_record(struct tshop_reader *r, const char *line)
{
	const cJSON *it;

	r->json = cJSON_ParseWithOpts(line, NULL, 1);
	if (r->json == NULL) {
		r->rec.error = "invalid JSON";
		return 0;
	}
	if (!cJSON_IsObject(r->json)) {
		r->rec.error = "not a JSON object";
		cJSON_Delete(r->json);
		r->json = NULL;
		return 0;
	}
	r->rec.json = r->json;
	fields_reset(r);
	for (size_t c = 0; c < r->ncols; c++) {
		it = NULL;
		for (size_t k = 0; k < r->names[c].n && it == NULL; k++)
			it = cJSON_GetObjectItem(r->json, r->names[c].v[k]);
		if (json_value(r, it) == -1)
			return -1;
	}
	fields_done(r);
	for (size_t c = 0; c < r->ncols; c++)
		r->col[c] = *r->field[c] != '\0' ? r->field[c] : NULL;
	/* The values are private to col[]; JSON records have no fields. */
	r->nf = 0;
	return 0;
}

int
tshop_reader_next(struct tshop_reader *r, struct tshop_record **recp,
    struct tshop_err *e)
{
	struct tshop_record *rec = &r->rec;
	char *line, *text;
	size_t len, tlen;
	bool plain = false, unterm;
	int rc;

	if (r->json != NULL) {
		cJSON_Delete(r->json);
		r->json = NULL;
	}
	if (r->fd == -1)
		return 0;
	for (;;) {
		if (r->pending) {
			r->pending = false;
			line = r->pline;
			len = r->plen;
		} else if ((rc = read_line(r, &line, &len, e)) <= 0)
			return rc;
		if (is_blank(line, len))
			continue;

		rec->file = r->fname;
		rec->line = r->lineno;
		rec->error = NULL;
		rec->json = NULL;
		r->nf = 0;
		for (size_t c = 0; c < r->ncols; c++)
			r->col[c] = NULL;

		if (r->fmt == TSHOP_FMT_CSV) {
			if (csv_record(r, line, len, &text, &tlen, &plain,
			    &unterm, e) == -1)
				return -1;
		} else {
			strip_cr(line, &len);
			text = line;
			tlen = len;
			unterm = false;
		}
		rec->raw = text;
		rec->rawlen = tlen;
		if (unterm) {
			rec->error = "unterminated quote";
			break;
		}
		if (!utf8_ok(text, tlen)) {
			rec->error = "invalid UTF-8";
			break;
		}

		switch (r->fmt) {
		case TSHOP_FMT_JSON:
			if (json_record(r, text) == -1)
				goto oom;
			goto done;
		case TSHOP_FMT_CSV:
			if (split_csv(r, text, tlen, plain) == -1)
				goto oom;
			break;
		case TSHOP_FMT_TSV:
			if (split_tsv(r, text, tlen) == -1)
				goto oom;
			/* A trailing tab (as after exported ids) adds nothing. */
			while (r->nf > (r->positional ? r->ncols : r->nhdr) &&
			    *r->field[r->nf - 1] == '\0')
				r->nf--;
			break;
		}
		if (r->positional) {
			r->width = r->nf;
			if (r->nf > r->ncols)
				rec->error = bad_count(r, "at most ", r->ncols, r->nf);
			else if (r->nf < r->minpos)
				rec->error = bad_count(r, "at least ", r->minpos, r->nf);
		} else if (r->nf != r->nhdr)
			rec->error = bad_count(r, "", r->nhdr, r->nf);
		if (rec->error != NULL) {
			r->nf = 0;
			break;
		}
		fill_cols(r);
		if (r->check_desc) {
			r->check_desc = false;
			if (is_description(r))
				continue;
		}
		break;
	}
done:
	r->check_desc = false;
	rec->nfield = r->nf;
	*recp = rec;
	return 1;
oom:
	return tshop_errorf(e, TSHOP_EXIT_LOCAL, "%s: out of memory", r->fname);
}

int
tshop_reader_percent(const struct tshop_reader *r)
{
	off_t done = r->got - (off_t)(r->end - r->pos);

	if (r->size <= 0 || r->fd == -1)
		return -1;
	return done >= r->size ? 100 : (int)(done * 100 / r->size);
}

enum tshop_format
tshop_reader_format(const struct tshop_reader *r)
{
	return r->fmt;
}

const char *
tshop_reader_header_raw(const struct tshop_reader *r)
{
	return r->header_raw;
}

const char *const *
tshop_reader_header(const struct tshop_reader *r, size_t *n)
{
	*n = r->nhdr;
	return (const char *const *)r->hdr;
}

bool
tshop_reader_has(const struct tshop_reader *r, size_t col)
{
	if (col >= r->ncols)
		return false;
	if (r->fmt == TSHOP_FMT_JSON)
		return true;
	if (r->positional)
		return col < r->width;
	return r->colidx[col] != NOCOL;
}

const char *
tshop_record_get(const struct tshop_record *rec, size_t col)
{
	return rec->col[col];
}

const char *
tshop_record_field(const struct tshop_record *rec, size_t i)
{
	return i < rec->nfield ? rec->field[i] : NULL;
}

/* Writer ---------------------------------------------------------------- */

int
tshop_format_parse(const char *s, enum tshop_format *f)
{
	if (s == NULL)
		return -1;
	if (tshop_streq_nocase(s, "tsv"))
		*f = TSHOP_FMT_TSV;
	else if (tshop_streq_nocase(s, "csv"))
		*f = TSHOP_FMT_CSV;
	else if (tshop_streq_nocase(s, "json") || tshop_streq_nocase(s, "jsonl"))
		*f = TSHOP_FMT_JSON;
	else
		return -1;
	return 0;
}

void
tshop_writer_init(struct tshop_writer *w, FILE *fp, enum tshop_format f,
    bool header, const struct tshop_outcol *cols, size_t ncols)
{
	w->fp = fp;
	w->format = f;
	w->header = header;
	w->cols = cols;
	w->ncols = ncols;
	w->started = false;
}

static int
put(FILE *fp, const char *s, size_t n)
{
	return n == 0 || fwrite(s, 1, n, fp) == n ? 0 : -1;
}

/* TSV: a tab, newline, CR or backslash is written \t, \n, \r, \\. */
static int
put_tsv(FILE *fp, const char *s)
{
	size_t n;
	int rc = 0;

	for (;;) {
		n = strcspn(s, "\t\n\r\\");
		rc |= put(fp, s, n);
		s += n;
		switch (*s) {
		case '\0':
			return rc;
		case '\t':
			rc |= put(fp, "\\t", 2);
			break;
		case '\n':
			rc |= put(fp, "\\n", 2);
			break;
		case '\r':
			rc |= put(fp, "\\r", 2);
			break;
		default:
			rc |= put(fp, "\\\\", 2);
			break;
		}
		s++;
	}
}

/* CSV (RFC 4180): quoted when it holds a comma, quote, CR or LF. */
static int
put_csv(FILE *fp, const char *s)
{
	const char *q;
	int rc = 0;

	if (strpbrk(s, ",\"\r\n") == NULL)
		return put(fp, s, strlen(s));
	rc |= put(fp, "\"", 1);
	while ((q = strchr(s, '"')) != NULL) {
		rc |= put(fp, s, (size_t)(q - s + 1));
		rc |= put(fp, "\"", 1);
		s = q + 1;
	}
	rc |= put(fp, s, strlen(s));
	rc |= put(fp, "\"", 1);
	return rc;
}

/* A JSON string; UTF-8 is written as is. */
static int
put_json(FILE *fp, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6];
	const char *p;
	int rc = 0;

	rc |= put(fp, "\"", 1);
	for (;;) {
		for (p = s; *p != '\0' && *p != '"' && *p != '\\' &&
		    (unsigned char)*p >= 0x20; p++)
			;
		rc |= put(fp, s, (size_t)(p - s));
		if (*p == '\0')
			break;
		switch (*p) {
		case '"':
			rc |= put(fp, "\\\"", 2);
			break;
		case '\\':
			rc |= put(fp, "\\\\", 2);
			break;
		case '\n':
			rc |= put(fp, "\\n", 2);
			break;
		case '\t':
			rc |= put(fp, "\\t", 2);
			break;
		case '\r':
			rc |= put(fp, "\\r", 2);
			break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[(unsigned char)*p >> 4];
			esc[5] = hex[*p & 0xf];
			rc |= put(fp, esc, 6);
			break;
		}
		s = p + 1;
	}
	rc |= put(fp, "\"", 1);
	return rc;
}

/* RFC 4180 ends CSV lines with CRLF; TSV and JSON Lines with LF. */
static int
eol(struct tshop_writer *w)
{
	return w->format == TSHOP_FMT_CSV ? put(w->fp, "\r\n", 2) : put(w->fp, "\n", 1);
}

static int
write_header(struct tshop_writer *w)
{
	int rc = 0;

	w->started = true;
	if (w->format == TSHOP_FMT_JSON ||
	    (w->format == TSHOP_FMT_TSV && !w->header))
		return 0;
	for (size_t i = 0; i < w->ncols; i++) {
		if (i > 0)
			rc |= put(w->fp, w->format == TSHOP_FMT_CSV ? "," : "\t", 1);
		if (w->format == TSHOP_FMT_CSV)
			rc |= put_csv(w->fp, w->cols[i].name);
		else
			rc |= put_tsv(w->fp, w->cols[i].name);
	}
	rc |= eol(w);
	return rc;
}

/*
 * Writes go through stdio: a failure shows when its buffer is written, so
 * a caller that must know a row was written calls tshop_writer_flush().
 */
int
tshop_writer_row(struct tshop_writer *w, const char *const *vals)
{
	FILE *fp = w->fp;
	const char *v;
	int rc = 0;

	if (!w->started)
		rc |= write_header(w);
	if (w->format == TSHOP_FMT_JSON)
		rc |= put(fp, "{", 1);
	for (size_t i = 0; i < w->ncols; i++) {
		v = vals[i] != NULL ? vals[i] : "";
		switch (w->format) {
		case TSHOP_FMT_TSV:
			if (i > 0)
				rc |= put(fp, "\t", 1);
			rc |= put_tsv(fp, v);
			break;
		case TSHOP_FMT_CSV:
			if (i > 0)
				rc |= put(fp, ",", 1);
			rc |= put_csv(fp, v);
			break;
		case TSHOP_FMT_JSON:
			if (i > 0)
				rc |= put(fp, ",", 1);
			rc |= put_json(fp, w->cols[i].name);
			rc |= put(fp, ":", 1);
			if (*v == '\0')
				rc |= put(fp, "null", 4);
			else if (w->cols[i].type == TSHOP_OUT_NUM)
				/* "+5" is text for TSV readers, not a JSON number */
				rc |= v[0] == '+' ? put(fp, v + 1, strlen(v + 1)) : put(fp, v, strlen(v));
			else
				rc |= put_json(fp, v);
			break;
		}
	}
	if (w->format == TSHOP_FMT_JSON)
		rc |= put(fp, "}", 1);
	rc |= eol(w);
	return rc != 0 || ferror(fp) ? -1 : 0;
}

int
tshop_writer_flush(struct tshop_writer *w)
{
	int rc = 0;

	if (!w->started)
		rc |= write_header(w);
	if (fflush(w->fp) == EOF)
		rc = -1;
	return rc != 0 || ferror(w->fp) ? -1 : 0;
}
