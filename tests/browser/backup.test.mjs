// backup.test.mjs — backup and restore while the server runs (SPEC §6
// backup/restore; issue #12 item 6), from /admin/backup: download a
// backup, change things, restore the backup and see the old state again
// (the replaced database kept beside it, both in the security log); a
// tampered file is refused with the verify problem shown and nothing
// changes; operators may do neither.  Screenshots at 1366 and 390 px.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
	assertNoHorizontalScroll, closePage, DESKTOP, launchBrowser, login, newPage, PHONE,
	screenshot, shot2, startServer, USERS,
} from './lib.mjs';
import { cli as cliDb, onlyOn } from '../api/lib.mjs';

let srv, browser, token, tmp, backupFile;

/* Downloading and restoring swap SQLite files; a PostgreSQL database is
 * its DBA's to back up (README, "Running on PostgreSQL"). */
const SQLITE = onlyOn('sqlite', 'backup files are SQLite\'s');

async function api(p) {
	const res = await fetch(srv.base + p, { headers: { Authorization: `Bearer ${token}` } });
	return { status: res.status, body: await res.json() };
}

function cliOk(args, db = srv.db) {
	const r = cliDb(db, args);
	assert.equal(r.status, 0, `assettrack --db ${db} ${args.join(' ')}: ${r.stderr}`);
	return r.stdout;
}

async function loggedIn(user = 'admin', opts = {}) {
	const page = await newPage(browser, opts);
	await login(page, srv.base, user, USERS[user].password);
	return page;
}

async function press(page, name) {
	const [res] = await Promise.all([
		page.waitForNavigation(),
		page.getByRole('button', { name, exact: true }).click(),
	]);
	return res;
}

/* Upload `file` for restoring and wait for the verdict. */
async function uploadForRestore(page, file) {
	await page.goto(srv.base + '/admin/backup');
	await page.getByLabel('Backup file', { exact: true }).setInputFiles(file);
	const res = await press(page, 'Upload and verify');
	assert.equal(res.status(), 200);
	assert.match(new URL(page.url()).pathname, /^\/admin\/backup\/restore\/[0-9a-f]{32}$/);
	await page.waitForFunction(() => !document.querySelector('#restore-working') &&
		document.readyState === 'complete', null, { timeout: 60000, polling: 100 });
}

const tableRows = (page, sel) => page.locator(`${sel} tbody tr`).evaluateAll((trs) =>
	trs.map((tr) => Array.from(tr.cells, (td) => td.innerText.trim())));

const keptFiles = () => fs.readdirSync(srv.dir).filter((f) => /^at\.db\.replaced-/.test(f));

before(async () => {
	srv = await startServer();
	browser = await launchBrowser();
	token = cliOk(['user', 'token', 'admin']).trim().split(/\s+/).pop();
	tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'assettrack-backup-'));
	cliOk(['case', 'add', 'PELI-01', '--slots', '4']);
	cliOk(['holder', 'add', 'Dana Ruiz', '--badge', 'B-1']);
	for (let i = 1; i <= 3; i++)
		cliOk(['asset', 'add', '--tag', `BK-${i}`, '--serial', `BKS-${i}`, '--manufacturer', 'Dell',
			'--type', 'Laptop', '--building', 'HQ', '--room', '1', '--case', 'PELI-01',
			'--slot', String(i)]);
	cliOk(['asset', 'add', '--tag', 'BK-9', '--serial', 'BKS-9', '--manufacturer', 'Dell',
		'--type', 'Laptop', '--building', 'HQ', '--room', '1']);
	cliOk(['asset', 'retire', 'BK-9', '--reason', 'Tamper-me-reason-0001']);
});

after(async () => {
	await browser?.close();
	await srv?.stop();
	if (tmp)
		fs.rmSync(tmp, { recursive: true, force: true });
});

