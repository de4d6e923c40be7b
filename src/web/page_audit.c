/*
 * page_audit.c — the physical audit page (/audit; SPEC §5, §8).
 *
 * An operator picks a case (types or scans its name, or scans one of its
 * slot labels) or a holder (badge or id), then scans: slot labels and
 * tags, Enter after each, as on Stock-In.  The scans so far live on the
 * server in the session's audit draft (web/draft.h, DRAFT_AUDIT), so they
 * survive a reload; every render runs the audit again over them
 * (audit_run without saving, inside the page's read snapshot) and shows
 * the counts and the lists, problems first, each line in colour and words,
 * the latest scan's verdict beside the scan field with its sound.  "Save
 * audit" records it (one AUDIT_RECORDED event) and shows the saved audit
 * (?saved=SEQ); there an admin picks suggested corrections and applies
 * them (POST /audit/apply, one transaction).  With no audit in progress
 * the page lists the cases not audited in N days.
 *
 * The draft holds at most AT_MAX_BATCH scans (a 500-slot case scanned
 * label + asset); the CLI and the API take up to AT_AUDIT_MAX_SCANS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/holder.h"
#include "core/place.h"
#include "util/text.h"
#include "web/draft.h"
#include "web/page.h"

#define STALE_DAYS 30
#define STALE_ROWS 50
#define URL_MAX 512

/* ==== the draft ========================================================= */

enum audit_op { OP_START, OP_ADD, OP_REMOVE, OP_CLEAR };

/* A change to the audit draft, made under the draft lock. */
struct audit_edit {
	enum audit_op op;
	char subject[AT_PERSON_MAX + 1];   /* start: the case's name, or the holder's */
	int64_t holder_id;                 /* start: a holder audit */
	const char *scan;                  /* start (a slot label) or add */
	unsigned remove;
	unsigned added;                    /* out: the line added */
	int full;                          /* out: no room for it */
	int busy;                          /* out: start refused, one is in progress */
	int idle;                          /* out: a scan with no audit started */
	char busy_with[AT_PERSON_MAX + 2]; /* out: ...of this case or holder */
};

static void audit_edit_fn(struct draft *d, void *ctx)
{
	struct audit_edit *ed = ctx;

	switch (ed->op) {
	case OP_START:
		/* Another tab's start must not wipe scans made here. */
		if (d->holder_id || d->holder[0]) {
			ed->busy = 1;
			memcpy(ed->busy_with, d->holder, sizeof(ed->busy_with));
			break;
		}
		d->n = 0;
		draft_set_text(d->holder, sizeof(d->holder), ed->subject);
		d->holder_id = ed->holder_id;
		if (ed->scan)
			ed->added = draft_add(d, ed->scan, NULL, NULL);
		break;
	case OP_ADD:
		if (!d->holder_id && !d->holder[0]) {
			ed->idle = 1;
			break;
		}
		ed->added = draft_add(d, ed->scan, NULL, NULL);
		ed->full = ed->added == 0;
		break;
	case OP_REMOVE:
		draft_remove(d, ed->remove);
		break;
	case OP_CLEAR:
		d->n = 0;
		d->holder[0] = '\0';
		d->holder_id = 0;
		break;
	}
}

/* Is an audit in progress in this draft? */
static int in_progress(const struct draft *d)
{
	return d->holder_id || d->holder[0];
}

/* Run the audit of the draft (not saved) inside a read snapshot. */
static enum at_code draft_audit(struct request *rq, const struct draft *d, int save,
                                struct audit_result *r, struct at_errors *e)
{
	const char **scans = calloc(d->n ? d->n : 1, sizeof(*scans));
	struct holder_ref h = { d->holder_id, NULL, 0 };
	int own = !save && !rq->read_txn && db_read_begin(rq->st, NULL) == AT_OK;
	enum at_code c;

	memset(r, 0, sizeof(*r));
	if (!scans)
		return at_fail(e, AT_INTERNAL, "out of memory");
	for (size_t i = 0; i < d->n; i++)
		scans[i] = d->lines[i].scan;
	if (d->holder_id)
		c = audit_holder(rq->st, rq->actor, h, scans, d->n, save, r, e);
	else
		c = audit_run(rq->st, rq->actor, d->holder, scans, d->n, save, r, e);
	if (own)
		db_read_end(rq->st);
	free(scans);
	return c;
}

/* ==== rendering one audit ================================================ */

static const char *const kind_titles[AUDIT_KIND__MAX] = {
	"Matched", "Missing", "Misplaced", "Unexpected", "Scanned twice", "Errors",
};
static const char *const holder_titles[AUDIT_KIND__MAX] = {
	"Seen", "Not seen", "Misplaced", "Not theirs", "Scanned twice", "Errors",
};

static const char *kind_title(const struct audit_result *r, enum audit_kind k)
{
	return r->holder_audit ? holder_titles[k] : kind_titles[k];
}

/* The badge class of a kind: green for matched, amber for a repeat, red
 * for everything that needs someone to look. */
static const char *kind_badge(enum audit_kind k)
{
	return k == AUDIT_MATCHED ? "badge text-bg-success" : k == AUDIT_DUPLICATE
	                                                          ? "badge text-bg-warning"
	                                                          : "badge text-bg-danger";
}

static int kind_ok(enum audit_kind k)
{
	return k == AUDIT_MATCHED || k == AUDIT_DUPLICATE;
}

