/*
 * test_read.c — the read API every front end uses (core/read.h), the
 * paged custody report (report_custody_from) and the field tables
 * (core/fields.h).
 *
 * Fixture, at a fixed clock (ASSETTRACK_FAKE_NOW):
 *   2030-06-01 09:00  case CASE-A (10 slots), case CASE-B (3 slots)
 *                     holders Dana Ruiz (B-1), Eve Stone (B-2), Old Timer (B-3)
 *                     AT-0001..AT-0006 in CASE-A slots 1..6, AT-0007 unslotted
 *   2030-06-02 10:00  Stock-Out AT-0001, AT-0002 to Dana, due 2030-06-10
 *   2030-06-03 10:00  Stock-Out AT-0003 to Eve, no due date
 *   2030-06-04 10:00  AT-0006 retired; Old Timer deactivated
 *   "now" is 2030-06-12 12:00: AT-0001 and AT-0002 are overdue.
 */
#include "testlib.h"

#include "core/fields.h"
#include "core/read.h"
#include "core/report.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAKE "ASSETTRACK_FAKE_NOW"

static int64_t dana, eve, old_timer;

static void at(const char *t)
{
	setenv(FAKE, t, 1);
}

static int setup(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct asset a;
	struct holder h;
	struct store *st;
	struct asset_input in;
	char tag[16];

	at("2030-06-01T09:00:00.000Z");
	if (t_setup(state) != 0)
		return -1;
	st = T_ST(state);
	t_case(st, "CASE-A", 10);
	t_case(st, "CASE-B", 3);
	dana = t_holder(st, "Dana Ruiz", "B-1");
	eve = t_holder(st, "Eve Stone", "B-2");
	old_timer = t_holder(st, "Old Timer", "B-3");
	for (int i = 1; i <= 6; i++) {
		snprintf(tag, sizeof(tag), "AT-000%d", i);
		t_asset(st, tag, "CASE-A", i);
	}
	in = t_input("AT-0007");
	in.notes = "50% off_sale";
	T_OK(asset_create(st, T_ACTOR, &in, NULL, &e), &e);
	at("2030-06-02T10:00:00.000Z");
	{
		struct custody_result res;
		const char *tags[] = { "AT-0001", "AT-0002" };
		struct holder_ref hr = { .id = dana };
		T_OK(custody_stock_out(st, T_ACTOR, hr, "2030-06-10", tags, 2, &res, &e), &e);
		custody_result_free(&res);
	}
	at("2030-06-03T10:00:00.000Z");
	t_stock_out(st, eve, "AT-0003", NULL);
	at("2030-06-04T10:00:00.000Z");
	T_OK(asset_retire(st, T_ACTOR, "AT-0006", "end of life", &a, &e), &e);
	T_OK(holder_update(st, T_ACTOR, old_timer, NULL, NULL, NULL, 0, &h, &e), &e);
	at_errors_free(&e);
	at("2030-06-12T12:00:00.000Z");
	return 0;
}

static int teardown(void **state)
{
	unsetenv(FAKE);
	return t_teardown(state);
}

/* ---- collecting callbacks ------------------------------------------ */

struct tags {
	int n;
	char tag[16][AT_TAG_MAX + 1];
};

static int take_asset(void *ctx, const struct asset *a)
{
	struct tags *t = ctx;

	if (t->n < 16)
		snprintf(t->tag[t->n], sizeof(t->tag[0]), "%s", a->tag);
	t->n++;
	return 0;
}

static int take_holder(void *ctx, const struct holder *h)
{
	struct tags *t = ctx;

	if (t->n < 16)
		snprintf(t->tag[t->n], sizeof(t->tag[0]), "%s", h->name);
	t->n++;
	return 0;
}

static int take_row(void *ctx, const struct custody_row *row)
{
	return take_asset(ctx, &row->asset);
}

/* Keep at most `limit` rows, then stop (as a page does). */
struct page_of {
	struct tags t;
	int limit;
	char cursor[REPORT_CURSOR_MAX];    /* of the last row kept */
};

static int take_page(void *ctx, const struct custody_row *row)
{
	struct page_of *p = ctx;

	if (p->t.n >= p->limit)
		return 1;
	snprintf(p->cursor, sizeof(p->cursor), "%s", row->cursor);
	return take_asset(&p->t, &row->asset);
}

/* ---- cases ---------------------------------------------------------- */

static void test_read_case_slots_places_each_asset_at_its_position(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct case_slots cs;

	T_OK(read_case_slots(T_ST(state), "CASE-A", &cs, &e), &e);
	assert_int_equal(cs.c.slot_count, 10);
	/* AT-0001..3 are out, AT-0006 retired: slots 4 and 5 hold assets */
	for (int i = 0; i < 10; i++) {
		if (i == 3 || i == 4) {
			assert_non_null(cs.slot[i]);
			assert_int_equal(cs.slot[i]->position, i + 1);
		} else {
			assert_null(cs.slot[i]);
		}
	}
	assert_string_equal(cs.slot[3]->tag, "AT-0004");
	assert_string_equal(cs.slot[4]->tag, "AT-0005");
	case_slots_free(&cs);
	assert_null(cs.slot);
}

