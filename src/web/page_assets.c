/*
 * page_assets.c — the asset pages (SPEC §8, §8.1): the list with search
 * and filters (/assets), one asset with its whole timeline
 * (/assets/{tag}), and the admin's new-asset form (/admin/assets/new).
 *
 * Every read goes through core/read.h inside the request's snapshot;
 * the form's one write is asset_create (ASSET_CREATED + SLOT_ASSIGN in
 * one transaction).  Lists are keyset pages, so a page costs the same at
 * the millionth row as at the first.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/asset.h"
#include "core/attr.h"
#include "core/fields.h"
#include "core/place.h"
#include "core/read.h"
#include "util/text.h"
#include "web/page.h"

#define ASSET_PAGE 50          /* rows of the asset list */
#define EVENT_PAGE 100         /* events of a timeline page */
#define CASE_SELECT_MAX 500    /* more cases than this: a text field */
#define URL_MAX 1024

/* ==== shared bits ===================================================== */

/* An asset's slot linked to its case, or "—" when it is in none. */
static void slot_cell(struct pg *p, const struct asset *a)
{
	if (a->case_id)
		page_slot_link(p, a->case_name, a->position);
	else
		html_text(&p->h, "—");
}

/* An <a class=...> to `href` with `text`. */
static void link_btn(struct pg *p, const char *href, const char *text, const char *cls)
{
	html_elem(&p->h, "a", text, "href", href, "class", cls, HTML_END);
}

/* Text that may hold newlines, one <br> per line break (notes). */
static void text_lines(struct pg *p, const char *s)
{
	const char *nl;

	while ((nl = strchr(s, '\n')) != NULL) {
		html_textn(&p->h, s, (size_t)(nl - s));
		html_void(&p->h, "br", HTML_END);
		s = nl + 1;
	}
	html_text(&p->h, s);
}

/* ==== /assets: the list ================================================ */

struct asset_rows {
	struct pg *p;
	int n, more;
	char last[AT_TAG_MAX + 1];     /* cursor of the last row shown */
};

/* "Acme · Radio · APX 6000" */
static void equipment_text(struct html *h, const struct asset *a)
{
	html_text(h, a->manufacturer);
	html_text(h, " · ");
	html_text(h, a->equipment_type);
	if (a->model[0]) {
		html_text(h, " · ");
		html_text(h, a->model);
	}
}

/* read_assets callback: one table row; stops after a full page, noting
 * that more follow (the page asks for one row more than it shows).  On a
 * phone the Due and Equipment columns fold into the Holder and Tag cells
 * (d-md-none / d-none d-md-table-cell), so four columns fit 390 px. */
static int asset_row(void *ctx, const struct asset *a)
{
	struct asset_rows *r = ctx;
	struct html *h = &r->p->h;
	char href[URL_MAX];

	if (page_rows_full(&r->n, &r->more, ASSET_PAGE))
		return 1;
	snprintf(r->last, sizeof(r->last), "%s", a->tag);
	page_url_seg(href, sizeof(href), "/assets/", a->tag);
	html_open(h, "tr", HTML_END);
	html_open(h, "td", "class", "tag-cell", HTML_END);
	html_elem(h, "a", a->tag, "href", href, "class", "tag", HTML_END);
	html_open(h, "div", "class", "small text-muted d-md-none", HTML_END);
	equipment_text(h, a);
	html_close(h);
	html_close(h);
	html_open(h, "td", HTML_END);
	page_state_badge(r->p, a);
	html_close(h);
	html_open(h, "td", HTML_END);
	slot_cell(r->p, a);
	html_close(h);
	html_open(h, "td", HTML_END);
	page_holder_link(r->p, a->holder_id, a->holder_name);
	if (a->due[0]) {
		html_open(h, "div", "class", "small text-nowrap d-md-none", HTML_END);
		html_text(h, "due ");
		html_text(h, a->due);
		html_close(h);
	}
	html_close(h);
	html_elem(h, "td", a->due[0] ? a->due : "—", "class", "d-none d-md-table-cell", HTML_END);
	html_open(h, "td", "class", "d-none d-md-table-cell", HTML_END);
	equipment_text(h, a);
	html_close(h);
	html_close(h);
	return 0;
}

