/*
 * test_api.c — the TikTok Shop API client: signing (the two known answers
 * of SPEC §4.8 and vectors computed by hand with `openssl dgst -sha256
 * -hmac` and Python's hmac), percent-encoding, the envelope, fault
 * classification, backoff bounds, the token bucket, credentials (mode
 * refusal, atomic 0600 write-back), the webhook signature check, and then
 * the client against tests/fake_tiktok.py on 127.0.0.1 (skipped when
 * python3 is missing).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "api.h"
#include "credentials.h"
#include "webhook.h"
#include "unit.h"

static char dir[] = "/tmp/test_api.XXXXXX";
static char script[PATH_MAX];
static pid_t server_pid = -1;
static char server_url[128];

#define NPARAMS(a) (sizeof(a) / sizeof((a)[0]))

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *fp;

	if ((fp = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, fp);
	fclose(fp);
	chmod(path, mode);
}

/* The whole file as a malloc'ed string ("" when missing). */
static char *
slurp(const char *path)
{
	struct tshop_buf b = TSHOP_BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *fp;

	if ((fp = fopen(path, "r")) != NULL) {
		while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
			tshop_buf_add(&b, chunk, n);
		fclose(fp);
	}
	tshop_buf_adds(&b, "");
	return b.data;
}

static bool
contains(const char *hay, const char *needle)
{
	return hay != NULL && strstr(hay, needle) != NULL;
}

static void
clear_env(void)
{
	static const char *vars[] = {
		"TSHOP_APP_KEY", "TSHOP_APP_SECRET", "TSHOP_ACCESS_TOKEN", "TSHOP_REFRESH_TOKEN",
		"TSHOP_SHOP_CIPHER", "TSHOP_ACCESS_TOKEN_EXPIRE_IN", "TSHOP_REFRESH_TOKEN_EXPIRE_IN",
		"TSHOP_API_URL", "TSHOP_AUTH_URL",
	};
	size_t i;

	for (i = 0; i < NPARAMS(vars); i++)
		unsetenv(vars[i]);
	/* Nothing here may reach the internet, even by mistake: port 9 is discard. */
	setenv("TSHOP_API_URL", "http://127.0.0.1:9", 1);
	setenv("TSHOP_AUTH_URL", "http://127.0.0.1:9", 1);
}

/* ---- signing ---- */

static void
test_sign(void)
{
	char sig[TSHOP_API_SIGN_LEN + 1];
	struct tshop_err e;
	const char *body = "{\"update_time_ge\":1700000000,\"update_time_lt\":1700003600}";

	struct tshop_api_param v1[] = { { "timestamp", "1623812664" }, { "app_key", "29a39d" } };
	tshop_api_sign("e59af819cc", "/authorization/202309/shops", v1, NPARAMS(v1), NULL, 0,
	    sig, &e);
	STR_EQ(sig, "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8",
	    "known answer 1 (doc): GET /authorization/202309/shops");

	struct tshop_api_param v4[] = { { "foo", "bar" } };
	tshop_api_sign("app_secret", "/test-api", v4, 1, NULL, 0, sig, &e);
	STR_EQ(sig, "d3cb7fe11ecae942802ceeca67e7cf10120cc12f1517d45fbc1c8cfe5413c80f",
	    "known answer 2: GET /test-api foo=bar");

	/* POST with a body; sign and access_token are left out of the string. */
	struct tshop_api_param post[] = {
		{ "shop_cipher", "GCP_XYZ" }, { "sign", "zzz" }, { "timestamp", "1700000000" },
		{ "access_token", "tok" }, { "page_size", "100" }, { "app_key", "abc123" },
	};
	tshop_api_sign("s3cr3t_K3y", "/order/202309/orders/search", post, NPARAMS(post),
	    body, strlen(body), sig, &e);
	STR_EQ(sig, "fa715630b3378d2a40aec209d9086ccd5934a043253f434a95a6fee9b8a9649e",
	    "POST with a body, sign and access_token not signed");

	/* The same, page 2: a page_token with '/', '+' and '=' is signed raw. */
	struct tshop_api_param page[] = {
		{ "app_key", "abc123" }, { "page_token", "6AsPQsUM/+N5M1k+HYcZ/Q==" },
		{ "timestamp", "1700000000" }, { "shop_cipher", "GCP_XYZ" }, { "page_size", "100" },
	};
	tshop_api_sign("s3cr3t_K3y", "/order/202309/orders/search", page, NPARAMS(page),
	    body, strlen(body), sig, &e);
	STR_EQ(sig, "c5e2154a4f6d35cbe0b7e70cfabb8669f52fc63846932c6b9b261fef71b6c887",
	    "paginated POST: page_token with '/' and '+' signed raw");

	struct tshop_api_param get[] = {
		{ "sort_field", "statement_time" }, { "page_token", "ab/c+d" },
		{ "page_size", "20" }, { "app_key", "abc123" }, { "timestamp", "1700000000" },
		{ "shop_cipher", "GCP_XYZ" },
	};
	tshop_api_sign("s3cr3t_K3y", "/finance/202309/statements", get, NPARAMS(get), NULL, 0,
	    sig, &e);
	STR_EQ(sig, "1fbc7c486eeb9e013d893423bac17e4342b9071d360ede842787eadf5aada6af",
	    "paginated GET of statements");

	/* A body byte more or less changes everything. */
	tshop_api_sign("s3cr3t_K3y", "/order/202309/orders/search", post, NPARAMS(post),
	    body, strlen(body) - 1, sig, &e);
	OK(strcmp(sig, "fa715630b3378d2a40aec209d9086ccd5934a043253f434a95a6fee9b8a9649e") != 0,
	    "the body bytes are signed");
	INT_EQ(strlen(sig), 64, "signature is 64 hex digits");
}

