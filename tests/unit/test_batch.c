/*
 * test_batch.c — one batch read back from the log (core/batch.h): the
 * data of a custody receipt and of GET /api/v1/batches/{id}.
 *
 * A Stock-Out with a due date and a badged holder, a Stock-In (from one
 * holder and from two), a batch of two event kinds, ids that name no
 * batch, the asset described as it is now, a 1,500-event import read a
 * page at a time, and the head: the batch's own last event, not the log's.
 */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/batch.h"
#include "core/encode.h"
#include "core/import.h"
#include "core/read.h"
#include "util/buf.h"

#define CASE "PELI-07"
#define DUE "2099-06-30"

/* Cases, holders and assets AT-0001..AT-0006 in CASE slots 1..6. */
static int64_t dana, eve;

static int setup(void **state)
{
	char tag[16];

	if (t_setup(state) != 0)
		return -1;
	t_case(T_ST(state), CASE, 12);
	dana = t_holder(T_ST(state), "Dana Ruiz", "B-17");
	eve = t_holder(T_ST(state), "Eve Stone", NULL);
	for (int i = 1; i <= 6; i++) {
		snprintf(tag, sizeof(tag), "AT-000%d", i);
		t_asset(T_ST(state), tag, CASE, i);
	}
	return 0;
}

/* Stock `n` tags out to `holder` with `due`; the result (free it). */
static struct custody_result out_to(struct store *st, int64_t holder, const char *due,
                                    const char *const *tags, size_t n)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	struct holder_ref h = { .id = holder };

	memset(&res, 0, sizeof(res));
	T_OK(custody_stock_out(st, T_ACTOR, h, due, tags, n, &res, &e), &e);
	at_errors_free(&e);
	return res;
}

/* Stock `n` tags back in to the slots they left. */
static struct custody_result in_again(struct store *st, const char *const *tags, size_t n)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct stock_in_item items[8];
	struct custody_result res;

	assert_true(n <= 8);
	memset(items, 0, sizeof(items));
	for (size_t i = 0; i < n; i++)
		items[i].tag = tags[i];
	memset(&res, 0, sizeof(res));
	T_OK(custody_stock_in(st, T_ACTOR, items, n, &res, &e), &e);
	at_errors_free(&e);
	return res;
}

/* read_batch that must succeed. */
static void read_ok(struct store *st, const char *id, int limit, int64_t after, struct batch *b)
{
	struct at_errors e = AT_ERRORS_INIT;

	T_OK(read_batch(st, id, limit, after, b, &e), &e);
	at_errors_free(&e);
}

/* ==== Stock-Out ========================================================= */

static void test_stock_out_batch(void **state)
{
	struct store *st = T_ST(state);
	const char *tags[] = { "AT-0001", "AT-0003" };
	struct custody_result res = out_to(st, dana, DUE, tags, 2);
	struct t_event last = t_last_event(st);
	struct batch b;

	read_ok(st, res.batch_id, 50, 0, &b);
	assert_string_equal(b.batch_id, res.batch_id);
	assert_string_equal(b.type, "STOCK_OUT");
	assert_int_equal(b.kind, BATCH_STOCK_OUT);
	assert_string_equal(b.actor, T_ACTOR);
	assert_string_equal(b.at, last.at);
	assert_true(b.has_holder);
	assert_int_equal(b.holders_vary, 0);
	assert_int_equal(b.holder.id, dana);
	assert_string_equal(b.holder.name, "Dana Ruiz");
	assert_string_equal(b.holder.badge, "B-17");
	assert_string_equal(b.due, DUE);
	assert_int_equal(b.count, 2);
	assert_int_equal(b.n, 2);
	assert_int_equal(b.next_after, 0);
	/* The head after the batch is its last event: what custody told the
	 * operator, and the log's last row right now. */
	assert_int_equal(b.head.seq, res.head.seq);
	assert_string_equal(b.head.hash, res.head.hash);
	assert_int_equal(b.head.seq, last.seq);
	assert_string_equal(b.head.hash, last.hash);
	assert_int_equal(b.first_seq, last.seq - 1);
	for (size_t i = 0; i < 2; i++) {
		const struct batch_line *l = &b.lines[i];
		assert_int_equal(l->seq, b.first_seq + (int64_t)i);
		assert_string_equal(l->type, "STOCK_OUT");
		assert_string_equal(l->tag, tags[i]);
		assert_string_equal(l->from_case, CASE);
		assert_int_equal(l->from_position, i == 0 ? 1 : 3);
		assert_string_equal(l->to_case, "");
		assert_int_equal(l->holder_id, dana);
		assert_string_equal(l->holder_name, "Dana Ruiz");
		assert_true(l->described);
		assert_true(strncmp(l->serial, "SN-AT-000", 9) == 0);
		assert_string_equal(l->manufacturer, "Acme");
		assert_string_equal(l->equipment_type, "Radio");
		assert_string_equal(l->model, "");
		assert_null(l->reason);
		assert_string_equal(l->details, "{\"due\":\"" DUE "\"}");
	}
	assert_string_equal(b.lines[1].hash, b.head.hash);
	assert_string_equal(b.lines[1].prev_hash, b.lines[0].hash);
	batch_free(&b);
	free(last.details);
	custody_result_free(&res);
}

