/*
 * html.c — the escaping HTML writer.
 */
#include "web/html.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

/* Elements with no content and no end tag (HTML Living Standard §13.1.2). */
static const char *const void_elements[] = {
	"area", "base", "br", "col", "embed", "hr", "img", "input",
	"link", "meta", "source", "track", "wbr", NULL
};

/* Attributes whose presence is the value: "" writes just the name. */
static const char *const boolean_attrs[] = {
	"autofocus", "checked", "disabled", "hidden", "multiple",
	"novalidate", "readonly", "required", "selected", NULL
};

/* U+FFFD REPLACEMENT CHARACTER. */
static const char replacement[] = "\xef\xbf\xbd";

static int in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* Element and attribute names are literals in our code; anything else
 * reaching here means a caller passed data where a name belongs. */
static int valid_name(const char *s)
{
	if (!s || *s < 'a' || *s > 'z')
		return 0;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return 1;
}

/* ==== UTF-8 =========================================================== */

size_t html_utf8_len(const char *s, size_t n, size_t *bad)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;

	assert(n >= 1);
	if (u[0] < 0x80)
		return 1;
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		need = 2;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		need = 3;
		if (u[0] == 0xe0)
			lo = 0xa0;      /* below is overlong */
		else if (u[0] == 0xed)
			hi = 0x9f;      /* above is a UTF-16 surrogate */
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		need = 4;
		if (u[0] == 0xf0)
			lo = 0x90;      /* below is overlong */
		else if (u[0] == 0xf4)
			hi = 0x8f;      /* above is past U+10FFFF */
	} else {
		/* Stray continuation byte, C0/C1 overlong lead, F5..FF. */
		if (bad)
			*bad = 1;
		return 0;
	}
	/*
	 * Only the second byte has a lead-dependent range; the rest are plain
	 * continuations.  Stopping at the first wrong byte gives the maximal
	 * subpart, so "\xe2\x82" followed by 'A' is one U+FFFD, then 'A'.
	 */
	for (i = 1; i < need; i++) {
		if (i >= n || u[i] < lo || u[i] > hi) {
			if (bad)
				*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return need;
}

/* ==== raw output ====================================================== */

/* Once an append fails nothing more is written, so the buffer holds a
 * clean prefix rather than a page with holes in it. */
static void put(struct html *h, const char *p, size_t n)
{
	if (h->failed || n == 0)
		return;
	if (buf_add(h->out, p, n) < 0)
		h->failed = 1;
}

static void put_str(struct html *h, const char *s)
{
	put(h, s, strlen(s));
}

/*
 * Write `n` bytes escaped for text or a double-quoted attribute value:
 * & < > " ' as entities, invalid UTF-8 as U+FFFD, controls other than
 * \n and \t dropped.  Safe bytes are copied in runs.
 */
static void put_escaped(struct html *h, const char *s, size_t n)
{
	size_t start = 0, i = 0, len, bad;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		const char *ent = NULL;

		if (c >= 0x80) {
			len = html_utf8_len(s + i, n - i, &bad);
			if (len == 0) {
				put(h, s + start, i - start);
				put(h, replacement, sizeof(replacement) - 1);
				i += bad;
				start = i;
			} else if (len == 2 && c == 0xc2 && (unsigned char)s[i + 1] < 0xa0) {
				/* U+0080..U+009F, the C1 controls: dropped like C0. */
				put(h, s + start, i - start);
				i += 2;
				start = i;
			} else {
				i += len;
			}
			continue;
		}
		switch (c) {
		case '&':
			ent = "&amp;";
			break;
		case '<':
			ent = "&lt;";
			break;
		case '>':
			ent = "&gt;";
			break;
		case '"':
			ent = "&quot;";
			break;
		case '\'':
			ent = "&#39;";
			break;
		case '\n':
		case '\t':
			i++;
			continue;
		default:
			if (c >= 0x20 && c != 0x7f) {
				i++;
				continue;
			}
			break;  /* a control: dropped, ent stays NULL */
		}
		put(h, s + start, i - start);
		if (ent)
			put_str(h, ent);
		i++;
		start = i;
	}
	put(h, s + start, i - start);
}

