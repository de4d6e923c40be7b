/*
 * api.c — JSON API v1 (SPEC §7): the route table and its handlers.
 *
 * Each handler declares the fields its body may carry (check_body); the
 * request has already passed authentication, role, CSRF and size checks.
 * Handlers translate JSON to core calls and core results to JSON; every
 * decision about what is allowed is made by core/.
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
#include "web/web.h"

#define DEFAULT_LIMIT 50
#define MAX_LIMIT 1000

/* ==== body validation ================================================= */

enum { JT_STRING = 1, JT_INT = 2, JT_BOOL = 4, JT_NULL = 8, JT_ARRAY = 16, JT_OBJECT = 32 };

struct jfield {
	const char *name;
	unsigned types;
	int required;
};

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
static int check_object(json_t *obj, const struct jfield *spec, const char *prefix,
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

static int check_body(struct request *rq, const struct jfield *spec)
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
static const char *jtext(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A present-but-null optional text field means "clear it". */
static const char *jtext_or_clear(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_null(v))
		return "";
	return json_string_value(v);
}

/* ==== replies ========================================================= */

/* Reply with the outcome of a core call: `ok_body` on success (stolen),
 * else the refusal. */
static void answer(struct request *rq, enum at_code c, struct at_errors *e, int status,
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
static int query_limit(struct request *rq, int *limit)
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

/*
 * One page of a keyset-paginated list.  The store is asked for limit + 1
 * rows: the extra one only proves there is more, and then the cursor of
 * the last row kept becomes "next_after".
 */
struct page {
	json_t *arr;
	json_t *cursor;              /* of the last row kept */
	int limit, n, more;
};

/* 1 (stop iterating) when the page is full, noting that more follow. */
static int page_full(struct page *p)
{
	if (p->n < p->limit)
		return 0;
	p->more = 1;
	return 1;
}

/* Keep `item` (stolen) and its `cursor` (stolen). */
static int page_push(struct page *p, json_t *item, json_t *cursor)
{
	json_array_append_new(p->arr, item);
	json_decref(p->cursor);
	p->cursor = cursor;
	p->n++;
	return 0;
}

/* Reply {"<key>": [...], "next_after": cursor|null}, or the failure `c`. */
static void reply_page(struct request *rq, struct page *p, const char *key, enum at_code c)
{
	if (c != AT_OK) {
		json_decref(p->arr);
		json_decref(p->cursor);
		web_reply_fail(rq, c, "cannot list %s: %s", key, store_errmsg(rq->st));
		return;
	}
	if (!p->more) {
		json_decref(p->cursor);
		p->cursor = json_null();
	}
	web_reply_json(rq, 200, json_pack("{s:o, s:o}", key, p->arr, "next_after", p->cursor));
}

static int page_asset(void *ctx, const struct asset *a)
{
	struct page *p = ctx;

	return page_full(p) || page_push(p, asset_to_json(a), json_string(a->tag));
}

static void list_assets(struct request *rq)
{
	struct asset_filter f;
	struct page p = { 0 };
	const char *state = web_query(rq, "state");
	enum at_code c;

	memset(&f, 0, sizeof(f));
	if (query_limit(rq, &p.limit) < 0)
		return;
	if (state && *state) {
		if (asset_state_parse(state, &f.state) < 0) {
			web_reply_fail(rq, AT_INVALID, "state must be STORAGE, IN_CUSTODY or RETIRED");
			return;
		}
		f.has_state = 1;
	}
	f.q = web_query(rq, "q");
	if (f.q && strlen(f.q) > AT_FIELD_MAX) {
		web_reply_fail(rq, AT_INVALID, "q is longer than %d characters", AT_FIELD_MAX);
		return;
	}
	f.after_tag = web_query(rq, "after");
	f.limit = p.limit + 1;
	p.arr = json_array();
	c = store_asset_list(rq->st, &f, page_asset, &p);
	reply_page(rq, &p, "assets", c);
}

/* Resolve the {tag} path parameter or reply 404/422. */
static int path_asset(struct request *rq, struct asset *a)
{
	char why[AT_MSG_MAX], cleaned[AT_INPUT_MAX];
	struct at_errors e = AT_ERRORS_INIT;
	enum at_code c = asset_resolve(rq->st, rq->params[0], a, cleaned, why);

	if (c == AT_OK)
		return 0;
	at_item(&e, cleaned, c, "%s", why);
	at_fail(&e, c, "%s", why);
	web_reply_error(rq, &e);
	at_errors_free(&e);
	return -1;
}

static void get_asset(struct request *rq)
{
	struct asset a;

	if (path_asset(rq, &a) == 0)
		web_reply_json(rq, 200, asset_to_json(&a));
}

static const struct jfield asset_fields[] = {
	{ "asset_tag", JT_STRING, 1 },       { "serial_number", JT_STRING, 1 },
	{ "manufacturer", JT_STRING, 1 },    { "equipment_type", JT_STRING, 1 },
	{ "building", JT_STRING, 1 },        { "room", JT_STRING, 1 },
	{ "model", JT_STRING | JT_NULL, 0 }, { "model_code", JT_STRING | JT_NULL, 0 },
	{ "notes", JT_STRING | JT_NULL, 0 }, { "condition", JT_STRING, 0 },
	{ "slot", JT_OBJECT | JT_NULL, 0 },  { NULL, 0, 0 },
};

static const struct jfield slot_fields[] = {
	{ "case", JT_STRING, 1 },
	{ "position", JT_INT, 1 },
	{ NULL, 0, 0 },
};

static void create_asset(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in;
	struct asset a;
	json_t *slot, *j = rq->json;
	enum at_code c;

	if (check_body(rq, asset_fields) < 0)
		return;
	memset(&in, 0, sizeof(in));
	slot = json_object_get(j, "slot");
	if (json_is_object(slot)) {
		if (check_object(slot, slot_fields, "slot.", &e) < 0) {
			at_items_done(&e, e.nitems);
			web_reply_error(rq, &e);
			at_errors_free(&e);
			return;
		}
		in.slot_case = jtext(slot, "case");
		json_int_t pos = json_integer_value(json_object_get(slot, "position"));
		in.slot_position = (pos < 1 || pos > AT_MAX_SLOTS) ? -1 : (int)pos;
	}
	in.tag = jtext(j, "asset_tag");
	in.serial = jtext(j, "serial_number");
	in.manufacturer = jtext(j, "manufacturer");
	in.equipment_type = jtext(j, "equipment_type");
	in.building = jtext(j, "building");
	in.room = jtext(j, "room");
	in.model = jtext(j, "model");
	in.model_code = jtext(j, "model_code");
	in.notes = jtext(j, "notes");
	in.condition = jtext(j, "condition");
	c = asset_create(rq->st, rq->actor, &in, &a, &e);
	answer(rq, c, &e, 201, c == AT_OK ? asset_to_json(&a) : NULL);
}

static const struct jfield asset_patch_fields[] = {
	{ "asset_tag", JT_STRING, 0 },       { "serial_number", JT_STRING, 0 },
	{ "manufacturer", JT_STRING, 0 },    { "equipment_type", JT_STRING, 0 },
	{ "building", JT_STRING, 0 },        { "room", JT_STRING, 0 },
	{ "model", JT_STRING | JT_NULL, 0 }, { "model_code", JT_STRING | JT_NULL, 0 },
	{ "notes", JT_STRING | JT_NULL, 0 }, { "condition", JT_STRING, 0 },
	{ NULL, 0, 0 },
};

static void update_asset(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in;
	struct asset a;
	json_t *j = rq->json;
	enum at_code c;

	if (check_body(rq, asset_patch_fields) < 0)
		return;
	memset(&in, 0, sizeof(in));
	in.tag = jtext(j, "asset_tag");
	in.serial = jtext(j, "serial_number");
	in.manufacturer = jtext(j, "manufacturer");
	in.equipment_type = jtext(j, "equipment_type");
	in.building = jtext(j, "building");
	in.room = jtext(j, "room");
	in.model = jtext_or_clear(j, "model");
	in.model_code = jtext_or_clear(j, "model_code");
	in.notes = jtext_or_clear(j, "notes");
	in.condition = jtext(j, "condition");
	c = asset_update(rq->st, rq->actor, rq->params[0], &in, &a, &e);
	answer(rq, c, &e, 200, c == AT_OK ? asset_to_json(&a) : NULL);
}

static const struct jfield reason_fields[] = {
	{ "reason", JT_STRING, 1 },
	{ NULL, 0, 0 },
};

static void retire_asset(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct asset a;
	enum at_code c;

	if (check_body(rq, reason_fields) < 0)
		return;
	c = asset_retire(rq->st, rq->actor, rq->params[0], jtext(rq->json, "reason"), &a, &e);
	answer(rq, c, &e, 200, c == AT_OK ? asset_to_json(&a) : NULL);
}

static const struct jfield replace_fields[] = {
	{ "replacement_tag", JT_STRING, 1 },
	{ "reason", JT_STRING, 1 },
	{ "condition", JT_STRING, 0 },
	{ NULL, 0, 0 },
};

static void replace_asset(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct asset old, repl;
	enum at_code c;

	if (check_body(rq, replace_fields) < 0)
		return;
	c = asset_replace(rq->st, rq->actor, rq->params[0], jtext(rq->json, "replacement_tag"),
	                  jtext(rq->json, "reason"), jtext(rq->json, "condition"), &old, &repl,
	                  &e);
	answer(rq, c, &e, 200,
	       c == AT_OK ? json_pack("{s:o, s:o}", "replaced", asset_to_json(&old),
	                              "replacement", asset_to_json(&repl))
	                  : NULL);
}

/* ==== events ========================================================== */

static int page_event(void *ctx, const struct event *ev)
{
	struct page *p = ctx;

	return page_full(p) || page_push(p, event_to_json(ev), json_integer(ev->seq));
}

/* List events matching `f` (limit/after from the query) and reply. */
static void reply_events(struct request *rq, struct event_filter *f)
{
	struct page p = { 0 };
	const char *after = web_query(rq, "after");
	enum at_code c;

	if (query_limit(rq, &p.limit) < 0)
		return;
	if (after && text_parse_int(after, 0, INT64_MAX, &f->after_seq) < 0) {
		web_reply_fail(rq, AT_INVALID, "after must be an event seq number");
		return;
	}
	f->limit = p.limit + 1;
	p.arr = json_array();
	c = store_event_list(rq->st, f, page_event, &p);
	reply_page(rq, &p, "events", c);
}

static void asset_events(struct request *rq)
{
	struct event_filter f;
	struct asset a;

	if (path_asset(rq, &a) < 0)
		return;
	memset(&f, 0, sizeof(f));
	f.asset_tag = a.tag;
	reply_events(rq, &f);
}

static void list_events(struct request *rq)
{
	struct event_filter f;
	char since[AT_TIME_LEN + 1], why[AT_WHY_MAX], tag[AT_INPUT_MAX];
	const char *s;
	struct asset a;

	memset(&f, 0, sizeof(f));
	if ((s = web_query(rq, "asset_tag")) && *s) {
		/* A scanned tag names the canonical asset, like everywhere. */
		if (asset_resolve(rq->st, s, &a, tag, why) == AT_OK) {
			f.asset_tag = a.tag;
		} else {
			snprintf(tag, sizeof(tag), "%s", s);
			f.asset_tag = tag;
		}
	}
	if ((s = web_query(rq, "type")) && *s)
		f.type = s;
	if ((s = web_query(rq, "since")) && *s) {
		if (text_parse_time(s, since, why) < 0) {
			web_reply_fail(rq, AT_INVALID, "since: %s", why);
			return;
		}
		/* A bare date means from the start of that day. */
		if (strlen(s) == 10)
			memcpy(since + 10, "T00:00:00.000Z", 15);
		f.since = since;
	}
	reply_events(rq, &f);
}

/* ==== cases =========================================================== */

static int page_case(void *ctx, const struct case_info *c)
{
	struct page *p = ctx;

	return page_full(p) || page_push(p, case_to_json(c), json_string(c->name));
}

static void list_cases(struct request *rq)
{
	struct page p = { 0 };
	enum at_code c;

	if (query_limit(rq, &p.limit) < 0)
		return;
	p.arr = json_array();
	c = store_case_list(rq->st, web_query(rq, "after"), p.limit + 1, page_case, &p);
	reply_page(rq, &p, "cases", c);
}

static const struct jfield case_fields[] = {
	{ "name", JT_STRING, 1 },
	{ "slots", JT_INT, 1 },
	{ "building", JT_STRING | JT_NULL, 0 },
	{ "room", JT_STRING | JT_NULL, 0 },
	{ "notes", JT_STRING | JT_NULL, 0 },
	{ NULL, 0, 0 },
};

/* JSON integer as int64 for core, clamped to something core refuses. */
static int64_t jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

static void create_case(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct case_info cs;
	json_t *j = rq->json;
	enum at_code c;

	if (check_body(rq, case_fields) < 0)
		return;
	c = case_create(rq->st, rq->actor, jtext(j, "name"), jint(j, "slots"), jtext(j, "building"),
	                jtext(j, "room"), jtext(j, "notes"), &cs, &e);
	answer(rq, c, &e, 201, c == AT_OK ? case_to_json(&cs) : NULL);
}

struct slot_fill {
	json_t **by_pos;
	int n;
};

static int fill_slot(void *ctx, const struct asset *a)
{
	struct slot_fill *f = ctx;

	if (a->position >= 1 && a->position <= f->n && !f->by_pos[a->position - 1])
		f->by_pos[a->position - 1] = asset_to_json(a);
	return 0;
}

/* The case with "slots": [{"position", "asset"}...]. */
static json_t *case_with_slots(struct store *st, const struct case_info *cs)
{
	struct slot_fill fill = { calloc((size_t)cs->slot_count, sizeof(json_t *)), cs->slot_count };
	struct asset_filter f;
	json_t *o, *slots;

	if (!fill.by_pos)
		return NULL;
	memset(&f, 0, sizeof(f));
	f.case_id = cs->id;
	store_asset_list(st, &f, fill_slot, &fill);
	o = case_to_json(cs);
	slots = json_array();
	for (int i = 0; i < cs->slot_count; i++)
		json_array_append_new(slots, json_pack("{s:i, s:o}", "position", i + 1, "asset",
		                                       fill.by_pos[i] ? fill.by_pos[i] : json_null()));
	json_object_set_new(o, "slots", slots);
	free(fill.by_pos);
	return o;
}

static void get_case(struct request *rq)
{
	struct case_info cs;
	enum at_code c = store_case_by_name(rq->st, rq->params[0], &cs);

	if (c == AT_NOT_FOUND) {
		web_reply_fail(rq, AT_NOT_FOUND, "there is no case named '%s'", rq->params[0]);
		return;
	}
	if (c != AT_OK) {
		web_reply_fail(rq, c, "cannot read case: %s", store_errmsg(rq->st));
		return;
	}
	web_reply_json(rq, 200, case_with_slots(rq->st, &cs));
}

static const struct jfield case_patch_fields[] = {
	{ "slots", JT_INT, 0 },
	{ "building", JT_STRING | JT_NULL, 0 },
	{ "room", JT_STRING | JT_NULL, 0 },
	{ "notes", JT_STRING | JT_NULL, 0 },
	{ NULL, 0, 0 },
};

static void update_case(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct case_info cs;
	json_t *j = rq->json;
	enum at_code c;
	int64_t slots = 0;

	if (check_body(rq, case_patch_fields) < 0)
		return;
	if (json_object_get(j, "slots")) {
		slots = jint(j, "slots");
		if (slots < 1) {
			web_reply_fail(rq, AT_INVALID, "slots must be 1 to %d", AT_MAX_SLOTS);
			return;
		}
	}
	c = case_update(rq->st, rq->actor, rq->params[0], slots, jtext_or_clear(j, "building"),
	                jtext_or_clear(j, "room"), jtext_or_clear(j, "notes"), &cs, &e);
	answer(rq, c, &e, 200, c == AT_OK ? case_with_slots(rq->st, &cs) : NULL);
}

/* ==== slot corrections ================================================ */

static const struct jfield put_fields[] = {
	{ "asset_tag", JT_STRING, 1 },
	{ "case", JT_STRING, 1 },
	{ "position", JT_INT, 1 },
	{ NULL, 0, 0 },
};

static void slot_put_common(struct request *rq, int moving)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct asset a;
	json_t *j = rq->json;
	enum at_code c;

	if (check_body(rq, put_fields) < 0)
		return;
	c = (moving ? slot_move : slot_assign)(rq->st, rq->actor, jtext(j, "asset_tag"),
	                                       jtext(j, "case"), jint(j, "position"), &a, &e);
	if (c == AT_OK)
		web_reply_json(rq, 200, asset_to_json(&a));
	else if (e.nitems > 1)
		web_reply_batch_error(rq, &e); /* several reasons: 409/422 */
	else
		web_reply_error(rq, &e);       /* one reason: its own status */
	at_errors_free(&e);
}

static void slot_assign_h(struct request *rq)
{
	slot_put_common(rq, 0);
}

static void slot_move_h(struct request *rq)
{
	slot_put_common(rq, 1);
}

static const struct jfield vacate_fields[] = {
	{ "case", JT_STRING, 1 },
	{ "position", JT_INT, 1 },
	{ "reason", JT_STRING, 1 },
	{ NULL, 0, 0 },
};

static void slot_vacate_h(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct asset a;
	json_t *j = rq->json;
	enum at_code c;

	if (check_body(rq, vacate_fields) < 0)
		return;
	c = slot_force_vacate(rq->st, rq->actor, jtext(j, "case"), jint(j, "position"),
	                      jtext(j, "reason"), &a, &e);
	answer(rq, c, &e, 200, c == AT_OK ? asset_to_json(&a) : NULL);
}

/* ==== custody ========================================================= */

static json_t *batch_json(const struct custody_result *r)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < r->n; i++)
		json_array_append_new(arr, asset_to_json(&r->assets[i]));
	return json_pack("{s:s, s:o}", "batch_id", r->batch_id, "assets", arr);
}

