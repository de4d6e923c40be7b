/*
 * page.c — the web UI's page furniture (web/page.h): layout and
 * role-aware navigation, error pages, error summaries, form fields and
 * small renderers shared by the page files.  All markup goes through the
 * escaping writer (web/html.h).
 */
#include "web/page.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/asset.h"
#include "web/static.h"

#define PAGE_CAP ((size_t)64 << 20)

/* ==== layout ========================================================== */

/* The navigation: path, text, roles that may use it. */
static const struct {
	const char *path, *text;
	unsigned roles;
} nav[] = {
	{ "/", "Dashboard", ANY_ROLE },
	{ "/stock-out", "Stock-Out", OPERATOR_UP },
	{ "/stock-in", "Stock-In", OPERATOR_UP },
	{ "/audit", "Audit", OPERATOR_UP },
	{ "/assets", "Assets", ANY_ROLE },
	{ "/cases", "Cases", ANY_ROLE },
	{ "/holders", "Holders", ANY_ROLE },
	{ "/reports", "Reports", ANY_ROLE },
	{ "/events", "Events", ANY_ROLE },
	{ "/labels", "Labels", ANY_ROLE },
	{ "/corrections", "Corrections", ADMIN_ONLY },
	{ "/replace", "Replace", ADMIN_ONLY },
	{ "/import", "Import", ADMIN_ONLY },
	{ "/admin/users", "Users", ADMIN_ONLY },
	{ "/admin/backup", "Backup", ADMIN_ONLY },
};

int page_can(const struct request *rq, unsigned roles)
{
	return rq->authed && (roles & ROLE_BIT(rq->user.role));
}

/* Is `path` the current page or below it ("/assets" for "/assets/X")? */
static int nav_current(const struct request *rq, const char *path)
{
	size_t n = strlen(path);

	if (strcmp(path, "/") == 0)
		return strcmp(rq->path, "/") == 0;
	return strncmp(rq->path, path, n) == 0 && (rq->path[n] == '\0' || rq->path[n] == '/');
}

static void page_header(struct pg *p)
{
	struct html *h = &p->h;
	struct request *rq = p->rq;

	html_open(h, "header", "class", "navbar at-nav px-3 py-2", HTML_END);
	html_open(h, "div", "class", "at-page d-flex flex-wrap align-items-center gap-2 w-100",
	          HTML_END);
	html_elem(h, "a", "AssetTrack", "class", "navbar-brand me-3", "href", "/", HTML_END);
	if (rq->authed) {
		/* Who is logged in, on the brand's line; the links get a line of
		 * their own below, so adding a page never squeezes either. */
		html_open(h, "div", "class", "d-flex align-items-center gap-2 ms-auto", HTML_END);
		html_open(h, "span", "class", "small", HTML_END);
		html_text(h, rq->user.username);
		html_text(h, " (");
		html_text(h, user_role_name(rq->user.role));
		html_text(h, ")");
		html_close(h);
		page_form_open(p, "/logout", NULL);
		html_elem(h, "button", "Log out", "type", "submit",
		          "class", "btn btn-sm btn-outline-light", HTML_END);
		html_close(h);
		html_close(h);
		html_open(h, "nav", "aria-label", "Main", "class", "w-100", HTML_END);
		html_open(h, "ul", "class", "nav at-nav-links", HTML_END);
		for (size_t i = 0; i < sizeof(nav) / sizeof(nav[0]); i++) {
			if (!page_can(rq, nav[i].roles))
				continue;
			/* The admin-only links follow a divider. */
			html_open(h, "li", "class",
			          nav[i].roles == ADMIN_ONLY && (i == 0 || nav[i - 1].roles != ADMIN_ONLY)
			                  ? "nav-item at-nav-admin"
			                  : "nav-item",
			          HTML_END);
			html_elem(h, "a", nav[i].text, "class", "nav-link px-2", "href", nav[i].path,
			          "aria-current", nav_current(rq, nav[i].path) ? "page" : NULL,
			          HTML_END);
			html_close(h);
		}
		html_close(h);
		html_close(h);
	}
	html_close(h);
	html_close(h);
}

