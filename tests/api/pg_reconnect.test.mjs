// pg_reconnect.test.mjs — a PostgreSQL server that ends the program's
// sessions (an administrator's pg_terminate_backend, a restart): each
// worker opens another connection on its next request instead of failing
// every request from then on (500 "no connection to the server", before).
// Requests go on answering 200, writes go on, verify stays OK, and the
// checkpointer reconnects too.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { localBase, ok, onlyOn, pgAdmin, show, startServer } from './lib.mjs';
import fs from 'node:fs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const PG = onlyOn('postgresql', 'SQLite has no connection to lose');

let srv;

before(async () => {
	srv = await startServer({ threads: 3, args: ['--checkpoint-every', '1', '--checkpoint-interval', '3600'] });
});
after(async () => {
	await srv?.stop();
});

/* End every session of the test's database but psql's own; how many. */
function terminateAll() {
	const name = /^postgres(?:ql)?:\/\/[^/?]*\/([^?]*)/.exec(srv.db)[1];
	return Number(pgAdmin(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = '${name}' AND pid <> pg_backend_pid()`).trim());
}

test('sessions ended by the database server: the next requests answer, none fails', PG, async () => {
	for (let i = 0; i < 12; i++)
		ok(await srv.auditor('GET', '/api/v1/assets'));
	await srv.mkHolder('Before The Cut', 'B-RC0');
	for (let round = 1; round <= 3; round++) {
		const ended = terminateAll();
		assert.ok(ended >= 1, `round ${round}: no session to end`);
		await sleep(300); // pg_terminate_backend signals; the backends end just after
		for (let i = 0; i < 12; i++) {
			const r = await srv.auditor('GET', '/api/v1/assets');
			assert.equal(r.status, 200, `round ${round}, request ${i}: ${show(r)}`);
		}
		const h = await srv.mkHolder(`After Cut ${round}`, `B-RC${round}`);
		assert.equal(h.name, `After Cut ${round}`);
	}
	assert.match(srv.stderr, /the connection to .* was lost; opening another/);
	const v = await srv.verify();
	assert.equal(v.ok, true, JSON.stringify(v.problems));
	/* The checkpointer's session was ended too: it signs the newest head. */
	const file = `${localBase(srv.db)}.checkpoints`;
	const want = await srv.eventCount();
	let last = 0;
	for (let t0 = Date.now(); Date.now() - t0 < 20000 && last < want; await sleep(200))
		if (fs.existsSync(file)) {
			const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
			last = lines.length ? Number(/ seq=(\d+) /.exec(lines[lines.length - 1])[1]) : 0;
		}
	assert.equal(last, want, `the newest checkpoint is at seq ${last}, the log at ${want}:\n${srv.stderr}`);
});
