// Export fixtures for the Python canvas twin (backend/core/strokes.py): draw strokes with the real mouse in the
// built UI in Debian's Chromium, and save the PNG the app sends to POST /predict together with the strokes the app
// drew it from. tests/core/test_strokes.py renders the same strokes in Python and compares the two pictures.
//
// Run from frontend/, after `npm run build`:  node e2e/export-fixtures.mjs
// Writes <repo>/tests/fixtures/canvas_export/<name>.png and <name>.json (EXPORT_FIXTURES_DIR overrides the folder).
//
// No server and no model are needed: frontend/dist (the files Flask serves at /) is served by harness.mjs's static
// host, and /predict, /model and /health are answered by page.route(). The captured /predict body's `image`
// is the exported PNG data URL.
//
// Settings (environment): CHROMIUM_PATH (default /usr/bin/chromium), EXPORT_FIXTURES_DIR.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO, assertBuilt, canvasBox, ellipse, launchBrowser, serveStatic, toPage } from './harness.mjs';

const OUT = resolve(process.env.EXPORT_FIXTURES_DIR ?? join(REPO, 'tests', 'fixtures', 'canvas_export'));
const VIEWPORT = { width: 1280, height: 800 };
// The same constants as src/strokes.ts (EXPORT_SIZE, STROKE_WIDTH_RATIO, MIN_STEP).
const EXPORT_SIZE = 280;
const STROKE_WIDTH_RATIO = 1 / 14;
const MIN_STEP = 0.002;
// Dense strokes: the mouse visits a point at most this many CSS pixels from the previous one (about a 60 Hz
// pointer at a moderate drawing speed).
const DENSE_STEP_PX = 5;

// ---------------------------------------------------------------------------------------
// Shapes: strokes of key points in normalized canvas coordinates (0..1, y down).

const figureEight = (cx, cy, rx, ry, n) =>
  Array.from({ length: n + 1 }, (_, i) => {
    const t = (2 * Math.PI * i) / n;
    return [cx + rx * Math.sin(2 * t), cy - ry * Math.cos(t)];
  });

/**
 * name -> { strokes, dense, deviceScaleFactor, description }. `dense: false` moves the mouse only to the key points
 * (a fast, jerky stroke: few points, so the quadratic-curve smoothing shows); `dense: true` also visits points in
 * between, at most DENSE_STEP_PX apart.
 */
const FIXTURES = {
  one: {
    description: 'a 1: one slightly slanted vertical stroke',
    dense: true,
    strokes: [
      [
        [0.53, 0.13],
        [0.51, 0.5],
        [0.49, 0.87],
      ],
    ],
  },
  seven_bar: {
    description: 'a 7 with a bar: the top bar, then the diagonal; key points only (sparse)',
    dense: false,
    strokes: [
      [
        [0.24, 0.2],
        [0.5, 0.19],
        [0.76, 0.2],
      ],
      [
        [0.76, 0.2],
        [0.62, 0.45],
        [0.5, 0.7],
        [0.44, 0.87],
      ],
      [
        [0.42, 0.52],
        [0.7, 0.52],
      ],
    ],
  },
  zero: {
    description: 'a 0: an oval of 25 key points, closing a little past the start; key points only (sparse)',
    dense: false,
    strokes: [ellipse(0.5, 0.5, 0.24, 0.34, -90, -90 - 375, 24)],
  },
  four: {
    description: 'a 4: down-left and across in one stroke, then the vertical',
    dense: true,
    strokes: [
      [
        [0.58, 0.14],
        [0.4, 0.42],
        [0.24, 0.62],
        [0.5, 0.62],
        [0.78, 0.61],
      ],
      [
        [0.62, 0.36],
        [0.61, 0.62],
        [0.6, 0.88],
      ],
    ],
  },
  two_small: {
    description: 'a small 2 (about a quarter of the side) in the upper left',
    dense: true,
    strokes: [
      [...ellipse(0.25, 0.22, 0.08, 0.07, -170, 30, 10), [0.26, 0.33], [0.18, 0.42], [0.26, 0.42], [0.35, 0.42]],
    ],
  },
  eight_big: {
    description: 'a big 8 almost filling the canvas: one figure-of-eight stroke of 48 key points',
    dense: true,
    strokes: [figureEight(0.5, 0.5, 0.38, 0.44, 48)],
  },
  dot: {
    description: 'a single click: a one-point stroke (a filled dot)',
    dense: false,
    strokes: [[[0.45, 0.55]]],
  },
  three_dpr2: {
    description: 'a 3 in two strokes, drawn at deviceScaleFactor 2 (the export is 280x280 all the same)',
    dense: true,
    deviceScaleFactor: 2,
    strokes: [ellipse(0.48, 0.32, 0.2, 0.16, -160, 90, 16), ellipse(0.48, 0.66, 0.22, 0.19, -90, 150, 16)],
  },
};

