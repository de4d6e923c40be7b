/*
 * attr.h — asset attributes: a small set of name → text pairs per asset.
 *
 * They hold what an asset carries beyond AssetTrack's own fields, most
 * often the columns of another system an import keeps ("Company",
 * "Purchased", "Warranty", custom fields).  Like every other field they
 * change only through an operation that writes an event (ASSET_CREATED
 * carries them, ASSET_UPDATED lists old and new per name) and the replay
 * rebuilds them.
 *
 * An asset's attributes are one canonical JSON object text (compact, keys
 * sorted, UTF-8, string values only) in struct asset's `attributes`, ""
 * when there are none, so reading an asset never allocates and two equal
 * sets compare equal as text.  Caps (AT_ATTR_*, AT_ATTRS_MAX in
 * core/types.h): at most AT_ATTR_COUNT_MAX names of 1 to
 * AT_ATTR_NAME_MAX bytes, values of up to AT_ATTR_VALUE_MAX bytes, and
 * AT_ATTRS_MAX bytes of text in all.  Names are single-line text without
 * '=' (the CLI reads NAME=VALUE); values may span lines.  Both refuse
 * control characters and invalid UTF-8, like every text field.
 */
#ifndef AT_CORE_ATTR_H
#define AT_CORE_ATTR_H

#include <jansson.h>
#include <stddef.h>

#include "core/types.h"

/* One change: set `name` to `value`; NULL or "" (after trimming) removes
 * it.  Both borrowed. */
struct attr_change {
	const char *name;
	const char *value;
};

/*
 * Apply `n` changes to the attributes text `cur` ("" for none) and write
 * the result into `out` (AT_ATTRS_MAX + 1 bytes; may alias nothing).
 * Every refused name or value adds an item to `e` (input "attributes"),
 * as does a result beyond the caps or a name given twice.  `changes`, when
 * not NULL, gets {NAME: {"old": text|null, "new": text|null}} for each
 * name whose value really changes.  Returns 0, or -1 with the items added.
 */
int attrs_apply(const char *cur, const struct attr_change *ch, size_t n, char *out,
                json_t *changes, struct at_errors *e);

/* The same, also handing over the resulting set as a JSON object (a new
 * reference in *result, NULL on refusal): the caller that puts it in an
 * event's details need not parse `out` again. */
int attrs_apply_obj(const char *cur, const struct attr_change *ch, size_t n, char *out,
                    json_t *changes, json_t **result, struct at_errors *e);

/* A new asset's attributes, cleaned, checked and in name order: what
 * attrs_new() makes from changes without building JSON objects. */
struct attr_set {
	size_t n;
	struct {
		char name[AT_ATTR_NAME_MAX + 1];
		char value[AT_ATTR_VALUE_MAX + 1];
	} kv[AT_ATTR_COUNT_MAX];
};

/* A new asset's attributes from `n` changes (empty values are skipped):
 * into `set` and, as canonical text, into `out` (AT_ATTRS_MAX + 1).
 * Refusals as attrs_apply().  Returns 0 or -1. */
int attrs_new(const struct attr_change *ch, size_t n, struct attr_set *set, char *out,
              struct at_errors *e);

/* `set` as a JSON object text into `b`: canonical (non-ASCII as it is),
 * or with `ascii` as an event's details write it. */
struct buf;
int attrs_set_json(const struct attr_set *set, struct buf *b, int ascii);

/* The attributes text as a JSON object (a new reference: {} for "").
 * NULL when out of memory or when the text is not an object (a damaged
 * row: callers show it as empty rather than fail). */
json_t *attrs_to_json(const char *text);

/*
 * The canonical text of `obj` (a JSON object of strings) into `out`
 * (`cap` bytes): "" for an empty object.  -1 when a value is not a string
 * or the text does not fit.
 */
int attrs_text(json_t *obj, char *out, size_t cap);

/* Split "NAME=VALUE" at its first '=' into `ch` (pointers into `buf`, a
 * copy of `arg` of `cap` bytes).  -1 when there is no '=' or no room. */
int attrs_parse_arg(const char *arg, char *buf, size_t cap, struct attr_change *ch);

/* Call `cb` once per attribute of `text` in name order, with borrowed
 * strings; a non-zero return stops.  Damaged text yields nothing. */
typedef int (*attr_cb)(void *ctx, const char *name, const char *value);
int attrs_each(const char *text, attr_cb cb, void *ctx);

#endif
