/*
 * page_reports.c — the reports (/reports and below: custody, unslotted,
 * occupancy, a holder's history, retired) and the event log (/events).
 *
 * Every list can be long (30,000 assets in custody, a million events), so
 * rows are written into the page as core hands them over, a page of them
 * at a time from core's cursor (?from=), and nothing is kept per row.
 * Each report offers its whole as CSV through the API's download
 * (/api/v1/reports/...?format=csv), which streams from its own snapshot.
 */
#include "web/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/asset.h"
#include "core/holder.h"
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
/* Rows per page of the shorter reports. */
#define REPORT_ROWS 100

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

/* ==== shared by the reports ============================================ */

/* A "Download CSV" button for the API download at `url`. */
static void csv_button(struct pg *p, const char *url)
{
	html_elem(&p->h, "a", "Download CSV", "href", url, "download", "",
	          "class", "btn btn-outline-secondary btn-sm", HTML_END);
}

/* The report's actions under its title: the CSV download, and a link back
 * to the list of reports. */
static void report_actions(struct pg *p, const char *csv_url)
{
	html_open(&p->h, "div", "class", "d-flex flex-wrap gap-2 align-items-center mb-3",
	          HTML_END);
	csv_button(p, csv_url);
	html_elem(&p->h, "a", "All reports", "href", "/reports", "class", "btn btn-link btn-sm",
	          HTML_END);
	html_close(&p->h);
}

/* "Next page" (with `url` + from=cursor) and, past the first page, "First
 * page" (`url` alone).  `url` ends in '?' or in a query. */
static void pager(struct pg *p, const char *url, int more, const char *cursor, int first_page)
{
	char next[2048];

	if (!more && first_page)
		return;
	html_open(&p->h, "nav", "aria-label", "Report pages", "class", "d-flex gap-3 mb-3",
	          HTML_END);
	if (more) {
		snprintf(next, sizeof(next), "%s", url);
		page_url_add(next, sizeof(next), "from", cursor);
		html_elem(&p->h, "a", "Next page", "href", next, "rel", "next",
		          "class", "btn btn-outline-primary", HTML_END);
	}
	if (!first_page) {
		snprintf(next, sizeof(next), "%s", url);
		if (next[strlen(next) - 1] == '?')
			next[strlen(next) - 1] = '\0';
		html_elem(&p->h, "a", "First page", "href", next, "class", "btn btn-link", HTML_END);
	}
	html_close(&p->h);
}

/* Rows of one page of a report: the row past the page only says there
 * are more; the table opens with the first row. */
struct rows_view {
	struct pg *p;
	int n, more, limit;
	int depth;                         /* to close the table with; -1: not open */
	char cursor[REPORT_CURSOR_MAX];    /* of the last row shown */
};

static void rows_init(struct rows_view *v, struct pg *p, int limit)
{
	memset(v, 0, sizeof(*v));
	v->p = p;
	v->limit = limit;
	v->depth = -1;
}

/* Before a row: 1 (stop reading) when the page is full; else opens the
 * table (`cols`, `n`, id `id`) on the first row and counts this one. */
static int rows_next(struct rows_view *v, const struct page_col *cols, size_t n, const char *id)
{
	if (page_rows_full(&v->n, &v->more, v->limit))
		return 1;
	if (v->depth < 0)
		v->depth = page_table_open(v->p, NULL, id, cols, n);
	return 0;
}

/* After a row: its cursor; stop when the page outgrew its cap. */
static int rows_done(struct rows_view *v, const char *cursor)
{
	snprintf(v->cursor, sizeof(v->cursor), "%s", cursor);
	return v->p->h.failed;
}

static void rows_close(struct rows_view *v)
{
	if (v->depth >= 0)
		html_closeto(&v->p->h, v->depth);
	v->depth = -1;
}

/* A failed read: the page so far is dropped for the error page. */
static void report_failed(struct pg *p, struct at_errors *e)
{
	buf_free(&p->b);
	page_refusal(p->rq, e);
	at_errors_free(e);
}

/* A count with its noun, singular or plural: "1 asset", "3 assets". */
static void count_words(char *out, size_t cap, long long n, const char *one, const char *many)
{
	snprintf(out, cap, "%lld %s", n, n == 1 ? one : many);
}

/* ==== /reports: the list of reports ==================================== */

/* One report on the index: its title linked, what it answers, a line of
 * figures. */
