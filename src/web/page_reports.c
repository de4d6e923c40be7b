/*
 * page_reports.c — the custody report (/reports/custody) and the event
 * log (/events), each filtered by a GET form.
 *
 * Both lists can be long (30,000 assets in custody, a million events), so
 * rows are written into the page as core hands them over and nothing is
 * kept per row.  The custody report shows overdue rows first: core orders
 * by tag, so it is read twice, overdue rows on the first pass and the rest
 * on the second, rather than sorting a copy of the whole report.
 */
#include "web/page.h"

#include <stdio.h>
#include <string.h>

#include "core/asset.h"
#include "core/report.h"
#include "util/text.h"

/* Every event type (SPEC §2), as the Type filter offers them. */
static const char *const event_types[] = {
	"ASSET_CREATED", "ASSET_UPDATED", "ASSET_RETIRED", "CASE_CREATED", "CASE_RESIZED",
	"HOLDER_CREATED", "HOLDER_UPDATED", "SLOT_ASSIGN", "SLOT_MOVE", "FORCE_VACATE",
	"STOCK_OUT", "STOCK_IN", "ASSET_REPLACED", "AUDIT_RECORDED",
};
#define N_EVENT_TYPES (sizeof(event_types) / sizeof(event_types[0]))

#define EVENTS_PER_PAGE 100

/* The value of query argument `name`, or NULL when absent or empty. */
static const char *query(struct request *rq, const char *name)
{
	const char *v = web_query(rq, name);

	return v && *v ? v : NULL;
}

/* Open <div class=col-...> for one filter field; close with html_close. */
static void filter_col(struct pg *p, const char *cls)
{
	html_open(&p->h, "div", "class", cls, HTML_END);
}

/* ==== custody report ==================================================== */

/* Rows per page: 30,000 rows would be a 14 MB page that no browser
 * shows well, and 140 ms at the server. */
#define CUSTODY_PER_PAGE 250

/* One pass over the report: renders the rows whose overdue flag is
 * `want_overdue`; the table is opened by the first row of either pass.
 * A full page stops the pass and remembers where the next one starts. */
struct custody_view {
	struct pg *p;
	int want_overdue;
	int table_open, tbody_open;
	size_t shown, overdue;
	int more;                          /* a row beyond this page exists */
	char last_tag[AT_TAG_MAX + 1];     /* of the last row shown */
	int last_phase;                    /* its pass (want_overdue) */
	int all;                           /* one pass, every row (as of) */
};

/*
 * The report's columns.  On a phone the row keeps what the report is for
 * (what, who, due, overdue); since when and the slot it left appear from
 * tablet width (and on the asset's page, which the tag links to).
 */
static const struct page_col custody_cols[] = {
	{ "Asset tag", "text-nowrap" },
	{ "Holder", NULL },
	{ "Since", "d-none d-md-table-cell" },
	{ "Due", "text-nowrap" },
	{ "Overdue", NULL },
	{ "Slot it left", "d-none d-sm-table-cell text-nowrap" },
};
#define N_CUSTODY_COLS (sizeof(custody_cols) / sizeof(custody_cols[0]))

/* Open the report's table and its header row (the passes open tbody). */
static void custody_table_open(struct pg *p)
{
	page_table_open(p, "custody", "custody-report", custody_cols, N_CUSTODY_COLS);
	html_close(&p->h); /* each pass opens its own tbody */
}

/* One report row: overdue rows are tinted and badged. */
static void custody_row_html(struct pg *p, const struct custody_row *row)
{
	struct html *h = &p->h;
	const struct asset *a = &row->asset;

	html_open(h, "tr", "class", row->overdue ? "table-danger" : NULL, HTML_END);
	html_open(h, "th", "scope", "row", "class", custody_cols[0].cls, HTML_END);
	page_link(p, "/assets/", a->tag, a->tag);
	html_close(h);
	html_open(h, "td", HTML_END);
	page_holder_link(p, a->holder_id, a->holder_name);
	html_close(h);
	html_open(h, "td", "class", custody_cols[2].cls, HTML_END);
	page_time(p, a->custody_since);
	html_close(h);
	html_elem(h, "td", a->due[0] ? a->due : "—", "class", custody_cols[3].cls, HTML_END);
	html_open(h, "td", HTML_END);
	if (row->overdue)
		html_elem(h, "span", "Overdue", "class", "badge text-bg-danger", HTML_END);
	else
		html_elem(h, "span", "No", "class", "text-muted", HTML_END);
	html_close(h);
	html_open(h, "td", "class", custody_cols[5].cls, HTML_END);
	page_slot_link(p, a->last_case_name, a->last_position);
	html_close(h);
	html_close(h);
}

