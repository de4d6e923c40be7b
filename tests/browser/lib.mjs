// lib.mjs — helpers for the AssetTrack browser tests (SPEC §8).
//
// The pages are driven in Debian's chromium (/usr/bin/chromium, or
// $AT_CHROMIUM) through playwright-core, which never downloads a browser.
// Each test file starts its own server on a free loopback port with a fresh
// database and launches one browser, and is its own CTest test
// (browser/NAME), so `ctest -j2` runs at most two browsers at once.  The
// binary is $AT_BINARY, or ../../build/assettrack; screenshots go to
// $AT_ARTIFACTS, or ../../build/browser-artifacts.
//
// Server start-up follows ../api/lib.mjs (whose freePort and cli this
// reuses), except that the users are made with the CLI before the first
// start, so their passwords are known and nothing is read from stdout.

import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { BINARY, binaryFor, cli as runCli, dbEnv, dropDb, freePort, freshDb } from '../api/lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export { BINARY };

export const CHROMIUM = process.env.AT_CHROMIUM || '/usr/bin/chromium';

export const ARTIFACTS = process.env.AT_ARTIFACTS
	? path.resolve(process.env.AT_ARTIFACTS)
	: path.resolve(HERE, '../../build/browser-artifacts');

/* The users every server starts with: name -> {role, password}. */
export const USERS = {
	admin: { role: 'admin', password: 'admin-pass-1234' },
	operator: { role: 'operator', password: 'operator-pass-1234' },
	auditor: { role: 'auditor', password: 'auditor-pass-1234' },
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* Servers still running, killed if the test process exits without stop(). */
const live = new Set();
process.on('exit', () => {
	for (const proc of live)
		proc.kill('SIGKILL');
});

function cliOk(db, args, input) {
	const r = runCli(db, args, input);
	if (r.status !== 0)
		throw new Error(`assettrack ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
	return r.stdout;
}

/*
 * Spawn `assettrack serve` on `db` and wait until GET /api/v1/me answers
 * (any status: 401 is the expected one).  A port taken between probing
 * and binding makes the server exit: then try another.
 */
async function spawnServer(db, env) {
	for (let attempt = 0; ; attempt++) {
		const port = await freePort();
		const out = { stdout: '', stderr: '' };
		let exited = null;
		const penv = dbEnv(db, { ...process.env, ...env });
		const proc = spawn(binaryFor(penv), ['--db', db, 'serve', '--listen', `127.0.0.1:${port}`,
			'--quiet'], { stdio: ['ignore', 'pipe', 'pipe'], env: penv });
		live.add(proc);
		proc.stdout.setEncoding('utf8');
		proc.stderr.setEncoding('utf8');
		proc.stdout.on('data', (d) => { out.stdout += d; });
		proc.stderr.on('data', (d) => { out.stderr += d; });
		const exitP = new Promise((resolve) => proc.on('exit', (code, signal) => {
			exited = { code, signal };
			live.delete(proc);
			resolve(exited);
		}));
		const t0 = Date.now();
		while (!exited && Date.now() - t0 < 15000) {
			try {
				await fetch(`http://127.0.0.1:${port}/api/v1/me`);
				return { proc, port, out, exitP, exited: () => exited };
			} catch {
				await sleep(25);
			}
		}
		if (!exited)
			proc.kill('SIGKILL');
		await exitP;
		if (attempt >= 3)
			throw new Error(`server did not start: exit ${JSON.stringify(exited)}\n${out.stdout}\n${out.stderr}`);
	}
}

/*
 * Start a server on a fresh database in a new temp dir, with the USERS
 * made by the CLI first.  `env` adds environment variables (for example
 * ASSETTRACK_FAKE_NOW).  Returns
 *   {base, port, db, dir, users, cli(args, input), stderr, stop()}
 * where cli runs `assettrack --db DB ...` and returns {status, stdout,
 * stderr}, and stop() SIGTERMs the server (it must exit 0 within 15 s)
 * and removes the temp dir.
 */
export async function startServer({ env = {} } = {}) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assettrack-browser-'));
	let db, s;
	try {
		db = freshDb(dir);
		cliOk(db, ['init']);
		for (const [name, u] of Object.entries(USERS))
			cliOk(db, ['user', 'add', name, '--role', u.role], u.password + '\n');
		s = await spawnServer(db, env);
	} catch (err) {
		if (db)
			dropDb(db);
		fs.rmSync(dir, { recursive: true, force: true });
		throw err;
	}
	return {
		base: `http://127.0.0.1:${s.port}`,
		port: s.port,
		db,
		dir,
		users: USERS,
		cli: (args, input) => runCli(db, args, input),
		get stderr() { return s.out.stderr; },
		async stop() {
			if (!s.exited())
				s.proc.kill('SIGTERM');
			let timer;
			const r = await Promise.race([s.exitP,
				new Promise((res) => { timer = setTimeout(() => res(null), 15000); })]);
			clearTimeout(timer);
			if (!r) {
				s.proc.kill('SIGKILL');
				await s.exitP;
			}
			dropDb(db);
			fs.rmSync(dir, { recursive: true, force: true });
			assert.ok(r, 'server did not stop within 15 s of SIGTERM');
			assert.deepEqual(r, { code: 0, signal: null },
				`server exit after SIGTERM: ${JSON.stringify(r)}\n${s.out.stderr}`);
		},
	};
}

/* ---- Browser ------------------------------------------------------- */

const jsDefault = new WeakMap();

/*
 * Launch headless chromium.  `javaScriptEnabled` (default true) is the
 * default for pages made by newPage(browser).  Every flag keeps the
 * browser off the network and quiet: it only ever talks to loopback.
 */
