/*
 * parse.c — the parse-only floor of make bench: read CSV/TSV files through
 * tshop_reader (lib/io.h, libcsv underneath) with no column of interest,
 * and count the records.  Built by scripts/bench with the project's flags.
 *   parse FILE...   prints "records N" (malformed records counted apart)
 */
#include <stdio.h>

#include "io.h"

int
main(int argc, char **argv)
{
	/* one optional column: every record is read, split and trimmed */
	static const struct tshop_column cols[] = { { "order_id", NULL, 0 } };
	struct tshop_reader *r = tshop_reader_new(cols, 1);
	struct tshop_record *rec;
	struct tshop_err e = { 0 };
	unsigned long n = 0, bad = 0;
	int rc;

	if (r == NULL)
		return 3;
	for (int i = 1; i < argc; i++) {
		if (tshop_reader_open(r, argv[i], &e) == -1) {
			fprintf(stderr, "parse: %s: cannot read\n", argv[i]);
			return 3;
		}
		while ((rc = tshop_reader_next(r, &rec, &e)) == 1) {
			n++;
			bad += rec->error != NULL;
		}
		if (rc == -1) {
			fprintf(stderr, "parse: %s: read error\n", argv[i]);
			return 3;
		}
	}
	tshop_reader_free(r);
	printf("records %lu malformed %lu\n", n, bad);
	return 0;
}
