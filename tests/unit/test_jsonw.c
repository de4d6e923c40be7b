/*
 * test_jsonw.c — the streaming JSON writer and the scanner lookup's
 * answer (core/jsonw.h): jsonw_asset() writes, byte for byte, what
 * json_dumps(asset_to_json(a), JSON_COMPACT) wrote before it, for any
 * bytes in any field (text that is not UTF-8 included), and what it
 * writes parses back with jansson to the same strings.
 */
#include "testlib.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/encode.h"
#include "core/jsonw.h"
#include "util/buf.h"

/* ---- helpers ---------------------------------------------------------- */

/* The answer as the API made it before: jansson's dump of asset_to_json. */
static char *jansson_asset(const struct asset *a)
{
	json_t *o = asset_to_json(a);
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	assert_non_null(s);
	return s;
}

static void expect_same(const struct asset *a, const char *what)
{
	char *want = jansson_asset(a);
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(jsonw_asset(&b, a), 0);
	if (strcmp(b.data, want) != 0)
		fail_msg("%s:\n jsonw   %s\n jansson %s", what, b.data, want);
	free(want);
	buf_free(&b);
}

/* A plain asset in storage, in no slot, with no holder. */
static struct asset base_asset(void)
{
	struct asset a;

	memset(&a, 0, sizeof(a));
	a.id = 1;
	snprintf(a.tag, sizeof(a.tag), "AT-000001");
	snprintf(a.serial, sizeof(a.serial), "SN-1");
	snprintf(a.manufacturer, sizeof(a.manufacturer), "Acme");
	snprintf(a.equipment_type, sizeof(a.equipment_type), "Radio");
	snprintf(a.building, sizeof(a.building), "B1");
	snprintf(a.room, sizeof(a.room), "R2");
	snprintf(a.created_at, sizeof(a.created_at), "2025-01-02T03:04:05.678Z");
	snprintf(a.updated_at, sizeof(a.updated_at), "2025-02-03T04:05:06.789Z");
	a.state = ASSET_STORAGE;
	a.condition = COND_GOOD;
	return a;
}

/* Append the UTF-8 encoding of `cp` (any value below 0x200000, so also
 * surrogates and code points past U+10FFFF, which are not valid). */
