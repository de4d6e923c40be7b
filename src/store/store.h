/*
 * store.h — persistence behind functions named for the domain.
 *
 * This is the only layer that knows SQLite.  It opens the database (WAL,
 * foreign keys, synchronous=FULL, busy timeout), creates and migrates the
 * schema (PRAGMA user_version), keeps every SQL statement prepared once per
 * connection, and maps SQLite failures onto the error vocabulary.
 *
 * It does not decide whether an operation is allowed: core/ does, inside a
 * transaction opened here.  The schema is the second line of defence; any
 * constraint it refuses surfaces as AT_DUPLICATE / AT_CONFLICT.
 *
 * Records are plain structs with fixed-size text fields whose caps match
 * the schema's CHECK constraints, so reading a row never allocates.
 * Iterators call `cb` once per row with a borrowed record; a non-zero
 * return from `cb` stops the iteration and is returned.
 */
#ifndef AT_STORE_STORE_H
#define AT_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/types.h"
#include "util/err.h"
#include "util/text.h"

#define AT_SCHEMA_VERSION 10

struct store;


/* ---- lifecycle and transactions ------------------------------------ */

/* STORE_BULK: synchronous=OFF, for data generators only (a crash may lose
 * the last commits, never consistency). */
enum { STORE_CREATE = 1, STORE_READONLY = 2, STORE_BULK = 4, STORE_SCRATCH = 8,
       STORE_SCRATCH_LARGE = 16 };

/* Open (and with STORE_CREATE create and migrate) the database at `path`.
 * STORE_SCRATCH ignores `path` and gives a private temporary database with
 * the full schema: on disk, deleted on close, with a bounded page cache, so
 * replaying a large log does not hold the whole state in memory: 2 MiB,
 * or 64 MiB with STORE_SCRATCH_LARGE (a command-line verify, which the
 * server's 64 MiB budget does not bind: at a million assets the small
 * cache spilled 3.6 GB to the scratch's file). */
enum at_code store_open(const char *path, int flags, struct store **out, struct at_errors *e);
void store_close(struct store *st);
/* user_version of the file as opened (after migration). */
int store_schema_version(struct store *st);
/* Migrate to AT_SCHEMA_VERSION; `*from` gets the version found. */
enum at_code store_migrate(struct store *st, int *from, struct at_errors *e);
/* PostgreSQL: make `app` a login role if it is none, and give it exactly
 * what the program needs (no DELETE anywhere, no UPDATE of the log).  As
 * the schema's owner or a superuser, outside a transaction.  AT_INVALID
 * on SQLite, and for a name PostgreSQL cannot take. */
enum at_code store_grant_app(struct store *st, const char *app, struct at_errors *e);
/* 1 when `st` is a SQLite database (one writer at a time, no queue). */
int store_is_sqlite(const struct store *st);
/* Can the connection still be used (drv_pg_usable)?  Always 1 on SQLite,
 * whose database is a file.  A server asks before each request, and opens
 * another connection when the answer is 0. */
int store_usable(struct store *st);

/* Write transaction: BEGIN IMMEDIATE takes the write lock up front, so the
 * preconditions core checks cannot change before commit. */
enum at_code store_begin(struct store *st, struct at_errors *e);
/* Bulk writing on (1) or off (0), outside a transaction: statement
 * journals (and temporary tables) in memory and an 8 MiB page cache
 * (4 MiB off), for transactions of thousands of statements (the import). */
enum at_code store_bulk(struct store *st, int on);
/* Read transaction: a consistent snapshot for multi-query reads. */
enum at_code store_begin_read(struct store *st, struct at_errors *e);
enum at_code store_commit(struct store *st, struct at_errors *e);
/* Safe to call when no transaction is open.  Ends store_read_snapshot()'s
 * snapshot too. */
void store_rollback(struct store *st);
/* A read snapshot, as store_begin_read() gives.  On SQLite without
 * BEGIN: an implicit read transaction held open by PRAGMA data_version,
 * stepped to its row, until store_rollback().  Inside it store_begin()
 * and store_begin_read() are refused, as inside BEGIN, and
 * store_data_version() gives the version read at its start. */
