/*
 * cli.h — the command-line front end: shared context, option parsing,
 * output helpers and the entry point of every command family.
 *
 * A command is a function `int fn(struct cli_ctx *, int argc, char **argv)`
 * that returns the process exit code (SPEC §6): 0 done, 1 refused, 2 usage,
 * 3 storage or internal error.  argv[0] is the command's own name (git's
 * builtin convention); global options (--db, --json, --help) have already
 * been removed by main().
 *
 * Front ends decide nothing: every command parses its arguments, calls
 * one core function and prints what came back.
 */
#ifndef AT_CLI_CLI_H
#define AT_CLI_CLI_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/db.h"
#include "core/read.h"
#include "core/types.h"
#include "util/buf.h"
#include "util/err.h"

#define CLI_ACTOR_MAX 96

struct cli_ctx {
	const char *db_path;         /* --db, $ASSETTRACK_DB or ./assettrack.db */
	char db_shown[1024];         /* db_path as shown: a URI without its password */
	struct store *st;            /* opened on first need by cli_store() */
	int json;                    /* --json given */
	char actor[CLI_ACTOR_MAX];   /* "cli:<os user>", recorded on every event */
	const char *usage;           /* usage line of the running command */
};

typedef int (*cli_fn)(struct cli_ctx *ctx, int argc, char **argv);

/* One entry of a dispatch table (main's commands[] and each family's). */
struct cli_command {
	const char *name;
	cli_fn fn;
	const char *usage;           /* "asset show TAG" */
};

/* ==== context and dispatch ============================================ */

/* Fill ctx->actor with "cli:<user>": the passwd name of the effective uid,
 * else $USER, else the numeric uid. */
void cli_set_actor(struct cli_ctx *ctx);

/* Open the database on first use into ctx->st (db_open with DB_CREATE:
 * the file and its schema are created if missing; SPEC §6).  Returns 0,
 * or prints why it could not be opened and returns the exit code. */
int cli_open(struct cli_ctx *ctx);

/* Run the subcommand argv[1] of family argv[0] from `table` (NULL name
 * ends it), with argv shifted so the subcommand sees itself as argv[0]. */
int cli_dispatch(struct cli_ctx *ctx, int argc, char **argv, const struct cli_command *table);

/* Print every usage line of `table`, indented, to `fp`. */
void cli_print_family_usage(FILE *fp, const struct cli_command *table);

/* ==== option parsing ================================================== */

/*
 * One option of a command, declared in a table ending with a NULL name.
 * `value` set: the option takes an argument ("--room R" or "--room=R").
 * `flag` set: a switch, set to 1 when present.  Giving an option twice is
 * a usage error: the second value would silently win otherwise.
 */
struct cli_opt {
	const char *name;            /* without the leading "--" */
	const char **value;
	int *flag;
};

/*
 * Parse argv[1..argc) against `opts`.  Positional arguments are moved, in
 * order, to argv[1..*npos]; "--" ends the options.  Returns 0, or prints a
 * usage error and returns -1 (the caller exits with 2).
 */
int cli_parse(struct cli_ctx *ctx, int argc, char **argv, const struct cli_opt *opts,
              int *npos);

/*
 * Take a repeatable option (--map, --attr, ...) out of argv before
 * cli_parse() sees the rest: each "--NAME VALUE" or "--NAME=VALUE", in
 * order, into out[0..max).  `opts` (the command's other options) tells
 * which options take a value, so a value that looks like --NAME stays
 * with its option; "--" ends the options.  argv and *argc are updated.
 * Returns how many were taken, or -1 after a usage error.
 */
int cli_take_repeated(struct cli_ctx *ctx, int *argc, char **argv, const struct cli_opt *opts,
                      const char *name, const char **out, int max);

/* Usage error: "assettrack: <message>" and the command's usage line on
 * stderr.  Returns 2. */
