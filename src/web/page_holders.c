/*
 * page_holders.c — the people who can hold custody (SPEC §2, §8.1):
 * /holders lists them (keyset pages by id) and lets an admin add one;
 * /holders/{id} shows one holder, what they hold now and their recent
 * events, and lets an admin edit, deactivate or reactivate them.
 *
 * Writes go through holder_create and holder_update, as the JSON API's
 * do.  The holder page's forms post to /holders/{id} with a hidden `op`
 * (update, deactivate, reactivate) so one handler dispatches; core refuses
 * deactivating a holder who still holds assets, and that refusal is shown
 * in the error summary and beside the button.
 */
#include <stdio.h>
#include <string.h>

#include "core/db.h"
#include "core/holder.h"
#include "core/read.h"
#include "util/text.h"
#include "core/fields.h"
#include "web/page.h"

#define HOLDERS_PAGE 50
#define HELD_PAGE 50
#define EVENTS_PAGE 50

/* Field ids the error summary links to (the deactivate form's id too). */
static const char *const holder_ids[] = { "name", "badge", "email", "deactivate", NULL };

/* ==== shared ========================================================== */

/*
 * Copy a holder_create/holder_update refusal into `dst` so every message
 * sits beside a field: items already name theirs ("name", "badge",
 * "email"); a duplicate badge is the badge's, and the only conflict
 * (deactivating someone who holds assets) is the deactivate button's.
 */
static void holder_map(struct at_errors *dst, const struct at_errors *src)
{
	for (size_t i = 0; i < src->nitems; i++)
		at_item(dst, src->items[i].input, src->items[i].code, "%s", src->items[i].message);
	if (src->nitems == 0)
		at_item(dst,
		        src->code == AT_DUPLICATE  ? "badge"
		        : src->code == AT_CONFLICT ? "deactivate"
		                                   : "",
		        src->code, "%s", src->message);
	dst->code = src->code;
	snprintf(dst->message, sizeof(dst->message), "%s", src->message);
}

/* The Name, Badge and Email fields, showing `name`/`badge`/`email`. */
static void holder_form_fields(struct pg *p, const char *name, const char *badge, const char *email,
                          const struct at_errors *e)
{
	page_field(p, holder_fields[HF_NAME].name, holder_fields[HF_NAME].label, name, NULL,
	           page_field_error(e, "name"), F_REQUIRED);
	page_field(p, holder_fields[HF_BADGE].name, holder_fields[HF_BADGE].label, badge,
	           "Scan the badge, or leave empty",
	           page_field_error(e, "badge"), 0);
	page_field(p, holder_fields[HF_EMAIL].name, holder_fields[HF_EMAIL].label, email, NULL,
	           page_field_error(e, "email"), 0);
}

/* "Active" or "Inactive" as a badge. */
static void active_badge(struct pg *p, int active)
{
	html_elem(&p->h, "span", active ? "Active" : "Inactive", "class",
	          active ? "badge text-bg-success" : "badge text-bg-secondary", HTML_END);
}

/* A <th scope=col> with an optional class (to hide it on phones). */
static void th(struct pg *p, const char *text, const char *cls)
{
	html_elem(&p->h, "th", text, "scope", "col", "class", cls, HTML_END);
}

/* A pager link "prefix<value>" in a <p>. */
static void pager_link(struct pg *p, const char *prefix, const char *value, const char *text)
{
	html_open(&p->h, "p", "class", "mt-2", HTML_END);
	page_link(p, prefix, value, text);
	html_close(&p->h);
}

/* ==== /holders ======================================================== */

/* One page of the holder list being written. */
struct holder_rows {
	struct pg *p;
	int n;
	int64_t last;
	int more;
};

static int holder_row(void *ctx, const struct holder *h)
{
	struct holder_rows *r = ctx;
	struct html *x = &r->p->h;

	if (page_rows_full(&r->n, &r->more, HOLDERS_PAGE))
		return 1;
	r->last = h->id;
	html_open(x, "tr", HTML_END);
	html_open(x, "td", HTML_END);
	html_int(x, h->id);
	html_close(x);
	html_open(x, "td", HTML_END);
	page_holder_link(r->p, h->id, h->name);
	html_close(x);
	html_elem(x, "td", h->badge[0] ? h->badge : "—", "class", "mono", HTML_END);
	html_elem(x, "td", h->email[0] ? h->email : "—", "class", "d-none d-md-table-cell",
	          HTML_END);
	html_open(x, "td", HTML_END);
	active_badge(r->p, h->active);
	html_close(x);
	html_close(x);
	return 0;
}

