/*
 * test_text.c — scanner cleaning, tag syntax, match keys, free-text
 * fields, dates, times and integers (util/text.h, SPEC §2, §4).
 */
#include "testlib.h"

#include <string.h>

/* ---- scanner cleaning ------------------------------------------------ */

static void scan_ok(const char *in, const char *want)
{
	char out[AT_INPUT_MAX], why[AT_WHY_MAX] = "";

	if (text_clean_scan(in, out, sizeof(out), why) != 0)
		fail_msg("scan of \"%s\" refused: %s", want, why);
	assert_string_equal(out, want);
}

static void scan_bad(const char *in)
{
	char out[AT_INPUT_MAX], why[AT_WHY_MAX] = "";

	assert_int_equal(text_clean_scan(in, out, sizeof(out), why), -1);
	assert_true(why[0] != '\0');
}

static void test_scan_trailing_crlf(void **state)
{
	(void)state;
	scan_ok("AT-0001\r\n", "AT-0001");
	scan_ok("AT-0001\n", "AT-0001");
	scan_ok("AT-0001\r", "AT-0001");
}

static void test_scan_trailing_tab(void **state)
{
	(void)state;
	scan_ok("AT-0001\t", "AT-0001");
	scan_ok("\tAT-0001\t", "AT-0001");
}

static void test_scan_surrounding_spaces(void **state)
{
	(void)state;
	scan_ok("   AT-0001   ", "AT-0001");
}

static void test_scan_leading_control_stripped(void **state)
{
	(void)state;
	/* Some scanners send STX/ETX or other prefixes/suffixes. */
	scan_ok("\x02" "AT-0001\x03", "AT-0001");
	scan_ok("\x1b\x1b" "AT-0001\r\n", "AT-0001");
	scan_ok("\x7f" "AT-0001\x7f", "AT-0001");
}

static void test_scan_plain_unchanged(void **state)
{
	(void)state;
	scan_ok("AT-0001", "AT-0001");
	scan_ok("PELI-07/12", "PELI-07/12");
}

static void test_scan_bad_inner_control(void **state)
{
	(void)state;
	scan_bad("AT\x01-0001");
	scan_bad("AT-00\t01");
	scan_bad("AT\r\n0001");
	scan_bad("AT-0001\x1b" "X");
}

static void test_scan_bad_inner_del(void **state)
{
	(void)state;
	scan_bad("AT\x7f" "0001");
}

static void test_scan_bad_high_byte(void **state)
{
	(void)state;
	scan_bad("AT-0\x80" "01");
	scan_bad("AT-\xc3\xa9" "01");      /* é: valid UTF-8, still not a scan */
	scan_bad("\xff" "AT-0001");        /* high byte is not strippable */
	scan_bad("AT-0001\xa0");
}

static void test_scan_bad_too_long_for_buffer(void **state)
{
	char out[8], why[AT_WHY_MAX] = "";

	(void)state;
	assert_int_equal(text_clean_scan("ABCDEFGH", out, sizeof(out), why), -1);
	assert_int_equal(text_clean_scan("ABCDEFG\r\n", out, sizeof(out), why), 0);
	assert_string_equal(out, "ABCDEFG");
}

/* ---- tag syntax ------------------------------------------------------- */

static void tag_ok(const char *t)
{
	char why[AT_WHY_MAX] = "";

	if (text_valid_tag(t, why) != 0)
		fail_msg("tag \"%s\" refused: %s", t, why);
}

static void tag_bad(const char *t)
{
	char why[AT_WHY_MAX] = "";

	if (text_valid_tag(t, why) != -1)
		fail_msg("tag \"%s\" accepted", t);
	assert_true(why[0] != '\0');
}

static void test_tag_ok_forms(void **state)
{
	(void)state;
	tag_ok("AT-0001");
	tag_ok("a");
	tag_ok("7");
	tag_ok("a.b_c-D9");
	tag_ok("0-_.");
}

static void test_tag_64_ok_65_refused(void **state)
{
	char t[70];

	(void)state;
	memset(t, 'A', 64);
	t[64] = '\0';
	tag_ok(t);
	t[64] = 'A';
	t[65] = '\0';
	tag_bad(t);
}

