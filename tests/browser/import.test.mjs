// import.test.mjs — the CSV import page (SPEC §8 "CSV import with
// preview", §8.1 /import; issue #12 item 3): upload a file, see the
// migration report (mapping table, outcome counts, new holders, kept
// checkouts, first examples, refused rows with their row and reason),
// change an option and preview again without uploading again, then
// Commit import: every row or none, one batch, linked to its record.
// A large file shows its progress while it is read.  Screenshots at 1366
// and 390 px wide.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
	assertNoHorizontalScroll, closePage, DESKTOP, launchBrowser, login, newPage, PHONE,
	screenshot, startServer, USERS,
} from './lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SNIPE = path.resolve(HERE, '../data/import/snipeit_export.csv');

let srv, browser, token, tmp;

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

async function loggedIn(user = 'admin', opts = {}) {
	const page = await newPage(browser, opts);
	await login(page, srv.base, user, USERS[user].password);
	return page;
}

/* Press a button by its name and wait for the page that follows (and
 * for any self-reloading "working…" pages after it to give way). */
async function press(page, name) {
	const [res] = await Promise.all([
		page.waitForNavigation(),
		page.getByRole('button', { name, exact: true }).click(),
	]);
	return res;
}

/* Wait until the job page has finished working (it reloads itself). */
async function settled(page) {
	await page.waitForFunction(() => !document.querySelector('#import-working') &&
		document.readyState === 'complete', null, { timeout: 60000, polling: 100 });
}

/* Upload `file` with optional options and wait for the preview. */
async function preview(page, file, { maps, statuses, room } = {}) {
	await page.goto(srv.base + '/import');
	await page.getByLabel('CSV file', { exact: true }).setInputFiles(file);
	if (maps)
		await page.getByLabel('Column map', { exact: true }).fill(maps);
	if (statuses)
		await page.getByLabel('Status map', { exact: true }).fill(statuses);
	if (room)
		await page.getByLabel('Default room', { exact: true }).fill(room);
	const res = await press(page, 'Preview import');
	await settled(page);
	return res;
}

const counts = async (page) => Object.fromEntries(await Promise.all(
	['storage', 'custody', 'retired', 'refused'].map(async (k) =>
		[k, Number((await page.locator(`#count-${k} .fs-3`).innerText()).trim())])));

const tableRows = (page, sel) => page.locator(`${sel} tbody tr`).evaluateAll((trs) =>
	trs.map((tr) => Array.from(tr.cells, (td) => td.innerText.trim())));

before(async () => {
	srv = await startServer();
	browser = await launchBrowser();
	token = cliOk(['user', 'token', 'admin']).trim().split(/\s+/).pop();
	tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'assettrack-import-'));
});

after(async () => {
	await browser?.close();
	await srv?.stop();
	if (tmp)
		fs.rmSync(tmp, { recursive: true, force: true });
});