static void
test_encode(void)
{
	struct tshop_buf b = TSHOP_BUF_INIT;

	tshop_url_encode(&b, "6AsPQsUM/+N5M1k+HYcZ/Q==", false);
	STR_EQ(tshop_buf_str(&b), "6AsPQsUM%2F%2BN5M1k%2BHYcZ%2FQ%3D%3D",
	    "page_token: '/', '+', '=' percent-encoded");
	tshop_buf_reset(&b);
	tshop_url_encode(&b, "a b~-._&?%", false);
	STR_EQ(tshop_buf_str(&b), "a%20b~-._%26%3F%25", "space and reserved characters");
	tshop_buf_reset(&b);
	tshop_url_encode(&b, "caf\xc3\xa9", false);
	STR_EQ(tshop_buf_str(&b), "caf%C3%A9", "UTF-8 bytes, uppercase hex");
	tshop_buf_reset(&b);
	tshop_url_encode(&b, "/fulfillment/202309/orders/57 6/packages", true);
	STR_EQ(tshop_buf_str(&b), "/fulfillment/202309/orders/57%206/packages",
	    "paths keep their slashes");
	tshop_buf_release(&b);
}

/* ---- answers ---- */

static void
test_envelope(void)
{
	struct tshop_api_response res = TSHOP_API_RESPONSE_INIT;
	struct tshop_err e;
	const char *shops = "{\"code\":0,\"data\":{\"shops\":[{\"id\":\"7000714532876273420\","
	    "\"name\":\"Maomao beauty shop\",\"region\":\"GB\",\"seller_type\":\"CROSS_BORDER\","
	    "\"cipher\":\"GCP_XF90igAAAABh00qsWgtvOiGFNqyubMt3\",\"code\":\"CNGBCBA4LLU8\"}]},"
	    "\"message\":\"Success\",\"request_id\":\"202203070749000101890810281E8C70B7\"}";
	const char *err = "{\"code\":106001,\"message\":\"Invalid credentials. The `sign` query "
	    "parameter is invalid.\",\"request_id\":\"X1\"}";
	const cJSON *s;

	INT_EQ(tshop_api_parse_envelope(shops, strlen(shops), &res, &e), 0, "envelope parsed");
	INT_EQ(res.code, 0, "code 0");
	STR_EQ(res.message, "Success", "message");
	STR_EQ(res.request_id, "202203070749000101890810281E8C70B7", "request_id");
	s = cJSON_GetArrayItem(cJSON_GetObjectItem(res.data, "shops"), 0);
	STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(s, "cipher")),
	    "GCP_XF90igAAAABh00qsWgtvOiGFNqyubMt3", "data.shops[0].cipher");
	INT_EQ(tshop_api_parse_envelope(err, strlen(err), &res, &e), 0, "error envelope parsed");
	INT_EQ(res.code, 106001, "error code");
	OK(res.data == NULL, "no data in an error");
	INT_EQ(tshop_api_parse_envelope("<html>", 6, &res, &e), -1, "HTML is not an envelope");
	INT_EQ(e.code, 4, "... code 4");
	INT_EQ(res.code, -1, "... code -1");
	INT_EQ(tshop_api_parse_envelope("{\"message\":\"x\"}", 15, &res, &e), -1,
	    "no code: not an envelope");
	INT_EQ(tshop_api_parse_envelope("[1]", 3, &res, &e), -1, "an array is not an envelope");
	INT_EQ(tshop_api_parse_envelope("{\"code\":0,\"data\":{", 18, &res, &e), -1,
	    "truncated JSON is not an envelope");
	tshop_api_response_release(&res);
}

static void
test_classify(void)
{
	static const struct {
		enum tshop_api_net net;
		long status;
		long long code;
		const char *msg;
		enum tshop_api_fault want;
		const char *what;
	} t[] = {
		{ TSHOP_NET_OK, 200, 0, "Success", TSHOP_FAULT_NONE, "200, code 0" },
		{ TSHOP_NET_OK, 429, 36009002, "Too many requests.", TSHOP_FAULT_RETRY, "429" },
		{ TSHOP_NET_OK, 429, -1, NULL, TSHOP_FAULT_RETRY, "429 without envelope" },
		{ TSHOP_NET_OK, 200, 36009002, "Too many", TSHOP_FAULT_RETRY, "36009002 at 200" },
		{ TSHOP_NET_OK, 500, 36009003, "Internal error.", TSHOP_FAULT_RETRY, "500, 36009003" },
		{ TSHOP_NET_OK, 200, 36009003, "Internal error.", TSHOP_FAULT_RETRY, "36009003 at 200" },
		{ TSHOP_NET_OK, 200, 36009007, "Request timeout.", TSHOP_FAULT_RETRY, "36009007" },
		{ TSHOP_NET_OK, 503, -1, NULL, TSHOP_FAULT_RETRY, "503 without envelope" },
		{ TSHOP_NET_OK, 502, -1, NULL, TSHOP_FAULT_RETRY, "502" },
		{ TSHOP_NET_TIMEOUT, 0, -1, "Timeout was reached", TSHOP_FAULT_RETRY, "timeout" },
		{ TSHOP_NET_ERROR, 0, -1, "Couldn't connect", TSHOP_FAULT_RETRY, "connection refused" },
		{ TSHOP_NET_FATAL, 0, -1, "SSL peer certificate", TSHOP_FAULT_FAIL, "TLS failure" },
		{ TSHOP_NET_OK, 401, 105002, "Expired credentials.", TSHOP_FAULT_EXPIRED, "105002" },
		{ TSHOP_NET_OK, 200, 105002, "Expired credentials.", TSHOP_FAULT_EXPIRED, "105002 at 200" },
		{ TSHOP_NET_OK, 401, 106001, "The `sign` is invalid.", TSHOP_FAULT_SIGNATURE, "106001" },
		{ TSHOP_NET_OK, 403, 105005, "Access denied.", TSHOP_FAULT_SCOPE, "105005" },
		{ TSHOP_NET_OK, 401, 36009004, "Invalid timestamp. The value of the `timestamp` "
		    "query parameter must not be earlier than 5 minutes before the current time.",
		    TSHOP_FAULT_CLOCK, "timestamp message" },
		{ TSHOP_NET_OK, 200, 36009004, "Invalid TIMESTAMP", TSHOP_FAULT_CLOCK,
		    "timestamp, any case" },
		{ TSHOP_NET_OK, 401, 36009004, "Invalid credentials. Invalid `app_key` query parameter.",
		    TSHOP_FAULT_FAIL, "bad app_key: fail at once" },
		{ TSHOP_NET_OK, 400, 106013, "Missing identifier.", TSHOP_FAULT_FAIL, "106013" },
		{ TSHOP_NET_OK, 404, -1, NULL, TSHOP_FAULT_FAIL, "404 without envelope" },
		{ TSHOP_NET_OK, 200, 21011025, "Duplicate tracking number.", TSHOP_FAULT_FAIL,
		    "business error at 200" },
		{ TSHOP_NET_OK, 200, -1, NULL, TSHOP_FAULT_FAIL, "200 that is not an envelope" },
		{ TSHOP_NET_OK, 301, -1, NULL, TSHOP_FAULT_FAIL, "redirect" },
	};
	size_t i;

	for (i = 0; i < NPARAMS(t); i++)
		STR_EQ(tshop_api_fault_name(tshop_api_classify(t[i].net, t[i].status, t[i].code,
		    t[i].msg)), tshop_api_fault_name(t[i].want), "classify: %s", t[i].what);
}

