/*
 * report.h — the reports (SPEC §8; issue #12): custody now or as of any
 * past instant, unslotted storage assets, occupancy by case, a holder's
 * history, and retired assets by reason.
 *
 * Every report is read in its own order from a cursor: each row carries
 * `cursor`, text made here, and passing the last row's cursor back as
 * `after` continues with the rows after it (NULL or "": from the first).
 * So a page of 50 rows, the API's pages, the CLI's whole listing and a
 * CSV download of 30,000 rows read the same rows the same way, from an
 * index, without holding anything per row.  A cursor that is not one is
 * AT_INVALID.  `cb` is called once per row until the end or until it
 * returns non-zero (a page that has its rows stops there).
 *
 * For a report made of several reads (rows, then totals) open a snapshot
 * first (db_read_begin, core/db.h), as for any read.
 */
#ifndef AT_CORE_REPORT_H
#define AT_CORE_REPORT_H

#include <jansson.h>

#include "core/types.h"
#include "util/buf.h"

/* Room for any report's cursor and its NUL. */
#define REPORT_CURSOR_MAX 128

/* ==== custody ========================================================= */

struct custody_row {
	struct asset asset;          /* holder_name filled in */
	int overdue;                 /* due date before today (or the as-of day) */
	char cursor[REPORT_CURSOR_MAX];
};

typedef int (*custody_row_cb)(void *ctx, const struct custody_row *row);

/*
 * Every asset in custody.  `as_of` NULL: now, overdue rows first, then the
 * others, each section by holder name, holder, since and tag.  Else a
 * canonical time (text_parse_time): who held what then, from the event
 * log, in tag order (putting overdue rows first would mean reading every
 * asset's history before the first row); the descriptive fields and the
 * holder's name are today's.  `overdue_only` keeps the rows whose due date
 * is before today (before the as-of day).
 */
enum at_code report_custody(struct store *st, const char *as_of, int overdue_only,
                            custody_row_cb cb, void *ctx, struct at_errors *e);
/* The same, after the row whose cursor is `after`. */
enum at_code report_custody_from(struct store *st, const char *as_of, int overdue_only,
                                 const char *after, custody_row_cb cb, void *ctx,
                                 struct at_errors *e);

/* ==== unslotted storage assets ======================================== */

struct unslotted_row {
	struct asset asset;
	int64_t seq;                       /* the event that left it unslotted; 0: none */
	char since[AT_TIME_LEN + 1];       /* that event's time, "" */
	char type[24];                     /* its type, "" */
	const char *how;                   /* the same in words ("force-vacated"), "" */
	char reason[AT_REASON_MAX + 1];    /* its reason, "" */
	char cursor[REPORT_CURSOR_MAX];
};
typedef int (*unslotted_row_cb)(void *ctx, const struct unslotted_row *row);

/* Assets in STORAGE and in no slot, by tag. */
enum at_code report_unslotted(struct store *st, const char *after, unslotted_row_cb cb,
                              void *ctx, struct at_errors *e);
/* How many there are; -1 on a storage error. */
int64_t report_unslotted_count(struct store *st);

/* ==== occupancy by case =============================================== */

struct occupancy_row {
	struct case_info c;                /* slot_count, occupied, building, room */
	int empty;
	int percent;                       /* occupied slots, rounded down: 100 only when full */
	char cursor[REPORT_CURSOR_MAX];
};
typedef int (*occupancy_row_cb)(void *ctx, const struct occupancy_row *row);

/* Every case by name with how full it is. */
enum at_code report_occupancy(struct store *st, const char *after, occupancy_row_cb cb,
                              void *ctx, struct at_errors *e);

struct occupancy_totals {
	int64_t cases, slots, occupied, empty;
	int percent;
};
enum at_code report_occupancy_totals(struct store *st, struct occupancy_totals *t,
                                     struct at_errors *e);

/* ==== a holder's history ============================================== */

/* One custody period: from a Stock-Out (or a replacement device handed
 * over) to the Stock-In (or the replacement) that ended it. */
struct holding_row {
	char tag[AT_TAG_MAX + 1];
	char equipment_type[AT_FIELD_MAX + 1];  /* the asset's, today */
	char model[AT_FIELD_MAX + 1];
	int64_t seq;                       /* the start event */
	char start_type[24];               /* STOCK_OUT or ASSET_REPLACED */
	char since[AT_TIME_LEN + 1];       /* custody began */
	char due[11];                      /* "" none */
	char from_case[AT_NAME_MAX + 1];   /* the slot it left, "" none */
	int from_position;
	int64_t end_seq;                   /* 0: still held */
	char end_type[24];                 /* STOCK_IN or ASSET_REPLACED, "" */
	char back_at[AT_TIME_LEN + 1];     /* "" while held */
	char to_case[AT_NAME_MAX + 1];     /* where it went back to, "" */
	int to_position;
	int64_t seconds;                   /* held: until back_at, or until now */
	int late;                          /* back on a day after its due date, or
	                                    * still held and overdue */
	char cursor[REPORT_CURSOR_MAX];
};
typedef int (*holding_row_cb)(void *ctx, const struct holding_row *row);

