// receipts.test.mjs — the printable custody receipt (SPEC §8, §8.1
// /receipts/{batch_id}): reached from a Stock-Out's confirmation and from
// the event log, it shows the holder, the due date, each asset and the
// chain head after the batch, with signature lines; printed by Chromium to
// PDF and read back with pdftotext.  Screenshots at 1366 and 390 px wide
// and in print media.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import {
	ARTIFACTS, assertNoHorizontalScroll, closePage, DESKTOP, launchBrowser, login, newPage, PHONE,
	screenshot, shot2, startServer, USERS,
} from './lib.mjs';

let srv, browser, token;
const DUE = '2999-12-31';

/* GET the JSON API with the admin's token; returns the parsed body. */
async function api(p) {
	const res = await fetch(srv.base + p, { headers: { Authorization: `Bearer ${token}` } });
	const json = await res.json();
	assert.equal(res.status, 200, `${p}: ${JSON.stringify(json)}`);
	return json;
}

function cliOk(args) {
	const r = srv.cli(args);
	assert.equal(r.status, 0, `assettrack ${args.join(' ')}: ${r.stderr}`);
	return r.stdout;
}

/* Type into the field labelled `label` and press Enter, as a scanner
 * does; resolves with the response of the page that follows. */
async function typeEnter(page, label, text) {
	await page.getByLabel(label, { exact: true }).fill(text);
	const [res] = await Promise.all([
		page.waitForNavigation(),
		page.getByLabel(label, { exact: true }).press('Enter'),
	]);
	return res;
}

/* Follow a link or press a button by its accessible name. */
async function follow(page, role, name) {
	const [res] = await Promise.all([
		page.waitForNavigation(),
		page.getByRole(role, { name, exact: true }).click(),
	]);
	return res;
}

async function loggedIn(user = 'operator', opts = {}) {
	const page = await newPage(browser, opts);
	await login(page, srv.base, user, USERS[user].password);
	return page;
}

/* The receipt table's rows as arrays of cell texts. */
const rows = (page) => page.locator('#receipt-assets tbody tr').evaluateAll((trs) =>
	trs.map((tr) => Array.from(tr.cells, (td) => td.innerText.trim())));

/* "Tuesday 31 December 2999", as the page writes a date for people. */
function longDate(ymd) {
	const d = new Date(`${ymd}T12:00:00Z`);
	return d.toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long',
		year: 'numeric', timeZone: 'UTC' }).replace(',', '');
}

before(async () => {
	srv = await startServer();
	browser = await launchBrowser();
	token = cliOk(['user', 'token', 'admin']).trim().split(/\s+/).pop();
	cliOk(['case', 'add', 'PELI-07', '--slots', '12']);
	cliOk(['holder', 'add', 'Dana Ruiz', '--badge', 'B-17']);
	const kinds = [['Dell', 'Laptop', 'Latitude 5440'], ['Motorola', 'Radio', 'APX 6000'],
		['Panasonic', 'Rugged tablet', 'Toughbook FZ-G2']];
	for (let i = 1; i <= 6; i++) {
		const [m, t, model] = kinds[(i - 1) % 3];
		cliOk(['asset', 'add', '--tag', `AT-000${i}`, '--serial', `SN-2024-${1000 + i}-XK`,
			'--manufacturer', m, '--type', t, '--model', model, '--building', 'HQ', '--room', '101',
			'--case', 'PELI-07', '--slot', String(i)]);
	}
});

after(async () => {
	await browser?.close();
	await srv?.stop();
});

