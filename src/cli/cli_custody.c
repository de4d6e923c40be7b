/*
 * cli_custody.c — stock-out, stock-in and replace.
 *
 * Batches are all-or-nothing in core; a refusal lists every failing item
 * (cli_fail prints one line each), and nothing was changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/asset.h"
#include "core/custody.h"
#include "core/encode.h"
#include "core/place.h"

/* {"batch_id", "assets": [...], "head"} of a committed batch (SPEC §7). */
static json_t *result_json(const struct custody_result *res)
{
	json_t *list = json_array();
	char head[AT_ANCHOR_MAX];
	size_t i;

	if (!list)
		return NULL;
	anchor_format(&res->head, head);
	for (i = 0; i < res->n; i++)
		if (json_array_append_new(list, asset_to_json(&res->assets[i])) < 0) {
			json_decref(list);
			return NULL;
		}
	return json_pack("{s:s, s:o, s:s}", "batch_id", res->batch_id, "assets", list, "head",
	                 head);
}

/* `stock-out --holder ID|BADGE [--due YYYY-MM-DD] TAG...`. */
int cli_cmd_stock_out(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *holder = NULL, *due = NULL;
	char head[AT_ANCHOR_MAX];
	const struct cli_opt opts[] = { { "holder", &holder, NULL },
		                        { "due", &due, NULL },
		                        { NULL, NULL, NULL } };
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	struct holder_ref ref = { 0, NULL, 0 };
	enum at_code c;
	size_t i;
	int npos, rc;

	memset(&res, 0, sizeof(res));
	if (cli_parse(ctx, argc, argv, opts, &npos) < 0 || cli_expect(ctx, npos, 1, -1))
		return 2;
	if (!holder)
		return cli_usage(ctx, "--holder is required: the holder's id or badge");
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	ref.id = 0;
	ref.text = holder;
	c = custody_stock_out(ctx->st, ctx->actor, ref, due, (const char *const *)(argv + 1),
	                      (size_t)npos, &res, &e);
	if (c != AT_OK) {
		rc = cli_fail(ctx, c, &e);
		goto out;
	}
	if (ctx->json) {
		rc = cli_json_print(result_json(&res));
		goto out;
	}
	printf("Stocked out %zu asset%s to %s (#%lld)", res.n, res.n == 1 ? "" : "s",
	       res.n ? res.assets[0].holder_name : "", res.n ? (long long)res.assets[0].holder_id : 0LL);
	if (res.n && res.assets[0].due[0])
		printf(", due %s", res.assets[0].due);
	printf("; batch %s\n", res.batch_id);
	for (i = 0; i < res.n; i++) {
		const struct asset *a = &res.assets[i];
		if (a->last_case_id)
			printf("  %s  from %s/%d\n", a->tag, a->last_case_name, a->last_position);
		else
			printf("  %s\n", a->tag);
	}
	anchor_format(&res.head, head);
	printf("Chain head: %s\n", head);
out:
	custody_result_free(&res);
	at_errors_free(&e);
	return rc;
}

/* One line per STOCK_IN event of the batch: where each asset went and
 * who returned it (the result assets no longer carry the holder). */
static int print_returned(void *p, const struct event *ev)
{
	(void)p;
	printf("  %s  into %s/%d", ev->asset_tag ? ev->asset_tag : "?",
	       ev->to_case ? ev->to_case : "?", ev->to_position);
	if (ev->holder_name)
		printf(", returned by %s (#%lld)", ev->holder_name, (long long)ev->holder_id);
	fputc('\n', stdout);
	return 0;
}

/* `stock-in TAG[@CASE:POS]...`: without a destination an asset returns to
 * the slot it left at its last Stock-Out. */
