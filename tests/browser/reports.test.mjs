// reports.test.mjs — the reports (/reports: custody, unslotted, occupancy,
// a holder's history, retired; their CSV downloads), the event log
// (/events) and user administration (/admin/users), in Chromium.
//
// Overdue custody needs a due date in the past, which core refuses: so the
// custody is seeded through the CLI with ASSETTRACK_FAKE_NOW a week ago
// and a due date two days after that.  The server itself runs on the real
// clock, for which those due dates have passed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import {
	DESKTOP, PHONE, assertNoHorizontalScroll, closePage, launchBrowser, login, newPage, screenshot,
	shot2, startServer,
} from './lib.mjs';

let srv, browser;

const DAY = 86400e3;
const ymd = (ms) => new Date(ms).toISOString().slice(0, 10);
const NOW = Date.now();
const FAKE_DAY = ymd(NOW - 7 * DAY);          // the seeding "today"
const DUE_PAST = ymd(NOW - 5 * DAY);          // overdue by now
const DUE_LATER = ymd(NOW + 30 * DAY);        // not overdue
const BULK = 110;                             // enough events for two pages

function cliOk(args, input) {
	const r = srv.cli(args, input);
	assert.equal(r.status, 0, `assettrack ${args.join(' ')}: ${r.stderr}`);
	return r.stdout;
}

/* Seed, a week ago: one case, two holders, five slotted assets, four of
 * them out (AT-0001 and AT-0003 overdue by now); then a bulk import. */
function seed() {
	process.env.ASSETTRACK_FAKE_NOW = `${FAKE_DAY}T10:00:00.000Z`;
	try {
		cliOk(['case', 'add', 'PELI-01', '--slots', '10', '--building', 'HQ', '--room', '1']);
		cliOk(['holder', 'add', 'Dana Ruiz', '--badge', 'B-100']);
		cliOk(['holder', 'add', 'Sam Lee', '--badge', 'B-200']);
		for (let i = 1; i <= 5; i++)
			cliOk(['asset', 'add', '--tag', `AT-000${i}`, '--serial', `SN-${i}`, '--manufacturer',
				'Acme', '--type', 'Radio', '--building', 'HQ', '--room', '1', '--case', 'PELI-01',
				'--slot', String(i)]);
		cliOk(['stock-out', '--holder', 'B-100', '--due', DUE_PAST, 'AT-0001', 'AT-0003']);
		cliOk(['stock-out', '--holder', 'B-200', '--due', DUE_LATER, 'AT-0002']);
		cliOk(['stock-out', '--holder', 'B-200', 'AT-0004']);
	} finally {
		delete process.env.ASSETTRACK_FAKE_NOW;
	}
	const rows = ['asset_tag,serial_number,manufacturer,equipment_type,building,room'];
	for (let i = 1; i <= BULK; i++)
		rows.push(`BULK-${String(i).padStart(3, '0')},BS-${i},Acme,Radio,HQ,2`);
	const csv = path.join(srv.dir, 'bulk.csv');
	fs.writeFileSync(csv, rows.join('\n') + '\n');
	cliOk(['import', 'assets', csv]);
}

async function as(role, size) {
	const page = await newPage(browser, size);
	const res = await login(page, srv.base, role, srv.users[role].password);
	assert.equal(res.status(), 200, `login as ${role}`);
	return page;
}

/* The custody report's rows: [tag, holder, since, due, overdue, slot]. */
async function custodyRows(page) {
	return page.$$eval('#custody-report tbody tr', (trs) =>
		trs.map((tr) => [...tr.children].map((td) => td.textContent.trim())));
}

/* The event log's rows: [seq, type, asset]. */
async function eventRows(page) {
	return page.$$eval('table.events tbody tr', (trs) =>
		trs.map((tr) => [0, 2, 3].map((i) => tr.children[i].textContent.trim())));
}

/* Screenshots of the page as it is (no reload: a POST's answer), at both
 * sizes; leaves the page at phone width. */
async function shotHere(page, name) {
	for (const size of [DESKTOP, PHONE]) {
		await page.setViewportSize(size);
		await screenshot(page, name);
		await assertNoHorizontalScroll(page);
	}
}

async function api(method, p, token) {
	const r = await fetch(srv.base + p, { method, headers: { Authorization: `Bearer ${token}` } });
	return { status: r.status, json: await r.json().catch(() => undefined) };
}

before(async () => {
	srv = await startServer();
	seed();
	browser = await launchBrowser();
});

after(async () => {
	await browser?.close();
	await srv?.stop();
});

