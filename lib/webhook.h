/*
 * webhook.h — TikTok Shop webhook deliveries (SPEC §4.9).  For now: the
 * signature check; recording and applying events will live here too.
 */
#ifndef TSHOP_WEBHOOK_H
#define TSHOP_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>

/*
 * True when `signature` (the Authorization header) is the lowercase-hex
 * HMAC-SHA256, keyed with app_secret, of app_key followed by the raw body
 * [body, body+len).  The comparison takes the same time wherever the first
 * difference is (CRYPTO_memcmp); a signature of the wrong length, in
 * uppercase, or NULL is false.
 */
bool tshop_webhook_signature_ok(const char *app_key, const char *app_secret,
    const void *body, size_t len, const char *signature);

#endif
