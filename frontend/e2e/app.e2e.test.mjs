// End-to-end: the built UI served by the real Flask app and the shipped model, driven in
// Debian's Chromium by playwright-core. Run with `npm run test:e2e` (after `npm run build`).
//
// Settings (environment): CHROMIUM_PATH (default /usr/bin/chromium), E2E_HEALTH_TIMEOUT_S
// (default 90), E2E_SCREENSHOT (default <repo>/docs/screenshot.png), E2E_PYTHON.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const FRONTEND = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REPO = resolve(FRONTEND, '..');
const PYTHON = process.env.E2E_PYTHON ?? join(REPO, '.venv', 'bin', 'python');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HEALTH_TIMEOUT_MS = Number(process.env.E2E_HEALTH_TIMEOUT_S ?? 90) * 1000;
const SCREENSHOT = process.env.E2E_SCREENSHOT ?? join(REPO, 'docs', 'screenshot.png');
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

// ---------------------------------------------------------------------------------------
// The server

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

let server = null; // { child, base, log }

async function startServer() {
  assert.ok(existsSync(PYTHON), `No Python at ${PYTHON}: run \`make venv\` first.`);
  assert.ok(
    existsSync(join(FRONTEND, 'dist', 'index.html')),
    'frontend/dist is missing: run `npm run build` (or `make frontend-build`) first.',
  );
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const log = [];
  // One worker keeps start-up and memory modest; the API is the same.
  const child = spawn(PYTHON, ['backend/app.py', '--host', '127.0.0.1', '--port', String(port), '--workers', '1'], {
    cwd: REPO,
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: gunicorn and its worker are stopped together
  });
  const keep = (chunk) => {
    log.push(String(chunk));
    if (log.length > 400) log.splice(0, log.length - 400);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));
  server = { child, base, log };

  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (exited) throw new Error(`The server exited (${JSON.stringify(exited)}) before it was ready:\n${log.join('')}`);
    try {
      const response = await fetch(`${base}/health`, { signal: AbortSignal.timeout(5000) });
      last = `${response.status} ${await response.text()}`;
      if (response.status === 200) return server;
    } catch (error) {
      last = String(error?.cause?.code ?? error);
    }
    await sleep(500);
  }
  throw new Error(
    `GET /health did not answer 200 within ${HEALTH_TIMEOUT_MS / 1000} s (last: ${last}).\n${log.join('')}`,
  );
}

async function stopServer() {
  if (!server) return;
  const { child } = server;
  server = null;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, 10_000);
  await gone;
  clearTimeout(timer);
}

// Never leave the server behind, even when the run is interrupted.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    if (server) {
      try {
        process.kill(-server.child.pid, 'SIGKILL');
      } catch {
        /* ignore */
      }
    }
    process.exit(130);
  });
}
process.once('exit', () => {
  if (server) {
    try {
      process.kill(-server.child.pid, 'SIGKILL');
    } catch {
      /* ignore */
    }
  }
});

// ---------------------------------------------------------------------------------------
// Shapes, in normalized canvas coordinates (0..1), drawn the way a person would.

const ellipse = (cx, cy, rx, ry, from, to, n) =>
  Array.from({ length: n + 1 }, (_, i) => {
    const t = ((from + ((to - from) * i) / n) * Math.PI) / 180;
    return [cx + rx * Math.cos(t), cy + ry * Math.sin(t)];
  });