// ---------------------------------------------------------------------------------------
// Drawing and recording

const json = (body, status = 200) => ({ status, contentType: 'application/json', body: JSON.stringify(body) });

const PLAUSIBLE_ANSWER = {
  digit: 0,
  confidence: 0.5,
  probabilities: [0.5, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05],
  // a 1x1 transparent PNG stands in for the 28x28 preview
  input:
    'data:image/png;base64,' +
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  model: 'fixture-export',
  verdict: 'digit',
};

/** Key points -> the page positions (CSS px) the mouse visits, with points in between when `dense`. */
function mousePath(box, stroke, dense) {
  const page = stroke.map((p) => toPage(box, p));
  if (!dense) return page;
  const out = [page[0]];
  for (let i = 1; i < page.length; i++) {
    const [x0, y0] = page[i - 1];
    const [x1, y1] = page[i];
    const n = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / DENSE_STEP_PX));
    for (let k = 1; k <= n; k++) out.push([x0 + ((x1 - x0) * k) / n, y0 + ((y1 - y0) * k) / n]);
  }
  return out;
}

/**
 * Record the pointer events the canvas gets, the way DrawingCanvas reads them: the pointerdown's position and the
 * canvas' bounding rect at that moment, each pointermove's coalesced events (or the event itself), and the
 * pointerup's position. Runs in the page.
 */
function installRecorder() {
  const canvas = document.querySelector('[data-testid="digit-canvas"]');
  const log = { strokes: [] };
  let current = null;
  const at = (e) => [e.clientX, e.clientY];
  canvas.addEventListener('pointerdown', (e) => {
    const r = canvas.getBoundingClientRect();
    current = { id: e.pointerId, rect: { left: r.left, top: r.top, width: r.width, height: r.height } };
    current.down = at(e);
    current.moves = [];
    log.strokes.push(current);
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!current || current.id !== e.pointerId || current.up) return;
    const coalesced = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
    current.moves.push((coalesced.length > 0 ? coalesced : [e]).map(at));
  });
  canvas.addEventListener('pointerup', (e) => {
    if (!current || current.id !== e.pointerId) return;
    current.up = at(e);
    current = null;
  });
  window.__exportRecorder = log;
}

const clamp01 = (v) => (v < 0 ? 0 : v > 1 ? 1 : v);

/** src/strokes.ts normalizePoint. */
const normalizePoint = ([clientX, clientY], rect) => [
  clamp01(rect.width > 0 ? (clientX - rect.left) / rect.width : 0),
  clamp01(rect.height > 0 ? (clientY - rect.top) / rect.height : 0),
];

/** Recorded events -> the strokes the app holds (beginStroke, extendStroke with MIN_STEP, pointerup's point). */
function strokesFromEvents(recorded) {
  return recorded.strokes.map(({ rect, down, moves, up }) => {
    const stroke = [normalizePoint(down, rect)];
    const extend = (points) => {
      for (const [x, y] of points) {
        const [lx, ly] = stroke[stroke.length - 1];
        if (Math.hypot(x - lx, y - ly) < MIN_STEP) continue;
        stroke.push([x, y]);
      }
    };
    for (const batch of moves) extend(batch.map((p) => normalizePoint(p, rect)));
    assert.ok(up, 'every stroke ended with a pointerup');
    extend([normalizePoint(up, rect)]);
    return stroke;
  });
}

/**
 * A copy of src/strokes.ts renderStrokes + src/exportImage.ts, run in the page: the PNG data URL the app would send
 * for `strokes`. Used to check that the recorded strokes are exactly the ones the app exported.
 */
function exportInPage({ strokes, size, ratio }) {
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext('2d');
  const width = size * ratio;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.lineWidth = width;
  ctx.strokeStyle = '#000';
  ctx.fillStyle = '#000';
  for (const stroke of strokes) {
    const [fx, fy] = stroke[0];
    ctx.beginPath();
    if (stroke.length === 1) {
      ctx.arc(fx * size, fy * size, width / 2, 0, Math.PI * 2);
      ctx.fill();
      continue;
    }
    ctx.moveTo(fx * size, fy * size);
    for (let i = 1; i < stroke.length - 1; i++) {
      const [px, py] = stroke[i];
      const [nx, ny] = stroke[i + 1];
      ctx.quadraticCurveTo(px * size, py * size, ((px + nx) / 2) * size, ((py + ny) / 2) * size);
    }
    const [lx, ly] = stroke[stroke.length - 1];
    ctx.lineTo(lx * size, ly * size);
    ctx.stroke();
  }
  return canvas.toDataURL('image/png');
}

