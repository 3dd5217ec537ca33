/*
 * carrier.c — the built-in carrier list, name lookup by key, and checking
 * a tracking number against a carrier's formats.
 *
 * The built-in list is a static table: canonical name, aliases, and the
 * couriers (and, where a courier of the tracking data covers several
 * services, the formats) whose numbers the carrier takes.  Loading adds
 * table `carrier` (TikTok's shipping providers): a provider whose name is
 * a built-in name or alias gives that carrier its provider_id; any other
 * becomes a carrier of its own, taking the formats of the built-in carrier
 * its name starts with, if any.  Every name and alias is indexed by its
 * key (see carrier.h), so a lookup is one key computation and a scan of a
 * small array, cheap enough for every line of a 100,000-line batch.
 */
#include <stdlib.h>
#include <string.h>

#include "carrier.h"
#include "timeutil.h"

#define KEYMAX 128

/* Numbers of `courier` (all its formats, or those listed), ending in `suffix` if set. */
struct spec {
	const char *courier;
	const char *const *formats;
	const char *suffix;
};

struct builtin {
	const char *name;
	const char *const *aliases;
	const struct spec *specs;
	size_t nspecs;
	bool generic;
};

#define A(...) (const char *const[]){ __VA_ARGS__, NULL }
#define S(...) (const struct spec[]){ __VA_ARGS__ }, \
	sizeof((const struct spec[]){ __VA_ARGS__ }) / sizeof(struct spec)

static const char *const dhl_ecommerce[] = { "dhl_ecommerce", "dhl_ecommerce_14", NULL };
static const char *const dhl_express[] = { "dhl_express", "dhl_express_piece_id", NULL };

/* The US market first, in the order `tshop-ship carriers` lists them. */
static const struct builtin builtins[] = {
	{ "USPS", A("United States Postal Service", "US Postal Service",
	    "U.S. Postal Service", "US Mail", "USPS Ground Advantage"),
	    S({ "usps", NULL, NULL }, { "s10", NULL, "US" }), false },
	{ "UPS", A("United Parcel Service", "UPS Ground", "UPS SurePost",
	    "UPS Mail Innovations", "UPS Express"),
	    S({ "ups", NULL, NULL }), false },
	{ "FedEx", A("Federal Express", "FedEx Ground", "FedEx Express",
	    "FedEx Home Delivery", "FedEx SmartPost", "FedEx Ground Economy"),
	    S({ "fedex", NULL, NULL }), false },
	{ "DHL eCommerce", A("DHL eCommerce Solutions", "DHL Global Mail",
	    "DHL SmartMail", "DHL eCommerce US", "DHL eC"),
	    S({ "dhl", dhl_ecommerce, NULL }), false },
	{ "DHL Express", A("DHL Express Worldwide", "DHL Worldwide Express",
	    "DHL Express US"),
	    S({ "dhl", dhl_express, NULL }), false },
	{ "DHL", A("DHL Parcel"), S({ "dhl", NULL, NULL }), true },
	{ "OnTrac", A("OnTrac Logistics", "OnTrac Express"),
	    S({ "ontrac", NULL, NULL }), false },
	{ "LaserShip", A("Laser Ship", "LaserShip Inc"),
	    S({ "lasership", NULL, NULL }), false },
	{ "Amazon Logistics", A("Amazon", "Amazon Shipping", "AMZL", "AMZL US",
	    "Amazon Logistics US"),
	    S({ "amazon", NULL, NULL }), false },
	{ "GOFO Express", A("GOFO"), S({ "gofo", NULL, NULL }), false },
	{ "Spee-Dee Delivery", A("Spee-Dee", "Spee Dee Delivery Service"),
	    S({ "speedee", NULL, NULL }), false },
	{ "YunExpress", A("Yun Express"), S({ "yunexpress", NULL, NULL }), false },
	{ "Landmark Global", A("Landmark", "Landmark Global LTN"),
	    S({ "landmark", NULL, NULL }), false },
	{ "Old Dominion", A("Old Dominion Freight Line", "ODFL"),
	    S({ "old_dominion", NULL, NULL }), false },
	{ "Canada Post", A("Postes Canada"), S({ "canada_post", NULL, NULL }), false },
	{ "Purolator", A("Purolator Courier"), S({ "purolator", NULL, NULL }), false },
	{ "Canpar", A("Canpar Express"), S({ "canpar", NULL, NULL }), false },
	{ "DPD", A("DPD Group"), S({ "dpd", NULL, NULL }), false },
	{ "Yodel", A("Yodel Direct"), S({ "yodel", NULL, NULL }), false },
	{ "International Post", A("S10", "UPU S10", "S10 International Standard",
	    "China Post", "ePacket", "EMS"),
	    S({ "s10", NULL, NULL }), false },
};
#define NBUILTIN (sizeof(builtins) / sizeof(builtins[0]))

