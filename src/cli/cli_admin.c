/*
 * cli_admin.c — init, user add|token|list, verify, backup.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/event.h"
#include "core/user.h"
#include "core/checkpoint.h"
#include "core/verify.h"

/* ==== init ============================================================ */

/* `init`: create the database with its schema, or migrate an old one to
 * the current version (db_open with DB_CREATE does both). */
int cli_cmd_init(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *app = NULL;
	const struct cli_opt opts[] = { { "app-role", &app, NULL }, { NULL, NULL, NULL } };
	struct at_errors e = AT_ERRORS_INIT;
	int npos, rc, existed;

	if (cli_parse(ctx, argc, argv, opts, &npos) < 0 || cli_expect(ctx, npos, 0, 0))
		return 2;
	/* A PostgreSQL database exists before init (its DBA made it); what
	 * init may create there is the schema, which cli_open reports. */
	existed = db_is_server(ctx->db_path) || access(ctx->db_path, F_OK) == 0;
	if (app && !db_is_server(ctx->db_path))
		return cli_refuse(ctx, AT_INVALID, "--app-role is for PostgreSQL: a SQLite file has no "
		                                   "roles");
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	/* The schema is there (cli_open migrated it, as whoever we are): the
	 * program's own role gets what it needs and no more. */
	if (app) {
		enum at_code c = db_grant_app(ctx->st, app, &e);
		if (c != AT_OK) {
			rc = cli_fail(ctx, c, &e);
			at_errors_free(&e);
			return rc;
		}
	}
	if (ctx->json)
		return cli_json_print(json_pack("{s:s, s:i, s:b, s:s?}", "database", ctx->db_shown,
		                                "schema_version", db_schema_version(ctx->st),
		                                "created", !existed, "app_role", app));
	printf("%s %s (schema version %d)\n", existed ? "Database is ready:" : "Created database",
	       ctx->db_shown, db_schema_version(ctx->st));
	if (app)
		printf("Role %s may now run AssetTrack here (no DELETE anywhere, no UPDATE of the "
		       "log): give it to --db as user=%s.\n", app, app);
	return 0;
}

/* ==== users =========================================================== */

/* A user as JSON; never includes the password hash. */
static json_t *user_json(const struct user *u)
{
	return json_pack("{s:I, s:s, s:s, s:b, s:s}", "id", (json_int_t)u->id, "username",
	                 u->username, "role", user_role_name(u->role), "active", u->active ? 1 : 0,
	                 "created_at", u->created_at);
}

/*
 * Read the password from the first line of standard input into `pw`
 * (cap bytes), without the line end.  Returns 0, or refuses (exit code).
 * A prompt goes to stderr only when a person is typing.
 */
static int read_password(struct cli_ctx *ctx, const char *username, char *pw, size_t cap)
{
	size_t n;

	if (isatty(STDIN_FILENO))
		fprintf(stderr, "Password for %s (at least %d characters; input is shown): ",
		        username, AT_PASSWORD_MIN);
	if (!fgets(pw, (int)cap, stdin))
		return cli_refuse(ctx, AT_INVALID, "no password on standard input; give it as "
		                                   "the first line");
	n = strlen(pw);
	if (n > 0 && pw[n - 1] != '\n' && !feof(stdin))
		return cli_refuse(ctx, AT_INVALID, "the password is longer than %d characters",
		                  AT_PASSWORD_MAX);
	while (n > 0 && (pw[n - 1] == '\n' || pw[n - 1] == '\r'))
		pw[--n] = '\0';
	if (n < AT_PASSWORD_MIN)
		return cli_refuse(ctx, AT_INVALID, "the password must have at least %d characters",
		                  AT_PASSWORD_MIN);
	return 0;
}

/* `user add NAME --role R`: password from stdin. */
static int user_add_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *role_s = NULL;
	const struct cli_opt opts[] = { { "role", &role_s, NULL }, { NULL, NULL, NULL } };
	struct at_errors e = AT_ERRORS_INIT;
	char pw[AT_PASSWORD_MAX + 2];
	enum user_role role;
	struct user u;
	enum at_code c;
	int npos, rc;

	pw[0] = '\0';
	if (cli_parse(ctx, argc, argv, opts, &npos) < 0 || cli_expect(ctx, npos, 1, 1))
		return 2;
	if (!role_s)
		return cli_usage(ctx, "--role is required");
	if (user_role_parse(role_s, &role) < 0)
		return cli_usage(ctx, "--role must be admin, operator or auditor, not '%s'", role_s);
	if ((rc = read_password(ctx, argv[1], pw, sizeof(pw))) != 0)
		goto out;
	if ((rc = cli_open(ctx)) != 0)
		goto out;
	c = user_add(ctx->st, ctx->actor, argv[1], role, pw, &u, &e);
	if (c != AT_OK) {
		rc = cli_fail(ctx, c, &e);
		goto out;
	}
	if (ctx->json)
		rc = cli_json_print(user_json(&u));
	else
		printf("Added user %s (%s)\n", u.username, user_role_name(u.role));
