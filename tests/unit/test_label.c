/*
 * test_label.c — labels (core/label.h; SPEC §6 `labels`, issue #12 item
 * 4): both codes carry exactly the tag, the slot label or the badge;
 * pages hold 30 labels (the 31st starts page 2); module sizes and quiet
 * zones stay inside each label; every refusal has its code; the SVG, PDF
 * and PNG writers produce well-formed files; the CLI's exit codes.
 * Decoding the codes back with zbarimg is tests/tools/labels_decode.sh.
 */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zint.h>

#include "core/label.h"

/* ---- helpers ------------------------------------------------------- */

/* A list of labels with these texts (captions "caption N"). */
static void list_of(struct label_list *l, const char *const *texts, size_t n)
{
	l->items = calloc(n ? n : 1, sizeof(*l->items));
	assert_non_null(l->items);
	l->n = l->cap = n;
	for (size_t i = 0; i < n; i++) {
		snprintf(l->items[i].text, sizeof(l->items[i].text), "%s", texts[i]);
		snprintf(l->items[i].caption, sizeof(l->items[i].caption), "caption %zu", i);
	}
}

/* n labels "T-000", "T-001" ...: all as long, so all laid out alike. */
static void list_n(struct label_list *l, size_t n)
{
	l->items = calloc(n, sizeof(*l->items));
	assert_non_null(l->items);
	l->n = l->cap = n;
	for (size_t i = 0; i < n; i++) {
		snprintf(l->items[i].text, sizeof(l->items[i].text), "T-%03zu", i);
		snprintf(l->items[i].caption, sizeof(l->items[i].caption), "label %zu", i);
	}
}

static struct label_doc *build_ok(const struct label_list *l, enum label_layout layout)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct label_doc *d = NULL;

	T_OK(label_doc_build(l, layout, &d, &e), &e);
	assert_non_null(d);
	at_errors_free(&e);
	return d;
}

/* The mark of `kind` for item `item` (the first if several: texts). */
static const struct label_mark *mark_of(const struct label_doc *d, size_t item,
                                        enum label_mark_kind kind)
{
	for (size_t i = 0; i < d->nmarks; i++)
		if (d->marks[i].item == item && d->marks[i].kind == kind)
			return &d->marks[i];
	fail_msg("item %zu has no mark of kind %d", item, (int)kind);
	return NULL;
}

/* Is the dot (x, y) inside one of the mark's rectangles? */
static int inked(const struct label_doc *d, const struct label_mark *m, int32_t x, int32_t y)
{
	for (size_t i = m->first; i < m->first + m->count; i++) {
		const struct label_rect *r = &d->rects[i];
		if (x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h)
			return 1;
	}
	return 0;
}

/*
 * Sample every module of a symbol mark at its centre and compare it with
 * a fresh zint encoding of `text` as given: the printed symbol is the
 * encoding of exactly that text, no more, no less.
 */
static void assert_symbol_is(const struct label_doc *d, const struct label_mark *m,
                             int symbology, const char *text)
{
	struct zint_symbol *z = ZBarcode_Create();

	assert_non_null(z);
	z->symbology = symbology;
	z->input_mode = DATA_MODE;
	if (symbology == BARCODE_QRCODE)
		z->option_1 = 2;
	assert_true(ZBarcode_Encode(z, (const unsigned char *)text, (int)strlen(text)) < ZINT_ERROR);
	assert_int_equal(m->cols, z->width);
	assert_int_equal(m->rows, z->rows);
	if (symbology == BARCODE_CODE128) {
		/* Code 128's human-readable text is its data, exactly. */
		assert_string_equal((const char *)z->text, text);
		assert_int_equal(z->rows, 1);
	}
	for (int r = 0; r < z->rows; r++)
		for (int c = 0; c < z->width; c++) {
			int want = (z->encoded_data[r][c >> 3] >> (c & 7)) & 1;
			int32_t x = m->x + c * m->module + m->module / 2;
			int32_t y = m->y + (symbology == BARCODE_QRCODE ? r * m->module + m->module / 2 : 1);
			if (inked(d, m, x, y) != want)
				fail_msg("%s: module row %d col %d is %d, zint says %d", text, r, c, !want, want);
		}
	ZBarcode_Delete(z);
}

