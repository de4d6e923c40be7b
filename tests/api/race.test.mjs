// Races (SPEC §3.9): two clients Stock-Out the same assets at once, again
// and again, each through its own server on the one database (issue #11);
// exactly one wins each round, nothing is double-booked, and readers
// running alongside never fail.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, ok, show, startServer } from './lib.mjs';

const ROUNDS = Number(process.env.AT_RACE_ROUNDS || (process.env.AT_SANITIZED ? 300 : 1000));
const N = 5;
const C = 'RACE';

let srv, srv2, h1, h2;
const tags = Array.from({ length: N }, (_, i) => `RC-${i + 1}`);

before(async () => {
	srv = await startServer({ threads: 8, extraUsers: [{ name: 'op2', role: 'operator' }] });
	srv2 = await srv.another();
	await srv.mkCase(C, 20);
	for (let i = 0; i < N; i++)
		await srv.mkAsset(tags[i], [C, i + 1]);
	h1 = await srv.mkHolder('Racer One', 'B-R1');
	h2 = await srv.mkHolder('Racer Two', 'B-R2');
});
after(async () => {
	await srv?.stop();
});

/* Readers that loop until stopped; every answer must be 200 and sane. */
function startReaders(count) {
	let stop = false;
	const failures = [];
	let reads = 0;
	const paths = ['/api/v1/assets?limit=50', `/api/v1/cases/${C}`, '/api/v1/events?limit=20',
		`/api/v1/assets/${tags[0]}`, `/api/v1/holders/${h1.id}`, '/api/v1/reports/custody'];
	const loops = Array.from({ length: count }, async (_, k) => {
		let i = k;
		while (!stop) {
			const p = paths[i++ % paths.length];
			try {
				const r = await srv.auditor('GET', p);
				reads++;
				if (r.status !== 200 || !r.json)
					failures.push(`${p}: ${show(r)}`);
				else if (p.startsWith('/api/v1/cases/')) {
					// a snapshot never shows an asset in a slot and in custody
					for (const s of r.json.slots)
						if (s.asset && (s.asset.state !== 'STORAGE' || s.asset.holder))
							failures.push(`${p}: slot ${s.position} holds ${JSON.stringify(s.asset)}`);
				} else if (p.startsWith('/api/v1/assets?')) {
					for (const a of r.json.assets)
						if ((a.state === 'IN_CUSTODY') !== (a.holder !== null) || (a.holder && a.slot))
							failures.push(`${p}: inconsistent ${JSON.stringify(a)}`);
				}
			} catch (err) {
				failures.push(`${p}: ${err}`);
			}
		}
	});
	return {
		async stop() {
			stop = true;
			await Promise.all(loops);
			return { failures, reads };
		},
	};
}

