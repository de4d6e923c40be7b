// copy.test.mjs — `assettrack copy --from SRC --to DST` and `backup FILE`
// on PostgreSQL (issue #11, "Moving between backends" and "Backup and
// verify"): a whole database into a new one, SQLite or PostgreSQL on
// either side.  The events arrive byte for byte (export events is the
// same text, head the same seq and hash), verify passes at both ends, the
// accounts come along (a token made on the source works on a server of
// the copy), and nothing is written into a destination that holds rows.
// What crosses engines runs in api_pg, where both exist; SQLite to SQLite
// runs in both.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BACKEND, binaryFor, cli, dbEnv, ok, onlyOn, pgAdmin, pgUri, serveOn, startServer } from './lib.mjs';

let srv;
const made = [];

before(async () => {
	srv = await startServer();
	await srv.mkCase('CP-A', 6);
	await srv.mkHolder('Copy Tester', 'B-CP', 'copy@example.org');
	for (let i = 1; i <= 5; i++)
		await srv.mkAsset(`CP-${i}`, ['CP-A', i], i === 1 ? { notes: 'Ünïcødé, "quotes" & <tags>', attributes: { colour: 'grün' } } : {});
	ok(await srv.operator('POST', '/api/v1/custody/stock-out', { holder: 'B-CP', asset_tags: ['CP-1', 'CP-2', 'CP-3'] }));
	ok(await srv.operator('POST', '/api/v1/custody/stock-in', { items: [{ asset_tag: 'CP-1', case: 'CP-A', position: 6 }] }));
	ok(await srv.admin('POST', '/api/v1/assets/CP-4/retire', { reason: 'water damage' }));
	await srv.mkAsset('CP-9');
	ok(await srv.admin('POST', '/api/v1/assets/CP-2/replace', { replacement_tag: 'CP-9', reason: 'screen cracked' }));
});
after(async () => {
	await srv?.stop();
	for (const name of made)
		pgAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
});

/* A new PostgreSQL database in the cluster; its URI as the superuser. */
function newPgDb(name) {
	pgAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
	pgAdmin(`CREATE DATABASE ${name}`);
	made.push(name);
	return pgUri(name);
}

function run(db, args) {
	return cli(db, args);
}

function copy(from, to, json = true) {
	return cli(srv.db, [...(json ? ['--json'] : []), 'copy', '--from', from, '--to', to]);
}

function exportEvents(db) {
	const r = run(db, ['export', 'events']);
	assert.equal(r.status, 0, r.stderr);
	return r.stdout;
}

function headOf(db) {
	const r = run(db, ['head']);
	assert.equal(r.status, 0, r.stderr);
	return r.stdout.trim();
}

function assertVerifies(db) {
	const r = run(db, ['verify']);
	assert.equal(r.status, 0, `${db}: ${r.stdout}${r.stderr}`);
	assert.match(r.stdout, /^OK: \d+ events, hash chain intact/);
}

/* The copy `to` holds what `from` does: the same log, byte for byte, the
 * same head, and both verify. */
function assertSame(from, to) {
	assert.equal(headOf(to), headOf(from));
	const events = exportEvents(from);
	assert.ok(events.split('\n').length > 20, 'the log has the fixture\'s events');
	assert.equal(exportEvents(to), events);
	const assets = run(from, ['export', 'assets']).stdout;
	assert.equal(run(to, ['export', 'assets']).stdout, assets);
	assertVerifies(from);
	assertVerifies(to);
}

test('into a new SQLite file: the same log and head, verified; accounts work on the copy', async () => {
	const file = path.join(srv.dir, 'copy-1.db');
	const r = copy(srv.db, file);
	assert.equal(r.status, 0, r.stderr);
	const j = JSON.parse(r.stdout);
	assert.equal(j.verified, true);
	assert.equal(j.events, await srv.eventCount());
	assert.equal(j.assets, 6);
	assert.equal(j.head, headOf(srv.db));
	assertSame(srv.db, file);
	/* The operator's token, made on the source, opens a server of the copy. */
	const copySrv = await serveOn(file);
	try {
		const a = ok(await copySrv.req('GET', '/api/v1/assets/CP-1', { token: srv.tokens.operator }));
		assert.equal(a.notes, 'Ünïcødé, "quotes" & <tags>');
		assert.deepEqual(a.attributes, { colour: 'grün' });
		assert.equal(a.slot.position, 6);
		const me = ok(await copySrv.req('GET', '/api/v1/me', { token: srv.tokens.auditor }));
		assert.equal(me.role, 'auditor');
	} finally {
		await copySrv.stop();
	}
});

