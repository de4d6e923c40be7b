/*
 * schema_pg.c — the PostgreSQL schema (schema_pg.h): SQLite's schema at
 * version 6 (schema.c, migrations 1 to 6) in PostgreSQL's words, the
 * migration runner and the roles.
 *
 * Table by table, column by column, in SQLite's column order (a state
 * digest reads SELECT * of cases, slots, holders and assets, so both
 * engines must list the same columns in the same order), with SQLite's
 * CHECKs, indexes and triggers; where a trigger refuses, the message is
 * SQLite's word for word.
 */
#include "store/schema_pg.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"

/* ==== version 6: the schema ============================================ */

/* Every refusal of an invariant trigger: SQLSTATE 23T01, the trigger's
 * argument as the message.  For statement-level TRUNCATE triggers too. */
#define PG_REFUSE_FN                                                                       \
	"CREATE FUNCTION at_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "        \
	"  RAISE EXCEPTION USING ERRCODE = '" SCHEMA_PG_REFUSED "', MESSAGE = TG_ARGV[0]; " \
	"END $$;"

/* An append-only table (never deleted from), as SQLite says it. */
#define PG_NO_DELETE(table, msg)                                                     \
	"CREATE TRIGGER " table "_no_delete BEFORE DELETE ON " table                 \
	" FOR EACH ROW EXECUTE FUNCTION at_refuse('" msg "');"                       \
	"CREATE TRIGGER " table "_no_truncate BEFORE TRUNCATE ON " table             \
	" FOR EACH STATEMENT EXECUTE FUNCTION at_refuse('" msg "');"

#define HASH_ZERO "0000000000000000000000000000000000000000000000000000000000000000"

/*
 * SQLite's functions that store.c's statement texts call, so that one text
 * serves both engines (drv.h) instead of an override per dialect.  SQL
 * functions of one expression, IMMUTABLE: the planner inlines them, so an
 * index on json_extract(details, '$.case') serves the same expression in a
 * query, as on SQLite.  Their bodies name only pg_catalog's functions (a
 * restore runs with an empty search_path).
 *
 * instr(x, y): strpos, SQLite's 1-based character position (0: absent;
 * NULL with a NULL).
 *
 * json_extract(j, path) for the paths store.c writes, '$', '$.a', '$.a.b',
 * '$.a[0]': a string as its text, unescaped; true and false as '1' and
 * '0' (SQLite's integers); null or a missing path as NULL; an object or an
 * array as its JSON text without white space outside strings (SQLite's
 * minified text: names, escapes and numbers as written); a number as
 * written.  Where SQLite differs: it gives a number as an integer or a
 * real (1.50 as 1.5), takes the first of duplicate names where this takes
 * the last, and refuses a malformed path where this finds nothing.  What
 * the program writes (jansson's compact objects) meets none of these.
 * Always text: a JSON number compared with a number needs a CAST.
 */
#define PG_JSON_PATH(p) \
	"pg_catalog.string_to_array(pg_catalog.substr(pg_catalog.regexp_replace(" p ", " \
	"'\\[([0-9]+)\\]', '.\\1', 'g'), 3), '.')"
#define PG_JSON_AT "(j #> " PG_JSON_PATH("path") ")"
#define PG_JSON_MINIFIED \
	"pg_catalog.regexp_replace(" PG_JSON_AT "::text, '(\"(?:[^\"\\\\]|\\\\.)*\")|\\s+', " \
	"'\\1', 'g')"
#define PG_COMPAT_FNS                                                                      \
	"CREATE FUNCTION instr(x text, y text) RETURNS integer LANGUAGE sql IMMUTABLE "    \
	"  PARALLEL SAFE AS $$ SELECT pg_catalog.strpos(x, y) $$;"                         \
	"CREATE FUNCTION json_extract(j json, path text) RETURNS text LANGUAGE sql "       \
	"  IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE pg_catalog.json_typeof(" PG_JSON_AT ") " \
	"    WHEN 'null' THEN NULL"                                                        \
	"    WHEN 'boolean' THEN CASE " PG_JSON_AT "::text WHEN 'true' THEN '1' ELSE '0' END" \
	"    WHEN 'object' THEN " PG_JSON_MINIFIED                                         \
	"    WHEN 'array' THEN " PG_JSON_MINIFIED                                          \
	"    ELSE j #>> " PG_JSON_PATH("path") " END $$;"