static void reply_batch(struct request *rq, enum at_code c, struct custody_result *res,
                        struct at_errors *e)
{
	if (c == AT_OK)
		web_reply_json(rq, 200, batch_json(res));
	else
		web_reply_batch_error(rq, e);
	custody_result_free(res);
	at_errors_free(e);
}

static const struct jfield stock_out_fields[] = {
	{ "holder", JT_INT | JT_STRING, 1 },
	{ "asset_tags", JT_ARRAY, 1 },
	{ "due", JT_STRING | JT_NULL, 0 },
	{ NULL, 0, 0 },
};

static void stock_out(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	struct holder_ref h = { 0, NULL, 1 };
	json_t *tags = json_object_get(rq->json, "asset_tags"), *hv, *v;
	const char **list = NULL;
	size_t n, i;
	enum at_code c;

	if (check_body(rq, stock_out_fields) < 0)
		return;
	n = json_array_size(tags);
	if (n > AT_MAX_BATCH) {
		web_reply_fail(rq, AT_TOO_LARGE, "a batch holds at most %d assets, not %zu",
		               AT_MAX_BATCH, n);
		return;
	}
	json_array_foreach(tags, i, v) {
		if (!json_is_string(v))
			at_item(&e, "asset_tags", AT_INVALID, "asset_tags[%zu] must be text", i);
	}
	if (e.nitems) {
		at_items_done(&e, n);
		web_reply_error(rq, &e);
		at_errors_free(&e);
		return;
	}
	list = calloc(n ? n : 1, sizeof(*list));
	if (!list) {
		web_reply_fail(rq, AT_INTERNAL, "out of memory");
		return;
	}
	json_array_foreach(tags, i, v)
		list[i] = json_string_value(v);
	hv = json_object_get(rq->json, "holder");
	if (json_is_integer(hv))
		h.id = (int64_t)json_integer_value(hv);
	else
		h.text = json_string_value(hv);
	c = custody_stock_out(rq->st, rq->actor, h, jtext(rq->json, "due"), list, n, &res, &e);
	free(list);
	reply_batch(rq, c, &res, &e);
}

