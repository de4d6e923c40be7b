/*
 * drv_pg.h — the PostgreSQL driver's own functions, beside its driver
 * table (drv.h's drv_pg): the parameter rewriter, the SQLSTATE mapping and
 * what only a PostgreSQL connection has.  Internal to store/ (and its
 * tests).
 */
#ifndef AT_STORE_DRV_PG_H
#define AT_STORE_DRV_PG_H

#include "store/drv.h"
#include "util/buf.h"
#include "util/err.h"

/* Does `target` name a PostgreSQL database (a postgresql:// or
 * postgres:// libpq URI) rather than a SQLite file? */
int drv_pg_is_uri(const char *target);

/*
 * Rewrite a statement written for SQLite into PostgreSQL's: each ?N
 * becomes $N, a bare ? the number SQLite gives it (one more than the
 * largest before it), and SQLite's planner hints INDEXED BY name and NOT
 * INDEXED are dropped (PostgreSQL plans by itself; one text then serves
 * both).  String literals ('...', E'...'), quoted identifiers ("..."),
 * comments (line and nested block comments) and dollar-quoted text are
 * copied as they are.  `out` gets the text; `used` (may be NULL; DRV_MAX_PARAMS + 1
 * entries, zeroed by the caller) gets 1 at each number the text uses.
 * Returns the largest number (0: none), or -1 with `why` saying what is
 * wrong: a $N in the text (write ?N), a number outside 1..DRV_MAX_PARAMS,
 * or `out` past its cap.
 */
int drv_pg_rewrite(const char *sql, struct buf *out, unsigned char *used, char why[AT_MSG_MAX]);

/* Our code for a SQLSTATE: 23505 AT_DUPLICATE; any other of class 23
 * (the schema's triggers' 23T01 among them) AT_CONFLICT; 40001
 * (serialization), 40P01 (deadlock), 55P03 (lock timeout) and 57014
 * (statement timeout, cancel) AT_BUSY; anything else, and no SQLSTATE
 * (the connection failed), AT_STORAGE. */
enum at_code drv_pg_code(const char *sqlstate);

/* The SQLSTATE of the connection's last failure ("" when it had none from
 * the server, e.g. a lost connection). */
const char *drv_pg_sqlstate(struct drv_conn *c);

/* The server's version as PQserverVersion gives it (150018 is 15.18). */
int drv_pg_server_version(struct drv_conn *c);

/*
 * Is the connection still there, as far as can be told without a round
 * trip?  1, or 0 when libpq found it broken or the server, while it sat
 * idle, ended the session (pg_terminate_backend, a restart: the server
 * says so and closes).  A poll() of its socket; nothing is sent.
 */
int drv_pg_usable(struct drv_conn *c);

/*
 * Mark `s` (a statement that returns no rows) deferrable: inside a
 * transaction its step sends it in pipeline mode and answers DRV_DONE at
 * once, and its result is read with the others before the connection's
 * next round trip (drv_pg.c, "Deferred writes").  Its failure is then
 * reported by that next call (a step, a savepoint, the commit at the
 * latest), with the same code and words, and the transaction is aborted
 * by it as by any failure.  For writes whose answer nothing depends on
 * but their success.
 */
void drv_pg_deferrable(struct drv_stmt *s);

#endif
