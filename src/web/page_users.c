/*
 * page_users.c — /admin/users: the logins, an "Add user" form, and per
 * user a new API token or the revocation of all of theirs.
 *
 * One POST handler dispatches on the hidden `op` (add, token, revoke).
 * Adding and revoking answer 303 to the list with a notice; a new token
 * is shown in the POST's own answer instead, once: a redirect would have
 * to carry the secret in its URL (history, logs, Referer).
 */
#include "web/page.h"

#include <stdio.h>
#include <string.h>

#include "core/user.h"
#include "util/text.h"

/* What the users page shows besides the list. */
struct users_view {
	const struct at_errors *e;     /* a refusal to show, or NULL */
	const char *username, *role;   /* the add form as typed */
	const char *token_user;        /* a token just made for this user ... */
	const char *token;             /* ... shown once */
	const char *done, *done_user;  /* ?done=added|revoked&user=... */
	int64_t revoked;               /* ?n= for done=revoked */
};

static const char *const role_values[] = { "operator", "admin", "auditor" };
static const char *const role_labels[] = { "Operator", "Admin", "Auditor" };
#define N_ROLES (sizeof(role_values) / sizeof(role_values[0]))

/* ==== the list ========================================================= */

/* A POST form to /admin/users with its CSRF field, hidden `op` and
 * `username`; `confirm` (may be NULL) is the question app.js asks first.
 * Close with html_close. */
static void user_form_open(struct pg *p, const char *op, const char *username,
                           const char *confirm)
{
	page_form_open_ex(p, "/admin/users", NULL, confirm, 0);
	page_hidden(p, "op", op);
	if (username)
		page_hidden(p, "username", username);
}

/* A row's action button: `text` is what is seen; screen readers also
 * hear whose it is ("New API token for dana"), since every row has one. */
static void user_button(struct pg *p, const char *text, const char *username, const char *cls)
{
	struct html *h = &p->h;

	html_open(h, "button", "type", "submit", "class", cls, HTML_END);
	/* The visible words must not break inside the button. */
	html_text(h, text);
	html_open(h, "span", "class", "visually-hidden", HTML_END);
	html_text(h, " for ");
	html_text(h, username);
	html_close(h);
	html_close(h);
}

/*
 * The list's columns.  On a phone a row is the username (with role and
 * status under it) and the two buttons; the columns come back from 576 px.
 */
static const struct page_col user_cols[] = {
	{ "Username", NULL },
	{ "Role", "d-none d-sm-table-cell" },
	{ "Status", "d-none d-sm-table-cell" },
	{ "Created", "d-none d-lg-table-cell" },
	{ "API tokens", NULL },
};
#define N_USER_COLS (sizeof(user_cols) / sizeof(user_cols[0]))

/* A user's status as a badge. */
static void user_status(struct pg *p, const struct user *u)
{
	if (u->active)
		html_elem(&p->h, "span", "Active", "class", "badge text-bg-success", HTML_END);
	else
		html_elem(&p->h, "span", "Inactive", "class", "badge text-bg-secondary", HTML_END);
}

/* One user's row with its two token actions. */
static int user_row(void *ctx, const struct user *u)
{
	struct pg *p = ctx;
	struct html *h = &p->h;
	char confirm[AT_PERSON_MAX + 64];

	html_open(h, "tr", HTML_END);
	html_open(h, "th", "scope", "row", "class", "mono", HTML_END);
	html_text(h, u->username);
	/* What the hidden columns say, on a phone only (aria-hidden: the
	 * cells say it to screen readers already). */
	html_open(h, "div", "class", "d-sm-none small fw-normal text-muted", "aria-hidden", "true",
	          HTML_END);
	html_text(h, user_role_name(u->role));
	html_text(h, " ");
	user_status(p, u);
	html_close(h);
	html_close(h);
	html_elem(h, "td", user_role_name(u->role), "class", user_cols[1].cls, HTML_END);
	html_open(h, "td", "class", user_cols[2].cls, HTML_END);
	user_status(p, u);
	html_close(h);
	html_open(h, "td", "class", user_cols[3].cls, HTML_END);
	page_time(p, u->created_at);
	html_close(h);
	/* position-relative: the buttons' visually-hidden text is absolutely
	 * placed, and must not escape the scrolling box. */
	html_open(h, "td", "class", "position-relative", HTML_END);
	html_open(h, "div", "class", "d-flex flex-wrap gap-2", HTML_END);
	if (u->active) {
		user_form_open(p, "token", u->username, NULL);
		user_button(p, "New API token", u->username,
		            "btn btn-sm btn-outline-primary text-nowrap");
		html_close(h);
	}
	snprintf(confirm, sizeof(confirm),
	         "Revoke every API token of %s? Programs using them stop working.", u->username);
	user_form_open(p, "revoke", u->username, confirm);
	user_button(p, "Revoke API tokens", u->username,
	            "btn btn-sm btn-outline-danger text-nowrap");
	html_close(h);
	html_close(h); /* div */
	html_close(h); /* td */
	html_close(h); /* tr */
	return h->failed;
}