static const char pg_version_6[] =
	PG_REFUSE_FN
	PG_COMPAT_FNS

	/* ---- the custody record ---- */
	"CREATE TABLE holders("
	"  id bigint PRIMARY KEY,"
	"  name text COLLATE \"C\" NOT NULL CHECK(length(name) BETWEEN 1 AND 200),"
	"  badge text COLLATE \"C\" UNIQUE"
	"    CHECK(badge IS NULL OR length(badge) BETWEEN 1 AND 200),"
	"  email text COLLATE \"C\" CHECK(email IS NULL OR length(email) BETWEEN 1 AND 200),"
	"  active integer NOT NULL DEFAULT 1 CHECK(active IN (0, 1)),"
	"  created_at text COLLATE \"C\" NOT NULL,"
	"  updated_at text COLLATE \"C\" NOT NULL);"

	"CREATE TABLE cases("
	"  id bigint PRIMARY KEY,"
	"  name text COLLATE \"C\" NOT NULL UNIQUE"
	"    CHECK(length(name) BETWEEN 1 AND 64 AND strpos(name, '/') = 0),"
	"  slot_count integer NOT NULL CHECK(slot_count BETWEEN 1 AND 1000),"
	"  building text COLLATE \"C\" CHECK(building IS NULL OR length(building) <= 128),"
	"  room text COLLATE \"C\" CHECK(room IS NULL OR length(room) <= 128),"
	"  notes text COLLATE \"C\" CHECK(notes IS NULL OR length(notes) <= 2000),"
	"  created_at text COLLATE \"C\" NOT NULL,"
	"  updated_at text COLLATE \"C\" NOT NULL);"

	"CREATE TABLE slots("
	"  case_id bigint NOT NULL REFERENCES cases(id),"
	"  position integer NOT NULL CHECK(position >= 1),"
	"  PRIMARY KEY(case_id, position));"

	/* GLOB's byte ranges are a regular expression's under "C". */
	"CREATE TABLE assets("
	"  id bigint PRIMARY KEY,"
	"  tag text COLLATE \"C\" NOT NULL UNIQUE"
	"    CHECK(length(tag) BETWEEN 1 AND 64 AND tag ~ '^[A-Za-z0-9][A-Za-z0-9._-]*$'),"
	"  match_key text COLLATE \"C\" GENERATED ALWAYS AS"
	"    (upper(replace(replace(tag, '-', ''), ' ', ''))) STORED,"
	"  serial text COLLATE \"C\" NOT NULL CHECK(length(trim(serial)) BETWEEN 1 AND 128),"
	"  serial_key text COLLATE \"C\" GENERATED ALWAYS AS (lower(trim(serial))) STORED,"
	"  manufacturer text COLLATE \"C\" NOT NULL"
	"    CHECK(length(manufacturer) BETWEEN 1 AND 128),"
	"  equipment_type text COLLATE \"C\" NOT NULL"
	"    CHECK(length(equipment_type) BETWEEN 1 AND 128),"
	"  model text COLLATE \"C\" CHECK(model IS NULL OR length(model) <= 128),"
	"  model_code text COLLATE \"C\" CHECK(model_code IS NULL OR length(model_code) <= 128),"
	"  building text COLLATE \"C\" NOT NULL CHECK(length(building) BETWEEN 1 AND 128),"
	"  room text COLLATE \"C\" NOT NULL CHECK(length(room) BETWEEN 1 AND 128),"
	"  notes text COLLATE \"C\" CHECK(notes IS NULL OR length(notes) <= 2000),"
	"  state text COLLATE \"C\" NOT NULL"
	"    CHECK(state IN ('STORAGE', 'IN_CUSTODY', 'RETIRED')),"
	"  condition text COLLATE \"C\" NOT NULL DEFAULT 'GOOD'"
	"    CHECK(condition IN ('GOOD', 'DAMAGED', 'FAULTY')),"
	"  holder_id bigint REFERENCES holders(id),"
	"  due text COLLATE \"C\" CHECK(due IS NULL OR due ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),"
	"  custody_since text COLLATE \"C\","
	"  case_id bigint,"
	"  position integer,"
	"  last_case_id bigint,"
	"  last_position integer,"
	"  created_at text COLLATE \"C\" NOT NULL,"
	"  updated_at text COLLATE \"C\" NOT NULL,"
	"  retired_at text COLLATE \"C\","
	/* Migration 4's: a JSON object of 7 to 4,000 bytes. */
	"  attributes json CHECK(attributes IS NULL OR (json_typeof(attributes) = 'object'"
	"    AND octet_length(attributes::text) BETWEEN 7 AND 4000)),"
	"  FOREIGN KEY(case_id, position) REFERENCES slots(case_id, position),"
	"  FOREIGN KEY(last_case_id, last_position) REFERENCES slots(case_id, position),"
	"  CHECK((case_id IS NULL) = (position IS NULL)),"
	"  CHECK((last_case_id IS NULL) = (last_position IS NULL)),"
	"  CHECK(state <> 'STORAGE' OR"
	"    (holder_id IS NULL AND due IS NULL AND custody_since IS NULL)),"
	"  CHECK(state <> 'IN_CUSTODY' OR"
	"    (holder_id IS NOT NULL AND case_id IS NULL AND custody_since IS NOT NULL)),"
	"  CHECK(state <> 'RETIRED' OR (holder_id IS NULL AND case_id IS NULL"
	"    AND due IS NULL AND custody_since IS NULL AND retired_at IS NOT NULL)),"
	"  CHECK(state = 'RETIRED' OR retired_at IS NULL));"
	"CREATE UNIQUE INDEX assets_match_key ON assets(match_key);"
	"CREATE UNIQUE INDEX assets_serial_key ON assets(serial_key);"
	"CREATE UNIQUE INDEX assets_slot ON assets(case_id, position) WHERE case_id IS NOT NULL;"
	"CREATE INDEX assets_custody ON assets(custody_since, due) WHERE holder_id IS NOT NULL;"
	"CREATE INDEX assets_retired ON assets(retired_at) WHERE retired_at IS NOT NULL;"
	"CREATE INDEX assets_holder ON assets(holder_id, custody_since, tag, due)"
	"  WHERE holder_id IS NOT NULL;"
	"CREATE INDEX assets_unslotted ON assets(tag) WHERE state = 'STORAGE' AND case_id IS NULL;"
	"CREATE INDEX holders_email ON holders(lower(email)) WHERE email IS NOT NULL;"
	"CREATE INDEX holders_name ON holders(name, id);"

	/* ---- the event log ---- */
	"CREATE TABLE events("
	"  seq bigint PRIMARY KEY CHECK(seq >= 1),"
	"  at text COLLATE \"C\" NOT NULL,"
	"  type text COLLATE \"C\" NOT NULL CHECK(type IN ('ASSET_CREATED', 'ASSET_UPDATED',"
	"    'ASSET_RETIRED', 'CASE_CREATED', 'CASE_RESIZED', 'CASE_UPDATED',"
	"    'HOLDER_CREATED', 'HOLDER_UPDATED', 'SLOT_ASSIGN', 'SLOT_MOVE',"
	"    'FORCE_VACATE', 'STOCK_OUT', 'STOCK_IN', 'ASSET_REPLACED',"
	"    'AUDIT_RECORDED')),"
	"  asset_tag text COLLATE \"C\","
	"  from_case text COLLATE \"C\","
	"  from_position integer,"
	"  to_case text COLLATE \"C\","
	"  to_position integer,"
	"  holder_id bigint,"
	"  actor text COLLATE \"C\" NOT NULL,"
	"  reason text COLLATE \"C\","
	"  batch_id text COLLATE \"C\" NOT NULL,"
	"  details json NOT NULL,"
	"  prev_hash text COLLATE \"C\" NOT NULL CHECK(length(prev_hash) = 64),"
	"  hash text COLLATE \"C\" NOT NULL CHECK(length(hash) = 64));"
	"CREATE INDEX events_asset ON events(asset_tag, seq, at, type) WHERE asset_tag IS NOT NULL;"
	"CREATE INDEX events_batch ON events(batch_id);"
	"CREATE INDEX events_at ON events(at);"
	/* Migration 5's, word for word: the compatibility json_extract
	 * (above) is inlined into this and into the statements alike. */
	"CREATE INDEX events_audit ON events(json_extract(details, '$.case'), seq)"
	"  WHERE type = 'AUDIT_RECORDED';"
	"CREATE INDEX events_holder ON events(holder_id, seq) WHERE holder_id IS NOT NULL;"
	"CREATE INDEX events_retired ON events(reason, asset_tag) WHERE type = 'ASSET_RETIRED';"

	/* The write lock (schema_pg.h): one row, never changed. */
	"CREATE TABLE event_head(one integer PRIMARY KEY CHECK(one = 1));"
	"INSERT INTO event_head(one) VALUES (1);"
	"CREATE TRIGGER event_head_fixed BEFORE UPDATE OR DELETE ON event_head"
	"  FOR EACH ROW EXECUTE FUNCTION at_refuse('the event log''s head never changes');"
	"CREATE TRIGGER event_head_no_truncate BEFORE TRUNCATE ON event_head"
	"  FOR EACH STATEMENT EXECUTE FUNCTION at_refuse('the event log''s head never changes');"

	/* SQLite's events_gapless and events_chained.  The head's lock first,
	 * so a writer that skipped begin_write still waits its turn, and under
	 * READ COMMITTED the next query then sees what the one before it
	 * committed.  Row triggers of a multi-row INSERT see the rows before
	 * them (the function is VOLATILE), so a bulk insert chains too.
	 * SQLite's two checks as SQLite makes them and in the order it fires
	 * them (the newer trigger first): an event wrong both ways is refused
	 * with the same words on both engines (tests/unit/test_drv.c). */
	"CREATE FUNCTION at_events_chain() RETURNS trigger LANGUAGE plpgsql AS $$"
	"DECLARE last_seq bigint; "
	"BEGIN"
	"  PERFORM 1 FROM event_head WHERE one = 1 FOR UPDATE;"
	"  IF NOT FOUND THEN"
	"    RAISE EXCEPTION USING ERRCODE = '" SCHEMA_PG_REFUSED "',"
	"      MESSAGE = 'the event log''s head row is missing';"
	"  END IF;"
	"  IF NEW.prev_hash IS DISTINCT FROM coalesce((SELECT hash FROM events"
	"      WHERE seq = NEW.seq - 1), '" HASH_ZERO "') THEN"
	"    RAISE EXCEPTION USING ERRCODE = '" SCHEMA_PG_REFUSED "',"
	"      MESSAGE = 'event prev_hash must be the previous event''s hash';"
	"  END IF;"
	"  SELECT seq INTO last_seq FROM events ORDER BY seq DESC LIMIT 1;"
	"  IF NEW.seq IS DISTINCT FROM coalesce(last_seq, 0) + 1 THEN"
	"    RAISE EXCEPTION USING ERRCODE = '" SCHEMA_PG_REFUSED "',"
	"      MESSAGE = 'event seq must follow the last event';"
	"  END IF;"
	"  RETURN NEW;"
	"END $$;"
	"CREATE TRIGGER events_chained BEFORE INSERT ON events"
	"  FOR EACH ROW EXECUTE FUNCTION at_events_chain();"
	"CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
	"  FOR EACH ROW EXECUTE FUNCTION at_refuse('events are append-only: UPDATE refused');"
	"CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
	"  FOR EACH ROW EXECUTE FUNCTION at_refuse('events are append-only: DELETE refused');"
	"CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events"
	"  FOR EACH STATEMENT EXECUTE FUNCTION at_refuse('events are append-only: TRUNCATE refused');"

	/* ---- the custody record's triggers ---- */
	/* Ids by SQLite's rowid rule (schema_pg.h), under the head's lock so
	 * two servers cannot both take the same one.  Static queries per
	 * table: PL/pgSQL keeps their plans. */
	"CREATE FUNCTION at_custody_id() RETURNS trigger LANGUAGE plpgsql AS $$ "
	"BEGIN"
	"  PERFORM 1 FROM event_head WHERE one = 1 FOR UPDATE;"
	"  IF TG_TABLE_NAME = 'assets' THEN"
	"    SELECT coalesce(max(id), 0) + 1 INTO NEW.id FROM assets;"
	"  ELSIF TG_TABLE_NAME = 'cases' THEN"
	"    SELECT coalesce(max(id), 0) + 1 INTO NEW.id FROM cases;"
	"  ELSE"
	"    SELECT coalesce(max(id), 0) + 1 INTO NEW.id FROM holders;"
	"  END IF;"
	"  RETURN NEW;"
	"END $$;"
	"CREATE TRIGGER assets_id BEFORE INSERT ON assets"
	"  FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION at_custody_id();"
	"CREATE TRIGGER cases_id BEFORE INSERT ON cases"
	"  FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION at_custody_id();"
	"CREATE TRIGGER holders_id BEFORE INSERT ON holders"
	"  FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION at_custody_id();"

	/* A trigger's WHEN may not hold a subquery: a function instead.  On
	 * UPDATE too (SQLite checks inserts only; nothing updates a slot). */
	"CREATE FUNCTION at_slots_within_case() RETURNS trigger LANGUAGE plpgsql AS $$ "
	"BEGIN"
	"  IF NEW.position > (SELECT slot_count FROM cases WHERE id = NEW.case_id) THEN"
	"    RAISE EXCEPTION USING ERRCODE = '" SCHEMA_PG_REFUSED "',"
	"      MESSAGE = 'slot position beyond the case size';"
	"  END IF;"
	"  RETURN NEW;"
	"END $$;"
	"CREATE TRIGGER slots_within_case BEFORE INSERT OR UPDATE ON slots"
	"  FOR EACH ROW EXECUTE FUNCTION at_slots_within_case();"
	PG_NO_DELETE("slots", "slots are never deleted")
	"CREATE TRIGGER cases_only_grow BEFORE UPDATE OF slot_count ON cases"
	"  FOR EACH ROW WHEN (NEW.slot_count < OLD.slot_count)"
	"  EXECUTE FUNCTION at_refuse('a case only grows');"
	PG_NO_DELETE("cases", "cases are never deleted")
	PG_NO_DELETE("assets", "assets are never deleted; retire them")
	"CREATE TRIGGER assets_tag_fixed BEFORE UPDATE OF tag ON assets"
	"  FOR EACH ROW WHEN (NEW.tag IS DISTINCT FROM OLD.tag)"
	"  EXECUTE FUNCTION at_refuse('an asset tag never changes');"
	PG_NO_DELETE("holders", "holders are deactivated, never deleted")

	/* Migration 4's attribute triggers: at most 32 names, every value a
	 * string.  Non-objects are the CHECK's to refuse (json_each would
	 * fail on them with another error). */
	"CREATE FUNCTION at_assets_attributes() RETURNS trigger LANGUAGE plpgsql AS $$ "
	"BEGIN"
	"  IF json_typeof(NEW.attributes) = 'object' AND (SELECT count(*) > 32"
	"      OR bool_or(json_typeof(value) <> 'string') FROM json_each(NEW.attributes)) THEN"
	"    RAISE EXCEPTION USING ERRCODE = '" SCHEMA_PG_REFUSED "',"
	"      MESSAGE = 'asset attributes: at most 32 names, each a text';"
	"  END IF;"
	"  RETURN NEW;"
	"END $$;"
	"CREATE TRIGGER assets_attributes_insert BEFORE INSERT ON assets"
	"  FOR EACH ROW WHEN (NEW.attributes IS NOT NULL) EXECUTE FUNCTION at_assets_attributes();"
	"CREATE TRIGGER assets_attributes_update BEFORE UPDATE OF attributes ON assets"
	"  FOR EACH ROW WHEN (NEW.attributes IS NOT NULL) EXECUTE FUNCTION at_assets_attributes();"

	/* ---- accounts ---- */
	"CREATE TABLE users("
	"  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  username text COLLATE \"C\" NOT NULL UNIQUE CHECK(length(username) BETWEEN 1 AND 64),"
	"  role text COLLATE \"C\" NOT NULL CHECK(role IN ('operator', 'admin', 'auditor')),"
	"  pw_hash text COLLATE \"C\" NOT NULL,"
	"  active integer NOT NULL DEFAULT 1 CHECK(active IN (0, 1)),"
	"  created_at text COLLATE \"C\" NOT NULL);"
	"CREATE TABLE api_tokens("
	"  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  user_id bigint NOT NULL REFERENCES users(id),"
	"  token_hash text COLLATE \"C\" NOT NULL UNIQUE CHECK(length(token_hash) = 64),"
	"  label text COLLATE \"C\","
	"  created_at text COLLATE \"C\" NOT NULL,"
	"  revoked_at text COLLATE \"C\");"
	"CREATE INDEX api_tokens_user ON api_tokens(user_id);"
	"CREATE TABLE security_log("
	"  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  at text COLLATE \"C\" NOT NULL,"
	"  actor text COLLATE \"C\" NOT NULL,"
	"  action text COLLATE \"C\" NOT NULL,"
	"  subject text COLLATE \"C\","
	"  details text COLLATE \"C\");"
	"CREATE TRIGGER security_log_no_update BEFORE UPDATE ON security_log"
	"  FOR EACH ROW EXECUTE FUNCTION at_refuse('the security log is append-only');"
	PG_NO_DELETE("security_log", "the security log is append-only")
	"CREATE TABLE sessions("
	"  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  token_hash text COLLATE \"C\" NOT NULL UNIQUE CHECK(length(token_hash) = 64),"
	"  user_id bigint NOT NULL REFERENCES users(id),"
	"  csrf text COLLATE \"C\" NOT NULL,"
	"  created_at text COLLATE \"C\" NOT NULL,"
	"  last_seen text COLLATE \"C\" NOT NULL,"
	"  ended_at text COLLATE \"C\");"
	"CREATE TABLE login_throttle("
	"  key text COLLATE \"C\" PRIMARY KEY,"
	"  failures bigint NOT NULL CHECK(failures >= 0),"
	"  next_ok bigint NOT NULL,"
	"  updated_at text COLLATE \"C\" NOT NULL);"

	/* The functions that read tables find them in this schema only: with
	 * pg_temp last, a temporary table of the same name is never read. */
	"DO $$ DECLARE f text; BEGIN"
	"  FOREACH f IN ARRAY ARRAY['at_events_chain()', 'at_custody_id()',"
	"      'at_slots_within_case()'] LOOP"
	"    EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f,"
	"      current_schema());"
	"  END LOOP;"
	"END $$;"

	/* The runner sets the version after each step. */
	"CREATE TABLE schema_version(one integer PRIMARY KEY DEFAULT 1 CHECK(one = 1),"
	"  version integer NOT NULL);"
	"INSERT INTO schema_version(one, version) VALUES (1, 0);";

