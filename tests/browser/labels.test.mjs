// labels.test.mjs — printable labels (/labels, SPEC §8, issue #12 item 4)
// in Chromium: the whole flow by keyboard alone, a refusal that names
// every input it could not print, the case page's "Print labels" link,
// the document links, the print view, and the SVG document rendered by
// Chromium and decoded back with zbarimg (both codes, every label).
//
// Data is seeded through the CLI; what the page shows is checked exactly
// (the count sentence, each label's text, the codes in the refusal).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import {
	ARTIFACTS, assertNoHorizontalScroll, closePage, DESKTOP, launchBrowser, login, newPage, PHONE,
	screenshot, shot2, startServer, USERS,
} from './lib.mjs';

let srv, browser, op;
const holders = {};

function cli(args) {
	const r = srv.cli(args);
	assert.equal(r.status, 0, `assettrack ${args.join(' ')}: ${r.stderr}`);
	return r.stdout;
}

const text = async (page, sel) => (await page.locator(sel).innerText()).replace(/\s+/g, ' ').trim();

/* The exact text of every label on the page, in order: each sheet's
 * text lines, of which every label's first is its code's text. */
async function labelTexts(page) {
	return page.locator('svg.label-sheet text').allTextContents();
}

before(async () => {
	srv = await startServer();
	cli(['case', 'add', 'PELI-07', '--slots', '4', '--building', 'HQ', '--room', '101']);
	for (const [tag, slot] of [['AT-0001', 1], ['AT-0002', 2]])
		cli(['asset', 'add', '--tag', tag, '--serial', `SN-${tag}`, '--manufacturer', 'Zebra',
			'--type', 'Scanner', '--model', 'TC52', '--building', 'HQ', '--room', '101',
			'--case', 'PELI-07', '--slot', String(slot)]);
	for (const [key, name, badge] of [['dana', 'Dana Ruiz', 'B-1001'], ['sam', 'Sam Lee', null]]) {
		const args = ['--json', 'holder', 'add', name];
		if (badge)
			args.push('--badge', badge);
		holders[key] = JSON.parse(cli(args)).id;
	}
	browser = await launchBrowser();
	op = await newPage(browser);
	await login(op, srv.base, 'operator', USERS.operator.password);
});

after(async () => {
	await browser?.close();
	await srv?.stop();
});

test('keyboard only: scan tags, name a case and a badge, pick thermal, Enter', async () => {
	await op.goto(srv.base + '/labels');
	// The form opens with the focus in Asset tags: a scanner can start.
	assert.equal(await op.evaluate(() => document.activeElement.id), 'tags');
	for (const label of ['Asset tags', 'Case', 'Holder badges', 'Layout'])
		assert.equal(await op.getByLabel(label, { exact: true }).count(), 1, label);
	// A scanner types and ends each scan with Enter: a new line here.
	await op.keyboard.type('at0001\nAT-0002\n');
	await op.keyboard.press('Tab');
	assert.equal(await op.evaluate(() => document.activeElement.id), 'case');
	await op.keyboard.type('PELI-07');
	await op.keyboard.press('Tab');
	assert.equal(await op.evaluate(() => document.activeElement.id), 'holders');
	await op.keyboard.type('B-1001');
	await op.keyboard.press('Tab');
	assert.equal(await op.evaluate(() => document.activeElement.id), 'layout');
	await op.keyboard.press('ArrowDown');
	await op.keyboard.press('ArrowDown');
	assert.equal(await op.inputValue('#layout'), 'thermal');
	await op.keyboard.press('Tab');
	assert.equal(await op.evaluate(() => document.activeElement.textContent), 'Show labels');
	const [res] = await Promise.all([op.waitForNavigation(), op.keyboard.press('Enter')]);
	assert.equal(res.status(), 200);
	assert.equal(res.request().method(), 'POST');
	assert.equal(await text(op, '#label-count'),
		'7 labels on 7 pages: Thermal, 2 x 1 inch, one a page.');
	// One sheet per thermal label, each 2 x 1 inches; the match key typed
	// (at0001) prints as the canonical tag.
	assert.equal(await op.locator('svg.label-sheet').count(), 7);
	assert.equal(await op.locator('svg.label-sheet').first().getAttribute('width'), '2.0000in');
	const firsts = await op.locator('svg.label-sheet').evaluateAll((svgs) =>
		svgs.map((s) => s.querySelector('text').textContent));
	assert.deepEqual(firsts, ['AT-0001', 'AT-0002', 'PELI-07/1', 'PELI-07/2', 'PELI-07/3',
		'PELI-07/4', 'B-1001']);
	const all = await labelTexts(op);
	assert.ok(all.includes('Zebra Scanner') && all.includes('TC52'), all.join('|'));
	assert.ok(all.includes('Dana Ruiz'), all.join('|'));
	assert.ok(all.includes('Slot 3 of case PELI-07') && all.includes('(HQ 101)'), all.join('|'));
	// Two symbols (a path each) on every label.
	assert.equal(await op.locator('svg.label-sheet path').count(), 14);
	// What was typed is kept for the next round.
	assert.equal(await op.inputValue('#tags'), 'at0001\nAT-0002\n');
	assert.equal(await op.inputValue('#case'), 'PELI-07');
	assert.deepEqual(op.consoleErrors, []);
	await op.setViewportSize(PHONE);
	await screenshot(op, 'labels-thermal');
	await assertNoHorizontalScroll(op);
	await op.setViewportSize(DESKTOP);
	await screenshot(op, 'labels-thermal');
});