static size_t put_cp(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Random text for a field of `cap` bytes: empty a fifth of the time;
 * otherwise a mix of plain ASCII, the characters JSON escapes ('"', '\',
 * controls), '/' and DEL, valid 2-, 3- and 4-byte UTF-8, and — when
 * `bad` — bytes that are not UTF-8 (stray continuation bytes, overlong
 * forms, surrogates, code points past U+10FFFF, cut sequences).  Now and
 * then long, past the writer's 256-byte staging area.
 */
static void random_text(uint64_t *seed, char *out, size_t cap, int bad)
{
	static const char special[] = "\"\\/\x7f\b\f\n\r\t\x01\x1f ";
	size_t n = 0, len;

	if (t_rand_below(seed, 5) == 0 || cap < 2) {
		out[0] = '\0';
		return;
	}
	len = t_rand_below(seed, 10) == 0 ? t_rand_below(seed, 400) : t_rand_below(seed, 24);
	for (size_t i = 0; i < len && n + 5 < cap; i++) {
		uint32_t k = t_rand_below(seed, bad ? 14 : 12);
		if (k < 5) {
			out[n++] = (char)(0x20 + t_rand_below(seed, 0x5f));
		} else if (k < 7) {
			out[n++] = special[t_rand_below(seed, sizeof(special) - 1)];
		} else if (k < 9) {
			n += put_cp(out + n, 0x80 + t_rand_below(seed, 0x780));
		} else if (k < 11) {
			uint32_t cp;
			do
				cp = 0x800 + t_rand_below(seed, 0xf800);
			while (cp >= 0xd800 && cp <= 0xdfff);
			n += put_cp(out + n, cp);
		} else if (k < 12) {
			n += put_cp(out + n, 0x10000 + t_rand_below(seed, 0x100000));
		} else {
			switch (t_rand_below(seed, 6)) {
			case 0: out[n++] = (char)(0x80 + t_rand_below(seed, 0x40)); break;
			case 1: out[n++] = (char)0xc0; out[n++] = (char)0xaf; break;
			case 2: n += put_cp(out + n, 0xd800 + t_rand_below(seed, 0x800)); break;
			case 3: n += put_cp(out + n, 0x110000 + t_rand_below(seed, 0xef000)); break;
			case 4: out[n++] = (char)(0xe0 + t_rand_below(seed, 0x10)); break;
			default: out[n++] = (char)(0xf5 + t_rand_below(seed, 0xb)); break;
			}
		}
	}
	out[n] = '\0';
}

/* Stored attributes: none, canonical text as core writes it, or text a
 * damaged row might hold. */
static void random_attributes(uint64_t *seed, char *out, size_t cap)
{
	static const char *const odd[] = {
		"not json", "[1,2]", "\"text\"", "{\"a\":\"x\",\"a\":\"y\"}", "{\"n\":1,\"t\":true}",
		" { \"b\" : \"\\u00e9\\n\" , \"a\":\"\\/\" } ", "{}", "{\"x\":{\"y\":[null]}}",
		"{\"bad\":\"\xff\"}", "{\"a\":\"x\"", "",
	};
	uint32_t k = t_rand_below(seed, 3);

	if (k == 0) {
		out[0] = '\0';
	} else if (k == 1) {
		json_t *o = json_object();
		char name[64], value[200], *text;
		for (uint32_t i = 0, n = 1 + t_rand_below(seed, 4); i < n; i++) {
			random_text(seed, name, sizeof(name), 0);
			random_text(seed, value, sizeof(value), 0);
			json_object_set_new(o, name, json_string(value));
		}
		text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
		snprintf(out, cap, "%s", text ? text : "{}");
		free(text);
		json_decref(o);
	} else {
		snprintf(out, cap, "%s", odd[t_rand_below(seed, sizeof(odd) / sizeof(odd[0]))]);
	}
}

static void random_asset(uint64_t *seed, struct asset *a)
{
	static const int64_t ids[] = { 0, 1, 7, 4294967296LL, INT64_MAX, -5 };
	static const int positions[] = { 0, 1, 50, -1, 2147483647, -2147483647 - 1 };
	int bad = t_rand_below(seed, 3) == 0;

	*a = base_asset();
	random_text(seed, a->tag, sizeof(a->tag), bad);
	random_text(seed, a->serial, sizeof(a->serial), bad);
	random_text(seed, a->manufacturer, sizeof(a->manufacturer), bad);
	random_text(seed, a->equipment_type, sizeof(a->equipment_type), bad);
	random_text(seed, a->model, sizeof(a->model), bad);
	random_text(seed, a->model_code, sizeof(a->model_code), bad);
	random_text(seed, a->building, sizeof(a->building), bad);
	random_text(seed, a->room, sizeof(a->room), bad);
	random_text(seed, a->notes, sizeof(a->notes), bad);
	a->state = (enum asset_state)t_rand_below(seed, ASSET_STATE__MAX);
	a->condition = (enum asset_condition)t_rand_below(seed, COND__MAX);
	a->holder_id = ids[t_rand_below(seed, sizeof(ids) / sizeof(ids[0]))];
	random_text(seed, a->holder_name, sizeof(a->holder_name), bad);
	random_text(seed, a->due, sizeof(a->due), bad);
	a->case_id = ids[t_rand_below(seed, sizeof(ids) / sizeof(ids[0]))];
	random_text(seed, a->case_name, sizeof(a->case_name), bad);
	a->position = positions[t_rand_below(seed, sizeof(positions) / sizeof(positions[0]))];
	random_text(seed, a->created_at, sizeof(a->created_at), bad);
	random_text(seed, a->updated_at, sizeof(a->updated_at), bad);
	random_text(seed, a->retired_at, sizeof(a->retired_at), bad);
	random_attributes(seed, a->attributes, sizeof(a->attributes));
}

/* ---- the asset answer ------------------------------------------------- */

/* Pinned bytes, so that the two encoders cannot drift apart together. */
static void test_asset_pinned_bytes(void **state)
{
	struct asset a = base_asset();
	struct buf b;

	(void)state;
	snprintf(a.serial, sizeof(a.serial), "SN \"1\"\\/");
	snprintf(a.notes, sizeof(a.notes), "line\nbreak\x1f\x7f caf\xc3\xa9 \xf0\x9f\x93\xa6");
	a.state = ASSET_IN_CUSTODY;
	a.holder_id = 42;
	snprintf(a.holder_name, sizeof(a.holder_name), "Dana Ruiz");
	snprintf(a.due, sizeof(a.due), "2099-12-31");
	snprintf(a.case_name, sizeof(a.case_name), "PELI-0001"); /* case_id 0: no slot */
	buf_init(&b, 0);
	assert_int_equal(jsonw_asset(&b, &a), 0);
	assert_string_equal(
		b.data,
		"{\"asset_tag\":\"AT-000001\",\"serial_number\":\"SN \\\"1\\\"\\\\/\","
		"\"manufacturer\":\"Acme\",\"equipment_type\":\"Radio\",\"model\":null,"
		"\"model_code\":null,\"building\":\"B1\",\"room\":\"R2\","
		"\"notes\":\"line\\nbreak\\u001F\x7f caf\xc3\xa9 \xf0\x9f\x93\xa6\","
		"\"state\":\"IN_CUSTODY\",\"condition\":\"GOOD\","
		"\"holder\":{\"id\":42,\"name\":\"Dana Ruiz\"},\"due\":\"2099-12-31\",\"slot\":null,"
		"\"created_at\":\"2025-01-02T03:04:05.678Z\","
		"\"updated_at\":\"2025-02-03T04:05:06.789Z\",\"attributes\":{}}");
	buf_free(&b);
	expect_same(&a, "pinned");
}

/* Each optional part, and each way a part becomes null, one at a time. */
static void test_asset_shapes(void **state)
{
	struct asset a;

	(void)state;
	a = base_asset();
	expect_same(&a, "storage, no slot");
	a.case_id = 9;
	snprintf(a.case_name, sizeof(a.case_name), "STORM-0002");
	a.position = 17;
	expect_same(&a, "in a slot");
	a.case_name[0] = '\0';
	expect_same(&a, "case id without a name: slot null");
	a = base_asset();
	a.holder_id = 3;
	expect_same(&a, "holder without a name: name null");
	snprintf(a.holder_name, sizeof(a.holder_name), "\xe2\x82");
	expect_same(&a, "holder name cut in a sequence: holder null");
	a = base_asset();
	a.case_id = 4;
	snprintf(a.case_name, sizeof(a.case_name), "C\xed\xa0\x80");
	expect_same(&a, "case name with a surrogate: slot null");
	a = base_asset();
	a.state = ASSET_RETIRED;
	snprintf(a.retired_at, sizeof(a.retired_at), "2025-03-04T05:06:07.890Z");
	expect_same(&a, "retired: retired_at");
	a.state = ASSET_STORAGE;
	expect_same(&a, "retired_at set but not retired: absent");
	a = base_asset();
	a.tag[0] = '\0';
	a.created_at[0] = '\0';
	expect_same(&a, "empty required text stays \"\"");
	snprintf(a.model, sizeof(a.model), "\xc0\x80");
	snprintf(a.serial, sizeof(a.serial), "\xf4\x90\x80\x80");
	snprintf(a.room, sizeof(a.room), "ok\x80");
	expect_same(&a, "overlong, past U+10FFFF, stray continuation: null");
	a = base_asset();
	memset(a.notes, 'x', sizeof(a.notes) - 1);
	a.notes[sizeof(a.notes) - 1] = '\0';
	a.notes[100] = '"';
	a.notes[300] = '\n';
	expect_same(&a, "notes at their cap, past the staging area");
}

/* Attributes are jansson's business: whatever a row holds reads as it did. */
static void test_asset_attributes(void **state)
{
	static const char *const texts[] = {
		"{\"Company\":\"Acme, \\\"Inc\\\"\",\"Purchased\":\"2023-01-04\"}",
		"{\"b\":\"\\u00e9\\n\",\"a\":\"\\/\"}",
		"not json",
		"[1,2]",
		"{\"a\":\"x\",\"a\":\"y\"}",
		"{\"n\":1.5e3,\"t\":true,\"z\":null}",
		"{\"\xc3\xa9\":\"\xf0\x9f\x93\xa6\"}",
	};
	struct asset a = base_asset();

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		snprintf(a.attributes, sizeof(a.attributes), "%s", texts[i]);
		expect_same(&a, texts[i]);
	}
}