/* SQLite's migration 7: events_at goes.  Its search index (FTS5
 * trigrams) has no twin here yet: PostgreSQL's would be pg_trgm, an
 * extension the database's owner must be allowed to create; until then
 * the asset search scans, as SQLite's did before version 7. */
static const char pg_version_7[] = "DROP INDEX events_at;";

/* SQLite's migration 8: the counts of assets by state, kept by a
 * trigger, and the overdue index.  The trigger's function runs as its
 * owner (SECURITY DEFINER, its search_path fixed as the others'), so the
 * app role needs no UPDATE on the counts; those who may read the assets
 * may read the counts (a database upgraded after `init --app-role`). */
static const char pg_version_8[] =
	"CREATE TABLE asset_counts("
	"  state text COLLATE \"C\" PRIMARY KEY"
	"    CHECK(state IN ('STORAGE', 'IN_CUSTODY', 'RETIRED')),"
	"  n bigint NOT NULL CHECK(n >= 0));"
	"INSERT INTO asset_counts(state, n) SELECT s.state, "
	"  (SELECT count(*) FROM assets a WHERE a.state = s.state) "
	"  FROM (VALUES ('STORAGE'), ('IN_CUSTODY'), ('RETIRED')) s(state);"
	"CREATE FUNCTION at_asset_counts() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$ "
	"BEGIN"
	"  IF TG_OP = 'UPDATE' THEN"
	"    UPDATE asset_counts SET n = n + CASE WHEN state = NEW.state THEN 1 ELSE -1 END"
	"      WHERE state IN (OLD.state, NEW.state);"
	"  ELSE"
	"    UPDATE asset_counts SET n = n + 1 WHERE state = NEW.state;"
	"  END IF;"
	"  RETURN NULL;"
	"END $$;"
	"CREATE TRIGGER asset_counts_insert AFTER INSERT ON assets"
	"  FOR EACH ROW EXECUTE FUNCTION at_asset_counts();"
	"CREATE TRIGGER asset_counts_update AFTER UPDATE OF state ON assets"
	"  FOR EACH ROW WHEN (NEW.state IS DISTINCT FROM OLD.state)"
	"  EXECUTE FUNCTION at_asset_counts();"
	PG_NO_DELETE("asset_counts", "the asset counts are kept, never deleted")
	"CREATE INDEX assets_overdue ON assets(due) WHERE holder_id IS NOT NULL AND due IS NOT NULL;"
	"DO $$ DECLARE r record; BEGIN"
	"  EXECUTE format('ALTER FUNCTION at_asset_counts() SET search_path = %I, pg_temp',"
	"    current_schema());"
	"  FOR r IN SELECT DISTINCT grantee FROM information_schema.role_table_grants"
	"      WHERE table_schema = current_schema() AND table_name = 'assets'"
	"      AND privilege_type = 'SELECT' AND grantee <> current_user LOOP"
	"    EXECUTE 'GRANT SELECT ON asset_counts TO ' || CASE WHEN r.grantee = 'PUBLIC'"
	"      THEN 'PUBLIC' ELSE quote_ident(r.grantee) END;"
	"  END LOOP;"
	"END $$;";

