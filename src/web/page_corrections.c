/*
 * page_corrections.c — the admin's corrections (SPEC §5, §8.1):
 * /corrections puts an asset into a slot, moves it, or force-vacates a
 * slot; /replace swaps a faulty device for another without breaking
 * custody.  Both call the core functions the JSON API calls (slot_assign,
 * slot_move, slot_force_vacate, asset_replace).
 *
 * The corrections page is one form (Asset tag, Case, Slot, Reason) with a
 * button per correction; the button pressed says which.  Core's refusals
 * name their input either by field ("case", "reason") or by value (the
 * typed tag, the case name); they are mapped onto the field ids, so each
 * message sits beside its field and the error summary links to it.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/asset.h"
#include "core/place.h"
#include "core/read.h"
#include "util/text.h"
#include "web/page.h"

/* ==== shared helpers ================================================== */

/* Do `a` and `b` name the same asset tag by match key (what core resolves
 * by: the typed "at0007" and the canonical "AT-0007" are one)? */
static int same_tag(const char *a, const char *b)
{
	char ka[AT_INPUT_MAX], kb[AT_INPUT_MAX];

	if (!a || !b || text_match_key(a, ka, sizeof(ka)) < 0 ||
	    text_match_key(b, kb, sizeof(kb)) < 0)
		return 0;
	return ka[0] != '\0' && strcmp(ka, kb) == 0;
}

/* Does `typed`, trimmed of surrounding blanks, equal `input` (no case)? */
static int same_text(const char *input, const char *typed)
{
	size_t n;

	if (!input || !typed)
		return 0;
	while (*typed == ' ' || *typed == '\t')
		typed++;
	n = strlen(typed);
	while (n && (typed[n - 1] == ' ' || typed[n - 1] == '\t'))
		n--;
	return n && strlen(input) == n && strncasecmp(input, typed, n) == 0;
}

/* Append `message` to `dst` as an item of field `prefix``field`, or of
 * `input` unchanged when `field` is NULL (shown in the summary only). */
static void map_item(struct at_errors *dst, const char *prefix, const char *field,
                     const char *input, enum at_code code, const char *message)
{
	char id[64];

	if (field)
		snprintf(id, sizeof(id), "%s%s", prefix, field);
	else
		snprintf(id, sizeof(id), "%s", input);
	at_item(dst, id, code, "%s", message);
}

/* Finish a mapped refusal: the original's top-level code and message. */
static void map_done(struct at_errors *dst, const struct at_errors *src)
{
	dst->code = src->code;
	snprintf(dst->message, sizeof(dst->message), "%s", src->message);
}

/* ==== /corrections: the form ========================================= */

/*
 * One form, as SPEC §8.1 lists it: fields Asset tag, Case, Slot and
 * Reason, and one button per correction.  Assign and Move use the tag
 * and the slot; Force vacate uses the slot and the reason (it takes out
 * whatever is there).  The button pressed says which (name "op").
 */
struct corr_op {
	const char *op;             /* the button's value */
	const char *done;           /* the confirmation's title */
	const char *button;         /* SPEC §8.1 */
	const char *kind;           /* button variant */
	const char *confirm;        /* data-confirm question, or NULL */
};

static const struct corr_op corr_ops[] = {
	{ "assign", "Assigned", "Assign", "primary", NULL },
	{ "move", "Moved", "Move", "primary", NULL },
	{ "vacate", "Force-vacated", "Force vacate", "danger",
	  "Force-vacate this slot? Its asset will stay in storage with no slot." },
};
#define NCORR (sizeof(corr_ops) / sizeof(corr_ops[0]))

/* Every field id on the page, for the error summary's links. */
static const char *const corr_ids[] = { "asset_tag", "case", "slot", "reason", NULL };

static const struct corr_op *corr_op_find(const char *op)
{
	for (size_t i = 0; op && i < NCORR; i++)
		if (strcmp(corr_ops[i].op, op) == 0)
			return &corr_ops[i];
	return NULL;
}

/* What the page shows around its form. */
struct corr_view {
	const struct corr_op *failed;     /* the refused correction, or NULL */
	const struct at_errors *e;        /* its refusal, on field ids */
	int prefill;                      /* take values from the query */
};