/* What a line says, after its tag. */
static void line_text(const struct audit_result *r, const struct audit_line *l, char *out,
                      size_t cap)
{
	char where[AT_MSG_MAX], at[48] = "";

	if (!r->holder_audit && l->scanned_pos)
		snprintf(at, sizeof(at), "scanned in slot %d: ", l->scanned_pos);
	switch (l->kind) {
	case AUDIT_MATCHED:
		if (r->holder_audit)
			snprintf(out, cap, "in their custody");
		else if (l->scanned_pos)
			snprintf(out, cap, "in slot %d, as recorded", l->db_pos);
		else
			snprintf(out, cap, "in the case (the database has slot %d; no slot label "
			         "scanned before it)", l->db_pos);
		break;
	case AUDIT_MISSING:
		if (r->holder_audit)
			snprintf(out, cap, "in their custody, not shown");
		else
			snprintf(out, cap, "the database has it in slot %d; not scanned", l->db_pos);
		break;
	case AUDIT_MISPLACED:
		snprintf(out, cap, "scanned in slot %d; the database has it in slot %d",
		         l->scanned_pos, l->db_pos);
		break;
	case AUDIT_UNEXPECTED:
		audit_where_text(l, where, sizeof(where));
		snprintf(out, cap, "%s%s", at, where);
		break;
	case AUDIT_DUPLICATE:
		snprintf(out, cap, "scan %d repeats scan %d; only the first counts", l->scan,
		         l->first_scan);
		break;
	default:
		snprintf(out, cap, "%s", l->message);
	}
}

/* One line: the kind as a badge, the tag (or what was scanned), what it
 * means in words. */
static void line_render(struct pg *p, const struct audit_result *r, const struct audit_line *l)
{
	struct html *h = &p->h;
	char text[AT_MSG_MAX + 64], id[32];
	const char *shown = l->tag[0] ? l->tag : l->input[0] ? l->input : "(empty scan)";

	snprintf(id, sizeof(id), "scan-%d", l->scan);
	line_text(r, l, text, sizeof(text));
	html_open(h, "li", "class", kind_ok(l->kind) ? "line-ok" : "line-bad", "id",
	          l->scan ? id : NULL, HTML_END);
	html_open(h, "div", "class", "d-flex flex-wrap align-items-center gap-2", HTML_END);
	html_elem(h, "span", l->kind == AUDIT_ERROR ? at_code_name(l->code) : kind_title(r, l->kind),
	          "class", kind_badge(l->kind), HTML_END);
	html_elem(h, "strong", shown, "class", "tag", HTML_END);
	html_elem(h, "span", text, "class", kind_ok(l->kind) ? NULL : "reason", HTML_END);
	html_close(h);
	html_close(h);
}

/* The counts as a row of labelled badges. */
static void counts_render(struct pg *p, const struct audit_result *r)
{
	struct html *h = &p->h;
	char text[64];

	html_open(h, "ul", "class", "list-inline mb-3", "id", "audit-counts", "aria-label",
	          "Counts", HTML_END);
	for (int k = 0; k < AUDIT_KIND__MAX; k++) {
		if (k == AUDIT_MISPLACED && r->holder_audit)
			continue;
		snprintf(text, sizeof(text), "%s: %zu", kind_title(r, (enum audit_kind)k), r->count[k]);
		html_open(h, "li", "class", "list-inline-item mb-1", HTML_END);
		html_elem(h, "span", text, "class",
		          r->count[k] ? kind_badge((enum audit_kind)k) : "badge text-bg-light border",
		          "data-kind", audit_kind_name((enum audit_kind)k, r->holder_audit),
		          HTML_END);
		html_close(h);
	}
	html_close(h);
}

/* Every non-empty list, problems first, headed by `hn` ("h2", "h3"). */
static void lists_render(struct pg *p, const struct audit_result *r, const char *hn)
{
	static const enum audit_kind order[] = { AUDIT_UNEXPECTED, AUDIT_MISPLACED, AUDIT_MISSING,
		                                 AUDIT_ERROR, AUDIT_DUPLICATE, AUDIT_MATCHED };
	struct html *h = &p->h;
	char title[64], id[32];

	for (size_t o = 0; o < sizeof(order) / sizeof(order[0]); o++) {
		enum audit_kind k = order[o];
		if (!r->count[k])
			continue;
		snprintf(title, sizeof(title), "%s (%zu)", kind_title(r, k), r->count[k]);
		snprintf(id, sizeof(id), "list-%s", audit_kind_name(k, r->holder_audit));
		html_elem(h, hn, title, "class", "h5 mt-4", HTML_END);
		html_open(h, "ul", "class", "batch-lines", "id", id, "aria-label", title, HTML_END);
		for (size_t i = 0; i < r->nlines; i++)
			if (r->lines[i].kind == k)
				line_render(p, r, &r->lines[i]);
		html_close(h);
	}
	if (r->nlines == 0)
		html_elem(h, "p", "Nothing scanned yet, and the database has nothing here.",
		          "class", "text-muted", HTML_END);
}

/* A correction in words. */
static void fix_text(const struct audit_result *r, const struct audit_fix *f, char *out,
                     size_t cap)
{
	if (f->kind == AUDIT_FIX_VACATE)
		snprintf(out, cap, "Force vacate slot %s/%d: %s is missing", f->from_case,
		         f->from_pos, f->tag);
	else if (f->kind == AUDIT_FIX_ASSIGN)
		snprintf(out, cap, "Assign %s (in no slot) to slot %s/%d", f->tag, r->c.name,
		         f->to_pos);
	else
		snprintf(out, cap, "Move %s from slot %s/%d to slot %s/%d", f->tag, f->from_case,
		         f->from_pos, r->c.name, f->to_pos);
}

/* The subject of an audit in a sentence: "Case PELI-07 (20 slots)". */
static void subject_text(const struct audit_result *r, char *out, size_t cap)
{
	if (r->holder_audit)
		snprintf(out, cap, "Holder %s (#%lld)", r->h.name, (long long)r->h.id);
	else
		snprintf(out, cap, "Case %s (%d slots)", r->c.name, r->c.slot_count);
}

/* ==== the audit in progress ============================================== */

