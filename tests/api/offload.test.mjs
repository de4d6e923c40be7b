// offload.test.mjs — a slow request holds up nobody else (issue #9, item 3).
//
// libmicrohttpd gives each connection to one of the server's threads for
// good, so with --threads 1 every connection shares one thread.  The test
// build's verify waits ASSETTRACK_TEST_VERIFY_DELAY_MS in its snapshot
// (core/internal.h, op_hook_verify), standing in for a whole-log verify of
// a large database.  While it runs, lookups and a Stock-Out on other
// connections must be answered at once: GET /api/v1/verify is a ROUTE_SLOW
// route, run on an offload thread (web/offload.c), not on the connection's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { ok, startServer } from './lib.mjs';

/* The nice value of each thread of process `pid` (Linux: field 19 of
 * /proc/PID/task/TID/stat, the 17th after the command's closing paren). */
function threadNices(pid) {
	return fs.readdirSync(`/proc/${pid}/task`).map((tid) => {
		const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
		return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
	});
}

const DELAY_MS = 2500;
let srv;

before(async () => {
	srv = await startServer({
		threads: 1,
		env: { ASSETTRACK_FAKE_NOW: '2026-03-02T10:00:00.000Z',
			ASSETTRACK_TEST_VERIFY_DELAY_MS: String(DELAY_MS) },
	});
});
after(async () => {
	await srv?.stop();
});

test('lookups and a Stock-Out are answered while a slow verify runs', async () => {
	await srv.mkCase('OFF-A', 4);
	await srv.mkAsset('OFF-1', ['OFF-A', 1]);
	await srv.mkAsset('OFF-2', ['OFF-A', 2]);
	const h = await srv.mkHolder('Ola Nordmann', 'B-OFF1');
	const before = await srv.eventCount();

	const t0 = Date.now();
	let verifyDone = 0;
	const verifying = srv.auditor('GET', '/api/v1/verify').then((r) => {
		verifyDone = Date.now();
		return r;
	});
	await new Promise((r) => setTimeout(r, 200)); // verify is inside its wait now

	const times = [];
	for (let i = 0; i < 5; i++) {
		const t = Date.now();
		const a = ok(await srv.operator('GET', '/api/v1/assets/OFF-1'));
		assert.equal(a.asset_tag, 'OFF-1');
		times.push(Date.now() - t);
	}
	const t = Date.now();
	const out = ok(await srv.operator('POST', '/api/v1/custody/stock-out',
		{ holder: h.id, asset_tags: ['OFF-2'] }));
	assert.equal(out.assets[0].state, 'IN_CUSTODY');
	times.push(Date.now() - t);
	const answered = Date.now();
	// The offload threads yield the CPU (nice 10, web/offload.h); the
	// workers that serve the scans do not.
	const nices = threadNices(srv.proc.pid);
	assert.ok(nices.includes(10) && nices.includes(0), `thread nice values: ${nices}`);

	const v = ok(await verifying);
	assert.equal(v.ok, true);
	assert.ok(verifyDone - t0 >= DELAY_MS, `verify took only ${verifyDone - t0} ms: the delay hook did not run`);
	// Every other request was answered before the verify: none waited for it.
	assert.ok(answered < verifyDone, `the lookups ended ${answered - verifyDone} ms after the verify`);
	assert.ok(Math.max(...times) < 1000, `slowest answer ${Math.max(...times)} ms: ${times}`);
	// The verify saw the snapshot it began with: the Stock-Out came later.
	assert.equal(v.events, before);
});

test('slow requests queue and each gets its own answer', async () => {
	const [a, b, c] = await Promise.all([
		srv.auditor('GET', '/api/v1/verify'),
		srv.auditor('GET', '/api/v1/reports/custody'),
		srv.auditor('GET', '/api/v1/reports/occupancy'),
	]);
	assert.equal(ok(a).ok, true);
	assert.ok(Array.isArray(ok(b).custody), JSON.stringify(b.json).slice(0, 300));
	assert.ok(Array.isArray(ok(c).cases), JSON.stringify(c.json).slice(0, 300));
});
