/*
 * test_multipart.c — the multipart/form-data parser (web/multipart.h):
 * bodies as browsers send them, the boundary from Content-Type, each
 * malformed shape refused with AT_MALFORMED (or AT_TOO_LARGE past the
 * part cap), never read past the body; and the stream fed in chunks of
 * every size finding the same parts and handing over their exact bytes.
 */
#include "testlib.h"

#include "web/multipart.h"

#include <stdlib.h>
#include <string.h>

#define B "----WebKitFormBoundaryAbC123xyz"

/* A Chromium-shaped body: a token, a file with CRLFs and a fake
 * boundary-like line inside, an empty text field, a textarea. */
static const char chrome_body[] =
	"--" B "\r\n"
	"Content-Disposition: form-data; name=\"csrf_token\"\r\n"
	"\r\n"
	"abc123\r\n"
	"--" B "\r\n"
	"Content-Disposition: form-data; name=\"file\"; filename=\"assets export.csv\"\r\n"
	"Content-Type: text/csv\r\n"
	"\r\n"
	"asset_tag,serial\r\nAT-1,S1\r\n------WebKitFormBoundaryAbC123xy, almost\r\n"
	"\r\n"
	"--" B "\r\n"
	"Content-Disposition: form-data; name=\"default_room\"\r\n"
	"\r\n"
	"\r\n"
	"--" B "\r\n"
	"content-disposition: FORM-DATA; name=maps\r\n"
	"\r\n"
	"A=notes\r\nB=ignore\r\n"
	"--" B "--\r\n";

/* The content of part i as a string (for comparisons). */
static char *content(const char *body, const struct mp_part *pt)
{
	char *s = malloc(pt->len + 1);

	assert_non_null(s);
	memcpy(s, body + pt->off, pt->len);
	s[pt->len] = '\0';
	return s;
}

static enum at_code parse(const char *body, size_t len, struct mp_part *parts, size_t max,
                          size_t *n, char *why)
{
	return multipart_parse(body, len, B, parts, max, n, why);
}

static void parses_a_browser_body(void **state)
{
	struct mp_part parts[8];
	char why[AT_MSG_MAX];
	size_t n = 0;
	char *c;

	(void)state;
	assert_int_equal(parse(chrome_body, strlen(chrome_body), parts, 8, &n, why), AT_OK);
	assert_int_equal(n, 4);
	assert_string_equal(parts[0].name, "csrf_token");
	assert_int_equal(parts[0].is_file, 0);
	c = content(chrome_body, &parts[0]);
	assert_string_equal(c, "abc123");
	free(c);
	assert_string_equal(parts[1].name, "file");
	assert_int_equal(parts[1].is_file, 1);
	assert_string_equal(parts[1].filename, "assets export.csv");
	assert_string_equal(parts[1].ctype, "text/csv");
	c = content(chrome_body, &parts[1]);
	/* The CRLF before a delimiter belongs to it; a line that merely
	 * looks like one is content. */
	assert_string_equal(c, "asset_tag,serial\r\nAT-1,S1\r\n------WebKitFormBoundaryAbC123xy, "
	                       "almost\r\n");
	free(c);
	assert_string_equal(parts[2].name, "default_room");
	assert_int_equal(parts[2].len, 0);
	assert_string_equal(parts[3].name, "maps");
	c = content(chrome_body, &parts[3]);
	assert_string_equal(c, "A=notes\r\nB=ignore");
	free(c);
}

/* A preamble before the first delimiter and an epilogue after the last
 * are ignored; a Windows path in filename keeps only its last segment. */
static void preamble_epilogue_and_paths(void **state)
{
	static const char body[] = "This is a preamble.\r\n"
	                           "--" B "  \t\r\n"
	                           "Content-Disposition: form-data; name=\"f\"; "
	                           "filename=\"C:\\Users\\dana\\My Files\\x.db\"\r\n"
	                           "\r\n"
	                           "\x00\x01\r\xff\r\n"
	                           "--" B "--\r\nepilogue";
	struct mp_part parts[2];
	char why[AT_MSG_MAX];
	size_t n = 0;

	(void)state;
	assert_int_equal(parse(body, sizeof(body) - 1, parts, 2, &n, why), AT_OK);
	assert_int_equal(n, 1);
	assert_string_equal(parts[0].filename, "x.db");
	assert_int_equal(parts[0].len, 4);
	assert_memory_equal(body + parts[0].off, "\x00\x01\r\xff", 4);
}

