/*
 * api_events.c — /api/v1/events, verification and CSV import (the reports
 * are in api_reports.c).
 */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/asset.h"
#include "core/checkpoint.h"
#include "core/custody.h"
#include "core/encode.h"
#include "core/holder.h"
#include "core/import.h"
#include "core/place.h"
#include "core/verify.h"
#include "util/text.h"
#include "web/api.h"

/* ==== events ========================================================== */

static int page_event(void *ctx, const struct event *ev)
{
	struct page *p = ctx;

	return page_full(p) || page_push(p, event_to_json(ev), json_integer(ev->seq));
}

/* List events matching `f` (limit/after from the query) and reply. */
void reply_events(struct request *rq, struct event_filter *f)
{
	struct at_errors e = AT_ERRORS_INIT;
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
	c = read_events(rq->st, f, page_event, &p, &e);
	reply_page(rq, &p, "events", c, &e);
}

void list_events(struct request *rq)
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
		if (read_since_bound(s, since, why) < 0) {
			web_reply_fail(rq, AT_INVALID, "since: %s", why);
			return;
		}
		f.since = since;
	}
	reply_events(rq, &f);
}

/* ==== verification ================================================== */

/* GET /api/v1/verify[?since_checkpoint=1]: as `assettrack verify`, with
 * the server's signed checkpoints checked whenever their file exists. */
void verify_h(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct verify_report r;
	struct verify_opts o = { 0 };
	struct checkpoint_paths cp = { rq->cfg->checkpoints, rq->cfg->checkpoint_key, NULL };
	char paths[3][AT_PATH_MAX];
	const char *since = web_query(rq, "since_checkpoint");
	json_t *problems;
	enum at_code c;

	checkpoint_paths_default(&cp, rq->cfg->db_path, paths);
	o.since_checkpoint = since && strcmp(since, "0") != 0;
	if (o.since_checkpoint || access(cp.file, F_OK) == 0)
		o.checkpoints = &cp;
	c = verify_run_ex(rq->st, &o, &r, NULL, NULL, &e);

	if (c != AT_OK) {
		web_reply_error(rq, &e);
		at_errors_free(&e);
		verify_report_free(&r);
		return;
	}
	problems = json_array();
	for (size_t i = 0; i < r.nproblems; i++) {
		/* A tampered file may hold any bytes; the answer is UTF-8. */
		char msg[AT_MSG_MAX];
		text_utf8_repair(r.problems[i].message, msg, sizeof(msg));
		json_array_append_new(problems, json_pack("{s:s, s:s}", "code", r.problems[i].code,
		                                          "message", msg));
	}
	web_reply_json(rq, 200,
	               json_pack("{s:b, s:o, s:I, s:I, s:I, s:I, s:I, s:s?}", "ok", r.ok,
	                         "problems", problems, "events", (json_int_t)r.events, "assets",
	                         (json_int_t)r.assets, "problems_not_shown",
	                         (json_int_t)r.dropped, "checkpoints", (json_int_t)r.checkpoints,
	                         "from_seq", (json_int_t)r.from_seq, "note",
	                         r.note[0] ? r.note : NULL));
	verify_report_free(&r);
	at_errors_free(&e);
}

/* ==== import ========================================================== */

/* The repeatable options of an import from the query: map=COLUMN=DEST
 * and status=NAME=STATE[:CONDITION], in order (libmicrohttpd keeps
 * every occurrence of a key). */
#define IMPORT_QUERY_MAX 256
struct import_query {
	const char *maps[IMPORT_QUERY_MAX], *statuses[IMPORT_QUERY_MAX];
	size_t nmaps, nstatuses;
	const char *bad;                     /* a key given without a value */
	int too_many;
};

static enum MHD_Result import_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
	struct import_query *q = cls;
	int is_map = strcmp(key, "map") == 0;

	(void)kind;
	if (!is_map && strcmp(key, "status") != 0)
		return MHD_YES;
	if (!value || !*value) {
		q->bad = is_map ? "map" : "status";
		return MHD_YES;
	}
	if ((is_map ? q->nmaps : q->nstatuses) == IMPORT_QUERY_MAX) {
		q->too_many = 1;
		return MHD_YES;
	}
	if (is_map)
		q->maps[q->nmaps++] = value;
	else
		q->statuses[q->nstatuses++] = value;
	return MHD_YES;
}

/*
 * POST /api/v1/import/assets?dry_run=1&map=COLUMN=DEST&status=NAME=STATE
 * &default_room=ROOM&encoding=latin1, text/csv body: the report (200 for
 * a dry run, 201 for a real one); a refusal is the usual error (409 or
 * 422 by its rows' items) with the report beside it, {"error", "report"}.
 */
void import_h(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct import_options o;
	struct import_report rep;
	struct import_query *q;
	const char *dry = web_query(rq, "dry_run"), *enc = web_query(rq, "encoding");
	const char *ctype = web_header(rq, "Content-Type");
	int dry_run = dry && (strcmp(dry, "1") == 0 || strcmp(dry, "true") == 0);
	enum at_code c;
	json_t *body;
	int status;

	if (ctype && strncasecmp(ctype, "text/csv", 8) != 0 &&
	    strncasecmp(ctype, "application/csv", 15) != 0 &&
	    strncasecmp(ctype, "text/plain", 10) != 0) {
		web_reply_fail(rq, AT_INVALID, "send the CSV as text/csv, not %s", ctype);
		return;
	}
	if (enc && *enc && strcasecmp(enc, "latin1") != 0 && strcasecmp(enc, "utf-8") != 0 &&
	    strcasecmp(enc, "utf8") != 0) {
		web_reply_fail(rq, AT_INVALID, "encoding is utf-8 or latin1, not '%.40s'", enc);
		return;
	}
	q = calloc(1, sizeof(*q));
	if (!q) {
		web_reply_fail(rq, AT_INTERNAL, "out of memory");
		return;
	}
	MHD_get_connection_values(rq->conn, MHD_GET_ARGUMENT_KIND, import_arg, q);
	if (q->bad || q->too_many) {
		if (q->bad)
			web_reply_fail(rq, AT_INVALID, "%s= needs a value", q->bad);
		else
			web_reply_fail(rq, AT_TOO_LARGE, "at most %d map= and status= each",
			               IMPORT_QUERY_MAX);
		free(q);
		return;
	}
	memset(&o, 0, sizeof(o));
	o.dry_run = dry_run;
	o.maps = q->maps;
	o.nmaps = q->nmaps;
	o.statuses = q->statuses;
	o.nstatuses = q->nstatuses;
	o.default_room = web_query(rq, "default_room");
	o.encoding = enc && strcasecmp(enc, "latin1") == 0 ? IMPORT_LATIN1 : IMPORT_UTF8;
	o.total_bytes = rq->body.len;
	c = import_buffer(rq->st, rq->actor, &o, rq->body.data, rq->body.len, &rep, &e);
	if (c == AT_OK) {
		web_reply_json(rq, dry_run ? 200 : 201, import_report_json(&rep, NULL));
	} else {
		status = at_code_http(e.code);
		if (e.nitems && status != 413 && status < 500)
			status = web_batch_status(&e);
		body = errors_to_json(&e);
		if (body && rep.ncols)
			json_object_set_new(body, "report", import_report_json(&rep, &e));
		web_reply_json(rq, status, body);
	}
	import_report_free(&rep);
	at_errors_free(&e);
	free(q);
}
