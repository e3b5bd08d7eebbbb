// End-to-end: Number mode (a whole number written on the wide pad, a box per digit, a digit's bars on a tap)
// and "Why?" (the heatmap over the drawing), in Debian's Chromium against the real server and the shipped model.
// Run with `npm run test:e2e` (after `npm run build`).
//
// Settings (environment): CHROMIUM_PATH (default /usr/bin/chromium), E2E_HEALTH_TIMEOUT_S (default 90),
// E2E_PYTHON, E2E_NUMBER_SCREENSHOT (default <repo>/docs/number.png), E2E_WHY_SCREENSHOT (default
// <repo>/docs/why.png).

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  REPO,
  SHAPES,
  mouseStroke,
  newPhoneContext,
  recordPointerTypes,
  startServerAndBrowser,
  touchStroke,
} from './harness.mjs';

const NUMBER_SCREENSHOT = process.env.E2E_NUMBER_SCREENSHOT ?? join(REPO, 'docs', 'number.png');
const WHY_SCREENSHOT = process.env.E2E_WHY_SCREENSHOT ?? join(REPO, 'docs', 'why.png');

let server; // { base, log, stop }
let browser;

before(async () => {
  ({ server, browser } = await startServerAndBrowser());
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// ---------------------------------------------------------------------------------------
// A number as a person writes it: the harness's digits (as app.e2e.test.mjs draws them), each in its own quarter of
// the pad.

const NUMBER = '7310';

/** The strokes of `text` on the number pad, in 0..1 of its width and height: the k-th digit in the k-th quarter. */
function numberStrokes(text) {
  return [...text].flatMap((digit, k) =>
    SHAPES[digit].map((stroke) => stroke.map(([x, y]) => [(k + x) / text.length, 0.08 + 0.84 * y])),
  );
}

/** Wait until the number's answer is settled (no request in flight) and return what the page shows. */
async function settledNumber(page, digits) {
  await page.waitForFunction(
    (count) =>
      document.querySelector('[data-testid="number-answer"]')?.getAttribute('aria-busy') === 'false' &&
      document.querySelectorAll('[data-testid^="digit-box-"]').length === count,
    digits,
    { polling: 100, timeout: 30_000 },
  );
  const alert = page.getByRole('alert');
  if (await alert.count()) throw new Error(`The app shows an error: ${await alert.textContent()}`);
  const boxes = await page.$$eval('[data-testid^="digit-box-"]', (elements) =>
    elements.map((e) => {
      const r = e.getBoundingClientRect();
      return { digit: e.getAttribute('data-digit'), left: r.left, right: r.right, top: r.top, bottom: r.bottom };
    }),
  );
  return { number: (await page.getByTestId('number-result').textContent()).trim(), boxes };
}

/** The bars shown for the chosen digit: ten percentages. */
async function chosenBars(page) {
  const bars = page.getByTestId('number-bars');
  await bars.waitFor({ timeout: 5000 });
  const values = [];
  for (let d = 0; d < 10; d++) values.push(Number(await bars.getByTestId(`prob-${d}`).getAttribute('aria-valuenow')));
  return values;
}

function assertBoxesOverTheirDigits(boxes, canvas, text) {
  assert.equal(boxes.map((b) => b.digit).join(''), text);
  boxes.forEach((b, k) => {
    // Each box lies over the quarter of the pad its digit was written in, inside the pad.
    const middle = (b.left + b.right) / 2;
    const quarter = (middle - canvas.x) / canvas.width;
    assert.ok(quarter > k / text.length && quarter < (k + 1) / text.length, `box ${k} over its digit (${quarter})`);
    assert.ok(b.top >= canvas.y - 1 && b.bottom <= canvas.y + canvas.height + 1, `box ${k} inside the pad`);
  });
}

describe('Number mode and Why?, desktop', () => {
  let context;
  let page;

  before(async () => {
    context = await browser.newContext({ viewport: { width: 1100, height: 1040 }, deviceScaleFactor: 1 });
    page = await context.newPage();
    await page.goto(server.base + '/');
  });

  after(async () => context?.close());

  it('reads a number written with the mouse: the number, a box over each digit, its bars on a click', async () => {
    const requests = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await page.getByTestId('mode-number').click();
    const canvas = await page.getByTestId('digit-canvas').boundingBox();
    assert.ok(Math.abs(canvas.width / canvas.height - 2.5) < 0.05, `a wide pad (${canvas.width}x${canvas.height})`);
    for (const stroke of numberStrokes(NUMBER)) await mouseStroke(page, canvas, stroke);
    const shown = await settledNumber(page, NUMBER.length);
    assert.equal(shown.number, NUMBER);
    assertBoxesOverTheirDigits(shown.boxes, canvas, NUMBER);
    assert.ok(requests.includes('/read-number') && !requests.includes('/predict'), 'only /read-number was asked');

    await page.getByTestId('digit-tag-2').click();
    const bars = await chosenBars(page);
    assert.equal(bars.indexOf(Math.max(...bars)), Number(NUMBER[2]), 'the longest bar is the digit tapped');
    assert.match(await page.getByTestId('number-bars').textContent(), /Digit 3 of 4: 1/);
    mkdirSync(dirname(NUMBER_SCREENSHOT), { recursive: true });
    await page.screenshot({ path: NUMBER_SCREENSHOT });
  });

  it('Why? lays a heatmap over the number: aligned with the pad, hottest on the strokes', async () => {
    const explained = page.waitForResponse(
      (r) => new URL(r.url()).pathname === '/read-number' && JSON.parse(r.request().postData()).explain === true,
    );
    await page.getByTestId('why-toggle').click();
    assert.equal(await page.getByTestId('why-toggle').getAttribute('aria-pressed'), 'true');
    await explained;
    const heatmap = page.getByTestId('heatmap');
    await heatmap.waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="heatmap"]')?.complete === true);
    const canvas = await page.getByTestId('digit-canvas').boundingBox();
    const over = await heatmap.boundingBox();
    assert.ok(Math.abs(over.x - canvas.x) <= 3 && Math.abs(over.width - canvas.width) <= 5, 'over the pad, as wide');
    assert.ok(Math.abs(over.y - canvas.y) <= 3 && Math.abs(over.height - canvas.height) <= 5, 'and as tall');
    // The heat is where the ink is: its hottest (red) pixels fall on the pad's inked pixels.
    const onInk = await page.evaluate(() => {
      const image = document.querySelector('[data-testid="heatmap"]');
      const pad = document.querySelector('[data-testid="digit-canvas"]');
      const heat = document.createElement('canvas');
      [heat.width, heat.height] = [pad.width, pad.height];
      const h = heat.getContext('2d');
      h.drawImage(image, 0, 0, pad.width, pad.height);
      const heatPixels = h.getImageData(0, 0, pad.width, pad.height).data;
      const ink = pad.getContext('2d').getImageData(0, 0, pad.width, pad.height).data;
      let hot = 0;
      let hotOnInk = 0;
      for (let i = 3; i < heatPixels.length; i += 4) {
        const red = heatPixels[i - 3] > 180 && heatPixels[i - 2] < 110 && heatPixels[i] > 150;
        if (!red) continue;
        hot++;
        if (ink[i] > 0) hotOnInk++;
      }
      return { hot, share: hotOnInk / Math.max(1, hot) };
    });
    assert.ok(onInk.hot > 100, `some red strokes (${onInk.hot} px)`);
    assert.ok(onInk.share > 0.9, `the red lies on the ink (${(onInk.share * 100).toFixed(1)}%)`);
    await page.screenshot({ path: WHY_SCREENSHOT });

    await page.getByTestId('why-toggle').click();
    assert.equal(await heatmap.count(), 0, 'Why? off: no heatmap');
  });

  it('keeps the digit pad as it was, and explains a single digit too', async () => {
    await page.getByTestId('mode-digit').click();
    const canvas = await page.getByTestId('digit-canvas').boundingBox();
    assert.ok(Math.abs(canvas.width - canvas.height) <= 2, 'square again');
    assert.equal(await page.getByTestId('undo').isDisabled(), true, 'the digit pad is still empty');
    for (const stroke of SHAPES[7]) await mouseStroke(page, canvas, stroke);
    await page.waitForFunction(() => document.querySelector('[data-testid="prediction-digit"]')?.textContent === '7');
    await page.getByTestId('why-toggle').click();
    await page.getByTestId('heatmap').waitFor({ timeout: 10_000 });
    await page.getByTestId('mode-number').click();
    const shown = await settledNumber(page, NUMBER.length);
    assert.equal(shown.number, NUMBER, 'the number is still there');
    await page.getByTestId('why-toggle').click(); // off again, for whoever comes next
  });
});

describe('Number mode, phone, touch', () => {
  it('writes a number with a finger and shows a digit’s bars when its box is tapped', async () => {
    const context = await newPhoneContext(browser, { width: 390, height: 844 }, 2);
    try {
      const page = await context.newPage();
      await page.goto(server.base + '/');
      await page.getByTestId('mode-number').tap();
      const canvas = await page.getByTestId('digit-canvas').boundingBox();
      assert.ok(canvas.x >= 0 && canvas.x + canvas.width <= 390, `the pad fits the width (${canvas.width})`);
      assert.ok(canvas.width >= 320, `the pad uses most of the width (${canvas.width})`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(overflow <= 390, `no horizontal scrolling (${overflow})`);

      const pointerTypes = await recordPointerTypes(page);
      const cdp = await context.newCDPSession(page);
      const text = '731';
      for (const stroke of numberStrokes(text)) await touchStroke(cdp, canvas, stroke, { steps: 3 });
      const shown = await settledNumber(page, text.length);
      assert.deepEqual([...pointerTypes], ['touch']);
      assert.equal(shown.number, text);
      assertBoxesOverTheirDigits(shown.boxes, canvas, text);

      const tag = await page.getByTestId('digit-tag-0').boundingBox();
      assert.ok(tag.height >= 24, `a tag big enough for a finger (${tag.height} px)`);
      await page.getByTestId('digit-tag-0').tap();
      const bars = await chosenBars(page);
      assert.equal(bars.indexOf(Math.max(...bars)), Number(text[0]));
    } finally {
      await context.close();
    }
  });
});
