/*
 * api_reports.c — GET /api/v1/reports/...: custody, unslotted, occupancy,
 * holders/{id} (a holder's history) and retired (core/report.h).
 *
 * JSON answers a page at a time, like every list (limit, after,
 * next_after); the custody report without `limit` answers whole, as it
 * always has.  `?format=csv` answers the whole report as a CSV download
 * (text/csv, Content-Disposition with a file name), streamed a chunk of
 * rows at a time from a snapshot of its own, so 30,000 rows take no more
 * memory than 500.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/encode.h"
#include "core/holder.h"
#include "core/jsonw.h"
#include "core/report.h"
#include "util/text.h"
#include "web/api.h"

/* Rows per part of a CSV download: about 100 KB. */
#define CSV_CHUNK_ROWS 500

/* ==== shared: format, paging, CSV downloads ============================ */

/* ?format=: 1 for csv, 0 for json (the default); -1 after replying 422. */
static int want_csv(struct request *rq)
{
	const char *f = web_query(rq, "format");

	if (!f || !*f || strcmp(f, "json") == 0)
		return 0;
	if (strcmp(f, "csv") == 0)
		return 1;
	web_reply_fail(rq, AT_INVALID, "format is json or csv, not '%.40s'", f);
	return -1;
}

/* A page of report rows: rows as JSON, the last one's cursor. */
struct rpage {
	json_t *rows;
	char cursor[REPORT_CURSOR_MAX];
	int limit, n, more, failed;
};

/* Take one row (`item` stolen) unless the page is full. */
static int rpage_take(struct rpage *p, json_t *item, const char *cursor)
{
	if (p->n == p->limit) {
		p->more = 1;
		json_decref(item);
		return 1;
	}
	if (!item || json_array_append_new(p->rows, item) < 0) {
		p->failed = 1;
		return 1;
	}
	snprintf(p->cursor, sizeof(p->cursor), "%s", cursor);
	p->n++;
	return 0;
}

/* Start a page from ?limit= (default DEFAULT_LIMIT); -1 after a 422. */
static int rpage_init(struct request *rq, struct rpage *p)
{
	memset(p, 0, sizeof(p[0]));
	if (query_limit(rq, &p->limit) < 0)
		return -1;
	p->rows = json_array();
	return 0;
}

/* Reply with `body` (stolen) holding the page's rows under `key` and
 * "next_after", or with the failure `c`; frees the page and `e`. */
static void rpage_reply(struct request *rq, struct rpage *p, json_t *body, const char *key,
                        enum at_code c, struct at_errors *e)
{
	if (c == AT_OK && (p->failed || !body)) {
		c = AT_INTERNAL;
		at_fail(e, c, "out of memory building the report");
	}
	if (c != AT_OK) {
		json_decref(p->rows);
		json_decref(body);
		web_reply_error(rq, e);
		at_errors_free(e);
		return;
	}
	json_object_set_new(body, key, p->rows);
	json_object_set_new(body, "next_after", p->more ? json_string(p->cursor) : json_null());
	web_reply_json(rq, 200, body);
	at_errors_free(e);
}

/* ---- a connection of its own, for an answer streamed in parts ---- */

/*
 * A streamed report reads one snapshot from its first row to its last,
 * after the handler has returned, while the worker serves other requests
 * on its own connection: so it has a connection of its own.  Opening one
 * costs about 0.5 ms (a tenth of a 2,000-row report: the schema parsed,
 * the statements prepared), so a finished stream leaves its connection to
 * the next: a few are kept, in one pool (the handler and the parts may
 * run on different threads: web/offload.c), without their page caches
 * (4 MiB each, which a server of 64 MiB cannot keep idle), and closed
 * when the process exits.
 */
#define SPARES 2

static pthread_mutex_t spares_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t spares_once = PTHREAD_ONCE_INIT;
static struct store *spares[SPARES];
static int nspares;

static void spares_close(void)
{
	pthread_mutex_lock(&spares_mu);
	while (nspares)
		db_close(spares[--nspares]);
	pthread_mutex_unlock(&spares_mu);
}

