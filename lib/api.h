/*
 * api.h — every HTTP request tshop makes goes through here (libcurl), and
 * the TikTok Shop Open API client (SPEC §4.8): signing, the request, the
 * response envelope, the retry policy, the rate limiter and the tokens.
 * TLS verification is always on.
 *
 * A program sets up one `struct tshop_api` (tshop_api_init: credentials per
 * SPEC §2.8, TSHOP_API_URL / TSHOP_AUTH_URL, api.rate and api.timeout from
 * the database) and calls tshop_api_call() for each request:
 *
 *	struct tshop_api_param q[] = { { "page_size", "100" } };
 *	struct tshop_api_request req = { TSHOP_API_POST,
 *	    "/order/202309/orders/search", q, 1, body, true };
 *	struct tshop_api_response res = TSHOP_API_RESPONSE_INIT;
 *	if (tshop_api_call(&api, &req, &res, &e) == -1) ... res.fault says why
 *	... res.data ...
 *	tshop_api_response_release(&res);
 *
 * tshop_api_call adds app_key, timestamp (the real clock, never TSHOP_NOW),
 * shop_cipher for shop-scoped calls and sign; sends x-tts-access-token and
 * content-type: application/json; retries HTTP 429, 5xx, timeouts,
 * connection errors and codes 36009002/36009003/36009007 with jittered
 * exponential backoff, signing each attempt again; refreshes the token by
 * itself when it has expired or the API answers 105002 (once per call), and
 * writes the new tokens back to the credentials file; fails at once on
 * 106001 and every other error, with the API's message.  Messages name the
 * host and path of a request, never its query (it may hold app_secret) nor
 * a token.
 */
#ifndef TSHOP_API_H
#define TSHOP_API_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "credentials.h"
#include "util.h"

struct tshop_db;

#define TSHOP_API_URL_DEFAULT	"https://open-api.tiktokglobalshop.com"
#define TSHOP_AUTH_URL_DEFAULT	"https://auth.tiktok-shops.com"
#define TSHOP_API_SIGN_LEN	64	/* lowercase hex of HMAC-SHA256 */

/*
 * POST `body` (JSON) to `url` with a timeout in seconds.  0 when the
 * server answered 2xx; -1 otherwise with e filled (code 4).  Messages name
 * only the scheme and host of the URL: webhook URLs carry secrets.
 */
int tshop_http_post_json(const char *url, const char *body, long timeout, struct tshop_err *e);

/* ---- signing ---- */

/* A query parameter: raw (not percent-encoded) key and value. */
struct tshop_api_param {
	const char *key;
	const char *value;
};

/* Lowercase hex HMAC-SHA256 of msg keyed with key, into out (65 bytes). */
void tshop_hmac_sha256_hex(const void *key, size_t keylen, const void *msg, size_t len,
    char out[TSHOP_API_SIGN_LEN + 1]);

/*
 * The request signature of SPEC §4.8 into out (65 bytes): the parameters
 * except `sign` and `access_token`, sorted by key in byte order, as
 * key+value with no separator; the path in front; the body bytes after
 * (body may be NULL when body_len is 0); app_secret on both sides;
 * HMAC-SHA256 keyed with app_secret; lowercase hex.  Values are signed raw:
 * a page_token holding '/' or '+' is signed as is.  0, or -1 (code 3).
 */
int tshop_api_sign(const char *app_secret, const char *path,
    const struct tshop_api_param *params, size_t nparams,
    const char *body, size_t body_len, char out[TSHOP_API_SIGN_LEN + 1],
    struct tshop_err *e);

/*
 * Append s percent-encoded per RFC 3986 to out: unreserved characters
 * (A-Z a-z 0-9 - . _ ~) as they are, and '/' too when keep_slash (paths);
 * every other byte as %XX (uppercase hex).  0, or -1 when out of memory.
 */
int tshop_url_encode(struct tshop_buf *out, const char *s, bool keep_slash);

/* ---- answers and faults ---- */

/* How the transport ended. */
enum tshop_api_net {
	TSHOP_NET_OK,		/* an HTTP answer arrived */
	TSHOP_NET_TIMEOUT,	/* no (complete) answer within the timeout */
	TSHOP_NET_ERROR,	/* connection refused, reset, dropped mid-answer, DNS */
	TSHOP_NET_FATAL,	/* will not get better by retrying: bad URL, TLS verification */
};

/* What to do about an answer (tshop_api_classify). */
enum tshop_api_fault {
	TSHOP_FAULT_NONE,	/* success: HTTP 2xx and code 0 */
	TSHOP_FAULT_RETRY,	/* HTTP 429, 5xx, timeouts, connection errors, 36009002/3/7 */
	TSHOP_FAULT_EXPIRED,	/* 105002: refresh the access token, then try again */
	TSHOP_FAULT_SIGNATURE,	/* 106001: the signature was refused */
	TSHOP_FAULT_CLOCK,	/* the answer's message is about the timestamp */
	TSHOP_FAULT_SCOPE,	/* 105005: the app or token lacks an access scope */
	TSHOP_FAULT_FAIL,	/* any other error: fail at once */
};

/*
 * Classify one attempt: the transport outcome, the HTTP status, the
 * envelope code (-1 when the answer had no envelope) and message (may be
 * NULL).  Envelope codes decide before HTTP statuses.
 */
enum tshop_api_fault tshop_api_classify(enum tshop_api_net net, long http_status,
    long long code, const char *message);

