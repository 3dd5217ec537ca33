/*
 * api.c — the libcurl module: one global init, the plain JSON POST of
 * notifications, and the TikTok Shop Open API client.
 *
 * A call builds its query (the caller's parameters plus app_key, timestamp
 * and shop_cipher), serializes the JSON body once, and then loops: refresh
 * the token if it has expired, sign with the current time, wait for the
 * rate limiter, send, classify the answer.  Retryable faults sleep a
 * jittered exponential backoff and go round again (signed anew: the
 * timestamp moves); an expired token is refreshed once; anything else ends
 * the call with a message built from the envelope.  The body bytes that
 * are signed are the bytes handed to libcurl.  Buffers that held a secret
 * (the signing string, the token header, auth URLs) are wiped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "api.h"
#include "config.h"

#define API_MAX_ANSWER	(64L << 20)	/* bytes; a larger answer is an error */

static int
global_init(struct tshop_err *e)
{
	static int done;

	if (!done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return tshop_errorf(e, 3, "cannot initialise libcurl");
		done = 1;
	}
	return 0;
}

/* The URL up to its path, for messages: secrets may sit in the query or the path. */
static void
url_host(const char *url, char *buf, size_t n)
{
	const char *p = strstr(url, "://");
	size_t len;

	p = p ? p + 3 : url;
	len = strcspn(p, "/?#");
	snprintf(buf, n, "%.*s", (int)(p - url + len), url);
}

static size_t
discard(char *ptr, size_t size, size_t nmemb, void *ud)
{
	(void)ptr;
	(void)ud;
	return size * nmemb;
}

int
tshop_http_post_json(const char *url, const char *body, long timeout, struct tshop_err *e)
{
	CURL *h;
	CURLcode rc;
	struct curl_slist *hdr = NULL;
	long status = 0;
	char where[256];

	if (global_init(e) == -1)
		return -1;
	url_host(url, where, sizeof(where));
	if ((h = curl_easy_init()) == NULL)
		return tshop_errorf(e, 3, "cannot initialise libcurl");
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "tshop/" TSHOP_VERSION);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	if (rc != CURLE_OK)
		return tshop_errorf(e, 4, "cannot notify %s: %s", where, curl_easy_strerror(rc));
	if (status < 200 || status > 299)
		return tshop_errorf(e, 4, "cannot notify %s: HTTP status %ld", where, status);
	return 0;
}

/* ---- signing ---- */

static void
buf_wipe(struct tshop_buf *b)
{
	if (b->data != NULL)
		OPENSSL_cleanse(b->data, b->cap);
	tshop_buf_release(b);
}

