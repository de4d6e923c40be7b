/*
 * store.c — the database behind domain functions.
 *
 * Every statement lives in stmt_sql[] below, is prepared on first use
 * through the connection's driver (drv.h; SQLite's prepares with
 * SQLITE_PREPARE_PERSISTENT) and reused for the life of the connection
 * (openradtool's stmts[STMT__MAX]).  All values are bound; no SQL text is
 * ever built from data.  What only SQLite has (pragmas, WAL checkpoints,
 * the backup API, its migrations) is store_sqlite.c's.
 */
#include "store/store.h"

#include <assert.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/drv.h"
#include "store/drv_pg.h"
#include "store/drv_sqlite.h"
#include "store/schema.h"
#include "store/schema_pg.h"
#include "store/store_impl.h"
#include "util/buf.h"

/* ==== statements ====================================================== */

enum stmt {
	STMT_ASSET_BY_TAG,
	STMT_ASSET_BY_KEY,
	STMT_ASSET_SCAN,
	STMT_ASSET_BY_SERIAL,
	STMT_ASSET_IN_SLOT,
	STMT_ASSET_IN_CASE,
	STMT_ASSET_OF_HOLDER,
	STMT_ASSET_INSERT,
	STMT_ASSET_SAVE,
	STMT_ASSET_SAVE_CUSTODY,
	STMT_ASSET_SAVE_META,
	STMT_ASSET_NEXT_ID,
	STMT_ASSET_PROBE,
	STMT_ASSET_INSERT_KEPT,
	STMT_ASSET_INSERT_BULK,
	STMT_ASSET_LIST,
	STMT_ASSET_COUNT,
	STMT_ASSET_COUNT_STATE,
	STMT_CASE_BY_NAME,
	STMT_CASE_BY_ID,
	STMT_CASE_ID,
	STMT_CASE_INSERT,
	STMT_CASE_SAVE,
	STMT_SLOT_INSERT,
	STMT_CASE_LIST,
	STMT_HOLDER_BY_ID,
	STMT_HOLDER_BY_BADGE,
	STMT_HOLDER_INSERT,
	STMT_HOLDER_SAVE,
	STMT_HOLDER_LIST,
	STMT_HOLDER_SEARCH,
	STMT_ASSET_OUT_LONGEST,
	STMT_ASSET_COUNT_OVERDUE,
	STMT_ASSET_SEARCH_COUNT,
	STMT_ASSET_LIST_SEARCH,
	STMT_ASSET_LIST_WALK,
	STMT_ASSET_WALK_END,
	STMT_EVENT_LAST,
	STMT_EVENT_INSERT,
	STMT_EVENT_LIST,
	STMT_EVENT_LIST_DESC,
	STMT_EVENT_BY_ASSET,
	STMT_EVENT_BY_ASSET_DESC,
	STMT_EVENT_COUNT,
	STMT_EVENT_HASH_AT,
	STMT_THROTTLE_GET,
	STMT_THROTTLE_PUT,
	STMT_SECURITY_LIST,
	STMT_EVENT_BY_BATCH,
	STMT_EVENT_BY_BATCH_DESC,
	STMT_EVENT_BY_HOLDER,
	STMT_EVENT_BY_HOLDER_DESC,
	STMT_EVENT_LOG,
	STMT_CUSTODY_AS_OF,
	STMT_USER_INSERT,
	STMT_USER_BY_NAME,
	STMT_USER_BY_ID,
	STMT_USER_COUNT,
	STMT_USER_LIST,
	STMT_TOKEN_INSERT,
	STMT_TOKEN_USER,
	STMT_SECURITY_LOG,
	STMT_SESSION_INSERT,
	STMT_SESSION_GET,
	STMT_SESSION_TOUCH,
	STMT_SESSION_END,
	STMT_TOKEN_REVOKE_ALL,
	STMT_DATA_VERSION,
	STMT_SEARCH_COMMAND,
	STMT_ASSET_ATTR_NAMES,
	STMT_HOLDER_BY_EMAIL,
	STMT_HOLDER_BY_NAME,
	STMT_EVENT_INSERT_BULK,
	/* physical audits (core/audit.c) */
	STMT_AUDIT_LAST,
	STMT_AUDIT_CASES,
	/* reports (core/report.c) */
	STMT_REPORT_CUSTODY,
	STMT_REPORT_UNSLOTTED,
	STMT_REPORT_UNSLOTTED_COUNT,
	STMT_REPORT_SLOT_TOTALS,
	STMT_REPORT_HOLDINGS,
	STMT_REPORT_HOLDING_COUNTS,
	STMT_REPORT_RETIRED_REASONS,
	STMT_REPORT_RETIRED_TOTALS,
	STMT_REPORT_RETIRED,
	/* a batch's reads and writes in one statement (PostgreSQL) */
	STMT_ASSETS_BY_KEYS,
	STMT_ASSETS_IN_SLOTS,
	STMT_ASSETS_SAVE_CUSTODY,
	STMT_EVENTS_INSERT_MANY,
	/* import jobs (core/import.c) */
	STMT_JOB_OPEN,
	STMT_JOB_GET_OPEN,
	STMT_JOB_UPDATE,
	STMT_JOB_CLAIM,
	STMT_JOB_PART_PUT,
	STMT_JOB_PART_GET,
	STMT_JOB_KEY_PUT,
	STMT_JOB_KEY_HAS,
	STMT_JOB_KEYS,
	STMT_JOB_CLEAR_PARTS,
	STMT_JOB_CLEAR_KEYS,
	STMT_JOB_SLOT_CONFLICTS,
	STMT_JOB_PROGRESS,
	STMT_JOB_FINISH,
	STMT_EVENT_HEAD_GATE,
	STMT__MAX
};

#define ASSET_SELECT                                                                        \
	"a.id, a.tag, a.serial, a.manufacturer, a.equipment_type, a.model, a.model_code, " \
	"a.building, a.room, a.notes, a.state, a.condition, a.holder_id, h.name, a.due, "  \
	"a.custody_since, a.case_id, c.name, a.position, a.last_case_id, lc.name, "        \
	"a.last_position, a.created_at, a.updated_at, a.retired_at, a.attributes "
#define ASSET_JOINS                                                                         \
	"LEFT JOIN holders h ON h.id = a.holder_id "                                        \
	"LEFT JOIN cases c ON c.id = a.case_id LEFT JOIN cases lc ON lc.id = a.last_case_id "
#define ASSET_COLS ASSET_SELECT "FROM assets a " ASSET_JOINS
/* The same, walking the named index (a literal). */
#define ASSET_COLS_INDEXED(ix) ASSET_SELECT "FROM assets a INDEXED BY " ix " " ASSET_JOINS

#define CASE_COLS                                                                     \
	"c.id, c.name, c.slot_count, c.building, c.room, c.notes, "                  \
	"(SELECT count(*) FROM assets o WHERE o.case_id = c.id), c.created_at, c.updated_at " \
	"FROM cases c "

#define HOLDER_COLS "id, name, badge, email, active, created_at, updated_at FROM holders "

#define EVENT_COLS                                                                        \
	"e.seq, e.at, e.type, e.asset_tag, e.from_case, e.from_position, e.to_case, "    \
	"e.to_position, e.holder_id, h.name, e.actor, e.reason, e.batch_id, e.details, " \
	"e.prev_hash, e.hash FROM events e LEFT JOIN holders h ON h.id = e.holder_id "

/* An optional filter's parameter is tested as a text: PostgreSQL cannot
 * type a parameter whose first use is IS NULL (all of these are texts).
 * An id or seq tested against 0 is cast to BIGINT first: PostgreSQL types
 * a parameter by its first use, and "?6 = 0" made it an integer, so an id
 * past 2^31 in a request was a database error (a 500) there. */
#define EVENT_WHERE                                                                   \
	"WHERE (CAST(?2 AS TEXT) IS NULL OR e.type = ?2) "                           \
	"AND (CAST(?3 AS TEXT) IS NULL OR e.at >= ?3) "                              \
	"AND (CAST(?4 AS TEXT) IS NULL OR e.at <= ?4) "                              \
	"AND (CAST(?5 AS TEXT) IS NULL OR e.batch_id = ?5) "                         \
	"AND (CAST(?6 AS BIGINT) = 0 OR e.holder_id = ?6) "

/* A newest-first page: the events before ?7, or from the last when ?7 is 0.
 * Written as one range on seq so the planner seeks; "(?7 = 0 OR e.seq <
 * ?7)" made it walk the log from its end (older pages of /events took
 * 400 ms at 10 million events, 0.1 ms this way). */
#define SEQ_BEFORE "AND e.seq < CASE WHEN CAST(?7 AS BIGINT) > 0 THEN ?7 ELSE 9223372036854775807 END "

#define USER_COLS "id, username, role, pw_hash, active, created_at FROM users "

/* The VALUES of STORE_EVENT_BULK events: literal text, no data in it. */
#define EVENT_ROW "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define EVENT_ROWS4 EVENT_ROW ", " EVENT_ROW ", " EVENT_ROW ", " EVENT_ROW
#define EVENT_ROWS16 EVENT_ROWS4 ", " EVENT_ROWS4 ", " EVENT_ROWS4 ", " EVENT_ROWS4
#define EVENT_ROWS32 EVENT_ROWS16 ", " EVENT_ROWS16

/* The columns of a kept asset's insert (store_asset_defer), in bind_asset's
 * parameter order (22 is the id), and STORE_ASSET_BULK rows of them. */
#define ASSET_INSERT_COLS                                                                  \
	"INSERT INTO assets(tag, serial, manufacturer, equipment_type, model, model_code, " \
	"building, room, notes, state, condition, holder_id, due, custody_since, case_id, "  \
	"position, last_case_id, last_position, created_at, updated_at, retired_at, id, "    \
	"attributes) VALUES "
#define ASSET_ROW "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define ASSET_ROWS4 ASSET_ROW ", " ASSET_ROW ", " ASSET_ROW ", " ASSET_ROW
#define ASSET_ROWS16 ASSET_ROWS4 ", " ASSET_ROWS4 ", " ASSET_ROWS4 ", " ASSET_ROWS4
#define ASSET_ROWS32 ASSET_ROWS16 ", " ASSET_ROWS16

/* The asset list's filters (store_asset_list binds them).
 *  - ?2 is '%q%' with q's % _ and backslash escaped: a plain substring,
 *    ASCII case-insensitive (LIKE's folding is lower()'s), and about four
 *    times faster than instr(lower(...)) on a scan.
 *  - An attribute's value, never its name: ?9 is the same pattern over the
 *    JSON text, a cheap filter before json_each looks.
 *  - ?7, the keyset cursor, as one range on tag so the planner seeks:
 *    "(?7 IS NULL OR a.tag > ?7)" walked from the first tag (36 ms, cold
 *    418 ms, for a deep page at a million assets; 0.3 ms this way). */
#define ASSET_LIST_WHERE                                                               \
	"WHERE (CAST(?1 AS TEXT) IS NULL OR a.state = ?1) "                               \
	"AND (CAST(?2 AS TEXT) IS NULL OR a.tag LIKE ?2 ESCAPE '\\' "                     \
	"  OR a.serial LIKE ?2 ESCAPE '\\' OR a.manufacturer LIKE ?2 ESCAPE '\\' "        \
	"  OR a.model LIKE ?2 ESCAPE '\\' OR a.notes LIKE ?2 ESCAPE '\\' "                \
	"  OR (a.attributes LIKE ?9 ESCAPE '\\' AND EXISTS (SELECT 1 FROM "               \
	"      json_each(a.attributes) j WHERE j.value LIKE ?2 ESCAPE '\\'))) "           \
	"AND (CAST(?3 AS BIGINT) = 0 OR a.holder_id = ?3) "                                 \
	"AND (CAST(?4 AS BIGINT) = 0 OR a.case_id = ?4) "                \
	"AND (?5 = 0 OR (a.state = 'STORAGE' AND a.case_id IS NULL)) "                    \
	"AND (CAST(?6 AS TEXT) IS NULL OR (a.due IS NOT NULL AND a.due < ?6)) "           \
	"AND a.tag > coalesce(?7, '') "

/* The same in PostgreSQL's words (stmt_sql_pg): SQLite's LIKE folds
 * ASCII letters only, as ILIKE does under the columns' "C" (LIKE is
 * case-sensitive there); a json value has no LIKE, its text has; and
 * json_each_text gives each value unquoted, as SQLite's json_each does.
 * A json's text and json_each_text's values are in the database's
 * collation, not "C": under C.UTF-8 (or en_US) ILIKE would fold É to é
 * there too, and an attribute value match more than on SQLite (found by
 * test_search run on PostgreSQL).  COLLATE "C" on both. */
#define ASSET_LIST_WHERE_PG                                                            \
	"WHERE (CAST(?1 AS TEXT) IS NULL OR a.state = ?1) "                               \
	"AND (CAST(?2 AS TEXT) IS NULL OR a.tag ILIKE ?2 ESCAPE '\\' "                    \
	"  OR a.serial ILIKE ?2 ESCAPE '\\' OR a.manufacturer ILIKE ?2 ESCAPE '\\' "     \
	"  OR a.model ILIKE ?2 ESCAPE '\\' OR a.notes ILIKE ?2 ESCAPE '\\' "             \
	"  OR (CAST(a.attributes AS TEXT) COLLATE \"C\" ILIKE ?9 ESCAPE '\\' AND EXISTS (" \
	"      SELECT 1 FROM json_each_text(a.attributes) j "                             \
	"      WHERE j.value COLLATE \"C\" ILIKE ?2 ESCAPE '\\'))) "                      \
	"AND (CAST(?3 AS BIGINT) = 0 OR a.holder_id = ?3) "                                 \
	"AND (CAST(?4 AS BIGINT) = 0 OR a.case_id = ?4) "                \
	"AND (?5 = 0 OR (a.state = 'STORAGE' AND a.case_id IS NULL)) "                    \
	"AND (CAST(?6 AS TEXT) IS NULL OR (a.due IS NOT NULL AND a.due < ?6)) "           \
	"AND a.tag > coalesce(?7, '') "

/* The custody report's joins after holders and assets, its filter (overdue
 * or not, keyset after (name, id, since, tag)) and order: one text for
 * SQLite's join-order hint and PostgreSQL's plain JOIN. */
#define CUSTODY_REPORT_TAIL \
	"LEFT JOIN cases c ON c.id = a.case_id LEFT JOIN cases lc ON lc.id = a.last_case_id " \
	"WHERE a.holder_id IS NOT NULL " \
	"AND ((?1 = 1 AND a.due < ?2) OR (?1 = 0 AND (a.due IS NULL OR a.due >= ?2))) " \
	"AND (h.name, h.id) >= (?3, ?4) " \
	"AND ((h.name, h.id) > (?3, ?4) OR (a.custody_since, a.tag) > (?5, ?6)) " \
	"ORDER BY h.name, h.id, a.custody_since, a.tag LIMIT ?7"

