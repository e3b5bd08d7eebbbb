import { vi } from 'vitest';

export interface Call {
  name: string;
  args: unknown[];
}

/** A 2D-context stand-in that records every method call and property write. */
export function createFakeContext() {
  const calls: Call[] = [];
  const state: Record<string, unknown> = {};
  const record =
    (name: string) =>
    (...args: unknown[]) => {
      calls.push({ name, args });
    };
  const methods = [
    'beginPath',
    'moveTo',
    'lineTo',
    'quadraticCurveTo',
    'arc',
    'stroke',
    'fill',
    'clearRect',
    'fillRect',
    'setTransform',
  ];
  const target: Record<string, unknown> = {};
  for (const m of methods) target[m] = record(m);
  const ctx = new Proxy(target, {
    get: (t, key: string) => (key in t ? t[key] : state[key]),
    set: (_t, key: string, value) => {
      state[key] = value;
      calls.push({ name: `set:${key}`, args: [value] });
      return true;
    },
  });
  return { ctx: ctx as unknown as CanvasRenderingContext2D, calls, state };
}

/** Make every <canvas> in jsdom return a fresh fake 2D context and a fixed data URL. */
export function stubCanvas(dataUrl = 'data:image/png;base64,AAAA') {
  const contexts: ReturnType<typeof createFakeContext>[] = [];
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(function (this: HTMLCanvasElement) {
    const existing = (this as unknown as { __fake?: ReturnType<typeof createFakeContext> }).__fake;
    if (existing) return existing.ctx as never;
    const fake = createFakeContext();
    (this as unknown as { __fake?: ReturnType<typeof createFakeContext> }).__fake = fake;
    contexts.push(fake);
    return fake.ctx as never;
  } as never);
  vi.spyOn(HTMLCanvasElement.prototype, 'toDataURL').mockReturnValue(dataUrl);
  return contexts;
}

/** Give an element a fixed layout box (jsdom has no layout). */
export function setRect(element: Element, size: number, left = 0, top = 0) {
  vi.spyOn(element, 'getBoundingClientRect').mockReturnValue({
    left,
    top,
    width: size,
    height: size,
    right: left + size,
    bottom: top + size,
    x: left,
    y: top,
    toJSON: () => ({}),
  });
}
