/*
 * test_store_pg.c — store.c on PostgreSQL behind store_open (issue #11,
 * phase 2b step 4): every statement and every invariant check prepares on
 * both engines, and the same operations give the same answers on both.
 *
 * This file includes store.c itself, so it reaches the statement table
 * (stmt_get, stmt_sql, stmt_sql_pg, invariant_sql) without a hook in the
 * shipped code; every other symbol comes from atcore as usual.
 *
 * The same scenario runs on a SQLite file and on a PostgreSQL database
 * of the cluster AT_PG_URI names (CTest's fixture pg_cluster), as the app
 * role the program runs as: holders, cases, assets with attributes,
 * slots, Stock-Out, Stock-In, retirement, replacement, an audit, and a
 * refused insert inside a transaction.  The clock is fixed per step
 * (ASSETTRACK_FAKE_NOW) and libsodium's random bytes come from a counter
 * restarted for each engine, so batch ids, times and therefore every
 * event hash are the same: the logs must match byte for byte, and every
 * list, page, search, report and check must print the same text.
 *
 * Every test compares the engines: without AT_PG_URI none runs (the
 * test says so) and the exit status is 77 (CTest's SKIP_RETURN_CODE).
 */
#include "testlib.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/import.h"
#include "core/verify.h"

/* The real thing, statics and all. */
#include "store/store.c"

/* ==== deterministic random bytes ======================================= */

/* A counter through SHA-256: the same bytes each time it is restarted,
 * so both engines' batch ids (event_new_uuid) are the same. */
static uint64_t g_rng_counter;

static void rng_buf(void *const buf, const size_t size)
{
	unsigned char *out = buf;
	size_t o = 0;

	while (o < size) {
		unsigned char h[crypto_hash_sha256_BYTES];
		uint64_t n = g_rng_counter++;
		size_t k = size - o < sizeof(h) ? size - o : sizeof(h);

		crypto_hash_sha256(h, (const unsigned char *)&n, sizeof(n));
		memcpy(out + o, h, k);
		o += k;
	}
}

static uint32_t rng_random(void)
{
	uint32_t v;

	rng_buf(&v, sizeof(v));
	return v;
}

static const char *rng_name(void)
{
	return "test_store_pg counter";
}

static struct randombytes_implementation rng_impl = {
	.implementation_name = rng_name,
	.random = rng_random,
	.buf = rng_buf,
};

/* ==== PostgreSQL: roles, a template database, one database a test ====== */

static const char *g_uri;                /* AT_PG_URI: a superuser's */
static struct drv_conn *g_su;            /* the superuser, database postgres */
static char g_owner[64], g_app[64], g_tpl[64];

/* AT_PG_URI for database `db` as `user` (later parameters win). */
static void uri_for(char *out, size_t cap, const char *db, const char *user)
{
	snprintf(out, cap, "%s%cdbname=%s&user=%s", g_uri, strchr(g_uri, '?') ? '&' : '?', db,
	         user);
}

/* Names are this test's own (from its pid), never input: formatted in. */
static void su_exec(const char *fmt, ...)
{
	char sql[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (drv_pg.exec(g_su, sql) != AT_OK)
		fail_msg("[%s] failed: %s", sql, drv_pg.errmsg(g_su));
}

/* `sql` as the superuser on database `db` (a schema change behind the
 * program's back). */
static void db_exec_su(const char *db, const char *sql)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct drv_conn *c = NULL;
	char uri[1024];

	uri_for(uri, sizeof(uri), db, "postgres");
	if (drv_pg.open(uri, 0, &c, &e) != AT_OK)
		fail_msg("connect to %s: %s", db, e.message);
	if (drv_pg.exec(c, sql) != AT_OK)
		fail_msg("[%s] on %s: %s", sql, db, drv_pg.errmsg(c));
	drv_pg.close(c);
	at_errors_free(&e);
}