const SHAPES = {
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

async function canvasBox(page) {
  const box = await page.getByTestId('digit-canvas').boundingBox();
  assert.ok(box && box.width > 100, 'the canvas is on screen');
  return box;
}

const toPage = (box, [x, y]) => [box.x + x * box.width, box.y + y * box.height];

/** Draw one stroke with the real mouse: press, move through the points, release. */
async function mouseStroke(page, box, points, { steps = 3 } = {}) {
  const [first, ...rest] = points.map((p) => toPage(box, p));
  await page.mouse.move(...first);
  await page.mouse.down();
  for (const point of rest) await page.mouse.move(...point, { steps });
  await page.mouse.up();
}

/** Draw one stroke with touch input (CDP touch events, i.e. pointerType "touch"). */
async function touchStroke(page, cdp, box, points) {
  const at = (p) => {
    const [x, y] = toPage(box, p);
    return [{ x, y, id: 1, radiusX: 4, radiusY: 4, force: 1 }];
  };
  const [first, ...rest] = points;
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(first) });
  let previous = first;
  for (const point of rest) {
    for (let i = 1; i <= 4; i++) {
      const p = [previous[0] + ((point[0] - previous[0]) * i) / 4, previous[1] + ((point[1] - previous[1]) * i) / 4];
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(p) });
    }
    previous = point;
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

/** Wait until no prediction request is in flight. */
const waitIdle = (page) =>
  page.waitForFunction(() => document.querySelector('.result')?.getAttribute('aria-busy') === 'false', null, {
    polling: 100,
    timeout: 20_000,
  });

/**
 * Wait until no request is in flight and return the shown prediction (or throw the shown error).
 * `verdict` is the answer's verdict ('digit', 'unsure' or 'not_a_digit'); `digit` is the digit shown
 * large (the first candidate when unsure), or null for "not a digit".
 */
async function settledPrediction(page) {
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
    { polling: 100, timeout: 20_000 },
  );
  const alert = page.getByRole('alert');
  if (await alert.count()) throw new Error(`The app shows an error: ${await alert.textContent()}`);
  const verdict = await page.getByTestId('verdict').getAttribute('data-verdict');
  const shownDigit = page.getByTestId('prediction-digit');
  const digit = (await shownDigit.count()) ? Number(await shownDigit.textContent()) : null;
  const probabilities = [];
  for (let d = 0; d < 10; d++) {
    probabilities.push(Number(await page.getByTestId(`prob-${d}`).getAttribute('aria-valuenow')));
  }
  const confidence = await page.getByTestId('confidence').textContent();
  return { digit, verdict, probabilities, confidence };
}

/** Wait until the on-screen canvas has no ink (the click that clears may land a moment later). */
const waitForBlankCanvas = (page) =>
  page.waitForFunction(
    () => {
      const canvas = document.querySelector('[data-testid="digit-canvas"]');
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) return false;
      return true;
    },
    null,
    { polling: 100, timeout: 5000 },
  );

/** Ink pixels on the on-screen canvas. */
const inkPixels = (page) =>
  page.getByTestId('digit-canvas').evaluate((canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n;
  });

function assertBars({ digit, probabilities }) {
  const sum = probabilities.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 100) <= 1, `the bars add up to about 100% (got ${sum.toFixed(2)})`);
  const top = probabilities.indexOf(Math.max(...probabilities));
  assert.equal(top, digit, 'the longest bar is the predicted digit');
}

// ---------------------------------------------------------------------------------------

let browser;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `No Chromium at ${CHROMIUM}: apt-get install -y chromium (or make chromium).`);
  const [ready, launched] = await Promise.allSettled([
    startServer(),
    chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS }),
  ]);
  if (launched.status === 'fulfilled') browser = launched.value;
  if (ready.status === 'rejected') throw ready.reason;
  if (launched.status === 'rejected') throw launched.reason;
});

after(async () => {
  await browser?.close();
  await stopServer();
});

