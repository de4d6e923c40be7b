/*
 * jsonw.c — canonical JSON as jansson writes it (core/jsonw.h).
 */
#include "core/jsonw.h"

#include <assert.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/attr.h"
#include "core/types.h"

static const char hex[] = "0123456789ABCDEF";

/*
 * Output goes through a small staging area (struct jsonw's chunk) flushed
 * to the buffer when full: one buf_add per 256 bytes rather than one per
 * character.
 */
static void flush(struct jsonw *o)
{
	if (o->n && buf_add(o->b, o->chunk, o->n) < 0)
		o->failed = 1;
	o->n = 0;
}

static void put(struct jsonw *o, const char *s, size_t n)
{
	if (o->n + n > sizeof(o->chunk))
		flush(o);
	if (n > sizeof(o->chunk)) {
		if (buf_add(o->b, s, n) < 0)
			o->failed = 1;
		return;
	}
	memcpy(o->chunk + o->n, s, n);
	o->n += n;
}

static void start(struct jsonw *o, struct buf *b)
{
	o->b = b;
	o->failed = 0;
	o->depth = 0;
	o->members = 0;
	o->n = 0;
}

static void put_u(struct jsonw *o, unsigned v)
{
	char seq[6] = { '\\', 'u', hex[(v >> 12) & 15], hex[(v >> 8) & 15], hex[(v >> 4) & 15],
		        hex[v & 15] };

	put(o, seq, sizeof(seq));
}

/* The code point of the UTF-8 sequence at s (valid by contract) and its
 * length. */
static unsigned decode(const unsigned char *s, size_t *n)
{
	if (s[0] < 0xe0) {
		*n = 2;
		return ((unsigned)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
	}
	if (s[0] < 0xf0) {
		*n = 3;
		return ((unsigned)(s[0] & 0x0f) << 12) | ((unsigned)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
	}
	*n = 4;
	return ((unsigned)(s[0] & 0x07) << 18) | ((unsigned)(s[1] & 0x3f) << 12) |
	       ((unsigned)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
}

static void put_string(struct jsonw *o, const char *str, int ascii)
{
	const unsigned char *s = (const unsigned char *)str, *run = s;

	put(o, "\"", 1);
	while (*s) {
		unsigned char c = *s;
		const char *esc = NULL;
		if (c >= 0x20 && c != '"' && c != '\\' && (c < 0x80 || !ascii)) {
			s++;
			continue;
		}
		/* The plain run before this character, as it is. */
		put(o, (const char *)run, (size_t)(s - run));
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default: break;
		}
		if (esc) {
			put(o, esc, 2);
			s++;
		} else if (c < 0x20) {
			put_u(o, c);
			s++;
		} else {
			size_t n;
			unsigned cp = decode(s, &n);
			if (cp >= 0x10000) {
				cp -= 0x10000;
				put_u(o, 0xd800 | (cp >> 10));
				put_u(o, 0xdc00 | (cp & 0x3ff));
			} else {
				put_u(o, cp);
			}
			s += n;
		}
		run = s;
	}
	put(o, (const char *)run, (size_t)(s - run));
	put(o, "\"", 1);
}

void jsonw_string(struct buf *b, const char *s, int ascii)
{
	struct jsonw o;

	start(&o, b);
	put_string(&o, s, ascii);
	flush(&o);
}

static int by_key(const void *x, const void *y)
{
	return strcmp(((const struct jw_member *)x)->key, ((const struct jw_member *)y)->key);
}

int jsonw_object(struct buf *b, struct jw_member *m, size_t n, int ascii)
{
	struct jsonw o;
	char num[24];

	start(&o, b);
	qsort(m, n, sizeof(*m), by_key);
	put(&o, "{", 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			put(&o, ",", 1);
		put_string(&o, m[i].key, ascii);
		put(&o, ":", 1);
		switch (m[i].kind) {
		case JW_STR:
			if (!m[i].s || (m[i].null_if_empty && !*m[i].s))
				put(&o, "null", 4);
			else
				put_string(&o, m[i].s, ascii);
			break;
		case JW_INT:
			put(&o, num, (size_t)snprintf(num, sizeof(num), "%lld", (long long)m[i].i));
			break;
		case JW_RAW:
			put(&o, m[i].s, strlen(m[i].s));
			break;
		default:
			put(&o, "null", 4);
		}
	}
	put(&o, "}", 1);
	flush(&o);
	return o.failed || b->overflow ? -1 : 0;
}

/* ==== streaming objects =============================================== */

/* The length of the UTF-8 sequence a lead byte starts, 0 if none can
 * (jansson's utf8_check_first: no continuation byte, no overlong C0/C1,
 * nothing past F4). */
static int utf8_lead(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c < 0xc2)
		return 0;
	if (c < 0xe0)
		return 2;
	if (c < 0xf0)
		return 3;
	if (c < 0xf5)
		return 4;
	return 0;
}

int jsonw_utf8_valid(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		int n = utf8_lead(*s);
		unsigned cp;
		if (n == 1) {
			s++;
			continue;
		}
		if (n == 0)
			return 0;
		cp = *s & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);
		for (int i = 1; i < n; i++) {
			/* A NUL ends the string here too: it is no continuation. */
			if (s[i] < 0x80 || s[i] > 0xbf)
				return 0;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || (n == 3 && cp < 0x800) ||
		    (n == 4 && cp < 0x10000))
			return 0;
		s += n;
	}
	return 1;
}