/* ---- what the codes carry --------------------------------------------- */

static void test_codes_carry_exactly_the_text(void **state)
{
	static const char *const texts[] = { "AT-0001", "PELI-07/12", "B 1001", "x.y_z-9",
		                             "0123456789", "Ab/1" };
	struct label_list l = LABEL_LIST_INIT;
	struct label_doc *d;

	(void)state;
	list_of(&l, texts, 6);
	for (int lay = 0; lay < LABEL_LAYOUT__MAX; lay++) {
		d = build_ok(&l, (enum label_layout)lay);
		assert_int_equal(d->nlabels, 6);
		for (size_t i = 0; i < 6; i++) {
			const struct label_mark *t = mark_of(d, i, LABEL_MARK_TEXT);
			assert_symbol_is(d, mark_of(d, i, LABEL_MARK_CODE128), BARCODE_CODE128, texts[i]);
			assert_symbol_is(d, mark_of(d, i, LABEL_MARK_QR), BARCODE_QRCODE, texts[i]);
			/* The first line under the bars is the text itself. */
			assert_string_equal(t->text, texts[i]);
		}
		label_doc_free(d);
	}
	label_list_free(&l);
}

/* ---- pages ------------------------------------------------------------ */

static void test_thirty_a_sheet_the_31st_starts_page_2(void **state)
{
	struct label_list l = LABEL_LIST_INIT;
	struct label_doc *d;
	const struct label_mark *first, *m31;

	(void)state;
	list_n(&l, 31);
	for (int lay = LABEL_SHEET; lay <= LABEL_SHEET_A4; lay++) {
		d = build_ok(&l, (enum label_layout)lay);
		assert_int_equal(d->npages, 2);
		for (size_t i = 0; i < d->nmarks; i++)
			assert_int_equal(d->marks[i].page, d->marks[i].item < 30 ? 0 : 1);
		/* Label 31 sits where label 1 does, one page on. */
		first = mark_of(d, 0, LABEL_MARK_CODE128);
		m31 = mark_of(d, 30, LABEL_MARK_CODE128);
		assert_int_equal(first->x, m31->x);
		assert_int_equal(first->y, m31->y);
		/* Labels 1-3 fill the first row, label 4 starts the second. */
		assert_int_equal(mark_of(d, 3, LABEL_MARK_CODE128)->x, first->x);
		assert_true(mark_of(d, 3, LABEL_MARK_CODE128)->y > first->y);
		assert_true(mark_of(d, 1, LABEL_MARK_CODE128)->x > first->x);
		label_doc_free(d);
	}
	label_list_free(&l);
	list_n(&l, 60);
	d = build_ok(&l, LABEL_SHEET);
	assert_int_equal(d->npages, 2);
	label_doc_free(d);
	label_list_free(&l);
	list_n(&l, 61);
	d = build_ok(&l, LABEL_SHEET);
	assert_int_equal(d->npages, 3);
	label_doc_free(d);
	d = build_ok(&l, LABEL_THERMAL);
	assert_int_equal(d->npages, 61);
	assert_true(d->page_w == 600 && d->page_h == 300);
	label_doc_free(d);
	label_list_free(&l);
}

/* ---- geometry: modules and quiet zones -------------------------------- */

struct box {
	double x, y, w, h;
};

/* Label k's box on its page, from the stock's published geometry. */
static struct box label_box(enum label_layout lay, size_t k)
{
	const double mm = 300 / 25.4;
	size_t col = k % 3, row = (k / 3) % 10;

