/*
 * place.c — cases, slots and the slot corrections.
 */
#include "store/store.h"
#include "core/fields.h"
#include "core/place.h"

#include <stdio.h>
#include <string.h>

#include "core/asset.h"
#include "core/internal.h"
#include "util/text.h"

int slot_label_parse(const char *label, char *case_name, size_t cap, int64_t *position)
{
	const char *sep = NULL, *p;
	size_t n;

	for (p = label; *p; p++)
		if (*p == '/' || *p == ':')
			sep = p;
	if (!sep || sep == label)
		return -1;
	n = (size_t)(sep - label);
	if (n + 1 > cap)
		return -1;
	if (text_parse_int(sep + 1, 1, AT_MAX_SLOTS, position) < 0)
		return -1;
	memcpy(case_name, label, n);
	case_name[n] = '\0';
	return 0;
}

/* ==== cases =========================================================== */

/* Clean a case name; item on refusal. */
static int case_name_clean(struct at_errors *e, const char *in, char *out)
{
	const struct field_spec *f = &case_fields[CF_NAME];
	char why[AT_WHY_MAX];

	if (field_clean(e, f->name, in, out, f->rec_size, f->max, 1, 0) < 0)
		return -1;
	if (text_valid_case_name(out, why) < 0) {
		at_item(e, "name", AT_INVALID, "%s", why);
		return -1;
	}
	return 0;
}

/* The case's fields checked and cleaned into `c`; items in `e`. */
static int case_clean(const char *name, int64_t nslots, const char *building, const char *room,
                      const char *notes, struct case_info *c, struct at_errors *e)
{
	memset(c, 0, sizeof(*c));
	case_name_clean(e, name, c->name);
	if (nslots < 1 || nslots > AT_MAX_SLOTS)
		at_item(e, "slots", AT_INVALID, "a case has 1 to %d slots, not %lld", AT_MAX_SLOTS,
		        (long long)nslots);
	spec_clean(e, &case_fields[CF_BUILDING], building, c, 0);
	spec_clean(e, &case_fields[CF_ROOM], room, c, 0);
	spec_clean(e, &case_fields[CF_NOTES], notes, c, 0);
	c->slot_count = (int)nslots;
	return e->nitems ? -1 : 0;
}

/* Add the members of the JSON object text `extra` (may be NULL) to
 * `details`: what an import adds (its row) to an event. */
static void details_add(json_t *details, const char *extra)
{
	json_t *x = extra ? json_loads(extra, 0, NULL) : NULL;

	if (x)
		json_object_update(details, x);
	json_decref(x);
}

/* CASE_RESIZED of `c`, grown from `old_slots`. */
static enum at_code resized_event(struct event_writer *w, const struct case_info *c,
                                  int old_slots, const char *details_extra, struct at_errors *e)
{
	json_t *details = json_pack("{s:s, s:i, s:i}", "case", c->name, "old_slots", old_slots,
	                            "new_slots", c->slot_count);
	struct event ev;
	enum at_code r;

	details_add(details, details_extra);
	memset(&ev, 0, sizeof(ev));
	ev.type = "CASE_RESIZED";
	r = event_append(w, &ev, details, e);
	json_decref(details);
	return r;
}

enum at_code case_create_in(struct store *st, struct event_writer *w, const char *name,
                            int64_t nslots, const char *building, const char *room,
                            const char *notes, const char *details_extra,
                            struct case_info *out, struct at_errors *e)
{
	struct case_info c, other;
	struct event ev;
	json_t *details;
	enum at_code r;

	if (case_clean(name, nslots, building, room, notes, &c, e) < 0)
		return at_items_done(e, e->nitems);
	r = store_case_by_name(st, c.name, &other);
	if (r == AT_OK)
		return at_fail(e, AT_DUPLICATE, "a case named %s already exists", c.name);
	if (r != AT_NOT_FOUND)
		return storage_fail(st, e, r);
	memcpy(c.created_at, w->at, sizeof(c.created_at));
	memcpy(c.updated_at, w->at, sizeof(c.updated_at));
	r = store_case_insert(st, &c, e);
	if (r != AT_OK)
		return r;
	details = json_pack("{s:s, s:i}", "case", c.name, "slots", c.slot_count);
	json_set_text(details, "building", c.building);
	json_set_text(details, "room", c.room);
	json_set_text(details, "notes", c.notes);
	details_add(details, details_extra);
	memset(&ev, 0, sizeof(ev));
	ev.type = "CASE_CREATED";
	r = event_append(w, &ev, details, e);
	json_decref(details);
	if (r == AT_OK && out)
		*out = c;
	return r;
}

