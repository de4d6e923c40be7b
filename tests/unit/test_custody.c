/*
 * test_custody.c — Stock-Out and Stock-In batches (core/custody.h;
 * SPEC §3.7–9, §4, §5).
 */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NSLOTS 60

struct fx {
	struct t_db db;
	int64_t dana, eve;
};

static int setup(void **state)
{
	struct fx *f;

	if (t_setup(state) != 0)
		return -1;
	/* Grow the fixture: struct t_db is the first member of struct fx. */
	f = realloc(*state, sizeof(*f));
	if (!f)
		return -1;
	*state = f;
	t_case(f->db.st, "CASE-A", NSLOTS);
	t_case(f->db.st, "CASE-B", 10);
	f->dana = t_holder(f->db.st, "Dana Ruiz", "B-1001");
	f->eve = t_holder(f->db.st, "Eve Long", "B-1002");
	return 0;
}

#define FX(state) ((struct fx *)*(state))

/* Assets AT-0001..AT-n in CASE-A slots 1..n. */
static void make_assets(struct store *st, int n)
{
	char tag[32];

	for (int i = 1; i <= n; i++) {
		snprintf(tag, sizeof(tag), "AT-%04d", i);
		t_asset(st, tag, "CASE-A", i);
	}
}

static enum at_code out_ref(struct store *st, struct holder_ref h, const char *due,
                            const char *const *tags, size_t n, struct custody_result *res,
                            struct at_errors *e)
{
	uint64_t before = t_snapshot(st);
	enum at_code c;

	at_errors_reset(e);
	memset(res, 0, sizeof(*res));
	c = custody_stock_out(st, T_ACTOR, h, due, tags, n, res, e);
	if (c != AT_OK) {
		/* all-or-nothing (invariant 7) */
		assert_true(t_snapshot(st) == before);
		assert_int_equal(e->code, c);
	}
	return c;
}

static enum at_code out(struct store *st, int64_t holder, const char *due,
                        const char *const *tags, size_t n, struct custody_result *res,
                        struct at_errors *e)
{
	struct holder_ref h = { .id = holder };

	return out_ref(st, h, due, tags, n, res, e);
}

static enum at_code in(struct store *st, const struct stock_in_item *items, size_t n,
                       struct custody_result *res, struct at_errors *e)
{
	uint64_t before = t_snapshot(st);
	enum at_code c;

	at_errors_reset(e);
	memset(res, 0, sizeof(*res));
	c = custody_stock_in(st, T_ACTOR, items, n, res, e);
	if (c != AT_OK) {
		assert_true(t_snapshot(st) == before);
		assert_int_equal(e->code, c);
	}
	return c;
}

/* ---- Stock-Out success ------------------------------------------------ */

