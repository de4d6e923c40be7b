/*
 * api_assets.c — /api/v1/assets: list, scanner lookup, create, update, retire,
 * replace, history.
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
#include "core/jsonw.h"
#include "core/place.h"
#include "core/read.h"
#include "core/report.h"
#include "core/verify.h"
#include "util/text.h"
#include "core/fields.h"
#include "web/api.h"

static int page_asset(void *ctx, const struct asset *a)
{
	struct page *p = ctx;

	return page_full(p) || page_push(p, asset_to_json(a), json_string(a->tag));
}

void list_assets(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_filter f;
	struct page p = { 0 };
	const char *state = web_query(rq, "state");
	char walked[AT_TAG_MAX + 1] = "";
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
	f.walk_max = READ_WALK_MAX;
	f.walked_to = walked;
	p.arr = json_array();
	c = read_assets(rq->st, &f, page_asset, &p, &e);
	if (c == AT_OK && walked[0] && !p.more) {
		/* A search cut short by its walk: fewer than a page, and the
		 * next page goes on after the last asset read. */
		json_decref(p.cursor);
		p.cursor = json_string(walked);
		p.more = 1;
	}
	reply_page(rq, &p, "assets", c, &e);
}

/* Resolve the {tag} path parameter or reply 404/422.  `shown`: only
 * what the asset's JSON shows is read (asset_lookup). */
static int path_asset_as(struct request *rq, struct asset *a, int shown)
{
	char why[AT_MSG_MAX], cleaned[AT_INPUT_MAX];
	struct at_errors e = AT_ERRORS_INIT;
	enum at_code c = shown ? asset_lookup(rq->st, rq->params[0], a, cleaned, why)
	                       : asset_resolve(rq->st, rq->params[0], a, cleaned, why);

	if (c == AT_OK)
		return 0;
	at_item(&e, cleaned, c, "%s", why);
	at_fail(&e, c, "%s", why);
	web_reply_error(rq, &e);
	at_errors_free(&e);
	return -1;
}

static int path_asset(struct request *rq, struct asset *a)
{
	return path_asset_as(rq, a, 0);
}

/*
 * The scanner lookup, most of the server's traffic: its answer is written
 * straight into the response's buffer by core/jsonw.h, the same bytes
 * asset_to_json() and jansson would make (test_jsonw, fuzz_jsonw) at a
 * small part of the cost (bench/README.md, "Lookups").  Room for a
 * typical answer (400 to 900 bytes) is taken at once, in a block small
 * enough for malloc's per-thread cache; if the writer fails (memory),
 * the jansson path answers as before.
 */
#define ANSWER_ROOM 1000

void get_asset(struct request *rq)
{
	struct asset a;
	struct buf b;

	if (path_asset_as(rq, &a, 1) < 0)
		return;
	buf_init(&b, WEB_JSON_LIMIT);
	if (buf_reserve(&b, ANSWER_ROOM) < 0 || jsonw_asset(&b, &a) < 0) {
		buf_free(&b);
		web_reply_json(rq, 200, asset_to_json(&a));
		return;
	}
	web_reply_json_text(rq, 200, &b);
}

/*
 * The body fields of an asset, from core/fields.h: on create the required
 * ones are required; optional plain text may be null (on update: clear
 * it); tag and condition are text only.  "slot" is create's extra.
 */
static void asset_jfields(struct jfield *out, int creating)
{
	int n = 0;

	for (int i = 0; i < AF__MAX; i++) {
		const struct field_spec *f = &asset_fields[i];
		int required = (f->flags & FIELD_REQUIRED) != 0;
		out[n].name = f->name;
		out[n].types = JT_STRING | (required || (f->flags & FIELD_SPECIAL) ? 0 : JT_NULL);
		out[n].required = creating && required;
		n++;
	}
	if (creating)
		out[n++] = (struct jfield){ "slot", JT_OBJECT | JT_NULL, 0 };
	out[n++] = (struct jfield){ "attributes", JT_OBJECT, 0 };
	out[n] = (struct jfield){ NULL, 0, 0 };
}

