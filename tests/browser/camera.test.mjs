// camera.test.mjs — scanning with the camera (issue #12, item 7): the
// "Scan with camera" button beside the scan fields (static/camera.js).
//
// Chromium's fake camera plays a Y4M file made here from the product's own
// labels: `assettrack labels ... --out FILE.png` (libzint, Code 128 + QR)
// drawn into a canvas, converted to I420 in the page, written as a few
// frames.  A browser is launched per label (the file is a launch flag).
// Each camera scan must give what the same text typed gives: the same
// line, the same refusal text, the same sounds (a recording AudioContext),
// and the state in the JSON API.  Also: the reopen after each submit, a
// label held in view is sent once, Esc, the words for a plain-HTTP page
// (a name mapped to 127.0.0.1 is not a secure origin) and for a refused
// camera, the browser's BarcodeDetector used when it reads our formats;
// no console error and no CSP violation anywhere.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { chromium } from 'playwright-core';

import { cli as runCli } from '../api/lib.mjs';
import {
	assertNoHorizontalScroll, CHROMIUM, closePage, DESKTOP, login, newPage, PHONE, screenshot,
	startServer, USERS,
} from './lib.mjs';

const t0 = Date.now();
let srv, token, plain;
const videos = {};            /* text -> .y4m path */
const HOST = 'assettrack.test';

/* GET the JSON API with the admin's token; returns the parsed body. */
async function api(p) {
	const res = await fetch(srv.base + p, { headers: { Authorization: `Bearer ${token}` } });
	const json = await res.json();
	assert.equal(res.status, 200, `${p}: ${JSON.stringify(json)}`);
	return json;
}

function cliOk(args, db = srv.db) {
	const r = runCli(db, args);
	assert.equal(r.status, 0, `assettrack ${args.join(' ')}: ${r.stderr}`);
	return r.stdout;
}

/*
 * Chromium as lib.mjs launches it, plus `extra` flags.  With `video`, a
 * fake camera that plays that file, allowed without a prompt; HOST always
 * resolves to 127.0.0.1 (and nothing else resolves at all).
 */
function launch(video) {
	const args = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic',
		'--no-first-run', '--disable-background-networking', '--disable-component-update',
		'--disable-sync', '--disable-dev-shm-usage', `--host-resolver-rules=MAP ${HOST} 127.0.0.1`];
	if (video)
		args.push('--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
			`--use-file-for-fake-video-capture=${video}`);
	return chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 60000, args });
}

/* Before any page script: record CSP violations and the beeps app.js
 * plays (an AudioContext that only writes down each oscillator's
 * frequency), per page load. */