static void index_item(struct pg *p, const char *href, const char *title, const char *what,
                       const char *figures)
{
	struct html *h = &p->h;

	html_open(h, "div", "class", "col-12 col-md-6", HTML_END);
	html_open(h, "section", "class", "card h-100", HTML_END);
	html_open(h, "div", "class", "card-body", HTML_END);
	html_open(h, "h2", "class", "h5 card-title mt-0", HTML_END);
	html_elem(h, "a", title, "href", href, HTML_END);
	html_close(h);
	html_elem(h, "p", what, "class", "card-text mb-1", HTML_END);
	if (figures)
		html_elem(h, "p", figures, "class", "card-text text-muted small", HTML_END);
	html_close(h);
	html_close(h);
	html_close(h);
}

/* The holder picker: a badge, an id or part of a name; `titled` on the
 * index (its own page has the title already). */
static void holder_picker(struct pg *p, const char *typed, const char *err, int titled)
{
	struct html *h = &p->h;

	html_open(h, "div", "class", "col-12 col-md-6", HTML_END);
	html_open(h, "section", "class", "card h-100", HTML_END);
	html_open(h, "div", "class", "card-body", HTML_END);
	if (titled)
		html_elem(h, "h2", "A holder's history", "class", "h5 card-title mt-0", HTML_END);
	html_elem(h, "p", "Everything one holder ever held: when it went out, when it came back, "
	          "for how long, and whether it was late.", "class", "card-text", HTML_END);
	page_getform_open(p, "/reports/holders");
	page_field(p, "holder", "Holder", typed, "Badge scan, name or id", err, 0);
	page_button(p, "Show history", NULL, NULL, "primary");
	html_close(h);
	html_close(h);
	html_close(h);
	html_close(h);
}

void page_reports(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct occupancy_totals occ;
	struct retired_totals ret;
	char fig[160];
	long long held = read_asset_count(rq->st, 1, ASSET_IN_CUSTODY);
	long long late = read_overdue_count(rq->st);
	long long unslotted = report_unslotted_count(rq->st);
	struct pg p;

	if (report_occupancy_totals(rq->st, &occ, &e) != AT_OK ||
	    report_retired_totals(rq->st, &ret, &e) != AT_OK) {
		page_refusal(rq, &e);
		at_errors_free(&e);
		return;
	}
	page_begin(&p, rq, "Reports");
	html_open(&p.h, "p", "class", "text-muted", HTML_END);
	html_text(&p.h, "Each report is a page here, a CSV download, JSON from the API (");
	html_elem(&p.h, "code", "/api/v1/reports/…", HTML_END);
	html_text(&p.h, ") and ");
	html_elem(&p.h, "code", "assettrack report", HTML_END);
	html_text(&p.h, " on the command line.");
	html_close(&p.h);
	html_open(&p.h, "div", "class", "row g-3", HTML_END);
	snprintf(fig, sizeof(fig), "%lld in custody now, %lld overdue.", held, late);
	index_item(&p, "/reports/custody", "Custody report",
	           "Who holds what, since when and until when: overdue first, by holder; now or "
	           "as of any past date.", fig);
	snprintf(fig, sizeof(fig), "%lld storage %s in no slot.", unslotted,
	         unslotted == 1 ? "asset is" : "assets are");
	index_item(&p, "/reports/unslotted", "Unslotted storage assets",
	           "Assets in storage that have no slot: imported, force-vacated, replaced or "
	           "awaiting one.", fig);
	snprintf(fig, sizeof(fig), "%lld of %lld slots occupied (%d%%) in %lld %s.",
	         (long long)occ.occupied, (long long)occ.slots, occ.percent, (long long)occ.cases,
	         occ.cases == 1 ? "case" : "cases");
	index_item(&p, "/reports/occupancy", "Occupancy by case",
	           "Every case with its slots, how many hold an asset and how many are empty.", fig);
	snprintf(fig, sizeof(fig), "%lld retired, for %lld different reasons.",
	         (long long)ret.assets, (long long)ret.reasons);
	index_item(&p, "/reports/retired", "Retired assets by reason",
	           "How many assets were retired for each reason, and which.", fig);
	holder_picker(&p, NULL, NULL, 1);
	html_close(&p.h);
	page_end(&p, 200);
}

/* ==== custody report ==================================================== */

/* Rows per page: 30,000 rows would be a 14 MB page that no browser
 * shows well, and 140 ms at the server. */
#define CUSTODY_PER_PAGE 250

/* The rows of a page; the overdue section and the rest each get their own
 * tbody (now), as of a past instant one tbody in tag order. */
