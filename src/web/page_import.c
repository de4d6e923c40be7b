/*
 * page_import.c — /import: a CSV upload, its preview (the migration
 * report: where each column goes, what each row would become, what would
 * be refused and why), then "Commit import", all or nothing.
 *
 * The flow keeps the file on the server (web/jobs.h), so changing an
 * option and previewing again, or committing, never asks for it again:
 *
 *   GET  /import                 the form (and the notice of a commit)
 *   POST /import                 upload + options: keep the file, start
 *                                its preview, 303 to its page
 *   GET  /import/{token}         "working…" with the rows read so far
 *                                (reloads itself each second), then the
 *                                report with Commit import / Discard
 *   POST /import/{token}         op=preview (new options), op=commit,
 *                                op=discard; 303 back (a commit that
 *                                worked: 303 to /import?batch=ID)
 *
 * Previews and commits run in the background (core/import.h does the
 * work, the same function as the CLI and the API); a preview is a dry
 * run, so it says exactly what a commit would do, and the commit runs
 * the import again for real: if the database changed in between in a way
 * that refuses rows, nothing is imported and the page says why.
 */
#include "web/page.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/batch.h"
#include "core/import.h"
#include "util/text.h"
#include "web/jobs.h"
#include "web/upload.h"

#define IMPORT_LINES_MAX 256     /* map and status lines, as the API's */
#define IMPORT_OPTION_TEXT 16384

/* An import job's options (as typed) and its last run's outcome. */
struct import_job {
	char maps[IMPORT_OPTION_TEXT];
	char statuses[IMPORT_OPTION_TEXT];
	char room[AT_FIELD_MAX + 1];
	int latin1;
	char actor[AT_PERSON_MAX + 1];
	/* The last run. */
	int ran, dry_run;
	enum at_code code;
	struct import_report rep;
	struct at_errors e;
};

static void import_job_free(void *data)
{
	struct import_job *ij = data;

	if (!ij)
		return;
	if (ij->ran)
		import_report_free(&ij->rep);
	at_errors_free(&ij->e);
	free(ij);
}

/* Lines of `text` that are not blank. */
static size_t count_lines(const char *text)
{
	size_t n = 0;
	int blank = 1;

	for (; *text; text++) {
		if (*text == '\n' || *text == '\r') {
			n += !blank;
			blank = 1;
		} else if (*text != ' ' && *text != '\t') {
			blank = 0;
		}
	}
	return n + !blank;
}

/* The options a form carries; `e` gets field errors. */
static void options_from_form(struct request *rq, struct import_job *ij, struct at_errors *e)
{
	const char *maps = form_get(&rq->form, "maps"), *st = form_get(&rq->form, "statuses");
	const char *room = form_get(&rq->form, "default_room"), *enc = form_get(&rq->form, "encoding");
	char why[AT_WHY_MAX];

	snprintf(ij->maps, sizeof(ij->maps), "%s", maps ? maps : "");
	snprintf(ij->statuses, sizeof(ij->statuses), "%s", st ? st : "");
	if ((maps && strlen(maps) >= sizeof(ij->maps)) || (st && strlen(st) >= sizeof(ij->statuses)))
		at_item(e, maps && strlen(maps) >= sizeof(ij->maps) ? "maps" : "statuses",
		        AT_TOO_LARGE, "at most %zu characters of map lines", sizeof(ij->maps) - 1);
	if (count_lines(ij->maps) > IMPORT_LINES_MAX)
		at_item(e, "maps", AT_TOO_LARGE, "at most %d column map lines", IMPORT_LINES_MAX);
	if (count_lines(ij->statuses) > IMPORT_LINES_MAX)
		at_item(e, "statuses", AT_TOO_LARGE, "at most %d status map lines", IMPORT_LINES_MAX);
	if (text_clean_field(room ? room : "", ij->room, sizeof(ij->room), AT_FIELD_MAX, 0, 0,
	                     "default room", why) < 0)
		at_item(e, "default_room", AT_INVALID, "%s", why);
	ij->latin1 = enc && strcmp(enc, "latin1") == 0;
	if (enc && strcmp(enc, "latin1") != 0 && strcmp(enc, "utf-8") != 0)
		at_item(e, "encoding", AT_INVALID, "encoding is UTF-8 or Latin-1");
}

/* ==== the work ========================================================= */

static long file_read(void *ctx, char *buf, size_t cap)
{
	FILE *f = ctx;
	size_t n = fread(buf, 1, cap, f);

	return ferror(f) ? -1 : (long)n;
}