test('Stock-Out confirmation → Print receipt: holder, due date, each tag, the head', async () => {
	const page = await loggedIn();
	try {
		await page.goto(srv.base + '/stock-out');
		await typeEnter(page, 'Holder', 'B-17');
		for (const t of ['at0001', 'AT-0002', 'AT-0003'])
			await typeEnter(page, 'Scan', t);
		await page.getByLabel('Due date').fill(DUE);
		let res = await follow(page, 'button', 'Commit');
		assert.equal(res.status(), 200);
		const batch = new URL(page.url()).searchParams.get('batch');
		assert.match(batch, /^[0-9a-f-]{36}$/);

		/* The confirmation panel links to the receipt. */
		const link = page.locator('#confirmation').getByRole('link', { name: 'Print receipt' });
		assert.equal(await link.getAttribute('href'), `/receipts/${batch}`);
		await screenshot(page, 'receipt-confirmation');
		[res] = await Promise.all([page.waitForNavigation(), link.click()]);
		assert.equal(res.status(), 200);
		assert.equal(new URL(page.url()).pathname, `/receipts/${batch}`);

		const b = await api(`/api/v1/batches/${batch}`);
		assert.equal(await page.locator('h1').innerText(), 'Custody receipt — Stock-Out');
		assert.equal(await page.title(), 'Custody receipt — Stock-Out — AssetTrack');
		assert.equal(await page.locator('#receipt-batch').innerText(), batch);
		assert.equal(await page.locator('#receipt-holder').innerText(), 'Dana Ruiz — badge B-17');
		assert.equal(await page.locator('#receipt-holder a').getAttribute('href'), `/holders/${b.holder.id}`);
		assert.equal(await page.locator('#receipt-due').innerText(), longDate(DUE));
		assert.match(await page.locator('main').innerText(), new RegExp(`Due back\\s+${longDate(DUE)} \\(${DUE}\\)`));
		assert.equal(await page.locator('main time').first().getAttribute('datetime'), b.at);
		assert.match(await page.locator('#receipt-when').innerText(),
			/^[A-Z][a-z]+day \d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d \S+$/);
		assert.match(await page.locator('main').innerText(), /Issued by\s+operator/);
		assert.match(await page.locator('main').innerText(), /Assets\s+3\b/);

		/* Each asset: tag (linked), serial, manufacturer and type with the
		 * model, the slot it left. */
		assert.deepEqual(await rows(page), [
			['1', 'AT-0001', 'SN-2024-1001-XK', 'Dell Laptop\nLatitude 5440', 'PELI-07/1'],
			['2', 'AT-0002', 'SN-2024-1002-XK', 'Motorola Radio\nAPX 6000', 'PELI-07/2'],
			['3', 'AT-0003', 'SN-2024-1003-XK', 'Panasonic Rugged tablet\nToughbook FZ-G2', 'PELI-07/3'],
		]);
		assert.equal(await page.locator('#receipt-assets tbody a[href="/assets/AT-0002"]').count(), 1);

		/* The chain head after the batch, and the command that checks it. */
		assert.equal(await page.locator('#receipt-head').innerText(), b.head);
		assert.equal(await page.locator('#receipt-verify').innerText(), `assettrack verify --anchor ${b.head}`);
		assert.equal(srv.cli(['verify', '--anchor', b.head]).status, 0);

		/* Signature lines: Issued by, Received by (the holder's name on it). */
		const sigs = page.locator('.signature');
		assert.deepEqual(await sigs.locator('h3').allInnerTexts(), ['Issued by', 'Received by']);
		assert.deepEqual(await sigs.nth(1).locator('.sig-label').allInnerTexts(), ['Name', 'Signature', 'Date']);
		assert.equal(await sigs.nth(1).locator('.sig-fill').first().innerText(), 'Dana Ruiz');
		assert.equal(await sigs.nth(0).locator('.sig-fill').first().innerText(), '');

		/* Print calls window.print() (app.js; no inline script). */
		const print = page.getByRole('button', { name: 'Print' });
		assert.ok(await print.isVisible());
		await page.evaluate(() => { window.printed = 0; window.print = () => { window.printed++; }; });
		await print.click();
		assert.equal(await page.evaluate(() => window.printed), 1);

		/* Screens: desktop and phone, no sideways scrolling. */
		await shot2(page, page.url(), 'receipt-stock-out');
		await assertNoHorizontalScroll(page);
		await page.setViewportSize(DESKTOP);
		await assertNoHorizontalScroll(page);

		/* Print media at A4 width: no navigation, no buttons, the whole
		 * table inside the page. */
		await page.setViewportSize({ width: 794, height: 1123 });
		await page.emulateMedia({ media: 'print' });
		assert.equal(await page.locator('header.at-nav').isVisible(), false);
		assert.equal(await print.isVisible(), false);
		assert.equal(await page.getByRole('link', { name: 'This batch in the event log' }).isVisible(), false);
		assert.ok(await page.locator('#receipt-head').isVisible());
		await assertNoHorizontalScroll(page);
		const tableRight = await page.locator('#receipt-assets').evaluate((t) => t.getBoundingClientRect().right);
		assert.ok(tableRight <= 794, `table runs to ${tableRight} px`);
		await screenshot(page, 'receipt-stock-out-print');
		assert.deepEqual(page.consoleErrors, []);
		assert.deepEqual(page.externalRequests, []);

		/* Printed to PDF by Chromium and read back: what a signer sees. */
		fs.mkdirSync(ARTIFACTS, { recursive: true });
		const pdf = path.join(ARTIFACTS, 'receipt-stock-out.pdf');
		await page.pdf({ path: pdf, format: 'A4', printBackground: true });
		const txt = spawnSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
		assert.equal(txt.error?.code, undefined,
			'pdftotext is missing: run scripts/install-deps.sh --with-test (poppler-utils)');
		assert.equal(txt.status, 0, txt.stderr);
		const text = txt.stdout;
		assert.match(text, /Custody receipt — Stock-Out/);
		assert.match(text, /Dana Ruiz — badge B-17/);
		assert.match(text, new RegExp(longDate(DUE)));
		for (const t of ['AT-0001', 'AT-0002', 'AT-0003'])
			assert.match(text, new RegExp(`${t}\\s+SN-2024-100${t.at(-1)}-XK`));
		/* The head may wrap at the page's edge: compare without spaces. */
		assert.ok(text.replace(/\s+/g, '').includes(b.head), `head ${b.head} not in the PDF text`);
		assert.match(text, /Issued by[\s\S]*Received by/);
		assert.doesNotMatch(text, /Log out|Stock-In\s+Audit/);   // no navigation on paper
		/* One page: three assets and the signatures fit. */
		const info = spawnSync('pdfinfo', [pdf], { encoding: 'utf8' });
		assert.match(info.stdout, /^Pages:\s+1$/m);
	} finally {
		await closePage(page);
	}
});

