/*
 * report.h — who holds what: the custody report, now or as of any past
 * instant (answered from the event log by replay).
 */
#ifndef AT_CORE_REPORT_H
#define AT_CORE_REPORT_H

#include "core/types.h"

struct custody_row {
	struct asset asset;          /* holder_name filled in */
	int overdue;                 /* due date before today */
};

typedef int (*custody_row_cb)(void *ctx, const struct custody_row *row);

/* Every asset IN_CUSTODY, ordered by tag.  `as_of` NULL:
 * now; else a canonical time (text_parse_time).  `overdue_only` keeps rows
 * whose due date is before today (or before the as-of date). */
enum at_code report_custody(struct store *st, const char *as_of, int overdue_only,
                            custody_row_cb cb, void *ctx, struct at_errors *e);

/* The same, from the first tag after `after_tag` (NULL: the start): a
 * page of the report is this with a callback that stops when it has
 * enough rows. */
enum at_code report_custody_after(struct store *st, const char *as_of, int overdue_only,
                                  const char *after_tag, custody_row_cb cb, void *ctx,
                                  struct at_errors *e);

#endif
