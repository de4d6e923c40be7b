// custody.test.mjs — the scanner-first Stock-Out and Stock-In pages
// (SPEC §8, §8.1), driven the way a keyboard-wedge scanner drives them:
// text typed into the Scan field, then Enter.  Every outcome is checked
// against the JSON API, not just against what the page says.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
	assertNoHorizontalScroll, closePage, DESKTOP, launchBrowser, login, newPage, shot2,
	screenshot, startServer, USERS,
} from './lib.mjs';

let srv, browser, token;

/* GET the JSON API with the admin's token; returns the parsed body. */
async function api(path) {
	const res = await fetch(srv.base + path, { headers: { Authorization: `Bearer ${token}` } });
	const json = await res.json();
	assert.equal(res.status, 200, `${path}: ${JSON.stringify(json)}`);
	return json;
}

const asset = (tag) => api('/api/v1/assets/' + encodeURIComponent(tag));
const eventCount = async () => (await api('/api/v1/events?limit=1000')).events.length;

function cliOk(args) {
	const r = srv.cli(args);
	assert.equal(r.status, 0, `assettrack ${args.join(' ')}: ${r.stderr}`);
	return r.stdout;
}

/* Type `text` into the field labelled `label` and press Enter, as a
 * scanner does; resolves with the response of the page that follows. */
async function typeEnter(page, label, text) {
	await page.getByLabel(label, { exact: true }).fill(text);
	const [res] = await Promise.all([
		page.waitForNavigation(),
		page.getByLabel(label, { exact: true }).press('Enter'),
	]);
	return res;
}
const scan = (page, text) => typeEnter(page, 'Scan', text);

/* Click a button (by accessible name) that submits the form. */
async function click(page, name) {
	const [res] = await Promise.all([
		page.waitForNavigation(),
		page.getByRole('button', { name, exact: true }).click(),
	]);
	return res;
}

const line = (page, n) => page.locator('ol.batch-lines > li').filter({
	has: page.locator('span.badge', { hasText: new RegExp(`^${n}$`) }),
});

/* The element with `id` has the focus (native autofocus may land a moment
 * after the load event). */
async function assertFocus(page, id) {
	try {
		await page.waitForFunction((want) => document.activeElement?.id === want, id,
			{ timeout: 3000 });
	} catch {
		assert.equal(await page.evaluate(() => document.activeElement?.id), id, 'focus');
	}
}

/* Console errors other than the refused Commit's own 422 (which chromium
 * reports as a resource that failed to load): CSP violations, script errors. */
const unexpectedErrors = (page) =>
	page.consoleErrors.filter((m) => !/status of 422 \(Unprocessable Content\)/.test(m));

async function loggedIn(opts = {}) {
	const page = await newPage(browser, opts);
	await login(page, srv.base, 'operator', USERS.operator.password);
	return page;
}

before(async () => {
	srv = await startServer();
	browser = await launchBrowser();
	token = cliOk(['user', 'token', 'admin']).trim().split(/\s+/).pop();
	cliOk(['case', 'add', 'PELI-07', '--slots', '12']);
	cliOk(['holder', 'add', 'Dana Ruiz', '--badge', 'B-17']);
	cliOk(['holder', 'add', 'Sam Lee', '--badge', 'B-22']);
	for (let i = 1; i <= 6; i++) {
		cliOk(['asset', 'add', '--tag', `AT-000${i}`, '--serial', `SN-${i}`, '--manufacturer', 'Dell',
			'--type', 'Laptop', '--building', 'HQ', '--room', '101', '--case', 'PELI-07',
			'--slot', String(i)]);
	}
	cliOk(['stock-out', '--holder', 'B-22', 'AT-0003']);
});

after(async () => {
	await browser?.close();
	await srv?.stop();
});

