/*
 * test_report.c — the custody report, now and as of past instants
 * answered from the event log (core/report.h; SPEC §1, §6 "report
 * custody", §7 reports/custody).
 *
 * The clock is fixed with ASSETTRACK_FAKE_NOW so that events get known
 * times:
 *   2030-06-01 09:00  cases, holders, assets
 *   2030-06-02 10:00  Stock-Out AT-0001, AT-0002 to Dana, due 2030-06-10
 *   2030-06-05 10:00  Stock-In AT-0001
 *   2030-06-07 10:00  AT-0002 replaced by AT-0004 (Dana keeps a device)
 *   2030-06-15 12:00  Stock-Out AT-0003 to Eve, due 2030-06-20; "now"
 */
#include "testlib.h"

#include "core/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAKE "ASSETTRACK_FAKE_NOW"

struct rows {
	int n;
	char tag[8][AT_TAG_MAX + 1];
	char holder[8][AT_PERSON_MAX + 1];
	int overdue[8];
};

static int row_cb(void *ctx, const struct custody_row *row)
{
	struct rows *r = ctx;

	if (r->n < 8) {
		snprintf(r->tag[r->n], sizeof(r->tag[0]), "%s", row->asset.tag);
		snprintf(r->holder[r->n], sizeof(r->holder[0]), "%s", row->asset.holder_name);
		r->overdue[r->n] = row->overdue;
	}
	r->n++;
	return 0;
}

static int setup(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	struct stock_in_item back = { "AT-0001", NULL, 0 };
	struct asset o, r;
	struct store *st;
	int64_t dana, eve;
	const char *out1[] = { "AT-0001", "AT-0002" }, *out2[] = { "AT-0003" };
	struct holder_ref hd, he;

	setenv(FAKE, "2030-06-01T09:00:00.000Z", 1);
	if (t_setup(state) != 0)
		return -1;
	st = T_ST(state);
	t_case(st, "CASE-A", 10);
	dana = t_holder(st, "Dana Ruiz", "B-1");
	eve = t_holder(st, "Eve Long", "B-2");
	memset(&hd, 0, sizeof(hd));
	memset(&he, 0, sizeof(he));
	hd.id = dana;
	he.id = eve;
	for (int i = 1; i <= 4; i++) {
		char tag[16];
		snprintf(tag, sizeof(tag), "AT-%04d", i);
		t_asset(st, tag, "CASE-A", i);
	}
	setenv(FAKE, "2030-06-02T10:00:00.000Z", 1);
	memset(&res, 0, sizeof(res));
	T_OK(custody_stock_out(st, T_ACTOR, hd, "2030-06-10", out1, 2, &res, &e), &e);
	custody_result_free(&res);
	setenv(FAKE, "2030-06-05T10:00:00.000Z", 1);
	T_OK(custody_stock_in(st, T_ACTOR, &back, 1, &res, &e), &e);
	custody_result_free(&res);
	setenv(FAKE, "2030-06-07T10:00:00.000Z", 1);
	T_OK(asset_replace(st, T_ACTOR, "AT-0002", "AT-0004", "cracked", NULL, &o, &r, &e), &e);
	setenv(FAKE, "2030-06-15T12:00:00.000Z", 1);
	T_OK(custody_stock_out(st, T_ACTOR, he, "2030-06-20", out2, 1, &res, &e), &e);
	custody_result_free(&res);
	at_errors_free(&e);
	return 0;
}

static int teardown(void **state)
{
	unsetenv(FAKE);
	return t_teardown(state);
}

static struct rows report(struct store *st, const char *as_of, int overdue_only)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct rows r;
	char canon[AT_TIME_LEN + 1];

	memset(&r, 0, sizeof(r));
	if (as_of)
		assert_int_equal(text_parse_time(as_of, canon, NULL), 0);
	T_OK(report_custody(st, as_of ? canon : NULL, overdue_only, row_cb, &r, &e), &e);
	at_errors_free(&e);
	return r;
}

static void test_report_now(void **state)
{
	struct rows r = report(T_ST(state), NULL, 0);

	assert_int_equal(r.n, 2);
	assert_string_equal(r.tag[0], "AT-0003");
	assert_string_equal(r.holder[0], "Eve Long");
	assert_int_equal(r.overdue[0], 0);
	assert_string_equal(r.tag[1], "AT-0004"); /* the replacement, due carried over */
	assert_string_equal(r.holder[1], "Dana Ruiz");
	assert_int_equal(r.overdue[1], 1);
}

static void test_report_now_overdue_only(void **state)
{
	struct rows r = report(T_ST(state), NULL, 1);

	assert_int_equal(r.n, 1);
	assert_string_equal(r.tag[0], "AT-0004");
}

static void test_report_as_of_after_stock_out(void **state)
{
	struct rows r = report(T_ST(state), "2030-06-03T00:00Z", 0);

	assert_int_equal(r.n, 2);
	assert_string_equal(r.tag[0], "AT-0001");
	assert_string_equal(r.tag[1], "AT-0002");
	assert_string_equal(r.holder[0], "Dana Ruiz");
	assert_string_equal(r.holder[1], "Dana Ruiz");
	assert_int_equal(r.overdue[0], 0);
}

static void test_report_as_of_before_anything_held(void **state)
{
	struct rows r = report(T_ST(state), "2030-06-01T12:00Z", 0);

	assert_int_equal(r.n, 0);
}

static void test_report_as_of_instant_of_event(void **state)
{
	/* at <= as_of: the Stock-Out at exactly 10:00:00.000 counts */
	struct rows r = report(T_ST(state), "2030-06-02T10:00:00.000Z", 0);
	struct rows before = report(T_ST(state), "2030-06-02T09:59:59.999Z", 0);

	assert_int_equal(r.n, 2);
	assert_int_equal(before.n, 0);
}

static void test_report_as_of_after_replacement(void **state)
{
	struct rows r = report(T_ST(state), "2030-06-12", 0);

	assert_int_equal(r.n, 1);
	assert_string_equal(r.tag[0], "AT-0004");
	assert_int_equal(r.overdue[0], 1); /* due 06-10, before the as-of date */
	r = report(T_ST(state), "2030-06-12", 1);
	assert_int_equal(r.n, 1);
	r = report(T_ST(state), "2030-06-06", 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.tag[0], "AT-0002");
	r = report(T_ST(state), "2030-06-06", 1);
	assert_int_equal(r.n, 0);
}

static void test_report_as_of_leaves_live_state_alone(void **state)
{
	struct store *st = T_ST(state);
	uint64_t before = t_snapshot(st);

	(void)report(st, "2030-06-03", 0);
	assert_true(t_snapshot(st) == before);
	T_VERIFY_OK(st);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_report_now),
		T(test_report_now_overdue_only),
		T(test_report_as_of_after_stock_out),
		T(test_report_as_of_before_anything_held),
		T(test_report_as_of_instant_of_event),
		T(test_report_as_of_after_replacement),
		T(test_report_as_of_leaves_live_state_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
