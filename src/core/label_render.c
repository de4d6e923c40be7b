/*
 * label_render.c — a laid-out label document (core/label.h) as SVG, PDF
 * or PNG, written here with no library: SVG and PDF are text with vector
 * rectangles; PNG is a 1-bit raster at 300 dpi, compressed by a small
 * deflate encoder (fixed Huffman codes, runs as distance-1 matches, rows
 * "Up"-filtered so blank and repeated rows are runs of zeros), with the
 * captions drawn in a built-in 5x7 bitmap font.
 *
 * Every coordinate is a whole dot (1/300 in), so the PNG has no
 * anti-aliasing to decide and PDF/SVG print bars exactly as laid out.
 */
#include "core/label.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ==== shared =========================================================== */

/* The next code point of UTF-8 `*s` (advancing it); U+FFFD for a broken
 * sequence.  Label text was checked upstream; captions may be any UTF-8. */
static uint32_t utf8_next(const unsigned char **s)
{
	const unsigned char *p = *s;
	uint32_t cp;
	int n;

	if (p[0] < 0x80) {
		*s = p + 1;
		return p[0];
	}
	n = p[0] >= 0xf0 ? 3 : p[0] >= 0xe0 ? 2 : p[0] >= 0xc0 ? 1 : 0;
	cp = p[0] & (0x3f >> n);
	for (int i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*s = p + i;
			return 0xfffd;
		}
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	*s = p + n + 1;
	return n ? cp : 0xfffd;
}

/* Pages are stacked one under another (SVG, PNG) at whole-dot heights. */
static int32_t stacked_page_h(const struct label_doc *d)
{
	return (int32_t)ceil(d->page_h);
}

/*
 * The outline of a QR code's dark modules: every module side with light
 * (or nothing) beyond it, directed clockwise around the dark, linked into
 * closed loops.  Filled with the non-zero rule this is exactly the dark
 * area, with no edge inside it: abutting rectangles would leave hairline
 * seams where an anti-aliasing renderer (a PDF viewer, a browser, a
 * print driver's preview) adds their coverage, and some decoders trip on
 * them.  Which way a loop goes at a corner two dark modules share does
 * not matter: the edges, not the loops, decide the winding.
 */
struct outline {
	int32_t cols, rows;
	unsigned char *dark;          /* cols x rows */
	int32_t *out[2];              /* per vertex, up to 2 outgoing edges (end vertex), -1 none */
};

static int outline_build(const struct label_doc *d, const struct label_mark *m, struct outline *o)
{
	size_t nv = (size_t)(m->cols + 1) * (size_t)(m->rows + 1);

	o->cols = m->cols;
	o->rows = m->rows;
	o->dark = calloc((size_t)m->cols * (size_t)m->rows, 1);
	o->out[0] = malloc(nv * sizeof(int32_t));
	o->out[1] = malloc(nv * sizeof(int32_t));
	if (!o->dark || !o->out[0] || !o->out[1])
		return -1;
	for (size_t v = 0; v < nv; v++)
		o->out[0][v] = o->out[1][v] = -1;
	for (size_t i = m->first; i < m->first + m->count; i++) {
		const struct label_rect *r = &d->rects[i];
		int32_t row = (r->y - m->y) / m->module, c0 = (r->x - m->x) / m->module;
		for (int32_t c = c0; c < c0 + r->w / m->module; c++)
			o->dark[(size_t)row * (size_t)o->cols + (size_t)c] = 1;
	}
	return 0;
}

static int is_dark(const struct outline *o, int32_t r, int32_t c)
{
	return r >= 0 && c >= 0 && r < o->rows && c < o->cols &&
	       o->dark[(size_t)r * (size_t)o->cols + (size_t)c];
}

static void edge_add(struct outline *o, int32_t x0, int32_t y0, int32_t x1, int32_t y1)
{
	size_t v = (size_t)y0 * (size_t)(o->cols + 1) + (size_t)x0;

	o->out[o->out[0][v] < 0 ? 0 : 1][v] = y1 * (o->cols + 1) + x1;
}

static void outline_edges(struct outline *o)
{
	for (int32_t r = 0; r < o->rows; r++)
		for (int32_t c = 0; c < o->cols; c++) {
			if (!is_dark(o, r, c))
				continue;
			if (!is_dark(o, r - 1, c))
				edge_add(o, c, r, c + 1, r);
			if (!is_dark(o, r, c + 1))
				edge_add(o, c + 1, r, c + 1, r + 1);
			if (!is_dark(o, r + 1, c))
				edge_add(o, c + 1, r + 1, c, r + 1);
			if (!is_dark(o, r, c - 1))
				edge_add(o, c, r + 1, c, r);
		}
}