static void
test_item_errors(void)
{
	const char *doc = "{\"errors\":[{\"code\":12052990,\"message\":\"Check failed\","
	    "\"detail\":{\"sku_id\":\"1729592969712207013\",\"extra_errors\":[{\"warehouse_id\":"
	    "\"7068517275539719942\",\"code\":12052097,\"message\":\"The warehouse does not exist\"}]}}]}";
	struct tshop_buf msg = TSHOP_BUF_INIT;
	cJSON *data = cJSON_Parse(doc), *empty = cJSON_Parse("{}");

	INT_EQ(tshop_api_item_errors(data, &msg), 1, "one per-item error in a code 0 answer");
	STR_EQ(tshop_buf_str(&msg), "sku 1729592969712207013: Check failed (code 12052990); "
	    "warehouse 7068517275539719942: The warehouse does not exist (code 12052097)",
	    "per-item error message");
	tshop_buf_reset(&msg);
	INT_EQ(tshop_api_item_errors(empty, &msg), 0, "no errors");
	INT_EQ(tshop_api_item_errors(NULL, &msg), 0, "no data");
	cJSON_Delete(data);
	cJSON_Delete(empty);
	tshop_buf_release(&msg);
}

/* ---- retry policy and rate limit ---- */

static void
test_backoff(void)
{
	static const struct { int attempt; long lo, hi; } t[] = {
		{ 1, 250, 500 }, { 2, 500, 1000 }, { 3, 1000, 2000 }, { 4, 2000, 4000 },
		{ 6, 8000, 16000 }, { 7, 15000, 30000 }, { 8, 15000, 30000 }, { 60, 15000, 30000 },
	};
	size_t i;
	int k;
	bool inside = true, lo_hit, hi_hit;

	for (i = 0; i < NPARAMS(t); i++) {
		lo_hit = tshop_api_backoff_ms(t[i].attempt, 500, 30000, 0) == t[i].lo;
		hi_hit = tshop_api_backoff_ms(t[i].attempt, 500, 30000,
		    (unsigned long)(t[i].hi - t[i].lo)) == t[i].hi;
		OK(lo_hit && hi_hit, "backoff attempt %d: from %ld to %ld ms", t[i].attempt,
		    t[i].lo, t[i].hi);
		for (k = 0; k < 200; k++) {
			long ms = tshop_api_backoff_ms(t[i].attempt, 500, 30000,
			    (unsigned long)random() * 7919UL);

			if (ms < t[i].lo || ms > t[i].hi)
				inside = false;
		}
	}
	OK(inside, "random jitter stays within the bounds");
	INT_EQ(tshop_api_backoff_ms(3, 0, 30000, 5), 0, "no base: no wait");
	INT_EQ(tshop_api_backoff_ms(1, 10, 30000, ULONG_MAX), 5 + (long)(ULONG_MAX % 6),
	    "huge random value still within [base/2, base]");
}

static void
test_bucket(void)
{
	struct tshop_bucket b;
	int i, waited = 0;

	tshop_bucket_init(&b, 10, 10);
	for (i = 0; i < 10; i++)
		if (tshop_bucket_take(&b, 100.0) > 0)
			waited++;
	INT_EQ(waited, 0, "bucket: a burst of 10 at 10/s goes at once");
	OK(tshop_bucket_take(&b, 100.0) > 0.0999 && tshop_bucket_take(&b, 100.0) < 0.2001,
	    "bucket: the 11th waits 0.1 s, the 12th 0.2 s");
	OK(tshop_bucket_take(&b, 101.3) == 0, "bucket: after 1.3 s there are tokens again");

	tshop_bucket_init(&b, 2, 1);
	OK(tshop_bucket_take(&b, 5.0) == 0, "bucket 2/s, burst 1: first at once");
	OK(tshop_bucket_take(&b, 5.0) == 0.5, "... second waits 0.5 s");
	OK(tshop_bucket_take(&b, 5.0) == 1.0, "... third waits 1 s");
	OK(tshop_bucket_take(&b, 7.0) == 0, "... later: at once again");
	OK(tshop_bucket_take(&b, 7.0) == 0.5, "... the bucket holds no more than the burst");

	tshop_bucket_init(&b, 0, 0);
	OK(tshop_bucket_take(&b, 1.0) == 0 && tshop_bucket_take(&b, 1.0) == 0,
	    "rate 0: no limit");
}

/* ---- credentials ---- */