static void test_stock_out_ok(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	const char *tags[] = { "at0001", "AT-0002\r\n", "AT-0003" };
	struct event_filter flt;
	struct t_event *v;
	size_t n;
	int64_t n0;

	make_assets(st, 3);
	n0 = t_events(st);
	T_OK(out(st, f->dana, T_DUE, tags, 3, &res, &e), &e);
	assert_int_equal(res.n, 3);
	assert_int_equal(strlen(res.batch_id), AT_BATCH_ID_LEN);
	/* canonical tags, input order */
	assert_string_equal(res.assets[0].tag, "AT-0001");
	assert_string_equal(res.assets[1].tag, "AT-0002");
	assert_string_equal(res.assets[2].tag, "AT-0003");
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(res.assets[i].state, ASSET_IN_CUSTODY);
		assert_int_equal(res.assets[i].holder_id, f->dana);
	}

	assert_int_equal(t_events(st), n0 + 3);
	memset(&flt, 0, sizeof(flt));
	flt.batch_id = res.batch_id;
	v = t_event_rows(st, &flt, &n);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		char tag[32];
		snprintf(tag, sizeof(tag), "AT-%04zu", i + 1);
		assert_string_equal(v[i].type, "STOCK_OUT");
		assert_string_equal(v[i].asset_tag, tag);
		assert_string_equal(v[i].from_case, "CASE-A");
		assert_int_equal(v[i].from_position, (int)i + 1);
		assert_string_equal(v[i].to_case, "");
		assert_int_equal(v[i].holder_id, f->dana);
		assert_string_equal(v[i].actor, T_ACTOR);
		if (!strstr(v[i].details, T_DUE))
			fail_msg("STOCK_OUT details lack the due date: %s", v[i].details);
	}
	t_events_free(v, n);

	for (int i = 1; i <= 3; i++) {
		char tag[32];
		struct asset a;
		snprintf(tag, sizeof(tag), "AT-%04d", i);
		a = t_get(st, tag);
		assert_int_equal(a.state, ASSET_IN_CUSTODY);
		assert_int_equal(a.holder_id, f->dana);
		assert_string_equal(a.holder_name, "Dana Ruiz");
		assert_string_equal(a.due, T_DUE);
		assert_int_equal(a.case_id, 0);
		assert_true(a.custody_since[0] != '\0');
		assert_string_equal(a.last_case_name, "CASE-A");
		assert_int_equal(a.last_position, i);
	}
	custody_result_free(&res);
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

