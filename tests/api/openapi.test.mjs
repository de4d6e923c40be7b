// The OpenAPI document (issue #10): docs/openapi.json is valid OpenAPI 3.1
// (swagger-parser, pinned in package-lock.json), every schema in it
// compiles under ajv's strict mode, it lists exactly the JSON routes of
// src/web/route.c with their roles, authentication and body types, the
// server serves exactly it at /api/v1/openapi.json, and one walk through
// every operation gets a documented success from each, checked against
// the document like every response the API tests receive (lib.mjs).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { dayOffset, ok, request, startServer } from './lib.mjs';
import {
	checkExchange, compileAll, doc, operations, OPENAPI_PATH, stats,
} from './openapi_check.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROUTE_C = path.resolve(HERE, '../../src/web/route.c');
const require = createRequire(import.meta.url);

/* The /api/ routes of route.c: {method, pattern ("{}" for a parameter),
 * roles, flags}. */
function routeTable() {
	const src = fs.readFileSync(ROUTE_C, 'utf8');
	const re = /\{\s*"([A-Z]+)",\s*"(\/api\/[^"]*)",\s*(\w+),\s*(\w+),\s*([^}]*?)\s*\}/g;
	const out = [];
	for (const m of src.matchAll(re))
		out.push({ method: m[1], pattern: m[2], handler: m[3], roles: m[4], flags: m[5] });
	return out;
}

const ROLES = {
	ANY_ROLE: ['admin', 'auditor', 'operator'],
	OPERATOR_UP: ['admin', 'operator'],
	ADMIN_ONLY: ['admin'],
};

describe('the document', () => {
	test('is valid OpenAPI 3.1 (@apidevtools/swagger-parser)', async () => {
		const SwaggerParser = require('@apidevtools/swagger-parser');
		const api = await SwaggerParser.validate(OPENAPI_PATH);
		assert.equal(api.openapi, '3.1.0');
		assert.ok(Object.keys(api.paths).length >= 30, 'fewer paths than the API has');
	});

	test('every schema compiles under ajv strict mode', () => {
		const n = compileAll();
		assert.ok(n >= Object.keys(doc.components.schemas).length + 37, `only ${n} schemas`);
	});

	test('lists exactly route.c\'s JSON routes, with their roles, auth and bodies', () => {
		const routes = routeTable();
		assert.ok(routes.length >= 37, `route.c parsed to only ${routes.length} API routes`);
		const ops = operations();
		const key = (m, p) => `${m} ${p}`;
		const docOps = new Map(ops.map((o) => [key(o.method, o.template.replace(/\{[^}]+\}/g,
			'{}')), o]));
		const problems = [];
		for (const r of routes) {
			const o = docOps.get(key(r.method, r.pattern));
			if (!o) {
				problems.push(`${r.method} ${r.pattern} (${r.handler}) is not in docs/openapi.json`);
				continue;
			}
			docOps.delete(key(r.method, r.pattern));
			const op = o.operation;
			const isPublic = r.flags.includes('ROUTE_PUBLIC');
			if (isPublic !== (Array.isArray(op.security) && op.security.length === 0))
				problems.push(`${op.operationId}: route.c says ${isPublic ? '' : 'not '}public`);
			const roles = isPublic ? [] : ROLES[r.roles];
			if (!roles)
				problems.push(`${op.operationId}: unknown roles ${r.roles} in route.c`);
			else if (JSON.stringify([...(op['x-roles'] ?? [])].sort()) !== JSON.stringify(roles))
				problems.push(`${op.operationId}: x-roles ${JSON.stringify(op['x-roles'])}, ` +
					`route.c ${r.roles}`);
			const body = r.flags.includes('ROUTE_JSON_BODY') ? 'application/json'
				: r.flags.includes('ROUTE_CSV_BODY') ? 'text/csv'
					: r.flags.includes('ROUTE_UPLOAD') ? 'multipart/form-data' : null;
			const docBody = op.requestBody ? Object.keys(op.requestBody.content) : [];
			if (body ? !docBody.includes(body) : docBody.length)
				problems.push(`${op.operationId}: request body ${JSON.stringify(docBody)}, ` +
					`route.c ${body}`);
			if (!isPublic && !op.responses['401'])
				problems.push(`${op.operationId}: no 401 documented`);
			if (!op.responses.default)
				problems.push(`${op.operationId}: no default (error) response`);
		}
		for (const [k] of docOps)
			problems.push(`${k} is in docs/openapi.json but not in route.c`);
		assert.deepEqual(problems, []);
	});
});

