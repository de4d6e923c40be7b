/*
 * fuzz_scan.c — libFuzzer target for scanner input (SPEC §4): cleaning
 * (text_clean_scan), tag validation and the match key.
 *
 * Properties: cleaning is idempotent and its output has no surrounding
 * blanks or control bytes; a match key is ASCII upper-case without '-'
 * or ' ' and is its own match key; a valid tag's match key is non-empty.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[512], out[AT_INPUT_MAX], again[AT_INPUT_MAX], why[AT_WHY_MAX];
	char key[AT_INPUT_MAX], key2[AT_INPUT_MAX];
	size_t n = size < sizeof(in) - 1 ? size : sizeof(in) - 1;

	memcpy(in, data, n);
	in[n] = '\0';
	if (text_clean_scan(in, out, sizeof(out), why) < 0) {
		CHECK(why[0] != '\0');
		return 0;
	}
	CHECK(text_clean_scan(out, again, sizeof(again), why) == 0);
	CHECK(strcmp(out, again) == 0);
	n = strlen(out);
	if (n) {
		CHECK(out[0] != ' ' && out[n - 1] != ' ');
		for (size_t i = 0; i < n; i++)
			CHECK((unsigned char)out[i] >= 0x20 && out[i] != 0x7f);
	}
	if (text_match_key(out, key, sizeof(key)) == 0) {
		for (size_t i = 0; key[i]; i++)
			CHECK(key[i] != '-' && key[i] != ' ' && !(key[i] >= 'a' && key[i] <= 'z'));
		CHECK(text_match_key(key, key2, sizeof(key2)) == 0 && strcmp(key, key2) == 0);
		if (text_valid_tag(out, why) == 0)
			CHECK(key[0] != '\0');
	}
	return 0;
}