test('custody report: every row, overdue ones first with the badge', async () => {
	const page = await as('admin');
	try {
		const [desktop] = await shot2(page, srv.base + '/reports/custody', 'reports-custody');
		assert.equal(desktop.status(), 200);
		await assertNoHorizontalScroll(page);
		assert.equal(await page.locator('h1').textContent(), 'Custody report');
		const rows = await custodyRows(page);
		assert.deepEqual(rows.map((r) => r[0]), ['AT-0001', 'AT-0003', 'AT-0002', 'AT-0004']);
		assert.deepEqual(rows[0], ['AT-0001', 'Dana Ruiz', `${FAKE_DAY} 10:00 UTC`, DUE_PAST,
			'Overdue', 'PELI-01/1']);
		assert.deepEqual(rows[2], ['AT-0002', 'Sam Lee', `${FAKE_DAY} 10:00 UTC`, DUE_LATER, 'No',
			'PELI-01/2']);
		assert.equal(rows[3][3], '—');
		assert.equal(await page.locator('#custody-report tbody.overdue .badge').count(), 2);
		assert.equal(await page.locator('#custody-report tbody.on-time .badge').count(), 0);
		assert.equal(await page.locator('#report-count').textContent(), '4 assets shown, 2 overdue.');
		// Links: the tag to its asset page, the holder to theirs.
		assert.equal(await page.locator('#custody-report tbody tr').first().locator('a').first()
			.getAttribute('href'), '/assets/AT-0001');
		assert.match(await page.getByRole('link', { name: 'Dana Ruiz' }).first()
			.getAttribute('href'), /^\/holders\/\d+$/);
	} finally {
		await closePage(page);
	}
});

test('custody report: "Overdue only" keeps the overdue rows', async () => {
	const page = await as('operator');
	try {
		await page.goto(srv.base + '/reports/custody');
		await page.getByLabel('Overdue only').check();
		await Promise.all([page.waitForNavigation(),
			page.getByRole('button', { name: 'Show report' }).click()]);
		assert.match(page.url(), /overdue=1/);
		assert.equal(await page.getByLabel('Overdue only').isChecked(), true);
		const rows = await custodyRows(page);
		assert.deepEqual(rows.map((r) => [r[0], r[4]]), [['AT-0001', 'Overdue'], ['AT-0003', 'Overdue']]);
		assert.equal(await page.locator('#report-count').textContent(), '2 assets shown.');
		await shot2(page, page.url(), 'reports-custody-overdue');
		await assertNoHorizontalScroll(page);
	} finally {
		await closePage(page);
	}
});

test('custody report "As of": none before the Stock-Out, all after; bad input is a 422', async () => {
	const page = await as('admin');
	try {
		const dayBefore = ymd(NOW - 8 * DAY), dayAfter = ymd(NOW - 6 * DAY);
		await page.goto(srv.base + '/reports/custody');
		await page.getByLabel('As of').fill(dayBefore);
		await Promise.all([page.waitForNavigation(),
			page.getByRole('button', { name: 'Show report' }).click()]);
		assert.equal(await page.locator('h1').textContent(), `Custody report as of ${dayBefore}`);
		assert.equal(await page.locator('#custody-report').count(), 0);
		assert.match(await page.locator('main').textContent(), /No asset was in custody then\./);
		assert.equal(await page.getByLabel('As of').inputValue(), dayBefore);

		await page.getByLabel('As of').fill(dayAfter);
		await Promise.all([page.waitForNavigation(),
			page.getByRole('button', { name: 'Show report' }).click()]);
		assert.equal(await page.locator('h1').textContent(), `Custody report as of ${dayAfter}`);
		let rows = await custodyRows(page);
		// Nothing was overdue yet then (due two days after the Stock-Out): tag order.
		assert.deepEqual(rows.map((r) => [r[0], r[1], r[4]]), [['AT-0001', 'Dana Ruiz', 'No'],
			['AT-0002', 'Sam Lee', 'No'], ['AT-0003', 'Dana Ruiz', 'No'], ['AT-0004', 'Sam Lee', 'No']]);
		await shot2(page, page.url(), 'reports-custody-asof');

		// Four days after, the two due on DUE_PAST were overdue.
		await page.goto(`${srv.base}/reports/custody?as_of=${ymd(NOW - 3 * DAY)}&overdue=1`);
		rows = await custodyRows(page);
		assert.deepEqual(rows.map((r) => r[0]), ['AT-0001', 'AT-0003']);

		const bad = await page.goto(srv.base + '/reports/custody?as_of=2026-02-30');
		assert.equal(bad.status(), 422);
		const summary = page.getByRole('alert');
		assert.match(await summary.textContent(), /There is a problem/);
		assert.match(await summary.textContent(), /As of: .*2026-02-30/);
		assert.match(await summary.textContent(), /INVALID/);
		assert.match(await page.locator('#as_of-error').textContent(), /^As of: /);
		assert.equal(await page.locator('#custody-report').count(), 0);
		assert.equal(await page.locator('h1').textContent(), 'Custody report');
		await shot2(page, srv.base + '/reports/custody?as_of=yesterday', 'reports-custody-bad');
		await assertNoHorizontalScroll(page);
	} finally {
		await closePage(page);
	}
});

