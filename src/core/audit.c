/*
 * audit.c — physical audits of cases and holders, their record, and the
 * corrections they suggest (core/audit.h).
 *
 * An audit reads the assets the database puts in the case (or with the
 * holder) once, then walks the scans in order, resolving each like every
 * scan.  It keeps everything in memory: a case holds at most 1,000 slots
 * and an audit at most AT_AUDIT_MAX_SCANS scans, so the lines are bounded
 * (about 3,000 of them) and so is the saved record (see audit_to_json).
 */
#include "store/store.h"
#include "core/audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/asset.h"
#include "core/encode.h"
#include "core/holder.h"
#include "core/internal.h"
#include "core/place.h"
#include "util/text.h"

/* ==== names ============================================================ */

static const char *const kind_names[AUDIT_KIND__MAX] = {
	"matched", "missing", "misplaced", "unexpected", "duplicates", "errors",
};
static const char *const holder_kind_names[AUDIT_KIND__MAX] = {
	"matched", "not_seen", "misplaced", "not_theirs", "duplicates", "errors",
};
static const char *const where_names[AW__MAX] = {
	"elsewhere", "unslotted", "in_custody", "retired", "unknown",
};
static const char *const fix_names[AUDIT_FIX__MAX] = { "move", "assign", "vacate" };

const char *audit_kind_name(enum audit_kind k, int holder_audit)
{
	if ((unsigned)k >= AUDIT_KIND__MAX)
		return "?";
	return holder_audit ? holder_kind_names[k] : kind_names[k];
}

const char *audit_where_name(enum audit_where w)
{
	return (unsigned)w < AW__MAX ? where_names[w] : "?";
}

const char *audit_fix_name(enum audit_fix_kind k)
{
	return (unsigned)k < AUDIT_FIX__MAX ? fix_names[k] : "?";
}

void audit_where_text(const struct audit_line *l, char *out, size_t cap)
{
	switch (l->where) {
	case AW_ELSEWHERE:
		snprintf(out, cap, "in storage in slot %s/%d", l->where_case, l->where_pos);
		break;
	case AW_UNSLOTTED:
		snprintf(out, cap, "in storage, in no slot");
		break;
	case AW_IN_CUSTODY:
		snprintf(out, cap, "in custody of %s (#%lld)", l->holder_name,
		         (long long)l->holder_id);
		break;
	case AW_RETIRED:
		snprintf(out, cap, "retired");
		break;
	default:
		snprintf(out, cap, "no asset has this tag");
	}
}

/* ==== the result ======================================================= */

void audit_result_free(struct audit_result *r)
{
	if (!r)
		return;
	free(r->lines);
	free(r->fixes);
	memset(r, 0, sizeof(*r));
}

/* Append a zeroed line of `kind`; NULL when out of memory. */
static struct audit_line *add_line(struct audit_result *r, enum audit_kind kind)
{
	struct audit_line *l;

	if (r->nlines % 64 == 0) {
		l = realloc(r->lines, (r->nlines + 64) * sizeof(*l));
		if (!l)
			return NULL;
		r->lines = l;
	}
	l = &r->lines[r->nlines++];
	memset(l, 0, sizeof(*l));
	l->kind = kind;
	r->count[kind]++;
	return l;
}

/* Append a zeroed fix numbered next; NULL when out of memory. */
static struct audit_fix *add_fix(struct audit_result *r, enum audit_fix_kind kind)
{
	struct audit_fix *f;

	if (r->nfixes % 32 == 0) {
		f = realloc(r->fixes, (r->nfixes + 32) * sizeof(*f));
		if (!f)
			return NULL;
		r->fixes = f;
	}
	f = &r->fixes[r->nfixes++];
	memset(f, 0, sizeof(*f));
	f->id = (int)r->nfixes;
	f->kind = kind;
	return f;
}

/* ==== comparing ======================================================== */

/* An asset the database puts where the audit looks (in the case, or with
 * the holder), and whether it was scanned. */
struct expected {
	int64_t id;
	char tag[AT_TAG_MAX + 1];
	int position;
	int seen;
};

/* An audit being compared: the result, what is expected, and the first
 * scan of each asset (for duplicates). */
struct walk {
	struct store *st;
	struct audit_result *r;
	struct expected *exp;
	size_t nexp, capexp;
	int *by_pos;                 /* case: index in exp + 1 per slot, 0 none */
	int cur;                     /* the current slot; 0: none */
	int oom;
	struct {
		int64_t id;              /* 0: unknown tag */
		char key[AT_INPUT_MAX];  /* its match key (or text) when unknown */
		int scan;
	} *first;
	size_t nfirst;
};

static void walk_free(struct walk *w)
{
	free(w->exp);
	free(w->by_pos);
	free(w->first);
}

/* Collect one expected asset (an asset_cb). */
static int collect_expected(void *ctx, const struct asset *a)
{
	struct walk *w = ctx;
	struct expected *x;

	if (w->nexp == w->capexp) {
		size_t ncap = w->capexp ? w->capexp * 2 : 64;
		x = realloc(w->exp, ncap * sizeof(*x));
		if (!x) {
			w->oom = 1;
			return 1;
		}
		w->exp = x;
		w->capexp = ncap;
	}
	x = &w->exp[w->nexp++];
	x->id = a->id;
	snprintf(x->tag, sizeof(x->tag), "%s", a->tag);
	x->position = a->position;
	x->seen = 0;
	return 0;
}

/* Mark asset `id` seen if it is expected; its index, or -1. */
static long mark_seen(struct walk *w, int64_t id)
{
	for (size_t i = 0; i < w->nexp; i++) {
		if (w->exp[i].id == id) {
			w->exp[i].seen = 1;
			return (long)i;
		}
	}
	return -1;
}

/* The earlier scan of asset `id` (or of unknown match key `key`), or -1;
 * else remember this one as the first.  -2 when out of memory. */
static long first_scan(struct walk *w, int64_t id, const char *key, int scan)
{
	void *grown;

	for (size_t i = 0; i < w->nfirst; i++)
		if (id ? w->first[i].id == id : (!w->first[i].id && strcmp(w->first[i].key, key) == 0))
			return (long)i;
	if (w->nfirst % 64 == 0) {
		grown = realloc(w->first, (w->nfirst + 64) * sizeof(*w->first));
		if (!grown)
			return -2;
		w->first = grown;
	}
	w->first[w->nfirst].id = id;
	snprintf(w->first[w->nfirst].key, sizeof(w->first[0].key), "%s", id ? "" : key);
	w->first[w->nfirst].scan = scan;
	w->nfirst++;
	return -1;
}

