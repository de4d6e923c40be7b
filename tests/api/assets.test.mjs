// Assets: create, lookup (canonical tags, scanner bytes), update, retire,
// replace, history, list + q search + keyset pagination, body refusals, import.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
	assertAssetShape, assertError, ISO_MS, ok, show, startServer, walk,
} from './lib.mjs';

let srv;
const CASE = 'PELI-07';

before(async () => {
	srv = await startServer();
	await srv.mkCase(CASE, 60);
	await srv.mkCase('SPARE', 20);
});
after(async () => {
	await srv?.stop();
});

const body = (tag, extra = {}) => ({
	asset_tag: tag,
	serial_number: `SER-${tag}`,
	manufacturer: 'Acme',
	equipment_type: 'Radio',
	building: 'HQ',
	room: '101',
	...extra,
});

describe('create and look up', () => {
	test('create with a slot: 201, full asset shape, ASSET_CREATED + SLOT_ASSIGN', async () => {
		const before = await srv.eventCount();
		const a = ok(await srv.admin('POST', '/api/v1/assets', body('AT-0001', {
			model: 'XR-5', model_code: 'X5', notes: 'first\nsecond line', slot: { case: CASE, position: 1 },
		})), 201);
		assertAssetShape(a);
		assert.equal(a.asset_tag, 'AT-0001');
		assert.equal(a.serial_number, 'SER-AT-0001');
		assert.equal(a.state, 'STORAGE');
		assert.equal(a.condition, 'GOOD');
		assert.deepEqual(a.slot, { case: CASE, position: 1 });
		assert.equal(a.holder, null);
		assert.equal(a.due, null);
		assert.equal(a.model, 'XR-5');
		assert.equal(a.notes, 'first\nsecond line');
		assert.match(a.created_at, ISO_MS);
		assert.match(a.updated_at, ISO_MS);
		const evs = (await srv.allEvents()).slice(before);
		assert.deepEqual(evs.map((e) => e.type).sort(), ['ASSET_CREATED', 'SLOT_ASSIGN']);
		for (const e of evs) {
			assert.equal(e.asset_tag, 'AT-0001');
			assert.equal(e.actor, 'admin');
		}
		assert.equal(evs[0].batch_id, evs[1].batch_id);
		const sa = evs.find((e) => e.type === 'SLOT_ASSIGN');
		assert.deepEqual(sa.to, { case: CASE, position: 1 });
	});

	test('create without a slot: unslotted STORAGE; optional fields null', async () => {
		const a = ok(await srv.admin('POST', '/api/v1/assets', body('AT-0002')), 201);
		assert.equal(a.state, 'STORAGE');
		assert.equal(a.slot, null);
		assert.equal(a.model, null);
		assert.equal(a.model_code, null);
		assert.equal(a.notes, null);
	});

	test('lookup is exact tag first, else match key; answers carry the canonical tag', async () => {
		for (const input of ['AT-0001', 'at0001', 'AT0001', 'at-0001', 'At-00-01']) {
			const a = ok(await srv.auditor('GET', `/api/v1/assets/${input}`));
			assert.equal(a.asset_tag, 'AT-0001', `lookup of ${input}`);
			assertAssetShape(a);
		}
		assertError(await srv.auditor('GET', '/api/v1/assets/AT-001'), 404);   // no padding
		assertError(await srv.auditor('GET', '/api/v1/assets/AT-00'), 404);    // no prefix
		assertError(await srv.auditor('GET', '/api/v1/assets/AT-00011'), 404);
	});

	test('scanner cleaning in lookups: surrounding whitespace/controls stripped', async () => {
		for (const p of ['AT-0001%0D', 'AT-0001%0D%0A', '%20AT-0001%09', '%02at0001%03']) {
			const a = ok(await srv.auditor('GET', `/api/v1/assets/${p}`));
			assert.equal(a.asset_tag, 'AT-0001', p);
		}
	});

	test('odd scanner bytes in a lookup path give a clear 4xx, never 500', async () => {
		for (const p of ['%01', '%00', 'AT%01-0001', 'AT-0001%FF', '%FF%FE', 'AT%1B-0001',
			'%7F', '%C3%A9', '%E2%80%8B', '%25', '%2F', 'a%2Fb', '%0D%0A']) {
			const r = await srv.auditor('GET', `/api/v1/assets/${p}`);
			assert.ok(r.status >= 400 && r.status < 500, `${p}: ${show(r)}`);
			assertError(r, [400, 404, 422]);
		}
		// a control byte inside a tag is a refusal (422), not "not found"
		assertError(await srv.auditor('GET', '/api/v1/assets/AT%01-0001'), 422);
		assertError(await srv.auditor('GET', '/api/v1/assets/AT-0001%FF'), 422);
		// a scan that is nothing but a control byte is refused, not a 500
		assertError(await srv.auditor('GET', '/api/v1/assets/%01'), [404, 422]);
	});

	test('a NUL inside a scanned tag is refused, not truncated to another tag', async () => {
		// "AT-0001\0junk" is not the tag AT-0001: cleaning only strips the ends
		// (SPEC §4), and an interior NUL is non-printable, so it is refused.
		const r = await srv.auditor('GET', '/api/v1/assets/AT-0001%00junk');
		assertError(r, [400, 404, 422]);
	});

	test('the server still answers after the odd bytes', async () => {
		ok(await srv.auditor('GET', '/api/v1/assets/AT-0001'));
	});
});

