/*
 * fuzz_json_body.c — libFuzzer target for the JSON API's body checks
 * (web/api.h check_object with the field tables of core/fields.h) and
 * for the error answer built from their refusals (errors_to_json).
 *
 * Properties: any bytes that parse as JSON are either accepted by the
 * checker or refused with at least one item; the refusal always becomes
 * a JSON answer (never NULL: that was a 500), and that answer is valid
 * UTF-8 JSON that jansson reads back.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/encode.h"
#include "core/fields.h"
#include "web/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static const struct jfield slot_extra[] = {
	{ "slot", JT_OBJECT | JT_NULL, 0 },
	{ NULL, 0, 0 },
};

/* Check `body` against `spec`; the refusal must make a readable answer. */
static void check_with(json_t *body, const struct jfield *spec)
{
	struct at_errors e = AT_ERRORS_INIT;
	json_t *answer, *back;
	char *text;
	int refused = check_object(body, spec, "", &e) < 0;

	CHECK(refused == (e.nitems > 0));
	if (refused) {
		at_items_done(&e, e.nitems);
		answer = errors_to_json(&e);
		CHECK(answer != NULL);
		text = json_dumps(answer, JSON_COMPACT);
		CHECK(text != NULL);
		back = json_loads(text, 0, NULL);
		CHECK(back != NULL);
		json_decref(back);
		free(text);
		json_decref(answer);
	}
	at_errors_free(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jfield spec[AF__MAX + HF__MAX + CF__MAX + 4];
	json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);

	if (!body)
		return 0;
	if (json_is_object(body)) {
		spec_jfields(asset_fields, AF__MAX, 1, slot_extra, spec);
		check_with(body, spec);
		spec_jfields(asset_fields, AF__MAX, 0, NULL, spec);
		check_with(body, spec);
		spec_jfields(holder_fields, HF__MAX, 1, NULL, spec);
		check_with(body, spec);
		spec_jfields(case_fields, CF__MAX, 0, NULL, spec);
		check_with(body, spec);
	}
	json_decref(body);
	return 0;
}
