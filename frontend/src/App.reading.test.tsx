import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { ReadOptions } from './api';
import type { NumberReading } from './reading';
import { UPRIGHT, answer, describeStrokes, renderApp } from './test/renderApp';
import { reading } from './test/readings';

const HEATMAP = 'data:image/png;base64,HEAT';

/** The App with number mode's requests injected: every number read as `reading` ("40"). */
function renderNumbers() {
  const predict = vi.fn(async (_image: string, _signal: AbortSignal, options?: ReadOptions) =>
    options?.explain ? { ...answer(1), explanation: { method: 'occlusion', heatmap: HEATMAP } } : answer(1),
  );
  const readNumber = vi.fn(
    async (_image: string, _signal: AbortSignal, options?: ReadOptions): Promise<NumberReading> =>
      options?.explain ? { ...reading, explanation: { method: 'occlusion', heatmap: HEATMAP } } : reading,
  );
  const view = renderApp({ predict, readNumber, exportNumberImage: (s) => `number:${describeStrokes(s)}` });
  return { ...view, predict, readNumber };
}

describe('App: Digit | Number', () => {
  it('reads a number on a wide pad: its number, a box per digit, and the bars of the digit tapped', async () => {
    const { stroke, canvas, predict, readNumber } = renderNumbers();
    fireEvent.click(screen.getByTestId('mode-number'));
    expect(screen.getByTestId('mode-number')).toHaveAttribute('aria-pressed', 'true');
    expect(canvas).toHaveAccessibleName(/Number pad/);
    expect(canvas.parentElement).toHaveClass('canvas-frame', 'wide');
    const pad = canvas as HTMLCanvasElement;
    expect(pad.width / pad.height).toBeCloseTo(2.5, 1); // the backing store follows the pad's shape

    stroke(UPRIGHT);
    expect(await screen.findByTestId('number-result')).toHaveTextContent('40');
    expect(readNumber.mock.calls.at(-1)![0]).toBe('number:strokes:1:2'); // the number pad's picture
    expect(readNumber.mock.calls.at(-1)!.length).toBe(2); // no `explain` unless Why? is on
    expect(predict).not.toHaveBeenCalled();
    expect(screen.getByTestId('digit-box-0')).toHaveStyle({ left: '10%', width: '20%' });
    expect(screen.getByTestId('digit-tag-1')).toHaveTextContent('061%');
    expect(screen.queryByTestId('number-bars')).toBeNull();

    fireEvent.click(screen.getByTestId('digit-tag-1'));
    const bars = screen.getByTestId('number-bars');
    expect(bars).toHaveTextContent('Digit 2 of 2: 0');
    expect(within(bars).getByTestId('prob-0')).toHaveAttribute('aria-valuenow', '61');
    expect(screen.getByTestId('number-digit-1')).toHaveAttribute('aria-pressed', 'true');
  });

  it('names the ask-again button after the mode: Predict a digit, Read a number (the same test id)', async () => {
    const { stroke, readNumber } = renderNumbers();
    const button = screen.getByTestId('predict');
    expect(button).toHaveTextContent('Predict');
    expect(button).toHaveAccessibleName('Predict the digit');

    fireEvent.click(screen.getByTestId('mode-number'));
    expect(screen.getByTestId('predict')).toHaveTextContent('Read number');
    expect(screen.getByTestId('predict')).toHaveAccessibleName('Read the number');
    stroke(UPRIGHT);
    await screen.findByTestId('digit-box-0');
    const asked = readNumber.mock.calls.length;
    fireEvent.click(screen.getByRole('button', { name: 'Read the number' }));
    await vi.waitFor(() => expect(readNumber.mock.calls.length).toBe(asked + 1)); // it reads the number again

    fireEvent.click(screen.getByTestId('mode-digit'));
    expect(screen.getByTestId('predict')).toHaveTextContent('Predict');
    expect(screen.getByTestId('predict')).toHaveAccessibleName('Predict the digit');
  });

  it('keeps each mode’s own drawing: switching back finds the digit as it was', async () => {
    const { stroke, predict } = renderNumbers();
    stroke(UPRIGHT);
    expect(await screen.findByTestId('prediction-digit')).toHaveTextContent('1');
    const asked = predict.mock.calls.length;

    fireEvent.click(screen.getByTestId('mode-number'));
    expect(screen.getByTestId('undo')).toBeDisabled(); // the number pad is empty
    expect(screen.getByTestId('number-result')).toHaveTextContent('–');
    expect(screen.getByTestId('prediction').closest('section')).not.toBeVisible();

    fireEvent.click(screen.getByTestId('mode-digit'));
    expect(screen.getByTestId('undo')).toBeEnabled();
    expect(screen.getByTestId('prediction-digit')).toHaveTextContent('1');
    expect(screen.queryByTestId('number-result')).toBeNull();
    expect(predict.mock.calls.length).toBe(asked); // nothing asked again
  });

  it('Why? asks again with explain and lays the heatmap over the drawing, in both modes', async () => {
    const { stroke, predict, readNumber } = renderNumbers();
    stroke(UPRIGHT);
    await screen.findByTestId('prediction-digit');
    expect(screen.queryByTestId('heatmap')).toBeNull();

    fireEvent.click(screen.getByTestId('why-toggle'));
    expect(predict.mock.calls.at(-1)![2]).toEqual({ explain: true });
    expect(await screen.findByTestId('heatmap')).toHaveAttribute('src', HEATMAP);
    expect(screen.getByTestId('why-legend')).toBeInTheDocument();

    fireEvent.click(screen.getByTestId('mode-number'));
    expect(screen.queryByTestId('heatmap')).toBeNull(); // nothing written there yet
    stroke(UPRIGHT);
    await screen.findByTestId('digit-box-0');
    expect(readNumber.mock.calls.at(-1)![2]).toEqual({ explain: true });
    expect(screen.getByTestId('heatmap')).toHaveAttribute('src', HEATMAP);

    fireEvent.click(screen.getByTestId('why-toggle'));
    expect(screen.queryByTestId('heatmap')).toBeNull();
    expect(screen.queryByTestId('why-legend')).toBeNull();
  });
});