/* Under the scan field: what the latest scan was found to be, with its
 * sound (app.js, data-scan-result). */
static void latest_render(struct pg *p, const struct draft *d, const struct audit_result *r,
                          unsigned latest)
{
	struct html *h = &p->h;
	const struct audit_line *l = NULL;
	char text[AT_MSG_MAX + 128], said[AT_MSG_MAX + 64];
	int scan = 0, ok;

	for (size_t i = 0; i < d->n; i++)
		if (d->lines[i].id == latest)
			scan = (int)i + 1;
	if (!scan)
		return;
	for (size_t i = 0; i < r->nlines; i++)
		if (r->lines[i].scan == scan)
			l = &r->lines[i];
	if (l) {
		line_text(r, l, said, sizeof(said));
		snprintf(text, sizeof(text), "%s: %s — %s", l->kind == AUDIT_ERROR
		                                                     ? at_code_name(l->code)
		                                                     : kind_title(r, l->kind),
		         l->tag[0] ? l->tag : l->input, said);
		ok = kind_ok(l->kind);
	} else {
		snprintf(text, sizeof(text), "Slot %s/%d: now scan what is in it", r->c.name,
		         r->last_slot);
		ok = 1;
	}
	html_open(h, "div", "id", "last-scan", "class", ok ? "line-ok mb-3" : "line-bad mb-3",
	          "role", "status", "data-scan-result", ok ? "ok" : "bad", HTML_END);
	html_elem(h, "span", "Last scan ", "class", "visually-hidden", HTML_END);
	html_elem(h, "strong", text, "class", ok ? NULL : "reason", HTML_END);
	html_close(h);
}

/* The scans so far, newest first, each with Remove (inside the scan
 * form, after its Add). */
static void scans_render(struct pg *p, const struct draft *d)
{
	struct html *h = &p->h;
	char summary[48], value[32], which[AT_INPUT_MAX + 32], num[16];

	if (d->n == 0)
		return;
	snprintf(summary, sizeof(summary), "Scans (%zu), newest first", d->n);
	html_open(h, "details", "class", "mt-4", "id", "scans", HTML_END);
	html_elem(h, "summary", summary, "class", "h6", HTML_END);
	html_open(h, "ol", "class", "batch-lines mt-2", "reversed", "", HTML_END);
	for (size_t i = d->n; i-- > 0;) {
		const struct draft_line *l = &d->lines[i];
		snprintf(value, sizeof(value), "remove:%u", l->id);
		snprintf(which, sizeof(which), " scan %zu (%s)", i + 1, l->scan);
		snprintf(num, sizeof(num), "%zu", i + 1);
		html_open(h, "li", "class", "line-ok", HTML_END);
		html_open(h, "div", "class", "d-flex flex-wrap align-items-center gap-2", HTML_END);
		html_elem(h, "span", num, "class", "badge text-bg-light border", HTML_END);
		html_elem(h, "kbd", l->scan, "class", "mono", HTML_END);
		html_open(h, "button", "type", "submit", "name", "action", "value", value,
		          "class", "btn btn-sm btn-outline-danger ms-auto", HTML_END);
		html_text(h, "Remove");
		html_elem(h, "span", which, "class", "visually-hidden", HTML_END);
		html_close(h);
		html_close(h);
		html_close(h);
	}
	html_close(h);
	html_close(h);
}

/* Where the scans go now: the current slot, or how to give one. */
static void slot_hint(const struct audit_result *r, char *out, size_t cap)
{
	if (r->holder_audit)
		snprintf(out, cap, "Scan each asset the holder shows, then Save audit.");
	else if (r->last_slot)
		snprintf(out, cap, "Current slot: %s/%d. Scan what is in it, or the next slot's "
		         "label.", r->c.name, r->last_slot);
	else
		snprintf(out, cap, "Scan a slot's label (%s/1), then the asset in it. Scans with no "
		         "label before them only prove the asset is in the case.", r->c.name);
}

/* The audit in progress: scan form, counts, lists, Save and Discard. */
static void progress_render(struct pg *p, const struct draft *d, const struct audit_result *r,
                            unsigned latest, const char *scan_error)
{
	struct html *h = &p->h;
	char subject[AT_PERSON_MAX + 64], hint[AT_NAME_MAX * 2 + 160], confirm[96];

	subject_text(r, subject, sizeof(subject));
	slot_hint(r, hint, sizeof(hint));
	page_form_open_ex(p, "/audit", "audit-form", NULL, 1);
	html_open(h, "div", "class", "card mb-3", HTML_END);
	html_open(h, "div", "class", "card-body", HTML_END);
	html_elem(h, "h2", subject, "class", "h5 card-title", "id", "audit-subject", HTML_END);
	html_open(h, "div", "class", "row g-2 align-items-end", HTML_END);
	html_open(h, "div", "class", "col", HTML_END);
	page_field(p, "scan", "Scan", "", hint, scan_error, F_SCAN | F_AUTOFOCUS);
	html_close(h);
	html_open(h, "div", "class", "col-auto mb-3", HTML_END);
	page_button(p, "Add", "action", "add", "secondary btn-lg");
	html_close(h);
	html_close(h);
	latest_render(p, d, r, latest);
	counts_render(p, r);
	html_open(h, "div", "class", "d-flex flex-wrap align-items-center gap-3", HTML_END);
	page_button(p, "Save audit", "action", "save", "primary btn-lg");
	html_elem(h, "span", "Records what was found as one event. Nothing else changes.",
	          "class", "form-text", HTML_END);
	html_close(h);
	html_close(h);
	html_close(h);
	lists_render(p, r, "h2");
	scans_render(p, d);
	html_close(h);
	snprintf(confirm, sizeof(confirm), "Discard this audit and its %zu scans?", d->n);
	page_form_open_ex(p, "/audit", "discard-form", confirm, 0);
	page_hidden(p, "action", "discard");
	html_open(h, "p", "class", "mt-4", HTML_END);
	page_button(p, "Discard audit", NULL, NULL, "outline-danger");
	html_close(h);
	html_close(h);
}

