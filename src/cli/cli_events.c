/*
 * cli_events.c — reading the log and the state: events, asset history,
 * export assets|events (CSV).  The reports are in cli_report.c.
 *
 * Everything here streams rows from the core read iterators (core/read.h);
 * nothing loads a whole table into memory.
 */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/asset.h"
#include "core/attr.h"
#include "core/encode.h"

#define DEFAULT_EVENT_LIMIT 100

/* Event types core writes, for the hint after an empty filtered listing. */
static const char *const known_types =
	"ASSET_CREATED, ASSET_UPDATED, ASSET_RETIRED, CASE_CREATED, CASE_RESIZED, "
	"CASE_UPDATED, HOLDER_CREATED, HOLDER_UPDATED, SLOT_ASSIGN, SLOT_MOVE, FORCE_VACATE, "
	"STOCK_OUT, STOCK_IN, ASSET_REPLACED, AUDIT_RECORDED";

/* ==== event listing =================================================== */

struct event_print {
	struct cli_list list;
	int64_t first_seq;           /* the probe pass: oldest seq of the last N */
	size_t n;
};

/* One end of a movement: a slot "A/1", or a holder "Dana Ruiz (#3)". */
static void put_end(struct buf *b, const char *word, const char *case_name, int pos,
                    const struct event *holder_of)
{
	buf_printf(b, "%s%s ", b->len ? " " : "", word);
	if (holder_of)
		buf_printf(b, "%s (#%lld)", holder_of->holder_name ? holder_of->holder_name : "?",
		           (long long)holder_of->holder_id);
	else
		buf_printf(b, "%s/%d", case_name, pos);
}

/*
 * What moved, in words: "from PELI-07/1 to Dana Ruiz (#3)".  The holder is
 * the destination of a Stock-Out and of a replacement device, the source
 * of a Stock-In and of the device it replaces (`role` from the details);
 * slots fill the other ends.
 */
static void describe_change(const struct event *ev, const char *role, char *out, size_t cap)
{
	int holder_to = 0, holder_from = 0;
	struct buf b;

	if (ev->holder_id && strcmp(ev->type, "STOCK_OUT") == 0)
		holder_to = 1;
	else if (ev->holder_id && strcmp(ev->type, "STOCK_IN") == 0)
		holder_from = 1;
	else if (ev->holder_id && strcmp(ev->type, "ASSET_REPLACED") == 0 && role)
		holder_to = strcmp(role, "replacement") == 0, holder_from = !holder_to;
	buf_init(&b, cap);
	if (holder_from)
		put_end(&b, "from", NULL, 0, ev);
	else if (ev->from_case)
		put_end(&b, "from", ev->from_case, ev->from_position, NULL);
	if (holder_to)
		put_end(&b, "to", NULL, 0, ev);
	else if (ev->to_case)
		put_end(&b, "to", ev->to_case, ev->to_position, NULL);
	/* A holder event names the holder as its subject already. */
	if (ev->holder_id && !holder_to && !holder_from && ev->asset_tag)
		buf_printf(&b, "%sholder %s (#%lld)", b.len ? ", " : "",
		           ev->holder_name ? ev->holder_name : "?", (long long)ev->holder_id);
	snprintf(out, cap, "%s", b.data);
	buf_free(&b);
}

/* For events that change fields, which ones: "changed model, notes";
 * for a resize, "slots 4 -> 6".  Appended to `out`. */
static void describe_fields(json_t *details, char *out, size_t cap)
{
	json_t *changes = json_object_get(details, "changes");
	json_t *o = json_object_get(details, "old_slots"), *n = json_object_get(details, "new_slots");
	const char *key;
	json_t *v;
	struct buf b;

	buf_init(&b, cap);
	buf_adds(&b, out);
	if (json_is_integer(o) && json_is_integer(n))
		buf_printf(&b, "%sslots %lld -> %lld", b.len ? ", " : "",
		           (long long)json_integer_value(o), (long long)json_integer_value(n));
	if (json_is_object(changes) && json_object_size(changes)) {
		buf_printf(&b, "%schanged ", b.len ? ", " : "");
		json_object_foreach(changes, key, v) {
			const char *name;
			json_t *ch;
			/* Attributes by name: "changed attr:Company". */
			if (strcmp(key, "attributes") == 0 && json_is_object(v)) {
				json_object_foreach(v, name, ch) {
					(void)ch;
					buf_printf(&b, "%sattr:%s", b.data[b.len - 1] == ' ' ? "" : ", ",
					           name);
				}
				continue;
			}
			buf_printf(&b, "%s%s", b.data[b.len - 1] == ' ' ? "" : ", ", key);
		}
	}
	snprintf(out, cap, "%s", b.data);
	buf_free(&b);
}

