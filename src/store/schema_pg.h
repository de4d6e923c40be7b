/*
 * schema_pg.h — the PostgreSQL schema, its migrations and its roles
 * (issue #11).  Internal to store/.
 *
 * One schema version for both dialects.  AT_SCHEMA_VERSION (store.h)
 * names one set of tables, columns, indexes and invariants, whichever
 * engine holds them:
 *  - SQLite gets there through schema_migrations[] (schema.c), one step
 *    per version from an empty file; PRAGMA user_version holds it.
 *  - PostgreSQL arrived at version 6, so schema_pg_steps[] starts with one
 *    step from 0 (an empty database) to 6: SQLite's six migrations, their
 *    end state translated.  Each later version adds a step N -> N+1 here
 *    beside SQLite's migration N+1 in schema.c, in the same change (a test
 *    checks that both end at AT_SCHEMA_VERSION).  The one row of table
 *    schema_version holds it.  Never edit a shipped step: add one.
 *
 * What differs from SQLite, and why (docs/postgresql.md has the rest):
 *  - Every text column is COLLATE "C": sorting, keyset paging and
 *    lower()/upper() are then SQLite's (bytes; ASCII-only case folding)
 *    whatever the database's locale.
 *  - match_key and serial_key are GENERATED ... STORED (PostgreSQL has no
 *    virtual generated columns).
 *  - Event details and asset attributes are `json`, never `jsonb`: jsonb
 *    reorders keys and drops duplicates, and an event's hash covers the
 *    exact text.
 *  - Holder, case and asset ids are SQLite's rowid rule, the largest plus
 *    one, set by a trigger when the insert gives none: a sequence keeps
 *    the numbers a rolled-back transaction took, and verify's replay
 *    (which numbers rows SQLite's way) would then find other ids.  The
 *    accounts' tables (users, tokens, sessions, security log) use identity
 *    columns: their gaps mean nothing, and logins must not wait for a
 *    write transaction.
 *  - event_head is a one-row table whose row lock is the database's write
 *    lock (drv.h: begin_write).  It holds no copy of the last seq and
 *    hash: updating one row once per event inside a transaction grows its
 *    version chain, and a 40,000-event import then took 15 s instead of
 *    0.5 s.  The chain trigger reads the last event by its key instead.
 *  - SQLite's instr() and json_extract() (for the paths store.c writes)
 *    exist as inlinable SQL functions, so store.c's texts that call them
 *    stay shared, and migration 5's index on json_extract(details,
 *    '$.case') is the same index here.
 *  - The invariant triggers are PL/pgSQL; each refusal is SQLSTATE
 *    SCHEMA_PG_REFUSED (class 23, integrity constraint violation, so
 *    drv_pg maps it to AT_CONFLICT like any other) with SQLite's message.
 *    TRUNCATE skips row triggers, so every table whose rows are never
 *    deleted also refuses TRUNCATE.  Functions that read tables have
 *    their search_path pinned to the schema, so a temporary table cannot
 *    stand in for one.
 */
#ifndef AT_STORE_SCHEMA_PG_H
#define AT_STORE_SCHEMA_PG_H

#include "store/drv.h"
#include "util/err.h"

/* The SQLSTATE of the schema's triggers' refusals. */
#define SCHEMA_PG_REFUSED "23T01"

/*
 * Every trigger of the schema at AT_SCHEMA_VERSION, as rows of a SQL
 * VALUES list (table, trigger): store.c's invariant check that each is
 * present and enabled.  A step that adds or drops a trigger changes this
 * list (test_store_pg compares it with pg_trigger).
 */
#define SCHEMA_PG_TRIGGERS                                                               \
	"('asset_counts', 'asset_counts_no_delete'), "                                     \
	"('asset_counts', 'asset_counts_no_truncate'), "                                   \
	"('assets', 'asset_counts_insert'), ('assets', 'asset_counts_update'), "           \
	"('assets', 'assets_attributes_insert'), ('assets', 'assets_attributes_update'), " \
	"('assets', 'assets_id'), ('assets', 'assets_no_delete'), "                        \
	"('assets', 'assets_no_truncate'), ('assets', 'assets_tag_fixed'), "               \
	"('cases', 'cases_id'), ('cases', 'cases_no_delete'), "                            \
	"('cases', 'cases_no_truncate'), ('cases', 'cases_only_grow'), "                   \
	"('event_head', 'event_head_fixed'), ('event_head', 'event_head_no_truncate'), "   \
	"('events', 'events_chained'), ('events', 'events_head_lock'), "                \
	"('events', 'events_no_delete'), "                   \
	"('events', 'events_no_truncate'), ('events', 'events_no_update'), "               \
	"('holders', 'holders_id'), ('holders', 'holders_no_delete'), "                    \
	"('holders', 'holders_no_truncate'), ('security_log', 'security_log_no_delete'), " \
	"('security_log', 'security_log_no_truncate'), "                                   \
	"('security_log', 'security_log_no_update'), ('slots', 'slots_no_delete'), "       \
	"('slots', 'slots_no_truncate'), ('slots', 'slots_within_case')"

struct schema_pg_step {
	int from, to;
	const char *sql;
};

extern const struct schema_pg_step schema_pg_steps[];
extern const int schema_pg_nsteps;

/* The version the database at `c` holds: 0 when it has no schema_version
 * table (empty). */
enum at_code schema_pg_version(struct drv_conn *c, int *version, struct at_errors *e);

/*
 * Bring the database at `c` (a drv_pg connection, no transaction open) to
 * AT_SCHEMA_VERSION, all steps in one transaction; `*from` (may be NULL)
 * gets the version found.  Run as the role that is to own the schema
 * (below).  Two processes migrating at once take turns (an advisory
 * lock): the second finds the work done.  AT_STORAGE for a database newer
 * than this program, or any failure (nothing of a failed run is kept).
 */
enum at_code schema_pg_migrate(struct drv_conn *c, int *from, struct at_errors *e);

/*
 * Role separation.  The schema belongs to an owner role nobody logs in
 * as; the program connects as an app role that does not own the tables,
 * so it cannot disable or drop a trigger, and has no UPDATE, DELETE or
 * TRUNCATE on events and security_log at all (the triggers are the second
 * wall, not the only one).  Nothing the program does deletes rows, so the
 * app role deletes nothing anywhere.
 *
 * schema_pg_create_roles: as a role that may create roles, make `owner`
 * (NOLOGIN) and `app` (LOGIN, no password: set one, or use peer
 * authentication) where they do not exist yet.  Then a superuser makes
 * the database, CREATE DATABASE ... OWNER owner, and the schema is
 * created as the owner (connect as a member of it and SET ROLE owner).
 *
 * schema_pg_grant_app: as the owner, after schema_pg_migrate (and after
 * each later one, for new tables): give `app` exactly what the program
 * needs.
 */
enum at_code schema_pg_create_roles(struct drv_conn *c, const char *owner, const char *app,
                                    struct at_errors *e);
enum at_code schema_pg_grant_app(struct drv_conn *c, const char *app, struct at_errors *e);

#endif
