/*
 * api_custody.c — Stock-Out and Stock-In batches.
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
#include "core/report.h"
#include "core/verify.h"
#include "util/text.h"
#include "web/api.h"

/* ==== custody ========================================================= */

/*
 * {"batch_id", "assets", "head": "SEQ:HASH"}: the head after the batch is
 * an anchor for `verify --anchor` (issue #7).  Written by core/jsonw.h,
 * the bytes json_pack() and asset_to_json() made: building, dumping and
 * freeing 500 jansson objects was a tenth of a 500-asset Stock-Out's
 * instructions (issue #9).  0, or -1 when out of memory.
 */
static int batch_text(const struct custody_result *r, struct buf *b)
{
	char head[AT_ANCHOR_MAX];

	anchor_format(&r->head, head);
	buf_adds(b, "{\"batch_id\":");
	jsonw_string(b, r->batch_id, 0);
	buf_adds(b, ",\"assets\":[");
	for (size_t i = 0; i < r->n; i++)
		if ((i && buf_addc(b, ',') < 0) || jsonw_asset(b, &r->assets[i]) < 0)
			return -1;
	buf_adds(b, "],\"head\":");
	jsonw_string(b, head, 0);
	buf_addc(b, '}');
	return b->overflow ? -1 : 0;
}

static void reply_batch(struct request *rq, enum at_code c, struct custody_result *res,
                        struct at_errors *e)
{
	struct buf b;

	buf_init(&b, 0);
	if (c != AT_OK)
		web_reply_batch_error(rq, e);
	else if (batch_text(res, &b) < 0)
		web_reply_fail(rq, AT_INTERNAL, "out of memory writing the answer");
	else
		web_reply_json_text(rq, 200, &b);
	buf_free(&b);
	custody_result_free(res);
	at_errors_free(e);
}

static const struct jfield stock_out_fields[] = {
	{ "holder", JT_INT | JT_STRING, 1 },
	{ "asset_tags", JT_ARRAY, 1 },
	{ "due", JT_STRING | JT_NULL, 0 },
	{ NULL, 0, 0 },
};

void stock_out(struct request *rq)
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

void stock_in(struct request *rq)
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