export async function launchBrowser({ javaScriptEnabled = true } = {}) {
	const browser = await chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		timeout: 60000,
		args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic',
			'--no-first-run', '--disable-background-networking', '--disable-component-update',
			'--disable-sync', '--disable-dev-shm-usage'],
	});
	jsDefault.set(browser, javaScriptEnabled);
	return browser;
}

/*
 * A page in its own context (own cookies, so each page can be a different
 * user), viewport width x height.  The page records what a test may want
 * to assert on:
 *   page.externalRequests  URLs it asked for off loopback (must stay [])
 *   page.consoleErrors     console errors and page errors (CSP violations
 *                          show up here)
 * Close it with closePage(page) or by closing the browser.
 */
export async function newPage(browser, { width = 1366, height = 768, javaScriptEnabled } = {}) {
	const context = await browser.newContext({
		viewport: { width, height },
		javaScriptEnabled: javaScriptEnabled ?? jsDefault.get(browser) ?? true,
	});
	const page = await context.newPage();
	page.externalRequests = [];
	page.consoleErrors = [];
	page.on('request', (rq) => {
		const u = new URL(rq.url());
		if (['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol) &&
		    !['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname))
			page.externalRequests.push(rq.url());
	});
	page.on('console', (m) => {
		if (m.type() === 'error')
			page.consoleErrors.push(m.text());
	});
	page.on('pageerror', (e) => page.consoleErrors.push(String(e)));
	return page;
}

/* Close a page made by newPage() and its context. */
export async function closePage(page) {
	await page.context().close();
}

/*
 * Log in through the form: fields found by their visible labels, the
 * button by its name (SPEC §8.1).  Resolves after the navigation the
 * submit causes, with its response (a refused login lands on a page too:
 * check page.url() or the response).
 */
export async function login(page, base, user, pass) {
	await page.goto(base + '/login');
	await page.getByLabel('Username').fill(user);
	await page.getByLabel('Password').fill(pass);
	const [response] = await Promise.all([
		page.waitForNavigation(),
		page.getByRole('button', { name: 'Log in' }).click(),
	]);
	return response;
}

/*
 * Save a full-page PNG as $AT_ARTIFACTS/NAME-WIDTH.png; returns its path.
 * With AT_SCREENSHOTS=0 (the browser_pg and ASan runs: the pages are the
 * same, and the normal run keeps their pictures) it takes none and
 * returns null, unless `always`.
 */
export async function screenshot(page, name, { always = false } = {}) {
	if (process.env.AT_SCREENSHOTS === '0' && !always)
		return null;
	fs.mkdirSync(ARTIFACTS, { recursive: true });
	const { width } = page.viewportSize();
	const file = path.join(ARTIFACTS, `${name}-${width}.png`);
	if (await reloadsItself(page))
		await stillScreenshot(page, file);
	else
		await page.screenshot({ path: file, fullPage: true });
	return file;
}

/* Whether the page has a <meta http-equiv="refresh"> (the import's
 * working page reloads itself each second). */
async function reloadsItself(page) {
	try {
		return await page.locator('meta[http-equiv="refresh" i]').count() > 0;
	} catch {
		return false;
	}
}

/*
 * A full-page screenshot of a page that reloads itself: a screenshot that
 * a reload interrupts waits for a still moment that never comes on a
 * loaded machine (browser_pg's import test timed out in page.screenshot
 * after 30 s under `ctest -j2`).  What the next reload would show is
 * fetched with the page's cookies and shown, without its refresh, in a
 * second page of the same context at the same URL (so its styles load),
 * and shot there.
 */
async function stillScreenshot(page, file) {
	const url = page.url();
	const res = await page.context().request.get(url);
	const html = (await res.text()).replace(/<meta[^>]*http-equiv="refresh"[^>]*>/gi, '');
	const still = await page.context().newPage();
	try {
		await still.setViewportSize(page.viewportSize());
		await still.route((u) => u.href === url, (route) => route.fulfill({
			status: res.status(), contentType: res.headers()['content-type'], body: html }));
		await still.goto(url);
		await still.screenshot({ path: file, fullPage: true });
	} finally {
		await still.close();
	}
}

export const DESKTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };

/*
 * Visit `url` at desktop (1366x768) and phone (390x844) widths and take a
 * screenshot at each.  Leaves the page at phone width on that url.
 * Returns the two responses.
 */
export async function shot2(page, url, name) {
	const responses = [];
	for (const size of [DESKTOP, PHONE]) {
		await page.setViewportSize(size);
		responses.push(await page.goto(url));
		await screenshot(page, name);
	}
	return responses;
}

/*
 * The page must not scroll sideways (SPEC §8: usable on a phone).  On
 * failure the message names the elements that stick out.
 */
export async function assertNoHorizontalScroll(page) {
	const r = await page.evaluate(() => {
		const de = document.documentElement;
		const wide = [];
		for (const el of document.body ? document.body.querySelectorAll('*') : []) {
			const box = el.getBoundingClientRect();
			if (box.right > de.clientWidth + 1 && wide.length < 5) {
				const cls = typeof el.className === 'string' && el.className
					? '.' + el.className.trim().split(/\s+/).join('.') : '';
				wide.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls} ` +
					`(right ${Math.round(box.right)})`);
			}
		}
		return { scrollWidth: de.scrollWidth, clientWidth: de.clientWidth, wide };
	});
	assert.ok(r.scrollWidth <= r.clientWidth + 1,
		`${page.url()} scrolls sideways: scrollWidth ${r.scrollWidth} > clientWidth ` +
		`${r.clientWidth}; wide: ${r.wide.join(', ')}`);
}
