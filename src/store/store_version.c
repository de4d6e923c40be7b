/*
 * store_version.c — store/store_version.h.
 */
#include "store/store_version.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>

#include "store/drv_pg.h"

const char *store_sqlite_version(void)
{
	return sqlite3_libversion();
}

void store_libpq_version(char *out, size_t cap)
{
	int v = PQlibVersion();

	snprintf(out, cap, "%d.%d", v / 10000, v % 10000);
}

enum at_code store_pg_server_version(const char *uri, char *out, size_t cap, struct at_errors *e)
{
	struct drv_conn *c = NULL;
	enum at_code r = drv_pg.open(uri, 0, &c, e);
	int v;

	if (r != AT_OK)
		return r;
	v = drv_pg_server_version(c);
	/* 150018 is 15.18; before 10, 90624 was 9.6.24 */
	if (v >= 100000)
		snprintf(out, cap, "%d.%d", v / 10000, v % 10000);
	else
		snprintf(out, cap, "%d.%d.%d", v / 10000, v / 100 % 100, v % 100);
	drv_pg.close(c);
	return AT_OK;
}
