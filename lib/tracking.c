/*
 * tracking.c — tracking-number formats from the embedded tracking_number_data
 * courier files: load with cJSON, match with PCRE2, check digits.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <pcre2.h>

#include "tracking.h"
#include "util.h"

#define MAX_WEIGHTS	32
#define MAX_PREPEND	16
#define SERIAL_MAX	(TSHOP_TRACKING_MAX + MAX_PREPEND)

enum ck_kind {
	CK_NONE,
	CK_MOD10,
	CK_MOD7,
	CK_S10,
	CK_SUM_PRODUCT,
	CK_MOD_37_36,
	CK_LUHN,
};

static const struct {
	const char *name;
	enum ck_kind kind;
} ck_names[] = {
	{ "mod10", CK_MOD10 },
	{ "mod7", CK_MOD7 },
	{ "s10", CK_S10 },
	{ "sum_product_with_weightings_and_modulo", CK_SUM_PRODUCT },
	{ "mod_37_36", CK_MOD_37_36 },
	{ "luhn", CK_LUHN },
};

/* A validation.additional.exists lookup: the group's value must match an entry. */
struct exists {
	const char *name;		/* the `additional` table's name */
	const char *group;		/* its regex_group_name */
	const cJSON *lookup;		/* its lookup array */
	pcre2_code **res;		/* per entry: compiled matches_regex or NULL */
	size_t n;
};

struct format {
	size_t courier;
	const char *id, *name, *url;
	char *idbuf;			/* the made-up id, when the data has none */
	pcre2_code *re;
	enum ck_kind ck;
	const char *ckname;
	int evens, odds;
	bool reverse;
	int weights[MAX_WEIGHTS];
	size_t nweights;
	int mod1, mod2;
	pcre2_code *prepend_re;		/* serial_number_format.prepend_if */
	const char *prepend;
	struct exists *exists;
	size_t nexists;
};

struct courier {
	const char *code, *name;
	size_t first, n;		/* formats[first .. first + n) */
};

struct tshop_tracking {
	cJSON **roots;			/* the parsed files; strings point here */
	size_t nroots;
	struct courier *couriers;
	size_t ncouriers;
	struct format *formats;
	size_t nformats;
	uint32_t max_capture;
};

/* ---- check digits ---- */

static int
digit_value(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : -1;
}

int
tshop_checksum_mod10(const char *serial, int evens, int odds, bool reverse)
{
	size_t n = strlen(serial), i;
	long sum = 0;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		int c = (unsigned char)serial[reverse ? n - 1 - i : i];
		long v;

		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'A' && c <= 'Z')
			v = (c - 3) % 10;
		else
			return -1;
		sum += v * (i % 2 == 0 ? evens : odds);
	}
	return '0' + (int)((10 - sum % 10) % 10);
}

int
tshop_checksum_mod7(const char *serial)
{
	int r = 0, d;

	if (*serial == '\0')
		return -1;
	for (; *serial; serial++) {
		if ((d = digit_value((unsigned char)*serial)) < 0)
			return -1;
		r = (r * 10 + d) % 7;
	}
	return '0' + r;
}

int
tshop_checksum_s10(const char *serial)
{
	static const int w[8] = { 8, 6, 4, 2, 3, 5, 9, 7 };
	int sum = 0, r, d;
	size_t i;

	if (strlen(serial) != 8)
		return -1;
	for (i = 0; i < 8; i++) {
		if ((d = digit_value((unsigned char)serial[i])) < 0)
			return -1;
		sum += d * w[i];
	}
	r = sum % 11;
	if (r == 0)
		return '5';
	if (r == 1)
		return '0';
	return '0' + 11 - r;
}

int
tshop_checksum_sum_product(const char *serial, const int *weights,
    size_t nweights, int mod1, int mod2)
{
	long sum = 0, r;
	size_t i;
	int d;

	if (nweights == 0 || strlen(serial) != nweights || mod1 <= 0 ||
	    mod2 <= 0)
		return -1;
	for (i = 0; i < nweights; i++) {
		if ((d = digit_value((unsigned char)serial[i])) < 0)
			return -1;
		sum += (long)d * weights[i];
	}
	r = sum % mod1 % mod2;
	if (r < 0 || r > 9)
		return -1;
	return '0' + (int)r;
}

