// corrections.test.mjs — the admin's corrections (/corrections: assign,
// move, force vacate), replacement (/replace) and the holder pages
// (/holders, /holders/{id}) in Chromium (SPEC §5, §8, §8.1).
//
// Data is seeded through the CLI; every outcome is checked twice: on the
// page (the exact sentence, the error code beside its field) and through
// the JSON API (the state that resulted, or that nothing changed).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
	assertNoHorizontalScroll, closePage, DESKTOP, launchBrowser, login, newPage, PHONE, screenshot,
	shot2, startServer, USERS,
} from './lib.mjs';

let srv, browser, token, admin;
const holders = {};

/* Seed events happen "in the past" so a due date can be overdue now. */
const SEED_TIME = '2025-01-06T09:00:00.000Z';

function cli(args) {
	const r = srv.cli(args);
	assert.equal(r.status, 0, `assettrack ${args.join(' ')}: ${r.stderr}`);
	return r.stdout;
}

function addAsset(tag, slot) {
	const args = ['asset', 'add', '--tag', tag, '--serial', `SN-${tag}`, '--manufacturer', 'Zebra',
		'--type', 'Scanner', '--building', 'HQ', '--room', '101', '--model', 'TC52'];
	if (slot)
		args.push('--case', 'PELI-07', '--slot', String(slot));
	cli(args);
}

async function api(path, opts = {}) {
	const res = await fetch(srv.base + path, {
		...opts,
		headers: { Authorization: `Bearer ${token}`, ...(opts.headers || {}) },
	});
	return { status: res.status, json: await res.json() };
}

async function asset(tag) {
	const r = await api('/api/v1/assets/' + encodeURIComponent(tag));
	assert.equal(r.status, 200, JSON.stringify(r.json));
	return r.json;
}

async function holder(id) {
	const r = await api(`/api/v1/holders/${id}`);
	assert.equal(r.status, 200, JSON.stringify(r.json));
	return r.json;
}

/* How many events the log holds (verify counts them). */
async function eventCount() {
	const r = await api('/api/v1/verify');
	assert.equal(r.json.ok, true, JSON.stringify(r.json.problems));
	return r.json.events;
}

/* Click `button` and wait for the page it leads to; returns its response
 * (after a 303, the page redirected to). */
async function submit(page, button) {
	const [res] = await Promise.all([page.waitForNavigation(), button.click()]);
	return res;
}

/* Screenshots of the page as it is (a refused post cannot be reloaded),
 * at both widths, checking the phone one does not scroll sideways; ends
 * at desktop width. */
async function shotHere(page, name) {
	await page.setViewportSize(PHONE);
	await screenshot(page, name);
	await assertNoHorizontalScroll(page);
	await page.setViewportSize(DESKTOP);
	await screenshot(page, name);
}

const text = async (page, sel) => (await page.locator(sel).innerText()).replace(/\s+/g, ' ').trim();

before(async () => {
	process.env.ASSETTRACK_FAKE_NOW = SEED_TIME;
	srv = await startServer({ env: { ASSETTRACK_FAKE_NOW: '' } });
	cli(['case', 'add', 'PELI-07', '--slots', '12', '--building', 'HQ', '--room', '101']);
	addAsset('AT-0005', 5);     // occupies PELI-07/5
	addAsset('AT-0007', 3);     // moved
	addAsset('AT-0010', 12);    // force-vacated
	addAsset('AT-0020');        // unslotted: assigned
	addAsset('AT-0030', 1);     // issued, then replaced
	addAsset('AT-0031', 2);     // the replacement
	addAsset('AT-0040', 4);     // issued to Dana, overdue
	for (const [key, name, badge] of [['dana', 'Dana Ruiz', 'B-100'], ['lee', 'Lee Park', 'B-300']]) {
		const out = cli(['--json', 'holder', 'add', name, '--badge', badge, '--email',
			`${key}@example.org`]);
		holders[key] = JSON.parse(out).id;
	}
	cli(['stock-out', '--holder', 'B-100', '--due', '2025-01-10', 'AT-0030', 'AT-0040']);
	delete process.env.ASSETTRACK_FAKE_NOW;
	token = cli(['user', 'token', 'admin']).trim().split(/\s+/).pop();
	browser = await launchBrowser();
	admin = await newPage(browser);
	admin.on('dialog', (d) => d.accept());
	await login(admin, srv.base, 'admin', USERS.admin.password);
});

