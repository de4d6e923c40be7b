/*
 * version.c — core/version.h, over store/.
 */
#include "core/version.h"

#include "store/store_version.h"

const char *version_sqlite(void)
{
	return store_sqlite_version();
}
