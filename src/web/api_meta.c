/*
 * api_meta.c — GET /api/v1/openapi.json (web/api_meta.h).
 *
 * Public, like the static files: it describes the API and holds no data,
 * and a client generator needs it before it has credentials.
 */
#include "web/api_meta.h"

#include "web/static.h"

void api_openapi(struct request *rq)
{
	const struct static_file *f = static_find("openapi.json");

	/* The build always embeds it (CMakeLists.txt); a binary without it
	 * would be a build mistake, answered as such. */
	if (!f) {
		web_reply_fail(rq, AT_INTERNAL, "this build has no OpenAPI document");
		return;
	}
	web_reply_static(rq, f->content_type, f->data, f->len, f->etag);
}
