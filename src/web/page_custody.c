/*
 * page_custody.c — the scanner-first Stock-Out (/stock-out) and Stock-In
 * (/stock-in) pages (SPEC §8, §8.1).
 *
 * The batch being previewed lives on the server, per session (web/draft.h),
 * so it survives a reload and works without JavaScript: every button posts
 * the one form with an `action` value (add, remove:<line>, commit); Add and
 * Remove change the draft and answer 303 back to the page.  Every render
 * re-checks every line against the database with the rules core applies at
 * commit (custody_stock_out, custody_stock_in), so each line shows its
 * canonical tag and a clear OK or the exact refusal with its code.  Commit
 * is refused here (422) while any line would be refused; otherwise core
 * runs the whole batch once, all or nothing, and a refusal it finds (a
 * race with another operator) is shown with its per-item reasons while the
 * draft is kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/asset.h"
#include "core/custody.h"
#include "core/holder.h"
#include "core/place.h"
#include "util/text.h"
#include "web/draft.h"
#include "web/page.h"

#define HOLDER_MATCHES 10
#define CASE_CACHE 8

/* ==== checking a draft against the database ========================== */

/* What one draft line will do at commit. */
struct check {
	enum at_code code;                 /* AT_OK: the line goes through */
	char msg[AT_MSG_MAX];              /* why not */
	int64_t asset_id;                  /* 0: the scan names no asset */
	char tag[AT_TAG_MAX + 1];          /* canonical tag */
	char cleaned[AT_INPUT_MAX];        /* the scan as core cleaned it */
	char where[AT_NAME_MAX + 16];      /* out: slot it leaves; in: slot it goes to */
	char holder[AT_PERSON_MAX + 1];    /* in: who returns it */
	int64_t dest_case;                 /* in: destination, 0 when none is valid */
	int dest_pos;
};

/* The whole draft checked: its lines and, for Stock-Out, holder and due. */
struct batch_check {
	struct check *c;                   /* one per draft line */
	size_t n, nbad;
	struct holder h;                   /* the holder, when hcode is AT_OK */
	enum at_code hcode;
	char hmsg[AT_MSG_MAX];
	int hgiven;                        /* something was typed or picked */
	struct holder match[HOLDER_MATCHES];   /* pick list when it does not resolve */
	size_t nmatch;
	enum at_code dcode;                /* due date */
	char dmsg[AT_MSG_MAX];
};

static void check_free(struct batch_check *v)
{
	free(v->c);
	v->c = NULL;
}

/* A storage failure stops a check: the page cannot tell OK from refused. */
static int storage_code(enum at_code c)
{
	return c == AT_STORAGE || c == AT_BUSY || c == AT_INTERNAL;
}

/* Resolve line i into `a` (core's resolve_item): the scan must name an
 * asset, once in the batch.  Returns the line's code so far. */
static enum at_code check_resolve(struct store *st, const struct draft *d, size_t i,
                                  struct check *cs, struct asset *a)
{
	struct check *c = &cs[i];
	char why[AT_MSG_MAX];

	c->code = asset_resolve(st, d->lines[i].scan, a, c->cleaned, why);
	if (c->code != AT_OK) {
		/* Cleaning refusals do not quote the input; say which scan. */
		if (c->code == AT_INVALID && c->cleaned[0])
			snprintf(c->msg, sizeof(c->msg), "%s: %s", c->cleaned, why);
		else
			snprintf(c->msg, sizeof(c->msg), "%s", why);
		return c->code;
	}
	c->asset_id = a->id;
	snprintf(c->tag, sizeof(c->tag), "%s", a->tag);
	for (size_t j = 0; j < i; j++) {
		if (cs[j].asset_id == a->id) {
			c->code = AT_DUPLICATE_IN_BATCH;
			snprintf(c->msg, sizeof(c->msg), "%s is in this batch twice (lines %zu and %zu)",
			         a->tag, j + 1, i + 1);
			break;
		}
	}
	return c->code;
}

/* Collect the holders a typed text matches (the pick list). */
static int add_match(void *ctx, const struct holder *h)
{
	struct batch_check *v = ctx;

	if (v->nmatch >= HOLDER_MATCHES)
		return 1;
	v->match[v->nmatch++] = *h;
	return 0;
}

/* Stock-Out's holder: picked by id, or a badge or id typed or scanned;
 * when that names nobody, the active holders whose name matches. */
static enum at_code check_holder(struct store *st, const struct draft *d, struct batch_check *v)
{
	struct at_errors e = AT_ERRORS_INIT;
	char why[AT_MSG_MAX] = "";

	v->hgiven = d->holder_id || d->holder[0];
	if (d->holder_id) {
		v->hcode = read_holder(st, d->holder_id, &v->h, &e);
		snprintf(v->hmsg, sizeof(v->hmsg), "%s", e.message);
	} else if (d->holder[0]) {
		v->hcode = holder_resolve(st, d->holder, &v->h, why);
		snprintf(v->hmsg, sizeof(v->hmsg), "%s", why);
		if (v->hcode != AT_OK && !storage_code(v->hcode) &&
		    read_holder_search(st, d->holder, HOLDER_MATCHES, add_match, v, &e) != AT_OK)
			v->hcode = e.code;
	} else {
		v->hcode = AT_INVALID;
		snprintf(v->hmsg, sizeof(v->hmsg),
		         "no holder given: scan a badge, or type a name or id");
	}
	if (v->hcode == AT_OK && !v->h.active) {
		v->hcode = AT_HOLDER_INACTIVE;
		snprintf(v->hmsg, sizeof(v->hmsg), "%s is deactivated and cannot take custody",
		         v->h.name);
	}
	if (storage_code(v->hcode))
		snprintf(v->hmsg, sizeof(v->hmsg), "%s", e.message[0] ? e.message : why);
	at_errors_free(&e);
	return v->hcode;
}

/* Stock-Out's due date: optional, a real date, not in the past. */
static void check_due(const struct draft *d, struct batch_check *v)
{
	char why[AT_WHY_MAX], today[11];

	v->dcode = AT_OK;
	if (!d->due[0])
		return;
	if (text_valid_date(d->due, why) < 0) {
		v->dcode = AT_INVALID;
		snprintf(v->dmsg, sizeof(v->dmsg), "due date: %s", why);
		return;
	}
	text_today(today);
	if (strcmp(d->due, today) < 0) {
		v->dcode = AT_INVALID;
		snprintf(v->dmsg, sizeof(v->dmsg), "due date %s is in the past (today is %s)", d->due,
		         today);
	}
}

