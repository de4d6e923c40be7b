/*
 * page_backup.c — /admin/backup: download a backup of the running
 * database, and restore one (core/backup.h), while the server runs.
 *
 *   GET  /admin/backup                 what the database holds; the two forms
 *   POST /admin/backup/download        an online backup (SQLite's backup
 *                                      API) streamed as a dated .db file
 *   POST /admin/backup/restore         upload a file: it is kept (web/jobs.h)
 *                                      and checked in the background
 *   GET  /admin/backup/restore/{token} "checking…", then the verdict: the
 *                                      verify problems, or what is there now
 *                                      and what the file holds, side by side,
 *                                      with "Restore this backup"
 *   POST /admin/backup/restore/{token} op=restore: swap; op=discard
 *
 * The swap holds every other request off (web_exclusive): none is in
 * flight while the database is replaced, and those that arrive wait and
 * then see the restored one.  Both the backup and the restore are written
 * to the security log.
 */
#include "web/page.h"
#include "web/offload.h"

#include <fcntl.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/backup.h"
#include "core/db.h"
#include "util/text.h"
#include "web/jobs.h"
#include "web/upload.h"

/* A restore job: the raw upload until it is staged, and the verdict. */
struct restore_job {
	char upload[4200];
	int restored;                        /* swapped in already (a second confirm) */
	enum at_code code;
	struct at_errors e;
	struct backup_summary file, live;
};

static void restore_job_free(void *data)
{
	struct restore_job *rj = data;

	if (!rj)
		return;
	if (rj->upload[0])
		unlink(rj->upload);
	at_errors_free(&rj->e);
	free(rj);
}

/* ==== the page ========================================================= */

static const struct page_col sum_cols[] = {
	{ "", NULL }, { "Now", "text-end" }, { "In the file", "text-end" },
};

/* One row of the comparison; `b` NULL for a one-column table. */
static void sum_row(struct pg *p, const char *what, int64_t a, const int64_t *b)
{
	struct html *h = &p->h;

	html_open(h, "tr", HTML_END);
	html_elem(h, "th", what, "scope", "row", HTML_END);
	html_open(h, "td", "class", "text-end", HTML_END);
	html_int(h, a);
	html_close(h);
	if (b) {
		html_open(h, "td", "class", "text-end", HTML_END);
		html_int(h, *b);
		html_close(h);
	}
	html_close(h);
}

/* What the database holds (and, with `file`, what the file holds). */
static void summary_table(struct pg *p, const char *id, const struct backup_summary *now,
                          const struct backup_summary *file)
{
	struct html *h = &p->h;
	int depth = page_table_open(p, "w-auto", id, sum_cols, file ? 3 : 2);

	sum_row(p, "Assets", now->assets, file ? &file->assets : NULL);
	sum_row(p, "Events", now->events, file ? &file->events : NULL);
	sum_row(p, "Holders", now->holders, file ? &file->holders : NULL);
	sum_row(p, "Cases", now->cases, file ? &file->cases : NULL);
	sum_row(p, "Users", now->users, file ? &file->users : NULL);
	html_open(h, "tr", HTML_END);
	html_elem(h, "th", "Newest event", "scope", "row", HTML_END);
	html_open(h, "td", "class", "text-end", HTML_END);
	page_time(p, now->newest_event);
	html_close(h);
	if (file) {
		html_open(h, "td", "class", "text-end", HTML_END);
		page_time(p, file->newest_event);
		html_close(h);
	}
	html_close(h);
	html_closeto(h, depth);
}

/* "Database restored": what the restore left, read back. */
static void restored_notice(struct pg *p, const struct backup_summary *now)
{
	const char *kept = web_query(p->rq, "kept");
	char text[AT_MSG_MAX];

	snprintf(text, sizeof(text), "The database now holds %lld events and %lld assets.",
	         (long long)now->events, (long long)now->assets);
	page_success_open(p, "Database restored", text);
	if (kept && *kept) {
		html_open(&p->h, "p", "class", "mb-0", "id", "restored-kept", HTML_END);
		html_text(&p->h, "The database it replaced is kept on the server as ");
		html_elem(&p->h, "code", kept, HTML_END);
		html_text(&p->h, ".");
		html_close(&p->h);
	}
	html_close(&p->h);
}