describe('racing Stock-Outs', () => {
	test(`${ROUNDS} rounds of two clients racing for the same ${N} assets: one 200, one 409`, async () => {
		const startEvents = await srv.eventCount();
		const readers = startReaders(3);
		const outcomes = { a: 0, b: 0 };
		const bad = [];
		for (let round = 0; round < ROUNDS; round++) {
			const reversed = [...tags].reverse();
			const [ra, rb] = await Promise.all([
				srv.req('POST', '/api/v1/custody/stock-out',
					{ token: srv.tokens.operator, body: { holder: h1.id, asset_tags: tags } }),
				srv2.req('POST', '/api/v1/custody/stock-out',
					{ token: srv.tokens.op2, body: { holder: 'B-R2', asset_tags: round % 2 ? reversed : tags.map((t) => t.toLowerCase()) } }),
			]);
			const st = [ra.status, rb.status].sort().join(',');
			if (st !== '200,409') {
				bad.push(`round ${round}: ${show(ra)} | ${show(rb)}`);
				if (bad.length > 5)
					break;
			}
			const [win, lose, holder] = ra.status === 200 ? [ra, rb, h1] : [rb, ra, h2];
			if (win.status === 200) {
				outcomes[ra.status === 200 ? 'a' : 'b']++;
				assert.equal(win.json.assets.length, N);
				for (const a of win.json.assets) {
					assert.equal(a.state, 'IN_CUSTODY');
					assert.equal(a.holder.id, holder.id);
				}
				if (lose.status === 409) {
					const e = assertError(lose, 409, { items: N });
					assert.ok(e.items.every((i) => i.code === 'NOT_IN_STORAGE'), JSON.stringify(e));
				}
			}
			// everyone back, into the slots they left
			const back = await srv.operator('POST', '/api/v1/custody/stock-in',
				{ items: tags.map((t) => ({ asset_tag: t })) });
			if (back.status !== 200) {
				bad.push(`round ${round} stock-in: ${show(back)}`);
				break;
			}
			back.json.assets.forEach((a, i) => assert.deepEqual(a.slot, { case: C, position: i + 1 }));
		}
		const { failures, reads } = await readers.stop();
		assert.deepEqual(bad, [], 'rounds without exactly one winner');
		assert.deepEqual(failures.slice(0, 10), [], `${failures.length} failed reads of ${reads}`);
		assert.ok(reads > 0);
		// both clients won sometimes (not a requirement, but a sign the race was real)
		process.stderr.write(`# race: client A won ${outcomes.a}, client B won ${outcomes.b}; ${reads} concurrent reads\n`);
		const evs = (await srv.allEvents()).slice(startEvents);
		assert.equal(evs.length, ROUNDS * N * 2, 'one STOCK_OUT and one STOCK_IN per asset per round');
		for (const t of tags) {
			const mine = evs.filter((e) => e.asset_tag === t).map((e) => e.type);
			for (let i = 0; i < mine.length; i++)
				assert.equal(mine[i], i % 2 ? 'STOCK_IN' : 'STOCK_OUT', `${t} event ${i}`);
		}
	});

	test('verify is ok after the races, and the chain has no gap', async () => {
		const v = await srv.verify();
		assert.equal(v.ok, true, JSON.stringify(v.problems));
		const evs = await srv.allEvents();
		assert.equal(v.events, evs.length);
		evs.forEach((e, i) => assert.equal(e.seq, i + 1, `event ${i + 1} has seq ${e.seq}`));
	});
});

describe('other races', () => {
	test('two overlapping batches: one wins, the other changes nothing', async () => {
		for (let round = 0; round < 40; round++) {
			const [ra, rb] = await Promise.all([
				srv.operator('POST', '/api/v1/custody/stock-out', { holder: h1.id, asset_tags: [tags[0], tags[1], tags[2]] }),
				srv.req('POST', '/api/v1/custody/stock-out',
					{ token: srv.tokens.op2, body: { holder: h2.id, asset_tags: [tags[2], tags[3], tags[4]] } }),
			]);
			assert.deepEqual([ra.status, rb.status].sort(), [200, 409], `${show(ra)} | ${show(rb)}`);
			const lose = ra.status === 409 ? ra : rb;
			assertError(lose, 409, { items: 1 });
			const all = ok(await srv.auditor('GET', '/api/v1/assets?limit=100')).assets;
			const out = all.filter((a) => a.state === 'IN_CUSTODY').map((a) => a.asset_tag).sort();
			assert.deepEqual(out, ra.status === 200 ? ['RC-1', 'RC-2', 'RC-3'] : ['RC-3', 'RC-4', 'RC-5']);
			ok(await srv.operator('POST', '/api/v1/custody/stock-in', { items: out.map((t) => ({ asset_tag: t })) }));
		}
	});

	test('two admins racing to assign different assets to the same slot: one wins', async () => {
		for (let round = 0; round < 30; round++) {
			const a = `SQ-A-${round}`, b = `SQ-B-${round}`;
			await srv.mkAsset(a);
			await srv.mkAsset(b);
			const pos = 10;
			const [ra, rb] = await Promise.all([
				srv.admin('POST', '/api/v1/slots/assign', { asset_tag: a, case: C, position: pos }),
				srv.admin('POST', '/api/v1/slots/assign', { asset_tag: b, case: C, position: pos }),
			]);
			assert.deepEqual([ra.status, rb.status].sort(), [200, 409], `${show(ra)} | ${show(rb)}`);
			ok(await srv.admin('POST', '/api/v1/slots/force-vacate', { case: C, position: pos, reason: 'race test' }));
		}
	});

	test('racing creates of the same tag/match key: exactly one 201', async () => {
		for (let round = 0; round < 30; round++) {
			const body = (tag, sn) => ({ asset_tag: tag, serial_number: sn, manufacturer: 'Acme',
				equipment_type: 'Radio', building: 'HQ', room: '1' });
			const rs = await Promise.all([
				srv.admin('POST', '/api/v1/assets', body(`MK-${round}`, `MKS-${round}-a`)),
				srv.admin('POST', '/api/v1/assets', body(`mk${round}`, `MKS-${round}-b`)),
				srv.admin('POST', '/api/v1/assets', body(`MK-X${round}`, `MKS-${round}-a`)),
			]);
			const created = rs.filter((r) => r.status === 201).length;
			assert.ok(created >= 1 && created <= 2, rs.map(show).join(' | '));
			// the first two collide by match key: never both
			assert.ok(!(rs[0].status === 201 && rs[1].status === 201), 'both match-key twins created');
			// the first and third collide by serial: never both
			assert.ok(!(rs[0].status === 201 && rs[2].status === 201), 'both serial twins created');
			for (const r of rs)
				if (r.status !== 201)
					assertError(r, 409);
		}
	});

	test('verify is ok at the end', async () => {
		const v = await srv.verify();
		assert.equal(v.ok, true, JSON.stringify(v.problems));
	});
});