static void spares_init(void)
{
	atexit(spares_close);
}

/* A connection (a spare, or a new one) in a read snapshot. */
static enum at_code stream_store(const char *db_path, struct store **out, struct at_errors *e)
{
	enum at_code c = AT_OK;

	pthread_once(&spares_once, spares_init);
	pthread_mutex_lock(&spares_mu);
	*out = nspares ? spares[--nspares] : NULL;
	pthread_mutex_unlock(&spares_mu);
	if (!*out)
		c = db_open(db_path, 0, out, e);
	if (c == AT_OK && (c = db_read_begin(*out, e)) != AT_OK) {
		db_close(*out);
		*out = NULL;
	}
	return c;
}

/* End its snapshot; keep it as a spare, or close it. */
static void stream_store_done(struct store *st)
{
	if (!st)
		return;
	db_read_end(st);
	db_release_memory(st);
	pthread_mutex_lock(&spares_mu);
	if (nspares < SPARES) {
		spares[nspares++] = st;
		st = NULL;
	}
	pthread_mutex_unlock(&spares_mu);
	db_close(st);
}

/* A CSV download: its own connection and snapshot, its query (with
 * copies of the texts it names) and where it stands. */
struct csv_stream {
	struct report_query q;
	char as_of[AT_TIME_LEN + 1];
	char reason[AT_REASON_MAX + 1];
	char cursor[REPORT_CURSOR_MAX];
	const char *db_path;
	struct store *st;
	int started;
};

/* The next part: the header and the first chunk of rows, then a chunk a
 * call, all from one read snapshot opened on the first call. */
static int csv_fill(void *ctx, struct buf *b)
{
	struct csv_stream *s = ctx;
	struct at_errors e = AT_ERRORS_INIT;
	enum at_code c = AT_OK;
	int end = 1;

	if (!s->started) {
		s->started = 1;
		c = stream_store(s->db_path, &s->st, &e);
		if (c == AT_OK && report_csv_header(s->q.kind, b) < 0)
			c = at_fail(&e, AT_INTERNAL, "out of memory");
	}
	if (c == AT_OK)
		c = report_csv_chunk(s->st, &s->q, s->cursor, CSV_CHUNK_ROWS, b, &end, &e);
	if (c != AT_OK) {
		fprintf(stderr, "assettrack: CSV download cut short: %s\n", e.message);
		at_errors_free(&e);
		return -1;
	}
	return end ? 0 : 1;
}

static void csv_release(void *ctx)
{
	struct csv_stream *s = ctx;

	stream_store_done(s->st);
	free(s);
}

/* Answer `q` (checked already) as a CSV download. */
static void reply_csv(struct request *rq, const struct report_query *q)
{
	struct csv_stream *s = calloc(1, sizeof(*s));
	char name[96];

	if (!s) {
		web_reply_fail(rq, AT_INTERNAL, "out of memory");
		return;
	}
	s->q = *q;
	if (q->as_of) {
		snprintf(s->as_of, sizeof(s->as_of), "%s", q->as_of);
		s->q.as_of = s->as_of;
	}
	if (q->reason) {
		snprintf(s->reason, sizeof(s->reason), "%s", q->reason);
		s->q.reason = s->reason;
	}
	s->db_path = rq->cfg->db_path;
	report_csv_filename(q, name, sizeof(name));
	web_reply_download(rq, "text/csv; charset=utf-8", name, csv_fill, csv_release, s);
}

/* ==== custody ========================================================= */

/*
 * The whole custody report, {"custody": [every row], "as_of", "overdue",
 * "count"}: 30,000 rows are 13 MB of JSON at the benchmark's size, so it
 * is streamed, CUSTODY_CHUNK_ROWS rows a part, from one snapshot of a
 * connection of its own (stream_store): its memory is one part's, however
 * many rows.  Rows are written by custody_row_text (the bytes jansson
 * wrote, a fifth of the instructions: issue #9).  The handler writes the
 * first part, so a report that cannot be read still answers with its
 * error and status; one that fits in it holds no connection after.
 */