/* A later operation moves the log's head, not the batch's. */
static void test_head_is_the_batchs_last_event(void **state)
{
	struct store *st = T_ST(state);
	const char *one[] = { "AT-0001" }, *two[] = { "AT-0002" };
	struct custody_result r1 = out_to(st, dana, NULL, one, 1);
	struct custody_result r2 = out_to(st, eve, NULL, two, 1);
	struct batch b;

	assert_true(r2.head.seq > r1.head.seq);
	read_ok(st, r1.batch_id, 50, 0, &b);
	assert_int_equal(b.head.seq, r1.head.seq);
	assert_string_equal(b.head.hash, r1.head.hash);
	assert_string_equal(b.due, ""); /* none given */
	assert_string_equal(b.holder.badge, "B-17");
	batch_free(&b);
	/* Eve has no badge. */
	read_ok(st, r2.batch_id, 50, 0, &b);
	assert_int_equal(b.holder.id, eve);
	assert_string_equal(b.holder.badge, "");
	batch_free(&b);
	custody_result_free(&r1);
	custody_result_free(&r2);
}

/* ==== Stock-In ========================================================== */

static void test_stock_in_batch(void **state)
{
	struct store *st = T_ST(state);
	const char *tags[] = { "AT-0002", "AT-0005" };
	struct custody_result o = out_to(st, dana, DUE, tags, 2);
	struct custody_result r = in_again(st, tags, 2);
	struct batch b;

	read_ok(st, r.batch_id, 50, 0, &b);
	assert_string_equal(b.type, "STOCK_IN");
	assert_int_equal(b.kind, BATCH_STOCK_IN);
	assert_true(b.has_holder);
	assert_int_equal(b.holder.id, dana); /* who returned them */
	assert_string_equal(b.holder.badge, "B-17");
	assert_string_equal(b.due, "");      /* a Stock-In has none */
	assert_int_equal(b.count, 2);
	assert_int_equal(b.n, 2);
	assert_string_equal(b.lines[0].tag, "AT-0002");
	assert_string_equal(b.lines[0].to_case, CASE);
	assert_int_equal(b.lines[0].to_position, 2);
	assert_string_equal(b.lines[1].to_case, CASE);
	assert_int_equal(b.lines[1].to_position, 5);
	assert_string_equal(b.lines[1].from_case, "");
	assert_int_equal(b.head.seq, r.head.seq);
	assert_string_equal(b.head.hash, r.head.hash);
	batch_free(&b);
	custody_result_free(&o);
	custody_result_free(&r);
}

/* Assets back from two people: no one holder; each line names its own. */
static void test_stock_in_from_two_holders(void **state)
{
	struct store *st = T_ST(state);
	const char *a[] = { "AT-0001" }, *c[] = { "AT-0004" }, *both[] = { "AT-0001", "AT-0004" };
	struct custody_result o1 = out_to(st, dana, NULL, a, 1);
	struct custody_result o2 = out_to(st, eve, NULL, c, 1);
	struct custody_result r = in_again(st, both, 2);
	struct batch b;

	read_ok(st, r.batch_id, 50, 0, &b);
	assert_int_equal(b.kind, BATCH_STOCK_IN);
	assert_int_equal(b.holders_vary, 1);
	assert_int_equal(b.has_holder, 0);
	assert_int_equal(b.lines[0].holder_id, dana);
	assert_int_equal(b.lines[1].holder_id, eve);
	assert_string_equal(b.lines[1].holder_name, "Eve Stone");
	batch_free(&b);
	custody_result_free(&o1);
	custody_result_free(&o2);
	custody_result_free(&r);
}

/* ==== other batches ===================================================== */

