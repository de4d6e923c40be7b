// reports.test.mjs — GET /api/v1/reports/{custody,unslotted,occupancy,
// holders/{id},retired} (SPEC §7; issue #12 item 2): JSON pages with
// next_after, and ?format=csv downloads (text/csv, a file name, streamed in
// constant memory for 30,000 rows).
//
// Overdue and late custody needs due dates in the past, which core
// refuses: the custody is seeded through the CLI with ASSETTRACK_FAKE_NOW
// some days ago (the test-clock binary); the server runs on the real
// clock, for which those dates have passed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { assertError, ok, startServer, walk } from './lib.mjs';

let srv;
const DAY = 86400e3;
const NOW = Date.now();
const ymd = (ms) => new Date(ms).toISOString().slice(0, 10);
const at = (daysAgo) => `${ymd(NOW - daysAgo * DAY)}T10:00:00.000Z`;
const TODAY = (() => {
	const d = new Date();
	const p = (x) => String(x).padStart(2, '0');
	return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
})();
let zoe, adam, dana;

function cliOk(args, input) {
	const r = srv.cli(args, input);
	assert.equal(r.status, 0, `assettrack ${args.join(' ')}: ${r.stderr}`);
	return r.stdout;
}

/* Run CLI commands with the clock at `t`. */
function clockAt(t, fn) {
	process.env.ASSETTRACK_FAKE_NOW = t;
	try {
		fn();
	} finally {
		delete process.env.ASSETTRACK_FAKE_NOW;
	}
}

/*
 * Zoe Park (B-1), Adam Cole (B-2) and "Dana Ruiz, Jr." (B-3, a comma for
 * the CSV); cases PELI-01 (10), PELI-02 (4), EMPTY-03 (2).
 *   10 days ago  out: AT-0001, AT-0002 to Zoe due 5 days ago; AT-0003 to
 *                Adam due in 30 days, AT-0004 to Adam; AT-0005 to Dana due
 *                5 days ago; AT-0007 to Zoe due 8 days ago
 *    9 days ago  AT-0002 back (on time)
 *    7 days ago  AT-0007 back (late)
 *    2 days ago  AT-0006 out to Zoe, due yesterday
 *   today        UN-0001 made without a slot; UN-0002 force-vacated; AT-0008
 *                and AT-0010 retired "Broken screen", AT-0012 retired for
 *                a formula
 */
function seed() {
	const asset = (tag, c, pos) => cliOk(['asset', 'add', '--tag', tag, '--serial', `SN-${tag}`,
		'--manufacturer', 'Acme', '--type', 'Radio', '--building', 'HQ', '--room', '101',
		...(c ? ['--case', c, '--slot', String(pos)] : [])]);
	clockAt(at(11), () => {
		cliOk(['case', 'add', 'PELI-01', '--slots', '10', '--building', 'HQ', '--room', '101']);
		cliOk(['case', 'add', 'PELI-02', '--slots', '4', '--building', 'Annex', '--room', '2']);
		cliOk(['case', 'add', 'EMPTY-03', '--slots', '2']);
		cliOk(['holder', 'add', 'Zoe Park', '--badge', 'B-1']);
		cliOk(['holder', 'add', 'Adam Cole', '--badge', 'B-2']);
		cliOk(['holder', 'add', 'Dana Ruiz, Jr.', '--badge', 'B-3']);
		for (let i = 1; i <= 9; i++)
			asset(`AT-000${i}`, 'PELI-01', i);
		for (let i = 10; i <= 12; i++)
			asset(`AT-00${i}`, 'PELI-02', i - 9);
		asset('UN-0002', 'PELI-02', 4);
	});
	clockAt(at(10), () => {
		cliOk(['stock-out', '--holder', 'B-1', '--due', ymd(NOW - 5 * DAY), 'AT-0001', 'AT-0002']);
		cliOk(['stock-out', '--holder', 'B-2', '--due', ymd(NOW + 30 * DAY), 'AT-0003']);
		cliOk(['stock-out', '--holder', 'B-2', 'AT-0004']);
		cliOk(['stock-out', '--holder', 'B-3', '--due', ymd(NOW - 5 * DAY), 'AT-0005']);
		cliOk(['stock-out', '--holder', 'B-1', '--due', ymd(NOW - 8 * DAY), 'AT-0007']);
	});
	clockAt(at(9), () => cliOk(['stock-in', 'AT-0002']));
	clockAt(at(7), () => cliOk(['stock-in', 'AT-0007']));
	clockAt(at(2), () => cliOk(['stock-out', '--holder', 'B-1', '--due', ymd(NOW - DAY),
		'AT-0006']));
	asset('UN-0001');
	cliOk(['slot', 'vacate', 'PELI-02', '4', '--reason', 'foam torn']);
	cliOk(['asset', 'retire', 'AT-0008', '--reason', 'Broken screen']);
	cliOk(['asset', 'retire', 'AT-0010', '--reason', 'Broken screen']);
	cliOk(['asset', 'retire', 'AT-0012', '--reason', "=cmd|' /C calc'!A0"]);
	const ids = JSON.parse(cliOk(['--json', 'holder', 'list'])).holders;
	[zoe, adam, dana] = ['B-1', 'B-2', 'B-3'].map((b) => ids.find((h) => h.badge === b));
}