describe('a server killed mid-batch', () => {
	test('loses nothing it acknowledged; what it did not is all or nothing', async () => {
		const B = 10, BATCHES = 30, K = 'KILL';
		await srv.mkCase(K, B * BATCHES);
		await Promise.all(Array.from({ length: B * BATCHES }, (_, i) =>
			srv.mkAsset(`KL-${i + 1}`, [K, i + 1])));
		const batch = (i) => Array.from({ length: B }, (_, j) => `KL-${i * B + j + 1}`);
		const victim = await srv.another();
		const acked = [];
		let cut = null;
		/* Batches of ten, one after another through the victim; after the
		 * fifth acknowledgement, SIGKILL it while the next is in flight. */
		for (let i = 0; i < BATCHES && cut === null; i++) {
			const sent = victim.as('operator')('POST', '/api/v1/custody/stock-out',
				{ holder: h1.id, asset_tags: batch(i) }).then((r) => ({ r }), (err) => ({ err }));
			if (acked.length >= 5) {
				await new Promise((r) => setTimeout(r, i % 3));
				await victim.kill();
			}
			const { r, err } = await sent;
			if (err) {
				assert.ok(victim.exited(), `a request failed while the server ran: ${err}`);
				cut = i;
			} else {
				assert.equal(r.status, 200, show(r));
				acked.push(i);
			}
		}
		/* The kill landed while a batch was outstanding: its answer never came. */
		assert.notEqual(cut, null, 'every batch was answered before the kill');
		assert.ok(acked.length >= 5);
		const states = new Map(ok(await srv.auditor('GET', `/api/v1/assets?q=KL-&limit=1000`)).assets
			.map((a) => [a.asset_tag, a.state]));
		for (const i of acked)
			for (const t of batch(i))
				assert.equal(states.get(t), 'IN_CUSTODY', `${t}: acknowledged in batch ${i}, now ${states.get(t)}`);
		const cutStates = new Set(batch(cut).map((t) => states.get(t)));
		assert.equal(cutStates.size, 1, `batch ${cut} half done: ${[...cutStates]}`);
		process.stderr.write(`# kill: ${acked.length} batches acknowledged; the cut one ${[...cutStates][0] === 'IN_CUSTODY' ? 'committed' : 'rolled back'}\n`);
		for (let i = cut + 1; i < BATCHES; i++)
			for (const t of batch(i))
				assert.equal(states.get(t), 'STORAGE', `${t}: batch ${i} was never sent`);
		const v = await srv.verify();
		assert.equal(v.ok, true, JSON.stringify(v.problems));
		const evs = await srv.allEvents();
		evs.forEach((e, i) => assert.equal(e.seq, i + 1, `event ${i + 1} has seq ${e.seq}`));
	});
});
