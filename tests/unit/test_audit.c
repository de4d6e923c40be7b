/*
 * test_audit.c — physical audits of cases and holders, their record and
 * the corrections they suggest (core/audit.h; SPEC §5, §6).
 *
 * The fixture: case PELI with 6 slots holding A1..A5 in slots 1..5 (slot 6
 * empty), case OTHER (3 slots) holding B1 in slot 1, U1 in storage in no
 * slot, C1 and C2 in custody of Dana, R1 retired.
 */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/read.h"

static int64_t dana;

static int setup(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct store *st;
	char tag[8];

	if (t_setup(state) != 0)
		return -1;
	st = T_ST(state);
	t_case(st, "PELI", 6);
	t_case(st, "OTHER", 3);
	for (int i = 1; i <= 5; i++) {
		snprintf(tag, sizeof(tag), "A%d", i);
		t_asset(st, tag, "PELI", i);
	}
	t_asset(st, "B1", "OTHER", 1);
	t_asset(st, "U1", NULL, 0);
	t_asset(st, "C1", "OTHER", 2);
	t_asset(st, "C2", "OTHER", 3);
	t_asset(st, "R1", NULL, 0);
	dana = t_holder(st, "Dana Ruiz", "B-42");
	t_stock_out(st, dana, "C1", "C2", NULL);
	T_OK(asset_retire(st, T_ACTOR, "R1", "end of life", NULL, &e), &e);
	at_errors_free(&e);
	return 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, t_teardown)

/* ---- helpers ------------------------------------------------------------ */

/* A digest of every asset, case and holder row, without the event count:
 * equal before and after an audit is saved proves it changed nothing but
 * the log. */
static void fnv(uint64_t *h, const char *s)
{
	for (; s && *s; s++) {
		*h ^= (unsigned char)*s;
		*h *= 0x100000001b3ULL;
	}
	*h ^= 0xff;
	*h *= 0x100000001b3ULL;
}

static int digest_asset(void *ctx, const struct asset *a)
{
	char b[256];

	snprintf(b, sizeof(b), "%s|%d|%d|%lld|%s|%s|%lld|%d|%lld|%d|%s|%s", a->tag, a->state,
	         a->condition, (long long)a->holder_id, a->due, a->custody_since,
	         (long long)a->case_id, a->position, (long long)a->last_case_id, a->last_position,
	         a->updated_at, a->retired_at);
	fnv(ctx, b);
	return 0;
}

static int digest_case(void *ctx, const struct case_info *c)
{
	char b[160];

	snprintf(b, sizeof(b), "%s|%d|%s", c->name, c->slot_count, c->updated_at);
	fnv(ctx, b);
	return 0;
}

static int digest_holder(void *ctx, const struct holder *h)
{
	char b[300];

	snprintf(b, sizeof(b), "%lld|%s|%d|%s", (long long)h->id, h->name, h->active, h->updated_at);
	fnv(ctx, b);
	return 0;
}

static uint64_t state_digest(struct store *st)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	struct asset_filter f;

	memset(&f, 0, sizeof(f));
	assert_int_equal(store_asset_list(st, &f, digest_asset, &h), AT_OK);
	assert_int_equal(store_case_list(st, NULL, 0, digest_case, &h), AT_OK);
	assert_int_equal(store_holder_list(st, 0, 0, digest_holder, &h), AT_OK);
	return h;
}

/* The line of kind `k` for tag (or input) `what`, or NULL. */
static const struct audit_line *line(const struct audit_result *r, enum audit_kind k,
                                     const char *what)
{
	for (size_t i = 0; i < r->nlines; i++) {
		const struct audit_line *l = &r->lines[i];
		if (l->kind == k && (strcmp(l->tag, what) == 0 || strcmp(l->input, what) == 0))
			return l;
	}
	return NULL;
}

