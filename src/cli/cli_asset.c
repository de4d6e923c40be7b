/*
 * cli_asset.c — asset add|update|show|list|retire (history: cli_events.c).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/asset.h"
#include "core/encode.h"
#include "core/fields.h"
#include "core/place.h"

/* The metadata options shared by add and update, declared once. */
struct meta_opts {
	struct asset_input in;
	const char *slot;            /* --slot N (add) */
	/* --attr NAME=VALUE, repeatable ("NAME=" removes on update) */
	const char *attr_args[AT_ATTR_COUNT_MAX * 2];
	struct attr_change attrs[AT_ATTR_COUNT_MAX * 2];
	char attr_buf[AT_ATTR_COUNT_MAX * 2][AT_ATTR_NAME_MAX + AT_ATTR_VALUE_MAX + 64];
};

/* Take the --attr options out of argv into m->in.attrs (before
 * cli_parse sees the others).  0, or 2 after a usage error. */
static int take_attrs(struct cli_ctx *ctx, int *argc, char **argv, const struct cli_opt *opts,
                      struct meta_opts *m)
{
	int n = cli_take_repeated(ctx, argc, argv, opts, "attr", m->attr_args,
	                          AT_ATTR_COUNT_MAX * 2);

	if (n < 0)
		return 2;
	for (int i = 0; i < n; i++)
		if (attrs_parse_arg(m->attr_args[i], m->attr_buf[i], sizeof(m->attr_buf[i]),
		                    &m->attrs[i]) < 0)
			return cli_usage(ctx, "--attr takes NAME=VALUE (NAME= removes it), not '%.80s'",
			                 m->attr_args[i]);
	m->in.attrs = m->attrs;
	m->in.nattrs = (size_t)n;
	return 0;
}

/*
 * The metadata options, from core/fields.h (--serial, --manufacturer,
 * --type, --building, --room, --model, --model-code, --notes, --condition;
 * --tag on add), each writing its field of m->in; then `extra`.  `out`
 * has room for AF__MAX + 3 options and the terminator.
 */
static void meta_opts(struct meta_opts *m, int with_tag, const struct cli_opt *extra,
                      struct cli_opt *out)
{
	size_t n = 0;

	for (int i = 0; i < AF__MAX; i++) {
		if (i == AF_TAG && !with_tag)
			continue;
		out[n++] = (struct cli_opt){ asset_fields[i].option,
			                     asset_input_field(&m->in, &asset_fields[i]), NULL };
	}
	for (; extra && extra->name; extra++)
		out[n++] = *extra;
	out[n] = (struct cli_opt){ NULL, NULL, NULL };
}

/* Was any field option given? */
static int meta_given(const struct meta_opts *m)
{
	if (m->in.nattrs)
		return 1;
	for (int i = 0; i < AF__MAX; i++)
		if (i != AF_TAG && asset_input_get(&m->in, &asset_fields[i]))
			return 1;
	return 0;
}

/* Print an asset after a change: JSON object, or one line. */
static int print_asset(struct cli_ctx *ctx, const struct asset *a, const char *verb)
{
	char where[AT_MSG_MAX];

	if (ctx->json)
		return cli_json_print(asset_to_json(a));
	asset_whereabouts(a, where, sizeof(where));
	printf("%s %s: %s, %s\n", verb, a->tag, where, asset_condition_name(a->condition));
	return 0;
}

/* `asset add --tag T --serial S --manufacturer M --type E --building B
 * --room R [--model X] [--model-code X] [--notes X] [--condition C]
 * [--case C --slot N]`.  Missing required fields are core's to report, all
 * at once, like the API does. */
static int asset_add_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	struct meta_opts m = { 0 };
	char cond[16];
	const struct cli_opt slot_opts[] = { { "case", &m.in.slot_case, NULL },
		                             { "slot", &m.slot, NULL },
		                             { NULL, NULL, NULL } };
	struct cli_opt opts[AF__MAX + 3];
	struct at_errors e = AT_ERRORS_INIT;
	struct asset a;
	enum at_code c;
	int64_t pos = 0;
	int npos, rc;

	meta_opts(&m, 1, slot_opts, opts);
	if (take_attrs(ctx, &argc, argv, opts, &m))
		return 2;
	if (cli_parse(ctx, argc, argv, opts, &npos) < 0 || cli_expect(ctx, npos, 0, 0))
		return 2;
	if (m.in.condition)
		m.in.condition = cli_upper(m.in.condition, cond, sizeof(cond));
	if (!m.in.slot_case != !m.slot)
		return cli_usage(ctx, "--case and --slot go together: both or neither");
	if (m.slot && cli_number(ctx, "--slot", m.slot, INT32_MIN, INT32_MAX, &pos) < 0)
		return 2;
	m.in.slot_position = (int)pos;
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	c = asset_create(ctx->st, ctx->actor, &m.in, &a, &e);
	rc = c == AT_OK ? print_asset(ctx, &a, "Added") : cli_fail(ctx, c, &e);
	at_errors_free(&e);
	return rc;
}