enum at_code store_read_snapshot(struct store *st, struct at_errors *e);

/* Online backup of the whole database to `path` (SQLite backup API). */
enum at_code store_backup(struct store *st, const char *path, struct at_errors *e);

/* ---- WAL checkpoints (the server's background checkpointer) -------- */

/* Called after each commit of a connection opened in manual mode, on the
 * committing thread, with the frames now in the WAL: it must be quick. */
typedef void (*store_wal_fn)(void *ctx, int wal_frames);
/* Process-wide, for connections opened from now on (not read-only, not
 * scratch): `fn` NULL is SQLite's automatic checkpoints (a commit that
 * leaves 1,000 frames in the WAL copies them back into the database
 * before it returns); else no automatic checkpoint, and `fn` after each
 * commit.  Set it before the connections it is for are opened. */
void store_wal_manual(store_wal_fn fn, void *ctx);
/* Free the memory the connection holds but does not need (its page
 * cache's pages: a connection kept for later holds none of its cache). */
void store_release_memory(struct store *st);
/* Automatic checkpoints of this connection at `frames` (0: none). */
enum at_code store_wal_autocheckpoint(struct store *st, int frames);
enum store_ckpt { STORE_CKPT_PASSIVE, STORE_CKPT_TRUNCATE };
/* PASSIVE copies what it can without waiting for anyone; TRUNCATE also
 * empties the WAL file, or is AT_BUSY at once if a reader or writer is
 * in the way (it never waits: it would hold writers off while it did).
 * `*frames` (may be NULL) gets the frames in the WAL, `*moved` those now
 * in the database, both -1 when the database is not in WAL mode. */
enum at_code store_wal_checkpoint(struct store *st, enum store_ckpt mode, int *frames,
                                  int *moved, struct at_errors *e);

/* Copy the whole database file at `path` into `st` (a scratch store),
 * replacing its content: AT_NOT_FOUND if it cannot be opened,
 * AT_INVALID if it is not a database of this schema version. */
enum at_code store_load(struct store *st, const char *path, struct at_errors *e);

/* The custody record (cases, slots, holders, assets; every column, rows
 * in primary-key order) as canonical bytes, one call per row and one
 * before each table; core hashes them into a checkpoint's state digest.
 * The layout is in docs/checkpoints.md. */
typedef void (*state_row_cb)(void *ctx, const char *bytes, size_t len);
enum at_code store_state_rows(struct store *st, state_row_cb cb, void *ctx);

/* Copy every row of every table of `src` (inside a read transaction: one
 * snapshot) into `dst` (inside a write transaction), as they are: ids,
 * the events byte for byte, accounts, sessions and the security log.
 * AT_CONFLICT if any table of `dst` holds a row.  `dst`'s triggers check
 * every row as it goes in (the chain's links among them).  On PostgreSQL
 * the identity sequences are then moved past the copied ids, which needs
 * the schema's owner.  `cb` (may be NULL) at each table's start (done 0),
 * every 10,000 rows and its end. */
typedef void (*store_copy_cb)(void *ctx, const char *table, int64_t done, int64_t total);
enum at_code store_copy(struct store *src, struct store *dst, store_copy_cb cb, void *ctx,
                        struct at_errors *e);

/* Make scratch store `st` (STORE_SCRATCH) read through to `src`: every
 * holder and the last event are copied now, and an asset, a case with
 * its slots and assets, the first time a read or an insert of `st` could
 * meet it (by match key, serial, case name or id, slot).  So `st` answers
 * exactly what `src` would, plus its own writes, while `src` is only
 * read: an import's dry run checks a file this way without taking the
 * write lock (core/import.c).  Hold `src` in a read transaction (one
 * snapshot) until `st` is closed; close `st` first. */
enum at_code store_overlay(struct store *st, struct store *src, struct at_errors *e);

/* ---- assets -------------------------------------------------------- */

