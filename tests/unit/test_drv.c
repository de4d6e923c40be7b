/*
 * test_drv.c — the driver contract (store/drv.h; issue #11): the same
 * cases, with the same SQL texts, on both drivers, so store.c cannot tell
 * them apart.
 *
 * Each case runs twice: on drv_sqlite over a fresh file (WAL, as
 * store_open() sets it), and on drv_pg over a fresh database of the
 * cluster AT_PG_URI names, as the app role the program will run as.  Both
 * hold the real schema at AT_SCHEMA_VERSION (schema.c's migrations;
 * schema_pg.c's), so constraint and trigger refusals are the schema's.
 * CTest starts the cluster (fixture pg_cluster) and sets AT_PG_URI; run
 * by hand without it, the PostgreSQL half is skipped, saying so, and the
 * exit status is 77 once the SQLite half has passed.
 *
 * What only one engine does stays in its own test: test_pg (the rewriter,
 * SQLSTATEs, roles, an aborted transaction, read-ahead of interleaved
 * rows, the schema's PostgreSQL side).
 */
#include "testlib.h"

#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/drv.h"
#include "store/drv_pg.h"
#include "store/drv_sqlite.h"
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

/* ==== one engine, one database ========================================= */

struct env;

/* What differs between the two halves: how to reach the database, and the
 * few words that are not the contract's (a short lock wait). */
struct engine {
	const char *name;
	const struct drv *D;
	int (*setup)(struct env *v);
	void (*teardown)(struct env *v);
	/* A second connection to the same database. */
	struct drv_conn *(*connect)(struct env *v);
	/* Makes one connection give up waiting for a lock after 200 ms: SQL,
	 * or on SQLite the driver's own wait (drv_sqlite_busy_wait) cut
	 * short, so that its giving up is what is tested. */
	const char *short_wait_sql;
	void (*short_wait)(struct drv_conn *c);
	/* The last failure's SQLSTATE ("" on SQLite), and what a lock wait
	 * that ran out gives. */
	const char *(*sqlstate)(struct drv_conn *c);
	const char *busy_state;
};

struct drv_case;

struct env {
	const struct engine *en;
	const struct drv *D;
	const struct drv_case *k;
	struct drv_conn *c;                  /* the program's connection */
	char where[T_PATH_MAX];              /* SQLite file; PostgreSQL database */
};

struct drv_case {
	const char *name;
	void (*run)(struct env *v);
};

/* ---- SQLite ---- */

static int lite_setup(struct env *v)
{
	struct at_errors e = AT_ERRORS_INIT;
	const struct drv *D = &drv_sqlite;
	char pragma[64];

	t_db_path(v->where, sizeof(v->where), "drv");
	if (D->open(v->where, DRV_CREATE, &v->c, &e) != AT_OK)
		fail_msg("open %s: %s", v->where, e.message);
	/* store_open()'s journal (readers beside a writer); no fsync here. */
	if (D->exec(v->c, "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF") != AT_OK ||
	    D->exec(v->c, "BEGIN") != AT_OK)
		fail_msg("set up %s: %s", v->where, D->errmsg(v->c));
	for (int i = 0; i < schema_nmigrations; i++)
		if (D->exec(v->c, schema_migrations[i]) != AT_OK)
			fail_msg("migration %d: %s", i + 1, D->errmsg(v->c));
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", schema_nmigrations);
	if (D->exec(v->c, pragma) != AT_OK || D->commit(v->c) != AT_OK)
		fail_msg("schema: %s", D->errmsg(v->c));
	at_errors_free(&e);
	return 0;
}

static void lite_teardown(struct env *v)
{
	drv_sqlite.close(v->c);
	t_db_remove(v->where);
}

static struct drv_conn *lite_connect(struct env *v)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct drv_conn *c = NULL;

	if (drv_sqlite.open(v->where, 0, &c, &e) != AT_OK)
		fail_msg("open %s: %s", v->where, e.message);
	at_errors_free(&e);
	return c;
}

static const char *lite_sqlstate(struct drv_conn *c)
{
	(void)c;
	return "";
}

/* ---- PostgreSQL ---- */

static const char *g_uri;                /* AT_PG_URI: a superuser's */
static struct drv_conn *g_su;            /* the superuser, database postgres */
static char g_owner[64], g_app[64], g_tpl[64];

/* AT_PG_URI for database `db` as `user` (later parameters win). */
static void uri_for(char *out, size_t cap, const char *db, const char *user)
{
	snprintf(out, cap, "%s%cdbname=%s&user=%s", g_uri, strchr(g_uri, '?') ? '&' : '?', db,
	         user);
}

static struct drv_conn *pg_connect_as(const char *db, const char *user)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct drv_conn *c = NULL;
	char uri[1024];

	uri_for(uri, sizeof(uri), db, user);
	if (drv_pg.open(uri, 0, &c, &e) != AT_OK)
		fail_msg("cannot connect to %s as %s: %s", db, user, e.message);
	at_errors_free(&e);
	return c;
}

/* Database and role names are this test's own (from its pid), never
 * input: formatted in, as they cannot be bound. */
static int su_exec(const char *sql)
{
	if (drv_pg.exec(g_su, sql) != AT_OK) {
		fprintf(stderr, "test_drv: [%s] failed: %s\n", sql, drv_pg.errmsg(g_su));
		return -1;
	}
	return 0;
}

/*
 * Once per run: the two roles, and a template database holding the
 * schema (made by the owner, granted to the app role), which each case
 * copies: a copy takes a fraction of a migration's time.  ICU en-US as
 * the database's collation, so only the schema's COLLATE "C" makes text
 * sort as SQLite sorts it.
 */
