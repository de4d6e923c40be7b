// assets.test.mjs — the asset and case pages in Chromium (SPEC §8, §8.1):
// the new-asset form (with and without a slot, refusals beside the fields
// and in the summary, a tag colliding by its match key), notes shown as
// text, the asset list's search, filters and paging, the asset timeline's
// paging, the case list and its "New case" form, the slot grid, and what
// an operator may not see.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
	assertNoHorizontalScroll, closePage, DESKTOP, launchBrowser, login, newPage, PHONE,
	screenshot, shot2, startServer, USERS,
} from './lib.mjs';

let srv, browser, token;

/* The JSON API with the admin's token; returns {status, json}. */
async function api(method, p, body) {
	const res = await fetch(srv.base + p, {
		method,
		headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await res.text();
	return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function apiOk(method, p, body, status = 200) {
	const r = await api(method, p, body);
	assert.equal(r.status, status, `${method} ${p}: ${JSON.stringify(r.json)}`);
	return r.json;
}

function asset(tag, extra = {}) {
	return {
		asset_tag: tag, serial_number: `SN-${tag}`, manufacturer: 'Acme', equipment_type: 'Radio',
		building: 'HQ', room: '101', ...extra,
	};
}

before(async () => {
	srv = await startServer();
	browser = await launchBrowser();
	const ok = (args) => assert.equal(srv.cli(args).status, 0, args.join(' '));
	ok(['case', 'add', 'PELI-01', '--slots', '20', '--building', 'HQ', '--room', '101']);
	ok(['case', 'add', 'PELI-02', '--slots', '4']);
	ok(['holder', 'add', 'Dana Ruiz', '--badge', 'B-1042']);
	ok(['asset', 'add', '--tag', 'AT-0009', '--serial', 'S9', '--manufacturer', 'Motorola',
		'--type', 'Radio', '--building', 'HQ', '--room', '101', '--model', 'APX 6000',
		'--case', 'PELI-01', '--slot', '1']);
	ok(['asset', 'add', '--tag', 'AT-0010', '--serial', 'S10', '--manufacturer', 'HP',
		'--type', 'Laptop', '--building', 'HQ', '--room', '101', '--case', 'PELI-01',
		'--slot', '2']);
	ok(['stock-out', '--holder', 'B-1042', '--due', '2099-01-31', 'AT-0010']);
	token = srv.cli(['user', 'token', 'admin']).stdout.trim();
	// 120 assets for paging: PG-0001 .. PG-0120.
	for (let i = 1; i <= 120; i++)
		await apiOk('POST', '/api/v1/assets', asset(`PG-${String(i).padStart(4, '0')}`), 201);
	// AT-0009's timeline: created, assigned, then 105 moves = 107 events.
	for (let i = 0; i < 105; i++)
		await apiOk('POST', '/api/v1/slots/move',
			{ asset_tag: 'AT-0009', case: 'PELI-01', position: i % 2 === 0 ? 3 : 1 });
});

after(async () => {
	await browser?.close();
	await srv?.stop();
});

async function adminPage(opts) {
	const page = await newPage(browser, opts);
	await login(page, srv.base, 'admin', USERS.admin.password);
	return page;
}

/* Submit the form the button belongs to; resolves with the final response
 * (after a 303, the page it leads to). */
async function submit(page, button) {
	const [res] = await Promise.all([
		page.waitForNavigation(),
		page.getByRole('button', { name: button, exact: true }).click(),
	]);
	return res;
}

/* Fill the new-asset form's required fields. */
async function fillRequired(page, tag, serial) {
	await page.getByLabel('Asset tag').fill(tag);
	await page.getByLabel('Serial number').fill(serial);
	await page.getByLabel('Manufacturer').fill('Panasonic');
	await page.getByLabel('Equipment type').fill('Toughbook');
	await page.getByLabel('Building').fill('HQ');
	await page.getByLabel('Room').fill('102');
}

test('new asset without a slot: created in storage, in no slot', async () => {
	const page = await adminPage();
	try {
		await page.goto(srv.base + '/admin/assets/new');
		// With JavaScript the Case/Slot group shows only while the box is ticked.
		assert.equal(await page.locator('#slot-fields').isHidden(), true);
		await fillRequired(page, 'AT-0100', 'SN-100');
		await page.getByLabel('Model', { exact: true }).fill('CF-33');
		await page.getByLabel('Model code').fill('CF-33ZE');
		const res = await submit(page, 'Create asset');
		assert.equal(res.status(), 200);
		const url = new URL(page.url());
		assert.equal(url.pathname, '/assets/AT-0100');
		assert.equal(url.search, '?created=1');
		const panel = page.getByRole('status');
		assert.match(await panel.innerText(), /Asset AT-0100 created/);
		assert.match(await panel.innerText(), /in no slot/);
		const a = await apiOk('GET', '/api/v1/assets/AT-0100');
		assert.equal(a.state, 'STORAGE');
		assert.equal(a.slot, null);
		assert.equal(a.model_code, 'CF-33ZE');
		// The timeline has its one event.
		assert.equal(await page.locator('table.events tbody tr').count(), 1);
		assert.match(await page.locator('table.events tbody').innerText(), /ASSET_CREATED/);
	} finally {
		await closePage(page);
	}
});

test('new asset with "Assign to a slot": in that slot, shown on the case page', async () => {
	const page = await adminPage();
	try {
		await page.goto(srv.base + '/admin/assets/new');
		await fillRequired(page, 'AT-0101', 'SN-101');
		await page.getByLabel('Assign to a slot').check();
		assert.equal(await page.locator('#slot-fields').isVisible(), true);
		await page.getByLabel('Case', { exact: true }).selectOption('PELI-01');
		await page.getByLabel('Slot', { exact: true }).fill('5');
		await submit(page, 'Create asset');
		assert.equal(new URL(page.url()).pathname, '/assets/AT-0101');
		assert.match(await page.getByRole('status').innerText(),
			/Asset AT-0101 created[\s\S]*PELI-01\/5/);
		const a = await apiOk('GET', '/api/v1/assets/AT-0101');
		assert.deepEqual(a.slot, { case: 'PELI-01', position: 5 });
		const ev = await apiOk('GET', '/api/v1/assets/AT-0101/events');
		assert.deepEqual(ev.events.map((e) => e.type), ['ASSET_CREATED', 'SLOT_ASSIGN']);

		await page.goto(srv.base + '/cases/PELI-01');
		const tile = page.locator('ol.slot-grid > li').nth(4);
		assert.equal(await tile.getAttribute('class'), 'slot occupied');
		assert.equal(await tile.locator('a').innerText(), 'AT-0101');
		assert.equal(await tile.locator('a').getAttribute('href'), '/assets/AT-0101');
		const empty = page.locator('ol.slot-grid > li').nth(5);
		assert.equal(await empty.getAttribute('class'), 'slot empty');
		assert.match(await empty.innerText(), /6\s*empty/);
		assert.equal(await page.locator('ol.slot-grid > li').count(), 20);
		// AT-0009 sits in 1 or 3, AT-0101 in 5; AT-0010 left slot 2 at its Stock-Out.
		assert.match(await page.locator('main').innerText(), /2 of 20 slots occupied/);
	} finally {
		await closePage(page);
	}
});

test('the slot fields are ignored while the box is not ticked', async () => {
	const page = await adminPage({ javaScriptEnabled: false });
	try {
		await page.goto(srv.base + '/admin/assets/new');
		// Without JavaScript the group is simply there.
		assert.equal(await page.locator('#slot-fields').isVisible(), true);
		await fillRequired(page, 'AT-0102', 'SN-102');
		await page.getByLabel('Case', { exact: true }).selectOption('PELI-02');
		await page.getByLabel('Slot', { exact: true }).fill('2');
		await submit(page, 'Create asset');
		assert.equal(new URL(page.url()).pathname, '/assets/AT-0102');
		assert.equal((await apiOk('GET', '/api/v1/assets/AT-0102')).slot, null);
	} finally {
		await closePage(page);
	}
});

test('missing required fields: errors beside the fields and in the summary, typed kept',
	async () => {
		const page = await adminPage();
		try {
			await page.goto(srv.base + '/admin/assets/new');
			// The browser would stop an empty required field; the server must too.
			await page.locator('#new-asset').evaluate((f) => { f.noValidate = true; });
			await page.getByLabel('Asset tag').fill('AT-0103');
			await page.getByLabel('Serial number').fill('   ');
			await page.getByLabel('Manufacturer').fill('Garmin');
			await page.getByLabel('Notes').fill('kept\nacross the refusal');
			await page.getByLabel('Assign to a slot').check();
			await page.getByLabel('Slot', { exact: true }).fill('7');
			const res = await submit(page, 'Create asset');
			assert.equal(res.status(), 422);
			const summary = page.locator('.error-summary');
			assert.equal(await summary.getAttribute('role'), 'alert');
			const text = await summary.innerText();
			assert.match(text, /There is a problem/);
			for (const label of ['Serial number', 'Equipment type', 'Building', 'Room'])
				assert.match(text, new RegExp(`${label} is required \\(INVALID\\)`));
			assert.match(text, /Slot case is required \(INVALID\)/);
			// Summary lines link to their fields.
			assert.equal(await summary.getByRole('link', { name: 'Building is required' })
				.getAttribute('href'), '#building');
			// Beside each field, tied to it.
			assert.equal(await page.locator('#serial_number-error').innerText(),
				'Serial number is required');
			assert.equal(await page.locator('#room-error').innerText(), 'Room is required');
			assert.equal(await page.getByLabel('Serial number').getAttribute('aria-invalid'), 'true');
			assert.equal(await page.locator('#case-error').count(), 1);
			// What was typed is kept; the box stays ticked.
			assert.equal(await page.getByLabel('Asset tag').inputValue(), 'AT-0103');
			assert.equal(await page.getByLabel('Manufacturer').inputValue(), 'Garmin');
			assert.equal(await page.getByLabel('Notes').inputValue(), 'kept\nacross the refusal');
			assert.equal(await page.getByLabel('Slot', { exact: true }).inputValue(), '7');
			assert.equal(await page.getByLabel('Assign to a slot').isChecked(), true);
			assert.equal((await api('GET', '/api/v1/assets/AT-0103')).status, 404);
			await page.setViewportSize(PHONE);
			await assertNoHorizontalScroll(page);
		} finally {
			await closePage(page);
		}
	});

test('a tag that collides once its dashes are removed is refused as DUPLICATE', async () => {
	const page = await adminPage();
	try {
		await page.goto(srv.base + '/admin/assets/new');
		await fillRequired(page, 'AT0009', 'SN-0009-B');
		const res = await submit(page, 'Create asset');
		assert.equal(res.status(), 409);
		const msg = 'AT0009 collides with existing asset AT-0009: both scan as AT0009';
		assert.equal(await page.locator('#asset_tag-error').innerText(), msg);
		const summary = page.getByRole('alert');
		assert.match(await summary.innerText(), new RegExp(`${msg} \\(DUPLICATE\\)`));
		assert.equal(await summary.getByRole('link', { name: msg }).getAttribute('href'),
			'#asset_tag');
		assert.equal(await page.getByLabel('Asset tag').inputValue(), 'AT0009');
		assert.equal(await page.getByLabel('Serial number').inputValue(), 'SN-0009-B');
		// Nothing was made.
		const list = await apiOk('GET', '/api/v1/assets?q=SN-0009-B');
		assert.deepEqual(list.assets, []);
	} finally {
		await closePage(page);
	}
});

test('a slot that is taken is refused beside the Slot field', async () => {
	const page = await adminPage();
	try {
		await page.goto(srv.base + '/admin/assets/new');
		await fillRequired(page, 'AT-0104', 'SN-104');
		await page.getByLabel('Assign to a slot').check();
		await page.getByLabel('Case', { exact: true }).selectOption('PELI-01');
		await page.getByLabel('Slot', { exact: true }).fill('5');
		const res = await submit(page, 'Create asset');
		assert.equal(res.status(), 409);
		assert.equal(await page.locator('#slot-error').innerText(), 'Slot PELI-01/5 holds AT-0101');
		assert.match(await page.getByRole('alert').innerText(), /SLOT_OCCUPIED/);
		assert.equal(await page.getByLabel('Case', { exact: true }).inputValue(), 'PELI-01');
		assert.equal(await page.locator('#slot-fields').isVisible(), true);
		await screenshot(page, 'assets-new-slot-error');
		await page.setViewportSize(PHONE);
		await assertNoHorizontalScroll(page);
		await screenshot(page, 'assets-new-slot-error');
	} finally {
		await closePage(page);
	}
});

test('notes with markup show as text on the asset page, and no script runs', async () => {
	const page = await adminPage();
	const dialogs = [];
	page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
	try {
		const notes = '<script>alert(1)</script> & <b>bold</b>';
		await page.goto(srv.base + '/admin/assets/new');
		await fillRequired(page, 'AT-0105', 'SN-105');
		await page.getByLabel('Notes').fill(notes);
		await submit(page, 'Create asset');
		assert.equal(new URL(page.url()).pathname, '/assets/AT-0105');
		const dd = page.locator('dt:text-is("Notes") + dd');
		assert.equal(await dd.innerText(), notes);
		assert.equal(await dd.locator('script, b').count(), 0);
		await page.reload();
		assert.deepEqual(dialogs, []);
		assert.deepEqual(page.consoleErrors, []);
		assert.equal((await apiOk('GET', '/api/v1/assets/AT-0105')).notes, notes);
	} finally {
		await closePage(page);
	}
});

test('the asset page: scanned form of the tag, every field, actions, unknown is 404',
	async () => {
		const page = await adminPage();
		try {
			const res = await page.goto(srv.base + '/assets/at0010');
			assert.equal(res.status(), 200);
			assert.equal(await page.locator('h1').innerText(), 'Asset AT-0010');
			const main = await page.locator('main').innerText();
			assert.match(main, /In custody/);
			assert.match(main, /Dana Ruiz/);
			assert.match(main, /Due\s+2099-01-31/);
			assert.match(main, /Taken from slot\s+PELI-01\/2/);
			// In custody: Replace applies, corrections do not.
			assert.equal(await page.locator('main').getByRole('link', { name: 'Replace', exact: true })
				.getAttribute('href'), '/replace?asset_tag=AT-0010');
			assert.equal(await page.locator('main').getByRole('link',
				{ name: 'Corrections', exact: true }).count(), 0);
			await page.goto(srv.base + '/assets/AT-0009');
			assert.equal(await page.locator('main').getByRole('link',
				{ name: 'Corrections', exact: true }).getAttribute('href'),
				'/corrections?asset_tag=AT-0009');
			assert.match(await page.locator('main').innerText(), /Model\s+APX 6000/);

			const nf = await page.goto(srv.base + '/assets/NO-SUCH-TAG');
			assert.equal(nf.status(), 404);
			assert.match(await page.locator('main').innerText(), /NO-SUCH-TAG: no asset has this tag/);
		} finally {
			await closePage(page);
		}
	});

test('the timeline is newest first, 100 a page, with "Older events"', async () => {
	const page = await adminPage();
	try {
		await page.goto(srv.base + '/assets/AT-0009');
		const rows = page.locator('table.events tbody tr');
		assert.equal(await rows.count(), 100);
		const seqs = await rows.locator('td:first-child').allInnerTexts();
		const nums = seqs.map(Number);
		assert.deepEqual(nums, [...nums].sort((a, b) => b - a));
		assert.match(await rows.first().innerText(), /SLOT_MOVE/);
		await Promise.all([page.waitForNavigation(),
			page.getByRole('link', { name: 'Older events' }).click()]);
		assert.equal(await rows.count(), 7);
		const older = (await rows.locator('td:first-child').allInnerTexts()).map(Number);
		assert.ok(Math.max(...older) < Math.min(...nums));
		assert.match(await rows.last().innerText(), /ASSET_CREATED/);
		assert.equal(await page.getByRole('link', { name: 'Older events' }).count(), 0);
	} finally {
		await closePage(page);
	}
});

test('the asset list: search, state and case filters, keyset paging', async () => {
	const page = await adminPage();
	try {
		await page.goto(srv.base + '/assets');
		await page.getByLabel('Search').fill('pg-');
		await submit(page, 'Search');
		const tags = () => page.locator('tbody td.tag-cell > a').allInnerTexts();
		let t = await tags();
		assert.equal(t.length, 50);
		assert.equal(t[0], 'PG-0001');
		assert.equal(t[49], 'PG-0050');
		await Promise.all([page.waitForNavigation(),
			page.getByRole('link', { name: 'Next page' }).click()]);
		const u = new URL(page.url());
		assert.equal(u.searchParams.get('q'), 'pg-');
		assert.equal(u.searchParams.get('after'), 'PG-0050');
		assert.equal(await page.getByLabel('Search').inputValue(), 'pg-');
		t = await tags();
		assert.deepEqual([t.length, t[0], t[49]], [50, 'PG-0051', 'PG-0100']);
		await Promise.all([page.waitForNavigation(),
			page.getByRole('link', { name: 'Next page' }).click()]);
		t = await tags();
		assert.deepEqual([t.length, t[0], t[19]], [20, 'PG-0101', 'PG-0120']);
		assert.equal(await page.getByRole('link', { name: 'Next page' }).count(), 0);

		// Search reaches the model (and is case-insensitive).
		await page.goto(srv.base + '/assets?q=apx');
		assert.deepEqual(await tags(), ['AT-0009']);

		// State filter.
		await page.goto(srv.base + '/assets');
		await page.getByLabel('State').selectOption('IN_CUSTODY');
		await submit(page, 'Search');
		assert.deepEqual(await tags(), ['AT-0010']);
		const row = page.locator('tbody tr').first();
		assert.match(await row.innerText(), /In custody[\s\S]*Dana Ruiz[\s\S]*2099-01-31/);
		assert.equal(await row.getByRole('link', { name: 'Dana Ruiz' }).getAttribute('href'),
			'/holders/1');

		// Case filter.
		await page.goto(srv.base + '/assets');
		await page.getByLabel('Case').fill('PELI-01');
		await submit(page, 'Search');
		assert.deepEqual(await tags(), ['AT-0009', 'AT-0101']);
		assert.match(await page.locator('tbody tr').first().innerText(), /PELI-01\/\d/);

		// An unknown case says so instead of showing an empty list.
		await page.getByLabel('Case').fill('NOPE-9');
		const res = await submit(page, 'Search');
		assert.equal(res.status(), 404);
		assert.match(await page.getByRole('alert').innerText(),
			/No such case[\s\S]*there is no case named 'NOPE-9'/);
		assert.equal(await page.locator('table').count(), 0);

		// Admins see the way to a new asset.
		assert.equal(await page.getByRole('link', { name: 'New asset' }).getAttribute('href'),
			'/admin/assets/new');
	} finally {
		await closePage(page);
	}
});

test('cases: list with counts, "New case" form, refusal beside the field', async () => {
	const page = await adminPage();
	try {
		await page.goto(srv.base + '/cases');
		const row = page.locator('tbody tr', { hasText: 'PELI-01' });
		assert.match(await row.innerText(), /PELI-01\s+20\s+\d+\s+HQ\s+101/);
		await page.getByLabel('Name').fill('RACK-A');
		await page.getByLabel('Slots').fill('12');
		await page.getByLabel('Building').fill('Depot');
		await page.getByLabel('Room').fill('B2');
		await submit(page, 'Create case');
		const u = new URL(page.url());
		assert.equal(u.pathname + u.search, '/cases/RACK-A?created=1');
		assert.match(await page.getByRole('status').innerText(), /Case RACK-A created/);
		assert.match(await page.locator('main').innerText(), /0 of 12 slots occupied/);
		assert.equal(await page.locator('ol.slot-grid > li.slot.empty').count(), 12);
		const c = await apiOk('GET', '/api/v1/cases/RACK-A');
		assert.equal(c.slot_count, 12);
		assert.equal(c.building, 'Depot');

		await page.goto(srv.base + '/cases');
		await page.getByLabel('Name').fill('RACK-A');
		await page.getByLabel('Slots').fill('5000');
		const res = await submit(page, 'Create case');
		assert.equal(res.status(), 422);
		assert.match(await page.locator('#slots-error').innerText(), /1 to 1000 slots/);
		assert.equal(await page.getByLabel('Name').inputValue(), 'RACK-A');
		assert.equal(await page.locator('.error-summary').getAttribute('role'), 'alert');

		await page.getByLabel('Slots').fill('5');
		const dup = await submit(page, 'Create case');
		assert.equal(dup.status(), 409);
		assert.equal(await page.locator('#name-error').innerText(),
			'A case named RACK-A already exists');
		assert.match(await page.getByRole('alert').innerText(), /DUPLICATE/);

		// The case page links admins to its corrections.
		await page.goto(srv.base + '/cases/PELI-01');
		assert.equal(await page.locator('main').getByRole('link', { name: 'Corrections' })
			.getAttribute('href'), '/corrections?case=PELI-01');
		const nf = await page.goto(srv.base + '/cases/NO-CASE');
		assert.equal(nf.status(), 404);
	} finally {
		await closePage(page);
	}
});

test('an operator: 403 on the new-asset form, no admin links or forms', async () => {
	const page = await newPage(browser);
	try {
		await login(page, srv.base, 'operator', USERS.operator.password);
		const res = await page.goto(srv.base + '/admin/assets/new');
		assert.equal(res.status(), 403);
		await page.goto(srv.base + '/assets');
		assert.equal(await page.getByRole('link', { name: 'New asset' }).count(), 0);
		assert.ok(await page.locator('tbody tr').count() > 0);
		await page.goto(srv.base + '/assets/AT-0009');
		assert.equal(await page.locator('main').getByRole('link',
			{ name: /Corrections|Replace/ }).count(), 0);
		await page.goto(srv.base + '/cases');
		assert.equal(await page.getByRole('button', { name: 'Create case' }).count(), 0);
		await page.goto(srv.base + '/cases/PELI-01');
		assert.equal(await page.locator('main').getByRole('link', { name: 'Corrections' })
			.count(), 0);
	} finally {
		await closePage(page);
	}
});

test('screenshots of the five pages at both sizes, none scrolls sideways', async () => {
	const page = await adminPage();
	try {
		const pages = [
			['/assets', 'assets-list'],
			['/assets/AT-0010', 'assets-asset'],
			['/admin/assets/new', 'assets-new'],
			['/cases', 'assets-cases'],
			['/cases/PELI-01', 'assets-case'],
		];
		for (const [url, name] of pages) {
			const [desk, phone] = await shot2(page, srv.base + url, name);
			assert.equal(desk.status(), 200, url);
			assert.equal(phone.status(), 200, url);
			await assertNoHorizontalScroll(page);
			await page.setViewportSize(DESKTOP);
			await assertNoHorizontalScroll(page);
		}
		// The form with its refusal, and the created panel.
		await page.goto(srv.base + '/admin/assets/new');
		await page.locator('#new-asset').evaluate((f) => { f.noValidate = true; });
		await page.getByLabel('Asset tag').fill('AT0009');
		await submit(page, 'Create asset');
		await screenshot(page, 'assets-new-errors');
		await page.setViewportSize(PHONE);
		await assertNoHorizontalScroll(page);
		await screenshot(page, 'assets-new-errors');
		await shot2(page, srv.base + '/assets/AT-0101?created=1', 'assets-created');
		await assertNoHorizontalScroll(page);
	} finally {
		await closePage(page);
	}
});