static const struct jfield stock_in_fields[] = {
	{ "items", JT_ARRAY, 1 },
	{ NULL, 0, 0 },
};

static const struct jfield stock_in_item_fields[] = {
	{ "asset_tag", JT_STRING, 1 },
	{ "case", JT_STRING | JT_NULL, 0 },
	{ "position", JT_INT | JT_NULL, 0 },
	{ NULL, 0, 0 },
};

static void stock_in(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	struct stock_in_item *items = NULL;
	json_t *arr = json_object_get(rq->json, "items"), *v;
	char prefix[48];
	size_t n, i;
	enum at_code c;

	if (check_body(rq, stock_in_fields) < 0)
		return;
	n = json_array_size(arr);
	if (n > AT_MAX_BATCH) {
		web_reply_fail(rq, AT_TOO_LARGE, "a batch holds at most %d assets, not %zu",
		               AT_MAX_BATCH, n);
		return;
	}
	items = calloc(n ? n : 1, sizeof(*items));
	if (!items) {
		web_reply_fail(rq, AT_INTERNAL, "out of memory");
		return;
	}
	json_array_foreach(arr, i, v) {
		snprintf(prefix, sizeof(prefix), "items[%zu].", i);
		if (!json_is_object(v)) {
			at_item(&e, prefix, AT_INVALID, "items[%zu] must be an object", i);
			continue;
		}
		if (check_object(v, stock_in_item_fields, prefix, &e) < 0)
			continue;
		items[i].tag = jtext(v, "asset_tag");
		items[i].case_name = jtext(v, "case");
		items[i].position = jint(v, "position");
		if (!!items[i].case_name != json_is_integer(json_object_get(v, "position")))
			at_item(&e, items[i].tag, AT_INVALID,
			        "%s: give both case and position, or neither", items[i].tag);
	}
	if (e.nitems) {
		free(items);
		at_items_done(&e, n);
		web_reply_error(rq, &e);
		at_errors_free(&e);
		return;
	}
	c = custody_stock_in(rq->st, rq->actor, items, n, &res, &e);
	free(items);
	reply_batch(rq, c, &res, &e);
}

