/*
 * api_meta.h — GET /api/v1/openapi.json: the API's own description.
 */
#ifndef AT_WEB_API_META_H
#define AT_WEB_API_META_H

#include "web/web.h"

/* docs/openapi.json as embedded at build time (cmake/embed.cmake), with
 * its ETag: the document always matches the binary that serves it. */
void api_openapi(struct request *rq);

#endif
