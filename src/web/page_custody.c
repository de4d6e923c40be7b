/* page_custody.c — placeholder until its page lands (being written now). */
#include "web/page.h"

void page_stock_out_get(struct request *rq)
{
	page_error(rq, 501, "Not built yet", "This page is being built.");
}

void page_stock_out_post(struct request *rq)
{
	page_error(rq, 501, "Not built yet", "This page is being built.");
}

void page_stock_in_get(struct request *rq)
{
	page_error(rq, 501, "Not built yet", "This page is being built.");
}

void page_stock_in_post(struct request *rq)
{
	page_error(rq, 501, "Not built yet", "This page is being built.");
}

