// reports.test.mjs — the custody report (/reports/custody), the event log
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
		assert.equal(await page.getByRole('link', { name: 'Custody report' }).count(), 1);
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
