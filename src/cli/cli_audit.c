/*
 * cli_audit.c — physical audits (SPEC §5, §6):
 *
 *   audit CASE [--save] SCAN...          a case: slot labels CASE/POS and tags
 *   audit holder ID|BADGE [--save] TAG...   what a holder shows
 *   audit show SEQ                       a saved audit, with its corrections
 *   audit apply SEQ ID...|--all          apply suggested corrections (admin)
 *   audit list [--stale DAYS] [--limit N]   cases and their last audit
 *
 * An audit that ran exits 0 even when it found missing or unexpected
 * assets: those are its findings, printed (and with --json, the answer).
 * A refusal (no such case or holder, too many scans) exits 1.  A case
 * whose name is one of the words above is audited as `audit -- NAME ...`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/audit.h"

/* ==== printing an audit =============================================== */

/* "slot 3" or "no slot label" for a scanned line of a case audit. */
static const char *scanned_at(const struct audit_line *l, char *buf, size_t cap)
{
	if (l->scanned_pos)
		snprintf(buf, cap, "scanned in slot %d", l->scanned_pos);
	else
		snprintf(buf, cap, "scanned with no slot label before it");
	return buf;
}

/* One line of list `k`, indented, in words. */
static void print_line(const struct audit_result *r, const struct audit_line *l)
{
	char where[AT_MSG_MAX], at[64];
	const char *shown = l->tag[0] ? l->tag : l->input;

	switch (l->kind) {
	case AUDIT_MATCHED:
		if (r->holder_audit)
			printf("  %-20s seen\n", shown);
		else if (l->scanned_pos)
			printf("  %-20s slot %d\n", shown, l->db_pos);
		else
			printf("  %-20s in the case (slot %d, not checked)\n", shown, l->db_pos);
		break;
	case AUDIT_MISSING:
		if (r->holder_audit)
			printf("  %-20s in their custody, not shown\n", shown);
		else
			printf("  %-20s slot %d\n", shown, l->db_pos);
		break;
	case AUDIT_MISPLACED:
		printf("  %-20s scanned in slot %d; the database has slot %d\n", shown,
		       l->scanned_pos, l->db_pos);
		break;
	case AUDIT_UNEXPECTED:
		audit_where_text(l, where, sizeof(where));
		if (r->holder_audit)
			printf("  %-20s %s\n", shown, where);
		else
			printf("  %-20s %s: %s\n", shown, scanned_at(l, at, sizeof(at)), where);
		break;
	case AUDIT_DUPLICATE:
		printf("  %-20s scan %d repeats scan %d\n", shown, l->scan, l->first_scan);
		break;
	default:
		printf("  %-20s scan %d: %s: %s\n", l->input[0] ? l->input : "(empty)", l->scan,
		       at_code_name(l->code), l->message);
	}
}

/* The heading of list `k`. */
static const char *list_title(enum audit_kind k, int holder)
{
	static const char *const cases[AUDIT_KIND__MAX] = {
		"Matched", "Missing (the database has them here; not scanned)",
		"Misplaced (in this case, another slot)",
		"Unexpected (the database has them elsewhere)", "Scanned twice", "Errors",
	};
	static const char *const holders[AUDIT_KIND__MAX] = {
		"Seen", "Not seen (in their custody)", "", "Not theirs", "Scanned twice", "Errors",
	};

	return holder ? holders[k] : cases[k];
}