after(async () => {
	await browser?.close();
	await srv?.stop();
});

/* ---- force vacate ------------------------------------------------------ */

test('force vacate without a reason is refused beside Reason and changes nothing', async () => {
	const before = await eventCount();
	await admin.goto(srv.base + '/corrections');
	const form = admin.locator('#corrections-form');
	assert.equal(await form.getByRole('button', { name: 'Force vacate' }).getAttribute('data-confirm'),
		'Force-vacate this slot? Its asset will stay in storage with no slot.');
	// One form, the labels SPEC §8.1 gives, each once on the page.
	for (const label of ['Asset tag', 'Case', 'Slot', 'Reason'])
		assert.equal(await admin.getByLabel(label).count(), 1, label);
	await form.getByLabel('Case').fill('PELI-07');
	await form.getByLabel('Slot').fill('12');
	await form.getByLabel('Reason').fill('   ');
	const res = await submit(admin, form.getByRole('button', { name: 'Force vacate' }));
	assert.equal(res.status(), 422);
	assert.match(await text(admin, '#reason-error'), /reason/i);
	assert.match(await text(admin, '.error-summary'), /There is a problem.*reason.*\(INVALID\)/i);
	assert.equal(await admin.locator('.error-summary a').first().getAttribute('href'),
		'#reason');
	assert.equal(await admin.inputValue('#case'), 'PELI-07');
	assert.equal(await admin.inputValue('#slot'), '12');
	assert.equal(await admin.getAttribute('#reason', 'aria-invalid'), 'true');
	await shotHere(admin, 'corrections-vacate-refused');
	const a = await asset('AT-0010');
	assert.deepEqual(a.slot, { case: 'PELI-07', position: 12 });
	assert.equal(await eventCount(), before);
});

test('force vacate asks first: cancelling the question posts nothing', async () => {
	const page = await newPage(browser);
	try {
		await login(page, srv.base, 'admin', USERS.admin.password);
		await page.goto(srv.base + '/corrections');
		const form = page.locator('#corrections-form');
		await form.getByLabel('Case').fill('PELI-07');
		await form.getByLabel('Slot').fill('12');
		await form.getByLabel('Reason').fill('should not happen');
		let asked = '';
		page.once('dialog', (d) => { asked = d.message(); d.dismiss(); });
		await form.getByRole('button', { name: 'Force vacate' }).click();
		await page.waitForTimeout(300);
		assert.match(asked, /Force-vacate this slot/);
		assert.equal(page.url(), srv.base + '/corrections');
		assert.deepEqual((await asset('AT-0010')).slot, { case: 'PELI-07', position: 12 });
	} finally {
		await closePage(page);
	}
});

test('force vacate with a reason: the slot is empty, the asset in storage unslotted', async () => {
	await admin.goto(srv.base + '/corrections');
	const form = admin.locator('#corrections-form');
	await form.getByLabel('Case').fill('PELI-07');
	await form.getByLabel('Slot').fill('12');
	await form.getByLabel('Reason').fill('foam insert damaged, slot out of use');
	const res = await submit(admin, form.getByRole('button', { name: 'Force vacate' }));
	assert.equal(res.status(), 200);
	assert.equal(res.request().redirectedFrom()?.method(), 'POST');
	assert.equal(new URL(admin.url()).search, '?done=vacate&asset_tag=AT-0010');
	assert.equal(await text(admin, '#done-text'),
		'PELI-07/12 force-vacated: AT-0010 is now in storage, unslotted');
	const a = await asset('AT-0010');
	assert.equal(a.state, 'STORAGE');
	assert.equal(a.slot, null);
	const ev = (await api('/api/v1/assets/AT-0010/events')).json.events.at(-1);
	assert.equal(ev.type, 'FORCE_VACATE');
	assert.equal(ev.reason, 'foam insert damaged, slot out of use');
	assert.equal(ev.actor, 'admin');
	await shot2(admin, admin.url(), 'corrections-vacated');
	await assertNoHorizontalScroll(admin);
});

