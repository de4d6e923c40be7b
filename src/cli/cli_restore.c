/*
 * cli_restore.c — `assettrack restore FILE`: verify FILE, then replace the
 * database with it, keeping the old one (core/backup.h).
 *
 * FILE is copied beside the database and that copy, opened read-only, is
 * what is checked (quick_check and a full verify) and loaded: nothing is
 * touched unless it passes.  The replaced database is kept as
 * DB.replaced-YYYYmmdd-HHMMSS.
 *
 * Not while a server runs on the database: the load itself would be safe
 * (it is one SQLite transaction, not a swap of files, and the server's
 * connections would see the restored database at their next request),
 * but a change the server committed in the moment between the kept copy
 * and the load would be in neither.  Its admin page (/admin/backup) holds
 * its requests off around the swap; the CLI cannot, so it refuses and
 * says to stop the server or use that page.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/backup.h"
#include "web/upload.h"

static void restore_progress(void *pctx, const char *phase, int64_t done, int64_t total)
{
	(void)pctx;
	if (strcmp(phase, "done") == 0)
		fprintf(stderr, "\r%60s\r", "");
	else if (total > 0)
		fprintf(stderr, "\rchecking the file: %s: %lld of %lld   ", phase, (long long)done,
		        (long long)total);
	else
		fprintf(stderr, "\rchecking the file: %s...   ", phase);
}

static json_t *summary_json(const struct backup_summary *s)
{
	return json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:s?}", "schema", s->schema, "assets",
	                 (json_int_t)s->assets, "events", (json_int_t)s->events, "holders",
	                 (json_int_t)s->holders, "cases", (json_int_t)s->cases, "users",
	                 (json_int_t)s->users, "newest_event",
	                 s->newest_event[0] ? s->newest_event : NULL);
}

static void print_result(const struct cli_ctx *ctx, const char *file,
                         const struct restore_result *r)
{
	printf("Restored %s into %s: %lld events, %lld assets (it held %lld events, %lld "
	       "assets).\n",
	       file, ctx->db_shown, (long long)r->after.events, (long long)r->after.assets,
	       (long long)r->before.events, (long long)r->before.assets);
	printf("The replaced database is kept as %s\n", r->kept);
	if (r->checkpoints_kept[0])
		printf("Its signed checkpoints were moved to %s\n", r->checkpoints_kept);
}

int cli_cmd_restore(struct cli_ctx *ctx, int argc, char **argv)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct restore_result res;
	enum at_code c;
	int npos, rc;

	ctx->usage = "restore FILE";
	if (cli_parse(ctx, argc, argv, NULL, &npos) < 0 || cli_expect(ctx, npos, 1, 1))
		return 2;
	if (!argv[1][0])
		return cli_usage(ctx, "the file name is empty");
	/* Restoring swaps the database file; a PostgreSQL database is its
	 * DBA's to restore (README, "Running on PostgreSQL"). */
	if (db_is_server(ctx->db_path))
		return cli_refuse(ctx, AT_INVALID, "restore replaces a SQLite file; restore a PostgreSQL "
		                                   "database with pg_restore, then run verify");
	if (access(argv[1], F_OK) != 0)
		return cli_refuse(ctx, AT_NOT_FOUND, "%s does not exist", argv[1]);
	if (web_server_running(ctx->db_path))
		return cli_refuse(ctx, AT_CONFLICT,
		                  "a server is running on %s: restore from its /admin/backup page "
		                  "(it holds requests off while the database is swapped), or stop "
		                  "it first", ctx->db_shown);
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	c = backup_restore(ctx->st, ctx->db_path, argv[1], ctx->actor, &res,
	                   isatty(STDERR_FILENO) ? restore_progress : NULL, NULL, &e);
	if (c != AT_OK) {
		rc = cli_fail(ctx, c, &e);
	} else if (ctx->json) {
		rc = cli_json_print(json_pack("{s:s, s:s, s:s, s:s?, s:o, s:o}", "database",
		                              ctx->db_shown, "restored", argv[1], "kept", res.kept,
		                              "checkpoints_kept",
		                              res.checkpoints_kept[0] ? res.checkpoints_kept : NULL,
		                              "before", summary_json(&res.before), "after",
		                              summary_json(&res.after)));
	} else {
		print_result(ctx, argv[1], &res);
		rc = 0;
	}
	at_errors_free(&e);
	return rc;
}