static void test_stock_out_ok_by_badge_no_due(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	struct holder_ref h = { .text = "B-1002" };
	const char *tags[] = { "AT-0001" };

	make_assets(st, 1);
	T_OK(out_ref(st, h, NULL, tags, 1, &res, &e), &e);
	custody_result_free(&res);
	assert_int_equal(t_get(st, "AT-0001").holder_id, f->eve);
	assert_string_equal(t_get(st, "AT-0001").due, "");
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

/* ---- Stock-Out refusals ----------------------------------------------- */

static void test_stock_out_bad_not_found(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	const char *tags[] = { "AT-0001", "AT-0404" };

	make_assets(st, 1);
	T_EXPECT(out(st, f->dana, T_DUE, tags, 2, &res, &e), AT_NOT_FOUND, &e);
	assert_int_equal(e.nitems, 1);
	assert_int_equal(t_items(&e, "AT-0404", AT_NOT_FOUND), 1);
	assert_int_equal(t_get(st, "AT-0001").state, ASSET_STORAGE);
	at_errors_free(&e);
}

static void test_stock_out_bad_in_custody_names_holder(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	const char *tags[] = { "AT-0009" };

	make_assets(st, 9);
	t_stock_out(st, f->dana, "AT-0009", NULL);
	T_EXPECT(out(st, f->eve, T_DUE, tags, 1, &res, &e), AT_NOT_IN_STORAGE, &e);
	assert_int_equal(t_items(&e, "AT-0009", AT_NOT_IN_STORAGE), 1);
	if (!t_contains_ci(e.items[0].message, "Dana Ruiz"))
		fail_msg("refusal does not name the holder: %s", e.items[0].message);
	assert_int_equal(t_get(st, "AT-0009").holder_id, f->dana);
	at_errors_free(&e);
}

static void test_stock_out_bad_retired(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	const char *tags[] = { "AT-0001" };

	make_assets(st, 1);
	T_OK(asset_retire(st, T_ACTOR, "AT-0001", "obsolete", NULL, &e), &e);
	T_EXPECT2(out(st, f->dana, T_DUE, tags, 1, &res, &e), AT_RETIRED, AT_NOT_IN_STORAGE, &e);
	assert_int_equal(e.nitems, 1);
	at_errors_free(&e);
}

static void test_stock_out_bad_odd_inputs(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	static char huge[10000];
	const char *tags[] = { "AT-0001", "CASE-A/2", huge, "", "AT-00\x01" "01" };

	make_assets(st, 2);
	memset(huge, 'A', sizeof(huge) - 1);
	/* a slot label is not a tag; an endless scan, an empty one and an
	 * unprintable one are each refused on their own line */
	T_REFUSED(out(st, f->dana, T_DUE, tags, 5, &res, &e), &e);
	if (e.nitems != 4)
		t_dump("report", &e);
	assert_int_equal(e.nitems, 4);
	for (size_t i = 0; i < e.nitems; i++) {
		assert_true(strlen(e.items[i].input) < AT_INPUT_MAX);
		assert_true(e.items[i].message[0] != '\0');
	}
	assert_int_equal(t_get(st, "AT-0001").state, ASSET_STORAGE);
	at_errors_free(&e);
}

static void test_stock_out_bad_unslotted(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	const char *tags[] = { "AT-0001" };

	t_asset(st, "AT-0001", NULL, 0);
	T_EXPECT(out(st, f->dana, T_DUE, tags, 1, &res, &e), AT_NOT_SLOTTED, &e);
	assert_int_equal(t_items(&e, "AT-0001", AT_NOT_SLOTTED), 1);
	at_errors_free(&e);
}

static void test_stock_out_bad_duplicate_in_batch(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	const char *same[] = { "AT-0009", "AT-0001", "AT-0009" };
	const char *keyed[] = { "AT-0009", "at0009" };

	make_assets(st, 9);
	T_EXPECT(out(st, f->dana, T_DUE, same, 3, &res, &e), AT_DUPLICATE_IN_BATCH, &e);
	assert_true(t_items(&e, NULL, AT_DUPLICATE_IN_BATCH) >= 1);
	/* two spellings of one asset are still the same asset */
	T_EXPECT(out(st, f->dana, T_DUE, keyed, 2, &res, &e), AT_DUPLICATE_IN_BATCH, &e);
	assert_true(t_items(&e, NULL, AT_DUPLICATE_IN_BATCH) >= 1);
	assert_int_equal(t_get(st, "AT-0009").state, ASSET_STORAGE);
	at_errors_free(&e);
}

static void test_stock_out_bad_due(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	const char *tags[] = { "AT-0001" };

	make_assets(st, 1);
	T_EXPECT(out(st, f->dana, "2000-01-01", tags, 1, &res, &e), AT_INVALID, &e);
	T_EXPECT(out(st, f->dana, "2099-02-30", tags, 1, &res, &e), AT_INVALID, &e);
	T_EXPECT(out(st, f->dana, "tomorrow", tags, 1, &res, &e), AT_INVALID, &e);
	T_EXPECT(out(st, f->dana, "2099-12-31T10:00Z", tags, 1, &res, &e), AT_INVALID, &e);
	at_errors_free(&e);
}

static int setup_fake_now(void **state)
{
	setenv("ASSETTRACK_FAKE_NOW", "2030-06-15T12:00:00.000Z", 1);
	return setup(state);
}

static int teardown_fake_now(void **state)
{
	unsetenv("ASSETTRACK_FAKE_NOW");
	return t_teardown(state);
}

static void test_stock_out_due_today_ok_yesterday_bad(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	const char *tags[] = { "AT-0001" };

	make_assets(st, 1);
	T_EXPECT(out(st, f->dana, "2030-06-14", tags, 1, &res, &e), AT_INVALID, &e);
	T_OK(out(st, f->dana, "2030-06-15", tags, 1, &res, &e), &e);
	custody_result_free(&res);
	assert_string_equal(t_get(st, "AT-0001").due, "2030-06-15");
	at_errors_free(&e);
}

static void test_stock_out_bad_holder(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	const char *tags[] = { "AT-0001" };
	struct holder_ref nobody = { .text = "B-4040" };
	struct holder h;

	make_assets(st, 1);
	T_EXPECT(out(st, 999, T_DUE, tags, 1, &res, &e), AT_NOT_FOUND, &e);
	T_EXPECT(out_ref(st, nobody, T_DUE, tags, 1, &res, &e), AT_NOT_FOUND, &e);
	T_OK(holder_update(st, T_ACTOR, f->eve, NULL, NULL, NULL, 0, &h, &e), &e);
	T_EXPECT(out(st, f->eve, T_DUE, tags, 1, &res, &e), AT_HOLDER_INACTIVE, &e);
	at_errors_free(&e);
}

static void test_stock_out_bad_empty_batch(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	const char *tags[] = { "AT-0001" };

	make_assets(st, 1);
	at_errors_reset(&e);
	T_REFUSED(out(st, f->dana, T_DUE, tags, 0, &res, &e), &e);
	at_errors_free(&e);
}

static void test_stock_out_bad_too_many(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	enum { N = AT_MAX_BATCH + 1 };
	static char names[N][16];
	static const char *tags[N];

	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "X-%05d", i);
		tags[i] = names[i];
	}
	T_EXPECT(out(st, f->dana, T_DUE, tags, N, &res, &e), AT_TOO_LARGE, &e);
	/* exactly the limit is not too large: every unknown tag is reported */
	T_EXPECT(out(st, f->dana, T_DUE, tags, N - 1, &res, &e), AT_NOT_FOUND, &e);
	assert_int_equal(e.nitems, N - 1);
	at_errors_free(&e);
}

