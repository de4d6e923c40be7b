/*
 * report_out.c — the reports' rows as words, JSON and CSV (core/report.h),
 * so that the CLI, the API and a download say the same thing.
 *
 * CSV follows RFC 4180 with "\n" line ends (as `export` writes): a field
 * is quoted when it holds a comma, a quote, a line break or surrounding
 * blanks.  Free text a spreadsheet would take for a formula (a reason
 * "=HYPERLINK(...)", a name "-5") gets a leading apostrophe, the usual
 * defence against CSV injection; tags, times and numbers are ours and
 * never start that way.
 */
#include "core/report.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "core/encode.h"
#include "core/jsonw.h"
#include "util/text.h"

/* ==== words =========================================================== */

void report_duration(int64_t seconds, char *out, size_t cap)
{
	int64_t d = seconds / 86400, h = seconds % 86400 / 3600, m = seconds % 3600 / 60;

	if (seconds < 60)
		snprintf(out, cap, "under a minute");
	else if (d > 0 && h > 0)
		snprintf(out, cap, "%lld d %lld h", (long long)d, (long long)h);
	else if (d > 0)
		snprintf(out, cap, "%lld d", (long long)d);
	else if (h > 0 && m > 0)
		snprintf(out, cap, "%lld h %lld min", (long long)h, (long long)m);
	else if (h > 0)
		snprintf(out, cap, "%lld h", (long long)h);
	else
		snprintf(out, cap, "%lld min", (long long)m);
}

/* ==== JSON ============================================================ */

