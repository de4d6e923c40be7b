/*
 * test_pg.c — the PostgreSQL driver and schema (store/drv_pg.c,
 * store/schema_pg.c; issue #11) against a throwaway cluster: what only
 * PostgreSQL has.  The driver contract both drivers keep is tested on
 * each by tests/unit/test_drv.c.
 *
 * AT_PG_URI is a superuser's URI of the cluster.  CTest starts one for
 * the run and sets it (fixture pg_cluster: tests/support/pgcluster.sh),
 * so under `make test` everything here runs.  Run by hand without it, the
 * database tests are skipped, saying so, and the exit status is 77; or:
 *   tests/support/pgcluster.sh run /tmp/atpg build/tests/test_pg
 *
 * Each database test gets a fresh database whose default collation is
 * ICU's en-US (so the schema's COLLATE "C" is what makes sorting and case
 * folding SQLite's), the schema created by an owner role, and three
 * connections: the superuser, the owner (a superuser that SET ROLE to
 * it, as a DBA would) and the app role the program runs as.
 */
#include "testlib.h"

#include <malloc.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/drv.h"
#include "store/drv_pg.h"
#include "store/schema.h"
#include "store/schema_pg.h"

#if defined(__SANITIZE_ADDRESS__)
#define T_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define T_ASAN 1
#endif
#endif

#ifdef T_ASAN
/* The sanitizer runtime's (sanitizer/allocator_interface.h, which gcc's
 * packages do not install). */
size_t __sanitizer_get_current_allocated_bytes(void);
/* Bytes the program has allocated and not freed (ASan's quarantine of
 * freed blocks not counted). */
static size_t heap_in_use(void)
{
	return __sanitizer_get_current_allocated_bytes();
}
#else
static size_t heap_in_use(void)
{
	struct mallinfo2 m = mallinfo2();

	/* Large blocks are mapped on their own, outside the arenas. */
	return m.uordblks + m.hblkhd;
}
#endif

static const struct drv *const D = &drv_pg;

/* ==== the rewriter (no database) ======================================= */

/* Rewrite `sql`; it must give `want` and return `max`. */
static void rewrite_is(const char *sql, const char *want, int max)
{
	struct buf out;
	char why[AT_MSG_MAX];
	int n;

	buf_init(&out, 0);
	n = drv_pg_rewrite(sql, &out, NULL, why);
	if (n != max || strcmp(out.data, want) != 0)
		fail_msg("rewrite of [%s]: got [%s] (%d), want [%s] (%d); %s", sql, out.data, n, want,
		         max, why);
	buf_free(&out);
}

static void rewrite_bad(const char *sql, const char *why_has)
{
	struct buf out;
	char why[AT_MSG_MAX];

	buf_init(&out, 0);
	assert_int_equal(drv_pg_rewrite(sql, &out, NULL, why), -1);
	if (!strstr(why, why_has))
		fail_msg("rewrite of [%s]: reason [%s] lacks [%s]", sql, why, why_has);
	buf_free(&out);
}

static void test_rewrite_numbered(void **state)
{
	(void)state;
	rewrite_is("SELECT ?1, ?2 FROM t WHERE a = ?1", "SELECT $1, $2 FROM t WHERE a = $1", 2);
	rewrite_is("SELECT 1", "SELECT 1", 0);
	rewrite_is("x=?12", "x=$12", 12);
	rewrite_is("?007", "$7", 7);
}

/* A bare ? is numbered as SQLite numbers it: asked of SQLite itself. */
static void test_rewrite_bare_as_sqlite_numbers(void **state)
{
	static const char *const sql[] = { "SELECT ?, ?, ?", "SELECT ?5, ?, ?2, ?",
		                           "SELECT ?2, ?, ?1, ?" };
	static const char *const want[] = { "SELECT $1, $2, $3", "SELECT $5, $6, $2, $7",
		                            "SELECT $2, $3, $1, $4" };
	static const int max[] = { 3, 7, 4 };

	(void)state;
	for (size_t k = 0; k < sizeof(sql) / sizeof(sql[0]); k++) {
		sqlite3 *db = NULL;
		sqlite3_stmt *s = NULL;
		struct buf out;
		char why[AT_MSG_MAX], v[8][8];
		const char *p;

		rewrite_is(sql[k], want[k], max[k]);
		/* SQLite: bind "pN" to each number, read back which went where;
		 * the rewrite names the same numbers in the same places. */
		assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, sql[k], -1, &s, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_bind_parameter_count(s), max[k]);
		for (int i = 1; i <= max[k]; i++) {
			snprintf(v[i], sizeof(v[i]), "%d", i);
			sqlite3_bind_text(s, i, v[i], -1, SQLITE_STATIC);
		}
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		buf_init(&out, 0);
		drv_pg_rewrite(sql[k], &out, NULL, why);
		p = out.data;
		for (int col = 0; col < sqlite3_column_count(s); col++) {
			p = strchr(p, '$');
			assert_non_null(p);
			assert_int_equal(atoi(p + 1), atoi((const char *)sqlite3_column_text(s, col)));
			p++;
		}
		buf_free(&out);
		sqlite3_finalize(s);
		sqlite3_close(db);
	}
}

static void test_rewrite_skips_literals(void **state)
{
	(void)state;
	rewrite_is("SELECT '?1', \"q?\", 'it''s ?', ?1", "SELECT '?1', \"q?\", 'it''s ?', $1", 1);
	/* A standard string: the backslash is a character, the quote ends it. */
	rewrite_is("SELECT 'a\\', ?1", "SELECT 'a\\', $1", 1);
	/* E'...': the backslash escapes the quote. */
	rewrite_is("SELECT E'\\'?', ?1", "SELECT E'\\'?', $1", 1);
	rewrite_is("SELECT \"a\"\"?\", ?", "SELECT \"a\"\"?\", $1", 1);
	/* Unterminated: copied to the end, the server will say what is wrong. */
	rewrite_is("SELECT '?", "SELECT '?", 0);
}

static void test_rewrite_skips_comments(void **state)
{
	struct buf out;
	unsigned char *used = calloc(DRV_MAX_PARAMS + 1, 1);
	char why[AT_MSG_MAX];

	(void)state;
	assert_non_null(used);
	rewrite_is("SELECT 1 -- ?1\n, ?2", "SELECT 1 -- ?1\n, $2", 2);
	rewrite_is("SELECT 1 -- ?1", "SELECT 1 -- ?1", 0);
	buf_init(&out, 0);
	assert_int_equal(drv_pg_rewrite("/* ?1 /* ?2 */ ?3 */ ?4", &out, used, why), 4);
	assert_string_equal(out.data, "/* ?1 /* ?2 */ ?3 */ $4");
	assert_int_equal(used[1] + used[2] + used[3], 0);
	assert_int_equal(used[4], 1);
	buf_free(&out);
	free(used);
}

static void test_rewrite_skips_dollar_quotes(void **state)
{
	(void)state;
	rewrite_is("DO $$ SELECT ? $$; SELECT ?1", "DO $$ SELECT ? $$; SELECT $1", 1);
	rewrite_is("SELECT $fn$ ?2 $x$ $fn$, ?1", "SELECT $fn$ ?2 $x$ $fn$, $1", 1);
	/* $ inside a word is part of an identifier, not a parameter. */
	rewrite_is("SELECT col$1 FROM t WHERE a = ?", "SELECT col$1 FROM t WHERE a = $1", 1);
}

static void test_rewrite_marks_used(void **state)
{
	struct buf out;
	unsigned char *used = calloc(DRV_MAX_PARAMS + 1, 1);
	char why[AT_MSG_MAX];

	(void)state;
	assert_non_null(used);
	buf_init(&out, 0);
	assert_int_equal(drv_pg_rewrite("UPDATE t SET a = ?3 WHERE id = ?1", &out, used, why), 3);
	assert_int_equal(used[1], 1);
	assert_int_equal(used[2], 0);
	assert_int_equal(used[3], 1);
	buf_free(&out);
	free(used);
}

static void test_rewrite_bad_dollar_params(void **state)
{
	(void)state;
	rewrite_bad("SELECT $1", "write ?N");
	rewrite_bad("SELECT a FROM t WHERE b = $12", "write ?N");
}

static void test_rewrite_bad_range(void **state)
{
	(void)state;
	rewrite_bad("SELECT ?0", "out of range");
	rewrite_bad("SELECT ?32767", "out of range");
	rewrite_bad("SELECT ?99999999999999999999999", "out of range");
}

static void test_rewrite_drops_planner_hints(void **state)
{
	(void)state;
	rewrite_is("SELECT * FROM assets a INDEXED BY assets_custody WHERE a.x = ?1",
	           "SELECT * FROM assets a  WHERE a.x = $1", 1);
	rewrite_is("SELECT * FROM events indexed\n by events_asset\nWHERE 1",
	           "SELECT * FROM events \nWHERE 1", 0);
	rewrite_is("SELECT * FROM events NOT INDEXED WHERE 1", "SELECT * FROM events  WHERE 1", 0);
	/* Not hints: words that only begin the same, NOT IN, quoted text. */
	rewrite_is("SELECT indexed_by FROM t WHERE a NOT IN (1) AND b = 'INDEXED BY x'",
	           "SELECT indexed_by FROM t WHERE a NOT IN (1) AND b = 'INDEXED BY x'", 0);
}

