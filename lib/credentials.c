/*
 * credentials.c — API secrets from the environment and the credentials
 * file, and the atomic write-back of refreshed tokens.
 *
 * The file is opened first and checked with fstat (so the mode checked is
 * the mode of the file read), read whole (it is small), and parsed line by
 * line.  Writing back re-reads the file, replaces the token lines in place,
 * appends the missing ones, and renames a fsync'ed 0600 temporary file over
 * it.  Every buffer that held a secret is wiped before it is freed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "credentials.h"

#define CRED_MAX_FILE	(1 << 20)

enum cred_key {
	K_APP_KEY, K_APP_SECRET, K_ACCESS_TOKEN, K_REFRESH_TOKEN, K_SHOP_CIPHER,
	K_ACCESS_EXPIRE, K_REFRESH_EXPIRE, K_NKEYS
};

/* Canonical names, as in the environment and as written back. */
static const char *const key_names[K_NKEYS] = {
	"TSHOP_APP_KEY", "TSHOP_APP_SECRET", "TSHOP_ACCESS_TOKEN",
	"TSHOP_REFRESH_TOKEN", "TSHOP_SHOP_CIPHER",
	"TSHOP_ACCESS_TOKEN_EXPIRE_IN", "TSHOP_REFRESH_TOKEN_EXPIRE_IN",
};

static void
wipe_free(char *s)
{
	if (s != NULL) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

static void
buf_wipe(struct tshop_buf *b)
{
	if (b->data != NULL)
		OPENSSL_cleanse(b->data, b->cap);
	tshop_buf_release(b);
}

int
tshop_credentials_set(char **field, const char *value, struct tshop_err *e)
{
	char *copy = NULL;

	if (value != NULL && (copy = strdup(value)) == NULL)
		return tshop_errorf(e, TSHOP_EXIT_LOCAL, "out of memory");
	wipe_free(*field);
	*field = copy;
	return 0;
}

/* The key named by [k, k+n): TSHOP_ prefix optional, any case; -1 if unknown. */
static int
key_id(const char *k, size_t n)
{
	size_t i, plen = strlen("TSHOP_");

	if (n > plen && strncasecmp(k, "TSHOP_", plen) == 0) {
		k += plen;
		n -= plen;
	}
	for (i = 0; i < K_NKEYS; i++) {
		const char *name = key_names[i] + plen;

		if (strlen(name) == n && strncasecmp(name, k, n) == 0)
			return (int)i;
	}
	return -1;
}

static int
set_key(struct tshop_credentials *c, int id, const char *value, const char *where,
    struct tshop_err *e)
{
	long long t;

	switch (id) {
	case K_APP_KEY:
		return tshop_credentials_set(&c->app_key, value, e);
	case K_APP_SECRET:
		return tshop_credentials_set(&c->app_secret, value, e);
	case K_ACCESS_TOKEN:
		return tshop_credentials_set(&c->access_token, value, e);
	case K_REFRESH_TOKEN:
		return tshop_credentials_set(&c->refresh_token, value, e);
	case K_SHOP_CIPHER:
		return tshop_credentials_set(&c->shop_cipher, value, e);
	case K_ACCESS_EXPIRE:
	case K_REFRESH_EXPIRE:
		if (tshop_parse_int(value, 0, LLONG_MAX, &t) == -1)
			return tshop_errorf(e, TSHOP_EXIT_LOCAL,
			    "%s: %s is not a Unix time", where, key_names[id]);
		if (id == K_ACCESS_EXPIRE)
			c->access_expire = t;
		else
			c->refresh_expire = t;
		return 0;
	}
	return 0;
}

int
tshop_credentials_path(struct tshop_buf *out, struct tshop_err *e)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int rc;

	tshop_buf_reset(out);
	if (xdg != NULL && xdg[0] == '/')
		rc = tshop_buf_addf(out, "%s/tshop/credentials", xdg);
	else if (home != NULL && home[0] != '\0')
		rc = tshop_buf_addf(out, "%s/.config/tshop/credentials", home);
	else
		return tshop_errorf(e, TSHOP_EXIT_LOCAL,
		    "cannot find the credentials file: neither XDG_CONFIG_HOME nor HOME is set");
	if (rc == -1)
		return tshop_errorf(e, TSHOP_EXIT_LOCAL, "out of memory");
	return 0;
}