test('download a backup, change things, restore it: the old state is back, the replaced one kept', SQLITE, async () => {
	const page = await loggedIn();
	try {
		await page.setViewportSize(DESKTOP);
		const res = await page.goto(srv.base + '/admin/backup');
		assert.equal(res.status(), 200);
		assert.equal(await page.title(), 'Backup and restore — AssetTrack');
		const now = await tableRows(page, '#backup-now');
		assert.deepEqual(now.slice(0, 2), [['Assets', '4'], ['Events', String(
			(await api('/api/v1/events?limit=1000')).body.events.length)]]);
		await screenshot(page, 'backup');
		await assertNoHorizontalScroll(page);
		await page.setViewportSize(PHONE);
		await screenshot(page, 'backup');
		await assertNoHorizontalScroll(page);
		await page.setViewportSize(DESKTOP);

		/* Download backup: a dated .db file that verifies on its own. */
		const [dl] = await Promise.all([
			page.waitForEvent('download'),
			page.getByRole('button', { name: 'Download backup', exact: true }).click(),
		]);
		assert.match(dl.suggestedFilename(), /^assettrack-\d{8}-\d{6}\.db$/);
		backupFile = path.join(tmp, dl.suggestedFilename());
		await dl.saveAs(backupFile);
		const copy = path.join(tmp, 'check.db');
		fs.copyFileSync(backupFile, copy);
		assert.match(cliOk(['verify'], copy),
			/^OK: \d+ events, hash chain intact, replay matches 4 assets/);
		const eventsAtBackup = (await api('/api/v1/events?limit=1000')).body.events.length;

		/* Things change after the backup. */
		cliOk(['asset', 'add', '--tag', 'BK-NEW', '--serial', 'BKS-NEW', '--manufacturer', 'HP',
			'--type', 'Laptop', '--building', 'HQ', '--room', '2']);
		cliOk(['stock-out', '--holder', 'B-1', 'BK-1']);
		assert.equal((await api('/api/v1/assets/BK-NEW')).status, 200);

		/* Restore from the file: verified, then both side by side. */
		await uploadForRestore(page, backupFile);
		assert.match(await page.getByRole('status').first().innerText(),
			new RegExp(`verifies: ${eventsAtBackup} events, hash chain intact, the replay matches its 4 assets`));
		const cmp = await tableRows(page, '#restore-compare');
		assert.deepEqual(cmp[0], ['Assets', '5', '4']);
		assert.deepEqual(cmp[1], ['Events', String(eventsAtBackup + 2), String(eventsAtBackup)]);
		assert.deepEqual(cmp[2], ['Holders', '1', '1']);
		await screenshot(page, 'restore-ready');
		await assertNoHorizontalScroll(page);
		await page.setViewportSize(PHONE);
		await screenshot(page, 'restore-ready');
		await assertNoHorizontalScroll(page);
		await page.setViewportSize(DESKTOP);

		/* Confirm: the database is swapped while the server runs. */
		assert.deepEqual(keptFiles(), []);
		page.once('dialog', (d) => d.accept());
		const done = await press(page, 'Restore this backup');
		assert.equal(done.status(), 200);
		assert.equal(new URL(page.url()).pathname, '/admin/backup');
		const kept = keptFiles();
		assert.equal(kept.length, 1);
		assert.match(kept[0], /^at\.db\.replaced-\d{8}-\d{6}$/);
		const panel = page.getByRole('status').filter({ hasText: 'Database restored' });
		assert.match(await panel.innerText(),
			new RegExp(`holds ${eventsAtBackup} events and 4 assets`));
		assert.equal(await page.locator('#restored-kept code').innerText(), kept[0]);
		await screenshot(page, 'restore-done');

		/* The old state, through another connection (the API's token). */
		assert.equal((await api('/api/v1/assets/BK-NEW')).status, 404);
		assert.equal((await api('/api/v1/assets/BK-1')).body.state, 'STORAGE');
		assert.equal((await api('/api/v1/events?limit=1000')).body.events.length, eventsAtBackup);
		assert.equal(srv.cli(['verify']).status, 0);
		/* The kept file is the database as it was just before, whole. */
		const keptPath = path.join(srv.dir, kept[0]);
		assert.match(cliOk(['asset', 'show', 'BK-NEW'], keptPath), /BK-NEW/);
		/* Both in the security log, by the admin. */
		const log = cliOk(['user', 'list', '--security']);
		assert.match(log, /admin\s+DATABASE_RESTORED\s+assettrack-\d{8}-\d{6}\.db/);
		/* The download was logged after the copy was made, in the
		 * database the restore replaced: the kept file has it. */
		assert.match(cliOk(['user', 'list', '--security'], keptPath),
			/admin\s+DATABASE_BACKUP\s+download/);
		/* Writes go on, into the restored database. */
		cliOk(['stock-out', '--holder', 'B-1', 'BK-2']);
		assert.equal((await api('/api/v1/assets/BK-2')).body.state, 'IN_CUSTODY');
	} finally {
		await closePage(page);
	}
});

test('the CLI refuses to restore under a running server, and points to the page', SQLITE, async () => {
	assert.ok(backupFile, 'the download test ran first');
	const before = (await api('/api/v1/events?limit=1000')).body.events.length;
	const r = srv.cli(['restore', backupFile]);
	assert.equal(r.status, 1);
	assert.match(r.stderr, /a server is running on .*at\.db: restore from its \/admin\/backup page/);
	assert.equal((await api('/api/v1/events?limit=1000')).body.events.length, before);
});

