// Import (issue 8): POST /api/v1/import/assets answers the report as JSON
// (mapping, outcomes, holders, statuses, kept checkouts, examples, refused
// rows), takes its options as query parameters (map=, status=,
// default_room=, encoding=), refuses with the usual error plus the report,
// and the assets' attributes come back through the API (JSON, PATCH, q).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertAssetShape, assertError, ok, request, show, startServer } from './lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SAMPLES = path.join(HERE, '..', 'data', 'import');
const snipe = fs.readFileSync(path.join(SAMPLES, 'snipeit_export.csv'));

let srv;
before(async () => {
	srv = await startServer();
	await srv.mkHolder('Eve Long', 'evel');
});
after(async () => {
	await srv?.stop();
});

const post = (query, raw, headers = { 'Content-Type': 'text/csv' }) =>
	srv.admin('POST', `/api/v1/import/assets${query}`, undefined, { raw, headers });

describe('the report', () => {
	test('dry run: 200, the mapping, outcomes and examples; nothing changes', async () => {
		const before = await srv.eventCount();
		const r = ok(await post('?dry_run=1', snipe), 200);
		assert.equal(r.dry_run, true);
		assert.equal(r.format, 'snipe-it');
		assert.equal(r.rows, 10);
		assert.equal(r.created, 10);
		assert.equal(r.batch_id, null);
		assert.equal(r.encoding, 'utf-8');
		assert.deepEqual(r.outcomes, { storage: 5, custody: 4, retired: 1, refused: 0 });
		assert.equal(r.holders.total, 3);
		assert.equal(r.holders.new, 2);
		assert.deepEqual(r.holders.new_listed.map((h) => h.name), ['Dana Ruiz', 'Frank Moss']);
		const col = (name) => r.columns.find((c) => c.column === name);
		assert.equal(col('Asset Tag').to, 'asset_tag');
		assert.equal(col('Location').to, 'building, room');
		assert.equal(col('Employee No.').to, 'holder.badge');
		assert.equal(col('Checkout Date').to, 'custody.since');
		assert.equal(col('Company').to, 'attr:Company');
		assert.equal(r.columns.length, 23);
		const deployed = r.statuses.find((s) => s.status === 'Deployed');
		assert.equal(deployed.rows, 5); // four to people, one to a location
		assert.equal(r.checkouts_kept.count, 1);
		assert.deepEqual(r.checkouts_kept.listed[0],
			{ row: 5, asset_tag: 'AT-1004', type: 'location', to: 'HQ Lobby Kiosk' });
		assert.equal(r.examples.custody[0].asset_tag, 'AT-1002');
		assert.match(r.examples.custody[0].text, /Dana Ruiz \(E1042\) since 2025-03-02, due 2026-12-24/);
		assert.equal(r.examples.retired[0].text, 'retired: Archived');
		assert.deepEqual(r.refused, []);
		assert.equal(await srv.eventCount(), before);
		assertError(await srv.auditor('GET', '/api/v1/assets/AT-1002'), 404);
	});

	test('real run: 201, one batch; custody, attributes and search through the API', async () => {
		const r = ok(await post('', snipe), 201);
		assert.equal(r.dry_run, false);
		assert.match(r.batch_id, /^[0-9a-f-]{36}$/);
		const a = await srv.getAsset('AT-1002');
		assertAssetShape(a);
		assert.equal(a.state, 'IN_CUSTODY');
		assert.equal(a.holder.name, 'Dana Ruiz');
		assert.equal(a.due, '2026-12-24');
		assert.equal(a.attributes.Company, 'Acme Corp');
		assert.equal(a.attributes.Status, 'Deployed');
		const evs = ok(await srv.auditor('GET', '/api/v1/assets/AT-1002/events')).events;
		assert.deepEqual(evs.map((e) => e.type), ['ASSET_CREATED', 'STOCK_OUT']);
		assert.equal(evs[1].batch_id, r.batch_id);
		assert.equal(evs[1].details.import_row, 3);
		assert.equal(evs[1].details.since, '2025-03-02T09:15:00.000Z');
		const custody = ok(await srv.auditor('GET', '/api/v1/reports/custody'));
		assert.equal(custody.custody.find((x) => x.asset_tag === 'AT-1002').since,
			'2025-03-02T09:15:00.000Z');
		// q finds an attribute's value, not its name.
		const byValue = ok(await srv.auditor('GET', '/api/v1/assets?q=globex'));
		assert.deepEqual(byValue.assets.map((x) => x.asset_tag), ['AT-1003', 'AT-1004']);
		const byName = ok(await srv.auditor('GET', '/api/v1/assets?q=supplier'));
		assert.deepEqual(byName.assets, []);
		const v = await srv.verify();
		assert.equal(v.ok, true, JSON.stringify(v.problems));
	});

	test('PATCH attributes: set, remove with null, refused types and sizes', async () => {
		const a = ok(await srv.admin('PATCH', '/api/v1/assets/AT-1001',
			{ attributes: { Company: 'Globex', Cost: null, 'New one': 'x' } }));
		assert.equal(a.attributes.Company, 'Globex');
		assert.equal('Cost' in a.attributes, false);
		assert.equal(a.attributes['New one'], 'x');
		const ev = ok(await srv.auditor('GET', '/api/v1/assets/AT-1001/events?limit=1000')).events.at(-1);
		assert.equal(ev.type, 'ASSET_UPDATED');
		assert.deepEqual(ev.details.changes.attributes.Company, { old: 'Acme Corp', new: 'Globex' });
		assert.deepEqual(ev.details.changes.attributes.Cost, { old: '1,200.00', new: null });
		assertError(await srv.admin('PATCH', '/api/v1/assets/AT-1001', { attributes: { n: 5 } }),
			422, { code: 'INVALID', items: 1 });
		assertError(await srv.admin('PATCH', '/api/v1/assets/AT-1001', { attributes: ['x'] }), 422);
		assertError(await srv.admin('PATCH', '/api/v1/assets/AT-1001',
			{ attributes: { ['n'.repeat(65)]: 'x' } }), 422, { code: 'INVALID' });
		assertError(await srv.admin('PATCH', '/api/v1/assets/AT-1001',
			{ attributes: { Cost: 'v'.repeat(501) } }), 422, { code: 'INVALID' });
		assertError(await srv.operator('PATCH', '/api/v1/assets/AT-1001',
			{ attributes: { Company: 'x' } }), 403);
		const created = ok(await srv.admin('POST', '/api/v1/assets', {
			asset_tag: 'API-1', serial_number: 'API-S1', manufacturer: 'Acme', equipment_type: 'Radio',
			building: 'HQ', room: '1', attributes: { PO: 'PO-9' },
		}), 201);
		assert.deepEqual(created.attributes, { PO: 'PO-9' });
		assertError(await srv.admin('POST', '/api/v1/assets', {
			asset_tag: 'API-2', serial_number: 'API-S2', manufacturer: 'Acme', equipment_type: 'Radio',
			building: 'HQ', room: '1', attributes: { PO: null },
		}), 422);
	});
});