/* The filter form of the list, with what was asked kept. */
static void assets_filter_form(struct pg *p, const char *q, const char *state,
                               const char *case_name, const char *case_err)
{
	static const char *const values[] = { "", "STORAGE", "IN_CUSTODY", "RETIRED" };
	static const char *const labels[] = { "Any", "Storage", "In custody", "Retired" };
	struct html *h = &p->h;

	page_getform_open(p, "/assets");
	html_open(h, "div", "class", "row g-2 align-items-end", HTML_END);
	html_open(h, "div", "class", "col-12 col-md-5", HTML_END);
	page_field(p, "q", "Search", q, "Tag, serial, manufacturer, model, notes or an attribute", NULL, 0);
	html_close(h);
	html_open(h, "div", "class", "col-6 col-md-2", HTML_END);
	page_select(p, "state", "State", values, labels, 4, state, NULL);
	html_close(h);
	html_open(h, "div", "class", "col-6 col-md-3", HTML_END);
	page_field(p, "case", "Case", case_name, NULL, case_err, 0);
	html_close(h);
	html_open(h, "div", "class", "col-12 col-md-2 mb-3", HTML_END);
	page_button(p, "Search", NULL, NULL, "primary");
	html_close(h);
	html_close(h);
	html_close(h);
}

/* The table of one page of assets and its "Next page" link. */
static enum at_code assets_table(struct pg *p, struct asset_filter *f, const char *q,
                                 const char *state, const char *case_name, struct at_errors *e)
{
	static const struct page_col cols[] = {
		{ "Tag", NULL }, { "State", NULL }, { "Slot", NULL }, { "Holder", NULL },
		{ "Due", "d-none d-md-table-cell" }, { "Equipment", "d-none d-md-table-cell" },
	};
	struct asset_rows r = { p, 0, 0, "" };
	struct html *h = &p->h;
	int depth, cut;
	char url[URL_MAX] = "/assets", walked[AT_TAG_MAX + 1] = "", note[AT_TAG_MAX + 96];
	enum at_code c;

	depth = page_table_open(p, NULL, NULL, cols, sizeof(cols) / sizeof(cols[0]));
	f->limit = ASSET_PAGE + 1;
	f->walk_max = READ_WALK_MAX;
	f->walked_to = walked;
	c = read_assets(p->rq->st, f, asset_row, &r, e);
	html_closeto(h, depth);
	if (c != AT_OK)
		return c;
	/* A search that read READ_WALK_MAX assets without filling the page:
	 * say how far it looked, and go on from there. */
	cut = walked[0] && !r.more;
	if (cut) {
		snprintf(note, sizeof(note), "%s the assets up to %s in tag order; more may match after it.",
		         r.n ? "Searched" : "No match yet: searched", walked);
		html_elem(h, "p", note, "class", "text-muted", "role", "status", HTML_END);
	} else if (r.n == 0) {
		html_elem(h, "p", f->after_tag ? "No more assets." : "No assets match.", "class",
		          "text-muted", HTML_END);
	}
	if (r.more || cut) {
		page_url_add(url, sizeof(url), "q", q);
		page_url_add(url, sizeof(url), "state", state);
		page_url_add(url, sizeof(url), "case", case_name);
		page_url_add(url, sizeof(url), "after", cut ? walked : r.last);
		html_open(h, "nav", "aria-label", "Pages", HTML_END);
		link_btn(p, url, cut ? "Search further" : "Next page", "btn btn-outline-primary");
		html_close(h);
	}
	return AT_OK;
}

