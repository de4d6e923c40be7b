// fault.test.mjs — storage faults under the real server and CLI (issue #7;
// SPEC §3.7, §6, §7).
//
// The server is assettrack-testclock (the test build, which links the
// fault VFS of tests/support/vfs_fault.h) with ASSETTRACK_FAULT_FILE set:
// a SPEC written to that file and a SIGUSR1 arm a fault between requests;
// the file vanishing says it is armed, and FILE.ack reports what the
// previous arming counted and whether its fault fired.  One worker thread,
// so every request uses the same connection and nothing else runs between
// arming and the request.
//
// For several N, a write or sync fault in a Stock-Out of three assets must
// answer exactly 500 {"error":{"code":"STORAGE",...,"items":[]}}, change
// nothing, and the server must go on: a GET, a successful Stock-Out (and
// the Stock-In that restores the fixture), and verify ok.  The CLI of the
// test build exits 3 with one line on stderr under ASSETTRACK_FAULT; the
// shipped binary ignores ASSETTRACK_FAULT.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BACKEND, BINARY, BINARY_TESTCLOCK, ok, onlyOn, show, startServer } from './lib.mjs';

const FAKE_NOW = '2026-03-02T10:00:00.000Z';
const DUE = '2099-12-31';
const TAGS = ['FT-1', 'FT-2', 'FT-3'];

let srv, holder, dir, specFile;

/* The faults are injected by a SQLite VFS (tests/support/vfs_fault.c):
 * on PostgreSQL the database's I/O is the server's, not ours. */
const SQLITE_ONLY = onlyOn('sqlite', 'faults are injected by the SQLite VFS');