static void download_card(struct pg *p)
{
	struct html *h = &p->h;

	html_open(h, "section", "class", "card h-100", "aria-labelledby", "download-title",
	          HTML_END);
	html_open(h, "div", "class", "card-body", HTML_END);
	html_elem(h, "h2", "Download a backup", "id", "download-title", "class", "h5 mt-0",
	          HTML_END);
	html_elem(h, "p",
	          "A complete copy of the database as it is now, taken while the server keeps "
	          "running (SQLite's online backup), as one .db file. It holds everything: "
	          "assets, the event log, holders, users and their password hashes; keep it "
	          "somewhere safe.", HTML_END);
	page_form_open(p, "/admin/backup/download", "backup-download");
	page_button(p, "Download backup", NULL, NULL, "primary");
	html_close(h);
	html_close(h);
	html_close(h);
}

static void restore_card(struct pg *p, const struct at_errors *e)
{
	struct html *h = &p->h;

	html_open(h, "section", "class", "card h-100", "aria-labelledby", "restore-title",
	          HTML_END);
	html_open(h, "div", "class", "card-body", HTML_END);
	html_elem(h, "h2", "Restore from a backup", "id", "restore-title", "class", "h5 mt-0",
	          HTML_END);
	html_elem(h, "p",
	          "Upload a backup file. It is verified first (every invariant, the hash "
	          "chain, a replay of the whole log); then you see what it holds beside what "
	          "the database holds now, and decide. Nothing changes before you confirm.",
	          HTML_END);
	page_upload_form_open(p, "/admin/backup/restore", "restore-upload", NULL);
	page_file_field(p, "file", "Backup file", ".db,.sqlite,.sqlite3,application/octet-stream",
	                "A .db file from Download backup or assettrack backup",
	                page_field_error(e, "file"));
	page_button(p, "Upload and verify", NULL, NULL, "secondary");
	html_close(h);
	html_close(h);
	html_close(h);
}

static void render_backup_page(struct request *rq, int status, const struct at_errors *e)
{
	static const char *const fields[] = { "file", NULL };
	struct backup_summary now;
	struct at_errors se = AT_ERRORS_INIT;
	struct pg p;
	int have = backup_summary_of(rq->cfg->db_path, &now, &se) == AT_OK;

	page_begin(&p, rq, "Backup and restore");
	page_error_summary(&p, e, fields);
	if (!e && web_query(rq, "restored") && have)
		restored_notice(&p, &now);
	if (!e && web_query(rq, "discarded"))
		page_notice(&p, "info", "Upload discarded", "Nothing was restored.");
	if (have) {
		html_elem(&p.h, "h2", "The database now", "class", "h5", HTML_END);
		summary_table(&p, "backup-now", &now, NULL);
	}
	/* A PostgreSQL database is backed up by `assettrack backup` or its own
	 * tools and restored by its own (README, "Running on PostgreSQL"): no
	 * download, no upload here. */
	if (db_is_server(rq->cfg->db_path)) {
		page_notice(&p, "info", "This database is on PostgreSQL",
		            "Back it up on the server with assettrack backup FILE (a verified "
		            "SQLite copy, which the nightly job makes too) or with pg_dump -Fc "
		            "(or base backups and WAL archiving), and restore with pg_restore; then "
		            "run assettrack verify on the restored database. Downloading and "
		            "restoring here are for SQLite files.");
		page_end(&p, status);
		at_errors_free(&se);
		return;
	}
	html_open(&p.h, "div", "class", "row g-3 mt-1", HTML_END);
	html_open(&p.h, "div", "class", "col-12 col-lg-6", HTML_END);
	download_card(&p);
	html_close(&p.h);
	html_open(&p.h, "div", "class", "col-12 col-lg-6", HTML_END);
	restore_card(&p, e);
	html_close(&p.h);
	html_close(&p.h);
	page_end(&p, status);
	at_errors_free(&se);
}

void page_backup_get(struct request *rq)
{
	render_backup_page(rq, 200, NULL);
}

/* ==== download ========================================================= */

/* Send the open file `fd` (taken) of `size` bytes as a download. */
static void reply_download(struct request *rq, int fd, uint64_t size, const char *filename)
{
	struct MHD_Response *r = MHD_create_response_from_fd64(size, fd);
	char disp[160];

	rq->replied = 1;
	if (!r) {
		close(fd);
		return;
	}
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", filename);
	MHD_add_response_header(r, "Content-Type", "application/octet-stream");
	MHD_add_response_header(r, "Content-Disposition", disp);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	web_queue(rq, 200, r);
	rq->status = 200;
	rq->bytes = (size_t)size;
}