/* Version 9, first: the chain trigger at half its cost.  It ran two
 * queries and took the head's lock for every row, about 24 us of a
 * 500-event insert's 30 us a row.  The head's lock is now taken once per
 * INSERT statement, by a BEFORE ... FOR EACH STATEMENT trigger, which
 * fires before any row's check (a writer that skipped begin_write still
 * waits its turn before anything is checked).  The row check reads the
 * last event once: when the new row follows it, that one row answers
 * both checks; otherwise the two checks run as before, in SQLite's order
 * and words (tests/unit/test_drv.c).  A 500-row INSERT in psql: 15-27 ms
 * before, 10-14 ms after, 4-8 ms with no chain trigger at all.
 *
 * Then: the asset counts kept once per statement, not once per row.
 * A row trigger's UPDATE of asset_counts cost about 40 us an asset (a
 * 500-asset Stock-Out's one UPDATE of the assets: 42 ms with it, 20 ms
 * with this), and a batch's asset writes are one statement here since
 * store_assets_save_custody.  A statement trigger sees the rows it
 * changed as transition tables (OLD TABLE, NEW TABLE): it adds one per
 * new row's state and takes one per old row's.  PostgreSQL allows no
 * column list with transition tables, so it fires on every UPDATE of the
 * assets; one whose states did not change adds nothing (delta 0).  SQLite
 * has row triggers only: its migration 9 changes nothing. */