describe('create refusals', () => {
	test('uniqueness: same tag, same match key, same serial (trimmed, any case): 409', async () => {
		const before = await srv.eventCount();
		assertError(await srv.admin('POST', '/api/v1/assets', body('AT-0001', { serial_number: 'U1' })), 409);
		assertError(await srv.admin('POST', '/api/v1/assets', body('at0001', { serial_number: 'U2' })), 409);
		assertError(await srv.admin('POST', '/api/v1/assets', body('AT00-01', { serial_number: 'U3' })), 409);
		assertError(await srv.admin('POST', '/api/v1/assets', body('AT-9001', { serial_number: 'ser-at-0001' })), 409);
		assertError(await srv.admin('POST', '/api/v1/assets', body('AT-9002', { serial_number: '  SER-AT-0001 ' })), 409);
		assert.equal(await srv.eventCount(), before);
		assertError(await srv.auditor('GET', '/api/v1/assets/AT-9001'), 404);
	});

	test('missing required fields: 422 with one item per field', async () => {
		const r = await srv.admin('POST', '/api/v1/assets', { asset_tag: 'AT-M1' });
		const e = assertError(r, 422);
		const names = e.items.map((i) => i.input).sort();
		assert.deepEqual(names, ['building', 'equipment_type', 'manufacturer', 'room', 'serial_number']);
		assertError(await srv.admin('POST', '/api/v1/assets', {}), 422, { items: 6 });
	});

	test('unknown fields: 422 naming the field', async () => {
		const e = assertError(await srv.admin('POST', '/api/v1/assets', body('AT-U1', { colour: 'red' })), 422);
		assert.ok(e.items.some((i) => i.input.includes('colour')), JSON.stringify(e));
		assertError(await srv.admin('POST', '/api/v1/assets', body('AT-U2', { state: 'IN_CUSTODY' })), 422);
		assertError(await srv.admin('POST', '/api/v1/assets', body('AT-U3', { holder: 1 })), 422);
		assertError(await srv.admin('POST', '/api/v1/assets',
			body('AT-U4', { slot: { case: CASE, position: 9, shelf: 2 } })), 422);
		assertError(await srv.auditor('GET', '/api/v1/assets/AT-U1'), 404);
	});

	test('wrongly typed fields: 422', async () => {
		const bad = [
			{ serial_number: 12345 },
			{ manufacturer: null },
			{ building: ['HQ'] },
			{ room: { n: 1 } },
			{ model: 5 },
			{ notes: true },
			{ condition: 1 },
			{ slot: 'PELI-07/3' },
			{ slot: { case: CASE, position: '3' } },
			{ slot: { case: CASE, position: 3.5 } },
			{ slot: { case: 7, position: 3 } },
		];
		let i = 0;
		for (const b of bad) {
			const r = await srv.admin('POST', '/api/v1/assets', body(`AT-T${++i}`, b));
			assertError(r, 422);
		}
		assertError(await srv.admin('POST', '/api/v1/assets', { ...body('x'), asset_tag: 42 }), 422);
	});

	test('invalid values: tag syntax, condition, slot position: 422', async () => {
		for (const tag of ['', '-AT1', '_AT1', '.AT1', 'AT/1', 'AT 1', 'AT#1', 'A'.repeat(65), 'ÄT1'])
			assertError(await srv.admin('POST', '/api/v1/assets', body(tag, { serial_number: `S-${Math.random()}` })),
				422, {}, tag);
		// 64 characters is fine
		ok(await srv.admin('POST', '/api/v1/assets', body('A'.repeat(64))), 201);
		assertError(await srv.admin('POST', '/api/v1/assets', body('AT-C1', { condition: 'BROKEN' })), 422);
		assertError(await srv.admin('POST', '/api/v1/assets',
			body('AT-C2', { slot: { case: CASE, position: 0 } })), 422);
		assertError(await srv.admin('POST', '/api/v1/assets',
			body('AT-C3', { slot: { case: CASE, position: -1 } })), 422);
		assertError(await srv.admin('POST', '/api/v1/assets', body('AT-C4', { serial_number: '' })), 422);
		assertError(await srv.admin('POST', '/api/v1/assets', body('AT-C5', { manufacturer: '   ' })), 422);
		assertError(await srv.admin('POST', '/api/v1/assets', body('AT-C6', { building: 'x'.repeat(10000) })), 422);
	});

	test('several bad fields are all reported', async () => {
		const e = assertError(await srv.admin('POST', '/api/v1/assets', body('-bad', {
			condition: 'SHINY', manufacturer: 'Ac\u0007me',
		})), 422);
		assert.ok(e.items.length >= 3, JSON.stringify(e));
	});

	test('control characters in text fields: 422', async () => {
		const cases = [
			{ manufacturer: 'Acme\u0001' },
			{ serial_number: 'S\u0007N' },
			{ room: 'R\u001b[31m' },
			{ model: 'M\u007f' },
			{ notes: 'ok\u0000' },
			{ notes: 'bell \u0007 inside' },
			{ building: 'H\nQ' },           // single-line field
		];
		let i = 0;
		for (const c of cases) {
			const r = await srv.admin('POST', '/api/v1/assets', body(`AT-CC${++i}`, c));
			assertError(r, [400, 422], {}, JSON.stringify(c));
			// NUL may be refused as malformed JSON (400); anything else is a field value (422)
			if (!JSON.stringify(c).includes('\\u0000'))
				assertError(r, 422);
		}
		assertError(await srv.auditor('GET', '/api/v1/assets/AT-CC1'), 404);
	});

	test('C1 control characters (U+0080..U+009F) in text fields: 422', async () => {
		// SPEC §7: text fields refuse control characters; U+0085 (NEL) and
		// U+009B (CSI) are Unicode control characters (category Cc).
		assertError(await srv.admin('POST', '/api/v1/assets', body('AT-C1A', { equipment_type: 'Ra\u0085dio' })), 422);
		assertError(await srv.admin('POST', '/api/v1/holders', { name: 'Eve\u009b31m' }), 422);
	});

	test('slot problems: unknown case 404, no such position 404, occupied 409', async () => {
		assertError(await srv.admin('POST', '/api/v1/assets',
			body('AT-S1', { slot: { case: 'NO-SUCH-CASE', position: 1 } })), 404);
		assertError(await srv.admin('POST', '/api/v1/assets',
			body('AT-S2', { slot: { case: CASE, position: 61 } })), 404);
		assertError(await srv.admin('POST', '/api/v1/assets',
			body('AT-S3', { slot: { case: CASE, position: 1 } })), 409);
		for (const t of ['AT-S1', 'AT-S2', 'AT-S3'])
			assertError(await srv.auditor('GET', `/api/v1/assets/${t}`), 404);
	});
});

