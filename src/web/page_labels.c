/*
 * page_labels.c — printable labels (SPEC §8: "printable labels (Code 128
 * and QR) for assets, slots and badges"): /labels asks what to print
 * (asset tags typed or scanned, a case, holders) and on which stock, and
 * answers with the labels drawn inline at their true size (labels.css
 * prints each sheet on a page of its own) and the same document as PDF,
 * SVG or PNG (/labels/labels.pdf ...).
 *
 * Nothing here changes anything, so every role may use it.  The form
 * posts (a thousand scanned tags do not fit in a URL), and the same page
 * answers a GET with the same fields in the query string, which is what
 * the case page's "Print labels" link and the download links use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/label.h"
#include "web/page.h"

/* Longest query string the download links carry: the server reads at
 * most 8 KiB of request head.  Longer lists are opened by posting. */
#define LINK_MAX 6000

/* What the person asked for, as typed. */
struct ask {
	const char *tags, *kase, *holders, *layout_s;
	enum label_layout layout;
	int given;                     /* any of the three was sent */
};

/* A field of the request: the posted form's, or the query string's. */
static const char *field(struct request *rq, const char *name)
{
	if (strcmp(rq->method, "POST") == 0)
		return form_get(&rq->form, name);
	return web_query(rq, name);
}

static void ask_read(struct request *rq, struct ask *a)
{
	a->tags = field(rq, "tags");
	a->kase = field(rq, "case");
	a->holders = field(rq, "holders");
	a->layout_s = field(rq, "layout");
	a->given = a->tags || a->kase || a->holders;
	if (!a->layout_s || label_layout_parse(a->layout_s, &a->layout) < 0)
		a->layout = LABEL_SHEET;
}

/* ==== gathering ======================================================== */

/*
 * The non-empty lines of `text`, trimmed, as pointers into `copy` (which
 * the caller frees).  Returns how many, or -1 when out of memory.
 */
static long split_lines(const char *text, char **copy, const char ***lines)
{
	size_t n = 0, cap = 1;
	char *p, *line;

	*lines = NULL;
	*copy = strdup(text ? text : "");
	if (!*copy)
		return -1;
	for (p = *copy; *p; p++)
		cap += *p == '\n';
	*lines = calloc(cap, sizeof(**lines));
	if (!*lines)
		return -1;
	for (line = *copy; line; line = p) {
		size_t len;
		p = strchr(line, '\n');
		if (p)
			*p++ = '\0';
		while (*line == ' ' || *line == '\t' || *line == '\r')
			line++;
		len = strlen(line);
		while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len)
			(*lines)[n++] = line;
	}
	return (long)n;
}

/* Per field, the words shown beside it: every reason, joined. */
struct refusal {
	struct at_errors sum;          /* the summary: items named by field */
	char tags[AT_MSG_MAX], kase[AT_MSG_MAX], holders[AT_MSG_MAX];
};

/* Copy the reasons of `part` into the summary, as items of `fname`
 * ("" for a reason no field owns), and join them into `msg`. */
static void refusal_add(struct refusal *r, const struct at_errors *part, const char *fname,
                        char *msg)
{
	size_t len;

	if (part->nitems == 0) {
		at_item(&r->sum, fname, part->code, "%s", part->message);
		if (msg)
			snprintf(msg, AT_MSG_MAX, "%s", part->message);
		return;
	}
	for (size_t i = 0; i < part->nitems; i++) {
		at_item(&r->sum, fname, part->items[i].code, "%s", part->items[i].message);
		if (!msg)
			continue;
		len = strlen(msg);
		snprintf(msg + len, AT_MSG_MAX - len, "%s%s", len ? "; " : "", part->items[i].message);
	}
}

/* Lines of one textarea into `l` through `add` (assets or holders). */
typedef enum at_code (*add_fn)(struct store *st, const char *const *inputs, size_t n,
                               struct label_list *l, struct at_errors *e);

static enum at_code gather_lines(struct request *rq, const char *text, add_fn add,
                                 struct label_list *l, struct at_errors *e)
{
	const char **lines = NULL;
	char *copy = NULL;
	long n = split_lines(text, &copy, &lines);
	enum at_code c;

	c = n < 0 ? at_fail(e, AT_INTERNAL, "out of memory")
	          : add(rq->st, lines, (size_t)n, l, e);
	free(lines);
	free(copy);
	return c;
}

/*
 * Resolve everything asked into `l`, in the order tags, case, holders.
 * AT_OK, a refusal described in `r` (every field's reasons), or a storage
 * failure (in r->sum's message).
 */
static enum at_code gather(struct request *rq, const struct ask *a, struct label_list *l,
                           struct refusal *r)
{
	struct at_errors e = AT_ERRORS_INIT;
	int refused = 0;
	enum at_code c;