/* Every line of a Stock-Out with custody_stock_out's rules: the asset is
 * in storage and slotted, and in the batch once. */
static enum at_code check_out_lines(struct store *st, const struct draft *d,
                                    struct batch_check *v)
{
	char where[AT_MSG_MAX];
	struct asset a;

	for (size_t i = 0; i < d->n; i++) {
		struct check *c = &v->c[i];
		enum at_code r = check_resolve(st, d, i, v->c, &a);
		if (storage_code(r))
			return r;
		if (c->asset_id)
			asset_slot_label(&a, c->where, sizeof(c->where));
		if (r != AT_OK)
			continue;
		if (a.state != ASSET_STORAGE) {
			asset_whereabouts(&a, where, sizeof(where));
			c->code = a.state == ASSET_RETIRED ? AT_RETIRED : AT_NOT_IN_STORAGE;
			snprintf(c->msg, sizeof(c->msg), "%s: %s; Stock-Out needs an asset in storage",
			         a.tag, where);
		} else if (!a.case_id) {
			c->code = AT_NOT_SLOTTED;
			snprintf(c->msg, sizeof(c->msg),
			         "%s: in storage but in no slot; assign it a slot before Stock-Out",
			         a.tag);
		}
	}
	return AT_OK;
}

/* Cases read while checking one Stock-In (a batch mostly goes back into
 * a few cases): name, outcome, slots. */
struct case_cache {
	struct {
		char name[AT_NAME_MAX + 1];
		enum at_code code;
		char msg[AT_MSG_MAX];
		struct case_slots cs;
	} e[CASE_CACHE];
	int n, next;
};

static void cache_free(struct case_cache *cc)
{
	for (int i = 0; i < cc->n; i++)
		case_slots_free(&cc->e[i].cs);
	cc->n = 0;
}

/* Index of case `name` in the cache, reading it (evicting in turn) if
 * needed. */
static int cache_get(struct store *st, struct case_cache *cc, const char *name)
{
	struct at_errors e = AT_ERRORS_INIT;
	int i;

	for (i = 0; i < cc->n; i++)
		if (strcmp(cc->e[i].name, name) == 0)
			return i;
	if (cc->n < CASE_CACHE) {
		i = cc->n++;
	} else {
		i = cc->next;
		cc->next = (cc->next + 1) % CASE_CACHE;
		case_slots_free(&cc->e[i].cs);
	}
	snprintf(cc->e[i].name, sizeof(cc->e[i].name), "%s", name);
	cc->e[i].code = read_case_slots(st, name, &cc->e[i].cs, &e);
	snprintf(cc->e[i].msg, sizeof(cc->e[i].msg), "%s", e.message);
	at_errors_free(&e);
	return i;
}

/* The destination line i names (typed, or the slot it left at its last
 * Stock-Out when both fields are empty) into c->dest_*, or the refusal. */
static enum at_code check_dest(struct store *st, struct case_cache *cc,
                               const struct draft_line *l, const struct asset *a,
                               struct check *c)
{
	char cname[AT_NAME_MAX + 1], why[AT_WHY_MAX];
	const struct case_slots *cs;
	int64_t pos;
	int k;

	if (!l->case_name[0] && !l->slot[0]) {
		if (!a->last_case_id) {
			c->code = AT_INVALID;
			snprintf(c->msg, sizeof(c->msg),
			         "%s left no slot at Stock-Out; give its destination (Case and Slot)",
			         a->tag);
			return c->code;
		}
		snprintf(cname, sizeof(cname), "%s", a->last_case_name);
		pos = a->last_position;
	} else if (!l->case_name[0] || !l->slot[0]) {
		c->code = AT_INVALID;
		snprintf(c->msg, sizeof(c->msg), "%s: give both Case and Slot, or neither", a->tag);
		return c->code;
	} else if (text_clean_field(l->case_name, cname, sizeof(cname), AT_NAME_MAX, 1, 0, "case",
	                            why) < 0) {
		c->code = AT_INVALID;
		snprintf(c->msg, sizeof(c->msg), "%s: %s", a->tag, why);
		return c->code;
	} else if (text_parse_int(l->slot, 1, AT_MAX_SLOTS, &pos) < 0) {
		c->code = AT_INVALID;
		snprintf(c->msg, sizeof(c->msg), "%s: slot must be a number from 1 to %d, not '%s'",
		         a->tag, AT_MAX_SLOTS, l->slot);
		return c->code;
	}
	snprintf(c->where, sizeof(c->where), "%s/%d", cname, (int)pos);
	k = cache_get(st, cc, cname);
	cs = &cc->e[k].cs;
	if (cc->e[k].code != AT_OK) {
		c->code = cc->e[k].code;
		snprintf(c->msg, sizeof(c->msg), "%s: %s", a->tag, cc->e[k].msg);
	} else if (pos > cs->c.slot_count) {
		c->code = AT_SLOT_NOT_FOUND;
		snprintf(c->msg, sizeof(c->msg), "%s: case %s has slots 1 to %d; there is no slot %d",
		         a->tag, cs->c.name, cs->c.slot_count, (int)pos);
	} else if (cs->slot[pos - 1]) {
		c->code = AT_SLOT_OCCUPIED;
		snprintf(c->msg, sizeof(c->msg), "%s: slot %s/%d holds %s", a->tag, cs->c.name,
		         (int)pos, cs->slot[pos - 1]->tag);
	} else {
		c->dest_case = cs->c.id;
		c->dest_pos = (int)pos;
		snprintf(c->where, sizeof(c->where), "%s/%d", cs->c.name, (int)pos);
	}
	return c->code;
}

/* Every line of a Stock-In with custody_stock_in's rules: in custody, a
 * destination that exists, is empty and is used once in the batch. */
static enum at_code check_in_lines(struct store *st, const struct draft *d,
                                   struct batch_check *v)
{
	char where[AT_MSG_MAX];
	struct case_cache *cc = calloc(1, sizeof(*cc));
	enum at_code r = AT_OK;
	struct asset a;

