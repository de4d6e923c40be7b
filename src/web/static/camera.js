/*
 * camera.js — scan labels with the device's camera where no wedge scanner
 * is at hand (issue #12, item 7).
 *
 * Every field marked data-scan gets a "Scan with camera" button (made
 * here, so without JavaScript nothing changes).  It opens a panel with the
 * rear camera's picture; each code read goes into the field and is sent
 * exactly as a wedge scanner's Enter sends it, so the server's answer,
 * its refusals and app.js's sounds are the same.  Decoding goes on for
 * batch scanning: after the page the submit brings, the panel opens again.
 *
 * The decoder is the browser's own BarcodeDetector where it reads Code 128
 * and QR, else ZXing (/static/zxing.min.js, embedded in the binary, loaded
 * only when needed).  Browsers give the camera to secure pages only
 * (HTTPS, or localhost): elsewhere the button says how to serve over TLS.
 * Plain ES2017, no inline code or style (CSP script-src 'self').
 */
(function () {
	'use strict';

	/* sessionStorage keys: the field whose camera is to open again on the
	 * page a submit brings; the last code read and when it was seen. */
	var REOPEN_KEY = 'assettrack-camera-reopen';
	var LAST_KEY = 'assettrack-camera-last';
	var REOPEN_MS = 60000;   /* a submit's page later than this is another visit */
	var SAME_MS = 2000;      /* the same code again within this is the same sighting */
	var TICK_MS = 150;       /* pause between two decoding attempts */
	var ZXING_SRC = '/static/zxing.min.js';
	/* What our labels carry (Code 128 and QR, core/label.c) and what
	 * makers print on devices (Code 39, EAN-13). */
	var FORMATS = ['code_128', 'qr_code', 'code_39', 'ean_13'];
	var TLS_HINT = 'assettrack serve --tls-cert PEM --tls-key PEM';

	var cam = null;          /* the open camera: one at a time */
	var zxingLoad = null;    /* Promise of window.ZXingBrowser */

	/* ---- Storage ------------------------------------------------------ */

	/* sessionStorage may be missing or throw (private modes): then the
	 * camera simply does not reopen and repeats are caught per page. */
	function load(key) {
		try {
			return JSON.parse(window.sessionStorage.getItem(key) || 'null');
		} catch (e) {
			return null;
		}
	}

	function save(key, value) {
		try {
			if (value === null)
				window.sessionStorage.removeItem(key);
			else
				window.sessionStorage.setItem(key, JSON.stringify(value));
		} catch (e) {
			/* no storage: nothing to remember */
		}
	}

	/* ---- Decoders ----------------------------------------------------- */

	/* The native detector when it reads what our labels carry, else null. */
	function nativeDetector() {
		var BD = window.BarcodeDetector;
		if (typeof BD !== 'function' || typeof BD.getSupportedFormats !== 'function')
			return Promise.resolve(null);
		return BD.getSupportedFormats().then(function (have) {
			if (have.indexOf('code_128') < 0 || have.indexOf('qr_code') < 0)
				return null;
			var d = new BD({ formats: FORMATS.filter(function (f) {
				return have.indexOf(f) >= 0;
			}) });
			return function (video) {
				return d.detect(video).then(function (codes) {
					return codes.length ? codes[0].rawValue : null;
				});
			};
		}).catch(function () {
			return null;
		});
	}

	/* Load ZXing's UMD build once (it sets window.ZXingBrowser). */
	function loadZXing() {
		if (!zxingLoad) {
			zxingLoad = new Promise(function (resolve, reject) {
				if (window.ZXingBrowser)
					return resolve(window.ZXingBrowser);
				var s = document.createElement('script');
				s.src = ZXING_SRC;
				var fail = function (why) {
					var e = new Error(why);
					e.decoder = true;
					reject(e);
				};
				s.onload = function () {
					if (window.ZXingBrowser)
						resolve(window.ZXingBrowser);
					else
						fail('no ZXingBrowser in ' + ZXING_SRC);
				};
				s.onerror = function () {
					fail('cannot load ' + ZXING_SRC);
				};
				document.head.appendChild(s);
			});
			zxingLoad.catch(function () {
				zxingLoad = null;   /* let a later open try again */
			});
		}
		return zxingLoad;
	}

	/*
	 * ZXing's multi-format reader over a canvas we draw each frame into.
	 * The hint map's key 2 is DecodeHintType.POSSIBLE_FORMATS, which the
	 * browser build does not export; a wrong key would only make it try
	 * every format.
	 */
	function zxingDetector(Z) {
		var BF = Z.BarcodeFormat;
		var hints = new Map();
		hints.set(2, [BF.CODE_128, BF.QR_CODE, BF.CODE_39, BF.EAN_13]);
		var reader = new Z.BrowserMultiFormatReader(hints);
		var canvas = document.createElement('canvas');
		/* Read back every frame: tell the canvas so. */
		var ctx = canvas.getContext('2d', { willReadFrequently: true });
		return function (video) {
			var w = video.videoWidth, h = video.videoHeight;
			if (!w || !h)
				return Promise.resolve(null);
			if (canvas.width !== w || canvas.height !== h) {
				canvas.width = w;
				canvas.height = h;
			}
			ctx.drawImage(video, 0, 0, w, h);
			try {
				return Promise.resolve(reader.decodeFromCanvas(canvas).getText());
			} catch (e) {
				return Promise.resolve(null);   /* no code in this frame */
			}
		};
	}

	function pickDetector() {
		return nativeDetector().then(function (d) {
			return d || loadZXing().then(function (Z) {
				try {
					return zxingDetector(Z);
				} catch (e) {
					e.decoder = true;
					throw e;
				}
			});
		});
	}

	/* ---- Sending a code ----------------------------------------------- */

	/*
	 * What a wedge scanner's Enter does in `field`: a textarea takes the
	 * code as a line; an input submits its form the way Enter does, by a
	 * click on the form's default button (its first submit button, even
	 * one outside it with form=ID), which runs the same checks, fires the
	 * same submit event and sends that button's name and value.  A
	 * disabled default button means Enter does nothing; a form with no
	 * submit button at all is submitted as it is.
	 */
	function enter(field, text) {
		var form = field.form;
		if (field.tagName === 'TEXTAREA') {
			field.value += (field.value && !/\n$/.test(field.value) ? '\n' : '') + text + '\n';
			field.dispatchEvent(new Event('input', { bubbles: true }));
			return;
		}
		field.value = text;
		field.dispatchEvent(new Event('input', { bubbles: true }));
		if (!form)
			return;
		var button = Array.prototype.find.call(form.elements, function (el) {
			return (el.tagName === 'BUTTON' || el.tagName === 'INPUT') && el.type === 'submit';
		});
		if (button) {
			if (!button.disabled)
				button.click();
		} else if (typeof form.requestSubmit === 'function') {
			form.requestSubmit();
		} else {
			form.submit();
		}
	}

	/* A code read: the same one again within SAME_MS of its last sighting
	 * is the label still in view (or in view again after the page the
	 * submit brought), not a second scan. */
	function onCode(text) {
		var now = Date.now();
		var last = load(LAST_KEY);
		text = String(text).replace(/[\r\n]+$/, '');
		if (!text || !cam || cam.sending)
			return;
		if (last && last.text === text && now - last.at < SAME_MS) {
			save(LAST_KEY, { text: text, at: now });
			return;
		}
		save(LAST_KEY, { text: text, at: now });
		setStatus('Read ' + text, false);
		enter(cam.field, text);
	}

	/* ---- The panel ---------------------------------------------------- */

	function setStatus(text, bad) {
		if (!cam)
			return;
		cam.status.textContent = text;
		cam.status.classList.toggle('text-danger', !!bad);
	}

	function el(tag, cls, text) {
		var e = document.createElement(tag);
		if (cls)
			e.className = cls;
		if (text)
			e.textContent = text;
		return e;
	}

	/* Where the panel goes: under the row of the field's column and its
	 * buttons' (Scan | Add), else right under the field's own block. */
	function panelAnchor(field) {
		var block = field.closest('.mb-3') || field.parentNode;
		var col = block.parentNode;
		var row = col.parentNode;
		var buttons = row && row.classList && row.classList.contains('row') &&
			Array.prototype.some.call(row.children, function (c) {
				return c !== col && c.querySelector('button');
			});
		return buttons ? row : block;
	}

	/* The panel for `field`: the camera's picture (with a frame to aim
	 * with), its status, and Close.  `video` false: the status alone. */
	function buildPanel(field, video) {
		var panel = el('section', 'at-cam-panel');
		var v = null;
		panel.id = field.id + '-camera';
		panel.setAttribute('aria-label', 'Camera scanner');
		if (video) {
			var frame = el('div', 'at-cam-frame');
			v = el('video');
			v.muted = true;
			v.autoplay = true;
			v.playsInline = true;
			v.setAttribute('playsinline', '');
			v.setAttribute('aria-hidden', 'true');
			frame.appendChild(v);
			frame.appendChild(el('div', 'at-cam-aim'));
			panel.appendChild(frame);
		}
		var bar = el('div', 'at-cam-bar');
		var status = el('p', 'at-cam-status');
		status.setAttribute('role', 'status');
		status.setAttribute('aria-live', 'polite');
		var close = el('button', 'btn btn-outline-light', 'Close camera');
		close.type = 'button';
		close.addEventListener('click', function () {
			closeCamera(true);
		});
		bar.appendChild(status);
		bar.appendChild(close);
		panel.appendChild(bar);
		var anchor = panelAnchor(field);
		anchor.parentNode.insertBefore(panel, anchor.nextSibling);
		return { panel: panel, video: v, status: status, close: close };
	}

	function stopStream() {
		if (!cam)
			return;
		clearTimeout(cam.timer);
		cam.timer = null;
		if (cam.stream) {
			stopTracks(cam.stream);
			cam.stream = null;
		}
		if (cam.video)
			cam.video.srcObject = null;
	}

	/* Close the panel; `byUser`: forget it was open and give the field
	 * the focus back. */
	function closeCamera(byUser) {
		if (!cam)
			return;
		var c = cam;
		stopStream();
		cam = null;
		c.panel.remove();
		c.button.setAttribute('aria-expanded', 'false');
		if (c.inputmode === null)
			c.field.removeAttribute('inputmode');
		else
			c.field.setAttribute('inputmode', c.inputmode);
		if (byUser) {
			save(REOPEN_KEY, null);
			c.field.focus();
		}
	}

	/* In words, what went wrong with the camera. */
	function cameraError(err) {
		var name = err && err.name;
		if (name === 'NotAllowedError' || name === 'SecurityError')
			return 'The camera is not allowed for this site. Allow it in the browser\'s site ' +
				'settings, then press Scan with camera again.';
		if (name === 'NotFoundError' || name === 'OverconstrainedError')
			return 'No camera was found on this device.';
		if (name === 'NotReadableError' || name === 'AbortError')
			return 'The camera is busy or could not be started. Close other apps that use ' +
				'it, then press Scan with camera again.';
		return 'The camera could not be started' + (name ? ' (' + name + ').' : '.');
	}

	/* Decode a frame, then schedule the next, until closed or stopped. */
	function tick(c) {
		if (cam !== c || !c.stream)
			return;
		Promise.resolve().then(function () {
			return c.detect(c.video);
		}).then(function (text) {
			if (text)
				onCode(text);
		}, function () {
			/* a frame the decoder could not take: try the next */
		}).then(function () {
			if (cam === c && c.stream)
				c.timer = setTimeout(function () { tick(c); }, TICK_MS);
		});
	}

	function stopTracks(stream) {
		stream.getTracks().forEach(function (t) {
			t.stop();
		});
	}

	/* Ask for the rear camera, show it and start decoding.  `again`: the
	 * panel reopened on the page a camera submit brought, where the label
	 * still in view is the one just sent. */
	function startStream(c, again) {
		var detector = c.detect ? Promise.resolve(c.detect) : pickDetector();
		detector.catch(function () {});   /* reported below, once */
		setStatus('Starting the camera…', false);
		navigator.mediaDevices.getUserMedia({
			audio: false,
			video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 },
				height: { ideal: 720 } },
		}).then(function (stream) {
			if (cam !== c || c.stream || document.hidden) {   /* closed or hidden meanwhile */
				stopTracks(stream);
				return;
			}
			c.stream = stream;
			c.video.srcObject = stream;
			return Promise.all([detector, c.video.play()]).then(function (r) {
				if (cam !== c || c.stream !== stream)
					return;
				c.detect = r[0];
				var last = load(LAST_KEY);
				if (again && last)
					save(LAST_KEY, { text: last.text, at: Date.now() });
				setStatus('Point the camera at a label.', false);
				tick(c);
			});
		}).catch(function (err) {
			if (cam !== c)
				return;
			stopStream();
			setStatus(err && err.decoder
				? 'The barcode decoder could not be loaded: reload the page and try again.'
				: cameraError(err), true);
		});
	}

	function openCamera(field, button, again) {
		if (cam) {
			var same = cam.field === field;
			closeCamera(false);
			if (same) {
				save(REOPEN_KEY, null);
				return;
			}
		}
		var parts = buildPanel(field, true);
		cam = { field: field, button: button, panel: parts.panel, video: parts.video,
			status: parts.status, stream: null, detect: null, timer: null, sending: false,
			inputmode: field.getAttribute('inputmode') };
		button.setAttribute('aria-expanded', 'true');
		button.setAttribute('aria-controls', parts.panel.id);
		/* The camera does the typing: no on-screen keyboard over it. */
		field.setAttribute('inputmode', 'none');
		startStream(cam, again);
	}

	/* Not a secure page: no camera, but say why and what to do. */
	function explainInsecure(field, button) {
		if (cam) {
			var same = cam.field === field;
			closeCamera(false);
			if (same)
				return;
		}
		var parts = buildPanel(field, false);
		cam = { field: field, button: button, panel: parts.panel, video: null,
			status: parts.status, stream: null, detect: null, timer: null, sending: false,
			inputmode: field.getAttribute('inputmode') };
		button.setAttribute('aria-expanded', 'true');
		button.setAttribute('aria-controls', parts.panel.id);
		parts.panel.classList.add('at-cam-note');
		parts.close.textContent = 'Close';
		parts.status.textContent = 'The camera works only over HTTPS: phone browsers allow it ' +
			'on secure pages alone, and this page came over plain HTTP. Start the server with ' +
			'TLS, ';
		parts.status.appendChild(el('code', 'at-cam-cmd', TLS_HINT));
		parts.status.appendChild(document.createTextNode(', and open its https:// address. ' +
			'Typing or a wedge scanner works here as always.'));
	}

	/* ---- The buttons -------------------------------------------------- */

	function cameraIcon() {
		var ns = 'http://www.w3.org/2000/svg';
		var svg = document.createElementNS(ns, 'svg');
		svg.setAttribute('viewBox', '0 0 24 24');
		svg.setAttribute('width', '20');
		svg.setAttribute('height', '20');
		svg.setAttribute('aria-hidden', 'true');
		svg.setAttribute('focusable', 'false');
		var p = document.createElementNS(ns, 'path');
		p.setAttribute('fill', 'currentColor');
		p.setAttribute('d', 'M9 3 7.2 5H4a2 2 0 0 0-2 2v11a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V7a2 ' +
			'2 0 0 0-2-2h-3.2L15 3H9zm3 5a5 5 0 1 1 0 10 5 5 0 0 1 0-10zm0 2a3 3 0 1 0 0 6 3 ' +
			'3 0 0 0 0-6z');
		svg.appendChild(p);
		return svg;
	}

	/* The field and its button side by side (a Bootstrap input group). */
	function addButton(field, secure) {
		var button = el('button', 'btn btn-outline-secondary at-cam-btn');
		button.type = 'button';
		button.appendChild(cameraIcon());
		button.appendChild(el('span', 'at-cam-label', 'Scan with camera'));
		button.setAttribute('aria-expanded', 'false');
		/* Looks disabled, but can be pressed: it then says why and what
		 * to do (aria-disabled would tell a screen reader not to try). */
		if (!secure) {
			button.classList.add('at-cam-off');
			button.title = 'The camera needs HTTPS: press to read how';
		}
		var group = el('div', 'input-group at-cam-group');
		var focused = document.activeElement === field;
		field.parentNode.insertBefore(group, field);
		group.appendChild(field);
		group.appendChild(button);
		if (focused)    /* moving it took the focus away */
			field.focus();
		button.addEventListener('click', function () {
			if (secure)
				openCamera(field, button, false);
			else
				explainInsecure(field, button);
		});
		return button;
	}

	/* ---- Page life ---------------------------------------------------- */

	/* A scan form submitted with the camera open: open it again on the
	 * page that comes back.  Listened to on window, after app.js's
	 * confirmations (on document) had their say. */
	function onSubmit(ev) {
		if (!cam || !cam.video || ev.defaultPrevented || ev.target !== cam.field.form)
			return;
		cam.sending = true;
		setStatus('Sending…', false);
		save(REOPEN_KEY, { path: location.pathname, field: cam.field.id, at: Date.now() });
	}

	/* Stop the camera while the page is hidden; start it again when the
	 * page is back and the panel still open. */
	function onVisibility() {
		if (!cam || !cam.video)
			return;
		if (document.hidden) {
			stopStream();
			setStatus('Camera paused.', false);
		} else if (!cam.stream && !cam.sending) {
			startStream(cam, false);
		}
	}

	function onKey(ev) {
		if (ev.key === 'Escape' && cam) {
			ev.preventDefault();
			closeCamera(true);
		}
	}

	function init() {
		var fields = document.querySelectorAll('input[data-scan], textarea[data-scan]');
		var md = navigator.mediaDevices;
		var secure = window.isSecureContext !== false;
		var buttons = new Map();
		/* A secure page without a camera API (or an old browser): no button. */
		if (!fields.length || (secure && !(md && typeof md.getUserMedia === 'function')))
			return;
		Array.prototype.forEach.call(fields, function (f) {
			if (f.id)
				buttons.set(f.id, addButton(f, secure));
		});
		window.addEventListener('submit', onSubmit);
		document.addEventListener('visibilitychange', onVisibility);
		document.addEventListener('keydown', onKey);
		window.addEventListener('pagehide', function () {
			stopStream();
		});
		/* Back from the browser's page cache: the panel is as it was. */
		window.addEventListener('pageshow', function (ev) {
			if (ev.persisted && cam && cam.video && !cam.stream) {
				cam.sending = false;
				startStream(cam, false);
			}
		});

		reopen(buttons, secure);
	}

	/* Open the camera again on the page a submit with it open brought: for
	 * the same field, or else (the audit's Case, then its Scan) for the
	 * page's scan-form field. */
	function reopen(buttons, secure) {
		var again = load(REOPEN_KEY);
		var field;
		save(REOPEN_KEY, null);
		if (!secure || !again || again.path !== location.pathname ||
		    Date.now() - again.at >= REOPEN_MS)
			return;
		field = buttons.has(again.field) ? document.getElementById(again.field)
			: document.querySelector('form[data-scan-form] input[data-scan]');
		if (field && !field.disabled && buttons.has(field.id))
			openCamera(field, buttons.get(field.id), true);
	}

	if (document.readyState === 'loading')
		document.addEventListener('DOMContentLoaded', init);
	else
		init();
})();