test('events: filter by a scanned asset tag and a type, newest first', async () => {
	const page = await as('admin');
	try {
		await page.goto(srv.base + '/events');
		// A scanner's form of AT-0003: other case, no dash, trailing whitespace.
		await page.getByLabel('Asset tag').fill('at0003 ');
		await Promise.all([page.waitForNavigation(),
			page.getByRole('button', { name: 'Filter' }).click()]);
		let rows = await eventRows(page);
		assert.deepEqual(rows.map((r) => [r[1], r[2]]), [['STOCK_OUT', 'AT-0003'],
			['SLOT_ASSIGN', 'AT-0003'], ['ASSET_CREATED', 'AT-0003']]);
		assert.ok(Number(rows[0][0]) > Number(rows[1][0]), 'newest first');
		assert.equal(await page.getByRole('link', { name: 'Older events' }).count(), 0);

		await page.getByLabel('Type').selectOption('STOCK_OUT');
		await Promise.all([page.waitForNavigation(),
			page.getByRole('button', { name: 'Filter' }).click()]);
		rows = await eventRows(page);
		assert.deepEqual(rows.map((r) => [r[1], r[2]]), [['STOCK_OUT', 'AT-0003']]);
		// The batch id is shortened, the whole id in its title.
		const batch = page.locator('table.events tbody tr td:nth-child(10) span');
		const full = await batch.getAttribute('title');
		assert.ok(full.length > 8 && full.startsWith(await batch.textContent()));
		await shot2(page, page.url(), 'reports-events-filtered');
		await assertNoHorizontalScroll(page);

		// Type alone: the four Stock-Outs, newest first.
		await page.goto(srv.base + '/events?type=STOCK_OUT');
		rows = await eventRows(page);
		assert.deepEqual(rows.map((r) => r[2]), ['AT-0004', 'AT-0002', 'AT-0003', 'AT-0001']);
		assert.equal(await page.getByLabel('Type').inputValue(), 'STOCK_OUT');

		// Holder id: Dana's two Stock-Outs; a holder id that is no number is refused.
		const dana = JSON.parse(cliOk(['--json', 'holder', 'show', 'B-100']));
		await page.goto(`${srv.base}/events?type=STOCK_OUT&holder_id=${dana.id}`);
		rows = await eventRows(page);
		assert.deepEqual(rows.map((r) => r[2]), ['AT-0003', 'AT-0001']);
		assert.equal(await page.getByLabel('Holder id').inputValue(), String(dana.id));
		let bad = await page.goto(srv.base + '/events?holder_id=abc');
		assert.equal(bad.status(), 422);
		assert.match(await page.locator('#holder_id-error').textContent(),
			/'abc' is not a holder id/);
		// Since: the Stock-Outs were a week ago, the bulk import today.
		await page.goto(`${srv.base}/events?type=STOCK_OUT&since=${ymd(NOW - 6 * DAY)}`);
		assert.match(await page.locator('main').textContent(), /No events match these filters\./);
		await page.goto(`${srv.base}/events?type=STOCK_OUT&since=${FAKE_DAY}`);
		assert.equal((await eventRows(page)).length, 4);
		bad = await page.goto(srv.base + '/events?since=last-week');
		assert.equal(bad.status(), 422);
		assert.match(await page.locator('#since-error').textContent(), /^Since: /);
		bad = await page.goto(srv.base + '/events?holder_id=9999');
		assert.equal(bad.status(), 404);
		assert.equal(await page.locator('table.events').count(), 0);

		// An unknown tag says so, beside the field and in the summary.
		const res = await page.goto(srv.base + '/events?asset_tag=NOPE-9');
		assert.equal(res.status(), 404);
		assert.match(await page.getByRole('alert').textContent(), /NOPE-9: no asset has this tag/);
		assert.match(await page.locator('#asset_tag-error').textContent(), /no asset has this tag/);
		assert.equal(await page.locator('table.events').count(), 0);
		assert.equal(await page.getByLabel('Asset tag').inputValue(), 'NOPE-9');
		await shot2(page, srv.base + '/events?asset_tag=NOPE-9', 'reports-events-unknown');
	} finally {
		await closePage(page);
	}
});

