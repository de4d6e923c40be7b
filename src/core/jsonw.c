/*
 * jsonw.c — canonical JSON as jansson writes it (core/jsonw.h).
 */
#include "core/jsonw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char hex[] = "0123456789ABCDEF";

/*
 * Output goes through a small staging area flushed to the buffer when
 * full: one buf_add per 256 bytes rather than one per character.
 */
struct out {
	struct buf *b;
	size_t n;
	char chunk[256];
};

static void flush(struct out *o)
{
	buf_add(o->b, o->chunk, o->n);
	o->n = 0;
}

static void put(struct out *o, const char *s, size_t n)
{
	if (o->n + n > sizeof(o->chunk))
		flush(o);
	if (n > sizeof(o->chunk)) {
		buf_add(o->b, s, n);
		return;
	}
	memcpy(o->chunk + o->n, s, n);
	o->n += n;
}

static void put_u(struct out *o, unsigned v)
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

static void put_string(struct out *o, const char *str, int ascii)
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
	struct out o;

	o.b = b;
	o.n = 0;
	put_string(&o, s, ascii);
	flush(&o);
}

static int by_key(const void *x, const void *y)
{
	return strcmp(((const struct jw_member *)x)->key, ((const struct jw_member *)y)->key);
}

int jsonw_object(struct buf *b, struct jw_member *m, size_t n, int ascii)
{
	struct out o;
	char num[24];

	o.b = b;
	o.n = 0;
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
	return b->overflow ? -1 : 0;
}