static const char *const no_aliases[] = { NULL };

struct entry {
	struct tshop_carrier pub;	/* first: a carrier pointer is an entry pointer */
	const struct builtin *def;	/* formats: the built-in carrier, or NULL (any number) */
	char *owned_name, *owned_pid, *owned_pname;
};

struct key {
	char key[KEYMAX];
	size_t carrier;
	bool builtin;
};

struct tshop_carriers {
	const struct tshop_tracking *t;
	struct entry *v;
	size_t n;
	struct key *keys;
	size_t nkeys;
};

char *
tshop_carrier_key(const char *name, char *buf, size_t n)
{
	size_t j = 0;

	for (const unsigned char *p = (const unsigned char *)name; *p && j + 1 < n; p++) {
		if (*p >= 'A' && *p <= 'Z')
			buf[j++] = (char)(*p - 'A' + 'a');
		else if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p >= 0x80)
			buf[j++] = (char)*p;
	}
	if (n > 0)
		buf[j] = '\0';
	return buf;
}

static int
add_key(struct tshop_carriers *cs, size_t *cap, const char *name, size_t carrier,
    bool builtin)
{
	struct key *k;

	if (cs->nkeys == *cap) {
		size_t ncap = *cap ? *cap * 2 : 128;

		if ((k = reallocarray(cs->keys, ncap, sizeof(*k))) == NULL)
			return -1;
		cs->keys = k;
		*cap = ncap;
	}
	k = &cs->keys[cs->nkeys];
	tshop_carrier_key(name, k->key, sizeof(k->key));
	if (k->key[0] == '\0')
		return 0;
	k->carrier = carrier;
	k->builtin = builtin;
	cs->nkeys++;
	return 0;
}

/* Exact key lookup; only built-in names and aliases when builtin_only. */
static const struct key *
find_key(const struct tshop_carriers *cs, const char *key, bool builtin_only)
{
	for (size_t i = 0; i < cs->nkeys; i++)
		if ((!builtin_only || cs->keys[i].builtin) && strcmp(cs->keys[i].key, key) == 0)
			return &cs->keys[i];
	return NULL;
}

/* A known built-in name followed by more words ("USPS Priority Mail"). */
static const struct key *
find_prefix(const struct tshop_carriers *cs, const char *name)
{
	char buf[KEYMAX * 2], key[KEYMAX];
	size_t len = strlen(name);

	if (len >= sizeof(buf))
		return NULL;
	memcpy(buf, name, len + 1);
	for (;;) {
		const struct key *k;
		size_t end = len;

		/* drop the last word and the separators before it */
		while (end > 0 && !(buf[end - 1] == ' ' || buf[end - 1] == '-' ||
		    buf[end - 1] == '/' || buf[end - 1] == '(' || buf[end - 1] == ','))
			end--;
		while (end > 0 && (buf[end - 1] == ' ' || buf[end - 1] == '-' ||
		    buf[end - 1] == '/' || buf[end - 1] == '(' || buf[end - 1] == ','))
			end--;
		if (end == 0)
			return NULL;
		buf[end] = '\0';
		len = end;
		tshop_carrier_key(buf, key, sizeof(key));
		if (key[0] != '\0' && (k = find_key(cs, key, true)) != NULL)
			return k;
	}
}

