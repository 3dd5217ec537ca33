/*
 * util.h — the small things every module needs: the error value that
 * library functions return instead of printing, exit codes (SPEC §2.5),
 * a growable string buffer, strict integer parsing and string helpers.
 *
 * Library functions that can fail take a `struct tshop_err *` and return
 * -1 after filling it (tshop_errorf); the program decides what to print and
 * which exit code to use (err->code).
 */
#ifndef TSHOP_UTIL_H
#define TSHOP_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit status of every program (SPEC §2.5). */
enum tshop_exit {
	TSHOP_EXIT_OK = 0,	/* success; for a check: nothing found */
	TSHOP_EXIT_FOUND = 1,	/* a check found something, lines rejected */
	TSHOP_EXIT_USAGE = 2,	/* usage error or bad input; nothing changed */
	TSHOP_EXIT_LOCAL = 3,	/* database, file, memory */
	TSHOP_EXIT_REMOTE = 4,	/* network, API, authentication */
};

/* An error: the exit code it calls for and a lowercase message naming the subject. */
struct tshop_err {
	int code;
	char msg[1024];
};

/* Fill `e` (may be NULL) with `code` and the formatted message; returns -1. */
int tshop_errorf(struct tshop_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A growable NUL-terminated byte string.  Initialise with TSHOP_BUF_INIT. */
struct tshop_buf {
	char *data;		/* always NUL-terminated once anything was added */
	size_t len, cap;
};
#define TSHOP_BUF_INIT { NULL, 0, 0 }

/* Append; return 0, or -1 when memory ran out (the buffer is unchanged). */
int tshop_buf_add(struct tshop_buf *b, const void *p, size_t n);
int tshop_buf_adds(struct tshop_buf *b, const char *s);
int tshop_buf_addc(struct tshop_buf *b, char c);
int tshop_buf_addf(struct tshop_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Empty the buffer, keeping its memory. */
void tshop_buf_reset(struct tshop_buf *b);
/* Free the memory; the buffer is TSHOP_BUF_INIT again. */
void tshop_buf_release(struct tshop_buf *b);
/* The contents as a C string ("" when nothing was added). */
const char *tshop_buf_str(const struct tshop_buf *b);

/*
 * Parse a whole decimal integer in [min, max] (like OpenBSD strtonum):
 * optional sign, digits only, no spaces.  0 on success, -1 otherwise.
 */
int tshop_parse_int(const char *s, long long min, long long max, long long *out);

/* Trim ASCII white space (space, tab, CR, LF) on both sides, in place. */
char *tshop_trim(char *s);

/* Case-insensitive ASCII equality. */
bool tshop_streq_nocase(const char *a, const char *b);

/* True when [s, s+n) is valid UTF-8. */
bool tshop_utf8_valid(const char *s, size_t n);

/*
 * A label as a key: "To ship", "to-ship", "Return & refund" → "TO_SHIP",
 * "TO_SHIP", "RETURN_REFUND" (upper case; runs of space, '-', '_', '&', '/'
 * become one '_'; no '_' at either end).  0, or -1 when it does not fit in n.
 */
int tshop_label_key(const char *s, char *out, size_t n);

/* strdup that returns NULL for NULL. */
char *tshop_strdup(const char *s);

/* Levenshtein distance between two short strings, compared case-insensitively. */
size_t tshop_edit_distance(const char *a, const char *b);

/*
 * Bad-line diagnostics (SPEC §2.4).  Library code that meets a bad record
 * calls tshop_diag_line(); the program installs `emit` to print the message
 * (already formatted as "FILE:LINE: message").  Only the first `limit`
 * messages are emitted; `count` counts them all.
 */
struct tshop_diag {
	void (*emit)(void *ctx, const char *msg);
	void *ctx;
	size_t count;		/* bad lines seen */
	size_t limit;		/* emit at most this many (0: 100) */
};
void tshop_diag_line(struct tshop_diag *d, const char *file, unsigned long line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
