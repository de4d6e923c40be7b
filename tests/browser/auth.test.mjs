// auth.test.mjs — logging in and out in Chromium, who sees which links,
// the pages' security headers, and the dashboard.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
	assertNoHorizontalScroll, closePage, launchBrowser, login, newPage, shot2, startServer,
} from './lib.mjs';

let srv, browser;

before(async () => {
	srv = await startServer();
	browser = await launchBrowser();
	const ok = (args) => assert.equal(srv.cli(args).status, 0, args.join(' '));
	ok(['case', 'add', 'PELI-07', '--slots', '6', '--building', 'HQ', '--room', '101']);
	ok(['holder', 'add', 'Dana Ruiz', '--badge', 'B-1042']);
	ok(['asset', 'add', '--tag', 'AT-0001', '--serial', 'S1', '--manufacturer', 'HP', '--type',
		'Laptop', '--building', 'HQ', '--room', '101', '--case', 'PELI-07', '--slot', '1']);
	ok(['stock-out', '--holder', 'B-1042', 'AT-0001']);
});

after(async () => {
	await browser?.close();
	await srv?.stop();
});

test('nobody logged in: pages send the browser to /login', async () => {
	const page = await newPage(browser);
	try {
		await page.goto(srv.base + '/assets');
		assert.equal(new URL(page.url()).pathname, '/login');
		await assert.doesNotReject(page.getByLabel('Username').waitFor());
	} finally {
		await closePage(page);
	}
});

test('a wrong password is refused in words, with the username kept', async () => {
	const page = await newPage(browser);
	try {
		await page.goto(srv.base + '/login');
		await page.getByLabel('Username').fill('operator');
		await page.getByLabel('Password').fill('not-the-password');
		const [res] = await Promise.all([
			page.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST'),
			page.getByRole('button', { name: 'Log in' }).click(),
		]);
		assert.equal(res.status(), 401);
		const alert = page.getByRole('alert');
		assert.match(await alert.innerText(), /Wrong username or password/);
		assert.equal(await page.getByLabel('Username').inputValue(), 'operator');
		assert.equal(await page.getByLabel('Password').inputValue(), '');
	} finally {
		await closePage(page);
	}
});

test('pages carry a strict Content-Security-Policy and no-sniff, no framing', async () => {
	const page = await newPage(browser);
	try {
		const res = await page.goto(srv.base + '/login');
		const h = res.headers();
		assert.match(h['content-security-policy'], /default-src 'none'/);
		assert.match(h['content-security-policy'], /frame-ancestors 'none'/);
		assert.doesNotMatch(h['content-security-policy'], /unsafe-inline|https?:/);
		assert.equal(h['x-content-type-options'], 'nosniff');
		assert.ok(h['referrer-policy']);
		assert.deepEqual(page.externalRequests, []);
		assert.deepEqual(page.consoleErrors, []);
	} finally {
		await closePage(page);
	}
});

test('the session cookie is HttpOnly and SameSite=Strict', async () => {
	const page = await newPage(browser);
	try {
		await login(page, srv.base, 'auditor', srv.users.auditor.password);
		const cookies = await page.context().cookies();
		const c = cookies.find((x) => x.name === 'at_session');
		assert.ok(c, 'session cookie set');
		assert.equal(c.httpOnly, true);
		assert.equal(c.sameSite, 'Strict');
	} finally {
		await closePage(page);
	}
});

const ADMIN_LINKS = ['Corrections', 'Replace', 'Users'];
const OPERATOR_LINKS = ['Stock-Out', 'Stock-In'];

for (const [role, sees, hidden, forbidden] of [
	['admin', [...OPERATOR_LINKS, ...ADMIN_LINKS], [], []],
	['operator', OPERATOR_LINKS, ADMIN_LINKS, ['/admin/users', '/corrections', '/replace', '/admin/assets/new']],
	['auditor', [], [...OPERATOR_LINKS, ...ADMIN_LINKS], ['/stock-out', '/stock-in', '/admin/users']],
]) {
	test(`${role}: sees only the links the role may use; the server refuses the rest`, async () => {
		const page = await newPage(browser);
		try {
			await login(page, srv.base, role, srv.users[role].password);
			const nav = page.getByRole('navigation', { name: 'Main' });
			for (const text of ['Dashboard', 'Assets', 'Cases', 'Holders', 'Events', ...sees])
				assert.equal(await nav.getByRole('link', { name: text, exact: true }).count(), 1, text);
			for (const text of hidden)
				assert.equal(await nav.getByRole('link', { name: text, exact: true }).count(), 0, text);
			for (const p of forbidden) {
				const res = await page.goto(srv.base + p);
				assert.equal(res.status(), 403, p);
				assert.match(await page.locator('main').innerText(), /may not/);
			}
		} finally {
			await closePage(page);
		}
	});
}

test('dashboard: counts, longest out, recent events; no sideways scroll', async () => {
	const page = await newPage(browser);
	try {
		await login(page, srv.base, 'admin', srv.users.admin.password);
		await page.goto(srv.base + '/');
		const main = page.locator('main');
		assert.match(await main.innerText(), /1\s+in custody/);
		const longest = page.locator('section', { has: page.getByRole('heading', { name: 'Out longest' }) });
		assert.match(await longest.innerText(), /AT-0001[\s\S]*Dana Ruiz/);
		assert.match(await main.innerText(), /STOCK_OUT/);
		await shot2(page, srv.base + '/', 'dashboard');
		await shot2(page, srv.base + '/login', 'login-logged-in-redirects');
		await assertNoHorizontalScroll(page);
	} finally {
		await closePage(page);
	}
});

test('log out ends the session: the old cookie no longer works', async () => {
	const page = await newPage(browser);
	try {
		await login(page, srv.base, 'operator', srv.users.operator.password);
		const before = (await page.context().cookies()).find((x) => x.name === 'at_session').value;
		await page.getByRole('button', { name: 'Log out' }).click();
		await page.waitForURL(/\/login$/);
		const res = await fetch(srv.base + '/api/v1/me', { headers: { Cookie: `at_session=${before}` } });
		assert.equal(res.status, 401);
	} finally {
		await closePage(page);
	}
});

test('a logout posted without the CSRF token is refused and the session lives', async () => {
	const page = await newPage(browser);
	try {
		await login(page, srv.base, 'operator', srv.users.operator.password);
		const res = await page.request.post(srv.base + '/logout', { form: { x: '1' }, maxRedirects: 0 });
		assert.equal(res.status(), 403);
		const me = await page.request.get(srv.base + '/api/v1/me');
		assert.equal(me.status(), 200);
	} finally {
		await closePage(page);
	}
});

test('unknown pages answer a 404 page, not JSON', async () => {
	const page = await newPage(browser);
	try {
		await login(page, srv.base, 'auditor', srv.users.auditor.password);
		const res = await page.goto(srv.base + '/no/such/page');
		assert.equal(res.status(), 404);
		assert.match(res.headers()['content-type'], /text\/html/);
		assert.match(await page.locator('h1').innerText(), /Page not found/);
	} finally {
		await closePage(page);
	}
});
