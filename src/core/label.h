/*
 * label.h — printable labels with a Code 128 and a QR code (SPEC §6, §8):
 * for assets (the tag), for every slot of a case (the slot label
 * CASE/POS) and for holder badges.
 *
 * Three steps, each usable alone:
 *
 *   1. label_add_assets / label_add_case / label_add_holders resolve what a
 *      person typed or scanned into label items: the exact text both codes
 *      carry, and a caption for people.
 *   2. label_doc_build lays the items out on pages (a 2"x1" thermal label
 *      per page, or 30 per sheet on US Letter or A4) and encodes both
 *      symbols with libzint, as rectangles on a 300 dpi grid.
 *   3. label_render writes the document as SVG, PDF or PNG, with no library
 *      beyond libzint; a web page can instead walk the marks itself.
 *
 * Geometry is in dots of 1/300 inch.  Every bar and QR module is a whole
 * number of dots at a whole-dot position, so a 300 or 600 dpi print (and
 * the PNG) has no rounding in it: a Code 128 module is at least 3 dots
 * (0.254 mm), a QR module at least 4 (0.34 mm), and the quiet zones are
 * ISO's (10 modules beside a Code 128, 4 around a QR code).
 */
#ifndef AT_CORE_LABEL_H
#define AT_CORE_LABEL_H

#include <stddef.h>
#include <stdint.h>

#include "core/types.h"
#include "util/buf.h"

#define LABEL_DPI 300
#define LABEL_TEXT_MAX AT_PERSON_MAX    /* a badge is the longest text */
#define LABEL_CAPTION_MAX 256
#define LABEL_MAX 1000                  /* labels in one document (a batch) */

enum label_layout { LABEL_SHEET, LABEL_SHEET_A4, LABEL_THERMAL, LABEL_LAYOUT__MAX };
enum label_format { LABEL_SVG, LABEL_PDF, LABEL_PNG, LABEL_FORMAT__MAX };

/* "sheet", "sheet-a4", "thermal"; parse returns -1 for anything else. */
const char *label_layout_name(enum label_layout l);
int label_layout_parse(const char *s, enum label_layout *out);
/* A person's description: "Letter, 30 a sheet, Avery 5160". */
const char *label_layout_title(enum label_layout l);
/* The format a file name asks for by its extension (.svg, .pdf, .png,
 * any letter case); -1 if none of them. */
int label_format_of(const char *filename, enum label_format *out);
/* "svg", "pdf", "png" and the content type to send it with. */
const char *label_format_ext(enum label_format f);
const char *label_format_type(enum label_format f);

/* ==== 1. what to print ================================================= */

struct label_item {
	char text[LABEL_TEXT_MAX + 1];       /* exactly what both codes carry */
	char caption[LABEL_CAPTION_MAX + 1]; /* for people: "Zebra Scanner TC52" */
};

struct label_list {
	struct label_item *items;
	size_t n, cap;
};
#define LABEL_LIST_INIT { NULL, 0, 0 }
void label_list_free(struct label_list *l);

/*
 * Append one label per input to `l`.  Each input is resolved like every
 * lookup: assets by scanner rules (exact tag, else match key: the label
 * carries the canonical tag), holders by id or badge.  Every input that
 * cannot become a label is reported in `e` as an item naming it:
 * AT_NOT_FOUND (unknown), AT_AMBIGUOUS, AT_INVALID (unprintable, or text a
 * Code 128 cannot carry exactly: only printable ASCII), AT_CONFLICT (a
 * holder without a badge).  More than LABEL_MAX labels in `l` is
 * AT_TOO_LARGE.  On a refusal some items may have been appended: the
 * caller discards the list.
 */
enum at_code label_add_assets(struct store *st, const char *const *inputs, size_t n,
                              struct label_list *l, struct at_errors *e);
enum at_code label_add_holders(struct store *st, const char *const *inputs, size_t n,
                               struct label_list *l, struct at_errors *e);
/* One label per slot of case `name`, in position order: "CASE/POS". */
enum at_code label_add_case(struct store *st, const char *name, struct label_list *l,
                            struct at_errors *e);

/* ==== 2. the laid-out document ======================================== */

struct label_rect {
	int32_t x, y, w, h;                  /* dots, from the page's top left */
};

enum label_mark_kind { LABEL_MARK_CODE128, LABEL_MARK_QR, LABEL_MARK_TEXT };

/*
 * One thing drawn on a page.  A symbol is its dark rectangles
 * rects[first .. first + count) (bars, or runs of QR modules along a row);
 * x, y is the top left of its module grid, `module` the module size and
 * cols x rows the grid, so a reader can sample every module back.  A text
 * line starts at x on the baseline y, in a monospaced font of `size` dots
 * (an advance of 0.6 x size a character).
 */
struct label_mark {
	enum label_mark_kind kind;
	size_t page, item;                   /* page, and index into the list */
	int32_t x, y;
	int32_t module, cols, rows;          /* symbols */
	size_t first, count;
	int32_t size;                        /* text */
	char text[LABEL_TEXT_MAX + 1];       /* UTF-8 */
};

struct label_doc {
	enum label_layout layout;
	double page_w, page_h;               /* dots */
	size_t npages, nlabels;
	struct label_rect *rects;
	size_t nrects, rects_cap;
	struct label_mark *marks;
	size_t nmarks, marks_cap;
};

/*
 * Lay out `l` (at least one item) with `layout`: sheets fill across, then
 * down, then the next page (label 31 of a sheet starts page 2).  Both
 * symbols are encoded here; an item whose codes do not fit its label at
 * the smallest module sizes is refused (AT_INVALID, the item named, with
 * the width it would need), as is a list over LABEL_MAX (AT_TOO_LARGE).
 * On AT_OK, *out is the document (label_doc_free).
 */
enum at_code label_doc_build(const struct label_list *l, enum label_layout layout,
                             struct label_doc **out, struct at_errors *e);
void label_doc_free(struct label_doc *d);

/* ==== 3. output ======================================================== */

/*
 * Write `d` as `f` into `out` (appended).  SVG: one drawing, its pages one
 * under another, sized in inches.  PDF: one page per page, vector bars
 * and modules, text in Courier.  PNG: 1-bit, 300 dpi, pages one under
 * another.  AT_TOO_LARGE if `out` reaches its cap.
 */
enum at_code label_render(const struct label_doc *d, enum label_format f, struct buf *out,
                          struct at_errors *e);

/* SVG path data of symbol mark `m` ("M x y h w v h h -w z" a rectangle),
 * in page dots; for pages that draw the marks themselves. */
int label_path_data(const struct label_doc *d, const struct label_mark *m, struct buf *out);

/* The fonts SVG text asks for: monospaced, so 0.6 em a character holds. */
#define LABEL_SVG_FONTS "DejaVu Sans Mono, Liberation Mono, Courier New, monospace"

#endif
