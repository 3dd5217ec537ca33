/*
 * test_io.c — the record reader (CSV, TSV, JSON Lines) and writer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "io.h"
#include "unit.h"

static char dir[] = "/tmp/test_io.XXXXXX";
static char path[256];

static const char *
put_file(const char *name, const char *text, size_t len)
{
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "wb")) == NULL) {
		perror(path);
		exit(1);
	}
	fwrite(text, 1, len, fp);
	fclose(fp);
	return path;
}

#define PUT(name, lit) put_file(name, lit, sizeof(lit) - 1)

/* Order-ish columns used by most tests. */
enum { C_ORDER, C_SKU, C_QTY, C_TITLE, C_NCOLS };
static const struct tshop_column cols[] = {
	{ "order_id", "Order ID|order id", TSHOP_COL_REQUIRED | TSHOP_COL_KEY },
	{ "sku", "Seller SKU", TSHOP_COL_REQUIRED },
	{ "qty", "Quantity|quantity ", TSHOP_COL_REQUIRED },
	{ "title", "Product Name", 0 },
};

static int
next(struct tshop_reader *r, struct tshop_record **rec)
{
	struct tshop_err e = { 0, "" };
	int rc = tshop_reader_next(r, rec, &e);

	if (rc == -1)
		printf("# next: %s\n", e.msg);
	return rc;
}

static void
test_csv(struct tshop_reader *r)
{
	struct tshop_record *rec;
	struct tshop_err e;
	const char *f;

	f = PUT("a.csv",
	    "order_id,sku,qty,title\n"
	    "1,A-1,2,\"Mug, blue\"\n"
	    "2,B-2,1,\"Two\n"
	    "lines\"\n"
	    "3,C-3,5,\"say \"\"hi\"\"\"\n"
	    "\n"
	    "4, D-4 ,7,\n");
	INT_EQ(tshop_reader_open(r, f, &e), 0, "csv: open");
	INT_EQ(tshop_reader_format(r), TSHOP_FMT_CSV, "csv: format");
	STR_EQ(tshop_reader_header_raw(r), "order_id,sku,qty,title", "csv: header raw");
	OK(tshop_reader_has(r, C_TITLE), "csv: has title");

	INT_EQ(next(r, &rec), 1, "csv: record 1");
	INT_EQ(rec->line, 2, "csv: record 1 line");
	STR_EQ(tshop_record_get(rec, C_TITLE), "Mug, blue", "csv: quoted comma");
	STR_EQ(tshop_record_get(rec, C_QTY), "2", "csv: qty");
	OK(rec->error == NULL, "csv: record 1 fine");

	INT_EQ(next(r, &rec), 1, "csv: record 2");
	INT_EQ(rec->line, 3, "csv: record 2 line");
	STR_EQ(tshop_record_get(rec, C_TITLE), "Two\nlines", "csv: embedded newline");
	STR_EQ(rec->raw, "2,B-2,1,\"Two\nlines\"", "csv: raw of a 2-line record");
	INT_EQ(rec->rawlen, 19, "csv: rawlen");

	INT_EQ(next(r, &rec), 1, "csv: record 3");
	INT_EQ(rec->line, 5, "csv: record after 2-line record starts on line 5");
	STR_EQ(tshop_record_get(rec, C_TITLE), "say \"hi\"", "csv: doubled quotes");

	INT_EQ(next(r, &rec), 1, "csv: record 4 (empty line skipped)");
	INT_EQ(rec->line, 7, "csv: record 4 line");
	STR_EQ(tshop_record_get(rec, C_SKU), "D-4", "csv: value trimmed");
	STR_EQ(tshop_record_get(rec, C_TITLE), NULL, "csv: empty value is NULL");
	INT_EQ(rec->nfield, 4, "csv: nfield");
	STR_EQ(tshop_record_field(rec, 1), "D-4", "csv: field 1");
	STR_EQ(tshop_record_field(rec, 3), "", "csv: field 3 empty");

	INT_EQ(next(r, &rec), 0, "csv: end");
	INT_EQ(next(r, &rec), 0, "csv: end again");
}

