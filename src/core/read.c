/*
 * read.c — the read API (core/read.h) over store/.  Store reads return a
 * bare code; here each failure becomes a message in `e`, so no front end
 * answers an empty list when the read failed.
 */
#include "core/read.h"

#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "store/store.h"

/* A store code as a read's outcome. */
static enum at_code read_done(struct store *st, enum at_code c, struct at_errors *e)
{
	return c == AT_OK ? AT_OK : storage_fail(st, e, c);
}

enum at_code read_assets(struct store *st, const struct asset_filter *f, asset_cb cb, void *ctx,
                         struct at_errors *e)
{
	return read_done(st, store_asset_list(st, f, cb, ctx), e);
}

enum at_code read_attr_names(struct store *st, attr_name_fn cb, void *ctx, struct at_errors *e)
{
	return read_done(st, store_asset_attr_names(st, cb, ctx), e);
}

int64_t read_asset_count(struct store *st, int has_state, enum asset_state s)
{
	return store_asset_count(st, has_state, s);
}

int64_t read_overdue_count(struct store *st)
{
	char today[11];

	text_today(today);
	return store_asset_count_overdue(st, today);
}

enum at_code read_case_id(struct store *st, const char *name, int64_t *id, struct at_errors *e)
{
	struct case_info c;
	enum at_code r = read_case(st, name, &c, e);

	*id = r == AT_OK ? c.id : 0;
	return r;
}

enum at_code read_cases(struct store *st, const char *after, int limit, case_cb cb, void *ctx,
                        struct at_errors *e)
{
	return read_done(st, store_case_list(st, after, limit, cb, ctx), e);
}

enum at_code read_case(struct store *st, const char *name, struct case_info *c,
                       struct at_errors *e)
{
	enum at_code r = store_case_by_name(st, name, c);

	if (r == AT_NOT_FOUND)
		return at_fail(e, AT_NOT_FOUND, "there is no case named '%s'", name);
	return read_done(st, r, e);
}

static int fill_slot(void *ctx, const struct asset *a)
{
	struct case_slots *cs = ctx;
	struct asset *copy;

	if (a->position < 1 || a->position > cs->c.slot_count || cs->slot[a->position - 1])
		return 0; /* cannot happen with the schema's checks; verify reports it */
	copy = malloc(sizeof(*copy));
	if (!copy) {
		cs->oom = 1;
		return 1;
	}
	*copy = *a;
	cs->slot[a->position - 1] = copy;
	return 0;
}

enum at_code read_case_slots(struct store *st, const char *name, struct case_slots *out,
                             struct at_errors *e)
{
	struct asset_filter f;
	enum at_code r;

	memset(out, 0, sizeof(*out));
	if ((r = read_case(st, name, &out->c, e)) != AT_OK)
		return r;
	out->slot = calloc((size_t)(out->c.slot_count > 0 ? out->c.slot_count : 1),
	                   sizeof(*out->slot));
	if (!out->slot)
		return at_fail(e, AT_INTERNAL, "out of memory reading case %s", name);
	memset(&f, 0, sizeof(f));
	f.case_id = out->c.id;
	r = store_asset_list(st, &f, fill_slot, out);
	if (r == AT_OK && out->oom) {
		case_slots_free(out);
		return at_fail(e, AT_INTERNAL, "out of memory reading case %s", name);
	}
	if (r != AT_OK) {
		case_slots_free(out);
		return storage_fail(st, e, r);
	}
	return AT_OK;
}

void case_slots_free(struct case_slots *cs)
{
	if (cs->slot)
		for (int i = 0; i < cs->c.slot_count; i++)
			free(cs->slot[i]);
	free(cs->slot);
	cs->slot = NULL;
}

enum at_code read_holders(struct store *st, int64_t after_id, int limit, holder_cb cb, void *ctx,
                          struct at_errors *e)
{
	return read_done(st, store_holder_list(st, after_id, limit, cb, ctx), e);
}

enum at_code read_holder_search(struct store *st, const char *q, int limit, holder_cb cb,
                                void *ctx, struct at_errors *e)
{
	return read_done(st, store_holder_search(st, q, limit, cb, ctx), e);
}

enum at_code read_holder(struct store *st, int64_t id, struct holder *h, struct at_errors *e)
{
	enum at_code r = store_holder_by_id(st, id, h);