function recorders() {
	window.__csp = [];
	document.addEventListener('securitypolicyviolation', (e) =>
		window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
	window.__beeps = [];
	window.AudioContext = class {
		constructor() {
			this.currentTime = 0;
			this.destination = {};
		}
		createOscillator() {
			const o = { type: '', frequency: { value: 0 }, connect() {}, stop() {},
				start: () => window.__beeps.push(o.frequency.value) };
			return o;
		}
		createGain() {
			return { gain: { value: 0 }, connect() {} };
		}
		close() {
			return Promise.resolve();
		}
		resume() {
			return Promise.resolve();
		}
	};
}

async function operatorPage(browser, { base = srv.base, size = DESKTOP, init } = {}) {
	const page = await newPage(browser, size);
	await page.addInitScript(recorders);
	if (init)
		await page.addInitScript(init);
	page.zxingRequests = 0;
	page.on('request', (rq) => {
		if (rq.url().endsWith('/static/zxing.min.js'))
			page.zxingRequests++;
	});
	await login(page, base, 'operator', USERS.operator.password);
	return page;
}

/* No console error, no CSP violation on the page as it is now. */
async function assertClean(page) {
	assert.deepEqual(page.consoleErrors, []);
	assert.deepEqual(await page.evaluate(() => window.__csp), []);
	assert.deepEqual(page.externalRequests.filter((u) => new URL(u).hostname !== HOST), []);
}

/* Type `text` into Scan and press Enter (a wedge scanner). */
async function typeScan(page, text) {
	await page.getByLabel('Scan', { exact: true }).fill(text);
	await Promise.all([page.waitForNavigation(),
		page.getByLabel('Scan', { exact: true }).press('Enter')]);
}

async function click(page, name) {
	await Promise.all([page.waitForNavigation(),
		page.getByRole('button', { name, exact: true }).click()]);
}

/* Press "Scan with camera" and wait for the page the decoded code's
 * submit brings; resolves with that response. */
async function cameraScan(page) {
	const [res] = await Promise.all([
		page.waitForNavigation({ timeout: 20000 }),
		page.getByRole('button', { name: 'Scan with camera' }).click(),
	]);
	return res;
}

const lines = (page) => page.locator('ol.batch-lines > li');
const status = (page) => page.locator('.at-cam-panel [role="status"]');

/* What a batch line shows, to compare a typed scan's with a camera's. */
async function lineFacts(li) {
	return {
		cls: await li.getAttribute('class'),
		result: await li.getAttribute('data-scan-result'),
		tag: await li.locator('strong.tag').innerText(),
		text: (await li.innerText()).replace(/\s+/g, ' ').trim(),
	};
}

/*
 * A W x H I420 Y4M of the PNG `png` drawn centred on white, `frames`
 * identical frames at 10 fps: drawn and converted (BT.601, studio range,
 * 2x2 chroma averages) in a page of `browser`.
 */
async function y4m(browser, png, file, { w = 640, h = 480, frames = 5 } = {}) {
	const page = await browser.newPage();
	try {
		const b64 = fs.readFileSync(png).toString('base64');
		const planes = await page.evaluate(async ({ b64, w, h }) => {
			const img = new Image();
			img.src = 'data:image/png;base64,' + b64;
			await img.decode();
			const c = document.createElement('canvas');
			c.width = w;
			c.height = h;
			const ctx = c.getContext('2d');
			ctx.fillStyle = '#fff';
			ctx.fillRect(0, 0, w, h);
			const s = Math.min((w * 0.85) / img.width, (h * 0.85) / img.height);
			const dw = Math.round(img.width * s), dh = Math.round(img.height * s);
			ctx.imageSmoothingEnabled = false;
			ctx.drawImage(img, (w - dw) >> 1, (h - dh) >> 1, dw, dh);
			const px = ctx.getImageData(0, 0, w, h).data;
			const out = new Uint8Array(w * h * 3 / 2);
			const U = w * h, V = U + (w / 2) * (h / 2);
			for (let i = 0; i < w * h; i++)
				out[i] = Math.round(16 + 0.257 * px[4 * i] + 0.504 * px[4 * i + 1] +
					0.098 * px[4 * i + 2]);
			for (let y = 0; y < h / 2; y++) {
				for (let x = 0; x < w / 2; x++) {
					let r = 0, g = 0, b = 0;
					for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
						const k = 4 * ((2 * y + dy) * w + 2 * x + dx);
						r += px[k] / 4;
						g += px[k + 1] / 4;
						b += px[k + 2] / 4;
					}
					const j = y * (w / 2) + x;
					out[U + j] = Math.round(128 - 0.148 * r - 0.291 * g + 0.439 * b);
					out[V + j] = Math.round(128 + 0.439 * r - 0.368 * g - 0.071 * b);
				}
			}
			let bin = '';
			for (let i = 0; i < out.length; i += 0x8000)
				bin += String.fromCharCode.apply(null, out.subarray(i, i + 0x8000));
			return btoa(bin);
		}, { b64, w, h });
		const frame = Buffer.concat([Buffer.from('FRAME\n'), Buffer.from(planes, 'base64')]);
		assert.equal(frame.length, 6 + w * h * 3 / 2);
		fs.writeFileSync(file, Buffer.concat([
			Buffer.from(`YUV4MPEG2 W${w} H${h} F10:1 Ip A1:1 C420jpeg\n`),
			...Array(frames).fill(frame)]));
	} finally {
		await page.close();
	}
}

