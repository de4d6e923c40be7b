// lib.mjs — helpers for the AssetTrack end-to-end API tests (SPEC §7).
//
// Each test file starts its own server on a free loopback port with a fresh
// database under os.tmpdir(), so files can run in parallel.  The binary is
// $AT_BINARY, or ../../build/assettrack relative to this file.
//
// node:test, node:assert, global fetch; every response to /api/ is checked
// against docs/openapi.json (openapi_check.mjs: ajv, from the lock file).

import { spawn, spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { checkExchange } from './openapi_check.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export const BINARY = process.env.AT_BINARY
	? path.resolve(process.env.AT_BINARY)
	: path.resolve(HERE, '../../build/assettrack');

/* The test build's binary, whose clock ASSETTRACK_FAKE_NOW can fix (the
 * shipped one ignores it): $AT_BINARY_TESTCLOCK, or beside BINARY. */
export const BINARY_TESTCLOCK = process.env.AT_BINARY_TESTCLOCK
	? path.resolve(process.env.AT_BINARY_TESTCLOCK)
	: path.join(path.dirname(BINARY), 'assettrack-testclock');

/* The binary to run with environment `env`: the test build when the
 * clock is to be fixed or a test hook set (ASSETTRACK_TEST_*), else the
 * real one. */
export function binaryFor(env = process.env) {
	const hooked = Object.keys(env).some((k) => k.startsWith('ASSETTRACK_TEST_'));
	return env.ASSETTRACK_FAKE_NOW || hooked ? BINARY_TESTCLOCK : BINARY;
}

export const ROLES = ['admin', 'operator', 'auditor'];

/*
 * The backend every server and CLI run of the tests uses: a SQLite file
 * in the test's temporary directory, or with AT_BACKEND=postgresql a fresh
 * database in the cluster that AT_PG_URI names (tests/support/
 * pgcluster.sh; CTest's api_pg test sets both).  Tests of what only one
 * backend has skip on the other, saying why (`onlyOn`).
 */
export const BACKEND = process.env.AT_BACKEND === 'postgresql' ? 'postgresql' : 'sqlite';

/* A node:test option that skips a test unless the backend is `backend`. */
export function onlyOn(backend, why) {
	return BACKEND === backend ? {} : { skip: `${backend} only: ${why}` };
}

function psql(sql, name) {
	const uri = name ? pgUri(name) : process.env.AT_PG_URI;
	const r = spawnSync('psql', ['-qAtX', '-v', 'ON_ERROR_STOP=1', uri, '-c', sql],
		{ encoding: 'utf8', timeout: 60000 });
	if (r.error || r.status !== 0)
		throw new Error(`psql ${sql}: ${r.error ?? r.stderr}`);
	return r.stdout;
}

/* A new empty database for one server: a file path in `dir`, or the URI
 * of a database made for it in the cluster. */
export function freshDb(dir) {
	if (BACKEND === 'sqlite')
		return path.join(dir, 'at.db');
	if (!process.env.AT_PG_URI)
		throw new Error('AT_BACKEND=postgresql needs AT_PG_URI (tests/support/pgcluster.sh)');
	const name = `at_${path.basename(dir).replace(/[^a-zA-Z0-9]/g, '_').toLowerCase()}`;
	psql(`CREATE DATABASE ${name}`);
	/* The schema is made by the superuser, who owns it; the program runs
	 * as PG_APP_ROLE, which `init --app-role` gives only what it needs
	 * (no DELETE, no UPDATE of the log, no way to disable a trigger): the
	 * whole suite then shows those grants are enough. */
	const owner = pgUri(name);
	const r = spawnSync(BINARY, ['--db', owner, 'init', '--app-role', PG_APP_ROLE],
		{ encoding: 'utf8', timeout: 60000 });
	if (r.status !== 0)
		throw new Error(`init --app-role ${PG_APP_ROLE}: exit ${r.status}: ${r.stderr}`);
	const db = `${owner}&user=${PG_APP_ROLE}`;
	stateDirs.set(db, dir);
	return db;
}

/* The role the program runs as on PostgreSQL (freshDb). */
export const PG_APP_ROLE = 'assettrack_test_app';

/* The URI of database `name` in the cluster, as its superuser. */
export function pgUri(name) {
	return process.env.AT_PG_URI.replace(/^(postgres(?:ql)?:\/\/[^/?]*\/)[^?]*/, `$1${name}`);
}

/* psql as the cluster's superuser, on database `name` (default: the
 * cluster's own); returns its output.  Throws on an error. */
export function pgAdmin(sql, name) {
	return psql(sql, name);
}

/* A PostgreSQL database's local files (checkpoint key and lines, import
 * spool) go to ASSETTRACK_STATE_DIR: the test's directory, for the server
 * and the CLI alike. */
const stateDirs = new Map();

export function dbEnv(db, env = process.env) {
	const dir = stateDirs.get(db);
	return dir ? { ...env, ASSETTRACK_STATE_DIR: dir } : env;
}

/* The path the program names a database's local files after (core/db.c
 * db_local_base): the file itself on SQLite, else
 * DIR/assettrack-pg-NAME-HASH, HASH the URI's SHA-256 (no password in
 * the tests' URIs). */
export function localBase(db) {
	if (BACKEND === 'sqlite')
		return db;
	const name = /^postgres(?:ql)?:\/\/[^/?]*\/([^?]*)/.exec(db)[1].replace(/[^a-zA-Z0-9_-]/g, '');
	const h = crypto.createHash('sha256').update(db).digest('hex').slice(0, 8);
	return path.join(stateDirs.get(db), `assettrack-pg-${name}-${h}`);
}

/* Remove what freshDb made (the temporary directory is the caller's). */
export function dropDb(db) {
	if (BACKEND === 'postgresql')
		psql(`DROP DATABASE IF EXISTS ${/^postgres(?:ql)?:\/\/[^/?]*\/([^?]*)/.exec(db)[1]} WITH (FORCE)`);
	stateDirs.delete(db);
}

/* A port nobody listens on right now (bind port 0, read it, close). */
export function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* Run the CLI against `db`; returns {status, stdout, stderr}. */
export function cli(db, args, input) {
	const r = spawnSync(binaryFor(), ['--db', db, ...args], {
		env: dbEnv(db),
		input: input ?? '',
		encoding: 'utf8',
		timeout: 30000,
	});
	if (r.error)
		throw r.error;
	return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function cliOk(db, args, input) {
	const r = cli(db, args, input);
	if (r.status !== 0)
		throw new Error(`assettrack ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
	return r.stdout;
}

/*
 * One HTTP request.  `body` is sent as JSON; `raw` (string or Buffer) is
 * sent as is (Content-Type application/json unless headers say otherwise).
 * Returns {status, headers, text, json} (json undefined if not JSON).
 */
export async function request(base, method, p, { token, body, headers = {}, raw, cookie } = {}) {
	const h = { ...headers };
	let payload;
	if (token)
		h.Authorization = `Bearer ${token}`;
	if (cookie)
		h.Cookie = cookie;
	if (raw !== undefined) {
		payload = raw;
		if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type'))
			h['Content-Type'] = 'application/json';
	} else if (body !== undefined) {
		payload = JSON.stringify(body);
		h['Content-Type'] = 'application/json';
	}
	const res = await fetch(base + p, { method, headers: h, body: payload });
	const text = await res.text();
	let json;
	try {
		json = text.length ? JSON.parse(text) : undefined;
	} catch {
		json = undefined;
	}
	checkExchange({ method, path: p, status: res.status, headers: res.headers, text, json,
		...sentBody(payload, h) });
	return { status: res.status, headers: res.headers, text, json };
}

/* What openapi_check.mjs needs of a request body: its text and type. */
function sentBody(payload, headers) {
	if (payload === undefined)
		return {};
	const k = Object.keys(headers).find((x) => x.toLowerCase() === 'content-type');
	return {
		reqBody: Buffer.isBuffer(payload) ? payload.toString('utf8') : String(payload),
		reqType: k ? headers[k] : undefined,
	};
}

/*
 * A request through node:http for large bodies, where fetch is no help:
 *   expect: true   send "Expect: 100-continue" and the body only after
 *                  "100 Continue"; a server that refuses by Content-Length
 *                  answers before any of the body is sent.
 *   chunked: true  no Content-Length: the server must read the stream to
 *                  find out it is too large.
 * Same result shape as request().
 */
export function requestLarge(base, method, p, { token, headers = {}, raw, expect, chunked } = {}) {
	const u = new URL(base + p);
	const h = { 'Content-Type': 'application/json', ...headers };
	if (token)
		h.Authorization = `Bearer ${token}`;
	const data = Buffer.isBuffer(raw) ? raw : Buffer.from(raw ?? '');
	if (!chunked)
		h['Content-Length'] = String(data.length);
	if (expect)
		h.Expect = '100-continue';
	return new Promise((resolve, reject) => {
		let done = false;
		const rq = http.request({
			host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: h, agent: false,
		}, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				done = true;
				const text = Buffer.concat(chunks).toString('utf8');
				let json;
				try {
					json = text.length ? JSON.parse(text) : undefined;
				} catch {
					json = undefined;
				}
				const hs = new Headers();
				for (const [k, v] of Object.entries(res.headers))
					hs.set(k, Array.isArray(v) ? v.join(', ') : String(v));
				try {
					checkExchange({ method, path: p, status: res.statusCode, headers: hs, text,
						json, ...sentBody(data, h) });
				} catch (err) {
					reject(err);
					rq.destroy();
					return;
				}
				resolve({ status: res.statusCode, headers: hs, text, json });
				rq.destroy();
			});
		});
		rq.on('error', (err) => {
			if (!done)
				reject(err);
		});
		if (expect) {
			rq.on('continue', () => rq.end(data));
			rq.flushHeaders();
		} else if (chunked) {
			const step = 64 * 1024;
			for (let i = 0; i < data.length; i += step)
				rq.write(data.subarray(i, i + step));
			rq.end();
		} else {
			rq.end(data);
		}
	});
}

/* Describe a response for assertion messages. */
export function show(res) {
	return `HTTP ${res.status} ${res.text.slice(0, 600)}`;
}

/*
 * Assert a SPEC §7 error: status (a number or a list of acceptable ones),
 * shape {"error":{"code","message","items":[{"input","code","message"}]}},
 * optionally the top-level code and the number of items.
 */
export function assertError(res, status, { code, items } = {}, context = '') {
	const ok = Array.isArray(status) ? status.includes(res.status) : res.status === status;
	assert.ok(ok, `${context ? context + ': ' : ''}expected status ${status}, got ${show(res)}`);
	assert.ok(res.json && typeof res.json === 'object', `error body is not JSON: ${show(res)}`);
	const e = res.json.error;
	assert.ok(e && typeof e === 'object', `no "error" object: ${show(res)}`);
	assert.equal(typeof e.code, 'string', `error.code not text: ${show(res)}`);
	assert.ok(e.code.length > 0);
	assert.equal(typeof e.message, 'string', `error.message not text: ${show(res)}`);
	assert.ok(e.message.length > 0, `empty error.message: ${show(res)}`);
	assert.ok(Array.isArray(e.items), `error.items not an array: ${show(res)}`);
	for (const it of e.items) {
		assert.equal(typeof it.input, 'string', `item.input not text: ${show(res)}`);
		assert.equal(typeof it.code, 'string', `item.code not text: ${show(res)}`);
		assert.equal(typeof it.message, 'string', `item.message not text: ${show(res)}`);
	}
	if (code !== undefined) {
		const codes = Array.isArray(code) ? code : [code];
		assert.ok(codes.includes(e.code), `expected error code ${code}, got ${show(res)}`);
	}
	if (items !== undefined)
		assert.equal(e.items.length, items, `expected ${items} error items, got ${show(res)}`);
	return e;
}

/* Assert a 2xx-or-given status and return the JSON body. */
export function ok(res, status = 200) {
	assert.equal(res.status, status, `expected ${status}, got ${show(res)}`);
	assert.ok(res.json !== undefined, `no JSON body: ${show(res)}`);
	return res.json;
}

let serialSeq = 0;

/*
 * Spawn `assettrack serve` on `db` at a free loopback port and wait until it
 * answers.  Retries with another port if the chosen one was taken.
 * Returns {proc, port, exitP, out: {stdout, stderr}, exited()}.
 */
async function spawnServer(db, { threads, env, args = [] }) {
	for (let attempt = 0; ; attempt++) {
		const port = await freePort();
		const out = { stdout: '', stderr: '' };
		let exited = null;
		const penv = dbEnv(db, { ...process.env, ...env });
		const proc = spawn(binaryFor(penv), ['--db', db, 'serve', '--listen', `127.0.0.1:${port}`,
			'--threads', String(threads), '--quiet', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: penv });
		proc.stdout.setEncoding('utf8');
		proc.stderr.setEncoding('utf8');
		proc.stdout.on('data', (d) => { out.stdout += d; });
		proc.stderr.on('data', (d) => { out.stderr += d; });
		const exitP = new Promise((resolve) => proc.on('exit', (code, signal) => {
			exited = { code, signal };
			resolve(exited);
		}));
		// Wait until it answers (any HTTP status) or exits.
		const t0 = Date.now();
		let up = false;
		while (!exited && Date.now() - t0 < 15000) {
			try {
				await fetch(`http://127.0.0.1:${port}/api/v1/me`);
				up = true;
				break;
			} catch {
				await sleep(25);
			}
		}
		if (up)
			return { proc, port, exitP, out, exited: () => exited };
		if (!exited)
			proc.kill('SIGKILL');
		await exitP;
		// The port may have been taken between probing and binding: retry.
		if (attempt >= 3)
			throw new Error(`server did not start: exit ${JSON.stringify(exited)}\n${out.stdout}\n${out.stderr}`);
	}
}