test('events: 100 per page and an "Older events" link past that', async () => {
	const page = await as('auditor');
	try {
		const total = (await api('GET', '/api/v1/events?limit=1000', cliOk(['user', 'token', 'admin'])
			.trim())).json.events.length;
		assert.ok(total > 100, `seeded ${total} events`);
		const [res] = await shot2(page, srv.base + '/events', 'reports-events');
		assert.equal(res.status(), 200);
		await assertNoHorizontalScroll(page);
		let rows = await eventRows(page);
		assert.equal(rows.length, 100);
		assert.equal(Number(rows[0][0]), total);
		assert.equal(Number(rows[99][0]), total - 99);
		const older = page.getByRole('link', { name: 'Older events' });
		assert.equal(await older.getAttribute('href'), `/events?before=${total - 99}`);
		await Promise.all([page.waitForNavigation(), older.click()]);
		rows = await eventRows(page);
		assert.equal(rows.length, total - 100);
		assert.equal(Number(rows[0][0]), total - 100);
		assert.deepEqual(rows[rows.length - 1].slice(0, 2), ['1', 'CASE_CREATED']);
		assert.equal(await page.getByRole('link', { name: 'Older events' }).count(), 0);
		assert.equal(await page.getByRole('link', { name: 'Newest events' }).getAttribute('href'),
			'/events');

		// Filters ride along on the paging link.
		await page.goto(srv.base + '/events?type=ASSET_CREATED');
		assert.equal(await page.getByRole('link', { name: 'Older events' }).getAttribute('href'),
			`/events?type=ASSET_CREATED&before=${(await eventRows(page))[99][0]}`);
	} finally {
		await closePage(page);
	}
});

test('users: add, a token shown once that works, revoke makes it 401', async () => {
	const page = await as('admin');
	page.on('dialog', (d) => d.accept());
	try {
		const [res] = await shot2(page, srv.base + '/admin/users', 'reports-users');
		assert.equal(res.status(), 200);
		await assertNoHorizontalScroll(page);

		// Refused: a short password; what was typed (but the password) is kept.
		await page.getByLabel('Username').fill('carol');
		await page.getByLabel('Role').selectOption('auditor');
		await page.getByLabel('Password').fill('short');
		let [nav] = await Promise.all([page.waitForNavigation(),
			page.getByRole('button', { name: 'Add user' }).click()]);
		assert.equal(nav.status(), 422);
		assert.match(await page.getByRole('alert').textContent(), /A password has 8 to 1024 characters/);
		assert.match(await page.locator('#password-error').textContent(), /8 to 1024/);
		assert.equal(await page.getByLabel('Username').inputValue(), 'carol');
		assert.equal(await page.getByLabel('Role').inputValue(), 'auditor');
		assert.equal(await page.getByLabel('Password').inputValue(), '');
		await shotHere(page, 'reports-users-refused');

		await page.goto(srv.base + '/admin/users');
		await page.getByLabel('Username').fill('carol');
		await page.getByLabel('Role').selectOption('operator');
		await page.getByLabel('Password').fill('carol-pass-1234');
		[nav] = await Promise.all([page.waitForNavigation(),
			page.getByRole('button', { name: 'Add user' }).click()]);
		assert.equal(nav.status(), 200);
		assert.equal(new URL(page.url()).pathname + new URL(page.url()).search,
			'/admin/users?done=added&user=carol');
		assert.match(await page.getByRole('status').textContent(), /User carol added/);
		const row = page.locator('table.users tbody tr', { hasText: 'carol' });
		assert.match(await row.locator('th').textContent(), /^carol/);
		assert.deepEqual((await row.locator('td').allTextContents()).slice(0, 2),
			['operator', 'Active']);

		// The same name again: a conflict, 409.
		await page.getByLabel('Username').fill('carol');
		await page.getByLabel('Password').fill('carol-pass-1234');
		[nav] = await Promise.all([page.waitForNavigation(),
			page.getByRole('button', { name: 'Add user' }).click()]);
		assert.equal(nav.status(), 409);
		assert.match(await page.getByRole('alert').textContent(), /User carol already exists/);
		assert.match(await page.getByRole('alert').textContent(), /DUPLICATE/);

		// A token, shown in the POST's answer (200, no redirect).
		await page.goto(srv.base + '/admin/users');
		[nav] = await Promise.all([page.waitForNavigation(),
			page.getByRole('button', { name: 'New API token for carol' }).click()]);
		assert.equal(nav.status(), 200);
		assert.equal(nav.request().method(), 'POST');
		const panel = page.locator('#new-token-panel');
		assert.match(await panel.textContent(), /New API token for carol/);
		assert.match(await panel.textContent(), /will not be shown again/);
		const token = (await page.locator('#new-token').textContent()).trim();
		assert.match(token, /^[0-9a-f]{64}$/);
		assert.ok(!page.url().includes(token));
		await shotHere(page, 'reports-users-token');
		let me = await api('GET', '/api/v1/me', token);
		assert.equal(me.status, 200);
		assert.equal(me.json.username, 'carol');

		// Shown once: the list does not have it any more.
		await page.goto(srv.base + '/admin/users');
		assert.ok(!(await page.content()).includes(token));

		// Revoke (after the confirmation): 303 back with the count; the token is dead.
		[nav] = await Promise.all([page.waitForNavigation(),
			page.getByRole('button', { name: 'Revoke API tokens for carol' }).click()]);
		assert.equal(new URL(page.url()).search, '?done=revoked&n=1&user=carol');
		assert.match(await page.getByRole('status').textContent(),
			/API tokens of carol revoked.*1 token revoked/);
		me = await api('GET', '/api/v1/me', token);
		assert.equal(me.status, 401);
		await shot2(page, page.url(), 'reports-users-revoked');
		await assertNoHorizontalScroll(page);
	} finally {
		await closePage(page);
	}
});

