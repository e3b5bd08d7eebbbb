// End-to-end: the API's docs page (/docs, Swagger UI served by the real server) in Debian's
// Chromium, under the page's own Content-Security-Policy. Run with `npm run test:e2e`.
//
// Settings (environment): CHROMIUM_PATH (default /usr/bin/chromium), E2E_HEALTH_TIMEOUT_S
// (default 90), E2E_PYTHON.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServerAndBrowser } from './harness.mjs';

let server; // { base, log, stop }
let browser;

describe('the API docs page', () => {
  before(async () => {
    // /docs is the server's own page: no built UI needed.
    ({ server, browser } = await startServerAndBrowser({ needsDist: false }));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
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
