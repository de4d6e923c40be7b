/*
 * version.h — `assettrack --version`: what was built, from which commit,
 * and which libraries it runs with.
 */
#ifndef AT_CLI_VERSION_H
#define AT_CLI_VERSION_H

#include <stdio.h>

/* Baked in at build time (cmake/version.cmake): the project version and
 * the git commit, "unknown" when built outside a git checkout. */
extern const char at_build_version[];
extern const char at_build_commit[];

/* Print the version, the commit and the run-time versions of SQLite,
 * libpq, libmicrohttpd, jansson and libsodium (each asked of the library
 * itself, so an upgraded shared library shows its own version); when
 * `db` is a PostgreSQL URI, also the server's version, asked of it (and
 * why not, if it cannot be reached: --version still succeeds). */
void cli_print_version(FILE *fp, const char *db);

#endif
