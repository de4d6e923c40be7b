/*
 * label.c — label items (what each label carries) and their layout on
 * pages, with both symbols encoded by libzint (core/label.h).  The
 * writers (SVG, PDF, PNG) are in label_render.c.
 */
#include "core/label.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zint.h>

#include "core/asset.h"
#include "core/holder.h"
#include "core/read.h"

/* ==== names ============================================================ */

/* Millimetres in dots. */
#define MM(v) ((v) * LABEL_DPI / 25.4)

/*
 * The stock each layout prints on.  Sheets: the Avery 5160 grid (2 5/8" x
 * 1" labels, 3 across and 10 down, 3/16" side and 1/2" top margins, 1/8"
 * between columns) on US Letter, and the same 30-up grid for A4 with
 * 63.5 x 25.4 mm labels (2.5 mm between columns, 7.25 mm side and
 * 21.5 mm top margins).  Thermal: one 2" x 1" label a page.
 */
static const struct geometry {
	const char *name, *title;
	double page_w, page_h, label_w, label_h, left, top, pitch_x, pitch_y;
	int cols, rows;
} geometries[LABEL_LAYOUT__MAX] = {
	[LABEL_SHEET] = { "sheet", "Letter, 30 a sheet, Avery 5160", 2550, 3300, 787.5,
	                  300, 56.25, 150, 825, 300, 3, 10 },
	[LABEL_SHEET_A4] = { "sheet-a4", "A4, 30 a sheet, 63.5 x 25.4 mm", MM(210), MM(297),
	                     MM(63.5), MM(25.4), MM(7.25), MM(21.5), MM(66), MM(25.4), 3, 10 },
	[LABEL_THERMAL] = { "thermal", "Thermal, 2 x 1 inch, one a page", 600, 300, 600, 300,
	                    0, 0, 600, 300, 1, 1 },
};

static const struct {
	const char *ext, *type;
} formats[LABEL_FORMAT__MAX] = {
	[LABEL_SVG] = { "svg", "image/svg+xml" },
	[LABEL_PDF] = { "pdf", "application/pdf" },
	[LABEL_PNG] = { "png", "image/png" },
};

const char *label_layout_name(enum label_layout l)
{
	return l < LABEL_LAYOUT__MAX ? geometries[l].name : "?";
}

const char *label_layout_title(enum label_layout l)
{
	return l < LABEL_LAYOUT__MAX ? geometries[l].title : "?";
}

int label_layout_parse(const char *s, enum label_layout *out)
{
	for (int i = 0; s && i < LABEL_LAYOUT__MAX; i++)
		if (strcmp(s, geometries[i].name) == 0) {
			*out = (enum label_layout)i;
			return 0;
		}
	return -1;
}

int label_format_of(const char *filename, enum label_format *out)
{
	const char *dot = filename ? strrchr(filename, '.') : NULL;

	for (int i = 0; dot && i < LABEL_FORMAT__MAX; i++)
		if (strcasecmp(dot + 1, formats[i].ext) == 0) {
			*out = (enum label_format)i;
			return 0;
		}
	return -1;
}

const char *label_format_ext(enum label_format f)
{
	return f < LABEL_FORMAT__MAX ? formats[f].ext : "?";
}

const char *label_format_type(enum label_format f)
{
	return f < LABEL_FORMAT__MAX ? formats[f].type : "application/octet-stream";
}

/* ==== 1. items ========================================================== */

void label_list_free(struct label_list *l)
{
	free(l->items);
	l->items = NULL;
	l->n = l->cap = 0;
}

/* Can a Code 128 carry `s` exactly?  Printable ASCII only: its other
 * characters (Latin-1 through FNC4) are read back differently by
 * different scanners. */
static int code128_text_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* Room for `more` labels, refused past LABEL_MAX. */
static enum at_code list_reserve(struct label_list *l, size_t more, struct at_errors *e)
{
	size_t want = l->n + more, cap;
	struct label_item *p;

