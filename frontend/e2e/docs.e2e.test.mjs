// End-to-end: the API's docs page (/docs, Swagger UI served by the real server) in Debian's
// Chromium, under the page's own Content-Security-Policy. Run with `npm run test:e2e`.
//
// Settings (environment): CHROMIUM_PATH (default /usr/bin/chromium), E2E_HEALTH_TIMEOUT_S
// (default 90), E2E_PYTHON.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PYTHON = process.env.E2E_PYTHON ?? join(REPO, '.venv', 'bin', 'python');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HEALTH_TIMEOUT_MS = Number(process.env.E2E_HEALTH_TIMEOUT_S ?? 90) * 1000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
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

let server; // { child, base, log }
let browser;

async function startServer() {
  assert.ok(existsSync(PYTHON), `No Python at ${PYTHON}: run \`make venv\` first.`);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const log = [];
  const child = spawn(PYTHON, ['backend/app.py', '--host', '127.0.0.1', '--port', String(port), '--workers', '1'], {
    cwd: REPO,
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: gunicorn and its worker are stopped together
  });
  child.stdout.on('data', (chunk) => log.push(String(chunk)));
  child.stderr.on('data', (chunk) => log.push(String(chunk)));
  server = { child, base, log };
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The server exited (${child.exitCode}):\n${log.join('')}`);
    try {
      if ((await fetch(`${base}/health`, { signal: AbortSignal.timeout(5000) })).status === 200) return;
    } catch {
      /* not listening yet */
    }
    await sleep(500);
  }
  throw new Error(`GET /health did not answer 200 within ${HEALTH_TIMEOUT_MS / 1000} s:\n${log.join('')}`);
}

async function stopServer() {
  if (!server || server.child.exitCode !== null) return;
  const gone = new Promise((r) => server.child.once('exit', r));
  process.kill(-server.child.pid, 'SIGTERM');
  const timer = setTimeout(() => process.kill(-server.child.pid, 'SIGKILL'), 10_000);
  await gone;
  clearTimeout(timer);
}

describe('the API docs page', () => {
  before(async () => {
    await startServer();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
  });

  after(async () => {
    await browser?.close();
    await stopServer();
  });

  it('shows every operation and runs one, loading nothing from elsewhere and breaking no CSP rule', async () => {
    const page = await browser.newPage();
    const elsewhere = [];
    const errors = [];
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(server.base) && !url.startsWith('data:')) elsewhere.push(url);
    });
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.addInitScript(() => {
      window.__violations = [];
      document.addEventListener('securitypolicyviolation', (event) =>
        window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`),
      );
    });

    const response = await page.goto(`${server.base}/docs`);
    assert.match(response.headers()['content-security-policy'], /script-src 'self';/);
    await page.waitForSelector('.opblock', { timeout: 30_000 });
    const spec = await (await fetch(`${server.base}/openapi.json`)).json();
    const operations = Object.values(spec.paths).reduce((count, item) => count + Object.keys(item).length, 0);
    assert.equal(await page.locator('.opblock').count(), operations);

    // Try it out: POST /predict with the description's example drawing (a 7).
    const predict = page.locator('#operations-prediction-predict');
    await predict.locator('.opblock-summary').click();
    await predict.locator('button.try-out__btn').click();
    await predict.locator('button.execute').click();
    const status = predict.locator('.live-responses-table tbody .response-col_status').first();
    await status.waitFor({ timeout: 30_000 });
    assert.equal((await status.innerText()).trim(), '200');
    const body = predict.locator('.live-responses-table tbody .highlight-code').first();
    assert.match(await body.innerText(), /"digit": 7/);

    await page.locator('#operations-status-health .opblock-summary').click();
    await page.waitForTimeout(300);
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    assert.deepEqual(elsewhere, []);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