test('Stock-Out by scanner: canonical tags, refusals with codes, commit all or nothing', async () => {
	const page = await loggedIn();
	try {
		let res = await page.goto(srv.base + '/stock-out');
		assert.equal(res.status(), 200);
		assert.equal(await page.locator('h1').innerText(), 'Stock-Out');
		/* Nothing chosen yet: the badge scan goes first. */
		await assertFocus(page, 'holder');
		res = await typeEnter(page, 'Holder', 'B-17');
		assert.equal(res.status(), 200);
		assert.match(await page.locator('#holder-line').innerText(), /Dana Ruiz \(#1, badge B-17\)\s*OK/);
		await assertFocus(page, 'scan');

		/* Lower case, no dash: the line shows the canonical tag. */
		res = await scan(page, 'at0001');
		assert.equal(res.status(), 200);
		const l1 = line(page, 1);
		assert.match(await l1.getAttribute('class'), /\bline-ok\b/);
		assert.equal(await l1.getAttribute('data-scan-result'), 'ok');
		assert.equal(await l1.locator('strong.tag').innerText(), 'AT-0001');
		assert.match(await l1.innerText(), /from PELI-07\/1/);
		assert.equal(await l1.locator('.status').innerText(), 'OK');
		assert.match(await l1.innerText(), /scanned at0001/);
		await assertFocus(page, 'scan');
		assert.equal(await page.getByLabel('Scan', { exact: true }).inputValue(), '');

		await scan(page, 'AT-9999');
		const l2 = line(page, 2);
		assert.match(await l2.getAttribute('class'), /\bline-bad\b/);
		assert.equal(await l2.getAttribute('data-scan-result'), 'bad');
		assert.equal(await l1.getAttribute('data-scan-result'), null);
		assert.match(await l2.locator('.reason').innerText(), /^NOT_FOUND\s*AT-9999: no asset has this tag$/);
		await assertFocus(page, 'scan');

		await scan(page, 'AT-0003');
		const l3 = line(page, 3);
		assert.match(await l3.getAttribute('class'), /\bline-bad\b/);
		assert.match(await l3.locator('.reason').innerText(),
			/^NOT_IN_STORAGE\s*AT-0003: in custody of Sam Lee since \d{4}-\d\d-\d\d; Stock-Out needs an asset in storage$/);
		assert.equal(await page.locator('#batch-count').innerText(), '3 lines: 1 OK, 2 will be refused');

		/* Screenshots with refused lines, at both sizes; the draft is kept
		 * on the server, so a plain GET shows it. */
		await shot2(page, srv.base + '/stock-out', 'custody-stock-out');
		await assertNoHorizontalScroll(page);
		await page.setViewportSize(DESKTOP);
		await assertNoHorizontalScroll(page);

		/* A reload keeps the batch. */
		await page.reload();
		assert.equal(await page.locator('ol.batch-lines > li').count(), 3);
		assert.equal(await line(page, 1).locator('strong.tag').innerText(), 'AT-0001');

		/* Commit is refused while any line would be, and nothing changes. */
		const before = await eventCount();
		res = await click(page, 'Commit');
		assert.equal(res.status(), 422);
		await screenshot(page, 'custody-stock-out-refused');
		const summary = page.locator('.error-summary');
		assert.equal(await summary.getAttribute('role'), 'alert');
		const st = await summary.innerText();
		assert.match(st, /There is a problem/);
		assert.match(st, /Line 2: AT-9999: no asset has this tag \(NOT_FOUND\)/);
		assert.match(st, /Line 3: AT-0003: in custody of Sam Lee .* \(NOT_IN_STORAGE\)/);
		assert.doesNotMatch(st, /Line 1/);
		assert.equal(await eventCount(), before);
		let a1 = await asset('AT-0001');
		assert.equal(a1.state, 'STORAGE');
		assert.deepEqual(a1.slot, { case: 'PELI-07', position: 1 });

		/* Remove the two refused lines with their own Remove buttons. */
		await click(page, 'Remove line 2 (AT-9999)');
		/* Lines are numbered in scan order: AT-0003 is line 2 now. */
		assert.match(await line(page, 2).innerText(), /AT-0003/);
		await click(page, 'Remove line 2 (AT-0003)');
		assert.equal(await page.locator('ol.batch-lines > li').count(), 1);
		assert.equal(await page.locator('#batch-count').innerText(), '1 line: 1 OK');

		res = await click(page, 'Commit');
		assert.equal(res.status(), 200);
		const url = new URL(page.url());
		assert.equal(url.pathname, '/stock-out');
		const batch = url.searchParams.get('batch');
		assert.match(batch, /^[0-9a-f-]{36}$/);
		const panel = page.locator('#confirmation');
		assert.equal(await panel.locator('h2').innerText(), 'Stock-Out complete: 1 asset to Dana Ruiz');
		assert.match(await panel.locator('tbody').innerText(), /AT-0001\s+PELI-07\/1\s+Dana Ruiz/);
		assert.match(await page.locator('main').innerText(), /Nothing scanned yet\./);
		/* The confirmation is a GET: it reads the batch back from the log. */
		await shot2(page, page.url(), 'custody-stock-out-done');
		await assertNoHorizontalScroll(page);
		await page.setViewportSize(DESKTOP);
		assert.equal(await panel.locator('h2').innerText(), 'Stock-Out complete: 1 asset to Dana Ruiz');

		a1 = await asset('AT-0001');
		assert.equal(a1.state, 'IN_CUSTODY');
		assert.equal(a1.holder.name, 'Dana Ruiz');
		assert.equal(a1.slot, null);
		const ev = await api('/api/v1/events?asset_tag=AT-0001&type=STOCK_OUT');
		assert.equal(ev.events.length, 1);
		assert.equal(ev.events[0].batch_id, batch);
		/* The batch is linked: the event log shows that batch alone. */
		await Promise.all([page.waitForNavigation(),
			panel.getByRole('link', { name: batch }).click()]);
		assert.equal(new URL(page.url()).searchParams.get('batch'), batch);
		const rows = await page.$$eval('table.events tbody tr', (trs) =>
			trs.map((tr) => [tr.children[2].textContent.trim(), tr.children[3].textContent.trim()]));
		assert.deepEqual(rows, [['STOCK_OUT', 'AT-0001']]);
		assert.deepEqual(unexpectedErrors(page), []);
		assert.deepEqual(page.externalRequests, []);
	} finally {
		await closePage(page);
	}
});

test('odd bytes from a scanner give a refused line, never a server error', async () => {
	const page = await loggedIn();
	try {
		await page.goto(srv.base + '/stock-out');
		const res = await scan(page, 'ÄT-0002');
		assert.equal(res.status(), 200);
		const l = line(page, 1);
		assert.match(await l.getAttribute('class'), /\bline-bad\b/);
		assert.match(await l.locator('.reason').innerText(), /^INVALID\s*\?\?T-0002: /);
		await click(page, 'Remove line 1 (??T-0002)');
		assert.equal(await page.locator('ol.batch-lines > li').count(), 0);
	} finally {
		await closePage(page);
	}
});

test('each session has its own batch', async () => {
	const a = await loggedIn();
	const b = await loggedIn();
	try {
		await a.goto(srv.base + '/stock-out');
		await scan(a, 'AT-0002');
		assert.equal(await a.locator('ol.batch-lines > li').count(), 1);
		await b.goto(srv.base + '/stock-out');
		assert.equal(await b.locator('ol.batch-lines > li').count(), 0);
		assert.match(await b.locator('main').innerText(), /Nothing scanned yet\./);
		await scan(b, 'AT-0006');
		await a.reload();
		assert.equal(await a.locator('ol.batch-lines > li').count(), 1);
		assert.equal(await line(a, 1).locator('strong.tag').innerText(), 'AT-0002');
		await click(a, 'Remove line 1 (AT-0002)');
		await b.reload();
		assert.equal(await line(b, 1).locator('strong.tag').innerText(), 'AT-0006');
		await click(b, 'Remove line 1 (AT-0006)');
	} finally {
		await closePage(a);
		await closePage(b);
	}
});

test('Stock-Out without JavaScript: type a name, pick the holder, scan, commit', async () => {
	const page = await loggedIn({ javaScriptEnabled: false });
	try {
		await page.goto(srv.base + '/stock-out');
		await typeEnter(page, 'Holder', 'dana');
		assert.match(await page.locator('#holder-error').innerText(), /No holder has badge or id 'dana'/);
		const pick = page.getByLabel('Matching holders: pick one, then Add');
		await pick.selectOption({ label: 'Dana Ruiz (#1, badge B-17)' });
		await scan(page, 'at-0004');
		assert.match(await page.locator('#holder-line').innerText(), /Dana Ruiz \(#1, badge B-17\)\s*OK/);
		assert.equal(await page.getByLabel('Holder', { exact: true }).inputValue(), 'Dana Ruiz');
		await scan(page, 'AT0005');
		assert.equal(await line(page, 1).locator('strong.tag').innerText(), 'AT-0004');
		assert.equal(await line(page, 2).locator('strong.tag').innerText(), 'AT-0005');
		assert.equal(await line(page, 2).getAttribute('data-scan-result'), 'ok');

		/* A due date in the past is refused beside its field. */
		await page.getByLabel('Due date').fill('2000-01-01');
		let res = await click(page, 'Commit');
		assert.equal(res.status(), 422);
		assert.match(await page.locator('#due-error').innerText(), /Due date 2000-01-01 is in the past/);
		assert.equal((await asset('AT-0004')).state, 'STORAGE');

		await page.getByLabel('Due date').fill('2999-12-31');
		res = await click(page, 'Commit');
		assert.equal(res.status(), 200);
		assert.equal(await page.locator('#confirmation h2').innerText(),
			'Stock-Out complete: 2 assets to Dana Ruiz');
		for (const tag of ['AT-0004', 'AT-0005']) {
			const a = await asset(tag);
			assert.equal(a.state, 'IN_CUSTODY');
			assert.equal(a.holder.name, 'Dana Ruiz');
			assert.equal(a.due, '2999-12-31');
		}
	} finally {
		await closePage(page);
	}
});

test('Stock-In: back to its slot by default; an occupied slot is refused', async () => {
	const page = await loggedIn();
	try {
		let res = await page.goto(srv.base + '/stock-in');
		assert.equal(res.status(), 200);
		await assertFocus(page, 'scan');

		/* AT-0001 left PELI-07/1 at its Stock-Out: that is the default. */
		await scan(page, 'at0001');
		const l1 = line(page, 1);
		assert.match(await l1.getAttribute('class'), /\bline-ok\b/);
		assert.match(await l1.innerText(), /from Dana Ruiz/);
		assert.match(await l1.innerText(), /OK\s*returns to PELI-07\/1/);
		assert.equal(await l1.getByLabel('Case').inputValue(), 'PELI-07');
		assert.equal(await l1.getByLabel('Slot').inputValue(), '1');
		await assertFocus(page, 'scan');

		/* AT-0004, then the label of an occupied slot: refused on its line. */
		await scan(page, 'AT-0004');
		res = await scan(page, 'PELI-07/2');
		assert.equal(res.status(), 200);
		const l2 = line(page, 2);
		assert.match(await l2.getAttribute('class'), /\bline-bad\b/);
		assert.equal(await l2.getAttribute('data-scan-result'), 'bad');
		assert.equal(await l2.getByLabel('Slot').inputValue(), '2');
		assert.match(await l2.locator('.reason').innerText(),
			/^SLOT_OCCUPIED\s*AT-0004: slot PELI-07\/2 holds AT-0002$/);
		await shot2(page, srv.base + '/stock-in', 'custody-stock-in');
		await assertNoHorizontalScroll(page);
		await page.setViewportSize(DESKTOP);

		const before = await eventCount();
		res = await click(page, 'Commit');
		assert.equal(res.status(), 422);
		assert.match(await page.locator('.error-summary').innerText(),
			/Line 2: AT-0004: slot PELI-07\/2 holds AT-0002 \(SLOT_OCCUPIED\)/);
		assert.equal(await eventCount(), before);
		assert.equal((await asset('AT-0001')).state, 'IN_CUSTODY');

		/* Send it to empty slot 7 instead, and commit. */
		await line(page, 2).getByLabel('Slot').fill('7');
		res = await click(page, 'Commit');
		assert.equal(res.status(), 200);
		assert.match(new URL(page.url()).search, /^\?batch=[0-9a-f-]{36}$/);
		const panel = page.locator('#confirmation');
		assert.equal(await panel.locator('h2').innerText(),
			'Stock-In complete: 2 assets returned to storage');
		assert.match(await panel.locator('tbody').innerText(), /AT-0001\s+PELI-07\/1/);
		assert.match(await panel.locator('tbody').innerText(), /AT-0004\s+PELI-07\/7/);
		const a1 = await asset('AT-0001');
		assert.equal(a1.state, 'STORAGE');
		assert.equal(a1.holder, null);
		assert.deepEqual(a1.slot, { case: 'PELI-07', position: 1 });
		assert.deepEqual((await asset('AT-0004')).slot, { case: 'PELI-07', position: 7 });
		await shot2(page, page.url(), 'custody-stock-in-done');
		await assertNoHorizontalScroll(page);
		assert.deepEqual(unexpectedErrors(page), []);
	} finally {
		await closePage(page);
	}
});

test('Stock-In refuses an asset that is not in custody, and a slot label with no line', async () => {
	const page = await loggedIn();
	try {
		await page.goto(srv.base + '/stock-in');
		let res = await scan(page, 'PELI-07/9');
		assert.equal(res.status(), 422);
		assert.match(await page.locator('.error-summary').innerText(),
			/PELI-07\/9 is a slot label: scan the asset first/);
		res = await scan(page, 'AT-0002');
		assert.equal(res.status(), 200);
		assert.match(await line(page, 1).locator('.reason').innerText(),
			/^NOT_IN_CUSTODY\s*AT-0002: in storage in slot PELI-07\/2; Stock-In needs an asset in custody$/);
		await click(page, 'Remove line 1 (AT-0002)');
		assert.equal(await page.locator('ol.batch-lines > li').count(), 0);
		res = await click(page, 'Commit');
		assert.equal(res.status(), 422);
		assert.match(await page.locator('.error-summary').innerText(),
			/Nothing to stock in: scan at least one asset \(INVALID\)/);
	} finally {
		await closePage(page);
	}
});