	if (want > LABEL_MAX)
		return at_fail(e, AT_TOO_LARGE,
		               "%zu labels asked for; one document holds at most %d: print them in parts",
		               want, LABEL_MAX);
	if (want <= l->cap)
		return AT_OK;
	cap = l->cap ? l->cap : 16;
	while (cap < want)
		cap *= 2;
	p = realloc(l->items, cap * sizeof(*p));
	if (!p)
		return at_fail(e, AT_INTERNAL, "out of memory for %zu labels", want);
	l->items = p;
	l->cap = cap;
	return AT_OK;
}

/* Append one label (room reserved by the caller). */
static void list_push(struct label_list *l, const char *text, const char *caption)
{
	struct label_item *it = &l->items[l->n++];

	snprintf(it->text, sizeof(it->text), "%s", text);
	snprintf(it->caption, sizeof(it->caption), "%s", caption);
}

/* A storage failure ends the whole request; anything else is an item. */
static int is_failure(enum at_code c)
{
	return c == AT_STORAGE || c == AT_BUSY || c == AT_INTERNAL;
}

enum at_code label_add_assets(struct store *st, const char *const *inputs, size_t n,
                              struct label_list *l, struct at_errors *e)
{
	char cleaned[AT_INPUT_MAX], why[AT_MSG_MAX], caption[LABEL_CAPTION_MAX + 1];
	struct asset a;
	enum at_code c;

	if ((c = list_reserve(l, n, e)) != AT_OK)
		return c;
	for (size_t i = 0; i < n; i++) {
		c = asset_resolve(st, inputs[i], &a, cleaned, why);
		if (is_failure(c))
			return at_fail(e, c, "%s", why);
		if (c != AT_OK) {
			at_item(e, cleaned, c, "%s", why);
			continue;
		}
		/* Tags are printable ASCII by their own rule (SPEC §2). */
		snprintf(caption, sizeof(caption), "%s %s%s%s", a.manufacturer, a.equipment_type,
		         a.model[0] ? " " : "", a.model);
		list_push(l, a.tag, caption);
	}
	return at_items_done(e, n);
}

enum at_code label_add_holders(struct store *st, const char *const *inputs, size_t n,
                               struct label_list *l, struct at_errors *e)
{
	char clean[AT_PERSON_MAX + 1], why[AT_MSG_MAX];
	struct holder h;
	enum at_code c;

	if ((c = list_reserve(l, n, e)) != AT_OK)
		return c;
	for (size_t i = 0; i < n; i++) {
		/* The input as the item names it: cleaned as holder_resolve does. */
		if (text_clean_scan(inputs[i], clean, sizeof(clean), why) < 0)
			snprintf(clean, sizeof(clean), "%.60s", inputs[i]);
		c = holder_resolve(st, inputs[i], &h, why);
		if (is_failure(c))
			return at_fail(e, c, "%s", why);
		if (c != AT_OK) {
			at_item(e, clean, c, "%s", why);
		} else if (!h.badge[0]) {
			at_item(e, clean, AT_CONFLICT,
			        "%s (holder #%lld) has no badge to print; give them one on their "
			        "holder page first", h.name, (long long)h.id);
		} else if (!code128_text_ok(h.badge)) {
			at_item(e, clean, AT_INVALID,
			        "the badge of %s has characters a Code 128 cannot carry exactly "
			        "(printable ASCII only)", h.name);
		} else {
			list_push(l, h.badge, h.name);
		}
	}
	return at_items_done(e, n);
}

/* "Slot 12 of case PELI-07 (HQ 101)": the caption of a slot label. */
static void slot_caption(const struct case_info *ci, int pos, char *out, size_t cap)
{
	const char *sep = ci->building[0] && ci->room[0] ? " " : "";

	if (ci->building[0] || ci->room[0])
		snprintf(out, cap, "Slot %d of case %s (%s%s%s)", pos, ci->name, ci->building, sep,
		         ci->room);
	else
		snprintf(out, cap, "Slot %d of case %s", pos, ci->name);
}

