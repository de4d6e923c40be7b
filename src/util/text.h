/*
 * text.h — bounded parsing and validation of everything a person types or
 * a scanner sends (SPEC §2, §4).
 *
 * All functions are pure: they never allocate and write at most `cap`
 * bytes including the NUL.  They return 0 on success and -1 on refusal,
 * in which case `why` (if non-NULL, AT_WHY_MAX bytes) says what is wrong
 * in words a person understands.
 */
#ifndef AT_UTIL_TEXT_H
#define AT_UTIL_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define AT_WHY_MAX 160

/* Field size caps, mirrored by CHECK constraints in the schema. */
#define AT_TAG_MAX 64
#define AT_NAME_MAX 64       /* case names */
#define AT_FIELD_MAX 128     /* serial, manufacturer, type, building, ... */
#define AT_NOTES_MAX 2000
#define AT_REASON_MAX 500
#define AT_PERSON_MAX 200    /* holder name, email, badge */

/*
 * Scanner cleaning (SPEC §4): strip leading/trailing whitespace and control
 * characters (scanners end with Enter or Tab, some send a prefix), then
 * refuse any remaining byte that is not printable: controls inside, DEL,
 * and bytes >= 0x80.  `out` receives the cleaned text.
 */
int text_clean_scan(const char *in, char *out, size_t cap, char *why);

/* Asset tag syntax: 1-64 of [A-Za-z0-9._-], starting with letter or digit. */
int text_valid_tag(const char *tag, char *why);

/* Match key: ASCII upper-case with '-' and ' ' removed.  Never fails for a
 * cap of at least strlen(tag)+1; returns -1 if it would not fit. */
int text_match_key(const char *tag, char *out, size_t cap);

/*
 * A free-text field: trims surrounding whitespace, refuses NUL, control
 * characters (tab and newline allowed only when `multiline`), invalid
 * UTF-8, and more than `max` bytes.  `required` refuses the empty string.
 */
int text_clean_field(const char *in, char *out, size_t cap, size_t max, int required,
                     int multiline, const char *label, char *why);

/* Case name: 1-64 printable characters, no '/', trimmed. */
int text_valid_case_name(const char *name, char *why);

/* Strictly parse a decimal integer in [min, max]; no sign games, no junk. */
int text_parse_int(const char *s, int64_t min, int64_t max, int64_t *out);

/* Calendar date YYYY-MM-DD that exists (2026-02-30 refused). */
int text_valid_date(const char *s, char *why);

/*
 * A point in time for `--as-of`: a date (end of that day, UTC), or
 * ISO-8601 UTC with optional seconds/milliseconds and a trailing Z.
 * `out` gets the canonical millisecond form "YYYY-MM-DDTHH:MM:SS.mmmZ"
 * (AT_TIME_LEN+1 bytes), which orders correctly as a string.
 */
#define AT_TIME_LEN 24
int text_parse_time(const char *s, char *out, char *why);

/* Now, UTC, in canonical millisecond form (util/clock.c).  Test builds
 * link tests/support/clock_fake.c instead, where ASSETTRACK_FAKE_NOW fixes
 * the clock; the shipped binary ignores it. */
void text_now(char out[AT_TIME_LEN + 1]);
/* 1 when text_now() gives a time a test fixed (ASSETTRACK_FAKE_NOW in a
 * test build), not a clock's reading; always 0 in the shipped binary. */
int text_now_fixed(void);
/* Seconds since the epoch of a canonical time; -1 if it is not one. */
int64_t text_time_epoch(const char *canon);
/* Canonical form of `epoch` seconds (milliseconds .000). */
void text_epoch_time(int64_t epoch, char out[AT_TIME_LEN + 1]);
/* Today's local calendar date, YYYY-MM-DD. */
void text_today(char out[11]);

/* Copy `in` into `out` (cap >= 1 bytes) as valid UTF-8: a byte that
 * does not begin a valid sequence (overlong, surrogate, stray
 * continuation, beyond U+10FFFF) becomes '?'.  Cut at a sequence boundary
 * when `out` is full.  For echoing bad input back inside an answer. */
void text_utf8_repair(const char *in, char *out, size_t cap);

/* Value of one hex digit (either case), or -1. */
int text_hexval(int c);

#endif