/* A GET answered as text (CSV): status, headers, body. */
async function getText(p, who = 'auditor') {
	const res = await fetch(srv.base + p, { headers: { Authorization: `Bearer ${srv.tokens[who]}` } });
	return { status: res.status, headers: res.headers, text: await res.text() };
}

/* CSV lines of a download, checked to be one: type, name, header. */
async function csv(p, filename, header) {
	const r = await getText(p);
	assert.equal(r.status, 200, `${p}: ${r.text.slice(0, 300)}`);
	assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
	assert.equal(r.headers.get('content-disposition'), `attachment; filename="${filename}"`);
	assert.ok(r.text.endsWith('\n'), 'ends with a line end');
	const lines = r.text.slice(0, -1).split('\n');
	assert.equal(lines[0], header);
	return lines.slice(1);
}

before(async () => {
	// No signed checkpoints: one after the bulk imports would run beside
	// the downloads whose memory is measured.
	srv = await startServer({ args: ['--checkpoint-every', '0'] });
	seed();
});

after(async () => {
	await srv?.stop();
});

describe('custody', () => {
	const ORDER = ['AT-0005', 'AT-0001', 'AT-0006', 'AT-0003', 'AT-0004'];
	const HEAD = 'asset_tag,serial_number,manufacturer,equipment_type,model,holder_id,holder_name,' +
		'since,due,overdue,slot_left';

	test('now: overdue first, then by holder name, since and tag', async () => {
		const r = ok(await srv.auditor('GET', '/api/v1/reports/custody'));
		assert.deepEqual(r.custody.map((a) => a.asset_tag), ORDER);
		assert.deepEqual(r.custody.map((a) => a.overdue), [true, true, true, false, false]);
		assert.deepEqual(r.custody.map((a) => a.holder.name),
			['Dana Ruiz, Jr.', 'Zoe Park', 'Zoe Park', 'Adam Cole', 'Adam Cole']);
		assert.equal(r.custody[1].since, at(10));
		assert.equal(r.count, 5);
		const ov = ok(await srv.auditor('GET', '/api/v1/reports/custody?overdue=1'));
		assert.deepEqual(ov.custody.map((a) => a.asset_tag), ORDER.slice(0, 3));
	});

	test('pages of 2 join up to the whole report; a bad cursor is 422', async () => {
		const { items, pages } = await walk(srv, '/api/v1/reports/custody', 'custody', 2);
		assert.deepEqual(items.map((a) => a.asset_tag), ORDER);
		assert.equal(pages, 3);
		const p1 = ok(await srv.auditor('GET', '/api/v1/reports/custody?limit=3'));
		assert.match(p1.next_after, /^o:\d+:AT-0006:/);
		for (const bad of ['AT-0001', 'o:x:AT-1:2030', 'a:AT-0001'])
			assertError(await srv.auditor('GET', `/api/v1/reports/custody?after=${encodeURIComponent(bad)}`),
				422, { code: 'INVALID' }, bad);
		assertError(await srv.auditor('GET', '/api/v1/reports/custody?limit=0'), 422, { code: 'INVALID' });
	});

	test('as of 4 days ago: from the log, in tag order, overdue as it stood then', async () => {
		const r = ok(await srv.auditor('GET', `/api/v1/reports/custody?as_of=${at(4)}`));
		// AT-0002 and AT-0007 were back, AT-0006 not yet out.
		assert.deepEqual(r.custody.map((a) => [a.asset_tag, a.overdue]), [['AT-0001', true],
			['AT-0003', false], ['AT-0004', false], ['AT-0005', true]]);
		assert.equal(r.as_of, at(4));
		const p = ok(await srv.auditor('GET', `/api/v1/reports/custody?as_of=${at(4)}&limit=2`));
		assert.equal(p.next_after, 'a:AT-0003');
		const rest = ok(await srv.auditor('GET',
			`/api/v1/reports/custody?as_of=${at(4)}&limit=5&after=a:AT-0003`));
		assert.deepEqual(rest.custody.map((a) => a.asset_tag), ['AT-0004', 'AT-0005']);
		assert.equal(rest.next_after, null);
	});

	test('CSV: the same rows, a file name, quotes where needed', async () => {
		const rows = await csv('/api/v1/reports/custody?format=csv', `custody-${TODAY}.csv`, HEAD);
		assert.deepEqual(rows.map((l) => l.split(',')[0]), ORDER);
		assert.equal(rows[0], `AT-0005,SN-AT-0005,Acme,Radio,,${dana.id},"Dana Ruiz, Jr.",` +
			`${at(10)},${ymd(NOW - 5 * DAY)},yes,PELI-01/5`);
		assert.equal(rows[4], `AT-0004,SN-AT-0004,Acme,Radio,,${adam.id},Adam Cole,${at(10)},,no,` +
			'PELI-01/4');
		const ov = await csv('/api/v1/reports/custody?format=csv&overdue=1',
			`custody-overdue-${TODAY}.csv`, HEAD);
		assert.deepEqual(ov, rows.slice(0, 3));
	});

	test('CSV as of a past date is named for it; a bad format is 422', async () => {
		const rows = await csv(`/api/v1/reports/custody?format=csv&as_of=${ymd(NOW - 8 * DAY)}`,
			`custody-as-of-${ymd(NOW - 8 * DAY)}.csv`, HEAD);
		assert.deepEqual(rows.map((l) => l.split(',')[0]),
			['AT-0001', 'AT-0003', 'AT-0004', 'AT-0005', 'AT-0007']);
		assertError(await srv.auditor('GET', '/api/v1/reports/custody?format=xml'), 422,
			{ code: 'INVALID' });
		assertError(await srv.auditor('GET', '/api/v1/reports/custody?format=csv&as_of=2026-02-30'),
			422, { code: 'INVALID' });
	});
});