test('auditor: reads the report and the log; no users page, and no link to it', async () => {
	const page = await as('auditor');
	try {
		assert.equal((await page.goto(srv.base + '/reports/custody')).status(), 200);
		assert.equal((await custodyRows(page)).length, 4);
		assert.equal((await page.goto(srv.base + '/events')).status(), 200);
		assert.equal(await page.getByRole('link', { name: 'Users' }).count(), 0);
		assert.ok(await page.locator('header a[href^="/reports"]').count() >= 1, 'a link to the reports');
		assert.deepEqual(page.consoleErrors, []);
		const res = await page.goto(srv.base + '/admin/users');
		assert.equal(res.status(), 403);
		assert.equal(await page.locator('form[action="/admin/users"]').count(), 0);
		assert.match(await page.locator('main').textContent(), /auditor \(auditor\) may not GET \/admin\/users/);
		assert.deepEqual(page.externalRequests, []);
	} finally {
		await closePage(page);
	}
});

/* ---- the reports (issue #12 item 2) ---------------------------------- */

const TODAY = (() => {
	const d = new Date();
	const p = (x) => String(x).padStart(2, '0');
	return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
})();

/* Rows of the table `sel` as arrays of cell texts as shown (a cell or a
 * part hidden at this width reads ""). */
async function tableRows(page, sel) {
	return page.$$eval(`${sel} tbody tr`, (trs) =>
		trs.map((tr) => [...tr.children].map((td) => td.innerText.trim())));
}

/* Click "Download CSV"; the file's name and its lines. */
async function downloadCsv(page) {
	const [download] = await Promise.all([page.waitForEvent('download'),
		page.getByRole('link', { name: 'Download CSV' }).click()]);
	const text = fs.readFileSync(await download.path(), 'utf8');
	return { name: download.suggestedFilename(), lines: text.trimEnd().split('\n') };
}

test('reports index: every report, its figures, and the holder picker', async () => {
	const page = await as('auditor');
	try {
		const [res] = await shot2(page, srv.base + '/reports', 'reports-index');
		assert.equal(res.status(), 200);
		await assertNoHorizontalScroll(page);
		assert.equal(await page.locator('h1').textContent(), 'Reports');
		for (const [name, href] of [['Custody report', '/reports/custody'],
			['Unslotted storage assets', '/reports/unslotted'], ['Occupancy by case', '/reports/occupancy'],
			['Retired assets by reason', '/reports/retired']])
			assert.equal(await page.locator('main').getByRole('link', { name, exact: true })
				.getAttribute('href'), href);
		const main = await page.locator('main').textContent();
		assert.match(main, /4 in custody now, 2 overdue\./);
		assert.match(main, /110 storage assets are in no slot\./);
		assert.match(main, /1 of 10 slots occupied \(10%\) in 1 case\./);
		assert.match(main, /0 retired, for 0 different reasons\./);

		// A badge goes straight to that holder's history.
		const dana = JSON.parse(cliOk(['--json', 'holder', 'show', 'B-100']));
		await page.getByLabel('Holder').fill('B-100');
		await Promise.all([page.waitForNavigation(),
			page.getByRole('button', { name: 'Show history' }).click()]);
		assert.equal(new URL(page.url()).pathname, `/reports/holders/${dana.id}`);
		// Part of a name that one holder has: there too.
		await page.goto(`${srv.base}/reports/holders?holder=sam`);
		assert.equal(await page.locator('h1').textContent(), 'History of Sam Lee');
		// Nobody: 404, said beside the field, what was typed kept.
		const bad = await page.goto(`${srv.base}/reports/holders?holder=Nobody%20Here`);
		assert.equal(bad.status(), 404);
		assert.match(await page.getByRole('alert').textContent(), /no holder has this badge, id or name/);
		assert.match(await page.locator('#holder-error').textContent(), /no holder has this badge/);
		assert.equal(await page.getByLabel('Holder').inputValue(), 'Nobody Here');
		await shot2(page, page.url(), 'reports-holder-unknown');
		await assertNoHorizontalScroll(page);
	} finally {
		await closePage(page);
	}
});