static int custody_cb(void *ctx, const struct custody_row *row)
{
	struct custody_view *v = ctx;

	if (!v->all && !row->overdue != !v->want_overdue)
		return 0;
	if (v->shown >= CUSTODY_PER_PAGE) {
		v->more = 1;
		return 1;
	}
	if (!v->table_open) {
		custody_table_open(v->p);
		v->table_open = 1;
	}
	if (!v->tbody_open) {
		html_open(&v->p->h, "tbody", "class",
		          v->all ? NULL : v->want_overdue ? "overdue" : "on-time", HTML_END);
		v->tbody_open = 1;
	}
	custody_row_html(v->p, row);
	snprintf(v->last_tag, sizeof(v->last_tag), "%s", row->asset.tag);
	v->last_phase = v->want_overdue;
	v->shown++;
	v->overdue += row->overdue != 0;
	/* Past the page's size cap nothing more is written: stop reading. */
	return v->p->h.failed;
}

/* The filter form, keeping what was asked. */
static void custody_form(struct pg *p, int overdue, const char *as_of, const char *err)
{
	page_getform_open(p, "/reports/custody");
	html_open(&p->h, "div", "class", "row g-3 align-items-end", HTML_END);
	filter_col(p, "col-12 col-sm-7 col-md-5 col-lg-4");
	page_field(p, "as_of", "As of", as_of, "Up to the end of that day (UTC); empty: now",
	           err, F_DATE);
	html_close(&p->h);
	/* Lifted so the box sits level with the date field, not its bottom. */
	filter_col(p, "col-auto pb-2");
	page_checkbox(p, "overdue", "Overdue only", overdue, NULL);
	html_close(&p->h);
	filter_col(p, "col-auto mb-3");
	page_button(p, "Show report", NULL, NULL, "primary");
	if (overdue || as_of) {
		html_text(&p->h, " ");
		html_elem(&p->h, "a", "Clear filters", "href", "/reports/custody",
		          "class", "btn btn-link", HTML_END);
	}
	html_close(&p->h);
	html_close(&p->h);
	html_close(&p->h);
}

/* "as of" words for the title: the date as typed, or the time shown the
 * way page_time shows it. */
static void as_of_words(const char *typed, const char *canon, char *out, size_t cap)
{
	if (strlen(typed) == 10)
		snprintf(out, cap, "%s", typed);
	else
		snprintf(out, cap, "%.10s %.5s UTC", canon, canon + 11);
}

/* The rows on this page and what they mean, under the table; with the
 * totals when they are cheap to know (now, not as of a past instant). */
static void custody_summary(struct pg *p, const struct custody_view *v, int overdue_only,
                            int past, int first_page)
{
	struct html *h = &p->h;
	struct request *rq = p->rq;

	if (!v->table_open) {
		page_notice(p, "info", NULL,
		            !first_page ? "No more rows."
		            : overdue_only ? (past ? "No asset was overdue then."
		                                   : "No asset is overdue.")
		                           : (past ? "No asset was in custody then."
		                                   : "No asset is in custody."));
		return;
	}
	html_open(h, "p", "class", "fw-semibold", "id", "report-count", HTML_END);
	html_textf(h, "%zu %s shown", v->shown, v->shown == 1 ? "asset" : "assets");
	if (!overdue_only)
		html_textf(h, ", %zu overdue", v->overdue);
	if (v->more || !first_page)
		html_text(h, " on this page");
	html_text(h, ".");
	if (!past && (v->more || !first_page)) {
		long long total = read_asset_count(rq->st, 1, ASSET_IN_CUSTODY);
		long long late = read_overdue_count(rq->st);
		html_textf(h, " In all: %lld in custody, %lld overdue.", total, late);
	}
	html_close(h);
}

/* "Next N rows" with the filters kept and the cursor "o:TAG" (overdue
 * section) or "r:TAG" (the rest). */