/* A string, or null for "". */
static json_t *jstr(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

/* Set `key` of `o` (may be NULL: nothing) to `v` (stolen). */
static json_t *with(json_t *o, const char *key, json_t *v)
{
	if (!o || !v || json_object_set_new(o, key, v) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *custody_row_json(const struct custody_row *r)
{
	json_t *o = asset_to_json(&r->asset);

	o = with(o, "since", jstr(r->asset.custody_since));
	return with(o, "overdue", json_boolean(r->overdue));
}

int custody_row_text(struct buf *b, const struct custody_row *r)
{
	const char *since = r->asset.custody_since;

	if (jsonw_asset(b, &r->asset) < 0)
		return -1;
	/* The asset's object, open again for the row's two members. */
	assert(b->len > 0 && b->data[b->len - 1] == '}');
	b->data[--b->len] = '\0';
	buf_adds(b, ",\"since\":");
	if (*since && jsonw_utf8_valid(since))
		jsonw_string(b, since, 0);
	else
		buf_adds(b, "null");
	buf_adds(b, r->overdue ? ",\"overdue\":true}" : ",\"overdue\":false}");
	return b->overflow ? -1 : 0;
}

json_t *unslotted_row_json(const struct unslotted_row *r)
{
	json_t *o = asset_to_json(&r->asset), *why = json_null();

	if (r->seq)
		why = json_pack("{s:I, s:s, s:s, s:s, s:o}", "seq", (json_int_t)r->seq, "at",
		                r->since, "type", r->type, "how", r->how, "reason", jstr(r->reason));
	return with(o, "unslotted", why);
}

json_t *occupancy_row_json(const struct occupancy_row *r)
{
	json_t *o = case_to_json(&r->c);

	o = with(o, "empty", json_integer(r->empty));
	return with(o, "percent", json_integer(r->percent));
}

json_t *holding_row_json(const struct holding_row *r)
{
	return json_pack("{s:s, s:o, s:o, s:s, s:o, s:o, s:I, s:s, s:b, s:o, s:o, s:o, s:o, s:I, "
	                 "s:b}",
	                 "asset_tag", r->tag, "equipment_type", jstr(r->equipment_type), "model",
	                 jstr(r->model), "since", r->since, "due", jstr(r->due), "from",
	                 slot_to_json(r->from_case, r->from_position), "start_seq",
	                 (json_int_t)r->seq, "start_type", r->start_type, "held", !r->end_seq,
	                 "back_at", jstr(r->back_at), "to",
	                 slot_to_json(r->to_case, r->to_position), "end_seq",
	                 r->end_seq ? json_integer(r->end_seq) : json_null(), "end_type",
	                 jstr(r->end_type), "held_seconds", (json_int_t)r->seconds, "late",
	                 r->late);
}

json_t *retired_row_json(const struct retired_row *r)
{
	json_t *o = asset_to_json(&r->asset);

	return with(o, "retirement",
	            json_pack("{s:I, s:s, s:s, s:o}", "seq", (json_int_t)r->seq, "at", r->at,
	                      "actor", r->actor, "reason", jstr(r->reason)));
}

/* ==== CSV ============================================================= */

/* Append one field (`sep` before it unless first); `text` marks free
 * text that is defended against formula injection. */
static void csv_field(struct buf *b, const char *s, int first, int text)
{
	size_t n = s ? strlen(s) : 0;
	int guard = text && n && strchr("=+-@", s[0]) != NULL;

	if (!first)
		buf_addc(b, ',');
	if (!n)
		return;
	if (!guard && !strpbrk(s, ",\"\r\n") && s[0] != ' ' && s[n - 1] != ' ' && s[0] != '\t' &&
	    s[n - 1] != '\t') {
		buf_add(b, s, n);
		return;
	}
	buf_addc(b, '"');
	if (guard)
		buf_addc(b, '\'');
	for (; *s; s++) {
		if (*s == '"')
			buf_addc(b, '"');
		buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

/* One CSV line of `n` fields; `text` is a bit mask of the free-text ones.
 * -1 when the buffer refused it (its cap). */
static int csv_line(struct buf *b, const char *const *f, size_t n, unsigned text)
{
	for (size_t i = 0; i < n; i++)
		csv_field(b, f[i], i == 0, (text >> i) & 1u);
	buf_addc(b, '\n');
	return b->overflow ? -1 : 0;
}

#define NF(a) (sizeof(a) / sizeof((a)[0]))
#define BIT(i) (1u << (i))

static const char *const custody_cols[] = {
	"asset_tag", "serial_number", "manufacturer", "equipment_type", "model", "holder_id",
	"holder_name", "since", "due", "overdue", "slot_left",
};
static const char *const unslotted_cols[] = {
	"asset_tag", "serial_number", "manufacturer", "equipment_type", "model", "building",
	"room", "condition", "unslotted_since", "how", "reason",
};
static const char *const occupancy_cols[] = {
	"case", "building", "room", "slots", "occupied", "empty", "percent",
};
static const char *const holding_cols[] = {
	"asset_tag", "equipment_type", "model", "since", "due", "from_slot", "back_at",
	"back_to", "held_days", "late", "start_event", "end_event",
};
static const char *const retired_cols[] = {
	"reason", "asset_tag", "serial_number", "manufacturer", "equipment_type", "model",
	"retired_at", "retired_by", "event",
};

int report_csv_header(enum report_kind kind, struct buf *b)
{
	switch (kind) {
	case REPORT_CUSTODY: return csv_line(b, custody_cols, NF(custody_cols), 0);
	case REPORT_UNSLOTTED: return csv_line(b, unslotted_cols, NF(unslotted_cols), 0);
	case REPORT_OCCUPANCY: return csv_line(b, occupancy_cols, NF(occupancy_cols), 0);
	case REPORT_HOLDINGS: return csv_line(b, holding_cols, NF(holding_cols), 0);
	case REPORT_RETIRED: return csv_line(b, retired_cols, NF(retired_cols), 0);
	}
	return -1;
}

/* "CASE/POS", or "" for none. */
static void slot_text(const char *case_name, int pos, char *out, size_t cap)
{
	if (case_name && *case_name)
		snprintf(out, cap, "%s/%d", case_name, pos);
	else
		out[0] = '\0';
}

static int custody_csv(struct buf *b, const struct custody_row *r)
{
	const struct asset *a = &r->asset;
	char id[24], slot[AT_NAME_MAX + 16];
	const char *f[NF(custody_cols)] = {
		a->tag, a->serial, a->manufacturer, a->equipment_type, a->model, id,
		a->holder_name, a->custody_since, a->due, r->overdue ? "yes" : "no", slot,
	};

	snprintf(id, sizeof(id), "%lld", (long long)a->holder_id);
	slot_text(a->last_case_name, a->last_position, slot, sizeof(slot));
	return csv_line(b, f, NF(f), BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(6));
}

static int unslotted_csv(struct buf *b, const struct unslotted_row *r)
{
	const struct asset *a = &r->asset;
	const char *f[NF(unslotted_cols)] = {
		a->tag, a->serial, a->manufacturer, a->equipment_type, a->model, a->building,
		a->room, asset_condition_name(a->condition), r->since, r->how, r->reason,
	};

	return csv_line(b, f, NF(f), BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(10));
}

static int occupancy_csv(struct buf *b, const struct occupancy_row *r)
{
	char n[4][24];
	const char *f[NF(occupancy_cols)] = {
		r->c.name, r->c.building, r->c.room, n[0], n[1], n[2], n[3],
	};

	snprintf(n[0], sizeof(n[0]), "%d", r->c.slot_count);
	snprintf(n[1], sizeof(n[1]), "%d", r->c.occupied);
	snprintf(n[2], sizeof(n[2]), "%d", r->empty);
	snprintf(n[3], sizeof(n[3]), "%d", r->percent);
	return csv_line(b, f, NF(f), BIT(0) | BIT(1) | BIT(2));
}

static int holding_csv(struct buf *b, const struct holding_row *r)
{
	char from[AT_NAME_MAX + 16], to[AT_NAME_MAX + 16], days[32], s[24], e[24];
	const char *f[NF(holding_cols)] = {
		r->tag, r->equipment_type, r->model, r->since, r->due, from, r->back_at, to, days,
		r->late ? "yes" : "no", s, e,
	};

	slot_text(r->from_case, r->from_position, from, sizeof(from));
	slot_text(r->to_case, r->to_position, to, sizeof(to));
	snprintf(days, sizeof(days), "%.2f", (double)r->seconds / 86400.0);
	snprintf(s, sizeof(s), "%lld", (long long)r->seq);
	if (r->end_seq)
		snprintf(e, sizeof(e), "%lld", (long long)r->end_seq);
	else
		e[0] = '\0';
	return csv_line(b, f, NF(f), BIT(1) | BIT(2));
}

static int retired_csv(struct buf *b, const struct retired_row *r)
{
	const struct asset *a = &r->asset;
	char seq[24];
	const char *f[NF(retired_cols)] = {
		r->reason, a->tag, a->serial, a->manufacturer, a->equipment_type, a->model, r->at,
		r->actor, seq,
	};

	snprintf(seq, sizeof(seq), "%lld", (long long)r->seq);
	return csv_line(b, f, NF(f), BIT(0) | BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(7));
}

/* ==== a chunk of CSV at a time ======================================== */

struct chunk {
	struct buf *b;
	char *cursor;
	int max, n;
	int more;                      /* a row past the chunk exists */
	int failed;                    /* the buffer refused a line */
};

/* Before a row: 1 (stop) when the chunk is full, noting there is more. */
static int chunk_full(struct chunk *k)
{
	if (k->n < k->max)
		return 0;
	k->more = 1;
	return 1;
}

/* After a row's line: keep its cursor; stop if the line did not fit. */
static int chunk_took(struct chunk *k, int rc, const char *cursor)
{
	if (rc < 0) {
		k->failed = 1;
		return 1;
	}
	snprintf(k->cursor, REPORT_CURSOR_MAX, "%s", cursor);
	k->n++;
	return 0;
}

static int custody_chunk(void *ctx, const struct custody_row *r)
{
	struct chunk *k = ctx;

	return chunk_full(k) || chunk_took(k, custody_csv(k->b, r), r->cursor);
}

static int unslotted_chunk(void *ctx, const struct unslotted_row *r)
{
	struct chunk *k = ctx;

	return chunk_full(k) || chunk_took(k, unslotted_csv(k->b, r), r->cursor);
}

static int occupancy_chunk(void *ctx, const struct occupancy_row *r)
{
	struct chunk *k = ctx;

	return chunk_full(k) || chunk_took(k, occupancy_csv(k->b, r), r->cursor);
}

static int holding_chunk(void *ctx, const struct holding_row *r)
{
	struct chunk *k = ctx;

	return chunk_full(k) || chunk_took(k, holding_csv(k->b, r), r->cursor);
}

static int retired_chunk(void *ctx, const struct retired_row *r)
{
	struct chunk *k = ctx;

	return chunk_full(k) || chunk_took(k, retired_csv(k->b, r), r->cursor);
}

enum at_code report_csv_chunk(struct store *st, const struct report_query *q,
                              char cursor[REPORT_CURSOR_MAX], int max_rows, struct buf *b,
                              int *end, struct at_errors *e)
{
	/* The cursor is read by the report and written by each row: a copy. */
	char after[REPORT_CURSOR_MAX];
	struct chunk k = { b, cursor, max_rows, 0, 0, 0 };
	enum at_code c = AT_INTERNAL;

	snprintf(after, sizeof(after), "%s", cursor);
	switch (q->kind) {
	case REPORT_CUSTODY:
		c = report_custody_from(st, q->as_of, q->overdue_only, after, custody_chunk, &k, e);
		break;
	case REPORT_UNSLOTTED:
		c = report_unslotted(st, after, unslotted_chunk, &k, e);
		break;
	case REPORT_OCCUPANCY:
		c = report_occupancy(st, after, occupancy_chunk, &k, e);
		break;
	case REPORT_HOLDINGS:
		c = report_holder_history(st, q->holder_id, after, holding_chunk, &k, e);
		break;
	case REPORT_RETIRED:
		c = report_retired(st, q->reason, after, retired_chunk, &k, e);
		break;
	}
	if (c == AT_OK && k.failed)
		c = at_fail(e, AT_TOO_LARGE, "the CSV chunk outgrew its buffer");
	*end = !k.more;
	return c;
}

void report_csv_filename(const struct report_query *q, char *out, size_t cap)
{
	char day[11];

	if (q->kind == REPORT_CUSTODY && q->as_of) {
		snprintf(out, cap, "custody%s-as-of-%.10s.csv", q->overdue_only ? "-overdue" : "",
		         q->as_of);
		return;
	}
	text_today(day);
	switch (q->kind) {
	case REPORT_CUSTODY:
		snprintf(out, cap, "custody%s-%s.csv", q->overdue_only ? "-overdue" : "", day);
		break;
	case REPORT_UNSLOTTED: snprintf(out, cap, "unslotted-%s.csv", day); break;
	case REPORT_OCCUPANCY: snprintf(out, cap, "occupancy-%s.csv", day); break;
	case REPORT_HOLDINGS:
		snprintf(out, cap, "holder-%lld-history-%s.csv", (long long)q->holder_id, day);
		break;
	case REPORT_RETIRED: snprintf(out, cap, "retired-%s.csv", day); break;
	}
}