static const char *const stmt_sql[STMT__MAX] = {
	[STMT_JOB_OPEN] =
		"INSERT INTO import_jobs(batch_id, actor, options, state, open, since_seq, heartbeat, "
		"owner, created_at) VALUES (?1, ?2, ?3, 'checking', 1, ?4, ?5, ?7, ?6) RETURNING id",
	[STMT_JOB_GET_OPEN] =
		"SELECT id, batch_id, actor, options, state, since_seq, bytes, rows_total, rows_done, "
		"heartbeat, owner FROM import_jobs WHERE open = 1",
	[STMT_JOB_UPDATE] =
		"UPDATE import_jobs SET state = ?2, open = CASE WHEN ?2 IN ('checking', 'applying') "
		"THEN 1 END, since_seq = ?3, bytes = ?4, rows_total = ?5, rows_done = ?6, "
		"heartbeat = ?7, ended_at = ?8, note = ?9 WHERE id = ?1",
	[STMT_JOB_CLAIM] =
		"UPDATE import_jobs SET heartbeat = ?3, owner = ?4 "
		"WHERE id = ?1 AND heartbeat = ?2 AND open = 1",
	[STMT_JOB_PART_PUT] = "INSERT INTO import_job_parts(job_id, n, data) VALUES (?1, ?2, ?3)",
	[STMT_JOB_PART_GET] = "SELECT data FROM import_job_parts WHERE job_id = ?1 AND n = ?2",
	[STMT_JOB_KEY_PUT] =
		"INSERT INTO import_job_keys(job_id, key, value) VALUES (?1, ?2, ?3) "
		"ON CONFLICT(job_id, key) DO UPDATE SET value = ?3",
	[STMT_JOB_KEY_HAS] = "SELECT value FROM import_job_keys WHERE job_id = ?1 AND key = ?2",
	[STMT_JOB_KEYS] = "SELECT key, value FROM import_job_keys WHERE job_id = ?1",
	/* One part of an ended job: its bytes go a piece at a time, each
	 * delete a short transaction (38 MiB at once held writers ~2 s). */
	[STMT_JOB_CLEAR_PARTS] =
		"DELETE FROM import_job_parts WHERE (job_id, n) = (SELECT p.job_id, p.n "
		"FROM import_job_parts p JOIN import_jobs j ON j.id = p.job_id "
		"WHERE j.open IS NULL ORDER BY p.job_id, p.n LIMIT 1)",
	[STMT_JOB_CLEAR_KEYS] = "DELETE FROM import_job_keys WHERE job_id = ?1",
	[STMT_JOB_PROGRESS] =
		"UPDATE import_jobs SET rows_done = ?3, heartbeat = ?4 "
		"WHERE id = ?1 AND state = 'applying' AND rows_done = ?2",
	[STMT_JOB_FINISH] =
		"UPDATE import_jobs SET state = 'done', open = NULL, rows_done = ?3, heartbeat = ?4, "
		"ended_at = ?5 WHERE id = ?1 AND state = 'applying' AND rows_done = ?2",
	/* The log's head and the open import job in one round trip: every
	 * operation's first read (core/event.c). */
	[STMT_EVENT_HEAD_GATE] =
		"SELECT h.seq, h.hash, h.at, j.id, j.state, j.rows_done, j.rows_total "
		"FROM (SELECT 1 AS one) x "
		"LEFT JOIN (SELECT seq, hash, at FROM events ORDER BY seq DESC LIMIT 1) h ON 1 = 1 "
		"LEFT JOIN import_jobs j ON j.open = 1",
	/* Stock-Ins after event ?2 to a slot job ?1 fills ('s' keys). */
	[STMT_JOB_SLOT_CONFLICTS] =
		"SELECT count(*) FROM events e WHERE e.seq > ?2 AND e.type = 'STOCK_IN' AND EXISTS ("
		"SELECT 1 FROM import_job_keys k WHERE k.job_id = ?1 "
		"AND k.key = 's' || e.to_position || ':' || e.to_case)",
	[STMT_ASSET_BY_TAG] = "SELECT " ASSET_COLS "WHERE a.tag = ?1",
	/* Collect up to two rows: more than one is an ambiguity, never a pick. */
	[STMT_ASSET_BY_KEY] = "SELECT " ASSET_COLS "WHERE a.match_key = ?1 LIMIT 2",
	/* The scanner lookup's answer (SPEC's asset object) and no more: not
	 * the last slot, which took a third join (a cursor and a seek), nor
	 * custody_since, which the answer does not show.  read_asset_shown()
	 * reads it. */
	[STMT_ASSET_SCAN] =
		"SELECT a.id, a.tag, a.serial, a.manufacturer, a.equipment_type, a.model, "
		"a.model_code, a.building, a.room, a.notes, a.state, a.condition, a.holder_id, "
		"h.name, a.due, a.case_id, c.name, a.position, a.created_at, a.updated_at, "
		"a.retired_at, a.attributes FROM assets a "
		"LEFT JOIN holders h ON h.id = a.holder_id LEFT JOIN cases c ON c.id = a.case_id "
		"WHERE a.match_key = ?1 LIMIT 1",
	/* Keys are folded in C (key_serial, key_email, key_match) and bound:
	 * folded in SQL, PostgreSQL would fold a parameter under the
	 * database's collation, not the columns' "C" (docs/postgresql.md). */
	[STMT_ASSET_BY_SERIAL] = "SELECT " ASSET_COLS "WHERE a.serial_key = ?1",
	[STMT_ASSET_IN_SLOT] = "SELECT " ASSET_COLS "WHERE a.case_id = ?1 AND a.position = ?2",
	/* A case's slots and a holder's assets through their own indexes: the
	 * general list's "(?4 = 0 OR a.case_id = ?4)" cannot use them. */
	[STMT_ASSET_IN_CASE] = "SELECT " ASSET_COLS "WHERE a.case_id = ?1 ORDER BY a.tag",
	[STMT_ASSET_OF_HOLDER] = "SELECT " ASSET_COLS "WHERE a.holder_id = ?1 ORDER BY a.tag",
	[STMT_ASSET_INSERT] =
		"INSERT INTO assets(tag, serial, manufacturer, equipment_type, model, "
		"model_code, building, room, notes, state, condition, holder_id, due, "
		"custody_since, case_id, position, last_case_id, last_position, created_at, "
		"updated_at, retired_at, attributes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
		"?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?23) RETURNING id",
	/* Only the columns custody and placement change: listing tag or serial
	 * here would make SQLite rewrite their index entries on every
	 * Stock-Out, which at 100,000 assets is most of a batch's cost. */
	[STMT_ASSET_SAVE] =
		"UPDATE assets SET state = ?10, condition = ?11, holder_id = ?12, due = ?13, "
		"custody_since = ?14, case_id = ?15, position = ?16, last_case_id = ?17, "
		"last_position = ?18, updated_at = ?20, retired_at = ?21 WHERE id = ?22",
	/* Stock-Out and Stock-In: only what they change.  SQLite checks the
	 * CHECKs and rewrites the partial indexes of every column in a SET
	 * list, changed or not; condition's IN list alone was a temporary
	 * b-tree built, filled and freed per asset (issue #9). */
	[STMT_ASSET_SAVE_CUSTODY] =
		"UPDATE assets SET state = ?10, holder_id = ?12, due = ?13, custody_since = ?14, "
		"case_id = ?15, position = ?16, last_case_id = ?17, last_position = ?18, "
		"updated_at = ?20 WHERE id = ?22",
	[STMT_ASSET_SAVE_META] =
		"UPDATE assets SET serial = ?2, manufacturer = ?3, equipment_type = ?4, "
		"model = ?5, model_code = ?6, building = ?7, room = ?8, notes = ?9, "
		"condition = ?11, updated_at = ?20, attributes = ?23 WHERE id = ?22 AND tag = ?1",
	[STMT_ASSET_NEXT_ID] = "SELECT coalesce(max(id), 0) + 1 FROM assets",
	/* Has a stored asset match key ?1 or serial key ?2 (a bulk insert's
	 * candidate, kept_add)?  Two probes of the unique indexes. */
	[STMT_ASSET_PROBE] =
		"SELECT EXISTS (SELECT 1 FROM assets WHERE match_key = ?1) "
		"OR EXISTS (SELECT 1 FROM assets WHERE serial_key = ?2)",
	[STMT_ASSET_INSERT_KEPT] = ASSET_INSERT_COLS ASSET_ROW,
	/* STORE_ASSET_BULK kept assets in one statement: the CHECKs' IN lists
	 * (state, condition) are each a temporary table built anew per
	 * statement, most of a one-row insert's cost. */
	[STMT_ASSET_INSERT_BULK] = ASSET_INSERT_COLS ASSET_ROWS32,
	[STMT_ASSET_LIST] = "SELECT " ASSET_COLS ASSET_LIST_WHERE "ORDER BY a.tag LIMIT ?8",
	/* The same list up to tag ?11: a search the trigram index cannot
	 * serve (fewer than three characters; any on PostgreSQL) reads at
	 * most asset_filter's walk_max assets for a page, the ones up to the
	 * tag STMT_ASSET_WALK_END finds.  A bound, not a LIMIT in a subquery:
	 * SQLite read the subquery's 40,000 rows even when the page filled
	 * in the first hundred (0.9 -> 43 ms for q=7 at 100,000 assets). */
	[STMT_ASSET_LIST_WALK] =
		"SELECT " ASSET_COLS ASSET_LIST_WHERE "AND a.tag <= ?11 ORDER BY a.tag LIMIT ?8",
	/* The ?2-th tag after tag ?1 (OFFSET counts from 0), if there is one. */
	[STMT_ASSET_WALK_END] =
		"SELECT tag FROM assets WHERE tag > coalesce(?1, '') ORDER BY tag LIMIT 1 OFFSET ?2",
	/* How many assets hold all of the trigrams ?1 (a MATCH of
	 * search_match), counted up to ?2: the search below when they are
	 * few, the walk in tag order above when they are many (that walk then
	 * meets its page of matches early). */
	[STMT_ASSET_SEARCH_COUNT] =
		"SELECT count(*) FROM (SELECT rowid FROM assets_search WHERE assets_search MATCH ?1 "
		"LIMIT ?2)",
	/* The same list, from the assets holding q's trigrams (?10) only: the
	 * LIKEs then keep the exact matches.  CROSS JOIN keeps that order. */
	[STMT_ASSET_LIST_SEARCH] =
		"SELECT " ASSET_SELECT "FROM (SELECT rowid AS id FROM assets_search "
		"WHERE assets_search MATCH ?10) f CROSS JOIN assets a ON a.id = f.id " ASSET_JOINS
		ASSET_LIST_WHERE "ORDER BY a.tag LIMIT ?8",
	/* The counts the triggers of migration 8 keep (verify checks them:
	 * ASSET_COUNTS), and the overdue through their own index: the
	 * dashboard's numbers at a million assets without reading them. */
	[STMT_ASSET_COUNT] = "SELECT sum(n) FROM asset_counts",
	[STMT_ASSET_COUNT_OVERDUE] =
		"SELECT count(*) FROM assets INDEXED BY assets_overdue "
		"WHERE holder_id IS NOT NULL AND due IS NOT NULL AND due < ?1",
	[STMT_ASSET_COUNT_STATE] = "SELECT n FROM asset_counts WHERE state = ?1",
	[STMT_CASE_BY_NAME] = "SELECT " CASE_COLS "WHERE c.name = ?1",
	[STMT_CASE_BY_ID] = "SELECT " CASE_COLS "WHERE c.id = ?1",
	[STMT_CASE_ID] = "SELECT id FROM cases WHERE name = ?1",
	[STMT_CASE_INSERT] =
		"INSERT INTO cases(name, slot_count, building, room, notes, created_at, "
		"updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
	[STMT_CASE_SAVE] =
		"UPDATE cases SET slot_count = ?2, building = ?3, room = ?4, notes = ?5, "
		"updated_at = ?6 WHERE id = ?1",
	[STMT_SLOT_INSERT] = "INSERT INTO slots(case_id, position) VALUES (?1, ?2)",
	[STMT_CASE_LIST] =
		"SELECT " CASE_COLS "WHERE c.name > coalesce(?1, '') "
		"ORDER BY c.name LIMIT ?2",
	[STMT_HOLDER_BY_ID] = "SELECT " HOLDER_COLS "WHERE id = ?1",
	[STMT_HOLDER_BY_BADGE] = "SELECT " HOLDER_COLS "WHERE badge = ?1",
	[STMT_HOLDER_INSERT] =
		"INSERT INTO holders(id, name, badge, email, active, created_at, updated_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
	[STMT_HOLDER_SAVE] =
		"UPDATE holders SET name = ?2, badge = ?3, email = ?4, active = ?5, "
		"created_at = ?6, updated_at = ?7 WHERE id = ?1",
	[STMT_HOLDER_LIST] = "SELECT " HOLDER_COLS "WHERE id > ?1 ORDER BY id LIMIT ?2",
	[STMT_HOLDER_SEARCH] =
		"SELECT " HOLDER_COLS "WHERE active = 1 AND (instr(lower(name), ?1) > 0 "
		"OR lower(coalesce(badge, '')) = ?1 OR CAST(id AS TEXT) = ?1) "
		"ORDER BY lower(name), id LIMIT ?2",
	[STMT_ASSET_OUT_LONGEST] =
		"SELECT " ASSET_COLS_INDEXED("assets_custody") "WHERE a.holder_id IS NOT NULL "
		"ORDER BY a.custody_since, a.tag LIMIT ?1",
	[STMT_EVENT_LAST] = "SELECT seq, hash, at FROM events ORDER BY seq DESC LIMIT 1",
	[STMT_EVENT_HASH_AT] = "SELECT hash FROM events WHERE seq = ?1",
	[STMT_THROTTLE_GET] = "SELECT failures, next_ok FROM login_throttle WHERE key = ?1",
	[STMT_THROTTLE_PUT] =
		"INSERT INTO login_throttle(key, failures, next_ok, updated_at) VALUES (?1, ?2, ?3, ?4) "
		"ON CONFLICT(key) DO UPDATE SET failures = ?2, next_ok = ?3, updated_at = ?4",
	[STMT_SECURITY_LIST] =
		"SELECT at, actor, action, subject, details FROM security_log ORDER BY id DESC LIMIT ?1",
	[STMT_EVENT_INSERT] =
		"INSERT INTO events(seq, at, type, asset_tag, from_case, from_position, to_case, "
		"to_position, holder_id, actor, reason, batch_id, details, prev_hash, hash) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
	[STMT_EVENT_LIST] = "SELECT " EVENT_COLS EVENT_WHERE
	                    "AND e.seq > ?7 ORDER BY e.seq LIMIT ?8",
	[STMT_EVENT_LIST_DESC] = "SELECT " EVENT_COLS EVENT_WHERE
	                         SEQ_BEFORE "ORDER BY e.seq DESC LIMIT ?8",
	/* Separate statements so the (asset_tag, seq) index serves history. */
	[STMT_EVENT_BY_ASSET] = "SELECT " EVENT_COLS EVENT_WHERE
	                        "AND e.asset_tag = ?1 AND e.seq > ?7 ORDER BY e.seq LIMIT ?8",
	[STMT_EVENT_BY_ASSET_DESC] =
		"SELECT " EVENT_COLS EVENT_WHERE
		"AND e.asset_tag = ?1 " SEQ_BEFORE "ORDER BY e.seq DESC LIMIT ?8",
	/* One batch (a receipt, a Stock-Out's confirmation) through
	 * events_batch: "(?5 IS NULL OR e.batch_id = ?5)" cannot use it. */
	[STMT_EVENT_BY_BATCH] = "SELECT " EVENT_COLS EVENT_WHERE
	                        "AND e.batch_id = ?5 AND (CAST(?1 AS TEXT) IS NULL OR e.asset_tag = ?1) "
	                        "AND e.seq > ?7 ORDER BY e.seq LIMIT ?8",
	[STMT_EVENT_BY_BATCH_DESC] =
		"SELECT " EVENT_COLS EVENT_WHERE
		"AND e.batch_id = ?5 AND (CAST(?1 AS TEXT) IS NULL OR e.asset_tag = ?1) "
		SEQ_BEFORE "ORDER BY e.seq DESC LIMIT ?8",
	/* One holder's events through events_holder: "(?6 = 0 OR e.holder_id =
	 * ?6)" never uses it, and a quiet holder's page walked the whole log
	 * (1.6 s at 10 million events). */
	[STMT_EVENT_BY_HOLDER] = "SELECT " EVENT_COLS EVENT_WHERE
	                         "AND e.holder_id = ?6 AND e.seq > ?7 ORDER BY e.seq LIMIT ?8",
	[STMT_EVENT_BY_HOLDER_DESC] = "SELECT " EVENT_COLS EVENT_WHERE
	                              "AND e.holder_id = ?6 " SEQ_BEFORE
	                              "ORDER BY e.seq DESC LIMIT ?8",
	[STMT_EVENT_COUNT] = "SELECT count(*) FROM events",
	/* Only these four event types change who holds an asset, so the last
	 * of them per asset up to an instant says whether it was held then.
	 * NOT INDEXED: left to itself the planner walks events_asset and looks
	 * every row up in the table (2.3 s at a million events); one pass in
	 * seq order grouping in a temporary b-tree takes 0.45 s. */
	/* Custody at an instant, a chunk of assets at a time: the latest
	 * custody event of each asset (by tag, after ?2) up to ?1, walked in
	 * the covering index events_asset (tag, seq, at, type) so no event row
	 * is read but those that left an asset in custody (for holder, start
	 * and due).  A bare column beside max() is the max row's (SQLite). */
	[STMT_CUSTODY_AS_OF] =
		"SELECT m.tag, m.ty, e.holder_id, coalesce(json_extract(e.details, '$.since'), e.at), "
		"json_extract(e.details, '$.due'), "
		"json_extract(e.details, '$.state') FROM (SELECT asset_tag AS tag, max(seq) AS last, "
		"type AS ty FROM events INDEXED BY events_asset WHERE asset_tag > ?2 AND at <= ?1 "
		"AND type IN ('STOCK_OUT', 'STOCK_IN', 'ASSET_REPLACED', 'ASSET_RETIRED') "
		"GROUP BY asset_tag ORDER BY asset_tag LIMIT ?3) m "
		"LEFT JOIN events e ON e.seq = m.last AND m.ty IN ('STOCK_OUT', 'ASSET_REPLACED') "
		"ORDER BY m.tag",
	/* The replay's read: the whole log in seq order, nothing joined.  No
	 * time filter here: a filter on `at` would tempt the planner into the
	 * events_at index and a sort of the whole log; the caller skips.  The
	 * filter's other parameters are bound and ignored (SQLITE_RANGE). */
	[STMT_EVENT_LOG] =
		"SELECT e.seq, e.at, e.type, e.asset_tag, e.from_case, e.from_position, e.to_case, "
		"e.to_position, e.holder_id, NULL, e.actor, e.reason, e.batch_id, e.details, "
		"e.prev_hash, e.hash FROM events e WHERE e.seq > ?7 ORDER BY e.seq",
	[STMT_USER_INSERT] =
		"INSERT INTO users(username, role, pw_hash, active, created_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
	[STMT_USER_BY_NAME] = "SELECT " USER_COLS "WHERE username = ?1",
	[STMT_USER_BY_ID] = "SELECT " USER_COLS "WHERE id = ?1",
	[STMT_USER_COUNT] = "SELECT count(*) FROM users",
	[STMT_USER_LIST] = "SELECT " USER_COLS "ORDER BY username",
	[STMT_TOKEN_INSERT] =
		"INSERT INTO api_tokens(user_id, token_hash, label, created_at) "
		"VALUES (?1, ?2, ?3, ?4)",
	[STMT_TOKEN_USER] =
		"SELECT u.id, u.username, u.role, u.pw_hash, u.active, u.created_at "
		"FROM api_tokens t JOIN users u ON u.id = t.user_id "
		"WHERE t.token_hash = ?1 AND t.revoked_at IS NULL AND u.active = 1",
	[STMT_SECURITY_LOG] =
		"INSERT INTO security_log(at, actor, action, subject, details) "
		"VALUES (?1, ?2, ?3, ?4, ?5)",
	[STMT_SESSION_INSERT] =
		"INSERT INTO sessions(token_hash, user_id, csrf, created_at, last_seen) "
		"VALUES (?1, ?2, ?3, ?4, ?4)",
	[STMT_SESSION_GET] =
		"SELECT id, user_id, csrf, created_at, last_seen, ended_at IS NOT NULL "
		"FROM sessions WHERE token_hash = ?1",
	[STMT_SESSION_TOUCH] = "UPDATE sessions SET last_seen = ?2 WHERE id = ?1",
	[STMT_SESSION_END] =
		"UPDATE sessions SET ended_at = ?2 WHERE id = ?1 AND ended_at IS NULL",
	[STMT_DATA_VERSION] = "PRAGMA data_version",
	/* FTS5's commands: 'automerge' N, 'merge' N (store_search_merge). */
	[STMT_SEARCH_COMMAND] = "INSERT INTO assets_search(assets_search, rank) VALUES (?1, ?2)",
	/* Every attribute name in use, for the columns of `export assets`. */
	/* COLLATE "C": a json_each key has no column collation on PostgreSQL;
	 * ORDER BY 1, as PostgreSQL refuses an ORDER BY expression that the
	 * DISTINCT list lacks (and SQLite then needs no second sort). */
	[STMT_ASSET_ATTR_NAMES] =
		"SELECT DISTINCT j.key COLLATE \"C\" FROM assets a, json_each(a.attributes) j "
		"WHERE a.attributes IS NOT NULL ORDER BY 1",
	/* E-mail addresses compare without letter case (index holders_email);
	 * two rows mean two holders share one: an ambiguity, never a pick. */
	[STMT_HOLDER_BY_EMAIL] =
		"SELECT " HOLDER_COLS "WHERE lower(email) = ?1 AND email IS NOT NULL LIMIT 2",
	[STMT_HOLDER_BY_NAME] = "SELECT " HOLDER_COLS "WHERE name = ?1 LIMIT 2",
	/* STORE_EVENT_BULK events in one statement (store_event_insert_many):
	 * the schema's checks cost per statement as well as per row (the
	 * type's IN list is a temporary table built anew each time), so a
	 * bulk writer pays that once per 32 events. */
	[STMT_EVENT_INSERT_BULK] =
		"INSERT INTO events(seq, at, type, asset_tag, from_case, from_position, to_case, "
		"to_position, holder_id, actor, reason, batch_id, details, prev_hash, hash) VALUES "
		EVENT_ROWS32,
	[STMT_TOKEN_REVOKE_ALL] =
		"UPDATE api_tokens SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL",
	/* ---- physical audits (core/audit.c) ----
	 * An audit's case is details.case.  Both are written so that the index
	 * events_audit ON events(json_extract(details, '$.case'), seq) WHERE
	 * type = 'AUDIT_RECORDED' (schema version 5) serves them; without it
	 * each was one scan of the log, ~0.1-0.2 s at a million events. */
	[STMT_AUDIT_LAST] =
		"SELECT c.name, c.slot_count, e.seq, e.at, e.actor, "
		"json_extract(e.details, '$.counts') FROM cases c LEFT JOIN events e ON e.seq = "
		"(SELECT seq FROM events WHERE type = 'AUDIT_RECORDED' AND "
		"json_extract(details, '$.case') = ?1 ORDER BY seq DESC LIMIT 1) WHERE c.name = ?1",
	/* Cases with their last audit, in one pass: cases and audit events
	 * grouped together by case name (a join of cases to the audits per
	 * case would scan the audits once per case).  HAVING says max(slots):
	 * a bare `slots` there would be some row's of the group, maybe an
	 * audit's NULL, dropping an audited case. */
	[STMT_AUDIT_CASES] =
		"SELECT g.name, g.slots, e.seq, e.at, e.actor, json_extract(e.details, '$.counts') "
		"FROM (SELECT name, max(slots) AS slots, max(seq) AS seq FROM ("
		"SELECT name, slot_count AS slots, NULL AS seq FROM cases "
		"WHERE (CAST(?1 AS TEXT) IS NULL OR name > ?1) UNION ALL "
		"SELECT json_extract(details, '$.case'), NULL, seq FROM events "
		"WHERE type = 'AUDIT_RECORDED') u GROUP BY name HAVING max(slots) IS NOT NULL) g "
		"LEFT JOIN events e ON e.seq = g.seq "
		"WHERE (CAST(?2 AS TEXT) IS NULL OR e.seq IS NULL OR e.at < ?2) "
		"ORDER BY g.name LIMIT ?3",
	/* ---- reports (core/report.c) ----
	 * Each walks an index of schema version 6 in the order it lists, so a
	 * page stops after its rows instead of sorting the whole answer. */
	/* Custody now, one section (?1: 1 overdue, 0 the rest) by holder name,
	 * holder, custody start and tag, after the row (?3, ?4, ?5, ?6): the
	 * holders in name order, each one's assets in assets_holder's order,
	 * the due date read from that index too. */
	/* The holder walked is the holder joined (h, whose name ASSET_SELECT
	 * reads): no second look-up of it per row (issue #9). */
	[STMT_REPORT_CUSTODY] =
		"SELECT " ASSET_SELECT "FROM holders h INDEXED BY holders_name "
		"CROSS JOIN assets a INDEXED BY assets_holder ON a.holder_id = h.id "
		CUSTODY_REPORT_TAIL,
	/* Storage assets in no slot, by tag, each with the last event that can
	 * have left it so (created without a slot, force-vacated, replaced),
	 * found in its events index. */
	[STMT_REPORT_UNSLOTTED] =
		"SELECT " ASSET_SELECT ", u.seq, u.at, u.type, u.reason "
		"FROM assets a INDEXED BY assets_unslotted " ASSET_JOINS
		"LEFT JOIN events u ON u.seq = (SELECT max(n.seq) FROM events n INDEXED BY events_asset "
		"  WHERE n.asset_tag = a.tag "
		"  AND n.type IN ('ASSET_CREATED', 'FORCE_VACATE', 'ASSET_REPLACED')) "
		"WHERE a.state = 'STORAGE' AND a.case_id IS NULL AND a.tag > ?1 "
		"ORDER BY a.tag LIMIT ?2",
	[STMT_REPORT_UNSLOTTED_COUNT] =
		"SELECT count(*) FROM assets INDEXED BY assets_unslotted "
		"WHERE state = 'STORAGE' AND case_id IS NULL",
	[STMT_REPORT_SLOT_TOTALS] =
		"SELECT (SELECT count(*) FROM cases), (SELECT coalesce(sum(slot_count), 0) FROM cases), "
		"(SELECT count(*) FROM assets WHERE case_id IS NOT NULL)",
	/* A holder's custody periods, newest first: each start (a Stock-Out,
	 * or a replacement device handed over) with the first event after it
	 * that ended it (a Stock-In, or the device being replaced), which the
	 * asset's events index finds without reading the log. */
#define HOLDINGS_FROM                                                                     \
	"FROM events s INDEXED BY events_holder "                                        \
	"LEFT JOIN events x ON x.seq = (SELECT min(n.seq) FROM events n "                \
	"  INDEXED BY events_asset WHERE n.asset_tag = s.asset_tag AND n.seq > s.seq "   \
	"  AND n.type IN ('STOCK_IN', 'ASSET_REPLACED')) "
#define HOLDINGS_WHERE                                                                    \
	"WHERE s.holder_id = ?1 AND (s.type = 'STOCK_OUT' OR (s.type = 'ASSET_REPLACED' " \
	"  AND json_extract(s.details, '$.role') = 'replacement')) "
	[STMT_REPORT_HOLDINGS] =
		"SELECT s.seq, s.at, s.type, s.asset_tag, "
		"coalesce(json_extract(s.details, '$.since'), s.at), json_extract(s.details, '$.due'), "
		"s.from_case, s.from_position, x.seq, x.at, x.type, x.to_case, x.to_position, "
		"a.equipment_type, a.model " HOLDINGS_FROM
		"LEFT JOIN assets a ON a.tag = s.asset_tag " HOLDINGS_WHERE
		"AND (CAST(?2 AS BIGINT) = 0 OR s.seq < ?2) ORDER BY s.seq DESC LIMIT ?3",
	/* Periods, those ended, and those ended after their due date (the
	 * date of the return, UTC, past it: core's rule for a row). */
	[STMT_REPORT_HOLDING_COUNTS] =
		"SELECT count(*), count(x.seq), coalesce(sum(CASE WHEN x.seq IS NOT NULL "
		"AND json_extract(s.details, '$.due') IS NOT NULL "
		"AND substr(x.at, 1, 10) > json_extract(s.details, '$.due') THEN 1 ELSE 0 END), 0) "
		HOLDINGS_FROM
		HOLDINGS_WHERE,
	/* Retirements by reason (every retired asset has exactly one
	 * ASSET_RETIRED event, which carries the reason), from events_retired
	 * alone; and the retired assets in (reason, tag) order after the
	 * retirement event ?2 (0: from the first). */
	[STMT_REPORT_RETIRED_REASONS] =
		"SELECT reason, count(*) FROM events INDEXED BY events_retired "
		"WHERE type = 'ASSET_RETIRED' GROUP BY reason ORDER BY count(*) DESC, reason LIMIT ?1",
	[STMT_REPORT_RETIRED_TOTALS] =
		"SELECT count(*), count(DISTINCT reason) FROM events INDEXED BY events_retired "
		"WHERE type = 'ASSET_RETIRED'",
	[STMT_REPORT_RETIRED] =
		"SELECT " ASSET_SELECT ", r.seq, r.at, r.actor, r.reason "
		"FROM events r INDEXED BY events_retired JOIN assets a ON a.tag = r.asset_tag "
		ASSET_JOINS "WHERE r.type = 'ASSET_RETIRED' AND (CAST(?1 AS TEXT) IS NULL OR r.reason = ?1) "
		"AND (CAST(?2 AS BIGINT) = 0 OR (r.reason, r.asset_tag) > "
		"  (SELECT reason, asset_tag FROM events WHERE seq = ?2)) "
		"ORDER BY r.reason, r.asset_tag LIMIT ?3",
	/* PostgreSQL's alone (stmt_pg_only).  Arrays go as their text form
	 * (pg_array_add), so the driver binds text as everywhere else. */
	[STMT_ASSETS_BY_KEYS] =
		"SELECT " ASSET_SELECT ", a.match_key FROM assets a " ASSET_JOINS
		"WHERE a.match_key = ANY(CAST(?1 AS TEXT[]))",
	[STMT_ASSETS_IN_SLOTS] =
		"SELECT " ASSET_SELECT "FROM assets a " ASSET_JOINS
		"WHERE (a.case_id, a.position) IN "
		"(SELECT * FROM unnest(CAST(?1 AS BIGINT[]), CAST(?2 AS INTEGER[])))",
	/* STMT_ASSET_SAVE_CUSTODY's columns, one array each, row i of the
	 * batch at index i of every array. */
	[STMT_ASSETS_SAVE_CUSTODY] =
		"UPDATE assets SET state = u.state, holder_id = u.holder_id, due = u.due, "
		"custody_since = u.since, case_id = u.case_id, position = u.position, "
		"last_case_id = u.last_case_id, last_position = u.last_position, "
		"updated_at = u.updated_at "
		"FROM unnest(CAST(?1 AS BIGINT[]), CAST(?2 AS TEXT[]), CAST(?3 AS BIGINT[]), "
		"CAST(?4 AS TEXT[]), CAST(?5 AS TEXT[]), CAST(?6 AS BIGINT[]), "
		"CAST(?7 AS INTEGER[]), CAST(?8 AS BIGINT[]), CAST(?9 AS INTEGER[]), "
		"CAST(?10 AS TEXT[])) AS u(id, state, holder_id, due, since, case_id, position, "
		"last_case_id, last_position, updated_at) WHERE assets.id = u.id",
	/* A bulk writer's events, one array a column, inserted in the
	 * arrays' order (the chain trigger checks each row against the one
	 * before it).  A json keeps its text as given: the hashed bytes. */
	[STMT_EVENTS_INSERT_MANY] =
		"INSERT INTO events(seq, at, type, asset_tag, from_case, from_position, to_case, "
		"to_position, holder_id, actor, reason, batch_id, details, prev_hash, hash) "
		"SELECT u.seq, u.at, u.type, u.asset_tag, u.from_case, u.from_position, u.to_case, "
		"u.to_position, u.holder_id, u.actor, u.reason, u.batch_id, CAST(u.details AS JSON), "
		"u.prev_hash, u.hash FROM unnest(CAST(?1 AS BIGINT[]), CAST(?2 AS TEXT[]), "
		"CAST(?3 AS TEXT[]), CAST(?4 AS TEXT[]), CAST(?5 AS TEXT[]), CAST(?6 AS INTEGER[]), "
		"CAST(?7 AS TEXT[]), CAST(?8 AS INTEGER[]), CAST(?9 AS BIGINT[]), CAST(?10 AS TEXT[]), "
		"CAST(?11 AS TEXT[]), CAST(?12 AS TEXT[]), CAST(?13 AS TEXT[]), CAST(?14 AS TEXT[]), "
		"CAST(?15 AS TEXT[])) WITH ORDINALITY AS u(seq, at, type, asset_tag, from_case, "
		"from_position, to_case, to_position, holder_id, actor, reason, batch_id, details, "
		"prev_hash, hash, n) ORDER BY u.n",
};

/*
 * PostgreSQL's text where SQLite's does not prepare there or means
 * something else; NULL: stmt_sql[]'s serves both (drv.h).  Each answers
 * what SQLite's answers (tests/unit/test_store_pg.c compares them).
 */
static const char *const stmt_sql_pg[STMT__MAX] = {
	/* A bare column beside max() is the max row's on SQLite only:
	 * DISTINCT ON keeps each asset's first row in (asset_tag, seq DESC)
	 * order instead, its latest custody event up to ?1; LIMIT counts
	 * assets, as SQLite's GROUP BY does. */
	[STMT_CUSTODY_AS_OF] =
		"SELECT m.tag, m.ty, e.holder_id, coalesce(json_extract(e.details, '$.since'), e.at), "
		"json_extract(e.details, '$.due'), "
		"json_extract(e.details, '$.state') FROM (SELECT DISTINCT ON (asset_tag) "
		"asset_tag AS tag, seq AS last, type AS ty FROM events WHERE asset_tag > ?2 "
		"AND at <= ?1 "
		"AND type IN ('STOCK_OUT', 'STOCK_IN', 'ASSET_REPLACED', 'ASSET_RETIRED') "
		"ORDER BY asset_tag, seq DESC LIMIT ?3) m "
		"LEFT JOIN events e ON e.seq = m.last AND m.ty IN ('STOCK_OUT', 'ASSET_REPLACED') "
		"ORDER BY m.tag",
	/* CROSS JOIN ... ON is SQLite's join-order hint; PostgreSQL's planner
	 * orders joins itself. */
	[STMT_REPORT_CUSTODY] =
		"SELECT " ASSET_SELECT "FROM holders h "
		"JOIN assets a ON a.holder_id = h.id "
		CUSTODY_REPORT_TAIL,
	[STMT_ASSET_LIST] = "SELECT " ASSET_COLS ASSET_LIST_WHERE_PG "ORDER BY a.tag LIMIT ?8",
	[STMT_ASSET_LIST_WALK] =
		"SELECT " ASSET_COLS ASSET_LIST_WHERE_PG "AND a.tag <= ?11 ORDER BY a.tag LIMIT ?8",
};

/* Statements only SQLite has: never prepared on another engine (their
 * callers take another path there).  The asset search's FTS5 index
 * (assets_search, schema 7) has no PostgreSQL twin yet, and PRAGMA
 * data_version none at all (store_data_version). */
static const unsigned char stmt_sqlite_only[STMT__MAX] = {
	[STMT_ASSET_SEARCH_COUNT] = 1,
	[STMT_ASSET_LIST_SEARCH] = 1,
	[STMT_DATA_VERSION] = 1,
	[STMT_SEARCH_COMMAND] = 1,
};

/* What only PostgreSQL runs: a batch's reads and writes as one statement
 * each (store_asset_prefetch, store_slot_prefetch, store_assets_save_custody),
 * where every statement is a round trip and an executor's start.  SQLite
 * runs the row-at-a-time statements, which cost it microseconds. */
static const unsigned char stmt_pg_only[STMT__MAX] = {
	[STMT_ASSETS_BY_KEYS] = 1,
	[STMT_ASSETS_IN_SLOTS] = 1,
	[STMT_ASSETS_SAVE_CUSTODY] = 1,
	[STMT_EVENTS_INSERT_MANY] = 1,
};

/* Assets kept for a bulk insert (store_asset_defer), each with its unique
 * keys as the generated columns compute them; ids are given in advance,
 * as the table would give them (the largest plus one). */
struct kept_asset {
	char key[AT_TAG_MAX + 1];            /* match_key */
	char serial_key[AT_FIELD_MAX + 1];
	struct asset a;
};

/* A Bloom filter of the keys written while deferring: 1 MiB of 64-bit
 * words, 4 bits of one word a key (one cache miss, not four).  At 200,000
 * keys about one in 10,000 is a false hit, which costs a probe of the
 * indexes and nothing else. */
