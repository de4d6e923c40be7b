/*
 * cli_import.c — `assettrack import assets FILE.csv [--dry-run] [--map
 * COLUMN=DESTINATION]... [--status NAME=STATE[:CONDITION]]...
 * [--default-room ROOM] [--encoding utf-8|latin1]`.
 *
 * The file is read in chunks as the import goes (core/import.h), so its
 * size does not set the memory; "-" reads stdin.  The report (mapping,
 * outcomes, examples) goes to stdout, before the refusals when there are
 * any; progress goes to stderr while it is a terminal.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/encode.h"
#include "core/import.h"

#define MAX_REPEATED 256

static long file_read(void *ctx, char *buf, size_t cap)
{
	FILE *f = ctx;
	size_t n = fread(buf, 1, cap, f);

	return ferror(f) ? -1 : (long)n;
}

/* ==== progress ========================================================= */

struct progress {
	struct timespec t0;
	int shown;
};

static double elapsed(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* "  42000 rows  35100 rows/s  ETA 2 s", rewritten in place. */
static void show_progress(void *ctx, size_t rows, size_t bytes, size_t total)
{
	struct progress *pr = ctx;
	double s = elapsed(&pr->t0), rate = s > 0 ? (double)rows / s : 0;

	fprintf(stderr, "\r  %zu rows  %.0f rows/s", rows, rate);
	if (total && bytes && bytes < total)
		fprintf(stderr, "  ETA %.0f s   ", s * (double)(total - bytes) / (double)bytes);
	else
		fputs("           ", stderr);
	pr->shown = 1;
}

/* ==== the report in words ============================================== */

static const char *const outcome_words[IMPORT_OUTCOME__MAX] = {
	[IMPORT_STORAGE] = "storage",
	[IMPORT_CUSTODY] = "custody",
	[IMPORT_RETIRED] = "retired",
	[IMPORT_REFUSED] = "refused",
};

static const char *format_words(const char *f)
{
	if (strcmp(f, "assettrack") == 0)
		return "AssetTrack's export";
	if (strcmp(f, "snipe-it") == 0)
		return "Snipe-IT";
	if (strcmp(f, "homebox") == 0)
		return "HomeBox";
	if (strcmp(f, "shelf") == 0)
		return "Shelf.nu";
	return "plain CSV";
}

static void print_report(const struct import_report *r, int ok)
{
	size_t i;
	int k;

	printf("%s: %zu rows, %s layout, %s%s\n",
	       r->dry_run ? "Dry run" : ok ? "Imported" : "Refused", r->rows, format_words(r->format),
	       r->encoding, r->dry_run || !ok ? "; nothing was changed" : "");
	if (r->ncols) {
		printf("\nColumns:\n");
		for (i = 0; i < r->ncols; i++)
			printf("  %-24.64s -> %-20s %s\n", r->cols[i].name, r->cols[i].to,
			       r->cols[i].note);
	}
	if (r->nstatuses) {
		printf("\nStatuses:\n");
		for (i = 0; i < r->nstatuses; i++)
			printf("  %-24.64s %8zu rows -> %s\n", r->statuses[i].name, r->statuses[i].rows,
			       r->statuses[i].to);
		if (r->statuses_other)
			printf("  (other statuses)         %8zu rows\n", r->statuses_other);
	}
	printf("\nOutcome%s:\n", r->dry_run ? " (what a real run would do)" : "");
	printf("  created in storage   %8zu\n", r->count[IMPORT_STORAGE]);
	printf("  created in custody   %8zu  (of %zu holders, %zu of them new)\n",
	       r->count[IMPORT_CUSTODY], r->holders, r->holders_new);
	printf("  retired              %8zu\n", r->count[IMPORT_RETIRED]);
	if (r->cases_new)
		printf("  cases created        %8zu\n", r->cases_new);
	printf("  refused              %8zu\n", r->count[IMPORT_REFUSED]);
	if (r->kept_checkouts)
		printf("  checkouts to a location or asset, kept as attributes: %zu\n",
		       r->kept_checkouts);
	printf("\nExamples:\n");
	for (k = 0; k < IMPORT_OUTCOME__MAX; k++)
		for (i = 0; i < r->nexamples[k]; i++)
			printf("  %-8s row %zu %s: %s\n", outcome_words[k], r->examples[k][i].row,
			       r->examples[k][i].tag, r->examples[k][i].text);
	if (r->nnew_holders) {
		printf("\nNew holders%s:\n",
		       r->holders_new > r->nnew_holders ? " (the first ones)" : "");
		for (i = 0; i < r->nnew_holders; i++)
			printf("  row %-7zu %s%s%s%s%s\n", r->new_holders[i].row, r->new_holders[i].name,
			       r->new_holders[i].badge[0] ? ", badge " : "", r->new_holders[i].badge,
			       r->new_holders[i].email[0] ? ", " : "", r->new_holders[i].email);
	}
	if (r->nnew_cases) {
		printf("\nNew cases%s:\n", r->cases_new > r->nnew_cases ? " (the first ones)" : "");
		for (i = 0; i < r->nnew_cases; i++)
			printf("  row %-7zu %s, %d slot%s\n", r->new_cases[i].row, r->new_cases[i].name,
			       r->new_cases[i].slots, r->new_cases[i].slots == 1 ? "" : "s");
	}
	if (r->nkept) {
		printf("\nCheckouts kept as attributes%s:\n",
		       r->kept_checkouts > r->nkept ? " (the first ones)" : "");
		for (i = 0; i < r->nkept; i++)
			printf("  row %-7zu %s: checked out to %s %s\n", r->kept[i].row, r->kept[i].tag,
			       r->kept[i].type, r->kept[i].to);
	}
	if (ok && !r->dry_run)
		printf("\nBatch %s (%.2f s)\n", r->batch_id, r->seconds);
	else
		printf("\n(%.2f s)\n", r->seconds);
}

/* ==== the command ====================================================== */

int cli_cmd_import(struct cli_ctx *ctx, int argc, char **argv)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct import_options o;
	struct import_report rep;
	struct progress pr;
	const char *maps[MAX_REPEATED], *statuses[MAX_REPEATED];
	const char *room = NULL, *encoding = NULL;
	int dry = 0, npos = 0, rc, nmaps, nstatuses;
	const struct cli_opt opts[] = { { "dry-run", NULL, &dry },
		                        { "default-room", &room, NULL },
		                        { "encoding", &encoding, NULL },
		                        { NULL, NULL, NULL } };
	struct stat sb;
	FILE *f;
	enum at_code c;

	ctx->usage = "import assets FILE.csv [--dry-run] [--map COLUMN=DESTINATION]...\n"
	             "            [--status NAME=STATE[:CONDITION]]... [--default-room ROOM]\n"
	             "            [--encoding utf-8|latin1]";
	nmaps = cli_take_repeated(ctx, &argc, argv, opts, "map", maps, MAX_REPEATED);
	if (nmaps < 0)
		return 2;
	nstatuses = cli_take_repeated(ctx, &argc, argv, opts, "status", statuses, MAX_REPEATED);
	if (nstatuses < 0)
		return 2;
	if (cli_parse(ctx, argc, argv, opts, &npos) < 0)
		return 2;
	if (cli_expect(ctx, npos, 2, 2))
		return 2;
	if (strcmp(argv[1], "assets") != 0)
		return cli_usage(ctx, "only 'import assets' exists, not 'import %s'", argv[1]);
	memset(&o, 0, sizeof(o));
	if (encoding && strcasecmp(encoding, "latin1") != 0 && strcasecmp(encoding, "latin-1") != 0 &&
	    strcasecmp(encoding, "iso-8859-1") != 0 && strcasecmp(encoding, "cp1252") != 0 &&
	    strcasecmp(encoding, "windows-1252") != 0 && strcasecmp(encoding, "utf-8") != 0 &&
	    strcasecmp(encoding, "utf8") != 0)
		return cli_usage(ctx, "--encoding is utf-8 or latin1, not '%s'", encoding);
	o.encoding = encoding && strncasecmp(encoding, "utf", 3) != 0 ? IMPORT_LATIN1 : IMPORT_UTF8;
	o.dry_run = dry;
	o.maps = maps;
	o.nmaps = (size_t)nmaps;
	o.statuses = statuses;
	o.nstatuses = (size_t)nstatuses;
	o.default_room = room;
	f = strcmp(argv[2], "-") == 0 ? stdin : fopen(argv[2], "rb");
	if (!f)
		return cli_refuse(ctx, AT_INVALID, "cannot read %s: %s", argv[2], strerror(errno));
	if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode))
		o.total_bytes = (size_t)sb.st_size;
	if ((rc = cli_open(ctx)) != 0) {
		if (f != stdin)
			fclose(f);
		return rc;
	}
	memset(&pr, 0, sizeof(pr));
	clock_gettime(CLOCK_MONOTONIC, &pr.t0);
	if (isatty(STDERR_FILENO)) {
		o.progress = show_progress;
		o.pctx = &pr;
	}
	c = import_run(ctx->st, ctx->actor, &o, file_read, f, &rep, &e);
	if (f != stdin)
		fclose(f);
	if (pr.shown)
		fputs("\n", stderr);
	if (ctx->json && c == AT_OK) {
		rc = cli_json_print(import_report_json(&rep, NULL));
	} else if (ctx->json) {
		/* The refusal as usual, and the report beside the error. */
		struct cli_ctx plain = *ctx;
		json_t *j;
		plain.json = 0;
		rc = cli_fail(&plain, c, &e);
		j = errors_to_json(&e);
		if (j && rep.ncols)
			json_object_set_new(j, "report", import_report_json(&rep, &e));
		cli_json_print(j);
	} else {
		if (!ctx->json && (c == AT_OK || rep.ncols))
			print_report(&rep, c == AT_OK);
		rc = c == AT_OK ? 0 : cli_fail(ctx, c, &e);
	}
	import_report_free(&rep);
	at_errors_free(&e);
	return rc;
}
