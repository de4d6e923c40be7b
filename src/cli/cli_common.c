/*
 * cli_common.c — what every command shares: the database, the actor, option
 * parsing, refusals and the text/JSON output helpers.
 */
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/encode.h"

/* ==== context and dispatch ============================================ */

void cli_set_actor(struct cli_ctx *ctx)
{
	uid_t uid = geteuid();
	struct passwd *pw = getpwuid(uid);
	const char *user = getenv("USER");

	if (pw && pw->pw_name && *pw->pw_name)
		snprintf(ctx->actor, sizeof(ctx->actor), "cli:%s", pw->pw_name);
	else if (user && *user)
		snprintf(ctx->actor, sizeof(ctx->actor), "cli:%s", user);
	else
		snprintf(ctx->actor, sizeof(ctx->actor), "cli:%lu", (unsigned long)uid);
}

int cli_open(struct cli_ctx *ctx)
{
	struct at_errors e = AT_ERRORS_INIT;
	enum at_code c;
	int rc = 0;

	if (ctx->st)
		return 0;
	c = db_open(ctx->db_path, DB_CREATE, &ctx->st, &e);
	if (c != AT_OK)
		rc = cli_fail(ctx, c, &e);
	at_errors_free(&e);
	return rc;
}

void cli_print_family_usage(FILE *fp, const struct cli_command *table)
{
	for (; table->name; table++)
		fprintf(fp, "  assettrack %s\n", table->usage);
}

