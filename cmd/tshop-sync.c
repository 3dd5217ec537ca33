/*
 * tshop-sync — the TikTok Shop Open API: authorize, pull orders, carriers
 * and statements, push the outbox of shipments and stock, and look after
 * the dead-letter list.
 *
 * This file parses options and prints; lib/sync.c does the work through
 * lib/api.c (signing, retries, tokens).  Pulls and pushes take a lock so
 * that overlapping cron runs skip instead of doubling the work.  Every
 * pulling or pushing verb ends with the summary line "pulled N, merged N,
 * pushed N, failed N, dead N" on stderr.  See tshop-sync(1).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "cli.h"
#include "sync.h"

static const char usage[] =
    "tshop-sync [-Hnq] [-d db] [-o tsv|csv|json] auth code\n"
    "       tshop-sync refresh\n"
    "       tshop-sync shops\n"
    "       tshop-sync orders [--since time]\n"
    "       tshop-sync carriers\n"
    "       tshop-sync push\n"
    "       tshop-sync statements [--since date]\n"
    "       tshop-sync dead\n"
    "       tshop-sync retry [id ...]";

enum { OPT_SINCE = CLI_FIRST_PROGRAM_OPT };

static const struct cli_opt opts[] = {
	{ "since", OPT_SINCE, true },
	{ NULL, 0, false },
};

struct sync_cmd {
	struct tshop_cli *c;
	const char *since;
	bool tty;			/* progress line on stderr */
	bool progress_shown;
	time_t started;
	struct tshop_writer w;
};

static void
on_opt(struct tshop_cli *c, int id, const char *arg, void *ctx)
{
	struct sync_cmd *s = ctx;

	if (id == OPT_SINCE)
		s->since = arg;
	(void)c;
}

static void
on_notice(void *ctx, const char *msg)
{
	struct sync_cmd *s = ctx;

	if (s->progress_shown) {
		fputs("\r\033[K", stderr);
		s->progress_shown = false;
	}
	cli_note(s->c, "%s", msg);
}

static void
on_progress(void *ctx, unsigned long done, unsigned long total)
{
	struct sync_cmd *s = ctx;
	double secs = difftime(time(NULL), s->started);

	if (!s->tty)
		return;
	if (total > 0)
		fprintf(stderr, "\r\033[K%s: %lu of %lu (%lu%%), %.0f/s", s->c->prog, done, total,
		    done * 100 / total, secs > 0 ? done / secs : 0.0);
	else
		fprintf(stderr, "\r\033[K%s: %lu, %.0f/s", s->c->prog, done,
		    secs > 0 ? done / secs : 0.0);
	s->progress_shown = true;
}

static void
summary(struct sync_cmd *s, const struct tshop_sync_counts *n)
{
	if (s->progress_shown) {
		fputs("\r\033[K", stderr);
		s->progress_shown = false;
	}
	cli_note(s->c, "pulled %lu, merged %lu, pushed %lu, failed %lu, dead %lu",
	    n->pulled, n->merged, n->pushed, n->failed, n->dead);
}

static void
api_setup(struct tshop_cli *c, struct sync_cmd *s, struct tshop_api *api)
{
	struct tshop_err e = { 0 };

	if (tshop_api_init(api, c->db, &e) == -1)
		cli_fail(c, &e);
	api->notice = on_notice;
	api->notice_ctx = s;
}

/* Take the run lock of `what`; exit 0 quietly-ish when another run has it. */
static int
run_lock(struct tshop_cli *c, const char *what)
{
	struct tshop_err e = { 0 };
	int fd, rc;

	if ((rc = tshop_sync_lock(c->db, what, &fd, &e)) == -1)
		cli_fail(c, &e);
	if (rc == 0) {
		cli_note(c, "another 'tshop-sync %s' is running; nothing done", what);
		cli_close(c);
		exit(TSHOP_EXIT_OK);
	}
	return fd;
}

static int
print_shop(const char *name, const char *region, const char *cipher, void *ctx,
    struct tshop_err *e)
{
	struct sync_cmd *s = ctx;
	const char *row[3] = { name, region, cipher };

	if (tshop_writer_row(&s->w, row) == -1)
		return tshop_errorf(e, 3, "write error");
	return 0;
}