/* The value field `field` shows: what was typed into the refused form,
 * else the query's prefill, else nothing. */
static const char *corr_value(struct request *rq, const struct corr_view *v, const char *field)
{
	if (v->failed)
		return form_get(&rq->form, field);
	return v->prefill ? web_query(rq, field) : NULL;
}

/* One labelled field ("asset_tag", "case", ...). */
static void corr_field(struct pg *p, const struct corr_view *v, const char *field,
                       const char *label, const char *hint, unsigned flags)
{
	page_field(p, field, label, corr_value(p->rq, v, field), hint,
	           v->failed ? page_field_error(v->e, field) : NULL, flags);
}

/* The form: the tag, then Case and Slot side by side (a slot number is
 * short; one above the other when either shows an error), the reason,
 * and the three buttons. */
static void corr_card(struct pg *p, const struct corr_view *v, int autofocus)
{
	int depth = html_depth(&p->h), stack;

	stack = v->failed && (page_field_error(v->e, "case") || page_field_error(v->e, "slot"));
	html_open(&p->h, "section", "class", v->failed ? "card border-danger" : "card",
	          "aria-label", "Correction", HTML_END);
	html_open(&p->h, "div", "class", "card-body", HTML_END);
	page_form_open(p, "/corrections", "corrections-form");
	html_open(&p->h, "div", "class", "row g-2", HTML_END);
	html_open(&p->h, "div", "class", "col-12 col-md-6", HTML_END);
	corr_field(p, v, "asset_tag", "Asset tag", "For Assign and Move: the asset to put in the slot",
	           F_SCAN | (autofocus ? F_AUTOFOCUS : 0));
	html_close(&p->h);
	html_close(&p->h);
	html_open(&p->h, "div", "class", "row g-2", HTML_END);
	html_open(&p->h, "div", "class", stack ? "col-12" : "col-7 col-md-4", HTML_END);
	corr_field(p, v, "case", "Case", NULL, F_REQUIRED);
	html_close(&p->h);
	html_open(&p->h, "div", "class", stack ? "col-12" : "col-5 col-md-2", HTML_END);
	corr_field(p, v, "slot", "Slot", NULL, F_REQUIRED | F_NUMBER);
	html_close(&p->h);
	html_close(&p->h);
	html_open(&p->h, "div", "class", "row g-2", HTML_END);
	html_open(&p->h, "div", "class", "col-12 col-md-6", HTML_END);
	corr_field(p, v, "reason", "Reason",
	           "For Force vacate (required): why, as it will stand in the event log",
	           F_TEXTAREA);
	html_close(&p->h);
	html_close(&p->h);
	html_open(&p->h, "div", "class", "d-flex flex-wrap gap-2", HTML_END);
	for (size_t i = 0; i < NCORR; i++) {
		char cls[48];
		snprintf(cls, sizeof(cls), "btn btn-%s", corr_ops[i].kind);
		html_elem(&p->h, "button", corr_ops[i].button, "type", "submit", "name", "op", "value",
		          corr_ops[i].op, "class", cls, "data-confirm", corr_ops[i].confirm, HTML_END);
	}
	html_closeto(&p->h, depth);
	html_open(&p->h, "ul", "class", "form-text mt-3", HTML_END);
	html_elem(&p->h, "li", "Assign: an asset in storage and in no slot goes into an empty slot.",
	          HTML_END);
	html_elem(&p->h, "li", "Move: an asset in storage moves from its slot to another, empty one.",
	          HTML_END);
	html_elem(&p->h, "li", "Force vacate: whatever is in the slot leaves it and stays in storage, "
	                       "in no slot.", HTML_END);
	html_close(&p->h);
}

/* ==== /corrections: what was done ===================================== */

/* The last event of one asset, copied out of the iterator. */
struct last_event {
	int found;
	char type[24];
	char from_case[AT_NAME_MAX + 1], to_case[AT_NAME_MAX + 1];
	int from_position, to_position;
};

