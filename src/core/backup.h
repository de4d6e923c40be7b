/*
 * backup.h — backups of the whole database, and restoring one.
 *
 * A restore is three steps, so that a front end can show what it found
 * and ask before anything changes:
 *
 *   backup_stage()   copies the file given into a private file beside the
 *                    database (the file checked is then the file loaded,
 *                    and nobody can change it in between);
 *   backup_check()   proves that copy is restorable: an AssetTrack
 *                    database of this program's schema version, whose
 *                    PRAGMA quick_check and full `verify` (invariants,
 *                    hash chain, replay) pass, opened read-only;
 *   backup_replace() keeps a complete copy of the live database as
 *                    DB.replaced-YYYYmmdd-HHMMSS and loads the checked
 *                    copy into it.
 *
 * The load goes through SQLite's backup API on the live connection, as
 * one write transaction: a crash leaves the old database or the new one,
 * never a mix, and every other connection to the file (a server's
 * workers, another process) sees the restored database at its next
 * transaction without reopening anything.  What SQLite cannot serialise
 * is a write landing between the copy kept and the load: the caller holds
 * its own writers off around backup_replace() (the server does; the CLI
 * says to stop the server or restore from its admin page).
 *
 * A file of another schema version is refused, never migrated here: a
 * newer one cannot be read by this program, and an older one is upgraded
 * by running `assettrack --db COPY init` on a copy, which is the same
 * migration every database gets and leaves the original untouched.
 */
#ifndef AT_CORE_BACKUP_H
#define AT_CORE_BACKUP_H

#include "core/checkpoint.h"
#include "core/types.h"
#include "core/verify.h"

/* What a database file holds. */
struct backup_summary {
	int schema;                          /* schema version */
	int64_t assets, events, holders, cases, users;
	char newest_event[AT_TIME_LEN + 1];  /* "" without events */
};

/* The live database at `db_path` (read through a connection of its own). */
enum at_code backup_summary_of(const char *db_path, struct backup_summary *sum,
                               struct at_errors *e);

/*
 * Online backup of `st` into the new file `path` (refused with
 * AT_CONFLICT if it exists), recorded as DATABASE_BACKUP in the security
 * log with `actor`.  `*events` gets the number of events it holds.
 */
enum at_code backup_write(struct store *st, const char *path, const char *actor,
                          int64_t *events, struct at_errors *e);

/*
 * Copy the database file `file` (opened read-only) into the new file
 * `staged`.  AT_NOT_FOUND when `file` cannot be opened, AT_INVALID when it
 * is not a SQLite database, AT_CONFLICT when `staged` exists.
 */
enum at_code backup_stage(const char *file, const char *staged, struct at_errors *e);

/*
 * Check the staged file `path` for restoring over the database at
 * `db_path`; messages call it `name` (the file as the user knows it).
 * AT_OK only if it is restorable.  Refusals are AT_INVALID, with the
 * reason in words: not an AssetTrack database; another schema
 * version (newer: use the assettrack that wrote it; older: upgrade a copy
 * with `init` first); another page size; and for a file that does not
 * verify, one item per problem whose input is the problem's code
 * (HASH_MISMATCH, REPLAY_MISMATCH, INTEGRITY ...).  AT_NOT_FOUND and
 * storage errors as usual.  `sum` is filled as far as the file could be
 * read, refused or not.  `progress` (may be NULL) as verify_run's.
 */
enum at_code backup_check(const char *path, const char *name, const char *db_path,
                          struct backup_summary *sum, verify_progress_cb progress, void *pctx,
                          struct at_errors *e);

struct restore_result {
	char kept[AT_PATH_MAX];              /* the replaced database, kept */
	char checkpoints_kept[AT_PATH_MAX];  /* its signed checkpoints, set aside ("" none) */
	struct backup_summary before, after;
};

/*
 * Replace the database `st` (open on `db_path`) with the checked file
 * `staged` (see above): keep a complete copy of it first as
 * DB.replaced-YYYYmmdd-HHMMSS (UTC; "-2", "-3" ... when that exists), then
 * load.  Signed checkpoints (DB.checkpoints and its .state) sign a log
 * that is no longer there, so they are moved aside with the same suffix.
 * DATABASE_RESTORED goes to the restored database's security log with
 * `actor`, naming `source` (the file as the user knows it).  `st` must
 * have no transaction open.  On failure nothing is replaced and no copy
 * is left behind.
 */
enum at_code backup_replace(struct store *st, const char *db_path, const char *staged,
                            const char *source, const char *actor, struct restore_result *res,
                            struct at_errors *e);

/*
 * The CLI's restore: stage `file` beside the database, check it, replace,
 * and remove the staged copy whatever happened.  Refusals as
 * backup_check's; nothing changes unless it is AT_OK.
 */
enum at_code backup_restore(struct store *st, const char *db_path, const char *file,
                            const char *actor, struct restore_result *res,
                            verify_progress_cb progress, void *pctx, struct at_errors *e);

/* Claim the name `path` for a new file, exclusively (created empty, mode
 * 0600): a backup never overwrites a file.  AT_CONFLICT if it exists. */
enum at_code backup_claim_file(const char *path, struct at_errors *e);

/* Remove a database file and its -journal, -wal and -shm companions. */
void backup_remove_file(const char *path);

#endif