	switch (lay) {
	case LABEL_SHEET: /* Avery 5160 */
		return (struct box){ 56.25 + col * 825.0, 150 + row * 300.0, 787.5, 300 };
	case LABEL_SHEET_A4:
		return (struct box){ (7.25 + col * 66.0) * mm, (21.5 + row * 25.4) * mm, 63.5 * mm,
			             25.4 * mm };
	default:
		return (struct box){ 0, 0, 600, 300 };
	}
}

static void assert_label_geometry(const struct label_doc *d, size_t k)
{
	const struct label_mark *bars = mark_of(d, k, LABEL_MARK_CODE128);
	const struct label_mark *qr = mark_of(d, k, LABEL_MARK_QR);
	struct box b = label_box(d->layout, d->layout == LABEL_THERMAL ? 0 : k);
	int32_t x = bars->module, q = qr->module;
	int32_t bars_end = bars->x + bars->cols * x, gap = 10 * x > 4 * q ? 10 * x : 4 * q;

	/* Code 128 modules at least 0.25 mm (3 dots = 0.254 mm), QR at least 4. */
	assert_true(x >= 3 && x <= 6);
	assert_true(q >= 4 && q <= 10);
	assert_true(x * 25.4 / 300 >= 0.25);
	/* Quiet zones: 10 modules each side of the bars, 4 all round the QR
	 * code, all inside the label (half a dot of snapping allowed). */
	assert_true(bars->x - 10 * x >= b.x - 0.5);
	assert_true(qr->x - bars_end >= gap);
	assert_true(qr->x + (qr->cols + 4) * q <= b.x + b.w + 0.5);
	assert_true(qr->y - 4 * q >= b.y - 0.5);
	assert_true(qr->y + (qr->rows + 4) * q <= b.y + b.h + 0.5);
	assert_true(bars->y >= b.y && bars->y + d->rects[bars->first].h < b.y + b.h);
	for (size_t i = 0; i < d->nmarks; i++) {
		const struct label_mark *t = &d->marks[i];
		if (t->item != k || t->kind != LABEL_MARK_TEXT)
			continue;
		/* Text stays below the bars, left of the QR code's quiet zone. */
		assert_true(t->y - t->size * 7 / 10 > bars->y + d->rects[bars->first].h);
		assert_true(t->y <= b.y + b.h);
		assert_true(t->x + 0.6 * t->size * (double)strlen(t->text) <= qr->x - 4 * q + 0.5 ||
		            strstr(t->text, "…") != NULL);
	}
}

static void test_modules_and_quiet_zones_fit_every_label(void **state)
{
	static const char *const texts[] = { "AT-0001", "PELI-07/12", "B-1001", "A", "12345678",
		                             "HQ-RADIO-9" };
	struct label_list l = LABEL_LIST_INIT;
	struct label_doc *d;

	(void)state;
	list_of(&l, texts, 6);
	for (int lay = 0; lay < LABEL_LAYOUT__MAX; lay++) {
		d = build_ok(&l, (enum label_layout)lay);
		for (size_t k = 0; k < l.n; k++)
			assert_label_geometry(d, k);
		label_doc_free(d);
	}
	label_list_free(&l);
}