/* What an event is about: its asset, else its case (from the details) or
 * its holder. */
static void describe_subject(const struct event *ev, json_t *details, char *out, size_t cap)
{
	const char *name = json_string_value(json_object_get(details, "case"));

	if (ev->asset_tag)
		snprintf(out, cap, "%s", ev->asset_tag);
	else if (name)
		snprintf(out, cap, "case %s", name);
	else if (ev->holder_id)
		snprintf(out, cap, "holder %s (#%lld)", ev->holder_name ? ev->holder_name : "?",
		         (long long)ev->holder_id);
	else
		out[0] = '\0';
}

/* read_events callback: one event as a table row or a JSON item. */
static int event_row(void *p, const struct event *ev)
{
	struct event_print *x = p;
	char seq[24], at[AT_TIME_LEN + 1], subject[AT_PERSON_MAX + 32], change[512];
	const char *cells[7];
	json_t *details = NULL;

	x->n++;
	if (x->list.cli->json) {
		cli_jlist_add(&x->list.jl, event_to_json(ev));
		return 0;
	}
	snprintf(seq, sizeof(seq), "%lld", (long long)ev->seq);
	/* "2026-03-02 10:15:00": seconds are enough to read; JSON has ms. */
	snprintf(at, sizeof(at), "%.19s", ev->at);
	if (at[10] == 'T')
		at[10] = ' ';
	details = json_loads(ev->details ? ev->details : "{}", 0, NULL);
	describe_subject(ev, details, subject, sizeof(subject));
	describe_change(ev, json_string_value(json_object_get(details, "role")), change,
	                sizeof(change));
	describe_fields(details, change, sizeof(change));
	json_decref(details);
	cells[0] = seq;
	cells[1] = at;
	cells[2] = ev->type;
	cells[3] = subject;
	cells[4] = change;
	cells[5] = ev->actor;
	cells[6] = ev->reason;
	cli_table_row(&x->list.table, cells);
	return 0;
}

/* Probe pass of "the last N": remember the oldest seq seen. */
static int event_probe(void *p, const struct event *ev)
{
	struct event_print *x = p;

	x->first_seq = ev->seq;
	x->n++;
	return 0;
}

/*
 * List events matching `f` oldest first.  With f->limit > 0 only the
 * newest `limit` of them: a descending probe finds where they start, then
 * they are printed ascending — both inside one read snapshot.  `head`
 * (not stolen) adds members to the JSON answer.
 */
static int list_events(struct cli_ctx *ctx, struct event_filter *f, json_t *head,
                       const char *none)
{
	static const char *const heads[] = { "SEQ",    "AT (UTC)", "TYPE",  "SUBJECT",
		                             "CHANGE", "ACTOR",    "REASON" };
	struct at_errors e = AT_ERRORS_INIT;
	struct event_print x;
	enum at_code c;
	int rc = 0;

	memset(&x, 0, sizeof(x));
	if ((c = db_read_begin(ctx->st, &e)) != AT_OK) {
		rc = cli_fail(ctx, c, &e);
		goto out;
	}
	if (f->limit > 0) {
		f->descending = 1;
		c = read_events(ctx->st, f, event_probe, &x, &e);
		if (c != AT_OK) {
			rc = cli_fail(ctx, c, &e);
			goto out;
		}
		f->descending = 0;
		f->after_seq = x.n ? x.first_seq - 1 : 0;
		x.n = 0;
	}
	cli_list_begin(&x.list, ctx, head, "events", 7, heads);
	c = read_events(ctx->st, f, event_row, &x, &e);
	if (c != AT_OK) {
		rc = cli_list_fail(&x.list, c, &e);
		goto out;
	}
	rc = cli_list_end(&x.list, none);
	if (!ctx->json && x.n == 0 && f->type && !strstr(known_types, f->type))
		fprintf(stderr, "assettrack: no event type is called %s; types are: %s\n", f->type,
		        known_types);
out:
	db_read_end(ctx->st);
	at_errors_free(&e);
	return rc;
}