static void test_asset_matches_jansson_random(void **state)
{
	uint64_t seed = t_seed("jsonw_asset");
	struct asset *a = malloc(sizeof(*a));
	char what[64];
	int nulls = 0;

	(void)state;
	assert_non_null(a);
	for (int round = 0; round < 4000; round++) {
		struct buf b;
		random_asset(&seed, a);
		snprintf(what, sizeof(what), "round %d", round);
		expect_same(a, what);
		/* And it is JSON: jansson reads it back, tag included. */
		buf_init(&b, 0);
		assert_int_equal(jsonw_asset(&b, a), 0);
		{
			json_error_t err;
			json_t *o = json_loads(b.data, 0, &err);
			json_t *tag;
			if (!o)
				fail_msg("%s: jansson cannot read %s: %s", what, b.data, err.text);
			tag = json_object_get(o, "asset_tag");
			if (json_is_string(tag))
				assert_string_equal(json_string_value(tag), a->tag);
			else
				nulls++;
			json_decref(o);
		}
		buf_free(&b);
	}
	/* The generator does reach text that is not UTF-8. */
	assert_true(nulls > 0);
	free(a);
}

/* Assets as the engine stores and reads them, through every state. */
static void test_asset_from_store(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct attr_change attrs[] = { { "Company", "Acme, \"Inc\"" }, { "Note", "a\nb/c" } };
	struct asset_input in = t_input("AT-ATTR");
	struct asset a, out;
	int64_t h = t_holder(st, "Dana \"D\" Ruiz", "B-1");

	t_case(st, "PELI-0001", 4);
	t_asset(st, "AT-1", "PELI-0001", 1);
	t_asset(st, "AT-2", "PELI-0001", 2);
	t_asset(st, "AT-3", NULL, 0);
	in.attrs = attrs;
	in.nattrs = 2;
	T_OK(asset_create(st, T_ACTOR, &in, &out, &e), &e);
	t_stock_out(st, h, "AT-2", NULL);
	T_OK(asset_retire(st, T_ACTOR, "AT-3", "broken", &out, &e), &e);
	{
		static const char *const tags[] = { "AT-1", "AT-2", "AT-3", "AT-ATTR" };
		for (size_t i = 0; i < 4; i++) {
			a = t_get(st, tags[i]);
			expect_same(&a, tags[i]);
		}
	}
	a = t_get(st, "AT-2");
	assert_int_equal(a.state, ASSET_IN_CUSTODY);
	a = t_get(st, "AT-ATTR");
	assert_true(a.attributes[0] != '\0');
	at_errors_free(&e);
}

