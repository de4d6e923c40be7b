/*
 * test_form.c — application/x-www-form-urlencoded parsing (web/form.h):
 * decoding, field splitting, lookups, and every refusal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/err.h"
#include "web/form.h"

/* ---- helpers --------------------------------------------------------- */

/* Parse `len` bytes that must be accepted; fails the test with the reason. */
static void parse_okn(const char *body, size_t len, size_t max, struct form *out)
{
	char why[AT_MSG_MAX] = "";
	enum at_code rc = form_parse(body, len, max, out, why);

	if (rc != AT_OK)
		fail_msg("form \"%.*s\" refused (%s): %s", (int)len, body, at_code_name(rc), why);
	assert_string_equal(why, "");
}

static void parse_ok(const char *body, struct form *out)
{
	parse_okn(body, strlen(body), FORM_MAX_FIELDS, out);
}

/* Parse `len` bytes that must be refused with `code` and a reason. */
static void parse_badn(const char *body, size_t len, size_t max, enum at_code code)
{
	char why[AT_MSG_MAX] = "";
	/* Garbage in `out` first: a refusal must leave it empty regardless. */
	struct form out = { (struct form_field *)&out, 42 };
	enum at_code rc = form_parse(body, len, max, &out, why);

	if (rc != code)
		fail_msg("form \"%.*s\": got %s, want %s (%s)", (int)len, body, at_code_name(rc),
		         at_code_name(code), why);
	assert_null(out.f);
	assert_int_equal(out.n, 0);
	assert_true(why[0] != '\0');
}

static void parse_bad(const char *body)
{
	parse_badn(body, strlen(body), FORM_MAX_FIELDS, AT_MALFORMED);
}

/* The only field of `body` decodes to name `n`, value `v`. */
static void one_field(const char *body, const char *n, const char *v)
{
	struct form f;

	parse_ok(body, &f);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.f[0].name, n);
	assert_string_equal(f.f[0].value, v);
	form_free(&f);
}

/* ---- accepted forms -------------------------------------------------- */

static void test_empty_body(void **state)
{
	struct form f = { (struct form_field *)&f, 9 };

	(void)state;
	parse_okn(NULL, 0, FORM_MAX_FIELDS, &f);
	assert_null(f.f);
	assert_int_equal(f.n, 0);
	assert_null(form_get(&f, "a"));
	form_free(&f);
}

static void test_only_separators(void **state)
{
	struct form f;

	(void)state;
	parse_ok("&&&", &f);
	assert_int_equal(f.n, 0);
	assert_null(f.f);
	form_free(&f);
}

static void test_single_field(void **state)
{
	(void)state;
	one_field("tag=AT-0001", "tag", "AT-0001");
}

static void test_fields_in_order(void **state)
{
	struct form f;

	(void)state;
	parse_ok("tag=AT-0001&case=PELI-07&slot=12", &f);
	assert_int_equal(f.n, 3);
	assert_string_equal(f.f[0].name, "tag");
	assert_string_equal(f.f[1].name, "case");
	assert_string_equal(f.f[2].name, "slot");
	assert_string_equal(form_get(&f, "case"), "PELI-07");
	assert_string_equal(form_get(&f, "slot"), "12");
	form_free(&f);
}

static void test_plus_is_space(void **state)
{
	(void)state;
	one_field("name=Dana+Ruiz", "name", "Dana Ruiz");
	one_field("a+b=++", "a b", "  ");
}

static void test_encoded_plus_stays_plus(void **state)
{
	(void)state;
	one_field("q=1%2B1", "q", "1+1");
}

static void test_percent_hex_decoded(void **state)
{
	(void)state;
	one_field("q=%41%62%7e", "q", "Ab~");
	one_field("q=%3c%3C", "q", "<<");
	one_field("%61=1", "a", "1");
}

static void test_encoded_separators_are_data(void **state)
{
	(void)state;
	one_field("q=a%26b%3Dc", "q", "a&b=c");
	one_field("a%3Db=c", "a=b", "c");
}

static void test_value_may_contain_equals(void **state)
{
	(void)state;
	one_field("q=a=b=c", "q", "a=b=c");
}

static void test_utf8_decoded(void **state)
{
	(void)state;
	one_field("n=caf%C3%A9", "n", "caf\xc3\xa9");
	one_field("n=%E2%82%AC", "n", "\xe2\x82\xac");
	one_field("n=%F0%9F%98%80", "n", "\xf0\x9f\x98\x80");
	one_field("n=%F4%8F%BF%BF", "n", "\xf4\x8f\xbf\xbf");   /* U+10FFFF */
	one_field("n=caf\xc3\xa9", "n", "caf\xc3\xa9");          /* raw is fine too */
}