#define KEPT_BLOOM_WORDS (1u << 17)

struct kept {
	struct kept_asset row[STORE_ASSET_BULK];
	size_t n;
	int64_t next_id;
	/* Every stored asset's keys are in `bloom`: a key it lacks is in no
	 * unique index, no probe needed.  Set while the table started empty
	 * and every asset written since went through here. */
	int complete;
	uint64_t bloom[KEPT_BLOOM_WORDS];
	unsigned char touches[STMT__MAX];    /* the statement reads or writes assets */
};

/* The connection's driver, and whether it is SQLite's, passed by value to
 * the per-value wrappers below.  A row reader copies it into a local
 * first: read through a pointer it is loaded again after every memcpy
 * into the record (docs/postgresql.md, "Cost"). */
struct dv {
	const struct drv *d;
	int lite;
};

struct store {
	const struct drv *drv;
	struct drv_conn *conn;
	struct dv dv;
	struct store_sqlite lite;            /* its db NULL unless SQLite */
	struct drv_stmt *stmts[STMT__MAX];
	struct kept *kept;                   /* NULL unless deferring */
	struct prefetch *pf;                 /* NULL unless a batch's reads are */
	struct overlay *ov;                  /* NULL unless a scratch reads through */
	/* store_read_snapshot(): PRAGMA data_version stepped to its row and
	 * not reset, which holds SQLite's implicit read transaction open;
	 * NULL when no such snapshot is open.  `pinned_version` is what it
	 * read. */
	struct drv_stmt *pinned;
	int64_t pinned_version;
};

/* A batch's reads made ahead (store_asset_prefetch, store_slot_prefetch);
 * below with the assets. */
struct prefetch;
static void prefetch_drop(struct store *st);
static int prefetch_key(const struct prefetch *pf, const char *key, struct asset *a,
                        enum at_code *c);
static int prefetch_slot(const struct prefetch *pf, int64_t case_id, int position,
                         struct asset *a, enum at_code *c);

/* A scratch's reads of the source's rows (store_overlay), below. */
struct overlay;
static enum at_code ov_key(struct store *st, const char *match_key);
static enum at_code ov_serial(struct store *st, const char *serial_key);
static enum at_code ov_case_name(struct store *st, const char *name);
static enum at_code ov_case_full(struct store *st, int64_t id);

struct store_sqlite *store_sqlite_of(struct store *st)
{
	return st->lite.db ? &st->lite : NULL;
}

int store_other_schema_version(struct store *st)
{
	int v = -1;

	if (st->conn && st->drv == &drv_pg && schema_pg_version(st->conn, &v, NULL) != AT_OK)
		v = -1;
	return v;
}

/* ==== the driver's per-value calls ===================================== */

/* SQLite's inline (drv_sqlite.h: they compile to the sqlite3 calls), any
 * other driver through its table: one test of a local per value. */
static inline void d_reset(struct dv v, struct drv_stmt *s)
{
	if (v.lite)
		drv_sqlite_reset(s);
	else
		v.d->reset(s);
}

/* The end of a run, bindings kept: stmt_get() clears them before the
 * statement's next run.  Clearing them here as well (SQLite's
 * sqlite3_clear_bindings, a loop over every parameter) cost a 500-asset
 * Stock-Out 0.4 M instructions: its bulk inserts bind up to 736. */
static inline void d_end(struct dv v, struct drv_stmt *s)
{
	if (v.lite)
		sqlite3_reset(drv_sqlite_stmt(s));
	else
		v.d->reset(s);
}

static inline void d_bind_int64(struct dv v, struct drv_stmt *s, int i, int64_t x)
{
	if (v.lite)
		drv_sqlite_bind_int64(s, i, x);
	else
		v.d->bind_int64(s, i, x);
}

static inline void d_bind_text(struct dv v, struct drv_stmt *s, int i, const char *x)
{
	if (v.lite)
		drv_sqlite_bind_text(s, i, x);
	else
		v.d->bind_text(s, i, x);
}

static inline void d_bind_null(struct dv v, struct drv_stmt *s, int i)
{
	if (v.lite)
		drv_sqlite_bind_null(s, i);
	else
		v.d->bind_null(s, i);
}

static inline enum drv_step d_step(struct dv v, struct drv_stmt *s)
{
	return v.lite ? drv_sqlite_step(s) : v.d->step(s);
}

static inline int d_count(struct dv v, struct drv_stmt *s)
{
	return v.lite ? drv_sqlite_column_count(s) : v.d->column_count(s);
}

static inline enum drv_type d_type(struct dv v, struct drv_stmt *s, int i)
{
	return v.lite ? drv_sqlite_column_type(s, i) : v.d->column_type(s, i);
}

static inline int64_t d_int64(struct dv v, struct drv_stmt *s, int i)
{
	return v.lite ? drv_sqlite_column_int64(s, i) : v.d->column_int64(s, i);
}

static inline const char *d_text(struct dv v, struct drv_stmt *s, int i)
{
	return v.lite ? drv_sqlite_column_text(s, i) : v.d->column_text(s, i);
}

/* After d_text (SQLite's order: the text first, then its length). */
static inline size_t d_bytes(struct dv v, struct drv_stmt *s, int i)
{
	return v.lite ? drv_sqlite_column_bytes(s, i) : v.d->column_bytes(s, i);
}

/* ==== errors and statement helpers ==================================== */

const char *store_errmsg(struct store *st)
{
	return st && st->conn ? st->drv->errmsg(st->conn) : "database not open";
}

/* The connection's last failure in our vocabulary, with its message. */
static enum at_code fail_code(struct store *st, struct at_errors *e)
{
	enum at_code c = st->drv->errcode(st->conn);
	const char *msg = st->drv->errmsg(st->conn);

	if (c == AT_BUSY)
		return at_fail(e, AT_BUSY, "the database is busy; try again (%s)", msg);
	if (c == AT_DUPLICATE || c == AT_CONFLICT)
		return at_fail(e, c, "refused by the database: %s", msg);
	return at_fail(e, AT_STORAGE, "database error: %s", msg);
}

/* The same without a message, for reads (which meet no constraint, so
 * whether one would be AT_DUPLICATE or AT_CONFLICT does not matter). */
static enum at_code code_of(struct store *st)
{
	return st->drv->errcode(st->conn);
}

static enum at_code kept_flush(struct store *st, struct at_errors *e);

/* On PostgreSQL, the writes sent without waiting for their answers
 * (drv_pg_deferrable): the custody record's updates and the events, which
 * an operation writes after every check it makes, so that nothing it
 * decides hangs on their answers; a failure still aborts it, at its next
 * round trip or its commit.  A 500-asset Stock-Out: 1,000 round trips
 * fewer (bench/README.md, "PostgreSQL"). */
static const unsigned char stmt_deferrable[STMT__MAX] = {
	[STMT_ASSET_SAVE] = 1,
	[STMT_ASSET_SAVE_CUSTODY] = 1,
	[STMT_EVENT_INSERT] = 1,
	[STMT_EVENT_INSERT_BULK] = 1,
	[STMT_ASSETS_SAVE_CUSTODY] = 1,
	[STMT_EVENTS_INSERT_MANY] = 1,
};

/* Prepared statement for `which`, reset and with bindings cleared. */
static struct drv_stmt *stmt_get(struct store *st, enum stmt which)
{
	struct drv_stmt *s = st->stmts[which];

	if (!s) {
		const char *sql = stmt_sql[which];

		/* Its callers never ask for it on SQLite. */
		assert(!st->dv.lite || !stmt_pg_only[which]);
		if (st->dv.lite && stmt_pg_only[which])
			return NULL;
		if (!st->dv.lite) {
			/* Its callers never ask for it there. */
			assert(!stmt_sqlite_only[which]);
			if (stmt_sqlite_only[which])
				return NULL;
			if (stmt_sql_pg[which])
				sql = stmt_sql_pg[which];
		}
		if (st->drv->prepare(st->conn, sql, &s) != AT_OK)
			return NULL;
		if (!st->dv.lite && stmt_deferrable[which])
			drv_pg_deferrable(s);
		st->stmts[which] = s;
	} else {
		d_reset(st->dv, s);
	}
	return s;
}

/* The same, after writing kept assets if `which` would see the table
 * without them.  NULL on a failure, with the connection's error code
 * saying which. */
static struct drv_stmt *stmt(struct store *st, enum stmt which)
{
	if (st->kept && st->kept->n && st->kept->touches[which] && kept_flush(st, NULL) != AT_OK)
		return NULL;
	return stmt_get(st, which);
}

static void done(struct dv v, struct drv_stmt *s)
{
	if (s)
		d_end(v, s);
}

/* Bind text; "" and NULL become SQL NULL when `null_if_empty`. */
static void bind_text(struct dv v, struct drv_stmt *s, int i, const char *x, int null_if_empty)
{
	if (!x || (null_if_empty && !*x))
		d_bind_null(v, s, i);
	else
		d_bind_text(v, s, i, x);
}

static void bind_id(struct dv v, struct drv_stmt *s, int i, int64_t x)
{
	if (x)
		d_bind_int64(v, s, i, x);
	else
		d_bind_null(v, s, i);
}

/* A LIMIT: `limit` rows, or all of them when it is not positive.  Not -1:
 * PostgreSQL refuses a negative LIMIT (and SQLite LIMIT NULL). */
static void bind_limit(struct dv v, struct drv_stmt *s, int i, int64_t limit)
{
	d_bind_int64(v, s, i, limit > 0 ? limit : INT64_MAX);
}

/* Copy a text column into a fixed field (truncating at its cap, which the
 * schema's CHECKs make unreachable).  Hot: every row read goes through.
 * Inline: called out of line, a 26-column row cost 400 instructions more
 * (callgrind, bench/callgrind_lookup.sh). */
static inline void col_text(struct dv v, struct drv_stmt *s, int i, char *out, size_t cap)
{
	const char *t = d_text(v, s, i);
	size_t n = t ? d_bytes(v, s, i) : 0;

	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(out, t, n);
	out[n] = '\0';
}

#define COL_TEXT(v, s, i, field) col_text((v), (s), (i), (field), sizeof(field))

/* Run a statement that returns no rows. */
static enum at_code exec_stmt(struct store *st, struct drv_stmt *s, struct at_errors *e)
{
	if (d_step(st->dv, s) != DRV_DONE) {
		enum at_code c = fail_code(st, e);
		d_end(st->dv, s);
		return c;
	}
	d_end(st->dv, s);
	return AT_OK;
}

/* Run an INSERT ... RETURNING id: its one row (SQLite makes every change
 * at the first step), then its end.  *id is set on success only. */
static enum at_code insert_id(struct store *st, struct drv_stmt *s, int64_t *id,
                              struct at_errors *e)
{
	enum at_code c = AT_OK;

	if (d_step(st->dv, s) != DRV_ROW) {
		c = fail_code(st, e);
	} else {
		int64_t v = d_int64(st->dv, s, 0);

		if (d_step(st->dv, s) != DRV_DONE)
			c = fail_code(st, e);
		else
			*id = v;
	}
	d_end(st->dv, s);
	return c;
}

/* ==== lifecycle ======================================================= */

/* store_open() on PostgreSQL: the driver sets what every connection
 * needs (encoding, lock and statement timeouts, read-only); the schema
 * must be at this program's version, or STORE_CREATE migrates it there
 * (run as the role that is to own the schema: docs/postgresql.md).
 * Messages never show the URI: it may hold a password. */
static enum at_code open_pg(struct store *st, const char *uri, int dflags, int flags,
                            struct at_errors *e)
{
	enum at_code c = drv_pg.open(uri, dflags, &st->conn, e);
	int v = -1;

	if (c != AT_OK)
		return c;
	st->drv = &drv_pg;
	st->dv = (struct dv){ st->drv, 0 };
	if (flags & STORE_CREATE)
		return schema_pg_migrate(st->conn, NULL, e);
	c = schema_pg_version(st->conn, &v, e);
	if (c != AT_OK)
		return c;
	if (v == 0)
		return at_fail(e, AT_STORAGE, "the PostgreSQL database is not an AssetTrack "
		               "database (run 'assettrack init')");
	if (v != AT_SCHEMA_VERSION)
		return at_fail(e, AT_STORAGE,
		               "the PostgreSQL database has schema version %d, this program "
		               "expects %d; run 'assettrack init' to upgrade",
		               v, AT_SCHEMA_VERSION);
	return AT_OK;
}

/* store_open() on SQLite.  The driver sets what every connection needs:
 * extended result codes, the busy timeout, foreign keys, collation "C",
 * and (once per process) no memory statistics.  The rest is this
 * program's policy (store_sqlite_setup). */
static enum at_code open_lite(struct store *st, const char *path, int dflags, int flags,
                              struct at_errors *e)
{
	enum at_code c = drv_sqlite.open(path, dflags, &st->conn, e);

	if (c != AT_OK)
		return c;
	st->drv = &drv_sqlite;
	st->dv = (struct dv){ st->drv, 1 };
	st->lite.db = drv_sqlite_db(st->conn);
	c = store_sqlite_setup(&st->lite, path, flags, e);
	if (c != AT_OK)
		return c;
	if (flags & STORE_CREATE) {
		c = store_migrate(st, NULL, e);
		if (c != AT_OK)
			return c;
		/* A scratch store is verify's replay, compared table by table
		 * and never searched: it need not keep the trigram index of
		 * every asset it replays (at 1M assets the index's upkeep was
		 * a large part of the replay). */
		if ((flags & STORE_SCRATCH) &&
		    st->drv->exec(st->conn, "DROP TRIGGER assets_search_insert; "
		                            "DROP TRIGGER assets_search_update") != AT_OK)
			return fail_code(st, e);
	} else {
		int v = store_schema_version(st);
		if (v == 0)
			return at_fail(e, AT_STORAGE,
			               "%s is not an AssetTrack database (run 'assettrack init')",
			               path);
		if (v != schema_nmigrations)
			return at_fail(e, AT_STORAGE,
			               "%s has schema version %d, this program expects %d; run "
			               "'assettrack init' to upgrade",
			               path, v, schema_nmigrations);
	}
	/* FTS5 reads its configuration when a connection first names the
	 * search index: here, once, rather than inside the first operation
	 * that writes an asset, where a failed read would come back as
	 * "vtable constructor failed" instead of its own error. */
	if (!stmt(st, STMT_ASSET_SEARCH_COUNT))
		return fail_code(st, e);
	return AT_OK;
}

enum at_code store_open(const char *path, int flags, struct store **out, struct at_errors *e)
{
	struct store *st = NULL;
	int dflags = (flags & STORE_READONLY) ? DRV_READONLY : (flags & STORE_CREATE) ? DRV_CREATE : 0;
	enum at_code c = AT_OK;

	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return at_fail(e, AT_INTERNAL, "out of memory");
	/* "" is SQLite's private temporary on-disk database. */
	if (flags & STORE_SCRATCH)
		path = "";
	c = drv_pg_is_uri(path) ? open_pg(st, path, dflags, flags, e)
	                        : open_lite(st, path, dflags, flags, e);
	if (c != AT_OK)
		goto out;
	*out = st;
	st = NULL;
out:
	store_close(st);
	return c;
}

static void overlay_free(struct store *st);

void store_close(struct store *st)
{
	if (!st)
		return;
	overlay_free(st);
	for (int i = 0; st->conn && i < STMT__MAX; i++)
		if (st->stmts[i])
			st->drv->finalize(st->stmts[i]);
	if (st->conn)
		st->drv->close(st->conn);
	free(st->kept);
	prefetch_drop(st);
	free(st);
}

/* Inside store_read_snapshot() a BEGIN is refused, as SQLite refuses one
 * inside BEGIN: the snapshot stands for the transaction that a read
 * used to open, and behaves as it did. */
static enum at_code refuse_nested(struct at_errors *e)
{
	return at_fail(e, AT_STORAGE,
	               "database error: cannot start a transaction within a transaction");
}

enum at_code store_begin(struct store *st, struct at_errors *e)
{
	prefetch_drop(st);
	if (st->pinned)
		return refuse_nested(e);
	return st->drv->begin_write(st->conn) == AT_OK ? AT_OK : fail_code(st, e);
}

enum at_code store_begin_read(struct store *st, struct at_errors *e)
{
	if (st->pinned)
		return refuse_nested(e);
	return st->drv->begin_read(st->conn) == AT_OK ? AT_OK : fail_code(st, e);
}

/*
 * SQLite ends an implicit transaction when its last active statement is
 * reset ("An implicit transaction ... is committed automatically when the
 * last active statement finishes", lang_transaction.html), so a statement
 * stepped to a row and left there holds one read transaction open for
 * every statement run meanwhile: one snapshot, as BEGIN gives, without
 * BEGIN's and ROLLBACK's two statements (2,400 of a lookup's 62,500
 * instructions, bench/README.md).  The statement held is PRAGMA
 * data_version, which the token cache reads in the snapshot anyway.
 */
enum at_code store_read_snapshot(struct store *st, struct at_errors *e)
{
	struct drv_stmt *s;

	if (st->pinned || !st->dv.lite || st->drv->in_txn(st->conn))
		return store_begin_read(st, e);
	s = stmt(st, STMT_DATA_VERSION);
	if (!s)
		return fail_code(st, e);
	if (d_step(st->dv, s) != DRV_ROW) {
		enum at_code c = fail_code(st, e);
		d_end(st->dv, s);
		return c;
	}
	st->pinned = s;
	st->pinned_version = d_int64(st->dv, s, 0);
	return AT_OK;
}

/* Kept assets are written first: the commit must not go without them. */
enum at_code store_commit(struct store *st, struct at_errors *e)
{
	prefetch_drop(st);
	if (st->kept && st->kept->n && kept_flush(st, NULL) != AT_OK)
		return fail_code(st, e);
	return st->drv->commit(st->conn) == AT_OK ? AT_OK : fail_code(st, e);
}

void store_rollback(struct store *st)
{
	if (!st)
		return;
	prefetch_drop(st);
	/* Kept assets were never written: nothing of them to undo. */
	if (st->kept)
		st->kept->n = 0;
	if (st->pinned) {
		d_end(st->dv, st->pinned);
		st->pinned = NULL;
	}
	st->drv->rollback(st->conn);
}

/* The tables that hold the custody record, in digest order, each with
 * its primary key order.  A new table of domain state belongs here. */
static const char *const state_tables[][2] = {
	{ "cases", "id" },
	{ "slots", "case_id, position" },
	{ "holders", "id" },
	{ "assets", "id" },
};

/* One value in the canonical form of core/event.h: 'n', 'i' + decimal,
 * 'f' + %.17g, 's' + text or 'b' + hex, each ended by 0x1e. */
static void state_value(struct dv v, struct buf *b, struct drv_stmt *s, int col)
{
	switch (d_type(v, s, col)) {
	case DRV_NULL:
		buf_add(b, "n", 1);
		break;
	case DRV_INT:
		buf_printf(b, "i%lld", (long long)d_int64(v, s, col));
		break;
	case DRV_FLOAT:
		/* No column of these tables is REAL, but a file edited by hand
		 * may hold one where an INTEGER is declared.  (PostgreSQL's
		 * schema has no floating column: never there.) */
		if (v.lite)
			buf_printf(b, "f%.17g", sqlite3_column_double(drv_sqlite_stmt(s), col));
		else
			buf_printf(b, "f%.17g", strtod(d_text(v, s, col), NULL));
		break;
	case DRV_BLOB: {
		const unsigned char *p = (const unsigned char *)d_text(v, s, col);
		size_t n = d_bytes(v, s, col);
		buf_add(b, "b", 1);
		for (size_t i = 0; i < n; i++)
			buf_printf(b, "%02x", p[i]);
		break;
	}
	default: {
		const char *t = d_text(v, s, col);
		buf_add(b, "s", 1);
		buf_add(b, t, d_bytes(v, s, col));
	}
	}
	buf_add(b, "\x1e", 1);
}

enum at_code store_state_rows(struct store *st, state_row_cb cb, void *ctx)
{
	const struct dv v = st->dv;
	struct buf b;
	enum at_code c = AT_OK;

	buf_init(&b, 0);
	for (size_t t = 0; c == AT_OK && t < sizeof(state_tables) / sizeof(state_tables[0]); t++) {
		char sql[128];
		struct drv_stmt *s = NULL;
		enum drv_step rc;

		/* Table names are the constants above, never input. */
		snprintf(sql, sizeof(sql), "SELECT * FROM %s ORDER BY %s", state_tables[t][0],
		         state_tables[t][1]);
		if (st->drv->prepare(st->conn, sql, &s) != AT_OK) {
			c = AT_STORAGE;
			break;
		}
		buf_reset(&b);
		buf_printf(&b, "T%s", state_tables[t][0]);
		buf_add(&b, "\x1d", 1);
		cb(ctx, b.data, b.len);
		while ((rc = d_step(v, s)) == DRV_ROW) {
			buf_reset(&b);
			for (int i = 0; i < d_count(v, s); i++)
				state_value(v, &b, s, i);
			buf_add(&b, "\x1d", 1);
			if (b.overflow) {
				c = AT_INTERNAL;
				break;
			}
			cb(ctx, b.data, b.len);
		}
		if (c == AT_OK && rc != DRV_DONE)
			c = AT_STORAGE;
		st->drv->finalize(s);
	}
	buf_free(&b);
	return c;
}

/* ==== copying a whole database (core/copy.h) ========================== */

/* Every table, parents before the rows that name them, with every stored
 * column (not the generated match_key and serial_key, which each engine
 * computes) in primary-key order.  A new table belongs here: the test
 * copy.test.mjs compares the tables of both ends. */
static const struct copy_table {
	const char *name, *key, *cols;
	int ncols;
	int identity;                        /* PostgreSQL: an identity column `id` */
} copy_tables[] = {
	{ "holders", "id", "id, name, badge, email, active, created_at, updated_at", 7, 0 },
	{ "cases", "id", "id, name, slot_count, building, room, notes, created_at, updated_at", 8, 0 },
	{ "slots", "case_id, position", "case_id, position", 2, 0 },
	{ "assets", "id",
	  "id, tag, serial, manufacturer, equipment_type, model, model_code, building, room, "
	  "notes, state, condition, holder_id, due, custody_since, case_id, position, "
	  "last_case_id, last_position, created_at, updated_at, retired_at, attributes", 23, 0 },
	{ "events", "seq",
	  "seq, at, type, asset_tag, from_case, from_position, to_case, to_position, holder_id, "
	  "actor, reason, batch_id, details, prev_hash, hash", 15, 0 },
	{ "users", "id", "id, username, role, pw_hash, active, created_at", 6, 1 },
	{ "api_tokens", "id", "id, user_id, token_hash, label, created_at, revoked_at", 6, 1 },
	{ "security_log", "id", "id, at, actor, action, subject, details", 6, 1 },
	{ "sessions", "id", "id, token_hash, user_id, csrf, created_at, last_seen, ended_at", 7, 1 },
	{ "login_throttle", "key", "key, failures, next_ok, updated_at", 4, 0 },
	{ "import_jobs", "id",
	  "id, batch_id, actor, options, state, open, since_seq, bytes, rows_total, rows_done, "
	  "heartbeat, owner, created_at, ended_at, note", 15, 1 },
	{ "import_job_parts", "job_id, n", "job_id, n, data", 3, 0 },
	{ "import_job_keys", "job_id, key", "job_id, key, value", 3, 0 },
};

#define COPY_NTABLES (sizeof(copy_tables) / sizeof(copy_tables[0]))

/* One statement of `sql` on `st`, its first column as an integer (-1 on
 * failure, with the connection's error). */
static int64_t copy_scalar(struct store *st, const char *sql)
{
	struct drv_stmt *s = NULL;
	int64_t n = -1;
	enum drv_step rc;

	if (st->drv->prepare(st->conn, sql, &s) != AT_OK)
		return -1;
	rc = d_step(st->dv, s);
	if (rc == DRV_ROW)
		n = d_int64(st->dv, s, 0);
	else if (rc == DRV_DONE)
		n = 0;
	st->drv->finalize(s);
	return n;
}

/* Bind the source row's column `i` to the insert's parameter `i + 1`:
 * integers as integers, texts as texts.  Any other value (a REAL or a
 * BLOB, or a text holding NUL, which only a file edited by hand can have)
 * would not arrive as it was: refused.  1 when bound. */
static int copy_value(struct store *src, struct drv_stmt *from, struct store *dst,
                      struct drv_stmt *to, int i)
{
	const char *t;

	switch (d_type(src->dv, from, i)) {
	case DRV_NULL:
		d_bind_null(dst->dv, to, i + 1);
		return 1;
	case DRV_INT:
		d_bind_int64(dst->dv, to, i + 1, d_int64(src->dv, from, i));
		return 1;
	case DRV_TEXT:
		t = d_text(src->dv, from, i);
		if (!t || strlen(t) != d_bytes(src->dv, from, i))
			return 0;
		d_bind_text(dst->dv, to, i + 1, t);
		return 1;
	default:
		return 0;
	}
}

/* One table's rows from `src` into `dst`. */
static enum at_code copy_table_rows(struct store *src, struct store *dst,
                                    const struct copy_table *t, store_copy_cb cb, void *ctx,
                                    struct at_errors *e)
{
	char sql[640], params[160];
	struct drv_stmt *from = NULL, *to = NULL;
	enum at_code c = AT_OK;
	enum drv_step rc;
	int64_t total, done = 0;
	size_t n = 0;