test('the text answer names both ends and the verified head', () => {
	const file = path.join(srv.dir, 'copy-text.db');
	const r = copy(srv.db, file, false);
	assert.equal(r.status, 0, r.stderr);
	const [seq, hash] = headOf(srv.db).split(':');
	assert.match(r.stdout, new RegExp(`^Copied .+ to ${file}: ${seq} events, 6 assets\\.\\n`
		+ `Verified: the copy's head is the source's \\(${seq}:${hash.slice(0, 16)}\\.\\.\\.\\) `
		+ 'and so is its state digest \\([0-9a-f]{16}\\.\\.\\.\\)\\.\\n$'));
	assert.equal(r.stderr, '');
});

/* `copy` without blocking the event loop, so requests go on meanwhile. */
function copyAsync(from, to) {
	return new Promise((resolve, reject) => {
		const p = spawn(binaryFor(), ['--db', srv.db, '--json', 'copy', '--from', from, '--to', to],
			{ env: dbEnv(srv.db), stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '', stderr = '';
		p.stdout.on('data', (d) => { stdout += d; });
		p.stderr.on('data', (d) => { stderr += d; });
		p.on('error', reject);
		p.on('exit', (status) => resolve({ status, stdout, stderr }));
	});
}

const seqOf = (head) => Number(head.split(':')[0]);

test('a copy made while a server writes is one snapshot, and verifies', async () => {
	const file = path.join(srv.dir, 'copy-live.db');
	let stop = false;
	const writer = (async () => {
		while (!stop) {
			ok(await srv.operator('POST', '/api/v1/custody/stock-out', { holder: 'B-CP', asset_tags: ['CP-5'] }));
			ok(await srv.operator('POST', '/api/v1/custody/stock-in', { items: [{ asset_tag: 'CP-5', case: 'CP-A', position: 5 }] }));
		}
	})();
	await new Promise((res) => setTimeout(res, 50));
	const started = seqOf(headOf(srv.db));
	const r = await copyAsync(srv.db, file);
	const ended = seqOf(headOf(srv.db));
	stop = true;
	await writer;
	assert.equal(r.status, 0, r.stderr);
	assert.ok(ended > started, `events were written while the copy ran (${started} then ${ended})`);
	assertVerifies(file);
	const copied = seqOf(JSON.parse(r.stdout).head);
	assert.ok(copied >= started && copied <= ended, `${started} <= ${copied} <= ${ended}`);
	/* The copy's log is the source's up to its head,. */
	const lines = exportEvents(file).trimEnd().split('\n');
	assert.equal(lines.length, copied + 1);
	assert.deepEqual(exportEvents(srv.db).split('\n').slice(0, copied + 1), lines);
});

test('refusals: an existing file, a missing source, the same name, missing options', () => {
	const file = path.join(srv.dir, 'exists.db');
	fs.writeFileSync(file, 'yesterday\'s backup');
	let r = copy(srv.db, file, false);
	assert.equal(r.status, 1);
	assert.equal(r.stderr, `assettrack: ${file} already exists; a copy never overwrites a file, so choose a new name\n`);
	assert.equal(fs.readFileSync(file, 'utf8'), 'yesterday\'s backup');
	const missing = path.join(srv.dir, 'missing.db');
	r = copy(missing, path.join(srv.dir, 'never.db'), false);
	assert.equal(r.status, 1);
	assert.equal(r.stderr, `assettrack: ${missing} does not exist\n`);
	assert.equal(fs.existsSync(path.join(srv.dir, 'never.db')), false);
	r = copy(srv.db, srv.db, false);
	assert.equal(r.status, 2);
	assert.match(r.stderr, /^assettrack: --from and --to name the same database\n/);
	r = cli(srv.db, ['copy', '--from', srv.db]);
	assert.equal(r.status, 2);
	assert.match(r.stderr, /^assettrack: copy needs --from SRC and --to DST\nusage: assettrack copy --from SRC --to DST/);
	r = cli(srv.db, ['--json', 'copy', '--from', srv.db, '--to', file]);
	assert.equal(r.status, 1);
	assert.equal(JSON.parse(r.stdout).error.code, 'CONFLICT');
});

const PG = onlyOn('postgresql', 'a copy across engines needs the cluster');

test('SQLite to PostgreSQL to SQLite: byte for byte, verified at every end', PG, async () => {
	assert.equal(BACKEND, 'postgresql');
	const lite = path.join(srv.dir, 'from-pg.db');
	assert.equal(copy(srv.db, lite).status, 0);
	const pg = newPgDb('at_copy_into');
	const r = copy(lite, pg);
	assert.equal(r.status, 0, r.stderr);
	assert.equal(JSON.parse(r.stdout).verified, true);
	assertSame(lite, pg);
	const back = path.join(srv.dir, 'back.db');
	assert.equal(copy(pg, back).status, 0);
	assertSame(pg, back);
	assertSame(srv.db, back);
	/* The copy is a working database: ids go on past the copied ones. */
	const u = cli(pg, ['user', 'add', 'after-copy', '--role', 'operator'], 'pw-after-copy-1\n');
	assert.equal(u.status, 0, u.stderr);
	const h = cli(pg, ['--json', 'holder', 'add', 'After Copy']);
	assert.equal(h.status, 0, h.stderr);
	assert.equal(JSON.parse(h.stdout).id, 2);
	assert.equal(cli(pg, ['stock-out', '--holder', 'B-CP', 'CP-5']).status, 0);
	assertVerifies(pg);
	/* The copy's security log says where it came from: each copy adds a
	 * line, and the lines of the copies before it come along. */
	const log = pgAdmin('SELECT actor || \' \' || subject FROM security_log WHERE action = \'DATABASE_COPIED\' ORDER BY id', 'at_copy_into').trim().split('\n');
	assert.equal(log.length, 2, log.join('\n'));
	assert.equal(log[0], `cli:${os.userInfo().username} ${srv.db}`);
	assert.equal(log[1], `cli:${os.userInfo().username} ${lite}`);
});

test('into a PostgreSQL database that holds rows: refused, nothing written', PG, () => {
	const pg = newPgDb('at_copy_full');
	const h = cli(pg, ['holder', 'add', 'Already Here']);
	assert.equal(h.status, 0, h.stderr);
	const before = exportEvents(pg);
	const r = copy(srv.db, pg, false);
	assert.equal(r.status, 1);
	assert.equal(r.stderr, 'assettrack: the destination already holds holders: copy only into a new, empty database\n');
	assert.equal(exportEvents(pg), before);
	assert.equal(pgAdmin('SELECT count(*) FROM holders', 'at_copy_full').trim(), '1');
});

test('backup FILE on PostgreSQL: a SQLite file with the same log, verified; never overwrites', PG, () => {
	const file = path.join(srv.dir, 'pg-backup.db');
	/* As the app role, which only reads here. */
	let r = srv.cli(['--json', 'backup', file]);
	assert.equal(r.status, 0, r.stderr);
	const j = JSON.parse(r.stdout);
	assert.equal(j.verified, true);
	assert.equal(j.backup, file);
	assertSame(srv.db, file);
	r = srv.cli(['backup', file]);
	assert.equal(r.status, 1);
	assert.equal(r.stderr, `assettrack: ${file} already exists; a backup never overwrites a file, so choose a new name\n`);
	assertVerifies(file);
});

test('a tampered source: the copy does not verify, is refused, and the file is removed', PG, () => {
	const pg = newPgDb('at_copy_tampered');
	assert.equal(copy(srv.db, pg).status, 0);
	/* The owner can switch the log's guard off: what verify is for. */
	pgAdmin('ALTER TABLE events DISABLE TRIGGER events_no_update; '
		+ 'UPDATE events SET actor = \'mallory\' WHERE seq = 3; '
		+ 'ALTER TABLE events ENABLE TRIGGER events_no_update', 'at_copy_tampered');
	const file = path.join(srv.dir, 'tampered.db');
	const r = cli(srv.db, ['--json', 'copy', '--from', pg, '--to', file]);
	assert.equal(r.status, 1, r.stderr);
	const err = JSON.parse(r.stdout).error;
	assert.equal(err.code, 'INVALID');
	assert.match(err.message, /^the copy does not verify \(\d+ problems\); the source does not either: run verify on it$/);
	assert.ok(err.items.some((i) => i.input === 'HASH_MISMATCH'), JSON.stringify(err.items));
	assert.equal(fs.existsSync(file), false);
});

test('the nightly backup job (packaging/nightly-backup) backs up a PostgreSQL URI, verified', PG, () => {
	const dir = path.join(srv.dir, 'nightly');
	const script = path.resolve('../../packaging/nightly-backup');
	const r = spawnSync('sh', [script], {
		encoding: 'utf8',
		env: { ...dbEnv(srv.db), ASSETTRACK_DB: srv.db, ASSETTRACK_BACKUP_DIR: dir, ASSETTRACK_BIN: binaryFor() },
	});
	assert.equal(r.status, 0, r.stdout + r.stderr);
	const files = fs.readdirSync(dir);
	assert.equal(files.length, 1, files.join(' '));
	assert.match(files[0], /^assettrack-\d{8}T\d{6}Z\.db$/);
	assert.match(r.stdout, new RegExp(`nightly-backup: ${path.join(dir, files[0])} verified\\n`));
	assertSame(srv.db, path.join(dir, files[0]));
});
