/* page_holders.c — placeholder until its page lands (being written now). */
#include "web/page.h"

void page_holders(struct request *rq)
{
	page_error(rq, 501, "Not built yet", "This page is being built.");
}

void page_holders_post(struct request *rq)
{
	page_error(rq, 501, "Not built yet", "This page is being built.");
}

void page_holder(struct request *rq)
{
	page_error(rq, 501, "Not built yet", "This page is being built.");
}

void page_holder_post(struct request *rq)
{
	page_error(rq, 501, "Not built yet", "This page is being built.");
}