void
tshop_hmac_sha256_hex(const void *key, size_t keylen, const void *msg, size_t len,
    char out[TSHOP_API_SIGN_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	if (HMAC(EVP_sha256(), key, (int)keylen, msg, len, md, &mdlen) == NULL ||
	    mdlen * 2 > TSHOP_API_SIGN_LEN)
		mdlen = 0;	/* an empty signature matches nothing */
	for (i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[2 * mdlen] = '\0';
}

static int
param_cmp(const void *a, const void *b)
{
	const struct tshop_api_param *x = *(const struct tshop_api_param *const *)a;
	const struct tshop_api_param *y = *(const struct tshop_api_param *const *)b;
	int c = strcmp(x->key, y->key);

	return c != 0 ? c : strcmp(x->value ? x->value : "", y->value ? y->value : "");
}

/* Pointers to params sorted by key in byte order (strcmp compares unsigned chars). */
static const struct tshop_api_param **
sorted_params(const struct tshop_api_param *p, size_t n)
{
	const struct tshop_api_param **v;
	size_t i;

	if ((v = calloc(n ? n : 1, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		v[i] = &p[i];
	qsort(v, n, sizeof(*v), param_cmp);
	return v;
}

int
tshop_api_sign(const char *app_secret, const char *path,
    const struct tshop_api_param *params, size_t nparams,
    const char *body, size_t body_len, char out[TSHOP_API_SIGN_LEN + 1],
    struct tshop_err *e)
{
	const struct tshop_api_param **v;
	struct tshop_buf m = TSHOP_BUF_INIT;
	size_t i;
	int rc = 0;

	out[0] = '\0';
	if ((v = sorted_params(params, nparams)) == NULL)
		return tshop_errorf(e, TSHOP_EXIT_LOCAL, "out of memory");
	rc |= tshop_buf_adds(&m, app_secret);
	rc |= tshop_buf_adds(&m, path);
	for (i = 0; i < nparams; i++) {
		if (strcmp(v[i]->key, "sign") == 0 || strcmp(v[i]->key, "access_token") == 0)
			continue;
		rc |= tshop_buf_adds(&m, v[i]->key);
		rc |= tshop_buf_adds(&m, v[i]->value ? v[i]->value : "");
	}
	if (body_len > 0)
		rc |= tshop_buf_add(&m, body, body_len);
	rc |= tshop_buf_adds(&m, app_secret);
	free(v);
	if (rc != 0) {
		buf_wipe(&m);
		return tshop_errorf(e, TSHOP_EXIT_LOCAL, "out of memory");
	}
	tshop_hmac_sha256_hex(app_secret, strlen(app_secret), m.data, m.len, out);
	buf_wipe(&m);
	return 0;
}

int
tshop_url_encode(struct tshop_buf *out, const char *s, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	char enc[3];

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' ||
		    *p == '~' || (keep_slash && *p == '/')) {
			if (tshop_buf_addc(out, (char)*p) == -1)
				return -1;
			continue;
		}
		enc[0] = '%';
		enc[1] = hex[*p >> 4];
		enc[2] = hex[*p & 0xf];
		if (tshop_buf_add(out, enc, 3) == -1)
			return -1;
	}
	return 0;
}

/* ---- answers and faults ---- */

/* True when `word` (lowercase) occurs in s, compared case-insensitively. */
static bool
mentions(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (; *s != '\0'; s++)
		if (strncasecmp(s, word, n) == 0)
			return true;
	return false;
}

enum tshop_api_fault
tshop_api_classify(enum tshop_api_net net, long http_status, long long code,
    const char *message)
{
	if (net == TSHOP_NET_TIMEOUT || net == TSHOP_NET_ERROR)
		return TSHOP_FAULT_RETRY;
	if (net == TSHOP_NET_FATAL)
		return TSHOP_FAULT_FAIL;
	switch (code) {
	case 36009002:		/* too many requests */
	case 36009003:		/* internal error */
	case 36009007:		/* request timeout */
		return TSHOP_FAULT_RETRY;
	case 105002:
		return TSHOP_FAULT_EXPIRED;
	case 106001:
		return TSHOP_FAULT_SIGNATURE;
	case 105005:
		return TSHOP_FAULT_SCOPE;
	}
	if (code > 0 && message != NULL && mentions(message, "timestamp"))
		return TSHOP_FAULT_CLOCK;
	if (http_status == 429 || (http_status >= 500 && http_status <= 599))
		return TSHOP_FAULT_RETRY;
	if (http_status < 200 || http_status > 299 || code != 0)
		return TSHOP_FAULT_FAIL;
	return TSHOP_FAULT_NONE;
}

const char *
tshop_api_fault_name(enum tshop_api_fault f)
{
	switch (f) {
	case TSHOP_FAULT_NONE:
		return "none";
	case TSHOP_FAULT_RETRY:
		return "retry";
	case TSHOP_FAULT_EXPIRED:
		return "expired";
	case TSHOP_FAULT_SIGNATURE:
		return "signature";
	case TSHOP_FAULT_CLOCK:
		return "clock";
	case TSHOP_FAULT_SCOPE:
		return "scope";
	case TSHOP_FAULT_FAIL:
		return "fail";
	}
	return "fail";
}

/* Forget the answer, keeping nothing but the attempt count. */
static void
response_clear(struct tshop_api_response *res)
{
	int attempts = res->attempts;

	cJSON_Delete(res->root);
	free(res->message);
	free(res->request_id);
	*res = (struct tshop_api_response)TSHOP_API_RESPONSE_INIT;
	res->attempts = attempts;
}

void
tshop_api_response_release(struct tshop_api_response *res)
{
	response_clear(res);
	res->attempts = 0;
}

int
tshop_api_parse_envelope(const char *body, size_t len, struct tshop_api_response *res,
    struct tshop_err *e)
{
	const cJSON *code, *msg, *rid;
	cJSON *root;

	cJSON_Delete(res->root);
	free(res->message);
	free(res->request_id);
	res->root = NULL;
	res->message = res->request_id = NULL;
	res->data = NULL;
	res->code = -1;
	root = len > 0 ? cJSON_ParseWithLength(body, len) : NULL;
	if (root == NULL || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return tshop_errorf(e, TSHOP_EXIT_REMOTE, "the answer is not a JSON object");
	}
	code = cJSON_GetObjectItemCaseSensitive(root, "code");
	if (!cJSON_IsNumber(code)) {
		cJSON_Delete(root);
		return tshop_errorf(e, TSHOP_EXIT_REMOTE, "the answer has no numeric 'code'");
	}
	res->root = root;
	res->code = (long long)code->valuedouble;
	msg = cJSON_GetObjectItemCaseSensitive(root, "message");
	rid = cJSON_GetObjectItemCaseSensitive(root, "request_id");
	if ((cJSON_IsString(msg) && (res->message = strdup(msg->valuestring)) == NULL) ||
	    (cJSON_IsString(rid) && (res->request_id = strdup(rid->valuestring)) == NULL))
		return tshop_errorf(e, TSHOP_EXIT_LOCAL, "out of memory");
	res->data = cJSON_GetObjectItemCaseSensitive(root, "data");
	return 0;
}

static const char *
json_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static long long
json_int(const cJSON *obj, const char *key, long long dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsNumber(v) ? (long long)v->valuedouble : dflt;
}

int
tshop_api_item_errors(const cJSON *data, struct tshop_buf *msg)
{
	const cJSON *errs = cJSON_GetObjectItemCaseSensitive(data, "errors");
	const cJSON *err, *detail, *extra, *x;
	const char *sku, *m;
	int n = 0, rc = 0;

	if (!cJSON_IsArray(errs))
		return 0;
	cJSON_ArrayForEach(err, errs) {
		if (!cJSON_IsObject(err))
			continue;
		detail = cJSON_GetObjectItemCaseSensitive(err, "detail");
		sku = json_str(detail, "sku_id");
		m = json_str(err, "message");
		if (n > 0)
			rc |= tshop_buf_adds(msg, "; ");
		if (sku != NULL)
			rc |= tshop_buf_addf(msg, "sku %s: ", sku);
		rc |= tshop_buf_addf(msg, "%s (code %lld)", m ? m : "error",
		    json_int(err, "code", 0));
		extra = cJSON_GetObjectItemCaseSensitive(detail, "extra_errors");
		if (cJSON_IsArray(extra)) {
			cJSON_ArrayForEach(x, extra) {
				const char *w = json_str(x, "warehouse_id"), *xm = json_str(x, "message");

				rc |= tshop_buf_addf(msg, "; warehouse %s: %s (code %lld)",
				    w ? w : "?", xm ? xm : "error", json_int(x, "code", 0));
			}
		}
		n++;
	}
	return rc != 0 ? -1 : n;
}

/* ---- retry policy and rate limit ---- */

long
tshop_api_backoff_ms(int attempt, long base_ms, long cap_ms, unsigned long rnd)
{
	long ceiling = base_ms, half;
	int i;

	if (base_ms <= 0 || cap_ms <= 0)
		return 0;
	for (i = 1; i < attempt && ceiling < cap_ms; i++)
		ceiling = ceiling > cap_ms / 2 ? cap_ms : ceiling * 2;
	if (ceiling > cap_ms)
		ceiling = cap_ms;
	half = ceiling / 2;
	return half + (long)(rnd % (unsigned long)(ceiling - half + 1));
}

void
tshop_bucket_init(struct tshop_bucket *b, double rate, double burst)
{
	b->rate = rate > 0 ? rate : 0;
	b->burst = burst >= 1 ? burst : 1;
	b->tokens = b->burst;
	b->last = -1;
}

double
tshop_bucket_take(struct tshop_bucket *b, double now)
{
	if (b->rate <= 0)
		return 0;	/* no limit */
	if (b->last >= 0 && now > b->last) {
		b->tokens += (now - b->last) * b->rate;
		if (b->tokens > b->burst)
			b->tokens = b->burst;
	}
	if (b->last < 0 || now > b->last)
		b->last = now;
	b->tokens -= 1;
	return b->tokens >= 0 ? 0 : -b->tokens / b->rate;
}

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
sleep_ms(long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static unsigned long
random_ulong(void)
{
	unsigned long r;
	struct timespec ts;

	if (RAND_bytes((unsigned char *)&r, sizeof(r)) == 1)
		return r;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long)ts.tv_nsec;
}

/* ---- the client ---- */

static void
notice(struct tshop_api *api, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
notice(struct tshop_api *api, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (api->notice == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	api->notice(api->notice_ctx, line);
}

/* An http(s) base URL from the environment variable `var`, else `dflt`, without a trailing '/'. */
static int
base_url(char **out, const char *var, const char *dflt, struct tshop_err *e)
{
	const char *v = getenv(var);
	size_t n;

	if (v == NULL || v[0] == '\0')
		v = dflt;
	if (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0)
		return tshop_errorf(e, TSHOP_EXIT_USAGE, "%s must be an http:// or https:// URL", var);
	n = strlen(v);
	while (n > 0 && v[n - 1] == '/')
		n--;
	if ((*out = strndup(v, n)) == NULL)
		return tshop_errorf(e, TSHOP_EXIT_LOCAL, "out of memory");
	return 0;
}

static int
config_int(struct tshop_db *db, const char *key, long long *out, struct tshop_err *e)
{
	struct tshop_buf v = TSHOP_BUF_INIT;
	int rc = 0;

	if (tshop_config_get(db, key, &v, e) == -1)
		rc = -1;
	else if (tshop_parse_int(tshop_buf_str(&v), 1, 1000000, out) == -1)
		rc = tshop_errorf(e, TSHOP_EXIT_LOCAL, "config %s: '%s' is not a positive integer",
		    key, tshop_buf_str(&v));
	tshop_buf_release(&v);
	return rc;
}

int
tshop_api_init(struct tshop_api *api, struct tshop_db *db, struct tshop_err *e)
{
	long long rate = 10, timeout = 30;

	memset(api, 0, sizeof(*api));
	api->cred = (struct tshop_credentials)TSHOP_CREDENTIALS_INIT;
	api->max_tries = 5;
	api->backoff_base_ms = 500;
	api->backoff_cap_ms = 30000;
	api->refresh_margin = 60;
	if (db != NULL && (config_int(db, "api.rate", &rate, e) == -1 ||
	    config_int(db, "api.timeout", &timeout, e) == -1))
		goto fail;
	api->timeout_ms = (long)timeout * 1000;
	tshop_bucket_init(&api->bucket, (double)rate, (double)rate);
	if (base_url(&api->base_url, "TSHOP_API_URL", TSHOP_API_URL_DEFAULT, e) == -1 ||
	    base_url(&api->auth_url, "TSHOP_AUTH_URL", TSHOP_AUTH_URL_DEFAULT, e) == -1 ||
	    tshop_credentials_load(&api->cred, NULL, e) == -1 || global_init(e) == -1)
		goto fail;
	return 0;
fail:
	tshop_api_release(api);
	return -1;
}

void
tshop_api_release(struct tshop_api *api)
{
	tshop_credentials_release(&api->cred);
	free(api->base_url);
	free(api->auth_url);
	api->base_url = api->auth_url = NULL;
	if (api->curl != NULL)
		curl_easy_cleanup(api->curl);
	api->curl = NULL;
}

static const char *
method_name(enum tshop_api_method m)
{
	switch (m) {
	case TSHOP_API_GET:
		return "GET";
	case TSHOP_API_POST:
		return "POST";
	case TSHOP_API_PUT:
		return "PUT";
	case TSHOP_API_DELETE:
		return "DELETE";
	}
	return "GET";
}

/* base + encoded path + "?k=v&..." (sorted) + "&sign=..." when sign is given. */
static int
build_url(struct tshop_buf *url, const char *base, const char *path,
    const struct tshop_api_param *p, size_t n, const char *sign)
{
	const struct tshop_api_param **v;
	size_t i;
	int rc = 0;

	if ((v = sorted_params(p, n)) == NULL)
		return -1;
	tshop_buf_reset(url);
	rc |= tshop_buf_adds(url, base);
	rc |= tshop_url_encode(url, path, true);
	for (i = 0; i < n; i++) {
		rc |= tshop_buf_addc(url, i == 0 ? '?' : '&');
		rc |= tshop_url_encode(url, v[i]->key, false);
		rc |= tshop_buf_addc(url, '=');
		rc |= tshop_url_encode(url, v[i]->value, false);
	}
	if (sign != NULL)
		rc |= tshop_buf_addf(url, "%ssign=%s", n == 0 ? "?" : "&", sign);
	free(v);
	return rc != 0 ? -1 : 0;
}

static size_t
collect(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct tshop_buf *b = ud;
	size_t n = size * nmemb;

	if (b->len + n > (size_t)API_MAX_ANSWER || tshop_buf_add(b, ptr, n) == -1)
		return 0;	/* libcurl fails the transfer with CURLE_WRITE_ERROR */
	return n;
}

static enum tshop_api_net
net_kind(CURLcode rc)
{
	switch (rc) {
	case CURLE_OK:
		return TSHOP_NET_OK;
	case CURLE_OPERATION_TIMEDOUT:
		return TSHOP_NET_TIMEOUT;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_FAILED_INIT:
	case CURLE_URL_MALFORMAT:
	case CURLE_NOT_BUILT_IN:
	case CURLE_WRITE_ERROR:
	case CURLE_OUT_OF_MEMORY:
	case CURLE_BAD_FUNCTION_ARGUMENT:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_TOO_MANY_REDIRECTS:
		return TSHOP_NET_FATAL;
	default:
		return TSHOP_NET_ERROR;
	}
}

/*
 * One HTTP exchange.  res gets the transport outcome, the status, the
 * envelope and the fault; no error value: every outcome is an answer to
 * classify.  `token` (may be NULL) goes in x-tts-access-token.
 */
static void
perform(struct tshop_api *api, enum tshop_api_method m, const char *url, const char *token,
    const char *body, size_t blen, struct tshop_api_response *res)
{
	struct tshop_buf answer = TSHOP_BUF_INIT, th = TSHOP_BUF_INIT;
	struct curl_slist *hdr = NULL, *s;
	CURLcode rc = CURLE_OUT_OF_MEMORY;
	CURL *h;

	response_clear(res);
	if (api->curl == NULL)
		api->curl = curl_easy_init();
	if ((h = api->curl) == NULL)
		goto done;
	curl_easy_reset(h);	/* keeps the connection cache */
	if ((hdr = curl_slist_append(hdr, "Content-Type: application/json")) == NULL ||
	    (s = curl_slist_append(hdr, "Expect:")) == NULL)
		goto done;
	if (token != NULL) {
		if (tshop_buf_addf(&th, "x-tts-access-token: %s", token) == -1 ||
		    curl_slist_append(hdr, th.data) == NULL)
			goto done;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, api->timeout_ms > 0 ? api->timeout_ms : 30000L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &answer);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "tshop/" TSHOP_VERSION);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	switch (m) {
	case TSHOP_API_GET:
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
		break;
	case TSHOP_API_POST:
	case TSHOP_API_PUT:
	case TSHOP_API_DELETE:
		if (m != TSHOP_API_POST)
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method_name(m));
		if (m != TSHOP_API_DELETE || blen > 0) {
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)blen);
		}
		break;
	}
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->http_status);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
done:
	for (s = hdr; s != NULL; s = s->next)
		OPENSSL_cleanse(s->data, strlen(s->data));
	curl_slist_free_all(hdr);
	buf_wipe(&th);
	res->net = net_kind(rc);
	if (res->net == TSHOP_NET_OK) {
		/* An answer without an envelope keeps code -1: the HTTP status decides. */
		tshop_api_parse_envelope(answer.data, answer.len, res, NULL);
	} else {
		res->message = strdup(curl_easy_strerror(rc));
	}
	res->fault = tshop_api_classify(res->net, res->http_status, res->code, res->message);
	tshop_buf_release(&answer);
}

