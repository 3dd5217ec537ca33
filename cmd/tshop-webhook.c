/*
 * tshop-webhook — receive TikTok Shop webhook deliveries as a CGI program
 * (lighttpd mod_cgi, nginx + fcgiwrap, Apache), replay one from a file,
 * and list the event log.
 *
 * As a CGI program (REQUEST_METHOD set, no verb) it reads CONTENT_LENGTH
 * bytes of body from standard input, checks HTTP_AUTHORIZATION against
 * HMAC-SHA256(app_secret, app_key + body) in constant time, answers
 * "Status: 401" and stores nothing when it does not match, else records
 * the event and applies it through lib/webhook.c in one transaction and
 * answers "Status: 200" with an empty body.  The database wait is capped
 * well inside TikTok's 3 s.  See tshop-webhook(1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "credentials.h"
#include "webhook.h"

static const char usage[] =
    "tshop-webhook [-q] [-d db]\n"
    "       tshop-webhook [-nq] [-d db] --file event.json [--signature sig]\n"
    "       tshop-webhook [-Hq] [-d db] [-o tsv|csv|json] list [-s result]";

enum { OPT_FILE = CLI_FIRST_PROGRAM_OPT, OPT_SIGNATURE };

static const struct cli_opt opts[] = {
	{ "file", OPT_FILE, true },
	{ "signature", OPT_SIGNATURE, true },
	{ NULL, 's', true },
	{ NULL, 0, false },
};

#define CGI_BUSY_MS 2000	/* TikTok wants an answer within 3 s */

struct webhook_cmd {
	const char *file, *signature, *result;
	struct tshop_writer w;
};

static void
on_opt(struct tshop_cli *c, int id, const char *arg, void *ctx)
{
	struct webhook_cmd *s = ctx;

	switch (id) {
	case OPT_FILE: s->file = arg; break;
	case OPT_SIGNATURE: s->signature = arg; break;
	case 's': s->result = arg; break;
	}
	(void)c;
}

static bool cgi_answered;	/* a Status line has been written */

static void
cgi_status(int code, const char *reason)
{
	printf("Status: %d %s\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n",
	    code, reason);
	fflush(stdout);
	cgi_answered = true;
}

/*
 * At exit: a CGI run that ends without an answer (cli_open and cli_fail
 * exit on a database that cannot be opened) still answers, 503, so that
 * the web server does not make up an error page and TikTok delivers again.
 */
static void
cgi_unanswered(void)
{
	if (!cgi_answered)
		cgi_status(503, "Service Unavailable");
}

/* The app key and secret, for the signature check; exits with e on failure. */
static int
load_secrets(struct tshop_credentials *cred, struct tshop_err *e)
{
	if (tshop_credentials_load(cred, NULL, e) == -1 ||
	    tshop_credentials_require(cred, false, e) == -1)
		return -1;
	return 0;
}

/*
 * Record one delivery in one transaction (rolled back with -n); `verified`:
 * its signature matched, so a body that is not JSON is recorded too.
 */
static int
record(struct tshop_cli *c, const char *body, size_t len, bool verified,
    struct tshop_webhook_event *ev, struct tshop_err *e)
{
	struct tshop_orders *orders = NULL;
	int rc = -1;

	if (tshop_orders_new(&orders, c->db, &c->cfg, e) == -1)
		return -1;
	if (tshop_db_begin(c->db, e) == 0) {
		if ((verified ? tshop_webhook_record_signed : tshop_webhook_record)(c->db, orders,
		    body, len, tshop_now(), ev, e) == -1) {
			tshop_db_rollback(c->db);
		} else if (c->dry_run) {
			tshop_db_rollback(c->db);
			rc = 0;
		} else {
			rc = tshop_db_commit(c->db, e);
		}
	}
	tshop_orders_free(orders);
	return rc;
}

static void
report(struct tshop_cli *c, const struct tshop_webhook_event *ev)
{
	cli_note(c, "%s: type %lld%s%s: %s%s%s%s%s", ev->notification_id, ev->type,
	    ev->order_id[0] ? ", order " : "", ev->order_id,
	    tshop_webhook_result_name(ev->result), ev->detail[0] ? " (" : "", ev->detail,
	    ev->detail[0] ? ")" : "", ev->replay ? " (a replay: nothing stored)" :
	    c->dry_run ? " (dry run: nothing stored)" : "");
}