/* ---- assign and move ---------------------------------------------------- */

test('assign into an occupied slot is refused with SLOT_OCCUPIED; a free slot works', async () => {
	await admin.goto(srv.base + '/corrections?asset_tag=AT-0020&case=PELI-07');
	assert.equal(await admin.inputValue('#asset_tag'), 'AT-0020');
	assert.equal(await admin.inputValue('#case'), 'PELI-07');
	const form = admin.locator('#corrections-form');
	await form.getByLabel('Slot').fill('5');
	let res = await submit(admin, form.getByRole('button', { name: 'Assign' }));
	assert.equal(res.status(), 409);
	assert.equal(await text(admin, '#slot-error'), 'Slot PELI-07/5 holds AT-0005');
	assert.match(await text(admin, '.error-summary'), /Slot PELI-07\/5 holds AT-0005 \(SLOT_OCCUPIED\)/);
	assert.equal(await admin.inputValue('#asset_tag'), 'AT-0020');
	assert.equal(await admin.inputValue('#slot'), '5');
	assert.equal((await asset('AT-0020')).slot, null);
	await shotHere(admin, 'corrections-assign-refused');

	await admin.goto(srv.base + '/corrections');
	await form.getByLabel('Asset tag').fill('at0020');       // match key: canonical tag used
	await form.getByLabel('Case').fill('PELI-07');
	await form.getByLabel('Slot').fill('6');
	res = await submit(admin, form.getByRole('button', { name: 'Assign' }));
	assert.equal(res.status(), 200);
	assert.equal(await text(admin, '#done-text'), 'AT-0020 assigned to PELI-07/6');
	assert.deepEqual((await asset('AT-0020')).slot, { case: 'PELI-07', position: 6 });
});

test('move: a refused move keeps the asset where it was; a good one says from and to', async () => {
	await admin.goto(srv.base + '/corrections');
	const form = admin.locator('#corrections-form');
	await form.getByLabel('Asset tag').fill('AT-0007');
	await form.getByLabel('Case').fill('PELI-07');
	await form.getByLabel('Slot').fill('5');
	let res = await submit(admin, form.getByRole('button', { name: 'Move' }));
	assert.equal(res.status(), 409);
	assert.match(await text(admin, '#slot-error'), /holds AT-0005/);
	assert.match(await text(admin, '.error-summary'), /SLOT_OCCUPIED/);
	assert.deepEqual((await asset('AT-0007')).slot, { case: 'PELI-07', position: 3 });

	// Unknown asset and a slot that is not a number: both reported at once.
	await form.getByLabel('Asset tag').fill('AT-9999');
	await form.getByLabel('Slot').fill('nine');
	res = await submit(admin, form.getByRole('button', { name: 'Move' }));
	assert.equal(res.status(), 409);      // not only field problems: 409 (SPEC §7)
	assert.match(await text(admin, '#asset_tag-error'), /AT-9999/);
	assert.match(await text(admin, '#slot-error'), /number from 1 to 1000/);
	assert.match(await text(admin, '.error-summary'), /NOT_FOUND/);
	assert.equal(await admin.inputValue('#slot'), 'nine');

	await form.getByLabel('Asset tag').fill('AT-0007');
	await form.getByLabel('Slot').fill('9');
	res = await submit(admin, form.getByRole('button', { name: 'Move' }));
	assert.equal(res.status(), 200);
	assert.equal(await text(admin, '#done-text'), 'AT-0007 moved from PELI-07/3 to PELI-07/9');
	assert.deepEqual((await asset('AT-0007')).slot, { case: 'PELI-07', position: 9 });
	await shot2(admin, admin.url(), 'corrections-moved');
	await assertNoHorizontalScroll(admin);
	await shot2(admin, srv.base + '/corrections', 'corrections');
	await assertNoHorizontalScroll(admin);
	await admin.setViewportSize(DESKTOP);
});

/* ---- replace ------------------------------------------------------------ */

