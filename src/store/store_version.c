/*
 * store_version.c — store/store_version.h.
 */
#include "store/store_version.h"

#include <sqlite3.h>

const char *store_sqlite_version(void)
{
	return sqlite3_libversion();
}
