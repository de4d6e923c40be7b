/*
 * report.c — the reports' rows (core/report.h), each read in report order
 * from a cursor through an index of schema version 6.
 *
 * Custody now comes from the assets table, a section at a time (overdue,
 * then the rest), each walked in holder order.  As of an instant the
 * event log alone decides who held what, since when and until when it was
 * due (the last custody event of each asset up to then); the asset's
 * descriptive fields and the holder's name are today's.  That answers
 * "who had AT-0009 on 1 March" from the events index (each asset's latest
 * custody event up to then, read from the index alone, a step of assets
 * at a time) instead of a full replay (14 s at a million events before),
 * and verify still proves log and tables agree.
 *
 * Cursors: custody now "o:HOLDER:TAG:SINCE" (overdue section) or
 * "r:HOLDER:TAG:SINCE" (the rest; a tag has no ':', a time has, so it
 * comes last), as of "a:TAG"; unslotted a tag; occupancy a case name;
 * a holder's history and the retired list an event seq.
 */
#include "store/store.h"
#include "core/report.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "util/text.h"

/* A store code as a report's outcome. */
static enum at_code report_done(struct store *st, enum at_code c, struct at_errors *e)
{
	return c == AT_OK ? AT_OK : storage_fail(st, e, c);
}

/* A cursor that is not one of this report's. */
static enum at_code bad_cursor(struct at_errors *e, const char *after)
{
	return at_fail(e, AT_INVALID, "'%.60s' is not a place in this report (use the "
	               "next_after the previous page gave)", after);
}

/* A seq cursor: a whole number >= 1; 0 for none. */
static int seq_cursor(const char *after, int64_t *seq)
{
	*seq = 0;
	return !after || !*after ? 0 : text_parse_int(after, 1, INT64_MAX, seq);
}

/* ==== custody ========================================================= */

struct report_ctx {
	custody_row_cb cb;
	void *ctx;
	char today[11];
	int overdue_only;
	int as_of;
	int stopped;                   /* the caller's callback said stop */
};