	if (!cc)
		return AT_INTERNAL;
	for (size_t i = 0; i < d->n && r == AT_OK; i++) {
		struct check *c = &v->c[i];
		enum at_code lr = check_resolve(st, d, i, v->c, &a);
		if (storage_code(lr))
			r = lr;
		if (lr != AT_OK)
			continue;
		if (a.state == ASSET_IN_CUSTODY)
			snprintf(c->holder, sizeof(c->holder), "%s", a.holder_name);
		if (a.state != ASSET_IN_CUSTODY) {
			asset_whereabouts(&a, where, sizeof(where));
			c->code = a.state == ASSET_RETIRED ? AT_RETIRED : AT_NOT_IN_CUSTODY;
			snprintf(c->msg, sizeof(c->msg), "%s: %s; Stock-In needs an asset in custody",
			         a.tag, where);
			continue;
		}
		if (check_dest(st, cc, &d->lines[i], &a, c) != AT_OK) {
			if (storage_code(c->code))
				r = c->code;
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			if (v->c[j].dest_case == c->dest_case && v->c[j].dest_pos == c->dest_pos) {
				c->code = AT_DUPLICATE_IN_BATCH;
				snprintf(c->msg, sizeof(c->msg), "%s: slot %s is also the destination of %s",
				         a.tag, c->where, v->c[j].tag);
				c->dest_case = 0;
				break;
			}
		}
	}
	cache_free(cc);
	free(cc);
	return r;
}

/*
 * Check a whole draft (`in`: Stock-In, else Stock-Out) inside one read
 * snapshot.  Returns AT_OK with `v` filled (release with check_free), or
 * a storage failure with its message in `why` (AT_MSG_MAX).
 */
static enum at_code check_draft(struct request *rq, const struct draft *d, int in,
                                struct batch_check *v, char *why)
{
	enum at_code r;
	int own = !rq->read_txn && db_read_begin(rq->st, NULL) == AT_OK;

	memset(v, 0, sizeof(*v));
	v->n = d->n;
	v->c = calloc(d->n ? d->n : 1, sizeof(*v->c));
	if (!v->c) {
		r = AT_INTERNAL;
		snprintf(why, AT_MSG_MAX, "out of memory checking %zu lines", d->n);
		goto out;
	}
	if (!in) {
		check_due(d, v);
		r = check_holder(rq->st, d, v);
		if (storage_code(r)) {
			snprintf(why, AT_MSG_MAX, "%s", v->hmsg);
			goto out;
		}
	}
	r = in ? check_in_lines(rq->st, d, v) : check_out_lines(rq->st, d, v);
	if (storage_code(r)) {
		snprintf(why, AT_MSG_MAX, "the database could not be read: %s", db_errmsg(rq->st));
		goto out;
	}
	for (size_t i = 0; i < d->n; i++)
		v->nbad += v->c[i].code != AT_OK;
	r = AT_OK;
out:
	if (own)
		db_read_end(rq->st);
	return r;
}

/* The refusals of a checked draft as a report for the error summary:
 * input "holder"/"due"/"line-<id>", so each item links to its place. */
static void check_errors(const struct draft *d, const struct batch_check *v, int in,
                         struct at_errors *e)
{
	char name[32];

	if (!in && v->hcode != AT_OK)
		at_item(e, "holder", v->hcode, "%s", v->hmsg);
	if (!in && v->dcode != AT_OK)
		at_item(e, "due", v->dcode, "%s", v->dmsg);
	for (size_t i = 0; i < d->n; i++) {
		if (v->c[i].code == AT_OK)
			continue;
		snprintf(name, sizeof(name), "line-%u", d->lines[i].id);
		at_item(e, name, v->c[i].code, "Line %zu: %s", i + 1, v->c[i].msg);
	}
	if (d->n == 0)
		at_item(e, "scan", AT_INVALID, "nothing to %s: scan at least one asset",
		        in ? "stock in" : "stock out");
	at_items_done(e, d->n);
}

/* ==== rendering ======================================================= */

/* The NULL-terminated field names an error summary may link to: the
 * page's fields and every line. */
static const char **summary_fields(const struct draft *d, char (**names)[16])
{
	const char **f = calloc(d->n + 4, sizeof(*f));

	*names = calloc(d->n ? d->n : 1, sizeof(**names));
	if (!f || !*names) {
		free(f);
		free(*names);
		*names = NULL;
		return NULL;
	}
	f[0] = "holder";
	f[1] = "due";
	f[2] = "scan";
	for (size_t i = 0; i < d->n; i++) {
		snprintf((*names)[i], sizeof((*names)[i]), "line-%u", d->lines[i].id);
		f[3 + i] = (*names)[i];
	}
	return f;
}

/* The error summary of a refusal, its items linked to fields and lines. */
static void summary(struct pg *p, const struct draft *d, const struct at_errors *e)
{
	char(*names)[16] = NULL;
	const char **fields;

	if (!e || e->code == AT_OK)
		return;
	fields = summary_fields(d, &names);
	page_error_summary(p, e, fields);
	free(fields);
	free(names);
}

/* The line's verdict under its heading: "OK" in green (and `ok_text`),
 * or the code as a red badge and the reason in bold (the line's class
 * carries the colour too). */
static void line_status(struct pg *p, const struct check *c, const char *ok_text)
{
	struct html *h = &p->h;

	html_open(h, "div", "class", "mt-1", HTML_END);
	if (c->code == AT_OK) {
		html_elem(h, "span", "OK", "class", "status me-2", HTML_END);
		if (ok_text && ok_text[0])
			html_text(h, ok_text);
	} else {
		html_open(h, "span", "class", "reason", HTML_END);
		html_elem(h, "code", at_code_name(c->code), "class", "badge text-bg-danger me-2",
		          HTML_END);
		html_text(h, c->msg);
		html_close(h);
	}
	html_close(h);
}

/* The Remove button of a line; screen readers hear which line. */
static void remove_button(struct pg *p, const struct draft_line *l, size_t number,
                          const char *shown)
{
	char value[32], which[AT_INPUT_MAX + 32];

	snprintf(value, sizeof(value), "remove:%u", l->id);
	snprintf(which, sizeof(which), " line %zu (%s)", number, shown);
	html_open(&p->h, "button", "type", "submit", "name", "action", "value", value,
	          "class", "btn btn-sm btn-outline-danger ms-auto", HTML_END);
	html_text(&p->h, "Remove");
	html_elem(&p->h, "span", which, "class", "visually-hidden", HTML_END);
	html_close(&p->h);
}

/* The Case and Slot fields of a Stock-In line. */
static void dest_fields(struct pg *p, const struct draft_line *l)
{
	char cname[24], sname[24];

	snprintf(cname, sizeof(cname), "case_%u", l->id);
	snprintf(sname, sizeof(sname), "slot_%u", l->id);
	html_open(&p->h, "div", "class", "row g-2 mt-1", HTML_END);
	html_open(&p->h, "div", "class", "col-7 col-sm-5 col-lg-4", HTML_END);
	page_field(p, cname, "Case", l->case_name, NULL, NULL, 0);
	html_close(&p->h);
	html_open(&p->h, "div", "class", "col-5 col-sm-3 col-lg-2", HTML_END);
	page_field(p, sname, "Slot", l->slot, NULL, NULL, F_NUMBER | F_NARROW);
	html_close(&p->h);
	html_close(&p->h);
}