static void test_stock_out_all_or_nothing_one_bad(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	char names[50][24];
	const char *tags[50];
	int64_t n0;

	make_assets(st, 50);
	for (int i = 0; i < 50; i++) {
		snprintf(names[i], sizeof(names[i]), "AT-%04d", i + 1);
		tags[i] = names[i];
	}
	tags[24] = "AT-9999";
	n0 = t_events(st);
	T_EXPECT(out(st, f->dana, T_DUE, tags, 50, &res, &e), AT_NOT_FOUND, &e);
	assert_int_equal(e.nitems, 1);
	assert_int_equal(t_items(&e, "AT-9999", AT_NOT_FOUND), 1);
	assert_int_equal(t_events(st), n0);
	assert_int_equal(t_events_of(st, "STOCK_OUT", NULL), 0);
	assert_int_equal(store_asset_count(st, 1, ASSET_STORAGE), 50);
	assert_int_equal(store_asset_count(st, 1, ASSET_IN_CUSTODY), 0);
	at_errors_free(&e);
}

static void test_stock_out_every_bad_reported(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	char names[50][24];
	const char *tags[50];
	int64_t n0;

	make_assets(st, 50);
	t_stock_out(st, f->eve, "AT-0010", NULL);
	T_OK(slot_force_vacate(st, T_ACTOR, "CASE-A", 20, "foam torn", NULL, &e), &e);
	for (int i = 0; i < 50; i++) {
		snprintf(names[i], sizeof(names[i]), "AT-%04d", i + 1);
		tags[i] = names[i];
	}
	tags[29] = "AT-9999";
	n0 = t_events(st);
	T_REFUSED(out(st, f->dana, T_DUE, tags, 50, &res, &e), &e);
	if (e.nitems != 3)
		t_dump("report", &e);
	assert_int_equal(e.nitems, 3);
	assert_int_equal(t_items(&e, "AT-0010", AT_NOT_IN_STORAGE), 1);
	assert_int_equal(t_items(&e, "AT-0020", AT_NOT_SLOTTED), 1);
	assert_int_equal(t_items(&e, "AT-9999", AT_NOT_FOUND), 1);
	for (size_t i = 0; i < e.nitems; i++)
		assert_true(e.items[i].message[0] != '\0');
	assert_int_equal(t_events(st), n0);
	assert_int_equal(store_asset_count(st, 1, ASSET_IN_CUSTODY), 1);
	at_errors_free(&e);
}

/* Invariant 9: two processes race for the same assets; exactly one wins
 * and the other gets a conflict, nothing is double-booked. */
