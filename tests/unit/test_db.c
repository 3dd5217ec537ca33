/*
 * test_db.c — opening, creating and migrating the database, settings.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "unit.h"

static int
count_keys(const char *key, const char *value, void *ctx)
{
	(void)key;
	(void)value;
	(*(int *)ctx)++;
	return 0;
}

static int
count_sql(struct tshop_db *db, const char *sql)
{
	sqlite3_stmt *st;
	int n = -1;

	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* The number of schema entries matching `where`. */
static int
count(struct tshop_db *db, const char *where)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM sqlite_master WHERE %s", where);
	return count_sql(db, sql);
}

int
main(void)
{
	char dir[] = "/tmp/tshop-db.XXXXXX", path[256], newer[256];
	struct tshop_db *db = NULL;
	struct tshop_err e = { 0 };
	struct tshop_buf v = TSHOP_BUF_INIT;
	struct tshop_config cfg;
	struct tshop_rate r;
	struct stat sb;
	int n = 0;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/sub/dir/shop.db", dir);
	OK(tshop_db_open(&db, path, TSHOP_DB_READ, &e) == -1, "read of a missing database fails");
	INT_EQ(e.code, 3, "with code 3");
	OK(strstr(e.msg, "no database at") != NULL, "saying there is no database: %s", e.msg);
	OK(stat(path, &sb) == -1, "and creating nothing");

	OK(tshop_db_open(&db, path, TSHOP_DB_WRITE, &e) == 0, "write creates it: %s", e.msg);
	OK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600, "file mode 0600");
	snprintf(newer, sizeof(newer), "%s/sub/dir", dir);
	OK(stat(newer, &sb) == 0 && (sb.st_mode & 0777) == 0700, "directory mode 0700");

	OK(tshop_config_get(db, "handling_days", &v, &e) == 0, "get a default");
	STR_EQ(tshop_buf_str(&v), "3", "handling_days defaults to 3");
	OK(tshop_config_get(db, "alert.excluded_categories", &v, &e) == 0, "get excluded");
	STR_EQ(tshop_buf_str(&v), "Pre-Owned,Collectibles", "excluded categories default");
	OK(tshop_config_get(db, "nope", &v, &e) == -1 && e.code == 2, "unknown key is an error");
	OK(tshop_config_set(db, "handling_days", "9", &e) == -1 && e.code == 2, "9 handling days refused");
	OK(tshop_config_set(db, "tz", "Mars/Olympus", &e) == -1, "unknown time zone refused");
	OK(tshop_config_set(db, "fee.transaction", "2.9%+0.30", &e) == 0, "fee set");
	OK(tshop_config_set(db, "fee.transaction", "lots", &e) == -1, "bad fee refused");
	OK(tshop_config_set(db, "commission.Beauty", "6.5%", &e) == 0, "family key set");
	OK(tshop_config_commission(db, "Beauty", &r, &e) == 0 && r.num * 1000 == 65 * r.den,
	    "Beauty commission 6.5%%");
	OK(tshop_config_commission(db, "Apparel", &r, &e) == 0 && r.num * 100 == 8 * r.den,
	    "Apparel commission defaults to 8%%");
	OK(tshop_config_commission(db, "Garden", &r, &e) == 0 && r.num * 100 == 5 * r.den,
	    "unknown category: commission.default 5%%");
	OK(tshop_config_set(db, "tz", "America/Los_Angeles", &e) == 0, "tz set");
	OK(tshop_config_load(db, &cfg, &e) == 0, "load settings");
	STR_EQ(cfg.tz, "America/Los_Angeles", "tz loaded");
	OK(tshop_config_excluded(&cfg, "pre-owned"), "excluded matches case-insensitively");
	OK(!tshop_config_excluded(&cfg, "Apparel"), "Apparel not excluded");
	tshop_config_release(&cfg);
	OK(tshop_config_list(db, count_keys, &n, &e) == 0, "list");
	OK(n >= 24, "list shows every fixed key and the stored family key (%d)", n);

	/* a bulk batch builds the secondary indexes of its table at commit */
	OK(tshop_db_exec(db, "CREATE TABLE t (a INTEGER, b TEXT UNIQUE);"
	    " CREATE INDEX t_by_a ON t (a); CREATE INDEX t_odd ON t (b) WHERE a % 2 = 1", &e) == 0,
	    "a table with two indexes and a UNIQUE column");
	OK(tshop_db_bulk(db, "t", &e) == 0 && db->bulk_at == TSHOP_DB_BULK_MIN,
	    "an empty table: deferred after %d records", TSHOP_DB_BULK_MIN);
	OK(tshop_db_begin(db, &e) == 0 && tshop_db_bulk_records(db, 1, &e) == 0 &&
	    count(db, "type = 'index' AND tbl_name = 't'") == 3, "not after one record");
	OK(tshop_db_bulk_records(db, TSHOP_DB_BULK_MIN, &e) == 0 &&
	    count(db, "type = 'index' AND tbl_name = 't'") == 1, "dropped at the threshold: %s", e.msg);
	OK(count(db, "name = 'sqlite_autoindex_t_1'") == 1, "but never the UNIQUE one");
	OK(tshop_db_exec(db, "INSERT INTO t VALUES (1, 'x')", &e) == 0, "a row written");
	tshop_db_rollback(db);
	OK(count(db, "type = 'index' AND tbl_name = 't'") == 3 && count_sql(db,
	    "SELECT count(*) FROM t") == 0, "a rollback keeps the indexes, drops the row");
	OK(tshop_db_begin(db, &e) == 0 && tshop_db_bulk_records(db, TSHOP_DB_BULK_MIN, &e) == 0 &&
	    tshop_db_exec(db, "WITH RECURSIVE s(a) AS (SELECT 1 UNION ALL SELECT a + 1"
	    " FROM s WHERE a < 30000) INSERT INTO t SELECT a, 'k' || a FROM s", &e) == 0 &&
	    count(db, "type = 'index' AND tbl_name = 't'") == 1 &&
	    tshop_db_commit(db, &e) == 0, "a batch of 30000 rows commits: %s", e.msg);
	OK(count(db, "type = 'index' AND tbl_name = 't'") == 3, "its indexes built again");
	OK(count_sql(db, "SELECT count(*) FROM t INDEXED BY t_odd WHERE a % 2 = 1 AND b > ''") == 15000,
	    "holding every row");
	OK(tshop_db_bulk(db, "t", &e) == 0 && db->bulk_at == TSHOP_DB_BULK_MIN,
	    "30000 rows: still the minimum");

	/* a cached statement: prepared once, handed out reset and unbound */
	{
		static const char *const q = "SELECT count(*), ?1 FROM t WHERE a <= ?1";
		sqlite3_stmt *st1, *st2;

		OK(tshop_db_cached(db, &st1, q, &e) == 0, "prepared: %s", e.msg);
		sqlite3_bind_int(st1, 1, 10);
		OK(sqlite3_step(st1) == SQLITE_ROW && sqlite3_column_int(st1, 0) == 10, "used");
		OK(tshop_db_cached(db, &st2, q, &e) == 0 && st2 == st1, "the same statement again");
		OK(sqlite3_step(st2) == SQLITE_ROW && sqlite3_column_type(st2, 1) == SQLITE_NULL,
		    "reset, its parameter unbound");
		sqlite3_reset(st2);
	}
	tshop_db_close(db);

	/* a database from a newer tshop is refused */
	OK(tshop_db_open(&db, path, TSHOP_DB_READ, &e) == 0, "reopen");
	tshop_db_exec(db, "PRAGMA user_version = 999", &e);
	tshop_db_close(db);
	OK(tshop_db_open(&db, path, TSHOP_DB_READ, &e) == -1 && e.code == 3, "newer schema refused");
	OK(strstr(e.msg, "newer than this tshop") != NULL, "clearly: %s", e.msg);

	/* a file that is not a database */
	snprintf(newer, sizeof(newer), "%s/junk.db", dir);
	{
		FILE *fp = fopen(newer, "w");

		fputs("this is not sqlite, just text that is long enough to be a header....\n", fp);
		fclose(fp);
	}
	OK(tshop_db_open(&db, newer, TSHOP_DB_READ, &e) == -1 && e.code == 3, "junk refused: %s", e.msg);
	tshop_buf_release(&v);
	return UNIT_DONE();
}
