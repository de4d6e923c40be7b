// Browser sessions end after 12 idle hours (SPEC §7) — idle, not since
// login: using the session keeps it alive.  The server's clock is fixed with
// ASSETTRACK_FAKE_NOW and moved forward by restarting it on the same
// database.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, ok, show, startServer } from './lib.mjs';

let srv;
const T = (hhmm, day = '01') => `2030-01-${day}T${hhmm}:00.000Z`;

before(async () => {
	srv = await startServer({ threads: 2, env: { ASSETTRACK_FAKE_NOW: T('08:00') } });
});
after(async () => {
	await srv?.stop();
});

async function login(who) {
	const r = await srv.req('POST', '/api/v1/login', { body: { username: who, password: srv.passwords[who] } });
	const b = ok(r);
	return { cookie: r.headers.get('set-cookie').split(';')[0], csrf: b.csrf_token };
}

const at = (t) => srv.restart({ env: { ASSETTRACK_FAKE_NOW: t } });

describe('session idle timeout', () => {
	test('sessions used by reads, by writes, and unused, over 12+ hours', async () => {
		const reader = await login('auditor');     // only ever reads
		const writer = await login('admin');       // writes
		const idle = await login('operator');      // logs in and walks away
		const early = await login('auditor');      // checked just before 12 h
		ok(await srv.req('GET', '/api/v1/me', { cookie: reader.cookie }));

		// 11 hours later: all alive; the reader reads, the writer writes.
		await at(T('19:00'));
		ok(await srv.req('GET', '/api/v1/me', { cookie: reader.cookie }));
		ok(await srv.req('GET', '/api/v1/assets', { cookie: reader.cookie }));
		ok(await srv.req('POST', '/api/v1/holders',
			{ cookie: writer.cookie, body: { name: 'Night Shift' }, headers: { 'X-CSRF-Token': writer.csrf } }), 201);

		// 11 h 59 min after login, unused since: still alive.
		await at(T('19:59'));
		ok(await srv.req('GET', '/api/v1/me', { cookie: early.cookie }));

		// 13 hours after login, 2 hours after the last use.
		await at(T('21:00'));
		const results = {
			idle: (await srv.req('GET', '/api/v1/me', { cookie: idle.cookie })).status,
			writer: (await srv.req('GET', '/api/v1/me', { cookie: writer.cookie })).status,
			reader: (await srv.req('GET', '/api/v1/me', { cookie: reader.cookie })).status,
		};
		assert.equal(results.idle, 401, 'a session unused for 13 hours must have ended');
		assert.equal(results.writer, 200, 'a session written with 2 hours ago must be alive');
		assert.equal(results.reader, 200,
			'a session used for reads 2 hours ago must be alive (12 *idle* hours): ' + JSON.stringify(results));
	});

	test('12 hours after the last use the session has ended', async () => {
		const s = await login('auditor');
		await at(T('09:01', '02'));                   // 12 h 1 min after login at 21:00
		assertError(await srv.req('GET', '/api/v1/me', { cookie: s.cookie }), 401);
		// tokens do not expire
		ok(await srv.req('GET', '/api/v1/me', { token: srv.tokens.auditor }));
	});
});