/* A server on an existing database `db` (a copy, say), without the
 * accounts startServer makes: {base, req, stop()}. */
export async function serveOn(db, { threads = 2 } = {}) {
	const s = await spawnServer(db, { threads, env: {} });
	const base = `http://127.0.0.1:${s.port}`;
	return { base, req: (method, p, opts) => request(base, method, p, opts), stop: () => stopServer(s) };
}

/* SIGTERM the server; it must exit 0 within 15 s. */
async function stopServer(s) {
	if (!s.exited())
		s.proc.kill('SIGTERM');
	let timer;
	const r = await Promise.race([s.exitP,
		new Promise((res) => { timer = setTimeout(() => res(null), 15000); })]);
	clearTimeout(timer);
	if (!r) {
		s.proc.kill('SIGKILL');
		await s.exitP;
		throw new Error('server did not stop within 15 s of SIGTERM');
	}
	assert.deepEqual(r, { code: 0, signal: null },
		`server exit after SIGTERM: ${JSON.stringify(r)}\n${s.out.stderr}`);
}

/*
 * Start a server on a fresh database.  Creates users admin (the first-start
 * account, password captured from stdout), operator, auditor, plus
 * `extraUsers` [{name, role}], each with a password and an API token.
 * `env` adds environment variables (e.g. ASSETTRACK_FAKE_NOW).
 */
