/*
 * cli_copy.c — `assettrack copy --from SRC --to DST`: a whole database
 * into a new one, SQLite or PostgreSQL on either side (core/copy.h), and
 * `backup FILE` of a PostgreSQL database, which is such a copy into a new
 * SQLite file.
 *
 * The destination is new: a SQLite file that does not exist yet, or a
 * PostgreSQL database with no AssetTrack rows (an empty database, or one
 * just made by init), written as its owner.  Nothing is done to the
 * source but reading it in one snapshot, so a server may go on serving it
 * meanwhile; what it changes after the snapshot is not in the copy.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/backup.h"
#include "core/copy.h"

static json_t *result_json(const char *from, const char *to, const struct copy_result *r)
{
	char head[AT_ANCHOR_MAX];

	snprintf(head, sizeof(head), "%lld:%s", (long long)r->head.seq, r->head.hash);
	return json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:b}", "from", from, "to", to, "events",
	                 (json_int_t)r->events, "assets", (json_int_t)r->assets, "head", head,
	                 "state_digest", r->state, "verified", 1);
}

/* Open the destination, new: a file must not exist (copy never
 * overwrites one); a PostgreSQL database gets the schema if it has
 * none.  `*made` says a file was created here. */
static int open_destination(struct cli_ctx *ctx, const char *to, struct store **dst,
                            int *made)
{
	struct at_errors e = AT_ERRORS_INIT;
	enum at_code c;
	int rc = 0;

	*made = 0;
	if (!db_is_server(to)) {
		if (access(to, F_OK) == 0)
			return cli_refuse(ctx, AT_CONFLICT,
			                  "%s already exists; a copy never overwrites a file, so choose "
			                  "a new name", to);
		*made = 1;
	}
	c = db_open(to, DB_CREATE, dst, &e);
	if (c != AT_OK) {
		rc = cli_fail(ctx, c, &e);
		if (*made)
			backup_remove_file(to);
		*made = 0;
	}
	at_errors_free(&e);
	return rc;
}

int cli_cmd_copy(struct cli_ctx *ctx, int argc, char **argv)
{
	struct at_errors e = AT_ERRORS_INIT;
	const char *from = NULL, *to = NULL;
	const struct cli_opt opts[] = {
		{ "from", &from, NULL },
		{ "to", &to, NULL },
		{ NULL, NULL, NULL },
	};
	char from_shown[1024], to_shown[1024];
	struct store *src = NULL, *dst = NULL;
	struct copy_result res;
	enum at_code c;
	int npos, rc, made;

	if (cli_parse(ctx, argc, argv, opts, &npos) < 0 || cli_expect(ctx, npos, 0, 0))
		return 2;
	if (!from || !to || !*from || !*to)
		return cli_usage(ctx, "copy needs --from SRC and --to DST");
	if (strcmp(from, to) == 0)
		return cli_usage(ctx, "--from and --to name the same database");
	db_display(from, from_shown, sizeof(from_shown));
	db_display(to, to_shown, sizeof(to_shown));
	if (!db_is_server(from) && access(from, F_OK) != 0)
		return cli_refuse(ctx, AT_NOT_FOUND, "%s does not exist", from);
	c = db_open(from, DB_READONLY, &src, &e);
	if (c != AT_OK) {
		rc = cli_fail(ctx, c, &e);
		goto out;
	}
	if ((rc = open_destination(ctx, to, &dst, &made)) != 0)
		goto out;
	c = copy_database(src, dst, from_shown, ctx->actor, &res, cli_progress_tty(), NULL, &e);
	if (c != AT_OK) {
		rc = cli_fail(ctx, c, &e);
		if (made)
			backup_remove_file(to);
		else if (e.code != AT_CONFLICT)
			fprintf(stderr, "assettrack: %s may hold part of the copy: drop that database "
			                "before copying into it again\n", to_shown);
	} else if (ctx->json) {
		rc = cli_json_print(result_json(from_shown, to_shown, &res));
	} else {
		printf("Copied %s to %s: %lld events, %lld assets.\n", from_shown, to_shown,
		       (long long)res.events, (long long)res.assets);
		printf("Verified: the copy's head is the source's (%lld:%.16s...) and so is its state "
		       "digest (%.16s...).\n",
		       (long long)res.head.seq, res.head.hash, res.state);
		rc = 0;
	}
out:
	db_close(dst);
	db_close(src);
	at_errors_free(&e);
	return rc;
}

int cli_backup_server(struct cli_ctx *ctx, const char *file)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct copy_result res;
	enum at_code c;
	int rc;

	if ((rc = cli_open(ctx)) != 0)
		return rc;
	c = copy_to_new_file(ctx->st, file, &res, cli_progress_tty(), NULL, &e);
	if (c != AT_OK) {
		rc = cli_fail(ctx, c, &e);
	} else if (ctx->json) {
		rc = cli_json_print(json_pack("{s:s, s:s, s:I, s:b}", "database", ctx->db_shown,
		                              "backup", file, "events", (json_int_t)res.events,
		                              "verified", 1));
	} else {
		printf("Backed up %s to %s (%lld events), a SQLite file; verified: its head "
		       "%lld:%.16s... and state digest are the database's\n",
		       ctx->db_shown, file, (long long)res.events, (long long)res.head.seq,
		       res.head.hash);
		rc = 0;
	}
	at_errors_free(&e);
	return rc;
}