/* The suggested correction for `tag`, or NULL. */
static const struct audit_fix *fix_for(const struct audit_result *r, const char *tag)
{
	for (size_t i = 0; i < r->nfixes; i++)
		if (strcmp(r->fixes[i].tag, tag) == 0)
			return &r->fixes[i];
	return NULL;
}

/* Run an audit of `case_name` with a NULL-terminated scan list. */
static enum at_code audit(struct store *st, const char *case_name, int save,
                          struct audit_result *r, struct at_errors *e, ...)
{
	const char *scans[64];
	size_t n = 0;
	va_list ap;
	const char *s;

	va_start(ap, e);
	while ((s = va_arg(ap, const char *)) != NULL && n < 64)
		scans[n++] = s;
	va_end(ap);
	at_errors_reset(e);
	return audit_run(st, T_ACTOR, case_name, scans, n, save, r, e);
}

#define COUNTS(r, m, mi, mp, u, d, er)                          \
	do {                                                    \
		assert_int_equal((r).count[AUDIT_MATCHED], (m));    \
		assert_int_equal((r).count[AUDIT_MISSING], (mi));   \
		assert_int_equal((r).count[AUDIT_MISPLACED], (mp)); \
		assert_int_equal((r).count[AUDIT_UNEXPECTED], (u)); \
		assert_int_equal((r).count[AUDIT_DUPLICATE], (d));  \
		assert_int_equal((r).count[AUDIT_ERROR], (er));     \
	} while (0)

/* ---- comparing ------------------------------------------------------------ */

static void test_audit_all_matched_with_labels(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct audit_result r;
	uint64_t before = t_snapshot(st);

	T_OK(audit(st, "PELI", 0, &r, &e, "PELI/1", "A1", "PELI/2", "a2", "PELI/3", "A-3",
	           "PELI:4", "A4", "PELI/5", " A5\r\n", NULL), &e);
	COUNTS(r, 5, 0, 0, 0, 0, 0);
	assert_int_equal(r.nscans, 10);
	assert_int_equal(line(&r, AUDIT_MATCHED, "A2")->scanned_pos, 2);
	assert_int_equal(line(&r, AUDIT_MATCHED, "A2")->db_pos, 2);
	assert_string_equal(line(&r, AUDIT_MATCHED, "A2")->input, "a2");
	assert_int_equal(line(&r, AUDIT_MATCHED, "A5")->scanned_pos, 5);
	assert_int_equal(r.nfixes, 0);
	assert_int_equal(r.seq, 0);
	/* Not saved: nothing at all changed, not even the log. */
	assert_true(t_snapshot(st) == before);
	audit_result_free(&r);
	at_errors_free(&e);
}

