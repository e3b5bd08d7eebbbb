// End-to-end, offline mode (issue 11): the on-device reader (ONNX Runtime Web's WebAssembly build in a Web Worker)
// against the real server and the shipped model, in Debian's Chromium. Run after `npm run build`:
//   node --test e2e/offline.e2e.test.mjs        (part of `npm run test:e2e`)
//
// - parity: the validation pen writers' digits (tests/support/pen_strokes.py), drawn with the mouse, are answered
//   with the same digit by the server and by the device, probabilities within 1e-3;
// - Auto answers on the device while the server cannot be reached, and goes back to it;
// - after one visit, the app works offline (service worker), and from a plain static host (no server at all);
// - it reports the device's median latency after warm-up and the bytes the browser downloads for on-device mode.
//
// Settings (environment): E2E_PARITY_COUNT (default 200), and harness.mjs's.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DIST, PYTHON, REPO, SEVEN, drawStrokes, serveStatic, shownAnswer, startServerAndBrowser } from './harness.mjs';

const PARITY_COUNT = Number(process.env.E2E_PARITY_COUNT ?? 200);
const VIEWPORT = { width: 1100, height: 760 };
const TOLERANCE = 1e-3;

let server;
let browser;

before(async () => {
  ({ server, browser } = await startServerAndBrowser());
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const isPredict = (response) =>
  new URL(response.url()).pathname === '/predict' && response.request().method() === 'POST';

/** The built worker's URL: the on-device reader as the app loads it. */
function workerUrl() {
  const file = readdirSync(join(DIST, 'assets')).find((name) => /^inference\.worker-[\w-]+\.js$/.test(name));
  assert.ok(file, 'the build has the on-device reader worker (assets/inference.worker-*.js)');
  return `/assets/${file}`;
}

/** Start the app's worker in the page, as window.__device(message) -> its reply (the protocol of protocol.ts). */
const startDeviceWorker = (page) =>
  page.evaluate((url) => {
    const worker = new Worker(url, { type: 'module' });
    const waiting = new Map();
    let id = 0;
    worker.onmessage = (event) => {
      waiting.get(event.data.id)?.(event.data);
      waiting.delete(event.data.id);
    };
    window.__device = (message) =>
      new Promise((resolve) => {
        const n = ++id;
        waiting.set(n, resolve);
        worker.postMessage({ ...message, id: n });
      });
  }, workerUrl());

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const quantile = (values, q) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))];

