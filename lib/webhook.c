/*
 * webhook.c — webhook signature check: HMAC-SHA256 over app_key and the
 * raw body (api.c computes it), compared in constant time.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "api.h"
#include "webhook.h"

bool
tshop_webhook_signature_ok(const char *app_key, const char *app_secret,
    const void *body, size_t len, const char *signature)
{
	char want[TSHOP_API_SIGN_LEN + 1];
	size_t klen;
	char *msg;
	bool ok;

	if (app_key == NULL || app_secret == NULL || signature == NULL ||
	    (body == NULL && len > 0) || strlen(signature) != TSHOP_API_SIGN_LEN)
		return false;
	klen = strlen(app_key);
	if ((msg = malloc(klen + len + 1)) == NULL)
		return false;
	memcpy(msg, app_key, klen);
	if (len > 0)
		memcpy(msg + klen, body, len);
	tshop_hmac_sha256_hex(app_secret, strlen(app_secret), msg, klen + len, want);
	free(msg);
	ok = strlen(want) == TSHOP_API_SIGN_LEN &&
	    CRYPTO_memcmp(want, signature, TSHOP_API_SIGN_LEN) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}