	if (a->tags && *a->tags) {
		c = gather_lines(rq, a->tags, label_add_assets, l, &e);
		if (c != AT_OK) {
			refused = 1;
			refusal_add(r, &e, "tags", r->tags);
		}
		at_errors_reset(&e);
	}
	if (a->kase && *a->kase) {
		c = label_add_case(rq->st, a->kase, l, &e);
		if (c != AT_OK) {
			refused = 1;
			refusal_add(r, &e, "case", r->kase);
		}
		at_errors_reset(&e);
	}
	if (a->holders && *a->holders) {
		c = gather_lines(rq, a->holders, label_add_holders, l, &e);
		if (c != AT_OK) {
			refused = 1;
			refusal_add(r, &e, "holders", r->holders);
		}
	}
	at_errors_free(&e);
	if (!refused && l->n == 0) {
		at_fail(&r->sum, AT_INVALID, "nothing to print: give asset tags, a case or holders");
		return AT_INVALID;
	}
	/* A storage failure in any part ends the request as that failure. */
	for (size_t i = 0; i < r->sum.nitems; i++) {
		enum at_code ic = r->sum.items[i].code;
		if (ic == AT_STORAGE || ic == AT_BUSY || ic == AT_INTERNAL)
			return at_fail(&r->sum, ic, "%s", r->sum.items[i].message);
	}
	return refused ? at_items_done(&r->sum, r->sum.nitems) : AT_OK;
}

/* Gather and lay out: *doc on AT_OK, else the refusal in `r`. */
static enum at_code build(struct request *rq, const struct ask *a, struct label_doc **doc,
                          struct refusal *r)
{
	struct label_list l = LABEL_LIST_INIT;
	struct at_errors e = AT_ERRORS_INIT;
	enum at_code c = gather(rq, a, &l, r);

	if (c == AT_OK) {
		c = label_doc_build(&l, a->layout, doc, &e);
		if (c != AT_OK) {
			refusal_add(r, &e, "", NULL);
			c = at_items_done(&r->sum, r->sum.nitems);
		}
	}
	label_list_free(&l);
	at_errors_free(&e);
	return c;
}

static int is_failure(enum at_code c)
{
	return c == AT_STORAGE || c == AT_BUSY || c == AT_INTERNAL;
}

/* ==== the page ========================================================= */

/* A labelled textarea that takes the focus: page_field's textarea, with
 * autofocus and no spelling or autocompletion (page_field gives a
 * textarea neither: a helper page.c could grow a flag for). */
static void scan_textarea(struct pg *p, const char *name, const char *label, const char *value,
                          const char *hint, const char *error, int autofocus)
{
	struct html *h = &p->h;
	char hint_id[32], err_id[32], described[64];

	snprintf(hint_id, sizeof(hint_id), "%s-hint", name);
	snprintf(err_id, sizeof(err_id), "%s-error", name);
	snprintf(described, sizeof(described), "%s%s", hint_id, error ? " " : "");
	if (error)
		snprintf(described + strlen(described), sizeof(described) - strlen(described), "%s",
		         err_id);
	html_open(h, "div", "class", "mb-3", HTML_END);
	html_elem(h, "label", label, "for", name, "class", "form-label", HTML_END);
	html_elem(h, "div", hint, "id", hint_id, "class", "form-text mt-0 mb-1", HTML_END);
	if (error)
		html_elem(h, "div", error, "id", err_id, "class", "field-error", HTML_END);
	html_elem(h, "textarea", value ? value : "", "id", name, "name", name, "rows", "5",
	          "class", error ? "form-control font-monospace is-invalid"
	                         : "form-control font-monospace",
	          "autofocus", autofocus ? "" : NULL, "autocomplete", "off", "spellcheck", "false",
	          "aria-describedby", described, "aria-invalid", error ? "true" : NULL, HTML_END);
	html_close(h);
}