static void import_progress(void *ctx, size_t rows, size_t bytes, size_t total)
{
	struct job *j = ctx;

	job_progress(j, "rows", (int64_t)rows, (int64_t)bytes, (int64_t)total);
}

/* Split `text` (modified) into its non-blank lines, trimmed. */
static size_t split_lines(char *text, const char **out, size_t max)
{
	size_t n = 0;
	char *save = NULL;

	for (char *l = strtok_r(text, "\r\n", &save); l; l = strtok_r(NULL, "\r\n", &save)) {
		char *end;
		while (*l == ' ' || *l == '\t')
			l++;
		end = l + strlen(l);
		while (end > l && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*l && n < max)
			out[n++] = l;
	}
	return n;
}

/* A preview (dry run) or the import for real, on the job's file. */
static void import_work(struct job *j, int dry_run)
{
	struct import_job *ij = j->data;
	/* The option text is split in place, on copies: the page shows it
	 * again as typed. */
	char *maps = strdup(ij->maps), *statuses = strdup(ij->statuses);
	const char *mv[IMPORT_LINES_MAX], *sv[IMPORT_LINES_MAX];
	struct import_options o;
	struct store *st = NULL;
	FILE *f = NULL;

	if (ij->ran)
		import_report_free(&ij->rep);
	memset(&ij->rep, 0, sizeof(ij->rep));
	at_errors_reset(&ij->e);
	ij->ran = 1;
	if (!maps || !statuses) {
		ij->code = at_fail(&ij->e, AT_INTERNAL, "out of memory");
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.dry_run = dry_run;
	o.maps = mv;
	o.nmaps = split_lines(maps, mv, IMPORT_LINES_MAX);
	o.statuses = sv;
	o.nstatuses = split_lines(statuses, sv, IMPORT_LINES_MAX);
	o.default_room = ij->room[0] ? ij->room : NULL;
	o.encoding = ij->latin1 ? IMPORT_LATIN1 : IMPORT_UTF8;
	o.progress = import_progress;
	o.pctx = j;
	o.total_bytes = (size_t)j->size;
	/* Like a request: a restore must not swap the database under it. */
	web_hold_shared();
	ij->code = db_open(j->db_path, 0, &st, &ij->e);
	if (ij->code == AT_OK && !(f = fopen(j->path, "rb")))
		ij->code = at_fail(&ij->e, AT_STORAGE, "the uploaded file is gone");
	if (ij->code == AT_OK)
		ij->code = import_run(st, ij->actor, &o, file_read, f, &ij->rep, &ij->e);
	if (f)
		fclose(f);
	db_close(st);
	web_hold_release();
out:
	free(maps);
	free(statuses);
}

/* The run the request asked for (ij->dry_run, set before job_start). */
static void run_work(struct job *j)
{
	struct import_job *ij = j->data;

	import_work(j, ij->dry_run);
}

/* Start a preview (dry run) or the import of job `j`; -1 if it cannot. */
static int start_run(struct job *j, int dry_run)
{
	struct import_job *ij = j->data;

	if (job_running(j))
		return -1;
	ij->dry_run = dry_run;
	return job_start(j, run_work);
}

/* ==== upload forms (page.h; page_backup.c uses them too) ============== */

void page_upload_form_open(struct pg *p, const char *action, const char *id,
                           const char *confirm)
{
	html_open(&p->h, "form", "method", "post", "action", action, "id", id, "enctype",
	          "multipart/form-data", "data-confirm", confirm, HTML_END);
	if (p->rq->authed && p->rq->via_cookie)
		page_hidden(p, "csrf_token", p->rq->csrf);
}

void page_file_field(struct pg *p, const char *name, const char *label, const char *accept,
                     const char *hint, const char *error)
{
	struct html *h = &p->h;
	char hint_id[96], err_id[96], described[200];

	snprintf(hint_id, sizeof(hint_id), "%s-hint", name);
	snprintf(err_id, sizeof(err_id), "%s-error", name);
	snprintf(described, sizeof(described), "%s%s%s", hint ? hint_id : "",
	         hint && error ? " " : "", error ? err_id : "");
	html_open(h, "div", "class", "mb-3", HTML_END);
	html_elem(h, "label", label, "for", name, "class", "form-label", HTML_END);
	html_elem(h, "span", " (required)", "class", "text-muted small", "aria-hidden", "true",
	          HTML_END);
	if (hint)
		html_elem(h, "div", hint, "id", hint_id, "class", "form-text mt-0 mb-1", HTML_END);
	if (error)
		html_elem(h, "div", error, "id", err_id, "class", "field-error", HTML_END);
	html_void(h, "input", "type", "file", "id", name, "name", name, "accept", accept, "required",
	          "", "class", error ? "form-control is-invalid" : "form-control",
	          "aria-describedby", described[0] ? described : NULL, "aria-invalid",
	          error ? "true" : NULL, HTML_END);
	html_close(h);
}

/* ==== the form ========================================================= */

static const char *const enc_values[] = { "utf-8", "latin1" };
static const char *const enc_labels[] = { "UTF-8", "Latin-1 (Windows-1252)" };
static const char *const upload_fields[] = { "file", "maps", "statuses", "default_room",
	                                     "encoding", NULL };

/* The option fields (as in `ij`, or empty). */
static void option_fields(struct pg *p, const struct import_job *ij, const struct at_errors *e)
{
	struct html *h = &p->h;

	html_open(h, "div", "class", "row g-3", HTML_END);
	html_open(h, "div", "class", "col-12 col-lg-6", HTML_END);
	page_field(p, "maps", "Column map", ij ? ij->maps : NULL,
	           "One COLUMN=DESTINATION per line, e.g. Asset Name=notes or Bin=ignore",
	           page_field_error(e, "maps"), F_TEXTAREA);
	html_close(h);
	html_open(h, "div", "class", "col-12 col-lg-6", HTML_END);
	page_field(p, "statuses", "Status map", ij ? ij->statuses : NULL,
	           "One NAME=STATE[:CONDITION] per line, e.g. Pending=STORAGE:FAULTY",
	           page_field_error(e, "statuses"), F_TEXTAREA);
	html_close(h);
	html_open(h, "div", "class", "col-12 col-md-6", HTML_END);
	page_field(p, "default_room", "Default room", ij ? ij->room : NULL,
	           "For locations that name no room (default: unassigned)",
	           page_field_error(e, "default_room"), 0);
	html_close(h);
	html_open(h, "div", "class", "col-12 col-md-6", HTML_END);
	page_select(p, "encoding", "Encoding", enc_values, enc_labels, 2,
	            ij && ij->latin1 ? "latin1" : "utf-8", page_field_error(e, "encoding"));
	html_close(h);
	html_close(h);
}

static void intro(struct pg *p)
{
	html_elem(&p->h, "p",
	          "Import assets from a CSV file: AssetTrack's own export, Snipe-IT's asset "
	          "export, HomeBox's or Shelf.nu's, or any CSV with a column map. The preview "
	          "shows where every column goes and what every row becomes; nothing changes "
	          "until you commit, and then every row is imported or none.",
	          "class", "text-muted", HTML_END);
}

/* The upload form; `e` and `ij` (may be NULL) what a refused post had. */
static void upload_form(struct pg *p, const struct import_job *ij, const struct at_errors *e)
{
	struct html *h = &p->h;

	html_open(h, "section", "class", "card mb-4", "aria-labelledby", "upload-title", HTML_END);
	html_open(h, "div", "class", "card-body", HTML_END);
	html_elem(h, "h2", "Upload a CSV file", "id", "upload-title", "class", "h5 mt-0", HTML_END);
	page_upload_form_open(p, "/import", "import-upload", NULL);
	page_file_field(p, "file", "CSV file", ".csv,text/csv,text/plain",
	                "Up to 64 MiB; the first line names the columns",
	                page_field_error(e, "file"));
	option_fields(p, ij, e);
	page_button(p, "Preview import", NULL, NULL, "primary");
	html_close(h);
	html_close(h);
	html_close(h);
}

/* "Imported ...": the batch as the log has it. */
static void committed_notice(struct pg *p, const char *batch_id, const char *n)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct batch b;
	char id[AT_BATCH_ID_LEN + 1], text[AT_MSG_MAX], href[80];

	if (!batch_id_parse(batch_id, id) || read_batch(p->rq->st, id, 1, 0, &b, &e) != AT_OK) {
		at_errors_free(&e);
		return;
	}
	snprintf(text, sizeof(text), "%s assets imported in one batch of %lld events, by %s.",
	         n && *n ? n : "The", (long long)b.count, b.actor);
	page_success_open(p, "Import committed", text);
	snprintf(href, sizeof(href), "/receipts/%s", id);
	html_open(&p->h, "p", "class", "mb-0", HTML_END);
	html_elem(&p->h, "a", "View the import's record", "href", href, "class", "alert-link",
	          HTML_END);
	html_text(&p->h, " (batch ");
	html_elem(&p->h, "code", id, HTML_END);
	html_text(&p->h, ")");
	html_close(&p->h);
	html_close(&p->h);
	batch_free(&b);
}

