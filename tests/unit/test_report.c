/*
 * test_report.c — the reports (core/report.h; SPEC §6 "report", §7
 * /api/v1/reports, §8 reports): custody now (overdue first, by holder) and
 * as of past instants answered from the event log; unslotted storage
 * assets; occupancy by case; a holder's history; retired assets by
 * reason; their cursors, CSV and words.
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

	/* Overdue first, whatever the tags say. */
	assert_int_equal(r.n, 2);
	assert_string_equal(r.tag[0], "AT-0004"); /* the replacement, due carried over */
	assert_string_equal(r.holder[0], "Dana Ruiz");
	assert_int_equal(r.overdue[0], 1);
	assert_string_equal(r.tag[1], "AT-0003");
	assert_string_equal(r.holder[1], "Eve Long");
	assert_int_equal(r.overdue[1], 0);
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

/* ---- custody now: order and cursors ---------------------------------- */

/* Every row of a custody report with its cursor, in order. */
struct crows {
	int n, limit;                      /* limit 0: all */
	char tag[16][AT_TAG_MAX + 1];
	char cursor[16][REPORT_CURSOR_MAX];
	int overdue[16];
};

static int crow_cb(void *ctx, const struct custody_row *row)
{
	struct crows *r = ctx;

	if (r->limit && r->n == r->limit)
		return 1;
	if (r->n < 16) {
		snprintf(r->tag[r->n], sizeof(r->tag[0]), "%s", row->asset.tag);
		snprintf(r->cursor[r->n], sizeof(r->cursor[0]), "%s", row->cursor);
		r->overdue[r->n] = row->overdue;
	}
	r->n++;
	return 0;
}

/* More custody: Zed Adams (an older id than Amy) and Amy Zhou, out at
 * different times, some overdue by "now" (2030-06-15 12:00). */
static void more_custody(struct store *st)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct holder_ref z, a;
	const char *z1[] = { "AT-0011" }, *z2[] = { "AT-0012", "AT-0013" };
	const char *a1[] = { "AT-0014" }, *a2[] = { "AT-0015" };

	memset(&z, 0, sizeof(z));
	memset(&a, 0, sizeof(a));
	z.id = t_holder(st, "Zed Adams", "B-9");
	a.id = t_holder(st, "Amy Zhou", "B-8");
	for (int i = 11; i <= 15; i++) {
		char tag[16];
		snprintf(tag, sizeof(tag), "AT-%04d", i);
		t_asset(st, tag, "CASE-A", i - 6);
	}
	setenv(FAKE, "2030-06-08T10:00:00.000Z", 1);
	T_OK(custody_stock_out(st, T_ACTOR, z, "2030-06-09", z1, 1, NULL, &e), &e);
	T_OK(custody_stock_out(st, T_ACTOR, a, NULL, a2, 1, NULL, &e), &e);
	setenv(FAKE, "2030-06-09T10:00:00.000Z", 1);
	T_OK(custody_stock_out(st, T_ACTOR, z, NULL, z2, 2, NULL, &e), &e);
	T_OK(custody_stock_out(st, T_ACTOR, a, "2030-06-12", a1, 1, NULL, &e), &e);
	setenv(FAKE, "2030-06-15T12:00:00.000Z", 1);
	at_errors_free(&e);
}

static void test_report_now_overdue_first_then_by_holder_name_and_since(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct store *st = T_ST(state);
	struct crows r = { 0 };
	static const char *const want[] = {
		/* overdue: Amy, Dana, Zed (by name) */
		"AT-0014", "AT-0004", "AT-0011",
		/* the rest: Amy, Eve, Zed; each holder's by since, then tag */
		"AT-0015", "AT-0003", "AT-0012", "AT-0013",
	};

	more_custody(st);
	T_OK(report_custody(st, NULL, 0, crow_cb, &r, &e), &e);
	assert_int_equal(r.n, 7);
	for (int i = 0; i < 7; i++) {
		assert_string_equal(r.tag[i], want[i]);
		assert_int_equal(r.overdue[i], i < 3);
	}
	/* The cursor says the section and the row. */
	assert_true(strncmp(r.cursor[0], "o:", 2) == 0);
	assert_true(strncmp(r.cursor[3], "r:", 2) == 0);
	assert_non_null(strstr(r.cursor[3], ":AT-0015:2030-06-08T10:00:00.000Z"));
	at_errors_free(&e);
}