static void test_audit_every_category(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct audit_result r;
	const struct audit_line *l;
	char where[AT_MSG_MAX];

	T_OK(audit(st, "PELI", 0, &r, &e,
	           "PELI/1", "A1",           /* 1-2: matched */
	           "PELI/2", "A3",           /* 3-4: misplaced (db slot 3) */
	           "PELI/6", "B1",           /* 5-6: unexpected, slot of OTHER */
	           "U1",                     /* 7: unexpected, unslotted */
	           "C1",                     /* 8: unexpected, in custody */
	           "R1",                     /* 9: unexpected, retired */
	           "NOPE-1",                 /* 10: unexpected, unknown */
	           "a1",                     /* 11: duplicate of scan 2 */
	           "nope1",                  /* 12: duplicate of scan 10 */
	           "OTHER/2",                /* 13: error, another case */
	           "A4",                     /* 14: matched, slot not checked */
	           "PELI/9",                 /* 15: error, no such slot */
	           "PELI/x",                 /* 16: error, not a label */
	           NULL), &e);
	/* A2 and A5 were not scanned. */
	COUNTS(r, 2, 2, 1, 5, 2, 3);
	assert_int_equal(r.nscans, 16);

	l = line(&r, AUDIT_MATCHED, "A1");
	assert_int_equal(l->scan, 2);
	assert_int_equal(l->scanned_pos, 1);
	/* After an error the current slot is cleared: A4 is only "in the case". */
	l = line(&r, AUDIT_MATCHED, "A4");
	assert_int_equal(l->scanned_pos, 0);
	assert_int_equal(l->db_pos, 4);

	l = line(&r, AUDIT_MISPLACED, "A3");
	assert_int_equal(l->scanned_pos, 2);
	assert_int_equal(l->db_pos, 3);

	l = line(&r, AUDIT_UNEXPECTED, "B1");
	assert_int_equal(l->where, AW_ELSEWHERE);
	assert_string_equal(l->where_case, "OTHER");
	assert_int_equal(l->where_pos, 1);
	assert_int_equal(l->scanned_pos, 6);
	l = line(&r, AUDIT_UNEXPECTED, "U1");
	assert_int_equal(l->where, AW_UNSLOTTED);
	l = line(&r, AUDIT_UNEXPECTED, "C1");
	assert_int_equal(l->where, AW_IN_CUSTODY);
	assert_int_equal(l->holder_id, dana);
	assert_string_equal(l->holder_name, "Dana Ruiz");
	audit_where_text(l, where, sizeof(where));
	assert_string_equal(where, "in custody of Dana Ruiz (#1)");
	assert_int_equal(line(&r, AUDIT_UNEXPECTED, "R1")->where, AW_RETIRED);
	l = line(&r, AUDIT_UNEXPECTED, "NOPE-1");
	assert_int_equal(l->where, AW_UNKNOWN);
	assert_string_equal(l->tag, "");

	l = line(&r, AUDIT_DUPLICATE, "A1");
	assert_int_equal(l->scan, 11);
	assert_int_equal(l->first_scan, 2);
	l = line(&r, AUDIT_DUPLICATE, "nope1");
	assert_int_equal(l->first_scan, 10);

	l = line(&r, AUDIT_ERROR, "OTHER/2");
	assert_int_equal(l->code, AT_INVALID);
	assert_non_null(strstr(l->message, "slot of case OTHER, not of PELI"));
	assert_int_equal(line(&r, AUDIT_ERROR, "PELI/9")->code, AT_SLOT_NOT_FOUND);
	assert_int_equal(line(&r, AUDIT_ERROR, "PELI/x")->code, AT_INVALID);

	/* Missing, in slot order, with the slot the database has. */
	assert_int_equal(line(&r, AUDIT_MISSING, "A2")->db_pos, 2);
	assert_int_equal(line(&r, AUDIT_MISSING, "A5")->db_pos, 5);
	assert_true(line(&r, AUDIT_MISSING, "A2") < line(&r, AUDIT_MISSING, "A5"));
	audit_result_free(&r);
	at_errors_free(&e);
}

/* Without labels the scans are not taken to be in slot order: any order
 * proves presence, nothing is called misplaced (audit.h says why). */
static void test_audit_no_labels_is_not_slot_order(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct audit_result r;

	T_OK(audit(st, "PELI", 0, &r, &e, "A3", "A1", "A2", "A5", NULL), &e);
	COUNTS(r, 4, 1, 0, 0, 0, 0);
	for (size_t i = 0; i < r.nlines; i++)
		if (r.lines[i].kind == AUDIT_MATCHED)
			assert_int_equal(r.lines[i].scanned_pos, 0);
	assert_non_null(line(&r, AUDIT_MISSING, "A4"));
	/* Nothing scanned at a slot: only the missing one's vacate. */
	assert_int_equal(r.nfixes, 1);
	assert_int_equal(r.fixes[0].kind, AUDIT_FIX_VACATE);
	audit_result_free(&r);
	at_errors_free(&e);
}

static void test_audit_empty_case_and_no_scans(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct audit_result r;

	T_OK(audit_run(st, T_ACTOR, "PELI", NULL, 0, 0, &r, &e), &e);
	COUNTS(r, 0, 5, 0, 0, 0, 0);
	assert_int_equal(r.nfixes, 5);
	audit_result_free(&r);
	at_errors_free(&e);
}