static void render_form_page(struct request *rq, int status, const struct import_job *ij,
                             const struct at_errors *e)
{
	struct pg p;
	const char *batch = web_query(rq, "batch");

	page_begin(&p, rq, "Import assets");
	page_error_summary(&p, e, upload_fields);
	if (!e && batch)
		committed_notice(&p, batch, web_query(rq, "n"));
	if (!e && web_query(rq, "discarded"))
		page_notice(&p, "info", "Upload discarded", "Nothing was imported.");
	intro(&p);
	upload_form(&p, ij, e);
	page_end(&p, status);
}

void page_import_get(struct request *rq)
{
	render_form_page(rq, 200, NULL, NULL);
}

/* ==== the upload ======================================================= */

/* Check the file part; its problems into `e`. */
static void check_file(struct request *rq, struct at_errors *e)
{
	const struct web_upload *up = web_upload_file(rq, "file");

	if (!up || !up->filename[0])
		at_item(e, "file", AT_INVALID, "choose a CSV file to import");
	else if (up->len == 0)
		at_item(e, "file", AT_INVALID, "%s is empty", up->filename);
	else if (up->len > WEB_CSV_LIMIT)
		at_item(e, "file", AT_TOO_LARGE, "%s is larger than 64 MiB", up->filename);
}

