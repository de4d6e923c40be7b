/*
 * clock.c — the time AssetTrack stamps on events: the system clock, and
 * nothing else.  Tests that need a fixed clock link tests/support/
 * clock_fake.c instead, which defines these two functions and so keeps
 * this file out of their link; the shipped binary has no clock override
 * (anyone who can set its environment could otherwise backdate events).
 *
 * Keep this file to exactly these three functions: a test binary that
 * also pulled in anything else from here would get them twice.
 */
#include "util/text.h"

#include <stdio.h>
#include <sys/time.h>
#include <time.h>

void text_now(char out[AT_TIME_LEN + 1])
{
	struct timeval tv;
	struct tm tm;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	snprintf(out, AT_TIME_LEN + 1, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	         tm.tm_sec, (int)(tv.tv_usec / 1000));
}

/* The system clock's time is a reading, never a time someone fixed. */
int text_now_fixed(void)
{
	return 0;
}

void text_today(char out[11])
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	snprintf(out, 11, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}