test('the document links give the same labels as PDF, SVG and PNG', async () => {
	const links = op.locator('a[download]');
	assert.deepEqual(await links.allTextContents(), ['Download PDF', 'Download SVG', 'Download PNG']);
	const want = { 'labels.pdf': ['application/pdf', '%PDF-1.4'],
		'labels.svg': ['image/svg+xml', '<?xml'], 'labels.png': ['image/png', '\x89PNG'] };
	const cookies = (await op.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
	for (const a of await links.all()) {
		const name = await a.getAttribute('download');
		const href = await a.getAttribute('href');
		assert.ok(href.startsWith(`/labels/${name}?`), href);
		const q = new URL(srv.base + href).searchParams;
		assert.equal(q.get('tags'), 'at0001\nAT-0002\n');
		assert.equal(q.get('layout'), 'thermal');
		const res = await fetch(srv.base + href, { headers: { Cookie: cookies } });
		assert.equal(res.status, 200, name);
		assert.equal(res.headers.get('content-type'), want[name][0]);
		const body = Buffer.from(await res.arrayBuffer());
		assert.equal(body.subarray(0, want[name][1].length).toString('latin1'), want[name][1]);
		if (name === 'labels.svg')
			assert.match(body.toString(), /AssetTrack labels: 7 on 7 pages \(thermal\)/);
	}
});

test('printing shows the labels only, one sheet a page', async () => {
	await op.emulateMedia({ media: 'print' });
	try {
		assert.equal(await op.locator('#labels-form').isVisible(), false);
		assert.equal(await op.locator('nav[aria-label="Main"]').isVisible(), false);
		assert.equal(await op.locator('h1').isVisible(), false);
		assert.equal(await op.locator('svg.label-sheet').first().isVisible(), true);
		const style = await op.locator('svg.label-sheet').first().evaluate((s) => {
			const cs = getComputedStyle(s);
			return { page: getComputedStyle(document.body).page, after: cs.breakAfter,
				border: cs.borderTopStyle };
		});
		assert.deepEqual(style, { page: 'thermal', after: 'page', border: 'none' });
		await screenshot(op, 'labels-print');
	} finally {
		await op.emulateMedia({ media: null });
	}
});

test('a refusal names every input it cannot print, keeps what was typed, prints nothing', async () => {
	await op.goto(srv.base + '/labels');
	await op.getByLabel('Asset tags').fill('AT-0001\nNOPE-1\n');
	await op.getByLabel('Case').fill('PELI-99');
	await op.getByLabel('Holder badges').fill(`${holders.sam}\nB-1001`);
	const [res] = await Promise.all([op.waitForNavigation(),
		op.getByRole('button', { name: 'Show labels' }).click()]);
	assert.equal(res.status(), 409);
	const summary = await text(op, '.error-summary');
	assert.match(summary, /^There is a problem/);
	assert.match(summary, /NOPE-1: no asset has this tag \(NOT_FOUND\)/);
	assert.match(summary, /PELI-99.*\(NOT_FOUND\)/);
	assert.match(summary, new RegExp(`Sam Lee \\(holder #${holders.sam}\\) has no badge to print; ` +
		'give them one on their holder page first \\(CONFLICT\\)'));
	assert.equal(await text(op, '#tags-error'), 'NOPE-1: no asset has this tag');
	assert.match(await text(op, '#case-error'), /PELI-99/);
	assert.match(await text(op, '#holders-error'), /Sam Lee .* has no badge/);
	assert.equal(await op.getAttribute('#tags', 'aria-invalid'), 'true');
	// Summary lines lead to their fields.
	assert.deepEqual(await op.locator('.error-summary a').evaluateAll((as) =>
		as.map((a) => a.getAttribute('href'))), ['#tags', '#case', '#holders']);
	assert.equal(await op.inputValue('#tags'), 'AT-0001\nNOPE-1\n');
	assert.equal(await op.inputValue('#holders'), `${holders.sam}\nB-1001`);
	assert.equal(await op.locator('svg.label-sheet').count(), 0);
	assert.equal(await op.locator('a[download]').count(), 0);
	await op.setViewportSize(PHONE);
	await screenshot(op, 'labels-refused');
	await assertNoHorizontalScroll(op);
	await op.setViewportSize(DESKTOP);
	await screenshot(op, 'labels-refused');
});

test('nothing asked is refused with INVALID', async () => {
	await op.goto(srv.base + '/labels');
	const [res] = await Promise.all([op.waitForNavigation(),
		op.getByRole('button', { name: 'Show labels' }).click()]);
	assert.equal(res.status(), 422);
	assert.equal(await text(op, '.error-summary li'),
		'Nothing to print: give asset tags, a case or holders (INVALID)');
});

test('the case page links to its slot labels; an auditor may print them', async () => {
	const page = await newPage(browser);
	try {
		await login(page, srv.base, 'auditor', USERS.auditor.password);
		await page.goto(srv.base + '/cases/PELI-07');
		assert.equal(await page.getByRole('link', { name: 'Labels', exact: true }).count(), 1);
		const [res] = await Promise.all([page.waitForNavigation(),
			page.getByRole('link', { name: 'Print labels' }).click()]);
		assert.equal(res.status(), 200);
		assert.equal(new URL(page.url()).search, '?case=PELI-07');
		assert.equal(await text(page, '#label-count'),
			'4 labels on 1 page: Letter, 30 a sheet, Avery 5160.');
		const sheet = page.locator('svg.label-sheet');
		assert.equal(await sheet.getAttribute('width'), '8.5000in');
		assert.equal(await sheet.getAttribute('height'), '11.0000in');
		assert.equal(await sheet.getAttribute('viewBox'), '0 0 2550.00 3300.00');
		const texts = await labelTexts(page);
		assert.deepEqual(texts.filter((t) => t.startsWith('PELI-07/')),
			['PELI-07/1', 'PELI-07/2', 'PELI-07/3', 'PELI-07/4']);
		assert.ok(texts.includes('Slot 1 of case PELI-07') && texts.includes('(HQ 101)'),
			texts.join('|'));
		await shot2(page, page.url(), 'labels-sheet');
		await assertNoHorizontalScroll(page);
		assert.deepEqual(page.consoleErrors, []);
		assert.deepEqual(page.externalRequests, []);
	} finally {
		await closePage(page);
	}
});

/* zbarimg's output lines, sorted ("QR-Code:AT-0001"). */
function zbar(files) {
	const r = spawnSync('zbarimg', ['-q', ...[].concat(files)], { encoding: 'utf8' });
	assert.ok(r.status === 0 || r.status === 4, `zbarimg exited ${r.status}: ${r.stderr}`);
	return r.stdout.split('\n').filter(Boolean).sort();
}

test('the SVG document, drawn by Chromium at 300 dpi, scans back to every text', async () => {
	// 300 dpi: 3.125 device pixels a CSS pixel, so a module is whole pixels.
	const ctx = await browser.newContext({ viewport: { width: 816, height: 1056 },
		deviceScaleFactor: 300 / 96 });
	try {
		const p = await ctx.newPage();
		await login(p, srv.base, 'operator', USERS.operator.password);
		const res = await p.request.get(srv.base + '/labels/labels.svg?case=PELI-07' +
			'&tags=AT-0001%0AAT-0002&holders=B-1001&layout=sheet');
		assert.equal(res.status(), 200);
		assert.equal(res.headers()['content-type'], 'image/svg+xml');
		// Drawn as an image at its own size (8.5 x 11 in = 816 x 1056 CSS px).
		const svg = (await res.body()).toString('base64');
		await p.setContent('<body style="margin:0"><img id="doc" src="data:image/svg+xml;base64,' +
			svg + '"></body>');
		await p.waitForFunction(() => document.getElementById('doc').complete);
		assert.deepEqual(await p.evaluate(() => [document.getElementById('doc').width,
			document.getElementById('doc').height]), [816, 1056]);
		fs.mkdirSync(ARTIFACTS, { recursive: true });
		const file = path.join(ARTIFACTS, 'labels-svg-300dpi.png');
		await p.locator('#doc').screenshot({ path: file });
		const texts = ['AT-0001', 'AT-0002', 'PELI-07/1', 'PELI-07/2', 'PELI-07/3', 'PELI-07/4',
			'B-1001'];
		assert.deepEqual(zbar(file), [...texts.map((t) => `CODE-128:${t}`),
			...texts.map((t) => `QR-Code:${t}`)].sort());
	} finally {
		await ctx.close();
	}
});

/* pdfinfo's "Pages" and "Page size" of a PDF file. */
function pdfinfo(file) {
	const r = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
	assert.equal(r.status, 0, `pdfinfo: ${r.stderr}`);
	return { pages: Number(/^Pages:\s+(\d+)/m.exec(r.stdout)[1]),
		size: /^Page size:\s+([\d.]+ x [\d.]+) pts/m.exec(r.stdout)[1] };
}

test('the page printed by Chromium: a stock-sized page a sheet, and every code scans', async () => {
	fs.mkdirSync(ARTIFACTS, { recursive: true });
	for (const [layout, pages, size] of [['thermal', 5, '144 x 72'], ['sheet-a4', 1, '594.96 x 841.92']]) {
		const res = await op.goto(srv.base + `/labels?case=PELI-07&tags=AT-0001&layout=${layout}`);
		assert.equal(res.status(), 200, await op.locator('main').innerText());
		const file = path.join(ARTIFACTS, `labels-print-${layout}.pdf`);
		await op.pdf({ path: file, preferCSSPageSize: true });
		assert.deepEqual(pdfinfo(file), { pages, size }, layout);
		const stem = path.join(ARTIFACTS, `labels-print-${layout}`);
		const r = spawnSync('pdftoppm', ['-r', '300', '-aaVector', 'no', '-png', file, stem]);
		assert.equal(r.status, 0, String(r.stderr));
		const shots = fs.readdirSync(ARTIFACTS).filter((f) =>
			f.startsWith(`labels-print-${layout}-`) && f.endsWith('.png'))
			.map((f) => path.join(ARTIFACTS, f));
		assert.equal(shots.length, pages);
		const texts = ['AT-0001', 'PELI-07/1', 'PELI-07/2', 'PELI-07/3', 'PELI-07/4'];
		assert.deepEqual(zbar(shots), [...texts.map((t) => `CODE-128:${t}`),
			...texts.map((t) => `QR-Code:${t}`)].sort(), layout);
	}
});