/* One preview line: number, canonical tag (or what was scanned), where
 * it comes from or goes to, OK or the refusal, Remove. */
static void line_render(struct pg *p, const struct draft_line *l, size_t number,
                        const struct check *c, int latest, int in)
{
	struct html *h = &p->h;
	char id[24], num[24], place[AT_NAME_MAX + AT_PERSON_MAX + 40];
	int ok = c->code == AT_OK;
	/* The canonical tag; else the scan as core cleaned it (unprintable
	 * bytes shown as '?'), so odd bytes are visible, not silently dropped. */
	const char *shown = c->tag[0] ? c->tag : c->cleaned[0] ? c->cleaned : "(empty scan)";

	snprintf(id, sizeof(id), "line-%u", l->id);
	snprintf(num, sizeof(num), "%zu", number);
	html_open(h, "li", "id", id, "class", ok ? "line-ok" : "line-bad", "tabindex", "-1",
	          "data-scan-result", latest ? (ok ? "ok" : "bad") : NULL, HTML_END);
	html_open(h, "div", "class", "d-flex flex-wrap align-items-center gap-2", HTML_END);
	html_elem(h, "span", num, "class", "badge text-bg-light border", "title", "line", HTML_END);
	html_elem(h, "strong", shown, "class", "tag", HTML_END);
	place[0] = '\0';
	if (!in && c->where[0])
		snprintf(place, sizeof(place), "from %s", c->where);
	else if (in && c->holder[0])
		snprintf(place, sizeof(place), "from %s", c->holder);
	if (place[0])
		html_elem(h, "span", place, "class", "text-muted", HTML_END);
	if (l->scan[0] && strcmp(shown, l->scan) != 0) {
		html_open(h, "span", "class", "small text-muted", HTML_END);
		html_text(h, "scanned ");
		html_elem(h, "kbd", l->scan, "class", "mono", HTML_END);
		html_close(h);
	}
	remove_button(p, l, number, shown);
	html_close(h);
	if (in && ok)
		snprintf(place, sizeof(place), "returns to %s", c->where);
	line_status(p, c, in && ok ? place : NULL);
	if (in)
		dest_fields(p, l);
	html_close(h);
}

/* The batch: a heading with the count, the lines newest first (the one
 * just scanned sits under the scan field), then Commit. */
static void lines_render(struct pg *p, const struct draft *d, const struct batch_check *v,
                         unsigned latest, int in)
{
	struct html *h = &p->h;

	html_elem(h, "h2", "Batch", "class", "h5 mt-4", HTML_END);
	if (d->n == 0) {
		html_elem(h, "p", "Nothing scanned yet.", "class", "text-muted", HTML_END);
	} else {
		html_open(h, "p", "id", "batch-count", HTML_END);
		html_textf(h, "%zu line%s: %zu OK", d->n, d->n == 1 ? "" : "s", d->n - v->nbad);
		if (v->nbad) {
			html_text(h, ", ");
			html_open(h, "strong", "class", "text-danger", HTML_END);
			html_textf(h, "%zu will be refused", v->nbad);
			html_close(h);
		}
		html_close(h);
		html_open(h, "ol", "class", "batch-lines", "aria-label", "Batch lines, newest first",
		          HTML_END);
		for (size_t i = d->n; i-- > 0;)
			line_render(p, &d->lines[i], i + 1, &v->c[i], d->lines[i].id == latest, in);
		html_close(h);
	}
	html_open(h, "div", "class", "d-flex flex-wrap align-items-center gap-3 mt-3", HTML_END);
	page_button(p, "Commit", "action", "commit", "primary btn-lg");
	html_elem(h, "span", in ? "Returns every line to its slot, or nothing if any line is refused."
	                        : "Issues every line to the holder, or nothing if any line is "
	                          "refused.",
	          "class", "form-text", HTML_END);
	html_close(h);
}

/* The Scan field and Add, Add being the form's first submit button so
 * that Enter in any field (a scanner's Enter) means Add. */
static void scan_row(struct pg *p, const char *hint, const char *error, int focus)
{
	html_open(&p->h, "div", "class", "row g-2 align-items-end", HTML_END);
	html_open(&p->h, "div", "class", "col", HTML_END);
	page_field(p, "scan", "Scan", "", hint, error, F_SCAN | (focus ? F_AUTOFOCUS : 0));
	html_close(&p->h);
	html_open(&p->h, "div", "class", "col-auto mb-3", HTML_END);
	page_button(p, "Add", "action", "add", "secondary btn-lg");
	html_close(&p->h);
	html_close(&p->h);
}

/* ==== confirmation ==================================================== */

/* One event of a committed batch, copied out of the read callback. */
struct batch_event {
	int64_t seq;
	char tag[AT_TAG_MAX + 1];
	char case_name[AT_NAME_MAX + 1];   /* from (Stock-Out) or to (Stock-In) */
	int position;
	int64_t holder_id;
	char holder[AT_PERSON_MAX + 1];
};

/* A batch being read back: its events, oldest first. */
struct batch_read {
	const char *batch_id, *type;
	struct batch_event *ev;            /* AT_MAX_BATCH entries */
	size_t n;
	char at[AT_TIME_LEN + 1];
};

/* Copy `ev` into the batch if it is one of its events of the right type. */
static void batch_take(struct batch_read *b, const struct event *ev)
{
	struct batch_event *o;
	int out = ev->from_case != NULL;

	if (strcmp(ev->type, b->type) != 0 || b->n >= AT_MAX_BATCH)
		return;
	o = &b->ev[b->n++];
	o->seq = ev->seq;
	snprintf(o->tag, sizeof(o->tag), "%s", ev->asset_tag ? ev->asset_tag : "");
	snprintf(o->case_name, sizeof(o->case_name), "%s",
	         (out ? ev->from_case : ev->to_case) ? (out ? ev->from_case : ev->to_case) : "");
	o->position = out ? ev->from_position : ev->to_position;
	o->holder_id = ev->holder_id;
	snprintf(o->holder, sizeof(o->holder), "%s", ev->holder_name ? ev->holder_name : "");
	snprintf(b->at, sizeof(b->at), "%s", ev->at);
}

static int batch_event_cb(void *ctx, const struct event *ev)
{
	batch_take(ctx, ev);
	return 0;
}

/* Read batch `b->batch_id`'s events, oldest first, into b->ev (through
 * the events_batch index: any batch, however old). */