export async function startServer({ threads = 4, extraUsers = [], env = {}, args = [] } = {}) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assettrack-api-'));
	const db = freshDb(dir);
	let cur;
	try {
		cur = await spawnServer(db, { threads, env, args });
		return setUp();
	} catch (err) {
		// Never leave a server behind when setting up failed.
		if (cur && !cur.exited())
			cur.proc.kill('SIGKILL');
		await cur?.exitP;
		dropDb(db);
		fs.rmSync(dir, { recursive: true, force: true });
		throw err;
	}

	function setUp() {
		const m = /^\s*password: (\S+)\s*$/m.exec(cur.out.stdout);
		if (!m)
			throw new Error(`no first-start admin password on stdout:\n${cur.out.stdout}`);
		const passwords = { admin: m[1] };
		const users = { admin: 'admin', operator: 'operator', auditor: 'auditor' };
		for (const role of ['operator', 'auditor']) {
			passwords[role] = `pw-${role}-${Math.random().toString(36).slice(2)}`;
			cliOk(db, ['user', 'add', role, '--role', role], passwords[role] + '\n');
		}
		for (const u of extraUsers) {
			passwords[u.name] = `pw-${u.name}-${Math.random().toString(36).slice(2)}`;
			users[u.name] = u.name;
			cliOk(db, ['user', 'add', u.name, '--role', u.role], passwords[u.name] + '\n');
		}
		const tokens = {};
		for (const name of Object.keys(passwords)) {
			const out = cliOk(db, ['user', 'token', name]).trim().split('\n');
			const tok = out[out.length - 1].trim();
			assert.match(tok, /^[0-9a-f]{64}$/, `user token ${name} printed ${out}`);
			tokens[name] = tok;
		}
		return makeHandle(cur, { db, dir, threads, tokens, passwords, users });
	}
}

