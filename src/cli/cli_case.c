/*
 * cli_case.c — case add|resize|update|show|list.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/fields.h"
#include "core/encode.h"
#include "core/place.h"

/* Print a case after a change: JSON object, or one line. */
static int print_case(struct cli_ctx *ctx, const struct case_info *c, const char *verb)
{
	if (ctx->json)
		return cli_json_print(case_to_json(c));
	printf("%s case %s: %d slot%s", verb, c->name, c->slot_count, c->slot_count == 1 ? "" : "s");
	if (c->building[0] || c->room[0])
		printf(", %s%s%s", c->building, c->building[0] && c->room[0] ? " / " : "", c->room);
	fputc('\n', stdout);
	return 0;
}

/* Parse --slots; the range (1..1000, grow only) is core's to judge, so
 * only "not a number" is refused here. */
static int parse_slots(struct cli_ctx *ctx, const char *s, int64_t *n)
{
	return cli_number(ctx, "--slots", s, INT32_MIN, INT32_MAX, n);
}

/* `case add NAME --slots N [--building B] [--room R] [--notes X]`. */
static int case_add_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *slots = NULL, *building = NULL, *room = NULL, *notes = NULL;
	const struct cli_opt opts[] = { { "slots", &slots, NULL },
		                        { case_fields[CF_BUILDING].option, &building, NULL },
		                        { case_fields[CF_ROOM].option, &room, NULL },
		                        { case_fields[CF_NOTES].option, &notes, NULL },
		                        { NULL, NULL, NULL } };
	struct at_errors e = AT_ERRORS_INIT;
	struct case_info c;
	enum at_code r;
	int64_t n;
	int npos, rc;

	if (cli_parse(ctx, argc, argv, opts, &npos) < 0 || cli_expect(ctx, npos, 1, 1))
		return 2;
	if (!slots)
		return cli_usage(ctx, "--slots is required");
	if (parse_slots(ctx, slots, &n) < 0)
		return 2;
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	r = case_create(ctx->st, ctx->actor, argv[1], n, building, room, notes, &c, &e);
	rc = r == AT_OK ? print_case(ctx, &c, "Added") : cli_fail(ctx, r, &e);
	at_errors_free(&e);
	return rc;
}

/* case_update() with the outcome printed. */
static int update(struct cli_ctx *ctx, const char *name, int64_t n, const char *building,
                  const char *room, const char *notes)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct case_info c;
	enum at_code r;
	int rc;

	if ((rc = cli_open(ctx)) != 0)
		return rc;
	r = case_update(ctx->st, ctx->actor, name, n, building, room, notes, &c, &e);
	rc = r == AT_OK ? print_case(ctx, &c, "Updated") : cli_fail(ctx, r, &e);
	at_errors_free(&e);
	return rc;
}

/* `case resize NAME --slots N`: grow only. */
static int case_resize_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *slots = NULL;
	const struct cli_opt opts[] = { { "slots", &slots, NULL }, { NULL, NULL, NULL } };
	int64_t n;
	int npos;

	if (cli_parse(ctx, argc, argv, opts, &npos) < 0 || cli_expect(ctx, npos, 1, 1))
		return 2;
	if (!slots)
		return cli_usage(ctx, "--slots is required");
	if (parse_slots(ctx, slots, &n) < 0)
		return 2;
	if (n == 0) /* 0 means "unchanged" to case_update(); here it is a bad size */
		return cli_refuse(ctx, AT_INVALID, "a case has 1 to %d slots, not 0", AT_MAX_SLOTS);
	return update(ctx, argv[1], n, NULL, NULL, NULL);
}

/* `case update NAME [--building B] [--room R] [--notes X]`; "" clears. */
static int case_update_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *building = NULL, *room = NULL, *notes = NULL;
	const struct cli_opt opts[] = { { case_fields[CF_BUILDING].option, &building, NULL },
		                        { case_fields[CF_ROOM].option, &room, NULL },
		                        { case_fields[CF_NOTES].option, &notes, NULL },
		                        { NULL, NULL, NULL } };
	int npos;

	if (cli_parse(ctx, argc, argv, opts, &npos) < 0 || cli_expect(ctx, npos, 1, 1))
		return 2;
	if (!building && !room && !notes)
		return cli_usage(ctx, "nothing to change: give --building, --room or --notes");
	return update(ctx, argv[1], 0, building, room, notes);
}

/* The slot grid of `case show` as JSON: [{"position", "asset"}...]. */
static json_t *slots_json(const struct case_slots *cs)
{
	json_t *slots = json_array(), *slot;
	int pos;

	for (pos = 1; slots && pos <= cs->c.slot_count; pos++) {
		const struct asset *a = cs->slot[pos - 1];
		slot = json_pack("{s:i, s:o}", "position", pos, "asset",
		                 a ? asset_to_json(a) : json_null());
		if (json_array_append_new(slots, slot) < 0) {
			json_decref(slots);
			slots = NULL;
		}
	}
	return slots;
}

