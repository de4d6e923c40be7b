/*
 * jsonw.h — a small writer of canonical JSON, byte for byte what jansson
 * writes with JSON_COMPACT | JSON_SORT_KEYS (and JSON_ENSURE_ASCII when
 * asked): objects of string, null, integer or ready-made members, keys in
 * byte order, strings escaped as jansson escapes them ("\uXXXX" in upper
 * case, surrogate pairs beyond U+FFFF, '/' and DEL as they are).
 *
 * The import's hot path (STYLE.md: "where a measured hot path needs it"):
 * building, dumping and freeing jansson objects for the details of
 * 100,000 events and their attributes was a third of an import's time.
 * Everything else still goes through jansson; test_import.c checks this
 * writer against jansson over random and tricky text.  Input must be
 * valid UTF-8 (every text field is checked before it gets here).
 */
#ifndef AT_CORE_JSONW_H
#define AT_CORE_JSONW_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

enum jw_kind { JW_STR, JW_NULL, JW_INT, JW_RAW };

/* One member of an object: a string (JW_STR; NULL or "" is written as
 * null only when `null_if_empty`), null, an integer, or RAW: `s` is
 * already JSON (a nested object) and is copied as it is. */
struct jw_member {
	const char *key;
	enum jw_kind kind;
	const char *s;
	int64_t i;
	int null_if_empty;
};

/* Append `s` as a JSON string. */
void jsonw_string(struct buf *b, const char *s, int ascii);

/* Append an object of `n` members, sorting `m` by key in place.
 * Returns 0, or -1 when the buffer hit its cap. */
int jsonw_object(struct buf *b, struct jw_member *m, size_t n, int ascii);

#endif