/* The holder table from id `after` on, with its pager. */
static void holders_table(struct pg *p, int64_t after)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct holder_rows r = { p, 0, 0, 0 };
	char next[32];
	static const struct page_col cols[] = {
		{ "ID", NULL }, { "Name", NULL }, { "Badge", NULL },
		{ "Email", "d-none d-md-table-cell" }, { "Status", NULL },
	};
	int depth;
	enum at_code c;

	depth = page_table_open(p, "bg-white", NULL, cols, sizeof(cols) / sizeof(cols[0]));
	c = read_holders(p->rq->st, after, HOLDERS_PAGE + 1, holder_row, &r, &e);
	html_closeto(&p->h, depth);
	if (c != AT_OK)
		page_notice(p, "danger", "The list cannot be read", e.message);
	else if (r.n == 0)
		html_elem(&p->h, "p", after ? "No more holders." : "No holders yet.", HTML_END);
	if (r.more) {
		snprintf(next, sizeof(next), "%lld", (long long)r.last);
		pager_link(p, "/holders?after=", next, "Next 50 holders");
	}
	if (after)
		pager_link(p, "/holders", "", "Back to the first page");
	at_errors_free(&e);
}

/* The admin's "Add holder" card; `typed` is the refused post, or NULL. */
static void holder_add_card(struct pg *p, const struct form *typed, const struct at_errors *e)
{
	int depth = html_depth(&p->h);

	html_open(&p->h, "section", "class", "card", "aria-labelledby", "add-holder-title",
	          HTML_END);
	html_open(&p->h, "div", "class", "card-body", HTML_END);
	html_elem(&p->h, "h2", "Add holder", "class", "h5 card-title mt-0", "id",
	          "add-holder-title", HTML_END);
	page_form_open(p, "/holders", "add-holder");
	holder_form_fields(p, typed ? form_get(typed, "name") : NULL,
	              typed ? form_get(typed, "badge") : NULL,
	              typed ? form_get(typed, "email") : NULL, e);
	page_button(p, "Add holder", NULL, NULL, "primary");
	html_closeto(&p->h, depth);
}

/* The list page with `status`; `typed`/`e` are a refused add, or NULL. */
static void holders_render(struct request *rq, int status, int64_t after,
                           const struct form *typed, const struct at_errors *e)
{
	int admin = page_can(rq, ADMIN_ONLY);
	struct pg p;

	page_begin(&p, rq, "Holders");
	if (e)
		page_error_summary(&p, e, holder_ids);
	html_open(&p.h, "div", "class", "row g-4", HTML_END);
	html_open(&p.h, "div", "class", admin ? "col-12 col-lg-8" : "col-12", HTML_END);
	html_elem(&p.h, "h2", "People who can hold custody", "class", "visually-hidden", HTML_END);
	holders_table(&p, after);
	html_close(&p.h);
	if (admin) {
		html_open(&p.h, "div", "class", "col-12 col-lg-4", HTML_END);
		holder_add_card(&p, typed, e);
		html_close(&p.h);
	}
	html_close(&p.h);
	page_end(&p, status);
}

void page_holders(struct request *rq)
{
	const char *s = web_query(rq, "after");
	int64_t after = 0;

	if (s && *s && text_parse_int(s, 0, INT64_MAX, &after) < 0) {
		page_error(rq, 400, "Bad request", "after must be a holder id, not '%.40s'.", s);
		return;
	}
	holders_render(rq, 200, after, NULL, NULL);
}

/* Empty optional fields mean "none": core takes NULL for that. */
static const char *opt(const char *s)
{
	return s && *s ? s : NULL;
}

