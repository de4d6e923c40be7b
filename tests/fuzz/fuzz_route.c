/*
 * fuzz_route.c — libFuzzer target for URL decoding and routing
 * (web_url_unescape, web_route_find) and for the 404/405 answers, which
 * echo the path back.
 *
 * Input: the first byte picks the method, the rest is the raw path.
 * Properties: decoding never grows the text nor leaves a NUL inside it;
 * a found route's pattern has as many {} as parameters were captured,
 * each non-empty and without '/'; a refusal that quotes the path is
 * always a readable JSON answer (invalid UTF-8 in a path was a 500).
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/encode.h"
#include "web/web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static const char *const methods[] = { "GET", "POST", "PATCH", "DELETE", "HEAD", "PUT" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct request rq;
	struct at_errors e = AT_ERRORS_INIT;
	const struct route *r;
	char raw[1024];
	size_t n, len;
	int mismatch = 0, braces = 0;
	json_t *answer;

	if (size < 1)
		return 0;
	n = size - 1 < sizeof(raw) - 1 ? size - 1 : sizeof(raw) - 1;
	memcpy(raw, data + 1, n);
	raw[n] = '\0';
	n = strlen(raw);                       /* a URL stops at NUL on the wire too */
	len = web_url_unescape(raw);
	CHECK(len <= n);
	CHECK(strlen(raw) == len);
	memset(&rq, 0, sizeof(rq));
	rq.method = methods[data[0] % (sizeof(methods) / sizeof(methods[0]))];
	snprintf(rq.path, sizeof(rq.path), "%s", raw);
	r = web_route_find(&rq, &mismatch);
	if (r) {
		for (const char *p = r->pattern; (p = strstr(p, "{}")) != NULL; p += 2)
			braces++;
		CHECK(braces == rq.nparams);
		for (int i = 0; i < rq.nparams; i++)
			CHECK(rq.params[i][0] != '\0' && strchr(rq.params[i], '/') == NULL);
	}
	at_fail(&e, AT_NOT_FOUND, "no such endpoint: %s", rq.path);
	at_item(&e, rq.path, AT_NOT_FOUND, "%s is not here", rq.path);
	answer = errors_to_json(&e);
	CHECK(answer != NULL);
	json_decref(answer);
	at_errors_free(&e);
	return 0;
}