int cli_dispatch(struct cli_ctx *ctx, int argc, char **argv, const struct cli_command *table)
{
	const struct cli_command *c;

	if (argc < 2) {
		fprintf(stderr, "assettrack: '%s' needs a subcommand\nusage:\n", argv[0]);
		cli_print_family_usage(stderr, table);
		return 2;
	}
	for (c = table; c->name; c++) {
		if (strcmp(c->name, argv[1]) == 0) {
			ctx->usage = c->usage;
			return c->fn(ctx, argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "assettrack: unknown command '%s %s'\nusage:\n", argv[0], argv[1]);
	cli_print_family_usage(stderr, table);
	return 2;
}

/* ==== option parsing ================================================== */

int cli_usage(struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	fputs("assettrack: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (ctx->usage)
		fprintf(stderr, "usage: assettrack %s\n", ctx->usage);
	return 2;
}

/* Is `a` an option rather than a positional argument?  A lone "-" and
 * negative numbers are positional, so "slot assign X C -1" gets the
 * position's own error instead of "unknown option". */
static int is_option(const char *a)
{
	return a[0] == '-' && a[1] != '\0' && !(a[1] >= '0' && a[1] <= '9');
}

int cli_parse(struct cli_ctx *ctx, int argc, char **argv, const struct cli_opt *opts,
              int *npos)
{
	int i, w = 1, options_done = 0;

	for (i = 1; i < argc; i++) {
		char *a = argv[i];
		const struct cli_opt *o;
		const char *name, *eq;
		size_t len;

		if (options_done || !is_option(a)) {
			argv[w++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			options_done = 1;
			continue;
		}
		if (a[1] != '-') {
			cli_usage(ctx, "unknown option '%s'", a);
			return -1;
		}
		name = a + 2;
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		for (o = opts; o && o->name; o++)
			if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
				break;
		if (!o || !o->name) {
			cli_usage(ctx, "unknown option '--%.*s'", (int)len, name);
			return -1;
		}
		if (o->flag) {
			if (eq) {
				cli_usage(ctx, "option --%s takes no value", o->name);
				return -1;
			}
			*o->flag = 1;
			continue;
		}
		if (*o->value) {
			cli_usage(ctx, "option --%s given twice", o->name);
			return -1;
		}
		if (eq) {
			*o->value = eq + 1;
		} else if (i + 1 < argc) {
			*o->value = argv[++i];
		} else {
			cli_usage(ctx, "option --%s needs a value", o->name);
			return -1;
		}
	}
	*npos = w - 1;
	return 0;
}

int cli_take_repeated(struct cli_ctx *ctx, int *argc, char **argv, const struct cli_opt *opts,
                      const char *name, const char **out, int max)
{
	size_t nlen = strlen(name);
	int i, w = 1, n = 0;

	for (i = 1; i < *argc; i++) {
		char *a = argv[i];
		const char *eq;
		size_t len;

		if (strcmp(a, "--") == 0) {
			/* Positional from here on: kept as they are. */
			for (; i < *argc; i++)
				argv[w++] = argv[i];
			break;
		}
		if (!is_option(a) || a[1] != '-') {
			argv[w++] = a;
			continue;
		}
		eq = strchr(a + 2, '=');
		len = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
		if (len == nlen && strncmp(a + 2, name, len) == 0) {
			if (!eq && i + 1 >= *argc) {
				cli_usage(ctx, "option --%s needs a value", name);
				return -1;
			}
			if (n == max) {
				cli_usage(ctx, "option --%s is given more than %d times", name, max);
				return -1;
			}
			out[n++] = eq ? eq + 1 : argv[++i];
			continue;
		}
		argv[w++] = a;
		/* Another option's value stays with it, whatever it looks like. */
		for (const struct cli_opt *o = opts; !eq && o && o->name; o++)
			if (o->value && strlen(o->name) == len && strncmp(o->name, a + 2, len) == 0 &&
			    i + 1 < *argc) {
				argv[w++] = argv[++i];
				break;
			}
	}
	*argc = w;
	return n;
}

int cli_expect(struct cli_ctx *ctx, int npos, int min, int max)
{
	if (npos < min)
		return cli_usage(ctx, "missing argument");
	if (max >= 0 && npos > max)
		return cli_usage(ctx, "too many arguments");
	return 0;
}

int cli_number(struct cli_ctx *ctx, const char *what, const char *s, int64_t min, int64_t max,
               int64_t *out)
{
	int64_t v;

	if (text_parse_int(s, INT64_MIN, INT64_MAX, &v) < 0) {
		cli_usage(ctx, "%s must be a whole number, not '%s'", what, s);
		return -1;
	}
	if (v < min || v > max) {
		cli_usage(ctx, "%s must be from %lld to %lld, not %s", what, (long long)min,
		          (long long)max, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* ==== reporting outcomes ============================================== */

/* Does `msg` already begin with `input`, so printing both repeats it? */
static int starts_with(const char *msg, const char *input)
{
	size_t n = strlen(input);

	return n && strncmp(msg, input, n) == 0;
}

int cli_fail(struct cli_ctx *ctx, enum at_code c, const struct at_errors *e)
{
	struct at_errors shown = AT_ERRORS_INIT;
	size_t i;

	if (c == AT_OK)
		c = AT_INTERNAL; /* a failure without a code is still a failure */
	if (e)
		shown = *e; /* shallow: items stay borrowed, never freed here */
	shown.code = c;
	if (!shown.message[0])
		snprintf(shown.message, sizeof(shown.message), "refused: %s", at_code_name(c));
	fprintf(stderr, "assettrack: %s\n", shown.message);
	/* A single-item batch already has its item as the top message. */
	if (!(shown.nitems == 1 && strcmp(shown.items[0].message, shown.message) == 0)) {
		for (i = 0; i < shown.nitems; i++) {
			const struct at_item_error *it = &shown.items[i];
			if (it->input[0] && !starts_with(it->message, it->input))
				fprintf(stderr, "  %s: %s\n", it->input, it->message);
			else
				fprintf(stderr, "  %s\n", it->message);
		}
	}
	if (ctx && ctx->json)
		cli_json_print(errors_to_json(&shown));
	return at_code_exit(c) ? at_code_exit(c) : 3;
}

int cli_refuse(struct cli_ctx *ctx, enum at_code c, const char *fmt, ...)
{
	struct at_errors e = AT_ERRORS_INIT;
	va_list ap;

	e.code = c;
	va_start(ap, fmt);
	vsnprintf(e.message, sizeof(e.message), fmt, ap);
	va_end(ap);
	return cli_fail(ctx, c, &e);
}

int cli_json_print(json_t *j)
{
	int rc = 0;

	if (!j) {
		fputs("assettrack: out of memory building the JSON answer\n", stderr);
		return 3;
	}
	if (json_dumpf(j, stdout, JSON_INDENT(2)) < 0 || fputc('\n', stdout) == EOF)
		rc = 3;
	json_decref(j);
	return rc;
}

/* ==== streamed JSON lists ============================================= */

void cli_jlist_begin(struct cli_jlist *l, json_t *head, const char *key)
{
	memset(l, 0, sizeof(*l));
	l->key = key;
	if (head && json_object_size(head) > 0) {
		l->head = json_dumps(head, 0);
		if (!l->head)
			l->failed = 1;
	}
}

/* Print `{<head members>, "<key>": [` once: on the first item or at a
 * successful end, never before the read has produced something. */
static void jlist_open(struct cli_jlist *l)
{
	size_t n;

	if (l->opened)
		return;
	l->opened = 1;
	if (l->head && (n = strlen(l->head)) >= 2 && l->head[n - 1] == '}') {
		/* Reopen the head object to append the list as its last member. */
		l->head[n - 1] = '\0';
		fputs(l->head, stdout);
		fputs(", ", stdout);
	} else {
		if (l->head)
			l->failed = 1;
		fputc('{', stdout);
	}
	free(l->head);
	l->head = NULL;
	fprintf(stdout, "\"%s\": [", l->key);
}

void cli_jlist_add(struct cli_jlist *l, json_t *item)
{
	if (!item) {
		l->failed = 1;
		return;
	}
	jlist_open(l);
	/* One item per line: readable, and greppable in a pipeline. */
	fputs(l->n ? ",\n" : "\n", stdout);
	if (json_dumpf(item, stdout, 0) < 0)
		l->failed = 1;
	json_decref(item);
	l->n++;
}

int cli_jlist_end(struct cli_jlist *l)
{
	jlist_open(l);
	fputs(l->n ? "\n]}\n" : "]}\n", stdout);
	if (l->failed)
		fputs("assettrack: some rows could not be encoded as JSON\n", stderr);
	return l->failed ? 3 : 0;
}

void cli_jlist_abandon(struct cli_jlist *l)
{
	free(l->head);
	l->head = NULL;
	/* End the last streamed item's line, so the error object that
	 * follows starts on its own. */
	if (l->opened)
		fputc('\n', stdout);
}

/* ==== text tables ===================================================== */

/* Columns a UTF-8 string takes on a terminal (code points; good enough
 * for the names and tags we print). */
static size_t display_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

void cli_table_init(struct cli_table *t, size_t ncols, const char *const *heads)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	if (ncols > CLI_TABLE_MAXCOLS)
		ncols = CLI_TABLE_MAXCOLS;
	t->ncols = ncols;
	t->heads = heads;
	buf_init(&t->cells, 0);
	for (i = 0; i < ncols; i++)
		t->width[i] = display_width(heads[i]);
}

/* What a cell shows: the text, or "-" for nothing. */
static const char *cell_text(const char *s)
{
	return (s && *s) ? s : "-";
}

/* Print one row padded to the table's column widths. */
static void print_row(const struct cli_table *t, const char *const *cells)
{
	size_t i, w;

	for (i = 0; i < t->ncols; i++) {
		const char *s = cell_text(cells[i]);
		fputs(s, stdout);
		if (i + 1 == t->ncols)
			break; /* no trailing blanks after the last column */
		/* Pad to the column width, then the two-space gutter. */
		for (w = display_width(s); w < t->width[i]; w++)
			fputc(' ', stdout);
		fputs("  ", stdout);
	}
	fputc('\n', stdout);
}

/* Print the header and every buffered row; from now on rows stream. */
static void table_flush(struct cli_table *t)
{
	const char *cells[CLI_TABLE_MAXCOLS];
	const char *p = t->cells.data;
	size_t r, i;

	print_row(t, t->heads);
	for (r = 0; r < t->nbuffered; r++) {
		for (i = 0; i < t->ncols; i++) {
			cells[i] = p;
			p += strlen(p) + 1;
		}
		print_row(t, cells);
	}
	buf_free(&t->cells);
	buf_init(&t->cells, 0);
	t->nbuffered = 0;
	t->streaming = 1;
}

void cli_table_row(struct cli_table *t, const char *const *cells)
{
	size_t i, w, mark = t->cells.len;

	t->rows++;
	if (t->streaming) {
		print_row(t, cells);
		return;
	}
	for (i = 0; i < t->ncols; i++) {
		const char *s = cell_text(cells[i]);
		w = display_width(s);
		if (w > CLI_TABLE_MAXWIDTH)
			w = CLI_TABLE_MAXWIDTH;
		if (w > t->width[i])
			t->width[i] = w;
		if (buf_add(&t->cells, s, strlen(s) + 1) < 0) {
			/* Out of memory: drop this row's partial cells, print
			 * the complete rows and stream from here on. */
			t->cells.len = mark;
			t->cells.data[mark] = '\0';
			table_flush(t);
			print_row(t, cells);
			return;
		}
	}
	t->nbuffered++;
	if (t->nbuffered >= CLI_TABLE_BUFFER)
		table_flush(t);
}

size_t cli_table_end(struct cli_table *t)
{
	size_t rows = t->rows;

	if (!t->streaming && t->nbuffered > 0)
		table_flush(t);
	buf_free(&t->cells);
	return rows;
}

/* Drop the rows still buffered (the read behind them failed); rows that
 * already streamed cannot be taken back. */
static void table_abandon(struct cli_table *t)
{
	buf_free(&t->cells);
	t->nbuffered = 0;
}

void cli_fact(const char *label, const char *value)
{
	const char *v = (value && *value) ? value : "-";
	const char *nl;
	char head[64];
	int first = 1;

	snprintf(head, sizeof(head), "%s:", label);
	do {
		nl = strchr(v, '\n');
		printf("%-16s", first ? head : "");
		printf("%.*s\n", nl ? (int)(nl - v) : (int)strlen(v), v);
		first = 0;
		if (nl)
			v = nl + 1;
	} while (nl);
}

void cli_asset_where(const struct asset *a, char *out, size_t cap)
{
	switch (a->state) {
	case ASSET_IN_CUSTODY:
		snprintf(out, cap, "with %s (#%lld)", a->holder_name, (long long)a->holder_id);
		break;
	case ASSET_RETIRED:
		snprintf(out, cap, "retired");
		break;
	default:
		if (a->case_id)
			snprintf(out, cap, "%s/%d", a->case_name, a->position);
		else
			snprintf(out, cap, "unslotted");
	}
}

const char *cli_upper(const char *in, char *out, size_t cap)
{
	size_t i;

	if (!cap)
		return out;
	for (i = 0; in[i] && i + 1 < cap; i++)
		out[i] = (in[i] >= 'a' && in[i] <= 'z') ? (char)(in[i] - 'a' + 'A') : in[i];
	out[i] = '\0';
	return out;
}

void cli_list_begin(struct cli_list *l, struct cli_ctx *ctx, json_t *head, const char *key,
                    size_t ncols, const char *const *heads)
{
	memset(l, 0, sizeof(*l));
	l->cli = ctx;
	if (ctx->json)
		cli_jlist_begin(&l->jl, head, key);
	else
		cli_table_init(&l->table, ncols, heads);
}

int cli_list_end(struct cli_list *l, const char *empty)
{
	if (l->cli->json)
		return cli_jlist_end(&l->jl);
	if (cli_table_end(&l->table) == 0 && empty)
		puts(empty);
	return 0;
}

int cli_list_fail(struct cli_list *l, enum at_code c, const struct at_errors *e)
{
	if (l->cli->json)
		cli_jlist_abandon(&l->jl);
	else
		table_abandon(&l->table);
	return cli_fail(l->cli, c, e);
}

/* ==== progress ========================================================= */

static void cli_progress(void *pctx, const char *phase, int64_t done, int64_t total)
{
	(void)pctx;
	if (strcmp(phase, "done") == 0)
		fprintf(stderr, "\r%72s\r", "");
	else if (total > 0)
		fprintf(stderr, "\r%s: %lld of %lld   ", phase, (long long)done, (long long)total);
	else
		fprintf(stderr, "\r%s...   ", phase);
}

cli_progress_fn cli_progress_tty(void)
{
	return isatty(STDERR_FILENO) ? cli_progress : NULL;
}