void page_holders_post(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT, mapped = AT_ERRORS_INIT;
	const struct form *f = &rq->form;
	struct holder h;
	char loc[64];

	if (holder_create(rq->st, rq->actor, form_get(f, "name") ? form_get(f, "name") : "",
	                  opt(form_get(f, "badge")), opt(form_get(f, "email")), &h,
	                  &e) == AT_OK) {
		snprintf(loc, sizeof(loc), "/holders/%lld?created=1", (long long)h.id);
		web_redirect(rq, loc);
		at_errors_free(&e);
		return;
	}
	holder_map(&mapped, &e);
	/* The list around the form is read in one snapshot, as a GET's is. */
	db_read_begin(rq->st, NULL);
	holders_render(rq, page_refusal_status(&mapped), 0, f, &mapped);
	db_read_end(rq->st);
	at_errors_free(&mapped);
	at_errors_free(&e);
}

/* ==== /holders/{id}: reading ========================================== */

/* The holder named by the path; on failure the error page is sent and
 * -1 returned. */
static int path_holder(struct request *rq, int64_t *id, struct holder *h)
{
	struct at_errors e = AT_ERRORS_INIT;

	if (text_parse_int(rq->params[0], 1, INT64_MAX, id) < 0) {
		page_error(rq, 404, "Not found", "There is no holder #%.40s.", rq->params[0]);
		return -1;
	}
	if (h && read_holder(rq->st, *id, h, &e) != AT_OK) {
		page_refusal(rq, &e);
		at_errors_free(&e);
		return -1;
	}
	return 0;
}

/* What they hold: one page of rows being written. */
struct held_rows {
	struct pg *p;
	int n, more, admin;
	char today[11];
	char last[AT_TAG_MAX + 1];
	const char *after;           /* the page starts after this tag (NULL: first) */
};

/* The Due cell: the date, flagged when it has passed. */
static void due_cell(struct pg *p, const struct asset *a, const char *today)
{
	html_open(&p->h, "td", HTML_END);
	html_text(&p->h, a->due[0] ? a->due : "—");
	if (a->due[0] && strcmp(a->due, today) < 0) {
		html_text(&p->h, " ");
		html_elem(&p->h, "span", "Overdue", "class", "badge text-bg-danger", HTML_END);
	}
	html_close(&p->h);
}

/* The admin's "Replace" link for one held asset; the tag is in the
 * link's name for screen readers ("Replace AT-0031"), hidden on screen. */
static void replace_cell(struct pg *p, const char *tag)
{
	char href[256];

	page_url_seg(href, sizeof(href), "/replace?asset_tag=", tag);
	html_open(&p->h, "td", HTML_END);
	html_open(&p->h, "a", "href", href, HTML_END);
	html_text(&p->h, "Replace");
	html_open(&p->h, "span", "class", "visually-hidden", HTML_END);
	html_text(&p->h, " ");
	html_text(&p->h, tag);
	html_close(&p->h);
	html_close(&p->h);
	html_close(&p->h);
}

static int held_row(void *ctx, const struct asset *a)
{
	struct held_rows *r = ctx;
	struct html *x = &r->p->h;

	if (r->after && strcmp(a->tag, r->after) <= 0)
		return 0; /* on an earlier page (rows come in tag order) */
	if (page_rows_full(&r->n, &r->more, HELD_PAGE))
		return 1;
	snprintf(r->last, sizeof(r->last), "%s", a->tag);
	html_open(x, "tr", HTML_END);
	html_open(x, "td", "class", "text-nowrap", HTML_END);
	page_link(r->p, "/assets/", a->tag, a->tag);
	html_close(x);
	html_open(x, "td", "class", "d-none d-sm-table-cell", HTML_END);
	html_text(x, a->equipment_type);
	if (a->model[0]) {
		html_text(x, " · ");
		html_text(x, a->model);
	}
	html_close(x);
	html_open(x, "td", HTML_END);
	page_time(r->p, a->custody_since);
	html_close(x);
	due_cell(r->p, a, r->today);
	if (r->admin)
		replace_cell(r->p, a->tag);
	html_close(x);
	return 0;
}

