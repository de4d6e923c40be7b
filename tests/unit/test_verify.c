/*
 * test_verify.c — verify_run proves that state and log agree and that the
 * log is intact; tampering with the file behind the engine's back must be
 * caught (core/verify.h; SPEC §3.5–6, §6 "verify"), also by the signed
 * checkpoints kept outside it (core/checkpoint.h).
 */
#include "testlib.h"

#include "core/copy.h"

#include "core/checkpoint.h"
#include "core/verify.h"
#include "store/store_impl.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The append-only triggers exactly as the schema creates them, so that a
 * tamper test can put them back and leave only the tampering to find. */
#define RESTORE_TRIGGERS                                                              \
	"CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events"       \
	"  BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE refused'); END;" \
	"CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events"       \
	"  BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE refused'); END;"

struct fx {
	struct t_db db;
	int64_t dana, eve;
};

#define FX(state) ((struct fx *)*(state))

/* A database with a bit of everything; the last operation is a slot move
 * of AT-0004 from CASE-B/3 to CASE-B/4. */
static int setup(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	struct stock_in_item back[] = { { "AT-0001", NULL, 0 } };
	struct asset o, r;
	struct fx *f;
	struct store *st;

	if (t_setup(state) != 0)
		return -1;
	f = realloc(*state, sizeof(*f));
	if (!f)
		return -1;
	*state = f;
	st = f->db.st;
	t_case(st, "CASE-A", 10);
	t_case(st, "CASE-B", 4);
	f->dana = t_holder(st, "Dana Ruiz", "B-1");
	f->eve = t_holder(st, "Eve Long", "B-2");
	t_asset(st, "AT-0001", "CASE-A", 1);
	t_asset(st, "AT-0002", "CASE-A", 2);
	t_asset(st, "AT-0003", "CASE-A", 3);
	t_asset(st, "AT-0004", NULL, 0);
	t_asset(st, "AT-0005", "CASE-A", 5);
	t_asset(st, "AT-0006", "CASE-A", 6);
	t_stock_out(st, f->dana, "AT-0001", "AT-0002", NULL);
	memset(&res, 0, sizeof(res));
	T_OK(custody_stock_in(st, T_ACTOR, back, 1, &res, &e), &e);
	custody_result_free(&res);
	t_stock_out(st, f->eve, "AT-0003", NULL);
	T_OK(asset_replace(st, T_ACTOR, "AT-0003", "AT-0005", "broken", NULL, &o, &r, &e), &e);
	T_OK(slot_force_vacate(st, T_ACTOR, "CASE-A", 6, "foam torn", NULL, &e), &e);
	T_OK(asset_retire(st, T_ACTOR, "AT-0006", "obsolete", NULL, &e), &e);
	T_OK(slot_assign(st, T_ACTOR, "AT-0004", "CASE-B", 3, NULL, &e), &e);
	T_OK(slot_move(st, T_ACTOR, "AT-0004", "CASE-B", 4, NULL, &e), &e);
	at_errors_free(&e);
	return 0;
}

/* RESTORE_TRIGGERS in PostgreSQL's words (schema_pg.c's triggers). */
#define RESTORE_TRIGGERS_PG                                                              \
	"CREATE OR REPLACE TRIGGER events_no_update BEFORE UPDATE ON events FOR EACH ROW" \
	"  EXECUTE FUNCTION at_refuse('events are append-only: UPDATE refused');"         \
	"CREATE OR REPLACE TRIGGER events_no_delete BEFORE DELETE ON events FOR EACH ROW" \
	"  EXECUTE FUNCTION at_refuse('events are append-only: DELETE refused');"

/* Apply raw SQL with the engine's connection closed, then reopen.  On
 * PostgreSQL, RESTORE_TRIGGERS in the text becomes RESTORE_TRIGGERS_PG
 * (t_sql makes SQLite's DROP TRIGGER PostgreSQL's). */
static void tamper(struct t_db *d, const char *sql)
{
	char err[256], text[4096];
	const char *at = t_on_pg() ? strstr(sql, RESTORE_TRIGGERS) : NULL;

	if (at) {
		snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - sql), sql, RESTORE_TRIGGERS_PG,
		         at + strlen(RESTORE_TRIGGERS));
		sql = text;
	}
	store_close(d->st);
	d->st = NULL;
	if (t_sql(d->path, sql, err) != 0)
		fail_msg("tampering SQL failed: %s", err);
	d->st = t_store_open(d->path);
}

/* verify must say no, naming the problem `code` (the detector pinned:
 * "some problem" could be a different check failing by accident). */
static void expect_caught(struct store *st, const char *code)
{
	int named = 0;

	struct at_errors e = AT_ERRORS_INIT;
	struct verify_report r;

	memset(&r, 0, sizeof(r));
	T_OK(verify_run(st, &r, NULL, NULL, &e), &e);
	assert_int_equal(r.ok, 0);
	assert_true(r.nproblems >= 1);
	for (size_t i = 0; i < r.nproblems; i++) {
		assert_true(r.problems[i].code[0] != '\0');
		assert_true(r.problems[i].message[0] != '\0');
		named |= strcmp(r.problems[i].code, code) == 0;
	}
	if (!named)
		fail_msg("verify did not report %s (first: %s)", code, r.problems[0].code);
	verify_report_free(&r);
	at_errors_free(&e);
}

static int has_problem(struct store *st, const char *code)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct verify_report r;
	int found = 0;

	memset(&r, 0, sizeof(r));
	T_OK(verify_run(st, &r, NULL, NULL, &e), &e);
	for (size_t i = 0; i < r.nproblems; i++)
		if (strcmp(r.problems[i].code, code) == 0)
			found = 1;
	verify_report_free(&r);
	at_errors_free(&e);
	return found;
}