/* An error line for scan `i`; it clears the current slot (audit.h). */
static void error_line(struct walk *w, int i, const char *input, enum at_code code,
                       const char *msg)
{
	struct audit_line *l = add_line(w->r, AUDIT_ERROR);

	w->cur = 0;
	if (!l) {
		w->oom = 1;
		return;
	}
	l->scan = i;
	snprintf(l->input, sizeof(l->input), "%s", input);
	l->code = code;
	snprintf(l->message, sizeof(l->message), "%s", msg);
}

/* Describe where the database has `a`, on an unexpected line. */
static void set_where(struct audit_line *l, const struct asset *a)
{
	if (a->state == ASSET_IN_CUSTODY) {
		l->where = AW_IN_CUSTODY;
		l->holder_id = a->holder_id;
		snprintf(l->holder_name, sizeof(l->holder_name), "%s", a->holder_name);
	} else if (a->state == ASSET_RETIRED) {
		l->where = AW_RETIRED;
	} else if (a->case_id) {
		l->where = AW_ELSEWHERE;
		snprintf(l->where_case, sizeof(l->where_case), "%s", a->case_name);
		l->where_pos = a->position;
	} else {
		l->where = AW_UNSLOTTED;
	}
}

/* A slot label scanned in a case audit: set the current slot, or an
 * error line that clears it. */
static void label_scan(struct walk *w, int i, const char *clean)
{
	const struct case_info *c = &w->r->c;
	char cname[AT_NAME_MAX + 1], msg[AT_MSG_MAX];
	int64_t pos;

	if (slot_label_parse(clean, cname, sizeof(cname), &pos) < 0) {
		snprintf(msg, sizeof(msg), "'%s' is not a slot label: a label reads CASE/POS with "
		         "POS from 1 to %d", clean, AT_MAX_SLOTS);
		error_line(w, i, clean, AT_INVALID, msg);
	} else if (strcmp(cname, c->name) != 0) {
		snprintf(msg, sizeof(msg), "%s is a slot of case %s, not of %s being audited",
		         clean, cname, c->name);
		error_line(w, i, clean, AT_INVALID, msg);
	} else if (pos > c->slot_count) {
		snprintf(msg, sizeof(msg), "case %s has slots 1 to %d; there is no slot %lld",
		         c->name, c->slot_count, (long long)pos);
		error_line(w, i, clean, AT_SLOT_NOT_FOUND, msg);
	} else {
		w->cur = (int)pos;
	}
}

/* A repeat of an earlier scan: a duplicate line. */
static void duplicate_line(struct walk *w, int i, const char *clean, const char *tag, long f)
{
	struct audit_line *l = add_line(w->r, AUDIT_DUPLICATE);

	if (!l) {
		w->oom = 1;
		return;
	}
	l->scan = i;
	snprintf(l->input, sizeof(l->input), "%s", clean);
	snprintf(l->tag, sizeof(l->tag), "%s", tag);
	l->scanned_pos = w->cur;
	l->first_scan = w->first[f].scan;
}

/* Classify a resolved asset of a case audit. */
static struct audit_line *case_asset_line(struct walk *w, const struct asset *a)
{
	struct audit_line *l;

	if (a->state == ASSET_STORAGE && a->case_id == w->r->c.id) {
		mark_seen(w, a->id);
		l = add_line(w->r, w->cur == 0 || w->cur == a->position ? AUDIT_MATCHED
		                                                        : AUDIT_MISPLACED);
		if (l)
			l->db_pos = a->position;
		return l;
	}
	l = add_line(w->r, AUDIT_UNEXPECTED);
	if (l)
		set_where(l, a);
	return l;
}

/* Classify a resolved asset of a holder audit. */
static struct audit_line *holder_asset_line(struct walk *w, const struct asset *a)
{
	struct audit_line *l;

	if (a->state == ASSET_IN_CUSTODY && a->holder_id == w->r->h.id) {
		mark_seen(w, a->id);
		return add_line(w->r, AUDIT_MATCHED);
	}
	l = add_line(w->r, AUDIT_UNEXPECTED);
	if (l)
		set_where(l, a);
	return l;
}

/* One asset (or unknown) scan: its line, or a duplicate's.  A storage
 * failure is returned. */
static enum at_code asset_scan(struct walk *w, int i, const char *clean)
{
	char why[AT_MSG_MAX], key[AT_INPUT_MAX] = "";
	struct audit_line *l;
	struct asset a;
	enum at_code c = asset_resolve(w->st, clean, &a, NULL, why);
	long f;

	if (c == AT_STORAGE || c == AT_BUSY)
		return c;
	if (c != AT_OK && c != AT_NOT_FOUND) {
		error_line(w, i, clean, c, why);
		return AT_OK;
	}
	/* Unknown tags repeat when their match keys do ("at1" and "AT-1"); a
	 * key of nothing ("--") is compared as typed. */
	if (c == AT_NOT_FOUND && (text_match_key(clean, key, sizeof(key)) < 0 || !key[0]))
		snprintf(key, sizeof(key), "%s", clean);
	f = first_scan(w, c == AT_OK ? a.id : 0, key, i);
	if (f == -2) {
		w->oom = 1;
		return AT_OK;
	}
	if (f >= 0) {
		duplicate_line(w, i, clean, c == AT_OK ? a.tag : "", f);
		return AT_OK;
	}
	if (c == AT_NOT_FOUND) {
		l = add_line(w->r, AUDIT_UNEXPECTED);
		if (l)
			l->where = AW_UNKNOWN;
	} else {
		l = w->r->holder_audit ? holder_asset_line(w, &a) : case_asset_line(w, &a);
		if (l)
			snprintf(l->tag, sizeof(l->tag), "%s", a.tag);
	}
	if (!l) {
		w->oom = 1;
		return AT_OK;
	}
	l->scan = i;
	snprintf(l->input, sizeof(l->input), "%s", clean);
	l->scanned_pos = w->cur;
	return AT_OK;
}

/* Walk every scan in order. */
static enum at_code walk_scans(struct walk *w, const char *const *scans, size_t n)
{
	char clean[AT_INPUT_MAX], why[AT_WHY_MAX], shown[AT_INPUT_MAX];
	enum at_code c;

	for (size_t k = 0; k < n && !w->oom; k++) {
		int i = (int)k + 1;
		const char *s = scans[k] ? scans[k] : "";
		if (text_clean_scan(s, clean, sizeof(clean), why) < 0) {
			text_utf8_repair(s, shown, sizeof(shown));
			error_line(w, i, shown, AT_INVALID, why);
		} else if (!clean[0]) {
			error_line(w, i, "", AT_INVALID, "empty scan: nothing was read");
		} else if (strchr(clean, '/') || strchr(clean, ':')) {
			/* Tags never hold '/' or ':' (SPEC §2): this is a label. */
			if (w->r->holder_audit)
				error_line(w, i, clean, AT_INVALID,
				           "a slot label has no place in a holder audit: scan asset tags");
			else
				label_scan(w, i, clean);
		} else if ((c = asset_scan(w, i, clean)) != AT_OK) {
			return c;
		}
	}
	return AT_OK;
}