/* The table of every login (a handful: no paging). */
static enum at_code users_table(struct pg *p, struct at_errors *e)
{
	struct html *h = &p->h;
	enum at_code c;

	html_elem(h, "h2", "Users", "class", "h5", HTML_END);
	page_table_open(p, "users", NULL, user_cols, N_USER_COLS);
	c = read_users(p->rq->st, user_row, p, e);
	html_close(h);
	html_close(h);
	html_close(h);
	return c;
}

/* ==== the add form ===================================================== */

/* page_select with a hint, as the fields beside it have: the Role select,
 * its label level with theirs. */
static void role_select(struct pg *p, const char *selected, const char *error)
{
	struct html *h = &p->h;

	html_open(h, "div", "class", "mb-3", HTML_END);
	html_elem(h, "label", "Role", "for", "role", "class", "form-label", HTML_END);
	html_elem(h, "div", "What they may do", "id", "role-hint", "class", "form-text mt-0 mb-1",
	          HTML_END);
	if (error)
		html_elem(h, "div", error, "id", "role-error", "class", "field-error", HTML_END);
	html_open(h, "select", "id", "role", "name", "role", "class",
	          error ? "form-select is-invalid" : "form-select", "aria-describedby",
	          error ? "role-hint role-error" : "role-hint", HTML_END);
	for (size_t i = 0; i < N_ROLES; i++)
		html_elem(h, "option", role_labels[i], "value", role_values[i], "selected",
		          strcmp(selected, role_values[i]) == 0 ? "" : NULL, HTML_END);
	html_close(h);
	html_close(h);
}

static void add_form(struct pg *p, const struct users_view *v)
{
	struct html *h = &p->h;
	const struct at_errors *e = v->e;

	html_open(h, "section", "class", "card mb-4", "aria-labelledby", "add-user-title",
	          HTML_END);
	html_open(h, "div", "class", "card-body", HTML_END);
	html_elem(h, "h2", "Add user", "id", "add-user-title", "class", "h5 mt-0", HTML_END);
	page_form_open(p, "/admin/users", "add-user");
	html_void(h, "input", "type", "hidden", "name", "op", "value", "add", HTML_END);
	html_open(h, "div", "class", "row g-3 align-items-end", HTML_END);
	html_open(h, "div", "class", "col-12 col-md-4", HTML_END);
	page_field(p, "username", "Username", v->username,
	           "Letters, digits, '.', '_', '-' or '@'", page_field_error(e, "username"),
	           F_REQUIRED);
	html_close(h);
	html_open(h, "div", "class", "col-12 col-md-3", HTML_END);
	role_select(p, v->role ? v->role : "operator", page_field_error(e, "role"));
	html_close(h);
	html_open(h, "div", "class", "col-12 col-md-5", HTML_END);
	page_field(p, "password", "Password", NULL, "At least 8 characters",
	           page_field_error(e, "password"), F_PASSWORD | F_REQUIRED);
	html_close(h);
	html_close(h); /* row */
	page_button(p, "Add user", NULL, NULL, "primary");
	html_close(h); /* form */
	html_close(h);
	html_close(h);
}

/* ==== notices ========================================================== */

/* Finds the user a ?done= notice is about, to say what really happened. */
struct find_user {
	const char *name;
	struct user u;
	int found;
};

static int find_user_cb(void *ctx, const struct user *u)
{
	struct find_user *f = ctx;

	if (strcmp(u->username, f->name) != 0)
		return 0;
	f->u = *u;
	f->found = 1;
	return 1;
}

/* The confirmation of an add or revoke, read back from the database. */
static void done_notice(struct pg *p, const struct users_view *v)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct find_user f = { v->done_user, { 0 }, 0 };
	char title[AT_PERSON_MAX + 64], text[AT_PERSON_MAX + 128];

	if (!v->done || !v->done_user)
		return;
	if (read_users(p->rq->st, find_user_cb, &f, &e) != AT_OK || !f.found) {
		at_errors_free(&e);
		return;
	}
	at_errors_free(&e);
	if (strcmp(v->done, "added") == 0) {
		snprintf(title, sizeof(title), "User %s added", f.u.username);
		snprintf(text, sizeof(text), "%s can log in now with the role %s.", f.u.username,
		         user_role_name(f.u.role));
	} else if (strcmp(v->done, "revoked") == 0) {
		snprintf(title, sizeof(title), "API tokens of %s revoked", f.u.username);
		snprintf(text, sizeof(text),
		         "%lld %s revoked. Requests that use %s now get 401.", (long long)v->revoked,
		         v->revoked == 1 ? "token" : "tokens", v->revoked == 1 ? "it" : "them");
	} else {
		return;
	}
	page_notice(p, "success", title, text);
}

