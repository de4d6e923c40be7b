/*
 * drv_pg.c — the PostgreSQL driver (drv.h) over libpq.
 *
 * Each statement is prepared by name on its connection (PQprepare) and
 * run with PQsendQueryPrepared in single-row mode: rows come off the
 * socket one at a time, so reading the whole log holds one row, not a
 * million (libpq's default gathers a whole result in memory first).
 * Values travel as text both ways.  Failures are classed by SQLSTATE
 * (drv_pg_code).
 *
 * libpq has one result in flight per connection.  A statement whose rows
 * are still coming in is the connection's `active` one; anything else
 * that must talk to the server first parks it: reads the rest of its rows
 * into a packed buffer that its later steps read from (drv.h: statements
 * may interleave).
 */
#include "store/drv_pg.h"

#include <ctype.h>
#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Built-in type OIDs (the server's pg_type.dat, the same in every
 * version; libpq-dev does not ship the header that names them). */
enum {
	OID_BOOL = 16,
	OID_BYTEA = 17,
	OID_INT8 = 20,
	OID_INT2 = 21,
	OID_INT4 = 23,
	OID_TEXT = 25,
	OID_OID = 26,
	OID_FLOAT4 = 700,
	OID_FLOAT8 = 701,
	OID_NUMERIC = 1700,
};

#define STR_(x) #x
#define STR(x) STR_(x)

/* Longer than any statement the program runs (reading a million-event
 * log for the replay takes under a minute): a runaway one ends instead of
 * holding its locks and its connection for ever. */
#define STATEMENT_TIMEOUT_MS 300000
/* A transaction left open by a hung process gives the write lock back. */
#define IDLE_TXN_TIMEOUT_MS 300000

/* Every connection's settings.  lock_timeout is SQLite's busy timeout:
 * a writer waits that long for the head's lock, then AT_BUSY. */
static const char settings_sql[] =
	"SET lock_timeout = " STR(DRV_BUSY_TIMEOUT_MS) "; "
	"SET statement_timeout = " STR(STATEMENT_TIMEOUT_MS) "; "
	"SET idle_in_transaction_session_timeout = " STR(IDLE_TXN_TIMEOUT_MS);

struct drv_conn {
	PGconn *pg;
	unsigned nprepared;                  /* statement names s1, s2, ... */
	struct drv_stmt *stmts;              /* every statement, for close */
	struct drv_stmt *active;             /* whose rows are coming in */
	int txn;                             /* a transaction is open */
	/* Deferred writes (defer(), unpipe()): statements sent in pipeline
	 * mode whose results are not read yet, and whether one of those
	 * read so far failed (its error is c->err until a rollback). */
	unsigned piped;
	int pipe_failed;
	int64_t changes;
	enum at_code err;                    /* the last failure */
	char state[6];
	char msg[AT_MSG_MAX];
};

enum run {
	RUN_IDLE,                            /* bound, not sent */
	RUN_STREAM,                          /* sent; the connection's active one */
	RUN_PARKED,                          /* the rest of its rows in `park` */
	RUN_DONE,
};

struct drv_stmt {
	struct drv_conn *c;
	struct drv_stmt *next;
	char name[16];
	int nparams;
	const char **values;                 /* bound texts, NULL for NULL */
	char (*num)[24];                     /* the text of bound integers */
	enum run run;
	int deferrable;                      /* drv_pg_deferrable() */
	PGresult *row;                       /* streaming: the current row */
	/* The current row: values (NULL for NULL), lengths, types. */
	int ncols, cap_cols;
	const char **col;
	size_t *len;
	Oid *type;
	/* Parked rows, packed: per column a 4-byte length (-1: NULL), then
	 * the bytes and a NUL; read from `park_at`.  `park_end` is the
	 * statement's final result (success or its error). */
	struct buf park;
	size_t park_at;
	PGresult *park_end;
};

/* ==== errors =========================================================== */

enum at_code drv_pg_code(const char *state)
{
	static const char *const busy[] = { "40001", "40P01", "55P03", "57014" };

	if (!state || strlen(state) != 5)
		return AT_STORAGE;
	if (strcmp(state, "23505") == 0)
		return AT_DUPLICATE;
	/* A text parameter that is not UTF-8 (character_not_in_repertoire):
	 * bad input, not a storage fault.  The front ends refuse such text
	 * before asking (web/route.c request_utf8); this is the floor. */
	if (strcmp(state, "22021") == 0)
		return AT_INVALID;
	if (strncmp(state, "23", 2) == 0)
		return AT_CONFLICT;
	for (size_t i = 0; i < sizeof(busy) / sizeof(busy[0]); i++)
		if (strcmp(state, busy[i]) == 0)
			return AT_BUSY;
	return AT_STORAGE;
}