static int keep_last(void *ctx, const struct event *ev)
{
	struct last_event *le = ctx;

	le->found = 1;
	snprintf(le->type, sizeof(le->type), "%s", ev->type ? ev->type : "");
	snprintf(le->from_case, sizeof(le->from_case), "%s", ev->from_case ? ev->from_case : "");
	snprintf(le->to_case, sizeof(le->to_case), "%s", ev->to_case ? ev->to_case : "");
	le->from_position = ev->from_position;
	le->to_position = ev->to_position;
	return 1;
}

/* The sentence for a correction, from its event: "AT-0007 moved from
 * PELI-07/3 to PELI-07/9".  Returns 0, or -1 if `le` is not such an event. */
static int corr_sentence(const struct last_event *le, const char *tag, char *out, size_t cap)
{
	if (strcmp(le->type, "SLOT_ASSIGN") == 0)
		snprintf(out, cap, "%s assigned to %s/%d", tag, le->to_case, le->to_position);
	else if (strcmp(le->type, "SLOT_MOVE") == 0)
		snprintf(out, cap, "%s moved from %s/%d to %s/%d", tag, le->from_case,
		         le->from_position, le->to_case, le->to_position);
	else if (strcmp(le->type, "FORCE_VACATE") == 0)
		snprintf(out, cap, "%s/%d force-vacated: %s is now in storage, unslotted",
		         le->from_case, le->from_position, tag);
	else
		return -1;
	return 0;
}

/* The confirmation panel of ?done=<op>&asset_tag=<tag>, read back from
 * the asset's latest event (so it says what happened, not what was
 * asked). */
static void corr_done_panel(struct pg *p, const struct corr_op *f, const char *typed)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct event_filter ef;
	struct last_event le;
	struct asset a;
	char why[AT_MSG_MAX], text[AT_MSG_MAX];
	const char *case_name;
	static const char *const want[] = { "SLOT_ASSIGN", "SLOT_MOVE", "FORCE_VACATE" };

	memset(&le, 0, sizeof(le));
	if (asset_resolve(p->rq->st, typed, &a, NULL, why) != AT_OK) {
		page_notice(p, "warning", "Done, but the asset cannot be shown", why);
		return;
	}
	memset(&ef, 0, sizeof(ef));
	ef.asset_tag = a.tag;
	ef.descending = 1;
	ef.limit = 1;
	if (read_events(p->rq->st, &ef, keep_last, &le, &e) != AT_OK || !le.found ||
	    strcmp(le.type, want[f - corr_ops]) != 0 ||
	    corr_sentence(&le, a.tag, text, sizeof(text)) < 0) {
		asset_whereabouts(&a, why, sizeof(why));
		snprintf(text, sizeof(text), "%s is now %s.", a.tag, why);
		page_notice(p, "info", "Saved; the asset has changed since", text);
		at_errors_free(&e);
		return;
	}
	at_errors_free(&e);
	case_name = le.to_case[0] ? le.to_case : le.from_case;
	page_success_open(p, f->done, text);
	html_open(&p->h, "p", "class", "mb-0", HTML_END);
	html_text(&p->h, "See ");
	page_link(p, "/assets/", a.tag, a.tag);
	html_text(&p->h, " and its timeline, or case ");
	page_link(p, "/cases/", case_name, case_name);
	html_text(&p->h, ".");
	html_close(&p->h);
	html_close(&p->h);
}

/* ==== /corrections: GET and POST ====================================== */

/* The whole corrections page with `status`. */
static void corr_render(struct request *rq, int status, const struct corr_view *v)
{
	const char *done = web_query(rq, "done"), *tag = web_query(rq, "asset_tag");
	const struct corr_op *df = v->failed ? NULL : corr_op_find(done);
	struct pg p;

	page_begin(&p, rq, "Corrections");
	if (v->failed)
		page_error_summary(&p, v->e, corr_ids);
	else if (df && tag && *tag)
		corr_done_panel(&p, df, tag);
	html_elem(&p.h, "p", "Each correction is one logged change; nothing else moves.",
	          "class", "hint", HTML_END);
	corr_card(&p, v, !v->failed && !df);
	page_end(&p, status);
}

void page_corrections_get(struct request *rq)
{
	/* After a correction the form starts empty, not with its tag. */
	struct corr_view v = { NULL, NULL, web_query(rq, "done") == NULL };

	corr_render(rq, 200, &v);
}

