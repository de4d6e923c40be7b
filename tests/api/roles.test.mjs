// Every role against every route (SPEC §1, §7), table-driven.
//
// auditor: every read 200, every write 403.  operator: reads, Stock-Out and
// Stock-In; admin writes 403.  admin: everything.  A refused write changes
// nothing (the event count stays the same).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, ok, show, startServer } from './lib.mjs';

let srv, holder, n = 0, pos = 0;
const CASE = 'ROLES-A';

before(async () => {
	srv = await startServer();
	await srv.mkCase(CASE, 400);
	holder = await srv.mkHolder('Role Holder', 'B-ROLE');
	await srv.mkAsset('R-BASE', [CASE, ++pos]);
});
after(async () => {
	await srv?.stop();
});

const nextPos = () => ++pos;
const uniq = (role, what) => `R-${role}-${what}-${++n}`.toUpperCase();

async function slottedAsset(role, what) {
	const tag = uniq(role, what);
	await srv.mkAsset(tag, [CASE, nextPos()]);
	return tag;
}

async function issuedAsset(role, what) {
	const tag = await slottedAsset(role, what);
	ok(await srv.admin('POST', '/api/v1/custody/stock-out', { holder: holder.id, asset_tags: [tag] }));
	return tag;
}

const ALL = ['admin', 'operator', 'auditor'];
const OPS = ['admin', 'operator'];
const ADM = ['admin'];

/*
 * Each route: method, pattern (for the name), who may, success status, and
 * a setup that makes fresh fixtures for one role and returns the request.
 */