/* Record a failure; libpq's messages may span lines, ours are one. */
static void set_err(struct drv_conn *c, enum at_code code, const char *state, const char *msg)
{
	size_t n;

	c->err = code;
	snprintf(c->state, sizeof(c->state), "%s", state ? state : "");
	snprintf(c->msg, sizeof(c->msg), "%s", msg && *msg ? msg : "unknown PostgreSQL error");
	for (char *p = c->msg; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	n = strlen(c->msg);
	while (n && c->msg[n - 1] == ' ')
		c->msg[--n] = '\0';
}

/* The failure a result (NULL: out of memory or a lost connection) says. */
static void err_from_result(struct drv_conn *c, const PGresult *r)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	enum at_code code = drv_pg_code(state);

	/* No result because a deferred write failed: that is the error. */
	if (!r && c->pipe_failed)
		return;
	if (!msg || !*msg)
		msg = r ? PQresultErrorMessage(r) : NULL;
	if (!msg || !*msg)
		msg = PQerrorMessage(c->pg);
	/* Whatever the server said last, a connection that is gone is never
	 * a refusal: it is busy (503, try again), and the next request opens
	 * another (drv_pg_usable). */
	if (PQstatus(c->pg) != CONNECTION_OK) {
		char lost[AT_MSG_MAX];
		snprintf(lost, sizeof(lost), "the connection to PostgreSQL was lost (%s); try again",
		         msg && *msg ? msg : "no reason given");
		set_err(c, AT_BUSY, state, lost);
		return;
	}
	set_err(c, code, state, msg);
}

int drv_pg_usable(struct drv_conn *c)
{
	struct pollfd p;

	if (!c || !c->pg || PQstatus(c->pg) != CONNECTION_OK)
		return 0;
	/* Inside a transaction or a result, the socket is ours to read. */
	if (c->txn || c->active)
		return 1;
	p.fd = PQsocket(c->pg);
	if (p.fd < 0)
		return 0;
	/* Idle, nothing is owed to us: what is readable is the server ending
	 * the session (an error, then the close), or a notice.  Read it; a
	 * close makes PQconsumeInput fail.  A few rounds at most. */
	for (int i = 0; i < 4; i++) {
		p.events = POLLIN;
		p.revents = 0;
		if (poll(&p, 1, 0) <= 0)
			return 1;
		if (!PQconsumeInput(c->pg) || PQstatus(c->pg) != CONNECTION_OK)
			return 0;
		for (PGnotify *n; (n = PQnotifies(c->pg)) != NULL;)
			PQfreemem(n);
	}
	return PQstatus(c->pg) == CONNECTION_OK;
}

const char *drv_pg_sqlstate(struct drv_conn *c)
{
	return c->state;
}

int drv_pg_server_version(struct drv_conn *c)
{
	return PQserverVersion(c->pg);
}

int drv_pg_is_uri(const char *target)
{
	return target && (strncmp(target, "postgresql://", 13) == 0 ||
	                  strncmp(target, "postgres://", 11) == 0);
}

/* ==== ?N -> $N ========================================================= */

static int ident_char(unsigned char ch)
{
	return isalnum(ch) || ch == '_' || ch == '$' || ch >= 0x80;
}

/* Copy a quoted text from its opening quote `q` past its closing one (a
 * doubled quote is the quote itself; with `backslash`, \ escapes the
 * next byte); returns where it ends. */
static const char *copy_quoted(struct buf *out, const char *p, char q, int backslash)
{
	const char *start = p++;

	while (*p) {
		if (backslash && *p == '\\' && p[1]) {
			p += 2;
		} else if (*p == q && p[1] == q) {
			p += 2;
		} else if (*p == q) {
			p++;
			break;
		} else {
			p++;
		}
	}
	buf_add(out, start, (size_t)(p - start));
	return p;
}

/* Copy a block comment, nested ones inside it included. */
static const char *copy_comment(struct buf *out, const char *p)
{
	const char *start = p;
	int depth = 0;

	while (*p) {
		if (p[0] == '/' && p[1] == '*') {
			depth++;
			p += 2;
		} else if (p[0] == '*' && p[1] == '/') {
			p += 2;
			if (--depth == 0)
				break;
		} else {
			p++;
		}
	}
	buf_add(out, start, (size_t)(p - start));
	return p;
}

/* The length of a dollar quote's opening tag ($$ or $name$) at p, else 0. */
static size_t dollar_tag(const char *p)
{
	size_t n = 1;

	if (p[n] != '$' && !(isalpha((unsigned char)p[n]) || p[n] == '_' ||
	                     (unsigned char)p[n] >= 0x80))
		return 0;
	while (p[n] && p[n] != '$') {
		if (!ident_char((unsigned char)p[n]))
			return 0;
		n++;
	}
	return p[n] == '$' ? n + 1 : 0;
}