static void boundary_from_content_type(void **state)
{
	char b[MULTIPART_BOUNDARY_MAX + 1];
	char longb[128];

	(void)state;
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=" B, b), 0);
	assert_string_equal(b, B);
	assert_int_equal(multipart_boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b'c\"",
	                                    b), 0);
	assert_string_equal(b, "a b'c");
	assert_int_equal(multipart_boundary("multipart/form-data;boundary=xyz;x=1", b), 0);
	assert_string_equal(b, "xyz");
	assert_int_equal(multipart_boundary("application/x-www-form-urlencoded", b), -1);
	assert_int_equal(multipart_boundary("multipart/form-data", b), -1);
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=", b), -1);
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=\"unterminated", b), -1);
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=a<b", b), -1);
	assert_int_equal(multipart_boundary(NULL, b), -1);
	memset(longb, 'x', 71);
	memcpy(longb, "multipart/form-data; boundary=", 30);
	memset(longb + 30, 'b', 71);
	longb[101] = '\0';
	assert_int_equal(multipart_boundary(longb, b), -1);
}

/* Each malformed shape, refused with its reason and AT_MALFORMED. */
static void malformed_bodies(void **state)
{
	static const struct {
		const char *body, *why;
	} bad[] = {
		{ "", "no boundary" },
		{ "no delimiter anywhere", "no boundary" },
		{ "--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx", "ends inside" },
		{ "--" B "junk\r\n", "other than CRLF" },
		{ "--" B "\r\nContent-Disposition: form-data; name=\"a\"", "do not end" },
		{ "--" B "\r\nNoColonHere\r\n\r\nx\r\n--" B "--", "no name and colon" },
		{ "--" B "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" B "--",
		  "no Content-Disposition" },
		{ "--" B "\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--" B "--",
		  "not form-data" },
		{ "--" B "\r\nContent-Disposition: form-data\r\n\r\nx\r\n--" B "--", "no field name" },
		{ "--" B "\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nx\r\n--" B "--",
		  "no field name" },
		{ "--" B "\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--" B "--",
		  "bad or over-long" },
		{ "--" B "\r\nContent-Disposition: form-data; name=\"a\"; name=\"b\"\r\n\r\nx\r\n--" B
		  "--", "repeated" },
		{ "--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n"
		  "Content-Disposition: form-data; name=\"b\"\r\n\r\nx\r\n--" B "--",
		  "two Content-Disposition" },
		{ "--" B "\r\nContent-Disposition: form-data; name=\"a\"\nX: y\r\n\r\nx\r\n--" B "--",
		  "line feed" },
		{ "--" B "\r\n\r\nx\r\n--" B "--", "no Content-Disposition" },
		/* The boundary inside a part's content: refused, not guessed at. */
		{ "--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--" B
		  "x\r\n--" B "--", "other than CRLF" },
	};
	struct mp_part parts[4];
	char why[AT_MSG_MAX];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		if (parse(bad[i].body, strlen(bad[i].body), parts, 4, &n, why) != AT_MALFORMED)
			fail_msg("body %zu was not refused", i);
		if (!t_contains_ci(why, bad[i].why))
			fail_msg("body %zu: '%s' does not say '%s'", i, why, bad[i].why);
	}
}

/* A name too long is refused, never cut; more parts than room is
 * AT_TOO_LARGE. */
static void caps(void **state)
{
	struct mp_part parts[2];
	char body[1024], name[MULTIPART_NAME_MAX + 2];
	size_t n;

	(void)state;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(body, sizeof(body),
	         "--" B "\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\nx\r\n--" B "--",
	         name);
	assert_int_equal(parse(body, strlen(body), parts, 2, &n, NULL), AT_MALFORMED);
	snprintf(body, sizeof(body), "%s",
	         "--" B "\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n"
	         "--" B "\r\nContent-Disposition: form-data; name=b\r\n\r\n2\r\n"
	         "--" B "\r\nContent-Disposition: form-data; name=c\r\n\r\n3\r\n--" B "--");
	assert_int_equal(parse(body, strlen(body), parts, 2, &n, NULL), AT_TOO_LARGE);
}

/* Every prefix of a good body either parses or is refused, and never
 * reads past its end (ASan watches the exact-size copies). */