int
tshop_checksum_mod_37_36(const char *serial)
{
	static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	int cd = 36, v;

	if (*serial == '\0')
		return -1;
	for (; *serial; serial++) {
		int c = (unsigned char)*serial;

		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'A' && c <= 'Z')
			v = c - 'A' + 10;
		else
			return -1;
		cd += v;
		if (cd > 36)
			cd -= 36;
		cd *= 2;
		if (cd > 36)
			cd -= 37;
	}
	cd = 37 - cd;
	if (cd == 36)
		cd = 0;
	return alphabet[cd];
}

int
tshop_checksum_luhn(const char *serial)
{
	size_t n = strlen(serial), i;
	int sum = 0, d;

	if (n == 0)
		return -1;
	/* The check digit will be rightmost: double the serial's last digit. */
	for (i = 0; i < n; i++) {
		if ((d = digit_value((unsigned char)serial[n - 1 - i])) < 0)
			return -1;
		if (i % 2 == 0) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return '0' + (10 - sum % 10) % 10;
}

/* ---- loading ---- */

static const char *
json_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* An integer parameter in [lo, hi], or `def` when absent; -1 if bad. */
static int
json_int(const cJSON *o, const char *key, int def, int lo, int hi, int *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (v == NULL || cJSON_IsNull(v)) {
		*out = def;
		return 0;
	}
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= lo &&
	    v->valuedouble <= hi) ||
	    v->valuedouble != (double)(int)v->valuedouble)
		return -1;
	*out = (int)v->valuedouble;
	return 0;
}

/* Compile `pat`; NULL with `e` filled on error.  Uses JIT when it can. */
static pcre2_code *
compile(const char *pat, const char *file, const char *what, const char *fmt,
    struct tshop_err *e)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	pcre2_code *re;
	int err;

	re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &err,
	    &off, NULL);
	if (re == NULL) {
		if (pcre2_get_error_message(err, msg, sizeof(msg)) < 0)
			msg[0] = '\0';
		tshop_errorf(e, TSHOP_EXIT_LOCAL,
		    "tracking data %s: format %s: %s: %s at offset %zu",
		    file, fmt, what, (const char *)msg, (size_t)off);
		return NULL;
	}
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	return re;
}

/* Compile `pat` anchored to the whole subject. */
static pcre2_code *
compile_whole(const char *pat, const char *file, const char *what,
    const char *fmt, struct tshop_err *e)
{
	struct tshop_buf b = TSHOP_BUF_INIT;
	pcre2_code *re;

	if (tshop_buf_adds(&b, "\\A(?:") < 0 || tshop_buf_adds(&b, pat) < 0 ||
	    tshop_buf_adds(&b, ")\\z") < 0) {
		tshop_buf_release(&b);
		tshop_errorf(e, TSHOP_EXIT_LOCAL, "out of memory");
		return NULL;
	}
	re = compile(tshop_buf_str(&b), file, what, fmt, e);
	tshop_buf_release(&b);
	return re;
}

static bool
has_group(const pcre2_code *re, const char *name)
{
	return pcre2_substring_number_from_name(re, (PCRE2_SPTR)name) >= 0;
}

/* A format id made from the courier code and the format's name. */
static char *
make_id(const char *code, const char *name)
{
	struct tshop_buf b = TSHOP_BUF_INIT;
	size_t n = strlen(code);
	bool sep = false;
	const char *p;
	int bad = 0;

	for (p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (sep && b.len > 0)
				bad |= tshop_buf_addc(&b, '_');
			bad |= tshop_buf_addc(&b, (char)c);
			sep = false;
		} else
			sep = true;
	}
	if (!bad && !(b.len >= n && strncmp(tshop_buf_str(&b), code, n) == 0 &&
	    (b.len == n || b.data[n] == '_'))) {
		struct tshop_buf id = TSHOP_BUF_INIT;

		bad |= tshop_buf_adds(&id, code);
		if (b.len > 0)
			bad |= tshop_buf_addc(&id, '_');
		bad |= tshop_buf_adds(&id, tshop_buf_str(&b));
		tshop_buf_release(&b);
		b = id;
	}
	if (bad || b.data == NULL) {
		tshop_buf_release(&b);
		return NULL;
	}
	return b.data;
}

