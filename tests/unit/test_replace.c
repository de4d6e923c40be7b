/*
 * test_replace.c — replacing a faulty device without breaking custody
 * (asset_replace in core/asset.h; SPEC §5 "replace").
 */
#include "testlib.h"

#include <stdlib.h>
#include <string.h>

struct fx {
	struct t_db db;
	int64_t dana;
};

static int setup(void **state)
{
	struct fx *f;

	if (t_setup(state) != 0)
		return -1;
	f = realloc(*state, sizeof(*f));
	if (!f)
		return -1;
	*state = f;
	t_case(f->db.st, "CASE-A", 10);
	f->dana = t_holder(f->db.st, "Dana Ruiz", "B-1001");
	return 0;
}

#define FX(state) ((struct fx *)*(state))

/* asset_replace that must refuse without changing anything. */
static enum at_code replace_refused(struct store *st, const char *old_tag, const char *new_tag,
                                    const char *reason, const char *cond, struct at_errors *e)
{
	uint64_t before = t_snapshot(st);
	struct asset o, r;
	enum at_code c;

	at_errors_reset(e);
	c = asset_replace(st, T_ACTOR, old_tag, new_tag, reason, cond, &o, &r, e);
	if (c != AT_OK)
		assert_true(t_snapshot(st) == before);
	return c;
}

/* The two ASSET_REPLACED events of the last operation. */
static void last_two_events(struct store *st, struct t_event out[2])
{
	struct event_filter f;
	struct t_event *v;
	size_t n;

	memset(&f, 0, sizeof(f));
	f.descending = 1;
	f.limit = 2;
	v = t_event_rows(st, &f, &n);
	assert_int_equal(n, 2);
	out[0] = v[1]; /* ascending order */
	out[1] = v[0];
	free(v);
}

