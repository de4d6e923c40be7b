// Cases (grow-only PATCH), slot corrections, holders, the event log
// (filters, keyset pagination, hash chain) and verification.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAssetShape, assertError, HEX64, ISO_MS, ok, show, startServer, walk } from './lib.mjs';

let srv;

before(async () => {
	srv = await startServer();
});
after(async () => {
	await srv?.stop();
});

describe('cases', () => {
	test('create: 201 with name, slot_count; CASE_CREATED', async () => {
		const before = await srv.eventCount();
		const c = ok(await srv.admin('POST', '/api/v1/cases',
			{ name: 'PELI-01', slots: 12, building: 'HQ', room: 'Store 2', notes: 'top shelf' }), 201);
		assert.equal(c.name, 'PELI-01');
		assert.equal(c.slot_count, 12);
		assert.equal(c.building, 'HQ');
		assert.equal(c.room, 'Store 2');
		const evs = (await srv.allEvents()).slice(before);
		assert.deepEqual(evs.map((e) => e.type), ['CASE_CREATED']);
		assert.equal(evs[0].actor, 'admin');
	});

	test('GET one case: slots 1..N with occupants (asset or null)', async () => {
		await srv.mkAsset('PL-1', ['PELI-01', 3]);
		const c = ok(await srv.auditor('GET', '/api/v1/cases/PELI-01'));
		assert.equal(c.slot_count, 12);
		assert.equal(c.slots.length, 12);
		c.slots.forEach((s, i) => assert.equal(s.position, i + 1));
		assert.equal(c.slots[2].asset.asset_tag, 'PL-1');
		assertAssetShape(c.slots[2].asset);
		assert.ok(c.slots.filter((s) => s.asset).length === 1);
		assertError(await srv.auditor('GET', '/api/v1/cases/NOPE'), 404);
		assertError(await srv.auditor('GET', '/api/v1/cases/peli-01'), 404); // names are exact
	});

	test('create refusals', async () => {
		const before = await srv.eventCount();
		assertError(await srv.admin('POST', '/api/v1/cases', { name: 'PELI-01', slots: 3 }), 409);
		assertError(await srv.admin('POST', '/api/v1/cases', { name: 'C0', slots: 0 }), 422);
		assertError(await srv.admin('POST', '/api/v1/cases', { name: 'C1001', slots: 1001 }), 422);
		assertError(await srv.admin('POST', '/api/v1/cases', { name: 'CNEG', slots: -5 }), 422);
		assertError(await srv.admin('POST', '/api/v1/cases', { name: 'CSTR', slots: '5' }), 422);
		assertError(await srv.admin('POST', '/api/v1/cases', { name: 'CREAL', slots: 2.5 }), 422);
		assertError(await srv.admin('POST', '/api/v1/cases', { name: 'A/B', slots: 3 }), 422);
		assertError(await srv.admin('POST', '/api/v1/cases', { name: '', slots: 3 }), 422);
		assertError(await srv.admin('POST', '/api/v1/cases', { name: 'x'.repeat(65), slots: 3 }), 422);
		assertError(await srv.admin('POST', '/api/v1/cases', { name: 'CTL\u0001', slots: 3 }), 422);
		assertError(await srv.admin('POST', '/api/v1/cases', { name: 'CROOM', slots: 3, room: 'a\u0007' }), 422);
		assertError(await srv.admin('POST', '/api/v1/cases', { name: 'CX', slots: 3, colour: 'red' }), 422);
		assertError(await srv.admin('POST', '/api/v1/cases', { slots: 3 }), 422);
		assertError(await srv.admin('POST', '/api/v1/cases', { name: 'CNOSLOTS' }), 422);
		assert.equal(await srv.eventCount(), before);
		// 1 and 1000 slots are fine
		ok(await srv.admin('POST', '/api/v1/cases', { name: 'TINY', slots: 1 }), 201);
		ok(await srv.admin('POST', '/api/v1/cases', { name: 'HUGE', slots: 1000 }), 201);
	});

	test('PATCH grows (CASE_RESIZED) and edits metadata; never shrinks', async () => {
		let before = await srv.eventCount();
		const g = ok(await srv.admin('PATCH', '/api/v1/cases/PELI-01', { slots: 15 }));
		assert.equal(g.slot_count, 15);
		assert.equal(g.slots.length, 15);
		assert.equal(g.slots[2].asset.asset_tag, 'PL-1');
		const evs = (await srv.allEvents()).slice(before);
		assert.deepEqual(evs.map((e) => e.type), ['CASE_RESIZED']);
		const m = ok(await srv.admin('PATCH', '/api/v1/cases/PELI-01', { room: 'Store 9', notes: null }));
		assert.equal(m.room, 'Store 9');
		assert.equal(m.notes, null);
		assert.equal(m.slot_count, 15);
		before = await srv.eventCount();
		assertError(await srv.admin('PATCH', '/api/v1/cases/PELI-01', { slots: 14 }), [409, 422]);
		assertError(await srv.admin('PATCH', '/api/v1/cases/PELI-01', { slots: 1 }), [409, 422]);
		assertError(await srv.admin('PATCH', '/api/v1/cases/PELI-01', { slots: 0 }), 422);
		assertError(await srv.admin('PATCH', '/api/v1/cases/PELI-01', { slots: 1001 }), 422);
		assertError(await srv.admin('PATCH', '/api/v1/cases/PELI-01', { slots: '20' }), 422);
		assertError(await srv.admin('PATCH', '/api/v1/cases/PELI-01', { name: 'RENAMED' }), 422);
		assertError(await srv.admin('PATCH', '/api/v1/cases/PELI-01', { building: 'B\u0001' }), 422);
		assertError(await srv.admin('PATCH', '/api/v1/cases/NOPE', { slots: 20 }), 404);
		assert.equal(await srv.eventCount(), before);
		assert.equal(ok(await srv.auditor('GET', '/api/v1/cases/PELI-01')).slot_count, 15);
		// the new slots are usable
		await srv.mkAsset('PL-15', ['PELI-01', 15]);
	});

	test('keyset pagination over cases', async () => {
		for (let i = 0; i < 11; i++)
			await srv.mkCase(`PAGE-${String(i).padStart(2, '0')}`, 2);
		const all = ok(await srv.auditor('GET', '/api/v1/cases?limit=1000')).cases.map((c) => c.name);
		assert.ok(all.length >= 14);
		for (const limit of [1, 4, 5]) {
			const { items } = await walk(srv, '/api/v1/cases', 'cases', limit);
			const names = items.map((c) => c.name);
			assert.equal(new Set(names).size, names.length, `duplicates at limit ${limit}`);
			assert.deepEqual(names, all, `gap at limit ${limit}`);
		}
		assertError(await srv.auditor('GET', '/api/v1/cases?limit=0'), 422);
	});
});