static void test_sqlstate_codes(void **state)
{
	static const char *const conflict[] = { "23000", "23502", "23503", "23514", "23P01",
		                                SCHEMA_PG_REFUSED };
	static const char *const busy[] = { "40001", "40P01", "55P03", "57014" };
	static const char *const storage[] = { "42501", "08006", "25P02", "22P02", "P0001",
		                               "42P01", "", "2350", "235050" };

	(void)state;
	assert_int_equal(drv_pg_code("23505"), AT_DUPLICATE);
	for (size_t i = 0; i < sizeof(conflict) / sizeof(conflict[0]); i++)
		assert_int_equal(drv_pg_code(conflict[i]), AT_CONFLICT);
	for (size_t i = 0; i < sizeof(busy) / sizeof(busy[0]); i++)
		assert_int_equal(drv_pg_code(busy[i]), AT_BUSY);
	for (size_t i = 0; i < sizeof(storage) / sizeof(storage[0]); i++)
		assert_int_equal(drv_pg_code(storage[i]), AT_STORAGE);
	assert_int_equal(drv_pg_code(NULL), AT_STORAGE);
	assert_int_equal(drv_pg_code("22021"), AT_INVALID);
}

static void test_uri_detection(void **state)
{
	(void)state;
	assert_true(drv_pg_is_uri("postgresql:///assettrack?host=/run/postgresql"));
	assert_true(drv_pg_is_uri("postgres://u@db.example/at"));
	assert_false(drv_pg_is_uri("assettrack.db"));
	assert_false(drv_pg_is_uri("./postgresql://x"));
	assert_false(drv_pg_is_uri(NULL));
}

/* One version number, both dialects: both arrays end at it. */
static void test_schema_versions_agree(void **state)
{
	(void)state;
	assert_int_equal(schema_nmigrations, AT_SCHEMA_VERSION);
	assert_true(schema_pg_nsteps >= 1);
	assert_int_equal(schema_pg_steps[0].from, 0);
	for (int i = 1; i < schema_pg_nsteps; i++)
		assert_int_equal(schema_pg_steps[i].from, schema_pg_steps[i - 1].to);
	assert_int_equal(schema_pg_steps[schema_pg_nsteps - 1].to, AT_SCHEMA_VERSION);
}

/* ==== database fixtures ================================================ */

static const char *g_uri;                /* AT_PG_URI: a superuser's */
static struct drv_conn *g_su;            /* the superuser, database postgres */
static char g_owner[64], g_app[64];      /* this run's roles */

struct pgdb {
	char name[64];
	struct drv_conn *su, *own, *app;
};

#define PG(state) ((struct pgdb *)*(state))

/* AT_PG_URI for database `db` as `user` (later parameters win in a
 * libpq URI). */
static void uri_for(char *out, size_t cap, const char *db, const char *user)
{
	snprintf(out, cap, "%s%cdbname=%s&user=%s", g_uri, strchr(g_uri, '?') ? '&' : '?', db,
	         user);
}

static struct drv_conn *connect_as(const char *db, const char *user)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct drv_conn *c = NULL;
	char uri[1024];

	uri_for(uri, sizeof(uri), db, user);
	if (D->open(uri, 0, &c, &e) != AT_OK)
		fail_msg("cannot connect to %s as %s: %s", db, user, e.message);
	at_errors_free(&e);
	return c;
}

/* Ends a list of text parameters. */
static const char T_END[] = "(end)";

/* Run `sql` with text parameters; `*first` (may be NULL) gets the first
 * column of the first row as an integer, `*rows` (may be NULL) how many
 * rows came.  The driver's code. */
static enum at_code run_sql(struct drv_conn *c, const char *sql, const char *const *params,
                            int64_t *first, int *rows)
{
	struct drv_stmt *s = NULL;
	enum drv_step r;
	int n = 0;

	if (D->prepare(c, sql, &s) != AT_OK)
		return D->errcode(c);
	for (int i = 0; params[i] != T_END; i++)
		D->bind_text(s, i + 1, params[i]);
	while ((r = D->step(s)) == DRV_ROW) {
		if (n++ == 0 && first)
			*first = D->column_int64(s, 0);
	}
	D->finalize(s);
	if (rows)
		*rows = n;
	return r == DRV_DONE ? AT_OK : D->errcode(c);
}

#define SQL(c, sql) run_sql((c), (sql), (const char *const[]){ T_END }, NULL, NULL)
#define SQLP(c, sql, ...) \
	run_sql((c), (sql), (const char *const[]){ __VA_ARGS__, T_END }, NULL, NULL)

/* The integer the query's first row starts with; fails the test if none. */
static int64_t sql_int(struct drv_conn *c, const char *sql)
{
	int64_t v = -1;
	int rows = 0;

	if (run_sql(c, sql, (const char *const[]){ T_END }, &v, &rows) != AT_OK || rows < 1)
		fail_msg("[%s] failed: %s", sql, D->errmsg(c));
	return v;
}

/* `expr` must give `want`; the connection's words when it does not. */
#define T_PG(c, expr, want)                                                                  \
	do {                                                                                 \
		enum at_code got_ = (expr);                                                  \
		if (got_ != (want))                                                          \
			fail_msg("%s: got %s, want %s (%s: %s)", #expr, at_code_name(got_),   \
			         at_code_name(want), drv_pg_sqlstate(c), D->errmsg(c));       \
	} while (0)

/* The last failure's SQLSTATE and message must be these. */
static void refused_with(struct drv_conn *c, const char *state, const char *msg_has)
{
	if (strcmp(drv_pg_sqlstate(c), state) != 0 || (msg_has && !strstr(D->errmsg(c), msg_has)))
		fail_msg("want %s [%s], got %s [%s]", state, msg_has ? msg_has : "",
		         drv_pg_sqlstate(c), D->errmsg(c));
}

/* Superuser commands naming objects: database and role names cannot be
 * bound, so the callers format them in, and they are this test's own
 * (from its pid), never input. */
static void su_exec(struct drv_conn *c, const char *sql)
{
	if (D->exec(c, sql) != AT_OK)
		fail_msg("[%s] failed: %s", sql, D->errmsg(c));
}

static int group_setup(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;

	(void)state;
	snprintf(g_owner, sizeof(g_owner), "at_owner_%ld", (long)getpid());
	snprintf(g_app, sizeof(g_app), "at_app_%ld", (long)getpid());
	if (D->open(g_uri, 0, &g_su, &e) != AT_OK) {
		fprintf(stderr, "test_pg: cannot connect to AT_PG_URI: %s\n", e.message);
		return -1;
	}
	if (schema_pg_create_roles(g_su, g_owner, g_app, &e) != AT_OK) {
		fprintf(stderr, "test_pg: %s\n", e.message);
		return -1;
	}
	at_errors_free(&e);
	return 0;
}

static int group_teardown(void **state)
{
	char sql[256];

	(void)state;
	if (g_su) {
		snprintf(sql, sizeof(sql), "DROP ROLE IF EXISTS %s; DROP ROLE IF EXISTS %s", g_app,
		         g_owner);
		su_exec(g_su, sql);
		D->close(g_su);
	}
	return 0;
}

static int db_setup(void **state)
{
	static unsigned n;
	struct at_errors e = AT_ERRORS_INIT;
	struct pgdb *d = calloc(1, sizeof(*d));
	char sql[256];
	int from = -1;

	if (!d)
		return -1;
	snprintf(d->name, sizeof(d->name), "at_test_%ld_%u", (long)getpid(), n++);
	/* ICU en-US: the database would sort 'a' < 'B' and fold 'É'. */
	snprintf(sql, sizeof(sql),
	         "CREATE DATABASE %s OWNER %s TEMPLATE template0 LOCALE_PROVIDER icu "
	         "ICU_LOCALE 'en-US'",
	         d->name, g_owner);
	su_exec(g_su, sql);
	d->su = connect_as(d->name, "postgres");
	d->own = connect_as(d->name, "postgres");
	if (SQLP(d->own, "SELECT set_config('role', ?1, false)", g_owner) != AT_OK)
		fail_msg("SET ROLE %s: %s", g_owner, D->errmsg(d->own));
	if (schema_pg_migrate(d->own, &from, &e) != AT_OK ||
	    schema_pg_grant_app(d->own, g_app, &e) != AT_OK)
		fail_msg("schema: %s", e.message);
	assert_int_equal(from, 0);
	d->app = connect_as(d->name, g_app);
	at_errors_free(&e);
	*state = d;
	return 0;
}

static int db_teardown(void **state)
{
	struct pgdb *d = *state;
	char sql[128];

	if (!d)
		return 0;
	D->close(d->app);
	D->close(d->own);
	D->close(d->su);
	snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)", d->name);
	su_exec(g_su, sql);
	free(d);
	return 0;
}

/* ---- events ---- */

/* A distinct 64-hex-digit "hash" for event n; n 0 is the genesis zeros. */
static void hash_of(int64_t n, char out[AT_HASH_HEX + 1])
{
	snprintf(out, AT_HASH_HEX + 1, "%064llx",
	         (unsigned long long)n * 0x9E3779B97F4A7C15ull);
}

/* Insert event `seq` whose prev_hash is event `prev`'s hash. */
static enum at_code ev(struct drv_conn *c, int64_t seq, int64_t prev)
{
	char s[24], ph[AT_HASH_HEX + 1], h[AT_HASH_HEX + 1];

