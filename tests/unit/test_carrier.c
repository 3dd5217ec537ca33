/*
 * test_carrier.c — the carrier list: names, aliases, keys, services after
 * a name, suggestions, checking numbers against a carrier's formats, and
 * TikTok's providers from table `carrier`.  Tracking numbers are the
 * data's test numbers and ones computed by hand from the carriers'
 * published check-digit rules.
 */
#include <stdlib.h>
#include <unistd.h>

#include "carrier.h"
#include "unit.h"

static const char *
found(const struct tshop_carriers *cs, const char *name)
{
	const struct tshop_carrier *c = tshop_carrier_find(cs, name);

	return c ? c->name : NULL;
}

static int
check(const struct tshop_carriers *cs, const char *carrier, const char *number,
    struct tshop_tracking_match *m, const char **actual)
{
	const struct tshop_carrier *c = tshop_carrier_find(cs, carrier), *a = NULL;
	struct tshop_err e = { 0 };
	int r;

	if (c == NULL)
		return -2;
	r = tshop_carrier_check(cs, c, number, m, &a, &e);
	*actual = a ? a->name : NULL;
	return r;
}

int
main(void)
{
	struct tshop_tracking *t;
	struct tshop_carriers *cs;
	struct tshop_tracking_match m;
	struct tshop_err e = { 0 };
	const char *actual;
	char key[64];

	if (tshop_tracking_load(&t, &e) == -1 || tshop_carriers_load(&cs, NULL, t, &e) == -1) {
		printf("not ok 1 - load: %s\n", e.msg);
		return 1;
	}

	/* names */
	STR_EQ(tshop_carrier_key("Fed-Ex Ground", key, sizeof(key)), "fedexground", "key drops punctuation, lowercases");
	STR_EQ(found(cs, "UPS"), "UPS", "canonical name");
	STR_EQ(found(cs, "ups"), "UPS", "lowercase");
	STR_EQ(found(cs, "FEDEX"), "FedEx", "uppercase");
	STR_EQ(found(cs, "Fedex Ground"), "FedEx", "alias Fedex Ground");
	STR_EQ(found(cs, "FedEx Express"), "FedEx", "alias FedEx Express");
	STR_EQ(found(cs, "Fed Ex"), "FedEx", "spaces inside a name");
	STR_EQ(found(cs, "United States Postal Service"), "USPS", "USPS's long name");
	STR_EQ(found(cs, "  u.s. postal service "), "USPS", "dots and spaces");
	STR_EQ(found(cs, "DHL"), "DHL", "generic DHL");
	STR_EQ(found(cs, "dhl ecommerce"), "DHL eCommerce", "DHL eCommerce");
	STR_EQ(found(cs, "DHL Express"), "DHL Express", "DHL Express");
	STR_EQ(found(cs, "On Trac"), "OnTrac", "On Trac");
	STR_EQ(found(cs, "lasership"), "LaserShip", "LaserShip");
	STR_EQ(found(cs, "AMZL"), "Amazon Logistics", "AMZL");
	STR_EQ(found(cs, "Amazon"), "Amazon Logistics", "Amazon");
	STR_EQ(found(cs, "USPS Priority Mail Express"), "USPS", "a service after the name");
	STR_EQ(found(cs, "UPS 2nd Day Air"), "UPS", "UPS 2nd Day Air");
	STR_EQ(found(cs, "DHL eCommerce Parcel Expedited"), "DHL eCommerce", "the longest known start wins");
	STR_EQ(found(cs, "FedEx-2Day"), "FedEx", "a hyphen before the service");
	STR_EQ(found(cs, "UPSS"), NULL, "misspelt name is not found");
	STR_EQ(found(cs, "Pony Express"), NULL, "unknown name");
	STR_EQ(found(cs, ""), NULL, "empty name");
	STR_EQ(found(cs, "..."), NULL, "punctuation only");

	/* suggestions */
	STR_EQ(tshop_carrier_suggest(cs, "UPSS"), "UPS", "UPSS -> UPS");
	STR_EQ(tshop_carrier_suggest(cs, "Fedx"), "FedEx", "Fedx -> FedEx");
	STR_EQ(tshop_carrier_suggest(cs, "Fedex Grnd"), "FedEx", "close to an alias: its carrier");
	STR_EQ(tshop_carrier_suggest(cs, "Laser Shp"), "LaserShip", "Laser Shp -> LaserShip");
	STR_EQ(tshop_carrier_suggest(cs, "Ontrak"), "OnTrac", "Ontrak -> OnTrac");
	STR_EQ(tshop_carrier_suggest(cs, "Royal Dutch Shell"), NULL, "nothing close: no suggestion");

	/* checking numbers */
	INT_EQ(check(cs, "UPS", "1Z5R89390357567127", &m, &actual), TSHOP_TRACKING_VALID, "UPS test number");
	STR_EQ(m.format_id, "ups", "its format");
	INT_EQ(check(cs, "ups", "1z 999 aa1 0123 4567 84", &m, &actual), TSHOP_TRACKING_VALID, "hand-computed UPS, spaced, lowercase");
	STR_EQ(m.number, "1Z999AA10123456784", "normalised number");
	INT_EQ(check(cs, "UPS", "1Z999AA10123456785", &m, &actual), TSHOP_TRACKING_BAD_CHECK, "UPS, wrong check digit");
	INT_EQ(m.expected, '4', "the right check digit is 4");
	INT_EQ(m.check_digit, '5', "the number's is 5");
	INT_EQ(check(cs, "UPS", "9400111206206406260787", &m, &actual), TSHOP_TRACKING_NO_FORMAT, "USPS number is no UPS format");
	INT_EQ(check(cs, "USPS", "9405512345678901234569", &m, &actual), TSHOP_TRACKING_VALID, "hand-computed USPS IMpb");
	INT_EQ(check(cs, "USPS", "9405512345678901234560", &m, &actual), TSHOP_TRACKING_BAD_CHECK, "USPS, wrong check digit");
	INT_EQ(m.expected, '9', "the right USPS check digit is 9");
	INT_EQ(check(cs, "USPS", "RB123456785US", &m, &actual), TSHOP_TRACKING_VALID, "S10 ending in US is USPS");
	STR_EQ(m.format_id, "s10", "as format s10");
	INT_EQ(check(cs, "USPS", "RB123456785GB", &m, &actual), TSHOP_TRACKING_NO_FORMAT, "a Royal Mail S10 is not USPS");
	INT_EQ(check(cs, "International Post", "RB123456785GB", &m, &actual), TSHOP_TRACKING_VALID, "but International Post");
	INT_EQ(check(cs, "FedEx", "987654321098", &m, &actual), TSHOP_TRACKING_VALID, "hand-computed FedEx 12");
	INT_EQ(check(cs, "FedEx Ground", "987654321097", &m, &actual), TSHOP_TRACKING_BAD_CHECK, "FedEx 12, wrong check digit");
	INT_EQ(m.expected, '8', "the right FedEx check digit is 8");
	INT_EQ(check(cs, "DHL eCommerce", "GM2951173225174494", &m, &actual), TSHOP_TRACKING_VALID, "DHL eCommerce number");
	INT_EQ(check(cs, "DHL Express", "GM2951173225174494", &m, &actual), TSHOP_TRACKING_NO_FORMAT, "is no DHL Express format");
	INT_EQ(check(cs, "DHL Express", "3318810025", &m, &actual), TSHOP_TRACKING_VALID, "DHL Express waybill");
	INT_EQ(check(cs, "DHL eCommerce", "3318810025", &m, &actual), TSHOP_TRACKING_NO_FORMAT, "is no DHL eCommerce format");
	INT_EQ(check(cs, "DHL", "3318810025", &m, &actual), TSHOP_TRACKING_VALID, "generic DHL takes the waybill");
	STR_EQ(actual, "DHL Express", "and ships as DHL Express");
	INT_EQ(check(cs, "DHL", "GM2951173225174494", &m, &actual), TSHOP_TRACKING_VALID, "generic DHL takes GM numbers");
	STR_EQ(actual, "DHL eCommerce", "and ships as DHL eCommerce");
	INT_EQ(check(cs, "DHL", "3318810026", &m, &actual), TSHOP_TRACKING_BAD_CHECK, "DHL Express mod 7 failure");
	INT_EQ(m.expected, '5', "the right DHL check digit is 5");
	INT_EQ(check(cs, "OnTrac", "C11031500001879", &m, &actual), TSHOP_TRACKING_VALID, "OnTrac test number");
	INT_EQ(check(cs, "LaserShip", "1LS717793482164", &m, &actual), TSHOP_TRACKING_VALID, "LaserShip test number");
	INT_EQ(check(cs, "Amazon Logistics", "TBA000000000000", &m, &actual), TSHOP_TRACKING_VALID, "Amazon test number");
	INT_EQ(check(cs, "Amazon", "1Z5R89390357567127", &m, &actual), TSHOP_TRACKING_NO_FORMAT, "a UPS number is no Amazon format");

	/* format -> carrier, for `check` */
	STR_EQ(tshop_carrier_of_format(cs, "dhl", "dhl_express", "3318810025")->name, "DHL Express", "dhl_express -> DHL Express");
	STR_EQ(tshop_carrier_of_format(cs, "s10", "s10", "RB123456785US")->name, "USPS", "US S10 -> USPS");
	STR_EQ(tshop_carrier_of_format(cs, "s10", "s10", "RB123456785GB")->name, "International Post", "other S10 -> International Post");
	STR_EQ(tshop_carrier_of_format(cs, "fedex", "fedex_ground", "x")->name, "FedEx", "fedex_ground -> FedEx");

	/* every courier of the data has a carrier */
	for (size_t i = 0; i < tshop_tracking_ncouriers(t); i++) {
		struct tshop_tracking_match f;
		bool any = false;

		for (size_t k = 0; tshop_tracking_format(t, i, k, &f) == 0; k++)
			if (f.format_id != NULL && tshop_carrier_of_format(cs, f.courier_code,
			    f.format_id, "RB123456785US") != NULL)
				any = true;
		OK(any, "courier %s has a carrier", tshop_tracking_courier_code(t, i));
	}
	tshop_carriers_free(cs);

	/* TikTok's providers */
	{
		char path[] = "/tmp/tshop-carrier-XXXXXX";
		int fd = mkstemp(path);
		struct tshop_db *db = NULL;
		enum tshop_upsert_result res;
		const struct tshop_carrier *c;

		if (fd != -1)
			close(fd);
		unlink(path);
		OK(fd != -1 && tshop_db_open(&db, path, TSHOP_DB_WRITE, &e) == 0, "open a database");
		if (db == NULL)
			return UNIT_DONE();
		OK(tshop_carrier_upsert(db, NULL, "USPS", "7117858858072016686", &res, &e) == 0 &&
		    res == TSHOP_UPSERT_NEW, "upsert USPS: new");
		OK(tshop_carrier_upsert(db, NULL, "USPS", "7117858858072016686", &res, &e) == 0 &&
		    res == TSHOP_UPSERT_UNCHANGED, "again: unchanged");
		OK(tshop_carrier_upsert(db, NULL, "UPS Ground Saver", "42", &res, &e) == 0 &&
		    res == TSHOP_UPSERT_NEW, "a provider that is no built-in name");
		OK(tshop_carrier_upsert(db, NULL, "Yanwen", "7", &res, &e) == 0, "an unknown provider");
		OK(tshop_carrier_upsert(db, NULL, "Yanwen", "8", &res, &e) == 0 &&
		    res == TSHOP_UPSERT_UPDATED, "its id changed: updated");
		OK(tshop_carrier_upsert(db, NULL, "", "8", &res, &e) == -1 && e.code == 2,
		    "a provider without a name is refused");
		OK(tshop_carriers_load(&cs, db, t, &e) == 0, "load with the database");
		c = tshop_carrier_find(cs, "usps");
		STR_EQ(c ? c->provider_id : NULL, "7117858858072016686", "USPS has TikTok's id");
		STR_EQ(c ? tshop_carrier_upload_name(c) : NULL, "USPS", "upload name");
		c = tshop_carrier_find(cs, "ups ground saver");
		STR_EQ(c ? c->name : NULL, "UPS Ground Saver", "a carrier of its own");
		STR_EQ(c ? c->provider_id : NULL, "42", "with its id");
		INT_EQ(check(cs, "UPS Ground Saver", "1Z999AA10123456785", &m, &actual),
		    TSHOP_TRACKING_BAD_CHECK, "that takes the UPS formats");
		c = tshop_carrier_find(cs, "YANWEN");
		STR_EQ(c ? c->provider_id : NULL, "8", "Yanwen's id");
		INT_EQ(check(cs, "Yanwen", "anything-123", &m, &actual), TSHOP_TRACKING_VALID,
		    "a carrier without known formats takes any number");
		STR_EQ(tshop_carriers_at(cs, tshop_carriers_count(cs) - 1)->name, "Yanwen",
		    "TikTok's other carriers come after the built-in ones, by name");
		tshop_carriers_free(cs);
		tshop_db_close(db);
		unlink(path);
		{
			struct tshop_buf b = TSHOP_BUF_INIT;

			tshop_buf_addf(&b, "%s-wal", path);
			unlink(b.data);
			tshop_buf_reset(&b);
			tshop_buf_addf(&b, "%s-shm", path);
			unlink(b.data);
			tshop_buf_release(&b);
		}
	}
	tshop_tracking_free(t);
	return UNIT_DONE();
}