/* Copy dollar-quoted text whose tag is `n` bytes long. */
static const char *copy_dollar(struct buf *out, const char *p, size_t n)
{
	const char *q = p + n;

	while (*q && !(*q == '$' && strncmp(q, p, n) == 0))
		q++;
	if (*q)
		q += n;
	buf_add(out, p, (size_t)(q - p));
	return q;
}

/* The length of keyword `kw` at p (any letter case) when a word ends
 * there, else 0. */
static size_t keyword(const char *p, const char *kw)
{
	size_t n = strlen(kw);

	return strncasecmp(p, kw, n) == 0 && !ident_char((unsigned char)p[n]) ? n : 0;
}

static const char *skip_space(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

/* SQLite's planner hints at p: where INDEXED BY name or NOT INDEXED
 * ends, else NULL. */
static const char *planner_hint(const char *p)
{
	const char *q;
	size_t k;

	if ((k = keyword(p, "INDEXED")) != 0) {
		q = skip_space(p + k);
		if ((k = keyword(q, "BY")) == 0)
			return NULL;
		q = skip_space(q + k);
		if (!isalpha((unsigned char)*q) && *q != '_')
			return NULL;
		while (ident_char((unsigned char)*q))
			q++;
		return q;
	}
	if ((k = keyword(p, "NOT")) != 0) {
		q = skip_space(p + k);
		if ((k = keyword(q, "INDEXED")) == 0 || keyword(skip_space(q + k), "BY"))
			return NULL;
		return q + k;
	}
	return NULL;
}

int drv_pg_rewrite(const char *sql, struct buf *out, unsigned char *used, char why[AT_MSG_MAX])
{
	const char *p = sql;
	int max = 0;

	why[0] = '\0';
	buf_reset(out);
	while (*p) {
		int word_start = p == sql || !ident_char((unsigned char)p[-1]);
		const char *end;
		size_t tag;

		if (*p == '\'') {
			/* E'...': backslash escapes, unless the E ends a longer word. */
			int esc = p > sql && (p[-1] == 'E' || p[-1] == 'e') &&
			          (p - 1 == sql || !ident_char((unsigned char)p[-2]));
			p = copy_quoted(out, p, '\'', esc);
		} else if (*p == '"') {
			p = copy_quoted(out, p, '"', 0);
		} else if (p[0] == '-' && p[1] == '-') {
			end = strchr(p, '\n');
			end = end ? end + 1 : p + strlen(p);
			buf_add(out, p, (size_t)(end - p));
			p = end;
		} else if (p[0] == '/' && p[1] == '*') {
			p = copy_comment(out, p);
		} else if (*p == '$' && word_start && isdigit((unsigned char)p[1])) {
			snprintf(why, AT_MSG_MAX, "statement uses PostgreSQL's $N parameters; write ?N");
			return -1;
		} else if (*p == '$' && word_start && (tag = dollar_tag(p)) != 0) {
			p = copy_dollar(out, p, tag);
		} else if (*p == '?') {
			long n = 0;

			p++;
			if (isdigit((unsigned char)*p)) {
				while (isdigit((unsigned char)*p) && n <= DRV_MAX_PARAMS)
					n = n * 10 + (*p++ - '0');
			} else {
				n = max + 1;
			}
			if (n < 1 || n > DRV_MAX_PARAMS) {
				snprintf(why, AT_MSG_MAX, "statement parameter out of range 1..%d",
				         DRV_MAX_PARAMS);
				return -1;
			}
			if (used)
				used[n] = 1;
			if (n > max)
				max = (int)n;
			buf_printf(out, "$%ld", n);
		} else if (word_start && (end = planner_hint(p)) != NULL) {
			p = end;
		} else {
			buf_addc(out, *p++);
		}
	}
	if (out->overflow) {
		snprintf(why, AT_MSG_MAX, "statement text too long");
		return -1;
	}
	return max;
}

/* ==== rows ============================================================= */

static int cols_room(struct drv_stmt *s, int n)
{
	const char **col;
	size_t *len;
	Oid *type;

	if (n <= s->cap_cols)
		return 0;
	col = realloc(s->col, (size_t)n * sizeof(*col));
	if (col)
		s->col = col;
	len = realloc(s->len, (size_t)n * sizeof(*len));
	if (len)
		s->len = len;
	type = realloc(s->type, (size_t)n * sizeof(*type));
	if (type)
		s->type = type;
	if (!col || !len || !type)
		return -1;
	s->cap_cols = n;
	return 0;
}

/* Point the current row at single-row result `r`. */
static int load_row(struct drv_stmt *s, const PGresult *r)
{
	int n = PQnfields(r);

	if (cols_room(s, n) < 0)
		return -1;
	s->ncols = n;
	for (int i = 0; i < n; i++) {
		s->type[i] = PQftype(r, i);
		if (PQgetisnull(r, 0, i)) {
			s->col[i] = NULL;
			s->len[i] = 0;
		} else {
			s->col[i] = PQgetvalue(r, 0, i);
			s->len[i] = (size_t)PQgetlength(r, 0, i);
		}
	}
	return 0;
}

/* Append single-row result `r` to the packed rows. */
static int pack_row(struct buf *b, const PGresult *r)
{
	for (int i = 0; i < PQnfields(r); i++) {
		int32_t n = PQgetisnull(r, 0, i) ? -1 : (int32_t)PQgetlength(r, 0, i);

		buf_add(b, &n, sizeof(n));
		if (n >= 0)
			buf_add(b, PQgetvalue(r, 0, i), (size_t)n + 1);
	}
	return b->overflow ? -1 : 0;
}

/* Point the current row at the next packed row. */
static void unpack_row(struct drv_stmt *s)
{
	const char *p = s->park.data + s->park_at;

	for (int i = 0; i < s->ncols; i++) {
		int32_t n;

		memcpy(&n, p, sizeof(n));
		p += sizeof(n);
		s->col[i] = n < 0 ? NULL : p;
		s->len[i] = n < 0 ? 0 : (size_t)n;
		if (n >= 0)
			p += n + 1;
	}
	s->park_at = (size_t)(p - s->park.data);
}

static void drain(struct drv_conn *c)
{
	PGresult *r;

	while ((r = PQgetResult(c->pg)) != NULL)
		PQclear(r);
}

/* What INSERT, UPDATE and DELETE changed (sqlite3_changes: not SELECT's
 * rows, which PQcmdTuples counts too). */
static void note_changes(struct drv_conn *c, const PGresult *r)
{
	const char *cmd = PQcmdStatus((PGresult *)r);

	if (strncmp(cmd, "INSERT", 6) == 0 || strncmp(cmd, "UPDATE", 6) == 0 ||
	    strncmp(cmd, "DELETE", 6) == 0)
		c->changes = strtoll(PQcmdTuples((PGresult *)r), NULL, 10);
}

/*
 * Read the rest of streaming statement `a`'s rows into memory, so another
 * statement can run; `a` then steps from there.  Its current row stays
 * where it is (a caller may be reading it).  Past the buffer's cap the
 * rows are dropped and `a`'s next step fails.
 */
static void park(struct drv_stmt *a)
{
	struct drv_conn *c = a->c;
	PGresult *r;

	buf_reset(&a->park);
	a->park_at = 0;
	while ((r = PQgetResult(c->pg)) != NULL) {
		if (PQresultStatus(r) == PGRES_SINGLE_TUPLE && !a->park.overflow) {
			pack_row(&a->park, r);
			PQclear(r);
		} else if (PQresultStatus(r) != PGRES_SINGLE_TUPLE && !a->park_end) {
			a->park_end = r;
		} else {
			PQclear(r);
		}
	}
	c->active = NULL;
	a->run = RUN_PARKED;
}

/*
 * Deferred writes.  Inside a transaction a statement marked deferrable
 * (drv_pg_deferrable: store.c marks the custody record's updates and the
 * event inserts, which return no rows) is sent in libpq's pipeline mode
 * and its step answers DRV_DONE at once; the results are read, in
 * one round trip for all of them, before anything else talks to the
 * server (settle).  A batch now writes its assets in one statement and
 * its events in another (store_assets_save_custody,
 * store_event_insert_many), both deferred: they go with the commit, not
 * one round trip each; before those, a 500-asset Stock-Out's 1,000
 * row-at-a-time writes took four round trips instead of 1,000 (PIPE_MAX
 * a settle; bench/README.md, "PostgreSQL").  Nothing the program decides depends on a write's
 * answer but its success: a failure is reported by the next call that
 * talks to the server (the commit at the latest), and the transaction,
 * aborted by it, is rolled back whole.  At most PIPE_MAX are in flight,
 * so neither side's socket buffer fills while the other waits.
 */
#define PIPE_MAX 256

/* Read every deferred result.  0, or -1 when one failed (c->err says
 * which: the first failure; those after it are the pipeline's abort). */
static int unpipe(struct drv_conn *c)
{
	if (!c->piped)
		return c->pipe_failed ? -1 : 0;
	c->piped = 0;
	if (!PQpipelineSync(c->pg)) {
		err_from_result(c, NULL);
		c->pipe_failed = 1;
		PQexitPipelineMode(c->pg);
		return -1;
	}
	/* Each statement's results end with a NULL; the sync's result ends
	 * them all.  After a failure the rest are PGRES_PIPELINE_ABORTED. */
	for (;;) {
		PGresult *r = PQgetResult(c->pg);
		ExecStatusType st;

		if (!r) {
			if (PQstatus(c->pg) == CONNECTION_OK)
				continue;
			if (!c->pipe_failed) {
				err_from_result(c, NULL);
				c->pipe_failed = 1;
			}
			break;
		}
		st = PQresultStatus(r);
		if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
			note_changes(c, r);
		} else if (st != PGRES_PIPELINE_SYNC && st != PGRES_PIPELINE_ABORTED &&
		           !c->pipe_failed) {
			err_from_result(c, r);
			c->pipe_failed = 1;
		}
		PQclear(r);
		if (st == PGRES_PIPELINE_SYNC)
			break;
	}
	PQexitPipelineMode(c->pg);
	return c->pipe_failed ? -1 : 0;
}

