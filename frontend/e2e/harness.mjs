// What an end-to-end test needs around the page: the real server (the Flask app and the shipped model, under
// gunicorn), a plain static host for frontend/dist, Debian's Chromium, and strokes drawn with the mouse or a finger
// in normalized canvas coordinates. Used by the *.e2e.test.mjs files and export-fixtures.mjs.
//
// Settings (environment): CHROMIUM_PATH (default /usr/bin/chromium), E2E_HEALTH_TIMEOUT_S (default 90), E2E_PYTHON.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const FRONTEND = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO = resolve(FRONTEND, '..');
export const DIST = join(FRONTEND, 'dist');
export const PYTHON = process.env.E2E_PYTHON ?? join(REPO, '.venv', 'bin', 'python');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HEALTH_TIMEOUT_MS = Number(process.env.E2E_HEALTH_TIMEOUT_S ?? 90) * 1000;
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

export function assertBuilt() {
  assert.ok(
    existsSync(join(DIST, 'index.html')),
    'frontend/dist is missing: run `npm run build` (or `make frontend-build`) first.',
  );
}

const running = new Set(); // servers to stop even when the run is interrupted

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of running) killGroup(child, 'SIGKILL');
    process.exit(130);
  });
}
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

/**
 * Start the real server on a free port and wait for GET /health to answer 200. One worker keeps start-up and memory
 * modest; the API is the same. `env` adds environment variables for the server (a database, an admin token);
 * `needsDist: false` for a test of the API's own pages, which do not need the built UI. Returns { base, log, stop }.
 */
export async function startServer({ env = {}, needsDist = true } = {}) {
  assert.ok(existsSync(PYTHON), `No Python at ${PYTHON}: run \`make venv\` first.`);
  if (needsDist) assertBuilt();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const log = [];
  const child = spawn(PYTHON, ['backend/app.py', '--host', '127.0.0.1', '--port', String(port), '--workers', '1'], {
    cwd: REPO,
    env: { ...process.env, PYTHONUNBUFFERED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: gunicorn and its worker are stopped together
  });
  running.add(child);
  const keep = (chunk) => {
    log.push(String(chunk));
    if (log.length > 400) log.splice(0, log.length - 400);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
    running.delete(child);
  });

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  };

  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (exited) throw new Error(`The server exited (${JSON.stringify(exited)}) before it was ready:\n${log.join('')}`);
    try {
      const response = await fetch(`${base}/health`, { signal: AbortSignal.timeout(5000) });
      last = `${response.status} ${await response.text()}`;
      if (response.status === 200) return { base, log, stop };
    } catch (error) {
      last = String(error?.cause?.code ?? error);
    }
    await sleep(500);
  }
  await stop();
  throw new Error(
    `GET /health did not answer 200 within ${HEALTH_TIMEOUT_MS / 1000} s (last: ${last}).\n${log.join('')}`,
  );
}

const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
};

/**
 * frontend/dist on a plain static host, as any web server would serve it: files by name, 404 for anything else
 * (POST /predict included), no special headers. Returns { base, close }.
 */
export function serveStatic(dist = DIST) {
  assertBuilt();
  const server = createHttpServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://localhost').pathname);
    const file = normalize(join(dist, path === '/' ? 'index.html' : path));
    if (request.method !== 'GET' || !file.startsWith(dist + sep) || !existsSync(file)) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
      return;
    }
    response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    response.end(readFileSync(file));
  });
  return new Promise((resolveServer) =>
    server.listen(0, '127.0.0.1', () =>
      resolveServer({
        base: `http://127.0.0.1:${server.address().port}`,
        close: () => new Promise((r) => server.close(r)),
      }),
    ),
  );
}