static void test_report_now_cursor_pages_join_up_across_the_sections(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct store *st = T_ST(state);
	struct crows all = { 0 };
	char after[REPORT_CURSOR_MAX] = "";
	int n = 0;

	more_custody(st);
	T_OK(report_custody(st, NULL, 0, crow_cb, &all, &e), &e);
	/* One row a page: each page is the next row, then the end. */
	for (;;) {
		struct crows page = { .limit = 1 };
		T_OK(report_custody_from(st, NULL, 0, after, crow_cb, &page, &e), &e);
		if (page.n == 0)
			break;
		assert_true(n < all.n);
		assert_string_equal(page.tag[0], all.tag[n]);
		snprintf(after, sizeof(after), "%s", page.cursor[0]);
		n++;
	}
	assert_int_equal(n, 7);
	at_errors_free(&e);
}

static void test_report_now_overdue_only_stops_at_the_section_end(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct store *st = T_ST(state);
	struct crows r = { 0 }, rest = { 0 };

	more_custody(st);
	T_OK(report_custody(st, NULL, 1, crow_cb, &r, &e), &e);
	assert_int_equal(r.n, 3);
	T_OK(report_custody_from(st, NULL, 1, r.cursor[1], crow_cb, &rest, &e), &e);
	assert_int_equal(rest.n, 1);
	assert_string_equal(rest.tag[0], "AT-0011");
	at_errors_free(&e);
}

static void test_report_bad_cursors_are_invalid(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct store *st = T_ST(state);
	char asof[AT_TIME_LEN + 1];
	struct crows r = { 0 };
	static const char *const bad_now[] = {
		"x:1:AT-0001:2030-06-02T10:00:00.000Z", "o:abc:AT-0001:2030", "o:999:AT-0001:2030",
		"o:1::2030", "o:1", "a:AT-0001", "AT-0001",
	};

	for (size_t i = 0; i < sizeof(bad_now) / sizeof(bad_now[0]); i++)
		T_EXPECT(report_custody_from(st, NULL, 0, bad_now[i], crow_cb, &r, &e), AT_INVALID,
		         &e);
	assert_int_equal(text_parse_time("2030-06-12", asof, NULL), 0);
	T_EXPECT(report_custody_from(st, asof, 0, "o:1:AT-0001:2030", crow_cb, &r, &e), AT_INVALID,
	         &e);
	T_EXPECT(report_custody_from(st, asof, 0, "a:", crow_cb, &r, &e), AT_INVALID, &e);
	assert_int_equal(r.n, 0);
	at_errors_free(&e);
}

/* ---- unslotted -------------------------------------------------------- */

struct urows {
	int n;
	char tag[8][AT_TAG_MAX + 1];
	char how[8][32];
	char reason[8][64];
	char since[8][AT_TIME_LEN + 1];
};

static int urow_cb(void *ctx, const struct unslotted_row *row)
{
	struct urows *r = ctx;

	if (r->n < 8) {
		snprintf(r->tag[r->n], sizeof(r->tag[0]), "%s", row->asset.tag);
		snprintf(r->how[r->n], sizeof(r->how[0]), "%s", row->how);
		snprintf(r->reason[r->n], sizeof(r->reason[0]), "%s", row->reason);
		snprintf(r->since[r->n], sizeof(r->since[0]), "%s", row->since);
	}
	r->n++;
	return 0;
}