/* "Holding now": what holder `h` holds, one page from tag `after`. */
static void held_section(struct pg *p, const struct holder *h, const char *after)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct held_rows r;
	char prefix[64];
	int depth = html_depth(&p->h);
	enum at_code c;

	memset(&r, 0, sizeof(r));
	r.p = p;
	r.admin = page_can(p->rq, ADMIN_ONLY);
	r.after = after;
	text_today(r.today);
	html_open(&p->h, "section", "aria-labelledby", "held-title", HTML_END);
	html_elem(&p->h, "h2", "Holding now", "id", "held-title", "class", "h5 mt-0", HTML_END);
	html_open(&p->h, "div", "class", "table-responsive", HTML_END);
	html_open(&p->h, "table", "class", "table table-sm table-striped align-middle bg-white",
	          HTML_END);
	html_open(&p->h, "thead", HTML_END);
	html_open(&p->h, "tr", HTML_END);
	th(p, "Asset", NULL);
	th(p, "Equipment", "d-none d-sm-table-cell");
	th(p, "Since", NULL);
	th(p, "Due", NULL);
	if (r.admin) {
		html_open(&p->h, "th", "scope", "col", HTML_END);
		html_elem(&p->h, "span", "Action", "class", "visually-hidden", HTML_END);
		html_close(&p->h);
	}
	html_close(&p->h);
	html_close(&p->h);
	html_open(&p->h, "tbody", HTML_END);
	/* Through the holder's index, in tag order, the page cut here: the
	 * general list (read_assets with a holder and a limit) walks every
	 * asset in tag order until it has a page of this holder's, all of
	 * them for one holding fewer than a page, 150 ms at 1,000,000
	 * assets (bench/README.md, "Scale").  This reads the holder's assets
	 * only, a few hundred at most in practice. */
	c = read_holder_assets(p->rq->st, h->id, held_row, &r, &e);
	html_closeto(&p->h, depth + 1);
	if (c != AT_OK)
		page_notice(p, "danger", "What they hold cannot be read", e.message);
	else if (r.n == 0)
		html_elem(&p->h, "p", after ? "Nothing more." : "Holds nothing right now.", HTML_END);
	if (r.more) {
		snprintf(prefix, sizeof(prefix), "/holders/%lld?held_after=", (long long)h->id);
		pager_link(p, prefix, r.last, "Next 50 assets they hold");
	}
	html_closeto(&p->h, depth);
	at_errors_free(&e);
}

/* Recent events: one page being written. */
struct event_rows {
	struct pg *p;
	int n, more;
	int64_t last;
};

static int event_row(void *ctx, const struct event *ev)
{
	struct event_rows *r = ctx;

	if (page_rows_full(&r->n, &r->more, EVENTS_PAGE))
		return 1;
	r->last = ev->seq;
	page_events_table_row(r->p, ev);
	return 0;
}

/* "Recent events": about holder `h`, newest first, before seq `before`. */
static void events_section(struct pg *p, const struct holder *h, int64_t before)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct event_rows r = { p, 0, 0, 0 };
	struct event_filter f;
	char prefix[64], seq[32];
	enum at_code c;

	memset(&f, 0, sizeof(f));
	f.holder_id = h->id;
	f.descending = 1;
	f.after_seq = before;
	f.limit = EVENTS_PAGE + 1;
	html_open(&p->h, "section", "aria-labelledby", "events-title", "class", "mt-4", HTML_END);
	html_elem(&p->h, "h2", before ? "Older events" : "Recent events", "id", "events-title",
	          "class", "h5", HTML_END);
	page_events_table_open(p);
	c = read_events(p->rq->st, &f, event_row, &r, &e);
	page_events_table_close(p);
	if (c != AT_OK)
		page_notice(p, "danger", "The events cannot be read", e.message);
	else if (r.n == 0)
		html_elem(&p->h, "p", "No events.", HTML_END);
	if (r.more) {
		snprintf(prefix, sizeof(prefix), "/holders/%lld?before=", (long long)h->id);
		snprintf(seq, sizeof(seq), "%lld", (long long)r.last);
		pager_link(p, prefix, seq, "Older events");
	}
	html_close(&p->h);
	at_errors_free(&e);
}

/* ==== /holders/{id}: the page ========================================= */

/* The deactivate (or reactivate) form at the foot of the details card,
 * with a refused deactivation's reason beside its button. */