static void
test_csv_seller_center(struct tshop_reader *r)
{
	struct tshop_record *rec;
	struct tshop_err e;
	const char *const *h;
	size_t n;
	const char *f;

	/* BOM, aliases, case, spaces around names, CRLF, description row. */
	f = PUT("sc.csv",
	    "\xef\xbb\xbf" "ORDER ID , seller sku,Quantity ,Other\r\n"
	    "Platform unique order ID.,Seller SKU.,Quantity.,Other.\r\n"
	    "583870900000000001\t,SKU-1,3,x\r\n"
	    "583870900000000002  ,SKU-2,4,y\r\n");
	INT_EQ(tshop_reader_open(r, f, &e), 0, "sc: open");
	OK(!tshop_reader_has(r, C_TITLE), "sc: no title");
	OK(tshop_reader_has(r, C_SKU), "sc: sku by alias");
	h = tshop_reader_header(r, &n);
	INT_EQ(n, 4, "sc: header names");
	STR_EQ(h[0], "ORDER ID", "sc: header name 0 without BOM, trimmed");
	STR_EQ(h[2], "Quantity", "sc: header name 2 trimmed");
	STR_EQ(tshop_reader_header_raw(r), "ORDER ID , seller sku,Quantity ,Other",
	    "sc: header raw without BOM and CR");

	INT_EQ(next(r, &rec), 1, "sc: first record");
	INT_EQ(rec->line, 3, "sc: description row skipped");
	STR_EQ(tshop_record_get(rec, C_ORDER), "583870900000000001", "sc: trailing tab trimmed");
	STR_EQ(tshop_record_get(rec, C_QTY), "3", "sc: qty via alias");
	STR_EQ(rec->raw, "583870900000000001\t,SKU-1,3,x", "sc: raw without CR");
	INT_EQ(next(r, &rec), 1, "sc: second record");
	STR_EQ(tshop_record_get(rec, C_ORDER), "583870900000000002", "sc: trailing spaces trimmed");
	STR_EQ(tshop_record_get(rec, C_SKU), "SKU-2", "sc: sku");
	INT_EQ(next(r, &rec), 0, "sc: end");

	/* A second data line with spaces in an id is not skipped. */
	f = PUT("sc2.csv",
	    "order_id,sku,qty\n"
	    "1,A,1\n"
	    "x y,B,2\n");
	INT_EQ(tshop_reader_open(r, f, &e), 0, "sc2: open");
	INT_EQ(next(r, &rec), 1, "sc2: record 1");
	INT_EQ(next(r, &rec), 1, "sc2: record 2");
	STR_EQ(tshop_record_get(rec, C_ORDER), "x y", "sc2: only the line after the header is skipped");
}

