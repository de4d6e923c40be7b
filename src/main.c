/*
 * main.c — `assettrack [--db PATH] [--json] COMMAND ...`
 *
 * Strips the global options (which may stand before or after the command),
 * finds the command in commands[] (git.c style) and runs it.  The database
 * is opened lazily by the commands that need it, so `help` and usage
 * errors never touch it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/version.h"

#define DEFAULT_DB "./assettrack.db"

struct command {
	const char *name;
	cli_fn fn;
	const char *usage;                    /* single-command usage line */
	const struct cli_command *family;     /* or its subcommands */
};

static const struct command commands[] = {
	{ "init", cli_cmd_init, "init [--app-role ROLE]", NULL },
	{ "serve", cli_cmd_serve,
	  "serve [--listen HOST:PORT] [--threads N] [--tls-cert PEM --tls-key PEM] [--quiet]\n"
	  "                   [--checkpoint-every N] [--checkpoint-interval SECONDS]\n"
	  "                   [--checkpoints FILE] [--checkpoint-key FILE]", NULL },
	{ "user", cli_cmd_user, NULL, cli_user_commands },
	{ "holder", cli_cmd_holder, NULL, cli_holder_commands },
	{ "case", cli_cmd_case, NULL, cli_case_commands },
	{ "asset", cli_cmd_asset, NULL, cli_asset_commands },
	{ "slot", cli_cmd_slot, NULL, cli_slot_commands },
	{ "stock-out", cli_cmd_stock_out, "stock-out --holder ID|BADGE [--due YYYY-MM-DD] TAG...",
	  NULL },
	{ "stock-in", cli_cmd_stock_in, "stock-in TAG[@CASE:POS]...", NULL },
	{ "replace", cli_cmd_replace, "replace OLD NEW --reason R [--condition C]", NULL },
	{ "events", cli_cmd_events,
	  "events [--asset TAG] [--type T] [--since TIME] [--limit N]", NULL },
	{ "report", cli_cmd_report,
	  "report custody [--as-of TIME] [--overdue] | report unslotted | report occupancy\n"
	  "                    | report holder ID|BADGE | report retired [--reason R]   [--csv]",
	  NULL },
	{ "export", cli_cmd_export, "export assets|events", NULL },
	{ "import", cli_cmd_import, "import assets FILE.csv [--dry-run]", NULL },
	{ "verify", cli_cmd_verify,
	  "verify [--anchor SEQ:HASH]... [--anchors FILE] [--checkpoints FILE] [--pubkey FILE]\n"
	  "                    [--since-checkpoint]", NULL },
	{ "head", cli_cmd_head, "head", NULL },
	{ "checkpoint", cli_cmd_checkpoint, "checkpoint [--checkpoints FILE] [--key FILE]", NULL },
	{ "backup", cli_cmd_backup, "backup FILE", NULL },
	{ "restore", cli_cmd_restore,
	  "restore FILE   (verify FILE, then replace the database; the old one is kept)", NULL },
	{ "copy", cli_cmd_copy,
	  "copy --from SRC --to DST   (into a new database, SQLite or PostgreSQL; verified)",
	  NULL },
	{ "audit", cli_cmd_audit,
	  "audit CASE [--save] SCAN...   (SCAN: a slot label CASE/POS, or a tag)\n"
	  "  assettrack audit holder ID|BADGE [--save] TAG...\n"
	  "  assettrack audit show SEQ | audit apply SEQ ID...|--all\n"
	  "  assettrack audit list [--stale DAYS] [--limit N]", NULL },
	{ "labels", cli_cmd_labels,
	  "labels asset TAG... | case NAME | holder ID|BADGE...\n"
	  "                    [--layout sheet|sheet-a4|thermal] --out FILE.pdf|.png|.svg [--force]",
	  NULL },
	{ NULL, NULL, NULL, NULL },
};

/* The full help text, built from the dispatch tables so it cannot drift
 * from what is accepted. */