describe('slot corrections', () => {
	test('assign an unslotted asset: SLOT_ASSIGN', async () => {
		await srv.mkAsset('SL-1');
		const before = await srv.eventCount();
		const a = ok(await srv.admin('POST', '/api/v1/slots/assign', { asset_tag: 'sl1', case: 'PELI-01', position: 5 }));
		assert.equal(a.asset_tag, 'SL-1');
		assert.deepEqual(a.slot, { case: 'PELI-01', position: 5 });
		const evs = (await srv.allEvents()).slice(before);
		assert.equal(evs.length, 1);
		assert.equal(evs[0].type, 'SLOT_ASSIGN');
		assert.deepEqual(evs[0].to, { case: 'PELI-01', position: 5 });
	});

	test('assign refusals', async () => {
		await srv.mkAsset('SL-2');
		const before = await srv.eventCount();
		assertError(await srv.admin('POST', '/api/v1/slots/assign', { asset_tag: 'SL-2', case: 'PELI-01', position: 5 }), 409);
		assertError(await srv.admin('POST', '/api/v1/slots/assign', { asset_tag: 'SL-1', case: 'PELI-01', position: 6 }), 409);
		assertError(await srv.admin('POST', '/api/v1/slots/assign', { asset_tag: 'SL-2', case: 'PELI-01', position: '6' }), 422);
		assertError(await srv.admin('POST', '/api/v1/slots/assign', { asset_tag: 'SL-2', case: 'PELI-01' }), 422);
		assertError(await srv.admin('POST', '/api/v1/slots/assign', { asset_tag: 'SL-2', case: 'PELI-01', position: 6, why: 'x' }), 422);
		assert.equal(await srv.eventCount(), before);
		assert.equal((await srv.getAsset('SL-2')).slot, null);
	});

	test('assign/move naming an unknown asset, case or slot: 404, nothing changed', async () => {
		// Not a batch: "404 unknown" (SPEC §7), as for create, replace and
		// force-vacate naming an unknown case or slot.
		const before = await srv.eventCount();
		const cases = [
			['assign', { asset_tag: 'SL-2', case: 'PELI-01', position: 16 }, 'SLOT_NOT_FOUND'],
			['assign', { asset_tag: 'SL-2', case: 'NOPE', position: 1 }, 'NOT_FOUND'],
			['assign', { asset_tag: 'NOPE-1', case: 'PELI-01', position: 6 }, 'NOT_FOUND'],
			['move', { asset_tag: 'SL-1', case: 'PELI-01', position: 16 }, 'SLOT_NOT_FOUND'],
			['move', { asset_tag: 'SL-1', case: 'NOPE', position: 1 }, 'NOT_FOUND'],
			['move', { asset_tag: 'NOPE-1', case: 'PELI-01', position: 6 }, 'NOT_FOUND'],
		];
		const wrong = [];
		for (const [op, b, code] of cases) {
			const r = await srv.admin('POST', `/api/v1/slots/${op}`, b);
			assertError(r, [404, 409, 422], { code }, `${op} ${JSON.stringify(b)}`);
			if (r.status !== 404)
				wrong.push(`${op} ${JSON.stringify(b)} -> ${show(r)}`);
		}
		assert.equal(await srv.eventCount(), before);
		assert.deepEqual(wrong, [], 'unknown things must be 404');
	});

	test('move a slotted asset: SLOT_MOVE with from and to', async () => {
		const before = await srv.eventCount();
		const a = ok(await srv.admin('POST', '/api/v1/slots/move', { asset_tag: 'SL-1', case: 'TINY', position: 1 }));
		assert.deepEqual(a.slot, { case: 'TINY', position: 1 });
		const evs = (await srv.allEvents()).slice(before);
		assert.equal(evs.length, 1);
		assert.equal(evs[0].type, 'SLOT_MOVE');
		assert.deepEqual(evs[0].from, { case: 'PELI-01', position: 5 });
		assert.deepEqual(evs[0].to, { case: 'TINY', position: 1 });
		assert.equal(ok(await srv.auditor('GET', '/api/v1/cases/PELI-01')).slots[4].asset, null);
	});

	test('move refusals', async () => {
		const before = await srv.eventCount();
		assertError(await srv.admin('POST', '/api/v1/slots/move', { asset_tag: 'SL-1', case: 'TINY', position: 1 }), [409, 422]);
		assertError(await srv.admin('POST', '/api/v1/slots/move', { asset_tag: 'SL-1', case: 'PELI-01', position: 3 }), 409);
		assertError(await srv.admin('POST', '/api/v1/slots/move', { asset_tag: 'SL-2', case: 'PELI-01', position: 7 }), 409);
		assert.equal(await srv.eventCount(), before);
	});

	test('force vacate: asset stays in STORAGE unslotted; FORCE_VACATE with reason', async () => {
		const before = await srv.eventCount();
		const a = ok(await srv.admin('POST', '/api/v1/slots/force-vacate', { case: 'TINY', position: 1, reason: 'label unreadable' }));
		assert.equal(a.asset_tag, 'SL-1');
		assert.equal(a.state, 'STORAGE');
		assert.equal(a.slot, null);
		const evs = (await srv.allEvents()).slice(before);
		assert.equal(evs.length, 1);
		assert.equal(evs[0].type, 'FORCE_VACATE');
		assert.equal(evs[0].reason, 'label unreadable');
		assert.deepEqual(evs[0].from, { case: 'TINY', position: 1 });
	});

	test('force vacate refusals', async () => {
		const before = await srv.eventCount();
		assertError(await srv.admin('POST', '/api/v1/slots/force-vacate', { case: 'TINY', position: 1, reason: 'empty' }), 409);
		assertError(await srv.admin('POST', '/api/v1/slots/force-vacate', { case: 'PELI-01', position: 3 }), 422);
		assertError(await srv.admin('POST', '/api/v1/slots/force-vacate', { case: 'PELI-01', position: 3, reason: '' }), 422);
		assertError(await srv.admin('POST', '/api/v1/slots/force-vacate', { case: 'PELI-01', position: 3, reason: 'a\nb' }), 422);
		assertError(await srv.admin('POST', '/api/v1/slots/force-vacate', { case: 'NOPE', position: 3, reason: 'x' }), 404);
		assertError(await srv.admin('POST', '/api/v1/slots/force-vacate', { case: 'PELI-01', position: 99, reason: 'x' }), 404);
		assert.equal(await srv.eventCount(), before);
		assert.deepEqual((await srv.getAsset('PL-1')).slot, { case: 'PELI-01', position: 3 });
	});
});

