// Stock-Out, Stock-In, all-or-nothing batches, holders' custody, the
// custody report now and as of a past instant.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
	assertAssetShape, assertError, dayOffset, ISO_MS, ok, show, startServer,
} from './lib.mjs';

let srv, dana, eli, inactive;
const C = 'CUST-A';
const tags = Array.from({ length: 60 }, (_, i) => `CU-${String(i + 1).padStart(4, '0')}`);

before(async () => {
	srv = await startServer();
	await srv.mkCase(C, 120);
	await srv.mkCase('CUST-B', 10);
	for (let i = 0; i < tags.length; i++)
		await srv.mkAsset(tags[i], [C, i + 1]);
	dana = await srv.mkHolder('Dana Ruiz', 'B-0042', 'dana@example.org');
	eli = await srv.mkHolder('Eli Kim', '7');          // a badge that looks like an id
	inactive = await srv.mkHolder('Gone Person', 'B-GONE');
	ok(await srv.admin('PATCH', `/api/v1/holders/${inactive.id}`, { active: false }));
});
after(async () => {
	await srv?.stop();
});

const out = (body, who = 'operator') => srv[who]('POST', '/api/v1/custody/stock-out', body);
const inn = (items, who = 'operator') => srv[who]('POST', '/api/v1/custody/stock-in', { items });

/* Snapshot of every asset's state, holder and slot. */
async function snapshot() {
	const all = ok(await srv.auditor('GET', '/api/v1/assets?limit=1000')).assets;
	return all.map((a) => JSON.stringify([a.asset_tag, a.state, a.holder, a.slot, a.due, a.updated_at]));
}