static void
test_credentials(void)
{
	struct tshop_credentials c = TSHOP_CREDENTIALS_INIT;
	struct tshop_buf path = TSHOP_BUF_INIT;
	struct tshop_err e = { 0, "" };
	char cfg[1024], file[PATH_MAX], want[PATH_MAX + 64], *text;
	struct stat st;

	snprintf(cfg, sizeof(cfg), "%s/cfg", dir);
	setenv("XDG_CONFIG_HOME", cfg, 1);
	tshop_credentials_path(&path, &e);
	snprintf(file, sizeof(file), "%s/tshop/credentials", cfg);
	STR_EQ(tshop_buf_str(&path), file, "credentials path under XDG_CONFIG_HOME");

	INT_EQ(tshop_credentials_load(&c, NULL, &e), 0, "no credentials file: not an error");
	OK(c.app_key == NULL && c.access_token == NULL, "... and no credentials");
	INT_EQ(tshop_credentials_require(&c, true, &e), -1, "app key required");
	INT_EQ(e.code, 4, "... code 4");
	OK(contains(e.msg, "TSHOP_APP_KEY") && contains(e.msg, file),
	    "... the message names the key and the file: %s", e.msg);
	tshop_credentials_release(&c);

	mkdir(cfg, 0700);
	snprintf(want, sizeof(want), "%s/tshop", cfg);
	mkdir(want, 0700);
	write_file(file,
	    "# tshop credentials\n"
	    "app_key = ak_123\n"
	    "TSHOP_APP_SECRET=\"sec ret'42\"\n"
	    "\n"
	    "export TSHOP_ACCESS_TOKEN=TTP_old_access\n"
	    "Tshop_Refresh_Token='TTP_old_refresh'\n"
	    "TSHOP_SHOP_CIPHER=GCP_file\n"
	    "TSHOP_ACCESS_TOKEN_EXPIRE_IN=1700000000\n"
	    "OTHER_SETTING=kept\n", 0644);
	INT_EQ(tshop_credentials_load(&c, NULL, &e), -1, "mode 0644 refused");
	INT_EQ(e.code, 3, "... code 3");
	snprintf(want, sizeof(want), "chmod 600 %s", file);
	OK(contains(e.msg, want) && contains(e.msg, "0644"),
	    "... the message names the file and the chmod: %s", e.msg);
	OK(!contains(e.msg, "sec ret") && !contains(e.msg, "TTP_old"),
	    "... and no secret value");
	tshop_credentials_release(&c);

	chmod(file, 0640);
	INT_EQ(tshop_credentials_load(&c, NULL, &e), -1, "mode 0640 refused");
	tshop_credentials_release(&c);
	chmod(file, 0400);
	INT_EQ(tshop_credentials_load(&c, NULL, &e), 0, "mode 0400 accepted");
	tshop_credentials_release(&c);
	chmod(file, 0600);
	INT_EQ(tshop_credentials_load(&c, NULL, &e), 0, "mode 0600 accepted");
	STR_EQ(c.app_key, "ak_123", "lowercase key, spaces around '='");
	STR_EQ(c.app_secret, "sec ret'42", "double-quoted value");
	STR_EQ(c.access_token, "TTP_old_access", "'export' prefix");
	STR_EQ(c.refresh_token, "TTP_old_refresh", "mixed-case key, single quotes");
	STR_EQ(c.shop_cipher, "GCP_file", "shop cipher");
	INT_EQ(c.access_expire, 1700000000, "access token expiry");
	INT_EQ(tshop_credentials_require(&c, true, &e), 0, "complete credentials");
	tshop_credentials_release(&c);

	setenv("TSHOP_SHOP_CIPHER", "GCP_env", 1);
	tshop_credentials_load(&c, NULL, &e);
	STR_EQ(c.shop_cipher, "GCP_env", "the environment wins over the file");
	STR_EQ(c.app_key, "ak_123", "... for the variables it sets only");
	unsetenv("TSHOP_SHOP_CIPHER");
	tshop_credentials_release(&c);

	/* Tokens: the file's, once it has any (a refresh wrote newer ones there). */
	setenv("TSHOP_ACCESS_TOKEN", "TTP_env_access", 1);
	setenv("TSHOP_REFRESH_TOKEN", "TTP_env_refresh", 1);
	setenv("TSHOP_ACCESS_TOKEN_EXPIRE_IN", "1600000000", 1);
	tshop_credentials_load(&c, NULL, &e);
	STR_EQ(c.access_token, "TTP_old_access", "tokens: the file's win over the environment's");
	STR_EQ(c.refresh_token, "TTP_old_refresh", "... the refresh token too");
	INT_EQ(c.access_expire, 1700000000, "... and the expiry with them");
	unsetenv("TSHOP_ACCESS_TOKEN");
	unsetenv("TSHOP_REFRESH_TOKEN");
	unsetenv("TSHOP_ACCESS_TOKEN_EXPIRE_IN");

	/* Write-back: tokens replaced in place, other lines kept, mode 0600, no temp file. */
	tshop_credentials_set(&c.access_token, "TTP_new_access", &e);
	tshop_credentials_set(&c.refresh_token, "TTP_new_refresh", &e);
	c.access_expire = 1800000000;
	c.refresh_expire = 1900000000;
	chmod(file, 0400);
	INT_EQ(tshop_credentials_store(&c, &e), 0, "tokens written back");
	text = slurp(file);
	STR_EQ(text,
	    "# tshop credentials\n"
	    "app_key = ak_123\n"
	    "TSHOP_APP_SECRET=\"sec ret'42\"\n"
	    "\n"
	    "TSHOP_ACCESS_TOKEN=TTP_new_access\n"
	    "TSHOP_REFRESH_TOKEN=TTP_new_refresh\n"
	    "TSHOP_SHOP_CIPHER=GCP_file\n"
	    "TSHOP_ACCESS_TOKEN_EXPIRE_IN=1800000000\n"
	    "OTHER_SETTING=kept\n"
	    "TSHOP_REFRESH_TOKEN_EXPIRE_IN=1900000000\n",
	    "token lines replaced in place, the missing one appended");
	free(text);
	OK(stat(file, &st) == 0 && (st.st_mode & 07777) == 0600, "written back with mode 0600");
	snprintf(want, sizeof(want), "ls -A '%s/tshop' | grep -v '^credentials$' | grep -q .", cfg);
	OK(system(want) != 0, "no temporary file left behind");
	tshop_credentials_release(&c);

	INT_EQ(tshop_credentials_load(&c, NULL, &e), 0, "the written file loads");
	STR_EQ(c.access_token, "TTP_new_access", "... with the new access token");
	INT_EQ(c.refresh_expire, 1900000000, "... and the refresh expiry");
	tshop_credentials_release(&c);

	/* Tokens from the environment: a new file, directories created 0700. */
	snprintf(cfg, sizeof(cfg), "%s/fresh/config", dir);
	setenv("XDG_CONFIG_HOME", cfg, 1);
	setenv("TSHOP_APP_KEY", "ak_env", 1);
	setenv("TSHOP_APP_SECRET", "secret_env", 1);
	setenv("TSHOP_REFRESH_TOKEN", "TTP_env_refresh", 1);
	tshop_credentials_load(&c, NULL, &e);
	STR_EQ(c.refresh_token, "TTP_env_refresh", "no file: the environment's tokens");
	unsetenv("TSHOP_REFRESH_TOKEN");
	tshop_credentials_set(&c.refresh_token, NULL, &e);
	tshop_credentials_set(&c.access_token, "TTP_a", &e);
	INT_EQ(tshop_credentials_store(&c, &e), 0, "write-back creates the file");
	snprintf(file, sizeof(file), "%s/tshop/credentials", cfg);
	text = slurp(file);
	STR_EQ(text, "TSHOP_ACCESS_TOKEN=TTP_a\n", "... with the tokens only, never the app secret");
	free(text);
	OK(stat(file, &st) == 0 && (st.st_mode & 07777) == 0600, "... mode 0600");
	snprintf(want, sizeof(want), "%s/tshop", cfg);
	OK(stat(want, &st) == 0 && (st.st_mode & 07777) == 0700, "... in a directory of mode 0700");
	tshop_credentials_release(&c);
	unsetenv("TSHOP_APP_KEY");
	unsetenv("TSHOP_APP_SECRET");

	/* A line that is not KEY=VALUE: refused without echoing it. */
	write_file(file, "TSHOP_APP_KEY=x\nsuper-secret-line\n", 0600);
	INT_EQ(tshop_credentials_load(&c, NULL, &e), -1, "a line without '=' is refused");
	OK(contains(e.msg, "line 2") && !contains(e.msg, "super-secret"),
	    "... naming the line, not its text: %s", e.msg);
	tshop_credentials_release(&c);

	write_file(file, "TSHOP_ACCESS_TOKEN_EXPIRE_IN=soon\n", 0600);
	INT_EQ(tshop_credentials_load(&c, NULL, &e), -1, "a bad expiry is refused");
	tshop_credentials_release(&c);
	tshop_buf_release(&path);
}