describe('unslotted', () => {
	test('storage assets in no slot, with how they got there', async () => {
		const r = ok(await srv.operator('GET', '/api/v1/reports/unslotted'));
		assert.equal(r.count, 2);
		assert.equal(r.next_after, null);
		assert.deepEqual(r.unslotted.map((a) => [a.asset_tag, a.state, a.slot, a.unslotted.type,
			a.unslotted.how, a.unslotted.reason]), [
			['UN-0001', 'STORAGE', null, 'ASSET_CREATED', 'created without a slot', null],
			['UN-0002', 'STORAGE', null, 'FORCE_VACATE', 'force-vacated', 'foam torn'],
		]);
		const p = ok(await srv.auditor('GET', '/api/v1/reports/unslotted?limit=1'));
		assert.equal(p.next_after, 'UN-0001');
		const p2 = ok(await srv.auditor('GET', '/api/v1/reports/unslotted?after=UN-0001'));
		assert.deepEqual(p2.unslotted.map((a) => a.asset_tag), ['UN-0002']);
		assertError(await srv.auditor('GET', '/api/v1/reports/unslotted?after=a%2Fb'), 422,
			{ code: 'INVALID' });
	});

	test('CSV', async () => {
		const rows = await csv('/api/v1/reports/unslotted?format=csv', `unslotted-${TODAY}.csv`,
			'asset_tag,serial_number,manufacturer,equipment_type,model,building,room,condition,' +
			'unslotted_since,how,reason');
		assert.equal(rows.length, 2);
		assert.match(rows[1], /^UN-0002,SN-UN-0002,Acme,Radio,,HQ,101,GOOD,\S+Z,force-vacated,foam torn$/);
	});
});