void page_assets(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_filter f;
	struct pg p;
	const char *q = web_query(rq, "q"), *state = web_query(rq, "state");
	const char *case_name = web_query(rq, "case");
	int status = 200;
	enum at_code c = AT_OK;

	memset(&f, 0, sizeof(f));
	if (state && *state) {
		if (asset_state_parse(state, &f.state) < 0)
			c = at_fail(&e, AT_INVALID, "State must be STORAGE, IN_CUSTODY or RETIRED.");
		f.has_state = 1;
	}
	if (c == AT_OK && q && strlen(q) > AT_FIELD_MAX)
		c = at_fail(&e, AT_INVALID, "The search text is longer than %d characters.",
		            AT_FIELD_MAX);
	if (c == AT_OK && case_name && *case_name)
		c = read_case_id(rq->st, case_name, &f.case_id, &e);
	f.q = q;
	f.after_tag = web_query(rq, "after");
	if (f.after_tag && !*f.after_tag)
		f.after_tag = NULL;

	page_begin(&p, rq, "Assets");
	if (page_can(rq, ADMIN_ONLY)) {
		html_open(&p.h, "p", HTML_END);
		link_btn(&p, "/admin/assets/new", "New asset", "btn btn-outline-primary");
		html_close(&p.h);
	}
	assets_filter_form(&p, q, state, case_name,
	                   c == AT_NOT_FOUND ? e.message : NULL);
	if (c == AT_OK)
		c = assets_table(&p, &f, q, state, case_name, &e);
	if (c != AT_OK) {
		/* A filter that names nothing says so; an empty list would
		 * claim the case is empty. */
		status = at_code_http(c);
		page_notice(&p, "danger", c == AT_NOT_FOUND ? "No such case" : "Cannot list assets",
		            e.message);
	}
	page_end(&p, status);
	at_errors_free(&e);
}

/* ==== /assets/{tag}: one asset ========================================= */

/* Definition lists are two columns at every width: term and value side
 * by side read faster than stacked, even on a phone. */
#define DT_CLASS "col-6 col-sm-4"
#define DD_CLASS "col-6 col-sm-8"

/* Open a <dd> after its <dt>, for values that are more than text. */
static void dl_open(struct pg *p, const char *term)
{
	html_elem(&p->h, "dt", term, "class", DT_CLASS, HTML_END);
	html_open(&p->h, "dd", "class", DD_CLASS, HTML_END);
}

/* Open a panel of the asset page with its heading and <dl>. */
static void panel_open(struct pg *p, const char *id, const char *heading)
{
	html_open(&p->h, "div", "class", "col-12 col-lg-6", HTML_END);
	html_open(&p->h, "section", "class", "at-panel h-100 mb-0", "aria-labelledby", id,
	          HTML_END);
	html_elem(&p->h, "h2", heading, "id", id, "class", "h5 mt-0 mb-3", HTML_END);
	html_open(&p->h, "dl", "class", "row gx-2 mb-0", HTML_END);
}

/* Where the asset is and who has it, and when it changed. */
static void asset_whereabouts_panel(struct pg *p, const struct asset *a)
{
	struct html *h = &p->h;
	int depth = html_depth(h);

	panel_open(p, "where", "Where it is");
	dl_open(p, "State");
	page_state_badge(p, a);
	html_close(h);
	page_dl_text(p, "Condition", asset_condition_name(a->condition), DT_CLASS, DD_CLASS);
	dl_open(p, "Slot");
	slot_cell(p, a);
	html_close(h);
	dl_open(p, "Holder");
	page_holder_link(p, a->holder_id, a->holder_name);
	html_close(h);
	if (a->state == ASSET_IN_CUSTODY) {
		page_dl_time(p, "In custody since", a->custody_since, DT_CLASS, DD_CLASS);
		page_dl_text(p, "Due", a->due, DT_CLASS, DD_CLASS);
		if (a->last_case_id) {
			dl_open(p, "Taken from slot");
			page_slot_link(p, a->last_case_name, a->last_position);
			html_close(h);
		}
	}
	page_dl_time(p, "Created", a->created_at, DT_CLASS, DD_CLASS);
	page_dl_time(p, "Updated", a->updated_at, DT_CLASS, DD_CLASS);
	if (a->state == ASSET_RETIRED)
		page_dl_time(p, "Retired", a->retired_at, DT_CLASS, DD_CLASS);
	html_closeto(h, depth);
}

