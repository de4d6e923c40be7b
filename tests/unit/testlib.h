/*
 * testlib.h — helpers shared by the cmocka unit tests.
 *
 * Include after <stdarg.h>, <stddef.h>, <setjmp.h>, <stdint.h> and
 * <cmocka.h> (cmocka needs the first three); this header includes them in
 * that order itself, so a test file may simply start with it.
 *
 * Every test gets its own fresh SQLite file under AT_TEST_TMP (the build
 * directory), created with the full schema and removed again (with its
 * -wal/-shm/-journal companions) by the teardown.  The helpers that build
 * fixtures (holders, cases, assets) fail the calling test, with the
 * engine's message and items printed, if the engine refuses them: a
 * fixture that cannot be built is a failure, never a silent skip.
 */
#ifndef AT_TESTLIB_H
#define AT_TESTLIB_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/asset.h"
#include "core/custody.h"
#include "core/event.h"
#include "core/holder.h"
#include "core/place.h"
#include "core/verify.h"
#include "store/store.h"
#include "util/err.h"
#include "util/text.h"

#ifndef AT_TEST_TMP
#define AT_TEST_TMP "/tmp"
#endif
#ifndef AT_BINARY
#define AT_BINARY "assettrack"
#endif

#define T_ACTOR "test"
#define T_DUE "2099-12-31"
#define T_PATH_MAX 512

/* ---- database fixtures --------------------------------------------- */

/* What only a SQLite file has (PRAGMAs, its triggers' SQL, the file
 * itself): skipped, saying why, when the tests run on PostgreSQL. */
#define T_SQLITE_ONLY(why)                                                   \
	do {                                                                     \
		if (t_on_pg()) {                                                 \
			print_message("  skipped on PostgreSQL: %s\n", (why));   \
			skip();                                                  \
		}                                                                \
	} while (0)
/* Whether the tests run on PostgreSQL (AT_BACKEND=postgresql, AT_PG_URI):
 * t_db_path() then gives a new database's URI. */
int t_on_pg(void);
/* A unique, not yet existing path AT_TEST_TMP/at-<label>-<pid>-<n>.db. */
void t_db_path(char *out, size_t cap, const char *label);
/* The same path on either backend (a file to write, not a database). */
void t_db_path_file(char *out, size_t cap, const char *label);
/* Remove a database file and its -wal, -shm and -journal companions. */
void t_db_remove(const char *path);
/* store_open(path, STORE_CREATE); fails the test on refusal. */
struct store *t_store_open(const char *path);

/* cmocka fixture: `*state` becomes a struct t_db with a fresh database. */
struct t_db {
	struct store *st;
	char path[T_PATH_MAX];
	/* Files a test keeps beside its database are named `files` + a
	 * suffix: `path` on SQLite, a path under AT_TEST_TMP on PostgreSQL. */
	char files[T_PATH_MAX];
};
int t_setup(void **state);
int t_teardown(void **state);
#define T_DB(state) ((struct t_db *)*(state))
#define T_ST(state) (T_DB(state)->st)
/* Close and reopen the fixture's store (after raw SQL edits). */
void t_reopen(struct t_db *d);

/* ---- result checks -------------------------------------------------- */

/* Print an error report (top-level and every item) to stderr. */
void t_dump(const char *what, const struct at_errors *e);

void t_expect_code(enum at_code got, enum at_code want, const struct at_errors *e,
                   const char *expr, const char *file, int line);
void t_expect_code2(enum at_code got, enum at_code want1, enum at_code want2,
                    const struct at_errors *e, const char *expr, const char *file, int line);
void t_expect_refused(enum at_code got, const struct at_errors *e, const char *expr,
                      const char *file, int line);

/* `expr` must return `want`; on mismatch the report `e` is printed.  The
 * report is reset first: core operations decide success from it. */
