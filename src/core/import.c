/*
 * import.c — CSV import of assets (libcsv), all or nothing.
 */
#include "store/store.h"
#include "core/fields.h"
#include "core/import.h"

#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/asset.h"
#include "core/internal.h"
#include "util/text.h"

#define MAX_COLS 64
#define MAX_REPORTED 500

enum col {
	COL_TAG, COL_SERIAL, COL_MANUFACTURER, COL_TYPE, COL_MODEL, COL_MODEL_CODE,
	COL_BUILDING, COL_ROOM, COL_NOTES, COL_CONDITION, COL_CASE, COL_POSITION, COL__MAX
};

/* The asset field each column fills (core/fields.h); -1: not a field. */
static const int col_field[COL__MAX] = {
	[COL_TAG] = AF_TAG, [COL_SERIAL] = AF_SERIAL, [COL_MANUFACTURER] = AF_MANUFACTURER,
	[COL_TYPE] = AF_TYPE, [COL_MODEL] = AF_MODEL, [COL_MODEL_CODE] = AF_MODEL_CODE,
	[COL_BUILDING] = AF_BUILDING, [COL_ROOM] = AF_ROOM, [COL_NOTES] = AF_NOTES,
	[COL_CONDITION] = AF_CONDITION, [COL_CASE] = -1, [COL_POSITION] = -1,
};

/* Header names per column, both formats, lower-case: our export's (the
 * field's name in core/fields.h) first, then Snipe-IT's. */
static const char *const col_names[COL__MAX][4] = {
	[COL_TAG] = { "asset_tag", "asset tag", NULL },
	[COL_SERIAL] = { "serial_number", "serial", "serial number", NULL },
	[COL_MANUFACTURER] = { "manufacturer", NULL },
	[COL_TYPE] = { "equipment_type", "category", "type", NULL },
	[COL_MODEL] = { "model", "model name", NULL },
	[COL_MODEL_CODE] = { "model_code", "model number", "model no.", NULL },
	[COL_BUILDING] = { "building", "location", NULL },
	[COL_ROOM] = { "room", NULL },
	[COL_NOTES] = { "notes", NULL },
	[COL_CONDITION] = { "condition", NULL },
	[COL_CASE] = { "case", NULL },
	[COL_POSITION] = { "position", NULL },
};

struct parse {
	struct store *st;
	struct event_writer *w;
	struct at_errors *e;
	struct import_result *res;
	/* current record */
	char *fields[MAX_COLS];
	size_t nfields;
	int header_done;
	int map[COL__MAX];           /* field index per column, -1 absent */
	int snipe;
	size_t row;                  /* 1-based line of the current record */
	size_t failed;
	enum at_code fatal;
};

static void clear_fields(struct parse *p)
{
	for (size_t i = 0; i < p->nfields; i++)
		free(p->fields[i]);
	p->nfields = 0;
}

static void on_field(void *data, size_t len, void *ctx)
{
	struct parse *p = ctx;
	char *f;

	if (p->nfields >= MAX_COLS)
		return;
	f = malloc(len + 1);
	if (!f) {
		p->fatal = AT_INTERNAL;
		return;
	}
	if (len)
		memcpy(f, data, len);
	f[len] = '\0';
	p->fields[p->nfields++] = f;
}

static const char *field(struct parse *p, enum col c)
{
	int i = p->map[c];

	if (i < 0 || (size_t)i >= p->nfields)
		return NULL;
	return p->fields[i];
}

static void read_header(struct parse *p)
{
	char name[64];

	for (int c = 0; c < COL__MAX; c++)
		p->map[c] = -1;
	for (size_t i = 0; i < p->nfields; i++) {
		/* Trim and lower-case; a UTF-8 BOM on the first name is dropped. */
		const char *f = p->fields[i];
		size_t j = 0;
		if (i == 0 && strncmp(f, "\xef\xbb\xbf", 3) == 0)
			f += 3;
		while (*f == ' ')
			f++;
		for (; f[j] && j + 1 < sizeof(name); j++)
			name[j] = (f[j] >= 'A' && f[j] <= 'Z') ? (char)(f[j] + 32) : f[j];
		while (j && name[j - 1] == ' ')
			j--;
		name[j] = '\0';
		for (int c = 0; c < COL__MAX; c++)
			for (int k = 0; col_names[c][k]; k++)
				if (p->map[c] < 0 && strcmp(name, col_names[c][k]) == 0)
					p->map[c] = (int)i;
	}
	p->snipe = p->map[COL_TAG] >= 0 && strcasecmp(p->fields[p->map[COL_TAG]], "asset tag") == 0;
	snprintf(p->res->format, sizeof(p->res->format), "%s", p->snipe ? "snipe-it" : "assettrack");
	p->header_done = 1;
}

static int empty_row(struct parse *p)
{
	for (size_t i = 0; i < p->nfields; i++)
		if (p->fields[i][0])
			return 0;
	return 1;
}

