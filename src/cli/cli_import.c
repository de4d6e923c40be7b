/*
 * cli_import.c — `assettrack import assets FILE.csv [--dry-run]`.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/import.h"

/* Read a whole file into `b` (64 MiB cap, like the API).  0 or -1. */
static int slurp(const char *path, struct buf *b)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char chunk[65536];
	size_t n;
	int rc = 0;

	if (!f)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf_add(b, chunk, n) < 0) {
			rc = -1;
			errno = EFBIG;
			break;
		}
	}
	if (ferror(f))
		rc = -1;
	if (f != stdin)
		fclose(f);
	return rc;
}

int cli_cmd_import(struct cli_ctx *ctx, int argc, char **argv)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct import_result res;
	struct buf b;
	int dry = 0, npos = 0, rc;
	const struct cli_opt opts[] = { { "dry-run", NULL, &dry }, { NULL, NULL, NULL } };
	enum at_code c;

	ctx->usage = "import assets FILE.csv [--dry-run]";
	if (cli_parse(ctx, argc, argv, opts, &npos) < 0)
		return 2;
	if (cli_expect(ctx, npos, 2, 2))
		return 2;
	if (strcmp(argv[1], "assets") != 0)
		return cli_usage(ctx, "only 'import assets' exists, not 'import %s'", argv[1]);
	buf_init(&b, (size_t)64 << 20);
	if (slurp(argv[2], &b) < 0) {
		rc = cli_refuse(ctx, AT_INVALID, "cannot read %s: %s", argv[2],
		                errno == EFBIG ? "larger than 64 MiB" : strerror(errno));
		buf_free(&b);
		return rc;
	}
	if ((rc = cli_open(ctx)) != 0) {
		buf_free(&b);
		return rc;
	}
	c = import_assets(ctx->st, ctx->actor, b.data, b.len, dry, &res, &e);
	buf_free(&b);
	if (c != AT_OK) {
		rc = cli_fail(ctx, c, &e);
		at_errors_free(&e);
		return rc;
	}
	if (ctx->json) {
		cli_json_print(json_pack("{s:b, s:s, s:I, s:I, s:s?}", "dry_run", dry, "format",
		                         res.format, "rows", (json_int_t)res.rows, "created",
		                         (json_int_t)res.created, "batch_id",
		                         dry ? NULL : res.batch_id));
	} else if (dry) {
		printf("dry run: %zu rows (%s format) are valid; %zu assets would be created\n",
		       res.rows, res.format, res.created);
	} else {
		printf("imported %zu assets (%s format), batch %s\n", res.created, res.format,
		       res.batch_id);
	}
	at_errors_free(&e);
	return 0;
}