void page_begin(struct pg *p, struct request *rq, const char *title)
{
	struct html *h = &p->h;
	char full[256];

	p->rq = rq;
	buf_init(&p->b, PAGE_CAP);
	html_init(h, &p->b);
	snprintf(full, sizeof(full), "%s — AssetTrack", title);
	html_doctype(h);
	html_open(h, "html", "lang", "en", HTML_END);
	html_open(h, "head", HTML_END);
	html_void(h, "meta", "charset", "utf-8", HTML_END);
	html_void(h, "meta", "name", "viewport", "content", "width=device-width, initial-scale=1",
	          HTML_END);
	html_elem(h, "title", full, HTML_END);
	html_void(h, "link", "rel", "stylesheet", "href", "/static/bootstrap.min.css", HTML_END);
	html_void(h, "link", "rel", "stylesheet", "href", "/static/app.css", HTML_END);
	html_void(h, "link", "rel", "icon", "href", "/static/favicon.svg", "type", "image/svg+xml",
	          HTML_END);
	html_elem(h, "script", "", "src", "/static/app.js", "defer", "", HTML_END);
	/* Camera scanning for the data-scan fields; a no-op on other pages. */
	html_elem(h, "script", "", "src", "/static/camera.js", "defer", "", HTML_END);
	html_close(h);
	html_open(h, "body", HTML_END);
	html_elem(h, "a", "Skip to main content", "href", "#main",
	          "class", "visually-hidden-focusable btn btn-light m-1", HTML_END);
	page_header(p);
	html_open(h, "main", "id", "main", "class", "at-page container-fluid py-3", "tabindex", "-1",
	          HTML_END);
	html_elem(h, "h1", title, "class", "h3 mb-3", HTML_END);
}

void page_end(struct pg *p, int status)
{
	struct html *h = &p->h;

	html_closeto(h, 2); /* <html><body> */
	html_open(h, "footer", "class", "at-page container-fluid py-3 small text-muted", HTML_END);
	html_text(h, "AssetTrack — every change is validated, atomic and written to a "
	             "hash-chained event log.");
	html_close(h);
	html_closeto(h, 0);
	if (html_finish(h) < 0) {
		buf_free(&p->b);
		page_error(p->rq, 500, "Page too large", "This page grew past its size limit.");
		return;
	}
	web_reply_html(p->rq, status, &p->b);
	buf_free(&p->b);
}

void page_error(struct request *rq, int status, const char *title, const char *fmt, ...)
{
	char msg[AT_MSG_MAX];
	struct pg p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	page_begin(&p, rq, title);
	page_notice(&p, status >= 500 ? "danger" : "warning", NULL, msg);
	html_open(&p.h, "p", HTML_END);
	html_elem(&p.h, "a", rq->authed ? "Go to the dashboard" : "Log in", "href",
	          rq->authed ? "/" : "/login", HTML_END);
	html_close(&p.h);
	page_end(&p, status);
}

void page_refusal(struct request *rq, const struct at_errors *e)
{
	int status = at_code_http(e->code);

	page_error(rq, status ? status : 500, status == 404 ? "Not found" : "Refused", "%s (%s)",
	           e->message, at_code_name(e->code));
}

/* ==== forms ============================================================ */

void page_form_open_ex(struct pg *p, const char *action, const char *id, const char *confirm,
                       int scan)
{
	html_open(&p->h, "form", "method", "post", "action", action, "id", id, "data-confirm",
	          confirm, "data-scan-form", scan ? "" : NULL, "novalidate", scan ? "" : NULL,
	          HTML_END);
	/* Token-authenticated requests (scripts) have no session token. */
	if (p->rq->authed && p->rq->via_cookie)
		page_hidden(p, "csrf_token", p->rq->csrf);
}

void page_form_open(struct pg *p, const char *action, const char *id)
{
	page_form_open_ex(p, action, id, NULL, 0);
}

void page_hidden(struct pg *p, const char *name, const char *value)
{
	html_void(&p->h, "input", "type", "hidden", "name", name, "value", value, HTML_END);
}

int page_refusal_status(const struct at_errors *e)
{
	return e->nitems > 1 ? web_batch_status(e) : at_code_http(e->code);
}

void page_dl_text(struct pg *p, const char *term, const char *value, const char *dt_cls,
                  const char *dd_cls)
{
	html_elem(&p->h, "dt", term, "class", dt_cls, HTML_END);
	html_elem(&p->h, "dd", value && *value ? value : "—", "class", dd_cls, HTML_END);
}

