/*
 * test_cli.c — the real `assettrack` binary (SPEC §6): init, asset
 * add/show, exit codes, refusal messages, export, backup, verify.
 */
#include "testlib.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cli_fx {
	char db[T_PATH_MAX];
	char other[T_PATH_MAX]; /* backups and the like */
};

static int setup(void **state)
{
	struct cli_fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	t_db_path(f->db, sizeof(f->db), "cli");
	t_db_path_file(f->other, sizeof(f->other), "cli-backup"); /* a file on either backend */
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct cli_fx *f = *state;

	t_db_remove(f->db);
	t_db_remove(f->other);
	free(f);
	return 0;
}

#define FX(state) ((struct cli_fx *)*(state))

static void show(const char *what, const struct t_run *r)
{
	print_error("%s: exit %d\n--- stdout ---\n%s--- stderr ---\n%s--------------\n", what,
	            r->status, r->out, r->err);
}

/* Run and require an exit status; print everything on mismatch. */
#define CLI_EXPECT(r, want, db, ...)                                       \
	do {                                                               \
		t_cli((r), (db), __VA_ARGS__, NULL);                       \
		if ((r)->status != (want)) {                               \
			show(#__VA_ARGS__, (r));                           \
			fail_msg("expected exit %d, got %d", (want), (r)->status); \
		}                                                          \
	} while (0)

/* A database with CASE-A (10 slots), holders Dana (B-1) and Eve (B-2),
 * AT-0001..AT-0003 in slots 1..3. */
static void populate(const char *db)
{
	struct t_run r;

	CLI_EXPECT(&r, 0, db, "init");
	t_run_free(&r);
	CLI_EXPECT(&r, 0, db, "case", "add", "CASE-A", "--slots", "10", "--building", "HQ",
	           "--room", "R1");
	t_run_free(&r);
	CLI_EXPECT(&r, 0, db, "holder", "add", "Dana Ruiz", "--badge", "B-1");
	t_run_free(&r);
	CLI_EXPECT(&r, 0, db, "holder", "add", "Eve Long", "--badge", "B-2");
	t_run_free(&r);
	for (int i = 1; i <= 3; i++) {
		char tag[16], serial[16], slot[8];
		snprintf(tag, sizeof(tag), "AT-%04d", i);
		snprintf(serial, sizeof(serial), "SN-%d", i);
		snprintf(slot, sizeof(slot), "%d", i);
		CLI_EXPECT(&r, 0, db, "asset", "add", "--tag", tag, "--serial", serial,
		           "--manufacturer", "Acme", "--type", "Radio", "--building", "HQ", "--room",
		           "R1", "--case", "CASE-A", "--slot", slot);
		t_run_free(&r);
	}
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (*s == '\n')
			n++;
	return n;
}

/* ---- init ------------------------------------------------------------- */

static void test_cli_init_creates_sqlite_file(void **state)
{
	struct cli_fx *f = FX(state);
	struct t_run r;

	T_SQLITE_ONLY("it checks the SQLite file init makes");
	CLI_EXPECT(&r, 0, f->db, "init");
	t_run_free(&r);
	assert_int_equal(access(f->db, F_OK), 0);
	/* a plain SQLite file with the schema */
	assert_int_equal(t_sql_int(f->db, "SELECT count(*) FROM assets"), 0);
	assert_int_equal(t_sql_int(f->db, "SELECT count(*) FROM events"), 0);
	assert_int_equal(t_sql_int(f->db, "PRAGMA user_version"), AT_SCHEMA_VERSION);
	/* init again: nothing to do, still fine */
	CLI_EXPECT(&r, 0, f->db, "init");
	t_run_free(&r);
	/* and the engine opens it */
	{
		struct store *st = NULL;
		struct at_errors e = AT_ERRORS_INIT;
		T_OK(store_open(f->db, 0, &st, &e), &e);
		store_close(st);
		at_errors_free(&e);
	}
}

static void test_cli_populated_db_readable_with_sqlite(void **state)
{
	struct cli_fx *f = FX(state);
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int rows = 0;

	T_SQLITE_ONLY("it reads the file with sqlite3");
	populate(f->db);
	assert_int_equal(sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT tag, state FROM assets ORDER BY tag", -1,
	                                    &s, NULL),
	                 SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		char want[16];
		snprintf(want, sizeof(want), "AT-%04d", ++rows);
		assert_string_equal((const char *)sqlite3_column_text(s, 0), want);
		assert_string_equal((const char *)sqlite3_column_text(s, 1), "STORAGE");
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	assert_int_equal(rows, 3);
	/* CLI changes are recorded with the actor cli:<os user> */
	assert_int_equal(t_sql_int(f->db, "SELECT count(*) FROM events WHERE actor LIKE 'cli:%'"),
	                 t_sql_int(f->db, "SELECT count(*) FROM events"));
}

/* ---- asset add / show ------------------------------------------------- */

static json_t *parse(const struct t_run *r)
{
	json_error_t err;
	json_t *j = json_loads(r->out, 0, &err);

	if (!j) {
		show("json", r);
		fail_msg("stdout is not JSON: %s (line %d)", err.text, err.line);
	}
	return j;
}

static void test_cli_asset_show_json_canonical(void **state)
{
	struct cli_fx *f = FX(state);
	struct t_run r;
	json_t *j, *slot;

	populate(f->db);
	CLI_EXPECT(&r, 0, f->db, "asset", "add", "--tag", "AT-0009", "--serial", "S9",
	           "--manufacturer", "Acme", "--type", "Radio", "--building", "HQ", "--room", "R1",
	           "--model", "TX-9", "--case", "CASE-A", "--slot", "9");
	t_run_free(&r);

	/* dash-stripped lookup answers with the canonical tag */
	CLI_EXPECT(&r, 0, f->db, "asset", "show", "AT0009", "--json");
	j = parse(&r);
	assert_string_equal(json_string_value(json_object_get(j, "asset_tag")), "AT-0009");
	assert_string_equal(json_string_value(json_object_get(j, "serial_number")), "S9");
	assert_string_equal(json_string_value(json_object_get(j, "manufacturer")), "Acme");
	assert_string_equal(json_string_value(json_object_get(j, "equipment_type")), "Radio");
	assert_string_equal(json_string_value(json_object_get(j, "model")), "TX-9");
	assert_string_equal(json_string_value(json_object_get(j, "state")), "STORAGE");
	assert_string_equal(json_string_value(json_object_get(j, "condition")), "GOOD");
	assert_true(json_is_null(json_object_get(j, "holder")));
	assert_true(json_is_null(json_object_get(j, "due")));
	slot = json_object_get(j, "slot");
	assert_true(json_is_object(slot));
	assert_string_equal(json_string_value(json_object_get(slot, "case")), "CASE-A");
	assert_int_equal(json_integer_value(json_object_get(slot, "position")), 9);
	json_decref(j);
	t_run_free(&r);

	/* --json before the command, lower-case scan with the dash */
	{
		char *argv[] = { (char *)AT_BINARY, (char *)"--json", (char *)"--db", f->db,
			         (char *)"asset", (char *)"show", (char *)"at-0009", NULL };
		t_run_argv(&r, argv, NULL);
		assert_int_equal(r.status, 0);
		j = parse(&r);
		assert_string_equal(json_string_value(json_object_get(j, "asset_tag")), "AT-0009");
		json_decref(j);
		t_run_free(&r);
	}

	/* plain output names the asset too */
	CLI_EXPECT(&r, 0, f->db, "asset", "show", "at0009");
	assert_true(strstr(r.out, "AT-0009") != NULL);
	t_run_free(&r);
}

static void test_cli_asset_show_in_custody_json(void **state)
{
	struct cli_fx *f = FX(state);
	struct t_run r;
	json_t *j, *h;

	populate(f->db);
	CLI_EXPECT(&r, 0, f->db, "stock-out", "--holder", "B-1", "--due", "2099-12-31", "at0002");
	t_run_free(&r);
	CLI_EXPECT(&r, 0, f->db, "asset", "show", "AT-0002", "--json");
	j = parse(&r);
	assert_string_equal(json_string_value(json_object_get(j, "state")), "IN_CUSTODY");
	h = json_object_get(j, "holder");
	assert_true(json_is_object(h));
	assert_string_equal(json_string_value(json_object_get(h, "name")), "Dana Ruiz");
	assert_string_equal(json_string_value(json_object_get(j, "due")), "2099-12-31");
	assert_true(json_is_null(json_object_get(j, "slot")));
	json_decref(j);
	t_run_free(&r);
}

/* ---- exit codes ------------------------------------------------------- */

static void test_cli_exit_2_usage(void **state)
{
	struct cli_fx *f = FX(state);
	struct t_run r;

	populate(f->db);
	CLI_EXPECT(&r, 2, f->db, "frobnicate");
	assert_true(r.err[0] != '\0');
	t_run_free(&r);
	CLI_EXPECT(&r, 2, f->db, "asset", "frobnicate");
	t_run_free(&r);
	CLI_EXPECT(&r, 2, f->db, "asset", "show");
	t_run_free(&r);
	CLI_EXPECT(&r, 2, f->db, "case", "add", "CASE-Z", "--slots");
	t_run_free(&r);
	CLI_EXPECT(&r, 2, f->db, "stock-out", "--frob", "AT-0001");
	t_run_free(&r);
}

static void test_cli_exit_1_refusals(void **state)
{
	struct cli_fx *f = FX(state);
	struct t_run r;
	int64_t n = 0;

	populate(f->db);
	n = t_sql_int(f->db, "SELECT count(*) FROM events");
	CLI_EXPECT(&r, 1, f->db, "asset", "show", "AT-0404");
	assert_true(r.err[0] != '\0');
	assert_true(strstr(r.err, "AT-0404") != NULL);
	t_run_free(&r);
	CLI_EXPECT(&r, 1, f->db, "asset", "add", "--tag", "-bad", "--serial", "SX",
	           "--manufacturer", "Acme", "--type", "Radio", "--building", "HQ", "--room",
	           "R1");
	assert_true(r.err[0] != '\0');
	t_run_free(&r);
	CLI_EXPECT(&r, 1, f->db, "asset", "add", "--tag", "at0001", "--serial", "SX",
	           "--manufacturer", "Acme", "--type", "Radio", "--building", "HQ", "--room",
	           "R1");
	t_run_free(&r);
	CLI_EXPECT(&r, 1, f->db, "case", "add", "CASE-Z", "--slots", "1001");
	t_run_free(&r);
	CLI_EXPECT(&r, 1, f->db, "slot", "move", "AT-0001", "CASE-A", "2");
	assert_true(strstr(r.err, "AT-0002") != NULL || strstr(r.err, "CASE-A/2") != NULL);
	t_run_free(&r);
	/* nothing changed */
	assert_int_equal(t_sql_int(f->db, "SELECT count(*) FROM events"), n);
	assert_int_equal(t_sql_int(f->db, "SELECT count(*) FROM assets"), 3);
}

static void test_cli_stock_out_refusal_names_holder(void **state)
{
	struct cli_fx *f = FX(state);
	struct t_run r;
	int64_t n;

	populate(f->db);
	CLI_EXPECT(&r, 0, f->db, "stock-out", "--holder", "B-1", "--due", "2099-12-31", "AT-0001");
	t_run_free(&r);
	n = t_sql_int(f->db, "SELECT count(*) FROM events");
	CLI_EXPECT(&r, 1, f->db, "stock-out", "--holder", "B-2", "AT-0001");
	if (!strstr(r.err, "Dana Ruiz")) {
		show("stock-out", &r);
		fail_msg("refusal does not name the holder");
	}
	t_run_free(&r);

	/* every failing item gets its own line; the good one is not issued */
	CLI_EXPECT(&r, 1, f->db, "stock-out", "--holder", "B-2", "AT-0001", "AT-0404", "AT-0002");
	assert_true(strstr(r.err, "AT-0001") != NULL);
	assert_true(strstr(r.err, "AT-0404") != NULL);
	assert_true(count_lines(r.err) >= 2);
	t_run_free(&r);
	assert_int_equal(t_sql_int(f->db, "SELECT count(*) FROM events"), n);
	assert_int_equal(t_sql_int(f->db, "SELECT count(*) FROM assets WHERE state = 'IN_CUSTODY'"),
	                 1);
}

static void test_cli_stock_in_forms(void **state)
{
	struct cli_fx *f = FX(state);
	struct t_run r;

	populate(f->db);
	CLI_EXPECT(&r, 0, f->db, "stock-out", "--holder", "1", "AT-0001", "AT-0002", "AT-0003");
	t_run_free(&r);
	assert_int_equal(t_sql_int(f->db, "SELECT count(*) FROM assets WHERE state = 'IN_CUSTODY'"),
	                 3);
	CLI_EXPECT(&r, 0, f->db, "stock-in", "at0001", "AT-0002@CASE-A:7", "AT-0003@CASE-A:8");
	t_run_free(&r);
	assert_int_equal(t_sql_int(f->db, "SELECT position FROM assets WHERE tag = 'AT-0001'"), 1);
	assert_int_equal(t_sql_int(f->db, "SELECT position FROM assets WHERE tag = 'AT-0002'"), 7);
	assert_int_equal(t_sql_int(f->db, "SELECT position FROM assets WHERE tag = 'AT-0003'"), 8);
	/* not in custody any more */
	CLI_EXPECT(&r, 1, f->db, "stock-in", "AT-0001@CASE-A:9");
	t_run_free(&r);
}

/* ---- export, backup, verify ------------------------------------------ */

static void test_cli_export_assets_csv(void **state)
{
	struct cli_fx *f = FX(state);
	struct t_run r;
	char *nl;

	populate(f->db);
	CLI_EXPECT(&r, 0, f->db, "export", "assets");
	nl = strchr(r.out, '\n');
	assert_non_null(nl);
	*nl = '\0';
	/* a header naming the columns, then one row per asset */
	if (!t_contains_ci(r.out, "asset_tag") || !t_contains_ci(r.out, "serial"))
		fail_msg("CSV header lacks columns: %s", r.out);
	*nl = '\n';
	assert_int_equal(count_lines(r.out), 4);
	assert_non_null(strstr(r.out, "AT-0001"));
	assert_non_null(strstr(r.out, "AT-0002"));
	assert_non_null(strstr(r.out, "AT-0003"));
	assert_non_null(strstr(r.out, "SN-2"));
	t_run_free(&r);
}

static void test_cli_backup_verifies(void **state)
{
	struct cli_fx *f = FX(state);
	struct t_run r;

	populate(f->db);
	CLI_EXPECT(&r, 0, f->db, "stock-out", "--holder", "B-2", "AT-0003");
	t_run_free(&r);
	CLI_EXPECT(&r, 0, f->db, "backup", f->other);
	t_run_free(&r);
	assert_int_equal(access(f->other, F_OK), 0);
	assert_int_equal(t_sql_int(f->other, "SELECT count(*) FROM events"),
	                 t_sql_int(f->db, "SELECT count(*) FROM events"));
	CLI_EXPECT(&r, 0, f->other, "verify");
	t_run_free(&r);
	CLI_EXPECT(&r, 0, f->db, "verify");
	t_run_free(&r);
	/* the backup is independent of the original */
	CLI_EXPECT(&r, 0, f->db, "stock-in", "AT-0003");
	t_run_free(&r);
	assert_int_equal(t_sql_int(f->other,
	                           "SELECT count(*) FROM assets WHERE state = 'IN_CUSTODY'"),
	                 1);
}

static void test_cli_verify_json(void **state)
{
	struct cli_fx *f = FX(state);
	struct t_run r;
	json_t *j;

	populate(f->db);
	CLI_EXPECT(&r, 0, f->db, "verify", "--json");
	j = parse(&r);
	assert_true(json_is_true(json_object_get(j, "ok")));
	assert_int_equal(json_integer_value(json_object_get(j, "events")),
	                 t_sql_int(f->db, "SELECT count(*) FROM events"));
	json_decref(j);
	t_run_free(&r);
}

static void test_cli_events_lists_changes(void **state)
{
	struct cli_fx *f = FX(state);
	struct t_run r;

	populate(f->db);
	CLI_EXPECT(&r, 0, f->db, "stock-out", "--holder", "B-1", "AT-0001");
	t_run_free(&r);
	CLI_EXPECT(&r, 0, f->db, "events", "--asset", "AT-0001");
	assert_non_null(strstr(r.out, "ASSET_CREATED"));
	assert_non_null(strstr(r.out, "STOCK_OUT"));
	assert_null(strstr(r.out, "AT-0002"));
	t_run_free(&r);
}

static void test_cli_db_from_environment(void **state)
{
	struct cli_fx *f = FX(state);
	struct t_run r;
	char *init[] = { (char *)AT_BINARY, (char *)"init", NULL };
	char *add[] = { (char *)AT_BINARY, (char *)"case", (char *)"add", (char *)"ENV-CASE",
		        (char *)"--slots", (char *)"3", NULL };

	t_run_argv_env(&r, init, NULL, "ASSETTRACK_DB", f->db);
	assert_int_equal(r.status, 0);
	t_run_free(&r);
	t_run_argv_env(&r, add, NULL, "ASSETTRACK_DB", f->db);
	assert_int_equal(r.status, 0);
	t_run_free(&r);
	assert_int_equal(t_sql_int(f->db, "SELECT slot_count FROM cases WHERE name = 'ENV-CASE'"),
	                 3);
	/* --db wins over the environment */
	{
		char *show[] = { (char *)AT_BINARY, (char *)"--db", f->db, (char *)"case",
			         (char *)"show", (char *)"ENV-CASE", NULL };
		t_run_argv_env(&r, show, NULL, "ASSETTRACK_DB", f->other);
		assert_int_equal(r.status, 0);
		assert_non_null(strstr(r.out, "ENV-CASE"));
		t_run_free(&r);
	}
}

static void test_cli_user_add_reads_password(void **state)
{
	struct cli_fx *f = FX(state);
	struct t_run r;
	char *add[] = { (char *)AT_BINARY, (char *)"--db", f->db, (char *)"user", (char *)"add",
		        (char *)"alice", (char *)"--role", (char *)"admin", NULL };
	char *shortpw[] = { (char *)AT_BINARY, (char *)"--db", f->db, (char *)"user",
		            (char *)"add", (char *)"bob", (char *)"--role", (char *)"operator",
		            NULL };

	populate(f->db);
	t_run_argv(&r, add, "correct horse battery\n");
	if (r.status != 0)
		show("user add", &r);
	assert_int_equal(r.status, 0);
	t_run_free(&r);
	assert_int_equal(t_sql_int(f->db, "SELECT count(*) FROM users WHERE username = 'alice'"
	                                  " AND role = 'admin' AND pw_hash LIKE '$argon2id$%'"),
	                 1);
	/* the password itself is stored nowhere */
	assert_int_equal(t_sql_int(f->db, "SELECT count(*) FROM users WHERE pw_hash LIKE "
	                                  "'%correct horse%'"),
	                 0);
	/* too short a password is refused */
	t_run_argv(&r, shortpw, "short\n");
	assert_int_equal(r.status, 1);
	t_run_free(&r);
	assert_int_equal(t_sql_int(f->db, "SELECT count(*) FROM users WHERE username = 'bob'"), 0);
	/* the same name twice is refused */
	t_run_argv(&r, add, "another password\n");
	assert_int_equal(r.status, 1);
	t_run_free(&r);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_cli_init_creates_sqlite_file),
		T(test_cli_populated_db_readable_with_sqlite),
		T(test_cli_asset_show_json_canonical),
		T(test_cli_asset_show_in_custody_json),
		T(test_cli_exit_2_usage),
		T(test_cli_exit_1_refusals),
		T(test_cli_stock_out_refusal_names_holder),
		T(test_cli_stock_in_forms),
		T(test_cli_export_assets_csv),
		T(test_cli_backup_verifies),
		T(test_cli_verify_json),
		T(test_cli_events_lists_changes),
		T(test_cli_db_from_environment),
		T(test_cli_user_add_reads_password),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