static void test_replace_in_custody(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct asset o, r, a;
	struct t_event ev[2];
	int64_t n0;

	t_asset(st, "AT-0001", "CASE-A", 1);
	t_asset(st, "AT-0002", "CASE-A", 2);
	t_stock_out(st, f->dana, "AT-0001", NULL);
	n0 = t_events(st);
	T_OK(asset_replace(st, T_ACTOR, "AT-0001", "AT-0002", "screen cracked", NULL, &o, &r, &e),
	     &e);
	assert_string_equal(o.tag, "AT-0001");
	assert_string_equal(r.tag, "AT-0002");
	assert_int_equal(t_events(st), n0 + 2);

	/* the replacement takes the holder and the due date */
	a = t_get(st, "AT-0002");
	assert_int_equal(a.state, ASSET_IN_CUSTODY);
	assert_int_equal(a.holder_id, f->dana);
	assert_string_equal(a.due, T_DUE);
	assert_int_equal(a.case_id, 0);
	/* the old one goes to the replacement's former slot, FAULTY */
	a = t_get(st, "AT-0001");
	assert_int_equal(a.state, ASSET_STORAGE);
	assert_int_equal(a.holder_id, 0);
	assert_string_equal(a.due, "");
	assert_string_equal(a.case_name, "CASE-A");
	assert_int_equal(a.position, 2);
	assert_int_equal(a.condition, COND_FAULTY);

	last_two_events(st, ev);
	assert_string_equal(ev[0].type, "ASSET_REPLACED");
	assert_string_equal(ev[1].type, "ASSET_REPLACED");
	assert_string_equal(ev[0].batch_id, ev[1].batch_id);
	assert_true((strcmp(ev[0].asset_tag, "AT-0001") == 0 &&
	             strcmp(ev[1].asset_tag, "AT-0002") == 0) ||
	            (strcmp(ev[0].asset_tag, "AT-0002") == 0 &&
	             strcmp(ev[1].asset_tag, "AT-0001") == 0));
	assert_string_equal(ev[0].reason, "screen cracked");
	assert_string_equal(ev[1].reason, "screen cracked");
	free(ev[0].details);
	free(ev[1].details);

	/* the holder is never without a device */
	assert_int_equal(store_asset_count(st, 1, ASSET_IN_CUSTODY), 1);
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

static void test_replace_in_custody_explicit_condition(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct asset o, r;

	t_asset(st, "AT-0001", "CASE-A", 1);
	t_asset(st, "AT-0002", "CASE-A", 2);
	t_stock_out(st, f->dana, "AT-0001", NULL);
	T_OK(asset_replace(st, T_ACTOR, "AT-0001", "AT-0002", "dented", "DAMAGED", &o, &r, &e), &e);
	assert_int_equal(t_get(st, "AT-0001").condition, COND_DAMAGED);
	/* the replacement keeps its own condition */
	assert_int_equal(t_get(st, "AT-0002").condition, COND_GOOD);
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

static void test_replace_in_custody_unslotted_replacement(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct asset o, r, a;

	t_asset(st, "AT-0001", "CASE-A", 1);
	t_asset(st, "AT-0002", NULL, 0);
	t_stock_out(st, f->dana, "AT-0001", NULL);
	T_OK(asset_replace(st, T_ACTOR, "AT-0001", "AT-0002", "battery swollen", NULL, &o, &r, &e),
	     &e);
	a = t_get(st, "AT-0001");
	assert_int_equal(a.state, ASSET_STORAGE);
	assert_int_equal(a.case_id, 0); /* the replacement had no slot */
	assert_int_equal(t_get(st, "AT-0002").holder_id, f->dana);
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

static void test_replace_storage_slotted_swaps_slots(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct asset o, r, a;
	int64_t n0;

	t_asset(st, "AT-0001", "CASE-A", 1);
	t_asset(st, "AT-0002", "CASE-A", 7);
	n0 = t_events(st);
	T_OK(asset_replace(st, T_ACTOR, "AT-0001", "AT-0002", "fails self test", NULL, &o, &r, &e),
	     &e);
	assert_int_equal(t_events(st), n0 + 2);
	a = t_get(st, "AT-0002");
	assert_int_equal(a.state, ASSET_STORAGE);
	assert_string_equal(a.case_name, "CASE-A");
	assert_int_equal(a.position, 1);
	a = t_get(st, "AT-0001");
	assert_int_equal(a.state, ASSET_STORAGE);
	assert_int_equal(a.position, 7);
	assert_int_equal(a.condition, COND_FAULTY);
	(void)f;
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

static void test_replace_match_key_inputs(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct asset o, r;
	struct t_event ev[2];

	t_asset(st, "AT-0001", "CASE-A", 1);
	t_asset(st, "AT-0002", "CASE-A", 2);
	t_stock_out(st, f->dana, "AT-0001", NULL);
	T_OK(asset_replace(st, T_ACTOR, "at0001", "AT0002\r\n", "scan", NULL, &o, &r, &e), &e);
	assert_string_equal(o.tag, "AT-0001");
	assert_string_equal(r.tag, "AT-0002");
	last_two_events(st, ev);
	/* events carry canonical tags */
	assert_true(strcmp(ev[0].asset_tag, "AT-0001") == 0 ||
	            strcmp(ev[0].asset_tag, "AT-0002") == 0);
	assert_true(strcmp(ev[1].asset_tag, "AT-0001") == 0 ||
	            strcmp(ev[1].asset_tag, "AT-0002") == 0);
	free(ev[0].details);
	free(ev[1].details);
	at_errors_free(&e);
}

static void test_replace_bad_old_unslotted_storage(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;

	t_asset(st, "AT-0001", NULL, 0);
	t_asset(st, "AT-0002", "CASE-A", 2);
	T_EXPECT(replace_refused(st, "AT-0001", "AT-0002", "r", NULL, &e), AT_NOT_SLOTTED, &e);
	(void)f;
	at_errors_free(&e);
}

static void test_replace_bad_replacement_in_custody(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;

	t_asset(st, "AT-0001", "CASE-A", 1);
	t_asset(st, "AT-0002", "CASE-A", 2);
	t_stock_out(st, f->dana, "AT-0001", "AT-0002", NULL);
	T_EXPECT(replace_refused(st, "AT-0001", "AT-0002", "r", NULL, &e), AT_NOT_IN_STORAGE, &e);
	assert_true(t_mentions(&e, "AT-0002"));
	at_errors_free(&e);
}

static void test_replace_bad_same_asset(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;

	t_asset(st, "AT-0001", "CASE-A", 1);
	T_REFUSED(replace_refused(st, "AT-0001", "AT-0001", "r", NULL, &e), &e);
	T_REFUSED(replace_refused(st, "AT-0001", "at0001", "r", NULL, &e), &e);
	t_stock_out(st, f->dana, "AT-0001", NULL);
	T_REFUSED(replace_refused(st, "AT-0001", "AT-0001", "r", NULL, &e), &e);
	at_errors_free(&e);
}

static void test_replace_bad_no_reason(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;

	t_asset(st, "AT-0001", "CASE-A", 1);
	t_asset(st, "AT-0002", "CASE-A", 2);
	t_stock_out(st, f->dana, "AT-0001", NULL);
	T_EXPECT(replace_refused(st, "AT-0001", "AT-0002", NULL, NULL, &e), AT_INVALID, &e);
	T_EXPECT(replace_refused(st, "AT-0001", "AT-0002", "", NULL, &e), AT_INVALID, &e);
	T_EXPECT(replace_refused(st, "AT-0001", "AT-0002", "  ", NULL, &e), AT_INVALID, &e);
	at_errors_free(&e);
}

static void test_replace_bad_condition(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;

	t_asset(st, "AT-0001", "CASE-A", 1);
	t_asset(st, "AT-0002", "CASE-A", 2);
	t_stock_out(st, f->dana, "AT-0001", NULL);
	T_EXPECT(replace_refused(st, "AT-0001", "AT-0002", "r", "SHATTERED", &e), AT_INVALID, &e);
	at_errors_free(&e);
}

static void test_replace_bad_retired(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;

	t_asset(st, "AT-0001", "CASE-A", 1);
	t_asset(st, "AT-0002", "CASE-A", 2);
	t_asset(st, "AT-0003", "CASE-A", 3);
	t_stock_out(st, f->dana, "AT-0001", NULL);
	T_OK(asset_retire(st, T_ACTOR, "AT-0002", "obsolete", NULL, &e), &e);
	/* a retired replacement */
	T_EXPECT2(replace_refused(st, "AT-0001", "AT-0002", "r", NULL, &e), AT_RETIRED,
	          AT_NOT_IN_STORAGE, &e);
	/* a retired old asset */
	T_EXPECT2(replace_refused(st, "AT-0002", "AT-0003", "r", NULL, &e), AT_RETIRED,
	          AT_NOT_IN_STORAGE, &e);
	at_errors_free(&e);
}

static void test_replace_bad_not_found(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;

	t_asset(st, "AT-0001", "CASE-A", 1);
	t_stock_out(st, f->dana, "AT-0001", NULL);
	T_EXPECT(replace_refused(st, "AT-0001", "AT-0404", "r", NULL, &e), AT_NOT_FOUND, &e);
	T_EXPECT(replace_refused(st, "AT-0404", "AT-0001", "r", NULL, &e), AT_NOT_FOUND, &e);
	at_errors_free(&e);
}

static void test_replace_then_stock_in_and_verify(void **state)
{
	struct fx *f = FX(state);
	struct store *st = f->db.st;
	struct at_errors e = AT_ERRORS_INIT;
	struct asset o, r;
	struct custody_result res;
	struct stock_in_item it = { "AT-0002", "CASE-A", 5 };

	t_asset(st, "AT-0001", "CASE-A", 1);
	t_asset(st, "AT-0002", "CASE-A", 2);
	t_stock_out(st, f->dana, "AT-0001", NULL);
	T_OK(asset_replace(st, T_ACTOR, "AT-0001", "AT-0002", "cracked", NULL, &o, &r, &e), &e);
	memset(&res, 0, sizeof(res));
	T_OK(custody_stock_in(st, T_ACTOR, &it, 1, &res, &e), &e);
	custody_result_free(&res);
	assert_int_equal(t_get(st, "AT-0002").position, 5);
	/* the returning holder is recorded on the Stock-In */
	{
		struct t_event ev = t_last_event(st);
		assert_string_equal(ev.type, "STOCK_IN");
		assert_int_equal(ev.holder_id, f->dana);
		free(ev.details);
	}
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, t_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_replace_in_custody),
		T(test_replace_in_custody_explicit_condition),
		T(test_replace_in_custody_unslotted_replacement),
		T(test_replace_storage_slotted_swaps_slots),
		T(test_replace_match_key_inputs),
		T(test_replace_bad_old_unslotted_storage),
		T(test_replace_bad_replacement_in_custody),
		T(test_replace_bad_same_asset),
		T(test_replace_bad_no_reason),
		T(test_replace_bad_condition),
		T(test_replace_bad_retired),
		T(test_replace_bad_not_found),
		T(test_replace_then_stock_in_and_verify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
