/*
 * test_import.c — asset attributes (core/attr.h) and the CSV migration
 * (core/import.h): header recognition for our export, Snipe-IT (export
 * and import layouts), HomeBox and Shelf.nu; --map, --status and the
 * default status mapping; location splitting; custody with holders found
 * by badge, username or e-mail, else created; encodings; refusals with
 * their codes and row numbers; all or nothing; the round trip through
 * `export assets` and `import assets`; and the CLI's report.
 *
 * Samples: tests/data/import/ (small synthetic files of each layout).
 */
#include "testlib.h"

#include <jansson.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/attr.h"
#include "core/custody.h"
#include "core/holder.h"
#include "core/import.h"
#include "core/jsonw.h"
#include "core/read.h"
#include "util/buf.h"
#include "hooks_test.h"

/* ==== helpers ========================================================== */

/* A sample file's text (malloc'ed), from tests/data/import/. */
static char *sample(const char *name, size_t *len)
{
	char dir[T_PATH_MAX], path[T_PATH_MAX * 2];
	FILE *f;
	long n;
	char *buf;

	snprintf(dir, sizeof(dir), "%s", __FILE__);
	snprintf(path, sizeof(path), "%s/../data/import/%s", dirname(dir), name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open sample %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

/* What a run reported, for comparing runs: the report's JSON without
 * the time it took, and the outcome's code and message. */
static json_t *outcome(const struct import_report *r, enum at_code c, struct at_errors *e,
                       int real)
{
	json_t *j = import_report_json(r, e);

	assert_non_null(j);
	json_object_del(j, "seconds");
	json_object_del(j, "dry_run");
	json_object_del(j, "batch_id");
	json_object_set_new(j, "code", json_integer(c));
	json_object_set_new(j, "message", json_string(e->message));
	/* A real run that failed created nothing; a dry run counts what a
	 * successful one would have. */
	if (real || c != AT_OK)
		json_object_del(j, "created");
	return j;
}

static void same_outcome(json_t *a, json_t *b, const char *what)
{
	if (!json_equal(a, b)) {
		char *x = json_dumps(a, JSON_SORT_KEYS), *y = json_dumps(b, JSON_SORT_KEYS);

		fail_msg("%s:\n%s\n%s", what, x, y);
	}
}

/* A dry run of `csv` with `o`'s options in both ways: aside (on a
 * scratch that reads the database through, the default) and in place
 * (the work done in the database and rolled back).  Both must report the
 * same, and change nothing.  Returns the outcome (the caller frees). */
static json_t *both_dry_runs(struct store *st, const char *csv, const struct import_options *o)
{
	struct import_options d = o ? *o : (struct import_options){ 0 };
	struct at_errors e = AT_ERRORS_INIT;
	struct import_report rep;
	json_t *aside, *in_place;
	uint64_t snap = t_snapshot(st);
	enum at_code c;

	d.dry_run = 1;
	d.progress = NULL;
	d.dry_run_in_place = 1;
	c = import_buffer(st, T_ACTOR, &d, csv, strlen(csv), &rep, &e);
	in_place = outcome(&rep, c, &e, 0);
	import_report_free(&rep);
	at_errors_reset(&e);
	d.dry_run_in_place = 0;
	c = import_buffer(st, T_ACTOR, &d, csv, strlen(csv), &rep, &e);
	aside = outcome(&rep, c, &e, 0);
	import_report_free(&rep);
	at_errors_free(&e);
	assert_int_equal(t_snapshot(st), snap);
	same_outcome(aside, in_place, "the dry run aside and in place differ");
	json_decref(in_place);
	return aside;
}

/* import_buffer over a C string with options `o` (may be NULL).  Every
 * call also checks that a dry run, aside and in place, reports exactly
 * what this run does.  The run is a job applied in slices whatever the
 * file's size (slices_over 1): these files are small, and a small file's
 * one transaction is the dry run in place's, committed. */
static enum at_code imp(struct store *st, const char *csv, const struct import_options *o,
                        struct import_report *rep, struct at_errors *e)
{
	struct import_options job = o ? *o : (struct import_options){ 0 };
	json_t *dry = both_dry_runs(st, csv, o), *got;
	enum at_code c;

	at_errors_reset(e);
	job.slices_over = 1;
	c = import_buffer(st, T_ACTOR, &job, csv, strlen(csv), rep, e);
	got = outcome(rep, c, e, 1);
	json_object_del(dry, "created");
	same_outcome(dry, got, "the dry run and the run differ");
	json_decref(dry);
	json_decref(got);
	return c;
}

/* The value of attribute `name` of asset `tag` ("" if none); static. */
static const char *attr_of(struct store *st, const char *tag, const char *name)
{
	static char out[AT_ATTR_VALUE_MAX + 1];
	struct asset a = t_get(st, tag);
	json_t *o = attrs_to_json(a.attributes);
	const char *v = json_string_value(json_object_get(o, name));

	snprintf(out, sizeof(out), "%s", v ? v : "");
	json_decref(o);
	return out;
}

/* The details of the last event of `type` for `tag` (parsed; decref). */
static json_t *last_details(struct store *st, const char *tag, const char *type)
{
	struct event_filter f = { .asset_tag = tag, .type = type };
	size_t n;
	struct t_event *v = t_event_rows(st, &f, &n);
	json_t *d;

	assert_true(n >= 1);
	d = json_loads(v[n - 1].details, 0, NULL);
	t_events_free(v, n);
	assert_non_null(d);
	return d;
}

/* Row numbers of the refused items, in order, as "2,5,7". */
static void refused_rows(const struct at_errors *e, char *out, size_t cap)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < e->nitems && len + 8 < cap; i++)
		len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? "," : "",
		                        e->items[i].input + 4);
}

static const char *const HEAD =
	"asset_tag,serial_number,manufacturer,equipment_type,building,room\n";

/* ==== the canonical JSON writer ======================================== */

/* A random valid UTF-8 string: ASCII (controls, quotes, backslashes,
 * slashes, DEL included) and 2-, 3- and 4-byte sequences. */