static int
print_carrier(const char *name, const char *provider_id, enum tshop_upsert_result r, void *ctx,
    struct tshop_err *e)
{
	static const char *const results[] = { "new", "updated", "unchanged" };
	struct sync_cmd *s = ctx;
	const char *row[3] = { name, provider_id, results[r] };

	if (tshop_writer_row(&s->w, row) == -1)
		return tshop_errorf(e, 3, "write error");
	return 0;
}

static void
print_merged(void *ctx, const char *order_id, enum tshop_merge_result r)
{
	static const char *const results[] = { "new", "updated", "unchanged", "stale" };
	struct sync_cmd *s = ctx;
	const char *row[2] = { order_id, results[r] };

	tshop_writer_row(&s->w, row);
}

static int
print_would_send(void *ctx, const char *kind, const char *key, const char *path,
    const char *body, const char *error, struct tshop_err *e)
{
	struct sync_cmd *s = ctx;
	const char *row[5] = { kind, key, path, body, error };

	if (tshop_writer_row(&s->w, row) == -1)
		return tshop_errorf(e, 3, "write error");
	return 0;
}

static int
print_dead(const struct tshop_outbox_row *r, void *ctx, struct tshop_err *e)
{
	struct sync_cmd *s = ctx;
	char id[32], attempts[32];
	const char *row[5] = { id, r->kind, r->key, attempts, r->last_error };

	snprintf(id, sizeof(id), "%lld", (long long)r->id);
	snprintf(attempts, sizeof(attempts), "%lld", (long long)r->attempts);
	if (tshop_writer_row(&s->w, row) == -1)
		return tshop_errorf(e, 3, "write error");
	return 0;
}

static int
cmd_auth(struct tshop_cli *c, struct sync_cmd *s, bool refresh)
{
	struct tshop_api api;
	struct tshop_err e = { 0 };
	char until[32];
	int rc;

	if (c->nargs != (refresh ? 1 : 2))
		cli_usage(c, refresh ? "refresh takes no operand" :
		    "auth takes the authorization code of the shop's consent");
	if (c->dry_run) {
		/* a code is good once and a refresh may spend the refresh token */
		cli_note(c, "dry run: would %s; nothing done", refresh ?
		    "refresh the access token" : "exchange the code for tokens");
		return TSHOP_EXIT_OK;
	}
	api_setup(c, s, &api);
	rc = refresh ? tshop_api_token_refresh(&api, &e) :
	    tshop_api_token_get(&api, c->args[1], &e);
	if (rc == -1) {
		tshop_api_release(&api);
		cli_fail(c, &e);
	}
	if (api.cred.access_expire > 0)
		cli_note(c, "access token stored in '%s', valid until %s",
		    api.cred.path ? api.cred.path : "the credentials file",
		    tshop_time_format(api.cred.access_expire, until, sizeof(until)));
	else
		cli_note(c, "access token stored in '%s'",
		    api.cred.path ? api.cred.path : "the credentials file");
	tshop_api_release(&api);
	return TSHOP_EXIT_OK;
}

static int
cmd_shops(struct tshop_cli *c, struct sync_cmd *s)
{
	static const struct tshop_outcol cols[] = {
		{ "name", TSHOP_OUT_STR }, { "region", TSHOP_OUT_STR }, { "cipher", TSHOP_OUT_STR },
	};
	struct tshop_api api;
	struct tshop_err e = { 0 };

	if (c->nargs != 1)
		cli_usage(c, "shops takes no operand");
	api_setup(c, s, &api);
	cli_writer(c, &s->w, cols, 3);
	if (tshop_sync_shops(&api, print_shop, s, &e) == -1) {
		tshop_api_release(&api);
		cli_fail(c, &e);
	}
	tshop_api_release(&api);
	tshop_writer_flush(&s->w);
	cli_flush(c);
	return TSHOP_EXIT_OK;
}