/* Take an unused edge out of vertex `v`: its end vertex, or -1. */
static int32_t edge_take(struct outline *o, int32_t v)
{
	for (int k = 0; k < 2; k++) {
		int32_t end = o->out[k][v];
		if (end >= 0) {
			o->out[k][v] = -1;
			return end;
		}
	}
	return -1;
}

static void outline_free(struct outline *o)
{
	free(o->dark);
	free(o->out[0]);
	free(o->out[1]);
}

/* A vertex in page dots: a move or a line, in PDF or SVG syntax. */
static int outline_point(const struct label_mark *m, int32_t v, int pdf, int move, struct buf *b)
{
	int32_t w1 = m->cols + 1;
	int x = (int)(m->x + v % w1 * m->module), y = (int)(m->y + v / w1 * m->module);

	if (pdf)
		return buf_printf(b, move ? "%d %d m " : "%d %d l ", x, y);
	return buf_printf(b, move ? "M%d %d" : "L%d %d", x, y);
}

/* One loop from `start`, whose first edge ends at `cur`: a point only
 * where the direction turns (vertex numbers differ by 1 along a row and
 * by cols + 1 down a column, so the difference is the direction). */
static int outline_loop(struct outline *o, const struct label_mark *m, int32_t start,
                        int32_t cur, int pdf, struct buf *b)
{
	int32_t prev = start, next;
	int rc = outline_point(m, start, pdf, 1, b);

	while (rc == 0 && cur != start) {
		next = edge_take(o, cur);
		if (next < 0)
			return -1; /* every vertex has as many edges in as out */
		if (cur - prev != next - cur)
			rc = outline_point(m, cur, pdf, 0, b);
		prev = cur;
		cur = next;
	}
	return rc ? rc : buf_adds(b, pdf ? "h\n" : "Z");
}

/*
 * Write the outline of QR mark `m` as path operators: SVG ("M x y" ...
 * "L x y" ... "Z") or PDF ("x y m" ... "x y l" ... "h"), in dots.  Loops
 * start at their first vertex in raster order, always a corner.
 */
static int outline_path(const struct label_doc *d, const struct label_mark *m, int pdf,
                        struct buf *b)
{
	int32_t nv = (m->cols + 1) * (m->rows + 1), cur;
	struct outline o;
	int rc = 0;

	memset(&o, 0, sizeof(o));
	if (outline_build(d, m, &o) < 0) {
		outline_free(&o);
		return -1;
	}
	outline_edges(&o);
	for (int32_t start = 0; start < nv && rc == 0; start++)
		while (rc == 0 && (cur = edge_take(&o, start)) >= 0)
			rc = outline_loop(&o, m, start, cur, pdf, b);
	outline_free(&o);
	return rc;
}

int label_path_data(const struct label_doc *d, const struct label_mark *m, struct buf *out)
{
	if (m->kind == LABEL_MARK_QR)
		return outline_path(d, m, 0, out);
	for (size_t i = m->first; i < m->first + m->count; i++) {
		const struct label_rect *r = &d->rects[i];
		if (buf_printf(out, "M%d %dh%dv%dh%dz", (int)r->x, (int)r->y, (int)r->w, (int)r->h,
		               -(int)r->w) < 0)
			return -1;
	}
	return 0;
}

/* ==== SVG ============================================================== */

/* Text escaped for XML character data and attribute values. */
static int xml_text(struct buf *b, const char *s)
{
	int rc = 0;

	for (; *s && rc == 0; s++) {
		switch (*s) {
		case '&': rc = buf_adds(b, "&amp;"); break;
		case '<': rc = buf_adds(b, "&lt;"); break;
		case '>': rc = buf_adds(b, "&gt;"); break;
		case '"': rc = buf_adds(b, "&quot;"); break;
		default: rc = buf_addc(b, *s); break;
		}
	}
	return rc;
}

static int svg_mark(const struct label_doc *d, const struct label_mark *m, struct buf *b)
{
	int32_t dy = (int32_t)m->page * stacked_page_h(d);

	if (m->kind == LABEL_MARK_TEXT) {
		if (buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"%d\">", (int)m->x,
		               (int)(m->y + dy), (int)m->size) < 0 || xml_text(b, m->text) < 0)
			return -1;
		return buf_adds(b, "</text>\n");
	}
	if (buf_printf(b, "<path transform=\"translate(0 %d)\" d=\"", (int)dy) < 0 ||
	    label_path_data(d, m, b) < 0)
		return -1;
	return buf_adds(b, "\"/>\n");
}