static void test_stock_out_race_one_wins(void **state)
{
	struct fx *f = FX(state);
	struct t_db *d = &f->db;
	char names[40][24];
	const char *tags[40];
	int go[2], status[2], wins = 0, conflicts = 0;
	pid_t pid[2];
	int64_t holder[2] = { f->dana, f->eve };

	make_assets(d->st, 40);
	for (int i = 0; i < 40; i++) {
		snprintf(names[i], sizeof(names[i]), "AT-%04d", i + 1);
		tags[i] = names[i];
	}
	store_close(d->st);
	d->st = NULL;
	assert_int_equal(pipe(go), 0);
	fflush(stdout);
	fflush(stderr);
	for (int k = 0; k < 2; k++) {
		pid[k] = fork();
		assert_true(pid[k] >= 0);
		if (pid[k] == 0) {
			struct at_errors e = AT_ERRORS_INIT;
			struct custody_result res;
			struct holder_ref h = { .id = holder[k] };
			struct store *st = NULL;
			char c;
			enum at_code r;

			close(go[1]);
			if (store_open(d->path, 0, &st, &e) != AT_OK)
				_exit(10);
			if (read(go[0], &c, 1) < 0) /* wait for the start signal */
				_exit(11);
			memset(&res, 0, sizeof(res));
			r = custody_stock_out(st, T_ACTOR, h, T_DUE, tags, 40, &res, &e);
			custody_result_free(&res);
			store_close(st);
			at_errors_free(&e);
			_exit(r == AT_OK ? 0 : (r == AT_NOT_IN_STORAGE || r == AT_CONFLICT) ? 1 : 20 + (int)r);
		}
	}
	close(go[0]);
	close(go[1]); /* EOF releases both at once */
	for (int k = 0; k < 2; k++) {
		assert_int_equal(waitpid(pid[k], &status[k], 0), pid[k]);
		assert_true(WIFEXITED(status[k]));
		if (WEXITSTATUS(status[k]) == 0)
			wins++;
		else if (WEXITSTATUS(status[k]) == 1)
			conflicts++;
		else
			fail_msg("racer %d exited %d", k, WEXITSTATUS(status[k]));
	}
	assert_int_equal(wins, 1);
	assert_int_equal(conflicts, 1);
	t_reopen(d);
	assert_int_equal(store_asset_count(d->st, 1, ASSET_IN_CUSTODY), 40);
	assert_int_equal(t_events_of(d->st, "STOCK_OUT", NULL), 40);
	T_VERIFY_OK(d->st);
}

/* ---- Stock-In --------------------------------------------------------- */

static void test_stock_in_ok_default_slot(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	struct stock_in_item items[] = { { "at0001", NULL, 0 }, { "AT-0002\r\n", NULL, 0 },
	                                 { "AT-0003", NULL, 0 } };
	struct event_filter flt;
	struct t_event *v;
	size_t n;
	int64_t n0;

	make_assets(st, 3);
	t_stock_out(st, f->dana, "AT-0001", "AT-0002", "AT-0003", NULL);
	n0 = t_events(st);
	T_OK(in(st, items, 3, &res, &e), &e);
	assert_int_equal(res.n, 3);
	assert_string_equal(res.assets[0].tag, "AT-0001");
	assert_string_equal(res.assets[1].tag, "AT-0002");
	assert_int_equal(t_events(st), n0 + 3);
	memset(&flt, 0, sizeof(flt));
	flt.batch_id = res.batch_id;
	v = t_event_rows(st, &flt, &n);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(v[i].type, "STOCK_IN");
		assert_string_equal(v[i].to_case, "CASE-A");
		assert_int_equal(v[i].to_position, (int)i + 1);
		assert_int_equal(v[i].holder_id, f->dana); /* the returning holder */
	}
	t_events_free(v, n);
	custody_result_free(&res);
	for (int i = 1; i <= 3; i++) {
		char tag[32];
		struct asset a;
		snprintf(tag, sizeof(tag), "AT-%04d", i);
		a = t_get(st, tag);
		assert_int_equal(a.state, ASSET_STORAGE);
		assert_int_equal(a.holder_id, 0);
		assert_string_equal(a.due, "");
		assert_string_equal(a.case_name, "CASE-A");
		assert_int_equal(a.position, i);
	}
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

