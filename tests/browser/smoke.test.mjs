// smoke.test.mjs — the browser harness end to end: a server with its users,
// Debian's chromium through playwright-core, a page, a screenshot.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';

import {
	assertNoHorizontalScroll, closePage, launchBrowser, newPage, screenshot, startServer,
} from './lib.mjs';

let srv, browser;

before(async () => {
	srv = await startServer();
	browser = await launchBrowser();
});

after(async () => {
	await browser?.close();
	await srv?.stop();
});

test('the CLI made the three users before the server started', () => {
	const r = srv.cli(['user', 'list']);
	assert.equal(r.status, 0, r.stderr);
	for (const name of ['admin', 'operator', 'auditor'])
		assert.match(r.stdout, new RegExp(`\\b${name}\\b`));
});

test('chromium reaches the server: /api/v1/me answers 401 without a login', async () => {
	const page = await newPage(browser);
	try {
		const res = await page.goto(srv.base + '/api/v1/me');
		assert.equal(res.status(), 401);
		await assertNoHorizontalScroll(page);
		const file = await screenshot(page, 'smoke-me', { always: true });
		assert.ok(fs.statSync(file).size > 0);
		assert.deepEqual(page.externalRequests, []);
	} finally {
		await closePage(page);
	}
});

test('a page without JavaScript still loads and can be inspected', async () => {
	const page = await newPage(browser, { width: 390, height: 844, javaScriptEnabled: false });
	try {
		const res = await page.goto(srv.base + '/api/v1/me');
		assert.equal(res.status(), 401);
		assert.equal(await page.evaluate(() => document.documentElement.clientWidth), 390);
	} finally {
		await closePage(page);
	}
});