describe('occupancy', () => {
	test('per case and in all', async () => {
		const r = ok(await srv.auditor('GET', '/api/v1/reports/occupancy'));
		// PELI-01: AT-0002, AT-0007 back, AT-0009; PELI-02: AT-0011 (the rest
		// out, retired or force-vacated).
		assert.deepEqual(r.cases.map((c) => [c.name, c.slot_count, c.occupied, c.empty, c.percent]), [
			['EMPTY-03', 2, 0, 2, 0], ['PELI-01', 10, 3, 7, 30], ['PELI-02', 4, 1, 3, 25]]);
		assert.deepEqual(r.totals, { cases: 3, slots: 16, occupied: 4, empty: 12, percent: 25 });
		assert.equal(r.cases[1].building, 'HQ');
		const { items } = await walk(srv, '/api/v1/reports/occupancy', 'cases', 1);
		assert.deepEqual(items.map((c) => c.name), ['EMPTY-03', 'PELI-01', 'PELI-02']);
	});

	test('CSV', async () => {
		const rows = await csv('/api/v1/reports/occupancy?format=csv', `occupancy-${TODAY}.csv`,
			'case,building,room,slots,occupied,empty,percent');
		assert.deepEqual(rows, ['EMPTY-03,,,2,0,2,0', 'PELI-01,HQ,101,10,3,7,30',
			'PELI-02,Annex,2,4,1,3,25']);
	});
});

describe("a holder's history", () => {
	test('everything Zoe ever held, newest first, by badge or id', async () => {
		const r = ok(await srv.auditor('GET', '/api/v1/reports/holders/B-1'));
		assert.equal(r.holder.id, zoe.id);
		assert.deepEqual(r.totals, { periods: 4, held: 2, late: 1, overdue: 2 });
		assert.deepEqual(r.history.map((h) => [h.asset_tag, h.held, h.late]), [
			['AT-0006', true, true], ['AT-0007', false, true], ['AT-0002', false, false],
			['AT-0001', true, true]]);
		const late = r.history[1];
		assert.equal(late.since, at(10));
		assert.equal(late.back_at, at(7));
		assert.equal(late.held_seconds, 3 * 86400);
		assert.deepEqual(late.from, { case: 'PELI-01', position: 7 });
		assert.deepEqual(late.to, { case: 'PELI-01', position: 7 });
		assert.equal(late.end_type, 'STOCK_IN');
		assert.equal(r.history[0].back_at, null);
		// The same by id (a custody going on has grown older meanwhile).
		const byId = ok(await srv.auditor('GET', `/api/v1/reports/holders/${zoe.id}`));
		const settled = (h) => h.map((x) => ({ ...x, held_seconds: x.held ? 0 : x.held_seconds }));
		assert.deepEqual(settled(byId.history), settled(r.history));
		const { items } = await walk(srv, `/api/v1/reports/holders/${zoe.id}`, 'history', 3);
		assert.deepEqual(items.map((h) => h.asset_tag), r.history.map((h) => h.asset_tag));
	});

	test('unknown holder 404; CSV named for the holder', async () => {
		assertError(await srv.auditor('GET', '/api/v1/reports/holders/9999'), 404,
			{ code: 'NOT_FOUND' });
		assertError(await srv.auditor('GET', '/api/v1/reports/holders/NOPE?format=csv'), 404,
			{ code: 'NOT_FOUND' });
		const rows = await csv(`/api/v1/reports/holders/${adam.id}?format=csv`,
			`holder-${adam.id}-history-${TODAY}.csv`,
			'asset_tag,equipment_type,model,since,due,from_slot,back_at,back_to,held_days,late,' +
			'start_event,end_event');
		assert.equal(rows.length, 2);
		assert.match(rows[0], new RegExp(`^AT-0004,Radio,,${at(10)},,PELI-01/4,,,\\d+\\.\\d\\d,no,\\d+,$`));
	});
});