/* A refusal of the case input `input` with code `c`. */
static enum at_code case_refused(struct at_errors *e, const char *input, enum at_code c,
                                 const char *why)
{
	at_item(e, input, c, "%s", why);
	return at_items_done(e, 1);
}

enum at_code label_add_case(struct store *st, const char *name, struct label_list *l,
                            struct at_errors *e)
{
	char clean[AT_INPUT_MAX], why[AT_MSG_MAX], text[LABEL_TEXT_MAX + 1];
	char caption[LABEL_CAPTION_MAX + 1];
	struct at_errors re = AT_ERRORS_INIT;
	struct case_info ci;
	enum at_code c;

	if (text_clean_scan(name ? name : "", clean, sizeof(clean), why) < 0)
		return case_refused(e, "", AT_INVALID, why);
	if (!clean[0])
		return case_refused(e, "", AT_INVALID, "no case given");
	c = read_case(st, clean, &ci, &re);
	snprintf(why, sizeof(why), "%s", re.message);
	at_errors_free(&re);
	if (is_failure(c))
		return at_fail(e, c, "%s", why);
	if (c != AT_OK)
		return case_refused(e, clean, c, why);
	if (!code128_text_ok(ci.name)) {
		snprintf(why, sizeof(why), "case %s has characters a Code 128 cannot carry exactly "
		         "(printable ASCII only)", ci.name);
		return case_refused(e, clean, AT_INVALID, why);
	}
	if ((c = list_reserve(l, (size_t)ci.slot_count, e)) != AT_OK)
		return c;
	for (int pos = 1; pos <= ci.slot_count; pos++) {
		snprintf(text, sizeof(text), "%s/%d", ci.name, pos);
		slot_caption(&ci, pos, caption, sizeof(caption));
		list_push(l, text, caption);
	}
	return AT_OK;
}

/* ==== 2. layout ======================================================== */

/*
 * Inside every label (all are 1" = 300 dots tall), top to bottom: the
 * bars from PAD down to above the human-readable line, that line (the
 * exact text), and up to two caption lines.  The QR code sits at the
 * right edge, centred, with its quiet zone inside the label.
 */
#define PAD 15
#define CAPTION_SIZE 30         /* 7.2 pt */
#define LINE 34
#define HRT_GAP 12              /* between the bars and the line's capitals */
#define X_MIN 3                 /* Code 128 module: 0.254 mm */
#define X_MAX 6
#define Q_MIN 4                 /* QR module: 0.339 mm */
#define Q_MAX 10
#define C128_QUIET 10           /* modules, each side (ISO/IEC 15417) */
#define QR_QUIET 4              /* modules, all round (ISO/IEC 18004) */

/* One label's geometry, relative to its top left, in dots. */
struct fit {
	int x_mod, q_mod;           /* Code 128 and QR module sizes */
	int cap2_base, cap1_base, hrt_base, bars_h;
};

/* Width a label needs for Code 128 modules of x dots beside QR modules of
 * q dots: each with its quiet zones, the one between them shared. */
static double need_width(int x, int q, int c128_cols, int qr_cols)
{
	int gap = C128_QUIET * x > QR_QUIET * q ? C128_QUIET * x : QR_QUIET * q;

	return (double)x * (C128_QUIET + c128_cols) + gap + (double)q * (qr_cols + QR_QUIET);
}

/* The biggest QR modules that leave the Code 128 room at X_MIN (phones
 * read small QR codes worst), then the widest bars beside them; 0 if
 * even the smallest pair does not fit. */
