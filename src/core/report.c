/*
 * report.c — the custody report, live or replayed to a past instant.
 */
#include "core/report.h"

#include <string.h>

#include "core/verify.h"
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

enum at_code report_custody(struct store *st, const char *as_of, int overdue_only,
                            custody_row_cb cb, void *ctx, struct at_errors *e)
{
	struct report_ctx rc = { cb, ctx, "", overdue_only };
	struct asset_filter f;
	struct store *src = st, *scratch = NULL;
	enum at_code c;

	memset(&f, 0, sizeof(f));
	f.has_state = 1;
	f.state = ASSET_IN_CUSTODY;
	if (as_of) {
		/* The past is answered from the log alone: replay up to then. */
		c = replay_until(st, as_of, &scratch, NULL, NULL, NULL, e);
		if (c != AT_OK)
			return c;
		src = scratch;
		memcpy(rc.today, as_of, 10);
		rc.today[10] = '\0';
	} else {
		text_today(rc.today);
	}
	c = store_asset_list(src, &f, on_asset, &rc);
	if (c != AT_OK)
		c = at_fail(e, c, "cannot read custody: %s", store_errmsg(src));
	store_close(scratch);
	return c;
}