int cli_usage(struct cli_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Check the number of positional arguments; usage error (2) if outside
 * [min, max] (max < 0: no limit), else 0. */
int cli_expect(struct cli_ctx *ctx, int npos, int min, int max);

/* Parse a whole number option or argument in [min, max]; on failure a
 * usage error naming `what` and returning -1. */
int cli_number(struct cli_ctx *ctx, const char *what, const char *s, int64_t min, int64_t max,
               int64_t *out);

/* ==== reporting outcomes ============================================== */

/*
 * Report a refusal or failure `c` described by `e`: the top-level message
 * and one line per failing item on stderr (and, with --json, the SPEC §7
 * error object on stdout).  Returns the exit code at_code_exit(c).
 */
int cli_fail(struct cli_ctx *ctx, enum at_code c, const struct at_errors *e);

/* cli_fail() for a single reason made up here. */
int cli_refuse(struct cli_ctx *ctx, enum at_code c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Print `j` (stolen, may be NULL: out of memory) as indented JSON on
 * stdout.  Returns 0, or 3 if it could not be built or written. */
int cli_json_print(json_t *j);

/* Progress of a long run (verify, copy) on stderr, one line rewritten in
 * place: "PHASE: DONE of TOTAL".  NULL unless stderr is a terminal, so
 * scripts and logs get none. */
typedef void (*cli_progress_fn)(void *pctx, const char *phase, int64_t done, int64_t total);
cli_progress_fn cli_progress_tty(void);

/*
 * A JSON list streamed row by row, so listing every asset never holds
 * them all in memory: `{<head members>, "<key>": [` item, item... `]}`.
 * Items are encoded by jansson; only the fixed punctuation between them
 * is written here.  The opening is printed with the first item (or by a
 * successful end), so a read that fails before its first row prints no
 * list at all, not an empty one.
 */
struct cli_jlist {
	size_t n;
	int failed;                  /* an item could not be encoded or written */
	int opened;                  /* the opening has been printed */
	char *head;                  /* head members as JSON text until opened */
	const char *key;
};
/* `head` (may be NULL, not stolen) supplies members printed before the
 * list; `key` is a constant identifier. */
void cli_jlist_begin(struct cli_jlist *l, json_t *head, const char *key);
/* Append `item` (stolen; NULL marks the list failed). */
void cli_jlist_add(struct cli_jlist *l, json_t *item);
/* Close the list; returns 0 or 3 if any item failed. */
int cli_jlist_end(struct cli_jlist *l);
/* Give the list up after a failed read: it is left unclosed (items
 * already streamed cannot be taken back, but they must not read as a
 * complete answer).  Frees what begin allocated. */
void cli_jlist_abandon(struct cli_jlist *l);

/*
 * An aligned text table.  Rows are buffered (up to CLI_TABLE_BUFFER) so
 * column widths fit the data; past that, rows stream with the widths
 * learnt so far, keeping memory bounded for any number of rows.  Widths
 * are capped at CLI_TABLE_MAXWIDTH; a longer value simply overflows.
 */
#define CLI_TABLE_MAXCOLS 12
#define CLI_TABLE_BUFFER 500
#define CLI_TABLE_MAXWIDTH 40
struct cli_table {
	size_t ncols;
	const char *const *heads;
	size_t width[CLI_TABLE_MAXCOLS];
	struct buf cells;            /* buffered rows: NUL-terminated cells */
	size_t nbuffered, rows;
	int streaming;
};
void cli_table_init(struct cli_table *t, size_t ncols, const char *const *heads);
/* Add one row of `t->ncols` cells (NULL or "" prints as "-"). */
void cli_table_row(struct cli_table *t, const char *const *cells);
/* Print what is buffered; returns the number of rows.  Frees the table. */
size_t cli_table_end(struct cli_table *t);

/*
 * A listing: an aligned table, or with --json {"key": [...]} (after the
 * members of `head`, which may be NULL and is not stolen).  Row callbacks
 * add to `table` or `jl` according to cli->json.
 */
struct cli_list {
	struct cli_ctx *cli;
	struct cli_table table;
	struct cli_jlist jl;
};
void cli_list_begin(struct cli_list *l, struct cli_ctx *ctx, json_t *head, const char *key,
                    size_t ncols, const char *const *heads);
/* Close the listing; as text, print `empty` (if non-NULL) when no row was
 * shown.  Returns 0, or 3 if the JSON could not be written. */
int cli_list_end(struct cli_list *l, const char *empty);
/* Close the listing after its read failed with `c` (the reason in `e`):
 * rows still buffered are dropped rather than shown as the answer, and
 * the failure is reported with cli_fail().  Returns its exit code. */
int cli_list_fail(struct cli_list *l, enum at_code c, const struct at_errors *e);

/* Print "Label:   value" for `asset show` and friends; empty values as "-",
 * continuation lines of multi-line values indented under the value. */
void cli_fact(const char *label, const char *value);

/* Upper-case ASCII copy of `in` (truncated to cap-1 bytes), so enum
 * values like "storage" or "faulty" are accepted as typed.  Returns out. */
const char *cli_upper(const char *in, char *out, size_t cap);

/* Where an asset is, in a few words for a table cell: "PELI-07/12",
 * "with Dana Ruiz (#3)", "unslotted", "retired". */
void cli_asset_where(const struct asset *a, char *out, size_t cap);

/* ==== command families ================================================ */

int cli_cmd_init(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_serve(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_import(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_user(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_verify(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_head(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_checkpoint(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_backup(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_restore(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_copy(struct cli_ctx *ctx, int argc, char **argv);
/* `backup FILE` of a PostgreSQL database: a verified SQLite copy. */
int cli_backup_server(struct cli_ctx *ctx, const char *file);
int cli_cmd_holder(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_case(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_asset(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_slot(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_stock_out(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_stock_in(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_replace(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_events(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_report(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_export(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_audit(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_labels(struct cli_ctx *ctx, int argc, char **argv);

/* `asset history TAG`, which lives with the event listing. */
int cli_asset_history(struct cli_ctx *ctx, int argc, char **argv);

/* Usage tables of the families, for `assettrack help`. */
extern const struct cli_command cli_user_commands[];
extern const struct cli_command cli_holder_commands[];
extern const struct cli_command cli_case_commands[];
extern const struct cli_command cli_asset_commands[];
extern const struct cli_command cli_slot_commands[];

#endif