/* The whole answer in words, problems first. */
static void print_audit(const struct audit_result *r)
{
	static const enum audit_kind order[] = { AUDIT_MISSING, AUDIT_MISPLACED, AUDIT_UNEXPECTED,
		                                 AUDIT_DUPLICATE, AUDIT_ERROR, AUDIT_MATCHED };
	const struct audit_fix *f;

	if (r->holder_audit)
		printf("Audit of holder %s (#%lld): %zu scan%s\n", r->h.name, (long long)r->h.id,
		       r->nscans, r->nscans == 1 ? "" : "s");
	else
		printf("Audit of case %s (%d slots): %zu scan%s\n", r->c.name, r->c.slot_count,
		       r->nscans, r->nscans == 1 ? "" : "s");
	for (size_t k = 0; k < AUDIT_KIND__MAX; k++) {
		if (k == AUDIT_MISPLACED && r->holder_audit)
			continue;
		printf("%s%s %zu", k ? ", " : "  ", audit_kind_name(k, r->holder_audit), r->count[k]);
	}
	fputc('\n', stdout);
	for (size_t o = 0; o < sizeof(order) / sizeof(order[0]); o++) {
		if (!r->count[order[o]])
			continue;
		printf("\n%s:\n", list_title(order[o], r->holder_audit));
		for (size_t i = 0; i < r->nlines; i++)
			if (r->lines[i].kind == order[o])
				print_line(r, &r->lines[i]);
	}
	if (r->nfixes && r->seq)
		printf("\nSuggested corrections (an admin applies them with 'assettrack audit apply "
		       "%lld ID...'):\n", (long long)r->seq);
	else if (r->nfixes)
		printf("\nSuggested corrections (save the audit to apply them):\n");
	for (size_t i = 0; i < r->nfixes; i++) {
		f = &r->fixes[i];
		if (f->kind == AUDIT_FIX_VACATE)
			printf("  %3d  vacate %s/%d (%s is missing)\n", f->id, f->from_case, f->from_pos,
			       f->tag);
		else if (f->kind == AUDIT_FIX_ASSIGN)
			printf("  %3d  assign %s to %s/%d\n", f->id, f->tag, r->c.name, f->to_pos);
		else
			printf("  %3d  move %s from %s/%d to %s/%d\n", f->id, f->tag, f->from_case,
			       f->from_pos, r->c.name, f->to_pos);
	}
	if (r->seq)
		printf("\nSaved as event #%lld at %s by %s.\n", (long long)r->seq, r->at, r->actor);
	else
		printf("\nNot saved: add --save to record it.\n");
}

/* Print an audit's answer (text or JSON) and free it. */
static int show(struct cli_ctx *ctx, struct audit_result *r)
{
	int rc = 0;

	if (ctx->json)
		rc = cli_json_print(audit_to_json(r));
	else
		print_audit(r);
	audit_result_free(r);
	return rc;
}

/* ==== running one ======================================================= */

/* An audit not saved only reads: from one snapshot. */
static enum at_code snapshot_begin(struct cli_ctx *ctx, int save, struct at_errors *e)
{
	return save ? AT_OK : db_read_begin(ctx->st, e);
}

/* `audit CASE [--save] SCAN...` (argv[0] is "audit"). */
static int audit_case_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	int save = 0, npos, rc;
	const struct cli_opt opts[] = { { "save", NULL, &save }, { NULL, NULL, NULL } };
	struct at_errors e = AT_ERRORS_INIT;
	struct audit_result r;
	enum at_code c;

	if (cli_parse(ctx, argc, argv, opts, &npos) < 0 || cli_expect(ctx, npos, 1, -1))
		return 2;
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	c = snapshot_begin(ctx, save, &e);
	if (c == AT_OK)
		c = audit_run(ctx->st, ctx->actor, argv[1], (const char *const *)argv + 2,
		              (size_t)npos - 1, save, &r, &e);
	if (!save)
		db_read_end(ctx->st);
	rc = c == AT_OK ? show(ctx, &r) : cli_fail(ctx, c, &e);
	at_errors_free(&e);
	return rc;
}

/* `audit holder ID|BADGE [--save] TAG...`. */
static int audit_holder_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	int save = 0, npos, rc;
	const struct cli_opt opts[] = { { "save", NULL, &save }, { NULL, NULL, NULL } };
	struct at_errors e = AT_ERRORS_INIT;
	struct audit_result r;
	struct holder_ref h = { 0, NULL, 0 };
	enum at_code c;

	if (cli_parse(ctx, argc, argv, opts, &npos) < 0 || cli_expect(ctx, npos, 1, -1))
		return 2;
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	h.text = argv[1];
	c = snapshot_begin(ctx, save, &e);
	if (c == AT_OK)
		c = audit_holder(ctx->st, ctx->actor, h, (const char *const *)argv + 2,
		                 (size_t)npos - 1, save, &r, &e);
	if (!save)
		db_read_end(ctx->st);
	rc = c == AT_OK ? show(ctx, &r) : cli_fail(ctx, c, &e);
	at_errors_free(&e);
	return rc;
}

