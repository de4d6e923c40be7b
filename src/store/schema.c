/*
 * schema.c — the database schema and its forward migrations.
 *
 * migrations[i] upgrades user_version i to i+1 and runs inside the same
 * transaction that bumps user_version, so an interrupted upgrade leaves the
 * file at the old version.  Never edit a shipped migration: add one.
 *
 * The schema holds every invariant SQL can hold (SPEC §3):
 *   1  tag UNIQUE; match_key (generated) UNIQUE
 *   2  serial_key (lower(trim(serial)), generated) UNIQUE
 *   3  one column pair (case_id, position) per asset, partial UNIQUE index
 *   4  CHECKs tying state to holder/slot/due
 *   6  triggers refusing UPDATE/DELETE on events, a gapless seq and a
 *      prev_hash that links to the previous row
 * plus: slots only within their case's size, cases only grow, nothing of
 * the custody record (assets, cases, slots, holders) is ever deleted.
 */
#include "store/schema.h"

static const char *const migration_1 =
	"CREATE TABLE holders("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL CHECK(length(name) BETWEEN 1 AND 200),"
	"  badge TEXT UNIQUE CHECK(badge IS NULL OR length(badge) BETWEEN 1 AND 200),"
	"  email TEXT CHECK(email IS NULL OR length(email) BETWEEN 1 AND 200),"
	"  active INTEGER NOT NULL DEFAULT 1 CHECK(active IN (0, 1)),"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL);"

	"CREATE TABLE cases("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE"
	"    CHECK(length(name) BETWEEN 1 AND 64 AND instr(name, '/') = 0),"
	"  slot_count INTEGER NOT NULL CHECK(slot_count BETWEEN 1 AND 1000),"
	"  building TEXT CHECK(building IS NULL OR length(building) <= 128),"
	"  room TEXT CHECK(room IS NULL OR length(room) <= 128),"
	"  notes TEXT CHECK(notes IS NULL OR length(notes) <= 2000),"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL);"

	"CREATE TABLE slots("
	"  case_id INTEGER NOT NULL REFERENCES cases(id),"
	"  position INTEGER NOT NULL CHECK(position >= 1),"
	"  PRIMARY KEY(case_id, position)) WITHOUT ROWID;"

	"CREATE TABLE assets("
	"  id INTEGER PRIMARY KEY,"
	"  tag TEXT NOT NULL UNIQUE CHECK(length(tag) BETWEEN 1 AND 64"
	"    AND tag GLOB '[A-Za-z0-9]*' AND NOT tag GLOB '*[^A-Za-z0-9._-]*'),"
	"  match_key TEXT GENERATED ALWAYS AS"
	"    (upper(replace(replace(tag, '-', ''), ' ', ''))) VIRTUAL,"
	"  serial TEXT NOT NULL CHECK(length(trim(serial)) BETWEEN 1 AND 128),"
	"  serial_key TEXT GENERATED ALWAYS AS (lower(trim(serial))) VIRTUAL,"
	"  manufacturer TEXT NOT NULL CHECK(length(manufacturer) BETWEEN 1 AND 128),"
	"  equipment_type TEXT NOT NULL CHECK(length(equipment_type) BETWEEN 1 AND 128),"
	"  model TEXT CHECK(model IS NULL OR length(model) <= 128),"
	"  model_code TEXT CHECK(model_code IS NULL OR length(model_code) <= 128),"
	"  building TEXT NOT NULL CHECK(length(building) BETWEEN 1 AND 128),"
	"  room TEXT NOT NULL CHECK(length(room) BETWEEN 1 AND 128),"
	"  notes TEXT CHECK(notes IS NULL OR length(notes) <= 2000),"
	"  state TEXT NOT NULL CHECK(state IN ('STORAGE', 'IN_CUSTODY', 'RETIRED')),"
	"  condition TEXT NOT NULL DEFAULT 'GOOD'"
	"    CHECK(condition IN ('GOOD', 'DAMAGED', 'FAULTY')),"
	"  holder_id INTEGER REFERENCES holders(id),"
	"  due TEXT CHECK(due IS NULL OR due GLOB"
	"    '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),"
	"  custody_since TEXT,"
	"  case_id INTEGER,"
	"  position INTEGER,"
	"  last_case_id INTEGER,"
	"  last_position INTEGER,"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL,"
	"  retired_at TEXT,"
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
	"CREATE UNIQUE INDEX assets_slot ON assets(case_id, position)"
	"  WHERE case_id IS NOT NULL;"
	"CREATE INDEX assets_holder ON assets(holder_id) WHERE holder_id IS NOT NULL;"

	"CREATE TABLE events("
	"  seq INTEGER PRIMARY KEY CHECK(seq >= 1),"
	"  at TEXT NOT NULL,"
	"  type TEXT NOT NULL CHECK(type IN ('ASSET_CREATED', 'ASSET_UPDATED',"
	"    'ASSET_RETIRED', 'CASE_CREATED', 'CASE_RESIZED', 'CASE_UPDATED',"
	"    'HOLDER_CREATED', 'HOLDER_UPDATED', 'SLOT_ASSIGN', 'SLOT_MOVE',"
	"    'FORCE_VACATE', 'STOCK_OUT', 'STOCK_IN', 'ASSET_REPLACED',"
	"    'AUDIT_RECORDED')),"
	"  asset_tag TEXT,"
	"  from_case TEXT,"
	"  from_position INTEGER,"
	"  to_case TEXT,"
	"  to_position INTEGER,"
	"  holder_id INTEGER,"
	"  actor TEXT NOT NULL,"
	"  reason TEXT,"
	"  batch_id TEXT NOT NULL,"
	"  details TEXT NOT NULL CHECK(json_valid(details)),"
	"  prev_hash TEXT NOT NULL CHECK(length(prev_hash) = 64),"
	"  hash TEXT NOT NULL CHECK(length(hash) = 64));"
	"CREATE INDEX events_asset ON events(asset_tag, seq) WHERE asset_tag IS NOT NULL;"
	"CREATE INDEX events_batch ON events(batch_id);"
	"CREATE INDEX events_at ON events(at);"

	"CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
	"  BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE refused'); END;"
	"CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
	"  BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE refused'); END;"
	"CREATE TRIGGER events_gapless BEFORE INSERT ON events"
	"  WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM events)"
	"  BEGIN SELECT RAISE(ABORT, 'event seq must follow the last event'); END;"
	"CREATE TRIGGER events_chained BEFORE INSERT ON events"
	"  WHEN NEW.prev_hash IS NOT coalesce((SELECT hash FROM events WHERE seq = NEW.seq - 1),"
	"    '0000000000000000000000000000000000000000000000000000000000000000')"
	"  BEGIN SELECT RAISE(ABORT, 'event prev_hash must be the previous event''s hash'); END;"

	"CREATE TRIGGER slots_within_case BEFORE INSERT ON slots"
	"  WHEN NEW.position > (SELECT slot_count FROM cases WHERE id = NEW.case_id)"
	"  BEGIN SELECT RAISE(ABORT, 'slot position beyond the case size'); END;"
	"CREATE TRIGGER slots_no_delete BEFORE DELETE ON slots"
	"  BEGIN SELECT RAISE(ABORT, 'slots are never deleted'); END;"
	"CREATE TRIGGER cases_only_grow BEFORE UPDATE OF slot_count ON cases"
	"  WHEN NEW.slot_count < OLD.slot_count"
	"  BEGIN SELECT RAISE(ABORT, 'a case only grows'); END;"
	"CREATE TRIGGER cases_no_delete BEFORE DELETE ON cases"
	"  BEGIN SELECT RAISE(ABORT, 'cases are never deleted'); END;"
	"CREATE TRIGGER assets_no_delete BEFORE DELETE ON assets"
	"  BEGIN SELECT RAISE(ABORT, 'assets are never deleted; retire them'); END;"
	"CREATE TRIGGER assets_tag_fixed BEFORE UPDATE OF tag ON assets"
	"  WHEN NEW.tag IS NOT OLD.tag"
	"  BEGIN SELECT RAISE(ABORT, 'an asset tag never changes'); END;"
	"CREATE TRIGGER holders_no_delete BEFORE DELETE ON holders"
	"  BEGIN SELECT RAISE(ABORT, 'holders are deactivated, never deleted'); END;"

	"CREATE TABLE users("
	"  id INTEGER PRIMARY KEY,"
	"  username TEXT NOT NULL UNIQUE CHECK(length(username) BETWEEN 1 AND 64),"
	"  role TEXT NOT NULL CHECK(role IN ('operator', 'admin', 'auditor')),"
	"  pw_hash TEXT NOT NULL,"
	"  active INTEGER NOT NULL DEFAULT 1 CHECK(active IN (0, 1)),"
	"  created_at TEXT NOT NULL);"
	"CREATE TABLE api_tokens("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  token_hash TEXT NOT NULL UNIQUE CHECK(length(token_hash) = 64),"
	"  label TEXT,"
	"  created_at TEXT NOT NULL,"
	"  revoked_at TEXT);"
	"CREATE TABLE security_log("
	"  id INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  subject TEXT,"
	"  details TEXT);"
	"CREATE TRIGGER security_log_no_update BEFORE UPDATE ON security_log"
	"  BEGIN SELECT RAISE(ABORT, 'the security log is append-only'); END;"
	"CREATE TRIGGER security_log_no_delete BEFORE DELETE ON security_log"
	"  BEGIN SELECT RAISE(ABORT, 'the security log is append-only'); END;";

