/*
 * fuzz_tracking.c — the tracking-number matcher: tshop_tracking_normalize,
 * tshop_tracking_identify over every format, and tshop_tracking_check
 * against one courier (chosen by the first byte).  Properties: identify
 * reports at most every format and only VALID matches; check's status is
 * one of the four, and a VALID check names a format of that courier.
 */
#include "fuzz.h"
#include "tracking.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tshop_tracking *t;
	static struct tshop_tracking_match *m;
	static size_t nformats;
	struct tshop_tracking_match one;
	struct tshop_err e;
	char norm[TSHOP_TRACKING_MAX + 1], *s;
	const char *courier;
	int n;

	if (t == NULL) {
		if (tshop_tracking_load(&t, &e) == -1)
			abort();
		nformats = tshop_tracking_nformats(t);
		if ((m = calloc(nformats, sizeof(*m))) == NULL)
			abort();
	}
	if (size == 0)
		return 0;
	courier = tshop_tracking_courier_code(t, data[0] % tshop_tracking_ncouriers(t));
	s = fuzz_cstr(data + 1, size - 1);
	n = tshop_tracking_normalize(s, norm, sizeof(norm));
	FUZZ_ASSERT(n >= -1 && n <= TSHOP_TRACKING_MAX);
	n = tshop_tracking_identify(t, s, m, nformats, &e);
	FUZZ_ASSERT(n >= -1 && (size_t)(n < 0 ? 0 : n) <= nformats);
	for (int i = 0; i < n; i++)
		FUZZ_ASSERT(m[i].status == TSHOP_TRACKING_VALID && m[i].format_id != NULL);
	if (tshop_tracking_check(t, courier, s, &one, &e) != -1) {
		FUZZ_ASSERT(one.status <= TSHOP_TRACKING_NO_FORMAT);
		if (one.status == TSHOP_TRACKING_VALID)
			FUZZ_ASSERT(one.format_id != NULL && strcmp(one.courier_code, courier) == 0);
	}
	free(s);
	return 0;
}