/* What the asset is: its descriptive fields and notes. */
static void asset_details_panel(struct pg *p, const struct asset *a)
{
	struct html *h = &p->h;
	int depth = html_depth(h);

	panel_open(p, "details", "Details");
	/* Every one-line field, labelled as in core/fields.h; notes after. */
	for (int i = 0; i < AF__MAX; i++) {
		const struct field_spec *f = &asset_fields[i];
		if (!(f->flags & FIELD_MULTILINE) && f->rec_size)
			page_dl_text(p, f->label, field_of_record(a, f), DT_CLASS, DD_CLASS);
	}
	dl_open(p, asset_fields[AF_NOTES].label);
	if (a->notes[0])
		text_lines(p, a->notes);
	else
		html_text(h, "—");
	html_closeto(h, depth);
}

/* attrs_each callback: one <dt>/<dd> of the attributes panel. */
static int attr_dl_row(void *ctx, const char *name, const char *value)
{
	struct pg *p = ctx;

	dl_open(p, name);
	text_lines(p, value);
	html_close(&p->h);
	return 0;
}

/* The admin's form: one field per attribute (empty removes it), and a
 * name and value to add one. */
struct attr_form {
	struct pg *p;
	int i;
};

static int attr_form_row(void *ctx, const char *name, const char *value)
{
	struct attr_form *f = ctx;
	char n[32], v[32];

	snprintf(n, sizeof(n), "attr_name_%d", f->i);
	snprintf(v, sizeof(v), "attr_value_%d", f->i++);
	page_hidden(f->p, n, name);
	page_field(f->p, v, name, value, "Empty removes it", NULL, 0);
	return 0;
}

/* Field ids the attribute form's error summary may link to. */
static const char *const attr_field_ids[] = { "new_attr_name", "new_attr_value", NULL };

/* What the asset carries beyond its fields (core/attr.h): a list for
 * everyone, the form for admins (not on a retired asset, which does not
 * change). */
static void asset_attributes_panel(struct pg *p, const struct asset *a,
                                   const struct at_errors *e)
{
	struct html *h = &p->h;
	int depth = html_depth(h);
	char action[URL_MAX];
	struct attr_form f = { p, 0 };

	html_open(h, "div", "class", "col-12", HTML_END);
	html_open(h, "section", "class", "at-panel mb-0", "aria-labelledby", "attributes",
	          HTML_END);
	html_elem(h, "h2", "Attributes", "id", "attributes", "class", "h5 mt-0 mb-3", HTML_END);
	if (a->attributes[0]) {
		html_open(h, "dl", "class", "row gx-2 mb-0", HTML_END);
		attrs_each(a->attributes, attr_dl_row, p);
		html_close(h);
	} else {
		html_elem(h, "p", "None.", "class", "text-muted", HTML_END);
	}
	if (page_can(p->rq, ADMIN_ONLY) && a->state != ASSET_RETIRED) {
		html_elem(h, "h3", "Edit attributes", "class", "h6 mt-3", HTML_END);
		if (e)
			page_error_summary(p, e, attr_field_ids);
		page_url_seg(action, sizeof(action), "/assets/", a->tag);
		page_form_open(p, action, "edit-attributes");
		page_hidden(p, "op", "attributes");
		attrs_each(a->attributes, attr_form_row, &f);
		html_open(h, "div", "class", "row g-0 gx-md-3", HTML_END);
		html_open(h, "div", "class", "col-12 col-md-4", HTML_END);
		page_field(p, "new_attr_name", "New attribute name", NULL, "e.g. Company", NULL, 0);
		html_close(h);
		html_open(h, "div", "class", "col-12 col-md-8", HTML_END);
		page_field(p, "new_attr_value", "New attribute value", NULL, NULL, NULL, 0);
		html_close(h);
		html_close(h);
		page_button(p, "Save attributes", NULL, NULL, "primary");
		html_close(h);
	}
	html_closeto(h, depth);
}

/* Every field of the asset, in two panels side by side on wide screens,
 * its attributes under them.  `e`: a refused attribute change, or NULL. */
static void asset_panels(struct pg *p, const struct asset *a, const struct at_errors *e)
{
	html_open(&p->h, "div", "class", "row g-3 mb-3", HTML_END);
	asset_whereabouts_panel(p, a);
	asset_details_panel(p, a);
	asset_attributes_panel(p, a, e);
	html_close(&p->h);
}