/* The separator before a member of the innermost object, then its key
 * (`n` bytes), in one copy: `k` is a literal that needs no escaping.
 * Inline, so that jsonw_asset's keys, of known length, are copied
 * without strlen and memcpy calls (800 instructions a lookup). */
static inline __attribute__((always_inline)) void key_n(struct jsonw *w, const char *k, size_t n)
{
	unsigned bit = 1u << w->depth;
	char *p;

	if (n + 4 > sizeof(w->chunk)) {
		if (w->members & bit)
			put(w, ",", 1);
		put(w, "\"", 1);
		put(w, k, n);
		put(w, "\":", 2);
		w->members |= bit;
		return;
	}
	if (w->n + n + 4 > sizeof(w->chunk))
		flush(w);
	p = w->chunk + w->n;
	if (w->members & bit)
		*p++ = ',';
	w->members |= bit;
	*p++ = '"';
	memcpy(p, k, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	w->n = (size_t)(p - w->chunk);
}

static void key(struct jsonw *w, const char *k)
{
	key_n(w, k, strlen(k));
}

/* 1 for the bytes that go into a JSON string as they are and need no
 * UTF-8 check: ASCII from space to DEL (jansson leaves DEL as it is),
 * but '"' and '\\'. */
static const unsigned char plain[256] = {
	['\x20'] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,   /* 0x20 - 0x2f: not '"' */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,               /* 0x30 - 0x3f */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,               /* 0x40 - 0x4f */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,               /* 0x50 - 0x5f: not '\\' */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,               /* 0x60 - 0x6f */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,               /* 0x70 - 0x7f */
};

/* `s` as a JSON string, or null if it is not valid UTF-8.  Most text is
 * printable ASCII: one pass finds that, and it is copied as it is. */
static void put_value(struct jsonw *w, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = 0;

	while (plain[s[n]])
		n++;
	if (!s[n]) {
		/* Quotes and text in one step when the chunk has room. */
		if (w->n + n + 2 <= sizeof(w->chunk)) {
			w->chunk[w->n] = '"';
			memcpy(w->chunk + w->n + 1, str, n);
			w->chunk[w->n + 1 + n] = '"';
			w->n += n + 2;
			return;
		}
		put(w, "\"", 1);
		put(w, str, n);
		put(w, "\"", 1);
	} else if (jsonw_utf8_valid(str + n)) {
		put_string(w, str, 0);
	} else {
		put(w, "null", 4);
	}
}

/* Decimal digits of `v`, as "%lld" writes them, without printf. */
static void put_int(struct jsonw *w, int64_t v)
{
	char num[24], *p = num + sizeof(num);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	put(w, p, (size_t)(num + sizeof(num) - p));
}

void jsonw_begin(struct jsonw *w, struct buf *b)
{
	start(w, b);
	put(w, "{", 1);
}

void jsonw_null(struct jsonw *w, const char *k)
{
	key(w, k);
	put(w, "null", 4);
}

void jsonw_str(struct jsonw *w, const char *k, const char *s)
{
	key(w, k);
	if (s)
		put_value(w, s);
	else
		put(w, "null", 4);
}

void jsonw_text(struct jsonw *w, const char *k, const char *s)
{
	jsonw_str(w, k, s && *s ? s : NULL);
}

void jsonw_int(struct jsonw *w, const char *k, int64_t v)
{
	key(w, k);
	put_int(w, v);
}

void jsonw_raw(struct jsonw *w, const char *k, const char *json, size_t n)
{
	key(w, k);
	put(w, json, n);
}

/* After the key: an object opens. */
static void open_object(struct jsonw *w)
{
	put(w, "{", 1);
	/* Nesting deeper than the bits of `members` is a caller's bug. */
	assert(w->depth + 1 < (int)(8 * sizeof(w->members)));
	w->depth++;
	w->members &= ~(1u << w->depth);
}

void jsonw_open(struct jsonw *w, const char *k)
{
	key(w, k);
	open_object(w);
}

void jsonw_close(struct jsonw *w)
{
	assert(w->depth > 0);
	w->depth--;
	put(w, "}", 1);
}

int jsonw_end(struct jsonw *w)
{
	assert(w->depth == 0);
	put(w, "}", 1);
	flush(w);
	return w->failed || w->b->overflow ? -1 : 0;
}

/* ==== the scanner lookup's answer ===================================== */

/*
 * Member by member what asset_to_json() (core/encode.c) builds, in its
 * order.  Where an encoder there gives null for a whole nested object
 * (json_pack() refuses text that is not UTF-8), so does this.
 */
/* jsonw_str() and the others with the key's length known (key_n): one
 * expression each, as the functions are one call. */
static void str_at(struct jsonw *w, const char *s)
{
	if (s)
		put_value(w, s);
	else
		put(w, "null", 4);
}

#define KEY(w, k) key_n((w), (k), sizeof(k) - 1)
#define STR(w, k, s) (KEY(w, k), str_at((w), (s)))
#define TEXT(w, k, s) (KEY(w, k), str_at((w), *(s) ? (s) : NULL))
#define NUL(w, k) (KEY(w, k), put((w), "null", 4))
#define INT(w, k, v) (KEY(w, k), put_int((w), (v)))
#define RAW(w, k, j, n) (KEY(w, k), put((w), (j), (n)))
#define OPEN(w, k) (KEY(w, k), open_object(w))

int jsonw_asset(struct buf *b, const struct asset *a)
{
	const char *slot = a->case_id ? a->case_name : "";
	struct jsonw w;
	int rc;

	jsonw_begin(&w, b);
	STR(&w, "asset_tag", a->tag);
	STR(&w, "serial_number", a->serial);
	STR(&w, "manufacturer", a->manufacturer);
	STR(&w, "equipment_type", a->equipment_type);
	TEXT(&w, "model", a->model);
	TEXT(&w, "model_code", a->model_code);
	STR(&w, "building", a->building);
	STR(&w, "room", a->room);
	TEXT(&w, "notes", a->notes);
	STR(&w, "state", asset_state_name(a->state));
	STR(&w, "condition", asset_condition_name(a->condition));
	if (!a->holder_id || !jsonw_utf8_valid(a->holder_name)) {
		NUL(&w, "holder");
	} else {
		OPEN(&w, "holder");
		INT(&w, "id", a->holder_id);
		TEXT(&w, "name", a->holder_name);
		jsonw_close(&w);
	}
	TEXT(&w, "due", a->due);
	if (!*slot || !jsonw_utf8_valid(slot)) {
		NUL(&w, "slot");
	} else {
		OPEN(&w, "slot");
		STR(&w, "case", slot);
		INT(&w, "position", a->position);
		jsonw_close(&w);
	}
	STR(&w, "created_at", a->created_at);
	STR(&w, "updated_at", a->updated_at);
	if (a->state == ASSET_RETIRED)
		STR(&w, "retired_at", a->retired_at);
	if (!a->attributes[0]) {
		RAW(&w, "attributes", "{}", 2);
	} else {
		/* Stored text is canonical, but a damaged row must read exactly
		 * as it did through jansson: so through jansson, parsed and
		 * dumped (only assets that have attributes pay for it). */
		json_t *o = attrs_to_json(a->attributes);
		char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
		if (o && !text)
			w.failed = 1;
		if (text)
			RAW(&w, "attributes", text, strlen(text));
		else
			NUL(&w, "attributes");
		free(text);
		json_decref(o);
	}
	rc = jsonw_end(&w);
	return rc;
}
