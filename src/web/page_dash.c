/*
 * page_dash.c — the dashboard: counts by state, overdue and longest-out
 * assets, the latest events, and the operator's next actions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/page.h"

/* One count as a card: number, words, link. */
static void count_card(struct pg *p, long long n, const char *words, const char *href,
                       const char *extra_cls)
{
	struct html *h = &p->h;
	char cls[96];

	snprintf(cls, sizeof(cls), "card h-100 %s", extra_cls ? extra_cls : "");
	html_open(h, "div", "class", "col-6 col-md-3", HTML_END);
	html_open(h, "a", "href", href, "class", "text-decoration-none text-reset", HTML_END);
	html_open(h, "div", "class", cls, HTML_END);
	html_open(h, "div", "class", "card-body", HTML_END);
	html_open(h, "div", "class", "fs-2 fw-semibold", HTML_END);
	html_int(h, n);
	html_close(h);
	html_elem(h, "div", words, "class", "text-muted", HTML_END);
	html_close(h);
	html_close(h);
	html_close(h);
	html_close(h);
}

/* A table of assets in custody: tag, holder, since, due. */
static void custody_table(struct pg *p, const struct asset *rows, int n, const char *empty)
{
	static const struct page_col cols[] = {
		{ "Asset", NULL }, { "Holder", NULL }, { "Since", NULL }, { "Due", NULL },
	};
	struct html *h = &p->h;
	int depth;

	if (n == 0) {
		html_elem(h, "p", empty, "class", "text-muted", HTML_END);
		return;
	}
	depth = page_table_open(p, NULL, NULL, cols, sizeof(cols) / sizeof(cols[0]));
	for (int i = 0; i < n; i++) {
		html_open(h, "tr", HTML_END);
		html_open(h, "td", HTML_END);
		page_link(p, "/assets/", rows[i].tag, rows[i].tag);
		html_close(h);
		html_open(h, "td", HTML_END);
		page_holder_link(p, rows[i].holder_id, rows[i].holder_name);
		html_close(h);
		html_open(h, "td", HTML_END);
		page_time(p, rows[i].custody_since);
		html_close(h);
		html_elem(h, "td", rows[i].due[0] ? rows[i].due : "—", HTML_END);
		html_close(h);
	}
	html_closeto(h, depth);
}

void page_dashboard(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct dashboard *d = calloc(1, sizeof(*d));
	struct html *h;
	struct pg p;

	if (!d || read_dashboard(rq->st, d, &e) != AT_OK) {
		if (!d)
			at_fail(&e, AT_INTERNAL, "out of memory");
		page_refusal(rq, &e);
		at_errors_free(&e);
		free(d);
		return;
	}
	page_begin(&p, rq, "Dashboard");
	h = &p.h;
	if (page_can(rq, OPERATOR_UP)) {
		html_open(h, "div", "class", "d-flex flex-wrap gap-2 mb-3", HTML_END);
		html_elem(h, "a", "Stock-Out", "href", "/stock-out", "class", "btn btn-primary",
		          HTML_END);
		html_elem(h, "a", "Stock-In", "href", "/stock-in", "class", "btn btn-primary",
		          HTML_END);
		if (page_can(rq, ADMIN_ONLY))
			html_elem(h, "a", "New asset", "href", "/admin/assets/new",
			          "class", "btn btn-outline-secondary", HTML_END);
		html_close(h);
	}
	html_open(h, "div", "class", "row g-3 mb-4", HTML_END);
	count_card(&p, d->count[ASSET_STORAGE], "in storage", "/assets?state=STORAGE", NULL);
	count_card(&p, d->count[ASSET_IN_CUSTODY], "in custody", "/reports/custody", NULL);
	count_card(&p, d->overdue, "overdue", "/reports/custody?overdue=1",
	           d->overdue ? "border-danger text-danger" : NULL);
	count_card(&p, d->count[ASSET_RETIRED], "retired", "/assets?state=RETIRED", NULL);
	html_close(h);

	html_open(h, "div", "class", "row g-4", HTML_END);
	html_open(h, "section", "class", "col-lg-6", "aria-labelledby", "overdue-h", HTML_END);
	html_elem(h, "h2", "Overdue", "id", "overdue-h", "class", "h5", HTML_END);
	custody_table(&p, d->overdue_rows, d->noverdue_rows, "Nothing is overdue.");
	html_close(h);
	html_open(h, "section", "class", "col-lg-6", "aria-labelledby", "longest-h", HTML_END);
	html_elem(h, "h2", "Out longest", "id", "longest-h", "class", "h5", HTML_END);
	custody_table(&p, d->longest, d->nlongest, "Nothing is in custody.");
	html_close(h);
	html_close(h);

	html_open(h, "section", "class", "mt-4", "aria-labelledby", "recent-h", HTML_END);
	html_elem(h, "h2", "Recent events", "id", "recent-h", "class", "h5", HTML_END);
	if (d->nrecent == 0) {
		html_elem(h, "p", "No events yet.", "class", "text-muted", HTML_END);
	} else {
		html_open(h, "ul", "class", "list-group", HTML_END);
		for (int i = 0; i < d->nrecent; i++) {
			const struct dash_event *x = &d->recent[i];
			html_open(h, "li", "class", "list-group-item d-flex flex-wrap gap-2", HTML_END);
			page_time(&p, x->at);
			html_elem(h, "code", x->type, HTML_END);
			if (x->asset_tag[0])
				page_link(&p, "/assets/", x->asset_tag, x->asset_tag);
			html_elem(h, "span", x->actor, "class", "text-muted", HTML_END);
			html_close(h);
		}
		html_close(h);
		html_open(h, "p", "class", "mt-2", HTML_END);
		html_elem(h, "a", "All events", "href", "/events", HTML_END);
		html_close(h);
	}
	html_close(h);
	page_end(&p, 200);
	free(d);
}