static enum at_code batch_read(struct store *st, struct batch_read *b, struct at_errors *e)
{
	struct event_filter f;

	memset(&f, 0, sizeof(f));
	f.batch_id = b->batch_id;
	return read_events(st, &f, batch_event_cb, b, e);
}

/* A batch id as it appears in a link we made: 36 characters of UUID. */
static int batch_id_ok(const char *b)
{
	size_t n = 0;

	for (; b[n]; n++)
		if (!((b[n] >= '0' && b[n] <= '9') || (b[n] >= 'a' && b[n] <= 'f') || b[n] == '-'))
			return 0;
	return n > 0 && n <= AT_BATCH_ID_LEN;
}

/* "Stock-Out complete: N assets to HOLDER" / "Stock-In complete: ...". */
static void batch_title(const struct batch_read *b, int in, char *out, size_t cap)
{
	int several = 0;

	for (size_t i = 1; i < b->n; i++)
		several |= b->ev[i].holder_id != b->ev[0].holder_id;
	if (in)
		snprintf(out, cap, "Stock-In complete: %zu asset%s returned to storage", b->n,
		         b->n == 1 ? "" : "s");
	else
		snprintf(out, cap, "Stock-Out complete: %zu asset%s to %s", b->n,
		         b->n == 1 ? "" : "s", several ? "several holders" : b->ev[0].holder);
}

/* The confirmation's table: event, asset, slot left or returned to,
 * holder. */
static void batch_table(struct pg *p, const struct batch_read *b, int in)
{
	const struct page_col cols[] = {
		{ "Event", NULL }, { "Asset", NULL }, { in ? "Returned to" : "Slot left", NULL },
		{ "Holder", NULL },
	};
	struct html *h = &p->h;
	int depth = page_table_open(p, "mb-0", NULL, cols, sizeof(cols) / sizeof(cols[0]));

	for (size_t i = 0; i < b->n; i++) {
		const struct batch_event *ev = &b->ev[i];
		html_open(h, "tr", HTML_END);
		html_open(h, "td", HTML_END);
		html_int(h, ev->seq);
		html_close(h);
		html_open(h, "td", HTML_END);
		page_link(p, "/assets/", ev->tag, ev->tag);
		html_close(h);
		html_open(h, "td", HTML_END);
		page_slot_link(p, ev->case_name, ev->position);
		html_close(h);
		html_open(h, "td", HTML_END);
		page_holder_link(p, ev->holder_id, ev->holder);
		html_close(h);
		html_close(h);
	}
	html_closeto(h, depth);
}

/* The link to the batch's printable custody receipt (page_receipts.c). */
static void receipt_link(struct pg *p, const char *batch)
{
	char href[96];

	page_url_seg(href, sizeof(href), "/receipts/", batch);
	html_open(&p->h, "p", "class", "mt-3 mb-0", HTML_END);
	html_elem(&p->h, "a", "Print receipt", "href", href, "class", "btn btn-success",
	          "id", "receipt-link", HTML_END);
	html_close(&p->h);
}

/* The confirmation panel of ?batch=ID: the title and the batch's events,
 * read back from the log. */
static void batch_panel(struct pg *p, const char *batch, int in)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct batch_read b;
	struct html *h = &p->h;
	char title[AT_PERSON_MAX + 64];

	memset(&b, 0, sizeof(b));
	b.batch_id = batch;
	b.type = in ? "STOCK_IN" : "STOCK_OUT";
	b.ev = calloc(AT_MAX_BATCH, sizeof(*b.ev));
	if (!b.ev || !batch_id_ok(batch) || batch_read(p->rq->st, &b, &e) != AT_OK || b.n == 0) {
		snprintf(title, sizeof(title), "There is no %s batch %.40s.",
		         in ? "Stock-In" : "Stock-Out", batch);
		page_notice(p, "warning", NULL, e.message[0] ? e.message : title);
		goto out;
	}
	batch_title(&b, in, title, sizeof(title));
	html_open(h, "div", "class", "alert alert-success border-success mb-4", "role", "status",
	          "id", "confirmation", HTML_END);
	html_elem(h, "h2", title, "class", "h4 alert-heading", HTML_END);
	html_open(h, "p", "class", "mb-2", HTML_END);
	html_text(h, "Recorded ");
	page_time(p, b.at);
	html_text(h, " as batch ");
	page_link(p, "/events?batch=", batch, batch);
	html_text(h, ".");
	html_close(h);
	batch_table(p, &b, in);
	receipt_link(p, batch);
	html_close(h);
out:
	free(b.ev);
	at_errors_free(&e);
}

/* ==== posts: changing the draft ====================================== */

/* A post's `?last=N` for the page it redirects to, or the query's. */
static unsigned query_last(struct request *rq)
{
	const char *s = web_query(rq, "last");
	int64_t id;

	return s && text_parse_int(s, 1, 0xffffffffLL, &id) == 0 ? (unsigned)id : 0;
}

/* Redirect to `path`, naming the line just scanned (if any). */
static void back_to(struct request *rq, const char *path, unsigned last)
{
	char loc[64];

	if (last)
		snprintf(loc, sizeof(loc), "%s?last=%u", path, last);
	else
		snprintf(loc, sizeof(loc), "%s", path);
	web_redirect(rq, loc);
}

/* The lines a commit took: removed from the draft afterwards (lines added
 * meanwhile, by another tab, stay). */
struct done_lines {
	const struct draft *committed;
};

static void drop_committed(struct draft *d, void *ctx)
{
	const struct done_lines *dl = ctx;

	for (size_t i = 0; i < dl->committed->n; i++)
		draft_remove(d, dl->committed->lines[i].id);
	if (d->n == 0) {
		d->holder[0] = '\0';
		d->holder_id = 0;
		d->due[0] = '\0';
	}
}

/* The page has no session to keep a batch in (a Bearer token, not a
 * browser login). */
static void no_session(struct request *rq)
{
	page_error(rq, 400, "No browser session",
	           "A batch is kept with your browser session: log in through the login page "
	           "to use this page.");
}

/* ==== Stock-Out ======================================================= */

/* What a Stock-Out post changes, applied under the draft lock. */
struct out_edit {
	const char *holder;                /* NULL: not in the form */
	int64_t pick_id;                   /* a holder picked from the list */
	char pick_name[AT_PERSON_MAX + 1];
	const char *due;
	const char *scan;
	unsigned remove;
	unsigned added;                    /* out: the new line */
	int full;                          /* out: the batch was full */
};