/* The admin's actions that apply to this asset now. */
static void asset_actions(struct pg *p, const struct asset *a)
{
	char url[URL_MAX];
	int corrections = a->state == ASSET_STORAGE;
	int replace = a->state == ASSET_IN_CUSTODY || (a->state == ASSET_STORAGE && a->case_id);

	if (!page_can(p->rq, ADMIN_ONLY) || (!corrections && !replace))
		return;
	html_open(&p->h, "p", "class", "d-flex flex-wrap gap-2", HTML_END);
	if (corrections) {
		page_url_seg(url, sizeof(url), "/corrections?asset_tag=", a->tag);
		link_btn(p, url, "Corrections", "btn btn-outline-primary");
	}
	if (replace) {
		page_url_seg(url, sizeof(url), "/replace?asset_tag=", a->tag);
		link_btn(p, url, "Replace", "btn btn-outline-primary");
	}
	html_close(&p->h);
}

struct event_rows {
	struct pg *p;
	int n, more;
	int64_t last;                  /* seq of the oldest row shown */
};

/* read_events callback: one timeline row, up to a page. */
static int event_row(void *ctx, const struct event *ev)
{
	struct event_rows *r = ctx;

	if (page_rows_full(&r->n, &r->more, EVENT_PAGE))
		return 1;
	if (r->n == 1)
		page_events_table_open(r->p);
	r->last = ev->seq;
	page_events_table_row(r->p, ev);
	return 0;
}

/* The asset's events, newest first, one page from before `before` (0:
 * the newest), with an "Older events" link when there are more. */
static enum at_code asset_timeline(struct pg *p, const struct asset *a, int64_t before,
                                   struct at_errors *e)
{
	struct event_rows r = { p, 0, 0, 0 };
	struct event_filter f;
	char url[URL_MAX], seq[32];
	int depth = html_depth(&p->h);
	enum at_code c;

	html_elem(&p->h, "h2", "Timeline", "id", "timeline", HTML_END);
	memset(&f, 0, sizeof(f));
	f.asset_tag = a->tag;
	f.descending = 1;
	f.after_seq = before;
	f.limit = EVENT_PAGE + 1;
	c = read_events(p->rq->st, &f, event_row, &r, e);
	if (r.n)
		page_events_table_close(p);
	html_closeto(&p->h, depth);
	if (c != AT_OK)
		return c;
	if (r.n == 0)
		html_elem(&p->h, "p", before ? "No older events." : "No events.", "class",
		          "text-muted", HTML_END);
	if (r.more) {
		page_url_seg(url, sizeof(url), "/assets/", a->tag);
		snprintf(seq, sizeof(seq), "%lld", (long long)r.last);
		page_url_add(url, sizeof(url), "before", seq);
		html_open(&p->h, "nav", "aria-label", "Timeline pages", HTML_END);
		link_btn(p, url, "Older events", "btn btn-outline-primary");
		html_close(&p->h);
	}
	return AT_OK;
}

/* The "created" panel after the new-asset form, read back from the
 * asset as it is now. */
static void asset_created_notice(struct pg *p, const struct asset *a)
{
	char title[AT_TAG_MAX + 32], text[AT_NAME_MAX + 48], slot[AT_NAME_MAX + 16];

	snprintf(title, sizeof(title), "Asset %s created", a->tag);
	asset_slot_label(a, slot, sizeof(slot));
	if (slot[0])
		snprintf(text, sizeof(text), "It is in slot %s.", slot);
	else
		snprintf(text, sizeof(text), "It is in storage, in no slot.");
	page_notice(p, "success", title, text);
}

/* The asset page with `status`; `refused` is a refused attribute change
 * (shown in the form's summary), or NULL. */