static void test_audit_bad_unknown_case(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct audit_result r;
	uint64_t before = t_snapshot(st);

	T_EXPECT(audit(st, "NOPE", 1, &r, &e, "A1", NULL), AT_NOT_FOUND, &e);
	assert_true(t_mentions(&e, "no case named 'NOPE'"));
	T_EXPECT(audit(st, "peli", 1, &r, &e, "A1", NULL), AT_NOT_FOUND, &e);
	T_EXPECT(audit(st, "", 1, &r, &e, "A1", NULL), AT_INVALID, &e);
	assert_null(r.lines);
	assert_true(t_snapshot(st) == before);
	at_errors_free(&e);
}

static void test_audit_bad_too_many_scans(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct audit_result r;
	const char **scans = calloc(AT_AUDIT_MAX_SCANS + 1, sizeof(*scans));
	uint64_t before = t_snapshot(st);

	assert_non_null(scans);
	for (size_t i = 0; i <= AT_AUDIT_MAX_SCANS; i++)
		scans[i] = "A1";
	T_EXPECT(audit_run(st, T_ACTOR, "PELI", scans, AT_AUDIT_MAX_SCANS + 1, 1, &r, &e),
	         AT_TOO_LARGE, &e);
	assert_true(t_snapshot(st) == before);
	/* The cap itself is allowed: the first counts, the rest are repeats. */
	T_OK(audit_run(st, T_ACTOR, "PELI", scans, AT_AUDIT_MAX_SCANS, 0, &r, &e), &e);
	COUNTS(r, 1, 4, 0, 0, AT_AUDIT_MAX_SCANS - 1, 0);
	audit_result_free(&r);
	free(scans);
	at_errors_free(&e);
}

/* ---- saving ---------------------------------------------------------------- */

static void test_audit_save_one_event_nothing_else(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct audit_result r, back;
	struct t_event ev;
	json_t *d, *j1, *j2;
	uint64_t before = state_digest(st);
	int64_t n0 = t_events(st);

	T_OK(audit(st, "PELI", 1, &r, &e, "PELI/1", "A1", "PELI/2", "A3", "B1", "NOPE", NULL),
	     &e);
	assert_int_equal(t_events(st), n0 + 1);
	assert_true(state_digest(st) == before);
	ev = t_last_event(st);
	assert_string_equal(ev.type, "AUDIT_RECORDED");
	assert_int_equal(ev.seq, r.seq);
	assert_string_equal(ev.actor, T_ACTOR);
	assert_string_equal(ev.batch_id, r.batch_id);
	assert_string_equal(ev.at, r.at);
	assert_string_equal(ev.asset_tag, "");
	assert_int_equal(ev.holder_id, 0);
	d = json_loads(ev.details, 0, NULL);
	assert_non_null(d);
	assert_string_equal(json_string_value(json_object_get(d, "case")), "PELI");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(d, "counts"),
	                                                    "missing")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(d, "counts"),
	                                                    "unexpected")), 2);
	assert_null(json_object_get(d, "saved"));
	free(ev.details);
	T_VERIFY_OK(st);

	/* Read back, it is the same answer. */
	T_OK(audit_get(st, r.seq, &back, &e), &e);
	j1 = audit_to_json(&r);
	j2 = audit_to_json(&back);
	assert_true(json_equal(j1, j2));
	assert_true(json_equal(json_object_get(j1, "corrections"),
	                       json_object_get(d, "corrections")));
	json_decref(j1);
	json_decref(j2);
	json_decref(d);
	audit_result_free(&back);
	T_EXPECT(audit_get(st, 1, &back, &e), AT_NOT_FOUND, &e);
	assert_true(t_mentions(&e, "not a saved audit"));
	T_EXPECT(audit_get(st, r.seq + 1, &back, &e), AT_NOT_FOUND, &e);
	audit_result_free(&r);
	at_errors_free(&e);
}