/* At 06-16: AT-0005 made without a slot, AT-0006 slotted then
 * force-vacated, AT-0003 (out with Eve) replaced by the unslotted AT-0007,
 * so it comes back with no slot; AT-0007 is then in custody. */
static void make_unslotted(struct store *st)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in;
	struct asset o, r;

	setenv(FAKE, "2030-06-16T08:00:00.000Z", 1);
	in = t_input("AT-0005");
	T_OK(asset_create(st, T_ACTOR, &in, NULL, &e), &e);
	in = t_input("AT-0007");
	T_OK(asset_create(st, T_ACTOR, &in, NULL, &e), &e);
	t_asset(st, "AT-0006", "CASE-A", 6);
	setenv(FAKE, "2030-06-16T09:00:00.000Z", 1);
	T_OK(slot_force_vacate(st, T_ACTOR, "CASE-A", 6, "foam torn", NULL, &e), &e);
	setenv(FAKE, "2030-06-16T10:00:00.000Z", 1);
	T_OK(asset_replace(st, T_ACTOR, "AT-0003", "AT-0007", "no power", NULL, &o, &r, &e), &e);
	at_errors_free(&e);
}

static void test_unslotted_lists_storage_assets_without_a_slot_and_why(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct store *st = T_ST(state);
	struct urows r = { 0 };

	make_unslotted(st);
	T_OK(report_unslotted(st, NULL, urow_cb, &r, &e), &e);
	assert_int_equal(r.n, 3);
	assert_int_equal(report_unslotted_count(st), 3);
	assert_string_equal(r.tag[0], "AT-0003");
	assert_string_equal(r.how[0], "replaced");
	assert_string_equal(r.reason[0], "no power");
	assert_string_equal(r.since[0], "2030-06-16T10:00:00.000Z");
	assert_string_equal(r.tag[1], "AT-0005");
	assert_string_equal(r.how[1], "created without a slot");
	assert_string_equal(r.reason[1], "");
	assert_string_equal(r.tag[2], "AT-0006");
	assert_string_equal(r.how[2], "force-vacated");
	assert_string_equal(r.reason[2], "foam torn");
	assert_string_equal(r.since[2], "2030-06-16T09:00:00.000Z");
	at_errors_free(&e);
}

static void test_unslotted_cursor_continues_after_the_tag(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct store *st = T_ST(state);
	struct urows r = { 0 };

	make_unslotted(st);
	T_OK(report_unslotted(st, "AT-0003", urow_cb, &r, &e), &e);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.tag[0], "AT-0005");
	T_EXPECT(report_unslotted(st, "CASE-A/1", urow_cb, &r, &e), AT_INVALID, &e);
	assert_int_equal(r.n, 2);
	at_errors_free(&e);
}

/* ---- occupancy -------------------------------------------------------- */

struct orows {
	int n;
	char name[8][AT_NAME_MAX + 1];
	int slots[8], occupied[8], empty[8], percent[8];
};

static int orow_cb(void *ctx, const struct occupancy_row *row)
{
	struct orows *r = ctx;

	if (r->n < 8) {
		snprintf(r->name[r->n], sizeof(r->name[0]), "%s", row->c.name);
		r->slots[r->n] = row->c.slot_count;
		r->occupied[r->n] = row->c.occupied;
		r->empty[r->n] = row->empty;
		r->percent[r->n] = row->percent;
	}
	r->n++;
	return 0;
}