test('custody report: the CSV download has the page\'s rows in its order', async () => {
	const page = await as('operator');
	try {
		await page.goto(srv.base + '/reports/custody');
		const { name, lines } = await downloadCsv(page);
		assert.equal(name, `custody-${TODAY}.csv`);
		assert.equal(lines[0], 'asset_tag,serial_number,manufacturer,equipment_type,model,holder_id,' +
			'holder_name,since,due,overdue,slot_left');
		assert.deepEqual(lines.slice(1).map((l) => l.split(',')[0]),
			(await custodyRows(page)).map((r) => r[0]));
		assert.match(lines[1], new RegExp(`^AT-0001,SN-1,Acme,Radio,,\\d+,Dana Ruiz,${FAKE_DAY}T10:00:00.000Z,` +
			`${DUE_PAST},yes,PELI-01/1$`));
		// Filters ride along: overdue only.
		await page.goto(srv.base + '/reports/custody?overdue=1');
		const ov = await downloadCsv(page);
		assert.equal(ov.name, `custody-overdue-${TODAY}.csv`);
		assert.equal(ov.lines.length, 3);
	} finally {
		await closePage(page);
	}
});

test('unslotted: the 110 imported assets, 100 a page; admins get "Assign a slot"', async () => {
	const page = await as('admin');
	try {
		const [res] = await shot2(page, srv.base + '/reports/unslotted', 'reports-unslotted');
		assert.equal(res.status(), 200);
		await assertNoHorizontalScroll(page);
		let rows = await tableRows(page, '#unslotted-report');
		assert.equal(rows.length, 100);
		assert.equal(rows[0][0], 'BULK-001');
		assert.equal(rows[0][4], 'created without a slot');
		assert.equal(await page.locator('#report-count').textContent(),
			'110 storage assets are in no slot.');
		// The correction link is for wider screens (a phone has the tag's page).
		assert.equal(await page.getByRole('link', { name: 'Assign a slot' }).count(), 0);
		await page.setViewportSize(DESKTOP);
		assert.equal(await page.locator('#unslotted-report tbody tr').first()
			.getByRole('link', { name: 'Assign a slot' }).getAttribute('href'),
			'/corrections?asset_tag=BULK-001');
		await Promise.all([page.waitForNavigation(),
			page.getByRole('link', { name: 'Next page' }).click()]);
		rows = await tableRows(page, '#unslotted-report');
		assert.deepEqual([rows.length, rows[0][0], rows[9][0]], [10, 'BULK-101', 'BULK-110']);
		assert.equal(await page.getByRole('link', { name: 'Next page' }).count(), 0);
		assert.equal(await page.getByRole('link', { name: 'First page' }).getAttribute('href'),
			'/reports/unslotted');
		const { name, lines } = await downloadCsv(page);
		assert.equal(name, `unslotted-${TODAY}.csv`);
		assert.equal(lines.length, 111);
		// An auditor reads it, without the correction link.
		const aud = await as('auditor');
		try {
			await aud.goto(srv.base + '/reports/unslotted');
			assert.equal(await aud.locator('#unslotted-report tbody tr').count(), 100);
			assert.equal(await aud.getByRole('link', { name: 'Assign a slot' }).count(), 0);
			assert.deepEqual(aud.consoleErrors, []);
		} finally {
			await closePage(aud);
		}
	} finally {
		await closePage(page);
	}
});

test('occupancy: each case with its slots, occupied, empty and how full', async () => {
	const token = cliOk(['user', 'token', 'admin']).trim();
	const post = (p, body) => fetch(srv.base + p, { method: 'POST', body: JSON.stringify(body),
		headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } });
	assert.equal((await post('/api/v1/cases', { name: 'FULL-02', slots: 2, building: 'Annex',
		room: 'Store 2' })).status, 201);
	for (const [tag, pos] of [['FX-1', 1], ['FX-2', 2]])
		assert.equal((await post('/api/v1/assets', { asset_tag: tag, serial_number: `S-${tag}`,
			manufacturer: 'Acme', equipment_type: 'Radio', building: 'Annex', room: 'Store 2',
			slot: { case: 'FULL-02', position: pos } })).status, 201);
	const page = await as('auditor');
	try {
		const [res] = await shot2(page, srv.base + '/reports/occupancy', 'reports-occupancy');
		assert.equal(res.status(), 200);
		await assertNoHorizontalScroll(page);
		assert.equal(await page.locator('#occupancy-totals').textContent(),
			'3 of 12 slots occupied (25%), 9 empty, in 2 cases.');
		// On a phone the slot count rides with the occupied count.
		assert.deepEqual((await tableRows(page, '#occupancy-report')).map((r) => [r[0], r[4], r[6]]),
			[['FULL-02', '2 of 2', '100%'], ['PELI-01', '1 of 10', '10%']]);
		await page.setViewportSize(DESKTOP);
		const rows = await tableRows(page, '#occupancy-report');
		assert.deepEqual(rows, [['FULL-02', 'Annex', 'Store 2', '2', '2', '0', '100%'],
			['PELI-01', 'HQ', '1', '10', '1', '9', '10%']]);
		assert.equal(await page.locator('#occupancy-report tbody tr.table-warning th').textContent(),
			'FULL-02');
		assert.equal(await page.locator('#occupancy-report meter').first().getAttribute('value'), '2');
		assert.equal(await page.getByRole('link', { name: 'PELI-01' }).getAttribute('href'),
			'/cases/PELI-01');
		const { name, lines } = await downloadCsv(page);
		assert.equal(name, `occupancy-${TODAY}.csv`);
		assert.deepEqual(lines, ['case,building,room,slots,occupied,empty,percent',
			'FULL-02,Annex,Store 2,2,2,0,100', 'PELI-01,HQ,1,10,1,9,10']);
	} finally {
		await closePage(page);
	}
});