/* Name/value pairs up to HTML_END, each written as ` name="value"`. */
static void put_attrs(struct html *h, va_list ap)
{
	const char *name, *value;

	while ((name = va_arg(ap, const char *)) != HTML_END) {
		value = va_arg(ap, const char *);
		assert(valid_name(name));
		if (!valid_name(name))
			h->failed = 1;  /* NDEBUG: fail the page, write nothing more */
		if (!value)
			continue;
		put(h, " ", 1);
		put_str(h, name);
		if (value[0] == '\0' && in_list(boolean_attrs, name))
			continue;
		put(h, "=\"", 2);
		put_escaped(h, value, strlen(value));
		put(h, "\"", 1);
	}
}

/* ==== elements ======================================================== */

void html_init(struct html *h, struct buf *out)
{
	h->out = out;
	h->depth = 0;
	h->failed = 0;
}

void html_doctype(struct html *h)
{
	put_str(h, "<!DOCTYPE html>");
}

void html_vopen(struct html *h, const char *tag, va_list ap)
{
	assert(valid_name(tag));
	assert(!in_list(void_elements, tag));
	assert(h->depth < HTML_DEPTH);
	/* Release builds (NDEBUG) drop the asserts: fail the page rather than
	 * write past the stack or emit a name that came from data. */
	if (!valid_name(tag) || in_list(void_elements, tag) || h->depth >= HTML_DEPTH) {
		h->failed = 1;
		return;
	}
	put(h, "<", 1);
	put_str(h, tag);
	put_attrs(h, ap);
	put(h, ">", 1);
	h->stack[h->depth++] = tag;
}

void html_open(struct html *h, const char *tag, ...)
{
	va_list ap;

	va_start(ap, tag);
	html_vopen(h, tag, ap);
	va_end(ap);
}

void html_void(struct html *h, const char *tag, ...)
{
	va_list ap;

	assert(valid_name(tag));
	assert(in_list(void_elements, tag));
	if (!valid_name(tag) || !in_list(void_elements, tag)) {
		h->failed = 1;  /* NDEBUG: as in html_vopen */
		return;
	}
	put(h, "<", 1);
	put_str(h, tag);
	va_start(ap, tag);
	put_attrs(h, ap);
	va_end(ap);
	put(h, ">", 1);
}

void html_close(struct html *h)
{
	assert(h->depth > 0);
	if (h->depth <= 0) {
		h->failed = 1;
		return;
	}
	h->depth--;
	put(h, "</", 2);
	put_str(h, h->stack[h->depth]);
	put(h, ">", 1);
}

void html_closeto(struct html *h, int depth)
{
	assert(depth >= 0 && depth <= h->depth);
	if (depth < 0 || depth > h->depth)
		h->failed = 1;  /* NDEBUG: the caller lost track of its nesting */
	if (depth < 0)
		depth = 0;
	while (h->depth > depth)
		html_close(h);
}

int html_depth(const struct html *h)
{
	return h->depth;
}

/* ==== text ============================================================ */

void html_text(struct html *h, const char *s)
{
	if (s)
		put_escaped(h, s, strlen(s));
}

void html_textn(struct html *h, const char *s, size_t n)
{
	if (n)
		put_escaped(h, s, n);
}

void html_textf(struct html *h, const char *fmt, ...)
{
	char tmp[HTML_TEXTF_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	/* A cut sentence is worse than an error page: count it as overflow. */
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		h->failed = 1;
		return;
	}
	put_escaped(h, tmp, (size_t)n);
}

void html_int(struct html *h, long long v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%lld", v);

	put(h, tmp, (size_t)n);
}

void html_elem(struct html *h, const char *tag, const char *text, ...)
{
	va_list ap;

	va_start(ap, text);
	html_vopen(h, tag, ap);
	va_end(ap);
	html_text(h, text);
	html_close(h);
}

int html_finish(struct html *h)
{
	assert(h->depth == 0);
	return h->failed || h->depth != 0 ? -1 : 0;
}