/* Before anything else talks to the server: 0, or -1 when a deferred
 * write failed. */
static int settle(struct drv_conn *c)
{
	if (c->active)
		park(c->active);
	return unpipe(c);
}

/* Send `s` deferred (above): DRV_DONE, or DRV_ERROR when the statements
 * sent before it failed as they were read. */
static enum drv_step defer(struct drv_stmt *s)
{
	struct drv_conn *c = s->c;

	if (c->active)
		park(c->active);
	if (c->pipe_failed)
		return DRV_ERROR;
	if (!c->piped && !PQenterPipelineMode(c->pg)) {
		err_from_result(c, NULL);
		return DRV_ERROR;
	}
	if (!PQsendQueryPrepared(c->pg, s->name, s->nparams, s->values, NULL, NULL, 0)) {
		c->piped++;
		err_from_result(c, NULL);
		c->pipe_failed = 1;
		unpipe(c);
		return DRV_ERROR;
	}
	s->run = RUN_DONE;
	if (++c->piped >= PIPE_MAX && unpipe(c) < 0)
		return DRV_ERROR;
	return DRV_DONE;
}

/* A statement's final result (NULL: none came, the connection failed):
 * the run is over and the connection free. */
static enum drv_step finish(struct drv_stmt *s, PGresult *r)
{
	struct drv_conn *c = s->c;
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	enum drv_step out = DRV_DONE;

	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
		note_changes(c, r);
	} else {
		err_from_result(c, r);
		out = DRV_ERROR;
	}
	PQclear(r);
	if (c->active == s) {
		drain(c);
		c->active = NULL;
	}
	s->run = RUN_DONE;
	s->ncols = 0;
	return out;
}

