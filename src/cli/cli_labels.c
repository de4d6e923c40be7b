/*
 * cli_labels.c — `labels asset TAG... | case NAME | holder ID|BADGE...
 * [--layout sheet|sheet-a4|thermal] --out FILE.pdf|.png|.svg [--force]`
 * (SPEC §6): a document of labels, each with a Code 128 and a QR code
 * whose text is exactly the tag, the slot label CASE/POS or the badge.
 *
 * Everything is resolved, laid out and rendered in memory first, so a
 * refusal never leaves a file behind; an existing file is replaced only
 * with --force, and then atomically (a temporary file renamed over it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/label.h"

/* Resolve the inputs of `kind` into `l`, in one read snapshot. */
static enum at_code gather(struct cli_ctx *ctx, const char *kind, int n, char **args,
                           struct label_list *l, struct at_errors *e)
{
	enum at_code c = db_read_begin(ctx->st, e);

	if (c != AT_OK)
		return c;
	if (strcmp(kind, "asset") == 0)
		c = label_add_assets(ctx->st, (const char *const *)args, (size_t)n, l, e);
	else if (strcmp(kind, "holder") == 0)
		c = label_add_holders(ctx->st, (const char *const *)args, (size_t)n, l, e);
	else
		c = label_add_case(ctx->st, args[0], l, e);
	db_read_end(ctx->st);
	return c;
}

/* Write all of `b` to `fd`; -1 with errno on failure. */
static int write_all(int fd, const struct buf *b)
{
	size_t done = 0;

	while (done < b->len) {
		ssize_t w = write(fd, b->data + done, b->len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		done += (size_t)w;
	}
	return fsync(fd);
}

/* The refusal for a file that could not be written: a path the user got
 * wrong is refused (1); a full or failing disk is a storage error (3). */
static int write_failed(struct cli_ctx *ctx, const char *path, int err)
{
	enum at_code c = (err == ENOENT || err == ENOTDIR || err == EACCES || err == EISDIR ||
	                  err == EROFS || err == EPERM) ? AT_INVALID : AT_STORAGE;

	return cli_refuse(ctx, c, "cannot write %s: %s", path, strerror(err));
}

/*
 * Write `b` to `path`: a new file only (O_EXCL), or with `force` a
 * temporary file beside it renamed over it, so a reader never sees half a
 * document.  Returns 0 or the exit code of the refusal it printed.
 */
static int save(struct cli_ctx *ctx, const char *path, const struct buf *b, int force)
{
	char tmp[4096];
	mode_t mask;
	int fd, err;

	if (!force) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd < 0 && errno == EEXIST)
			return cli_refuse(ctx, AT_CONFLICT, "%s exists; add --force to replace it", path);
		if (fd < 0)
			return write_failed(ctx, path, errno);
		if (write_all(fd, b) < 0) {
			err = errno;
			close(fd);
			unlink(path);
			return write_failed(ctx, path, err);
		}
		return close(fd) < 0 ? write_failed(ctx, path, errno) : 0;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path) >= (int)sizeof(tmp))
		return write_failed(ctx, path, ENAMETOOLONG);
	if ((fd = mkstemp(tmp)) < 0)
		return write_failed(ctx, path, errno);
	/* mkstemp makes the file 0600; a label sheet is no secret. */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) < 0 || write_all(fd, b) < 0) {
		err = errno;
		close(fd);
		unlink(tmp);
		return write_failed(ctx, path, err);
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		err = errno;
		unlink(tmp);
		return write_failed(ctx, path, err);
	}
	return 0;
}

static int print_result(struct cli_ctx *ctx, const char *path, const struct label_doc *d,
                        enum label_format f, size_t bytes)
{
	if (ctx->json)
		return cli_json_print(json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "file", path,
		                                 "format", label_format_ext(f), "layout",
		                                 label_layout_name(d->layout), "labels",
		                                 (json_int_t)d->nlabels, "pages",
		                                 (json_int_t)d->npages, "bytes", (json_int_t)bytes));
	printf("Wrote %zu label%s on %zu page%s to %s (%s: %s)\n", d->nlabels,
	       d->nlabels == 1 ? "" : "s", d->npages, d->npages == 1 ? "" : "s", path,
	       label_layout_name(d->layout), label_layout_title(d->layout));
	return 0;
}

int cli_cmd_labels(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *layout_s = NULL, *out = NULL, *kind;
	int force = 0, npos, rc;
	const struct cli_opt opts[] = { { "layout", &layout_s, NULL },
		                        { "out", &out, NULL },
		                        { "force", NULL, &force },
		                        { NULL, NULL, NULL } };
	struct at_errors e = AT_ERRORS_INIT;
	struct label_list l = LABEL_LIST_INIT;
	struct label_doc *d = NULL;
	enum label_layout layout = LABEL_SHEET;
	enum label_format f;
	struct buf b;
	enum at_code c;

	buf_init(&b, 0);
	if (cli_parse(ctx, argc, argv, opts, &npos) < 0 || cli_expect(ctx, npos, 2, -1))
		return 2;
	kind = argv[1];
	if (strcmp(kind, "asset") != 0 && strcmp(kind, "case") != 0 && strcmp(kind, "holder") != 0)
		return cli_usage(ctx, "labels for what: asset, case or holder, not '%s'", kind);
	if (strcmp(kind, "case") == 0 && npos != 2)
		return cli_usage(ctx, "labels case takes one case name");
	if (!out)
		return cli_usage(ctx, "--out FILE is required (FILE.pdf, FILE.png or FILE.svg)");
	if (label_format_of(out, &f) < 0)
		return cli_usage(ctx, "--out must end in .pdf, .png or .svg, not '%s'", out);
	if (layout_s && label_layout_parse(layout_s, &layout) < 0)
		return cli_usage(ctx, "--layout is sheet, sheet-a4 or thermal, not '%s'", layout_s);
	/* Said before any work: the answer would be the same after it. */
	if (!force && access(out, F_OK) == 0)
		return cli_refuse(ctx, AT_CONFLICT, "%s exists; add --force to replace it", out);
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	c = gather(ctx, kind, npos - 1, argv + 2, &l, &e);
	if (c == AT_OK)
		c = label_doc_build(&l, layout, &d, &e);
	if (c == AT_OK)
		c = label_render(d, f, &b, &e);
	if (c != AT_OK)
		rc = cli_fail(ctx, c, &e);
	else if ((rc = save(ctx, out, &b, force)) == 0)
		rc = print_result(ctx, out, d, f, b.len);
	label_doc_free(d);
	label_list_free(&l);
	buf_free(&b);
	at_errors_free(&e);
	return rc;
}