describe('desktop, mouse', () => {
  let context;
  let page;
  const pageErrors = [];

  before(async () => {
    context = await browser.newContext({ viewport: { width: 1100, height: 760 }, deviceScaleFactor: 1 });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error));
    await page.goto(server.base + '/');
    await page.getByTestId('digit-canvas').waitFor();
  });

  after(async () => {
    await context?.close();
    assert.deepEqual(pageErrors.map(String), [], 'no uncaught errors in the page');
  });

  it('serves the app at / with a prompt to draw, and sends nothing for an empty canvas', async () => {
    let requests = 0;
    const count = (request) => request.url().endsWith('/predict') && requests++;
    page.on('request', count);
    assert.match(await page.getByTestId('prompt').textContent(), /draw a digit/i);
    assert.equal(await page.getByTestId('predict').isDisabled(), true);
    await page.keyboard.press('Escape');
    await sleep(400);
    page.off('request', count);
    assert.equal(requests, 0);
    assert.equal(await page.getByTestId('prediction-digit').count(), 0);
  });

  for (const digit of [0, 1, 3, 7]) {
    it(`recognises a ${digit} drawn with the mouse`, async () => {
      await page.keyboard.press('Escape');
      const box = await canvasBox(page);
      for (const stroke of SHAPES[digit]) await mouseStroke(page, box, stroke);
      const shown = await settledPrediction(page);
      assert.equal(
        shown.digit,
        digit,
        `predicted ${shown.digit} (${shown.confidence}) for a drawn ${digit}; bars ${shown.probabilities}`,
      );
      assertBars(shown);
      // the 28x28 picture the model saw
      const size = await page.getByTestId('model-input').evaluate((img) => [img.naturalWidth, img.naturalHeight]);
      assert.deepEqual(size, [28, 28]);
      if (digit === 3) {
        mkdirSync(dirname(SCREENSHOT), { recursive: true });
        await page.mouse.move(5, 5); // no hover styles in the picture
        await page.waitForTimeout(400); // let the bars finish their transition
        await page.screenshot({ path: SCREENSHOT });
      }
    });
  }

  it('predicts live while a stroke is being drawn', async () => {
    await page.keyboard.press('Escape');
    const box = await canvasBox(page);
    const answers = [];
    const onResponse = (response) => response.url().endsWith('/predict') && answers.push(response.status());
    page.on('response', onResponse);
    const points = SHAPES[0][0].map((p) => toPage(box, p));
    await page.mouse.move(...points[0]);
    await page.mouse.down();
    for (const point of points.slice(1)) {
      await page.mouse.move(...point, { steps: 2 });
      await sleep(25); // a slow, human-speed stroke: ~1.2 s
    }
    await sleep(300);
    const duringStroke = answers.length;
    await page.mouse.up();
    page.off('response', onResponse);
    assert.ok(duringStroke >= 2, `answers arrived while drawing (${duringStroke})`);
    assert.equal((await settledPrediction(page)).digit, 0);
  });

  it('undoes strokes (button and Ctrl+Z) and clears (button and Escape)', async () => {
    await page.keyboard.press('Escape');
    const box = await canvasBox(page);
    const [bar, diagonal] = SHAPES[7];
    await mouseStroke(page, box, bar);
    await settledPrediction(page);
    const barInk = await inkPixels(page);
    await mouseStroke(page, box, diagonal);
    assert.equal((await settledPrediction(page)).digit, 7);
    assert.ok((await inkPixels(page)) > barInk);

    await page.getByTestId('undo').click();
    await settledPrediction(page);
    assert.equal(await inkPixels(page), barInk, 'undo removed the diagonal only');

    await mouseStroke(page, box, diagonal);
    assert.equal((await settledPrediction(page)).digit, 7);
    await page.keyboard.press('Control+z');
    await settledPrediction(page);
    assert.equal(await inkPixels(page), barInk, 'Ctrl+Z removed the diagonal only');

    await page.getByTestId('clear').click();
    assert.equal(await inkPixels(page), 0);
    assert.match(await page.getByTestId('prompt').textContent(), /draw a digit/i);
    assert.equal(await page.getByTestId('prediction-digit').count(), 0);
    assert.equal(await page.getByTestId('prob-7').getAttribute('aria-valuenow'), '0');

    await mouseStroke(page, box, SHAPES[1][0]);
    assert.equal((await settledPrediction(page)).digit, 1);
    await page.keyboard.press('Escape');
    assert.equal(await inkPixels(page), 0);
    assert.equal(await page.getByTestId('prediction-digit').count(), 0);
  });

  it('shows a non-blocking message with Retry when the API is down, and keeps the drawing', async () => {
    await page.keyboard.press('Escape');
    const box = await canvasBox(page);
    await page.route('**/predict', (route) => route.abort('connectionrefused'));
    for (const stroke of SHAPES[7]) await mouseStroke(page, box, stroke);
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 10_000 });
    await waitIdle(page); // no request in flight while the routes change below
    assert.match(await alert.textContent(), /reach/i);
    const ink = await inkPixels(page);
    assert.ok(ink > 0, 'the drawing is still there');
    assert.equal(await page.getByTestId('undo').isEnabled(), true, 'the page is still usable');

    // An error answer from the server shows its message.
    await page.unroute('**/predict');
    await page.route('**/predict', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'model_unavailable', message: 'The model is still loading.' } }),
      }),
    );
    await page.getByTestId('retry').click();
    await page.waitForFunction(
      () => document.querySelector('[role="alert"]')?.textContent?.includes('still loading'),
      null,
      { polling: 100, timeout: 10_000 },
    );
    await waitIdle(page);

    // Back up: Retry recognises the same drawing.
    await page.unroute('**/predict');
    await page.getByRole('button', { name: 'Retry' }).click();
    const shown = await settledPrediction(page);
    assert.equal(shown.digit, 7);
    assertBars(shown);
    assert.equal(await alert.count(), 0);
    assert.equal(await inkPixels(page), ink, 'the drawing was never lost');
  });
});