static void random_utf8(uint64_t *seed, char *out, size_t cap)
{
	size_t n = 0, len = t_rand_below(seed, 24);

	for (size_t i = 0; i < len && n + 5 < cap; i++) {
		uint32_t k = t_rand_below(seed, 10), cp;
		if (k < 5)
			cp = 1 + t_rand_below(seed, 0x7f);
		else if (k < 7)
			cp = 0x80 + t_rand_below(seed, 0x780);
		else if (k < 9)
			do
				cp = 0x800 + t_rand_below(seed, 0xf800);
			while (cp >= 0xd800 && cp <= 0xdfff);
		else
			cp = 0x10000 + t_rand_below(seed, 0x100000);
		if (cp < 0x80) {
			out[n++] = (char)cp;
		} else if (cp < 0x800) {
			out[n++] = (char)(0xc0 | (cp >> 6));
			out[n++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			out[n++] = (char)(0xe0 | (cp >> 12));
			out[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[n++] = (char)(0x80 | (cp & 0x3f));
		} else {
			out[n++] = (char)(0xf0 | (cp >> 18));
			out[n++] = (char)(0x80 | ((cp >> 12) & 0x3f));
			out[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[n++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	out[n] = '\0';
}

/* jsonw writes what jansson writes (compact, sorted keys, with and
 * without ASCII escaping), and jansson reads it back. */
static void test_jsonw_matches_jansson(void **state)
{
	uint64_t seed = t_seed("jsonw");
	char keys[6][128], vals[6][128];

	(void)state;
	for (int round = 0; round < 3000; round++) {
		struct jw_member m[6];
		json_t *o = json_object();
		size_t n = 1 + t_rand_below(&seed, 6);
		int ascii = round & 1;
		struct buf b;
		char *want;

		for (size_t i = 0; i < n; i++) {
			random_utf8(&seed, keys[i], sizeof(keys[i]));
			snprintf(keys[i] + strlen(keys[i]), 8, "#%zu", i); /* distinct */
			random_utf8(&seed, vals[i], sizeof(vals[i]));
			if (i == 3) {
				m[i] = (struct jw_member){ keys[i], JW_INT, NULL, -42 * round, 0 };
				json_object_set_new(o, keys[i], json_integer(-42 * round));
			} else if (i == 4) {
				m[i] = (struct jw_member){ keys[i], JW_STR, "", 0, 1 };
				json_object_set_new(o, keys[i], json_null());
			} else {
				m[i] = (struct jw_member){ keys[i], JW_STR, vals[i], 0, 0 };
				json_object_set_new(o, keys[i], json_string(vals[i]));
			}
		}
		want = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | (ascii ? JSON_ENSURE_ASCII : 0));
		buf_init(&b, 0);
		assert_int_equal(jsonw_object(&b, m, n, ascii), 0);
		if (strcmp(b.data, want) != 0)
			fail_msg("round %d:\n jsonw   %s\n jansson %s", round, b.data, want);
		free(want);
		buf_free(&b);
		json_decref(o);
	}
}

/* ==== attributes ======================================================= */

static void test_attr_create_update_events(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct attr_change add[] = { { "Purchased", "2023-01-04" }, { " Company ", " Acme, \"Inc\" " } };
	struct attr_change upd[] = { { "Company", "Globex" }, { "Purchased", "" },
		                     { "Note", "line 1\nline 2" } };
	struct asset_input in = t_input("AT-1");
	struct asset a;
	json_t *d, *ch;

	in.attrs = add;
	in.nattrs = 2;
	T_OK(asset_create(st, T_ACTOR, &in, &a, &e), &e);
	assert_string_equal(a.attributes,
	                    "{\"Company\":\"Acme, \\\"Inc\\\"\",\"Purchased\":\"2023-01-04\"}");
	d = last_details(st, "AT-1", "ASSET_CREATED");
	assert_string_equal(json_string_value(json_object_get(json_object_get(d, "attributes"),
	                                                      "Company")),
	                    "Acme, \"Inc\"");
	json_decref(d);

	memset(&in, 0, sizeof(in));
	in.attrs = upd;
	in.nattrs = 3;
	T_OK(asset_update(st, T_ACTOR, "at1", &in, &a, &e), &e);
	assert_string_equal(a.attributes, "{\"Company\":\"Globex\",\"Note\":\"line 1\\nline 2\"}");
	d = last_details(st, "AT-1", "ASSET_UPDATED");
	ch = json_object_get(json_object_get(d, "changes"), "attributes");
	assert_int_equal(json_object_size(ch), 3);
	assert_string_equal(json_string_value(json_object_get(json_object_get(ch, "Company"), "old")),
	                    "Acme, \"Inc\"");
	assert_true(json_is_null(json_object_get(json_object_get(ch, "Purchased"), "new")));
	assert_true(json_is_null(json_object_get(json_object_get(ch, "Note"), "old")));
	json_decref(d);

	/* The same values again: nothing changes, no event. */
	{
		int64_t before = t_events(st);
		struct attr_change same[] = { { "Company", "Globex" } };
		in.attrs = same;
		in.nattrs = 1;
		T_OK(asset_update(st, T_ACTOR, "AT-1", &in, &a, &e), &e);
		assert_int_equal(t_events(st), before);
	}
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

static void test_attr_refusals_change_nothing(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct attr_change many[AT_ATTR_COUNT_MAX + 1], one[2];
	char names[AT_ATTR_COUNT_MAX + 1][16], longname[AT_ATTR_NAME_MAX + 2];
	char longvalue[AT_ATTR_VALUE_MAX + 2];
	struct asset_input in;
	uint64_t snap;

	t_asset(st, "AT-2", NULL, 0);
	snap = t_snapshot(st);
	for (int i = 0; i <= AT_ATTR_COUNT_MAX; i++) {
		snprintf(names[i], sizeof(names[i]), "A%02d", i);
		many[i].name = names[i];
		many[i].value = "x";
	}
	memset(&in, 0, sizeof(in));
	in.attrs = many;
	in.nattrs = AT_ATTR_COUNT_MAX + 1;
	T_EXPECT(asset_update(st, T_ACTOR, "AT-2", &in, NULL, &e), AT_INVALID, &e);
	assert_true(t_mentions(&e, "at most 32 attributes"));

	memset(longname, 'n', AT_ATTR_NAME_MAX + 1);
	longname[AT_ATTR_NAME_MAX + 1] = '\0';
	memset(longvalue, 'v', AT_ATTR_VALUE_MAX + 1);
	longvalue[AT_ATTR_VALUE_MAX + 1] = '\0';
	struct {
		const char *name, *value, *why;
	} bad[] = {
		{ longname, "x", "longer than 64" },
		{ "Cost", longvalue, "longer than 500" },
		{ "Co\x01st", "x", "control character" },
		{ "Cost", "a\x1b[31m", "control character" },
		{ "A=B", "x", "may not contain '='" },
		{ "", "x", "attribute name is required" },
		{ "Cost", "\xc3\x28", "not valid UTF-8" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		one[0].name = bad[i].name;
		one[0].value = bad[i].value;
		in.attrs = one;
		in.nattrs = 1;
		T_EXPECT(asset_update(st, T_ACTOR, "AT-2", &in, NULL, &e), AT_INVALID, &e);
		assert_int_equal(t_items(&e, "attributes", AT_INVALID), 1);
		if (!t_mentions(&e, bad[i].why))
			fail_msg("case %zu: expected '%s'", i, bad[i].why);
	}
	one[0].name = one[1].name = "Cost";
	one[0].value = "1";
	one[1].value = "2";
	in.nattrs = 2;
	T_EXPECT(asset_update(st, T_ACTOR, "AT-2", &in, NULL, &e), AT_INVALID, &e);
	assert_true(t_mentions(&e, "given twice"));
	/* A create refuses them before anything is written. */
	in = t_input("AT-3");
	one[0].name = longname;
	one[0].value = "x";
	in.attrs = one;
	in.nattrs = 1;
	T_EXPECT(asset_create(st, T_ACTOR, &in, NULL, &e), AT_INVALID, &e);
	assert_int_equal(t_snapshot(st), snap);
	at_errors_free(&e);
}

/* Count assets read_assets finds for q. */
static int count_row(void *ctx, const struct asset *a)
{
	(void)a;
	(*(int *)ctx)++;
	return 0;
}

static int found(struct store *st, const char *q)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_filter f = { .q = q };
	int n = 0;

	T_OK(read_assets(st, &f, count_row, &n, &e), &e);
	at_errors_free(&e);
	return n;
}

static void test_attr_search_by_value_not_name(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct attr_change a1[] = { { "Company", "Globex \"North\"" }, { "Cost", "99%" } };
	struct attr_change a2[] = { { "Supplier", "Café Ünïcode" } };
	struct asset_input in = t_input("AT-4");

	in.attrs = a1;
	in.nattrs = 2;
	T_OK(asset_create(st, T_ACTOR, &in, NULL, &e), &e);
	in = t_input("AT-5");
	in.attrs = a2;
	in.nattrs = 1;
	T_OK(asset_create(st, T_ACTOR, &in, NULL, &e), &e);
	t_asset(st, "AT-6", NULL, 0);
	assert_int_equal(found(st, "globex"), 1);
	assert_int_equal(found(st, "\"north\""), 1);   /* a quote: the JSON text escapes it */
	assert_int_equal(found(st, "99%"), 1);         /* % is literal */
	assert_int_equal(found(st, "9_%"), 0);
	assert_int_equal(found(st, "Ünïcode"), 1);
	assert_int_equal(found(st, "company"), 0);     /* a name is not a value */
	assert_int_equal(found(st, "supplier"), 0);
	assert_int_equal(found(st, "AT-"), 3);
	at_errors_free(&e);
}

static void test_attr_tamper_and_schema(void **state)
{
	struct t_db *d = T_DB(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct attr_change a1[] = { { "Company", "Acme" } };
	struct asset_input in = t_input("AT-7");
	char code[48], err[256];

	in.attrs = a1;
	in.nattrs = 1;
	T_OK(asset_create(d->st, T_ACTOR, &in, NULL, &e), &e);
	/* The schema refuses what core would never write. */
	assert_int_not_equal(t_sql(d->path, "UPDATE assets SET attributes = '{\"n\":1}'", err),
	                     0);
	assert_int_not_equal(t_sql(d->path, "UPDATE assets SET attributes = '[]'", err), 0);
	assert_int_not_equal(t_sql(d->path, "UPDATE assets SET attributes = '{}'", err), 0);
	/* A change behind the log's back is found by the replay. */
	assert_int_equal(t_sql(d->path, "UPDATE assets SET attributes = '{\"Company\":\"Evil\"}'",
	                       err),
	                 0);
	t_reopen(d);
	assert_int_equal(t_verify(d->st, code), 0);
	assert_string_equal(code, "REPLAY_MISMATCH");
	/* And with the CHECKs bypassed, the invariant check names it. */
	T_SQLITE_ONLY("PRAGMA ignore_check_constraints is SQLite's");
	assert_int_equal(t_sql(d->path, "PRAGMA ignore_check_constraints = 1; DROP TRIGGER "
	                       "assets_attributes_update; UPDATE assets SET attributes = '[1]'",
	                       err),
	                 0);
	t_reopen(d);
	assert_int_equal(t_verify(d->st, code), 0);
	assert_string_equal(code, "BAD_ATTRIBUTES");
	at_errors_free(&e);
}

/* ==== Snipe-IT ========================================================= */

static void test_import_snipeit_export(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct import_report rep;
	struct import_options o = { 0 };
	char *csv = sample("snipeit_export.csv", NULL);
	struct asset a;
	struct holder h;
	json_t *dt;
	int64_t eve = t_holder(st, "Eve Long", "evel");
	int found_loc = 0, found_co = 0;

	T_OK(imp(st, csv, &o, &rep, &e), &e);
	assert_string_equal(rep.format, "snipe-it");
	assert_int_equal(rep.rows, 10);
	assert_int_equal(rep.created, 10);
	assert_int_equal(rep.count[IMPORT_STORAGE], 5);
	assert_int_equal(rep.count[IMPORT_CUSTODY], 4);
	assert_int_equal(rep.count[IMPORT_RETIRED], 1);
	assert_int_equal(rep.count[IMPORT_REFUSED], 0);
	assert_int_equal(rep.holders, 3);       /* Dana (twice), Eve, Frank */
	assert_int_equal(rep.holders_new, 2);   /* Eve was there (by username) */
	assert_int_equal(rep.kept_checkouts, 1);
	assert_string_equal(rep.kept[0].tag, "AT-1004");
	assert_string_equal(rep.kept[0].type, "location");
	assert_true(rep.batch_id[0]);
	for (size_t i = 0; i < rep.ncols; i++) {
		found_loc |= !strcmp(rep.cols[i].name, "Location") &&
		             !strcmp(rep.cols[i].to, "building, room");
		found_co |= !strcmp(rep.cols[i].name, "Company") &&
		            !strcmp(rep.cols[i].to, "attr:Company");
	}
	assert_true(found_loc && found_co);

	/* Location split, custody, since and due. */
	a = t_get(st, "AT-1001");
	assert_string_equal(a.building, "HQ Building 2");
	assert_string_equal(a.room, "114");
	assert_int_equal(a.state, ASSET_STORAGE);
	assert_string_equal(attr_of(st, "AT-1001", "Cost"), "1,200.00");
	assert_string_equal(attr_of(st, "AT-1001", "Status"), "Ready to Deploy");
	a = t_get(st, "AT-1002");
	assert_string_equal(a.building, "Warehouse 3");
	assert_string_equal(a.room, "Bay 7");
	assert_int_equal(a.state, ASSET_IN_CUSTODY);
	assert_string_equal(a.custody_since, "2025-03-02T09:15:00.000Z");
	assert_string_equal(a.due, "2026-12-24");
	assert_string_equal(a.notes, "Charger missing, \"old\" bag");
	T_OK(store_holder_by_id(st, a.holder_id, &h), &e);
	assert_string_equal(h.name, "Dana Ruiz");
	assert_string_equal(h.badge, "E1042");
	assert_int_equal(t_get(st, "AT-1008").holder_id, a.holder_id); /* the same Dana */
	assert_int_equal(t_get(st, "AT-1003").holder_id, eve);
	a = t_get(st, "AT-1010");
	T_OK(store_holder_by_id(st, a.holder_id, &h), &e);
	assert_string_equal(h.email, "fmoss@example.org");
	assert_string_equal(h.badge, "");
	/* Statuses. */
	assert_int_equal(t_get(st, "AT-1006").condition, COND_DAMAGED);
	a = t_get(st, "AT-1007");
	assert_int_equal(a.condition, COND_FAULTY);
	assert_string_equal(a.building, "Remote Office 4");
	assert_string_equal(a.room, "unassigned");
	assert_int_equal(t_get(st, "AT-1005").state, ASSET_RETIRED);
	assert_int_equal(t_get(st, "AT-1009").state, ASSET_STORAGE);
	assert_string_equal(t_get(st, "AT-1009").notes, "Reimaged\nnew SSD");
	/* A checkout to a location: in storage, kept. */
	a = t_get(st, "AT-1004");
	assert_int_equal(a.state, ASSET_STORAGE);
	assert_string_equal(attr_of(st, "AT-1004", "Checked out to location"), "HQ Lobby Kiosk");
	assert_string_equal(attr_of(st, "AT-1004", "Checkout Date"), "2025-01-10 10:00:00");
	/* The events: ASSET_CREATED then STOCK_OUT, one batch, row and since. */
	{
		struct event_filter f = { .asset_tag = "AT-1002" };
		size_t n;
		struct t_event *v = t_event_rows(st, &f, &n);
		assert_int_equal(n, 2);
		assert_string_equal(v[0].type, "ASSET_CREATED");
		assert_string_equal(v[1].type, "STOCK_OUT");
		assert_string_equal(v[0].batch_id, rep.batch_id);
		assert_string_equal(v[1].batch_id, rep.batch_id);
		t_events_free(v, n);
	}
	dt = last_details(st, "AT-1002", "STOCK_OUT");
	assert_int_equal(json_integer_value(json_object_get(dt, "import_row")), 3);
	assert_string_equal(json_string_value(json_object_get(dt, "since")),
	                    "2025-03-02T09:15:00.000Z");
	json_decref(dt);
	dt = last_details(st, "AT-1002", "ASSET_CREATED");
	assert_int_equal(json_integer_value(json_object_get(dt, "import_row")), 3);
	json_decref(dt);
	{
		struct event_filter f = { .asset_tag = "AT-1005", .type = "ASSET_RETIRED" };
		size_t n;
		struct t_event *v = t_event_rows(st, &f, &n);
		assert_int_equal(n, 1);
		assert_string_equal(v[0].reason, "Archived");
		t_events_free(v, n);
	}
	assert_int_equal(t_events_of(st, "HOLDER_CREATED", rep.batch_id), 2);
	T_VERIFY_OK(st);
	import_report_free(&rep);
	free(csv);
	at_errors_free(&e);
}

static void test_import_snipeit_import_layout(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct import_report rep;
	char *csv = sample("snipeit_import.csv", NULL);
	struct holder h;
	struct asset a;

	T_OK(imp(st, csv, NULL, &rep, &e), &e);
	assert_string_equal(rep.format, "snipe-it");
	assert_int_equal(rep.count[IMPORT_CUSTODY], 1);
	a = t_get(st, "SI-2");
	assert_string_equal(a.serial, "SI0002");
	assert_string_equal(a.model, "APX 6000");
	assert_string_equal(a.model_code, "H98");
	assert_string_equal(a.building, "Depot");
	assert_string_equal(a.room, "Cage 2");
	T_OK(store_holder_by_id(st, a.holder_id, &h), &e);
	assert_string_equal(h.name, "Grace Hall");
	assert_string_equal(h.badge, "ghall");
	assert_string_equal(h.email, "grace@example.org");
	assert_string_equal(attr_of(st, "SI-1", "Item Name"), "Spare radio");
	T_VERIFY_OK(st);
	import_report_free(&rep);
	free(csv);
	at_errors_free(&e);
}

static void test_import_holder_matching(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct import_report rep;
	struct holder h;
	int64_t ann, bob;
	const char *csv =
		"Asset Tag,Serial,Manufacturer,Category,Location,Checked Out To,Username,Email,"
		"Employee No.,Status\n"
		"M-1,S1,Acme,Radio,HQ,Ann Smith,,ANN@Example.org,,Deployed\n"   /* by e-mail */
		"M-2,S2,Acme,Radio,HQ,Someone Else,,,B-7,Deployed\n"            /* by badge */
		"M-3,S3,Acme,Radio,HQ,,newbie,,,Deployed\n"                     /* created */
		"M-4,S4,Acme,Radio,HQ,,newbie,,,Deployed\n";                    /* the same */

	T_OK(holder_create(st, T_ACTOR, "Ann Smith", NULL, "ann@example.org", &h, &e), &e);
	ann = h.id;
	bob = t_holder(st, "Bob Stone", "B-7");
	T_OK(imp(st, csv, NULL, &rep, &e), &e);
	assert_int_equal(t_get(st, "M-1").holder_id, ann);
	assert_int_equal(t_get(st, "M-2").holder_id, bob);
	assert_int_equal(t_get(st, "M-3").holder_id, t_get(st, "M-4").holder_id);
	assert_int_equal(rep.holders, 3);
	assert_int_equal(rep.holders_new, 1);
	assert_int_equal(rep.nnew_holders, 1);
	assert_string_equal(rep.new_holders[0].badge, "newbie");
	assert_int_equal(rep.new_holders[0].row, 4);
	import_report_free(&rep);

	/* A deactivated holder cannot take custody: the row is refused. */
	T_OK(holder_update(st, T_ACTOR, t_holder(st, "Carl Gone", "B-8"), NULL, NULL, NULL, 0, NULL,
	                   &e),
	     &e);
	T_EXPECT(imp(st,
	             "Asset Tag,Serial,Manufacturer,Category,Location,Employee No.,Status\n"
	             "M-9,S9,Acme,Radio,HQ,B-8,Deployed\n",
	             NULL, &rep, &e),
	         AT_HOLDER_INACTIVE, &e);
	assert_int_equal(t_items(&e, "row 2", AT_HOLDER_INACTIVE), 1);
	import_report_free(&rep);
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

static void test_import_status_and_map_options(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct import_report rep;
	const char *maps[] = { "Asset Name=notes", "RAM=ignore", "Widget=attr:Gadget" };
	const char *statuses[] = { "out for repair=RETIRED", "Pending=STORAGE:FAULTY" };
	struct import_options o = { .maps = maps, .nmaps = 3, .statuses = statuses,
		                    .nstatuses = 2, .default_room = "Store" };
	const char *csv = "Asset Tag,Serial,Manufacturer,Category,Location,Status,Asset Name,RAM,"
	                  "Widget\n"
	                  "O-1,S1,Acme,Radio,Depot,Out for Repair,first,8 GB,w1\n"
	                  "O-2,S2,Acme,Radio,Depot,Pending,second,8 GB,\n";

	T_OK(imp(st, csv, &o, &rep, &e), &e);
	assert_int_equal(t_get(st, "O-1").state, ASSET_RETIRED);
	assert_string_equal(t_get(st, "O-1").notes, "first");
	assert_string_equal(attr_of(st, "O-1", "Gadget"), "w1");
	assert_string_equal(attr_of(st, "O-1", "RAM"), "");
	assert_int_equal(t_get(st, "O-2").condition, COND_FAULTY);
	assert_string_equal(t_get(st, "O-2").room, "Store");
	assert_int_equal(rep.nstatuses, 2);
	import_report_free(&rep);
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

static void test_import_status_refusals(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct import_report rep;
	int64_t before = t_events(st);
	char rows[64];
	const char *csv =
		"Asset Tag,Serial,Manufacturer,Category,Location,Status,Checked Out To\n"
		"R-1,S1,Acme,Radio,HQ,Quarantine,\n"           /* no mapping */
		"R-2,S2,Acme,Radio,HQ,Ready to Deploy,\n"      /* fine */
		"R-3,S3,Acme,Radio,HQ,Archived,Dana Ruiz\n";   /* retired but held */

	T_EXPECT(imp(st, csv, NULL, &rep, &e), AT_INVALID, &e);
	refused_rows(&e, rows, sizeof(rows));
	assert_string_equal(rows, "2,4");
	assert_int_equal(t_items(&e, "row 2", AT_INVALID), 1);
	assert_int_equal(t_items(&e, "row 4", AT_CONFLICT), 1);
	assert_true(t_mentions(&e, "--status 'Quarantine=STORAGE'"));
	assert_int_equal(rep.count[IMPORT_REFUSED], 2);
	assert_int_equal(rep.created, 0);
	assert_int_equal(t_events(st), before);
	import_report_free(&rep);
	/* Bad options are refused before any row. */
	{
		const char *maps[] = { "No Such Column=notes", "Status=nowhere" };
		const char *sts[] = { "Quarantine", "X=MAYBE", "Y=STORAGE:SHINY" };
		struct import_options o = { .maps = maps, .nmaps = 2, .statuses = sts,
			                    .nstatuses = 3 };
		T_EXPECT(imp(st, csv, &o, &rep, &e), AT_INVALID, &e);
		assert_int_equal(t_items(&e, "map", AT_INVALID), 2);
		assert_int_equal(t_items(&e, "status", AT_INVALID), 3);
		import_report_free(&rep);
	}
	assert_int_equal(t_events(st), before);
	at_errors_free(&e);
}

/* ==== other layouts ==================================================== */

static void test_import_homebox_and_shelf(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct import_report rep;
	char *hb = sample("homebox.csv", NULL), *sh = sample("shelf.csv", NULL);
	struct holder h;
	struct asset a;

	T_OK(imp(st, hb, NULL, &rep, &e), &e);
	assert_string_equal(rep.format, "homebox");
	a = t_get(st, "000-001");
	assert_string_equal(a.serial, "CN0001");
	assert_string_equal(a.equipment_type, "Electronics");
	assert_string_equal(a.building, "Home");
	assert_string_equal(a.room, "Office");
	assert_string_equal(attr_of(st, "000-001", "name"), "Dell Monitor");
	assert_string_equal(attr_of(st, "000-001", "Color"), "black");
	assert_int_equal(t_get(st, "000-002").state, ASSET_RETIRED);
	assert_int_equal(rep.count[IMPORT_RETIRED], 1);
	import_report_free(&rep);

	T_OK(imp(st, sh, NULL, &rep, &e), &e);
	assert_string_equal(rep.format, "shelf");
	a = t_get(st, "cm1abc001");
	assert_int_equal(a.state, ASSET_IN_CUSTODY);
	assert_string_equal(a.manufacturer, "Makita");
	assert_string_equal(a.serial, "MK-001");
	T_OK(store_holder_by_id(st, a.holder_id, &h), &e);
	assert_string_equal(h.name, "Jane Doe");
	assert_string_equal(attr_of(st, "cm1abc001", "Name"), "Drill, cordless");
	assert_int_equal(t_get(st, "cm1abc002").state, ASSET_STORAGE);
	import_report_free(&rep);
	T_VERIFY_OK(st);
	free(hb);
	free(sh);
	at_errors_free(&e);
}

static void test_import_any_csv_with_map(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct import_report rep;
	const char *maps[] = { "Inv No=asset_tag", "S/N=serial_number", "Make=manufacturer",
		               "Kind=equipment_type", "Where=location" };
	struct import_options o = { .maps = maps, .nmaps = 5 };
	const char *csv = "Inv No;S/N;Make;Kind;Where;Owner dept\n"
	                  "INV-1;X1;Acme;Radio;Main site, Room 12;Ops\n";

	T_EXPECT(imp(st, csv, NULL, &rep, &e), AT_INVALID, &e);
	assert_true(t_mentions(&e, "no asset tag column"));
	import_report_free(&rep);
	T_OK(imp(st, csv, &o, &rep, &e), &e);
	assert_string_equal(rep.format, "csv");
	assert_int_equal(rep.delimiter, ';');
	assert_string_equal(t_get(st, "INV-1").building, "Main site");
	assert_string_equal(t_get(st, "INV-1").room, "12");
	assert_string_equal(attr_of(st, "INV-1", "Owner dept"), "Ops");
	import_report_free(&rep);
	at_errors_free(&e);
}

/* ==== cases ============================================================ */

/* A case the database lacks is made: sized by case_slots or, without it,
 * grown to the highest position; listed in the report; one CASE_CREATED
 * (and CASE_RESIZED) each in the batch, with the row. */
static void test_import_new_cases(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct import_report rep;
	struct case_info c;
	json_t *j, *cases;
	const char *hdr = "asset_tag,serial_number,manufacturer,equipment_type,building,room,"
	                  "case,position\n";
	char csv[1024];

	t_case(st, "OLD-1", 2);
	snprintf(csv, sizeof(csv), "%sN-1,S1,Acme,Radio,HQ,Store,AUTO-1,2\n"
	         "N-2,S2,Acme,Radio,HQ,Store,AUTO-1,7\nN-3,S3,Acme,Radio,HQ,Store,AUTO-1,5\n"
	         "N-4,S4,Acme,Radio,HQ,Store,OLD-1,2\n", hdr);
	/* The dry run says so and makes nothing. */
	{
		struct import_options o = { .dry_run = 1 };
		T_OK(imp(st, csv, &o, &rep, &e), &e);
		assert_int_equal(rep.cases_new, 1);
		assert_int_equal(rep.nnew_cases, 1);
		assert_string_equal(rep.new_cases[0].name, "AUTO-1");
		assert_int_equal(rep.new_cases[0].row, 2);
		j = import_report_json(&rep, &e);
		cases = json_object_get(j, "cases");
		assert_int_equal(json_integer_value(json_object_get(cases, "new")), 1);
		assert_string_equal(json_string_value(json_object_get(
		                            json_array_get(json_object_get(cases, "new_listed"), 0),
		                            "name")),
		                    "AUTO-1");
		json_decref(j);
		import_report_free(&rep);
		assert_int_equal(store_case_by_name(st, "AUTO-1", &c), AT_NOT_FOUND);
	}
	T_OK(imp(st, csv, NULL, &rep, &e), &e);
	assert_int_equal(rep.cases_new, 1);
	assert_int_equal(store_case_by_name(st, "AUTO-1", &c), AT_OK);
	assert_int_equal(c.slot_count, 7);
	assert_string_equal(c.building, "HQ");
	assert_string_equal(c.room, "Store");
	assert_int_equal(t_events_of(st, "CASE_CREATED", rep.batch_id), 1);
	assert_int_equal(t_events_of(st, "CASE_RESIZED", rep.batch_id), 1);
	assert_int_equal(t_get(st, "N-2").position, 7);
	/* A case the database had is not grown: OLD-1 kept its 2 slots. */
	assert_int_equal(store_case_by_name(st, "OLD-1", &c), AT_OK);
	assert_int_equal(c.slot_count, 2);
	import_report_free(&rep);

	/* case_slots sizes a new case; a position beyond it, an existing
	 * case's end, or a name no case may have refuses the row. */
	T_EXPECT(imp(st, "asset_tag,serial_number,manufacturer,equipment_type,building,room,case,"
	             "position,case_slots,case_building,case_room\n"
	             "M-1,T1,Acme,Radio,HQ,Store,FIX-1,3,4,Depot,Cage 9\n"
	             "M-2,T2,Acme,Radio,HQ,Store,FIX-1,6,4,Depot,Cage 9\n"
	             "M-3,T3,Acme,Radio,HQ,Store,OLD-1,3,,,\n"
	             "M-4,T4,Acme,Radio,HQ,Store,BAD/NAME,1,,,\n"
	             "M-5,T5,Acme,Radio,HQ,Store,FIX-2,1,lots,,\n",
	             NULL, &rep, &e),
	         AT_SLOT_NOT_FOUND, &e);
	{
		char rows[64];
		refused_rows(&e, rows, sizeof(rows));
		assert_string_equal(rows, "3,4,5,6");
	}
	assert_int_equal(t_items(&e, NULL, AT_SLOT_NOT_FOUND), 2);
	assert_true(t_mentions(&e, "case_slots must be a whole number"));
	assert_int_equal(rep.new_cases[0].slots, 4);
	import_report_free(&rep);
	assert_int_equal(store_case_by_name(st, "FIX-1", &c), AT_NOT_FOUND); /* all or nothing */
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

/* A row in custody passes through the slot it left (its STOCK_OUT says
 * from where); when another asset holds that slot by then, it is given
 * out from no slot, and the example says so. */
static void test_import_last_slot(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct import_report rep;
	struct stock_in_item item = { .tag = "L-1" };
	struct custody_result res;
	json_t *d;

	T_OK(imp(st, "asset_tag,serial_number,manufacturer,equipment_type,building,room,state,"
	         "holder_name,holder_badge,custody_since,case,position,last_case,last_position\n"
	         "L-1,S1,Acme,Radio,HQ,1,IN_CUSTODY,Ann,B-7,2025-03-01,,,KIT-1,3\n"
	         "L-2,S2,Acme,Radio,HQ,1,STORAGE,,,,KIT-1,4\n"
	         "L-3,S3,Acme,Radio,HQ,1,IN_CUSTODY,Ann,B-7,2025-03-01,,,KIT-1,4\n",
	         NULL, &rep, &e),
	     &e);
	assert_int_equal(rep.count[IMPORT_CUSTODY], 2);
	assert_non_null(strstr(rep.examples[IMPORT_CUSTODY][1].text,
	                       "its last slot is taken, not kept: KIT-1/4"));
	d = last_details(st, "L-1", "STOCK_OUT");
	assert_int_equal(json_integer_value(json_object_get(d, "import_row")), 2);
	json_decref(d);
	assert_int_equal(t_get(st, "L-1").last_position, 3);
	assert_int_equal(t_get(st, "L-3").last_case_id, 0);
	import_report_free(&rep);
	T_VERIFY_OK(st);
	T_OK(custody_stock_in(st, T_ACTOR, &item, 1, &res, &e), &e);
	custody_result_free(&res);
	assert_string_equal(t_get(st, "L-1").case_name, "KIT-1");
	assert_int_equal(t_get(st, "L-1").position, 3);
	at_errors_free(&e);
}

/* ==== text ============================================================= */

static void test_import_bom_line_endings_quotes(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct import_report rep;

	T_OK(imp(st,
	         "\xef\xbb\xbf" "asset_tag,serial_number,manufacturer,equipment_type,building,room,"
	         "notes\r\nQ-1,S1,Acme,Radio,HQ,1,\"a, b\"\r\nQ-2,S2,Acme,Radio,HQ,1,\"say "
	         "\"\"hi\"\"\r\nnext line\"\r\n",
	         NULL, &rep, &e),
	     &e);
	assert_string_equal(rep.format, "assettrack");
	assert_string_equal(t_get(st, "Q-1").notes, "a, b");
	assert_string_equal(t_get(st, "Q-2").notes, "say \"hi\"\r\nnext line");
	import_report_free(&rep);
	/* Bare CR line ends (old Mac spreadsheets). */
	T_OK(imp(st, "asset_tag,serial_number,manufacturer,equipment_type,building,room\r"
	              "Q-3,S3,Acme,Radio,HQ,1\rQ-4,S4,Acme,Radio,HQ,1\r",
	         NULL, &rep, &e),
	     &e);
	assert_int_equal(rep.created, 2);
	t_get(st, "Q-4");
	import_report_free(&rep);
	/* Tab-separated. */
	T_OK(imp(st, "asset_tag\tserial_number\tmanufacturer\tequipment_type\tbuilding\troom\n"
	              "Q-5\tS5\tAcme\tRadio\tHQ East\t1\n",
	         NULL, &rep, &e),
	     &e);
	assert_string_equal(t_get(st, "Q-5").building, "HQ East");
	import_report_free(&rep);
	/* An unterminated quote is malformed, not silently cut. */
	T_EXPECT(imp(st, "asset_tag,serial_number,manufacturer,equipment_type,building,room\n"
	                  "Q-6,S6,Acme,Radio,HQ,\"1\n",
	             NULL, &rep, &e),
	         AT_MALFORMED, &e);
	import_report_free(&rep);
	at_errors_free(&e);
}

static void test_import_latin1(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct import_report rep;
	struct import_options o = { .encoding = IMPORT_LATIN1 };
	const char *csv = "asset_tag,serial_number,manufacturer,equipment_type,building,room,notes\n"
	                  "L-1,S1,Acme,Radio,Caf\xe9,1,ok\n"
	                  "L-2,S2,Acme,Radio,HQ,1,fine\n"
	                  "L-3,S3,Acme,Radio,HQ,1,\x80 50 \x96 cheap\n";
	char rows[32];

	T_EXPECT(imp(st, csv, NULL, &rep, &e), AT_INVALID, &e);
	refused_rows(&e, rows, sizeof(rows));
	assert_string_equal(rows, "2,4");
	assert_true(t_mentions(&e, "row 2 (L-1): building is not valid UTF-8"));
	assert_true(t_mentions(&e, "--encoding latin1"));
	assert_int_equal(t_events(st), 0);
	import_report_free(&rep);
	T_OK(imp(st, csv, &o, &rep, &e), &e);
	assert_string_equal(rep.encoding, "latin1");
	assert_string_equal(t_get(st, "L-1").building, "Caf\xc3\xa9");
	assert_string_equal(t_get(st, "L-3").notes, "\xe2\x82\xac 50 \xe2\x80\x93 cheap");
	import_report_free(&rep);
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

/* ==== refusals ========================================================= */

static void test_import_row_refusals(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct import_report rep;
	char csv[2048], rows[64];
	int64_t before;

	t_asset(st, "OLD-1", NULL, 0);
	before = t_events(st);
	snprintf(csv, sizeof(csv),
	         "asset_tag,serial_number,manufacturer,equipment_type,building,room,state,"
	         "holder_name,custody_since,due\n"
	         "F-1,FS1,Acme,Radio,HQ,1,STORAGE,,,\n"                  /* 2 fine */
	         "F-1,FS2,Acme,Radio,HQ,1,STORAGE,,,\n"                  /* 3 tag twice */
	         "F-3,,Acme,Radio,HQ,1,STORAGE,,,\n"                     /* 4 no serial */
	         "F-4,FS4,Acme,Radio,HQ,1,IN_CUSTODY,Dana,03/02/2025,\n" /* 5 bad date */
	         "F-5,FS5,Acme,Radio,HQ,1,IN_CUSTODY,Dana,2999-01-01,\n" /* 6 future */
	         "F-6,FS6,Acme,Radio,HQ,1,IN_CUSTODY,,,\n"               /* 7 nobody */
	         "F-7,FS7,Acme,Radio,HQ,1,LOST,,,\n"                     /* 8 bad state */
	         "old1,FS8,Acme,Radio,HQ,1,STORAGE,,,\n"                 /* 9 key clash */
	         "F-9,FS9,Acme,Radio,HQ,1,STORAGE,,,,extra\n"            /* 10 extra cell */
	         "F-10,FS10,Acme,Radio,HQ,1,IN_CUSTODY,Dana,2025-01-01,2025-13-01\n"); /* 11 */
	T_EXPECT(imp(st, csv, NULL, &rep, &e), AT_DUPLICATE, &e);
	refused_rows(&e, rows, sizeof(rows));
	assert_string_equal(rows, "3,4,5,6,7,8,9,10,11");
	assert_int_equal(t_items(&e, "row 3", AT_DUPLICATE), 1);
	assert_true(t_mentions(&e, "created earlier in this batch"));
	assert_int_equal(t_items(&e, "row 4", AT_INVALID), 1);
	assert_true(t_mentions(&e, "serial_number is required"));
	assert_true(t_mentions(&e, "row 5 (F-4): custody_since: '03/02/2025' is not a date"));
	assert_true(t_mentions(&e, "row 6 (F-5): custody_since 2999-01-01 is in the future"));
	assert_int_equal(t_items(&e, "row 7", AT_INVALID), 1);
	assert_int_equal(t_items(&e, "row 8", AT_INVALID), 1);
	assert_int_equal(t_items(&e, "row 9", AT_DUPLICATE), 1);
	assert_true(t_mentions(&e, "more cells than the header"));
	assert_int_equal(t_items(&e, "row 11", AT_INVALID), 1);
	assert_int_equal(rep.count[IMPORT_REFUSED], 9);
	assert_true(t_mentions(&e, "9 of 10 rows refused; nothing was imported"));
	assert_int_equal(t_events(st), before);
	import_report_free(&rep);

	/* The header: a required field no column gives. */
	T_EXPECT(imp(st, "asset_tag,serial_number,equipment_type,building\nH-1,S,Radio,HQ\n", NULL,
	             &rep, &e),
	         AT_INVALID, &e);
	assert_true(t_mentions(&e, "no column gives manufacturer"));
	import_report_free(&rep);
	T_EXPECT(imp(st, "", NULL, &rep, &e), AT_INVALID, &e);
	import_report_free(&rep);
	T_EXPECT(imp(st, HEAD, NULL, &rep, &e), AT_INVALID, &e);
	assert_true(t_mentions(&e, "no rows"));
	import_report_free(&rep);
	at_errors_free(&e);
}

/* ==== assets many to a statement (store_asset_defer) ================== */

#define BULK_HEAD                                                                       \
	"asset_tag,serial_number,manufacturer,equipment_type,building,room,state,holder_name," \
	"custody_since,due,case,position\n"

/*
 * 100 rows, past three bulk statements: storage, custody (seven holders,
 * made by the import), retired, and every 13th row in a slot (written at
 * once, between the kept ones, some retired out of it).  The result is
 * the row-by-row one: ids in row order with no gap, each asset as its
 * row says, every event, a log that verifies.
 */
static void test_import_bulk_in_row_order(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct import_report rep;
	struct buf csv;
	char tag[16];
	int64_t before, first_id = 0, last_id = 0;
	int nslot = 0, ncust = 0, nret = 0;

	t_case(st, "CASE-Z", 20);
	t_asset(st, "OLD-1", NULL, 0);
	before = t_events(st);
	buf_init(&csv, 0);
	buf_adds(&csv, BULK_HEAD);
	for (int i = 0; i < 100; i++) {
		if (i % 13 == 5)
			buf_printf(&csv, "B-%d,BS-%d,Acme,Radio,HQ,1,%s,,,,CASE-Z,%d\n", i, i,
			           i % 2 ? "RETIRED" : "STORAGE", ++nslot);
		else if (i % 3 == 1)
			buf_printf(&csv, "B-%d,BS-%d,Acme,Radio,HQ,1,IN_CUSTODY,Holder %d,2025-01-%02d,,,\n",
			           i, i, i % 7, 1 + i % 28);
		else
			buf_printf(&csv, "B-%d,BS-%d,Acme,Radio,HQ,1,%s,,,,,\n", i, i,
			           i % 3 == 2 ? "RETIRED" : "STORAGE");
	}
	T_OK(imp(st, csv.data, NULL, &rep, &e), &e);
	assert_int_equal(rep.created, 100);
	for (int i = 0; i < 100; i++) {
		struct asset a;
		snprintf(tag, sizeof(tag), "B-%d", i);
		a = t_get(st, tag);
		if (i == 0)
			first_id = a.id;
		else
			assert_int_equal(a.id, last_id + 1);
		last_id = a.id;
		if (i % 13 == 5) {
			assert_int_equal(a.state, i % 2 ? ASSET_RETIRED : ASSET_STORAGE);
			assert_int_equal(a.case_id != 0, !(i % 2));
			nret += i % 2;
		} else if (i % 3 == 1) {
			char name[16];
			snprintf(name, sizeof(name), "Holder %d", i % 7);
			assert_int_equal(a.state, ASSET_IN_CUSTODY);
			assert_string_equal(a.holder_name, name);
			assert_int_equal(a.custody_since[9], '0' + (1 + i % 28) % 10);
			ncust++;
		} else {
			assert_int_equal(a.state, i % 3 == 2 ? ASSET_RETIRED : ASSET_STORAGE);
			assert_int_equal(a.case_id, 0);
			nret += i % 3 == 2;
		}
	}
	assert_int_equal(last_id - first_id, 99);
	assert_int_equal(first_id, t_get(st, "OLD-1").id + 1);
	assert_int_equal(nslot, 8);
	/* Created, slot assigned, stocked out, retired; seven new holders. */
	assert_int_equal(t_events(st) - before, 100 + nslot + ncust + nret + 7);
	assert_int_equal(rep.holders_new, 7);
	T_VERIFY_OK(st);
	import_report_free(&rep);
	buf_free(&csv);
	at_errors_free(&e);
}

/*
 * Collisions wherever the bulk statements could hide them: within a
 * statement's rows, across statements, with a slot row written at once,
 * by match key, by serial in another letter case, with an asset older
 * than the import, between serials C does not fold (non-ASCII: the
 * indexes are asked).  Each is refused with the row-by-row reason, in
 * row order, the same in a dry run; nothing is imported.  Twice: into a
 * database with no asset (the written keys' filter answers) and with one
 * (every row's keys are probed).
 */
static void test_import_bulk_refusals(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct import_options dry = { .dry_run = 1 };
	struct import_report rep;
	struct buf csv;
	char rows[64];
	uint64_t snap;

	t_case(st, "CASE-Z", 20);
	buf_init(&csv, 0);
	buf_adds(&csv, BULK_HEAD);
	for (int n = 2; n <= 81; n++) {
		char tag[16], serial[16];
		const char *slot = ",";
		snprintf(tag, sizeof(tag), "R-%d", n);
		snprintf(serial, sizeof(serial), "S-%d", n);
		if (n == 10)
			snprintf(tag, sizeof(tag), "R-4");
		if (n == 20)
			slot = "CASE-Z,1";
		if (n == 21)
			snprintf(tag, sizeof(tag), "R-20");
		if (n == 50)
			snprintf(tag, sizeof(tag), "r4");
		if (n == 60)
			snprintf(serial, sizeof(serial), "s-7");
		if (n == 70)
			snprintf(tag, sizeof(tag), "OLD-1");
		if (n == 75 || n == 76)
			snprintf(serial, sizeof(serial), "\xce\xa9-75");
		buf_printf(&csv, "%s,%s,Acme,Radio,HQ,1,STORAGE,,,,%s\n", tag, serial, slot);
	}
	for (int run = 0; run < 4; run++) {
		/* Runs 2 and 3: OLD-1 is older than the import. */
		if (run == 2)
			t_asset(st, "OLD-1", NULL, 0);
		snap = t_snapshot(st);
		T_EXPECT(imp(st, csv.data, run % 2 ? &dry : NULL, &rep, &e), AT_DUPLICATE, &e);
		refused_rows(&e, rows, sizeof(rows));
		assert_string_equal(rows, run < 2 ? "10,21,50,60,76" : "10,21,50,60,70,76");
		assert_true(t_mentions(&e, "row 10 (R-4): R-4: an asset with this tag already exists "
		                           "(created earlier in this batch)"));
		assert_true(t_mentions(&e, "row 21 (R-20): R-20: an asset with this tag already "
		                           "exists (created earlier in this batch)"));
		assert_true(t_mentions(&e, "r4 collides with existing asset R-4: both scan as R4"));
		assert_true(t_mentions(&e, "row 60 (R-60): serial number s-7 already belongs to R-7"));
		assert_int_equal(t_items(&e, "row 70", AT_DUPLICATE), run < 2 ? 0 : 1);
		assert_true(t_mentions(&e, "serial number \xce\xa9-75 already belongs to R-75"));
		assert_int_equal(rep.count[IMPORT_REFUSED], run < 2 ? 5 : 6);
		assert_int_equal(t_snapshot(st), snap);
		import_report_free(&rep);
	}
	buf_free(&csv);
	at_errors_free(&e);
}

/* A dry run answers what the real run does, and changes nothing. */
static void test_import_dry_run_matches(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct import_report dry, real;
	struct import_options o = { .dry_run = 1 };
	char *csv = sample("snipeit_export.csv", NULL);
	uint64_t snap = t_snapshot(st);

	T_OK(imp(st, csv, &o, &dry, &e), &e);
	assert_int_equal(t_snapshot(st), snap);
	assert_string_equal(dry.batch_id, "");
	T_OK(imp(st, csv, NULL, &real, &e), &e);
	for (int k = 0; k < IMPORT_OUTCOME__MAX; k++)
		assert_int_equal(dry.count[k], real.count[k]);
	assert_int_equal(dry.holders_new, real.holders_new);
	import_report_free(&dry);
	import_report_free(&real);
	free(csv);
	at_errors_free(&e);
}

/*
 * A dry run reads the database through a scratch (store_overlay): every
 * row the file could meet must come across, or the scratch would accept
 * what the database refuses.  Each refusal and each match with the
 * database's rows, compared aside, in place and for real by imp().
 */
static void test_import_dry_run_aside(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct import_report rep;
	const char *hdr = "asset_tag,serial_number,manufacturer,equipment_type,building,room,"
	                  "state,holder_name,holder_badge,holder_email,custody_since,case,"
	                  "position\n";
	char csv[4096], rows[64];
	int64_t ann;

	t_case(st, "BOX", 4);
	t_case(st, "SPARE", 2);
	t_asset(st, "OLD-1", "BOX", 1);
	t_asset(st, "OLD-2", NULL, 0);
	t_asset(st, "OLD-3", "SPARE", 2);
	ann = t_holder(st, "Ann Lee", "B1");
	t_holder(st, "Bob Roe", "B2");
	t_stock_out(st, ann, "OLD-3", NULL);
	/* Every kind of meeting refused: the same tag, a tag that scans as
	 * another, a serial taken, a slot taken, a slot that is not there,
	 * the same new tag twice in the file. */
	snprintf(csv, sizeof(csv),
	         "%sOLD-1,X1,Acme,Radio,HQ,1,STORAGE,,,,,,\n"
	         "old1,X2,Acme,Radio,HQ,1,STORAGE,,,,,,\n"
	         "N-1,SN-OLD-2,Acme,Radio,HQ,1,STORAGE,,,,,,\n"
	         "N-2,X3,Acme,Radio,HQ,1,STORAGE,,,,,BOX,1\n"
	         "N-3,X4,Acme,Radio,HQ,1,STORAGE,,,,,BOX,9\n"
	         "N-4,X5,Acme,Radio,HQ,1,STORAGE,,,,,,\n"
	         "N-4,X6,Acme,Radio,HQ,1,STORAGE,,,,,,\n"
	         "N-5,sn-old-3 ,Acme,Radio,HQ,1,STORAGE,,,,,,\n",
	         hdr);
	T_EXPECT(imp(st, csv, NULL, &rep, &e), AT_DUPLICATE, &e);
	refused_rows(&e, rows, sizeof(rows));
	assert_string_equal(rows, "2,3,4,5,6,8,9");
	assert_true(t_mentions(&e, "slot BOX/1 holds OLD-1"));
	assert_true(t_mentions(&e, "serial number SN-OLD-2 already belongs to OLD-2"));
	import_report_free(&rep);
	/* Every kind accepted: a free slot of a case the database has (the
	 * one OLD-3 left), holders found by badge and by name, a new holder,
	 * a new case. */
	snprintf(csv, sizeof(csv),
	         "%sN-10,Y1,Acme,Radio,HQ,1,STORAGE,,,,,SPARE,2\n"
	         "N-11,Y2,Acme,Radio,HQ,1,IN_CUSTODY,Ann Lee,B1,,2026-01-02,,\n"
	         "N-12,Y3,Acme,Radio,HQ,1,IN_CUSTODY,Bob Roe,,,2026-01-02,,\n"
	         "N-13,Y4,Acme,Radio,HQ,1,IN_CUSTODY,Cy New,B3,cy@example.org,2026-01-02,,\n"
	         "N-14,Y5,Acme,Radio,HQ,1,STORAGE,,,,,NEWBOX,3\n"
	         "N-15,Y6,Acme,Radio,HQ,1,IN_CUSTODY,Cy New,B3,,2026-01-03,,\n",
	         hdr);
	T_OK(imp(st, csv, NULL, &rep, &e), &e);
	assert_int_equal(rep.created, 6);
	assert_int_equal(rep.holders_new, 1);
	assert_int_equal(rep.cases_new, 1);
	assert_int_equal(t_get(st, "N-12").holder_id, ann + 1); /* Bob, found by name */
	import_report_free(&rep);
	/* Now those are the database's, and meet the next file. */
	snprintf(csv, sizeof(csv),
	         "%sN-20,Y1,Acme,Radio,HQ,1,STORAGE,,,,,,\n"
	         "N-21,Z1,Acme,Radio,HQ,1,STORAGE,,,,,NEWBOX,3\n"
	         "N-22,Z2,Acme,Radio,HQ,1,STORAGE,,,,,NEWBOX,2\n",
	         hdr);
	T_EXPECT(imp(st, csv, NULL, &rep, &e), AT_DUPLICATE, &e);
	refused_rows(&e, rows, sizeof(rows));
	assert_string_equal(rows, "2,3");
	import_report_free(&rep);
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

/* A dry run aside takes no write lock: another connection writes while
 * it runs (in place, the write would wait for the whole run), and the
 * run reports what the database held when it started. */
struct writer_ctx {
	const char *path;
	int calls;
	enum at_code wrote;
};

static void write_meanwhile(void *ctx, size_t rows, size_t bytes, size_t total)
{
	struct writer_ctx *w = ctx;
	struct at_errors e = AT_ERRORS_INIT;
	struct store *other;

	(void)bytes;
	(void)total;
	if (w->calls++ || rows == 0)
		return;
	other = t_store_open(w->path);
	/* AT-D-1 is in the file too: the run must not see it. */
	w->wrote = asset_create(other, T_ACTOR, &(struct asset_input){
		.tag = "AT-D-1", .serial = "other", .manufacturer = "Acme",
		.equipment_type = "Radio", .building = "HQ", .room = "1" }, NULL, &e);
	at_errors_free(&e);
	store_close(other);
}

static void test_import_dry_run_holds_no_lock(void **state)
{
	struct t_db *d = T_DB(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct import_report rep;
	struct writer_ctx w = { .path = d->path, .calls = 0, .wrote = AT_INTERNAL };
	struct import_options o = { .dry_run = 1, .progress = write_meanwhile, .pctx = &w };
	struct buf csv;

	buf_init(&csv, 0);
	buf_printf(&csv, "asset_tag,serial_number,manufacturer,equipment_type,building,room\n");
	/* AT-D-1 last: read after the other connection wrote it */
	for (int i = 2; i <= 4501; i++)
		buf_printf(&csv, "AT-D-%d,S%d,Acme,Radio,HQ,1\n", i > 4500 ? 1 : i, i);
	T_OK(import_buffer(d->st, T_ACTOR, &o, csv.data, csv.len, &rep, &e), &e);
	assert_true(w.calls >= 2);
	assert_int_equal(w.wrote, AT_OK);
	assert_int_equal(rep.created, 4500);
	assert_int_equal(t_get(d->st, "AT-D-1").serial[0], 'o');
	import_report_free(&rep);
	buf_free(&csv);
	at_errors_free(&e);
}

/* The report's JSON carries what the CLI and the API show. */
static void test_import_report_json(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct import_report rep;
	char *csv = sample("snipeit_export.csv", NULL);
	json_t *j;

	T_OK(imp(st, csv, NULL, &rep, &e), &e);
	j = import_report_json(&rep, NULL);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "created")), 10);
	assert_string_equal(json_string_value(json_object_get(j, "format")), "snipe-it");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "outcomes"),
	                                                    "custody")),
	                 4);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "holders"), "new")),
	                 3);
	assert_int_equal(json_array_size(json_object_get(j, "columns")), 23);
	assert_true(json_array_size(json_object_get(json_object_get(j, "examples"), "custody")) >=
	            1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "checkouts_kept"),
	                                                    "count")),
	                 1);
	json_decref(j);
	import_report_free(&rep);
	free(csv);
	at_errors_free(&e);
}

