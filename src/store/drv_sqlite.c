/*
 * drv_sqlite.c — the SQLite driver (drv.h) over the sqlite3 C API.
 *
 * A thin wrapper: a statement is its sqlite3_stmt (drv_sqlite.h), the
 * per-row calls are SQLite's own, and the connection adds only its
 * transaction statements, prepared once and kept (a BEGIN per request
 * prepared anew would cost more than the lookup it wraps), and the
 * driver's own refusals.
 *
 * The engine's failures are read from the connection as SQLite keeps them
 * (sqlite3_extended_errcode, sqlite3_errmsg): the outcome of its last
 * call.  That is why drv.h asks for errcode() and errmsg() right after the
 * call that failed.
 */
#include "store/drv_sqlite.h"
#include "store/sqlite_mem.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The transaction statements every connection keeps. */
enum txn_stmt {
	TXN_BEGIN_WRITE,
	TXN_BEGIN_READ,
	TXN_COMMIT,
	TXN_ROLLBACK,
	TXN_SAVEPOINT,
	TXN_RELEASE,
	TXN_ROLLBACK_TO,
	TXN__MAX
};

static const char *const txn_sql[TXN__MAX] = {
	/* The write lock before anything is read: what core checked cannot
	 * change before it commits. */
	[TXN_BEGIN_WRITE] = "BEGIN IMMEDIATE",
	/* The snapshot is taken by the transaction's first read (so on
	 * PostgreSQL: REPEATABLE READ takes it at the first statement). */
	[TXN_BEGIN_READ] = "BEGIN DEFERRED",
	[TXN_COMMIT] = "COMMIT",
	[TXN_ROLLBACK] = "ROLLBACK",
	[TXN_SAVEPOINT] = "SAVEPOINT drv_sp",
	[TXN_RELEASE] = "RELEASE drv_sp",
	[TXN_ROLLBACK_TO] = "ROLLBACK TO drv_sp",
};

/*
 * Waiting for the write lock.  SQLite's own busy handler (what
 * sqlite3_busy_timeout installs) sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25,
 * 50, 50 and then 100 ms between tries.  A writer that comes while
 * another client commits back to back (500-asset Stock-Outs, each some
 * 50 ms) mostly sleeps through the short gaps between their
 * transactions, and the other takes the lock again first: a single-asset
 * Stock-Out waited 2.9 s so (bench/README.md, "Latency under mixed
 * load").  This one tries again every half millisecond, until `ctx`
 * milliseconds have passed since the first refusal.  A wait is within one
 * call on one thread, so its start is the thread's.
 */
static int busy_poll(void *ctx, int tries)
{
	static _Thread_local struct timespec from;
	struct timespec now, nap = { 0, 500 * 1000 };
	long long waited;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (tries == 0)
		from = now;
	waited = (long long)(now.tv_sec - from.tv_sec) * 1000 +
	         (now.tv_nsec - from.tv_nsec) / 1000000;
	if (waited >= (intptr_t)ctx)
		return 0;
	nanosleep(&nap, NULL);
	return 1;
}

void drv_sqlite_busy_wait(sqlite3 *db, int ms)
{
	if (ms > 0)
		sqlite3_busy_handler(db, busy_poll, (void *)(intptr_t)ms);
	else
		sqlite3_busy_timeout(db, 0);
}

struct drv_conn {
	sqlite3 *db;
	sqlite3_stmt *txn[TXN__MAX];
	/* A refusal of the driver's own (not SQLite's), until the next call
	 * on the connection that is not a statement's. */
	enum at_code own;
	char msg[AT_MSG_MAX];
};

/* ==== errors =========================================================== */

enum at_code drv_sqlite_code(int rc)
{
	int prim = rc & 0xff;

	if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
		return AT_BUSY;
	if (prim == SQLITE_CONSTRAINT)
		return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY
		               ? AT_DUPLICATE
		               : AT_CONFLICT;
	return AT_STORAGE;
}

static enum at_code own_fail(struct drv_conn *c, const char *msg)
{
	c->own = AT_STORAGE;
	snprintf(c->msg, sizeof(c->msg), "%s", msg);
	return c->own;
}

/* SQLite's code for the call that just failed. */
static enum at_code lite_fail(struct drv_conn *c)
{
	return drv_sqlite_code(sqlite3_extended_errcode(c->db));
}

/* ==== statements ======================================================= */

static enum at_code lite_prepare(struct drv_conn *c, const char *sql, struct drv_stmt **out)
{
	sqlite3_stmt *s = NULL;

	*out = NULL;
	c->own = AT_OK;
	if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
		return lite_fail(c);
	/* Only white space or a comment: nothing SQLite could step. */
	if (!s)
		return own_fail(c, "empty statement");
	*out = (struct drv_stmt *)(void *)s;
	return AT_OK;
}