/* Create with a slot writes two kinds: the first is the batch's type. */
static void test_batch_of_two_kinds(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in = t_input("AT-0100");
	struct t_event last;
	struct batch b;

	in.slot_case = CASE;
	in.slot_position = 10;
	T_OK(asset_create(st, T_ACTOR, &in, NULL, &e), &e);
	last = t_last_event(st);
	read_ok(st, last.batch_id, 50, 0, &b);
	assert_string_equal(b.type, "ASSET_CREATED");
	assert_int_equal(b.kind, BATCH_OTHER);
	assert_int_equal(b.count, 2);
	assert_int_equal(b.n, 2);
	assert_string_equal(b.lines[0].type, "ASSET_CREATED");
	assert_string_equal(b.lines[1].type, "SLOT_ASSIGN");
	assert_string_equal(b.lines[1].to_case, CASE);
	assert_int_equal(b.lines[1].to_position, 10);
	assert_int_equal(b.has_holder, 0);
	assert_int_equal(b.holders_vary, 0);
	assert_string_equal(b.due, "");
	batch_free(&b);
	free(last.details);
	at_errors_free(&e);
}

/* ==== ids that name nothing ============================================= */

static void test_unknown_and_malformed_ids(void **state)
{
	static const char *const bad[] = {
		"",
		"nope",
		"00000000-0000-0000-0000-00000000000",      /* 35 */
		"00000000-0000-0000-0000-0000000000000",    /* 37 */
		"000000000-000-0000-0000-000000000000",     /* dash moved */
		"0000000g-0000-0000-0000-000000000000",     /* not hex */
		"00000000-0000-0000-0000-00000000000 ",
		"../../../../etc/passwd",
	};
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	const char *tags[] = { "AT-0001" };
	struct custody_result res = out_to(st, dana, NULL, tags, 1);
	char upper[AT_BATCH_ID_LEN + 1], canon[AT_BATCH_ID_LEN + 1];
	struct batch b;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(batch_id_parse(bad[i], canon), 0);
		T_EXPECT(read_batch(st, bad[i], 50, 0, &b, &e), AT_NOT_FOUND, &e);
		assert_true(t_contains_ci(e.message, "is 36 characters of UUID"));
	}
	/* Well formed, but no event has it. */
	T_EXPECT(read_batch(st, "00000000-0000-4000-8000-000000000000", 50, 0, &b, &e),
	         AT_NOT_FOUND, &e);
	assert_string_equal(e.message, "there is no batch 00000000-0000-4000-8000-000000000000");
	/* Either case names the batch; it answers with the canonical id. */
	for (size_t i = 0; i <= AT_BATCH_ID_LEN; i++)
		upper[i] = (char)(res.batch_id[i] >= 'a' && res.batch_id[i] <= 'f'
		                          ? res.batch_id[i] - 'a' + 'A'
		                          : res.batch_id[i]);
	assert_string_not_equal(upper, res.batch_id);
	read_ok(st, upper, 50, 0, &b);
	assert_string_equal(b.batch_id, res.batch_id);
	batch_free(&b);
	/* A page size out of range is a refusal, not a clamp. */
	T_EXPECT(read_batch(st, res.batch_id, 0, 0, &b, &e), AT_INVALID, &e);
	T_EXPECT(read_batch(st, res.batch_id, BATCH_PAGE_MAX + 1, 0, &b, &e), AT_INVALID, &e);
	T_EXPECT(read_batch(st, res.batch_id, 10, -1, &b, &e), AT_INVALID, &e);
	custody_result_free(&res);
	at_errors_free(&e);
}

/* ==== the asset as it is now ============================================ */

static void test_description_as_now(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	const char *tags[] = { "AT-0006" };
	struct custody_result res = out_to(st, dana, NULL, tags, 1);
	struct asset_input in;
	struct batch b;

	memset(&in, 0, sizeof(in));
	in.manufacturer = "Panasonic";
	in.model = "FZ-55";
	T_OK(asset_update(st, T_ACTOR, "AT-0006", &in, NULL, &e), &e);
	read_ok(st, res.batch_id, 50, 0, &b);
	assert_string_equal(b.lines[0].manufacturer, "Panasonic");
	assert_string_equal(b.lines[0].model, "FZ-55");
	/* The update is another batch: this one's head has not moved. */
	assert_int_equal(b.head.seq, res.head.seq);
	batch_free(&b);
	custody_result_free(&res);
	at_errors_free(&e);
}

/* ==== the events, as the events API writes them ========================= */

struct json_of {
	json_t *arr;
};

static int take_json(void *ctx, const struct event *ev)
{
	struct json_of *j = ctx;

	json_array_append_new(j->arr, event_to_json(ev));
	return 0;
}