void page_dl_time(struct pg *p, const char *term, const char *t, const char *dt_cls,
                  const char *dd_cls)
{
	html_elem(&p->h, "dt", term, "class", dt_cls, HTML_END);
	html_open(&p->h, "dd", "class", dd_cls, HTML_END);
	page_time(p, t);
	html_close(&p->h);
}

void page_getform_open(struct pg *p, const char *action)
{
	html_open(&p->h, "form", "method", "get", "action", action, "role", "search", HTML_END);
}

const char *page_field_error(const struct at_errors *e, const char *name)
{
	if (!e || e->code == AT_OK)
		return NULL;
	for (size_t i = 0; i < e->nitems; i++)
		if (strcmp(e->items[i].input, name) == 0)
			return e->items[i].message;
	return NULL;
}

/* A message as a sentence on a page: core's refusals start with the
 * field's name ("reason is required"); a page shows "Reason is required". */
static const char *sentence(const char *msg, char *out, size_t cap)
{
	snprintf(out, cap, "%s", msg);
	if (out[0] >= 'a' && out[0] <= 'z')
		out[0] = (char)(out[0] - 'a' + 'A');
	return out;
}

/* Is `name` one of `fields` (NULL-terminated)? */
static int is_field(const char *const *fields, const char *name)
{
	for (; fields && *fields; fields++)
		if (strcmp(*fields, name) == 0)
			return 1;
	return 0;
}

void page_error_summary(struct pg *p, const struct at_errors *e, const char *const *fields)
{
	struct html *h = &p->h;
	char href[AT_INPUT_MAX + 2], msg[AT_MSG_MAX];

	if (!e || e->code == AT_OK)
		return;
	html_open(h, "div", "class", "error-summary", "role", "alert", "tabindex", "-1",
	          "data-autofocus", "", "aria-labelledby", "error-summary-title", HTML_END);
	html_elem(h, "h2", "There is a problem", "id", "error-summary-title", "class", "h5",
	          HTML_END);
	html_open(h, "ul", "class", "mb-0", HTML_END);
	if (e->nitems == 0) {
		html_open(h, "li", HTML_END);
		html_text(h, sentence(e->message, msg, sizeof(msg)));
		html_text(h, " (");
		html_elem(h, "code", at_code_name(e->code), HTML_END);
		html_text(h, ")");
		html_close(h);
	}
	for (size_t i = 0; i < e->nitems; i++) {
		const struct at_item_error *it = &e->items[i];
		html_open(h, "li", HTML_END);
		if (is_field(fields, it->input)) {
			snprintf(href, sizeof(href), "#%s", it->input);
			html_elem(h, "a", sentence(it->message, msg, sizeof(msg)), "href", href,
			          HTML_END);
		} else {
			html_text(h, sentence(it->message, msg, sizeof(msg)));
		}
		html_text(h, " (");
		html_elem(h, "code", at_code_name(it->code), HTML_END);
		html_text(h, ")");
		html_close(h);
	}
	html_close(h);
	html_close(h);
}

