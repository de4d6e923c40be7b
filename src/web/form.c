/*
 * form.c — application/x-www-form-urlencoded parsing.
 *
 * Two passes: the first counts fields so an oversized form is refused
 * before anything is allocated; the second decodes into one block that
 * holds the field array followed by every name and value.  Decoding never
 * grows a string, so the block is sized from the body length alone.
 */
#include "util/text.h"
#include "web/form.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/html.h"

__attribute__((format(printf, 2, 3))) static void say(char *why, const char *fmt, ...)
{
	va_list ap;

	if (!why)
		return;
	va_start(ap, fmt);
	vsnprintf(why, AT_MSG_MAX, fmt, ap);
	va_end(ap);
}

/*
 * Decode s[0..n) into dst (room for n + 1 bytes), NUL-terminated, length
 * in *dlen.  Returns NULL, or what is wrong with the byte at s[*at].
 */
static const char *decode(const char *s, size_t n, char *dst, size_t *dlen, size_t *at)
{
	size_t i, j = 0;
	int hi, lo;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			hi = i + 1 < n ? text_hexval((unsigned char)s[i + 1]) : -1;
			lo = i + 2 < n ? text_hexval((unsigned char)s[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				*at = i;
				return "a '%' not followed by two hex digits";
			}
			c = (unsigned char)(hi << 4 | lo);
			if (c == 0) {
				*at = i;
				return "an encoded NUL byte (%00)";
			}
			i += 2;
		} else if (c == 0) {
			*at = i;
			return "a NUL byte";
		}
		dst[j++] = (char)c;
	}
	dst[j] = '\0';
	*dlen = j;
	return NULL;
}

/* Offset of the first byte that is not well-formed UTF-8, or n. */
static size_t utf8_bad_at(const char *s, size_t n)
{
	size_t i = 0, len;

	while (i < n) {
		len = html_utf8_len(s + i, n - i, NULL);
		if (len == 0)
			return i;
		i += len;
	}
	return n;
}

/* A name fit to quote in a message: short printable ASCII, else NULL. */
static const char *quotable(const char *name)
{
	const char *p;

	if (strlen(name) > 64)
		return NULL;
	for (p = name; *p; p++)
		if (*p < 0x20 || *p > 0x7e || *p == '"')
			return NULL;
	return name;
}

/*
 * Decode one name or value (`what`) of field number `k` (1-based) from
 * body[from..to) into *store, advancing it.  Returns 0 or -1 with `why`.
 */
static int take(const char *body, size_t from, size_t to, char **store, size_t k,
                const char *name, const char *what, char *why)
{
	const char *err;
	size_t dlen = 0, at = 0, bad;

	err = decode(body + from, to - from, *store, &dlen, &at);
	if (err) {
		say(why, "form field %zu has %s at byte %zu of the body", k, err, from + at + 1);
		return -1;
	}
	bad = utf8_bad_at(*store, dlen);
	if (bad < dlen) {
		if (name && quotable(name))
			say(why, "form field \"%s\": the %s is not valid UTF-8 (decoded byte %zu); "
			    "send the form as UTF-8", name, what, bad + 1);
		else
			say(why, "form field %zu: the %s is not valid UTF-8 (decoded byte %zu); "
			    "send the form as UTF-8", k, what, bad + 1);
		return -1;
	}
	*store += dlen + 1;
	return 0;
}

enum at_code form_parse(const char *body, size_t len, size_t max_fields, struct form *out,
                        char *why)
{
	struct form_field *f = NULL;
	char *store;
	size_t nfields = 0, seg = 0, i, end, eq, k;
	enum at_code rc = AT_MALFORMED;

	out->f = NULL;
	out->n = 0;
	if (why)
		why[0] = '\0';
	/* Counting first: a form over the limit costs no memory. */
	for (i = 0; i <= len; i++) {
		if (i < len && body[i] != '&') {
			seg++;
			continue;
		}
		if (seg && ++nfields > max_fields) {
			say(why, "form has more than %zu fields; send fewer lines at a time",
			    max_fields);
			return AT_TOO_LARGE;
		}
		seg = 0;
	}
	if (nfields == 0)
		return AT_OK;
	/* Each field decodes to at most its own bytes plus two NULs, and
	 * nfields <= len, so len * (sizeof(*f) + 3) bounds the block. */
	if (len > SIZE_MAX / (sizeof(*f) + 3)) {
		say(why, "form body is too large");
		return AT_TOO_LARGE;
	}
	f = malloc(nfields * sizeof(*f) + len + 2 * nfields);
	if (!f) {
		say(why, "out of memory parsing a form of %zu bytes", len);
		return AT_INTERNAL;
	}
	store = (char *)(f + nfields);
	k = 0;
	for (i = 0; i < len; i = end + 1) {
		for (end = i; end < len && body[end] != '&'; end++)
			;
		if (end == i)
			continue;
		for (eq = i; eq < end && body[eq] != '='; eq++)
			;
		if (eq == i) {
			say(why, "form field %zu has an empty name (byte %zu of the body)", k + 1,
			    i + 1);
			goto out;
		}
		f[k].name = store;
		if (take(body, i, eq, &store, k + 1, NULL, "name", why) < 0)
			goto out;
		f[k].value = store;
		if (take(body, eq < end ? eq + 1 : end, end, &store, k + 1, f[k].name, "value",
		         why) < 0)
			goto out;
		k++;
	}
	out->f = f;
	out->n = k;
	f = NULL;
	rc = AT_OK;
out:
	free(f);
	return rc;
}

const char *form_get(const struct form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->f[i].name, name) == 0)
			return f->f[i].value;
	return NULL;
}

size_t form_get_all(const struct form *f, const char *name, const char **vals, size_t max)
{
	size_t i, got = 0;

	for (i = 0; i < f->n && got < max; i++)
		if (strcmp(f->f[i].name, name) == 0)
			vals[got++] = f->f[i].value;
	return got;
}

void form_free(struct form *f)
{
	free(f->f);
	f->f = NULL;
	f->n = 0;
}