static void test_controls_are_not_the_parsers_business(void **state)
{
	(void)state;
	/* Field validators (text_clean_field) decide about these. */
	one_field("notes=a%0D%0Ab%09", "notes", "a\r\nb\t");
}

static void test_field_without_equals(void **state)
{
	struct form f;

	(void)state;
	parse_ok("confirm&tag=AT-1&flag", &f);
	assert_int_equal(f.n, 3);
	assert_string_equal(f.f[0].name, "confirm");
	assert_string_equal(f.f[0].value, "");
	assert_string_equal(form_get(&f, "flag"), "");
	form_free(&f);
}

static void test_empty_value(void **state)
{
	(void)state;
	one_field("notes=", "notes", "");
}

static void test_empty_fields_skipped(void **state)
{
	struct form f;

	(void)state;
	parse_ok("&a=1&&b=2&", &f);
	assert_int_equal(f.n, 2);
	assert_string_equal(form_get(&f, "a"), "1");
	assert_string_equal(form_get(&f, "b"), "2");
	form_free(&f);
}

static void test_only_len_bytes_read(void **state)
{
	struct form f;

	(void)state;
	parse_okn("a=1&b=2", 3, FORM_MAX_FIELDS, &f);
	assert_int_equal(f.n, 1);
	assert_string_equal(form_get(&f, "a"), "1");
	assert_null(form_get(&f, "b"));
	form_free(&f);
}

static void test_not_nul_terminated_body(void **state)
{
	char body[5] = { 'a', '=', '%', '4', '1' };   /* no NUL after it */
	struct form f;

	(void)state;
	parse_okn(body, sizeof(body), FORM_MAX_FIELDS, &f);
	assert_string_equal(form_get(&f, "a"), "A");
	form_free(&f);
}

/* ---- lookups --------------------------------------------------------- */

static void test_get_missing_is_null(void **state)
{
	struct form f;

	(void)state;
	parse_ok("a=1", &f);
	assert_null(form_get(&f, "b"));
	assert_null(form_get(&f, "A"));
	assert_null(form_get(&f, ""));
	form_free(&f);
}

static void test_get_returns_first(void **state)
{
	struct form f;

	(void)state;
	parse_ok("tag=one&x=y&tag=two", &f);
	assert_string_equal(form_get(&f, "tag"), "one");
	form_free(&f);
}

static void test_get_all_multiple_values(void **state)
{
	const char *vals[8];
	struct form f;

	(void)state;
	parse_ok("tag=A&case=C&tag=B&tag=&tag=D", &f);
	assert_int_equal(form_get_all(&f, "tag", vals, 8), 4);
	assert_string_equal(vals[0], "A");
	assert_string_equal(vals[1], "B");
	assert_string_equal(vals[2], "");
	assert_string_equal(vals[3], "D");
	assert_int_equal(form_get_all(&f, "case", vals, 8), 1);
	assert_int_equal(form_get_all(&f, "none", vals, 8), 0);
	form_free(&f);
}

static void test_get_all_respects_max(void **state)
{
	const char *vals[2] = { NULL, NULL };
	struct form f;

	(void)state;
	parse_ok("t=1&t=2&t=3", &f);
	assert_int_equal(form_get_all(&f, "t", vals, 2), 2);
	assert_string_equal(vals[0], "1");
	assert_string_equal(vals[1], "2");
	assert_int_equal(form_get_all(&f, "t", vals, 0), 0);
	form_free(&f);
}

static void test_free_twice_is_safe(void **state)
{
	struct form f;

	(void)state;
	parse_ok("a=1", &f);
	form_free(&f);
	form_free(&f);
	assert_null(f.f);
	assert_int_equal(f.n, 0);
}

/* ---- field count ----------------------------------------------------- */

static void test_max_fields_exact_ok(void **state)
{
	struct form f;

	(void)state;
	parse_okn("a=1&b=2&c=3", 11, 3, &f);
	assert_int_equal(f.n, 3);
	form_free(&f);
}

static void test_bad_too_many_fields(void **state)
{
	(void)state;
	parse_badn("a=1&b=2&c=3&d", 13, 3, AT_TOO_LARGE);
	parse_badn("a", 1, 0, AT_TOO_LARGE);
}

static void test_empty_fields_do_not_count(void **state)
{
	struct form f;

	(void)state;
	parse_okn("a=1&&&&b=2&", 11, 2, &f);
	assert_int_equal(f.n, 2);
	form_free(&f);
}