before(async () => {
	srv = await startServer();
	token = cliOk(['user', 'token', 'admin']).trim().split(/\s+/).pop();
	cliOk(['case', 'add', 'PELI-07', '--slots', '6']);
	cliOk(['case', 'add', 'BOX-1', '--slots', '1']);
	cliOk(['holder', 'add', 'Dana Ruiz', '--badge', 'B-17']);
	for (let i = 1; i <= 5; i++)
		cliOk(['asset', 'add', '--tag', `AT-000${i}`, '--serial', `SN-${i}`, '--manufacturer', 'Dell',
			'--type', 'Laptop', '--building', 'HQ', '--room', '101', '--case', 'PELI-07',
			'--slot', String(i)]);
	cliOk(['stock-out', '--holder', 'B-17', 'AT-0002']);

	/* The labels, printed by the product: AT-0001 and slot BOX-1/1 from
	 * the server's database; AT-9999, which the server has never heard
	 * of, from a scratch one. */
	const scratch = path.join(srv.dir, 'labels.db');
	cliOk(['init'], scratch);
	cliOk(['asset', 'add', '--tag', 'AT-9999', '--serial', 'SN-9999', '--manufacturer', 'Dell',
		'--type', 'Laptop', '--building', 'HQ', '--room', '101'], scratch);
	const pngs = {
		'AT-0001': [['labels', 'asset', 'AT-0001'], srv.db],
		'AT-9999': [['labels', 'asset', 'AT-9999'], scratch],
		'BOX-1/1': [['labels', 'case', 'BOX-1'], srv.db],
	};
	plain = await launch(null);
	for (const [text, [args, db]] of Object.entries(pngs)) {
		const name = text.replace('/', '-');
		const png = path.join(srv.dir, `${name}.png`);
		cliOk([...args, '--layout', 'thermal', '--out', png], db);
		videos[text] = path.join(srv.dir, `${name}.y4m`);
		await y4m(plain, png, videos[text]);
	}
});

