/*
 * import.h — migration of assets from CSV, all or nothing, losing nothing.
 *
 * The header row says what each column is.  Names are compared without
 * letter case, column order is free, and these layouts are recognised:
 *   - AssetTrack's own `export assets` ("asset_tag", ..., "state",
 *     "holder_name", "holder_badge", "holder_email", "custody_since",
 *     "due", "case", "position", and "attr:NAME" for each attribute);
 *   - Snipe-IT's asset export (custom report) and import layouts ("Asset
 *     Tag", "Serial", "Model", "Model No.", "Category", "Location",
 *     "Status", "Checked Out To", "Type", "Username", "Employee No.",
 *     "Checkout Date", "Expected Checkin Date", ...);
 *   - HomeBox's CSV export ("HB.asset_id", "HB.serial_number",
 *     "HB.location", "HB.labels", "HB.archived", ...);
 *   - Shelf.nu's asset export ("QR ID", "Name", "Category", "Location",
 *     "Custody", "Status", custom fields by their names);
 * and any other file works with `maps` ("COLUMN=DESTINATION").
 *
 * Destinations: an asset field (asset_tag, serial_number, manufacturer,
 * equipment_type, model, model_code, building, room, notes, condition);
 * "location" (split into building and room: "X, Room Y" and "X / Y",
 * else the whole value is the building and the room is `default_room`);
 * case and position (a slot); "state" (STORAGE, IN_CUSTODY, RETIRED) or
 * "status" (a label, through the status mapping); "archived" (true
 * retires); the holder (holder.name, holder.badge, holder.username,
 * holder.email); the custody (custody.type: user, location or asset;
 * custody.checked_out: yes/no; custody.since; custody.due); "attr:NAME";
 * or "ignore".  Every other column is kept as an attribute named after
 * it (core/attr.h), and the report's mapping table says where each went.
 *
 * Custody comes across: a row checked out to a person is created
 * IN_CUSTODY of that holder, found by badge (Employee No.), then by
 * username (a badge or e-mail address) or e-mail, then by name, or else
 * created (HOLDER_CREATED) and listed.  Since is the checkout date, due
 * the expected check-in date.  Its events are ASSET_CREATED then
 * STOCK_OUT, both with the source row ("import_row") in their details and
 * the STOCK_OUT with "since".  A checkout to a location or another asset
 * is kept as an attribute and listed.  A status that means retired
 * (Archived, Lost, Stolen ...) creates the asset and retires it with the
 * status as the reason (ASSET_RETIRED).
 *
 * Every row is checked and every refused row reported ("row 17: ...",
 * the first 500); then, if any was refused, nothing at all is imported.
 * Otherwise everything is one transaction and one batch.  A dry run does
 * the same work, on a scratch that reads the database through, and throws
 * it away, so it reports exactly what a real run would and holds no write
 * lock (import_options).  The input is read in chunks and rows are handled
 * as they come: memory holds one row, the report's bounded lists and one
 * entry per distinct holder, whatever the file's size.
 */
#ifndef AT_CORE_IMPORT_H
#define AT_CORE_IMPORT_H

#include <jansson.h>
#include <stddef.h>

#include "core/event.h"
#include "core/types.h"

#define AT_IMPORT_MAX_ROWS 200000
#define AT_IMPORT_MAX_COLS 256
#define AT_IMPORT_MAX_REFUSED 500    /* refused rows reported in detail */
#define AT_IMPORT_EXAMPLES 3         /* example rows per outcome */
#define AT_IMPORT_LIST_MAX 100       /* new holders, kept checkouts listed */
#define AT_IMPORT_STATUS_MAX 64      /* distinct status values counted */

/* Text encodings of the input.  UTF-8 (an optional BOM is dropped) is
 * the default; a file that is not UTF-8 is refused row by row with a hint
 * that it looks like Latin-1.  LATIN1 reads ISO-8859-1 with Windows-1252's
 * characters in 0x80-0x9F (what spreadsheets save as "Latin-1"). */