/* ==== holders ========================================================= */

static int page_holder(void *ctx, const struct holder *h)
{
	struct page *p = ctx;

	return page_full(p) || page_push(p, holder_to_json(h), json_integer(h->id));
}

static void list_holders(struct request *rq)
{
	struct page p = { 0 };
	const char *after = web_query(rq, "after");
	int64_t after_id = 0;
	enum at_code c;

	if (query_limit(rq, &p.limit) < 0)
		return;
	if (after && text_parse_int(after, 0, INT64_MAX, &after_id) < 0) {
		web_reply_fail(rq, AT_INVALID, "after must be a holder id");
		return;
	}
	p.arr = json_array();
	c = store_holder_list(rq->st, after_id, p.limit + 1, page_holder, &p);
	reply_page(rq, &p, "holders", c);
}

static const struct jfield holder_fields[] = {
	{ "name", JT_STRING, 1 },
	{ "badge", JT_STRING | JT_NULL, 0 },
	{ "email", JT_STRING | JT_NULL, 0 },
	{ NULL, 0, 0 },
};

static void create_holder(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct holder h;
	json_t *j = rq->json;
	enum at_code c;

	if (check_body(rq, holder_fields) < 0)
		return;
	c = holder_create(rq->st, rq->actor, jtext(j, "name"), jtext(j, "badge"), jtext(j, "email"),
	                  &h, &e);
	answer(rq, c, &e, 201, c == AT_OK ? holder_to_json(&h) : NULL);
}