/* 2: browser sessions for the web UI (cookie holds the secret; the table
 * only its SHA-256), with a per-session CSRF token. */
static const char *const migration_2 =
	"CREATE TABLE sessions("
	"  id INTEGER PRIMARY KEY,"
	"  token_hash TEXT NOT NULL UNIQUE CHECK(length(token_hash) = 64),"
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  csrf TEXT NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  last_seen TEXT NOT NULL,"
	"  ended_at TEXT);"
	"CREATE INDEX api_tokens_user ON api_tokens(user_id);";

/* 3: reads for the web UI without table scans.
 *  - The dashboard: assets in custody by custody start (with due, so
 *    counting overdue ones is a covering scan), and retired assets.  Both
 *    partial, so Stock-Out and Stock-In touch one more index page per
 *    asset and nothing else does.
 *  - Custody as of an instant, a page at a time: an asset's events index
 *    also carries each event's time and type, so the latest custody event
 *    of each asset up to an instant is read from the index alone (the
 *    same entries, wider; no new index to write). */
static const char *const migration_3 =
	"CREATE INDEX assets_custody ON assets(custody_since, due) WHERE holder_id IS NOT NULL;"
	"CREATE INDEX assets_retired ON assets(retired_at) WHERE retired_at IS NOT NULL;"
	"DROP INDEX events_asset;"
	"CREATE INDEX events_asset ON events(asset_tag, seq, at, type) WHERE asset_tag IS NOT NULL;"
	/* Failed logins, kept across restarts: per (user, client address) and
	 * per address ("user:NAME@ADDR", "addr:ADDR"). */
	"CREATE TABLE login_throttle("
	"  key TEXT PRIMARY KEY,"
	"  failures INTEGER NOT NULL CHECK(failures >= 0),"
	"  next_ok INTEGER NOT NULL,"
	"  updated_at TEXT NOT NULL);";