/* ---- corrections ------------------------------------------------------------ */

/* A3 found in slot 2 (A2's, which is missing), B1 of OTHER in empty slot
 * 6: move, move, vacate. */
static void audit_with_fixes(struct store *st, struct audit_result *r, struct at_errors *e)
{
	T_OK(audit(st, "PELI", 1, r, e, "PELI/1", "A1", "PELI/2", "A3", "PELI/4", "A4", "PELI/5",
	           "A5", "PELI/6", "B1", NULL), e);
	COUNTS(*r, 3, 1, 1, 1, 0, 0);
	assert_int_equal(r->nfixes, 3);
	assert_int_equal(fix_for(r, "A3")->kind, AUDIT_FIX_MOVE);
	assert_int_equal(fix_for(r, "A3")->to_pos, 2);
	assert_int_equal(fix_for(r, "A3")->from_pos, 3);
	assert_int_equal(fix_for(r, "B1")->kind, AUDIT_FIX_MOVE);
	assert_string_equal(fix_for(r, "B1")->from_case, "OTHER");
	assert_int_equal(fix_for(r, "B1")->to_pos, 6);
	assert_int_equal(fix_for(r, "A2")->kind, AUDIT_FIX_VACATE);
	assert_int_equal(fix_for(r, "A2")->from_pos, 2);
}

static void test_audit_apply_all(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct audit_result r;
	struct audit_applied out;
	struct event_filter f;
	struct t_event *evs;
	size_t n;
	int ids[3];
	char reason[64];

	audit_with_fixes(st, &r, &e);
	for (int i = 0; i < 3; i++)
		ids[i] = r.fixes[i].id;
	T_OK(audit_apply(st, "admin", r.seq, ids, 3, &out, &e), &e);
	assert_int_equal(out.napplied, 3);
	assert_int_equal(out.nevents, 3);
	assert_int_equal(t_get(st, "A3").position, 2);
	assert_int_equal(t_get(st, "B1").position, 6);
	assert_int_equal(t_get(st, "A2").case_id, 0);
	assert_int_equal(t_get(st, "A2").state, ASSET_STORAGE);

	memset(&f, 0, sizeof(f));
	f.batch_id = out.batch_id;
	evs = t_event_rows(st, &f, &n);
	assert_int_equal(n, 3);
	/* The vacate first: it frees slot 2 for A3. */
	assert_string_equal(evs[0].type, "FORCE_VACATE");
	assert_string_equal(evs[0].asset_tag, "A2");
	snprintf(reason, sizeof(reason), "missing at audit %.10s", r.at);
	assert_string_equal(evs[0].reason, reason);
	assert_string_equal(evs[1].type, "SLOT_MOVE");
	assert_string_equal(evs[2].type, "SLOT_MOVE");
	for (size_t i = 0; i < n; i++) {
		json_t *d = json_loads(evs[i].details, 0, NULL);
		assert_int_equal(json_integer_value(json_object_get(d, "audit_seq")), r.seq);
		assert_string_equal(evs[i].actor, "admin");
		json_decref(d);
	}
	assert_int_equal(out.head.seq, evs[2].seq);
	t_events_free(evs, n);
	T_VERIFY_OK(st);
	audit_result_free(&r);
	at_errors_free(&e);
}