static void custody_next_link(struct pg *p, const char *as_of, int overdue, char phase,
                              const char *tag)
{
	char url[1024] = "/reports/custody?", first[1024], from[AT_TAG_MAX + 3];

	page_url_add(url, sizeof(url), "as_of", as_of);
	page_url_add(url, sizeof(url), "overdue", overdue ? "1" : NULL);
	snprintf(first, sizeof(first), "%s", url);
	snprintf(from, sizeof(from), "%c:%s", phase, tag);
	page_url_add(url, sizeof(url), "from", from);
	html_open(&p->h, "nav", "aria-label", "Report pages", "class", "mb-3", HTML_END);
	html_elem(&p->h, "a", "Next page", "href", url, "class", "btn btn-outline-secondary",
	          "rel", "next", HTML_END);
	html_text(&p->h, " ");
	html_elem(&p->h, "a", "First page", "href", first, "class", "btn btn-link", HTML_END);
	html_close(&p->h);
}

void page_report_custody(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_view v = { 0 };
	char canon[AT_TIME_LEN + 1], why[AT_WHY_MAX], title[96], words[40];
	const char *as_of = query(rq, "as_of"), *ov = query(rq, "overdue");
	const char *from = query(rq, "from"), *after = NULL;
	int overdue = ov && strcmp(ov, "0") != 0, start_phase = 1;
	struct pg p;
	enum at_code c = AT_OK;

	if (as_of && text_parse_time(as_of, canon, why) < 0) {
		at_item(&e, "as_of", AT_INVALID, "As of: %s", why);
		at_items_done(&e, 1);
	}
	if (as_of && e.code == AT_OK) {
		as_of_words(as_of, canon, words, sizeof(words));
		snprintf(title, sizeof(title), "Custody report as of %s", words);
	} else {
		snprintf(title, sizeof(title), "Custody report");
	}
	page_begin(&p, rq, title);
	page_error_summary(&p, &e, (const char *const[]){ "as_of", NULL });
	custody_form(&p, overdue, as_of, page_field_error(&e, "as_of"));
	if (e.code != AT_OK)
		goto out;
	v.p = &p;
	if (as_of) {
		/* As of a past instant, in tag order with each overdue row
		 * marked: putting overdue rows first would mean reading every
		 * asset's history before the first row (?from=a:TAG). */
		v.all = 1;
		v.want_overdue = overdue;
		if (from && from[0] == 'a' && from[1] == ':' && from[2])
			after = from + 2;
		c = report_custody_after(rq->st, canon, overdue, after, custody_cb, &v, &e);
		if (v.tbody_open)
			html_close(&p.h);
		v.tbody_open = 0;
	}
	/* Now: overdue rows first, then (unless only those are wanted) the
	 * rest; ?from=o:TAG or r:TAG says where this page starts. */
	if (!as_of && from && (from[0] == 'o' || from[0] == 'r') && from[1] == ':') {
		start_phase = from[0] == 'o' ? 1 : 0;
		after = from[2] ? from + 2 : NULL;
	}
	for (v.want_overdue = start_phase;
	     !as_of && v.want_overdue >= (overdue ? 1 : 0) && c == AT_OK; v.want_overdue--) {
		c = report_custody_after(rq->st, NULL, v.want_overdue,
		                         v.want_overdue == start_phase ? after : NULL, custody_cb,
		                         &v, &e);
		if (v.tbody_open)
			html_close(&p.h);
		v.tbody_open = 0;
		if (v.more)
			break;
	}
	if (v.table_open) {
		html_close(&p.h); /* table */
		html_close(&p.h); /* div */
	}
	if (c != AT_OK) {
		buf_free(&p.b);
		page_refusal(rq, &e);
		at_errors_free(&e);
		return;
	}
	custody_summary(&p, &v, overdue, as_of != NULL, from == NULL);
	/* A page that ends exactly at the end of the overdue section still
	 * offers the rest. */
	if (v.more && as_of)
		custody_next_link(&p, as_of, overdue, 'a', v.last_tag);
	else if (v.more)
		custody_next_link(&p, as_of, overdue, v.want_overdue ? 'o' : 'r',
		                  v.last_phase == v.want_overdue ? v.last_tag : "");
out:
	page_end(&p, e.code == AT_OK ? 200 : at_code_http(e.code));
	at_errors_free(&e);
}

/* ==== event log ======================================================== */

/* The event log's filters: as typed, and as checked for the query. */
struct events_query {
	const char *asset_tag, *type, *since, *holder, *before;
	const char *batch;             /* one operation's events (a batch id) */
	struct asset a;
	char since_canon[AT_TIME_LEN + 1];
	struct event_filter f;
};

