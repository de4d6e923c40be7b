/*
 * cli_report.c — `report custody|unslotted|occupancy|holder ID|BADGE|
 * retired [--json] [--csv]` (core/report.h).
 *
 * As a table, as JSON (the API's row objects, streamed) or as CSV (the
 * download's bytes, written a chunk at a time): every form streams from
 * one read snapshot, so the whole report is never held in memory.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/encode.h"
#include "core/holder.h"
#include "core/report.h"

/* Rows per CSV chunk, as a download writes them. */
#define CSV_CHUNK_ROWS 500

/* ==== CSV ============================================================= */

/* The whole of `q` as CSV on stdout, a chunk at a time. */
static int print_csv(struct cli_ctx *ctx, const struct report_query *q)
{
	struct at_errors e = AT_ERRORS_INIT;
	char cursor[REPORT_CURSOR_MAX] = "";
	struct buf b;
	enum at_code c;
	int end = 0, rc = 0;

	buf_init(&b, 0);
	report_csv_header(q->kind, &b);
	do {
		c = report_csv_chunk(ctx->st, q, cursor, CSV_CHUNK_ROWS, &b, &end, &e);
		if (c != AT_OK)
			break;
		if (fwrite(b.data, 1, b.len, stdout) != b.len) {
			c = at_fail(&e, AT_STORAGE, "cannot write the CSV to standard output");
			break;
		}
		buf_reset(&b);
	} while (!end);
	/* Rows already written stay; the exit code says the file is short. */
	if (c != AT_OK)
		rc = cli_fail(ctx, c, &e);
	buf_free(&b);
	at_errors_free(&e);
	return rc;
}

/* ==== custody ========================================================= */

/* One custody row as a table row or a JSON item. */
static int custody_row(void *p, const struct custody_row *row)
{
	struct cli_list *x = p;
	const struct asset *a = &row->asset;
	char holder[AT_PERSON_MAX + 32];
	const char *cells[7];

	if (x->cli->json) {
		cli_jlist_add(&x->jl, custody_row_json(row));
		return 0;
	}
	snprintf(holder, sizeof(holder), "%s (#%lld)", a->holder_name, (long long)a->holder_id);
	cells[0] = holder;
	cells[1] = a->tag;
	cells[2] = a->equipment_type;
	cells[3] = a->model;
	cells[4] = a->custody_since;
	cells[5] = a->due;
	cells[6] = row->overdue ? "OVERDUE" : "";
	cli_table_row(&x->table, cells);
	return 0;
}

/* Who holds what: overdue first, by holder; as of a past instant it is
 * answered from the event log (in tag order). */
static int report_custody_cmd(struct cli_ctx *ctx, const struct report_query *q)
{
	static const char *const heads[] = { "HOLDER", "TAG", "TYPE", "MODEL",
		                             "SINCE",  "DUE", "OVERDUE" };
	struct at_errors e = AT_ERRORS_INIT;
	struct cli_list x;
	json_t *head = NULL;
	enum at_code c;
	int rc;

	if (ctx->json) {
		head = json_pack("{s:s?, s:b}", "as_of", q->as_of, "overdue_only", q->overdue_only);
		if (!head)
			return cli_json_print(NULL);
	} else if (q->as_of) {
		printf("Custody as of %s\n\n", q->as_of);
	}
	cli_list_begin(&x, ctx, head, "custody", 7, heads);
	c = report_custody(ctx->st, q->as_of, q->overdue_only, custody_row, &x, &e);
	if (c != AT_OK)
		rc = cli_list_fail(&x, c, &e);
	else
		rc = cli_list_end(&x, q->overdue_only ? "No overdue assets."
		                                       : "No assets are in custody.");
	json_decref(head);
	at_errors_free(&e);
	return rc;
}

/* ==== unslotted ======================================================= */

static int unslotted_row(void *p, const struct unslotted_row *row)
{
	struct cli_list *x = p;
	const struct asset *a = &row->asset;
	const char *cells[8];

	if (x->cli->json) {
		cli_jlist_add(&x->jl, unslotted_row_json(row));
		return 0;
	}
	cells[0] = a->tag;
	cells[1] = a->equipment_type;
	cells[2] = a->model;
	cells[3] = a->building;
	cells[4] = a->room;
	cells[5] = row->since;
	cells[6] = row->how;
	cells[7] = row->reason;
	cli_table_row(&x->table, cells);
	return 0;
}