static void test_audit_apply_bad_all_or_nothing(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct audit_result r;
	struct audit_applied out;
	uint64_t before;
	int move_a3, vacate_a2, move_b1, ids[3];

	audit_with_fixes(st, &r, &e);
	move_a3 = fix_for(&r, "A3")->id;
	vacate_a2 = fix_for(&r, "A2")->id;
	move_b1 = fix_for(&r, "B1")->id;
	before = t_snapshot(st);

	/* B1's move would go, A3's cannot (A2 stays in slot 2): neither. */
	ids[0] = move_b1;
	ids[1] = move_a3;
	T_EXPECT(audit_apply(st, "admin", r.seq, ids, 2, &out, &e), AT_SLOT_OCCUPIED, &e);
	assert_int_equal(t_items(&e, NULL, AT_SLOT_OCCUPIED), 1);
	assert_true(t_mentions(&e, "slot PELI/2 holds A2"));
	assert_true(t_snapshot(st) == before);

	ids[0] = 99;
	T_EXPECT(audit_apply(st, "admin", r.seq, ids, 1, &out, &e), AT_NOT_FOUND, &e);
	assert_int_equal(t_items(&e, "99", AT_NOT_FOUND), 1);
	ids[0] = vacate_a2;
	ids[1] = vacate_a2;
	T_EXPECT(audit_apply(st, "admin", r.seq, ids, 2, &out, &e), AT_DUPLICATE_IN_BATCH, &e);
	T_EXPECT(audit_apply(st, "admin", r.seq, ids, 0, &out, &e), AT_INVALID, &e);
	T_EXPECT(audit_apply(st, "admin", 1, ids, 1, &out, &e), AT_NOT_FOUND, &e);
	assert_true(t_snapshot(st) == before);

	/* The world moved on since the audit: A3 is elsewhere now. */
	T_OK(slot_move(st, T_ACTOR, "A3", "OTHER", 2, NULL, &e), &e);
	before = t_snapshot(st);
	ids[0] = vacate_a2;
	ids[1] = move_a3;
	ids[2] = move_b1;
	T_EXPECT(audit_apply(st, "admin", r.seq, ids, 3, &out, &e), AT_CONFLICT, &e);
	assert_int_equal(t_items(&e, NULL, -1), 1);
	assert_true(t_mentions(&e, "has changed since the audit"));
	assert_true(t_snapshot(st) == before);
	T_VERIFY_OK(st);
	audit_result_free(&r);
	at_errors_free(&e);
}

/* A1 and A2 found in each other's slots: both moves apply, passing A1
 * through the free slot 6; in a full case that is refused. */
static void test_audit_apply_swap(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct audit_result r;
	struct audit_applied out;
	uint64_t before;
	int ids[2];

	T_OK(audit(st, "PELI", 1, &r, &e, "PELI/1", "A2", "PELI/2", "A1", "PELI/3", "A3", NULL),
	     &e);
	COUNTS(r, 1, 2, 2, 0, 0, 0);
	ids[0] = fix_for(&r, "A2")->id;
	ids[1] = fix_for(&r, "A1")->id;
	T_OK(audit_apply(st, "admin", r.seq, ids, 2, &out, &e), &e);
	assert_int_equal(out.napplied, 2);
	assert_int_equal(out.nevents, 3);
	assert_int_equal(t_get(st, "A1").position, 2);
	assert_int_equal(t_get(st, "A2").position, 1);
	T_VERIFY_OK(st);
	audit_result_free(&r);

	/* Fill slot 6 and the case has no slot to pass through. */
	t_asset(st, "A6", "PELI", 6);
	T_OK(audit(st, "PELI", 1, &r, &e, "PELI/1", "A1", "PELI/2", "A2", NULL), &e);
	ids[0] = fix_for(&r, "A2")->id;
	ids[1] = fix_for(&r, "A1")->id;
	before = t_snapshot(st);
	T_EXPECT(audit_apply(st, "admin", r.seq, ids, 2, &out, &e), AT_SLOT_OCCUPIED, &e);
	assert_true(t_mentions(&e, "needs a free slot"));
	assert_true(t_snapshot(st) == before);
	audit_result_free(&r);
	at_errors_free(&e);
}

/* Unslotted U1 found in empty slot 6: assign.  Two assets scanned in one
 * slot, or one asset in two slots: nothing suggested for them. */