	/* Names are the constants above, never input. */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", t->name);
	total = copy_scalar(src, sql);
	if (total < 0)
		return fail_code(src, e);
	for (int i = 1; i <= t->ncols; i++)
		n += (size_t)snprintf(params + n, sizeof(params) - n, "%s?%d", i > 1 ? ", " : "", i);
	snprintf(sql, sizeof(sql), "INSERT INTO %s(%s) VALUES (%s)", t->name, t->cols, params);
	if (dst->drv->prepare(dst->conn, sql, &to) != AT_OK)
		return fail_code(dst, e);
	snprintf(sql, sizeof(sql), "SELECT %s FROM %s ORDER BY %s", t->cols, t->name, t->key);
	if (src->drv->prepare(src->conn, sql, &from) != AT_OK) {
		c = fail_code(src, e);
		goto out;
	}
	if (cb)
		cb(ctx, t->name, 0, total);
	while ((rc = d_step(src->dv, from)) == DRV_ROW) {
		for (int i = 0; i < t->ncols; i++) {
			if (!copy_value(src, from, dst, to, i)) {
				c = at_fail(e, AT_INVALID,
				            "%s: row %lld holds a value of another type in column %d "
				            "(a REAL, a BLOB, or a text with NUL), which a copy cannot carry",
				            t->name, (long long)done + 1, i + 1);
				goto out;
			}
		}
		if (d_step(dst->dv, to) != DRV_DONE) {
			enum at_code code = dst->drv->errcode(dst->conn);

			c = at_fail(e, code == AT_OK ? AT_STORAGE : code, "%s: row %lld refused: %s",
			            t->name, (long long)done + 1, dst->drv->errmsg(dst->conn));
			goto out;
		}
		d_end(dst->dv, to);
		if (++done % 10000 == 0 && cb)
			cb(ctx, t->name, done, total);
	}
	if (rc != DRV_DONE)
		c = fail_code(src, e);
	else if (cb)
		cb(ctx, t->name, done, done);
out:
	if (from)
		src->drv->finalize(from);
	dst->drv->finalize(to);
	return c;
}

enum at_code store_copy(struct store *src, struct store *dst, store_copy_cb cb, void *ctx,
                        struct at_errors *e)
{
	char sql[160];
	enum at_code c;

	for (size_t t = 0; t < COPY_NTABLES; t++) {
		int64_t n;

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM (SELECT 1 FROM %s LIMIT 1) AS t",
		         copy_tables[t].name);
		n = copy_scalar(dst, sql);
		if (n < 0)
			return fail_code(dst, e);
		if (n > 0)
			return at_fail(e, AT_CONFLICT,
			               "the destination already holds %s: copy only into a new, empty "
			               "database", copy_tables[t].name);
	}
	for (size_t t = 0; t < COPY_NTABLES; t++)
		if ((c = copy_table_rows(src, dst, &copy_tables[t], cb, ctx, e)) != AT_OK)
			return c;
	if (dst->dv.lite)
		return AT_OK;
	/* Rows taken with their ids leave PostgreSQL's identity sequences
	 * behind: the next insert would take id 1 again.  setval needs
	 * UPDATE on the sequence, which the app role lacks: copy into
	 * PostgreSQL as the schema's owner, as init runs. */
	for (size_t t = 0; t < COPY_NTABLES; t++) {
		if (!copy_tables[t].identity)
			continue;
		snprintf(sql, sizeof(sql),
		         "SELECT setval(pg_get_serial_sequence('%s', 'id'), max(id)) FROM %s",
		         copy_tables[t].name, copy_tables[t].name);
		if (copy_scalar(dst, sql) < 0) {
			c = dst->drv->errcode(dst->conn);
			return at_fail(e, c == AT_STORAGE || c == AT_BUSY ? c : AT_INVALID,
			               "cannot move %s's id sequence past the copied rows (copy into "
			               "PostgreSQL as the schema's owner, as init runs): %s",
			               copy_tables[t].name, dst->drv->errmsg(dst->conn));
		}
	}
	return AT_OK;
}

/* ==== an overlay: a scratch that reads through to a database ========== */

/*
 * store_overlay() (store.h).  Each row is copied from the source the first
 * time a read or an insert of the scratch could meet it, so that every
 * answer the scratch gives is the source's, plus the scratch's own
 * writes: an asset by its match key or serial key, and a case with its
 * slots and every asset in it (its occupancy), the first time the case
 * is named or its slots are read.  An asset copied brings its case rows
 * and the two slots it names (the foreign keys); holders come all at
 * once.  What was asked is remembered in the scratch's table ov_seen:
 * 'k' match key, 's' serial key, 'n' case name, 'c' case row, 'C' case
 * with its slots and assets, 'a' asset id.
 */
enum ovq { OVQ_BY_KEY, OVQ_BY_SERIAL, OVQ_IN_CASE, OVQ_CASE_BY_NAME, OVQ_CASE_BY_ID,
	   OVQ_SLOTS, OVQ__MAX };
enum ovi { OVI_CASE, OVI_SLOT, OVI_ASSET, OVI_SEEN_GET, OVI_SEEN_PUT, OVI__MAX };

struct overlay {
	struct store *src;
	struct drv_stmt *q[OVQ__MAX];        /* on the source */
	struct drv_stmt *ins[OVI__MAX];      /* on the scratch */
};

#define OV_CASES (&copy_tables[1])
#define OV_SLOTS (&copy_tables[2])
#define OV_ASSETS (&copy_tables[3])

/* Before the scratch's connection closes; the source is still open. */
static void overlay_free(struct store *st)
{
	struct overlay *ov = st->ov;

	if (!ov)
		return;
	for (int i = 0; i < OVQ__MAX; i++)
		if (ov->q[i])
			ov->src->drv->finalize(ov->q[i]);
	for (int i = 0; i < OVI__MAX; i++)
		if (ov->ins[i])
			st->drv->finalize(ov->ins[i]);
	free(ov);
	st->ov = NULL;
}

/* Is `kind`+`key` asked for the first time?  1 (and now remembered), 0,
 * or -1 on failure. */
static int ov_first(struct store *st, char kind, const char *key)
{
	struct overlay *ov = st->ov;
	char k[2 + 4 * AT_FIELD_MAX + 1];
	enum drv_step rc;

	snprintf(k, sizeof(k), "%c%s", kind, key);
	d_bind_text(st->dv, ov->ins[OVI_SEEN_GET], 1, k);
	rc = d_step(st->dv, ov->ins[OVI_SEEN_GET]);
	d_end(st->dv, ov->ins[OVI_SEEN_GET]);
	if (rc == DRV_ROW)
		return 0;
	if (rc != DRV_DONE)
		return -1;
	d_bind_text(st->dv, ov->ins[OVI_SEEN_PUT], 1, k);
	rc = d_step(st->dv, ov->ins[OVI_SEEN_PUT]);
	d_end(st->dv, ov->ins[OVI_SEEN_PUT]);
	return rc == DRV_DONE ? 1 : -1;
}

static int ov_first_id(struct store *st, char kind, int64_t id)
{
	char k[24];

	snprintf(k, sizeof(k), "%lld", (long long)id);
	return ov_first(st, kind, k);
}

/* The source's current row of `from` into the scratch's `to` (`n`
 * columns). */
static enum at_code ov_put(struct store *st, struct drv_stmt *from, struct drv_stmt *to, int n)
{
	struct store *src = st->ov->src;
	enum drv_step rc;

	for (int i = 0; i < n; i++)
		if (!copy_value(src, from, st, to, i))
			return AT_STORAGE;
	rc = d_step(st->dv, to);
	d_end(st->dv, to);
	return rc == DRV_DONE ? AT_OK : AT_STORAGE;
}

/* Run the source query `q` (its parameter bound) and return its first
 * row's step; the caller reads the row and resets. */
static enum drv_step ov_step(struct store *st, enum ovq q)
{
	return d_step(st->ov->src->dv, st->ov->q[q]);
}

/* The case row `id` (not its slots or assets). */
static enum at_code ov_case_row(struct store *st, int64_t id)
{
	struct store *src = st->ov->src;
	struct drv_stmt *q = st->ov->q[OVQ_CASE_BY_ID];
	enum drv_step rc;
	enum at_code c = AT_OK;
	int first = ov_first_id(st, 'c', id);

	if (first <= 0)
		return first < 0 ? AT_STORAGE : AT_OK;
	d_bind_int64(src->dv, q, 1, id);
	rc = ov_step(st, OVQ_CASE_BY_ID);
	if (rc == DRV_ROW)
		c = ov_put(st, q, st->ov->ins[OVI_CASE], OV_CASES->ncols);
	else if (rc != DRV_DONE)
		c = AT_STORAGE;
	d_end(src->dv, q);
	return c;
}

/* The slot (`case_id`, `position`) and its case row. */
static enum at_code ov_slot(struct store *st, int64_t case_id, int64_t position)
{
	struct drv_stmt *to = st->ov->ins[OVI_SLOT];
	enum drv_step rc;
	enum at_code c = ov_case_row(st, case_id);

	if (c != AT_OK)
		return c;
	d_bind_int64(st->dv, to, 1, case_id);
	d_bind_int64(st->dv, to, 2, position);
	rc = d_step(st->dv, to);
	d_end(st->dv, to);
	return rc == DRV_DONE ? AT_OK : AT_STORAGE;
}

/* The asset at the current row of source statement `q` (the copy
 * columns: id 0, case_id 15, position 16, last_case_id 17,
 * last_position 18), with the slots it names. */
static enum at_code ov_asset_row(struct store *st, struct drv_stmt *q)
{
	struct dv v = st->ov->src->dv;
	enum at_code c = AT_OK;
	int first = ov_first_id(st, 'a', d_int64(v, q, 0));

	if (first <= 0)
		return first < 0 ? AT_STORAGE : AT_OK;
	for (int i = 15; c == AT_OK && i <= 17; i += 2)
		if (d_type(v, q, i) == DRV_INT)
			c = ov_slot(st, d_int64(v, q, i), d_int64(v, q, i + 1));
	return c == AT_OK ? ov_put(st, q, st->ov->ins[OVI_ASSET], OV_ASSETS->ncols) : c;
}

/* Every asset source query `which` finds with text `key`. */
static enum at_code ov_assets_by(struct store *st, enum ovq which, char kind, const char *key)
{
	struct store *src = st->ov->src;
	struct drv_stmt *q = st->ov->q[which];
	enum drv_step rc;
	enum at_code c = AT_OK;
	int first = ov_first(st, kind, key);

	if (first <= 0)
		return first < 0 ? AT_STORAGE : AT_OK;
	d_bind_text(src->dv, q, 1, key);
	while (c == AT_OK && (rc = ov_step(st, which)) == DRV_ROW)
		c = ov_asset_row(st, q);
	if (c == AT_OK && rc != DRV_DONE)
		c = AT_STORAGE;
	d_end(src->dv, q);
	return c;
}

/* Case `id` whole: its row, every slot and every asset in it. */
static enum at_code ov_case_full(struct store *st, int64_t id)
{
	struct store *src = st->ov->src;
	struct drv_stmt *q;
	enum drv_step rc;
	enum at_code c;
	int first = ov_first_id(st, 'C', id);

	if (first <= 0)
		return first < 0 ? AT_STORAGE : AT_OK;
	c = ov_case_row(st, id);
	q = st->ov->q[OVQ_SLOTS];
	d_bind_int64(src->dv, q, 1, id);
	while (c == AT_OK && (rc = ov_step(st, OVQ_SLOTS)) == DRV_ROW)
		c = ov_slot(st, id, d_int64(src->dv, q, 1));
	if (c == AT_OK && rc != DRV_DONE)
		c = AT_STORAGE;
	d_end(src->dv, q);
	q = st->ov->q[OVQ_IN_CASE];
	d_bind_int64(src->dv, q, 1, id);
	while (c == AT_OK && (rc = ov_step(st, OVQ_IN_CASE)) == DRV_ROW)
		c = ov_asset_row(st, q);
	if (c == AT_OK && rc != DRV_DONE)
		c = AT_STORAGE;
	d_end(src->dv, q);
	return c;
}

static enum at_code ov_case_name(struct store *st, const char *name)
{
	struct store *src = st->ov->src;
	struct drv_stmt *q = st->ov->q[OVQ_CASE_BY_NAME];
	enum drv_step rc;
	enum at_code c = AT_OK;
	int64_t id = 0;
	int first = ov_first(st, 'n', name);

	if (first <= 0)
		return first < 0 ? AT_STORAGE : AT_OK;
	d_bind_text(src->dv, q, 1, name);
	rc = ov_step(st, OVQ_CASE_BY_NAME);
	if (rc == DRV_ROW)
		id = d_int64(src->dv, q, 0);
	else if (rc != DRV_DONE)
		c = AT_STORAGE;
	d_end(src->dv, q);
	return c == AT_OK && id ? ov_case_full(st, id) : c;
}

static enum at_code ov_key(struct store *st, const char *match_key)
{
	return ov_assets_by(st, OVQ_BY_KEY, 'k', match_key);
}

static enum at_code ov_serial(struct store *st, const char *serial_key)
{
	return ov_assets_by(st, OVQ_BY_SERIAL, 's', serial_key);
}

/* The source's last event, put in as the scratch's only one: the
 * triggers that keep the log gapless and chained are set aside for it
 * (a private scratch's own), then put back as they were. */
static enum at_code ov_head(struct store *st, struct at_errors *e)
{
	static const char *const names[] = { "events_gapless", "events_chained" };
	struct store *src = st->ov->src;
	struct drv_stmt *from = NULL, *to = NULL, *get = NULL;
	char *sql[2] = { NULL, NULL };
	char q[768];
	enum drv_step rc;
	enum at_code c = AT_OK;

	snprintf(q, sizeof(q), "SELECT %s FROM events ORDER BY seq DESC LIMIT 1",
	         copy_tables[4].cols);
	if (src->drv->prepare(src->conn, q, &from) != AT_OK)
		return fail_code(src, e);
	rc = d_step(src->dv, from);
	if (rc != DRV_ROW) {
		c = rc == DRV_DONE ? AT_OK : fail_code(src, e);
		goto out;
	}
	if (st->drv->prepare(st->conn, "SELECT sql FROM sqlite_master WHERE type = 'trigger' "
	                                "AND name = ?1", &get) != AT_OK) {
		c = fail_code(st, e);
		goto out;
	}
	for (int i = 0; i < 2; i++) {
		d_bind_text(st->dv, get, 1, names[i]);
		if (d_step(st->dv, get) == DRV_ROW)
			sql[i] = strdup(d_text(st->dv, get, 0));
		d_end(st->dv, get);
		if (!sql[i]) {
			c = at_fail(e, AT_INTERNAL, "the scratch has no trigger %s", names[i]);
			goto out;
		}
		snprintf(q, sizeof(q), "DROP TRIGGER %s", names[i]);
		if (st->drv->exec(st->conn, q) != AT_OK) {
			c = fail_code(st, e);
			goto out;
		}
	}
	snprintf(q, sizeof(q), "INSERT INTO events(%s) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	         "?9, ?10, ?11, ?12, ?13, ?14, ?15)", copy_tables[4].cols);
	if (st->drv->prepare(st->conn, q, &to) != AT_OK) {
		c = fail_code(st, e);
		goto out;
	}
	if (ov_put(st, from, to, copy_tables[4].ncols) != AT_OK)
		c = fail_code(st, e);
	for (int i = 0; c == AT_OK && i < 2; i++)
		if (st->drv->exec(st->conn, sql[i]) != AT_OK)
			c = fail_code(st, e);
out:
	free(sql[0]);
	free(sql[1]);
	if (get)
		st->drv->finalize(get);
	if (to)
		st->drv->finalize(to);
	src->drv->finalize(from);
	return c;
}

/* The asset and the case with the highest ids: SQLite gives a new row
 * the highest id plus one, so the scratch's own rows then take ids no
 * row of the source has (one copied later would collide). */
static enum at_code ov_top_ids(struct store *st, struct at_errors *e)
{
	struct store *src = st->ov->src;
	struct drv_stmt *q = NULL;
	char sql[640];
	enum drv_step rc;
	enum at_code c = AT_OK;
	int64_t top = 0;
	char why[2 * AT_MSG_MAX] = "";

	snprintf(sql, sizeof(sql), "SELECT %s FROM assets ORDER BY id DESC LIMIT 1",
	         OV_ASSETS->cols);
	if (src->drv->prepare(src->conn, sql, &q) != AT_OK)
		return fail_code(src, e);
	rc = d_step(src->dv, q);
	if (rc == DRV_ROW)
		c = ov_asset_row(st, q);
	else if (rc != DRV_DONE)
		c = AT_STORAGE;
	/* The reason before finalize() forgets it. */
	if (c != AT_OK)
		snprintf(why, sizeof(why), "%s / %s", store_errmsg(src), store_errmsg(st));
	src->drv->finalize(q);
	if (c == AT_OK)
		top = copy_scalar(src, "SELECT coalesce(max(id), 0) FROM cases");
	if (c == AT_OK && top > 0)
		c = ov_case_row(st, top);
	if (c == AT_OK && top < 0)
		snprintf(why, sizeof(why), "%s", store_errmsg(src));
	else if (c != AT_OK && !why[0])
		snprintf(why, sizeof(why), "%s / %s", store_errmsg(src), store_errmsg(st));
	if (c != AT_OK || top < 0)
		return at_fail(e, AT_STORAGE, "database error: cannot read through: %s", why);
	return AT_OK;
}

enum at_code store_overlay(struct store *st, struct store *src, struct at_errors *e)
{
	static const char *const seen =
		"CREATE TABLE ov_seen(k TEXT PRIMARY KEY) WITHOUT ROWID";
	char sql[OVQ__MAX][640], ins[3][640];
	const struct copy_table *into[3] = { OV_CASES, OV_SLOTS, OV_ASSETS };
	struct overlay *ov;
	enum at_code c;

	if (!st->dv.lite || st->ov)
		return at_fail(e, AT_INTERNAL, "an overlay is a scratch store's, once");
	snprintf(sql[OVQ_BY_KEY], sizeof(sql[0]), "SELECT %s FROM assets WHERE match_key = ?1",
	         OV_ASSETS->cols);
	snprintf(sql[OVQ_BY_SERIAL], sizeof(sql[0]), "SELECT %s FROM assets WHERE serial_key = ?1",
	         OV_ASSETS->cols);
	snprintf(sql[OVQ_IN_CASE], sizeof(sql[0]), "SELECT %s FROM assets WHERE case_id = ?1",
	         OV_ASSETS->cols);
	snprintf(sql[OVQ_CASE_BY_NAME], sizeof(sql[0]), "SELECT id FROM cases WHERE name = ?1");
	snprintf(sql[OVQ_CASE_BY_ID], sizeof(sql[0]), "SELECT %s FROM cases WHERE id = ?1",
	         OV_CASES->cols);
	snprintf(sql[OVQ_SLOTS], sizeof(sql[0]), "SELECT case_id, position FROM slots "
	         "WHERE case_id = ?1");
	for (int t = 0; t < 3; t++) {
		size_t n = (size_t)snprintf(ins[t], sizeof(ins[t]), "INSERT %sINTO %s(%s) VALUES (",
		                            t == 1 ? "OR IGNORE " : "", into[t]->name, into[t]->cols);
		for (int i = 1; i <= into[t]->ncols; i++)
			n += (size_t)snprintf(ins[t] + n, sizeof(ins[t]) - n, "%s?%d", i > 1 ? ", " : "",
			                      i);
		snprintf(ins[t] + n, sizeof(ins[t]) - n, ")");
	}
	if (st->drv->exec(st->conn, seen) != AT_OK)
		return fail_code(st, e);
	ov = calloc(1, sizeof(*ov));
	if (!ov)
		return at_fail(e, AT_INTERNAL, "out of memory");
	ov->src = src;
	st->ov = ov;
	for (int i = 0; i < OVQ__MAX; i++)
		if (src->drv->prepare(src->conn, sql[i], &ov->q[i]) != AT_OK) {
			c = fail_code(src, e);
			overlay_free(st);
			return c;
		}
	for (int t = 0; t < 3; t++)
		if (st->drv->prepare(st->conn, ins[t], &ov->ins[t]) != AT_OK)
			goto fail;
	if (st->drv->prepare(st->conn, "SELECT 1 FROM ov_seen WHERE k = ?1",
	                     &ov->ins[OVI_SEEN_GET]) != AT_OK ||
	    st->drv->prepare(st->conn, "INSERT INTO ov_seen(k) VALUES (?1)",
	                     &ov->ins[OVI_SEEN_PUT]) != AT_OK)
		goto fail;
	c = copy_table_rows(src, st, &copy_tables[0], NULL, NULL, e);
	if (c == AT_OK)
		c = ov_top_ids(st, e);
	if (c != AT_OK)
		return c;
	return ov_head(st, e);
fail:
	c = fail_code(st, e);
	overlay_free(st);
	return c;
}

/* ==== row readers ===================================================== */

/* Fills a record from the current row of a statement. */
typedef void (*row_reader)(const struct store *st, struct drv_stmt *s, void *out);

/*
 * Step a lookup expected to return at most one row: AT_OK with the row
 * read into `out`, AT_NOT_FOUND, AT_AMBIGUOUS when `unique_check` and a
 * second row exists, or the storage error.  Resets the statement.
 */
static enum at_code one_row(struct store *st, struct drv_stmt *s, row_reader read, void *out,
                            int unique_check)
{
	enum drv_step rc = d_step(st->dv, s);
	enum at_code c;

	if (rc == DRV_ROW) {
		read(st, s, out);
		c = AT_OK;
		if (unique_check && d_step(st->dv, s) == DRV_ROW)
			c = AT_AMBIGUOUS;
	} else if (rc == DRV_DONE) {
		c = AT_NOT_FOUND;
	} else {
		c = code_of(st);
	}
	done(st->dv, s);
	return c;
}

/* The one row statement `which` finds for the text key `key`. */
static enum at_code one_by_text(struct store *st, enum stmt which, const char *key,
                                row_reader read, void *out, int unique_check)
{
	struct drv_stmt *s = stmt(st, which);

	if (!s)
		return AT_STORAGE;
	bind_text(st->dv, s, 1, key, 0);
	return one_row(st, s, read, out, unique_check);
}

/* ==== keys folded in C ============================================== */

/*
 * The generated columns' keys: match_key = upper(replace(replace(tag, '-',
 * ''), ' ', '')), serial_key = lower(trim(serial)), and the e-mail index's
 * lower(email).  SQLite's upper and lower (without ICU), and PostgreSQL's
 * under the columns' COLLATE "C", change the ASCII letters only, and trim
 * takes spaces only: so these are exact for every text, other bytes passed
 * as they are.  Folded in SQL instead, PostgreSQL would fold a parameter
 * under the database's collation (ICU: É becomes é) and miss the stored
 * key.  -1 when the key does not fit in `cap` bytes.
 */
