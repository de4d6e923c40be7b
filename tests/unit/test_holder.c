/*
 * test_holder.c — holders: create, update, resolve by id or badge,
 * deactivation (core/holder.h; SPEC §2, §5).
 */
#include "testlib.h"

#include <stdio.h>
#include <string.h>

static int setup(void **state)
{
	if (t_setup(state) != 0)
		return -1;
	t_case(T_ST(state), "CASE-A", 5);
	return 0;
}

static void test_create_ok(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct holder h, got;
	struct t_event ev;
	int64_t n0 = t_events(st);

	memset(&h, 0, sizeof(h));
	T_OK(holder_create(st, T_ACTOR, "Dana Ruiz", "B-1001", "dana@example.org", &h, &e), &e);
	assert_true(h.id > 0);
	assert_int_equal(t_events(st), n0 + 1);
	ev = t_last_event(st);
	assert_string_equal(ev.type, "HOLDER_CREATED");
	free(ev.details);
	assert_int_equal(store_holder_by_id(st, h.id, &got), AT_OK);
	assert_string_equal(got.name, "Dana Ruiz");
	assert_string_equal(got.badge, "B-1001");
	assert_string_equal(got.email, "dana@example.org");
	assert_int_equal(got.active, 1);
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

static void test_create_ok_without_badges(void **state)
{
	struct store *st = T_ST(state);
	int64_t a = t_holder(st, "Ann", NULL);
	int64_t b = t_holder(st, "Ben", NULL);
	struct holder h;

	/* no badge is not a shared badge */
	assert_true(a != b);
	assert_int_equal(store_holder_by_id(st, b, &h), AT_OK);
	assert_string_equal(h.badge, "");
}

static void test_create_bad_name(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct holder h;
	uint64_t before = t_snapshot(st);

	T_EXPECT(holder_create(st, T_ACTOR, "", NULL, NULL, &h, &e), AT_INVALID, &e);
	at_errors_reset(&e);
	T_EXPECT(holder_create(st, T_ACTOR, NULL, NULL, NULL, &h, &e), AT_INVALID, &e);
	at_errors_reset(&e);
	T_EXPECT(holder_create(st, T_ACTOR, "   ", NULL, NULL, &h, &e), AT_INVALID, &e);
	at_errors_reset(&e);
	T_EXPECT(holder_create(st, T_ACTOR, "Da\x01na", NULL, NULL, &h, &e), AT_INVALID, &e);
	at_errors_reset(&e);
	T_EXPECT(holder_create(st, T_ACTOR, "Dana", "B\x7f" "X", NULL, &h, &e), AT_INVALID, &e);
	assert_true(t_snapshot(st) == before);
	at_errors_free(&e);
}

static void test_create_bad_too_long(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct holder h;
	char big[AT_PERSON_MAX + 2];
	uint64_t before = t_snapshot(st);

	memset(big, 'n', sizeof(big) - 1);
	big[AT_PERSON_MAX + 1] = '\0';
	T_EXPECT(holder_create(st, T_ACTOR, big, NULL, NULL, &h, &e), AT_INVALID, &e);
	T_EXPECT(holder_create(st, T_ACTOR, "Dana", big, NULL, &h, &e), AT_INVALID, &e);
	T_EXPECT(holder_create(st, T_ACTOR, "Dana", NULL, big, &h, &e), AT_INVALID, &e);
	assert_true(t_snapshot(st) == before);
	big[AT_PERSON_MAX] = '\0';
	T_OK(holder_create(st, T_ACTOR, big, NULL, NULL, &h, &e), &e);
	at_errors_free(&e);
}

static void test_create_bad_duplicate_badge(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct holder h;
	uint64_t before;

	t_holder(st, "Dana Ruiz", "B-1001");
	before = t_snapshot(st);
	T_EXPECT(holder_create(st, T_ACTOR, "Eve Long", "B-1001", NULL, &h, &e), AT_DUPLICATE, &e);
	assert_true(t_snapshot(st) == before);
	at_errors_free(&e);
}

static void test_update_ok(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	int64_t id = t_holder(st, "Dana Ruiz", "B-1");
	struct holder h;
	struct t_event ev;

	T_OK(holder_update(st, T_ACTOR, id, "Dana Ruiz-Ortega", "B-2", NULL, -1, &h, &e), &e);
	ev = t_last_event(st);
	assert_string_equal(ev.type, "HOLDER_UPDATED");
	if (!strstr(ev.details, "B-1") || !strstr(ev.details, "B-2"))
		fail_msg("HOLDER_UPDATED details lack old/new badge: %s", ev.details);
	free(ev.details);
	assert_int_equal(store_holder_by_id(st, id, &h), AT_OK);
	assert_string_equal(h.name, "Dana Ruiz-Ortega");
	assert_string_equal(h.badge, "B-2");
	/* "" clears the badge */
	T_OK(holder_update(st, T_ACTOR, id, NULL, "", NULL, -1, &h, &e), &e);
	assert_int_equal(store_holder_by_id(st, id, &h), AT_OK);
	assert_string_equal(h.badge, "");
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

static void test_update_bad_duplicate_badge(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct holder h;
	int64_t id;
	uint64_t before;

	t_holder(st, "Dana Ruiz", "B-1");
	id = t_holder(st, "Eve Long", "B-2");
	before = t_snapshot(st);
	T_EXPECT(holder_update(st, T_ACTOR, id, NULL, "B-1", NULL, -1, &h, &e), AT_DUPLICATE, &e);
	assert_true(t_snapshot(st) == before);
	at_errors_free(&e);
}

static void test_update_bad_unknown(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct holder h;

	T_EXPECT(holder_update(st, T_ACTOR, 4242, "X", NULL, NULL, -1, &h, &e), AT_NOT_FOUND, &e);
	at_errors_free(&e);
}

/* ---- resolve ---------------------------------------------------------- */

static void test_resolve_by_id_and_badge(void **state)
{
	struct store *st = T_ST(state);
	int64_t dana = t_holder(st, "Dana Ruiz", "B-1001");
	int64_t eve = t_holder(st, "Eve Long", NULL);
	char idtext[32], why[AT_MSG_MAX] = "";
	struct holder h;

	snprintf(idtext, sizeof(idtext), "%lld", (long long)eve);
	T_OK(holder_resolve(st, idtext, &h, why), NULL);
	assert_int_equal(h.id, eve);
	T_OK(holder_resolve(st, "B-1001", &h, why), NULL);
	assert_int_equal(h.id, dana);
	/* a scanned badge with a scanner suffix */
	T_OK(holder_resolve(st, "B-1001\r\n", &h, why), NULL);
	assert_int_equal(h.id, dana);
}

static void test_resolve_bad_unknown(void **state)
{
	struct store *st = T_ST(state);
	char why[AT_MSG_MAX] = "";
	struct holder h;

	t_holder(st, "Dana Ruiz", "B-1001");
	T_EXPECT(holder_resolve(st, "999", &h, why), AT_NOT_FOUND, NULL);
	assert_true(why[0] != '\0');
	T_EXPECT(holder_resolve(st, "B-1002", &h, why), AT_NOT_FOUND, NULL);
	T_EXPECT(holder_resolve(st, "B-100", &h, why), AT_NOT_FOUND, NULL); /* no prefix */
}

static void test_resolve_bad_ambiguous_badge_vs_id(void **state)
{
	struct store *st = T_ST(state);
	char why[AT_MSG_MAX] = "";
	struct holder h;
	int64_t one = t_holder(st, "Holder One", "2");
	int64_t two = t_holder(st, "Holder Two", NULL);

	assert_int_equal(one, 1);
	assert_int_equal(two, 2);
	/* "2" is holder 1's badge and holder 2's id: never a pick */
	T_EXPECT(holder_resolve(st, "2", &h, why), AT_AMBIGUOUS, NULL);
	assert_true(why[0] != '\0');
	/* "1" is only an id */
	T_OK(holder_resolve(st, "1", &h, why), NULL);
	assert_int_equal(h.id, 1);
}

static void test_resolve_badge_that_is_own_id(void **state)
{
	struct store *st = T_ST(state);
	char why[AT_MSG_MAX] = "";
	struct holder h;
	int64_t one = t_holder(st, "Holder One", "1");

	/* badge "1" and id 1 name the same person: not ambiguous */
	T_OK(holder_resolve(st, "1", &h, why), NULL);
	assert_int_equal(h.id, one);
}

/* ---- deactivation ----------------------------------------------------- */

static void test_deactivate_bad_while_holding(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	int64_t id = t_holder(st, "Dana Ruiz", "B-1");
	struct holder h;
	uint64_t before;

	t_asset(st, "AT-0001", "CASE-A", 1);
	t_stock_out(st, id, "AT-0001", NULL);
	before = t_snapshot(st);
	T_REFUSED(holder_update(st, T_ACTOR, id, NULL, NULL, NULL, 0, &h, &e), &e);
	assert_true(t_mentions(&e, "AT-0001") || t_mentions(&e, "1 asset") ||
	            t_mentions(&e, "hold"));
	assert_true(t_snapshot(st) == before);
	assert_int_equal(store_holder_by_id(st, id, &h), AT_OK);
	assert_int_equal(h.active, 1);
	at_errors_free(&e);
}

static void test_deactivate_ok_after_return(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	struct stock_in_item it = { "AT-0001", NULL, 0 };
	int64_t id = t_holder(st, "Dana Ruiz", "B-1");
	struct holder h;
	struct t_event ev;

	t_asset(st, "AT-0001", "CASE-A", 1);
	t_stock_out(st, id, "AT-0001", NULL);
	memset(&res, 0, sizeof(res));
	T_OK(custody_stock_in(st, T_ACTOR, &it, 1, &res, &e), &e);
	custody_result_free(&res);
	T_OK(holder_update(st, T_ACTOR, id, NULL, NULL, NULL, 0, &h, &e), &e);
	ev = t_last_event(st);
	assert_string_equal(ev.type, "HOLDER_UPDATED");
	free(ev.details);
	assert_int_equal(store_holder_by_id(st, id, &h), AT_OK);
	assert_int_equal(h.active, 0);
	/* still resolvable (history needs them), but cannot receive */
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

static void test_stock_out_bad_inactive_holder(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	int64_t id = t_holder(st, "Dana Ruiz", "B-1");
	const char *tags[] = { "AT-0001" };
	struct holder_ref by_id = { .id = id }, by_badge = { .text = "B-1" };
	struct holder h;
	uint64_t before;

	t_asset(st, "AT-0001", "CASE-A", 1);
	T_OK(holder_update(st, T_ACTOR, id, NULL, NULL, NULL, 0, &h, &e), &e);
	before = t_snapshot(st);
	memset(&res, 0, sizeof(res));
	at_errors_reset(&e);
	T_EXPECT(custody_stock_out(st, T_ACTOR, by_id, T_DUE, tags, 1, &res, &e),
	         AT_HOLDER_INACTIVE, &e);
	at_errors_reset(&e);
	T_EXPECT(custody_stock_out(st, T_ACTOR, by_badge, T_DUE, tags, 1, &res, &e),
	         AT_HOLDER_INACTIVE, &e);
	assert_true(t_snapshot(st) == before);
	/* reactivated, the same stock-out works */
	T_OK(holder_update(st, T_ACTOR, id, NULL, NULL, NULL, 1, &h, &e), &e);
	at_errors_reset(&e);
	T_OK(custody_stock_out(st, T_ACTOR, by_badge, T_DUE, tags, 1, &res, &e), &e);
	custody_result_free(&res);
	assert_int_equal(t_get(st, "AT-0001").holder_id, id);
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

static void test_stock_out_bad_ambiguous_holder_text(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	const char *tags[] = { "AT-0001" };
	struct holder_ref text2 = { .text = "2" }, badge2 = { .text = "2", .badge_only = 1 };
	uint64_t before;
	int64_t one = t_holder(st, "Holder One", "2");

	t_holder(st, "Holder Two", NULL);
	t_asset(st, "AT-0001", "CASE-A", 1);
	before = t_snapshot(st);
	memset(&res, 0, sizeof(res));
	T_EXPECT(custody_stock_out(st, T_ACTOR, text2, T_DUE, tags, 1, &res, &e), AT_AMBIGUOUS,
	         &e);
	assert_true(t_snapshot(st) == before);
	/* an API string is a badge, never an id: no ambiguity */
	T_OK(custody_stock_out(st, T_ACTOR, badge2, T_DUE, tags, 1, &res, &e), &e);
	custody_result_free(&res);
	assert_int_equal(t_get(st, "AT-0001").holder_id, one);
	at_errors_free(&e);
}

static void test_update_bad_name(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	int64_t id = t_holder(st, "Dana Ruiz", "B-1");
	struct holder h;
	uint64_t before = t_snapshot(st);

	T_EXPECT(holder_update(st, T_ACTOR, id, "", NULL, NULL, -1, &h, &e), AT_INVALID, &e);
	T_EXPECT(holder_update(st, T_ACTOR, id, "X\x01", NULL, NULL, -1, &h, &e), AT_INVALID, &e);
	T_EXPECT(holder_update(st, T_ACTOR, id, NULL, NULL, NULL, 7, &h, &e), AT_INVALID, &e);
	assert_true(t_snapshot(st) == before);
	at_errors_free(&e);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, t_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_create_ok),
		T(test_create_ok_without_badges),
		T(test_create_bad_name),
		T(test_create_bad_too_long),
		T(test_create_bad_duplicate_badge),
		T(test_update_ok),
		T(test_update_bad_duplicate_badge),
		T(test_update_bad_unknown),
		T(test_resolve_by_id_and_badge),
		T(test_resolve_bad_unknown),
		T(test_resolve_bad_ambiguous_badge_vs_id),
		T(test_resolve_badge_that_is_own_id),
		T(test_deactivate_bad_while_holding),
		T(test_deactivate_ok_after_return),
		T(test_stock_out_bad_inactive_holder),
		T(test_stock_out_bad_ambiguous_holder_text),
		T(test_update_bad_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
