// first_start.test.mjs — several servers started at once on one new
// database (issue #11: two or three `assettrack serve` behind one address,
// started together by their service manager).  Exactly one creates the
// first admin and prints its password; the others say so and serve.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BINARY, dbEnv, dropDb, freePort, freshDb } from './lib.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('three servers started at once on a new database: one admin, all serving', async () => {
	for (let round = 0; round < 5; round++) {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assettrack-first-'));
		const db = freshDb(dir);
		const procs = [];
		try {
			for (let i = 0; i < 3; i++) {
				const port = await freePort();
				const p = spawn(BINARY, ['--db', db, 'serve', '--listen', `127.0.0.1:${port}`, '--quiet'],
					{ env: dbEnv(db), stdio: ['ignore', 'pipe', 'pipe'] });
				const s = { p, port, out: '', err: '', exit: null };
				p.stdout.on('data', (d) => { s.out += d; });
				p.stderr.on('data', (d) => { s.err += d; });
				s.exited = new Promise((r) => p.on('exit', (code, sig) => { s.exit = { code, sig }; r(); }));
				procs.push(s);
			}
			for (const s of procs)
				for (let t0 = Date.now(); ; await sleep(25)) {
					assert.equal(s.exit, null, `a server exited: ${JSON.stringify(s.exit)}\n${s.err}`);
					try {
						const r = await fetch(`http://127.0.0.1:${s.port}/api/v1/me`);
						assert.equal(r.status, 401);
						break;
					} catch (err) {
						assert.ok(Date.now() - t0 < 15000, `server on ${s.port} did not answer: ${err}\n${s.err}`);
					}
				}
			const told = procs.filter((s) => /password: \S+/.test(s.out));
			assert.equal(told.length, 1, procs.map((s) => s.out + s.err).join('\n---\n'));
			for (const s of procs.filter((x) => x !== told[0]))
				assert.ok(s.err === '' || /another server created the first admin at the same moment/.test(s.err),
					s.err);
			const pw = /password: (\S+)/.exec(told[0].out)[1];
			for (const s of procs) {
				const r = await fetch(`http://127.0.0.1:${s.port}/api/v1/login`, {
					method: 'POST', headers: { 'Content-Type': 'application/json' },
					body: JSON.stringify({ username: 'admin', password: pw }) });
				assert.equal(r.status, 200, `login on ${s.port}: ${r.status}`);
			}
		} finally {
			for (const s of procs)
				if (!s.exit)
					s.p.kill('SIGTERM');
			await Promise.all(procs.map((s) => s.exited));
			for (const s of procs)
				assert.deepEqual(s.exit, { code: 0, sig: null }, s.err);
			dropDb(db);
			fs.rmSync(dir, { recursive: true, force: true });
		}
	}
});