enum at_code store_asset_by_tag(struct store *st, const char *tag, struct asset *a);
enum at_code store_asset_by_key(struct store *st, const char *match_key, struct asset *a);
/* The same, reading only what SPEC's asset object shows (the scanner
 * lookup's answer): custody_since and the last slot are left empty. */
enum at_code store_asset_shown_by_key(struct store *st, const char *match_key,
                                      struct asset *a);
/* By serial, compared case-insensitively after trimming. */
enum at_code store_asset_by_serial(struct store *st, const char *serial, struct asset *a);
enum at_code store_asset_in_slot(struct store *st, int64_t case_id, int position,
                                 struct asset *a);
/* Insert; sets a->id.  Join fields are ignored. */
enum at_code store_asset_insert(struct store *st, struct asset *a, struct at_errors *e);
/* Write the custody and placement columns of the row with id a->id:
 * state, condition, holder, due, custody start, slot, last slot, updated
 * and retired times.  Metadata is left alone (store_asset_save_meta). */
enum at_code store_asset_save(struct store *st, const struct asset *a, struct at_errors *e);
/* Write what a Stock-Out or Stock-In changes: state, holder, due,
 * custody start, slot, last slot, updated time (not condition or the
 * retirement time; never for an asset kept by store_asset_defer). */
enum at_code store_asset_save_custody(struct store *st, const struct asset *a,
                                      struct at_errors *e);
/* store_asset_save_custody() for each of as[0..n-1]: on PostgreSQL one
 * statement for the whole batch. */
enum at_code store_assets_save_custody(struct store *st, const struct asset *as, size_t n,
                                       struct at_errors *e);
/*
 * A batch's reads, made ahead in one statement (PostgreSQL; nothing on
 * SQLite, whose row-at-a-time reads cost microseconds): the assets with
 * match keys keys[0..n-1], and which asset (if any) fills each slot
 * (case_ids[i], positions[i]).  Until the transaction writes an asset or
 * ends, store_asset_by_key() and store_asset_in_slot() answer what was
 * asked here from these rows.  Call inside a write transaction, once
 * each.  AT_OK, or the database's failure (AT_STORAGE, AT_BUSY); without
 * memory for them the reads are left to the database.
 */
enum at_code store_asset_prefetch(struct store *st, const char *const *keys, size_t n);
enum at_code store_slot_prefetch(struct store *st, const int64_t *case_ids,
                                 const int *positions, size_t n);
/* Whether the two above do anything (PostgreSQL). */
int store_reads_ahead(const struct store *st);
/* Write the metadata columns (serial ... notes, condition, updated_at,
 * attributes). */
enum at_code store_asset_save_meta(struct store *st, const struct asset *a,
                                   struct at_errors *e);

/*
 * Deferred asset inserts, for a transaction that creates thousands (the
 * import): on (1) inside the write transaction, off (0) once it ended.
 * While on, store_asset_insert() keeps an asset nothing can refuse (no
 * slot; neither its tag's match key nor its serial key stored or kept:
 * a filter of the keys written says so when the table started empty,
 * else two probes of the unique indexes) and gives it its id, and the
 * kept ones go in STORE_ASSET_BULK to a statement; any other asset goes
 * in at once, after the kept ones, so its refusal is the one inserting
 * one by one gives.  store_asset_save() of a kept asset taking no slot changes
 * the kept copy (it goes in as it ends up); every other statement on
 * assets, and the commit, writes the kept ones first.
 * store_asset_flush() writes them now (before a dry run's rollback, so
 * their checks run); store_rollback() drops them.
 */
#define STORE_ASSET_BULK 32
enum at_code store_asset_defer(struct store *st, int on, struct at_errors *e);
enum at_code store_asset_flush(struct store *st, struct at_errors *e);

/* Assets ordered by tag. */
enum at_code store_asset_list(struct store *st, const struct asset_filter *f, asset_cb cb,
                              void *ctx);
/* Every attribute name any asset has, in order, once each; a non-zero
 * return from `cb` stops. */