/*
 * Read the file at `path` into `b`.  1 when read, 0 when it does not
 * exist, -1 on error (an unsafe mode included).
 */
static int
read_file(const char *path, struct tshop_buf *b, struct tshop_err *e)
{
	struct stat st;
	char chunk[4096];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		if (errno == ENOENT)
			return 0;
		return tshop_errorf(e, TSHOP_EXIT_LOCAL, "cannot open credentials file '%s': %s",
		    path, strerror(errno));
	}
	if (fstat(fd, &st) == -1) {
		tshop_errorf(e, TSHOP_EXIT_LOCAL, "cannot stat credentials file '%s': %s",
		    path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		tshop_errorf(e, TSHOP_EXIT_LOCAL, "credentials file '%s' is not a regular file", path);
		goto fail;
	}
	if ((st.st_mode & 077) != 0) {
		tshop_errorf(e, TSHOP_EXIT_LOCAL,
		    "credentials file '%s' has mode %04o: it holds secrets and must be "
		    "readable by its owner only; run: chmod 600 %s",
		    path, (unsigned)(st.st_mode & 07777), path);
		goto fail;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			tshop_errorf(e, TSHOP_EXIT_LOCAL, "cannot read credentials file '%s': %s",
			    path, strerror(errno));
			goto fail;
		}
		if (b->len + (size_t)n > CRED_MAX_FILE) {
			tshop_errorf(e, TSHOP_EXIT_LOCAL, "credentials file '%s' is too large", path);
			goto fail;
		}
		if (tshop_buf_add(b, chunk, (size_t)n) == -1) {
			tshop_errorf(e, TSHOP_EXIT_LOCAL, "out of memory");
			goto fail;
		}
	}
	OPENSSL_cleanse(chunk, sizeof(chunk));
	close(fd);
	return 1;
fail:
	OPENSSL_cleanse(chunk, sizeof(chunk));
	close(fd);
	return -1;
}

/*
 * Split one line (NUL-terminated, modified in place) into key and value.
 * 0: a KEY=VALUE line; 1: blank or comment; -1: neither.
 */
static int
parse_line(char *line, char **key, char **value)
{
	char *eq, *v;
	size_t n;

	line = tshop_trim(line);
	if (line[0] == '\0' || line[0] == '#')
		return 1;
	if (strncmp(line, "export ", 7) == 0)
		line = tshop_trim(line + 7);
	if ((eq = strchr(line, '=')) == NULL || eq == line)
		return -1;
	*eq = '\0';
	*key = tshop_trim(line);
	v = tshop_trim(eq + 1);
	n = strlen(v);
	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		v[n - 1] = '\0';
		v++;
	}
	*value = v;
	return 0;
}

static bool
is_token_key(int id)
{
	return id == K_ACCESS_TOKEN || id == K_REFRESH_TOKEN || id == K_ACCESS_EXPIRE ||
	    id == K_REFRESH_EXPIRE;
}

static int
parse_file(struct tshop_credentials *c, const char *path, char *text, struct tshop_err *e)
{
	char where[PATH_MAX + 64], *line, *next, *key, *value;
	unsigned long lineno = 0;
	int id;

	for (line = text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		lineno++;
		switch (parse_line(line, &key, &value)) {
		case 1:
			continue;
		case -1:
			/* The line is not quoted: it may hold a secret. */
			return tshop_errorf(e, TSHOP_EXIT_LOCAL,
			    "credentials file '%s', line %lu: expected KEY=VALUE", path, lineno);
		}
		if ((id = key_id(key, strlen(key))) == -1)
			continue;	/* unknown keys are kept, not used */
		snprintf(where, sizeof(where), "credentials file '%s', line %lu", path, lineno);
		if (set_key(c, id, value, where, e) == -1)
			return -1;
	}
	return 0;
}

