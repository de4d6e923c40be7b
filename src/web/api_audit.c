/*
 * api_audit.c — physical audits (SPEC §5, §7):
 *
 *   POST /api/v1/audits              {case|holder, scans: [...], save?}  the answer
 *   GET  /api/v1/audits              ?stale_days=&after=&limit=  cases, last audits
 *   GET  /api/v1/audits/{seq}        a saved audit
 *   POST /api/v1/audits/{seq}/apply  {corrections: [id...]}  (admin)
 *
 * An audit that ran answers 200 with its findings, missing and unexpected
 * assets included; only a refusal (no such case, too many scans, a bad
 * body) is an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "util/text.h"
#include "web/api.h"

static const struct jfield audit_fields[] = {
	{ "case", JT_STRING, 0 },
	{ "holder", JT_INT | JT_STRING, 0 },
	{ "scans", JT_ARRAY, 1 },
	{ "save", JT_BOOL, 0 },
	{ NULL, 0, 0 },
};

/* The scans as C strings (borrowed from the body); NULL after replying
 * with the refusal. */
static const char **scan_list(struct request *rq, json_t *arr, size_t *n)
{
	struct at_errors e = AT_ERRORS_INIT;
	const char **list;
	json_t *v;
	size_t i;

	*n = json_array_size(arr);
	if (*n > AT_AUDIT_MAX_SCANS) {
		web_reply_fail(rq, AT_TOO_LARGE, "an audit takes at most %d scans, not %zu",
		               AT_AUDIT_MAX_SCANS, *n);
		return NULL;
	}
	json_array_foreach(arr, i, v)
		if (!json_is_string(v))
			at_item(&e, "scans", AT_INVALID, "scans[%zu] must be text", i);
	if (e.nitems) {
		at_items_done(&e, *n);
		web_reply_error(rq, &e);
		at_errors_free(&e);
		return NULL;
	}
	list = calloc(*n ? *n : 1, sizeof(*list));
	if (!list) {
		web_reply_fail(rq, AT_INTERNAL, "out of memory");
		return NULL;
	}
	json_array_foreach(arr, i, v)
		list[i] = json_string_value(v);
	return list;
}

/* POST /api/v1/audits: audit a case or a holder; saved when save is
 * true.  An audit that is not saved reads from one snapshot. */
void create_audit(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct audit_result r;
	json_t *hv = json_object_get(rq->json, "holder");
	const char *cname = jtext(rq->json, "case");
	int save = json_is_true(json_object_get(rq->json, "save"));
	struct holder_ref h = { 0, NULL, 1 };
	const char **scans;
	size_t n;
	enum at_code c;

	if (check_body(rq, audit_fields) < 0)
		return;
	if (!cname == !hv) {
		web_reply_fail(rq, AT_INVALID, "give either case (a case audit) or holder (a holder "
		               "audit)");
		return;
	}
	if (!(scans = scan_list(rq, json_object_get(rq->json, "scans"), &n)))
		return;
	if (json_is_integer(hv))
		h.id = (int64_t)json_integer_value(hv);
	else
		h.text = json_string_value(hv);
	c = save ? AT_OK : db_read_begin(rq->st, &e);
	if (c == AT_OK)
		c = cname ? audit_run(rq->st, rq->actor, cname, scans, n, save, &r, &e)
		          : audit_holder(rq->st, rq->actor, h, scans, n, save, &r, &e);
	if (!save)
		db_read_end(rq->st);
	free(scans);
	answer(rq, c, &e, 200, c == AT_OK ? audit_to_json(&r) : NULL);
	if (c == AT_OK)
		audit_result_free(&r);
}

/* The {seq} of the path, or 0 after replying 404. */
static int64_t path_seq(struct request *rq)
{
	int64_t seq;

	if (text_parse_int(rq->params[0], 1, INT64_MAX, &seq) == 0)
		return seq;
	web_reply_fail(rq, AT_NOT_FOUND, "'%.40s' is not an audit: audits are named by their "
	               "event's seq", rq->params[0]);
	return 0;
}

/* GET /api/v1/audits/{seq}: a saved audit, as it was answered. */
void get_audit(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct audit_result r;
	int64_t seq = path_seq(rq);
	enum at_code c;

	if (!seq)
		return;
	c = audit_get(rq->st, seq, &r, &e);
	answer(rq, c, &e, 200, c == AT_OK ? audit_to_json(&r) : NULL);
	if (c == AT_OK)
		audit_result_free(&r);
}

static const struct jfield apply_fields[] = {
	{ "corrections", JT_ARRAY, 1 },
	{ NULL, 0, 0 },
};

/* POST /api/v1/audits/{seq}/apply: the chosen corrections, all or none. */
void apply_audit(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct audit_applied out;
	json_t *arr = json_object_get(rq->json, "corrections"), *v;
	char head[AT_ANCHOR_MAX];
	int64_t seq = path_seq(rq);
	int *ids = NULL;
	size_t n, i;
	enum at_code c;

	if (!seq || check_body(rq, apply_fields) < 0)
		return;
	n = json_array_size(arr);
	if (n > AT_MAX_BATCH) {
		web_reply_fail(rq, AT_TOO_LARGE, "at most %d corrections at a time, not %zu",
		               AT_MAX_BATCH, n);
		return;
	}
	json_array_foreach(arr, i, v)
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 1000000)
			at_item(&e, "corrections", AT_INVALID,
			        "corrections[%zu] must be a correction id (a whole number)", i);
	if (e.nitems || !(ids = calloc(n ? n : 1, sizeof(*ids)))) {
		if (!e.nitems)
			at_fail(&e, AT_INTERNAL, "out of memory");
		at_items_done(&e, n);
		web_reply_error(rq, &e);
		at_errors_free(&e);
		return;
	}
	json_array_foreach(arr, i, v)
		ids[i] = (int)json_integer_value(v);
	c = audit_apply(rq->st, rq->actor, seq, ids, n, &out, &e);
	free(ids);
	if (c != AT_OK) {
		web_reply_batch_error(rq, &e);
		at_errors_free(&e);
		return;
	}
	anchor_format(&out.head, head);
	web_reply_json(rq, 200, json_pack("{s:I, s:s, s:i, s:i, s:s}", "audit_seq", (json_int_t)seq,
	                                  "batch_id", out.batch_id, "applied", (int)out.napplied,
	                                  "events", (int)out.nevents, "head", head));
	at_errors_free(&e);
}

static int summary_item(void *ctx, const struct audit_summary *s)
{
	struct page *p = ctx;

	if (page_full(p))
		return 1;
	return page_push(p, audit_summary_to_json(s), json_string(s->case_name));
}

/* GET /api/v1/audits?stale_days=N&after=NAME&limit=N: cases by name with
 * their last audit; stale_days keeps those not audited in that many. */
void list_audits(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	const char *stale = web_query(rq, "stale_days"), *after = web_query(rq, "after");
	struct page p = { json_array(), NULL, 0, 0, 0 };
	int64_t days = -1;
	enum at_code c;

	if (query_limit(rq, &p.limit) < 0) {
		json_decref(p.arr);
		return;
	}
	if (stale && text_parse_int(stale, 0, 100000, &days) < 0) {
		json_decref(p.arr);
		web_reply_fail(rq, AT_INVALID, "stale_days must be a whole number from 0 to 100000");
		return;
	}
	c = audit_cases(rq->st, after && *after ? after : NULL, (int)days, p.limit + 1,
	                summary_item, &p, &e);
	reply_page(rq, &p, "cases", c, &e);
}