static void lite_finalize(struct drv_stmt *s)
{
	sqlite3_finalize(drv_sqlite_stmt(s));
}

/* The table's entries: the inline calls, each compiled once here. */
static void lite_reset(struct drv_stmt *s)
{
	drv_sqlite_reset(s);
}

static void lite_bind_int64(struct drv_stmt *s, int i, int64_t v)
{
	drv_sqlite_bind_int64(s, i, v);
}

static void lite_bind_text(struct drv_stmt *s, int i, const char *v)
{
	drv_sqlite_bind_text(s, i, v);
}

static void lite_bind_null(struct drv_stmt *s, int i)
{
	drv_sqlite_bind_null(s, i);
}

static enum drv_step lite_step(struct drv_stmt *s)
{
	return drv_sqlite_step(s);
}

static int lite_column_count(struct drv_stmt *s)
{
	return drv_sqlite_column_count(s);
}

static enum drv_type lite_column_type(struct drv_stmt *s, int i)
{
	return drv_sqlite_column_type(s, i);
}

static int lite_column_null(struct drv_stmt *s, int i)
{
	return drv_sqlite_column_null(s, i);
}

static int64_t lite_column_int64(struct drv_stmt *s, int i)
{
	return drv_sqlite_column_int64(s, i);
}

static const char *lite_column_text(struct drv_stmt *s, int i)
{
	return drv_sqlite_column_text(s, i);
}

static size_t lite_column_bytes(struct drv_stmt *s, int i)
{
	return drv_sqlite_column_bytes(s, i);
}

/* ==== connections ====================================================== */

/* Process-wide settings, before the library initialises (after it, they
 * fail and change nothing).  Memory statistics take a global mutex on
 * every allocation; nothing reads them. */
static void global_init(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite_mem_install();
	sqlite3_initialize();
}

/* Collation "C": bytes, as BINARY.  PostgreSQL needs COLLATE "C" where an
 * expression has no column to take its collation from (lower(?1)); with
 * this, SQLite reads the same text.  Per connection, never in the schema:
 * the sqlite3 shell and other tools must still open the file. */
static int collate_c(void *arg, int na, const void *a, int nb, const void *b)
{
	int n = na < nb ? na : nb;
	int r = n > 0 ? memcmp(a, b, (size_t)n) : 0;

	(void)arg;
	return r ? r : (na > nb) - (na < nb);
}

static void lite_close(struct drv_conn *c)
{
	sqlite3_stmt *s;

	if (!c)
		return;
	for (int i = 0; i < TXN__MAX; i++)
		sqlite3_finalize(c->txn[i]);
	/* The caller has finalized its statements.  Those left now are a
	 * virtual table's (FTS5 prepares its own on this connection), which
	 * closing lets it finalize: finalized here first, they were freed
	 * twice.  Should a caller's be left, close says BUSY; then every
	 * statement goes, and the close again. */
	if (c->db && sqlite3_close(c->db) == SQLITE_BUSY) {
		while ((s = sqlite3_next_stmt(c->db, NULL)) != NULL)
			sqlite3_finalize(s);
		sqlite3_close(c->db);
	}
	free(c);
}

static enum at_code lite_exec(struct drv_conn *c, const char *sql)
{
	c->own = AT_OK;
	return sqlite3_exec(c->db, sql, NULL, NULL, NULL) == SQLITE_OK ? AT_OK : lite_fail(c);
}

static enum at_code lite_open(const char *target, int flags, struct drv_conn **out,
                              struct at_errors *e)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	int oflags = (flags & DRV_READONLY) ? SQLITE_OPEN_READONLY
	                                    : SQLITE_OPEN_READWRITE |
	                                              ((flags & DRV_CREATE) ? SQLITE_OPEN_CREATE : 0);
	struct drv_conn *c = NULL;
	enum at_code code = AT_OK;

	*out = NULL;
	pthread_once(&once, global_init);
	c = calloc(1, sizeof(*c));
	if (!c)
		return at_fail(e, AT_INTERNAL, "out of memory");
	if (sqlite3_open_v2(target, &c->db, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		code = at_fail(e, AT_STORAGE, "cannot open database %s: %s", target,
		               c->db ? sqlite3_errmsg(c->db) : "out of memory");
		goto out;
	}
	sqlite3_extended_result_codes(c->db, 1);
	drv_sqlite_busy_wait(c->db, DRV_BUSY_TIMEOUT_MS);
	/* Foreign keys as PostgreSQL always has them: a dangling reference is
	 * AT_CONFLICT on both.  (A scratch database may turn them off.) */
	if (sqlite3_create_collation_v2(c->db, "C", SQLITE_UTF8, NULL, collate_c, NULL) !=
	            SQLITE_OK ||
	    lite_exec(c, "PRAGMA foreign_keys = ON") != AT_OK) {
		code = at_fail(e, AT_STORAGE, "cannot set up database %s: %s", target,
		               sqlite3_errmsg(c->db));
		goto out;
	}
	*out = c;
	c = NULL;
out:
	lite_close(c);
	return code;
}