after(async () => {
	await plain?.close();
	await srv?.stop();
	console.log(`# camera.test.mjs: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});

test('Stock-Out by camera: the line a typed scan gives, once, kept open across pages', async () => {
	const browser = await launch(videos['AT-0001']);
	try {
		const page = await operatorPage(browser);
		await page.goto(srv.base + '/stock-out');
		await page.getByLabel('Holder', { exact: true }).fill('B-17');
		await Promise.all([page.waitForNavigation(),
			page.getByLabel('Holder', { exact: true }).press('Enter')]);
		const button = page.getByRole('button', { name: 'Scan with camera' });
		assert.equal(await button.count(), 1);
		assert.equal(await button.getAttribute('aria-expanded'), 'false');
		assert.equal(await page.locator('.at-cam-panel').count(), 0);

		const res = await cameraScan(page);
		assert.equal(res.status(), 200);
		assert.equal(await lines(page).count(), 1);
		const cam = await lineFacts(lines(page).first());
		assert.deepEqual(cam, { cls: 'line-ok', result: 'ok', tag: 'AT-0001',
			text: '1 AT-0001 from PELI-07/1 Remove line 1 (AT-0001) OK' });
		assert.deepEqual(await page.evaluate(() => window.__beeps), [880]);

		/* The panel is back on the page the submit brought, the camera
		 * running; the label still in view is not sent again. */
		await status(page).filter({ hasText: 'Point the camera at a label.' })
			.waitFor({ timeout: 10000 });
		assert.equal(await button.getAttribute('aria-expanded'), 'true');
		assert.equal(await page.evaluate(() => {
			const v = document.querySelector('.at-cam-panel video');
			return v.srcObject.getVideoTracks()[0].readyState + ' ' + (v.videoWidth > 0);
		}), 'live true');
		await page.waitForTimeout(2500);
		assert.equal(await lines(page).count(), 1);
		assert.equal(new URL(page.url()).pathname, '/stock-out');

		/* Screenshots with the panel open, at both widths. */
		await screenshot(page, 'camera-stock-out');
		await assertNoHorizontalScroll(page);
		await page.setViewportSize(PHONE);
		await screenshot(page, 'camera-stock-out');
		await assertNoHorizontalScroll(page);
		await page.setViewportSize(DESKTOP);

		/* Esc closes it: the focus goes back to Scan, the camera stops,
		 * and a reload does not open it again. */
		const track = await page.evaluateHandle(() =>
			document.querySelector('.at-cam-panel video').srcObject.getVideoTracks()[0]);
		await page.keyboard.press('Escape');
		assert.equal(await page.locator('.at-cam-panel').count(), 0);
		assert.equal(await track.evaluate((t) => t.readyState), 'ended');
		assert.equal(await page.evaluate(() => document.activeElement.id), 'scan');
		assert.equal(await button.getAttribute('aria-expanded'), 'false');
		await page.reload();
		await page.waitForTimeout(300);
		assert.equal(await page.locator('.at-cam-panel').count(), 0);

		/* The camera's line commits like any other. */
		await click(page, 'Commit');
		assert.equal(await page.locator('#confirmation h2').innerText(),
			'Stock-Out complete: 1 asset to Dana Ruiz');
		const a1 = await api('/api/v1/assets/AT-0001');
		assert.equal(a1.state, 'IN_CUSTODY');
		assert.equal(a1.holder.name, 'Dana Ruiz');
		/* ZXing: this Chromium has no BarcodeDetector; once for each page that
		 * opened the camera. */
		assert.equal(page.zxingRequests, 2);
		await assertClean(page);
	} finally {
		await browser.close();
	}
});

test('an unknown tag by camera: the same refusal, colours and sounds as typed', async () => {
	const browser = await launch(videos['AT-9999']);
	try {
		const page = await operatorPage(browser);
		await page.goto(srv.base + '/stock-out');
		await typeScan(page, 'AT-9999');
		const typed = await lineFacts(lines(page).first());
		const typedReason = await lines(page).first().locator('.reason').innerText();
		const typedBeeps = await page.evaluate(() => window.__beeps);
		assert.match(typedReason, /^NOT_FOUND\s*AT-9999: no asset has this tag$/);
		assert.deepEqual(typedBeeps, [220, 220]);
		await click(page, 'Remove line 1 (AT-9999)');
		assert.equal(await lines(page).count(), 0);

		await cameraScan(page);
		assert.equal(await lines(page).count(), 1);
		const li = lines(page).first();
		assert.deepEqual(await lineFacts(li), typed);
		assert.equal(typed.cls, 'line-bad flash-bad');
		assert.equal(await li.locator('.reason').innerText(), typedReason);
		assert.deepEqual(await page.evaluate(() => window.__beeps), typedBeeps);
		await status(page).filter({ hasText: 'Point the camera at a label.' })
			.waitFor({ timeout: 10000 });

		/* Close by its button. */
		await page.getByRole('button', { name: 'Close camera' }).click();
		assert.equal(await page.locator('.at-cam-panel').count(), 0);
		assert.equal(await page.evaluate(() => document.activeElement.id), 'scan');
		await click(page, 'Remove line 1 (AT-9999)');
		await assertClean(page);
	} finally {
		await browser.close();
	}
});

test('Stock-In: a slot label by camera sends the line to that slot', async () => {
	const browser = await launch(videos['BOX-1/1']);
	try {
		const page = await operatorPage(browser);
		await page.goto(srv.base + '/stock-in');
		await typeScan(page, 'AT-0002');
		const li = lines(page).first();
		assert.match(await li.innerText(), /OK\s*returns to PELI-07\/2/);

		await cameraScan(page);
		assert.equal(await lines(page).count(), 1);
		assert.equal(await li.getByLabel('Case').inputValue(), 'BOX-1');
		assert.equal(await li.getByLabel('Slot').inputValue(), '1');
		assert.match(await li.innerText(), /OK\s*returns to BOX-1\/1/);
		assert.equal(await li.getAttribute('data-scan-result'), 'ok');
		await status(page).filter({ hasText: 'Point the camera at a label.' })
			.waitFor({ timeout: 10000 });
		await page.keyboard.press('Escape');
		await click(page, 'Commit');
		assert.deepEqual((await api('/api/v1/assets/AT-0002')).slot, { case: 'BOX-1', position: 1 });
		await assertClean(page);
	} finally {
		await browser.close();
	}
});

test('plain HTTP: the button explains how to serve over TLS', async () => {
	/* http://assettrack.test is the same server, but not a secure origin. */
	const base = `http://${HOST}:${srv.port}`;
	const page = await operatorPage(plain, { base, size: PHONE });
	try {
		await page.goto(base + '/stock-out');
		assert.equal(await page.evaluate(() => window.isSecureContext), false);
		const button = page.getByRole('button', { name: 'Scan with camera' });
		assert.match(await button.getAttribute('class'), /\bat-cam-off\b/);
		assert.equal(await button.getAttribute('title'), 'The camera needs HTTPS: press to read how');
		await button.click();
		const words = await status(page).innerText();
		assert.match(words, /only over HTTPS/);
		assert.match(words, /assettrack serve --tls-cert PEM --tls-key PEM/);
		assert.equal(await page.locator('.at-cam-panel video').count(), 0);
		await screenshot(page, 'camera-plain-http');
		await assertNoHorizontalScroll(page);
		await page.keyboard.press('Escape');
		assert.equal(await page.locator('.at-cam-panel').count(), 0);
		await assertClean(page);
	} finally {
		await closePage(page);
	}
});

test('a refused camera is explained in words', async () => {
	const page = await operatorPage(plain, {
		init: () => {
			navigator.mediaDevices.getUserMedia = () =>
				Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
		},
	});
	try {
		await page.goto(srv.base + '/stock-out');
		await page.getByRole('button', { name: 'Scan with camera' }).click();
		const st = status(page).filter({ hasText: 'not allowed' });
		await st.waitFor({ timeout: 5000 });
		assert.equal(await st.innerText(), 'The camera is not allowed for this site. Allow it ' +
			'in the browser\'s site settings, then press Scan with camera again.');
		assert.match(await st.getAttribute('class'), /text-danger/);
		await assertClean(page);
	} finally {
		await closePage(page);
	}
});

test('a decoder that cannot be loaded is explained, and the camera stops', async () => {
	/* A blank stream for a camera; /static/zxing.min.js never arrives. */
	const page = await operatorPage(plain, {
		init: () => {
			navigator.mediaDevices.getUserMedia = () => {
				const c = document.createElement('canvas');
				c.getContext('2d').fillRect(0, 0, 64, 48);
				window.__stream = c.captureStream(5);
				return Promise.resolve(window.__stream);
			};
		},
	});
	try {
		await page.route('**/static/zxing.min.js', (route) => route.abort());
		await page.goto(srv.base + '/stock-in');
		await page.getByRole('button', { name: 'Scan with camera' }).click();
		const st = status(page).filter({ hasText: 'decoder' });
		await st.waitFor({ timeout: 5000 });
		assert.equal(await st.innerText(),
			'The barcode decoder could not be loaded: reload the page and try again.');
		assert.equal(await page.evaluate(() => window.__stream.getTracks()[0].readyState), 'ended');
		/* The aborted request is the one error chromium reports. */
		assert.deepEqual(page.consoleErrors.map((m) => m.replace(/:.*/, '')),
			['Failed to load resource']);
		page.consoleErrors.length = 0;
		await assertClean(page);
	} finally {
		await closePage(page);
	}
});

test('the browser\'s BarcodeDetector is used where it reads Code 128 and QR', async () => {
	/* A stand-in detector that reads AT-0003 in any frame, and a blank
	 * stream for a camera (this browser has none). */
	const page = await operatorPage(plain, {
		init: () => {
			navigator.mediaDevices.getUserMedia = () => {
				const c = document.createElement('canvas');
				c.width = 64;
				c.height = 48;
				c.getContext('2d').fillRect(0, 0, 64, 48);
				return Promise.resolve(c.captureStream(5));
			};
			window.BarcodeDetector = class {
				static getSupportedFormats() {
					return Promise.resolve(['code_128', 'qr_code', 'ean_13']);
				}
				constructor(opts) {
					window.__formats = opts.formats;
				}
				detect() {
					return Promise.resolve([{ rawValue: 'AT-0003', format: 'code_128' }]);
				}
			};
		},
	});
	try {
		await page.goto(srv.base + '/stock-out');
		await page.getByLabel('Holder', { exact: true }).fill('B-17');
		await Promise.all([page.waitForNavigation(),
			page.getByLabel('Holder', { exact: true }).press('Enter')]);
		await cameraScan(page);
		assert.equal(await lines(page).count(), 1);
		assert.equal(await lines(page).first().locator('strong.tag').innerText(), 'AT-0003');
		assert.deepEqual(await page.evaluate(() => window.__formats),
			['code_128', 'qr_code', 'ean_13']);
		assert.equal(page.zxingRequests, 0);
		await click(page, 'Remove line 1 (AT-0003)');
		await assertClean(page);
	} finally {
		await closePage(page);
	}
});
