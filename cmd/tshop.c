/*
 * tshop — the dispatcher.  "tshop VERB ARGS" runs tshop-VERB, found beside
 * this program first and then on PATH, like git.  It also holds the verbs
 * that belong to no single program: init, config, help and --version.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

static const char usage[] =
    "tshop [-d db] init\n"
    "       tshop [-d db] config [key [value]]\n"
    "       tshop help [verb]\n"
    "       tshop --version\n"
    "       tshop verb [argument ...]";

static const char *const programs[][2] = {
	{ "stock", "SKU catalog and on-hand stock per warehouse" },
	{ "alert", "low-stock rules and the daily alert check" },
	{ "orders", "import and list orders, deadlines, pick lists" },
	{ "ship", "mark orders shipped with tracking number and carrier" },
	{ "settle", "reconcile settlement reports against the orders" },
	{ "metrics", "seller performance metrics against targets" },
	{ "returns", "return and refund requests" },
	{ "sync", "the TikTok Shop Open API: pull, push, retry" },
	{ "webhook", "receive TikTok Shop webhooks (CGI)" },
};

static void
help(void)
{
	printf("usage: %s\n\nPrograms:\n", usage);
	for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]); i++) {
		printf("  %-8s %s\n", programs[i][0], programs[i][1]);
	}
	printf("\n'tshop help VERB' shows the manual of tshop-VERB; tshop(7) describes\n"
	    "the formats, statuses, exit codes and the database.\n");
}

static int
print_setting(const char *key, const char *value, void *ctx)
{
	struct tshop_writer *w = ctx;
	const char *row[2] = { key, value };

	return tshop_writer_row(w, row);
}

static int
cmd_config(struct tshop_cli *c)
{
	static const struct tshop_outcol cols[] = {
		{ "key", TSHOP_OUT_STR }, { "value", TSHOP_OUT_STR },
	};
	struct tshop_err e = { 0 };
	struct tshop_buf v = TSHOP_BUF_INIT;
	struct tshop_writer w;

	if (c->nargs > 3)
		cli_usage(c, "config takes at most a key and a value");
	cli_open(c, TSHOP_DB_WRITE);
	if (c->nargs == 3) {
		if (c->dry_run) {
			if (tshop_config_check(c->args[1], c->args[2], &e) == -1)
				cli_fail(c, &e);
			cli_note(c, "dry run: %s would be '%s'", c->args[1], c->args[2]);
			return 0;
		}
		if (tshop_config_set(c->db, c->args[1], c->args[2], &e) == -1)
			cli_fail(c, &e);
		return 0;
	}
	if (c->nargs == 2) {
		if (tshop_config_get(c->db, c->args[1], &v, &e) == -1)
			cli_fail(c, &e);
		printf("%s\n", tshop_buf_str(&v));
		tshop_buf_release(&v);
		cli_flush(c);
		return 0;
	}
	cli_writer(c, &w, cols, 2);
	if (tshop_config_list(c->db, print_setting, &w, &e) == -1)
		cli_fail(c, &e);
	tshop_writer_flush(&w);
	cli_flush(c);
	return 0;
}

/* The directory this program was started from, for finding its siblings. */
static void
self_dir(const char *argv0, char *dir, size_t n)
{
	ssize_t len = readlink("/proc/self/exe", dir, n - 1);
	char *slash;

	if (len > 0)
		dir[len] = '\0';
	else
		snprintf(dir, n, "%s", argv0);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	else
		dir[0] = '\0';
}

/* Run man ARGS...; its exit status, or -1 when it could not run. */
static int
run_man(const char *a, const char *b)
{
	pid_t pid;
	int st;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		execlp("man", "man", a, b, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) == -1 || !WIFEXITED(st) || WEXITSTATUS(st) == 127)
		return -1;
	return WEXITSTATUS(st);
}

/*
 * tshop help VERB: the installed manual page, else the one of the source
 * tree next to the program (bin/../man); 2 for a verb that is no program.
 */