describe('the check every API test makes (openapi_check.mjs)', () => {
	const json = (o) => ({ text: JSON.stringify(o), json: o,
		headers: new Headers({ 'content-type': 'application/json; charset=utf-8' }) });
	const me = { username: 'admin', role: 'admin', csrf_token: null };

	test('passes a documented answer', () => {
		checkExchange({ method: 'GET', path: '/api/v1/me', status: 200, ...json(me) });
		checkExchange({ method: 'GET', path: '/api/v1/me', status: 401,
			...json({ error: { code: 'UNAUTHORIZED', message: 'log in', items: [] } }) });
	});

	test('fails a body that is not the documented shape', () => {
		assert.throws(() => checkExchange({ method: 'GET', path: '/api/v1/me', status: 200,
			...json({ ...me, extra: 1 }) }), /does not match the schema[\s\S]*extra/);
		assert.throws(() => checkExchange({ method: 'GET', path: '/api/v1/me', status: 200,
			...json({ username: 'admin', role: 'boss', csrf_token: null }) }), /role/);
		assert.throws(() => checkExchange({ method: 'GET', path: '/api/v1/me', status: 403,
			...json({ error: { code: 'FORBIDDEN', message: 'no' } }) }), /items/);
	});

	test('fails an undocumented status, route or Content-Type', () => {
		assert.throws(() => checkExchange({ method: 'GET', path: '/api/v1/me', status: 204,
			text: '', headers: new Headers() }), /status 204 is not documented/);
		assert.throws(() => checkExchange({ method: 'GET', path: '/api/v1/nothing', status: 200,
			...json({}) }), /no such operation/);
		assert.throws(() => checkExchange({ method: 'DELETE', path: '/api/v1/me', status: 200,
			...json({}) }), /no such operation/);
		assert.throws(() => checkExchange({ method: 'GET', path: '/api/v1/me', status: 200,
			text: 'x', headers: new Headers({ 'content-type': 'text/plain' }) }),
		/Content-Type 'text\/plain'/);
	});

	test('fails an accepted request body the document calls invalid', () => {
		const created = { name: 'C', slot_count: 1, occupied: 0, building: null, room: null,
			notes: null, created_at: '2026-12-01T00:00:00.000Z',
			updated_at: '2026-12-01T00:00:00.000Z' };
		checkExchange({ method: 'POST', path: '/api/v1/cases', status: 201, ...json(created),
			reqBody: JSON.stringify({ name: 'C', slots: 1 }) });
		assert.throws(() => checkExchange({ method: 'POST', path: '/api/v1/cases', status: 201,
			...json(created), reqBody: JSON.stringify({ name: 'C', slots: 1, colour: 'red' }) }),
		/accepted a request body the document calls invalid/);
	});
});