static enum drv_step next_streamed(struct drv_stmt *s)
{
	PGresult *r = PQgetResult(s->c->pg);

	if (r && PQresultStatus(r) == PGRES_SINGLE_TUPLE) {
		if (load_row(s, r) < 0) {
			PQclear(r);
			drain(s->c);
			s->c->active = NULL;
			s->run = RUN_DONE;
			s->ncols = 0;
			set_err(s->c, AT_STORAGE, "", "out of memory reading a row");
			return DRV_ERROR;
		}
		s->row = r;
		return DRV_ROW;
	}
	if (!r && PQstatus(s->c->pg) == CONNECTION_OK) {
		/* The final result was read already. */
		s->run = RUN_DONE;
		s->ncols = 0;
		if (s->c->active == s)
			s->c->active = NULL;
		return DRV_DONE;
	}
	return finish(s, r);
}

static enum drv_step next_parked(struct drv_stmt *s)
{
	PGresult *r;

	if (s->park.overflow) {
		set_err(s->c, AT_STORAGE, "",
		        "too many rows to read ahead while another statement ran");
		s->run = RUN_DONE;
		return DRV_ERROR;
	}
	if (s->park_at < s->park.len) {
		unpack_row(s);
		return DRV_ROW;
	}
	r = s->park_end;
	s->park_end = NULL;
	if (!r) {
		s->run = RUN_DONE;
		s->ncols = 0;
		return DRV_DONE;
	}
	return finish(s, r);
}

static enum drv_step start(struct drv_stmt *s)
{
	struct drv_conn *c = s->c;

	if (s->deferrable && c->txn)
		return defer(s);
	if (settle(c) < 0) {
		s->run = RUN_DONE;
		return DRV_ERROR;
	}
	if (!PQsendQueryPrepared(c->pg, s->name, s->nparams, s->values, NULL, NULL, 0)) {
		err_from_result(c, NULL);
		s->run = RUN_DONE;
		return DRV_ERROR;
	}
	c->active = s;
	s->run = RUN_STREAM;
	if (!PQsetSingleRowMode(c->pg)) {
		set_err(c, AT_STORAGE, "", "cannot read rows one at a time");
		drain(c);
		c->active = NULL;
		s->run = RUN_DONE;
		return DRV_ERROR;
	}
	return next_streamed(s);
}