static int pg_group_setup(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct drv_conn *own = NULL;
	char sql[512];
	int from = -1, rc = -1;

	(void)state;
	snprintf(g_owner, sizeof(g_owner), "at_drv_owner_%ld", (long)getpid());
	snprintf(g_app, sizeof(g_app), "at_drv_app_%ld", (long)getpid());
	snprintf(g_tpl, sizeof(g_tpl), "at_drv_tpl_%ld", (long)getpid());
	if (drv_pg.open(g_uri, 0, &g_su, &e) != AT_OK) {
		fprintf(stderr, "test_drv: cannot connect to AT_PG_URI: %s\n", e.message);
		goto out;
	}
	if (schema_pg_create_roles(g_su, g_owner, g_app, &e) != AT_OK) {
		fprintf(stderr, "test_drv: %s\n", e.message);
		goto out;
	}
	snprintf(sql, sizeof(sql),
	         "CREATE DATABASE %s OWNER %s TEMPLATE template0 LOCALE_PROVIDER icu "
	         "ICU_LOCALE 'en-US'",
	         g_tpl, g_owner);
	if (su_exec(sql) < 0)
		goto out;
	own = pg_connect_as(g_tpl, "postgres");
	snprintf(sql, sizeof(sql), "SET ROLE %s", g_owner);
	if (drv_pg.exec(own, sql) != AT_OK || schema_pg_migrate(own, &from, &e) != AT_OK ||
	    schema_pg_grant_app(own, g_app, &e) != AT_OK) {
		fprintf(stderr, "test_drv: schema: %s %s\n", e.message, drv_pg.errmsg(own));
		goto out;
	}
	rc = 0;
out:
	drv_pg.close(own);
	at_errors_free(&e);
	return rc;
}

static int pg_group_teardown(void **state)
{
	char sql[256];

	(void)state;
	if (!g_su)
		return 0;
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", g_tpl);
	su_exec(sql);
	snprintf(sql, sizeof(sql), "DROP ROLE IF EXISTS %s; DROP ROLE IF EXISTS %s", g_app,
	         g_owner);
	su_exec(sql);
	drv_pg.close(g_su);
	g_su = NULL;
	return 0;
}

static int pg_setup(struct env *v)
{
	static unsigned n;
	char sql[256];

	snprintf(v->where, sizeof(v->where), "at_drv_%ld_%u", (long)getpid(), n++);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s OWNER %s TEMPLATE %s", v->where, g_owner,
	         g_tpl);
	if (su_exec(sql) < 0)
		return -1;
	v->c = pg_connect_as(v->where, g_app);
	return 0;
}

static void pg_teardown(struct env *v)
{
	char sql[256];

	drv_pg.close(v->c);
	snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)", v->where);
	su_exec(sql);
}

static struct drv_conn *pg_connect(struct env *v)
{
	return pg_connect_as(v->where, g_app);
}

static void lite_short_wait(struct drv_conn *c)
{
	drv_sqlite_busy_wait(drv_sqlite_db(c), 200);
}

static const struct engine engines[] = {
	{ "sqlite", &drv_sqlite, lite_setup, lite_teardown, lite_connect, NULL, lite_short_wait,
	  lite_sqlstate, "" },
	{ "postgresql", &drv_pg, pg_setup, pg_teardown, pg_connect, "SET lock_timeout = 200", NULL,
	  drv_pg_sqlstate, "55P03" },
};

/* cmocka's per-case fixture: `*state` starts as the case (its prestate),
 * the engine is the group's. */
static const struct engine *g_engine;

static int case_setup(void **state)
{
	struct env *v = calloc(1, sizeof(*v));

	if (!v)
		return -1;
	v->en = g_engine;
	v->D = g_engine->D;
	v->k = *state;
	if (v->en->setup(v) < 0) {
		free(v);
		return -1;
	}
	*state = v;
	return 0;
}

static int case_teardown(void **state)
{
	struct env *v = *state;

	v->en->teardown(v);
	free(v);
	return 0;
}

static void case_run(void **state)
{
	struct env *v = *state;

	v->k->run(v);
}

/* ==== helpers (the same SQL on both) =================================== */

/* Ends a list of text parameters. */
static const char T_END[] = "(end)";

/* Run `sql` with text parameters; `*first` (may be NULL) gets the first
 * column of the first row as an integer, `*rows` (may be NULL) how many
 * rows came.  The driver's code. */
static enum at_code run_sql(const struct drv *D, struct drv_conn *c, const char *sql,
                            const char *const *params, int64_t *first, int *rows)
{
	struct drv_stmt *s = NULL;
	enum drv_step r;
	enum at_code code;
	int n = 0;

	if (D->prepare(c, sql, &s) != AT_OK)
		return D->errcode(c);
	for (int i = 0; params[i] != T_END; i++)
		D->bind_text(s, i + 1, params[i]);
	while ((r = D->step(s)) == DRV_ROW) {
		if (n++ == 0 && first)
			*first = D->column_int64(s, 0);
	}
	/* Read before finalize: SQLite keeps only the last call's outcome. */
	code = r == DRV_DONE ? AT_OK : D->errcode(c);
	D->finalize(s);
	if (rows)
		*rows = n;
	return code;
}

#define SQL(v, c, sql) run_sql((v)->D, (c), (sql), (const char *const[]){ T_END }, NULL, NULL)
#define SQLP(v, c, sql, ...) \
	run_sql((v)->D, (c), (sql), (const char *const[]){ __VA_ARGS__, T_END }, NULL, NULL)

/* The integer the query's first row starts with; fails the test if none. */
static int64_t sql_int(struct env *v, struct drv_conn *c, const char *sql)
{
	int64_t n = -1;
	int rows = 0;

	if (run_sql(v->D, c, sql, (const char *const[]){ T_END }, &n, &rows) != AT_OK || rows < 1)
		fail_msg("%s: [%s] failed: %s", v->en->name, sql, v->D->errmsg(c));
	return n;
}

/* `expr` must give `want`; the engine's words when it does not. */
#define T_IS(v, c, expr, want)                                                             \
	do {                                                                               \
		enum at_code got_ = (expr);                                                \
		if (got_ != (want))                                                        \
			fail_msg("%s: %s: got %s, want %s (%s: %s)", (v)->en->name, #expr,  \
			         at_code_name(got_), at_code_name(want),                    \
			         (v)->en->sqlstate(c), (v)->D->errmsg(c));                  \
	} while (0)

/* The last failure's message must hold `has`. */
static void msg_has(struct env *v, struct drv_conn *c, const char *has)
{
	const char *m = v->D->errmsg(c);

	if (!m || !strstr(m, has))
		fail_msg("%s: message [%s] lacks [%s]", v->en->name, m ? m : "(null)", has);
}

static struct drv_stmt *prep(struct env *v, struct drv_conn *c, const char *sql)
{
	struct drv_stmt *s = NULL;