/* A duplicate scan in another slot than its first makes that asset's
 * place uncertain: no correction is suggested for it. */
static int scanned_in_two_slots(const struct audit_result *r, const struct audit_line *l)
{
	for (size_t i = 0; i < r->nlines; i++) {
		const struct audit_line *d = &r->lines[i];
		if (d->kind == AUDIT_DUPLICATE && d->first_scan == l->scan &&
		    d->scanned_pos != l->scanned_pos)
			return 1;
	}
	return 0;
}

/* Was anything but `l`'s asset scanned in `l`'s slot (matched there,
 * from elsewhere, unknown, in custody, or a repeat of another scan)? */
static int slot_shared(const struct audit_result *r, const struct audit_line *l)
{
	for (size_t i = 0; i < r->nlines; i++) {
		const struct audit_line *o = &r->lines[i];
		if (o == l || o->scanned_pos != l->scanned_pos || o->kind == AUDIT_MISSING ||
		    o->kind == AUDIT_ERROR)
			continue;
		if (strcmp(o->tag[0] ? o->tag : o->input, l->tag) != 0)
			return 1;
	}
	return 0;
}

/* The database's occupant of slot `pos` was seen where the database has
 * it (matched): then nothing else belongs there. */
static int occupant_matched(const struct walk *w, int pos)
{
	int k = w->by_pos[pos - 1];

	if (!k)
		return 0;
	for (size_t i = 0; i < w->r->nlines; i++) {
		const struct audit_line *l = &w->r->lines[i];
		if (l->kind == AUDIT_MATCHED && strcmp(l->tag, w->exp[k - 1].tag) == 0)
			return 1;
	}
	return 0;
}

/*
 * Suggest corrections: a misplaced asset, or one in storage elsewhere
 * (another slot, or none), moves into the slot it was scanned in when
 * that is certain: nothing else was scanned in that slot, it was not
 * scanned in two slots, and the slot's occupant in the database was not
 * seen in the case where the database has it (matched without a label).
 * Each missing asset's slot is vacated.  Assets in custody or retired get
 * none: Stock-In and retirement are not corrections.
 */
static void suggest(struct walk *w)
{
	struct audit_result *r = w->r;
	struct audit_fix *f;

	for (size_t i = 0; i < r->nlines && !w->oom; i++) {
		const struct audit_line *l = &r->lines[i];
		int assign = l->kind == AUDIT_UNEXPECTED && l->where == AW_UNSLOTTED;
		if (!l->scanned_pos || !(l->kind == AUDIT_MISPLACED || assign ||
		                         (l->kind == AUDIT_UNEXPECTED && l->where == AW_ELSEWHERE)))
			continue;
		if (slot_shared(r, l) || occupant_matched(w, l->scanned_pos) ||
		    scanned_in_two_slots(r, l))
			continue;
		if (!(f = add_fix(r, assign ? AUDIT_FIX_ASSIGN : AUDIT_FIX_MOVE))) {
			w->oom = 1;
			return;
		}
		snprintf(f->tag, sizeof(f->tag), "%s", l->tag);
		if (!assign) {
			snprintf(f->from_case, sizeof(f->from_case), "%s",
			         l->kind == AUDIT_MISPLACED ? r->c.name : l->where_case);
			f->from_pos = l->kind == AUDIT_MISPLACED ? l->db_pos : l->where_pos;
		}
		f->to_pos = l->scanned_pos;
	}
	for (size_t i = 0; i < r->nlines && !w->oom; i++) {
		const struct audit_line *l = &r->lines[i];
		if (l->kind != AUDIT_MISSING)
			continue;
		if (!(f = add_fix(r, AUDIT_FIX_VACATE))) {
			w->oom = 1;
			return;
		}
		snprintf(f->tag, sizeof(f->tag), "%s", l->tag);
		snprintf(f->from_case, sizeof(f->from_case), "%s", r->c.name);
		f->from_pos = l->db_pos;
	}
}

/* The expected assets nobody scanned: missing lines, in slot order for a
 * case (by tag for a holder). */
static void add_missing(struct walk *w)
{
	struct audit_result *r = w->r;
	struct audit_line *l;

	for (size_t k = 0; k < (r->holder_audit ? w->nexp : (size_t)r->c.slot_count); k++) {
		const struct expected *x;
		if (r->holder_audit) {
			x = &w->exp[k];
		} else {
			if (!w->by_pos[k])
				continue;
			x = &w->exp[w->by_pos[k] - 1];
		}
		if (x->seen)
			continue;
		if (!(l = add_line(r, AUDIT_MISSING))) {
			w->oom = 1;
			return;
		}
		snprintf(l->tag, sizeof(l->tag), "%s", x->tag);
		l->db_pos = r->holder_audit ? 0 : x->position;
	}
}

/* Read what the database puts in the case (or with the holder). */
static enum at_code read_expected(struct walk *w, struct at_errors *e)
{
	struct asset_filter f;
	enum at_code c;

	memset(&f, 0, sizeof(f));
	if (w->r->holder_audit) {
		f.holder_id = w->r->h.id;
	} else {
		f.case_id = w->r->c.id;
		w->by_pos = calloc((size_t)w->r->c.slot_count + 1, sizeof(*w->by_pos));
		if (!w->by_pos)
			return at_fail(e, AT_INTERNAL, "out of memory for an audit");
	}
	c = store_asset_list(w->st, &f, collect_expected, w);
	if (c != AT_OK)
		return storage_fail(w->st, e, c);
	if (w->oom)
		return at_fail(e, AT_INTERNAL, "out of memory for an audit");
	for (size_t i = 0; !w->r->holder_audit && i < w->nexp; i++) {
		int p = w->exp[i].position;
		if (p >= 1 && p <= w->r->c.slot_count)
			w->by_pos[p - 1] = (int)i + 1;
	}
	return AT_OK;
}

/* Compare: `res` has its case or holder set.  Fills lines and fixes. */
static enum at_code compare(struct store *st, const char *const *scans, size_t n,
                            struct audit_result *res, struct at_errors *e)
{
	struct walk w;
	enum at_code c;