test('replace refuses an unknown replacement beside its field, changing nothing', async () => {
	const before = await eventCount();
	await admin.goto(srv.base + '/replace?asset_tag=AT-0030');
	assert.equal(await admin.inputValue('#asset_tag'), 'AT-0030');
	assert.equal(await admin.inputValue('#condition'), 'FAULTY');
	assert.match(await text(admin, '#asset_tag-hint'), /the faulty device/);
	await admin.getByLabel('Replacement tag').fill('NOPE-1');
	await admin.getByLabel('Reason').fill('screen cracked');
	const res = await submit(admin, admin.getByRole('button', { name: 'Replace' }));
	assert.equal(res.status(), 404);
	assert.match(await text(admin, '#replacement_tag-error'), /NOPE-1/);
	assert.match(await text(admin, '.error-summary'), /\(NOT_FOUND\)/);
	assert.equal(await admin.inputValue('#reason'), 'screen cracked');
	assert.equal((await asset('AT-0030')).state, 'IN_CUSTODY');
	assert.equal(await eventCount(), before);
	await shotHere(admin, 'replace-refused');
});

test('replace a faulty device in custody: the holder keeps a device, the old one goes to storage', async () => {
	await admin.goto(srv.base + '/replace');
	await admin.getByLabel('Asset tag').fill('AT-0030');
	await admin.getByLabel('Replacement tag').fill('AT-0031');
	await admin.getByLabel('Reason').fill('screen cracked');
	await admin.getByLabel('Condition').selectOption('FAULTY');
	const res = await submit(admin, admin.getByRole('button', { name: 'Replace' }));
	assert.equal(res.status(), 200);
	assert.equal(new URL(admin.url()).search, '?done=AT-0030&with=AT-0031');
	assert.equal(await text(admin, '[role="status"] h2'), 'AT-0030 replaced by AT-0031');
	assert.equal(await text(admin, '#done-text'),
		'AT-0031 is now with Dana Ruiz; AT-0030 went to its former slot, condition FAULTY.');
	assert.equal(await admin.locator('main a[href="/assets/AT-0030"]').count(), 1);
	assert.equal(await admin.locator('main a[href="/assets/AT-0031"]').count(), 1);
	assert.equal(await admin.locator(`main a[href="/holders/${holders.dana}"]`).count(), 1);
	assert.match(await text(admin, '[role="status"] dl'),
		/^Replacement AT-0031 In custody with Dana Ruiz, due 2025-01-10 Replaced AT-0030 Storage FAULTY in slot PELI-07\/2$/);

	const repl = await asset('AT-0031');
	assert.equal(repl.state, 'IN_CUSTODY');
	assert.equal(repl.holder.id, holders.dana);
	assert.equal(repl.due, '2025-01-10');
	assert.equal(repl.slot, null);
	const old = await asset('AT-0030');
	assert.equal(old.state, 'STORAGE');
	assert.equal(old.condition, 'FAULTY');
	assert.equal(old.holder, null);
	assert.deepEqual(old.slot, { case: 'PELI-07', position: 2 });
	await shot2(admin, admin.url(), 'replace-done');
	await assertNoHorizontalScroll(admin);
	await shot2(admin, srv.base + '/replace', 'replace');
	await assertNoHorizontalScroll(admin);
	await admin.setViewportSize(DESKTOP);

	// The old asset's timeline shows the replacement (the API when the
	// asset page is not built yet).
	const evs = (await api('/api/v1/assets/AT-0030/events')).json.events;
	const last = evs.at(-1);
	assert.equal(last.type, 'ASSET_REPLACED');
	assert.equal(last.reason, 'screen cracked');
	const page = await admin.goto(srv.base + '/assets/AT-0030');
	// 501 while the asset page is still a placeholder; then the API above
	// is the check.
	assert.ok([200, 501].includes(page.status()), `asset page answered ${page.status()}`);
	if (page.status() === 200) {
		const timeline = await text(admin, 'main');
		assert.match(timeline, /ASSET_REPLACED/);
		assert.match(timeline, /screen cracked/);
	}
});

/* ---- holders ------------------------------------------------------------ */

