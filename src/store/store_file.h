/*
 * store_file.h — whole database files, for backup and restore
 * (core/backup.h): what a file holds, a private copy of one, and the
 * write-ahead log's tidy-up after a restore.
 *
 * These work on paths with connections of their own, never on a live
 * `struct store`: a file being checked for a restore is not (yet) ours,
 * and must be opened read-only and without the schema checks store_open()
 * makes, so that "not a database" and "a newer schema" can be told apart
 * and said in words.
 */
#ifndef AT_STORE_STORE_FILE_H
#define AT_STORE_STORE_FILE_H

#include <stdint.h>

#include "core/types.h"
#include "util/err.h"
#include "util/text.h"

/* What a database file holds. */
struct store_file_info {
	int user_version;                    /* PRAGMA user_version: the schema */
	int page_size;
	int assettrack;                      /* it has our tables (events, assets, ...) */
	int64_t assets, events, holders, cases, users;
	char newest_event[AT_TIME_LEN + 1];  /* "" without events */
	char integrity[AT_MSG_MAX];          /* PRAGMA quick_check: "ok" or its first
	                                      * complaint; "" when not asked */
};

enum { STORE_PROBE_INTEGRITY = 1 };

/*
 * Open `path` read-only and describe it.  The counts are read only when
 * it is one of ours (info->assettrack) of this program's schema version;
 * STORE_PROBE_INTEGRITY also runs PRAGMA quick_check.  AT_NOT_FOUND when
 * the file cannot be opened, AT_INVALID when it is not a SQLite database
 * (SQLite's words in `e`), AT_STORAGE when reading it fails otherwise.
 */
enum at_code store_file_probe(const char *path, int flags, struct store_file_info *info,
                              struct at_errors *e);

/*
 * Copy the database at `src` (opened read-only; a write-ahead log beside
 * it is read too) into the new file `dst` through the backup API, and
 * leave the copy in rollback-journal mode: one self-contained file.
 * `dst` must not exist (AT_CONFLICT).  AT_NOT_FOUND / AT_INVALID as for
 * store_file_probe; on any failure `dst` is removed.
 */
enum at_code store_file_copy(const char *src, const char *dst, struct at_errors *e);

/* Checkpoint the write-ahead log of the database at `path` and truncate
 * it, as far as other connections' readers allow (best effort: a restore
 * leaves a log as large as the database otherwise). */
void store_file_wal_truncate(const char *path);

#endif