test('a tampered backup is refused with the verify problem shown; nothing changes', SQLITE, async () => {
	assert.ok(backupFile, 'the download test ran first');
	/* An event's reason edited in the file, in the table and in the
	 * index that holds it alike, so SQLite's own check still passes and
	 * only the hash chain can tell. */
	const bytes = fs.readFileSync(backupFile);
	let edits = 0;
	for (let at = bytes.indexOf('Tamper-me-reason-0001'); at >= 0;
	     at = bytes.indexOf('Tamper-me-reason-0001', at + 1), edits++)
		bytes.write('Tamper-ME-reason-0001', at);
	assert.ok(edits >= 1);
	const bad = path.join(tmp, 'tampered.db');
	fs.writeFileSync(bad, bytes);
	const before = (await api('/api/v1/events?limit=1000')).body.events.length;
	const keptBefore = keptFiles();

	const page = await loggedIn();
	try {
		await uploadForRestore(page, bad);
		assert.match(await page.locator('#restore-refusal').innerText(),
			/^tampered\.db does not verify: 1 problem in \d+ events; nothing was replaced \(INVALID\)$/);
		const problems = await tableRows(page, '#restore-problems');
		assert.equal(problems.length, 1);
		assert.equal(problems[0][0], 'HASH_MISMATCH');
		assert.match(problems[0][1], /^event #\d+ \(ASSET_RETIRED BK-9\) was altered: its content does not match its hash$/);
		assert.equal(await page.getByRole('button', { name: 'Restore this backup' }).count(), 0);
		await screenshot(page, 'restore-refused');
		await assertNoHorizontalScroll(page);
		await page.setViewportSize(PHONE);
		await screenshot(page, 'restore-refused');
		await assertNoHorizontalScroll(page);
		await page.setViewportSize(DESKTOP);

		/* Forcing the restore anyway is refused too. */
		const status = await page.evaluate(async (csrf) => (await fetch(location.pathname, {
			method: 'POST', body: new URLSearchParams({ csrf_token: csrf, op: 'restore' }),
		})).status, await page.locator('input[name=csrf_token]').first().inputValue());
		assert.equal(status, 409);
		assert.equal((await api('/api/v1/events?limit=1000')).body.events.length, before);
		assert.deepEqual(keptFiles(), keptBefore);

		await press(page, 'Discard');
		assert.match(await page.locator('main').innerText(), /Upload discarded/);

		/* Not a database at all. */
		const csv = path.join(tmp, 'assets.csv');
		fs.writeFileSync(csv, 'asset_tag,serial_number\nAT-1,S-1\n');
		await uploadForRestore(page, csv);
		assert.match(await page.locator('#restore-refusal').innerText(),
			/^assets\.csv is not a SQLite database \(INVALID\)$/);
		assert.equal(await page.locator('#restore-problems').count(), 0);
	} finally {
		await closePage(page);
	}
});

test('operators may neither download nor restore', async () => {
	const page = await loggedIn('operator');
	try {
		assert.equal((await page.goto(srv.base + '/admin/backup')).status(), 403);
		const r = await page.evaluate(async () => {
			const fd = new FormData();
			fd.append('file', new Blob(['x']), 'x.db');
			const up = await fetch('/admin/backup/restore', { method: 'POST', body: fd });
			const dl = await fetch('/admin/backup/download', { method: 'POST', body: '' });
			return [up.status, dl.status];
		});
		assert.deepEqual(r, [403, 403]);
	} finally {
		await closePage(page);
	}
});

test('on PostgreSQL the page says how to back up instead, and offers no download', onlyOn('postgresql', 'the notice is PostgreSQL\'s'), async () => {
	const page = await loggedIn('admin');
	try {
		assert.equal((await page.goto(srv.base + '/admin/backup')).status(), 200);
		assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /Backup and restore/);
		assert.match(await page.locator('main').innerText(),
			/This database is on PostgreSQL[\s\S]*pg_dump -Fc[\s\S]*pg_restore/);
		assert.equal(await page.getByRole('button', { name: 'Download backup' }).count(), 0);
		assert.equal(await page.getByLabel('Backup file').count(), 0);
		assert.match(await page.locator('main').innerText(), /assettrack backup FILE \(a verified SQLite copy/);
		await shot2(page, srv.base + '/admin/backup', 'backup-postgresql');
		await assertNoHorizontalScroll(page);
	} finally {
		await closePage(page);
	}
});