int
tshop_carriers_load(struct tshop_carriers **csp, struct tshop_db *db,
    const struct tshop_tracking *t, struct tshop_err *e)
{
	struct tshop_carriers *cs;
	sqlite3_stmt *st = NULL;
	size_t cap, kcap = 0;
	int rc;

	*csp = NULL;
	if ((cs = calloc(1, sizeof(*cs))) == NULL)
		return tshop_errorf(e, 3, "out of memory");
	cs->t = t;
	cap = NBUILTIN + 16;
	if ((cs->v = calloc(cap, sizeof(*cs->v))) == NULL)
		goto nomem;
	for (size_t i = 0; i < NBUILTIN; i++) {
		const struct builtin *b = &builtins[i];
		struct entry *en = &cs->v[cs->n];

		en->pub.name = b->name;
		en->pub.aliases = b->aliases;
		en->pub.builtin = true;
		en->pub.generic = b->generic;
		en->pub.index = cs->n;
		en->def = b;
		if (add_key(cs, &kcap, b->name, cs->n, true) == -1)
			goto nomem;
		for (const char *const *a = b->aliases; *a; a++)
			if (add_key(cs, &kcap, *a, cs->n, true) == -1)
				goto nomem;
		for (size_t s = 0; t != NULL && s < b->nspecs; s++)
			if (tshop_tracking_find_courier(t, b->specs[s].courier) < 0) {
				tshop_errorf(e, 3, "carrier '%s': courier '%s' is not in "
				    "the tracking data", b->name, b->specs[s].courier);
				goto fail;
			}
		cs->n++;
	}
	if (db == NULL) {
		*csp = cs;
		return 0;
	}
	if (tshop_db_prepare(db, &st, "SELECT name, provider_id FROM carrier ORDER BY name", e) == -1)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = tshop_db_col_text(st, 0), *pid = tshop_db_col_text(st, 1);
		char key[KEYMAX];
		const struct key *k;
		struct entry *en;

		if (name == NULL || pid == NULL)
			continue;
		tshop_carrier_key(name, key, sizeof(key));
		if ((k = find_key(cs, key, true)) != NULL) {
			en = &cs->v[k->carrier];
			/* the provider named exactly like the carrier wins over an alias */
			if (en->pub.provider_id == NULL ||
			    strcmp(key, tshop_carrier_key(en->pub.name, key, sizeof(key))) == 0) {
				char *pn = strdup(name), *pi = strdup(pid);

				if (pn == NULL || pi == NULL) {
					free(pn);
					free(pi);
					goto nomem;
				}
				free(en->owned_pname);
				free(en->owned_pid);
				en->pub.provider_name = en->owned_pname = pn;
				en->pub.provider_id = en->owned_pid = pi;
			}
			continue;
		}
		if (cs->n == cap) {
			struct entry *v = reallocarray(cs->v, cap * 2, sizeof(*v));

			if (v == NULL)
				goto nomem;
			cs->v = v;
			cap *= 2;
		}
		en = &cs->v[cs->n];
		memset(en, 0, sizeof(*en));
		en->owned_name = strdup(name);
		en->owned_pname = strdup(name);
		en->owned_pid = strdup(pid);
		if (en->owned_name == NULL || en->owned_pname == NULL || en->owned_pid == NULL) {
			cs->n++;	/* so that free() sees what was allocated */
			goto nomem;
		}
		en->pub.name = en->owned_name;
		en->pub.provider_name = en->owned_pname;
		en->pub.provider_id = en->owned_pid;
		en->pub.aliases = no_aliases;
		en->pub.index = cs->n;
		if ((k = find_prefix(cs, name)) != NULL) {
			en->def = cs->v[k->carrier].def;
			en->pub.generic = en->def->generic;
		}
		if (add_key(cs, &kcap, name, cs->n, false) == -1) {
			cs->n++;
			goto nomem;
		}
		cs->n++;
	}
	if (rc != SQLITE_DONE) {
		tshop_db_error(db, e, "reading carriers");
		goto fail;
	}
	sqlite3_finalize(st);
	*csp = cs;
	return 0;
