/*
 * cli_version.c — `assettrack --version` (cli/version.h).
 */
#include <jansson.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>

#include "cli/version.h"
#include "core/version.h"

void cli_print_version(FILE *fp)
{
	fprintf(fp,
	        "assettrack %s (commit %s)\n"
	        "  SQLite %s\n"
	        "  libmicrohttpd %s\n"
	        "  jansson %s\n"
	        "  libsodium %s\n",
	        at_build_version, at_build_commit, version_sqlite(), MHD_get_version(),
	        jansson_version_str(), sodium_version_string());
}
