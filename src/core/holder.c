/*
 * holder.c — holders: create, update, deactivate, resolve.
 */
#include "store/store.h"
#include "core/fields.h"
#include "core/holder.h"

#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "util/text.h"

/* A badge is scanned: scanner cleaning, then the field rules. */
static int badge_clean(struct at_errors *e, const char *in, char *out)
{
	char why[AT_WHY_MAX];

	if (text_clean_scan(in, out, AT_PERSON_MAX + 1, why) < 0) {
		at_item(e, "badge", AT_INVALID, "badge: %s", why);
		return -1;
	}
	return 0;
}

/* Clean a new holder's fields into `h`; the number of items added. */
static size_t clean_new_holder(struct at_errors *e, const char *name, const char *badge,
                               const char *email, struct holder *h)
{
	size_t before = e->nitems;

	memset(h, 0, sizeof(*h));
	spec_clean(e, &holder_fields[HF_NAME], name, h, 1);
	if (badge)
		badge_clean(e, badge, h->badge);
	spec_clean(e, &holder_fields[HF_EMAIL], email, h, 0);
	h->active = 1;
	return e->nitems - before;
}

enum at_code holder_create_in(struct store *st, struct event_writer *w, const char *name,
                              const char *badge, const char *email, int64_t import_row,
                              struct holder *out, struct at_errors *e)
{
	struct holder h, other;
	struct event ev;
	json_t *details = NULL;
	enum at_code c;

	if (clean_new_holder(e, name, badge, email, &h))
		return at_items_done(e, e->nitems);
	if (h.badge[0]) {
		c = store_holder_by_badge(st, h.badge, &other);
		if (c == AT_OK)
			return at_fail(e, AT_DUPLICATE, "badge %s already belongs to %s (#%lld)",
			               h.badge, other.name, (long long)other.id);
		if (c != AT_NOT_FOUND)
			return storage_fail(st, e, c);
	}
	memcpy(h.created_at, w->at, sizeof(h.created_at));
	memcpy(h.updated_at, w->at, sizeof(h.updated_at));
	c = store_holder_insert(st, &h, e);
	if (c != AT_OK)
		return c;
	details = json_pack("{s:s, s:b}", "name", h.name, "active", 1);
	json_set_text(details, "badge", h.badge);
	json_set_text(details, "email", h.email);
	if (import_row)
		json_object_set_new(details, "import_row", json_integer((json_int_t)import_row));
	memset(&ev, 0, sizeof(ev));
	ev.type = "HOLDER_CREATED";
	ev.holder_id = h.id;
	c = event_append(w, &ev, details, e);
	json_decref(details);
	if (c == AT_OK && out)
		*out = h;
	return c;
}

enum at_code holder_create(struct store *st, const char *actor, const char *name,
                           const char *badge, const char *email, struct holder *out,
                           struct at_errors *e)
{
	struct event_writer w;
	struct holder h;
	enum at_code c;

	/* Field problems are reported before the write lock is taken. */
	if (clean_new_holder(e, name, badge, email, &h))
		return at_items_done(e, e->nitems);
	c = op_begin(st, actor, &w, e);
	if (c != AT_OK)
		return c;
	c = holder_create_in(st, &w, name, badge, email, 0, out, e);
	return op_end(st, c, e);
}

/* Count what a holder holds, naming the first few in `list`. */
struct held {
	int n;
	char list[AT_MSG_MAX / 2];
};

static int count_held(void *ctx, const struct asset *a)
{
	struct held *h = ctx;
	size_t len = strlen(h->list);

	if (h->n < 5)
		snprintf(h->list + len, sizeof(h->list) - len, "%s%s", h->n ? ", " : "", a->tag);
	h->n++;
	return 0;
}

enum at_code holder_update(struct store *st, const char *actor, int64_t id, const char *name,
                           const char *badge, const char *email, int active,
                           struct holder *out, struct at_errors *e)
{
	struct holder h, in, other;
	struct event_writer w;
	struct event ev;
	json_t *details = NULL, *changes = NULL;
	enum at_code c;

	memset(&in, 0, sizeof(in));
	if (name)
		spec_clean(e, &holder_fields[HF_NAME], name, &in, 1);
	if (badge)
		badge_clean(e, badge, in.badge);
	if (email)
		spec_clean(e, &holder_fields[HF_EMAIL], email, &in, 0);
	if (active < -1 || active > 1)
		at_item(e, "active", AT_INVALID, "active must be true or false");
	if (e->nitems)
		return at_items_done(e, e->nitems);