describe('options as query parameters', () => {
	const csv = 'Inv No;S/N;Make;Kind;Where;State\n' +
		'OPT-1;OS1;Acme;Radio;Main site;Shelved\n' +
		'OPT-2;OS2;Acme;Radio;Annex, Room 3;Broken\n';
	const q = '?dry_run=1&map=Inv%20No%3Dasset_tag&map=S%2FN%3Dserial_number&map=Make%3Dmanufacturer' +
		'&map=Kind%3Dequipment_type&map=Where%3Dlocation&map=State%3Dstatus' +
		'&status=Shelved%3DSTORAGE%3AGOOD&default_room=Stores';

	test('map=, status=, default_room=: the preview shows them', async () => {
		const r = ok(await post(q, csv), 200);
		assert.equal(r.format, 'csv');
		assert.equal(r.delimiter, ';');
		assert.equal(r.columns.find((c) => c.column === 'Inv No').to, 'asset_tag');
		assert.match(r.columns.find((c) => c.column === 'Inv No').note, /--map/);
		assert.equal(r.statuses.find((s) => s.status === 'Shelved').to, 'STORAGE GOOD');
		assert.match(r.statuses.find((s) => s.status === 'Broken').to, /DAMAGED/);
		assert.match(r.examples.storage[0].text, /Main site \/ Stores/);
		assert.match(r.examples.storage[1].text, /DAMAGED, Annex \/ 3/);
	});

	test('without the maps: 422, the header names what is missing, with the report', async () => {
		const res = await post('?dry_run=1', csv);
		const e = assertError(res, 422, { code: 'INVALID' });
		assert.match(e.message, /no asset tag column/);
		assert.equal(res.json.report.format, 'csv');
		assert.equal(res.json.report.columns.length, 6);
	});

	test('a bad map= or status=: 422 naming it', async () => {
		let e = assertError(await post('?dry_run=1&map=Nope%3Dnotes', csv), 422, { code: 'INVALID' });
		assert.ok(e.items.some((i) => i.input === 'map' && /no column 'Nope'/.test(i.message)), JSON.stringify(e));
		e = assertError(await post('?dry_run=1&status=X%3DMAYBE', csv), 422, { code: 'INVALID' });
		assert.ok(e.items.some((i) => i.input === 'status'));
		assertError(await post('?dry_run=1&map=', csv), 422, { code: 'INVALID' });
		assertError(await post('?dry_run=1&encoding=ebcdic', csv), 422, { code: 'INVALID' });
	});

	test('encoding=latin1 converts; without it Latin-1 is refused row by row', async () => {
		const raw = Buffer.concat([
			Buffer.from('asset_tag,serial_number,manufacturer,equipment_type,building,room\n'),
			Buffer.from('LAT-1,LS1,Acme,Radio,Caf'), Buffer.from([0xe9]), Buffer.from(',1\n'),
		]);
		const res = await post('?dry_run=1', raw);
		const e = assertError(res, 422, { code: 'INVALID', items: 1 });
		assert.equal(e.items[0].input, 'row 2');
		assert.match(e.items[0].message, /building is not valid UTF-8.*--encoding latin1/);
		assert.deepEqual(res.json.report.refused.map((x) => x.row), [2]);
		const r = ok(await post('?encoding=latin1', raw), 201);
		assert.equal(r.encoding, 'latin1');
		assert.equal((await srv.getAsset('LAT-1')).building, 'Café');
	});
});