describe('Stock-Out', () => {
	test('holder as a number (id): assets IN_CUSTODY, slots vacated, one STOCK_OUT each', async () => {
		const before = await srv.eventCount();
		const due = dayOffset(7);
		const r = ok(await out({ holder: dana.id, asset_tags: ['cu0001', 'CU-0002', 'Cu-0003'], due }));
		assert.match(r.batch_id, /^[0-9a-f-]{36}$/);
		assert.deepEqual(r.assets.map((a) => a.asset_tag), ['CU-0001', 'CU-0002', 'CU-0003']);
		for (const a of r.assets) {
			assertAssetShape(a);
			assert.equal(a.state, 'IN_CUSTODY');
			assert.deepEqual(a.holder, { id: dana.id, name: 'Dana Ruiz' });
			assert.equal(a.slot, null);
			assert.equal(a.due, due);
		}
		const evs = (await srv.allEvents()).slice(before);
		assert.equal(evs.length, 3);
		evs.forEach((e, i) => {
			assert.equal(e.type, 'STOCK_OUT');
			assert.equal(e.asset_tag, `CU-000${i + 1}`);
			assert.deepEqual(e.from, { case: C, position: i + 1 });
			assert.equal(e.to, null);
			assert.equal(e.holder.id, dana.id);
			assert.equal(e.batch_id, r.batch_id);
			assert.equal(e.actor, 'operator');
			assert.match(e.at, ISO_MS);
			assert.ok(JSON.stringify(e.details).includes(due), `due not in details: ${JSON.stringify(e.details)}`);
		});
		const cs = ok(await srv.auditor('GET', `/api/v1/cases/${C}`));
		assert.equal(cs.slots[0].asset, null);
		assert.equal(cs.slots[3].asset.asset_tag, 'CU-0004');
		const h = ok(await srv.auditor('GET', `/api/v1/holders/${dana.id}`));
		assert.deepEqual(h.assets.map((a) => a.asset_tag).sort(), ['CU-0001', 'CU-0002', 'CU-0003']);
	});

	test('holder as a string is a badge (scanned, cleaned)', async () => {
		const r = ok(await out({ holder: ' B-0042\r', asset_tags: ['CU-0004'] }));
		assert.equal(r.assets[0].holder.id, dana.id);
		assert.equal(r.assets[0].due, null);
		// "7" is Eli's badge, not holder #7
		const r2 = ok(await out({ holder: '7', asset_tags: ['CU-0005'] }));
		assert.equal(r2.assets[0].holder.id, eli.id);
	});

	test('a due date of today is accepted', async () => {
		const r = ok(await out({ holder: eli.id, asset_tags: ['CU-0006'], due: dayOffset(0) }));
		assert.equal(r.assets[0].due, dayOffset(0));
	});

	test('50 tags with 3 bad ones: 409/422 with 3 items, nothing changed', async () => {
		const beforeEvents = await srv.eventCount();
		const beforeSnap = await snapshot();
		const batch = tags.slice(10, 57);           // 47 good ones in storage
		batch.splice(5, 0, 'NO-SUCH-1');            // unknown
		batch.splice(20, 0, 'CU-0001');             // already issued
		batch.splice(30, 0, 'NO-SUCH-2');           // unknown
		assert.equal(batch.length, 50);
		assert.equal(new Set(batch).size, 50);
		const r = await out({ holder: dana.id, asset_tags: batch });
		const e = assertError(r, [409, 422], { items: 3 });
		const inputs = e.items.map((i) => i.input).sort();
		assert.deepEqual(inputs, ['CU-0001', 'NO-SUCH-1', 'NO-SUCH-2']);
		const byInput = Object.fromEntries(e.items.map((i) => [i.input, i.code]));
		assert.equal(byInput['NO-SUCH-1'], 'NOT_FOUND');
		assert.equal(byInput['CU-0001'], 'NOT_IN_STORAGE');
		assert.equal(r.status, 409, 'a conflict with current state in the batch makes it 409');
		assert.equal(await srv.eventCount(), beforeEvents, 'a refused batch wrote events');
		assert.deepEqual(await snapshot(), beforeSnap, 'a refused batch changed assets');
	});

	test('every failing input is reported with its own reason', async () => {
		await srv.mkAsset('CU-LOOSE');                 // unslotted
		const before = await srv.eventCount();
		const r = await out({
			holder: dana.id,
			asset_tags: ['CU-0020', 'CU-LOOSE', 'CU-0002', 'NOPE', 'CU-0021', 'cu0020', 'AT%1'],
		});
		const e = assertError(r, [409, 422], { items: 5 });
		const codes = e.items.map((i) => i.code);
		assert.ok(codes.includes('NOT_SLOTTED'), JSON.stringify(e));
		assert.ok(codes.includes('NOT_IN_STORAGE'), JSON.stringify(e));
		assert.ok(codes.includes('NOT_FOUND'), JSON.stringify(e));
		assert.ok(codes.includes('DUPLICATE_IN_BATCH'), JSON.stringify(e));
		assert.equal(await srv.eventCount(), before);
		assert.equal((await srv.getAsset('CU-0020')).state, 'STORAGE');
	});

	test('the same asset twice (by match key) only: 422 DUPLICATE_IN_BATCH', async () => {
		const before = await srv.eventCount();
		const e = assertError(await out({ holder: dana.id, asset_tags: ['CU-0030', 'cu0030'] }), 422, { items: 1 });
		assert.equal(e.items[0].code, 'DUPLICATE_IN_BATCH');
		assert.equal(await srv.eventCount(), before);
	});

	test('holder refusals: unknown id/badge, inactive, wrong type', async () => {
		const before = await srv.eventCount();
		assertError(await out({ holder: 99999, asset_tags: ['CU-0030'] }), [409, 422]);
		assertError(await out({ holder: 'NO-BADGE', asset_tags: ['CU-0030'] }), [409, 422]);
		// a numeric string is a badge, never an id
		assertError(await out({ holder: String(dana.id), asset_tags: ['CU-0030'] }), [409, 422]);
		const e = assertError(await out({ holder: inactive.id, asset_tags: ['CU-0030'] }), 409);
		assert.ok(e.items.some((i) => i.code === 'HOLDER_INACTIVE') || e.code === 'HOLDER_INACTIVE', JSON.stringify(e));
		assertError(await out({ holder: 'B-GONE', asset_tags: ['CU-0030'] }), 409);
		assertError(await out({ holder: 1.5, asset_tags: ['CU-0030'] }), 422);
		assertError(await out({ holder: true, asset_tags: ['CU-0030'] }), 422);
		assertError(await out({ holder: null, asset_tags: ['CU-0030'] }), 422);
		assertError(await out({ holder: { id: dana.id }, asset_tags: ['CU-0030'] }), 422);
		assertError(await out({ asset_tags: ['CU-0030'] }), 422);
		assertError(await out({ holder: 'B\u00070042', asset_tags: ['CU-0030'] }), 422);
		// unknown holder and a bad tag: both reported
		const both = assertError(await out({ holder: 99999, asset_tags: ['CU-0030', 'NOPE'] }), [409, 422]);
		assert.equal(both.items.length, 2, JSON.stringify(both));
		assert.equal(await srv.eventCount(), before);
		assert.equal((await srv.getAsset('CU-0030')).state, 'STORAGE');
	});

	test('body refusals: tags not an array / not text / empty, due invalid or past, unknown field', async () => {
		const before = await srv.eventCount();
		assertError(await out({ holder: dana.id, asset_tags: 'CU-0030' }), 422);
		assertError(await out({ holder: dana.id, asset_tags: [30] }), 422);
		assertError(await out({ holder: dana.id, asset_tags: ['CU-0030', null] }), 422);
		assertError(await out({ holder: dana.id, asset_tags: [] }), 422);
		assertError(await out({ holder: dana.id, asset_tags: ['CU-0030'], due: dayOffset(-1) }), 422);
		assertError(await out({ holder: dana.id, asset_tags: ['CU-0030'], due: '2030-02-30' }), 422);
		assertError(await out({ holder: dana.id, asset_tags: ['CU-0030'], due: '31/12/2030' }), 422);
		assertError(await out({ holder: dana.id, asset_tags: ['CU-0030'], due: 20301231 }), 422);
		assertError(await out({ holder: dana.id, asset_tags: ['CU-0030'], note: 'x' }), 422);
		assertError(await out({ holder: dana.id, asset_tags: ['CU-0030'], batch_id: 'x' }), 422);
		assertError(await out({ holder: dana.id, asset_tags: ['CU-\u00070030'] }), 422);
		assertError(await srv.operator('POST', '/api/v1/custody/stock-out', undefined,
			{ raw: `{"holder":${dana.id},"holder":${eli.id},"asset_tags":["CU-0030"]}` }), 400);
		assert.equal(await srv.eventCount(), before);
	});

	test('a batch over 1000 items: 413; exactly 1000 is not refused for its size', async () => {
		const before = await srv.eventCount();
		const big = Array.from({ length: 1001 }, (_, i) => `X-${i}`);
		assertError(await out({ holder: dana.id, asset_tags: big }), 413);
		const r1000 = await out({ holder: dana.id, asset_tags: big.slice(0, 1000) });
		// 1000 unknown tags: refused for what they are, with one item each
		assertError(r1000, [409, 422], { items: 1000 });
		const items = big.map((t) => ({ asset_tag: t }));
		assertError(await inn(items), 413);
		assert.equal(await srv.eventCount(), before);
	});
});

