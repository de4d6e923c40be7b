/*
 * version.c — core/version.h, over store/.
 */
#include "core/version.h"

#include "store/store_version.h"

const char *version_sqlite(void)
{
	return store_sqlite_version();
}

void version_libpq(char *out, size_t cap)
{
	store_libpq_version(out, cap);
}

enum at_code version_pg_server(const char *uri, char *out, size_t cap, struct at_errors *e)
{
	return store_pg_server_version(uri, out, cap, e);
}
