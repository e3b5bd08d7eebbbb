import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { emptyDrawing, type Drawing } from '../strokes';
import { setRect, stubCanvas } from '../test/fakeCanvas';
import { DrawingCanvas } from './DrawingCanvas';

function setup(drawing: Drawing = emptyDrawing) {
  const contexts = stubCanvas();
  const onStrokeStart = vi.fn();
  const onStrokeMove = vi.fn();
  const onStrokeEnd = vi.fn();
  const view = render(
    <DrawingCanvas
      drawing={drawing}
      onStrokeStart={onStrokeStart}
      onStrokeMove={onStrokeMove}
      onStrokeEnd={onStrokeEnd}
    />,
  );
  const canvas = screen.getByTestId<HTMLCanvasElement>('digit-canvas');
  setRect(canvas, 200, 10, 10);
  return { canvas, contexts, onStrokeStart, onStrokeMove, onStrokeEnd, ...view };
}

describe('DrawingCanvas', () => {
  it('is labelled for screen readers', () => {
    setup();
    expect(screen.getByRole('img', { name: /draw one digit/i })).toBeInTheDocument();
  });

  it('turns pointer events into normalized stroke callbacks', () => {
    const { canvas, onStrokeStart, onStrokeMove, onStrokeEnd } = setup();
    fireEvent.pointerDown(canvas, { pointerId: 1, pointerType: 'mouse', button: 0, clientX: 60, clientY: 110 });
    expect(onStrokeStart).toHaveBeenCalledWith({ x: 0.25, y: 0.5 });
    fireEvent.pointerMove(canvas, { pointerId: 1, pointerType: 'mouse', clientX: 110, clientY: 110 });
    expect(onStrokeMove).toHaveBeenLastCalledWith([{ x: 0.5, y: 0.5 }]);
    fireEvent.pointerUp(canvas, { pointerId: 1, pointerType: 'mouse', clientX: 160, clientY: 210 });
    expect(onStrokeMove).toHaveBeenLastCalledWith([{ x: 0.75, y: 1 }]);
    expect(onStrokeEnd).toHaveBeenCalledTimes(1);
  });

  it('works the same with touch and pen, and ends a cancelled stroke', () => {
    const { canvas, onStrokeStart, onStrokeEnd } = setup();
    fireEvent.pointerDown(canvas, { pointerId: 7, pointerType: 'touch', clientX: 10, clientY: 10 });
    fireEvent.pointerCancel(canvas, { pointerId: 7, pointerType: 'touch' });
    fireEvent.pointerDown(canvas, { pointerId: 8, pointerType: 'pen', clientX: 210, clientY: 210 });
    fireEvent.pointerUp(canvas, { pointerId: 8, pointerType: 'pen', clientX: 210, clientY: 210 });
    expect(onStrokeStart).toHaveBeenNthCalledWith(1, { x: 0, y: 0 });
    expect(onStrokeStart).toHaveBeenNthCalledWith(2, { x: 1, y: 1 });
    expect(onStrokeEnd).toHaveBeenCalledTimes(2);
  });

  it('ignores a second finger, moves without a press and non-primary mouse buttons', () => {
    const { canvas, onStrokeStart, onStrokeMove, onStrokeEnd } = setup();
    fireEvent.pointerMove(canvas, { pointerId: 1, pointerType: 'mouse', clientX: 50, clientY: 50 });
    fireEvent.pointerDown(canvas, { pointerId: 1, pointerType: 'mouse', button: 2, clientX: 50, clientY: 50 });
    expect(onStrokeStart).not.toHaveBeenCalled();
    fireEvent.pointerDown(canvas, { pointerId: 2, pointerType: 'touch', clientX: 50, clientY: 50 });
    fireEvent.pointerDown(canvas, { pointerId: 3, pointerType: 'touch', clientX: 90, clientY: 90 });
    fireEvent.pointerMove(canvas, { pointerId: 3, pointerType: 'touch', clientX: 95, clientY: 95 });
    fireEvent.pointerUp(canvas, { pointerId: 3, pointerType: 'touch', clientX: 95, clientY: 95 });
    expect(onStrokeStart).toHaveBeenCalledTimes(1);
    expect(onStrokeMove).not.toHaveBeenCalled();
    expect(onStrokeEnd).not.toHaveBeenCalled();
  });

  it('does not let the page scroll while drawing (touch-action: none in CSS, default prevented)', () => {
    const { canvas } = setup();
    const down = new PointerEvent('pointerdown', {
      pointerId: 1,
      pointerType: 'touch',
      bubbles: true,
      cancelable: true,
    });
    canvas.dispatchEvent(down);
    expect(down.defaultPrevented).toBe(true);
  });

  it('sizes its backing store by devicePixelRatio and redraws the strokes', () => {
    vi.spyOn(window, 'devicePixelRatio', 'get').mockReturnValue(2);
    const contexts = stubCanvas();
    const drawing: Drawing = {
      strokes: [
        [
          { x: 0.1, y: 0.1 },
          { x: 0.9, y: 0.9 },
        ],
      ],
      current: null,
    };
    vi.spyOn(HTMLCanvasElement.prototype, 'getBoundingClientRect').mockReturnValue({
      left: 0,
      top: 0,
      width: 150,
      height: 150,
      right: 150,
      bottom: 150,
      x: 0,
      y: 0,
      toJSON: () => ({}),
    });
    render(<DrawingCanvas drawing={drawing} onStrokeStart={vi.fn()} onStrokeMove={vi.fn()} onStrokeEnd={vi.fn()} />);
    const canvas = screen.getByTestId<HTMLCanvasElement>('digit-canvas');
    expect(canvas.width).toBe(300);
    expect(canvas.height).toBe(300);
    const { calls, state } = contexts[0]!;
    expect(calls.some((c) => c.name === 'clearRect')).toBe(true);
    expect(state.lineWidth).toBeCloseTo(300 / 14);
    expect(calls.find((c) => c.name === 'moveTo')!.args).toEqual([30, 30]);
  });

  it('can be reached with Tab, and says how to draw (and the keyboard alternatives)', () => {
    stubCanvas();
    render(
      <>
        <DrawingCanvas
          drawing={emptyDrawing}
          onStrokeStart={vi.fn()}
          onStrokeMove={vi.fn()}
          onStrokeEnd={vi.fn()}
          describedBy="help"
        />
        <p id="help">Ctrl+Z undoes. Or upload a picture.</p>
      </>,
    );
    const canvas = screen.getByRole('img', { name: /draw one digit/i });
    expect(canvas).toHaveAttribute('tabindex', '0');
    expect(canvas).toHaveAccessibleDescription('Ctrl+Z undoes. Or upload a picture.');
    canvas.focus();
    expect(canvas).toHaveFocus();
  });

  it('takes the focus when drawing starts, so that Esc and Tab work from there', () => {
    const { canvas } = setup();
    expect(canvas).not.toHaveFocus();
    fireEvent.pointerDown(canvas, { pointerId: 1, pointerType: 'touch', clientX: 50, clientY: 50 });
    expect(canvas).toHaveFocus();
  });

  it('hands its element to a ref', () => {
    stubCanvas();
    const ref = { current: null as HTMLCanvasElement | null };
    render(
      <DrawingCanvas
        ref={ref}
        drawing={emptyDrawing}
        onStrokeStart={vi.fn()}
        onStrokeMove={vi.fn()}
        onStrokeEnd={vi.fn()}
      />,
    );
    expect(ref.current).toBe(screen.getByTestId('digit-canvas'));
  });

  it('draws in the ink its CSS gives (dark mode), unless told otherwise', () => {
    const contexts = stubCanvas();
    const drawing: Drawing = { strokes: [[{ x: 0.5, y: 0.5 }]], current: null };
    vi.spyOn(HTMLCanvasElement.prototype, 'getBoundingClientRect').mockReturnValue({
      left: 0,
      top: 0,
      width: 100,
      height: 100,
      right: 100,
      bottom: 100,
      x: 0,
      y: 0,
      toJSON: () => ({}),
    });
    // jsdom does not cascade custom properties: give the canvas its computed `--ink` directly.
    const real = window.getComputedStyle.bind(window);
    vi.spyOn(window, 'getComputedStyle').mockImplementation((element, pseudo) => {
      const style = real(element, pseudo);
      if (!(element instanceof HTMLCanvasElement)) return style;
      return {
        ...style,
        getPropertyValue: (name: string) => (name === '--ink' ? ' #f1f5f9' : ''),
      };
    });
    const { unmount } = render(
      <DrawingCanvas drawing={drawing} onStrokeStart={vi.fn()} onStrokeMove={vi.fn()} onStrokeEnd={vi.fn()} />,
    );
    expect(contexts[0]!.state.fillStyle).toBe('#f1f5f9');
    unmount();
    render(
      <DrawingCanvas
        ink="#123456"
        drawing={drawing}
        onStrokeStart={vi.fn()}
        onStrokeMove={vi.fn()}
        onStrokeEnd={vi.fn()}
      />,
    );
    expect(contexts[1]!.state.fillStyle).toBe('#123456');
  });
});
