/*
 * test_backup.c — backups and restores of the whole database
 * (core/backup.h; SPEC §6 `backup FILE`, `restore FILE`): a file that does
 * not verify, is not ours or has another schema version is refused with
 * its exact reason and nothing changes; a good one replaces the database,
 * the replaced one is kept whole, and the result verifies; another
 * connection sees the restored state without reopening; and the CLI's
 * exit codes.
 */
#include "testlib.h"

#include "core/backup.h"
#include "core/read.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The live database with one case and two assets, and a backup of it
 * taken then; afterwards the live one moved on (a third asset). */
struct fx {
	struct t_db db;
	char backup[T_PATH_MAX];
	int64_t events_at_backup, events_now;
};

#define FX(state) ((struct fx *)*(state))

static int setup(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct fx *f;
	int64_t n;

	if (t_setup(state) != 0)
		return -1;
	f = realloc(*state, sizeof(*f));
	if (!f)
		return -1;
	*state = f;
	t_case(f->db.st, "CASE-A", 4);
	t_asset(f->db.st, "AT-0001", "CASE-A", 1);
	t_asset(f->db.st, "AT-0002", NULL, 0);
	t_db_path(f->backup, sizeof(f->backup), "backup");
	T_OK(backup_write(f->db.st, f->backup, T_ACTOR, &n, &e), &e);
	f->events_at_backup = t_events(f->db.st);
	assert_int_equal(n, f->events_at_backup);
	t_asset(f->db.st, "AT-0003", "CASE-A", 3);
	f->events_now = t_events(f->db.st);
	assert_true(f->events_now > f->events_at_backup);
	at_errors_free(&e);
	return 0;
}

/* Remove DB.replaced-* files (and their companions) left by a test. */
static size_t kept_files(const char *db, int remove)
{
	char pat[T_PATH_MAX + 16];
	glob_t g;
	size_t n;

	snprintf(pat, sizeof(pat), "%s.replaced-*", db);
	if (glob(pat, 0, NULL, &g) != 0)
		return 0;
	n = g.gl_pathc;
	for (size_t i = 0; remove && i < n; i++)
		backup_remove_file(g.gl_pathv[i]);
	globfree(&g);
	return n;
}

static int teardown(void **state)
{
	struct fx *f = FX(state);

	kept_files(f->db.path, 1);
	t_db_remove(f->backup);
	return t_teardown(state);
}

/* Nothing beside the live database but what a test made itself. */
static void assert_nothing_left(const char *db)
{
	char pat[T_PATH_MAX + 16];
	glob_t g;

	assert_int_equal(kept_files(db, 0), 0);
	snprintf(pat, sizeof(pat), "%s.restore-*", db);
	assert_int_equal(glob(pat, 0, NULL, &g), GLOB_NOMATCH);
}

/* ---- refusals ------------------------------------------------------- */

/* A backup whose event was edited behind the engine's back: refused
 * with AT_INVALID, the verify problem as an item, and nothing touched. */