/* `audit show SEQ`. */
static int audit_show_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct audit_result r;
	enum at_code c;
	int64_t seq;
	int npos, rc;

	if (cli_parse(ctx, argc, argv, NULL, &npos) < 0 || cli_expect(ctx, npos, 1, 1))
		return 2;
	if (cli_number(ctx, "SEQ", argv[1], 1, INT64_MAX, &seq) < 0)
		return 2;
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	c = audit_get(ctx->st, seq, &r, &e);
	rc = c == AT_OK ? show(ctx, &r) : cli_fail(ctx, c, &e);
	at_errors_free(&e);
	return rc;
}

/* The correction ids of `audit apply`: the arguments, or with --all every
 * one the saved audit suggests. */
static int apply_ids(struct cli_ctx *ctx, char **argv, int npos, int all, int64_t seq,
                     int **ids, size_t *n)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct audit_result r;
	enum at_code c;
	int64_t v;
	int rc = 0;

	*n = 0;
	if (all) {
		if ((c = audit_get(ctx->st, seq, &r, &e)) != AT_OK) {
			rc = cli_fail(ctx, c, &e);
			at_errors_free(&e);
			return rc;
		}
		*ids = calloc(r.nfixes ? r.nfixes : 1, sizeof(**ids));
		for (size_t i = 0; *ids && i < r.nfixes; i++)
			(*ids)[(*n)++] = r.fixes[i].id;
		audit_result_free(&r);
		return *ids ? 0 : cli_refuse(ctx, AT_INTERNAL, "out of memory");
	}
	*ids = calloc((size_t)npos, sizeof(**ids));
	if (!*ids)
		return cli_refuse(ctx, AT_INTERNAL, "out of memory");
	for (int i = 2; i <= npos; i++) {
		if (cli_number(ctx, "correction ID", argv[i], 1, 1000000, &v) < 0)
			return 2;
		(*ids)[(*n)++] = (int)v;
	}
	return 0;
}

/* `audit apply SEQ ID...` or `audit apply SEQ --all`. */
static int audit_apply_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	int all = 0, npos, rc;
	const struct cli_opt opts[] = { { "all", NULL, &all }, { NULL, NULL, NULL } };
	struct at_errors e = AT_ERRORS_INIT;
	struct audit_applied out;
	char head[AT_ANCHOR_MAX];
	int *ids = NULL;
	size_t n = 0;
	enum at_code c;
	int64_t seq;

	if (cli_parse(ctx, argc, argv, opts, &npos) < 0 ||
	    cli_expect(ctx, npos, all ? 1 : 2, all ? 1 : -1))
		return 2;
	if (cli_number(ctx, "SEQ", argv[1], 1, INT64_MAX, &seq) < 0)
		return 2;
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	if ((rc = apply_ids(ctx, argv, npos, all, seq, &ids, &n)) != 0) {
		free(ids);
		return rc;
	}
	c = audit_apply(ctx->st, ctx->actor, seq, ids, n, &out, &e);
	free(ids);
	if (c != AT_OK) {
		rc = cli_fail(ctx, c, &e);
	} else {
		anchor_format(&out.head, head);
		if (ctx->json)
			rc = cli_json_print(json_pack("{s:I, s:s, s:i, s:i, s:s}", "audit_seq",
			                              (json_int_t)seq, "batch_id", out.batch_id,
			                              "applied", (int)out.napplied, "events",
			                              (int)out.nevents, "head", head));
		else
			printf("Applied %zu correction%s of audit #%lld as batch %s (%zu event%s); "
			       "head %s\n", out.napplied, out.napplied == 1 ? "" : "s", (long long)seq,
			       out.batch_id, out.nevents, out.nevents == 1 ? "" : "s", head);
	}
	at_errors_free(&e);
	return rc;
}

/* ==== listing ============================================================ */