/* ==== a saved audit ======================================================= */

/* What ?applied=BATCH did: its events, read back from the log. */
struct applied_read {
	struct pg *p;
	int n;
};

static int applied_row(void *ctx, const struct event *ev)
{
	struct applied_read *a = ctx;
	struct html *h = &a->p->h;
	char text[AT_NAME_MAX * 2 + AT_TAG_MAX + 96];

	if (a->n++ >= AT_MAX_BATCH * 2)
		return 1;
	if (ev->to_case && ev->from_case)
		snprintf(text, sizeof(text), "%s %s: %s/%d to %s/%d", ev->type,
		         ev->asset_tag ? ev->asset_tag : "", ev->from_case, ev->from_position,
		         ev->to_case, ev->to_position);
	else if (ev->to_case)
		snprintf(text, sizeof(text), "%s %s: to %s/%d", ev->type,
		         ev->asset_tag ? ev->asset_tag : "", ev->to_case, ev->to_position);
	else
		snprintf(text, sizeof(text), "%s %s: out of %s/%d", ev->type,
		         ev->asset_tag ? ev->asset_tag : "", ev->from_case ? ev->from_case : "",
		         ev->from_position);
	html_elem(h, "li", text, HTML_END);
	return 0;
}

/* The confirmation of an apply: its batch's events. */
static void applied_panel(struct pg *p, const char *batch)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct applied_read a = { p, 0 };
	struct event_filter f;
	char url[URL_MAX];
	struct html *h = &p->h;

	memset(&f, 0, sizeof(f));
	f.batch_id = batch;
	page_success_open(p, "Corrections applied",
	                  "Each was written as its normal correction event, in one batch:");
	html_open(h, "ul", "id", "applied-events", HTML_END);
	if (read_events(p->rq->st, &f, applied_row, &a, &e) != AT_OK || a.n == 0)
		html_elem(h, "li", e.message[0] ? e.message : "No events in that batch.", HTML_END);
	html_close(h);
	page_url_seg(url, sizeof(url), "/events?batch=", batch);
	html_elem(h, "a", "See them in the event log", "href", url, HTML_END);
	html_close(h);
	at_errors_free(&e);
}

/* The suggested corrections: checkboxes and Apply for an admin, a list
 * for anyone else. */
static void fixes_render(struct pg *p, const struct audit_result *r, const int *chosen)
{
	struct html *h = &p->h;
	char text[AT_NAME_MAX * 2 + AT_TAG_MAX + 96], name[32], seq[24];

	if (r->holder_audit)
		return;
	html_elem(h, "h3", "Suggested corrections", "class", "h5 mt-4", HTML_END);
	if (r->nfixes == 0) {
		html_elem(h, "p", "None: nothing found here can be corrected from this audit alone.",
		          "class", "text-muted", HTML_END);
		return;
	}
	if (!page_can(p->rq, ADMIN_ONLY)) {
		html_open(h, "ul", "id", "corrections", HTML_END);
		for (size_t i = 0; i < r->nfixes; i++) {
			fix_text(r, &r->fixes[i], text, sizeof(text));
			html_elem(h, "li", text, HTML_END);
		}
		html_close(h);
		html_elem(h, "p", "An admin can apply these from this page.", "class", "text-muted",
		          HTML_END);
		return;
	}
	snprintf(seq, sizeof(seq), "%lld", (long long)r->seq);
	page_form_open(p, "/audit/apply", "corrections");
	page_hidden(p, "seq", seq);
	html_elem(h, "p", "Choose the ones that match what you found. They are applied together, "
	          "or none is.", "class", "form-text", HTML_END);
	for (size_t i = 0; i < r->nfixes; i++) {
		snprintf(name, sizeof(name), "fix-%d", r->fixes[i].id);
		fix_text(r, &r->fixes[i], text, sizeof(text));
		page_checkbox(p, name, text, chosen && chosen[i], NULL);
	}
	page_button(p, "Apply corrections", NULL, NULL, "primary");
	html_close(h);
}

/* A saved audit (?saved=SEQ): when and by whom, its findings and its
 * corrections. */
static void saved_render(struct pg *p, const struct audit_result *r, const char *applied,
                         const int *chosen, int v_focus)
{
	struct html *h = &p->h;
	char title[AT_PERSON_MAX + 64], subject[AT_PERSON_MAX + 64], url[32];

	if (applied)
		applied_panel(p, applied);
	subject_text(r, subject, sizeof(subject));
	snprintf(title, sizeof(title), "Saved audit #%lld: %s", (long long)r->seq, subject);
	/* It takes the focus, so the page opens on it, not on a field below. */
	html_open(h, "div", "class", "at-panel", "id", "saved-audit", "tabindex", "-1",
	          "data-autofocus", v_focus ? "" : NULL, HTML_END);
	html_elem(h, "h2", title, "class", "h5", "id", "saved-title", HTML_END);
	html_open(h, "p", HTML_END);
	html_text(h, "Recorded ");
	page_time(p, r->at);
	html_textf(h, " by %s, from %zu scans, as event ", r->actor, r->nscans);
	snprintf(url, sizeof(url), "#%lld", (long long)r->seq);
	page_link(p, "/events?batch=", r->batch_id, url);
	html_text(h, ".");
	html_close(h);
	counts_render(p, r);
	lists_render(p, r, "h3");
	fixes_render(p, r, chosen);
	html_close(h);
}

/* ==== starting, and the cases not audited lately ========================== */