static int
load_exists(struct format *f, const cJSON *fj, const char *name,
    struct exists *x, const char *file, struct tshop_err *e)
{
	const cJSON *add, *a, *ent;
	size_t i;

	add = cJSON_GetObjectItemCaseSensitive(fj, "additional");
	x->name = name;
	cJSON_ArrayForEach(a, add) {
		const char *an = json_str(a, "name");

		if (an != NULL && strcmp(an, name) == 0)
			break;
	}
	if (a == NULL)
		return tshop_errorf(e, TSHOP_EXIT_LOCAL, "tracking data %s: "
		    "format %s: exists names an unknown lookup '%s'", file,
		    f->id, name);
	x->group = json_str(a, "regex_group_name");
	x->lookup = cJSON_GetObjectItemCaseSensitive(a, "lookup");
	if (x->group == NULL || !has_group(f->re, x->group) ||
	    !cJSON_IsArray(x->lookup))
		return tshop_errorf(e, TSHOP_EXIT_LOCAL, "tracking data %s: "
		    "format %s: lookup '%s' has no usable group or table",
		    file, f->id, name);
	x->n = (size_t)cJSON_GetArraySize(x->lookup);
	if (x->n > 0 && (x->res = calloc(x->n, sizeof(*x->res))) == NULL)
		return tshop_errorf(e, TSHOP_EXIT_LOCAL, "out of memory");
	i = 0;
	cJSON_ArrayForEach(ent, x->lookup) {
		const char *mr = json_str(ent, "matches_regex");

		if (json_str(ent, "matches") == NULL && mr != NULL &&
		    (x->res[i] = compile_whole(mr, file, "lookup regex",
		    f->id, e)) == NULL)
			return -1;
		i++;
	}
	return 0;
}

static int
load_checksum(struct format *f, const cJSON *ck, const char *file,
    struct tshop_err *e)
{
	const char *name = json_str(ck, "name");
	const cJSON *w, *wv;
	size_t i;

	if (name == NULL)
		return tshop_errorf(e, TSHOP_EXIT_LOCAL, "tracking data %s: "
		    "format %s: checksum without a name", file, f->id);
	for (i = 0; i < sizeof(ck_names) / sizeof(ck_names[0]); i++)
		if (strcmp(ck_names[i].name, name) == 0)
			break;
	if (i == sizeof(ck_names) / sizeof(ck_names[0]))
		return tshop_errorf(e, TSHOP_EXIT_LOCAL, "tracking data %s: "
		    "format %s: unknown checksum '%s'", file, f->id, name);
	f->ck = ck_names[i].kind;
	f->ckname = ck_names[i].name;
	if (!has_group(f->re, "SerialNumber") || !has_group(f->re, "CheckDigit"))
		return tshop_errorf(e, TSHOP_EXIT_LOCAL, "tracking data %s: "
		    "format %s: checksum without SerialNumber and CheckDigit "
		    "groups", file, f->id);
	switch (f->ck) {
	case CK_MOD10:
		if (json_int(ck, "evens_multiplier", 1, 0, 100, &f->evens) < 0 ||
		    json_int(ck, "odds_multiplier", 1, 0, 100, &f->odds) < 0)
			goto bad;
		w = cJSON_GetObjectItemCaseSensitive(ck, "reverse");
		f->reverse = cJSON_IsTrue(w);
		break;
	case CK_SUM_PRODUCT:
		if (json_int(ck, "modulo1", 0, 1, 1000, &f->mod1) < 0 ||
		    json_int(ck, "modulo2", 0, 1, 10, &f->mod2) < 0 ||
		    f->mod1 == 0 || f->mod2 == 0)
			goto bad;
		w = cJSON_GetObjectItemCaseSensitive(ck, "weightings");
		if (!cJSON_IsArray(w) || cJSON_GetArraySize(w) < 1 ||
		    cJSON_GetArraySize(w) > MAX_WEIGHTS)
			goto bad;
		cJSON_ArrayForEach(wv, w) {
			if (!cJSON_IsNumber(wv) || !(wv->valuedouble >= 0 &&
			    wv->valuedouble <= 1000))
				goto bad;
			f->weights[f->nweights++] = (int)wv->valuedouble;
		}
		break;
	default:
		break;
	}
	return 0;
bad:
	return tshop_errorf(e, TSHOP_EXIT_LOCAL, "tracking data %s: format %s: "
	    "bad parameters for checksum %s", file, f->id, name);
}