static void test_tag_bad_empty(void **state)
{
	(void)state;
	tag_bad("");
}

static void test_tag_bad_leading_dash(void **state)
{
	(void)state;
	tag_bad("-AT0001");
	tag_bad("_AT0001");
	tag_bad(".AT0001");
}

static void test_tag_bad_slash(void **state)
{
	(void)state;
	tag_bad("PELI/12");
	tag_bad("AT0001/");
}

static void test_tag_bad_space(void **state)
{
	(void)state;
	tag_bad("AT 0001");
	tag_bad(" AT0001");
	tag_bad("AT0001 ");
}

static void test_tag_bad_other_chars(void **state)
{
	(void)state;
	tag_bad("AT:0001");
	tag_bad("AT@1");
	tag_bad("AT\x01" "1");
	tag_bad("AT-\xc3\xa9");
	tag_bad("AT%1");
}

/* ---- match keys ------------------------------------------------------- */

static void key_is(const char *tag, const char *want)
{
	char out[AT_TAG_MAX + 1];

	assert_int_equal(text_match_key(tag, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void test_match_key_forms(void **state)
{
	(void)state;
	key_is("at-0001", "AT0001");
	key_is("AT-0001", "AT0001");
	key_is("AT0001", "AT0001");
	key_is("a-t-0-0-0-1", "AT0001");
	key_is("A T-1", "AT1");
	key_is("ab_c.d", "AB_C.D");   /* only '-' and ' ' are removed */
	key_is("---", "");
}

static void test_match_key_cap(void **state)
{
	char out[7];

	(void)state;
	assert_int_equal(text_match_key("at-0001", out, sizeof(out)), 0); /* 6 + NUL */
	assert_string_equal(out, "AT0001");
	assert_int_equal(text_match_key("at-00012", out, sizeof(out)), -1);
	assert_int_equal(text_match_key("x", out, 0), -1);
}

/* ---- free-text fields ------------------------------------------------- */

static int field(const char *in, char *out, size_t max, int required, int multiline)
{
	char why[AT_WHY_MAX] = "";
	int r = text_clean_field(in, out, AT_NOTES_MAX + 1, max, required, multiline, "notes", why);

	if (r != 0)
		assert_true(why[0] != '\0');
	return r;
}

static void test_field_trims(void **state)
{
	char out[AT_NOTES_MAX + 1];

	(void)state;
	assert_int_equal(field("  Acme Corp \t\r\n", out, 128, 1, 0), 0);
	assert_string_equal(out, "Acme Corp");
}

static void test_field_bad_required_empty(void **state)
{
	char out[AT_NOTES_MAX + 1], why[AT_WHY_MAX] = "";

	(void)state;
	assert_int_equal(field("", out, 128, 1, 0), -1);
	assert_int_equal(field("   \t ", out, 128, 1, 0), -1);
	assert_int_equal(text_clean_field("", out, sizeof(out), 128, 1, 0, "manufacturer", why),
	                 -1);
	assert_true(t_contains_ci(why, "manufacturer"));
}

static void test_field_optional_empty_ok(void **state)
{
	char out[AT_NOTES_MAX + 1];

	(void)state;
	assert_int_equal(field("", out, 128, 0, 0), 0);
	assert_string_equal(out, "");
	assert_int_equal(field("  ", out, 128, 0, 0), 0);
	assert_string_equal(out, "");
}

static void test_field_bad_control_chars(void **state)
{
	char out[AT_NOTES_MAX + 1];

	(void)state;
	assert_int_equal(field("a\x01" "b", out, 128, 1, 0), -1);
	assert_int_equal(field("a\x1b" "b", out, 128, 1, 0), -1);
	assert_int_equal(field("a\x7f" "b", out, 128, 1, 0), -1);
	assert_int_equal(field("a\tb", out, 128, 1, 0), -1);
	assert_int_equal(field("a\nb", out, 128, 1, 0), -1);
	/* multiline allows tab and newline inside, but not other controls */
	assert_int_equal(field("a\tb\nc", out, 128, 1, 1), 0);
	assert_string_equal(out, "a\tb\nc");
	assert_int_equal(field("a\nb\x01", out, 128, 1, 1), -1);
}

static void test_field_bad_utf8(void **state)
{
	char out[AT_NOTES_MAX + 1];

	(void)state;
	assert_int_equal(field("M\xc3\xbcller", out, 128, 1, 0), 0);   /* ü */
	assert_string_equal(out, "M\xc3\xbcller");
	assert_int_equal(field("\xe2\x82\xac 5", out, 128, 1, 0), 0);   /* € */
	assert_int_equal(field("\xf0\x9f\x93\xa6", out, 128, 1, 0), 0); /* 4-byte */
	assert_int_equal(field("M\xc3", out, 128, 1, 0), -1);           /* truncated */
	assert_int_equal(field("M\xc3x", out, 128, 1, 0), -1);          /* bad continuation */
	assert_int_equal(field("\xc0\xaf", out, 128, 1, 0), -1);        /* overlong '/' */
	assert_int_equal(field("\xe0\x80\xaf", out, 128, 1, 0), -1);    /* overlong */
	assert_int_equal(field("\xed\xa0\x80", out, 128, 1, 0), -1);    /* surrogate */
	assert_int_equal(field("\xf4\x90\x80\x80", out, 128, 1, 0), -1); /* > U+10FFFF */
	assert_int_equal(field("\xff", out, 128, 1, 0), -1);
	assert_int_equal(field("\x80" "abc", out, 128, 1, 0), -1);
}

static void test_field_max_length(void **state)
{
	char out[AT_NOTES_MAX + 1];

	(void)state;
	assert_int_equal(field("abcde", out, 5, 1, 0), 0);
	assert_int_equal(field("abcdef", out, 5, 1, 0), -1);
	/* length counts after trimming */
	assert_int_equal(field("   abcde   ", out, 5, 1, 0), 0);
	assert_string_equal(out, "abcde");
	/* bytes, not characters: "üüü" is 6 bytes */
	assert_int_equal(field("\xc3\xbc\xc3\xbc\xc3\xbc", out, 5, 1, 0), -1);
}

static void test_field_bad_small_cap(void **state)
{
	char out[4], why[AT_WHY_MAX];

	(void)state;
	/* Never writes past `cap`, even when `max` would allow more. */
	assert_int_equal(text_clean_field("abcdef", out, sizeof(out), 128, 1, 0, "x", why), -1);
	assert_int_equal(text_clean_field("abc", out, sizeof(out), 128, 1, 0, "x", why), 0);
	assert_string_equal(out, "abc");
}

/* ---- case names ------------------------------------------------------ */

static void test_case_name(void **state)
{
	char n65[70], why[AT_WHY_MAX];

	(void)state;
	assert_int_equal(text_valid_case_name("PELI-07", why), 0);
	assert_int_equal(text_valid_case_name("Case A", why), 0);
	assert_int_equal(text_valid_case_name("", why), -1);
	assert_int_equal(text_valid_case_name("A/B", why), -1);
	assert_int_equal(text_valid_case_name("A\x01", why), -1);
	memset(n65, 'C', 65);
	n65[65] = '\0';
	assert_int_equal(text_valid_case_name(n65, why), -1);
	n65[64] = '\0';
	assert_int_equal(text_valid_case_name(n65, why), 0);
}

/* ---- dates ------------------------------------------------------------ */

static void date_ok(const char *s)
{
	char why[AT_WHY_MAX] = "";

	if (text_valid_date(s, why) != 0)
		fail_msg("date %s refused: %s", s, why);
}

static void date_bad(const char *s)
{
	char why[AT_WHY_MAX] = "";

	if (text_valid_date(s, why) != -1)
		fail_msg("date \"%s\" accepted", s);
	assert_true(why[0] != '\0');
}

static void test_date_leap_years(void **state)
{
	(void)state;
	date_bad("2026-02-29");
	date_ok("2028-02-29");
	date_ok("2000-02-29");
	date_bad("2100-02-29");
	date_ok("2026-02-28");
}

static void test_date_month_lengths(void **state)
{
	(void)state;
	date_ok("2026-01-31");
	date_bad("2026-04-31");
	date_ok("2026-04-30");
	date_bad("2026-02-30");
	date_ok("2026-12-31");
	date_bad("2026-12-32");
	date_bad("2026-13-01");
	date_bad("2026-00-10");
	date_bad("2026-01-00");
}

static void test_date_bad_format(void **state)
{
	(void)state;
	date_bad("");
	date_bad("2026-2-1");
	date_bad("2026/02/01");
	date_bad("20260201");
	date_bad("2026-02-01x");
	date_bad(" 2026-02-01");
	date_bad("2026-02-01T00:00Z");
	date_bad("abcd-ef-gh");
	date_bad("-026-02-01");
}

/* ---- times ------------------------------------------------------------ */

static void time_is(const char *in, const char *want)
{
	char out[AT_TIME_LEN + 1], why[AT_WHY_MAX] = "";

	if (text_parse_time(in, out, why) != 0)
		fail_msg("time \"%s\" refused: %s", in, why);
	assert_string_equal(out, want);
}

static void time_bad(const char *in)
{
	char out[AT_TIME_LEN + 1], why[AT_WHY_MAX] = "";

	if (text_parse_time(in, out, why) != -1)
		fail_msg("time \"%s\" accepted as %s", in, out);
	assert_true(why[0] != '\0');
}

static void test_time_forms(void **state)
{
	(void)state;
	/* a date means the end of that day */
	time_is("2026-03-02", "2026-03-02T23:59:59.999Z");
	time_is("2026-03-02T10:15Z", "2026-03-02T10:15:00.000Z");
	time_is("2026-03-02T10:15:30Z", "2026-03-02T10:15:30.000Z");
	time_is("2026-03-02T10:15:30.123Z", "2026-03-02T10:15:30.123Z");
	time_is("2026-03-02T00:00:00.000Z", "2026-03-02T00:00:00.000Z");
	time_is("2026-03-02T23:59:59.999Z", "2026-03-02T23:59:59.999Z");
}

static void test_time_canonical_orders_as_string(void **state)
{
	char a[AT_TIME_LEN + 1], b[AT_TIME_LEN + 1];

	(void)state;
	assert_int_equal(text_parse_time("2026-03-02T09:00Z", a, NULL), 0);
	assert_int_equal(text_parse_time("2026-03-02T10:00Z", b, NULL), 0);
	assert_true(strcmp(a, b) < 0);
	assert_int_equal(text_parse_time("2026-03-02", b, NULL), 0);
	assert_true(strcmp(a, b) < 0);
}

static void test_time_bad(void **state)
{
	(void)state;
	time_bad("");
	time_bad("yesterday");
	time_bad("2026-02-30");
	time_bad("2026-03-02T24:00Z");
	time_bad("2026-03-02T10:60Z");
	time_bad("2026-03-02T10:15:60Z");
	time_bad("2026-03-02T10:15:30.1Z");
	time_bad("2026-03-02T10:15:30.1234Z");
	time_bad("2026-03-02X10:15Z");
	time_bad("2026-03-02T1015Z");
	time_bad("2026-03-02T10:15:30+01:00");
	time_bad("2026-03-02Tab:cdZ");
	time_bad("2026-03-02T");
}

static void test_time_fake_now(void **state)
{
	char now[AT_TIME_LEN + 1], today[11];

	(void)state;
	setenv("ASSETTRACK_FAKE_NOW", "2026-03-02T10:15:30.123Z", 1);
	text_now(now);
	text_today(today);
	unsetenv("ASSETTRACK_FAKE_NOW");
	assert_string_equal(now, "2026-03-02T10:15:30.123Z");
	assert_string_equal(today, "2026-03-02");
	text_now(now);
	assert_int_equal(strlen(now), AT_TIME_LEN);
	assert_int_equal(now[AT_TIME_LEN - 1], 'Z');
	assert_int_equal(now[10], 'T');
}

/* ---- integers --------------------------------------------------------- */

static void test_int_ok(void **state)
{
	int64_t v = 0;

	(void)state;
	assert_int_equal(text_parse_int("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(text_parse_int("0", 0, 100, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(text_parse_int("100", 0, 100, &v), 0);
	assert_int_equal(v, 100);
	assert_int_equal(text_parse_int("-5", -10, 10, &v), 0);
	assert_int_equal(v, -5);
	assert_int_equal(text_parse_int("9223372036854775807", 0, INT64_MAX, &v), 0);
	assert_true(v == INT64_MAX);
}

static void int_bad(const char *s, int64_t min, int64_t max)
{
	int64_t v = 777;

	if (text_parse_int(s, min, max, &v) != -1)
		fail_msg("integer \"%s\" accepted in [%lld, %lld]", s ? s : "(null)",
		         (long long)min, (long long)max);
	assert_int_equal(v, 777); /* untouched on refusal */
}

static void test_int_bad_bounds(void **state)
{
	(void)state;
	int_bad("101", 0, 100);
	int_bad("-1", 0, 100);
	int_bad("1001", 1, 1000);
	int_bad("0", 1, 1000);
}

static void test_int_bad_junk(void **state)
{
	(void)state;
	int_bad(NULL, 0, 100);
	int_bad("", 0, 100);
	int_bad("12abc", 0, 100);
	int_bad("abc", 0, 100);
	int_bad(" 12", 0, 100);
	int_bad("12 ", 0, 100);
	int_bad("+12", 0, 100);
	int_bad("0x10", 0, 100);
	int_bad("1.5", 0, 100);
	int_bad("1e2", 0, 1000);
	int_bad("-", -10, 10);
	int_bad("--1", -10, 10);
	int_bad("\t7", 0, 100);
}

static void test_int_bad_overflow(void **state)
{
	(void)state;
	int_bad("99999999999999999999", 0, INT64_MAX);
	int_bad("9223372036854775808", 0, INT64_MAX);
	int_bad("-9223372036854775809", INT64_MIN, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_trailing_crlf),
		cmocka_unit_test(test_scan_trailing_tab),
		cmocka_unit_test(test_scan_surrounding_spaces),
		cmocka_unit_test(test_scan_leading_control_stripped),
		cmocka_unit_test(test_scan_plain_unchanged),
		cmocka_unit_test(test_scan_bad_inner_control),
		cmocka_unit_test(test_scan_bad_inner_del),
		cmocka_unit_test(test_scan_bad_high_byte),
		cmocka_unit_test(test_scan_bad_too_long_for_buffer),
		cmocka_unit_test(test_tag_ok_forms),
		cmocka_unit_test(test_tag_64_ok_65_refused),
		cmocka_unit_test(test_tag_bad_empty),
		cmocka_unit_test(test_tag_bad_leading_dash),
		cmocka_unit_test(test_tag_bad_slash),
		cmocka_unit_test(test_tag_bad_space),
		cmocka_unit_test(test_tag_bad_other_chars),
		cmocka_unit_test(test_match_key_forms),
		cmocka_unit_test(test_match_key_cap),
		cmocka_unit_test(test_field_trims),
		cmocka_unit_test(test_field_bad_required_empty),
		cmocka_unit_test(test_field_optional_empty_ok),
		cmocka_unit_test(test_field_bad_control_chars),
		cmocka_unit_test(test_field_bad_utf8),
		cmocka_unit_test(test_field_max_length),
		cmocka_unit_test(test_field_bad_small_cap),
		cmocka_unit_test(test_case_name),
		cmocka_unit_test(test_date_leap_years),
		cmocka_unit_test(test_date_month_lengths),
		cmocka_unit_test(test_date_bad_format),
		cmocka_unit_test(test_time_forms),
		cmocka_unit_test(test_time_canonical_orders_as_string),
		cmocka_unit_test(test_time_bad),
		cmocka_unit_test(test_time_fake_now),
		cmocka_unit_test(test_int_ok),
		cmocka_unit_test(test_int_bad_bounds),
		cmocka_unit_test(test_int_bad_junk),
		cmocka_unit_test(test_int_bad_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