	memset(&w, 0, sizeof(w));
	w.st = st;
	w.r = res;
	res->nscans = n;
	c = read_expected(&w, e);
	if (c == AT_OK && (c = walk_scans(&w, scans, n)) != AT_OK)
		c = storage_fail(st, e, c);
	res->last_slot = w.cur;
	if (c == AT_OK) {
		add_missing(&w);
		if (!res->holder_audit)
			suggest(&w);
		if (w.oom)
			c = at_fail(e, AT_INTERNAL, "out of memory for an audit");
	}
	walk_free(&w);
	return c;
}

/* ==== JSON ============================================================= */

/* A position as JSON: null for 0. */
static json_t *pos_json(int pos)
{
	return pos ? json_integer(pos) : json_null();
}

/* One line in its list's shape (audit.h, audit_to_json). */
static json_t *line_json(const struct audit_result *r, const struct audit_line *l)
{
	json_t *o = json_object();
	int cased = !r->holder_audit;

	if (l->kind == AUDIT_ERROR) {
		json_object_set_new(o, "input", json_string(l->input));
		json_object_set_new(o, "scan", json_integer(l->scan));
		json_object_set_new(o, "code", json_string(at_code_name(l->code)));
		json_object_set_new(o, "message", json_string(l->message));
		return o;
	}
	if (l->kind == AUDIT_UNEXPECTED || l->kind == AUDIT_DUPLICATE)
		json_object_set_new(o, "input", json_string(l->input));
	json_set_text(o, "asset_tag", l->tag);
	if (l->scan)
		json_object_set_new(o, "scan", json_integer(l->scan));
	if (cased && l->kind != AUDIT_MISSING)
		json_object_set_new(o, "scanned_slot", pos_json(l->scanned_pos));
	if (cased && (l->kind == AUDIT_MATCHED || l->kind == AUDIT_MISSING ||
	              l->kind == AUDIT_MISPLACED))
		json_object_set_new(o, "slot", pos_json(l->db_pos));
	if (l->kind == AUDIT_DUPLICATE)
		json_object_set_new(o, "first_scan", json_integer(l->first_scan));
	if (l->kind == AUDIT_UNEXPECTED) {
		json_object_set_new(o, "why", json_string(audit_where_name(l->where)));
		json_object_set_new(o, "where", l->where == AW_ELSEWHERE
		                                        ? slot_to_json(l->where_case, l->where_pos)
		                                        : json_null());
		json_object_set_new(o, "holder",
		                    l->where == AW_IN_CUSTODY
		                            ? json_pack("{s:I, s:s}", "id", (json_int_t)l->holder_id,
		                                        "name", l->holder_name)
		                            : json_null());
	}
	return o;
}

static json_t *fix_json(const struct audit_result *r, const struct audit_fix *f)
{
	return json_pack("{s:i, s:s, s:s, s:o, s:o}", "id", f->id, "kind", audit_fix_name(f->kind),
	                 "asset_tag", f->tag, "from", slot_to_json(f->from_case, f->from_pos),
	                 "to", f->to_pos ? slot_to_json(r->c.name, f->to_pos) : json_null());
}

/* The answer without "saved": what AUDIT_RECORDED's details hold. */
static json_t *answer_json(const struct audit_result *r)
{
	json_t *o = json_object(), *counts = json_object(), *lists[AUDIT_KIND__MAX];
	int k;

	if (r->holder_audit) {
		json_object_set_new(o, "holder", json_pack("{s:I, s:s}", "id", (json_int_t)r->h.id,
		                                           "name", r->h.name));
	} else {
		json_object_set_new(o, "case", json_string(r->c.name));
		json_object_set_new(o, "slot_count", json_integer(r->c.slot_count));
	}
	json_object_set_new(o, "scans", json_integer((json_int_t)r->nscans));
	for (k = 0; k < AUDIT_KIND__MAX; k++) {
		lists[k] = json_array();
		if (k == AUDIT_MISPLACED && r->holder_audit)
			continue;
		json_object_set_new(counts, audit_kind_name(k, r->holder_audit),
		                    json_integer((json_int_t)r->count[k]));
	}
	for (size_t i = 0; i < r->nlines; i++)
		json_array_append_new(lists[r->lines[i].kind], line_json(r, &r->lines[i]));
	json_object_set_new(o, "counts", counts);
	for (k = 0; k < AUDIT_KIND__MAX; k++) {
		if (k == AUDIT_MISPLACED && r->holder_audit)
			json_decref(lists[k]);
		else
			json_object_set_new(o, audit_kind_name(k, r->holder_audit), lists[k]);
	}
	if (!r->holder_audit) {
		json_t *fixes = json_array();
		for (size_t i = 0; i < r->nfixes; i++)
			json_array_append_new(fixes, fix_json(r, &r->fixes[i]));
		json_object_set_new(o, "corrections", fixes);
	}
	return o;
}

/*
 * Bounded: at most AT_AUDIT_MAX_SCANS scan lines (an input of at most
 * AT_INPUT_MAX bytes each) and 1,000 missing ones, so a saved record
 * stays under about 700 KB even when every scan is a 159-byte unknown
 * tag; an ordinary audit of a 50-slot case is a few kilobytes.
 */
json_t *audit_to_json(const struct audit_result *r)
{
	json_t *o = answer_json(r);

	if (!o)
		return NULL;
	json_object_set_new(o, "saved",
	                    r->seq ? json_pack("{s:I, s:s, s:s, s:s}", "seq", (json_int_t)r->seq,
	                                       "at", r->at, "actor", r->actor, "batch_id",
	                                       r->batch_id)
	                           : json_null());
	return o;
}

/* ---- reading a saved answer back ------------------------------------ */

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static int jint_of(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int)json_integer_value(v) : 0;
}

/* Decode one saved line of list `k`; -1 when out of memory. */
static int line_from_json(struct audit_result *r, enum audit_kind k, json_t *o)
{
	struct audit_line *l = add_line(r, k);
	json_t *where = json_object_get(o, "where"), *holder = json_object_get(o, "holder");
	const char *why = jstr(o, "why");

	if (!l)
		return -1;
	l->scan = jint_of(o, "scan");
	snprintf(l->input, sizeof(l->input), "%s", jstr(o, "input"));
	snprintf(l->tag, sizeof(l->tag), "%s", jstr(o, "asset_tag"));
	l->scanned_pos = jint_of(o, "scanned_slot");
	l->db_pos = jint_of(o, "slot");
	l->first_scan = jint_of(o, "first_scan");
	l->where = AW_UNKNOWN;
	for (int w = 0; w < AW__MAX; w++)
		if (strcmp(why, where_names[w]) == 0)
			l->where = (enum audit_where)w;
	snprintf(l->where_case, sizeof(l->where_case), "%s", jstr(where, "case"));
	l->where_pos = jint_of(where, "position");
	l->holder_id = (int64_t)json_integer_value(json_object_get(holder, "id"));
	snprintf(l->holder_name, sizeof(l->holder_name), "%s", jstr(holder, "name"));
	l->code = AT_INVALID;
	for (int c = 0; c < AT_CODE__MAX; c++)
		if (strcmp(jstr(o, "code"), at_code_name((enum at_code)c)) == 0)
			l->code = (enum at_code)c;
	snprintf(l->message, sizeof(l->message), "%s", jstr(o, "message"));
	return 0;
}

