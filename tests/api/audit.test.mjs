// Physical audits over HTTP (SPEC §5, §6, §7): POST /api/v1/audits for a
// case or a holder, saving one AUDIT_RECORDED event and nothing else; the
// saved audit read back; its corrections applied by an admin, all or
// nothing; the cases not audited lately; roles and refusals.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, HEX64, ISO_MS, ok, startServer, walk } from './lib.mjs';

let srv, dana;

/* PELI: A1..A5 in slots 1..5, slot 6 empty.  OTHER: B1 in slot 1.  U1 in
 * storage in no slot.  C1 with Dana (badge B-42). */
before(async () => {
	srv = await startServer();
	await srv.mkCase('PELI', 6);
	await srv.mkCase('OTHER', 3);
	for (let i = 1; i <= 5; i++)
		await srv.mkAsset(`A${i}`, ['PELI', i]);
	await srv.mkAsset('B1', ['OTHER', 1]);
	await srv.mkAsset('U1');
	await srv.mkAsset('C1', ['OTHER', 2]);
	dana = await srv.mkHolder('Dana Ruiz', 'B-42');
	ok(await srv.operator('POST', '/api/v1/custody/stock-out', { holder: 'B-42', asset_tags: ['C1'] }));
});
after(async () => {
	await srv?.stop();
});

const audit = (body, who = 'operator') => srv[who]('POST', '/api/v1/audits', body);

/* Every asset as [tag, state, slot, holder, updated_at]. */
async function assets() {
	const all = ok(await srv.auditor('GET', '/api/v1/assets?limit=1000')).assets;
	return all.map((a) => JSON.stringify([a.asset_tag, a.state, a.slot, a.holder, a.updated_at]));
}

describe('roles', () => {
	test('operator and admin audit; auditor 403 and reads; apply is admin only', async () => {
		assertError(await audit({ case: 'PELI', scans: [] }, 'auditor'), 403, { code: 'FORBIDDEN' });
		ok(await audit({ case: 'PELI', scans: [] }, 'operator'));
		ok(await audit({ case: 'PELI', scans: [] }, 'admin'));
		ok(await srv.auditor('GET', '/api/v1/audits'));
		assertError(await srv.operator('POST', '/api/v1/audits/1/apply', { corrections: [1] }), 403,
			{ code: 'FORBIDDEN' });
		assertError(await srv.req('POST', '/api/v1/audits', { body: { case: 'PELI', scans: [] } }), 401);
	});
});

describe('the answer', () => {
	test('every list, with slots and where the database has things', async () => {
		const r = ok(await audit({
			case: 'PELI',
			scans: ['PELI/1', 'a1', 'PELI/2', 'A3', 'PELI/6', 'B1', 'U1', 'C1', 'nope-9', 'A1',
				'OTHER/2', 'A4'],
		}));
		assert.equal(r.case, 'PELI');
		assert.equal(r.slot_count, 6);
		assert.equal(r.scans, 12);
		assert.deepEqual(r.counts,
			{ matched: 2, missing: 2, misplaced: 1, unexpected: 4, duplicates: 1, errors: 1 });
		assert.deepEqual(r.matched, [
			{ asset_tag: 'A1', scan: 2, scanned_slot: 1, slot: 1 },
			{ asset_tag: 'A4', scan: 12, scanned_slot: null, slot: 4 },
		]);
		assert.deepEqual(r.missing, [{ asset_tag: 'A2', slot: 2 }, { asset_tag: 'A5', slot: 5 }]);
		assert.deepEqual(r.misplaced, [{ asset_tag: 'A3', scan: 4, scanned_slot: 2, slot: 3 }]);
		assert.deepEqual(r.unexpected, [
			{ input: 'B1', asset_tag: 'B1', scan: 6, scanned_slot: 6, why: 'elsewhere',
				where: { case: 'OTHER', position: 1 }, holder: null },
			{ input: 'U1', asset_tag: 'U1', scan: 7, scanned_slot: 6, why: 'unslotted', where: null,
				holder: null },
			{ input: 'C1', asset_tag: 'C1', scan: 8, scanned_slot: 6, why: 'in_custody', where: null,
				holder: { id: dana.id, name: 'Dana Ruiz' } },
			{ input: 'nope-9', asset_tag: null, scan: 9, scanned_slot: 6, why: 'unknown', where: null,
				holder: null },
		]);
		assert.deepEqual(r.duplicates,
			[{ input: 'A1', asset_tag: 'A1', scan: 10, first_scan: 2, scanned_slot: 6 }]);
		assert.equal(r.errors.length, 1);
		assert.equal(r.errors[0].input, 'OTHER/2');
		assert.equal(r.errors[0].code, 'INVALID');
		assert.match(r.errors[0].message, /slot of case OTHER, not of PELI/);
		// Slot 6 had two scans of things from elsewhere: nothing suggested there.
		assert.deepEqual(r.corrections.map((c) => [c.kind, c.asset_tag]),
			[['move', 'A3'], ['vacate', 'A2'], ['vacate', 'A5']]);
		assert.deepEqual(r.corrections[0], { id: 1, kind: 'move', asset_tag: 'A3',
			from: { case: 'PELI', position: 3 }, to: { case: 'PELI', position: 2 } });
		assert.equal(r.saved, null);
	});

	test('a holder audit, by badge or id: matched, not_seen, not_theirs', async () => {
		const r = ok(await audit({ holder: 'B-42', scans: ['c1', 'A1'] }));
		assert.deepEqual(r.holder, { id: dana.id, name: 'Dana Ruiz' });
		assert.deepEqual(r.counts, { matched: 1, not_seen: 0, not_theirs: 1, duplicates: 0, errors: 0 });
		assert.equal(r.not_theirs[0].why, 'elsewhere');
		assert.equal('corrections' in r, false);
		const byId = ok(await audit({ holder: dana.id, scans: [] }));
		assert.deepEqual(byId.not_seen, [{ asset_tag: 'C1' }]);
		assertError(await audit({ holder: 'NO-SUCH', scans: [] }), 404, { code: 'NOT_FOUND' });
	});
});

