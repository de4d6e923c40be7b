// Authentication: Bearer tokens, browser sessions, CSRF, logout, throttling.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, ok, show, startServer } from './lib.mjs';

let srv;

before(async () => {
	srv = await startServer({ extraUsers: [{ name: 'throttled', role: 'operator' },
		{ name: 'clerk', role: 'admin' }, { name: 'leaver', role: 'operator' }] });
});
after(async () => {
	await srv?.stop();
});

async function login(username, password) {
	return srv.req('POST', '/api/v1/login', { body: { username, password } });
}

/* "at_session=...; ..." -> "at_session=..." for a Cookie header. */
function cookieOf(res) {
	const sc = res.headers.get('set-cookie');
	assert.ok(sc, `no Set-Cookie: ${show(res)}`);
	return sc.split(';')[0].trim();
}

describe('credentials', () => {
	test('no credentials: 401 with the error shape', async () => {
		for (const p of ['/api/v1/assets', '/api/v1/me', '/api/v1/verify', '/api/v1/events',
			'/api/v1/holders', '/api/v1/cases', '/api/v1/reports/custody'])
			assertError(await srv.req('GET', p), 401);
		assertError(await srv.req('POST', '/api/v1/custody/stock-out',
			{ body: { holder: 1, asset_tags: ['X'] } }), 401);
		assertError(await srv.req('POST', '/api/v1/assets', { body: {} }), 401);
	});

	test('bad Bearer tokens: 401', async () => {
		const bad = [
			'0'.repeat(64),
			srv.tokens.admin.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')),
			srv.tokens.admin.slice(0, 63),
			srv.tokens.admin + '0',
			'',
		];
		for (const t of bad) {
			const r = await srv.req('GET', '/api/v1/assets',
				{ headers: { Authorization: `Bearer ${t}` } });
			assertError(r, 401);
		}
		assertError(await srv.req('GET', '/api/v1/assets',
			{ headers: { Authorization: `Basic ${Buffer.from('admin:x').toString('base64')}` } }), 401);
		assertError(await srv.req('GET', '/api/v1/assets',
			{ headers: { Authorization: srv.tokens.admin } }), 401);
	});

	test('a Bearer token works and names its user', async () => {
		for (const role of ['admin', 'operator', 'auditor']) {
			const me = ok(await srv.req('GET', '/api/v1/me', { token: srv.tokens[role] }));
			assert.equal(me.username, srv.users[role]);
			assert.equal(me.role, role);
			ok(await srv.req('GET', '/api/v1/assets', { token: srv.tokens[role] }));
		}
	});

	test('a Bearer write needs no CSRF token and records the actor', async () => {
		const r = await srv.req('POST', '/api/v1/holders',
			{ token: srv.tokens.clerk, body: { name: 'Token Writer' } });
		const h = ok(r, 201);
		const evs = await srv.allEvents('type=HOLDER_CREATED');
		const ev = evs.find((e) => e.details && JSON.stringify(e.details).includes('Token Writer'))
			?? evs[evs.length - 1];
		assert.equal(ev.actor, 'clerk');
		assert.ok(h.id > 0);
	});

	test('a fresh CLI token for the same user also works', async () => {
		const out = srv.cli(['user', 'token', 'operator']);
		assert.equal(out.status, 0, out.stderr);
		const tok = out.stdout.trim().split('\n').pop().trim();
		assert.match(tok, /^[0-9a-f]{64}$/);
		const me = ok(await srv.req('GET', '/api/v1/me', { token: tok }));
		assert.equal(me.role, 'operator');
		// the first one still works too
		ok(await srv.req('GET', '/api/v1/me', { token: srv.tokens.operator }));
	});
});

describe('token revocation', () => {
	test('revoked tokens (CLI user revoke-tokens) stop working at once: 401', async () => {
		const second = srv.cli(['user', 'token', 'leaver']);
		assert.equal(second.status, 0, second.stderr);
		const tok2 = second.stdout.trim().split('\n').pop().trim();
		ok(await srv.req('GET', '/api/v1/me', { token: srv.tokens.leaver }));
		ok(await srv.req('GET', '/api/v1/me', { token: tok2 }));
		const r = srv.cli(['user', 'revoke-tokens', 'leaver']);
		assert.equal(r.status, 0, r.stderr);
		assertError(await srv.req('GET', '/api/v1/me', { token: srv.tokens.leaver }), 401);
		assertError(await srv.req('GET', '/api/v1/me', { token: tok2 }), 401);
		assertError(await srv.req('POST', '/api/v1/custody/stock-in',
			{ token: tok2, body: { items: [{ asset_tag: 'X' }] } }), 401);
		// other users' tokens are untouched
		ok(await srv.req('GET', '/api/v1/me', { token: srv.tokens.operator }));
		// a new token works again
		const third = srv.cli(['user', 'token', 'leaver']);
		ok(await srv.req('GET', '/api/v1/me', { token: third.stdout.trim().split('\n').pop().trim() }));
	});
});