static void test_long_caption_wraps_to_two_lines_with_an_ellipsis(void **state)
{
	static const char *const caption =
		"Motorola Solutions Two-way radio APX 8000 with a very long model name indeed";
	struct label_list l = LABEL_LIST_INIT;
	static const char *const texts[] = { "AT-1" };
	char joined[LABEL_CAPTION_MAX * 2];
	const char *l1, *l2;
	struct label_doc *d;
	size_t lines = 0;

	(void)state;
	list_of(&l, texts, 1);
	snprintf(l.items[0].caption, sizeof(l.items[0].caption), "%s", caption);
	d = build_ok(&l, LABEL_THERMAL);
	for (size_t i = 0; i < d->nmarks; i++)
		if (d->marks[i].kind == LABEL_MARK_TEXT)
			lines++;
	assert_int_equal(lines, 3); /* the tag and two caption lines */
	l1 = d->marks[d->nmarks - 2].text;
	l2 = d->marks[d->nmarks - 1].text;
	/* Broken after a word; the rest of it cut with an ellipsis. */
	assert_true(strlen(l2) > strlen("…") &&
	            strcmp(l2 + strlen(l2) - strlen("…"), "…") == 0);
	snprintf(joined, sizeof(joined), "%s %.*s", l1, (int)(strlen(l2) - strlen("…")), l2);
	assert_int_equal(strncmp(caption, joined, strlen(joined)), 0);
	assert_int_equal(caption[strlen(l1)], ' ');
	assert_label_geometry(d, 0);
	label_doc_free(d);
	label_list_free(&l);
}

/* ---- refusals of the layout ------------------------------------------- */

static void test_text_too_long_for_thermal_is_refused_naming_it(void **state)
{
	static const char *const texts[] = { "AT-1", "ABCDEFGHIJKL" };
	struct at_errors e = AT_ERRORS_INIT;
	struct label_list l = LABEL_LIST_INIT;
	struct label_doc *d = NULL;

	(void)state;
	list_of(&l, texts, 2);
	T_EXPECT(label_doc_build(&l, LABEL_THERMAL, &d, &e), AT_INVALID, &e);
	assert_null(d);
	assert_int_equal(e.nitems, 1);
	assert_string_equal(e.items[0].input, "ABCDEFGHIJKL");
	assert_int_equal(e.items[0].code, AT_INVALID);
	assert_true(t_contains_ci(e.items[0].message, "ABCDEFGHIJKL is too long for a thermal label"));
	assert_true(t_contains_ci(e.items[0].message, "try --layout sheet"));
	/* A Letter label is wider: there it fits. */
	d = build_ok(&l, LABEL_SHEET);
	label_doc_free(d);
	at_errors_free(&e);
	label_list_free(&l);
}

static void test_text_a_code128_cannot_carry_is_refused(void **state)
{
	static const char *const texts[] = { "Zo\xc3\xab-1", "TAB\tX" };
	struct at_errors e = AT_ERRORS_INIT;
	struct label_list l = LABEL_LIST_INIT;
	struct label_doc *d = NULL;

	(void)state;
	list_of(&l, texts, 2);
	T_EXPECT(label_doc_build(&l, LABEL_SHEET, &d, &e), AT_INVALID, &e);
	assert_null(d);
	assert_int_equal(t_items(&e, NULL, AT_INVALID), 2);
	assert_true(t_mentions(&e, "printable ASCII only"));
	at_errors_free(&e);
	label_list_free(&l);
}

static void test_empty_and_oversized_lists_are_refused(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct label_list l = LABEL_LIST_INIT;
	struct label_doc *d = NULL;

	(void)state;
	T_EXPECT(label_doc_build(&l, LABEL_SHEET, &d, &e), AT_INVALID, &e);
	assert_true(t_mentions(&e, "nothing to print"));
	list_n(&l, LABEL_MAX + 1);
	T_EXPECT(label_doc_build(&l, LABEL_SHEET, &d, &e), AT_TOO_LARGE, &e);
	assert_null(d);
	label_list_free(&l);
	at_errors_free(&e);
}

/* ---- items from the database ------------------------------------------ */