/* Decode one saved correction; -1 when out of memory. */
static int fix_from_json(struct audit_result *r, json_t *o)
{
	const char *kind = jstr(o, "kind");
	struct audit_fix *f;
	int k;

	for (k = 0; k < AUDIT_FIX__MAX; k++)
		if (strcmp(kind, fix_names[k]) == 0)
			break;
	if (k == AUDIT_FIX__MAX)
		return 0; /* not ours: ignored, never applied */
	if (!(f = add_fix(r, (enum audit_fix_kind)k)))
		return -1;
	f->id = jint_of(o, "id");
	snprintf(f->tag, sizeof(f->tag), "%s", jstr(o, "asset_tag"));
	snprintf(f->from_case, sizeof(f->from_case), "%s",
	         jstr(json_object_get(o, "from"), "case"));
	f->from_pos = jint_of(json_object_get(o, "from"), "position");
	f->to_pos = jint_of(json_object_get(o, "to"), "position");
	return 0;
}

/* A saved audit's details into `r`; -1 when out of memory. */
static int result_from_json(struct audit_result *r, json_t *d)
{
	json_t *h = json_object_get(d, "holder"), *v;
	size_t i;

	r->holder_audit = json_is_object(h);
	if (r->holder_audit) {
		r->h.id = (int64_t)json_integer_value(json_object_get(h, "id"));
		snprintf(r->h.name, sizeof(r->h.name), "%s", jstr(h, "name"));
	} else {
		snprintf(r->c.name, sizeof(r->c.name), "%s", jstr(d, "case"));
		r->c.slot_count = jint_of(d, "slot_count");
	}
	r->nscans = (size_t)jint_of(d, "scans");
	for (int k = 0; k < AUDIT_KIND__MAX; k++)
		json_array_foreach(json_object_get(d, audit_kind_name(k, r->holder_audit)), i, v)
			if (line_from_json(r, (enum audit_kind)k, v) < 0)
				return -1;
	json_array_foreach(json_object_get(d, "corrections"), i, v)
		if (fix_from_json(r, v) < 0)
			return -1;
	return 0;
}

/* ---- the AUDIT_RECORDED event by seq ---------------------------------- */

struct saved_event {
	int64_t seq;
	int found, is_audit, oom;
	char at[AT_TIME_LEN + 1];
	char actor[AT_PERSON_MAX + 1];
	char batch_id[AT_BATCH_ID_LEN + 1];
	char type[32];
	char *details;
};

static int take_event(void *ctx, const struct event *ev)
{
	struct saved_event *s = ctx;

	if (ev->seq != s->seq)
		return 1;
	s->found = 1;
	s->is_audit = strcmp(ev->type, "AUDIT_RECORDED") == 0;
	snprintf(s->type, sizeof(s->type), "%s", ev->type);
	snprintf(s->at, sizeof(s->at), "%s", ev->at);
	snprintf(s->actor, sizeof(s->actor), "%s", ev->actor);
	snprintf(s->batch_id, sizeof(s->batch_id), "%s", ev->batch_id);
	if (s->is_audit && !(s->details = strdup(ev->details)))
		s->oom = 1;
	return 1;
}

/* Read audit `seq` into `res` (through the seq key: one row). */
static enum at_code read_saved(struct store *st, int64_t seq, struct audit_result *res,
                               struct at_errors *e)
{
	struct saved_event s;
	struct event_filter f;
	json_t *d = NULL;
	enum at_code c;

	memset(&s, 0, sizeof(s));
	memset(&f, 0, sizeof(f));
	memset(res, 0, sizeof(*res));
	s.seq = seq;
	f.after_seq = seq - 1;
	f.limit = 1;
	if (seq < 1)
		return at_fail(e, AT_NOT_FOUND, "there is no event #%lld", (long long)seq);
	c = store_event_list(st, &f, take_event, &s);
	if (c != AT_OK)
		return storage_fail(st, e, c);
	if (s.oom)
		return at_fail(e, AT_INTERNAL, "out of memory reading audit #%lld", (long long)seq);
	if (!s.found)
		return at_fail(e, AT_NOT_FOUND, "there is no event #%lld", (long long)seq);
	if (!s.is_audit)
		return at_fail(e, AT_NOT_FOUND, "event #%lld (%s) is not a saved audit",
		               (long long)seq, s.type);
	d = json_loads(s.details, JSON_REJECT_DUPLICATES, NULL);
	free(s.details);
	if (!json_is_object(d)) {
		json_decref(d);
		return at_fail(e, AT_INTERNAL, "audit #%lld: its details are not a JSON object",
		               (long long)seq);
	}
	if (result_from_json(res, d) < 0) {
		json_decref(d);
		audit_result_free(res);
		return at_fail(e, AT_INTERNAL, "out of memory reading audit #%lld", (long long)seq);
	}
	json_decref(d);
	res->seq = seq;
	memcpy(res->at, s.at, sizeof(res->at));
	memcpy(res->actor, s.actor, sizeof(res->actor));
	memcpy(res->batch_id, s.batch_id, sizeof(res->batch_id));
	return AT_OK;
}

enum at_code audit_get(struct store *st, int64_t seq, struct audit_result *res,
                       struct at_errors *e)
{
	return read_saved(st, seq, res, e);
}

/* ==== running an audit ================================================= */

/* Record `res` as one AUDIT_RECORDED event. */
static enum at_code record(struct event_writer *w, struct audit_result *res,
                           struct at_errors *e)
{
	json_t *details = answer_json(res);
	struct event ev;
	enum at_code c;

	if (!details)
		return at_fail(e, AT_INTERNAL, "out of memory recording an audit");
	memset(&ev, 0, sizeof(ev));
	ev.type = "AUDIT_RECORDED";
	ev.holder_id = res->holder_audit ? res->h.id : 0;
	c = event_append(w, &ev, details, e);
	json_decref(details);
	if (c != AT_OK)
		return c;
	res->seq = ev.seq;
	memcpy(res->at, w->at, sizeof(res->at));
	snprintf(res->actor, sizeof(res->actor), "%s", w->actor);
	memcpy(res->batch_id, w->batch_id, sizeof(res->batch_id));
	return AT_OK;
}

