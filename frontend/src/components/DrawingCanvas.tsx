import {
  useCallback,
  useImperativeHandle,
  useLayoutEffect,
  useRef,
  useState,
  type PointerEvent as ReactPointerEvent,
  type Ref,
} from 'react';
import { allStrokes, normalizePoint, renderStrokes, type Drawing, type Point } from '../strokes';

export interface DrawingCanvasProps {
  drawing: Drawing;
  onStrokeStart: (point: Point) => void;
  onStrokeMove: (points: Point[]) => void;
  onStrokeEnd: () => void;
  /**
   * Ink colour on screen (the exported picture is always black on transparent). By default the canvas' CSS
   * custom property `--ink` (which follows dark mode and forced colours), else dark slate.
   */
  ink?: string;
  /** The id of the element that explains how to draw (and the keyboard alternatives). */
  describedBy?: string;
  /** Width over height: 1 (square, the default) for a digit, wider for a number. */
  aspect?: number;
  /** What the canvas is for, said to screen readers (default: drawing one digit). */
  label?: string;
  ref?: Ref<HTMLCanvasElement>;
}

const DEFAULT_INK = '#0f172a';

/** Focus taken by drawing: no scrolling, and no focus ring (TypeScript's DOM types lack `focusVisible`). */
const POINTER_FOCUS: FocusOptions & { focusVisible?: boolean } = { preventScroll: true, focusVisible: false };

/** The colour scheme and forced-colours queries whose changes re-colour the ink. */
const INK_QUERIES = ['(prefers-color-scheme: dark)', '(forced-colors: active)'];

type Rect = { left: number; top: number; width: number; height: number };

/**
 * A drawing surface driven by Pointer Events (mouse, touch and pen alike), square unless `aspect` says
 * otherwise. Strokes live in normalized coordinates; the canvas' backing store follows its CSS size times
 * devicePixelRatio, so lines stay crisp on high-density screens.
 */
export function DrawingCanvas({
  drawing,
  onStrokeStart,
  onStrokeMove,
  onStrokeEnd,
  ink,
  describedBy,
  aspect = 1,
  label = 'Drawing area: draw one digit with a mouse, finger or pen',
  ref,
}: DrawingCanvasProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  useImperativeHandle(ref, () => canvasRef.current!, []);
  const [scheme, setScheme] = useState(0);

  // Re-draw in the new ink when the colour scheme or forced colours change.
  useLayoutEffect(() => {
    if (typeof window.matchMedia !== 'function') return;
    const onChange = () => setScheme((n) => n + 1);
    const queries = INK_QUERIES.map((q) => window.matchMedia(q));
    for (const query of queries) query.addEventListener?.('change', onChange);
    return () => {
      for (const query of queries) query.removeEventListener?.('change', onChange);
    };
  }, []);
  const pointer = useRef<{ id: number; rect: Rect } | null>(null);
  const [size, setSize] = useState(0);
  const [dpr, setDpr] = useState(() => (typeof window === 'undefined' ? 1 : window.devicePixelRatio || 1));

  // Follow devicePixelRatio changes (browser zoom, moving the window to another screen).
  useLayoutEffect(() => {
    if (typeof window.matchMedia !== 'function') return;
    let query: MediaQueryList | null = null;
    const onChange = () => {
      setDpr(window.devicePixelRatio || 1);
      listen();
    };
    const listen = () => {
      query?.removeEventListener('change', onChange);
      query = window.matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
      query.addEventListener('change', onChange);
    };
    listen();
    return () => query?.removeEventListener('change', onChange);
  }, []);

  // Track the CSS size of the canvas.
  useLayoutEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const measure = () => setSize(canvas.getBoundingClientRect().width);
    measure();
    if (typeof ResizeObserver === 'undefined') {
      window.addEventListener('resize', measure);
      return () => window.removeEventListener('resize', measure);
    }
    const observer = new ResizeObserver(measure);
    observer.observe(canvas);
    return () => observer.disconnect();
  }, []);

  // Redraw everything whenever the drawing or the size changes (before the browser paints).
  useLayoutEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || size <= 0) return;
    const pixels = Math.max(1, Math.round(size * dpr));
    const tall = Math.max(1, Math.round((size / aspect) * dpr));
    if (canvas.width !== pixels || canvas.height !== tall) {
      canvas.width = pixels;
      canvas.height = tall;
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, pixels, tall);
    const color = ink ?? (getComputedStyle(canvas).getPropertyValue('--ink').trim() || DEFAULT_INK);
    renderStrokes(ctx, allStrokes(drawing), pixels, color, tall);
  }, [drawing, size, dpr, ink, scheme, aspect]);

  const pointsOf = useCallback((event: ReactPointerEvent<HTMLCanvasElement>, rect: Rect): Point[] => {
    const native = event.nativeEvent;
    const coalesced = typeof native.getCoalescedEvents === 'function' ? native.getCoalescedEvents() : [];
    const events = coalesced.length > 0 ? coalesced : [native];
    return events.map((e) => normalizePoint(e.clientX, e.clientY, rect));
  }, []);

  const handleDown = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    if (pointer.current) return; // one stroke at a time: ignore a second finger
    if (event.pointerType === 'mouse' && event.button !== 0) return;
    event.preventDefault();
    const canvas = event.currentTarget;
    // Drawing puts the keyboard focus here, so that Esc clears and Tab goes on to the tools.
    // (No focus ring for a pointer: `focusVisible: false`.)
    if (document.activeElement !== canvas) canvas.focus(POINTER_FOCUS);
    try {
      canvas.setPointerCapture(event.pointerId);
    } catch {
      // Not every environment supports capture (e.g. synthetic events); drawing still works.
    }
    const r = canvas.getBoundingClientRect();
    const rect = { left: r.left, top: r.top, width: r.width, height: r.height };
    pointer.current = { id: event.pointerId, rect };
    onStrokeStart(normalizePoint(event.clientX, event.clientY, rect));
  };

  const handleMove = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    const active = pointer.current;
    if (!active || active.id !== event.pointerId) return;
    event.preventDefault();
    onStrokeMove(pointsOf(event, active.rect));
  };

  const handleEnd = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    const active = pointer.current;
    if (!active || active.id !== event.pointerId) return;
    pointer.current = null;
    if (event.type === 'pointerup') onStrokeMove([normalizePoint(event.clientX, event.clientY, active.rect)]);
    onStrokeEnd();
  };

  return (
    <canvas
      ref={canvasRef}
      className="digit-canvas"
      data-testid="digit-canvas"
      role="img"
      tabIndex={0}
      aria-label={label}
      aria-describedby={describedBy}
      onPointerDown={handleDown}
      onPointerMove={handleMove}
      onPointerUp={handleEnd}
      onPointerCancel={handleEnd}
      onLostPointerCapture={handleEnd}
      onContextMenu={(e) => e.preventDefault()}
    />
  );
}