static void
test_csv_errors(struct tshop_reader *r)
{
	struct tshop_record *rec;
	struct tshop_err e = { 0, "" };
	char want[512];
	const char *f;

	f = PUT("miss.csv", "order_id,sku,title\n1,A,x\n");
	INT_EQ(tshop_reader_open(r, f, &e), -1, "missing column: fails");
	INT_EQ(e.code, 2, "missing column: code 2");
	snprintf(want, sizeof(want), "%s: missing column 'qty'", f);
	STR_EQ(e.msg, want, "missing column: message");
	INT_EQ(next(r, &rec), 0, "missing column: next gives nothing");

	f = PUT("unterm-hdr.csv", "\norder_id,\"sku,qty\n1,2,3\n");
	INT_EQ(tshop_reader_open(r, f, &e), -1, "header with open quote: fails");
	INT_EQ(e.code, 2, "header with open quote: code 2");
	snprintf(want, sizeof(want), "%s:2: unterminated quote in the header", f);
	STR_EQ(e.msg, want, "header with open quote: message");

	snprintf(want, sizeof(want), "%s/nonexistent.csv", dir);
	INT_EQ(tshop_reader_open(r, want, &e), -1, "no file: fails");
	INT_EQ(e.code, 3, "no file: code 3");
	snprintf(want, sizeof(want), "cannot open '%s/nonexistent.csv': No such file or directory", dir);
	STR_EQ(e.msg, want, "no file: message");
	INT_EQ(next(r, &rec), 0, "no file: next gives nothing");

	f = PUT("count.csv",
	    "order_id,sku,qty\n"
	    "1,A,1,extra\n"
	    "2,B\n"
	    "3,C,\xff\n"
	    "4,D,4\n"
	    "5,\"E,5\n"
	    "6,F,6\n");
	INT_EQ(tshop_reader_open(r, f, &e), 0, "errors: open");
	INT_EQ(next(r, &rec), 1, "errors: too many");
	STR_EQ(rec->error, "expected 3 fields, found 4", "errors: too many fields");
	STR_EQ(rec->raw, "1,A,1,extra", "errors: raw kept");
	STR_EQ(tshop_record_get(rec, C_ORDER), NULL, "errors: no values on a bad record");
	INT_EQ(next(r, &rec), 1, "errors: too few");
	STR_EQ(rec->error, "expected 3 fields, found 2", "errors: too few fields");
	INT_EQ(rec->line, 3, "errors: too few line");
	INT_EQ(next(r, &rec), 1, "errors: utf-8");
	STR_EQ(rec->error, "invalid UTF-8", "errors: invalid UTF-8");
	INT_EQ(next(r, &rec), 1, "errors: good after bad");
	OK(rec->error == NULL, "errors: line 5 fine");
	STR_EQ(tshop_record_get(rec, C_QTY), "4", "errors: line 5 value");
	INT_EQ(next(r, &rec), 1, "errors: unterminated");
	STR_EQ(rec->error, "unterminated quote", "errors: unterminated quote");
	INT_EQ(rec->line, 6, "errors: unterminated starts on line 6");
	STR_EQ(rec->raw, "5,\"E,5\n6,F,6", "errors: unterminated raw is the rest");
	INT_EQ(next(r, &rec), 0, "errors: end");

	/* A quote inside an unquoted field is literal (libcsv, non-strict). */
	f = PUT("lit.csv", "order_id,sku,qty,title\n1,A,1,5\" screen\n2,B,2,x\n");
	INT_EQ(tshop_reader_open(r, f, &e), 0, "literal quote: open");
	INT_EQ(next(r, &rec), 1, "literal quote: record");
	STR_EQ(tshop_record_get(rec, C_TITLE), "5\" screen", "literal quote: value");
	INT_EQ(next(r, &rec), 1, "literal quote: next record");
	INT_EQ(rec->line, 3, "literal quote: next line");
}