static void test_occupancy_per_case_and_in_all(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct store *st = T_ST(state);
	struct occupancy_totals t;
	struct orows r = { 0 };

	t_case(st, "CASE-C", 3);
	t_case(st, "CASE-B", 3);
	t_asset(st, "AT-0021", "CASE-B", 1);
	t_asset(st, "AT-0022", "CASE-B", 2);
	t_asset(st, "AT-0023", "CASE-B", 3);
	t_asset(st, "AT-0031", "CASE-C", 1);
	t_asset(st, "AT-0032", "CASE-C", 3);
	T_OK(report_occupancy(st, NULL, orow_cb, &r, &e), &e);
	assert_int_equal(r.n, 3);
	/* CASE-A: AT-0001 back in 1, AT-0002 in 4 (its replacement's); 3 out */
	assert_string_equal(r.name[0], "CASE-A");
	assert_int_equal(r.slots[0], 10);
	assert_int_equal(r.occupied[0], 2);
	assert_int_equal(r.empty[0], 8);
	assert_int_equal(r.percent[0], 20);
	assert_string_equal(r.name[1], "CASE-B");
	assert_int_equal(r.percent[1], 100);
	assert_int_equal(r.empty[1], 0);
	assert_string_equal(r.name[2], "CASE-C");
	assert_int_equal(r.percent[2], 66); /* rounded down: 100 only when full */
	T_OK(report_occupancy_totals(st, &t, &e), &e);
	assert_int_equal(t.cases, 3);
	assert_int_equal(t.slots, 16);
	assert_int_equal(t.occupied, 7);
	assert_int_equal(t.empty, 9);
	assert_int_equal(t.percent, 43);
	memset(&r, 0, sizeof(r));
	T_OK(report_occupancy(st, "CASE-A", orow_cb, &r, &e), &e);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.name[0], "CASE-B");
	at_errors_free(&e);
}

/* ---- a holder's history ----------------------------------------------- */

struct hrows {
	int n, limit;
	struct holding_row row[8];
};

static int hrow_cb(void *ctx, const struct holding_row *row)
{
	struct hrows *r = ctx;

	if (r->limit && r->n == r->limit)
		return 1;
	if (r->n < 8)
		r->row[r->n] = *row;
	r->n++;
	return 0;
}

/* Holder id by badge. */
static int64_t holder_id(struct store *st, const char *badge)
{
	struct holder h;

	assert_int_equal(store_holder_by_badge(st, badge, &h), AT_OK);
	return h.id;
}

static void test_holder_history_every_custody_newest_first(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct store *st = T_ST(state);
	struct holder_totals t;
	struct hrows r = { 0 };
	const struct holding_row *h;

	T_OK(report_holder_history(st, holder_id(st, "B-1"), NULL, hrow_cb, &r, &e), &e);
	assert_int_equal(r.n, 3);
	/* The replacement handed over on 06-07, still held, overdue. */
	h = &r.row[0];
	assert_string_equal(h->tag, "AT-0004");
	assert_string_equal(h->start_type, "ASSET_REPLACED");
	assert_string_equal(h->since, "2030-06-07T10:00:00.000Z");
	assert_string_equal(h->due, "2030-06-10");
	assert_int_equal(h->end_seq, 0);
	assert_string_equal(h->back_at, "");
	assert_int_equal(h->seconds, 8 * 86400 + 2 * 3600);
	assert_int_equal(h->late, 1);
	/* AT-0002: out 06-02, ended by its replacement 06-07, into slot 4. */
	h = &r.row[1];
	assert_string_equal(h->tag, "AT-0002");
	assert_string_equal(h->start_type, "STOCK_OUT");
	assert_string_equal(h->from_case, "CASE-A");
	assert_int_equal(h->from_position, 2);
	assert_string_equal(h->end_type, "ASSET_REPLACED");
	assert_string_equal(h->back_at, "2030-06-07T10:00:00.000Z");
	assert_string_equal(h->to_case, "CASE-A");
	assert_int_equal(h->to_position, 4);
	assert_int_equal(h->seconds, 5 * 86400);
	assert_int_equal(h->late, 0);
	/* AT-0001: out 06-02, Stock-In 06-05 back to its slot. */
	h = &r.row[2];
	assert_string_equal(h->tag, "AT-0001");
	assert_string_equal(h->end_type, "STOCK_IN");
	assert_int_equal(h->to_position, 1);
	assert_int_equal(h->seconds, 3 * 86400);
	assert_true(h->seq < r.row[1].seq || h->seq == r.row[1].seq - 1);
	T_OK(report_holder_totals(st, holder_id(st, "B-1"), &t, &e), &e);
	assert_int_equal(t.periods, 3);
	assert_int_equal(t.held, 1);
	assert_int_equal(t.overdue, 1);
	assert_int_equal(t.late, 0);
	at_errors_free(&e);
}