/* Keep the file as a job with `ij` (taken); the job, or NULL (why in e). */
static struct job *keep_upload(struct request *rq, struct import_job *ij, struct at_errors *e)
{
	const struct web_upload *up = web_upload_file(rq, "file");
	char token[JOB_TOKEN_LEN + 1], path[4200];
	struct job *j;

	job_token(token);
	job_file(path, sizeof(path), "import", token, ".csv");
	if (web_upload_save(rq, "file", path, e) != AT_OK) {
		import_job_free(ij);
		return NULL;
	}
	j = job_new(JOB_IMPORT, rq->user.id, token, path, up->filename, up->len);
	if (!j) {
		import_job_free(ij);
		at_fail(e, AT_CONFLICT, "too many uploads are waiting to be committed or "
		                        "discarded; finish one (or wait 30 minutes) and try again");
		return NULL;
	}
	j->data = ij;
	j->free_data = import_job_free;
	return j;
}

static void redirect_job(struct request *rq, const char *token)
{
	char loc[64];

	snprintf(loc, sizeof(loc), "/import/%s", token);
	web_redirect(rq, loc);
}

void page_import_post(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct import_job *ij = calloc(1, sizeof(*ij));
	struct job *j;

	if (!ij) {
		page_error(rq, 500, "Internal error", "out of memory");
		return;
	}
	options_from_form(rq, ij, &e);
	check_file(rq, &e);
	snprintf(ij->actor, sizeof(ij->actor), "%s", rq->actor);
	if (e.nitems) {
		at_items_done(&e, e.nitems);
		render_form_page(rq, page_refusal_status(&e), ij, &e);
		import_job_free(ij);
		at_errors_free(&e);
		return;
	}
	j = keep_upload(rq, ij, &e);
	if (!j || start_run(j, 1) != 0) {
		if (j) {
			at_fail(&e, AT_INTERNAL, "cannot start the preview");
			job_end(j);
			job_put(j);
		}
		render_form_page(rq, at_code_http(e.code), NULL, &e);
		at_errors_free(&e);
		return;
	}
	redirect_job(rq, j->token);
	job_put(j);
	at_errors_free(&e);
}

/* ==== the report ======================================================= */

static const char *format_words(const char *f)
{
	if (strcmp(f, "assettrack") == 0)
		return "AssetTrack's export";
	if (strcmp(f, "snipe-it") == 0)
		return "Snipe-IT";
	if (strcmp(f, "homebox") == 0)
		return "HomeBox";
	if (strcmp(f, "shelf") == 0)
		return "Shelf.nu";
	return "plain CSV";
}

/* One "label: number" tile of the outcome counts. */
static void count_tile(struct pg *p, const char *id, const char *label, size_t n,
                       const char *note, int bad)
{
	struct html *h = &p->h;

	html_open(h, "div", "class", "col-6 col-md-3", HTML_END);
	html_open(h, "div", "class", bad && n ? "card h-100 border-danger" : "card h-100",
	          "id", id, HTML_END);
	html_open(h, "div", "class", "card-body py-2", HTML_END);
	html_open(h, "div", "class", bad && n ? "fs-3 fw-bold text-danger" : "fs-3 fw-bold",
	          HTML_END);
	html_textf(h, "%zu", n);
	html_close(h);
	html_elem(h, "div", label, "class", "small", HTML_END);
	if (note)
		html_elem(h, "div", note, "class", "small text-muted", HTML_END);
	html_close(h);
	html_close(h);
	html_close(h);
}