static int
manual(const char *argv0, const char *verb)
{
	char dir[PATH_MAX], page[64], local[PATH_MAX + 128];
	size_t i, n = sizeof(programs) / sizeof(programs[0]);

	for (i = 0; i < n && strcmp(programs[i][0], verb) != 0; i++)
		;
	if (i == n) {
		fprintf(stderr, "tshop: '%s' is not a tshop verb (see 'tshop help')\n", verb);
		return TSHOP_EXIT_USAGE;
	}
	snprintf(page, sizeof(page), "tshop-%s", verb);
	self_dir(argv0, dir, sizeof(dir));
	snprintf(local, sizeof(local), "%s/../man/%s.1", dir[0] ? dir : ".", page);
	if (run_man(page, NULL) == 0 || (access(local, R_OK) == 0 && run_man("-l", local) == 0))
		return 0;
	fprintf(stderr, "tshop: no manual page for %s (is man installed?)\n", page);
	return TSHOP_EXIT_LOCAL;
}

static void
dispatch(const char *argv0, const char *verb, char **argv)
{
	char dir[PATH_MAX], path[PATH_MAX + 64], name[64];

	if (strchr(verb, '/') != NULL || strlen(verb) > 32) {
		fprintf(stderr, "tshop: '%s' is not a tshop verb (see 'tshop help')\n", verb);
		exit(TSHOP_EXIT_USAGE);
	}
	snprintf(name, sizeof(name), "tshop-%s", verb);
	self_dir(argv0, dir, sizeof(dir));
	if (dir[0] != '\0') {
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		argv[0] = name;
		execv(path, argv);
	}
	execvp(name, argv);
	if (errno == ENOENT)
		fprintf(stderr, "tshop: '%s' is not a tshop verb (see 'tshop help')\n", verb);
	else
		fprintf(stderr, "tshop: cannot run %s: %s\n", name, strerror(errno));
	exit(errno == ENOENT ? TSHOP_EXIT_USAGE : TSHOP_EXIT_LOCAL);
}

int
main(int argc, char *argv[])
{
	struct tshop_cli c;
	int first = 1, rc;

	/* global options before the verb, as in "tshop -d shop.db stock list" */
	cli_init(&c, "tshop", usage);
	if (argc > 1 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
		printf("tshop %s\n", TSHOP_VERSION);
		return 0;
	}
	/* find the verb: skip "-d FILE" and flags */
	while (first < argc && argv[first][0] == '-' && argv[first][1] != '\0') {
		if (strcmp(argv[first], "-d") == 0 || strcmp(argv[first], "-o") == 0)
			first++;
		first++;
	}
	if (first >= argc) {
		if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
			help();
			return 0;
		}
		cli_usage(&c, "no verb given");
	}
	if (strcmp(argv[first], "init") == 0 || strcmp(argv[first], "config") == 0) {
		cli_parse(&c, argc, argv, NULL, NULL, NULL);
		if (strcmp(c.args[0], "init") == 0) {
			if (c.nargs > 1)
				cli_usage(&c, "init takes no operand");
			cli_open(&c, TSHOP_DB_WRITE);
			cli_note(&c, "database ready at %s (schema version %d)", c.db->path,
			    tshop_db_schema_version());
			cli_close(&c);
			return 0;
		}
		rc = cmd_config(&c);
		cli_close(&c);
		return rc;
	}
	if (strcmp(argv[first], "help") == 0) {
		if (first + 1 < argc)
			return manual(argv[0], argv[first + 1]);
		help();
		return 0;
	}
	/* "tshop -d x stock list" runs "tshop-stock -d x list" */
	{
		char **nargv = calloc((size_t)argc + 1, sizeof(*nargv));
		int n = 0;

		if (nargv == NULL)
			return TSHOP_EXIT_LOCAL;
		nargv[n++] = argv[first];
		for (int i = 1; i < first; i++)
			nargv[n++] = argv[i];
		for (int i = first + 1; i < argc; i++)
			nargv[n++] = argv[i];
		dispatch(argv[0], argv[first], nargv);
	}
	return TSHOP_EXIT_LOCAL;
}