/* The field of a correction form a core item is about, or NULL. */
static const char *corr_item_field(const struct at_item_error *it, const char *tag,
                                   const char *cname)
{
	if (strcmp(it->input, "case") == 0 || strcmp(it->input, "reason") == 0)
		return it->input;
	if (it->code == AT_SLOT_OCCUPIED || it->code == AT_SLOT_NOT_FOUND ||
	    it->code == AT_SLOT_EMPTY)
		return "slot";
	if (tag && same_tag(it->input, tag))
		return "asset_tag";
	if (same_text(it->input, cname))
		return "case";
	return NULL;
}

/* The field a refusal without items is about (force vacate's). */
static const char *corr_code_field(enum at_code c)
{
	switch (c) {
	case AT_NOT_FOUND:
		return "case";
	case AT_SLOT_NOT_FOUND:
	case AT_SLOT_EMPTY:
	case AT_SLOT_OCCUPIED:
	case AT_CONFLICT:
		return "slot";
	default:
		return NULL;
	}
}

/* Map core's refusal `src` onto form `f`'s field ids.  `slot_bad` is the
 * page's own message for an unreadable slot number (it replaces whatever
 * core said about slot 0). */
static void corr_map(struct at_errors *dst, const struct at_errors *src, const char *tag,
                     const char *cname, const char *slot_bad)
{
	const char *top = corr_code_field(src->code);
	const char *prefix = "";
	if (slot_bad)
		map_item(dst, prefix, "slot", NULL, AT_INVALID, slot_bad);
	for (size_t i = 0; i < src->nitems; i++) {
		const struct at_item_error *it = &src->items[i];
		const char *field = corr_item_field(it, tag, cname);
		if (slot_bad && field && strcmp(field, "slot") == 0)
			continue;
		map_item(dst, prefix, field, it->input, it->code, it->message);
	}
	if (src->nitems == 0 && !(slot_bad && top && strcmp(top, "slot") == 0))
		map_item(dst, prefix, top, "", src->code, src->message);
	map_done(dst, src);
}

/* Run correction `f` with the posted fields; on success `out` is the
 * asset it changed. */
static enum at_code corr_run(struct request *rq, const struct corr_op *f, int64_t position,
                             struct asset *out, struct at_errors *e)
{
	const char *tag = form_get(&rq->form, "asset_tag");
	const char *cname = form_get(&rq->form, "case");
	const char *reason = form_get(&rq->form, "reason");

	if (strcmp(f->op, "assign") == 0)
		return slot_assign(rq->st, rq->actor, tag, cname, position, out, e);
	if (strcmp(f->op, "move") == 0)
		return slot_move(rq->st, rq->actor, tag, cname, position, out, e);
	return slot_force_vacate(rq->st, rq->actor, cname, position, reason ? reason : "", out, e);
}

/* The posted slot number; -1 with `why` filled if it is not one. */
static int64_t corr_position(struct request *rq, char *why, size_t cap)
{
	const char *s = form_get(&rq->form, "slot");
	int64_t pos;

	if (!s || !*s) {
		snprintf(why, cap, "slot is required: the slot's number, 1 to %d", AT_MAX_SLOTS);
		return -1;
	}
	if (text_parse_int(s, 1, AT_MAX_SLOTS, &pos) < 0) {
		snprintf(why, cap, "slot must be a number from 1 to %d, not '%.40s'", AT_MAX_SLOTS, s);
		return -1;
	}
	return pos;
}

