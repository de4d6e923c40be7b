/*
 * api_common.c — what every JSON handler shares: body checks against a field
 * list, answers, and keyset pages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/asset.h"
#include "core/custody.h"
#include "core/encode.h"
#include "core/holder.h"
#include "core/import.h"
#include "core/place.h"
#include "core/report.h"
#include "core/verify.h"
#include "util/text.h"
#include "core/fields.h"
#include "web/api.h"

/* ==== body validation ================================================= */

static const char *type_words(unsigned t)
{
	switch (t & ~(unsigned)JT_NULL) {
	case JT_STRING: return "text";
	case JT_INT: return "an integer";
	case JT_BOOL: return "true or false";
	case JT_ARRAY: return "an array";
	case JT_OBJECT: return "an object";
	case JT_STRING | JT_INT: return "a number or text";
	default: return "another type";
	}
}

static unsigned type_of(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING: return JT_STRING;
	case JSON_INTEGER: return JT_INT;
	case JSON_TRUE:
	case JSON_FALSE: return JT_BOOL;
	case JSON_NULL: return JT_NULL;
	case JSON_ARRAY: return JT_ARRAY;
	case JSON_OBJECT: return JT_OBJECT;
	default: return 0; /* reals are never accepted */
	}
}

/* Check `obj` against `spec`: unknown fields, wrong types and missing
 * required fields each become an item; reply 422 and return -1 if any. */
int check_object(json_t *obj, const struct jfield *spec, const char *prefix,
                        struct at_errors *e)
{
	const char *key;
	json_t *v;
	char label[128];

	json_object_foreach(obj, key, v) {
		const struct jfield *f;
		for (f = spec; f->name; f++)
			if (strcmp(f->name, key) == 0)
				break;
		snprintf(label, sizeof(label), "%s%s", prefix, key);
		if (!f->name)
			at_item(e, label, AT_INVALID, "unknown field '%s'", label);
		else if (!(type_of(v) & f->types))
			at_item(e, label, AT_INVALID, "%s must be %s%s", label, type_words(f->types),
			        (f->types & JT_NULL) ? " or null" : "");
	}
	for (const struct jfield *f = spec; f->name; f++) {
		if (f->required && !json_object_get(obj, f->name)) {
			snprintf(label, sizeof(label), "%s%s", prefix, f->name);
			at_item(e, label, AT_INVALID, "%s is required", label);
		}
	}
	return e->nitems ? -1 : 0;
}

int check_body(struct request *rq, const struct jfield *spec)
{
	struct at_errors e = AT_ERRORS_INIT;

	if (check_object(rq->json, spec, "", &e) == 0)
		return 0;
	at_items_done(&e, e.nitems);
	web_reply_error(rq, &e);
	at_errors_free(&e);
	return -1;
}

/* String value, or NULL for absent/null. */
const char *jtext(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A present-but-null optional text field means "clear it". */
const char *jtext_or_clear(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_null(v))
		return "";
	return json_string_value(v);
}

/* ==== replies ========================================================= */

/* Reply with the outcome of a core call: `ok_body` on success (stolen),
 * else the refusal. */
void answer(struct request *rq, enum at_code c, struct at_errors *e, int status,
                   json_t *ok_body)
{
	if (c == AT_OK)
		web_reply_json(rq, status, ok_body);
	else {
		json_decref(ok_body);
		web_reply_error(rq, e);
	}
	at_errors_free(e);
}

/* Parse limit; reply 422 and return -1 if bad. */
int query_limit(struct request *rq, int *limit)
{
	const char *s = web_query(rq, "limit");
	int64_t v;

	*limit = DEFAULT_LIMIT;
	if (!s)
		return 0;
	if (text_parse_int(s, 1, MAX_LIMIT, &v) < 0) {
		web_reply_fail(rq, AT_INVALID, "limit must be a whole number from 1 to %d",
		               MAX_LIMIT);
		return -1;
	}
	*limit = (int)v;
	return 0;
}

/* ==== assets ========================================================== */


/* 1 (stop iterating) when the page is full, noting that more follow. */
int page_full(struct page *p)
{
	if (p->n < p->limit)
		return 0;
	p->more = 1;
	return 1;
}

/* Keep `item` (stolen) and its `cursor` (stolen). */
int page_push(struct page *p, json_t *item, json_t *cursor)
{
	json_array_append_new(p->arr, item);
	json_decref(p->cursor);
	p->cursor = cursor;
	p->n++;
	return 0;
}

/* Reply {"<key>": [...], "next_after": cursor|null}, or the failure `c`. */
void reply_page(struct request *rq, struct page *p, const char *key, enum at_code c,
                struct at_errors *e)
{
	if (c != AT_OK) {
		json_decref(p->arr);
		json_decref(p->cursor);
		web_reply_error(rq, e);
		at_errors_free(e);
		return;
	}
	if (!p->more) {
		json_decref(p->cursor);
		p->cursor = json_null();
	}
	web_reply_json(rq, 200, json_pack("{s:o, s:o}", key, p->arr, "next_after", p->cursor));
	at_errors_free(e);
}

/* JSON integer as int64 for core, 0 (which core refuses) otherwise. */
int64_t jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

void spec_jfields(const struct field_spec *specs, size_t n, int creating,
                  const struct jfield *extra, struct jfield *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		int required = (specs[i].flags & FIELD_REQUIRED) != 0;
		out[k++] = (struct jfield){ specs[i].name, JT_STRING | (required ? 0 : JT_NULL),
			                    creating && required };
	}
	for (; extra && extra->name; extra++)
		out[k++] = *extra;
	out[k] = (struct jfield){ NULL, 0, 0 };
}