static void asset_render(struct request *rq, int status, const struct at_errors *refused)
{
	struct at_errors e = AT_ERRORS_INIT;
	char why[AT_MSG_MAX], title[AT_TAG_MAX + 8];
	const char *before_s = web_query(rq, "before"), *created = web_query(rq, "created");
	int64_t before = 0;
	struct asset a;
	struct pg p;
	enum at_code c;

	c = asset_resolve(rq->st, rq->params[0], &a, NULL, why);
	if (c != AT_OK) {
		page_error(rq, at_code_http(c), c == AT_NOT_FOUND ? "Asset not found" : "No such asset",
		           "%s", why);
		return;
	}
	if (before_s && *before_s && text_parse_int(before_s, 1, INT64_MAX, &before) < 0) {
		page_error(rq, 400, "Bad request", "before must be an event number, not '%.40s'.",
		           before_s);
		return;
	}
	snprintf(title, sizeof(title), "Asset %s", a.tag);
	page_begin(&p, rq, title);
	if (created && strcmp(created, "1") == 0)
		asset_created_notice(&p, &a);
	else if (web_query(rq, "saved"))
		page_notice(&p, "success", "Attributes saved", NULL);
	asset_actions(&p, &a);
	asset_panels(&p, &a, refused);
	c = asset_timeline(&p, &a, before, &e);
	if (c != AT_OK)
		page_notice(&p, "danger", "Cannot read the timeline", e.message);
	page_end(&p, c == AT_OK ? status : at_code_http(c));
	at_errors_free(&e);
}

void page_asset(struct request *rq)
{
	asset_render(rq, 200, NULL);
}

/* POST /assets/{tag}, op=attributes: the edit form's changes as one
 * asset update (one ASSET_UPDATED listing old and new per name). */
void page_asset_post(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	const struct form *fm = &rq->form;
	const char *op = form_get(fm, "op"), *nn = form_get(fm, "new_attr_name");
	struct attr_change ch[AT_ATTR_COUNT_MAX + 1];
	struct asset_input in;
	char url[URL_MAX];
	struct asset a;
	size_t n = 0;

	if (!op || strcmp(op, "attributes") != 0) {
		page_error(rq, 400, "Bad request", "The form did not say what to change.");
		return;
	}
	for (int i = 0; n < AT_ATTR_COUNT_MAX; i++) {
		char name_f[32], value_f[32];
		snprintf(name_f, sizeof(name_f), "attr_name_%d", i);
		snprintf(value_f, sizeof(value_f), "attr_value_%d", i);
		if (!form_get(fm, name_f))
			break;
		ch[n].name = form_get(fm, name_f);
		ch[n++].value = form_get(fm, value_f);
	}
	if (nn && *nn) {
		ch[n].name = nn;
		ch[n++].value = form_get(fm, "new_attr_value");
	}
	memset(&in, 0, sizeof(in));
	in.attrs = ch;
	in.nattrs = n;
	if (n == 0) {
		page_url_seg(url, sizeof(url), "/assets/", rq->params[0]);
		web_redirect(rq, url);
		return;
	}
	if (asset_update(rq->st, rq->actor, rq->params[0], &in, &a, &e) == AT_OK) {
		page_url_seg(url, sizeof(url), "/assets/", a.tag);
		page_url_add(url, sizeof(url), "saved", "1");
		web_redirect(rq, url);
	} else if (e.code == AT_NOT_FOUND || e.code == AT_STORAGE || e.code == AT_BUSY ||
	           e.code == AT_INTERNAL) {
		page_refusal(rq, &e);
	} else {
		/* A new name's problems point at its field. */
		for (size_t i = 0; i < e.nitems; i++)
			if (nn && *nn && strstr(e.items[i].message, nn))
				snprintf(e.items[i].input, sizeof(e.items[i].input), "new_attr_name");
		db_read_begin(rq->st, NULL);
		asset_render(rq, page_refusal_status(&e), &e);
		db_read_end(rq->st);
	}
	at_errors_free(&e);
}

/* ==== /admin/assets/new ================================================= */

/* The form's text fields are the asset's (core/fields.h) but condition,
 * which a new asset does not choose (GOOD); these hints go with them. */
#define NEW_NFIELDS AF_CONDITION
static const char *const new_hints[AF__MAX] = {
	[AF_TAG] = "What the barcode says: letters, digits, - _ .",
	[AF_SERIAL] = "As printed on the device",
};

