/*
 * api.h — the JSON API's shared helpers and its handlers (SPEC §7), one
 * file per resource: api_assets.c, api_cases.c, api_custody.c,
 * api_holders.c, api_events.c, api_reports.c, api_batches.c.  The route
 * table is in route.c.
 *
 * Each handler declares the fields its body may carry (check_body); the
 * request has already passed authentication, role, CSRF and size checks.
 * Handlers translate JSON to core calls and core results to JSON; every
 * decision about what is allowed is made by core/.
 */
#ifndef AT_WEB_API_H
#define AT_WEB_API_H

#include "web/web.h"

#define DEFAULT_LIMIT 50
#define MAX_LIMIT 1000

/* ---- body validation (api_common.c) -------------------------------- */

enum { JT_STRING = 1, JT_INT = 2, JT_BOOL = 4, JT_NULL = 8, JT_ARRAY = 16, JT_OBJECT = 32 };

struct jfield {
	const char *name;
	unsigned types;
	int required;
};

/* Check `obj` against `spec`: unknown fields, wrong types and missing
 * required fields each become an item of `e`; -1 if any. */
int check_object(json_t *obj, const struct jfield *spec, const char *prefix,
                 struct at_errors *e);
struct field_spec;
/* The body fields of an entity's text fields (core/fields.h) into `out`,
 * then `extra` (NULL-terminated, may be NULL), then the terminator:
 * required ones (when `creating`) are text; optional ones text or null
 * (null: clear it).  `out` has room for n + extras + 1. */
void spec_jfields(const struct field_spec *specs, size_t n, int creating,
                  const struct jfield *extra, struct jfield *out);
/* check_object on the request body; replies 422 and returns -1 if bad. */
int check_body(struct request *rq, const struct jfield *spec);
/* String value, or NULL for absent/null. */
const char *jtext(json_t *o, const char *key);
/* A present-but-null optional text field means "clear it": "". */
const char *jtext_or_clear(json_t *o, const char *key);
/* JSON integer as int64 for core, 0 (which core refuses) otherwise. */
int64_t jint(json_t *o, const char *key);

/* Reply with the outcome of a core call: `ok_body` (stolen) with
 * `status` on success, else the refusal; frees `e`. */
void answer(struct request *rq, enum at_code c, struct at_errors *e, int status,
            json_t *ok_body);
/* Parse ?limit= (default DEFAULT_LIMIT); replies 422 and returns -1 if bad. */
int query_limit(struct request *rq, int *limit);

/*
 * One page of a keyset-paginated list.  The store is asked for limit + 1
 * rows: the extra one only proves there is more, and then the cursor of
 * the last row kept becomes "next_after".
 */
struct page {
	json_t *arr;
	json_t *cursor;              /* of the last row kept */
	int limit, n, more;
};
/* 1 (stop iterating) when the page is full, noting that more follow. */
int page_full(struct page *p);
/* Keep `item` (stolen) and its `cursor` (stolen). */
int page_push(struct page *p, json_t *item, json_t *cursor);
/* Reply {"<key>": [...], "next_after": cursor|null}, or the failure in
 * `e` when `c` is not AT_OK; frees `e`. */
void reply_page(struct request *rq, struct page *p, const char *key, enum at_code c,
                struct at_errors *e);

/* ---- handlers -------------------------------------------------------- */

void list_assets(struct request *rq);
void create_asset(struct request *rq);
void get_asset(struct request *rq);
void update_asset(struct request *rq);
void retire_asset(struct request *rq);
void replace_asset(struct request *rq);
void asset_events(struct request *rq);
void list_cases(struct request *rq);
void create_case(struct request *rq);
void get_case(struct request *rq);
void update_case(struct request *rq);
void slot_assign_h(struct request *rq);
void slot_move_h(struct request *rq);
void slot_vacate_h(struct request *rq);
void stock_out(struct request *rq);
void stock_in(struct request *rq);
void list_holders(struct request *rq);
void create_holder(struct request *rq);
void get_holder(struct request *rq);
void update_holder(struct request *rq);
void list_events(struct request *rq);
/* api_reports.c */
void report_custody_h(struct request *rq);
void report_unslotted_h(struct request *rq);
void report_occupancy_h(struct request *rq);
void report_holder_h(struct request *rq);
void report_retired_h(struct request *rq);
void verify_h(struct request *rq);
void import_h(struct request *rq);
void create_audit(struct request *rq);
void list_audits(struct request *rq);
void get_audit(struct request *rq);
void apply_audit(struct request *rq);
void get_batch(struct request *rq);

/* Shared by the asset handlers and events: the events of `f` as a page. */
void reply_events(struct request *rq, struct event_filter *f);

#endif
