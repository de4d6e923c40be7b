/*
 * page.h — the web UI's shared page furniture, over the escaping HTML
 * writer (web/html.h): layout with role-aware navigation, error pages,
 * GOV.UK-style error summaries and form fields, CSRF-carrying forms, and
 * the page handlers themselves (one file per area: page_*.c).
 *
 * Pages are server-rendered and work without JavaScript; app.js only
 * enhances (focus, sounds, toggles).  Nothing here writes markup except
 * through html_*; text and attribute values are escaped by the writer.
 *
 * A page handler builds its page in a `struct pg` (page_begin ...
 * page_end), which sends it.  POST handlers that succeed answer
 * 303 See Other (web_redirect) so a reload never repeats a change; on a
 * refusal they render the form again with status 422/409, the error
 * summary, each field's error beside it, and what was typed kept.
 */
#ifndef AT_WEB_PAGE_H
#define AT_WEB_PAGE_H

#include "web/html.h"
#include "web/web.h"

/* One page being built. */
struct pg {
	struct request *rq;
	struct buf b;
	struct html h;
};

/* Start a page titled `title`: <head> (CSS, JS, favicon), a skip link,
 * the header with the navigation this user's role may use (none when
 * nobody is logged in), and <main id="main" class="container"> with an
 * <h1> of `title`. */
