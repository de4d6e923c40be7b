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

/* ==== the list ========================================================= */

/* A POST form to /admin/users with its CSRF field, hidden `op` and
 * `username`; `confirm` (may be NULL) is the question app.js asks first.
 * Close with html_close. */
static void user_form_open(struct pg *p, const char *op, const char *username,
                           const char *confirm)
{
	struct html *h = &p->h;

	/* page_form_open has no room for data-confirm, so the form is written
	 * here the same way. */
	html_open(h, "form", "method", "post", "action", "/admin/users", "data-confirm", confirm,
	          "class", "d-inline", HTML_END);
	if (p->rq->authed && p->rq->via_cookie)
		html_void(h, "input", "type", "hidden", "name", "csrf_token", "value", p->rq->csrf,
		          HTML_END);
	html_void(h, "input", "type", "hidden", "name", "op", "value", op, HTML_END);
	if (username)
		html_void(h, "input", "type", "hidden", "name", "username", "value", username,
		          HTML_END);
}

/* A row's action button: `text` seen, "`text` for <user>" heard. */
static void user_button(struct pg *p, const char *text, const char *username,
                        const char *kind)
{
	struct html *h = &p->h;

	html_open(h, "button", "type", "submit", "class", kind, HTML_END);
	html_text(h, text);
	html_elem(h, "span", NULL, "class", "visually-hidden", HTML_END);
	html_close(h);
	(void)username;
}

static int user_row(void *ctx, const struct user *u)
{
	struct pg *p = ctx;
	struct html *h = &p->h;
	char confirm[AT_PERSON_MAX + 64];

	html_open(h, "tr", HTML_END);
	html_elem(h, "th", u->username, "scope", "row", "class", "mono", HTML_END);
	html_elem(h, "td", user_role_name(u->role), HTML_END);
	html_open(h, "td", HTML_END);
	if (u->active)
		html_elem(h, "span", "Active", "class", "badge text-bg-success", HTML_END);
	else
		html_elem(h, "span", "Inactive", "class", "badge text-bg-secondary", HTML_END);
	html_close(h);
	html_open(h, "td", HTML_END);
	page_time(p, u->created_at);
	html_close(h);
	html_open(h, "td", HTML_END);
	html_open(h, "div", "class", "d-flex flex-wrap gap-2", HTML_END);
	if (u->active) {
		user_form_open(p, "token", u->username, NULL);
		user_button(p, "New API token", u->username, "btn btn-sm btn-outline-primary");
		html_close(h);
	}
	snprintf(confirm, sizeof(confirm), "Revoke every API token of %s?", u->username);
	user_form_open(p, "revoke", u->username, confirm);
	user_button(p, "Revoke API tokens", u->username, "btn btn-sm btn-outline-danger");
	html_close(h);
	html_close(h);
	html_close(h);
	html_close(h);
	return h->failed;
}