/* The error for a call that ended in res (which failed). */
static int
fail_call(struct tshop_api *api, const char *base, const char *method, const char *path,
    const struct tshop_api_response *res, bool refreshed, struct tshop_err *e)
{
	char where[512], rid[160] = "";
	const char *msg = res->message ? res->message : "no message";

	url_host(base, where, sizeof(where) - 1);
	snprintf(where + strlen(where), sizeof(where) - strlen(where), "%s", path);
	if (res->request_id != NULL)
		snprintf(rid, sizeof(rid), ", request_id %s", res->request_id);
	if (res->net == TSHOP_NET_TIMEOUT)
		return tshop_errorf(e, TSHOP_EXIT_REMOTE,
		    "%s %s: no answer within %g s (timeout; gave up after %d attempt%s)",
		    method, where, (double)api->timeout_ms / 1000, res->attempts,
		    res->attempts == 1 ? "" : "s");
	if (res->net != TSHOP_NET_OK)
		return tshop_errorf(e, TSHOP_EXIT_REMOTE, "%s %s: %s (gave up after %d attempt%s)",
		    method, where, msg, res->attempts, res->attempts == 1 ? "" : "s");
	switch (res->fault) {
	case TSHOP_FAULT_RETRY:
		return tshop_errorf(e, TSHOP_EXIT_REMOTE,
		    "%s %s: %s (code %lld, HTTP %ld%s; gave up after %d attempts)",
		    method, where, msg, res->code, res->http_status, rid, res->attempts);
	case TSHOP_FAULT_EXPIRED:
		return tshop_errorf(e, TSHOP_EXIT_REMOTE,
		    "%s %s: %s (code %lld%s): the access token has expired%s; "
		    "authorize the shop again with 'tshop-sync auth CODE'",
		    method, where, msg, res->code, rid,
		    refreshed ? " even after a refresh" :
		    " and there is no refresh token (TSHOP_REFRESH_TOKEN)");
	case TSHOP_FAULT_SIGNATURE:
		return tshop_errorf(e, TSHOP_EXIT_REMOTE,
		    "%s %s: %s (code %lld%s): the API refused the request signature; "
		    "check TSHOP_APP_KEY and TSHOP_APP_SECRET",
		    method, where, msg, res->code, rid);
	case TSHOP_FAULT_CLOCK:
		return tshop_errorf(e, TSHOP_EXIT_REMOTE,
		    "%s %s: %s (code %lld%s): check the system clock: request timestamps "
		    "must be within 5 minutes of the real time",
		    method, where, msg, res->code, rid);
	case TSHOP_FAULT_SCOPE:
		return tshop_errorf(e, TSHOP_EXIT_REMOTE,
		    "%s %s: %s (code %lld%s): the app or the shop's authorization lacks the "
		    "access scope this call needs; enable it in Partner Center "
		    "(App & Service, Manage API), then authorize the shop again",
		    method, where, msg, res->code, rid);
	default:
		break;
	}
	if (res->code > 0)
		return tshop_errorf(e, TSHOP_EXIT_REMOTE, "%s %s: %s (code %lld, HTTP %ld%s)",
		    method, where, msg, res->code, res->http_status, rid);
	return tshop_errorf(e, TSHOP_EXIT_REMOTE, "%s %s: HTTP status %ld%s", method, where,
	    res->http_status, res->code == 0 ? "" : " (not a TikTok Shop API answer)");
}