static int
load_format(struct tshop_tracking *t, struct format *f, const cJSON *fj,
    const char *code, const char *file, struct tshop_err *e)
{
	struct tshop_buf pat = TSHOP_BUF_INIT;
	const cJSON *rx, *part, *val, *snf, *pi, *add, *ex, *xn;
	uint32_t cap;
	size_t i;
	int bad = 0;

	if ((f->name = json_str(fj, "name")) == NULL)
		return tshop_errorf(e, TSHOP_EXIT_LOCAL,
		    "tracking data %s: a format has no name", file);
	if ((f->id = json_str(fj, "id")) == NULL) {
		if ((f->idbuf = make_id(code, f->name)) == NULL)
			return tshop_errorf(e, TSHOP_EXIT_LOCAL,
			    "out of memory");
		f->id = f->idbuf;
	}
	f->url = json_str(fj, "tracking_url");

	rx = cJSON_GetObjectItemCaseSensitive(fj, "regex");
	if (cJSON_IsString(rx))
		bad |= tshop_buf_adds(&pat, rx->valuestring);
	else if (cJSON_IsArray(rx)) {
		cJSON_ArrayForEach(part, rx) {
			if (!cJSON_IsString(part)) {
				tshop_buf_release(&pat);
				goto badregex;
			}
			bad |= tshop_buf_adds(&pat, part->valuestring);
		}
	} else
		goto badregex;
	if (bad) {
		tshop_buf_release(&pat);
		return tshop_errorf(e, TSHOP_EXIT_LOCAL, "out of memory");
	}
	f->re = compile_whole(tshop_buf_str(&pat), file, "regex", f->id, e);
	tshop_buf_release(&pat);
	if (f->re == NULL)
		return -1;
	if (pcre2_pattern_info(f->re, PCRE2_INFO_CAPTURECOUNT, &cap) == 0 &&
	    cap > t->max_capture)
		t->max_capture = cap;

	val = cJSON_GetObjectItemCaseSensitive(fj, "validation");
	part = cJSON_GetObjectItemCaseSensitive(val, "checksum");
	if (cJSON_IsObject(part) && load_checksum(f, part, file, e) < 0)
		return -1;

	/* serial_number_format sits in validation in the data; accept both. */
	snf = cJSON_GetObjectItemCaseSensitive(val, "serial_number_format");
	if (snf == NULL)
		snf = cJSON_GetObjectItemCaseSensitive(fj,
		    "serial_number_format");
	pi = cJSON_GetObjectItemCaseSensitive(snf, "prepend_if");
	if (pi != NULL) {
		const char *mr = json_str(pi, "matches_regex");

		f->prepend = json_str(pi, "content");
		if (mr == NULL || f->prepend == NULL ||
		    strlen(f->prepend) > MAX_PREPEND)
			return tshop_errorf(e, TSHOP_EXIT_LOCAL, "tracking data "
			    "%s: format %s: bad prepend_if", file, f->id);
		if ((f->prepend_re = compile(mr, file, "prepend_if", f->id,
		    e)) == NULL)
			return -1;
	}

	add = cJSON_GetObjectItemCaseSensitive(val, "additional");
	ex = cJSON_GetObjectItemCaseSensitive(add, "exists");
	if (ex != NULL) {
		if (!cJSON_IsArray(ex))
			return tshop_errorf(e, TSHOP_EXIT_LOCAL, "tracking data "
			    "%s: format %s: bad exists", file, f->id);
		f->nexists = (size_t)cJSON_GetArraySize(ex);
		if (f->nexists > 0 && (f->exists = calloc(f->nexists,
		    sizeof(*f->exists))) == NULL) {
			f->nexists = 0;
			return tshop_errorf(e, TSHOP_EXIT_LOCAL,
			    "out of memory");
		}
		i = 0;
		cJSON_ArrayForEach(xn, ex) {
			if (!cJSON_IsString(xn))
				return tshop_errorf(e, TSHOP_EXIT_LOCAL,
				    "tracking data %s: format %s: bad exists",
				    file, f->id);
			if (load_exists(f, fj, xn->valuestring,
			    &f->exists[i++], file, e) < 0)
				return -1;
		}
	}
	return 0;
badregex:
	return tshop_errorf(e, TSHOP_EXIT_LOCAL,
	    "tracking data %s: format %s: no regex", file, f->id);
}