void page_corrections_post(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT, mapped = AT_ERRORS_INIT;
	const struct corr_op *f = corr_op_find(form_get(&rq->form, "op"));
	char why[AT_MSG_MAX], loc[512], prefix[64];
	struct corr_view v = { f, &mapped, 0 };
	struct asset out;
	int64_t pos;

	if (!f) {
		page_error(rq, 400, "Bad request",
		           "The form did not say which correction to make: press Assign, Move or "
		           "Force vacate.");
		return;
	}
	pos = corr_position(rq, why, sizeof(why));
	/* An unreadable slot still lets core check the rest (slot 0 exists
	 * nowhere, so nothing can change). */
	if (corr_run(rq, f, pos < 0 ? 0 : pos, &out, &e) == AT_OK && pos > 0) {
		snprintf(prefix, sizeof(prefix), "/corrections?done=%s&asset_tag=", f->op);
		page_url_seg(loc, sizeof(loc), prefix, out.tag);
		web_redirect(rq, loc);
		at_errors_free(&e);
		return;
	}
	if (e.code == AT_OK)
		at_fail(&e, AT_INVALID, "%s", why);
	corr_map(&mapped, &e, form_get(&rq->form, "asset_tag"), form_get(&rq->form, "case"),
	         pos < 0 ? why : NULL);
	if (pos < 0 && mapped.code == AT_SLOT_NOT_FOUND)
		mapped.code = AT_INVALID;
	corr_render(rq, page_refusal_status(&mapped), &v);
	at_errors_free(&mapped);
	at_errors_free(&e);
}

/* ==== /replace ======================================================== */

static const char *const repl_ids[] = {
	"asset_tag", "replacement_tag", "reason", "condition", NULL,
};

/* One entry of the replacement's confirmation: the asset, linked, and
 * where it is now (holder or slot, linked). */
static void repl_entry(struct pg *p, const char *role, const struct asset *a)
{
	html_elem(&p->h, "dt", role, "class", "col-sm-3", HTML_END);
	html_open(&p->h, "dd", "class", "col-sm-9 mb-1", HTML_END);
	page_link(p, "/assets/", a->tag, a->tag);
	html_text(&p->h, " ");
	page_state_badge(p, a);
	if (a->state == ASSET_IN_CUSTODY) {
		html_text(&p->h, " with ");
		page_holder_link(p, a->holder_id, a->holder_name);
		if (a->due[0])
			html_textf(&p->h, ", due %s", a->due);
	} else if (a->case_id) {
		html_text(&p->h, " in slot ");
		page_slot_link(p, a->case_name, a->position);
	} else {
		html_text(&p->h, " in no slot");
	}
	html_close(&p->h);
}

/* The confirmation of ?done=<old>&with=<new>: where each one is now. */
static void repl_done_panel(struct pg *p, const char *old_in, const char *new_in)
{
	struct asset old, repl;
	char why[AT_MSG_MAX], title[AT_MSG_MAX], text[AT_MSG_MAX], where[AT_MSG_MAX];

	if (asset_resolve(p->rq->st, old_in, &old, NULL, why) != AT_OK ||
	    asset_resolve(p->rq->st, new_in, &repl, NULL, why) != AT_OK) {
		page_notice(p, "warning", "Replaced, but the assets cannot be shown", why);
		return;
	}
	snprintf(title, sizeof(title), "%s replaced by %s", old.tag, repl.tag);
	if (repl.state == ASSET_IN_CUSTODY)
		snprintf(where, sizeof(where), "is now with %s", repl.holder_name);
	else if (repl.case_id)
		snprintf(where, sizeof(where), "is now in slot %s/%d", repl.case_name, repl.position);
	else
		snprintf(where, sizeof(where), "is now in storage, in no slot");
	snprintf(text, sizeof(text), "%s %s; %s went to %s, condition %s.", repl.tag, where,
	         old.tag, old.case_id ? "its former slot" : "storage, in no slot",
	         asset_condition_name(old.condition));
	page_success_open(p, title, text);
	html_open(&p->h, "dl", "class", "row mb-0", HTML_END);
	repl_entry(p, "Replacement", &repl);
	repl_entry(p, "Replaced", &old);
	html_close(&p->h);
	html_close(&p->h);
}

/* The replace form, with what was typed (`typed`) or the query's
 * prefill, and `e`'s errors beside the fields. */
