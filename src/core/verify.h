/*
 * verify.h — proof that the current state is exactly what the log says.
 *
 * verify_run() checks (1) every invariant of SPEC §3 with SQL that does not
 * trust the schema, (2) the hash chain: seq 1..N without gaps, each
 * prev_hash the previous hash, each hash recomputed, and (3) replays the
 * whole event log into a scratch in-memory database and compares its
 * assets, slots, cases and holders field by field with the live ones.
 *
 * replay_until() is the same replay stopped at an instant: the whole state
 * (assets, cases, holders) as the log says it was then.
 */
#ifndef AT_CORE_VERIFY_H
#define AT_CORE_VERIFY_H

#include "core/types.h"

struct verify_problem {
	char code[48];
	char message[AT_MSG_MAX];
};

struct verify_report {
	int ok;
	int64_t events;              /* events checked */
	int64_t assets;              /* live assets compared */
	struct verify_problem *problems;
	size_t nproblems, cap;
	size_t dropped;              /* problems beyond the report cap */
	int64_t from_seq;            /* replay began after this checkpoint (0: whole log) */
	size_t checkpoints;          /* signed checkpoints checked */
	char note[AT_MSG_MAX];       /* how the run went, when not the plain way */
};

void verify_report_free(struct verify_report *r);
/* Add a problem (and clear r->ok); the report keeps the first 1,000. */
void verify_add_problem(struct verify_report *r, const char *code, const char *message);

/* Progress callback for long runs (may be NULL): phase and counts. */
typedef void (*verify_progress_cb)(void *ctx, const char *phase, int64_t done, int64_t total);

/* AT_OK if the check ran (see r->ok for the verdict); AT_STORAGE if the
 * database could not be read. */
enum at_code verify_run(struct store *st, struct verify_report *r, verify_progress_cb progress,
                        void *pctx, struct at_errors *e);

struct checkpoint_paths;

/* What verify_run_ex() checks beyond verify_run(). */
struct verify_opts {
	/* Check every signed checkpoint in this file (core/checkpoint.h):
	 * its signature, its head against the log, and (for each one the
	 * replay passes) the replayed state's digest. */
	const struct checkpoint_paths *checkpoints;
	/* Replay only the events after the newest checkpoint, from the state
	 * saved with it (whose digest must match the signed line); the whole
	 * log when there is none or the state does not match (r->note says). */
	int since_checkpoint;
	/* The replay's scratch database with a 64 MiB page cache instead of
	 * 2 MiB (STORE_SCRATCH_LARGE): for the command line, not the server. */
	int large_cache;
	/* If set: the replayed state is handed back (caller closes), and the
	 * head the replay reached. */
	struct store **scratch;
	struct anchor *head;
};

enum at_code verify_run_ex(struct store *st, const struct verify_opts *o,
                           struct verify_report *r, verify_progress_cb progress, void *pctx,
                           struct at_errors *e);

/* Replay events with at <= `until` (NULL: all) into a fresh scratch store
 * returned in `*out` (caller closes).  Problems applying events are added
 * to `r` if non-NULL. */
enum at_code replay_until(struct store *st, const char *until, struct store **out,
                          struct verify_report *r, verify_progress_cb progress, void *pctx,
                          struct at_errors *e);

/* The chain's head now (seq 0 and 64 zeros for an empty log). */
enum at_code verify_head(struct store *st, struct anchor *out, struct at_errors *e);

/* Check each anchor against the log, adding to `r` (and clearing r->ok)
 * ANCHOR_BEYOND_CHAIN when the log is shorter than its seq, and
 * ANCHOR_MISMATCH when another hash stands at its seq. */
enum at_code verify_anchors(struct store *st, const struct anchor *anchors, size_t n,
                            struct verify_report *r, struct at_errors *e);

#endif
