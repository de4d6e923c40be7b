// openapi_check.mjs — every API response the tests receive, checked
// against docs/openapi.json (issue #10), so the document cannot drift
// from the server.
//
// lib.mjs calls checkExchange() after each request it makes to /api/.
// For the response: its path and method must be a documented operation
// (or the answer must be the 404/405 error of an undocumented one), its
// status documented (an error status may fall to "default"), its
// Content-Type one of that response's, and a JSON body valid against the
// response's schema (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses it).
// For the request: a JSON body the server accepted (2xx) must be valid
// against the documented request body, so the document is not stricter
// than the server either.
//
// Needs ajv and ajv-formats from tests/api/node_modules (the lock file
// beside this; scripts/api-deps.sh, which `make test` runs).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const OPENAPI_PATH = path.resolve(HERE, '../../docs/openapi.json');

const require = createRequire(import.meta.url);
let Ajv2020, addFormats;
try {
	Ajv2020 = require('ajv/dist/2020').default;
	addFormats = require('ajv-formats').default;
} catch (err) {
	throw new Error('tests/api needs ajv and ajv-formats (tests/api/package-lock.json): ' +
		`run scripts/api-deps.sh (make test does).\n${err.message}`);
}

export const doc = JSON.parse(fs.readFileSync(OPENAPI_PATH, 'utf8'));

/* ---- the schemas, for ajv --------------------------------------------- */

// Component schemas go under one schema's $defs, their "#/components/
// schemas/X" references rewritten to point there; a response's own schema
// is compiled on first use and kept.
const DEFS_ID = 'https://assettrack.invalid/openapi-components';

function rewriteRefs(node) {
	if (Array.isArray(node))
		return node.map(rewriteRefs);
	if (node && typeof node === 'object') {
		const out = {};
		for (const [k, v] of Object.entries(node)) {
			if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/'))
				out[k] = `${DEFS_ID}#/$defs/${v.slice('#/components/schemas/'.length)}`;
			else
				out[k] = rewriteRefs(v);
		}
		return out;
	}
	return node;
}

// strict: a keyword ajv does not know is a mistake in the document, not
// something to ignore.
const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: DEFS_ID, $defs: rewriteRefs(doc.components.schemas) });

const validators = new Map();
function validatorFor(key, schema) {
	let v = validators.get(key);
	if (!v) {
		v = ajv.compile(rewriteRefs(schema));
		validators.set(key, v);
	}
	return v;
}

/* Compile every schema in the document now: a broken one fails at once. */
export function compileAll() {
	let n = 0;
	for (const name of Object.keys(doc.components.schemas)) {
		validatorFor(`component ${name}`, { $ref: `#/components/schemas/${name}` });
		n++;
	}
	for (const op of operations()) {
		for (const [status, r] of Object.entries(op.operation.responses)) {
			for (const [ctype, c] of Object.entries(resolve(r).content ?? {})) {
				if (c.schema) {
					validatorFor(`${op.operation.operationId} ${status} ${ctype}`, c.schema);
					n++;
				}
			}
		}
	}
	return n;
}

