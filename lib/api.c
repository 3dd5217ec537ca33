/*
 * api.c — the libcurl module: one global init, and the requests.
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "api.h"

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
