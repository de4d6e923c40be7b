/*
 * event.h — the append-only, hash-chained event log.
 *
 * Every operation opens an event writer inside its transaction; the writer
 * fixes the operation's timestamp, actor and batch id, and appends events
 * with consecutive seq numbers, each hash-chained to the one before:
 *
 *   hash = SHA-256( prev_hash_hex || canonical(event) )
 *
 * canonical(event) is a byte string of the fields in a fixed order, each as
 * 'n' (null) or 's' + text, or 'i' + decimal, terminated by 0x1e.  Text
 * fields cannot contain 0x1e (control characters are refused at the
 * boundary and details is compact JSON), so the encoding is unambiguous.
 * It is deliberately not JSON: it never changes with a JSON library's
 * formatting, and hashing it is cheap on 500-asset batches.
 */
#ifndef AT_CORE_EVENT_H
#define AT_CORE_EVENT_H

#include <jansson.h>

#include "core/types.h"

#define AT_BATCH_ID_LEN 36

struct event_writer {
	struct store *st;
	const char *actor;
	char at[AT_TIME_LEN + 1];
	char batch_id[AT_BATCH_ID_LEN + 1];
	int64_t seq;                       /* last written */
	char hash[AT_HASH_HEX + 1];        /* of the last written */
	size_t written;
	/* A dry run's events are always rolled back and never seen: they
	 * chain with a placeholder hash (64 zeros) instead of SHA-256, which
	 * was an eighth of a 100,000-row import preview.  Nothing a dry run
	 * reports depends on a hash. */
	int dry_run;
	struct event_pending *bulk;        /* NULL unless event_writer_bulk() */
	/* The import job open when the writer began (job 0: none), whose
	 * gate the writer's events pass unless it is the job's own. */
	struct job_gate gate;
	int64_t own_job;
};

/*
 * Start writing events for one operation; call inside the transaction.
 *
 * While an import job is open (core/import.c applies it in slices, each
 * its own transaction), another writer may append only what cannot change
 * the job's outcome: STOCK_OUT, FORCE_VACATE, AUDIT_RECORDED, and STOCK_IN
 * to a slot the job does not fill.  Anything else is refused, AT_CONFLICT
 * (409) "an import is being applied".  The job is read here, inside the
 * write transaction (SQLite's write lock, PostgreSQL's head row lock), so
 * no job can open between this read and the commit.
 */
enum at_code event_writer_begin(struct event_writer *w, struct store *st, const char *actor,
                                struct at_errors *e);

/*
 * Bulk mode, for a writer of thousands of events in one transaction (the
 * import): appended events are kept and inserted store_event_bulk() at
 * a time, which halves what the schema's per-statement checks cost.  Until
 * event_writer_flush() the log in the database lags behind the writer, so
 * a bulk writer must not read events, and must flush before it commits;
 * an insert that fails is reported by the append that flushes, or by the
 * flush.  event_writer_release() frees what bulk mode holds (flushed or
 * not: after a rollback nothing is left to write).
 */
enum at_code event_writer_bulk(struct event_writer *w, struct at_errors *e);
enum at_code event_writer_flush(struct event_writer *w, struct at_errors *e);
void event_writer_release(struct event_writer *w);

/* Go on writing after a commit, in a new transaction (an import's next
 * slice): the same batch id and actor; the log's head read again, and the
 * time moved on as far as the log's last event. */
enum at_code event_writer_continue(struct event_writer *w, struct at_errors *e);

/* Append `ev` (type, asset_tag, from/to, holder_id, reason; seq, at, actor,
 * batch_id, hashes are filled in).  `details` may be NULL for {}; it is
 * serialised canonically (sorted keys, compact) and not stolen. */
enum at_code event_append(struct event_writer *w, struct event *ev, json_t *details,
                          struct at_errors *e);

/* The same with the details already written as canonical JSON text
 * (core/jsonw.h), for writers that build it without jansson. */
enum at_code event_append_text(struct event_writer *w, struct event *ev, const char *details,
                               struct at_errors *e);

/* Compute the chain hash of `ev` given ev->prev_hash. */
void event_compute_hash(const struct event *ev, char out[AT_HASH_HEX + 1]);

/* Parse "SEQ:HASH" (seq >= 1, 64 hex digits, either case); -1 with `why`
 * (AT_WHY_MAX) if it is not one. */
int anchor_parse(const char *text, struct anchor *a, char *why);
/* "SEQ:HASH" into `out` (AT_ANCHOR_MAX). */
void anchor_format(const struct anchor *a, char *out);

/* A fresh random UUIDv4 (libsodium randombytes). */
void event_new_uuid(char out[AT_BATCH_ID_LEN + 1]);

/* Canonical JSON text of a details object; caller frees. */
char *event_details_text(json_t *details);

#endif