out:
	sodium_memzero(pw, sizeof(pw));
	at_errors_free(&e);
	return rc;
}

/* `user token NAME [--label L]`: the secret is printed once, alone on
 * stdout so scripts can capture it. */
static int user_token_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *label = NULL;
	const struct cli_opt opts[] = { { "label", &label, NULL }, { NULL, NULL, NULL } };
	struct at_errors e = AT_ERRORS_INIT;
	char token[AT_TOKEN_LEN + 1];
	enum at_code c;
	int npos, rc;

	token[0] = '\0';
	if (cli_parse(ctx, argc, argv, opts, &npos) < 0 || cli_expect(ctx, npos, 1, 1))
		return 2;
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	c = user_token_create(ctx->st, ctx->actor, argv[1], label, token, &e);
	if (c != AT_OK) {
		rc = cli_fail(ctx, c, &e);
		goto out;
	}
	if (ctx->json) {
		rc = cli_json_print(json_pack("{s:s, s:s, s:s?}", "username", argv[1], "token",
		                              token, "label", (label && *label) ? label : NULL));
	} else {
		printf("%s\n", token);
		if (isatty(STDOUT_FILENO))
			fputs("Store this token now: it is not shown again.\n", stderr);
	}
out:
	sodium_memzero(token, sizeof(token));
	at_errors_free(&e);
	return rc;
}

/* `user revoke-tokens NAME`: every API token of NAME stops working. */
static int user_revoke_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_opt opts[] = { { NULL, NULL, NULL } };
	struct at_errors e = AT_ERRORS_INIT;
	int64_t n = 0;
	enum at_code c;
	int npos, rc;

	if (cli_parse(ctx, argc, argv, opts, &npos) < 0 || cli_expect(ctx, npos, 1, 1))
		return 2;
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	c = user_tokens_revoke(ctx->st, ctx->actor, argv[1], &n, &e);
	if (c != AT_OK)
		rc = cli_fail(ctx, c, &e);
	else if (ctx->json)
		rc = cli_json_print(json_pack("{s:s, s:I}", "username", argv[1], "revoked",
		                              (json_int_t)n));
	else
		printf("revoked %lld token%s of %s\n", (long long)n, n == 1 ? "" : "s", argv[1]);
	at_errors_free(&e);
	return rc;
}

/* read_users callback: one user as a table row or a JSON item. */
static int user_row(void *p, const struct user *u)
{
	struct cli_list *x = p;
	const char *cells[4];

	if (x->cli->json) {
		cli_jlist_add(&x->jl, user_json(u));
		return 0;
	}
	cells[0] = u->username;
	cells[1] = user_role_name(u->role);
	cells[2] = u->active ? "yes" : "no";
	cells[3] = u->created_at;
	cli_table_row(&x->table, cells);
	return 0;
}

/* A security-log row as a table row or a JSON item. */
static int security_row(void *p, const struct security_entry *s)
{
	struct cli_list *x = p;
	const char *cells[5];

	if (x->cli->json) {
		cli_jlist_add(&x->jl, json_pack("{s:s, s:s, s:s, s:s?, s:s?}", "at", s->at, "actor",
		                                s->actor, "action", s->action, "subject", s->subject,
		                                "details", s->details));
		return 0;
	}
	cells[0] = s->at;
	cells[1] = s->actor;
	cells[2] = s->action;
	cells[3] = s->subject ? s->subject : "-";
	cells[4] = s->details ? s->details : "-";
	cli_table_row(&x->table, cells);
	return 0;
}

/* `user list [--security [--limit N]]`: the users, or the newest entries
 * of the security log (logins locked out, users added, tokens). */
