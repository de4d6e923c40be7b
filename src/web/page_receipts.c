/*
 * page_receipts.c — /receipts/{batch_id} (SPEC §8, §8.1): a printable
 * custody receipt for a Stock-Out or a Stock-In — what, to (or from)
 * whom, when, by whom, the due date, the chain head after the batch and
 * signature lines — read back from the event log (core/batch.h).
 *
 * Any other batch (a correction, a replacement, an import) has no one to
 * sign for it: the page says so and shows a plain record of its events,
 * a page at a time (an import is one batch of up to 100,000 events).
 *
 * Printing: the Print button is [data-print] (app.js calls print()), and
 * app.css's print rules hide the navigation and the buttons and fit the
 * table on a portrait A4 or Letter page.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/batch.h"
#include "util/text.h"
#include "web/page.h"

/* Lines of a plain batch record per page; a custody batch (at most
 * BATCH_PAGE_MAX) is always shown whole. */
#define RECORD_PAGE 100

/* ==== dates for people ================================================= */

static const char *const day_names[7] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
};
static const char *const month_names[12] = {
	"January", "February", "March", "April", "May", "June", "July", "August", "September",
	"October", "November", "December",
};

/*
 * A canonical UTC time as the server's local time, for a person:
 * "Tuesday 2 June 2030, 10:00 UTC".  Receipts are read where they are
 * signed, next to the server; the ISO form is shown beside it.  `out`
 * gets the canonical text unchanged if it is not one.
 */