typedef int (*attr_name_cb)(void *ctx, const char *name);
enum at_code store_asset_attr_names(struct store *st, attr_name_cb cb, void *ctx);
/* Assets IN_CUSTODY, longest out first. */
enum at_code store_asset_out_longest(struct store *st, int limit, asset_cb cb, void *ctx);
/* Assets IN_CUSTODY whose due date is before `today`. */
int64_t store_asset_count_overdue(struct store *st, const char *today);
int64_t store_asset_count(struct store *st, int has_state, enum asset_state s);

/* ---- cases and slots ----------------------------------------------- */

enum at_code store_case_by_name(struct store *st, const char *name, struct case_info *c);
enum at_code store_case_by_id(struct store *st, int64_t id, struct case_info *c);
/* Just the id of the case named `name` (0 if none): no occupancy count. */
int64_t store_case_id(struct store *st, const char *name);
/* Insert the case and its slots 1..slot_count; sets c->id. */
enum at_code store_case_insert(struct store *st, struct case_info *c, struct at_errors *e);
/* Save metadata and, if slot_count grew, add the new slots. */
enum at_code store_case_save(struct store *st, const struct case_info *c, int old_slots,
                             struct at_errors *e);
enum at_code store_case_list(struct store *st, const char *after_name, int limit, case_cb cb,
                             void *ctx);

/* ---- holders ------------------------------------------------------- */

enum at_code store_holder_by_id(struct store *st, int64_t id, struct holder *h);
enum at_code store_holder_by_badge(struct store *st, const char *badge, struct holder *h);
/* By e-mail address, any letter case; AT_AMBIGUOUS when two holders
 * share it.  By exact name, AT_AMBIGUOUS when two share it. */
enum at_code store_holder_by_email(struct store *st, const char *email, struct holder *h);
enum at_code store_holder_by_name(struct store *st, const char *name, struct holder *h);
/* Insert; uses h->id if non-zero (replay), else assigns one. */
enum at_code store_holder_insert(struct store *st, struct holder *h, struct at_errors *e);
enum at_code store_holder_save(struct store *st, const struct holder *h, struct at_errors *e);
enum at_code store_holder_list(struct store *st, int64_t after_id, int limit, holder_cb cb,
                               void *ctx);
/* Active holders whose name contains `q` (any letter case), or whose badge
 * or id is exactly `q`; ordered by name. */
enum at_code store_holder_search(struct store *st, const char *q, int limit, holder_cb cb,
                                 void *ctx);

/* ---- events -------------------------------------------------------- */

/* Last event's seq (0 if none) and hash (64 zeros if none). */
enum at_code store_event_last(struct store *st, int64_t *seq, char hash[AT_HASH_HEX + 1]);
/* The same, and its time in `at` ("" if none). */
enum at_code store_event_last_at(struct store *st, int64_t *seq, char hash[AT_HASH_HEX + 1],
                                 char at[AT_TIME_LEN + 1]);
enum at_code store_event_insert(struct store *st, const struct event *ev, struct at_errors *e);
/* Insert `n` consecutive events in order: on SQLite one statement when n
 * is STORE_EVENT_BULK, else one each; on PostgreSQL one statement for
 * any n over 1 (each is a round trip and an executor's start there). */
#define STORE_EVENT_BULK 32
#define STORE_EVENT_BULK_PG 1024
/* How many events a bulk writer keeps before it inserts them. */
size_t store_event_bulk(const struct store *st);
enum at_code store_event_insert_many(struct store *st, const struct event *evs, size_t n,
                                     struct at_errors *e);
/* The stored hash of event `seq`; AT_NOT_FOUND if the log is shorter. */
enum at_code store_event_hash_at(struct store *st, int64_t seq, char hash[AT_HASH_HEX + 1]);

enum at_code store_event_list(struct store *st, const struct event_filter *f, event_cb cb,
                              void *ctx);
int64_t store_event_count(struct store *st);

