/*
 * test_fuzz.c — replay the fuzz targets of tests/fuzz/ without the fuzzer:
 * every file of tests/fuzz/corpus/NAME (the seeds) and tests/fuzz/regress/NAME
 * (inputs that once crashed, kept so the bug stays fixed) goes through the
 * target's LLVMFuzzerTestOneInput, here built with the normal compiler (and
 * with make check SANITIZE=1, under ASan and UBSan).  A target aborts when a
 * property fails; reaching the next line is the test.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define LLVMFuzzerTestOneInput fuzz_money
#include "../fuzz/fuzz_money.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_time
#include "../fuzz/fuzz_time.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_tracking
#include "../fuzz/fuzz_tracking.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_reader
#include "../fuzz/fuzz_reader.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_webhook
#include "../fuzz/fuzz_webhook.c"
#undef LLVMFuzzerTestOneInput

static const struct {
	const char *name;
	int (*fn)(const uint8_t *, size_t);
} targets[] = {
	{ "money", fuzz_money },
	{ "time", fuzz_time },
	{ "tracking", fuzz_tracking },
	{ "reader", fuzz_reader },
	{ "webhook", fuzz_webhook },
};

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Feed every file of dir (sorted) to fn; the number of files, or -1 when dir is missing. */
static int
replay(const char *dir, const char *name, int (*fn)(const uint8_t *, size_t))
{
	DIR *d;
	struct dirent *de;
	char *names[4096], path[1024];
	size_t n = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL && n < sizeof(names) / sizeof(names[0]))
		if (de->d_name[0] != '.' && (names[n] = strdup(de->d_name)) != NULL)
			n++;
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp);
	for (size_t i = 0; i < n; i++) {
		FILE *fp;
		uint8_t *buf = NULL;
		size_t len = 0, cap = 0, got;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((fp = fopen(path, "rb")) == NULL) {
			OK(0, "%s: %s cannot be read", name, path);
			free(names[i]);
			continue;
		}
		do {
			if (len == cap) {
				uint8_t *p = realloc(buf, cap = cap ? 2 * cap : 4096);

				if (p == NULL)
					abort();
				buf = p;
			}
			got = fread(buf + len, 1, cap - len, fp);
			len += got;
		} while (got > 0);
		fclose(fp);
		fn(buf, len);
		OK(1, "%s: %s", name, path);
		free(buf);
		free(names[i]);
	}
	return (int)n;
}

int
main(int argc, char **argv)
{
	const char *top = argc > 1 ? argv[1] : "tests/fuzz";
	char dir[512];

	for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
		snprintf(dir, sizeof(dir), "%s/corpus/%s", top, targets[t].name);
		int n = replay(dir, targets[t].name, targets[t].fn);

		OK(n > 0, "%s: a seed corpus", targets[t].name);
		snprintf(dir, sizeof(dir), "%s/regress/%s", top, targets[t].name);
		replay(dir, targets[t].name, targets[t].fn);
	}
	return UNIT_DONE();
}