/* ---- webhook ---- */

static void
test_webhook(void)
{
	const char *body = "{\"type\":1,\"tts_notification_id\":\"7327112393057371910\","
	    "\"shop_id\":\"7494049642642441621\",\"timestamp\":1644412885,\"data\":{\"order_id\":"
	    "\"576461413038785752\",\"order_status\":\"AWAITING_SHIPMENT\",\"update_time\":1644412885}}";
	const char *good = "6552f076720deda28df73a25c196b8e28d0fa6cdbe847e5e7dcb074883ac187c";
	size_t n = strlen(body);

	OK(tshop_webhook_signature_ok("abc123", "s3cr3t_K3y", body, n, good),
	    "webhook: good signature");
	OK(!tshop_webhook_signature_ok("abc123", "s3cr3t_K3y", body, n,
	    "6552f076720deda28df73a25c196b8e28d0fa6cdbe847e5e7dcb074883ac187d"),
	    "webhook: last digit changed");
	OK(!tshop_webhook_signature_ok("abc123", "s3cr3t_K3y", body, n - 1, good),
	    "webhook: body changed");
	OK(!tshop_webhook_signature_ok("abc124", "s3cr3t_K3y", body, n, good),
	    "webhook: other app key");
	OK(!tshop_webhook_signature_ok("abc123", "s3cr3t_K3y", body, n,
	    "6552f076720deda28df73a25c196b8e28d0fa6cdbe847e5e7dcb074883ac187"),
	    "webhook: 63 digits");
	OK(!tshop_webhook_signature_ok("abc123", "s3cr3t_K3y", body, n,
	    "6552f076720deda28df73a25c196b8e28d0fa6cdbe847e5e7dcb074883ac187c0"),
	    "webhook: 65 digits");
	OK(!tshop_webhook_signature_ok("abc123", "s3cr3t_K3y", body, n,
	    "6552F076720DEDA28DF73A25C196B8E28D0FA6CDBE847E5E7DCB074883AC187C"),
	    "webhook: uppercase is not the lowercase hex asked for");
	OK(!tshop_webhook_signature_ok("abc123", "s3cr3t_K3y", body, n, ""),
	    "webhook: empty header");
	OK(!tshop_webhook_signature_ok("abc123", "s3cr3t_K3y", body, n, NULL),
	    "webhook: no header");
}

/* ---- against the fake server ---- */

static bool
find_script(const char *argv0)
{
	char copy[PATH_MAX - 32], *slash;

	if (access("tests/fake_tiktok.py", R_OK) == 0) {
		snprintf(script, sizeof(script), "tests/fake_tiktok.py");
		return true;
	}
	snprintf(copy, sizeof(copy), "%s", argv0);
	if ((slash = strrchr(copy, '/')) != NULL) {
		*slash = '\0';
		snprintf(script, sizeof(script), "%s/../../fake_tiktok.py", copy);
		return access(script, R_OK) == 0;
	}
	return false;
}

static void
stop_server(void)
{
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, NULL, 0);
	}
	server_pid = -1;
}

