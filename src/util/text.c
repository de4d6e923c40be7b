/*
 * text.c — cleaning and validation of typed and scanned input.
 */
#include "util/text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

__attribute__((format(printf, 2, 3))) static void say(char *why, const char *fmt, ...)
{
	va_list ap;

	if (!why)
		return;
	va_start(ap, fmt);
	vsnprintf(why, AT_WHY_MAX, fmt, ap);
	va_end(ap);
}

static int is_strippable(unsigned char c)
{
	return c <= 0x20 || c == 0x7f;
}

int text_clean_scan(const char *in, char *out, size_t cap, char *why)
{
	size_t start = 0, end = strlen(in), i;

	while (start < end && is_strippable((unsigned char)in[start]))
		start++;
	while (end > start && is_strippable((unsigned char)in[end - 1]))
		end--;
	for (i = start; i < end; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c < 0x20 || c >= 0x7f) {
			if (why)
				snprintf(why, AT_WHY_MAX,
				         "scan contains a non-printable byte 0x%02x at position %zu",
				         c, i - start + 1);
			return -1;
		}
	}
	if (end - start + 1 > cap) {
		say(why, "scan is too long");
		return -1;
	}
	memcpy(out, in + start, end - start);
	out[end - start] = '\0';
	return 0;
}

static int is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

int text_valid_tag(const char *tag, char *why)
{
	size_t n = strlen(tag), i;

	if (n == 0) {
		say(why, "asset tag is empty");
		return -1;
	}
	if (n > AT_TAG_MAX) {
		say(why, "asset tag is longer than 64 characters");
		return -1;
	}
	if (!is_alnum((unsigned char)tag[0])) {
		say(why, "asset tag must start with a letter or digit");
		return -1;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)tag[i];
		if (!is_alnum(c) && c != '-' && c != '_' && c != '.') {
			if (why) {
				if (c == '/')
					snprintf(why, AT_WHY_MAX,
					         "asset tag may not contain '/' (slot labels use it)");
				else if (c > 0x20 && c < 0x7f)
					snprintf(why, AT_WHY_MAX,
					         "asset tag may not contain '%c'; use letters, digits, '-', '_' or '.'",
					         c);
				else
					snprintf(why, AT_WHY_MAX,
					         "asset tag may not contain byte 0x%02x", c);
			}
			return -1;
		}
	}
	return 0;
}

int text_match_key(const char *tag, char *out, size_t cap)
{
	size_t j = 0;

	for (; *tag; tag++) {
		char c = *tag;
		if (c == '-' || c == ' ')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (j + 1 >= cap)
			return -1;
		out[j++] = c;
	}
	if (cap == 0)
		return -1;
	out[j] = '\0';
	return 0;
}

/* Length of the UTF-8 sequence starting at s, or 0 if invalid. */
static size_t utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (s[0] == 0xe0 && s[1] < 0xa0)
			return 0; /* overlong */
		if (s[0] == 0xed && s[1] >= 0xa0)
			return 0; /* surrogates */
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if (s[0] == 0xf0 && s[1] < 0x90)
			return 0;
		if (s[0] == 0xf4 && s[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

int text_clean_field(const char *in, char *out, size_t cap, size_t max, int required,
                     int multiline, const char *label, char *why)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t start = 0, end = strlen(in), i, n;

	while (start < end && (s[start] == ' ' || s[start] == '\t' || s[start] == '\r' ||
	                       s[start] == '\n'))
		start++;
	while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\r' ||
	                       s[end - 1] == '\n'))
		end--;
	if (required && end == start) {
		if (why)
			snprintf(why, AT_WHY_MAX, "%s is required", label);
		return -1;
	}
	if (end - start > max) {
		if (why)
			snprintf(why, AT_WHY_MAX, "%s is longer than %zu bytes", label, max);
		return -1;
	}
	for (i = start; i < end; i += n) {
		unsigned char c = s[i];
		if (c < 0x20 || c == 0x7f) {
			if (multiline && (c == '\n' || c == '\t' || c == '\r')) {
				n = 1;
				continue;
			}
			if (why)
				snprintf(why, AT_WHY_MAX, "%s contains control character 0x%02x",
				         label, c);
			return -1;
		}
		n = utf8_len(s + i);
		if (n == 0 || i + n > end) {
			if (why)
				snprintf(why, AT_WHY_MAX, "%s is not valid UTF-8", label);
			return -1;
		}
		if (n == 2 && c == 0xc2 && s[i + 1] <= 0x9f) {
			/* U+0080..U+009F: the C1 control characters. */
			if (why)
				snprintf(why, AT_WHY_MAX, "%s contains control character U+%04X", label,
				         (unsigned)s[i + 1]);
			return -1;
		}
	}
	if (end - start + 1 > cap) {
		if (why)
			snprintf(why, AT_WHY_MAX, "%s is too long", label);
		return -1;
	}
	memcpy(out, in + start, end - start);
	out[end - start] = '\0';
	return 0;
}