void page_backup_download(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	char token[JOB_TOKEN_LEN + 1], path[4200], now[AT_TIME_LEN + 1], name[64];
	struct stat sb;
	int64_t events = 0;
	int fd = -1;

	job_token(token);
	job_file(path, sizeof(path), "backup", token, ".db");
	if (backup_write(rq->st, path, rq->actor, &events, &e) != AT_OK) {
		render_backup_page(rq, at_code_http(e.code), &e);
		at_errors_free(&e);
		return;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	/* Nameless once open: the file goes when the download is sent. */
	unlink(path);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		if (fd >= 0)
			close(fd);
		page_error(rq, 500, "Internal error", "the backup was made but cannot be read back");
		return;
	}
	text_now(now);
	snprintf(name, sizeof(name), "assettrack-%.4s%.2s%.2s-%.2s%.2s%.2s.db", now, now + 5,
	         now + 8, now + 11, now + 14, now + 17);
	reply_download(rq, fd, (uint64_t)sb.st_size, name);
	at_errors_free(&e);
}

/* ==== restore: upload and check ======================================== */

static void verify_progress(void *ctx, const char *phase, int64_t done, int64_t total)
{
	job_progress(ctx, phase, done, done, total);
}

/* In the background: stage the upload, then check the staged copy. */
static void check_work(struct job *j)
{
	struct restore_job *rj = j->data;

	job_progress(j, "copying the file", 0, 0, 0);
	rj->code = backup_stage(rj->upload, j->path, &rj->e);
	unlink(rj->upload);
	rj->upload[0] = '\0';
	if (rj->code == AT_INVALID || rj->code == AT_NOT_FOUND)
		rj->code = at_fail(&rj->e, AT_INVALID, "%s is not a SQLite database", j->name);
	if (rj->code == AT_OK)
		rj->code = backup_check(j->path, j->name, j->db_path, &rj->file, verify_progress, j,
		                        &rj->e);
	backup_summary_of(j->db_path, &rj->live, NULL);
}

static void redirect_job(struct request *rq, const char *token)
{
	char loc[80];

	snprintf(loc, sizeof(loc), "/admin/backup/restore/%s", token);
	web_redirect(rq, loc);
}

/* Keep the upload as a restore job (with `rj`, taken); NULL: why in `e`. */
static struct job *keep_upload(struct request *rq, struct restore_job *rj, struct at_errors *e)
{
	const struct web_upload *up = web_upload_file(rq, "file");
	char token[JOB_TOKEN_LEN + 1], staged[4200];
	struct job *j;

	job_token(token);
	job_file(rj->upload, sizeof(rj->upload), "restore", token, ".upload");
	job_file(staged, sizeof(staged), "restore", token, ".db");
	if (web_upload_save(rq, "file", rj->upload, e) != AT_OK) {
		rj->upload[0] = '\0';
		restore_job_free(rj);
		return NULL;
	}
	j = job_new(JOB_RESTORE, rq->user.id, token, staged, up->filename, up->len);
	if (!j) {
		restore_job_free(rj);
		at_fail(e, AT_CONFLICT, "too many uploads are waiting; restore or discard one (or "
		                        "wait 30 minutes) and try again");
		return NULL;
	}
	j->data = rj;
	j->free_data = restore_job_free;
	return j;
}

void page_backup_restore_post(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	const struct web_upload *up = web_upload_file(rq, "file");
	struct restore_job *rj;
	struct job *j;

	if (db_is_server(rq->cfg->db_path)) {
		at_fail(&e, AT_INVALID, "this database is on PostgreSQL: restore it with pg_restore");
		render_backup_page(rq, 422, &e);
		at_errors_free(&e);
		return;
	}
	if (!up || !up->filename[0] || up->len == 0) {
		at_item(&e, "file", AT_INVALID,
		        up && up->filename[0] ? "%s is empty" : "choose a backup file to restore",
		        up ? up->filename : "");
		at_items_done(&e, 1);
		render_backup_page(rq, 422, &e);
		at_errors_free(&e);
		return;
	}
	rj = calloc(1, sizeof(*rj));
	j = rj ? keep_upload(rq, rj, &e) : NULL;
	if (!rj)
		at_fail(&e, AT_INTERNAL, "out of memory");
	if (j && job_start(j, check_work) != 0) {
		at_fail(&e, AT_INTERNAL, "cannot start checking the file");
		job_end(j);
		job_put(j);
		j = NULL;
	}
	if (!j) {
		render_backup_page(rq, at_code_http(e.code), &e);
		at_errors_free(&e);
		return;
	}
	redirect_job(rq, j->token);
	job_put(j);
	at_errors_free(&e);
}