/* page_field flags of asset field `i`. */
static unsigned new_flags(int i)
{
	const struct field_spec *f = &asset_fields[i];

	return ((f->flags & FIELD_REQUIRED) ? F_REQUIRED : 0) |
	       ((f->flags & FIELD_MULTILINE) ? F_TEXTAREA : 0) |
	       (i == AF_TAG ? F_AUTOFOCUS | F_SCAN : 0);
}

/* Field ids the error summary may link to. */
static const char *const new_field_ids[] = {
	"asset_tag", "serial_number", "manufacturer", "equipment_type", "building", "room",
	"model", "model_code", "notes", "case", "slot", NULL,
};

/* Case names for the Case <select>: up to CASE_SELECT_MAX + 1, so that
 * "more than the select holds" can be told apart. */
struct case_names {
	char (*name)[AT_NAME_MAX + 1];
	int n;
};

static int case_name_row(void *ctx, const struct case_info *c)
{
	struct case_names *cn = ctx;

	snprintf(cn->name[cn->n++], sizeof(cn->name[0]), "%s", c->name);
	return cn->n > CASE_SELECT_MAX;
}

/* The Case field: a <select> of the cases, or a text field when there
 * are too many for one, or when they cannot be read.  The select's first
 * choice is "none yet", so a case is picked on purpose. */
static void case_field(struct pg *p, const char *value, const char *error)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct case_names cn = { NULL, 0 };
	const char **values = NULL, **labels = NULL;

	cn.name = calloc(CASE_SELECT_MAX + 1, sizeof(cn.name[0]));
	values = calloc(CASE_SELECT_MAX + 2, sizeof(values[0]));
	labels = calloc(CASE_SELECT_MAX + 2, sizeof(labels[0]));
	if (!cn.name || !values || !labels ||
	    read_cases(p->rq->st, NULL, CASE_SELECT_MAX + 1, case_name_row, &cn, &e) != AT_OK ||
	    cn.n > CASE_SELECT_MAX) {
		page_field(p, "case", "Case", value, "The case's name, as on its label", error, 0);
		goto out;
	}
	values[0] = "";
	labels[0] = "Choose a case";
	for (int i = 0; i < cn.n; i++)
		values[i + 1] = labels[i + 1] = cn.name[i];
	page_select(p, "case", "Case", values, labels, (size_t)cn.n + 1, value, error);
out:
	free(labels);
	free(values);
	free(cn.name);
	at_errors_free(&e);
}

/* The new-asset form, with `e`'s errors (may be NULL) and what was typed
 * (rq->form on a re-render; empty on GET). */
static void new_asset_page(struct request *rq, const struct at_errors *e, int status)
{
	const struct form *fm = &rq->form;
	int assign = e && form_get(fm, "assign_slot") != NULL;
	struct pg p;
	struct html *h = &p.h;

	page_begin(&p, rq, "New asset");
	if (e)
		page_error_summary(&p, e, new_field_ids);
	page_form_open(&p, "/admin/assets/new", "new-asset");
	html_open(h, "div", "class", "row g-0 gx-md-3", HTML_END);
	for (int i = 0; i < NEW_NFIELDS; i++) {
		const struct field_spec *f = &asset_fields[i];
		unsigned flags = new_flags(i);
		html_open(h, "div", "class", flags & F_TEXTAREA ? "col-12" : "col-12 col-md-6",
		          HTML_END);
		/* After a refusal the error summary takes the focus instead. */
		page_field(&p, f->name, f->label, e ? form_get(fm, f->name) : NULL, new_hints[i],
		           e ? page_field_error(e, f->name) : NULL,
		           e ? flags & ~(unsigned)F_AUTOFOCUS : flags);
		html_close(h);
	}
	html_close(h);
	html_open(h, "fieldset", "class", "at-panel", HTML_END);
	html_elem(h, "legend", "Slot", "class", "visually-hidden", HTML_END);
	page_checkbox(&p, "assign_slot", "Assign to a slot", assign, "slot-fields");
	html_open(h, "div", "id", "slot-fields", "class", "row g-0 gx-md-3", HTML_END);
	html_open(h, "div", "class", "col-12 col-md-6", HTML_END);
	case_field(&p, e ? form_get(fm, "case") : NULL, e ? page_field_error(e, "case") : NULL);
	html_close(h);
	html_open(h, "div", "class", "col-12 col-md-6", HTML_END);
	page_field(&p, "slot", "Slot", e ? form_get(fm, "slot") : NULL, "Position in the case",
	           e ? page_field_error(e, "slot") : NULL, F_NUMBER | F_NARROW);
	html_close(h);
	html_close(h);
	html_close(h);
	page_button(&p, "Create asset", NULL, NULL, "primary");
	html_close(h);
	page_end(&p, status);
}

