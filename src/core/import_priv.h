/*
 * import_priv.h — what the import's modules share (core/import.h is the
 * interface): the layout of a file (where each column goes), the status
 * mapping, and the small parsers of locations and dates.
 *
 * import_map.c reads the header and the options into a layout;
 * import.c reads the rows through it and writes the assets;
 * import_report.c turns the report into JSON.
 */
#ifndef AT_CORE_IMPORT_PRIV_H
#define AT_CORE_IMPORT_PRIV_H

#include "core/import.h"

/* Where a column goes.  ID_ATTR (kept as an attribute) is the default. */
enum import_dest {
	ID_ATTR,
	ID_IGNORE,
	ID_TAG,
	ID_SERIAL,
	ID_MANUFACTURER,
	ID_TYPE,
	ID_MODEL,
	ID_MODEL_CODE,
	ID_BUILDING,
	ID_ROOM,
	ID_NOTES,
	ID_CONDITION,
	ID_LOCATION,
	ID_CASE,
	ID_POSITION,
	ID_STATE,
	ID_STATUS,
	ID_ARCHIVED,
	ID_HOLDER_NAME,
	ID_HOLDER_BADGE,
	ID_HOLDER_USERNAME,
	ID_HOLDER_EMAIL,
	ID_CHECKOUT_TYPE,
	ID_CHECKED_OUT,
	ID_SINCE,
	ID_DUE,
	ID_CASE_SLOTS,
	ID_CASE_BUILDING,
	ID_CASE_ROOM,
	ID_LAST_CASE,
	ID_LAST_POSITION,
	ID__MAX
};

/* The name of a destination as --map takes it and the report shows it. */
const char *import_dest_name(enum import_dest d);

struct import_col {
	enum import_dest dest;
	char attr[AT_ATTR_NAME_MAX + 1];     /* ID_ATTR: the attribute's name */
	char header[AT_ATTR_NAME_MAX * 2 + 1];
};

/* What a status value becomes.  AUTO: in custody when the row names a
 * person it is checked out to, else in storage. */
enum status_kind { SK_AUTO, SK_STORAGE, SK_CUSTODY, SK_RETIRED };

struct status_rule {
	char name[AT_ATTR_NAME_MAX + 1];     /* compared without letter case */
	enum status_kind kind;
	int has_cond;
	enum asset_condition cond;
};

struct import_layout {
	char format[16];
	size_t ncols;
	struct import_col col[AT_IMPORT_MAX_COLS];
	int at[ID__MAX];                     /* the column of each destination, -1 */
	size_t nattr_cols;
	struct status_rule *rules;           /* from --status */
	size_t nrules;
	char default_room[AT_FIELD_MAX + 1];
};

/*
 * Read the header row (`names`, `n` fields, UTF-8 already checked) and
 * the options into `L`, filling the report's format and mapping table.
 * Refusals (AT_INVALID, items per problem): an unknown --map column or
 * destination, a --status that is not NAME=STATE[:CONDITION], two --map
 * to one destination, a required field no column gives, more attribute
 * columns than an asset holds.  `L->rules` is allocated: free it with
 * import_layout_free().
 */
enum at_code import_layout_build(struct import_layout *L, char *const *names, size_t n,
                                 const struct import_options *o, struct import_report *rep,
                                 struct at_errors *e);
void import_layout_free(struct import_layout *L);

/* How `status` maps (the --status rules first, then the defaults): 0, or
 * -1 when nothing maps it.  `to` (96 bytes) gets the words for the
 * report ("STORAGE FAULTY", "RETIRED"). */
int import_status_map(const struct import_layout *L, const char *status, enum status_kind *kind,
                      int *has_cond, enum asset_condition *cond, char *to);

/* Split a location into building and room: "X, Room Y" and "X / Y";
 * otherwise the whole value is the building and the room `dflt`. */
void import_split_location(const char *loc, const char *dflt, char *building, size_t bcap,
                           char *room, size_t rcap);

/*
 * A date or time from another system: YYYY-MM-DD, optionally followed by
 * " HH:MM[:SS]" or "THH:MM[:SS[.mmm]][Z]" (taken as UTC).  `date` (11)
 * gets YYYY-MM-DD and `when` (AT_TIME_LEN + 1, may be NULL) the canonical
 * time, midnight for a bare date.  -1 with `why` (AT_WHY_MAX) otherwise.
 */
int import_parse_date(const char *in, char *date, char *when, char *why);

/* Yes/no cells: 1 for yes/true/1/y/x, 0 for no/false/0/n/"", -1 else. */
int import_yes_no(const char *s);

/* ==== import jobs (import_job.c) ====================================== */

/* Rows per slice of an applied job at most: about 10-30 ms on a 2-core
 * VM (bench/README.md, "The commit in slices").  A slice ends
 * sooner when an operation of this process waits to write
 * (op_writers_waiting); a writer of another process waits a slice. */
#define IMPORT_SLICE_ROWS 100

/* An import job being applied (import_job.c): its rows are committed a
 * slice at a time under its batch id; the first `skip` rows are in the
 * database already (a roll forward). */
struct import_slices {
	int64_t job;
	char batch_id[AT_BATCH_ID_LEN + 1];
	size_t skip;
};

/* After a commit of an import job, before its next begin: a pause that
 * lets the writers waiting for the lock have it (import.c). */
void import_yield(struct store *st);
/* After a job's last slice: its search index merged, in steps
 * (import.c). */
void import_search_merged(struct store *st);

/* One run over the file (import.c): in one transaction when `sl` is
 * NULL (a dry run in place, or a check aside on a scratch store), else in
 * slices.  import_run() is this for a dry run and import_job_run() for
 * a commit. */
enum at_code import_engine(struct store *st, const char *actor, const struct import_options *o,
                           import_read_fn rd, void *rctx, struct import_report *rep,
                           struct at_errors *e, const struct import_slices *sl);

/* The check aside (import.c): a dry run on a scratch store reading `st`
 * through. */
enum at_code import_check_aside(struct store *st, const char *actor,
                                const struct import_options *o, import_read_fn rd, void *rctx,
                                struct import_report *rep, struct at_errors *e);

/* A commit: the file kept as a job, checked aside, then applied in
 * slices (import_job.c). */
enum at_code import_job_run(struct store *st, const char *actor, const struct import_options *o,
                            import_read_fn rd, void *rctx, struct import_report *rep,
                            struct at_errors *e);

#endif