static int key_match(const char *tag, char *out, size_t cap)
{
	size_t n = 0;

	for (; *tag; tag++) {
		unsigned char ch = (unsigned char)*tag;
		if (n + 1 >= cap)
			return -1;
		if (ch != '-' && ch != ' ')
			out[n++] = (char)(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
	}
	out[n] = '\0';
	return 0;
}

static int key_serial(const char *serial, char *out, size_t cap)
{
	size_t len = strlen(serial), n = 0;

	while (len && serial[len - 1] == ' ')
		len--;
	while (len && *serial == ' ') {
		serial++;
		len--;
	}
	if (len >= cap)
		return -1;
	for (; n < len; n++) {
		unsigned char ch = (unsigned char)serial[n];
		out[n] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
	}
	out[n] = '\0';
	return 0;
}

static int key_email(const char *email, char *out, size_t cap)
{
	size_t n = 0;

	for (; *email; email++) {
		unsigned char ch = (unsigned char)*email;
		if (n + 1 >= cap)
			return -1;
		out[n++] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
	}
	out[n] = '\0';
	return 0;
}

/* ==== assets ========================================================== */

/* Would `q` read differently inside a JSON string (quote, backslash or
 * control character)? */
static int json_escaped(const char *q)
{
	for (; *q; q++)
		if (*q == '"' || *q == '\\' || (unsigned char)*q < 0x20)
			return 1;
	return 0;
}

/* Columns 0 to 14 of both asset row shapes (ASSET_COLS and
 * STMT_ASSET_SCAN): id to due. */
static inline void read_asset_head(struct dv v, struct drv_stmt *s, struct asset *a)
{
	a->id = d_int64(v, s, 0);
	COL_TEXT(v, s, 1, a->tag);
	COL_TEXT(v, s, 2, a->serial);
	COL_TEXT(v, s, 3, a->manufacturer);
	COL_TEXT(v, s, 4, a->equipment_type);
	COL_TEXT(v, s, 5, a->model);
	COL_TEXT(v, s, 6, a->model_code);
	COL_TEXT(v, s, 7, a->building);
	COL_TEXT(v, s, 8, a->room);
	COL_TEXT(v, s, 9, a->notes);
	{
		const char *t = d_text(v, s, 10);
		if (!t || asset_state_parse(t, &a->state) < 0)
			a->state = ASSET_STORAGE;
		t = d_text(v, s, 11);
		if (!t || asset_condition_parse(t, &a->condition) < 0)
			a->condition = COND_GOOD;
	}
	a->holder_id = d_int64(v, s, 12);
	COL_TEXT(v, s, 13, a->holder_name);
	COL_TEXT(v, s, 14, a->due);
}

static void read_asset(const struct store *st, struct drv_stmt *s, void *out)
{
	const struct dv v = st->dv;
	struct asset *a = out;
	/* Not the attributes, the biggest field, which is always written
	 * below: a list of 100,000 rows would clear 400 MB for nothing. */
	memset(a, 0, offsetof(struct asset, attributes));
	read_asset_head(v, s, a);
	COL_TEXT(v, s, 15, a->custody_since);
	a->case_id = d_int64(v, s, 16);
	COL_TEXT(v, s, 17, a->case_name);
	a->position = (int)d_int64(v, s, 18);
	a->last_case_id = d_int64(v, s, 19);
	COL_TEXT(v, s, 20, a->last_case_name);
	a->last_position = (int)d_int64(v, s, 21);
	COL_TEXT(v, s, 22, a->created_at);
	COL_TEXT(v, s, 23, a->updated_at);
	COL_TEXT(v, s, 24, a->retired_at);
	COL_TEXT(v, s, 25, a->attributes);
}

/* A row of STMT_ASSET_SCAN: every field set, none cleared first (the
 * 3.4 KiB read_asset clears cost a lookup 440 instructions); the ones
 * the statement does not read are empty. */
static void read_asset_shown(const struct store *st, struct drv_stmt *s, void *out)
{
	const struct dv v = st->dv;
	struct asset *a = out;

	read_asset_head(v, s, a);
	a->custody_since[0] = '\0';
	a->case_id = d_int64(v, s, 15);
	COL_TEXT(v, s, 16, a->case_name);
	a->position = (int)d_int64(v, s, 17);
	a->last_case_id = 0;
	a->last_case_name[0] = '\0';
	a->last_position = 0;
	COL_TEXT(v, s, 18, a->created_at);
	COL_TEXT(v, s, 19, a->updated_at);
	COL_TEXT(v, s, 20, a->retired_at);
	COL_TEXT(v, s, 21, a->attributes);
}

enum at_code store_asset_by_tag(struct store *st, const char *tag, struct asset *a)
{
	char key[AT_TAG_MAX + 1];

	if (st->ov) {
		text_match_key(tag, key, sizeof(key));
		if (ov_key(st, key) != AT_OK)
			return AT_STORAGE;
	}
	return one_by_text(st, STMT_ASSET_BY_TAG, tag, read_asset, a, 1);
}

enum at_code store_asset_by_key(struct store *st, const char *key, struct asset *a)
{
	enum at_code c;

	if (st->pf && prefetch_key(st->pf, key, a, &c))
		return c;
	if (st->ov && ov_key(st, key) != AT_OK)
		return AT_STORAGE;
	return one_by_text(st, STMT_ASSET_BY_KEY, key, read_asset, a, 1);
}

/* The scanner's lookup: match_key has a unique index on both engines
 * (assets_match_key), so no second step looks for another row. */
enum at_code store_asset_shown_by_key(struct store *st, const char *key, struct asset *a)
{
	return one_by_text(st, STMT_ASSET_SCAN, key, read_asset_shown, a, 0);
}

enum at_code store_asset_by_serial(struct store *st, const char *serial, struct asset *a)
{
	/* The schema's cap is 128 characters, 4 bytes at most each: a longer
	 * key is no asset's. */
	char key[4 * AT_FIELD_MAX + 1];

	if (!serial || key_serial(serial, key, sizeof(key)) != 0)
		return AT_NOT_FOUND;
	if (st->ov && ov_serial(st, key) != AT_OK)
		return AT_STORAGE;
	return one_by_text(st, STMT_ASSET_BY_SERIAL, key, read_asset, a, 1);
}

enum at_code store_asset_in_slot(struct store *st, int64_t case_id, int position,
                                 struct asset *a)
{
	struct drv_stmt *s;
	enum at_code c;

	if (st->pf && prefetch_slot(st->pf, case_id, position, a, &c))
		return c;
	if (st->ov && ov_case_full(st, case_id) != AT_OK)
		return AT_STORAGE;
	s = stmt(st, STMT_ASSET_IN_SLOT);
	if (!s)
		return AT_STORAGE;
	d_bind_int64(st->dv, s, 1, case_id);
	d_bind_int64(st->dv, s, 2, position);
	return one_row(st, s, read_asset, a, 1);
}

/* Bind asset `a` to parameters base+1 .. base+23 (base+22, the id, not:
 * the caller's, when its statement has one). */
static void bind_asset(struct dv v, struct drv_stmt *s, int base, const struct asset *a)
{
	bind_text(v, s, base + 1, a->tag, 0);
	bind_text(v, s, base + 2, a->serial, 0);
	bind_text(v, s, base + 3, a->manufacturer, 0);
	bind_text(v, s, base + 4, a->equipment_type, 0);
	bind_text(v, s, base + 5, a->model, 1);
	bind_text(v, s, base + 6, a->model_code, 1);
	bind_text(v, s, base + 7, a->building, 0);
	bind_text(v, s, base + 8, a->room, 0);
	bind_text(v, s, base + 9, a->notes, 1);
	bind_text(v, s, base + 10, asset_state_name(a->state), 0);
	bind_text(v, s, base + 11, asset_condition_name(a->condition), 0);
	bind_id(v, s, base + 12, a->holder_id);
	bind_text(v, s, base + 13, a->due, 1);
	bind_text(v, s, base + 14, a->custody_since, 1);
	bind_id(v, s, base + 15, a->case_id);
	if (a->case_id)
		d_bind_int64(v, s, base + 16, a->position);
	else
		d_bind_null(v, s, base + 16);
	bind_id(v, s, base + 17, a->last_case_id);
	if (a->last_case_id)
		d_bind_int64(v, s, base + 18, a->last_position);
	else
		d_bind_null(v, s, base + 18);
	bind_text(v, s, base + 19, a->created_at, 0);
	bind_text(v, s, base + 20, a->updated_at, 0);
	bind_text(v, s, base + 21, a->retired_at, 1);
	bind_text(v, s, base + 23, a->attributes, 1);
}

/* ---- assets kept for a bulk insert (store_asset_defer) ---- */

enum at_code store_asset_defer(struct store *st, int on, struct at_errors *e)
{
	struct drv_stmt *s;
	int rc;

	free(st->kept);
	st->kept = NULL;
	if (!on)
		return AT_OK;
	s = stmt(st, STMT_ASSET_NEXT_ID);
	if (!s)
		return fail_code(st, e);
	rc = d_step(st->dv, s);
	if (rc != DRV_ROW) {
		enum at_code c = fail_code(st, e);
		done(st->dv, s);
		return c;
	}
	st->kept = calloc(1, sizeof(*st->kept));
	if (!st->kept) {
		done(st->dv, s);
		return at_fail(e, AT_INTERNAL, "out of memory");
	}
	st->kept->next_id = d_int64(st->dv, s, 0);
	st->kept->complete = st->kept->next_id == 1;
	done(st->dv, s);
	for (int i = 0; i < STMT__MAX; i++)
		st->kept->touches[i] = stmt_sql[i] && strstr(stmt_sql[i], "assets");
	return AT_OK;
}

/* Run a kept assets' insert.  Nothing in it can collide (kept_add), so
 * a refusal is a CHECK that core should have made first: the
 * transaction cannot go on either way, so it is a storage failure. */
static enum at_code kept_exec(struct store *st, struct drv_stmt *s, struct at_errors *e)
{
	enum at_code c = AT_OK;

	if (d_step(st->dv, s) != DRV_DONE) {
		c = st->drv->errcode(st->conn);
		if (c == AT_DUPLICATE || c == AT_CONFLICT)
			c = at_fail(e, AT_STORAGE, "database error: an asset written with others "
			            "was refused: %s", store_errmsg(st));
		else
			c = fail_code(st, e);
	}
	d_end(st->dv, s);
	return c;
}

/* Write the kept assets: STORE_ASSET_BULK in one statement, fewer one by
 * one (the last of an import). */
static enum at_code kept_flush(struct store *st, struct at_errors *e)
{
	struct kept *k = st->kept;
	size_t n = k->n;
	struct drv_stmt *s;
	enum at_code c = AT_OK;

	k->n = 0;
	if (n == STORE_ASSET_BULK) {
		s = stmt_get(st, STMT_ASSET_INSERT_BULK);
		if (!s)
			return fail_code(st, e);
		for (size_t i = 0; i < n; i++) {
			bind_asset(st->dv, s, (int)i * 23, &k->row[i].a);
			d_bind_int64(st->dv, s, (int)i * 23 + 22, k->row[i].a.id);
		}
		return kept_exec(st, s, e);
	}
	for (size_t i = 0; i < n && c == AT_OK; i++) {
		s = stmt_get(st, STMT_ASSET_INSERT_KEPT);
		if (!s)
			return fail_code(st, e);
		bind_asset(st->dv, s, 0, &k->row[i].a);
		d_bind_int64(st->dv, s, 22, k->row[i].a.id);
		c = kept_exec(st, s, e);
	}
	return c;
}

/* The filter's word and bits for key `key` of kind `kind` ('m' match,
 * 's' serial): FNV-1a, mixed; the low bits pick the word, the high ones
 * the four bits. */
static uint64_t *bloom_at(struct kept *k, char kind, const char *key, uint64_t *bits)
{
	uint64_t h = (1469598103934665603u ^ (unsigned char)kind) * 1099511628211u;

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211u;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdu;
	h ^= h >> 33;
	*bits = UINT64_C(1) << (h >> 40 & 63) | UINT64_C(1) << (h >> 46 & 63) |
	        UINT64_C(1) << (h >> 52 & 63) | UINT64_C(1) << (h >> 58);
	return &k->bloom[h & (KEPT_BLOOM_WORDS - 1)];
}

static int bloom_has(struct kept *k, char kind, const char *key)
{
	uint64_t bits, *w = bloom_at(k, kind, key, &bits);

	return (*w & bits) == bits;
}

static void bloom_add(struct kept *k, char kind, const char *key)
{
	uint64_t bits, *w = bloom_at(k, kind, key, &bits);

	*w |= bits;
}

/*
 * Keep `a` (and give it its id) if nothing can refuse it in the bulk
 * insert: it takes no slot (the slot index is the database's to check),
 * and no stored or kept asset has its match key or serial key (tag
 * equality is match key equality).  `*kept` says whether it was; if not,
 * the caller inserts it now, and the database's refusal is the answer.
 */
static enum at_code kept_add(struct store *st, struct asset *a, int *kept,
                             struct at_errors *e)
{
	struct kept *k = st->kept;
	struct kept_asset *r;
	struct drv_stmt *s;
	enum at_code c;
	int ok;

	*kept = 0;
	if (a->case_id)
		return AT_OK;
	if (k->n == STORE_ASSET_BULK && (c = kept_flush(st, e)) != AT_OK)
		return c;
	r = &k->row[k->n];
	/* Keys too long for a kept row: inserted now, the database decides. */
	if (key_match(a->tag, r->key, sizeof(r->key)) != 0 ||
	    key_serial(a->serial, r->serial_key, sizeof(r->serial_key)) != 0)
		return AT_OK;
	/* Keys the filter lacks are in no index and no kept asset.  When it
	 * cannot vouch (a maybe, assets it never saw), ask the indexes, which
	 * hold them all, and the kept ones, which are not in them yet. */
	if (!k->complete || bloom_has(k, 'm', r->key) || bloom_has(k, 's', r->serial_key)) {
		s = stmt_get(st, STMT_ASSET_PROBE);
		if (!s)
			return fail_code(st, e);
		bind_text(st->dv, s, 1, r->key, 0);
		bind_text(st->dv, s, 2, r->serial_key, 0);
		if (d_step(st->dv, s) != DRV_ROW) {
			c = fail_code(st, e);
			done(st->dv, s);
			return c;
		}
		ok = !d_int64(st->dv, s, 0);
		done(st->dv, s);
		for (size_t i = 0; ok && i < k->n; i++)
			ok = strcmp(k->row[i].key, r->key) != 0 &&
			     strcmp(k->row[i].serial_key, r->serial_key) != 0;
		if (!ok)
			return AT_OK;
	}
	bloom_add(k, 'm', r->key);
	bloom_add(k, 's', r->serial_key);
	a->id = k->next_id++;
	memcpy(&r->a, a, offsetof(struct asset, attributes));
	memcpy(r->a.attributes, a->attributes, strlen(a->attributes) + 1);
	k->n++;
	*kept = 1;
	return AT_OK;
}

/* Asset `a` was inserted at once: the ids go on after it, and the filter
 * learns its keys (or stops vouching, if they are too long to keep). */
static void kept_stored(struct kept *k, const struct asset *a)
{
	char key[AT_TAG_MAX + 1], serial_key[AT_FIELD_MAX + 1];

	k->next_id = a->id + 1;
	if (key_match(a->tag, key, sizeof(key)) == 0 &&
	    key_serial(a->serial, serial_key, sizeof(serial_key)) == 0) {
		bloom_add(k, 'm', key);
		bloom_add(k, 's', serial_key);
	} else {
		k->complete = 0;
	}
}

/* The kept asset with id `id`, or NULL (their ids are consecutive). */
static struct asset *kept_find(struct store *st, int64_t id)
{
	struct kept *k = st->kept;
	int64_t i;

	if (!k || !k->n)
		return NULL;
	i = id - k->row[0].a.id;
	return i >= 0 && (size_t)i < k->n ? &k->row[i].a : NULL;
}

enum at_code store_asset_flush(struct store *st, struct at_errors *e)
{
	return st->kept && st->kept->n ? kept_flush(st, e) : AT_OK;
}

enum at_code store_asset_insert(struct store *st, struct asset *a, struct at_errors *e)
{
	struct drv_stmt *s;
	enum at_code c;
	int kept, sp;

	prefetch_drop(st);
	if (st->ov) {
		/* what the unique indexes will compare it with */
		char key[4 * AT_FIELD_MAX + 1];

		text_match_key(a->tag, key, sizeof(key));
		c = ov_key(st, key);
		if (c == AT_OK && key_serial(a->serial, key, sizeof(key)) == 0)
			c = ov_serial(st, key);
		if (c == AT_OK && a->case_id)
			c = ov_case_full(st, a->case_id);
		if (c != AT_OK)
			return fail_code(st, e);
	}
	if (st->kept) {
		c = kept_add(st, a, &kept, e);
		if (c != AT_OK || kept)
			return c;
		/* Inserted now, after the kept ones: its refusal is the one
		 * inserting row by row gives. */
		c = store_asset_flush(st, e);
		if (c != AT_OK)
			return c;
	}
	s = stmt(st, STMT_ASSET_INSERT);
	if (!s)
		return fail_code(st, e);
	/* Core inserts first and explains a refusal after, in the same
	 * transaction (asset creation, the import's rows).  A refused
	 * statement undoes itself on SQLite; PostgreSQL would refuse all
	 * that follows until rollback, so there the insert goes between a
	 * savepoint and its release, or back to it (drv.h). */
	sp = !st->dv.lite && st->drv->in_txn(st->conn);
	if (sp && st->drv->savepoint(st->conn) != AT_OK)
		return fail_code(st, e);
	bind_asset(st->dv, s, 0, a);
	c = insert_id(st, s, &a->id, e);
	if (sp) {
		if (c != AT_OK)
			st->drv->rollback_to(st->conn);
		else if (st->drv->release(st->conn) != AT_OK)
			c = fail_code(st, e);
	}
	if (c == AT_OK && st->kept)
		kept_stored(st->kept, a);
	return c;
}

static enum at_code save_asset(struct store *st, enum stmt which, const struct asset *a,
                               struct at_errors *e)
{
	struct drv_stmt *s;

	prefetch_drop(st);
	s = stmt(st, which);

	if (!s)
		return fail_code(st, e);
	bind_asset(st->dv, s, 0, a);
	d_bind_int64(st->dv, s, 22, a->id);
	return exec_stmt(st, s, e);
}

enum at_code store_asset_save(struct store *st, const struct asset *a, struct at_errors *e)
{
	struct asset *k = kept_find(st, a->id);

	/* A kept asset that takes no slot: it goes in as it ends up (the
	 * import's custody and retirement), one write instead of two.  Else
	 * stmt() writes the kept ones first. */
	if (k && !a->case_id && !a->last_case_id) {
		k->state = a->state;
		k->condition = a->condition;
		k->holder_id = a->holder_id;
		memcpy(k->due, a->due, sizeof(k->due));
		memcpy(k->custody_since, a->custody_since, sizeof(k->custody_since));
		k->case_id = 0;
		k->position = 0;
		k->last_case_id = 0;
		k->last_position = 0;
		memcpy(k->updated_at, a->updated_at, sizeof(k->updated_at));
		memcpy(k->retired_at, a->retired_at, sizeof(k->retired_at));
		return AT_OK;
	}
	return save_asset(st, STMT_ASSET_SAVE, a, e);
}

enum at_code store_asset_save_custody(struct store *st, const struct asset *a,
                                      struct at_errors *e)
{
	return save_asset(st, STMT_ASSET_SAVE_CUSTODY, a, e);
}

enum at_code store_asset_save_meta(struct store *st, const struct asset *a,
                                   struct at_errors *e)
{
	/* A new serial: the deferral's filter no longer knows every key. */
	if (st->kept)
		st->kept->complete = 0;
	return save_asset(st, STMT_ASSET_SAVE_META, a, e);
}

/* ---- a batch's reads and writes in one statement (PostgreSQL) ---- */

/*
 * On PostgreSQL each statement is a round trip and an executor's start up:
 * a 500-asset Stock-Out read its assets one statement at a time and wrote
 * them the same way, 1,000 statements of which the row work was the
 * smaller part (bench/README.md, "PostgreSQL").  The batch's reads are
 * made ahead in one statement each and kept here until the transaction
 * writes an asset or ends; store_asset_by_key() and store_asset_in_slot()
 * answer from them what they were asked ahead, and ask the database
 * anything else.  Inside a write transaction nothing else changes the
 * rows meanwhile (the head's lock), so the answers are the ones the
 * statements would give.
 */
struct pf_key {
	const char *key;             /* into the caller's copy, pf->text */
	struct asset *row;           /* NULL: no asset has it */
	int ambiguous;               /* two rows: asked again, never picked */
};

struct pf_slot {
	int64_t case_id;
	int position;
	struct asset *row;           /* NULL: the slot is empty */
};

struct prefetch {
	struct pf_key *keys;
	size_t nkeys;
	struct pf_slot *slots;
	size_t nslots;
	char *text;                  /* the keys, one after the other */
};

static void prefetch_free(struct prefetch *pf)
{
	if (!pf)
		return;
	for (size_t i = 0; i < pf->nkeys; i++)
		free(pf->keys[i].row);
	for (size_t i = 0; i < pf->nslots; i++)
		free(pf->slots[i].row);
	free(pf->keys);
	free(pf->slots);
	free(pf->text);
	free(pf);
}

static void prefetch_drop(struct store *st)
{
	if (st->pf) {
		prefetch_free(st->pf);
		st->pf = NULL;
	}
}

static int pf_key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pf_key *)a)->key, ((const struct pf_key *)b)->key);
}

static int pf_slot_cmp(const void *a, const void *b)
{
	const struct pf_slot *x = a, *y = b;

	if (x->case_id != y->case_id)
		return x->case_id < y->case_id ? -1 : 1;
	return (x->position > y->position) - (x->position < y->position);
}

static int prefetch_key(const struct prefetch *pf, const char *key, struct asset *a,
                        enum at_code *c)
{
	struct pf_key k = { .key = key }, *hit;

	if (!pf->nkeys)
		return 0;
	hit = bsearch(&k, pf->keys, pf->nkeys, sizeof(k), pf_key_cmp);
	if (!hit || hit->ambiguous)
		return 0;
	if (hit->row)
		memcpy(a, hit->row, sizeof(*a));
	*c = hit->row ? AT_OK : AT_NOT_FOUND;
	return 1;
}

static int prefetch_slot(const struct prefetch *pf, int64_t case_id, int position,
                         struct asset *a, enum at_code *c)
{
	struct pf_slot k = { .case_id = case_id, .position = position }, *hit;

	if (!pf->nslots)
		return 0;
	hit = bsearch(&k, pf->slots, pf->nslots, sizeof(k), pf_slot_cmp);
	if (!hit)
		return 0;
	if (hit->row)
		memcpy(a, hit->row, sizeof(*a));
	*c = hit->row ? AT_OK : AT_NOT_FOUND;
	return 1;
}

/* Append `x` to `b` as an element of a PostgreSQL array's text form:
 * quoted, with " and \ escaped, or NULL. */
static int pg_array_text(struct buf *b, const char *x)
{
	int r = buf_addc(b, b->len ? ',' : '{');

	if (!x)
		return r | buf_adds(b, "NULL");
	r |= buf_addc(b, '"');
	for (; *x; x++) {
		if (*x == '"' || *x == '\\')
			r |= buf_addc(b, '\\');
		r |= buf_addc(b, *x);
	}
	return r | buf_addc(b, '"');
}

static int pg_array_int(struct buf *b, int64_t x, int null)
{
	if (null)
		return pg_array_text(b, NULL);
	return buf_printf(b, "%c%lld", b->len ? ',' : '{', (long long)x);
}

/* Close array text `b` ("{}" when empty); 0 or -1 (out of memory). */
static int pg_array_end(struct buf *b)
{
	return b->len ? buf_addc(b, '}') : buf_adds(b, "{}");
}

static struct prefetch *prefetch_of(struct store *st)
{
	if (!st->pf)
		st->pf = calloc(1, sizeof(*st->pf));
	return st->pf;
}

/* Read the rows of statement `s` into fresh assets, handing each (and
 * its extra column `extra`, when asked) to `put`; AT_OK or the failure. */
typedef int (*pf_put)(struct prefetch *pf, struct asset *row, const char *extra);

static enum at_code prefetch_rows(struct store *st, struct drv_stmt *s, int extra, pf_put put)
{
	enum drv_step r;
	enum at_code c = AT_OK;

	while ((r = d_step(st->dv, s)) == DRV_ROW) {
		struct asset *row = malloc(sizeof(*row));
		if (!row) {
			c = AT_INTERNAL;
			break;
		}
		read_asset(st, s, row);
		if (put(st->pf, row, extra ? d_text(st->dv, s, extra) : NULL) < 0)
			free(row);
	}
	if (c == AT_OK && r != DRV_DONE)
		c = code_of(st);
	done(st->dv, s);
	return c;
}

static int put_by_key(struct prefetch *pf, struct asset *row, const char *key)
{
	struct pf_key k = { .key = key ? key : "" }, *hit;

	hit = bsearch(&k, pf->keys, pf->nkeys, sizeof(k), pf_key_cmp);
	if (!hit)
		return -1;
	if (hit->row) { /* a second row: the database's answer decides */
		hit->ambiguous = 1;
		return -1;
	}
	hit->row = row;
	return 0;
}

static int put_by_slot(struct prefetch *pf, struct asset *row, const char *unused)
{
	struct pf_slot k = { .case_id = row->case_id, .position = row->position }, *hit;

	(void)unused;
	hit = bsearch(&k, pf->slots, pf->nslots, sizeof(k), pf_slot_cmp);
	if (!hit || hit->row)
		return -1;
	hit->row = row;
	return 0;
}

int store_reads_ahead(const struct store *st)
{
	return !st->dv.lite;
}

enum at_code store_asset_prefetch(struct store *st, const char *const *keys, size_t n)
{
	struct prefetch *pf;
	struct drv_stmt *s;
	struct buf arr;
	size_t len = 0, j = 0;
	enum at_code c;
	char *p;

	if (st->dv.lite || !n)
		return AT_OK;
	pf = prefetch_of(st);
	if (!pf || pf->keys)
		return AT_OK; /* out of memory: each read asks the database */
	for (size_t i = 0; i < n; i++)
		len += strlen(keys[i]) + 1;
	pf->keys = calloc(n, sizeof(*pf->keys));
	pf->text = malloc(len);
	if (!pf->keys || !pf->text) {
		prefetch_drop(st);
		return AT_OK;
	}
	p = pf->text;
	buf_init(&arr, 0);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(keys[i]) + 1;
		memcpy(p, keys[i], l);
		pf->keys[i].key = p;
		p += l;
	}
	qsort(pf->keys, n, sizeof(*pf->keys), pf_key_cmp);
	for (size_t i = 0; i < n; i++) /* each key once */
		if (!j || strcmp(pf->keys[j - 1].key, pf->keys[i].key))
			pf->keys[j++] = pf->keys[i];
	pf->nkeys = j;
	for (size_t i = 0; i < j; i++)
		if (pg_array_text(&arr, pf->keys[i].key) < 0)
			break;
	if (arr.overflow || pg_array_end(&arr) < 0) {
		c = AT_OK;
	} else if (!(s = stmt(st, STMT_ASSETS_BY_KEYS))) {
		c = code_of(st);
	} else {
		d_bind_text(st->dv, s, 1, arr.data);
		c = prefetch_rows(st, s, 26, put_by_key);
	}
	buf_free(&arr);
	if (c != AT_OK || arr.overflow)
		prefetch_drop(st);
	return c == AT_INTERNAL ? AT_OK : c;
}

enum at_code store_slot_prefetch(struct store *st, const int64_t *case_ids,
                                 const int *positions, size_t n)
{
	struct prefetch *pf;
	struct drv_stmt *s;
	struct buf ids, pos;
	size_t j = 0;
	enum at_code c;
	int r = 0;

	if (st->dv.lite || !n)
		return AT_OK;
	pf = prefetch_of(st);
	if (!pf || pf->slots)
		return AT_OK; /* out of memory: each read asks the database */
	pf->slots = calloc(n, sizeof(*pf->slots));
	if (!pf->slots) {
		prefetch_drop(st);
		return AT_OK;
	}
	for (size_t i = 0; i < n; i++) {
		pf->slots[i].case_id = case_ids[i];
		pf->slots[i].position = positions[i];
	}
	qsort(pf->slots, n, sizeof(*pf->slots), pf_slot_cmp);
	for (size_t i = 0; i < n; i++)
		if (!j || pf_slot_cmp(&pf->slots[j - 1], &pf->slots[i]))
			pf->slots[j++] = pf->slots[i];
	pf->nslots = j;
	buf_init(&ids, 0);
	buf_init(&pos, 0);
	for (size_t i = 0; i < j; i++) {
		r |= pg_array_int(&ids, pf->slots[i].case_id, 0);
		r |= pg_array_int(&pos, pf->slots[i].position, 0);
	}
	r |= pg_array_end(&ids) | pg_array_end(&pos);
	if (r < 0) {
		c = AT_INTERNAL;
	} else if (!(s = stmt(st, STMT_ASSETS_IN_SLOTS))) {
		c = code_of(st);
	} else {
		d_bind_text(st->dv, s, 1, ids.data);
		d_bind_text(st->dv, s, 2, pos.data);
		c = prefetch_rows(st, s, 0, put_by_slot);
	}
	buf_free(&ids);
	buf_free(&pos);
	if (c != AT_OK)
		prefetch_drop(st);
	return c == AT_INTERNAL ? AT_OK : c;
}