/* 4: asset attributes (core/attr.h), and holders by e-mail for the
 * import's holder matching.
 *  - One JSON object text per asset, NULL when it has none: the whole set
 *    is read with the row (no join, no allocation) and written with the
 *    metadata.  The CHECK holds its shape and total size (4,000 bytes);
 *    the triggers what a CHECK cannot (it may not read json_each): at
 *    most 32 names, every value a text.  The caps of one name (64 bytes)
 *    and one value (500) are core's, and verify's BAD_ATTRIBUTES check:
 *    testing them here too cost a sixth of an import's inserts.
 *  - lower(email): the import matches a file's e-mail addresses to
 *    holders without a scan per row. */
static const char *const migration_4 =
	"ALTER TABLE assets ADD COLUMN attributes TEXT CHECK(attributes IS NULL OR"
	"  (json_valid(attributes) AND json_type(attributes) = 'object'"
	"   AND length(CAST(attributes AS BLOB)) BETWEEN 7 AND 4000));"
	"CREATE TRIGGER assets_attributes_insert BEFORE INSERT ON assets"
	"  WHEN NEW.attributes IS NOT NULL AND (SELECT count(*) > 32 OR max(type <> 'text')"
	"    FROM json_each(NEW.attributes))"
	"  BEGIN SELECT RAISE(ABORT, 'asset attributes: at most 32 names, each a text'); END;"
	"CREATE TRIGGER assets_attributes_update BEFORE UPDATE OF attributes ON assets"
	"  WHEN NEW.attributes IS NOT NULL AND (SELECT count(*) > 32 OR max(type <> 'text')"
	"    FROM json_each(NEW.attributes))"
	"  BEGIN SELECT RAISE(ABORT, 'asset attributes: at most 32 names, each a text'); END;"
	"CREATE INDEX holders_email ON holders(lower(email)) WHERE email IS NOT NULL;";

/* Version 5: the physical audits of a case, found without reading the
 * whole log (core/audit.c: a case's last audit, cases not audited in N
 * days; about 0.1 s each at a million events without it, 2 ms with). */
static const char *const migration_5 =
	"CREATE INDEX events_audit ON events(json_extract(details, '$.case'), seq)"
	"  WHERE type = 'AUDIT_RECORDED';";

