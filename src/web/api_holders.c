/*
 * api_holders.c — /api/v1/holders.
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

/* ==== holders ========================================================= */

static int page_holder(void *ctx, const struct holder *h)
{
	struct page *p = ctx;

	return page_full(p) || page_push(p, holder_to_json(h), json_integer(h->id));
}

void list_holders(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
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
	c = read_holders(rq->st, after_id, p.limit + 1, page_holder, &p, &e);
	reply_page(rq, &p, "holders", c, &e);
}


void create_holder(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct holder h;
	json_t *j = rq->json;
	enum at_code c;

	struct jfield spec[HF__MAX + 1];

	spec_jfields(holder_fields, HF__MAX, 1, NULL, spec);
	if (check_body(rq, spec) < 0)
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
	struct at_errors e = AT_ERRORS_INIT;
	int64_t id;

	if (text_parse_int(rq->params[0], 1, INT64_MAX, &id) < 0 ||
	    read_holder(rq->st, id, h, &e) != AT_OK) {
		if (e.code != AT_NOT_FOUND && e.code != AT_OK) {
			web_reply_error(rq, &e);
			at_errors_free(&e);
			return -1;
		}
		at_errors_free(&e);
		web_reply_fail(rq, AT_NOT_FOUND, "there is no holder #%s", rq->params[0]);
		return -1;
	}
	return 0;
}

/* The holder with "assets": what they hold now; NULL with the reason in
 * `e` if that read fails. */
static json_t *holder_with_assets(struct store *st, const struct holder *h, struct at_errors *e)
{
	json_t *o = holder_to_json(h), *arr = json_array();

	json_object_set_new(o, "assets", arr);
	if (read_holder_assets(st, h->id, held_asset, arr, e) != AT_OK) {
		json_decref(o);
		return NULL;
	}
	return o;
}

void get_holder(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct holder h;
	json_t *o;

	if (path_holder(rq, &h) < 0)
		return;
	o = holder_with_assets(rq->st, &h, &e);
	answer(rq, o ? AT_OK : e.code, &e, 200, o);
}

static const struct jfield holder_patch_extra[] = {
	{ "active", JT_BOOL, 0 },
	{ NULL, 0, 0 },
};

void update_holder(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct holder h;
	json_t *j = rq->json, *act;
	enum at_code c;

	struct jfield spec[HF__MAX + 2];

	spec_jfields(holder_fields, HF__MAX, 0, holder_patch_extra, spec);
	if (check_body(rq, spec) < 0)
		return;
	if (path_holder(rq, &h) < 0)
		return;
	act = json_object_get(j, "active");
	c = holder_update(rq->st, rq->actor, h.id, jtext(j, "name"), jtext_or_clear(j, "badge"),
	                  jtext_or_clear(j, "email"), act ? json_is_true(act) : -1, &h, &e);
	if (c == AT_OK) {
		json_t *o = holder_with_assets(rq->st, &h, &e);
		answer(rq, o ? AT_OK : e.code, &e, 200, o);
		return;
	}
	answer(rq, c, &e, 200, NULL);
}