/* Close the `n` array texts col[], run statement `which` with them as
 * its parameters 1..n, and free them.  `r`: -1 if filling one failed. */
static enum at_code run_arrays(struct store *st, enum stmt which, struct buf *col, int n, int r,
                               struct at_errors *e)
{
	struct drv_stmt *s;
	enum at_code c;

	for (int k = 0; k < n; k++)
		r |= pg_array_end(&col[k]);
	if (r < 0) {
		c = at_fail(e, AT_INTERNAL, "out of memory for a batch's statement");
	} else if (!(s = stmt(st, which))) {
		c = fail_code(st, e);
	} else {
		for (int k = 0; k < n; k++)
			d_bind_text(st->dv, s, k + 1, col[k].data);
		c = exec_stmt(st, s, e);
	}
	for (int k = 0; k < n; k++)
		buf_free(&col[k]);
	return c;
}

enum at_code store_assets_save_custody(struct store *st, const struct asset *as, size_t n,
                                       struct at_errors *e)
{
	enum { ID, STATE, HOLDER, DUE, SINCE, CASE, POS, LAST_CASE, LAST_POS, UPDATED, NCOL };
	struct buf col[NCOL];
	enum at_code c;
	int r = 0;

	if (st->dv.lite || n < 2) {
		for (size_t i = 0; i < n; i++)
			if ((c = store_asset_save_custody(st, &as[i], e)) != AT_OK)
				return c;
		return AT_OK;
	}
	prefetch_drop(st);
	for (int k = 0; k < NCOL; k++)
		buf_init(&col[k], 0);
	for (size_t i = 0; i < n; i++) {
		const struct asset *a = &as[i];
		r |= pg_array_int(&col[ID], a->id, 0);
		r |= pg_array_text(&col[STATE], asset_state_name(a->state));
		r |= pg_array_int(&col[HOLDER], a->holder_id, !a->holder_id);
		r |= pg_array_text(&col[DUE], a->due[0] ? a->due : NULL);
		r |= pg_array_text(&col[SINCE], a->custody_since[0] ? a->custody_since : NULL);
		r |= pg_array_int(&col[CASE], a->case_id, !a->case_id);
		r |= pg_array_int(&col[POS], a->position, !a->case_id);
		r |= pg_array_int(&col[LAST_CASE], a->last_case_id, !a->last_case_id);
		r |= pg_array_int(&col[LAST_POS], a->last_position, !a->last_case_id);
		r |= pg_array_text(&col[UPDATED], a->updated_at);
	}
	return run_arrays(st, STMT_ASSETS_SAVE_CUSTODY, col, NCOL, r, e);
}

static int64_t count_of(struct store *st, struct drv_stmt *s);
static enum at_code walk_end(struct store *st, const struct asset_filter *f,
                             char end[AT_TAG_MAX + 1]);