/* Check the filters into q->f; problems go to `e`, one item per field. */
static void events_parse(struct request *rq, struct events_query *q, struct at_errors *e)
{
	struct at_errors he = AT_ERRORS_INIT;
	char why[AT_MSG_MAX], cleaned[AT_INPUT_MAX];
	struct holder hold;
	enum at_code c;
	size_t i;

	memset(&q->f, 0, sizeof(q->f));
	if (q->asset_tag) {
		/* A scanned tag names the canonical asset, as everywhere. */
		c = asset_resolve(rq->st, q->asset_tag, &q->a, cleaned, why);
		if (c == AT_OK)
			q->f.asset_tag = q->a.tag;
		else
			at_item(e, "asset_tag", c, "%s", why); /* names what was typed */
	}
	if (q->type) {
		for (i = 0; i < N_EVENT_TYPES && strcmp(q->type, event_types[i]) != 0; i++)
			;
		if (i < N_EVENT_TYPES)
			q->f.type = event_types[i];
		else
			at_item(e, "type", AT_INVALID, "Type: choose one of the event types");
	}
	if (q->since) {
		if (read_since_bound(q->since, q->since_canon, why) < 0)
			at_item(e, "since", AT_INVALID, "Since: %s", why);
		else
			q->f.since = q->since_canon;
	}
	if (q->holder) {
		if (text_parse_int(q->holder, 1, INT64_MAX, &q->f.holder_id) < 0)
			at_item(e, "holder_id", AT_INVALID,
			        "Holder id: '%s' is not a holder id (a whole number such as 12)",
			        q->holder);
		else if ((c = read_holder(rq->st, q->f.holder_id, &hold, &he)) != AT_OK)
			at_item(e, "holder_id", c, "Holder id: %s", he.message);
	}
	if (q->batch) {
		/* A batch id is a UUID: 36 characters of hex digits and dashes. */
		size_t n = strspn(q->batch, "0123456789abcdef-");
		if (n != 36 || q->batch[n] != '\0')
			at_item(e, "batch", AT_INVALID, "'%.40s' is not a batch id", q->batch);
		else
			q->f.batch_id = q->batch;
	}
	if (q->before && text_parse_int(q->before, 1, INT64_MAX, &q->f.after_seq) < 0)
		at_item(e, "before", AT_INVALID, "'%s' is not an event number", q->before);
	at_errors_free(&he);
	at_items_done(e, e->nitems);
}

/* The filter form, keeping what was typed. */
static void events_form(struct pg *p, const struct events_query *q, const struct at_errors *e)
{
	const char *values[N_EVENT_TYPES + 1], *labels[N_EVENT_TYPES + 1];
	struct html *h = &p->h;

	values[0] = "";
	labels[0] = "Any type";
	for (size_t i = 0; i < N_EVENT_TYPES; i++)
		values[i + 1] = labels[i + 1] = event_types[i];
	page_getform_open(p, "/events");
	if (q->f.batch_id)
		page_hidden(p, "batch", q->f.batch_id); /* kept while other filters change */
	html_open(h, "div", "class", "row g-3 align-items-end", HTML_END);
	filter_col(p, "col-12 col-sm-6 col-lg-3");
	page_field(p, "asset_tag", "Asset tag", q->asset_tag, NULL,
	           page_field_error(e, "asset_tag"), 0);
	html_close(h);
	filter_col(p, "col-12 col-sm-6 col-lg-3");
	page_select(p, "type", "Type", values, labels, N_EVENT_TYPES + 1, q->type ? q->type : "",
	            page_field_error(e, "type"));
	html_close(h);
	filter_col(p, "col-6 col-lg-3");
	page_field(p, "since", "Since", q->since, NULL, page_field_error(e, "since"), F_DATE);
	html_close(h);
	filter_col(p, "col-6 col-lg-3");
	page_field(p, "holder_id", "Holder id", q->holder, NULL, page_field_error(e, "holder_id"),
	           F_NUMBER);
	html_close(h);
	filter_col(p, "col-12 mb-3");
	page_button(p, "Filter", NULL, NULL, "primary");
	if (q->asset_tag || q->type || q->since || q->holder || q->before || q->batch) {
		html_text(h, " ");
		html_elem(h, "a", "Clear filters", "href", "/events", "class", "btn btn-link",
		          HTML_END);
	}
	html_close(h);
	html_close(h);
	html_close(h);
}

/* Rows of one page of the log; the row past the page only says there
 * are older events. */