static int render_svg(const struct label_doc *d, struct buf *b)
{
	int32_t ph = stacked_page_h(d), h = ph * (int32_t)d->npages;

	if (buf_printf(b,
	               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	               "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
	               "width=\"%.4fin\" height=\"%.4fin\" viewBox=\"0 0 %.2f %d\">\n"
	               "<title>AssetTrack labels: %zu on %zu page%s (%s)</title>\n"
	               "<rect width=\"%.2f\" height=\"%d\" fill=\"#fff\"/>\n"
	               "<g fill=\"#000\" font-family=\"%s\">\n",
	               d->page_w / LABEL_DPI, (double)h / LABEL_DPI, d->page_w, (int)h, d->nlabels,
	               d->npages, d->npages == 1 ? "" : "s", label_layout_name(d->layout), d->page_w,
	               (int)h, LABEL_SVG_FONTS) < 0)
		return -1;
	for (size_t i = 0; i < d->nmarks; i++)
		if (svg_mark(d, &d->marks[i], b) < 0)
			return -1;
	return buf_adds(b, "</g>\n</svg>\n");
}

/* ==== PDF ============================================================== */

/* A PDF string of `s` in WinAnsiEncoding (Latin-1 plus "…"); other
 * characters become '?': the base-14 Courier has no others. */
static int pdf_string(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int rc = buf_addc(b, '(');

	while (*p && rc == 0) {
		uint32_t cp = utf8_next(&p);
		if (cp == 0x2026)
			cp = 0x85;
		else if (cp > 0xff || (cp >= 0x80 && cp < 0xa0))
			cp = '?';
		if (cp == '(' || cp == ')' || cp == '\\')
			rc = buf_printf(b, "\\%c", (char)cp);
		else if (cp < 0x20 || cp >= 0x7f)
			rc = buf_printf(b, "\\%03o", (unsigned)cp);
		else
			rc = buf_addc(b, (char)cp);
	}
	return rc ? rc : buf_addc(b, ')');
}

/* The content stream of page `page`: in dots from the top left (the
 * matrix flips PDF's bottom-left points), every rectangle filled black,
 * then the text (each line's own matrix turns it upright again). */
static int pdf_content(const struct label_doc *d, size_t page, struct buf *c)
{
	int rc = buf_printf(c, "0.24 0 0 -0.24 0 %.2f cm\n0 g\n", d->page_h * 72.0 / LABEL_DPI);

	for (size_t i = 0; i < d->nmarks && rc == 0; i++) {
		const struct label_mark *m = &d->marks[i];
		if (m->page != page || m->kind == LABEL_MARK_TEXT)
			continue;
		if (m->kind == LABEL_MARK_QR) {
			rc = outline_path(d, m, 1, c);
			continue;
		}
		for (size_t k = m->first; k < m->first + m->count && rc == 0; k++) {
			const struct label_rect *r = &d->rects[k];
			rc = buf_printf(c, "%d %d %d %d re\n", (int)r->x, (int)r->y, (int)r->w,
			                (int)r->h);
		}
	}
	if (rc == 0)
		rc = buf_adds(c, "f\n");
	for (size_t i = 0; i < d->nmarks && rc == 0; i++) {
		const struct label_mark *m = &d->marks[i];
		if (m->page != page || m->kind != LABEL_MARK_TEXT)
			continue;
		rc = buf_printf(c, "BT /F1 1 Tf %d 0 0 %d %d %d Tm ", (int)m->size, -(int)m->size,
		                (int)m->x, (int)m->y);
		if (rc == 0)
			rc = pdf_string(c, m->text);
		if (rc == 0)
			rc = buf_adds(c, " Tj ET\n");
	}
	return rc;
}

/* Start object `num`, noting where it begins for the xref table. */
static int pdf_obj(struct buf *b, size_t *offsets, size_t num)
{
	offsets[num] = b->len;
	return buf_printf(b, "%zu 0 obj\n", num);
}

/*
 * Objects: 1 catalog, 2 page tree, 3 font, then for page k the page
 * (4 + 2k) and its content stream (5 + 2k).  Streams are not compressed:
 * a sheet of 30 labels is about 150 KB.
 */