describe('the server', () => {
	let srv;
	before(async () => {
		srv = await startServer({ threads: 2 });
	});
	after(async () => {
		await srv?.stop();
	});

	test('serves docs/openapi.json at /api/v1/openapi.json, to anyone, with an ETag', async () => {
		const res = await srv.req('GET', '/api/v1/openapi.json');
		assert.equal(res.status, 200);
		assert.match(res.headers.get('content-type'), /^application\/json/);
		assert.equal(res.text, fs.readFileSync(OPENAPI_PATH, 'utf8'),
			'the served document is not docs/openapi.json: rebuild');
		const etag = res.headers.get('etag');
		assert.match(etag, /^"[0-9a-f]{16}"$/);
		const again = await srv.req('GET', '/api/v1/openapi.json',
			{ headers: { 'If-None-Match': etag } });
		assert.equal(again.status, 304);
		assert.equal(again.text, '');
		const head = await srv.req('HEAD', '/api/v1/openapi.json');
		assert.equal(head.status, 200);
	});

	test('every operation answers a documented success to a walk through the API', async () => {
		const A = srv.admin, O = srv.operator, U = srv.auditor;
		const before = new Map(stats.seen);

		// auth: a cookie session, who is asking, logout
		const login = await request(srv.base, 'POST', '/api/v1/login',
			{ body: { username: 'admin', password: srv.passwords.admin } });
		const cookie = ok(login) && login.headers.get('set-cookie').split(';')[0];
		ok(await request(srv.base, 'GET', '/api/v1/me', { cookie }));
		ok(await request(srv.base, 'POST', '/api/v1/logout', { cookie }));
		ok(await srv.req('GET', '/api/v1/openapi.json'));

		// cases, holders, assets
		await srv.mkCase('OA-1', 5);
		ok(await U('GET', '/api/v1/cases?limit=1'));
		ok(await A('PATCH', '/api/v1/cases/OA-1', { slots: 7, room: '9' }));
		ok(await U('GET', '/api/v1/cases/OA-1'));
		const dana = await srv.mkHolder('Dana Ruiz', 'B-1', 'dana@example.org');
		ok(await U('GET', '/api/v1/holders'));
		ok(await U('GET', `/api/v1/holders/${dana.id}`));
		ok(await A('PATCH', `/api/v1/holders/${dana.id}`, { email: null }));
		for (let i = 1; i <= 4; i++)
			await srv.mkAsset(`OA-${i}`, ['OA-1', i], { attributes: { Colour: 'red' } });
		await srv.mkAsset('OA-5');
		await srv.mkAsset('OA-6', ['OA-1', 7]);
		ok(await U('GET', '/api/v1/assets?state=STORAGE&q=oa&limit=2'));
		ok(await U('GET', '/api/v1/assets/oa1'));
		ok(await A('PATCH', '/api/v1/assets/OA-1', { notes: 'scratched', model: null,
			attributes: { Colour: null } }));
		ok(await U('GET', '/api/v1/assets/OA-1/events'));

		// corrections
		ok(await A('POST', '/api/v1/slots/assign', { asset_tag: 'OA-5', case: 'OA-1', position: 5 }));
		ok(await A('POST', '/api/v1/slots/move', { asset_tag: 'OA-5', case: 'OA-1', position: 6 }));
		ok(await A('POST', '/api/v1/slots/force-vacate', { case: 'OA-1', position: 6,
			reason: 'foam damaged' }));

		// custody, a receipt, a replacement, a retirement
		const out = ok(await O('POST', '/api/v1/custody/stock-out', { holder: dana.id,
			asset_tags: ['OA-1', 'oa2'], due: dayOffset(7) }));
		ok(await U('GET', `/api/v1/batches/${out.batch_id}?limit=1`));
		ok(await O('POST', '/api/v1/custody/stock-in', { items: [{ asset_tag: 'OA-1' },
			{ asset_tag: 'OA-2', case: 'OA-1', position: 2 }] }));
		ok(await O('POST', '/api/v1/custody/stock-out', { holder: 'B-1', asset_tags: ['OA-2'] }));
		ok(await A('POST', '/api/v1/assets/OA-2/replace', { replacement_tag: 'OA-5',
			reason: 'cracked screen' }));
		ok(await A('POST', '/api/v1/assets/OA-3/retire', { reason: 'end of life' }));

		// the log and the reports
		ok(await U('GET', '/api/v1/events?type=STOCK_OUT&limit=5'));
		assert.equal(ok(await U('GET', '/api/v1/verify')).ok, true);
		ok(await U('GET', '/api/v1/reports/custody'));
		ok(await U('GET', '/api/v1/reports/custody?limit=1&overdue=0'));
		const csv = await U('GET', '/api/v1/reports/custody?format=csv');
		assert.equal(csv.status, 200);
		assert.match(csv.headers.get('content-type'), /^text\/csv/);
		ok(await U('GET', '/api/v1/reports/unslotted'));
		ok(await U('GET', '/api/v1/reports/occupancy'));
		ok(await U('GET', `/api/v1/reports/holders/${dana.id}`));
		ok(await U('GET', '/api/v1/reports/retired'));

		// an import, previewed then made
		const rows = 'asset_tag,serial_number,manufacturer,equipment_type,building,room\n' +
			'OA-IM1,SN-OA-IM1,Acme,Radio,HQ,101\n';
		const imp = (q) => A('POST', `/api/v1/import/assets${q}`, undefined,
			{ raw: rows, headers: { 'Content-Type': 'text/csv' } });
		ok(await imp('?dry_run=1'), 200);
		ok(await imp(''), 201);

		// an audit that finds OA-6 in slot 3 (the database says 7), saved and applied
		const au = ok(await O('POST', '/api/v1/audits', { case: 'OA-1',
			scans: ['OA-1/3', 'OA-6'], save: true }));
		assert.ok(au.corrections.length > 0, `no corrections: ${JSON.stringify(au)}`);
		ok(await U('GET', '/api/v1/audits?stale_days=0'));
		ok(await U('GET', `/api/v1/audits/${au.saved.seq}`));
		ok(await A('POST', `/api/v1/audits/${au.saved.seq}/apply`,
			{ corrections: au.corrections.map((c) => c.id) }));
		ok(await O('POST', '/api/v1/audits', { holder: 'B-1', scans: ['OA-5'] }));

		// Each operation of the document answered here with a 2xx.
		const succeeded = new Set();
		for (const [k, n] of stats.seen) {
			const [id, status] = k.split(' ');
			if (/^2/.test(status) && n > (before.get(k) ?? 0))
				succeeded.add(id);
		}
		const missing = operations().map((o) => o.operation.operationId)
			.filter((id) => !succeeded.has(id));
		assert.deepEqual(missing, [], 'operations this walk never saw succeed: add them');
	});
});
