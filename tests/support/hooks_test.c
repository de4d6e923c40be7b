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

void op_hook_verify(void)
{
	const char *ms = getenv("ASSETTRACK_TEST_VERIFY_DELAY_MS");
	long v = ms ? strtol(ms, NULL, 10) : 0;
	struct timespec d = { v / 1000, (v % 1000) * 1000000L };

	if (v > 0 && v < 60000)
		nanosleep(&d, NULL);
}