static void test_assets_resolve_like_scans_and_refuse_the_unknown(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct label_list l = LABEL_LIST_INIT;
	const char *ok[] = { "at0001", " AT-0002 " };
	const char *mixed[] = { "AT-0001", "NOPE-1", "at 0002", "NOPE-2" };

	t_asset(st, "AT-0001", NULL, 0);
	t_asset(st, "AT-0002", NULL, 0);
	T_OK(label_add_assets(st, ok, 2, &l, &e), &e);
	assert_int_equal(l.n, 2);
	/* The match key resolves to the canonical tag, which is printed. */
	assert_string_equal(l.items[0].text, "AT-0001");
	assert_string_equal(l.items[1].text, "AT-0002");
	assert_string_equal(l.items[0].caption, "Acme Radio");
	label_list_free(&l);
	T_EXPECT(label_add_assets(st, mixed, 4, &l, &e), AT_NOT_FOUND, &e);
	assert_int_equal(e.nitems, 2);
	assert_int_equal(t_items(&e, "NOPE-1", AT_NOT_FOUND), 1);
	assert_int_equal(t_items(&e, "NOPE-2", AT_NOT_FOUND), 1);
	assert_string_equal(e.message, "2 of 4 items refused; nothing was changed");
	label_list_free(&l);
	at_errors_free(&e);
}

static void test_holders_by_badge_or_id_refuse_one_without_a_badge(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct label_list l = LABEL_LIST_INIT;
	int64_t dana = t_holder(st, "Dana Ruiz", "B-1001");
	int64_t sam = t_holder(st, "Sam Lee", NULL);
	char dana_id[24], sam_id[24];
	const char *in[2];

	snprintf(dana_id, sizeof(dana_id), "%lld", (long long)dana);
	snprintf(sam_id, sizeof(sam_id), "%lld", (long long)sam);
	in[0] = "B-1001";
	in[1] = dana_id;
	T_OK(label_add_holders(st, in, 2, &l, &e), &e);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[0].text, "B-1001");
	assert_string_equal(l.items[1].text, "B-1001");
	assert_string_equal(l.items[1].caption, "Dana Ruiz");
	label_list_free(&l);
	in[0] = sam_id;
	in[1] = "B-9999";
	T_EXPECT(label_add_holders(st, in, 2, &l, &e), AT_CONFLICT, &e);
	assert_int_equal(t_items(&e, sam_id, AT_CONFLICT), 1);
	assert_int_equal(t_items(&e, "B-9999", AT_NOT_FOUND), 1);
	assert_true(t_mentions(&e, "Sam Lee"));
	assert_true(t_mentions(&e, "has no badge to print"));
	label_list_free(&l);
	at_errors_free(&e);
}

static void test_case_gives_one_label_a_slot(void **state)
{
	struct store *st = T_ST(state);
	struct at_errors e = AT_ERRORS_INIT;
	struct label_list l = LABEL_LIST_INIT;

	t_case(st, "PELI-07", 3);
	T_OK(label_add_case(st, "PELI-07", &l, &e), &e);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.items[0].text, "PELI-07/1");
	assert_string_equal(l.items[2].text, "PELI-07/3");
	assert_string_equal(l.items[2].caption, "Slot 3 of case PELI-07 (HQ Store room)");
	label_list_free(&l);
	T_EXPECT(label_add_case(st, "PELI-99", &l, &e), AT_NOT_FOUND, &e);
	assert_int_equal(t_items(&e, "PELI-99", AT_NOT_FOUND), 1);
	T_EXPECT(label_add_case(st, "  ", &l, &e), AT_INVALID, &e);
	assert_int_equal(l.n, 0);
	/* 1,000 slots after one asset label is one too many. */
	t_case(st, "BIG", 1000);
	t_asset(st, "AT-0001", NULL, 0);
	{
		const char *tag[] = { "AT-0001" };
		T_OK(label_add_assets(st, tag, 1, &l, &e), &e);
	}
	T_EXPECT(label_add_case(st, "BIG", &l, &e), AT_TOO_LARGE, &e);
	assert_int_equal(l.n, 1);
	label_list_free(&l);
	T_OK(label_add_case(st, "BIG", &l, &e), &e);
	assert_int_equal(l.n, 1000);
	label_list_free(&l);
	at_errors_free(&e);
}

/* ---- the writers -------------------------------------------------------- */

