/*
 * unit.h — a tiny TAP harness for the library's unit tests.  Each test
 * binary prints "ok N - what" / "not ok N - what" lines; tests/run.sh
 * counts them.  Expected values are written by hand in the tests.
 */
#ifndef TSHOP_UNIT_H
#define TSHOP_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_n, unit_failed;

#define OK(cond, ...) do { \
	unit_n++; \
	if (cond) { printf("ok %d - ", unit_n); } \
	else { unit_failed++; printf("not ok %d - %s:%d: ", unit_n, __FILE__, __LINE__); } \
	printf(__VA_ARGS__); putchar('\n'); \
} while (0)

#define STR_EQ(got, want, ...) do { \
	const char *g_ = (got), *w_ = (want); \
	int same_ = (g_ == NULL && w_ == NULL) || (g_ && w_ && strcmp(g_, w_) == 0); \
	OK(same_, __VA_ARGS__); \
	if (!same_) printf("#   got '%s', want '%s'\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
} while (0)

#define INT_EQ(got, want, ...) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	OK(g_ == w_, __VA_ARGS__); \
	if (g_ != w_) printf("#   got %lld, want %lld\n", g_, w_); \
} while (0)

#define UNIT_DONE() (printf("1..%d\n", unit_n), unit_failed ? 1 : 0)

#endif
