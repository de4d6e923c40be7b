/*
 * cli_holder.c — holder add|list|show|update|deactivate|activate.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/encode.h"
#include "core/fields.h"
#include "core/holder.h"

/* Resolve the ID|BADGE argument; refuses (exit code) when it names no one
 * or two people. */
static int resolve(struct cli_ctx *ctx, const char *text, struct holder *h)
{
	char why[AT_MSG_MAX];
	enum at_code c = holder_resolve(ctx->st, text, h, why);

	return c == AT_OK ? 0 : cli_refuse(ctx, c, "%s", why);
}

/* Print a holder after a change: JSON object, or one line. */
static int print_holder(struct cli_ctx *ctx, const struct holder *h, const char *verb)
{
	if (ctx->json)
		return cli_json_print(holder_to_json(h));
	printf("%s holder #%lld %s", verb, (long long)h->id, h->name);
	if (h->badge[0])
		printf(" (badge %s)", h->badge);
	if (!h->active && strcmp(verb, "Deactivated") != 0)
		fputs(", inactive", stdout);
	fputc('\n', stdout);
	return 0;
}

/* `holder add NAME [--badge B] [--email E]`.  Several words of NAME are
 * joined with spaces, so `holder add Dana Ruiz` works without quotes. */
static int holder_add_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *badge = NULL, *email = NULL;
	const struct cli_opt opts[] = { { holder_fields[HF_BADGE].option, &badge, NULL },
		                        { holder_fields[HF_EMAIL].option, &email, NULL },
		                        { NULL, NULL, NULL } };
	struct at_errors e = AT_ERRORS_INIT;
	struct buf name;
	struct holder h;
	enum at_code c;
	int npos, rc, i;

	if (cli_parse(ctx, argc, argv, opts, &npos) < 0 || cli_expect(ctx, npos, 1, -1))
		return 2;
	buf_init(&name, AT_PERSON_MAX * 4);
	for (i = 1; i <= npos; i++)
		if ((i > 1 && buf_addc(&name, ' ') < 0) || buf_adds(&name, argv[i]) < 0) {
			rc = cli_refuse(ctx, AT_INVALID, "the name is longer than %d characters",
			                AT_PERSON_MAX);
			goto out;
		}
	if ((rc = cli_open(ctx)) != 0)
		goto out;
	c = holder_create(ctx->st, ctx->actor, name.data, badge, email, &h, &e);
	rc = c == AT_OK ? print_holder(ctx, &h, "Added") : cli_fail(ctx, c, &e);
out:
	buf_free(&name);
	at_errors_free(&e);
	return rc;
}

/* read_holders callback: one holder as a table row or a JSON item. */
static int holder_row(void *p, const struct holder *h)
{
	struct cli_list *x = p;
	char id[24];
	const char *cells[5];

	if (x->cli->json) {
		cli_jlist_add(&x->jl, holder_to_json(h));
		return 0;
	}
	snprintf(id, sizeof(id), "%lld", (long long)h->id);
	cells[0] = id;
	cells[1] = h->name;
	cells[2] = h->badge;
	cells[3] = h->email;
	cells[4] = h->active ? "yes" : "no";
	cli_table_row(&x->table, cells);
	return 0;
}

/* `holder list`: every holder, active or not, by id. */
static int holder_list_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char *const heads[] = { "ID", "NAME", "BADGE", "EMAIL", "ACTIVE" };
	struct at_errors e = AT_ERRORS_INIT;
	struct cli_list x;
	enum at_code c;
	int npos, rc;

	if (cli_parse(ctx, argc, argv, NULL, &npos) < 0 || cli_expect(ctx, npos, 0, 0))
		return 2;
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	cli_list_begin(&x, ctx, NULL, "holders", 5, heads);
	c = read_holders(ctx->st, 0, 0, holder_row, &x, &e);
	if (c != AT_OK)
		rc = cli_list_fail(&x, c, &e);
	else
		rc = cli_list_end(&x, "No holders yet; add one with 'assettrack holder add NAME'.");
	at_errors_free(&e);
	return rc;
}

struct held_ctx {
	json_t *assets;              /* --json: the list being built */
	struct buf lines;            /* text: the rows, printed once all are read */
	size_t n;
	int failed;                  /* out of memory: the list is incomplete */
};

/* read_holder_assets callback for `holder show`: one held asset, kept as
 * a JSON item or a text line until the whole list is read (non-zero stops
 * on out of memory). */
static int held_row(void *p, const struct asset *a)
{
	struct held_ctx *x = p;

	x->n++;
	if (x->assets)
		x->failed = json_array_append_new(x->assets, asset_to_json(a)) < 0;
	else
		x->failed = buf_printf(&x->lines, "  %-20s due %-10s  since %.10s\n", a->tag,
		                       a->due[0] ? a->due : "-", a->custody_since) < 0;
	return x->failed;
}

/* `holder show ID|BADGE`: the holder and what they hold now, from one
 * read snapshot; nothing is printed unless both reads succeeded. */