static void outcome_counts(struct pg *p, const struct import_report *r)
{
	char note[96];

	html_elem(&p->h, "h2", "Outcome", "class", "h5", HTML_END);
	html_open(&p->h, "div", "class", "row g-2 mb-3", "id", "import-outcome", HTML_END);
	count_tile(p, "count-storage", "created in storage", r->count[IMPORT_STORAGE], NULL, 0);
	snprintf(note, sizeof(note), "%zu holder%s, %zu new", r->holders,
	         r->holders == 1 ? "" : "s", r->holders_new);
	count_tile(p, "count-custody", "created in custody", r->count[IMPORT_CUSTODY], note, 0);
	count_tile(p, "count-retired", "retired", r->count[IMPORT_RETIRED], NULL, 0);
	count_tile(p, "count-refused", "refused", r->count[IMPORT_REFUSED], NULL, 1);
	html_close(&p->h);
	if (r->kept_checkouts) {
		snprintf(note, sizeof(note),
		         "%zu checkout%s to a location or another asset kept as attributes.",
		         r->kept_checkouts, r->kept_checkouts == 1 ? "" : "s");
		html_elem(&p->h, "p", note, "class", "small", HTML_END);
	}
}

static const struct page_col map_cols[] = {
	{ "Source column", NULL }, { "Goes to", NULL }, { "How", "d-none d-md-table-cell" },
};

static void mapping_table(struct pg *p, const struct import_report *r)
{
	struct html *h = &p->h;
	int depth;

	if (!r->ncols)
		return;
	html_elem(h, "h2", "Columns", "class", "h5", HTML_END);
	depth = page_table_open(p, NULL, "import-mapping", map_cols, 3);
	for (size_t i = 0; i < r->ncols; i++) {
		html_open(h, "tr", HTML_END);
		html_elem(h, "th", r->cols[i].name, "scope", "row", HTML_END);
		html_open(h, "td", HTML_END);
		html_elem(h, "code", r->cols[i].to, HTML_END);
		if (r->cols[i].note[0])
			html_elem(h, "div", r->cols[i].note, "class", "small text-muted d-md-none",
			          HTML_END);
		html_close(h);
		html_elem(h, "td", r->cols[i].note, "class", map_cols[2].cls, HTML_END);
		html_close(h);
	}
	html_closeto(h, depth);
}

static const struct page_col status_cols[] = {
	{ "Status", NULL }, { "Rows", "text-end" }, { "Becomes", NULL },
};

static void status_table(struct pg *p, const struct import_report *r)
{
	struct html *h = &p->h;
	int depth;

	if (!r->nstatuses)
		return;
	html_elem(h, "h2", "Statuses", "class", "h5", HTML_END);
	depth = page_table_open(p, NULL, "import-statuses", status_cols, 3);
	for (size_t i = 0; i < r->nstatuses; i++) {
		html_open(h, "tr", HTML_END);
		html_elem(h, "th", r->statuses[i].name, "scope", "row", HTML_END);
		html_open(h, "td", "class", "text-end", HTML_END);
		html_textf(h, "%zu", r->statuses[i].rows);
		html_close(h);
		html_elem(h, "td", r->statuses[i].to, HTML_END);
		html_close(h);
	}
	html_closeto(h, depth);
	if (r->statuses_other)
		html_elem(h, "p", "Further statuses are not listed.", "class", "small", HTML_END);
}

static const char *const outcome_titles[IMPORT_OUTCOME__MAX] = {
	[IMPORT_STORAGE] = "In storage",
	[IMPORT_CUSTODY] = "In custody",
	[IMPORT_RETIRED] = "Retired",
	[IMPORT_REFUSED] = "Refused",
};

static const struct page_col example_cols[] = {
	{ "Row", "text-end" }, { "Asset tag", NULL }, { "Becomes", NULL },
};

static void examples(struct pg *p, const struct import_report *r)
{
	struct html *h = &p->h;
	int any = 0, depth;

	for (int k = 0; k < IMPORT_OUTCOME__MAX; k++)
		any |= r->nexamples[k] > 0;
	if (!any)
		return;
	html_elem(h, "h2", "First rows of each outcome", "class", "h5", HTML_END);
	depth = page_table_open(p, NULL, "import-examples", example_cols, 3);
	for (int k = 0; k < IMPORT_OUTCOME__MAX; k++) {
		for (size_t i = 0; i < r->nexamples[k]; i++) {
			const struct import_example *x = &r->examples[k][i];
			html_open(h, "tr", HTML_END);
			html_open(h, "td", "class", "text-end", HTML_END);
			html_textf(h, "%zu", x->row);
			html_close(h);
			html_elem(h, "td", x->tag, "class", "mono", HTML_END);
			html_open(h, "td", HTML_END);
			html_elem(h, "span", outcome_titles[k], "class",
			          k == IMPORT_REFUSED ? "badge text-bg-danger me-1"
			                              : "badge text-bg-secondary me-1", HTML_END);
			html_text(h, x->text);
			html_close(h);
			html_close(h);
		}
	}
	html_closeto(h, depth);
}