/* Sleep before the next attempt if the answer calls for a retry and tries remain. */
static bool
retry_wait(struct tshop_api *api, const char *path, const struct tshop_api_response *res)
{
	long ms;

	if (res->fault != TSHOP_FAULT_RETRY || res->attempts >= api->max_tries)
		return false;
	ms = tshop_api_backoff_ms(res->attempts, api->backoff_base_ms, api->backoff_cap_ms,
	    random_ulong());
	if (res->net == TSHOP_NET_TIMEOUT)
		notice(api, "%s: timeout; retrying in %.1f s (attempt %d of %d)", path,
		    (double)ms / 1000, res->attempts + 1, api->max_tries);
	else if (res->net != TSHOP_NET_OK)
		notice(api, "%s: %s; retrying in %.1f s (attempt %d of %d)", path,
		    res->message ? res->message : "network error", (double)ms / 1000,
		    res->attempts + 1, api->max_tries);
	else
		notice(api, "%s: HTTP %ld, code %lld; retrying in %.1f s (attempt %d of %d)", path,
		    res->http_status, res->code, (double)ms / 1000, res->attempts + 1,
		    api->max_tries);
	api->retries++;
	sleep_ms(ms);
	return true;
}

static void
rate_wait(struct tshop_api *api)
{
	double wait = tshop_bucket_take(&api->bucket, now_mono());

	if (wait > 0)
		sleep_ms((long)(wait * 1000 + 0.5));
}

