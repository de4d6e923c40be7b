/*
 * store_version.h — the SQLite library's version, for core/version.h.
 */
#ifndef AT_STORE_VERSION_H
#define AT_STORE_VERSION_H

/* sqlite3_libversion(): the library actually loaded, not the header's. */
const char *store_sqlite_version(void);

#endif
