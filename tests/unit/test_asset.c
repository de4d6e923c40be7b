/*
 * test_asset.c — asset create, update, retire and scanner resolution
 * (core/asset.h; SPEC §2, §3.1–2, §4, §5).
 */
#include "testlib.h"

#include <stdio.h>
#include <string.h>

/* Most tests want a case with a few slots. */
static int setup(void **state)
{
	if (t_setup(state) != 0)
		return -1;
	t_case(T_ST(state), "CASE-A", 10);
	return 0;
}

/* Create with `in`; on refusal require that nothing changed at all. */
static enum at_code create(struct store *st, const struct asset_input *in, struct asset *out,
                           struct at_errors *e)
{
	uint64_t before = t_snapshot(st);
	enum at_code c;

	at_errors_reset(e);
	c = asset_create(st, T_ACTOR, in, out, e);
	if (c != AT_OK)
		assert_true(t_snapshot(st) == before);
	return c;
}

/* ---- create ----------------------------------------------------------- */

static void test_create_ok_unslotted(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in = t_input("AT-0001");
	struct asset out, a;
	struct t_event ev;
	int64_t n0 = t_events(st);

	memset(&out, 0, sizeof(out));
	T_OK(create(st, &in, &out, &e), &e);
	assert_string_equal(out.tag, "AT-0001");
	assert_int_equal(out.state, ASSET_STORAGE);
	assert_int_equal(out.case_id, 0);
	assert_int_equal(t_events(st), n0 + 1);
	ev = t_last_event(st);
	assert_string_equal(ev.type, "ASSET_CREATED");
	assert_string_equal(ev.asset_tag, "AT-0001");
	assert_string_equal(ev.actor, T_ACTOR);
	assert_string_equal(ev.to_case, "");
	free(ev.details);
	assert_int_equal(t_events_of(st, "SLOT_ASSIGN", NULL), 0);

	a = t_get(st, "AT-0001");
	assert_string_equal(a.serial, "SN-AT-0001");
	assert_string_equal(a.manufacturer, "Acme");
	assert_string_equal(a.equipment_type, "Radio");
	assert_string_equal(a.building, "HQ");
	assert_string_equal(a.room, "Store room");
	assert_int_equal(a.state, ASSET_STORAGE);
	assert_int_equal(a.condition, COND_GOOD);
	assert_int_equal(a.holder_id, 0);
	assert_int_equal(a.case_id, 0);
	assert_string_equal(a.due, "");
	assert_true(a.created_at[0] != '\0');
	at_errors_free(&e);
}

static void test_create_ok_slotted_adds_slot_assign(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in = t_input("AT-0002");
	struct t_event *v;
	struct asset a;
	size_t n;
	struct event_filter f;
	int64_t n0 = t_events(st);

	in.slot_case = "CASE-A";
	in.slot_position = 3;
	T_OK(create(st, &in, NULL, &e), &e);
	assert_int_equal(t_events(st), n0 + 2);

	memset(&f, 0, sizeof(f));
	f.asset_tag = "AT-0002";
	v = t_event_rows(st, &f, &n);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].type, "ASSET_CREATED");
	assert_string_equal(v[1].type, "SLOT_ASSIGN");
	assert_string_equal(v[1].to_case, "CASE-A");
	assert_int_equal(v[1].to_position, 3);
	/* one operation, one batch id */
	assert_string_equal(v[0].batch_id, v[1].batch_id);
	assert_int_equal(v[1].seq, v[0].seq + 1);
	t_events_free(v, n);

	a = t_get(st, "AT-0002");
	assert_string_equal(a.case_name, "CASE-A");
	assert_int_equal(a.position, 3);
	assert_int_equal(a.state, ASSET_STORAGE);
	at_errors_free(&e);
}

static void test_create_ok_optional_fields(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in = t_input("AT-0003");
	struct asset a;

	in.model = "TX-200";
	in.model_code = "TX200-EU";
	in.notes = "spare antenna in pouch";
	in.manufacturer = "  Globex  ";
	T_OK(create(st, &in, NULL, &e), &e);
	a = t_get(st, "AT-0003");
	assert_string_equal(a.model, "TX-200");
	assert_string_equal(a.model_code, "TX200-EU");
	assert_string_equal(a.notes, "spare antenna in pouch");
	assert_string_equal(a.manufacturer, "Globex"); /* trimmed */
	at_errors_free(&e);
}