void page_asset_new_get(struct request *rq)
{
	new_asset_page(rq, NULL, 200);
}

/*
 * Point every item of a refusal at the form field it is about.  Core
 * names its fields, except that a duplicate tag's item carries the tag
 * itself (the input a batch would show) and a slot item may be about the
 * case: an unknown case, or none chosen.
 */
static void new_asset_errors_to_fields(struct at_errors *e, const char *tag,
                                       const char *case_name)
{
	char clean[AT_TAG_MAX + 1];
	int no_case = !case_name || !*case_name;

	if (text_clean_scan(tag ? tag : "", clean, sizeof(clean), NULL) < 0)
		clean[0] = '\0';
	for (size_t i = 0; i < e->nitems; i++) {
		struct at_item_error *it = &e->items[i];
		if (it->code == AT_DUPLICATE && clean[0] && strcmp(it->input, clean) == 0 &&
		    strncmp(it->message, "serial number ", 14) != 0)
			snprintf(it->input, sizeof(it->input), "asset_tag");
		else if (strcmp(it->input, "slot") == 0 &&
		         (it->code == AT_NOT_FOUND || (it->code == AT_INVALID && no_case)))
			snprintf(it->input, sizeof(it->input), "case");
	}
	/* Core words its field checks with the field's name
	 * ("serial_number is required"); a person reads the label. */
	for (size_t i = 0; i < e->nitems; i++) {
		struct at_item_error *it = &e->items[i];
		for (int j = 0; j < NEW_NFIELDS; j++) {
			const struct field_spec *f = &asset_fields[j];
			size_t n = strlen(f->name);
			if (strcmp(it->input, f->name) == 0 && strncmp(it->message, f->name, n) == 0 &&
			    (it->message[n] == ' ' || it->message[n] == ':')) {
				char msg[AT_MSG_MAX];
				snprintf(msg, sizeof(msg), "%s%s", f->label, it->message + n);
				snprintf(it->message, sizeof(it->message), "%s", msg);
			}
		}
	}
}

void page_asset_new_post(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	const struct form *fm = &rq->form;
	const char *slot = form_get(fm, "slot");
	char url[URL_MAX];
	struct asset_input in;
	struct asset a;
	int64_t pos = -1;
	enum at_code c;

	memset(&in, 0, sizeof(in));
	for (int i = 0; i < NEW_NFIELDS; i++)
		*asset_input_field(&in, &asset_fields[i]) = form_get(fm, asset_fields[i].name);
	/* The slot fields count only while the box is ticked: without
	 * JavaScript they are always on the page. */
	if (form_get(fm, "assign_slot")) {
		in.slot_case = form_get(fm, "case");
		if (!in.slot_case)
			in.slot_case = "";
		if (!slot || text_parse_int(slot, 1, AT_MAX_SLOTS, &pos) < 0)
			pos = -1;
		in.slot_position = (int)pos;
	}
	c = asset_create(rq->st, rq->actor, &in, &a, &e);
	if (c == AT_OK) {
		page_url_seg(url, sizeof(url), "/assets/", a.tag);
		page_url_add(url, sizeof(url), "created", "1");
		web_redirect(rq, url);
	} else if (c == AT_STORAGE || c == AT_BUSY || c == AT_INTERNAL) {
		page_refusal(rq, &e);
	} else {
		new_asset_errors_to_fields(&e, in.tag, in.slot_case);
		new_asset_page(rq, &e, at_code_http(c));
	}
	at_errors_free(&e);
}