/** Debian's Chromium, headless. Async, so that a missing browser is a rejection beside a starting server. */
export async function launchBrowser() {
  assert.ok(existsSync(CHROMIUM), `No Chromium at ${CHROMIUM}: apt-get install -y chromium (or make chromium).`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Start the server (startServer's `options`) and Chromium at once, the server's start-up being the slow part.
 * Returns { server, browser }; when either fails, the other is stopped before the error is thrown.
 */
export async function startServerAndBrowser(options) {
  const [started, launched] = await Promise.allSettled([startServer(options), launchBrowser()]);
  if (started.status === 'rejected' || launched.status === 'rejected') {
    if (launched.status === 'fulfilled') await launched.value.close();
    if (started.status === 'fulfilled') await started.value.stop();
    throw started.status === 'rejected' ? started.reason : launched.reason;
  }
  return { server: started.value, browser: launched.value };
}

/** A phone's browser context: touch input, a mobile viewport of `viewport` CSS px, `deviceScaleFactor` dpr. */
export const newPhoneContext = (browser, viewport, deviceScaleFactor) =>
  browser.newContext({ viewport, deviceScaleFactor, hasTouch: true, isMobile: true });

// ---------------------------------------------------------------------------------------
// Shapes, in normalized canvas coordinates (0..1, y down), drawn the way a person would.

/** Points along an ellipse from angle `from` to `to` (degrees, y down), `n` segments. */
export const ellipse = (cx, cy, rx, ry, from, to, n) =>
  Array.from({ length: n + 1 }, (_, i) => {
    const t = ((from + ((to - from) * i) / n) * Math.PI) / 180;
    return [cx + rx * Math.cos(t), cy + ry * Math.sin(t)];
  });

/** Digits as strokes: each a list of strokes, each stroke a list of [x, y]. */
export const SHAPES = {
  // an oval, starting at the top and going round anticlockwise, closing a little past the start
  0: [ellipse(0.5, 0.5, 0.24, 0.34, -90, -90 - 370, 48)],
  // a single vertical line, very slightly slanted
  1: [
    [
      [0.52, 0.14],
      [0.51, 0.5],
      [0.5, 0.86],
    ],
  ],
  // two arcs, one stroke: the upper bowl, then the lower bowl
  3: [[...ellipse(0.48, 0.32, 0.2, 0.17, -160, 90, 24), ...ellipse(0.48, 0.67, 0.22, 0.19, -90, 150, 24).slice(1)]],
  // the top bar, then the diagonal down to the left
  7: [
    [
      [0.24, 0.2],
      [0.5, 0.2],
      [0.76, 0.2],
    ],
    [
      [0.76, 0.2],
      [0.6, 0.5],
      [0.45, 0.86],
    ],
  ],
};

/** A 7: the top bar, then the diagonal down to the left. */
export const SEVEN = SHAPES[7];

// ---------------------------------------------------------------------------------------
// Drawing

export async function canvasBox(page) {
  const box = await page.getByTestId('digit-canvas').boundingBox();
  assert.ok(box && box.width > 100, 'the canvas is on screen');
  return box;
}

/** A point in 0..1 of `box` -> page coordinates (CSS px). */
export const toPage = (box, [x, y]) => [box.x + x * box.width, box.y + y * box.height];

/**
 * Draw one stroke with the real mouse: press, move through the points, release. Each move to a point is made in
 * `steps` mouse events, so the page sees a pointer sampled between the points, as a hand gives it.
 */
export async function mouseStroke(page, box, points, { steps = 3 } = {}) {
  const [first, ...rest] = points.map((p) => toPage(box, p));
  await page.mouse.move(...first);
  await page.mouse.down();
  for (const point of rest) await page.mouse.move(...point, { steps });
  await page.mouse.up();
}

/**
 * Draw strokes on the canvas with the real mouse. One mouse event per point unless `steps` says more (Playwright's
 * default, as offline.e2e.test.mjs's parity drawings have always been drawn).
 */
export async function drawStrokes(page, strokes, { steps = 1 } = {}) {
  const box = await canvasBox(page);
  for (const stroke of strokes) await mouseStroke(page, box, stroke, { steps });
}

/** Draw one stroke with touch input (CDP touch events, i.e. pointerType "touch"), `steps` moves between points. */
export async function touchStroke(cdp, box, points, { steps = 4 } = {}) {
  const at = (p) => {
    const [x, y] = toPage(box, p);
    return [{ x, y, id: 1, radiusX: 4, radiusY: 4, force: 1 }];
  };
  const [first, ...rest] = points;
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(first) });
  let previous = first;
  for (const point of rest) {
    for (let i = 1; i <= steps; i++) {
      const p = [
        previous[0] + ((point[0] - previous[0]) * i) / steps,
        previous[1] + ((point[1] - previous[1]) * i) / steps,
      ];
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(p) });
    }
    previous = point;
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

/** The pointerType of each pointerdown on the canvas from now on: a Set the page fills (to tell touch from mouse). */
export async function recordPointerTypes(page) {
  const types = new Set();
  await page.exposeFunction('__pointerType', (type) => types.add(type));
  await page
    .getByTestId('digit-canvas')
    .evaluate((c) => c.addEventListener('pointerdown', (e) => window.__pointerType(e.pointerType)));
  return types;
}

/** Wait until no request is in flight and an answer (or an error) is shown; throw the error if the app shows one. */
export async function waitForAnswer(page, { timeout = 30_000 } = {}) {
  await page.waitForFunction(
    () => {
      const result = document.querySelector('.result');
      if (!result || result.getAttribute('aria-busy') === 'true') return false;
      return (
        document.querySelector('[data-testid="prediction-digit"]') ||
        document.querySelector('[data-testid="verdict"]') ||
        document.querySelector('[role="alert"]')
      );
    },
    null,
    { polling: 100, timeout },
  );
  const alert = page.getByRole('alert');
  if (await alert.count()) throw new Error(`The app shows an error: ${await alert.textContent()}`);
}

/** Wait for the answer (see waitForAnswer); the digit shown (or null) and who answered it. */
export async function shownAnswer(page) {
  await waitForAnswer(page);
  const digit = page.getByTestId('prediction-digit');
  const by = page.getByTestId('answered-by');
  return {
    digit: (await digit.count()) ? Number(await digit.textContent()) : null,
    answeredBy: (await by.count()) ? await by.getAttribute('data-source') : null,
  };
}
