/*
 * page_cases.c — the case pages (SPEC §8, §8.1): the list of cases with
 * the admin's "New case" form (/cases), and one case with its slot grid
 * (/cases/{name}).
 *
 * Reads go through core/read.h (a case and its slots in one query for
 * the slots); the one write is case_create.  The list is a keyset page by
 * name.
 */
#include <stdio.h>
#include <string.h>

#include "core/place.h"
#include "util/text.h"
#include "core/fields.h"
#include "web/page.h"

#define CASE_PAGE 50
#define URL_MAX 1024

/* ==== /cases: the list ================================================ */

struct case_rows {
	struct pg *p;
	int n, more;
	char last[AT_NAME_MAX + 1];    /* cursor of the last row shown */
};

/* read_cases callback: one table row; stops after a full page, noting
 * that more follow (the page asks for one more than it shows). */
static int case_row(void *ctx, const struct case_info *c)
{
	struct case_rows *r = ctx;
	struct html *h = &r->p->h;

	if (page_rows_full(&r->n, &r->more, CASE_PAGE))
		return 1;
	snprintf(r->last, sizeof(r->last), "%s", c->name);
	html_open(h, "tr", HTML_END);
	html_open(h, "td", "class", "tag", HTML_END);
	page_link(r->p, "/cases/", c->name, c->name);
	html_close(h);
	html_open(h, "td", "class", "text-end", HTML_END);
	html_int(h, c->slot_count);
	html_close(h);
	html_open(h, "td", "class", "text-end", HTML_END);
	html_int(h, c->occupied);
	html_close(h);
	html_elem(h, "td", c->building[0] ? c->building : "—", HTML_END);
	html_elem(h, "td", c->room[0] ? c->room : "—", HTML_END);
	html_close(h);
	return 0;
}

/* One page of cases after `after` (NULL: the first) and its "Next page"
 * link. */
static enum at_code cases_table(struct pg *p, const char *after, struct at_errors *e)
{
	static const struct page_col cols[] = {
		{ "Name", NULL }, { "Slots", "text-end" }, { "Occupied", "text-end" },
		{ "Building", NULL }, { "Room", NULL },
	};
	struct case_rows r = { p, 0, 0, "" };
	struct html *h = &p->h;
	int depth;
	char url[URL_MAX];
	enum at_code c;

	depth = page_table_open(p, NULL, NULL, cols, sizeof(cols) / sizeof(cols[0]));
	c = read_cases(p->rq->st, after, CASE_PAGE + 1, case_row, &r, e);
	html_closeto(h, depth);
	if (c != AT_OK)
		return c;
	if (r.n == 0)
		html_elem(h, "p", after ? "No more cases." : "There are no cases yet.", "class",
		          "text-muted", HTML_END);
	if (r.more) {
		page_url_seg(url, sizeof(url), "/cases?after=", r.last);
		html_open(h, "nav", "aria-label", "Pages", HTML_END);
		html_elem(h, "a", "Next page", "href", url, "class", "btn btn-outline-primary",
		          HTML_END);
		html_close(h);
	}
	return AT_OK;
}

/* The admin's "New case" form: `e` (may be NULL) holds a refusal, and
 * then rq->form what was typed. */
static void new_case_form(struct pg *p, const struct at_errors *e)
{
	/* The case's fields (core/fields.h) and its slot count between. */
	const struct {
		const char *name, *label;
		unsigned flags;
	} fields[] = {
		{ case_fields[CF_NAME].name, case_fields[CF_NAME].label, F_REQUIRED },
		{ "slots", "Slots", F_REQUIRED | F_NUMBER | F_NARROW },
		{ case_fields[CF_BUILDING].name, case_fields[CF_BUILDING].label, 0 },
		{ case_fields[CF_ROOM].name, case_fields[CF_ROOM].label, 0 },
	};
	const struct form *fm = &p->rq->form;
	struct html *h = &p->h;

	html_open(h, "section", "class", "at-panel", "aria-labelledby", "new-case", HTML_END);
	html_elem(h, "h2", "New case", "id", "new-case", "class", "mt-0", HTML_END);
	page_form_open(p, "/cases", NULL);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		page_field(p, fields[i].name, fields[i].label,
		           e ? form_get(fm, fields[i].name) : NULL,
		           i == 1 ? "1 to 1000" : NULL,
		           e ? page_field_error(e, fields[i].name) : NULL, fields[i].flags);
	page_button(p, "Create case", NULL, NULL, "primary");
	html_close(h);
	html_close(h);
}