static const struct {
	const char *word; /* what the item must mention */
	size_t offset;
} required_fields[] = {
	{ "tag", offsetof(struct asset_input, tag) },
	{ "serial", offsetof(struct asset_input, serial) },
	{ "manufacturer", offsetof(struct asset_input, manufacturer) },
	{ "type", offsetof(struct asset_input, equipment_type) },
	{ "building", offsetof(struct asset_input, building) },
	{ "room", offsetof(struct asset_input, room) },
};
#define NREQ (sizeof(required_fields) / sizeof(required_fields[0]))

static void set_field(struct asset_input *in, size_t i, const char *v)
{
	memcpy((char *)in + required_fields[i].offset, &v, sizeof(v));
}

static void test_create_bad_missing_each_field(void **state)
{
	struct store *st = T_ST(state);
	static const char *const missing[] = { NULL, "", "   " };

	for (size_t i = 0; i < NREQ; i++) {
		for (size_t m = 0; m < 3; m++) {
			struct at_errors e = AT_ERRORS_INIT;
			struct asset_input in = t_input("AT-0100");

			set_field(&in, i, missing[m]);
			T_EXPECT(create(st, &in, NULL, &e), AT_INVALID, &e);
			if (e.nitems != 1 || !t_mentions(&e, required_fields[i].word)) {
				t_dump("report", &e);
				fail_msg("missing %s (form %zu): expected one item naming it",
				         required_fields[i].word, m);
			}
			at_errors_free(&e);
		}
	}
	assert_int_equal(store_asset_by_tag(st, "AT-0100", &(struct asset){ 0 }), AT_NOT_FOUND);
}

static void test_create_bad_missing_fields_all_reported(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in = t_input("AT-0101");

	in.serial = NULL;
	in.manufacturer = "";
	in.room = NULL;
	T_EXPECT(create(st, &in, NULL, &e), AT_INVALID, &e);
	assert_int_equal(e.nitems, 3);
	assert_true(t_mentions(&e, "serial"));
	assert_true(t_mentions(&e, "manufacturer"));
	assert_true(t_mentions(&e, "room"));
	for (size_t i = 0; i < e.nitems; i++)
		assert_int_equal(e.items[i].code, AT_INVALID);
	at_errors_free(&e);
}

static void test_create_bad_all_six_missing(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in;

	memset(&in, 0, sizeof(in));
	T_EXPECT(create(st, &in, NULL, &e), AT_INVALID, &e);
	if (e.nitems != NREQ)
		t_dump("report", &e);
	assert_int_equal(e.nitems, NREQ);
	for (size_t i = 0; i < NREQ; i++)
		assert_true(t_mentions(&e, required_fields[i].word));
	at_errors_free(&e);
}

static void test_create_bad_tag_syntax(void **state)
{
	struct store *st = T_ST(state);
	static const char *const bad[] = {
		"-AT0001", "AT/0001", "AT 0001", "AT:1", "_x",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", /* 65 */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct at_errors e = AT_ERRORS_INIT;
		struct asset_input in = t_input("AT-0102");

		in.tag = bad[i];
		T_EXPECT(create(st, &in, NULL, &e), AT_INVALID, &e);
		assert_true(e.nitems >= 1);
		at_errors_free(&e);
	}
}

static void test_create_ok_tag_64(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	char tag[65];
	struct asset_input in;

	memset(tag, 'B', 64);
	tag[64] = '\0';
	in = t_input(tag);
	in.serial = "SN-LONG";
	T_OK(create(st, &in, NULL, &e), &e);
	assert_string_equal(t_get(st, tag).tag, tag);
	at_errors_free(&e);
}

static void test_create_bad_duplicate_tag(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in;

	t_asset(st, "AT-0001", NULL, 0);
	in = t_input("AT-0001");
	in.serial = "OTHER-SERIAL";
	T_EXPECT(create(st, &in, NULL, &e), AT_DUPLICATE, &e);
	at_errors_free(&e);
}