describe('holders', () => {
	test('create: 201 {id, name, badge, email, active}; HOLDER_CREATED', async () => {
		const h = ok(await srv.admin('POST', '/api/v1/holders', { name: 'Ana Silva', badge: 'B-100', email: 'ana@example.org' }), 201);
		assert.equal(typeof h.id, 'number');
		assert.equal(h.name, 'Ana Silva');
		assert.equal(h.badge, 'B-100');
		assert.equal(h.email, 'ana@example.org');
		assert.equal(h.active, true);
		const n = ok(await srv.admin('POST', '/api/v1/holders', { name: 'No Badge' }), 201);
		assert.equal(n.badge, null);
		assert.equal(n.email, null);
		const g = ok(await srv.auditor('GET', `/api/v1/holders/${h.id}`));
		assert.equal(g.name, 'Ana Silva');
		assert.deepEqual(g.assets, []);
	});

	test('create refusals', async () => {
		const before = await srv.eventCount();
		assertError(await srv.admin('POST', '/api/v1/holders', { name: 'Dup', badge: 'B-100' }), 409);
		assertError(await srv.admin('POST', '/api/v1/holders', { name: '' }), 422);
		assertError(await srv.admin('POST', '/api/v1/holders', {}), 422);
		assertError(await srv.admin('POST', '/api/v1/holders', { name: 42 }), 422);
		assertError(await srv.admin('POST', '/api/v1/holders', { name: 'X', badge: 5 }), 422);
		assertError(await srv.admin('POST', '/api/v1/holders', { name: 'X', active: false }), 422);
		assertError(await srv.admin('POST', '/api/v1/holders', { name: 'X\u0008' }), 422);
		assertError(await srv.admin('POST', '/api/v1/holders', { name: 'X', email: 'x\u0001@y' }), 422);
		assertError(await srv.admin('POST', '/api/v1/holders', { name: 'X', badge: 'B\u0002X' }), 422);
		assertError(await srv.admin('POST', '/api/v1/holders', { name: 'x'.repeat(5000) }), 422);
		assert.equal(await srv.eventCount(), before);
	});

	test('GET unknown or malformed ids: 404', async () => {
		for (const id of ['999999', '0', '-1', 'abc', '1.5', '1e3', '%01'])
			assertError(await srv.auditor('GET', `/api/v1/holders/${id}`), [404, 422], {}, id);
		assertError(await srv.admin('PATCH', '/api/v1/holders/999999', { name: 'x' }), 404);
	});

	test('PATCH: name, badge, email; clear with null; HOLDER_UPDATED', async () => {
		const h = await srv.mkHolder('Bo Chen', 'B-200', 'bo@example.org');
		const before = await srv.eventCount();
		const u = ok(await srv.admin('PATCH', `/api/v1/holders/${h.id}`, { name: 'Bo Chen-Li', badge: 'B-201', email: null }));
		assert.equal(u.name, 'Bo Chen-Li');
		assert.equal(u.badge, 'B-201');
		assert.equal(u.email, null);
		const evs = (await srv.allEvents()).slice(before);
		assert.deepEqual(evs.map((e) => e.type), ['HOLDER_UPDATED']);
		assertError(await srv.admin('PATCH', `/api/v1/holders/${h.id}`, { badge: 'B-100' }), 409);
		assertError(await srv.admin('PATCH', `/api/v1/holders/${h.id}`, { active: 'no' }), 422);
		assertError(await srv.admin('PATCH', `/api/v1/holders/${h.id}`, { name: '' }), 422);
		assertError(await srv.admin('PATCH', `/api/v1/holders/${h.id}`, { name: null }), 422);
		assertError(await srv.admin('PATCH', `/api/v1/holders/${h.id}`, { id: 5 }), 422);
		assert.equal(await srv.eventCount(), before + 1);
	});

	test('keyset pagination over holders', async () => {
		for (let i = 0; i < 12; i++)
			await srv.mkHolder(`Pager ${i}`);
		const all = ok(await srv.auditor('GET', '/api/v1/holders?limit=1000')).holders.map((h) => h.id);
		assert.ok(all.length >= 15);
		for (const limit of [1, 5, 7]) {
			const { items } = await walk(srv, '/api/v1/holders', 'holders', limit);
			const ids = items.map((h) => h.id);
			assert.equal(new Set(ids).size, ids.length);
			assert.deepEqual(ids, all);
		}
		assertError(await srv.auditor('GET', '/api/v1/holders?after=abc'), 422);
	});
});