test('holders: add, refused duplicate badge, edit, deactivate, reactivate', async () => {
	await admin.goto(srv.base + '/holders');
	const form = admin.locator('#add-holder');
	await form.getByLabel('Name').fill('Sam Lee');
	await form.getByLabel('Badge').fill('B-200');
	await form.getByLabel('Email').fill('sam@example.org');
	let res = await submit(admin, form.getByRole('button', { name: 'Add holder' }));
	assert.equal(res.status(), 200);
	const m = /\/holders\/(\d+)\?created=1$/.exec(admin.url());
	assert.ok(m, admin.url());
	const id = Number(m[1]);
	assert.equal(await text(admin, '[role="status"] h2'), 'Holder added');
	assert.equal(await text(admin, 'h1'), 'Sam Lee');
	assert.deepEqual(await holder(id), {
		...(await holder(id)), name: 'Sam Lee', badge: 'B-200', email: 'sam@example.org', active: true,
	});

	// The same badge again is refused beside Badge, what was typed kept.
	await admin.goto(srv.base + '/holders');
	await form.getByLabel('Name').fill('Sam Other');
	await form.getByLabel('Badge').fill('B-200');
	res = await submit(admin, form.getByRole('button', { name: 'Add holder' }));
	assert.equal(res.status(), 409);
	assert.match(await text(admin, '#badge-error'), /Badge B-200 already belongs to Sam Lee/);
	assert.match(await text(admin, '.error-summary'), /\(DUPLICATE\)/);
	assert.equal(await admin.inputValue('#name'), 'Sam Other');
	const list = (await api('/api/v1/holders')).json.holders;
	assert.equal(list.filter((h) => h.name === 'Sam Other').length, 0);
	await shotHere(admin, 'holders-add-refused');

	// Edit: the form starts with the current values.
	await admin.goto(srv.base + `/holders/${id}`);
	const edit = admin.locator('#edit-holder');
	assert.equal(await edit.getByLabel('Name').inputValue(), 'Sam Lee');
	await edit.getByLabel('Email').fill('sam.lee@example.org');
	res = await submit(admin, edit.getByRole('button', { name: 'Save changes' }));
	assert.equal(res.status(), 200);
	assert.equal(await text(admin, '[role="status"] h2'), 'Changes saved');
	assert.equal((await holder(id)).email, 'sam.lee@example.org');

	// An empty name is refused beside Name.
	await edit.getByLabel('Name').fill('');
	await admin.evaluate(() => document.querySelector('#edit-holder #name').removeAttribute('required'));
	res = await submit(admin, edit.getByRole('button', { name: 'Save changes' }));
	assert.equal(res.status(), 422);
	assert.match(await text(admin, '#name-error'), /name/i);
	assert.equal((await holder(id)).name, 'Sam Lee');

	// Deactivate and reactivate.
	await admin.goto(srv.base + `/holders/${id}`);
	res = await submit(admin, admin.getByRole('button', { name: 'Deactivate holder' }));
	assert.equal(res.status(), 200);
	assert.equal(await text(admin, '[role="status"] h2'), 'Holder deactivated');
	assert.equal((await holder(id)).active, false);
	res = await submit(admin, admin.getByRole('button', { name: 'Reactivate holder' }));
	assert.equal(await text(admin, '[role="status"] h2'), 'Holder reactivated');
	assert.equal((await holder(id)).active, true);
});

test('a holder who still holds assets cannot be deactivated; the page says why', async () => {
	const before = await eventCount();
	await admin.goto(srv.base + `/holders/${holders.dana}`);
	const held = await text(admin, '#held-title + .table-responsive');
	assert.match(held, /AT-0031/);
	assert.match(held, /AT-0040 .*2025-01-10 Overdue/);
	const repl = admin.getByRole('link', { name: 'Replace AT-0040', exact: true });
	assert.equal(await repl.getAttribute('href'), '/replace?asset_tag=AT-0040');
	assert.match(await text(admin, '#events-title + .table-responsive'), /STOCK_OUT/);
	const res = await submit(admin, admin.getByRole('button', { name: 'Deactivate holder' }));
	assert.equal(res.status(), 409);
	const why = 'Dana Ruiz still holds 2 assets (AT-0031, AT-0040); Stock-In them before deactivating';
	assert.equal(await text(admin, '#deactivate-error'), why);
	assert.equal(await text(admin, '.error-summary li'), `${why} (CONFLICT)`);
	assert.equal((await holder(holders.dana)).active, true);
	assert.equal(await eventCount(), before);
	await shotHere(admin, 'holder-deactivate-refused');
	await shot2(admin, srv.base + `/holders/${holders.dana}`, 'holder');
	await assertNoHorizontalScroll(admin);
	await shot2(admin, srv.base + '/holders', 'holders');
	await assertNoHorizontalScroll(admin);
	await admin.setViewportSize(DESKTOP);
});