/* Version 6: the reports (core/report.c), each a page at a time from an
 * index at 100,000 assets and a million events (each query below was a
 * scan of the table or the log before, 50 ms to 0.4 s).
 *  - Custody by holder: holders by name, and each holder's assets by
 *    custody start, with the due date beside them so the overdue section
 *    is picked from the index.  The same entries as the old assets_holder
 *    (a holder's assets by tag still come from it), wider.
 *  - A holder's history: the custody events naming them (about four in
 *    five events carry a holder).
 *  - Unslotted storage assets, and retired ones by reason: partial, so
 *    only the few rows they list are in them. */
static const char *const migration_6 =
	"CREATE INDEX holders_name ON holders(name, id);"
	"DROP INDEX assets_holder;"
	"CREATE INDEX assets_holder ON assets(holder_id, custody_since, tag, due)"
	"  WHERE holder_id IS NOT NULL;"
	"CREATE INDEX events_holder ON events(holder_id, seq) WHERE holder_id IS NOT NULL;"
	"CREATE INDEX assets_unslotted ON assets(tag) WHERE state = 'STORAGE' AND case_id IS NULL;"
	"CREATE INDEX events_retired ON events(reason, asset_tag) WHERE type = 'ASSET_RETIRED';";

/* Version 7: search by substring at a million assets (issue #9), and one
 * index fewer to write per event.
 *  - assets_search: the SPEC's searched fields (tag, serial,
 *    manufacturer, model, notes) and the attribute values, as trigrams
 *    (FTS5's trigram tokenizer, case folded).  Contentless (the text is
 *    the assets'), without positions (detail=none: a fifth of the size;
 *    a query is the AND of its trigrams, a superset that the LIKE of
 *    store.c then makes exact).  Kept by the triggers below, in the
 *    operation's own transaction; Stock-Out and Stock-In change none of
 *    these columns and do not fire them.  A contentless index forgets a
 *    row only when told the exact text it was given: the update trigger
 *    passes the old row's.
 *  - events_at: no statement reads it (count(*) of the log takes any
 *    index), and every event wrote it. */
#define SEARCH_VALUES(r)                                                      \
	r ".id, " r ".tag, " r ".serial, " r ".manufacturer, " r ".model, " r ".notes, " \
	"(SELECT group_concat(value, char(10)) FROM json_each(" r ".attributes))"
static const char *const migration_7 =
	"DROP INDEX events_at;"
	"CREATE VIRTUAL TABLE assets_search USING fts5(tag, serial, manufacturer, model, "
	"  notes, attrs, content='', tokenize='trigram', detail='none', columnsize=0);"
	"INSERT INTO assets_search(rowid, tag, serial, manufacturer, model, notes, attrs)"
	"  SELECT " SEARCH_VALUES("a") " FROM assets a;"
	"CREATE TRIGGER assets_search_insert AFTER INSERT ON assets BEGIN"
	"  INSERT INTO assets_search(rowid, tag, serial, manufacturer, model, notes, attrs)"
	"  VALUES (" SEARCH_VALUES("NEW") "); END;"
	"CREATE TRIGGER assets_search_update AFTER UPDATE OF serial, manufacturer, model, notes,"
	"  attributes ON assets BEGIN"
	"  INSERT INTO assets_search(assets_search, rowid, tag, serial, manufacturer, model,"
	"    notes, attrs) VALUES ('delete', " SEARCH_VALUES("OLD") ");"
	"  INSERT INTO assets_search(rowid, tag, serial, manufacturer, model, notes, attrs)"
	"  VALUES (" SEARCH_VALUES("NEW") "); END;";

/* Version 8: the dashboard's and the custody report's totals without
 * reading the assets (issue #9: 70 ms at a million assets, most of it
 * count(*) over the table and over 300,000 custody index entries, and
 * the overdue count reading every one of those).
 *  - asset_counts: how many assets are in each state, kept by the
 *    triggers below in the operation's own transaction; verify checks it
 *    against count(*) (ASSET_COUNTS).  One UPDATE of both rows per
 *    change of state: two UPDATEs made a 500-asset Stock-Out at 100k
 *    assets about 30% slower (bench/latency), this one no slower than
 *    without counts, within the noise.
 *  - assets_overdue: the due dates of the assets in custody, so the
 *    overdue count reads only the overdue. */