struct events_view {
	struct pg *p;
	int rows;
	int more;
	int64_t first_seq, last_seq;
};

static int events_cb(void *ctx, const struct event *ev)
{
	struct events_view *v = ctx;

	if (page_rows_full(&v->rows, &v->more, EVENTS_PER_PAGE))
		return 1;
	if (v->rows == 1) {
		page_events_table_open(v->p);
		v->first_seq = ev->seq;
	}
	page_events_table_row(v->p, ev);
	v->last_seq = ev->seq;
	return v->p->h.failed;
}

/* The same filters with a new `before` cursor (0: none), as a URL. */
static void events_url(const struct events_query *q, int64_t before, char *url, size_t cap)
{
	char n[24];

	snprintf(url, cap, "/events?");
	page_url_add(url, cap, "asset_tag", q->f.asset_tag);
	page_url_add(url, cap, "type", q->f.type);
	page_url_add(url, cap, "since", q->since);
	page_url_add(url, cap, "holder_id", q->holder);
	page_url_add(url, cap, "batch", q->f.batch_id);
	if (before > 0) {
		snprintf(n, sizeof(n), "%lld", (long long)before);
		page_url_add(url, cap, "before", n);
	}
	if (url[strlen(url) - 1] == '?')
		url[strlen(url) - 1] = '\0';
}

/* What the page shows and the links to the next (older) and first pages. */
static void events_footer(struct pg *p, const struct events_query *q,
                          const struct events_view *v)
{
	struct html *h = &p->h;
	char url[2048];

	if (v->rows == 0) {
		page_notice(p, "info", NULL,
		            q->before ? "No older events match these filters."
		                      : "No events match these filters.");
	} else {
		html_open(h, "p", "id", "events-count", HTML_END);
		if (v->rows == 1)
			html_textf(h, "Event #%lld", (long long)v->first_seq);
		else
			html_textf(h, "Events #%lld to #%lld", (long long)v->first_seq,
			           (long long)v->last_seq);
		if (q->f.asset_tag) {
			html_text(h, " of ");
			html_elem(h, "strong", q->f.asset_tag, "class", "tag", HTML_END);
		}
		html_text(h, v->rows > 1 ? ", newest first." : ".");
		html_close(h);
	}
	if (!q->before && !v->more)
		return;
	html_open(h, "nav", "aria-label", "Event pages", "class", "d-flex gap-3", HTML_END);
	if (q->before) {
		events_url(q, 0, url, sizeof(url));
		html_elem(h, "a", "Newest events", "href", url, "class", "btn btn-outline-secondary",
		          HTML_END);
	}
	if (v->more) {
		events_url(q, v->last_seq, url, sizeof(url));
		html_elem(h, "a", "Older events", "href", url, "rel", "next",
		          "class", "btn btn-outline-primary", HTML_END);
	}
	html_close(h);
}

void page_events(struct request *rq)
{
	static const char *const fields[] = { "asset_tag", "type", "since", "holder_id", NULL };
	struct at_errors e = AT_ERRORS_INIT;
	struct events_query q;
	struct events_view v = { 0 };
	struct pg p;
	enum at_code c;

	memset(&q, 0, sizeof(q));
	q.asset_tag = query(rq, "asset_tag");
	q.type = query(rq, "type");
	q.since = query(rq, "since");
	q.holder = query(rq, "holder_id");
	q.before = query(rq, "before");
	q.batch = query(rq, "batch");
	events_parse(rq, &q, &e);
	page_begin(&p, rq, "Events");
	page_error_summary(&p, &e, fields);
	events_form(&p, &q, &e);
	if (q.f.batch_id) {
		char text[96];
		snprintf(text, sizeof(text), "Only the events of batch %s.", q.f.batch_id);
		page_notice(&p, "info", NULL, text);
	}
	if (e.code != AT_OK)
		goto out;
	q.f.descending = 1;
	q.f.limit = EVENTS_PER_PAGE + 1;
	v.p = &p;
	c = read_events(rq->st, &q.f, events_cb, &v, &e);
	if (v.rows)
		page_events_table_close(&p);
	if (c != AT_OK) {
		buf_free(&p.b);
		page_refusal(rq, &e);
		at_errors_free(&e);
		return;
	}
	events_footer(&p, &q, &v);
out:
	page_end(&p, e.code == AT_OK ? 200 : at_code_http(e.code));
	at_errors_free(&e);
}