static size_t count(const char *hay, size_t len, const char *needle)
{
	size_t n = 0, k = strlen(needle);

	for (size_t i = 0; i + k <= len; i++)
		n += memcmp(hay + i, needle, k) == 0;
	return n;
}

static void test_svg_has_every_symbol_and_text(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct label_list l = LABEL_LIST_INIT;
	struct label_doc *d;
	struct buf b;

	(void)state;
	list_n(&l, 31);
	d = build_ok(&l, LABEL_SHEET);
	buf_init(&b, 0);
	T_OK(label_render(d, LABEL_SVG, &b, &e), &e);
	assert_int_equal(strncmp(b.data, "<?xml version=\"1.0\"", 19), 0);
	/* Two Letter pages one under another: 8.5 x 22 inches. */
	assert_non_null(strstr(b.data, "width=\"8.5000in\" height=\"22.0000in\""));
	assert_int_equal(count(b.data, b.len, "<path "), 62);
	assert_non_null(strstr(b.data, ">T-030</text>"));
	assert_non_null(strstr(b.data, "</svg>\n"));
	buf_free(&b);
	label_doc_free(d);
	label_list_free(&l);
	at_errors_free(&e);
}

static void test_pdf_is_well_formed(void **state)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct label_list l = LABEL_LIST_INIT;
	struct label_doc *d;
	const char *p;
	long xref, off;
	struct buf b;
	int n;

	(void)state;
	list_n(&l, 31);
	d = build_ok(&l, LABEL_SHEET_A4);
	buf_init(&b, 0);
	T_OK(label_render(d, LABEL_PDF, &b, &e), &e);
	assert_int_equal(strncmp(b.data, "%PDF-1.4\n", 9), 0);
	assert_non_null(strstr(b.data, "/Count 2 >>"));
	assert_non_null(strstr(b.data, "/MediaBox [0 0 595.28 841.89]"));
	assert_non_null(strstr(b.data, "(T-030) Tj"));
	/* startxref points at the xref table, and each entry at its object. */
	p = strstr(b.data, "startxref\n");
	assert_non_null(p);
	xref = strtol(p + 10, NULL, 10);
	assert_int_equal(strncmp(b.data + xref, "xref\n0 8\n", 9), 0);
	p = b.data + xref + 9 + 20;
	for (n = 1; n < 8; n++, p += 20) {
		char want[16];
		off = strtol(p, NULL, 10);
		snprintf(want, sizeof(want), "%d 0 obj\n", n);
		assert_int_equal(strncmp(b.data + off, want, strlen(want)), 0);
	}
	assert_int_equal(strcmp(b.data + b.len - 6, "%%EOF\n"), 0);
	buf_free(&b);
	label_doc_free(d);
	label_list_free(&l);
	at_errors_free(&e);
}

static uint32_t be32_at(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
	}
	return c ^ 0xffffffffu;
}

static void test_png_chunks_and_size(void **state)
{
	static const char *const order[] = { "IHDR", "pHYs", "IDAT", "IEND" };
	struct at_errors e = AT_ERRORS_INIT;
	struct label_list l = LABEL_LIST_INIT;
	struct label_doc *d;
	const unsigned char *p;
	size_t pos = 8;
	struct buf b;

	(void)state;
	list_n(&l, 3);
	d = build_ok(&l, LABEL_THERMAL);
	buf_init(&b, 0);
	T_OK(label_render(d, LABEL_PNG, &b, &e), &e);
	p = (const unsigned char *)b.data;
	assert_int_equal(memcmp(p, "\x89PNG\r\n\x1a\n", 8), 0);
	for (int i = 0; i < 4; i++) {
		uint32_t len = be32_at(p + pos);
		assert_int_equal(memcmp(p + pos + 4, order[i], 4), 0);
		assert_int_equal(crc32_of(p + pos + 4, len + 4), be32_at(p + pos + 8 + len));
		if (i == 0) {
			/* Three 2 x 1 in labels at 300 dpi, one under another, 1 bit. */
			assert_int_equal(be32_at(p + pos + 8), 600);
			assert_int_equal(be32_at(p + pos + 12), 900);
			assert_int_equal(p[pos + 16], 1);
		}
		pos += 12 + len;
	}
	assert_int_equal(pos, b.len);
	buf_free(&b);
	label_doc_free(d);
	label_list_free(&l);
	at_errors_free(&e);
}

