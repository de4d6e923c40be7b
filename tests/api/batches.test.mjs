// GET /api/v1/batches/{batch_id} (SPEC §7): one batch read back from the
// log — who, when, to whom, the due date, the count, the chain head after
// it, and its events exactly as the events API writes them, a page at a
// time.  Every role may read it; an unknown id is 404 NOT_FOUND.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, dayOffset, HEX64, ISO_MS, ok, startServer } from './lib.mjs';

let srv, dana, eli;
const C = 'BATCH-A';
const tags = Array.from({ length: 30 }, (_, i) => `BT-${String(i + 1).padStart(4, '0')}`);

before(async () => {
	srv = await startServer();
	await srv.mkCase(C, 40);
	for (let i = 0; i < tags.length; i++)
		await srv.mkAsset(tags[i], [C, i + 1], { manufacturer: 'Motorola', model: 'APX 6000' });
	dana = await srv.mkHolder('Dana Ruiz', 'B-0042');
	eli = await srv.mkHolder('Eli Kim');
});
after(async () => {
	await srv?.stop();
});

const batch = (id, query = '', who = 'auditor') =>
	srv[who]('GET', `/api/v1/batches/${id}${query}`);

/* Every event of batch `id`, from the events API. */
const eventsOf = async (id) => (await srv.allEvents()).filter((e) => e.batch_id === id);

const KEYS = ['actor', 'at', 'batch_id', 'count', 'due', 'events', 'head', 'holder', 'next_after',
	'type'];

describe('a Stock-Out batch', () => {
	let out, due;
	before(async () => {
		due = dayOffset(14);
		out = ok(await srv.operator('POST', '/api/v1/custody/stock-out',
			{ holder: 'B-0042', asset_tags: ['bt0001', 'BT-0002', 'BT-0003'], due }));
	});

	test('who, when, to whom, due, count, head and its events', async () => {
		const b = ok(await batch(out.batch_id));
		assert.deepEqual(Object.keys(b).sort(), KEYS);
		assert.equal(b.batch_id, out.batch_id);
		assert.equal(b.type, 'STOCK_OUT');
		assert.match(b.at, ISO_MS);
		assert.equal(b.actor, 'operator');
		assert.deepEqual(b.holder, { id: dana.id, name: 'Dana Ruiz', badge: 'B-0042' });
		assert.equal(b.due, due);
		assert.equal(b.count, 3);
		assert.equal(b.next_after, null);
		/* The events are the events API's, field for field. */
		const evs = await eventsOf(out.batch_id);
		assert.equal(evs.length, 3);
		assert.deepEqual(b.events, evs);
		assert.deepEqual(b.events.map((e) => e.asset_tag), ['BT-0001', 'BT-0002', 'BT-0003']);
		assert.deepEqual(b.events.map((e) => e.from), [1, 2, 3].map((p) => ({ case: C, position: p })));
		for (const e of b.events) {
			assert.equal(e.at, b.at);
			assert.equal(e.actor, 'operator');
			assert.deepEqual(e.details, { due });
		}
		/* The head is the batch's last event, as SEQ:HASH. */
		const last = evs[evs.length - 1];
		assert.equal(b.head, `${last.seq}:${last.hash}`);
		assert.match(b.head.split(':')[1], HEX64);
	});

	test('the head still anchors the log after later batches (verify --anchor)', async () => {
		const b = ok(await batch(out.batch_id));
		ok(await srv.operator('POST', '/api/v1/custody/stock-out',
			{ holder: eli.id, asset_tags: ['BT-0010'] }));
		const again = ok(await batch(out.batch_id));
		assert.equal(again.head, b.head);
		const r = srv.cli(['verify', '--anchor', b.head]);
		assert.equal(r.status, 0, r.stderr);
		/* A head the log never had is refused: the check can fail. */
		const [seq, hash] = b.head.split(':');
		const wrong = `${seq}:${hash.slice(0, 63)}${hash[63] === '0' ? '1' : '0'}`;
		assert.equal(srv.cli(['verify', '--anchor', wrong]).status, 1);
	});

	test('the id in upper case names the same batch', async () => {
		const b = ok(await batch(out.batch_id.toUpperCase()));
		assert.equal(b.batch_id, out.batch_id);
	});
});