#define CUSTODY_CHUNK_ROWS 500

struct custody_stream {
	char as_of[AT_TIME_LEN + 1];       /* "" now */
	int overdue;
	char cursor[REPORT_CURSOR_MAX];    /* the last row written */
	struct store *st;
	struct buf *b;                     /* the part being written */
	size_t rows;                       /* written, in all */
	int n;                             /* in this part */
	int more, failed;
	struct buf first;                  /* the handler's part, until sent */
};

static int stream_row(void *ctx, const struct custody_row *row)
{
	struct custody_stream *s = ctx;

	if (s->n == CUSTODY_CHUNK_ROWS) {
		s->more = 1;
		return 1;
	}
	if ((s->rows && buf_addc(s->b, ',') < 0) || custody_row_text(s->b, row) < 0) {
		s->failed = 1;
		return 1;
	}
	memcpy(s->cursor, row->cursor, strlen(row->cursor) + 1);
	s->rows++;
	s->n++;
	return 0;
}

/* Append the next part to `b`: rows after the cursor, and after the last
 * of them the end of the answer.  1 more to come, 0 done; on a failure
 * `e` says why. */
static int custody_part(struct custody_stream *s, struct buf *b, struct at_errors *e)
{
	enum at_code c;

	s->b = b;
	s->n = 0;
	s->more = 0;
	c = report_custody_from(s->st, s->as_of[0] ? s->as_of : NULL, s->overdue,
	                        s->rows ? s->cursor : NULL, stream_row, s, e);
	if (c == AT_OK && s->failed)
		c = at_fail(e, AT_INTERNAL, "out of memory writing the custody report");
	if (c != AT_OK)
		return -1;
	if (s->more)
		return 1;
	buf_adds(b, "],\"as_of\":");
	if (s->as_of[0])
		jsonw_string(b, s->as_of, 0);
	else
		buf_adds(b, "null");
	buf_printf(b, ",\"overdue\":%s,\"count\":%zu}", s->overdue ? "true" : "false", s->rows);
	if (!b->overflow)
		return 0;
	at_fail(e, AT_INTERNAL, "out of memory writing the custody report");
	return -1;
}

static void custody_stream_free(struct custody_stream *s)
{
	stream_store_done(s->st);
	buf_free(&s->first);
	free(s);
}

static int custody_fill(void *ctx, struct buf *b)
{
	struct custody_stream *s = ctx;
	struct at_errors e = AT_ERRORS_INIT;
	int r;

	if (s->first.len) {
		/* The handler's part (swapped in, not copied); the next when MHD
		 * asks again. */
		struct buf t = *b;
		*b = s->first;
		s->first = t;
		buf_reset(&s->first);
		return 1;
	}
	r = custody_part(s, b, &e);
	if (r < 0)
		fprintf(stderr, "assettrack: custody report cut short: %s\n", e.message);
	at_errors_free(&e);
	return r;
}

static void custody_release(void *ctx)
{
	custody_stream_free(ctx);
}

static void custody_whole(struct request *rq, const char *as_of, int overdue)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_stream *s = calloc(1, sizeof(*s));
	size_t len;
	int r;

	if (!s) {
		web_reply_fail(rq, AT_INTERNAL, "out of memory");
		return;
	}
	snprintf(s->as_of, sizeof(s->as_of), "%s", as_of ? as_of : "");
	s->overdue = overdue;
	buf_init(&s->first, 0);
	buf_adds(&s->first, "{\"custody\":[");
	if (stream_store(rq->cfg->db_path, &s->st, &e) != AT_OK ||
	    (r = custody_part(s, &s->first, &e)) < 0) {
		web_reply_error(rq, &e);
		custody_stream_free(s);
		at_errors_free(&e);
		return;
	}
	if (r == 0) {
		/* All of it in the first part: answered from memory. */
		len = s->first.len;
		web_reply_owned(rq, 200, "application/json; charset=utf-8", buf_detach(&s->first),
		                len);
		custody_stream_free(s);
		return;
	}
	web_reply_download(rq, "application/json; charset=utf-8", NULL, custody_fill,
	                   custody_release, s);
}

