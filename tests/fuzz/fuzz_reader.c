/*
 * fuzz_reader.c — the record reader (TSV, CSV, JSON Lines; format
 * detection, header aliases, Seller Center's description line, quoting,
 * UTF-8 checks).  The input is written to a temporary file and read to
 * the end with tshop_reader_open / tshop_reader_next, touching every
 * column and field.  Properties: line numbers never go back; a record's
 * raw text is no longer than it says; values are NUL-terminated strings.
 */
#include <unistd.h>

#include "fuzz.h"
#include "io.h"

static const struct tshop_column reader_cols[] = {
	{ "order_id", "Order ID|order id", TSHOP_COL_REQUIRED | TSHOP_COL_KEY },
	{ "sku", "Seller SKU", TSHOP_COL_REQUIRED },
	{ "quantity", "Quantity|qty", 0 },
	{ "title", "Product Name", 0 },
};
#define READER_NCOLS (sizeof(reader_cols) / sizeof(reader_cols[0]))

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[] = "/tmp/tshop-fuzz-reader.XXXXXX";
	static int fd = -1;
	struct tshop_reader *r;
	struct tshop_record *rec;
	struct tshop_err e;
	unsigned long line = 0;
	size_t nh;
	int rc;

	if (fd == -1) {
		if ((fd = mkstemp(path)) == -1)
			abort();
		unlink(path);
	}
	if (ftruncate(fd, 0) == -1 || pwrite(fd, data, size, 0) != (ssize_t)size ||
	    lseek(fd, 0, SEEK_SET) == -1)
		abort();
	if ((r = tshop_reader_new(reader_cols, READER_NCOLS)) == NULL)
		abort();
	if (tshop_reader_open_fd(r, fd, "fuzz", &e) == 0) {
		(void)tshop_reader_header(r, &nh);
		(void)tshop_reader_header_raw(r);
		while ((rc = tshop_reader_next(r, &rec, &e)) == 1) {
			FUZZ_ASSERT(rec->line >= line);
			line = rec->line;
			FUZZ_ASSERT(rec->raw != NULL && strlen(rec->raw) <= rec->rawlen);
			for (size_t c = 0; c < READER_NCOLS; c++) {
				const char *v = tshop_record_get(rec, c);

				(void)tshop_reader_has(r, c);
				if (v != NULL)
					(void)strlen(v);
			}
			for (size_t i = 0; i < rec->nfield; i++)
				(void)strlen(tshop_record_field(rec, i));
		}
		FUZZ_ASSERT(rc == 0 || rc == -1);
	}
	tshop_reader_free(r);
	return 0;
}