int
tshop_credentials_load(struct tshop_credentials *c, const char *path, struct tshop_err *e)
{
	struct tshop_buf text = TSHOP_BUF_INIT, def = TSHOP_BUF_INIT;
	const char *v;
	bool file_tokens;
	int rc, i;

	if (path == NULL) {
		if (tshop_credentials_path(&def, e) == -1)
			return -1;
		path = tshop_buf_str(&def);
	}
	if ((c->path = strdup(path)) == NULL) {
		tshop_buf_release(&def);
		return tshop_errorf(e, TSHOP_EXIT_LOCAL, "out of memory");
	}
	tshop_buf_release(&def);
	rc = read_file(c->path, &text, e);
	if (rc == 1)
		rc = parse_file(c, c->path, text.data, e);
	buf_wipe(&text);
	if (rc == -1)
		return -1;
	/*
	 * The file's tokens, once it has any, win over the environment's:
	 * every refresh writes the new pair to the file, and the refresh token
	 * it replaced (the one in the environment) is spent.
	 */
	file_tokens = c->access_token != NULL || c->refresh_token != NULL;
	for (i = 0; i < K_NKEYS; i++) {
		if ((v = getenv(key_names[i])) == NULL || v[0] == '\0')
			continue;
		if (file_tokens && is_token_key(i))
			continue;
		if (set_key(c, i, v, "environment", e) == -1)
			return -1;
	}
	return 0;
}

int
tshop_credentials_require(const struct tshop_credentials *c, bool need_token,
    struct tshop_err *e)
{
	const char *missing;

	if (c->app_key == NULL || c->app_key[0] == '\0')
		missing = "TSHOP_APP_KEY";
	else if (c->app_secret == NULL || c->app_secret[0] == '\0')
		missing = "TSHOP_APP_SECRET";
	else if (need_token && (c->access_token == NULL || c->access_token[0] == '\0') &&
	    (c->refresh_token == NULL || c->refresh_token[0] == '\0'))
		return tshop_errorf(e, TSHOP_EXIT_REMOTE,
		    "no access token: authorize the shop with 'tshop-sync auth CODE', "
		    "or set TSHOP_ACCESS_TOKEN (environment or '%s')",
		    c->path ? c->path : "credentials file");
	else
		return 0;
	return tshop_errorf(e, TSHOP_EXIT_REMOTE, "%s is not set: set it in the environment or in '%s'",
	    missing, c->path ? c->path : "credentials file");
}

