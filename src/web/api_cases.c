/*
 * api_cases.c — /api/v1/cases and the slot corrections.
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

/* ==== cases =========================================================== */

static int page_case(void *ctx, const struct case_info *c)
{
	struct page *p = ctx;

	return page_full(p) || page_push(p, case_to_json(c), json_string(c->name));
}

void list_cases(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct page p = { 0 };
	enum at_code c;

	if (query_limit(rq, &p.limit) < 0)
		return;
	p.arr = json_array();
	c = read_cases(rq->st, web_query(rq, "after"), p.limit + 1, page_case, &p, &e);
	reply_page(rq, &p, "cases", c, &e);
}

static const struct jfield case_create_extra[] = {
	{ "slots", JT_INT, 1 },
	{ NULL, 0, 0 },
};


void create_case(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct case_info cs;
	json_t *j = rq->json;
	enum at_code c;

	struct jfield spec[CF__MAX + 2];

	spec_jfields(case_fields, CF__MAX, 1, case_create_extra, spec);
	if (check_body(rq, spec) < 0)
		return;
	c = case_create(rq->st, rq->actor, jtext(j, "name"), jint(j, "slots"), jtext(j, "building"),
	                jtext(j, "room"), jtext(j, "notes"), &cs, &e);
	answer(rq, c, &e, 201, c == AT_OK ? case_to_json(&cs) : NULL);
}

/* The case named `name` with "slots": [{"position", "asset"}...], read
 * by core in one snapshot; NULL with the reason in `e`. */
static json_t *case_with_slots(struct store *st, const char *name, struct at_errors *e)
{
	struct case_slots cs;
	json_t *o, *slots;

	if (read_case_slots(st, name, &cs, e) != AT_OK)
		return NULL;
	o = case_to_json(&cs.c);
	slots = json_array();
	for (int i = 0; i < cs.c.slot_count; i++)
		json_array_append_new(slots, json_pack("{s:i, s:o}", "position", i + 1, "asset",
		                                       cs.slot[i] ? asset_to_json(cs.slot[i])
		                                                  : json_null()));
	json_object_set_new(o, "slots", slots);
	case_slots_free(&cs);
	return o;
}

void get_case(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	json_t *o = case_with_slots(rq->st, rq->params[0], &e);

	answer(rq, o ? AT_OK : e.code, &e, 200, o);
}

/* PATCH: the case's text fields but its name (a case is not renamed),
 * and "slots" to grow it. */
static const struct jfield case_patch_extra[] = {
	{ "slots", JT_INT, 0 },
	{ NULL, 0, 0 },
};

void update_case(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct case_info cs;
	json_t *j = rq->json;
	enum at_code c;
	int64_t slots = 0;

	struct jfield spec[CF__MAX + 1];

	spec_jfields(case_fields + CF_BUILDING, CF__MAX - CF_BUILDING, 0, case_patch_extra, spec);
	if (check_body(rq, spec) < 0)
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
	if (c == AT_OK) {
		/* The change is committed; its answer is read afresh. */
		json_t *o = case_with_slots(rq->st, cs.name, &e);
		c = o ? AT_OK : e.code;
		answer(rq, c, &e, 200, o);
		return;
	}
	answer(rq, c, &e, 200, NULL);
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

void slot_assign_h(struct request *rq)
{
	slot_put_common(rq, 0);
}

void slot_move_h(struct request *rq)
{
	slot_put_common(rq, 1);
}

static const struct jfield vacate_fields[] = {
	{ "case", JT_STRING, 1 },
	{ "position", JT_INT, 1 },
	{ "reason", JT_STRING, 1 },
	{ NULL, 0, 0 },
};

void slot_vacate_h(struct request *rq)
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