/* ==== statements ======================================================= */

void drv_pg_deferrable(struct drv_stmt *s)
{
	s->deferrable = 1;
}

static void pg_reset(struct drv_stmt *s)
{
	struct drv_conn *c = s->c;

	/* Stopped early: its remaining rows still arrive, and are dropped. */
	if (c->active == s) {
		drain(c);
		c->active = NULL;
	}
	PQclear(s->row);
	s->row = NULL;
	PQclear(s->park_end);
	s->park_end = NULL;
	/* A large read-ahead is given back, a small one kept for next time. */
	if (s->park.alloc > 65536) {
		buf_free(&s->park);
		buf_init(&s->park, 0);
	} else {
		buf_reset(&s->park);
	}
	s->park_at = 0;
	s->run = RUN_IDLE;
	s->ncols = 0;
	for (int i = 0; i < s->nparams; i++)
		s->values[i] = NULL;
}

static void stmt_free(struct drv_stmt *s)
{
	struct drv_stmt **pp = &s->c->stmts;

	while (*pp && *pp != s)
		pp = &(*pp)->next;
	if (*pp)
		*pp = s->next;
	PQclear(s->row);
	PQclear(s->park_end);
	buf_free(&s->park);
	free(s->values);
	free(s->num);
	free(s->col);
	free(s->len);
	free(s->type);
	free(s);
}

static enum at_code pg_prepare(struct drv_conn *c, const char *sql, struct drv_stmt **out)
{
	struct buf text;
	unsigned char *used = calloc(DRV_MAX_PARAMS + 1, 1);
	Oid *types = NULL;
	struct drv_stmt *s = NULL;
	PGresult *r = NULL;
	char why[AT_MSG_MAX];
	enum at_code code = AT_STORAGE;
	int n;

	*out = NULL;
	buf_init(&text, 0);
	if (!used) {
		set_err(c, AT_STORAGE, "", "out of memory");
		goto out;
	}
	n = drv_pg_rewrite(sql, &text, used, why);
	if (n < 0) {
		set_err(c, AT_STORAGE, "", why);
		goto out;
	}
	s = calloc(1, sizeof(*s));
	types = calloc((size_t)n + 1, sizeof(*types));
	if (s) {
		buf_init(&s->park, 0);
		s->c = c;
		s->nparams = n;
		s->values = calloc((size_t)n + 1, sizeof(*s->values));
		s->num = calloc((size_t)n + 1, sizeof(*s->num));
	}
	if (!s || !types || !s->values || !s->num) {
		set_err(c, AT_STORAGE, "", "out of memory");
		goto out;
	}
	/* A number the text never uses has no type to infer ("could not
	 * determine data type of parameter"): call it text.  SQLite texts
	 * skip numbers freely (an UPDATE binding a whole record). */
	for (int i = 1; i <= n; i++)
		types[i - 1] = used[i] ? 0 : OID_TEXT;
	snprintf(s->name, sizeof(s->name), "s%u", ++c->nprepared);
	if (settle(c) < 0) {
		code = c->err;
		goto out;
	}
	r = PQprepare(c->pg, s->name, text.data, n, types);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		err_from_result(c, r);
		code = c->err;
		goto out;
	}

	s->next = c->stmts;
	c->stmts = s;
	*out = s;
	s = NULL;
	code = AT_OK;
out:
	if (s) {
		buf_free(&s->park);
		free(s->values);
		free(s->num);
		free(s);
	}
	PQclear(r);
	free(types);
	free(used);
	buf_free(&text);
	return code;
}

static void pg_finalize(struct drv_stmt *s)
{
	struct drv_conn *c;

	if (!s)
		return;
	c = s->c;
	pg_reset(s);
	/* The server keeps a prepared statement for the session: say it is
	 * no longer wanted (the name is ours, s<number>, not data). */
	if (PQstatus(c->pg) == CONNECTION_OK) {
		char sql[32];

		settle(c);
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", s->name);
		PQclear(PQexec(c->pg, sql));
	}
	stmt_free(s);
}

static void pg_bind_int64(struct drv_stmt *s, int i, int64_t v)
{
	if (i < 1 || i > s->nparams)
		return;
	snprintf(s->num[i - 1], sizeof(s->num[0]), "%lld", (long long)v);
	s->values[i - 1] = s->num[i - 1];
}

static void pg_bind_text(struct drv_stmt *s, int i, const char *v)
{
	if (i >= 1 && i <= s->nparams)
		s->values[i - 1] = v;
}

static void pg_bind_null(struct drv_stmt *s, int i)
{
	pg_bind_text(s, i, NULL);
}

