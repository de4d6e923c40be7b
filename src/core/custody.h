/*
 * custody.h — Stock-Out and Stock-In, the operator's two batch operations.
 *
 * A batch is all-or-nothing: every item is validated under the write lock,
 * every failing item is reported in e->items with its own code and message,
 * and if any fails nothing changes.  At most AT_MAX_BATCH items.
 */
#ifndef AT_CORE_CUSTODY_H
#define AT_CORE_CUSTODY_H

#include "core/event.h"
#include "core/types.h"

#define AT_MAX_BATCH 1000

/* Outcome of a committed batch: the batch id shared by its events and the
 * assets as they now are (canonical tags), in input order. */
struct custody_result {
	char batch_id[AT_BATCH_ID_LEN + 1];
	struct anchor head;                /* the chain's head after the batch:
	                                    * an anchor worth keeping */
	struct asset *assets;
	size_t n;
};
void custody_result_free(struct custody_result *r);

/* Who receives a Stock-Out: an id (API JSON number) or text (a badge, or
 * from the CLI an id or badge, see holder_resolve). */
struct holder_ref {
	int64_t id;          /* used when text is NULL */
	const char *text;
	int badge_only;      /* text is a badge, never an id (API strings) */
};

/* Issue assets to a holder.  Each asset must be STORAGE and slotted; the
 * holder active; `due` (NULL: none) a date not in the past. */
enum at_code custody_stock_out(struct store *st, const char *actor, struct holder_ref holder,
                               const char *due, const char *const *tags, size_t n,
                               struct custody_result *res, struct at_errors *e);

struct stock_in_item {
	const char *tag;
	const char *case_name;   /* NULL: the slot it left at its last Stock-Out */
	int64_t position;
};

/* Return assets into slots.  Each must be IN_CUSTODY; each destination
 * must exist, be empty and be used once in the batch. */
enum at_code custody_stock_in(struct store *st, const char *actor,
                              const struct stock_in_item *items, size_t n,
                              struct custody_result *res, struct at_errors *e);

#endif