struct custody_view {
	struct pg *p;
	int as_of;
	int table_open;
	int depth;                         /* to close the table with */
	int section;                       /* of the open tbody: 1 overdue, 0 the rest, -1 none */
	size_t shown, overdue;
	int more;                          /* a row beyond this page exists */
	char cursor[REPORT_CURSOR_MAX];    /* of the last row shown */
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

/* Open the report's table and its header row (the sections open tbody). */
static void custody_table_open(struct pg *p)
{
	page_table_open(p, "custody", "custody-report", custody_cols, N_CUSTODY_COLS);
	html_close(&p->h); /* each section opens its own tbody */
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
	int section = v->as_of ? 2 : row->overdue != 0;

	if (v->shown >= CUSTODY_PER_PAGE) {
		v->more = 1;
		return 1;
	}
	if (!v->table_open) {
		v->depth = html_depth(&v->p->h);
		custody_table_open(v->p);
		v->table_open = 1;
		v->section = -1;
	}
	if (section != v->section) {
		if (v->section >= 0)
			html_close(&v->p->h);
		html_open(&v->p->h, "tbody", "class",
		          section == 2 ? NULL : section ? "overdue" : "on-time", HTML_END);
		v->section = section;
	}
	custody_row_html(v->p, row);
	snprintf(v->cursor, sizeof(v->cursor), "%s", row->cursor);
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

/* The report's URL with its filters (for the pager), and its CSV's. */
static void custody_urls(const char *as_of, int overdue, char *url, size_t cap, char *csv,
                         size_t csv_cap)
{
	snprintf(url, cap, "/reports/custody?");
	page_url_add(url, cap, "as_of", as_of);
	page_url_add(url, cap, "overdue", overdue ? "1" : NULL);
	snprintf(csv, csv_cap, "/api/v1/reports/custody?format=csv");
	page_url_add(csv, csv_cap, "as_of", as_of);
	page_url_add(csv, csv_cap, "overdue", overdue ? "1" : NULL);
}

void page_report_custody(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_view v = { 0 };
	char canon[AT_TIME_LEN + 1], why[AT_WHY_MAX], title[96], words[40], url[1024], csv[1024];
	const char *as_of = query(rq, "as_of"), *ov = query(rq, "overdue");
	const char *from = query(rq, "from");
	int overdue = ov && strcmp(ov, "0") != 0;
	struct pg p;
	enum at_code c;

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
	custody_urls(as_of, overdue, url, sizeof(url), csv, sizeof(csv));
	report_actions(&p, csv);
	/* Now: overdue rows first, then the rest, each by holder.  As of a
	 * past instant, in tag order with each overdue row marked: putting
	 * overdue rows first would mean reading every asset's history
	 * before the first row. */
	v.p = &p;
	v.as_of = as_of != NULL;
	c = report_custody_from(rq->st, as_of ? canon : NULL, overdue, from, custody_cb, &v, &e);
	if (v.table_open)
		html_closeto(&p.h, v.depth);
	if (c != AT_OK) {
		report_failed(&p, &e);
		return;
	}
	custody_summary(&p, &v, overdue, as_of != NULL, from == NULL);
	pager(&p, url, v.more, v.cursor, from == NULL);
out:
	page_end(&p, e.code == AT_OK ? 200 : at_code_http(e.code));
	at_errors_free(&e);
}

/* ==== unslotted storage assets ========================================== */

/* On a phone: the tag and how it lost its slot; the rest from md up. */
#define WIDE "d-none d-md-table-cell"
static const struct page_col unslotted_cols[] = {
	{ "Asset tag", "text-nowrap" }, { "Type", WIDE }, { "Where", WIDE },
	{ "Unslotted since", WIDE }, { "How", NULL }, { "Action", "d-none d-sm-table-cell" },
};
#define N_UNSLOTTED_COLS (sizeof(unslotted_cols) / sizeof(unslotted_cols[0]))

/* "Laptop HP EliteBook" as one cell: the type, then the model if any. */
static void type_model(struct pg *p, const char *type, const char *model)
{
	html_text(&p->h, type);
	if (model && model[0]) {
		html_text(&p->h, " ");
		html_elem(&p->h, "span", model, "class", "text-muted", HTML_END);
	}
}

static int unslotted_cb(void *ctx, const struct unslotted_row *r)
{
	struct rows_view *v = ctx;
	struct pg *p = v->p;
	struct html *h = &p->h;
	const struct asset *a = &r->asset;

	if (rows_next(v, unslotted_cols, N_UNSLOTTED_COLS, "unslotted-report"))
		return 1;
	html_open(h, "tr", HTML_END);
	html_open(h, "th", "scope", "row", "class", unslotted_cols[0].cls, HTML_END);
	page_link(p, "/assets/", a->tag, a->tag);
	html_close(h);
	html_open(h, "td", "class", WIDE, HTML_END);
	type_model(p, a->equipment_type, a->model);
	html_close(h);
	html_open(h, "td", "class", WIDE, HTML_END);
	html_textf(h, "%s, room %s", a->building, a->room);
	html_close(h);
	html_open(h, "td", "class", WIDE, HTML_END);
	page_time(p, r->since);
	html_close(h);
	html_open(h, "td", HTML_END);
	html_text(h, r->how[0] ? r->how : "—");
	if (r->reason[0]) {
		html_text(h, ": ");
		html_elem(h, "span", r->reason, "class", "text-muted", HTML_END);
	}
	html_close(h);
	html_open(h, "td", "class", unslotted_cols[5].cls, HTML_END);
	if (page_can(p->rq, ADMIN_ONLY))
		page_link(p, "/corrections?asset_tag=", a->tag, "Assign a slot");
	else
		html_text(h, "—");
	html_close(h);
	html_close(h);
	return rows_done(v, r->cursor);
}

void page_report_unslotted(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct rows_view v;
	const char *from = query(rq, "from");
	long long total = report_unslotted_count(rq->st);
	char words[64];
	struct pg p;
	enum at_code c;

	page_begin(&p, rq, "Unslotted storage assets");
	html_elem(&p.h, "p", "Assets in storage that sit in no slot: created or imported without "
	          "one, force-vacated, or put back in a replacement's place that had none.",
	          "class", "text-muted", HTML_END);
	count_words(words, sizeof(words), total, "storage asset is", "storage assets are");
	html_open(&p.h, "p", "class", "fw-semibold", "id", "report-count", HTML_END);
	html_textf(&p.h, "%s in no slot.", words);
	html_close(&p.h);
	report_actions(&p, "/api/v1/reports/unslotted?format=csv");
	rows_init(&v, &p, REPORT_ROWS);
	c = report_unslotted(rq->st, from, unslotted_cb, &v, &e);
	rows_close(&v);
	if (c != AT_OK) {
		report_failed(&p, &e);
		return;
	}
	if (v.n == 0)
		page_notice(&p, "info", NULL, from ? "No more rows." : "Every storage asset is in a "
		            "slot.");
	pager(&p, "/reports/unslotted?", v.more, v.cursor, from == NULL);
	page_end(&p, 200);
}

/* ==== occupancy by case ================================================= */

/* On a phone: the case, how many of its slots hold something, how full. */
static const struct page_col occupancy_cols[] = {
	{ "Case", "text-nowrap" }, { "Building", WIDE }, { "Room", WIDE },
	{ "Slots", "text-end d-none d-sm-table-cell" }, { "Occupied", "text-end" },
	{ "Empty", "text-end d-none d-sm-table-cell" }, { "Full", "text-nowrap" },
};
#define N_OCCUPANCY_COLS (sizeof(occupancy_cols) / sizeof(occupancy_cols[0]))

/* How full, as a meter and a percentage. */
static void fullness(struct pg *p, int occupied, int slots, int percent)
{
	char n[16], pc[16];

	snprintf(n, sizeof(n), "%d", occupied);
	snprintf(pc, sizeof(pc), "%d", slots);
	html_open(&p->h, "meter", "min", "0", "max", pc, "value", n, "class", "me-2",
	          "aria-hidden", "true", HTML_END);
	html_close(&p->h);
	html_textf(&p->h, "%d%%", percent);
}

static int occupancy_cb(void *ctx, const struct occupancy_row *r)
{
	struct rows_view *v = ctx;
	struct pg *p = v->p;
	struct html *h = &p->h;

	if (rows_next(v, occupancy_cols, N_OCCUPANCY_COLS, "occupancy-report"))
		return 1;
	html_open(h, "tr", "class", r->empty == 0 ? "table-warning" : NULL, HTML_END);
	html_open(h, "th", "scope", "row", "class", occupancy_cols[0].cls, HTML_END);
	page_link(p, "/cases/", r->c.name, r->c.name);
	html_close(h);
	html_elem(h, "td", r->c.building[0] ? r->c.building : "—", "class", WIDE, HTML_END);
	html_elem(h, "td", r->c.room[0] ? r->c.room : "—", "class", WIDE, HTML_END);
	html_open(h, "td", "class", occupancy_cols[3].cls, HTML_END);
	html_int(h, r->c.slot_count);
	html_close(h);
	html_open(h, "td", "class", occupancy_cols[4].cls, HTML_END);
	html_int(h, r->c.occupied);
	/* The Slots column is hidden on a phone: say it here. */
	html_open(h, "span", "class", "d-sm-none", HTML_END);
	html_textf(h, " of %d", r->c.slot_count);
	html_close(h);
	html_close(h);
	html_open(h, "td", "class", occupancy_cols[5].cls, HTML_END);
	html_int(h, r->empty);
	html_close(h);
	html_open(h, "td", "class", occupancy_cols[6].cls, HTML_END);
	fullness(p, r->c.occupied, r->c.slot_count, r->percent);
	html_close(h);
	html_close(h);
	return rows_done(v, r->cursor);
}

void page_report_occupancy(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct occupancy_totals t;
	struct rows_view v;
	const char *from = query(rq, "from");
	struct pg p;
	enum at_code c;

	if ((c = report_occupancy_totals(rq->st, &t, &e)) != AT_OK) {
		page_refusal(rq, &e);
		at_errors_free(&e);
		return;
	}
	page_begin(&p, rq, "Occupancy by case");
	html_open(&p.h, "p", "class", "fw-semibold", "id", "occupancy-totals", HTML_END);
	html_textf(&p.h, "%lld of %lld slots occupied (%d%%), %lld empty, in %lld %s.",
	           (long long)t.occupied, (long long)t.slots, t.percent, (long long)t.empty,
	           (long long)t.cases, t.cases == 1 ? "case" : "cases");
	html_close(&p.h);
	report_actions(&p, "/api/v1/reports/occupancy?format=csv");
	rows_init(&v, &p, REPORT_ROWS);
	c = report_occupancy(rq->st, from, occupancy_cb, &v, &e);
	rows_close(&v);
	if (c != AT_OK) {
		report_failed(&p, &e);
		return;
	}
	if (v.n == 0)
		page_notice(&p, "info", NULL, from ? "No more cases." : "There are no cases yet.");
	else
		html_elem(&p.h, "p", "Full cases are marked in yellow.", "class", "small text-muted",
		          HTML_END);
	pager(&p, "/reports/occupancy?", v.more, v.cursor, from == NULL);
	page_end(&p, 200);
}

/* ==== a holder's history ================================================ */

/* On a phone: what, when it went out, when it came back, late or not. */
static const struct page_col holding_cols[] = {
	{ "Asset", "text-nowrap" }, { "Type", WIDE }, { "Out", NULL }, { "Due", WIDE },
	{ "Back", NULL }, { "Held for", "d-none d-sm-table-cell" }, { "Late", NULL },
	{ "Slots", WIDE },
};
#define N_HOLDING_COLS (sizeof(holding_cols) / sizeof(holding_cols[0]))

/* "PELI-07/3 → PELI-07/3": the slot it left and the one it went back to. */
static void holding_slots(struct pg *p, const struct holding_row *r)
{
	page_slot_link(p, r->from_case, r->from_position);
	if (!r->end_seq)
		return;
	html_text(&p->h, " → ");
	page_slot_link(p, r->to_case, r->to_position);
}

static int holding_cb(void *ctx, const struct holding_row *r)
{
	struct rows_view *v = ctx;
	struct pg *p = v->p;
	struct html *h = &p->h;
	char held[40];

	if (rows_next(v, holding_cols, N_HOLDING_COLS, "holder-history"))
		return 1;
	html_open(h, "tr", "class", r->late ? "table-danger" : NULL, HTML_END);
	html_open(h, "th", "scope", "row", "class", holding_cols[0].cls, HTML_END);
	page_link(p, "/assets/", r->tag, r->tag);
	html_close(h);
	html_open(h, "td", "class", WIDE, HTML_END);
	type_model(p, r->equipment_type, r->model);
	html_close(h);
	html_open(h, "td", HTML_END);
	page_time(p, r->since);
	html_close(h);
	html_elem(h, "td", r->due[0] ? r->due : "—", "class", WIDE, HTML_END);
	html_open(h, "td", HTML_END);
	if (r->end_seq)
		page_time(p, r->back_at);
	else
		html_elem(h, "span", "Still held", "class", "badge text-bg-primary", HTML_END);
	html_close(h);
	report_duration(r->seconds, held, sizeof(held));
	html_elem(h, "td", held, "class", holding_cols[5].cls, HTML_END);
	html_open(h, "td", HTML_END);
	if (r->late)
		html_elem(h, "span", r->end_seq ? "Late" : "Overdue", "class", "badge text-bg-danger",
		          HTML_END);
	else
		html_elem(h, "span", "No", "class", "text-muted", HTML_END);
	html_close(h);
	html_open(h, "td", "class", WIDE, HTML_END);
	holding_slots(p, r);
	html_close(h);
	html_close(h);
	return rows_done(v, r->cursor);
}

/* The holder's figures above the table. */
static void holder_facts(struct pg *p, const struct holder *hd, const struct holder_totals *t)
{
	struct html *h = &p->h;
	char n[64];

	html_open(h, "dl", "class", "row mb-2", "id", "holder-totals", HTML_END);
	html_elem(h, "dt", "Holder", "class", "col-6 col-sm-4 col-lg-3", HTML_END);
	html_open(h, "dd", "class", "col-6 col-sm-8 col-lg-9", HTML_END);
	page_holder_link(p, hd->id, hd->name);
	if (hd->badge[0]) {
		html_text(h, " ");
		html_open(h, "span", "class", "text-nowrap", HTML_END);
		html_textf(h, "(badge %s)", hd->badge);
		html_close(h);
	}
	if (!hd->active)
		html_elem(h, "span", " deactivated", "class", "text-muted", HTML_END);
	html_close(h);
	count_words(n, sizeof(n), (long long)t->periods, "time", "times");
	page_dl_text(p, "Custody periods", n, "col-6 col-sm-4 col-lg-3", "col-6 col-sm-8 col-lg-9");
	snprintf(n, sizeof(n), "%lld (%lld overdue)", (long long)t->held, (long long)t->overdue);
	page_dl_text(p, "Held now", n, "col-6 col-sm-4 col-lg-3", "col-6 col-sm-8 col-lg-9");
	snprintf(n, sizeof(n), "%lld", (long long)t->late);
	page_dl_text(p, "Returned late", n, "col-6 col-sm-4 col-lg-3", "col-6 col-sm-8 col-lg-9");
	html_close(h);
}

/* The holder the path names: an id, or a badge (then the page redirects
 * to the id's address).  0, or -1 after answering. */
static int path_holder(struct request *rq, struct holder *hd)
{
	struct at_errors e = AT_ERRORS_INIT;
	char why[AT_MSG_MAX], url[64];
	enum at_code c = holder_resolve(rq->st, rq->params[0], hd, why);

	if (c != AT_OK) {
		at_fail(&e, c, "%s", why);
		page_refusal(rq, &e);
		at_errors_free(&e);
		return -1;
	}
	snprintf(url, sizeof(url), "%lld", (long long)hd->id);
	if (strcmp(url, rq->params[0]) != 0) {
		snprintf(url, sizeof(url), "/reports/holders/%lld", (long long)hd->id);
		web_redirect(rq, url);
		return -1;
	}
	return 0;
}

void page_report_holder(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct holder_totals t;
	struct holder hd;
	struct rows_view v;
	const char *from = query(rq, "from");
	char title[AT_PERSON_MAX + 32], url[128], csv[128];
	struct pg p;
	enum at_code c;

	if (path_holder(rq, &hd) < 0)
		return;
	if ((c = report_holder_totals(rq->st, hd.id, &t, &e)) != AT_OK) {
		page_refusal(rq, &e);
		at_errors_free(&e);
		return;
	}
	snprintf(title, sizeof(title), "History of %s", hd.name);
	page_begin(&p, rq, title);
	holder_facts(&p, &hd, &t);
	snprintf(csv, sizeof(csv), "/api/v1/reports/holders/%lld?format=csv", (long long)hd.id);
	report_actions(&p, csv);
	rows_init(&v, &p, REPORT_ROWS);
	c = report_holder_history(rq->st, hd.id, from, holding_cb, &v, &e);
	rows_close(&v);
	if (c != AT_OK) {
		report_failed(&p, &e);
		return;
	}
	if (v.n == 0)
		page_notice(&p, "info", NULL, from ? "No older custody." : "Nothing held, ever.");
	else
		html_elem(&p.h, "p", "Newest first.  Late: back on a day after its due date; "
		          "overdue: still held past it.", "class", "small text-muted", HTML_END);
	snprintf(url, sizeof(url), "/reports/holders/%lld?", (long long)hd.id);
	pager(&p, url, v.more, v.cursor, from == NULL);
	page_end(&p, 200);
}

/* Active holders whose name holds typed text (the Stock-Out picker's
 * search), kept to list them. */
#define HOLDER_MATCHES 20
struct holder_matches {
	struct holder h[HOLDER_MATCHES];
	int n;
};

static int holder_match(void *ctx, const struct holder *hd)
{
	struct holder_matches *m = ctx;

	if (m->n < HOLDER_MATCHES)
		m->h[m->n++] = *hd;
	return 0;
}

/* The matches as links to their history. */
static void holder_match_list(struct pg *p, const struct holder_matches *m)
{
	char href[64];

	html_elem(&p->h, "p", "Holders whose name holds what was typed:", HTML_END);
	html_open(&p->h, "ul", "id", "holder-matches", HTML_END);
	for (int i = 0; i < m->n; i++) {
		snprintf(href, sizeof(href), "/reports/holders/%lld", (long long)m->h[i].id);
		html_open(&p->h, "li", HTML_END);
		html_elem(&p->h, "a", m->h[i].name, "href", href, HTML_END);
		if (m->h[i].badge[0])
			html_textf(&p->h, " (badge %s)", m->h[i].badge);
		html_close(&p->h);
	}
	html_close(&p->h);
}

/* Send the browser to holder `id`'s history. */
static void to_history(struct request *rq, int64_t id)
{
	char url[64];

	snprintf(url, sizeof(url), "/reports/holders/%lld", (long long)id);
	web_redirect(rq, url);
}

/*
 * GET /reports/holders?holder=TEXT: a badge or an id goes straight to
 * that holder's history; part of a name lists the active holders it
 * matches (straight there when it is one).  Nothing typed: the form.
 */
void page_report_holders(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct holder_matches *m = calloc(1, sizeof(*m));
	const char *typed = query(rq, "holder");
	char why[AT_MSG_MAX] = "";
	struct holder hd;
	struct pg p;
	enum at_code c = AT_OK;

	if (!m) {
		page_error(rq, 500, "Internal error", "out of memory");
		return;
	}
	if (typed && (c = holder_resolve(rq->st, typed, &hd, why)) == AT_OK) {
		to_history(rq, hd.id);
		goto done;
	}
	/* Not a badge or an id: part of a name, then. */
	if (typed && c == AT_NOT_FOUND &&
	    read_holder_search(rq->st, typed, HOLDER_MATCHES, holder_match, m, &e) != AT_OK) {
		page_refusal(rq, &e);
		goto done;
	}
	if (m->n == 1) {
		to_history(rq, m->h[0].id);
		goto done;
	}
	page_begin(&p, rq, "A holder's history");
	if (typed && m->n == 0) {
		if (c == AT_NOT_FOUND)
			snprintf(why, sizeof(why), "Holder: no holder has this badge, id or name");
		at_fail(&e, c, "%s", why);
		at_item(&e, "holder", c, "%s", why);
		at_items_done(&e, 1);
		page_error_summary(&p, &e, (const char *const[]){ "holder", NULL });
	}
	if (m->n > 1)
		holder_match_list(&p, m);
	html_open(&p.h, "div", "class", "row g-3", HTML_END);
	holder_picker(&p, typed, typed && m->n == 0 ? page_field_error(&e, "holder") : NULL, 0);
	html_close(&p.h);
	page_end(&p, e.code == AT_OK ? 200 : at_code_http(e.code));
done:
	at_errors_free(&e);
	free(m);
}

/* ==== retired assets by reason ========================================== */

/* The reasons and their counts, each linked to its list. */
struct reasons_view {
	struct pg *p;
	int n;
	const char *chosen;
	int depth;
};

static const struct page_col reason_cols[] = {
	{ "Reason", NULL }, { "Assets", "text-end" },
};

static int reason_cb(void *ctx, const char *reason, int64_t count)
{
	struct reasons_view *v = ctx;
	struct html *h = &v->p->h;
	char href[AT_REASON_MAX * 3 + 64];
	int chosen = v->chosen && reason && strcmp(v->chosen, reason) == 0;

	if (v->n++ == 0) {
		v->depth = html_depth(h);
		html_elem(h, "h2", "Reasons", "class", "h5", HTML_END);
		html_open(h, "div", "class", "row", HTML_END);
		html_open(h, "div", "class", "col-12 col-lg-8", HTML_END);
		page_table_open(v->p, NULL, "retired-reasons", reason_cols, 2);
	}
	snprintf(href, sizeof(href), "/reports/retired?");
	page_url_add(href, sizeof(href), "reason", reason);
	html_open(h, "tr", "class", chosen ? "table-active" : NULL, HTML_END);
	html_open(h, "th", "scope", "row", HTML_END);
	html_elem(h, "a", reason && *reason ? reason : "(no reason)", "href", href,
	          "aria-current", chosen ? "true" : NULL, HTML_END);
	html_close(h);
	html_open(h, "td", "class", "text-end", HTML_END);
	html_int(h, count);
	html_close(h);
	html_close(h);
	return v->p->h.failed;
}

/* The reasons shown at most; the retired list is complete anyway. */
#define REASONS_SHOWN 50

static const struct page_col retired_cols[] = {
	{ "Asset tag", "text-nowrap" }, { "Type", WIDE }, { "Reason", NULL },
	{ "Retired", "d-none d-sm-table-cell" }, { "By", WIDE },
};
#define N_RETIRED_COLS (sizeof(retired_cols) / sizeof(retired_cols[0]))

static int retired_cb(void *ctx, const struct retired_row *r)
{
	struct rows_view *v = ctx;
	struct pg *p = v->p;
	struct html *h = &p->h;

	if (rows_next(v, retired_cols, N_RETIRED_COLS, "retired-report"))
		return 1;
	html_open(h, "tr", HTML_END);
	html_open(h, "th", "scope", "row", "class", retired_cols[0].cls, HTML_END);
	page_link(p, "/assets/", r->asset.tag, r->asset.tag);
	html_close(h);
	html_open(h, "td", "class", WIDE, HTML_END);
	type_model(p, r->asset.equipment_type, r->asset.model);
	html_close(h);
	html_elem(h, "td", r->reason[0] ? r->reason : "—", HTML_END);
	html_open(h, "td", "class", retired_cols[3].cls, HTML_END);
	page_time(p, r->at);
	html_close(h);
	html_elem(h, "td", r->actor, "class", WIDE, HTML_END);
	html_close(h);
	return rows_done(v, r->cursor);
}

void page_report_retired(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct retired_totals t;
	struct reasons_view rv;
	struct rows_view v;
	const char *from = query(rq, "from"), *reason = query(rq, "reason");
	char url[AT_REASON_MAX * 3 + 64], csv[AT_REASON_MAX * 3 + 64];
	struct pg p;
	enum at_code c;

	if ((c = report_retired_totals(rq->st, &t, &e)) != AT_OK) {
		page_refusal(rq, &e);
		at_errors_free(&e);
		return;
	}
	page_begin(&p, rq, "Retired assets by reason");
	html_open(&p.h, "p", "class", "fw-semibold", "id", "retired-totals", HTML_END);
	html_textf(&p.h, "%lld %s retired, for %lld different %s.", (long long)t.assets,
	           t.assets == 1 ? "asset" : "assets", (long long)t.reasons,
	           t.reasons == 1 ? "reason" : "reasons");
	html_close(&p.h);
	snprintf(csv, sizeof(csv), "/api/v1/reports/retired?format=csv");
	page_url_add(csv, sizeof(csv), "reason", reason);
	report_actions(&p, csv);
	memset(&rv, 0, sizeof(rv));
	rv.p = &p;
	rv.chosen = reason;
	if (!from) {
		c = report_retired_reasons(rq->st, REASONS_SHOWN, reason_cb, &rv, &e);
		if (rv.n)
			html_closeto(&p.h, rv.depth);
		if (c == AT_OK && t.reasons > REASONS_SHOWN)
			html_elem(&p.h, "p", "Only the most frequent reasons are listed; the download has "
			          "every retired asset with its reason.", "class", "small text-muted",
			          HTML_END);
		if (c != AT_OK) {
			report_failed(&p, &e);
			return;
		}
	}
	if (reason) {
		html_open(&p.h, "h2", "class", "h5", HTML_END);
		html_text(&p.h, "Retired for: ");
		html_elem(&p.h, "q", reason, HTML_END);
		html_close(&p.h);
		html_elem(&p.h, "a", "Every reason", "href", "/reports/retired", "class",
		          "btn btn-link btn-sm ps-0 mb-2", HTML_END);
	} else {
		html_elem(&p.h, "h2", "Retired assets", "class", "h5", HTML_END);
	}
	rows_init(&v, &p, REPORT_ROWS);
	c = report_retired(rq->st, reason, from, retired_cb, &v, &e);
	rows_close(&v);
	if (c != AT_OK) {
		report_failed(&p, &e);
		return;
	}
	if (v.n == 0)
		page_notice(&p, "info", NULL, from ? "No more rows." : reason ? "No asset was "
		            "retired for that reason." : "No asset is retired.");
	snprintf(url, sizeof(url), "/reports/retired?");
	page_url_add(url, sizeof(url), "reason", reason);
	pager(&p, url, v.more, v.cursor, from == NULL);
	page_end(&p, 200);
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
