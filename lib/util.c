/*
 * util.c — errors, string buffers, strict integer parsing, UTF-8 checking,
 * edit distance and bad-line diagnostics shared by every module.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int
tshop_errorf(struct tshop_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int
buf_grow(struct tshop_buf *b, size_t extra)
{
	size_t cap;
	char *p;

	if (b->len + extra + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	if ((p = realloc(b->data, cap)) == NULL)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

int
tshop_buf_add(struct tshop_buf *b, const void *p, size_t n)
{
	if (buf_grow(b, n) == -1)
		return -1;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
tshop_buf_adds(struct tshop_buf *b, const char *s)
{
	return tshop_buf_add(b, s, strlen(s));
}

int
tshop_buf_addc(struct tshop_buf *b, char c)
{
	return tshop_buf_add(b, &c, 1);
}

int
tshop_buf_addf(struct tshop_buf *b, const char *fmt, ...)
{
	size_t room = b->cap - b->len;	/* 0 before the first add */
	va_list ap;
	int n;

	/* format into the room there is; only what does not fit is formatted twice */
	va_start(ap, fmt);
	n = vsnprintf(room > 0 ? b->data + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n >= room) {
		if (buf_grow(b, (size_t)n) == -1)
			n = -1;
		else {
			va_start(ap, fmt);
			vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
			va_end(ap);
		}
	}
	if (n < 0) {
		if (room > 0)
			b->data[b->len] = '\0';	/* the buffer unchanged */
		return -1;
	}
	b->len += (size_t)n;
	return 0;
}

void
tshop_buf_reset(struct tshop_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void
tshop_buf_release(struct tshop_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

const char *
tshop_buf_str(const struct tshop_buf *b)
{
	return b->data ? b->data : "";
}

int
tshop_parse_int(const char *s, long long min, long long max, long long *out)
{
	const char *p = s;
	long long v;
	char *end;

	if (s == NULL || *s == '\0')
		return -1;
	if (*p == '+' || *p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

char *
tshop_trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r' || end[-1] == '\n'))
		end--;
	*end = '\0';
	return s;
}

bool
tshop_streq_nocase(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
	return *a == *b;
}

bool
tshop_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + n;

	while (s < end) {
		unsigned c = *s;
		size_t len;
		unsigned cp;

		if (c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4, cp = c & 0x07;
		else
			return false;
		if ((size_t)(end - s) < len)
			return false;
		for (size_t i = 1; i < len; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		s += len;
	}
	return true;
}

int
tshop_label_key(const char *s, char *out, size_t size)
{
	size_t n = 0;

	for (; *s && n + 1 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == ' ' || c == '-' || c == '_' || c == '&' || c == '/') {
			if (n > 0 && out[n - 1] != '_')
				out[n++] = '_';
		} else
			out[n++] = (char)toupper(c);
	}
	if (*s != '\0')
		return -1;
	while (n > 0 && out[n - 1] == '_')
		n--;
	out[n] = '\0';
	return 0;
}

char *
tshop_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

size_t
tshop_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64], i, j;

	if (lb >= sizeof(row) / sizeof(row[0]))
		return la > lb ? la : lb;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0], tmp;

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cost = tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]);
			size_t best = diag + cost;

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			diag = tmp;
		}
	}
	return row[lb];
}

/*
 * A report is one line: a tab, newline or carriage return inside a quoted
 * value is written \t, \n, \r (as on TSV output).  Cut to fit `n`.
 */
static const char *
one_line(const char *s, char *out, size_t n)
{
	size_t o = 0;

	for (; *s != '\0' && o + 3 < n; s++) {
		const char *esc = *s == '\n' ? "\\n" : *s == '\t' ? "\\t" : *s == '\r' ? "\\r" : NULL;

		if (esc != NULL) {
			out[o++] = esc[0];
			out[o++] = esc[1];
		} else
			out[o++] = *s;
	}
	out[o] = '\0';
	return out;
}

void
tshop_diag_line(struct tshop_diag *d, const char *file, unsigned long line,
    const char *fmt, ...)
{
	char msg[1536], out[1536];
	int n;
	va_list ap;

	d->count++;
	if (d->count > (d->limit ? d->limit : 100) || d->emit == NULL)
		return;
	n = snprintf(msg, sizeof(msg), "%s:%lu: ", file ? file : "-", line);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	d->emit(d->ctx, one_line(msg, out, sizeof(out)));
}
