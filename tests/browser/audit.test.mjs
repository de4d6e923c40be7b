// audit.test.mjs — the physical audit page (/audit; SPEC §5, §8) in
// Chromium, driven with the keyboard alone the way a wedge scanner drives
// it: the focused field receives the typed scan and Enter.  Outcomes are
// checked on the page (counts, lines, their colour class and sound flag)
// and through the JSON API (the saved event, the state after corrections,
// that a refusal changed nothing).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
	assertNoHorizontalScroll, closePage, DESKTOP, launchBrowser, login, newPage, PHONE,
	screenshot, shot2, startServer, USERS,
} from './lib.mjs';

let srv, browser, token, savedSeq;

function cliOk(args) {
	const r = srv.cli(args);
	assert.equal(r.status, 0, `assettrack ${args.join(' ')}: ${r.stderr}`);
	return r.stdout;
}

async function api(path) {
	const res = await fetch(srv.base + path, { headers: { Authorization: `Bearer ${token}` } });
	const json = await res.json();
	assert.equal(res.status, 200, `${path}: ${JSON.stringify(json)}`);
	return json;
}
const slotOf = async (tag) => (await api('/api/v1/assets/' + tag)).slot;
const allEvents = async () => (await api('/api/v1/events?limit=1000')).events;

async function assertFocus(page, id) {
	try {
		await page.waitForFunction((want) => document.activeElement?.id === want, id,
			{ timeout: 3000 });
	} catch {
		assert.equal(await page.evaluate(() => document.activeElement?.id), id, 'focus');
	}
}

/* A scan as a wedge scanner sends it: keystrokes into whatever has the
 * focus (which must be `field`), then Enter; resolves with the response. */
async function scanInto(page, field, text) {
	await assertFocus(page, field);
	await page.keyboard.type(text);
	const [res] = await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
	return res;
}
const scan = (page, text) => scanInto(page, 'scan', text);

/* Tab until the focus is on the button named `name` (at most 12 steps),
 * then Enter. */
async function tabToAndPress(page, name) {
	for (let i = 0; i < 12; i++) {
		await page.keyboard.press('Tab');
		const text = await page.evaluate(() => document.activeElement?.innerText?.trim());
		if (text === name) {
			const [res] = await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
			return res;
		}
	}
	throw new Error(`no button "${name}" within 12 tabs`);
}

async function click(page, name) {
	const [res] = await Promise.all([
		page.waitForNavigation(),
		page.getByRole('button', { name, exact: true }).click(),
	]);
	return res;
}

async function as(role) {
	const page = await newPage(browser);
	await login(page, srv.base, role, USERS[role].password);
	return page;
}

const counts = async (page) => (await page.locator('#audit-counts li').allInnerTexts()).join(' ');

/* Both widths of the page as it is (a refused post cannot be reloaded). */
async function shotHere(page, name) {
	await page.setViewportSize(PHONE);
	await screenshot(page, name);
	await assertNoHorizontalScroll(page);
	await page.setViewportSize(DESKTOP);
	await screenshot(page, name);
	await assertNoHorizontalScroll(page);
}

before(async () => {
	srv = await startServer();
	browser = await launchBrowser();
	token = cliOk(['user', 'token', 'admin']).trim().split(/\s+/).pop();
	cliOk(['case', 'add', 'PELI-07', '--slots', '8']);
	cliOk(['case', 'add', 'OTHER', '--slots', '3']);
	cliOk(['holder', 'add', 'Dana Ruiz', '--badge', 'B-42']);
	const add = (tag, c, pos) => cliOk(['asset', 'add', '--tag', tag, '--serial', `SN-${tag}`,
		'--manufacturer', 'Zebra', '--type', 'Scanner', '--building', 'HQ', '--room', '101',
		'--case', c, '--slot', String(pos)]);
	for (let i = 1; i <= 5; i++)
		add(`AT-000${i}`, 'PELI-07', i);
	add('OT-0001', 'OTHER', 1);
	add('OT-0002', 'OTHER', 2);
	cliOk(['stock-out', '--holder', 'B-42', 'OT-0002']);
});

