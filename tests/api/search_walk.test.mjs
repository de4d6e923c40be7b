// search_walk.test.mjs — a search no index serves (under three characters
// on SQLite; any search on PostgreSQL) reads at most 40,000 assets a page
// (core/read.h READ_WALK_MAX, issue #9 item 5): a page cut short by that
// holds fewer assets than asked, its next_after is the last tag it read,
// and following next_after gives every match, in order, on both engines.
// The web page says how far it looked and offers "Search further".
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ok, request, startServer } from './lib.mjs';

const WALK_MAX = 40000;
const N = WALK_MAX + 60;
const tag = (i) => `WK-${String(i).padStart(5, '0')}`;
// The assets whose notes hold "qz": one early, one just past the first
// page's walk, one at the very end.
const HITS = [3, WALK_MAX + 5, N - 1];

let srv;

before(async () => {
	srv = await startServer();
	const lines = ['asset_tag,serial_number,manufacturer,equipment_type,building,room,notes'];
	for (let i = 0; i < N; i++)
		lines.push(`${tag(i)},WS-${i},Acme,Radio,HQ,2,${HITS.includes(i) ? 'case qz' : 'plain'}`);
	const file = path.join(srv.dir, 'walk.csv');
	fs.writeFileSync(file, lines.join('\n') + '\n');
	const r = srv.cli(['import', 'assets', file]);
	assert.equal(r.status, 0, r.stderr);
});
after(async () => {
	await srv?.stop();
});

test('a two-letter search is answered page by page, each page reading at most 40,000 assets', async () => {
	const first = ok(await request(srv.base, 'GET', '/api/v1/assets?q=qz&limit=50',
		{ token: srv.tokens.auditor }));
	// Cut short: one match among the first 40,000 tags, and where to go on.
	assert.deepEqual(first.assets.map((a) => a.asset_tag), [tag(HITS[0])]);
	assert.equal(first.next_after, tag(WALK_MAX - 1));
	const second = ok(await request(srv.base, 'GET',
		`/api/v1/assets?q=qz&limit=50&after=${first.next_after}`, { token: srv.tokens.auditor }));
	assert.deepEqual(second.assets.map((a) => a.asset_tag), [tag(HITS[1]), tag(HITS[2])]);
	assert.equal(second.next_after, null);
	// A full page before the walk's end is an ordinary page.
	const full = ok(await request(srv.base, 'GET', '/api/v1/assets?q=WK&limit=50',
		{ token: srv.tokens.auditor }));
	assert.equal(full.assets.length, 50);
	assert.equal(full.next_after, tag(49));
	// Without a search nothing is cut.
	const plain = ok(await request(srv.base, 'GET', `/api/v1/assets?limit=5&after=${tag(WALK_MAX + 1)}`,
		{ token: srv.tokens.auditor }));
	assert.deepEqual(plain.assets.map((a) => a.asset_tag),
		[2, 3, 4, 5, 6].map((k) => tag(WALK_MAX + k)));
});

test('the assets page says how far a cut search looked and offers to search further', async () => {
	const login = await request(srv.base, 'POST', '/api/v1/login',
		{ body: { username: 'auditor', password: srv.passwords.auditor } });
	assert.equal(login.status, 200, login.text);
	const cookie = login.headers.get('set-cookie').split(';')[0];
	const page = await fetch(`${srv.base}/assets?q=qz`, { headers: { cookie } });
	assert.equal(page.status, 200);
	const html = await page.text();
	assert.ok(html.includes(`>${tag(HITS[0])}</a>`), 'the first match is listed');
	assert.ok(html.includes(`Searched the assets up to ${tag(WALK_MAX - 1)} in tag order`), html);
	const link = /<a [^>]*href="([^"]+)"[^>]*>Search further</.exec(html);
	assert.ok(link, 'a "Search further" link');
	const next = await fetch(`${srv.base}${link[1].replaceAll('&amp;', '&')}`, { headers: { cookie } });
	const html2 = await next.text();
	assert.ok(html2.includes(`>${tag(HITS[1])}</a>`) && html2.includes(`>${tag(HITS[2])}</a>`));
	assert.ok(!html2.includes('Search further'));
});