enum import_encoding { IMPORT_UTF8, IMPORT_LATIN1 };

/* Progress: rows handled so far and input bytes read of `total` (0 when
 * unknown); called every few thousand rows and at the end. */
typedef void (*import_progress_cb)(void *ctx, size_t rows, size_t bytes, size_t total);

struct import_options {
	/* A dry run checks the file on a private scratch that reads the
	 * database through (store_overlay): it takes no write lock, so
	 * writers are not held while it runs, and it reports what a real run
	 * would at the moment it started.  `dry_run_in_place` does the work
	 * in the database itself and rolls it back, as before (the tests
	 * compare the two). */
	int dry_run;
	int dry_run_in_place;
	const char *const *maps;             /* "COLUMN=DESTINATION" */
	size_t nmaps;
	const char *const *statuses;         /* "NAME=STATE[:CONDITION]" */
	size_t nstatuses;
	const char *default_room;            /* NULL: "unassigned" */
	enum import_encoding encoding;
	import_progress_cb progress;         /* may be NULL */
	void *pctx;
	size_t total_bytes;                  /* for progress; 0 unknown */
	/* Each slot a row names, as it is read (may be NULL): the check of
	 * an import job collects the slots the job will fill. */
	void (*slot_seen)(void *ctx, const char *case_name, int64_t position);
	void *sctx;
	/* A commit of a file larger than this many bytes (0:
	 * IMPORT_SLICES_OVER) is a job applied in slices (import_job.c); a
	 * smaller one is one transaction. */
	size_t slices_over;
};

/* About 230 rows of a Snipe-IT export: one transaction of them holds
 * other writers about as long as two slices do (bench/README.md). */
#define IMPORT_SLICES_OVER (64 * 1024)

/* Fill `buf` with up to `cap` bytes of the CSV; the count, 0 at the end,
 * or -1 when it cannot be read (then the import fails). */
typedef long (*import_read_fn)(void *ctx, char *buf, size_t cap);

enum import_outcome { IMPORT_STORAGE, IMPORT_CUSTODY, IMPORT_RETIRED, IMPORT_REFUSED,
	              IMPORT_OUTCOME__MAX };

/* Where one source column goes. */
struct import_column {
	char name[AT_ATTR_NAME_MAX * 2 + 1]; /* as in the header (cut if longer) */
	char to[AT_ATTR_NAME_MAX + 16];      /* "asset_tag", "holder.badge", "attr:Company" */
	char note[160];                      /* how, in words ("" none) */
};

/* One status value seen, how many rows had it and what it became. */
struct import_status {
	char name[AT_ATTR_NAME_MAX + 1];
	size_t rows;
	char to[96];
};

struct import_example {
	size_t row;
	char tag[AT_TAG_MAX + 1];
	char text[AT_MSG_MAX];
};

struct import_new_holder {
	size_t row;                          /* first row naming them */
	char name[AT_PERSON_MAX + 1];
	char badge[AT_PERSON_MAX + 1];
	char email[AT_PERSON_MAX + 1];
};

struct import_new_case {
	size_t row;                          /* first row naming it */
	char name[AT_NAME_MAX + 1];
	int slots;                           /* when created */
};

/* A checkout to a location or asset, kept as an attribute. */
struct import_kept {
	size_t row;
	char tag[AT_TAG_MAX + 1];
	char type[16];                       /* "location", "asset" */
	char to[AT_ATTR_VALUE_MAX + 1];
};

/*
 * What an import did, or would do: filled as far as it got, on success
 * and on refusal alike (the refused rows' reasons are the items of the
 * call's at_errors).  Release with import_report_free().
 */
