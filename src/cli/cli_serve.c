/*
 * cli_serve.c — `assettrack serve`: the web UI and JSON API.
 */
#include <stdint.h>
#include <stdio.h>

#include "cli/cli.h"
#include "web/web.h"

/* serve [--listen HOST:PORT] [--threads N] [--tls-cert F --tls-key F] [--quiet]
 *       [--checkpoint-every N] [--checkpoint-interval SECONDS]
 *       [--checkpoints FILE] [--checkpoint-key FILE] */
int cli_cmd_serve(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *listen = NULL, *threads = NULL, *cert = NULL, *key = NULL;
	const char *every = NULL, *interval = NULL, *ckfile = NULL, *ckkey = NULL;
	int quiet = 0, npos = 0;
	int64_t n = 0, nevery = 10000, ninterval = 3600;
	const struct cli_opt opts[] = {
		{ "listen", &listen, NULL },   { "threads", &threads, NULL },
		{ "tls-cert", &cert, NULL },   { "tls-key", &key, NULL },
		{ "quiet", NULL, &quiet },     { "checkpoint-every", &every, NULL },
		{ "checkpoint-interval", &interval, NULL },
		{ "checkpoints", &ckfile, NULL },
		{ "checkpoint-key", &ckkey, NULL },
		{ NULL, NULL, NULL },
	};
	struct web_config cfg = { 0 };

	ctx->usage = "serve [--listen HOST:PORT] [--threads N] [--tls-cert PEM --tls-key PEM] "
	             "[--quiet] [--checkpoint-every N] [--checkpoint-interval SECONDS] "
	             "[--checkpoints FILE] [--checkpoint-key FILE]";
	if (cli_parse(ctx, argc, argv, opts, &npos) < 0)
		return 2;
	if (cli_expect(ctx, npos, 0, 0))
		return 2;
	if (threads && cli_number(ctx, "--threads", threads, 1, 64, &n) < 0)
		return 2;
	if (every && cli_number(ctx, "--checkpoint-every", every, 0, INT64_MAX, &nevery) < 0)
		return 2;
	if (interval &&
	    cli_number(ctx, "--checkpoint-interval", interval, 1, 366 * 86400, &ninterval) < 0)
		return 2;
	cfg.db_path = ctx->db_path;
	cfg.listen = listen;
	cfg.threads = (int)n;
	cfg.tls_cert = cert;
	cfg.tls_key = key;
	cfg.quiet = quiet;
	cfg.checkpoint_every = nevery;
	cfg.checkpoint_interval = (int)ninterval;
	cfg.checkpoints = ckfile;
	cfg.checkpoint_key = ckkey;
	return web_serve(&cfg);
}