/** JSON with one key per line and one stroke per line (full precision: the points are the app's own doubles). */
function formatFixture(fixture) {
  const value = (v) =>
    Array.isArray(v) && Array.isArray(v[0]) && Array.isArray(v[0][0])
      ? `[\n${v.map((stroke) => `    ${JSON.stringify(stroke)}`).join(',\n')}\n  ]`
      : JSON.stringify(v);
  const lines = Object.entries(fixture).map(([key, v]) => `  ${JSON.stringify(key)}: ${value(v)}`);
  return `{\n${lines.join(',\n')}\n}\n`;
}

async function exportFixture(browser, base, name, spec) {
  const deviceScaleFactor = spec.deviceScaleFactor ?? 1;
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor });
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    const images = [];
    await page.route('**/predict', async (route) => {
      images.push(route.request().postDataJSON().image);
      await route.fulfill(json(PLAUSIBLE_ANSWER));
    });
    await page.route('**/model', (route) => route.fulfill(json({ version: 'fixture-export' })));
    await page.route('**/health', (route) => route.fulfill(json({ status: 'ok' })));
    await page.goto(base + '/');
    const canvas = page.getByTestId('digit-canvas');
    await canvas.waitFor();
    await page.evaluate(installRecorder);
    const box = await canvasBox(page);

    const sent = [];
    let before = 0;
    for (const [index, stroke] of spec.strokes.entries()) {
      const path = mousePath(box, stroke, spec.dense);
      sent.push(path);
      await page.mouse.move(...path[0]);
      await page.mouse.down();
      for (const point of path.slice(1)) await page.mouse.move(...point, { steps: 1 });
      if (index === spec.strokes.length - 1) before = images.length;
      await page.mouse.up();
    }
    // pointer-up exports at once (predictNow cancels the live throttle), so the last request is the final picture
    const deadline = Date.now() + 10_000;
    while (images.length <= before && Date.now() < deadline) await page.waitForTimeout(50);
    assert.ok(images.length > before, `${name}: a /predict request followed the last pen-up`);
    await page.waitForTimeout(300);
    const image = images[images.length - 1];
    assert.match(image, /^data:image\/png;base64,/);

    const recorded = await page.evaluate(() => window.__exportRecorder);
    assert.equal(recorded.strokes.length, spec.strokes.length, `${name}: one recorded stroke per drawn stroke`);
    const strokes = strokesFromEvents(recorded);
    const again = await page.evaluate(exportInPage, { strokes, size: EXPORT_SIZE, ratio: STROKE_WIDTH_RATIO });
    assert.equal(again, image, `${name}: the recorded strokes re-render to exactly the picture the app sent`);
    assert.deepEqual(errors, [], `${name}: no uncaught errors in the page`);

    const png = Buffer.from(image.slice(image.indexOf(',') + 1), 'base64');
    const rect = recorded.strokes[0].rect;
    const fixture = {
      name,
      description: spec.description,
      strokes,
      canvas_css_size: { width: rect.width, height: rect.height },
      canvas_rect: rect,
      device_scale_factor: deviceScaleFactor,
      viewport: VIEWPORT,
      export_size: EXPORT_SIZE,
      browser: `Chromium ${browser.version()}`,
      mouse_points: sent,
      dense: spec.dense,
      input_notes:
        '`strokes` are the strokes the app drew the export from, rebuilt from the pointer events the canvas ' +
        "received (recorded in the page as DrawingCanvas reads them: pointerdown clientX/Y, each pointermove's " +
        "getCoalescedEvents() or the event itself, the pointerup position), normalized by the canvas' bounding " +
        'rect at pointerdown (border included, as normalizePoint does), clamped to 0..1, and with points closer ' +
        'than MIN_STEP = 0.002 to the previous kept point dropped (extendStroke). The script checked that ' +
        'rendering these strokes with a copy of renderStrokes in the same page gives a byte-identical data URL. ' +
        '`mouse_points` are the page positions (CSS px) sent with page.mouse.move(x, y, { steps: 1 }), one ' +
        'stroke per list; `dense` says whether points every <= ' +
        DENSE_STEP_PX +
        ' px were added between the key points.',
    };
    writeFileSync(join(OUT, `${name}.png`), png);
    writeFileSync(join(OUT, `${name}.json`), formatFixture(fixture));
    const points = strokes.map((s) => s.length).join('+');
    console.log(
      `${name}: ${png.length} bytes, ${strokes.length} stroke(s) (${points} points), dpr ${deviceScaleFactor}`,
    );
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------------------------------

assertBuilt();
mkdirSync(OUT, { recursive: true });
const host = await serveStatic();
const browser = await launchBrowser();
try {
  for (const [name, spec] of Object.entries(FIXTURES)) await exportFixture(browser, host.base, name, spec);
} finally {
  await browser.close();
  await host.close();
}
console.log(`Wrote ${Object.keys(FIXTURES).length} fixtures to ${OUT}`);