/* A buffer whose cap is reached refuses, and says so. */
static void test_asset_bad_cap(void **state)
{
	struct asset a = base_asset();
	struct buf b;

	(void)state;
	buf_init(&b, 64);
	assert_int_equal(jsonw_asset(&b, &a), -1);
	assert_true(b.overflow);
	buf_free(&b);
}

/* ---- the streaming writer ---------------------------------------------- */

static void test_stream_nesting_and_numbers(void **state)
{
	struct jsonw w;
	struct buf b;
	json_t *o;

	(void)state;
	buf_init(&b, 0);
	jsonw_begin(&w, &b);
	jsonw_int(&w, "a", 1);
	jsonw_open(&w, "b");
	jsonw_null(&w, "c");
	jsonw_str(&w, "d", "x");
	jsonw_open(&w, "e");
	jsonw_close(&w);
	jsonw_close(&w);
	jsonw_int(&w, "min", INT64_MIN);
	jsonw_int(&w, "max", INT64_MAX);
	jsonw_int(&w, "zero", 0);
	jsonw_text(&w, "empty", "");
	jsonw_str(&w, "blank", "");
	jsonw_str(&w, "none", NULL);
	jsonw_raw(&w, "raw", "[1,{\"k\":true}]", 14);
	assert_int_equal(jsonw_end(&w), 0);
	assert_string_equal(b.data, "{\"a\":1,\"b\":{\"c\":null,\"d\":\"x\",\"e\":{}},"
	                            "\"min\":-9223372036854775808,\"max\":9223372036854775807,"
	                            "\"zero\":0,\"empty\":null,\"blank\":\"\",\"none\":null,"
	                            "\"raw\":[1,{\"k\":true}]}");
	o = json_loads(b.data, 0, NULL);
	assert_non_null(o);
	assert_int_equal(json_integer_value(json_object_get(o, "min")), INT64_MIN);
	json_decref(o);
	buf_free(&b);
}