static void
test_tsv(struct tshop_reader *r)
{
	struct tshop_record *rec;
	struct tshop_err e;
	const char *f;

	f = PUT("h.tsv",
	    "Title\tqty\torder_id\tsku\r\n"
	    "a\\tb\\nc\\\\d\\x\t2\t583870900000000001\tS1\r\n"
	    "plain\t3\t583870900000000002\tS2\t\r\n");
	INT_EQ(tshop_reader_open(r, f, &e), 0, "tsv header: open");
	INT_EQ(tshop_reader_format(r), TSHOP_FMT_TSV, "tsv header: format");
	STR_EQ(tshop_reader_header_raw(r), "Title\tqty\torder_id\tsku", "tsv header: raw");
	INT_EQ(next(r, &rec), 1, "tsv header: record 1");
	INT_EQ(rec->line, 2, "tsv header: line");
	STR_EQ(tshop_record_get(rec, C_TITLE), "a\tb\nc\\d\\x", "tsv: unescape");
	STR_EQ(tshop_record_get(rec, C_ORDER), "583870900000000001", "tsv header: mapped by name");
	INT_EQ(next(r, &rec), 1, "tsv header: record 2");
	OK(rec->error == NULL, "tsv header: trailing tab is not an extra field");
	STR_EQ(tshop_record_get(rec, C_SKU), "S2", "tsv header: sku");
	INT_EQ(next(r, &rec), 0, "tsv header: end");

	f = PUT("p.tsv",
	    "1\tA\t2\n"
	    "2\tB\t3\tTitle B\n"
	    "3\tC\n"
	    "4\tD\t4\tT\textra\n"
	    "5\t\t6\n");
	INT_EQ(tshop_reader_open(r, f, &e), 0, "tsv positional: open");
	STR_EQ(tshop_reader_header_raw(r), NULL, "tsv positional: no header");
	INT_EQ(next(r, &rec), 1, "tsv positional: record 1");
	INT_EQ(rec->line, 1, "tsv positional: first line is a record");
	STR_EQ(tshop_record_get(rec, C_SKU), "A", "tsv positional: sku");
	STR_EQ(tshop_record_get(rec, C_TITLE), NULL, "tsv positional: short title NULL");
	OK(!tshop_reader_has(r, C_TITLE), "tsv positional: no title column on a 3-field record");
	INT_EQ(next(r, &rec), 1, "tsv positional: record 2");
	STR_EQ(tshop_record_get(rec, C_TITLE), "Title B", "tsv positional: title");
	OK(tshop_reader_has(r, C_TITLE), "tsv positional: title column now");
	INT_EQ(next(r, &rec), 1, "tsv positional: record 3");
	STR_EQ(rec->error, "expected at least 3 fields, found 2", "tsv positional: too few");
	INT_EQ(next(r, &rec), 1, "tsv positional: record 4");
	STR_EQ(rec->error, "expected at most 4 fields, found 5", "tsv positional: too many");
	INT_EQ(next(r, &rec), 1, "tsv positional: record 5");
	OK(rec->error == NULL, "tsv positional: empty middle field is fine");
	STR_EQ(tshop_record_get(rec, C_SKU), NULL, "tsv positional: empty sku NULL");
	INT_EQ(next(r, &rec), 0, "tsv positional: end");
}

static void
test_json(struct tshop_reader *r)
{
	struct tshop_record *rec;
	struct tshop_err e;
	const cJSON *it;
	const char *f;

	f = PUT("a.jsonl",
	    "{\"order_id\": \"583870900000000001\", \"Seller SKU\": \" S1 \", \"qty\": 3,"
	    " \"title\": null, \"extra\": {\"a\": 1}}\n"
	    "\n"
	    "{\"order_id\": 42, \"sku\": true, \"qty\": 2.5}\r\n"
	    "[1, 2]\n"
	    "{\"order_id\": \n"
	    "{\"qty\": -7, \"title\": \"\xc3\xa9t\xc3\xa9\"}\n");
	INT_EQ(tshop_reader_open(r, f, &e), 0, "json: open");
	INT_EQ(tshop_reader_format(r), TSHOP_FMT_JSON, "json: format");
	OK(tshop_reader_has(r, C_TITLE), "json: has every column");
	INT_EQ(next(r, &rec), 1, "json: record 1");
	INT_EQ(rec->line, 1, "json: line 1");
	STR_EQ(tshop_record_get(rec, C_ORDER), "583870900000000001", "json: string");
	STR_EQ(tshop_record_get(rec, C_SKU), "S1", "json: alias key, trimmed");
	STR_EQ(tshop_record_get(rec, C_QTY), "3", "json: integral number");
	STR_EQ(tshop_record_get(rec, C_TITLE), NULL, "json: null");
	OK(rec->json != NULL, "json: object available");
	it = cJSON_GetObjectItem(cJSON_GetObjectItem(rec->json, "extra"), "a");
	OK(cJSON_IsNumber(it) && it->valueint == 1, "json: nested object");

	INT_EQ(next(r, &rec), 1, "json: record 2");
	INT_EQ(rec->line, 3, "json: blank line skipped");
	STR_EQ(tshop_record_get(rec, C_ORDER), "42", "json: number as id");
	STR_EQ(tshop_record_get(rec, C_SKU), "true", "json: boolean");
	STR_EQ(tshop_record_get(rec, C_QTY), "2.5", "json: fraction");
	STR_EQ(tshop_record_get(rec, C_TITLE), NULL, "json: missing key");
	STR_EQ(rec->raw, "{\"order_id\": 42, \"sku\": true, \"qty\": 2.5}", "json: raw without CR");

	INT_EQ(next(r, &rec), 1, "json: record 3");
	STR_EQ(rec->error, "not a JSON object", "json: array");
	OK(rec->json == NULL, "json: no object on error");
	INT_EQ(next(r, &rec), 1, "json: record 4");
	STR_EQ(rec->error, "invalid JSON", "json: broken line");
	INT_EQ(rec->line, 5, "json: broken line number");
	INT_EQ(next(r, &rec), 1, "json: record 5");
	STR_EQ(tshop_record_get(rec, C_QTY), "-7", "json: negative");
	STR_EQ(tshop_record_get(rec, C_TITLE), "\xc3\xa9t\xc3\xa9", "json: UTF-8 kept");
	INT_EQ(next(r, &rec), 0, "json: end");
}