static void usage(FILE *fp)
{
	const struct command *c;

	fputs("usage: assettrack [--db PATH] [--json] COMMAND [ARGS...]\n\nCommands:\n", fp);
	for (c = commands; c->name; c++) {
		if (c->family)
			cli_print_family_usage(fp, c->family);
		else
			fprintf(fp, "  assettrack %s\n", c->usage);
	}
	fputs("\nGlobal options (before or after the command):\n"
	      "  --db PATH   database file (default " DEFAULT_DB ", or $ASSETTRACK_DB);\n"
	      "              created with its schema on first use\n"
	      "  --json      print JSON: read commands print the data, changes print\n"
	      "              their result, refusals print {\"error\": ...}\n"
	      "  --help      print this help\n"
	      "  --version   print the version, the git commit and the library versions\n"
	      "\nNotes:\n"
	      "  TAG may be typed or scanned: exact tag first, else its match key\n"
	      "  (upper-case, '-' and spaces removed).  A slot is CASE POS, or one\n"
	      "  label CASE/POS; stock-in takes TAG@CASE:POS (or TAG@CASE/POS).\n"
	      "  events lists the newest events last; --limit defaults to 100,\n"
	      "  --limit 0 lists all.  TIME is YYYY-MM-DD (end of that day, UTC)\n"
	      "  or YYYY-MM-DDTHH:MM[:SS[.mmm]]Z.  user add reads the password from\n"
	      "  the first line of standard input.  export writes CSV to stdout.\n"
	      "  Every change is recorded with the actor cli:<os user>.\n"
	      "\nExit status: 0 done, 1 refused (reasons on stderr), 2 usage error,\n"
	      "3 storage or internal error.\n",
	      fp);
}

/*
 * Remove --db, --json, --help and --version from anywhere in argv
 * (stopping at "--", after which everything belongs to the command),
 * compacting the rest in place.  Returns the new argc, or -1 after a usage message.
 */
static int strip_globals(int argc, char **argv, struct cli_ctx *ctx, int *help, int *version)
{
	int i, w = 1, rest = 0;

	for (i = 1; i < argc; i++) {
		char *a = argv[i];

		if (rest) {
			argv[w++] = a;
		} else if (strcmp(a, "--") == 0) {
			rest = 1;
			argv[w++] = a;
		} else if (strcmp(a, "--json") == 0) {
			ctx->json = 1;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			*help = 1;
		} else if (strcmp(a, "--version") == 0) {
			*version = 1;
		} else if (strcmp(a, "--db") == 0 || strncmp(a, "--db=", 5) == 0) {
			const char *v = a[4] == '=' ? a + 5 : (i + 1 < argc ? argv[++i] : NULL);
			if (!v || !*v) {
				fputs("assettrack: --db needs a file name or a postgresql:// URI\n", stderr);
				return -1;
			}
			ctx->db_path = v;
		} else {
			argv[w++] = a;
		}
	}
	argv[w] = NULL;
	return w;
}

/* Entry point: global options, dispatch, and the exit code of the command
 * (a failed write to stdout turns success into 3). */
int main(int argc, char **argv)
{
	struct cli_ctx ctx;
	const struct command *c;
	const char *env = getenv("ASSETTRACK_DB");
	int help = 0, version = 0, rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.db_path = (env && *env) ? env : DEFAULT_DB;
	cli_set_actor(&ctx);

	argc = strip_globals(argc, argv, &ctx, &help, &version);
	if (argc < 0)
		return 2;
	db_display(ctx.db_path, ctx.db_shown, sizeof(ctx.db_shown));
	if (version) {
		cli_print_version(stdout, ctx.db_path);
		return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 3;
	}
	if (help || (argc >= 2 && strcmp(argv[1], "help") == 0)) {
		/* `assettrack asset --help` or `help asset`: just that command. */
		const char *topic = argc >= 2 ? argv[strcmp(argv[1], "help") == 0 ? 2 : 1] : NULL;
		for (c = commands; topic && c->name; c++)
			if (strcmp(c->name, topic) == 0)
				break;
		if (!topic || !c->name) {
			usage(stdout);
		} else if (c->family) {
			puts("usage:");
			cli_print_family_usage(stdout, c->family);
		} else {
			printf("usage: assettrack %s\n", c->usage);
		}
		return 0;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	for (c = commands; c->name; c++)
		if (strcmp(c->name, argv[1]) == 0)
			break;
	if (!c->name) {
		fprintf(stderr,
		        "assettrack: '%s' is not a command\n"
		        "usage: assettrack [--db PATH] [--json] COMMAND [ARGS...]\n"
		        "Run 'assettrack help' for the list of commands.\n",
		        argv[1]);
		return 2;
	}
	ctx.usage = c->usage;
	rc = c->fn(&ctx, argc - 1, argv + 1);
	db_close(ctx.st);
	/* Output that never reached its destination (a full disk, a closed
	 * pipe) is a failure, not success. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fputs("assettrack: could not write the output\n", stderr);
		if (rc == 0)
			rc = 3;
	}
	return rc;
}