/* Storage assets in no slot, by tag, with how and when they lost it. */
static int report_unslotted_cmd(struct cli_ctx *ctx)
{
	static const char *const heads[] = { "TAG",  "TYPE",  "MODEL", "BUILDING",
		                             "ROOM", "SINCE", "HOW",   "REASON" };
	struct at_errors e = AT_ERRORS_INIT;
	struct cli_list x;
	json_t *head = NULL;
	enum at_code c;
	int rc;

	if (ctx->json) {
		head = json_pack("{s:I}", "count", (json_int_t)report_unslotted_count(ctx->st));
		if (!head)
			return cli_json_print(NULL);
	}
	cli_list_begin(&x, ctx, head, "unslotted", 8, heads);
	c = report_unslotted(ctx->st, NULL, unslotted_row, &x, &e);
	if (c != AT_OK)
		rc = cli_list_fail(&x, c, &e);
	else
		rc = cli_list_end(&x, "Every storage asset is in a slot.");
	json_decref(head);
	at_errors_free(&e);
	return rc;
}

/* ==== occupancy ======================================================= */

static int occupancy_row(void *p, const struct occupancy_row *row)
{
	struct cli_list *x = p;
	char n[4][24];
	const char *cells[7];

	if (x->cli->json) {
		cli_jlist_add(&x->jl, occupancy_row_json(row));
		return 0;
	}
	snprintf(n[0], sizeof(n[0]), "%d", row->c.slot_count);
	snprintf(n[1], sizeof(n[1]), "%d", row->c.occupied);
	snprintf(n[2], sizeof(n[2]), "%d", row->empty);
	snprintf(n[3], sizeof(n[3]), "%d%%", row->percent);
	cells[0] = row->c.name;
	cells[1] = row->c.building;
	cells[2] = row->c.room;
	cells[3] = n[0];
	cells[4] = n[1];
	cells[5] = n[2];
	cells[6] = n[3];
	cli_table_row(&x->table, cells);
	return 0;
}

/* Every case with how full it is, and the totals. */
static int report_occupancy_cmd(struct cli_ctx *ctx)
{
	static const char *const heads[] = { "CASE",     "BUILDING", "ROOM", "SLOTS",
		                             "OCCUPIED", "EMPTY",    "FULL" };
	struct at_errors e = AT_ERRORS_INIT;
	struct occupancy_totals t;
	struct cli_list x;
	json_t *head = NULL;
	enum at_code c;
	int rc;

	if ((c = report_occupancy_totals(ctx->st, &t, &e)) != AT_OK) {
		rc = cli_fail(ctx, c, &e);
		at_errors_free(&e);
		return rc;
	}
	if (ctx->json) {
		head = json_pack("{s:{s:I, s:I, s:I, s:I, s:i}}", "totals", "cases",
		                 (json_int_t)t.cases, "slots", (json_int_t)t.slots, "occupied",
		                 (json_int_t)t.occupied, "empty", (json_int_t)t.empty, "percent",
		                 t.percent);
		if (!head)
			return cli_json_print(NULL);
	}
	cli_list_begin(&x, ctx, head, "cases", 7, heads);
	c = report_occupancy(ctx->st, NULL, occupancy_row, &x, &e);
	if (c != AT_OK) {
		rc = cli_list_fail(&x, c, &e);
	} else {
		rc = cli_list_end(&x, "No cases.");
		if (!ctx->json && t.cases)
			printf("\n%lld %s: %lld of %lld slots occupied (%d%%), %lld empty.\n",
			       (long long)t.cases, t.cases == 1 ? "case" : "cases",
			       (long long)t.occupied, (long long)t.slots, t.percent,
			       (long long)t.empty);
	}
	json_decref(head);
	at_errors_free(&e);
	return rc;
}

/* ==== a holder's history ============================================== */

static int holding_row(void *p, const struct holding_row *row)
{
	struct cli_list *x = p;
	char held[40], back[AT_TIME_LEN + 1];
	const char *cells[7];

	if (x->cli->json) {
		cli_jlist_add(&x->jl, holding_row_json(row));
		return 0;
	}
	report_duration(row->seconds, held, sizeof(held));
	snprintf(back, sizeof(back), "%s", row->end_seq ? row->back_at : "(held)");
	cells[0] = row->tag;
	cells[1] = row->equipment_type;
	cells[2] = row->since;
	cells[3] = row->due;
	cells[4] = back;
	cells[5] = held;
	cells[6] = row->late ? (row->end_seq ? "LATE" : "OVERDUE") : "";
	cli_table_row(&x->table, cells);
	return 0;
}