/* The new token, once: it is not kept anywhere but as a hash. */
static void token_panel(struct pg *p, const struct users_view *v)
{
	struct html *h = &p->h;
	char title[AT_PERSON_MAX + 64];

	if (!v->token)
		return;
	snprintf(title, sizeof(title), "New API token for %s", v->token_user);
	html_open(h, "div", "class", "alert alert-success at-panel", "role", "status",
	          "id", "new-token-panel", HTML_END);
	html_elem(h, "h2", title, "class", "h5 alert-heading", HTML_END);
	html_elem(h, "p", "Copy it now: it will not be shown again. Only its hash is kept, so a "
	                  "lost token cannot be recovered, only revoked and replaced.",
	          "class", "fw-bold", HTML_END);
	html_open(h, "p", "class", "mb-1", HTML_END);
	html_elem(h, "code", v->token, "id", "new-token", "class", "mono fs-6 user-select-all",
	          HTML_END);
	html_close(h);
	html_open(h, "p", "class", "mb-0 small", HTML_END);
	html_text(h, "Send it as ");
	html_elem(h, "code", "Authorization: Bearer <token>", HTML_END);
	html_text(h, ".");
	html_close(h);
	html_close(h);
}

/* ==== the page ========================================================= */

/* Render the users page with `status`. */
static void users_render(struct request *rq, const struct users_view *v, int status)
{
	static const char *const fields[] = { "username", "role", "password", NULL };
	struct at_errors e = AT_ERRORS_INIT;
	struct pg p;

	page_begin(&p, rq, "Users");
	page_error_summary(&p, v->e, fields);
	token_panel(&p, v);
	done_notice(&p, v);
	add_form(&p, v);
	if (users_table(&p, &e) != AT_OK) {
		buf_free(&p.b);
		page_refusal(rq, &e);
		at_errors_free(&e);
		return;
	}
	page_end(&p, status);
	at_errors_free(&e);
}

void page_users(struct request *rq)
{
	struct users_view v = { 0 };
	const char *n = web_query(rq, "n");

	v.done = web_query(rq, "done");
	v.done_user = web_query(rq, "user");
	if (n && text_parse_int(n, 0, INT64_MAX, &v.revoked) < 0)
		v.revoked = 0;
	users_render(rq, &v, 200);
}

/* op=add: user_add; 303 to the list, or the form again with the refusal. */
static void users_add(struct request *rq, struct users_view *v, struct at_errors *e)
{
	const char *pw = form_get(&rq->form, "password");
	enum user_role role = ROLE__MAX; /* unknown: core refuses it by name */
	char url[512];

	v->username = form_get(&rq->form, "username");
	v->role = form_get(&rq->form, "role");
	if (v->role && user_role_parse(v->role, &role) < 0)
		role = ROLE__MAX;
	if (user_add(rq->st, rq->actor, v->username ? v->username : "", role, pw ? pw : "", NULL,
	             e) != AT_OK) {
		users_render(rq, v, at_code_http(e->code));
		return;
	}
	page_url_seg(url, sizeof(url), "/admin/users?done=added&user=", v->username);
	web_redirect(rq, url);
}

/* op=token: a new token, shown in this answer (200), never redirected. */
static void users_token(struct request *rq, struct users_view *v, const char *username,
                        struct at_errors *e)
{
	char token[AT_TOKEN_LEN + 1], label[AT_PERSON_MAX + 32];

	snprintf(label, sizeof(label), "web, by %s", rq->actor);
	if (user_token_create(rq->st, rq->actor, username, label, token, e) != AT_OK) {
		users_render(rq, v, at_code_http(e->code));
		return;
	}
	v->token = token;
	v->token_user = username;
	users_render(rq, v, 200);
	memset(token, 0, sizeof(token));
}

/* op=revoke: every token of the user; 303 to the list with the count. */
static void users_revoke(struct request *rq, struct users_view *v, const char *username,
                         struct at_errors *e)
{
	char url[512], head[400];
	int64_t n = 0;

	if (user_tokens_revoke(rq->st, rq->actor, username, &n, e) != AT_OK) {
		users_render(rq, v, at_code_http(e->code));
		return;
	}
	snprintf(head, sizeof(head), "/admin/users?done=revoked&n=%lld&user=", (long long)n);
	page_url_seg(url, sizeof(url), head, username);
	web_redirect(rq, url);
}

void page_users_post(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct users_view v = { 0 };
	const char *op = form_get(&rq->form, "op");
	const char *username = form_get(&rq->form, "username");

	v.e = &e;
	if (op && strcmp(op, "add") == 0)
		users_add(rq, &v, &e);
	else if (op && strcmp(op, "token") == 0)
		users_token(rq, &v, username ? username : "", &e);
	else if (op && strcmp(op, "revoke") == 0)
		users_revoke(rq, &v, username ? username : "", &e);
	else
		page_error(rq, 400, "Bad request",
		           "This form asked for an action the users page does not know.");
	at_errors_free(&e);
}
