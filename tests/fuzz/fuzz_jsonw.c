/*
 * fuzz_jsonw.c — libFuzzer target for the scanner lookup's JSON writer
 * (core/jsonw.h).
 *
 * The input is cut at 0xff bytes into an asset's text fields (any other
 * bytes, so also text that is not UTF-8); its first bytes pick state,
 * condition, holder, slot and position.  Properties: jsonw_asset() writes
 * exactly what json_dumps(asset_to_json(a), JSON_COMPACT) writes; jansson
 * reads it back; every text field that is valid UTF-8 comes back as the
 * same string, and one that is not comes back as null; a whole input
 * written as one string member round-trips the same way.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/encode.h"
#include "core/jsonw.h"
#include "core/types.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

/* Field `i` of the input (0xff-separated) into `out` (cap bytes, cut). */
static void field(const uint8_t *data, size_t size, int i, char *out, size_t cap)
{
	size_t at = 0, n = 0;

	for (int k = 0; k < i && at < size; at++)
		if (data[at] == 0xff)
			k++;
	while (at < size && data[at] != 0xff && n + 1 < cap) {
		/* A NUL would end the C string anyway; keep the rest visible. */
		out[n++] = data[at] ? (char)data[at] : ' ';
		at++;
	}
	out[n] = '\0';
}

/* The member `key` of `o` is `s` when `s` is UTF-8, else null. */
static void check_text(json_t *o, const char *key, const char *s, int empty_is_null)
{
	json_t *v = json_object_get(o, key);

	CHECK(v != NULL);
	if (!jsonw_utf8_valid(s) || (empty_is_null && !*s))
		CHECK(json_is_null(v));
	else
		CHECK(json_is_string(v) && strcmp(json_string_value(v), s) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct asset a;
	struct buf b;
	char *want;
	json_t *o, *j;
	uint8_t ctl = size ? data[0] : 0;

	memset(&a, 0, sizeof(a));
	field(data, size, 1, a.tag, sizeof(a.tag));
	field(data, size, 2, a.serial, sizeof(a.serial));
	field(data, size, 3, a.manufacturer, sizeof(a.manufacturer));
	field(data, size, 4, a.equipment_type, sizeof(a.equipment_type));
	field(data, size, 5, a.model, sizeof(a.model));
	field(data, size, 6, a.model_code, sizeof(a.model_code));
	field(data, size, 7, a.building, sizeof(a.building));
	field(data, size, 8, a.room, sizeof(a.room));
	field(data, size, 9, a.notes, sizeof(a.notes));
	field(data, size, 10, a.holder_name, sizeof(a.holder_name));
	field(data, size, 11, a.due, sizeof(a.due));
	field(data, size, 12, a.case_name, sizeof(a.case_name));
	field(data, size, 13, a.created_at, sizeof(a.created_at));
	field(data, size, 14, a.updated_at, sizeof(a.updated_at));
	field(data, size, 15, a.retired_at, sizeof(a.retired_at));
	field(data, size, 16, a.attributes, sizeof(a.attributes));
	a.state = (enum asset_state)(ctl % ASSET_STATE__MAX);
	a.condition = (enum asset_condition)((ctl / 3) % COND__MAX);
	a.holder_id = (ctl & 0x10) ? (int64_t)size * 7919 : 0;
	a.case_id = (ctl & 0x20) ? 1 : 0;
	a.position = (ctl & 0x40) ? -(int)size : (int)size;

	/* The same bytes as jansson. */
	buf_init(&b, 0);
	CHECK(jsonw_asset(&b, &a) == 0);
	o = asset_to_json(&a);
	CHECK(o != NULL);
	want = json_dumps(o, JSON_COMPACT);
	CHECK(want != NULL && strcmp(want, b.data) == 0);
	free(want);
	json_decref(o);

	/* Readable, with every text field as it was (or null). */
	o = json_loads(b.data, 0, NULL);
	CHECK(json_is_object(o));
	check_text(o, "asset_tag", a.tag, 0);
	check_text(o, "serial_number", a.serial, 0);
	check_text(o, "manufacturer", a.manufacturer, 0);
	check_text(o, "equipment_type", a.equipment_type, 0);
	check_text(o, "model", a.model, 1);
	check_text(o, "model_code", a.model_code, 1);
	check_text(o, "building", a.building, 0);
	check_text(o, "room", a.room, 0);
	check_text(o, "notes", a.notes, 1);
	check_text(o, "due", a.due, 1);
	check_text(o, "created_at", a.created_at, 0);
	check_text(o, "updated_at", a.updated_at, 0);
	j = json_object_get(o, "holder");
	if (a.holder_id && jsonw_utf8_valid(a.holder_name))
		check_text(j, "name", a.holder_name, 1);
	else
		CHECK(json_is_null(j));
	j = json_object_get(o, "slot");
	if (a.case_id && a.case_name[0] && jsonw_utf8_valid(a.case_name))
		check_text(j, "case", a.case_name, 0);
	else
		CHECK(json_is_null(j));
	CHECK((json_object_get(o, "retired_at") != NULL) == (a.state == ASSET_RETIRED));
	json_decref(o);
	buf_free(&b);

	/* The whole input as one string member. */
	{
		struct jsonw w;
		char *s = malloc(size + 1);
		CHECK(s != NULL);
		for (size_t i = 0; i < size; i++)
			s[i] = data[i] ? (char)data[i] : ' ';
		s[size] = '\0';
		buf_init(&b, 0);
		jsonw_begin(&w, &b);
		jsonw_str(&w, "s", s);
		CHECK(jsonw_end(&w) == 0);
		o = json_loads(b.data, 0, NULL);
		CHECK(json_is_object(o));
		check_text(o, "s", s, 0);
		json_decref(o);
		buf_free(&b);
		free(s);
	}
	return 0;
}