/* The two ways to start: a case, or a holder.  With `focus` the Case
 * field is the scan field (app.js returns the focus to it after a scan
 * form's post); without, it leaves the focus where the page put it. */
static void start_render(struct pg *p, const char *typed_case, const char *typed_holder,
                         const struct at_errors *e, int focus)
{
	struct html *h = &p->h;

	html_open(h, "div", "class", "row g-3", HTML_END);
	html_open(h, "div", "class", "col-md-7", HTML_END);
	html_open(h, "div", "class", "card h-100", HTML_END);
	html_open(h, "div", "class", "card-body", HTML_END);
	html_elem(h, "h2", "Audit a case", "class", "h5 card-title", HTML_END);
	page_form_open(p, "/audit", "start-case");
	page_hidden(p, "action", "start");
	page_field(p, "case", "Case", typed_case,
	           "Scan or type the case's name, or scan one of its slot labels",
	           page_field_error(e, "case"), focus ? F_SCAN | F_AUTOFOCUS : 0);
	page_button(p, "Start audit", NULL, NULL, "primary");
	html_close(h);
	html_close(h);
	html_close(h);
	html_close(h);
	html_open(h, "div", "class", "col-md-5", HTML_END);
	html_open(h, "div", "class", "card h-100", HTML_END);
	html_open(h, "div", "class", "card-body", HTML_END);
	html_elem(h, "h2", "Audit a holder", "class", "h5 card-title", HTML_END);
	page_form_open(p, "/audit", "start-holder");
	page_hidden(p, "action", "start_holder");
	page_field(p, "holder", "Holder", typed_holder, "Scan their badge, or type their id",
	           page_field_error(e, "holder"), 0);
	page_button(p, "Start holder audit", NULL, NULL, "secondary");
	html_close(h);
	html_close(h);
	html_close(h);
	html_close(h);
	html_close(h);
}

/* Rows of the stale list. */
struct stale_rows {
	struct pg *p;
	int n, more, limit;
	char last[AT_NAME_MAX + 1];
};

/* A case's last audit in a table cell: counts in words. */
static void result_cell(struct pg *p, const struct audit_summary *s)
{
	if (!s->seq) {
		html_text(&p->h, "—");
		return;
	}
	html_textf(&p->h, "%lld matched, %lld missing, %lld misplaced, %lld unexpected",
	           (long long)s->count[AUDIT_MATCHED], (long long)s->count[AUDIT_MISSING],
	           (long long)s->count[AUDIT_MISPLACED], (long long)s->count[AUDIT_UNEXPECTED]);
}

static int stale_row(void *ctx, const struct audit_summary *s)
{
	struct stale_rows *v = ctx;
	struct html *h = &v->p->h;
	char url[32], which[AT_NAME_MAX + 16];

	if (page_rows_full(&v->n, &v->more, v->limit))
		return 1;
	snprintf(v->last, sizeof(v->last), "%s", s->case_name);
	html_open(h, "tr", HTML_END);
	html_open(h, "td", HTML_END);
	page_link(v->p, "/cases/", s->case_name, s->case_name);
	html_close(h);
	html_open(h, "td", HTML_END);
	html_int(h, s->slot_count);
	html_close(h);
	html_open(h, "td", HTML_END);
	if (s->seq) {
		snprintf(url, sizeof(url), "/audit?saved=%lld", (long long)s->seq);
		html_open(h, "a", "href", url, HTML_END);
		page_time(v->p, s->at);
		html_close(h);
		html_textf(h, " by %s", s->actor);
	} else {
		html_elem(h, "strong", "Never", HTML_END);
	}
	html_close(h);
	html_open(h, "td", HTML_END);
	result_cell(v->p, s);
	html_close(h);
	html_open(h, "td", HTML_END);
	page_form_open(v->p, "/audit", NULL);
	page_hidden(v->p, "action", "start");
	page_hidden(v->p, "case", s->case_name);
	snprintf(which, sizeof(which), " %s", s->case_name);
	html_open(h, "button", "type", "submit", "class", "btn btn-sm btn-outline-primary",
	          HTML_END);
	html_text(h, "Audit");
	html_elem(h, "span", which, "class", "visually-hidden", HTML_END);
	html_close(h);
	html_close(h);
	html_close(h);
	html_close(h);
	return 0;
}

/* "Cases not audited in N days": a Days filter and a page of cases. */
static void stale_render(struct pg *p)
{
	static const struct page_col cols[] = {
		{ "Case", NULL }, { "Slots", NULL }, { "Last audited", NULL }, { "Result", NULL },
		{ "", NULL },
	};
	struct request *rq = p->rq;
	struct at_errors e = AT_ERRORS_INIT;
	const char *ds = web_query(rq, "stale"), *after = web_query(rq, "after");
	struct stale_rows v = { p, 0, 0, STALE_ROWS, "" };
	struct html *h = &p->h;
	char title[64], days_s[16], url[URL_MAX];
	const char *derr = NULL;
	int64_t days = STALE_DAYS;
	int depth;

	if (ds && *ds && text_parse_int(ds, 0, 100000, &days) < 0) {
		derr = "Days must be a whole number from 0 to 100000";
		days = STALE_DAYS;
	}
	snprintf(days_s, sizeof(days_s), "%lld", (long long)days);
	snprintf(title, sizeof(title), "Cases not audited in %lld days", (long long)days);
	html_elem(h, "h2", title, "id", "stale-title", HTML_END);
	page_getform_open(p, "/audit");
	html_open(h, "div", "class", "row g-2 align-items-end", HTML_END);
	html_open(h, "div", "class", "col-auto", HTML_END);
	page_field(p, "stale", "Days", ds && *ds ? ds : days_s, NULL, derr, F_NUMBER | F_NARROW);
	html_close(h);
	html_open(h, "div", "class", "col-auto mb-3", HTML_END);
	page_button(p, "Show", NULL, NULL, "secondary");
	html_close(h);
	html_close(h);
	html_close(h);
	depth = page_table_open(p, NULL, "stale-cases", cols, sizeof(cols) / sizeof(cols[0]));
	if (audit_cases(rq->st, after && *after ? after : NULL, (int)days, STALE_ROWS + 1, stale_row,
	                &v, &e) != AT_OK) {
		html_closeto(h, depth);
		page_notice(p, "danger", "The list could not be read", e.message);
		at_errors_free(&e);
		return;
	}
	html_closeto(h, depth);
	if (v.n == 0)
		html_elem(h, "p", "Every case was audited within that many days.", "class",
		          "text-muted", HTML_END);
	if (v.more) {
		snprintf(url, sizeof(url), "/audit?stale=%lld", (long long)days);
		page_url_add(url, sizeof(url), "after", v.last);
		html_elem(h, "a", "Next cases", "href", url, "class", "btn btn-outline-secondary",
		          HTML_END);
	}
	at_errors_free(&e);
}