/* Find the subject of the audit into `res` (case or holder). */
typedef enum at_code (*subject_fn)(struct store *st, const void *arg, struct audit_result *res,
                                   struct at_errors *e);

static enum at_code case_subject(struct store *st, const void *arg, struct audit_result *res,
                                 struct at_errors *e)
{
	enum at_code c = store_case_by_name(st, arg, &res->c);

	if (c == AT_NOT_FOUND)
		return at_fail(e, AT_NOT_FOUND, "there is no case named '%s'", (const char *)arg);
	return c == AT_OK ? AT_OK : storage_fail(st, e, c);
}

static enum at_code holder_subject(struct store *st, const void *arg, struct audit_result *res,
                                   struct at_errors *e)
{
	const struct holder_ref *ref = arg;
	char why[AT_MSG_MAX] = "";
	enum at_code c;

	res->holder_audit = 1;
	if (ref->text && ref->badge_only)
		c = holder_by_badge(st, ref->text, &res->h, why);
	else if (ref->text)
		c = holder_resolve(st, ref->text, &res->h, why);
	else if ((c = store_holder_by_id(st, ref->id, &res->h)) == AT_NOT_FOUND)
		snprintf(why, sizeof(why), "there is no holder #%lld", (long long)ref->id);
	if (c == AT_STORAGE || c == AT_BUSY)
		return storage_fail(st, e, c);
	return c == AT_OK ? AT_OK : at_fail(e, c, "%s", why);
}

/* The body of audit_run and audit_holder: find the subject, compare and,
 * with `save`, record it, all in one transaction. */
static enum at_code run(struct store *st, const char *actor, subject_fn subject,
                        const void *arg, const char *const *scans, size_t n, int save,
                        struct audit_result *res, struct at_errors *e)
{
	struct event_writer w;
	enum at_code c;

	memset(res, 0, sizeof(*res));
	if (n > AT_AUDIT_MAX_SCANS)
		return at_fail(e, AT_TOO_LARGE, "an audit takes at most %d scans, not %zu",
		               AT_AUDIT_MAX_SCANS, n);
	if (save && (c = op_begin(st, actor, &w, e)) != AT_OK)
		return c;
	c = subject(st, arg, res, e);
	if (c == AT_OK)
		c = compare(st, scans, n, res, e);
	if (c == AT_OK && save)
		c = record(&w, res, e);
	if (save)
		c = op_end(st, c, e);
	if (c != AT_OK)
		audit_result_free(res);
	return c;
}

enum at_code audit_run(struct store *st, const char *actor, const char *case_name,
                       const char *const *scans, size_t n, int save,
                       struct audit_result *res, struct at_errors *e)
{
	char cname[AT_NAME_MAX + 1];

	memset(res, 0, sizeof(*res));
	if (field_clean(e, "case", case_name, cname, sizeof(cname), AT_NAME_MAX, 1, 0) < 0)
		return at_items_done(e, e->nitems);
	return run(st, actor, case_subject, cname, scans, n, save, res, e);
}

enum at_code audit_holder(struct store *st, const char *actor, struct holder_ref holder,
                          const char *const *scans, size_t n, int save,
                          struct audit_result *res, struct at_errors *e)
{
	return run(st, actor, holder_subject, &holder, scans, n, save, res, e);
}

/* ==== applying corrections ============================================= */

/* One step of an apply: a correction, or a pass through a free slot. */
struct step {
	const struct audit_fix *fix;
	int to_pos;                  /* move/assign: destination; vacate: 0 */
};

/* The plan of an apply: the audited case's slots as they will be, and
 * the steps in order. */
struct plan {
	struct store *st;
	const struct audit_result *a;
	int64_t case_id;
	int nslots;
	int64_t *occ;                /* asset id per slot (1-based), 0 empty */
	struct step *steps;
	size_t nsteps;
	struct pending {
		const struct audit_fix *fix;
		int64_t asset_id;
		int at_pos;              /* its slot in the case now, 0: elsewhere */
		int done;
	} *pend;
	size_t npend;
};

static int plan_occ(void *ctx, const struct asset *a)
{
	struct plan *p = ctx;

	if (a->position >= 1 && a->position <= p->nslots)
		p->occ[a->position] = a->id;
	return 0;
}

static void add_step(struct plan *p, const struct audit_fix *f, int to_pos)
{
	p->steps[p->nsteps].fix = f;
	p->steps[p->nsteps].to_pos = to_pos;
	p->nsteps++;
}

/* Is the asset of correction `f` still where the audit saw it?  An item
 * on `e` when not; AT_OK, a refusal code, or a storage failure. */
static enum at_code check_still(struct plan *p, const struct audit_fix *f, int64_t *asset_id,
                                struct at_errors *e)
{
	char where[AT_MSG_MAX], input[AT_INPUT_MAX];
	struct asset a;
	enum at_code c = store_asset_by_tag(p->st, f->tag, &a);
	int ok;

	snprintf(input, sizeof(input), "%d", f->id);
	if (c == AT_NOT_FOUND)
		return at_item(e, input, AT_NOT_FOUND, "correction %d: there is no asset %s", f->id,
		               f->tag);
	if (c != AT_OK)
		return storage_fail(p->st, e, c);
	*asset_id = a.id;
	if (f->kind == AUDIT_FIX_ASSIGN)
		ok = a.state == ASSET_STORAGE && !a.case_id;
	else
		ok = a.state == ASSET_STORAGE && a.case_id &&
		     strcmp(a.case_name, f->from_case) == 0 && a.position == f->from_pos;
	if (ok)
		return AT_OK;
	asset_whereabouts(&a, where, sizeof(where));
	return at_item(e, input, AT_CONFLICT,
	               "correction %d: %s has changed since the audit (it is now %s); audit "
	               "again", f->id, a.tag, where);
}

/* Vacates first: each frees its slot. */
static enum at_code plan_vacates(struct plan *p, const int *ids, size_t n, struct at_errors *e)
{
	enum at_code c;
	int64_t id;

	for (size_t i = 0; i < n; i++) {
		const struct audit_fix *f = &p->a->fixes[ids[i]];
		if (f->kind != AUDIT_FIX_VACATE)
			continue;
		c = check_still(p, f, &id, e);
		if (c == AT_STORAGE || c == AT_BUSY)
			return c;
		if (c == AT_OK && f->from_pos >= 1 && f->from_pos <= p->nslots) {
			p->occ[f->from_pos] = 0;
			add_step(p, f, 0);
		}
	}
	return AT_OK;
}

