/*
 * test_tracking.c — tracking-number formats and check digits (lib/tracking.c).
 *
 * Every valid and invalid test number of the courier files is read from
 * data/tracking_number_data/couriers/ (run from the repository root) and
 * checked against its own format; then hand-written cases and the check
 * digit algorithms on known values.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tracking.h"
#include "unit.h"

#define COURIERS "data/tracking_number_data/couriers"

static struct tshop_tracking *trk;
static struct tshop_tracking_match mbuf[64];

static char *
slurp(const char *path)
{
	FILE *fp;
	char *s = NULL;
	long n;

	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 &&
	    fseek(fp, 0, SEEK_SET) == 0 && (s = malloc((size_t)n + 1)) != NULL) {
		if (fread(s, 1, (size_t)n, fp) != (size_t)n) {
			free(s);
			s = NULL;
		} else
			s[n] = '\0';
	}
	fclose(fp);
	return s;
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The identify() entry of format `id`, or NULL. */
static const struct tshop_tracking_match *
identified_as(const char *number, const char *id, int *count)
{
	struct tshop_err e;
	int i, n;

	n = tshop_tracking_identify(trk, number, mbuf, 64, &e);
	*count = n;
	for (i = 0; i < n && i < 64; i++)
		if (strcmp(mbuf[i].format_id, id) == 0)
			return &mbuf[i];
	return NULL;
}

static void
test_data_numbers(void)
{
	struct tshop_tracking_match fm, cm;
	struct tshop_err e;
	const struct tshop_tracking_match *m;
	char *names[64], path[512];
	size_t nnames = 0, i;
	int nvalid = 0, ninvalid = 0, nformats = 0, n, ci;
	DIR *d;
	struct dirent *de;

	d = opendir(COURIERS);
	OK(d != NULL, "open %s", COURIERS);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL && nnames < 64) {
		size_t l = strlen(de->d_name);

		if (l > 5 && strcmp(de->d_name + l - 5, ".json") == 0)
			names[nnames++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, nnames, sizeof(names[0]), cmpstr);
	INT_EQ(nnames, tshop_tracking_ncouriers(trk),
	    "every courier file is embedded");

	for (i = 0; i < nnames; i++) {
		const cJSON *f, *v, *tn;
		const char *code;
		cJSON *root;
		char *text;
		size_t k = 0;

		snprintf(path, sizeof(path), "%s/%s", COURIERS, names[i]);
		text = slurp(path);
		root = text ? cJSON_Parse(text) : NULL;
		OK(root != NULL, "parse %s", path);
		free(text);
		if (root == NULL)
			continue;
		code = cJSON_GetObjectItem(root, "courier_code")->valuestring;
		ci = tshop_tracking_find_courier(trk, code);
		OK(ci >= 0 && strcmp(tshop_tracking_courier_code(trk,
		    (size_t)ci), code) == 0, "courier %s loaded", code);
		if (ci < 0) {
			cJSON_Delete(root);
			continue;
		}
		tn = cJSON_GetObjectItem(root, "tracking_numbers");
		INT_EQ(tshop_tracking_courier_nformats(trk, (size_t)ci),
		    cJSON_GetArraySize(tn), "%s: every format loaded", code);
		cJSON_ArrayForEach(f, tn) {
			const cJSON *tests = cJSON_GetObjectItem(f,
			    "test_numbers");

			nformats++;
			if (tshop_tracking_format(trk, (size_t)ci, k++, &fm) < 0) {
				OK(0, "%s: format %zu described", code, k - 1);
				continue;
			}
			STR_EQ(fm.format_name, cJSON_GetObjectItem(f,
			    "name")->valuestring, "%s: format %s in data order",
			    code, fm.format_id);
			cJSON_ArrayForEach(v, cJSON_GetObjectItem(tests,
			    "valid")) {
				int r;

				nvalid++;
				m = identified_as(v->valuestring, fm.format_id,
				    &n);
				r = tshop_tracking_check(trk, code,
				    v->valuestring, &cm, &e);
				OK(m != NULL && m->status == TSHOP_TRACKING_VALID
				    && strcmp(m->result, fm.has_checksum ?
				    "pass" : "none") == 0 &&
				    r == TSHOP_TRACKING_VALID,
				    "%s valid: '%s' (%d matches, check %d)",
				    fm.format_id, v->valuestring, n, r);
			}
			cJSON_ArrayForEach(v, cJSON_GetObjectItem(tests,
			    "invalid")) {
				ninvalid++;
				m = identified_as(v->valuestring, fm.format_id,
				    &n);
				OK(n >= 0 && m == NULL, "%s invalid: '%s'",
				    fm.format_id, v->valuestring);
			}
		}
		cJSON_Delete(root);
	}
	for (i = 0; i < nnames; i++)
		free(names[i]);
	INT_EQ(nformats, 39, "39 formats in the data");
	INT_EQ(tshop_tracking_nformats(trk), 39, "39 formats loaded");
	INT_EQ(nvalid, 192, "192 valid test numbers");
	INT_EQ(ninvalid, 88, "88 invalid test numbers");
}