static const char *const migration_8 =
	"CREATE TABLE asset_counts("
	"  state TEXT PRIMARY KEY CHECK(state IN ('STORAGE', 'IN_CUSTODY', 'RETIRED')),"
	"  n INTEGER NOT NULL CHECK(n >= 0)) WITHOUT ROWID;"
	"INSERT INTO asset_counts(state, n) SELECT s.state, "
	"  (SELECT count(*) FROM assets a WHERE a.state = s.state) FROM (SELECT 'STORAGE' AS state "
	"  UNION ALL SELECT 'IN_CUSTODY' UNION ALL SELECT 'RETIRED') s;"
	"CREATE TRIGGER asset_counts_insert AFTER INSERT ON assets BEGIN"
	"  UPDATE asset_counts SET n = n + 1 WHERE state = NEW.state; END;"
	"CREATE TRIGGER asset_counts_update AFTER UPDATE OF state ON assets"
	"  WHEN NEW.state IS NOT OLD.state BEGIN"
	"  UPDATE asset_counts SET n = n + CASE state WHEN NEW.state THEN 1 ELSE -1 END"
	"    WHERE state IN (OLD.state, NEW.state); END;"
	"CREATE TRIGGER asset_counts_no_delete BEFORE DELETE ON asset_counts"
	"  BEGIN SELECT RAISE(ABORT, 'the asset counts are kept, never deleted'); END;"
	"CREATE INDEX assets_overdue ON assets(due) WHERE holder_id IS NOT NULL AND due IS NOT NULL;";

/* Version 9 changes PostgreSQL's schema alone: its asset counts are
 * kept by a statement trigger (schema_pg.c).  SQLite's row trigger is
 * its only kind, and costs it microseconds. */
static const char *const migration_9 = "SELECT 9;";

/* Version 10: an import applied in slices (issue #9, core/import.c).  A
 * 100,000-row import in one transaction held every other writer for
 * seconds; now its rows are committed a slice at a time, and these tables
 * keep all or nothing: once a job is applying it is finished, by its own
 * process or, after a crash, by the next one (roll forward).
 *  - import_jobs: one per committed import.  `open` is 1 while it is
 *    checking or applying and NULL after: UNIQUE lets one job be open at
 *    a time.  While one is open the event writer lets others append only
 *    what cannot change its outcome (core/event.c).  rows_done is how
 *    many of the file's rows are committed; heartbeat (Unix seconds) is
 *    renewed by every slice, so a stale one is a job nobody is running;
 *    owner ("HOST PID") says who runs it, so that a process found dead on
 *    this host need not wait for its heartbeat to go stale.
 *  - import_job_parts: the file's bytes, base64 in 1 MiB pieces, for the
 *    roll forward; deleted when the job ends.
 *  - import_job_keys: what the job must remember across a crash: the
 *    holders it met by each of their keys and the cases it made (by
 *    name, with their size), and the slots its rows fill ('s' keys),
 *    which the gate refuses to Stock-In to.  Deleted when the job ends. */
static const char *const migration_10 =
	"CREATE TABLE import_jobs("
	"  id INTEGER PRIMARY KEY,"
	"  batch_id TEXT NOT NULL UNIQUE CHECK(length(batch_id) = 36),"
	"  actor TEXT NOT NULL,"
	"  options TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK(state IN ('checking', 'applying', 'done', 'cancelled',"
	"    'failed')),"
	"  open INTEGER UNIQUE CHECK(open = 1),"
	"  since_seq INTEGER NOT NULL CHECK(since_seq >= 0),"
	"  bytes INTEGER NOT NULL DEFAULT 0 CHECK(bytes >= 0),"
	"  rows_total INTEGER NOT NULL DEFAULT 0 CHECK(rows_total >= 0),"
	"  rows_done INTEGER NOT NULL DEFAULT 0 CHECK(rows_done >= 0),"
	"  heartbeat INTEGER NOT NULL,"
	"  owner TEXT NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  ended_at TEXT,"
	"  note TEXT,"
	"  CHECK((open IS NOT NULL) = (state IN ('checking', 'applying'))));"
	"CREATE TABLE import_job_parts("
	"  job_id INTEGER NOT NULL REFERENCES import_jobs(id),"
	"  n INTEGER NOT NULL CHECK(n >= 0),"
	"  data TEXT NOT NULL,"
	"  PRIMARY KEY(job_id, n)) WITHOUT ROWID;"
	"CREATE TABLE import_job_keys("
	"  job_id INTEGER NOT NULL REFERENCES import_jobs(id),"
	"  key TEXT NOT NULL,"
	"  value INTEGER NOT NULL,"
	"  PRIMARY KEY(job_id, key)) WITHOUT ROWID;";

const char *const schema_migrations[] = {
	migration_1,
	migration_2,
	migration_3,
	migration_4,
	migration_5,
	migration_6,
	migration_7,
	migration_8,
	migration_9,
	migration_10,
};

const int schema_nmigrations = (int)(sizeof(schema_migrations) / sizeof(schema_migrations[0]));
