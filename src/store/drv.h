/*
 * drv.h — the database driver under store.c: one connection to one
 * engine, statements prepared once and stepped, transactions, and the
 * engine's failures in our error vocabulary (issue #11).  Internal to
 * store/.
 *
 * store.c keeps what is the same on every engine: every SQL text (one per
 * statement, a sparse per-dialect override where they must differ), the
 * binding of domain records to parameters and the filling of structs from
 * columns.  A driver only moves values.  Two drivers, one table each:
 * drv_sqlite (a thin wrapper over sqlite3_stmt) and drv_pg (libpq), the
 * shape of FreeRADIUS's rlm_sql and Dovecot's lib-sql drivers.
 *
 * The contract both keep, so store.c cannot tell them apart:
 *
 *  - SQL texts number their parameters ?1..?N as SQLite does (a bare ?
 *    is one more than the largest number before it).  drv_pg rewrites
 *    them to $N when preparing; never write $N (SQLite reads it as a
 *    named parameter, numbered by first use).
 *  - Binding a number beyond the statement's largest is ignored (SQLite's
 *    SQLITE_RANGE, which store.c ignores), a parameter left unbound is
 *    NULL.  bind_text borrows the string until the statement's next step:
 *    the caller keeps it alive that long (SQLITE_STATIC).  Bind after
 *    reset(), never between two steps of one run.
 *  - step() runs the statement on its first call after reset and gives
 *    one row per call: DRV_ROW, then DRV_DONE.  DRV_ERROR ends the run;
 *    errcode() and errmsg() of the connection say why.  The columns of a
 *    row are readable until the next step or reset.
 *  - Several statements may be run interleaved on one connection (a
 *    callback looking something up while a list is being read): SQLite
 *    steps each where it stands; libpq has one result in flight per
 *    connection, so drv_pg first reads the rest of the other statement's
 *    rows into memory.  Streaming stays flat only when nothing
 *    interleaves.
 *  - reset() ends the run and clears every binding to NULL.  On
 *    PostgreSQL a run stopped before DRV_DONE still receives (and drops)
 *    its remaining rows: give a LIMIT to a result a caller may abandon.
 *  - Integers come back as int64: a PostgreSQL boolean as 1 or 0, a text
 *    column as its decimal value, NULL as 0.  Texts are UTF-8, NUL
 *    terminated, NULL for SQL NULL.  A boolean's text differs ("t" on
 *    PostgreSQL, "1" on SQLite): read a comparison with column_int64.
 *  - A failed statement inside a transaction: SQLite undoes that statement
 *    and the transaction goes on; PostgreSQL aborts the whole transaction
 *    and refuses every statement until rollback (25P02, AT_STORAGE), and
 *    its COMMIT then rolls back (commit() says AT_STORAGE).  Where a
 *    transaction must go on after a refusal (core's "insert first, explain
 *    after" in asset creation and the import), the statement goes between
 *    savepoint() and release(), or rollback_to() once it failed.  Real
 *    savepoints on both (SAVEPOINT / RELEASE / ROLLBACK TO), so
 *    rollback_to() undoes the same everywhere: all since savepoint().
 *    Inside a transaction only (outside one, AT_STORAGE).
 *
 * Writes are serialized on both: begin_write() takes the database's one
 * write lock before the transaction reads anything (SQLite BEGIN
 * IMMEDIATE; PostgreSQL BEGIN under READ COMMITTED and a row lock on the
 * head of the event log, SELECT ... FROM event_head FOR UPDATE, held to
 * commit), so what core checked cannot change before it commits.  Waiting
 * for it ends after DRV_BUSY_TIMEOUT_MS with AT_BUSY.  begin_read() is
 * one consistent snapshot for several statements (SQLite: BEGIN DEFERRED;
 * PostgreSQL: REPEATABLE READ READ ONLY).  On both the snapshot is taken
 * by the transaction's first read, not by begin_read(): what commits in
 * between is seen.  A failure: errcode() and errmsg() say why, read right
 * after the call that failed (SQLite keeps only its last call's outcome).
 *
 * A connection and its statements belong to one thread at a time.
 */
