/*
 * app.js — progressive enhancement for AssetTrack's pages.
 *
 * Every page works without this file: the server renders autofocus, the
 * error text and colours, and every toggled section starts visible.  This
 * adds focus handling, sounds for scan results, section toggles and
 * confirmations.  Plain ES2017, no framework, no inline handlers (the CSP
 * allows only script-src 'self').  Loaded with <script src defer>.
 */
(function () {
	'use strict';

	/* ---- Focus ------------------------------------------------------- */

	var SCAN_FLAG = 'assettrack-scan-submitted';

	/* Focus a field and select what it holds, so the next scan replaces a
	 * refused one instead of being appended to it. */
	function focusField(el) {
		if (!el || typeof el.focus !== 'function')
			return;
		el.focus();
		if (typeof el.select === 'function' && el.value)
			el.select();
	}

	/* Set (value '1') or take (value null) the "scan form was submitted"
	 * flag.  sessionStorage may be missing or throw: then there is none. */
	function scanFlag(value) {
		try {
			var had = window.sessionStorage.getItem(SCAN_FLAG);
			if (value)
				window.sessionStorage.setItem(SCAN_FLAG, value);
			else
				window.sessionStorage.removeItem(SCAN_FLAG);
			return had;
		} catch (e) {
			return null;
		}
	}

	/*
	 * Right after a scan form was submitted, the scan field: the operator is
	 * mid-batch and the next thing to arrive is a scan.  Otherwise the
	 * element marked [data-autofocus].  The server renders autofocus too;
	 * this is belt and braces for browsers that skip it after a post.
	 */
	function initFocus() {
		var scan = document.querySelector('input[data-scan]');
		var el = scanFlag(null) && scan && !scan.disabled ? scan : null;
		el = el || document.querySelector('[data-autofocus]');
		if (el && document.activeElement !== el)
			focusField(el);
	}

	/* ---- Sounds ------------------------------------------------------ */

	/*
	 * Play `beeps` ({freq, ms, type}) one after another with a short gap,
	 * made with the Web Audio API (no audio file).  Browsers may refuse
	 * audio before a user gesture: any failure is silent, since colour and
	 * text already say what happened.
	 */
	function playBeeps(beeps) {
		try {
			var Ctx = window.AudioContext || window.webkitAudioContext;
			if (!Ctx)
				return;
			var ctx = new Ctx();
			var t = ctx.currentTime + 0.02;
			beeps.forEach(function (b) {
				var osc = ctx.createOscillator();
				var gain = ctx.createGain();
				osc.type = b.type;
				osc.frequency.value = b.freq;
				gain.gain.value = 0.15;     /* square waves are loud */
				osc.connect(gain);
				gain.connect(ctx.destination);
				osc.start(t);
				osc.stop(t + b.ms / 1000);
				t += b.ms / 1000 + 0.06;
			});
			/* Free the audio device once the last beep is over. */
			setTimeout(function () {
				ctx.close().catch(function () {});
			}, (t - ctx.currentTime) * 1000 + 200);
			ctx.resume().catch(function () {});
		} catch (e) {
			/* Autoplay policy or no audio device: ignore. */
		}
	}

	function initScanResult() {
		var bad = document.querySelector('[data-scan-result="bad"]');
		if (bad) {
			bad.classList.add('flash-bad');
			playBeeps([{ freq: 220, ms: 120, type: 'square' },
				{ freq: 220, ms: 120, type: 'square' }]);
			return;
		}
		if (document.querySelector('[data-scan-result="ok"]'))
			playBeeps([{ freq: 880, ms: 60, type: 'sine' }]);
	}

	/* ---- Toggles ----------------------------------------------------- */

	/*
	 * A checkbox with data-toggle-target="ID" shows the element #ID only
	 * while checked.  The element starts visible in the HTML, so without
	 * JavaScript its fields are simply always there (the server reads them
	 * only when the box is checked).  Hidden fields are also disabled, so a
	 * `required` one cannot block the submit; fields the server rendered
	 * disabled stay disabled.
	 */
	function initToggles() {
		var boxes = document.querySelectorAll('input[type="checkbox"][data-toggle-target]');
		Array.prototype.forEach.call(boxes, function (box) {
			var target = document.getElementById(box.getAttribute('data-toggle-target'));
			if (!target)
				return;
			var fields = Array.prototype.filter.call(
				target.querySelectorAll('input, select, textarea, button'),
				function (f) { return !f.disabled; });
			var sync = function () {
				target.hidden = !box.checked;
				fields.forEach(function (f) { f.disabled = !box.checked; });
			};
			box.setAttribute('aria-controls', target.id);
			box.addEventListener('change', sync);
			sync();
		});
	}

	/* ---- Submits ----------------------------------------------------- */

	/*
	 * form[data-confirm="text"] asks before it is submitted, and so does
	 * a submit button with data-confirm (one action of several in a form);
	 * a scan form that does go leaves a flag for initFocus() on the page
	 * that follows.
	 */
	function initSubmits() {
		document.addEventListener('submit', function (ev) {
			var form = ev.target;
			var by = ev.submitter;
			var ask;
			if (!(form instanceof HTMLFormElement))
				return;
			ask = by && by.hasAttribute('data-confirm') ? by.getAttribute('data-confirm')
			                                             : form.getAttribute('data-confirm');
			if (ask && !window.confirm(ask)) {
				ev.preventDefault();
				return;
			}
			if (form.hasAttribute('data-scan-form'))
				scanFlag('1');
		});
	}

	/* ---- Print ------------------------------------------------------ */

	/* A [data-print] button (receipts) prints the page.  It is rendered
	 * hidden, since without this file it could do nothing: the browser's
	 * own Print then does the same. */
	function initPrint() {
		var buttons = document.querySelectorAll('button[data-print]');
		Array.prototype.forEach.call(buttons, function (b) {
			b.hidden = false;
			b.addEventListener('click', function () { window.print(); });
		});
	}

	function init() {
		initToggles();      /* before focus: a hidden field cannot take it */
		initSubmits();
		initPrint();
		initFocus();
		initScanResult();
	}

	if (document.readyState === 'loading')
		document.addEventListener('DOMContentLoaded', init);
	else
		init();
})();