static void test_holder_history_return_after_due_is_late(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct store *st = T_ST(state);
	struct stock_in_item back = { "AT-0004", "CASE-A", 9 };
	struct holder_totals t;
	struct hrows r = { 0 };

	/* due 06-10, back 06-15 */
	T_OK(custody_stock_in(st, T_ACTOR, &back, 1, NULL, &e), &e);
	T_OK(report_holder_history(st, holder_id(st, "B-1"), NULL, hrow_cb, &r, &e), &e);
	assert_string_equal(r.row[0].tag, "AT-0004");
	assert_int_equal(r.row[0].late, 1);
	assert_string_equal(r.row[0].end_type, "STOCK_IN");
	assert_int_equal(r.row[0].to_position, 9);
	T_OK(report_holder_totals(st, holder_id(st, "B-1"), &t, &e), &e);
	assert_int_equal(t.late, 1);
	assert_int_equal(t.held, 0);
	assert_int_equal(t.overdue, 0);
	at_errors_free(&e);
}

static void test_holder_history_cursor_pages_and_refusals(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct store *st = T_ST(state);
	int64_t dana = holder_id(st, "B-1");
	struct hrows p1 = { .limit = 2 }, p2 = { 0 };

	T_OK(report_holder_history(st, dana, NULL, hrow_cb, &p1, &e), &e);
	assert_int_equal(p1.n, 2);
	T_OK(report_holder_history(st, dana, p1.row[1].cursor, hrow_cb, &p2, &e), &e);
	assert_int_equal(p2.n, 1);
	assert_string_equal(p2.row[0].tag, "AT-0001");
	T_EXPECT(report_holder_history(st, 9999, NULL, hrow_cb, &p2, &e), AT_NOT_FOUND, &e);
	assert_true(t_mentions(&e, "no holder #9999"));
	T_EXPECT(report_holder_history(st, dana, "AT-0001", hrow_cb, &p2, &e), AT_INVALID, &e);
	T_EXPECT(report_holder_history(st, dana, "0", hrow_cb, &p2, &e), AT_INVALID, &e);
	assert_int_equal(p2.n, 1);
	at_errors_free(&e);
}

/* ---- retired ---------------------------------------------------------- */

struct rrows {
	int n;
	char tag[8][AT_TAG_MAX + 1];
	char reason[8][64];
	char cursor[8][REPORT_CURSOR_MAX];
};

static int rrow_cb(void *ctx, const struct retired_row *row)
{
	struct rrows *r = ctx;

	if (r->n < 8) {
		snprintf(r->tag[r->n], sizeof(r->tag[0]), "%s", row->asset.tag);
		snprintf(r->reason[r->n], sizeof(r->reason[0]), "%s", row->reason);
		snprintf(r->cursor[r->n], sizeof(r->cursor[0]), "%s", row->cursor);
	}
	r->n++;
	return 0;
}

struct reasons {
	int n;
	char reason[8][64];
	int64_t count[8];
};

static int reason_cb(void *ctx, const char *reason, int64_t n)
{
	struct reasons *r = ctx;

	if (r->n < 8) {
		snprintf(r->reason[r->n], sizeof(r->reason[0]), "%s", reason ? reason : "(null)");
		r->count[r->n] = n;
	}
	r->n++;
	return 0;
}

/* AT-0002 (faulty, in slot 4) and AT-0006 "Broken screen", AT-0001
 * "Lost". */