/* Start the fake server with the extra arguments (NULL-terminated); false if it did not come up. */
static bool
start_server(const char *const *extra)
{
	char portfile[PATH_MAX], log[PATH_MAX], state[PATH_MAX], orders[PATH_MAX], errf[PATH_MAX];
	const char *argv[40];
	int i, n = 0, fd;
	char *port;

	snprintf(portfile, sizeof(portfile), "%s/port", dir);
	snprintf(log, sizeof(log), "%s/server.log", dir);
	snprintf(state, sizeof(state), "%s/server.state", dir);
	snprintf(orders, sizeof(orders), "%s/orders.jsonl", dir);
	snprintf(errf, sizeof(errf), "%s/server.err", dir);
	unlink(portfile);
	argv[n++] = "python3";
	argv[n++] = script;
	argv[n++] = "--port-file";
	argv[n++] = portfile;
	argv[n++] = "--log";
	argv[n++] = log;
	argv[n++] = "--state";
	argv[n++] = state;
	argv[n++] = "--orders";
	argv[n++] = orders;
	argv[n++] = "--exit-with-parent";
	for (i = 0; extra != NULL && extra[i] != NULL && n < 38; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	fflush(stdout);
	if ((server_pid = fork()) == -1)
		return false;
	if (server_pid == 0) {
		if ((fd = open(errf, O_WRONLY | O_CREAT | O_APPEND, 0600)) != -1) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp("python3", (char *const *)argv);
		_exit(127);
	}
	for (i = 0; i < 200; i++) {
		if (access(portfile, R_OK) == 0)
			break;
		if (waitpid(server_pid, NULL, WNOHANG) == server_pid) {
			server_pid = -1;
			return false;
		}
		usleep(50000);
	}
	port = slurp(portfile);
	if (port[0] == '\0') {
		free(port);
		stop_server();
		return false;
	}
	port[strcspn(port, "\n")] = '\0';
	snprintf(server_url, sizeof(server_url), "http://127.0.0.1:%s", port);
	free(port);
	setenv("TSHOP_API_URL", server_url, 1);
	setenv("TSHOP_AUTH_URL", server_url, 1);
	return true;
}

static void
control(const char *json)
{
	struct tshop_err e;
	char url[256];

	snprintf(url, sizeof(url), "%s/_control", server_url);
	if (tshop_http_post_json(url, json, 5, &e) == -1)
		printf("# control %s: %s\n", json, e.msg);
}

/* The value of KEY= in the credentials file (malloc'ed, "" when absent). */
static char *
file_value(const char *file, const char *key)
{
	char *text = slurp(file), *p, *v;
	size_t klen = strlen(key);

	for (p = text; p != NULL && *p != '\0'; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			v = strndup(p + klen + 1, strcspn(p + klen + 1, "\n"));
			free(text);
			return v;
		}
	}
	free(text);
	return strdup("");
}

static int
setup_api(struct tshop_api *api, struct tshop_err *e)
{
	if (tshop_api_init(api, NULL, e) == -1)
		return -1;
	api->backoff_base_ms = 10;
	api->backoff_cap_ms = 100;
	api->timeout_ms = 5000;
	return 0;
}