static void
test_checksums(void)
{
	static const int fedex12[] = { 3, 1, 7, 3, 1, 7, 3, 1, 7, 3, 1 };
	static const int fedex34[] = { 1, 7, 3, 1, 7, 3, 1, 7, 3, 1, 7, 3, 1 };

	/* mod10 */
	INT_EQ(tshop_checksum_mod10("5R8939035756712", 1, 2, false), '7',
	    "mod10 UPS 1Z5R8939035756712-7 (letters)");
	INT_EQ(tshop_checksum_mod10("XX3150YW4407002", 1, 2, false), '3',
	    "mod10 UPS 1ZXX3150YW4407002-3");
	INT_EQ(tshop_checksum_mod10("0307179000052348374", 3, 1, false), '1',
	    "mod10 USPS 20");
	INT_EQ(tshop_checksum_mod10("940011120620640626078", 3, 1, true), '7',
	    "mod10 reversed, USPS IMpb");
	INT_EQ(tshop_checksum_mod10("04144176022896", 1, 3, false), '4',
	    "mod10 FedEx Ground");
	INT_EQ(tshop_checksum_mod10("A", 1, 1, false), '8',
	    "mod10: A is (65 - 3) mod 10 = 2");
	INT_EQ(tshop_checksum_mod10("0", 1, 1, false), '0',
	    "mod10: sum 0 gives 0, not 10");
	INT_EQ(tshop_checksum_mod10("12-3", 1, 2, false), -1,
	    "mod10 rejects '-'");
	INT_EQ(tshop_checksum_mod10("", 1, 2, false), -1, "mod10 rejects empty");

	/* mod7 */
	INT_EQ(tshop_checksum_mod7("331881002"), '5', "mod7 3318810025");
	INT_EQ(tshop_checksum_mod7("7389105114"), '6', "mod7 73891051146");
	INT_EQ(tshop_checksum_mod7("99999999999999999999999"), '0' +
	    (int)(((99999999999999999ULL % 7) * 1000000 + 999999) % 7),
	    "mod7 on a serial longer than 64 bits");
	INT_EQ(tshop_checksum_mod7("12A"), -1, "mod7 digits only");

	/* s10 */
	INT_EQ(tshop_checksum_s10("12345678"), '5', "s10 RB123456785GB");
	INT_EQ(tshop_checksum_s10("47312482"), '9', "s10 EE473124829GB");
	INT_EQ(tshop_checksum_s10("00000000"), '5', "s10: r = 0 gives 5");
	INT_EQ(tshop_checksum_s10("00000008"), '0', "s10: r = 1 gives 0");
	INT_EQ(tshop_checksum_s10("1234567"), -1, "s10 needs 8 digits");

	/* sum_product_with_weightings_and_modulo */
	INT_EQ(tshop_checksum_sum_product("98657878885", fedex12, 11, 11, 10),
	    '5', "FedEx Express 12: 98657878885-5");
	INT_EQ(tshop_checksum_sum_product("00000000001", fedex12, 11, 11, 10),
	    '1', "FedEx Express 12: weight 1 on the last digit");
	INT_EQ(tshop_checksum_sum_product("10000000000", fedex12, 11, 11, 10),
	    '3', "FedEx Express 12: weight 3 on the first digit");
	INT_EQ(tshop_checksum_sum_product("00000000200", fedex12, 11, 11, 10),
	    '3', "FedEx Express 12: weight 7 third from the right, mod 11");
	INT_EQ(tshop_checksum_sum_product("0077901797269", fedex34, 13, 11, 10),
	    '7', "FedEx 34: ...0077901797269-7");
	INT_EQ(tshop_checksum_sum_product("9865787888", fedex12, 11, 11, 10),
	    -1, "sum_product: one weight per digit");

	/* mod_37_36 */
	INT_EQ(tshop_checksum_mod_37_36("008182709980000020033350276"), 'C',
	    "mod 37,36 DPD 28 ... C");
	INT_EQ(tshop_checksum_mod_37_36("0099 8"), -1,
	    "mod 37,36 rejects space");
	INT_EQ(tshop_checksum_mod_37_36("09980000020033"), 'F',
	    "mod 37,36 DPD 14 ... F");
	INT_EQ(tshop_checksum_mod_37_36("09980000020034"), 'D',
	    "mod 37,36 DPD 14 ... D");

	/* luhn */
	INT_EQ(tshop_checksum_luhn("7992739871"), '3', "luhn 79927398713");
	INT_EQ(tshop_checksum_luhn("0720956276"), '3', "luhn Old Dominion");
	INT_EQ(tshop_checksum_luhn("32059546393"), '8', "luhn Purolator");
	INT_EQ(tshop_checksum_luhn("0"), '0', "luhn 0");
	INT_EQ(tshop_checksum_luhn("X1"), -1, "luhn digits only");
}