/* ==== the page ============================================================= */

/* What to show besides the draft. */
struct view {
	int status;
	const struct at_errors *e;
	unsigned latest;
	const char *scan_error;
	const char *typed_case, *typed_holder;
	const struct audit_result *saved;  /* ?saved= (or a refused apply) */
	const int *chosen;                 /* its checked corrections */
	const char *applied;               /* ?applied=BATCH */
};

/* The fields an error summary may link to: the page's, and each
 * correction's checkbox ("fix-<id>") of a saved audit. */
static const char **summary_fields(const struct audit_result *saved, char (**names)[16])
{
	static const char *const page_fields[] = { "case", "holder", "scan" };
	size_t nf = saved ? saved->nfixes : 0, k = 0;
	const char **f = calloc(nf + 4, sizeof(*f));

	*names = calloc(nf ? nf : 1, sizeof(**names));
	if (!f || !*names) {
		free(f);
		free(*names);
		*names = NULL;
		return NULL;
	}
	for (; k < 3; k++)
		f[k] = page_fields[k];
	for (size_t i = 0; i < nf; i++) {
		snprintf((*names)[i], sizeof((*names)[i]), "fix-%d", saved->fixes[i].id);
		f[k++] = (*names)[i];
	}
	return f;
}

/* Render /audit: error summary, then the audit in progress, or the saved
 * one, the start forms and the stale list. */
static void audit_page(struct request *rq, const struct draft *d, const struct view *v)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct audit_result r;
	enum at_code c = AT_OK;
	int live = in_progress(d) && !v->saved;
	struct pg p;

	if (live && (c = draft_audit(rq, d, 0, &r, &e)) != AT_OK &&
	    (c == AT_STORAGE || c == AT_BUSY || c == AT_INTERNAL)) {
		page_refusal(rq, &e);
		at_errors_free(&e);
		return;
	}
	page_begin(&p, rq, "Physical audit");
	if (v->e) {
		char(*names)[16] = NULL;
		const char **fields = summary_fields(v->saved, &names);
		page_error_summary(&p, v->e, fields);
		free(fields);
		free(names);
	}
	if (v->saved) {
		saved_render(&p, v->saved, v->applied, v->chosen, !v->e);
		if (in_progress(d))
			html_elem(&p.h, "a", "Continue the audit in progress", "href", "/audit",
			          "class", "btn btn-outline-primary", HTML_END);
	} else if (live && c == AT_OK) {
		progress_render(&p, d, &r, v->latest, v->scan_error);
		audit_result_free(&r);
	} else if (live) {
		/* The audited case or holder cannot be read any more. */
		page_notice(&p, "danger", "This audit cannot continue", e.message);
		page_form_open(&p, "/audit", "discard-form");
		page_hidden(&p, "action", "discard");
		page_button(&p, "Discard audit", NULL, NULL, "outline-danger");
		html_close(&p.h);
	}
	if (!in_progress(d)) {
		/* The Case field takes the focus, unless an error summary or a
		 * saved audit does. */
		start_render(&p, v->typed_case, v->typed_holder, v->e, !v->e && !v->saved);
		stale_render(&p);
	}
	page_end(&p, v->status);
	at_errors_free(&e);
}

/* ?saved=SEQ read back (inside the page's snapshot); 0 if absent or bad,
 * with the reason in `e`. */
static int load_saved(struct request *rq, const char *s, struct audit_result *r,
                      struct at_errors *e)
{
	int64_t seq;

	if (!s || !*s)
		return 0;
	if (text_parse_int(s, 1, INT64_MAX, &seq) < 0) {
		at_fail(e, AT_NOT_FOUND, "'%.20s' is not a saved audit's number", s);
		return 0;
	}
	return audit_get(rq->st, seq, r, e) == AT_OK;
}

/* A batch id from a link we made: 36 characters of UUID, or NULL. */
static const char *batch_param(struct request *rq)
{
	const char *b = web_query(rq, "applied");

	if (!b || strlen(b) != AT_BATCH_ID_LEN || strspn(b, "0123456789abcdef-") != AT_BATCH_ID_LEN)
		return NULL;
	return b;
}

void page_audit_get(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct audit_result saved;
	struct view v;
	struct draft d;
	int64_t last = 0;
	const char *ls = web_query(rq, "last");
	int have;

	memset(&v, 0, sizeof(v));
	memset(&saved, 0, sizeof(saved));
	if (draft_load(rq->csrf, DRAFT_AUDIT, &d) < 0 && rq->csrf[0]) {
		page_error(rq, 500, "Out of memory", "The audit could not be loaded.");
		return;
	}
	if (ls)
		text_parse_int(ls, 1, 0xffffffffLL, &last);
	have = load_saved(rq, web_query(rq, "saved"), &saved, &e);
	v.status = e.code == AT_OK ? 200 : at_code_http(e.code);
	v.e = e.code == AT_OK ? NULL : &e;
	v.latest = (unsigned)last;
	v.saved = have ? &saved : NULL;
	v.applied = have ? batch_param(rq) : NULL;
	audit_page(rq, &d, &v);
	audit_result_free(&saved);
	draft_free(&d);
	at_errors_free(&e);
}