static void test_audit_suggestions_only_when_certain(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct audit_result r;
	struct audit_applied out;
	struct t_event ev;
	int id;

	T_OK(audit(st, "PELI", 1, &r, &e, "PELI/6", "U1", "PELI/1", "A1", "A3", "PELI/4", "A5",
	           "PELI/2", "A5", "PELI/3", "C1", NULL), &e);
	assert_int_equal(fix_for(&r, "U1")->kind, AUDIT_FIX_ASSIGN);
	assert_int_equal(fix_for(&r, "U1")->to_pos, 6);
	assert_null(fix_for(&r, "A3"));   /* slot 1 matched A1 */
	assert_null(fix_for(&r, "A5"));   /* scanned in slots 4 and 2 */
	assert_null(fix_for(&r, "C1"));   /* in custody: Stock-In, not a correction */
	id = fix_for(&r, "U1")->id;
	{
		/* Something else (even in custody, even unknown) in the slot too. */
		struct audit_result r2;
		T_OK(audit(st, "PELI", 0, &r2, &e, "PELI/6", "B1", "C1", NULL), &e);
		assert_null(fix_for(&r2, "B1"));
		audit_result_free(&r2);
		T_OK(audit(st, "PELI", 0, &r2, &e, "PELI/6", "NOPE", "B1", NULL), &e);
		assert_null(fix_for(&r2, "B1"));
		audit_result_free(&r2);
		T_OK(audit(st, "PELI", 0, &r2, &e, "PELI/6", "B1", "b1", NULL), &e);
		assert_int_equal(fix_for(&r2, "B1")->kind, AUDIT_FIX_MOVE);
		audit_result_free(&r2);
	}
	T_OK(audit_apply(st, "admin", r.seq, &id, 1, &out, &e), &e);
	assert_int_equal(t_get(st, "U1").position, 6);
	ev = t_last_event(st);
	assert_string_equal(ev.type, "SLOT_ASSIGN");
	free(ev.details);
	T_VERIFY_OK(st);
	audit_result_free(&r);
	at_errors_free(&e);
}

/* ---- holder audits ------------------------------------------------------------ */

static void test_holder_audit(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct audit_result r;
	struct audit_applied out;
	struct holder_ref h = { 0, "B-42", 1 };
	const char *scans[] = { "c1", "B1", "C1", "PELI/1", "NOPE" };
	uint64_t before = state_digest(st);
	struct t_event ev;
	json_t *j;
	int id = 1;

	T_OK(audit_holder(st, T_ACTOR, h, scans, 5, 1, &r, &e), &e);
	assert_true(r.holder_audit);
	assert_int_equal(r.h.id, dana);
	COUNTS(r, 1, 1, 0, 2, 1, 1);
	assert_non_null(line(&r, AUDIT_MATCHED, "C1"));
	assert_non_null(line(&r, AUDIT_MISSING, "C2"));
	assert_int_equal(line(&r, AUDIT_UNEXPECTED, "B1")->where, AW_ELSEWHERE);
	assert_int_equal(line(&r, AUDIT_UNEXPECTED, "NOPE")->where, AW_UNKNOWN);
	assert_int_equal(r.nfixes, 0);
	assert_true(state_digest(st) == before);
	ev = t_last_event(st);
	assert_string_equal(ev.type, "AUDIT_RECORDED");
	assert_int_equal(ev.holder_id, dana);
	free(ev.details);
	j = audit_to_json(&r);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "counts"),
	                                                    "not_seen")), 1);
	assert_int_equal(json_array_size(json_object_get(j, "not_theirs")), 2);
	assert_null(json_object_get(j, "misplaced"));
	json_decref(j);
	T_EXPECT(audit_apply(st, "admin", r.seq, &id, 1, &out, &e), AT_INVALID, &e);
	audit_result_free(&r);

	h = (struct holder_ref){ 0, "NO-BADGE", 1 };
	T_EXPECT(audit_holder(st, T_ACTOR, h, scans, 1, 0, &r, &e), AT_NOT_FOUND, &e);
	h = (struct holder_ref){ dana, NULL, 0 };
	T_OK(audit_holder(st, T_ACTOR, h, scans, 1, 0, &r, &e), &e);
	assert_int_equal(r.count[AUDIT_MATCHED], 1);
	audit_result_free(&r);
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