static void out_apply(struct draft *d, void *ctx)
{
	struct out_edit *ed = ctx;
	char t[sizeof(d->holder)];

	if (ed->pick_id) {
		d->holder_id = ed->pick_id;
		draft_set_text(d->holder, sizeof(d->holder), ed->pick_name);
	} else if (ed->holder) {
		draft_set_text(t, sizeof(t), ed->holder);
		if (strcmp(t, d->holder) != 0) {
			memcpy(d->holder, t, sizeof(t));
			d->holder_id = 0;
		}
	}
	if (ed->due)
		draft_set_text(d->due, sizeof(d->due), ed->due);
	if (ed->remove)
		draft_remove(d, ed->remove);
	if (ed->scan && ed->scan[0]) {
		ed->added = draft_add(d, ed->scan, NULL, NULL);
		ed->full = ed->added == 0;
	}
}

/* Under the Holder field: who it resolves to and OK (or why they cannot
 * take custody), else the pick list of active holders whose name
 * matches what was typed. */
static void holder_status(struct pg *p, const struct batch_check *v)
{
	struct html *h = &p->h;
	char label[AT_PERSON_MAX * 2 + 64];
	const char *values[HOLDER_MATCHES + 1], *labels[HOLDER_MATCHES + 1];
	char vbuf[HOLDER_MATCHES][24], lbuf[HOLDER_MATCHES][AT_PERSON_MAX * 2 + 40];

	if (v->hcode == AT_OK || v->hcode == AT_HOLDER_INACTIVE) {
		html_open(h, "div", "id", "holder-line",
		          "class", v->hcode == AT_OK ? "line-ok mb-3" : "line-bad mb-3", HTML_END);
		snprintf(label, sizeof(label), "%s (#%lld%s%s)", v->h.name, (long long)v->h.id,
		         v->h.badge[0] ? ", badge " : "", v->h.badge);
		html_elem(h, "strong", label, "class", "me-2", HTML_END);
		if (v->hcode == AT_OK) {
			html_elem(h, "span", "OK", "class", "status", HTML_END);
		} else {
			html_open(h, "span", "class", "reason", HTML_END);
			html_elem(h, "code", at_code_name(v->hcode), "class",
			          "badge text-bg-danger me-2", HTML_END);
			html_text(h, v->hmsg);
			html_close(h);
		}
		html_close(h);
		return;
	}
	if (!v->hgiven)
		return;
	if (v->nmatch == 0) {
		html_elem(h, "p", "No active holder's name matches that either.",
		          "class", "text-muted", HTML_END);
		return;
	}
	values[0] = "";
	labels[0] = "Choose a holder…";
	for (size_t i = 0; i < v->nmatch; i++) {
		snprintf(vbuf[i], sizeof(vbuf[i]), "%lld", (long long)v->match[i].id);
		snprintf(lbuf[i], sizeof(lbuf[i]), "%s (#%lld%s%s)", v->match[i].name,
		         (long long)v->match[i].id, v->match[i].badge[0] ? ", badge " : "",
		         v->match[i].badge);
		values[i + 1] = vbuf[i];
		labels[i + 1] = lbuf[i];
	}
	page_select(p, "holder_pick", "Matching holders: pick one, then Add", values, labels,
	            v->nmatch + 1, NULL, NULL);
}

/* The holder part of the Stock-Out form: Holder with what it resolves
 * to, and Due date. */
static void out_holder(struct pg *p, const struct draft *d, const struct batch_check *v,
                       const struct at_errors *e, int focus)
{
	const char *herr = page_field_error(e, "holder");
	struct html *h = &p->h;

	/* An inactive holder's reason is on the holder line already. */
	if (!herr && v->hgiven && v->hcode != AT_OK && v->hcode != AT_HOLDER_INACTIVE)
		herr = v->hmsg;
	html_open(h, "div", "class", "row g-3", HTML_END);
	html_open(h, "div", "class", "col-md-7", HTML_END);
	page_field(p, "holder", "Holder", d->holder, "Scan a badge, or type a name or id", herr,
	           focus ? F_AUTOFOCUS : 0);
	holder_status(p, v);
	html_close(h);
	html_open(h, "div", "class", "col-md-5", HTML_END);
	page_field(p, "due", "Due date", d->due, "Optional: when it should come back",
	           v->dcode != AT_OK ? v->dmsg : NULL, F_DATE);
	html_close(h);
	html_close(h);
}

/* The Stock-Out page: confirmation (?batch), error summary, the form with
 * holder, due date, scan and the checked batch. */
static void out_render(struct request *rq, const struct draft *d, const struct batch_check *v,
                       int status, const struct at_errors *e, unsigned latest,
                       const char *scan_error)
{
	const char *batch = web_query(rq, "batch");
	int holder_first = !d->holder[0] && !d->holder_id && d->n == 0 && !scan_error;
	struct pg p;

	page_begin(&p, rq, "Stock-Out");
	if (batch && status == 200)
		batch_panel(&p, batch, 0);
	summary(&p, d, e);
	page_form_open_ex(&p, "/stock-out", NULL, NULL, 1);
	html_open(&p.h, "div", "class", "card mb-3", HTML_END);
	html_open(&p.h, "div", "class", "card-body", HTML_END);
	out_holder(&p, d, v, e, holder_first);
	scan_row(&p, "Scan or type an asset tag, then press Enter", scan_error, !holder_first);
	html_close(&p.h);
	html_close(&p.h);
	lines_render(&p, d, v, latest, 0);
	html_close(&p.h);
	page_end(&p, status);
}

/* Check the draft and render it; a storage failure is an error page. */
static void out_show(struct request *rq, const struct draft *d, int status,
                     const struct at_errors *e, unsigned latest, const char *scan_error)
{
	struct batch_check v;
	char why[AT_MSG_MAX];
	enum at_code r = check_draft(rq, d, 0, &v, why);

	if (r != AT_OK)
		page_error(rq, at_code_http(r), "Database error", "%s", why);
	else
		out_render(rq, d, &v, status, e, latest, scan_error);
	check_free(&v);
}

void page_stock_out_get(struct request *rq)
{
	struct draft d;

	if (draft_load(rq->csrf, DRAFT_STOCK_OUT, &d) < 0 && rq->csrf[0]) {
		page_error(rq, 500, "Out of memory", "The batch could not be loaded.");
		return;
	}
	out_show(rq, &d, 200, NULL, query_last(rq), NULL);
	draft_free(&d);
}

/* Commit: refuse (422) while any line would be refused, else one
 * custody_stock_out; success clears the committed lines and shows the
 * confirmation, a refusal from core keeps the draft. */