/* Everything a holder ever held, newest first, after a line of totals. */
static int report_holder_cmd(struct cli_ctx *ctx, const struct holder *h)
{
	static const char *const heads[] = { "TAG", "TYPE", "OUT", "DUE", "BACK", "HELD", "LATE" };
	struct at_errors e = AT_ERRORS_INIT;
	struct holder_totals t;
	struct cli_list x;
	json_t *head = NULL;
	enum at_code c;
	int rc;

	if ((c = report_holder_totals(ctx->st, h->id, &t, &e)) != AT_OK) {
		rc = cli_fail(ctx, c, &e);
		at_errors_free(&e);
		return rc;
	}
	if (ctx->json) {
		head = json_pack("{s:o, s:{s:I, s:I, s:I, s:I}}", "holder", holder_to_json(h),
		                 "totals", "periods", (json_int_t)t.periods, "held",
		                 (json_int_t)t.held, "late", (json_int_t)t.late, "overdue",
		                 (json_int_t)t.overdue);
		if (!head)
			return cli_json_print(NULL);
	} else {
		printf("%s (#%lld): %lld custody periods, %lld going on (%lld overdue), %lld "
		       "returned late\n\n",
		       h->name, (long long)h->id, (long long)t.periods, (long long)t.held,
		       (long long)t.overdue, (long long)t.late);
	}
	cli_list_begin(&x, ctx, head, "history", 7, heads);
	c = report_holder_history(ctx->st, h->id, NULL, holding_row, &x, &e);
	if (c != AT_OK)
		rc = cli_list_fail(&x, c, &e);
	else
		rc = cli_list_end(&x, "Nothing held, ever.");
	json_decref(head);
	at_errors_free(&e);
	return rc;
}

/* ==== retired ========================================================= */

static int retired_row(void *p, const struct retired_row *row)
{
	struct cli_list *x = p;
	const char *cells[6];

	if (x->cli->json) {
		cli_jlist_add(&x->jl, retired_row_json(row));
		return 0;
	}
	cells[0] = row->reason;
	cells[1] = row->asset.tag;
	cells[2] = row->asset.equipment_type;
	cells[3] = row->asset.model;
	cells[4] = row->at;
	cells[5] = row->actor;
	cli_table_row(&x->table, cells);
	return 0;
}

/* The reasons and their counts: into a JSON array, or a table. */
struct reasons_out {
	json_t *arr;
	struct cli_table table;
};

static int reason_row(void *p, const char *reason, int64_t n)
{
	struct reasons_out *r = p;
	char count[24];
	const char *cells[2] = { reason, count };

	if (r->arr)
		return json_array_append_new(r->arr, json_pack("{s:s?, s:I}", "reason", reason,
		                                               "count", (json_int_t)n)) < 0;
	snprintf(count, sizeof(count), "%lld", (long long)n);
	cli_table_row(&r->table, cells);
	return 0;
}

/* Retired assets: the reasons with their counts, then the assets by
 * reason (only `reason`'s when given). */
static int report_retired_cmd(struct cli_ctx *ctx, const char *reason)
{
	static const char *const heads[] = { "REASON", "TAG", "TYPE", "MODEL", "RETIRED", "BY" };
	static const char *const rheads[] = { "REASON", "ASSETS" };
	struct at_errors e = AT_ERRORS_INIT;
	struct reasons_out r;
	struct retired_totals t;
	struct cli_list x;
	json_t *head = NULL;
	enum at_code c;
	int rc;

	memset(&r, 0, sizeof(r));
	if (ctx->json)
		r.arr = json_array();
	else
		cli_table_init(&r.table, 2, rheads);
	c = report_retired_totals(ctx->st, &t, &e);
	if (c == AT_OK)
		c = report_retired_reasons(ctx->st, 0, reason_row, &r, &e);
	if (!ctx->json && c == AT_OK && cli_table_end(&r.table))
		printf("\n");
	if (c != AT_OK) {
		json_decref(r.arr);
		rc = cli_fail(ctx, c, &e);
		at_errors_free(&e);
		return rc;
	}
	if (ctx->json) {
		head = json_pack("{s:o, s:{s:I, s:I}, s:s?}", "reasons", r.arr, "totals", "assets",
		                 (json_int_t)t.assets, "reasons", (json_int_t)t.reasons, "reason",
		                 reason);
		if (!head)
			return cli_json_print(NULL);
	}
	cli_list_begin(&x, ctx, head, "retired", 6, heads);
	c = report_retired(ctx->st, reason, NULL, retired_row, &x, &e);
	if (c != AT_OK)
		rc = cli_list_fail(&x, c, &e);
	else
		rc = cli_list_end(&x, reason ? "No asset was retired for that reason."
		                             : "No asset is retired.");
	json_decref(head);
	at_errors_free(&e);
	return rc;
}