static enum drv_step pg_step(struct drv_stmt *s)
{
	PQclear(s->row);
	s->row = NULL;
	switch (s->run) {
	case RUN_IDLE:
		return start(s);
	case RUN_STREAM:
		return next_streamed(s);
	case RUN_PARKED:
		return next_parked(s);
	case RUN_DONE:
		break;
	}
	return DRV_DONE;
}

static const char *col_at(struct drv_stmt *s, int i)
{
	return i >= 0 && i < s->ncols ? s->col[i] : NULL;
}

static int pg_column_count(struct drv_stmt *s)
{
	return s->ncols;
}

static enum drv_type pg_column_type(struct drv_stmt *s, int i)
{
	const char *v = col_at(s, i);

	if (!v)
		return DRV_NULL;
	switch (s->type[i]) {
	case OID_BOOL:
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_OID:
		return DRV_INT;
	case OID_NUMERIC:
		/* sum() of integers is numeric: whole, it is an integer. */
		return v[strspn(v, "-0123456789")] ? DRV_FLOAT : DRV_INT;
	case OID_FLOAT4:
	case OID_FLOAT8:
		return DRV_FLOAT;
	case OID_BYTEA:
		return DRV_BLOB;
	default:
		return DRV_TEXT;
	}
}

static int pg_column_null(struct drv_stmt *s, int i)
{
	return col_at(s, i) == NULL;
}

static int64_t pg_column_int64(struct drv_stmt *s, int i)
{
	const char *v = col_at(s, i);
	char *end;
	long long n;

	if (!v)
		return 0;
	/* Booleans come as t and f. */
	if (strcmp(v, "t") == 0)
		return 1;
	if (strcmp(v, "f") == 0)
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	return errno || end == v ? 0 : (int64_t)n;
}

static const char *pg_column_text(struct drv_stmt *s, int i)
{
	return col_at(s, i);
}

static size_t pg_column_bytes(struct drv_stmt *s, int i)
{
	return col_at(s, i) ? s->len[i] : 0;
}

/* ==== connections and transactions ===================================== */

/* libpq prints notices and warnings on stderr by default; ours are not
 * for the user's terminal. */
