/* page_corrections.c — placeholder until its page lands (being written now). */
#include "web/page.h"

void page_corrections_get(struct request *rq)
{
	page_error(rq, 501, "Not built yet", "This page is being built.");
}

void page_corrections_post(struct request *rq)
{
	page_error(rq, 501, "Not built yet", "This page is being built.");
}

void page_replace_get(struct request *rq)
{
	page_error(rq, 501, "Not built yet", "This page is being built.");
}

void page_replace_post(struct request *rq)
{
	page_error(rq, 501, "Not built yet", "This page is being built.");
}