describe('a Stock-In batch', () => {
	test('the holder who returned them, no due date', async () => {
		ok(await srv.operator('POST', '/api/v1/custody/stock-out',
			{ holder: eli.id, asset_tags: ['BT-0020', 'BT-0021'], due: dayOffset(3) }));
		const back = ok(await srv.operator('POST', '/api/v1/custody/stock-in',
			{ items: [{ asset_tag: 'BT-0020' }, { asset_tag: 'BT-0021', case: C, position: 35 }] }));
		const b = ok(await batch(back.batch_id));
		assert.equal(b.type, 'STOCK_IN');
		assert.deepEqual(b.holder, { id: eli.id, name: 'Eli Kim', badge: null });
		assert.equal(b.due, null);
		assert.equal(b.count, 2);
		assert.deepEqual(b.events.map((e) => e.to), [{ case: C, position: 20 }, { case: C, position: 35 }]);
		assert.deepEqual(b.events, await eventsOf(back.batch_id));
	});
});

describe('other batches', () => {
	test('create with a slot: two kinds of event, the first is the type, no holder', async () => {
		const a = await srv.mkAsset('BT-NEW', [C, 40]);
		const evs = (await srv.allEvents()).filter((e) => e.asset_tag === a.asset_tag);
		assert.equal(evs.length, 2);
		const b = ok(await batch(evs[0].batch_id));
		assert.equal(b.type, 'ASSET_CREATED');
		assert.deepEqual(b.events.map((e) => e.type), ['ASSET_CREATED', 'SLOT_ASSIGN']);
		assert.equal(b.holder, null);
		assert.equal(b.due, null);
		assert.equal(b.actor, 'admin');
		assert.equal(b.count, 2);
	});
});

describe('pages', () => {
	test('limit and after walk a batch in order, without gaps', async () => {
		const big = tags.slice(3, 28);   // BT-0004 .. BT-0028, minus those out already
		const free = [];
		for (const t of big) {
			const a = await srv.getAsset(t);
			if (a.state === 'STORAGE' && a.slot)
				free.push(t);
		}
		assert.ok(free.length >= 20, `only ${free.length} assets free`);
		const out = ok(await srv.operator('POST', '/api/v1/custody/stock-out',
			{ holder: dana.id, asset_tags: free }));
		const seen = [];
		let after = null, pages = 0, head = null;
		do {
			const b = ok(await batch(out.batch_id, `?limit=7${after !== null ? `&after=${after}` : ''}`));
			assert.equal(b.count, free.length);
			head = head ?? b.head;
			assert.equal(b.head, head);
			assert.ok(b.events.length <= 7);
			if (b.next_after !== null) {
				assert.equal(b.events.length, 7);
				assert.equal(b.next_after, b.events[6].seq);
			}
			seen.push(...b.events);
			after = b.next_after;
			pages++;
		} while (after !== null);
		assert.equal(pages, Math.ceil(free.length / 7));
		assert.deepEqual(seen.map((e) => e.asset_tag), free);
		for (let i = 1; i < seen.length; i++)
			assert.equal(seen[i].seq, seen[i - 1].seq + 1);
		assert.equal(head, `${seen.at(-1).seq}:${seen.at(-1).hash}`);
		/* The default page is 50: the whole of this batch. */
		assert.equal(ok(await batch(out.batch_id)).events.length, free.length);
	});

	test('a bad limit or after is 422 INVALID', async () => {
		const id = (await srv.allEvents()).at(-1).batch_id;
		for (const q of ['?limit=0', '?limit=1001', '?limit=x', '?after=-1', '?after=abc'])
			assertError(await batch(id, q), 422, { code: 'INVALID' }, q);
	});
});

describe('unknown ids', () => {
	test('404 NOT_FOUND for an id no event has, and for text that is no id', async () => {
		for (const id of ['00000000-0000-4000-8000-000000000000', 'nope',
			'00000000-0000-4000-8000-00000000000', '0000000g-0000-4000-8000-000000000000']) {
			const e = assertError(await batch(id), 404, { code: 'NOT_FOUND', items: 0 }, id);
			assert.match(e.message, /^there is no batch /);
		}
	});
});

describe('roles', () => {
	test('admin, operator and auditor may read a batch; nobody else', async () => {
		const id = (await srv.allEvents()).at(-1).batch_id;
		for (const who of ['admin', 'operator', 'auditor'])
			assert.equal(ok(await batch(id, '', who)).batch_id, id, who);
		assertError(await srv.req('GET', `/api/v1/batches/${id}`), 401, { code: 'UNAUTHORIZED' });
		assertError(await srv.req('GET', `/api/v1/batches/${id}`, { token: 'f'.repeat(64) }), 401,
			{ code: 'UNAUTHORIZED' });
		/* Read only: no other method. */
		const post = await srv.admin('POST', `/api/v1/batches/${id}`, {});
		assert.equal(post.status, 405);
	});
});