/* ---- good databases --------------------------------------------------- */

static void test_verify_ok_busy(void **state)
{
	struct store *st = FX(state)->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct verify_report r;

	memset(&r, 0, sizeof(r));
	T_OK(verify_run(st, &r, NULL, NULL, &e), &e);
	if (!r.ok)
		for (size_t i = 0; i < r.nproblems; i++)
			print_error("%s: %s\n", r.problems[i].code, r.problems[i].message);
	assert_int_equal(r.ok, 1);
	assert_int_equal(r.nproblems, 0);
	assert_int_equal(r.events, t_events(st));
	verify_report_free(&r);
	at_errors_free(&e);
}

/* The replay's page cache: 2 MiB as the server's verify has it, 64 MiB
 * when asked (the command line's, o.large_cache); the answer the same. */
static int64_t cache_kib(struct store *scratch)
{
	sqlite3_stmt *s = NULL;
	int64_t v = 0;

	assert_non_null(store_sqlite_of(scratch));
	assert_int_equal(sqlite3_prepare_v2(store_sqlite_of(scratch)->db, "PRAGMA cache_size",
	                                    -1, &s, NULL),
	                 SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void test_verify_scratch_cache(void **state)
{
	struct store *st = FX(state)->db.st;
	struct at_errors e = AT_ERRORS_INIT;

	for (int large = 0; large < 2; large++) {
		struct verify_report r;
		struct verify_opts o = { 0 };
		struct store *scratch = NULL;

		memset(&r, 0, sizeof(r));
		o.large_cache = large;
		o.scratch = &scratch;
		T_OK(verify_run_ex(st, &o, &r, NULL, NULL, &e), &e);
		assert_int_equal(r.ok, 1);
		assert_int_equal(r.events, t_events(st));
		assert_int_equal(cache_kib(scratch), large ? -65536 : -2048);
		store_close(scratch);
		verify_report_free(&r);
	}
	at_errors_free(&e);
}

static void test_verify_ok_empty(void **state)
{
	char path[T_PATH_MAX];
	struct store *st;

	(void)state;
	t_db_path(path, sizeof(path), "verify-empty");
	st = t_store_open(path);
	T_VERIFY_OK(st);
	store_close(st);
	t_db_remove(path);
}

static void test_verify_ok_after_reopen(void **state)
{
	struct t_db *d = &FX(state)->db;

	t_reopen(d);
	T_VERIFY_OK(d->st);
}

struct progress {
	int calls;
};

static void progress_cb(void *ctx, const char *phase, int64_t done, int64_t total)
{
	struct progress *p = ctx;

	(void)phase;
	(void)done;
	(void)total;
	p->calls++;
}

static void test_verify_progress_optional(void **state)
{
	struct store *st = FX(state)->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct verify_report r;
	struct progress p = { 0 };

	memset(&r, 0, sizeof(r));
	T_OK(verify_run(st, &r, progress_cb, &p, &e), &e);
	assert_int_equal(r.ok, 1);
	verify_report_free(&r);
	at_errors_free(&e);
}

/* ---- the event log tampered with -------------------------------------- */

static void test_verify_bad_event_edited(void **state)
{
	struct t_db *d = &FX(state)->db;

	tamper(d, "DROP TRIGGER events_no_update;"
	          "UPDATE events SET reason = 'nothing to see' WHERE type = 'FORCE_VACATE';"
	          RESTORE_TRIGGERS);
	assert_int_equal(t_sql_int(d->path, "SELECT count(*) FROM events WHERE reason = "
	                                    "'nothing to see'"),
	                 1);
	expect_caught(d->st, "HASH_MISMATCH");
	/* the triggers are back: only the edit itself can have been found */
	assert_false(has_problem(d->st, "EVENT_TRIGGER_MISSING"));
}

static void test_verify_bad_event_actor_edited(void **state)
{
	struct t_db *d = &FX(state)->db;

	tamper(d, "DROP TRIGGER events_no_update;"
	          "UPDATE events SET actor = 'somebody else' WHERE seq = 1;" RESTORE_TRIGGERS);
	expect_caught(d->st, "HASH_MISMATCH");
}

static void test_verify_bad_event_due_edited(void **state)
{
	struct t_db *d = &FX(state)->db;

	/* Changing the due date recorded on a Stock-Out: replay would still
	 * agree with the (also edited) asset row, so the hash must catch it. */
	T_SQLITE_ONLY("the edit's replace() on details is SQLite's (a json column there)");
	tamper(d, "DROP TRIGGER events_no_update;"
	          "UPDATE events SET details = replace(details, '2099-12-31', '2098-01-01')"
	          " WHERE type = 'STOCK_OUT' AND asset_tag = 'AT-0002';"
	          "UPDATE assets SET due = '2098-01-01' WHERE tag = 'AT-0002';" RESTORE_TRIGGERS);
	assert_int_equal(t_sql_int(d->path, "SELECT count(*) FROM events WHERE details LIKE "
	                                    "'%2098-01-01%'"),
	                 1);
	expect_caught(d->st, "HASH_MISMATCH");
}

struct rehash_ctx {
	int64_t seq;
	char hash[AT_HASH_HEX + 1];
};

static int rehash_cb(void *ctx, const struct event *ev)
{
	struct rehash_ctx *c = ctx;
	struct event copy = *ev;

	if (ev->seq != c->seq)
		return 0;
	copy.reason = "edited and re-hashed";
	event_compute_hash(&copy, c->hash);
	return 1;
}

static void test_verify_bad_event_edited_and_rehashed(void **state)
{
	struct t_db *d = &FX(state)->db;
	struct rehash_ctx c;
	struct event_filter f;
	char sql[1024];

	/* A smarter forger recomputes the edited event's hash; the next
	 * event's prev_hash then no longer links. */
	c.seq = t_sql_int(d->path, "SELECT seq FROM events WHERE type = 'FORCE_VACATE'");
	assert_true(c.seq > 0);
	memset(&f, 0, sizeof(f));
	assert_int_equal(store_event_list(d->st, &f, rehash_cb, &c), AT_OK);
	snprintf(sql, sizeof(sql),
	         "DROP TRIGGER events_no_update;"
	         "UPDATE events SET reason = 'edited and re-hashed', hash = '%s' WHERE seq = %lld;"
	         RESTORE_TRIGGERS,
	         c.hash, (long long)c.seq);
	tamper(d, sql);
	expect_caught(d->st, "HASH_CHAIN_BROKEN");
}

static void test_verify_bad_last_event_deleted(void **state)
{
	struct t_db *d = &FX(state)->db;
	int64_t n = t_events(d->st);

	assert_int_equal(t_sql_int(d->path, "SELECT count(*) FROM events WHERE seq = "
	                                    "(SELECT max(seq) FROM events) AND type = 'SLOT_MOVE'"),
	                 1);
	tamper(d, "DROP TRIGGER events_no_delete;"
	          "DELETE FROM events WHERE seq = (SELECT max(seq) FROM events);" RESTORE_TRIGGERS);
	assert_int_equal(t_events(d->st), n - 1);
	/* the chain itself is still whole; the replay no longer matches */
	expect_caught(d->st, "REPLAY_MISMATCH");
	assert_false(has_problem(d->st, "EVENT_TRIGGER_MISSING"));
}

static void test_verify_bad_middle_event_deleted(void **state)
{
	struct t_db *d = &FX(state)->db;

	tamper(d, "DROP TRIGGER events_no_delete;"
	          "DELETE FROM events WHERE seq = 5;" RESTORE_TRIGGERS);
	expect_caught(d->st, "EVENT_SEQ_GAP");
}

static void test_verify_bad_triggers_missing(void **state)
{
	struct t_db *d = &FX(state)->db;

	tamper(d, "DROP TRIGGER events_no_update;");
	expect_caught(d->st, "EVENT_TRIGGER_MISSING");
	tamper(d, RESTORE_TRIGGERS "DROP TRIGGER events_no_delete;");
	expect_caught(d->st, "EVENT_TRIGGER_MISSING");
	tamper(d, RESTORE_TRIGGERS);
	T_VERIFY_OK(d->st);
}

/* ---- the state tampered with ------------------------------------------ */

static void test_verify_bad_asset_holder_edited(void **state)
{
	struct fx *f = FX(state);
	char sql[256];

	/* AT-0002 is with Dana: hand it to Eve without an event. */
	snprintf(sql, sizeof(sql), "UPDATE assets SET holder_id = %lld WHERE tag = 'AT-0002';",
	         (long long)f->eve);
	tamper(&f->db, sql);
	assert_int_equal(t_get(f->db.st, "AT-0002").holder_id, f->eve);
	expect_caught(f->db.st, "REPLAY_MISMATCH");
}

static void test_verify_bad_asset_moved_slot(void **state)
{
	struct t_db *d = &FX(state)->db;

	/* AT-0001 is back in CASE-A/1; slot 9 is empty. */
	tamper(d, "UPDATE assets SET position = 9 WHERE tag = 'AT-0001';");
	assert_int_equal(t_get(d->st, "AT-0001").position, 9);
	expect_caught(d->st, "REPLAY_MISMATCH");
}

static void test_verify_bad_asset_moved_to_other_case(void **state)
{
	struct t_db *d = &FX(state)->db;

	tamper(d, "UPDATE assets SET case_id = (SELECT id FROM cases WHERE name = 'CASE-B'),"
	          " position = 1 WHERE tag = 'AT-0001';");
	expect_caught(d->st, "REPLAY_MISMATCH");
}

static void test_verify_bad_asset_returned_silently(void **state)
{
	struct t_db *d = &FX(state)->db;

	/* AT-0002 (with Dana) quietly put back in its slot. */
	tamper(d, "UPDATE assets SET state = 'STORAGE', holder_id = NULL, due = NULL,"
	          " custody_since = NULL, case_id = last_case_id, position = last_position"
	          " WHERE tag = 'AT-0002';");
	expect_caught(d->st, "REPLAY_MISMATCH");
}

static void test_verify_bad_asset_metadata_edited(void **state)
{
	struct t_db *d = &FX(state)->db;

	tamper(d, "UPDATE assets SET serial = 'SN-FORGED' WHERE tag = 'AT-0001';");
	expect_caught(d->st, "REPLAY_MISMATCH");
}

static void test_verify_bad_asset_condition_edited(void **state)
{
	struct t_db *d = &FX(state)->db;

	tamper(d, "UPDATE assets SET condition = 'GOOD' WHERE tag = 'AT-0003';");
	expect_caught(d->st, "REPLAY_MISMATCH");
}

static void test_verify_bad_asset_inserted(void **state)
{
	struct t_db *d = &FX(state)->db;

	tamper(d, "INSERT INTO assets(tag, serial, manufacturer, equipment_type, building, room,"
	          " state, condition, created_at, updated_at) VALUES ('AT-0666', 'SN-666', 'm',"
	          " 't', 'b', 'r', 'STORAGE', 'GOOD', '2026-01-01T00:00:00.000Z',"
	          " '2026-01-01T00:00:00.000Z');");
	expect_caught(d->st, "UNLOGGED_ASSET");
}

static void test_verify_bad_holder_edited(void **state)
{
	struct t_db *d = &FX(state)->db;

	tamper(d, "UPDATE holders SET name = 'Mallory' WHERE badge = 'B-1';");
	expect_caught(d->st, "REPLAY_MISMATCH");
}

static void test_verify_bad_holder_deactivated(void **state)
{
	struct t_db *d = &FX(state)->db;

	tamper(d, "UPDATE holders SET active = 0 WHERE badge = 'B-2';");
	expect_caught(d->st, "REPLAY_MISMATCH");
}

/* The dashboard's counts (migration 8) are checked against the assets:
 * one moved by hand, or one lost, is named. */
static void test_verify_bad_asset_counts(void **state)
{
	struct t_db *d = &FX(state)->db;
	struct at_errors e = AT_ERRORS_INIT;

	/* Before: the counts are the assets', state by state. */
	for (int s = 0; s < ASSET_STATE__MAX; s++) {
		char sql[128];

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM assets WHERE state = '%s'",
		         asset_state_name((enum asset_state)s));
		assert_int_equal(store_asset_count(d->st, 1, (enum asset_state)s),
		                 t_sql_int(d->path, sql));
	}
	assert_int_equal(store_asset_count(d->st, 0, ASSET_STORAGE),
	                 t_sql_int(d->path, "SELECT count(*) FROM assets"));
	tamper(d, "UPDATE asset_counts SET n = n + 1 WHERE state = 'STORAGE';");
	expect_caught(d->st, "ASSET_COUNTS");
	tamper(d, "UPDATE asset_counts SET n = n - 1 WHERE state = 'STORAGE';"
	          "DROP TRIGGER asset_counts_no_delete;"
	          "DELETE FROM asset_counts WHERE state = 'RETIRED';");
	expect_caught(d->st, "ASSET_COUNTS");
	at_errors_free(&e);
}

static void test_verify_bad_case_grown_silently(void **state)
{
	struct t_db *d = &FX(state)->db;

	tamper(d, "UPDATE cases SET slot_count = 5 WHERE name = 'CASE-B';"
	          "INSERT INTO slots(case_id, position) SELECT id, 5 FROM cases"
	          " WHERE name = 'CASE-B';");
	expect_caught(d->st, "REPLAY_MISMATCH");
}

static void test_verify_bad_invariant_broken(void **state)
{
	struct t_db *d = &FX(state)->db;

	/* Two assets in one slot, with the schema's guard dropped first. */
	tamper(d, "DROP INDEX assets_slot;"
	          "UPDATE assets SET case_id = (SELECT case_id FROM assets WHERE tag = 'AT-0001'),"
	          " position = 1 WHERE tag = 'AT-0003';");
	expect_caught(d->st, "SLOT_DOUBLE_BOOKED");
}

/* Every column of the custody record is reproduced by the replay, so a
 * silent edit of any of them is found.  Each edit is tried on its own
 * copy of the fixture database. */
static void test_verify_bad_each_state_column(void **state)
{
	static const char *const edits[] = {
		"UPDATE assets SET custody_since = '2020-01-01T00:00:00.000Z' WHERE tag = 'AT-0002'",
		"UPDATE assets SET due = '2099-01-01' WHERE tag = 'AT-0002'",
		"UPDATE assets SET last_position = 9 WHERE tag = 'AT-0002'",
		"UPDATE assets SET retired_at = '2020-01-01T00:00:00.000Z' WHERE tag = 'AT-0006'",
		"UPDATE assets SET state = 'STORAGE', retired_at = NULL WHERE tag = 'AT-0006'",
		"UPDATE assets SET model = 'X-1' WHERE tag = 'AT-0001'",
		"UPDATE assets SET notes = 'hidden' WHERE tag = 'AT-0001'",
		"UPDATE assets SET building = 'Elsewhere' WHERE tag = 'AT-0001'",
		"UPDATE assets SET created_at = '2020-01-01T00:00:00.000Z' WHERE tag = 'AT-0001'",
		"UPDATE assets SET case_id = NULL, position = NULL WHERE tag = 'AT-0001'",
		"UPDATE holders SET email = 'x@example.org' WHERE badge = 'B-1'",
		"UPDATE holders SET badge = 'B-9' WHERE badge = 'B-1'",
		"UPDATE cases SET room = 'Cellar' WHERE name = 'CASE-A'",
		"UPDATE cases SET name = 'CASE-Z' WHERE name = 'CASE-B'",
		/* rows that vanished (their guards dropped first) */
		"DROP TRIGGER assets_no_delete; DELETE FROM assets WHERE tag = 'AT-0006'",
		"DROP TRIGGER holders_no_delete; DELETE FROM holders WHERE badge = 'B-1'",
	};
	struct t_db *d = &FX(state)->db;
	struct at_errors e = AT_ERRORS_INIT;
	int missed = 0;

	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		char copy[T_PATH_MAX], err[256];
		struct store *st;
		struct verify_report r;

		/* PostgreSQL's foreign keys hold for its superuser too (a raw
		 * SQLite connection has them off): a holder still named by
		 * an asset cannot vanish there. */
		if (t_on_pg() && strstr(edits[i], "FROM holders"))
			continue;
		t_db_path(copy, sizeof(copy), "verify-copy");
		at_errors_reset(&e);
		if (t_on_pg()) {
			/* A new database, filled by copy (core/copy.h). */
			struct store *dst = t_store_open(copy);
			struct copy_result cr;

			T_OK(copy_database(d->st, dst, NULL, NULL, &cr, NULL, NULL, &e), &e);
			store_close(dst);
		} else {
			T_OK(store_backup(d->st, copy, &e), &e);
		}
		if (t_sql(copy, edits[i], err) != 0) {
			t_db_remove(copy);
			fail_msg("edit failed: %s: %s", edits[i], err);
		}
		st = t_store_open(copy);
		memset(&r, 0, sizeof(r));
		at_errors_reset(&e);
		T_OK(verify_run(st, &r, NULL, NULL, &e), &e);
		if (r.ok) {
			print_error("verify did not notice: %s\n", edits[i]);
			missed++;
		}
		verify_report_free(&r);
		store_close(st);
		t_db_remove(copy);
	}
	at_errors_free(&e);
	assert_int_equal(missed, 0);
}