static void readable_time(const char *canon, char *out, size_t cap)
{
	int64_t epoch = text_time_epoch(canon);
	time_t t = (time_t)epoch;
	char zone[16];
	struct tm tm;

	if (epoch < 0 || !localtime_r(&t, &tm) || tm.tm_wday < 0 || tm.tm_wday > 6 ||
	    tm.tm_mon < 0 || tm.tm_mon > 11) {
		snprintf(out, cap, "%s", canon);
		return;
	}
	if (strftime(zone, sizeof(zone), "%Z", &tm) == 0)
		zone[0] = '\0';
	snprintf(out, cap, "%s %d %s %d, %02d:%02d%s%s", day_names[tm.tm_wday], tm.tm_mday,
	         month_names[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	         zone[0] ? " " : "", zone);
}

/* A date YYYY-MM-DD for a person: "Wednesday 10 June 2030". */
static void readable_date(const char *ymd, char *out, size_t cap)
{
	char canon[AT_TIME_LEN + 1];
	int64_t epoch;
	time_t t;
	struct tm tm;

	snprintf(canon, sizeof(canon), "%.10sT12:00:00.000Z", ymd);
	epoch = text_time_epoch(canon);
	t = (time_t)epoch;
	if (strlen(ymd) != 10 || epoch < 0 || !gmtime_r(&t, &tm)) {
		snprintf(out, cap, "%s", ymd);
		return;
	}
	snprintf(out, cap, "%s %d %s %d", day_names[tm.tm_wday], tm.tm_mday,
	         month_names[tm.tm_mon], tm.tm_year + 1900);
}

/* ==== the facts ========================================================= */

/* <dt>term</dt><dd> left open for the caller's content. */
static void fact_open(struct pg *p, const char *term)
{
	html_elem(&p->h, "dt", term, "class", "col-sm-3", HTML_END);
	html_open(&p->h, "dd", "class", "col-sm-9", HTML_END);
}

/* The holder: name linked to their page, and the badge. */
static void holder_fact(struct pg *p, const struct batch *b)
{
	struct html *h = &p->h;

	if (b->holders_vary) {
		html_text(h, "Several holders: each line says whose it was.");
		return;
	}
	if (!b->has_holder) {
		html_text(h, b->holder.id ? "holder #" : "—");
		if (b->holder.id)
			html_int(h, b->holder.id);
		return;
	}
	page_holder_link(p, b->holder.id, b->holder.name);
	if (b->holder.badge[0]) {
		html_text(h, " — badge ");
		html_elem(h, "span", b->holder.badge, "class", "mono", HTML_END);
	}
}

/* Batch id, when, by whom, to or from whom, due date, count. */
static void receipt_facts(struct pg *p, const struct batch *b)
{
	struct html *h = &p->h;
	char when[96], due[64];

	html_open(h, "dl", "class", "row receipt-facts mb-3", HTML_END);
	fact_open(p, "Batch");
	html_elem(h, "span", b->batch_id, "class", "mono", "id", "receipt-batch", HTML_END);
	html_close(h);
	fact_open(p, "When");
	readable_time(b->at, when, sizeof(when));
	html_elem(h, "span", when, "id", "receipt-when", HTML_END);
	html_open(h, "span", "class", "d-block small text-muted", HTML_END);
	html_elem(h, "time", b->at, "datetime", b->at, "class", "mono", HTML_END);
	html_close(h);
	html_close(h);
	fact_open(p, b->kind == BATCH_STOCK_OUT  ? "Issued by"
	             : b->kind == BATCH_STOCK_IN ? "Received by"
	                                         : "Recorded by");
	html_text(h, b->actor);
	html_close(h);
	if (b->kind != BATCH_OTHER || b->has_holder || b->holders_vary) {
		fact_open(p, b->kind == BATCH_STOCK_OUT  ? "Issued to"
		             : b->kind == BATCH_STOCK_IN ? "Returned by"
		                                         : "Holder");
		html_open(h, "span", "id", "receipt-holder", HTML_END);
		holder_fact(p, b);
		html_close(h);
		html_close(h);
	}
	if (b->kind == BATCH_STOCK_OUT) {
		fact_open(p, "Due back");
		if (b->due[0]) {
			readable_date(b->due, due, sizeof(due));
			html_elem(h, "span", due, "id", "receipt-due", HTML_END);
			html_text(h, " (");
			html_elem(h, "time", b->due, "datetime", b->due, HTML_END);
			html_text(h, ")");
		} else {
			html_elem(h, "span", "No due date", "id", "receipt-due", HTML_END);
		}
		html_close(h);
	}
	fact_open(p, b->kind == BATCH_OTHER ? "Events" : "Assets");
	html_int(h, b->count);
	html_close(h);
	html_close(h);
}

/* ==== the assets ========================================================= */

/* "Dell Laptop" and the model on its own line, or "—". */
static void description_cell(struct pg *p, const struct batch_line *l)
{
	struct html *h = &p->h;

	html_open(h, "td", HTML_END);
	if (!l->described) {
		html_text(h, "—");
	} else {
		html_text(h, l->manufacturer);
		html_text(h, " ");
		html_text(h, l->equipment_type);
		if (l->model[0])
			html_elem(h, "span", l->model, "class", "d-block small text-muted", HTML_END);
	}
	html_close(h);
}

/* On a phone the line number and the serial's own column give way: the
 * serial goes under the tag, so tags and slots need not break. */
#define WIDE_ONLY "d-none d-sm-table-cell"

/* The custody receipt's table: tag, serial, manufacturer and type, the
 * slot left or returned to (and whose it was, when holders vary). */
static void receipt_table(struct pg *p, const struct batch *b)
{
	const int in = b->kind == BATCH_STOCK_IN;
	const struct page_col cols[] = {
		{ "#", "text-end " WIDE_ONLY }, { "Asset tag", NULL }, { "Serial", WIDE_ONLY },
		{ "Manufacturer and type", NULL }, { in ? "Returned to" : "Slot left", NULL },
		{ "Holder", NULL },
	};
	struct html *h = &p->h;
	int depth;

	html_elem(h, "h2", "Assets", "class", "h5", HTML_END);
	depth = page_table_open(p, "receipt-table", "receipt-assets", cols,
	                        b->holders_vary ? 6 : 5);
	for (size_t i = 0; i < b->n; i++) {
		const struct batch_line *l = &b->lines[i];
		html_open(h, "tr", HTML_END);
		html_open(h, "td", "class", "text-end " WIDE_ONLY, HTML_END);
		html_int(h, (long long)i + 1);
		html_close(h);
		html_open(h, "td", "class", "receipt-tag", HTML_END);
		page_link(p, "/assets/", l->tag, l->tag);
		html_elem(h, "span", l->described ? l->serial : "—",
		          "class", "d-block d-sm-none small text-muted serial", HTML_END);
		html_close(h);
		html_elem(h, "td", l->described ? l->serial : "—", "class", "serial " WIDE_ONLY,
		          HTML_END);
		description_cell(p, l);
		html_open(h, "td", "class", "receipt-slot", HTML_END);
		page_slot_link(p, in ? l->to_case : l->from_case, in ? l->to_position : l->from_position);
		html_close(h);
		if (b->holders_vary) {
			html_open(h, "td", HTML_END);
			page_holder_link(p, l->holder_id, l->holder_name);
			html_close(h);
		}
		html_close(h);
	}
	html_closeto(h, depth);
}

/* ==== the anchor and the signatures ==================================== */

/* The chain head after the batch, and what it is for. */
static void receipt_anchor(struct pg *p, const struct batch *b)
{
	struct html *h = &p->h;
	char head[AT_ANCHOR_MAX], cmd[AT_ANCHOR_MAX + 40];

	anchor_format(&b->head, head);
	html_open(h, "section", "class", "receipt-anchor", "aria-labelledby", "anchor-title",
	          HTML_END);
	html_elem(h, "h2", "Chain head after this batch", "id", "anchor-title", "class", "h5",
	          HTML_END);
	html_elem(h, "pre", head, "class", "anchor mono", "id", "receipt-head", HTML_END);
	html_open(h, "p", "class", "small mb-0", HTML_END);
	snprintf(cmd, sizeof(cmd), "assettrack verify --anchor %s", head);
	html_text(h, "This lets anyone check later that this batch is still in the log, "
	             "unchanged: run ");
	html_elem(h, "code", cmd, "id", "receipt-verify", HTML_END);
	html_text(h, ".");
	html_close(h);
	html_close(h);
}

/* One signature block: its heading, then Name (filled in when known),
 * Signature and Date lines. */
static void signature_block(struct pg *p, const char *title, const char *name)
{
	static const char *const lines[] = { "Name", "Signature", "Date" };
	struct html *h = &p->h;

	html_open(h, "div", "class", "col-12 col-sm-6", HTML_END);
	html_open(h, "div", "class", "signature", HTML_END);
	html_elem(h, "h3", title, "class", "h6", HTML_END);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		html_open(h, "div", "class", "sig-line", HTML_END);
		html_elem(h, "span", lines[i], "class", "sig-label", HTML_END);
		html_elem(h, "span", i == 0 && name ? name : "", "class", "sig-fill", HTML_END);
		html_close(h);
	}
	html_close(h);
	html_close(h);
}