static int user_list_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char *const heads[] = { "USERNAME", "ROLE", "ACTIVE", "CREATED" };
	static const char *const sheads[] = { "AT", "ACTOR", "ACTION", "SUBJECT", "DETAILS" };
	const char *limit = NULL;
	int security = 0;
	const struct cli_opt opts[] = { { "security", NULL, &security },
		                        { "limit", &limit, NULL },
		                        { NULL, NULL, NULL } };
	struct at_errors e = AT_ERRORS_INIT;
	struct cli_list x;
	enum at_code c;
	int64_t n = 50;
	int npos, rc;

	if (cli_parse(ctx, argc, argv, opts, &npos) < 0 || cli_expect(ctx, npos, 0, 0))
		return 2;
	if (limit && (!security || cli_number(ctx, "--limit", limit, 1, 100000, &n) < 0))
		return security ? 2 : cli_usage(ctx, "--limit goes with --security");
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	if (security) {
		cli_list_begin(&x, ctx, NULL, "security", 5, sheads);
		c = read_security_log(ctx->st, (int)n, security_row, &x, &e);
	} else {
		cli_list_begin(&x, ctx, NULL, "users", 4, heads);
		c = read_users(ctx->st, user_row, &x, &e);
	}
	if (c != AT_OK)
		rc = cli_list_fail(&x, c, &e);
	else
		rc = cli_list_end(&x, security ? "The security log is empty."
		                               : "No users yet; add one with 'assettrack user add NAME "
		                                 "--role admin'.");
	at_errors_free(&e);
	return rc;
}

const struct cli_command cli_user_commands[] = {
	{ "add", user_add_cmd, "user add NAME --role admin|operator|auditor   (password on stdin)" },
	{ "token", user_token_cmd, "user token NAME [--label L]" },
	{ "list", user_list_cmd, "user list [--security [--limit N]]" },
	{ "revoke-tokens", user_revoke_cmd, "user revoke-tokens NAME" },
	{ NULL, NULL, NULL },
};

/* `user ...`: dispatch to cli_user_commands. */
int cli_cmd_user(struct cli_ctx *ctx, int argc, char **argv)
{
	return cli_dispatch(ctx, argc, argv, cli_user_commands);
}

/* ==== verify ========================================================== */

/* Anchors given to verify: --anchor SEQ:HASH (repeatable) and --anchors
 * FILE (one per line; blank lines and lines starting with '#' skipped). */
struct anchor_list {
	struct anchor *a;
	size_t n, cap;
};

static int anchor_add(struct cli_ctx *ctx, struct anchor_list *l, const char *text,
                      const char *where)
{
	char why[AT_WHY_MAX];
	struct anchor a;

	if (anchor_parse(text, &a, why) < 0) {
		cli_usage(ctx, "%s: %s", where, why);
		return -1;
	}
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 8;
		struct anchor *p = realloc(l->a, ncap * sizeof(*p));
		if (!p) {
			cli_usage(ctx, "out of memory");
			return -1;
		}
		l->a = p;
		l->cap = ncap;
	}
	l->a[l->n++] = a;
	return 0;
}

static int anchors_from_file(struct cli_ctx *ctx, struct anchor_list *l, const char *path)
{
	char line[256], where[AT_MSG_MAX];
	FILE *f = fopen(path, "r");
	int lineno = 0, rc = 0;

	if (!f) {
		cli_usage(ctx, "--anchors %s: %s", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		size_t n = strcspn(line, "\r\n");
		lineno++;
		line[n] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		snprintf(where, sizeof(where), "%s line %d", path, lineno);
		rc = anchor_add(ctx, l, line, where);
	}
	fclose(f);
	return rc;
}

/* Take --anchor/--anchors out of argv (they repeat, which cli_parse's
 * options do not); the rest stays for cli_parse. */
static int take_anchors(struct cli_ctx *ctx, int *argc, char **argv, struct anchor_list *l)
{
	int w = 1;

	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i], *v = NULL;
		int file = 0;
		if (strncmp(a, "--anchor=", 9) == 0) {
			v = a + 9;
		} else if (strncmp(a, "--anchors=", 10) == 0) {
			v = a + 10;
			file = 1;
		} else if (strcmp(a, "--anchor") == 0 || strcmp(a, "--anchors") == 0) {
			file = a[8] == 's';
			if (i + 1 >= *argc) {
				cli_usage(ctx, "%s needs a value", a);
				return -1;
			}
			v = argv[++i];
		} else {
			argv[w++] = argv[i];
			continue;
		}
		if ((file ? anchors_from_file(ctx, l, v) : anchor_add(ctx, l, v, "--anchor")) < 0)
			return -1;
	}
	*argc = w;
	return 0;
}

/* The checkpoint paths of verify and checkpoint: the options given, the
 * rest beside the database.  `explicit` says the user named the file. */
static void checkpoint_paths(struct cli_ctx *ctx, struct checkpoint_paths *p,
                             char store[3][AT_PATH_MAX])
{
	checkpoint_paths_default(p, ctx->db_path, store);
}