enum at_code case_create(struct store *st, const char *actor, const char *name, int64_t nslots,
                         const char *building, const char *room, const char *notes,
                         struct case_info *out, struct at_errors *e)
{
	struct case_info c;
	struct event_writer w;
	enum at_code r;

	if (case_clean(name, nslots, building, room, notes, &c, e) < 0)
		return at_items_done(e, e->nitems);
	r = op_begin(st, actor, &w, e);
	if (r != AT_OK)
		return r;
	r = case_create_in(st, &w, name, nslots, building, room, notes, NULL, out, e);
	return op_end(st, r, e);
}

enum at_code case_grow_in(struct store *st, struct event_writer *w, struct case_info *c,
                          int64_t nslots, const char *details_extra, struct at_errors *e)
{
	enum at_code r;
	int old_slots = c->slot_count;

	if (nslots <= old_slots)
		return AT_OK;
	if (nslots > AT_MAX_SLOTS)
		return at_fail(e, AT_INVALID, "a case has 1 to %d slots, not %lld", AT_MAX_SLOTS,
		               (long long)nslots);
	c->slot_count = (int)nslots;
	memcpy(c->updated_at, w->at, sizeof(c->updated_at));
	r = store_case_save(st, c, old_slots, e);
	if (r != AT_OK)
		return r;
	return resized_event(w, c, old_slots, details_extra, e);
}

enum at_code case_update(struct store *st, const char *actor, const char *name, int64_t nslots,
                         const char *building, const char *room, const char *notes,
                         struct case_info *out, struct at_errors *e)
{
	struct case_info c, in;
	struct event_writer w;
	struct event ev;
	json_t *details = NULL, *changes = NULL;
	char cname[AT_NAME_MAX + 1];
	enum at_code r;
	int old_slots;

	memset(&in, 0, sizeof(in));
	field_clean(e, "name", name, cname, sizeof(cname), AT_NAME_MAX, 1, 0);
	if (nslots != 0 && (nslots < 1 || nslots > AT_MAX_SLOTS))
		at_item(e, "slots", AT_INVALID, "a case has 1 to %d slots, not %lld", AT_MAX_SLOTS,
		        (long long)nslots);
	spec_clean(e, &case_fields[CF_BUILDING], building, &in, 0);
	spec_clean(e, &case_fields[CF_ROOM], room, &in, 0);
	spec_clean(e, &case_fields[CF_NOTES], notes, &in, 0);
	if (e->nitems)
		return at_items_done(e, e->nitems);

	r = op_begin(st, actor, &w, e);
	if (r != AT_OK)
		return r;
	r = store_case_by_name(st, cname, &c);
	if (r == AT_NOT_FOUND) {
		r = at_fail(e, AT_NOT_FOUND, "there is no case named '%s'", cname);
		goto out;
	}
	if (r != AT_OK) {
		r = storage_fail(st, e, r);
		goto out;
	}
	old_slots = c.slot_count;
	if (nslots && nslots < c.slot_count) {
		r = at_fail(e, AT_INVALID, "case %s has %d slots; a case only grows, not to %lld",
		            c.name, c.slot_count, (long long)nslots);
		goto out;
	}
	changes = json_object();
#define CHANGE(key, f, given)                                           \
	if ((given) && strcmp(c.f, in.f) != 0) {                        \
		json_t *ch = json_object();                             \
		json_set_text(ch, "old", c.f);                          \
		json_set_text(ch, "new", in.f);                         \
		json_object_set_new(changes, key, ch);                  \
		snprintf(c.f, sizeof(c.f), "%s", in.f);                 \
	}
	CHANGE("building", building, building != NULL)
	CHANGE("room", room, room != NULL)
	CHANGE("notes", notes, notes != NULL)
#undef CHANGE
	if (nslots > c.slot_count)
		c.slot_count = (int)nslots;
	if (c.slot_count == old_slots && json_object_size(changes) == 0) {
		r = AT_OK;
		if (out)
			*out = c;
		goto out;
	}
	memcpy(c.updated_at, w.at, sizeof(c.updated_at));
	r = store_case_save(st, &c, old_slots, e);
	if (r != AT_OK)
		goto out;
	if (c.slot_count != old_slots) {
		r = resized_event(&w, &c, old_slots, NULL, e);
		if (r != AT_OK)
			goto out;
	}
	if (json_object_size(changes)) {
		details = json_pack("{s:s, s:O}", "case", c.name, "changes", changes);
		memset(&ev, 0, sizeof(ev));
		ev.type = "CASE_UPDATED";
		r = event_append(&w, &ev, details, e);
		if (r != AT_OK)
			goto out;
	}
	if (out)
		r = store_case_by_id(st, c.id, out);
out:
	json_decref(details);
	json_decref(changes);
	return op_end(st, r, e);
}