/* ---- anchors: the head kept outside the file ------------------------------ */

/* verify_run, then the anchors; the report's verdict. */
static int verify_with(struct store *st, const struct anchor *a, size_t n, const char *want)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct verify_report r;
	int ok, found = 0;

	memset(&r, 0, sizeof(r));
	T_OK(verify_run(st, &r, NULL, NULL, &e), &e);
	T_OK(verify_anchors(st, a, n, &r, &e), &e);
	for (size_t i = 0; i < r.nproblems; i++)
		found |= want && strcmp(r.problems[i].code, want) == 0;
	ok = r.ok;
	if (want && !found)
		fail_msg("verify did not report %s", want);
	verify_report_free(&r);
	at_errors_free(&e);
	return ok;
}

static void test_verify_anchor_parse(void **state)
{
	char why[AT_WHY_MAX], text[AT_ANCHOR_MAX];
	struct anchor a;
	const char *hex = "ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789";

	(void)state;
	snprintf(text, sizeof(text), "42:%s", hex);
	assert_int_equal(anchor_parse(text, &a, why), 0);
	assert_int_equal(a.seq, 42);
	assert_string_equal(a.hash, "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
	anchor_format(&a, text);
	assert_string_equal(text, "42:abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
	assert_int_equal(anchor_parse("42", &a, why), -1);
	assert_int_equal(anchor_parse("0:abc", &a, why), -1);
	assert_int_equal(anchor_parse("x:abc", &a, why), -1);
	snprintf(text, sizeof(text), "7:%.63s", hex);
	assert_int_equal(anchor_parse(text, &a, why), -1);
	snprintf(text, sizeof(text), "7:%.63sg", hex);
	assert_int_equal(anchor_parse(text, &a, why), -1);
}

static void test_verify_anchor_holds(void **state)
{
	struct t_db *d = &FX(state)->db;
	struct at_errors e = AT_ERRORS_INIT;
	struct anchor head, early;

	T_OK(verify_head(d->st, &head, &e), &e);
	assert_int_equal(head.seq, t_events(d->st));
	early.seq = 3;
	assert_int_equal(store_event_hash_at(d->st, 3, early.hash), AT_OK);
	assert_true(verify_with(d->st, (struct anchor[]){ head, early }, 2, NULL));
	at_errors_free(&e);
}

/* The forger cuts the log back by its last event and reverts the row it
 * changed: chain, invariants and replay all agree again, and only an
 * anchor taken before can tell. */
static void test_verify_anchor_catches_a_cut_log(void **state)
{
	struct t_db *d = &FX(state)->db;
	struct at_errors e = AT_ERRORS_INIT;
	struct anchor head;

	T_OK(verify_head(d->st, &head, &e), &e);
	tamper(d, "DROP TRIGGER events_no_delete;"
	          "DELETE FROM events WHERE seq = (SELECT max(seq) FROM events);"
	          "UPDATE assets SET position = 3, updated_at = (SELECT at FROM events WHERE "
	          "type = 'SLOT_ASSIGN' AND asset_tag = 'AT-0004') WHERE tag = 'AT-0004';"
	          RESTORE_TRIGGERS);
	assert_true(verify_with(d->st, NULL, 0, NULL));         /* invisible without */
	assert_false(verify_with(d->st, &head, 1, "ANCHOR_BEYOND_CHAIN"));
	at_errors_free(&e);
}

/* The forger edits the last event and re-hashes it: nothing follows it
 * to break, and its reason is not state.  The anchor's hash differs. */
static void test_verify_anchor_catches_a_rewritten_event(void **state)
{
	struct t_db *d = &FX(state)->db;
	struct at_errors e = AT_ERRORS_INIT;
	struct anchor head;
	struct rehash_ctx c;
	struct event_filter f;
	char sql[1024];

	T_OK(verify_head(d->st, &head, &e), &e);
	c.seq = head.seq;
	memset(&f, 0, sizeof(f));
	assert_int_equal(store_event_list(d->st, &f, rehash_cb, &c), AT_OK);
	snprintf(sql, sizeof(sql),
	         "DROP TRIGGER events_no_update;"
	         "UPDATE events SET reason = 'edited and re-hashed', hash = '%s' WHERE seq = %lld;"
	         RESTORE_TRIGGERS,
	         c.hash, (long long)c.seq);
	tamper(d, sql);
	assert_true(verify_with(d->st, NULL, 0, NULL));         /* invisible without */
	assert_false(verify_with(d->st, &head, 1, "ANCHOR_MISMATCH"));
	at_errors_free(&e);
}

/* ---- the CLI ---------------------------------------------------------- */

static void test_cli_verify_exit_codes(void **state)
{
	struct t_db *d = &FX(state)->db;
	struct t_run r;

	store_close(d->st);
	d->st = NULL;
	t_cli(&r, d->path, "verify", NULL);
	if (r.status != 0)
		print_error("stdout: %s\nstderr: %s\n", r.out, r.err);
	assert_int_equal(r.status, 0);
	t_run_free(&r);

	tamper(d, "UPDATE assets SET position = 9 WHERE tag = 'AT-0001';");
	store_close(d->st);
	d->st = NULL;
	t_cli(&r, d->path, "verify", NULL);
	if (r.status == 0 || r.status >= 128)
		print_error("stdout: %s\nstderr: %s\n", r.out, r.err);
	assert_int_not_equal(r.status, 0);
	assert_true(r.status < 128); /* a verdict, not a crash */
	assert_true(r.out[0] != '\0' || r.err[0] != '\0');
	t_run_free(&r);
	d->st = t_store_open(d->path);
}

/* `head` prints SEQ:HASH; `verify --anchor` and `--anchors FILE` take it
 * back; a wrong one is exit 1 with the named problem. */
static void test_cli_head_and_anchors(void **state)
{
	struct t_db *d = &FX(state)->db;
	char head[AT_ANCHOR_MAX], wrong[AT_ANCHOR_MAX], file[T_PATH_MAX + 16];
	struct t_run r;
	FILE *fp;

	store_close(d->st);
	d->st = NULL;
	t_cli(&r, d->path, "head", NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(strlen(r.out), strlen("NN:") + AT_HASH_HEX + 1);
	snprintf(head, sizeof(head), "%.*s", (int)strcspn(r.out, "\n"), r.out);
	t_run_free(&r);
	t_cli(&r, d->path, "verify", "--anchor", head, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "1 anchor hold"));
	t_run_free(&r);
	/* the same seq with another hash */
	snprintf(wrong, sizeof(wrong), "%s", head);
	wrong[strlen(wrong) - 1] = wrong[strlen(wrong) - 1] == '0' ? '1' : '0';
	snprintf(file, sizeof(file), "%s.anchors", d->files);
	fp = fopen(file, "w");
	assert_non_null(fp);
	fprintf(fp, "# anchors\n%s\n\n%s\n", head, wrong);
	fclose(fp);
	t_cli(&r, d->path, "verify", "--anchors", file, NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "ANCHOR_MISMATCH: "));
	t_run_free(&r);
	t_cli(&r, d->path, "verify", "--anchor", "12", NULL);
	assert_int_equal(r.status, 2);
	t_run_free(&r);
	remove(file);
	d->st = t_store_open(d->path);
}


/* ---- signed checkpoints ------------------------------------------------ */

struct ck_fx {
	struct checkpoint_paths p;
	char paths[3][AT_PATH_MAX];
	char state[AT_PATH_MAX + 8];
};

static void ck_paths(struct t_db *d, struct ck_fx *c)
{
	memset(c, 0, sizeof(*c));
	checkpoint_paths_default(&c->p, d->path, c->paths);
	snprintf(c->state, sizeof(c->state), "%s.state", c->p.file);
}

/* checkpoint_write, which must succeed; returns whether a line was added. */
static int ck_write(struct t_db *d, struct ck_fx *c, struct checkpoint *out)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct verify_report r;
	struct checkpoint ck;
	int written = -1;

	memset(&r, 0, sizeof(r));
	T_OK(checkpoint_write(d->st, &c->p, out ? out : &ck, &written, &r, NULL, NULL, &e), &e);
	assert_int_equal(r.ok, 1);
	verify_report_free(&r);
	at_errors_free(&e);
	return written;
}