/* ==== a commit as a job, applied in slices (core/import_job.c) ========= */

#define JOB_ROWS 450
/* core/import_priv.h's IMPORT_SLICE_ROWS */
#define IMPORT_SLICE_ROWS_T 100

/* A file of JOB_ROWS rows that needs what a job must carry from slice
 * to slice: holders met again (some of them by a username that cannot be
 * a badge, found again only through the job's keys), a case the file
 * makes and grows as its rows need (CASE_RESIZED), and slots of a case
 * that exists ("OLD", 200 slots: the caller makes it).  Each row also
 * has 400 bytes of a column the import passes over (created_at), so that
 * the kept file is more than one part (core/import_job.c's PART_BYTES,
 * 128 KiB) and a roll forward reads on across a part's end. */
static void job_file(struct buf *csv)
{
	char pad[401];

	memset(pad, 'p', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	buf_printf(csv, "asset_tag,serial_number,manufacturer,equipment_type,building,room,case,"
	           "position,holder_name,username,created_at\n");
	for (int i = 1; i <= JOB_ROWS; i++) {
		int k = i % 7;
		if (i % 3 == 0)
			buf_printf(csv, "J-%d,JS-%d,Acme,Radio,HQ,1,,,Person %d,%s%d,%s\n", i, i, k,
			           k % 2 ? "\xc3\xbc " : "u.", k, pad);
		else if (i % 3 == 1)
			buf_printf(csv, "J-%d,JS-%d,Acme,Radio,HQ,1,GROW,%d,,,%s\n", i, i, i / 3 + 1,
			           pad);
		else
			buf_printf(csv, "J-%d,JS-%d,Acme,Radio,HQ,1,OLD,%d,,,%s\n", i, i, i / 3 + 1,
			           pad);
	}
}

/* What an import left: every asset's place and holder, each case's size,
 * and the events after `after` without their times, batch and hashes. */
static json_t *job_state(struct store *st, int64_t after)
{
	json_t *j = json_object(), *assets = json_array(), *events = json_array();
	struct event_filter f = { 0 };
	struct case_info c;
	struct t_event *v;
	size_t n;

	for (int i = 1; i <= JOB_ROWS; i++) {
		char tag[16];
		struct asset a;
		snprintf(tag, sizeof(tag), "J-%d", i);
		if (store_asset_by_tag(st, tag, &a) != AT_OK) {
			json_array_append_new(assets, json_string("missing"));
			continue;
		}
		json_array_append_new(assets, json_pack("{s:s, s:s, s:i, s:I, s:s}", "tag", a.tag,
		                                        "case", a.case_name, "pos", a.position,
		                                        "holder", (json_int_t)a.holder_id,
		                                        "state", asset_state_name(a.state)));
	}
	json_object_set_new(j, "assets", assets);
	assert_int_equal(store_case_by_name(st, "GROW", &c), AT_OK);
	json_object_set_new(j, "grow", json_integer(c.slot_count));
	v = t_event_rows(st, &f, &n);
	for (size_t i = 0; i < n; i++) {
		json_t *details;
		if (v[i].seq <= after)
			continue;
		/* A custody start the file does not give is the run's time. */
		details = json_loads(v[i].details, 0, NULL);
		assert_non_null(details);
		json_object_del(details, "since");
		json_array_append_new(events,
		                      json_pack("{s:s, s:s, s:s, s:i, s:s, s:i, s:I, s:o}", "type",
		                                v[i].type, "tag", v[i].asset_tag, "from",
		                                v[i].from_case, "from_pos", v[i].from_position, "to",
		                                v[i].to_case, "to_pos", v[i].to_position, "holder",
		                                (json_int_t)v[i].holder_id, "details", details));
	}
	t_events_free(v, n);
	json_object_set_new(j, "events", events);
	return j;
}

/* The file imported in one transaction into a fresh database made like
 * the caller's: what a job must end with. */
static json_t *job_reference(void)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct import_options o = { .slices_over = 1 << 30 };
	struct import_report rep;
	char path[T_PATH_MAX];
	struct store *st;
	struct buf csv;
	json_t *j;

	t_db_path(path, sizeof(path), "jobref");
	st = t_store_open(path);
	t_case(st, "OLD", 200);
	buf_init(&csv, 0);
	job_file(&csv);
	T_OK(import_buffer(st, T_ACTOR, &o, csv.data, csv.len, &rep, &e), &e);
	assert_int_equal(rep.created, JOB_ROWS);
	j = job_state(st, 1);
	import_report_free(&rep);
	buf_free(&csv);
	store_close(st);
	t_db_remove(path);
	at_errors_free(&e);
	return j;
}