describe('malformed and oversized bodies', () => {
	test('malformed JSON: 400', async () => {
		for (const raw of ['{', '{"asset_tag":}', 'not json', '{"a":1}{"b":2}', "{'a':1}", '{"a":1,}'])
			assertError(await srv.admin('POST', '/api/v1/assets', undefined, { raw }), 400, {}, raw);
		assertError(await srv.admin('PATCH', '/api/v1/assets/AT-0001', undefined, { raw: '{"notes":' }), 400);
		assertError(await srv.operator('POST', '/api/v1/custody/stock-out', undefined, { raw: '[' }), 400);
	});

	test('a body that is not a JSON object: 400 or 422', async () => {
		for (const raw of ['[]', '"text"', '42', 'null', ''])
			assertError(await srv.admin('POST', '/api/v1/holders', undefined, { raw }), [400, 422], {}, raw);
	});

	test('duplicate keys: 400', async () => {
		const raw = JSON.stringify(body('AT-DUP')).replace(/}$/, ',"asset_tag":"AT-DUP2"}');
		assertError(await srv.admin('POST', '/api/v1/assets', undefined, { raw }), 400);
		assertError(await srv.admin('POST', '/api/v1/holders', undefined,
			{ raw: '{"name":"A","name":"B"}' }), 400);
		assertError(await srv.admin('POST', '/api/v1/assets', undefined, {
			raw: JSON.stringify(body('AT-DUP3')).replace(/}$/, ',"slot":{"case":"SPARE","case":"SPARE","position":1}}'),
		}), 400);
		assertError(await srv.auditor('GET', '/api/v1/assets/AT-DUP'), 404);
		assertError(await srv.auditor('GET', '/api/v1/assets/AT-DUP3'), 404);
	});

	// Large uploads go through node:http: with "Expect: 100-continue" (the
	// server refuses by Content-Length before the body is sent) and chunked
	// (the server reads the stream to find out).  See the report about plain
	// uploads being reset instead of answered under load.
	test('body over 1 MiB announced by Content-Length: 413 before the body is sent', async () => {
		const big = JSON.stringify(body('AT-BIG', { notes: 'x'.repeat(1100 * 1024) }));
		assertError(await srv.reqLarge('POST', '/api/v1/assets', { token: srv.tokens.admin, raw: big, expect: true }), 413);
		// one byte over the limit
		const raw = JSON.stringify(body('AT-BIG2'));
		const over = raw + ' '.repeat(1024 * 1024 + 1 - raw.length);
		assert.equal(Buffer.byteLength(over), 1024 * 1024 + 1);
		assertError(await srv.reqLarge('POST', '/api/v1/assets', { token: srv.tokens.admin, raw: over, expect: true }), 413);
		assertError(await srv.auditor('GET', '/api/v1/assets/AT-BIG'), 404);
		assertError(await srv.auditor('GET', '/api/v1/assets/AT-BIG2'), 404);
	});

	test('body over 1 MiB streamed without Content-Length: 413, nothing created', async () => {
		const before = await srv.eventCount();
		const big = JSON.stringify(body('AT-BIG4', { notes: 'x'.repeat(1100 * 1024) }));
		assertError(await srv.reqLarge('POST', '/api/v1/assets', { token: srv.tokens.admin, raw: big, chunked: true }), 413);
		const tags = Array.from({ length: 1000 }, (_, i) => `T-${i}-${'p'.repeat(1040)}`);
		assertError(await srv.reqLarge('POST', '/api/v1/custody/stock-out',
			{ token: srv.tokens.operator, raw: JSON.stringify({ holder: 1, asset_tags: tags }), chunked: true }), 413);
		assertError(await srv.auditor('GET', '/api/v1/assets/AT-BIG4'), 404);
		assert.equal(await srv.eventCount(), before);
	});

	test('a body of exactly 1 MiB is read and parsed', async () => {
		const under = JSON.stringify(body('AT-BIG3', { notes: 'y'.repeat(1000) }));
		const pad = ' '.repeat(1024 * 1024 - under.length);
		assert.equal(Buffer.byteLength(under + pad), 1024 * 1024);
		const r = await srv.admin('POST', '/api/v1/assets', undefined, { raw: under + pad });
		assert.equal(r.status, 201, show(r));
		const r2 = await srv.reqLarge('POST', '/api/v1/assets', {
			token: srv.tokens.admin, chunked: true,
			raw: JSON.stringify(body('AT-BIG5')) + ' '.repeat(1024 * 1024 - JSON.stringify(body('AT-BIG5')).length),
		});
		assert.equal(r2.status, 201, show(r2));
	});

	test('an oversized body without credentials is 401 or 413, not a crash', async () => {
		const r = await srv.reqLarge('POST', '/api/v1/assets', { raw: ' '.repeat(2 * 1024 * 1024), expect: true });
		assertError(r, [401, 413]);
		const r2 = await srv.reqLarge('POST', '/api/v1/assets', { raw: ' '.repeat(2 * 1024 * 1024), chunked: true });
		assertError(r2, [401, 413]);
		ok(await srv.auditor('GET', '/api/v1/verify'));
	});
});