void page_field(struct pg *p, const char *name, const char *label, const char *value,
                const char *hint, const char *error, unsigned flags)
{
	struct html *h = &p->h;
	char hint_id[96], err_id[96], described[200], msg[AT_MSG_MAX];
	const char *type = (flags & F_DATE) ? "date" : (flags & F_PASSWORD) ? "password" : "text";

	snprintf(hint_id, sizeof(hint_id), "%s-hint", name);
	snprintf(err_id, sizeof(err_id), "%s-error", name);
	snprintf(described, sizeof(described), "%s%s%s", hint ? hint_id : "",
	         hint && error ? " " : "", error ? err_id : "");
	html_open(h, "div", "class", (flags & F_NARROW) ? "mb-3 at-narrow" : "mb-3", HTML_END);
	/* The hint stays outside the label: the field's name is exactly its
	 * label ("Asset tag"), and the input's `required` already says so to
	 * a screen reader. */
	html_elem(h, "label", label, "for", name, "class", "form-label", HTML_END);
	if (flags & F_REQUIRED)
		html_elem(h, "span", " (required)", "class", "text-muted small", "aria-hidden", "true",
		          HTML_END);
	if (hint)
		html_elem(h, "div", hint, "id", hint_id, "class", "form-text mt-0 mb-1", HTML_END);
	if (error)
		html_elem(h, "div", sentence(error, msg, sizeof(msg)), "id", err_id,
		          "class", "field-error", HTML_END);
	if (flags & F_TEXTAREA) {
		html_elem(h, "textarea", value ? value : "", "id", name, "name", name, "rows", "3",
		          "class", error ? "form-control is-invalid" : "form-control",
		          "aria-describedby", described[0] ? described : NULL,
		          "aria-invalid", error ? "true" : NULL, HTML_END);
	} else {
		html_void(h, "input", "type", type, "id", name, "name", name, "value", value ? value : "",
		          "class", error ? "form-control is-invalid" : "form-control",
		          "inputmode", (flags & F_NUMBER) ? "numeric" : NULL,
		          "required", (flags & F_REQUIRED) ? "" : NULL,
		          "autofocus", (flags & F_AUTOFOCUS) ? "" : NULL,
		          "data-scan", (flags & F_SCAN) ? "" : NULL,
		          "autocomplete", (flags & (F_SCAN | F_PASSWORD)) ? "off" : NULL,
		          "spellcheck", (flags & F_SCAN) ? "false" : NULL,
		          "aria-describedby", described[0] ? described : NULL,
		          "aria-invalid", error ? "true" : NULL, HTML_END);
	}
	html_close(h);
}

void page_select(struct pg *p, const char *name, const char *label, const char *const *values,
                 const char *const *labels, size_t n, const char *selected, const char *error)
{
	struct html *h = &p->h;
	char err_id[96], msg[AT_MSG_MAX];

	snprintf(err_id, sizeof(err_id), "%s-error", name);
	html_open(h, "div", "class", "mb-3", HTML_END);
	html_elem(h, "label", label, "for", name, "class", "form-label", HTML_END);
	if (error)
		html_elem(h, "div", sentence(error, msg, sizeof(msg)), "id", err_id,
		          "class", "field-error", HTML_END);
	html_open(h, "select", "id", name, "name", name,
	          "class", error ? "form-select is-invalid" : "form-select",
	          "aria-describedby", error ? err_id : NULL, HTML_END);
	for (size_t i = 0; i < n; i++)
		html_elem(h, "option", labels ? labels[i] : values[i], "value", values[i], "selected",
		          selected && strcmp(selected, values[i]) == 0 ? "" : NULL, HTML_END);
	html_close(h);
	html_close(h);
}

void page_checkbox(struct pg *p, const char *name, const char *label, int checked,
                   const char *toggles)
{
	struct html *h = &p->h;

	html_open(h, "div", "class", "form-check mb-3", HTML_END);
	html_void(h, "input", "type", "checkbox", "class", "form-check-input", "id", name, "name",
	          name, "value", "1", "checked", checked ? "" : NULL, "data-toggle-target", toggles,
	          "aria-controls", toggles, HTML_END);
	html_elem(h, "label", label, "for", name, "class", "form-check-label", HTML_END);
	html_close(h);
}

void page_button(struct pg *p, const char *text, const char *name, const char *value,
                 const char *kind)
{
	char cls[64];

	snprintf(cls, sizeof(cls), "btn btn-%s", kind ? kind : "primary");
	html_elem(&p->h, "button", text, "type", "submit", "class", cls, "name", name, "value",
	          value, HTML_END);
}

void page_notice(struct pg *p, const char *kind, const char *title, const char *text)
{
	struct html *h = &p->h;
	char cls[64];
	int alert = strcmp(kind, "danger") == 0;

	snprintf(cls, sizeof(cls), "alert alert-%s at-panel", kind);
	html_open(h, "div", "class", cls, "role",
	          alert ? "alert" : strcmp(kind, "success") == 0 ? "status" : NULL, HTML_END);
	if (title)
		html_elem(h, "h2", title, "class", "h5 alert-heading", HTML_END);
	if (text)
		html_elem(h, "p", text, "class", "mb-0", HTML_END);
	html_close(h);
}