void page_begin(struct pg *p, struct request *rq, const char *title);
/* Close <main>, add the footer, close the document and send it. */
void page_end(struct pg *p, int status);
/* A whole page that says what went wrong (403, 404, 400...). */
void page_error(struct request *rq, int status, const char *title, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The refusal of a core call as an error page with its status. */
void page_refusal(struct request *rq, const struct at_errors *e);

/* May the logged-in user use a route open to `roles` (ROLE_BIT mask)? */
int page_can(const struct request *rq, unsigned roles);

/* Open <form method="post" action=...> with its CSRF hidden field; close
 * with html_close.  `id` may be NULL. */
void page_form_open(struct pg *p, const char *action, const char *id);
/* The same, with extras: `confirm` (may be NULL) is asked before sending
 * (app.js, data-confirm); `scan` marks a scanner form (data-scan-form,
 * novalidate: the server checks, so Enter always reaches it). */
void page_form_open_ex(struct pg *p, const char *action, const char *id, const char *confirm,
                       int scan);
/* <input type="hidden" name=... value=...> */
void page_hidden(struct pg *p, const char *name, const char *value);
/* <form method="get"> (filters); close with html_close. */
void page_getform_open(struct pg *p, const char *action);

/*
 * Field errors of a refusal.  Core's items name their input: a field
 * name ("serial_number") for field checks, or the scanned text for batch
 * lines.  page_field_error() finds the message for field `name`, or the
 * top-level message when `e->code` is about that field and no item is.
 */
const char *page_field_error(const struct at_errors *e, const char *name);
/* GOV.UK error summary: role="alert", tabindex -1, "There is a problem",
 * one line per item (linked to "#<input>" when it names a field in
 * `fields`, a NULL-terminated list; else plain), or the top message. */
void page_error_summary(struct pg *p, const struct at_errors *e, const char *const *fields);

/* Field flags. */
enum {
	F_REQUIRED = 1,      /* shows "(required)" and sets required */
	F_AUTOFOCUS = 2,
	F_SCAN = 4,          /* scanner input: data-scan, autocomplete off */
	F_TEXTAREA = 8,
	F_DATE = 16,         /* type=date */
	F_NUMBER = 32,       /* type=number inputmode=numeric */
	F_PASSWORD = 64,
	F_NARROW = 128,      /* a short field (slot number) */
};
/* A labelled text field: <label for=id>, optional hint, error message
 * (class is-invalid, aria-describedby), value kept.  The input's id and
 * name are both `name`. */
void page_field(struct pg *p, const char *name, const char *label, const char *value,
                const char *hint, const char *error, unsigned flags);
/* A labelled <select>; `values`/`labels` have `n` entries; `labels` may be
 * NULL (the values are shown). */
void page_select(struct pg *p, const char *name, const char *label, const char *const *values,
                 const char *const *labels, size_t n, const char *selected, const char *error);
/* A labelled checkbox; `toggles` (may be NULL) is the id of the element
 * that app.js shows only while it is checked. */
void page_checkbox(struct pg *p, const char *name, const char *label, int checked,
                   const char *toggles);
/* <button type=submit class="btn ..."> with `text`; `name`/`value` may be
 * NULL; `kind` is a Bootstrap variant: "primary", "secondary", "danger",
 * "outline-danger", ... */
void page_button(struct pg *p, const char *text, const char *name, const char *value,
                 const char *kind);
/* A notice panel: `kind` "success", "danger", "info", "warning".  `title`
 * and `text` may be NULL.  Success panels get role="status"; danger
 * panels role="alert". */
void page_notice(struct pg *p, const char *kind, const char *title, const char *text);

/* Append "name=value" to the URL in `url` (value percent-encoded), after
 * '?' or '&' as needed; an empty or NULL value adds nothing. */
void page_url_add(char *url, size_t cap, const char *name, const char *value);

/* The status of a refusal shown on a form: its code's, or for several
 * reasons 409/422 as the API answers a batch (web_batch_status). */
int page_refusal_status(const struct at_errors *e);

/* A definition list entry: <dt>term</dt><dd>value or "—"</dd>, and one
 * whose value is a time (page_time).  `cls` is the <dt>'s and <dd>'s
 * classes, e.g. "col-sm-4" and "col-sm-8" (may be NULL). */
void page_dl_text(struct pg *p, const char *term, const char *value, const char *dt_cls,
                  const char *dd_cls);
void page_dl_time(struct pg *p, const char *term, const char *t, const char *dt_cls,
                  const char *dd_cls);

/* A success panel (role="status") with a title and a sentence (id
 * "done-text"), left open so links can follow; close with html_close. */
void page_success_open(struct pg *p, const char *title, const char *sentence);

/* <a href="prefix<seg percent-encoded>">text</a> */
void page_link(struct pg *p, const char *prefix, const char *seg, const char *text);
/* Percent-encode `seg` for a path or query value into `out` (cap). */
void page_url_seg(char *out, size_t cap, const char *prefix, const char *seg);

/* Keyset paging of a table's rows: the read asks for one row more than
 * the page shows, and that row only proves more follow.  Returns 1 (stop
 * reading) when `*n` already is `limit`, setting `*more`; else counts the
 * row and returns 0. */
int page_rows_full(int *n, int *more, int limit);

/* A table column: its heading and its cells' classes (NULL: none). */
struct page_col {
	const char *name, *cls;
};
/* Open <div class="table-responsive"><table class="table table-sm
 * table-striped align-middle `cls`" id=`id`> with a header row of `cols`
 * (n) and an open <tbody>; `cls` and `id` may be NULL.  Returns the depth
 * to close it all with: html_closeto(&p->h, depth). */
int page_table_open(struct pg *p, const char *cls, const char *id, const struct page_col *cols,
                    size_t n);

/* An asset's state as a coloured badge (STORAGE, IN_CUSTODY, RETIRED). */
void page_state_badge(struct pg *p, const struct asset *a);
/* "PELI-07/12" linked to the case, or "—" when unslotted. */
void page_slot_link(struct pg *p, const char *case_name, int position);
/* Holder name linked to /holders/{id}, or "—". */
void page_holder_link(struct pg *p, int64_t id, const char *name);
/* A canonical time shown as "2026-12-01 14:03 UTC" in a <time> element. */
void page_time(struct pg *p, const char *canonical);
/* A table of events (seq, when, type, asset, from, to, holder, actor,
 * reason, batch), the event log's and the asset timeline's. */
struct event;
void page_events_table_open(struct pg *p);
void page_events_table_row(struct pg *p, const struct event *ev);
void page_events_table_close(struct pg *p);

/* ---- the page handlers (one file per area) ---------------------------- */

/* page_auth.c */
void page_login_get(struct request *rq);
void page_login_post(struct request *rq);
void page_logout_post(struct request *rq);
/* page_dash.c */
void page_dashboard(struct request *rq);
/* page_assets.c */
void page_assets(struct request *rq);
void page_asset(struct request *rq);
void page_asset_post(struct request *rq);
void page_asset_new_get(struct request *rq);
void page_asset_new_post(struct request *rq);
/* page_cases.c */
void page_cases(struct request *rq);
void page_case(struct request *rq);
void page_case_new_post(struct request *rq);
/* page_custody.c */
void page_stock_out_get(struct request *rq);
void page_stock_out_post(struct request *rq);
void page_stock_in_get(struct request *rq);
void page_stock_in_post(struct request *rq);
/* page_corrections.c */
void page_corrections_get(struct request *rq);
void page_corrections_post(struct request *rq);
void page_replace_get(struct request *rq);
void page_replace_post(struct request *rq);
/* page_holders.c */
void page_holders(struct request *rq);
void page_holders_post(struct request *rq);
void page_holder(struct request *rq);
void page_holder_post(struct request *rq);
/* page_reports.c: the reports and the event log */
void page_reports(struct request *rq);
void page_report_custody(struct request *rq);
void page_report_unslotted(struct request *rq);
void page_report_occupancy(struct request *rq);
void page_report_retired(struct request *rq);
void page_report_holders(struct request *rq);
void page_report_holder(struct request *rq);
void page_events(struct request *rq);
/* page_audit.c */
void page_audit_get(struct request *rq);
void page_audit_post(struct request *rq);
void page_audit_apply_post(struct request *rq);
/* "Last audited ..." of a case, as a <dt>/<dd> pair (the case page). */
void page_audit_last(struct pg *p, const char *case_name, const char *dt_cls,
                     const char *dd_cls);
/* page_receipts.c: a custody receipt, or a plain record of another batch */
void page_receipt(struct request *rq);
/* page_labels.c: the form and the labels inline; the document itself */
void page_labels_get(struct request *rq);
void page_labels_post(struct request *rq);
void page_labels_file(struct request *rq);
/* page_import.c: the upload form, the preview/progress page and its
 * actions; and the upload form furniture page_backup.c shares:
 * <form enctype="multipart/form-data"> with its CSRF field (close with
 * html_close), and a labelled, required file input. */
void page_import_get(struct request *rq);
void page_import_post(struct request *rq);
void page_import_job(struct request *rq);
void page_import_job_post(struct request *rq);
void page_upload_form_open(struct pg *p, const char *action, const char *id,
                           const char *confirm);
void page_file_field(struct pg *p, const char *name, const char *label, const char *accept,
                     const char *hint, const char *error);
/* page_backup.c: /admin/backup, download and restore */
void page_backup_get(struct request *rq);
void page_backup_download(struct request *rq);
void page_backup_restore_post(struct request *rq);
void page_backup_restore_job(struct request *rq);
void page_backup_restore_job_post(struct request *rq);
/* page_users.c */
void page_users(struct request *rq);
void page_users_post(struct request *rq);
/* static.c: GET /static/{name} */
void page_static(struct request *rq);
/* GET /favicon.ico: browsers ask for it by that name. */
void page_favicon(struct request *rq);

#endif