	snprintf(s, sizeof(s), "%lld", (long long)seq);
	hash_of(prev, ph);
	hash_of(seq, h);
	return SQLP(c,
	            "INSERT INTO events(seq, at, type, actor, batch_id, details, prev_hash, hash) "
	            "VALUES (?1, '2026-01-01T00:00:00.000Z', 'HOLDER_CREATED', 'test', 'b1', "
	            "'{}', ?2, ?3)",
	            s, ph, h);
}

static int64_t events(struct drv_conn *c)
{
	return sql_int(c, "SELECT count(*) FROM events");
}

/* A case of `slots` slots with its slot rows; returns its id. */
static int64_t mk_case(struct drv_conn *c, const char *name, int slots)
{
	char n[16];
	int64_t id = -1;

	snprintf(n, sizeof(n), "%d", slots);
	if (run_sql(c,
	            "INSERT INTO cases(name, slot_count, created_at, updated_at) "
	            "VALUES (?1, ?2, 't', 't') RETURNING id",
	            (const char *const[]){ name, n, T_END }, &id, NULL) != AT_OK ||
	    SQLP(c,
	         "INSERT INTO slots(case_id, position) "
	         "SELECT id, generate_series(1, slot_count) FROM cases WHERE name = ?1",
	         name) != AT_OK)
		fail_msg("case %s: %s", name, D->errmsg(c));
	return id;
}

/* Insert a STORAGE asset, in slot case_id/pos when case_id is not NULL. */
static enum at_code mk_asset(struct drv_conn *c, const char *tag, const char *serial,
                             const char *case_id, const char *pos)
{
	return SQLP(c,
	            "INSERT INTO assets(tag, serial, manufacturer, equipment_type, building, room, "
	            "state, case_id, position, created_at, updated_at) "
	            "VALUES (?1, ?2, 'M', 'E', 'B', 'R', 'STORAGE', ?3, ?4, 't', 't')",
	            tag, serial, case_id, pos);
}

static enum at_code mk_holder(struct drv_conn *c, const char *name, const char *badge)
{
	return SQLP(c,
	            "INSERT INTO holders(name, badge, created_at, updated_at) "
	            "VALUES (?1, ?2, 't', 't')",
	            name, badge);
}

/* ==== schema =========================================================== */

/* SQLite's schema at version 6, in memory, from schema.c's migrations. */
static sqlite3 *sqlite_schema(void)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	for (int i = 0; i < schema_nmigrations; i++)
		if (sqlite3_exec(db, schema_migrations[i], NULL, NULL, NULL) != SQLITE_OK)
			fail_msg("SQLite migration %d: %s", i + 1, sqlite3_errmsg(db));
	return db;
}