/* Moves and assigns waiting for their destination. */
static enum at_code plan_pending(struct plan *p, const int *ids, size_t n, struct at_errors *e)
{
	char input[AT_INPUT_MAX];
	enum at_code c;

	for (size_t i = 0; i < n; i++) {
		const struct audit_fix *f = &p->a->fixes[ids[i]];
		struct pending *q;
		if (f->kind == AUDIT_FIX_VACATE)
			continue;
		q = &p->pend[p->npend];
		memset(q, 0, sizeof(*q));
		q->fix = f;
		c = check_still(p, f, &q->asset_id, e);
		if (c == AT_STORAGE || c == AT_BUSY)
			return c;
		if (c != AT_OK)
			continue;
		if (f->to_pos < 1 || f->to_pos > p->nslots) {
			snprintf(input, sizeof(input), "%d", f->id);
			at_item(e, input, AT_SLOT_NOT_FOUND, "correction %d: case %s has no slot %d",
			        f->id, p->a->c.name, f->to_pos);
			continue;
		}
		if (f->kind == AUDIT_FIX_MOVE && strcmp(f->from_case, p->a->c.name) == 0)
			q->at_pos = f->from_pos;
		p->npend++;
	}
	return AT_OK;
}

/* Take every pending correction whose destination is free now; how many. */
static size_t take_ready(struct plan *p)
{
	size_t taken = 0;

	for (size_t i = 0; i < p->npend; i++) {
		struct pending *q = &p->pend[i];
		if (q->done || p->occ[q->fix->to_pos])
			continue;
		if (q->at_pos)
			p->occ[q->at_pos] = 0;
		p->occ[q->fix->to_pos] = q->asset_id;
		q->at_pos = q->fix->to_pos;
		q->done = 1;
		add_step(p, q->fix, q->fix->to_pos);
		taken++;
	}
	return taken;
}

/* The pending correction whose asset sits in slot `pos` of the case. */
static struct pending *pending_at(struct plan *p, int pos)
{
	for (size_t i = 0; i < p->npend; i++)
		if (!p->pend[i].done && p->pend[i].at_pos == pos)
			return &p->pend[i];
	return NULL;
}

/*
 * Nothing is ready: every waiting destination holds an asset.  If one of
 * those stays (no chosen correction moves it), that is a refusal.  Else
 * the waits form a ring (slots trading places): pass one asset through a
 * free slot of the case, which breaks the ring.
 */
static enum at_code unblock(struct plan *p, struct at_errors *e)
{
	struct pending *q = NULL;
	char input[AT_INPUT_MAX];
	int free_pos = 0;
	struct asset o;

	for (size_t i = 0; i < p->npend; i++) {
		struct pending *w = &p->pend[i];
		int to = w->fix->to_pos;
		if (w->done)
			continue;
		if (!(q = pending_at(p, to))) {
			snprintf(input, sizeof(input), "%d", w->fix->id);
			if (store_asset_in_slot(p->st, p->case_id, to, &o) != AT_OK)
				snprintf(o.tag, sizeof(o.tag), "another asset");
			return at_item(e, input, AT_SLOT_OCCUPIED,
			               "correction %d: slot %s/%d holds %s, which none of the chosen "
			               "corrections moves out", w->fix->id, p->a->c.name, to, o.tag);
		}
	}
	for (int s = 1; s <= p->nslots && !free_pos; s++)
		if (!p->occ[s])
			free_pos = s;
	if (!q)
		return AT_INTERNAL; /* cannot happen: called with something pending */
	if (!free_pos) {
		snprintf(input, sizeof(input), "%d", q->fix->id);
		return at_item(e, input, AT_SLOT_OCCUPIED,
		               "correction %d: %s and others trade slots, which needs a free slot in "
		               "case %s to pass through; there is none", q->fix->id, q->fix->tag,
		               p->a->c.name);
	}
	p->occ[q->at_pos] = 0;
	p->occ[free_pos] = q->asset_id;
	q->at_pos = free_pos;
	add_step(p, q->fix, free_pos);
	return AT_OK;
}

/* Order the chosen corrections (indexes into a->fixes) into p->steps;
 * every failing one is an item of `e`. */
static enum at_code plan_make(struct plan *p, const int *ids, size_t n, struct at_errors *e)
{
	struct asset_filter f;
	enum at_code c;
	size_t left;

	memset(&f, 0, sizeof(f));
	f.case_id = p->case_id;
	if ((c = store_asset_list(p->st, &f, plan_occ, p)) != AT_OK)
		return storage_fail(p->st, e, c);
	if ((c = plan_vacates(p, ids, n, e)) != AT_OK || (c = plan_pending(p, ids, n, e)) != AT_OK)
		return storage_fail(p->st, e, c);
	if (e->nitems)
		return at_items_done(e, n);
	for (left = p->npend; left;) {
		size_t taken = take_ready(p);
		left -= taken;
		if (left && !taken && (c = unblock(p, e)) != AT_OK)
			return c == AT_INTERNAL ? at_fail(e, c, "audit apply: stuck") : at_items_done(e, n);
	}
	return AT_OK;
}

/* Carry out the plan's steps, each its normal correction event. */
static enum at_code plan_run(struct plan *p, struct event_writer *w, struct at_errors *e)
{
	char reason[AT_REASON_MAX + 1];
	enum at_code c = AT_OK;

	snprintf(reason, sizeof(reason), "missing at audit %.10s", p->a->at);
	for (size_t i = 0; i < p->nsteps && c == AT_OK; i++) {
		const struct step *s = &p->steps[i];
		const struct audit_fix *f = s->fix;
		json_t *d = json_pack("{s:I, s:i}", "audit_seq", (json_int_t)p->a->seq, "correction",
		                      f->id);
		if (!d)
			return at_fail(e, AT_INTERNAL, "out of memory applying corrections");
		if (f->kind == AUDIT_FIX_VACATE)
			c = slot_force_vacate_in(p->st, w, p->a->c.name, f->from_pos, reason, d, NULL,
			                         e);
		else
			c = slot_put_in(p->st, w, f->tag, p->a->c.name, s->to_pos,
			                f->kind == AUDIT_FIX_MOVE, d, NULL, e);
		json_decref(d);
	}
	return c;
}

/* The chosen ids as indexes into a->fixes; items for unknown or repeated
 * ones. */
static void choose(const struct audit_result *a, const int *ids, size_t n, int *idx,
                   struct at_errors *e)
{
	char input[32];

