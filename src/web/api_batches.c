/*
 * api_batches.c — GET /api/v1/batches/{id}: one batch read back from the
 * log (core/batch.h), the data of a custody receipt.
 */
#include <stdint.h>
#include <string.h>

#include "core/batch.h"
#include "core/encode.h"
#include "util/text.h"
#include "web/api.h"

/* {"id","name","badge"} of the batch's holder, or null. */
static json_t *batch_holder_json(const struct batch *b)
{
	if (!b->has_holder)
		return json_null();
	return json_pack("{s:I, s:s, s:s?}", "id", (json_int_t)b->holder.id, "name",
	                 b->holder.name, "badge", b->holder.badge[0] ? b->holder.badge : NULL);
}

/* The page's events as the events API writes them; NULL if memory ran
 * out. */
static json_t *batch_events_json(const struct batch *b)
{
	json_t *arr = json_array();
	struct event ev;

	for (size_t i = 0; arr && i < b->n; i++) {
		batch_line_event(b, &b->lines[i], &ev);
		if (json_array_append_new(arr, event_to_json(&ev)) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* The whole answer; NULL if memory ran out. */
static json_t *batch_json(const struct batch *b)
{
	char head[AT_ANCHOR_MAX];
	json_t *events = batch_events_json(b);

	if (!events)
		return NULL;
	anchor_format(&b->head, head);
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s?, s:I, s:s, s:o, s:o}", "batch_id",
	                 b->batch_id, "type", b->type, "at", b->at, "actor", b->actor, "holder",
	                 batch_holder_json(b), "due", b->due[0] ? b->due : NULL, "count",
	                 (json_int_t)b->count, "head", head, "events", events, "next_after",
	                 b->next_after ? json_integer(b->next_after) : json_null());
}

/*
 * GET /api/v1/batches/{id}[?limit=&after=]: {"batch_id", "type", "at",
 * "actor", "holder": {id,name,badge}|null, "due", "count", "head":
 * "SEQ:HASH", "events": [event...], "next_after": seq|null}.  Any role
 * may read it; an unknown (or malformed) id is 404 NOT_FOUND.
 */
void get_batch(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	const char *after = web_query(rq, "after");
	int64_t after_seq = 0;
	struct batch b;
	json_t *body;
	int limit;

	if (query_limit(rq, &limit) < 0)
		return;
	if (after && text_parse_int(after, 0, INT64_MAX, &after_seq) < 0) {
		web_reply_fail(rq, AT_INVALID, "after must be an event seq number");
		return;
	}
	if (read_batch(rq->st, rq->params[0], limit, after_seq, &b, &e) != AT_OK) {
		web_reply_error(rq, &e);
		at_errors_free(&e);
		return;
	}
	body = batch_json(&b);
	batch_free(&b);
	if (!body) {
		web_reply_fail(rq, AT_INTERNAL, "out of memory writing batch %s", rq->params[0]);
		return;
	}
	web_reply_json(rq, 200, body);
}
