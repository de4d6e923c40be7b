/*
 * hooks_test.c — the test builds' engine hooks (core/internal.h): each
 * calls the function a test set in tests/support/hooks_test.h, if any.
 * Linked with clock_fake.c ahead of atcore, so src/core/hooks.c is not.
 */
#include "store/store.h"
#include "core/internal.h"
#include "hooks_test.h"

void (*t_hook_begun)(void);

void op_hook_begun(void)
{
	if (t_hook_begun)
		t_hook_begun();
}