/* ==== transactions ===================================================== */

/* Run transaction statement `which` (prepared on first use, kept). */
static enum at_code txn_run(struct drv_conn *c, enum txn_stmt which)
{
	sqlite3_stmt *s = c->txn[which];
	int rc;

	c->own = AT_OK;
	if (!s) {
		if (sqlite3_prepare_v3(c->db, txn_sql[which], -1, SQLITE_PREPARE_PERSISTENT, &s,
		                       NULL) != SQLITE_OK)
			return lite_fail(c);
		c->txn[which] = s;
	}
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE) {
		enum at_code code = lite_fail(c);

		sqlite3_reset(s);
		return code;
	}
	sqlite3_reset(s);
	return AT_OK;
}

static int lite_in_txn(struct drv_conn *c)
{
	return !sqlite3_get_autocommit(c->db);
}

static enum at_code lite_begin_write(struct drv_conn *c)
{
	return txn_run(c, TXN_BEGIN_WRITE);
}

static enum at_code lite_begin_read(struct drv_conn *c)
{
	return txn_run(c, TXN_BEGIN_READ);
}

/* A COMMIT refused as busy leaves the transaction open (SQLite), where
 * PostgreSQL's would end it: the caller rolls back either way. */
static enum at_code lite_commit(struct drv_conn *c)
{
	return txn_run(c, TXN_COMMIT);
}

static void lite_rollback(struct drv_conn *c)
{
	if (c && lite_in_txn(c))
		txn_run(c, TXN_ROLLBACK);
}

/* Real savepoints, as on PostgreSQL, so that rollback_to() undoes the
 * same on both: everything since savepoint(), not only a failed
 * statement (which SQLite would undo by itself).  Outside a transaction
 * SQLite's SAVEPOINT would begin one; PostgreSQL refuses, and so do we. */
static enum at_code lite_savepoint(struct drv_conn *c)
{
	c->own = AT_OK;
	if (!lite_in_txn(c))
		return own_fail(c, "SAVEPOINT can only be used in a transaction");
	return txn_run(c, TXN_SAVEPOINT);
}

static enum at_code lite_release(struct drv_conn *c)
{
	return txn_run(c, TXN_RELEASE);
}

/* A failure that ended the whole transaction (SQLite rolls back by itself
 * on some I/O errors and out of memory) leaves no savepoint: nothing to
 * do, and in_txn() says so. */
static void lite_rollback_to(struct drv_conn *c)
{
	if (txn_run(c, TXN_ROLLBACK_TO) == AT_OK)
		txn_run(c, TXN_RELEASE);
}

static int64_t lite_changes(struct drv_conn *c)
{
	return sqlite3_changes64(c->db);
}

static enum at_code lite_errcode(struct drv_conn *c)
{
	return c->own != AT_OK ? c->own : lite_fail(c);
}

static const char *lite_errmsg(struct drv_conn *c)
{
	if (!c)
		return "database not open";
	return c->own != AT_OK ? c->msg : sqlite3_errmsg(c->db);
}

sqlite3 *drv_sqlite_db(struct drv_conn *c)
{
	return c->db;
}

const struct drv drv_sqlite = {
	.name = "sqlite",
	.open = lite_open,
	.close = lite_close,
	.exec = lite_exec,
	.prepare = lite_prepare,
	.finalize = lite_finalize,
	.reset = lite_reset,
	.bind_int64 = lite_bind_int64,
	.bind_text = lite_bind_text,
	.bind_null = lite_bind_null,
	.step = lite_step,
	.column_count = lite_column_count,
	.column_type = lite_column_type,
	.column_null = lite_column_null,
	.column_int64 = lite_column_int64,
	.column_text = lite_column_text,
	.column_bytes = lite_column_bytes,
	.begin_write = lite_begin_write,
	.begin_read = lite_begin_read,
	.commit = lite_commit,
	.rollback = lite_rollback,
	.in_txn = lite_in_txn,
	.savepoint = lite_savepoint,
	.release = lite_release,
	.rollback_to = lite_rollback_to,
	.changes = lite_changes,
	.errcode = lite_errcode,
	.errmsg = lite_errmsg,
};