static int custody_page_row(void *ctx, const struct custody_row *row)
{
	return rpage_take(ctx, custody_row_json(row), row->cursor);
}

/* GET /api/v1/reports/custody?as_of=&overdue=&limit=&after=&format= */
void report_custody_h(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct report_query q = { .kind = REPORT_CUSTODY };
	struct rpage p;
	char as_of[AT_TIME_LEN + 1], why[AT_WHY_MAX];
	const char *s = web_query(rq, "as_of"), *ov = web_query(rq, "overdue");
	const char *after = web_query(rq, "after");
	int csv = want_csv(rq);
	enum at_code c;

	if (csv < 0)
		return;
	if (s && *s && text_parse_time(s, as_of, why) < 0) {
		web_reply_fail(rq, AT_INVALID, "as_of: %s", why);
		return;
	}
	q.as_of = s && *s ? as_of : NULL;
	q.overdue_only = ov && (strcmp(ov, "1") == 0 || strcmp(ov, "true") == 0);
	if (csv) {
		reply_csv(rq, &q);
		return;
	}
	if (!web_query(rq, "limit") && !(after && *after)) {
		custody_whole(rq, q.as_of, q.overdue_only);
		return;
	}
	if (rpage_init(rq, &p) < 0)
		return;
	c = report_custody_from(rq->st, q.as_of, q.overdue_only, after, custody_page_row, &p, &e);
	rpage_reply(rq, &p,
	            json_pack("{s:o, s:b}", "as_of", q.as_of ? json_string(q.as_of) : json_null(),
	                      "overdue", q.overdue_only),
	            "custody", c, &e);
}

/* ==== unslotted ======================================================= */

static int unslotted_page_row(void *ctx, const struct unslotted_row *row)
{
	return rpage_take(ctx, unslotted_row_json(row), row->cursor);
}

/* GET /api/v1/reports/unslotted?limit=&after=&format= */
void report_unslotted_h(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct report_query q = { .kind = REPORT_UNSLOTTED };
	struct rpage p;
	int csv = want_csv(rq);
	enum at_code c;

	if (csv < 0)
		return;
	if (csv) {
		reply_csv(rq, &q);
		return;
	}
	if (rpage_init(rq, &p) < 0)
		return;
	c = report_unslotted(rq->st, web_query(rq, "after"), unslotted_page_row, &p, &e);
	rpage_reply(rq, &p, json_pack("{s:I}", "count", (json_int_t)report_unslotted_count(rq->st)),
	            "unslotted", c, &e);
}

/* ==== occupancy ======================================================= */

static int occupancy_page_row(void *ctx, const struct occupancy_row *row)
{
	return rpage_take(ctx, occupancy_row_json(row), row->cursor);
}

/* GET /api/v1/reports/occupancy?limit=&after=&format= */
void report_occupancy_h(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct report_query q = { .kind = REPORT_OCCUPANCY };
	struct occupancy_totals t;
	struct rpage p;
	int csv = want_csv(rq);
	enum at_code c;

	if (csv < 0)
		return;
	if (csv) {
		reply_csv(rq, &q);
		return;
	}
	if (rpage_init(rq, &p) < 0)
		return;
	c = report_occupancy(rq->st, web_query(rq, "after"), occupancy_page_row, &p, &e);
	if (c == AT_OK)
		c = report_occupancy_totals(rq->st, &t, &e);
	rpage_reply(rq, &p,
	            c != AT_OK ? json_object()
	                       : json_pack("{s:{s:I, s:I, s:I, s:I, s:i}}", "totals", "cases",
	                                   (json_int_t)t.cases, "slots", (json_int_t)t.slots,
	                                   "occupied", (json_int_t)t.occupied, "empty",
	                                   (json_int_t)t.empty, "percent", t.percent),
	            "cases", c, &e);
}