static int pg_group_setup(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct drv_conn *own = NULL;
	char uri[1024], sql[256];
	int rc = -1;

	(void)state;
	snprintf(g_owner, sizeof(g_owner), "at_spg_owner_%ld", (long)getpid());
	snprintf(g_app, sizeof(g_app), "at_spg_app_%ld", (long)getpid());
	snprintf(g_tpl, sizeof(g_tpl), "at_spg_tpl_%ld", (long)getpid());
	if (drv_pg.open(g_uri, 0, &g_su, &e) != AT_OK) {
		fprintf(stderr, "test_store_pg: cannot connect to AT_PG_URI: %s\n", e.message);
		goto out;
	}
	if (schema_pg_create_roles(g_su, g_owner, g_app, &e) != AT_OK) {
		fprintf(stderr, "test_store_pg: %s\n", e.message);
		goto out;
	}
	/* ICU en-US: only the schema's COLLATE "C" makes text sort as
	 * SQLite sorts it (a page boundary, a search's letter case). */
	snprintf(sql, sizeof(sql),
	         "CREATE DATABASE %s OWNER %s TEMPLATE template0 LOCALE_PROVIDER icu "
	         "ICU_LOCALE 'en-US'",
	         g_tpl, g_owner);
	if (drv_pg.exec(g_su, sql) != AT_OK) {
		fprintf(stderr, "test_store_pg: %s\n", drv_pg.errmsg(g_su));
		goto out;
	}
	uri_for(uri, sizeof(uri), g_tpl, "postgres");
	if (drv_pg.open(uri, 0, &own, &e) != AT_OK)
		goto out;
	snprintf(sql, sizeof(sql), "SET ROLE %s", g_owner);
	if (drv_pg.exec(own, sql) != AT_OK || schema_pg_migrate(own, NULL, &e) != AT_OK ||
	    schema_pg_grant_app(own, g_app, &e) != AT_OK) {
		fprintf(stderr, "test_store_pg: schema: %s %s\n", e.message, drv_pg.errmsg(own));
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
	drv_pg.exec(g_su, sql);
	snprintf(sql, sizeof(sql), "DROP ROLE IF EXISTS %s; DROP ROLE IF EXISTS %s", g_app,
	         g_owner);
	drv_pg.exec(g_su, sql);
	drv_pg.close(g_su);
	g_su = NULL;
	return 0;
}

/* ==== a pair of stores ================================================== */

struct pair {
	struct store *lite, *pg;
	char path[T_PATH_MAX];               /* the SQLite file */
	char db[64];                         /* the PostgreSQL database */
	char uri[1024];                      /* as the app role */
};

/* A fresh SQLite file and a fresh PostgreSQL database (the template's
 * copy), both at AT_SCHEMA_VERSION, both through store_open. */
static int pair_setup(void **state)
{
	static unsigned n;
	struct at_errors e = AT_ERRORS_INIT;
	struct pair *p = calloc(1, sizeof(*p));

	if (!p)
		return -1;
	t_db_path(p->path, sizeof(p->path), "storepg");
	p->lite = t_store_open(p->path);
	snprintf(p->db, sizeof(p->db), "at_spg_%ld_%u", (long)getpid(), n++);
	su_exec("CREATE DATABASE %s OWNER %s TEMPLATE %s", p->db, g_owner, g_tpl);
	uri_for(p->uri, sizeof(p->uri), p->db, g_app);
	if (store_open(p->uri, 0, &p->pg, &e) != AT_OK)
		fail_msg("store_open on PostgreSQL: %s", e.message);
	at_errors_free(&e);
	*state = p;
	return 0;
}

static int pair_teardown(void **state)
{
	struct pair *p = *state;

	store_close(p->lite);
	store_close(p->pg);
	t_db_remove(p->path);
	su_exec("DROP DATABASE %s WITH (FORCE)", p->db);
	free(p);
	return 0;
}

/* ==== every statement and every check prepares ========================= */

static void prepare_all(struct store *st, const char *engine)
{
	for (int i = 0; i < STMT__MAX; i++) {
		if (st->dv.lite ? stmt_pg_only[i] : stmt_sqlite_only[i])
			continue;
		if (!stmt_get(st, (enum stmt)i))
			fail_msg("%s: statement %d does not prepare: %s\n%s", engine, i,
			         store_errmsg(st),
			         !st->dv.lite && stmt_sql_pg[i] ? stmt_sql_pg[i] : stmt_sql[i]);
		assert_non_null(st->stmts[i]);
	}
	for (size_t i = 0; i < INV__MAX; i++) {
		struct drv_stmt *s = NULL;

		if (st->drv->prepare(st->conn, invariant_sql(st, i), &s) != AT_OK)
			fail_msg("%s: invariant check %zu does not prepare: %s\n%s", engine, i,
			         store_errmsg(st), invariant_sql(st, i));
		/* A healthy, empty database: no row. */
		assert_int_equal(d_step(st->dv, s), DRV_DONE);
		st->drv->finalize(s);
	}
}

static void test_every_statement_prepares(void **state)
{
	struct pair *p = *state;
	int overrides = 0, only = 0;

	prepare_all(p->lite, "sqlite");
	prepare_all(p->pg, "postgresql");
	/* What is SQLite's alone is never prepared on PostgreSQL... */
	for (int i = 0; i < STMT__MAX; i++) {
		if (stmt_sqlite_only[i]) {
			only++;
			assert_null(p->pg->stmts[i]);
			assert_non_null(p->lite->stmts[i]);
		}
		overrides += stmt_sql_pg[i] != NULL;
	}
	assert_int_equal(only, 4);
	/* ...and what is PostgreSQL's alone never on SQLite. */
	only = 0;
	for (int i = 0; i < STMT__MAX; i++) {
		if (stmt_pg_only[i]) {
			only++;
			assert_null(p->lite->stmts[i]);
			assert_non_null(p->pg->stmts[i]);
		}
	}
	assert_int_equal(only, 4);
	/* ...and each override is needed: SQLite's text is refused there
	 * (or, for the asset list and its walk, prepares but matches letter
	 * case). */
	assert_int_equal(overrides, 4);
	for (int i = 0; i < STMT__MAX; i++) {
		struct drv_stmt *s = NULL;

		if (!stmt_sql_pg[i] || i == STMT_ASSET_LIST || i == STMT_ASSET_LIST_WALK)
			continue;
		assert_int_not_equal(drv_pg.prepare(p->pg->conn, stmt_sql[i], &s), AT_OK);
	}
	/* The same for the checks: each of the nine is refused as SQLite
	 * writes it. */
	overrides = 0;
	for (size_t i = 0; i < INV__MAX; i++) {
		struct drv_stmt *s = NULL;

		if (!invariant_checks_pg[i])
			continue;
		overrides++;
		if (drv_pg.prepare(p->pg->conn, invariant_checks[i], &s) == AT_OK)
			fail_msg("check %zu needs no PostgreSQL text:\n%s", i, invariant_checks[i]);
	}
	assert_int_equal(overrides, 9);
}

/* The trigger list the PostgreSQL check reads is the schema's, all of it. */
static void test_trigger_list_is_the_schema(void **state)
{
	struct pair *p = *state;
	struct drv_stmt *s = NULL;
	int rows = 0;

	assert_int_equal(drv_pg.prepare(p->pg->conn,
	                                "SELECT c.relname, g.tgname FROM pg_catalog.pg_trigger g "
	                                "JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid "
	                                "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	                                "WHERE NOT g.tgisinternal AND n.nspname = current_schema() "
	                                "EXCEPT SELECT * FROM (VALUES " SCHEMA_PG_TRIGGERS ") t",
	                                &s),
	                 AT_OK);
	while (drv_pg.step(s) == DRV_ROW) {
		fprintf(stderr, "not in SCHEMA_PG_TRIGGERS: %s.%s\n", drv_pg.column_text(s, 0),
		        drv_pg.column_text(s, 1));
		rows++;
	}
	drv_pg.finalize(s);
	assert_int_equal(rows, 0);
}

/* ==== store_open on PostgreSQL ========================================== */

static void test_open_refuses_other_versions(void **state)
{
	struct pair *p = *state;
	struct at_errors e = AT_ERRORS_INIT;
	struct store *st = NULL;
	char db[80], uri[1200], want[128];
	int fr = 1, mv = 1;

	assert_int_equal(store_schema_version(p->pg), AT_SCHEMA_VERSION);
	assert_int_equal(store_schema_version(p->lite), AT_SCHEMA_VERSION);

	/* An empty database: not ours, and the password is never shown. */
	snprintf(db, sizeof(db), "%s_empty", p->db);
	su_exec("CREATE DATABASE %s OWNER %s", db, g_owner);
	uri_for(uri, sizeof(uri) - 16, db, g_app);
	snprintf(uri + strlen(uri), 17, "&password=sekrit");
	assert_int_equal(store_open(uri, 0, &st, &e), AT_STORAGE);
	assert_null(st);
	assert_non_null(strstr(e.message, "not an AssetTrack database"));
	assert_null(strstr(e.message, "sekrit"));
	/* STORE_CREATE migrates it (as the superuser here: the owner in
	 * production), and then it opens as the app role would. */
	uri_for(uri, sizeof(uri), db, "postgres");
	T_OK(store_open(uri, STORE_CREATE, &st, &e), &e);
	assert_int_equal(store_schema_version(st), AT_SCHEMA_VERSION);
	store_close(st);
	st = NULL;
	T_OK(store_open(uri, 0, &st, &e), &e);
	store_close(st);
	st = NULL;
	/* Another version: refused, as SQLite refuses one. */
	db_exec_su(db, "UPDATE schema_version SET version = 6");
	assert_int_equal(store_open(uri, 0, &st, &e), AT_STORAGE);
	assert_null(st);
	snprintf(want, sizeof(want), "schema version 6, this program expects %d", AT_SCHEMA_VERSION);
	assert_non_null(strstr(e.message, want));
	snprintf(want, sizeof(want), "UPDATE schema_version SET version = %d",
	         AT_SCHEMA_VERSION + 1);
	db_exec_su(db, want);
	assert_int_equal(store_open(uri, STORE_CREATE, &st, &e), AT_STORAGE);
	assert_non_null(strstr(e.message, "newer than this program"));
	su_exec("DROP DATABASE %s WITH (FORCE)", db);

	/* A server that is not there. */
	assert_int_equal(store_open("postgresql:///nothere?host=/nonexistent&password=sekrit", 0,
	                            &st, &e),
	                 AT_STORAGE);
	assert_null(strstr(e.message, "sekrit"));

	/* What only SQLite has. */
	assert_int_equal(store_backup(p->pg, "/tmp/never.db", &e), AT_INVALID);
	assert_int_equal(store_load(p->pg, "/tmp/never.db", &e), AT_INVALID);
	assert_int_equal(store_migrate(p->pg, NULL, &e), AT_INVALID);
	assert_int_equal(store_bulk(p->pg, 1), AT_OK);
	assert_int_equal(store_bulk(p->pg, 0), AT_OK);
	store_release_memory(p->pg);
	assert_int_equal(store_wal_autocheckpoint(p->pg, 0), AT_OK);
	T_OK(store_wal_checkpoint(p->pg, STORE_CKPT_TRUNCATE, &fr, &mv, &e), &e);
	assert_int_equal(fr, 0);
	assert_int_equal(mv, 0);
	assert_int_equal(store_data_version(p->pg), -1);
	assert_true(store_data_version(p->lite) >= 0);
	at_errors_free(&e);
}

static int store_holder_count_ok(struct store *st)
{
	return store_event_count(st) == 0 && store_asset_count(st, 0, ASSET_STORAGE) == 0;
}

/* A read-only connection refuses writes on PostgreSQL too, and reads. */
static void test_open_readonly(void **state)
{
	struct pair *p = *state;
	struct at_errors e = AT_ERRORS_INIT;
	struct store *st = NULL;
	struct holder h = { .name = "Ro Only", .active = 1 };

	snprintf(h.created_at, sizeof(h.created_at), "2026-01-01T00:00:00.000Z");
	snprintf(h.updated_at, sizeof(h.updated_at), "2026-01-01T00:00:00.000Z");
	T_OK(store_open(p->uri, STORE_READONLY, &st, &e), &e);
	/* The write lock is a write (SELECT ... FOR UPDATE). */
	assert_int_equal(store_begin(st, &e), AT_STORAGE);
	assert_non_null(strstr(e.message, "read-only transaction"));
	assert_int_equal(store_holder_insert(st, &h, &e), AT_STORAGE);
	assert_non_null(strstr(e.message, "read-only transaction"));
	T_OK(store_begin_read(st, &e), &e);
	assert_int_equal(store_holder_count_ok(st), 1);
	store_rollback(st);
	store_close(st);
	at_errors_free(&e);
}

/* ==== the same scenario on both ========================================== */

static void set_now(const char *t)
{
	setenv("ASSETTRACK_FAKE_NOW", t, 1);
}

/* The operations, in one order, on `st`.  `ids` gets the holders. */
static void scenario(struct store *st, int64_t ids[3])
{
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	struct holder h;
	struct case_info c;
	struct asset a;
	static const char *const tags[] = { "AT-0001", "at-0002", "AT-0003", "ZZ-9",
		                            "AT-0005", "AT-0006", "B.7", "AT-0008" };
	static const struct attr_change attrs[] = { { "color", "Blue-GREEN" },
		                                    { "owner", "Ops \"team\" 50%" } };

	g_rng_counter = 0;
	set_now("2026-03-01T09:00:00.000Z");
	T_OK(holder_create(st, T_ACTOR, "Dana Ruiz", "B-100", "Dana@Example.org", &h, &e), &e);
	ids[0] = h.id;
	T_OK(holder_create(st, T_ACTOR, "ana Ortiz", "B-200", NULL, &h, &e), &e);
	ids[1] = h.id;
	T_OK(holder_create(st, T_ACTOR, "Émile Zola", NULL, "emile@example.org", &h, &e), &e);
	ids[2] = h.id;
	T_OK(case_create(st, T_ACTOR, "PELI-01", 4, "HQ", "Store", NULL, &c, &e), &e);
	T_OK(case_create(st, T_ACTOR, "peli-02", 3, "HQ", "Store", "second", &c, &e), &e);
	set_now("2026-03-01T10:00:00.000Z");
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		struct asset_input in = t_input(tags[i]);

		if (i < 6) {
			in.slot_case = i < 4 ? "PELI-01" : "peli-02";
			in.slot_position = (int)(i % 4) + 1;
		}
		if (i == 1 || i == 6) {
			in.attrs = attrs;
			in.nattrs = 2;
		}
		in.model = i % 2 ? "XR-5" : "Éclair";
		in.notes = i == 3 ? "keep DRY" : NULL;
		T_OK(asset_create(st, T_ACTOR, &in, NULL, &e), &e);
	}
	/* Refused: a duplicate by match key, and a serial in another case;
	 * each explained after the insert, in its transaction. */
	{
		struct asset_input in = t_input("AT0001");

		assert_int_equal(asset_create(st, T_ACTOR, &in, NULL, &e), AT_DUPLICATE);
		in = t_input("AT-0100");
		in.serial = "sn-at-0003 ";
		assert_int_equal(asset_create(st, T_ACTOR, &in, NULL, &e), AT_DUPLICATE);
	}
	set_now("2026-03-02T08:00:00.000Z");
	{
		const char *out1[] = { "AT-0001", "at-0002" };
		const char *out2[] = { "AT-0003" };
		struct holder_ref h0 = { .id = ids[0] }, h1 = { .id = ids[1] };

		memset(&res, 0, sizeof(res));
		T_OK(custody_stock_out(st, T_ACTOR, h0, "2026-03-05", out1, 2, &res, &e), &e);
		custody_result_free(&res);
		memset(&res, 0, sizeof(res));
		T_OK(custody_stock_out(st, T_ACTOR, h1, "2026-04-30", out2, 1, &res, &e), &e);
		custody_result_free(&res);
	}
	set_now("2026-03-10T16:30:00.000Z");
	{
		struct stock_in_item in[] = { { "AT-0001", NULL, 0 } };

		memset(&res, 0, sizeof(res));
		T_OK(custody_stock_in(st, T_ACTOR, in, 1, &res, &e), &e);
		custody_result_free(&res);
	}
	set_now("2026-03-11T12:00:00.000Z");
	T_OK(asset_retire(st, T_ACTOR, "B.7", "lost in transit", &a, &e), &e);
	T_OK(asset_retire(st, T_ACTOR, "AT-0008", "beyond repair", &a, &e), &e);
	T_OK(asset_replace(st, T_ACTOR, "AT-0003", "AT-0005", "cracked screen", NULL, NULL, NULL,
	                   &e),
	     &e);
	set_now("2026-03-12T09:15:00.000Z");
	{
		const char *scans[] = { "AT-0001", "AT-0006" };
		struct audit_result ar;

		memset(&ar, 0, sizeof(ar));
		T_OK(audit_run(st, T_ACTOR, "peli-02", scans, 2, 1, &ar, &e), &e);
		audit_result_free(&ar);
	}
	/* A refused insert inside an open transaction (store.h directly):
	 * the transaction goes on and commits the rest. */
	T_OK(store_begin(st, &e), &e);
	{
		struct asset x;

		memset(&x, 0, sizeof(x));
		snprintf(x.tag, sizeof(x.tag), "AT-0006");
		snprintf(x.serial, sizeof(x.serial), "other");
		snprintf(x.manufacturer, sizeof(x.manufacturer), "Acme");
		snprintf(x.equipment_type, sizeof(x.equipment_type), "Radio");
		snprintf(x.building, sizeof(x.building), "HQ");
		snprintf(x.room, sizeof(x.room), "R");
		snprintf(x.created_at, sizeof(x.created_at), "2026-03-12T09:15:00.000Z");
		snprintf(x.updated_at, sizeof(x.updated_at), "2026-03-12T09:15:00.000Z");
		assert_int_equal(store_asset_insert(st, &x, &e), AT_DUPLICATE);
		memset(&h, 0, sizeof(h));
		snprintf(h.name, sizeof(h.name), "Late Holder");
		h.active = 1;
		snprintf(h.created_at, sizeof(h.created_at), "2026-03-12T09:15:00.000Z");
		snprintf(h.updated_at, sizeof(h.updated_at), "2026-03-12T09:15:00.000Z");
		T_OK(store_holder_insert(st, &h, &e), &e);
		snprintf(x.tag, sizeof(x.tag), "AT-0099");
		T_OK(store_asset_insert(st, &x, &e), &e);
	}
	T_OK(store_commit(st, &e), &e);
	/* Accounts: a user, a token, a session, a throttle, the security log. */
	T_OK(store_begin(st, &e), &e);
	{
		struct user u;
		struct session se;
		char th[AT_HASH_HEX + 1], sh[AT_HASH_HEX + 1];

		memset(th, 'a', AT_HASH_HEX);
		th[AT_HASH_HEX] = '\0';
		memset(sh, 'b', AT_HASH_HEX);
		sh[AT_HASH_HEX] = '\0';
		memset(&u, 0, sizeof(u));
		snprintf(u.username, sizeof(u.username), "ops");
		u.role = ROLE_ADMIN;
		snprintf(u.pw_hash, sizeof(u.pw_hash), "$argon2id$x");
		u.active = 1;
		snprintf(u.created_at, sizeof(u.created_at), "2026-03-12T09:20:00.000Z");
		T_OK(store_user_insert(st, &u, &e), &e);
		assert_int_equal(u.id, 1);
		T_OK(store_token_insert(st, u.id, th, "scanner", "2026-03-12T09:21:00.000Z", &e), &e);
		th[0] = 'c';
		T_OK(store_token_insert(st, u.id, th, NULL, "2026-03-12T09:21:30.000Z", &e), &e);
		T_OK(store_session_insert(st, sh, u.id, "csrf-token", "2026-03-12T09:22:00.000Z", &e),
		     &e);
		assert_int_equal(store_session_get(st, sh, &se), AT_OK);
		assert_int_equal(store_session_touch(st, se.id, "2026-03-12T09:23:00.000Z"), AT_OK);
		T_OK(store_throttle_put(st, "user:ops@127.0.0.1", 3, 1773307380, "2026-03-12T09:23:00.000Z",
		                        &e),
		     &e);
		T_OK(store_throttle_put(st, "user:ops@127.0.0.1", 4, 1773307440, "2026-03-12T09:24:00.000Z",
		                        &e),
		     &e);
		assert_int_equal(store_security_log(st, "2026-03-12T09:24:00.000Z", "ops", "LOGIN",
		                                    NULL, "{\"from\":\"127.0.0.1\"}"),
		                 AT_OK);
		assert_int_equal(store_security_log(st, "2026-03-12T09:25:00.000Z", "ops", "LOGOUT",
		                                    "ops", NULL),
		                 AT_OK);
		assert_int_equal(store_token_user(st, th, &u), AT_OK);
		/* A second user's token, revoked (changes() counts it). */
		memset(&u, 0, sizeof(u));
		snprintf(u.username, sizeof(u.username), "aud");
		u.role = ROLE_AUDITOR;
		snprintf(u.pw_hash, sizeof(u.pw_hash), "$argon2id$y");
		u.active = 1;
		snprintf(u.created_at, sizeof(u.created_at), "2026-03-12T09:26:00.000Z");
		T_OK(store_user_insert(st, &u, &e), &e);
		assert_int_equal(u.id, 2);
		th[0] = 'e';
		T_OK(store_token_insert(st, u.id, th, "old", "2026-03-12T09:26:00.000Z", &e), &e);
		assert_int_equal(store_token_revoke_all(st, u.id, "2026-03-12T09:27:00.000Z"), 1);
		assert_int_equal(store_token_revoke_all(st, u.id, "2026-03-12T09:28:00.000Z"), 0);
		assert_int_equal(store_token_user(st, th, &u), AT_NOT_FOUND);
	}
	T_OK(store_commit(st, &e), &e);
	/* An import: its assets are kept and go in 32 to a statement (and the
	 * rest one by one), its events likewise (store_asset_defer,
	 * store_event_insert_many). */
	set_now("2026-03-13T08:00:00.000Z");
	{
		struct import_report rep;
		struct buf csv;

		buf_init(&csv, 0);
		buf_printf(&csv, "asset_tag,serial_number,manufacturer,equipment_type,building,room,"
		                 "notes\n");
		for (int i = 1; i <= 40; i++)
			buf_printf(&csv, "K-%03d,KS-%03d,Kappa,Scanner,HQ,Dock %d,%s\n", i, i, i % 3,
			           i % 5 ? "" : "Fragile");
		memset(&rep, 0, sizeof(rep));
		T_OK(import_buffer(st, T_ACTOR, NULL, csv.data, csv.len, &rep, &e), &e);
		import_report_free(&rep);
		buf_free(&csv);
	}
	at_errors_free(&e);
}