static void every_prefix_is_safe(void **state)
{
	struct mp_part parts[8];
	size_t len = strlen(chrome_body), n, ok = 0;

	(void)state;
	for (size_t cut = 0; cut <= len; cut++) {
		char *copy = malloc(cut ? cut : 1);
		enum at_code c;
		assert_non_null(copy);
		memcpy(copy, chrome_body, cut);
		c = parse(copy, cut, parts, 8, &n, NULL);
		assert_true(c == AT_OK || c == AT_MALFORMED);
		for (size_t i = 0; c == AT_OK && i < n; i++)
			assert_true(parts[i].off + parts[i].len <= cut);
		ok += c == AT_OK;
		free(copy);
	}
	/* Complete from the close delimiter on: "--B--", then its CR, LF. */
	assert_int_equal(ok, 3);
}

/* What a stream's callbacks saw: each part's content, joined. */
struct seen {
	char content[8][256];
	size_t len[8];
	size_t begun;
};

static enum at_code seen_part(void *ctx, size_t i, char *why)
{
	struct seen *sn = ctx;

	(void)why;
	assert_int_equal(i, sn->begun);
	sn->begun++;
	return AT_OK;
}

static enum at_code seen_data(void *ctx, size_t i, const char *data, size_t n, char *why)
{
	struct seen *sn = ctx;

	(void)why;
	assert_true(i + 1 == sn->begun);
	assert_true(sn->len[i] + n <= sizeof(sn->content[i]));
	memcpy(sn->content[i] + sn->len[i], data, n);
	sn->len[i] += n;
	return AT_OK;
}

/* Fed in chunks of any size, the stream finds the same parts as the
 * whole body, and hands over exactly each part's content. */
static void stream_in_any_chunks(void **state)
{
	struct mp_part whole[8], parts[8];
	size_t len = strlen(chrome_body), n;
	struct mp_stream *s = malloc(sizeof(*s));

	(void)state;
	assert_non_null(s);
	assert_int_equal(parse(chrome_body, len, whole, 8, &n, NULL), AT_OK);
	for (size_t chunk = 1; chunk <= len; chunk++) {
		struct seen sn;
		memset(&sn, 0, sizeof(sn));
		assert_int_equal(multipart_stream_init(s, B, parts, 8, seen_part, seen_data, &sn), 0);
		for (size_t at = 0; at < len; at += chunk)
			assert_int_equal(multipart_stream_feed(s, chrome_body + at,
			                                       len - at < chunk ? len - at : chunk),
			                 AT_OK);
		assert_int_equal(multipart_stream_end(s), AT_OK);
		assert_int_equal(s->n, n);
		assert_int_equal(sn.begun, n);
		for (size_t i = 0; i < n; i++) {
			assert_string_equal(parts[i].name, whole[i].name);
			assert_int_equal(parts[i].off, whole[i].off);
			assert_int_equal(parts[i].len, whole[i].len);
			assert_int_equal(sn.len[i], whole[i].len);
			assert_memory_equal(sn.content[i], chrome_body + whole[i].off, whole[i].len);
		}
	}
	free(s);
}

/* A callback's refusal stops the parse with its code. */
static enum at_code refuse_files(void *ctx, size_t i, char *why)
{
	struct mp_part *parts = ctx;

	if (!parts[i].is_file)
		return AT_OK;
	snprintf(why, AT_MSG_MAX, "no files here");
	return AT_FORBIDDEN;
}

static void callback_refusal_stops(void **state)
{
	struct mp_part parts[8];
	struct mp_stream *s = malloc(sizeof(*s));

	(void)state;
	assert_non_null(s);
	assert_int_equal(multipart_stream_init(s, B, parts, 8, refuse_files, NULL, parts), 0);
	assert_int_equal(multipart_stream_feed(s, chrome_body, strlen(chrome_body)), AT_FORBIDDEN);
	assert_int_equal(s->n, 2);
	assert_string_equal(s->why, "no files here");
	assert_int_equal(multipart_stream_end(s), AT_FORBIDDEN);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_a_browser_body),
		cmocka_unit_test(preamble_epilogue_and_paths),
		cmocka_unit_test(boundary_from_content_type),
		cmocka_unit_test(malformed_bodies),
		cmocka_unit_test(caps),
		cmocka_unit_test(every_prefix_is_safe),
		cmocka_unit_test(stream_in_any_chunks),
		cmocka_unit_test(callback_refusal_stops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