/* An empty object, and appending after what the buffer holds. */
static void test_stream_empty_and_append(void **state)
{
	struct jsonw w;
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	buf_adds(&b, "[");
	jsonw_begin(&w, &b);
	assert_int_equal(jsonw_end(&w), 0);
	buf_adds(&b, ",");
	jsonw_begin(&w, &b);
	jsonw_str(&w, "k", "v");
	assert_int_equal(jsonw_end(&w), 0);
	assert_string_equal(b.data, "[{},{\"k\":\"v\"}");
	buf_free(&b);
}

/* jsonw_utf8_valid agrees with json_string() on what is UTF-8. */
static void test_utf8_valid_matches_jansson(void **state)
{
	uint64_t seed = t_seed("jsonw_utf8");
	int valid = 0, invalid = 0;

	(void)state;
	for (int round = 0; round < 50000; round++) {
		char s[8] = { 0 };
		size_t n = 1 + t_rand_below(&seed, sizeof(s) - 1);
		json_t *j;
		for (size_t i = 0; i < n; i++) {
			/* Mostly bytes that start or continue sequences. */
			uint32_t k = t_rand_below(&seed, 4);
			s[i] = (char)(k == 0 ? 1 + t_rand_below(&seed, 0x7f)
			                     : 0x80 + t_rand_below(&seed, 0x80));
		}
		s[n] = '\0';
		j = json_string(s);
		if (jsonw_utf8_valid(s) != (j != NULL))
			fail_msg("round %d: %02x %02x %02x %02x: jsonw %d, jansson %d", round,
			         (unsigned char)s[0], (unsigned char)s[1], (unsigned char)s[2],
			         (unsigned char)s[3], jsonw_utf8_valid(s), j != NULL);
		if (j)
			valid++;
		else
			invalid++;
		json_decref(j);
	}
	assert_true(valid > 1000 && invalid > 1000);
}

/* Any valid string goes out and comes back the same through jansson. */
static void test_stream_round_trip(void **state)
{
	uint64_t seed = t_seed("jsonw_round_trip");
	char text[512];

	(void)state;
	for (int round = 0; round < 5000; round++) {
		struct jsonw w;
		struct buf b;
		json_t *o;
		random_text(&seed, text, sizeof(text), 0);
		buf_init(&b, 0);
		jsonw_begin(&w, &b);
		jsonw_str(&w, "k", text);
		assert_int_equal(jsonw_end(&w), 0);
		o = json_loads(b.data, 0, NULL);
		if (!o || !json_is_string(json_object_get(o, "k")))
			fail_msg("round %d: %s does not read back", round, b.data);
		assert_string_equal(json_string_value(json_object_get(o, "k")), text);
		json_decref(o);
		buf_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_asset_pinned_bytes),
		cmocka_unit_test(test_asset_shapes),
		cmocka_unit_test(test_asset_attributes),
		cmocka_unit_test(test_asset_matches_jansson_random),
		cmocka_unit_test_setup_teardown(test_asset_from_store, t_setup, t_teardown),
		cmocka_unit_test(test_asset_bad_cap),
		cmocka_unit_test(test_stream_nesting_and_numbers),
		cmocka_unit_test(test_stream_empty_and_append),
		cmocka_unit_test(test_utf8_valid_matches_jansson),
		cmocka_unit_test(test_stream_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
