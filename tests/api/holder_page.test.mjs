// The holder page's "Holding now" section (/holders/{id}, SPEC §8.1): 50
// assets a page in tag order, "Next 50 assets they hold" to the rest
// (held_after=TAG), only this holder's assets.  It reads them through the
// holder's index and cuts the page itself (bench/README.md, "Scale"), so
// these pin the cut: no asset twice, none skipped, none of another holder.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ok, startServer } from './lib.mjs';

let srv, many, few, none;
const tag = (i) => `HP-${String(i).padStart(3, '0')}`;
const tags = Array.from({ length: 60 }, (_, i) => tag(i + 1));
// Every tenth asset to "few", the rest (54, more than a page) to "many":
// their tags interleave, so a page of one must skip the other's.
const manyTags = tags.filter((_, i) => (i + 1) % 10 !== 0);
const fewTags = tags.filter((_, i) => (i + 1) % 10 === 0);

before(async () => {
	srv = await startServer();
	await srv.mkCase('HP-CASE', 60);
	// Created in reverse, so tag order is not creation (id) order.
	for (let i = tags.length - 1; i >= 0; i--)
		await srv.mkAsset(tags[i], ['HP-CASE', i + 1]);
	many = await srv.mkHolder('Many Things', 'B-HP1');
	few = await srv.mkHolder('Few Things', 'B-HP2');
	none = await srv.mkHolder('No Things', 'B-HP3');
	// "many" gets its assets in two batches, out of tag order.
	ok(await srv.operator('POST', '/api/v1/custody/stock-out',
		{ holder: many.id, asset_tags: manyTags.slice(30).reverse() }));
	ok(await srv.operator('POST', '/api/v1/custody/stock-out',
		{ holder: many.id, asset_tags: manyTags.slice(0, 30) }));
	ok(await srv.operator('POST', '/api/v1/custody/stock-out',
		{ holder: few.id, asset_tags: fewTags }));
});
after(async () => {
	await srv?.stop();
});

/* The held section of holder `id`'s page (as an auditor: no edit card):
 * the asset tags it links, in page order, and its "next" cursor. */
async function held(id, query = '') {
	const res = await srv.auditor('GET', `/holders/${id}${query}`);
	assert.equal(res.status, 200, res.text.slice(0, 300));
	const start = res.text.indexOf('id="held-title"');
	const end = res.text.indexOf('id="events-title"');
	assert.ok(start > 0 && end > start, 'the page has a held section, then the events');
	const section = res.text.slice(start, end);
	const linked = [...section.matchAll(/href="\/assets\/(HP-\d{3})"/g)].map((m) => m[1]);
	const next = /held_after=(HP-\d{3})"/.exec(section);
	return { linked, next: next ? next[1] : null, text: section };
}

describe('holder page: what they hold, paged', () => {
	test('first page: the first 50 of their assets by tag, and a link to the rest', async () => {
		const p = await held(many.id);
		assert.deepEqual(p.linked, manyTags.slice(0, 50));
		assert.equal(p.next, manyTags[49]);
		assert.match(p.text, /Next 50 assets they hold/);
	});

	test('next page: exactly the rest, no repeat of the cursor, no link', async () => {
		const p = await held(many.id, `?held_after=${manyTags[49]}`);
		assert.deepEqual(p.linked, manyTags.slice(50));
		assert.equal(p.linked.length, 4);
		assert.equal(p.next, null);
	});

	test('a cursor between their tags starts at the next one they hold', async () => {
		// HP-010 is "few"'s: "many"'s page after it starts at HP-011.
		const p = await held(many.id, '?held_after=HP-010');
		assert.deepEqual(p.linked, manyTags.filter((t) => t > 'HP-010'));
		assert.equal(p.next, null);
		const q = await held(many.id, '?held_after=HP-999');
		assert.deepEqual(q.linked, []);
		assert.match(q.text, /Nothing more\./);
	});

	test('only the holder\'s own assets; a holder with none says so', async () => {
		const f = await held(few.id);
		assert.deepEqual(f.linked, fewTags);
		assert.equal(f.next, null);
		const n = await held(none.id);
		assert.deepEqual(n.linked, []);
		assert.match(n.text, /Holds nothing right now\./);
	});
});
