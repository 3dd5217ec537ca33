/*
 * cli.h — what every program's main() shares: the common options (-d, -o,
 * -H, -q, -n, before or after the verb), the one error reporter
 * ("PROGRAM: message" on stderr, exit code from the error), opening the
 * database with the shop's settings, and the one batch loop that feeds
 * records to a per-record function with atomic commit, --rejects, the
 * 100-message limit and the progress line (SPEC §2.4, §2.9).
 *
 * This is the front end: it prints and exits.  lib/ never does.
 */
#ifndef TSHOP_CLI_H
#define TSHOP_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "config.h"
#include "db.h"
#include "io.h"
#include "util.h"

struct tshop_cli {
	const char *prog;		/* "tshop-stock" */
	const char *usage;		/* the SYNOPSIS, printed on usage errors */
	const char *db_opt;		/* -d */
	enum tshop_format format;	/* -o */
	bool header;			/* -H */
	bool quiet;			/* -q */
	bool dry_run;			/* -n, --dry-run */
	const char *rejects;		/* --rejects FILE */
	struct tshop_db *db;
	struct tshop_config cfg;
	struct tshop_diag diag;
	char **args;			/* operands, in order */
	int nargs;
};

/* Option ids below 256 are the short option character. */
struct cli_opt {
	const char *name;	/* long name without "--", or NULL */
	int id;			/* short option character, or a value >= 256 */
	bool arg;		/* takes an argument */
};

/* Common ids for options some programs take. */
enum { CLI_REJECTS = 256, CLI_DRY_RUN, CLI_FIRST_PROGRAM_OPT = 300 };

/* Set up: program name, usage text; SIGPIPE ignored so write errors are seen. */
void cli_init(struct tshop_cli *c, const char *prog, const char *usage);

/*
 * Parse argv: the common options, the program's own `opts` (may be NULL)
 * and operands, in any order ("--" ends options; "-" and negative numbers
 * are operands).  Each program option calls on_opt(c, id, arg, ctx).
 * Usage errors exit 2; -h/--help prints the usage and exits 0.
 */
void cli_parse(struct tshop_cli *c, int argc, char **argv, const struct cli_opt *opts,
    void (*on_opt)(struct tshop_cli *c, int id, const char *arg, void *ctx), void *ctx);

/* Print "PROGRAM: message" and the usage, exit 2. */
void cli_usage(struct tshop_cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
/* Print "PROGRAM: e->msg", exit e->code. */
void cli_fail(struct tshop_cli *c, const struct tshop_err *e) __attribute__((noreturn));
/* Print "PROGRAM: message" on stderr (not with -q for notices: use cli_note). */
void cli_warn(struct tshop_cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Like cli_warn, but silent with -q. */
void cli_note(struct tshop_cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Open the database (creating it for TSHOP_DB_WRITE), load settings, read TSHOP_NOW; exits on failure. */
void cli_open(struct tshop_cli *c, enum tshop_db_mode mode);
/* Close the database and settings. */
void cli_close(struct tshop_cli *c);

/* A writer on standard output with -o and -H applied. */
void cli_writer(struct tshop_cli *c, struct tshop_writer *w, const struct tshop_outcol *cols, size_t n);
/* Flush standard output; on a write error report it and exit 3. */
void cli_flush(struct tshop_cli *c);

/*
 * Per-record work of a batch: return 0 when the record was accepted, -1
 * with e filled when it was not (1: held, see settle below).  e->code 2 means a bad line (reported as
 * FILE:LINE and rejected); any other code stops the batch (exit e->code).
 */
typedef int (*cli_record_fn)(struct tshop_cli *c, struct tshop_record *rec, void *ctx,
    struct tshop_err *e);

struct cli_held;

struct cli_batch {
	const struct tshop_column *cols;
	size_t ncols;
	char **files;		/* NULL/0: standard input */
	int nfiles;
	bool operands;		/* files[] are the fields of one record, not files */
	cli_record_fn fn;
	/*
	 * For work that is faster done on many records at once, in another
	 * order than the input's: fn returns 1 to hold a record back.  When
	 * CLI_HOLD records are held, at the end of each input and before the
	 * commit, settle() decides the held records together, calling
	 * cli_held_bad() for each bad line among them.  Bad lines are still
	 * reported (and rejected) in the input's order.
	 */
	int (*settle)(struct tshop_cli *c, struct cli_batch *b, struct tshop_err *e);
	void *ctx;
	/* while fn runs: the reader (for tshop_reader_header()) and the index of the current input in files[] */
	struct tshop_reader *reader;
	int file;
	/* results */
	unsigned long records, bad;
	struct cli_held *held;	/* private */
};

#define CLI_HOLD 50000
/* In settle(): the k-th record held since the last settle (from 0) is a bad line. */
void cli_held_bad(struct cli_batch *b, size_t k, const char *msg);

/* Are files[] one record (min..max operands, the first neither "-" nor an existing file)? */
bool cli_operands_are_record(const struct cli_batch *b, int min, int max);

/*
 * Run a batch inside one transaction: every record of every file goes to
 * fn.  Bad lines are reported; without --rejects any bad line means nothing
 * is applied (exit 2 after the batch), with --rejects they are written
 * verbatim to the rejects file (header first for CSV) and the rest is
 * applied.  With -n nothing is applied.  Returns the exit status the
 * program should end with (0, 1 for rejected lines); exits itself on fatal
 * errors and on bad input without --rejects.  `before_commit`, when
 * non-NULL, runs inside the transaction after the last record.
 */
int cli_batch(struct tshop_cli *c, struct cli_batch *b,
    int (*before_commit)(struct tshop_cli *c, void *ctx, struct tshop_err *e));

#endif