/*
 * "attributes": {NAME: text} (on update also NAME: null, which removes
 * it; "" does the same) into `ch` (room for 2 x AT_ATTR_COUNT_MAX).  The
 * names and values are core's to check; here only their JSON types.
 * Returns 0, or -1 after replying 422 (413 for too many).
 */
static int attrs_from_json(struct request *rq, json_t *j, int updating, struct attr_change *ch,
                           size_t *n)
{
	struct at_errors e = AT_ERRORS_INIT;
	json_t *o = json_object_get(j, "attributes"), *v;
	const char *name;

	*n = 0;
	if (!o)
		return 0;
	if (json_object_size(o) > 2 * AT_ATTR_COUNT_MAX) {
		web_reply_fail(rq, AT_TOO_LARGE, "attributes: at most %d names in one request",
		               2 * AT_ATTR_COUNT_MAX);
		return -1;
	}
	json_object_foreach(o, name, v) {
		if (json_is_string(v) || (updating && json_is_null(v))) {
			ch[*n].name = name;
			ch[(*n)++].value = json_string_value(v);
		} else {
			at_item(&e, "attributes", AT_INVALID, "attributes.%.64s must be text%s", name,
			        updating ? " or null (to remove it)" : "");
		}
	}
	if (e.nitems) {
		at_items_done(&e, e.nitems);
		web_reply_error(rq, &e);
		at_errors_free(&e);
		return -1;
	}
	return 0;
}

/* The text fields of the body into `in`; on update a null optional field
 * means "clear it". */
static void asset_from_json(json_t *j, struct asset_input *in, int updating)
{
	for (int i = 0; i < AF__MAX; i++) {
		const struct field_spec *f = &asset_fields[i];
		int optional = !(f->flags & (FIELD_REQUIRED | FIELD_SPECIAL));
		*asset_input_field(in, f) = updating && optional ? jtext_or_clear(j, f->name)
		                                                 : jtext(j, f->name);
	}
}

static const struct jfield slot_fields[] = {
	{ "case", JT_STRING, 1 },
	{ "position", JT_INT, 1 },
	{ NULL, 0, 0 },
};

void create_asset(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in;
	struct jfield spec[AF__MAX + 3];
	struct attr_change attrs[2 * AT_ATTR_COUNT_MAX];
	struct asset a;
	json_t *slot, *j = rq->json;
	enum at_code c;

	asset_jfields(spec, 1);
	if (check_body(rq, spec) < 0)
		return;
	memset(&in, 0, sizeof(in));
	if (attrs_from_json(rq, j, 0, attrs, &in.nattrs) < 0)
		return;
	in.attrs = attrs;
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
	asset_from_json(j, &in, 0);
	c = asset_create(rq->st, rq->actor, &in, &a, &e);
	answer(rq, c, &e, 201, c == AT_OK ? asset_to_json(&a) : NULL);
}


void update_asset(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in;
	struct asset a;
	struct jfield spec[AF__MAX + 3];
	struct attr_change attrs[2 * AT_ATTR_COUNT_MAX];
	enum at_code c;

	asset_jfields(spec, 0);
	if (check_body(rq, spec) < 0)
		return;
	memset(&in, 0, sizeof(in));
	if (attrs_from_json(rq, rq->json, 1, attrs, &in.nattrs) < 0)
		return;
	in.attrs = attrs;
	asset_from_json(rq->json, &in, 1);
	c = asset_update(rq->st, rq->actor, rq->params[0], &in, &a, &e);
	answer(rq, c, &e, 200, c == AT_OK ? asset_to_json(&a) : NULL);
}

static const struct jfield reason_fields[] = {
	{ "reason", JT_STRING, 1 },
	{ NULL, 0, 0 },
};

void retire_asset(struct request *rq)
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

void replace_asset(struct request *rq)
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

void asset_events(struct request *rq)
{
	struct event_filter f;
	struct asset a;

	if (path_asset(rq, &a) < 0)
		return;
	memset(&f, 0, sizeof(f));
	f.asset_tag = a.tag;
	reply_events(rq, &f);
}