test('Snipe-IT export: the preview is the CLI dry run, then Commit import imports it all', async () => {
	const page = await loggedIn();
	try {
		/* What the importer itself says a dry run does, to compare with. */
		const dry = JSON.parse(cliOk(['--json', 'import', 'assets', SNIPE, '--dry-run']));
		assert.ok(dry.rows >= 10 && dry.outcomes.custody > 0 && dry.holders.new > 0);

		await page.setViewportSize(DESKTOP);
		await page.goto(srv.base + '/import');
		assert.equal(await page.title(), 'Import assets — AssetTrack');
		await screenshot(page, 'import-form');
		await assertNoHorizontalScroll(page);
		await page.setViewportSize(PHONE);
		await screenshot(page, 'import-form');
		await assertNoHorizontalScroll(page);
		await page.setViewportSize(DESKTOP);

		const res = await preview(page, SNIPE);
		assert.equal(res.status(), 200);
		assert.match(new URL(page.url()).pathname, /^\/import\/[0-9a-f]{32}$/);
		const facts = await page.locator('#import-facts').innerText();
		assert.match(facts, new RegExp(`^snipeit_export\\.csv: ${dry.rows} rows, Snipe-IT layout, utf-8`));
		assert.match(await page.locator('main').innerText(), /Preview: nothing has changed yet/);

		/* Outcome counts, the mapping table, the statuses: the dry run's. */
		assert.deepEqual(await counts(page), {
			storage: dry.outcomes.storage, custody: dry.outcomes.custody,
			retired: dry.outcomes.retired, refused: dry.outcomes.refused,
		});
		assert.match(await page.locator('#count-custody').innerText(),
			new RegExp(`${dry.holders.total} holders?, ${dry.holders.new} new`));
		const mapping = await tableRows(page, '#import-mapping');
		assert.equal(mapping.length, dry.columns.length);
		for (const [i, col] of dry.columns.entries()) {
			assert.equal(mapping[i][0], col.column);
			assert.match(mapping[i][1], new RegExp(`^${col.to.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
		}
		const byCol = Object.fromEntries(mapping.map((r) => [r[0], r[1].split('\n')[0]]));
		assert.equal(byCol['Asset Tag'], 'asset_tag');
		assert.equal(byCol['Employee No.'], 'holder.badge');
		assert.equal(byCol.Company, 'attr:Company');
		const statuses = await tableRows(page, '#import-statuses');
		assert.deepEqual(statuses.map((r) => r[0]), dry.statuses.map((s) => s.status ?? s.name));

		/* New holders, kept checkouts, examples: named, with their rows. */
		const holders = await page.locator('#import-new-holders li').allInnerTexts();
		assert.equal(holders.length, dry.holders.new_listed.length);
		assert.ok(holders.some((h) => /^Dana Ruiz, badge E1042.*\(row \d+\)$/.test(h)), holders.join('|'));
		const kept = await page.locator('#import-kept li').allInnerTexts();
		assert.equal(kept.length, dry.checkouts_kept.listed.length);
		assert.ok(kept.some((k) => /AT-1004 checked out to location HQ Lobby Kiosk/.test(k)), kept.join('|'));
		const ex = await tableRows(page, '#import-examples');
		const nex = Object.values(dry.examples).reduce((n, a) => n + a.length, 0);
		assert.equal(ex.length, nex);
		assert.ok(ex.some((r) => r[1] === 'AT-1002' && /^In custody/.test(r[2])), JSON.stringify(ex));

		/* A preview changes nothing. */
		assert.equal((await api('/api/v1/assets?limit=5')).assets.length, 0);
		await screenshot(page, 'import-preview');
		await assertNoHorizontalScroll(page);
		await page.setViewportSize(PHONE);
		await screenshot(page, 'import-preview');
		await assertNoHorizontalScroll(page);
		await page.setViewportSize(DESKTOP);

		/* Commit import (its confirmation accepted): all rows, one batch. */
		page.once('dialog', (d) => d.accept());
		const done = await press(page, 'Commit import');
		await page.waitForURL(/\/import\?batch=/, { timeout: 60000 });
		assert.equal(done.status(), 200);
		const batch = new URL(page.url()).searchParams.get('batch');
		assert.match(batch, /^[0-9a-f-]{36}$/);
		const panel = page.getByRole('status').filter({ hasText: 'Import committed' });
		assert.match(await panel.innerText(), new RegExp(`${dry.created} assets imported in one batch of \\d+ events, by admin`));
		const link = panel.getByRole('link', { name: "View the import's record" });
		assert.equal(await link.getAttribute('href'), `/receipts/${batch}`);
		await screenshot(page, 'import-committed');

		const b = await api(`/api/v1/batches/${batch}`);
		assert.ok(b.events.length > 0);
		const all = await api('/api/v1/assets?limit=500');
		assert.equal(all.assets.length, dry.created);
		const a = await api('/api/v1/assets/AT-1002');
		assert.equal(a.state, 'IN_CUSTODY');
		assert.equal(a.holder.name, 'Dana Ruiz');
		assert.equal(srv.cli(['verify']).status, 0);

		/* The job is over: its page is gone. */
		const [r404] = await Promise.all([page.waitForNavigation(), link.click()]);
		assert.equal(r404.status(), 200);
		const again = await page.goto(srv.base + '/import/' + '0'.repeat(32));
		assert.equal(again.status(), 404);
	} finally {
		await closePage(page);
	}
});

test('refused rows: row and reason listed, no commit; a column map previews again without uploading', async () => {
	const file = path.join(tmp, 'odd.csv');
	fs.writeFileSync(file, [
		'Tag,Serial No,Maker,Kind,Site,Area',
		'OD-1,ODS-1,Dell,Laptop,HQ,101',
		'OD-2,ODS-2,Dell,Laptop,HQ,102',
		'OD-3,ODS-1,Dell,Laptop,HQ,103',
		'bad/tag,ODS-4,Dell,Laptop,HQ,104',
	].join('\r\n') + '\r\n');
	const page = await loggedIn();
	try {
		/* Without a map the columns mean nothing: refused, and said. */
		await preview(page, file);
		assert.match(await page.locator('#refused-title').innerText(), /Nothing can be imported yet/);
		assert.match(await page.locator('#import-problems').innerText(),
			/^no asset tag column: .*'COLUMN=asset_tag' \(INVALID\)$/);
		assert.equal(await page.locator('#import-refused').count(), 0);
		assert.equal(await page.getByRole('button', { name: 'Commit import' }).count(), 0);
		await screenshot(page, 'import-refused-header');

		/* Map the columns on this page and preview again: same file. */
		const url = page.url();
		await page.getByLabel('Column map', { exact: true }).fill(
			'Tag=asset_tag\nSerial No=serial_number\nMaker=manufacturer\nKind=equipment_type\n' +
			'Site=building\nArea=room');
		await press(page, 'Preview again');
		await settled(page);
		assert.equal(page.url(), url);
		assert.equal(await page.getByLabel('Column map', { exact: true }).inputValue(),
			'Tag=asset_tag\nSerial No=serial_number\nMaker=manufacturer\nKind=equipment_type\n' +
			'Site=building\nArea=room');
		const refused = await tableRows(page, '#import-refused');
		assert.equal(refused.length, 2, JSON.stringify(refused));
		assert.equal(refused[0][0], '4');
		assert.match(refused[0][1], /ODS-1/);
		assert.equal(refused[0][2], 'DUPLICATE');
		assert.equal(refused[1][0], '5');
		assert.match(refused[1][1], /bad\/tag/);
		assert.equal(refused[1][2], 'INVALID');
		assert.equal((await counts(page)).refused, 2);
		assert.match(await page.locator('#import-problems').innerText(),
			/^2 of 4 rows refused; nothing was imported \(DUPLICATE\)$/);
		assert.equal(await page.getByRole('button', { name: 'Commit import' }).count(), 0);
		await screenshot(page, 'import-refused');
		await assertNoHorizontalScroll(page);
		await page.setViewportSize(PHONE);
		await screenshot(page, 'import-refused');
		await assertNoHorizontalScroll(page);
		await page.setViewportSize(DESKTOP);

		/* A commit is refused for a preview that refused rows. */
		const forged = await page.evaluate(async (csrf) => {
			const r = await fetch(location.pathname, { method: 'POST', body:
				new URLSearchParams({ csrf_token: csrf, op: 'commit' }) });
			return r.status;
		}, await page.locator('input[name=csrf_token]').first().inputValue());
		assert.equal(forged, 409);
		assert.equal((await api('/api/v1/assets?q=OD-')).assets.length, 0);

		/* Discard: the upload is gone, nothing imported. */
		await press(page, 'Discard');
		assert.equal(new URL(page.url()).pathname, '/import');
		assert.match(await page.locator('main').innerText(), /Upload discarded/);
		assert.equal((await page.goto(url)).status(), 404);
		assert.equal((await api('/api/v1/assets?q=OD-')).assets.length, 0);
	} finally {
		await closePage(page);
	}
});

test('cases the database lacks: listed as new cases in the preview, made by the commit', async () => {
	const file = path.join(tmp, 'cases.csv');
	fs.writeFileSync(file, 'asset_tag,serial_number,manufacturer,equipment_type,building,room,' +
		'case,position,case_slots\n' +
		'NC-1,NC-S1,Acme,Radio,HQ,Store,NEWCASE-1,2,12\n' +
		'NC-2,NC-S2,Acme,Radio,HQ,Store,NEWCASE-2,5,\n');
	const page = await loggedIn();
	try {
		await preview(page, file);
		const cases = await page.locator('#import-new-cases li').allInnerTexts();
		assert.deepEqual(cases, ['NEWCASE-1, 12 slots (row 2)', 'NEWCASE-2, 5 slots (row 3)']);
		await screenshot(page, 'import-new-cases');
		await page.setViewportSize(PHONE);
		await screenshot(page, 'import-new-cases');
		await assertNoHorizontalScroll(page);
		await page.setViewportSize(DESKTOP);
		/* Nothing made by the preview; the commit makes both cases. */
		assert.equal((await fetch(srv.base + '/api/v1/cases/NEWCASE-1',
			{ headers: { Authorization: `Bearer ${token}` } })).status, 404);
		page.once('dialog', (d) => d.accept());
		await press(page, 'Commit import');
		await page.waitForURL(/\/import\?batch=/, { timeout: 60000 });
		assert.equal((await api('/api/v1/cases/NEWCASE-1')).slot_count, 12);
		assert.equal((await api('/api/v1/cases/NEWCASE-2')).slot_count, 5);
		assert.equal((await api('/api/v1/assets/NC-2')).slot.position, 5);
	} finally {
		await closePage(page);
	}
});

test('no file: 422, the error beside the field and in the summary; others may not upload', async () => {
	const page = await loggedIn();
	try {
		await page.goto(srv.base + '/import');
		/* The browser would insist on a file; the server checks too. */
		await page.locator('#file').evaluate((el) => el.removeAttribute('required'));
		await page.getByLabel('Default room', { exact: true }).fill('Store');
		const res = await press(page, 'Preview import');
		assert.equal(res.status(), 422);
		assert.match(await page.getByRole('alert').innerText(), /Choose a CSV file to import/);
		assert.match(await page.locator('#file-error').innerText(), /choose a CSV file to import/i);
		assert.equal(await page.getByLabel('Default room', { exact: true }).inputValue(), 'Store');
	} finally {
		await closePage(page);
	}
	const op = await loggedIn('operator');
	try {
		assert.equal((await op.goto(srv.base + '/import')).status(), 403);
		const status = await op.evaluate(async () => {
			const fd = new FormData();
			fd.append('file', new Blob(['asset_tag\nX-1\n']), 'x.csv');
			return (await fetch('/import', { method: 'POST', body: fd, redirect: 'manual' })).status;
		});
		assert.equal(status, 403);
	} finally {
		await closePage(op);
	}
	/* Nobody logged in: sent to the login page, the body dropped. */
	const fd = new FormData();
	fd.append('file', new Blob(['asset_tag\nX-1\n']), 'x.csv');
	const anon = await fetch(srv.base + '/import', { method: 'POST', body: fd, redirect: 'manual' });
	assert.equal(anon.status, 303);
	assert.equal(anon.headers.get('location'), '/login');
});

test('a commit refused because the database changed since the preview imports nothing', async () => {
	const file = path.join(tmp, 'race.csv');
	fs.writeFileSync(file, 'asset_tag,serial_number,manufacturer,equipment_type,building,room\n' +
		'RC-1,RCS-1,Dell,Laptop,HQ,1\nRC-2,RCS-2,Dell,Laptop,HQ,1\n');
	const page = await loggedIn();
	try {
		await preview(page, file);
		assert.equal((await counts(page)).storage, 2);
		/* Someone takes RC-2's serial in between. */
		cliOk(['asset', 'add', '--tag', 'RC-X', '--serial', 'RCS-2', '--manufacturer', 'HP',
			'--type', 'Laptop', '--building', 'HQ', '--room', '1']);
		page.once('dialog', (d) => d.accept());
		await press(page, 'Commit import');
		await settled(page);
		assert.match(new URL(page.url()).pathname, /^\/import\/[0-9a-f]{32}$/);
		const refused = await tableRows(page, '#import-refused');
		assert.equal(refused.length, 1);
		assert.equal(refused[0][0], '3');
		assert.match(refused[0][1], /RCS-2 already belongs to RC-X/);
		assert.equal((await api('/api/v1/assets?q=RC-')).assets.map((a) => a.asset_tag).join(), 'RC-X');
		assert.equal(await page.getByRole('button', { name: 'Commit import' }).count(), 0);
	} finally {
		await closePage(page);
	}
});

test('a large file shows its progress while it is read, then the preview', async () => {
	/* A server of the test build whose import waits 200 ms each 2,000
	 * rows: the preview of 30,000 rows lasts at least 3 s on any machine,
	 * so its reloads must show rows read, however fast the rest is. */
	const slow = await startServer({ env: { ASSETTRACK_TEST_IMPORT_DELAY_MS: '200' } });
	const file = path.join(tmp, 'big.csv');
	const n = 30000;
	const lines = ['asset_tag,serial_number,manufacturer,equipment_type,building,room'];
	for (let i = 1; i <= n; i++)
		lines.push(`BIG-${i},BIGSN-${i},Dell,Laptop,HQ,${100 + (i % 50)}`);
	fs.writeFileSync(file, lines.join('\n') + '\n');
	const page = await newPage(browser);
	try {
		await login(page, slow.base, 'admin', USERS.admin.password);
		await page.goto(slow.base + '/import');
		await page.getByLabel('CSV file', { exact: true }).setInputFiles(file);
		await press(page, 'Preview import');
		/* The first answer is the working page: it says how far it got,
		 * and reloads itself. */
		const working = page.locator('#import-working');
		assert.equal(await working.count(), 1, 'the preview finished before its page was shown');
		assert.match(await working.innerText(), /Previewing big\.csv…\s+\d+ rows read so far\./);
		assert.equal(await working.getAttribute('role'), 'status');
		await screenshot(page, 'import-working');
		/* Wait while the count moves: a loaded CI machine under ASan may
		 * take minutes, but a preview that stops moving for a minute is
		 * stuck.  Each count seen is at least the one before.  Asked of
		 * the document in one step, as a reload may be under way: then
		 * there is no element for a moment, which is not the end. */
		let seen = 0;
		let moved = Date.now();
		while (Date.now() - moved < 60000) {
			const now = await page.evaluate(() => ({
				done: document.readyState === 'complete' && !document.querySelector('#import-working'),
				text: document.querySelector('#import-working')?.innerText ?? '',
			})).catch(() => ({ done: false, text: '' }));
			if (now.done)
				break;
			const m = /(\d+) rows read/.exec(now.text);
			if (m) {
				assert.ok(Number(m[1]) >= seen, `rows read went back from ${seen} to ${m[1]}`);
				if (Number(m[1]) > seen) {
					seen = Number(m[1]);
					moved = Date.now();
				}
			}
			await page.waitForTimeout(200);
		}
		await settled(page);
		assert.equal(await working.count(), 0, `the preview stopped moving at ${seen} rows read`);
		assert.ok(seen > 0, 'a reload showed rows read');
		assert.equal((await counts(page)).storage, n);
		assert.match(await page.locator('#import-facts').innerText(), new RegExp(`${n} rows`));
		await press(page, 'Discard');
	} finally {
		await closePage(page);
		await slow.stop();
	}
});
