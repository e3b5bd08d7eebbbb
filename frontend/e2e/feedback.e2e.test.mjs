// End-to-end: corrections, My drawings and share links, in Debian's Chromium against the real server
// (its own throwaway SQLite database and an admin token, to check what was stored).
// Run with `npm run test:e2e` (after `npm run build`).
//
// Settings (environment): CHROMIUM_PATH (default /usr/bin/chromium), E2E_HEALTH_TIMEOUT_S
// (default 90), E2E_PYTHON.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SEVEN, drawStrokes, startServerAndBrowser } from './harness.mjs';

const ADMIN_TOKEN = 'e2e-admin-token';
const ADMIN = { Authorization: `Bearer ${ADMIN_TOKEN}` };

// The server's throwaway database, removed when the run ends, however it ends.
const folder = mkdtempSync(join(tmpdir(), 'digits-e2e-feedback-'));
process.once('exit', () => rmSync(folder, { recursive: true, force: true }));

let server; // { base, log, stop }
let browser;

before(async () => {
  ({ server, browser } = await startServerAndBrowser({
    env: { DIGITS_DATABASE_URL: `sqlite:///${join(folder, 'digits.sqlite3')}`, DIGITS_ADMIN_TOKEN: ADMIN_TOKEN },
  }));
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Draw a 7 as a person does (a few pointer events between points) and wait for the answer; the digit shown. */
async function drawSeven(page) {
  await drawStrokes(page, SEVEN, { steps: 4 });
  // Settled: no request in flight, and the feedback buttons are on.
  await page.waitForFunction(
    () =>
      document.querySelector('.result')?.getAttribute('aria-busy') === 'false' &&
      document.querySelector('[data-testid="correct-0"]')?.disabled === false,
    null,
    { polling: 100, timeout: 20_000 },
  );
  return Number(await page.getByTestId('prediction-digit').textContent());
}

async function admin(path) {
  const response = await fetch(server.base + path, { headers: ADMIN });
  assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`);
  return response.json();
}

describe('corrections and sharing', () => {
  it('draw, correct with a key, see it under My drawings; the server has the strokes and the label', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    try {
      const page = await context.newPage();
      await page.goto(server.base + '/');
      assert.equal(await page.getByTestId('feedback').count(), 0, 'nothing to say before an answer');
      const predicted = await drawSeven(page);
      assert.equal(predicted, 7, 'the model reads the 7');
      await page.getByTestId('feedback-consent').waitFor();
      assert.match(await page.getByTestId('feedback-consent').textContent(), /never your IP address/);

      // Say it was a 1 (a deliberate correction the model disagrees with), with the keyboard.
      await page.getByTestId('digit-canvas').focus();
      await page.keyboard.press('1');
      await page.getByTestId('feedback-thanks').waitFor({ timeout: 10_000 });
      assert.match(await page.getByTestId('feedback-thanks').textContent(), /Noted as a 1/);
      assert.equal(await page.getByTestId('correct-1').getAttribute('aria-pressed'), 'true');

      const mine = page.getByTestId('my-drawings');
      assert.match(await mine.locator('summary').textContent(), /My drawings \(1\)/);
      await mine.locator('summary').click();
      assert.match(await page.getByTestId('my-drawing').textContent(), /You said 1; the model said 7/);

      const listing = await admin('/admin/drawings?corrected=true');
      assert.equal(listing.total, 1);
      const [row] = listing.drawings;
      assert.deepEqual([row.label, row.predicted, row.shared, row.strokes], [1, 7, false, 2]);
      const stored = await admin(`/admin/drawings/${row.id}`);
      assert.equal(stored.strokes.length, 2);
      assert.ok(stored.strokes.every((s) => s.every(([x, y]) => x >= 0 && x <= 1 && y >= 0 && y <= 1)));
      assert.ok(stored.image.startsWith('data:image/png;base64,'));
      assert.equal((await fetch(`${server.base}/drawings/${row.id}`)).status, 404, 'a correction is not public');

      // The list is this browser's: it is still there after a reload.
      await page.reload();
      assert.match(await page.getByTestId('my-drawings').locator('summary').textContent(), /My drawings \(1\)/);
    } finally {
      await context.close();
    }
  });

  it('Save & share gives a link that shows the drawing, its answer and bars in a fresh page', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    let link;
    let bars;
    try {
      const page = await context.newPage();
      await page.goto(server.base + '/');
      const predicted = await drawSeven(page);
      bars = [];
      for (let d = 0; d < 10; d++) bars.push(await page.getByTestId(`prob-${d}`).getAttribute('aria-valuenow'));
      await page.getByTestId('share').click();
      await page.getByTestId('share-link').waitFor({ timeout: 10_000 });
      link = await page.getByTestId('share-link').getAttribute('href');
      assert.match(link, /^\/d\/[A-Za-z0-9_-]{22}$/);
      assert.equal(await page.getByTestId('share-link').textContent(), server.base + link);
      assert.equal(predicted, 7);
    } finally {
      await context.close();
    }

    // A fresh browser context: no localStorage, nothing shared with the page that saved it.
    const fresh = await browser.newContext({ viewport: { width: 800, height: 900 } });
    try {
      const page = await fresh.newPage();
      const errors = [];
      page.on('pageerror', (error) => errors.push(String(error)));
      page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
      const response = await page.goto(server.base + link);
      assert.equal(response.status(), 200);
      await page.getByTestId('shared-image').waitFor({ timeout: 10_000 });
      assert.match(await page.getByTestId('shared-prediction').textContent(), /The model read it as 7/);
      const loaded = await page
        .getByTestId('shared-image')
        .evaluate((img) => img.complete && img.naturalWidth === 280 && img.naturalHeight === 280);
      assert.ok(loaded, 'the drawing is shown (280x280 PNG), under the page CSP');
      const shown = [];
      for (let d = 0; d < 10; d++) shown.push(await page.getByTestId(`prob-${d}`).getAttribute('aria-valuenow'));
      assert.deepEqual(shown, bars, 'the same bars as when it was shared');
      assert.deepEqual(errors, [], 'no errors in the page (CSP included)');
      await page.getByTestId('draw-your-own').click();
      await page.getByTestId('digit-canvas').waitFor();

      await page.goto(server.base + '/d/AAAAAAAAAAAAAAAAAAAAAA');
      await page.getByTestId('shared-missing').waitFor({ timeout: 10_000 });
    } finally {
      await fresh.close();
    }
  });
});