static int held_asset(void *ctx, const struct asset *a)
{
	json_array_append_new(ctx, asset_to_json(a));
	return 0;
}

/* Path {id}: reply 404 and return -1 if not a holder. */
static int path_holder(struct request *rq, struct holder *h)
{
	int64_t id;

	if (text_parse_int(rq->params[0], 1, INT64_MAX, &id) < 0 ||
	    store_holder_by_id(rq->st, id, h) != AT_OK) {
		web_reply_fail(rq, AT_NOT_FOUND, "there is no holder #%s", rq->params[0]);
		return -1;
	}
	return 0;
}

static json_t *holder_with_assets(struct store *st, const struct holder *h)
{
	struct asset_filter f;
	json_t *o = holder_to_json(h), *arr = json_array();

	memset(&f, 0, sizeof(f));
	f.holder_id = h->id;
	store_asset_list(st, &f, held_asset, arr);
	json_object_set_new(o, "assets", arr);
	return o;
}

static void get_holder(struct request *rq)
{
	struct holder h;

	if (path_holder(rq, &h) == 0)
		web_reply_json(rq, 200, holder_with_assets(rq->st, &h));
}

static const struct jfield holder_patch_fields[] = {
	{ "name", JT_STRING, 0 },
	{ "badge", JT_STRING | JT_NULL, 0 },
	{ "email", JT_STRING | JT_NULL, 0 },
	{ "active", JT_BOOL, 0 },
	{ NULL, 0, 0 },
};