describe('refusals', () => {
	test('every refused row with its code and row number; nothing imported', async () => {
		const before = await srv.eventCount();
		const csv = 'Asset Tag,Serial,Manufacturer,Category,Location,Status,Checked Out To\n' +
			'RF-1,RS1,Acme,Radio,HQ,Quarantine,\n' +
			'RF-2,RS2,Acme,Radio,HQ,Ready to Deploy,\n' +
			'AT-1001,RS3,Acme,Radio,HQ,Ready to Deploy,\n' +
			'RF-4,RS4,Acme,Radio,HQ,Archived,Dana Ruiz\n';
		const res = await post('', csv);
		const e = assertError(res, 409, { items: 3 });
		assert.deepEqual(e.items.map((i) => [i.input, i.code]),
			[['row 2', 'INVALID'], ['row 4', 'DUPLICATE'], ['row 5', 'CONFLICT']]);
		assert.match(e.message, /3 of 4 rows refused; nothing was imported/);
		assert.equal(res.json.report.outcomes.refused, 3);
		assert.equal(res.json.report.created, 0);
		assert.deepEqual(res.json.report.refused.map((x) => x.row), [2, 4, 5]);
		assert.equal(await srv.eventCount(), before);
		assertError(await srv.auditor('GET', '/api/v1/assets/RF-2'), 404);
	});

	test('only admins import', async () => {
		assertError(await srv.operator('POST', '/api/v1/import/assets?dry_run=1', undefined,
			{ raw: snipe, headers: { 'Content-Type': 'text/csv' } }), 403);
	});
});
