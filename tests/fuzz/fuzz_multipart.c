/*
 * fuzz_multipart.c — libFuzzer target for the multipart/form-data parser
 * (web/multipart.h).
 *
 *   clang -std=c17 -g -fsanitize=fuzzer,address,undefined -D_POSIX_C_SOURCE=200809L \
 *     -D_DEFAULT_SOURCE -Isrc tests/fuzz/fuzz_multipart.c src/web/multipart.c \
 *     src/util/err.c -o fuzz_multipart && ./fuzz_multipart -max_total_time=60
 *
 * The input is a boundary line, then a body.  Properties checked, each
 * against the body bytes themselves rather than the parser's view:
 *   - on success every part lies inside the body, parts come in order and
 *     do not overlap, each content is preceded by CRLF CRLF (or the CRLF
 *     that ends an empty header block) and followed by "\r\n--BOUNDARY",
 *     contains no "\r\n--BOUNDARY" itself, and every name is non-empty
 *     and within its cap;
 *   - on refusal a reason is given, and the code is MALFORMED or
 *     TOO_LARGE;
 *   - fed in chunks, the stream finds what the whole parse finds, and
 *     its callbacks are handed exactly each part's bytes, in order;
 *   - a body built from the fuzzer's parts (the second property, from the
 *     same bytes) parses back to exactly those parts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "web/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)
#define MAXP 8

static int contains(const char *hay, size_t n, const char *needle, size_t m)
{
	for (size_t i = 0; m <= n && i + m <= n; i++)
		if (memcmp(hay + i, needle, m) == 0)
			return 1;
	return 0;
}

/* Parse whatever came, and check the parts against the bytes. */
static void check_parse(const char *body, size_t len, const char *boundary)
{
	struct mp_part parts[MAXP];
	char why[AT_MSG_MAX], d[MULTIPART_BOUNDARY_MAX + 5];
	size_t n = 0, dlen, prev_end = 0;
	enum at_code c;

	why[0] = '\0';
	c = multipart_parse(body, len, boundary, parts, MAXP, &n, why);
	if (c != AT_OK) {
		CHECK(c == AT_MALFORMED || c == AT_TOO_LARGE);
		CHECK(c == AT_TOO_LARGE || why[0] != '\0');
		return;
	}
	dlen = (size_t)snprintf(d, sizeof(d), "\r\n--%s", boundary);
	CHECK(n <= MAXP);
	for (size_t i = 0; i < n; i++) {
		const struct mp_part *p = &parts[i];
		CHECK(p->off >= 2 && p->off <= len && p->len <= len - p->off);
		CHECK(p->off >= prev_end);
		CHECK(body[p->off - 2] == '\r' && body[p->off - 1] == '\n');
		CHECK(len - (p->off + p->len) >= dlen);
		CHECK(memcmp(body + p->off + p->len, d, dlen) == 0);
		CHECK(!contains(body + p->off, p->len + dlen - 1, d, dlen));
		CHECK(p->name[0] != '\0' && strlen(p->name) <= MULTIPART_NAME_MAX);
		CHECK(strlen(p->filename) <= MULTIPART_FILENAME_MAX);
		CHECK(!strchr(p->filename, '/') && !strchr(p->filename, '\\'));
		prev_end = p->off + p->len;
	}
}

/* The stream's callbacks check each piece against the body itself. */
struct follow {
	const char *body;
	const struct mp_part *parts;
	size_t cursor, part, got[MAXP];
};

static enum at_code follow_part(void *ctx, size_t i, char *why)
{
	struct follow *f = ctx;

	(void)why;
	f->part = i;
	f->cursor = f->parts[i].off;
	return AT_OK;
}

static enum at_code follow_data(void *ctx, size_t i, const char *data, size_t n, char *why)
{
	struct follow *f = ctx;

	(void)why;
	CHECK(i == f->part);
	CHECK(memcmp(f->body + f->cursor, data, n) == 0);
	f->cursor += n;
	f->got[i] += n;
	return AT_OK;
}

/* Fed in chunks of `chunk` bytes, the stream agrees with the whole parse,
 * and hands over exactly each part's content. */