static void update_holder(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct holder h;
	json_t *j = rq->json, *act;
	enum at_code c;

	if (check_body(rq, holder_patch_fields) < 0)
		return;
	if (path_holder(rq, &h) < 0)
		return;
	act = json_object_get(j, "active");
	c = holder_update(rq->st, rq->actor, h.id, jtext(j, "name"), jtext_or_clear(j, "badge"),
	                  jtext_or_clear(j, "email"), act ? json_is_true(act) : -1, &h, &e);
	answer(rq, c, &e, 200, c == AT_OK ? holder_with_assets(rq->st, &h) : NULL);
}

/* ==== reports and verification ======================================== */

/*
 * The custody report can list every asset in custody (30,000 at the
 * benchmark's size, 13 MB of JSON).  As one jansson tree that peaks at
 * several times the text; so each row is encoded by jansson on its own and
 * appended to the text as it comes, and only the fixed frame around the
 * rows is written here.
 */
struct report_acc {
	struct buf out;
	size_t rows;
	int failed;
};

static int report_row(void *ctx, const struct custody_row *row)
{
	struct report_acc *acc = ctx;
	json_t *o = asset_to_json(&row->asset);
	char *text;

	json_object_set_new(o, "since", row->asset.custody_since[0]
	                                        ? json_string(row->asset.custody_since)
	                                        : json_null());
	json_object_set_new(o, "overdue", json_boolean(row->overdue));
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!text || (acc->rows && buf_addc(&acc->out, ',') < 0) ||
	    buf_adds(&acc->out, text) < 0) {
		free(text);
		acc->failed = 1;
		return 1;
	}
	free(text);
	acc->rows++;
	return 0;
}

