// `serve` as a service runs it (issue #10): settings from the file that
// ASSETTRACK_CONFIG names and from ASSETTRACK_* variables, the command
// line over the environment over the file; refusals of a bad file or
// value (exit 2, naming FILE:LINE or the variable); and the first-start
// admin password written to initial_password_file (mode 0600), kept
// through other logins and failed ones, and deleted by admin's first
// successful login.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { BINARY, cli, freePort, request } from './lib.mjs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assettrack-config-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/* The ASSETTRACK_* variables of the environment the tests run in must not
 * leak into these servers. */
function cleanEnv(extra) {
	const env = { ...process.env };
	for (const k of Object.keys(env))
		if (k.startsWith('ASSETTRACK_'))
			delete env[k];
	return { ...env, ...extra };
}

/* Start `serve` with `env` and `args`; resolves once `port` answers. */
async function serve(db, port, env, args = []) {
	const proc = spawn(BINARY, ['--db', db, 'serve', ...args],
		{ env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
	started.push(proc);
	const out = { stdout: '', stderr: '' };
	proc.stdout.on('data', (d) => { out.stdout += d; });
	proc.stderr.on('data', (d) => { out.stderr += d; });
	let exited = null;
	const exitP = new Promise((res) => proc.on('exit', (code) => { exited = code; res(code); }));
	for (let i = 0; i < 400 && exited === null; i++) {
		try {
			await fetch(`http://127.0.0.1:${port}/api/v1/openapi.json`);
		} catch {
			await sleep(25);
			continue;
		}
		/* It answers before its banner reaches this end of the pipe. */
		for (let j = 0; j < 400 && !/AssetTrack serving/.test(out.stdout) && exited === null; j++)
			await sleep(25);
		if (/AssetTrack serving/.test(out.stdout))
			return { proc, out, exitP, base: `http://127.0.0.1:${port}` };
		break;
	}
	proc.kill('SIGKILL');
	throw new Error(`serve did not answer on ${port}: exit ${exited}\n${out.stdout}\n${out.stderr}`);
}

async function stop(s) {
	s.proc.kill('SIGTERM');
	assert.equal(await s.exitP, 0, s.out.stderr);
}

/* Every server this file starts, killed if a test failed before stop():
 * a server left running kept the whole run waiting for its timeout. */
const started = [];
after(() => { for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL'); });

describe('settings', () => {
	test('the file, then the environment, then the command line', async () => {
		const [p1, p2] = [await freePort(), await freePort()];
		const conf = path.join(dir, 'a.conf');
		fs.writeFileSync(conf, `# comment\n\nlisten = 127.0.0.1:${p1}\nthreads = 3\n` +
			'quiet = no\n');
		const db = path.join(dir, 'a.db');

		let s = await serve(db, p1, { ASSETTRACK_CONFIG: conf });
		assert.match(s.out.stdout, /with 3 threads/);
		await stop(s);

		// the environment over the file
		s = await serve(db, p2, { ASSETTRACK_CONFIG: conf, ASSETTRACK_LISTEN: `127.0.0.1:${p2}`,
			ASSETTRACK_THREADS: '2' });
		assert.match(s.out.stdout, /with 2 threads/);
		await stop(s);

		// the command line over both
		s = await serve(db, p2, { ASSETTRACK_CONFIG: conf, ASSETTRACK_THREADS: '2' },
			['--listen', `127.0.0.1:${p2}`, '--threads', '1']);
		assert.match(s.out.stdout, /with 1 threads/);
		await stop(s);
	});

	test('a bad file or value is a usage error naming where it is (exit 2)', () => {
		const conf = path.join(dir, 'bad.conf');
		const run = (env) => spawnSync(BINARY, ['--db', path.join(dir, 'bad.db'), 'serve'],
			{ env: cleanEnv(env), encoding: 'utf8', timeout: 20000 });
		fs.writeFileSync(conf, 'threads = 2\ncolour = red\n');
		let r = run({ ASSETTRACK_CONFIG: conf });
		assert.equal(r.status, 2, r.stderr);
		assert.match(r.stderr, /bad\.conf:2: unknown setting 'colour'/);
		fs.writeFileSync(conf, 'threads = 2\nthreads = 3\n');
		r = run({ ASSETTRACK_CONFIG: conf });
		assert.equal(r.status, 2);
		assert.match(r.stderr, /bad\.conf:2: 'threads' is set twice/);
		fs.writeFileSync(conf, 'just words\n');
		r = run({ ASSETTRACK_CONFIG: conf });
		assert.equal(r.status, 2);
		assert.match(r.stderr, /bad\.conf:1: expected 'key = value'/);
		r = run({ ASSETTRACK_CONFIG: path.join(dir, 'missing.conf') });
		assert.equal(r.status, 2);
		assert.match(r.stderr, /cannot read the configuration .*missing\.conf/);
		r = run({ ASSETTRACK_THREADS: '65' });
		assert.equal(r.status, 2);
		assert.match(r.stderr, /ASSETTRACK_THREADS: threads is a whole number from 1 to 64/);
		r = run({ ASSETTRACK_QUIET: 'maybe' });
		assert.equal(r.status, 2);
		assert.match(r.stderr, /ASSETTRACK_QUIET: quiet is yes or no/);
	});
});

describe('the first-start password file', () => {
	test('0600, the printed password, deleted by admin\'s first login only', async () => {
		const port = await freePort();
		const db = path.join(dir, 'pw.db');
		const file = path.join(dir, 'initial-admin-password');
		fs.writeFileSync(file, 'stale\n');   // left by an earlier database: replaced
		const s = await serve(db, port, { ASSETTRACK_LISTEN: `127.0.0.1:${port}`,
			ASSETTRACK_INITIAL_PASSWORD_FILE: file });
		try {
			const pw = /^\s*password: (\S+)\s*$/m.exec(s.out.stdout)[1];
			assert.match(s.out.stdout, new RegExp(`It is also in ${file.replace(/[.]/g, '\\.')}`));
			assert.equal(fs.readFileSync(file, 'utf8'), `${pw}\n`);
			assert.equal(fs.statSync(file).mode & 0o777, 0o600);

			const login = (username, password) => request(s.base, 'POST', '/api/v1/login',
				{ body: { username, password } });
			assert.equal(cli(db, ['user', 'add', 'olga', '--role', 'operator'], 'pw-olga-123\n')
				.status, 0);
			assert.equal((await login('olga', 'pw-olga-123')).status, 200);
			assert.equal((await login('admin', 'wrong-password')).status, 401);
			assert.ok(fs.existsSync(file), 'deleted before admin logged in');
			assert.equal((await login('admin', pw)).status, 200);
			assert.ok(!fs.existsSync(file), 'still there after admin logged in');
			assert.match(s.out.stderr, /admin has logged in: deleted .*initial-admin-password/);
		} finally {
			await stop(s);
		}
		// A second start (users exist) writes nothing.
		const s2 = await serve(db, port, { ASSETTRACK_LISTEN: `127.0.0.1:${port}`,
			ASSETTRACK_INITIAL_PASSWORD_FILE: file });
		await stop(s2);
		assert.ok(!fs.existsSync(file));
		assert.doesNotMatch(s2.out.stdout, /password:/);
	});
});