static int
cmd_cgi(struct tshop_cli *c)
{
	struct tshop_credentials cred = TSHOP_CREDENTIALS_INIT;
	struct tshop_webhook_event ev;
	struct tshop_err e = { 0 };
	const char *method = getenv("REQUEST_METHOD"), *cl = getenv("CONTENT_LENGTH");
	const char *auth = getenv("HTTP_AUTHORIZATION");
	long long len = 0;
	size_t got = 0, r;
	char *body;

	atexit(cgi_unanswered);
	if (method == NULL || strcmp(method, "POST") != 0) {
		cli_warn(c, "request method '%s' is not POST", method ? method : "");
		cgi_status(405, "Method Not Allowed");
		return TSHOP_EXIT_USAGE;
	}
	/* no CONTENT_LENGTH: no body (CGI/1.1, RFC 3875 4.1.2) */
	if (cl != NULL && cl[0] != '\0' &&
	    tshop_parse_int(cl, 0, TSHOP_WEBHOOK_MAX_BODY, &len) == -1) {
		cli_warn(c, "CONTENT_LENGTH '%s' is not a length up to %d bytes", cl,
		    TSHOP_WEBHOOK_MAX_BODY);
		cgi_status(413, "Payload Too Large");
		return TSHOP_EXIT_USAGE;
	}
	if ((body = malloc((size_t)len + 1)) == NULL) {
		cgi_status(500, "Internal Server Error");
		return TSHOP_EXIT_LOCAL;
	}
	while (got < (size_t)len && (r = fread(body + got, 1, (size_t)len - got, stdin)) > 0)
		got += r;
	body[got] = '\0';
	if (got != (size_t)len) {
		cli_warn(c, "the body ended after %zu of %lld bytes", got, len);
		cgi_status(400, "Bad Request");
		free(body);
		return TSHOP_EXIT_USAGE;
	}
	if (load_secrets(&cred, &e) == -1) {
		cli_warn(c, "%s", e.msg);
		cgi_status(500, "Internal Server Error");
		free(body);
		return e.code;
	}
	if (!tshop_webhook_signature_ok(cred.app_key, cred.app_secret, body, got, auth)) {
		tshop_credentials_release(&cred);
		cli_warn(c, "refused a delivery: the Authorization signature does not match");
		cgi_status(401, "Unauthorized");
		free(body);
		return TSHOP_EXIT_REMOTE;
	}
	tshop_credentials_release(&cred);
	cli_open(c, TSHOP_DB_WRITE);
	sqlite3_busy_timeout(c->db->h, CGI_BUSY_MS);
	if (record(c, body, got, true, &ev, &e) == -1) {
		cli_warn(c, "%s", e.msg);
		/* a busy database gets better: TikTok delivers again */
		cgi_status(503, "Service Unavailable");
		free(body);
		return e.code;
	}
	free(body);
	cgi_status(200, "OK");
	report(c, &ev);
	return TSHOP_EXIT_OK;
}