/* ==== posts ================================================================ */

static void no_session(struct request *rq)
{
	page_error(rq, 400, "No browser session",
	           "An audit in progress is kept with your browser session: log in through the "
	           "login page to use this page.");
}

/* Apply `ed` to the draft, then redirect (to `loc`, or the page naming
 * the line added) or show `e`. */
static void edit_and_go(struct request *rq, struct audit_edit *ed, const char *loc)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct view v;
	struct draft d;
	char url[64];

	if (draft_edit(rq->csrf, DRAFT_AUDIT, audit_edit_fn, ed, &d) < 0) {
		no_session(rq);
		return;
	}
	memset(&v, 0, sizeof(v));
	if (ed->full) {
		at_fail(&e, AT_TOO_LARGE, "an audit on this page holds at most %d scans: save it, "
		        "or audit the rest with the command line", AT_MAX_BATCH);
		at_item(&e, "scan", AT_TOO_LARGE, "%s", e.message);
		v.status = at_code_http(AT_TOO_LARGE);
		v.e = &e;
		v.scan_error = e.message;
		audit_page(rq, &d, &v);
	} else if (ed->idle) {
		at_fail(&e, AT_INVALID, "no audit is in progress: pick a case or a holder first");
		v.status = at_code_http(AT_INVALID);
		v.e = &e;
		audit_page(rq, &d, &v);
	} else if (ed->busy) {
		at_fail(&e, AT_CONFLICT, "an audit of %s is in progress: save it or discard it "
		        "before starting another", ed->busy_with[0] ? ed->busy_with : "a holder");
		v.status = at_code_http(AT_CONFLICT);
		v.e = &e;
		audit_page(rq, &d, &v);
	} else if (loc) {
		web_redirect(rq, loc);
	} else {
		snprintf(url, sizeof(url), ed->added ? "/audit?last=%u" : "/audit", ed->added);
		web_redirect(rq, url);
	}
	draft_free(&d);
	at_errors_free(&e);
}

/* Re-show the start forms with a refusal beside `field`. */
static void start_refused(struct request *rq, struct at_errors *e, const char *field,
                          const char *typed)
{
	struct view v;
	struct draft d;

	if (e->nitems == 0)
		at_item(e, field, e->code, "%s", e->message);
	memset(&v, 0, sizeof(v));
	v.status = at_code_http(e->code);
	v.e = e;
	if (strcmp(field, "case") == 0)
		v.typed_case = typed;
	else
		v.typed_holder = typed;
	draft_init(&d);
	audit_page(rq, &d, &v);
}

/* Start a case audit: the case typed or scanned, or the case of a slot
 * label scanned (which then is the first scan). */
static void start_case(struct request *rq, struct audit_edit *ed)
{
	const char *typed = form_get(&rq->form, "case");
	char clean[AT_INPUT_MAX], cname[AT_NAME_MAX + 1], why[AT_MSG_MAX];
	struct at_errors e = AT_ERRORS_INIT;
	struct case_info c;
	int64_t pos;

	if (!typed || text_clean_field(typed, clean, sizeof(clean), AT_INPUT_MAX - 1, 1, 0, "case",
	                               why) < 0) {
		at_fail(&e, AT_INVALID, "%s", typed ? why : "give the case to audit");
	} else {
		if (slot_label_parse(clean, cname, sizeof(cname), &pos) == 0 &&
		    read_case(rq->st, cname, &c, &e) == AT_OK)
			ed->scan = typed;
		else
			at_errors_reset(&e);
		if (!ed->scan)
			read_case(rq->st, clean, &c, &e);
	}
	if (e.code != AT_OK) {
		start_refused(rq, &e, "case", typed);
	} else {
		ed->op = OP_START;
		snprintf(ed->subject, sizeof(ed->subject), "%s", c.name);
		edit_and_go(rq, ed, NULL);
	}
	at_errors_free(&e);
}

/* Start a holder audit: badge or id. */
static void start_holder(struct request *rq, struct audit_edit *ed)
{
	const char *typed = form_get(&rq->form, "holder");
	struct at_errors e = AT_ERRORS_INIT;
	char why[AT_MSG_MAX] = "give the holder's badge or id";
	struct holder h;
	enum at_code c = AT_INVALID;

	if (typed && *typed)
		c = holder_resolve(rq->st, typed, &h, why);
	if (c != AT_OK) {
		at_fail(&e, c, "%s", why);
		start_refused(rq, &e, "holder", typed);
	} else {
		ed->op = OP_START;
		ed->holder_id = h.id;
		snprintf(ed->subject, sizeof(ed->subject), "%s", h.name);
		edit_and_go(rq, ed, NULL);
	}
	at_errors_free(&e);
}

/* Save: record the draft's audit, forget the draft, show the record. */
static void save(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct audit_edit clear = { .op = OP_CLEAR };
	struct audit_result r;
	struct view v;
	struct draft d;
	char loc[64];
	enum at_code c;

	if (draft_load(rq->csrf, DRAFT_AUDIT, &d) < 0) {
		no_session(rq);
		return;
	}
	if (!in_progress(&d)) {
		c = at_fail(&e, AT_INVALID, "there is no audit in progress to save: start one first");
	} else {
		c = draft_audit(rq, &d, 1, &r, &e);
	}
	if (c == AT_OK) {
		snprintf(loc, sizeof(loc), "/audit?saved=%lld", (long long)r.seq);
		audit_result_free(&r);
		draft_edit(rq->csrf, DRAFT_AUDIT, audit_edit_fn, &clear, NULL);
		web_redirect(rq, loc);
	} else {
		memset(&v, 0, sizeof(v));
		v.status = at_code_http(c);
		v.e = &e;
		audit_page(rq, &d, &v);
	}
	draft_free(&d);
	at_errors_free(&e);
}