describe('saving', () => {
	test('one AUDIT_RECORDED event and nothing else; read back the same', async () => {
		const before = await assets();
		const n0 = await srv.eventCount();
		const r = ok(await audit({ case: 'PELI', scans: ['PELI/1', 'A1', 'PELI/2', 'A2'], save: true }));
		assert.equal(await srv.eventCount(), n0 + 1);
		assert.deepEqual(await assets(), before);
		assert.equal(r.saved.seq, n0 + 1);
		assert.match(r.saved.at, ISO_MS);
		assert.equal(r.saved.actor, 'operator');
		const ev = (await srv.allEvents(`type=AUDIT_RECORDED`)).at(-1);
		assert.equal(ev.seq, r.saved.seq);
		assert.equal(ev.asset_tag, null);
		assert.equal(ev.batch_id, r.saved.batch_id);
		assert.equal(ev.details.case, 'PELI');
		assert.deepEqual(ev.details.counts, r.counts);
		assert.equal('saved' in ev.details, false);
		assert.match(ev.hash, HEX64);
		assert.deepEqual(ok(await srv.auditor('GET', `/api/v1/audits/${r.saved.seq}`)), r);
		assert.equal((await srv.verify()).ok, true);
		assertError(await srv.auditor('GET', '/api/v1/audits/1'), 404, { code: 'NOT_FOUND' });
		assertError(await srv.auditor('GET', '/api/v1/audits/x1'), 404, { code: 'NOT_FOUND' });
	});

	test('a holder audit saved carries the holder on its event', async () => {
		const r = ok(await audit({ holder: dana.id, scans: ['C1'], save: true }));
		const ev = (await srv.allEvents(`type=AUDIT_RECORDED`)).at(-1);
		assert.equal(ev.seq, r.saved.seq);
		assert.deepEqual(ev.holder, { id: dana.id, name: 'Dana Ruiz' });
	});
});

describe('refusals', () => {
	test('unknown case 404; bad bodies 422; too many scans 413; nothing saved', async () => {
		const n0 = await srv.eventCount();
		assertError(await audit({ case: 'NOPE', scans: ['A1'], save: true }), 404, { code: 'NOT_FOUND' });
		assertError(await audit({ scans: [] }), 422, { code: 'INVALID' });
		assertError(await audit({ case: 'PELI', holder: 1, scans: [] }), 422, { code: 'INVALID' });
		assertError(await audit({ case: 'PELI' }), 422, { code: 'INVALID', items: 1 });
		assertError(await audit({ case: 'PELI', scans: ['A1', 7] }), 422, { code: 'INVALID', items: 1 });
		assertError(await audit({ case: 'PELI', scans: [], save: 'yes' }), 422, { code: 'INVALID' });
		assertError(await audit({ case: 'PELI', scans: [], extra: 1 }), 422, { code: 'INVALID' });
		assertError(await audit({ case: '', scans: [] }), 422, { code: 'INVALID' });
		const many = Array.from({ length: 2001 }, () => 'A1');
		assertError(await audit({ case: 'PELI', scans: many, save: true }), 413, { code: 'TOO_LARGE' });
		// 2,000 is allowed: one matched, the rest repeats.
		const r = ok(await audit({ case: 'PELI', scans: many.slice(1) }));
		assert.equal(r.counts.duplicates, 1999);
		assert.equal(await srv.eventCount(), n0);
	});
});