static bool
is_courier_file(const char *name)
{
	size_t n = strlen(name);

	return strncmp(name, "couriers/", 9) == 0 && n > 14 &&
	    strcmp(name + n - 5, ".json") == 0;
}

int
tshop_tracking_load(struct tshop_tracking **tp, struct tshop_err *e)
{
	struct tshop_tracking *t;
	const struct tshop_tracking_file *tf;
	const cJSON *tn, *fj;
	size_t i, j, k, nf = 0, fi = 0;

	*tp = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->roots = calloc(tshop_tracking_nfiles + 1,
	    sizeof(*t->roots))) == NULL)
		goto nomem;
	for (i = 0; i < tshop_tracking_nfiles; i++) {
		cJSON *root;

		tf = &tshop_tracking_files[i];
		if (!is_courier_file(tf->name))
			continue;
		if ((root = cJSON_ParseWithLength(tf->data, tf->len)) == NULL) {
			tshop_errorf(e, TSHOP_EXIT_LOCAL,
			    "tracking data %s: not valid JSON (or out of memory)",
			    tf->name);
			goto fail;
		}
		t->roots[t->nroots++] = root;
		tn = cJSON_GetObjectItemCaseSensitive(root, "tracking_numbers");
		if (json_str(root, "courier_code") == NULL ||
		    json_str(root, "name") == NULL || !cJSON_IsArray(tn)) {
			tshop_errorf(e, TSHOP_EXIT_LOCAL, "tracking data %s: "
			    "no courier_code, name or tracking_numbers",
			    tf->name);
			goto fail;
		}
		nf += (size_t)cJSON_GetArraySize(tn);
	}
	if (t->nroots == 0) {
		tshop_errorf(e, TSHOP_EXIT_LOCAL, "tracking data: no courier");
		goto fail;
	}
	if ((t->couriers = calloc(t->nroots, sizeof(*t->couriers))) == NULL ||
	    (t->formats = calloc(nf > 0 ? nf : 1, sizeof(*t->formats))) == NULL)
		goto nomem;
	for (i = 0, j = 0; i < tshop_tracking_nfiles; i++) {
		struct courier *c;
		const cJSON *root;

		tf = &tshop_tracking_files[i];
		if (!is_courier_file(tf->name))
			continue;
		root = t->roots[j];
		c = &t->couriers[j];
		c->code = json_str(root, "courier_code");
		c->name = json_str(root, "name");
		c->first = fi;
		tn = cJSON_GetObjectItemCaseSensitive(root, "tracking_numbers");
		cJSON_ArrayForEach(fj, tn) {
			struct format *f = &t->formats[fi++];

			t->nformats = fi;
			f->courier = j;
			if (load_format(t, f, fj, c->code, tf->name, e) < 0)
				goto fail;
			c->n++;
		}
		t->ncouriers = ++j;
	}
	for (i = 0; i < t->nformats; i++)
		for (k = i + 1; k < t->nformats; k++)
			if (strcmp(t->formats[i].id, t->formats[k].id) == 0) {
				tshop_errorf(e, TSHOP_EXIT_LOCAL, "tracking data: "
				    "duplicate format id '%s'",
				    t->formats[i].id);
				goto fail;
			}
	*tp = t;
	return 0;
nomem:
	tshop_errorf(e, TSHOP_EXIT_LOCAL, "out of memory");
fail:
	tshop_tracking_free(t);
	return -1;
}