/* batch_line_event gives event_to_json exactly what read_events does. */
static void test_line_event_json(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	const char *tags[] = { "AT-0002", "AT-0004", "AT-0006" };
	struct custody_result res = out_to(st, eve, DUE, tags, 3);
	struct json_of want = { json_array() };
	struct event_filter f;
	struct event ev;
	struct batch b;

	memset(&f, 0, sizeof(f));
	f.batch_id = res.batch_id;
	T_OK(read_events(st, &f, take_json, &want, &e), &e);
	assert_int_equal(json_array_size(want.arr), 3);
	read_ok(st, res.batch_id, 50, 0, &b);
	assert_int_equal(b.n, 3);
	for (size_t i = 0; i < b.n; i++) {
		json_t *got;
		batch_line_event(&b, &b.lines[i], &ev);
		got = event_to_json(&ev);
		assert_non_null(got);
		assert_true(json_equal(got, json_array_get(want.arr, i)));
		json_decref(got);
	}
	batch_free(&b);
	json_decref(want.arr);
	custody_result_free(&res);
	at_errors_free(&e);
}

/* ==== a large batch, a page at a time =================================== */

#define BIG 1500
#define BIG_PAGE 400

/* An import of BIG assets: one batch of BIG events. */
static void import_big(struct store *st, char batch_id[AT_BATCH_ID_LEN + 1])
{
	struct at_errors e = AT_ERRORS_INIT;
	struct import_result res;
	struct buf csv;

	buf_init(&csv, 0);
	assert_int_equal(buf_adds(&csv, "asset_tag,serial_number,manufacturer,equipment_type,"
	                                "building,room\n"), 0);
	for (int i = 0; i < BIG; i++)
		assert_int_equal(buf_printf(&csv, "IM-%05d,IMS-%05d,Motorola,Radio,HQ,1\n", i, i), 0);
	T_OK(import_assets(st, T_ACTOR, csv.data, csv.len, 0, &res, &e), &e);
	assert_int_equal(res.created, BIG);
	memcpy(batch_id, res.batch_id, AT_BATCH_ID_LEN + 1);
	buf_free(&csv);
	at_errors_free(&e);
}

static void test_large_batch_in_pages(void **state)
{
	struct store *st = T_ST(state);
	char id[AT_BATCH_ID_LEN + 1];
	struct t_event last;
	int64_t after = 0, want_seq = 0, seen = 0;
	int pages = 0;
	struct batch b;

	import_big(st, id);
	last = t_last_event(st);
	do {
		read_ok(st, id, BIG_PAGE, after, &b);
		if (pages == 0) {
			want_seq = b.first_seq;
			assert_string_equal(b.type, "ASSET_CREATED");
			assert_int_equal(b.kind, BATCH_OTHER);
			assert_int_equal(b.count, BIG);
			assert_int_equal(b.has_holder, 0);
			assert_int_equal(b.head.seq, last.seq);
			assert_string_equal(b.head.hash, last.hash);
		}
		/* Every page but the last is full, and its cursor is its last
		 * line; the lines run on from the page before without a gap. */
		assert_int_equal(b.n, seen + BIG_PAGE <= BIG ? BIG_PAGE : BIG - seen);
		for (size_t i = 0; i < b.n; i++) {
			char tag[16];
			snprintf(tag, sizeof(tag), "IM-%05lld", (long long)(seen + (int64_t)i));
			assert_int_equal(b.lines[i].seq, want_seq++);
			assert_string_equal(b.lines[i].tag, tag);
			assert_true(b.lines[i].described);
			assert_string_equal(b.lines[i].manufacturer, "Motorola");
		}
		seen += (int64_t)b.n;
		assert_int_equal(b.next_after, seen < BIG ? b.lines[b.n - 1].seq : 0);
		after = b.next_after;
		pages++;
		batch_free(&b);
	} while (after);
	assert_int_equal(pages, (BIG + BIG_PAGE - 1) / BIG_PAGE);
	assert_int_equal(seen, BIG);
	assert_int_equal(want_seq, last.seq + 1);
	/* The largest page a read gives is BATCH_PAGE_MAX, and more follow. */
	read_ok(st, id, BATCH_PAGE_MAX, 0, &b);
	assert_int_equal(b.n, BATCH_PAGE_MAX);
	assert_int_equal(b.next_after, b.lines[BATCH_PAGE_MAX - 1].seq);
	batch_free(&b);
	/* Past the end: no lines, no next page, the batch still answered. */
	read_ok(st, id, 10, last.seq, &b);
	assert_int_equal(b.n, 0);
	assert_int_equal(b.next_after, 0);
	assert_int_equal(b.count, BIG);
	batch_free(&b);
	free(last.details);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stock_out_batch, setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_head_is_the_batchs_last_event, setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_stock_in_batch, setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_stock_in_from_two_holders, setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_batch_of_two_kinds, setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_and_malformed_ids, setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_description_as_now, setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_line_event_json, setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_large_batch_in_pages, setup, t_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