static void
test_empty(struct tshop_reader *r)
{
	struct tshop_record *rec;
	struct tshop_err e;
	const char *f;

	f = PUT("empty.csv", "");
	INT_EQ(tshop_reader_open(r, f, &e), 0, "empty: open");
	INT_EQ(next(r, &rec), 0, "empty: no records");
	STR_EQ(tshop_reader_header_raw(r), NULL, "empty: no header");

	f = PUT("blank.csv", "\n  \n");
	INT_EQ(tshop_reader_open(r, f, &e), 0, "blank: open");
	INT_EQ(next(r, &rec), 0, "blank: no records");

	f = PUT("hdr.csv", "order_id,sku,qty\n");
	INT_EQ(tshop_reader_open(r, f, &e), 0, "header only: open");
	INT_EQ(next(r, &rec), 0, "header only: no records");

	f = PUT("nonl.csv", "order_id,sku,qty\n1,A,2");
	INT_EQ(tshop_reader_open(r, f, &e), 0, "no final newline: open");
	INT_EQ(next(r, &rec), 1, "no final newline: record");
	STR_EQ(tshop_record_get(rec, C_QTY), "2", "no final newline: value");
	INT_EQ(next(r, &rec), 0, "no final newline: end");
}

static void
test_first_wins(void)
{
	static const struct tshop_column c2[] = {
		{ "fee", "Transaction fee", 0 },
		{ "id", NULL, 0 },
	};
	struct tshop_reader *r = tshop_reader_new(c2, 2);
	struct tshop_record *rec;
	struct tshop_err e;
	const char *f;

	/* No required column: a TSV header when a field names a column. */
	f = PUT("dup.tsv", "Transaction fee\tid\tfee\n1.00\tX\t2.00\n");
	INT_EQ(tshop_reader_open(r, f, &e), 0, "dup: open");
	OK(tshop_reader_header_raw(r) != NULL, "dup: all known names make a header");
	INT_EQ(next(r, &rec), 1, "dup: record");
	STR_EQ(tshop_record_get(rec, 0), "1.00", "dup: first column wins");
	STR_EQ(tshop_record_field(rec, 2), "2.00", "dup: field 2 still there");

	f = PUT("hdr.tsv", "fee\tnot-a-name\n");
	INT_EQ(tshop_reader_open(r, f, &e), 0, "hdr: open");
	STR_EQ(tshop_reader_header_raw(r), "fee\tnot-a-name",
	    "hdr: a known name makes a header, the unknown one is ignored");
	f = PUT("nohdr.tsv", "1.00\tnot-a-name\n");
	INT_EQ(tshop_reader_open(r, f, &e), 0, "nohdr: open");
	STR_EQ(tshop_reader_header_raw(r), NULL, "nohdr: no known name means data");
	tshop_reader_free(r);
}

