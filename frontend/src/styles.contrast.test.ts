/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Read from disk: the test setup does not process CSS (`css: false`), so `?raw` would be empty.
const css = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'styles.css'), 'utf8');

/** The custom properties set in the first `:root { ... }` block after `from` in the stylesheet. */
function tokens(from: string): Record<string, string> {
  const start = css.indexOf(from);
  expect(start, `"${from}" is in styles.css`).toBeGreaterThanOrEqual(0);
  const block = css.slice(css.indexOf(':root {', start));
  const body = block.slice(0, block.indexOf('}'));
  return Object.fromEntries([...body.matchAll(/--([\w-]+):\s*(#[0-9a-f]{6})\s*;/gi)].map((m) => [m[1]!, m[2]!]));
}

const channel = (c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const luminance = (hex: string) => {
  const [r, g, b] = [1, 3, 5].map((i) => channel(parseInt(hex.slice(i, i + 2), 16) / 255));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
};
/** WCAG 2 contrast ratio of two #rrggbb colours. */
const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
};

// [foreground token, background token, minimum ratio]: text 4.5:1, control outlines and graphics 3:1.
const TEXT: [string, string][] = [
  ['text', 'bg'],
  ['text', 'card'],
  ['muted', 'bg'],
  ['muted', 'card'],
  ['muted', 'btn-bg'],
  ['text', 'btn-bg'],
  ['text', 'btn-hover'],
  ['disabled-text', 'btn-bg'],
  ['disabled-text', 'card'],
  ['placeholder', 'canvas-bg'],
  ['accent', 'card'],
  ['accent', 'accent-soft'],
  ['muted', 'accent-soft'],
  ['warn-text', 'warn-bg'],
  ['unsure-text', 'unsure-bg'],
  ['nodigit-text', 'nodigit-bg'],
  ['error-text', 'error-bg'],
];
const GRAPHICS: [string, string][] = [
  ['control-line', 'card'],
  ['control-line', 'bg'],
  ['control-line', 'canvas-bg'],
  ['ink', 'canvas-bg'],
  ['focus', 'card'],
  ['focus', 'bg'],
  ['bar', 'track'],
  ['accent', 'track'],
  ['error-line', 'error-bg'],
];

describe.each([
  ['light', ':root {'],
  ['dark', '@media (prefers-color-scheme: dark)'],
])('the %s colour scheme', (_scheme, from) => {
  const colours = tokens(from);

  it.each(TEXT)('text: --%s on --%s is at least 4.5:1', (fg, bg) => {
    expect(colours[fg], `--${fg}`).toBeDefined();
    expect(colours[bg], `--${bg}`).toBeDefined();
    expect(contrast(colours[fg]!, colours[bg]!)).toBeGreaterThanOrEqual(4.5);
  });

  it.each(GRAPHICS)('controls and graphics: --%s on --%s is at least 3:1', (fg, bg) => {
    expect(contrast(colours[fg]!, colours[bg]!)).toBeGreaterThanOrEqual(3);
  });
});

describe('the stylesheet', () => {
  it('follows the system colour scheme', () => {
    expect(css).toMatch(/color-scheme:\s*light dark/);
    expect(css).toContain('@media (prefers-color-scheme: dark)');
  });

  it('keeps the bars and the ink visible in forced-colours mode', () => {
    const forced = css.slice(css.indexOf('@media (forced-colors: active)'));
    expect(forced).toMatch(/\.bar-fill\s*{[^}]*forced-color-adjust:\s*none/);
    expect(forced).toMatch(/\.bar-track\s*{[^}]*border:[^;]*CanvasText/);
    expect(forced).toMatch(/\.digit-canvas\s*{[^}]*forced-color-adjust:\s*none/);
  });

  it('checks the sums it relies on', () => {
    expect(contrast('#ffffff', '#000000')).toBeCloseTo(21);
    expect(contrast('#94a3b8', '#ffffff')).toBeLessThan(3); // the old placeholder colour, rightly rejected
  });
});