/* The cases page: the list (from `after`), and for admins the form,
 * with a refusal `e` of that form (may be NULL). */
static void cases_page(struct request *rq, const char *after, const struct at_errors *e,
                       int status)
{
	static const char *const ids[] = { "name", "slots", "building", "room", NULL };
	struct at_errors re = AT_ERRORS_INIT;
	int admin = page_can(rq, ADMIN_ONLY);
	struct pg p;
	enum at_code c;

	page_begin(&p, rq, "Cases");
	if (e)
		page_error_summary(&p, e, ids);
	html_open(&p.h, "div", "class", "row g-4", HTML_END);
	html_open(&p.h, "div", "class", admin ? "col-12 col-lg-8" : "col-12", HTML_END);
	c = cases_table(&p, after, &re);
	if (c != AT_OK) {
		page_notice(&p, "danger", "Cannot list cases", re.message);
		status = at_code_http(c);
	}
	html_close(&p.h);
	if (admin) {
		html_open(&p.h, "div", "class", "col-12 col-lg-4", HTML_END);
		new_case_form(&p, e);
		html_close(&p.h);
	}
	html_close(&p.h);
	page_end(&p, status);
	at_errors_free(&re);
}

void page_cases(struct request *rq)
{
	const char *after = web_query(rq, "after");

	cases_page(rq, after && *after ? after : NULL, NULL, 200);
}

void page_case_new_post(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	const struct form *fm = &rq->form;
	const char *slots = form_get(fm, "slots");
	char url[URL_MAX];
	struct case_info cs;
	int64_t n = 0;
	int typed;
	enum at_code c;

	/* Not a number: 0, which core refuses with the other fields' errors;
	 * the message then says what was typed. */
	typed = slots && text_parse_int(slots, 0, INT64_MAX, &n) == 0;
	if (!typed)
		n = 0;
	c = case_create(rq->st, rq->actor, form_get(fm, "name"), n, form_get(fm, "building"),
	                form_get(fm, "room"), NULL, &cs, &e);
	if (c == AT_OK) {
		page_url_seg(url, sizeof(url), "/cases/", cs.name);
		snprintf(url + strlen(url), sizeof(url) - strlen(url), "?created=1");
		web_redirect(rq, url);
	} else if (c == AT_STORAGE || c == AT_BUSY || c == AT_INTERNAL) {
		page_refusal(rq, &e);
	} else {
		for (size_t i = 0; !typed && i < e.nitems; i++)
			if (strcmp(e.items[i].input, "slots") == 0)
				snprintf(e.items[i].message, sizeof(e.items[i].message),
				         "Slots must be a whole number from 1 to %d, not '%.40s'",
				         AT_MAX_SLOTS, slots ? slots : "");
		/* A name already taken is a top-level refusal: it is the name's. */
		if (e.nitems == 0 && c == AT_DUPLICATE)
			at_item(&e, "name", c, "%s", e.message);
		cases_page(rq, NULL, &e, at_code_http(c));
	}
	at_errors_free(&e);
}

/* ==== /cases/{name}: one case ========================================= */

/* The slot grid: one tile per slot, its position and what it holds. */
static void slot_grid(struct pg *p, const struct case_slots *cs)
{
	struct html *h = &p->h;

	html_open(h, "ol", "class", "slot-grid", "aria-label", "Slots", HTML_END);
	for (int i = 0; i < cs->c.slot_count; i++) {
		const struct asset *a = cs->slot[i];
		html_open(h, "li", "class", a ? "slot occupied" : "slot empty", HTML_END);
		html_open(h, "span", "class", "pos", HTML_END);
		html_elem(h, "span", "Slot ", "class", "visually-hidden", HTML_END);
		html_int(h, i + 1);
		html_close(h);
		if (a) {
			html_open(h, "span", "class", "tag", HTML_END);
			page_link(p, "/assets/", a->tag, a->tag);
			html_close(h);
		} else {
			html_text(h, "empty");
		}
		html_close(h);
	}
	html_close(h);
}