static void retire_some(struct store *st)
{
	struct at_errors e = AT_ERRORS_INIT;

	t_asset(st, "AT-0006", "CASE-A", 6);
	T_OK(asset_retire(st, T_ACTOR, "AT-0006", "Broken screen", NULL, &e), &e);
	T_OK(asset_retire(st, T_ACTOR, "AT-0001", "Lost", NULL, &e), &e);
	T_OK(asset_retire(st, T_ACTOR, "AT-0002", "Broken screen", NULL, &e), &e);
	at_errors_free(&e);
}

static void test_retired_by_reason_counts_and_list(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct store *st = T_ST(state);
	struct retired_totals t;
	struct reasons g = { 0 };
	struct rrows r = { 0 }, lost = { 0 }, after = { 0 };

	retire_some(st);
	T_OK(report_retired_reasons(st, 0, reason_cb, &g, &e), &e);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.reason[0], "Broken screen");
	assert_int_equal(g.count[0], 2);
	assert_string_equal(g.reason[1], "Lost");
	assert_int_equal(g.count[1], 1);
	T_OK(report_retired_totals(st, &t, &e), &e);
	assert_int_equal(t.assets, 3);
	assert_int_equal(t.reasons, 2);
	/* By reason, then tag. */
	T_OK(report_retired(st, NULL, NULL, rrow_cb, &r, &e), &e);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.tag[0], "AT-0002");
	assert_string_equal(r.tag[1], "AT-0006");
	assert_string_equal(r.tag[2], "AT-0001");
	assert_string_equal(r.reason[2], "Lost");
	T_OK(report_retired(st, "Lost", NULL, rrow_cb, &lost, &e), &e);
	assert_int_equal(lost.n, 1);
	assert_string_equal(lost.tag[0], "AT-0001");
	T_OK(report_retired(st, NULL, r.cursor[0], rrow_cb, &after, &e), &e);
	assert_int_equal(after.n, 2);
	assert_string_equal(after.tag[0], "AT-0006");
	T_EXPECT(report_retired(st, NULL, "Lost", rrow_cb, &after, &e), AT_INVALID, &e);
	at_errors_free(&e);
}

/* ---- CSV and words ---------------------------------------------------- */

/* The whole CSV of `q` with chunks of `rows` rows. */
static char *csv_of(struct store *st, const struct report_query *q, int rows)
{
	struct at_errors e = AT_ERRORS_INIT;
	char cursor[REPORT_CURSOR_MAX] = "";
	struct buf b;
	int end = 0, chunks = 0;

	buf_init(&b, 0);
	assert_int_equal(report_csv_header(q->kind, &b), 0);
	while (!end) {
		T_OK(report_csv_chunk(st, q, cursor, rows, &b, &end, &e), &e);
		assert_true(++chunks < 100);
	}
	at_errors_free(&e);
	return buf_detach(&b);
}

static void test_csv_custody_exact_text(void **state)
{
	struct report_query q = { .kind = REPORT_CUSTODY };
	char *csv = csv_of(T_ST(state), &q, 500);
	char want[1024];
	struct holder h;

	assert_int_equal(store_holder_by_badge(T_ST(state), "B-2", &h), AT_OK);
	snprintf(want, sizeof(want),
	         "asset_tag,serial_number,manufacturer,equipment_type,model,holder_id,holder_name,"
	         "since,due,overdue,slot_left\n"
	         "AT-0004,SN-AT-0004,Acme,Radio,,%lld,Dana Ruiz,2030-06-07T10:00:00.000Z,"
	         "2030-06-10,yes,CASE-A/2\n"
	         "AT-0003,SN-AT-0003,Acme,Radio,,%lld,Eve Long,2030-06-15T12:00:00.000Z,"
	         "2030-06-20,no,CASE-A/3\n",
	         (long long)(h.id - 1), (long long)h.id);
	assert_string_equal(csv, want);
	free(csv);
}