static const char pg_version_9[] =
	"CREATE FUNCTION at_events_head_lock() RETURNS trigger LANGUAGE plpgsql AS $$"
	"BEGIN"
	"  PERFORM 1 FROM event_head WHERE one = 1 FOR UPDATE;"
	"  IF NOT FOUND THEN"
	"    RAISE EXCEPTION USING ERRCODE = '" SCHEMA_PG_REFUSED "',"
	"      MESSAGE = 'the event log''s head row is missing';"
	"  END IF;"
	"  RETURN NULL;"
	"END $$;"
	"CREATE TRIGGER events_head_lock BEFORE INSERT ON events"
	"  FOR EACH STATEMENT EXECUTE FUNCTION at_events_head_lock();"
	"CREATE OR REPLACE FUNCTION at_events_chain() RETURNS trigger LANGUAGE plpgsql AS $$"
	"DECLARE last_seq bigint; last_hash text; "
	"BEGIN"
	"  SELECT seq, hash INTO last_seq, last_hash FROM events ORDER BY seq DESC LIMIT 1;"
	"  IF NEW.seq = coalesce(last_seq, 0) + 1 THEN"
	"    IF NEW.prev_hash IS DISTINCT FROM coalesce(last_hash, '" HASH_ZERO "') THEN"
	"      RAISE EXCEPTION USING ERRCODE = '" SCHEMA_PG_REFUSED "',"
	"        MESSAGE = 'event prev_hash must be the previous event''s hash';"
	"    END IF;"
	"    RETURN NEW;"
	"  END IF;"
	"  IF NEW.prev_hash IS DISTINCT FROM coalesce((SELECT hash FROM events"
	"      WHERE seq = NEW.seq - 1), '" HASH_ZERO "') THEN"
	"    RAISE EXCEPTION USING ERRCODE = '" SCHEMA_PG_REFUSED "',"
	"      MESSAGE = 'event prev_hash must be the previous event''s hash';"
	"  END IF;"
	"  RAISE EXCEPTION USING ERRCODE = '" SCHEMA_PG_REFUSED "',"
	"    MESSAGE = 'event seq must follow the last event';"
	"END $$;"
	"DROP TRIGGER asset_counts_insert ON assets;"
	"DROP TRIGGER asset_counts_update ON assets;"
	"DROP FUNCTION at_asset_counts();"
	"CREATE FUNCTION at_asset_counts() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$ "
	"BEGIN"
	"  IF TG_OP = 'UPDATE' THEN"
	"    UPDATE asset_counts c SET n = c.n + d.delta FROM ("
	"      SELECT x.state, sum(x.delta) AS delta FROM ("
	"        SELECT state, 1 AS delta FROM new_rows"
	"        UNION ALL SELECT state, -1 FROM old_rows) x GROUP BY x.state) d"
	"      WHERE c.state = d.state AND d.delta <> 0;"
	"  ELSE"
	"    UPDATE asset_counts c SET n = c.n + d.delta FROM ("
	"      SELECT state, count(*) AS delta FROM new_rows GROUP BY state) d"
	"      WHERE c.state = d.state;"
	"  END IF;"
	"  RETURN NULL;"
	"END $$;"
	"CREATE TRIGGER asset_counts_insert AFTER INSERT ON assets"
	"  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION at_asset_counts();"
	"CREATE TRIGGER asset_counts_update AFTER UPDATE ON assets"
	"  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
	"  FOR EACH STATEMENT EXECUTE FUNCTION at_asset_counts();"
	/* CREATE OR REPLACE dropped at_events_chain's setting too. */
	"DO $$ DECLARE f text; BEGIN"
	"  FOREACH f IN ARRAY ARRAY['at_asset_counts()', 'at_events_chain()',"
	"      'at_events_head_lock()'] LOOP"
	"    EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f,"
	"      current_schema());"
	"  END LOOP;"
	"END $$;";