before(async () => {
	if (BACKEND !== 'sqlite')
		return;
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assettrack-fault-'));
	specFile = path.join(dir, 'spec');
	srv = await startServer({
		threads: 1,
		env: { ASSETTRACK_FAKE_NOW: FAKE_NOW, ASSETTRACK_FAULT_FILE: specFile },
	});
	assert.equal(srv.proc.spawnfile, BINARY_TESTCLOCK, 'the server must be the test build');
	await srv.mkCase('FLT-A', 10);
	for (let i = 0; i < TAGS.length; i++)
		await srv.mkAsset(TAGS[i], ['FLT-A', i + 1]);
	await srv.mkAsset('FT-9', ['FLT-A', 9]);
	holder = await srv.mkHolder('Dana Ruiz', 'B-F1');
});
after(async () => {
	await srv?.stop();
	if (dir)
		fs.rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* Arm SPEC in the server ("write:3:ioerr", "count", "off"); resolves with
 * what the arming it ends counted: {kind, n, err, fired, file, write, sync,
 * read, truncate}. */
async function arm(spec) {
	fs.writeFileSync(specFile, spec + '\n');
	process.kill(srv.proc.pid, 'SIGUSR1');
	const t0 = Date.now();
	while (fs.existsSync(specFile)) {
		if (Date.now() - t0 > 5000)
			throw new Error(`the server did not take fault spec ${spec}: ${srv.stderr}`);
		await sleep(5);
	}
	const rep = {};
	for (const kv of fs.readFileSync(specFile + '.ack', 'utf8').trim().split(' ')) {
		const [k, v] = kv.split('=');
		rep[k] = /^\d+$/.test(v) ? Number(v) : v;
	}
	return rep;
}

const stockOut = () => srv.operator('POST', '/api/v1/custody/stock-out',
	{ holder: holder.id, asset_tags: TAGS, due: DUE });
const stockIn = () => srv.operator('POST', '/api/v1/custody/stock-in',
	{ items: TAGS.map((t) => ({ asset_tag: t })) });

/* Each fixture asset in its slot, in storage. */
async function assertBefore(context) {
	for (let i = 0; i < TAGS.length; i++) {
		const a = await srv.getAsset(TAGS[i]);
		assert.equal(a.state, 'STORAGE', `${context}: ${TAGS[i]} is ${a.state}: a partial Stock-Out`);
		assert.deepEqual(a.slot, { case: 'FLT-A', position: i + 1 }, `${context}: ${TAGS[i]}`);
		assert.equal(a.holder, null, `${context}: ${TAGS[i]}`);
	}
}

/* How many writes and syncs a Stock-Out makes here, right now. */
async function countStockOut() {
	await arm('count');
	ok(await stockOut());
	const rep = await arm('off');
	ok(await stockIn());
	return rep;
}

/* One faulted Stock-Out: 500 STORAGE exactly, nothing changed, the server
 * answers the next requests, verify ok. */
async function faultedStockOut(spec, pin) {
	const events = await srv.eventCount();
	await arm(spec);
	const res = await stockOut();
	const rep = await arm('off');
	assert.equal(rep.fired, 1, `${spec}: the fault did not fire (${JSON.stringify(rep)}); ` +
		`the request answered ${show(res)}`);
	assert.equal(rep.file, 'wal', `${spec}: ${JSON.stringify(rep)}`);
	assert.equal(res.status, 500, `${spec}: ${show(res)}`);
	assert.deepEqual(Object.keys(res.json ?? {}), ['error'], `${spec}: ${show(res)}`);
	assert.equal(res.json.error.code, 'STORAGE', `${spec}: ${show(res)}`);
	assert.deepEqual(res.json.error.items, [], `${spec}: ${show(res)}`);
	assert.match(res.json.error.message, pin, `${spec}: ${show(res)}`);
	// Nothing partial, nothing logged.
	await assertBefore(spec);
	assert.equal(await srv.eventCount(), events, `${spec}: events were written`);
	// The server goes on: a read, the same Stock-Out, the Stock-In back.
	ok(await srv.auditor('GET', '/api/v1/cases/FLT-A'));
	const r = ok(await stockOut());
	assert.deepEqual(r.assets.map((a) => a.state), ['IN_CUSTODY', 'IN_CUSTODY', 'IN_CUSTODY']);
	ok(await stockIn());
	const v = await srv.verify();
	assert.equal(v.ok, true, `${spec}: verify ${JSON.stringify(v.problems)}`);
	assert.equal(v.events, events + 2 * TAGS.length);
}

const PIN = { ioerr: /disk I\/O error/, full: /database or disk is full/ };

describe('server: a storage fault inside a Stock-Out', SQLITE_ONLY, () => {
	test('write faults: 500 STORAGE, nothing changed, the next requests work', async (t) => {
		const { write } = await countStockOut();
		assert.ok(write >= 8, `a Stock-Out of 3 wrote only ${write} times`);
		// The count moves by a page or two as the log grows: stay clear of
		// the end (test_fault.c fails every call, the last included).
		const ns = [...new Set([1, 2, 3, Math.floor(write / 2), write - 4])];
		let fired = 0;
		for (const [i, n] of ns.entries()) {
			const err = i % 2 ? 'full' : 'ioerr';
			await faultedStockOut(`write:${n}:${err}`, PIN[err]);
			fired++;
		}
		assert.equal(fired, ns.length);
		t.diagnostic(`a Stock-Out of 3 made ${write} writes; failed write ${ns.join(', ')}`);
	});

	test('sync faults: 500 STORAGE, nothing changed, the next requests work', async (t) => {
		const { sync } = await countStockOut();
		assert.ok(sync >= 1, 'a Stock-Out did not sync (synchronous=FULL)');
		for (let n = 1; n <= sync; n++)
			for (const err of ['ioerr', 'full'])
				await faultedStockOut(`sync:${n}:${err}`, PIN[err]);
		t.diagnostic(`a Stock-Out of 3 made ${sync} sync(s); failed each, as ioerr and full`);
	});

	test('a fault that does not fire changes nothing in the answer', async () => {
		const { write } = await countStockOut();
		await arm(`write:${write + 50}:ioerr`);
		const res = await stockOut();
		const rep = await arm('off');
		assert.equal(rep.fired, 0, JSON.stringify(rep));
		ok(res);
		ok(await stockIn());
	});
});

/* Run a binary on the server's database with one extra variable. */
function run(binary, args, env) {
	const r = spawnSync(binary, ['--db', srv.db, ...args], {
		encoding: 'utf8', timeout: 30000, env: { ...process.env, ...env },
	});
	if (r.error)
		throw r.error;
	return r;
}

describe('CLI under ASSETTRACK_FAULT', SQLITE_ONLY, () => {
	for (const [spec, pin] of [['write:1:ioerr', PIN.ioerr], ['sync:1:full', PIN.full]]) {
		test(`the test build exits 3 with one line (${spec}), nothing changed`, async () => {
			const events = await srv.eventCount();
			const r = run(BINARY_TESTCLOCK, ['stock-out', '--holder', 'B-F1', '--due', DUE, 'FT-9'],
				{ ASSETTRACK_FAULT: spec, ASSETTRACK_FAKE_NOW: FAKE_NOW });
			assert.equal(r.status, 3, `exit ${r.status}: ${r.stderr}`);
			assert.equal(r.stdout, '');
			const lines = r.stderr.split('\n');
			assert.equal(lines.length, 2, `not one line: ${JSON.stringify(r.stderr)}`);
			assert.equal(lines[1], '');
			assert.match(lines[0], /^assettrack: database error: /);
			assert.match(lines[0], pin);
			assert.equal((await srv.getAsset('FT-9')).state, 'STORAGE');
			assert.equal(await srv.eventCount(), events);
			assert.equal((await srv.verify()).ok, true);
		});
	}

	test('the shipped binary ignores ASSETTRACK_FAULT', async () => {
		assert.notEqual(BINARY, BINARY_TESTCLOCK);
		const r = run(BINARY, ['stock-out', '--holder', 'B-F1', '--due', DUE, 'FT-9'],
			{ ASSETTRACK_FAULT: 'write:1:ioerr' });
		assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr}`);
		assert.equal((await srv.getAsset('FT-9')).state, 'IN_CUSTODY');
		const back = run(BINARY, ['stock-in', 'FT-9'], { ASSETTRACK_FAULT: 'sync:1:ioerr' });
		assert.equal(back.status, 0, `exit ${back.status}: ${back.stderr}`);
		assert.equal((await srv.verify()).ok, true);
	});
});
