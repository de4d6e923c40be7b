/*
 * asset.c — scanner lookup, create, update, retire and replace.
 */
#include "store/store.h"
#include "core/asset.h"
#include "core/fields.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "core/jsonw.h"
#include "util/buf.h"
#include "util/text.h"

/* ==== lookup ========================================================== */

/* A printable rendering of raw input for error reports. */
static void printable_copy(const char *in, char *out, size_t cap)
{
	size_t j = 0;

	for (; *in && j + 1 < cap; in++) {
		unsigned char c = (unsigned char)*in;
		out[j++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	out[j] = '\0';
}

typedef enum at_code (*by_key_fn)(struct store *st, const char *key, struct asset *a);

static enum at_code resolve(struct store *st, const char *input, struct asset *a, char *cleaned,
                            char *why, by_key_fn by_key)
{
	char clean[AT_INPUT_MAX], key[AT_INPUT_MAX], w[AT_WHY_MAX];
	enum at_code c;

	if (text_clean_scan(input, clean, sizeof(clean), w) < 0) {
		if (cleaned)
			printable_copy(input, cleaned, AT_INPUT_MAX);
		snprintf(why, AT_MSG_MAX, "%s", w);
		return AT_INVALID;
	}
	/* clean fits: it is AT_INPUT_MAX too (snprintf cost a lookup 600
	 * instructions). */
	if (cleaned)
		memcpy(cleaned, clean, strlen(clean) + 1);
	if (!clean[0]) {
		snprintf(why, AT_MSG_MAX, "empty scan: no asset tag given");
		return AT_INVALID;
	}
	/*
	 * Exact tag first, else match key (SPEC §4) takes one probe, not two:
	 * match keys are unique (invariant 1) and an exact tag has the same
	 * key as its asset, so the key probe finds the exact asset whenever
	 * there is one.  Only if the key is shared — which the schema forbids,
	 * so only in a damaged database — does the exact tag decide, and
	 * without an exact hit the answer is an error, never a pick.
	 */
	if (text_match_key(clean, key, sizeof(key)) < 0 || !key[0]) {
		snprintf(why, AT_MSG_MAX, "%s: no asset has this tag", clean);
		return AT_NOT_FOUND;
	}
	c = by_key(st, key, a);
	if (c == AT_AMBIGUOUS && store_asset_by_tag(st, clean, a) == AT_OK)
		return AT_OK;
	switch (c) {
	case AT_OK:
		return AT_OK;
	case AT_NOT_FOUND:
		snprintf(why, AT_MSG_MAX, "%s: no asset has this tag", clean);
		return c;
	case AT_AMBIGUOUS:
		snprintf(why, AT_MSG_MAX,
		         "%s matches more than one asset (match key %s); scan the exact tag",
		         clean, key);
		return c;
	default:
		snprintf(why, AT_MSG_MAX, "database error: %s", store_errmsg(st));
		return c;
	}
}

enum at_code asset_resolve(struct store *st, const char *input, struct asset *a,
                           char *cleaned, char *why)
{
	return resolve(st, input, a, cleaned, why, store_asset_by_key);
}

enum at_code asset_prefetch(struct store *st, const char *const *inputs, size_t n)
{
	char clean[AT_INPUT_MAX], w[AT_WHY_MAX];
	char (*keys)[AT_INPUT_MAX];
	const char **k;
	size_t m = 0;
	enum at_code c;

	if (!store_reads_ahead(st) || n < 2)
		return AT_OK;
	keys = malloc(n * sizeof(*keys));
	k = malloc(n * sizeof(*k));
	if (keys && k) {
		for (size_t i = 0; i < n; i++)
			if (inputs[i] && text_clean_scan(inputs[i], clean, sizeof(clean), w) >= 0 &&
			    text_match_key(clean, keys[m], sizeof(keys[m])) >= 0 && keys[m][0]) {
				k[m] = keys[m];
				m++;
			}
	}
	c = m ? store_asset_prefetch(st, k, m) : AT_OK; /* no memory: no reads ahead */
	free(keys);
	free(k);
	return c;
}

enum at_code asset_lookup(struct store *st, const char *input, struct asset *a, char *cleaned,
                          char *why)
{
	return resolve(st, input, a, cleaned, why, store_asset_shown_by_key);
}

void asset_slot_label(const struct asset *a, char *out, size_t cap)
{
	if (a->case_id)
		snprintf(out, cap, "%s/%d", a->case_name, a->position);
	else if (cap)
		out[0] = '\0';
}

void asset_whereabouts(const struct asset *a, char *out, size_t cap)
{
	switch (a->state) {
	case ASSET_IN_CUSTODY:
		snprintf(out, cap, "in custody of %s since %.10s", a->holder_name,
		         a->custody_since);
		break;
	case ASSET_RETIRED:
		snprintf(out, cap, "retired on %.10s", a->retired_at);
		break;
	default:
		if (a->case_id)
			snprintf(out, cap, "in storage in slot %s/%d", a->case_name, a->position);
		else
			snprintf(out, cap, "in storage, in no slot");
	}
}

/* ==== create ========================================================== */

/* The validated, cleaned fields of an asset_input. */
struct clean_asset {
	char tag[AT_TAG_MAX + 1];
	char case_name[AT_NAME_MAX + 1];
	int has_slot;
	struct asset a;              /* its attributes last in it */
	struct attr_set set;         /* create: the attributes; not cleared */
};

/* Clean every given field of `in` into `out->a`, adding one item per bad
 * field.  `creating` makes the required fields required. */
static void clean_input(const struct asset_input *in, struct clean_asset *out, int creating,
                        struct at_errors *e)
{
	struct asset *a = &out->a;
	char why[AT_WHY_MAX];

	if (creating || in->tag) {
		if (!in->tag) {
			at_item(e, "asset_tag", AT_INVALID, "asset_tag is required");
		} else if (text_clean_scan(in->tag, out->tag, sizeof(out->tag), why) < 0 ||
		           text_valid_tag(out->tag, why) < 0) {
			at_item(e, "asset_tag", AT_INVALID, "%s", why);
		}
	}
	/* The plain text fields, as core/fields.h declares them: a required
	 * one is checked when creating or when given; an optional one is
	 * always cleaned (NULL leaves it empty). */
	for (int i = 0; i < AF__MAX; i++) {
		const struct field_spec *f = &asset_fields[i];
		const char *v = asset_input_get(in, f);
		int required = (f->flags & FIELD_REQUIRED) != 0;

		if (f->flags & FIELD_SPECIAL)
			continue;
		if (v || creating || !required)
			field_clean(e, f->name, v, field_in_record(a, f), f->rec_size, f->max, required,
			            (f->flags & FIELD_MULTILINE) != 0);
	}
	a->condition = COND_GOOD;
	if (in->condition && asset_condition_parse(in->condition, &a->condition) < 0)
		at_item(e, "condition", AT_INVALID,
		        "condition must be GOOD, DAMAGED or FAULTY, not '%.40s'", in->condition);
	/* A new asset's attributes are checked here; an update's against the
	 * stored ones, under the write lock. */
	out->set.n = 0;
	if (creating && in->nattrs)
		attrs_new(in->attrs, in->nattrs, &out->set, a->attributes, e);
	if (creating && in->slot_case) {
		out->has_slot = 1;
		if (text_clean_field(in->slot_case, out->case_name, sizeof(out->case_name),
		                     AT_NAME_MAX, 1, 0, "slot case", why) < 0)
			at_item(e, "slot", AT_INVALID, "%s", why);
		else if (in->slot_position < 1 || in->slot_position > 1000)
			at_item(e, "slot", AT_INVALID, "slot position must be 1 to 1000");
	}
}

/*
 * Why inserting `a` failed on a uniqueness constraint: every tag, match
 * key, serial and slot collision as an item, as a person should read it.
 * Nothing found (a constraint this does not know): the store's message.
 */
static enum at_code explain_collision(struct store *st, struct event_writer *w,
                                      const struct asset *a, const char *key,
                                      const struct case_info *cs, int has_slot,
                                      const struct at_errors *ie, struct at_errors *e)
{
	struct asset other;
	size_t before = e->nitems;
	enum at_code c;

	c = store_asset_by_tag(st, a->tag, &other);
	if (c == AT_OK) {
		at_item(e, a->tag, AT_DUPLICATE, "%s: an asset with this tag already exists%s",
		        a->tag,
		        strcmp(other.created_at, w->at) == 0 ? " (created earlier in this batch)"
		                                             : "");
	} else if (c == AT_NOT_FOUND) {
		c = store_asset_by_key(st, key, &other);
		if (c == AT_OK || c == AT_AMBIGUOUS)
			at_item(e, a->tag, AT_DUPLICATE,
			        "%s collides with existing asset %s: both scan as %s", a->tag,
			        other.tag, key);
		else if (c != AT_NOT_FOUND)
			return storage_fail(st, e, c);
	} else {
		return storage_fail(st, e, c);
	}
	c = store_asset_by_serial(st, a->serial, &other);
	if (c == AT_OK || c == AT_AMBIGUOUS)
		at_item(e, "serial_number", AT_DUPLICATE, "serial number %s already belongs to %s",
		        a->serial, other.tag);
	else if (c != AT_NOT_FOUND)
		return storage_fail(st, e, c);
	if (has_slot) {
		c = store_asset_in_slot(st, cs->id, a->position, &other);
		if (c == AT_OK)
			at_item(e, "slot", AT_SLOT_OCCUPIED, "slot %s/%d holds %s", cs->name,
			        a->position, other.tag);
		else if (c != AT_NOT_FOUND)
			return storage_fail(st, e, c);
	}
	if (e->nitems == before && ie)
		at_item(e, a->tag, ie->code, "%s", ie->message);
	return at_items_done(e, e->nitems);
}

/* ASSET_CREATED's details: the metadata (empty optional fields null),
 * the attributes when there are any, and the import's source row. */
static int created_details(const struct asset *a, const struct attr_set *set,
                           int64_t import_row, struct buf *b)
{
	struct buf attrs;
	struct jw_member m[12];
	size_t n = 0;
	int rc;

	buf_init(&attrs, 0);
	buf_reserve(&attrs, 1024);
	buf_reserve(b, 2048);
	for (int i = 0; i < AF__MAX; i++) {
		const struct field_spec *f = &asset_fields[i];
		if (f->flags & FIELD_SPECIAL)
			continue;
		m[n++] = (struct jw_member){ f->name, JW_STR, field_of_record(a, f), 0, 1 };
	}
	m[n++] = (struct jw_member){ "condition", JW_STR, asset_condition_name(a->condition), 0, 0 };
	if (set->n) {
		/* All ASCII (the usual case): the canonical text is the same. */
		const char *t = a->attributes;
		while (*t && !(*t & 0x80))
			t++;
		if (*t)
			attrs_set_json(set, &attrs, 1);
		m[n++] = (struct jw_member){ "attributes", JW_RAW, *t ? attrs.data : a->attributes, 0,
			                     0 };
	}
	if (import_row)
		m[n++] = (struct jw_member){ "import_row", JW_INT, NULL, import_row, 0 };
	rc = jsonw_object(b, m, n, 1);
	buf_free(&attrs);
	return rc;
}

enum at_code asset_create_in(struct store *st, struct event_writer *w,
                             const struct asset_input *in, int64_t import_row,
                             struct asset *out, struct at_errors *e)
{
	struct at_errors ie = AT_ERRORS_INIT;
	struct clean_asset ca;
	struct asset *a = &ca.a;
	struct case_info cs;
	struct event ev;
	char key[AT_TAG_MAX + 1], why[AT_MSG_MAX];
	struct buf details;
	char row[40];
	enum at_code c;

	/* Not the record's attributes and set: clean_input writes them. */
	memset(&ca, 0, offsetof(struct clean_asset, a) + offsetof(struct asset, attributes) + 1);
	memset(&cs, 0, sizeof(cs));
	clean_input(in, &ca, 1, e);
	if (e->nitems)
		return at_items_done(e, e->nitems);
	snprintf(a->tag, sizeof(a->tag), "%s", ca.tag);
	text_match_key(a->tag, key, sizeof(key));
	if (ca.has_slot) {
		c = place_find_slot(st, ca.case_name, in->slot_position, &cs, why);
		if (c == AT_NOT_FOUND || c == AT_SLOT_NOT_FOUND) {
			/* No slot to insert into; the tag and serial are still
			 * checked, so every problem is reported at once. */
			at_item(e, "slot", c, "%s", why);
			return explain_collision(st, w, a, key, NULL, 0, NULL, e);
		}
		if (c != AT_OK)
			return storage_fail(st, e, c);
		a->case_id = cs.id;
		a->position = in->slot_position;
		snprintf(a->case_name, sizeof(a->case_name), "%s", cs.name);
	}

	/*
	 * Insert first, explain after: the schema's unique indexes (tag, match
	 * key, serial, slot) are the check, so a creation that succeeds costs
	 * one write and no reads; only a refused one looks up every collision
	 * to report them all.  An import of 100,000 rows is mostly the former.
	 * The slot goes in with the row, so a refusal leaves nothing behind.
	 */
	a->state = ASSET_STORAGE;
	memcpy(a->created_at, w->at, sizeof(a->created_at));
	memcpy(a->updated_at, w->at, sizeof(a->updated_at));
	c = store_asset_insert(st, a, &ie);
	if (c == AT_DUPLICATE || c == AT_CONFLICT)
		c = explain_collision(st, w, a, key, &cs, ca.has_slot, &ie, e);
	else if (c != AT_OK)
		at_fail(e, c, "%s", ie.message);
	at_errors_free(&ie);
	if (c != AT_OK)
		return c;
	buf_init(&details, 0);
	if (created_details(a, &ca.set, import_row, &details) < 0) {
		buf_free(&details);
		return at_fail(e, AT_INTERNAL, "out of memory writing event details");
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = "ASSET_CREATED";
	ev.asset_tag = a->tag;
	c = event_append_text(w, &ev, details.data, e);
	buf_free(&details);
	if (c != AT_OK)
		return c;
	if (ca.has_slot) {
		memset(&ev, 0, sizeof(ev));
		ev.type = "SLOT_ASSIGN";
		ev.asset_tag = a->tag;
		ev.to_case = cs.name;
		ev.to_position = in->slot_position;
		snprintf(row, sizeof(row), "{\"import_row\":%lld}", (long long)import_row);
		c = event_append_text(w, &ev, import_row ? row : "{}", e);
		if (c != AT_OK)
			return c;
	}
	if (out) {
		/* Not the whole attribute buffer: what it holds. */
		memcpy(out, a, offsetof(struct asset, attributes));
		memcpy(out->attributes, a->attributes, strlen(a->attributes) + 1);
	}
	return AT_OK;
}

enum at_code asset_create(struct store *st, const char *actor, const struct asset_input *in,
                          struct asset *out, struct at_errors *e)
{
	struct event_writer w;
	struct asset a;
	enum at_code c;

	c = op_begin(st, actor, &w, e);
	if (c != AT_OK)
		return c;
	c = asset_create_in(st, &w, in, 0, &a, e);
	c = op_end(st, c, e);
	if (c == AT_OK && out)
		c = store_asset_by_tag(st, a.tag, out);
	return c;
}

/* ==== update ========================================================== */

/* Record old/new of one text field in `changes` and apply it. */
static void change_text(json_t *changes, const char *key, char *field, size_t cap,
                        const char *newv, int given)
{
	json_t *ch;

	if (!given || strcmp(field, newv) == 0)
		return;
	ch = json_object();
	json_set_text(ch, "old", field);
	json_set_text(ch, "new", newv);
	json_object_set_new(changes, key, ch);
	snprintf(field, cap, "%s", newv);
}

/* Resolve `tag` inside a transaction, as an item error on failure. */
static enum at_code resolve_one(struct store *st, const char *tag, struct asset *a,
                                struct at_errors *e)
{
	char cleaned[AT_INPUT_MAX], why[AT_MSG_MAX];
	enum at_code c = asset_resolve(st, tag ? tag : "", a, cleaned, why);

	if (c == AT_OK)
		return c;
	if (c == AT_STORAGE || c == AT_BUSY)
		return storage_fail(st, e, c);
	at_item(e, cleaned, c, "%s", why);
	return at_items_done(e, 1);
}

enum at_code asset_update(struct store *st, const char *actor, const char *tag,
                          const struct asset_input *in, struct asset *out, struct at_errors *e)
{
	struct clean_asset ca;
	struct asset a, other;
	struct event_writer w;
	struct event ev;
	json_t *details = NULL, *changes = NULL;
	enum at_code c;

	memset(&ca, 0, sizeof(ca));
	clean_input(in, &ca, 0, e);
	if (e->nitems)
		return at_items_done(e, e->nitems);
	c = op_begin(st, actor, &w, e);
	if (c != AT_OK)
		return c;
	c = resolve_one(st, tag, &a, e);
	if (c != AT_OK)
		goto out;
	if (in->tag && strcmp(ca.tag, a.tag) != 0) {
		c = at_fail(e, AT_INVALID, "%s: an asset tag never changes (asked for %s)", a.tag,
		            ca.tag);
		goto out;
	}
	if (a.state == ASSET_RETIRED) {
		c = at_fail(e, AT_RETIRED, "%s: retired on %.10s; retired assets are not changed",
		            a.tag, a.retired_at);
		goto out;
	}
	if (in->serial) {
		c = store_asset_by_serial(st, ca.a.serial, &other);
		if ((c == AT_OK && other.id != a.id) || c == AT_AMBIGUOUS) {
			c = at_fail(e, AT_DUPLICATE, "serial number %s already belongs to %s",
			            ca.a.serial, other.tag);
			goto out;
		}
		if (c != AT_OK && c != AT_NOT_FOUND) {
			c = storage_fail(st, e, c);
			goto out;
		}
	}
	changes = json_object();
#define CHANGE(key, f) change_text(changes, key, a.f, sizeof(a.f), ca.a.f, in->f != NULL)
	CHANGE("serial_number", serial);
	CHANGE("manufacturer", manufacturer);
	CHANGE("equipment_type", equipment_type);
	CHANGE("model", model);
	CHANGE("model_code", model_code);
	CHANGE("building", building);
	CHANGE("room", room);
	CHANGE("notes", notes);
#undef CHANGE
	if (in->condition && ca.a.condition != a.condition) {
		json_t *ch = json_object();
		json_set_text(ch, "old", asset_condition_name(a.condition));
		json_set_text(ch, "new", asset_condition_name(ca.a.condition));
		json_object_set_new(changes, "condition", ch);
		a.condition = ca.a.condition;
	}
	if (in->nattrs) {
		/* Against the stored set: the caps are on the result. */
		json_t *ach = json_object();
		if (attrs_apply(a.attributes, in->attrs, in->nattrs, ca.a.attributes, ach, e) < 0) {
			json_decref(ach);
			c = at_items_done(e, e->nitems);
			goto out;
		}
		if (json_object_size(ach)) {
			json_object_set_new(changes, "attributes", ach);
			memcpy(a.attributes, ca.a.attributes, sizeof(a.attributes));
		} else {
			json_decref(ach);
		}
	}
	if (json_object_size(changes) == 0) {
		/* Nothing differs: no event, nothing written. */
		c = AT_OK;
		if (out)
			*out = a;
		goto out;
	}
	memcpy(a.updated_at, w.at, sizeof(a.updated_at));
	c = store_asset_save_meta(st, &a, e);
	if (c != AT_OK)
		goto out;
	details = json_pack("{s:O}", "changes", changes);
	memset(&ev, 0, sizeof(ev));
	ev.type = "ASSET_UPDATED";
	ev.asset_tag = a.tag;
	c = event_append(&w, &ev, details, e);
	if (c == AT_OK && out)
		*out = a;
out:
	json_decref(details);
	json_decref(changes);
	return op_end(st, c, e);
}

/* ==== retire ========================================================== */

enum at_code asset_retire(struct store *st, const char *actor, const char *tag,
                          const char *reason, struct asset *out, struct at_errors *e)
{
	char why[AT_REASON_MAX + 1], where[AT_MSG_MAX];
	struct asset a;
	struct event_writer w;
	struct event ev;
	enum at_code c;

	if (reason_clean(e, reason, why) < 0)
		return at_items_done(e, 1);
	c = op_begin(st, actor, &w, e);
	if (c != AT_OK)
		return c;
	c = resolve_one(st, tag, &a, e);
	if (c != AT_OK)
		goto out;
	if (a.state != ASSET_STORAGE) {
		asset_whereabouts(&a, where, sizeof(where));
		c = at_fail(e, a.state == ASSET_RETIRED ? AT_RETIRED : AT_NOT_IN_STORAGE,
		            "%s: %s; only an asset in storage can be retired", a.tag, where);
		goto out;
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = "ASSET_RETIRED";
	ev.asset_tag = a.tag;
	ev.reason = why;
	if (a.case_id) {
		ev.from_case = a.case_name;
		ev.from_position = a.position;
	}
	a.state = ASSET_RETIRED;
	a.case_id = 0;
	a.position = 0;
	memcpy(a.retired_at, w.at, sizeof(a.retired_at));
	memcpy(a.updated_at, w.at, sizeof(a.updated_at));
	c = store_asset_save(st, &a, e);
	if (c == AT_OK)
		c = event_append(&w, &ev, NULL, e);
	if (c == AT_OK && out)
		c = store_asset_by_tag(st, a.tag, out);
out:
	return op_end(st, c, e);
}

/* ==== replace ========================================================= */

enum at_code asset_replace(struct store *st, const char *actor, const char *old_tag,
                           const char *repl_tag, const char *reason, const char *condition,
                           struct asset *old_out, struct asset *repl_out, struct at_errors *e)
{
	char why[AT_REASON_MAX + 1], where[AT_MSG_MAX], msg[AT_MSG_MAX], cleaned[AT_INPUT_MAX];
	struct asset old, repl, old_before, repl_before;
	enum asset_condition cond = COND_FAULTY;
	struct event_writer w;
	struct event ev;
	json_t *details = NULL;
	enum at_code c;

	reason_clean(e, reason, why);
	if (condition && asset_condition_parse(condition, &cond) < 0)
		at_item(e, "condition", AT_INVALID,
		        "condition must be GOOD, DAMAGED or FAULTY, not '%.40s'", condition);
	if (e->nitems)
		return at_items_done(e, e->nitems);
	c = op_begin(st, actor, &w, e);
	if (c != AT_OK)
		return c;
	/* Both inputs are checked and every problem reported. */
	c = asset_resolve(st, old_tag ? old_tag : "", &old, cleaned, msg);
	if (c == AT_STORAGE || c == AT_BUSY)
		goto storage;
	if (c != AT_OK) {
		at_item(e, cleaned, c, "%s", msg);
	} else if (old.state == ASSET_RETIRED) {
		at_item(e, old.tag, AT_RETIRED, "%s: retired on %.10s; nothing to replace", old.tag,
		        old.retired_at);
	} else if (old.state == ASSET_STORAGE && !old.case_id) {
		at_item(e, old.tag, AT_NOT_SLOTTED,
		        "%s: in storage, in no slot; replace needs an asset in custody or in a slot",
		        old.tag);
	}
	c = asset_resolve(st, repl_tag ? repl_tag : "", &repl, cleaned, msg);
	if (c == AT_STORAGE || c == AT_BUSY)
		goto storage;
	if (c != AT_OK) {
		at_item(e, cleaned, c, "%s", msg);
	} else if (repl.state != ASSET_STORAGE) {
		asset_whereabouts(&repl, where, sizeof(where));
		at_item(e, repl.tag, repl.state == ASSET_RETIRED ? AT_RETIRED : AT_NOT_IN_STORAGE,
		        "%s: %s; the replacement must be in storage", repl.tag, where);
	} else if (e->nitems == 0 && repl.id == old.id) {
		at_item(e, repl.tag, AT_INVALID, "%s cannot replace itself", repl.tag);
	}
	if (e->nitems) {
		c = at_items_done(e, 2);
		goto out;
	}
	old_before = old;
	repl_before = repl;

	if (old.state == ASSET_IN_CUSTODY) {
		/* The replacement goes to the holder; the old device takes the
		 * replacement's former place.  Vacate first: one slot, one asset. */
		repl.state = ASSET_IN_CUSTODY;
		repl.holder_id = old.holder_id;
		memcpy(repl.due, old.due, sizeof(repl.due));
		memcpy(repl.custody_since, w.at, sizeof(repl.custody_since));
		repl.case_id = 0;
		repl.position = 0;
		/* It returns to where the custody began, like the old one would. */
		repl.last_case_id = old.last_case_id;
		repl.last_position = old.last_position;
		old.state = ASSET_STORAGE;
		old.holder_id = 0;
		old.due[0] = '\0';
		old.custody_since[0] = '\0';
		old.case_id = repl_before.case_id;
		old.position = repl_before.position;
	} else {
		/* Both in storage: swap places (the replacement's may be none). */
		old.case_id = repl_before.case_id;
		old.position = repl_before.position;
		repl.case_id = old_before.case_id;
		repl.position = old_before.position;
		{
			struct asset tmp = old_before;
			tmp.case_id = 0;
			tmp.position = 0;
			c = store_asset_save(st, &tmp, e);
			if (c != AT_OK)
				goto out;
		}
	}
	old.condition = cond;
	memcpy(old.updated_at, w.at, sizeof(old.updated_at));
	memcpy(repl.updated_at, w.at, sizeof(repl.updated_at));
	c = store_asset_save(st, &repl, e);
	if (c == AT_OK)
		c = store_asset_save(st, &old, e);
	if (c != AT_OK)
		goto out;

	/* The old asset's event first; replay applies a batch's vacating
	 * moves before its arrivals, so the order is free. */
	details = json_pack("{s:s, s:s, s:s, s:s}", "role", "replaced", "replacement", repl.tag,
	                    "condition", asset_condition_name(cond), "state", "STORAGE");
	memset(&ev, 0, sizeof(ev));
	ev.type = "ASSET_REPLACED";
	ev.asset_tag = old.tag;
	ev.reason = why;
	ev.holder_id = old_before.holder_id;
	if (old_before.case_id) {
		ev.from_case = old_before.case_name;
		ev.from_position = old_before.position;
	}
	if (repl_before.case_id) {
		ev.to_case = repl_before.case_name;
		ev.to_position = repl_before.position;
	}
	c = event_append(&w, &ev, details, e);
	json_decref(details);
	details = NULL;
	if (c != AT_OK)
		goto out;
	details = json_pack("{s:s, s:s, s:s, s:o}", "role", "replacement", "replaces", old.tag,
	                    "state", asset_state_name(repl.state), "due",
	                    repl.due[0] ? json_string(repl.due) : json_null());
	memset(&ev, 0, sizeof(ev));
	ev.type = "ASSET_REPLACED";
	ev.asset_tag = repl.tag;
	ev.reason = why;
	ev.holder_id = repl.holder_id;
	if (repl_before.case_id) {
		ev.from_case = repl_before.case_name;
		ev.from_position = repl_before.position;
	}
	if (old_before.case_id) {
		ev.to_case = old_before.case_name;
		ev.to_position = old_before.position;
	}
	c = event_append(&w, &ev, details, e);
	if (c != AT_OK)
		goto out;
	if (old_out && (c = store_asset_by_tag(st, old.tag, old_out)) != AT_OK)
		goto storage;
	if (repl_out && (c = store_asset_by_tag(st, repl.tag, repl_out)) != AT_OK)
		goto storage;
	goto out;
storage:
	c = storage_fail(st, e, c);
out:
	json_decref(details);
	return op_end(st, c, e);
}
