/*
 * common.c — transaction and validation helpers shared by core modules.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "core/fields.h"
#include "core/internal.h"
#include "util/text.h"

/* The operations in op_begin (op_writers_waiting). */
static atomic_int g_waiting;

enum at_code op_begin(struct store *st, const char *actor, struct event_writer *w,
                      struct at_errors *e)
{
	enum at_code c;

	atomic_fetch_add_explicit(&g_waiting, 1, memory_order_relaxed);
	c = store_begin(st, e);
	if (c == AT_OK) {
		op_hook_begun();
		c = event_writer_begin(w, st, actor, e);
		if (c != AT_OK)
			store_rollback(st);
	}
	atomic_fetch_sub_explicit(&g_waiting, 1, memory_order_relaxed);
	return c;
}

int op_writers_waiting(void)
{
	return atomic_load_explicit(&g_waiting, memory_order_relaxed);
}

enum at_code op_end(struct store *st, enum at_code c, struct at_errors *e)
{
	if (c == AT_OK) {
		c = store_commit(st, e);
		if (c == AT_OK)
			return AT_OK;
	}
	store_rollback(st);
	return c;
}

enum at_code place_find_slot(struct store *st, const char *case_name, int64_t position,
                             struct case_info *c, char *why)
{
	enum at_code r = store_case_by_name(st, case_name, c);

	if (r == AT_NOT_FOUND) {
		snprintf(why, AT_MSG_MAX, "there is no case named '%s'", case_name);
		return r;
	}
	if (r != AT_OK) {
		snprintf(why, AT_MSG_MAX, "cannot read case '%s': %s", case_name, store_errmsg(st));
		return r;
	}
	if (position < 1 || position > c->slot_count) {
		snprintf(why, AT_MSG_MAX, "case %s has slots 1 to %d; there is no slot %lld",
		         c->name, c->slot_count, (long long)position);
		return AT_SLOT_NOT_FOUND;
	}
	return AT_OK;
}

int field_clean(struct at_errors *e, const char *label, const char *in, char *out, size_t cap,
                size_t max, int required, int multiline)
{
	char why[AT_WHY_MAX];

	if (!in) {
		if (required) {
			at_item(e, label, AT_INVALID, "%s is required", label);
			return -1;
		}
		out[0] = '\0';
		return 0;
	}
	if (text_clean_field(in, out, cap, max, required, multiline, label, why) < 0) {
		at_item(e, label, AT_INVALID, "%s", why);
		return -1;
	}
	return 0;
}

int spec_clean(struct at_errors *e, const struct field_spec *f, const char *in, void *rec,
               int required)
{
	return field_clean(e, f->name, in, field_in_record(rec, f), f->rec_size, f->max, required,
	                   (f->flags & FIELD_MULTILINE) != 0);
}

int reason_clean(struct at_errors *e, const char *in, char *out)
{
	if (field_clean(e, "reason", in, out, AT_REASON_MAX + 1, AT_REASON_MAX, 1, 0) < 0) {
		if (e && e->nitems && !in)
			snprintf(e->items[e->nitems - 1].message, AT_MSG_MAX,
			         "a written reason is required");
		return -1;
	}
	return 0;
}

void json_set_text(json_t *o, const char *key, const char *v)
{
	json_object_set_new(o, key, (v && *v) ? json_string(v) : json_null());
}

enum at_code storage_fail(struct store *st, struct at_errors *e, enum at_code c)
{
	if (c == AT_BUSY)
		return at_fail(e, c, "the database is busy; try again");
	return at_fail(e, c == AT_OK ? AT_STORAGE : c, "database error: %s", store_errmsg(st));
}
