/*
 * hooks.c — points where test builds observe the engine (core/internal.h).
 * In the shipped binary they do nothing and cannot be made to.
 *
 * Keep this file to exactly these functions: test builds link
 * tests/support/hooks_test.c, which defines them, instead of this file.
 */
#include "store/store.h"
#include "core/internal.h"

void op_hook_begun(void)
{
}

void op_hook_verify(void)
{
}

void op_hook_import_progress(void)
{
}