static void test_read_case_slots_unknown_case_is_not_found_in_words(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct case_slots cs;

	assert_int_equal(read_case_slots(T_ST(state), "NOPE", &cs, &e), AT_NOT_FOUND);
	assert_string_equal(e.message, "there is no case named 'NOPE'");
	assert_null(cs.slot);
	at_errors_free(&e);
}

static void test_read_case_id_resolves_a_name(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	int64_t id = -1;

	T_OK(read_case_id(T_ST(state), "CASE-B", &id, &e), &e);
	assert_true(id > 0);
	assert_int_equal(read_case_id(T_ST(state), "CASE-Z", &id, &e), AT_NOT_FOUND);
	assert_int_equal(id, 0);
	at_errors_free(&e);
}

static void test_read_assets_in_one_case_in_tag_order(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_filter f;
	struct tags t = { 0 };

	memset(&f, 0, sizeof(f));
	T_OK(read_case_id(T_ST(state), "CASE-A", &f.case_id, &e), &e);
	T_OK(read_assets(T_ST(state), &f, take_asset, &t, &e), &e);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.tag[0], "AT-0004");
	assert_string_equal(t.tag[1], "AT-0005");
}

/* ---- holders -------------------------------------------------------- */

static void test_read_holder_assets_lists_what_they_hold(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct tags t = { 0 };

	T_OK(read_holder_assets(T_ST(state), dana, take_asset, &t, &e), &e);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.tag[0], "AT-0001");
	assert_string_equal(t.tag[1], "AT-0002");
	t.n = 0;
	T_OK(read_holder_assets(T_ST(state), old_timer, take_asset, &t, &e), &e);
	assert_int_equal(t.n, 0);
}

static void test_read_holder_unknown_id_is_not_found_in_words(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct holder h;

	assert_int_equal(read_holder(T_ST(state), 9999, &h, &e), AT_NOT_FOUND);
	assert_string_equal(e.message, "there is no holder #9999");
	at_errors_free(&e);
}

static void test_read_holder_search_by_name_part_badge_or_id_active_only(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct tags t = { 0 };
	char id[24];

	T_OK(read_holder_search(T_ST(state), "sto", 10, take_holder, &t, &e), &e);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.tag[0], "Eve Stone");
	t.n = 0;
	T_OK(read_holder_search(T_ST(state), "b-1", 10, take_holder, &t, &e), &e);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.tag[0], "Dana Ruiz");
	t.n = 0;
	snprintf(id, sizeof(id), "%lld", (long long)eve);
	T_OK(read_holder_search(T_ST(state), id, 10, take_holder, &t, &e), &e);
	assert_int_equal(t.n, 1);
	/* Old Timer is deactivated: not offered for a Stock-Out */
	t.n = 0;
	T_OK(read_holder_search(T_ST(state), "timer", 10, take_holder, &t, &e), &e);
	assert_int_equal(t.n, 0);
	/* a part of a badge is not a badge */
	T_OK(read_holder_search(T_ST(state), "b-", 10, take_holder, &t, &e), &e);
	assert_int_equal(t.n, 0);
}

/* ---- search and counts ---------------------------------------------- */

static void test_read_assets_q_is_a_literal_substring(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_filter f;
	struct tags t = { 0 };

	memset(&f, 0, sizeof(f));
	f.q = "0%";
	T_OK(read_assets(T_ST(state), &f, take_asset, &t, &e), &e);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.tag[0], "AT-0007");
	t.n = 0;
	f.q = "f_s";
	T_OK(read_assets(T_ST(state), &f, take_asset, &t, &e), &e);
	assert_int_equal(t.n, 1);
	t.n = 0;
	f.q = "F\\S";
	T_OK(read_assets(T_ST(state), &f, take_asset, &t, &e), &e);
	assert_int_equal(t.n, 0);
	t.n = 0;
	f.q = "at-000";
	T_OK(read_assets(T_ST(state), &f, take_asset, &t, &e), &e);
	assert_int_equal(t.n, 7);
}

static void test_read_counts_by_state_add_up(void **state)
{
	struct store *st = T_ST(state);

	assert_int_equal(read_asset_count(st, 0, ASSET_STORAGE), 7);
	assert_int_equal(read_asset_count(st, 1, ASSET_STORAGE), 3);
	assert_int_equal(read_asset_count(st, 1, ASSET_IN_CUSTODY), 3);
	assert_int_equal(read_asset_count(st, 1, ASSET_RETIRED), 1);
	assert_int_equal(read_overdue_count(st), 2);
}

/* ---- dashboard ------------------------------------------------------ */