/* ==== slot corrections ================================================ */

/* Resolve the asset and the destination slot, and check the asset can go
 * there; every problem becomes an item.  `moving`: slot move, else assign. */
static enum at_code check_put(struct store *st, const char *tag, const char *case_name,
                              int64_t position, int moving, struct asset *a,
                              struct case_info *cs, struct at_errors *e)
{
	char cleaned[AT_INPUT_MAX], why[AT_MSG_MAX], cname[AT_NAME_MAX + 1];
	struct asset other;
	enum at_code c;
	int found;

	memset(a, 0, sizeof(*a));
	c = asset_resolve(st, tag ? tag : "", a, cleaned, why);
	if (c == AT_STORAGE || c == AT_BUSY)
		return storage_fail(st, e, c);
	found = c == AT_OK;
	if (!found) {
		at_item(e, cleaned, c, "%s", why);
	} else if (a->state != ASSET_STORAGE) {
		asset_whereabouts(a, why, sizeof(why));
		at_item(e, a->tag, a->state == ASSET_RETIRED ? AT_RETIRED : AT_NOT_IN_STORAGE,
		        "%s: %s; %s needs an asset in storage", a->tag, why,
		        moving ? "slot move" : "slot assign");
	} else if (!moving && a->case_id) {
		at_item(e, a->tag, AT_ALREADY_SLOTTED,
		        "%s is already in slot %s/%d; use slot move to change it", a->tag,
		        a->case_name, a->position);
	} else if (moving && !a->case_id) {
		at_item(e, a->tag, AT_NOT_SLOTTED,
		        "%s is in no slot; use slot assign to give it one", a->tag);
	}
	if (field_clean(e, "case", case_name, cname, sizeof(cname), AT_NAME_MAX, 1, 0) < 0)
		return at_items_done(e, e->nitems);
	c = place_find_slot(st, cname, position, cs, why);
	if (c == AT_STORAGE || c == AT_BUSY)
		return storage_fail(st, e, c);
	if (c != AT_OK) {
		at_item(e, cname, c, "%s", why);
		return at_items_done(e, e->nitems);
	}
	c = store_asset_in_slot(st, cs->id, (int)position, &other);
	if (c == AT_OK && found && other.id == a->id) {
		/* Assign already said "already in a slot"; say it once. */
		if (moving)
			at_item(e, a->tag, AT_INVALID, "%s is already in slot %s/%lld", a->tag,
			        cs->name, (long long)position);
	}
	else if (c == AT_OK)
		at_item(e, cname, AT_SLOT_OCCUPIED, "slot %s/%lld holds %s", cs->name,
		        (long long)position, other.tag);
	else if (c != AT_NOT_FOUND)
		return storage_fail(st, e, c);
	return e->nitems ? at_items_done(e, e->nitems) : AT_OK;
}

enum at_code slot_put_in(struct store *st, struct event_writer *w, const char *tag,
                         const char *case_name, int64_t position, int moving, json_t *details,
                         struct asset *out, struct at_errors *e)
{
	struct case_info cs;
	struct asset a;
	struct event ev;
	enum at_code c;