/* `asset update TAG [--serial S] ...`: only the given fields change; an
 * empty value clears an optional field. */
static int asset_update_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	struct meta_opts m = { 0 };
	char cond[16];
	struct cli_opt opts[AF__MAX + 1];
	struct at_errors e = AT_ERRORS_INIT;
	struct asset a;
	enum at_code c;
	int npos, rc;

	meta_opts(&m, 0, NULL, opts);
	if (take_attrs(ctx, &argc, argv, opts, &m))
		return 2;
	if (cli_parse(ctx, argc, argv, opts, &npos) < 0 || cli_expect(ctx, npos, 1, 1))
		return 2;
	if (m.in.condition)
		m.in.condition = cli_upper(m.in.condition, cond, sizeof(cond));
	if (!meta_given(&m))
		return cli_usage(ctx, "nothing to change: give at least one field option");
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	c = asset_update(ctx->st, ctx->actor, argv[1], &m.in, &a, &e);
	rc = c == AT_OK ? print_asset(ctx, &a, "Updated") : cli_fail(ctx, c, &e);
	at_errors_free(&e);
	return rc;
}

/* `asset retire TAG --reason R`. */
static int asset_retire_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *reason = NULL;
	const struct cli_opt opts[] = { { "reason", &reason, NULL }, { NULL, NULL, NULL } };
	struct at_errors e = AT_ERRORS_INIT;
	struct asset a;
	enum at_code c;
	int npos, rc;

	if (cli_parse(ctx, argc, argv, opts, &npos) < 0 || cli_expect(ctx, npos, 1, 1))
		return 2;
	if (!reason)
		return cli_usage(ctx, "--reason is required: say why the asset is retired");
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	c = asset_retire(ctx->st, ctx->actor, argv[1], reason, &a, &e);
	rc = c == AT_OK ? print_asset(ctx, &a, "Retired") : cli_fail(ctx, c, &e);
	at_errors_free(&e);
	return rc;
}

/* attrs_each callback: "Attributes:     NAME: VALUE", one per line, the
 * later ones under the first; a value's own lines indented under it. */
static int print_attr(void *ctx, const char *name, const char *value)
{
	int *n = ctx;
	const char *nl;

	printf("%-16s%s: ", (*n)++ ? "" : "Attributes:", name);
	while ((nl = strchr(value, '\n')) != NULL) {
		printf("%.*s\n%-16s  ", (int)(nl - value), value, "");
		value = nl + 1;
	}
	printf("%s\n", value);
	return 0;
}

/* `asset show TAG`: typed or scanned, exact tag first, else match key. */
static int asset_show_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	char why[AT_MSG_MAX], buf[AT_MSG_MAX];
	struct asset a;
	enum at_code c;
	int npos, rc;

	if (cli_parse(ctx, argc, argv, NULL, &npos) < 0 || cli_expect(ctx, npos, 1, 1))
		return 2;
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	c = asset_resolve(ctx->st, argv[1], &a, NULL, why);
	if (c != AT_OK)
		return cli_refuse(ctx, c, "%s", why);
	if (ctx->json)
		return cli_json_print(asset_to_json(&a));
	cli_fact("Asset tag", a.tag);
	cli_fact("Serial number", a.serial);
	cli_fact("Manufacturer", a.manufacturer);
	cli_fact("Type", a.equipment_type);
	cli_fact("Model", a.model);
	cli_fact("Model code", a.model_code);
	cli_fact("Building", a.building);
	cli_fact("Room", a.room);
	cli_fact("Notes", a.notes);
	cli_fact("State", asset_state_name(a.state));
	cli_fact("Condition", asset_condition_name(a.condition));
	switch (a.state) {
	case ASSET_IN_CUSTODY:
		snprintf(buf, sizeof(buf), "%s (#%lld)", a.holder_name, (long long)a.holder_id);
		cli_fact("Holder", buf);
		cli_fact("Custody since", a.custody_since);
		cli_fact("Due", a.due[0] ? a.due : "no due date");
		if (a.last_case_id) {
			snprintf(buf, sizeof(buf), "%s/%d", a.last_case_name, a.last_position);
			cli_fact("Returns to", buf);
		}
		break;
	case ASSET_RETIRED:
		cli_fact("Retired", a.retired_at);
		break;
	default:
		asset_slot_label(&a, buf, sizeof(buf));
		cli_fact("Slot", buf[0] ? buf : "none (unslotted)");
	}
	cli_fact("Created", a.created_at);
	cli_fact("Updated", a.updated_at);
	attrs_each(a.attributes, print_attr, &(int){ 0 });
	return 0;
}

