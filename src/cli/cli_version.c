/*
 * cli_version.c — `assettrack --version` (cli/version.h).
 */
#include <jansson.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>

#include "cli/version.h"
#include "core/db.h"
#include "core/version.h"

void cli_print_version(FILE *fp, const char *db)
{
	char pq[32];

	version_libpq(pq, sizeof(pq));
	fprintf(fp,
	        "assettrack %s (commit %s)\n"
	        "  SQLite %s\n"
	        "  libpq %s\n"
	        "  libmicrohttpd %s\n"
	        "  jansson %s\n"
	        "  libsodium %s\n",
	        at_build_version, at_build_commit, version_sqlite(), pq, MHD_get_version(),
	        jansson_version_str(), sodium_version_string());
	if (db && db_is_server(db)) {
		struct at_errors e = AT_ERRORS_INIT;
		char v[32], shown[1024];

		db_display(db, shown, sizeof(shown));
		if (version_pg_server(db, v, sizeof(v), &e) == AT_OK)
			fprintf(fp, "  PostgreSQL server %s (%s)\n", v, shown);
		else
			fprintf(fp, "  PostgreSQL server unreachable (%s): %s\n", shown, e.message);
		at_errors_free(&e);
	}
}