/* Custody at an instant, from the log alone, `limit` assets at a time:
 * of the assets after `after_tag` (NULL: from the first) that have a
 * custody event (STOCK_OUT, STOCK_IN, ASSET_REPLACED, ASSET_RETIRED) at or
 * before `until`, the first `limit` by tag are looked at, and for each
 * whose last such event left it in custody `cb` gets its tag, the holder
 * id, the start of that custody and its due date ("" if none).
 * `last_tag` gets the last tag looked at and `*scanned` how many were:
 * fewer than `limit` means the end.  A non-zero `cb` stops early. */
typedef int (*custody_at_cb)(void *ctx, const char *tag, int64_t holder_id, const char *since,
                             const char *due);
enum at_code store_custody_as_of(struct store *st, const char *until, const char *after_tag,
                                 int limit, custody_at_cb cb, void *ctx,
                                 char last_tag[AT_TAG_MAX + 1], int *scanned);

/* ---- users, tokens, security log ----------------------------------- */

enum at_code store_user_insert(struct store *st, struct user *u, struct at_errors *e);
enum at_code store_user_by_name(struct store *st, const char *name, struct user *u);
enum at_code store_user_by_id(struct store *st, int64_t id, struct user *u);
int64_t store_user_count(struct store *st);
enum at_code store_user_list(struct store *st, user_cb cb, void *ctx);
enum at_code store_token_insert(struct store *st, int64_t user_id, const char *token_hash,
                                const char *label, const char *at, struct at_errors *e);
/* Active user owning an unrevoked token with this hash. */
enum at_code store_token_user(struct store *st, const char *token_hash, struct user *u);
/* A login throttle counter ("user:NAME@ADDR", "addr:ADDR"): failures so
 * far and the epoch second before which attempts are refused; 0 and 0
 * when there is none. */
enum at_code store_throttle_get(struct store *st, const char *key, int64_t *failures,
                                int64_t *next_ok);
enum at_code store_throttle_put(struct store *st, const char *key, int64_t failures,
                                int64_t next_ok, const char *at, struct at_errors *e);
/* The security log, newest first. */
enum at_code store_security_list(struct store *st, int limit, security_cb cb, void *ctx);
enum at_code store_security_log(struct store *st, const char *at, const char *actor,
                                const char *action, const char *subject, const char *details);

enum at_code store_session_insert(struct store *st, const char *token_hash, int64_t user_id,
                                  const char *csrf, const char *at, struct at_errors *e);
enum at_code store_session_get(struct store *st, const char *token_hash, struct session *s);
enum at_code store_session_touch(struct store *st, int64_t id, const char *at);
enum at_code store_session_end(struct store *st, int64_t id, const char *at);
/* Revoke every token of a user; returns how many. */
int64_t store_token_revoke_all(struct store *st, int64_t user_id, const char *at);

/* ---- verification -------------------------------------------------- */

/* Run every invariant check expressible in SQL (SPEC §3), independent of
 * the schema's own constraints (which could have been dropped).  `cb` gets
 * a problem code and a message per violation. */
enum at_code store_check_invariants(struct store *st, problem_cb cb, void *ctx);

/* PRAGMA data_version: changes whenever another connection has committed
 * since this one last looked.  Starts a read if none is open.  -1 on error. */
int64_t store_data_version(struct store *st);

/* Message of the last SQLite error on this connection. */
const char *store_errmsg(struct store *st);

/* ---- physical audits (core/audit.c) -------------------------------- */

/* A case and its last AUDIT_RECORDED event (details.case names it): seq 0,
 * at and actor "" and counts NULL when it has none; `counts` is the
 * event's details.counts as JSON text.  Borrowed for the callback. */
typedef int (*audit_last_cb)(void *ctx, const char *case_name, int slot_count, int64_t seq,
                             const char *at, const char *actor, const char *counts);
/* Case `case_name` (no callback if there is no such case). */
enum at_code store_audit_last(struct store *st, const char *case_name, audit_last_cb cb,
                              void *ctx);