/* ---- answers as text ---- */

static void put_asset(struct buf *b, const struct asset *a)
{
	buf_printf(b, "A %lld|%s|%s|%s|%s|%s|%s|%s|%s|%s|%d|%d|%lld|%s|%s|%s|%lld|%s|%d|%lld|%s|%d|"
	              "%s|%s|%s|%s\n",
	           (long long)a->id, a->tag, a->serial, a->manufacturer, a->equipment_type,
	           a->model, a->model_code, a->building, a->room, a->notes, (int)a->state,
	           (int)a->condition, (long long)a->holder_id, a->holder_name, a->due,
	           a->custody_since, (long long)a->case_id, a->case_name, a->position,
	           (long long)a->last_case_id, a->last_case_name, a->last_position, a->created_at,
	           a->updated_at, a->retired_at, a->attributes);
}

static int asset_put(void *ctx, const struct asset *a)
{
	put_asset(ctx, a);
	return 0;
}

static const char *nz(const char *s)
{
	return s ? s : "(null)";
}

static int event_put(void *ctx, const struct event *ev)
{
	buf_printf(ctx, "E %lld|%s|%s|%s|%s|%d|%s|%d|%lld|%s|%s|%s|%s|%s|%s|%s\n",
	           (long long)ev->seq, ev->at, ev->type, nz(ev->asset_tag), nz(ev->from_case),
	           ev->from_position, nz(ev->to_case), ev->to_position, (long long)ev->holder_id,
	           nz(ev->holder_name), ev->actor, nz(ev->reason), ev->batch_id, ev->details,
	           ev->prev_hash, ev->hash);
	return 0;
}