after(async () => {
	await browser?.close();
	await srv?.stop();
});

test('operator audits a case with the keyboard alone, then saves it', async () => {
	const page = await as('operator');
	try {
		let res = await page.goto(srv.base + '/audit');
		assert.equal(res.status(), 200);
		assert.equal(await page.locator('h1').innerText(), 'Physical audit');
		assert.equal(await page.getByRole('navigation', { name: 'Main' })
			.getByRole('link', { name: 'Audit', exact: true }).count(), 1);
		/* Scanning a slot label picks its case and that slot. */
		res = await scanInto(page, 'case', 'PELI-07/1');
		assert.equal(res.status(), 200);
		assert.equal(await page.locator('#audit-subject').innerText(), 'Case PELI-07 (8 slots)');
		assert.match(await page.locator('#scan-hint').innerText(), /Current slot: PELI-07\/1\./);
		assert.equal(await page.locator('#last-scan').getAttribute('data-scan-result'), 'ok');

		await scan(page, 'at0001');
		let last = page.locator('#last-scan');
		assert.match(await last.locator('strong').innerText(), /^Matched: AT-0001 — in slot 1, as recorded$/);
		assert.match(await last.getAttribute('class'), /\bline-ok\b/);
		assert.equal(await last.getAttribute('data-scan-result'), 'ok');

		await scan(page, 'PELI-07/2');
		await scan(page, 'AT-0003');
		assert.match(await last.locator('strong').innerText(),
			/^Misplaced: AT-0003 — scanned in slot 2; the database has it in slot 3$/);
		assert.match(await last.getAttribute('class'), /\bline-bad\b/);
		assert.equal(await last.getAttribute('data-scan-result'), 'bad');

		await scan(page, 'PELI-07/6');
		await scan(page, 'OT-0001');
		await scan(page, 'NOPE-1');
		assert.match(await last.locator('strong').innerText(), /^Unexpected: NOPE-1 — scanned in slot 6: no asset has this tag$/);
		await scan(page, 'OT-0002');
		await scan(page, 'AT-0001');
		assert.match(await last.locator('strong').innerText(), /^Scanned twice: AT-0001 — scan 9 repeats scan 2; only the first counts$/);
		assert.equal(await last.getAttribute('data-scan-result'), 'ok');
		await scan(page, 'OTHER/3');
		assert.match(await last.locator('strong').innerText(), /^INVALID: OTHER\/3 — OTHER\/3 is a slot of case OTHER, not of PELI-07/);
		assert.equal(await last.getAttribute('data-scan-result'), 'bad');
		await assertFocus(page, 'scan');

		assert.equal(await counts(page),
			'Matched: 1 Missing: 3 Misplaced: 1 Unexpected: 3 Scanned twice: 1 Errors: 1');
		const unexpected = await page.locator('#list-unexpected').innerText();
		assert.match(unexpected, /OT-0001\s+scanned in slot 6: in storage in slot OTHER\/1/);
		assert.match(unexpected, /OT-0002\s+scanned in slot 6: in custody of Dana Ruiz \(#1\)/);
		assert.match(await page.locator('#list-missing').innerText(),
			/AT-0002\s+the database has it in slot 2; not scanned/);
		for (const li of await page.locator('#list-missing > li').all())
			assert.match(await li.getAttribute('class'), /\bline-bad\b/);
		assert.match(await page.locator('#list-matched > li').first().getAttribute('class'), /\bline-ok\b/);

		/* The scans survive a reload (kept with the session). */
		await page.reload();
		assert.equal(await counts(page),
			'Matched: 1 Missing: 3 Misplaced: 1 Unexpected: 3 Scanned twice: 1 Errors: 1');
		await shot2(page, srv.base + '/audit', 'audit-in-progress');
		await assertNoHorizontalScroll(page);
		await page.setViewportSize(DESKTOP);

		/* Remove the error scan, by keyboard, from the scans list. */
		await page.locator('#scans summary').focus();
		await page.keyboard.press('Enter');
		await page.getByRole('button', { name: 'Remove scan 10 (OTHER/3)' }).focus();
		await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
		assert.match(await counts(page), /Errors: 0$/);

		const before = await allEvents();
		res = await tabToAndPress(page, 'Save audit');
		assert.equal(res.status(), 200);
		const m = /saved=(\d+)/.exec(page.url());
		assert.ok(m, page.url());
		savedSeq = Number(m[1]);
		assert.match(await page.locator('#saved-title').innerText(),
			new RegExp(`^Saved audit #${savedSeq}: Case PELI-07 \\(8 slots\\)$`));
		const after = await allEvents();
		assert.equal(after.length, before.length + 1);
		assert.equal(after.at(-1).type, 'AUDIT_RECORDED');
		assert.equal(after.at(-1).seq, savedSeq);
		assert.equal(after.at(-1).actor, 'operator');
		assert.equal(after.at(-1).details.counts.misplaced, 1);
		assert.deepEqual(await slotOf('AT-0003'), { case: 'PELI-07', position: 3 });
		/* An operator sees the corrections, not the means to apply them. */
		assert.equal(await page.getByRole('button', { name: 'Apply corrections' }).count(), 0);
		assert.match(await page.locator('main').innerText(),
			/Move AT-0003 from slot PELI-07\/3 to slot PELI-07\/2[\s\S]*An admin can apply these/);
		/* The audit is over: the saved audit has the focus, the start form
		 * is back below it. */
		await assertFocus(page, 'saved-audit');
		assert.equal(await page.getByLabel('Case', { exact: true }).count(), 1);
		assert.equal(await page.locator('#audit-subject').count(), 0);
	} finally {
		await closePage(page);
	}
});

test('admin applies chosen corrections: refused all or nothing, then applied', async () => {
	const page = await as('admin');
	try {
		let res = await page.goto(`${srv.base}/audit?saved=${savedSeq}`);
		assert.equal(res.status(), 200);
		await shot2(page, `${srv.base}/audit?saved=${savedSeq}`, 'audit-saved-admin');
		await assertNoHorizontalScroll(page);
		await page.setViewportSize(DESKTOP);
		const move = page.getByLabel('Move AT-0003 from slot PELI-07/3 to slot PELI-07/2');
		const eventsBefore = (await allEvents()).length;

		/* The move alone: slot 2 still holds AT-0002. */
		await move.check();
		res = await click(page, 'Apply corrections');
		assert.equal(res.status(), 409);
		const summary = page.locator('.error-summary');
		assert.match(await summary.innerText(), /slot PELI-07\/2 holds AT-0002[\s\S]*SLOT_OCCUPIED/);
		/* The summary links to the refused correction's checkbox. */
		const link = summary.getByRole('link');
		assert.equal(await link.count(), 1);
		assert.equal(await page.locator(await link.getAttribute('href')).getAttribute('type'), 'checkbox');
		assert.equal(await page.getByLabel('Move AT-0003 from slot PELI-07/3 to slot PELI-07/2').isChecked(), true);
		assert.equal((await allEvents()).length, eventsBefore);
		assert.deepEqual(await slotOf('AT-0003'), { case: 'PELI-07', position: 3 });
		await shotHere(page, 'audit-apply-refused');

		await page.getByLabel('Force vacate slot PELI-07/2: AT-0002 is missing').check();
		res = await click(page, 'Apply corrections');
		assert.equal(res.status(), 200);
		assert.match(page.url(), /applied=[0-9a-f-]{36}/);
		assert.match(await page.locator('#applied-events').innerText(),
			/FORCE_VACATE AT-0002: out of PELI-07\/2\s+SLOT_MOVE AT-0003: PELI-07\/3 to PELI-07\/2/);
		assert.deepEqual(await slotOf('AT-0003'), { case: 'PELI-07', position: 2 });
		assert.equal(await slotOf('AT-0002'), null);
		assert.equal((await allEvents()).length, eventsBefore + 2);
		assert.equal((await api('/api/v1/verify')).ok, true);
	} finally {
		await closePage(page);
	}
});

test('the case page says when it was last audited; stale list; auditors may not audit', async () => {
	const page = await as('admin');
	try {
		await page.goto(srv.base + '/cases/PELI-07');
		assert.match(await page.locator('#last-audited').innerText(),
			/^\d{4}-\d\d-\d\d \d\d:\d\d UTC by operator: 1 matched, 3 missing, 1 misplaced, 3 unexpected$/);
		await shot2(page, srv.base + '/cases/PELI-07', 'audit-case-page');
		await page.setViewportSize(DESKTOP);
		await page.goto(srv.base + '/cases/OTHER');
		assert.equal(await page.locator('#last-audited').innerText(), 'Never');

		await page.goto(srv.base + '/audit?stale=30');
		const rows = page.locator('#stale-cases tbody tr');
		assert.equal(await rows.count(), 1);
		assert.match(await rows.first().innerText(), /^OTHER\s+3\s+Never/);
		await shot2(page, srv.base + '/audit?stale=30', 'audit-start');
		await assertNoHorizontalScroll(page);
		await page.setViewportSize(DESKTOP);
		/* Its Audit button starts an audit of that case. */
		await click(page, 'Audit OTHER');
		assert.equal(await page.locator('#audit-subject').innerText(), 'Case OTHER (3 slots)');
		assert.equal(await counts(page),
			'Matched: 0 Missing: 1 Misplaced: 0 Unexpected: 0 Scanned twice: 0 Errors: 0');
		page.once('dialog', (d) => d.accept());
		await click(page, 'Discard audit');
		assert.equal(await page.locator('#audit-subject').count(), 0);
	} finally {
		await closePage(page);
	}
	const aud = await as('auditor');
	try {
		assert.equal(await aud.getByRole('navigation', { name: 'Main' })
			.getByRole('link', { name: 'Audit', exact: true }).count(), 0);
		const res = await aud.goto(srv.base + '/audit');
		assert.equal(res.status(), 403);
		await aud.goto(srv.base + '/cases/PELI-07');
		assert.match(await aud.locator('#last-audited').innerText(), /by operator/);
		assert.equal(await aud.locator('#last-audited a').count(), 0);
	} finally {
		await closePage(aud);
	}
});

test('holder audit by badge; an unknown case is refused beside its field', async () => {
	const page = await as('operator');
	try {
		await page.goto(srv.base + '/audit');
		let res = await scanInto(page, 'case', 'NOPE');
		assert.equal(res.status(), 404);
		assert.match(await page.locator('#case-error').innerText(), /no case named 'NOPE'/);
		assert.match(await page.locator('.error-summary').innerText(), /NOT_FOUND/);
		assert.equal(await page.getByLabel('Case', { exact: true }).inputValue(), 'NOPE');

		await page.getByLabel('Holder', { exact: true }).fill('B-42');
		res = await click(page, 'Start holder audit');
		assert.equal(res.status(), 200);
		assert.equal(await page.locator('#audit-subject').innerText(), 'Holder Dana Ruiz (#1)');
		await scan(page, 'ot0002');
		assert.match(await page.locator('#last-scan strong').innerText(), /^Seen: OT-0002 — in their custody$/);
		await scan(page, 'AT-0001');
		assert.match(await page.locator('#last-scan strong').innerText(), /^Not theirs: AT-0001 — in storage in slot PELI-07\/1$/);
		assert.equal(await counts(page), 'Seen: 1 Not seen: 0 Not theirs: 1 Scanned twice: 0 Errors: 0');
		await shotHere(page, 'audit-holder');
		res = await tabToAndPress(page, 'Save audit');
		assert.match(page.url(), /saved=\d+/);
		const ev = (await allEvents()).at(-1);
		assert.equal(ev.type, 'AUDIT_RECORDED');
		assert.equal(ev.holder.name, 'Dana Ruiz');
		assert.deepEqual(page.consoleErrors.filter((m) => !/status of 404/.test(m)), []);
		assert.deepEqual(page.externalRequests, []);
	} finally {
		await closePage(page);
	}
});