test('the holder list pages by id, 50 at a time', async () => {
	for (let i = 0; i < 55; i++)
		cli(['holder', 'add', `Bulk Holder ${String(i).padStart(2, '0')}`]);
	await admin.goto(srv.base + '/holders');
	assert.equal(await admin.locator('tbody tr').count(), 50);
	await submit(admin, admin.getByRole('link', { name: 'Next 50 holders' }));
	const rows = await admin.locator('tbody tr').count();
	const total = (await api('/api/v1/holders?limit=1000')).json.holders.length;
	assert.equal(rows, total - 50);
	assert.match(admin.url(), /\/holders\?after=\d+$/);
	assert.equal(await admin.getByRole('link', { name: 'Next 50 holders' }).count(), 0);
});

/* ---- roles and CSRF ----------------------------------------------------- */

test('an operator gets 403 on /corrections and /replace and sees no links to them', async () => {
	const page = await newPage(browser);
	try {
		await login(page, srv.base, 'operator', USERS.operator.password);
		for (const p of ['/corrections', '/replace', '/replace?asset_tag=AT-0031'])
			assert.equal((await page.goto(srv.base + p)).status(), 403, p);
		for (const p of ['/holders', `/holders/${holders.dana}`]) {
			assert.equal((await page.goto(srv.base + p)).status(), 200, p);
			assert.equal(await page.locator('a[href^="/corrections"], a[href^="/replace"]').count(), 0, p);
			assert.equal(await page.locator('form[method="post"]:not([action="/logout"])').count(), 0, p);
		}
		assert.match(await text(page, 'main'), /AT-0031/);
		const r = await page.request.post(srv.base + '/holders', { form: { name: 'Nope' } });
		assert.equal(r.status(), 403);
	} finally {
		await closePage(page);
	}
});

test('a form posted without its CSRF token answers 403 and changes nothing', async () => {
	const before = await eventCount();
	const r = await admin.request.post(srv.base + '/corrections', {
		form: { op: 'vacate', case: 'PELI-07', slot: '9', reason: 'csrf' },
	});
	assert.equal(r.status(), 403);
	assert.match(await r.text(), /security token is missing or wrong/);
	assert.deepEqual((await asset('AT-0007')).slot, { case: 'PELI-07', position: 9 });

	// The real form with its hidden token taken out.
	await admin.goto(srv.base + '/replace');
	await admin.evaluate(() => document.querySelector('#replace-form input[name="csrf_token"]').remove());
	await admin.getByLabel('Asset tag').fill('AT-0031');
	await admin.getByLabel('Replacement tag').fill('AT-0030');
	await admin.getByLabel('Reason').fill('csrf');
	const res = await submit(admin, admin.getByRole('button', { name: 'Replace' }));
	assert.equal(res.status(), 403);
	assert.equal((await asset('AT-0031')).state, 'IN_CUSTODY');

	await admin.goto(srv.base + `/holders/${holders.lee}`);
	await admin.evaluate(() => document.querySelector('#deactivate input[name="csrf_token"]').remove());
	assert.equal((await submit(admin, admin.getByRole('button', { name: 'Deactivate holder' }))).status(), 403);
	assert.equal((await holder(holders.lee)).active, true);
	assert.equal(await eventCount(), before);
});

test('the log still verifies after everything above', async () => {
	const r = await api('/api/v1/verify');
	assert.equal(r.status, 200);
	assert.equal(r.json.ok, true, JSON.stringify(r.json.problems));
	// Refusals answer 4xx, which Chromium logs; anything else (a CSP
	// violation, a script error) is a fault.
	assert.deepEqual(admin.consoleErrors.filter((m) => !/^Failed to load resource: .* (403|404|409|422) /.test(m)), []);
	assert.deepEqual(admin.externalRequests, []);
});
