// checkpoint.test.mjs — the server signs checkpoints by itself (issue #7):
// with --checkpoint-every N a line is appended once the log has grown by N
// events, and `verify --since-checkpoint` then starts from it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { BINARY_TESTCLOCK, dbEnv, localBase, ok, startServer } from './lib.mjs';

let srv;

before(async () => {
	srv = await startServer({ args: ['--checkpoint-every', '5', '--checkpoint-interval', '3600'] });
});
after(async () => {
	await srv?.stop();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitForLines(file, n) {
	for (let t0 = Date.now(); Date.now() - t0 < 20000; await sleep(100)) {
		if (fs.existsSync(file)) {
			const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
			if (lines.length >= n)
				return lines;
		}
	}
	assert.fail(`no ${n} checkpoint line(s) in ${file} after 20 s; stderr:\n${srv.stderr}`);
}

test('the server checkpoints every N events, and verify starts from the newest', async () => {
	const file = `${localBase(srv.db)}.checkpoints`;
	await srv.mkCase('CK-A', 10);
	await sleep(2500);
	// One event so far: below the threshold, nothing written.
	assert.equal(fs.existsSync(file), false, 'a checkpoint before 5 events');
	for (let i = 1; i <= 5; i++)
		await srv.mkAsset(`CK-${i}`, ['CK-A', i]);
	const lines = await waitForLines(file, 1);
	assert.match(lines[0], /^assettrack-checkpoint v1 seq=\d+ head=[0-9a-f]{64} state=[0-9a-f]{64} /);
	assert.equal(fs.statSync(`${localBase(srv.db)}.checkpoint-key`).mode & 0o777, 0o600);
	// The server says so on stderr once the line is written: the pipe may
	// deliver it a moment after the file shows the line.
	for (let t0 = Date.now(); !/checkpoint \d+:/.test(srv.stderr) && Date.now() - t0 < 10000;)
		await sleep(50);
	assert.match(srv.stderr, /checkpoint \d+:[0-9a-f]{16}\.\.\. signed into/);

	const h = await srv.mkHolder('Dana Ruiz', 'B-CK1');
	ok(await srv.operator('POST', '/api/v1/custody/stock-out',
		{ holder: h.id, asset_tags: ['CK-1'] }));
	const r = srv.cli(['verify', '--since-checkpoint']);
	assert.equal(r.status, 0, r.stderr);
	assert.match(r.stdout, /^OK: \d+ events after checkpoint \d+, .*1 signed checkpoint hold/);
	// The API's verify checks them too, and can start from the newest.
	const full = ok(await srv.auditor('GET', '/api/v1/verify'));
	assert.equal(full.ok, true);
	assert.equal(full.checkpoints, 1);
	assert.equal(full.from_seq, 0);
	const since = ok(await srv.auditor('GET', '/api/v1/verify?since_checkpoint=1'));
	assert.equal(since.ok, true);
	// The checkpointer writes once 5 events are in: on a slow machine it
	// may run between the fourth and fifth asset (seq 5).
	assert.ok(since.from_seq >= 5, JSON.stringify(since));
	assert.ok(since.events < full.events, JSON.stringify(since));
});

test('two servers and the CLI signing one checkpoint file never sign one head twice', async () => {
	/* Both servers sign after every event, each verify lasting 1.8 s (the
	 * test build's ASSETTRACK_TEST_VERIFY_DELAY_MS) against a poll every
	 * 2 s, and the CLI signs too: their checkpoints of one head overlap.
	 * Without the file's lock two lines followed the same one
	 * (CHECKPOINT_ORDER), and verify failed. */
	const file = `${localBase(srv.db)}.checkpoints`;
	const slow = { env: { ASSETTRACK_TEST_VERIFY_DELAY_MS: '1800' },
		args: ['--checkpoint-every', '1', '--checkpoint-interval', '3600'] };
	await srv.restart(slow);
	const other = await srv.another(slow);
	const before = (await waitForLines(file, 1)).length;
	for (let i = 0; i < 4; i++) {
		await (i % 2 ? other : srv).as('admin')('POST', '/api/v1/holders', { name: `Signer ${i}` });
		const cli = new Promise((resolve) => {
			const p = spawn(BINARY_TESTCLOCK, ['--db', srv.db, 'checkpoint'],
				{ env: dbEnv(srv.db, { ...process.env, ...slow.env }), stdio: ['ignore', 'ignore', 'pipe'] });
			let err = '';
			p.stderr.on('data', (d) => { err += d; });
			p.on('exit', (code) => resolve({ code, err }));
		});
		await sleep(4500);
		const r = await cli;
		assert.equal(r.code, 0, r.err);
	}
	const lines = await waitForLines(file, before + 1);
	const seqs = lines.map((l) => Number(/ seq=(\d+) /.exec(l)[1]));
	for (let i = 1; i < seqs.length; i++)
		assert.ok(seqs[i] > seqs[i - 1], `line ${i + 1} (seq ${seqs[i]}) after seq ${seqs[i - 1]}`);
	const v = ok(await srv.auditor('GET', '/api/v1/verify'));
	assert.equal(v.ok, true, JSON.stringify(v.problems));
	assert.equal(v.checkpoints, lines.length);
	await other.stop();
});