/* `case show NAME`: the case and its slot grid, read whole (one query for
 * the slots) inside one snapshot before anything is printed. */
static int case_show_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct case_slots cs = { 0 };
	const struct case_info *c = &cs.c;
	json_t *o = NULL, *slots = NULL;
	char count[64];
	enum at_code r;
	int npos, rc, pos;

	if (cli_parse(ctx, argc, argv, NULL, &npos) < 0 || cli_expect(ctx, npos, 1, 1))
		return 2;
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	/* The case row and its slots are two queries: one snapshot keeps the
	 * occupied count and the grid in agreement. */
	if ((r = db_read_begin(ctx->st, &e)) == AT_OK)
		r = read_case_slots(ctx->st, argv[1], &cs, &e);
	db_read_end(ctx->st);
	if (r != AT_OK) {
		rc = cli_fail(ctx, r, &e);
		goto out;
	}
	if (ctx->json) {
		/* At most AT_MAX_SLOTS slots: small enough to build whole. */
		o = case_to_json(c);
		slots = slots_json(&cs);
		if (!o || !slots || json_object_set_new(o, "slots", slots) < 0) {
			if (o == NULL)
				json_decref(slots);
			rc = cli_json_print(NULL);
			goto out;
		}
		rc = cli_json_print(o);
		o = NULL;
		goto out;
	}
	snprintf(count, sizeof(count), "%d (%d occupied, %d empty)", c->slot_count, c->occupied,
	         c->slot_count - c->occupied);
	cli_fact("Case", c->name);
	cli_fact("Slots", count);
	cli_fact("Building", c->building);
	cli_fact("Room", c->room);
	cli_fact("Notes", c->notes);
	cli_fact("Created", c->created_at);
	cli_fact("Updated", c->updated_at);
	fputc('\n', stdout);
	for (pos = 1; pos <= c->slot_count; pos++) {
		const struct asset *a = cs.slot[pos - 1];
		if (a)
			printf("  %4d  %s%s%s\n", pos, a->tag, a->condition != COND_GOOD ? "  " : "",
			       a->condition != COND_GOOD ? asset_condition_name(a->condition) : "");
		else
			printf("  %4d  empty\n", pos);
	}
out:
	json_decref(o);
	case_slots_free(&cs);
	at_errors_free(&e);
	return rc;
}

/* read_cases callback: one case as a table row or a JSON item. */
static int case_row(void *p, const struct case_info *c)
{
	struct cli_list *x = p;
	char slots[16], occ[16];
	const char *cells[5];

	if (x->cli->json) {
		cli_jlist_add(&x->jl, case_to_json(c));
		return 0;
	}
	snprintf(slots, sizeof(slots), "%d", c->slot_count);
	snprintf(occ, sizeof(occ), "%d", c->occupied);
	cells[0] = c->name;
	cells[1] = slots;
	cells[2] = occ;
	cells[3] = c->building;
	cells[4] = c->room;
	cli_table_row(&x->table, cells);
	return 0;
}

/* `case list`: every case by name. */
static int case_list_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char *const heads[] = { "CASE", "SLOTS", "OCCUPIED", "BUILDING", "ROOM" };
	struct at_errors e = AT_ERRORS_INIT;
	struct cli_list x;
	enum at_code r;
	int npos, rc;

	if (cli_parse(ctx, argc, argv, NULL, &npos) < 0 || cli_expect(ctx, npos, 0, 0))
		return 2;
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	cli_list_begin(&x, ctx, NULL, "cases", 5, heads);
	r = read_cases(ctx->st, NULL, 0, case_row, &x, &e);
	if (r != AT_OK)
		rc = cli_list_fail(&x, r, &e);
	else
		rc = cli_list_end(&x, "No cases yet; add one with 'assettrack case add NAME --slots "
		                      "N'.");
	at_errors_free(&e);
	return rc;
}

const struct cli_command cli_case_commands[] = {
	{ "add", case_add_cmd, "case add NAME --slots N [--building B] [--room R] [--notes X]" },
	{ "resize", case_resize_cmd, "case resize NAME --slots N   (grow only)" },
	{ "update", case_update_cmd, "case update NAME [--building B] [--room R] [--notes X]" },
	{ "show", case_show_cmd, "case show NAME" },
	{ "list", case_list_cmd, "case list" },
	{ NULL, NULL, NULL },
};

/* `case ...`: dispatch to cli_case_commands. */
int cli_cmd_case(struct cli_ctx *ctx, int argc, char **argv)
{
	return cli_dispatch(ctx, argc, argv, cli_case_commands);
}