/* Version 10: an import applied in slices (schema.c's migration 10 has
 * the why).  The job's id is an identity column, as the accounts' are:
 * its gaps mean nothing.  The app role gets what it needs on the three
 * tables here too, for a database migrated by its owner after the grants
 * were made (schema_pg_grant_app makes the same grants). */
static const char pg_version_10[] =
	"CREATE TABLE import_jobs("
	"  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  batch_id text COLLATE \"C\" NOT NULL UNIQUE CHECK(length(batch_id) = 36),"
	"  actor text COLLATE \"C\" NOT NULL,"
	"  options text COLLATE \"C\" NOT NULL,"
	"  state text COLLATE \"C\" NOT NULL CHECK(state IN ('checking', 'applying', 'done',"
	"    'cancelled', 'failed')),"
	"  open bigint UNIQUE CHECK(open = 1),"
	"  since_seq bigint NOT NULL CHECK(since_seq >= 0),"
	"  bytes bigint NOT NULL DEFAULT 0 CHECK(bytes >= 0),"
	"  rows_total bigint NOT NULL DEFAULT 0 CHECK(rows_total >= 0),"
	"  rows_done bigint NOT NULL DEFAULT 0 CHECK(rows_done >= 0),"
	"  heartbeat bigint NOT NULL,"
	"  owner text COLLATE \"C\" NOT NULL,"
	"  created_at text COLLATE \"C\" NOT NULL,"
	"  ended_at text COLLATE \"C\","
	"  note text COLLATE \"C\","
	"  CHECK((open IS NOT NULL) = (state IN ('checking', 'applying'))));"
	"CREATE TABLE import_job_parts("
	"  job_id bigint NOT NULL REFERENCES import_jobs(id),"
	"  n bigint NOT NULL CHECK(n >= 0),"
	"  data text COLLATE \"C\" NOT NULL,"
	"  PRIMARY KEY(job_id, n));"
	"CREATE TABLE import_job_keys("
	"  job_id bigint NOT NULL REFERENCES import_jobs(id),"
	"  key text COLLATE \"C\" NOT NULL,"
	"  value bigint NOT NULL,"
	"  PRIMARY KEY(job_id, key));"
	"DO $$ DECLARE r record; BEGIN"
	"  FOR r IN SELECT DISTINCT grantee FROM information_schema.role_table_grants"
	"      WHERE table_schema = current_schema() AND table_name = 'events'"
	"      AND privilege_type = 'INSERT' AND grantee <> current_user LOOP"
	"    EXECUTE 'GRANT SELECT, INSERT, UPDATE ON import_jobs TO ' || quote_ident(r.grantee);"
	"    EXECUTE 'GRANT SELECT, INSERT, DELETE ON import_job_parts, import_job_keys TO '"
	"      || quote_ident(r.grantee);"
	"    EXECUTE 'GRANT UPDATE ON import_job_keys TO ' || quote_ident(r.grantee);"
	"    EXECUTE 'GRANT USAGE ON ALL SEQUENCES IN SCHEMA ' || quote_ident(current_schema())"
	"      || ' TO ' || quote_ident(r.grantee);"
	"  END LOOP;"
	"END $$;";