describe('events', () => {
	test('event shape and the hash chain', async () => {
		const evs = await srv.allEvents();
		assert.ok(evs.length > 20);
		evs.forEach((e, i) => {
			for (const k of ['seq', 'at', 'type', 'asset_tag', 'from', 'to', 'holder', 'actor', 'reason',
				'batch_id', 'details', 'prev_hash', 'hash'])
				assert.ok(k in e, `event ${e.seq} lacks ${k}`);
			assert.equal(e.seq, i + 1, 'seq 1, 2, 3 ... no gaps');
			assert.match(e.at, ISO_MS);
			assert.match(e.hash, HEX64);
			assert.match(e.prev_hash, HEX64);
			assert.equal(e.prev_hash, i === 0 ? '0'.repeat(64) : evs[i - 1].hash);
			if (i)
				assert.ok(e.at >= evs[i - 1].at, 'time goes forward');
		});
	});

	test('keyset pagination over events: no duplicates, no gaps', async () => {
		const all = await srv.allEvents();
		for (const limit of [1, 7, 50]) {
			const { items } = await walk(srv, '/api/v1/events', 'events', limit);
			assert.deepEqual(items.map((e) => e.seq), all.map((e) => e.seq), `limit ${limit}`);
		}
		const r = ok(await srv.auditor('GET', '/api/v1/events?after=3&limit=2'));
		assert.deepEqual(r.events.map((e) => e.seq), [4, 5]);
		assertError(await srv.auditor('GET', '/api/v1/events?after=x'), 422);
		assertError(await srv.auditor('GET', '/api/v1/events?limit=0'), 422);
	});

	test('filters: type, asset_tag (match key resolves), since', async () => {
		const cc = await walk(srv, '/api/v1/events?type=CASE_CREATED', 'events', 3);
		assert.ok(cc.items.length >= 14);
		assert.ok(cc.items.every((e) => e.type === 'CASE_CREATED'));
		const pl = await walk(srv, '/api/v1/events?asset_tag=pl1', 'events', 2);
		assert.ok(pl.items.length >= 2);
		assert.ok(pl.items.every((e) => e.asset_tag === 'PL-1'), JSON.stringify(pl.items.map((e) => e.asset_tag)));
		const all = await srv.allEvents();
		const mid = all[Math.floor(all.length / 2)];
		const since = await walk(srv, `/api/v1/events?since=${encodeURIComponent(mid.at)}`, 'events', 10);
		assert.ok(since.items.length > 0);
		assert.ok(since.items.every((e) => e.at >= mid.at));
		assert.equal(since.items.length, all.filter((e) => e.at >= mid.at).length);
		assert.deepEqual(ok(await srv.auditor('GET', '/api/v1/events?since=2999-01-01')).events, []);
		assertError(await srv.auditor('GET', '/api/v1/events?since=soon'), 422);
		assert.deepEqual(ok(await srv.auditor('GET', '/api/v1/events?type=NO_SUCH_TYPE')).events, []);
	});
});

describe('verify', () => {
	test('GET /verify: {"ok": true, "problems": [], "events": N}', async () => {
		const v = await srv.verify();
		assert.equal(v.ok, true, JSON.stringify(v.problems));
		assert.deepEqual(v.problems, []);
		assert.equal(v.events, await srv.eventCount());
		assert.equal(typeof v.events, 'number');
	});
});