#ifndef AT_STORE_DRV_H
#define AT_STORE_DRV_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* How long a statement waits for a lock (SQLite's busy timeout,
 * PostgreSQL's lock_timeout) before it fails with AT_BUSY. */
#define DRV_BUSY_TIMEOUT_MS 10000

/* The largest parameter number a statement may use (SQLite's default
 * SQLITE_MAX_VARIABLE_NUMBER; PostgreSQL allows 65,535). */
#define DRV_MAX_PARAMS 32766

struct drv_conn;
struct drv_stmt;

enum drv_step { DRV_ROW, DRV_DONE, DRV_ERROR };

/* A column's value in the current row (state digests print each kind
 * differently: docs/checkpoints.md). */
enum drv_type { DRV_NULL, DRV_INT, DRV_FLOAT, DRV_TEXT, DRV_BLOB };

/* open() flags.  DRV_CREATE makes a SQLite file that does not exist
 * (PostgreSQL databases are made by their administrator: ignored). */
enum { DRV_READONLY = 1, DRV_CREATE = 2 };

struct drv {
	const char *name;                    /* "sqlite", "postgresql" */

	/* Connect to `target` (a file path, or a libpq URI); DRV_READONLY
	 * refuses writes.  On failure *out is NULL and `e` says why. */
	enum at_code (*open)(const char *target, int flags, struct drv_conn **out,
	                     struct at_errors *e);
	/* Finalizes the connection's statements too.  NULL is a no-op. */
	void (*close)(struct drv_conn *c);
	/* Run a script of statements without parameters or results (the
	 * schema, settings). */
	enum at_code (*exec)(struct drv_conn *c, const char *sql);

	/* Prepare `sql` for the life of the connection. */
	enum at_code (*prepare)(struct drv_conn *c, const char *sql, struct drv_stmt **out);
	void (*finalize)(struct drv_stmt *s);
	void (*reset)(struct drv_stmt *s);
	void (*bind_int64)(struct drv_stmt *s, int i, int64_t v);
	/* `v` NULL binds NULL. */
	void (*bind_text)(struct drv_stmt *s, int i, const char *v);
	void (*bind_null)(struct drv_stmt *s, int i);
	enum drv_step (*step)(struct drv_stmt *s);

	/* Columns of the current row, from 0. */
	int (*column_count)(struct drv_stmt *s);
	enum drv_type (*column_type)(struct drv_stmt *s, int i);
	int (*column_null)(struct drv_stmt *s, int i);
	int64_t (*column_int64)(struct drv_stmt *s, int i);
	const char *(*column_text)(struct drv_stmt *s, int i);
	size_t (*column_bytes)(struct drv_stmt *s, int i);

	enum at_code (*begin_write)(struct drv_conn *c);
	enum at_code (*begin_read)(struct drv_conn *c);
	enum at_code (*commit)(struct drv_conn *c);
	/* Safe to call with no transaction open. */
	void (*rollback)(struct drv_conn *c);
	int (*in_txn)(struct drv_conn *c);
	/* Around one statement that may be refused while its transaction
	 * goes on (see above); one level, not nested. */
	enum at_code (*savepoint)(struct drv_conn *c);
	enum at_code (*release)(struct drv_conn *c);
	void (*rollback_to)(struct drv_conn *c);

	/* Rows the last completed INSERT, UPDATE or DELETE changed. */
	int64_t (*changes)(struct drv_conn *c);
	/* The last failure on this connection, as a code (AT_DUPLICATE,
	 * AT_CONFLICT, AT_BUSY, AT_STORAGE) and in the engine's words. */
	enum at_code (*errcode)(struct drv_conn *c);
	const char *(*errmsg)(struct drv_conn *c);
};

extern const struct drv drv_sqlite;   /* drv_sqlite.c, drv_sqlite.h */
extern const struct drv drv_pg;       /* drv_pg.c, drv_pg.h */

#endif
