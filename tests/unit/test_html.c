/*
 * test_html.c — the escaping HTML writer (web/html.h): escaping of text
 * and attributes, UTF-8 repair, control characters, attribute lists,
 * nesting, overflow, and the asserts that catch misuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/buf.h"
#include "web/html.h"

/* ---- helpers --------------------------------------------------------- */

/*
 * An independent UTF-8 check (decode and range-test code points) so the
 * writer's own decoder is not its own judge.
 */
static int utf8_ok(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
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

/* Write `n` bytes as text with a fresh writer; compare with `want`. */
static void textn_is(const char *in, size_t n, const char *want)
{
	struct buf b;
	struct html h;

	buf_init(&b, 0);
	html_init(&h, &b);
	html_textn(&h, in, n);
	assert_int_equal(html_finish(&h), 0);
	assert_string_equal(b.data, want);
	assert_true(utf8_ok(b.data, b.len));
	buf_free(&b);
}

static void text_is(const char *in, const char *want)
{
	textn_is(in, strlen(in), want);
}

/* <p title="in"></p> must come out as `want`. */
static void attr_is(const char *in, const char *want)
{
	struct buf b;
	struct html h;

	buf_init(&b, 0);
	html_init(&h, &b);
	html_elem(&h, "p", NULL, "title", in, HTML_END);
	assert_int_equal(html_finish(&h), 0);
	assert_string_equal(b.data, want);
	buf_free(&b);
}

#define FFFD "\xef\xbf\xbd"

/* ---- text escaping --------------------------------------------------- */

static void test_text_plain_unchanged(void **state)
{
	(void)state;
	text_is("AT-0001 in case PELI-07/12", "AT-0001 in case PELI-07/12");
	text_is("", "");
}

static void test_text_escapes_amp(void **state)
{
	(void)state;
	text_is("&", "&amp;");
	text_is("R&D", "R&amp;D");
	text_is("&amp;", "&amp;amp;");
}

static void test_text_escapes_lt(void **state)
{
	(void)state;
	text_is("<", "&lt;");
	text_is("<script>", "&lt;script&gt;");
}

static void test_text_escapes_gt(void **state)
{
	(void)state;
	text_is(">", "&gt;");
}

static void test_text_escapes_double_quote(void **state)
{
	(void)state;
	text_is("\"", "&quot;");
}

static void test_text_escapes_single_quote(void **state)
{
	(void)state;
	text_is("'", "&#39;");
	text_is("O'Brien", "O&#39;Brien");
}

static void test_text_escapes_all_together(void **state)
{
	(void)state;
	text_is("<a href=\"x\" title='y'>&</a>",
	        "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
}

static void test_text_null_writes_nothing(void **state)
{
	struct buf b;
	struct html h;

	(void)state;
	buf_init(&b, 0);
	html_init(&h, &b);
	html_text(&h, NULL);
	html_textn(&h, NULL, 0);
	assert_int_equal(html_finish(&h), 0);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static void test_text_keeps_newline_and_tab(void **state)
{
	(void)state;
	text_is("line 1\nline 2\tend", "line 1\nline 2\tend");
}

static void test_text_drops_c0_controls(void **state)
{
	(void)state;
	text_is("a\rb", "ab");
	text_is("\x01\x02x\x1b[31my\x1f", "x[31my");
	text_is("\b\f\v", "");
}

static void test_text_drops_del(void **state)
{
	(void)state;
	text_is("a\x7f" "b", "ab");
}

static void test_text_drops_c1_controls(void **state)
{
	(void)state;
	/* U+0085 NEL and U+009F; U+00A0 (no-break space) is kept. */
	text_is("a\xc2\x85" "b\xc2\x9f" "c\xc2\xa0", "abc\xc2\xa0");
}

static void test_textn_drops_nul_keeps_rest(void **state)
{
	(void)state;
	textn_is("ab\0cd\0", 6, "abcd");
	textn_is("\0<\0", 3, "&lt;");
}

static void test_textn_writes_only_n_bytes(void **state)
{
	(void)state;
	textn_is("abc<def", 4, "abc&lt;");
}

/* ---- UTF-8 ----------------------------------------------------------- */

static void test_text_valid_utf8_kept(void **state)
{
	(void)state;
	text_is("caf\xc3\xa9", "caf\xc3\xa9");                   /* é, 2 bytes */
	text_is("\xe2\x82\xac" "5", "\xe2\x82\xac" "5");         /* €, 3 bytes */
	text_is("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");         /* U+1F600 */
	text_is("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");         /* U+10FFFF */
	text_is("\xed\x9f\xbf", "\xed\x9f\xbf");                 /* U+D7FF */
	text_is("\xee\x80\x80", "\xee\x80\x80");                 /* U+E000 */
}

static void test_text_bad_utf8_stray_continuation(void **state)
{
	(void)state;
	text_is("a\x80" "b", "a" FFFD "b");
	text_is("\xbf\xbf", FFFD FFFD);
}

static void test_text_bad_utf8_overlong(void **state)
{
	(void)state;
	text_is("\xc0\xaf", FFFD FFFD);                 /* '/' in 2 bytes */
	text_is("\xc1\xbf", FFFD FFFD);
	text_is("\xe0\x80\xaf", FFFD FFFD FFFD);        /* '/' in 3 bytes */
	text_is("\xf0\x80\x80\xaf", FFFD FFFD FFFD FFFD);
}

static void test_text_bad_utf8_overlong_lt_not_smuggled(void **state)
{
	(void)state;
	/* 0xC0 0xBC would be an overlong '<': it must never decode to one. */
	text_is("\xc0\xbcscript\xc0\xbe", FFFD FFFD "script" FFFD FFFD);
}

static void test_text_bad_utf8_surrogate(void **state)
{
	(void)state;
	text_is("\xed\xa0\x80", FFFD FFFD FFFD);        /* U+D800 */
	text_is("\xed\xbf\xbf", FFFD FFFD FFFD);        /* U+DFFF */
}

static void test_text_bad_utf8_above_max(void **state)
{
	(void)state;
	text_is("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD);   /* U+110000 */
	text_is("\xf5\x80\x80\x80", FFFD FFFD FFFD FFFD);
	text_is("\xff\xfe", FFFD FFFD);
}

static void test_text_bad_utf8_truncated_is_one_fffd(void **state)
{
	(void)state;
	/* A cut sequence is one maximal subpart: one U+FFFD, then go on. */
	text_is("\xe2\x82" "A", FFFD "A");
	text_is("\xf0\x9f\x98" "<", FFFD "&lt;");
	text_is("x\xc3", "x" FFFD);
}

static void test_textn_cut_inside_sequence(void **state)
{
	/* n stops in the middle of "€": never read past n (each cut lives in
	 * its own allocation, so ASan sees any over-read), replace the rest. */
	char *two = malloc(2), *one = malloc(1);

	(void)state;
	assert_true(two && one);
	memcpy(two, "\xe2\x82", 2);
	memcpy(one, "\xe2", 1);
	textn_is(two, 2, FFFD);
	textn_is(one, 1, FFFD);
	memcpy(two, "a\xf0", 2);
	textn_is(two, 2, "a" FFFD);
	free(two);
	free(one);
}

static void test_utf8_len_valid(void **state)
{
	(void)state;
	assert_int_equal(html_utf8_len("a", 1, NULL), 1);
	assert_int_equal(html_utf8_len("\xc3\xa9", 2, NULL), 2);
	assert_int_equal(html_utf8_len("\xe2\x82\xac", 3, NULL), 3);
	assert_int_equal(html_utf8_len("\xf0\x9f\x98\x80", 4, NULL), 4);
}

static void test_utf8_len_bad_subparts(void **state)
{
	size_t bad = 99;

	(void)state;
	assert_int_equal(html_utf8_len("\x80", 1, &bad), 0);
	assert_int_equal(bad, 1);
	assert_int_equal(html_utf8_len("\xe2\x82" "A", 3, &bad), 0);
	assert_int_equal(bad, 2);
	assert_int_equal(html_utf8_len("\xf0\x9f\x98\x80", 3, &bad), 0);
	assert_int_equal(bad, 3);
	assert_int_equal(html_utf8_len("\xe0\x9f\x80", 3, &bad), 0);
	assert_int_equal(bad, 1);
	assert_int_equal(html_utf8_len("\xed\xa0\x80", 3, &bad), 0);
	assert_int_equal(bad, 1);
	assert_int_equal(html_utf8_len("\xf4\x90\x80\x80", 4, &bad), 0);
	assert_int_equal(bad, 1);
}

/* ---- textf and int --------------------------------------------------- */

static void test_textf_formats_then_escapes(void **state)
{
	struct buf b;
	struct html h;

	(void)state;
	buf_init(&b, 0);
	html_init(&h, &b);
	html_textf(&h, "%s & %d of %zu", "<b>", 3, (size_t)12);
	assert_int_equal(html_finish(&h), 0);
	assert_string_equal(b.data, "&lt;b&gt; &amp; 3 of 12");
	buf_free(&b);
}

static void test_textf_too_long_fails(void **state)
{
	char big[HTML_TEXTF_MAX + 1];
	struct buf b;
	struct html h;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_init(&b, 0);
	html_init(&h, &b);
	html_textf(&h, "%s", big);
	assert_int_equal(html_finish(&h), -1);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static void test_int_values(void **state)
{
	struct buf b;
	struct html h;

	(void)state;
	buf_init(&b, 0);
	html_init(&h, &b);
	html_int(&h, 0);
	html_text(&h, " ");
	html_int(&h, -42);
	html_text(&h, " ");
	html_int(&h, LLONG_MAX);
	html_text(&h, " ");
	html_int(&h, LLONG_MIN);
	assert_int_equal(html_finish(&h), 0);
	assert_string_equal(b.data, "0 -42 9223372036854775807 -9223372036854775808");
	buf_free(&b);
}

/* ---- attributes ------------------------------------------------------ */

static void test_attr_plain(void **state)
{
	(void)state;
	attr_is("Dana Ruiz", "<p title=\"Dana Ruiz\"></p>");
}

static void test_attr_escapes_each_special(void **state)
{
	(void)state;
	attr_is("&", "<p title=\"&amp;\"></p>");
	attr_is("<", "<p title=\"&lt;\"></p>");
	attr_is(">", "<p title=\"&gt;\"></p>");
	attr_is("\"", "<p title=\"&quot;\"></p>");
	attr_is("'", "<p title=\"&#39;\"></p>");
}

static void test_attr_breakout_attempt(void **state)
{
	(void)state;
	attr_is("x\" onmouseover=\"alert(1)",
	        "<p title=\"x&quot; onmouseover=&quot;alert(1)\"></p>");
	attr_is("x' autofocus onfocus='y", "<p title=\"x&#39; autofocus onfocus=&#39;y\"></p>");
}

static void test_attr_bad_utf8_and_controls(void **state)
{
	(void)state;
	attr_is("a\xff" "b\x01" "c\n", "<p title=\"a" FFFD "bc\n\"></p>");
}

static void test_attr_null_value_skipped(void **state)
{
	struct buf b;
	struct html h;

	(void)state;
	buf_init(&b, 0);
	html_init(&h, &b);
	html_open(&h, "a", "class", NULL, "href", "/assets", "title", NULL, HTML_END);
	html_close(&h);
	assert_int_equal(html_finish(&h), 0);
	assert_string_equal(b.data, "<a href=\"/assets\"></a>");
	buf_free(&b);
}

static void test_attr_all_null_no_space(void **state)
{
	struct buf b;
	struct html h;

	(void)state;
	buf_init(&b, 0);
	html_init(&h, &b);
	html_elem(&h, "td", "x", "class", NULL, HTML_END);
	assert_int_equal(html_finish(&h), 0);
	assert_string_equal(b.data, "<td>x</td>");
	buf_free(&b);
}

static void test_attr_boolean_empty_writes_name(void **state)
{
	static const char *const names[] = {
		"checked", "required", "autofocus", "disabled", "selected",
		"hidden", "multiple", "novalidate", "readonly",
	};
	char want[64];
	struct buf b;
	struct html h;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		buf_init(&b, 0);
		html_init(&h, &b);
		html_void(&h, "input", "name", "q", names[i], "", HTML_END);
		assert_int_equal(html_finish(&h), 0);
		snprintf(want, sizeof(want), "<input name=\"q\" %s>", names[i]);
		assert_string_equal(b.data, want);
		buf_free(&b);
	}
}

static void test_attr_nonboolean_empty_kept(void **state)
{
	struct buf b;
	struct html h;

	(void)state;
	buf_init(&b, 0);
	html_init(&h, &b);
	html_void(&h, "input", "value", "", "placeholder", "", HTML_END);
	assert_int_equal(html_finish(&h), 0);
	assert_string_equal(b.data, "<input value=\"\" placeholder=\"\">");
	buf_free(&b);
}

static void test_attr_boolean_null_skipped(void **state)
{
	struct buf b;
	struct html h;
	int checked = 0;

	(void)state;
	buf_init(&b, 0);
	html_init(&h, &b);
	html_void(&h, "input", "type", "checkbox", "checked", checked ? "" : NULL, HTML_END);
	assert_int_equal(html_finish(&h), 0);
	assert_string_equal(b.data, "<input type=\"checkbox\">");
	buf_free(&b);
}

static void test_attr_names_with_digits_and_dashes(void **state)
{
	struct buf b;
	struct html h;

	(void)state;
	buf_init(&b, 0);
	html_init(&h, &b);
	html_elem(&h, "h2", "T", "data-asset-id", "7", "aria-label", "tag", HTML_END);
	assert_int_equal(html_finish(&h), 0);
	assert_string_equal(b.data, "<h2 data-asset-id=\"7\" aria-label=\"tag\">T</h2>");
	buf_free(&b);
}

/* ---- elements -------------------------------------------------------- */

static void test_doctype(void **state)
{
	struct buf b;
	struct html h;

	(void)state;
	buf_init(&b, 0);
	html_init(&h, &b);
	html_doctype(&h);
	assert_int_equal(html_finish(&h), 0);
	assert_string_equal(b.data, "<!DOCTYPE html>");
	buf_free(&b);
}

static void test_nesting_open_close(void **state)
{
	struct buf b;
	struct html h;

	(void)state;
	buf_init(&b, 0);
	html_init(&h, &b);
	assert_int_equal(html_depth(&h), 0);
	html_open(&h, "ul", "class", "list", HTML_END);
	assert_int_equal(html_depth(&h), 1);
	html_open(&h, "li", HTML_END);
	assert_int_equal(html_depth(&h), 2);
	html_text(&h, "one");
	html_close(&h);
	html_elem(&h, "li", "two", HTML_END);
	assert_int_equal(html_depth(&h), 1);
	html_close(&h);
	assert_int_equal(html_depth(&h), 0);
	assert_int_equal(html_finish(&h), 0);
	assert_string_equal(b.data, "<ul class=\"list\"><li>one</li><li>two</li></ul>");
	buf_free(&b);
}

static void test_closeto_unwinds(void **state)
{
	struct buf b;
	struct html h;
	int mark;

	(void)state;
	buf_init(&b, 0);
	html_init(&h, &b);
	html_open(&h, "main", HTML_END);
	mark = html_depth(&h);
	html_open(&h, "table", HTML_END);
	html_open(&h, "tr", HTML_END);
	html_open(&h, "td", HTML_END);
	html_text(&h, "x");
	html_closeto(&h, mark);
	assert_int_equal(html_depth(&h), 1);
	html_closeto(&h, mark);        /* already there: nothing */
	html_closeto(&h, 0);
	assert_int_equal(html_finish(&h), 0);
	assert_string_equal(b.data, "<main><table><tr><td>x</td></tr></table></main>");
	buf_free(&b);
}

static void test_nesting_to_max_depth(void **state)
{
	struct buf b;
	struct html h;
	int i;

	(void)state;
	buf_init(&b, 0);
	html_init(&h, &b);
	for (i = 0; i < HTML_DEPTH; i++)
		html_open(&h, "div", HTML_END);
	assert_int_equal(html_depth(&h), HTML_DEPTH);
	html_closeto(&h, 0);
	assert_int_equal(html_finish(&h), 0);
	assert_int_equal(b.len, (size_t)HTML_DEPTH * (strlen("<div>") + strlen("</div>")));
	buf_free(&b);
}

static void test_elem_text_and_attrs(void **state)
{
	struct buf b;
	struct html h;

	(void)state;
	buf_init(&b, 0);
	html_init(&h, &b);
	html_elem(&h, "option", "Case <7> & co", "value", "7\"", "selected", "", HTML_END);
	assert_int_equal(html_finish(&h), 0);
	assert_string_equal(b.data,
	                    "<option value=\"7&quot;\" selected>Case &lt;7&gt; &amp; co</option>");
	buf_free(&b);
}

static void test_elem_null_text(void **state)
{
	struct buf b;
	struct html h;

	(void)state;
	buf_init(&b, 0);
	html_init(&h, &b);
	html_elem(&h, "textarea", NULL, "name", "notes", HTML_END);
	assert_int_equal(html_finish(&h), 0);
	assert_string_equal(b.data, "<textarea name=\"notes\"></textarea>");
	buf_free(&b);
}

static void test_void_elements(void **state)
{
	struct buf b;
	struct html h;

	(void)state;
	buf_init(&b, 0);
	html_init(&h, &b);
	html_open(&h, "p", HTML_END);
	html_void(&h, "meta", "charset", "utf-8", HTML_END);
	html_void(&h, "br", HTML_END);
	html_void(&h, "img", "src", "/s/logo.png", "alt", "", HTML_END);
	html_void(&h, "hr", HTML_END);
	html_void(&h, "link", "rel", "stylesheet", "href", "/s/a.css", HTML_END);
	assert_int_equal(html_depth(&h), 1);
	html_close(&h);
	assert_int_equal(html_finish(&h), 0);
	assert_string_equal(b.data, "<p><meta charset=\"utf-8\"><br><img src=\"/s/logo.png\" "
	                            "alt=\"\"><hr><link rel=\"stylesheet\" href=\"/s/a.css\"></p>");
	buf_free(&b);
}

static void test_appends_to_existing_content(void **state)
{
	struct buf b;
	struct html h;

	(void)state;
	buf_init(&b, 0);
	buf_adds(&b, "HEAD|");
	html_init(&h, &b);
	html_elem(&h, "b", "x", HTML_END);
	assert_int_equal(html_finish(&h), 0);
	assert_string_equal(b.data, "HEAD|<b>x</b>");
	buf_free(&b);
}

/* ---- overflow -------------------------------------------------------- */

static void test_finish_overflow_small_cap(void **state)
{
	struct buf b;
	struct html h;

	(void)state;
	buf_init(&b, 16);
	html_init(&h, &b);
	html_open(&h, "p", "class", "too-long-for-sixteen-bytes", HTML_END);
	html_text(&h, "x");
	html_close(&h);
	assert_int_equal(html_finish(&h), -1);
	assert_true(h.failed);
	assert_true(b.len <= 16);
	buf_free(&b);
}

static void test_overflow_in_text_escape(void **state)
{
	struct buf b;
	struct html h;

	(void)state;
	buf_init(&b, 8);
	html_init(&h, &b);
	html_text(&h, "<<<");          /* 12 bytes of entities: over 8 */
	assert_int_equal(html_finish(&h), -1);
	assert_true(b.len <= 8);
	buf_free(&b);
}

static void test_overflow_stops_later_writes(void **state)
{
	struct buf b;
	struct html h;
	char copy[32];

	(void)state;
	buf_init(&b, 12);
	html_init(&h, &b);
	html_open(&h, "div", HTML_END);           /* 5 bytes: fits */
	html_text(&h, "a long text");              /* 11 more: does not */
	snprintf(copy, sizeof(copy), "%s", b.data);
	html_text(&h, "ab");                       /* would fit, must not appear */
	html_close(&h);
	assert_int_equal(html_finish(&h), -1);
	assert_string_equal(b.data, copy);
	assert_string_equal(b.data, "<div>");
	buf_free(&b);
}

static void test_exact_fit_is_not_overflow(void **state)
{
	struct buf b;
	struct html h;

	(void)state;
	buf_init(&b, 10);
	html_init(&h, &b);
	html_elem(&h, "b", "xyz", HTML_END);       /* "<b>xyz</b>" is 10 bytes */
	assert_int_equal(html_finish(&h), 0);
	assert_string_equal(b.data, "<b>xyz</b>");
	buf_free(&b);
}

/* ---- misuse asserts -------------------------------------------------- */

/*
 * Misuse is a programming bug and asserts (abort).  Run it in a child so
 * the abort can be observed; in an NDEBUG build there are no asserts and
 * the writer must instead refuse to finish.
 */
enum misuse {
	CLOSE_NOTHING_OPEN,
	TOO_DEEP,
	UPPERCASE_TAG,
	BAD_ATTR_NAME,
	OPEN_VOID,
	VOID_NONVOID,
	FINISH_WITH_OPEN,
	CLOSETO_ABOVE,
};

static int misuse_run(enum misuse m)
{
	struct buf b;
	struct html h;
	int i, r = 0;

	buf_init(&b, 0);
	html_init(&h, &b);
	switch (m) {
	case CLOSE_NOTHING_OPEN:
		html_close(&h);
		break;
	case TOO_DEEP:
		for (i = 0; i <= HTML_DEPTH; i++)
			html_open(&h, "div", HTML_END);
		html_closeto(&h, 0);
		break;
	case UPPERCASE_TAG:
		html_elem(&h, "DIV", NULL, HTML_END);
		break;
	case BAD_ATTR_NAME:
		html_elem(&h, "div", NULL, "on click", "x", HTML_END);
		break;
	case OPEN_VOID:
		html_open(&h, "input", HTML_END);
		html_close(&h);
		break;
	case VOID_NONVOID:
		html_void(&h, "div", HTML_END);
		break;
	case FINISH_WITH_OPEN:
		html_open(&h, "div", HTML_END);
		r = html_finish(&h);
		buf_free(&b);
		return r;
	case CLOSETO_ABOVE:
		html_closeto(&h, 1);
		break;
	}
	r = html_finish(&h);
	buf_free(&b);
	return r;
}

static void misuse_is_caught(enum misuse m)
{
#ifdef NDEBUG
	/* Without asserts the writer fails the page instead. */
	assert_int_equal(misuse_run(m), -1);
#else
	pid_t pid;
	int status, fd;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* The assert message is expected: keep the test output clean. */
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 2);
		misuse_run(m);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
#endif
}

static void test_bad_close_with_nothing_open(void **state)
{
	(void)state;
	misuse_is_caught(CLOSE_NOTHING_OPEN);
}

static void test_bad_depth_over_max(void **state)
{
	(void)state;
	misuse_is_caught(TOO_DEEP);
}

static void test_bad_uppercase_tag(void **state)
{
	(void)state;
	misuse_is_caught(UPPERCASE_TAG);
}

static void test_bad_attribute_name(void **state)
{
	(void)state;
	misuse_is_caught(BAD_ATTR_NAME);
}

static void test_bad_open_of_void_element(void **state)
{
	(void)state;
	misuse_is_caught(OPEN_VOID);
}

static void test_bad_void_of_normal_element(void **state)
{
	(void)state;
	misuse_is_caught(VOID_NONVOID);
}

static void test_bad_finish_with_open_element(void **state)
{
	(void)state;
	misuse_is_caught(FINISH_WITH_OPEN);
}

static void test_bad_closeto_above_depth(void **state)
{
	(void)state;
	misuse_is_caught(CLOSETO_ABOVE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_plain_unchanged),
		cmocka_unit_test(test_text_escapes_amp),
		cmocka_unit_test(test_text_escapes_lt),
		cmocka_unit_test(test_text_escapes_gt),
		cmocka_unit_test(test_text_escapes_double_quote),
		cmocka_unit_test(test_text_escapes_single_quote),
		cmocka_unit_test(test_text_escapes_all_together),
		cmocka_unit_test(test_text_null_writes_nothing),
		cmocka_unit_test(test_text_keeps_newline_and_tab),
		cmocka_unit_test(test_text_drops_c0_controls),
		cmocka_unit_test(test_text_drops_del),
		cmocka_unit_test(test_text_drops_c1_controls),
		cmocka_unit_test(test_textn_drops_nul_keeps_rest),
		cmocka_unit_test(test_textn_writes_only_n_bytes),
		cmocka_unit_test(test_text_valid_utf8_kept),
		cmocka_unit_test(test_text_bad_utf8_stray_continuation),
		cmocka_unit_test(test_text_bad_utf8_overlong),
		cmocka_unit_test(test_text_bad_utf8_overlong_lt_not_smuggled),
		cmocka_unit_test(test_text_bad_utf8_surrogate),
		cmocka_unit_test(test_text_bad_utf8_above_max),
		cmocka_unit_test(test_text_bad_utf8_truncated_is_one_fffd),
		cmocka_unit_test(test_textn_cut_inside_sequence),
		cmocka_unit_test(test_utf8_len_valid),
		cmocka_unit_test(test_utf8_len_bad_subparts),
		cmocka_unit_test(test_textf_formats_then_escapes),
		cmocka_unit_test(test_textf_too_long_fails),
		cmocka_unit_test(test_int_values),
		cmocka_unit_test(test_attr_plain),
		cmocka_unit_test(test_attr_escapes_each_special),
		cmocka_unit_test(test_attr_breakout_attempt),
		cmocka_unit_test(test_attr_bad_utf8_and_controls),
		cmocka_unit_test(test_attr_null_value_skipped),
		cmocka_unit_test(test_attr_all_null_no_space),
		cmocka_unit_test(test_attr_boolean_empty_writes_name),
		cmocka_unit_test(test_attr_nonboolean_empty_kept),
		cmocka_unit_test(test_attr_boolean_null_skipped),
		cmocka_unit_test(test_attr_names_with_digits_and_dashes),
		cmocka_unit_test(test_doctype),
		cmocka_unit_test(test_nesting_open_close),
		cmocka_unit_test(test_closeto_unwinds),
		cmocka_unit_test(test_nesting_to_max_depth),
		cmocka_unit_test(test_elem_text_and_attrs),
		cmocka_unit_test(test_elem_null_text),
		cmocka_unit_test(test_void_elements),
		cmocka_unit_test(test_appends_to_existing_content),
		cmocka_unit_test(test_finish_overflow_small_cap),
		cmocka_unit_test(test_overflow_in_text_escape),
		cmocka_unit_test(test_overflow_stops_later_writes),
		cmocka_unit_test(test_exact_fit_is_not_overflow),
		cmocka_unit_test(test_bad_close_with_nothing_open),
		cmocka_unit_test(test_bad_depth_over_max),
		cmocka_unit_test(test_bad_uppercase_tag),
		cmocka_unit_test(test_bad_attribute_name),
		cmocka_unit_test(test_bad_open_of_void_element),
		cmocka_unit_test(test_bad_void_of_normal_element),
		cmocka_unit_test(test_bad_finish_with_open_element),
		cmocka_unit_test(test_bad_closeto_above_depth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