static void test_create_bad_match_key_collision(void **state)
{
	struct store *st = T_ST(state);
	static const char *const variants[] = { "at0001", "AT0001", "at-0001", "A-T-0-0-0-1" };

	t_asset(st, "AT-0001", NULL, 0);
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		struct at_errors e = AT_ERRORS_INIT;
		struct asset_input in = t_input(variants[i]);

		T_EXPECT(create(st, &in, NULL, &e), AT_DUPLICATE, &e);
		assert_true(t_mentions(&e, "AT-0001"));
		at_errors_free(&e);
	}
}

static void test_create_bad_duplicate_serial_trim_case(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in = t_input("AT-0001");

	in.serial = "SN-1";
	T_OK(create(st, &in, NULL, &e), &e);
	in = t_input("AT-0002");
	in.serial = " sn-1 ";
	T_EXPECT(create(st, &in, NULL, &e), AT_DUPLICATE, &e);
	in.serial = "Sn-1\t";
	T_EXPECT(create(st, &in, NULL, &e), AT_DUPLICATE, &e);
	in.serial = "SN-1";
	T_EXPECT(create(st, &in, NULL, &e), AT_DUPLICATE, &e);
	in.serial = "SN-11";
	T_OK(create(st, &in, NULL, &e), &e);
	at_errors_free(&e);
}

static void test_create_bad_duplicate_serial_reverse(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in = t_input("AT-0001");

	in.serial = " sn-1 ";
	T_OK(create(st, &in, NULL, &e), &e);
	in = t_input("AT-0002");
	in.serial = "SN-1";
	T_EXPECT(create(st, &in, NULL, &e), AT_DUPLICATE, &e);
	at_errors_free(&e);
}

static void test_create_bad_slot_missing_case(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in = t_input("AT-0001");

	in.slot_case = "NO-SUCH-CASE";
	in.slot_position = 1;
	T_EXPECT(create(st, &in, NULL, &e), AT_NOT_FOUND, &e);
	assert_int_equal(store_asset_by_tag(st, "AT-0001", &(struct asset){ 0 }), AT_NOT_FOUND);
	at_errors_free(&e);
}

static void test_create_bad_slot_missing_position(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in = t_input("AT-0001");

	in.slot_case = "CASE-A";
	in.slot_position = 11;
	T_EXPECT(create(st, &in, NULL, &e), AT_SLOT_NOT_FOUND, &e);
	in.slot_position = 0;
	T_EXPECT2(create(st, &in, NULL, &e), AT_SLOT_NOT_FOUND, AT_INVALID, &e);
	in.slot_position = -3;
	T_EXPECT2(create(st, &in, NULL, &e), AT_SLOT_NOT_FOUND, AT_INVALID, &e);
	assert_int_equal(store_asset_by_tag(st, "AT-0001", &(struct asset){ 0 }), AT_NOT_FOUND);
	at_errors_free(&e);
}

static void test_create_bad_slot_occupied(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in = t_input("AT-0002");

	t_asset(st, "AT-0001", "CASE-A", 4);
	in.slot_case = "CASE-A";
	in.slot_position = 4;
	T_EXPECT(create(st, &in, NULL, &e), AT_SLOT_OCCUPIED, &e);
	assert_true(t_mentions(&e, "AT-0001"));
	/* all-or-nothing: no half-created asset without its slot */
	assert_int_equal(store_asset_by_tag(st, "AT-0002", &(struct asset){ 0 }), AT_NOT_FOUND);
	assert_int_equal(t_events_of(st, "ASSET_CREATED", NULL), 1);
	at_errors_free(&e);
}

static void test_create_bad_field_control_char(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in = t_input("AT-0001");

	in.manufacturer = "Ac\x01me";
	T_EXPECT(create(st, &in, NULL, &e), AT_INVALID, &e);
	assert_true(t_mentions(&e, "manufacturer"));
	in = t_input("AT-0001");
	in.model = "X\x1b[31m";
	T_EXPECT(create(st, &in, NULL, &e), AT_INVALID, &e);
	in = t_input("AT-0001");
	in.room = "Room\n2";
	T_EXPECT(create(st, &in, NULL, &e), AT_INVALID, &e);
	at_errors_free(&e);
}