/* Cases by name after `after` (NULL: from the first), at most `limit`
 * (0: all); with `before` (NULL: any) only those never audited or last
 * audited before that instant.  One scan of the audit events per call. */
enum at_code store_audit_cases(struct store *st, const char *after, const char *before,
                               int limit, audit_last_cb cb, void *ctx);

/* ---- reports (core/report.c) ---------------------------------------- */

/* A row of the custody report now, as a keyset position. */
struct custody_key {
	char holder_name[AT_PERSON_MAX + 1];
	int64_t holder_id;
	char since[AT_TIME_LEN + 1];
	char tag[AT_TAG_MAX + 1];
};
/* Assets in custody in one section (`overdue` 1: due before `today`; 0:
 * the others) by holder name, holder id, custody start and tag, after the
 * row `after` (NULL: from the first), at most `limit` (0: all). */
enum at_code store_custody_by_holder(struct store *st, const struct custody_key *after,
                                     int overdue, const char *today, int limit, asset_cb cb,
                                     void *ctx);

/* Storage assets in no slot by tag after `after_tag` (NULL: the first),
 * each with the last event that can have left it so (ASSET_CREATED,
 * FORCE_VACATE, ASSET_REPLACED): seq 0 and "" when there is none;
 * `reason` may be NULL.  Borrowed for the callback. */
typedef int (*unslotted_cb)(void *ctx, const struct asset *a, int64_t seq, const char *at,
                            const char *type, const char *reason);
enum at_code store_unslotted(struct store *st, const char *after_tag, int limit,
                             unslotted_cb cb, void *ctx);
int64_t store_unslotted_count(struct store *st);
/* How many cases, slots, and slots holding an asset. */
enum at_code store_slot_totals(struct store *st, int64_t *cases, int64_t *slots,
                               int64_t *occupied);

/* One custody period of a holder: its start event (STOCK_OUT, or an
 * ASSET_REPLACED handing over a replacement) and the event that ended it
 * (end_seq 0, texts "" when it goes on).  Texts are "" when absent, the
 * case names NULL; all borrowed for the callback. */
struct store_holding {
	int64_t seq;
	const char *at, *type, *asset_tag, *since, *due;
	const char *from_case;
	int from_position;
	int64_t end_seq;
	const char *end_at, *end_type;
	const char *to_case;
	int to_position;
	const char *equipment_type, *model;   /* the asset's, today */
};
typedef int (*holding_cb)(void *ctx, const struct store_holding *h);
/* Holder `holder_id`'s custody periods, newest start first, those
 * starting before event `before_seq` (0: all), at most `limit` (0: all). */
enum at_code store_holdings(struct store *st, int64_t holder_id, int64_t before_seq, int limit,
                            holding_cb cb, void *ctx);
/* How many periods, how many of them ended, and how many ended on a date
 * after their due date. */
enum at_code store_holding_counts(struct store *st, int64_t holder_id, int64_t *periods,
                                  int64_t *ended, int64_t *late);

/* Retirement reasons with how many assets each, most first, at most
 * `limit` (0: all); `reason` may be NULL (a damaged row). */
typedef int (*reason_count_cb)(void *ctx, const char *reason, int64_t n);
enum at_code store_retired_reasons(struct store *st, int limit, reason_count_cb cb, void *ctx);
/* How many retired assets, and how many different reasons. */
enum at_code store_retired_totals(struct store *st, int64_t *assets, int64_t *reasons);
/* Retired assets (with `reason` only, when not NULL) by reason and tag,
 * after the one retired by event `after_seq` (0: from the first), each
 * with its ASSET_RETIRED event's seq, time, actor and reason. */
typedef int (*retired_cb)(void *ctx, const struct asset *a, int64_t seq, const char *at,
                          const char *actor, const char *reason);
enum at_code store_retired(struct store *st, const char *reason, int64_t after_seq, int limit,
                           retired_cb cb, void *ctx);

/* ==== import jobs (core/import.c; schema version 10) =================== */