static void notice_ignore(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static void sync_txn(struct drv_conn *c)
{
	PGTransactionStatusType t = PQtransactionStatus(c->pg);

	c->txn = t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
}

/* Run a command (or a script) whose rows, if any, nobody reads. */
static PGresult *exec_raw(struct drv_conn *c, const char *sql)
{
	PGresult *r;

	/* A deferred write failed: the command is not sent, and NULL keeps
	 * that write's error (err_from_result leaves it). */
	if (settle(c) < 0)
		return NULL;
	r = PQexec(c->pg, sql);
	sync_txn(c);
	return r;
}

static int result_ok(const PGresult *r)
{
	ExecStatusType st = PQresultStatus(r);

	return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;
}

static enum at_code pg_exec(struct drv_conn *c, const char *sql)
{
	PGresult *r = exec_raw(c, sql);
	enum at_code code = AT_OK;

	if (!result_ok(r)) {
		err_from_result(c, r);
		code = c->err;
	}
	PQclear(r);
	return code;
}

static void pg_close(struct drv_conn *c)
{
	if (!c)
		return;
	while (c->stmts)
		stmt_free(c->stmts);
	PQfinish(c->pg);
	free(c);
}

static enum at_code pg_open(const char *target, int flags, struct drv_conn **out,
                            struct at_errors *e)
{
	/* The URI first, expanded; then what we insist on. */
	static const char *const keys[] = { "dbname", "client_encoding",
		                            "fallback_application_name", NULL };
	const char *values[] = { target, "UTF8", "assettrack", NULL };
	struct drv_conn *c = calloc(1, sizeof(*c));
	enum at_code code = AT_OK;

	*out = NULL;
	if (!c)
		return at_fail(e, AT_INTERNAL, "out of memory");
	c->pg = PQconnectdbParams(keys, values, 1);
	if (!c->pg) {
		code = at_fail(e, AT_INTERNAL, "out of memory");
		goto out;
	}
	if (PQstatus(c->pg) != CONNECTION_OK) {
		/* Not the URI itself: it may hold a password. */
		set_err(c, AT_STORAGE, "", PQerrorMessage(c->pg));
		code = at_fail(e, AT_STORAGE, "cannot connect to the PostgreSQL database: %s",
		               c->msg);
		goto out;
	}
	PQsetNoticeProcessor(c->pg, notice_ignore, NULL);
	if (pg_exec(c, settings_sql) != AT_OK ||
	    ((flags & DRV_READONLY) && pg_exec(c, "SET default_transaction_read_only = on") != AT_OK)) {
		code = at_fail(e, c->err, "cannot set up the PostgreSQL connection: %s", c->msg);
		goto out;
	}
	*out = c;
	c = NULL;
out:
	pg_close(c);
	return code;
}

/* Forget the active statement's remaining rows (the transaction they
 * belong to is being thrown away). */
static void drop_active(struct drv_conn *c)
{
	if (c->active) {
		drain(c);
		c->active->run = RUN_DONE;
		c->active = NULL;
	}
}

/* Deferred writes read and forgotten: what a rollback undoes. */
static void unpipe_discard(struct drv_conn *c)
{
	unpipe(c);
	c->pipe_failed = 0;
}

static void pg_rollback(struct drv_conn *c)
{
	if (!c)
		return;
	drop_active(c);
	unpipe_discard(c);
	if (PQtransactionStatus(c->pg) != PQTRANS_IDLE)
		PQclear(exec_raw(c, "ROLLBACK"));
	sync_txn(c);
}

/* BEGIN, like SQLite, refuses a transaction inside a transaction
 * (PostgreSQL would only warn). */
static enum at_code begin(struct drv_conn *c, const char *sql, int want_rows)
{
	PGresult *r;

	if (settle(c) < 0)
		return c->err;
	if (PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
		set_err(c, AT_STORAGE, "25001", "cannot start a transaction within a transaction");
		return AT_STORAGE;
	}
	r = exec_raw(c, sql);
	if (!result_ok(r)) {
		err_from_result(c, r);
		PQclear(r);
		pg_rollback(c);
		return c->err;
	}
	if (want_rows && PQntuples(r) != want_rows) {
		PQclear(r);
		pg_rollback(c);
		set_err(c, AT_STORAGE, "",
		        "the event log has no head row (table event_head): not an AssetTrack "
		        "database, or a damaged one");
		return AT_STORAGE;
	}
	PQclear(r);
	return AT_OK;
}

static enum at_code pg_begin_write(struct drv_conn *c)
{
	/* READ COMMITTED: once the lock is ours, each statement sees what the
	 * writer before us committed (REPEATABLE READ would fail instead). */
	return begin(c,
	             "BEGIN ISOLATION LEVEL READ COMMITTED; "
	             "SELECT one FROM event_head WHERE one = 1 FOR UPDATE",
	             1);
}

static enum at_code pg_begin_read(struct drv_conn *c)
{
	return begin(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0);
}

static enum at_code pg_commit(struct drv_conn *c)
{
	PGresult *r;
	enum at_code code = AT_OK;

	if (settle(c) < 0)
		return c->err;
	if (PQtransactionStatus(c->pg) == PQTRANS_IDLE) {
		set_err(c, AT_STORAGE, "25P01", "cannot commit: no transaction is open");
		return AT_STORAGE;
	}
	r = exec_raw(c, "COMMIT");
	if (!result_ok(r)) {
		err_from_result(c, r);
		code = c->err;
	} else if (strcmp(PQcmdStatus(r), "COMMIT") != 0) {
		/* COMMIT of a failed transaction answers ROLLBACK, no error. */
		set_err(c, AT_STORAGE, "25P02",
		        "the transaction was rolled back: a statement in it had failed");
		code = AT_STORAGE;
	}
	PQclear(r);
	return code;
}

static int pg_in_txn(struct drv_conn *c)
{
	return c->txn;
}

static enum at_code pg_savepoint(struct drv_conn *c)
{
	return pg_exec(c, "SAVEPOINT drv_sp");
}

static enum at_code pg_release(struct drv_conn *c)
{
	return pg_exec(c, "RELEASE SAVEPOINT drv_sp");
}

static void pg_rollback_to(struct drv_conn *c)
{
	drop_active(c);
	unpipe_discard(c);
	PQclear(exec_raw(c, "ROLLBACK TO SAVEPOINT drv_sp; RELEASE SAVEPOINT drv_sp"));
}

static int64_t pg_changes(struct drv_conn *c)
{
	settle(c);
	return c->changes;
}

static enum at_code pg_errcode(struct drv_conn *c)
{
	return c->err;
}

static const char *pg_errmsg(struct drv_conn *c)
{
	return c ? c->msg : "database not open";
}

const struct drv drv_pg = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.exec = pg_exec,
	.prepare = pg_prepare,
	.finalize = pg_finalize,
	.reset = pg_reset,
	.bind_int64 = pg_bind_int64,
	.bind_text = pg_bind_text,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.column_count = pg_column_count,
	.column_type = pg_column_type,
	.column_null = pg_column_null,
	.column_int64 = pg_column_int64,
	.column_text = pg_column_text,
	.column_bytes = pg_column_bytes,
	.begin_write = pg_begin_write,
	.begin_read = pg_begin_read,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.in_txn = pg_in_txn,
	.savepoint = pg_savepoint,
	.release = pg_release,
	.rollback_to = pg_rollback_to,
	.changes = pg_changes,
	.errcode = pg_errcode,
	.errmsg = pg_errmsg,
};