static void out_commit(struct request *rq, const struct draft *d)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	struct holder_ref href = { 0, d->holder, 0 };
	struct done_lines dl = { d };
	struct batch_check v;
	char why[AT_MSG_MAX], loc[96];
	const char **tags = NULL;
	enum at_code r = check_draft(rq, d, 0, &v, why);

	if (r != AT_OK) {
		page_error(rq, at_code_http(r), "Database error", "%s", why);
		goto out;
	}
	if (v.nbad || v.hcode != AT_OK || v.dcode != AT_OK || d->n == 0) {
		check_errors(d, &v, 0, &e);
		out_render(rq, d, &v, 422, &e, 0, NULL);
		goto out;
	}
	tags = calloc(d->n, sizeof(*tags));
	if (!tags) {
		page_error(rq, 500, "Out of memory", "The batch could not be committed.");
		goto out;
	}
	for (size_t i = 0; i < d->n; i++)
		tags[i] = d->lines[i].scan;
	if (d->holder_id)
		href = (struct holder_ref){ d->holder_id, NULL, 0 };
	r = custody_stock_out(rq->st, rq->actor, href, d->due[0] ? d->due : NULL, tags, d->n, &res,
	                      &e);
	if (r == AT_OK) {
		draft_edit(rq->csrf, DRAFT_STOCK_OUT, drop_committed, &dl, NULL);
		snprintf(loc, sizeof(loc), "/stock-out?batch=%s", res.batch_id);
		custody_result_free(&res);
		web_redirect(rq, loc);
		goto out;
	}
	check_free(&v);
	out_show(rq, d, e.nitems ? web_batch_status(&e) : at_code_http(r), &e, 0, NULL);
out:
	check_free(&v);
	free(tags);
	at_errors_free(&e);
}

/* The holder picked from the list, if the post carries a valid pick. */
static void out_pick(struct request *rq, struct out_edit *ed)
{
	const char *pick = form_get(&rq->form, "holder_pick");
	struct at_errors e = AT_ERRORS_INIT;
	struct holder h;
	int64_t id;

	if (pick && text_parse_int(pick, 1, INT64_MAX, &id) == 0 &&
	    read_holder(rq->st, id, &h, &e) == AT_OK) {
		ed->pick_id = h.id;
		snprintf(ed->pick_name, sizeof(ed->pick_name), "%s", h.name);
	}
	at_errors_free(&e);
}

void page_stock_out_post(struct request *rq)
{
	const char *action = form_get(&rq->form, "action");
	struct out_edit ed;
	struct draft d;
	struct at_errors e = AT_ERRORS_INIT;

	memset(&ed, 0, sizeof(ed));
	ed.holder = form_get(&rq->form, "holder");
	ed.due = form_get(&rq->form, "due");
	ed.scan = form_get(&rq->form, "scan");
	ed.remove = draft_remove_id(action);
	out_pick(rq, &ed);
	if (draft_edit(rq->csrf, DRAFT_STOCK_OUT, out_apply, &ed, &d) < 0) {
		no_session(rq);
		return;
	}
	if (ed.full) {
		at_fail(&e, AT_TOO_LARGE, "a batch holds at most %d assets: commit or remove some "
		        "before scanning more", AT_MAX_BATCH);
		at_item(&e, "scan", AT_TOO_LARGE, "%s", e.message);
		out_show(rq, &d, at_code_http(AT_TOO_LARGE), &e, 0, e.message);
	} else if (action && strcmp(action, "commit") == 0) {
		out_commit(rq, &d);
	} else {
		back_to(rq, "/stock-out", ed.added);
	}
	at_errors_free(&e);
	draft_free(&d);
}

/* ==== Stock-In ======================================================== */

/*
 * Every Stock-In line posts its Case and Slot with the form, and route.c
 * parses at most FORM_MAX_FIELDS fields: a draft that outgrew that could
 * no longer be posted at all, not even to remove a line.  So a Stock-In
 * draft holds as many lines as the form can carry, up to AT_MAX_BATCH
 * (FORM_MAX_FIELDS leaves room for all 1,000).
 */
#define IN_FORM_LINES ((FORM_MAX_FIELDS - 8) / 2)
#define IN_MAX_LINES (IN_FORM_LINES < AT_MAX_BATCH ? IN_FORM_LINES : AT_MAX_BATCH)

/* What a Stock-In post changes, applied under the draft lock. */
struct in_edit {
	const struct form *form;           /* the lines' Case and Slot fields */
	const char *scan;
	int label;                         /* the scan is a slot label */
	char label_case[AT_NAME_MAX + 2];
	char label_slot[12];
	char pre_case[AT_NAME_MAX + 2];    /* prefill of a new line */
	char pre_slot[12];
	unsigned remove;
	unsigned latest;                   /* out: the line the scan added or set */
	int full;                          /* out: the batch was full */
	int no_line;                       /* out: a slot label with no line for it */
};

/* Copy the posted Case/Slot fields ("case_<id>", "slot_<id>") into their
 * lines; fields of lines that are gone are ignored. */
static void in_apply_dests(struct draft *d, const struct form *f)
{
	struct draft_line *l;
	int64_t id;

	for (size_t i = 0; i < f->n; i++) {
		const char *name = f->f[i].name;
		int is_case = strncmp(name, "case_", 5) == 0;
		if (!is_case && strncmp(name, "slot_", 5) != 0)
			continue;
		if (text_parse_int(name + 5, 1, 0xffffffffLL, &id) < 0 ||
		    !(l = draft_find(d, (unsigned)id)))
			continue;
		if (is_case)
			draft_set_text(l->case_name, sizeof(l->case_name), f->f[i].value);
		else
			draft_set_text(l->slot, sizeof(l->slot), f->f[i].value);
	}
}

static void in_apply(struct draft *d, void *ctx)
{
	struct in_edit *ed = ctx;
	struct draft_line *l;

	in_apply_dests(d, ed->form);
	if (ed->remove)
		draft_remove(d, ed->remove);
	if (!ed->scan || !ed->scan[0])
		return;
	if (ed->label) {
		if (d->n == 0) {
			ed->no_line = 1;
			return;
		}
		l = &d->lines[d->n - 1];
		memcpy(l->case_name, ed->label_case, sizeof(l->case_name));
		memcpy(l->slot, ed->label_slot, sizeof(l->slot));
		ed->latest = l->id;
		return;
	}
	ed->latest = d->n < IN_MAX_LINES ? draft_add(d, ed->scan, ed->pre_case, ed->pre_slot) : 0;
	ed->full = ed->latest == 0;
}