/* A short name of a fault ("retry", "expired", ...), for notices and tests. */
const char *tshop_api_fault_name(enum tshop_api_fault f);

/*
 * One answer.  Start from TSHOP_API_RESPONSE_INIT; a call releases what
 * the struct held before; release it after the last call, failed or not.
 */
struct tshop_api_response {
	long http_status;		/* 0 when no answer arrived */
	enum tshop_api_net net;
	enum tshop_api_fault fault;	/* of the last attempt */
	long long code;			/* envelope code; -1 when none */
	char *message;			/* envelope message, or the transport error, or NULL */
	char *request_id;		/* envelope request_id, or NULL */
	cJSON *root;			/* the whole answer, or NULL */
	const cJSON *data;		/* root's "data", or NULL */
	int attempts;			/* attempts made by the call */
};
#define TSHOP_API_RESPONSE_INIT { 0, TSHOP_NET_OK, TSHOP_FAULT_NONE, -1, NULL, NULL, NULL, NULL, 0 }

/*
 * Parse an answer's body as the envelope {code, message, request_id, data}
 * into res (its previous contents released).  0; -1 (code 4) when the body
 * is not a JSON object with a numeric code.
 */
int tshop_api_parse_envelope(const char *body, size_t len, struct tshop_api_response *res,
    struct tshop_err *e);

void tshop_api_response_release(struct tshop_api_response *res);

/*
 * Per-item errors inside a code-0 answer (data.errors[], as Update
 * Inventory answers them): the number of errors, each described on one
 * line of msg ("sku 123: Check failed (code 12052990); warehouse 7: ...").
 * 0 when there are none; -1 when out of memory.
 */
int tshop_api_item_errors(const cJSON *data, struct tshop_buf *msg);

/* ---- retry policy and rate limit ---- */

/*
 * The wait before retry number `attempt` (1 for the first retry), in
 * milliseconds: with ceiling = min(cap_ms, base_ms * 2^(attempt-1)), a
 * value in [ceiling/2, ceiling] chosen by rnd ("equal jitter").
 */
long tshop_api_backoff_ms(int attempt, long base_ms, long cap_ms, unsigned long rnd);

/* A token bucket: `rate` requests per second, bursts of up to `burst`. */
struct tshop_bucket {
	double rate;
	double burst;
	double tokens;
	double last;		/* time of the last take, seconds; < 0 before the first */
};

void tshop_bucket_init(struct tshop_bucket *b, double rate, double burst);

/*
 * Take one token at time `now` (seconds, any monotonic origin).  Returns
 * how many seconds the caller must wait before sending (0 when a token was
 * there); the token is reserved either way.
 */
double tshop_bucket_take(struct tshop_bucket *b, double now);

/* ---- the client ---- */

enum tshop_api_method {
	TSHOP_API_GET,
	TSHOP_API_POST,
	TSHOP_API_PUT,
	TSHOP_API_DELETE,
};

struct tshop_api {
	struct tshop_credentials cred;
	char *base_url;			/* TSHOP_API_URL, no trailing '/' */
	char *auth_url;			/* TSHOP_AUTH_URL, no trailing '/' */
	long timeout_ms;		/* per attempt: api.timeout */
	int max_tries;			/* attempts per call for retryable faults (5) */
	long backoff_base_ms;		/* first retry waits 250..500 ms */
	long backoff_cap_ms;		/* 30 s */
	long refresh_margin;		/* refresh this many seconds before expiry (60) */
	struct tshop_bucket bucket;	/* api.rate */
	/* Called (when set) with one line about each retry and refresh. */
	void (*notice)(void *ctx, const char *msg);
	void *notice_ctx;
	unsigned long retries;		/* retries made so far */
	unsigned long refreshes;	/* token refreshes made so far */
	void *curl;			/* the libcurl handle, reused for keep-alive */
};

/*
 * Set up a client: credentials (tshop_credentials_load with the default
 * path), base and auth URLs from the environment, api.rate and api.timeout
 * from the database (db may be NULL: the defaults, 10/s and 30 s).
 * 0, or -1 (code 3 for a bad credentials file, 2 for a bad URL).
 */
int tshop_api_init(struct tshop_api *api, struct tshop_db *db, struct tshop_err *e);

/* Free everything, wiping secrets. */
void tshop_api_release(struct tshop_api *api);

struct tshop_api_request {
	enum tshop_api_method method;
	const char *path;		/* "/order/202309/orders/search", raw */
	const struct tshop_api_param *query;	/* without app_key, timestamp, sign */
	size_t nquery;
	const cJSON *body;		/* NULL: no body; else serialized once, signed, sent */
	bool shop;			/* shop-scoped: add shop_cipher */
};

/*
 * Send a signed request (see the top of this file).  0 on success with
 * res->data the answer's data; -1 otherwise, with res->fault, code and
 * message telling why and e filled: code 4 for everything remote, 3 when
 * the refreshed tokens could not be written back.  Empty parameter values
 * are not sent.
 */
int tshop_api_call(struct tshop_api *api, const struct tshop_api_request *req,
    struct tshop_api_response *res, struct tshop_err *e);

/*
 * GET /api/v2/token/get on the auth host with the authorization code a
 * seller's consent gave, then store the tokens (tshop_credentials_store).
 */
int tshop_api_token_get(struct tshop_api *api, const char *auth_code, struct tshop_err *e);

/* GET /api/v2/token/refresh on the auth host, then store the tokens. */
int tshop_api_token_refresh(struct tshop_api *api, struct tshop_err *e);

#endif