/* orders, carriers, push, statements: the API, the lock, the summary. */
static int
cmd_run(struct tshop_cli *c, struct sync_cmd *s, const char *verb)
{
	static const struct tshop_outcol carrier_cols[] = {
		{ "carrier", TSHOP_OUT_STR }, { "provider_id", TSHOP_OUT_STR },
		{ "result", TSHOP_OUT_STR },
	};
	static const struct tshop_outcol order_cols[] = {
		{ "order_id", TSHOP_OUT_STR }, { "result", TSHOP_OUT_STR },
	};
	static const struct tshop_outcol push_cols[] = {
		{ "kind", TSHOP_OUT_STR }, { "key", TSHOP_OUT_STR }, { "path", TSHOP_OUT_STR },
		{ "body", TSHOP_OUT_STR }, { "error", TSHOP_OUT_STR },
	};
	struct tshop_api api;
	struct tshop_sync sync;
	struct tshop_err e = { 0 };
	tshop_time since = TSHOP_TIME_NONE;
	tshop_date day;
	int fd, rc;

	if (c->nargs != 1)
		cli_usage(c, "%s takes no operand", verb);
	if (s->since != NULL && strcmp(verb, "orders") == 0 &&
	    tshop_time_parse(s->since, c->cfg.date_order, &since) == -1)
		cli_usage(c, "--since: '%s' is not a time", s->since);
	if (s->since != NULL && strcmp(verb, "statements") == 0) {
		if (tshop_date_parse(s->since, &day) == -1)
			cli_usage(c, "--since: '%s' is not a date (YYYY-MM-DD)", s->since);
		since = tshop_local_midnight(day);
	}
	if (s->since != NULL && since == TSHOP_TIME_NONE)
		cli_usage(c, "--since is for orders and statements");
	fd = run_lock(c, verb);
	api_setup(c, s, &api);
	if (tshop_sync_init(&sync, c->db, &c->cfg, &api, &e) == -1) {
		tshop_api_release(&api);
		cli_fail(c, &e);
	}
	sync.notice = on_notice;
	sync.progress = on_progress;
	sync.ctx = s;
	sync.dry_run = c->dry_run;
	s->started = time(NULL);
	if (strcmp(verb, "orders") == 0) {
		if (c->dry_run) {
			cli_writer(c, &s->w, order_cols, 2);
			sync.merged_order = print_merged;
		}
		rc = tshop_sync_orders(&sync, since, &e);
		if (c->dry_run)
			tshop_writer_flush(&s->w);
	} else if (strcmp(verb, "carriers") == 0) {
		cli_writer(c, &s->w, carrier_cols, 3);
		rc = tshop_sync_carriers(&sync, print_carrier, s, &e);
		tshop_writer_flush(&s->w);
	} else if (strcmp(verb, "push") == 0) {
		if (c->dry_run) {
			cli_writer(c, &s->w, push_cols, 5);
			sync.would_send = print_would_send;
		}
		rc = tshop_sync_push(&sync, &e);
		if (c->dry_run)
			tshop_writer_flush(&s->w);
	} else {
		rc = tshop_sync_statements(&sync, since, &e);
	}
	if (strcmp(verb, "push") != 0) {
		struct tshop_err de = { 0 };

		/* the dead-letter count belongs in every summary */
		(void)tshop_sync_dead_count(c->db, &sync.n.dead, &de);
	}
	if (strcmp(verb, "orders") == 0 && sync.n.merged > 0)
		cli_note(c, "orders: %lu new, %lu updated, %lu unchanged, %lu ignored (stale)",
		    sync.n.new_, sync.n.updated, sync.n.unchanged, sync.n.stale);
	else if (strcmp(verb, "statements") == 0 && sync.n.merged > 0)
		cli_note(c, "settlement rows: %lu new, %lu unchanged, %lu conflicting, "
		    "%lu duplicates", sync.n.new_, sync.n.unchanged, sync.n.stale,
		    sync.n.duplicates);
	summary(s, &sync.n);
	if (c->dry_run && rc == 0)
		cli_note(c, "dry run: nothing %s", strcmp(verb, "push") == 0 ?
		    "sent, the outbox unchanged" : "changed in the database");
	tshop_sync_release(&sync);
	tshop_api_release(&api);
	cli_flush(c);
	if (fd != -1)
		close(fd);
	if (rc == -1)
		cli_fail(c, &e);
	if (sync.n.failed > 0)
		return TSHOP_EXIT_REMOTE;
	return TSHOP_EXIT_OK;
}