static int case_put(void *ctx, const struct case_info *c)
{
	buf_printf(ctx, "C %lld|%s|%d|%s|%s|%s|%d|%s|%s\n", (long long)c->id, c->name,
	           c->slot_count, c->building, c->room, c->notes, c->occupied, c->created_at,
	           c->updated_at);
	return 0;
}

static int holder_put(void *ctx, const struct holder *h)
{
	buf_printf(ctx, "H %lld|%s|%s|%s|%d|%s|%s\n", (long long)h->id, h->name, h->badge,
	           h->email, h->active, h->created_at, h->updated_at);
	return 0;
}

static int as_of_put(void *ctx, const char *tag, int64_t holder_id, const char *since,
                     const char *due)
{
	buf_printf(ctx, "O %s|%lld|%s|%s\n", tag, (long long)holder_id, nz(since), nz(due));
	return 0;
}

static int audit_put(void *ctx, const char *name, int slots, int64_t seq, const char *at,
                     const char *actor, const char *counts)
{
	buf_printf(ctx, "U %s|%d|%lld|%s|%s|%s\n", name, slots, (long long)seq, at, actor,
	           nz(counts));
	return 0;
}

static int unslotted_put(void *ctx, const struct asset *a, int64_t seq, const char *at,
                         const char *type, const char *reason)
{
	put_asset(ctx, a);
	buf_printf(ctx, "  %lld|%s|%s|%s\n", (long long)seq, at, type, nz(reason));
	return 0;
}

