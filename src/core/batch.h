/*
 * batch.h — one batch read back from the event log: the events one
 * operation wrote under one batch id (a Stock-Out, a Stock-In, a
 * correction, an import), who wrote them and when, whom they name, the due
 * date of a Stock-Out, and the chain head after the batch.  This is the
 * data of a custody receipt (SPEC §7 GET /api/v1/batches/{id}, §8
 * /receipts/{id}); the CLI, the API and the page read it from here.
 *
 * A batch is written by one event writer inside one transaction
 * (core/event.h), so its events share `at`, `actor` and batch id and have
 * consecutive seqs: the first and last event (two probes of the
 * events_batch index) give the count and the head without reading what
 * lies between.  An import is one batch of up to 100,000 events, so the
 * lines are read a page at a time (limit, after_seq), never whole.
 *
 * Read inside one snapshot (db_read_begin, core/db.h): read_batch makes
 * several queries.
 */
#ifndef AT_CORE_BATCH_H
#define AT_CORE_BATCH_H

#include "core/event.h"
#include "core/types.h"

/* Most lines one read_batch returns: a whole Stock-Out or Stock-In
 * (AT_MAX_BATCH, core/custody.h) fits in one page. */
#define BATCH_PAGE_MAX 1000

/*
 * One event of the batch as the log has it, plus the asset it names with
 * its description as now, not as it was then (serial, manufacturer, type
 * and model may have been corrected since; the event log keeps what they
 * were).  Empty text
 * means none: a tag, case, holder name or model the event does not have.
 */
struct batch_line {
	int64_t seq;
	char at[AT_TIME_LEN + 1];
	char type[32];
	char tag[AT_TAG_MAX + 1];              /* "": the event names no asset */
	char from_case[AT_NAME_MAX + 1];
	int from_position;
	char to_case[AT_NAME_MAX + 1];
	int to_position;
	int64_t holder_id;                     /* 0: none */
	char holder_name[AT_PERSON_MAX + 1];   /* as now (a join) */
	char actor[AT_PERSON_MAX + 1];
	char *reason;                          /* owned; NULL: none */
	char *details;                         /* owned; canonical JSON text */
	char prev_hash[AT_HASH_HEX + 1];
	char hash[AT_HASH_HEX + 1];
	/* The asset, described as now; `described` 0 when the event names
	 * none (or, in a damaged database, one that is gone). */
	int described;
	char serial[AT_FIELD_MAX + 1];
	char manufacturer[AT_FIELD_MAX + 1];
	char equipment_type[AT_FIELD_MAX + 1];
	char model[AT_FIELD_MAX + 1];
};

/* What kind of record the batch makes: a custody receipt, or a plain
 * record of events. */
enum batch_kind { BATCH_STOCK_OUT, BATCH_STOCK_IN, BATCH_OTHER };

struct batch {
	char batch_id[AT_BATCH_ID_LEN + 1];    /* canonical: lower-case */
	/* The first event's type: the operation's own kind.  Most operations
	 * write one type; some write two (create with a slot: ASSET_CREATED
	 * then SLOT_ASSIGN) and each line keeps its own. */
	char type[32];
	enum batch_kind kind;                  /* custody only when every
	                                        * event is STOCK_OUT (or IN) */
	char at[AT_TIME_LEN + 1];
	char actor[AT_PERSON_MAX + 1];
	/*
	 * The holder the batch's events name: the first event's, read whole
	 * (badge as now).  has_holder 0 when it names none, or when events of
	 * the batch name different holders (a Stock-In from several people):
	 * then holders_vary is 1 and each line says its own.  Batches longer
	 * than BATCH_PAGE_MAX (imports) are not walked for that: the first
	 * event decides.
	 */
	int has_holder;
	struct holder holder;
	int holders_vary;
	char due[11];                          /* Stock-Out's due date; "" none */
	int64_t count;                         /* events in the whole batch */
	int64_t first_seq;
	struct anchor head;                    /* the last event: seq and hash */
	/* The page: events with seq > after_seq, at most `limit`, oldest
	 * first; next_after is the cursor of the next page (0: no more). */
	struct batch_line *lines;
	size_t n;
	int64_t next_after;
};

/*
 * Read batch `batch_id` (36 characters of UUID, either case) and one page
 * of its lines: at most `limit` (1..BATCH_PAGE_MAX) events after seq
 * `after_seq` (0: from the first).  AT_NOT_FOUND, saying so, when no
 * event has that id — and also when the text is not a batch id at all (a
 * name that cannot exist names nothing, as an unknown tag does);
 * AT_INVALID for a limit out of range.  On success free `out` with
 * batch_free; on failure there is nothing to free.
 */
enum at_code read_batch(struct store *st, const char *batch_id, int limit, int64_t after_seq,
                        struct batch *out, struct at_errors *e);
void batch_free(struct batch *b);

/* `l` as an event record (for event_to_json, core/encode.h): its text
 * points into `l` and `b`, which must outlive `ev`. */
void batch_line_event(const struct batch *b, const struct batch_line *l, struct event *ev);

/* Is `text` a batch id (8-4-4-4-12 hex digits, either case)?  Its
 * canonical lower-case form into `out` (AT_BATCH_ID_LEN + 1) if so. */
int batch_id_parse(const char *text, char *out);

#endif