describe('Stock-In', () => {
	test('default destination is the slot it left at Stock-Out', async () => {
		const before = await srv.eventCount();
		const r = ok(await inn([{ asset_tag: 'cu-0002' }, { asset_tag: 'CU0003' }]));
		assert.match(r.batch_id, /^[0-9a-f-]{36}$/);
		assert.deepEqual(r.assets.map((a) => a.asset_tag), ['CU-0002', 'CU-0003']);
		assert.deepEqual(r.assets[0].slot, { case: C, position: 2 });
		assert.deepEqual(r.assets[1].slot, { case: C, position: 3 });
		for (const a of r.assets) {
			assertAssetShape(a);
			assert.equal(a.state, 'STORAGE');
			assert.equal(a.holder, null);
			assert.equal(a.due, null);
		}
		const evs = (await srv.allEvents()).slice(before);
		assert.equal(evs.length, 2);
		for (const e of evs) {
			assert.equal(e.type, 'STOCK_IN');
			assert.equal(e.holder.id, dana.id, 'STOCK_IN records the returning holder');
			assert.equal(e.batch_id, r.batch_id);
			assert.equal(e.from, null);
		}
		assert.deepEqual(evs[0].to, { case: C, position: 2 });
	});

	test('explicit case and position', async () => {
		const r = ok(await inn([{ asset_tag: 'CU-0004', case: 'CUST-B', position: 4 }]));
		assert.deepEqual(r.assets[0].slot, { case: 'CUST-B', position: 4 });
		// explicit nulls mean "default"
		const r2 = ok(await inn([{ asset_tag: 'CU-0005', case: null, position: null }]));
		assert.deepEqual(r2.assets[0].slot, { case: C, position: 5 });
	});

	test('default slot taken meanwhile: refused until a destination is given', async () => {
		ok(await out({ holder: dana.id, asset_tags: ['CU-0010'] }));
		await srv.mkAsset('CU-SQUAT');
		ok(await srv.admin('POST', '/api/v1/slots/assign', { asset_tag: 'CU-SQUAT', case: C, position: 10 }));
		const before = await srv.eventCount();
		const e = assertError(await inn([{ asset_tag: 'CU-0010' }]), 409, { items: 1 });
		assert.equal(e.items[0].code, 'SLOT_OCCUPIED');
		assert.equal(await srv.eventCount(), before);
		const r = ok(await inn([{ asset_tag: 'CU-0010', case: C, position: 100 }]));
		assert.deepEqual(r.assets[0].slot, { case: C, position: 100 });
	});

	test('refusals are all-or-nothing with one item per failing input', async () => {
		ok(await out({ holder: eli.id, asset_tags: ['CU-0011', 'CU-0012', 'CU-0013'] }));
		const before = await srv.eventCount();
		const snap = await snapshot();
		const r = await inn([
			{ asset_tag: 'CU-0011' },                                // fine
			{ asset_tag: 'CU-0020' },                                // in storage
			{ asset_tag: 'CU-0012', case: C, position: 20 },         // occupied by CU-0020
			{ asset_tag: 'NOPE' },                                   // unknown
			{ asset_tag: 'CU-0013', case: C, position: 11 },         // CU-0011's destination too
		]);
		const e = assertError(r, 409, { items: 4 });
		const codes = e.items.map((i) => i.code).sort();
		assert.deepEqual(codes, ['DUPLICATE_IN_BATCH', 'NOT_FOUND', 'NOT_IN_CUSTODY', 'SLOT_OCCUPIED'].sort());
		assert.equal(await srv.eventCount(), before);
		assert.deepEqual(await snapshot(), snap);
		assert.equal((await srv.getAsset('CU-0011')).state, 'IN_CUSTODY');
	});

	test('item shape refusals: 422', async () => {
		const before = await srv.eventCount();
		assertError(await inn([{ asset_tag: 'CU-0011', case: C }]), 422);
		assertError(await inn([{ asset_tag: 'CU-0011', position: 30 }]), 422);
		assertError(await inn([{ asset_tag: 'CU-0011', shelf: 1 }]), 422);
		assertError(await inn([{ asset_tag: 11 }]), 422);
		assertError(await inn(['CU-0011']), 422);
		assertError(await inn([{}]), 422);
		assertError(await inn([]), 422);
		assertError(await inn([{ asset_tag: 'CU-0011', case: C, position: '30' }]), 422);
		assertError(await inn([{ asset_tag: 'CU-0011', case: C, position: 0 }]), [409, 422]);
		assertError(await inn([{ asset_tag: 'CU-0011', case: C, position: 121 }]), [409, 422]);
		assertError(await inn([{ asset_tag: 'CU-0011', case: 'NO-CASE', position: 1 }]), [409, 422]);
		assertError(await inn([{ asset_tag: 'CU-0011', case: 'C\u0001', position: 1 }]), 422);
		assertError(await srv.operator('POST', '/api/v1/custody/stock-in', { items: { asset_tag: 'CU-0011' } }), 422);
		assertError(await srv.operator('POST', '/api/v1/custody/stock-in', { items: [], extra: 1 }), 422);
		const three = assertError(await inn([{ asset_tag: 1 }, { asset_tag: 'CU-0011', x: 1 }, 'y']), 422);
		assert.equal(three.items.length, 3, JSON.stringify(three));
		assert.equal(await srv.eventCount(), before);
	});
});