/* read_assets callback: one asset as a table row or a JSON item. */
static int asset_row(void *p, const struct asset *a)
{
	struct cli_list *x = p;
	char where[AT_PERSON_MAX + 32];
	const char *cells[7];

	if (x->cli->json) {
		cli_jlist_add(&x->jl, asset_to_json(a));
		return 0;
	}
	cli_asset_where(a, where, sizeof(where));
	cells[0] = a->tag;
	cells[1] = asset_state_name(a->state);
	cells[2] = asset_condition_name(a->condition);
	cells[3] = a->equipment_type;
	cells[4] = a->model;
	cells[5] = a->serial;
	cells[6] = where;
	cli_table_row(&x->table, cells);
	return 0;
}

/* `asset list [--state S] [--q TEXT] [--case NAME] [--unslotted]
 * [--limit N]`: by tag, streamed. */
static int asset_list_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char *const heads[] = { "TAG",   "STATE",  "CONDITION", "TYPE",
		                             "MODEL", "SERIAL", "WHERE" };
	const char *state = NULL, *q = NULL, *limit = NULL, *case_name = NULL;
	int unslotted = 0;
	const struct cli_opt opts[] = { { "state", &state, NULL },   { "q", &q, NULL },
		                        { "limit", &limit, NULL },   { "case", &case_name, NULL },
		                        { "unslotted", NULL, &unslotted }, { NULL, NULL, NULL } };
	struct at_errors e = AT_ERRORS_INIT;
	struct cli_list x;
	struct asset_filter f;
	enum at_code r;
	char ustate[16];
	int64_t n = 0;
	int npos, rc;

	memset(&f, 0, sizeof(f));
	if (cli_parse(ctx, argc, argv, opts, &npos) < 0 || cli_expect(ctx, npos, 0, 0))
		return 2;
	if (state) {
		if (asset_state_parse(cli_upper(state, ustate, sizeof(ustate)), &f.state) < 0)
			return cli_usage(ctx, "--state must be STORAGE, IN_CUSTODY or RETIRED, not '%s'",
			                 state);
		f.has_state = 1;
	}
	if (limit && cli_number(ctx, "--limit", limit, 0, INT32_MAX, &n) < 0)
		return 2;
	f.limit = (int)n;
	f.q = q;
	f.unslotted = unslotted;
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	if (case_name && (r = read_case_id(ctx->st, case_name, &f.case_id, &e)) != AT_OK) {
		rc = cli_fail(ctx, r, &e);
		goto out;
	}
	cli_list_begin(&x, ctx, NULL, "assets", 7, heads);
	r = read_assets(ctx->st, &f, asset_row, &x, &e);
	rc = r == AT_OK ? cli_list_end(&x, "No assets match.") : cli_list_fail(&x, r, &e);
out:
	at_errors_free(&e);
	return rc;
}

const struct cli_command cli_asset_commands[] = {
	{ "add", asset_add_cmd,
	  "asset add --tag T --serial S --manufacturer M --type E --building B --room R\n"
	  "            [--model X] [--model-code X] [--notes X] [--condition C] "
	  "[--case C --slot N]\n"
	  "            [--attr NAME=VALUE]..." },
	{ "update", asset_update_cmd,
	  "asset update TAG [--serial S] [--manufacturer M] [--type E] [--building B]\n"
	  "            [--room R] [--model X] [--model-code X] [--notes X] [--condition C]\n"
	  "            [--attr NAME=VALUE]... (NAME= removes it)" },
	{ "show", asset_show_cmd, "asset show TAG" },
	{ "list", asset_list_cmd,
	  "asset list [--state S] [--q TEXT] [--case NAME] [--unslotted] [--limit N]" },
	{ "retire", asset_retire_cmd, "asset retire TAG --reason R" },
	{ "history", cli_asset_history, "asset history TAG" },
	{ NULL, NULL, NULL },
};

/* `asset ...`: dispatch to cli_asset_commands. */
int cli_cmd_asset(struct cli_ctx *ctx, int argc, char **argv)
{
	return cli_dispatch(ctx, argc, argv, cli_asset_commands);
}