static int holding_put(void *ctx, const struct store_holding *h)
{
	buf_printf(ctx, "P %lld|%s|%s|%s|%s|%s|%s|%d|%lld|%s|%s|%s|%d|%s|%s\n", (long long)h->seq,
	           h->at, h->type, h->asset_tag, h->since, h->due, nz(h->from_case),
	           h->from_position, (long long)h->end_seq, h->end_at, h->end_type,
	           nz(h->to_case), h->to_position, h->equipment_type, h->model);
	return 0;
}

static int reason_put(void *ctx, const char *reason, int64_t n)
{
	buf_printf(ctx, "R %s|%lld\n", nz(reason), (long long)n);
	return 0;
}

static int retired_put(void *ctx, const struct asset *a, int64_t seq, const char *at,
                       const char *actor, const char *reason)
{
	put_asset(ctx, a);
	buf_printf(ctx, "  %lld|%s|%s|%s\n", (long long)seq, at, actor, nz(reason));
	return 0;
}

static int attr_put(void *ctx, const char *name)
{
	buf_printf(ctx, "N %s\n", name);
	return 0;
}

static void user_put(struct buf *b, const struct user *u)
{
	buf_printf(b, "W %lld|%s|%d|%s|%d|%s\n", (long long)u->id, u->username, (int)u->role,
	           u->pw_hash, u->active, u->created_at);
}

static int user_list_put(void *ctx, const struct user *u)
{
	user_put(ctx, u);
	return 0;
}

static int security_put(void *ctx, const struct security_entry *x)
{
	buf_printf(ctx, "L %s|%s|%s|%s|%s\n", x->at, x->actor, x->action, nz(x->subject),
	           nz(x->details));
	return 0;
}

static int problem_put(void *ctx, const char *code, const char *msg)
{
	buf_printf(ctx, "X %s|%s\n", code, msg);
	return 0;
}

static void state_put(void *ctx, const char *bytes, size_t len)
{
	buf_add(ctx, bytes, len);
	buf_add(ctx, "\n", 1);
}

/* Pages of `limit` through the asset list: each page after the last
 * tag of the one before. */
struct pager {
	struct buf *b;
	char last[AT_TAG_MAX + 1];
	int n;
};

static int page_put(void *ctx, const struct asset *a)
{
	struct pager *pg = ctx;

	put_asset(pg->b, a);
	snprintf(pg->last, sizeof(pg->last), "%s", a->tag);
	pg->n++;
	return 0;
}

static void asset_pages(struct store *st, struct buf *b, struct asset_filter f)
{
	struct pager pg = { b, "", 0 };

	f.limit = 2;
	for (int page = 0; page < 100; page++) {
		pg.n = 0;
		f.after_tag = page ? pg.last : NULL;
		assert_int_equal(store_asset_list(st, &f, page_put, &pg), AT_OK);
		buf_printf(b, "-- page %d: %d\n", page, pg.n);
		if (pg.n < 2)
			return;
	}
	fail_msg("asset pages do not end");
}