void
tshop_tracking_free(struct tshop_tracking *t)
{
	size_t i, j, k;

	if (t == NULL)
		return;
	for (i = 0; i < t->nformats; i++) {
		struct format *f = &t->formats[i];

		pcre2_code_free(f->re);
		pcre2_code_free(f->prepend_re);
		for (j = 0; j < f->nexists; j++) {
			if (f->exists[j].res != NULL)
				for (k = 0; k < f->exists[j].n; k++)
					pcre2_code_free(f->exists[j].res[k]);
			free(f->exists[j].res);
		}
		free(f->exists);
		free(f->idbuf);
	}
	free(t->formats);
	free(t->couriers);
	if (t->roots != NULL)
		for (i = 0; i < t->nroots; i++)
			cJSON_Delete(t->roots[i]);
	free(t->roots);
	free(t);
}

/* ---- queries ---- */

int
tshop_tracking_normalize(const char *in, char *out, size_t outsz)
{
	size_t n = 0;

	if (outsz == 0)
		return -1;
	for (; *in; in++) {
		unsigned char c = (unsigned char)*in;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\v' || c == '\f')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 'a' + 'A');
		if (n + 1 >= outsz)
			return -1;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return (int)n;
}

size_t
tshop_tracking_ncouriers(const struct tshop_tracking *t)
{
	return t->ncouriers;
}

const char *
tshop_tracking_courier_code(const struct tshop_tracking *t, size_t i)
{
	return i < t->ncouriers ? t->couriers[i].code : NULL;
}

const char *
tshop_tracking_courier_name(const struct tshop_tracking *t, size_t i)
{
	return i < t->ncouriers ? t->couriers[i].name : NULL;
}

size_t
tshop_tracking_courier_nformats(const struct tshop_tracking *t, size_t i)
{
	return i < t->ncouriers ? t->couriers[i].n : 0;
}

size_t
tshop_tracking_nformats(const struct tshop_tracking *t)
{
	return t->nformats;
}

int
tshop_tracking_find_courier(const struct tshop_tracking *t, const char *s)
{
	size_t i;

	for (i = 0; i < t->ncouriers; i++)
		if (tshop_streq_nocase(t->couriers[i].code, s) ||
		    tshop_streq_nocase(t->couriers[i].name, s))
			return (int)i;
	return -1;
}

static void
describe_courier(const struct tshop_tracking *t, size_t ci,
    struct tshop_tracking_match *m)
{
	memset(m, 0, sizeof(*m));
	m->status = TSHOP_TRACKING_NO_FORMAT;
	m->courier_code = t->couriers[ci].code;
	m->courier_name = t->couriers[ci].name;
	m->result = "none";
}

static void
describe_format(const struct tshop_tracking *t, const struct format *f,
    struct tshop_tracking_match *m)
{
	describe_courier(t, f->courier, m);
	m->format_id = f->id;
	m->format_name = f->name;
	m->checksum = f->ckname;
	m->has_checksum = f->ck != CK_NONE;
	m->tracking_url = f->url;
}

int
tshop_tracking_format(const struct tshop_tracking *t, size_t i, size_t k,
    struct tshop_tracking_match *m)
{
	if (i >= t->ncouriers || k >= t->couriers[i].n)
		return -1;
	describe_format(t, &t->formats[t->couriers[i].first + k], m);
	return 0;
}

/* Matching state for one call: the main match data and a small one. */
struct matcher {
	pcre2_match_data *md, *aux;
};

static int
matcher_init(const struct tshop_tracking *t, struct matcher *mt,
    struct tshop_err *e)
{
	mt->md = pcre2_match_data_create(t->max_capture + 1, NULL);
	mt->aux = pcre2_match_data_create(1, NULL);
	if (mt->md == NULL || mt->aux == NULL) {
		pcre2_match_data_free(mt->md);
		pcre2_match_data_free(mt->aux);
		return tshop_errorf(e, TSHOP_EXIT_LOCAL, "out of memory");
	}
	return 0;
}

static void
matcher_done(struct matcher *mt)
{
	pcre2_match_data_free(mt->md);
	pcre2_match_data_free(mt->aux);
}

/* 1 on match, 0 on none, -1 with `e` filled on a matching error. */
static int
run(const pcre2_code *re, const char *s, size_t len, pcre2_match_data *md,
    const char *id, struct tshop_err *e)
{
	PCRE2_UCHAR msg[256];
	int rc;

	rc = pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, md, NULL);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (pcre2_get_error_message(rc, msg, sizeof(msg)) < 0)
		msg[0] = '\0';
	return tshop_errorf(e, TSHOP_EXIT_LOCAL, "tracking format %s: %s", id,
	    (const char *)msg);
}