void page_success_open(struct pg *p, const char *title, const char *sentence)
{
	html_open(&p->h, "div", "class", "alert alert-success at-panel", "role", "status", HTML_END);
	html_elem(&p->h, "h2", title, "class", "h5 alert-heading", HTML_END);
	html_elem(&p->h, "p", sentence, "id", "done-text", "class", "mb-2", HTML_END);
}

/* ==== links and small renderers ======================================= */

void page_url_seg(char *out, size_t cap, const char *prefix, const char *seg)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	if (cap == 0)
		return;
	for (const char *s = prefix; *s && o + 1 < cap; s++)
		out[o++] = *s;
	for (const unsigned char *s = (const unsigned char *)seg; *s; s++) {
		int plain = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		            (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.' ||
		            *s == '~';
		if (plain && o + 1 < cap) {
			out[o++] = (char)*s;
		} else if (!plain && o + 3 < cap) {
			out[o++] = '%';
			out[o++] = hex[*s >> 4];
			out[o++] = hex[*s & 15];
		} else {
			break;
		}
	}
	out[o] = '\0';
}

void page_url_add(char *url, size_t cap, const char *name, const char *value)
{
	char head[2048];
	size_t n = strlen(url);
	const char *sep = !strchr(url, '?') ? "?" : (n && url[n - 1] == '?') ? "" : "&";

	if (!value || !*value)
		return;
	snprintf(head, sizeof(head), "%s%s%s=", url, sep, name);
	page_url_seg(url, cap, head, value);
}

void page_link(struct pg *p, const char *prefix, const char *seg, const char *text)
{
	char href[1024];

	page_url_seg(href, sizeof(href), prefix, seg);
	html_elem(&p->h, "a", text, "href", href, HTML_END);
}

void page_state_badge(struct pg *p, const struct asset *a)
{
	static const char *const cls[ASSET_STATE__MAX] = {
		"badge text-bg-secondary", "badge text-bg-primary", "badge text-bg-dark",
	};
	static const char *const words[ASSET_STATE__MAX] = { "Storage", "In custody", "Retired" };

	html_elem(&p->h, "span", words[a->state], "class", cls[a->state], "title",
	          asset_state_name(a->state), HTML_END);
	if (a->condition != COND_GOOD) {
		html_text(&p->h, " ");
		html_elem(&p->h, "span", asset_condition_name(a->condition), "class",
		          "badge text-bg-warning", HTML_END);
	}
}

void page_slot_link(struct pg *p, const char *case_name, int position)
{
	char label[AT_NAME_MAX + 16], href[256];

	if (!case_name || !case_name[0]) {
		html_text(&p->h, "—");
		return;
	}
	snprintf(label, sizeof(label), "%s/%d", case_name, position);
	page_url_seg(href, sizeof(href), "/cases/", case_name);
	html_elem(&p->h, "a", label, "href", href, "class", "tag", HTML_END);
}

void page_holder_link(struct pg *p, int64_t id, const char *name)
{
	char href[64];

	if (id <= 0) {
		html_text(&p->h, "—");
		return;
	}
	snprintf(href, sizeof(href), "/holders/%lld", (long long)id);
	html_elem(&p->h, "a", name && name[0] ? name : "(unnamed)", "href", href, HTML_END);
}

void page_time(struct pg *p, const char *t)
{
	char shown[32];

	if (!t || strlen(t) < 16) {
		html_text(&p->h, t && t[0] ? t : "—");
		return;
	}
	/* 2026-12-01T14:03:05.123Z → 2026-12-01 14:03 UTC */
	snprintf(shown, sizeof(shown), "%.10s %.5s UTC", t, t + 11);
	html_elem(&p->h, "time", shown, "datetime", t, "title", t, HTML_END);
}

/* ==== tables =========================================================== */

int page_rows_full(int *n, int *more, int limit)
{
	if (*n >= limit) {
		*more = 1;
		return 1;
	}
	(*n)++;
	return 0;
}

