/*
 * page_auth.c — the login page and logout (SPEC §8.1: Username,
 * Password, "Log in").  The same throttle and sessions as the JSON login
 * (web_login in auth.c).
 */
#include <stdio.h>
#include <string.h>

#include "core/session.h"
#include "web/page.h"

static const char *const login_fields[] = { "username", "password", NULL };

/* The login form, with `e` (may be NULL) explaining a refusal. */
static void login_page(struct request *rq, const char *username, const struct at_errors *e,
                       int status)
{
	struct pg p;

	page_begin(&p, rq, "Log in");
	page_error_summary(&p, e, login_fields);
	html_open(&p.h, "div", "class", "card at-narrow-card", HTML_END);
	html_open(&p.h, "div", "class", "card-body", HTML_END);
	page_form_open(&p, "/login", "login-form");
	page_field(&p, "username", "Username", username, NULL, page_field_error(e, "username"),
	           username && username[0] ? 0 : F_AUTOFOCUS);
	page_field(&p, "password", "Password", "", NULL, page_field_error(e, "password"),
	           F_PASSWORD | (username && username[0] ? F_AUTOFOCUS : 0));
	page_button(&p, "Log in", NULL, NULL, "primary");
	html_close(&p.h);
	html_close(&p.h);
	html_close(&p.h);
	page_end(&p, status);
}

void page_login_get(struct request *rq)
{
	if (rq->authed) {
		web_redirect(rq, "/");
		return;
	}
	login_page(rq, NULL, NULL, 200);
}

void page_login_post(struct request *rq)
{
	const char *name = form_get(&rq->form, "username"), *pass = form_get(&rq->form, "password");
	char csrf[AT_SECRET_HEX + 1], cookie[256];
	struct at_errors e = AT_ERRORS_INIT;
	struct user u;
	enum at_code c;
	long wait = 0;

	if (!name || !*name || !pass || !*pass) {
		if (!name || !*name)
			at_item(&e, "username", AT_INVALID, "Enter your username");
		if (!pass || !*pass)
			at_item(&e, "password", AT_INVALID, "Enter your password");
		at_fail(&e, AT_INVALID, "Enter your username and password");
		login_page(rq, name, &e, 422);
		at_errors_free(&e);
		return;
	}
	c = web_login(rq, name, pass, &u, csrf, cookie, &wait, &e);
	if (c == AT_OK) {
		web_redirect_hdr(rq, "/", "Set-Cookie", cookie);
	} else if (c == AT_UNAUTHORIZED) {
		if (wait > 0)
			at_fail(&e, AT_UNAUTHORIZED,
			        "Too many failed logins for %s. Try again in %ld seconds.", name, wait);
		else
			at_fail(&e, AT_UNAUTHORIZED, "Wrong username or password.");
		login_page(rq, name, &e, wait > 0 ? 429 : 401);
	} else {
		login_page(rq, name, &e, at_code_http(c));
	}
	at_errors_free(&e);
}

void page_logout_post(struct request *rq)
{
	char cookie[256];

	web_logout(rq, cookie);
	web_redirect_hdr(rq, "/login", "Set-Cookie", cookie);
}