const struct schema_pg_step schema_pg_steps[] = {
	{ 0, 6, pg_version_6 },
	{ 6, 7, pg_version_7 },
	{ 7, 8, pg_version_8 },
	{ 8, 9, pg_version_9 },
	{ 9, 10, pg_version_10 },
};

const int schema_pg_nsteps = (int)(sizeof(schema_pg_steps) / sizeof(schema_pg_steps[0]));

/* ==== the runner ======================================================= */

/* Two processes migrating one database take turns on this advisory lock
 * (any constant; "AsTr"). */
#define MIGRATE_LOCK "1098081394"

static enum at_code db_fail(struct drv_conn *c, struct at_errors *e, const char *what)
{
	return at_fail(e, drv_pg.errcode(c) == AT_OK ? AT_STORAGE : drv_pg.errcode(c), "%s: %s",
	               what, drv_pg.errmsg(c));
}

/* Run `sql` with up to two text parameters; `*out` (may be NULL) gets the
 * first column of its first row, `*found` whether there was one. */
static enum at_code run(struct drv_conn *c, const char *sql, const char *p1, const char *p2,
                        int64_t *out, int *found)
{
	struct drv_stmt *s = NULL;
	enum drv_step r;
	enum at_code code = drv_pg.prepare(c, sql, &s);

	if (code != AT_OK)
		return code;
	drv_pg.bind_text(s, 1, p1);
	drv_pg.bind_text(s, 2, p2);
	if (found)
		*found = 0;
	while ((r = drv_pg.step(s)) == DRV_ROW) {
		if (found && !*found) {
			*found = 1;
			if (out)
				*out = drv_pg.column_int64(s, 0);
		}
	}
	drv_pg.finalize(s);
	return r == DRV_DONE ? AT_OK : drv_pg.errcode(c);
}

enum at_code schema_pg_version(struct drv_conn *c, int *version, struct at_errors *e)
{
	int64_t v = 0;
	int found = 0;

	*version = -1;
	if (run(c, "SELECT to_regclass('schema_version') IS NOT NULL", NULL, NULL, &v, &found) !=
	    AT_OK)
		return db_fail(c, e, "cannot read the schema version");
	if (!v) {
		*version = 0;
		return AT_OK;
	}
	if (run(c, "SELECT version FROM schema_version WHERE one = 1", NULL, NULL, &v, &found) !=
	    AT_OK)
		return db_fail(c, e, "cannot read the schema version");
	if (!found || v < 0 || v > INT32_MAX)
		return at_fail(e, AT_STORAGE, "the schema_version table holds no version");
	*version = (int)v;
	return AT_OK;
}