static void test_create_bad_field_utf8(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in = t_input("AT-0001");

	in.building = "B\xff";
	T_EXPECT(create(st, &in, NULL, &e), AT_INVALID, &e);
	in.building = "Geb\xc3\xa4ude 4"; /* valid UTF-8 is fine */
	T_OK(create(st, &in, NULL, &e), &e);
	at_errors_free(&e);
}

static void test_create_bad_field_too_long(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in = t_input("AT-0001");
	char big[AT_NOTES_MAX + 2];

	memset(big, 'x', sizeof(big) - 1);
	big[AT_FIELD_MAX + 1] = '\0';
	in.serial = big; /* 129 */
	T_EXPECT(create(st, &in, NULL, &e), AT_INVALID, &e);
	in = t_input("AT-0001");
	memset(big, 'x', sizeof(big) - 1);
	big[AT_NOTES_MAX + 1] = '\0';
	in.notes = big; /* 2001 */
	T_EXPECT(create(st, &in, NULL, &e), AT_INVALID, &e);
	big[AT_NOTES_MAX] = '\0';
	in.notes = big; /* 2000 */
	T_OK(create(st, &in, NULL, &e), &e);
	at_errors_free(&e);
}

static void test_create_bad_condition(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in = t_input("AT-0001");

	in.condition = "BROKEN";
	T_EXPECT(create(st, &in, NULL, &e), AT_INVALID, &e);
	at_errors_free(&e);
}

/* ---- update ----------------------------------------------------------- */

static enum at_code update(struct store *st, const char *tag, const struct asset_input *in,
                           struct at_errors *e)
{
	uint64_t before = t_snapshot(st);
	enum at_code c;

	at_errors_reset(e);
	c = asset_update(st, T_ACTOR, tag, in, NULL, e);
	if (c != AT_OK)
		assert_true(t_snapshot(st) == before);
	return c;
}

static void test_update_ok_lists_old_and_new(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in;
	struct t_event ev;
	struct asset a;
	int64_t n0;

	t_asset(st, "AT-0001", "CASE-A", 1);
	n0 = t_events(st);
	memset(&in, 0, sizeof(in));
	in.manufacturer = "Globex";
	in.model = "Walkie-9000";
	T_OK(update(st, "AT-0001", &in, &e), &e);
	assert_int_equal(t_events(st), n0 + 1);
	ev = t_last_event(st);
	assert_string_equal(ev.type, "ASSET_UPDATED");
	assert_string_equal(ev.asset_tag, "AT-0001");
	if (!strstr(ev.details, "Acme") || !strstr(ev.details, "Globex") ||
	    !strstr(ev.details, "Walkie-9000"))
		fail_msg("ASSET_UPDATED details do not list old and new values: %s", ev.details);
	free(ev.details);

	a = t_get(st, "AT-0001");
	assert_string_equal(a.manufacturer, "Globex");
	assert_string_equal(a.model, "Walkie-9000");
	/* untouched fields and place stay */
	assert_string_equal(a.serial, "SN-AT-0001");
	assert_string_equal(a.case_name, "CASE-A");
	assert_int_equal(a.position, 1);
	at_errors_free(&e);
}

static void test_update_ok_condition(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in;
	struct t_event ev;

	t_asset(st, "AT-0001", NULL, 0);
	memset(&in, 0, sizeof(in));
	in.condition = "DAMAGED";
	T_OK(update(st, "AT-0001", &in, &e), &e);
	assert_int_equal(t_get(st, "AT-0001").condition, COND_DAMAGED);
	ev = t_last_event(st);
	assert_string_equal(ev.type, "ASSET_UPDATED");
	if (!strstr(ev.details, "GOOD") || !strstr(ev.details, "DAMAGED"))
		fail_msg("condition change not in details: %s", ev.details);
	free(ev.details);
	at_errors_free(&e);
}

