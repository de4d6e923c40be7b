// hardening.test.mjs — bad input that once got through (issue #7): each
// answer is a clear 4xx in the SPEC §7 shape, and nothing changes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { assertError, BINARY, BINARY_TESTCLOCK, dayOffset, dbEnv, dropDb, freshDb, ok, request, startServer } from './lib.mjs';

let srv;

before(async () => {
	srv = await startServer();
	await srv.mkCase('HARD-A', 10);
	await srv.mkAsset('HD-0001', ['HARD-A', 1]);
	await srv.mkHolder('Dana Ruiz', 'B-H1');
});
after(async () => {
	await srv?.stop();
});

/* Send raw bytes on one connection; resolve with the whole answer text
 * (the server closes or the timeout ends it). */
function raw(bytes) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		const s = net.connect(srv.port, '127.0.0.1', () => s.end(bytes));
		s.setTimeout(3000, () => s.destroy());
		s.on('data', (c) => chunks.push(c));
		s.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
		s.on('error', reject);
	});
}

const status = (text) => Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1]);
const body = (text) => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));

for (const [name, seg] of [
	['an overlong encoding', '%C0%AF'],
	['a CESU-8 surrogate', '%ED%A0%80'],
	['a stray continuation byte', '%80'],
	['a byte beyond U+10FFFF', '%F5%80%80%80'],
]) {
	test(`invalid UTF-8 in a path segment (${name}) is a 404 with a UTF-8 answer`, async () => {
		for (const p of [`/api/v1/cases/${seg}`, `/api/v1/holders/${seg}`]) {
			const res = await request(srv.base, 'GET', p, { token: srv.tokens.auditor });
			assertError(res, 404, { code: 'NOT_FOUND' }, p);
			assert.ok(!res.json.error.message.includes('\uFFFD\uFFFD\uFFFD\uFFFD'));
		}
		const res = await request(srv.base, 'DELETE', `/api/v1/assets/x${seg}`,
			{ token: srv.tokens.admin });
		assert.ok([404, 405].includes(res.status), `DELETE: ${res.status} ${res.text}`);
		assert.ok(res.json?.error, res.text);
	});
}

test('invalid UTF-8 in a query parameter is a 400 naming it, on every engine', async () => {
	for (const p of ['/api/v1/assets?q=%C0%AF', '/api/v1/assets?after=x%80', '/api/v1/holders?q=%ED%A0%80',
		'/api/v1/events?asset=%F5%80%80%80']) {
		const res = await request(srv.base, 'GET', p, { token: srv.tokens.auditor });
		const e = assertError(res, 400, { code: 'MALFORMED' }, p);
		assert.match(e.message, /^query parameter (q|after|asset) is not valid UTF-8$/, p);
	}
	/* A name that is not UTF-8 is refused too, shown repaired. */
	const res = await request(srv.base, 'GET', '/api/v1/assets?%C0%AF=1', { token: srv.tokens.auditor });
	assert.match(assertError(res, 400, { code: 'MALFORMED' }).message,
		/^query parameter \?\? is not valid UTF-8$/);
});

