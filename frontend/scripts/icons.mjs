// The web app manifest's icons (public/icons/), drawn from public/favicon.svg by Debian's Chromium
// (playwright-core): 192 and 512 px, and a 512 px maskable one whose 7 sits inside the safe zone (the middle 80%).
// Run from frontend/ when the favicon changes:  node scripts/icons.mjs   (CHROMIUM_PATH overrides the browser)

import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const FRONTEND = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(FRONTEND, 'public', 'icons');
const svg = readFileSync(join(FRONTEND, 'public', 'favicon.svg'), 'utf8');
const dataUrl = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;

// A maskable icon fills its square with the background; the emblem is scaled into the safe zone.
function page(size, maskable) {
  const side = maskable ? size * 0.7 : size;
  const background = maskable ? '#0f172a' : 'transparent';
  const style = `display:block;width:${side}px;height:${side}px;margin:${(size - side) / 2}px`;
  return `<!doctype html><html><body style="margin:0;background:${background}">
<img src="${dataUrl}" style="${style}"></body></html>`;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--headless', '--disable-gpu'],
});
try {
  mkdirSync(OUT, { recursive: true });
  for (const [name, size, maskable] of [
    ['icon-192.png', 192, false],
    ['icon-512.png', 512, false],
    ['maskable-512.png', 512, true],
  ]) {
    const tab = await browser.newPage({ viewport: { width: size, height: size } });
    await tab.setContent(page(size, maskable));
    await tab.waitForFunction(() => globalThis.document.images[0]?.complete);
    await tab.screenshot({ path: join(OUT, name), omitBackground: !maskable });
    await tab.close();
    console.log(`${name}: ${size}x${size}${maskable ? ' (maskable)' : ''}`);
  }
} finally {
  await browser.close();
}
