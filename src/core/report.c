/*
 * report.c — the custody report, now or as of any past instant.
 *
 * Now: the assets table.  As of an instant: the event log alone decides
 * who held what, since when and until when it was due (the last custody
 * event of each asset up to then); the asset's descriptive fields and the
 * holder's name are today's.  That answers "who had AT-0009 on 1 March"
 * from the events index (each asset's latest custody event up to then,
 * read from the index alone, a step of assets at a time) instead of a full
 * replay (14 s at a million events before), and verify still proves log
 * and tables agree.
 */
#include "store/store.h"
#include "core/report.h"

#include <stdio.h>
#include <string.h>

#include "util/text.h"

struct report_ctx {
	custody_row_cb cb;
	void *ctx;
	char today[11];
	int overdue_only;
};

static int on_asset(void *ctx, const struct asset *a)
{
	struct report_ctx *rc = ctx;
	struct custody_row row;

	row.asset = *a;
	row.overdue = a->due[0] && strcmp(a->due, rc->today) < 0;
	if (rc->overdue_only && !row.overdue)
		return 0;
	return rc->cb(rc->ctx, &row);
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

enum at_code report_custody(struct store *st, const char *as_of, int overdue_only,
                            custody_row_cb cb, void *ctx, struct at_errors *e)
{
	return report_custody_after(st, as_of, overdue_only, NULL, cb, ctx, e);
}

enum at_code report_custody_after(struct store *st, const char *as_of, int overdue_only,
                                  const char *after_tag, custody_row_cb cb, void *ctx,
                                  struct at_errors *e)
{
	struct report_ctx rc = { cb, ctx, "", overdue_only };
	struct as_of_ctx x = { &rc, st, AT_OK, 0 };
	struct asset_filter f;
	enum at_code c;

	if (as_of) {
		/* Overdue as it stood then: due before that day. */
		memcpy(rc.today, as_of, 10);
		rc.today[10] = '\0';
		c = as_of_walk(st, as_of, after_tag, &x);
	} else {
		text_today(rc.today);
		memset(&f, 0, sizeof(f));
		f.has_state = 1;
		f.state = ASSET_IN_CUSTODY;
		f.after_tag = after_tag;
		c = store_asset_list(st, &f, on_asset, &rc);
	}
	if (c != AT_OK)
		return at_fail(e, c, "cannot read custody: %s", store_errmsg(st));
	return AT_OK;
}
