/*
 * hooks_test.c — the test builds' engine hooks (core/internal.h): each
 * calls the function a test set in tests/support/hooks_test.h, if any.
 * Linked with clock_fake.c ahead of atcore, so src/core/hooks.c is not.
 */
#include "store/store.h"
#include "core/internal.h"
#include "hooks_test.h"

#include <stdlib.h>
#include <time.h>

void (*t_hook_begun)(void);

void op_hook_begun(void)
{
	if (t_hook_begun)
		t_hook_begun();
}

/* Sleep for the milliseconds environment variable `name` gives, if any
 * (under a minute). */
static void delay_from_env(const char *name)
{
	const char *ms = getenv(name);
	long v = ms ? strtol(ms, NULL, 10) : 0;
	struct timespec d = { v / 1000, (v % 1000) * 1000000L };

	if (v > 0 && v < 60000)
		nanosleep(&d, NULL);
}

void op_hook_verify(void)
{
	delay_from_env("ASSETTRACK_TEST_VERIFY_DELAY_MS");
}

void op_hook_import_progress(void)
{
	delay_from_env("ASSETTRACK_TEST_IMPORT_DELAY_MS");
}