/* A 1,000-line batch plus its other fields fits; one more field does not. */
static void test_form_max_fields_limit(void **state)
{
	struct buf b;
	struct form f;
	size_t i;

	(void)state;
	buf_init(&b, 0);
	for (i = 0; i < FORM_MAX_FIELDS; i++)
		assert_int_equal(buf_printf(&b, "%sline=AT-%04zu", i ? "&" : "", i), 0);
	parse_okn(b.data, b.len, FORM_MAX_FIELDS, &f);
	assert_int_equal(f.n, FORM_MAX_FIELDS);
	{
		char last[16];
		snprintf(last, sizeof(last), "AT-%04d", FORM_MAX_FIELDS - 1);
		assert_string_equal(f.f[FORM_MAX_FIELDS - 1].value, last);
	}
	form_free(&f);
	assert_int_equal(buf_adds(&b, "&x"), 0);
	parse_badn(b.data, b.len, FORM_MAX_FIELDS, AT_TOO_LARGE);
	buf_free(&b);
}

/* ---- refused: escapes ------------------------------------------------ */

static void test_bad_escape_non_hex(void **state)
{
	(void)state;
	parse_bad("q=%G1");
	parse_bad("q=%1G");
	parse_bad("q=%zz");
	parse_bad("q=% 1");
	parse_bad("%G1=x");
}

static void test_bad_escape_trailing_percent(void **state)
{
	(void)state;
	parse_bad("q=%");
	parse_bad("q%");
	parse_bad("q=100%&r=1");
}

static void test_bad_escape_one_digit(void **state)
{
	(void)state;
	parse_bad("q=%4");
	parse_bad("q=%4&r=1");
	parse_bad("q%4=1");
}

static void test_bad_escape_at_end_of_unterminated_body(void **state)
{
	/* Exactly "q=%4" in its own allocation: reading past it is caught
	 * by ASan, and the missing digit must not come from beyond `len`. */
	char *body = malloc(4);

	(void)state;
	assert_non_null(body);
	memcpy(body, "q=%4", 4);
	parse_badn(body, 4, FORM_MAX_FIELDS, AT_MALFORMED);
	memcpy(body, "q=%", 3);
	parse_badn(body, 3, FORM_MAX_FIELDS, AT_MALFORMED);
	free(body);
}

static void test_bad_escape_not_rescanned(void **state)
{
	(void)state;
	/* "%%41" is a bad escape, not '%' followed by "%41". */
	parse_bad("q=%%41");
}

static void test_bad_escape_message_says_where(void **state)
{
	char why[AT_MSG_MAX] = "";
	struct form f;

	(void)state;
	assert_int_equal(form_parse("a=1&b=%G1", 9, FORM_MAX_FIELDS, &f, why), AT_MALFORMED);
	assert_non_null(strstr(why, "field 2"));
	assert_non_null(strstr(why, "byte 7"));
}

/* ---- refused: NUL ---------------------------------------------------- */

static void test_bad_encoded_nul(void **state)
{
	(void)state;
	parse_bad("q=a%00b");
	parse_bad("q%00=1");
}

static void test_bad_raw_nul(void **state)
{
	(void)state;
	parse_badn("q=a\0b", 5, FORM_MAX_FIELDS, AT_MALFORMED);
	parse_badn("\0=1", 3, FORM_MAX_FIELDS, AT_MALFORMED);
	parse_badn("a=1&\0", 5, FORM_MAX_FIELDS, AT_MALFORMED);
}

/* ---- refused: UTF-8 -------------------------------------------------- */

static void test_bad_utf8_overlong(void **state)
{
	(void)state;
	parse_bad("q=%C0%AF");              /* '/' in 2 bytes */
	parse_bad("q=%C1%BF");
	parse_bad("q=%E0%80%AF");           /* '/' in 3 bytes */
	parse_bad("q=%F0%80%80%AF");        /* '/' in 4 bytes */
	parse_bad("q=%C0%80");              /* "modified UTF-8" NUL */
}

static void test_bad_utf8_surrogate(void **state)
{
	(void)state;
	parse_bad("q=%ED%A0%80");           /* U+D800 */
	parse_bad("q=%ED%BF%BF");           /* U+DFFF */
	parse_bad("q=%ED%A0%BD%ED%B8%80");  /* CESU-8 pair */
}

static void test_bad_utf8_stray_continuation(void **state)
{
	(void)state;
	parse_bad("q=%80");
	parse_bad("q=a%BFb");
}

static void test_bad_utf8_above_max(void **state)
{
	(void)state;
	parse_bad("q=%F4%90%80%80");        /* U+110000 */
	parse_bad("q=%F5%80%80%80");
	parse_bad("q=%FF");
}