	c = op_begin(st, actor, &w, e);
	if (c != AT_OK)
		return c;
	c = store_holder_by_id(st, id, &h);
	if (c == AT_NOT_FOUND) {
		c = at_fail(e, AT_NOT_FOUND, "there is no holder #%lld", (long long)id);
		goto out;
	}
	if (c != AT_OK) {
		c = storage_fail(st, e, c);
		goto out;
	}
	if (badge && in.badge[0]) {
		c = store_holder_by_badge(st, in.badge, &other);
		if (c == AT_OK && other.id != h.id) {
			c = at_fail(e, AT_DUPLICATE, "badge %s already belongs to %s (#%lld)",
			            in.badge, other.name, (long long)other.id);
			goto out;
		}
		if (c != AT_OK && c != AT_NOT_FOUND) {
			c = storage_fail(st, e, c);
			goto out;
		}
	}
	if (active == 0 && h.active) {
		struct asset_filter f = { .holder_id = h.id };
		struct held held = { 0, "" };
		c = store_asset_list(st, &f, count_held, &held);
		if (c != AT_OK) {
			c = storage_fail(st, e, c);
			goto out;
		}
		if (held.n) {
			c = at_fail(e, AT_CONFLICT,
			            "%s still holds %d asset%s (%s%s); Stock-In %s before deactivating",
			            h.name, held.n, held.n == 1 ? "" : "s", held.list,
			            held.n > 5 ? ", ..." : "", held.n == 1 ? "it" : "them");
			goto out;
		}
	}
	changes = json_object();
#define CHANGE(key, f, given)                                   \
	if ((given) && strcmp(h.f, in.f) != 0) {                \
		json_t *ch = json_object();                     \
		json_set_text(ch, "old", h.f);                  \
		json_set_text(ch, "new", in.f);                 \
		json_object_set_new(changes, key, ch);          \
		snprintf(h.f, sizeof(h.f), "%s", in.f);         \
	}
	CHANGE("name", name, name != NULL)
	CHANGE("badge", badge, badge != NULL)
	CHANGE("email", email, email != NULL)
#undef CHANGE
	if (active != -1 && active != h.active) {
		json_object_set_new(changes, "active",
		                    json_pack("{s:b, s:b}", "old", h.active, "new", active));
		h.active = active;
	}
	if (json_object_size(changes) == 0) {
		c = AT_OK;
		if (out)
			*out = h;
		goto out;
	}
	memcpy(h.updated_at, w.at, sizeof(h.updated_at));
	c = store_holder_save(st, &h, e);
	if (c != AT_OK)
		goto out;
	details = json_pack("{s:O}", "changes", changes);
	memset(&ev, 0, sizeof(ev));
	ev.type = "HOLDER_UPDATED";
	ev.holder_id = h.id;
	c = event_append(&w, &ev, details, e);
	if (c == AT_OK && out)
		*out = h;
out:
	json_decref(details);
	json_decref(changes);
	return op_end(st, c, e);
}

enum at_code holder_resolve(struct store *st, const char *text, struct holder *h, char *why)
{
	char clean[AT_PERSON_MAX + 1], w[AT_WHY_MAX];
	struct holder by_id;
	int64_t id;
	enum at_code cb, ci = AT_NOT_FOUND;

	if (text_clean_scan(text, clean, sizeof(clean), w) < 0) {
		snprintf(why, AT_MSG_MAX, "holder: %s", w);
		return AT_INVALID;
	}
	if (!clean[0]) {
		snprintf(why, AT_MSG_MAX, "no holder given: scan a badge or give a holder id");
		return AT_INVALID;
	}
	cb = store_holder_by_badge(st, clean, h);
	if (cb != AT_OK && cb != AT_NOT_FOUND)
		goto storage;
	if (text_parse_int(clean, 1, INT64_MAX, &id) == 0) {
		ci = store_holder_by_id(st, id, &by_id);
		if (ci != AT_OK && ci != AT_NOT_FOUND)
			goto storage;
	}
	if (cb == AT_OK && ci == AT_OK && by_id.id != h->id) {
		snprintf(why, AT_MSG_MAX,
		         "'%s' is the badge of %s and the id of %s; give the other one to choose",
		         clean, h->name, by_id.name);
		return AT_AMBIGUOUS;
	}
	if (cb == AT_OK)
		return AT_OK;
	if (ci == AT_OK) {
		*h = by_id;
		return AT_OK;
	}
	snprintf(why, AT_MSG_MAX, "no holder has badge or id '%s'", clean);
	return AT_NOT_FOUND;
storage:
	snprintf(why, AT_MSG_MAX, "database error: %s", store_errmsg(st));
	return AT_STORAGE;
}

enum at_code holder_by_badge(struct store *st, const char *badge, struct holder *h, char *why)
{
	char clean[AT_PERSON_MAX + 1], w[AT_WHY_MAX];
	enum at_code c;

	if (text_clean_scan(badge, clean, sizeof(clean), w) < 0) {
		snprintf(why, AT_MSG_MAX, "badge: %s", w);
		return AT_INVALID;
	}
	if (!clean[0]) {
		snprintf(why, AT_MSG_MAX, "empty badge");
		return AT_INVALID;
	}
	c = store_holder_by_badge(st, clean, h);
	if (c == AT_NOT_FOUND)
		snprintf(why, AT_MSG_MAX, "no holder has badge '%s'", clean);
	else if (c != AT_OK)
		snprintf(why, AT_MSG_MAX, "database error: %s", store_errmsg(st));
	return c;
}