test("a holder's history: what went out, when it came back, late or overdue", async () => {
	// AT-0005 out to Dana six days ago due five days ago, back three days
	// ago: late.
	process.env.ASSETTRACK_FAKE_NOW = `${ymd(NOW - 6 * DAY)}T09:00:00.000Z`;
	try {
		cliOk(['stock-out', '--holder', 'B-100', '--due', ymd(NOW - 5 * DAY), 'AT-0005']);
		process.env.ASSETTRACK_FAKE_NOW = `${ymd(NOW - 3 * DAY)}T09:00:00.000Z`;
		cliOk(['stock-in', 'AT-0005']);
	} finally {
		delete process.env.ASSETTRACK_FAKE_NOW;
	}
	const dana = JSON.parse(cliOk(['--json', 'holder', 'show', 'B-100']));
	const page = await as('operator');
	try {
		const url = `${srv.base}/reports/holders/${dana.id}`;
		const [res] = await shot2(page, url, 'reports-holder');
		assert.equal(res.status(), 200);
		await assertNoHorizontalScroll(page);
		assert.equal(await page.locator('h1').textContent(), 'History of Dana Ruiz');
		const facts = await page.locator('#holder-totals').textContent();
		assert.match(facts, /Custody periods\s*3 times/);
		assert.match(facts, /Held now\s*2 \(2 overdue\)/);
		assert.match(facts, /Returned late\s*1/);
		await page.setViewportSize(DESKTOP);
		const rows = await tableRows(page, '#holder-history');
		// Newest first: AT-0005 (back, late), then AT-0003 and AT-0001 (held, overdue).
		assert.deepEqual(rows.map((r) => [r[0], r[4], r[6]]), [
			['AT-0005', `${ymd(NOW - 3 * DAY)} 09:00 UTC`, 'Late'],
			['AT-0003', 'Still held', 'Overdue'], ['AT-0001', 'Still held', 'Overdue']]);
		assert.deepEqual(rows[0].slice(1, 4), ['Radio', `${ymd(NOW - 6 * DAY)} 09:00 UTC`,
			ymd(NOW - 5 * DAY)]);
		assert.equal(rows[0][5], '3 d');
		assert.equal(rows[0][7], 'PELI-01/5 → PELI-01/5');
		assert.equal(await page.locator('#holder-history tbody tr.table-danger').count(), 3);
		const { name, lines } = await downloadCsv(page);
		assert.equal(name, `holder-${dana.id}-history-${TODAY}.csv`);
		assert.equal(lines.length, 4);
		assert.match(lines[1], /^AT-0005,Radio,,\S+,\S+,PELI-01\/5,\S+,PELI-01\/5,3\.00,yes,\d+,\d+$/);
		// A badge in the address goes to the id's; an unknown id is a 404 page.
		await page.goto(`${srv.base}/reports/holders/B-200`);
		assert.equal(await page.locator('h1').textContent(), 'History of Sam Lee');
		assert.match(new URL(page.url()).pathname, /^\/reports\/holders\/\d+$/);
		const missing = await page.goto(`${srv.base}/reports/holders/9999`);
		assert.equal(missing.status(), 404);
	} finally {
		await closePage(page);
	}
});