/* ---- last audits ------------------------------------------------------------ */

struct seen {
	struct audit_summary s[8];
	int n;
};

static int keep(void *ctx, const struct audit_summary *s)
{
	struct seen *v = ctx;

	if (v->n < 8)
		v->s[v->n++] = *s;
	return 0;
}

static void test_audit_last_and_stale(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct audit_result r;
	struct audit_summary s;
	struct seen v;

	T_OK(audit_last(st, "PELI", &s, &e), &e);
	assert_int_equal(s.seq, 0);
	T_EXPECT(audit_last(st, "NOPE", &s, &e), AT_NOT_FOUND, &e);

	setenv("ASSETTRACK_FAKE_NOW", "2026-01-10T10:00:00.000Z", 1);
	T_OK(audit(st, "PELI", 1, &r, &e, "A1", NULL), &e);
	audit_result_free(&r);
	setenv("ASSETTRACK_FAKE_NOW", "2026-02-01T10:00:00.000Z", 1);
	T_OK(audit(st, "PELI", 1, &r, &e, "PELI/1", "A1", "A2", NULL), &e);
	COUNTS(r, 1, 3, 1, 0, 0, 0);

	T_OK(audit_last(st, "PELI", &s, &e), &e);
	assert_int_equal(s.seq, r.seq);
	assert_string_equal(s.at, "2026-02-01T10:00:00.000Z");
	assert_string_equal(s.actor, T_ACTOR);
	assert_int_equal(s.count[AUDIT_MATCHED], 1);
	assert_int_equal(s.count[AUDIT_MISPLACED], 1);
	assert_int_equal(s.count[AUDIT_MISSING], 3);
	assert_int_equal(s.slot_count, 6);

	memset(&v, 0, sizeof(v));
	T_OK(audit_cases(st, NULL, -1, 0, keep, &v, &e), &e);
	assert_int_equal(v.n, 2);
	assert_string_equal(v.s[0].case_name, "OTHER");
	assert_int_equal(v.s[0].seq, 0);
	assert_string_equal(v.s[1].case_name, "PELI");
	assert_int_equal(v.s[1].seq, r.seq);

	/* Ten days on: PELI was audited 10 days ago. */
	setenv("ASSETTRACK_FAKE_NOW", "2026-02-11T10:00:00.000Z", 1);
	memset(&v, 0, sizeof(v));
	T_OK(audit_cases(st, NULL, 30, 0, keep, &v, &e), &e);
	assert_int_equal(v.n, 1);
	assert_string_equal(v.s[0].case_name, "OTHER");
	memset(&v, 0, sizeof(v));
	T_OK(audit_cases(st, NULL, 9, 0, keep, &v, &e), &e);
	assert_int_equal(v.n, 2);
	/* Paging: after OTHER, limit 1. */
	memset(&v, 0, sizeof(v));
	T_OK(audit_cases(st, "OTHER", -1, 1, keep, &v, &e), &e);
	assert_int_equal(v.n, 1);
	assert_string_equal(v.s[0].case_name, "PELI");
	unsetenv("ASSETTRACK_FAKE_NOW");
	audit_result_free(&r);
	at_errors_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_audit_all_matched_with_labels),
		T(test_audit_every_category),
		T(test_audit_no_labels_is_not_slot_order),
		T(test_audit_empty_case_and_no_scans),
		T(test_audit_bad_unknown_case),
		T(test_audit_bad_too_many_scans),
		T(test_audit_save_one_event_nothing_else),
		T(test_audit_apply_all),
		T(test_audit_apply_bad_all_or_nothing),
		T(test_audit_apply_swap),
		T(test_audit_suggestions_only_when_certain),
		T(test_holder_audit),
		T(test_audit_last_and_stale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