int text_valid_case_name(const char *name, char *why)
{
	size_t n = strlen(name), i;

	if (n == 0 || n > AT_NAME_MAX) {
		say(why, "case name must be 1 to 64 characters");
		return -1;
	}
	if (name[0] == ' ' || name[n - 1] == ' ') {
		say(why, "case name may not begin or end with a space");
		return -1;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c == '/') {
			say(why, "case name may not contain '/' (slot labels read CASE/POS)");
			return -1;
		}
		if (c < 0x20 || c >= 0x7f) {
			say(why, "case name may only contain printable ASCII characters");
			return -1;
		}
	}
	return 0;
}

int text_parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if (!s || !*s)
		return -1;
	if (!(*s >= '0' && *s <= '9') && *s != '-')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int text_valid_date(const char *s, char *why)
{
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || (y = digits(s, 4)) < 0 ||
	    (m = digits(s + 5, 2)) < 0 || (d = digits(s + 8, 2)) < 0 || y < 1970 || m < 1 ||
	    m > 12 || d < 1 || d > days_in_month(y, m)) {
		say(why, "'%s' is not a date; use YYYY-MM-DD", s);
		return -1;
	}
	return 0;
}

int text_parse_time(const char *s, char *out, char *why)
{
	char date[11];
	int hh = 23, mi = 59, ss = 59, ms = 999;
	size_t n = strlen(s);

	if (n < 10) {
		say(why, "'%s' is not a time; use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS[.mmm]]Z", s);
		return -1;
	}
	memcpy(date, s, 10);
	date[10] = '\0';
	if (text_valid_date(date, NULL) < 0)
		goto bad;
	if (n > 10) {
		const char *t = s + 10;
		size_t tn = n - 10;
		if (t[tn - 1] == 'Z')
			tn--;
		if ((t[0] != 'T' && t[0] != ' ') || tn < 6 || t[3] != ':')
			goto bad;
		hh = digits(t + 1, 2);
		mi = digits(t + 4, 2);
		ss = 0;
		ms = 0;
		if (tn >= 9) {
			if (t[6] != ':')
				goto bad;
			ss = digits(t + 7, 2);
			if (tn > 9) {
				if (t[9] != '.' || tn != 13)
					goto bad;
				ms = digits(t + 10, 3);
			}
		} else if (tn != 6) {
			goto bad;
		}
		if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 59 || ms < 0)
			goto bad;
	}
	snprintf(out, AT_TIME_LEN + 1, "%sT%02d:%02d:%02d.%03dZ", date, hh, mi, ss, ms);
	return 0;
bad:
	say(why, "'%s' is not a time; use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS[.mmm]]Z", s);
	return -1;
}

int64_t text_time_epoch(const char *canon)
{
	struct tm tm;

	if (strlen(canon) != AT_TIME_LEN || canon[10] != 'T')
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = digits(canon, 4) - 1900;
	tm.tm_mon = digits(canon + 5, 2) - 1;
	tm.tm_mday = digits(canon + 8, 2);
	tm.tm_hour = digits(canon + 11, 2);
	tm.tm_min = digits(canon + 14, 2);
	tm.tm_sec = digits(canon + 17, 2);
	if (tm.tm_year < 70 || tm.tm_mon < 0 || tm.tm_mday < 1 || tm.tm_hour < 0 ||
	    tm.tm_min < 0 || tm.tm_sec < 0)
		return -1;
	return (int64_t)timegm(&tm);
}

void text_epoch_time(int64_t epoch, char out[AT_TIME_LEN + 1])
{
	time_t t = (time_t)epoch;
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, AT_TIME_LEN + 1, "%04d-%02d-%02dT%02d:%02d:%02d.000Z", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int text_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void text_utf8_repair(const char *in, char *out, size_t cap)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0;

	while (*s) {
		size_t n = utf8_len(s);
		if (n == 0) {
			if (o + 1 >= cap)
				break;
			out[o++] = '?';
			s++;
			continue;
		}
		if (o + n >= cap)
			break;
		memcpy(out + o, s, n);
		o += n;
		s += n;
	}
	out[o] = '\0';
}
