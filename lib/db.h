/*
 * db.h — the shop database (SPEC §2.1): locate, open or create, migrate,
 * and the one transaction helper.
 *
 * One database is one shop.  The schema version lives in PRAGMA
 * user_version; migrations run forward automatically inside a
 * transaction, and a database newer than this program is refused.  The
 * connection uses WAL and a busy timeout of 5 s; the library keeps the
 * references between tables (SQLite's foreign-key checks are off).  A command
 * does all its writes between tshop_db_begin() (BEGIN IMMEDIATE) and
 * tshop_db_commit(), so it applies all or nothing.  The schema itself is
 * in db.c and documented in tshop(7).
 */
#ifndef TSHOP_DB_H
#define TSHOP_DB_H

#include <sqlite3.h>

#include "util.h"

#define TSHOP_DB_CACHED 16	/* see tshop_db_cached() */

struct tshop_db {
	sqlite3 *h;
	char *path;
	const char *bulk_table;		/* see tshop_db_bulk() */
	unsigned long bulk_at;
	struct tshop_buf deferred;	/* CREATE INDEX statements run at commit */
	struct { const char *sql; sqlite3_stmt *st; } cached[TSHOP_DB_CACHED];
	bool created;			/* this connection created the file */
	bool committed;			/* a tshop_db_commit() succeeded */
};

enum tshop_db_mode {
	TSHOP_DB_READ,		/* must exist: "no database at PATH" (code 3) */
	TSHOP_DB_WRITE,		/* created with its directory (0700 / 0600) when missing */
};

#define TSHOP_DB_BUSY_MS 5000

/*
 * The database path: `opt` (-d) when given, else $TSHOP_DB, else
 * ${XDG_DATA_HOME:-$HOME/.local/share}/tshop/tshop.db.  Returns a malloc'ed
 * string, or NULL with e filled.
 */
char *tshop_db_path(const char *opt, struct tshop_err *e);

/* Open (and migrate) the database at `path`.  On error *db is NULL and e says why (code 3). */
int tshop_db_open(struct tshop_db **db, const char *path, enum tshop_db_mode mode, struct tshop_err *e);
void tshop_db_close(struct tshop_db *db);
/*
 * For a command that failed: when this connection created the database and
 * never committed, close it and remove its files (true): a write that
 * failed on a mistyped path must not leave an empty shop there (SPEC
 * §2.1).  Otherwise false, and the database stays open.
 */
bool tshop_db_discard_new(struct tshop_db *db);

/* The schema version this program writes. */
int tshop_db_schema_version(void);

/*
 * A 64 MiB page cache instead of 32, for the jobs whose random B-tree
 * work over a million rows runs 20-50 % faster with it: the batches of
 * tshop_db_bulk() and tshop-settle check (each settlement row joined to
 * its order, line and SKU).  Jobs that keep other data in memory (settle
 * import) or sort (SQLite's sorter sizes itself by the cache) stay at
 * 32 MiB, so that no job passes 100 MiB.
 */
int tshop_db_large_cache(struct tshop_db *db, struct tshop_err *e);
/*
 * For a batch that writes rows per input line into the catalog, stock and
 * orders (tshop-stock import/set/add, tshop-orders import): the large
 * cache.
 *
 * `table`, when not NULL, is the rowid table the batch fills.  Once the
 * batch has read as many records as a third of the rows the table held
 * (and at least TSHOP_DB_BULK_MIN), the table's secondary indexes (not
 * the UNIQUE ones) are dropped, and tshop_db_commit() builds them again
 * by sorting: one random insert per index and row costs more than the
 * sort.  Nothing of this is visible outside the transaction: readers keep
 * the indexes, and a rollback keeps them too.
 */
#define TSHOP_DB_BULK_MIN 10000
int tshop_db_bulk(struct tshop_db *db, const char *table, struct tshop_err *e);
/*
 * The batch loop's count of records read so far (see tshop_db_bulk()).
 * Every TSHOP_DB_FLUSH records, the pages the batch changed are written to
 * the WAL, still uncommitted (a rollback or a crash loses them as before).
 * SQLite recycles only unchanged pages, so the new rows of a long batch
 * would otherwise fill up to 90 % of the cache and push out the index
 * pages every record looks up: an import of 1M orders read the pages of
 * the catalog's SKU index 450,000 times.
 */
#define TSHOP_DB_FLUSH 50000
int tshop_db_bulk_records(struct tshop_db *db, unsigned long n, struct tshop_err *e);

/*
 * BEGIN IMMEDIATE (waiting up to the busy timeout), COMMIT (after
 * building the indexes tshop_db_bulk() deferred), ROLLBACK.
 */
int tshop_db_begin(struct tshop_db *db, struct tshop_err *e);
int tshop_db_commit(struct tshop_db *db, struct tshop_err *e);
void tshop_db_rollback(struct tshop_db *db);
/*
 * A read transaction, so that several statements see one snapshot: BEGIN
 * unless the caller already holds a transaction (*own tells which), and
 * its end (a ROLLBACK, only when own).
 */
int tshop_db_read_begin(struct tshop_db *db, bool *own, struct tshop_err *e);
void tshop_db_read_end(struct tshop_db *db, bool own);

/* Prepare `sql` (bound parameters only).  -1 with e filled (code 3). */
int tshop_db_prepare(struct tshop_db *db, sqlite3_stmt **st, const char *sql, struct tshop_err *e);
/*
 * The statement of `sql`, prepared on its first use and kept until the
 * connection closes, for functions called once per input record: a
 * prepare costs far more than the step.  `sql` must be a string literal
 * (its address is the key).  The statement comes reset, its parameters
 * unbound; reset it after use, never finalize it.
 */
int tshop_db_cached(struct tshop_db *db, sqlite3_stmt **st, const char *sql, struct tshop_err *e);
/* Execute SQL without results. */
int tshop_db_exec(struct tshop_db *db, const char *sql, struct tshop_err *e);
/* Fill e with the connection's last error, prefixed by `what`; returns -1 (code 3). */
int tshop_db_error(struct tshop_db *db, struct tshop_err *e, const char *what);

/* Bind helpers: NULL / TSHOP_TIME_NONE-style "no value" binds SQL NULL. */
int tshop_db_bind_text(sqlite3_stmt *st, int i, const char *s);
/* A column as text, NULL when SQL NULL. */
const char *tshop_db_col_text(sqlite3_stmt *st, int i);

/* Key/value state of the programs (cursors, last runs): not user settings. */
int tshop_db_state_get(struct tshop_db *db, const char *key, long long *out, struct tshop_err *e);
int tshop_db_state_set(struct tshop_db *db, const char *key, long long value, struct tshop_err *e);

#endif