describe('retired', () => {
	test('reasons with counts, and the list by reason', async () => {
		const r = ok(await srv.auditor('GET', '/api/v1/reports/retired'));
		assert.deepEqual(r.reasons, [{ reason: 'Broken screen', count: 2 },
			{ reason: "=cmd|' /C calc'!A0", count: 1 }]);
		assert.deepEqual(r.totals, { assets: 3, reasons: 2 });
		assert.deepEqual(r.retired.map((a) => [a.retirement.reason, a.asset_tag, a.state]), [
			["=cmd|' /C calc'!A0", 'AT-0012', 'RETIRED'], ['Broken screen', 'AT-0008', 'RETIRED'],
			['Broken screen', 'AT-0010', 'RETIRED']]);
		assert.match(r.retired[1].retirement.actor, /^cli:/);
		const one = ok(await srv.auditor('GET', '/api/v1/reports/retired?reason=Broken%20screen&limit=1'));
		assert.deepEqual(one.retired.map((a) => a.asset_tag), ['AT-0008']);
		assert.equal(one.reason, 'Broken screen');
		const two = ok(await srv.auditor('GET',
			`/api/v1/reports/retired?reason=Broken%20screen&after=${one.next_after}`));
		assert.deepEqual(two.retired.map((a) => a.asset_tag), ['AT-0010']);
		assert.equal(two.next_after, null);
	});

	test('CSV defends against formulas', async () => {
		const rows = await csv('/api/v1/reports/retired?format=csv', `retired-${TODAY}.csv`,
			'reason,asset_tag,serial_number,manufacturer,equipment_type,model,retired_at,' +
			'retired_by,event');
		assert.equal(rows.length, 3);
		assert.ok(rows[0].startsWith(`"'=cmd|' /C calc'!A0",AT-0012,`), rows[0]);
		assert.ok(rows[1].startsWith('Broken screen,AT-0008,'), rows[1]);
	});
});

describe('who may read', () => {
	const PATHS = ['/api/v1/reports/custody', '/api/v1/reports/unslotted',
		'/api/v1/reports/occupancy', '/api/v1/reports/holders/B-1', '/api/v1/reports/retired'];

	test('every role; nobody logged in is 401', async () => {
		for (const p of PATHS) {
			for (const who of ['admin', 'operator', 'auditor'])
				ok(await srv.as(who)('GET', p));
			assertError(await srv.req('GET', p), 401, { code: 'UNAUTHORIZED' });
			assertError(await srv.req('GET', `${p}?format=csv`), 401, { code: 'UNAUTHORIZED' });
		}
	});
});

/* The server's resident memory now, in KiB. */
function rssKiB() {
	const s = fs.readFileSync(`/proc/${srv.proc.pid}/status`, 'utf8');
	return Number(/VmRSS:\s+(\d+) kB/.exec(s)[1]);
}

/* GET `p` and read the answer as it comes, keeping nothing but its line
 * count, size and end, and the server's largest resident memory seen
 * while it was being sent. */
async function stream(p) {
	const res = await fetch(srv.base + p, { headers: { Authorization: `Bearer ${srv.tokens.auditor}` } });
	const dec = new TextDecoder();
	let lines = 0, bytes = 0, last = '', rss = rssKiB();
	for await (const chunk of res.body) {
		const s = dec.decode(chunk, { stream: true });
		bytes += chunk.length;
		for (let i = 0; i < s.length; i++)
			if (s.charCodeAt(i) === 10)
				lines++;
		last = (last + s).slice(-200);
		rss = Math.max(rss, rssKiB());
	}
	return { res, lines, bytes, last, rss };
}

/* `n` more assets in custody of Adam Cole, BULK-<from>.., by import. */
function importCustody(from, n) {
	const lines = ['asset_tag,serial_number,manufacturer,equipment_type,building,room,state,' +
		'holder_name,holder_badge'];
	for (let i = from; i < from + n; i++)
		lines.push(`BULK-${String(i).padStart(5, '0')},BS-${i},Acme,Radio,HQ,2,IN_CUSTODY,Adam Cole,B-2`);
	const file = path.join(srv.dir, `bulk-${from}.csv`);
	fs.writeFileSync(file, lines.join('\n') + '\n');
	cliOk(['import', 'assets', file]);
}