enum at_code schema_pg_migrate(struct drv_conn *c, int *from, struct at_errors *e)
{
	char to[16];
	int v = -1;
	enum at_code r;

	if (from)
		*from = -1;
	if (drv_pg.exec(c, "BEGIN ISOLATION LEVEL READ COMMITTED; "
	                   "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK ")") != AT_OK) {
		r = db_fail(c, e, "cannot start the schema migration");
		goto out;
	}
	/* Read under the lock: another process may have migrated meanwhile. */
	r = schema_pg_version(c, &v, e);
	if (r != AT_OK)
		goto out;
	if (from)
		*from = v;
	if (v > AT_SCHEMA_VERSION) {
		r = at_fail(e, AT_STORAGE,
		            "database schema version %d is newer than this program (%d); "
		            "upgrade assettrack",
		            v, AT_SCHEMA_VERSION);
		goto out;
	}
	for (int i = 0; i < schema_pg_nsteps && v < AT_SCHEMA_VERSION; i++) {
		const struct schema_pg_step *step = &schema_pg_steps[i];

		if (step->from != v)
			continue;
		snprintf(to, sizeof(to), "%d", step->to);
		if (drv_pg.exec(c, step->sql) != AT_OK ||
		    run(c, "UPDATE schema_version SET version = ?1::integer WHERE one = 1", to, NULL,
		        NULL, NULL) != AT_OK) {
			r = at_fail(e, AT_STORAGE, "schema migration to version %d failed: %s",
			            step->to, drv_pg.errmsg(c));
			goto out;
		}
		v = step->to;
	}
	if (v != AT_SCHEMA_VERSION) {
		r = at_fail(e, AT_INTERNAL, "no PostgreSQL migration from schema version %d", v);
		goto out;
	}
	if (drv_pg.commit(c) != AT_OK)
		r = db_fail(c, e, "cannot commit the schema migration");
out:
	if (r != AT_OK)
		drv_pg.rollback(c);
	return r;
}

/* ==== roles ============================================================ */

/* Role names reach the SQL below as bound parameters, through settings
 * of this session, and become identifiers only in format('%I'): no SQL
 * is built from them here. */
static const char set_roles[] = "SELECT set_config('assettrack.owner_role', ?1, false), "
                                "set_config('assettrack.app_role', ?2, false)";

static const char create_roles[] =
	"DO $$ DECLARE"
	"  owner text := current_setting('assettrack.owner_role');"
	"  app text := current_setting('assettrack.app_role');"
	"BEGIN"
	"  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = owner) THEN"
	"    EXECUTE format('CREATE ROLE %I NOLOGIN', owner);"
	"  END IF;"
	"  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = app) THEN"
	"    EXECUTE format('CREATE ROLE %I LOGIN', app);"
	"  END IF;"
	"END $$";

/* Read everything; insert where the program inserts; update only what
 * changes (the custody record, accounts, sessions, throttles, and the
 * head, whose SELECT ... FOR UPDATE needs UPDATE); delete nothing but an
 * import job's working rows.  The revocations undo a DBA's GRANT ALL when
 * run again. */
static const char grant_app[] =
	"DO $$ DECLARE"
	"  app text := current_setting('assettrack.app_role');"
	"  s text := current_schema();"
	"BEGIN"
	"  EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, app);"
	"  EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO %I', s, app);"
	"  EXECUTE format('GRANT INSERT ON holders, cases, slots, assets, events, users,"
	"    api_tokens, security_log, sessions, login_throttle TO %I', app);"
	"  EXECUTE format('GRANT UPDATE ON holders, cases, assets, users, api_tokens, sessions,"
	"    login_throttle, event_head TO %I', app);"
	"  EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO %I', s, app);"
	"  EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON events, security_log,"
	"    schema_version FROM %I', app);"
	"  EXECUTE format('REVOKE DELETE, TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES"
	"    IN SCHEMA %I FROM %I', s, app);"
	/* An import job's working rows end with it (schema.c, version 10). */
	"  EXECUTE format('GRANT INSERT, UPDATE ON import_jobs, import_job_keys TO %I', app);"
	"  EXECUTE format('GRANT INSERT, DELETE ON import_job_parts, import_job_keys TO %I',"
	"    app);"
	"END $$";

/* PostgreSQL's identifiers are at most 63 bytes. */
static int role_name_ok(const char *name)
{
	return name && *name && strlen(name) <= 63;
}

enum at_code schema_pg_create_roles(struct drv_conn *c, const char *owner, const char *app,
                                    struct at_errors *e)
{
	if (!role_name_ok(owner) || !role_name_ok(app))
		return at_fail(e, AT_INVALID, "role names are 1 to 63 bytes");
	if (run(c, set_roles, owner, app, NULL, NULL) != AT_OK || drv_pg.exec(c, create_roles) != AT_OK)
		return db_fail(c, e, "cannot create the roles");
	return AT_OK;
}

enum at_code schema_pg_grant_app(struct drv_conn *c, const char *app, struct at_errors *e)
{
	if (!role_name_ok(app))
		return at_fail(e, AT_INVALID, "role names are 1 to 63 bytes");
	if (run(c, set_roles, "", app, NULL, NULL) != AT_OK || drv_pg.exec(c, grant_app) != AT_OK)
		return db_fail(c, e, "cannot grant the app role its privileges");
	return AT_OK;
}