/* Everything the store answers about the scenario, as text. */
static void answers(struct store *st, const int64_t ids[3], struct buf *b)
{
	static const char *const queries[] = { "at-0", "AT-00", "blue-green", "BLUE", "éclair",
		                               "ÉCLAIR", "XR", "dry", "\"team\"", "50%", "%",
		                               "_", "sn-", "Ops", "zz", "nothing" };
	struct asset_filter f;
	struct event_filter ef;
	struct custody_key key;
	char last_tag[AT_TAG_MAX + 1], hash[AT_HASH_HEX + 1];
	int scanned;
	int64_t n1, n2, n3, seq;
	struct asset a;
	struct holder h;
	struct case_info c;

	/* The state digest's rows: every column of the custody record. */
	buf_add(b, "state\n", 6);
	assert_int_equal(store_state_rows(st, state_put, b), AT_OK);
	/* The whole log, then filtered and paged. */
	memset(&ef, 0, sizeof(ef));
	ef.whole_log = 1;
	assert_int_equal(store_event_list(st, &ef, event_put, b), AT_OK);
	for (int desc = 0; desc < 2; desc++) {
		memset(&ef, 0, sizeof(ef));
		ef.descending = desc;
		ef.limit = 3;
		ef.after_seq = desc ? 9 : 2;
		assert_int_equal(store_event_list(st, &ef, event_put, b), AT_OK);
		ef.asset_tag = "AT-0001";
		ef.after_seq = 0;
		assert_int_equal(store_event_list(st, &ef, event_put, b), AT_OK);
		ef.asset_tag = NULL;
		ef.holder_id = ids[0];
		assert_int_equal(store_event_list(st, &ef, event_put, b), AT_OK);
		ef.holder_id = 0;
		ef.type = "STOCK_OUT";
		ef.since = "2026-03-02T00:00:00.000Z";
		ef.until = "2026-03-02T23:00:00.000Z";
		assert_int_equal(store_event_list(st, &ef, event_put, b), AT_OK);
	}
	{
		struct t_event last = t_last_event(st);

		memset(&ef, 0, sizeof(ef));
		ef.batch_id = last.batch_id;
		assert_int_equal(store_event_list(st, &ef, event_put, b), AT_OK);
		ef.asset_tag = "AT-0006";
		ef.descending = 1;
		assert_int_equal(store_event_list(st, &ef, event_put, b), AT_OK);
		free(last.details);
	}
	assert_int_equal(store_event_last(st, &seq, hash), AT_OK);
	buf_printf(b, "last %lld %s count %lld\n", (long long)seq, hash,
	           (long long)store_event_count(st));
	assert_int_equal(store_event_hash_at(st, 3, hash), AT_OK);
	buf_printf(b, "hash3 %s\n", hash);
	assert_int_equal(store_event_hash_at(st, 999, hash), AT_NOT_FOUND);

	/* Lookups. */
	assert_int_equal(store_asset_by_tag(st, "at-0002", &a), AT_OK);
	put_asset(b, &a);
	assert_int_equal(store_asset_by_key(st, "AT0003", &a), AT_OK);
	put_asset(b, &a);
	assert_int_equal(store_asset_by_serial(st, "  Sn-At-0005 ", &a), AT_OK);
	put_asset(b, &a);
	assert_int_equal(store_asset_by_serial(st, "nope", &a), AT_NOT_FOUND);
	assert_int_equal(store_asset_in_slot(st, store_case_id(st, "PELI-01"), 4, &a), AT_OK);
	put_asset(b, &a);
	assert_int_equal(store_holder_by_email(st, "dana@EXAMPLE.org", &h), AT_OK);
	holder_put(b, &h);
	assert_int_equal(store_holder_by_email(st, "ÉMILE@example.org", &h), AT_NOT_FOUND);
	assert_int_equal(store_holder_by_badge(st, "B-200", &h), AT_OK);
	holder_put(b, &h);
	assert_int_equal(store_holder_by_name(st, "Émile Zola", &h), AT_OK);
	holder_put(b, &h);
	assert_int_equal(store_case_by_name(st, "peli-02", &c), AT_OK);
	case_put(b, &c);

	/* Asset lists: every filter, searches, pages. */
	memset(&f, 0, sizeof(f));
	asset_pages(st, b, f);
	for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		memset(&f, 0, sizeof(f));
		f.q = queries[i];
		buf_printf(b, "q %s\n", queries[i]);
		assert_int_equal(store_asset_list(st, &f, asset_put, b), AT_OK);
	}
	memset(&f, 0, sizeof(f));
	f.q = "at-";
	asset_pages(st, b, f);
	f.q = NULL;
	f.has_state = 1;
	f.state = ASSET_STORAGE;
	asset_pages(st, b, f);
	memset(&f, 0, sizeof(f));
	f.holder_id = ids[0];
	assert_int_equal(store_asset_list(st, &f, asset_put, b), AT_OK);
	f.holder_id = 0;
	f.case_id = store_case_id(st, "PELI-01");
	assert_int_equal(store_asset_list(st, &f, asset_put, b), AT_OK);
	f.q = "0";
	assert_int_equal(store_asset_list(st, &f, asset_put, b), AT_OK);
	memset(&f, 0, sizeof(f));
	f.unslotted = 1;
	assert_int_equal(store_asset_list(st, &f, asset_put, b), AT_OK);
	memset(&f, 0, sizeof(f));
	f.overdue_before = 1;
	f.today = "2026-04-01";
	assert_int_equal(store_asset_list(st, &f, asset_put, b), AT_OK);
	assert_int_equal(store_asset_attr_names(st, attr_put, b), AT_OK);
	assert_int_equal(store_asset_out_longest(st, 0, asset_put, b), AT_OK);
	buf_printf(b, "counts %lld %lld %lld %lld %lld\n",
	           (long long)store_asset_count_overdue(st, "2026-04-01"),
	           (long long)store_asset_count(st, 0, ASSET_STORAGE),
	           (long long)store_asset_count(st, 1, ASSET_STORAGE),
	           (long long)store_asset_count(st, 1, ASSET_IN_CUSTODY),
	           (long long)store_asset_count(st, 1, ASSET_RETIRED));

	/* Cases and holders, paged and searched. */
	assert_int_equal(store_case_list(st, NULL, 0, case_put, b), AT_OK);
	assert_int_equal(store_case_list(st, "PELI-01", 1, case_put, b), AT_OK);
	assert_int_equal(store_holder_list(st, 0, 0, holder_put, b), AT_OK);
	assert_int_equal(store_holder_list(st, ids[0], 1, holder_put, b), AT_OK);
	assert_int_equal(store_holder_search(st, "ANA", 0, holder_put, b), AT_OK);
	assert_int_equal(store_holder_search(st, "b-100", 0, holder_put, b), AT_OK);
	assert_int_equal(store_holder_search(st, "é", 0, holder_put, b), AT_OK);

	/* Custody at instants, a chunk at a time. */
	{
		static const char *const at[] = { "2026-03-01T12:00:00.000Z",
			                          "2026-03-02T08:00:00.000Z",
			                          "2026-03-10T23:00:00.000Z",
			                          "2026-12-31T00:00:00.000Z" };

		for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
			const char *after = "";
			char next[AT_TAG_MAX + 1];

			buf_printf(b, "as of %s\n", at[i]);
			for (;;) {
				assert_int_equal(store_custody_as_of(st, at[i], after, 2, as_of_put, b,
				                                     last_tag, &scanned),
				                 AT_OK);
				buf_printf(b, "  chunk %d %s\n", scanned, last_tag);
				if (scanned < 2)
					break;
				snprintf(next, sizeof(next), "%s", last_tag);
				after = next;
				if (strcmp(after, "ZZZ") > 0)
					break;
			}
		}
	}

	/* Reports. */
	for (int overdue = 0; overdue < 2; overdue++) {
		assert_int_equal(store_custody_by_holder(st, NULL, overdue, "2026-04-01", 0, asset_put,
		                                         b),
		                 AT_OK);
	}
	memset(&key, 0, sizeof(key));
	snprintf(key.holder_name, sizeof(key.holder_name), "Dana Ruiz");
	key.holder_id = ids[0];
	assert_int_equal(store_custody_by_holder(st, &key, 0, "2026-03-01", 1, asset_put, b), AT_OK);
	assert_int_equal(store_unslotted(st, NULL, 0, unslotted_put, b), AT_OK);
	assert_int_equal(store_unslotted(st, "AT-0003", 1, unslotted_put, b), AT_OK);
	assert_int_equal(store_slot_totals(st, &n1, &n2, &n3), AT_OK);
	buf_printf(b, "unslotted %lld slots %lld %lld %lld\n", (long long)store_unslotted_count(st),
	           (long long)n1, (long long)n2, (long long)n3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(store_holdings(st, ids[i], 0, 0, holding_put, b), AT_OK);
		assert_int_equal(store_holding_counts(st, ids[i], &n1, &n2, &n3), AT_OK);
		buf_printf(b, "holdings %lld %lld %lld\n", (long long)n1, (long long)n2, (long long)n3);
	}
	assert_int_equal(store_retired_reasons(st, 0, reason_put, b), AT_OK);
	assert_int_equal(store_retired_totals(st, &n1, &n2), AT_OK);
	buf_printf(b, "retired %lld %lld\n", (long long)n1, (long long)n2);
	assert_int_equal(store_retired(st, NULL, 0, 0, retired_put, b), AT_OK);
	assert_int_equal(store_retired(st, "lost in transit", 0, 1, retired_put, b), AT_OK);
	assert_int_equal(store_audit_cases(st, NULL, NULL, 0, audit_put, b), AT_OK);
	assert_int_equal(store_audit_cases(st, "PELI-01", "2026-03-13", 1, audit_put, b), AT_OK);
	assert_int_equal(store_audit_last(st, "peli-02", audit_put, b), AT_OK);

	/* Accounts. */
	{
		struct user u;
		struct session se;
		char th[AT_HASH_HEX + 1], sh[AT_HASH_HEX + 1];
		int64_t fails, next_ok;

		memset(th, 'a', AT_HASH_HEX);
		th[AT_HASH_HEX] = '\0';
		th[0] = 'c';
		memset(sh, 'b', AT_HASH_HEX);
		sh[AT_HASH_HEX] = '\0';
		assert_int_equal(store_user_by_name(st, "ops", &u), AT_OK);
		user_put(b, &u);
		assert_int_equal(store_user_by_id(st, u.id, &u), AT_OK);
		user_put(b, &u);
		assert_int_equal(store_token_user(st, th, &u), AT_OK);
		user_put(b, &u);
		th[0] = 'd';
		assert_int_equal(store_token_user(st, th, &u), AT_NOT_FOUND);
		assert_int_equal(store_user_list(st, user_list_put, b), AT_OK);
		assert_int_equal(store_session_get(st, sh, &se), AT_OK);
		buf_printf(b, "S %lld|%lld|%s|%s|%s|%d\n", (long long)se.id, (long long)se.user_id,
		           se.csrf, se.created_at, se.last_seen, se.ended);
		assert_int_equal(store_throttle_get(st, "user:ops@127.0.0.1", &fails, &next_ok), AT_OK);
		assert_int_equal(store_throttle_get(st, "none", &fails, &next_ok), AT_OK);
		buf_printf(b, "T %lld %lld users %lld\n", (long long)fails, (long long)next_ok,
		           (long long)store_user_count(st));
		assert_int_equal(store_security_list(st, 0, security_put, b), AT_OK);
		assert_int_equal(store_security_list(st, 1, security_put, b), AT_OK);
	}

	/* The checks: none fails on either. */
	assert_int_equal(store_check_invariants(st, problem_put, b), AT_OK);
}