describe('update', () => {
	test('PATCH metadata and condition: 200 and ASSET_UPDATED with old and new', async () => {
		const before = await srv.eventCount();
		const a = ok(await srv.admin('PATCH', '/api/v1/assets/at0001',
			{ manufacturer: 'Globex', condition: 'DAMAGED', model: null }));
		assert.equal(a.asset_tag, 'AT-0001');
		assert.equal(a.manufacturer, 'Globex');
		assert.equal(a.condition, 'DAMAGED');
		assert.equal(a.model, null);
		assert.deepEqual(a.slot, { case: CASE, position: 1 });
		const evs = (await srv.allEvents()).slice(before);
		assert.equal(evs.length, 1);
		assert.equal(evs[0].type, 'ASSET_UPDATED');
		assert.equal(evs[0].asset_tag, 'AT-0001');
		const d = JSON.stringify(evs[0].details);
		assert.ok(d.includes('Acme') && d.includes('Globex'), `details lack old/new: ${d}`);
		const again = await srv.getAsset('AT-0001');
		assert.equal(again.manufacturer, 'Globex');
		assert.ok(again.updated_at >= a.created_at);
	});

	test('PATCH refusals', async () => {
		await srv.mkAsset('AT-P2');
		const before = await srv.eventCount();
		assertError(await srv.admin('PATCH', '/api/v1/assets/NOPE-1', { notes: 'x' }), 404);
		assertError(await srv.admin('PATCH', '/api/v1/assets/AT-0001', { serial_number: 'SER-AT-0002' }), 409);
		assertError(await srv.admin('PATCH', '/api/v1/assets/AT-0001', { serial_number: 'ser-at-0002 ' }), 409);
		assertError(await srv.admin('PATCH', '/api/v1/assets/AT-0001', { asset_tag: 'AT-0999' }), [409, 422]);
		assertError(await srv.admin('PATCH', '/api/v1/assets/AT-0001', { condition: 'NEW' }), 422);
		assertError(await srv.admin('PATCH', '/api/v1/assets/AT-0001', { manufacturer: '' }), 422);
		assertError(await srv.admin('PATCH', '/api/v1/assets/AT-0001', { manufacturer: null }), 422);
		assertError(await srv.admin('PATCH', '/api/v1/assets/AT-0001', { room: 5 }), 422);
		assertError(await srv.admin('PATCH', '/api/v1/assets/AT-0001', { notes: 'a\u0002b' }), 422);
		assertError(await srv.admin('PATCH', '/api/v1/assets/AT-0001', { state: 'RETIRED' }), 422);
		assertError(await srv.admin('PATCH', '/api/v1/assets/AT-0001', { slot: null }), 422);
		assertError(await srv.admin('PATCH', '/api/v1/assets/AT-0001', { holder: null }), 422);
		assert.equal(await srv.eventCount(), before);
		const a = await srv.getAsset('AT-0001');
		assert.equal(a.serial_number, 'SER-AT-0001');
		assert.equal(a.state, 'STORAGE');
	});
});