static int render_pdf(const struct label_doc *d, struct buf *b)
{
	size_t nobj = 4 + 2 * d->npages, xref;
	size_t *off = calloc(nobj, sizeof(*off));
	struct buf c;
	int rc;

	if (!off)
		return -1;
	buf_init(&c, b->cap);
	rc = buf_adds(b, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
	rc = rc ? rc : pdf_obj(b, off, 1);
	rc = rc ? rc : buf_adds(b, "<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
	rc = rc ? rc : pdf_obj(b, off, 2);
	rc = rc ? rc : buf_adds(b, "<< /Type /Pages /Kids [");
	for (size_t k = 0; k < d->npages && rc == 0; k++)
		rc = buf_printf(b, "%s%zu 0 R", k ? " " : "", 4 + 2 * k);
	rc = rc ? rc : buf_printf(b, "] /Count %zu >>\nendobj\n", d->npages);
	rc = rc ? rc : pdf_obj(b, off, 3);
	rc = rc ? rc : buf_adds(b, "<< /Type /Font /Subtype /Type1 /BaseFont /Courier "
	                           "/Encoding /WinAnsiEncoding >>\nendobj\n");
	for (size_t k = 0; k < d->npages && rc == 0; k++) {
		buf_reset(&c);
		rc = pdf_content(d, k, &c);
		rc = rc ? rc : pdf_obj(b, off, 4 + 2 * k);
		rc = rc ? rc : buf_printf(b, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] "
		                          "/Resources << /Font << /F1 3 0 R >> >> /Contents %zu 0 R "
		                          ">>\nendobj\n", d->page_w * 0.24, d->page_h * 0.24,
		                          5 + 2 * k);
		rc = rc ? rc : pdf_obj(b, off, 5 + 2 * k);
		rc = rc ? rc : buf_printf(b, "<< /Length %zu >>\nstream\n", c.len);
		rc = rc ? rc : buf_add(b, c.data, c.len);
		rc = rc ? rc : buf_adds(b, "\nendstream\nendobj\n");
	}
	xref = b->len;
	rc = rc ? rc : buf_printf(b, "xref\n0 %zu\n0000000000 65535 f \n", nobj);
	for (size_t i = 1; i < nobj && rc == 0; i++)
		rc = buf_printf(b, "%010zu 00000 n \n", off[i]);
	rc = rc ? rc : buf_printf(b, "trailer\n<< /Size %zu /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n",
	                          nobj, xref);
	buf_free(&c);
	free(off);
	return rc;
}

/* ==== PNG: the font ==================================================== */

/*
 * A 5x7 font for printable ASCII, plus "…" (index 95): 8 rows of 5
 * columns, '#' ink; the last row is for descenders.  A glyph drawn at
 * scale s is 5s x 8s in a 6s-wide cell, so its advance is 0.6 of a
 * 10s-dot font, as the vector formats assume.
 */
static const char *const font5x7[96][8] = {
	{ ".....", ".....", ".....", ".....", ".....", ".....", ".....", "....." }, /*   */
	{ "..#..", "..#..", "..#..", "..#..", "..#..", ".....", "..#..", "....." }, /* ! */
	{ ".#.#.", ".#.#.", ".#.#.", ".....", ".....", ".....", ".....", "....." }, /* " */
	{ ".#.#.", ".#.#.", "#####", ".#.#.", "#####", ".#.#.", ".#.#.", "....." }, /* # */
	{ "..#..", ".####", "#.#..", ".###.", "..#.#", "####.", "..#..", "....." }, /* $ */
	{ "##...", "##..#", "...#.", "..#..", ".#...", "#..##", "...##", "....." }, /* % */
	{ ".##..", "#..#.", "#.#..", ".#...", "#.#.#", "#..#.", ".##.#", "....." }, /* & */
	{ "..#..", "..#..", ".#...", ".....", ".....", ".....", ".....", "....." }, /* ' */
	{ "...#.", "..#..", ".#...", ".#...", ".#...", "..#..", "...#.", "....." }, /* ( */
	{ ".#...", "..#..", "...#.", "...#.", "...#.", "..#..", ".#...", "....." }, /* ) */
	{ ".....", "..#..", "#.#.#", ".###.", "#.#.#", "..#..", ".....", "....." }, /* * */
	{ ".....", "..#..", "..#..", "#####", "..#..", "..#..", ".....", "....." }, /* + */
	{ ".....", ".....", ".....", ".....", ".....", "..##.", "...#.", "..#.." }, /* , */
	{ ".....", ".....", ".....", "#####", ".....", ".....", ".....", "....." }, /* - */
	{ ".....", ".....", ".....", ".....", ".....", ".##..", ".##..", "....." }, /* . */
	{ ".....", "....#", "...#.", "..#..", ".#...", "#....", ".....", "....." }, /* / */
	{ ".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###.", "....." }, /* 0 */
	{ "..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###.", "....." }, /* 1 */
	{ ".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####", "....." }, /* 2 */
	{ "#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###.", "....." }, /* 3 */
	{ "...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#.", "....." }, /* 4 */
	{ "#####", "#....", "####.", "....#", "....#", "#...#", ".###.", "....." }, /* 5 */
	{ "..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###.", "....." }, /* 6 */
	{ "#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#...", "....." }, /* 7 */
	{ ".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###.", "....." }, /* 8 */
	{ ".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##..", "....." }, /* 9 */
	{ ".....", ".##..", ".##..", ".....", ".##..", ".##..", ".....", "....." }, /* : */
	{ ".....", ".##..", ".##..", ".....", ".##..", "..#..", ".#...", "....." }, /* ; */
	{ "...#.", "..#..", ".#...", "#....", ".#...", "..#..", "...#.", "....." }, /* < */
	{ ".....", ".....", "#####", ".....", "#####", ".....", ".....", "....." }, /* = */
	{ ".#...", "..#..", "...#.", "....#", "...#.", "..#..", ".#...", "....." }, /* > */
	{ ".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#..", "....." }, /* ? */
	{ ".###.", "#...#", "....#", ".##.#", "#.#.#", "#.#.#", ".###.", "....." }, /* @ */
	{ ".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#", "....." }, /* A */
	{ "####.", "#...#", "#...#", "####.", "#...#", "#...#", "####.", "....." }, /* B */
	{ ".###.", "#...#", "#....", "#....", "#....", "#...#", ".###.", "....." }, /* C */
	{ "###..", "#..#.", "#...#", "#...#", "#...#", "#..#.", "###..", "....." }, /* D */
	{ "#####", "#....", "#....", "####.", "#....", "#....", "#####", "....." }, /* E */
	{ "#####", "#....", "#....", "####.", "#....", "#....", "#....", "....." }, /* F */
	{ ".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####", "....." }, /* G */
	{ "#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#", "....." }, /* H */
	{ ".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###.", "....." }, /* I */
	{ "..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##..", "....." }, /* J */
	{ "#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#", "....." }, /* K */
	{ "#....", "#....", "#....", "#....", "#....", "#....", "#####", "....." }, /* L */
	{ "#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#", "....." }, /* M */
	{ "#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#", "....." }, /* N */
	{ ".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###.", "....." }, /* O */
	{ "####.", "#...#", "#...#", "####.", "#....", "#....", "#....", "....." }, /* P */
	{ ".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#", "....." }, /* Q */
	{ "####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#", "....." }, /* R */
	{ ".####", "#....", "#....", ".###.", "....#", "....#", "####.", "....." }, /* S */
	{ "#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#..", "....." }, /* T */
	{ "#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###.", "....." }, /* U */
	{ "#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#..", "....." }, /* V */
	{ "#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#.", "....." }, /* W */
	{ "#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#", "....." }, /* X */
	{ "#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#..", "....." }, /* Y */
	{ "#####", "....#", "...#.", "..#..", ".#...", "#....", "#####", "....." }, /* Z */
	{ ".###.", ".#...", ".#...", ".#...", ".#...", ".#...", ".###.", "....." }, /* [ */
	{ ".....", "#....", ".#...", "..#..", "...#.", "....#", ".....", "....." }, /* \ */
	{ ".###.", "...#.", "...#.", "...#.", "...#.", "...#.", ".###.", "....." }, /* ] */
	{ "..#..", ".#.#.", "#...#", ".....", ".....", ".....", ".....", "....." }, /* ^ */
	{ ".....", ".....", ".....", ".....", ".....", ".....", "#####", "....." }, /* _ */
	{ ".#...", "..#..", "...#.", ".....", ".....", ".....", ".....", "....." }, /* ` */
	{ ".....", ".....", ".###.", "....#", ".####", "#...#", ".####", "....." }, /* a */
	{ "#....", "#....", "#.##.", "##..#", "#...#", "#...#", "####.", "....." }, /* b */
	{ ".....", ".....", ".###.", "#....", "#....", "#...#", ".###.", "....." }, /* c */
	{ "....#", "....#", ".##.#", "#..##", "#...#", "#...#", ".####", "....." }, /* d */
	{ ".....", ".....", ".###.", "#...#", "#####", "#....", ".###.", "....." }, /* e */
	{ "..##.", ".#..#", ".#...", "###..", ".#...", ".#...", ".#...", "....." }, /* f */
	{ ".....", ".....", ".####", "#...#", "#...#", ".####", "....#", ".###." }, /* g */
	{ "#....", "#....", "#.##.", "##..#", "#...#", "#...#", "#...#", "....." }, /* h */
	{ "..#..", ".....", ".##..", "..#..", "..#..", "..#..", ".###.", "....." }, /* i */
	{ "...#.", ".....", "..##.", "...#.", "...#.", "...#.", "#..#.", ".##.." }, /* j */
	{ "#....", "#....", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "....." }, /* k */
	{ ".##..", "..#..", "..#..", "..#..", "..#..", "..#..", ".###.", "....." }, /* l */
	{ ".....", ".....", "##.#.", "#.#.#", "#.#.#", "#...#", "#...#", "....." }, /* m */
	{ ".....", ".....", "#.##.", "##..#", "#...#", "#...#", "#...#", "....." }, /* n */
	{ ".....", ".....", ".###.", "#...#", "#...#", "#...#", ".###.", "....." }, /* o */
	{ ".....", ".....", "####.", "#...#", "#...#", "####.", "#....", "#...." }, /* p */
	{ ".....", ".....", ".####", "#...#", "#...#", ".####", "....#", "....#" }, /* q */
	{ ".....", ".....", "#.##.", "##..#", "#....", "#....", "#....", "....." }, /* r */
	{ ".....", ".....", ".####", "#....", ".###.", "....#", "####.", "....." }, /* s */
	{ ".#...", ".#...", "###..", ".#...", ".#...", ".#..#", "..##.", "....." }, /* t */
	{ ".....", ".....", "#...#", "#...#", "#...#", "#..##", ".##.#", "....." }, /* u */
	{ ".....", ".....", "#...#", "#...#", "#...#", ".#.#.", "..#..", "....." }, /* v */
	{ ".....", ".....", "#...#", "#...#", "#.#.#", "#.#.#", ".#.#.", "....." }, /* w */
	{ ".....", ".....", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "....." }, /* x */
	{ ".....", ".....", "#...#", "#...#", "#...#", ".####", "....#", ".###." }, /* y */
	{ ".....", ".....", "#####", "...#.", "..#..", ".#...", "#####", "....." }, /* z */
	{ "...#.", "..#..", "..#..", ".#...", "..#..", "..#..", "...#.", "....." }, /* { */
	{ "..#..", "..#..", "..#..", "..#..", "..#..", "..#..", "..#..", "....." }, /* | */
	{ ".#...", "..#..", "..#..", "...#.", "..#..", "..#..", ".#...", "....." }, /* } */
	{ ".....", ".....", ".#...", "#.#.#", "...#.", ".....", ".....", "....." }, /* ~ */
	{ ".....", ".....", ".....", ".....", ".....", ".....", "#.#.#", "....." }, /* … */
};

/* Latin-1 letters U+00C0..U+00FF drawn as their base letter. */
static const char latin1_fold[] = "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYPs"
                                  "aaaaaaaceeeeiiiidnooooo/ouuuuypy";

/* The glyph index for code point `cp`: ASCII, "…", folded Latin-1, else '?'. */
static int glyph_of(uint32_t cp)
{
	if (cp >= 0x20 && cp < 0x7f)
		return (int)cp - 0x20;
	if (cp == 0x2026)
		return 95;
	if (cp >= 0xc0 && cp <= 0xff)
		return latin1_fold[cp - 0xc0] - 0x20;
	return '?' - 0x20;
}

/* ==== PNG: raster ===================================================== */

/* One page of ink, 1 bit a dot, most significant bit leftmost. */
struct raster {
	int32_t w, h, stride;
	unsigned char *ink;
};

static void fill(struct raster *r, int32_t x, int32_t y, int32_t w, int32_t h)
{
	int32_t x1 = x + w, y1 = y + h;

	x = x < 0 ? 0 : x;
	y = y < 0 ? 0 : y;
	x1 = x1 > r->w ? r->w : x1;
	y1 = y1 > r->h ? r->h : y1;
	for (int32_t row = y; row < y1; row++) {
		unsigned char *line = r->ink + (size_t)row * (size_t)r->stride;
		for (int32_t col = x; col < x1; col++)
			line[col >> 3] |= (unsigned char)(0x80 >> (col & 7));
	}
}

/* Text on baseline `y` from `x` at `size` dots (a multiple of 10 draws
 * exactly; others round the scale). */
static void draw_text(struct raster *r, int32_t x, int32_t y, int32_t size, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	int32_t s = (size + 5) / 10, top = y - 7 * s;

	if (s < 1)
		s = 1;
	while (*p) {
		const char *const *g = font5x7[glyph_of(utf8_next(&p))];
		for (int row = 0; row < 8; row++)
			for (int col = 0; col < 5; col++)
				if (g[row][col] == '#')
					fill(r, x + col * s, top + row * s, s, s);
		x += 6 * s;
	}
}

static void raster_page(const struct label_doc *d, size_t page, struct raster *r)
{
	memset(r->ink, 0, (size_t)r->stride * (size_t)r->h);
	for (size_t i = 0; i < d->nmarks; i++) {
		const struct label_mark *m = &d->marks[i];
		if (m->page != page)
			continue;
		if (m->kind == LABEL_MARK_TEXT) {
			draw_text(r, m->x, m->y, m->size, m->text);
			continue;
		}
		for (size_t k = m->first; k < m->first + m->count; k++)
			fill(r, d->rects[k].x, d->rects[k].y, d->rects[k].w, d->rects[k].h);
	}
}

/* ==== PNG: zlib stream (fixed-Huffman deflate) ========================= */

struct deflate {
	struct buf *out;
	uint32_t bits;
	int nbits;
	uint32_t a, b;               /* Adler-32 */
	int have_last;
	unsigned char last;
	int run;                     /* repeats of `last` not yet written */
	int failed;
};

static void put_bits(struct deflate *z, uint32_t v, int n)
{
	z->bits |= v << z->nbits;
	z->nbits += n;
	while (z->nbits >= 8) {
		if (buf_addc(z->out, (char)(z->bits & 0xff)) < 0)
			z->failed = 1;
		z->bits >>= 8;
		z->nbits -= 8;
	}
}

/* Huffman codes go most significant bit first (RFC 1951 §3.1.1). */
static void put_code(struct deflate *z, uint32_t code, int len)
{
	uint32_t rev = 0;

	for (int i = 0; i < len; i++)
		rev |= ((code >> i) & 1u) << (len - 1 - i);
	put_bits(z, rev, len);
}

static void put_literal(struct deflate *z, unsigned v)
{
	if (v < 144)
		put_code(z, 0x30 + v, 8);
	else if (v < 256)
		put_code(z, 0x190 + v - 144, 9);
	else if (v < 280)
		put_code(z, v - 256, 7);
	else
		put_code(z, 0xc0 + v - 280, 8);
}

/* A copy of the previous byte, `len` (3..258) times: length code, then
 * distance code 0 (distance 1). */
static void put_repeat(struct deflate *z, int len)
{
	static const int base[29] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27,
		                      31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };
	static const int extra[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
		                       2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
	int i = 28;

	while (base[i] > len)
		i--;
	put_literal(z, 257 + (unsigned)i);
	put_bits(z, (uint32_t)(len - base[i]), extra[i]);
	put_code(z, 0, 5);
}

static void flush_run(struct deflate *z)
{
	if (z->run >= 3)
		put_repeat(z, z->run);
	else
		for (int i = 0; i < z->run; i++)
			put_literal(z, z->last);
	z->run = 0;
}

static void deflate_begin(struct deflate *z, struct buf *out)
{
	memset(z, 0, sizeof(*z));
	z->out = out;
	z->a = 1;
	/* zlib header: deflate, 32 KiB window, no dictionary (0x7801 % 31 == 0);
	 * then one final block with the fixed codes. */
	if (buf_add(out, "\x78\x01", 2) < 0)
		z->failed = 1;
	put_bits(z, 1, 1);
	put_bits(z, 1, 2);
}

static void deflate_bytes(struct deflate *z, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		z->a = (z->a + c) % 65521;
		z->b = (z->b + z->a) % 65521;
		if (z->have_last && c == z->last) {
			if (++z->run == 258)
				flush_run(z);
			continue;
		}
		flush_run(z);
		put_literal(z, c);
		z->last = c;
		z->have_last = 1;
	}
}