static void test_update_ok_clear_optional(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in;

	t_asset(st, "AT-0001", NULL, 0);
	memset(&in, 0, sizeof(in));
	in.model = "X1";
	in.notes = "note";
	T_OK(update(st, "AT-0001", &in, &e), &e);
	assert_string_equal(t_get(st, "AT-0001").model, "X1");
	memset(&in, 0, sizeof(in));
	in.model = "";
	T_OK(update(st, "AT-0001", &in, &e), &e);
	assert_string_equal(t_get(st, "AT-0001").model, "");
	assert_string_equal(t_get(st, "AT-0001").notes, "note");
	at_errors_free(&e);
}

static void test_update_ok_in_custody(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in;
	struct asset a;
	int64_t h = t_holder(st, "Dana Ruiz", NULL);

	t_asset(st, "AT-0001", "CASE-A", 1);
	t_stock_out(st, h, "AT-0001", NULL);
	memset(&in, 0, sizeof(in));
	in.notes = "scratched screen";
	T_OK(update(st, "AT-0001", &in, &e), &e);
	a = t_get(st, "AT-0001");
	assert_int_equal(a.state, ASSET_IN_CUSTODY);
	assert_int_equal(a.holder_id, h);
	assert_string_equal(a.due, T_DUE);
	assert_string_equal(a.notes, "scratched screen");
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

static void test_update_bad_retired(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in;

	t_asset(st, "AT-0001", NULL, 0);
	T_OK(asset_retire(st, T_ACTOR, "AT-0001", "end of life", NULL, &e), &e);
	memset(&in, 0, sizeof(in));
	in.notes = "revived";
	T_EXPECT(update(st, "AT-0001", &in, &e), AT_RETIRED, &e);
	at_errors_free(&e);
}

static void test_update_bad_serial_duplicate(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in;

	t_asset(st, "AT-0001", NULL, 0);
	t_asset(st, "AT-0002", NULL, 0);
	memset(&in, 0, sizeof(in));
	in.serial = " sn-at-0002 ";
	T_EXPECT(update(st, "AT-0001", &in, &e), AT_DUPLICATE, &e);
	assert_string_equal(t_get(st, "AT-0001").serial, "SN-AT-0001");
	at_errors_free(&e);
}

static void test_update_ok_own_serial_recased(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in;

	t_asset(st, "AT-0001", NULL, 0);
	memset(&in, 0, sizeof(in));
	in.serial = "sn-at-0001";
	T_OK(update(st, "AT-0001", &in, &e), &e);
	assert_string_equal(t_get(st, "AT-0001").serial, "sn-at-0001");
	at_errors_free(&e);
}

static void test_update_bad_tag_change(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in;

	t_asset(st, "AT-0001", NULL, 0);
	memset(&in, 0, sizeof(in));
	in.tag = "AT-0999";
	in.notes = "x";
	T_REFUSED(update(st, "AT-0001", &in, &e), &e);
	assert_int_equal(store_asset_by_tag(st, "AT-0999", &(struct asset){ 0 }), AT_NOT_FOUND);
	/* naming the same tag is not a change */
	in.tag = "AT-0001";
	T_OK(update(st, "AT-0001", &in, &e), &e);
	at_errors_free(&e);
}

static void test_update_bad_not_found(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in;

	memset(&in, 0, sizeof(in));
	in.notes = "x";
	T_EXPECT(update(st, "AT-4040", &in, &e), AT_NOT_FOUND, &e);
	at_errors_free(&e);
}

static void test_update_bad_condition(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in;

	t_asset(st, "AT-0001", NULL, 0);
	memset(&in, 0, sizeof(in));
	in.condition = "BROKEN";
	T_EXPECT(update(st, "AT-0001", &in, &e), AT_INVALID, &e);
	in.condition = "good "; /* condition names are exact */
	T_EXPECT(update(st, "AT-0001", &in, &e), AT_INVALID, &e);
	at_errors_free(&e);
}

static void test_update_bad_required_cleared(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in;

	t_asset(st, "AT-0001", NULL, 0);
	memset(&in, 0, sizeof(in));
	in.manufacturer = "";
	in.room = "  ";
	T_EXPECT(update(st, "AT-0001", &in, &e), AT_INVALID, &e);
	assert_int_equal(e.nitems, 2);
	assert_true(t_mentions(&e, "manufacturer"));
	assert_true(t_mentions(&e, "room"));
	at_errors_free(&e);
}

/* ---- retire ----------------------------------------------------------- */

static void test_retire_ok_vacates_slot(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct t_event ev;
	struct asset a;
	int64_t n0;

	t_asset(st, "AT-0001", "CASE-A", 5);
	n0 = t_events(st);
	T_OK(asset_retire(st, T_ACTOR, "AT-0001", "dropped in the sea", NULL, &e), &e);
	assert_int_equal(t_events(st), n0 + 1);
	ev = t_last_event(st);
	assert_string_equal(ev.type, "ASSET_RETIRED");
	assert_string_equal(ev.asset_tag, "AT-0001");
	assert_string_equal(ev.reason, "dropped in the sea");
	free(ev.details);
	a = t_get(st, "AT-0001");
	assert_int_equal(a.state, ASSET_RETIRED);
	assert_int_equal(a.case_id, 0);
	assert_int_equal(a.holder_id, 0);
	assert_true(a.retired_at[0] != '\0');
	/* the slot is free again */
	t_asset(st, "AT-0002", "CASE-A", 5);
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

static void test_retire_ok_unslotted(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;

	t_asset(st, "AT-0001", NULL, 0);
	T_OK(asset_retire(st, T_ACTOR, "AT-0001", "obsolete", NULL, &e), &e);
	assert_int_equal(t_get(st, "AT-0001").state, ASSET_RETIRED);
	at_errors_free(&e);
}

static void test_retire_bad_in_custody(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	int64_t h = t_holder(st, "Dana Ruiz", NULL);
	uint64_t before;

	t_asset(st, "AT-0001", "CASE-A", 1);
	t_stock_out(st, h, "AT-0001", NULL);
	before = t_snapshot(st);
	T_EXPECT(asset_retire(st, T_ACTOR, "AT-0001", "lost", NULL, &e), AT_NOT_IN_STORAGE, &e);
	assert_true(t_snapshot(st) == before);
	assert_int_equal(t_get(st, "AT-0001").state, ASSET_IN_CUSTODY);
	at_errors_free(&e);
}

static void test_retire_bad_no_reason(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	uint64_t before;

	t_asset(st, "AT-0001", "CASE-A", 1);
	before = t_snapshot(st);
	T_EXPECT(asset_retire(st, T_ACTOR, "AT-0001", NULL, NULL, &e), AT_INVALID, &e);
	at_errors_reset(&e);
	T_EXPECT(asset_retire(st, T_ACTOR, "AT-0001", "", NULL, &e), AT_INVALID, &e);
	at_errors_reset(&e);
	T_EXPECT(asset_retire(st, T_ACTOR, "AT-0001", "  \t ", NULL, &e), AT_INVALID, &e);
	at_errors_reset(&e);
	T_EXPECT(asset_retire(st, T_ACTOR, "AT-0001", "bad\x01reason", NULL, &e), AT_INVALID, &e);
	assert_true(t_snapshot(st) == before);
	at_errors_free(&e);
}

static void test_retire_bad_already_retired(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	uint64_t before;

	t_asset(st, "AT-0001", NULL, 0);
	T_OK(asset_retire(st, T_ACTOR, "AT-0001", "obsolete", NULL, &e), &e);
	before = t_snapshot(st);
	T_EXPECT2(asset_retire(st, T_ACTOR, "AT-0001", "again", NULL, &e), AT_RETIRED,
	          AT_NOT_IN_STORAGE, &e);
	assert_true(t_snapshot(st) == before);
	at_errors_free(&e);
}

static void test_retire_bad_not_found(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;

	T_EXPECT(asset_retire(st, T_ACTOR, "AT-4040", "x", NULL, &e), AT_NOT_FOUND, &e);
	at_errors_free(&e);
}

static void test_retired_tag_stays_taken(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in;

	t_asset(st, "AT-0001", NULL, 0);
	T_OK(asset_retire(st, T_ACTOR, "AT-0001", "obsolete", NULL, &e), &e);
	in = t_input("at0001");
	in.serial = "NEW-SERIAL";
	T_EXPECT(create(st, &in, NULL, &e), AT_DUPLICATE, &e);
	/* the serial of a retired asset is still its own */
	in = t_input("AT-0002");
	in.serial = "SN-AT-0001";
	T_EXPECT(create(st, &in, NULL, &e), AT_DUPLICATE, &e);
	at_errors_free(&e);
}

/* ---- resolve ---------------------------------------------------------- */

static void resolves(struct store *st, const char *input, const char *want)
{
	struct asset a;
	char cleaned[AT_INPUT_MAX] = "", why[AT_MSG_MAX] = "";
	enum at_code c = asset_resolve(st, input, &a, cleaned, why);

	if (c != AT_OK)
		fail_msg("resolve \"%s\": %s (%s)", input, at_code_name(c), why);
	assert_string_equal(a.tag, want);
}

static void unresolved(struct store *st, const char *input, enum at_code want)
{
	struct asset a;
	char cleaned[AT_INPUT_MAX] = "", why[AT_MSG_MAX] = "";
	enum at_code c = asset_resolve(st, input, &a, cleaned, why);

	if (c != want)
		fail_msg("resolve \"%s\": got %s, expected %s", input, at_code_name(c),
		         at_code_name(want));
	assert_true(why[0] != '\0');
}

static void test_resolve_exact(void **state)
{
	struct store *st = T_ST(state);

	t_asset(st, "AT-0009", "CASE-A", 9);
	resolves(st, "AT-0009", "AT-0009");
}

static void test_resolve_match_key_forms(void **state)
{
	struct store *st = T_ST(state);

	t_asset(st, "AT-0009", "CASE-A", 9);
	resolves(st, "AT0009", "AT-0009");
	resolves(st, "at-0009", "AT-0009");
	resolves(st, "at0009", "AT-0009");
	resolves(st, "A-T-0009", "AT-0009");
}

static void test_resolve_scanner_suffix(void **state)
{
	struct store *st = T_ST(state);
	struct asset a;
	char cleaned[AT_INPUT_MAX] = "", why[AT_MSG_MAX] = "";

	t_asset(st, "AT-0009", "CASE-A", 9);
	resolves(st, "AT-0009\r\n", "AT-0009");
	resolves(st, "at0009\t", "AT-0009");
	resolves(st, "\x02" "AT-0009\x03", "AT-0009");
	T_OK(asset_resolve(st, "  AT0009\r\n", &a, cleaned, why), NULL);
	assert_string_equal(cleaned, "AT0009");
}

static void test_resolve_bad_not_found(void **state)
{
	struct store *st = T_ST(state);

	t_asset(st, "AT-0009", "CASE-A", 9);
	unresolved(st, "AT-0010", AT_NOT_FOUND);
	unresolved(st, "BT-0009", AT_NOT_FOUND);
}

static void test_resolve_bad_no_prefix_guessing(void **state)
{
	struct store *st = T_ST(state);

	t_asset(st, "AT-0009", "CASE-A", 9);
	unresolved(st, "AT-000", AT_NOT_FOUND);
	unresolved(st, "AT-00090", AT_NOT_FOUND);
	unresolved(st, "AT-9", AT_NOT_FOUND);   /* no padding */
	unresolved(st, "0009", AT_NOT_FOUND);   /* no suffix search */
	unresolved(st, "AT-0009X", AT_NOT_FOUND);
	unresolved(st, "AT_0009", AT_NOT_FOUND); /* '_' is not removed */
}

static void test_resolve_bad_unprintable(void **state)
{
	struct store *st = T_ST(state);

	t_asset(st, "AT-0009", "CASE-A", 9);
	unresolved(st, "AT-00\x01" "09", AT_INVALID);
	unresolved(st, "AT-00\xc3\xa9", AT_INVALID);
}

static void test_resolve_bad_ambiguous_match_key(void **state)
{
	struct t_db *d = T_DB(state);
	char err[256];

	t_asset(d->st, "AT-0009", "CASE-A", 9);
	store_close(d->st);
	d->st = NULL;
	/* Invariant 1 cannot break through the engine; break it by hand. */
	if (t_sql(d->path,
	          "DROP INDEX assets_match_key;"
	          "INSERT INTO assets(tag, serial, manufacturer, equipment_type, building, room,"
	          " state, condition, created_at, updated_at) VALUES ('at0009', 'SN-X', 'm', 't',"
	          " 'b', 'r', 'STORAGE', 'GOOD', '2026-01-01T00:00:00.000Z',"
	          " '2026-01-01T00:00:00.000Z');",
	          err) != 0)
		fail_msg("raw SQL failed: %s", err);
	t_reopen(d);
	/* exact tags still resolve exactly */
	resolves(d->st, "AT-0009", "AT-0009");
	resolves(d->st, "at0009", "at0009");
	/* a shared match key is an error, never a pick */
	unresolved(d->st, "AT0009", AT_AMBIGUOUS);
	unresolved(d->st, "at-0009", AT_AMBIGUOUS);
}

/* ---- labels and whereabouts ------------------------------------------ */

static void test_slot_label_and_whereabouts(void **state)
{
	struct store *st = T_ST(state);
	char buf[256];
	struct asset a;
	int64_t h = t_holder(st, "Dana Ruiz", NULL);

	t_asset(st, "AT-0001", "CASE-A", 7);
	a = t_get(st, "AT-0001");
	asset_slot_label(&a, buf, sizeof(buf));
	assert_string_equal(buf, "CASE-A/7");
	asset_whereabouts(&a, buf, sizeof(buf));
	assert_true(strstr(buf, "CASE-A/7") != NULL);
	t_stock_out(st, h, "AT-0001", NULL);
	a = t_get(st, "AT-0001");
	asset_slot_label(&a, buf, sizeof(buf));
	assert_string_equal(buf, "");
	asset_whereabouts(&a, buf, sizeof(buf));
	assert_true(strstr(buf, "Dana Ruiz") != NULL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, t_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_create_ok_unslotted),
		T(test_create_ok_slotted_adds_slot_assign),
		T(test_create_ok_optional_fields),
		T(test_create_bad_missing_each_field),
		T(test_create_bad_missing_fields_all_reported),
		T(test_create_bad_all_six_missing),
		T(test_create_bad_tag_syntax),
		T(test_create_ok_tag_64),
		T(test_create_bad_duplicate_tag),
		T(test_create_bad_match_key_collision),
		T(test_create_bad_duplicate_serial_trim_case),
		T(test_create_bad_duplicate_serial_reverse),
		T(test_create_bad_slot_missing_case),
		T(test_create_bad_slot_missing_position),
		T(test_create_bad_slot_occupied),
		T(test_create_bad_field_control_char),
		T(test_create_bad_field_utf8),
		T(test_create_bad_field_too_long),
		T(test_create_bad_condition),
		T(test_update_ok_lists_old_and_new),
		T(test_update_ok_condition),
		T(test_update_ok_clear_optional),
		T(test_update_ok_in_custody),
		T(test_update_bad_retired),
		T(test_update_bad_serial_duplicate),
		T(test_update_ok_own_serial_recased),
		T(test_update_bad_tag_change),
		T(test_update_bad_not_found),
		T(test_update_bad_condition),
		T(test_update_bad_required_cleared),
		T(test_retire_ok_vacates_slot),
		T(test_retire_ok_unslotted),
		T(test_retire_bad_in_custody),
		T(test_retire_bad_no_reason),
		T(test_retire_bad_already_retired),
		T(test_retire_bad_not_found),
		T(test_retired_tag_stays_taken),
		T(test_resolve_exact),
		T(test_resolve_match_key_forms),
		T(test_resolve_scanner_suffix),
		T(test_resolve_bad_not_found),
		T(test_resolve_bad_no_prefix_guessing),
		T(test_resolve_bad_unprintable),
		T(test_resolve_bad_ambiguous_match_key),
		T(test_slot_label_and_whereabouts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
