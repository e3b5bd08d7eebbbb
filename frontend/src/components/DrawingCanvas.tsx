import { useCallback, useLayoutEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import { allStrokes, normalizePoint, renderStrokes, type Drawing, type Point } from '../strokes';

export interface DrawingCanvasProps {
  drawing: Drawing;
  onStrokeStart: (point: Point) => void;
  onStrokeMove: (points: Point[]) => void;
  onStrokeEnd: () => void;
  /** Ink colour on screen (the exported picture is always black on transparent). */
  ink?: string;
}

type Rect = { left: number; top: number; width: number; height: number };

/**
 * A square drawing surface driven by Pointer Events (mouse, touch and pen alike). Strokes
 * live in normalized coordinates; the canvas' backing store follows its CSS size times
 * devicePixelRatio, so lines stay crisp on high-density screens.
 */
export function DrawingCanvas({
  drawing,
  onStrokeStart,
  onStrokeMove,
  onStrokeEnd,
  ink = '#0f172a',
}: DrawingCanvasProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
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
    if (canvas.width !== pixels || canvas.height !== pixels) {
      canvas.width = pixels;
      canvas.height = pixels;
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, pixels, pixels);
    renderStrokes(ctx, allStrokes(drawing), pixels, ink);
  }, [drawing, size, dpr, ink]);

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
      aria-label="Drawing area: draw one digit with a mouse, finger or pen"
      onPointerDown={handleDown}
      onPointerMove={handleMove}
      onPointerUp={handleEnd}
      onPointerCancel={handleEnd}
      onLostPointerCapture={handleEnd}
      onContextMenu={(e) => e.preventDefault()}
    />
  );
}