/* The byte length of the UTF-8 character at p, 0 if it is not one. */
static size_t utf8_char_len(const unsigned char *p)
{
	size_t n = p[0] < 0x80 ? 1 : p[0] >= 0xC2 && p[0] < 0xE0 ? 2 : p[0] >= 0xE0 && p[0] < 0xF0 ? 3
	           : p[0] >= 0xF0 && p[0] < 0xF5                  ? 4
	                                                          : 0;

	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

/* The search index's query for substring q: up to SEARCH_TRIGRAMS of its
 * trigrams (the first, the last and some between, each a quoted FTS5
 * string), ANDed.  Every asset whose field holds q holds them all (the
 * index folds case as LIKE does, and more), so it is a superset that
 * the list's LIKEs make exact.  0 when the index cannot help: q shorter
 * than three characters (no trigram), not UTF-8, or holding a control
 * character (the attribute values are joined by newlines). */
#define SEARCH_TRIGRAMS 8
static int search_match(const char *q, char *out, size_t cap)
{
	const unsigned char *u = (const unsigned char *)q;
	size_t at[AT_FIELD_MAX + 1], n = 0, o = 0, len;
	size_t last_pick = SIZE_MAX;

	for (size_t i = 0; u[i]; i += len) {
		len = utf8_char_len(u + i);
		if (!len || u[i] < 0x20 || u[i] == 0x7F || n == AT_FIELD_MAX)
			return 0;
		at[n++] = i;
	}
	if (n < 3)
		return 0;
	at[n] = strlen(q);
	for (size_t k = 0; k < SEARCH_TRIGRAMS; k++) {
		size_t t = n - 3, pick = t * k / (SEARCH_TRIGRAMS - 1);

		if (pick == last_pick)
			continue;
		last_pick = pick;
		if (o && o + 5 < cap) {
			memcpy(out + o, " AND ", 5);
			o += 5;
		}
		if (o + 1 >= cap)
			return 0;
		out[o++] = '"';
		for (size_t b = at[pick]; b < at[pick + 3]; b++) {
			if (o + 3 >= cap)
				return 0;
			if (q[b] == '"')
				out[o++] = '"';
			out[o++] = q[b];
		}
		out[o++] = '"';
	}
	out[o] = '\0';
	return 1;
}

/* Up to this many assets holding q's trigrams, the search reads them and
 * sorts; beyond, the list walks in tag order, where a page of 50 is found
 * in the first 2.5 % of a uniformly spread million or fewer. */
#define SEARCH_CANDIDATES_MAX 2000

enum at_code store_asset_list(struct store *st, const struct asset_filter *f, asset_cb cb,
                              void *ctx)
{
	struct drv_stmt *s = stmt(st, STMT_ASSET_LIST);
	char q[AT_FIELD_MAX * 2 + 4], match[SEARCH_TRIGRAMS * 32];
	enum at_code c = AT_OK;
	struct asset a;
	char walked[AT_TAG_MAX + 1] = "";
	int rc, walk = 0, got = 0;

	if (f->walked_to)
		f->walked_to[0] = '\0';
	/* Only a case, or only a holder: the indexed statements. */
	if (!f->has_state && !(f->q && *f->q) && !f->unslotted && !f->overdue_before &&
	    !f->after_tag && f->limit <= 0 && (!f->case_id != !f->holder_id)) {
		s = stmt(st, f->case_id ? STMT_ASSET_IN_CASE : STMT_ASSET_OF_HOLDER);
		if (!s)
			return AT_STORAGE;
		d_bind_int64(st->dv, s, 1, f->case_id ? f->case_id : f->holder_id);
		goto rows;
	}
	if (f->q && *f->q && st->dv.lite && search_match(f->q, match, sizeof(match))) {
		struct drv_stmt *n = stmt(st, STMT_ASSET_SEARCH_COUNT);

		if (!n)
			return AT_STORAGE;
		bind_text(st->dv, n, 1, match, 0);
		d_bind_int64(st->dv, n, 2, SEARCH_CANDIDATES_MAX + 1);
		if (count_of(st, n) <= SEARCH_CANDIDATES_MAX) {
			s = stmt(st, STMT_ASSET_LIST_SEARCH);
			if (s)
				bind_text(st->dv, s, 10, match, 0);
		}
	} else if (f->q && *f->q && f->walk_max > 0 && f->limit > 0) {
		/* `walked` outlives the statement's run: SQLite binds text
		 * without copying it (drv_sqlite.h). */
		c = walk_end(st, f, walked);
		if (c != AT_OK)
			return c;
		if (walked[0]) { /* else fewer than walk_max are left */
			s = stmt(st, STMT_ASSET_LIST_WALK);
			if (s)
				bind_text(st->dv, s, 11, walked, 0);
			walk = 1;
		}
	}
	if (!s)
		return AT_STORAGE;
	if (f->has_state)
		bind_text(st->dv, s, 1, asset_state_name(f->state), 0);
	if (f->q && *f->q) {
		size_t o = 0;
		q[o++] = '%';
		for (size_t i = 0; f->q[i] && o + 3 < sizeof(q); i++) {
			if (f->q[i] == '%' || f->q[i] == '_' || f->q[i] == '\\')
				q[o++] = '\\';
			q[o++] = f->q[i];
		}
		q[o++] = '%';
		q[o] = '\0';
		bind_text(st->dv, s, 2, q, 0);
		/* In the JSON text a value's '"' and '\\' (and controls) are
		 * escaped, so for those the cheap filter lets every row through
		 * and json_each decides alone. */
		bind_text(st->dv, s, 9, json_escaped(f->q) ? "%" : q, 0);
	}
	d_bind_int64(st->dv, s, 3, f->holder_id);
	d_bind_int64(st->dv, s, 4, f->case_id);
	d_bind_int64(st->dv, s, 5, f->unslotted);
	if (f->overdue_before)
		bind_text(st->dv, s, 6, f->today, 0);
	bind_text(st->dv, s, 7, f->after_tag, 1);
	bind_limit(st->dv, s, 8, f->limit);
rows:
	while ((rc = d_step(st->dv, s)) == DRV_ROW) {
		read_asset(st, s, &a);
		if (cb(ctx, &a)) {
			c = AT_OK;
			goto out;
		}
		got++;
	}
	if (rc != DRV_DONE)
		c = code_of(st);
	else if (walk && got < f->limit && f->walked_to)
		snprintf(f->walked_to, AT_TAG_MAX + 1, "%s", walked);
out:
	done(st->dv, s);
	return c;
}

/* The walk_max-th tag after f's cursor into `end` ("" when fewer are
 * left: the walk reads to the end). */
static enum at_code walk_end(struct store *st, const struct asset_filter *f,
                             char end[AT_TAG_MAX + 1])
{
	struct drv_stmt *s = stmt(st, STMT_ASSET_WALK_END);
	enum drv_step r;
	enum at_code c = AT_OK;

	end[0] = '\0';
	if (!s)
		return AT_STORAGE;
	bind_text(st->dv, s, 1, f->after_tag, 1);
	d_bind_int64(st->dv, s, 2, f->walk_max - 1);
	r = d_step(st->dv, s);
	if (r == DRV_ROW)
		snprintf(end, AT_TAG_MAX + 1, "%s", d_text(st->dv, s, 0));
	else if (r != DRV_DONE)
		c = code_of(st);
	done(st->dv, s);
	return c;
}

static int64_t count_of(struct store *st, struct drv_stmt *s)
{
	int64_t n = -1;

	(void)st;
	if (s && d_step(st->dv, s) == DRV_ROW)
		n = d_int64(st->dv, s, 0);
	done(st->dv, s);
	return n;
}

enum at_code store_asset_attr_names(struct store *st, attr_name_cb cb, void *ctx)
{
	struct drv_stmt *s = stmt(st, STMT_ASSET_ATTR_NAMES);
	enum at_code c = AT_OK;
	int rc;

	if (!s)
		return AT_STORAGE;
	while ((rc = d_step(st->dv, s)) == DRV_ROW)
		if (cb(ctx, (const char *)d_text(st->dv, s, 0)))
			goto out;
	if (rc != DRV_DONE)
		c = code_of(st);
out:
	done(st->dv, s);
	return c;
}

int64_t store_asset_count_overdue(struct store *st, const char *today)
{
	struct drv_stmt *s = stmt(st, STMT_ASSET_COUNT_OVERDUE);

	if (!s)
		return -1;
	bind_text(st->dv, s, 1, today, 0);
	return count_of(st, s);
}

int64_t store_asset_count(struct store *st, int has_state, enum asset_state state)
{
	struct drv_stmt *s;

	if (!has_state)
		return count_of(st, stmt(st, STMT_ASSET_COUNT));
	s = stmt(st, STMT_ASSET_COUNT_STATE);
	if (!s)
		return -1;
	bind_text(st->dv, s, 1, asset_state_name(state), 0);
	return count_of(st, s);
}

/* ==== cases =========================================================== */

static void read_case(const struct store *st, struct drv_stmt *s, void *out)
{
	const struct dv v = st->dv;
	struct case_info *c = out;
	memset(c, 0, sizeof(*c));
	c->id = d_int64(v, s, 0);
	COL_TEXT(v, s, 1, c->name);
	c->slot_count = (int)d_int64(v, s, 2);
	COL_TEXT(v, s, 3, c->building);
	COL_TEXT(v, s, 4, c->room);
	COL_TEXT(v, s, 5, c->notes);
	c->occupied = (int)d_int64(v, s, 6);
	COL_TEXT(v, s, 7, c->created_at);
	COL_TEXT(v, s, 8, c->updated_at);
}

enum at_code store_case_by_name(struct store *st, const char *name, struct case_info *c)
{
	if (st->ov && ov_case_name(st, name) != AT_OK)
		return AT_STORAGE;
	return one_by_text(st, STMT_CASE_BY_NAME, name, read_case, c, 0);
}

enum at_code store_case_by_id(struct store *st, int64_t id, struct case_info *c)
{
	struct drv_stmt *s;

	if (st->ov && ov_case_full(st, id) != AT_OK)
		return AT_STORAGE;
	s = stmt(st, STMT_CASE_BY_ID);
	if (!s)
		return AT_STORAGE;
	d_bind_int64(st->dv, s, 1, id);
	return one_row(st, s, read_case, c, 0);
}

int64_t store_case_id(struct store *st, const char *name)
{
	struct drv_stmt *s = stmt(st, STMT_CASE_ID);
	int64_t id = 0;

	if (!s)
		return 0;
	bind_text(st->dv, s, 1, name, 0);
	if (d_step(st->dv, s) == DRV_ROW)
		id = d_int64(st->dv, s, 0);
	done(st->dv, s);
	return id;
}

static enum at_code add_slots(struct store *st, int64_t case_id, int from, int to,
                              struct at_errors *e)
{
	for (int p = from; p <= to; p++) {
		struct drv_stmt *s = stmt(st, STMT_SLOT_INSERT);
		enum at_code c;

		if (!s)
			return fail_code(st, e);
		d_bind_int64(st->dv, s, 1, case_id);
		d_bind_int64(st->dv, s, 2, p);
		c = exec_stmt(st, s, e);
		if (c != AT_OK)
			return c;
	}
	return AT_OK;
}

enum at_code store_case_insert(struct store *st, struct case_info *c, struct at_errors *e)
{
	struct drv_stmt *s = stmt(st, STMT_CASE_INSERT);
	enum at_code r;

	if (!s)
		return fail_code(st, e);
	bind_text(st->dv, s, 1, c->name, 0);
	d_bind_int64(st->dv, s, 2, c->slot_count);
	bind_text(st->dv, s, 3, c->building, 1);
	bind_text(st->dv, s, 4, c->room, 1);
	bind_text(st->dv, s, 5, c->notes, 1);
	bind_text(st->dv, s, 6, c->created_at, 0);
	bind_text(st->dv, s, 7, c->updated_at, 0);
	r = insert_id(st, s, &c->id, e);
	if (r != AT_OK)
		return r;
	return add_slots(st, c->id, 1, c->slot_count, e);
}

enum at_code store_case_save(struct store *st, const struct case_info *c, int old_slots,
                             struct at_errors *e)
{
	struct drv_stmt *s = stmt(st, STMT_CASE_SAVE);
	enum at_code r;

	if (!s)
		return fail_code(st, e);
	d_bind_int64(st->dv, s, 1, c->id);
	d_bind_int64(st->dv, s, 2, c->slot_count);
	bind_text(st->dv, s, 3, c->building, 1);
	bind_text(st->dv, s, 4, c->room, 1);
	bind_text(st->dv, s, 5, c->notes, 1);
	bind_text(st->dv, s, 6, c->updated_at, 0);
	r = exec_stmt(st, s, e);
	if (r != AT_OK || c->slot_count <= old_slots)
		return r;
	return add_slots(st, c->id, old_slots + 1, c->slot_count, e);
}

enum at_code store_case_list(struct store *st, const char *after_name, int limit, case_cb cb,
                             void *ctx)
{
	struct drv_stmt *s = stmt(st, STMT_CASE_LIST);
	struct case_info c;
	enum at_code r = AT_OK;
	int rc;

	if (!s)
		return AT_STORAGE;
	bind_text(st->dv, s, 1, after_name, 1);
	bind_limit(st->dv, s, 2, limit);
	while ((rc = d_step(st->dv, s)) == DRV_ROW) {
		read_case(st, s, &c);
		if (cb(ctx, &c))
			goto out;
	}
	if (rc != DRV_DONE)
		r = code_of(st);
out:
	done(st->dv, s);
	return r;
}

/* ==== holders ========================================================= */

static void read_holder(const struct store *st, struct drv_stmt *s, void *out)
{
	const struct dv v = st->dv;
	struct holder *h = out;
	memset(h, 0, sizeof(*h));
	h->id = d_int64(v, s, 0);
	COL_TEXT(v, s, 1, h->name);
	COL_TEXT(v, s, 2, h->badge);
	COL_TEXT(v, s, 3, h->email);
	h->active = (int)d_int64(v, s, 4);
	COL_TEXT(v, s, 5, h->created_at);
	COL_TEXT(v, s, 6, h->updated_at);
}

enum at_code store_holder_by_id(struct store *st, int64_t id, struct holder *h)
{
	struct drv_stmt *s = stmt(st, STMT_HOLDER_BY_ID);

	if (!s)
		return AT_STORAGE;
	d_bind_int64(st->dv, s, 1, id);
	return one_row(st, s, read_holder, h, 0);
}

enum at_code store_holder_by_badge(struct store *st, const char *badge, struct holder *h)
{
	return one_by_text(st, STMT_HOLDER_BY_BADGE, badge, read_holder, h, 0);
}

enum at_code store_holder_by_email(struct store *st, const char *email, struct holder *h)
{
	/* As for serials: 200 characters at most. */
	char key[4 * AT_PERSON_MAX + 1];

	if (!email || key_email(email, key, sizeof(key)) != 0)
		return AT_NOT_FOUND;
	return one_by_text(st, STMT_HOLDER_BY_EMAIL, key, read_holder, h, 1);
}

enum at_code store_holder_by_name(struct store *st, const char *name, struct holder *h)
{
	return one_by_text(st, STMT_HOLDER_BY_NAME, name, read_holder, h, 1);
}

static void bind_holder(struct dv v, struct drv_stmt *s, const struct holder *h)
{
	bind_id(v, s, 1, h->id);
	bind_text(v, s, 2, h->name, 0);
	bind_text(v, s, 3, h->badge, 1);
	bind_text(v, s, 4, h->email, 1);
	d_bind_int64(v, s, 5, h->active ? 1 : 0);
	bind_text(v, s, 6, h->created_at, 0);
	bind_text(v, s, 7, h->updated_at, 0);
}

enum at_code store_holder_insert(struct store *st, struct holder *h, struct at_errors *e)
{
	struct drv_stmt *s = stmt(st, STMT_HOLDER_INSERT);

	if (!s)
		return fail_code(st, e);
	bind_holder(st->dv, s, h);
	return insert_id(st, s, &h->id, e);
}

enum at_code store_holder_save(struct store *st, const struct holder *h, struct at_errors *e)
{
	struct drv_stmt *s = stmt(st, STMT_HOLDER_SAVE);

	if (!s)
		return fail_code(st, e);
	bind_holder(st->dv, s, h);
	return exec_stmt(st, s, e);
}

enum at_code store_holder_list(struct store *st, int64_t after_id, int limit, holder_cb cb,
                               void *ctx)
{
	struct drv_stmt *s = stmt(st, STMT_HOLDER_LIST);
	struct holder h;
	enum at_code r = AT_OK;
	int rc;

	if (!s)
		return AT_STORAGE;
	d_bind_int64(st->dv, s, 1, after_id);
	bind_limit(st->dv, s, 2, limit);
	while ((rc = d_step(st->dv, s)) == DRV_ROW) {
		read_holder(st, s, &h);
		if (cb(ctx, &h))
			goto out;
	}
	if (rc != DRV_DONE)
		r = code_of(st);
out:
	done(st->dv, s);
	return r;
}

enum at_code store_holder_search(struct store *st, const char *q, int limit, holder_cb cb,
                                 void *ctx)
{
	struct drv_stmt *s = stmt(st, STMT_HOLDER_SEARCH);
	char lq[AT_PERSON_MAX + 1];
	struct holder h;
	enum at_code r = AT_OK;
	size_t i;
	int rc;

	if (!s)
		return AT_STORAGE;
	for (i = 0; q[i] && i + 1 < sizeof(lq); i++)
		lq[i] = (q[i] >= 'A' && q[i] <= 'Z') ? (char)(q[i] + 32) : q[i];
	lq[i] = '\0';
	bind_text(st->dv, s, 1, lq, 0);
	bind_limit(st->dv, s, 2, limit);
	while ((rc = d_step(st->dv, s)) == DRV_ROW) {
		read_holder(st, s, &h);
		if (cb(ctx, &h))
			goto out;
	}
	if (rc != DRV_DONE)
		r = code_of(st);
out:
	done(st->dv, s);
	return r;
}

enum at_code store_asset_out_longest(struct store *st, int limit, asset_cb cb, void *ctx)
{
	struct drv_stmt *s = stmt(st, STMT_ASSET_OUT_LONGEST);
	enum at_code r = AT_OK;
	struct asset a;
	int rc;

	if (!s)
		return AT_STORAGE;
	bind_limit(st->dv, s, 1, limit);
	while ((rc = d_step(st->dv, s)) == DRV_ROW) {
		read_asset(st, s, &a);
		if (cb(ctx, &a))
			goto out;
	}
	if (rc != DRV_DONE)
		r = code_of(st);
out:
	done(st->dv, s);
	return r;
}

/* ==== events ========================================================== */

enum at_code store_event_hash_at(struct store *st, int64_t seq, char hash[AT_HASH_HEX + 1])
{
	struct drv_stmt *s = stmt(st, STMT_EVENT_HASH_AT);
	enum at_code r = AT_OK;
	int rc;

	if (!s)
		return AT_STORAGE;
	d_bind_int64(st->dv, s, 1, seq);
	rc = d_step(st->dv, s);
	if (rc == DRV_ROW)
		col_text(st->dv, s, 0, hash, AT_HASH_HEX + 1);
	else if (rc == DRV_DONE)
		r = AT_NOT_FOUND;
	else
		r = code_of(st);
	done(st->dv, s);
	return r;
}

enum at_code store_event_last(struct store *st, int64_t *seq, char hash[AT_HASH_HEX + 1])
{
	return store_event_last_at(st, seq, hash, NULL);
}

enum at_code store_event_last_at(struct store *st, int64_t *seq, char hash[AT_HASH_HEX + 1],
                                 char at[AT_TIME_LEN + 1])
{
	struct drv_stmt *s = stmt(st, STMT_EVENT_LAST);
	int rc;

	if (!s)
		return AT_STORAGE;
	rc = d_step(st->dv, s);
	if (rc == DRV_ROW) {
		*seq = d_int64(st->dv, s, 0);
		col_text(st->dv, s, 1, hash, AT_HASH_HEX + 1);
		if (at)
			col_text(st->dv, s, 2, at, AT_TIME_LEN + 1);
	} else if (rc == DRV_DONE) {
		*seq = 0;
		memset(hash, '0', AT_HASH_HEX);
		hash[AT_HASH_HEX] = '\0';
		if (at)
			at[0] = '\0';
	} else {
		done(st->dv, s);
		return code_of(st);
	}
	done(st->dv, s);
	return AT_OK;
}

/* Bind event `ev` to parameters base+1 .. base+15. */
static void bind_event(struct dv v, struct drv_stmt *s, int base, const struct event *ev)
{
	d_bind_int64(v, s, base + 1, ev->seq);
	bind_text(v, s, base + 2, ev->at, 0);
	bind_text(v, s, base + 3, ev->type, 0);
	bind_text(v, s, base + 4, ev->asset_tag, 1);
	bind_text(v, s, base + 5, ev->from_case, 1);
	if (ev->from_case)
		d_bind_int64(v, s, base + 6, ev->from_position);
	bind_text(v, s, base + 7, ev->to_case, 1);
	if (ev->to_case)
		d_bind_int64(v, s, base + 8, ev->to_position);
	bind_id(v, s, base + 9, ev->holder_id);
	bind_text(v, s, base + 10, ev->actor, 0);
	bind_text(v, s, base + 11, ev->reason, 1);
	bind_text(v, s, base + 12, ev->batch_id, 0);
	bind_text(v, s, base + 13, ev->details ? ev->details : "{}", 0);
	bind_text(v, s, base + 14, ev->prev_hash, 0);
	bind_text(v, s, base + 15, ev->hash, 0);
}

enum at_code store_event_insert(struct store *st, const struct event *ev, struct at_errors *e)
{
	struct drv_stmt *s = stmt(st, STMT_EVENT_INSERT);

	if (!s)
		return fail_code(st, e);
	bind_event(st->dv, s, 0, ev);
	return exec_stmt(st, s, e);
}

size_t store_event_bulk(const struct store *st)
{
	return st->dv.lite ? STORE_EVENT_BULK : STORE_EVENT_BULK_PG;
}

/* PostgreSQL: events evs[0..n-1] in one statement, a column an array. */
static enum at_code events_insert_arrays(struct store *st, const struct event *evs, size_t n,
                                         struct at_errors *e)
{
	struct buf col[15];
	int r = 0;

	for (int k = 0; k < 15; k++)
		buf_init(&col[k], 0);
	for (size_t i = 0; i < n; i++) {
		const struct event *ev = &evs[i];
		r |= pg_array_int(&col[0], ev->seq, 0);
		r |= pg_array_text(&col[1], ev->at);
		r |= pg_array_text(&col[2], ev->type);
		r |= pg_array_text(&col[3], ev->asset_tag && *ev->asset_tag ? ev->asset_tag : NULL);
		r |= pg_array_text(&col[4], ev->from_case && *ev->from_case ? ev->from_case : NULL);
		r |= pg_array_int(&col[5], ev->from_position, !ev->from_case);
		r |= pg_array_text(&col[6], ev->to_case && *ev->to_case ? ev->to_case : NULL);
		r |= pg_array_int(&col[7], ev->to_position, !ev->to_case);
		r |= pg_array_int(&col[8], ev->holder_id, !ev->holder_id);
		r |= pg_array_text(&col[9], ev->actor);
		r |= pg_array_text(&col[10], ev->reason && *ev->reason ? ev->reason : NULL);
		r |= pg_array_text(&col[11], ev->batch_id);
		r |= pg_array_text(&col[12], ev->details ? ev->details : "{}");
		r |= pg_array_text(&col[13], ev->prev_hash);
		r |= pg_array_text(&col[14], ev->hash);
	}
	return run_arrays(st, STMT_EVENTS_INSERT_MANY, col, 15, r, e);
}

enum at_code store_event_insert_many(struct store *st, const struct event *evs, size_t n,
                                     struct at_errors *e)
{
	struct drv_stmt *s;
	enum at_code c = AT_OK;
	size_t i = 0;

	if (!st->dv.lite && n > 1)
		return events_insert_arrays(st, evs, n, e);
	if (n == STORE_EVENT_BULK) {
		s = stmt(st, STMT_EVENT_INSERT_BULK);
		if (!s)
			return fail_code(st, e);
		for (; i < n; i++)
			bind_event(st->dv, s, (int)i * 15, &evs[i]);
		return exec_stmt(st, s, e);
	}
	for (; i < n && c == AT_OK; i++)
		c = store_event_insert(st, &evs[i], e);
	return c;
}

static const char *col_ptr(struct dv v, struct drv_stmt *s, int i)
{
	return (const char *)d_text(v, s, i);
}

enum at_code store_event_list(struct store *st, const struct event_filter *f, event_cb cb,
                              void *ctx)
{
	enum stmt which = f->whole_log   ? STMT_EVENT_LOG
	                  : f->batch_id  ? (f->descending ? STMT_EVENT_BY_BATCH_DESC
	                                                  : STMT_EVENT_BY_BATCH)
	                  : f->asset_tag ? (f->descending ? STMT_EVENT_BY_ASSET_DESC
	                                                  : STMT_EVENT_BY_ASSET)
	                  : f->holder_id ? (f->descending ? STMT_EVENT_BY_HOLDER_DESC
	                                                  : STMT_EVENT_BY_HOLDER)
	                                 : (f->descending ? STMT_EVENT_LIST_DESC : STMT_EVENT_LIST);
	struct drv_stmt *s = stmt(st, which);
	struct event ev;
	enum at_code r = AT_OK;
	int rc;

	if (!s)
		return AT_STORAGE;
	bind_text(st->dv, s, 1, f->asset_tag, 0);
	bind_text(st->dv, s, 2, f->type, 1);
	bind_text(st->dv, s, 3, f->since, 1);
	bind_text(st->dv, s, 4, f->until, 1);
	bind_text(st->dv, s, 5, f->batch_id, 1);
	d_bind_int64(st->dv, s, 6, f->holder_id);
	d_bind_int64(st->dv, s, 7, f->after_seq);
	bind_limit(st->dv, s, 8, f->limit);
	while ((rc = d_step(st->dv, s)) == DRV_ROW) {
		memset(&ev, 0, sizeof(ev));
		ev.seq = d_int64(st->dv, s, 0);
		COL_TEXT(st->dv, s, 1, ev.at);
		ev.type = col_ptr(st->dv, s, 2);
		ev.asset_tag = col_ptr(st->dv, s, 3);
		ev.from_case = col_ptr(st->dv, s, 4);
		ev.from_position = (int)d_int64(st->dv, s, 5);
		ev.to_case = col_ptr(st->dv, s, 6);
		ev.to_position = (int)d_int64(st->dv, s, 7);
		ev.holder_id = d_int64(st->dv, s, 8);
		ev.holder_name = col_ptr(st->dv, s, 9);
		ev.actor = col_ptr(st->dv, s, 10);
		ev.reason = col_ptr(st->dv, s, 11);
		ev.batch_id = col_ptr(st->dv, s, 12);
		ev.details = col_ptr(st->dv, s, 13);
		COL_TEXT(st->dv, s, 14, ev.prev_hash);
		COL_TEXT(st->dv, s, 15, ev.hash);
		if (!ev.type)
			ev.type = "";
		if (!ev.actor)
			ev.actor = "";
		if (!ev.batch_id)
			ev.batch_id = "";
		if (!ev.details)
			ev.details = "{}";
		if (cb(ctx, &ev))
			goto out;
	}
	if (rc != DRV_DONE)
		r = code_of(st);
out:
	done(st->dv, s);
	return r;
}

enum at_code store_custody_as_of(struct store *st, const char *until, const char *after_tag,
                                 int limit, custody_at_cb cb, void *ctx,
                                 char last_tag[AT_TAG_MAX + 1], int *scanned)
{
	const struct dv v = st->dv;
	struct drv_stmt *s = stmt(st, STMT_CUSTODY_AS_OF);
	enum at_code r = AT_OK;
	int rc;

	*scanned = 0;
	last_tag[0] = '\0';
	if (!s)
		return AT_STORAGE;
	bind_text(v, s, 1, until, 0);
	bind_text(v, s, 2, after_tag ? after_tag : "", 0);
	bind_limit(v, s, 3, limit);
	while ((rc = d_step(v, s)) == DRV_ROW) {
		const char *tag = col_ptr(v, s, 0), *type = col_ptr(v, s, 1), *due = col_ptr(v, s, 4);
		const char *state = col_ptr(v, s, 5);
		int held;

		(*scanned)++;
		snprintf(last_tag, AT_TAG_MAX + 1, "%s", tag ? tag : "");
		held = type && (strcmp(type, "STOCK_OUT") == 0 ||
		                (strcmp(type, "ASSET_REPLACED") == 0 && state &&
		                 strcmp(state, "IN_CUSTODY") == 0));
		if (held && cb(ctx, tag, d_int64(v, s, 2), col_ptr(v, s, 3), due ? due : ""))
			goto out;
	}
	if (rc != DRV_DONE)
		r = code_of(st);
out:
	done(v, s);
	return r;
}

int64_t store_event_count(struct store *st)
{
	return count_of(st, stmt(st, STMT_EVENT_COUNT));
}

/* ==== users =========================================================== */

static void read_user(const struct store *st, struct drv_stmt *s, void *out)
{
	const struct dv v = st->dv;
	struct user *u = out;
	const char *t;

	memset(u, 0, sizeof(*u));
	u->id = d_int64(v, s, 0);
	COL_TEXT(v, s, 1, u->username);
	t = d_text(v, s, 2);
	if (!t || user_role_parse(t, &u->role) < 0)
		u->role = ROLE_AUDITOR; /* least privilege for anything unexpected */
	COL_TEXT(v, s, 3, u->pw_hash);
	u->active = (int)d_int64(v, s, 4);
	COL_TEXT(v, s, 5, u->created_at);
}

enum at_code store_user_insert(struct store *st, struct user *u, struct at_errors *e)
{
	struct drv_stmt *s = stmt(st, STMT_USER_INSERT);

	if (!s)
		return fail_code(st, e);
	bind_text(st->dv, s, 1, u->username, 0);
	bind_text(st->dv, s, 2, user_role_name(u->role), 0);
	bind_text(st->dv, s, 3, u->pw_hash, 0);
	d_bind_int64(st->dv, s, 4, u->active ? 1 : 0);
	bind_text(st->dv, s, 5, u->created_at, 0);
	return insert_id(st, s, &u->id, e);
}

enum at_code store_user_by_name(struct store *st, const char *name, struct user *u)
{
	return one_by_text(st, STMT_USER_BY_NAME, name, read_user, u, 0);
}

enum at_code store_user_by_id(struct store *st, int64_t id, struct user *u)
{
	struct drv_stmt *s = stmt(st, STMT_USER_BY_ID);

	if (!s)
		return AT_STORAGE;
	d_bind_int64(st->dv, s, 1, id);
	return one_row(st, s, read_user, u, 0);
}

int64_t store_user_count(struct store *st)
{
	return count_of(st, stmt(st, STMT_USER_COUNT));
}

enum at_code store_user_list(struct store *st, user_cb cb, void *ctx)
{
	struct drv_stmt *s = stmt(st, STMT_USER_LIST);
	struct user u;
	enum at_code r = AT_OK;
	int rc;

	if (!s)
		return AT_STORAGE;
	while ((rc = d_step(st->dv, s)) == DRV_ROW) {
		read_user(st, s, &u);
		if (cb(ctx, &u))
			goto out;
	}
	if (rc != DRV_DONE)
		r = code_of(st);
out:
	done(st->dv, s);
	return r;
}

enum at_code store_token_insert(struct store *st, int64_t user_id, const char *token_hash,
                                const char *label, const char *at, struct at_errors *e)
{
	struct drv_stmt *s = stmt(st, STMT_TOKEN_INSERT);

	if (!s)
		return fail_code(st, e);
	d_bind_int64(st->dv, s, 1, user_id);
	bind_text(st->dv, s, 2, token_hash, 0);
	bind_text(st->dv, s, 3, label, 1);
	bind_text(st->dv, s, 4, at, 0);
	return exec_stmt(st, s, e);
}

enum at_code store_token_user(struct store *st, const char *token_hash, struct user *u)
{
	return one_by_text(st, STMT_TOKEN_USER, token_hash, read_user, u, 0);
}

enum at_code store_throttle_get(struct store *st, const char *key, int64_t *failures,
                                int64_t *next_ok)
{
	struct drv_stmt *s = stmt(st, STMT_THROTTLE_GET);
	enum at_code r = AT_OK;
	int rc;

	*failures = 0;
	*next_ok = 0;
	if (!s)
		return AT_STORAGE;
	bind_text(st->dv, s, 1, key, 0);
	rc = d_step(st->dv, s);
	if (rc == DRV_ROW) {
		*failures = d_int64(st->dv, s, 0);
		*next_ok = d_int64(st->dv, s, 1);
	} else if (rc != DRV_DONE) {
		r = code_of(st);
	}
	done(st->dv, s);
	return r;
}

enum at_code store_throttle_put(struct store *st, const char *key, int64_t failures,
                                int64_t next_ok, const char *at, struct at_errors *e)
{
	struct drv_stmt *s = stmt(st, STMT_THROTTLE_PUT);

	if (!s)
		return AT_STORAGE;
	bind_text(st->dv, s, 1, key, 0);
	d_bind_int64(st->dv, s, 2, failures);
	d_bind_int64(st->dv, s, 3, next_ok);
	bind_text(st->dv, s, 4, at, 0);
	return exec_stmt(st, s, e);
}

enum at_code store_security_list(struct store *st, int limit, security_cb cb, void *ctx)
{
	const struct dv v = st->dv;
	struct drv_stmt *s = stmt(st, STMT_SECURITY_LIST);
	enum at_code r = AT_OK;
	int rc;

	if (!s)
		return AT_STORAGE;
	bind_limit(v, s, 1, limit);
	while ((rc = d_step(v, s)) == DRV_ROW) {
		struct security_entry x = { col_ptr(v, s, 0), col_ptr(v, s, 1), col_ptr(v, s, 2),
			                    col_ptr(v, s, 3), col_ptr(v, s, 4) };
		if (cb(ctx, &x))
			goto out;
	}
	if (rc != DRV_DONE)
		r = code_of(st);
out:
	done(v, s);
	return r;
}

enum at_code store_security_log(struct store *st, const char *at, const char *actor,
                                const char *action, const char *subject, const char *details)
{
	struct drv_stmt *s = stmt(st, STMT_SECURITY_LOG);

	if (!s)
		return AT_STORAGE;
	bind_text(st->dv, s, 1, at, 0);
	bind_text(st->dv, s, 2, actor, 0);
	bind_text(st->dv, s, 3, action, 0);
	bind_text(st->dv, s, 4, subject, 1);
	bind_text(st->dv, s, 5, details, 1);
	return exec_stmt(st, s, NULL);
}

/* ==== sessions ======================================================== */

enum at_code store_session_insert(struct store *st, const char *token_hash, int64_t user_id,
                                  const char *csrf, const char *at, struct at_errors *e)
{
	struct drv_stmt *s = stmt(st, STMT_SESSION_INSERT);

	if (!s)
		return fail_code(st, e);
	bind_text(st->dv, s, 1, token_hash, 0);
	d_bind_int64(st->dv, s, 2, user_id);
	bind_text(st->dv, s, 3, csrf, 0);
	bind_text(st->dv, s, 4, at, 0);
	return exec_stmt(st, s, e);
}

enum at_code store_session_get(struct store *st, const char *token_hash, struct session *out)
{
	struct drv_stmt *s = stmt(st, STMT_SESSION_GET);
	enum at_code r;
	int rc;

	if (!s)
		return AT_STORAGE;
	bind_text(st->dv, s, 1, token_hash, 0);
	rc = d_step(st->dv, s);
	if (rc == DRV_ROW) {
		memset(out, 0, sizeof(*out));
		out->id = d_int64(st->dv, s, 0);
		out->user_id = d_int64(st->dv, s, 1);
		COL_TEXT(st->dv, s, 2, out->csrf);
		COL_TEXT(st->dv, s, 3, out->created_at);
		COL_TEXT(st->dv, s, 4, out->last_seen);
		out->ended = (int)d_int64(st->dv, s, 5);
		r = AT_OK;
	} else {
		r = rc == DRV_DONE ? AT_NOT_FOUND : code_of(st);
	}
	done(st->dv, s);
	return r;
}

static enum at_code id_at(struct store *st, enum stmt which, int64_t id, const char *at)
{
	struct drv_stmt *s = stmt(st, which);

	if (!s)
		return AT_STORAGE;
	d_bind_int64(st->dv, s, 1, id);
	bind_text(st->dv, s, 2, at, 0);
	return exec_stmt(st, s, NULL);
}

enum at_code store_session_touch(struct store *st, int64_t id, const char *at)
{
	return id_at(st, STMT_SESSION_TOUCH, id, at);
}

enum at_code store_session_end(struct store *st, int64_t id, const char *at)
{
	return id_at(st, STMT_SESSION_END, id, at);
}

int64_t store_token_revoke_all(struct store *st, int64_t user_id, const char *at)
{
	if (id_at(st, STMT_TOKEN_REVOKE_ALL, user_id, at) != AT_OK)
		return -1;
	return st->drv->changes(st->conn);
}

int store_usable(struct store *st)
{
	return st->dv.lite || drv_pg_usable(st->conn);
}

/* Roles are PostgreSQL's (schema_pg.h, "Role separation"): make `app`
 * a login role if there is none, then give it what the program needs.
 * Run by the schema's owner, or a superuser, after the migration. */
enum at_code store_grant_app(struct store *st, const char *app, struct at_errors *e)
{
	struct drv_stmt *s = NULL;
	char me[128] = "";
	enum at_code c;

	if (st->drv != &drv_pg)
		return at_fail(e, AT_INVALID, "--app-role is for PostgreSQL: a SQLite file has no roles");
	if (st->drv->in_txn(st->conn))
		return at_fail(e, AT_INTERNAL, "roles are granted outside a transaction");
	/* The owner named to schema_pg_create_roles is who we are: it exists,
	 * so only the app role may be made. */
	c = st->drv->prepare(st->conn, "SELECT CAST(current_user AS TEXT)", &s);
	if (c == AT_OK && st->drv->step(s) == DRV_ROW)
		snprintf(me, sizeof(me), "%s", st->drv->column_text(s, 0));
	if (s)
		st->drv->finalize(s);
	if (!*me)
		return fail_code(st, e);
	c = schema_pg_create_roles(st->conn, me, app, e);
	return c != AT_OK ? c : schema_pg_grant_app(st->conn, app, e);
}

/* PRAGMA data_version has no PostgreSQL twin: -1, which web/auth.c
 * reads as "no cache" (docs/postgresql.md, "Token cache"). */
int64_t store_data_version(struct store *st)
{
	if (!st->dv.lite)
		return -1;
	/* Stepping the held statement again would end the snapshot. */
	if (st->pinned)
		return st->pinned_version;
	return count_of(st, stmt(st, STMT_DATA_VERSION));
}

/* ==== verification ==================================================== */

/*
 * Each check yields rows of (code, message), one per violation.  They do
 * not trust the schema: a file edited with the sqlite3 shell may have lost
 * its constraints and triggers.  Checks are run rarely, so they are
 * prepared here rather than kept in stmt_sql[].
 */
enum invariant {
	INV_DUPLICATE_TAG,
	INV_DUPLICATE_MATCH_KEY,
	INV_INVALID_TAG,
	INV_DUPLICATE_SERIAL,
	INV_SLOT_DOUBLE_BOOKED,
	INV_SLOT_MISSING,
	INV_BAD_STATE,
	INV_BAD_CONDITION,
	INV_STORAGE_WITH_HOLDER,
	INV_CUSTODY_WITHOUT_HOLDER,
	INV_CUSTODY_IN_SLOT,
	INV_RETIRED_IN_USE,
	INV_DUE_WITHOUT_CUSTODY,
	INV_UNKNOWN_HOLDER,
	INV_CASE_SLOTS,
	INV_BAD_ATTRIBUTES,
	INV_DUPLICATE_BADGE,
	INV_EVENT_SEQ_GAP,
	INV_EVENT_TRIGGER_MISSING,
	INV_ASSET_COUNTS,
	INV__MAX
};

static const char *const invariant_checks[INV__MAX] = {
	[INV_DUPLICATE_TAG] =
		"SELECT 'DUPLICATE_TAG', 'tag ' || tag || ' is used by ' || count(*) || ' assets' "
		"FROM assets GROUP BY tag HAVING count(*) > 1",
	[INV_DUPLICATE_MATCH_KEY] =
		"SELECT 'DUPLICATE_MATCH_KEY', 'assets ' || group_concat(tag, ', ') || "
		"' share the match key ' || upper(replace(replace(tag, '-', ''), ' ', '')) "
		"FROM assets GROUP BY upper(replace(replace(tag, '-', ''), ' ', '')) HAVING count(*) > 1",
	[INV_INVALID_TAG] =
		"SELECT 'INVALID_TAG', 'asset tag ''' || tag || ''' is not a valid tag' FROM assets "
		"WHERE NOT (length(tag) BETWEEN 1 AND 64 AND tag GLOB '[A-Za-z0-9]*' "
		"AND NOT tag GLOB '*[^A-Za-z0-9._-]*')",
	[INV_DUPLICATE_SERIAL] =
		"SELECT 'DUPLICATE_SERIAL', 'assets ' || group_concat(tag, ', ') || "
		"' share the serial number ' || lower(trim(serial)) FROM assets "
		"GROUP BY lower(trim(serial)) HAVING count(*) > 1",
	[INV_SLOT_DOUBLE_BOOKED] =
		"SELECT 'SLOT_DOUBLE_BOOKED', 'slot ' || coalesce(c.name, '#' || a.case_id) || '/' || "
		"a.position || ' holds ' || group_concat(a.tag, ', ') FROM assets a "
		"LEFT JOIN cases c ON c.id = a.case_id WHERE a.case_id IS NOT NULL "
		"GROUP BY a.case_id, a.position HAVING count(*) > 1",
	[INV_SLOT_MISSING] =
		"SELECT 'SLOT_MISSING', a.tag || ' is in slot ' || coalesce(c.name, '#' || a.case_id) || "
		"'/' || coalesce(a.position, '?') || ', which does not exist' FROM assets a "
		"LEFT JOIN cases c ON c.id = a.case_id WHERE a.case_id IS NOT NULL AND "
		"(a.position IS NULL OR c.id IS NULL OR a.position < 1 OR a.position > c.slot_count "
		"OR NOT EXISTS (SELECT 1 FROM slots s WHERE s.case_id = a.case_id "
		"AND s.position = a.position))",
	[INV_BAD_STATE] =
		"SELECT 'BAD_STATE', tag || ' has unknown state ' || quote(state) FROM assets "
		"WHERE state NOT IN ('STORAGE', 'IN_CUSTODY', 'RETIRED')",
	[INV_BAD_CONDITION] =
		"SELECT 'BAD_CONDITION', tag || ' has unknown condition ' || quote(condition) "
		"FROM assets WHERE condition NOT IN ('GOOD', 'DAMAGED', 'FAULTY')",
	[INV_STORAGE_WITH_HOLDER] =
		"SELECT 'STORAGE_WITH_HOLDER', tag || ' is in STORAGE but has holder #' || holder_id "
		"FROM assets WHERE state = 'STORAGE' AND holder_id IS NOT NULL",
	[INV_CUSTODY_WITHOUT_HOLDER] =
		"SELECT 'CUSTODY_WITHOUT_HOLDER', tag || ' is IN_CUSTODY without a holder' "
		"FROM assets WHERE state = 'IN_CUSTODY' AND holder_id IS NULL",
	[INV_CUSTODY_IN_SLOT] =
		"SELECT 'CUSTODY_IN_SLOT', tag || ' is IN_CUSTODY but sits in a slot' FROM assets "
		"WHERE state = 'IN_CUSTODY' AND (case_id IS NOT NULL OR position IS NOT NULL)",
	[INV_RETIRED_IN_USE] =
		"SELECT 'RETIRED_IN_USE', tag || ' is RETIRED but has a holder or a slot' FROM assets "
		"WHERE state = 'RETIRED' AND (holder_id IS NOT NULL OR case_id IS NOT NULL)",
	[INV_DUE_WITHOUT_CUSTODY] =
		"SELECT 'DUE_WITHOUT_CUSTODY', tag || ' has a due date but is not IN_CUSTODY' "
		"FROM assets WHERE due IS NOT NULL AND state <> 'IN_CUSTODY'",
	[INV_UNKNOWN_HOLDER] =
		"SELECT 'UNKNOWN_HOLDER', a.tag || ' is held by holder #' || a.holder_id || "
		"', who does not exist' FROM assets a WHERE a.holder_id IS NOT NULL AND "
		"NOT EXISTS (SELECT 1 FROM holders h WHERE h.id = a.holder_id)",
	[INV_CASE_SLOTS] =
		"SELECT 'CASE_SLOTS', 'case ' || c.name || ' has ' || "
		"(SELECT count(*) FROM slots s WHERE s.case_id = c.id) || ' slots, expected ' || "
		"c.slot_count FROM cases c WHERE (SELECT count(*) FROM slots s WHERE s.case_id = c.id) "
		"<> c.slot_count OR EXISTS (SELECT 1 FROM slots s WHERE s.case_id = c.id AND "
		"(s.position < 1 OR s.position > c.slot_count))",
	/* json_each only on text that is an object: on anything else it
	 * would fail the check instead of reporting the row. */
	[INV_BAD_ATTRIBUTES] =
		"SELECT 'BAD_ATTRIBUTES', tag || ' has attributes that are not a JSON object of at most "
		"32 texts (names 1 to 64 bytes, values 1 to 500, 4000 in all)' FROM assets "
		"WHERE attributes IS NOT NULL AND CASE WHEN json_valid(attributes) AND "
		"json_type(attributes) = 'object' THEN length(CAST(attributes AS BLOB)) NOT BETWEEN 7 "
		"AND 4000 OR (SELECT count(*) > 32 OR max(type <> 'text' OR length(CAST(key AS BLOB)) "
		"NOT BETWEEN 1 AND 64 OR length(CAST(value AS BLOB)) NOT BETWEEN 1 AND 500) "
		"FROM json_each(attributes)) ELSE 1 END",
	[INV_DUPLICATE_BADGE] =
		"SELECT 'DUPLICATE_BADGE', 'badge ' || badge || ' belongs to ' || count(*) || ' holders' "
		"FROM holders WHERE badge IS NOT NULL GROUP BY badge HAVING count(*) > 1",
	[INV_EVENT_SEQ_GAP] =
		"SELECT 'EVENT_SEQ_GAP', 'event log has ' || count(*) || ' events but seq runs ' || "
		"coalesce(min(seq), 0) || '..' || coalesce(max(seq), 0) FROM events "
		"HAVING count(*) > 0 AND (min(seq) <> 1 OR max(seq) <> count(*))",
	[INV_EVENT_TRIGGER_MISSING] =
		"SELECT 'EVENT_TRIGGER_MISSING', 'trigger ' || t.name || ' that keeps the event log "
		"append-only is missing' FROM (SELECT 'events_no_update' AS name UNION ALL "
		"SELECT 'events_no_delete') t WHERE NOT EXISTS (SELECT 1 FROM sqlite_schema s "
		"WHERE s.type = 'trigger' AND s.name = t.name)",
	/* The counts the dashboard shows (migration 8), one row per state. */
	[INV_ASSET_COUNTS] =
		"SELECT 'ASSET_COUNTS', 'the counts say ' || coalesce(CAST(c.n AS TEXT), 'nothing') || "
		"' assets are ' || s.state || ', there are ' || "
		"(SELECT count(*) FROM assets a WHERE a.state = s.state) "
		"FROM (SELECT 'STORAGE' AS state UNION ALL SELECT 'IN_CUSTODY' UNION ALL "
		"SELECT 'RETIRED') s LEFT JOIN asset_counts c ON c.state = s.state "
		"WHERE c.n IS NULL OR c.n <> (SELECT count(*) FROM assets a WHERE a.state = s.state)",
};

/*
 * PostgreSQL's text of the checks whose SQLite text does not prepare
 * there (NULL: the same text serves both), with the same codes and
 * messages: string_agg for group_concat (in tag order; SQLite's is the
 * scan's), regular expressions for GLOB (ranges by code point under
 * "C", as GLOB's by byte), quote_nullable for quote, a position cast to
 * text before coalesce with '?'.  A json column always holds valid JSON:
 * its check looks at the shape only.  And instead of two of the log's
 * triggers in sqlite_schema, every trigger of the schema
 * (SCHEMA_PG_TRIGGERS) present and enabled ('O'): a DBA's ALTER TABLE ...
 * DISABLE TRIGGER leaves it in pg_trigger.  An event log's trigger
 * missing or disabled keeps SQLite's code; any other is TRIGGER_MISSING.
 */
static const char *const invariant_checks_pg[INV__MAX] = {
	[INV_DUPLICATE_MATCH_KEY] =
		"SELECT 'DUPLICATE_MATCH_KEY', 'assets ' || string_agg(tag, ', ' ORDER BY tag) || "
		"' share the match key ' || upper(replace(replace(tag, '-', ''), ' ', '')) "
		"FROM assets GROUP BY upper(replace(replace(tag, '-', ''), ' ', '')) HAVING count(*) > 1",
	[INV_INVALID_TAG] =
		"SELECT 'INVALID_TAG', 'asset tag ''' || tag || ''' is not a valid tag' FROM assets "
		"WHERE NOT (length(tag) BETWEEN 1 AND 64 AND tag ~ '^[A-Za-z0-9]' "
		"AND tag !~ '[^A-Za-z0-9._-]')",
	[INV_DUPLICATE_SERIAL] =
		"SELECT 'DUPLICATE_SERIAL', 'assets ' || string_agg(tag, ', ' ORDER BY tag) || "
		"' share the serial number ' || lower(trim(serial)) FROM assets "
		"GROUP BY lower(trim(serial)) HAVING count(*) > 1",
	[INV_SLOT_DOUBLE_BOOKED] =
		"SELECT 'SLOT_DOUBLE_BOOKED', 'slot ' || coalesce(min(c.name), '#' || a.case_id) || "
		"'/' || a.position || ' holds ' || string_agg(a.tag, ', ' ORDER BY a.tag) "
		"FROM assets a LEFT JOIN cases c ON c.id = a.case_id WHERE a.case_id IS NOT NULL "
		"GROUP BY a.case_id, a.position HAVING count(*) > 1",
	[INV_SLOT_MISSING] =
		"SELECT 'SLOT_MISSING', a.tag || ' is in slot ' || coalesce(c.name, '#' || a.case_id) || "
		"'/' || coalesce(CAST(a.position AS TEXT), '?') || ', which does not exist' "
		"FROM assets a LEFT JOIN cases c ON c.id = a.case_id WHERE a.case_id IS NOT NULL AND "
		"(a.position IS NULL OR c.id IS NULL OR a.position < 1 OR a.position > c.slot_count "
		"OR NOT EXISTS (SELECT 1 FROM slots s WHERE s.case_id = a.case_id "
		"AND s.position = a.position))",
	[INV_BAD_STATE] =
		"SELECT 'BAD_STATE', tag || ' has unknown state ' || quote_nullable(state) FROM assets "
		"WHERE state NOT IN ('STORAGE', 'IN_CUSTODY', 'RETIRED')",
	[INV_BAD_CONDITION] =
		"SELECT 'BAD_CONDITION', tag || ' has unknown condition ' || quote_nullable(condition) "
		"FROM assets WHERE condition NOT IN ('GOOD', 'DAMAGED', 'FAULTY')",
	[INV_BAD_ATTRIBUTES] =
		"SELECT 'BAD_ATTRIBUTES', tag || ' has attributes that are not a JSON object of at most "
		"32 texts (names 1 to 64 bytes, values 1 to 500, 4000 in all)' FROM assets "
		"WHERE attributes IS NOT NULL AND CASE WHEN json_typeof(attributes) = 'object' "
		"THEN octet_length(CAST(attributes AS TEXT)) NOT BETWEEN 7 AND 4000 "
		"OR (SELECT count(*) > 32 OR bool_or(json_typeof(value) <> 'string' "
		"OR octet_length(key) NOT BETWEEN 1 AND 64 "
		"OR octet_length(value #>> '{}') NOT BETWEEN 1 AND 500) "
		"FROM json_each(attributes)) ELSE true END",
	[INV_EVENT_TRIGGER_MISSING] =
		"SELECT CASE WHEN t.tbl = 'events' THEN 'EVENT_TRIGGER_MISSING' "
		"ELSE 'TRIGGER_MISSING' END, 'trigger ' || t.name || ' on ' || t.tbl || "
		"CASE WHEN g.tgenabled IS NULL THEN ' is missing' ELSE ' is disabled' END "
		"FROM (VALUES " SCHEMA_PG_TRIGGERS ") t(tbl, name) "
		"LEFT JOIN pg_catalog.pg_trigger g ON g.tgname = t.name AND g.tgrelid = "
		"(SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
		"ON n.oid = c.relnamespace WHERE c.relname = t.tbl AND n.nspname = current_schema()) "
		"WHERE g.tgenabled IS DISTINCT FROM 'O' ORDER BY t.tbl, t.name",
};

/* The text of check `i` on `st`'s engine. */
static const char *invariant_sql(const struct store *st, size_t i)
{
	return !st->dv.lite && invariant_checks_pg[i] ? invariant_checks_pg[i] : invariant_checks[i];
}

enum at_code store_check_invariants(struct store *st, problem_cb cb, void *ctx)
{
	for (size_t i = 0; i < INV__MAX; i++) {
		struct drv_stmt *s = NULL;
		enum drv_step rc;
		enum at_code c = AT_OK;

		if (st->drv->prepare(st->conn, invariant_sql(st, i), &s) != AT_OK)
			return AT_STORAGE;
		while ((rc = d_step(st->dv, s)) == DRV_ROW) {
			const char *code = col_ptr(st->dv, s, 0), *msg = col_ptr(st->dv, s, 1);
			if (cb(ctx, code ? code : "INVARIANT", msg ? msg : "invariant violated")) {
				rc = DRV_DONE;
				break;
			}
		}
		/* Read before finalize, which is a call on the connection. */
		if (rc != DRV_DONE)
			c = code_of(st);
		st->drv->finalize(s);
		if (c != AT_OK)
			return c;
	}
	return AT_OK;
}

/* ==== physical audits (core/audit.c) ================================== */

/* Step an audit statement, one callback per case. */
static enum at_code audit_rows(struct store *st, struct drv_stmt *s, audit_last_cb cb, void *ctx)
{
	const struct dv v = st->dv;
	enum at_code r = AT_OK;
	int rc;

	while ((rc = d_step(v, s)) == DRV_ROW) {
		const char *name = col_ptr(v, s, 0), *at = col_ptr(v, s, 3), *actor = col_ptr(v, s, 4);
		const char *counts = col_ptr(v, s, 5);
		if (cb(ctx, name ? name : "", (int)d_int64(v, s, 1), d_int64(v, s, 2),
		       at ? at : "", actor ? actor : "", counts))
			goto out;
	}
	if (rc != DRV_DONE)
		r = code_of(st);
out:
	done(v, s);
	return r;
}

enum at_code store_audit_last(struct store *st, const char *case_name, audit_last_cb cb,
                              void *ctx)
{
	struct drv_stmt *s = stmt(st, STMT_AUDIT_LAST);

	if (!s)
		return AT_STORAGE;
	bind_text(st->dv, s, 1, case_name, 0);
	return audit_rows(st, s, cb, ctx);
}

enum at_code store_audit_cases(struct store *st, const char *after, const char *before,
                               int limit, audit_last_cb cb, void *ctx)
{
	struct drv_stmt *s = stmt(st, STMT_AUDIT_CASES);

	if (!s)
		return AT_STORAGE;
	bind_text(st->dv, s, 1, after, 1);
	bind_text(st->dv, s, 2, before, 1);
	bind_limit(st->dv, s, 3, limit);
	return audit_rows(st, s, cb, ctx);
}

/* ==== reports (core/report.c) ========================================= */

enum at_code store_custody_by_holder(struct store *st, const struct custody_key *after,
                                     int overdue, const char *today, int limit, asset_cb cb,
                                     void *ctx)
{
	struct drv_stmt *s = stmt(st, STMT_REPORT_CUSTODY);
	struct asset a;
	enum at_code c = AT_OK;
	int rc;

	if (!s)
		return AT_STORAGE;
	d_bind_int64(st->dv, s, 1, overdue ? 1 : 0);
	bind_text(st->dv, s, 2, today, 0);
	bind_text(st->dv, s, 3, after ? after->holder_name : "", 0);
	d_bind_int64(st->dv, s, 4, after ? after->holder_id : 0);
	bind_text(st->dv, s, 5, after ? after->since : "", 0);
	bind_text(st->dv, s, 6, after ? after->tag : "", 0);
	bind_limit(st->dv, s, 7, limit);
	while ((rc = d_step(st->dv, s)) == DRV_ROW) {
		read_asset(st, s, &a);
		if (cb(ctx, &a))
			goto out;
	}
	if (rc != DRV_DONE)
		c = code_of(st);
out:
	done(st->dv, s);
	return c;
}

/* Text of column i, "" for NULL. */
static const char *col_str(struct dv v, struct drv_stmt *s, int i)
{
	const char *t = col_ptr(v, s, i);

	return t ? t : "";
}

enum at_code store_unslotted(struct store *st, const char *after_tag, int limit,
                             unslotted_cb cb, void *ctx)
{
	const struct dv v = st->dv;
	struct drv_stmt *s = stmt(st, STMT_REPORT_UNSLOTTED);
	struct asset a;
	enum at_code c = AT_OK;
	int rc;

	if (!s)
		return AT_STORAGE;
	bind_text(v, s, 1, after_tag ? after_tag : "", 0);
	bind_limit(v, s, 2, limit);
	while ((rc = d_step(v, s)) == DRV_ROW) {
		read_asset(st, s, &a);
		if (cb(ctx, &a, d_int64(v, s, 26), col_str(v, s, 27), col_str(v, s, 28),
		       col_ptr(v, s, 29)))
			goto out;
	}
	if (rc != DRV_DONE)
		c = code_of(st);
out:
	done(v, s);
	return c;
}

int64_t store_unslotted_count(struct store *st)
{
	return count_of(st, stmt(st, STMT_REPORT_UNSLOTTED_COUNT));
}

enum at_code store_slot_totals(struct store *st, int64_t *cases, int64_t *slots,
                               int64_t *occupied)
{
	struct drv_stmt *s = stmt(st, STMT_REPORT_SLOT_TOTALS);
	enum at_code c = AT_OK;

	if (!s)
		return AT_STORAGE;
	if (d_step(st->dv, s) == DRV_ROW) {
		*cases = d_int64(st->dv, s, 0);
		*slots = d_int64(st->dv, s, 1);
		*occupied = d_int64(st->dv, s, 2);
	} else {
		c = code_of(st);
	}
	done(st->dv, s);
	return c;
}

/* One row of STMT_REPORT_HOLDINGS as a record (borrowed texts). */
static void read_holding(const struct store *st, struct drv_stmt *s, struct store_holding *h)
{
	const struct dv v = st->dv;
	h->seq = d_int64(v, s, 0);
	h->at = col_str(v, s, 1);
	h->type = col_str(v, s, 2);
	h->asset_tag = col_str(v, s, 3);
	h->since = col_str(v, s, 4);
	h->due = col_str(v, s, 5);
	h->from_case = col_ptr(v, s, 6);
	h->from_position = (int)d_int64(v, s, 7);
	h->end_seq = d_int64(v, s, 8);
	h->end_at = col_str(v, s, 9);
	h->end_type = col_str(v, s, 10);
	h->to_case = col_ptr(v, s, 11);
	h->to_position = (int)d_int64(v, s, 12);
	h->equipment_type = col_str(v, s, 13);
	h->model = col_str(v, s, 14);
}

enum at_code store_holdings(struct store *st, int64_t holder_id, int64_t before_seq, int limit,
                            holding_cb cb, void *ctx)
{
	struct drv_stmt *s = stmt(st, STMT_REPORT_HOLDINGS);
	struct store_holding h;
	enum at_code c = AT_OK;
	int rc;

	if (!s)
		return AT_STORAGE;
	d_bind_int64(st->dv, s, 1, holder_id);
	d_bind_int64(st->dv, s, 2, before_seq);
	bind_limit(st->dv, s, 3, limit);
	while ((rc = d_step(st->dv, s)) == DRV_ROW) {
		read_holding(st, s, &h);
		if (cb(ctx, &h))
			goto out;
	}
	if (rc != DRV_DONE)
		c = code_of(st);
out:
	done(st->dv, s);
	return c;
}

enum at_code store_holding_counts(struct store *st, int64_t holder_id, int64_t *periods,
                                  int64_t *ended, int64_t *late)
{
	struct drv_stmt *s = stmt(st, STMT_REPORT_HOLDING_COUNTS);
	enum at_code c = AT_OK;

	if (!s)
		return AT_STORAGE;
	d_bind_int64(st->dv, s, 1, holder_id);
	if (d_step(st->dv, s) == DRV_ROW) {
		*periods = d_int64(st->dv, s, 0);
		*ended = d_int64(st->dv, s, 1);
		*late = d_int64(st->dv, s, 2);
	} else {
		c = code_of(st);
	}
	done(st->dv, s);
	return c;
}

enum at_code store_retired_reasons(struct store *st, int limit, reason_count_cb cb, void *ctx)
{
	struct drv_stmt *s = stmt(st, STMT_REPORT_RETIRED_REASONS);
	enum at_code c = AT_OK;
	int rc;

	if (!s)
		return AT_STORAGE;
	bind_limit(st->dv, s, 1, limit);
	while ((rc = d_step(st->dv, s)) == DRV_ROW)
		if (cb(ctx, col_ptr(st->dv, s, 0), d_int64(st->dv, s, 1)))
			goto out;
	if (rc != DRV_DONE)
		c = code_of(st);
out:
	done(st->dv, s);
	return c;
}

enum at_code store_retired_totals(struct store *st, int64_t *assets, int64_t *reasons)
{
	struct drv_stmt *s = stmt(st, STMT_REPORT_RETIRED_TOTALS);
	enum at_code c = AT_OK;

	if (!s)
		return AT_STORAGE;
	if (d_step(st->dv, s) == DRV_ROW) {
		*assets = d_int64(st->dv, s, 0);
		*reasons = d_int64(st->dv, s, 1);
	} else {
		c = code_of(st);
	}
	done(st->dv, s);
	return c;
}

enum at_code store_retired(struct store *st, const char *reason, int64_t after_seq, int limit,
                           retired_cb cb, void *ctx)
{
	const struct dv v = st->dv;
	struct drv_stmt *s = stmt(st, STMT_REPORT_RETIRED);
	struct asset a;
	enum at_code c = AT_OK;
	int rc;

	if (!s)
		return AT_STORAGE;
	bind_text(v, s, 1, reason, 0);
	d_bind_int64(v, s, 2, after_seq);
	bind_limit(v, s, 3, limit);
	while ((rc = d_step(v, s)) == DRV_ROW) {
		read_asset(st, s, &a);
		if (cb(ctx, &a, d_int64(v, s, 26), col_str(v, s, 27), col_str(v, s, 28),
		       col_ptr(v, s, 29)))
			goto out;
	}
	if (rc != DRV_DONE)
		c = code_of(st);
out:
	done(v, s);
	return c;
}

/* ==== import jobs (core/import.c) ===================================== */

enum at_code store_job_open(struct store *st, const struct import_job *j, int64_t *id,
                            struct at_errors *e)
{
	struct drv_stmt *s = stmt(st, STMT_JOB_OPEN);

	if (!s)
		return fail_code(st, e);
	bind_text(st->dv, s, 1, j->batch_id, 0);
	bind_text(st->dv, s, 2, j->actor, 0);
	bind_text(st->dv, s, 3, j->options ? j->options : "{}", 0);
	d_bind_int64(st->dv, s, 4, j->since_seq);
	d_bind_int64(st->dv, s, 5, j->heartbeat);
	bind_text(st->dv, s, 6, j->created_at, 0);
	bind_text(st->dv, s, 7, j->owner, 0);
	return insert_id(st, s, id, e);
}

void store_job_free(struct import_job *j)
{
	free(j->options);
	j->options = NULL;
}

enum at_code store_job_get_open(struct store *st, struct import_job *j)
{
	const struct dv v = st->dv;
	struct drv_stmt *s = stmt(st, STMT_JOB_GET_OPEN);
	int rc;

	memset(j, 0, sizeof(*j));
	if (!s)
		return AT_STORAGE;
	rc = d_step(v, s);
	if (rc == DRV_DONE) {
		done(v, s);
		return AT_NOT_FOUND;
	}
	if (rc != DRV_ROW) {
		done(v, s);
		return code_of(st);
	}
	j->id = d_int64(v, s, 0);
	col_text(v, s, 1, j->batch_id, sizeof(j->batch_id));
	col_text(v, s, 2, j->actor, sizeof(j->actor));
	j->options = strdup(col_ptr(v, s, 3) ? col_ptr(v, s, 3) : "{}");
	col_text(v, s, 4, j->state, sizeof(j->state));
	j->since_seq = d_int64(v, s, 5);
	j->bytes = d_int64(v, s, 6);
	j->rows_total = d_int64(v, s, 7);
	j->rows_done = d_int64(v, s, 8);
	j->heartbeat = d_int64(v, s, 9);
	col_text(v, s, 10, j->owner, sizeof(j->owner));
	done(v, s);
	return j->options ? AT_OK : AT_INTERNAL;
}

enum at_code store_job_update(struct store *st, const struct import_job *j, struct at_errors *e)
{
	struct drv_stmt *s = stmt(st, STMT_JOB_UPDATE);

	if (!s)
		return fail_code(st, e);
	d_bind_int64(st->dv, s, 1, j->id);
	bind_text(st->dv, s, 2, j->state, 0);
	d_bind_int64(st->dv, s, 3, j->since_seq);
	d_bind_int64(st->dv, s, 4, j->bytes);
	d_bind_int64(st->dv, s, 5, j->rows_total);
	d_bind_int64(st->dv, s, 6, j->rows_done);
	d_bind_int64(st->dv, s, 7, j->heartbeat);
	bind_text(st->dv, s, 8, j->ended_at, 1);
	bind_text(st->dv, s, 9, j->note, 1);
	return exec_stmt(st, s, e);
}

enum at_code store_job_claim(struct store *st, int64_t id, int64_t seen, int64_t now,
                             const char *owner, struct at_errors *e)
{
	struct drv_stmt *s = stmt(st, STMT_JOB_CLAIM);
	enum at_code c;

	if (!s)
		return fail_code(st, e);
	d_bind_int64(st->dv, s, 1, id);
	d_bind_int64(st->dv, s, 2, seen);
	d_bind_int64(st->dv, s, 3, now);
	bind_text(st->dv, s, 4, owner, 0);
	c = exec_stmt(st, s, e);
	if (c == AT_OK && st->drv->changes(st->conn) != 1)
		return AT_CONFLICT;
	return c;
}

enum at_code store_job_part_put(struct store *st, int64_t id, int64_t n, const char *data,
                                struct at_errors *e)
{
	struct drv_stmt *s = stmt(st, STMT_JOB_PART_PUT);

	if (!s)
		return fail_code(st, e);
	d_bind_int64(st->dv, s, 1, id);
	d_bind_int64(st->dv, s, 2, n);
	bind_text(st->dv, s, 3, data, 0);
	return exec_stmt(st, s, e);
}

enum at_code store_job_part_get(struct store *st, int64_t id, int64_t n, char **data)
{
	const struct dv v = st->dv;
	struct drv_stmt *s = stmt(st, STMT_JOB_PART_GET);
	int rc;

	*data = NULL;
	if (!s)
		return AT_STORAGE;
	d_bind_int64(v, s, 1, id);
	d_bind_int64(v, s, 2, n);
	rc = d_step(v, s);
	if (rc == DRV_ROW) {
		*data = strdup(col_ptr(v, s, 0) ? col_ptr(v, s, 0) : "");
		done(v, s);
		return *data ? AT_OK : AT_INTERNAL;
	}
	done(v, s);
	return rc == DRV_DONE ? AT_NOT_FOUND : code_of(st);
}

enum at_code store_job_key_put(struct store *st, int64_t id, const char *key, int64_t value,
                               struct at_errors *e)
{
	struct drv_stmt *s = stmt(st, STMT_JOB_KEY_PUT);

	if (!s)
		return fail_code(st, e);
	d_bind_int64(st->dv, s, 1, id);
	bind_text(st->dv, s, 2, key, 0);
	d_bind_int64(st->dv, s, 3, value);
	return exec_stmt(st, s, e);
}

enum at_code store_job_key_has(struct store *st, int64_t id, const char *key)
{
	const struct dv v = st->dv;
	struct drv_stmt *s = stmt(st, STMT_JOB_KEY_HAS);
	int rc;

	if (!s)
		return AT_STORAGE;
	d_bind_int64(v, s, 1, id);
	bind_text(v, s, 2, key, 0);
	rc = d_step(v, s);
	done(v, s);
	return rc == DRV_ROW ? AT_OK : rc == DRV_DONE ? AT_NOT_FOUND : code_of(st);
}

enum at_code store_job_keys(struct store *st, int64_t id, job_key_cb cb, void *ctx)
{
	const struct dv v = st->dv;
	struct drv_stmt *s = stmt(st, STMT_JOB_KEYS);
	enum at_code r = AT_OK;
	int rc;

	if (!s)
		return AT_STORAGE;
	d_bind_int64(v, s, 1, id);
	while ((rc = d_step(v, s)) == DRV_ROW)
		if (cb(ctx, col_ptr(v, s, 0), d_int64(v, s, 1)) != 0) {
			r = AT_INTERNAL;
			break;
		}
	if (r == AT_OK && rc != DRV_DONE)
		r = code_of(st);
	done(v, s);
	return r;
}

enum at_code store_job_clear(struct store *st, int64_t id, struct at_errors *e)
{
	struct drv_stmt *s = stmt(st, STMT_JOB_CLEAR_KEYS);

	if (!s)
		return fail_code(st, e);
	d_bind_int64(st->dv, s, 1, id);
	return exec_stmt(st, s, e);
}

enum at_code store_job_drop_part(struct store *st, int *dropped, struct at_errors *e)
{
	struct drv_stmt *s = stmt(st, STMT_JOB_CLEAR_PARTS);
	enum at_code c;

	*dropped = 0;
	if (!s)
		return fail_code(st, e);
	c = exec_stmt(st, s, e);
	if (c == AT_OK)
		*dropped = st->drv->changes(st->conn) > 0;
	return c;
}

enum at_code store_job_slot_conflicts(struct store *st, int64_t id, int64_t since_seq,
                                      int64_t *n)
{
	const struct dv v = st->dv;
	struct drv_stmt *s = stmt(st, STMT_JOB_SLOT_CONFLICTS);
	int rc;

	if (!s)
		return AT_STORAGE;
	d_bind_int64(v, s, 1, id);
	d_bind_int64(v, s, 2, since_seq);
	rc = d_step(v, s);
	if (rc == DRV_ROW)
		*n = d_int64(v, s, 0);
	done(v, s);
	return rc == DRV_ROW ? AT_OK : code_of(st);
}

enum at_code store_job_progress(struct store *st, int64_t id, int64_t was, int64_t rows_done,
                                int64_t heartbeat, const char *ended_at, struct at_errors *e)
{
	struct drv_stmt *s = stmt(st, ended_at ? STMT_JOB_FINISH : STMT_JOB_PROGRESS);
	enum at_code c;

	if (!s)
		return fail_code(st, e);
	d_bind_int64(st->dv, s, 1, id);
	d_bind_int64(st->dv, s, 2, was);
	d_bind_int64(st->dv, s, 3, rows_done);
	d_bind_int64(st->dv, s, 4, heartbeat);
	if (ended_at)
		bind_text(st->dv, s, 5, ended_at, 0);
	c = exec_stmt(st, s, e);
	if (c == AT_OK && st->drv->changes(st->conn) != 1)
		return at_fail(e, AT_CONFLICT, "the import job was taken over by another process");
	return c;
}

int store_is_sqlite(const struct store *st)
{
	return st->lite.db != NULL;
}

/* FTS5 command `cmd` with `arg` on the search index; *changed (may be
 * NULL) the rows it wrote, FTS5's shadow tables' included. */
static enum at_code search_command(struct store *st, const char *cmd, int64_t arg,
                                   int64_t *changed, struct at_errors *e)
{
	struct drv_stmt *s;
	int64_t before;
	enum at_code c;

	if (!st->lite.db) {
		if (changed)
			*changed = 0;
		return AT_OK;
	}
	s = stmt(st, STMT_SEARCH_COMMAND);
	if (!s)
		return fail_code(st, e);
	before = sqlite3_total_changes64(st->lite.db);
	bind_text(st->dv, s, 1, cmd, 0);
	d_bind_int64(st->dv, s, 2, arg);
	c = exec_stmt(st, s, e);
	if (changed)
		*changed = sqlite3_total_changes64(st->lite.db) - before;
	return c;
}

enum at_code store_search_automerge(struct store *st, int on, struct at_errors *e)
{
	return search_command(st, "automerge", on ? SEARCH_AUTOMERGE : 0, NULL, e);
}

enum at_code store_search_merge(struct store *st, int pages, int *worked, struct at_errors *e)
{
	int64_t changed = 0;
	enum at_code c = search_command(st, "merge", pages, &changed, e);

	/* The command itself counts one change; a merge writes more. */
	*worked = c == AT_OK && changed >= 2;
	return c;
}

enum at_code store_event_head_gate(struct store *st, int64_t *seq, char hash[AT_HASH_HEX + 1],
                                   char at[AT_TIME_LEN + 1], struct job_gate *g)
{
	const struct dv v = st->dv;
	struct drv_stmt *s = stmt(st, STMT_EVENT_HEAD_GATE);
	int rc;

	memset(g, 0, sizeof(*g));
	if (!s)
		return AT_STORAGE;
	rc = d_step(v, s);
	if (rc != DRV_ROW) {
		done(v, s);
		return code_of(st);
	}
	if (d_type(v, s, 0) == DRV_NULL) {
		*seq = 0;
		memset(hash, '0', AT_HASH_HEX);
		hash[AT_HASH_HEX] = '\0';
		at[0] = '\0';
	} else {
		*seq = d_int64(v, s, 0);
		col_text(v, s, 1, hash, AT_HASH_HEX + 1);
		col_text(v, s, 2, at, AT_TIME_LEN + 1);
	}
	if (d_type(v, s, 3) != DRV_NULL) {
		g->job = d_int64(v, s, 3);
		g->applying = strcmp(col_ptr(v, s, 4) ? col_ptr(v, s, 4) : "", "applying") == 0;
		g->rows_done = d_int64(v, s, 5);
		g->rows_total = d_int64(v, s, 6);
	}
	done(v, s);
	return AT_OK;
}
