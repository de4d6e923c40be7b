/*
 * store_impl.h — what store.c shares with store_sqlite.c, the functions
 * only SQLite has (pragmas, WAL checkpoints, the backup API, SQLite's
 * migrations).  Internal to store/.
 */
#ifndef AT_STORE_STORE_IMPL_H
#define AT_STORE_STORE_IMPL_H

#include "store/drv_sqlite.h"
#include "store/store.h"
#include "util/err.h"

/* The part of a connection only SQLite has. */
struct store_sqlite {
	sqlite3 *db;
	store_wal_fn wal_fn;                 /* manual checkpoints (store_wal_manual) */
	void *wal_ctx;
};

/* `st`'s SQLite part, or NULL when it is on another engine (store.c). */
struct store_sqlite *store_sqlite_of(struct store *st);

/* The schema version of a database on another engine than SQLite (its
 * schema_version table), -1 if it cannot be read (store.c). */
int store_other_schema_version(struct store *st);

/* After the driver opened a SQLite connection: journal, synchronous,
 * cache and WAL hook as `flags` (STORE_*) ask (store_sqlite.c). */
enum at_code store_sqlite_setup(struct store_sqlite *l, const char *path, int flags,
                                struct at_errors *e);

#endif