static void new_cases(struct pg *p, const struct import_report *r)
{
	struct html *h = &p->h;

	if (!r->nnew_cases)
		return;
	html_elem(h, "h2", r->cases_new > r->nnew_cases ? "New cases (the first ones)" : "New cases",
	          "class", "h5", HTML_END);
	html_open(h, "ul", "id", "import-new-cases", HTML_END);
	for (size_t i = 0; i < r->nnew_cases; i++) {
		const struct import_new_case *x = &r->new_cases[i];
		html_open(h, "li", HTML_END);
		html_elem(h, "span", x->name, "class", "mono", HTML_END);
		html_textf(h, ", %d slot%s (row %zu)", x->slots, x->slots == 1 ? "" : "s", x->row);
		html_close(h);
	}
	html_close(h);
}

static void new_holders(struct pg *p, const struct import_report *r)
{
	struct html *h = &p->h;

	if (!r->nnew_holders)
		return;
	html_elem(h, "h2", r->holders_new > r->nnew_holders ? "New holders (the first ones)"
	                                                    : "New holders",
	          "class", "h5", HTML_END);
	html_open(h, "ul", "id", "import-new-holders", HTML_END);
	for (size_t i = 0; i < r->nnew_holders; i++) {
		const struct import_new_holder *x = &r->new_holders[i];
		html_open(h, "li", HTML_END);
		html_text(h, x->name);
		if (x->badge[0]) {
			html_text(h, ", badge ");
			html_elem(h, "span", x->badge, "class", "mono", HTML_END);
		}
		if (x->email[0]) {
			html_text(h, ", ");
			html_text(h, x->email);
		}
		html_textf(h, " (row %zu)", x->row);
		html_close(h);
	}
	html_close(h);
}

static void kept_checkouts(struct pg *p, const struct import_report *r)
{
	struct html *h = &p->h;

	if (!r->nkept)
		return;
	html_elem(h, "h2", "Checkouts kept as attributes", "class", "h5", HTML_END);
	html_open(h, "ul", "id", "import-kept", HTML_END);
	for (size_t i = 0; i < r->nkept; i++) {
		html_open(h, "li", HTML_END);
		html_textf(h, "Row %zu: ", r->kept[i].row);
		html_elem(h, "span", r->kept[i].tag, "class", "mono", HTML_END);
		html_text(h, " checked out to ");
		html_text(h, r->kept[i].type);
		html_text(h, " ");
		html_text(h, r->kept[i].to);
		html_close(h);
	}
	html_close(h);
}

static const struct page_col refused_cols[] = {
	{ "Row", "text-end" }, { "Reason", NULL }, { "Code", "d-none d-sm-table-cell" },
};

/* Is this item a refused row ("row 17") rather than the header or an
 * option? */
static int is_row_item(const struct at_item_error *it, unsigned long *row)
{
	return sscanf(it->input, "row %lu", row) == 1;
}

/* Why nothing can be imported: the refusal, each problem that is not a
 * row's (the header, an option) under it, then the refused rows. */
