/*
 * version.h — versions of what core runs on, for `assettrack --version`
 * (front ends never ask store/ directly).
 */
#ifndef AT_CORE_VERSION_H
#define AT_CORE_VERSION_H

/* The SQLite library's run-time version, e.g. "3.40.1". */
const char *version_sqlite(void);

#endif