static int choose_modules(double w, double h, int c128_cols, int qr_cols, struct fit *f)
{
	int qmax = (int)floor(h / (qr_cols + 2 * QR_QUIET)), x;

	if (qmax > Q_MAX)
		qmax = Q_MAX;
	for (int q = qmax; q >= Q_MIN; q--) {
		if (need_width(X_MIN, q, c128_cols, qr_cols) > w)
			continue;
		for (x = X_MAX; x > X_MIN && need_width(x, q, c128_cols, qr_cols) > w; x--)
			;
		f->x_mod = x;
		f->q_mod = q;
		return 1;
	}
	return 0;
}

/* Vertical positions for a label `h` dots tall with a line of `hrt`. */
static void fit_lines(double h, int hrt, struct fit *f)
{
	f->cap2_base = (int)lround(h) - PAD - 6;
	f->cap1_base = f->cap2_base - LINE;
	f->hrt_base = f->cap1_base - LINE + 2;
	f->bars_h = f->hrt_base - (hrt * 7 + 9) / 10 - HRT_GAP - PAD;
}

static int grow(void **p, size_t *cap, size_t want, size_t size)
{
	size_t c = *cap ? *cap : 256;
	void *q;

	if (want <= *cap)
		return 0;
	while (c < want)
		c *= 2;
	q = realloc(*p, c * size);
	if (!q)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

static struct label_mark *mark_new(struct label_doc *d, enum label_mark_kind kind, size_t page,
                                   size_t item)
{
	struct label_mark *m;

	if (grow((void **)&d->marks, &d->marks_cap, d->nmarks + 1, sizeof(*d->marks)) < 0)
		return NULL;
	m = &d->marks[d->nmarks++];
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->page = page;
	m->item = item;
	m->first = d->nrects;
	return m;
}

static int rect_add(struct label_doc *d, int32_t x, int32_t y, int32_t w, int32_t h)
{
	if (grow((void **)&d->rects, &d->rects_cap, d->nrects + 1, sizeof(*d->rects)) < 0)
		return -1;
	d->rects[d->nrects++] = (struct label_rect){ x, y, w, h };
	return 0;
}

static int module_on(const struct zint_symbol *z, int row, int col)
{
	return (z->encoded_data[row][col >> 3] >> (col & 7)) & 1;
}

/*
 * Draw symbol `z` with modules of `mod` dots from (x, y): every run of
 * dark modules along a row is one rectangle, `row_h` dots tall (a Code
 * 128's one row is its bar height; a QR row is one module).
 */
static int symbol_mark(struct label_doc *d, enum label_mark_kind kind, size_t page, size_t item,
                       const struct zint_symbol *z, int32_t x, int32_t y, int32_t mod,
                       int32_t row_h)
{
	struct label_mark *m = mark_new(d, kind, page, item);

	if (!m)
		return -1;
	m->x = x;
	m->y = y;
	m->module = mod;
	m->cols = z->width;
	m->rows = z->rows;
	for (int r = 0; r < z->rows; r++) {
		for (int c = 0; c < z->width;) {
			int run = 0;
			while (c + run < z->width && module_on(z, r, c + run))
				run++;
			if (run && rect_add(d, x + c * mod, y + r * row_h, run * mod, row_h) < 0)
				return -1;
			c += run ? run : 1;
		}
	}
	m->count = d->nrects - m->first;
	return 0;
}

static int text_mark(struct label_doc *d, size_t page, size_t item, int32_t x, int32_t y,
                     int32_t size, const char *text)
{
	struct label_mark *m;

	if (!*text)
		return 0;
	if (!(m = mark_new(d, LABEL_MARK_TEXT, page, item)))
		return -1;
	m->x = x;
	m->y = y;
	m->size = size;
	snprintf(m->text, sizeof(m->text), "%s", text);
	return 0;
}

/* Bytes of the first `n` code points of UTF-8 `s` (fewer if it ends). */
static size_t utf8_prefix(const char *s, size_t n)
{
	size_t i = 0;

	while (s[i] && n) {
		i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		n--;
	}
	return i;
}

static size_t utf8_count(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Take one line of at most `cols` characters from *s, breaking after a
 * word when the text goes on; *s moves past it and the spaces after. */
static void take_line(const char **s, size_t cols, char *out, size_t cap)
{
	const char *p = *s;
	size_t len = utf8_prefix(p, cols);

	if (p[len] && p[len] != ' ') {
		size_t sp = len;
		while (sp > 0 && p[sp - 1] != ' ')
			sp--;
		if (sp > 0)
			len = sp;
	}
	snprintf(out, cap, "%.*s", (int)len, p);
	for (size_t e = strlen(out); e > 0 && out[e - 1] == ' '; e--)
		out[e - 1] = '\0';
	p += len;
	while (*p == ' ')
		p++;
	*s = p;
}

/* The caption in up to two lines of `cols` characters; what does not fit
 * ends in "…". */
static void wrap_caption(const char *caption, size_t cols, char *l1, char *l2, size_t cap)
{
	const char *p = caption;

	while (*p == ' ')
		p++;
	l1[0] = l2[0] = '\0';
	if (cols < 2)
		return;
	take_line(&p, cols, l1, cap);
	take_line(&p, cols, l2, cap);
	if (*p) {
		size_t keep = utf8_prefix(l2, utf8_count(l2) < cols ? utf8_count(l2) : cols - 1);
		snprintf(l2 + keep, cap - keep, "…");
	}
}

/* A zint symbol of `text` (DATA_MODE: the bytes as given), or NULL with
 * zint's reason in `why` (AT_MSG_MAX). */
static struct zint_symbol *encode(int symbology, const char *text, char *why)
{
	struct zint_symbol *z = ZBarcode_Create();
	int rc;

	if (!z) {
		snprintf(why, AT_MSG_MAX, "out of memory");
		return NULL;
	}
	z->symbology = symbology;
	z->input_mode = DATA_MODE;
	z->show_hrt = 0;
	if (symbology == BARCODE_QRCODE)
		z->option_1 = 2; /* error correction M: 15% of the code may be lost */
	rc = ZBarcode_Encode(z, (const unsigned char *)text, (int)strlen(text));
	if (rc >= ZINT_ERROR) {
		snprintf(why, AT_MSG_MAX, "%s cannot be encoded: %s", text, z->errtxt);
		ZBarcode_Delete(z);
		return NULL;
	}
	return z;
}

/* The exact text under the bars: 40 dots if it fits, else smaller. */
static int hrt_size(const char *text, int width)
{
	size_t n = utf8_count(text);

	if ((double)n * 0.6 * 40 <= width)
		return 40;
	if ((double)n * 0.6 * 30 <= width)
		return 30;
	return 20;
}

/*
 * Lay out item `i` in the label whose top left is (ox, oy).  A label that
 * cannot hold its symbols is an item of `e` (AT_INVALID); 0 then, -1 on
 * out of memory.
 */
static int place_label(struct label_doc *d, const struct geometry *g, size_t i,
                       const struct label_item *it, size_t page, double ox, double oy,
                       struct at_errors *e)
{
	char why[AT_MSG_MAX], l1[LABEL_CAPTION_MAX + 4], l2[LABEL_CAPTION_MAX + 4];
	struct zint_symbol *bars = NULL, *qr = NULL;
	int32_t bx, by, qx, qy, text_w;
	struct fit f;
	int rc = 0;

	if (!code128_text_ok(it->text)) {
		at_item(e, it->text, AT_INVALID,
		        "%.60s has characters a Code 128 cannot carry exactly (printable ASCII only)",
		        it->text);
		return 0;
	}
	if (!(bars = encode(BARCODE_CODE128, it->text, why)) ||
	    !(qr = encode(BARCODE_QRCODE, it->text, why))) {
		at_item(e, it->text, AT_INVALID, "%s", why);
		goto out;
	}
	if (!choose_modules(g->label_w, g->label_h, bars->width, qr->width, &f)) {
		at_item(e, it->text, AT_INVALID,
		        "%s is too long for a %s label: its Code 128 at 0.25 mm a module beside a "
		        "QR code needs %.1f mm, the label is %.1f mm wide%s",
		        it->text, g->name,
		        need_width(X_MIN, Q_MIN, bars->width, qr->width) * 25.4 / LABEL_DPI,
		        g->label_w * 25.4 / LABEL_DPI,
		        g->label_w < geometries[LABEL_SHEET].label_w ? "; try --layout sheet" : "");
		goto out;
	}
	/* Symbols snap to whole dots of the page, so every module is whole. */
	bx = (int32_t)lround(ox) + C128_QUIET * f.x_mod;
	qx = (int32_t)lround(ox + g->label_w) - (QR_QUIET + qr->width) * f.q_mod;
	qy = (int32_t)lround(oy + (g->label_h - qr->width * f.q_mod) / 2);
	text_w = qx - QR_QUIET * f.q_mod - bx - 6;
	fit_lines(g->label_h, hrt_size(it->text, text_w), &f);
	by = (int32_t)lround(oy) + PAD;
	wrap_caption(it->caption, (size_t)(text_w / (0.6 * CAPTION_SIZE)), l1, l2, sizeof(l1));
	if (symbol_mark(d, LABEL_MARK_CODE128, page, i, bars, bx, by, f.x_mod, f.bars_h) < 0 ||
	    symbol_mark(d, LABEL_MARK_QR, page, i, qr, qx, qy, f.q_mod, f.q_mod) < 0 ||
	    text_mark(d, page, i, bx, (int32_t)lround(oy) + f.hrt_base,
	              hrt_size(it->text, text_w), it->text) < 0 ||
	    text_mark(d, page, i, bx, (int32_t)lround(oy) + f.cap1_base, CAPTION_SIZE, l1) < 0 ||
	    text_mark(d, page, i, bx, (int32_t)lround(oy) + f.cap2_base, CAPTION_SIZE, l2) < 0)
		rc = -1;
out:
	ZBarcode_Delete(bars);
	ZBarcode_Delete(qr);
	return rc;
}

enum at_code label_doc_build(const struct label_list *l, enum label_layout layout,
                             struct label_doc **out, struct at_errors *e)
{
	const struct geometry *g;
	struct label_doc *d;
	size_t per_page;

	*out = NULL;
	if (layout >= LABEL_LAYOUT__MAX)
		return at_fail(e, AT_INVALID, "unknown label layout");
	if (l->n == 0)
		return at_fail(e, AT_INVALID, "nothing to print: give asset tags, a case or holders");
	if (l->n > LABEL_MAX)
		return at_fail(e, AT_TOO_LARGE, "%zu labels asked for; one document holds at most %d",
		               l->n, LABEL_MAX);
	g = &geometries[layout];
	per_page = (size_t)g->cols * (size_t)g->rows;
	if (!(d = calloc(1, sizeof(*d))))
		return at_fail(e, AT_INTERNAL, "out of memory");
	d->layout = layout;
	d->page_w = g->page_w;
	d->page_h = g->page_h;
	d->nlabels = l->n;
	d->npages = (l->n + per_page - 1) / per_page;
	for (size_t i = 0; i < l->n; i++) {
		size_t k = i % per_page;
		double ox = g->left + (double)(k % (size_t)g->cols) * g->pitch_x;
		double oy = g->top + (double)(k / (size_t)g->cols) * g->pitch_y;
		if (place_label(d, g, i, &l->items[i], i / per_page, ox, oy, e) < 0) {
			label_doc_free(d);
			return at_fail(e, AT_INTERNAL, "out of memory laying out %zu labels", l->n);
		}
	}
	if (at_items_done(e, l->n) != AT_OK) {
		label_doc_free(d);
		return e->code;
	}
	*out = d;
	return AT_OK;
}

void label_doc_free(struct label_doc *d)
{
	if (!d)
		return;
	free(d->rects);
	free(d->marks);
	free(d);
}