static void refusals(struct pg *p, const struct at_errors *e)
{
	struct html *h = &p->h;
	unsigned long row;
	size_t rows = 0;
	int depth;

	html_open(h, "div", "class", "error-summary", "role", "alert", "tabindex", "-1",
	          "data-autofocus", "", "aria-labelledby", "refused-title", HTML_END);
	html_elem(h, "h2", "Nothing can be imported yet", "id", "refused-title", "class", "h5",
	          HTML_END);
	html_open(h, "ul", "class", "mb-0", "id", "import-problems", HTML_END);
	for (size_t i = 0; i < e->nitems; i++) {
		if (is_row_item(&e->items[i], &row)) {
			rows++;
			continue;
		}
		html_open(h, "li", HTML_END);
		html_text(h, e->items[i].message);
		html_text(h, " (");
		html_elem(h, "code", at_code_name(e->items[i].code), HTML_END);
		html_text(h, ")");
		html_close(h);
	}
	if (rows || !e->nitems) {
		html_open(h, "li", HTML_END);
		html_text(h, e->message);
		html_text(h, " (");
		html_elem(h, "code", at_code_name(e->code), HTML_END);
		html_text(h, ")");
		html_close(h);
	}
	html_close(h);
	html_close(h);
	if (!rows)
		return;
	html_elem(h, "h2", "Refused rows", "class", "h5", HTML_END);
	depth = page_table_open(p, NULL, "import-refused", refused_cols, 3);
	for (size_t i = 0; i < e->nitems; i++) {
		const struct at_item_error *it = &e->items[i];
		if (!is_row_item(it, &row))
			continue;
		html_open(h, "tr", "class", "line-bad", HTML_END);
		html_open(h, "td", "class", "text-end text-nowrap", HTML_END);
		html_textf(h, "%lu", row);
		html_close(h);
		html_elem(h, "td", it->message, HTML_END);
		html_open(h, "td", "class", "d-none d-sm-table-cell text-nowrap", HTML_END);
		html_elem(h, "code", at_code_name(it->code), HTML_END);
		html_close(h);
		html_close(h);
	}
	html_closeto(h, depth);
}

/* A POST form to the job's page with its op. */
static void job_form_open(struct pg *p, const struct job *j, const char *op, const char *id,
                          const char *confirm)
{
	char action[64];

	snprintf(action, sizeof(action), "/import/%s", j->token);
	page_form_open_ex(p, action, id, confirm, 0);
	page_hidden(p, "op", op);
}

/* Commit import and Discard, side by side. */
static void actions(struct pg *p, const struct job *j, const struct import_job *ij)
{
	struct html *h = &p->h;
	int ok = ij->code == AT_OK;
	char confirm[160];

	html_open(h, "div", "class", "d-flex flex-wrap gap-2 my-3", "id", "import-actions", HTML_END);
	if (ok) {
		snprintf(confirm, sizeof(confirm), "Import all %zu rows of %s now?", ij->rep.rows,
		         j->name);
		job_form_open(p, j, "commit", "import-commit", confirm);
		page_button(p, "Commit import", NULL, NULL, "primary");
		html_close(h);
	}
	job_form_open(p, j, "discard", "import-discard", NULL);
	page_button(p, "Discard", NULL, NULL, ok ? "outline-secondary" : "secondary");
	html_close(h);
	html_close(h);
}

/* The options again, to preview with others without uploading again. */
static void repreview_form(struct pg *p, const struct job *j, const struct import_job *ij)
{
	struct html *h = &p->h;

	html_open(h, "details", "class", "card mt-4", "open", ij->code != AT_OK ? "" : NULL,
	          HTML_END);
	html_elem(h, "summary", "Change the options and preview again", "class",
	          "card-header", HTML_END);
	html_open(h, "div", "class", "card-body", HTML_END);
	job_form_open(p, j, "preview", "import-repreview", NULL);
	option_fields(p, ij, NULL);
	page_button(p, "Preview again", NULL, NULL, "secondary");
	html_close(h);
	html_close(h);
	html_close(h);
}

/* What the file is, in one line. */
static void file_facts(struct pg *p, const struct job *j, const struct import_job *ij)
{
	const struct import_report *r = &ij->rep;

	html_open(&p->h, "p", "id", "import-facts", HTML_END);
	html_elem(&p->h, "strong", j->name, HTML_END);
	html_textf(&p->h, ": %zu row%s, %s layout, %s", r->rows, r->rows == 1 ? "" : "s",
	           r->format[0] ? format_words(r->format) : "unknown",
	           r->encoding[0] ? r->encoding : ij->latin1 ? "latin1" : "utf-8");
	if (r->seconds > 0)
		html_textf(&p->h, " (read in %.2f s)", r->seconds);
	html_text(&p->h, ".");
	html_close(&p->h);
}

static void render_report(struct pg *p, const struct job *j, const struct import_job *ij)
{
	const struct import_report *r = &ij->rep;

	file_facts(p, j, ij);
	if (ij->code != AT_OK)
		refusals(p, &ij->e);
	else if (ij->dry_run)
		page_notice(p, "info", "Preview: nothing has changed yet",
		            "This is what committing will do. Commit imports every row in one "
		            "batch, or nothing if any row is refused by then.");
	actions(p, j, ij);
	/* Nothing read (the header refused): no counts to show. */
	if (r->rows)
		outcome_counts(p, r);
	mapping_table(p, r);
	status_table(p, r);
	examples(p, r);
	new_holders(p, r);
	new_cases(p, r);
	kept_checkouts(p, r);
	repreview_form(p, j, ij);
}

/* ==== the job's page =================================================== */