describe('phone, touch', () => {
  it('fits a 360 px screen and recognises a digit drawn with a finger, without scrolling', async () => {
    const context = await browser.newContext({
      viewport: { width: 360, height: 740 },
      deviceScaleFactor: 3,
      hasTouch: true,
      isMobile: true,
    });
    try {
      const page = await context.newPage();
      await page.goto(server.base + '/');
      const box = await canvasBox(page);
      assert.ok(box.x >= 0 && box.x + box.width <= 360, `the canvas fits the width (${box.x}+${box.width})`);
      assert.ok(box.width >= 300, `the canvas uses most of the width (${box.width})`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(overflow <= 360, `no horizontal scrolling (${overflow})`);
      assert.equal(await page.getByTestId('digit-canvas').evaluate((c) => getComputedStyle(c).touchAction), 'none');
      // crisp: the backing store has device pixels
      const backing = await page.getByTestId('digit-canvas').evaluate((c) => c.width);
      assert.equal(backing, Math.round(box.width * 3));

      const pointerTypes = new Set();
      await page.exposeFunction('__pointerType', (type) => pointerTypes.add(type));
      await page
        .getByTestId('digit-canvas')
        .evaluate((c) => c.addEventListener('pointerdown', (e) => window.__pointerType(e.pointerType)));
      const scrollBefore = await page.evaluate(() => window.scrollY);
      const cdp = await context.newCDPSession(page);
      for (const stroke of SHAPES[7]) await touchStroke(page, cdp, box, stroke);
      const shown = await settledPrediction(page);
      assert.deepEqual([...pointerTypes], ['touch']);
      assert.equal(shown.digit, 7, `predicted ${shown.digit} (${shown.confidence}) for a 7 drawn by touch`);
      assertBars(shown);
      assert.equal(await page.evaluate(() => window.scrollY), scrollBefore, 'the page did not scroll while drawing');

      if (process.env.E2E_PHONE_SCREENSHOT)
        await page.screenshot({ path: process.env.E2E_PHONE_SCREENSHOT, fullPage: true });
      // Clear works in the phone layout. (A click, not .tap(): headless Chromium now and then
      // turns a synthetic tap into no click event at all, which says nothing about the app.)
      await page.getByTestId('clear').click();
      await waitForBlankCanvas(page);
      assert.equal(await page.getByTestId('prediction-digit').count(), 0);
    } finally {
      await context.close();
    }
  });
});