static void verify_print_problems(const struct verify_report *r)
{
	for (size_t i = 0; i < r->nproblems; i++)
		printf("%s: %s\n", r->problems[i].code, r->problems[i].message);
	if (r->dropped)
		printf("... and %zu more problems not shown\n", r->dropped);
	fprintf(stderr, "assettrack: verification FAILED: %zu problem%s in %lld events\n",
	        r->nproblems + r->dropped, r->nproblems + r->dropped == 1 ? "" : "s",
	        (long long)r->events);
}

static int verify_print_json(const struct verify_report *r)
{
	json_t *problems = json_array();

	for (size_t i = 0; problems && i < r->nproblems; i++)
		if (json_array_append_new(problems,
		                          json_pack("{s:s, s:s}", "code", r->problems[i].code,
		                                    "message", r->problems[i].message)) < 0) {
			json_decref(problems);
			problems = NULL;
		}
	if (!problems)
		return cli_json_print(NULL);
	if (cli_json_print(json_pack("{s:b, s:o, s:I, s:I, s:I, s:I, s:I, s:s?}", "ok", r->ok,
	                             "problems", problems, "events", (json_int_t)r->events,
	                             "assets", (json_int_t)r->assets, "problems_not_shown",
	                             (json_int_t)r->dropped, "checkpoints",
	                             (json_int_t)r->checkpoints, "from_seq",
	                             (json_int_t)r->from_seq, "note",
	                             r->note[0] ? r->note : NULL)) != 0)
		return 3;
	return r->ok ? 0 : 1;
}

/* `verify [--anchor SEQ:HASH]... [--anchors FILE] [--checkpoints FILE]
 * [--pubkey FILE] [--since-checkpoint]`: invariants, hash chain, replay,
 * each anchor and each signed checkpoint.  Exit 1 on any problem. */
int cli_cmd_verify(struct cli_ctx *ctx, int argc, char **argv)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct anchor_list anchors = { NULL, 0, 0 };
	struct verify_report r;
	struct verify_opts o = { 0 };
	struct checkpoint_paths cp = { 0 };
	char paths[3][AT_PATH_MAX];
	int since = 0, npos, rc;
	const struct cli_opt opts[] = {
		{ "checkpoints", &cp.file, NULL },
		{ "pubkey", &cp.pub, NULL },
		{ "since-checkpoint", NULL, &since },
		{ NULL, NULL, NULL },
	};
	enum at_code c;

	memset(&r, 0, sizeof(r));
	if (take_anchors(ctx, &argc, argv, &anchors) < 0 ||
	    cli_parse(ctx, argc, argv, opts, &npos) < 0 || cli_expect(ctx, npos, 0, 0)) {
		free(anchors.a);
		return 2;
	}
	if ((rc = cli_open(ctx)) != 0) {
		free(anchors.a);
		return rc;
	}
	/* Checkpoints are checked whenever their file is there; naming one,
	 * or asking to start from one, makes it required. */
	int named = cp.file || cp.pub || since;
	checkpoint_paths(ctx, &cp, paths);
	if (named || access(cp.file, F_OK) == 0)
		o.checkpoints = &cp;
	o.since_checkpoint = since;
	o.large_cache = 1; /* not the server: the replay may take 64 MiB */
	c = verify_run_ex(ctx->st, &o, &r, cli_progress_tty(), NULL,
	                  &e);
	if (c == AT_OK)
		c = verify_anchors(ctx->st, anchors.a, anchors.n, &r, &e);
	free(anchors.a);
	if (c != AT_OK) {
		rc = cli_fail(ctx, c, &e);
		goto out;
	}
	if (ctx->json) {
		rc = verify_print_json(&r);
		goto out;
	}
	rc = r.ok ? 0 : 1;
	if (r.note[0])
		fprintf(stderr, "assettrack: note: %s\n", r.note);
	if (!r.ok) {
		verify_print_problems(&r);
		goto out;
	}
	if (r.from_seq)
		printf("OK: %lld events after checkpoint %lld, hash chain intact, replay matches "
		       "%lld assets",
		       (long long)r.events, (long long)r.from_seq, (long long)r.assets);
	else
		printf("OK: %lld events, hash chain intact, replay matches %lld assets",
		       (long long)r.events, (long long)r.assets);
	if (anchors.n)
		printf(", %zu anchor%s hold", anchors.n, anchors.n == 1 ? "" : "s");
	if (o.checkpoints)
		printf(", %zu signed checkpoint%s hold", r.checkpoints,
		       r.checkpoints == 1 ? "" : "s");
	printf("\n");
out:
	verify_report_free(&r);
	at_errors_free(&e);
	return rc;
}