/* FTS5's automerge setting of the search index (store.h,
 * store_search_automerge). */
#define AUTOMERGE_SQL "SELECT v FROM assets_search_config WHERE k = 'automerge'"

static int g_begun, g_die_at;

static void count_begun(void)
{
	if (++g_begun == g_die_at)
		_exit(7);
}

/* Slices: the same assets, cases and events as one transaction, the
 * report the check's, and no job left open. */
static void test_import_job_slices(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct import_options o = { .slices_over = 1 };
	struct import_report rep;
	struct import_job j;
	json_t *want = job_reference(), *got;
	struct buf csv;

	t_case(st, "OLD", 200);
	buf_init(&csv, 0);
	job_file(&csv);
	g_begun = 0;
	g_die_at = 0;
	t_hook_begun = count_begun;
	T_OK(import_buffer(st, T_ACTOR, &o, csv.data, csv.len, &rep, &e), &e);
	t_hook_begun = NULL;
	/* The check's transaction on its scratch, then one per slice. */
	assert_int_equal(g_begun, 1 + (JOB_ROWS + IMPORT_SLICE_ROWS_T - 1) / IMPORT_SLICE_ROWS_T);
	assert_int_equal(rep.created, JOB_ROWS);
	assert_int_equal(rep.holders, 7);
	assert_int_equal(rep.holders_new, 7);
	assert_int_equal(rep.cases_new, 1);
	assert_int_equal(t_events_of(st, NULL, rep.batch_id), t_events(st) - 1);
	got = job_state(st, 1);
	same_outcome(want, got, "a job's slices and one transaction differ");
	/* The job merged the search index as it went (FTS5's own merging is
	 * off while it applies): fewer segments than its slices wrote, one
	 * each (FTS5's index, SQLite's alone). */
	if (!t_on_pg()) {
		int segments = t_sql_int(T_DB(state)->path,
		                         "SELECT count(DISTINCT segid) FROM assets_search_idx");
		printf("import_job: %d search index segments after %d slices\n", segments,
		       (JOB_ROWS + IMPORT_SLICE_ROWS_T - 1) / IMPORT_SLICE_ROWS_T);
		assert_true(segments >= 1 &&
		            segments < (JOB_ROWS + IMPORT_SLICE_ROWS_T - 1) / IMPORT_SLICE_ROWS_T);
	}
	assert_int_equal(store_job_get_open(st, &j), AT_NOT_FOUND);
	store_job_free(&j);
	/* Done, and its kept file and keys gone. */
	assert_int_equal(t_sql_int(T_DB(state)->path, "SELECT count(*) FROM import_jobs "
	                           "WHERE state = 'done' AND rows_done = 450"), 1);
	assert_int_equal(t_sql_int(T_DB(state)->path, "SELECT count(*) FROM import_job_parts"), 0);
	assert_int_equal(t_sql_int(T_DB(state)->path, "SELECT count(*) FROM import_job_keys"), 0);
	T_VERIFY_OK(st);
	json_decref(want);
	json_decref(got);
	import_report_free(&rep);
	buf_free(&csv);
	at_errors_free(&e);
}

