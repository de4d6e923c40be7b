/*
 * fuzz_form.c — libFuzzer target for the form parser and the HTML text
 * and attribute escaper (web/form.h, web/html.h).
 *
 *   clang -std=c17 -g -fsanitize=fuzzer,address,undefined -D_POSIX_C_SOURCE=200809L \
 *     -D_DEFAULT_SOURCE -Isrc tests/fuzz/fuzz_form.c src/web/form.c src/web/html.c \
 *     src/util/buf.c src/util/err.c -o fuzz_form && ./fuzz_form -max_total_time=60
 *
 * Properties checked, each with an oracle independent of the code under
 * test (its own UTF-8 decoder, its own field splitting):
 *   form_parse: on success, the fields are exactly the non-empty
 *     '&'-separated segments, every name is non-empty, every name and
 *     value is valid UTF-8 whose length is what %-decoding predicts (so
 *     no NUL hides inside), and form_get finds the first of each name;
 *     on refusal the form is empty and a reason is given.
 *   html_textn / attribute values: the output is valid UTF-8, has no raw
 *     < > " ' and no control other than \n \t, and every '&' starts one
 *     of the writer's five entities.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/err.h"
#include "web/form.h"
#include "web/html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

/* Well-formed UTF-8 (decode, then range-check the code point). */
static int utf8_ok(const unsigned char *u, size_t n)
{
	size_t i = 0, k, need;
	unsigned long cp, min;

	while (i < n) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		if ((u[i] & 0xe0) == 0xc0) {
			need = 1, cp = u[i] & 0x1f, min = 0x80;
		} else if ((u[i] & 0xf0) == 0xe0) {
			need = 2, cp = u[i] & 0x0f, min = 0x800;
		} else if ((u[i] & 0xf8) == 0xf0) {
			need = 3, cp = u[i] & 0x07, min = 0x10000;
		} else {
			return 0;
		}
		for (k = 1; k <= need; k++) {
			if (i + k >= n || (u[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (u[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
}

/* Decoded length of s[0..n) if it decodes: each "%HH" is one byte. */
static size_t decoded_len(const uint8_t *s, size_t n)
{
	size_t i, pct = 0;

	for (i = 0; i < n; i++)
		if (s[i] == '%')
			pct++;
	return n - 2 * pct;
}

static void check_form(const uint8_t *data, size_t size)
{
	char why[AT_MSG_MAX];
	struct form f;
	enum at_code rc;
	size_t i, end, eq, k = 0, j;

	rc = form_parse((const char *)data, size, FORM_MAX_FIELDS, &f, why);
	if (rc != AT_OK) {
		CHECK(rc == AT_MALFORMED || rc == AT_TOO_LARGE);
		CHECK(f.n == 0 && f.f == NULL);
		CHECK(why[0] != '\0');
		return;
	}
	for (i = 0; i < size; i = end + 1) {
		for (end = i; end < size && data[end] != '&'; end++)
			;
		if (end == i)
			continue;
		for (eq = i; eq < end && data[eq] != '='; eq++)
			;
		CHECK(k < f.n);
		CHECK(strlen(f.f[k].name) == decoded_len(data + i, eq - i));
		CHECK(strlen(f.f[k].value) ==
		      (eq < end ? decoded_len(data + eq + 1, end - eq - 1) : 0));
		k++;
	}
	CHECK(k == f.n);
	for (k = 0; k < f.n; k++) {
		const char *n = f.f[k].name, *v = f.f[k].value;

		CHECK(n[0] != '\0');
		CHECK(utf8_ok((const unsigned char *)n, strlen(n)));
		CHECK(utf8_ok((const unsigned char *)v, strlen(v)));
		/* The quadratic check on the first fields only keeps runs fast. */
		if (k < 32) {
			for (j = 0; strcmp(f.f[j].name, n) != 0; j++)
				;
			CHECK(form_get(&f, n) == f.f[j].value);
		}
	}
	form_free(&f);
}

/* Escaped output [from, to) of b: nothing that could change the markup. */
static void check_escaped(const struct buf *b, size_t from, size_t to)
{
	static const char *const ents[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&#39;" };
	const unsigned char *u = (const unsigned char *)b->data;
	size_t i, e;

	CHECK(utf8_ok(u + from, to - from));
	for (i = from; i < to; i++) {
		CHECK(u[i] != '<' && u[i] != '>' && u[i] != '"' && u[i] != '\'');
		CHECK(u[i] >= 0x20 || u[i] == '\n' || u[i] == '\t');
		CHECK(u[i] != 0x7f);
		if (u[i] == '&') {
			for (e = 0; e < 5; e++)
				if (to - i >= strlen(ents[e]) &&
				    memcmp(u + i, ents[e], strlen(ents[e])) == 0)
					break;
			CHECK(e < 5);
		}
	}
}

static void check_html(const uint8_t *data, size_t size)
{
	struct buf b;
	struct html h;
	char *attr;
	size_t start;

	buf_init(&b, 0);
	html_init(&h, &b);

	/* Text: "<p>" + escaped + "</p>". */
	html_open(&h, "p", HTML_END);
	start = b.len;
	html_textn(&h, (const char *)data, size);
	check_escaped(&b, start, b.len);
	html_close(&h);

	/* Attribute: the input up to its first NUL, as a C string. */
	attr = malloc(size + 1);
	CHECK(attr != NULL);
	memcpy(attr, data, size);
	attr[size] = '\0';
	start = b.len + strlen("<p title=\"");
	html_open(&h, "p", "title", attr, HTML_END);
	/* The value ends at the last '"', just before the closing '>'. */
	CHECK(b.len >= start + 2 && memcmp(b.data + b.len - 2, "\">", 2) == 0);
	check_escaped(&b, start, b.len - 2);
	html_close(&h);
	free(attr);

	CHECK(html_finish(&h) == 0);
	CHECK(utf8_ok((const unsigned char *)b.data, b.len));
	buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_form(data, size);
	check_html(data, size);
	return 0;
}