static void
test_check(void)
{
	struct tshop_tracking_match m;
	struct tshop_err e;
	char out[TSHOP_TRACKING_MAX + 1], longnum[200];
	const struct tshop_tracking_match *p;
	int r, n;

	/* USPS IMpb, 22 digits */
	r = tshop_tracking_check(trk, "usps", "9400 1112 0620 6406 2607 87",
	    &m, &e);
	INT_EQ(r, TSHOP_TRACKING_VALID, "USPS IMpb valid");
	STR_EQ(m.format_id, "usps_impb_n", "USPS IMpb format");
	STR_EQ(m.result, "pass", "USPS IMpb checksum pass");
	STR_EQ(m.number, "9400111206206406260787", "normalised number");
	r = tshop_tracking_check(trk, "USPS", "9400111206206406260781", &m, &e);
	INT_EQ(r, TSHOP_TRACKING_BAD_CHECK, "USPS IMpb changed check digit");
	INT_EQ(m.expected, '7', "USPS IMpb: check digit should be 7");
	INT_EQ(m.check_digit, '1', "USPS IMpb: the number's check digit");
	STR_EQ(m.format_id, "usps_impb_n", "USPS IMpb: the failing format");

	/* UPS 1Z */
	r = tshop_tracking_check(trk, "ups", "1Z5R89390357567127", &m, &e);
	INT_EQ(r, TSHOP_TRACKING_VALID, "UPS 1Z valid");
	STR_EQ(m.format_id, "ups", "UPS 1Z format id");
	OK(m.has_checksum && m.checksum_ok, "UPS 1Z checksum passed");
	STR_EQ(m.checksum, "mod10", "UPS 1Z algorithm");
	r = tshop_tracking_check(trk, "ups", "1z5r8939 0357567124", &m, &e);
	INT_EQ(r, TSHOP_TRACKING_BAD_CHECK, "UPS 1Z lowercase, changed digit");
	INT_EQ(m.expected, '7', "UPS 1Z: check digit should be 7");
	r = tshop_tracking_check(trk, "ups", "1z5r89390357567127", &m, &e);
	INT_EQ(r, TSHOP_TRACKING_VALID, "UPS 1Z in lowercase is accepted");
	r = tshop_tracking_check(trk, "UPS", "not a number", &m, &e);
	INT_EQ(r, TSHOP_TRACKING_NO_FORMAT, "UPS: no format matches");
	STR_EQ(m.courier_name, "UPS", "UPS: courier named for the message");
	OK(m.format_id == NULL, "UPS: no format id");
	r = tshop_tracking_check(trk, "ups", "1Z5R89390357567127X", &m, &e);
	INT_EQ(r, TSHOP_TRACKING_NO_FORMAT, "UPS: the whole number must match");
	r = tshop_tracking_check(trk, "ups", "X1Z5R89390357567127", &m, &e);
	INT_EQ(r, TSHOP_TRACKING_NO_FORMAT, "UPS: from the first character");
	r = tshop_tracking_check(trk, "ups", "986578788855", &m, &e);
	INT_EQ(r, TSHOP_TRACKING_NO_FORMAT, "a FedEx number is no UPS format");
	r = tshop_tracking_check(trk, "ups", "K1506235620", &m, &e);
	STR_EQ(m.format_id, "ups_waybill", "UPS Waybill gets a made-up id");

	/* FedEx Express 12 (weights 3,1,7 repeating, 1 on the rightmost) */
	r = tshop_tracking_check(trk, "fedex", "986578788855", &m, &e);
	INT_EQ(r, TSHOP_TRACKING_VALID, "FedEx 12 valid");
	STR_EQ(m.format_id, "fedex_12", "FedEx 12 format id");
	r = tshop_tracking_check(trk, "FedEx", "986578788850", &m, &e);
	INT_EQ(r, TSHOP_TRACKING_BAD_CHECK, "FedEx 12 changed check digit");
	INT_EQ(m.expected, '5', "FedEx 12: check digit should be 5");
	r = tshop_tracking_check(trk, "fedex", "0414 4176 0228 964", &m, &e);
	STR_EQ(m.format_id, "fedex_ground", "FedEx Ground 15 digits");

	/* DPD: a letter check digit */
	r = tshop_tracking_check(trk, "dpd", "008182709980000020033350276A",
	    &m, &e);
	INT_EQ(r, TSHOP_TRACKING_BAD_CHECK, "DPD wrong letter");
	INT_EQ(m.expected, 'C', "DPD: check digit should be C");

	/* S10: the country must name a postal service */
	r = tshop_tracking_check(trk, "s10", "RB123456785XX", &m, &e);
	INT_EQ(r, TSHOP_TRACKING_BAD_FIELD, "S10 unknown country");
	STR_EQ(m.field, "Courier", "S10: the failing lookup");
	STR_EQ(m.group, "CountryCode", "S10: its group");
	STR_EQ(m.value, "XX", "S10: the unknown value");
	r = tshop_tracking_check(trk, "s10", "rb 123 456 785 gb", &m, &e);
	INT_EQ(r, TSHOP_TRACKING_VALID, "S10 GB valid");
	r = tshop_tracking_check(trk, "s10", "RB123456786XX", &m, &e);
	INT_EQ(r, TSHOP_TRACKING_BAD_CHECK, "S10: check digit before lookup");

	/* couriers by code or name; unknown courier */
	r = tshop_tracking_find_courier(trk, "united states postal service");
	STR_EQ(tshop_tracking_courier_code(trk, (size_t)(r < 0 ? 999 : r)),
	    "usps", "courier found by name, any case");
	OK(tshop_tracking_find_courier(trk, "Canada_Post") >= 0,
	    "courier found by code, any case");
	e.code = 0;
	r = tshop_tracking_check(trk, "pony express", "1Z5R89390357567127", &m,
	    &e);
	INT_EQ(r, -1, "unknown courier is an error");
	INT_EQ(e.code, TSHOP_EXIT_USAGE, "unknown courier: usage error");
	OK(strstr(e.msg, "pony express") != NULL, "message names it: %s",
	    e.msg);

	/* identify */
	p = identified_as("1Z5R89390357567127", "ups", &n);
	OK(p != NULL && n >= 1, "identify a UPS number (%d matches)", n);
	if (p != NULL) {
		STR_EQ(p->courier_code, "ups", "identify: courier code");
		STR_EQ(p->courier_name, "UPS", "identify: courier name");
		STR_EQ(p->format_name, "UPS", "identify: format name");
	}
	INT_EQ(tshop_tracking_identify(trk, "1Z5R89390357567128", mbuf, 64, &e),
	    0, "identify: a wrong check digit matches nothing");
	n = tshop_tracking_identify_courier(trk, "ups", "1Z5R89390357567127", mbuf, 64, &e);
	OK(n >= 1 && strcmp(mbuf[0].courier_code, "ups") == 0,
	    "identify within UPS: found (%d)", n);
	INT_EQ(tshop_tracking_identify_courier(trk, "fedex", "1Z5R89390357567127", mbuf, 64, &e),
	    0, "identify within FedEx: a UPS number is none of its formats");
	INT_EQ(tshop_tracking_identify_courier(trk, "no-such-courier", "1Z5R89390357567127",
	    mbuf, 64, &e), 0, "identify within an unknown courier: nothing");
	INT_EQ(tshop_tracking_identify(trk, "", mbuf, 64, &e), 0,
	    "identify: empty matches nothing");
	memset(longnum, '1', sizeof(longnum) - 1);
	longnum[sizeof(longnum) - 1] = '\0';
	INT_EQ(tshop_tracking_identify(trk, longnum, mbuf, 64, &e), 0,
	    "identify: too long matches nothing");
	r = tshop_tracking_check(trk, "usps", longnum, &m, &e);
	INT_EQ(r, TSHOP_TRACKING_NO_FORMAT, "check: too long matches nothing");
	n = tshop_tracking_identify(trk, "C1004444443", mbuf, 1, &e);
	OK(n >= 1, "identify counts past max (%d)", n);
	p = identified_as("1LS7119013618127-1", "lasership_1ls7_18", &n);
	OK(p != NULL && strcmp(p->result, "none") == 0,
	    "LaserShip 18 with '-' kept; made-up id, no checksum");
	p = identified_as("07209562763", "old_dominion", &n);
	OK(p != NULL, "Old Dominion made-up id");
	p = identified_as("80003280379", "old_dominion_guaranteed_shipment", &n);
	OK(p != NULL, "Old Dominion Guaranteed made-up id");

	/* normalisation */
	INT_EQ(tshop_tracking_normalize(" 1z 5r\t8 ", out, sizeof(out)), 5,
	    "normalize length");
	STR_EQ(out, "1Z5R8", "normalize strips white space, uppercases");
	INT_EQ(tshop_tracking_normalize("1ls7-1", out, sizeof(out)), 6,
	    "normalize keeps '-'");
	INT_EQ(tshop_tracking_normalize("12345", out, 5), -1,
	    "normalize: too long for the buffer");
	INT_EQ(tshop_tracking_normalize("1234", out, 5), 4,
	    "normalize: just fits");

	OK(strncmp(tshop_tracking_license(), "MIT License", 11) == 0,
	    "the data's licence is embedded");
}

int
main(void)
{
	struct tshop_err e;

	OK(tshop_tracking_load(&trk, &e) == 0, "load tracking data");
	if (trk == NULL) {
		printf("# %s\n", e.msg);
		return UNIT_DONE();
	}
	test_checksums();
	test_check();
	test_data_numbers();
	tshop_tracking_free(trk);
	tshop_tracking_free(NULL);
	return UNIT_DONE();
}