/* Create the asset of one data row; failures become "row N" items. */
static void import_row(struct parse *p)
{
	struct at_errors re = AT_ERRORS_INIT;
	struct asset_input in;
	const char *pos = field(p, COL_POSITION), *cas = field(p, COL_CASE);
	char input[32];
	int64_t n = 0;

	memset(&in, 0, sizeof(in));
	for (int col = 0; col < COL__MAX; col++)
		if (col_field[col] >= 0)
			*asset_input_field(&in, &asset_fields[col_field[col]]) = field(p, col);
	if (p->snipe && (!in.room || !*in.room))
		in.room = "unassigned";
	if (in.condition && !*in.condition)
		in.condition = NULL;
	if (cas && *cas) {
		in.slot_case = cas;
		in.slot_position = (pos && text_parse_int(pos, 1, 1000, &n) == 0) ? (int)n : -1;
	}
	p->res->rows++;
	snprintf(input, sizeof(input), "row %zu", p->row);
	if (asset_create_in(p->st, p->w, &in, NULL, &re) == AT_OK) {
		p->res->created++;
	} else if (re.code == AT_STORAGE || re.code == AT_BUSY || re.code == AT_INTERNAL) {
		p->fatal = re.code;
		at_fail(p->e, re.code, "row %zu: %s", p->row, re.message);
	} else {
		p->failed++;
		if (p->failed <= MAX_REPORTED) {
			if (re.nitems == 0)
				at_item(p->e, input, re.code, "row %zu: %s", p->row, re.message);
			for (size_t i = 0; i < re.nitems; i++)
				at_item(p->e, input, re.items[i].code, "row %zu (%s): %s", p->row,
				        in.tag ? in.tag : "no tag", re.items[i].message);
		}
	}
	at_errors_free(&re);
}

static void on_record(int term, void *ctx)
{
	struct parse *p = ctx;

	(void)term;
	p->row++;
	if (p->fatal) {
		clear_fields(p);
		return;
	}
	if (!p->header_done)
		read_header(p);
	else if (!empty_row(p)) {
		if (p->res->rows >= AT_IMPORT_MAX_ROWS) {
			p->fatal = AT_TOO_LARGE;
			at_fail(p->e, AT_TOO_LARGE, "an import holds at most %d rows",
			        AT_IMPORT_MAX_ROWS);
		} else {
			import_row(p);
		}
	}
	clear_fields(p);
}

enum at_code import_assets(struct store *st, const char *actor, const char *csv, size_t len,
                           int dry_run, struct import_result *res, struct at_errors *e)
{
	struct csv_parser parser;
	struct event_writer w;
	struct parse p;
	enum at_code c;

	memset(res, 0, sizeof(*res));
	memset(&p, 0, sizeof(p));
	res->dry_run = dry_run;
	if (csv_init(&parser, CSV_STRICT | CSV_APPEND_NULL) != 0)
		return at_fail(e, AT_INTERNAL, "cannot start the CSV parser");
	c = op_begin(st, actor, &w, e);
	if (c != AT_OK) {
		csv_free(&parser);
		return c;
	}
	p.st = st;
	p.w = &w;
	p.e = e;
	p.res = res;
	if (csv_parse(&parser, csv, len, on_field, on_record, &p) != len ||
	    csv_fini(&parser, on_field, on_record, &p) != 0) {
		c = at_fail(e, AT_MALFORMED, "the CSV is malformed near row %zu: %s", p.row + 1,
		            csv_strerror(csv_error(&parser)));
		goto out;
	}
	if (p.fatal) {
		c = p.fatal == AT_INTERNAL ? at_fail(e, AT_INTERNAL, "out of memory") : e->code;
		goto out;
	}
	if (!p.header_done) {
		c = at_fail(e, AT_INVALID, "the CSV is empty: it needs a header row");
		goto out;
	}
	if (p.map[COL_TAG] < 0) {
		c = at_fail(e, AT_INVALID,
		            "no asset tag column: expected 'asset_tag' (AssetTrack) or 'Asset Tag' "
		            "(Snipe-IT) in the header row");
		goto out;
	}
	if (p.failed) {
		c = at_fail(e, e->items[0].code, "%zu of %zu rows refused; nothing was imported%s",
		            p.failed, res->rows,
		            p.failed > MAX_REPORTED ? " (first 500 reasons shown)" : "");
		goto out;
	}
	if (res->rows == 0) {
		c = at_fail(e, AT_INVALID, "the CSV has a header but no rows");
		goto out;
	}
	snprintf(res->batch_id, sizeof(res->batch_id), "%s", w.batch_id);
	if (dry_run) {
		/* Everything was checked by doing it; now undo it. */
		store_rollback(st);
		c = AT_OK;
		goto done;
	}
	c = AT_OK;
out:
	c = op_end(st, c, e);
	if (c != AT_OK)
		res->created = 0;
done:
	clear_fields(&p);
	csv_free(&parser);
	return c;
}
