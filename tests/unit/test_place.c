/*
 * test_place.c — cases, slots and the admin corrections: slot assign,
 * slot move, force vacate (core/place.h; SPEC §2, §3.3, §5).
 */
#include "testlib.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int setup(void **state)
{
	if (t_setup(state) != 0)
		return -1;
	t_case(T_ST(state), "CASE-A", 5);
	t_case(T_ST(state), "CASE-B", 5);
	return 0;
}

/* Run `expr` (an at_code expression) and require a refusal with `want`
 * that changed nothing at all. */
#define REFUSE(st, expr, want, e)                                \
	do {                                                     \
		uint64_t before_ = t_snapshot(st);               \
		at_errors_reset(e);                              \
		T_EXPECT(expr, want, e);                         \
		assert_true(t_snapshot(st) == before_);          \
	} while (0)
#define REFUSE2(st, expr, w1, w2, e)                             \
	do {                                                     \
		uint64_t before_ = t_snapshot(st);               \
		at_errors_reset(e);                              \
		T_EXPECT2(expr, w1, w2, e);                      \
		assert_true(t_snapshot(st) == before_);          \
	} while (0)
#define REFUSE_ANY(st, expr, e)                                  \
	do {                                                     \
		uint64_t before_ = t_snapshot(st);               \
		at_errors_reset(e);                              \
		T_REFUSED(expr, e);                              \
		assert_true(t_snapshot(st) == before_);          \
	} while (0)

/* ---- cases ------------------------------------------------------------ */

static void test_case_create_ok(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct case_info c;
	struct t_event ev;
	int64_t n0 = t_events(st);

	memset(&c, 0, sizeof(c));
	T_OK(case_create(st, T_ACTOR, "PELI-07", 12, "HQ", "Room 4", "blue foam", &c, &e), &e);
	assert_string_equal(c.name, "PELI-07");
	assert_int_equal(c.slot_count, 12);
	assert_int_equal(t_events(st), n0 + 1);
	ev = t_last_event(st);
	assert_string_equal(ev.type, "CASE_CREATED");
	free(ev.details);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_case_by_name(st, "PELI-07", &c), AT_OK);
	assert_int_equal(c.slot_count, 12);
	assert_int_equal(c.occupied, 0);
	assert_string_equal(c.building, "HQ");
	assert_string_equal(c.room, "Room 4");
	assert_string_equal(c.notes, "blue foam");
	/* every slot 1..12 exists and nothing beyond */
	t_asset(st, "AT-0001", "PELI-07", 1);
	t_asset(st, "AT-0012", "PELI-07", 12);
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

static void test_case_create_ok_bounds(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct case_info c;

	T_OK(case_create(st, T_ACTOR, "ONE", 1, NULL, NULL, NULL, &c, &e), &e);
	assert_int_equal(c.slot_count, 1);
	T_OK(case_create(st, T_ACTOR, "THOUSAND", 1000, NULL, NULL, NULL, &c, &e), &e);
	assert_int_equal(c.slot_count, 1000);
	t_asset(st, "AT-1000", "THOUSAND", 1000);
	at_errors_free(&e);
}

static void test_case_create_bad_zero_slots(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct case_info c;

	REFUSE(st, case_create(st, T_ACTOR, "ZERO", 0, NULL, NULL, NULL, &c, &e), AT_INVALID, &e);
	REFUSE(st, case_create(st, T_ACTOR, "NEG", -1, NULL, NULL, NULL, &c, &e), AT_INVALID, &e);
	assert_int_equal(store_case_by_name(st, "ZERO", &c), AT_NOT_FOUND);
	at_errors_free(&e);
}

static void test_case_create_bad_1001_slots(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct case_info c;

	REFUSE(st, case_create(st, T_ACTOR, "BIG", 1001, NULL, NULL, NULL, &c, &e), AT_INVALID,
	       &e);
	REFUSE(st, case_create(st, T_ACTOR, "HUGE", (int64_t)1 << 40, NULL, NULL, NULL, &c, &e),
	       AT_INVALID, &e);
	assert_int_equal(store_case_by_name(st, "BIG", &c), AT_NOT_FOUND);
	at_errors_free(&e);
}

static void test_case_create_bad_duplicate_name(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct case_info c;

	REFUSE(st, case_create(st, T_ACTOR, "CASE-A", 3, NULL, NULL, NULL, &c, &e), AT_DUPLICATE,
	       &e);
	assert_int_equal(store_case_by_name(st, "CASE-A", &c), AT_OK);
	assert_int_equal(c.slot_count, 5);
	at_errors_free(&e);
}