static void labels_form(struct pg *p, const struct ask *a, const struct refusal *r)
{
	static const char *const values[LABEL_LAYOUT__MAX] = { "sheet", "sheet-a4", "thermal" };
	const char *titles[LABEL_LAYOUT__MAX];
	struct html *h = &p->h;
	int depth = html_depth(h);

	for (int i = 0; i < LABEL_LAYOUT__MAX; i++)
		titles[i] = label_layout_title((enum label_layout)i);
	html_open(h, "section", "class", "at-panel no-print", "aria-labelledby", "what", HTML_END);
	html_elem(h, "h2", "What to print", "id", "what", "class", "h5 mt-0", HTML_END);
	page_form_open(p, "/labels", "labels-form");
	html_open(h, "div", "class", "row g-3", HTML_END);
	html_open(h, "div", "class", "col-12 col-lg-4", HTML_END);
	scan_textarea(p, "tags", "Asset tags", a->tags, "One a line: type or scan them.",
	              r && r->tags[0] ? r->tags : NULL, 1);
	html_close(h);
	html_open(h, "div", "class", "col-12 col-lg-4", HTML_END);
	page_field(p, "case", "Case", a->kase, "A label for every slot: CASE/POS.",
	           r && r->kase[0] ? r->kase : NULL, 0);
	scan_textarea(p, "holders", "Holder badges", a->holders,
	              "Holder ids or badges, one a line.", r && r->holders[0] ? r->holders : NULL, 0);
	html_close(h);
	html_open(h, "div", "class", "col-12 col-lg-4", HTML_END);
	page_select(p, "layout", "Layout", values, titles, LABEL_LAYOUT__MAX,
	            label_layout_name(a->layout), NULL);
	page_button(p, "Show labels", NULL, NULL, "primary");
	html_closeto(h, depth);
}

/* Append "&name=value" (percent-encoded) to `u`; nothing for an empty
 * value. */
static void url_param(struct buf *u, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";

	if (!value || !*value)
		return;
	buf_printf(u, "%s%s=", strchr(u->data, '?') ? "&" : "?", name);
	for (const unsigned char *s = (const unsigned char *)value; *s; s++) {
		/* Forms send a textarea's lines ending in CR LF: LF is enough. */
		if (*s == '\r')
			continue;
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		    *s == '-' || *s == '_' || *s == '.' || *s == '~') {
			buf_addc(u, (char)*s);
		} else {
			buf_addc(u, '%');
			buf_addc(u, hex[*s >> 4]);
			buf_addc(u, hex[*s & 15]);
		}
	}
}

/* The document links: GET links that save a file when the question fits
 * in a URL, else buttons that post it again and open the document. */
static void downloads(struct pg *p, const struct ask *a)
{
	static const enum label_format fmts[] = { LABEL_PDF, LABEL_SVG, LABEL_PNG };
	static const char *const save[] = { "Download PDF", "Download SVG", "Download PNG" };
	static const char *const open[] = { "Open PDF", "Open SVG", "Open PNG" };
	struct html *h = &p->h;
	char path[32], name[32];
	struct buf q, href;

	buf_init(&q, LINK_MAX + 64);
	buf_init(&href, 0);
	url_param(&q, "tags", a->tags);
	url_param(&q, "case", a->kase);
	url_param(&q, "holders", a->holders);
	url_param(&q, "layout", label_layout_name(a->layout));
	html_open(h, "div", "class", "d-flex flex-wrap gap-2 mb-2", HTML_END);
	if (!q.overflow && q.len <= LINK_MAX) {
		for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
			snprintf(name, sizeof(name), "labels.%s", label_format_ext(fmts[i]));
			buf_reset(&href);
			buf_printf(&href, "/labels/%s%s", name, q.data);
			html_elem(h, "a", save[i], "href", href.data, "download", name,
			          "class", i ? "btn btn-outline-primary" : "btn btn-primary", HTML_END);
		}
	} else {
		page_form_open(p, "/labels/labels.pdf", NULL);
		page_hidden(p, "tags", a->tags);
		page_hidden(p, "case", a->kase);
		page_hidden(p, "holders", a->holders);
		page_hidden(p, "layout", label_layout_name(a->layout));
		for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
			snprintf(path, sizeof(path), "/labels/labels.%s", label_format_ext(fmts[i]));
			html_elem(h, "button", open[i], "type", "submit", "formaction", path,
			          "class", "btn btn-outline-primary me-2", HTML_END);
		}
		html_close(h);
	}
	html_close(h);
	buf_free(&q);
	buf_free(&href);
}

/* One page of labels as inline SVG at its true size (in inches). */
static void sheet_svg(struct pg *p, const struct label_doc *d, size_t page, struct buf *path)
{
	struct html *h = &p->h;
	char box[64], w[24], hh[24], cls[48], aria[64], num[3][16];

	snprintf(box, sizeof(box), "0 0 %.2f %.2f", d->page_w, d->page_h);
	snprintf(w, sizeof(w), "%.4fin", d->page_w / LABEL_DPI);
	snprintf(hh, sizeof(hh), "%.4fin", d->page_h / LABEL_DPI);
	snprintf(cls, sizeof(cls), "label-sheet layout-%s", label_layout_name(d->layout));
	snprintf(aria, sizeof(aria), "Labels, page %zu of %zu", page + 1, d->npages);
	/* The HTML parser gives "viewbox" its SVG spelling, viewBox. */
	html_open(h, "svg", "xmlns", "http://www.w3.org/2000/svg", "viewbox", box, "width", w,
	          "height", hh, "class", cls, "role", "img", "aria-label", aria, HTML_END);
	html_open(h, "g", "fill", "#000", "font-family", LABEL_SVG_FONTS, HTML_END);
	for (size_t i = 0; i < d->nmarks; i++) {
		const struct label_mark *m = &d->marks[i];
		if (m->page != page)
			continue;
		if (m->kind != LABEL_MARK_TEXT) {
			buf_reset(path);
			label_path_data(d, m, path);
			html_elem(h, "path", NULL, "d", path->data, HTML_END);
			continue;
		}
		snprintf(num[0], sizeof(num[0]), "%d", (int)m->x);
		snprintf(num[1], sizeof(num[1]), "%d", (int)m->y);
		snprintf(num[2], sizeof(num[2]), "%d", (int)m->size);
		html_elem(h, "text", m->text, "x", num[0], "y", num[1], "font-size", num[2], HTML_END);
	}
	html_close(h);
	html_close(h);
}