/* Append `s` at `p` (the cursor's room is checked by the caller). */
static char *put(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

/*
 * A row's cursor, "a:TAG" or "o|r:HOLDER:TAG:SINCE", without snprintf:
 * every row of a whole report gets one and only the last is used, and
 * formatting was a tenth of a row's instructions.  The fields' caps keep
 * it inside REPORT_CURSOR_MAX.
 */
static void row_cursor(char *out, const struct asset *a, int as_of, int overdue)
{
	char digits[24], *p = out;
	uint64_t id = a->holder_id > 0 ? (uint64_t)a->holder_id : 0;
	int n = 0;

	static_assert(2 + 20 + 1 + AT_TAG_MAX + 1 + AT_TIME_LEN < REPORT_CURSOR_MAX,
	              "a custody cursor fits its field");
	if (as_of) {
		p = put(put(p, "a:"), a->tag);
	} else {
		do
			digits[n++] = (char)('0' + id % 10);
		while ((id /= 10) != 0);
		*p++ = overdue ? 'o' : 'r';
		*p++ = ':';
		while (n)
			*p++ = digits[--n];
		*p++ = ':';
		p = put(p, a->tag);
		*p++ = ':';
		p = put(p, a->custody_since);
	}
	*p = '\0';
}

static int on_asset(void *ctx, const struct asset *a)
{
	struct report_ctx *rc = ctx;
	struct custody_row row;

	row.overdue = a->due[0] && strcmp(a->due, rc->today) < 0;
	if (rc->overdue_only && !row.overdue)
		return 0;
	row.asset = *a;
	row_cursor(row.cursor, a, rc->as_of, row.overdue);
	rc->stopped = rc->cb(rc->ctx, &row);
	return rc->stopped;
}

struct as_of_ctx {
	struct report_ctx *rc;
	struct store *st;
	enum at_code c;
	int stopped;                   /* the caller's callback said stop */
};

static int on_held(void *ctx, const char *tag, int64_t holder_id, const char *since,
                   const char *due)
{
	struct as_of_ctx *x = ctx;
	struct asset a;
	struct holder h;

	x->c = store_asset_by_tag(x->st, tag, &a);
	if (x->c != AT_OK)
		return 1;
	a.state = ASSET_IN_CUSTODY;
	a.case_id = 0;
	a.position = 0;
	a.case_name[0] = '\0';
	a.holder_id = holder_id;
	a.holder_name[0] = '\0';
	if (store_holder_by_id(x->st, holder_id, &h) == AT_OK)
		snprintf(a.holder_name, sizeof(a.holder_name), "%s", h.name);
	snprintf(a.custody_since, sizeof(a.custody_since), "%s", since);
	snprintf(a.due, sizeof(a.due), "%s", due);
	a.retired_at[0] = '\0';
	x->stopped = on_asset(x->rc, &a);
	return x->stopped;
}

/* Assets looked at per step of the as-of walk: a page of the report (250
 * rows) takes one or two steps; the whole report about 200. */
#define AS_OF_STEP 512

/* Custody as of `as_of`, from the tag after `after_tag` on, a step of the
 * covering index at a time, until the end or until the callback stops. */
static enum at_code as_of_walk(struct store *st, const char *as_of, const char *after_tag,
                               struct as_of_ctx *x)
{
	/* Two buffers: the store binds the cursor while it writes the next. */
	char cursor[AT_TAG_MAX + 1], next[AT_TAG_MAX + 1];
	int scanned;
	enum at_code c;

	snprintf(cursor, sizeof(cursor), "%s", after_tag ? after_tag : "");
	do {
		x->stopped = 0;
		c = store_custody_as_of(st, as_of, cursor, AS_OF_STEP, on_held, x, next, &scanned);
		if (c == AT_OK)
			c = x->c;
		memcpy(cursor, next, sizeof(cursor));
	} while (c == AT_OK && !x->stopped && scanned == AS_OF_STEP);
	return c;
}

/*
 * Parse a custody-now cursor "o|r:HOLDER:TAG:SINCE" into the section it
 * is in and the row it names (its holder's name looked up: the keyset
 * orders by name).  -1 if it is not one.
 */
static int now_cursor(struct store *st, const char *s, int *overdue, struct custody_key *k)
{
	char id[24];
	const char *p, *q;
	struct holder h;
	size_t n;

	if ((s[0] != 'o' && s[0] != 'r') || s[1] != ':')
		return -1;
	*overdue = s[0] == 'o';
	p = s + 2;
	if (!(q = strchr(p, ':')) || (n = (size_t)(q - p)) == 0 || n >= sizeof(id))
		return -1;
	memcpy(id, p, n);
	id[n] = '\0';
	if (text_parse_int(id, 1, INT64_MAX, &k->holder_id) < 0)
		return -1;
	p = q + 1;
	if (!(q = strchr(p, ':')) || (n = (size_t)(q - p)) == 0 || n >= sizeof(k->tag))
		return -1;
	memcpy(k->tag, p, n);
	k->tag[n] = '\0';
	if (strlen(q + 1) >= sizeof(k->since))
		return -1;
	snprintf(k->since, sizeof(k->since), "%s", q + 1);
	if (store_holder_by_id(st, k->holder_id, &h) != AT_OK)
		return -1;
	snprintf(k->holder_name, sizeof(k->holder_name), "%s", h.name);
	return 0;
}

/* Custody now: the overdue section, then (unless only that is wanted)
 * the rest, from the row `after` names. */
static enum at_code custody_now(struct store *st, struct report_ctx *rc, const char *after,
                                struct at_errors *e)
{
	struct custody_key k;
	int section = 1;
	enum at_code c;

	memset(&k, 0, sizeof(k));
	if (after && *after && now_cursor(st, after, &section, &k) < 0)
		return bad_cursor(e, after);
	for (; section >= (rc->overdue_only ? 1 : 0) && !rc->stopped; section--) {
		c = store_custody_by_holder(st, k.holder_id ? &k : NULL, section, rc->today, 0,
		                            on_asset, rc);
		if (c != AT_OK)
			return report_done(st, c, e);
		memset(&k, 0, sizeof(k)); /* the next section from its start */
	}
	return AT_OK;
}

enum at_code report_custody(struct store *st, const char *as_of, int overdue_only,
                            custody_row_cb cb, void *ctx, struct at_errors *e)
{
	return report_custody_from(st, as_of, overdue_only, NULL, cb, ctx, e);
}

enum at_code report_custody_from(struct store *st, const char *as_of, int overdue_only,
                                 const char *after, custody_row_cb cb, void *ctx,
                                 struct at_errors *e)
{
	struct report_ctx rc = { cb, ctx, "", overdue_only, as_of != NULL, 0 };
	struct as_of_ctx x = { &rc, st, AT_OK, 0 };
	enum at_code c;

	if (!as_of) {
		text_today(rc.today);
		return custody_now(st, &rc, after, e);
	}
	if (after && *after && (after[0] != 'a' || after[1] != ':' || !after[2] ||
	                        strlen(after + 2) > AT_TAG_MAX))
		return bad_cursor(e, after);
	/* Overdue as it stood then: due before that day. */
	memcpy(rc.today, as_of, 10);
	rc.today[10] = '\0';
	c = as_of_walk(st, as_of, after && *after ? after + 2 : NULL, &x);
	if (c != AT_OK)
		return at_fail(e, c, "cannot read custody: %s", store_errmsg(st));
	return AT_OK;
}

/* ==== unslotted storage assets ======================================== */

struct unslotted_ctx {
	unslotted_row_cb cb;
	void *ctx;
	struct unslotted_row row;      /* big: one, reused */
};

/* Why an asset is unslotted, in words, from the event that left it so. */
static const char *unslotted_how(const char *type)
{
	if (strcmp(type, "ASSET_CREATED") == 0)
		return "created without a slot";
	if (strcmp(type, "FORCE_VACATE") == 0)
		return "force-vacated";
	if (strcmp(type, "ASSET_REPLACED") == 0)
		return "replaced";
	return "";
}

static int on_unslotted(void *ctx, const struct asset *a, int64_t seq, const char *at,
                        const char *type, const char *reason)
{
	struct unslotted_ctx *x = ctx;
	struct unslotted_row *r = &x->row;

	r->asset = *a;
	r->seq = seq;
	snprintf(r->since, sizeof(r->since), "%s", at);
	snprintf(r->type, sizeof(r->type), "%s", type);
	r->how = unslotted_how(type);
	snprintf(r->reason, sizeof(r->reason), "%s", reason ? reason : "");
	snprintf(r->cursor, sizeof(r->cursor), "%s", a->tag);
	return x->cb(x->ctx, r);
}

enum at_code report_unslotted(struct store *st, const char *after, unslotted_row_cb cb,
                              void *ctx, struct at_errors *e)
{
	struct unslotted_ctx *x;
	enum at_code c;

	if (after && *after && text_valid_tag(after, NULL) < 0)
		return bad_cursor(e, after);
	x = calloc(1, sizeof(*x));
	if (!x)
		return at_fail(e, AT_INTERNAL, "out of memory");
	x->cb = cb;
	x->ctx = ctx;
	c = report_done(st, store_unslotted(st, after, 0, on_unslotted, x), e);
	free(x);
	return c;
}

int64_t report_unslotted_count(struct store *st)
{
	return store_unslotted_count(st);
}

/* ==== occupancy by case =============================================== */

struct occupancy_ctx {
	occupancy_row_cb cb;
	void *ctx;
};

/* Percent of `n` out of `of`, rounded down (100 only when full). */
static int percent_of(int64_t n, int64_t of)
{
	return of > 0 ? (int)(n * 100 / of) : 0;
}

static int on_case(void *ctx, const struct case_info *c)
{
	struct occupancy_ctx *x = ctx;
	struct occupancy_row r;

	r.c = *c;
	r.empty = c->slot_count - c->occupied;
	r.percent = percent_of(c->occupied, c->slot_count);
	snprintf(r.cursor, sizeof(r.cursor), "%s", c->name);
	return x->cb(x->ctx, &r);
}

enum at_code report_occupancy(struct store *st, const char *after, occupancy_row_cb cb,
                              void *ctx, struct at_errors *e)
{
	struct occupancy_ctx x = { cb, ctx };

	if (after && *after && text_valid_case_name(after, NULL) < 0)
		return bad_cursor(e, after);
	return report_done(st, store_case_list(st, after && *after ? after : NULL, 0, on_case, &x),
	                   e);
}

enum at_code report_occupancy_totals(struct store *st, struct occupancy_totals *t,
                                     struct at_errors *e)
{
	enum at_code c;

	memset(t, 0, sizeof(*t));
	c = store_slot_totals(st, &t->cases, &t->slots, &t->occupied);
	if (c != AT_OK)
		return report_done(st, c, e);
	t->empty = t->slots - t->occupied;
	t->percent = percent_of(t->occupied, t->slots);
	return AT_OK;
}

/* ==== a holder's history ============================================== */

struct holding_ctx {
	holding_row_cb cb;
	void *ctx;
	char today[11];
	int64_t now;                   /* epoch seconds */
};

static int on_holding(void *ctx, const struct store_holding *h)
{
	struct holding_ctx *x = ctx;
	struct holding_row r;
	int64_t from, to;

	memset(&r, 0, sizeof(r));
	snprintf(r.tag, sizeof(r.tag), "%s", h->asset_tag);
	snprintf(r.equipment_type, sizeof(r.equipment_type), "%s", h->equipment_type);
	snprintf(r.model, sizeof(r.model), "%s", h->model);
	r.seq = h->seq;
	snprintf(r.start_type, sizeof(r.start_type), "%s", h->type);
	snprintf(r.since, sizeof(r.since), "%s", h->since);
	snprintf(r.due, sizeof(r.due), "%s", h->due);
	snprintf(r.from_case, sizeof(r.from_case), "%s", h->from_case ? h->from_case : "");
	r.from_position = h->from_case ? h->from_position : 0;
	r.end_seq = h->end_seq;
	if (h->end_seq) {
		snprintf(r.end_type, sizeof(r.end_type), "%s", h->end_type);
		snprintf(r.back_at, sizeof(r.back_at), "%s", h->end_at);
		snprintf(r.to_case, sizeof(r.to_case), "%s", h->to_case ? h->to_case : "");
		r.to_position = h->to_case ? h->to_position : 0;
	}
	/* Late: back on a later day than due (UTC, as store_holding_counts
	 * counts), or still out after it. */
	if (r.due[0])
		r.late = h->end_seq ? strncmp(r.back_at, r.due, 10) > 0 : strcmp(r.due, x->today) < 0;
	from = text_time_epoch(r.since);
	to = h->end_seq ? text_time_epoch(r.back_at) : x->now;
	r.seconds = from >= 0 && to >= from ? to - from : 0;
	snprintf(r.cursor, sizeof(r.cursor), "%lld", (long long)r.seq);
	return x->cb(x->ctx, &r);
}

/* AT_NOT_FOUND in words when holder `id` does not exist. */
static enum at_code holder_exists(struct store *st, int64_t id, struct at_errors *e)
{
	struct holder h;
	enum at_code c = store_holder_by_id(st, id, &h);

	if (c == AT_NOT_FOUND)
		return at_fail(e, AT_NOT_FOUND, "there is no holder #%lld", (long long)id);
	return report_done(st, c, e);
}

enum at_code report_holder_history(struct store *st, int64_t holder_id, const char *after,
                                   holding_row_cb cb, void *ctx, struct at_errors *e)
{
	struct holding_ctx x = { cb, ctx, "", 0 };
	char now[AT_TIME_LEN + 1];
	int64_t before;
	enum at_code c;

	if (seq_cursor(after, &before) < 0)
		return bad_cursor(e, after);
	if ((c = holder_exists(st, holder_id, e)) != AT_OK)
		return c;
	text_today(x.today);
	text_now(now);
	x.now = text_time_epoch(now);
	return report_done(st, store_holdings(st, holder_id, before, 0, on_holding, &x), e);
}

/* Overdue assets among what a holder holds now. */
struct overdue_count {
	char today[11];
	int64_t n;
};

static int count_overdue(void *ctx, const struct asset *a)
{
	struct overdue_count *x = ctx;

	x->n += a->due[0] && strcmp(a->due, x->today) < 0;
	return 0;
}

enum at_code report_holder_totals(struct store *st, int64_t holder_id, struct holder_totals *t,
                                  struct at_errors *e)
{
	struct overdue_count x = { "", 0 };
	struct asset_filter f;
	int64_t ended;
	enum at_code c;

	memset(t, 0, sizeof(*t));
	if ((c = holder_exists(st, holder_id, e)) != AT_OK)
		return c;
	c = store_holding_counts(st, holder_id, &t->periods, &ended, &t->late);
	if (c != AT_OK)
		return report_done(st, c, e);
	t->held = t->periods - ended;
	/* What they hold now: a few rows through assets_holder. */
	memset(&f, 0, sizeof(f));
	f.holder_id = holder_id;
	text_today(x.today);
	c = store_asset_list(st, &f, count_overdue, &x);
	t->overdue = x.n;
	return report_done(st, c, e);
}

/* ==== retired assets by reason ======================================== */

struct retired_ctx {
	retired_row_cb cb;
	void *ctx;
	struct retired_row row;        /* big: one, reused */
};

static int on_retired(void *ctx, const struct asset *a, int64_t seq, const char *at,
                      const char *actor, const char *reason)
{
	struct retired_ctx *x = ctx;
	struct retired_row *r = &x->row;

	r->asset = *a;
	r->seq = seq;
	snprintf(r->at, sizeof(r->at), "%s", at);
	snprintf(r->actor, sizeof(r->actor), "%s", actor);
	snprintf(r->reason, sizeof(r->reason), "%s", reason ? reason : "");
	snprintf(r->cursor, sizeof(r->cursor), "%lld", (long long)seq);
	return x->cb(x->ctx, r);
}

enum at_code report_retired(struct store *st, const char *reason, const char *after,
                            retired_row_cb cb, void *ctx, struct at_errors *e)
{
	struct retired_ctx *x;
	int64_t seq;
	enum at_code c;

	if (seq_cursor(after, &seq) < 0)
		return bad_cursor(e, after);
	x = calloc(1, sizeof(*x));
	if (!x)
		return at_fail(e, AT_INTERNAL, "out of memory");
	x->cb = cb;
	x->ctx = ctx;
	c = report_done(st, store_retired(st, reason, seq, 0, on_retired, x), e);
	free(x);
	return c;
}

enum at_code report_retired_reasons(struct store *st, int limit, retired_reason_cb cb,
                                    void *ctx, struct at_errors *e)
{
	return report_done(st, store_retired_reasons(st, limit, cb, ctx), e);
}

enum at_code report_retired_totals(struct store *st, struct retired_totals *t,
                                   struct at_errors *e)
{
	memset(t, 0, sizeof(*t));
	return report_done(st, store_retired_totals(st, &t->assets, &t->reasons), e);
}