/* mkdir -p for the directory part of `path`, new directories mode 0700. */
static int
make_parent(const char *path, struct tshop_err *e)
{
	char dir[PATH_MAX], *p;
	size_t n;

	if ((p = strrchr(path, '/')) == NULL || p == path)
		return 0;
	if ((n = (size_t)(p - path)) >= sizeof(dir))
		return tshop_errorf(e, TSHOP_EXIT_LOCAL, "path too long: '%s'", path);
	memcpy(dir, path, n);
	dir[n] = '\0';
	for (p = dir + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (mkdir(dir, 0700) == -1 && errno != EEXIST)
				return tshop_errorf(e, TSHOP_EXIT_LOCAL, "cannot create directory '%s': %s",
				    dir, strerror(errno));
			*p = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}

/* Append "NAME=value\n" for a token key of `c`, if it has a value. */
static int
add_token_line(struct tshop_buf *out, const struct tshop_credentials *c, int id)
{
	switch (id) {
	case K_ACCESS_TOKEN:
		return c->access_token ? tshop_buf_addf(out, "%s=%s\n", key_names[id], c->access_token) : 0;
	case K_REFRESH_TOKEN:
		return c->refresh_token ? tshop_buf_addf(out, "%s=%s\n", key_names[id], c->refresh_token) : 0;
	case K_ACCESS_EXPIRE:
		return c->access_expire ? tshop_buf_addf(out, "%s=%lld\n", key_names[id], c->access_expire) : 0;
	case K_REFRESH_EXPIRE:
		return c->refresh_expire ? tshop_buf_addf(out, "%s=%lld\n", key_names[id], c->refresh_expire) : 0;
	}
	return 0;
}

/* The new file text: old lines kept, token lines replaced, missing ones appended. */
static int
merge_tokens(const struct tshop_credentials *c, const struct tshop_buf *old, struct tshop_buf *out)
{
	bool written[K_NKEYS] = { false };
	struct tshop_buf scratch = TSHOP_BUF_INIT;
	const char *line, *end, *stop = old->data ? old->data + old->len : NULL;
	char *key, *value;
	int id, rc = 0;

	for (line = old->data; rc == 0 && line != NULL && line < stop; line = end) {
		size_t n;

		end = memchr(line, '\n', (size_t)(stop - line));
		end = end ? end + 1 : stop;
		n = (size_t)(end - line);
		tshop_buf_reset(&scratch);
		if (tshop_buf_add(&scratch, line, n) == -1) {
			rc = -1;
			break;
		}
		id = parse_line(scratch.data, &key, &value) == 0 ? key_id(key, strlen(key)) : -1;
		if (id >= 0 && is_token_key(id)) {
			if (!written[id])
				rc = add_token_line(out, c, id);
			written[id] = true;
			continue;
		}
		rc = tshop_buf_add(out, line, n);
		if (rc == 0 && line[n - 1] != '\n')
			rc = tshop_buf_addc(out, '\n');
	}
	for (id = 0; rc == 0 && id < K_NKEYS; id++)
		if (is_token_key(id) && !written[id])
			rc = add_token_line(out, c, id);
	buf_wipe(&scratch);
	return rc;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
tshop_credentials_store(const struct tshop_credentials *c, struct tshop_err *e)
{
	struct tshop_buf old = TSHOP_BUF_INIT, out = TSHOP_BUF_INIT;
	char tmp[PATH_MAX], dir[PATH_MAX];
	const char *slash;
	int fd = -1, dfd, rc = -1;

	if (c->path == NULL)
		return tshop_errorf(e, TSHOP_EXIT_LOCAL, "no credentials file to write the tokens to");
	if (make_parent(c->path, e) == -1)
		return -1;
	if (read_file(c->path, &old, e) == -1)
		goto done;
	if (merge_tokens(c, &old, &out) == -1) {
		tshop_errorf(e, TSHOP_EXIT_LOCAL, "out of memory");
		goto done;
	}
	slash = strrchr(c->path, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == c->path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - c->path), c->path);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.credentials.XXXXXX", dir) >= sizeof(tmp)) {
		tshop_errorf(e, TSHOP_EXIT_LOCAL, "path too long: '%s'", c->path);
		goto done;
	}
	if ((fd = mkstemp(tmp)) == -1) {
		tshop_errorf(e, TSHOP_EXIT_LOCAL, "cannot create a file in '%s': %s", dir,
		    strerror(errno));
		goto done;
	}
	if (fchmod(fd, 0600) == -1 || write_all(fd, out.data ? out.data : "", out.len) == -1 ||
	    fsync(fd) == -1) {
		tshop_errorf(e, TSHOP_EXIT_LOCAL, "cannot write '%s': %s", tmp, strerror(errno));
		goto unlink;
	}
	if (close(fd) == -1) {
		fd = -1;
		tshop_errorf(e, TSHOP_EXIT_LOCAL, "cannot write '%s': %s", tmp, strerror(errno));
		goto unlink;
	}
	fd = -1;
	if (rename(tmp, c->path) == -1) {
		tshop_errorf(e, TSHOP_EXIT_LOCAL, "cannot replace credentials file '%s': %s",
		    c->path, strerror(errno));
		goto unlink;
	}
	/* Make the rename itself durable. */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(dfd);
		close(dfd);
	}
	rc = 0;
	goto done;
unlink:
	if (fd != -1)
		close(fd);
	fd = -1;
	unlink(tmp);
done:
	if (fd != -1)
		close(fd);
	buf_wipe(&old);
	buf_wipe(&out);
	return rc;
}

void
tshop_credentials_release(struct tshop_credentials *c)
{
	wipe_free(c->app_key);
	wipe_free(c->app_secret);
	wipe_free(c->access_token);
	wipe_free(c->refresh_token);
	wipe_free(c->shop_cipher);
	free(c->path);
	*c = (struct tshop_credentials)TSHOP_CREDENTIALS_INIT;
}
