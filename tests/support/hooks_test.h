/*
 * hooks_test.h — what a test sets to observe the engine (test builds only).
 */
#ifndef AT_TESTS_HOOKS_TEST_H
#define AT_TESTS_HOOKS_TEST_H

/* Called inside each operation's transaction, right after BEGIN. */
extern void (*t_hook_begun)(void);

#endif