/* verify_run_ex with the checkpoints (and optionally from the newest);
 * true if it passed.  With `want`, that problem must be among those. */
static int ck_verify(struct t_db *d, struct ck_fx *c, int since, const char *want,
                     struct verify_report *keep)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct verify_report r;
	struct verify_opts o = { .checkpoints = &c->p, .since_checkpoint = since };
	int ok, named = 0;

	memset(&r, 0, sizeof(r));
	T_OK(verify_run_ex(d->st, &o, &r, NULL, NULL, &e), &e);
	for (size_t i = 0; i < r.nproblems; i++)
		named |= want && strcmp(r.problems[i].code, want) == 0;
	if (want && !named)
		fail_msg("verify did not report %s (problems: %zu, first: %s)", want, r.nproblems,
		         r.nproblems ? r.problems[0].code : "none");
	if (!want && !r.ok)
		fail_msg("verify failed: %s: %s", r.problems[0].code, r.problems[0].message);
	ok = r.ok;
	if (keep)
		*keep = r;
	else
		verify_report_free(&r);
	at_errors_free(&e);
	return ok;
}

static void read_file(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(out, 1, cap - 1, f);
	out[n] = '\0';
	fclose(f);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A checkpoint is written when the log grew, verified, and replayed from. */
static void test_checkpoint_write_and_since(void **state)
{
	struct t_db *d = &FX(state)->db;
	struct ck_fx c;
	struct checkpoint first, second;
	struct verify_report r;
	struct stat sb;
	int64_t n;

	ck_paths(d, &c);
	assert_int_equal(ck_write(d, &c, &first), 1);
	n = t_events(d->st);
	assert_int_equal(first.seq, n);
	/* the secret key is the owner's alone; the public key and state exist */
	assert_int_equal(stat(c.p.key, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(stat(c.p.pub, &sb), 0);
	assert_int_equal(stat(c.state, &sb), 0);
	assert_int_equal(ck_write(d, &c, NULL), 0);              /* nothing new */

	t_stock_out(d->st, FX(state)->dana, "AT-0001", NULL);
	assert_int_equal(ck_write(d, &c, &second), 1);
	assert_int_equal(second.seq, n + 1);
	assert_true(ck_verify(d, &c, 0, NULL, &r));
	assert_int_equal(r.checkpoints, 2);
	assert_int_equal(r.from_seq, 0);
	assert_int_equal(r.events, n + 1);
	verify_report_free(&r);

	/* from the newest: only the events after it are replayed */
	t_stock_out(d->st, FX(state)->eve, "AT-0004", NULL);
	assert_true(ck_verify(d, &c, 1, NULL, &r));
	assert_int_equal(r.from_seq, n + 1);
	assert_int_equal(r.events, 1);
	assert_int_equal(r.note[0], '\0');
	verify_report_free(&r);
}

/* Cut the log back by its last event and revert the row: invisible to the
 * plain verify, caught by a checkpoint signed before. */
static void test_checkpoint_catches_a_cut_log(void **state)
{
	struct t_db *d = &FX(state)->db;
	struct ck_fx c;

	ck_paths(d, &c);
	assert_int_equal(ck_write(d, &c, NULL), 1);
	tamper(d, "DROP TRIGGER events_no_delete;"
	          "DELETE FROM events WHERE seq = (SELECT max(seq) FROM events);"
	          "UPDATE assets SET position = 3, updated_at = (SELECT at FROM events WHERE "
	          "type = 'SLOT_ASSIGN' AND asset_tag = 'AT-0004') WHERE tag = 'AT-0004';"
	          RESTORE_TRIGGERS);
	assert_false(has_problem(d->st, "EVENT_SEQ_GAP"));
	assert_false(ck_verify(d, &c, 0, "CHECKPOINT_BEYOND_CHAIN", NULL));
	assert_false(ck_verify(d, &c, 1, "CHECKPOINT_BEYOND_CHAIN", NULL));
}

/* Edit the last event and re-hash it: the signed head differs. */
static void test_checkpoint_catches_a_rewritten_event(void **state)
{
	struct t_db *d = &FX(state)->db;
	struct ck_fx c;
	struct checkpoint ck;
	struct rehash_ctx rc;
	struct event_filter f;
	char sql[1024];

	ck_paths(d, &c);
	assert_int_equal(ck_write(d, &c, &ck), 1);
	rc.seq = ck.seq;
	memset(&f, 0, sizeof(f));
	assert_int_equal(store_event_list(d->st, &f, rehash_cb, &rc), AT_OK);
	snprintf(sql, sizeof(sql),
	         "DROP TRIGGER events_no_update;"
	         "UPDATE events SET reason = 'edited and re-hashed', hash = '%s' WHERE seq = %lld;"
	         RESTORE_TRIGGERS,
	         rc.hash, (long long)rc.seq);
	tamper(d, sql);
	assert_false(has_problem(d->st, "HASH_MISMATCH"));
	assert_false(ck_verify(d, &c, 0, "CHECKPOINT_HASH_MISMATCH", NULL));
}

/* After the checkpoint, a row changed without an event: the replay from
 * the checkpoint's state still catches it. */
static void test_checkpoint_since_catches_a_silent_edit(void **state)
{
	struct t_db *d = &FX(state)->db;
	struct ck_fx c;
	struct verify_report r;

	ck_paths(d, &c);
	assert_int_equal(ck_write(d, &c, NULL), 1);
	tamper(d, "UPDATE assets SET notes = 'quietly' WHERE tag = 'AT-0002';");
	assert_false(ck_verify(d, &c, 1, "REPLAY_MISMATCH", &r));
	assert_true(r.from_seq > 0);
	verify_report_free(&r);
}

/* The saved state is a shortcut the signature guards: a changed one is
 * not used, and the whole log is replayed instead (a note says so). */
static void test_checkpoint_state_file_changed(void **state)
{
	struct t_db *d = &FX(state)->db;
	struct ck_fx c;
	struct verify_report r;
	char err[256];

	ck_paths(d, &c);
	assert_int_equal(ck_write(d, &c, NULL), 1);
	if (t_sql(c.state, "UPDATE assets SET notes = 'forged' WHERE tag = 'AT-0001';", err) != 0)
		fail_msg("%s", err);
	assert_true(ck_verify(d, &c, 1, NULL, &r));
	assert_int_equal(r.from_seq, 0);
	assert_non_null(strstr(r.note, "does not match its signed digest"));
	verify_report_free(&r);
	remove(c.state);
	assert_true(ck_verify(d, &c, 1, NULL, &r));
	assert_int_equal(r.from_seq, 0);
	assert_true(r.note[0] != '\0');
	verify_report_free(&r);
}

/* Sign `line` (the part before " sig=") with the fixture's key, the way
 * only the key's holder could. */
static void sign_line(const struct ck_fx *c, const char *body, char *out, size_t cap)
{
	unsigned char seed[crypto_sign_SEEDBYTES], pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char sk[crypto_sign_SECRETKEYBYTES], sig[crypto_sign_BYTES];
	char hex[200], sighex[crypto_sign_BYTES * 2 + 1];

	read_file(c->p.key, hex, sizeof(hex));
	assert_int_equal(sodium_hex2bin(seed, sizeof(seed), hex, 64, NULL, NULL, NULL), 0);
	crypto_sign_seed_keypair(pk, sk, seed);
	crypto_sign_detached(sig, NULL, (const unsigned char *)body, strlen(body), sk);
	sodium_bin2hex(sighex, sizeof(sighex), sig, sizeof(sig));
	snprintf(out, cap, "%s sig=%s\n", body, sighex);
}

/* A signed line whose state digest is not what the log replays to (only
 * a bug or the key's holder could write one): the detector is pinned. */
static void test_checkpoint_state_mismatch(void **state)
{
	struct t_db *d = &FX(state)->db;
	struct ck_fx c;
	struct checkpoint ck;
	char text[4096], body[1024], line[1200];
	char *sp;

	ck_paths(d, &c);
	assert_int_equal(ck_write(d, &c, &ck), 1);
	read_file(c.p.file, text, sizeof(text));
	sp = strstr(text, " sig=");
	assert_non_null(sp);
	snprintf(body, sizeof(body), "%.*s", (int)(sp - text), text);
	sp = strstr(body, "state=");
	assert_non_null(sp);
	memset(sp + 6, 'a', AT_HASH_HEX);
	sign_line(&c, body, line, sizeof(line));
	write_file(c.p.file, line);
	assert_false(ck_verify(d, &c, 0, "CHECKPOINT_STATE_MISMATCH", NULL));
}

/* The file itself: an edited line, a line removed from the middle, a line
 * from another key, and noise are each named; checkpoint_write will not
 * add to such a file. */
static void test_checkpoint_file_damage(void **state)
{
	struct t_db *d = &FX(state)->db;
	struct ck_fx c;
	struct at_errors e = AT_ERRORS_INIT;
	struct verify_report r;
	struct checkpoint ck;
	char text[8192], edited[8192], *l2, *l3, *p;
	int written;

	ck_paths(d, &c);
	assert_int_equal(ck_write(d, &c, NULL), 1);
	t_stock_out(d->st, FX(state)->dana, "AT-0001", NULL);
	assert_int_equal(ck_write(d, &c, NULL), 1);
	t_stock_out(d->st, FX(state)->eve, "AT-0004", NULL);
	assert_int_equal(ck_write(d, &c, NULL), 1);
	assert_true(ck_verify(d, &c, 0, NULL, NULL));
	read_file(c.p.file, text, sizeof(text));
	l2 = strchr(text, '\n') + 1;
	l3 = strchr(l2, '\n') + 1;

	/* an edited time: the signature no longer matches */
	snprintf(edited, sizeof(edited), "%s", text);
	p = strstr(edited, " at=2");
	assert_non_null(p);
	p[5] = p[5] == '9' ? '8' : '9';
	write_file(c.p.file, edited);
	assert_false(ck_verify(d, &c, 0, "CHECKPOINT_BAD_SIGNATURE", NULL));
	memset(&r, 0, sizeof(r));
	T_EXPECT(checkpoint_write(d->st, &c.p, &ck, &written, &r, NULL, NULL, &e), AT_CONFLICT,
	         &e);
	assert_int_equal(written, 0);
	verify_report_free(&r);

	/* the middle line removed */
	snprintf(edited, sizeof(edited), "%.*s%s", (int)(l2 - text), text, l3);
	write_file(c.p.file, edited);
	assert_false(ck_verify(d, &c, 0, "CHECKPOINT_LINE_REMOVED", NULL));

	/* noise */
	snprintf(edited, sizeof(edited), "%snot a checkpoint\n", text);
	write_file(c.p.file, edited);
	assert_false(ck_verify(d, &c, 0, "CHECKPOINT_MALFORMED", NULL));

	/* the public key swapped for another: every line is another key's */
	write_file(c.p.file, text);
	write_file(c.p.pub, "0000000000000000000000000000000000000000000000000000000000000001\n");
	assert_false(ck_verify(d, &c, 0, "CHECKPOINT_OTHER_KEY", NULL));
	at_errors_free(&e);
}

/* The CLI: `checkpoint`, then `verify` checks the file by itself and
 * `verify --since-checkpoint` starts from it. */
static void test_cli_checkpoint(void **state)
{
	struct t_db *d = &FX(state)->db;
	struct t_run r;

	store_close(d->st);
	d->st = NULL;
	t_cli(&r, d->path, "checkpoint", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "signed and appended to"));
	t_run_free(&r);
	t_cli(&r, d->path, "checkpoint", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "nothing written"));
	t_run_free(&r);
	t_cli(&r, d->path, "verify", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "1 signed checkpoint hold"));
	t_run_free(&r);
	t_cli(&r, d->path, "verify", "--since-checkpoint", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "OK: 0 events after checkpoint"));
	t_run_free(&r);
	t_cli(&r, d->path, "verify", "--checkpoints", "/nonexistent/x", NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "cannot read the checkpoint file"));
	t_run_free(&r);
	d->st = t_store_open(d->path);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, t_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_verify_ok_busy),
		T(test_verify_ok_empty),
		T(test_verify_ok_after_reopen),
		T(test_verify_progress_optional),
		T(test_verify_bad_event_edited),
		T(test_verify_bad_event_actor_edited),
		T(test_verify_bad_event_due_edited),
		T(test_verify_bad_event_edited_and_rehashed),
		T(test_verify_bad_last_event_deleted),
		T(test_verify_bad_middle_event_deleted),
		T(test_verify_bad_triggers_missing),
		T(test_verify_bad_asset_holder_edited),
		T(test_verify_bad_asset_moved_slot),
		T(test_verify_bad_asset_moved_to_other_case),
		T(test_verify_bad_asset_returned_silently),
		T(test_verify_bad_asset_metadata_edited),
		T(test_verify_bad_asset_condition_edited),
		T(test_verify_bad_asset_inserted),
		T(test_verify_bad_holder_edited),
		T(test_verify_bad_holder_deactivated),
		T(test_verify_bad_asset_counts),
		T(test_verify_scratch_cache),
		T(test_verify_bad_case_grown_silently),
		T(test_verify_bad_invariant_broken),
		T(test_verify_bad_each_state_column),
		T(test_cli_verify_exit_codes),
		cmocka_unit_test(test_verify_anchor_parse),
		T(test_verify_anchor_holds),
		T(test_verify_anchor_catches_a_cut_log),
		T(test_verify_anchor_catches_a_rewritten_event),
		T(test_cli_head_and_anchors),
		T(test_checkpoint_write_and_since),
		T(test_checkpoint_catches_a_cut_log),
		T(test_checkpoint_catches_a_rewritten_event),
		T(test_checkpoint_since_catches_a_silent_edit),
		T(test_checkpoint_state_file_changed),
		T(test_checkpoint_state_mismatch),
		T(test_checkpoint_file_damage),
		T(test_cli_checkpoint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