static void
test_server(const char *argv0)
{
	static const char *const none[] = { NULL };
	struct tshop_api_response res = TSHOP_API_RESPONSE_INIT;
	struct tshop_api_request shops = { TSHOP_API_GET, "/authorization/202309/shops", NULL, 0,
	    NULL, false };
	struct tshop_err e = { 0, "" };
	struct tshop_api api;
	char cfg[1024], file[PATH_MAX], orders[PATH_MAX], *v, *v2;
	struct stat st;
	const cJSON *s;

	if (!find_script(argv0) || !start_server(none)) {
		OK(1, "# SKIP fake TikTok server (python3 tests/fake_tiktok.py) not available");
		return;
	}
	snprintf(cfg, sizeof(cfg), "%s/srvcfg", dir);
	setenv("XDG_CONFIG_HOME", cfg, 1);
	snprintf(file, sizeof(file), "%s/tshop", cfg);
	mkdir(cfg, 0700);
	mkdir(file, 0700);
	snprintf(file, sizeof(file), "%s/tshop/credentials", cfg);
	write_file(file,
	    "TSHOP_APP_KEY=test_app_key\n"
	    "TSHOP_APP_SECRET=test_app_secret\n"
	    "TSHOP_ACCESS_TOKEN=TTP_test_access\n"
	    "TSHOP_REFRESH_TOKEN=TTP_test_refresh\n"
	    "TSHOP_SHOP_CIPHER=GCP_test_cipher\n", 0600);
	snprintf(orders, sizeof(orders), "%s/orders.jsonl", dir);
	write_file(orders,
	    "{\"id\":\"576461413038785751\",\"status\":\"AWAITING_SHIPMENT\",\"create_time\":1700000000,\"update_time\":1700000500}\n"
	    "{\"id\":\"576461413038785752\",\"status\":\"AWAITING_SHIPMENT\",\"create_time\":1700000001,\"update_time\":1700000100}\n"
	    "{\"id\":\"576461413038785753\",\"status\":\"IN_TRANSIT\",\"create_time\":1700000002,\"update_time\":1700000300}\n"
	    "{\"id\":\"576461413038785754\",\"status\":\"DELIVERED\",\"create_time\":1700000003,\"update_time\":1700000200}\n"
	    "{\"id\":\"576461413038785755\",\"status\":\"CANCELLED\",\"create_time\":1700000004,\"update_time\":1700000400}\n"
	    "{\"id\":\"576461413038785756\",\"status\":\"COMPLETED\",\"create_time\":1700000005,\"update_time\":1800000000}\n",
	    0600);

	/* A signed GET. */
	if (setup_api(&api, &e) == -1) {
		OK(0, "client set up: %s", e.msg);
		stop_server();
		return;
	}
	INT_EQ(tshop_api_call(&api, &shops, &res, &e), 0, "signed GET of shops: %s",
	    res.code ? e.msg : "ok");
	s = cJSON_GetArrayItem(cJSON_GetObjectItem(res.data, "shops"), 0);
	STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(s, "cipher")), "GCP_test_cipher",
	    "... data.shops[0].cipher");
	INT_EQ(res.attempts, 1, "... in one attempt");

	/* A shop-scoped POST, paginated with tokens holding '+' and '/'. */
	{
		struct tshop_buf ids = TSHOP_BUF_INIT;
		char token[512] = "";
		cJSON *body = cJSON_CreateObject();
		const cJSON *o;
		int pages = 0, plus = 0, rc = 0;

		cJSON_AddNumberToObject(body, "update_time_ge", 1700000000);
		cJSON_AddNumberToObject(body, "update_time_lt", 1700003600);
		do {
			struct tshop_api_param q[] = {
				{ "page_size", "2" }, { "sort_field", "update_time" },
				{ "sort_order", "ASC" }, { "page_token", token },
			};
			struct tshop_api_request req = { TSHOP_API_POST,
			    "/order/202309/orders/search", q, NPARAMS(q), body, true };
			const char *next;

			if ((rc = tshop_api_call(&api, &req, &res, &e)) == -1)
				break;
			pages++;
			cJSON_ArrayForEach(o, cJSON_GetObjectItem(res.data, "orders"))
				tshop_buf_addf(&ids, "%s ", cJSON_GetStringValue(cJSON_GetObjectItem(o, "id")));
			next = cJSON_GetStringValue(cJSON_GetObjectItem(res.data, "next_page_token"));
			if (next != NULL && strchr(next, '+') && strchr(next, '/'))
				plus++;
			snprintf(token, sizeof(token), "%s", next ? next : "");
		} while (token[0] != '\0' && pages < 10);
		INT_EQ(rc, 0, "paginated orders search: %s", rc ? e.msg : "ok");
		INT_EQ(pages, 3, "... 3 pages of 2");
		INT_EQ(plus, 2, "... page tokens held '+' and '/', signed and sent right");
		STR_EQ(tshop_buf_str(&ids), "576461413038785752 576461413038785754 576461413038785753 "
		    "576461413038785755 576461413038785751 ", "... every order once, by update_time");
		tshop_buf_release(&ids);
		cJSON_Delete(body);
	}

	/* 429 twice, then success. */
	control("{\"faults\":[{\"kind\":\"429\",\"times\":2,\"path\":\"/authorization/\"}]}");
	api.retries = 0;
	INT_EQ(tshop_api_call(&api, &shops, &res, &e), 0, "429 twice, then success: %s",
	    res.code ? e.msg : "ok");
	INT_EQ(res.attempts, 3, "... after 3 attempts");
	INT_EQ(api.retries, 2, "... 2 retries");

	/* 500, a 503 without envelope, an answer dropped half way: all retried. */
	control("{\"faults\":[{\"kind\":\"500\",\"times\":1},{\"kind\":\"503\",\"times\":1},"
	    "{\"kind\":\"drop\",\"times\":1}]}");
	INT_EQ(tshop_api_call(&api, &shops, &res, &e), 0, "500, 503 and a dropped answer retried");
	INT_EQ(res.attempts, 4, "... success at the 4th attempt");

	/* Retries run out. */
	control("{\"faults\":[{\"kind\":\"429\",\"times\":5}]}");
	api.max_tries = 3;
	INT_EQ(tshop_api_call(&api, &shops, &res, &e), -1, "429 more often than max_tries: fails");
	INT_EQ(e.code, 4, "... code 4");
	OK(contains(e.msg, "Too many requests") && contains(e.msg, "3 attempts"),
	    "... with the API's message and the attempts: %s", e.msg);
	control("{\"clear\":true}");
	api.max_tries = 5;

	/* The clock: the server's clock 20 minutes ahead. */
	control("{\"clock_skew\":1200}");
	INT_EQ(tshop_api_call(&api, &shops, &res, &e), -1, "timestamp refused");
	STR_EQ(tshop_api_fault_name(res.fault), "clock", "... classified as a clock problem");
	OK(contains(e.msg, "check the system clock") && contains(e.msg, "Invalid timestamp"),
	    "... the message says to check the clock: %s", e.msg);
	INT_EQ(res.attempts, 1, "... not retried");
	control("{\"clock_skew\":0}");

	/* Missing scope. */
	control("{\"faults\":[{\"kind\":\"scope\",\"times\":1}]}");
	INT_EQ(tshop_api_call(&api, &shops, &res, &e), -1, "missing scope");
	OK(res.fault == TSHOP_FAULT_SCOPE && contains(e.msg, "access scope") &&
	    contains(e.msg, "105005"), "... a clear message: %s", e.msg);

	/* A slow answer past the timeout. */
	control("{\"faults\":[{\"kind\":\"slow\",\"times\":1,\"seconds\":2}]}");
	api.timeout_ms = 500;
	api.max_tries = 1;
	INT_EQ(tshop_api_call(&api, &shops, &res, &e), -1, "answer slower than the timeout fails");
	OK(res.net == TSHOP_NET_TIMEOUT && res.fault == TSHOP_FAULT_RETRY,
	    "... classified as a timeout, retryable");
	OK(e.code == 4 && contains(e.msg, "timeout"), "... code 4: %s", e.msg);
	control("{\"faults\":[{\"kind\":\"slow\",\"times\":1,\"seconds\":2}]}");
	api.max_tries = 3;
	INT_EQ(tshop_api_call(&api, &shops, &res, &e), 0, "... and retried when tries remain");
	INT_EQ(res.attempts, 2, "... success at the 2nd attempt");
	api.timeout_ms = 5000;
	api.max_tries = 5;

	/* Per-item errors inside a code 0 answer. */
	{
		cJSON *body = cJSON_Parse("{\"skus\":[{\"id\":\"11\",\"inventory\":[{\"warehouse_id\":"
		    "\"7000714532876273410\",\"quantity\":5}]},{\"id\":\"12\",\"inventory\":"
		    "[{\"warehouse_id\":\"7000714532876273410\",\"quantity\":7}]}]}");
		struct tshop_api_request req = { TSHOP_API_POST,
		    "/product/202309/products/1729582718312380123/inventory/update", NULL, 0, body, true };
		struct tshop_buf msg = TSHOP_BUF_INIT;

		control("{\"item_errors\":{\"12\":{\"code\":12052393,\"message\":\"Product locked "
		    "for Promotion\",\"times\":1}}}");
		INT_EQ(tshop_api_call(&api, &req, &res, &e), 0, "inventory update: code 0");
		INT_EQ(tshop_api_item_errors(res.data, &msg), 1, "... with one per-item error");
		OK(contains(tshop_buf_str(&msg), "sku 12: Product locked for Promotion (code 12052393)"),
		    "... naming the SKU: %s", tshop_buf_str(&msg));
		tshop_buf_release(&msg);
		cJSON_Delete(body);
	}

	/* The access token expired on the server: 105002, refresh, retry, write back. */
	control("{\"expire_tokens\":true}");
	api.refreshes = 0;
	INT_EQ(tshop_api_call(&api, &shops, &res, &e), 0, "expired token: refreshed and retried: %s",
	    res.code ? e.msg : "ok");
	INT_EQ(api.refreshes, 1, "... one refresh");
	v = file_value(file, "TSHOP_ACCESS_TOKEN");
	v2 = file_value(file, "TSHOP_REFRESH_TOKEN");
	OK(strncmp(v, "TTP_access_", 11) == 0 && strcmp(v, api.cred.access_token) == 0,
	    "... the new access token is in the credentials file");
	OK(strncmp(v2, "TTP_refresh_", 12) == 0, "... and the new refresh token");
	free(v);
	free(v2);
	v = file_value(file, "TSHOP_ACCESS_TOKEN_EXPIRE_IN");
	OK(v[0] != '\0' && strtoll(v, NULL, 10) > (long long)time(NULL), "... and its expiry");
	free(v);
	OK(stat(file, &st) == 0 && (st.st_mode & 07777) == 0600, "... the file is mode 0600");
	v = file_value(file, "TSHOP_APP_SECRET");
	STR_EQ(v, "test_app_secret", "... the other lines kept");
	free(v);

	/* Known expiry in the past: refreshed before the request. */
	api.cred.access_expire = (long long)time(NULL) - 10;
	api.refreshes = 0;
	INT_EQ(tshop_api_call(&api, &shops, &res, &e), 0, "token known to be expired");
	OK(api.refreshes == 1 && res.attempts == 1, "... refreshed first, one attempt");

	/* Expired, and the refresh token is no good any more. */
	control("{\"expire_tokens\":true}");
	tshop_credentials_set(&api.cred.refresh_token, "TTP_spent", &e);
	INT_EQ(tshop_api_call(&api, &shops, &res, &e), -1, "refresh refused");
	OK(e.code == 4 && contains(e.msg, "/api/v2/token/refresh") && !contains(e.msg, "secret"),
	    "... code 4, names the endpoint, no secret: %s", e.msg);
	tshop_api_release(&api);

	/* auth CODE: token get, single use. */
	setup_api(&api, &e);
	INT_EQ(tshop_api_token_get(&api, "TEST_AUTH_CODE", &e), 0, "token get with the auth code");
	v = file_value(file, "TSHOP_ACCESS_TOKEN");
	OK(strcmp(v, api.cred.access_token) == 0, "... tokens stored");
	free(v);
	INT_EQ(tshop_api_call(&api, &shops, &res, &e), 0, "... and they work");
	INT_EQ(tshop_api_token_get(&api, "TEST_AUTH_CODE", &e), -1, "an auth code works once");
	OK(!contains(e.msg, "test_app_secret") && !contains(e.msg, "TEST_AUTH_CODE"),
	    "... the message holds no secret: %s", e.msg);
	tshop_api_release(&api);

	/* A wrong secret: 106001, the API's message, no retry, no secret in the message. */
	setenv("TSHOP_APP_SECRET", "not_the_secret", 1);
	setup_api(&api, &e);
	INT_EQ(tshop_api_call(&api, &shops, &res, &e), -1, "wrong secret: refused");
	INT_EQ(e.code, 4, "... code 4");
	INT_EQ(res.code, 106001, "... code 106001");
	STR_EQ(tshop_api_fault_name(res.fault), "signature", "... a signature fault");
	OK(contains(e.msg, "Invalid credentials. The `sign` query parameter is invalid."),
	    "... with the API's message: %s", e.msg);
	OK(!contains(e.msg, "not_the_secret") && !contains(e.msg, "TTP_"),
	    "... and no secret");
	INT_EQ(res.attempts, 1, "... not retried");
	tshop_api_release(&api);
	unsetenv("TSHOP_APP_SECRET");

	/* No shop cipher for a shop-scoped call. */
	write_file(file, "TSHOP_APP_KEY=test_app_key\nTSHOP_APP_SECRET=test_app_secret\n"
	    "TSHOP_ACCESS_TOKEN=x\n", 0600);
	setup_api(&api, &e);
	{
		struct tshop_api_request req = { TSHOP_API_GET, "/logistics/202309/warehouses", NULL, 0,
		    NULL, true };

		INT_EQ(tshop_api_call(&api, &req, &res, &e), -1, "shop-scoped call without a cipher");
		OK(contains(e.msg, "TSHOP_SHOP_CIPHER"), "... names TSHOP_SHOP_CIPHER: %s", e.msg);
	}
	tshop_api_release(&api);

	/* Nothing listening: a connection error, retried, then code 4. */
	stop_server();
	setup_api(&api, &e);
	api.max_tries = 2;
	INT_EQ(tshop_api_call(&api, &shops, &res, &e), -1, "server gone: fails");
	OK(res.net == TSHOP_NET_ERROR && res.attempts == 2 && e.code == 4,
	    "... a connection error, retried, code 4: %s", e.msg);
	tshop_api_release(&api);
	tshop_api_response_release(&res);
}

int
main(int argc, char **argv)
{
	char cmd[PATH_MAX + 16];
	int rc;

	(void)argc;
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	clear_env();
	test_sign();
	test_encode();
	test_envelope();
	test_classify();
	test_item_errors();
	test_backoff();
	test_bucket();
	test_credentials();
	test_webhook();
	test_server(argv[0]);
	stop_server();
	rc = UNIT_DONE();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (rc == 0 && system(cmd) != 0)
		rc = 1;
	return rc;
}