/* Everything holder `holder_id` ever held, newest custody first;
 * AT_NOT_FOUND when there is no such holder. */
enum at_code report_holder_history(struct store *st, int64_t holder_id, const char *after,
                                   holding_row_cb cb, void *ctx, struct at_errors *e);

struct holder_totals {
	int64_t periods;                   /* custody periods ever */
	int64_t held;                      /* of them, going on now */
	int64_t late;                      /* returned after the due date */
	int64_t overdue;                   /* held now past the due date */
};
enum at_code report_holder_totals(struct store *st, int64_t holder_id, struct holder_totals *t,
                                  struct at_errors *e);

/* ==== retired assets by reason ======================================== */

struct retired_row {
	struct asset asset;
	int64_t seq;                       /* its ASSET_RETIRED event */
	char at[AT_TIME_LEN + 1];
	char actor[AT_PERSON_MAX + 1];
	char reason[AT_REASON_MAX + 1];
	char cursor[REPORT_CURSOR_MAX];
};
typedef int (*retired_row_cb)(void *ctx, const struct retired_row *row);

/* Retired assets by reason, then tag; `reason` (not NULL) keeps those
 * retired for exactly that reason. */
enum at_code report_retired(struct store *st, const char *reason, const char *after,
                            retired_row_cb cb, void *ctx, struct at_errors *e);
/* The reasons with their counts, most first, at most `limit` (0: all). */
typedef int (*retired_reason_cb)(void *ctx, const char *reason, int64_t count);
enum at_code report_retired_reasons(struct store *st, int limit, retired_reason_cb cb,
                                    void *ctx, struct at_errors *e);
struct retired_totals {
	int64_t assets, reasons;
};
enum at_code report_retired_totals(struct store *st, struct retired_totals *t,
                                   struct at_errors *e);

/* ==== words, JSON and CSV (report_out.c) ============================== */

/* A duration as people read it: "3 d 4 h", "5 h 20 min", "12 min",
 * "under a minute". */
void report_duration(int64_t seconds, char *out, size_t cap);

/* Each row as JSON (a new reference; NULL when out of memory). */
json_t *custody_row_json(const struct custody_row *r);
/* The same custody row appended to `b` as text, the bytes json_dumps()
 * of custody_row_json() writes with JSON_COMPACT (core/jsonw.h), for the
 * whole report: a fifth of the instructions.  0, or -1 when out of memory
 * or past the buffer's cap. */
int custody_row_text(struct buf *b, const struct custody_row *r);
json_t *unslotted_row_json(const struct unslotted_row *r);
json_t *occupancy_row_json(const struct occupancy_row *r);
json_t *holding_row_json(const struct holding_row *r);
json_t *retired_row_json(const struct retired_row *r);

/*
 * CSV, the same for the CLI and a download: a header line, then a line
 * per row, "\n"-terminated.  Fields are quoted when they must be; a free
 * text field (a name, a reason) that a spreadsheet would run as a formula
 * (starting with = + - @) gets a leading apostrophe.
 */
enum report_kind {
	REPORT_CUSTODY, REPORT_UNSLOTTED, REPORT_OCCUPANCY, REPORT_HOLDINGS, REPORT_RETIRED,
};
/* What one CSV (or one page of rows) is of. */
struct report_query {
	enum report_kind kind;
	const char *as_of;                 /* custody: canonical time, NULL now */
	int overdue_only;                  /* custody */
	int64_t holder_id;                 /* holdings */
	const char *reason;                /* retired: NULL all */
};
/* Append the header line of `kind`. */
int report_csv_header(enum report_kind kind, struct buf *b);
/*
 * Append the CSV lines of at most `max_rows` rows after the cursor in
 * `cursor` ("" from the first), and leave the last one's cursor there;
 * `*end` becomes 1 when the report has no more rows.  A download is this
 * called until the end, one chunk at a time, inside one snapshot.
 */
enum at_code report_csv_chunk(struct store *st, const struct report_query *q,
                              char cursor[REPORT_CURSOR_MAX], int max_rows, struct buf *b,
                              int *end, struct at_errors *e);
/* A file name for the download of `q`: "custody-2026-12-01.csv",
 * "holder-12-history-2026-12-01.csv" (today's date, or the as-of one). */
void report_csv_filename(const struct report_query *q, char *out, size_t cap);

#endif