static void sqlite_text(sqlite3 *db, const char *sql, char *out, size_t cap)
{
	sqlite3_stmt *s = NULL;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	snprintf(out, cap, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
}

static void pg_text(struct drv_conn *c, const char *sql, const char *param, char *out, size_t cap)
{
	struct drv_stmt *s = NULL;

	T_PG(c, D->prepare(c, sql, &s), AT_OK);
	D->bind_text(s, 1, param);
	if (D->step(s) != DRV_ROW)
		fail_msg("[%s]: %s", sql, D->errmsg(c));
	snprintf(out, cap, "%s", D->column_text(s, 0) ? D->column_text(s, 0) : "(null)");
	D->finalize(s);
}

/* Every SQLite table has the same columns in the same order on
 * PostgreSQL (a state digest reads SELECT *), every SQLite index its
 * namesake, every SQLite trigger its namesake (events_gapless is part of
 * events_chained there).  SQLite's search index (assets_search, FTS5, its
 * shadow tables and triggers) has no twin yet: PostgreSQL's search scans. */
static void test_pg_schema_matches_sqlite(void **state)
{
	struct pgdb *d = PG(state);
	sqlite3 *lite = sqlite_schema();
	sqlite3_stmt *s = NULL;
	char want[2048], got[2048];
	int tables = 0, indexes = 0, triggers = 0;

	assert_int_equal(sqlite3_prepare_v2(lite,
	                                    "SELECT name, type FROM sqlite_schema WHERE name NOT "
	                                    "LIKE 'sqlite_%' AND name NOT LIKE 'assets_search%' "
	                                    "ORDER BY type, name",
	                                    -1, &s, NULL),
	                 SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		const char *type = (const char *)sqlite3_column_text(s, 1);
		char sql[256];

		if (strcmp(type, "table") == 0) {
			snprintf(sql, sizeof(sql),
			         "SELECT group_concat(name, ',') FROM pragma_table_xinfo('%s')", name);
			sqlite_text(lite, sql, want, sizeof(want));
			pg_text(d->app,
			        "SELECT string_agg(column_name::text, ',' ORDER BY ordinal_position) "
			        "FROM information_schema.columns WHERE table_name = ?1 "
			        "AND table_schema = current_schema()",
			        name, got, sizeof(got));
			if (strcmp(want, got) != 0)
				fail_msg("table %s: SQLite columns %s, PostgreSQL %s", name, want, got);
			tables++;
		} else if (strcmp(type, "index") == 0) {
			pg_text(d->app, "SELECT count(*) FROM pg_indexes WHERE indexname = ?1 "
			        "AND schemaname = current_schema()", name, got,
			        sizeof(got));
			if (strcmp(got, "1") != 0)
				fail_msg("index %s is missing on PostgreSQL", name);
			indexes++;
		} else if (strcmp(type, "trigger") == 0 && strcmp(name, "events_gapless") != 0) {
			pg_text(d->app,
			        "SELECT count(*) FROM pg_trigger WHERE tgname = ?1 AND tgenabled = 'O'",
			        name, got, sizeof(got));
			if (strcmp(got, "1") != 0)
				fail_msg("trigger %s is missing on PostgreSQL", name);
			triggers++;
		}
	}
	sqlite3_finalize(s);
	sqlite3_close(lite);
	assert_int_equal(tables, 14); /* 11, and version 10's three import job tables */
	assert_int_equal(indexes, 16);
	assert_int_equal(triggers, 17);
}

static void test_pg_schema_version_and_rerun(void **state)
{
	struct pgdb *d = PG(state);
	struct at_errors e = AT_ERRORS_INIT;
	int v = -1, from = -1;

	T_PG(d->app, schema_pg_version(d->app, &v, &e), AT_OK);
	assert_int_equal(v, AT_SCHEMA_VERSION);
	/* Again: nothing to do. */
	T_PG(d->own, schema_pg_migrate(d->own, &from, &e), AT_OK);
	assert_int_equal(from, AT_SCHEMA_VERSION);
	T_PG(d->own, schema_pg_grant_app(d->own, g_app, &e), AT_OK);
	/* A database from a newer program is refused, and left as it is. */
	T_PG(d->own, SQL(d->own, "UPDATE schema_version SET version = version + 1"), AT_OK);
	T_PG(d->own, schema_pg_migrate(d->own, &from, &e), AT_STORAGE);
	assert_non_null(strstr(e.message, "newer than this program"));
	assert_int_equal(from, AT_SCHEMA_VERSION + 1);
	assert_int_equal(D->in_txn(d->own), 0);
	T_PG(d->app, schema_pg_version(d->app, &v, &e), AT_OK);
	assert_int_equal(v, AT_SCHEMA_VERSION + 1);
	/* The app role cannot change the version. */
	T_PG(d->app, SQL(d->app, "UPDATE schema_version SET version = 6"), AT_STORAGE);
	refused_with(d->app, "42501", NULL);
	at_errors_free(&e);
}

/* ==== the chain ======================================================== */

static void test_pg_chain_ok(void **state)
{
	struct pgdb *d = PG(state);
	char prev[3][AT_HASH_HEX + 1], hash[3][AT_HASH_HEX + 1];
	struct drv_stmt *s = NULL;

	T_PG(d->app, D->begin_write(d->app), AT_OK);
	for (int i = 1; i <= 3; i++)
		T_PG(d->app, ev(d->app, i, i - 1), AT_OK);
	T_PG(d->app, D->commit(d->app), AT_OK);
	assert_int_equal(events(d->app), 3);
	/* Three events in one statement (store.c's STORE_EVENT_BULK), bare ?
	 * parameters: each row's trigger sees the rows before it. */
	for (int i = 0; i < 3; i++) {
		hash_of(3 + i, prev[i]);
		hash_of(4 + i, hash[i]);
	}
	T_PG(d->app,
	     D->prepare(d->app,
	                "INSERT INTO events(seq, at, type, actor, batch_id, details, prev_hash, "
	                "hash) VALUES (?, 't', 'STOCK_OUT', 'a', 'b', '{}', ?, ?), "
	                "(?, 't', 'STOCK_OUT', 'a', 'b', '{}', ?, ?), "
	                "(?, 't', 'STOCK_OUT', 'a', 'b', '{}', ?, ?)",
	                &s),
	     AT_OK);
	T_PG(d->app, D->begin_write(d->app), AT_OK);
	for (int i = 0; i < 3; i++) {
		D->bind_int64(s, i * 3 + 1, 4 + i);
		D->bind_text(s, i * 3 + 2, prev[i]);
		D->bind_text(s, i * 3 + 3, hash[i]);
	}
	assert_int_equal(D->step(s), DRV_DONE);
	assert_int_equal(D->changes(d->app), 3);
	T_PG(d->app, D->commit(d->app), AT_OK);
	D->finalize(s);
	assert_int_equal(events(d->app), 6);
	assert_int_equal(sql_int(d->app, "SELECT max(seq) FROM events"), 6);
	/* Linked: each prev_hash is the hash before it. */
	assert_int_equal(sql_int(d->app,
	                         "SELECT count(*) FROM events e JOIN events p ON p.seq = e.seq - 1 "
	                         "WHERE e.prev_hash = p.hash"),
	                 5);
}

static void test_pg_chain_bad_first(void **state)
{
	struct pgdb *d = PG(state);

	T_PG(d->app, ev(d->app, 1, 7), AT_CONFLICT);
	refused_with(d->app, SCHEMA_PG_REFUSED, "event prev_hash must be the previous event's hash");
	T_PG(d->app, ev(d->app, 2, 0), AT_CONFLICT);
	refused_with(d->app, SCHEMA_PG_REFUSED, "event seq must follow the last event");
	assert_int_equal(events(d->app), 0);
}

static void test_pg_chain_bad_gap(void **state)
{
	struct pgdb *d = PG(state);

	T_PG(d->app, ev(d->app, 1, 0), AT_OK);
	T_PG(d->app, ev(d->app, 2, 1), AT_OK);
	/* A gap, its link as SQLite's trigger reads it (the hash of seq 3,
	 * none: the zeros). */
	T_PG(d->app, ev(d->app, 4, 0), AT_CONFLICT);
	refused_with(d->app, SCHEMA_PG_REFUSED, "event seq must follow the last event");
	/* Wrong both ways: SQLite's newer trigger, the link, speaks first. */
	T_PG(d->app, ev(d->app, 4, 3), AT_CONFLICT);
	refused_with(d->app, SCHEMA_PG_REFUSED, "event prev_hash must be the previous event's hash");
	/* An earlier seq again: the trigger, before the primary key. */
	T_PG(d->app, ev(d->app, 2, 1), AT_CONFLICT);
	refused_with(d->app, SCHEMA_PG_REFUSED, "event seq must follow the last event");
	assert_int_equal(events(d->app), 2);
}

static void test_pg_chain_bad_prev_hash(void **state)
{
	struct pgdb *d = PG(state);

	T_PG(d->app, ev(d->app, 1, 0), AT_OK);
	T_PG(d->app, ev(d->app, 2, 1), AT_OK);
	T_PG(d->app, ev(d->app, 3, 1), AT_CONFLICT);
	refused_with(d->app, SCHEMA_PG_REFUSED, "event prev_hash must be the previous event's hash");
	T_PG(d->app, ev(d->app, 3, 2), AT_OK);
	assert_int_equal(events(d->app), 3);
}

/* A temporary table cannot stand in for the log in the chain trigger
 * (its search_path is pinned, pg_temp last). */
static void test_pg_chain_bad_temp_shadow(void **state)
{
	struct pgdb *d = PG(state);
	char ph[AT_HASH_HEX + 1];

	T_PG(d->app, ev(d->app, 1, 0), AT_OK);
	hash_of(99, ph);
	T_PG(d->app, SQL(d->app, "CREATE TEMP TABLE events(seq bigint, hash text)"), AT_OK);
	T_PG(d->app, SQLP(d->app, "INSERT INTO events VALUES (99, ?1)", ph), AT_OK);
	assert_int_equal(sql_int(d->app, "SELECT max(seq) FROM events"), 99);
	T_PG(d->app,
	     SQLP(d->app,
	          "INSERT INTO public.events(seq, at, type, actor, batch_id, details, prev_hash, "
	          "hash) VALUES (100, 't', 'STOCK_IN', 'a', 'b', '{}', ?1, ?1)",
	          ph),
	     AT_CONFLICT);
	/* Read through the temporary table, the link and the seq would pass. */
	refused_with(d->app, SCHEMA_PG_REFUSED, "event prev_hash must be the previous event's hash");
	assert_int_equal(sql_int(d->app, "SELECT count(*) FROM public.events"), 1);
}

/* ==== append-only, and the app role ==================================== */

static void test_pg_events_append_only(void **state)
{
	struct pgdb *d = PG(state);

	T_PG(d->app, ev(d->app, 1, 0), AT_OK);
	T_PG(d->app, ev(d->app, 2, 1), AT_OK);
	/* The owner may try: the triggers refuse. */
	T_PG(d->own, SQL(d->own, "UPDATE events SET actor = 'x'"), AT_CONFLICT);
	refused_with(d->own, SCHEMA_PG_REFUSED, "events are append-only: UPDATE refused");
	T_PG(d->own, SQL(d->own, "DELETE FROM events WHERE seq = 2"), AT_CONFLICT);
	refused_with(d->own, SCHEMA_PG_REFUSED, "events are append-only: DELETE refused");
	T_PG(d->own, SQL(d->own, "TRUNCATE events"), AT_CONFLICT);
	refused_with(d->own, SCHEMA_PG_REFUSED, "events are append-only: TRUNCATE refused");
	/* The app role may not even try. */
	T_PG(d->app, SQL(d->app, "UPDATE events SET actor = 'x'"), AT_STORAGE);
	refused_with(d->app, "42501", "permission denied");
	T_PG(d->app, SQL(d->app, "DELETE FROM events"), AT_STORAGE);
	refused_with(d->app, "42501", "permission denied");
	T_PG(d->app, SQL(d->app, "TRUNCATE events"), AT_STORAGE);
	refused_with(d->app, "42501", "permission denied");
	assert_int_equal(events(d->app), 2);
	assert_int_equal(sql_int(d->app, "SELECT count(*) FROM events WHERE actor = 'test'"), 2);
}

static void test_pg_security_log_append_only(void **state)
{
	struct pgdb *d = PG(state);

	T_PG(d->app,
	     SQL(d->app, "INSERT INTO security_log(at, actor, action) VALUES ('t', 'a', 'login')"),
	     AT_OK);
	T_PG(d->own, SQL(d->own, "UPDATE security_log SET actor = 'x'"), AT_CONFLICT);
	refused_with(d->own, SCHEMA_PG_REFUSED, "the security log is append-only");
	T_PG(d->own, SQL(d->own, "DELETE FROM security_log"), AT_CONFLICT);
	T_PG(d->own, SQL(d->own, "TRUNCATE security_log"), AT_CONFLICT);
	refused_with(d->own, SCHEMA_PG_REFUSED, "the security log is append-only");
	T_PG(d->app, SQL(d->app, "UPDATE security_log SET actor = 'x'"), AT_STORAGE);
	refused_with(d->app, "42501", NULL);
	T_PG(d->app, SQL(d->app, "DELETE FROM security_log"), AT_STORAGE);
	refused_with(d->app, "42501", NULL);
	assert_int_equal(sql_int(d->app, "SELECT count(*) FROM security_log WHERE actor = 'a'"), 1);
}

/* Bypassing the triggers is the owner's power, never the app role's. */
static void test_pg_app_cannot_bypass_triggers(void **state)
{
	struct pgdb *d = PG(state);

	T_PG(d->app, ev(d->app, 1, 0), AT_OK);
	T_PG(d->app, SQL(d->app, "ALTER TABLE events DISABLE TRIGGER events_no_update"),
	     AT_STORAGE);
	refused_with(d->app, "42501", "must be owner");
	T_PG(d->app, SQL(d->app, "ALTER TABLE events DISABLE TRIGGER ALL"), AT_STORAGE);
	refused_with(d->app, "42501", "must be owner");
	T_PG(d->app, SQL(d->app, "DROP TRIGGER events_no_update ON events"), AT_STORAGE);
	refused_with(d->app, "42501", "must be owner");
	T_PG(d->app, SQL(d->app, "UPDATE event_head SET one = 1"), AT_CONFLICT);
	refused_with(d->app, SCHEMA_PG_REFUSED, "the event log's head never changes");
	/* With the trigger off (the owner's doing), the app role still cannot
	 * update the log; the owner now can: the trigger really was off. */
	T_PG(d->own, SQL(d->own, "ALTER TABLE events DISABLE TRIGGER events_no_update"), AT_OK);
	T_PG(d->app, SQL(d->app, "UPDATE events SET actor = 'x'"), AT_STORAGE);
	refused_with(d->app, "42501", "permission denied");
	T_PG(d->own, SQL(d->own, "UPDATE events SET actor = 'owner'"), AT_OK);
	assert_int_equal(D->changes(d->own), 1);
	T_PG(d->own, SQL(d->own, "ALTER TABLE events ENABLE TRIGGER events_no_update"), AT_OK);
	T_PG(d->own, SQL(d->own, "UPDATE events SET actor = 'again'"), AT_CONFLICT);
}

/* ==== the custody record =============================================== */

static void test_pg_unique_duplicate(void **state)
{
	struct pgdb *d = PG(state);
	char cid[24];

	T_PG(d->app, mk_holder(d->app, "Dana", "B1"), AT_OK);
	T_PG(d->app, mk_holder(d->app, "Eli", "B1"), AT_DUPLICATE);
	refused_with(d->app, "23505", "holders_badge_key");
	snprintf(cid, sizeof(cid), "%lld", (long long)mk_case(d->app, "CASE-A", 4));
	T_PG(d->app,
	     SQL(d->app, "INSERT INTO cases(name, slot_count, created_at, updated_at) "
	                 "VALUES ('CASE-A', 2, 't', 't')"),
	     AT_DUPLICATE);
	T_PG(d->app, mk_asset(d->app, "AT-1", "SN-1", cid, "1"), AT_OK);
	T_PG(d->app, mk_asset(d->app, "AT-1", "SN-2", NULL, NULL), AT_DUPLICATE);
	refused_with(d->app, "23505", "assets_tag_key");
	/* Another tag, the same match key (dashes and letter case dropped). */
	T_PG(d->app, mk_asset(d->app, "at1", "SN-3", NULL, NULL), AT_DUPLICATE);
	refused_with(d->app, "23505", "assets_match_key");
	/* Another serial, the same serial key (trimmed, lower case). */
	T_PG(d->app, mk_asset(d->app, "AT-2", "  sn-1 ", NULL, NULL), AT_DUPLICATE);
	refused_with(d->app, "23505", "assets_serial_key");
	/* A slot holds one asset. */
	T_PG(d->app, mk_asset(d->app, "AT-3", "SN-4", cid, "1"), AT_DUPLICATE);
	refused_with(d->app, "23505", "assets_slot");
	T_PG(d->app, mk_asset(d->app, "AT-3", "SN-4", cid, "2"), AT_OK);
	assert_int_equal(sql_int(d->app, "SELECT count(*) FROM assets"), 2);
}

static void test_pg_custody_invariants(void **state)
{
	struct pgdb *d = PG(state);
	char cid[24];

	snprintf(cid, sizeof(cid), "%lld", (long long)mk_case(d->app, "CASE-A", 3));
	T_PG(d->app, mk_holder(d->app, "Dana", NULL), AT_OK);
	T_PG(d->app, mk_asset(d->app, "AT-1", "SN-1", cid, "1"), AT_OK);
	T_PG(d->app, SQL(d->app, "UPDATE cases SET slot_count = 2"), AT_CONFLICT);
	refused_with(d->app, SCHEMA_PG_REFUSED, "a case only grows");
	T_PG(d->app, SQL(d->app, "UPDATE cases SET slot_count = 5"), AT_OK);
	T_PG(d->app, SQLP(d->app, "INSERT INTO slots(case_id, position) VALUES (?1, 6)", cid),
	     AT_CONFLICT);
	refused_with(d->app, SCHEMA_PG_REFUSED, "slot position beyond the case size");
	T_PG(d->app, SQLP(d->app, "INSERT INTO slots(case_id, position) VALUES (?1, 5)", cid),
	     AT_OK);
	T_PG(d->app, SQL(d->app, "UPDATE assets SET tag = 'AT-9'"), AT_CONFLICT);
	refused_with(d->app, SCHEMA_PG_REFUSED, "an asset tag never changes");
	/* The schema's CHECKs and foreign keys: class 23 too. */
	T_PG(d->app, SQL(d->app, "UPDATE assets SET state = 'IN_CUSTODY'"), AT_CONFLICT);
	refused_with(d->app, "23514", NULL);
	T_PG(d->app,
	     SQL(d->app, "UPDATE assets SET state = 'IN_CUSTODY', holder_id = 999, case_id = NULL, "
	                 "position = NULL, custody_since = 't'"),
	     AT_CONFLICT);
	refused_with(d->app, "23503", NULL);
	T_PG(d->app, mk_asset(d->app, "-AT", "SN-5", NULL, NULL), AT_CONFLICT);
	refused_with(d->app, "23514", "assets_tag_check");
	T_PG(d->app, mk_asset(d->app, "AT 5", "SN-5", NULL, NULL), AT_CONFLICT);
	T_PG(d->app, SQL(d->app, "UPDATE assets SET due = '2026-1-1'"), AT_CONFLICT);
	/* Nothing of the custody record is deleted: the owner hits the
	 * triggers, the app role its missing privileges. */
	T_PG(d->own, SQL(d->own, "DELETE FROM assets"), AT_CONFLICT);
	refused_with(d->own, SCHEMA_PG_REFUSED, "assets are never deleted; retire them");
	T_PG(d->own, SQL(d->own, "DELETE FROM slots WHERE position = 5"), AT_CONFLICT);
	refused_with(d->own, SCHEMA_PG_REFUSED, "slots are never deleted");
	T_PG(d->own, SQL(d->own, "DELETE FROM holders"), AT_CONFLICT);
	refused_with(d->own, SCHEMA_PG_REFUSED, "holders are deactivated, never deleted");
	T_PG(d->own, SQL(d->own, "TRUNCATE assets"), AT_CONFLICT);
	refused_with(d->own, SCHEMA_PG_REFUSED, "assets are never deleted; retire them");
	T_PG(d->own, SQL(d->own, "TRUNCATE cases CASCADE"), AT_CONFLICT);
	T_PG(d->app, SQL(d->app, "DELETE FROM cases"), AT_STORAGE);
	refused_with(d->app, "42501", NULL);
	assert_int_equal(sql_int(d->app, "SELECT count(*) FROM slots"), 4);
	assert_int_equal(sql_int(d->app, "SELECT count(*) FROM assets"), 1);
}

/* A JSON object of `n` names k0, k1, ... each "v". */
static void attrs(struct buf *b, int n)
{
	buf_reset(b);
	buf_addc(b, '{');
	for (int i = 0; i < n; i++)
		buf_printf(b, "%s\"k%d\":\"v\"", i ? "," : "", i);
	buf_addc(b, '}');
}

/* Migration 4's checks: a JSON object of at most 32 names, each value a
 * string, 7 to 4,000 bytes. */
static void test_pg_attributes(void **state)
{
	struct pgdb *d = PG(state);
	struct buf b;

	T_PG(d->app, mk_asset(d->app, "AT-1", "SN-1", NULL, NULL), AT_OK);
	T_PG(d->app, SQL(d->app, "UPDATE assets SET attributes = '{\"a\":\"b\"}'"), AT_OK);
	T_PG(d->app, SQL(d->app, "UPDATE assets SET attributes = '{\"a\":1}'"), AT_CONFLICT);
	refused_with(d->app, SCHEMA_PG_REFUSED, "asset attributes: at most 32 names, each a text");
	T_PG(d->app, SQL(d->app, "UPDATE assets SET attributes = '[\"abcdef\"]'"), AT_CONFLICT);
	refused_with(d->app, "23514", "assets_attributes_check");
	T_PG(d->app, SQL(d->app, "UPDATE assets SET attributes = '{}'"), AT_CONFLICT);
	refused_with(d->app, "23514", NULL);
	/* Not JSON: the json type refuses it as input, before any check
	 * (SQLite's CHECK(json_valid) is a constraint: AT_CONFLICT there). */
	T_PG(d->app, SQL(d->app, "UPDATE assets SET attributes = '{\"a\":'"), AT_STORAGE);
	refused_with(d->app, "22P02", NULL);
	/* 32 names pass, 33 do not, on insert as on update. */
	buf_init(&b, 0);
	attrs(&b, 32);
	T_PG(d->app, SQLP(d->app, "UPDATE assets SET attributes = ?1", b.data), AT_OK);
	attrs(&b, 33);
	T_PG(d->app, SQLP(d->app, "UPDATE assets SET attributes = ?1", b.data), AT_CONFLICT);
	refused_with(d->app, SCHEMA_PG_REFUSED, "at most 32 names");
	T_PG(d->app,
	     SQLP(d->app,
	          "INSERT INTO assets(tag, serial, manufacturer, equipment_type, building, room, "
	          "state, created_at, updated_at, attributes) "
	          "VALUES ('AT-2', 'SN-2', 'M', 'E', 'B', 'R', 'STORAGE', 't', 't', ?1)",
	          b.data),
	     AT_CONFLICT);
	refused_with(d->app, SCHEMA_PG_REFUSED, "at most 32 names");
	buf_free(&b);
	assert_int_equal(sql_int(d->app, "SELECT count(*) FROM assets "
	                                 "WHERE attributes::text LIKE '%\"k31\"%'"),
	                 1);
}

/* Ids by SQLite's rowid rule: a rolled-back insert leaves no gap. */
static void test_pg_ids_follow_sqlite_rule(void **state)
{
	struct pgdb *d = PG(state);
	const char *ins = "INSERT INTO holders(id, name, created_at, updated_at) "
	                  "VALUES (?1, 'H', 't', 't') RETURNING id";
	int64_t id = 0;

	T_PG(d->app, run_sql(d->app, ins, (const char *const[]){ NULL, T_END }, &id, NULL), AT_OK);
	assert_int_equal(id, 1);
	/* Replay gives ids; the next one follows the largest. */
	T_PG(d->app, run_sql(d->app, ins, (const char *const[]){ "7", T_END }, &id, NULL), AT_OK);
	assert_int_equal(id, 7);
	T_PG(d->app, D->begin_write(d->app), AT_OK);
	T_PG(d->app, run_sql(d->app, ins, (const char *const[]){ NULL, T_END }, &id, NULL), AT_OK);
	assert_int_equal(id, 8);
	D->rollback(d->app);
	T_PG(d->app, run_sql(d->app, ins, (const char *const[]){ NULL, T_END }, &id, NULL), AT_OK);
	assert_int_equal(id, 8);
	assert_int_equal(mk_case(d->app, "C1", 1), 1);
	assert_int_equal(mk_case(d->app, "C2", 1), 2);
	T_PG(d->app, mk_asset(d->app, "AT-1", "S1", NULL, NULL), AT_OK);
	assert_int_equal(sql_int(d->app, "SELECT id FROM assets WHERE tag = 'AT-1'"), 1);
}

/* match_key and serial_key as SQLite computes them, and text sorted and
 * folded as SQLite does, in a database whose own collation would not. */
static void test_pg_keys_and_collation_as_sqlite(void **state)
{
	static const char *const names[] = { "a", "B", "\xc3\xa9", "Z", "b" };
	struct pgdb *d = PG(state);
	sqlite3 *lite = sqlite_schema();
	char got[256], want[256];

	T_PG(d->app, mk_asset(d->app, "aB-c.1", " \xc3\x89X-1 ", NULL, NULL), AT_OK);
	pg_text(d->app, "SELECT match_key || '|' || serial_key FROM assets WHERE tag = ?1",
	        "aB-c.1", got, sizeof(got));
	assert_int_equal(sqlite3_exec(lite,
	                              "INSERT INTO assets(id, tag, serial, manufacturer, "
	                              "equipment_type, building, room, state, created_at, "
	                              "updated_at) VALUES (1, 'aB-c.1', ' \xc3\x89X-1 ', 'M', "
	                              "'E', 'B', 'R', 'STORAGE', 't', 't')",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite_text(lite, "SELECT match_key || '|' || serial_key FROM assets", want, sizeof(want));
	assert_string_equal(want, "ABC.1|\xc3\x89x-1");   /* É not folded */
	assert_string_equal(got, want);
	/* The database's own collation would fold it. */
	pg_text(d->app, "SELECT lower(?1)", "\xc3\x89X", got, sizeof(got));
	assert_string_equal(got, "\xc3\xa9x");

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char sql[160];

		T_PG(d->app, mk_holder(d->app, names[i], NULL), AT_OK);
		snprintf(sql, sizeof(sql),
		         "INSERT INTO holders(id, name, created_at, updated_at) "
		         "VALUES (%zu, '%s', 't', 't')",
		         i + 1, names[i]);
		assert_int_equal(sqlite3_exec(lite, sql, NULL, NULL, NULL), SQLITE_OK);
	}
	sqlite_text(lite, "SELECT group_concat(name, ',') FROM (SELECT name FROM holders "
	                  "ORDER BY name)",
	            want, sizeof(want));
	pg_text(d->app, "SELECT string_agg(name, ',' ORDER BY name) FROM holders WHERE ?1 = ?1",
	        "x", got, sizeof(got));
	assert_string_equal(want, "B,Z,a,b,\xc3\xa9");
	assert_string_equal(got, want);
	/* The control: the database's collation orders them otherwise. */
	pg_text(d->app,
	        "SELECT string_agg(name, ',' ORDER BY name COLLATE \"default\") FROM holders "
	        "WHERE ?1 = ?1",
	        "x", got, sizeof(got));
	assert_string_not_equal(got, want);
	sqlite3_close(lite);
}

/* Event details are json: the text comes back byte for byte (jsonb would
 * reorder the keys and drop the duplicate, breaking the hash). */
static void test_pg_details_text_exact(void **state)
{
	static const char details[] = "{\"b\":1,  \"a\":[2, 3] ,\"b\":4}";
	struct pgdb *d = PG(state);
	char h[AT_HASH_HEX + 1], zero[AT_HASH_HEX + 1], got[128];

	hash_of(1, h);
	hash_of(0, zero);
	T_PG(d->app,
	     SQLP(d->app,
	          "INSERT INTO events(seq, at, type, actor, batch_id, details, prev_hash, hash) "
	          "VALUES (1, 't', 'AUDIT_RECORDED', 'a', 'b', ?1, ?2, ?3)",
	          details, zero, h),
	     AT_OK);
	pg_text(d->app, "SELECT details FROM events WHERE seq = ?1::bigint", "1", got, sizeof(got));
	assert_string_equal(got, details);
	pg_text(d->app, "SELECT details::jsonb::text FROM events WHERE seq = ?1::bigint", "1", got,
	        sizeof(got));
	assert_string_not_equal(got, details);
}

/* ==== SQLite's functions (schema_pg.c's compatibility functions) ======= */

/* What SQLite answers to `sql` with two text parameters: its text, or
 * NULL (returned as "(null)"). */
static void sqlite_answer(sqlite3 *db, const char *sql, const char *p1, const char *p2, char *out,
                          size_t cap)
{
	sqlite3_stmt *s = NULL;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, p1, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, p2, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_ROW)
		fail_msg("SQLite [%s] [%s] [%s]: %s", sql, p1 ? p1 : "NULL", p2 ? p2 : "NULL",
		         sqlite3_errmsg(db));
	snprintf(out, cap, "%s",
	         sqlite3_column_type(s, 0) == SQLITE_NULL ? "(null)"
	                                                 : (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
}

static void pg_answer(struct drv_conn *c, const char *sql, const char *p1, const char *p2,
                      char *out, size_t cap)
{
	struct drv_stmt *s = NULL;

	T_PG(c, D->prepare(c, sql, &s), AT_OK);
	D->bind_text(s, 1, p1);
	D->bind_text(s, 2, p2);
	if (D->step(s) != DRV_ROW)
		fail_msg("PostgreSQL [%s] [%s] [%s]: %s", sql, p1 ? p1 : "NULL", p2 ? p2 : "NULL",
		         D->errmsg(c));
	snprintf(out, cap, "%s", D->column_null(s, 0) ? "(null)" : D->column_text(s, 0));
	D->finalize(s);
}

/* json_extract gives SQLite's answer for the paths store.c writes ('$.x',
 * '$.a.b'), and for '$', array elements, escapes, white space, every JSON
 * type and missing paths.  The two documented differences are pinned
 * too, so that the day they go away the comment in schema_pg.c does. */
static void test_pg_json_extract_as_sqlite(void **state)
{
	static const char audit[] = "{\"case\":\"CASE-A\",\"counts\":{\"ok\":3,\"missing\":"
	                            "[\"AT-1\"]},\"by\":\"x\"}";
	static const char custody[] = "{\"since\":\"2026-01-01T09:00:00.000Z\","
	                              "\"due\":\"2026-02-01\",\"state\":\"IN_CUSTODY\","
	                              "\"role\":\"replacement\"}";
	static const char *const same[][2] = {
		{ audit, "$.case" },
		{ audit, "$.counts" },
		{ audit, "$.counts.missing" },
		{ audit, "$.counts.missing[0]" },
		{ custody, "$.since" },
		{ custody, "$.due" },
		{ custody, "$.state" },
		{ custody, "$.role" },
		{ custody, "$.nope" },
		{ " { \"counts\" : { \"ok\" : 3 , \"l\" : [ 1 , null , \"a  b\" ] } } ", "$.counts" },
		{ " { \"x\" : [ ] } ", "$" },
		{ "{\"s\":\"a  b\\\" c\\\\\",\"t\":\"\\u00e9\\n\"}", "$" },
		{ "{\"s\":\"a  b\\\" c\\\\\",\"t\":\"\\u00e9\\n\"}", "$.s" },
		{ "{\"s\":\"a  b\\\" c\\\\\",\"t\":\"\\u00e9\\n\"}", "$.t" },
		{ "{\"a\":{\"b\":{\"c\":\"deep\"}}}", "$.a.b.c" },
		{ "{\"a\":{\"b\":-12}}", "$.a.b" },
		{ "{\"t\":true,\"f\":false,\"n\":null}", "$.t" },
		{ "{\"t\":true,\"f\":false,\"n\":null}", "$.f" },
		{ "{\"t\":true,\"f\":false,\"n\":null}", "$.n" },
		{ "{\"a\":\"s\"}", "$.a.b" },
		{ "{\"a\":\"\"}", "$.a" },
		{ "{\"a b\":\"spaced\"}", "$.a b" },
		{ "[1,2]", "$.a" },
		{ "{\"l\":[5,{\"k\":\"v\"}]}", "$.l[1]" },
		{ "{\"l\":[5,{\"k\":\"v\"}]}", "$.l[1].k" },
		{ "{\"l\":[5,6]}", "$.l[2]" },
		{ NULL, "$.a" },
	};
	/* {json, path, SQLite's answer, ours}. */
	static const char *const differ[][4] = {
		{ "{\"r\":1.50}", "$.r", "1.5", "1.50" },
		{ "{\"a\":1,\"a\":2}", "$.a", "1", "2" },
	};
	struct pgdb *d = PG(state);
	sqlite3 *lite = NULL;
	char want[512], got[512];

	assert_int_equal(sqlite3_open(":memory:", &lite), SQLITE_OK);
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		sqlite_answer(lite, "SELECT json_extract(?1, ?2)", same[i][0], same[i][1], want,
		              sizeof(want));
		pg_answer(d->app, "SELECT json_extract(CAST(?1 AS json), ?2)", same[i][0], same[i][1],
		          got, sizeof(got));
		if (strcmp(want, got) != 0)
			fail_msg("json_extract(%s, '%s'): SQLite [%s], PostgreSQL [%s]",
			         same[i][0] ? same[i][0] : "NULL", same[i][1], want, got);
	}
	for (size_t i = 0; i < sizeof(differ) / sizeof(differ[0]); i++) {
		sqlite_answer(lite, "SELECT json_extract(?1, ?2)", differ[i][0], differ[i][1], want,
		              sizeof(want));
		pg_answer(d->app, "SELECT json_extract(CAST(?1 AS json), ?2)", differ[i][0],
		          differ[i][1], got, sizeof(got));
		assert_string_equal(want, differ[i][2]);
		assert_string_equal(got, differ[i][3]);
	}
	sqlite3_close(lite);
}

static void test_pg_instr_as_sqlite(void **state)
{
	static const char *const pairs[][2] = {
		{ "abc", "b" },   { "abc", "" },  { "", "a" },       { "\xc3\xa9" "a", "a" },
		{ "ABC", "b" },   { "aXbX", "X" }, { "abc", "abcd" }, { "dana ruiz", "ruiz" },
		{ NULL, "a" },    { "abc", NULL },
	};
	struct pgdb *d = PG(state);
	sqlite3 *lite = NULL;
	char want[64], got[64];

	assert_int_equal(sqlite3_open(":memory:", &lite), SQLITE_OK);
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		sqlite_answer(lite, "SELECT instr(?1, ?2)", pairs[i][0], pairs[i][1], want,
		              sizeof(want));
		pg_answer(d->app, "SELECT instr(?1, ?2)", pairs[i][0], pairs[i][1], got, sizeof(got));
		if (strcmp(want, got) != 0)
			fail_msg("instr(%s, %s): SQLite [%s], PostgreSQL [%s]",
			         pairs[i][0] ? pairs[i][0] : "NULL", pairs[i][1] ? pairs[i][1] : "NULL",
			         want, got);
	}
	sqlite3_close(lite);
}

/* The index on json_extract(details, '$.case') serves the statement that
 * writes the same expression (store.c's last audit of a case), as on
 * SQLite: the function is inlined into both. */
static void test_pg_json_extract_index(void **state)
{
	struct pgdb *d = PG(state);
	struct drv_stmt *s = NULL;
	char hash[AT_HASH_HEX + 1], prev[AT_HASH_HEX + 1], seq[16];
	int found = 0;

	for (int i = 1; i <= 3; i++) {
		snprintf(seq, sizeof(seq), "%d", i);
		hash_of(i - 1, prev);
		hash_of(i, hash);
		T_PG(d->app,
		     SQLP(d->app,
		          "INSERT INTO events(seq, at, type, actor, batch_id, details, prev_hash, hash) "
		          "VALUES (CAST(?1 AS bigint), 't', 'AUDIT_RECORDED', 'a', 'b', ?2, ?3, ?4)",
		          seq, i == 2 ? "{\"case\":\"C-2\"}" : "{\"case\":\"C-1\"}", prev, hash),
		     AT_OK);
	}
	T_PG(d->app, D->exec(d->app, "SET enable_seqscan = off"), AT_OK);
	T_PG(d->app,
	     D->prepare(d->app,
	                "EXPLAIN SELECT seq FROM events WHERE type = 'AUDIT_RECORDED' AND "
	                "json_extract(details, '$.case') = 'C-1' ORDER BY seq DESC LIMIT 1",
	                &s),
	     AT_OK);
	while (D->step(s) == DRV_ROW)
		if (strstr(D->column_text(s, 0), "using events_audit"))
			found = 1;
	D->finalize(s);
	if (!found)
		fail_msg("the plan does not use events_audit");
	assert_int_equal(sql_int(d->app, "SELECT seq FROM events WHERE type = 'AUDIT_RECORDED' AND "
	                                 "json_extract(details, '$.case') = 'C-1' "
	                                 "ORDER BY seq DESC LIMIT 1"),
	                 3);
}

/* ==== the driver: what only PostgreSQL does ============================ */

/* The cases both drivers share (placeholders, types, NULLs, refusals,
 * serialized writers, lock waits, snapshots, savepoints, streaming,
 * interleaved statements) are tests/unit/test_drv.c's, run on each. */

/* Type OIDs as SQLite's storage classes: booleans and whole numerics are
 * integers, float8 a real; a boolean's text stays PostgreSQL's "t". */
static void test_pg_column_oids(void **state)
{
	struct pgdb *d = PG(state);
	struct drv_stmt *s = NULL;

	T_PG(d->app,
	     D->prepare(d->app,
	                "SELECT 42::bigint, true, false, NULL::text, 'xy', 1.5::float8, "
	                "sum(x), 7::integer, 2.5::numeric FROM (VALUES (1::bigint), (2)) v(x)",
	                &s),
	     AT_OK);
	assert_int_equal(D->step(s), DRV_ROW);
	assert_int_equal(D->column_count(s), 9);
	assert_int_equal(D->column_type(s, 0), DRV_INT);
	assert_int_equal(D->column_int64(s, 0), 42);
	assert_int_equal(D->column_type(s, 1), DRV_INT);
	assert_int_equal(D->column_int64(s, 1), 1);
	assert_int_equal(D->column_int64(s, 2), 0);
	assert_string_equal(D->column_text(s, 1), "t");
	assert_int_equal(D->column_type(s, 3), DRV_NULL);
	assert_int_equal(D->column_type(s, 4), DRV_TEXT);
	assert_int_equal(D->column_type(s, 5), DRV_FLOAT);
	assert_int_equal(D->column_type(s, 6), DRV_INT);     /* numeric 3 */
	assert_int_equal(D->column_int64(s, 6), 3);
	assert_int_equal(D->column_int64(s, 7), 7);
	assert_int_equal(D->column_type(s, 8), DRV_FLOAT);   /* numeric 2.5 */
	assert_int_equal(D->step(s), DRV_DONE);
	D->finalize(s);
}

/* libpq has one result in flight: a statement run while another's rows
 * are coming reads the rest of those into memory first (which shows), and
 * gives it back when the run ends.  Without that, streaming stays flat
 * (test_drv's streaming case). */
static void test_pg_interleaved_reads_ahead(void **state)
{
	struct pgdb *d = PG(state);
	struct drv_stmt *a = NULL, *b = NULL;
	size_t base, parked;
	int64_t n;

	T_PG(d->app,
	     D->prepare(d->app, "SELECT i, repeat('x', 200) FROM generate_series(1, 100000) i", &a),
	     AT_OK);
	T_PG(d->app, D->prepare(d->app, "SELECT 1", &b), AT_OK);
	assert_int_equal(D->step(a), DRV_ROW);
	base = heap_in_use();
	assert_int_equal(D->step(b), DRV_ROW);
	parked = heap_in_use();
	printf("read ahead of 99,999 rows: %zu bytes more\n", parked - base);
	assert_true(parked > base + 100000 * 200);
	/* The current row stayed where it was. */
	assert_int_equal(D->column_int64(a, 0), 1);
	for (n = 1; D->step(a) == DRV_ROW; n++)
		assert_int_equal(D->column_int64(a, 0), n + 1);
	assert_int_equal(n, 100000);
	D->reset(a);
	assert_true(heap_in_use() < base + 256 * 1024);
	D->finalize(a);
	D->finalize(b);
}

/* A failed statement aborts a PostgreSQL transaction (SQLite's goes on):
 * everything is refused until rollback, and COMMIT rolls back.  A second
 * BEGIN is refused as SQLite refuses it.  (Savepoints, which let the
 * transaction go on on both: test_drv.) */
static void test_pg_aborted_transaction(void **state)
{
	struct pgdb *d = PG(state);

	T_PG(d->app, mk_holder(d->app, "Dana", "B1"), AT_OK);
	T_PG(d->app, D->begin_write(d->app), AT_OK);
	T_PG(d->app, D->begin_write(d->app), AT_STORAGE);
	refused_with(d->app, "25001", "within a transaction");
	T_PG(d->app, ev(d->app, 1, 0), AT_OK);
	T_PG(d->app, mk_holder(d->app, "Eli", "B1"), AT_DUPLICATE);
	T_PG(d->app, SQL(d->app, "SELECT 1"), AT_STORAGE);
	refused_with(d->app, "25P02", NULL);
	assert_true(D->in_txn(d->app));
	T_PG(d->app, D->commit(d->app), AT_STORAGE);
	refused_with(d->app, "25P02", "rolled back");
	assert_false(D->in_txn(d->app));
	assert_int_equal(events(d->app), 0);
	T_PG(d->app, D->commit(d->app), AT_STORAGE);
	refused_with(d->app, "25P01", "no transaction");
	T_PG(d->app, D->savepoint(d->app), AT_STORAGE);
	refused_with(d->app, "25P01", NULL);
}

/* Prepare `sql` on `c`, deferrable (drv_pg_deferrable). */
static struct drv_stmt *deferrable(struct drv_conn *c, const char *sql)
{
	struct drv_stmt *s = NULL;

	T_PG(c, D->prepare(c, sql, &s), AT_OK);
	drv_pg_deferrable(s);
	return s;
}

/* Step a statement once; then reset it for the next run. */
static enum drv_step step_once(struct drv_stmt *s)
{
	enum drv_step r = D->step(s);

	D->reset(s);
	return r;
}

/*
 * Deferred writes (drv_pg.c): inside a transaction a deferrable write
 * answers at once.  600 of them (past PIPE_MAX, so the pipeline is also
 * read in the middle) commit whole.  A failure among them is reported by
 * a later call with its own code and words: a step once the pipeline is
 * read, the next query, or the commit; the rollback then leaves nothing
 * of the transaction.  Outside a transaction it is an ordinary statement.
 */
static void test_pg_deferred_writes(void **state)
{
	struct pgdb *d = PG(state);
	struct drv_conn *c = d->app;
	struct drv_stmt *up, *bad;
	char cid[24], note[24];
	int first_err = -1;

	snprintf(cid, sizeof(cid), "%lld", (long long)mk_case(c, "CASE-D", 3));
	T_PG(c, mk_asset(c, "AT-1", "SN-1", cid, "1"), AT_OK);
	up = deferrable(c, "UPDATE assets SET notes = ?1 WHERE tag = 'AT-1'");
	bad = deferrable(c, "UPDATE assets SET tag = 'AT-9' WHERE tag = 'AT-1'");

	T_PG(c, D->begin_write(c), AT_OK);
	for (int i = 0; i < 600; i++) {
		snprintf(note, sizeof(note), "n%d", i);
		D->bind_text(up, 1, note);
		assert_int_equal(step_once(up), DRV_DONE);
	}
	T_PG(c, D->commit(c), AT_OK);
	assert_int_equal(sql_int(c, "SELECT count(*) FROM assets WHERE notes = 'n599'"), 1);
	/* The changes of the last write, once read. */
	T_PG(c, D->begin_write(c), AT_OK);
	D->bind_text(up, 1, "counted");
	assert_int_equal(step_once(up), DRV_DONE);
	assert_int_equal(D->changes(c), 1);
	T_PG(c, D->commit(c), AT_OK);

	/* A failure in the middle: the step that reads the pipeline says so,
	 * every step after it too, and the next query gives its words. */
	T_PG(c, D->begin_write(c), AT_OK);
	for (int i = 0; i < 100; i++) {
		D->bind_text(up, 1, "lost");
		assert_int_equal(step_once(up), DRV_DONE);
	}
	assert_int_equal(step_once(bad), DRV_DONE);
	for (int i = 0; i < 300; i++) {
		D->bind_text(up, 1, "lost");
		if (step_once(up) == DRV_ERROR && first_err < 0)
			first_err = i;
	}
	assert_true(first_err >= 0);
	assert_true(first_err < 300);
	T_PG(c, SQL(c, "SELECT 1"), AT_CONFLICT);
	refused_with(c, SCHEMA_PG_REFUSED, "an asset tag never changes");
	T_PG(c, D->commit(c), AT_CONFLICT);
	D->rollback(c);
	assert_false(D->in_txn(c));
	assert_int_equal(sql_int(c, "SELECT count(*) FROM assets WHERE tag = 'AT-1' AND "
	                            "notes = 'counted'"),
	                 1);

	/* The commit reports one that nothing read before it. */
	T_PG(c, D->begin_write(c), AT_OK);
	assert_int_equal(step_once(bad), DRV_DONE);
	T_PG(c, D->commit(c), AT_CONFLICT);
	refused_with(c, SCHEMA_PG_REFUSED, "an asset tag never changes");
	D->rollback(c);
	/* And a savepoint after it is refused, not taken. */
	T_PG(c, D->begin_write(c), AT_OK);
	assert_int_equal(step_once(bad), DRV_DONE);
	T_PG(c, D->savepoint(c), AT_CONFLICT);
	D->rollback(c);
	T_PG(c, mk_holder(c, "After", "B-AFTER"), AT_OK);

	/* Outside a transaction: refused at its own step. */
	assert_int_equal(step_once(bad), DRV_ERROR);
	refused_with(c, SCHEMA_PG_REFUSED, "an asset tag never changes");
	assert_int_equal(sql_int(c, "SELECT count(*) FROM assets WHERE tag = 'AT-1'"), 1);
	D->finalize(up);
	D->finalize(bad);
}

/* A read transaction is READ ONLY: a write in it is refused (on SQLite a
 * deferred transaction would try to become a writer). */
static void test_pg_read_only_snapshot(void **state)
{
	struct pgdb *d = PG(state);

	T_PG(d->app, ev(d->app, 1, 0), AT_OK);
	T_PG(d->su, D->begin_read(d->su), AT_OK);
	assert_int_equal(events(d->su), 1);
	T_PG(d->su, ev(d->su, 2, 1), AT_STORAGE);
	refused_with(d->su, "25006", "read-only");
	D->rollback(d->su);
	assert_false(D->in_txn(d->su));
	T_PG(d->app, ev(d->app, 2, 1), AT_OK);
	assert_int_equal(events(d->su), 2);
}

/* ---- two connections ---- */

/* A writer that skips begin_write: BEGIN, then append. */
struct racer {
	struct drv_conn *c;
	int64_t seq, prev;
	enum at_code got;
	char state[6];
	double waited;                       /* seconds */
	volatile int done;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *racer_run(void *arg)
{
	struct racer *r = arg;
	double t0 = now_s();

	r->got = D->exec(r->c, "BEGIN");
	if (r->got == AT_OK)
		r->got = ev(r->c, r->seq, r->prev);
	r->waited = now_s() - t0;
	snprintf(r->state, sizeof(r->state), "%s", drv_pg_sqlstate(r->c));
	if (r->got != AT_OK)
		D->rollback(r->c);
	r->done = 1;
	return NULL;
}

/* A writer that skipped begin_write still queues on the head's lock in
 * the chain trigger, then finds the seq taken: refused, not a fork.
 * (begin_write's serializing, and the lock wait's AT_BUSY: test_drv.) */
static void test_pg_trigger_serializes_without_begin_write(void **state)
{
	struct pgdb *d = PG(state);
	struct drv_conn *b = connect_as(d->name, g_app);
	struct racer r = { .c = b, .seq = 1, .prev = 0 };
	pthread_t t;

	T_PG(d->app, D->exec(d->app, "BEGIN"), AT_OK);
	T_PG(d->app, ev(d->app, 1, 0), AT_OK);
	assert_int_equal(pthread_create(&t, NULL, racer_run, &r), 0);
	usleep(300 * 1000);
	assert_false(r.done);
	T_PG(d->app, D->commit(d->app), AT_OK);
	pthread_join(t, NULL);
	assert_int_equal(r.got, AT_CONFLICT);
	assert_string_equal(r.state, SCHEMA_PG_REFUSED);
	assert_true(r.waited >= 0.25);
	assert_int_equal(events(d->app), 1);
	D->close(b);
}

static void test_pg_connect_failure(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct drv_conn *c = (struct drv_conn *)1;
	char uri[1024];

	(void)state;
	uri_for(uri, sizeof(uri), "at_no_such_db", "postgres");
	T_EXPECT(D->open(uri, 0, &c, &e), AT_STORAGE, &e);
	assert_null(c);
	assert_non_null(strstr(e.message, "cannot connect"));
	assert_non_null(strstr(e.message, "at_no_such_db"));
	/* A password in the URI is never repeated. */
	snprintf(uri, sizeof(uri), "%s%cpassword=s3cretpw&user=at_nobody_here", g_uri,
	         strchr(g_uri, '?') ? '&' : '?');
	T_EXPECT(D->open(uri, 0, &c, &e), AT_STORAGE, &e);
	assert_null(strstr(e.message, "s3cretpw"));
	at_errors_free(&e);
}

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_rewrite_numbered),
		cmocka_unit_test(test_rewrite_bare_as_sqlite_numbers),
		cmocka_unit_test(test_rewrite_skips_literals),
		cmocka_unit_test(test_rewrite_skips_comments),
		cmocka_unit_test(test_rewrite_skips_dollar_quotes),
		cmocka_unit_test(test_rewrite_marks_used),
		cmocka_unit_test(test_rewrite_bad_dollar_params),
		cmocka_unit_test(test_rewrite_bad_range),
		cmocka_unit_test(test_rewrite_drops_planner_hints),
		cmocka_unit_test(test_sqlstate_codes),
		cmocka_unit_test(test_uri_detection),
		cmocka_unit_test(test_schema_versions_agree),
	};