describe('retire', () => {
	test('retire a slotted STORAGE asset: RETIRED, slot vacated, ASSET_RETIRED', async () => {
		await srv.mkAsset('AT-R1', ['SPARE', 1]);
		const a = ok(await srv.admin('POST', '/api/v1/assets/at-r1/retire', { reason: 'water damage' }));
		assertAssetShape(a);
		assert.equal(a.asset_tag, 'AT-R1');
		assert.equal(a.state, 'RETIRED');
		assert.equal(a.slot, null);
		assert.match(a.retired_at ?? '', ISO_MS);
		const cs = ok(await srv.auditor('GET', '/api/v1/cases/SPARE'));
		assert.equal(cs.slots[0].asset, null);
		const evs = ok(await srv.auditor('GET', '/api/v1/assets/AT-R1/events')).events;
		const last = evs[evs.length - 1];
		assert.equal(last.type, 'ASSET_RETIRED');
		assert.equal(last.reason, 'water damage');
		assert.deepEqual(last.from, { case: 'SPARE', position: 1 });
		// still listed and findable: never deleted
		assert.equal((await srv.getAsset('AT-R1')).state, 'RETIRED');
	});

	test('retire refusals: no/empty/control reason 422, retired again 409, in custody 409, unknown 404', async () => {
		await srv.mkAsset('AT-R2', ['SPARE', 2]);
		const h = await srv.mkHolder('Retire Holder', 'B-RET');
		await srv.mkAsset('AT-R3', ['SPARE', 3]);
		ok(await srv.operator('POST', '/api/v1/custody/stock-out', { holder: h.id, asset_tags: ['AT-R3'] }));
		const before = await srv.eventCount();
		assertError(await srv.admin('POST', '/api/v1/assets/AT-R2/retire', {}), 422);
		assertError(await srv.admin('POST', '/api/v1/assets/AT-R2/retire', { reason: '' }), 422);
		assertError(await srv.admin('POST', '/api/v1/assets/AT-R2/retire', { reason: '   ' }), 422);
		assertError(await srv.admin('POST', '/api/v1/assets/AT-R2/retire', { reason: 'a\u0007' }), 422);
		assertError(await srv.admin('POST', '/api/v1/assets/AT-R2/retire', { reason: 7 }), 422);
		assertError(await srv.admin('POST', '/api/v1/assets/AT-R2/retire', { reason: 'x', force: true }), 422);
		assertError(await srv.admin('POST', '/api/v1/assets/AT-R1/retire', { reason: 'again' }), 409);
		assertError(await srv.admin('POST', '/api/v1/assets/AT-R3/retire', { reason: 'lost' }), 409);
		assertError(await srv.admin('POST', '/api/v1/assets/NOPE-R/retire', { reason: 'x' }), 404);
		assert.equal(await srv.eventCount(), before);
		assert.equal((await srv.getAsset('AT-R2')).state, 'STORAGE');
		assert.equal((await srv.getAsset('AT-R3')).state, 'IN_CUSTODY');
	});

	test('a retired asset cannot be updated or issued', async () => {
		const before = await srv.eventCount();
		assertError(await srv.admin('PATCH', '/api/v1/assets/AT-R1', { notes: 'x' }), 409);
		const h = ok(await srv.auditor('GET', '/api/v1/holders?limit=1')).holders[0];
		const r = await srv.operator('POST', '/api/v1/custody/stock-out', { holder: h.id, asset_tags: ['AT-R1'] });
		assertError(r, 409, { items: 1, code: 'RETIRED' });
		assert.equal(await srv.eventCount(), before);
	});
});

