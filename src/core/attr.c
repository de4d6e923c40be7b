/*
 * attr.c — asset attributes (core/attr.h).
 */
#include "core/attr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonw.h"
#include "util/buf.h"
#include "util/text.h"

/*
 * The canonical text is core/jsonw.h's (jansson's compact, sorted form):
 * sorted keys make equal sets equal text; no ASCII escaping keeps it as
 * short as the values (its cap is bytes) and lets `q` match non-ASCII
 * values inside it.  Every writer of it goes through attrs_set_json or
 * attrs_text, both on jsonw, so the replay rebuilds the very same bytes.
 */

json_t *attrs_to_json(const char *text)
{
	json_t *o;

	if (!text || !*text)
		return json_object();
	o = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	if (o && !json_is_object(o)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int attrs_text(json_t *obj, char *out, size_t cap)
{
	struct jw_member m[AT_ATTR_COUNT_MAX * 2];
	struct buf b;
	const char *k;
	json_t *v;
	size_t n = 0;
	int rc = -1;

	if (!json_is_object(obj) || cap == 0 || json_object_size(obj) > AT_ATTR_COUNT_MAX * 2)
		return -1;
	json_object_foreach(obj, k, v) {
		if (!json_is_string(v))
			return -1;
		m[n++] = (struct jw_member){ k, JW_STR, json_string_value(v), 0, 0 };
	}
	if (n == 0) {
		out[0] = '\0';
		return 0;
	}
	buf_init(&b, cap);
	if (jsonw_object(&b, m, n, 0) == 0 && b.len < cap) {
		memcpy(out, b.data, b.len + 1);
		rc = 0;
	}
	buf_free(&b);
	return rc;
}

int attrs_set_json(const struct attr_set *set, struct buf *b, int ascii)
{
	struct jw_member m[AT_ATTR_COUNT_MAX];

	for (size_t i = 0; i < set->n; i++)
		m[i] = (struct jw_member){ set->kv[i].name, JW_STR, set->kv[i].value, 0, 0 };
	return jsonw_object(b, m, set->n, ascii);
}

/* Clean change i's name into `name`; an item and -1 when refused. */
static int clean_name(const struct attr_change *ch, char *name, struct at_errors *e)
{
	char why[AT_WHY_MAX];

	if (text_clean_field(ch->name ? ch->name : "", name, AT_ATTR_NAME_MAX + 1, AT_ATTR_NAME_MAX,
	                     1, 0, "attribute name", why) < 0) {
		at_item(e, "attributes", AT_INVALID, "%s", why);
		return -1;
	}
	if (strchr(name, '=')) {
		at_item(e, "attributes", AT_INVALID,
		        "attribute name '%s' may not contain '=' (NAME=VALUE splits there)", name);
		return -1;
	}
	return 0;
}

/* Clean change i's value (for attribute `name`) into `value`. */
static int clean_value(const struct attr_change *ch, const char *name, char *value,
                       struct at_errors *e)
{
	char why[AT_WHY_MAX], label[AT_ATTR_NAME_MAX + 16];

	snprintf(label, sizeof(label), "attribute '%s'", name);
	if (text_clean_field(ch->value ? ch->value : "", value, AT_ATTR_VALUE_MAX + 1,
	                     AT_ATTR_VALUE_MAX, 0, 1, label, why) < 0) {
		at_item(e, "attributes", AT_INVALID, "%s", why);
		return -1;
	}
	return 0;
}

static int by_name(const void *x, const void *y)
{
	return strcmp(x, y); /* kv entries start with their name */
}

int attrs_new(const struct attr_change *ch, size_t n, struct attr_set *set, char *out,
              struct at_errors *e)
{
	char name[AT_ATTR_NAME_MAX + 1], value[AT_ATTR_VALUE_MAX + 1];
	size_t before = e->nitems, given = 0;
	struct buf b;
	int rc = -1;

	set->n = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t j;
		if (clean_name(&ch[i], name, e) < 0 || clean_value(&ch[i], name, value, e) < 0)
			continue;
		for (j = 0; j < set->n && strcmp(set->kv[j].name, name) != 0; j++)
			;
		if (j < set->n) {
			at_item(e, "attributes", AT_INVALID, "attribute '%s' is given twice", name);
			continue;
		}
		if (!value[0])
			continue;
		given++;
		if (set->n < AT_ATTR_COUNT_MAX) {
			memcpy(set->kv[set->n].name, name, sizeof(name));
			memcpy(set->kv[set->n++].value, value, strlen(value) + 1);
		}
	}
	if (e->nitems > before)
		return -1;
	if (given > AT_ATTR_COUNT_MAX) {
		at_item(e, "attributes", AT_INVALID, "an asset has at most %d attributes, not %zu",
		        AT_ATTR_COUNT_MAX, given);
		return -1;
	}
	if (set->n == 0)
		return 0;
	qsort(set->kv, set->n, sizeof(set->kv[0]), by_name);
	buf_init(&b, AT_ATTRS_MAX + 1);
	buf_reserve(&b, 1024);
	if (attrs_set_json(set, &b, 0) == 0 && b.len <= AT_ATTRS_MAX) {
		memcpy(out, b.data, b.len + 1);
		rc = 0;
	} else {
		at_item(e, "attributes", AT_INVALID,
		        "the attributes take more than %d bytes in all; keep fewer or shorter ones",
		        AT_ATTRS_MAX);
	}
	buf_free(&b);
	return rc;
}

/* The {"old","new"} record of one change. */
static json_t *change_pair(json_t *oldv, const char *newv)
{
	json_t *ch = json_object();

	json_object_set(ch, "old", oldv ? oldv : json_null());
	json_object_set_new(ch, "new", newv && *newv ? json_string(newv) : json_null());
	return ch;
}

int attrs_apply(const char *cur, const struct attr_change *ch, size_t n, char *out,
                json_t *changes, struct at_errors *e)
{
	return attrs_apply_obj(cur, ch, n, out, changes, NULL, e);
}

int attrs_apply_obj(const char *cur, const struct attr_change *ch, size_t n, char *out,
                    json_t *changes, json_t **result, struct at_errors *e)
{
	char name[AT_ATTR_NAME_MAX + 1], value[AT_ATTR_VALUE_MAX + 1];
	size_t before = e->nitems;
	json_t *obj = attrs_to_json(cur), *given = json_object();
	int rc = -1;

	if (result)
		*result = NULL;
	if (!obj || !given) {
		json_decref(obj);
		json_decref(given);
		at_item(e, "attributes", AT_INTERNAL, "the stored attributes cannot be read");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *oldv;
		int dup = 0;

		if (clean_name(&ch[i], name, e) < 0)
			continue;
		/* The same name twice in one change is a mistake, not an order. */
		dup = json_object_get(given, name) != NULL;
		json_object_set_new(given, name, json_true());
		if (dup) {
			at_item(e, "attributes", AT_INVALID, "attribute '%s' is given twice", name);
			continue;
		}
		if (clean_value(&ch[i], name, value, e) < 0)
			continue;
		oldv = json_object_get(obj, name);
		if (value[0] ? (oldv && strcmp(json_string_value(oldv), value) == 0) : !oldv)
			continue;
		if (changes)
			json_object_set_new(changes, name, change_pair(oldv, value));
		if (value[0])
			json_object_set_new(obj, name, json_string(value));
		else
			json_object_del(obj, name);
	}
	if (e->nitems > before)
		goto out;
	if (json_object_size(obj) > AT_ATTR_COUNT_MAX) {
		at_item(e, "attributes", AT_INVALID, "an asset has at most %d attributes, not %zu",
		        AT_ATTR_COUNT_MAX, json_object_size(obj));
		goto out;
	}
	if (attrs_text(obj, out, AT_ATTRS_MAX + 1) < 0) {
		at_item(e, "attributes", AT_INVALID,
		        "the attributes take more than %d bytes in all; keep fewer or shorter ones",
		        AT_ATTRS_MAX);
		goto out;
	}
	rc = 0;
	if (result) {
		*result = obj;
		obj = NULL;
	}
out:
	json_decref(obj);
	json_decref(given);
	return rc;
}

int attrs_parse_arg(const char *arg, char *buf, size_t cap, struct attr_change *ch)
{
	char *eq;

	if (!arg || strlen(arg) + 1 > cap)
		return -1;
	memcpy(buf, arg, strlen(arg) + 1);
	eq = strchr(buf, '=');
	if (!eq)
		return -1;
	*eq = '\0';
	ch->name = buf;
	ch->value = eq + 1;
	return 0;
}

int attrs_each(const char *text, attr_cb cb, void *ctx)
{
	json_t *obj = text && *text ? attrs_to_json(text) : NULL;
	const char **keys = NULL;
	size_t n = 0, i;
	const char *k;
	json_t *v;
	int rc = 0;

	if (!obj)
		return 0;
	keys = calloc(json_object_size(obj) + 1, sizeof(*keys));
	if (!keys)
		goto out;
	json_object_foreach(obj, k, v)
		if (json_is_string(v))
			keys[n++] = k;
	/* jansson keeps insertion order; the text is sorted, and so is this. */
	for (i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
			const char *t = keys[j];
			keys[j] = keys[j - 1];
			keys[j - 1] = t;
		}
	for (i = 0; i < n && !rc; i++)
		rc = cb(ctx, keys[i], json_string_value(json_object_get(obj, keys[i])));
out:
	free(keys);
	json_decref(obj);
	return rc;
}