#define DB_TEST(f) cmocka_unit_test_setup_teardown(f, db_setup, db_teardown)
	const struct CMUnitTest db[] = {
		DB_TEST(test_pg_schema_matches_sqlite),
		DB_TEST(test_pg_schema_version_and_rerun),
		DB_TEST(test_pg_chain_ok),
		DB_TEST(test_pg_chain_bad_first),
		DB_TEST(test_pg_chain_bad_gap),
		DB_TEST(test_pg_chain_bad_prev_hash),
		DB_TEST(test_pg_chain_bad_temp_shadow),
		DB_TEST(test_pg_events_append_only),
		DB_TEST(test_pg_security_log_append_only),
		DB_TEST(test_pg_app_cannot_bypass_triggers),
		DB_TEST(test_pg_unique_duplicate),
		DB_TEST(test_pg_custody_invariants),
		DB_TEST(test_pg_attributes),
		DB_TEST(test_pg_ids_follow_sqlite_rule),
		DB_TEST(test_pg_keys_and_collation_as_sqlite),
		DB_TEST(test_pg_details_text_exact),
		DB_TEST(test_pg_json_extract_as_sqlite),
		DB_TEST(test_pg_instr_as_sqlite),
		DB_TEST(test_pg_json_extract_index),
		DB_TEST(test_pg_column_oids),
		DB_TEST(test_pg_interleaved_reads_ahead),
		DB_TEST(test_pg_aborted_transaction),
		DB_TEST(test_pg_deferred_writes),
		DB_TEST(test_pg_read_only_snapshot),
		DB_TEST(test_pg_trigger_serializes_without_begin_write),
		cmocka_unit_test(test_pg_connect_failure),
	};
	int failed = cmocka_run_group_tests_name("pg_pure", pure, NULL, NULL);

	g_uri = getenv("AT_PG_URI");
	if (!g_uri || !*g_uri) {
		fprintf(stderr,
		        "test_pg: SKIPPED the %zu PostgreSQL tests: AT_PG_URI is unset.  ctest "
		        "sets it (fixture pg_cluster); by hand: tests/support/pgcluster.sh run "
		        "/tmp/atpg %s\n",
		        sizeof(db) / sizeof(db[0]), "build/tests/test_pg");
		return failed ? 1 : 77;
	}
	return failed | cmocka_run_group_tests_name("pg_database", db, group_setup, group_teardown);
}