static void result(struct pg *p, const struct ask *a, const struct label_doc *d)
{
	struct html *h = &p->h;
	struct buf path;

	html_open(h, "section", "class", "no-print", "aria-labelledby", "result", HTML_END);
	html_elem(h, "h2", "Labels", "id", "result", "class", "h5", HTML_END);
	html_open(h, "p", "id", "label-count", HTML_END);
	html_textf(h, "%zu label%s on %zu page%s: %s.", d->nlabels, d->nlabels == 1 ? "" : "s",
	           d->npages, d->npages == 1 ? "" : "s", label_layout_title(d->layout));
	html_close(h);
	downloads(p, a);
	html_elem(h, "p", "To print this page, use the browser's Print with margins set to None "
	                  "and scale 100%; or print the PDF at actual size. Each code reads back "
	                  "as exactly the text printed under it.",
	          "class", "small text-muted", HTML_END);
	html_close(h);
	buf_init(&path, 0);
	html_open(h, "div", "class", "label-sheets", HTML_END);
	for (size_t page = 0; page < d->npages; page++)
		sheet_svg(p, d, page, &path);
	html_close(h);
	buf_free(&path);
}

/* The page: the form, and the labels or the refusal of what was asked. */
static void labels_page(struct request *rq)
{
	static const char *const ids[] = { "tags", "case", "holders", NULL };
	struct refusal r = { AT_ERRORS_INIT, "", "", "" };
	struct label_doc *d = NULL;
	struct ask a;
	struct pg p;
	enum at_code c = AT_OK;
	int status = 200;

	ask_read(rq, &a);
	if (a.given) {
		c = build(rq, &a, &d, &r);
		if (is_failure(c)) {
			page_refusal(rq, &r.sum);
			at_errors_free(&r.sum);
			return;
		}
		if (c != AT_OK)
			status = page_refusal_status(&r.sum);
	}
	page_begin(&p, rq, "Labels");
	html_void(&p.h, "link", "rel", "stylesheet", "href", "/static/labels.css", HTML_END);
	if (c != AT_OK)
		page_error_summary(&p, &r.sum, ids);
	labels_form(&p, &a, c != AT_OK ? &r : NULL);
	if (d)
		result(&p, &a, d);
	page_end(&p, status);
	label_doc_free(d);
	at_errors_free(&r.sum);
}

void page_labels_get(struct request *rq)
{
	labels_page(rq);
}

void page_labels_post(struct request *rq)
{
	labels_page(rq);
}

/* GET or POST /labels/labels.{pdf,svg,png}: the document itself. */
void page_labels_file(struct request *rq)
{
	struct refusal r = { AT_ERRORS_INIT, "", "", "" };
	struct at_errors e = AT_ERRORS_INIT;
	struct label_doc *d = NULL;
	enum label_format f;
	struct ask a;
	struct buf b;
	enum at_code c;

	if (strncmp(rq->params[0], "labels.", 7) != 0 || label_format_of(rq->params[0], &f) < 0 ||
	    strcmp(rq->params[0] + 7, label_format_ext(f)) != 0) {
		page_error(rq, 404, "Page not found",
		           "There is no document at %s: labels.pdf, labels.svg or labels.png.",
		           rq->path);
		return;
	}
	ask_read(rq, &a);
	c = build(rq, &a, &d, &r);
	if (c != AT_OK) {
		page_refusal(rq, &r.sum);
		at_errors_free(&r.sum);
		return;
	}
	buf_init(&b, 0);
	c = label_render(d, f, &b, &e);
	if (c == AT_OK)
	{
		size_t len = b.len;
		web_reply_owned(rq, 200, label_format_type(f), buf_detach(&b), len);
	}
	else
		page_refusal(rq, &e);
	buf_free(&b);
	label_doc_free(d);
	at_errors_free(&e);
	at_errors_free(&r.sum);
}