/* ==== restore: the verdict ============================================= */

static void render_checking(struct pg *p, struct job *j)
{
	struct html *h = &p->h;
	char phase[64], text[320];
	int64_t count, done, total;

	job_status(j, phase, sizeof(phase), &count, &done, &total);
	html_void(h, "meta", "http-equiv", "refresh", "content", "1", HTML_END);
	html_open(h, "div", "class", "card", "role", "status", "aria-live", "polite", "id",
	          "restore-working", HTML_END);
	html_open(h, "div", "class", "card-body", HTML_END);
	snprintf(text, sizeof(text), "Verifying %s…", j->name);
	html_elem(h, "h2", text, "class", "h5", HTML_END);
	if (total > 0)
		snprintf(text, sizeof(text), "%s: %lld of %lld.", phase[0] ? phase : "starting",
		         (long long)done, (long long)total);
	else
		snprintf(text, sizeof(text), "%s.", phase[0] ? phase : "starting");
	text[0] = (char)(text[0] >= 'a' && text[0] <= 'z' ? text[0] - 'a' + 'A' : text[0]);
	html_elem(h, "p", text, "class", "mb-0", HTML_END);
	html_elem(h, "p", "This page updates itself.", "class", "small text-muted mb-0 mt-2",
	          HTML_END);
	html_close(h);
	html_close(h);
}

static const struct page_col problem_cols[] = {
	{ "Problem", NULL }, { "What is wrong", NULL },
};

/* The file cannot be restored: why, and each verify problem. */
static void render_refused(struct pg *p, const struct job *j, const struct restore_job *rj)
{
	struct html *h = &p->h;
	int depth;

	html_open(h, "div", "class", "error-summary", "role", "alert", "tabindex", "-1",
	          "data-autofocus", "", "aria-labelledby", "refused-title", HTML_END);
	html_elem(h, "h2", "This file cannot be restored", "id", "refused-title", "class", "h5",
	          HTML_END);
	html_open(h, "p", "class", "mb-0", "id", "restore-refusal", HTML_END);
	html_text(h, rj->e.message);
	html_text(h, " (");
	html_elem(h, "code", at_code_name(rj->e.code), HTML_END);
	html_text(h, ")");
	html_close(h);
	html_close(h);
	if (rj->e.nitems) {
		html_elem(h, "h2", "What verify found", "class", "h5", HTML_END);
		depth = page_table_open(p, NULL, "restore-problems", problem_cols, 2);
		for (size_t i = 0; i < rj->e.nitems; i++) {
			html_open(h, "tr", "class", "line-bad", HTML_END);
			html_open(h, "td", "class", "text-nowrap", HTML_END);
			html_elem(h, "code", rj->e.items[i].input, HTML_END);
			html_close(h);
			html_elem(h, "td", rj->e.items[i].message, HTML_END);
			html_close(h);
		}
		html_closeto(h, depth);
	}
	(void)j;
}

/* A POST form to the job's page with its op. */
static void job_form_open(struct pg *p, const struct job *j, const char *op, const char *id,
                          const char *confirm)
{
	char action[80];

	snprintf(action, sizeof(action), "/admin/backup/restore/%s", j->token);
	page_form_open_ex(p, action, id, confirm, 0);
	page_hidden(p, "op", op);
}

