/*
 * io.h — records in and out (SPEC §2.2, §2.3).  The one record reader and
 * the one record writer of tshop.
 *
 * Reader: a program describes the columns it knows (canonical name plus
 * aliases, in the documented positional order) and opens each input in turn
 * ("-" or NULL is standard input).  The format is detected from the first
 * line: JSON Lines when it starts with '{', TSV when it holds a tab, else
 * CSV (RFC 4180, parsed with libcsv; a header line is required).  A TSV
 * first line is a header when it names every required column; otherwise TSV
 * columns are positional.  Header names match case-insensitively after
 * trimming spaces and a UTF-8 BOM; unknown columns are ignored.  Seller
 * Center's description line right under a CSV header is skipped.  Field
 * values are trimmed of surrounding white space (IDs exported as
 * "583870900000000001\t").  TSV values are unescaped (\t, \n, \\).
 *
 * A malformed record (wrong number of fields, unterminated quote, invalid
 * UTF-8) is returned like any other with `error` set, so the program reports
 * it and can write it to its rejects file verbatim (`raw`).
 *
 * Writer: TSV without header by default, -H adds it; CSV (RFC 4180, always
 * with a header); JSON Lines (numbers unquoted for TSHOP_OUT_NUM columns,
 * everything else a string, empty values null).
 */
#ifndef TSHOP_IO_H
#define TSHOP_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util.h"

struct cJSON;

enum tshop_format { TSHOP_FMT_TSV, TSHOP_FMT_CSV, TSHOP_FMT_JSON };

/* Column flags. */
#define TSHOP_COL_REQUIRED 0x1	/* the input must have this column */
#define TSHOP_COL_KEY      0x2	/* an id column: words in it under a Seller Center name mark the description line */

struct tshop_column {
	const char *name;	/* canonical name, e.g. "order_id" */
	const char *aliases;	/* '|'-separated other names, e.g. "Order ID|order id" (or NULL) */
	unsigned flags;
};

struct tshop_record {
	const char *file;	/* as named on the command line; "-" for standard input */
	unsigned long line;	/* line number where the record starts (1-based) */
	const char *raw;	/* the record's text as read, without its final newline */
	size_t rawlen;
	const char *error;	/* non-NULL: the record is malformed, and why */
	struct cJSON *json;	/* JSON Lines: the parsed object (owned by the reader), else NULL */
	/* private */
	char **col;		/* value per program column, NULL when absent or empty */
	char **field;		/* every field of the record, trimmed */
	size_t nfield;
};

struct tshop_reader;

/*
 * A reader for the columns cols[0..ncols).  The array must outlive the
 * reader.  Returns NULL when memory runs out.
 */
struct tshop_reader *tshop_reader_new(const struct tshop_column *cols, size_t ncols);
void tshop_reader_free(struct tshop_reader *r);

/*
 * Start reading `path` ("-" or NULL: standard input), closing the previous
 * input.  Reads the header when there is one.  Errors: the file cannot be
 * opened (code 3); a CSV header without a required column (code 2).
 * An empty input is not an error: next() then returns 0.
 */
int tshop_reader_open(struct tshop_reader *r, const char *path, struct tshop_err *e);

/*
 * Like tshop_reader_open, on a file descriptor the caller opened and will
 * close (e.g. a pipe holding a record built from the command line), named
 * `name` in messages.
 */
int tshop_reader_open_fd(struct tshop_reader *r, int fd, const char *name,
    struct tshop_err *e);

/*
 * The next record: 1 (and *rec set, valid until the next call), 0 at the
 * end of the input, -1 on a read error (code 3).
 */
int tshop_reader_next(struct tshop_reader *r, struct tshop_record **rec, struct tshop_err *e);

/* How much of the current input was read, 0 to 100; -1 when its size is unknown (a pipe). */
int tshop_reader_percent(const struct tshop_reader *r);

/* The detected format of the current input. */
enum tshop_format tshop_reader_format(const struct tshop_reader *r);
/* The header line as read (without newline), or NULL when the input has none. */
const char *tshop_reader_header_raw(const struct tshop_reader *r);
/* Column names of the header (trimmed), for programs that match columns by pattern; n = 0 without a header. */
const char *const *tshop_reader_header(const struct tshop_reader *r, size_t *n);
/* True when the current input has column `col` (by header; positional TSV: when the record is wide enough; JSON: always). */
bool tshop_reader_has(const struct tshop_reader *r, size_t col);

/* The value of program column `col` in `rec`: NULL when absent or empty. */
const char *tshop_record_get(const struct tshop_record *rec, size_t col);
/* Field i of the record as read (i < nfield), for header-pattern columns. */
const char *tshop_record_field(const struct tshop_record *rec, size_t i);

/* Writer ----------------------------------------------------------------- */

enum tshop_outtype { TSHOP_OUT_STR, TSHOP_OUT_NUM };

struct tshop_outcol {
	const char *name;
	enum tshop_outtype type;
};

struct tshop_writer {
	FILE *fp;
	enum tshop_format format;
	bool header;		/* TSV: print a header line (-H) */
	const struct tshop_outcol *cols;
	size_t ncols;
	bool started;		/* private: header written */
};

/* Parse "tsv", "csv" or "json" (-o); -1 for anything else. */
int tshop_format_parse(const char *s, enum tshop_format *f);

/* Set up a writer; nothing is written until the first row (or tshop_writer_flush). */
void tshop_writer_init(struct tshop_writer *w, FILE *fp, enum tshop_format f, bool header,
    const struct tshop_outcol *cols, size_t ncols);

/* Write one record of ncols values (NULL or "" = no value).  0, or -1 when writing failed (errno set). */
int tshop_writer_row(struct tshop_writer *w, const char *const *vals);

/* Write the header if due (so that -H prints it even for no rows) and flush; 0 or -1. */
int tshop_writer_flush(struct tshop_writer *w);

#endif