describe('token revocation and the scanner lookup', () => {
	// GETs read in a snapshot held by the token cache's PRAGMA data_version
	// (no BEGIN/ROLLBACK): a token cached by every server thread and then
	// revoked by another process must be refused on the very next lookup.
	test('a cached token revoked by the CLI is refused on the next GET /api/v1/assets/{tag}', async () => {
		const made = srv.cli(['asset', 'add', '--tag', 'RV-0001', '--serial', 'RV-SN-1',
			'--manufacturer', 'Dell', '--type', 'Laptop', '--building', 'HQ', '--room', '1']);
		assert.equal(made.status, 0, made.stderr);
		const t = srv.cli(['user', 'token', 'leaver']);
		assert.equal(t.status, 0, t.stderr);
		const tok = t.stdout.trim().split('\n').pop().trim();
		// enough lookups that every server thread has the token cached
		for (let i = 0; i < 40; i++)
			assert.equal(ok(await srv.req('GET', '/api/v1/assets/rv0001', { token: tok })).asset_tag,
				'RV-0001');
		const r = srv.cli(['user', 'revoke-tokens', 'leaver']);
		assert.equal(r.status, 0, r.stderr);
		for (let i = 0; i < 8; i++)
			assertError(await srv.req('GET', '/api/v1/assets/RV-0001', { token: tok }), 401);
		ok(await srv.req('GET', '/api/v1/assets/RV-0001', { token: srv.tokens.operator }));
	});
});

