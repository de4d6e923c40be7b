/*
 * copy.h — a whole database into another, either engine into either:
 * `assettrack copy --from SRC --to DST`, and `backup FILE` on PostgreSQL
 * (a verified SQLite file).
 *
 * The source is read in one snapshot; the destination, which must hold
 * no row, is written in one transaction, its triggers checking every row
 * as it goes in (each event's link to the one before).  Once committed
 * the copy is proved, not assumed:
 *   - a full verify of the destination (invariants, every hash
 *     recomputed, the log replayed and compared with the state);
 *   - the destination's head (seq and hash) is the source's, so every
 *     event is the same, byte for byte (each hash covers its event and
 *     the hash before);
 *   - the destination's state digest (checkpoint.h) is the source's.
 * Together these say the source verifies too: its events are the ones
 * just replayed, its state is the one they replay to.
 */
#ifndef AT_CORE_COPY_H
#define AT_CORE_COPY_H

#include "core/types.h"
#include "core/verify.h"

struct copy_result {
	struct anchor head;                  /* both ends' head */
	char state[AT_HASH_HEX + 1];         /* both ends' state digest */
	int64_t events, assets;              /* in the copy */
};

/*
 * Copy `src` into `dst` (open, at this program's schema, every table
 * empty: AT_CONFLICT otherwise), then prove it (above).  With `source`
 * (the source as it may be shown) the copy's security log records
 * DATABASE_COPIED by `actor`.  `progress` (may be NULL): phase
 * "copying TABLE" with rows, then verify_run's phases.  A copy that does
 * not verify is AT_INVALID with one item per problem; one whose head or
 * digest differs from the source's is AT_INTERNAL.  Either way the rows
 * stay in `dst`: the caller decides what becomes of it.
 */
enum at_code copy_database(struct store *src, struct store *dst, const char *source,
                           const char *actor, struct copy_result *res,
                           verify_progress_cb progress, void *pctx, struct at_errors *e);

/*
 * `backup FILE` of a PostgreSQL database: a new SQLite database at `path`
 * (which must not exist: AT_CONFLICT) made by copy_database().  On any
 * failure the file is removed.
 */
enum at_code copy_to_new_file(struct store *src, const char *path, struct copy_result *res,
                              verify_progress_cb progress, void *pctx, struct at_errors *e);

#endif