static void test_bad_utf8_truncated(void **state)
{
	(void)state;
	parse_bad("q=%E2%82");
	parse_bad("q=%E2%82&r=%AC");        /* a sequence does not span fields */
	parse_bad("q=%C3");
}

static void test_bad_utf8_raw_bytes(void **state)
{
	(void)state;
	parse_bad("q=caf\xe9");             /* Latin-1 é */
	parse_bad("q=\xff");
}

static void test_bad_utf8_in_name(void **state)
{
	(void)state;
	parse_bad("%C0%AF=1");
	parse_bad("%ED%A0%80");
}

static void test_bad_utf8_message_names_field(void **state)
{
	char why[AT_MSG_MAX] = "";
	struct form f;

	(void)state;
	assert_int_equal(form_parse("notes=%FF", 9, FORM_MAX_FIELDS, &f, why), AT_MALFORMED);
	assert_non_null(strstr(why, "\"notes\""));
	assert_non_null(strstr(why, "UTF-8"));
}

/* ---- refused: names -------------------------------------------------- */

static void test_bad_empty_name(void **state)
{
	(void)state;
	parse_bad("=x");
	parse_bad("=");
	parse_bad("a=1&=2");
	parse_bad("a=1&=");
}

static void test_refusal_after_good_fields_frees(void **state)
{
	(void)state;
	/* Fields decoded before the bad one must not leak (ASan checks). */
	parse_bad("a=1&b=2&c=3&d=%G");
}

static void test_why_may_be_null(void **state)
{
	struct form f;

	(void)state;
	assert_int_equal(form_parse("q=%", 3, FORM_MAX_FIELDS, &f, NULL), AT_MALFORMED);
	assert_int_equal(form_parse("a&b", 3, 1, &f, NULL), AT_TOO_LARGE);
	assert_int_equal(form_parse("a", 1, 1, &f, NULL), AT_OK);
	form_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_body),
		cmocka_unit_test(test_only_separators),
		cmocka_unit_test(test_single_field),
		cmocka_unit_test(test_fields_in_order),
		cmocka_unit_test(test_plus_is_space),
		cmocka_unit_test(test_encoded_plus_stays_plus),
		cmocka_unit_test(test_percent_hex_decoded),
		cmocka_unit_test(test_encoded_separators_are_data),
		cmocka_unit_test(test_value_may_contain_equals),
		cmocka_unit_test(test_utf8_decoded),
		cmocka_unit_test(test_controls_are_not_the_parsers_business),
		cmocka_unit_test(test_field_without_equals),
		cmocka_unit_test(test_empty_value),
		cmocka_unit_test(test_empty_fields_skipped),
		cmocka_unit_test(test_only_len_bytes_read),
		cmocka_unit_test(test_not_nul_terminated_body),
		cmocka_unit_test(test_get_missing_is_null),
		cmocka_unit_test(test_get_returns_first),
		cmocka_unit_test(test_get_all_multiple_values),
		cmocka_unit_test(test_get_all_respects_max),
		cmocka_unit_test(test_free_twice_is_safe),
		cmocka_unit_test(test_max_fields_exact_ok),
		cmocka_unit_test(test_bad_too_many_fields),
		cmocka_unit_test(test_empty_fields_do_not_count),
		cmocka_unit_test(test_form_max_fields_limit),
		cmocka_unit_test(test_bad_escape_non_hex),
		cmocka_unit_test(test_bad_escape_trailing_percent),
		cmocka_unit_test(test_bad_escape_one_digit),
		cmocka_unit_test(test_bad_escape_at_end_of_unterminated_body),
		cmocka_unit_test(test_bad_escape_not_rescanned),
		cmocka_unit_test(test_bad_escape_message_says_where),
		cmocka_unit_test(test_bad_encoded_nul),
		cmocka_unit_test(test_bad_raw_nul),
		cmocka_unit_test(test_bad_utf8_overlong),
		cmocka_unit_test(test_bad_utf8_surrogate),
		cmocka_unit_test(test_bad_utf8_stray_continuation),
		cmocka_unit_test(test_bad_utf8_above_max),
		cmocka_unit_test(test_bad_utf8_truncated),
		cmocka_unit_test(test_bad_utf8_raw_bytes),
		cmocka_unit_test(test_bad_utf8_in_name),
		cmocka_unit_test(test_bad_utf8_message_names_field),
		cmocka_unit_test(test_bad_empty_name),
		cmocka_unit_test(test_refusal_after_good_fields_frees),
		cmocka_unit_test(test_why_may_be_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
