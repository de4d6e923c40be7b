/*
 * internal.h — helpers shared by the core modules; not for front ends.
 */
#ifndef AT_CORE_INTERNAL_H
#define AT_CORE_INTERNAL_H

#include <jansson.h>

#include "core/event.h"
#include "store/store.h"

/* Called inside every operation's transaction, right after BEGIN.  It
 * does nothing (core/hooks.c); test builds link tests/support/
 * hooks_test.c instead, so that the crash test can tell a kill inside an
 * open transaction from one between operations. */
void op_hook_begun(void);
/* Called as `verify` starts, in its read snapshot.  Test builds may make
 * it take time (ASSETTRACK_TEST_VERIFY_DELAY_MS), to show that a slow
 * request holds up nobody else (tests/api/offload.test.mjs). */
void op_hook_verify(void);
/* Called each time an import reports how many rows it has read.  Test
 * builds may make it take time (ASSETTRACK_TEST_IMPORT_DELAY_MS), so that
 * a browser test sees the working page of a preview on any machine
 * (tests/browser/import.test.mjs). */
void op_hook_import_progress(void);

/* BEGIN IMMEDIATE and start the operation's event writer. */
enum at_code op_begin(struct store *st, const char *actor, struct event_writer *w,
                      struct at_errors *e);
/* How many of this process's operations are in op_begin now: waiting
 * for the write lock (SQLite's BEGIN IMMEDIATE) or the log's head
 * (PostgreSQL's row lock), or about to have them.  An import job's slice
 * commits early when one is (core/import.c), so that a scan waits for
 * one row of the import, not for a whole slice. */
int op_writers_waiting(void);
/* Commit if `c` is AT_OK (returning the commit's result), else roll back
 * and return `c`. */
enum at_code op_end(struct store *st, enum at_code c, struct at_errors *e);

/* Case and slot by name and position: AT_NOT_FOUND (no case),
 * AT_SLOT_NOT_FOUND (no such position).  `why` AT_MSG_MAX. */
enum at_code place_find_slot(struct store *st, const char *case_name, int64_t position,
                             struct case_info *c, char *why);

/* Clean an optional or required text field into `out`; on refusal adds
 * an item named `label` to `e` and returns -1. */
int field_clean(struct at_errors *e, const char *label, const char *in, char *out, size_t cap,
                size_t max, int required, int multiline);

struct field_spec;
/* field_clean() for the field `f` of core/fields.h, into its place in
 * the record `rec`; `required` as the operation needs it. */
int spec_clean(struct at_errors *e, const struct field_spec *f, const char *in, void *rec,
               int required);

/* Clean a reason (required, single line, <= AT_REASON_MAX). */
int reason_clean(struct at_errors *e, const char *in, char *out);

/* Set a JSON string or null for "" */
void json_set_text(json_t *o, const char *key, const char *v);

struct asset_input;
/* asset_create() inside an open transaction and event writer (import
 * creates many assets in one transaction and one batch).  `import_row`
 * (0: none) is recorded as "import_row" in the events' details: the
 * source row of the file the asset came from. */
enum at_code asset_create_in(struct store *st, struct event_writer *w,
                             const struct asset_input *in, int64_t import_row,
                             struct asset *out, struct at_errors *e);

/* holder_create() inside an open transaction and event writer (the import
 * creates the holders its rows name); `import_row` as above. */
enum at_code holder_create_in(struct store *st, struct event_writer *w, const char *name,
                              const char *badge, const char *email, int64_t import_row,
                              struct holder *out, struct at_errors *e);

/* slot_assign() (`moving` 0) or slot_move() (1) inside an open
 * transaction and event writer (an audit's corrections apply many in
 * one).  `details` (may be NULL for {}, not stolen) goes on the event. */
/* Create a case / grow one to `nslots`, inside the caller's transaction
 * (CASE_CREATED / CASE_RESIZED).  `details_extra`: JSON object text whose
 * members the event's details gain (an import's row), or NULL. */
enum at_code case_create_in(struct store *st, struct event_writer *w, const char *name,
                            int64_t nslots, const char *building, const char *room,
                            const char *notes, const char *details_extra,
                            struct case_info *out, struct at_errors *e);
enum at_code case_grow_in(struct store *st, struct event_writer *w, struct case_info *c,
                          int64_t nslots, const char *details_extra, struct at_errors *e);
enum at_code slot_put_in(struct store *st, struct event_writer *w, const char *tag,
                         const char *case_name, int64_t position, int moving, json_t *details,
                         struct asset *out, struct at_errors *e);
/* slot_force_vacate() inside an open transaction and event writer;
 * `case_name` and `reason` already cleaned (field_clean, reason_clean). */
enum at_code slot_force_vacate_in(struct store *st, struct event_writer *w,
                                  const char *case_name, int64_t position, const char *reason,
                                  json_t *details, struct asset *out, struct at_errors *e);

/* Report a storage failure reading the database. */
enum at_code storage_fail(struct store *st, struct at_errors *e, enum at_code c);

#endif