static void check_chunks(const char *body, size_t len, const char *boundary, size_t chunk)
{
	struct mp_part whole[MAXP], parts[MAXP];
	struct mp_stream *s = malloc(sizeof(*s));
	struct follow f;
	size_t n = 0;
	enum at_code c1, c2;

	CHECK(s != NULL);
	memset(&f, 0, sizeof(f));
	f.body = body;
	f.parts = parts;
	c1 = multipart_parse(body, len, boundary, whole, MAXP, &n, NULL);
	CHECK(multipart_stream_init(s, boundary, parts, MAXP, follow_part, follow_data, &f) == 0);
	for (size_t at = 0; at < len; at += chunk)
		multipart_stream_feed(s, body + at, len - at < chunk ? len - at : chunk);
	c2 = multipart_stream_end(s);
	CHECK(c1 == c2);
	if (c1 == AT_OK) {
		CHECK(s->n == n);
		for (size_t i = 0; i < n; i++) {
			CHECK(parts[i].off == whole[i].off && parts[i].len == whole[i].len);
			CHECK(strcmp(parts[i].name, whole[i].name) == 0);
			CHECK(f.got[i] == whole[i].len);
		}
	}
	free(s);
}

/* Build a body from the input's parts (content split at 0xff bytes,
 * with names "f0", "f1" ...) and expect them back.  The boundary is one
 * the contents cannot hold: it has a byte (0x01 swapped for 'Q') that is
 * removed from them. */
static void check_round_trip(const uint8_t *data, size_t size)
{
	static const char boundary[] = "QzQ-round-trip";
	struct mp_part parts[MAXP];
	size_t cap = size + MAXP * 128 + 64;
	char *body = malloc(cap), *contents[MAXP];
	size_t clen[MAXP], n = 0, len = 0, got = 0, start = 0;

	CHECK(body != NULL);
	for (size_t i = 0; i <= size && n < MAXP; i++) {
		if (i < size && data[i] != 0xff)
			continue;
		contents[n] = malloc(i - start + 1);
		CHECK(contents[n] != NULL);
		clen[n] = 0;
		for (size_t k = start; k < i; k++)
			if (data[k] != 'Q')
				contents[n][clen[n]++] = (char)data[k];
		n++;
		start = i + 1;
	}
	for (size_t i = 0; i < n; i++) {
		len += (size_t)snprintf(body + len, cap - len,
		                        "--%s\r\nContent-Disposition: form-data; name=\"f%zu\"%s\r\n\r\n",
		                        boundary, i, i % 2 ? "; filename=\"a/b.csv\"" : "");
		memcpy(body + len, contents[i], clen[i]);
		len += clen[i];
		memcpy(body + len, "\r\n", 2);
		len += 2;
	}
	len += (size_t)snprintf(body + len, cap - len, "--%s--\r\n", boundary);
	CHECK(multipart_parse(body, len, boundary, parts, MAXP, &got, NULL) == AT_OK);
	CHECK(got == n);
	for (size_t i = 0; i < n; i++) {
		char name[16];
		snprintf(name, sizeof(name), "f%zu", i);
		CHECK(strcmp(parts[i].name, name) == 0);
		CHECK(parts[i].is_file == (int)(i % 2));
		CHECK(!parts[i].is_file || strcmp(parts[i].filename, "b.csv") == 0);
		CHECK(parts[i].len == clen[i]);
		CHECK(memcmp(body + parts[i].off, contents[i], clen[i]) == 0);
		free(contents[i]);
	}
	free(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char boundary[MULTIPART_BOUNDARY_MAX + 1];
	const uint8_t *nl = memchr(data, '\n', size < 72 ? size : 72);
	size_t blen = nl ? (size_t)(nl - data) : 0;
	char *body;

	if (blen >= 1 && blen <= MULTIPART_BOUNDARY_MAX && !memchr(data, '\0', blen)) {
		memcpy(boundary, data, blen);
		boundary[blen] = '\0';
		/* An exact-size copy: ASan sees any read past the end. */
		body = malloc(size - blen - 1 ? size - blen - 1 : 1);
		CHECK(body != NULL);
		memcpy(body, data + blen + 1, size - blen - 1);
		check_parse(body, size - blen - 1, boundary);
		check_chunks(body, size - blen - 1, boundary, 1 + (size_t)data[0] % 13);
		free(body);
	}
	check_round_trip(data, size);
	return 0;
}