/* Copy group `name` of the last match into buf; -1 when unset or too long. */
static int
group(pcre2_match_data *md, const char *name, char *buf, size_t size)
{
	PCRE2_SIZE len = size;

	if (pcre2_substring_copy_byname(md, (PCRE2_SPTR)name,
	    (PCRE2_UCHAR *)buf, &len) < 0)
		return -1;
	return (int)len;
}

static int
expected_check(const struct format *f, const char *serial)
{
	switch (f->ck) {
	case CK_MOD10:
		return tshop_checksum_mod10(serial, f->evens, f->odds,
		    f->reverse);
	case CK_MOD7:
		return tshop_checksum_mod7(serial);
	case CK_S10:
		return tshop_checksum_s10(serial);
	case CK_SUM_PRODUCT:
		return tshop_checksum_sum_product(serial, f->weights,
		    f->nweights, f->mod1, f->mod2);
	case CK_MOD_37_36:
		return tshop_checksum_mod_37_36(serial);
	case CK_LUHN:
		return tshop_checksum_luhn(serial);
	case CK_NONE:
		break;
	}
	return -1;
}

/* Does `value` match an entry of the lookup?  1 yes, 0 no, -1 error. */
static int
lookup(const struct exists *x, const char *value, struct matcher *mt,
    const char *id, struct tshop_err *e)
{
	const cJSON *ent;
	const char *s;
	size_t i = 0;
	int r;

	cJSON_ArrayForEach(ent, x->lookup) {
		if ((s = json_str(ent, "matches")) != NULL) {
			if (strcmp(s, value) == 0)
				return 1;
		} else if (x->res[i] != NULL) {
			r = run(x->res[i], value, strlen(value), mt->aux, id, e);
			if (r != 0)
				return r;
		}
		i++;
	}
	return 0;
}

/*
 * Match the normalised `num` against format f: the status (NO_FORMAT when
 * the regex does not match), with `m` filled; -1 on error.
 */
static int
match_format(const struct tshop_tracking *t, const struct format *f,
    const char *num, size_t len, struct matcher *mt,
    struct tshop_tracking_match *m, struct tshop_err *e)
{
	char serial[SERIAL_MAX + 1], cd[TSHOP_TRACKING_MAX + 1];
	char value[TSHOP_TRACKING_MAX + 1];
	size_t i, pl;
	int r, want;

	describe_format(t, f, m);
	memcpy(m->number, num, len + 1);
	if ((r = run(f->re, num, len, mt->md, f->id, e)) <= 0)
		return r < 0 ? -1 : (int)TSHOP_TRACKING_NO_FORMAT;

	/*
	 * Other regexes (prepend_if, lookups) run on mt->aux, so the groups
	 * of this match stay readable in mt->md.
	 */
	if (f->ck != CK_NONE) {
		char *sp;

		pl = f->prepend != NULL ? strlen(f->prepend) : 0;
		sp = serial + pl;
		if (group(mt->md, "SerialNumber", sp, sizeof(serial) - pl) < 0)
			sp[0] = '\0';
		if (group(mt->md, "CheckDigit", cd, sizeof(cd)) != 1)
			cd[0] = '\0';
		m->check_digit = cd[0];

		if (f->prepend_re != NULL) {
			r = run(f->prepend_re, sp, strlen(sp), mt->aux, f->id,
			    e);
			if (r < 0)
				return -1;
			if (r > 0) {
				memcpy(serial, f->prepend, pl);
				sp = serial;
			}
		}
		want = expected_check(f, sp);
		m->checksum_ok = want >= 0 && cd[0] != '\0' && want == cd[0];
		m->result = m->checksum_ok ? "pass" : "fail";
		if (!m->checksum_ok) {
			m->expected = want >= 0 ? (char)want : '\0';
			m->status = TSHOP_TRACKING_BAD_CHECK;
			return m->status;
		}
	}
	for (i = 0; i < f->nexists; i++) {
		const struct exists *x = &f->exists[i];

		if (group(mt->md, x->group, value, sizeof(value)) < 0)
			value[0] = '\0';
		if ((r = lookup(x, value, mt, f->id, e)) < 0)
			return -1;
		if (r == 0) {
			m->field = x->name;
			m->group = x->group;
			memcpy(m->value, value, strlen(value) + 1);
			m->status = TSHOP_TRACKING_BAD_FIELD;
			return m->status;
		}
	}
	m->status = TSHOP_TRACKING_VALID;
	return m->status;
}

