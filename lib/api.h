/*
 * api.h — every HTTP request tshop makes goes through here (libcurl).
 * TLS verification is always on.  For now: posting a JSON notification
 * (tshop-alert --notify); the TikTok Shop Open API client will live here too.
 */
#ifndef TSHOP_API_H
#define TSHOP_API_H

#include <stddef.h>

#include "util.h"

/*
 * POST `body` (JSON) to `url` with a timeout in seconds.  0 when the
 * server answered 2xx; -1 otherwise with e filled (code 4).  Messages name
 * only the scheme and host of the URL: webhook URLs carry secrets.
 */
int tshop_http_post_json(const char *url, const char *body, long timeout, struct tshop_err *e);

#endif
