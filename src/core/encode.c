/*
 * encode.c — SPEC §7 JSON shapes through jansson.
 *
 * json_pack() does the work: "s?" turns a NULL string into null, and on
 * any failure it releases the references handed to it with "o", so an
 * out-of-memory condition anywhere yields NULL and leaks nothing.
 */
#include "store/store.h"
#include "core/encode.h"

#include "core/attr.h"

#include "util/text.h"

#include <string.h>

/* NULL for an empty optional text field, so it encodes as null. */
static const char *opt(const char *s)
{
	return (s && *s) ? s : NULL;
}

json_t *slot_to_json(const char *case_name, int position)
{
	if (!case_name || !*case_name)
		return json_null();
	return json_pack("{s:s, s:i}", "case", case_name, "position", position);
}

/* {"id","name"} of a holder, or null when there is none.  NULL on OOM. */
static json_t *holder_ref_json(int64_t id, const char *name)
{
	if (!id)
		return json_null();
	return json_pack("{s:I, s:s?}", "id", (json_int_t)id, "name", opt(name));
}

/* Set `key` (a literal) to `v`, or to null if `v` could not be made. */
static void put(json_t *o, const char *key, json_t *v)
{
	json_object_set_new_nocheck(o, key, v ? v : json_null());
}

static json_t *text_or_null(const char *s)
{
	return (s && *s) ? json_string(s) : json_null();
}

/* Built key by key rather than with json_pack: this is the body of every
 * scanner lookup, and parsing a 16-field format string per call was a
 * measurable share of it. */
json_t *asset_to_json(const struct asset *a)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	put(o, "asset_tag", json_string(a->tag));
	put(o, "serial_number", json_string(a->serial));
	put(o, "manufacturer", json_string(a->manufacturer));
	put(o, "equipment_type", json_string(a->equipment_type));
	put(o, "model", text_or_null(a->model));
	put(o, "model_code", text_or_null(a->model_code));
	put(o, "building", json_string(a->building));
	put(o, "room", json_string(a->room));
	put(o, "notes", text_or_null(a->notes));
	put(o, "state", json_string(asset_state_name(a->state)));
	put(o, "condition", json_string(asset_condition_name(a->condition)));
	put(o, "holder", holder_ref_json(a->holder_id, a->holder_name));
	put(o, "due", text_or_null(a->due));
	put(o, "slot", slot_to_json(a->case_id ? a->case_name : NULL, a->position));
	put(o, "created_at", json_string(a->created_at));
	put(o, "updated_at", json_string(a->updated_at));
	if (a->state == ASSET_RETIRED)
		put(o, "retired_at", json_string(a->retired_at));
	/* {} when it has none: a client reads one shape. */
	put(o, "attributes", attrs_to_json(a->attributes));
	return o;
}

json_t *event_to_json(const struct event *ev)
{
	json_t *from, *to, *holder, *details;
	const char *text = ev->details ? ev->details : "{}";

	from = slot_to_json(ev->from_case, ev->from_position);
	to = slot_to_json(ev->to_case, ev->to_position);
	holder = holder_ref_json(ev->holder_id, ev->holder_name);
	/* The stored text is canonical JSON written by event_append(); if a
	 * row was tampered with, show what is there rather than drop it. */
	details = json_loads(text, JSON_DECODE_ANY, NULL);
	if (!details)
		details = json_string(text);
	if (!from || !to || !holder || !details) {
		json_decref(from);
		json_decref(to);
		json_decref(holder);
		json_decref(details);
		return NULL;
	}
	return json_pack("{s:I, s:s, s:s, s:s?, s:o, s:o, s:o, s:s, s:s?, s:s, s:o, s:s, s:s}",
	                 "seq", (json_int_t)ev->seq, "at", ev->at, "type", ev->type ? ev->type : "",
	                 "asset_tag", ev->asset_tag, "from", from, "to", to, "holder", holder,
	                 "actor", ev->actor ? ev->actor : "", "reason", ev->reason, "batch_id",
	                 ev->batch_id ? ev->batch_id : "", "details", details, "prev_hash",
	                 ev->prev_hash, "hash", ev->hash);
}

json_t *case_to_json(const struct case_info *c)
{
	return json_pack("{s:s, s:i, s:i, s:s?, s:s?, s:s?, s:s, s:s}", "name", c->name,
	                 "slot_count", c->slot_count, "occupied", c->occupied, "building",
	                 opt(c->building), "room", opt(c->room), "notes", opt(c->notes),
	                 "created_at", c->created_at, "updated_at", c->updated_at);
}

json_t *holder_to_json(const struct holder *h)
{
	return json_pack("{s:I, s:s, s:s?, s:s?, s:b, s:s, s:s}", "id", (json_int_t)h->id, "name",
	                 h->name, "badge", opt(h->badge), "email", opt(h->email), "active",
	                 h->active ? 1 : 0, "created_at", h->created_at, "updated_at",
	                 h->updated_at);
}

json_t *errors_to_json(const struct at_errors *e)
{
	/* Messages and inputs echo what the client sent, which may be bad
	 * UTF-8 (a path segment, a CSV field): repaired here, because jansson
	 * refuses invalid UTF-8 and the refusal must still be answered. */
	char input[AT_INPUT_MAX], msg[AT_MSG_MAX];
	json_t *items = json_array(), *it;
	size_t i;

	if (!items)
		return NULL;
	for (i = 0; i < e->nitems; i++) {
		const struct at_item_error *x = &e->items[i];
		text_utf8_repair(x->input, input, sizeof(input));
		text_utf8_repair(x->message, msg, sizeof(msg));
		it = json_pack("{s:s, s:s, s:s}", "input", input, "code", at_code_name(x->code),
		               "message", msg);
		if (!it || json_array_append_new(items, it) < 0) {
			json_decref(it);
			json_decref(items);
			return NULL;
		}
	}
	text_utf8_repair(e->message[0] ? e->message : at_code_name(e->code), msg, sizeof(msg));
	return json_pack("{s:{s:s, s:s, s:o}}", "error", "code", at_code_name(e->code), "message",
	                 msg, "items", items);
}