static void deflate_end(struct deflate *z)
{
	unsigned char adler[4];
	uint32_t v;

	flush_run(z);
	put_literal(z, 256);
	if (z->nbits > 0)
		put_bits(z, 0, 8 - z->nbits);
	v = (z->b << 16) | z->a;
	for (int i = 0; i < 4; i++)
		adler[i] = (unsigned char)(v >> (24 - 8 * i));
	if (buf_add(z->out, adler, 4) < 0)
		z->failed = 1;
}

/* ==== PNG: file ======================================================== */

/* The CRC-32 table (PNG's polynomial), made per document: a static one
 * filled on first use would be a data race between server threads. */
static void crc32_table(uint32_t table[256])
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		table[i] = c;
	}
}

static uint32_t crc32_update(const uint32_t table[256], uint32_t crc, const unsigned char *p,
                             size_t n)
{
	for (size_t i = 0; i < n; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return crc;
}

static void be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* One chunk: length, type, data, CRC of type and data. */
static int png_chunk(struct buf *b, const uint32_t crc_table[256], const char *type,
                     const void *data, size_t len)
{
	unsigned char head[8], crc[4];
	uint32_t c;

	if (len > 0x7fffffffu)
		return -1;
	be32(head, (uint32_t)len);
	memcpy(head + 4, type, 4);
	c = crc32_update(crc_table, 0xffffffffu, head + 4, 4);
	c = crc32_update(crc_table, c, data, len) ^ 0xffffffffu;
	be32(crc, c);
	if (buf_add(b, head, 8) < 0 || buf_add(b, data, len) < 0 || buf_add(b, crc, 4) < 0)
		return -1;
	return 0;
}

/*
 * Every page one under another, grey level 1 bit (0 black, 1 white), at
 * 300 dpi (pHYs says so, so viewers and printers know the true size).
 * Each row is "Up"-filtered against the one above.
 */
static int render_png(const struct label_doc *d, struct buf *b)
{
	struct raster r;
	struct deflate z;
	struct buf idat;
	unsigned char ihdr[13], phys[9], *row = NULL, *prev = NULL;
	uint32_t crc[256];
	int rc = -1;

	r.w = (int32_t)ceil(d->page_w);
	r.h = stacked_page_h(d);
	r.stride = (r.w + 7) / 8;
	r.ink = malloc((size_t)r.stride * (size_t)r.h);
	row = malloc((size_t)r.stride + 1);
	prev = calloc((size_t)r.stride, 1);
	buf_init(&idat, b->cap);
	if (!r.ink || !row || !prev)
		goto out;
	be32(ihdr, (uint32_t)r.w);
	be32(ihdr + 4, (uint32_t)r.h * (uint32_t)d->npages);
	memcpy(ihdr + 8, "\x01\x00\x00\x00\x00", 5);
	be32(phys, 11811); /* dots a metre at 300 dpi */
	be32(phys + 4, 11811);
	phys[8] = 1;
	deflate_begin(&z, &idat);
	for (size_t page = 0; page < d->npages && !z.failed; page++) {
		raster_page(d, page, &r);
		for (int32_t y = 0; y < r.h && !z.failed; y++) {
			const unsigned char *ink = r.ink + (size_t)y * (size_t)r.stride;
			row[0] = 2; /* Up */
			for (int32_t i = 0; i < r.stride; i++) {
				unsigned char v = (unsigned char)~ink[i];
				row[i + 1] = (unsigned char)(v - prev[i]);
				prev[i] = v;
			}
			deflate_bytes(&z, row, (size_t)r.stride + 1);
		}
	}
	deflate_end(&z);
	crc32_table(crc);
	if (z.failed || buf_add(b, "\x89PNG\r\n\x1a\n", 8) < 0 ||
	    png_chunk(b, crc, "IHDR", ihdr, sizeof(ihdr)) < 0 ||
	    png_chunk(b, crc, "pHYs", phys, sizeof(phys)) < 0 ||
	    png_chunk(b, crc, "IDAT", idat.data, idat.len) < 0 ||
	    png_chunk(b, crc, "IEND", "", 0) < 0)
		goto out;
	rc = 0;
out:
	/* The compressed data has the caller's cap: its overflow is theirs. */
	if (idat.overflow)
		b->overflow = 1;
	buf_free(&idat);
	free(r.ink);
	free(row);
	free(prev);
	return rc;
}

/* ==== entry point ====================================================== */

enum at_code label_render(const struct label_doc *d, enum label_format f, struct buf *out,
                          struct at_errors *e)
{
	int rc;

	switch (f) {
	case LABEL_SVG: rc = render_svg(d, out); break;
	case LABEL_PDF: rc = render_pdf(d, out); break;
	case LABEL_PNG: rc = render_png(d, out); break;
	default: return at_fail(e, AT_INVALID, "unknown label format");
	}
	if (rc < 0 && out->overflow)
		return at_fail(e, AT_TOO_LARGE, "the %s would be larger than %zu bytes: print fewer "
		               "labels at a time", label_format_ext(f), out->cap);
	if (rc < 0)
		return at_fail(e, AT_INTERNAL, "out of memory writing the %s", label_format_ext(f));
	return AT_OK;
}