static void test_case_create_bad_name(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct case_info c;
	char n65[66];

	memset(n65, 'N', 65);
	n65[65] = '\0';
	REFUSE(st, case_create(st, T_ACTOR, "PELI/07", 3, NULL, NULL, NULL, &c, &e), AT_INVALID,
	       &e);
	REFUSE(st, case_create(st, T_ACTOR, "", 3, NULL, NULL, NULL, &c, &e), AT_INVALID, &e);
	REFUSE(st, case_create(st, T_ACTOR, n65, 3, NULL, NULL, NULL, &c, &e), AT_INVALID, &e);
	REFUSE(st, case_create(st, T_ACTOR, "CA\x01SE", 3, NULL, NULL, NULL, &c, &e), AT_INVALID,
	       &e);
	at_errors_free(&e);
}

static void test_case_resize_grows(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct case_info c;
	struct t_event ev;
	struct asset_input in = t_input("AT-0009");
	int64_t n0 = t_events(st);

	t_asset(st, "AT-0001", "CASE-A", 5);
	n0 = t_events(st);
	T_OK(case_update(st, T_ACTOR, "CASE-A", 8, NULL, NULL, NULL, &c, &e), &e);
	assert_int_equal(c.slot_count, 8);
	assert_int_equal(t_events(st), n0 + 1);
	ev = t_last_event(st);
	assert_string_equal(ev.type, "CASE_RESIZED");
	free(ev.details);
	assert_int_equal(store_case_by_name(st, "CASE-A", &c), AT_OK);
	assert_int_equal(c.slot_count, 8);
	/* existing occupant untouched, new slots usable, nothing beyond */
	assert_int_equal(t_get(st, "AT-0001").position, 5);
	t_asset(st, "AT-0008", "CASE-A", 8);
	in.slot_case = "CASE-A";
	in.slot_position = 9;
	at_errors_reset(&e);
	T_EXPECT(asset_create(st, T_ACTOR, &in, NULL, &e), AT_SLOT_NOT_FOUND, &e);
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

static void test_case_resize_bad_shrink(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct case_info c;

	REFUSE_ANY(st, case_update(st, T_ACTOR, "CASE-A", 3, NULL, NULL, NULL, &c, &e), &e);
	assert_int_equal(store_case_by_name(st, "CASE-A", &c), AT_OK);
	assert_int_equal(c.slot_count, 5);
	/* even with the top slots empty, slot 5 still exists */
	t_asset(st, "AT-0005", "CASE-A", 5);
	at_errors_free(&e);
}

static void test_case_resize_bad_over_max(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct case_info c;

	REFUSE(st, case_update(st, T_ACTOR, "CASE-A", 1001, NULL, NULL, NULL, &c, &e), AT_INVALID,
	       &e);
	REFUSE(st, case_update(st, T_ACTOR, "CASE-A", -2, NULL, NULL, NULL, &c, &e), AT_INVALID,
	       &e);
	at_errors_free(&e);
}

static void test_case_resize_bad_not_found(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct case_info c;

	REFUSE(st, case_update(st, T_ACTOR, "NOPE", 8, NULL, NULL, NULL, &c, &e), AT_NOT_FOUND,
	       &e);
	at_errors_free(&e);
}

/* ---- slot assign ------------------------------------------------------ */

static void test_slot_assign_ok(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset out;
	struct t_event ev;
	int64_t n0;

	t_asset(st, "AT-0001", NULL, 0);
	n0 = t_events(st);
	T_OK(slot_assign(st, T_ACTOR, "AT-0001", "CASE-A", 2, &out, &e), &e);
	assert_int_equal(t_events(st), n0 + 1);
	assert_string_equal(out.case_name, "CASE-A");
	assert_int_equal(out.position, 2);
	ev = t_last_event(st);
	assert_string_equal(ev.type, "SLOT_ASSIGN");
	assert_string_equal(ev.asset_tag, "AT-0001");
	assert_string_equal(ev.to_case, "CASE-A");
	assert_int_equal(ev.to_position, 2);
	assert_string_equal(ev.from_case, "");
	free(ev.details);
	assert_int_equal(t_get(st, "AT-0001").position, 2);
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

static void test_slot_assign_bad_in_custody(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	int64_t h = t_holder(st, "Dana Ruiz", NULL);

	t_asset(st, "AT-0001", "CASE-A", 1);
	t_stock_out(st, h, "AT-0001", NULL);
	REFUSE(st, slot_assign(st, T_ACTOR, "AT-0001", "CASE-A", 2, NULL, &e), AT_NOT_IN_STORAGE,
	       &e);
	at_errors_free(&e);
}

static void test_slot_assign_bad_already_slotted(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;

	t_asset(st, "AT-0001", "CASE-A", 1);
	REFUSE(st, slot_assign(st, T_ACTOR, "AT-0001", "CASE-A", 2, NULL, &e),
	       AT_ALREADY_SLOTTED, &e);
	at_errors_free(&e);
}

static void test_slot_assign_bad_occupied(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;

	t_asset(st, "AT-0001", "CASE-A", 1);
	t_asset(st, "AT-0002", NULL, 0);
	REFUSE(st, slot_assign(st, T_ACTOR, "AT-0002", "CASE-A", 1, NULL, &e), AT_SLOT_OCCUPIED,
	       &e);
	assert_true(t_mentions(&e, "AT-0001"));
	at_errors_free(&e);
}

static void test_slot_assign_bad_missing_slot(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;

	t_asset(st, "AT-0001", NULL, 0);
	REFUSE(st, slot_assign(st, T_ACTOR, "AT-0001", "NOPE", 1, NULL, &e), AT_NOT_FOUND, &e);
	REFUSE(st, slot_assign(st, T_ACTOR, "AT-0001", "CASE-A", 6, NULL, &e), AT_SLOT_NOT_FOUND,
	       &e);
	REFUSE2(st, slot_assign(st, T_ACTOR, "AT-0001", "CASE-A", 0, NULL, &e), AT_SLOT_NOT_FOUND,
	        AT_INVALID, &e);
	at_errors_free(&e);
}

static void test_slot_assign_bad_retired(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;

	t_asset(st, "AT-0001", NULL, 0);
	T_OK(asset_retire(st, T_ACTOR, "AT-0001", "obsolete", NULL, &e), &e);
	REFUSE2(st, slot_assign(st, T_ACTOR, "AT-0001", "CASE-A", 1, NULL, &e), AT_RETIRED,
	        AT_NOT_IN_STORAGE, &e);
	at_errors_free(&e);
}

static void test_slot_assign_bad_unknown_asset(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;

	REFUSE(st, slot_assign(st, T_ACTOR, "AT-4040", "CASE-A", 1, NULL, &e), AT_NOT_FOUND, &e);
	at_errors_free(&e);
}

/* ---- slot move -------------------------------------------------------- */

static void test_slot_move_ok(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct t_event ev;
	struct asset a;
	int64_t n0;

	t_asset(st, "AT-0001", "CASE-A", 1);
	n0 = t_events(st);
	T_OK(slot_move(st, T_ACTOR, "AT-0001", "CASE-B", 4, NULL, &e), &e);
	assert_int_equal(t_events(st), n0 + 1);
	ev = t_last_event(st);
	assert_string_equal(ev.type, "SLOT_MOVE");
	assert_string_equal(ev.from_case, "CASE-A");
	assert_int_equal(ev.from_position, 1);
	assert_string_equal(ev.to_case, "CASE-B");
	assert_int_equal(ev.to_position, 4);
	free(ev.details);
	a = t_get(st, "AT-0001");
	assert_string_equal(a.case_name, "CASE-B");
	assert_int_equal(a.position, 4);
	assert_int_equal(a.state, ASSET_STORAGE);
	/* the old slot is free again */
	t_asset(st, "AT-0002", "CASE-A", 1);
	/* and moving within a case works too */
	T_OK(slot_move(st, T_ACTOR, "AT-0001", "CASE-B", 5, NULL, &e), &e);
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

static void test_slot_move_bad_unslotted(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;

	t_asset(st, "AT-0001", NULL, 0);
	REFUSE(st, slot_move(st, T_ACTOR, "AT-0001", "CASE-A", 2, NULL, &e), AT_NOT_SLOTTED, &e);
	at_errors_free(&e);
}

static void test_slot_move_bad_in_custody(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	int64_t h = t_holder(st, "Dana Ruiz", NULL);

	t_asset(st, "AT-0001", "CASE-A", 1);
	t_stock_out(st, h, "AT-0001", NULL);
	REFUSE2(st, slot_move(st, T_ACTOR, "AT-0001", "CASE-A", 2, NULL, &e), AT_NOT_IN_STORAGE,
	        AT_NOT_SLOTTED, &e);
	at_errors_free(&e);
}

static void test_slot_move_bad_same_slot(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;

	t_asset(st, "AT-0001", "CASE-A", 1);
	REFUSE_ANY(st, slot_move(st, T_ACTOR, "AT-0001", "CASE-A", 1, NULL, &e), &e);
	at_errors_free(&e);
}

static void test_slot_move_bad_occupied(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;

	t_asset(st, "AT-0001", "CASE-A", 1);
	t_asset(st, "AT-0002", "CASE-B", 1);
	REFUSE(st, slot_move(st, T_ACTOR, "AT-0001", "CASE-B", 1, NULL, &e), AT_SLOT_OCCUPIED,
	       &e);
	assert_true(t_mentions(&e, "AT-0002"));
	at_errors_free(&e);
}

static void test_slot_move_bad_missing_slot(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;

	t_asset(st, "AT-0001", "CASE-A", 1);
	REFUSE(st, slot_move(st, T_ACTOR, "AT-0001", "CASE-B", 6, NULL, &e), AT_SLOT_NOT_FOUND,
	       &e);
	REFUSE(st, slot_move(st, T_ACTOR, "AT-0001", "NOPE", 1, NULL, &e), AT_NOT_FOUND, &e);
	at_errors_free(&e);
}

static void test_slot_move_bad_retired(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;

	t_asset(st, "AT-0001", "CASE-A", 1);
	T_OK(asset_retire(st, T_ACTOR, "AT-0001", "obsolete", NULL, &e), &e);
	REFUSE_ANY(st, slot_move(st, T_ACTOR, "AT-0001", "CASE-A", 2, NULL, &e), &e);
	at_errors_free(&e);
}

/* ---- force vacate ----------------------------------------------------- */

static void test_vacate_ok(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset out, a;
	struct t_event ev;
	int64_t n0;

	t_asset(st, "AT-0001", "CASE-A", 3);
	n0 = t_events(st);
	memset(&out, 0, sizeof(out));
	T_OK(slot_force_vacate(st, T_ACTOR, "CASE-A", 3, "foam slot torn", &out, &e), &e);
	assert_int_equal(t_events(st), n0 + 1);
	assert_string_equal(out.tag, "AT-0001");
	ev = t_last_event(st);
	assert_string_equal(ev.type, "FORCE_VACATE");
	assert_string_equal(ev.asset_tag, "AT-0001");
	assert_string_equal(ev.from_case, "CASE-A");
	assert_int_equal(ev.from_position, 3);
	assert_string_equal(ev.reason, "foam slot torn");
	free(ev.details);
	a = t_get(st, "AT-0001");
	assert_int_equal(a.state, ASSET_STORAGE);
	assert_int_equal(a.case_id, 0);
	assert_int_equal(a.holder_id, 0);
	/* the asset can be assigned again, the slot reused */
	T_OK(slot_assign(st, T_ACTOR, "AT-0001", "CASE-B", 3, NULL, &e), &e);
	t_asset(st, "AT-0002", "CASE-A", 3);
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

static void test_vacate_bad_no_reason(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;

	t_asset(st, "AT-0001", "CASE-A", 3);
	REFUSE(st, slot_force_vacate(st, T_ACTOR, "CASE-A", 3, NULL, NULL, &e), AT_INVALID, &e);
	REFUSE(st, slot_force_vacate(st, T_ACTOR, "CASE-A", 3, "", NULL, &e), AT_INVALID, &e);
	REFUSE(st, slot_force_vacate(st, T_ACTOR, "CASE-A", 3, " \r\n", NULL, &e), AT_INVALID, &e);
	at_errors_free(&e);
}

static void test_vacate_bad_empty_slot(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;

	t_asset(st, "AT-0001", "CASE-A", 3);
	REFUSE(st, slot_force_vacate(st, T_ACTOR, "CASE-A", 2, "why not", NULL, &e),
	       AT_SLOT_EMPTY, &e);
	at_errors_free(&e);
}

static void test_vacate_bad_missing_slot(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;

	REFUSE(st, slot_force_vacate(st, T_ACTOR, "CASE-A", 6, "r", NULL, &e), AT_SLOT_NOT_FOUND,
	       &e);
	REFUSE(st, slot_force_vacate(st, T_ACTOR, "NOPE", 1, "r", NULL, &e), AT_NOT_FOUND, &e);
	at_errors_free(&e);
}

static void test_vacate_bad_after_stock_out(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	int64_t h = t_holder(st, "Dana Ruiz", NULL);

	/* An asset in custody is in no slot: its former slot is empty. */
	t_asset(st, "AT-0001", "CASE-A", 3);
	t_stock_out(st, h, "AT-0001", NULL);
	REFUSE(st, slot_force_vacate(st, T_ACTOR, "CASE-A", 3, "r", NULL, &e), AT_SLOT_EMPTY, &e);
	assert_int_equal(t_get(st, "AT-0001").state, ASSET_IN_CUSTODY);
	at_errors_free(&e);
}

/* Invariant 9: two processes race to fill the same five slots with
 * different assets; each slot ends up with exactly one of them, the
 * loser of each race gets a conflict, nothing is double-booked. */
static void test_slot_assign_race_one_wins(void **state)
{
	struct t_db *d = T_DB(state);
	int go[2], status, wins = 0;
	pid_t pid[2];

	for (int k = 0; k < 2; k++)
		for (int i = 1; i <= 5; i++) {
			char tag[16];
			snprintf(tag, sizeof(tag), "R%d-%d", k, i);
			t_asset(d->st, tag, NULL, 0);
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
			struct store *st = NULL;
			int won = 0;
			char c;

			close(go[1]);
			if (store_open(d->path, 0, &st, &e) != AT_OK)
				_exit(100);
			if (read(go[0], &c, 1) < 0)
				_exit(101);
			for (int i = 1; i <= 5; i++) {
				char tag[16];
				enum at_code r;
				snprintf(tag, sizeof(tag), "R%d-%d", k, i);
				at_errors_reset(&e);
				r = slot_assign(st, T_ACTOR, tag, "CASE-B", i, NULL, &e);
				if (r == AT_OK)
					won++;
				else if (r != AT_SLOT_OCCUPIED && r != AT_CONFLICT)
					_exit(102);
			}
			store_close(st);
			at_errors_free(&e);
			_exit(won);
		}
	}
	close(go[0]);
	close(go[1]);
	for (int k = 0; k < 2; k++) {
		assert_int_equal(waitpid(pid[k], &status, 0), pid[k]);
		assert_true(WIFEXITED(status));
		assert_true(WEXITSTATUS(status) <= 5);
		wins += WEXITSTATUS(status);
	}
	assert_int_equal(wins, 5);
	t_reopen(d);
	assert_int_equal(t_events_of(d->st, "SLOT_ASSIGN", NULL), 5);
	T_VERIFY_OK(d->st);
}

/* ---- slot labels ------------------------------------------------------ */

static void test_slot_label_parse(void **state)
{
	char name[AT_NAME_MAX + 1];
	int64_t pos = 0;

	(void)state;
	assert_int_equal(slot_label_parse("PELI-07/12", name, sizeof(name), &pos), 0);
	assert_string_equal(name, "PELI-07");
	assert_int_equal(pos, 12);
	assert_int_equal(slot_label_parse("CASE-A:3", name, sizeof(name), &pos), 0);
	assert_string_equal(name, "CASE-A");
	assert_int_equal(pos, 3);
	/* the case part is everything before the last separator */
	assert_int_equal(slot_label_parse("Case 1:A/7", name, sizeof(name), &pos), 0);
	assert_string_equal(name, "Case 1:A");
	assert_int_equal(pos, 7);
	assert_int_equal(slot_label_parse("PELI-07", name, sizeof(name), &pos), -1);
	assert_int_equal(slot_label_parse("PELI-07/", name, sizeof(name), &pos), -1);
	assert_int_equal(slot_label_parse("/12", name, sizeof(name), &pos), -1);
	assert_int_equal(slot_label_parse("PELI-07/x", name, sizeof(name), &pos), -1);
	assert_int_equal(slot_label_parse("PELI-07/12abc", name, sizeof(name), &pos), -1);
	assert_int_equal(slot_label_parse("PELI-07/-1", name, sizeof(name), &pos), -1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, t_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_case_create_ok),
		T(test_case_create_ok_bounds),
		T(test_case_create_bad_zero_slots),
		T(test_case_create_bad_1001_slots),
		T(test_case_create_bad_duplicate_name),
		T(test_case_create_bad_name),
		T(test_case_resize_grows),
		T(test_case_resize_bad_shrink),
		T(test_case_resize_bad_over_max),
		T(test_case_resize_bad_not_found),
		T(test_slot_assign_ok),
		T(test_slot_assign_bad_in_custody),
		T(test_slot_assign_bad_already_slotted),
		T(test_slot_assign_bad_occupied),
		T(test_slot_assign_bad_missing_slot),
		T(test_slot_assign_bad_retired),
		T(test_slot_assign_bad_unknown_asset),
		T(test_slot_move_ok),
		T(test_slot_move_bad_unslotted),
		T(test_slot_move_bad_in_custody),
		T(test_slot_move_bad_same_slot),
		T(test_slot_move_bad_occupied),
		T(test_slot_move_bad_missing_slot),
		T(test_slot_move_bad_retired),
		T(test_vacate_ok),
		T(test_vacate_bad_no_reason),
		T(test_vacate_bad_empty_slot),
		T(test_vacate_bad_missing_slot),
		T(test_vacate_bad_after_stock_out),
		T(test_slot_assign_race_one_wins),
		T(test_slot_label_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