test('retired: reasons with their counts; a reason lists its assets', async () => {
	cliOk(['asset', 'retire', 'BULK-001', '--reason', 'Water damage']);
	cliOk(['asset', 'retire', 'BULK-002', '--reason', 'Water damage']);
	cliOk(['asset', 'retire', 'BULK-003', '--reason', 'Lost in transit, never found']);
	const page = await as('auditor');
	try {
		const [res] = await shot2(page, srv.base + '/reports/retired', 'reports-retired');
		assert.equal(res.status(), 200);
		await assertNoHorizontalScroll(page);
		assert.equal(await page.locator('#retired-totals').textContent(),
			'3 assets retired, for 2 different reasons.');
		assert.deepEqual(await tableRows(page, '#retired-reasons'),
			[['Water damage', '2'], ['Lost in transit, never found', '1']]);
		await page.setViewportSize(DESKTOP);
		const retired = await tableRows(page, '#retired-report');
		assert.deepEqual(retired.map((r) => [r[0], r[2]]), [
			['BULK-003', 'Lost in transit, never found'], ['BULK-001', 'Water damage'],
			['BULK-002', 'Water damage']]);
		for (const r of retired)
			assert.match(r[4], /^cli:\S+$/);
		await Promise.all([page.waitForNavigation(),
			page.getByRole('link', { name: 'Water damage' }).click()]);
		assert.equal(new URL(page.url()).search, '?reason=Water%20damage');
		assert.match(await page.locator('main h2').last().textContent(), /^Retired for: Water damage$/);
		assert.deepEqual((await tableRows(page, '#retired-report')).map((r) => r[0]),
			['BULK-001', 'BULK-002']);
		const { name, lines } = await downloadCsv(page);
		assert.equal(name, `retired-${TODAY}.csv`);
		assert.deepEqual(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(',')),
			['Water damage,BULK-001', 'Water damage,BULK-002']);
		await shot2(page, page.url(), 'reports-retired-reason');
		await assertNoHorizontalScroll(page);
	} finally {
		await closePage(page);
	}
});

// Last: it adds 255 assets in custody, which the tests above do not expect.
test('custody report pages 250 rows at a time: overdue first, nothing twice, nothing lost', async () => {
	const token = cliOk(['user', 'token', 'admin']).trim();
	const call = async (method, p, body) => {
		const res = await fetch(srv.base + p, {
			method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
			body: JSON.stringify(body),
		});
		const text = await res.text();
		assert.ok(res.status < 300, `${method} ${p}: ${res.status} ${text}`);
		return JSON.parse(text);
	};
	await call('POST', '/api/v1/cases', { name: 'BIG', slots: 300 });
	const tags = [];
	for (let i = 1; i <= 255; i++) {
		const tag = `PG-${String(i).padStart(3, '0')}`;
		tags.push(tag);
		await call('POST', '/api/v1/assets', { asset_tag: tag, serial_number: `PGS-${i}`,
			manufacturer: 'Acme', equipment_type: 'Radio', building: 'HQ', room: '3',
			slot: { case: 'BIG', position: i } });
	}
	await call('POST', '/api/v1/custody/stock-out', { holder: 'B-100', asset_tags: tags, due: DUE_LATER });
	const page = await as('operator');
	try {
		assert.equal((await page.goto(srv.base + '/reports/custody')).status(), 200);
		const first = await custodyRows(page);
		assert.equal(first.length, 250);
		assert.deepEqual(first.slice(0, 2).map((r) => [r[0], r[4]]),
			[['AT-0001', 'Overdue'], ['AT-0003', 'Overdue']]);
		assert.equal(await page.locator('#report-count').textContent(),
			'250 assets shown, 2 overdue on this page. In all: 259 in custody, 2 overdue.');
		await page.getByRole('link', { name: 'Next page' }).click();
		await page.waitForLoadState();
		const second = await custodyRows(page);
		assert.equal(second.length, 9);
		assert.equal(await page.getByRole('link', { name: 'Next page' }).count(), 0);
		const all = [...first, ...second].map((r) => r[0]);
		assert.equal(new Set(all).size, 259, 'no row shown twice');
		for (const t of [...tags, 'AT-0001', 'AT-0002', 'AT-0003', 'AT-0004'])
			assert.ok(all.includes(t), `${t} is on a page`);
		await assertNoHorizontalScroll(page);

		// As of the end of today, from the event log: tag order, the same rows.
		assert.equal((await page.goto(`${srv.base}/reports/custody?as_of=${ymd(Date.now())}`)).status(), 200);
		const a1 = await custodyRows(page);
		assert.equal(a1.length, 250);
		assert.deepEqual(a1.slice(0, 4).map((r) => [r[0], r[4]]), [['AT-0001', 'Overdue'],
			['AT-0002', 'No'], ['AT-0003', 'Overdue'], ['AT-0004', 'No']]);
		await page.getByRole('link', { name: 'Next page' }).click();
		await page.waitForLoadState();
		assert.match(new URL(page.url()).search, /from=a%3A/);
		const a2 = await custodyRows(page);
		assert.equal(a2.length, 9);
		const asOf = [...a1, ...a2].map((r) => r[0]);
		assert.deepEqual([...asOf].sort(), [...all].sort());
		assert.deepEqual(asOf, [...asOf].sort(), 'as of: in tag order');
	} finally {
		await closePage(page);
	}
});