/* Issued by / Received by (Stock-Out); Returned by / Received by
 * (Stock-In). */
static void receipt_signatures(struct pg *p, const struct batch *b)
{
	struct html *h = &p->h;
	const char *holder = b->has_holder ? b->holder.name : NULL;

	html_open(h, "section", "class", "receipt-signatures", "aria-labelledby", "sig-title",
	          HTML_END);
	html_elem(h, "h2", "Signatures", "id", "sig-title", "class", "h5", HTML_END);
	html_open(h, "div", "class", "row g-4", HTML_END);
	if (b->kind == BATCH_STOCK_OUT) {
		signature_block(p, "Issued by", NULL);
		signature_block(p, "Received by", holder);
	} else {
		signature_block(p, "Returned by", holder);
		signature_block(p, "Received by", NULL);
	}
	html_close(h);
	html_close(h);
}

/* ==== the page ========================================================== */

/* The Print button and the link to the batch in the event log. */
static void receipt_tools(struct pg *p, const struct batch *b)
{
	struct html *h = &p->h;
	char href[96];

	page_url_seg(href, sizeof(href), "/events?batch=", b->batch_id);
	html_open(h, "div", "class", "no-print d-flex flex-wrap gap-2 mb-3", HTML_END);
	/* Hidden until app.js gives it something to do. */
	html_elem(h, "button", "Print", "type", "button", "class", "btn btn-primary",
	          "data-print", "", "hidden", "", HTML_END);
	html_elem(h, "a", "This batch in the event log", "href", href,
	          "class", "btn btn-outline-secondary", HTML_END);
	html_close(h);
}

/* A plain record of a batch that is not a Stock-Out or Stock-In: its
 * events, a page at a time, with a link to the next page. */
static void record_events(struct pg *p, const struct batch *b)
{
	struct event ev;
	char href[128], n[24];

	html_elem(&p->h, "h2", "Events", "class", "h5", HTML_END);
	page_events_table_open(p);
	for (size_t i = 0; i < b->n; i++) {
		batch_line_event(b, &b->lines[i], &ev);
		page_events_table_row(p, &ev);
	}
	page_events_table_close(p);
	if (b->next_after) {
		page_url_seg(href, sizeof(href), "/receipts/", b->batch_id);
		snprintf(n, sizeof(n), "%lld", (long long)b->next_after);
		page_url_add(href, sizeof(href), "after", n);
		html_open(&p->h, "p", "class", "no-print", HTML_END);
		html_elem(&p->h, "a", "Next events", "href", href, "rel", "next", HTML_END);
		html_close(&p->h);
	}
}

/* Read the batch: a page of a plain record, or a custody batch whole. */
static enum at_code receipt_read(struct request *rq, int64_t after, struct batch *b,
                                 struct at_errors *e)
{
	enum at_code c = read_batch(rq->st, rq->params[0], RECORD_PAGE, after, b, e);

	if (c != AT_OK || b->kind == BATCH_OTHER || (after == 0 && !b->next_after))
		return c;
	batch_free(b);
	return read_batch(rq->st, rq->params[0], BATCH_PAGE_MAX, 0, b, e);
}

/* GET /receipts/{batch_id}[?after=SEQ] */
void page_receipt(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	const char *after_q = web_query(rq, "after");
	int64_t after = 0;
	struct batch b;
	struct pg p;

	if (after_q && text_parse_int(after_q, 0, INT64_MAX, &after) < 0) {
		page_error(rq, 422, "Refused", "'%.40s' is not an event number.", after_q);
		return;
	}
	if (receipt_read(rq, after, &b, &e) != AT_OK) {
		page_refusal(rq, &e);
		at_errors_free(&e);
		return;
	}
	page_begin(&p, rq, b.kind == BATCH_STOCK_OUT  ? "Custody receipt — Stock-Out"
	                   : b.kind == BATCH_STOCK_IN ? "Custody receipt — Stock-In"
	                                              : "Batch record");
	receipt_tools(&p, &b);
	if (b.kind == BATCH_OTHER)
		page_notice(&p, "info", NULL,
		            "This batch is not a Stock-Out or a Stock-In, so it has no custody "
		            "receipt: this is a plain record of its events.");
	receipt_facts(&p, &b);
	if (b.kind == BATCH_OTHER)
		record_events(&p, &b);
	else
		receipt_table(&p, &b);
	receipt_anchor(&p, &b);
	if (b.kind != BATCH_OTHER)
		receipt_signatures(&p, &b);
	batch_free(&b);
	page_end(&p, 200);
}