nomem:
	tshop_errorf(e, 3, "out of memory");
fail:
	sqlite3_finalize(st);
	tshop_carriers_free(cs);
	return -1;
}

void
tshop_carriers_free(struct tshop_carriers *cs)
{
	if (cs == NULL)
		return;
	for (size_t i = 0; i < cs->n; i++) {
		free(cs->v[i].owned_name);
		free(cs->v[i].owned_pid);
		free(cs->v[i].owned_pname);
	}
	free(cs->v);
	free(cs->keys);
	free(cs);
}

size_t
tshop_carriers_count(const struct tshop_carriers *cs)
{
	return cs->n;
}

const struct tshop_carrier *
tshop_carriers_at(const struct tshop_carriers *cs, size_t i)
{
	return i < cs->n ? &cs->v[i].pub : NULL;
}

const struct tshop_carrier *
tshop_carrier_find(const struct tshop_carriers *cs, const char *name)
{
	char key[KEYMAX];
	const struct key *k;

	if (name == NULL || strlen(name) >= KEYMAX)
		return NULL;
	tshop_carrier_key(name, key, sizeof(key));
	if (key[0] == '\0')
		return NULL;
	if ((k = find_key(cs, key, false)) == NULL && (k = find_prefix(cs, name)) == NULL)
		return NULL;
	return &cs->v[k->carrier].pub;
}

const char *
tshop_carrier_suggest(const struct tshop_carriers *cs, const char *name)
{
	char key[KEYMAX];
	size_t best = (size_t)-1, len, limit;
	const struct key *bk = NULL;

	if (name == NULL || strlen(name) >= KEYMAX)
		return NULL;
	tshop_carrier_key(name, key, sizeof(key));
	if ((len = strlen(key)) == 0)
		return NULL;
	limit = len / 4 > 2 ? len / 4 : 2;
	for (size_t i = 0; i < cs->nkeys; i++) {
		size_t d = tshop_edit_distance(key, cs->keys[i].key);

		if (d < best) {
			best = d;
			bk = &cs->keys[i];
		}
	}
	if (bk == NULL || best > limit || best >= len)
		return NULL;
	return cs->v[bk->carrier].pub.name;
}