static void test_read_dashboard(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct dashboard *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	T_OK(read_dashboard(T_ST(state), d, &e), &e);
	assert_int_equal(d->count[ASSET_STORAGE], 3);
	assert_int_equal(d->count[ASSET_IN_CUSTODY], 3);
	assert_int_equal(d->count[ASSET_RETIRED], 1);
	assert_int_equal(d->overdue, 2);
	assert_int_equal(d->noverdue_rows, 2);
	assert_string_equal(d->overdue_rows[0].tag, "AT-0001");
	/* longest out first: Dana's two since 06-02, then Eve's since 06-03 */
	assert_int_equal(d->nlongest, 3);
	assert_string_equal(d->longest[0].tag, "AT-0001");
	assert_string_equal(d->longest[1].tag, "AT-0002");
	assert_string_equal(d->longest[2].tag, "AT-0003");
	/* newest event first: the holder's deactivation */
	assert_true(d->nrecent > 0);
	assert_string_equal(d->recent[0].type, "HOLDER_UPDATED");
	assert_true(d->recent[0].seq > d->recent[1].seq);
	free(d);
}

/* ---- time bounds ---------------------------------------------------- */

static void test_read_since_bound_bare_date_is_start_of_day(void **state)
{
	char out[AT_TIME_LEN + 1], why[AT_WHY_MAX];

	(void)state;
	assert_int_equal(read_since_bound("2030-06-02", out, why), 0);
	assert_string_equal(out, "2030-06-02T00:00:00.000Z");
	assert_int_equal(read_since_bound("2030-06-02T10:30:00Z", out, why), 0);
	assert_string_equal(out, "2030-06-02T10:30:00.000Z");
	assert_int_equal(read_since_bound("yesterday", out, why), -1);
	assert_true(why[0] != '\0');
}

/* ---- paged custody report ------------------------------------------- */

static void test_report_custody_after_pages_join_up(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct store *st = T_ST(state);
	struct tags all = { 0 };
	struct page_of p1 = { { 0 }, 2, "" }, p2 = { { 0 }, 2, "" };

	T_OK(report_custody(st, NULL, 0, take_row, &all, &e), &e);
	assert_int_equal(all.n, 3);
	T_OK(report_custody_from(st, NULL, 0, NULL, take_page, &p1, &e), &e);
	assert_int_equal(p1.t.n, 2);
	T_OK(report_custody_from(st, NULL, 0, p1.cursor, take_page, &p2, &e), &e);
	assert_int_equal(p2.t.n, 1);
	assert_string_equal(p1.t.tag[0], all.tag[0]);
	assert_string_equal(p1.t.tag[1], all.tag[1]);
	assert_string_equal(p2.t.tag[0], all.tag[2]);
}

static void test_report_custody_after_as_of_skips_to_the_cursor(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct tags t = { 0 };

	/* as of 06-02 23:59 only Dana's two were out */
	T_OK(report_custody_from(T_ST(state), "2030-06-02T23:59:59.999Z", 0, "a:AT-0001", take_row,
	                         &t, &e),
	     &e);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.tag[0], "AT-0002");
}

/* ---- field tables --------------------------------------------------- */

/* Every plain field's cap is its record's space less the NUL, so what
 * core accepts always fits, and the names are the API's. */
static void check_specs(const struct field_spec *specs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct field_spec *f = &specs[i];
		assert_non_null(f->name);
		assert_non_null(f->label);
		assert_non_null(f->option);
		if (f->rec_size)
			assert_int_equal(f->rec_size, f->max + 1);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(specs[j].name, f->name);
	}
}

static void test_field_tables_are_consistent(void **state)
{
	struct asset_input in;
	const char *names[] = { "asset_tag", "serial_number", "manufacturer", "equipment_type",
		                "building", "room", "model", "model_code", "notes", "condition" };

	(void)state;
	check_specs(asset_fields, AF__MAX);
	check_specs(holder_fields, HF__MAX);
	check_specs(case_fields, CF__MAX);
	for (int i = 0; i < AF__MAX; i++)
		assert_string_equal(asset_fields[i].name, names[i]);
	/* each asset field writes its own member of asset_input */
	memset(&in, 0, sizeof(in));
	*asset_input_field(&in, &asset_fields[AF_SERIAL]) = "S";
	*asset_input_field(&in, &asset_fields[AF_NOTES]) = "N";
	*asset_input_field(&in, &asset_fields[AF_CONDITION]) = "C";
	assert_string_equal(in.serial, "S");
	assert_string_equal(in.notes, "N");
	assert_string_equal(in.condition, "C");
	assert_null(in.model);
	assert_ptr_equal(field_find(case_fields, CF__MAX, "room"), &case_fields[CF_ROOM]);
	assert_null(field_find(case_fields, CF__MAX, "slots"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_read_case_slots_places_each_asset_at_its_position),
		T(test_read_case_slots_unknown_case_is_not_found_in_words),
		T(test_read_case_id_resolves_a_name),
		T(test_read_assets_in_one_case_in_tag_order),
		T(test_read_holder_assets_lists_what_they_hold),
		T(test_read_holder_unknown_id_is_not_found_in_words),
		T(test_read_holder_search_by_name_part_badge_or_id_active_only),
		T(test_read_assets_q_is_a_literal_substring),
		T(test_read_counts_by_state_add_up),
		T(test_read_dashboard),
		T(test_read_since_bound_bare_date_is_start_of_day),
		T(test_report_custody_after_pages_join_up),
		T(test_report_custody_after_as_of_skips_to_the_cursor),
		cmocka_unit_test(test_field_tables_are_consistent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