struct import_report {
	int dry_run;
	char format[16];                     /* assettrack, snipe-it, homebox, shelf, csv */
	char batch_id[AT_BATCH_ID_LEN + 1];  /* "" unless committed */
	char encoding[16];                   /* "utf-8", "latin1" */
	char delimiter;                      /* ',', ';' or '\t' */
	size_t rows;                         /* data rows read */
	size_t created;                      /* assets created (or that would be) */
	size_t count[IMPORT_OUTCOME__MAX];
	size_t holders;                      /* distinct holders given custody */
	size_t holders_new;                  /* of them, created by this import */
	size_t kept_checkouts;               /* checkouts to a location or asset */
	struct import_column *cols;
	size_t ncols;
	struct import_status statuses[AT_IMPORT_STATUS_MAX];
	size_t nstatuses, statuses_other;    /* rows with a status beyond the table */
	struct import_example examples[IMPORT_OUTCOME__MAX][AT_IMPORT_EXAMPLES];
	size_t nexamples[IMPORT_OUTCOME__MAX];
	struct import_new_holder *new_holders;
	size_t nnew_holders;                 /* listed (at most AT_IMPORT_LIST_MAX) */
	size_t cases_new;                    /* cases created by this import */
	struct import_new_case *new_cases;
	size_t nnew_cases;                   /* listed (at most AT_IMPORT_LIST_MAX) */
	struct import_kept *kept;
	size_t nkept;                        /* listed */
	double seconds;
};

void import_report_free(struct import_report *r);

/* A job whose heartbeat is this old (seconds) is one nobody runs: a
 * crash left it, and import_recover() finishes it. */
#define IMPORT_STALE_S 60

/*
 * Finish an import a crash left half applied (core/import_job.c): the
 * open job, if its heartbeat is at least `stale_seconds` old, is rolled
 * forward from its kept file (or cancelled, if it was still being
 * checked: nothing of it was applied).  AT_OK when no job is open or it
 * was finished, with what the roll forward applied in `rep` (may be
 * NULL); AT_CONFLICT when a job is open and alive.
 */
enum at_code import_recover(struct store *st, int stale_seconds, struct import_report *rep,
                            struct at_errors *e);

/*
 * Import the CSV that `rd` reads, as `actor`, with options `o` (NULL:
 * the defaults).  `rep` (not NULL) gets the report.  Refusals: AT_INVALID
 * (options, header, or rows: one item per refused row's problem, input
 * "row N"), AT_DUPLICATE and other row conflicts, AT_MALFORMED (not CSV),
 * AT_TOO_LARGE (rows, columns, a row's size); storage errors as usual.
 */
enum at_code import_run(struct store *st, const char *actor, const struct import_options *o,
                        import_read_fn rd, void *rctx, struct import_report *rep,
                        struct at_errors *e);

/* The same over `len` bytes in memory (the API's body). */
enum at_code import_buffer(struct store *st, const char *actor, const struct import_options *o,
                           const char *csv, size_t len, struct import_report *rep,
                           struct at_errors *e);

/*
 * The report as JSON: {"dry_run", "format", "rows", "created", "batch_id",
 * "encoding", "columns": [{"column", "to", "note"}], "outcomes":
 * {"storage", "custody", "retired", "refused"}, "holders": {"total",
 * "new", "new_listed": [...]}, "statuses": [...], "checkouts_kept":
 * {"count", "listed": [...]}, "examples": {outcome: [{"row", "asset_tag",
 * "text"}]}, "refused": [{"row", "code", "message"}], "seconds"}.
 * `e` (may be NULL) supplies the refused rows.  NULL when out of memory.
 */
json_t *import_report_json(const struct import_report *r, const struct at_errors *e);

/* The result of the simple form below. */
struct import_result {
	char format[16];              /* as the report's */
	size_t rows;                  /* data rows read */
	size_t created;               /* assets created (or that would be) */
	int dry_run;
	char batch_id[AT_BATCH_ID_LEN + 1];
};

/* import_buffer() with the default options and only the counts. */
enum at_code import_assets(struct store *st, const char *actor, const char *csv, size_t len,
                           int dry_run, struct import_result *res, struct at_errors *e);

#endif