/* Resolve a typed or scanned tag to the stored canonical one. */
static int canonical_tag(struct cli_ctx *ctx, const char *input, struct asset *a)
{
	char why[AT_MSG_MAX];
	enum at_code c = asset_resolve(ctx->st, input, a, NULL, why);

	return c == AT_OK ? 0 : cli_refuse(ctx, c, "%s", why);
}

/* `events [--asset TAG] [--type T] [--since TIME] [--limit N]`: newest
 * last; the last 100 unless --limit says otherwise (0: all). */
int cli_cmd_events(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *tag = NULL, *type = NULL, *since = NULL, *limit = NULL;
	const struct cli_opt opts[] = { { "asset", &tag, NULL },   { "type", &type, NULL },
		                        { "since", &since, NULL }, { "limit", &limit, NULL },
		                        { NULL, NULL, NULL } };
	char utype[48], tsince[AT_TIME_LEN + 1], why[AT_WHY_MAX];
	struct event_filter f;
	struct asset a;
	int64_t n = DEFAULT_EVENT_LIMIT;
	size_t i;
	int npos, rc;

	memset(&f, 0, sizeof(f));
	if (cli_parse(ctx, argc, argv, opts, &npos) < 0 || cli_expect(ctx, npos, 0, 0))
		return 2;
	if (limit && cli_number(ctx, "--limit", limit, 0, INT32_MAX, &n) < 0)
		return 2;
	f.limit = (int)n;
	if (since) {
		if (read_since_bound(since, tsince, why) < 0)
			return cli_usage(ctx, "--since: %s", why);
		f.since = tsince;
	}
	if (type) {
		/* Types are upper-case words; accept "stock_out" and "stock-out". */
		cli_upper(type, utype, sizeof(utype));
		for (i = 0; utype[i]; i++)
			if (utype[i] == '-')
				utype[i] = '_';
		f.type = utype;
	}
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	if (tag) {
		if ((rc = canonical_tag(ctx, tag, &a)) != 0)
			return rc;
		f.asset_tag = a.tag;
	}
	return list_events(ctx, &f, NULL, "No events match.");
}

/* `asset history TAG`: every event of one asset, oldest first. */
int cli_asset_history(struct cli_ctx *ctx, int argc, char **argv)
{
	struct event_filter f;
	struct asset a;
	json_t *head;
	int npos, rc;

	memset(&f, 0, sizeof(f));
	if (cli_parse(ctx, argc, argv, NULL, &npos) < 0 || cli_expect(ctx, npos, 1, 1))
		return 2;
	if ((rc = cli_open(ctx)) != 0 || (rc = canonical_tag(ctx, argv[1], &a)) != 0)
		return rc;
	f.asset_tag = a.tag;
	head = json_pack("{s:s}", "asset_tag", a.tag);
	if (!head)
		return cli_json_print(NULL);
	rc = list_events(ctx, &f, head, "No events for this asset.");
	json_decref(head);
	return rc;
}

/* ==== export (CSV) ==================================================== */

/* Write one CSV field: quoted through libcsv when it has to be (commas,
 * quotes, line breaks, surrounding blanks), bare otherwise. */
static void csv_field(const char *s, int first)
{
	size_t n = s ? strlen(s) : 0;

	if (!first)
		fputc(',', stdout);
	if (!n)
		return;
	if (strpbrk(s, ",\"\r\n") || s[0] == ' ' || s[n - 1] == ' ' || s[0] == '\t' ||
	    s[n - 1] == '\t')
		csv_fwrite(stdout, s, n);
	else
		fwrite(s, 1, n, stdout);
}

/* Write a CSV row of `n` fields. */
static void csv_row(const char *const *fields, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		csv_field(fields[i], i == 0);
	fputc('\n', stdout);
}

/* The attribute columns of `export assets` ("attr:NAME", the convention
 * `import assets` reads back) and a holder cache for the holder columns. */
#define EXPORT_ATTR_COLS 1000
#define EXPORT_FIXED_COLS 27
struct export_ctx {
	char (*names)[AT_ATTR_NAME_MAX + 1];
	size_t nnames;
	int too_many;
	struct holder holder;          /* the last one looked up */
	struct case_info cas;          /* the last one looked up */
	struct store *st;
};