static int
cmd_file(struct tshop_cli *c, struct webhook_cmd *s)
{
	static const struct tshop_outcol cols[] = {
		{ "notification_id", TSHOP_OUT_STR }, { "type", TSHOP_OUT_NUM },
		{ "order_id", TSHOP_OUT_STR }, { "result", TSHOP_OUT_STR },
	};
	struct tshop_credentials cred = TSHOP_CREDENTIALS_INIT;
	struct tshop_webhook_event ev;
	struct tshop_err e = { 0 };
	struct tshop_buf body = TSHOP_BUF_INIT;
	char chunk[8192], type[32];
	size_t r;
	FILE *fp;

	if (c->nargs != 0)
		cli_usage(c, "--file takes no operand");
	if ((fp = strcmp(s->file, "-") == 0 ? stdin : fopen(s->file, "rb")) == NULL) {
		tshop_errorf(&e, 3, "cannot open '%s'", s->file);
		cli_fail(c, &e);
	}
	while ((r = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (body.len + r > TSHOP_WEBHOOK_MAX_BODY || tshop_buf_add(&body, chunk, r) == -1) {
			tshop_errorf(&e, 2, "'%s' is larger than %d bytes", s->file,
			    TSHOP_WEBHOOK_MAX_BODY);
			cli_fail(c, &e);
		}
	}
	if (ferror(fp)) {
		tshop_errorf(&e, 3, "cannot read '%s'", s->file);
		cli_fail(c, &e);
	}
	if (fp != stdin)
		fclose(fp);
	if (s->signature != NULL) {
		if (load_secrets(&cred, &e) == -1)
			cli_fail(c, &e);
		if (!tshop_webhook_signature_ok(cred.app_key, cred.app_secret, body.data, body.len,
		    s->signature)) {
			tshop_credentials_release(&cred);
			tshop_buf_release(&body);
			tshop_errorf(&e, TSHOP_EXIT_REMOTE, "'%s': the signature does not match "
			    "(HMAC-SHA256 of the app key and the body, keyed with the app secret): "
			    "nothing stored", s->file);
			cli_fail(c, &e);
		}
		tshop_credentials_release(&cred);
	}
	cli_open(c, TSHOP_DB_WRITE);
	if (record(c, tshop_buf_str(&body), body.len, false, &ev, &e) == -1) {
		tshop_buf_release(&body);
		cli_fail(c, &e);
	}
	tshop_buf_release(&body);
	snprintf(type, sizeof(type), "%lld", ev.type);
	cli_writer(c, &s->w, cols, 4);
	const char *row[4] = { ev.notification_id, ev.type >= 0 ? type : NULL, ev.order_id,
	    tshop_webhook_result_name(ev.result) };
	tshop_writer_row(&s->w, row);
	tshop_writer_flush(&s->w);
	cli_flush(c);
	if (ev.detail[0] != '\0')
		cli_note(c, "%s: %s", ev.notification_id, ev.detail);
	if (c->dry_run && !ev.replay)
		cli_note(c, "dry run: nothing stored or applied");
	return TSHOP_EXIT_OK;
}

static int
list_row(const struct tshop_webhook_row *r, void *ctx, struct tshop_err *e)
{
	struct webhook_cmd *s = ctx;
	char t[32], type[32];
	const char *row[5] = { tshop_time_format(r->received_at, t, sizeof(t)),
	    r->notification_id, r->type >= 0 ? type : NULL, r->order_id, r->result };

	snprintf(type, sizeof(type), "%lld", r->type);
	if (tshop_writer_row(&s->w, row) == -1)
		return tshop_errorf(e, 3, "write error");
	return 0;
}

static int
cmd_list(struct tshop_cli *c, struct webhook_cmd *s)
{
	static const struct tshop_outcol cols[] = {
		{ "received_at", TSHOP_OUT_STR }, { "notification_id", TSHOP_OUT_STR },
		{ "type", TSHOP_OUT_NUM }, { "order_id", TSHOP_OUT_STR }, { "result", TSHOP_OUT_STR },
	};
	struct tshop_err e = { 0 };
	enum tshop_webhook_result r;

	if (c->nargs != 1)
		cli_usage(c, "list takes no operand");
	if (s->result != NULL && tshop_webhook_result_parse(s->result, &r) == -1)
		cli_usage(c, "-s: '%s' is not applied, pending, stale or duplicate",
		    s->result);
	cli_open(c, TSHOP_DB_READ);
	cli_writer(c, &s->w, cols, 5);
	if (tshop_webhook_list(c->db, s->result, list_row, s, &e) == -1)
		cli_fail(c, &e);
	tshop_writer_flush(&s->w);
	cli_flush(c);
	return TSHOP_EXIT_OK;
}

int
main(int argc, char *argv[])
{
	struct tshop_cli c;
	struct webhook_cmd s = { 0 };
	int rc;

	cli_init(&c, "tshop-webhook", usage);
	cli_parse(&c, argc, argv, opts, on_opt, &s);
	if (s.file != NULL)
		rc = cmd_file(&c, &s);
	else if (c.nargs >= 1 && strcmp(c.args[0], "list") == 0)
		rc = cmd_list(&c, &s);
	else if (c.nargs >= 1)
		cli_usage(&c, "unknown verb '%s'", c.args[0]);
	else if (getenv("REQUEST_METHOD") != NULL)
		rc = cmd_cgi(&c);
	else
		cli_usage(&c, "not run as a CGI program (REQUEST_METHOD is not set): "
		    "give --file or list");
	cli_close(&c);
	return rc;
}