static void active_form(struct pg *p, const struct holder *h, const struct at_errors *e)
{
	const char *err = page_field_error(e, "deactivate");
	char action[64], question[AT_PERSON_MAX + 80];

	snprintf(action, sizeof(action), "/holders/%lld", (long long)h->id);
	snprintf(question, sizeof(question), "Deactivate %s? They can no longer be given custody.",
	         h->name);
	html_open(&p->h, "div", "class", "mt-3", HTML_END);
	page_form_open_ex(p, action, h->active ? "deactivate" : "reactivate",
	                  h->active ? question : NULL, 0);
	page_hidden(p, "op", h->active ? "deactivate" : "reactivate");
	if (err)
		html_elem(&p->h, "p", err, "class", "field-error", "id", "deactivate-error", HTML_END);
	html_elem(&p->h, "button", h->active ? "Deactivate holder" : "Reactivate holder", "type",
	          "submit", "class", h->active ? "btn btn-outline-danger" : "btn btn-outline-success",
	          "aria-describedby", err ? "deactivate-error" : NULL, HTML_END);
	html_close(&p->h);
	html_close(&p->h); /* div */
}

/* The details card: id, badge, email, status, times; admins get the
 * deactivate/reactivate button. */
static void details_card(struct pg *p, const struct holder *h, const struct at_errors *e)
{
	char id[32], href[64];
	int depth = html_depth(&p->h);

	snprintf(id, sizeof(id), "#%lld", (long long)h->id);
	html_open(&p->h, "section", "class", "card", "aria-labelledby", "details-title",
	          HTML_END);
	html_open(&p->h, "div", "class", "card-body", HTML_END);
	html_elem(&p->h, "h2", "Details", "class", "h5 card-title mt-0", "id", "details-title",
	          HTML_END);
	html_open(&p->h, "dl", "class", "row mb-0", HTML_END);
	page_dl_text(p, "ID", id, "col-4", "col-8");
	page_dl_text(p, "Badge", h->badge, "col-4", "col-8");
	page_dl_text(p, "Email", h->email, "col-4", "col-8");
	html_elem(&p->h, "dt", "Status", "class", "col-4", HTML_END);
	html_open(&p->h, "dd", "class", "col-8", HTML_END);
	active_badge(p, h->active);
	html_close(&p->h);
	page_dl_time(p, "Added", h->created_at, "col-4", "col-8");
	page_dl_time(p, "Changed", h->updated_at, "col-4", "col-8");
	html_close(&p->h);
	/* Everything they ever held, when out and when back. */
	snprintf(href, sizeof(href), "/reports/holders/%lld", (long long)h->id);
	html_elem(&p->h, "a", "Custody history", "class", "btn btn-sm btn-outline-secondary mt-3",
	          "href", href, HTML_END);
	if (page_can(p->rq, ADMIN_ONLY))
		active_form(p, h, e);
	html_closeto(&p->h, depth);
}

/* The admin's "Edit holder" card: `typed` is a refused update, or NULL
 * (then the holder's current values). */
static void edit_card(struct pg *p, const struct holder *h, const struct form *typed,
                      const struct at_errors *e)
{
	char action[64];
	int depth = html_depth(&p->h);

	snprintf(action, sizeof(action), "/holders/%lld", (long long)h->id);
	html_open(&p->h, "section", "class", "card", "aria-labelledby", "edit-title", HTML_END);
	html_open(&p->h, "div", "class", "card-body", HTML_END);
	html_elem(&p->h, "h2", "Edit holder", "class", "h5 card-title mt-0", "id", "edit-title",
	          HTML_END);
	page_form_open(p, action, "edit-holder");
	page_hidden(p, "op", "update");
	holder_form_fields(p, typed ? form_get(typed, "name") : h->name,
	              typed ? form_get(typed, "badge") : h->badge,
	              typed ? form_get(typed, "email") : h->email, typed ? e : NULL);
	page_button(p, "Save changes", NULL, NULL, "primary");
	html_closeto(&p->h, depth);
}

/* The success notice a redirect asked for (?created=1 ...). */
static void holder_notice(struct pg *p, const struct holder *h)
{
	char text[AT_MSG_MAX];

	if (web_query(p->rq, "created")) {
		snprintf(text, sizeof(text), "%s is holder #%lld and can now be given custody.",
		         h->name, (long long)h->id);
		page_notice(p, "success", "Holder added", text);
	} else if (web_query(p->rq, "saved")) {
		page_notice(p, "success", "Changes saved", NULL);
	} else if (web_query(p->rq, "deactivated")) {
		snprintf(text, sizeof(text), "%s can no longer be given custody.", h->name);
		page_notice(p, "success", "Holder deactivated", text);
	} else if (web_query(p->rq, "reactivated")) {
		snprintf(text, sizeof(text), "%s can be given custody again.", h->name);
		page_notice(p, "success", "Holder reactivated", text);
	}
}