/* Print where two answers part, for the failure message. */
static void first_difference(const char *x, const char *y)
{
	size_t i = 0, line = 1, bol = 0;

	for (; x[i] && x[i] == y[i]; i++)
		if (x[i] == '\n') {
			line++;
			bol = i + 1;
		}
	fprintf(stderr, "answers differ at line %zu:\n sqlite:     %.*s\n postgresql: %.*s\n",
	        line, (int)strcspn(x + bol, "\n"), x + bol, (int)strcspn(y + bol, "\n"), y + bol);
}

static void test_same_answers(void **state)
{
	struct pair *p = *state;
	struct at_errors e = AT_ERRORS_INIT;
	int64_t lite_ids[3], pg_ids[3];
	struct buf x, y;
	struct verify_report r;

	scenario(p->lite, lite_ids);
	scenario(p->pg, pg_ids);
	assert_memory_equal(lite_ids, pg_ids, sizeof(lite_ids));
	/* The bulk paths ran on both: the import's 32 kept assets, each one
	 * statement; the events 32 to a statement on SQLite, and on
	 * PostgreSQL a bulk writer's events in one statement, a batch's
	 * assets read and written in one statement each. */
	for (int i = 0; i < 2; i++) {
		struct store *st = i ? p->pg : p->lite;

		assert_non_null(st->stmts[STMT_ASSET_INSERT_BULK]);
		assert_non_null(st->stmts[STMT_ASSET_INSERT_KEPT]);
		assert_non_null(st->stmts[STMT_ASSET_PROBE]);
	}
	assert_non_null(p->lite->stmts[STMT_EVENT_INSERT_BULK]);
	assert_non_null(p->pg->stmts[STMT_EVENTS_INSERT_MANY]);
	assert_non_null(p->pg->stmts[STMT_ASSETS_BY_KEYS]);
	assert_non_null(p->pg->stmts[STMT_ASSETS_SAVE_CUSTODY]);
	buf_init(&x, 0);
	buf_init(&y, 0);
	answers(p->lite, lite_ids, &x);
	answers(p->pg, pg_ids, &y);
	assert_false(x.overflow || y.overflow);
	/* A sanity floor: the scenario made what it says. */
	assert_non_null(strstr(x.data, "|AUDIT_RECORDED|"));
	assert_non_null(strstr(x.data, "|ASSET_REPLACED|"));
	assert_non_null(strstr(x.data, "q blue-green\nA "));
	fprintf(stderr, "test_store_pg: %zu bytes of answers, the same on both engines\n", x.len);
	if (strcmp(x.data, y.data) != 0) {
		first_difference(x.data, y.data);
		fail_msg("SQLite and PostgreSQL answer differently");
	}
	/* verify replays each log (into a SQLite scratch) and compares it
	 * with the tables: the same report on both, which finds the two rows
	 * the scenario wrote past core (no event made them). */
	buf_reset(&x);
	buf_reset(&y);
	for (int i = 0; i < 2; i++) {
		struct store *st = i ? p->pg : p->lite;
		struct buf *b = i ? &y : &x;

		memset(&r, 0, sizeof(r));
		T_OK(verify_run(st, &r, NULL, NULL, &e), &e);
		assert_int_equal(r.events, store_event_count(st));
		buf_printf(b, "ok %d events %lld assets %lld\n", r.ok, (long long)r.events,
		           (long long)r.assets);
		for (size_t k = 0; k < r.nproblems; k++)
			buf_printf(b, "%s: %s\n", r.problems[k].code, r.problems[k].message);
		verify_report_free(&r);
	}
	assert_string_equal(x.data, y.data);
	assert_non_null(strstr(x.data, "UNLOGGED_ASSET: AT-0099 exists but no event created it"));
	buf_free(&x);
	buf_free(&y);
	at_errors_free(&e);
}

/* ==== the PostgreSQL checks find what they look for ======================= */

struct found {
	char text[4096];
	int n;
};

static int found_put(void *ctx, const char *code, const char *msg)
{
	struct found *f = ctx;
	size_t o = strlen(f->text);

	snprintf(f->text + o, sizeof(f->text) - o, "%s: %s\n", code, msg);
	f->n++;
	return 0;
}

static void expect_found(struct store *st, const char *want)
{
	struct found f = { "", 0 };

	assert_int_equal(store_check_invariants(st, found_put, &f), AT_OK);
	if (!strstr(f.text, want))
		fail_msg("expected \"%s\" among:\n%s", want, f.text);
}

/* Behind the program's back (the superuser, who may): a disabled and a
 * dropped trigger, and rows past dropped constraints.  Each check's
 * PostgreSQL text finds its row, in SQLite's words. */
/* ==== a batch's reads made ahead ======================================= */

static void same_asset(const struct asset *x, const struct asset *y)
{
	assert_int_equal(x->id, y->id);
	assert_string_equal(x->tag, y->tag);
	assert_int_equal(x->state, y->state);
	assert_int_equal(x->holder_id, y->holder_id);
	assert_string_equal(x->holder_name, y->holder_name);
	assert_int_equal(x->case_id, y->case_id);
	assert_string_equal(x->case_name, y->case_name);
	assert_int_equal(x->position, y->position);
	assert_int_equal(x->last_case_id, y->last_case_id);
	assert_string_equal(x->last_case_name, y->last_case_name);
	assert_int_equal(x->last_position, y->last_position);
	assert_string_equal(x->custody_since, y->custody_since);
	assert_string_equal(x->due, y->due);
	assert_string_equal(x->attributes, y->attributes);
	assert_string_equal(x->updated_at, y->updated_at);
}

/*
 * store_asset_prefetch and store_slot_prefetch (PostgreSQL's one
 * statement for a batch's reads) answer exactly what the row-at-a-time
 * reads answer: found, not found, a key asked twice, a key with the array
 * text's special characters, occupied and empty slots, a slot not asked;
 * and a write drops them.  On SQLite they keep nothing.
 */