test('Stock-In receipt from the event log: returned by, returned to', async () => {
	cliOk(['stock-in', 'AT-0002', 'AT-0003@PELI-07:9']);
	const page = await loggedIn('auditor');   // every role may read a receipt
	try {
		await page.goto(srv.base + '/events?type=STOCK_IN');
		const ev = (await api('/api/v1/events?type=STOCK_IN')).events;
		assert.equal(ev.length, 2);
		const id = ev[0].batch_id;
		const cell = page.locator(`table.events a[href="/receipts/${id}"]`).first();
		assert.equal(await cell.innerText(), id.slice(0, 8));
		const [res] = await Promise.all([page.waitForNavigation(), cell.click()]);
		assert.equal(res.status(), 200);
		assert.equal(await page.locator('h1').innerText(), 'Custody receipt — Stock-In');
		assert.match(await page.locator('main').innerText(), /Returned by\s+Dana Ruiz — badge B-17/);
		assert.match(await page.locator('main').innerText(), /Received by\s+cli:/);
		assert.equal(await page.locator('#receipt-due').count(), 0);
		assert.deepEqual((await rows(page)).map((r) => [r[1], r[4]]),
			[['AT-0002', 'PELI-07/2'], ['AT-0003', 'PELI-07/9']]);
		assert.equal(await page.locator('#receipt-assets thead th').nth(4).innerText(), 'Returned to');
		assert.deepEqual(await page.locator('.signature h3').allInnerTexts(), ['Returned by', 'Received by']);
		assert.equal(await page.locator('.signature').nth(0).locator('.sig-fill').first().innerText(),
			'Dana Ruiz');
		await shot2(page, page.url(), 'receipt-stock-in');
		await assertNoHorizontalScroll(page);
		/* The Stock-Out's events link to their receipt too; a case's
		 * creation does not (it has none). */
		await page.setViewportSize(DESKTOP);
		await page.goto(srv.base + '/events');
		const outId = (await api('/api/v1/events?type=STOCK_OUT')).events[0].batch_id;
		assert.ok(await page.locator(`table.events a[href="/receipts/${outId}"]`).count() >= 1);
		const caseEv = (await api('/api/v1/events?type=CASE_CREATED')).events[0];
		assert.equal(await page.locator(`table.events a[href="/receipts/${caseEv.batch_id}"]`).count(), 0);
	} finally {
		await closePage(page);
	}
});

test('another kind of batch is a plain record, and says so; unknown ids are 404', async () => {
	const page = await loggedIn('admin');
	try {
		const created = (await api('/api/v1/events?asset_tag=AT-0004')).events;
		assert.deepEqual(created.map((e) => e.type), ['ASSET_CREATED', 'SLOT_ASSIGN']);
		const res = await page.goto(`${srv.base}/receipts/${created[0].batch_id}`);
		assert.equal(res.status(), 200);
		assert.equal(await page.locator('h1').innerText(), 'Batch record');
		assert.match(await page.locator('main .alert').innerText(),
			/^This batch is not a Stock-Out or a Stock-In, so it has no custody receipt: this is a plain record of its events\.$/);
		assert.equal(await page.locator('table.events tbody tr').count(), 2);
		assert.equal(await page.locator('.signature').count(), 0);
		assert.equal(await page.locator('#receipt-head').innerText(),
			`${created[1].seq}:${created[1].hash}`);
		await shot2(page, page.url(), 'receipt-other');
		await assertNoHorizontalScroll(page);

		for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-batch']) {
			const r = await page.goto(`${srv.base}/receipts/${id}`);
			assert.equal(r.status(), 404, id);
			assert.match(await page.locator('main').innerText(), /there is no batch .*\(NOT_FOUND\)/, id);
		}
	} finally {
		await closePage(page);
	}
});

test('without JavaScript the Print button is not offered (it could not work)', async () => {
	const page = await loggedIn('operator', { javaScriptEnabled: false, ...PHONE });
	try {
		const id = (await api('/api/v1/events?type=STOCK_OUT')).events[0].batch_id;
		await page.goto(`${srv.base}/receipts/${id}`);
		assert.equal(await page.locator('h1').innerText(), 'Custody receipt — Stock-Out');
		assert.equal(await page.getByRole('button', { name: 'Print' }).count(), 0);
		assert.ok(await page.getByRole('link', { name: 'This batch in the event log' }).isVisible());
	} finally {
		await closePage(page);
	}
});