	if (v->D->prepare(c, sql, &s) != AT_OK)
		fail_msg("%s: prepare [%s]: %s", v->en->name, sql, v->D->errmsg(c));
	return s;
}

/* A distinct 64-hex-digit "hash" for event n; n 0 is the genesis zeros. */
static void hash_of(int64_t n, char out[AT_HASH_HEX + 1])
{
	snprintf(out, AT_HASH_HEX + 1, "%064llx",
	         (unsigned long long)n * 0x9E3779B97F4A7C15ull);
}

/* Insert event `seq` whose prev_hash is event `prev`'s hash. */
static enum at_code ev(struct env *v, struct drv_conn *c, int64_t seq, int64_t prev)
{
	char s[24], ph[AT_HASH_HEX + 1], h[AT_HASH_HEX + 1];

	snprintf(s, sizeof(s), "%lld", (long long)seq);
	hash_of(prev, ph);
	hash_of(seq, h);
	return SQLP(v, c,
	            "INSERT INTO events(seq, at, type, actor, batch_id, details, prev_hash, hash) "
	            "VALUES (?1, '2026-01-01T00:00:00.000Z', 'HOLDER_CREATED', 'test', 'b1', "
	            "'{}', ?2, ?3)",
	            s, ph, h);
}

static int64_t events(struct env *v, struct drv_conn *c)
{
	return sql_int(v, c, "SELECT count(*) FROM events");
}

static enum at_code mk_holder(struct env *v, const char *name, const char *badge)
{
	return SQLP(v, v->c,
	            "INSERT INTO holders(name, badge, created_at, updated_at) "
	            "VALUES (?1, ?2, 't', 't')",
	            name, badge);
}

static int64_t mk_case(struct env *v, const char *name, int slots)
{
	char n[16];
	int64_t id = -1;

	snprintf(n, sizeof(n), "%d", slots);
	if (run_sql(v->D, v->c,
	            "INSERT INTO cases(name, slot_count, created_at, updated_at) "
	            "VALUES (?1, ?2, 't', 't') RETURNING id",
	            (const char *const[]){ name, n, T_END }, &id, NULL) != AT_OK)
		fail_msg("%s: case %s: %s", v->en->name, name, v->D->errmsg(v->c));
	for (int i = 1; i <= slots; i++) {
		char pos[16], cid[24];

		snprintf(pos, sizeof(pos), "%d", i);
		snprintf(cid, sizeof(cid), "%lld", (long long)id);
		if (SQLP(v, v->c, "INSERT INTO slots(case_id, position) VALUES (?1, ?2)", cid, pos) !=
		    AT_OK)
			fail_msg("%s: slot %d: %s", v->en->name, i, v->D->errmsg(v->c));
	}
	return id;
}