void page_audit_post(struct request *rq)
{
	const char *action = form_get(&rq->form, "action");
	const char *scan = form_get(&rq->form, "scan");
	struct audit_edit ed;
	char clean[AT_INPUT_MAX], why[AT_WHY_MAX];

	memset(&ed, 0, sizeof(ed));
	if (!rq->csrf[0]) {
		no_session(rq);
	} else if (action && strcmp(action, "start") == 0) {
		start_case(rq, &ed);
	} else if (action && strcmp(action, "start_holder") == 0) {
		start_holder(rq, &ed);
	} else if (action && strcmp(action, "save") == 0) {
		save(rq);
	} else if (action && strcmp(action, "discard") == 0) {
		ed.op = OP_CLEAR;
		edit_and_go(rq, &ed, "/audit");
	} else if ((ed.remove = draft_remove_id(action)) != 0) {
		ed.op = OP_REMOVE;
		edit_and_go(rq, &ed, "/audit");
	} else if (scan && text_clean_scan(scan, clean, sizeof(clean), why) == 0 && !clean[0]) {
		/* Enter on an empty field (a scanner's double Enter): nothing. */
		web_redirect(rq, "/audit");
	} else if (scan) {
		ed.op = OP_ADD;
		ed.scan = scan;
		edit_and_go(rq, &ed, NULL);
	} else {
		web_redirect(rq, "/audit");
	}
}

/* The corrections a post checked ("fix-<id>" fields), in form order. */
static size_t chosen_ids(const struct form *f, int *ids, size_t max)
{
	size_t n = 0;
	int64_t id;

	for (size_t i = 0; i < f->n && n < max; i++)
		if (strncmp(f->f[i].name, "fix-", 4) == 0 &&
		    text_parse_int(f->f[i].name + 4, 1, 1000000, &id) == 0)
			ids[n++] = (int)id;
	return n;
}

void page_audit_apply_post(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct audit_applied out;
	struct audit_result saved;
	int *ids = calloc(AT_MAX_BATCH, sizeof(*ids)), *chosen = NULL;
	const char *s = form_get(&rq->form, "seq");
	struct view v;
	struct draft d;
	char loc[128];
	int64_t seq = 0;
	size_t n;
	enum at_code c;

	if (!ids) {
		page_error(rq, 500, "Out of memory", "The corrections could not be applied.");
		return;
	}
	n = chosen_ids(&rq->form, ids, AT_MAX_BATCH);
	if (!s || text_parse_int(s, 1, INT64_MAX, &seq) < 0)
		c = at_fail(&e, AT_NOT_FOUND, "no saved audit was named");
	else
		c = audit_apply(rq->st, rq->actor, seq, ids, n, &out, &e);
	if (c == AT_OK) {
		snprintf(loc, sizeof(loc), "/audit?saved=%lld&applied=%s", (long long)seq,
		         out.batch_id);
		web_redirect(rq, loc);
		free(ids);
		at_errors_free(&e);
		return;
	}
	/* Refused: the saved audit again, with what was checked; each item
	 * names its correction's checkbox, so the summary links to it. */
	for (size_t i = 0; i < e.nitems; i++) {
		int64_t id;
		if (text_parse_int(e.items[i].input, 1, 1000000, &id) == 0)
			snprintf(e.items[i].input, sizeof(e.items[i].input), "fix-%d", (int)id);
	}
	memset(&v, 0, sizeof(v));
	memset(&saved, 0, sizeof(saved));
	v.status = page_refusal_status(&e);
	v.e = &e;
	if (seq && audit_get(rq->st, seq, &saved, NULL) == AT_OK) {
		chosen = calloc(saved.nfixes ? saved.nfixes : 1, sizeof(*chosen));
		for (size_t i = 0; chosen && i < saved.nfixes; i++)
			for (size_t k = 0; k < n; k++)
				chosen[i] |= saved.fixes[i].id == ids[k];
		v.saved = &saved;
		v.chosen = chosen;
	}
	if (draft_load(rq->csrf, DRAFT_AUDIT, &d) < 0)
		draft_init(&d);
	audit_page(rq, &d, &v);
	draft_free(&d);
	audit_result_free(&saved);
	free(chosen);
	free(ids);
	at_errors_free(&e);
}

/* ==== the case page's line ================================================== */

void page_audit_last(struct pg *p, const char *case_name, const char *dt_cls,
                     const char *dd_cls)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct audit_summary s;
	struct html *h = &p->h;
	char url[32];

	html_elem(h, "dt", "Last audited", "class", dt_cls, HTML_END);
	html_open(h, "dd", "class", dd_cls, "id", "last-audited", HTML_END);
	if (audit_last(p->rq->st, case_name, &s, &e) != AT_OK) {
		html_text(h, e.message);
	} else if (!s.seq) {
		html_text(h, "Never");
	} else {
		if (page_can(p->rq, OPERATOR_UP)) {
			snprintf(url, sizeof(url), "/audit?saved=%lld", (long long)s.seq);
			html_open(h, "a", "href", url, HTML_END);
			page_time(p, s.at);
			html_close(h);
		} else {
			page_time(p, s.at);
		}
		html_textf(h, " by %s: ", s.actor);
		result_cell(p, &s);
	}
	html_close(h);
	at_errors_free(&e);
}