int page_table_open(struct pg *p, const char *cls, const char *id, const struct page_col *cols,
                    size_t n)
{
	struct html *h = &p->h;
	int depth = html_depth(h);
	char tcls[160];

	snprintf(tcls, sizeof(tcls), "table table-sm table-striped align-middle%s%s",
	         cls ? " " : "", cls ? cls : "");
	html_open(h, "div", "class", "table-responsive", HTML_END);
	html_open(h, "table", "class", tcls, "id", id, HTML_END);
	html_open(h, "thead", HTML_END);
	html_open(h, "tr", HTML_END);
	for (size_t i = 0; i < n; i++)
		html_elem(h, "th", cols[i].name, "scope", "col", "class", cols[i].cls, HTML_END);
	html_close(h);
	html_close(h);
	html_open(h, "tbody", HTML_END);
	return depth;
}

/* On a phone the event table keeps what says what happened (#, when,
 * type, asset, reason); the rest shows from the md breakpoint up. */
#define EV_WIDE "d-none d-md-table-cell"
static const struct page_col event_cols[] = {
	{ "#", "text-nowrap" }, { "When", NULL },      { "Type", "text-nowrap" },
	{ "Asset", "text-nowrap" }, { "From", EV_WIDE }, { "To", EV_WIDE },
	{ "Holder", EV_WIDE }, { "Actor", EV_WIDE }, { "Reason", NULL },
	{ "Batch", EV_WIDE },
};

static const char *col_class(size_t i)
{
	return event_cols[i].cls;
}

void page_events_table_open(struct pg *p)
{
	page_table_open(p, "events", NULL, event_cols, sizeof(event_cols) / sizeof(event_cols[0]));
}

void page_events_table_row(struct pg *p, const struct event *ev)
{
	struct html *h = &p->h;
	char batch[16];
	int receipt;

	html_open(h, "tr", HTML_END);
	html_open(h, "td", "class", col_class(0), HTML_END);
	html_int(h, ev->seq);
	html_close(h);
	html_open(h, "td", HTML_END);
	page_time(p, ev->at);
	html_close(h);
	html_open(h, "td", "class", col_class(2), HTML_END);
	html_elem(h, "code", ev->type, "class", "text-nowrap", HTML_END);
	html_close(h);
	html_open(h, "td", "class", col_class(3), HTML_END);
	if (ev->asset_tag)
		page_link(p, "/assets/", ev->asset_tag, ev->asset_tag);
	else
		html_text(h, "—");
	html_close(h);
	html_open(h, "td", "class", col_class(4), HTML_END);
	page_slot_link(p, ev->from_case, ev->from_position);
	html_close(h);
	html_open(h, "td", "class", col_class(5), HTML_END);
	page_slot_link(p, ev->to_case, ev->to_position);
	html_close(h);
	html_open(h, "td", "class", col_class(6), HTML_END);
	page_holder_link(p, ev->holder_id, ev->holder_name);
	html_close(h);
	html_elem(h, "td", ev->actor, "class", col_class(7), HTML_END);
	html_elem(h, "td", ev->reason ? ev->reason : "", HTML_END);
	html_open(h, "td", "class", col_class(9), HTML_END);
	snprintf(batch, sizeof(batch), "%.8s", ev->batch_id ? ev->batch_id : "");
	/* A custody batch has a printable receipt (page_receipts.c). */
	receipt = batch[0] &&
	          (strcmp(ev->type, "STOCK_OUT") == 0 || strcmp(ev->type, "STOCK_IN") == 0);
	if (receipt) {
		char href[96];
		page_url_seg(href, sizeof(href), "/receipts/", ev->batch_id);
		html_open(h, "a", "href", href, HTML_END);
	}
	html_elem(h, "span", batch, "class", "mono", "title", ev->batch_id, HTML_END);
	if (receipt)
		html_close(h);
	html_close(h);
	html_close(h);
}

void page_events_table_close(struct pg *p)
{
	html_close(&p->h); /* tbody */
	html_close(&p->h); /* table */
	html_close(&p->h); /* div */
}

/* ==== embedded files =================================================== */

void page_static(struct request *rq)
{
	const struct static_file *f = static_find(rq->params[0]);

	if (!f) {
		page_error(rq, 404, "Not found", "There is no file called %s.", rq->params[0]);
		return;
	}
	web_reply_static(rq, f->content_type, f->data, f->len, f->etag);
}

void page_favicon(struct request *rq)
{
	const struct static_file *f = static_find("favicon.svg");

	web_reply_static(rq, f->content_type, f->data, f->len, f->etag);
}