int cli_cmd_stock_in(struct cli_ctx *ctx, int argc, char **argv)
{
	char head[AT_ANCHOR_MAX];
	struct at_errors e = AT_ERRORS_INIT;
	struct custody_result res;
	struct stock_in_item *items = NULL;
	struct event_filter f;
	char(*cases)[AT_NAME_MAX * 4 + 1] = NULL;
	enum at_code c;
	int npos, rc, i;

	memset(&res, 0, sizeof(res));
	if (cli_parse(ctx, argc, argv, NULL, &npos) < 0 || cli_expect(ctx, npos, 1, -1))
		return 2;
	items = calloc((size_t)npos, sizeof(*items));
	cases = calloc((size_t)npos, sizeof(*cases));
	if (!items || !cases) {
		rc = cli_refuse(ctx, AT_INTERNAL, "out of memory for %d items", npos);
		goto out;
	}
	for (i = 0; i < npos; i++) {
		char *arg = argv[i + 1], *at = strchr(arg, '@');
		items[i].tag = arg;
		if (!at)
			continue;
		/* Tags never contain '@', so the first one splits tag and slot. */
		if (slot_label_parse(at + 1, cases[i], sizeof(cases[i]), &items[i].position) < 0) {
			rc = cli_usage(ctx,
			               "'%s' does not name a slot after '@': use TAG@CASE:POS with POS "
			               "from 1 to %d",
			               arg, AT_MAX_SLOTS);
			goto out;
		}
		*at = '\0';
		items[i].case_name = cases[i];
	}
	if ((rc = cli_open(ctx)) != 0)
		goto out;
	c = custody_stock_in(ctx->st, ctx->actor, items, (size_t)npos, &res, &e);
	if (c != AT_OK) {
		rc = cli_fail(ctx, c, &e);
		goto out;
	}
	if (ctx->json) {
		rc = cli_json_print(result_json(&res));
		goto out;
	}
	printf("Stocked in %zu asset%s; batch %s\n", res.n, res.n == 1 ? "" : "s", res.batch_id);
	anchor_format(&res.head, head);
	memset(&f, 0, sizeof(f));
	f.batch_id = res.batch_id;
	f.type = "STOCK_IN";
	c = read_events(ctx->st, &f, print_returned, NULL, &e);
	if (c != AT_OK) {
		/* The batch is committed; say so, so nobody runs it again, but a
		 * listing that could not be read still fails the command. */
		fprintf(stderr, "assettrack: the stock-in (batch %s) was committed, but its events "
		                "could not be listed\n",
		        res.batch_id);
		rc = cli_fail(ctx, c, &e);
	} else {
		printf("Chain head: %s\n", head);
	}
out:
	free(items);
	free(cases);
	custody_result_free(&res);
	at_errors_free(&e);
	return rc;
}

/* `replace OLD NEW --reason R [--condition C]`. */
int cli_cmd_replace(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *reason = NULL, *condition = NULL;
	const struct cli_opt opts[] = { { "reason", &reason, NULL },
		                        { "condition", &condition, NULL },
		                        { NULL, NULL, NULL } };
	struct at_errors e = AT_ERRORS_INIT;
	struct asset old, repl;
	char where[AT_MSG_MAX], cond[16];
	enum at_code c;
	int npos, rc;

	if (cli_parse(ctx, argc, argv, opts, &npos) < 0 || cli_expect(ctx, npos, 2, 2))
		return 2;
	if (!reason)
		return cli_usage(ctx, "--reason is required: say why the asset is replaced");
	if (condition)
		condition = cli_upper(condition, cond, sizeof(cond));
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	c = asset_replace(ctx->st, ctx->actor, argv[1], argv[2], reason, condition, &old, &repl,
	                  &e);
	if (c != AT_OK) {
		rc = cli_fail(ctx, c, &e);
	} else if (ctx->json) {
		json_t *o = asset_to_json(&old), *r = asset_to_json(&repl);
		rc = cli_json_print((o && r) ? json_pack("{s:o, s:o}", "old", o, "replacement", r)
		                             : NULL);
		if (!o || !r) {
			json_decref(o);
			json_decref(r);
		}
	} else {
		printf("Replaced %s with %s\n", old.tag, repl.tag);
		asset_whereabouts(&repl, where, sizeof(where));
		printf("  %s: %s\n", repl.tag, where);
		asset_whereabouts(&old, where, sizeof(where));
		printf("  %s: %s, %s\n", old.tag, where, asset_condition_name(old.condition));
	}
	at_errors_free(&e);
	return rc;
}