static void restore_refuses_tampered_file(void **state)
{
	struct fx *f = FX(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct restore_result res;
	uint64_t before = t_snapshot(f->db.st);

	assert_int_equal(t_sql(f->backup, "DROP TRIGGER events_no_update;"
	                                  "UPDATE events SET actor = 'mallory' WHERE seq = 2;"
	                                  "CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
	                                  "  BEGIN SELECT RAISE(ABORT, 'events are append-only: "
	                                  "UPDATE refused'); END;",
	                       NULL),
	                 0);
	T_EXPECT(backup_restore(f->db.st, f->db.path, f->backup, T_ACTOR, &res, NULL, NULL, &e),
	         AT_INVALID, &e);
	assert_int_equal(t_items(&e, "HASH_MISMATCH", AT_INVALID), 1);
	assert_true(t_mentions(&e, "does not verify"));
	assert_true(t_mentions(&e, "nothing was replaced"));
	assert_int_equal(t_snapshot(f->db.st), before);
	assert_int_equal(t_events(f->db.st), f->events_now);
	assert_nothing_left(f->db.path);
	at_errors_free(&e);
}

/* Another schema version: newer refused (this program cannot read it),
 * older refused with the way to upgrade it; neither migrated here. */
static void restore_refuses_other_schema_versions(void **state)
{
	struct fx *f = FX(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct restore_result res;
	int v = (int)t_sql_int(f->db.path, "PRAGMA user_version");
	char sql[64];

	assert_true(v > 1);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
	assert_int_equal(t_sql(f->backup, sql, NULL), 0);
	T_EXPECT(backup_restore(f->db.st, f->db.path, f->backup, T_ACTOR, &res, NULL, NULL, &e),
	         AT_INVALID, &e);
	assert_true(t_mentions(&e, "newer than this assettrack"));
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v - 1);
	assert_int_equal(t_sql(f->backup, sql, NULL), 0);
	T_EXPECT(backup_restore(f->db.st, f->db.path, f->backup, T_ACTOR, &res, NULL, NULL, &e),
	         AT_INVALID, &e);
	assert_true(t_mentions(&e, "older than this assettrack"));
	assert_true(t_mentions(&e, "init"));
	assert_int_equal(t_events(f->db.st), f->events_now);
	assert_nothing_left(f->db.path);
	at_errors_free(&e);
}

/* Not a database, a database that is not ours, no file at all. */
static void restore_refuses_what_is_not_a_backup(void **state)
{
	struct fx *f = FX(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct restore_result res;
	char other[T_PATH_MAX];
	FILE *fp;

	t_db_path(other, sizeof(other), "notdb");
	fp = fopen(other, "w");
	assert_non_null(fp);
	fputs("asset_tag,serial_number\nAT-1,S1\n", fp);
	fclose(fp);
	T_EXPECT(backup_restore(f->db.st, f->db.path, other, T_ACTOR, &res, NULL, NULL, &e),
	         AT_INVALID, &e);
	assert_true(t_mentions(&e, "not a usable SQLite database"));
	/* An empty file is an empty SQLite database to SQLite. */
	fp = fopen(other, "w");
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(t_sql(other, "CREATE TABLE t(x)", NULL), 0);
	T_EXPECT(backup_restore(f->db.st, f->db.path, other, T_ACTOR, &res, NULL, NULL, &e),
	         AT_INVALID, &e);
	assert_true(t_mentions(&e, "not an AssetTrack one"));
	t_db_remove(other);
	T_EXPECT(backup_restore(f->db.st, f->db.path, other, T_ACTOR, &res, NULL, NULL, &e),
	         AT_NOT_FOUND, &e);
	assert_int_equal(t_events(f->db.st), f->events_now);
	assert_nothing_left(f->db.path);
	at_errors_free(&e);
}

/* A backup never overwrites a file. */
static void backup_refuses_existing_file(void **state)
{
	struct fx *f = FX(state);
	struct at_errors e = AT_ERRORS_INIT;
	int64_t n = -1;

	T_EXPECT(backup_write(f->db.st, f->backup, T_ACTOR, &n, &e), AT_CONFLICT, &e);
	assert_int_equal(t_sql_int(f->backup, "SELECT count(*) FROM events"), f->events_at_backup);
	at_errors_free(&e);
}

/* ---- restoring -------------------------------------------------------- */

static int count_log(void *ctx, const struct security_entry *x)
{
	int *n = ctx;

	if (strcmp(x->action, "DATABASE_RESTORED") == 0)
		(*n)++;
	return 0;
}

/* The backup's state comes back and verifies; the replaced database is
 * kept whole (the asset made after the backup is in it); the restore is
 * in the security log. */
static void restore_replaces_and_keeps_the_old_one(void **state)
{
	struct fx *f = FX(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct restore_result res;
	struct asset a;
	int logged = 0;

	T_OK(backup_restore(f->db.st, f->db.path, f->backup, T_ACTOR, &res, NULL, NULL, &e), &e);
	assert_int_equal(res.before.events, f->events_now);
	assert_int_equal(res.after.events, f->events_at_backup);
	assert_int_equal(res.after.assets, 2);
	assert_int_equal(t_events(f->db.st), f->events_at_backup);
	assert_int_equal(store_asset_by_tag(f->db.st, "AT-0003", &a), AT_NOT_FOUND);
	T_VERIFY_OK(f->db.st);
	/* DB.replaced-YYYYmmdd-HHMMSS, complete without any -wal. */
	assert_true(strncmp(res.kept, f->db.path, strlen(f->db.path)) == 0);
	assert_true(strncmp(res.kept + strlen(f->db.path), ".replaced-", 10) == 0);
	assert_int_equal(strlen(res.kept + strlen(f->db.path) + 10), 15);
	assert_int_equal(kept_files(f->db.path, 0), 1);
	assert_int_equal(t_sql_int(res.kept, "SELECT count(*) FROM events"), f->events_now);
	assert_int_equal(t_sql_int(res.kept, "SELECT count(*) FROM assets WHERE tag = 'AT-0003'"),
	                 1);
	T_OK(read_security_log(f->db.st, 10, count_log, &logged, &e), &e);
	assert_int_equal(logged, 1);
	/* ...and the staged copy is gone. */
	{
		char pat[T_PATH_MAX + 16];
		glob_t g;
		snprintf(pat, sizeof(pat), "%s.restore-*", f->db.path);
		assert_int_equal(glob(pat, 0, NULL, &g), GLOB_NOMATCH);
	}
	at_errors_free(&e);
}

/* A second restore in the same second keeps a second file, never
 * overwriting the first. */
static void restore_twice_keeps_both(void **state)
{
	struct fx *f = FX(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct restore_result r1, r2;

	T_OK(backup_restore(f->db.st, f->db.path, f->backup, T_ACTOR, &r1, NULL, NULL, &e), &e);
	T_OK(backup_restore(f->db.st, f->db.path, f->backup, T_ACTOR, &r2, NULL, NULL, &e), &e);
	assert_string_not_equal(r1.kept, r2.kept);
	assert_int_equal(kept_files(f->db.path, 0), 2);
	assert_int_equal(t_sql_int(r1.kept, "SELECT count(*) FROM events"), f->events_now);
	at_errors_free(&e);
}

/* Another connection (a server's worker) sees the restored state at its
 * next read, without reopening. */
static void other_connection_sees_restore(void **state)
{
	struct fx *f = FX(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct restore_result res;
	struct store *other = t_store_open(f->db.path);
	struct asset a;

	assert_int_equal(store_asset_by_tag(other, "AT-0003", &a), AT_OK);
	T_OK(backup_restore(f->db.st, f->db.path, f->backup, T_ACTOR, &res, NULL, NULL, &e), &e);
	assert_int_equal(store_asset_by_tag(other, "AT-0003", &a), AT_NOT_FOUND);
	assert_int_equal(t_events(other), f->events_at_backup);
	/* ...and writes through it land in the restored database. */
	t_asset(other, "AT-0009", NULL, 0);
	assert_int_equal(t_events(f->db.st), f->events_at_backup + 1);
	T_VERIFY_OK(f->db.st);
	store_close(other);
	at_errors_free(&e);
}

/* Signed checkpoints sign the replaced log: they are set aside with it. */
static void restore_sets_checkpoints_aside(void **state)
{
	struct fx *f = FX(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct restore_result res;
	char ck[T_PATH_MAX + 32], moved[T_PATH_MAX + 64];
	FILE *fp;

	snprintf(ck, sizeof(ck), "%s.checkpoints", f->db.path);
	fp = fopen(ck, "w");
	assert_non_null(fp);
	fputs("assettrack-checkpoint v1 seq=99\n", fp);
	fclose(fp);
	T_OK(backup_restore(f->db.st, f->db.path, f->backup, T_ACTOR, &res, NULL, NULL, &e), &e);
	assert_int_equal(access(ck, F_OK), -1);
	snprintf(moved, sizeof(moved), "%s%s", ck, res.kept + strlen(f->db.path));
	assert_string_equal(res.checkpoints_kept, moved);
	assert_int_equal(access(moved, F_OK), 0);
	unlink(moved);
	at_errors_free(&e);
}

/* ---- the CLI ---------------------------------------------------------- */

static void cli_restore_exit_codes(void **state)
{
	struct fx *f = FX(state);
	struct t_run r;
	char bad[T_PATH_MAX];

	t_cli(&r, f->db.path, "restore", NULL);
	assert_int_equal(r.status, 2);
	t_run_free(&r);
	t_db_path(bad, sizeof(bad), "missing");
	t_cli(&r, f->db.path, "restore", bad, NULL);
	assert_int_equal(r.status, 1);
	assert_true(t_contains_ci(r.err, "does not exist"));
	t_run_free(&r);

	assert_int_equal(t_sql(f->backup, "DROP TRIGGER events_no_delete;"
	                                  "DELETE FROM events WHERE seq = 1;", NULL),
	                 0);
	t_cli(&r, f->db.path, "restore", f->backup, NULL);
	assert_int_equal(r.status, 1);
	assert_true(t_contains_ci(r.err, "does not verify"));
	assert_true(t_contains_ci(r.err, "EVENT_TRIGGER_MISSING"));
	t_run_free(&r);
	assert_int_equal(t_events(f->db.st), f->events_now);

	unlink(f->backup);
	t_cli(&r, f->db.path, "backup", f->backup, NULL);
	assert_int_equal(r.status, 0);
	t_run_free(&r);
	t_asset(f->db.st, "AT-0010", NULL, 0);
	t_cli(&r, f->db.path, "restore", f->backup, NULL);
	assert_int_equal(r.status, 0);
	assert_true(t_contains_ci(r.out, "kept as"));
	t_run_free(&r);
	assert_int_equal(t_events(f->db.st), f->events_now);
	T_VERIFY_OK(f->db.st);
	t_cli(&r, f->db.path, "--json", "restore", f->backup, NULL);
	assert_int_equal(r.status, 0);
	assert_true(strstr(r.out, "\"kept\"") != NULL);
	t_run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(restore_refuses_tampered_file, setup, teardown),
		cmocka_unit_test_setup_teardown(restore_refuses_other_schema_versions, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(restore_refuses_what_is_not_a_backup, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(backup_refuses_existing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(restore_replaces_and_keeps_the_old_one, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(restore_twice_keeps_both, setup, teardown),
		cmocka_unit_test_setup_teardown(other_connection_sees_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(restore_sets_checkpoints_aside, setup, teardown),
		cmocka_unit_test_setup_teardown(cli_restore_exit_codes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