/* ==== a holder's history ============================================== */

static int holding_page_row(void *ctx, const struct holding_row *row)
{
	return rpage_take(ctx, holding_row_json(row), row->cursor);
}

/* The holder {id} names (an id or a badge); -1 after replying. */
static int path_holder(struct request *rq, struct holder *h)
{
	char why[AT_MSG_MAX];
	enum at_code c = holder_resolve(rq->st, rq->params[0], h, why);

	if (c == AT_OK)
		return 0;
	web_reply_fail(rq, c, "%s", why);
	return -1;
}

/* GET /api/v1/reports/holders/{id|badge}?limit=&after=&format= */
void report_holder_h(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct report_query q = { .kind = REPORT_HOLDINGS };
	struct holder_totals t;
	struct holder h;
	struct rpage p;
	json_t *body = NULL;
	int csv = want_csv(rq);
	enum at_code c;

	if (csv < 0 || path_holder(rq, &h) < 0)
		return;
	q.holder_id = h.id;
	if (csv) {
		reply_csv(rq, &q);
		return;
	}
	if (rpage_init(rq, &p) < 0)
		return;
	c = report_holder_history(rq->st, h.id, web_query(rq, "after"), holding_page_row, &p, &e);
	if (c == AT_OK)
		c = report_holder_totals(rq->st, h.id, &t, &e);
	if (c == AT_OK)
		body = json_pack("{s:o, s:{s:I, s:I, s:I, s:I}}", "holder", holder_to_json(&h),
		                 "totals", "periods", (json_int_t)t.periods, "held",
		                 (json_int_t)t.held, "late", (json_int_t)t.late, "overdue",
		                 (json_int_t)t.overdue);
	rpage_reply(rq, &p, body, "history", c, &e);
}

/* ==== retired ========================================================= */

static int retired_page_row(void *ctx, const struct retired_row *row)
{
	return rpage_take(ctx, retired_row_json(row), row->cursor);
}

/* How many reasons the answer lists at most (totals.reasons says all). */
#define REASONS_MAX 1000

static int add_reason(void *ctx, const char *reason, int64_t n)
{
	json_t *arr = ctx;

	return json_array_append_new(arr, json_pack("{s:s?, s:I}", "reason", reason, "count",
	                                             (json_int_t)n)) < 0;
}

/* GET /api/v1/reports/retired?reason=&limit=&after=&format= */
void report_retired_h(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct report_query q = { .kind = REPORT_RETIRED };
	struct retired_totals t;
	struct rpage p;
	const char *reason = web_query(rq, "reason");
	json_t *reasons = NULL, *body = NULL;
	int csv = want_csv(rq);
	enum at_code c;

	if (csv < 0)
		return;
	q.reason = reason && *reason ? reason : NULL;
	if (q.reason && strlen(q.reason) > AT_REASON_MAX) {
		web_reply_fail(rq, AT_INVALID, "reason: at most %d bytes", AT_REASON_MAX);
		return;
	}
	if (csv) {
		reply_csv(rq, &q);
		return;
	}
	if (rpage_init(rq, &p) < 0)
		return;
	c = report_retired(rq->st, q.reason, web_query(rq, "after"), retired_page_row, &p, &e);
	if (c == AT_OK && (reasons = json_array()) != NULL)
		c = report_retired_reasons(rq->st, REASONS_MAX, add_reason, reasons, &e);
	if (c == AT_OK)
		c = report_retired_totals(rq->st, &t, &e);
	if (c == AT_OK)
		body = json_pack("{s:O, s:{s:I, s:I}, s:s?}", "reasons", reasons, "totals",
		                 "assets", (json_int_t)t.assets, "reasons", (json_int_t)t.reasons,
		                 "reason", q.reason);
	json_decref(reasons);
	rpage_reply(rq, &p, body, "retired", c, &e);
}