	for (size_t i = 0; i < n; i++) {
		idx[i] = -1;
		snprintf(input, sizeof(input), "%d", ids[i]);
		for (size_t k = 0; k < a->nfixes; k++)
			if (a->fixes[k].id == ids[i])
				idx[i] = (int)k;
		if (idx[i] < 0) {
			at_item(e, input, AT_NOT_FOUND, "audit #%lld has no correction %d",
			        (long long)a->seq, ids[i]);
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (ids[j] == ids[i]) {
				at_item(e, input, AT_DUPLICATE_IN_BATCH, "correction %d is chosen twice",
				        ids[i]);
				break;
			}
	}
}

/* Check the saved audit and the choice; allocate the plan. */
static enum at_code plan_init(struct plan *p, struct store *st, struct audit_result *a,
                              const int *ids, size_t n, int **idx, struct at_errors *e)
{
	enum at_code c;

	memset(p, 0, sizeof(*p));
	p->st = st;
	p->a = a;
	if (a->holder_audit)
		return at_fail(e, AT_INVALID, "audit #%lld is a holder audit: it suggests no "
		               "corrections", (long long)a->seq);
	/* The case as it is now (it may have grown since). */
	c = store_case_by_name(st, a->c.name, &a->c);
	if (c != AT_OK)
		return c == AT_NOT_FOUND ? at_fail(e, c, "case %s of audit #%lld is gone", a->c.name,
		                                   (long long)a->seq)
		                         : storage_fail(st, e, c);
	p->case_id = a->c.id;
	p->nslots = a->c.slot_count;
	*idx = calloc(n, sizeof(**idx));
	p->occ = calloc((size_t)p->nslots + 1, sizeof(*p->occ));
	/* A ring of k moves passes once through a free slot: at most 2n steps. */
	p->steps = calloc(2 * n, sizeof(*p->steps));
	p->pend = calloc(n, sizeof(*p->pend));
	if (!*idx || !p->occ || !p->steps || !p->pend)
		return at_fail(e, AT_INTERNAL, "out of memory applying corrections");
	choose(a, ids, n, *idx, e);
	return e->nitems ? at_items_done(e, n) : AT_OK;
}

static void plan_free(struct plan *p)
{
	free(p->occ);
	free(p->steps);
	free(p->pend);
}

enum at_code audit_apply(struct store *st, const char *actor, int64_t seq, const int *ids,
                         size_t n, struct audit_applied *out, struct at_errors *e)
{
	struct audit_result a;
	struct event_writer w;
	struct plan p;
	int *idx = NULL;
	enum at_code c;

	memset(&a, 0, sizeof(a));
	memset(&p, 0, sizeof(p));
	if (out)
		memset(out, 0, sizeof(*out));
	if (n == 0)
		return at_fail(e, AT_INVALID, "choose at least one correction to apply");
	if (n > AT_MAX_BATCH)
		return at_fail(e, AT_TOO_LARGE, "at most %d corrections at a time, not %zu",
		               AT_MAX_BATCH, n);
	if ((c = op_begin(st, actor, &w, e)) != AT_OK)
		return c;
	c = read_saved(st, seq, &a, e);
	if (c == AT_OK)
		c = plan_init(&p, st, &a, ids, n, &idx, e);
	if (c == AT_OK)
		c = plan_make(&p, idx, n, e);
	if (c == AT_OK)
		c = plan_run(&p, &w, e);
	if (c == AT_OK && out) {
		memcpy(out->batch_id, w.batch_id, sizeof(out->batch_id));
		out->head.seq = w.seq;
		memcpy(out->head.hash, w.hash, sizeof(out->head.hash));
		out->napplied = n;
		out->nevents = w.written;
	}
	c = op_end(st, c, e);
	plan_free(&p);
	free(idx);
	audit_result_free(&a);
	return c;
}

/* ==== last audits ====================================================== */

struct summaries {
	audit_summary_cb cb;
	void *ctx;
	struct audit_summary *one;   /* audit_last: copy here instead */
};

/* Store row to summary. */
static int take_summary(void *ctx, const char *name, int slot_count, int64_t seq,
                        const char *at, const char *actor, const char *counts)
{
	struct summaries *s = ctx;
	struct audit_summary sum;
	json_t *cj = counts ? json_loads(counts, 0, NULL) : NULL;

	memset(&sum, 0, sizeof(sum));
	snprintf(sum.case_name, sizeof(sum.case_name), "%s", name);
	sum.slot_count = slot_count;
	sum.seq = seq;
	snprintf(sum.at, sizeof(sum.at), "%s", at);
	snprintf(sum.actor, sizeof(sum.actor), "%s", actor);
	for (int k = 0; k < AUDIT_KIND__MAX; k++) {
		json_t *v = json_object_get(cj, audit_kind_name(k, 0));
		sum.count[k] = json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
	}
	json_decref(cj);
	if (s->one) {
		*s->one = sum;
		return 1;
	}
	return s->cb(s->ctx, &sum);
}

enum at_code audit_cases(struct store *st, const char *after, int stale_days, int limit,
                         audit_summary_cb cb, void *ctx, struct at_errors *e)
{
	struct summaries s = { cb, ctx, NULL };
	char now[AT_TIME_LEN + 1], cutoff[AT_TIME_LEN + 1];
	enum at_code c;

	if (stale_days >= 0) {
		text_now(now);
		text_epoch_time(text_time_epoch(now) - (int64_t)stale_days * 86400, cutoff);
	}
	c = store_audit_cases(st, after, stale_days >= 0 ? cutoff : NULL, limit, take_summary, &s);
	return c == AT_OK ? AT_OK : storage_fail(st, e, c);
}

enum at_code audit_last(struct store *st, const char *case_name, struct audit_summary *out,
                        struct at_errors *e)
{
	struct summaries s = { NULL, NULL, out };
	enum at_code c;

	memset(out, 0, sizeof(*out));
	c = store_audit_last(st, case_name, take_summary, &s);
	if (c != AT_OK)
		return storage_fail(st, e, c);
	if (!out->case_name[0])
		return at_fail(e, AT_NOT_FOUND, "there is no case named '%s'", case_name);
	return AT_OK;
}

json_t *audit_summary_to_json(const struct audit_summary *s)
{
	json_t *counts, *last = json_null();

	if (s->seq) {
		counts = json_object();
		for (int k = 0; k < AUDIT_KIND__MAX; k++)
			json_object_set_new(counts, audit_kind_name(k, 0), json_integer(s->count[k]));
		last = json_pack("{s:I, s:s, s:s, s:o}", "seq", (json_int_t)s->seq, "at", s->at,
		                 "actor", s->actor, "counts", counts);
	}
	return json_pack("{s:s, s:i, s:o}", "case", s->case_name, "slot_count", s->slot_count,
	                 "last_audit", last);
}