static void
test_writer(void)
{
	static const struct tshop_outcol oc[] = {
		{ "id", TSHOP_OUT_STR }, { "qty", TSHOP_OUT_NUM }, { "note", TSHOP_OUT_STR },
	};
	struct tshop_writer w;
	enum tshop_format fmt;
	char *buf;
	size_t len;
	FILE *fp;
	const char *row1[] = { "A1", "3", "tab\there\nnl\\bs\rcr" };
	const char *row2[] = { "a,b", NULL, "say \"hi\"" };
	const char *row3[] = { "q\"\\\x01", "", "\xc3\xa9\n" };

	fp = open_memstream(&buf, &len);
	tshop_writer_init(&w, fp, TSHOP_FMT_TSV, false, oc, 3);
	INT_EQ(tshop_writer_row(&w, row1), 0, "tsv: row");
	INT_EQ(tshop_writer_row(&w, row2), 0, "tsv: row 2");
	INT_EQ(tshop_writer_flush(&w), 0, "tsv: flush");
	fclose(fp);
	STR_EQ(buf, "A1\t3\ttab\\there\\nnl\\\\bs\\rcr\na,b\t\tsay \"hi\"\n", "tsv: escaping, no header");
	free(buf);

	fp = open_memstream(&buf, &len);
	tshop_writer_init(&w, fp, TSHOP_FMT_TSV, true, oc, 3);
	INT_EQ(tshop_writer_flush(&w), 0, "tsv -H: flush without rows");
	fclose(fp);
	STR_EQ(buf, "id\tqty\tnote\n", "tsv -H: header even without rows");
	free(buf);

	fp = open_memstream(&buf, &len);
	tshop_writer_init(&w, fp, TSHOP_FMT_TSV, true, oc, 3);
	tshop_writer_row(&w, row2);
	tshop_writer_flush(&w);
	fclose(fp);
	STR_EQ(buf, "id\tqty\tnote\na,b\t\tsay \"hi\"\n", "tsv -H: header then row");
	free(buf);

	fp = open_memstream(&buf, &len);
	tshop_writer_init(&w, fp, TSHOP_FMT_CSV, false, oc, 3);
	tshop_writer_row(&w, row1);
	tshop_writer_row(&w, row2);
	tshop_writer_flush(&w);
	fclose(fp);
	STR_EQ(buf, "id,qty,note\r\nA1,3,\"tab\there\nnl\\bs\rcr\"\r\n\"a,b\",,\"say \"\"hi\"\"\"\r\n",
	    "csv: header always, quoting, CRLF");
	free(buf);

	fp = open_memstream(&buf, &len);
	tshop_writer_init(&w, fp, TSHOP_FMT_CSV, false, oc, 3);
	tshop_writer_flush(&w);
	fclose(fp);
	STR_EQ(buf, "id,qty,note\r\n", "csv: header without rows");
	free(buf);

	fp = open_memstream(&buf, &len);
	tshop_writer_init(&w, fp, TSHOP_FMT_JSON, true, oc, 3);
	tshop_writer_row(&w, row1);
	tshop_writer_row(&w, row2);
	tshop_writer_row(&w, row3);
	tshop_writer_flush(&w);
	fclose(fp);
	STR_EQ(buf,
	    "{\"id\":\"A1\",\"qty\":3,\"note\":\"tab\\there\\nnl\\\\bs\\rcr\"}\n"
	    "{\"id\":\"a,b\",\"qty\":null,\"note\":\"say \\\"hi\\\"\"}\n"
	    "{\"id\":\"q\\\"\\\\\\u0001\",\"qty\":null,\"note\":\"\xc3\xa9\\n\"}\n",
	    "json: escaping, numbers, null, no header");
	free(buf);

	INT_EQ(tshop_format_parse("csv", &fmt), 0, "format: csv");
	INT_EQ(fmt, TSHOP_FMT_CSV, "format: csv value");
	INT_EQ(tshop_format_parse("jsonl", &fmt), 0, "format: jsonl");
	INT_EQ(fmt, TSHOP_FMT_JSON, "format: jsonl value");
	INT_EQ(tshop_format_parse("tsv", &fmt), 0, "format: tsv");
	INT_EQ(fmt, TSHOP_FMT_TSV, "format: tsv value");
	INT_EQ(tshop_format_parse("xml", &fmt), -1, "format: xml refused");

	/* A write error shows. */
	fp = fopen("/dev/full", "w");
	if (fp != NULL) {
		setvbuf(fp, NULL, _IONBF, 0);
		tshop_writer_init(&w, fp, TSHOP_FMT_TSV, false, oc, 3);
		INT_EQ(tshop_writer_row(&w, row1), -1, "writer: error on /dev/full");
		fclose(fp);
	}
}