describe('holders and custody', () => {
	test('a holder still holding cannot be deactivated (409); after returning, can', async () => {
		const h = await srv.mkHolder('Temp Worker', 'B-TEMP');
		ok(await out({ holder: 'B-TEMP', asset_tags: ['CU-0040'] }));
		const before = await srv.eventCount();
		assertError(await srv.admin('PATCH', `/api/v1/holders/${h.id}`, { active: false }), 409);
		assert.equal(await srv.eventCount(), before);
		assert.equal(ok(await srv.auditor('GET', `/api/v1/holders/${h.id}`)).active, true);
		ok(await inn([{ asset_tag: 'CU-0040' }]));
		const d = ok(await srv.admin('PATCH', `/api/v1/holders/${h.id}`, { active: false }));
		assert.equal(d.active, false);
		assertError(await out({ holder: h.id, asset_tags: ['CU-0040'] }), 409);
		// reactivate
		assert.equal(ok(await srv.admin('PATCH', `/api/v1/holders/${h.id}`, { active: true })).active, true);
		ok(await out({ holder: h.id, asset_tags: ['CU-0040'] }));
		ok(await inn([{ asset_tag: 'CU-0040' }]));
	});
});

describe('custody report', () => {
	test('now: who holds what, since when, due when', async () => {
		const r = ok(await srv.auditor('GET', '/api/v1/reports/custody'));
		assert.ok(Array.isArray(r.custody), JSON.stringify(r).slice(0, 200));
		const tagsNow = r.custody.map((a) => a.asset_tag);
		const expected = ok(await srv.auditor('GET', '/api/v1/assets?state=IN_CUSTODY&limit=1000'))
			.assets.map((a) => a.asset_tag);
		assert.deepEqual(tagsNow, expected);
		const row = r.custody.find((a) => a.asset_tag === 'CU-0001');
		assert.equal(row.holder.id, dana.id);
		assert.equal(row.due, dayOffset(7));
		assert.match(row.since, ISO_MS);
		assert.equal(row.overdue, false);
		const ov = ok(await srv.auditor('GET', '/api/v1/reports/custody?overdue=1'));
		assert.deepEqual(ov.custody, []);
	});

	test('as_of a past instant answers from the log: before a Stock-Out not listed, after listed', async () => {
		await srv.mkAsset('CU-ASOF', [C, 110]);
		const pre = await srv.allEvents();
		const tBefore = pre[pre.length - 1].at;
		await new Promise((r) => setTimeout(r, 15));
		const r = ok(await out({ holder: eli.id, asset_tags: ['CU-ASOF'] }));
		const ev = (await srv.allEvents()).find((e) => e.type === 'STOCK_OUT' && e.asset_tag === 'CU-ASOF');
		assert.equal(ev.batch_id, r.batch_id);
		const justBefore = new Date(Date.parse(ev.at) - 1).toISOString();
		await new Promise((res) => setTimeout(res, 15));
		ok(await inn([{ asset_tag: 'CU-ASOF' }]));

		const at = async (t) => ok(await srv.auditor('GET', `/api/v1/reports/custody?as_of=${encodeURIComponent(t)}`))
			.custody.map((a) => a.asset_tag);
		assert.ok(!(await at(tBefore)).includes('CU-ASOF'), 'listed before its Stock-Out');
		assert.ok(!(await at(justBefore)).includes('CU-ASOF'), 'listed 1 ms before its Stock-Out');
		const whenOut = await at(ev.at);
		assert.ok(whenOut.includes('CU-ASOF'), `not listed as of its Stock-Out ${ev.at}: ${whenOut}`);
		const row = ok(await srv.auditor('GET', `/api/v1/reports/custody?as_of=${encodeURIComponent(ev.at)}`))
			.custody.find((a) => a.asset_tag === 'CU-ASOF');
		assert.equal(row.holder.id, eli.id);
		// now it is back in storage
		const now = ok(await srv.auditor('GET', '/api/v1/reports/custody')).custody.map((a) => a.asset_tag);
		assert.ok(!now.includes('CU-ASOF'));
		// as of a date long ago: nothing; as of far future: same as now
		assert.deepEqual(await at('2000-01-01'), []);
		assert.deepEqual(await at('2999-12-31T23:59:59Z'), now);
	});

	test('as_of refusals: 422', async () => {
		for (const t of ['yesterday', '2026-13-01', '2026-02-30', '12:00', '2026-01-01T25:00:00Z'])
			assertError(await srv.auditor('GET', `/api/v1/reports/custody?as_of=${encodeURIComponent(t)}`), 422, {}, t);
	});
});

describe('at the end', () => {
	test('verify is ok', async () => {
		const v = await srv.verify();
		assert.equal(v.ok, true, JSON.stringify(v.problems));
		assert.equal(v.events, await srv.eventCount());
	});
});
