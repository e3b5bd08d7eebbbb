// What an end-to-end test needs around the page: the real server (the Flask app and the shipped model, under
// gunicorn), a plain static host for frontend/dist, Debian's Chromium, and the mouse drawing strokes given in
// normalized canvas coordinates. Used by offline.e2e.test.mjs.
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
  assert.ok(existsSync(join(DIST, 'index.html')), 'frontend/dist is missing: run `npm run build` first.');
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
 * Start the real server (one worker) on a free port and wait for GET /health to answer 200.
 * Returns { base, log, stop }.
 */
export async function startServer() {
  assert.ok(existsSync(PYTHON), `No Python at ${PYTHON}: run \`make venv\` first.`);
  assertBuilt();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const log = [];
  const child = spawn(PYTHON, ['backend/app.py', '--host', '127.0.0.1', '--port', String(port), '--workers', '1'], {
    cwd: REPO,
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
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

export function launchBrowser() {
  assert.ok(existsSync(CHROMIUM), `No Chromium at ${CHROMIUM}: apt-get install -y chromium (or make chromium).`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

// ---------------------------------------------------------------------------------------
// Drawing

export async function canvasBox(page) {
  const box = await page.getByTestId('digit-canvas').boundingBox();
  assert.ok(box && box.width > 100, 'the canvas is on screen');
  return box;
}

const toPage = (box, [x, y]) => [box.x + x * box.width, box.y + y * box.height];

/** Draw strokes (lists of [x, y] in 0..1 of the canvas) with the real mouse: press, move through, release. */
export async function drawStrokes(page, strokes) {
  const box = await canvasBox(page);
  for (const stroke of strokes) {
    const [first, ...rest] = stroke.map((p) => toPage(box, p));
    await page.mouse.move(...first);
    await page.mouse.down();
    for (const point of rest) await page.mouse.move(...point);
    await page.mouse.up();
  }
}

/** A 7: the top bar, then the diagonal down to the left (the same strokes as app.e2e.test.mjs's). */
export const SEVEN = [
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
];

/** Wait until no request is in flight and an answer (or an error) is shown; the digit shown, or null. */
export async function shownAnswer(page) {
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
    { polling: 100, timeout: 30_000 },
  );
  const alert = page.getByRole('alert');
  if (await alert.count()) throw new Error(`The app shows an error: ${await alert.textContent()}`);
  const digit = page.getByTestId('prediction-digit');
  const by = page.getByTestId('answered-by');
  return {
    digit: (await digit.count()) ? Number(await digit.textContent()) : null,
    answeredBy: (await by.count()) ? await by.getAttribute('data-source') : null,
  };
}