/* The holder page with `status`; `typed`/`e` are a refused post (typed
 * only for an edit), or NULL. */
static void holder_render(struct request *rq, const struct holder *h, int status,
                          const struct form *typed, const struct at_errors *e)
{
	int64_t before = 0;
	const char *s = web_query(rq, "before"), *held_after = web_query(rq, "held_after");
	struct pg p;

	if (s && *s)
		text_parse_int(s, 1, INT64_MAX, &before);
	page_begin(&p, rq, h->name);
	if (e)
		page_error_summary(&p, e, holder_ids);
	else
		holder_notice(&p, h);
	if (!h->active && !web_query(rq, "deactivated"))
		page_notice(&p, "warning", NULL, "This holder is inactive: they cannot be given custody.");
	/* Source order is the phone's reading order (details, holdings,
	 * edit); on a wide screen the edit card wraps under the details. */
	html_open(&p.h, "div", "class", "row g-4", HTML_END);
	html_open(&p.h, "div", "class", "col-12 col-lg-4", HTML_END);
	details_card(&p, h, e);
	html_close(&p.h);
	html_open(&p.h, "div", "class", "col-12 col-lg-8", HTML_END);
	held_section(&p, h, held_after && *held_after ? held_after : NULL);
	html_close(&p.h);
	if (page_can(rq, ADMIN_ONLY)) {
		html_open(&p.h, "div", "class", "col-12 col-lg-4", HTML_END);
		edit_card(&p, h, typed, e);
		html_close(&p.h);
	}
	html_close(&p.h);
	events_section(&p, h, before);
	page_end(&p, status);
}

void page_holder(struct request *rq)
{
	struct holder h;
	int64_t id;

	if (path_holder(rq, &id, &h) < 0)
		return;
	holder_render(rq, &h, 200, NULL, NULL);
}

/* Run the posted `op` on holder `id`; on success `done` is the query
 * flag to redirect with. */
static enum at_code holder_op(struct request *rq, int64_t id, const char *op, const char **done,
                              struct at_errors *e)
{
	const struct form *f = &rq->form;
	struct holder out;

	if (strcmp(op, "update") == 0) {
		*done = "saved";
		return holder_update(rq->st, rq->actor, id, form_get(f, "name"), form_get(f, "badge"),
		                     form_get(f, "email"), -1, &out, e);
	}
	*done = strcmp(op, "deactivate") == 0 ? "deactivated" : "reactivated";
	return holder_update(rq->st, rq->actor, id, NULL, NULL, NULL, op[0] == 'r', &out, e);
}

void page_holder_post(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT, mapped = AT_ERRORS_INIT;
	const char *op = form_get(&rq->form, "op"), *done = NULL;
	struct holder h;
	char loc[96];
	int64_t id;

	if (path_holder(rq, &id, NULL) < 0)
		return;
	if (!op || (strcmp(op, "update") && strcmp(op, "deactivate") && strcmp(op, "reactivate"))) {
		page_error(rq, 400, "Bad request", "The form did not say what to change.");
		return;
	}
	if (holder_op(rq, id, op, &done, &e) == AT_OK) {
		snprintf(loc, sizeof(loc), "/holders/%lld?%s=1", (long long)id, done);
		web_redirect(rq, loc);
		at_errors_free(&e);
		return;
	}
	if (e.code == AT_NOT_FOUND) {
		page_refusal(rq, &e);
		at_errors_free(&e);
		return;
	}
	holder_map(&mapped, &e);
	at_errors_reset(&e);
	db_read_begin(rq->st, NULL);
	if (read_holder(rq->st, id, &h, &e) == AT_OK)
		holder_render(rq, &h, page_refusal_status(&mapped), strcmp(op, "update") == 0 ? &rq->form : NULL,
		              &mapped);
	else
		page_refusal(rq, &mapped);
	db_read_end(rq->st);
	at_errors_free(&mapped);
	at_errors_free(&e);
}