const ROUTES = [
	// ---- reads -----------------------------------------------------------
	{ m: 'GET', p: '/api/v1/me', who: ALL, setup: async () => ({ path: '/api/v1/me' }) },
	{ m: 'GET', p: '/api/v1/assets', who: ALL, setup: async () => ({ path: '/api/v1/assets?limit=5' }) },
	{ m: 'GET', p: '/api/v1/assets/{tag}', who: ALL, setup: async () => ({ path: '/api/v1/assets/r-base' }) },
	{ m: 'GET', p: '/api/v1/assets/{tag}/events', who: ALL,
		setup: async () => ({ path: '/api/v1/assets/R-BASE/events' }) },
	{ m: 'GET', p: '/api/v1/cases', who: ALL, setup: async () => ({ path: '/api/v1/cases' }) },
	{ m: 'GET', p: '/api/v1/cases/{name}', who: ALL, setup: async () => ({ path: `/api/v1/cases/${CASE}` }) },
	{ m: 'GET', p: '/api/v1/holders', who: ALL, setup: async () => ({ path: '/api/v1/holders' }) },
	{ m: 'GET', p: '/api/v1/holders/{id}', who: ALL,
		setup: async () => ({ path: `/api/v1/holders/${holder.id}` }) },
	{ m: 'GET', p: '/api/v1/events', who: ALL, setup: async () => ({ path: '/api/v1/events?limit=3' }) },
	{ m: 'GET', p: '/api/v1/reports/custody', who: ALL,
		setup: async () => ({ path: '/api/v1/reports/custody' }) },
	{ m: 'GET', p: '/api/v1/verify', who: ALL, setup: async () => ({ path: '/api/v1/verify' }) },

	// ---- operator writes ---------------------------------------------------
	{ m: 'POST', p: '/api/v1/custody/stock-out', who: OPS, setup: async (role) => ({
		path: '/api/v1/custody/stock-out',
		body: { holder: holder.id, asset_tags: [await slottedAsset(role, 'out')] },
	}) },
	{ m: 'POST', p: '/api/v1/custody/stock-in', who: OPS, setup: async (role) => ({
		path: '/api/v1/custody/stock-in',
		body: { items: [{ asset_tag: await issuedAsset(role, 'in') }] },
	}) },

	// ---- admin writes ------------------------------------------------------
	{ m: 'POST', p: '/api/v1/assets', who: ADM, status: 201, setup: async (role) => ({
		path: '/api/v1/assets',
		body: {
			asset_tag: uniq(role, 'new'), serial_number: `SER-${role}-${++n}`, manufacturer: 'Acme',
			equipment_type: 'Radio', building: 'HQ', room: '1',
		},
	}) },
	{ m: 'PATCH', p: '/api/v1/assets/{tag}', who: ADM, setup: async (role) => ({
		path: `/api/v1/assets/${await slottedAsset(role, 'patch')}`, body: { notes: 'patched' },
	}) },
	{ m: 'POST', p: '/api/v1/assets/{tag}/retire', who: ADM, setup: async (role) => ({
		path: `/api/v1/assets/${await slottedAsset(role, 'ret')}/retire`, body: { reason: 'end of life' },
	}) },
	{ m: 'POST', p: '/api/v1/assets/{tag}/replace', who: ADM, setup: async (role) => {
		const old = await issuedAsset(role, 'old');
		const repl = await slottedAsset(role, 'repl');
		return { path: `/api/v1/assets/${old}/replace`, body: { replacement_tag: repl, reason: 'broken' } };
	} },
	{ m: 'POST', p: '/api/v1/cases', who: ADM, status: 201, setup: async (role) => ({
		path: '/api/v1/cases', body: { name: uniq(role, 'case'), slots: 3 },
	}) },
	{ m: 'PATCH', p: '/api/v1/cases/{name}', who: ADM, setup: async (role) => {
		const name = uniq(role, 'grow');
		await srv.mkCase(name, 2);
		return { path: `/api/v1/cases/${name}`, body: { slots: 4 } };
	} },
	{ m: 'POST', p: '/api/v1/slots/assign', who: ADM, setup: async (role) => {
		const tag = uniq(role, 'assign');
		await srv.mkAsset(tag);
		return { path: '/api/v1/slots/assign', body: { asset_tag: tag, case: CASE, position: nextPos() } };
	} },
	{ m: 'POST', p: '/api/v1/slots/move', who: ADM, setup: async (role) => ({
		path: '/api/v1/slots/move',
		body: { asset_tag: await slottedAsset(role, 'move'), case: CASE, position: nextPos() },
	}) },
	{ m: 'POST', p: '/api/v1/slots/force-vacate', who: ADM, setup: async (role) => {
		await slottedAsset(role, 'vac');
		return { path: '/api/v1/slots/force-vacate', body: { case: CASE, position: pos, reason: 'audit' } };
	} },
	{ m: 'POST', p: '/api/v1/holders', who: ADM, status: 201, setup: async (role) => ({
		path: '/api/v1/holders', body: { name: `Holder ${role} ${++n}` },
	}) },
	{ m: 'PATCH', p: '/api/v1/holders/{id}', who: ADM, setup: async (role) => {
		const h = await srv.mkHolder(`Patch ${role} ${++n}`);
		return { path: `/api/v1/holders/${h.id}`, body: { email: `p${n}@example.org` } };
	} },
	{ m: 'POST', p: '/api/v1/import/assets?dry_run=1', who: ADM, setup: async (role) => ({
		path: '/api/v1/import/assets?dry_run=1',
		headers: { 'Content-Type': 'text/csv' },
		raw: 'asset_tag,serial_number,manufacturer,equipment_type,model,model_code,building,room,' +
			'notes,state,condition,holder_id,holder_name,due,case,position,created_at,updated_at\n' +
			`${uniq(role, 'imp')},IMP-${role}-${++n},Acme,Radio,,,HQ,1,,STORAGE,GOOD,,,,,,,\n`,
	}) },
];

for (const role of ALL) {
	describe(`role ${role}`, () => {
		for (const r of ROUTES) {
			const allowed = r.who.includes(role);
			const want = allowed ? (r.status ?? 200) : 403;
			test(`${role} ${r.m} ${r.p} -> ${want}`, async () => {
				const rq = await r.setup(role);
				const before = allowed || r.m === 'GET' ? null : await srv.eventCount();
				const res = await srv.req(r.m, rq.path, {
					token: srv.tokens[role], body: rq.body, raw: rq.raw, headers: rq.headers,
				});
				if (allowed) {
					assert.equal(res.status, want, `${role} ${r.m} ${rq.path}: ${show(res)}`);
					assert.ok(res.json && !res.json.error, show(res));
				} else {
					assertError(res, 403, { code: 'FORBIDDEN' });
					assert.equal(await srv.eventCount(), before, 'a refused write changed the log');
				}
			});
		}
	});
}

describe('after every role ran', () => {
	test('verify is ok', async () => {
		const v = await srv.verify();
		assert.equal(v.ok, true, JSON.stringify(v.problems));
	});
});