describe('corrections', () => {
	test('an admin applies chosen ones in one batch; refusals change nothing', async () => {
		// A3 found in A2's slot (A2 missing), B1 in empty slot 6, U1 nowhere.
		const r = ok(await audit({
			case: 'PELI', save: true,
			scans: ['PELI/1', 'A1', 'PELI/2', 'A3', 'PELI/4', 'A4', 'PELI/5', 'A5', 'PELI/6', 'B1'],
		}));
		const id = (kind, tag) => r.corrections.find((c) => c.kind === kind && c.asset_tag === tag).id;
		const apply = (corrections, who = 'admin') =>
			srv[who]('POST', `/api/v1/audits/${r.saved.seq}/apply`, { corrections });
		const before = await assets();
		const n0 = await srv.eventCount();

		// A3's move without A2's vacate: slot 2 still holds A2.
		let e = assertError(await apply([id('move', 'B1'), id('move', 'A3')]), 409,
			{ code: 'SLOT_OCCUPIED', items: 1 });
		assert.equal(e.items[0].input, String(id('move', 'A3')));
		assert.match(e.items[0].message, /slot PELI\/2 holds A2/);
		assertError(await apply([99]), 409, { code: 'NOT_FOUND', items: 1 });
		assertError(await apply([1, 1]), 422, { code: 'DUPLICATE_IN_BATCH' });
		assertError(await apply([]), 422, { code: 'INVALID' });
		assertError(await apply(['1']), 422, { code: 'INVALID' });
		assertError(await srv.admin('POST', '/api/v1/audits/1/apply', { corrections: [1] }), 404,
			{ code: 'NOT_FOUND' });
		assert.deepEqual(await assets(), before);
		assert.equal(await srv.eventCount(), n0);

		const done = ok(await apply([id('move', 'A3'), id('move', 'B1'), id('vacate', 'A2')]));
		assert.equal(done.audit_seq, r.saved.seq);
		assert.equal(done.applied, 3);
		assert.equal(done.events, 3);
		assert.match(done.head, /^\d+:[0-9a-f]{64}$/);
		const evs = (await srv.allEvents()).filter((x) => x.batch_id === done.batch_id);
		assert.deepEqual(evs.map((x) => [x.type, x.asset_tag]),
			[['FORCE_VACATE', 'A2'], ['SLOT_MOVE', 'A3'], ['SLOT_MOVE', 'B1']]);
		assert.match(evs[0].reason, /^missing at audit \d{4}-\d{2}-\d{2}$/);
		for (const x of evs) {
			assert.equal(x.details.audit_seq, r.saved.seq);
			assert.equal(x.actor, 'admin');
		}
		assert.deepEqual((await srv.getAsset('A3')).slot, { case: 'PELI', position: 2 });
		assert.deepEqual((await srv.getAsset('B1')).slot, { case: 'PELI', position: 6 });
		assert.equal((await srv.getAsset('A2')).slot, null);
		assert.equal((await srv.verify()).ok, true);

		// Again: every asset has moved on since the audit.
		e = assertError(await apply([id('move', 'A3')]), 409, { code: 'CONFLICT', items: 1 });
		assert.match(e.items[0].message, /changed since the audit/);
	});
});

describe('last audits', () => {
	test('cases with their last audit; stale_days; keyset pages', async () => {
		const all = (await walk(srv, '/api/v1/audits', 'cases', 1)).items;
		assert.deepEqual(all.map((c) => c.case), ['OTHER', 'PELI']);
		assert.equal(all[0].last_audit, null);
		const last = all[1].last_audit;
		assert.equal(typeof last.seq, 'number');
		assert.match(last.at, ISO_MS);
		assert.equal(last.actor, 'operator');
		assert.deepEqual(Object.keys(last.counts),
			['matched', 'missing', 'misplaced', 'unexpected', 'duplicates', 'errors']);
		const stale = ok(await srv.auditor('GET', '/api/v1/audits?stale_days=30'));
		assert.deepEqual(stale.cases.map((c) => c.case), ['OTHER']);
		assertError(await srv.auditor('GET', '/api/v1/audits?stale_days=-1'), 422, { code: 'INVALID' });
		assertError(await srv.auditor('GET', '/api/v1/audits?limit=0'), 422, { code: 'INVALID' });
	});
});