/*
 * GET a token endpoint of the auth host (unsigned: app_secret is a query
 * parameter there), retrying like any call, and store the tokens it gives.
 */
static int
token_request(struct tshop_api *api, const char *path, const char *grant_key,
    const char *grant_value, const char *grant_type, struct tshop_err *e)
{
	struct tshop_credentials *c = &api->cred;
	struct tshop_api_response res = TSHOP_API_RESPONSE_INIT;
	struct tshop_buf url = TSHOP_BUF_INIT;
	struct tshop_api_param q[4];
	const char *access, *refresh;
	int rc = -1;

	if (tshop_credentials_require(c, false, e) == -1 || global_init(e) == -1)
		return -1;
	q[0] = (struct tshop_api_param){ "app_key", c->app_key };
	q[1] = (struct tshop_api_param){ "app_secret", c->app_secret };
	q[2] = (struct tshop_api_param){ grant_key, grant_value };
	q[3] = (struct tshop_api_param){ "grant_type", grant_type };
	if (build_url(&url, api->auth_url, path, q, 4, NULL) == -1) {
		tshop_errorf(e, TSHOP_EXIT_LOCAL, "out of memory");
		goto done;
	}
	for (;;) {
		rate_wait(api);
		res.attempts++;
		perform(api, TSHOP_API_GET, url.data, NULL, NULL, 0, &res);
		if (res.fault == TSHOP_FAULT_NONE)
			break;
		if (!retry_wait(api, path, &res)) {
			fail_call(api, api->auth_url, "GET", path, &res, false, e);
			goto done;
		}
	}
	access = json_str(res.data, "access_token");
	refresh = json_str(res.data, "refresh_token");
	if (access == NULL || access[0] == '\0') {
		tshop_errorf(e, TSHOP_EXIT_REMOTE, "GET %s: the answer has no access_token", path);
		goto done;
	}
	if (tshop_credentials_set(&c->access_token, access, e) == -1 ||
	    (refresh != NULL && refresh[0] != '\0' &&
	    tshop_credentials_set(&c->refresh_token, refresh, e) == -1))
		goto done;
	c->access_expire = json_int(res.data, "access_token_expire_in", 0);
	c->refresh_expire = json_int(res.data, "refresh_token_expire_in", c->refresh_expire);
	api->refreshes++;
	if (tshop_credentials_store(c, e) == -1) {
		/* The new tokens are in memory only; the old refresh token may be spent. */
		char why[sizeof(e->msg)];

		snprintf(why, sizeof(why), "%s", e->msg);
		tshop_errorf(e, e->code, "new tokens could not be saved: %s", why);
		goto done;
	}
	rc = 0;
done:
	tshop_api_response_release(&res);
	buf_wipe(&url);
	return rc;
}