static void repl_form(struct pg *p, const struct form *typed, const struct at_errors *e,
                      int autofocus)
{
	static const char *const conds[] = { "GOOD", "DAMAGED", "FAULTY" };
	static const char *const cond_labels[] = { "Good", "Damaged", "Faulty" };
	const char *tag = typed ? form_get(typed, "asset_tag") : web_query(p->rq, "asset_tag");
	const char *cond = typed ? form_get(typed, "condition") : NULL;
	int depth = html_depth(&p->h);

	html_open(&p->h, "div", "class", "row", HTML_END);
	html_open(&p->h, "div", "class", "col-12 col-lg-8 col-xl-7", HTML_END);
	html_open(&p->h, "div", "class", "card", HTML_END);
	html_open(&p->h, "div", "class", "card-body", HTML_END);
	html_elem(&p->h, "p",
	          "The replacement takes the old device's place: its holder (and due date) or "
	          "its slot. The old device takes the replacement's former slot, or none.",
	          "class", "form-text mt-0", HTML_END);
	page_form_open(p, "/replace", "replace-form");
	page_field(p, "asset_tag", "Asset tag", tag, "the faulty device",
	           e ? page_field_error(e, "asset_tag") : NULL, F_REQUIRED | (autofocus ? F_AUTOFOCUS : 0));
	page_field(p, "replacement_tag", "Replacement tag",
	           typed ? form_get(typed, "replacement_tag") : NULL, "a device in storage",
	           e ? page_field_error(e, "replacement_tag") : NULL, F_REQUIRED);
	page_field(p, "reason", "Reason", typed ? form_get(typed, "reason") : NULL,
	           "Why: it is written to the event log", e ? page_field_error(e, "reason") : NULL,
	           F_REQUIRED | F_TEXTAREA);
	page_select(p, "condition", "Condition", conds, cond_labels, 3, cond ? cond : "FAULTY",
	            e ? page_field_error(e, "condition") : NULL);
	page_button(p, "Replace", NULL, NULL, "primary");
	html_closeto(&p->h, depth);
}

void page_replace_get(struct request *rq)
{
	const char *done = web_query(rq, "done"), *with = web_query(rq, "with");
	struct pg p;
	int shown = done && *done && with && *with;

	page_begin(&p, rq, "Replace a device");
	if (shown)
		repl_done_panel(&p, done, with);
	repl_form(&p, NULL, NULL, !shown);
	page_end(&p, 200);
}

/* Map asset_replace's refusal onto the form's fields: items name the
 * typed tags by value (the old one is checked first). */
static void repl_map(struct at_errors *dst, const struct at_errors *src, const char *old_tag,
                     const char *new_tag)
{
	int old_used = 0;

	for (size_t i = 0; i < src->nitems; i++) {
		const struct at_item_error *it = &src->items[i];
		const char *field = NULL;
		if (strcmp(it->input, "reason") == 0 || strcmp(it->input, "condition") == 0)
			field = it->input;
		else if (!old_used && same_tag(it->input, old_tag) &&
		         !(it->code == AT_INVALID && same_tag(it->input, new_tag)))
			field = "asset_tag", old_used = 1;
		else if (same_tag(it->input, new_tag))
			field = "replacement_tag";
		map_item(dst, "", field, it->input, it->code, it->message);
	}
	if (src->nitems == 0)
		map_item(dst, "", NULL, "", src->code, src->message);
	map_done(dst, src);
}

void page_replace_post(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT, mapped = AT_ERRORS_INIT;
	const struct form *fm = &rq->form;
	const char *old_tag = form_get(fm, "asset_tag"), *new_tag = form_get(fm, "replacement_tag");
	const char *cond = form_get(fm, "condition");
	char a[256], b[256], loc[512];
	struct asset old, repl;
	struct pg p;

	if (asset_replace(rq->st, rq->actor, old_tag, new_tag, form_get(fm, "reason"),
	                  cond && *cond ? cond : NULL, &old, &repl, &e) == AT_OK) {
		page_url_seg(a, sizeof(a), "/replace?done=", old.tag);
		page_url_seg(b, sizeof(b), "&with=", repl.tag);
		snprintf(loc, sizeof(loc), "%s%s", a, b);
		web_redirect(rq, loc);
		at_errors_free(&e);
		return;
	}
	repl_map(&mapped, &e, old_tag, new_tag);
	page_begin(&p, rq, "Replace a device");
	page_error_summary(&p, &mapped, repl_ids);
	repl_form(&p, fm, &mapped, 0);
	page_end(&p, page_refusal_status(&mapped));
	at_errors_free(&mapped);
	at_errors_free(&e);
}