static void custody_report(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct report_acc acc = { .rows = 0, .failed = 0 };
	char as_of[AT_TIME_LEN + 1], why[AT_WHY_MAX];
	const char *s = web_query(rq, "as_of"), *ov = web_query(rq, "overdue");
	int overdue = ov && (strcmp(ov, "1") == 0 || strcmp(ov, "true") == 0);
	json_t *tail;
	char *tail_text;
	enum at_code c;

	if (s && *s && text_parse_time(s, as_of, why) < 0) {
		web_reply_fail(rq, AT_INVALID, "as_of: %s", why);
		return;
	}
	buf_init(&acc.out, 0);
	buf_adds(&acc.out, "{\"custody\":[");
	c = report_custody(rq->st, s && *s ? as_of : NULL, overdue, report_row, &acc, &e);
	if (c != AT_OK) {
		web_reply_error(rq, &e);
		goto out;
	}
	/* The rest of the object comes from jansson too: {"as_of":…,…}
	 * without its opening brace closes the frame. */
	tail = json_pack("{s:o, s:b, s:I}", "as_of", s && *s ? json_string(as_of) : json_null(),
	                 "overdue", overdue, "count", (json_int_t)acc.rows);
	tail_text = json_dumps(tail, JSON_COMPACT);
	json_decref(tail);
	if (acc.failed || !tail_text || buf_adds(&acc.out, "],") < 0 ||
	    buf_adds(&acc.out, tail_text + 1) < 0) {
		free(tail_text);
		web_reply_fail(rq, AT_INTERNAL, "out of memory building the custody report");
		goto out;
	}
	free(tail_text);
	{
		size_t len = acc.out.len;
		web_reply_owned(rq, 200, "application/json; charset=utf-8", buf_detach(&acc.out),
		                len);
	}
out:
	buf_free(&acc.out);
	at_errors_free(&e);
}

static void verify_h(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct verify_report r;
	json_t *problems;
	enum at_code c = verify_run(rq->st, &r, NULL, NULL, &e);

	if (c != AT_OK) {
		web_reply_error(rq, &e);
		at_errors_free(&e);
		verify_report_free(&r);
		return;
	}
	problems = json_array();
	for (size_t i = 0; i < r.nproblems; i++)
		json_array_append_new(problems, json_pack("{s:s, s:s}", "code", r.problems[i].code,
		                                          "message", r.problems[i].message));
	web_reply_json(rq, 200,
	               json_pack("{s:b, s:o, s:I, s:I, s:I}", "ok", r.ok, "problems", problems,
	                         "events", (json_int_t)r.events, "assets", (json_int_t)r.assets,
	                         "problems_not_shown", (json_int_t)r.dropped));
	verify_report_free(&r);
	at_errors_free(&e);
}