static int
cmd_dead(struct tshop_cli *c, struct sync_cmd *s)
{
	static const struct tshop_outcol cols[] = {
		{ "id", TSHOP_OUT_STR }, { "kind", TSHOP_OUT_STR }, { "key", TSHOP_OUT_STR },
		{ "attempts", TSHOP_OUT_NUM }, { "last_error", TSHOP_OUT_STR },
	};
	struct tshop_err e = { 0 };

	if (c->nargs != 1)
		cli_usage(c, "dead takes no operand");
	cli_writer(c, &s->w, cols, 5);
	if (tshop_sync_dead(c->db, print_dead, s, &e) == -1)
		cli_fail(c, &e);
	tshop_writer_flush(&s->w);
	cli_flush(c);
	return TSHOP_EXIT_OK;
}

static int
cmd_retry(struct tshop_cli *c)
{
	struct tshop_err e = { 0 };
	int64_t *ids = NULL;
	size_t n = (size_t)(c->nargs - 1), done;
	long long v;

	if (n > 0 && (ids = calloc(n, sizeof(*ids))) == NULL) {
		tshop_errorf(&e, 3, "out of memory");
		cli_fail(c, &e);
	}
	for (size_t i = 0; i < n; i++) {
		if (tshop_parse_int(c->args[i + 1], 1, INT64_MAX, &v) == -1)
			cli_usage(c, "'%s' is not an outbox id ('tshop-sync dead' lists them)",
			    c->args[i + 1]);
		ids[i] = v;
	}
	if (tshop_db_begin(c->db, &e) == -1 || tshop_sync_retry(c->db, ids, n, &done, &e) == -1) {
		tshop_db_rollback(c->db);
		free(ids);
		cli_fail(c, &e);
	}
	free(ids);
	if (c->dry_run)
		tshop_db_rollback(c->db);
	else if (tshop_db_commit(c->db, &e) == -1)
		cli_fail(c, &e);
	cli_note(c, "%zu dead-letter entr%s queued again%s", done, done == 1 ? "y" : "ies",
	    c->dry_run ? " (dry run: nothing changed)" : "");
	return TSHOP_EXIT_OK;
}

int
main(int argc, char *argv[])
{
	struct tshop_cli c;
	struct sync_cmd s = { .c = &c };
	const char *verb;
	int rc;

	cli_init(&c, "tshop-sync", usage);
	cli_parse(&c, argc, argv, opts, on_opt, &s);
	if (c.nargs < 1)
		cli_usage(&c, "no verb given");
	verb = c.args[0];
	s.tty = !c.quiet && isatty(STDERR_FILENO);
	if (s.since != NULL && strcmp(verb, "orders") != 0 && strcmp(verb, "statements") != 0)
		cli_usage(&c, "--since is for orders and statements");
	if (strcmp(verb, "auth") == 0 || strcmp(verb, "refresh") == 0 ||
	    strcmp(verb, "shops") == 0) {
		/* no database needed: the shop's api.* settings when there is one */
		struct tshop_err e = { 0 };
		char *path = tshop_db_path(c.db_opt, &e);

		if (path != NULL && access(path, F_OK) == 0)
			cli_open(&c, TSHOP_DB_READ);
		free(path);
		if (strcmp(verb, "shops") == 0)
			rc = cmd_shops(&c, &s);
		else
			rc = cmd_auth(&c, &s, strcmp(verb, "refresh") == 0);
	} else if (strcmp(verb, "orders") == 0 || strcmp(verb, "carriers") == 0 ||
	    strcmp(verb, "push") == 0 || strcmp(verb, "statements") == 0) {
		cli_open(&c, TSHOP_DB_WRITE);
		rc = cmd_run(&c, &s, verb);
	} else if (strcmp(verb, "dead") == 0) {
		cli_open(&c, TSHOP_DB_READ);
		rc = cmd_dead(&c, &s);
	} else if (strcmp(verb, "retry") == 0) {
		cli_open(&c, TSHOP_DB_WRITE);
		rc = cmd_retry(&c);
	} else {
		cli_usage(&c, "unknown verb '%s'", verb);
	}
	cli_close(&c);
	return rc;
}