static void reads_ahead(struct store *st)
{
	static const char *const inputs[] = { "AT-0001", "at-0002", "AT-0006", "NO-SUCH",
		                              "AT-0001" };
	enum { NK = 6, NS = 6 };
	char kb[NK][64];
	const char *keys[NK];
	struct asset direct[NK], got, one;
	enum at_code dc[NK], sc[NS];
	struct asset sdirect[NS];
	int64_t cases[NS];
	int pos[NS];
	struct at_errors e = AT_ERRORS_INIT;

	for (int i = 0; i < NK - 1; i++) {
		assert_true(text_match_key(inputs[i], kb[i], sizeof(kb[i])) >= 0);
		keys[i] = kb[i];
	}
	keys[NK - 1] = "Q\"{,}\\ NULL"; /* quoted and escaped in the array text */
	T_OK(store_begin(st, &e), &e);
	for (int i = 0; i < NK; i++)
		dc[i] = store_asset_by_key(st, keys[i], &direct[i]);
	assert_int_equal(dc[0], AT_OK);
	assert_int_equal(dc[3], AT_NOT_FOUND);
	assert_int_equal(dc[NK - 1], AT_NOT_FOUND);
	/* Slots 1-4 of AT-0001's case and one past them, and one of another
	 * case; asked ahead: all but the last. */
	for (int i = 0; i < NS; i++) {
		cases[i] = i < NS - 1 ? direct[0].case_id : direct[2].case_id;
		pos[i] = i < NS - 1 ? i + 1 : direct[2].position;
		sc[i] = store_asset_in_slot(st, cases[i], pos[i], &sdirect[i]);
	}
	assert_int_equal(sc[0], AT_OK);
	assert_int_equal(sc[4], AT_NOT_FOUND);
	assert_int_equal(sc[NS - 1], AT_OK);

	assert_int_equal(store_asset_prefetch(st, keys, NK), AT_OK);
	assert_int_equal(store_slot_prefetch(st, cases, pos, NS - 1), AT_OK);
	assert_int_equal(st->pf != NULL, store_reads_ahead(st));
	if (st->pf) {
		assert_int_equal(st->pf->nkeys, NK - 1); /* AT-0001 once */
		assert_int_equal(st->pf->nslots, NS - 1);
	}
	for (int i = 0; i < NK; i++) {
		assert_int_equal(store_asset_by_key(st, keys[i], &got), dc[i]);
		if (dc[i] == AT_OK)
			same_asset(&got, &direct[i]);
	}
	for (int i = 0; i < NS; i++) {
		assert_int_equal(store_asset_in_slot(st, cases[i], pos[i], &got), sc[i]);
		if (sc[i] == AT_OK)
			same_asset(&got, &sdirect[i]);
	}
	/* A write: what was read ahead goes, and the next read is the
	 * database's, with the write in it. */
	one = direct[0];
	snprintf(one.updated_at, sizeof(one.updated_at), "2026-03-12T10:00:00.000Z");
	T_OK(store_asset_save_custody(st, &one, &e), &e);
	assert_null(st->pf);
	assert_int_equal(store_asset_by_key(st, keys[0], &got), AT_OK);
	assert_string_equal(got.updated_at, "2026-03-12T10:00:00.000Z");
	store_rollback(st);
	assert_null(st->pf);
}

static void test_reads_ahead(void **state)
{
	struct pair *p = *state;
	int64_t ids[3];

	scenario(p->lite, ids);
	scenario(p->pg, ids);
	assert_false(store_reads_ahead(p->lite));
	assert_true(store_reads_ahead(p->pg));
	reads_ahead(p->lite);
	reads_ahead(p->pg);
}

static void test_pg_checks_find_violations(void **state)
{
	struct pair *p = *state;
	struct found f = { "", 0 };
	int64_t ids[3];

	scenario(p->pg, ids);
	assert_int_equal(store_check_invariants(p->pg, found_put, &f), AT_OK);
	assert_int_equal(f.n, 0);
	db_exec_su(p->db, "ALTER TABLE events DISABLE TRIGGER events_no_update");
	expect_found(p->pg, "EVENT_TRIGGER_MISSING: trigger events_no_update on events is disabled");
	db_exec_su(p->db, "DROP TRIGGER slots_no_delete ON slots");
	expect_found(p->pg, "TRIGGER_MISSING: trigger slots_no_delete on slots is missing");
	db_exec_su(p->db, "ALTER TABLE assets DISABLE TRIGGER ALL");
	db_exec_su(p->db, "ALTER TABLE assets DROP CONSTRAINT assets_state_check");
	db_exec_su(p->db, "ALTER TABLE assets DROP CONSTRAINT assets_tag_check");
	db_exec_su(p->db, "ALTER TABLE assets DROP CONSTRAINT assets_attributes_check");
	db_exec_su(p->db, "DROP INDEX assets_serial_key");
	db_exec_su(p->db, "DROP INDEX assets_match_key");
	db_exec_su(p->db, "UPDATE assets SET state = 'LOST', holder_id = NULL, due = NULL, "
	                  "custody_since = NULL WHERE tag = 'AT-0099'");
	expect_found(p->pg, "BAD_STATE: AT-0099 has unknown state 'LOST'");
	expect_found(p->pg, "TRIGGER_MISSING: trigger assets_tag_fixed on assets is disabled");
	db_exec_su(p->db, "UPDATE assets SET tag = '-bad' WHERE tag = 'ZZ-9'");
	expect_found(p->pg, "INVALID_TAG: asset tag '-bad' is not a valid tag");
	db_exec_su(p->db, "UPDATE assets SET serial = ' SN-AT-0006' WHERE tag = 'AT-0099'");
	expect_found(p->pg, "DUPLICATE_SERIAL: assets AT-0006, AT-0099 share the serial number "
	                    "sn-at-0006");
	db_exec_su(p->db, "UPDATE assets SET tag = 'AT0006' WHERE tag = 'AT-0099'");
	expect_found(p->pg, "DUPLICATE_MATCH_KEY: assets AT-0006, AT0006 share the match key AT0006");
	/* Two assets with one key: read ahead, the key is asked again, and
	 * the answer is the database's (an ambiguity, never a pick). */
	{
		const char *key[] = { "AT0006", "AT0001" };
		struct at_errors e = AT_ERRORS_INIT;
		struct asset a;

		T_OK(store_begin(p->pg, &e), &e);
		assert_int_equal(store_asset_prefetch(p->pg, key, 2), AT_OK);
		assert_true(p->pg->pf->keys[1].ambiguous);
		assert_int_equal(store_asset_by_key(p->pg, "AT0006", &a), AT_AMBIGUOUS);
		assert_int_equal(store_asset_by_key(p->pg, "AT0001", &a), AT_OK);
		store_rollback(p->pg);
	}
	db_exec_su(p->db, "UPDATE assets SET attributes = '[1]' WHERE tag = 'at-0002'");
	expect_found(p->pg, "BAD_ATTRIBUTES: at-0002 has attributes");
	db_exec_su(p->db, "UPDATE assets SET attributes = '{\"a\": 1}' WHERE tag = 'AT-0001'");
	expect_found(p->pg, "BAD_ATTRIBUTES: AT-0001 has attributes");
	db_exec_su(p->db, "ALTER TABLE slots DISABLE TRIGGER ALL; DELETE FROM slots "
	                  "WHERE position = 4 AND case_id = 1");
	expect_found(p->pg, "SLOT_MISSING: -bad is in slot PELI-01/4, which does not exist");
	expect_found(p->pg, "CASE_SLOTS: case PELI-01 has 3 slots, expected 4");
}

/* ==== main =============================================================== */

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_statement_prepares, pair_setup,
		                                pair_teardown),
		cmocka_unit_test_setup_teardown(test_trigger_list_is_the_schema, pair_setup,
		                                pair_teardown),
		cmocka_unit_test_setup_teardown(test_open_refuses_other_versions, pair_setup,
		                                pair_teardown),
		cmocka_unit_test_setup_teardown(test_open_readonly, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_same_answers, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_reads_ahead, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_pg_checks_find_violations, pair_setup,
		                                pair_teardown),
	};

	/* Before anything initialises libsodium. */
	if (randombytes_set_implementation(&rng_impl) != 0 || sodium_init() < 0)
		return 1;
	g_uri = getenv("AT_PG_URI");
	if (!g_uri || !*g_uri) {
		fprintf(stderr, "test_store_pg: SKIPPED: AT_PG_URI is unset.  ctest sets it "
		                "(fixture pg_cluster); by hand: tests/support/pgcluster.sh run "
		                "/tmp/atpg build/tests/test_store_pg\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, pg_group_setup, pg_group_teardown);
}