/* Look at the scan before it reaches the draft: a slot label CASE/POS
 * names a destination; an asset in custody prefills the slot it left. */
static void in_classify(struct request *rq, struct in_edit *ed)
{
	char clean[AT_INPUT_MAX], cname[AT_NAME_MAX + 1], why[AT_MSG_MAX];
	struct asset a;
	int64_t pos;

	if (!ed->scan || text_clean_scan(ed->scan, clean, sizeof(clean), why) < 0 || !clean[0])
		return;
	if (slot_label_parse(clean, cname, sizeof(cname), &pos) == 0) {
		ed->label = 1;
		draft_set_text(ed->label_case, sizeof(ed->label_case), cname);
		snprintf(ed->label_slot, sizeof(ed->label_slot), "%d", (int)pos);
		return;
	}
	if (asset_resolve(rq->st, clean, &a, NULL, why) == AT_OK && a.state == ASSET_IN_CUSTODY &&
	    a.last_case_id) {
		draft_set_text(ed->pre_case, sizeof(ed->pre_case), a.last_case_name);
		snprintf(ed->pre_slot, sizeof(ed->pre_slot), "%d", a.last_position);
	}
}

/* The Stock-In page: confirmation (?batch), error summary, the form with
 * scan and the checked batch, each line with its Case and Slot. */
static void in_render(struct request *rq, const struct draft *d, const struct batch_check *v,
                      int status, const struct at_errors *e, unsigned latest,
                      const char *scan_error)
{
	const char *batch = web_query(rq, "batch");
	struct pg p;

	page_begin(&p, rq, "Stock-In");
	if (batch && status == 200)
		batch_panel(&p, batch, 1);
	summary(&p, d, e);
	page_form_open_ex(&p, "/stock-in", NULL, NULL, 1);
	html_open(&p.h, "div", "class", "card mb-3", HTML_END);
	html_open(&p.h, "div", "class", "card-body", HTML_END);
	scan_row(&p,
	         "Scan an asset; it goes back to the slot it left. To send it elsewhere, scan "
	         "that slot's label (CASE/POS) next, or change its Case and Slot.",
	         scan_error, 1);
	html_close(&p.h);
	html_close(&p.h);
	lines_render(&p, d, v, latest, 1);
	html_close(&p.h);
	page_end(&p, status);
}

/* Check the draft and render it; a storage failure is an error page. */
static void in_show(struct request *rq, const struct draft *d, int status,
                    const struct at_errors *e, unsigned latest, const char *scan_error)
{
	struct batch_check v;
	char why[AT_MSG_MAX];
	enum at_code r = check_draft(rq, d, 1, &v, why);

	if (r != AT_OK)
		page_error(rq, at_code_http(r), "Database error", "%s", why);
	else
		in_render(rq, d, &v, status, e, latest, scan_error);
	check_free(&v);
}

void page_stock_in_get(struct request *rq)
{
	struct draft d;

	if (draft_load(rq->csrf, DRAFT_STOCK_IN, &d) < 0 && rq->csrf[0]) {
		page_error(rq, 500, "Out of memory", "The batch could not be loaded.");
		return;
	}
	in_show(rq, &d, 200, NULL, query_last(rq), NULL);
	draft_free(&d);
}

/* Commit: refuse (422) while any line would be refused, else one
 * custody_stock_in with each line's checked destination. */
static void in_commit(struct request *rq, const struct draft *d)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	struct done_lines dl = { d };
	struct stock_in_item *items = NULL;
	struct batch_check v;
	char why[AT_MSG_MAX], loc[96];
	enum at_code r = check_draft(rq, d, 1, &v, why);
	int64_t pos;

	if (r != AT_OK) {
		page_error(rq, at_code_http(r), "Database error", "%s", why);
		goto out;
	}
	if (v.nbad || d->n == 0) {
		check_errors(d, &v, 1, &e);
		in_render(rq, d, &v, 422, &e, 0, NULL);
		goto out;
	}
	items = calloc(d->n, sizeof(*items));
	if (!items) {
		page_error(rq, 500, "Out of memory", "The batch could not be committed.");
		goto out;
	}
	for (size_t i = 0; i < d->n; i++) {
		const struct draft_line *l = &d->lines[i];
		items[i].tag = l->scan;
		/* Both empty: core's default, the slot it left (checked above). */
		if (l->case_name[0] && text_parse_int(l->slot, 1, AT_MAX_SLOTS, &pos) == 0) {
			items[i].case_name = l->case_name;
			items[i].position = pos;
		}
	}
	r = custody_stock_in(rq->st, rq->actor, items, d->n, &res, &e);
	if (r == AT_OK) {
		draft_edit(rq->csrf, DRAFT_STOCK_IN, drop_committed, &dl, NULL);
		snprintf(loc, sizeof(loc), "/stock-in?batch=%s", res.batch_id);
		custody_result_free(&res);
		web_redirect(rq, loc);
		goto out;
	}
	in_show(rq, d, e.nitems ? web_batch_status(&e) : at_code_http(r), &e, 0, NULL);
out:
	check_free(&v);
	free(items);
	at_errors_free(&e);
}

void page_stock_in_post(struct request *rq)
{
	const char *action = form_get(&rq->form, "action");
	struct in_edit *ed = calloc(1, sizeof(*ed));
	struct at_errors e = AT_ERRORS_INIT;
	struct draft d;

	if (!ed) {
		page_error(rq, 500, "Out of memory", "The batch could not be changed.");
		return;
	}
	ed->form = &rq->form;
	ed->scan = form_get(&rq->form, "scan");
	ed->remove = draft_remove_id(action);
	in_classify(rq, ed);
	if (draft_edit(rq->csrf, DRAFT_STOCK_IN, in_apply, ed, &d) < 0) {
		free(ed);
		no_session(rq);
		return;
	}
	if (ed->full || ed->no_line) {
		if (ed->full)
			at_fail(&e, AT_TOO_LARGE, "a Stock-In batch holds at most %d assets here: "
			        "commit or remove some before scanning more", IN_MAX_LINES);
		else
			at_fail(&e, AT_INVALID, "%s is a slot label: scan the asset first, then the "
			        "label of the slot it goes to", ed->scan);
		at_item(&e, "scan", e.code, "%s", e.message);
		in_show(rq, &d, at_code_http(e.code), &e, 0, e.message);
	} else if (action && strcmp(action, "commit") == 0) {
		in_commit(rq, &d);
	} else {
		back_to(rq, "/stock-in", ed->latest);
	}
	at_errors_free(&e);
	draft_free(&d);
	free(ed);
}