/* ==== the command ===================================================== */

/* The report named by argv[1], its argument count and its options,
 * checked into `q->kind`: 0, or the usage error's exit code. */
static int parse_kind(struct cli_ctx *ctx, int npos, char **argv, struct report_query *q)
{
	static const char *const kinds[] = { "custody", "unslotted", "occupancy", "holder",
		                             "retired" };
	static const enum report_kind kind_of[] = { REPORT_CUSTODY, REPORT_UNSLOTTED,
		                                    REPORT_OCCUPANCY, REPORT_HOLDINGS,
		                                    REPORT_RETIRED };
	size_t i;
	int args;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && strcmp(argv[1], kinds[i]) != 0; i++)
		;
	if (i == sizeof(kinds) / sizeof(kinds[0]))
		return cli_usage(ctx, "unknown report '%s'; the reports are custody, unslotted, "
		                 "occupancy, holder ID|BADGE and retired", argv[1]);
	q->kind = kind_of[i];
	args = q->kind == REPORT_HOLDINGS ? 2 : 1;
	if (npos != args)
		return cli_usage(ctx, q->kind == REPORT_HOLDINGS ? "report holder takes one holder "
		                                                   "id or badge"
		                                                 : "report %s takes no argument",
		                 argv[1]);
	if ((q->as_of || q->overdue_only) && q->kind != REPORT_CUSTODY)
		return cli_usage(ctx, "--as-of and --overdue belong to 'report custody'");
	if (q->reason && q->kind != REPORT_RETIRED)
		return cli_usage(ctx, "--reason belongs to 'report retired'");
	return 0;
}

/* Run the report `q` (inside a snapshot). */
static int run_report(struct cli_ctx *ctx, struct report_query *q, const char *holder_arg,
                      int csv)
{
	char why[AT_MSG_MAX];
	struct holder h;
	enum at_code c;

	if (q->kind == REPORT_HOLDINGS) {
		if ((c = holder_resolve(ctx->st, holder_arg, &h, why)) != AT_OK)
			return cli_refuse(ctx, c, "%s", why);
		q->holder_id = h.id;
	}
	if (csv)
		return print_csv(ctx, q);
	switch (q->kind) {
	case REPORT_CUSTODY: return report_custody_cmd(ctx, q);
	case REPORT_UNSLOTTED: return report_unslotted_cmd(ctx);
	case REPORT_OCCUPANCY: return report_occupancy_cmd(ctx);
	case REPORT_HOLDINGS: return report_holder_cmd(ctx, &h);
	case REPORT_RETIRED: return report_retired_cmd(ctx, q->reason);
	}
	return 3;
}

/* `report KIND [ARG] [--as-of TIME] [--overdue] [--reason R] [--csv]`. */
int cli_cmd_report(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *as_of = NULL, *reason = NULL;
	int overdue = 0, csv = 0;
	const struct cli_opt opts[] = { { "as-of", &as_of, NULL },
		                        { "overdue", NULL, &overdue },
		                        { "reason", &reason, NULL },
		                        { "csv", NULL, &csv },
		                        { NULL, NULL, NULL } };
	struct at_errors e = AT_ERRORS_INIT;
	char t[AT_TIME_LEN + 1], why[AT_WHY_MAX];
	struct report_query q;
	enum at_code c;
	int npos, rc;

	if (cli_parse(ctx, argc, argv, opts, &npos) < 0 || cli_expect(ctx, npos, 1, 2))
		return 2;
	if (csv && ctx->json)
		return cli_usage(ctx, "--csv and --json: choose one");
	if (as_of && text_parse_time(as_of, t, why) < 0)
		return cli_usage(ctx, "--as-of: %s", why);
	memset(&q, 0, sizeof(q));
	q.as_of = as_of ? t : NULL;
	q.overdue_only = overdue;
	q.reason = reason && *reason ? reason : NULL;
	if ((rc = parse_kind(ctx, npos, argv, &q)) != 0)
		return rc;
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	/* Totals and rows from one snapshot. */
	if ((c = db_read_begin(ctx->st, &e)) != AT_OK) {
		rc = cli_fail(ctx, c, &e);
		at_errors_free(&e);
		return rc;
	}
	rc = run_report(ctx, &q, npos > 1 ? argv[2] : NULL, csv);
	db_read_end(ctx->st);
	return rc;
}