struct import_job {
	int64_t id;
	char batch_id[37];                   /* AT_BATCH_ID_LEN + 1 */
	char actor[AT_PERSON_MAX + 1];
	char *options;                       /* JSON text; store_job_free() */
	char state[16];                      /* checking, applying, done, cancelled, failed */
	int64_t since_seq, bytes, rows_total, rows_done;
	int64_t heartbeat;                   /* Unix seconds */
	char owner[320];                     /* "HOST PID" running it */
	const char *created_at, *ended_at, *note;   /* written only */
};

/* A new open job, state 'checking'; AT_DUPLICATE when one is open. */
enum at_code store_job_open(struct store *st, const struct import_job *j, int64_t *id,
                            struct at_errors *e);
/* The open job (AT_NOT_FOUND: none). */
enum at_code store_job_get_open(struct store *st, struct import_job *j);
void store_job_free(struct import_job *j);
/* Write j's state, counts, heartbeat, end and note (open follows state). */
enum at_code store_job_update(struct store *st, const struct import_job *j, struct at_errors *e);
/* Heartbeat `seen` -> `now` and `owner` on open job `id`; AT_CONFLICT
 * when another process renewed it first. */
enum at_code store_job_claim(struct store *st, int64_t id, int64_t seen, int64_t now,
                             const char *owner, struct at_errors *e);
enum at_code store_job_part_put(struct store *st, int64_t id, int64_t n, const char *data,
                                struct at_errors *e);
/* Part n's text (caller frees), AT_NOT_FOUND past the last. */
enum at_code store_job_part_get(struct store *st, int64_t id, int64_t n, char **data);
enum at_code store_job_key_put(struct store *st, int64_t id, const char *key, int64_t value,
                               struct at_errors *e);
enum at_code store_job_key_has(struct store *st, int64_t id, const char *key);
typedef int (*job_key_cb)(void *ctx, const char *key, int64_t value);
enum at_code store_job_keys(struct store *st, int64_t id, job_key_cb cb, void *ctx);
/* Delete the job's keys (it has ended). */
enum at_code store_job_clear(struct store *st, int64_t id, struct at_errors *e);
/* Delete one kept part of a job that has ended; *dropped 0 when none
 * was left. */
enum at_code store_job_drop_part(struct store *st, int *dropped, struct at_errors *e);
/* Job `id` applying, `was` rows done: now `rows_done`, and done when
 * `ended_at` is not NULL.  AT_CONFLICT if its rows_done is not `was`
 * (another process is applying it). */
enum at_code store_job_progress(struct store *st, int64_t id, int64_t was, int64_t rows_done,
                                int64_t heartbeat, const char *ended_at, struct at_errors *e);
/*
 * The search index's merging (SQLite's FTS5 index assets_search; both
 * are no-ops on PostgreSQL, which has none).  FTS5 writes a segment per
 * transaction and, by default (SEARCH_AUTOMERGE, FTS5's own 4), merges
 * them inside the transactions that write: an import job's slices, a
 * segment each, spent two thirds of the job's time merging, in steps of
 * up to 35 ms inside a slice (bench/README.md).  While a job applies,
 * automatic merging is off and the job merges in steps of about `pages`
 * pages each, before a slice's commit and after its last slice
 * (core/import.c): *worked 0 when nothing was left to merge.
 */
#define SEARCH_AUTOMERGE 4
enum at_code store_search_automerge(struct store *st, int on, struct at_errors *e);
enum at_code store_search_merge(struct store *st, int pages, int *worked, struct at_errors *e);
/* The log's head (store_event_last_at) and the open import job (id 0:
 * none), as the event writer reads them, in one statement. */
enum at_code store_event_head_gate(struct store *st, int64_t *seq, char hash[AT_HASH_HEX + 1],
                                   char at[AT_TIME_LEN + 1], struct job_gate *g);
/* How many Stock-Ins after event `since_seq` went to a slot the job fills. */
enum at_code store_job_slot_conflicts(struct store *st, int64_t id, int64_t since_seq,
                                      int64_t *n);

#endif
