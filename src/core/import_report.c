/*
 * import_report.c — an import's report as JSON (core/import.h), the same
 * object for the CLI's --json and the API.
 */
#include "core/import.h"

#include <stdio.h>

#include "util/text.h"

static const char *const outcome_names[IMPORT_OUTCOME__MAX] = {
	[IMPORT_STORAGE] = "storage",
	[IMPORT_CUSTODY] = "custody",
	[IMPORT_RETIRED] = "retired",
	[IMPORT_REFUSED] = "refused",
};

/* Text the file supplied may be bad UTF-8 (a refused row's cell):
 * repaired, because jansson refuses it and the report must be sent. */
static json_t *text(const char *s)
{
	char buf[AT_MSG_MAX * 2];

	text_utf8_repair(s ? s : "", buf, sizeof(buf));
	return json_string(buf);
}

static json_t *opt_text(const char *s)
{
	return s && *s ? text(s) : json_null();
}

static json_t *columns_json(const struct import_report *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->ncols; i++)
		json_array_append_new(a, json_pack("{s:o, s:o, s:o}", "column", text(r->cols[i].name),
		                                   "to", text(r->cols[i].to), "note",
		                                   opt_text(r->cols[i].note)));
	return a;
}

static json_t *examples_json(const struct import_report *r)
{
	json_t *o = json_object();

	for (int k = 0; k < IMPORT_OUTCOME__MAX; k++) {
		json_t *a = json_array();
		for (size_t i = 0; i < r->nexamples[k]; i++) {
			const struct import_example *x = &r->examples[k][i];
			json_array_append_new(a, json_pack("{s:I, s:o, s:o}", "row", (json_int_t)x->row,
			                                   "asset_tag", opt_text(x->tag), "text",
			                                   text(x->text)));
		}
		json_object_set_new(o, outcome_names[k], a);
	}
	return o;
}

static json_t *holders_json(const struct import_report *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->nnew_holders; i++) {
		const struct import_new_holder *h = &r->new_holders[i];
		json_array_append_new(a, json_pack("{s:I, s:o, s:o, s:o}", "row", (json_int_t)h->row,
		                                   "name", text(h->name), "badge", opt_text(h->badge),
		                                   "email", opt_text(h->email)));
	}
	return json_pack("{s:I, s:I, s:o, s:I}", "total", (json_int_t)r->holders, "new",
	                 (json_int_t)r->holders_new, "new_listed", a, "new_not_listed",
	                 (json_int_t)(r->holders_new - r->nnew_holders));
}

static json_t *cases_json(const struct import_report *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->nnew_cases; i++) {
		const struct import_new_case *c = &r->new_cases[i];
		json_array_append_new(a, json_pack("{s:I, s:o, s:i}", "row", (json_int_t)c->row,
		                                   "name", text(c->name), "slots", c->slots));
	}
	return json_pack("{s:I, s:o, s:I}", "new", (json_int_t)r->cases_new, "new_listed", a,
	                 "new_not_listed", (json_int_t)(r->cases_new - r->nnew_cases));
}

static json_t *statuses_json(const struct import_report *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->nstatuses; i++)
		json_array_append_new(a, json_pack("{s:o, s:I, s:o}", "status",
		                                   text(r->statuses[i].name), "rows",
		                                   (json_int_t)r->statuses[i].rows, "to",
		                                   text(r->statuses[i].to)));
	return a;
}

static json_t *kept_json(const struct import_report *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->nkept; i++)
		json_array_append_new(a, json_pack("{s:I, s:o, s:s, s:o}", "row",
		                                   (json_int_t)r->kept[i].row, "asset_tag",
		                                   text(r->kept[i].tag), "type", r->kept[i].type, "to",
		                                   text(r->kept[i].to)));
	return json_pack("{s:I, s:o}", "count", (json_int_t)r->kept_checkouts, "listed", a);
}

static json_t *refused_json(const struct at_errors *e)
{
	json_t *a = json_array();
	unsigned long row;

	for (size_t i = 0; e && i < e->nitems; i++) {
		if (sscanf(e->items[i].input, "row %lu", &row) != 1)
			row = 0;
		json_array_append_new(a, json_pack("{s:o, s:s, s:o}", "row",
		                                   row ? json_integer((json_int_t)row) : json_null(),
		                                   "code", at_code_name(e->items[i].code), "message",
		                                   text(e->items[i].message)));
	}
	return a;
}

json_t *import_report_json(const struct import_report *r, const struct at_errors *e)
{
	json_t *outcomes = json_object();
	char delim[2] = { r->delimiter ? r->delimiter : ',', '\0' };

	for (int k = 0; k < IMPORT_OUTCOME__MAX; k++)
		json_object_set_new(outcomes, outcome_names[k], json_integer((json_int_t)r->count[k]));
	return json_pack("{s:b, s:s, s:I, s:I, s:s?, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:I, s:o, "
	                 "s:o, s:o, s:f}",
	                 "dry_run", r->dry_run, "format", r->format, "rows", (json_int_t)r->rows,
	                 "created", (json_int_t)r->created, "batch_id",
	                 r->batch_id[0] ? r->batch_id : NULL, "encoding", r->encoding, "delimiter",
	                 delim, "columns", columns_json(r), "outcomes", outcomes, "holders",
	                 holders_json(r), "cases", cases_json(r), "statuses", statuses_json(r), "statuses_not_listed_rows",
	                 (json_int_t)r->statuses_other, "checkouts_kept", kept_json(r), "examples",
	                 examples_json(r), "refused", refused_json(e), "seconds", r->seconds);
}