test('invalid UTF-8 in an uploaded CSV is refused row by row (422), nothing imported', async () => {
	const before = await srv.eventCount();
	const csv = Buffer.concat([
		Buffer.from('asset_tag,serial_number,manufacturer,equipment_type,building,room\n'),
		Buffer.from('HD-0100,S'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(',HP,Laptop,B,R\n'),
		Buffer.from('HD-0101,S2,HP'), Buffer.from([0xc0, 0xaf]), Buffer.from(',Laptop,B,R\n'),
	]);
	for (const dry of ['1', '0']) {
		const res = await request(srv.base, 'POST', `/api/v1/import/assets?dry_run=${dry}`,
			{ token: srv.tokens.admin, raw: csv, headers: { 'Content-Type': 'text/csv' } });
		const e = assertError(res, 422, { code: 'INVALID', items: 2 });
		assert.deepEqual(e.items.map((i) => i.input), ['row 2', 'row 3']);
		assert.match(e.items[0].message, /serial_number is not valid UTF-8/);
		assert.match(e.items[1].message, /manufacturer is not valid UTF-8/);
	}
	assert.equal(await srv.eventCount(), before);
});

test('two Content-Length headers that disagree are refused (400), nothing changes', async () => {
	const before = await srv.eventCount();
	const json = JSON.stringify({ name: 'SMUGGLED', slots: 1 });
	const text = await raw(`POST /api/v1/cases HTTP/1.1\r\nHost: x\r\n` +
		`Authorization: Bearer ${srv.tokens.admin}\r\nContent-Type: application/json\r\n` +
		`Content-Length: ${json.length}\r\nContent-Length: 5\r\n\r\n${json}`);
	assert.equal(status(text), 400, text);
	assert.equal(body(text).error.code, 'MALFORMED');
	assert.equal(await srv.eventCount(), before);
	const res = await request(srv.base, 'GET', '/api/v1/cases/SMUGGLED', { token: srv.tokens.auditor });
	assertError(res, 404, { code: 'NOT_FOUND' });
});

test('Content-Length beside Transfer-Encoding is refused (400)', async () => {
	const json = JSON.stringify({ name: 'SMUGGLED2', slots: 1 });
	const chunk = `${json.length.toString(16)}\r\n${json}\r\n0\r\n\r\n`;
	const text = await raw(`POST /api/v1/cases HTTP/1.1\r\nHost: x\r\n` +
		`Authorization: Bearer ${srv.tokens.admin}\r\nContent-Type: application/json\r\n` +
		`Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}`);
	assert.equal(status(text), 400, text);
	const res = await request(srv.base, 'GET', '/api/v1/cases/SMUGGLED2', { token: srv.tokens.auditor });
	assertError(res, 404, { code: 'NOT_FOUND' });
});

test('two equal Content-Length headers are one length: the request is served', async () => {
	const json = JSON.stringify({ name: 'TWICE', slots: 1 });
	const text = await raw(`POST /api/v1/cases HTTP/1.1\r\nHost: x\r\nConnection: close\r\n` +
		`Authorization: Bearer ${srv.tokens.admin}\r\nContent-Type: application/json\r\n` +
		`Content-Length: ${json.length}\r\nContent-Length: ${json.length}\r\n\r\n${json}`);
	assert.equal(status(text), 201, text);
});

test('an Authorization header with a NUL after a valid token is refused (401)', async () => {
	const text = await raw(`GET /api/v1/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\n` +
		`Authorization: Bearer ${srv.tokens.admin}\0junk\r\n\r\n`);
	assert.equal(status(text), 401, text);
	assert.equal(body(text).error.code, 'UNAUTHORIZED');
	// Not the last header: the same.
	const mid = await raw(`GET /api/v1/me HTTP/1.1\r\nHost: x\r\n` +
		`Authorization: Bearer ${srv.tokens.admin}\0junk\r\nConnection: close\r\n\r\n`);
	assert.equal(status(mid), 401, mid);
	// The same token, whole, still works, last or not.
	for (const req of [
		`GET /api/v1/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer ${srv.tokens.admin}\r\n\r\n`,
		`GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${srv.tokens.admin}\r\nConnection: close\r\n\r\n`,
	])
		assert.equal(status(await raw(req)), 200);
	ok(await request(srv.base, 'GET', '/api/v1/me', { token: srv.tokens.admin }));
});

test('a session cookie with a NUL after a valid secret is refused (401)', async () => {
	const login = await request(srv.base, 'POST', '/api/v1/login',
		{ body: { username: 'operator', password: srv.passwords.operator } });
	assert.equal(login.status, 200, login.text);
	const cookie = login.headers.get('set-cookie').split(';')[0];
	const good = await raw(`GET /api/v1/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: ${cookie}\r\n\r\n`);
	assert.equal(status(good), 200, good);
	const bad = await raw(`GET /api/v1/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: ${cookie}\0x\r\n\r\n`);
	assert.equal(status(bad), 401, bad);
});

test('cursors past 2^31 are answered, not a database error, on every engine', async () => {
	// PostgreSQL typed "?2 = 0" as an integer: these were 500s there.
	const big = 3000000000;
	for (const p of [`/api/v1/reports/retired?after=${big}`, `/api/v1/reports/holders/B-H1?after=${big}`,
		`/api/v1/events?after=${big}`]) {
		const res = await request(srv.base, 'GET', p, { token: srv.tokens.auditor });
		assert.equal(res.status, 200, `${p}: ${res.text}`);
	}
	const res = await request(srv.base, 'GET', `/api/v1/reports/retired?after=${big}`,
		{ token: srv.tokens.auditor });
	assert.deepEqual(res.json.retired, []);
	assert.equal(res.json.next_after, null);
	const login = await request(srv.base, 'POST', '/api/v1/login',
		{ body: { username: 'auditor', password: srv.passwords.auditor } });
	assert.equal(login.status, 200, login.text);
	const cookie = login.headers.get('set-cookie').split(';')[0];
	const holders = await request(srv.base, 'GET', '/api/v1/holders?q=B-H1', { token: srv.tokens.auditor });
	const id = holders.json.holders[0].id;
	for (const p of [`/reports/retired?after=${big}`, `/reports/holders/${id}?after=${big}`,
		`/holders/${id}?before=${big}`]) {
		const page = await fetch(`${srv.base}${p}`, { headers: { cookie }, redirect: 'manual' });
		assert.equal(page.status, 200, `${p}: ${page.status}`);
		assert.match(await page.text(), /<h1/, p);
	}
});

test('"due": "" or blank on Stock-Out is invalid (422); null and absent mean none', async () => {
	const before = await srv.eventCount();
	for (const due of ['', '   ']) {
		const res = await srv.operator('POST', '/api/v1/custody/stock-out',
			{ holder: 'B-H1', asset_tags: ['HD-0001'], due });
		const e = assertError(res, 422, { code: 'INVALID' }, JSON.stringify(due));
		assert.match(e.message, /empty due date is not a date/);
	}
	assert.equal(await srv.eventCount(), before);
	const out = ok(await srv.operator('POST', '/api/v1/custody/stock-out',
		{ holder: 'B-H1', asset_tags: ['HD-0001'], due: null }));
	assert.equal(out.assets[0].due, null);
	ok(await srv.operator('POST', '/api/v1/custody/stock-in', { items: [{ asset_tag: 'HD-0001' }] }));
	const later = ok(await srv.operator('POST', '/api/v1/custody/stock-out',
		{ holder: 'B-H1', asset_tags: ['HD-0001'], due: dayOffset(3) }));
	assert.equal(later.assets[0].due, dayOffset(3));
});

test('the shipped binary ignores ASSETTRACK_FAKE_NOW: events carry the real time', () => {
	const env = { ...process.env, ASSETTRACK_FAKE_NOW: '2001-02-03T04:05:06.000Z' };
	const run = (bin, args) => spawnSync(bin, ['--db', srv.db, ...args], { env, encoding: 'utf8' });
	assert.equal(run(BINARY, ['holder', 'add', 'Real Clock']).status, 0);
	assert.equal(run(BINARY_TESTCLOCK, ['holder', 'add', 'Fake Clock']).status, 0);
	const r = run(BINARY, ['--json', 'events', '--type', 'HOLDER_CREATED']);
	assert.equal(r.status, 0, r.stderr);
	const evs = JSON.parse(r.stdout).events;
	const real = evs.find((e) => /Real Clock/.test(JSON.stringify(e.details)));
	const fake = evs.find((e) => /Fake Clock/.test(JSON.stringify(e.details)));
	assert.ok(real && fake, r.stdout.slice(0, 400));
	assert.ok(Math.abs(Date.parse(real.at) - Date.now()) < 60000, `real: ${real.at}`);
	assert.equal(fake.at, '2001-02-03T04:05:06.000Z');
});

test('time never runs backwards along the log: a clock behind the head is moved up to it', () => {
	/* A database of its own: its head is put in the future. */
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assettrack-clock-'));
	const db = freshDb(dir);
	try {
		const run = (bin, args, fake) => {
			const env = { ...dbEnv(db), ...(fake ? { ASSETTRACK_FAKE_NOW: fake } : {}) };
			const r = spawnSync(bin, ['--db', db, ...args], { env, encoding: 'utf8' });
			assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
			return r.stdout;
		};
		run(BINARY_TESTCLOCK, ['holder', 'add', 'From The Future'], '2099-01-01T00:00:00.000Z');
		/* The shipped binary's clock reads 2026: behind the head. */
		run(BINARY, ['holder', 'add', 'Clock Behind']);
		/* A time a test build fixes is taken as given (the tests' way to
		 * make the past). */
		run(BINARY_TESTCLOCK, ['holder', 'add', 'Fixed Past'], '2001-02-03T04:05:06.000Z');
		const evs = JSON.parse(run(BINARY, ['--json', 'events', '--type', 'HOLDER_CREATED'])).events;
		const at = (name) => evs.find((e) => JSON.stringify(e.details).includes(name)).at;
		assert.equal(at('From The Future'), '2099-01-01T00:00:00.000Z');
		assert.equal(at('Clock Behind'), '2099-01-01T00:00:00.000Z');
		assert.equal(at('Fixed Past'), '2001-02-03T04:05:06.000Z');
		assert.match(run(BINARY, ['verify']), /^OK: 3 events, hash chain intact/);
	} finally {
		dropDb(db);
		fs.rmSync(dir, { recursive: true, force: true });
	}
});

test('Stock-Out and Stock-In answer the chain head after the batch, as `head` prints it', async () => {
	// HD-0001 is out since the "due" test: bring it back, then out again.
	ok(await srv.operator('POST', '/api/v1/custody/stock-in', { items: [{ asset_tag: 'HD-0001' }] }));
	const out = ok(await srv.operator('POST', '/api/v1/custody/stock-out',
		{ holder: 'B-H1', asset_tags: ['HD-0001'], due: null }));
	assert.match(out.head, /^\d+:[0-9a-f]{64}$/);
	const cliHead = spawnSync(BINARY, ['--db', srv.db, 'head'], { encoding: 'utf8' });
	assert.equal(cliHead.status, 0, cliHead.stderr);
	assert.equal(cliHead.stdout.trim(), out.head);
	const back = ok(await srv.operator('POST', '/api/v1/custody/stock-in',
		{ items: [{ asset_tag: 'HD-0001' }] }));
	const [seqIn] = back.head.split(':');
	assert.equal(Number(seqIn), Number(out.head.split(':')[0]) + 1);
	const v = spawnSync(BINARY, ['--db', srv.db, 'verify', '--anchor', out.head, '--anchor', back.head],
		{ encoding: 'utf8' });
	assert.equal(v.status, 0, v.stdout + v.stderr);
	assert.match(v.stdout, /2 anchors hold/);
});

/* A login POST from a chosen loopback address (127.0.0.0/8 all reach the
 * server), so that two clients can be told apart. */
function loginFrom(localAddress, username, password) {
	return new Promise((resolve, reject) => {
		const body = JSON.stringify({ username, password });
		const rq = http.request({ host: '127.0.0.1', port: srv.port, path: '/api/v1/login',
			method: 'POST', localAddress, agent: false,
			headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
		}, (res) => {
			res.resume();
			res.on('end', () => resolve(res.statusCode));
		});
		rq.on('error', reject);
		rq.end(body);
	});
}

test('login throttling is per user and address, survives a restart, and is in the security log', async () => {
	const user = 'auditor', good = srv.passwords.auditor;
	// A fixed clock, so the first wait (one second) cannot run out while a
	// slow (sanitized) server restarts.
	const env = { ASSETTRACK_FAKE_NOW: new Date().toISOString() };
	await srv.restart({ env });
	for (let i = 0; i < 3; i++)
		assert.equal(await loginFrom('127.0.0.2', user, 'wrong-password'), 401);
	assert.equal(await loginFrom('127.0.0.2', user, good), 429, 'the guessing address waits');
	assert.equal(await loginFrom('127.0.0.1', user, good), 200, 'the user elsewhere does not');
	await srv.restart({ env });
	assert.equal(await loginFrom('127.0.0.2', user, good), 429, 'a restart forgives nothing');
	const log = spawnSync(BINARY, ['--db', srv.db, '--json', 'user', 'list', '--security'],
		{ encoding: 'utf8' });
	assert.equal(log.status, 0, log.stderr);
	const lockout = JSON.parse(log.stdout).security.find((x) => x.action === 'LOGIN_LOCKOUT');
	assert.ok(lockout, log.stdout.slice(0, 500));
	assert.equal(lockout.subject, user);
	assert.deepEqual(JSON.parse(lockout.details), { address: '127.0.0.2', failures: 3, wait_seconds: 1 });
});

test('one address guessing many users is slowed down as a whole', async () => {
	for (let i = 0; i < 20; i++)
		assert.equal(await loginFrom('127.0.0.3', `nobody${i}`, 'x'), 401, `guess ${i}`);
	assert.equal(await loginFrom('127.0.0.3', 'operator', srv.passwords.operator), 429);
	assert.equal(await loginFrom('127.0.0.1', 'operator', srv.passwords.operator), 200);
});
