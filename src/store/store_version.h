/*
 * store_version.h — the versions of the database libraries and server,
 * for core/version.h.
 */
#ifndef AT_STORE_VERSION_H
#define AT_STORE_VERSION_H

#include <stddef.h>

#include "util/err.h"

/* sqlite3_libversion(): the library actually loaded, not the header's. */
const char *store_sqlite_version(void);
/* libpq's version (PQlibVersion), e.g. "15.10". */
void store_libpq_version(char *out, size_t cap);
/* The version of the PostgreSQL server at `uri`, e.g. "15.18"; connecting
 * as the program does (AT_STORAGE with libpq's reason if it cannot). */
enum at_code store_pg_server_version(const char *uri, char *out, size_t cap, struct at_errors *e);

#endif