function resolve(obj) {
	let o = obj;
	while (o && o.$ref) {
		const parts = o.$ref.replace(/^#\//, '').split('/');
		o = parts.reduce((x, p) => x[p], doc);
	}
	return o;
}

/* ---- operations -------------------------------------------------------- */

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/* Every operation: {method, template, regex, operation}. */
export function operations() {
	const out = [];
	for (const [template, item] of Object.entries(doc.paths)) {
		// A {param} is one path segment, as route.c's {} is.
		const re = new RegExp('^' + template.split(/\{[^}]+\}/)
			.map((s) => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^/]+') + '$');
		for (const m of METHODS)
			if (item[m])
				out.push({ method: m.toUpperCase(), template, regex: re, operation: item[m] });
	}
	return out;
}
const OPS = operations();

/* ---- the check --------------------------------------------------------- */

export const stats = { responses: 0, bodies: 0, requests: 0, seen: new Map() };

function fail(what, ex, errors) {
	const detail = errors ? '\n' + ajv.errorsText(errors, { separator: '\n', dataVar: 'body' }) : '';
	assert.fail(`docs/openapi.json does not describe ${ex.method} ${ex.path} -> ` +
		`${ex.status}: ${what}${detail}\nresponse: ${String(ex.text ?? '').slice(0, 400)}`);
}

function parseJson(text) {
	try {
		return text && text.length ? JSON.parse(text) : undefined;
	} catch {
		return undefined;
	}
}

/*
 * Check one exchange: {method, path (may carry ?query), status, headers
 * (a Headers), text, json, reqBody (the JSON text sent, if any), reqType}.
 * Throws an AssertionError naming what the document does not cover.
 */
export function checkExchange(ex) {
	const pathOnly = ex.path.split('?')[0];
	if (!pathOnly.startsWith('/api/'))
		return;
	stats.responses++;
	const method = ex.method.toUpperCase() === 'HEAD' ? 'GET' : ex.method.toUpperCase();
	const onPath = OPS.filter((o) => o.regex.test(pathOnly));
	const op = onPath.find((o) => o.method === method);
	const ctype = (ex.headers?.get?.('content-type') ?? '').split(';')[0].trim().toLowerCase();

	if (!op) {
		// Not an operation: the server must have refused it as one.
		const want = onPath.length ? 405 : 404;
		if (ex.status !== want && !(ex.status === 400 || ex.status === 413))
			fail(`no such operation, but the server answered ${ex.status} (a route ` +
				'missing from the document?)', ex);
		checkBody(ex, 'undocumented', resolve(doc.components.responses.Error), ctype);
		return;
	}
	const id = op.operation.operationId;
	const responses = op.operation.responses;
	let r = responses[String(ex.status)];
	if (!r && ex.status >= 400)
		r = responses.default;
	if (!r)
		fail(`status ${ex.status} is not documented for ${id}`, ex);
	const key = `${id} ${ex.status}`;
	stats.seen.set(key, (stats.seen.get(key) ?? 0) + 1);
	if (ex.method.toUpperCase() !== 'HEAD')
		checkBody(ex, `${id} ${responses[String(ex.status)] ? ex.status : 'default'}`,
			resolve(r), ctype);
	if (ex.status >= 200 && ex.status < 300 && ex.reqBody !== undefined)
		checkRequest(ex, op.operation);
}

function checkBody(ex, key, r, ctype) {
	const content = r.content;
	if (!content) {
		if (ex.text && ex.text.length)
			fail(`a body, where the document has none (${key})`, ex);
		return;
	}
	if (!content[ctype])
		fail(`Content-Type '${ctype}' is not one of ${Object.keys(content).join(', ')} ` +
			`(${key})`, ex);
	const schema = content[ctype].schema;
	if (ctype !== 'application/json' || !schema)
		return;
	const body = ex.json !== undefined ? ex.json : parseJson(ex.text);
	if (body === undefined)
		fail(`the body is not JSON (${key})`, ex);
	const v = validatorFor(`${key} ${ctype}`, schema);
	if (!v(body))
		fail(`the body does not match the schema (${key})`, ex, v.errors);
	stats.bodies++;
}

function checkRequest(ex, operation) {
	const rb = operation.requestBody && resolve(operation.requestBody);
	if (!rb)
		fail(`the request had a body, but ${operation.operationId} documents none`, ex);
	const reqType = (ex.reqType ?? 'application/json').split(';')[0].trim().toLowerCase();
	if (reqType !== 'application/json')
		return;
	const sent = typeof ex.reqBody === 'string' ? parseJson(ex.reqBody) : undefined;
	if (sent === undefined)
		return;
	const c = rb.content['application/json'];
	if (!c)
		fail(`the server accepted a JSON body, but ${operation.operationId} documents ` +
			`only ${Object.keys(rb.content).join(', ')}`, ex);
	const v = validatorFor(`${operation.operationId} request`, c.schema);
	if (!v(sent))
		fail(`the server accepted a request body the document calls invalid ` +
			`(${operation.operationId}): ${String(ex.reqBody).slice(0, 300)}`, ex, v.errors);
	stats.requests++;
}

/* AT_OPENAPI_SEEN=FILE: append "operationId status count" lines at exit,
 * to see which documented answers the suite exercised. */
if (process.env.AT_OPENAPI_SEEN) {
	process.on('exit', () => {
		const lines = [...stats.seen].map(([k, n]) => `${k} ${n}\n`).join('');
		fs.appendFileSync(process.env.AT_OPENAPI_SEEN, lines);
	});
}
