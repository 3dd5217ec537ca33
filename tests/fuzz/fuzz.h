/*
 * fuzz.h — what the fuzz targets share.  Each tests/fuzz/fuzz_NAME.c
 * defines LLVMFuzzerTestOneInput() over one library entry point and
 * checks properties that must hold for every input (a parsed amount
 * prints and parses back to itself, ...); a violated property aborts, like
 * a crash.  Built with clang -fsanitize=fuzzer by `make fuzz`; the same
 * files are compiled into tests/unit/test_fuzz.c (gcc, no fuzzer), which
 * replays the seed corpus and every saved crash in make check.
 */
#ifndef TSHOP_FUZZ_H
#define TSHOP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property that must hold: report it and abort (the fuzzer saves the input). */
#define FUZZ_ASSERT(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

/* The input as a NUL-terminated string (cut at the first NUL); free() it. */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