static bool
in_list(const char *const *list, const char *s)
{
	if (list == NULL)
		return true;
	if (s == NULL)
		return false;
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Does spec `sp` take a number of format `format_id` of its courier? */
static bool
spec_takes(const struct spec *sp, const char *format_id, const char *number)
{
	return in_list(sp->formats, format_id) &&
	    (sp->suffix == NULL || ends_with(number, sp->suffix));
}

const struct tshop_carrier *
tshop_carrier_of_format(const struct tshop_carriers *cs, const char *courier_code,
    const char *format_id, const char *number)
{
	if (courier_code == NULL || format_id == NULL)
		return NULL;
	for (size_t i = 0; i < cs->n; i++) {
		const struct builtin *b = cs->v[i].def;

		if (!cs->v[i].pub.builtin || b == NULL || b->generic)
			continue;
		for (size_t s = 0; s < b->nspecs; s++)
			if (strcmp(b->specs[s].courier, courier_code) == 0 &&
			    spec_takes(&b->specs[s], format_id, number))
				return &cs->v[i].pub;
	}
	return NULL;
}

/* The first format of spec `sp` the number is valid for, by identifying it: 1, 0 or -1. */
static int
valid_in_spec(const struct tshop_carriers *cs, const struct spec *sp, const char *number,
    struct tshop_tracking_match *m, struct tshop_err *e)
{
	size_t max = tshop_tracking_nformats(cs->t);
	struct tshop_tracking_match *all;
	int n, found = 0;

	if ((all = calloc(max ? max : 1, sizeof(*all))) == NULL)
		return tshop_errorf(e, 3, "out of memory");
	if ((n = tshop_tracking_identify_courier(cs->t, sp->courier, number, all, max, e)) < 0) {
		free(all);
		return -1;
	}
	for (int i = 0; i < n && (size_t)i < max; i++)
		if (strcmp(all[i].courier_code, sp->courier) == 0 &&
		    spec_takes(sp, all[i].format_id, all[i].number)) {
			*m = all[i];
			found = 1;
			break;
		}
	free(all);
	return found;
}

int
tshop_carrier_check(const struct tshop_carriers *cs, const struct tshop_carrier *c,
    const char *number, struct tshop_tracking_match *m,
    const struct tshop_carrier **actual, struct tshop_err *e)
{
	const struct entry *en = (const struct entry *)c;
	const struct builtin *b = en->def;
	struct tshop_tracking_match one;
	int best = TSHOP_TRACKING_NO_FORMAT, r;

	*actual = c;
	memset(m, 0, sizeof(*m));
	m->status = TSHOP_TRACKING_NO_FORMAT;
	m->courier_name = c->name;
	m->result = "none";
	if (tshop_tracking_normalize(number, m->number, sizeof(m->number)) < 0)
		m->number[0] = '\0';
	if (b == NULL || cs->t == NULL) {
		if (m->number[0] != '\0')
			m->status = TSHOP_TRACKING_VALID;
		return m->status;
	}
	for (size_t s = 0; s < b->nspecs; s++) {
		const struct spec *sp = &b->specs[s];

		if ((r = tshop_tracking_check(cs->t, sp->courier, number, &one, e)) < 0)
			return -1;
		if (r == TSHOP_TRACKING_VALID) {
			if (!spec_takes(sp, one.format_id, one.number)) {
				/* valid for another format of the courier: any of ours? */
				if ((r = valid_in_spec(cs, sp, number, &one, e)) < 0)
					return -1;
				if (r == 0)
					continue;
			}
			*m = one;
			if (c->generic) {
				const struct tshop_carrier *p = tshop_carrier_of_format(cs,
				    m->courier_code, m->format_id, m->number);

				if (p != NULL)
					*actual = p;
			}
			return m->status;
		}
		if (r < best && (one.format_id == NULL || spec_takes(sp, one.format_id, one.number))) {
			best = r;
			*m = one;
		}
	}
	if (best == TSHOP_TRACKING_NO_FORMAT) {
		m->status = TSHOP_TRACKING_NO_FORMAT;
		m->courier_name = c->name;
		m->format_id = m->format_name = NULL;
	}
	return m->status;
}

const char *
tshop_carrier_upload_name(const struct tshop_carrier *c)
{
	return c->provider_name != NULL ? c->provider_name : c->name;
}

int
tshop_carrier_upsert(struct tshop_db *db, const struct tshop_carriers *cs,
    const char *name, const char *provider_id, enum tshop_upsert_result *res,
    struct tshop_err *e)
{
	sqlite3_stmt *st;
	int rc;

	(void)cs;
	if (name == NULL || *name == '\0')
		return tshop_errorf(e, 2, "shipping provider without a name");
	if (provider_id == NULL || *provider_id == '\0')
		return tshop_errorf(e, 2, "shipping provider '%s' without a provider_id", name);
	if (tshop_db_prepare(db, &st, "SELECT provider_id FROM carrier WHERE name = ?1", e) == -1)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *old = tshop_db_col_text(st, 0);

		*res = old != NULL && strcmp(old, provider_id) == 0 ?
		    TSHOP_UPSERT_UNCHANGED : TSHOP_UPSERT_UPDATED;
	} else
		*res = TSHOP_UPSERT_NEW;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return tshop_db_error(db, e, "reading carriers");
	if (*res == TSHOP_UPSERT_UNCHANGED)
		return 0;
	if (tshop_db_prepare(db, &st, "INSERT INTO carrier (name, provider_id, updated_at) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE SET "
	    "provider_id = excluded.provider_id, updated_at = excluded.updated_at", e) == -1)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, provider_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, tshop_now());
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : tshop_db_error(db, e, "writing carriers");
}
