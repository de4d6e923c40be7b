/*
 * jsonw.h — a small writer of canonical JSON, byte for byte what jansson
 * writes with JSON_COMPACT | JSON_SORT_KEYS (and JSON_ENSURE_ASCII when
 * asked): objects of string, null, integer or ready-made members, keys in
 * byte order, strings escaped as jansson escapes them ("\uXXXX" in upper
 * case, surrogate pairs beyond U+FFFF, '/' and DEL as they are).
 *
 * Two hot paths (STYLE.md: "where a measured hot path needs it"): the
 * import, where building, dumping and freeing jansson objects for the
 * details of 100,000 events and their attributes was a third of an
 * import's time, and the scanner lookup's answer (jsonw_asset, below).
 * Everything else still goes through jansson; test_import.c, test_jsonw.c
 * and fuzz_jsonw.c check this writer against jansson over random and
 * tricky text.  Input to jsonw_string and jsonw_object must be valid
 * UTF-8 (every text field is checked before it gets here); the streaming
 * writer below takes any bytes.
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

/*
 * Streaming objects, for answers whose shape is fixed in code: members
 * appear in the order they are written, as jansson keeps an object's
 * insertion order, so a writer that mirrors an encoder member by member
 * writes its bytes (compact, not sorted, UTF-8 as it is).  Unlike the
 * functions above, string values may be any bytes: text that is not
 * valid UTF-8 is written as null, as json_string() refuses it and the
 * encoders put null in its place.  Keys are literals and are written as
 * they are.  The scanner lookup's answer is made this way (jsonw_asset).
 */
struct jsonw {
	struct buf *b;
	int failed;                 /* an append failed: cap or memory */
	int depth;                  /* objects open */
	unsigned members;           /* bit d: the object at depth d has one */
	size_t n;                   /* bytes staged in chunk, not yet in b */
	char chunk[256];
};

/* Start the outermost object in `b`. */
void jsonw_begin(struct jsonw *w, struct buf *b);
/* Member `key`: a string; NULL or not valid UTF-8 gives null. */
void jsonw_str(struct jsonw *w, const char *key, const char *s);
/* The same, and "" gives null too (an empty optional field). */
void jsonw_text(struct jsonw *w, const char *key, const char *s);
void jsonw_int(struct jsonw *w, const char *key, int64_t v);
void jsonw_null(struct jsonw *w, const char *key);
/* Member `key` whose value is `n` bytes of ready JSON. */
void jsonw_raw(struct jsonw *w, const char *key, const char *json, size_t n);
/* Member `key` that is an object, closed by jsonw_close(). */
void jsonw_open(struct jsonw *w, const char *key);
void jsonw_close(struct jsonw *w);
/* Close the outermost object: 0, or -1 when the buffer hit its cap
 * (its content is then incomplete). */
int jsonw_end(struct jsonw *w);
/* Is `s` valid UTF-8 by jansson's rules (no overlong forms, surrogates
 * or code points past U+10FFFF)? */
int jsonw_utf8_valid(const char *s);

struct asset;
/*
 * Append asset `a` as asset_to_json() (core/encode.h) makes it and
 * json_dumpb(..., JSON_COMPACT) writes it, byte for byte: the scanner
 * lookup's answer without building, dumping and freeing a 19-member
 * jansson object (half of a lookup's instructions).  Non-empty stored
 * attributes still go through jansson (parsed and dumped), so even a
 * damaged row reads as it did.  tests/unit/test_jsonw.c and
 * tests/fuzz/fuzz_jsonw.c hold the two encoders to the same bytes.
 * Returns 0, or -1 when out of memory or past the buffer's cap.
 */
int jsonw_asset(struct buf *b, const struct asset *a);

#endif