/* ==== import ========================================================== */

static void import_h(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct import_result res;
	const char *dry = web_query(rq, "dry_run");
	const char *ctype = web_header(rq, "Content-Type");
	int dry_run = dry && (strcmp(dry, "1") == 0 || strcmp(dry, "true") == 0);
	enum at_code c;

	if (ctype && strncasecmp(ctype, "text/csv", 8) != 0 &&
	    strncasecmp(ctype, "application/csv", 15) != 0 &&
	    strncasecmp(ctype, "text/plain", 10) != 0) {
		web_reply_fail(rq, AT_INVALID, "send the CSV as text/csv, not %s", ctype);
		return;
	}
	c = import_assets(rq->st, rq->actor, rq->body.data, rq->body.len, dry_run, &res, &e);
	if (c != AT_OK) {
		web_reply_batch_error(rq, &e);
		at_errors_free(&e);
		return;
	}
	web_reply_json(rq, dry_run ? 200 : 201,
	               json_pack("{s:b, s:s, s:I, s:I, s:s?}", "dry_run", dry_run, "format",
	                         res.format, "rows", (json_int_t)res.rows, "created",
	                         (json_int_t)res.created, "batch_id",
	                         dry_run ? NULL : res.batch_id));
	at_errors_free(&e);
}

/* ==== the route table ================================================= */

const struct route api_routes[] = {
	{ "GET", "/api/v1/assets", list_assets, ANY_ROLE, 0 },
	{ "POST", "/api/v1/assets", create_asset, ADMIN_ONLY, ROUTE_JSON_BODY },
	{ "GET", "/api/v1/assets/{}", get_asset, ANY_ROLE, 0 },
	{ "PATCH", "/api/v1/assets/{}", update_asset, ADMIN_ONLY, ROUTE_JSON_BODY },
	{ "POST", "/api/v1/assets/{}/retire", retire_asset, ADMIN_ONLY, ROUTE_JSON_BODY },
	{ "POST", "/api/v1/assets/{}/replace", replace_asset, ADMIN_ONLY, ROUTE_JSON_BODY },
	{ "GET", "/api/v1/assets/{}/events", asset_events, ANY_ROLE, 0 },
	{ "GET", "/api/v1/cases", list_cases, ANY_ROLE, 0 },
	{ "POST", "/api/v1/cases", create_case, ADMIN_ONLY, ROUTE_JSON_BODY },
	{ "GET", "/api/v1/cases/{}", get_case, ANY_ROLE, 0 },
	{ "PATCH", "/api/v1/cases/{}", update_case, ADMIN_ONLY, ROUTE_JSON_BODY },
	{ "POST", "/api/v1/slots/assign", slot_assign_h, ADMIN_ONLY, ROUTE_JSON_BODY },
	{ "POST", "/api/v1/slots/move", slot_move_h, ADMIN_ONLY, ROUTE_JSON_BODY },
	{ "POST", "/api/v1/slots/force-vacate", slot_vacate_h, ADMIN_ONLY, ROUTE_JSON_BODY },
	{ "POST", "/api/v1/custody/stock-out", stock_out, OPERATOR_UP, ROUTE_JSON_BODY },
	{ "POST", "/api/v1/custody/stock-in", stock_in, OPERATOR_UP, ROUTE_JSON_BODY },
	{ "GET", "/api/v1/holders", list_holders, ANY_ROLE, 0 },
	{ "POST", "/api/v1/holders", create_holder, ADMIN_ONLY, ROUTE_JSON_BODY },
	{ "GET", "/api/v1/holders/{}", get_holder, ANY_ROLE, 0 },
	{ "PATCH", "/api/v1/holders/{}", update_holder, ADMIN_ONLY, ROUTE_JSON_BODY },
	{ "GET", "/api/v1/events", list_events, ANY_ROLE, 0 },
	{ "GET", "/api/v1/reports/custody", custody_report, ANY_ROLE, 0 },
	{ "GET", "/api/v1/verify", verify_h, ANY_ROLE, ROUTE_OWN_TXN },
	{ "POST", "/api/v1/import/assets", import_h, ADMIN_ONLY, ROUTE_CSV_BODY },
};

const size_t api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);