/* The round trip: what the writer writes, the reader reads back. */
static void
test_roundtrip(struct tshop_reader *r)
{
	static const struct tshop_outcol oc[] = {
		{ "order_id", TSHOP_OUT_STR }, { "sku", TSHOP_OUT_STR },
		{ "qty", TSHOP_OUT_NUM }, { "title", TSHOP_OUT_STR },
	};
	const char *row[] = { "7", "S,\"7\"", "1", "multi\nline\ttab\\" };
	static const enum tshop_format fmts[] = { TSHOP_FMT_TSV, TSHOP_FMT_CSV, TSHOP_FMT_JSON };
	struct tshop_record *rec;
	struct tshop_writer w;
	struct tshop_err e;
	FILE *fp;

	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/rt%zu", dir, i);
		fp = fopen(path, "w");
		tshop_writer_init(&w, fp, fmts[i], true, oc, 4);
		tshop_writer_row(&w, row);
		tshop_writer_flush(&w);
		fclose(fp);
		INT_EQ(tshop_reader_open(r, path, &e), 0, "roundtrip %zu: open", i);
		INT_EQ(tshop_reader_format(r), fmts[i], "roundtrip %zu: format", i);
		INT_EQ(next(r, &rec), 1, "roundtrip %zu: record", i);
		STR_EQ(tshop_record_get(rec, C_SKU), "S,\"7\"", "roundtrip %zu: sku", i);
		STR_EQ(tshop_record_get(rec, C_TITLE), "multi\nline\ttab\\", "roundtrip %zu: title", i);
		INT_EQ(next(r, &rec), 0, "roundtrip %zu: end", i);
	}
}

/* tshop_buf_addf: into the room there is, across a growth, and at the edge of the room. */
static void
test_buf_addf(void)
{
	struct tshop_buf b = TSHOP_BUF_INIT;
	char want[300];

	INT_EQ(tshop_buf_addf(&b, "%s:%d", "order", 7), 0, "buf_addf: into an empty buffer");
	STR_EQ(tshop_buf_str(&b), "order:7", "buf_addf: first text");
	INT_EQ(tshop_buf_addf(&b, "%s", ""), 0, "buf_addf: nothing");
	STR_EQ(tshop_buf_str(&b), "order:7", "buf_addf: nothing added");
	/* 64 bytes of room after the first add: 7 used, 56 characters exactly fill it */
	INT_EQ(tshop_buf_addf(&b, "%56s", "x"), 0, "buf_addf: exactly the room left");
	INT_EQ(b.len, 63, "buf_addf: length at the edge");
	INT_EQ(tshop_buf_addf(&b, "%c", 'y'), 0, "buf_addf: one past the room");
	snprintf(want, sizeof(want), "order:7%56sy", "x");
	STR_EQ(tshop_buf_str(&b), want, "buf_addf: text across the growth");
	INT_EQ(tshop_buf_addf(&b, "%200d", 1), 0, "buf_addf: longer than the buffer");
	INT_EQ(b.len, 264, "buf_addf: length after a long add");
	INT_EQ(strlen(tshop_buf_str(&b)), 264, "buf_addf: terminated");
	STR_EQ(tshop_buf_str(&b) + 262, " 1", "buf_addf: the long add's end");
	tshop_buf_release(&b);
}

int
main(void)
{
	struct tshop_reader *r;
	char cmd[300];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	if ((r = tshop_reader_new(cols, C_NCOLS)) == NULL)
		return 1;
	test_csv(r);
	test_csv_seller_center(r);
	test_csv_errors(r);
	test_tsv(r);
	test_json(r);
	test_empty(r);
	test_roundtrip(r);
	tshop_reader_free(r);
	test_first_wins();
	test_writer();
	test_buf_addf();

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return UNIT_DONE();
}