#define T_EXPECT(expr, want, e) \
	t_expect_code((at_errors_reset(e), (expr)), (want), (e), #expr, __FILE__, __LINE__)
/* `expr` must return one of two acceptable codes. */
#define T_EXPECT2(expr, w1, w2, e) \
	t_expect_code2((at_errors_reset(e), (expr)), (w1), (w2), (e), #expr, __FILE__, __LINE__)
#define T_OK(expr, e) T_EXPECT(expr, AT_OK, e)
/* `expr` must refuse (any code but AT_OK, and not a storage/internal error). */
#define T_REFUSED(expr, e) \
	t_expect_refused((at_errors_reset(e), (expr)), (e), #expr, __FILE__, __LINE__)

/* Number of items in `e` with this input (NULL: any) and code (-1: any). */
size_t t_items(const struct at_errors *e, const char *input, int code);
/* Non-zero if some item's input or message, or the top-level message,
 * contains `needle` (ASCII case-insensitive). */
int t_mentions(const struct at_errors *e, const char *needle);
/* ASCII case-insensitive substring test. */
int t_contains_ci(const char *hay, const char *needle);

/* ---- building things ------------------------------------------------ */

/* Create a holder (fails the test on refusal); returns its id. */
int64_t t_holder(struct store *st, const char *name, const char *badge);
/* Create a case with n slots (fails the test on refusal). */
void t_case(struct store *st, const char *name, int64_t nslots);
/* An asset_input with every required field filled in from the tag
 * (serial "SN-<tag>"); slot_case NULL. */
struct asset_input t_input(const char *tag);
/* Create an asset (serial "SN-<tag>"), in case/pos when case_name is not
 * NULL; fails the test on refusal. */
void t_asset(struct store *st, const char *tag, const char *case_name, int pos);
/* Stock out one or more assets (NULL-terminated tag list) to holder id
 * with due T_DUE; fails the test on refusal. */
void t_stock_out(struct store *st, int64_t holder_id, ...);
/* The asset with this exact tag; fails the test if missing. */
struct asset t_get(struct store *st, const char *tag);

/* ---- events ---------------------------------------------------------- */

int64_t t_events(struct store *st);
/* Events of one type (NULL: all), of one batch (NULL: any). */
int64_t t_events_of(struct store *st, const char *type, const char *batch_id);

/* A copy of one event row, owning its strings. */
struct t_event {
	int64_t seq;
	char at[AT_TIME_LEN + 1];
	char type[32];
	char asset_tag[AT_TAG_MAX + 1];
	char from_case[AT_NAME_MAX + 1];       /* "" none */
	int from_position;
	char to_case[AT_NAME_MAX + 1];
	int to_position;
	int64_t holder_id;
	char actor[AT_PERSON_MAX + 1];
	char reason[AT_REASON_MAX + 1];        /* "" none */
	int has_reason;
	char batch_id[AT_BATCH_ID_LEN + 1];
	char *details;                         /* malloc'ed */
	char prev_hash[AT_HASH_HEX + 1];
	char hash[AT_HASH_HEX + 1];
};
/* All events matching the filter (NULL: all), in seq order.  *n gets the
 * count; free with t_events_free. */
struct t_event *t_event_rows(struct store *st, const struct event_filter *f, size_t *n);
void t_events_free(struct t_event *v, size_t n);
/* The last event (fails the test if there is none); free details. */
struct t_event t_last_event(struct store *st);

/* A digest of everything an operation could change: every asset, case
 * and holder row and the event count.  Equal digests before and after a
 * refused operation show that it changed nothing. */
uint64_t t_snapshot(struct store *st);

/* ---- verification --------------------------------------------------- */

/* Run verify_run; returns r.ok and prints the problems when not ok.
 * `code_out` (may be NULL, 48 bytes) gets the first problem's code. */
int t_verify(struct store *st, char *code_out);
#define T_VERIFY_OK(st) assert_int_equal(t_verify((st), NULL), 1)

/* ---- raw SQLite ----------------------------------------------------- */

/* Run SQL on the file with a separate raw connection (no foreign keys);
 * returns the SQLite result code; `err` (may be NULL, 256 bytes) gets the
 * message. */
int t_sql(const char *path, const char *sql, char *err);
/* First column of the first row as an integer (-1 on error / no row). */
int64_t t_sql_int(const char *path, const char *sql);

/* ---- the CLI binary ------------------------------------------------- */

struct t_run {
	int status;      /* exit code, or 128 + signal number */
	char *out, *err; /* captured, NUL-terminated, malloc'ed */
};

/* Run argv[0] with argv, feeding `input` (may be NULL) on stdin.  The
 * child runs without ASSETTRACK_DB. */
void t_run_argv(struct t_run *r, char *const argv[], const char *input);
/* The same with one environment variable set in the child. */
void t_run_argv_env(struct t_run *r, char *const argv[], const char *input,
                    const char *env_name, const char *env_value);
/* Run AT_BINARY --db DB args... (NULL-terminated). */
void t_cli(struct t_run *r, const char *db, ...);
void t_run_free(struct t_run *r);

/* ---- misc ------------------------------------------------------------ */

/* Environment flag set by the sanitizer CI run. */
int t_sanitized(void);
/* splitmix64 PRNG. */
uint64_t t_rand(uint64_t *s);
/* Uniform in [0, n). */
uint32_t t_rand_below(uint64_t *s, uint32_t n);
/* AT_SEED from the environment, else a fresh random seed; printed. */
uint64_t t_seed(const char *test_name);

#endif
