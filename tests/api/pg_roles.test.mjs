// pg_roles.test.mjs — the role the program runs as on PostgreSQL (issue
// #11, "Run the application as a role that does not own the tables"):
// `init --app-role` (lib.mjs freshDb runs it for every test database)
// gives that role what the program needs and nothing that could rewrite
// history.  What the role may not do is refused by PostgreSQL itself
// (SQLSTATE 42501), whatever the program's triggers would say.  On SQLite
// --app-role is refused: a file has no roles.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { BACKEND, ok, onlyOn, PG_APP_ROLE, startServer } from './lib.mjs';

let srv;

before(async () => {
	srv = await startServer();
	const c = await srv.mkCase('PR-A', 4);
	assert.equal(c.name, 'PR-A');
	await srv.mkAsset('PR-1', ['PR-A', 1]);
	await srv.mkHolder('Role Tester', 'B-PR');
	ok(await srv.operator('POST', '/api/v1/custody/stock-out', { holder: 'B-PR', asset_tags: ['PR-1'] }));
});
after(async () => {
	await srv?.stop();
});

/* psql as the program's own role, on the test's database. */
function asApp(sql) {
	return spawnSync('psql', ['-qAtX', '-v', 'ON_ERROR_STOP=1', srv.db, '-c', sql], { encoding: 'utf8' });
}

const PG = onlyOn('postgresql', 'roles are PostgreSQL\'s');

test('the server and the CLI run as the app role, which owns nothing', PG, () => {
	assert.match(srv.db, new RegExp(`&user=${PG_APP_ROLE}$`));
	const r = asApp('SELECT current_user, (SELECT tableowner FROM pg_tables WHERE tablename = \'events\')');
	assert.equal(r.status, 0, r.stderr);
	assert.equal(r.stdout.trim(), `${PG_APP_ROLE}|postgres`);
	const v = srv.cli(['verify']);
	assert.equal(v.status, 0, v.stderr);
	assert.match(v.stdout, /^OK: \d+ events, hash chain intact/);
});

for (const [what, sql, msg] of [
	['rewrite an event', 'UPDATE events SET type = \'STOCK_IN\'', /permission denied for table events/],
	['delete an event', 'DELETE FROM events', /permission denied for table events/],
	['truncate the log', 'TRUNCATE events', /permission denied for table events/],
	['disable the chain trigger', 'ALTER TABLE events DISABLE TRIGGER events_chained',
		/must be owner of table events/],
	['drop a trigger', 'DROP TRIGGER events_no_update ON events', /must be owner of relation events/],
	['rewrite the security log', 'UPDATE security_log SET id = id',
		/permission denied for table security_log/],
	['delete a holder', 'DELETE FROM holders', /permission denied for table holders/],
	['delete an asset', 'DELETE FROM assets', /permission denied for table assets/],
]) {
	test(`the app role may not ${what}`, PG, async () => {
		const before = await srv.eventCount();
		const r = asApp(sql);
		assert.equal(r.status, 1, `${sql}: ${r.stdout}${r.stderr}`);
		assert.match(r.stderr, msg);
		assert.equal(await srv.eventCount(), before);
		assert.equal((await srv.verify()).ok, true);
	});
}

test('init --app-role on a SQLite file is refused, exit 1, nothing made', onlyOn('sqlite', 'the refusal is SQLite\'s'), () => {
	assert.equal(BACKEND, 'sqlite');
	const r = srv.cli(['init', '--app-role', 'someone']);
	assert.equal(r.status, 1, r.stderr);
	assert.equal(r.stderr, 'assettrack: --app-role is for PostgreSQL: a SQLite file has no roles\n');
	assert.equal(r.stdout, '');
});