static int identify(const struct tshop_tracking *t, size_t only, const char *number,
    struct tshop_tracking_match *m, size_t max, struct tshop_err *e);

int
tshop_tracking_identify(const struct tshop_tracking *t, const char *number,
    struct tshop_tracking_match *m, size_t max, struct tshop_err *e)
{
	return identify(t, SIZE_MAX, number, m, max, e);
}

int
tshop_tracking_identify_courier(const struct tshop_tracking *t, const char *courier,
    const char *number, struct tshop_tracking_match *m, size_t max, struct tshop_err *e)
{
	int ci = tshop_tracking_find_courier(t, courier);

	return ci < 0 ? 0 : identify(t, (size_t)ci, number, m, max, e);
}

/* The formats `number` is valid for: of every courier, or of courier index `only`. */
static int
identify(const struct tshop_tracking *t, size_t only, const char *number,
    struct tshop_tracking_match *m, size_t max, struct tshop_err *e)
{
	char num[TSHOP_TRACKING_MAX + 1];
	struct tshop_tracking_match one;
	struct matcher mt;
	size_t i;
	int len, r, count = 0;

	if ((len = tshop_tracking_normalize(number, num, sizeof(num))) <= 0)
		return 0;
	if (matcher_init(t, &mt, e) < 0)
		return -1;
	for (i = 0; i < t->nformats; i++) {
		if (only != SIZE_MAX && t->formats[i].courier != only)
			continue;
		r = match_format(t, &t->formats[i], num, (size_t)len, &mt,
		    &one, e);
		if (r < 0) {
			count = -1;
			break;
		}
		if (r == TSHOP_TRACKING_VALID) {
			if ((size_t)count < max)
				m[count] = one;
			count++;
		}
	}
	matcher_done(&mt);
	return count;
}

int
tshop_tracking_check(const struct tshop_tracking *t, const char *courier,
    const char *number, struct tshop_tracking_match *m, struct tshop_err *e)
{
	char num[TSHOP_TRACKING_MAX + 1];
	struct tshop_tracking_match one;
	const struct courier *c;
	struct matcher mt;
	size_t i;
	int ci, len, r, best = TSHOP_TRACKING_NO_FORMAT;

	if ((ci = tshop_tracking_find_courier(t, courier)) < 0)
		return tshop_errorf(e, TSHOP_EXIT_USAGE,
		    "unknown courier '%s'", courier);
	c = &t->couriers[ci];
	describe_courier(t, (size_t)ci, m);
	len = tshop_tracking_normalize(number, num, sizeof(num));
	if (len < 0) {
		memcpy(m->number, num, sizeof(m->number) - 1);
		m->number[sizeof(m->number) - 1] = '\0';
		return m->status;
	}
	memcpy(m->number, num, (size_t)len + 1);
	if (len == 0)
		return m->status;
	if (matcher_init(t, &mt, e) < 0)
		return -1;
	for (i = 0; i < c->n && best != TSHOP_TRACKING_VALID; i++) {
		r = match_format(t, &t->formats[c->first + i], num,
		    (size_t)len, &mt, &one, e);
		if (r < 0) {
			matcher_done(&mt);
			return -1;
		}
		if (r < best) {
			best = r;
			*m = one;
		}
	}
	matcher_done(&mt);
	return m->status;
}

const char *
tshop_tracking_license(void)
{
	size_t i;

	for (i = 0; i < tshop_tracking_nfiles; i++)
		if (strcmp(tshop_tracking_files[i].name, "LICENSE") == 0)
			return tshop_tracking_files[i].data;
	return "";
}