/* Term and value side by side at every width (as on the asset page). */
#define DT_CLASS "col-6 col-sm-4 col-lg-3"
#define DD_CLASS "col-6 col-sm-8 col-lg-9"

/* Building, room, notes and occupancy. */
static void case_facts(struct pg *p, const struct case_info *c)
{
	struct html *h = &p->h;
	const char *notes = c->notes, *nl;

	html_open(h, "dl", "class", "row gx-2 mb-0", HTML_END);
	html_elem(h, "dt", "Occupancy", "class", DT_CLASS, HTML_END);
	html_open(h, "dd", "class", DD_CLASS, HTML_END);
	html_textf(h, "%d of %d slots occupied", c->occupied, c->slot_count);
	html_close(h);
	html_elem(h, "dt", "Building", "class", DT_CLASS, HTML_END);
	html_elem(h, "dd", c->building[0] ? c->building : "—", "class", DD_CLASS,
	          HTML_END);
	html_elem(h, "dt", "Room", "class", DT_CLASS, HTML_END);
	html_elem(h, "dd", c->room[0] ? c->room : "—", "class", DD_CLASS, HTML_END);
	html_elem(h, "dt", "Notes", "class", DT_CLASS, HTML_END);
	html_open(h, "dd", "class", DD_CLASS, HTML_END);
	if (!*notes)
		html_text(h, "—");
	while ((nl = strchr(notes, '\n')) != NULL) {
		html_textn(h, notes, (size_t)(nl - notes));
		html_void(h, "br", HTML_END);
		notes = nl + 1;
	}
	html_text(h, notes);
	html_close(h);
	page_audit_last(p, c->name, DT_CLASS, DD_CLASS);
	html_close(h);
}

void page_case(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	const char *created = web_query(rq, "created");
	char title[AT_NAME_MAX + 8], msg[AT_NAME_MAX + 32], url[URL_MAX];
	struct case_slots cs;
	struct pg p;
	enum at_code c;

	c = read_case_slots(rq->st, rq->params[0], &cs, &e);
	if (c != AT_OK) {
		page_error(rq, at_code_http(c), c == AT_NOT_FOUND ? "Case not found" : "Cannot read case",
		           "%s", e.message);
		at_errors_free(&e);
		return;
	}
	snprintf(title, sizeof(title), "Case %s", cs.c.name);
	page_begin(&p, rq, title);
	if (created && strcmp(created, "1") == 0) {
		snprintf(msg, sizeof(msg), "Case %s created", cs.c.name);
		page_notice(&p, "success", msg, NULL);
	}
	html_open(&p.h, "p", "class", "d-flex flex-wrap gap-2", HTML_END);
	if (page_can(rq, ADMIN_ONLY)) {
		page_url_seg(url, sizeof(url), "/corrections?case=", cs.c.name);
		html_elem(&p.h, "a", "Corrections", "href", url, "class", "btn btn-outline-primary",
		          HTML_END);
	}
	/* A label for every slot, CASE/POS (page_labels.c). */
	page_url_seg(url, sizeof(url), "/labels?case=", cs.c.name);
	html_elem(&p.h, "a", "Print labels", "href", url, "class", "btn btn-outline-secondary",
	          HTML_END);
	html_close(&p.h);
	html_open(&p.h, "div", "class", "at-panel", HTML_END);
	case_facts(&p, &cs.c);
	html_close(&p.h);
	html_elem(&p.h, "h2", "Slots", HTML_END);
	slot_grid(&p, &cs);
	case_slots_free(&cs);
	page_end(&p, 200);
	at_errors_free(&e);
}