describe('30,000 rows and more', () => {
	test('the CSV and the whole JSON stream them all in constant memory; the JSON pages hold', async () => {
		const CSV = '/api/v1/reports/custody?format=csv', JSON_ALL = '/api/v1/reports/custody';
		importCustody(1, 30000);
		// Warm up: a download's own connection, opened and kept for the next.
		await stream('/api/v1/reports/custody?format=csv&overdue=1');
		let before = rssKiB();
		const t0 = Date.now();
		const c = await stream(CSV);
		const ms = Date.now() - t0, grew = c.rss - before;
		before = rssKiB();
		const j = await stream(JSON_ALL);
		const grewJson = j.rss - before;
		assert.equal(j.res.status, 200);
		assert.equal(j.res.headers.get('transfer-encoding'), 'chunked');
		assert.match(j.last, /"count":30005\}$/);
		assert.equal(c.res.status, 200);
		assert.equal(c.res.headers.get('transfer-encoding'), 'chunked');
		assert.equal(c.lines, 30000 + 5 + 1, 'header + every row');
		assert.match(c.last, /\nBULK-30000,BS-30000,Acme,Radio,,\d+,Adam Cole,\S+,,no,\n$/);
		// Twice the rows: the memory a download takes stays what it was (its
		// connection's page cache, capped, and one chunk of 500 rows).
		importCustody(30001, 30000);
		before = rssKiB();
		const c2 = await stream(CSV);
		const grew2 = c2.rss - before;
		assert.equal(c2.lines, 60000 + 5 + 1);
		assert.match(c2.last, /\nBULK-60000,BS-60000,/);
		// The whole report as JSON is streamed too (issue #9): 30,000 more
		// rows, some 13 MB more, take no more memory.
		before = rssKiB();
		const j2 = await stream(JSON_ALL);
		const grewJson2 = j2.rss - before;
		assert.equal(j2.res.status, 200);
		assert.match(j2.last, /"count":60005\}$/);
		console.log(`# CSV of ${c.lines} lines (${c.bytes} bytes) in ${ms} ms: resident memory ` +
			`+${grew} KiB at most; ${c2.lines} lines (${c2.bytes} bytes): +${grew2} KiB; ` +
			`the whole JSON (${j.bytes} bytes): +${grewJson} KiB; (${j2.bytes} bytes): ` +
			`+${grewJson2} KiB`);
		const extraJsonKiB = (j2.bytes - j.bytes) / 1024;
		assert.ok(extraJsonKiB > 8192, `the second JSON is only ${extraJsonKiB} KiB larger`);
		assert.ok(grewJson2 - grewJson < extraJsonKiB / 2, `30,000 more rows as JSON ` +
			`(${j2.bytes - j.bytes} bytes) took ${grewJson2 - grewJson} KiB more`);
		assert.ok(c2.bytes > 2 * c.bytes - 1000);
		// Buffered, 30,000 more rows would cost at least their bytes; the
		// allocator and page cache wander by a few hundred KiB under load,
		// so the bound is half the extra bytes, not a fixed margin.
		const extraKiB = (c2.bytes - c.bytes) / 1024;
		assert.ok(extraKiB > 2048, `the second CSV is only ${extraKiB} KiB larger`);
		assert.ok(grew2 - grew < extraKiB / 2, `30,000 more rows (${c2.bytes - c.bytes} bytes) ` +
			`took ${grew2 - grew} KiB more`);
		// Under ASan every allocation carries a redzone and freed memory
		// waits in quarantine: only the comparison above holds there.
		if (!process.env.AT_SANITIZED) {
			assert.ok(grew2 < 6144, `memory grew ${grew2} KiB while streaming ${c2.bytes} bytes`);
			assert.ok(grewJson2 < 6144, `memory grew ${grewJson2} KiB while streaming ` +
				`${j2.bytes} bytes of JSON`);
		}
		// The JSON a page at a time: 1,000 rows, then a cursor.
		const p = ok(await srv.auditor('GET', '/api/v1/reports/custody?limit=1000'));
		assert.equal(p.custody.length, 1000);
		assert.equal(typeof p.next_after, 'string');
	});
});