/* One case and its last audit, as a table row or a JSON item. */
static int summary_row(void *p, const struct audit_summary *s)
{
	struct cli_list *x = p;
	char slots[16], n[4][24], when[AT_TIME_LEN + 1];
	const char *cells[8];

	if (x->cli->json) {
		cli_jlist_add(&x->jl, audit_summary_to_json(s));
		return 0;
	}
	snprintf(slots, sizeof(slots), "%d", s->slot_count);
	snprintf(when, sizeof(when), "%.16s", s->seq ? s->at : "never");
	if (s->seq && strlen(when) > 10)
		when[10] = ' ';
	snprintf(n[0], sizeof(n[0]), "%lld", (long long)s->count[AUDIT_MATCHED]);
	snprintf(n[1], sizeof(n[1]), "%lld", (long long)s->count[AUDIT_MISSING]);
	snprintf(n[2], sizeof(n[2]), "%lld", (long long)s->count[AUDIT_MISPLACED]);
	snprintf(n[3], sizeof(n[3]), "%lld", (long long)s->count[AUDIT_UNEXPECTED]);
	cells[0] = s->case_name;
	cells[1] = slots;
	cells[2] = when;
	cells[3] = s->seq ? s->actor : "";
	for (int i = 0; i < 4; i++)
		cells[4 + i] = s->seq ? n[i] : "";
	cli_table_row(&x->table, cells);
	return 0;
}

/* `audit list [--stale DAYS] [--limit N]`: cases by name with their last
 * audit; --stale keeps those not audited in DAYS days. */
static int audit_list_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char *const heads[] = { "CASE", "SLOTS", "LAST AUDIT (UTC)", "BY",
		                             "MATCHED", "MISSING", "MISPLACED", "UNEXPECTED" };
	const char *stale = NULL, *limit = NULL;
	const struct cli_opt opts[] = { { "stale", &stale, NULL }, { "limit", &limit, NULL },
		                        { NULL, NULL, NULL } };
	struct at_errors e = AT_ERRORS_INIT;
	struct cli_list x;
	int64_t days = -1, lim = 0;
	enum at_code c;
	int npos, rc;

	if (cli_parse(ctx, argc, argv, opts, &npos) < 0 || cli_expect(ctx, npos, 0, 0))
		return 2;
	if (stale && cli_number(ctx, "--stale", stale, 0, 100000, &days) < 0)
		return 2;
	if (limit && cli_number(ctx, "--limit", limit, 0, 1000000, &lim) < 0)
		return 2;
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	cli_list_begin(&x, ctx, NULL, "cases", 8, heads);
	c = audit_cases(ctx->st, NULL, (int)days, (int)lim, summary_row, &x, &e);
	if (c != AT_OK)
		rc = cli_list_fail(&x, c, &e);
	else
		rc = cli_list_end(&x, stale ? "Every case was audited within that many days."
		                            : "No cases yet.");
	at_errors_free(&e);
	return rc;
}

/* ==== dispatch =========================================================== */

int cli_cmd_audit(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct {
		const char *name;
		cli_fn fn;
		const char *usage;
	} subs[] = {
		{ "holder", audit_holder_cmd, "audit holder ID|BADGE [--save] TAG..." },
		{ "show", audit_show_cmd, "audit show SEQ" },
		{ "apply", audit_apply_cmd, "audit apply SEQ ID...|--all" },
		{ "list", audit_list_cmd, "audit list [--stale DAYS] [--limit N]" },
	};

	if (argc < 2)
		return cli_usage(ctx, "give a case to audit, or holder, show, apply or list");
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (strcmp(argv[1], subs[i].name) == 0) {
			ctx->usage = subs[i].usage;
			return subs[i].fn(ctx, argc - 1, argv + 1);
		}
	}
	if (strcmp(argv[1], "--") == 0) {
		/* `audit -- NAME ...`: NAME is a case even if it reads "list". */
		argv[1] = argv[0];
		return audit_case_cmd(ctx, argc - 1, argv + 1);
	}
	ctx->usage = "audit CASE [--save] SCAN...";
	return audit_case_cmd(ctx, argc, argv);
}