describe('replace', () => {
	test('replace an issued asset: the holder keeps a device, the old one takes the slot', async () => {
		const h = await srv.mkHolder('Dana Ruiz', 'B-DANA');
		await srv.mkAsset('AT-OLD1', ['SPARE', 5]);
		await srv.mkAsset('AT-NEW1', ['SPARE', 6]);
		const due = new Date(Date.now() + 10 * 86400e3).toISOString().slice(0, 10);
		ok(await srv.operator('POST', '/api/v1/custody/stock-out', { holder: 'B-DANA', asset_tags: ['AT-OLD1'], due }));
		const before = await srv.eventCount();
		const r = ok(await srv.admin('POST', '/api/v1/assets/atold1/replace',
			{ replacement_tag: 'at-new1', reason: 'screen cracked' }));
		const oldA = r.replaced ?? r.old, newA = r.replacement ?? r.new;
		assert.ok(oldA && newA, `answer names both assets: ${JSON.stringify(r)}`);
		assert.equal(oldA.asset_tag, 'AT-OLD1');
		assert.equal(newA.asset_tag, 'AT-NEW1');
		assert.equal(newA.state, 'IN_CUSTODY');
		assert.equal(newA.holder.id, h.id);
		assert.equal(newA.slot, null);
		assert.equal(newA.due, due);
		assert.equal(oldA.state, 'STORAGE');
		assert.equal(oldA.holder, null);
		assert.deepEqual(oldA.slot, { case: 'SPARE', position: 6 });
		assert.equal(oldA.condition, 'FAULTY');
		const evs = (await srv.allEvents()).slice(before);
		assert.equal(evs.length, 2);
		assert.ok(evs.every((e) => e.type === 'ASSET_REPLACED'));
		assert.deepEqual(evs.map((e) => e.asset_tag).sort(), ['AT-NEW1', 'AT-OLD1']);
		assert.equal(evs[0].batch_id, evs[1].batch_id);
		assert.ok(evs.every((e) => e.reason === 'screen cracked'));
		const held = ok(await srv.auditor('GET', `/api/v1/holders/${h.id}`));
		assert.deepEqual(held.assets.map((a) => a.asset_tag), ['AT-NEW1']);
	});

	test('replace a slotted asset with an unslotted one, condition DAMAGED', async () => {
		await srv.mkAsset('AT-OLD2', ['SPARE', 7]);
		await srv.mkAsset('AT-NEW2');
		const r = ok(await srv.admin('POST', '/api/v1/assets/AT-OLD2/replace',
			{ replacement_tag: 'AT-NEW2', reason: 'dented', condition: 'DAMAGED' }));
		const oldA = r.replaced ?? r.old, newA = r.replacement ?? r.new;
		assert.deepEqual(newA.slot, { case: 'SPARE', position: 7 });
		assert.equal(newA.state, 'STORAGE');
		assert.equal(oldA.slot, null);
		assert.equal(oldA.state, 'STORAGE');
		assert.equal(oldA.condition, 'DAMAGED');
	});

	test('replace refusals change nothing', async () => {
		await srv.mkAsset('AT-OLD3', ['SPARE', 8]);
		await srv.mkAsset('AT-NEW3', ['SPARE', 9]);
		const h = await srv.mkHolder('Rep Holder', 'B-REP');
		await srv.mkAsset('AT-NEW4', ['SPARE', 10]);
		ok(await srv.operator('POST', '/api/v1/custody/stock-out', { holder: h.id, asset_tags: ['AT-NEW4'] }));
		await srv.mkAsset('AT-LOOSE');
		const before = await srv.eventCount();
		assertError(await srv.admin('POST', '/api/v1/assets/AT-OLD3/replace', { replacement_tag: 'AT-NEW3' }), 422);
		assertError(await srv.admin('POST', '/api/v1/assets/AT-OLD3/replace',
			{ replacement_tag: 'AT-NEW3', reason: '' }), 422);
		assertError(await srv.admin('POST', '/api/v1/assets/AT-OLD3/replace',
			{ replacement_tag: 'AT-NEW3', reason: 'x', condition: 'SHINY' }), 422);
		assertError(await srv.admin('POST', '/api/v1/assets/AT-OLD3/replace',
			{ replacement_tag: 'AT-NEW3', reason: 'x', extra: 1 }), 422);
		assertError(await srv.admin('POST', '/api/v1/assets/AT-OLD3/replace',
			{ replacement_tag: 'AT-NEW4', reason: 'replacement is issued' }), 409);
		assertError(await srv.admin('POST', '/api/v1/assets/AT-OLD3/replace',
			{ replacement_tag: 'AT-R1', reason: 'replacement is retired' }), 409);
		assertError(await srv.admin('POST', '/api/v1/assets/AT-LOOSE/replace',
			{ replacement_tag: 'AT-NEW3', reason: 'old is unslotted' }), 409);
		assertError(await srv.admin('POST', '/api/v1/assets/AT-OLD3/replace',
			{ replacement_tag: 'AT-OLD3', reason: 'itself' }), [409, 422]);
		assertError(await srv.admin('POST', '/api/v1/assets/AT-OLD3/replace',
			{ replacement_tag: 'NOPE-9', reason: 'unknown' }), 404);
		assertError(await srv.admin('POST', '/api/v1/assets/NOPE-9/replace',
			{ replacement_tag: 'AT-NEW3', reason: 'unknown' }), 404);
		assert.equal(await srv.eventCount(), before);
		assert.deepEqual((await srv.getAsset('AT-OLD3')).slot, { case: 'SPARE', position: 8 });
		assert.deepEqual((await srv.getAsset('AT-NEW3')).slot, { case: 'SPARE', position: 9 });
	});
});