static int holder_show_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct held_ctx x;
	struct holder h;
	json_t *o = NULL;
	char id[24];
	enum at_code c;
	int npos, rc;

	memset(&x, 0, sizeof(x));
	buf_init(&x.lines, 0);
	if (cli_parse(ctx, argc, argv, NULL, &npos) < 0 || cli_expect(ctx, npos, 1, 1))
		return 2;
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	if ((c = db_read_begin(ctx->st, &e)) != AT_OK) {
		rc = cli_fail(ctx, c, &e);
		goto out;
	}
	if ((rc = resolve(ctx, argv[1], &h)) != 0)
		goto out;
	if (ctx->json) {
		/* What one person holds is small; build it whole. */
		o = holder_to_json(&h);
		x.assets = json_array();
		if (!o || !x.assets || json_object_set_new(o, "assets", x.assets) < 0) {
			if (o == NULL)
				json_decref(x.assets);
			rc = cli_json_print(NULL);
			goto out;
		}
	}
	c = read_holder_assets(ctx->st, h.id, held_row, &x, &e);
	if (c == AT_OK && x.failed)
		c = at_fail(&e, AT_INTERNAL, "out of memory listing what %s holds", h.name);
	if (c != AT_OK) {
		rc = cli_fail(ctx, c, &e);
		goto out;
	}
	if (ctx->json) {
		rc = cli_json_print(o);
		o = NULL;
		goto out;
	}
	snprintf(id, sizeof(id), "%lld", (long long)h.id);
	cli_fact("Holder", id);
	cli_fact("Name", h.name);
	cli_fact("Badge", h.badge);
	cli_fact("Email", h.email);
	cli_fact("Active", h.active ? "yes" : "no");
	cli_fact("Created", h.created_at);
	cli_fact("Updated", h.updated_at);
	puts("Holds:");
	fputs(x.n ? x.lines.data : "  nothing\n", stdout);
out:
	db_read_end(ctx->st);
	json_decref(o);
	buf_free(&x.lines);
	at_errors_free(&e);
	return rc;
}

/* Apply an update to the holder named by argv[1]; `active` -1 keeps it. */
static int update_one(struct cli_ctx *ctx, const char *who, const char *name,
                      const char *badge, const char *email, int active, const char *verb)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct holder h;
	enum at_code c;
	int rc;

	if ((rc = cli_open(ctx)) != 0 || (rc = resolve(ctx, who, &h)) != 0)
		return rc;
	c = holder_update(ctx->st, ctx->actor, h.id, name, badge, email, active, &h, &e);
	rc = c == AT_OK ? print_holder(ctx, &h, verb) : cli_fail(ctx, c, &e);
	at_errors_free(&e);
	return rc;
}

/* `holder update ID|BADGE [--name N] [--badge B] [--email E]`; an empty
 * --badge or --email clears it. */
static int holder_update_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *name = NULL, *badge = NULL, *email = NULL;
	const struct cli_opt opts[] = { { holder_fields[HF_NAME].option, &name, NULL },
		                        { holder_fields[HF_BADGE].option, &badge, NULL },
		                        { holder_fields[HF_EMAIL].option, &email, NULL },
		                        { NULL, NULL, NULL } };
	int npos;

	if (cli_parse(ctx, argc, argv, opts, &npos) < 0 || cli_expect(ctx, npos, 1, 1))
		return 2;
	if (!name && !badge && !email)
		return cli_usage(ctx, "nothing to change: give --name, --badge or --email");
	return update_one(ctx, argv[1], name, badge, email, -1, "Updated");
}

/* `holder deactivate ID|BADGE`: refused while they still hold assets. */
static int holder_deactivate_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	int npos;

	if (cli_parse(ctx, argc, argv, NULL, &npos) < 0 || cli_expect(ctx, npos, 1, 1))
		return 2;
	return update_one(ctx, argv[1], NULL, NULL, NULL, 0, "Deactivated");
}

/* `holder activate ID|BADGE`: undo a deactivation. */
static int holder_activate_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	int npos;

	if (cli_parse(ctx, argc, argv, NULL, &npos) < 0 || cli_expect(ctx, npos, 1, 1))
		return 2;
	return update_one(ctx, argv[1], NULL, NULL, NULL, 1, "Activated");
}

const struct cli_command cli_holder_commands[] = {
	{ "add", holder_add_cmd, "holder add NAME [--badge B] [--email E]" },
	{ "list", holder_list_cmd, "holder list" },
	{ "show", holder_show_cmd, "holder show ID|BADGE" },
	{ "update", holder_update_cmd,
	  "holder update ID|BADGE [--name N] [--badge B] [--email E]   ('' clears)" },
	{ "deactivate", holder_deactivate_cmd, "holder deactivate ID|BADGE" },
	{ "activate", holder_activate_cmd, "holder activate ID|BADGE" },
	{ NULL, NULL, NULL },
};

/* `holder ...`: dispatch to cli_holder_commands. */
int cli_cmd_holder(struct cli_ctx *ctx, int argc, char **argv)
{
	return cli_dispatch(ctx, argc, argv, cli_holder_commands);
}