/* Import the job file in a child that dies at its `die_at`-th
 * transaction (1: the check's), as a crash would. */
static void import_dies(const char *path, int die_at)
{
	pid_t pid = fork();
	int status = 0;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct at_errors e = AT_ERRORS_INIT;
		struct import_options o = { .slices_over = 1 };
		struct import_report rep;
		struct store *st = t_store_open(path);
		struct buf csv;

		buf_init(&csv, 0);
		job_file(&csv);
		g_begun = 0;
		g_die_at = die_at;
		t_hook_begun = count_begun;
		import_buffer(st, T_ACTOR, &o, csv.data, csv.len, &rep, &e);
		_exit(0); /* it should have died */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 7);
}

/* A crash after two slices: the job is open, applying, 200 rows in; the
 * gate holds other creators off; import_recover() finishes it from its
 * kept file to exactly what one transaction makes. */
static void test_import_job_roll_forward(void **state)
{
	struct t_db *d = T_DB(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in = t_input("OTHER-1");
	struct import_report rep;
	struct import_job j;
	struct asset a;
	json_t *want = job_reference(), *got;

	t_case(d->st, "OLD", 200);
	/* The check, the first slice's transaction, the second's, then the
	 * third's: killed in it, before it wrote. */
	import_dies(d->path, 4);
	assert_int_equal(store_job_get_open(d->st, &j), AT_OK);
	assert_string_equal(j.state, "applying");
	assert_int_equal(j.rows_done, 2 * IMPORT_SLICE_ROWS_T);
	assert_int_equal(j.rows_total, JOB_ROWS);
	store_job_free(&j);
	assert_true(t_sql_int(d->path, "SELECT count(*) FROM import_job_parts") >= 2);
	/* While it applies, the job merges the search index itself, between
	 * its rows' writes: FTS5's own merging is off (SQLite's alone). */
	if (!t_on_pg())
		assert_int_equal(t_sql_int(d->path, AUTOMERGE_SQL), 0);
	assert_int_equal(store_asset_by_tag(d->st, "J-200", &a), AT_OK);
	assert_int_equal(store_asset_by_tag(d->st, "J-201", &a), AT_NOT_FOUND);
	/* Nothing that could change its outcome gets in meanwhile. */
	T_EXPECT(asset_create(d->st, T_ACTOR, &in, &a, &e), AT_CONFLICT, &e);
	assert_true(t_mentions(&e, "an import is being applied (200 of 450 rows)"));
	/* Its heartbeat is fresh, but its process (on this host) is gone:
	 * finished now, from row 201 on. */
	T_OK(import_recover(d->st, IMPORT_STALE_S, &rep, &e), &e);
	assert_int_equal(rep.created, JOB_ROWS - 2 * IMPORT_SLICE_ROWS_T);
	import_report_free(&rep);
	assert_int_equal(store_job_get_open(d->st, &j), AT_NOT_FOUND);
	store_job_free(&j);
	got = job_state(d->st, 1);
	same_outcome(want, got, "a job rolled forward and one transaction differ");
	assert_int_equal(t_sql_int(d->path, "SELECT count(*) FROM import_job_parts"), 0);
	if (!t_on_pg()) {
		/* On again, and every asset of both runs is in the index. */
		assert_int_equal(t_sql_int(d->path, AUTOMERGE_SQL), 4);
		assert_int_equal(t_sql_int(d->path, "SELECT count(*) FROM assets_search WHERE "
		                                    "assets_search MATCH '\"JS-\"'"),
		                 JOB_ROWS);
	}
	T_VERIFY_OK(d->st);
	T_OK(asset_create(d->st, T_ACTOR, &in, &a, &e), &e);
	json_decref(want);
	json_decref(got);
	at_errors_free(&e);
}

/* A crash while checking applied nothing: the job is cancelled and the
 * file can be imported again. */
static void test_import_job_dies_checking(void **state)
{
	struct t_db *d = T_DB(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct import_options o = { .slices_over = 1 };
	struct import_report rep;
	struct import_job j;
	struct asset a;
	struct buf csv;
	uint64_t snap;

	t_case(d->st, "OLD", 200);
	snap = t_snapshot(d->st);
	import_dies(d->path, 1);
	assert_int_equal(store_job_get_open(d->st, &j), AT_OK);
	assert_string_equal(j.state, "checking");
	store_job_free(&j);
	assert_int_equal(t_snapshot(d->st), snap);
	T_OK(import_recover(d->st, 0, NULL, &e), &e);
	assert_int_equal(store_job_get_open(d->st, &j), AT_NOT_FOUND);
	store_job_free(&j);
	assert_int_equal(t_snapshot(d->st), snap);
	assert_int_equal(store_asset_by_tag(d->st, "J-1", &a), AT_NOT_FOUND);
	buf_init(&csv, 0);
	job_file(&csv);
	T_OK(import_buffer(d->st, T_ACTOR, &o, csv.data, csv.len, &rep, &e), &e);
	assert_int_equal(rep.created, JOB_ROWS);
	T_VERIFY_OK(d->st);
	import_report_free(&rep);
	buf_free(&csv);
	at_errors_free(&e);
}

/* The next command to open the database (here `assettrack verify`)
 * finishes an import a crash interrupted, as SQLite rolls back a hot
 * journal, and says so. */
static void test_import_job_finished_on_open(void **state)
{
	struct t_db *d = T_DB(state);
	struct import_job j;
	struct t_run r;
	json_t *want = job_reference(), *got;

	t_case(d->st, "OLD", 200);
	import_dies(d->path, 3);
	assert_int_equal(store_job_get_open(d->st, &j), AT_OK);
	assert_int_equal(j.rows_done, IMPORT_SLICE_ROWS_T);
	store_job_free(&j);
	t_cli(&r, d->path, "verify", NULL);
	if (r.status != 0)
		fail_msg("exit %d\n%s\n%s", r.status, r.out, r.err);
	assert_non_null(strstr(r.err, "finished an import a crash interrupted: 350 more rows"));
	t_run_free(&r);
	assert_int_equal(store_job_get_open(d->st, &j), AT_NOT_FOUND);
	store_job_free(&j);
	got = job_state(d->st, 1);
	same_outcome(want, got, "a job finished on open and one transaction differ");
	json_decref(want);
	json_decref(got);
}

/* Open job `j` as a crash would leave it ("checking" or "applying"). */
static void job_put(struct store *st, struct import_job *j, const char *state, int64_t hb)
{
	struct at_errors e = AT_ERRORS_INIT;

	T_OK(store_begin(st, &e), &e);
	snprintf(j->state, sizeof(j->state), "%s", state);
	j->heartbeat = hb;
	if (!j->id)
		T_OK(store_job_open(st, j, &j->id, &e), &e);
	T_OK(store_job_update(st, j, &e), &e);
	T_OK(store_commit(st, &e), &e);
	at_errors_free(&e);
}

/* The gate: while a job is open, only what cannot change its outcome is
 * recorded; the rest is 409 with the reason. */
static void test_import_job_gate(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct import_job j = { .actor = T_ACTOR, .options = "{}", .rows_total = 10,
		                .created_at = "2026-12-02T00:00:00Z",
		                .batch_id = "00000000-0000-4000-8000-000000000001" };
	struct asset_input in = t_input("NEW-1");
	struct custody_result res;
	struct stock_in_item back = { "A-1", "GATE", 3 };
	struct import_report rep;
	struct holder h;
	struct asset a;
	const char *tags[] = { "A-1" };
	const char *small = "asset_tag,serial_number,manufacturer,equipment_type,building\n"
	                    "Z-1,ZS-1,Acme,Radio,HQ\n";
	int64_t who;

	t_case(st, "GATE", 4);
	t_asset(st, "A-1", "GATE", 1);
	who = t_holder(st, "Gate Keeper", "GK-1");
	job_put(st, &j, "checking", (int64_t)time(NULL));

	T_EXPECT(asset_create(st, T_ACTOR, &in, &a, &e), AT_CONFLICT, &e);
	assert_true(t_mentions(&e, "an import is being checked"));
	/* Stock-Out and Stock-In go on: scanning never stops. */
	memset(&res, 0, sizeof(res));
	T_OK(custody_stock_out(st, T_ACTOR, (struct holder_ref){ .id = who }, T_DUE, tags, 1,
	                       &res, &e), &e);
	custody_result_free(&res);
	T_OK(custody_stock_in(st, T_ACTOR, &back, 1, &res, &e), &e);
	custody_result_free(&res);

	/* Applying, and filling slot GATE/4. */
	job_put(st, &j, "applying", (int64_t)time(NULL));
	T_OK(store_begin(st, &e), &e);
	T_OK(store_job_key_put(st, j.id, "s4:GATE", 1, &e), &e);
	T_OK(store_commit(st, &e), &e);
	T_OK(custody_stock_out(st, T_ACTOR, (struct holder_ref){ .id = who }, T_DUE, tags, 1,
	                       &res, &e), &e);
	custody_result_free(&res);
	back.position = 4;
	T_EXPECT(custody_stock_in(st, T_ACTOR, &back, 1, &res, &e), AT_CONFLICT, &e);
	assert_true(t_mentions(&e, "slot GATE/4 is being filled by an import"));
	custody_result_free(&res);
	back.position = 2;
	T_OK(custody_stock_in(st, T_ACTOR, &back, 1, &res, &e), &e);
	custody_result_free(&res);
	T_EXPECT(holder_create(st, T_ACTOR, "New Person", NULL, NULL, &h, &e), AT_CONFLICT, &e);
	assert_true(t_mentions(&e, "an import is being applied (0 of 10 rows)"));
	/* Another import, small or large, waits its turn. */
	T_EXPECT(import_buffer(st, T_ACTOR, NULL, small, strlen(small), &rep, &e), AT_CONFLICT, &e);
	assert_true(t_mentions(&e, "an import is being applied"));
	import_report_free(&rep);

	/* Its process died while checking: the next import cancels it. */
	job_put(st, &j, "checking", (int64_t)time(NULL) - IMPORT_STALE_S - 1);
	T_OK(import_buffer(st, T_ACTOR, NULL, small, strlen(small), &rep, &e), &e);
	import_report_free(&rep);
	assert_int_equal(store_job_get_open(st, &j), AT_NOT_FOUND);
	store_job_free(&j);
	T_OK(asset_create(st, T_ACTOR, &in, &a, &e), &e);
	T_VERIFY_OK(st);
	at_errors_free(&e);
}

/* Writers get their turn between slices: a Stock-Out and Stock-In loop
 * on its own connection lands events inside the job's batch, and not
 * only where a full slice ends: a slice ends early, after the row in
 * hand, when an operation waits to write (op_writers_waiting). */
struct scanner {
	const char *path;
	volatile int stop;
	int done;
	enum at_code last;
};

static void *scan_loop(void *arg)
{
	struct scanner *sc = arg;
	struct at_errors e = AT_ERRORS_INIT;
	struct store *st = t_store_open(sc->path);
	struct holder h;
	const char *tags[] = { "SCAN-1" };
	struct stock_in_item back = { "SCAN-1", "SCAN", 1 };
	char why[AT_MSG_MAX];

	sc->last = holder_by_badge(st, "SC-1", &h, why);
	while (!sc->stop && sc->last == AT_OK) {
		struct custody_result res;
		memset(&res, 0, sizeof(res));
		at_errors_reset(&e);
		sc->last = custody_stock_out(st, T_ACTOR, (struct holder_ref){ .id = h.id }, T_DUE,
		                             tags, 1, &res, &e);
		custody_result_free(&res);
		if (sc->last == AT_OK)
			sc->last = custody_stock_in(st, T_ACTOR, &back, 1, &res, &e);
		custody_result_free(&res);
		sc->done += sc->last == AT_OK;
		usleep(2000); /* an operator's pace, not a tight loop */
	}
	if (sc->last != AT_OK)
		t_dump("scanner", &e);
	store_close(st);
	at_errors_free(&e);
	return NULL;
}

static void test_import_job_lets_writers_in(void **state)
{
	struct t_db *d = T_DB(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct import_options o = { .slices_over = 1 };
	struct import_report rep;
	struct scanner sc = { d->path, 0, 0, AT_OK };
	struct event_filter f = { 0 };
	struct t_event *v;
	struct buf csv;
	pthread_t t;
	size_t n, inside = 0, gaps = 0, early = 0, rows = 0;
	int64_t first = 0, last = 0;

	t_case(d->st, "SCAN", 1);
	t_asset(d->st, "SCAN-1", "SCAN", 1);
	t_holder(d->st, "Scanner", "SC-1");
	buf_init(&csv, 0);
	buf_printf(&csv, "asset_tag,serial_number,manufacturer,equipment_type,building,room\n");
	for (int i = 1; i <= 3000; i++)
		buf_printf(&csv, "W-%d,WS-%d,Acme,Radio,HQ,1\n", i, i);
	assert_int_equal(pthread_create(&t, NULL, scan_loop, &sc), 0);
	while (sc.done < 2 && sc.last == AT_OK)
		usleep(1000);
	T_OK(import_buffer(d->st, T_ACTOR, &o, csv.data, csv.len, &rep, &e), &e);
	sc.stop = 1;
	pthread_join(t, NULL);
	assert_int_equal(sc.last, AT_OK);
	assert_int_equal(rep.created, 3000);
	/* The job's first and last events, and the scans between them. */
	v = t_event_rows(d->st, &f, &n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].batch_id, rep.batch_id) == 0) {
			first = first ? first : v[i].seq;
			last = v[i].seq;
		}
	for (size_t i = 0; i < n; i++) {
		int scan = v[i].seq > first && v[i].seq < last &&
		           strcmp(v[i].asset_tag, "SCAN-1") == 0;
		/* A run of the scanner's events the job's events enclose: the
		 * job committed there, after `rows` rows (one event each). */
		if (scan && strcmp(v[i - 1].batch_id, rep.batch_id) == 0) {
			gaps++;
			early += rows % IMPORT_SLICE_ROWS_T != 0;
		}
		inside += scan;
		rows += strcmp(v[i].batch_id, rep.batch_id) == 0;
	}
	t_events_free(v, n);
	printf("import_job: %d scans, %zu of their events inside the job's %lld..%lld, in %zu "
	       "gaps, %zu of them inside a slice\n", sc.done, inside, (long long)first,
	       (long long)last, gaps, early);
	assert_true(inside >= 1);
	/* Full slices alone would leave gaps only every IMPORT_SLICE_ROWS
	 * rows; most scans came in the middle of one. */
	assert_true(early >= 1 && early * 2 >= gaps);
	T_VERIFY_OK(d->st);
	import_report_free(&rep);
	buf_free(&csv);
	at_errors_free(&e);
}

/* ==== the simple form (what the crash test and the fuzzer call) ======== */

static void test_import_assets_wrapper(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct import_result res;
	char csv[256];

	snprintf(csv, sizeof(csv), "%sW-1,WS1,Acme,Radio,HQ,1\nW-2,WS2,Acme,Radio,HQ,1\n", HEAD);
	T_OK(import_assets(st, T_ACTOR, csv, strlen(csv), 1, &res, &e), &e);
	assert_int_equal(res.created, 2);
	assert_int_equal(t_events(st), 0);
	T_OK(import_assets(st, T_ACTOR, csv, strlen(csv), 0, &res, &e), &e);
	assert_int_equal(res.rows, 2);
	assert_string_equal(res.format, "assettrack");
	assert_int_equal(t_events_of(st, "ASSET_CREATED", res.batch_id), 2);
	assert_int_equal(t_events(st), 2);
	at_errors_free(&e);
}

/* ==== round trip and the CLI =========================================== */

struct cmp_ctx {
	struct store *other;
	int n;
};

/* Every field an export carries, compared between the two databases. */
static int same_asset(void *ctx, const struct asset *a)
{
	struct cmp_ctx *x = ctx;
	struct asset b;
	struct holder hb;

	x->n++;
	if (store_asset_by_tag(x->other, a->tag, &b) != AT_OK)
		fail_msg("%s is missing after the round trip", a->tag);
#define SAME(f) \
	if (strcmp(a->f, b.f) != 0) \
		fail_msg("%s: " #f " '%s' came back as '%s'", a->tag, a->f, b.f)
	SAME(serial);
	SAME(manufacturer);
	SAME(equipment_type);
	SAME(model);
	SAME(model_code);
	SAME(building);
	SAME(room);
	SAME(notes);
	SAME(due);
	SAME(custody_since);
	SAME(case_name);
	SAME(attributes);
#undef SAME
	assert_int_equal(a->state, b.state);
	assert_int_equal(a->condition, b.condition);
	assert_int_equal(a->position, b.position);
	assert_int_equal(!a->holder_id, !b.holder_id);
	if (a->holder_id) {
		assert_int_equal(store_holder_by_id(x->other, b.holder_id, &hb), AT_OK);
		assert_string_equal(a->holder_name, hb.name);
	}
	return 0;
}

/* Case `name` has the same size and place in both databases. */
static void same_cases(struct store *a, struct store *b, const char *name)
{
	struct case_info ca, cb;

	assert_int_equal(store_case_by_name(a, name, &ca), AT_OK);
	assert_int_equal(store_case_by_name(b, name, &cb), AT_OK);
	assert_int_equal(ca.slot_count, cb.slot_count);
	assert_string_equal(ca.building, cb.building);
	assert_string_equal(ca.room, cb.room);
}

static void test_import_round_trip(void **state)
{
	struct t_db *d = T_DB(state);
	struct store *st = d->st, *st2;
	struct at_errors e = AT_ERRORS_INIT;
	char db2[T_PATH_MAX], file[T_PATH_MAX + 8];
	struct attr_change a1[] = { { "Company", "Acme, \"North\"" }, { "Purchased", "2023-01-04" },
		                    { "Note", "two\nlines" }, { "Lieu", "Zürich" } };
	struct asset_input in;
	struct asset_filter all = { 0 };
	struct cmp_ctx x = { NULL, 0 };
	struct holder h;
	struct t_run r;
	FILE *f;

	/* The source: slots, custody with and without due, retirement,
	 * attributes, holders with badges and e-mail addresses. */
	T_OK(case_create(st, T_ACTOR, "PELI-01", 10, "HQ", "Cage 2", NULL, NULL, &e), &e);
	t_case(st, "PELI-02", 4);
	T_OK(holder_create(st, T_ACTOR, "Dana Ruiz", "B-1", "dana@example.org", &h, &e), &e);
	t_holder(st, "Eve Long", NULL);
	in = t_input("RT-1");
	in.slot_case = "PELI-01";
	in.slot_position = 3;
	in.model = "APX 6000";
	in.notes = "first, \"quoted\"\nsecond line";
	in.attrs = a1;
	in.nattrs = 4;
	T_OK(asset_create(st, T_ACTOR, &in, NULL, &e), &e);
	t_asset(st, "RT-2", "PELI-01", 4);
	t_asset(st, "RT-3", "PELI-02", 1);
	t_asset(st, "RT-4", NULL, 0);
	t_asset(st, "RT-5", "PELI-02", 2);
	t_stock_out(st, h.id, "RT-2", "RT-3", NULL);
	{
		struct custody_result res;
		const char *tags[] = { "RT-5" };
		struct holder_ref ref = { .id = h.id + 1 };
		T_OK(custody_stock_out(st, T_ACTOR, ref, NULL, tags, 1, &res, &e), &e);
		custody_result_free(&res);
	}
	T_OK(asset_retire(st, T_ACTOR, "RT-4", "end of life", NULL, &e), &e);

	t_cli(&r, d->path, "export", "assets", NULL);
	assert_int_equal(r.status, 0);
	snprintf(file, sizeof(file), "%s.csv", d->files);
	f = fopen(file, "w");
	assert_non_null(f);
	fputs(r.out, f);
	fclose(f);
	t_run_free(&r);

	/* A database with nothing in it: the import makes the cases, with
	 * their sizes and places from the export. */
	t_db_path(db2, sizeof(db2), "roundtrip");
	st2 = t_store_open(db2);
	store_close(st2);
	t_cli(&r, db2, "import", "assets", file, NULL);
	if (r.status != 0)
		fail_msg("import: exit %d\n%s\n%s", r.status, r.out, r.err);
	assert_non_null(strstr(r.out, "AssetTrack's export"));
	assert_non_null(strstr(r.out, "cases created               2"));
	assert_non_null(strstr(r.out, "PELI-01, 10 slots"));
	assert_non_null(strstr(r.out, "PELI-02, 4 slots"));
	t_run_free(&r);
	st2 = t_store_open(db2);
	x.other = st2;
	assert_int_equal(store_asset_list(st, &all, same_asset, &x), AT_OK);
	assert_int_equal(x.n, 5);
	assert_int_equal(store_asset_count(st2, 0, ASSET_STORAGE), 5);
	same_cases(st, st2, "PELI-01");
	same_cases(st, st2, "PELI-02");
	/* The holders came across whole: badge and e-mail too. */
	assert_int_equal(store_holder_by_badge(st2, "B-1", &h), AT_OK);
	assert_string_equal(h.email, "dana@example.org");
	T_VERIFY_OK(st2);
	T_VERIFY_OK(st);
	/* Custody came across with the slot each asset left: a Stock-In
	 * without a slot returns it there, in both databases alike. */
	{
		struct stock_in_item items[] = { { .tag = "RT-2" }, { .tag = "RT-3" },
			                         { .tag = "RT-5" } };
		struct custody_result res;
		struct store *both[2] = { st, st2 };
		struct asset a;
		for (int i = 0; i < 2; i++) {
			T_OK(custody_stock_in(both[i], T_ACTOR, items, 3, &res, &e), &e);
			custody_result_free(&res);
			assert_int_equal(store_asset_by_tag(both[i], "RT-3", &a), AT_OK);
			assert_string_equal(a.case_name, "PELI-02");
			assert_int_equal(a.position, 1);
			assert_int_equal(store_asset_by_tag(both[i], "RT-2", &a), AT_OK);
			assert_string_equal(a.case_name, "PELI-01");
			assert_int_equal(a.position, 4);
		}
	}
	x.n = 0;
	assert_int_equal(store_asset_list(st, &all, same_asset, &x), AT_OK);
	assert_int_equal(x.n, 5);
	T_VERIFY_OK(st2);
	store_close(st2);
	t_db_remove(db2);
	remove(file);
	at_errors_free(&e);
}

static void test_import_cli(void **state)
{
	struct t_db *d = T_DB(state);
	char dir[T_PATH_MAX], path[T_PATH_MAX * 2];
	struct t_run r;
	json_t *j;

	snprintf(dir, sizeof(dir), "%s", __FILE__);
	snprintf(path, sizeof(path), "%s/../data/import/snipeit_export.csv", dirname(dir));
	store_close(d->st);
	d->st = NULL;
	t_cli(&r, d->path, "import", "assets", path, "--dry-run", "--map", "RAM=ignore", "--status",
	      "Out for Repair=STORAGE:DAMAGED", "--default-room", "Main", NULL);
	if (r.status != 0)
		fail_msg("exit %d\n%s\n%s", r.status, r.out, r.err);
	assert_non_null(strstr(r.out, "Dry run: 10 rows, Snipe-IT layout"));
	assert_non_null(strstr(r.out, "Columns:"));
	assert_non_null(strstr(r.out, "created in custody          4  (of 3 holders, 3 of them new)"));
	assert_non_null(strstr(r.out, "STORAGE DAMAGED"));
	assert_non_null(strstr(r.out, "checked out to location HQ Lobby Kiosk"));
	assert_null(strstr(r.err, "rows/s")); /* no progress when stderr is not a terminal */
	t_run_free(&r);
	t_cli(&r, d->path, "--json", "import", "assets", path, NULL);
	assert_int_equal(r.status, 0);
	j = json_loads(r.out, 0, NULL);
	assert_non_null(j);
	assert_false(json_is_true(json_object_get(j, "dry_run")));
	assert_int_equal(json_integer_value(json_object_get(j, "created")), 10);
	assert_true(json_is_string(json_object_get(j, "batch_id")));
	json_decref(j);
	t_run_free(&r);
	/* Again: every row is a duplicate now; the report and the refusals. */
	t_cli(&r, d->path, "--json", "import", "assets", path, NULL);
	assert_int_equal(r.status, 1);
	j = json_loads(r.out, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
	                    "DUPLICATE");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(j,
	                 "report"), "outcomes"), "refused")),
	                 10);
	json_decref(j);
	t_run_free(&r);
	t_cli(&r, d->path, "import", "assets", path, "--encoding", "ebcdic", NULL);
	assert_int_equal(r.status, 2);
	t_run_free(&r);
	t_cli(&r, d->path, "import", "assets", path, "--map", NULL);
	assert_int_equal(r.status, 2);
	t_run_free(&r);
	t_cli(&r, d->path, "import", "assets", "/nonexistent/file.csv", NULL);
	assert_int_equal(r.status, 1);
	t_run_free(&r);
	/* asset update --attr, and show. */
	t_cli(&r, d->path, "asset", "update", "AT-1001", "--attr", "Company=Globex", "--attr",
	      "Cost=", NULL);
	assert_int_equal(r.status, 0);
	t_run_free(&r);
	t_cli(&r, d->path, "asset", "show", "AT-1001", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "Company: Globex"));
	assert_null(strstr(r.out, "Cost:"));
	t_run_free(&r);
	t_cli(&r, d->path, "asset", "update", "AT-1001", "--attr", "novalue", NULL);
	assert_int_equal(r.status, 2);
	t_run_free(&r);
	d->st = t_store_open(d->path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jsonw_matches_jansson),
		cmocka_unit_test_setup_teardown(test_attr_create_update_events, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_attr_refusals_change_nothing, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_attr_search_by_value_not_name, t_setup,
		                                t_teardown),
		cmocka_unit_test_setup_teardown(test_attr_tamper_and_schema, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_import_snipeit_export, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_import_snipeit_import_layout, t_setup,
		                                t_teardown),
		cmocka_unit_test_setup_teardown(test_import_holder_matching, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_import_status_and_map_options, t_setup,
		                                t_teardown),
		cmocka_unit_test_setup_teardown(test_import_status_refusals, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_import_homebox_and_shelf, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_import_any_csv_with_map, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_import_bom_line_endings_quotes, t_setup,
		                                t_teardown),
		cmocka_unit_test_setup_teardown(test_import_latin1, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_import_row_refusals, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_import_bulk_in_row_order, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_import_bulk_refusals, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_import_dry_run_matches, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_import_dry_run_aside, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_import_dry_run_holds_no_lock, t_setup,
		                                t_teardown),
		cmocka_unit_test_setup_teardown(test_import_report_json, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_import_assets_wrapper, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_import_new_cases, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_import_last_slot, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_import_round_trip, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_import_cli, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_import_job_slices, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_import_job_roll_forward, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_import_job_dies_checking, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_import_job_finished_on_open, t_setup,
		                                t_teardown),
		cmocka_unit_test_setup_teardown(test_import_job_gate, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_import_job_lets_writers_in, t_setup,
		                                t_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