function makeHandle(first, { db, dir, threads, tokens, passwords, users }) {
	let cur = first;
	const others = [];
	const srv = {
		db, dir, tokens, passwords, users,
		get base() { return `http://127.0.0.1:${cur.port}`; },
		get port() { return cur.port; },
		get proc() { return cur.proc; },
		get stderr() { return cur.out.stderr; },
		get stdout() { return cur.out.stdout; },
		req: (method, p, opts) => request(srv.base, method, p, opts),
		reqLarge: (method, p, opts) => requestLarge(srv.base, method, p, opts),
		/* as('admin')(method, path, body, opts) */
		as: (who) => (method, p, body, opts = {}) =>
			request(srv.base, method, p, { ...opts, token: tokens[who], body }),
		cli: (args, input) => cli(db, args, input),
		/* Stop (checking exit 0) and serve the same database again. */
		async restart({ env = {}, args = [] } = {}) {
			await stopServer(cur);
			cur = await spawnServer(db, { threads, env, args });
		},
		/*
		 * Another `assettrack serve` on the same database (issue #11: several
		 * servers on one PostgreSQL database; on SQLite, one file).  Returns
		 * {base, proc, req, as(who), exited(), stop(), kill()}: kill()
		 * SIGKILLs it and waits for the exit; stop() (also done by the
		 * first server's stop) SIGTERMs it and checks exit 0.
		 */
		async another({ env = {}, args = [] } = {}) {
			const s = await spawnServer(db, { threads, env, args });
			others.push(s);
			const base = `http://127.0.0.1:${s.port}`;
			const o = {
				base,
				proc: s.proc,
				req: (method, p, opts) => request(base, method, p, opts),
				as: (who) => (method, p, body, opts = {}) =>
					request(base, method, p, { ...opts, token: tokens[who], body }),
				exited: s.exited,
				get stderr() { return s.out.stderr; },
				stop: () => stopServer(s),
				async kill() {
					s.proc.kill('SIGKILL');
					await s.exitP;
				},
			};
			return o;
		},
		async stop() {
			for (const o of others)
				if (!o.exited())
					await stopServer(o);
			await stopServer(cur);
			dropDb(db);
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
	srv.admin = srv.as('admin');
	srv.operator = srv.as('operator');
	srv.auditor = srv.as('auditor');

	/* ---- fixtures, created as admin ---------------------------------- */
	srv.mkCase = async (name, slots = 10, extra = {}) =>
		ok(await srv.admin('POST', '/api/v1/cases', { name, slots, ...extra }), 201);
	srv.mkAsset = async (tag, slot, extra = {}) => {
		const body = {
			asset_tag: tag,
			serial_number: `SN-${tag}-${++serialSeq}`,
			manufacturer: 'Acme',
			equipment_type: 'Radio',
			building: 'HQ',
			room: '101',
			...extra,
		};
		if (slot)
			body.slot = { case: slot[0], position: slot[1] };
		return ok(await srv.admin('POST', '/api/v1/assets', body), 201);
	};
	srv.mkHolder = async (name, badge, email) => {
		const body = { name };
		if (badge !== undefined)
			body.badge = badge;
		if (email !== undefined)
			body.email = email;
		return ok(await srv.admin('POST', '/api/v1/holders', body), 201);
	};
	srv.getAsset = async (tag) =>
		ok(await srv.auditor('GET', `/api/v1/assets/${encodeURIComponent(tag)}`));
	/* Every event, walking all pages. */
	srv.allEvents = async (query = '') => {
		const out = [];
		let after = null;
		for (;;) {
			const q = `${query}${query ? '&' : ''}limit=1000${after !== null ? `&after=${after}` : ''}`;
			const page = ok(await srv.auditor('GET', `/api/v1/events?${q}`));
			out.push(...page.events);
			if (page.next_after === null)
				break;
			after = page.next_after;
		}
		return out;
	};
	srv.eventCount = async () => (await srv.allEvents()).length;
	srv.verify = async () => ok(await srv.auditor('GET', '/api/v1/verify'));
	return srv;
}

/* Walk a keyset-paginated list; returns all items and the pages seen. */
export async function walk(srv, p, key, limit, token) {
	const items = [];
	let after = null, pages = 0;
	for (;;) {
		const sep = p.includes('?') ? '&' : '?';
		const url = `${p}${sep}limit=${limit}${after !== null ? `&after=${encodeURIComponent(after)}` : ''}`;
		const page = ok(await srv.req('GET', url, { token: token ?? srv.tokens.auditor }));
		assert.ok(Array.isArray(page[key]), `${url}: no ${key} array`);
		assert.ok('next_after' in page, `${url}: no next_after`);
		assert.ok(page[key].length <= limit, `${url}: more than limit`);
		items.push(...page[key]);
		pages++;
		if (page.next_after === null)
			break;
		assert.equal(page[key].length, limit, `${url}: short page with a next_after`);
		after = page.next_after;
		assert.ok(pages < 10000, 'pagination does not end');
	}
	return { items, pages };
}

export const HEX64 = /^[0-9a-f]{64}$/;
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/* Check an asset object has exactly the SPEC §7 shape. */
export function assertAssetShape(a) {
	for (const k of ['asset_tag', 'serial_number', 'manufacturer', 'equipment_type', 'model',
		'model_code', 'building', 'room', 'notes', 'state', 'condition', 'holder', 'due',
		'slot', 'created_at', 'updated_at'])
		assert.ok(k in a, `asset lacks "${k}": ${JSON.stringify(a)}`);
	assert.ok(['STORAGE', 'IN_CUSTODY', 'RETIRED'].includes(a.state));
	assert.ok(['GOOD', 'DAMAGED', 'FAULTY'].includes(a.condition));
	if (a.holder !== null) {
		assert.equal(typeof a.holder.id, 'number');
		assert.equal(typeof a.holder.name, 'string');
	}
	if (a.slot !== null) {
		assert.equal(typeof a.slot.case, 'string');
		assert.equal(typeof a.slot.position, 'number');
	}
	if (a.due !== null)
		assert.match(a.due, /^\d{4}-\d{2}-\d{2}$/);
	if (a.state === 'IN_CUSTODY') {
		assert.notEqual(a.holder, null, 'IN_CUSTODY without holder');
		assert.equal(a.slot, null, 'IN_CUSTODY with a slot');
	} else {
		assert.equal(a.holder, null, `${a.state} with a holder`);
		assert.equal(a.due, null, `${a.state} with a due date`);
	}
	if (a.state === 'RETIRED')
		assert.equal(a.slot, null, 'RETIRED with a slot');
}

/* Today's date + n days as YYYY-MM-DD (local, like the server). */
export function dayOffset(n) {
	const d = new Date();
	d.setDate(d.getDate() + n);
	const p = (x) => String(x).padStart(2, '0');
	return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}
