/*
 * db.h — opening the database and reading from one snapshot, for front
 * ends.  The handle is `struct store` (opaque outside store/); these are
 * the only lifecycle calls cli/ and web/ make.
 */
#ifndef AT_CORE_DB_H
#define AT_CORE_DB_H

#include "core/types.h"

/* DB_CREATE: create the file and its schema, or migrate an older one.
 * DB_READONLY: open for reading only (a copy's source). */
enum { DB_CREATE = 1, DB_READONLY = 2 };

/* Whether `db` (--db) names a PostgreSQL database, a libpq URI
 * (postgresql://, postgres://; SPEC §6), rather than a SQLite file. */
int db_is_server(const char *db);
/* `db` as it may be shown or logged: a URI without its password (the
 * user-info's and a password= parameter's); a path as it is. */
void db_display(const char *db, char *out, size_t cap);
/* The path the program's own files for `db` are named after (its
 * checkpoints and signing key, the server's uploads and lock):
 * `PATH.checkpoints`, `PATH.uploads/`.  For a file, the file.  A
 * PostgreSQL database has no file: `$ASSETTRACK_STATE_DIR` (default the
 * working directory) / `assettrack-pg-NAME-HASH`, NAME the database's
 * name (letters, digits, - and _ kept) and HASH 8 hex digits of the
 * shown URI, so two databases never share files and a password change
 * keeps them.  -1 if it does not fit. */
int db_local_base(const char *db, char *out, size_t cap);

/* Open the database at `path`.  AT_STORAGE with a message on failure. */
enum at_code db_open(const char *path, int flags, struct store **out, struct at_errors *e);
void db_close(struct store *st);
/* Finish an import a crash interrupted, if its process is gone or silent
 * (core/import.h: import_recover); said on stderr when it does, or
 * cannot.  db_open(DB_CREATE) calls it; so does the server's import
 * watch. */
void db_finish_import(struct store *st);
/* Schema version of the open file (PRAGMA user_version). */
int db_schema_version(struct store *st);
/* Can the connection still be used: store_usable (store.h). */
int db_usable(struct store *st);
/* `init --app-role NAME` on PostgreSQL: store_grant_app (store.h). */
enum at_code db_grant_app(struct store *st, const char *app, struct at_errors *e);
/* Online backup of the whole database to a new file at `path`. */
enum at_code db_backup(struct store *st, const char *path, struct at_errors *e);
/* Message of the last database error on this handle. */
const char *db_errmsg(struct store *st);

/* Free the memory a connection holds but does not need (its page cache),
 * for a connection kept idle for later. */
void db_release_memory(struct store *st);

/* A consistent snapshot for reads made of several queries (a page, a
 * case with its slots).  db_read_end() is safe without one. */
enum at_code db_read_begin(struct store *st, struct at_errors *e);
void db_read_end(struct store *st);
/* The same snapshot, cheaper on SQLite (no BEGIN and ROLLBACK:
 * store_read_snapshot()), for a request whose reads are few
 * (web/route.c).  Inside it db_data_version() gives the version at its
 * start, and a write transaction is refused.  Ended by db_read_end(). */
enum at_code db_read_snapshot(struct store *st, struct at_errors *e);
/* Changes whenever another connection has committed since this one last
 * looked (PRAGMA data_version); -1 on error. */
int64_t db_data_version(struct store *st);

int64_t db_event_count(struct store *st);
int64_t db_user_count(struct store *st);

/*
 * WAL checkpoints out of the commit path, for the server (web/walckpt.c).
 * db_wal_manual(fn, ctx): every connection opened from now on in this
 * process has no automatic checkpoint (which SQLite runs inside the commit
 * that leaves 1,000 frames in the WAL), and calls fn(ctx, frames in the
 * WAL) after each of its commits, on the committing thread.  NULL: back
 * to automatic checkpoints for connections opened later.
 */
typedef void (*db_wal_fn)(void *ctx, int wal_frames);
void db_wal_manual(db_wal_fn fn, void *ctx);
/* Copy what can be copied from the WAL into the database without waiting
 * for anyone (`truncate` 0); or all of it and empty the WAL file, AT_BUSY
 * at once if a reader or a writer is in the way (`truncate` 1).  `*frames`
 * and `*moved` (may be NULL): frames in the WAL and those now copied. */
enum at_code db_wal_checkpoint(struct store *st, int truncate, int *frames, int *moved,
                               struct at_errors *e);

#endif