/* `checkpoint [--checkpoints FILE] [--key FILE]`: verify, then append a
 * signed checkpoint of the head and the state (core/checkpoint.h). */
int cli_cmd_checkpoint(struct cli_ctx *ctx, int argc, char **argv)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct verify_report r;
	struct checkpoint_paths cp = { 0 };
	struct checkpoint ck;
	char paths[3][AT_PATH_MAX];
	int written = 0, npos, rc;
	const struct cli_opt opts[] = {
		{ "checkpoints", &cp.file, NULL },
		{ "key", &cp.key, NULL },
		{ NULL, NULL, NULL },
	};
	enum at_code c;

	memset(&r, 0, sizeof(r));
	if (cli_parse(ctx, argc, argv, opts, &npos) < 0 || cli_expect(ctx, npos, 0, 0))
		return 2;
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	checkpoint_paths(ctx, &cp, paths);
	c = checkpoint_write(ctx->st, &cp, &ck, &written, &r,
	                     cli_progress_tty(), NULL, &e);
	if (c != AT_OK) {
		rc = cli_fail(ctx, c, &e);
		goto out;
	}
	if (!r.ok) {
		verify_print_problems(&r);
		fprintf(stderr, "assettrack: no checkpoint written: the log does not verify\n");
		rc = 1;
		goto out;
	}
	if (ctx->json) {
		rc = cli_json_print(json_pack("{s:b, s:I, s:s, s:s, s:s, s:s}", "written", written,
		                              "seq", (json_int_t)ck.seq, "head", ck.head, "state",
		                              ck.state, "at", ck.at, "file", cp.file));
	} else if (written) {
		printf("Checkpoint %lld:%s signed and appended to %s\n", (long long)ck.seq, ck.head,
		       cp.file);
	} else if (ck.seq) {
		printf("No new events since checkpoint %lld (%s); nothing written\n",
		       (long long)ck.seq, ck.at);
	} else {
		printf("The event log is empty; nothing to checkpoint\n");
	}
out:
	verify_report_free(&r);
	at_errors_free(&e);
	return rc;
}

/* `head`: the chain's head, SEQ:HASH, to keep somewhere the database's
 * writer cannot reach and give back to `verify --anchor`. */
int cli_cmd_head(struct cli_ctx *ctx, int argc, char **argv)
{
	struct at_errors e = AT_ERRORS_INIT;
	char text[AT_ANCHOR_MAX];
	struct anchor a;
	enum at_code c;
	int npos, rc;

	if (cli_parse(ctx, argc, argv, NULL, &npos) < 0 || cli_expect(ctx, npos, 0, 0))
		return 2;
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	c = verify_head(ctx->st, &a, &e);
	if (c != AT_OK) {
		rc = cli_fail(ctx, c, &e);
	} else if (ctx->json) {
		rc = cli_json_print(json_pack("{s:I, s:s}", "seq", (json_int_t)a.seq, "hash", a.hash));
	} else {
		anchor_format(&a, text);
		printf("%s\n", text);
	}
	at_errors_free(&e);
	return rc;
}

/* ==== backup ========================================================== */

/* `backup FILE`: an online copy.  Never overwrites an existing file: a
 * typo must not destroy yesterday's backup (or the database itself). */
int cli_cmd_backup(struct cli_ctx *ctx, int argc, char **argv)
{
	struct at_errors e = AT_ERRORS_INIT;
	enum at_code c;
	int npos, rc;

	if (cli_parse(ctx, argc, argv, NULL, &npos) < 0 || cli_expect(ctx, npos, 1, 1))
		return 2;
	if (!argv[1][0])
		return cli_usage(ctx, "the backup file name is empty");
	if (access(argv[1], F_OK) == 0)
		return cli_refuse(ctx, AT_CONFLICT,
		                  "%s already exists; a backup never overwrites a file, so choose "
		                  "a new name",
		                  argv[1]);
	if (db_is_server(ctx->db_path))
		return cli_backup_server(ctx, argv[1]);
	if ((rc = cli_open(ctx)) != 0)
		return rc;
	c = db_backup(ctx->st, argv[1], &e);
	if (c != AT_OK) {
		rc = cli_fail(ctx, c, &e);
		goto out;
	}
	if (ctx->json)
		rc = cli_json_print(json_pack("{s:s, s:s, s:I}", "database", ctx->db_shown, "backup",
		                              argv[1], "events",
		                              (json_int_t)db_event_count(ctx->st)));
	else
		printf("Backed up %s to %s (%lld events)\n", ctx->db_shown, argv[1],
		       (long long)db_event_count(ctx->st));
out:
	at_errors_free(&e);
	return rc;
}