/* "Working…": how far, reloading itself each second. */
static void render_working(struct pg *p, struct job *j, const struct import_job *ij)
{
	struct html *h = &p->h;
	char phase[64], text[160], pct[16];
	int64_t rows, done, total;

	job_status(j, phase, sizeof(phase), &rows, &done, &total);
	/* A reload each second while it works: no script needed. */
	html_void(h, "meta", "http-equiv", "refresh", "content", "1", HTML_END);
	html_open(h, "div", "class", "card", "role", "status", "aria-live", "polite", "id",
	          "import-working", HTML_END);
	html_open(h, "div", "class", "card-body", HTML_END);
	snprintf(text, sizeof(text), "%s %s…", ij->dry_run ? "Previewing" : "Importing", j->name);
	html_elem(h, "h2", text, "class", "h5", HTML_END);
	snprintf(text, sizeof(text), "%lld rows read so far.", (long long)rows);
	html_elem(h, "p", text, "class", "mb-2", HTML_END);
	snprintf(pct, sizeof(pct), "%lld", total > 0 ? (long long)(done * 100 / total) : 0LL);
	html_elem(h, "progress", pct, "max", "100", "value", pct, "class", "w-100",
	          "aria-label", "Share of the file read", HTML_END);
	html_elem(h, "p", "This page updates itself; the work goes on if you leave it.",
	          "class", "small text-muted mb-0 mt-2", HTML_END);
	html_close(h);
	html_close(h);
}

static void no_such_job(struct request *rq)
{
	page_error(rq, 404, "Import not found",
	           "This upload is no longer here: it was committed or discarded, or it waited "
	           "more than 30 minutes. Upload the file again on the import page.");
}

/* Two requests on one job (a double click, two tabs) take turns: the
 * options and the outcome they read and write are not the work's while
 * it runs, but they are each other's. */
static pthread_mutex_t import_mu = PTHREAD_MUTEX_INITIALIZER;

void page_import_job(struct request *rq)
{
	struct job *j = job_get(rq->params[0], JOB_IMPORT, rq->user.id);
	struct import_job *ij;
	struct pg p;
	char loc[96];
	int running;

	if (!j) {
		no_such_job(rq);
		return;
	}
	ij = j->data;
	pthread_mutex_lock(&import_mu);
	running = job_running(j);
	if (!running && ij->ran && !ij->dry_run && ij->code == AT_OK) {
		/* Committed: the job is over, the log has the rest. */
		snprintf(loc, sizeof(loc), "/import?batch=%s&n=%zu", ij->rep.batch_id,
		         ij->rep.created);
		job_end(j);
		web_redirect(rq, loc);
	} else {
		page_begin(&p, rq, "Import assets");
		if (running)
			render_working(&p, j, ij);
		else
			render_report(&p, j, ij);
		page_end(&p, 200);
	}
	pthread_mutex_unlock(&import_mu);
	job_put(j);
}

void page_import_job_post(struct request *rq)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct job *j = job_get(rq->params[0], JOB_IMPORT, rq->user.id);
	const char *op = form_get(&rq->form, "op");
	struct import_job *ij;

	if (!j) {
		no_such_job(rq);
		return;
	}
	ij = j->data;
	pthread_mutex_lock(&import_mu);
	if (op && strcmp(op, "discard") == 0) {
		if (job_running(j)) {
			page_error(rq, 409, "Busy", "The import is still working; discard it when done.");
		} else {
			job_end(j);
			web_redirect(rq, "/import?discarded=1");
		}
	} else if (job_running(j)) {
		page_error(rq, 409, "Busy", "The import is still working; wait for it to finish.");
	} else if (op && strcmp(op, "commit") == 0) {
		/* Only what was previewed may be committed, as it was previewed. */
		if (!ij->ran || !ij->dry_run || ij->code != AT_OK)
			page_error(rq, 409, "Preview first",
			           "Commit follows a preview that refused no row.");
		else if (start_run(j, 0) != 0)
			page_error(rq, 500, "Internal error", "cannot start the import");
		else
			redirect_job(rq, j->token);
	} else if (op && strcmp(op, "preview") == 0) {
		options_from_form(rq, ij, &e);
		if (e.nitems) {
			at_items_done(&e, e.nitems);
			page_refusal(rq, &e);
		} else if (start_run(j, 1) != 0) {
			page_error(rq, 500, "Internal error", "cannot start the preview");
		} else {
			redirect_job(rq, j->token);
		}
	} else {
		page_error(rq, 400, "Bad request", "Unknown action.");
	}
	pthread_mutex_unlock(&import_mu);
	job_put(j);
	at_errors_free(&e);
}
