/*
 * clock_fake.c — the clock of test builds: ASSETTRACK_FAKE_NOW, when set
 * to a canonical time (or a date), fixes "now" and "today"; otherwise the
 * system clock.  Linked into the unit tests, the bench generator and
 * assettrack-testclock (the binary that API and browser tests start when
 * they need a fixed clock) ahead of atcore, so src/util/clock.c is not.
 */
#include "util/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

void text_now(char out[AT_TIME_LEN + 1])
{
	const char *fake = getenv("ASSETTRACK_FAKE_NOW");
	struct timeval tv;
	struct tm tm;

	if (fake && text_parse_time(fake, out, NULL) == 0)
		return;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	snprintf(out, AT_TIME_LEN + 1, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	         tm.tm_sec, (int)(tv.tv_usec / 1000));
}

/* A time the test fixed is taken as given: event_writer_begin does not
 * move it up to the log's head (tests set the clock back on purpose, to
 * make the past). */
int text_now_fixed(void)
{
	const char *fake = getenv("ASSETTRACK_FAKE_NOW");
	char t[AT_TIME_LEN + 1];

	return fake && text_parse_time(fake, t, NULL) == 0;
}

void text_today(char out[11])
{
	const char *fake = getenv("ASSETTRACK_FAKE_NOW");
	char t[AT_TIME_LEN + 1];
	time_t now = time(NULL);
	struct tm tm;

	if (fake && text_parse_time(fake, t, NULL) == 0) {
		memcpy(out, t, 10);
		out[10] = '\0';
		return;
	}
	localtime_r(&now, &tm);
	snprintf(out, 11, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}