static enum at_code mk_asset(struct env *v, const char *tag, const char *serial,
                             const char *case_id, const char *pos)
{
	return SQLP(v, v->c,
	            "INSERT INTO assets(tag, serial, manufacturer, equipment_type, building, room, "
	            "state, case_id, position, created_at, updated_at) "
	            "VALUES (?1, ?2, 'M', 'E', 'B', 'R', 'STORAGE', ?3, ?4, 't', 't')",
	            tag, serial, case_id, pos);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ==== the cases ======================================================== */

/* ?N as SQLite numbers them: reused, out of order, a bare ? one more than
 * the largest before it; numbers a text skips, and binding past the
 * largest, are ignored; reset() clears every binding to NULL. */
static void case_placeholders(struct env *v)
{
	const struct drv *D = v->D;
	struct drv_stmt *s;

	/* ?3 name, bare ? = ?4 badge, ?1 email, ?2 both times. */
	s = prep(v, v->c,
	         "INSERT INTO holders(name, badge, email, created_at, updated_at) "
	         "VALUES (?3, ?, ?1, ?2, ?2)");
	D->bind_text(s, 1, "d@example.org");
	D->bind_text(s, 2, "2026-01-02");
	D->bind_text(s, 3, "Dana");
	D->bind_text(s, 4, "B-1");
	assert_int_equal(D->step(s), DRV_DONE);
	assert_int_equal(D->changes(v->c), 1);
	/* The same statement again, bound anew. */
	D->reset(s);
	D->bind_text(s, 1, "e@example.org");
	D->bind_text(s, 2, "2026-01-03");
	D->bind_text(s, 3, "Eli");
	D->bind_text(s, 4, "B-2");
	assert_int_equal(D->step(s), DRV_DONE);
	D->finalize(s);
	assert_int_equal(sql_int(v, v->c,
	                         "SELECT count(*) FROM holders WHERE name = 'Dana' AND badge = 'B-1' "
	                         "AND email = 'd@example.org' AND created_at = '2026-01-02' "
	                         "AND updated_at = created_at"),
	                 1);

	/* ?1 never used; ?9 beyond the largest. */
	s = prep(v, v->c, "UPDATE holders SET name = ?3 WHERE id = ?2");
	D->bind_text(s, 1, "ignored");
	D->bind_int64(s, 2, 1);
	D->bind_text(s, 3, "New");
	D->bind_text(s, 9, "beyond: ignored");
	assert_int_equal(D->step(s), DRV_DONE);
	assert_int_equal(D->changes(v->c), 1);
	/* Reset cleared id: NULL matches nothing. */
	D->reset(s);
	D->bind_text(s, 3, "Newer");
	assert_int_equal(D->step(s), DRV_DONE);
	assert_int_equal(D->changes(v->c), 0);
	D->finalize(s);
	assert_int_equal(sql_int(v, v->c, "SELECT count(*) FROM holders WHERE name = 'New'"), 1);

	/* Bare ? from 1. */
	s = prep(v, v->c, "SELECT count(*) FROM holders WHERE name = ? AND badge = ?");
	D->bind_text(s, 1, "Eli");
	D->bind_text(s, 2, "B-2");
	assert_int_equal(D->step(s), DRV_ROW);
	assert_int_equal(D->column_int64(s, 0), 1);
	D->finalize(s);
}

/* Values in and out: integers (64-bit both ways), texts (UTF-8, their
 * lengths, empty is not NULL), reals, sums, comparisons, the column
 * count; a column past the last is NULL. */
static void case_types(struct env *v)
{
	const struct drv *D = v->D;
	struct drv_stmt *s;

	s = prep(v, v->c,
	         "SELECT CAST(?1 AS BIGINT), CAST(?2 AS BIGINT), CAST(?3 AS TEXT), '', 1.5, "
	         "(SELECT sum(x) FROM (SELECT 1 AS x UNION ALL SELECT 2) t), 2 > 1, 1 > 2, "
	         "CAST(?4 AS TEXT), count(*) FROM events");
	D->bind_int64(s, 1, INT64_MAX);
	D->bind_int64(s, 2, INT64_MIN + 1);
	D->bind_text(s, 3, "\xc3\xa9t\xc3\xa9");
	D->bind_int64(s, 4, -42);
	assert_int_equal(D->step(s), DRV_ROW);
	assert_int_equal(D->column_count(s), 10);
	assert_int_equal(D->column_type(s, 0), DRV_INT);
	assert_true(D->column_int64(s, 0) == INT64_MAX);
	assert_true(D->column_int64(s, 1) == INT64_MIN + 1);
	assert_int_equal(D->column_type(s, 2), DRV_TEXT);
	assert_string_equal(D->column_text(s, 2), "\xc3\xa9t\xc3\xa9");
	assert_int_equal(D->column_bytes(s, 2), 5);
	assert_int_equal(D->column_type(s, 3), DRV_TEXT);
	assert_false(D->column_null(s, 3));
	assert_string_equal(D->column_text(s, 3), "");
	assert_int_equal(D->column_bytes(s, 3), 0);
	assert_int_equal(D->column_type(s, 4), DRV_FLOAT);
	assert_string_equal(D->column_text(s, 4), "1.5");
	/* sum() of integers is an integer (PostgreSQL: a whole numeric). */
	assert_int_equal(D->column_type(s, 5), DRV_INT);
	assert_int_equal(D->column_int64(s, 5), 3);
	/* A comparison as an integer (PostgreSQL: a boolean).  Its text
	 * differs, "1" against "t": read comparisons as integers. */
	assert_int_equal(D->column_type(s, 6), DRV_INT);
	assert_int_equal(D->column_int64(s, 6), 1);
	assert_int_equal(D->column_int64(s, 7), 0);
	/* An integer bound into a text: its decimal, and back. */
	assert_string_equal(D->column_text(s, 8), "-42");
	assert_int_equal(D->column_int64(s, 8), -42);
	assert_int_equal(D->column_type(s, 9), DRV_INT);
	assert_int_equal(D->column_int64(s, 9), 0);
	assert_null(D->column_text(s, 99));
	assert_int_equal(D->step(s), DRV_DONE);
	D->finalize(s);
}

/* NULL bound three ways, tested with CAST(?N AS TEXT) IS NULL (PostgreSQL
 * cannot type a bare ?N IS NULL), stored and read back; LIMIT of
 * INT64_MAX is "no limit" on both (SQLite refuses LIMIT NULL, PostgreSQL
 * LIMIT -1). */
static void case_nulls(struct env *v)
{
	const struct drv *D = v->D;
	struct drv_stmt *s;

	s = prep(v, v->c,
	         "SELECT CAST(?1 AS TEXT) IS NULL, CAST(?2 AS TEXT) IS NULL, "
	         "CAST(?3 AS TEXT) IS NULL, coalesce(CAST(?1 AS TEXT), 'none'), "
	         "CAST(?4 AS TEXT) IS NULL");
	D->bind_null(s, 1);
	D->bind_text(s, 2, NULL);
	/* ?3 never bound. */
	D->bind_text(s, 4, "x");
	assert_int_equal(D->step(s), DRV_ROW);
	assert_int_equal(D->column_int64(s, 0), 1);
	assert_int_equal(D->column_int64(s, 1), 1);
	assert_int_equal(D->column_int64(s, 2), 1);
	assert_string_equal(D->column_text(s, 3), "none");
	assert_int_equal(D->column_int64(s, 4), 0);
	D->finalize(s);

	T_IS(v, v->c, mk_holder(v, "Dana", NULL), AT_OK);
	T_IS(v, v->c, mk_holder(v, "Eli", "B-1"), AT_OK);
	s = prep(v, v->c, "SELECT badge, email, id FROM holders ORDER BY id LIMIT ?1");
	D->bind_int64(s, 1, INT64_MAX);
	assert_int_equal(D->step(s), DRV_ROW);
	assert_int_equal(D->column_type(s, 0), DRV_NULL);
	assert_true(D->column_null(s, 0));
	assert_null(D->column_text(s, 0));
	assert_int_equal(D->column_bytes(s, 0), 0);
	assert_int_equal(D->column_int64(s, 0), 0);
	assert_true(D->column_null(s, 1));
	assert_false(D->column_null(s, 2));
	assert_int_equal(D->step(s), DRV_ROW);
	assert_string_equal(D->column_text(s, 0), "B-1");
	assert_int_equal(D->step(s), DRV_DONE);
	D->reset(s);
	D->bind_int64(s, 1, 1);
	assert_int_equal(D->step(s), DRV_ROW);
	assert_int_equal(D->step(s), DRV_DONE);
	D->finalize(s);
}

/* INSERT ... RETURNING id (store.c's way to learn an id on both; never a
 * last-insert id): ids by SQLite's rowid rule, one row changed. */
static void case_returning(struct env *v)
{
	const struct drv *D = v->D;
	struct drv_stmt *s;

	s = prep(v, v->c,
	         "INSERT INTO holders(id, name, created_at, updated_at) VALUES (?1, ?2, 't', 't') "
	         "RETURNING id");
	for (int i = 0; i < 3; i++) {
		D->reset(s);
		if (i == 1)
			D->bind_int64(s, 1, 7);
		D->bind_text(s, 2, "H");
		assert_int_equal(D->step(s), DRV_ROW);
		assert_int_equal(D->column_int64(s, 0), i == 0 ? 1 : i == 1 ? 7 : 8);
		assert_int_equal(D->step(s), DRV_DONE);
		assert_int_equal(D->changes(v->c), 1);
	}
	D->finalize(s);
	/* A SELECT leaves the count of the last change alone. */
	assert_int_equal(sql_int(v, v->c, "SELECT count(*) FROM holders"), 3);
	assert_int_equal(D->changes(v->c), 1);
	T_IS(v, v->c, SQL(v, v->c, "UPDATE holders SET active = 0"), AT_OK);
	assert_int_equal(D->changes(v->c), 3);
}

/* A unique key taken again: AT_DUPLICATE, whichever index. */
static void case_duplicate(struct env *v)
{
	char cid[24];

	T_IS(v, v->c, mk_holder(v, "Dana", "B1"), AT_OK);
	T_IS(v, v->c, mk_holder(v, "Eli", "B1"), AT_DUPLICATE);
	assert_true(strlen(v->D->errmsg(v->c)) > 0);
	snprintf(cid, sizeof(cid), "%lld", (long long)mk_case(v, "CASE-A", 2));
	T_IS(v, v->c,
	     SQL(v, v->c, "INSERT INTO cases(name, slot_count, created_at, updated_at) "
	                  "VALUES ('CASE-A', 2, 't', 't')"),
	     AT_DUPLICATE);
	T_IS(v, v->c, mk_asset(v, "AT-1", "SN-1", cid, "1"), AT_OK);
	T_IS(v, v->c, mk_asset(v, "AT-1", "SN-2", NULL, NULL), AT_DUPLICATE);
	/* The same match key (dashes, letter case) and serial key (spaces,
	 * letter case) as another asset's; a slot taken. */
	T_IS(v, v->c, mk_asset(v, "at1", "SN-3", NULL, NULL), AT_DUPLICATE);
	T_IS(v, v->c, mk_asset(v, "AT-2", "  sn-1 ", NULL, NULL), AT_DUPLICATE);
	T_IS(v, v->c, mk_asset(v, "AT-3", "SN-4", cid, "1"), AT_DUPLICATE);
	T_IS(v, v->c, SQL(v, v->c, "INSERT INTO slots(case_id, position) VALUES (1, 2)"),
	     AT_DUPLICATE);
	T_IS(v, v->c, mk_asset(v, "AT-3", "SN-4", cid, "2"), AT_OK);
	assert_int_equal(sql_int(v, v->c, "SELECT count(*) FROM assets"), 2);
	assert_int_equal(sql_int(v, v->c, "SELECT count(*) FROM holders"), 1);
}

/* CHECKs, NOT NULL, foreign keys and the custody record's triggers:
 * AT_CONFLICT, the triggers' messages word for word. */
static void case_conflict(struct env *v)
{
	char cid[24];

	snprintf(cid, sizeof(cid), "%lld", (long long)mk_case(v, "CASE-A", 3));
	T_IS(v, v->c, mk_asset(v, "AT-1", "SN-1", cid, "1"), AT_OK);
	T_IS(v, v->c, mk_asset(v, "-AT", "SN-5", NULL, NULL), AT_CONFLICT);
	T_IS(v, v->c, mk_asset(v, "AT 5", "SN-5", NULL, NULL), AT_CONFLICT);
	T_IS(v, v->c, SQL(v, v->c, "UPDATE assets SET state = 'IN_CUSTODY'"), AT_CONFLICT);
	T_IS(v, v->c, SQL(v, v->c, "UPDATE assets SET due = '2026-1-1'"), AT_CONFLICT);
	T_IS(v, v->c,
	     SQL(v, v->c, "INSERT INTO holders(badge, created_at, updated_at) VALUES ('x', 't', 't')"),
	     AT_CONFLICT);
	/* Holder 999 does not exist; nor does slot 9. */
	T_IS(v, v->c,
	     SQL(v, v->c, "UPDATE assets SET state = 'IN_CUSTODY', holder_id = 999, case_id = NULL, "
	                  "position = NULL, custody_since = 't'"),
	     AT_CONFLICT);
	T_IS(v, v->c, SQL(v, v->c, "UPDATE assets SET position = 9"), AT_CONFLICT);
	T_IS(v, v->c, SQL(v, v->c, "UPDATE cases SET slot_count = 2"), AT_CONFLICT);
	msg_has(v, v->c, "a case only grows");
	T_IS(v, v->c, SQLP(v, v->c, "INSERT INTO slots(case_id, position) VALUES (?1, 4)", cid),
	     AT_CONFLICT);
	msg_has(v, v->c, "slot position beyond the case size");
	T_IS(v, v->c, SQL(v, v->c, "UPDATE assets SET tag = 'AT-9'"), AT_CONFLICT);
	msg_has(v, v->c, "an asset tag never changes");
	T_IS(v, v->c, SQL(v, v->c, "UPDATE assets SET attributes = '{\"a\":1}'"), AT_CONFLICT);
	msg_has(v, v->c, "asset attributes: at most 32 names, each a text");
	assert_int_equal(sql_int(v, v->c, "SELECT count(*) FROM assets WHERE tag = 'AT-1' AND "
	                                  "state = 'STORAGE' AND position = 1 AND due IS NULL"),
	                 1);
}

/* The chain: a gap or a broken link is AT_CONFLICT with the trigger's
 * words; a good link goes in. */
static void case_chain(struct env *v)
{
	T_IS(v, v->c, ev(v, v->c, 1, 7), AT_CONFLICT);
	msg_has(v, v->c, "event prev_hash must be the previous event's hash");
	T_IS(v, v->c, ev(v, v->c, 2, 0), AT_CONFLICT);
	msg_has(v, v->c, "event seq must follow the last event");
	T_IS(v, v->c, ev(v, v->c, 1, 0), AT_OK);
	T_IS(v, v->c, ev(v, v->c, 2, 1), AT_OK);
	/* A gap, linked as SQLite reads the link: the hash of seq 3, none. */
	T_IS(v, v->c, ev(v, v->c, 4, 0), AT_CONFLICT);
	msg_has(v, v->c, "event seq must follow the last event");
	/* Wrong both ways: the same words on both (SQLite fires its newer
	 * trigger, the link's, first; schema_pg.c checks in that order). */
	T_IS(v, v->c, ev(v, v->c, 4, 3), AT_CONFLICT);
	msg_has(v, v->c, "event prev_hash must be the previous event's hash");
	T_IS(v, v->c, ev(v, v->c, 2, 1), AT_CONFLICT);
	T_IS(v, v->c, ev(v, v->c, 3, 1), AT_CONFLICT);
	msg_has(v, v->c, "event prev_hash must be the previous event's hash");
	T_IS(v, v->c, ev(v, v->c, 3, 2), AT_OK);
	assert_int_equal(events(v, v->c), 3);
}

/* ---- two connections ---- */

struct racer {
	struct env *v;
	struct drv_conn *c;
	int64_t seq, prev;
	enum at_code got;
	char msg[AT_MSG_MAX];
	double waited;                       /* seconds in begin_write */
	volatile int done;
};

static void *racer_run(void *arg)
{
	struct racer *r = arg;
	const struct drv *D = r->v->D;
	double t0 = now_s();

	r->got = D->begin_write(r->c);
	r->waited = now_s() - t0;
	if (r->got == AT_OK)
		r->got = ev(r->v, r->c, r->seq, r->prev);
	if (r->got == AT_OK)
		r->got = D->commit(r->c);
	snprintf(r->msg, sizeof(r->msg), "%s", D->errmsg(r->c));
	if (r->got != AT_OK)
		D->rollback(r->c);
	r->done = 1;
	return NULL;
}

/* begin_write serializes writers: the second waits for the first's
 * commit, then sees its event and appends after it. */
static void case_write_serializes(struct env *v)
{
	struct drv_conn *b = v->en->connect(v);
	struct racer r = { .v = v, .c = b, .seq = 2, .prev = 1 };
	pthread_t t;

	T_IS(v, v->c, v->D->begin_write(v->c), AT_OK);
	assert_true(v->D->in_txn(v->c));
	assert_int_equal(pthread_create(&t, NULL, racer_run, &r), 0);
	usleep(300 * 1000);
	assert_false(r.done);
	T_IS(v, v->c, ev(v, v->c, 1, 0), AT_OK);
	T_IS(v, v->c, v->D->commit(v->c), AT_OK);
	assert_false(v->D->in_txn(v->c));
	pthread_join(t, NULL);
	if (r.got != AT_OK)
		fail_msg("%s: second writer: %s (%s)", v->en->name, at_code_name(r.got), r.msg);
	assert_true(r.waited >= 0.25);
	assert_int_equal(events(v, v->c), 2);
	v->D->close(b);
}

/* Held past the lock wait: AT_BUSY, and no transaction left open; free
 * again once the holder is done. */
static void case_busy(struct env *v)
{
	struct drv_conn *b = v->en->connect(v);
	double t0, took;

	if (v->en->short_wait)
		v->en->short_wait(b);
	else
		T_IS(v, b, v->D->exec(b, v->en->short_wait_sql), AT_OK);
	T_IS(v, v->c, v->D->begin_write(v->c), AT_OK);
	t0 = now_s();
	T_IS(v, b, v->D->begin_write(b), AT_BUSY);
	took = now_s() - t0;
	assert_string_equal(v->en->sqlstate(b), v->en->busy_state);
	assert_false(v->D->in_txn(b));
	if (took < 0.15 || took > 5.0)
		fail_msg("%s: gave up after %.3f s, want about 0.2", v->en->name, took);
	v->D->rollback(v->c);
	T_IS(v, b, v->D->begin_write(b), AT_OK);
	T_IS(v, b, ev(v, b, 1, 0), AT_OK);
	T_IS(v, b, v->D->commit(b), AT_OK);
	assert_int_equal(events(v, v->c), 1);
	v->D->close(b);
}

/* One snapshot, taken at the read transaction's first read: what commits
 * before it is seen, what commits after it is not until the end. */
static void case_read_snapshot(struct env *v)
{
	struct drv_conn *b = v->en->connect(v);

	T_IS(v, v->c, ev(v, v->c, 1, 0), AT_OK);
	T_IS(v, b, v->D->begin_read(b), AT_OK);
	assert_true(v->D->in_txn(b));
	T_IS(v, v->c, ev(v, v->c, 2, 1), AT_OK);
	assert_int_equal(events(v, b), 2);
	T_IS(v, v->c, ev(v, v->c, 3, 2), AT_OK);
	assert_int_equal(events(v, b), 2);
	assert_int_equal(sql_int(v, b, "SELECT max(seq) FROM events"), 2);
	T_IS(v, b, v->D->commit(b), AT_OK);
	assert_false(v->D->in_txn(b));
	assert_int_equal(events(v, b), 3);
	/* A second read transaction, and a rollback that ends it. */
	T_IS(v, b, v->D->begin_read(b), AT_OK);
	assert_int_equal(events(v, b), 3);
	T_IS(v, v->c, ev(v, v->c, 4, 3), AT_OK);
	assert_int_equal(events(v, b), 3);
	v->D->rollback(b);
	assert_false(v->D->in_txn(b));
	assert_int_equal(events(v, b), 4);
	v->D->close(b);
}

/* Around a statement that may be refused: rollback_to() undoes all since
 * savepoint() (the refused statement, and one that went in), and the
 * transaction goes on to commit; release() keeps what went in.  Outside a
 * transaction there is no savepoint. */
static void case_savepoint(struct env *v)
{
	const struct drv *D = v->D;

	T_IS(v, v->c, D->savepoint(v->c), AT_STORAGE);
	assert_false(D->in_txn(v->c));
	T_IS(v, v->c, mk_holder(v, "Dana", "B1"), AT_OK);

	T_IS(v, v->c, D->begin_write(v->c), AT_OK);
	T_IS(v, v->c, ev(v, v->c, 1, 0), AT_OK);
	T_IS(v, v->c, D->savepoint(v->c), AT_OK);
	T_IS(v, v->c, mk_holder(v, "Eli", "B1"), AT_DUPLICATE);
	D->rollback_to(v->c);
	assert_true(D->in_txn(v->c));
	T_IS(v, v->c, D->savepoint(v->c), AT_OK);
	T_IS(v, v->c, mk_holder(v, "Fay", "B3"), AT_OK);
	T_IS(v, v->c, mk_holder(v, "Gil", "B3"), AT_DUPLICATE);
	D->rollback_to(v->c);
	T_IS(v, v->c, D->savepoint(v->c), AT_OK);
	T_IS(v, v->c, mk_holder(v, "Eli", "B2"), AT_OK);
	T_IS(v, v->c, D->release(v->c), AT_OK);
	T_IS(v, v->c, ev(v, v->c, 2, 1), AT_OK);
	T_IS(v, v->c, D->commit(v->c), AT_OK);
	assert_int_equal(events(v, v->c), 2);
	assert_int_equal(sql_int(v, v->c, "SELECT count(*) FROM holders"), 2);
	assert_int_equal(sql_int(v, v->c, "SELECT count(*) FROM holders WHERE name = 'Fay'"), 0);
	/* Nothing open any more. */
	T_IS(v, v->c, D->commit(v->c), AT_STORAGE);
}

/* Many rows, one at a time: every row, in order, and memory stays flat
 * once the engine's caches are warm (the first fifth). */
#define STREAM_ROWS 50000

static void case_streaming(struct env *v)
{
	const struct drv *D = v->D;
	struct drv_stmt *s;
	char name[191];
	size_t base = 0, peak = 0;
	int64_t n = 0;

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	s = prep(v, v->c,
	         "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1) "
	         "INSERT INTO holders(id, name, created_at, updated_at) SELECT i, ?2, 't', 't' FROM n");
	D->bind_int64(s, 1, STREAM_ROWS);
	D->bind_text(s, 2, name);
	assert_int_equal(D->step(s), DRV_DONE);
	assert_int_equal(D->changes(v->c), STREAM_ROWS);
	D->finalize(s);

	s = prep(v, v->c, "SELECT id, name FROM holders ORDER BY id");
	while (D->step(s) == DRV_ROW) {
		n++;
		assert_int_equal(D->column_int64(s, 0), n);
		assert_int_equal(D->column_bytes(s, 1), sizeof(name) - 1);
		if (n == STREAM_ROWS / 5)
			base = peak = heap_in_use();
		if (n > STREAM_ROWS / 5 && n % 1000 == 0 && heap_in_use() > peak)
			peak = heap_in_use();
	}
	assert_int_equal(n, STREAM_ROWS);
	D->finalize(s);
	if (peak > base + 256 * 1024)
		fail_msg("%s: the heap grew by %zu bytes over %d rows", v->en->name, peak - base,
		         STREAM_ROWS * 4 / 5);
}

/* A statement run while another's rows are still coming: both give
 * every row right, and the current row stays readable. */
static void case_interleaved(struct env *v)
{
	const struct drv *D = v->D;
	struct drv_stmt *a, *b;
	int64_t n = 0, lookups = 0;

	a = prep(v, v->c,
	         "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
	         "SELECT i, 'row ' || i FROM n");
	b = prep(v, v->c, "SELECT CAST(?1 AS BIGINT) * 2");
	while (D->step(a) == DRV_ROW) {
		const char *text = D->column_text(a, 1);
		char want[32];

		n++;
		assert_int_equal(D->column_int64(a, 0), n);
		if (n % 500 == 10) {
			D->reset(b);
			D->bind_int64(b, 1, n);
			assert_int_equal(D->step(b), DRV_ROW);
			assert_int_equal(D->column_int64(b, 0), 2 * n);
			assert_int_equal(D->step(b), DRV_DONE);
			lookups++;
		}
		snprintf(want, sizeof(want), "row %lld", (long long)n);
		assert_string_equal(text, want);
	}
	assert_int_equal(n, 2000);
	assert_int_equal(lookups, 4);
	/* A run stopped early, then the other again, then the first anew. */
	D->reset(a);
	assert_int_equal(D->step(a), DRV_ROW);
	assert_int_equal(D->step(a), DRV_ROW);
	D->reset(a);
	D->reset(b);
	D->bind_int64(b, 1, 21);
	assert_int_equal(D->step(b), DRV_ROW);
	assert_int_equal(D->column_int64(b, 0), 42);
	assert_int_equal(D->step(a), DRV_ROW);
	assert_int_equal(D->column_int64(a, 0), 1);
	D->finalize(a);
	D->finalize(b);
}

/* COLLATE "C" (drv_sqlite registers it): bytes, upper case first, and
 * lower() folding ASCII only, in a PostgreSQL database whose own
 * collation (ICU en-US) would do otherwise. */
static void case_collate_c(struct env *v)
{
	static const char *const names[] = { "a", "B", "\xc3\xa9", "Z", "b" };
	static const char *const want[] = { "B", "Z", "a", "b", "\xc3\xa9" };
	const struct drv *D = v->D;
	struct drv_stmt *s;
	int i = 0;

	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		T_IS(v, v->c, mk_holder(v, names[k], NULL), AT_OK);
	s = prep(v, v->c, "SELECT name FROM holders ORDER BY name COLLATE \"C\" DESC, id");
	while (D->step(s) == DRV_ROW)
		assert_string_equal(D->column_text(s, 0), want[4 - i++]);
	assert_int_equal(i, 5);
	D->finalize(s);
	s = prep(v, v->c, "SELECT lower(?1 COLLATE \"C\"), upper(?1 COLLATE \"C\")");
	D->bind_text(s, 1, "\xc3\x89X-a");
	assert_int_equal(D->step(s), DRV_ROW);
	assert_string_equal(D->column_text(s, 0), "\xc3\x89x-a");
	assert_string_equal(D->column_text(s, 1), "\xc3\x89X-A");
	D->finalize(s);
}

static const struct drv_case cases[] = {
	{ "placeholders", case_placeholders },
	{ "types", case_types },
	{ "nulls", case_nulls },
	{ "returning", case_returning },
	{ "duplicate", case_duplicate },
	{ "conflict", case_conflict },
	{ "chain", case_chain },
	{ "write_serializes", case_write_serializes },
	{ "busy", case_busy },
	{ "read_snapshot", case_read_snapshot },
	{ "savepoint", case_savepoint },
	{ "streaming", case_streaming },
	{ "interleaved", case_interleaved },
	{ "collate_c", case_collate_c },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* ==== SQLite's own (no PostgreSQL twin to compare with) ================ */

static void test_sqlite_codes(void **state)
{
	static const int dup[] = { SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY };
	static const int conflict[] = { SQLITE_CONSTRAINT, SQLITE_CONSTRAINT_CHECK,
		                        SQLITE_CONSTRAINT_NOTNULL, SQLITE_CONSTRAINT_FOREIGNKEY,
		                        SQLITE_CONSTRAINT_TRIGGER };
	static const int busy[] = { SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT, SQLITE_BUSY_RECOVERY,
		                    SQLITE_LOCKED, SQLITE_LOCKED_SHAREDCACHE };
	static const int storage[] = { SQLITE_ERROR, SQLITE_IOERR_WRITE, SQLITE_FULL,
		                       SQLITE_CORRUPT, SQLITE_NOMEM, SQLITE_READONLY,
		                       SQLITE_CANTOPEN, SQLITE_OK, SQLITE_DONE };

	(void)state;
	for (size_t i = 0; i < sizeof(dup) / sizeof(dup[0]); i++)
		assert_int_equal(drv_sqlite_code(dup[i]), AT_DUPLICATE);
	for (size_t i = 0; i < sizeof(conflict) / sizeof(conflict[0]); i++)
		assert_int_equal(drv_sqlite_code(conflict[i]), AT_CONFLICT);
	for (size_t i = 0; i < sizeof(busy) / sizeof(busy[0]); i++)
		assert_int_equal(drv_sqlite_code(busy[i]), AT_BUSY);
	for (size_t i = 0; i < sizeof(storage) / sizeof(storage[0]); i++)
		assert_int_equal(drv_sqlite_code(storage[i]), AT_STORAGE);
}

/* A file that is not there is not made without DRV_CREATE; read-only
 * refuses writes; an empty text prepares to nothing, and says so. */
static void test_sqlite_open_flags(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct drv_conn *c = (struct drv_conn *)1;
	struct drv_stmt *s = (struct drv_stmt *)1;
	char path[T_PATH_MAX];

	(void)state;
	t_db_path(path, sizeof(path), "drvflags");
	T_EXPECT(drv_sqlite.open(path, 0, &c, &e), AT_STORAGE, &e);
	assert_null(c);
	assert_non_null(strstr(e.message, "cannot open database"));
	assert_int_equal(access(path, F_OK), -1);
	T_EXPECT(drv_sqlite.open(path, DRV_CREATE, &c, &e), AT_OK, &e);
	assert_int_equal(drv_sqlite.exec(c, "CREATE TABLE t(x)"), AT_OK);
	assert_int_equal(drv_sqlite.prepare(c, " -- nothing\n", &s), AT_STORAGE);
	assert_null(s);
	assert_string_equal(drv_sqlite.errmsg(c), "empty statement");
	assert_int_equal(drv_sqlite.prepare(c, "SELECT nope FROM t", &s), AT_STORAGE);
	assert_non_null(strstr(drv_sqlite.errmsg(c), "no such column"));
	drv_sqlite.close(c);
	T_EXPECT(drv_sqlite.open(path, DRV_READONLY, &c, &e), AT_OK, &e);
	assert_int_equal(drv_sqlite.exec(c, "INSERT INTO t VALUES (1)"), AT_STORAGE);
	assert_non_null(strstr(drv_sqlite.errmsg(c), "readonly"));
	assert_int_equal(drv_sqlite.exec(c, "SELECT * FROM t"), AT_OK);
	drv_sqlite.close(c);
	drv_sqlite.close(NULL);
	t_db_remove(path);
	at_errors_free(&e);
}

/* close() finalizes what the caller left prepared (ASan's leak check
 * would see the rest); the transaction statements are kept per
 * connection, and rollback() without a transaction does nothing. */
static void test_sqlite_close_finalizes(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct drv_conn *c = NULL;
	struct drv_stmt *s = NULL;

	(void)state;
	T_EXPECT(drv_sqlite.open(":memory:", DRV_CREATE, &c, &e), AT_OK, &e);
	assert_int_equal(drv_sqlite.prepare(c, "SELECT 1", &s), AT_OK);
	assert_int_equal(drv_sqlite.step(s), DRV_ROW);
	drv_sqlite.rollback(c);
	assert_int_equal(drv_sqlite.begin_read(c), AT_OK);
	assert_int_equal(drv_sqlite.begin_read(c), AT_STORAGE);
	assert_non_null(strstr(drv_sqlite.errmsg(c), "within a transaction"));
	assert_int_equal(drv_sqlite.commit(c), AT_OK);
	assert_int_equal(drv_sqlite.begin_write(c), AT_OK);
	drv_sqlite.rollback(c);
	assert_false(drv_sqlite.in_txn(c));
	assert_non_null(drv_sqlite_db(c));
	drv_sqlite.close(c);
	at_errors_free(&e);
}

/* ==== main ============================================================= */

/* One group per engine, every case in it, named "engine: case". */
static int run_engine(const struct engine *en, int (*gsetup)(void **), int (*gteardown)(void **))
{
	static char names[2][NCASES][64];
	struct CMUnitTest tests[NCASES];
	int which = en == &engines[0] ? 0 : 1;

	g_engine = en;
	for (size_t i = 0; i < NCASES; i++) {
		snprintf(names[which][i], sizeof(names[which][i]), "%s: %s", en->name, cases[i].name);
		tests[i] = (struct CMUnitTest)cmocka_unit_test_prestate_setup_teardown(
			case_run, case_setup, case_teardown, (void *)&cases[i]);
		tests[i].name = names[which][i];
	}
	return _cmocka_run_group_tests(en->name, tests, NCASES, gsetup, gteardown);
}

int main(void)
{
	const struct CMUnitTest lite_own[] = {
		cmocka_unit_test(test_sqlite_codes),
		cmocka_unit_test(test_sqlite_open_flags),
		cmocka_unit_test(test_sqlite_close_finalizes),
	};
	int failed = cmocka_run_group_tests_name("sqlite_own", lite_own, NULL, NULL);

	failed |= run_engine(&engines[0], NULL, NULL);
	g_uri = getenv("AT_PG_URI");
	if (!g_uri || !*g_uri) {
		fprintf(stderr,
		        "test_drv: SKIPPED the %zu cases on PostgreSQL: AT_PG_URI is unset.  ctest "
		        "sets it (fixture pg_cluster); by hand: tests/support/pgcluster.sh run "
		        "/tmp/atpg build/tests/test_drv\n",
		        NCASES);
		return failed ? 1 : 77;
	}
	return failed | run_engine(&engines[1], pg_group_setup, pg_group_teardown);
}
