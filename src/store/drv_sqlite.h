/*
 * drv_sqlite.h — the SQLite driver (drv.h's drv_sqlite), its per-row
 * calls as inline functions, and what only a SQLite connection has.
 * Internal to store/ (and its tests and benchmarks).
 *
 * A statement of this driver is a sqlite3_stmt itself: struct drv_stmt is
 * never defined, a pointer to one is a sqlite3_stmt pointer under another
 * name.  No wrapper to allocate, no pointer to follow, nothing per step.
 *
 * Calling through the table (drv_sqlite.step(s)) costs an indirect call
 * per value; the lookup path reads some 26 columns a row.  store.c's
 * hot paths therefore test once which driver a connection has and call
 * these inline functions for SQLite, which compile to the sqlite3 calls
 * themselves (bench/drv_overhead.c measures both ways against raw
 * sqlite3):
 *
 *     static inline enum drv_step step(struct store *st, struct drv_stmt *s)
 *     {
 *             return st->lite ? drv_sqlite_step(s) : st->drv->step(s);
 *     }
 *
 * Only the per-statement calls are here; transactions, prepare and the
 * rest go through the table (they are once per request, not per value).
 */
#ifndef AT_STORE_DRV_SQLITE_H
#define AT_STORE_DRV_SQLITE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "store/drv.h"

/* The sqlite3_stmt a drv_stmt of this driver is. */
static inline sqlite3_stmt *drv_sqlite_stmt(struct drv_stmt *s)
{
	return (sqlite3_stmt *)(void *)s;
}

/* Ends the run and clears the bindings (drv.h).  A failed step's error
 * stays the connection's until its next call. */
static inline void drv_sqlite_reset(struct drv_stmt *s)
{
	sqlite3_reset(drv_sqlite_stmt(s));
	sqlite3_clear_bindings(drv_sqlite_stmt(s));
}

/* Out of range is SQLITE_RANGE, ignored as the contract says. */
static inline void drv_sqlite_bind_int64(struct drv_stmt *s, int i, int64_t v)
{
	sqlite3_bind_int64(drv_sqlite_stmt(s), i, v);
}

/* Borrowed until the next step (SQLITE_STATIC); NULL binds NULL. */
static inline void drv_sqlite_bind_text(struct drv_stmt *s, int i, const char *v)
{
	sqlite3_bind_text(drv_sqlite_stmt(s), i, v, -1, SQLITE_STATIC);
}

static inline void drv_sqlite_bind_null(struct drv_stmt *s, int i)
{
	sqlite3_bind_null(drv_sqlite_stmt(s), i);
}

static inline enum drv_step drv_sqlite_step(struct drv_stmt *s)
{
	int rc = sqlite3_step(drv_sqlite_stmt(s));

	return rc == SQLITE_ROW ? DRV_ROW : rc == SQLITE_DONE ? DRV_DONE : DRV_ERROR;
}

static inline int drv_sqlite_column_count(struct drv_stmt *s)
{
	return sqlite3_column_count(drv_sqlite_stmt(s));
}

static inline enum drv_type drv_sqlite_column_type(struct drv_stmt *s, int i)
{
	switch (sqlite3_column_type(drv_sqlite_stmt(s), i)) {
	case SQLITE_INTEGER:
		return DRV_INT;
	case SQLITE_FLOAT:
		return DRV_FLOAT;
	case SQLITE_TEXT:
		return DRV_TEXT;
	case SQLITE_BLOB:
		return DRV_BLOB;
	default:
		return DRV_NULL;
	}
}

static inline int drv_sqlite_column_null(struct drv_stmt *s, int i)
{
	return sqlite3_column_type(drv_sqlite_stmt(s), i) == SQLITE_NULL;
}

static inline int64_t drv_sqlite_column_int64(struct drv_stmt *s, int i)
{
	return sqlite3_column_int64(drv_sqlite_stmt(s), i);
}

static inline const char *drv_sqlite_column_text(struct drv_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(drv_sqlite_stmt(s), i);
}

/* After column_text (SQLite's order: the text first, then its length). */
static inline size_t drv_sqlite_column_bytes(struct drv_stmt *s, int i)
{
	return (size_t)sqlite3_column_bytes(drv_sqlite_stmt(s), i);
}

/* Our code for a SQLite result code (extended or primary): a UNIQUE or
 * PRIMARY KEY constraint AT_DUPLICATE; any other constraint (CHECK, NOT
 * NULL, FOREIGN KEY, the schema's RAISE(ABORT) triggers) AT_CONFLICT;
 * BUSY and LOCKED (any extended kind) AT_BUSY; anything else AT_STORAGE.
 * store.c's fail_rc() mapping, which phase 2 replaces with this. */
enum at_code drv_sqlite_code(int rc);

/* Wait for a lock up to `ms` milliseconds, trying again every half
 * millisecond (every connection opened here waits DRV_BUSY_TIMEOUT_MS),
 * or not at all (0). */
void drv_sqlite_busy_wait(sqlite3 *db, int ms);

/* The connection's handle, for what only SQLite has: pragmas, the WAL
 * hook and checkpoints, the backup API, scratch databases. */
sqlite3 *drv_sqlite_db(struct drv_conn *c);

#endif