static int export_attr_name(void *p, const char *name)
{
	struct export_ctx *x = p;

	if (x->nnames == EXPORT_ATTR_COLS) {
		x->too_many = 1;
		return 1;
	}
	snprintf(x->names[x->nnames++], sizeof(x->names[0]), "%s", name);
	return 0;
}

/* read_assets callback: one CSV row of `export assets`. */
static int export_asset(void *p, const struct asset *a)
{
	struct export_ctx *x = p;
	char hid[24] = "", pos[16] = "", slots[16], lpos[16];
	const char *f[EXPORT_FIXED_COLS + EXPORT_ATTR_COLS];
	json_t *attrs = NULL;
	size_t i;

	if (a->holder_id)
		snprintf(hid, sizeof(hid), "%lld", (long long)a->holder_id);
	if (a->case_id)
		snprintf(pos, sizeof(pos), "%d", a->position);
	f[0] = a->tag;
	f[1] = a->serial;
	f[2] = a->manufacturer;
	f[3] = a->equipment_type;
	f[4] = a->model;
	f[5] = a->model_code;
	f[6] = a->building;
	f[7] = a->room;
	f[8] = a->notes;
	f[9] = asset_state_name(a->state);
	f[10] = asset_condition_name(a->condition);
	f[11] = hid;
	f[12] = a->holder_id ? a->holder_name : "";
	f[13] = a->due;
	f[14] = a->case_id ? a->case_name : "";
	f[15] = pos;
	f[16] = a->created_at;
	f[17] = a->updated_at;
	/* Who the holder is, so an import elsewhere finds or makes the same
	 * person (ids differ between databases); when custody began. */
	if (a->holder_id && x->holder.id != a->holder_id &&
	    read_holder(x->st, a->holder_id, &x->holder, NULL) != AT_OK)
		memset(&x->holder, 0, sizeof(x->holder));
	f[18] = a->holder_id ? x->holder.badge : "";
	f[19] = a->holder_id ? x->holder.email : "";
	f[20] = a->custody_since;
	f[21] = a->retired_at;
	/* The case's size and place, so an import into a database without it
	 * makes the same case; and the slot an asset in custody left, where a
	 * Stock-In returns it. */
	f[22] = f[23] = f[24] = f[25] = f[26] = "";
	if (a->case_id || (a->holder_id && a->last_case_id)) {
		const char *name = a->case_id ? a->case_name : a->last_case_name;
		if (strcmp(x->cas.name, name) != 0 && read_case(x->st, name, &x->cas, NULL) != AT_OK)
			memset(&x->cas, 0, sizeof(x->cas));
		if (x->cas.name[0]) {
			snprintf(slots, sizeof(slots), "%d", x->cas.slot_count);
			f[22] = slots;
			f[23] = x->cas.building;
			f[24] = x->cas.room;
		}
	}
	if (!a->case_id && a->holder_id && a->last_case_id) {
		snprintf(lpos, sizeof(lpos), "%d", a->last_position);
		f[25] = a->last_case_name;
		f[26] = lpos;
	}
	if (a->attributes[0])
		attrs = attrs_to_json(a->attributes);
	for (i = 0; i < x->nnames; i++)
		f[EXPORT_FIXED_COLS + i] = json_string_value(json_object_get(attrs, x->names[i]));
	csv_row(f, EXPORT_FIXED_COLS + x->nnames);
	json_decref(attrs);
	return ferror(stdout) ? 1 : 0; /* stop early when nobody reads */
}

/* read_events callback: one CSV row of `export events`. */
static int export_event(void *p, const struct event *ev)
{
	char seq[24], fpos[16] = "", tpos[16] = "", hid[24] = "";
	const char *f[15];

	(void)p;
	snprintf(seq, sizeof(seq), "%lld", (long long)ev->seq);
	if (ev->from_case)
		snprintf(fpos, sizeof(fpos), "%d", ev->from_position);
	if (ev->to_case)
		snprintf(tpos, sizeof(tpos), "%d", ev->to_position);
	if (ev->holder_id)
		snprintf(hid, sizeof(hid), "%lld", (long long)ev->holder_id);
	f[0] = seq;
	f[1] = ev->at;
	f[2] = ev->type;
	f[3] = ev->asset_tag;
	f[4] = ev->from_case;
	f[5] = fpos;
	f[6] = ev->to_case;
	f[7] = tpos;
	f[8] = hid;
	f[9] = ev->actor;
	f[10] = ev->reason;
	f[11] = ev->batch_id;
	f[12] = ev->details;
	f[13] = ev->prev_hash;
	f[14] = ev->hash;
	csv_row(f, 15);
	return ferror(stdout) ? 1 : 0;
}