describe('sessions', () => {
	test('login sets an HttpOnly SameSite=Strict cookie and gives a csrf_token', async () => {
		const r = await login('operator', srv.passwords.operator);
		const body = ok(r);
		assert.equal(typeof body.csrf_token, 'string');
		assert.ok(body.csrf_token.length >= 16, 'csrf_token too short');
		const sc = r.headers.get('set-cookie');
		assert.ok(sc, 'no Set-Cookie');
		assert.match(sc, /HttpOnly/i);
		assert.match(sc, /SameSite=Strict/i);
		assert.match(sc, /Path=\//i);
		assert.doesNotMatch(sc, /Max-Age=0/i);
		const cookie = cookieOf(r);
		assert.ok(!cookie.includes(srv.passwords.operator), 'password in the cookie');
		const me = ok(await srv.req('GET', '/api/v1/me', { cookie }));
		assert.equal(me.username, 'operator');
		assert.equal(me.role, 'operator');
		if ('csrf_token' in me)
			assert.equal(me.csrf_token, body.csrf_token);
		// cookie reads work
		ok(await srv.req('GET', '/api/v1/assets', { cookie }));
	});

	test('cookie write: 403 without X-CSRF-Token, 403 with a wrong one, OK with it', async () => {
		const r = await login('admin', srv.passwords.admin);
		const { csrf_token } = ok(r);
		const cookie = cookieOf(r);
		const before = await srv.eventCount();
		const body = { name: 'Cookie Person', badge: 'B-COOKIE' };
		assertError(await srv.req('POST', '/api/v1/holders', { cookie, body }), 403);
		assertError(await srv.req('POST', '/api/v1/holders',
			{ cookie, body, headers: { 'X-CSRF-Token': 'f'.repeat(64) } }), 403);
		assertError(await srv.req('POST', '/api/v1/holders',
			{ cookie, body, headers: { 'X-CSRF-Token': '' } }), 403);
		assert.equal(await srv.eventCount(), before, 'a refused CSRF write changed something');
		const h = ok(await srv.req('POST', '/api/v1/holders',
			{ cookie, body, headers: { 'X-CSRF-Token': csrf_token } }), 201);
		assert.equal(h.badge, 'B-COOKIE');
		assert.equal(await srv.eventCount(), before + 1);
		// PATCH too
		assertError(await srv.req('PATCH', `/api/v1/holders/${h.id}`,
			{ cookie, body: { email: 'c@example.org' } }), 403);
		ok(await srv.req('PATCH', `/api/v1/holders/${h.id}`,
			{ cookie, body: { email: 'c@example.org' }, headers: { 'X-CSRF-Token': csrf_token } }));
	});

	test("one session's CSRF token does not work for another session", async () => {
		const a = await login('admin', srv.passwords.admin);
		const b = await login('admin', srv.passwords.admin);
		const tokA = ok(a).csrf_token, tokB = ok(b).csrf_token;
		assert.notEqual(tokA, tokB);
		assert.notEqual(cookieOf(a), cookieOf(b));
		assertError(await srv.req('POST', '/api/v1/holders', {
			cookie: cookieOf(a), body: { name: 'Cross' }, headers: { 'X-CSRF-Token': tokB },
		}), 403);
	});

	test('cookie session role is enforced like a token (auditor write 403)', async () => {
		const r = await login('auditor', srv.passwords.auditor);
		const { csrf_token } = ok(r);
		assertError(await srv.req('POST', '/api/v1/holders', {
			cookie: cookieOf(r), body: { name: 'Nope' }, headers: { 'X-CSRF-Token': csrf_token },
		}), 403);
		ok(await srv.req('GET', '/api/v1/verify', { cookie: cookieOf(r) }));
	});

	test('logout ends the session: 401 afterwards', async () => {
		const r = await login('auditor', srv.passwords.auditor);
		ok(r);
		const cookie = cookieOf(r);
		ok(await srv.req('GET', '/api/v1/me', { cookie }));
		const out = await srv.req('POST', '/api/v1/logout', { cookie });
		assert.ok(out.status === 200 || out.status === 204, show(out));
		const sc = out.headers.get('set-cookie');
		if (sc)
			assert.match(sc, /Max-Age=0|Expires=Thu, 01 Jan 1970/i, 'logout cookie not cleared');
		assertError(await srv.req('GET', '/api/v1/me', { cookie }), 401);
		assertError(await srv.req('GET', '/api/v1/assets', { cookie }), 401);
	});

	test('a made-up session cookie: 401', async () => {
		assertError(await srv.req('GET', '/api/v1/me', { cookie: `at_session=${'a'.repeat(64)}` }), 401);
		assertError(await srv.req('GET', '/api/v1/me', { cookie: 'at_session=' }), 401);
	});

	test('login refusals: wrong password 401, unknown user 401, bad bodies 400/422', async () => {
		assertError(await login('clerk', 'definitely-wrong'), 401);
		assertError(await login('nobody-here', 'whatever-pw'), 401);
		// the right password still works after one failure
		ok(await login('clerk', srv.passwords.clerk));
		assertError(await srv.req('POST', '/api/v1/login', { raw: '{"username":"clerk",' }), 400);
		assertError(await srv.req('POST', '/api/v1/login',
			{ raw: '{"username":"clerk","username":"x","password":"y"}' }), 400);
		assertError(await srv.req('POST', '/api/v1/login',
			{ body: { username: 'clerk', password: srv.passwords.clerk, remember: true } }), 422);
		assertError(await srv.req('POST', '/api/v1/login', { body: { username: 'clerk', password: 5 } }), 422);
		assertError(await srv.req('POST', '/api/v1/login', { body: { username: 'clerk' } }), 422);
	});

	test('repeated wrong passwords: 429 with Retry-After, even for the right one', async () => {
		let saw429 = null;
		for (let i = 0; i < 8 && !saw429; i++) {
			const r = await login('throttled', `wrong-${i}-password`);
			if (r.status === 429)
				saw429 = r;
			else
				assertError(r, 401);
		}
		assert.ok(saw429, 'no 429 after 8 failed logins');
		assertError(saw429, 429);
		const ra = saw429.headers.get('retry-after');
		assert.ok(ra !== null, 'no Retry-After header on 429');
		assert.match(ra, /^\d+$/);
		assert.ok(Number(ra) >= 1, `Retry-After ${ra}`);
		// while throttled, even the right password is refused with 429
		const r = await login('throttled', srv.passwords.throttled);
		assertError(r, 429);
		// other users are not affected
		ok(await login('operator', srv.passwords.operator));
		// the account's token keeps working (throttling is about passwords)
		ok(await srv.req('GET', '/api/v1/me', { token: srv.tokens.throttled }));
	});
});

describe('routing', () => {
	test('unknown endpoints: 404 with the error shape', async () => {
		assertError(await srv.admin('GET', '/api/v1/nothing-here'), 404);
		assertError(await srv.admin('GET', '/api/v2/assets'), 404);
		assertError(await srv.admin('GET', '/api/v1/assets/AT-1/nope'), 404);
	});

	test('a method a route does not take: 404 or 405, never 2xx/500', async () => {
		const r = await srv.admin('DELETE', '/api/v1/assets');
		assertError(r, [404, 405]);
		const r2 = await srv.admin('PUT', '/api/v1/holders');
		assertError(r2, [404, 405]);
	});

	test('responses are JSON with no-store and nosniff', async () => {
		const r = await srv.admin('GET', '/api/v1/assets');
		ok(r);
		assert.match(r.headers.get('content-type'), /^application\/json/);
		assert.match(r.headers.get('cache-control') ?? '', /no-store/);
		assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
		/* No links in JSON: no Referrer-Policy there; pages keep it. */
		assert.equal(r.headers.get('referrer-policy'), null);
		const page = await fetch(srv.base + '/login');
		assert.equal(page.status, 200);
		assert.equal(page.headers.get('referrer-policy'), 'same-origin');
		assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
		assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
	});
});