static void test_csv_chunks_join_up_and_quote(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct store *st = T_ST(state);
	struct report_query q = { .kind = REPORT_RETIRED };
	char *one, *many;

	retire_some(st);
	t_asset(st, "AT-0041", "CASE-A", 7);
	t_asset(st, "AT-0042", "CASE-A", 8);
	T_OK(asset_retire(st, T_ACTOR, "AT-0041", "=HYPERLINK(\"x\")", NULL, &e), &e);
	T_OK(asset_retire(st, T_ACTOR, "AT-0042", "dropped, twice", NULL, &e), &e);
	one = csv_of(st, &q, 1);
	many = csv_of(st, &q, 500);
	assert_string_equal(one, many);
	/* A formula gets an apostrophe and quotes; a comma gets quotes. */
	assert_non_null(strstr(many, "\n\"'=HYPERLINK(\"\"x\"\")\",AT-0041,"));
	assert_non_null(strstr(many, "\n\"dropped, twice\",AT-0042,"));
	assert_non_null(strstr(many, "\nLost,AT-0001,"));
	free(one);
	free(many);
	at_errors_free(&e);
}

static void test_csv_filename_says_what_and_when(void **state)
{
	struct report_query q = { .kind = REPORT_HOLDINGS, .holder_id = 12 };
	char name[96];

	(void)state;
	report_csv_filename(&q, name, sizeof(name));
	assert_string_equal(name, "holder-12-history-2030-06-15.csv");
	q.kind = REPORT_CUSTODY;
	q.as_of = "2030-03-01T23:59:59.999Z";
	q.overdue_only = 1;
	report_csv_filename(&q, name, sizeof(name));
	assert_string_equal(name, "custody-overdue-as-of-2030-03-01.csv");
}

static void test_report_duration_words(void **state)
{
	static const struct {
		int64_t s;
		const char *want;
	} cases[] = {
		{ 0, "under a minute" }, { 59, "under a minute" }, { 60, "1 min" },
		{ 3600, "1 h" }, { 3660, "1 h 1 min" }, { 86400, "1 d" }, { 90000, "1 d 1 h" },
		{ 86400 + 59, "1 d" },
	};
	char out[40];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		report_duration(cases[i].s, out, sizeof(out));
		assert_string_equal(out, cases[i].want);
	}
}

static void test_report_row_json_shapes(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct hrows r = { 0 };
	json_t *j;

	T_OK(report_holder_history(T_ST(state), holder_id(T_ST(state), "B-1"), NULL, hrow_cb, &r,
	                           &e),
	     &e);
	j = holding_row_json(&r.row[1]);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "asset_tag")), "AT-0002");
	assert_true(json_is_false(json_object_get(j, "held")));
	assert_int_equal(json_integer_value(json_object_get(j, "held_seconds")), 5 * 86400);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "to"), "case")),
	                    "CASE-A");
	assert_string_equal(json_string_value(json_object_get(j, "end_type")), "ASSET_REPLACED");
	json_decref(j);
	j = holding_row_json(&r.row[0]);
	assert_true(json_is_null(json_object_get(j, "back_at")));
	assert_true(json_is_null(json_object_get(j, "end_seq")));
	assert_true(json_is_true(json_object_get(j, "late")));
	json_decref(j);
	at_errors_free(&e);
}

/* ---- the CLI: report KIND [ARG] [--csv] ------------------------------- */

/* Run the CLI on the fixture's database (closed first: a second writer
 * is fine, but the fixture's snapshot must not hide the CLI's view). */
#define CLI(r, state, ...)                                                \
	do {                                                              \
		t_cli((r), T_DB(state)->path, __VA_ARGS__, NULL);         \
	} while (0)