	if (r == AT_NOT_FOUND)
		return at_fail(e, AT_NOT_FOUND, "there is no holder #%lld", (long long)id);
	return read_done(st, r, e);
}

enum at_code read_holder_assets(struct store *st, int64_t id, asset_cb cb, void *ctx,
                                struct at_errors *e)
{
	struct asset_filter f;

	memset(&f, 0, sizeof(f));
	f.holder_id = id;
	return read_done(st, store_asset_list(st, &f, cb, ctx), e);
}

enum at_code read_events(struct store *st, const struct event_filter *f, event_cb cb, void *ctx,
                         struct at_errors *e)
{
	return read_done(st, store_event_list(st, f, cb, ctx), e);
}

enum at_code read_security_log(struct store *st, int limit, security_cb cb, void *ctx,
                               struct at_errors *e)
{
	return read_done(st, store_security_list(st, limit, cb, ctx), e);
}

enum at_code read_users(struct store *st, user_cb cb, void *ctx, struct at_errors *e)
{
	return read_done(st, store_user_list(st, cb, ctx), e);
}

int read_since_bound(const char *in, char out[AT_TIME_LEN + 1], char *why)
{
	if (text_parse_time(in, out, why) < 0)
		return -1;
	/* text_parse_time reads a bare date as its last instant (right for
	 * "as of"); a lower bound starts at the day's first. */
	if (strlen(in) == 10)
		memcpy(out + 11, "00:00:00.000", 12);
	return 0;
}

/* ---- dashboard ------------------------------------------------------ */

static int dash_longest(void *ctx, const struct asset *a)
{
	struct dashboard *d = ctx;

	d->longest[d->nlongest++] = *a;
	return d->nlongest >= DASH_ROWS;
}

static int dash_overdue(void *ctx, const struct asset *a)
{
	struct dashboard *d = ctx;

	d->overdue_rows[d->noverdue_rows++] = *a;
	return d->noverdue_rows >= DASH_ROWS;
}

static int dash_event(void *ctx, const struct event *ev)
{
	struct dashboard *d = ctx;
	struct dash_event *x = &d->recent[d->nrecent++];

	x->seq = ev->seq;
	memcpy(x->at, ev->at, sizeof(x->at));
	snprintf(x->type, sizeof(x->type), "%s", ev->type ? ev->type : "");
	snprintf(x->asset_tag, sizeof(x->asset_tag), "%s", ev->asset_tag ? ev->asset_tag : "");
	snprintf(x->actor, sizeof(x->actor), "%s", ev->actor ? ev->actor : "");
	snprintf(x->batch_id, sizeof(x->batch_id), "%s", ev->batch_id ? ev->batch_id : "");
	return d->nrecent >= DASH_ROWS;
}

enum at_code read_dashboard(struct store *st, struct dashboard *d, struct at_errors *e)
{
	struct asset_filter af;
	struct event_filter ef;
	char today[11];
	enum at_code r;

	memset(d, 0, sizeof(*d));
	/* Storage is the rest (as store_asset_count has it): each index
	 * counted once, where asking per state counted custody's and
	 * retirement's twice (7 ms at a million assets). */
	d->count[ASSET_STORAGE] = store_asset_count(st, 0, ASSET_STORAGE);
	for (int s = 0; s < ASSET_STATE__MAX; s++)
		if (s != ASSET_STORAGE) {
			d->count[s] = store_asset_count(st, 1, (enum asset_state)s);
			if (d->count[s] < 0 || d->count[ASSET_STORAGE] < 0)
				d->count[ASSET_STORAGE] = -1;
			else
				d->count[ASSET_STORAGE] -= d->count[s];
		}
	if ((r = store_asset_out_longest(st, DASH_ROWS, dash_longest, d)) != AT_OK)
		return storage_fail(st, e, r);
	text_today(today);
	memset(&af, 0, sizeof(af));
	af.has_state = 1;
	af.state = ASSET_IN_CUSTODY;
	af.overdue_before = 1;
	af.today = today;
	af.limit = DASH_ROWS;
	if ((r = store_asset_list(st, &af, dash_overdue, d)) != AT_OK)
		return storage_fail(st, e, r);
	d->overdue = store_asset_count_overdue(st, today);
	memset(&ef, 0, sizeof(ef));
	ef.descending = 1;
	ef.limit = DASH_ROWS;
	if ((r = store_event_list(st, &ef, dash_event, d)) != AT_OK)
		return storage_fail(st, e, r);
	return AT_OK;
}
