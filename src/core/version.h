/*
 * version.h — versions of what core runs on, for `assettrack --version`
 * (front ends never ask store/ directly).
 */
#ifndef AT_CORE_VERSION_H
#define AT_CORE_VERSION_H

#include <stddef.h>

#include "util/err.h"

/* The SQLite library's run-time version, e.g. "3.40.1". */
const char *version_sqlite(void);
/* libpq's run-time version, e.g. "15.10". */
void version_libpq(char *out, size_t cap);
/* The PostgreSQL server's version at `uri` (a connection is made). */
enum at_code version_pg_server(const char *uri, char *out, size_t cap, struct at_errors *e);

#endif