static void test_stock_in_ok_explicit_destination(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	struct stock_in_item items[] = { { "AT-0001", "CASE-B", 4 } };
	struct t_event ev;

	make_assets(st, 1);
	t_stock_out(st, f->dana, "AT-0001", NULL);
	T_OK(in(st, items, 1, &res, &e), &e);
	custody_result_free(&res);
	assert_string_equal(t_get(st, "AT-0001").case_name, "CASE-B");
	assert_int_equal(t_get(st, "AT-0001").position, 4);
	ev = t_last_event(st);
	assert_string_equal(ev.type, "STOCK_IN");
	assert_string_equal(ev.to_case, "CASE-B");
	assert_int_equal(ev.to_position, 4);
	free(ev.details);
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

static void test_stock_in_bad_default_slot_occupied(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	struct stock_in_item items[] = { { "AT-0001", NULL, 0 } };

	make_assets(st, 1);
	t_stock_out(st, f->dana, "AT-0001", NULL);
	t_asset(st, "AT-0099", "CASE-A", 1); /* someone filled the slot */
	T_EXPECT(in(st, items, 1, &res, &e), AT_SLOT_OCCUPIED, &e);
	assert_int_equal(t_items(&e, "AT-0001", AT_SLOT_OCCUPIED), 1);
	assert_true(t_mentions(&e, "AT-0099") || t_mentions(&e, "CASE-A/1"));
	/* with an explicit destination it goes in */
	items[0].case_name = "CASE-A";
	items[0].position = 2;
	T_OK(in(st, items, 1, &res, &e), &e);
	custody_result_free(&res);
	assert_int_equal(t_get(st, "AT-0001").position, 2);
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

static void test_stock_in_bad_destination_twice(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	struct stock_in_item both_explicit[] = { { "AT-0001", "CASE-B", 1 },
	                                         { "AT-0002", "CASE-B", 1 } };
	/* AT-0001's default is CASE-A/1; AT-0002 names it explicitly */
	struct stock_in_item default_and_explicit[] = { { "AT-0001", NULL, 0 },
	                                                { "AT-0002", "CASE-A", 1 } };

	make_assets(st, 2);
	t_stock_out(st, f->dana, "AT-0001", "AT-0002", NULL);
	T_REFUSED(in(st, both_explicit, 2, &res, &e), &e);
	assert_true(e.nitems >= 1);
	T_REFUSED(in(st, default_and_explicit, 2, &res, &e), &e);
	assert_true(e.nitems >= 1);
	assert_int_equal(store_asset_count(st, 1, ASSET_IN_CUSTODY), 2);
	at_errors_free(&e);
}

static void test_stock_in_bad_same_default_twice(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	struct stock_in_item items[] = { { "AT-0001", NULL, 0 }, { "AT-0002", NULL, 0 } };

	/* Both left CASE-A/1 at their last Stock-Out. */
	t_asset(st, "AT-0001", "CASE-A", 1);
	t_asset(st, "AT-0002", NULL, 0);
	t_stock_out(st, f->dana, "AT-0001", NULL);
	T_OK(slot_assign(st, T_ACTOR, "AT-0002", "CASE-A", 1, NULL, &e), &e);
	t_stock_out(st, f->eve, "AT-0002", NULL);
	T_REFUSED(in(st, items, 2, &res, &e), &e);
	assert_true(e.nitems >= 1);
	at_errors_free(&e);
}

static void test_stock_in_bad_not_in_custody(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	struct stock_in_item items[] = { { "AT-0001", "CASE-B", 1 } };
	struct stock_in_item missing[] = { { "AT-0404", "CASE-B", 1 } };

	make_assets(st, 1);
	T_EXPECT(in(st, items, 1, &res, &e), AT_NOT_IN_CUSTODY, &e);
	assert_int_equal(t_items(&e, "AT-0001", AT_NOT_IN_CUSTODY), 1);
	T_EXPECT(in(st, missing, 1, &res, &e), AT_NOT_FOUND, &e);
	(void)f;
	at_errors_free(&e);
}

static void test_stock_in_bad_destination(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	struct stock_in_item items[] = { { "AT-0001", "CASE-B", 11 } };

	make_assets(st, 2);
	t_stock_out(st, f->dana, "AT-0001", NULL);
	T_EXPECT(in(st, items, 1, &res, &e), AT_SLOT_NOT_FOUND, &e);
	items[0].case_name = "NOPE";
	items[0].position = 1;
	T_EXPECT(in(st, items, 1, &res, &e), AT_NOT_FOUND, &e);
	items[0].case_name = "CASE-A";
	items[0].position = 2; /* holds AT-0002 */
	T_EXPECT(in(st, items, 1, &res, &e), AT_SLOT_OCCUPIED, &e);
	at_errors_free(&e);
}

static void test_stock_in_bad_duplicate_asset(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	struct stock_in_item items[] = { { "AT-0001", "CASE-B", 1 }, { "at0001", "CASE-B", 2 } };

	make_assets(st, 1);
	t_stock_out(st, f->dana, "AT-0001", NULL);
	T_REFUSED(in(st, items, 2, &res, &e), &e);
	assert_true(e.nitems >= 1);
	at_errors_free(&e);
}

static void test_stock_in_every_bad_reported(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	struct stock_in_item items[] = {
		{ "AT-0001", NULL, 0 },        /* ok */
		{ "AT-0002", "CASE-B", 99 },   /* no such slot */
		{ "AT-0003", NULL, 0 },        /* ok */
		{ "AT-0004", "CASE-B", 1 },    /* not in custody */
		{ "AT-0404", NULL, 0 },        /* unknown */
	};

	make_assets(st, 4);
	t_stock_out(st, f->dana, "AT-0001", "AT-0002", "AT-0003", NULL);
	T_REFUSED(in(st, items, 5, &res, &e), &e);
	if (e.nitems != 3)
		t_dump("report", &e);
	assert_int_equal(e.nitems, 3);
	assert_int_equal(t_items(&e, "AT-0002", AT_SLOT_NOT_FOUND), 1);
	assert_int_equal(t_items(&e, "AT-0004", AT_NOT_IN_CUSTODY), 1);
	assert_int_equal(t_items(&e, "AT-0404", AT_NOT_FOUND), 1);
	assert_int_equal(store_asset_count(st, 1, ASSET_IN_CUSTODY), 3);
	at_errors_free(&e);
}

static void test_stock_in_bad_empty_and_too_many(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	static struct stock_in_item items[AT_MAX_BATCH + 1];

	for (size_t i = 0; i <= AT_MAX_BATCH; i++)
		items[i].tag = "AT-0001";
	T_REFUSED(in(st, items, 0, &res, &e), &e);
	T_EXPECT(in(st, items, AT_MAX_BATCH + 1, &res, &e), AT_TOO_LARGE, &e);
	(void)f;
	at_errors_free(&e);
}

static void test_custody_round_trip_verifies(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	struct stock_in_item items[] = { { "AT-0001", NULL, 0 }, { "AT-0002", "CASE-B", 2 } };
	const char *tags[] = { "AT-0001", "AT-0002" };

	make_assets(st, 2);
	for (int round = 0; round < 3; round++) {
		T_OK(out(st, round % 2 ? f->eve : f->dana, T_DUE, tags, 2, &res, &e), &e);
		custody_result_free(&res);
		items[1].case_name = round % 2 ? "CASE-A" : "CASE-B";
		T_OK(in(st, items, 2, &res, &e), &e);
		custody_result_free(&res);
	}
	assert_int_equal(t_events_of(st, "STOCK_OUT", NULL), 6);
	assert_int_equal(t_events_of(st, "STOCK_IN", NULL), 6);
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

/* A batch of exactly AT_MAX_BATCH items goes through both ways. */
static void test_custody_full_size_batch(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	static char names[AT_MAX_BATCH][16];
	static const char *tags[AT_MAX_BATCH];
	static struct stock_in_item items[AT_MAX_BATCH];

	t_case(st, "BIG", AT_MAX_BATCH);
	for (int i = 0; i < AT_MAX_BATCH; i++) {
		snprintf(names[i], sizeof(names[i]), "BG-%04d", i + 1);
		tags[i] = names[i];
		items[i].tag = names[i];
		t_asset(st, names[i], "BIG", i + 1);
	}
	T_OK(out(st, f->dana, T_DUE, tags, AT_MAX_BATCH, &res, &e), &e);
	assert_int_equal(res.n, AT_MAX_BATCH);
	assert_int_equal(t_events_of(st, "STOCK_OUT", res.batch_id), AT_MAX_BATCH);
	custody_result_free(&res);
	assert_int_equal(store_asset_count(st, 1, ASSET_IN_CUSTODY), AT_MAX_BATCH);
	T_OK(in(st, items, AT_MAX_BATCH, &res, &e), &e);
	assert_int_equal(t_events_of(st, "STOCK_IN", res.batch_id), AT_MAX_BATCH);
	custody_result_free(&res);
	assert_int_equal(t_get(st, "BG-0777").position, 777);
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

/* Bulk mode (no fsync per commit) for the thousand-asset fixture. */
static int setup_bulk(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct at_errors e = AT_ERRORS_INIT;

	if (!f)
		return -1;
	t_db_path(f->db.path, sizeof(f->db.path), "bulk");
	if (store_open(f->db.path, STORE_CREATE | STORE_BULK, &f->db.st, &e) != AT_OK) {
		at_errors_free(&e);
		free(f);
		return -1;
	}
	*state = f;
	f->dana = t_holder(f->db.st, "Dana Ruiz", "B-1001");
	return 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, t_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_stock_out_ok),
		T(test_stock_out_ok_by_badge_no_due),
		T(test_stock_out_bad_not_found),
		T(test_stock_out_bad_in_custody_names_holder),
		T(test_stock_out_bad_retired),
		T(test_stock_out_bad_unslotted),
		T(test_stock_out_bad_odd_inputs),
		T(test_stock_out_bad_duplicate_in_batch),
		T(test_stock_out_bad_due),
		cmocka_unit_test_setup_teardown(test_stock_out_due_today_ok_yesterday_bad,
		                                setup_fake_now, teardown_fake_now),
		T(test_stock_out_bad_holder),
		T(test_stock_out_bad_empty_batch),
		T(test_stock_out_bad_too_many),
		T(test_stock_out_all_or_nothing_one_bad),
		T(test_stock_out_every_bad_reported),
		T(test_stock_out_race_one_wins),
		T(test_stock_in_ok_default_slot),
		T(test_stock_in_ok_explicit_destination),
		T(test_stock_in_bad_default_slot_occupied),
		T(test_stock_in_bad_destination_twice),
		T(test_stock_in_bad_same_default_twice),
		T(test_stock_in_bad_not_in_custody),
		T(test_stock_in_bad_destination),
		T(test_stock_in_bad_duplicate_asset),
		T(test_stock_in_every_bad_reported),
		T(test_stock_in_bad_empty_and_too_many),
		T(test_custody_round_trip_verifies),
		cmocka_unit_test_setup_teardown(test_custody_full_size_batch, setup_bulk, t_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