describe('history', () => {
	test('GET /assets/{tag}/events: its own events in order, by match key too', async () => {
		const r = ok(await srv.auditor('GET', '/api/v1/assets/at0001/events'));
		assert.ok(Array.isArray(r.events));
		assert.ok('next_after' in r);
		assert.deepEqual(r.events.map((e) => e.type), ['ASSET_CREATED', 'SLOT_ASSIGN', 'ASSET_UPDATED']);
		assert.ok(r.events.every((e) => e.asset_tag === 'AT-0001'));
		for (let i = 1; i < r.events.length; i++)
			assert.ok(r.events[i].seq > r.events[i - 1].seq);
		const p = await walk(srv, '/api/v1/assets/AT-0001/events', 'events', 1);
		assert.deepEqual(p.items.map((e) => e.seq), r.events.map((e) => e.seq));
		assertError(await srv.auditor('GET', '/api/v1/assets/NOPE-H/events'), 404);
		assertError(await srv.auditor('GET', '/api/v1/assets/AT%01X/events'), 422);
	});
});

describe('list, q search and pagination', () => {
	test('keyset pagination walks every asset once, in tag order', async () => {
		for (let i = 0; i < 23; i++)
			await srv.mkAsset(`PG-${String(i).padStart(3, '0')}`);
		const all = ok(await srv.auditor('GET', '/api/v1/assets?limit=1000')).assets;
		assert.ok(all.length >= 23);
		for (const limit of [1, 4, 7, 50]) {
			const { items, pages } = await walk(srv, '/api/v1/assets', 'assets', limit);
			const tags = items.map((a) => a.asset_tag);
			assert.equal(new Set(tags).size, tags.length, `duplicates at limit ${limit}`);
			assert.deepEqual(tags, all.map((a) => a.asset_tag), `gap or order at limit ${limit}`);
			assert.equal(pages, Math.max(1, Math.ceil(all.length / limit)), `pages at limit ${limit}`);
		}
		const sorted = [...all.map((a) => a.asset_tag)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
		assert.deepEqual(all.map((a) => a.asset_tag), sorted);
		// a filtered walk
		const pg = await walk(srv, '/api/v1/assets?q=pg-', 'assets', 5);
		assert.equal(pg.items.length, 23);
		// the default page answers at most 50 and says where to go on
		const first = ok(await srv.auditor('GET', '/api/v1/assets'));
		assert.ok(first.assets.length <= 50);
	});

	test('state filter', async () => {
		const st = await walk(srv, '/api/v1/assets?state=RETIRED', 'assets', 2);
		assert.ok(st.items.length >= 1);
		assert.ok(st.items.every((a) => a.state === 'RETIRED'));
		const ic = await walk(srv, '/api/v1/assets?state=IN_CUSTODY', 'assets', 2);
		assert.ok(ic.items.every((a) => a.state === 'IN_CUSTODY' && a.holder));
		assertError(await srv.auditor('GET', '/api/v1/assets?state=LOST'), 422);
	});

	test('limit must be 1..1000', async () => {
		for (const l of ['0', '-1', '1001', 'abc', '1.5', '10x', ''])
			assertError(await srv.auditor('GET', `/api/v1/assets?limit=${l}`), 422, {}, l);
		ok(await srv.auditor('GET', '/api/v1/assets?limit=1000'));
	});

	test('q is a case-insensitive literal substring: % and _ are not wildcards', async () => {
		await srv.mkAsset('Q_1', undefined, { serial_number: 'QS-A' });
		await srv.mkAsset('QX1', undefined, { serial_number: 'QS-B' });
		await srv.mkAsset('QPCT', undefined, { serial_number: 'QS-C', notes: 'battery 100% charged' });
		await srv.mkAsset('QY1', undefined, { serial_number: 'QS-D', notes: 'battery 100 charged' });
		await srv.mkAsset('QMOD', undefined, { serial_number: 'QS-E', model: 'Zeta-Special' });
		await srv.mkAsset('QMAN', undefined, { serial_number: 'QS-F', manufacturer: 'Hooli Corp' });
		const q = async (s) => (await walk(srv, `/api/v1/assets?q=${encodeURIComponent(s)}`, 'assets', 1000))
			.items.map((a) => a.asset_tag);
		assert.deepEqual(await q('_'), ['Q_1']);
		assert.deepEqual(await q('Q_1'), ['Q_1']);
		assert.deepEqual(await q('q_1'), ['Q_1']);
		assert.deepEqual(await q('%'), ['QPCT']);
		assert.deepEqual(await q('100%'), ['QPCT']);
		assert.deepEqual(await q('0% c'), ['QPCT']);
		assert.deepEqual(await q('Q%1'), []);
		assert.deepEqual(await q('\\'), []);
		assert.deepEqual(await q("'"), []);
		assert.deepEqual(await q('zeta-SPECIAL'), ['QMOD']);        // model
		assert.deepEqual(await q('hooli'), ['QMAN']);               // manufacturer
		assert.deepEqual(await q('qs-d'), ['QY1']);                 // serial
		assert.deepEqual((await q('qx')).sort(), ['QX1']);          // tag
		assert.deepEqual(await q('no such text anywhere'), []);
		// an empty q lists everything
		const everything = await walk(srv, '/api/v1/assets?q=', 'assets', 1000);
		const all = await walk(srv, '/api/v1/assets', 'assets', 1000);
		assert.equal(everything.items.length, all.items.length);
	});

	test('after= a cursor between tags, and an after past the end', async () => {
		const r = ok(await srv.auditor('GET', '/api/v1/assets?after=PG-010&limit=2'));
		assert.deepEqual(r.assets.map((a) => a.asset_tag), ['PG-011', 'PG-012']);
		const end = ok(await srv.auditor('GET', '/api/v1/assets?after=zzzzzz'));
		assert.deepEqual(end.assets, []);
		assert.equal(end.next_after, null);
	});
});

describe('import', () => {
	const HEADER = 'asset_tag,serial_number,manufacturer,equipment_type,model,model_code,building,room,' +
		'notes,state,condition,holder_id,holder_name,due,case,position,created_at,updated_at\n';
	const csv = (rows) => HEADER + rows.map((r) => r.join(',')).join('\n') + '\n';
	const row = (tag, serial, extra = {}) => [tag, serial, 'Acme', 'Radio', extra.model ?? '', '', 'HQ', '1',
		'', 'STORAGE', extra.condition ?? 'GOOD', '', '', '', extra.case ?? '', extra.position ?? '', '', ''];

	test('dry run: 200, reports what it would do, changes nothing', async () => {
		const before = await srv.eventCount();
		const r = await srv.admin('POST', '/api/v1/import/assets?dry_run=1', undefined, {
			raw: csv([row('IMP-1', 'ISN-1'), row('IMP-2', 'ISN-2', { case: 'SPARE', position: 15 })]),
			headers: { 'Content-Type': 'text/csv' },
		});
		const b = ok(r, 200);
		assert.equal(b.dry_run, true);
		assert.equal(b.created, 2);
		assert.equal(await srv.eventCount(), before);
		assertError(await srv.auditor('GET', '/api/v1/assets/IMP-1'), 404);
	});

	test('real import: creates all rows in one batch', async () => {
		const before = await srv.eventCount();
		const r = await srv.admin('POST', '/api/v1/import/assets', undefined, {
			raw: csv([row('IMP-1', 'ISN-1'), row('IMP-2', 'ISN-2', { case: 'SPARE', position: 15 })]),
			headers: { 'Content-Type': 'text/csv' },
		});
		assert.ok(r.status === 200 || r.status === 201, show(r));
		assert.equal((await srv.getAsset('imp1')).asset_tag, 'IMP-1');
		assert.deepEqual((await srv.getAsset('IMP-2')).slot, { case: 'SPARE', position: 15 });
		const evs = (await srv.allEvents()).slice(before);
		assert.ok(evs.length >= 2);
		assert.equal(new Set(evs.map((e) => e.batch_id)).size, 1);
	});

	test('bad rows: 409/422 with one item per bad row, nothing created', async () => {
		const before = await srv.eventCount();
		const r = await srv.admin('POST', '/api/v1/import/assets', undefined, {
			raw: csv([row('IMP-3', 'ISN-3'), row('IMP-1', 'ISN-X'), row('-bad', 'ISN-4'),
				row('IMP-5', 'ISN-5', { condition: 'SHINY' }), row('IMP-6', 'ISN-6')]),
			headers: { 'Content-Type': 'text/csv' },
		});
		assertError(r, [409, 422], { items: 3 });
		assert.equal(await srv.eventCount(), before);
		assertError(await srv.auditor('GET', '/api/v1/assets/IMP-3'), 404);
		assertError(await srv.auditor('GET', '/api/v1/assets/IMP-6'), 404);
	});

	test('a JSON content type is refused for import', async () => {
		const r = await srv.admin('POST', '/api/v1/import/assets?dry_run=1', { a: 1 });
		assertError(r, [400, 415, 422]);
	});
});

describe('at the end', () => {
	test('verify is ok and counts every event', async () => {
		const v = await srv.verify();
		assert.equal(v.ok, true, JSON.stringify(v.problems));
		assert.deepEqual(v.problems, []);
		assert.equal(v.events, await srv.eventCount());
	});
});