/* The asset rows with a header: the fixed columns, then one "attr:NAME"
 * per attribute name in use, all read in one snapshot. */
static enum at_code export_assets(struct store *st, const char *const *cols,
                                  const struct asset_filter *af, struct at_errors *e)
{
	struct export_ctx x;
	const char *head[EXPORT_FIXED_COLS + EXPORT_ATTR_COLS];
	char (*heads)[AT_ATTR_NAME_MAX + 8] = NULL;
	enum at_code c;
	size_t i;

	memset(&x, 0, sizeof(x));
	x.st = st;
	x.names = calloc(EXPORT_ATTR_COLS, sizeof(x.names[0]));
	heads = calloc(EXPORT_ATTR_COLS, sizeof(heads[0]));
	if (!x.names || !heads) {
		c = at_fail(e, AT_INTERNAL, "out of memory");
		goto out;
	}
	if ((c = db_read_begin(st, e)) != AT_OK)
		goto out;
	c = read_attr_names(st, export_attr_name, &x, e);
	if (c == AT_OK && x.too_many)
		c = at_fail(e, AT_TOO_LARGE, "the assets use more than %d attribute names: too many "
		            "columns for one CSV", EXPORT_ATTR_COLS);
	if (c == AT_OK) {
		for (i = 0; i < EXPORT_FIXED_COLS; i++)
			head[i] = cols[i];
		for (i = 0; i < x.nnames; i++) {
			snprintf(heads[i], sizeof(heads[i]), "attr:%s", x.names[i]);
			head[EXPORT_FIXED_COLS + i] = heads[i];
		}
		csv_row(head, EXPORT_FIXED_COLS + x.nnames);
		c = read_assets(st, af, export_asset, &x, e);
	}
	db_read_end(st);
out:
	free(heads);
	free(x.names);
	return c;
}

/* `export assets|events`: CSV with a header row on stdout. */
int cli_cmd_export(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char *const asset_cols[EXPORT_FIXED_COLS] = {
		"asset_tag", "serial_number", "manufacturer", "equipment_type", "model",
		"model_code", "building", "room", "notes", "state", "condition", "holder_id",
		"holder_name", "due", "case", "position", "created_at", "updated_at",
		"holder_badge", "holder_email", "custody_since", "retired_at", "case_slots",
		"case_building", "case_room", "last_case", "last_position"
	};
	static const char *const event_cols[] = {
		"seq", "at", "type", "asset_tag", "from_case", "from_position", "to_case",
		"to_position", "holder_id", "actor", "reason", "batch_id", "details", "prev_hash",
		"hash"
	};
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_filter af;
	struct event_filter ef;
	enum at_code c;
	int npos, rc, assets;

	if (cli_parse(ctx, argc, argv, NULL, &npos) < 0 || cli_expect(ctx, npos, 1, 1))
		return 2;
	assets = strcmp(argv[1], "assets") == 0;
	if (!assets && strcmp(argv[1], "events") != 0)
		return cli_usage(ctx, "export what? 'assets' or 'events', not '%s'", argv[1]);
	if (ctx->json)
		return cli_usage(ctx, "export writes CSV; --json does not apply to it");
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	memset(&af, 0, sizeof(af));
	memset(&ef, 0, sizeof(ef));
	if (assets) {
		c = export_assets(ctx->st, asset_cols, &af, &e);
	} else {
		csv_row(event_cols, sizeof(event_cols) / sizeof(event_cols[0]));
		c = read_events(ctx->st, &ef, export_event, NULL, &e);
	}
	/* Rows already written stay; the exit code says the file is cut short. */
	rc = c == AT_OK ? 0 : cli_fail(ctx, c, &e);
	at_errors_free(&e);
	return rc;
}
