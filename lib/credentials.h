/*
 * credentials.h — the TikTok Shop API secrets (SPEC §2.8): app key and
 * secret, access and refresh tokens with their expiry, shop cipher.
 *
 * They come from the environment (TSHOP_APP_KEY, TSHOP_APP_SECRET,
 * TSHOP_ACCESS_TOKEN, TSHOP_REFRESH_TOKEN, TSHOP_SHOP_CIPHER) or from the
 * credentials file ${XDG_CONFIG_HOME:-$HOME/.config}/tshop/credentials,
 * never from the command line and never from the database.  The file holds
 * KEY=VALUE lines (blank lines and '#' comments allowed; a key may be
 * written TSHOP_APP_KEY or app_key, in any case; a value may be quoted).
 * Besides the five keys above it may hold TSHOP_ACCESS_TOKEN_EXPIRE_IN and
 * TSHOP_REFRESH_TOKEN_EXPIRE_IN (absolute Unix seconds, as the token API
 * answers them).  A variable set in the environment wins over the file,
 * except for the tokens: when the file holds an access or a refresh token,
 * the four token variables come from the file (a refresh wrote newer tokens
 * there, and the environment's refresh token is spent); the environment's
 * tokens serve until the first refresh writes the file.
 *
 * The file is refused (code 3) unless it is a regular file of mode 0600 or
 * stricter; the message names the file and the `chmod 600` that fixes it.
 * Messages name keys, never values.
 */
#ifndef TSHOP_CREDENTIALS_H
#define TSHOP_CREDENTIALS_H

#include "util.h"

struct tshop_credentials {
	char *app_key;
	char *app_secret;
	char *access_token;
	char *refresh_token;
	char *shop_cipher;
	long long access_expire;	/* absolute Unix seconds; 0: unknown */
	long long refresh_expire;	/* absolute Unix seconds; 0: unknown */
	char *path;			/* the credentials file (may not exist) */
};
#define TSHOP_CREDENTIALS_INIT { NULL, NULL, NULL, NULL, NULL, 0, 0, NULL }

/*
 * The default credentials file path into out:
 * ${XDG_CONFIG_HOME:-$HOME/.config}/tshop/credentials.  0, or -1 (code 3)
 * when neither variable is set.
 */
int tshop_credentials_path(struct tshop_buf *out, struct tshop_err *e);

/*
 * Load credentials: the file `path` (NULL: the default path) when it
 * exists, then the environment on top (its tokens only when the file has
 * none).  A missing file is not an error;
 * a file with a loose mode, an unreadable file or a line that is not
 * KEY=VALUE is (code 3).  `c` must be TSHOP_CREDENTIALS_INIT or released.
 */
int tshop_credentials_load(struct tshop_credentials *c, const char *path,
    struct tshop_err *e);

/*
 * Check that app key and secret (and, when `need_token`, an access token or
 * a refresh token) are present; -1 (code 4) naming the missing keys and the
 * places they can be set.
 */
int tshop_credentials_require(const struct tshop_credentials *c, bool need_token,
    struct tshop_err *e);

/*
 * Write the tokens of `c` (access and refresh token with their expiry)
 * back to c->path, keeping every other line of the file as it was:
 * a temporary file in the same directory (created 0700 when missing),
 * written, fsync'ed, mode 0600, renamed over the file, directory fsync'ed.
 * The app key and secret are never copied into the file.
 */
int tshop_credentials_store(const struct tshop_credentials *c, struct tshop_err *e);

/* Replace one string field (NULL clears it); the old value is wiped. 0 or -1 (code 3). */
int tshop_credentials_set(char **field, const char *value, struct tshop_err *e);

/* Wipe and free everything; `c` is TSHOP_CREDENTIALS_INIT again. */
void tshop_credentials_release(struct tshop_credentials *c);

#endif