function penDrawings(count) {
  const made = spawnSync(PYTHON, ['-m', 'tests.support.pen_strokes', '--count', String(count)], {
    cwd: REPO,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(made.status, 0, `tests.support.pen_strokes failed:\n${made.stderr}`);
  return JSON.parse(made.stdout);
}

describe('the same model on this device', () => {
  let context;
  let page;
  const images = []; // the exported PNGs of the parity drawings, for the latency run

  before(async () => {
    // No service worker here: these tests measure what the page itself fetches.
    context = await browser.newContext({ viewport: VIEWPORT, serviceWorkers: 'block' });
    page = await context.newPage();
    await page.goto(server.base);
    await startDeviceWorker(page);
  });

  after(async () => {
    await context?.close();
  });

  it(`answers ${PARITY_COUNT} pen drawings as the server does (same digit, probabilities within 1e-3)`, async () => {
    const drawings = penDrawings(PARITY_COUNT);
    let sameDigit = 0;
    let sameVerdict = 0;
    let serverRight = 0;
    let deviceRight = 0;
    let worst = 0;
    const differ = [];
    for (const [i, drawing] of drawings.entries()) {
      if (await page.getByTestId('clear').isEnabled()) await page.getByTestId('clear').click();
      await drawStrokes(page, drawing.strokes);
      const shown = await shownAnswer(page);
      assert.equal(shown.answeredBy, 'server', 'Auto asks the server while it answers');
      // Ask once more, to hold the very request (the exported PNG) and the server's answer to it.
      const [response] = await Promise.all([page.waitForResponse(isPredict), page.getByTestId('predict').click()]);
      const fromServer = await response.json();
      const { image } = JSON.parse(response.request().postData());
      images.push(image);
      const reply = await page.evaluate((png) => window.__device({ type: 'predict', image: png }), image);
      assert.ok(reply.ok, `drawing ${i}: the device failed: ${reply.message}`);
      const fromDevice = reply.prediction;
      const gap = Math.max(...fromServer.probabilities.map((p, d) => Math.abs(p - fromDevice.probabilities[d])));
      worst = Math.max(worst, gap);
      sameDigit += fromDevice.digit === fromServer.digit;
      sameVerdict += fromDevice.verdict === fromServer.verdict;
      serverRight += fromServer.digit === drawing.label;
      deviceRight += fromDevice.digit === drawing.label;
      assert.equal(fromDevice.model, fromServer.model, 'the device runs the model the server serves');
      if (fromDevice.digit !== fromServer.digit || gap > TOLERANCE) {
        differ.push({ i, label: drawing.label, server: fromServer.digit, device: fromDevice.digit, gap });
      }
    }
    const n = drawings.length;
    console.log(
      `parity: ${sameDigit}/${n} same digit, ${sameVerdict}/${n} same verdict, max |probability difference| ` +
        `${worst.toExponential(2)}; right: server ${serverRight}/${n}, device ${deviceRight}/${n}`,
    );
    assert.deepEqual(differ, [], 'every drawing gets the same digit, probabilities within 1e-3');
  });

  it('reports the on-device latency after warm-up', async () => {
    assert.ok(images.length > 0, 'the parity run left pictures to time');
    const timing = await page.evaluate(async (pngs) => {
      for (const png of pngs.slice(0, 10)) await window.__device({ type: 'predict', image: png }); // warm-up
      const roundTrips = [];
      const inWorker = [];
      const stages = {};
      for (let i = 0; i < 200; i++) {
        const started = performance.now();
        const reply = await window.__device({ type: 'predict', image: pngs[i % pngs.length] });
        roundTrips.push(performance.now() - started);
        inWorker.push(reply.ms);
        for (const [name, ms] of Object.entries(reply.stages)) (stages[name] ??= []).push(ms);
      }
      return { roundTrips, inWorker, stages };
    }, images);
    const [roundTrip, p90, inWorker] = [
      median(timing.roundTrips),
      quantile(timing.roundTrips, 0.9),
      median(timing.inWorker),
    ].map((ms) => ms.toFixed(2));
    const steps = Object.entries(timing.stages).map(([name, ms]) => `${name} ${median(ms).toFixed(2)}`);
    console.log(
      `on-device latency (200 predictions after 10 warm-up, PNG in -> answer out): median ${roundTrip} ms ` +
        `round trip (p90 ${p90} ms), ${inWorker} ms inside the worker (medians, ms: ${steps.join(', ')})`,
    );
    assert.ok(timing.roundTrips.every((ms) => ms > 0));
  });

  it('reports what the browser downloads for on-device answers: worker, WebAssembly, model', async () => {
    const fresh = await browser.newContext({ viewport: VIEWPORT, serviceWorkers: 'block' });
    try {
      const tab = await fresh.newPage();
      const sizes = new Map();
      fresh.on('response', async (response) => {
        const path = new URL(response.url()).pathname;
        if (/\.(wasm|onnx)$|\.worker-|^\/model\.json$/.test(path)) {
          sizes.set(path, (await response.body().catch(() => Buffer.alloc(0))).length);
        }
      });
      await tab.goto(server.base);
      await tab.waitForLoadState('networkidle');
      assert.equal(sizes.size, 0, 'nothing of the on-device reader is loaded until it is used');
      await tab.getByTestId('source-device').click();
      await drawStrokes(tab, SEVEN);
      const shown = await shownAnswer(tab);
      assert.deepEqual(shown, { digit: 7, answeredBy: 'device' });
      await tab.waitForLoadState('networkidle');
      const files = [...sizes.keys()];
      assert.ok(
        files.some((f) => /\/ort-wasm-simd-threaded-[\w-]+\.wasm$/.test(f)),
        `the plain WebAssembly build: ${files}`,
      );
      assert.ok(!files.some((f) => /jsep|jspi|asyncify|webgpu/.test(f)), `no WebGPU build: ${files}`);
      const total = [...sizes.values()].reduce((a, b) => a + b, 0);
      const list = [...sizes].map(([f, bytes]) => `${f.split('/').pop()} ${bytes.toLocaleString('en')}`).join(', ');
      console.log(`on-device download: ${total.toLocaleString('en')} bytes (${list})`);
    } finally {
      await fresh.close();
    }
  });
});

describe('where the answer comes from', () => {
  it('answers on this device while the server cannot be reached, then goes back to the server', async () => {
    const context = await browser.newContext({ viewport: VIEWPORT, serviceWorkers: 'block' });
    try {
      const page = await context.newPage();
      await page.goto(server.base);
      const unreachable = (route) => route.abort('connectionrefused');
      await page.route('**/predict', unreachable);
      await page.route('**/health', unreachable);
      await drawStrokes(page, SEVEN);
      assert.deepEqual(await shownAnswer(page), { digit: 7, answeredBy: 'device' });
      assert.match(
        await page.getByTestId('source-notice').textContent(),
        /Can’t reach the server: answering on this device/,
      );
      assert.equal(await page.getByTestId('source-auto').getAttribute('aria-pressed'), 'true', 'still Auto');

      await page.unroute('**/predict', unreachable);
      await page.unroute('**/health', unreachable);
      await page.waitForFunction(
        () => /server answers again/.test(document.querySelector('[data-testid="source-notice"]')?.textContent ?? ''),
        null,
        { polling: 200, timeout: 20_000 },
      );
      await page.getByTestId('clear').click();
      await drawStrokes(page, SEVEN);
      assert.deepEqual(await shownAnswer(page), { digit: 7, answeredBy: 'server' });
    } finally {
      await context.close();
    }
  });
});

describe('offline', () => {
  it('works offline after one visit: the service worker serves the app, the device answers', async () => {
    const context = await browser.newContext({ viewport: VIEWPORT });
    try {
      const page = await context.newPage();
      await page.goto(server.base);
      // The service worker takes the page once it has precached everything (the app, the WebAssembly, the model).
      await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 120_000 });
      const cached = await page.evaluate(async () => {
        const found = {};
        for (const path of ['/model.onnx', '/model.json', '/index.html']) {
          found[path] = !!(await caches.match(path, { ignoreSearch: true }));
        }
        const keys = await Promise.all((await caches.keys()).map(async (name) => (await caches.open(name)).keys()));
        found.wasm = keys.flat().some((request) => /\.wasm(\?|$)/.test(request.url));
        return found;
      });
      assert.deepEqual(cached, { '/model.onnx': true, '/model.json': true, '/index.html': true, wasm: true });

      await context.setOffline(true);
      await page.reload();
      await drawStrokes(page, SEVEN);
      assert.deepEqual(await shownAnswer(page), { digit: 7, answeredBy: 'device' });
      assert.match(
        await page.getByTestId('source-notice').textContent(),
        /Can’t reach the server: answering on this device/,
      );
      await page.getByTestId('mode-number').click();
      assert.match(await page.getByTestId('number-needs-server').textContent(), /needs the server/);
    } finally {
      await context.close();
    }
  });

  it('works from a plain static host: no server, so Auto answers on this device', async () => {
    const host = await serveStatic();
    const context = await browser.newContext({ viewport: VIEWPORT, serviceWorkers: 'block' });
    try {
      const page = await context.newPage();
      await page.goto(host.base);
      await drawStrokes(page, SEVEN);
      assert.deepEqual(await shownAnswer(page), { digit: 7, answeredBy: 'device' });
      assert.match(await page.getByTestId('source-notice').textContent(), /No server here: answering on this device/);
    } finally {
      await context.close();
      await host.close();
    }
  });
});