static void test_cli_report_holder_csv_is_the_download(void **state)
{
	struct report_query q = { .kind = REPORT_HOLDINGS };
	struct t_run r;
	char *csv;

	q.holder_id = holder_id(T_ST(state), "B-1");
	csv = csv_of(T_ST(state), &q, 500);
	CLI(&r, state, "report", "holder", "B-1", "--csv");
	assert_int_equal(r.status, 0);
	/* The binary runs on the real clock: the periods that ended read
	 * the same; the one going on has run longer. */
	for (const char *line = strchr(csv, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
		char one[512];
		snprintf(one, sizeof(one), "%.*s", (int)(strchr(line, '\n') - line + 1), line);
		if (strstr(one, "AT-0004,") == one)
			continue;
		if (!strstr(r.out, one))
			fail_msg("the CLI's CSV lacks the line %s", one);
	}
	assert_true(strncmp(r.out, csv, (size_t)(strchr(csv, '\n') - csv)) == 0);
	assert_non_null(strstr(csv, "\nAT-0002,Radio,,2030-06-02T10:00:00.000Z,2030-06-10,CASE-A/2,"
	                            "2030-06-07T10:00:00.000Z,CASE-A/4,5.00,no,"));
	t_run_free(&r);
	free(csv);
}

static void test_cli_report_json_and_text(void **state)
{
	struct t_run r;
	json_t *j;

	retire_some(T_ST(state));
	CLI(&r, state, "--json", "report", "retired");
	assert_int_equal(r.status, 0);
	j = json_loads(r.out, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "totals"), "assets")),
	                 3);
	assert_int_equal(json_array_size(json_object_get(j, "retired")), 3);
	assert_string_equal(json_string_value(json_object_get(
	                            json_array_get(json_object_get(j, "reasons"), 0), "reason")),
	                    "Broken screen");
	json_decref(j);
	t_run_free(&r);
	CLI(&r, state, "report", "occupancy");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "1 case: 0 of 10 slots occupied (0%), 10 empty."));
	t_run_free(&r);
	CLI(&r, state, "report", "holder", "B-1");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "Dana Ruiz (#"));
	assert_non_null(strstr(r.out, "3 custody periods, 1 going on"));
	t_run_free(&r);
}

static void test_cli_report_refusals_and_usage(void **state)
{
	static const struct {
		const char *a[4];
		int status;
		const char *says;
	} cases[] = {
		{ { "bogus" }, 2, "unknown report 'bogus'" },
		{ { "holder" }, 2, "takes one holder id or badge" },
		{ { "occupancy", "CASE-A" }, 2, "takes no argument" },
		{ { "unslotted", "--overdue" }, 2, "belong to 'report custody'" },
		{ { "custody", "--reason", "x" }, 2, "belongs to 'report retired'" },
		{ { "custody", "--csv", "--json" }, 2, "choose one" },
		{ { "holder", "NOPE" }, 1, "no holder has badge or id 'NOPE'" },
	};
	struct t_run r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CLI(&r, state, "report", cases[i].a[0], cases[i].a[1], cases[i].a[2], cases[i].a[3]);
		assert_int_equal(r.status, cases[i].status);
		if (!strstr(r.err, cases[i].says))
			fail_msg("report %s: stderr '%s' lacks '%s'", cases[i].a[0], r.err,
			         cases[i].says);
		assert_string_equal(r.out, "");
		t_run_free(&r);
	}
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
		T(test_report_now_overdue_first_then_by_holder_name_and_since),
		T(test_report_now_cursor_pages_join_up_across_the_sections),
		T(test_report_now_overdue_only_stops_at_the_section_end),
		T(test_report_bad_cursors_are_invalid),
		T(test_unslotted_lists_storage_assets_without_a_slot_and_why),
		T(test_unslotted_cursor_continues_after_the_tag),
		T(test_occupancy_per_case_and_in_all),
		T(test_holder_history_every_custody_newest_first),
		T(test_holder_history_return_after_due_is_late),
		T(test_holder_history_cursor_pages_and_refusals),
		T(test_retired_by_reason_counts_and_list),
		T(test_csv_custody_exact_text),
		T(test_csv_chunks_join_up_and_quote),
		T(test_csv_filename_says_what_and_when),
		T(test_report_duration_words),
		T(test_report_row_json_shapes),
		T(test_cli_report_holder_csv_is_the_download),
		T(test_cli_report_json_and_text),
		T(test_cli_report_refusals_and_usage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