/* ---- the command line ---------------------------------------------------- */

static void test_cli_exit_codes_and_overwrite(void **state)
{
	struct t_db *db = T_DB(state);
	char out[T_PATH_MAX + 8], bad[T_PATH_MAX + 8];
	struct t_run r;

	t_asset(db->st, "AT-0001", NULL, 0);
	t_holder(db->st, "Sam Lee", NULL);
	snprintf(out, sizeof(out), "%s.pdf", db->files);
	snprintf(bad, sizeof(bad), "%s.txt", db->files);
	unlink(out);
	t_cli(&r, db->path, "labels", "asset", "NOPE-1", "--out", out, NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "NOPE-1: no asset has this tag"));
	assert_int_equal(access(out, F_OK), -1); /* a refusal writes no file */
	t_run_free(&r);
	t_cli(&r, db->path, "--json", "labels", "asset", "at0001", "--out", out, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "\"labels\": 1"));
	assert_non_null(strstr(r.out, "\"format\": \"pdf\""));
	assert_int_equal(access(out, F_OK), 0);
	t_run_free(&r);
	t_cli(&r, db->path, "labels", "asset", "AT-0001", "--out", out, NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "exists; add --force to replace it"));
	t_run_free(&r);
	t_cli(&r, db->path, "labels", "asset", "AT-0001", "--out", out, "--force", "--layout",
	      "thermal", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "Wrote 1 label on 1 page to "));
	t_run_free(&r);
	t_cli(&r, db->path, "labels", "holder", "1", "--out", bad, NULL);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "--out must end in .pdf, .png or .svg"));
	t_run_free(&r);
	t_cli(&r, db->path, "labels", "asset", "AT-0001", NULL);
	assert_int_equal(r.status, 2);
	t_run_free(&r);
	t_cli(&r, db->path, "labels", "case", "A", "B", "--out", bad, NULL);
	assert_int_equal(r.status, 2);
	t_run_free(&r);
	t_cli(&r, db->path, "labels", "asset", "AT-0001", "--layout", "roll", "--out", out, NULL);
	assert_int_equal(r.status, 2);
	t_run_free(&r);
	unlink(out);
	t_cli(&r, db->path, "labels", "holder", "1", "--out", out, NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "Sam Lee (holder #1) has no badge to print"));
	assert_int_equal(access(out, F_OK), -1);
	t_run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codes_carry_exactly_the_text),
		cmocka_unit_test(test_thirty_a_sheet_the_31st_starts_page_2),
		cmocka_unit_test(test_modules_and_quiet_zones_fit_every_label),
		cmocka_unit_test(test_long_caption_wraps_to_two_lines_with_an_ellipsis),
		cmocka_unit_test(test_text_too_long_for_thermal_is_refused_naming_it),
		cmocka_unit_test(test_text_a_code128_cannot_carry_is_refused),
		cmocka_unit_test(test_empty_and_oversized_lists_are_refused),
		cmocka_unit_test_setup_teardown(test_assets_resolve_like_scans_and_refuse_the_unknown,
		                                t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_holders_by_badge_or_id_refuse_one_without_a_badge,
		                                t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_case_gives_one_label_a_slot, t_setup, t_teardown),
		cmocka_unit_test(test_svg_has_every_symbol_and_text),
		cmocka_unit_test(test_pdf_is_well_formed),
		cmocka_unit_test(test_png_chunks_and_size),
		cmocka_unit_test_setup_teardown(test_cli_exit_codes_and_overwrite, t_setup, t_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