	c = check_put(st, tag, case_name, position, moving, &a, &cs, e);
	if (c != AT_OK)
		return c;
	memset(&ev, 0, sizeof(ev));
	ev.type = moving ? "SLOT_MOVE" : "SLOT_ASSIGN";
	ev.asset_tag = a.tag;
	if (moving) {
		ev.from_case = a.case_name;
		ev.from_position = a.position;
	}
	ev.to_case = cs.name;
	ev.to_position = (int)position;
	a.case_id = cs.id;
	a.position = (int)position;
	memcpy(a.updated_at, w->at, sizeof(a.updated_at));
	c = store_asset_save(st, &a, e);
	if (c == AT_OK)
		c = event_append(w, &ev, details, e);
	if (c == AT_OK && out)
		c = store_asset_by_tag(st, a.tag, out);
	return c;
}

/* Shared body of assign and move: `moving` says which one. */
static enum at_code slot_put(struct store *st, const char *actor, const char *tag,
                             const char *case_name, int64_t position, int moving,
                             struct asset *out, struct at_errors *e)
{
	struct event_writer w;
	enum at_code c;

	c = op_begin(st, actor, &w, e);
	if (c != AT_OK)
		return c;
	c = slot_put_in(st, &w, tag, case_name, position, moving, NULL, out, e);
	return op_end(st, c, e);
}

enum at_code slot_assign(struct store *st, const char *actor, const char *tag,
                         const char *case_name, int64_t position, struct asset *out,
                         struct at_errors *e)
{
	return slot_put(st, actor, tag, case_name, position, 0, out, e);
}

enum at_code slot_move(struct store *st, const char *actor, const char *tag,
                       const char *case_name, int64_t position, struct asset *out,
                       struct at_errors *e)
{
	return slot_put(st, actor, tag, case_name, position, 1, out, e);
}

enum at_code slot_force_vacate_in(struct store *st, struct event_writer *w,
                                  const char *case_name, int64_t position, const char *reason,
                                  json_t *details, struct asset *out, struct at_errors *e)
{
	char msg[AT_MSG_MAX];
	struct case_info cs;
	struct asset a;
	struct event ev;
	enum at_code c;

	c = place_find_slot(st, case_name, position, &cs, msg);
	if (c != AT_OK)
		return (c == AT_STORAGE || c == AT_BUSY) ? storage_fail(st, e, c)
		                                          : at_fail(e, c, "%s", msg);
	c = store_asset_in_slot(st, cs.id, (int)position, &a);
	if (c == AT_NOT_FOUND)
		return at_fail(e, AT_SLOT_EMPTY, "slot %s/%lld is already empty", cs.name,
		               (long long)position);
	if (c != AT_OK)
		return storage_fail(st, e, c);
	if (a.state == ASSET_IN_CUSTODY) {
		/* Cannot happen while invariant 4 holds; refuse rather than trust. */
		return at_fail(e, AT_CONFLICT, "%s is in custody; it cannot be vacated from a slot",
		               a.tag);
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = "FORCE_VACATE";
	ev.asset_tag = a.tag;
	ev.from_case = cs.name;
	ev.from_position = (int)position;
	ev.reason = reason;
	a.case_id = 0;
	a.position = 0;
	memcpy(a.updated_at, w->at, sizeof(a.updated_at));
	c = store_asset_save(st, &a, e);
	if (c == AT_OK)
		c = event_append(w, &ev, details, e);
	if (c == AT_OK && out)
		c = store_asset_by_tag(st, a.tag, out);
	return c;
}

enum at_code slot_force_vacate(struct store *st, const char *actor, const char *case_name,
                               int64_t position, const char *reason, struct asset *out,
                               struct at_errors *e)
{
	char why[AT_REASON_MAX + 1], cname[AT_NAME_MAX + 1];
	struct event_writer w;
	enum at_code c;

	reason_clean(e, reason, why);
	field_clean(e, "case", case_name, cname, sizeof(cname), AT_NAME_MAX, 1, 0);
	if (e->nitems)
		return at_items_done(e, e->nitems);
	c = op_begin(st, actor, &w, e);
	if (c != AT_OK)
		return c;
	c = slot_force_vacate_in(st, &w, cname, position, why, NULL, out, e);
	return op_end(st, c, e);
}