/* The file verifies: both side by side, and the confirm step. */
static void render_ready(struct pg *p, const struct job *j, const struct restore_job *rj)
{
	struct html *h = &p->h;
	char text[AT_MSG_MAX];

	snprintf(text, sizeof(text),
	         "%s verifies: %lld events, hash chain intact, the replay matches its %lld "
	         "assets.", j->name, (long long)rj->file.events, (long long)rj->file.assets);
	page_notice(p, "success", "The file verifies", text);
	summary_table(p, "restore-compare", &rj->live, &rj->file);
	html_open(h, "div", "class", "alert alert-warning at-panel", HTML_END);
	html_elem(h, "h2", "What restoring does", "class", "h5 alert-heading", HTML_END);
	html_open(h, "ul", "class", "mb-0", HTML_END);
	html_elem(h, "li", "Everything is replaced by the file's content: assets, the event log, "
	                   "holders, users and sessions (you may have to log in again).", HTML_END);
	html_elem(h, "li", "The database as it is now is kept on the server, beside it, as "
	                   "DB.replaced-date-time; its signed checkpoints are set aside with it.",
	          HTML_END);
	html_elem(h, "li", "Other requests wait while the database is swapped.", HTML_END);
	html_close(h);
	html_close(h);
	html_open(h, "div", "class", "d-flex flex-wrap gap-2 my-3", HTML_END);
	snprintf(text, sizeof(text), "Replace the database with %s? The current one is kept.",
	         j->name);
	job_form_open(p, j, "restore", "restore-confirm", text);
	page_button(p, "Restore this backup", NULL, NULL, "danger");
	html_close(h);
	job_form_open(p, j, "discard", "restore-discard", NULL);
	page_button(p, "Discard", NULL, NULL, "outline-secondary");
	html_close(h);
	html_close(h);
}

static void no_such_job(struct request *rq)
{
	page_error(rq, 404, "Upload not found",
	           "This upload is no longer here: it was restored or discarded, or it waited "
	           "more than 30 minutes. Upload the file again on the backup page.");
}

void page_backup_restore_job(struct request *rq)
{
	struct job *j = job_get(rq->params[0], JOB_RESTORE, rq->user.id);
	struct restore_job *rj;
	struct pg p;

	if (!j) {
		no_such_job(rq);
		return;
	}
	rj = j->data;
	page_begin(&p, rq, "Restore from a backup");
	if (job_running(j)) {
		render_checking(&p, j);
	} else if (rj->code != AT_OK) {
		render_refused(&p, j, rj);
		html_open(&p.h, "div", "class", "my-3", HTML_END);
		job_form_open(&p, j, "discard", "restore-discard", NULL);
		page_button(&p, "Discard", NULL, NULL, "secondary");
		html_close(&p.h);
		html_close(&p.h);
	} else {
		render_ready(&p, j, rj);
	}
	page_end(&p, 200);
	job_put(j);
}

/* ==== restore: the swap ================================================ */

struct swap {
	struct request *rq;
	struct job *j;
	struct restore_result res;
	struct at_errors e;
	enum at_code code;
};

/* Runs with every other request held off (web_exclusive). */
static void swap_now(void *ctx)
{
	struct swap *s = ctx;
	struct restore_job *rj = s->j->data;

	/* Two confirms of one upload: the second finds it done. */
	if (rj->restored) {
		s->code = at_fail(&s->e, AT_CONFLICT, "this backup was restored already");
		return;
	}
	rj->restored = 1;
	s->code = backup_replace(s->rq->st, s->rq->cfg->db_path, s->j->path, s->j->name,
	                         s->rq->actor, &s->res, &s->e);
}

static void restore_now(struct request *rq, struct job *j)
{
	struct swap *s = calloc(1, sizeof(*s));
	char loc[600];
	const char *base;

	if (!s) {
		page_error(rq, 500, "Internal error", "out of memory");
		return;
	}
	s->rq = rq;
	s->j = j;
	web_exclusive(swap_now, s);
	if (s->code != AT_OK) {
		page_refusal(rq, &s->e);
	} else {
		job_end(j);
		base = strrchr(s->res.kept, '/');
		snprintf(loc, sizeof(loc), "/admin/backup?restored=1");
		page_url_add(loc, sizeof(loc), "kept", base ? base + 1 : s->res.kept);
		web_redirect(rq, loc);
	}
	at_errors_free(&s->e);
	free(s);
}

void page_backup_restore_job_post(struct request *rq)
{
	struct job *j = job_get(rq->params[0], JOB_RESTORE, rq->user.id);
	const char *op = form_get(&rq->form, "op");
	struct restore_job *rj;

	if (!j) {
		no_such_job(rq);
		return;
	}
	rj = j->data;
	if (job_running(j)) {
		page_error(rq, 409, "Busy", "The file is still being verified; wait for it.");
	} else if (op && strcmp(op, "discard") == 0) {
		job_end(j);
		web_redirect(rq, "/admin/backup?discarded=1");
	} else if (op && strcmp(op, "restore") == 0) {
		if (rj->code != AT_OK)
			page_error(rq, 409, "Cannot restore", "This file did not verify.");
		else
			restore_now(rq, j);
	} else {
		page_error(rq, 400, "Bad request", "Unknown action.");
	}
	job_put(j);
}