int
tshop_api_token_get(struct tshop_api *api, const char *auth_code, struct tshop_err *e)
{
	if (auth_code == NULL || auth_code[0] == '\0')
		return tshop_errorf(e, TSHOP_EXIT_USAGE, "no authorization code");
	return token_request(api, "/api/v2/token/get", "auth_code", auth_code, "authorized_code", e);
}

/*
 * Refresh under an exclusive lock on "CREDENTIALS.lock", so that two
 * programs never both spend one refresh token (TikTok may rotate it: the
 * second would be refused).  Under the lock the credentials file is read
 * again: when another program has refreshed meanwhile (the file's refresh
 * token is not ours), its tokens are taken instead of asking again.
 */
static int
refresh_locked(struct tshop_api *api, struct tshop_err *e)
{
	struct tshop_credentials *c = &api->cred, now = TSHOP_CREDENTIALS_INIT;
	struct tshop_buf lock = TSHOP_BUF_INIT;
	int fd, rc;

	if (tshop_buf_addf(&lock, "%s.lock", c->path) == -1)
		return tshop_errorf(e, TSHOP_EXIT_LOCAL, "out of memory");
	fd = open(lock.data, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1 && errno == ENOENT) {
		/* no directory yet: nobody else can hold the lock either */
		tshop_buf_release(&lock);
		notice(api, "refreshing the access token");
		return token_request(api, "/api/v2/token/refresh", "refresh_token",
		    c->refresh_token, "refresh_token", e);
	}
	if (fd == -1 || flock(fd, LOCK_EX) == -1) {
		tshop_errorf(e, TSHOP_EXIT_LOCAL, "cannot lock '%s': %s", lock.data,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		tshop_buf_release(&lock);
		return -1;
	}
	tshop_buf_release(&lock);
	if (tshop_credentials_load(&now, c->path, NULL) == 0 && now.refresh_token != NULL &&
	    now.access_token != NULL && strcmp(now.refresh_token, c->refresh_token) != 0 &&
	    strcmp(now.access_token, c->access_token ? c->access_token : "") != 0 &&
	    (now.access_expire == 0 ||
	    now.access_expire > (long long)time(NULL) + api->refresh_margin)) {
		notice(api, "another run has refreshed the access token; using it");
		rc = tshop_credentials_set(&c->access_token, now.access_token, e) == -1 ||
		    tshop_credentials_set(&c->refresh_token, now.refresh_token, e) == -1 ? -1 : 0;
		c->access_expire = now.access_expire;
		c->refresh_expire = now.refresh_expire;
	} else {
		notice(api, "refreshing the access token");
		rc = token_request(api, "/api/v2/token/refresh", "refresh_token",
		    c->refresh_token, "refresh_token", e);
	}
	tshop_credentials_release(&now);
	close(fd);	/* releases the lock */
	return rc;
}

int
tshop_api_token_refresh(struct tshop_api *api, struct tshop_err *e)
{
	const struct tshop_credentials *c = &api->cred;

	if (c->refresh_token == NULL || c->refresh_token[0] == '\0')
		return tshop_errorf(e, TSHOP_EXIT_REMOTE,
		    "no refresh token (TSHOP_REFRESH_TOKEN): authorize the shop with "
		    "'tshop-sync auth CODE'");
	if (c->refresh_expire != 0 && c->refresh_expire <= (long long)time(NULL))
		return tshop_errorf(e, TSHOP_EXIT_REMOTE,
		    "the shop's authorization (refresh token) has expired: authorize the "
		    "shop again with 'tshop-sync auth CODE'");
	if (c->path == NULL) {
		notice(api, "refreshing the access token");
		return token_request(api, "/api/v2/token/refresh", "refresh_token",
		    c->refresh_token, "refresh_token", e);
	}
	return refresh_locked(api, e);
}

/* True when the access token is missing or (nearly) expired and a refresh can fix that. */
static bool
token_stale(const struct tshop_api *api)
{
	const struct tshop_credentials *c = &api->cred;

	if (c->refresh_token == NULL || c->refresh_token[0] == '\0')
		return false;
	if (c->access_token == NULL || c->access_token[0] == '\0')
		return true;
	return c->access_expire != 0 &&
	    c->access_expire <= (long long)time(NULL) + api->refresh_margin;
}

static bool
reserved_param(const char *k)
{
	return strcmp(k, "app_key") == 0 || strcmp(k, "timestamp") == 0 ||
	    strcmp(k, "sign") == 0 || strcmp(k, "shop_cipher") == 0 ||
	    strcmp(k, "access_token") == 0;
}

int
tshop_api_call(struct tshop_api *api, const struct tshop_api_request *req,
    struct tshop_api_response *res, struct tshop_err *e)
{
	const struct tshop_credentials *c = &api->cred;
	struct tshop_api_param *q = NULL;
	struct tshop_buf url = TSHOP_BUF_INIT;
	char ts[32], sign[TSHOP_API_SIGN_LEN + 1];
	const char *method = method_name(req->method);
	char *body = NULL;
	size_t blen = 0, n = 0, i, ts_at;
	bool refreshed = false;
	int rc = -1;

	tshop_api_response_release(res);
	if (tshop_credentials_require(c, true, e) == -1 || global_init(e) == -1)
		return -1;
	if (req->path == NULL || req->path[0] != '/')
		return tshop_errorf(e, TSHOP_EXIT_USAGE, "API path must start with '/'");
	if (req->shop && (c->shop_cipher == NULL || c->shop_cipher[0] == '\0'))
		return tshop_errorf(e, TSHOP_EXIT_REMOTE,
		    "TSHOP_SHOP_CIPHER is not set: 'tshop-sync shops' shows the cipher of "
		    "each shop; set it in the environment or in '%s'",
		    c->path ? c->path : "the credentials file");
	if (req->body != NULL && req->method == TSHOP_API_GET)
		return tshop_errorf(e, TSHOP_EXIT_USAGE, "GET %s: a GET request has no body", req->path);
	if (req->body != NULL) {
		if ((body = cJSON_PrintUnformatted(req->body)) == NULL)
			return tshop_errorf(e, TSHOP_EXIT_LOCAL, "out of memory");
		blen = strlen(body);
	}
	if ((q = calloc(req->nquery + 3, sizeof(*q))) == NULL) {
		tshop_errorf(e, TSHOP_EXIT_LOCAL, "out of memory");
		goto done;
	}
	for (i = 0; i < req->nquery; i++) {
		const struct tshop_api_param *p = &req->query[i];

		if (p->key == NULL || p->value == NULL || p->value[0] == '\0' ||
		    reserved_param(p->key))
			continue;
		q[n++] = *p;
	}
	q[n++] = (struct tshop_api_param){ "app_key", c->app_key };
	ts_at = n;
	q[n++] = (struct tshop_api_param){ "timestamp", ts };
	if (req->shop)
		q[n++] = (struct tshop_api_param){ "shop_cipher", c->shop_cipher };
	for (;;) {
		if (token_stale(api) && tshop_api_token_refresh(api, e) == -1)
			goto done;
		/* The credentials may have changed: refresh the pointers. */
		q[ts_at - 1].value = c->app_key;
		if (req->shop)
			q[ts_at + 1].value = c->shop_cipher;
		snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
		if (tshop_api_sign(c->app_secret, req->path, q, n, body, blen, sign, e) == -1)
			goto done;
		if (build_url(&url, api->base_url, req->path, q, n, sign) == -1) {
			tshop_errorf(e, TSHOP_EXIT_LOCAL, "out of memory");
			goto done;
		}
		rate_wait(api);
		res->attempts++;
		perform(api, req->method, url.data, c->access_token, body, blen, res);
		if (res->fault == TSHOP_FAULT_NONE) {
			rc = 0;
			break;
		}
		if (res->fault == TSHOP_FAULT_EXPIRED && !refreshed && c->refresh_token != NULL &&
		    c->refresh_token[0] != '\0') {
			refreshed = true;
			notice(api, "%s: the access token has expired (code %lld)", req->path,
			    res->code);
			if (tshop_api_token_refresh(api, e) == -1)
				goto done;
			continue;
		}
		if (retry_wait(api, req->path, res))
			continue;
		fail_call(api, api->base_url, method, req->path, res, refreshed, e);
		break;
	}
done:
	cJSON_free(body);
	free(q);
	buf_wipe(&url);
	return rc;
}
