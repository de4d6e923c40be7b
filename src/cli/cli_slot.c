/*
 * cli_slot.c — the admin corrections: slot assign|move|vacate.
 *
 * A slot is given as two arguments CASE POS or as one scanned label
 * CASE/POS (CASE:POS is accepted too, as in stock-in).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/asset.h"
#include "core/encode.h"
#include "core/place.h"

struct slot_arg {
	char case_name[AT_NAME_MAX * 4 + 1];   /* room for what was typed; core validates */
	int64_t position;
};

/* Read the slot from argv[first..npos]: one label or CASE POS.  Returns
 * 0, or a usage error (2). */
static int parse_slot(struct cli_ctx *ctx, char **argv, int first, int npos,
                      struct slot_arg *s)
{
	int n = npos - first + 1;

	if (n == 1) {
		if (slot_label_parse(argv[first], s->case_name, sizeof(s->case_name),
		                     &s->position) < 0)
			return cli_usage(ctx,
			                 "'%s' is not a slot: give CASE POS, or a label CASE/POS with "
			                 "POS from 1 to %d",
			                 argv[first], AT_MAX_SLOTS);
		return 0;
	}
	if (n != 2)
		return cli_expect(ctx, n, 1, 2);
	if (snprintf(s->case_name, sizeof(s->case_name), "%s", argv[first]) >=
	    (int)sizeof(s->case_name))
		return cli_usage(ctx, "the case name is too long");
	if (cli_number(ctx, "POS", argv[first + 1], INT32_MIN, INT32_MAX, &s->position) < 0)
		return 2;
	return 0;
}

/* slot_assign or slot_move: same arguments, same refusals. */
typedef enum at_code (*put_fn)(struct store *, const char *, const char *, const char *,
                               int64_t, struct asset *, struct at_errors *);

/* Shared body of assign and move: TAG then the slot. */
static int put(struct cli_ctx *ctx, int argc, char **argv, put_fn fn, const char *verb)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct slot_arg s;
	struct asset a;
	enum at_code c;
	int npos, rc;

	if (cli_parse(ctx, argc, argv, NULL, &npos) < 0 || cli_expect(ctx, npos, 2, 3))
		return 2;
	if ((rc = parse_slot(ctx, argv, 2, npos, &s)) != 0)
		return rc;
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	c = fn(ctx->st, ctx->actor, argv[1], s.case_name, s.position, &a, &e);
	if (c != AT_OK) {
		rc = cli_fail(ctx, c, &e);
	} else if (ctx->json) {
		rc = cli_json_print(asset_to_json(&a));
	} else {
		printf("%s %s to slot %s/%d\n", verb, a.tag, a.case_name, a.position);
	}
	at_errors_free(&e);
	return rc;
}

/* `slot assign TAG CASE POS`: an unslotted asset in storage into a slot. */
static int slot_assign_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	return put(ctx, argc, argv, slot_assign, "Assigned");
}

/* `slot move TAG CASE POS`: a slotted asset to another empty slot. */
static int slot_move_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	return put(ctx, argc, argv, slot_move, "Moved");
}

/* `slot vacate CASE POS --reason R`: take whatever is there out. */
static int slot_vacate_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *reason = NULL;
	const struct cli_opt opts[] = { { "reason", &reason, NULL }, { NULL, NULL, NULL } };
	struct at_errors e = AT_ERRORS_INIT;
	struct slot_arg s;
	struct asset a;
	enum at_code c;
	int npos, rc;

	if (cli_parse(ctx, argc, argv, opts, &npos) < 0 || cli_expect(ctx, npos, 1, 2))
		return 2;
	if ((rc = parse_slot(ctx, argv, 1, npos, &s)) != 0)
		return rc;
	if (!reason)
		return cli_usage(ctx, "--reason is required: say why the slot is vacated");
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	c = slot_force_vacate(ctx->st, ctx->actor, s.case_name, s.position, reason, &a, &e);
	if (c != AT_OK)
		rc = cli_fail(ctx, c, &e);
	else if (ctx->json)
		rc = cli_json_print(asset_to_json(&a));
	else
		printf("Vacated slot %s/%lld: %s is now in storage, in no slot\n", s.case_name,
		       (long long)s.position, a.tag);
	at_errors_free(&e);
	return rc;
}

const struct cli_command cli_slot_commands[] = {
	{ "assign", slot_assign_cmd, "slot assign TAG CASE POS   (or TAG CASE/POS)" },
	{ "move", slot_move_cmd, "slot move TAG CASE POS     (or TAG CASE/POS)" },
	{ "vacate", slot_vacate_cmd, "slot vacate CASE POS --reason R   (or CASE/POS)" },
	{ NULL, NULL, NULL },
};

/* `slot ...`: dispatch to cli_slot_commands. */
int cli_cmd_slot(struct cli_ctx *ctx, int argc, char **argv)
{
	return cli_dispatch(ctx, argc, argv, cli_slot_commands);
}
